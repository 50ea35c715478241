use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

use crate::{
    auth::RequireUser,
    error::AppError,
    layout::NotFound,
    photos::{human_size, PhotoDetails},
};

/// The caller's photo; another user's photo is "not found", exactly like a missing one.
#[server(prefix = "/api", endpoint = "get_photo")]
pub async fn get_photo(id: String) -> Result<PhotoDetails, AppError> {
    use crate::ssr::{app_state, photos, request};
    let user = request::require_user().await.map_err(request::with_status)?;
    let state = app_state()?;
    match photos::find_owned(&state.db, user.id, &id).await.map_err(AppError::internal)? {
        Some(photo) => Ok(photo.details()),
        None => Err(request::with_status(AppError::NotFound)),
    }
}

/// Deletes the caller's photo with every file that belongs to it.
#[server(prefix = "/api", endpoint = "delete_photo")]
pub async fn delete_photo(id: String) -> Result<(), AppError> {
    use crate::ssr::{app_state, photos, request};
    let user = request::require_user().await.map_err(request::with_status)?;
    let state = app_state()?;
    if !photos::delete(&state.db, user.id, &id).await.map_err(AppError::internal)? {
        return Err(request::with_status(AppError::NotFound));
    }
    tracing::info!(photo = %id, "photo deleted");
    leptos_axum::redirect("/dashboard");
    Ok(())
}

#[component]
pub fn PhotoPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let photo = Resource::new(id, get_photo);
    let delete = ServerAction::<DeletePhoto>::new();
    view! {
        <RequireUser let:_user>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match photo.await {
                        Ok(details) => view! { <PhotoView details delete/> }.into_any(),
                        Err(AppError::NotFound) => view! { <NotFound/> }.into_any(),
                        Err(err) => view! { <p class="alert" role="alert">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </RequireUser>
    }
}

#[component]
fn PhotoView(details: PhotoDetails, delete: ServerAction<DeletePhoto>) -> impl IntoView {
    let id = details.summary.id.clone();
    let caption = details.summary.caption_text();
    let delete_error = move || delete.value().get().and_then(Result::err).map(|e| e.to_string());
    view! {
        <Title text=details.summary.file_name.clone()/>
        <article class="photo-page">
            <p><A href="/dashboard">"← All photos"</A></p>
            <figure class="photo-figure">
                <img src=format!("/media/{id}/display") alt=caption.clone()/>
                <figcaption class="caption" class:pending=details.summary.caption.is_none() data-testid="caption">{caption}</figcaption>
            </figure>
            <dl class="facts">
                <dt>"File"</dt><dd data-testid="file-name">{details.summary.file_name.clone()}</dd>
                <dt>"Size"</dt><dd>{format!("{} x {} pixels, {}", details.width, details.height, human_size(details.byte_size))}</dd>
                <dt>"Uploaded"</dt><dd>{details.uploaded_at.clone()}</dd>
            </dl>
            <p><a href=format!("/media/{id}/original") download=details.summary.file_name.clone()>"Download the original"</a></p>
            // <details> asks for confirmation with or without JavaScript.
            <details class="danger-zone">
                <summary>"Delete photo"</summary>
                <p>"The photo and its caption will be deleted for good."</p>
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=id.clone()/>
                    <button type="submit" class="button danger" disabled=move || delete.pending().get()>"Delete permanently"</button>
                </ActionForm>
                {move || delete_error().map(|msg| view! { <p class="alert" role="alert">{msg}</p> })}
            </details>
        </article>
    }
}
