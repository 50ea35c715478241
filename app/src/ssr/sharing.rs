//! What others read: Explore, public profiles, a user's liked photos and the photo behind a share
//! link. Each is built from photos that `access` lets the viewer see, shown as `PublicPhoto`s.

use bson::{doc, oid::ObjectId};
use futures::TryStreamExt;
use mongodb::Database;

use super::{
    access::{access, listed_for_everyone, Viewer},
    accounts, likes,
    photos::{self, Listing, Photo, PAGE_SIZE},
};
use crate::photo_view::{FeedPage, Profile, PublicPhoto, Visibility};

/// The photos as others see them, each with its images under `image_base(photo)`. Photos whose
/// owner is gone are left out.
pub async fn public_views(
    db: &Database,
    viewer: &Viewer,
    photos: &[Photo],
    image_base: impl Fn(&Photo) -> String,
) -> mongodb::error::Result<Vec<PublicPhoto>> {
    let owners = accounts::find_many(db, photos.iter().map(|p| p.owner_id)).await?;
    let ids: Vec<ObjectId> = photos.iter().map(|p| p.id).collect();
    let liked = match viewer.user_id() {
        Some(user) => Some(likes::liked_among(db, user, &ids).await?),
        None => None,
    };
    Ok(photos
        .iter()
        .filter_map(|photo| {
            let owner = owners.get(&photo.owner_id)?;
            // only public photos can be liked
            let liked =
                liked.as_ref().filter(|_| photo.visibility == Visibility::Public).map(|l| l.contains(&photo.id));
            Some(photo.public_view(owner, image_base(photo), liked, viewer.language))
        })
        .collect())
}

/// Everyone's public photos, newest first; with `words`, those whose captions have them all.
pub async fn explore(
    db: &Database,
    viewer: &Viewer,
    words: &[String],
    before: Option<&str>,
) -> mongodb::error::Result<FeedPage> {
    let (found, next) = photos::newest_page(db, &Listing::of_everyone(listed_for_everyone()), words, before).await?;
    Ok(FeedPage { photos: public_views(db, viewer, &found, Photo::media_base).await?, next })
}

/// A user's public profile with a page of their public photos; `None` for an unknown user and for
/// one whose profile is private (to anyone but themselves).
pub async fn profile(
    db: &Database,
    viewer: &Viewer,
    username: &str,
    before: Option<&str>,
) -> mongodb::error::Result<Option<Profile>> {
    let Some(user) = accounts::find_by_username(db, username).await? else { return Ok(None) };
    if !user.profile_public && viewer.user_id() != Some(user.id) {
        return Ok(None);
    }
    let listing = Listing::of_owner(&user, listed_for_everyone());
    let (found, next) = photos::newest_page(db, &listing, &[], before).await?;
    let photos = public_views(db, viewer, &found, Photo::media_base).await?;
    Ok(Some(Profile { owner: user.card(), bio: user.bio.clone(), photos: FeedPage { photos, next } }))
}

/// The photos the viewer likes that they may still see, newest like first, paged by the like.
pub async fn liked(db: &Database, viewer: &Viewer, before: Option<&str>) -> mongodb::error::Result<FeedPage> {
    let Some(user) = viewer.user_id() else { return Ok(FeedPage::default()) };
    let before = before.and_then(photos::parse_id);
    let mut found = likes::newest(db, user, before, PAGE_SIZE + 1).await?;
    let next = (found.len() as i64 > PAGE_SIZE).then(|| {
        found.truncate(PAGE_SIZE as usize);
        found.last().map(|l| l.id.to_hex()).unwrap_or_default()
    });
    let ids: Vec<ObjectId> = found.iter().map(|l| l.photo_id).collect();
    let mut liked: Vec<Photo> =
        photos::collection(db).find(doc! { "_id": { "$in": &ids } }).await?.try_collect().await?;
    liked.retain(|photo| access(viewer, photo).is_some());
    liked.sort_by_key(|photo| ids.iter().position(|id| *id == photo.id));
    Ok(FeedPage { photos: public_views(db, viewer, &liked, Photo::media_base).await?, next })
}
