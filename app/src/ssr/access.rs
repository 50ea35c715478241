//! The one rule of who may see a photo. Every read of a photo (pages, server functions, image
//! routes, feeds, profiles, search, likes) asks [`access`], or for lists of photos
//! [`listed_for_everyone`], which is the same rule for a viewer without a link. Every write is
//! the owner's alone and filters on `owner_id` itself.
//!
//! A photo someone may not see is "not found", exactly like one that never existed (404, never
//! 403): nobody learns which photos exist.

use bson::{doc, Document};
use languages::Language;
use mongodb::Database;

use super::{
    accounts::User,
    photos::{self, Photo, Variant},
    share_links::OpenedLink,
};
use crate::photo_view::Visibility;

/// Who is looking: a logged-in user or a visitor, perhaps holding an opened share link.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    pub user: Option<User>,
    /// A share link that is active and, if it has a password, unlocked in this browser.
    pub link: Option<OpenedLink>,
    /// The language they read captions in (`crate::locale::resolve`).
    pub language: Language,
}

impl Viewer {
    pub fn visitor() -> Self {
        Self::default()
    }

    pub fn user(user: User) -> Self {
        Self { user: Some(user), ..Self::default() }
    }

    pub fn user_id(&self) -> Option<bson::oid::ObjectId> {
        self.user.as_ref().map(|u| u.id)
    }
}

/// Why a viewer may see a photo; it decides which copies they get and how they may be cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everything, the original with its camera metadata included.
    Owner,
    /// A public photo: its display copy and thumbnail, cacheable by anyone.
    Public,
    /// A link-only photo opened through one of its links: display copy and thumbnail, kept
    /// private.
    Link,
}

impl Access {
    /// The original keeps the camera's EXIF (GPS included) and the file name: the owner's alone.
    pub fn may_see(self, variant: Variant) -> bool {
        self == Access::Owner || variant != Variant::Original
    }

    /// `Cache-Control` of an image copy. Public copies may sit in shared caches for a few
    /// minutes (a photo made private again leaves them within that time); link copies are
    /// checked again at every view, so that revoking a link takes effect at once.
    pub fn cache_control(self) -> &'static str {
        match self {
            Access::Owner => "private, max-age=31536000, immutable",
            Access::Public => "public, max-age=300",
            Access::Link => "private, no-cache",
        }
    }
}

/// The rule: the owner sees their photo; anyone sees a public one; a link-only photo is seen
/// through an opened link to it. Nothing else is seen.
pub fn access(viewer: &Viewer, photo: &Photo) -> Option<Access> {
    if viewer.user_id() == Some(photo.owner_id) {
        return Some(Access::Owner);
    }
    match photo.visibility {
        Visibility::Public => Some(Access::Public),
        Visibility::Link if viewer.link.as_ref().is_some_and(|link| link.photo_id == photo.id) => Some(Access::Link),
        Visibility::Link | Visibility::Private => None,
    }
}

/// The rule as a query, for lists that anyone may read (Explore, profiles, public search): the
/// photos [`access`] lets a viewer without a link see, other than their own.
pub fn listed_for_everyone() -> Document {
    doc! { "visibility": Visibility::Public.as_str() }
}

/// The photo `id` and what this viewer may do with it; `None` when it does not exist or the
/// viewer may not see it (the two are never told apart).
pub async fn find_viewable(
    db: &Database,
    viewer: &Viewer,
    id: &str,
) -> mongodb::error::Result<Option<(Photo, Access)>> {
    let Some(id) = photos::parse_id(id) else { return Ok(None) };
    let photo = photos::collection(db).find_one(doc! { "_id": id }).await?;
    Ok(photo.and_then(|photo| access(viewer, &photo).map(|access| (photo, access))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::accounts::tests::user_named;
    use crate::ssr::photos::tests::photo_of;

    #[test]
    fn the_rule() {
        let owner = user_named("owner");
        let other = user_named("other");
        for visibility in Visibility::ALL {
            let photo = photo_of(&owner, visibility);
            let other_photo = photo_of(&owner, visibility);
            let link = |to: &Photo| OpenedLink { id: Default::default(), photo_id: to.id, token: "t".into() };
            let holder = Viewer { link: Some(link(&photo)), ..Viewer::visitor() };
            let wrong_holder = Viewer { link: Some(link(&other_photo)), ..Viewer::user(other.clone()) };

            assert_eq!(access(&Viewer::user(owner.clone()), &photo), Some(Access::Owner));
            let public = (visibility == Visibility::Public).then_some(Access::Public);
            assert_eq!(access(&Viewer::visitor(), &photo), public);
            assert_eq!(access(&Viewer::user(other.clone()), &photo), public);
            let through_link = match visibility {
                Visibility::Private => None,
                Visibility::Link => Some(Access::Link),
                Visibility::Public => Some(Access::Public),
            };
            assert_eq!(access(&holder, &photo), through_link);
            assert_eq!(access(&wrong_holder, &photo), public, "a link opens its own photo only");

            // the list query agrees with the rule for a viewer without a link
            let listed = listed_for_everyone().get_str("visibility").unwrap() == visibility.as_str();
            assert_eq!(listed, access(&Viewer::visitor(), &photo).is_some());
        }
    }

    #[test]
    fn only_the_owner_gets_the_original() {
        for variant in [Variant::Original, Variant::Display, Variant::Thumb] {
            assert!(Access::Owner.may_see(variant));
            assert_eq!(Access::Public.may_see(variant), variant != Variant::Original);
            assert_eq!(Access::Link.may_see(variant), variant != Variant::Original);
        }
        assert!(Access::Public.cache_control().starts_with("public"));
        assert!(Access::Link.cache_control().starts_with("private"));
        assert!(Access::Owner.cache_control().starts_with("private"));
    }
}
