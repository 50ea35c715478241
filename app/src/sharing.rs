//! The parts of the pages that others see: a grid of public photos, a photo as a non-owner sees
//! it, the like button, and the link-preview tags that chat apps read.

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::components::A;

use crate::{
    auth::encode_query_value,
    error::AppError,
    i18n::use_texts,
    layout::Alert,
    photo_view::{FeedPage, OwnerCard, PublicPhoto},
};

/// Likes (`like = true`) or unlikes a public photo; returns its number of likes.
#[server(prefix = "/api", endpoint = "set_like")]
pub async fn set_like(id: String, like: bool) -> Result<u64, AppError> {
    use crate::{
        photo_view::Visibility,
        ssr::{access, likes, photos, request},
    };
    let (state, viewer, _) = request::viewer(None).await?;
    let user = viewer.user_id().ok_or(AppError::Unauthorized)?;
    let (photo, _) = access::find_viewable(&state.db, &viewer, &id)
        .await
        .map_err(AppError::database)?
        .filter(|(photo, _)| photo.visibility == Visibility::Public)
        .ok_or(AppError::NotFound)?;
    let result = if like {
        likes::like(&state.db, user, photo.id).await
    } else {
        likes::unlike(&state.db, user, photo.id).await
    };
    result.map_err(AppError::database)?;
    // The count after this like; the access was checked above.
    let now = photos::collection(&state.db)
        .find_one(bson::doc! { "_id": photo.id })
        .await
        .map_err(AppError::database)?
        .ok_or(AppError::NotFound)?;
    Ok(now.likes.max(0) as u64)
}

/// "♥ 3": a button for a logged-in user, a count and a log-in link for a visitor.
#[component]
pub fn LikeButton(photo_id: String, likes: u64, liked: Option<bool>) -> impl IntoView {
    let t = use_texts();
    let count = RwSignal::new(likes);
    let label = t.photo.likes;
    let Some(liked) = liked else {
        return view! {
            <span class="likes" data-testid="likes">{move || label(count.get())}</span>
        }
        .into_any();
    };
    let liked = RwSignal::new(liked);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let toggle = move |_| {
        let id = photo_id.clone();
        let like = !liked.get_untracked();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match set_like(id, like).await {
                Ok(n) => {
                    liked.set(like);
                    count.set(n);
                    error.set(None);
                }
                Err(err) => error.set(Some(err)),
            }
            busy.set(false);
        });
    };
    view! {
        <span class="likes">
            <button type="button" class="button secondary small like" class:liked=move || liked.get()
                aria-pressed=move || liked.get().to_string() disabled=move || busy.get() on:click=toggle
                data-testid="like-button">
                {move || if liked.get() { t.photo.liked } else { t.photo.like }}
            </button>
            " "
            <span data-testid="likes">{move || label(count.get())}</span>
            {move || error.get().map(|err| view! { <Alert message=err.message(t)/> })}
        </span>
    }
    .into_any()
}

/// "by Ann Lee", linked to the profile when there is one.
#[component]
pub fn OwnerLine(owner: OwnerCard) -> impl IntoView {
    let t = use_texts();
    let name = owner.name.clone();
    if owner.has_profile {
        view! { <span class="owner">{t.photo.by} <a href=format!("/u/{}", owner.username) data-testid="owner">{name}</a></span> }
            .into_any()
    } else {
        view! { <span class="owner">{t.photo.by} <span data-testid="owner">{name}</span></span> }.into_any()
    }
}

#[component]
fn FeedTile(photo: PublicPhoto) -> impl IntoView {
    let t = use_texts();
    let caption = photo.caption_text(t);
    view! {
        <li class="tile" data-testid="feed-tile">
            <a href=format!("/photos/{}", photo.id) lang=photo.caption_language.code() dir=photo.caption_language.direction()>
                <img src=format!("{}/thumb", photo.image_base) alt=caption.clone() loading="lazy" decoding="async"/>
                <p class="caption" class:pending=photo.caption.is_none() class:unsure=photo.caption_unsure data-testid="tile-caption">{caption}</p>
            </a>
            <div class="tile-meta">
                <OwnerLine owner=photo.owner.clone()/>
                <LikeButton photo_id=photo.id.clone() likes=photo.likes liked=photo.liked/>
            </div>
        </li>
    }
}

/// A page of public photos and a link to the next one (`?before=` the cursor, added to `path`,
/// which may already have a query): paging works without JavaScript and by index.
#[component]
pub fn FeedGrid(page: FeedPage, #[prop(into)] path: String, #[prop(into)] empty: String) -> impl IntoView {
    if page.photos.is_empty() {
        return view! { <p class="muted empty-state" data-testid="feed-empty">{empty}</p> }.into_any();
    }
    let t = use_texts();
    let next = page.next.map(|cursor| {
        let separator = if path.contains('?') { '&' } else { '?' };
        let href = format!("{path}{separator}before={}", encode_query_value(&cursor));
        view! { <div class="load-more"><A href=href attr:class="button secondary" attr:data-testid="older">{t.photo.older_photos}</A></div> }
    });
    view! {
        <ul class="gallery" data-testid="feed">
            {page.photos.into_iter().map(|photo| view! { <FeedTile photo/> }).collect_view()}
        </ul>
        {next}
    }
    .into_any()
}

/// A photo as someone other than its owner sees it: the display copy with its caption as alt
/// text, who shared it, likes.
#[component]
pub fn PublicPhotoView(photo: PublicPhoto) -> impl IntoView {
    let t = use_texts();
    let caption = photo.caption_text(t);
    view! {
        <article class="photo-page" data-testid="public-photo">
            <figure class="photo-figure" lang=photo.caption_language.code() dir=photo.caption_language.direction()>
                <img src=format!("{}/display", photo.image_base) alt=caption.clone() width=photo.width height=photo.height/>
                <figcaption class="caption" class:pending=photo.caption.is_none() class:unsure=photo.caption_unsure data-testid="caption">{caption}</figcaption>
            </figure>
            <p class="photo-meta">
                <OwnerLine owner=photo.owner.clone()/>
                <span class="muted">" · " {t.date_time(photo.uploaded_at)}</span>
            </p>
            <LikeButton photo_id=photo.id.clone() likes=photo.likes liked=photo.liked/>
        </article>
    }
}

/// The site's origin, for absolute URLs (link previews, which crawlers read in the served HTML;
/// a new share link's address).
pub fn site_origin() -> String {
    #[cfg(feature = "ssr")]
    {
        crate::ssr::request::site_origin()
    }
    #[cfg(not(feature = "ssr"))]
    {
        web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
    }
}

/// Open Graph and Twitter card tags: a shared link previews with the photo's caption and its
/// display copy. Without a photo (a link behind a password), nothing of it is told.
#[component]
pub fn SharePreview(photo: Option<PublicPhoto>, #[prop(into)] page_path: String) -> impl IntoView {
    let t = use_texts();
    let origin = site_origin();
    let (title, image) = match &photo {
        Some(photo) => (photo.caption_text(t), Some(format!("{origin}{}/display", photo.image_base))),
        None => (t.photo.preview_title.to_owned(), None),
    };
    let description = match &photo {
        Some(photo) => (t.photo.preview_description)(&photo.caption_text(t), &photo.owner.name),
        None => t.photo.preview_locked.to_owned(),
    };
    let image_tags = image.map(|image| {
        view! {
            <Meta property="og:image" content=image.clone()/>
            <Meta property="og:image:alt" content=title.clone()/>
            <Meta name="twitter:image" content=image/>
            <Meta name="twitter:image:alt" content=title.clone()/>
        }
    });
    view! {
        <Meta property="og:type" content="website"/>
        <Meta property="og:site_name" content="Captioned"/>
        <Meta property="og:url" content=format!("{origin}{page_path}")/>
        <Meta property="og:title" content=title.clone()/>
        <Meta property="og:description" content=description.clone()/>
        <Meta name="description" content=description.clone()/>
        <Meta name="twitter:card" content="summary_large_image"/>
        <Meta name="twitter:title" content=title/>
        <Meta name="twitter:description" content=description/>
        {image_tags}
    }
}
