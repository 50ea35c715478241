//! A share link, `/s/{token}`: the photo for whoever holds the link, after its password if it
//! has one. An expired or revoked link, or one to a photo deleted or made private again, is "not
//! found" like any unknown address.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    error::AppError,
    i18n::use_texts,
    layout::{Alert, NotFound},
    photo_view::SharedPhoto,
    sharing::{PublicPhotoView, SharePreview},
};

/// What the link `token` shows this browser; each showing of the photo counts as a view.
#[server(prefix = "/api", endpoint = "open_shared")]
pub async fn open_shared(token: String) -> Result<SharedPhoto, AppError> {
    use crate::ssr::{
        access::{self, Viewer},
        request, share_links,
        share_links::{LinkState, OpenedLink},
        sharing,
    };
    let (state, viewer, link) = request::viewer(Some(&token)).await?;
    let db = &state.db;
    keep_private();
    match link {
        LinkState::Unknown => Err(AppError::NotFound),
        LinkState::Locked(locked) => {
            // Asking for the password tells that the link exists: only while it would open.
            let unlocked = OpenedLink { id: locked.id, photo_id: locked.photo_id, token: token.clone() };
            let holder = Viewer { link: Some(unlocked), ..Viewer::visitor() };
            match access::find_viewable(db, &holder, &locked.photo_id.to_hex()).await.map_err(AppError::database)? {
                Some(_) => Ok(SharedPhoto::NeedsPassword),
                None => Err(AppError::NotFound),
            }
        }
        LinkState::Open(opened) => {
            let (photo, _) = access::find_viewable(db, &viewer, &opened.photo_id.to_hex())
                .await
                .map_err(AppError::database)?
                .ok_or(AppError::NotFound)?;
            share_links::record_view(db, opened.id).await.map_err(AppError::database)?;
            let base = opened.image_base();
            let seen =
                sharing::public_views(db, &viewer, &[photo], |_| base.clone()).await.map_err(AppError::database)?;
            seen.into_iter().next().map(SharedPhoto::Photo).ok_or(AppError::NotFound)
        }
    }
}

/// Gives a link's password; when right, this browser may view the link for a day.
#[server(prefix = "/api", endpoint = "unlock_shared")]
pub async fn unlock_shared(token: String, password: String) -> Result<(), AppError> {
    use crate::ssr::{rate_limit, request, share_links, share_links::LinkState};
    let (state, _, link) = request::viewer(Some(&token)).await?;
    let locked = match link {
        LinkState::Unknown => return Err(AppError::NotFound),
        LinkState::Open(_) => return Ok(()),
        LinkState::Locked(locked) => locked,
    };
    let client = request::client_address().await;
    let windows = rate_limit::per_account_and_address(state.auth.attempts_per_minute);
    rate_limit::hit(&state.db, &format!("link:{}:{client}", locked.id), &windows)
        .await
        .map_err(AppError::database)?
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    let cookie = share_links::unlock(&state.db, &locked, &password, state.auth.cookie_secure)
        .await
        .map_err(AppError::database)?
        .ok_or(AppError::Invalid(crate::error::Problem::WrongLinkPassword))?;
    request::add_set_cookie(cookie);
    leptos_axum::redirect(&share_links::link_path(&token));
    Ok(())
}

/// A link's page is the link holder's: no cache keeps it.
#[cfg(feature = "ssr")]
fn keep_private() {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(http::header::CACHE_CONTROL, http::HeaderValue::from_static("private, no-store"));
    }
}

#[component]
pub fn SharedLinkPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let unlock = ServerAction::<UnlockShared>::new();
    let shown =
        crate::page_data::page_resource(move || (token(), unlock.version().get()), |(token, _)| open_shared(token));
    view! {
        <Transition fallback=move || view! { <p class="muted">{t.common.loading}</p> }>
            {move || Suspend::new(async move {
                let path = format!("/s/{}", token());
                match shown.await {
                    Ok(SharedPhoto::Photo(photo)) => view! {
                        <Title text=photo.caption_text(t)/>
                        <SharePreview photo=Some(photo.clone()) page_path=path/>
                        <PublicPhotoView photo/>
                    }.into_any(),
                    Ok(SharedPhoto::NeedsPassword) => view! {
                        <Title text=t.photo.shared_photo_title/>
                        <SharePreview photo=None page_path=path/>
                        <PasswordForm token=token() unlock/>
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound/> }.into_any(),
                    Err(err) => view! { <Alert message=err.message(t)/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PasswordForm(token: String, unlock: ServerAction<UnlockShared>) -> impl IntoView {
    let t = use_texts();
    let error = move || unlock.value().get().and_then(Result::err).map(|e| e.message(t));
    view! {
        <section class="card narrow">
            <h1>{t.photo.password_heading}</h1>
            <p class="muted">{t.photo.password_hint}</p>
            <ActionForm action=unlock attr:class="stacked-form">
                <input type="hidden" name="token" value=token/>
                <label for="link-password">{t.photo.password_label}</label>
                <input id="link-password" type="password" name="password" required autocomplete="off" maxlength="128"/>
                <button type="submit" class="button" disabled=move || unlock.pending().get()>{t.photo.view_photo}</button>
                {move || error().map(|msg| view! { <Alert message=msg testid="unlock-error"/> })}
            </ActionForm>
        </section>
    }
}
