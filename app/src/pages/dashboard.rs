use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;

use crate::{
    auth::RequireUser,
    error::AppError,
    photos::{PhotoPage, PhotoSummary},
    uploader::Uploader,
};

/// One page of the caller's photos, newest first, after the cursor `before`.
#[server(prefix = "/api", endpoint = "list_photos")]
pub async fn list_photos(before: Option<String>) -> Result<PhotoPage, AppError> {
    use crate::ssr::{app_state, photos, request};
    let user = request::require_user().await.map_err(request::with_status)?;
    let state = app_state()?;
    photos::list(&state.db, user.id, before.as_deref()).await.map_err(AppError::internal)
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let uploaded = RwSignal::new(0u32);
    view! {
        <Title text="Your photos"/>
        <RequireUser let:user>
            <section class="dashboard">
                <h1>"Hello, " {user.username} "!"</h1>
                <Uploader uploaded/>
                <Gallery uploaded/>
            </section>
        </RequireUser>
    }
}

#[component]
fn PhotoTile(photo: PhotoSummary) -> impl IntoView {
    let caption = photo.caption_text();
    view! {
        <li class="tile" data-testid="photo-tile">
            <a href=format!("/photos/{}", photo.id)>
                <img src=format!("/media/{}/thumb", photo.id) alt=caption.clone() loading="lazy" decoding="async"/>
                <p class="caption" class:pending=photo.caption.is_none()>{caption}</p>
            </a>
        </li>
    }
}

/// The user's photos as thumbnails, newest first; "Load more" fetches the next page by cursor.
#[component]
fn Gallery(uploaded: RwSignal<u32>) -> impl IntoView {
    // Older pages appended by "Load more", and the cursor after them.
    let older = RwSignal::new(Vec::<PhotoSummary>::new());
    let older_next = RwSignal::new(None::<Option<String>>);
    let loading = RwSignal::new(false);
    let first = Resource::new(
        move || uploaded.get(),
        move |_| {
            // a new upload shows the newest page again
            older.set(Vec::new());
            older_next.set(None);
            list_photos(None)
        },
    );
    let load_more = move |cursor: String| {
        loading.set(true);
        spawn_local(async move {
            if let Ok(page) = list_photos(Some(cursor)).await {
                older.update(|all| all.extend(page.photos));
                older_next.set(Some(page.next));
            }
            loading.set(false);
        });
    };
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading your photos…"</p> }>
            {move || Suspend::new(async move {
                match first.await {
                    Err(err) => view! { <p class="alert" role="alert">{err.to_string()}</p> }.into_any(),
                    Ok(page) if page.photos.is_empty() => view! {
                        <div class="empty-state" data-testid="empty-state">
                            <h2>"No photos yet"</h2>
                            <p class="muted">"Photos you upload appear here, each with its caption."</p>
                        </div>
                    }.into_any(),
                    Ok(page) => {
                        let first_next = page.next.clone();
                        let next = move || older_next.get().unwrap_or_else(|| first_next.clone());
                        view! {
                            <ul class="gallery">
                                {page.photos.into_iter().map(|photo| view! { <PhotoTile photo/> }).collect_view()}
                                {move || older.get().into_iter().map(|photo| view! { <PhotoTile photo/> }).collect_view()}
                            </ul>
                            {move || next().map(|cursor| view! {
                                <div class="load-more">
                                    <button type="button" class="button secondary" disabled=move || loading.get()
                                        on:click=move |_| load_more(cursor.clone())>"Load more"</button>
                                </div>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
