use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

use crate::{
    auth::RequireUser,
    error::AppError,
    gallery::RetryCaption,
    layout::{Alert, NotFound},
    photo_view::{human_size, CaptionState, PhotoDetails},
    polling::{every, CAPTION_POLL_INTERVAL},
};

/// The caller's photo; another user's photo is "not found", exactly like a missing one.
#[server(prefix = "/api", endpoint = "get_photo")]
pub async fn get_photo(id: String) -> Result<PhotoDetails, AppError> {
    use crate::ssr::{photos, request};
    let (state, user) = request::signed_in().await?;
    match photos::find_owned(&state.db, user.id, &id).await.map_err(AppError::internal)? {
        Some(photo) => Ok(photo.details()),
        None => Err(AppError::NotFound),
    }
}

/// Deletes the caller's photo with every file that belongs to it.
#[server(prefix = "/api", endpoint = "delete_photo")]
pub async fn delete_photo(id: String) -> Result<(), AppError> {
    use crate::ssr::{photos, request};
    let (state, user) = request::signed_in().await?;
    if !photos::delete(&state.db, user.id, &id).await.map_err(AppError::internal)? {
        return Err(AppError::NotFound);
    }
    tracing::info!(photo = %id, "photo deleted");
    leptos_axum::redirect("/dashboard");
    Ok(())
}

/// Sets the caller's own caption for a photo: written, or one of the model's suggestions picked.
/// The model's captions stay stored beside it.
#[server(prefix = "/api", endpoint = "set_caption")]
pub async fn set_caption(id: String, caption: String) -> Result<(), AppError> {
    use crate::{
        domain::Caption,
        ssr::{photos, request},
    };
    let (state, user) = request::signed_in().await?;
    let caption = Caption::parse(&caption).map_err(|why| AppError::Invalid(why.to_owned()))?;
    if !photos::set_own_caption(&state.db, user.id, &id, Some(caption)).await.map_err(AppError::internal)? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Drops the caller's own caption: the model's is shown again.
#[server(prefix = "/api", endpoint = "use_model_caption")]
pub async fn use_model_caption(id: String) -> Result<(), AppError> {
    use crate::ssr::{photos, request};
    let (state, user) = request::signed_in().await?;
    if !photos::set_own_caption(&state.db, user.id, &id, None).await.map_err(AppError::internal)? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The caption actions of the photo page; each one reloads the photo when it is done.
#[derive(Clone, Copy)]
struct CaptionActions {
    set: ServerAction<SetCaption>,
    reset: ServerAction<UseModelCaption>,
    retry: ServerAction<RetryCaption>,
}

#[component]
pub fn PhotoPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let actions = CaptionActions { set: ServerAction::new(), reset: ServerAction::new(), retry: ServerAction::new() };
    // Bumped while the caption is being written, so that the page asks again (polling).
    let poll = RwSignal::new(0u32);
    let photo = Resource::new(
        move || {
            (
                id(),
                actions.set.version().get(),
                actions.reset.version().get(),
                actions.retry.version().get(),
                poll.get(),
            )
        },
        |(id, ..)| get_photo(id),
    );
    let delete = ServerAction::<DeletePhoto>::new();
    every(CAPTION_POLL_INTERVAL, move || {
        let waiting = photo.get_untracked().and_then(Result::ok).is_some_and(|p| p.summary.caption_state.in_progress());
        if waiting {
            poll.update(|n| *n += 1);
        }
    });
    view! {
        <RequireUser let:_user>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match photo.await {
                        Ok(details) => view! { <PhotoView details delete actions/> }.into_any(),
                        Err(AppError::NotFound) => view! { <NotFound/> }.into_any(),
                        Err(err) => view! { <Alert message=err.to_string()/> }.into_any(),
                    }
                })}
            </Transition>
        </RequireUser>
    }
}

#[component]
fn PhotoView(details: PhotoDetails, delete: ServerAction<DeletePhoto>, actions: CaptionActions) -> impl IntoView {
    let id = details.summary.id.clone();
    let caption = details.summary.caption_text();
    let delete_error = move || delete.value().get().and_then(Result::err).map(|e| e.to_string());
    let failed = details.summary.caption_state == CaptionState::Failed;
    let retry_error = move || actions.retry.value().get().and_then(Result::err).map(|e| e.to_string());
    view! {
        <Title text=details.summary.file_name.clone()/>
        <article class="photo-page">
            <p><A href="/dashboard">"← All photos"</A></p>
            <figure class="photo-figure">
                <img src=format!("/media/{id}/display") alt=caption.clone()/>
                <figcaption class="caption" class:pending=details.summary.shown_caption.is_none() data-testid="caption">{caption}</figcaption>
            </figure>
            {failed.then({
                let id = id.clone();
                let why = details.caption_error.clone();
                move || view! {
                <div class="caption-failed" data-testid="caption-failed">
                    {why.map(|why| view! { <p class="muted">"Reason: " {why}</p> })}
                    <ActionForm action=actions.retry>
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class="button secondary" disabled=move || actions.retry.pending().get()>"Try again"</button>
                    </ActionForm>
                    {move || retry_error().map(|msg| view! { <Alert message=msg/> })}
                </div>
            }})}
            <CaptionEditor details=details.clone() actions/>
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
                {move || delete_error().map(|msg| view! { <Alert message=msg/> })}
            </details>
        </article>
    }
}

/// The model's best captions to pick from, and the owner's own caption to write.
#[component]
fn CaptionEditor(details: PhotoDetails, actions: CaptionActions) -> impl IntoView {
    let id = details.summary.id.clone();
    let own = details.own_caption.clone();
    let set_error = move || actions.set.value().get().and_then(Result::err).map(|e| e.to_string());
    let mut items = Vec::new();
    for (rank, suggestion) in details.suggestions.into_iter().enumerate() {
        let in_use = own.as_deref() == Some(suggestion.text.as_str()) || (own.is_none() && rank == 0);
        let (id, text) = (id.clone(), suggestion.text.clone());
        let pick = if in_use {
            view! { <span class="badge">"In use"</span> }.into_any()
        } else {
            view! {
                <ActionForm action=actions.set>
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="caption" value=text/>
                    <button type="submit" class="button secondary small">"Use this caption"</button>
                </ActionForm>
            }
            .into_any()
        };
        items.push(view! {
            <li class="suggestion" class:in-use=in_use data-testid="suggestion">
                <span class="suggestion-text">{suggestion.text.clone()}</span>
                <span class="score" title=format!("mean log-probability per word {:.3}; beam-search score {:.3}", suggestion.per_word, suggestion.score)>
                    {format!("{}% confident", suggestion.confidence_percent())}
                </span>
                {pick}
            </li>
        });
    }
    let suggestions = (!items.is_empty()).then(|| {
        view! {
            <h2>"The model's captions"</h2>
            <ol class="suggestions" data-testid="suggestions">{items}</ol>
        }
    });
    let reset = own.is_some().then(|| {
        let id = id.clone();
        view! {
            <ActionForm action=actions.reset>
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="button link">"Use the model's caption instead"</button>
            </ActionForm>
        }
    });
    view! {
        <section class="caption-editor">
            {suggestions}
            <h2>"Your caption"</h2>
            <ActionForm action=actions.set attr:class="own-caption">
                <input type="hidden" name="id" value=id/>
                <label for="own-caption">"Write the caption in your own words"</label>
                // prop:value, never a text child: Leptos 0.8 does not escape a textarea's text
                // during server rendering (a stored caption could close the element).
                <textarea id="own-caption" name="caption" rows="2" maxlength="300" required
                    placeholder="What is in this photo?" prop:value=own.unwrap_or_default()></textarea>
                <button type="submit" class="button" disabled=move || actions.set.pending().get()>"Save caption"</button>
                {move || set_error().map(|msg| view! { <Alert message=msg/> })}
            </ActionForm>
            {reset}
        </section>
    }
}
