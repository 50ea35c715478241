//! What a server function knows of the request it serves: the caller's session, address and
//! cookies. leptos_axum puts the request parts and the response options in the context.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use http::{header, request::Parts, HeaderValue};
use languages::Language;
use leptos::prelude::{expect_context, use_context};
use leptos_axum::ResponseOptions;

use super::{
    access::Viewer,
    accounts::User,
    app_state, sessions,
    share_links::{self, LinkState},
    AppState,
};
use crate::{error::AppError, locale};

fn session_token() -> Option<String> {
    let parts = use_context::<Parts>()?;
    let header = parts.headers.get(header::COOKIE)?.to_str().ok()?;
    sessions::token_from_cookie_header(header)
}

/// The session's user as the server's page middleware found it, put in the request's
/// extensions so that rendering the page does not look the session up a second time.
#[derive(Debug, Clone)]
pub struct SessionUser(pub Option<User>);

/// The user of the request's session, from `SessionUser` when the middleware found it, else
/// from the database.
async fn session_user(db: &mongodb::Database, parts: &Parts) -> Result<Option<User>, AppError> {
    match parts.extensions.get::<SessionUser>() {
        Some(SessionUser(user)) => Ok(user.clone()),
        None => sessions::user_from_headers(db, &parts.headers).await.map_err(AppError::database),
    }
}

/// The logged-in user, or `None` for a visitor (or an expired or ended session).
pub async fn current_user() -> Result<Option<User>, AppError> {
    let Some(parts) = use_context::<Parts>() else { return Ok(None) };
    let state = app_state()?;
    session_user(&state.db, &parts).await
}

/// The caller of a server function that needs an account: the state and the logged-in user, or
/// `Unauthorized` for a visitor. The state is taken before the first await.
pub async fn signed_in() -> Result<(AppState, User), AppError> {
    let state = app_state()?;
    let user = current_user().await?.ok_or(AppError::Unauthorized)?;
    Ok((state, user))
}

/// Who is asking, from a request's headers, for the server functions and the image routes
/// alike: the logged-in user or a visitor, holding the share link `link_token` when it opens
/// (active, and unlocked when it has a password). Also what the token opens.
pub async fn viewer_from(
    db: &mongodb::Database,
    headers: &http::HeaderMap,
    link_token: Option<&str>,
) -> Result<(Viewer, LinkState), AppError> {
    let user = sessions::user_from_headers(db, headers).await.map_err(AppError::database)?;
    viewer_of(db, user, headers, link_token).await
}

async fn viewer_of(
    db: &mongodb::Database,
    user: Option<User>,
    headers: &http::HeaderMap,
    link_token: Option<&str>,
) -> Result<(Viewer, LinkState), AppError> {
    let link = match link_token {
        Some(token) => {
            let cookies = headers.get(header::COOKIE).and_then(|h| h.to_str().ok());
            share_links::open(db, token, cookies).await.map_err(AppError::database)?
        }
        None => LinkState::Unknown,
    };
    let opened = match &link {
        LinkState::Open(opened) => Some(opened.clone()),
        LinkState::Unknown | LinkState::Locked(_) => None,
    };
    let language = language_from_headers(user.as_ref(), headers);
    Ok((Viewer { user, link: opened, language }, link))
}

/// The language a request's reader reads captions in: their account's, else the `lang`
/// cookie's, else their browser's, else English (`crate::locale::resolve`).
pub fn language_from_headers(user: Option<&User>, headers: &http::HeaderMap) -> Language {
    let header = |name: header::HeaderName| headers.get(name).and_then(|h| h.to_str().ok());
    locale::resolve(user.and_then(|u| u.language), header(header::COOKIE), header(header::ACCEPT_LANGUAGE))
}

/// The language the caller of a server function reads captions in (see `language_from_headers`).
pub fn reader_language(user: Option<&User>) -> Language {
    let headers = use_context::<Parts>().map(|parts| parts.headers).unwrap_or_default();
    language_from_headers(user, &headers)
}

/// The caller of a server function that anyone may call: the state and the viewer. The state is
/// taken before the first await.
pub async fn viewer(link_token: Option<&str>) -> Result<(AppState, Viewer, LinkState), AppError> {
    let state = app_state()?;
    let (viewer, link) = match use_context::<Parts>() {
        Some(parts) => viewer_of(&state.db, session_user(&state.db, &parts).await?, &parts.headers, link_token).await?,
        None => viewer_of(&state.db, None, &http::HeaderMap::new(), link_token).await?,
    };
    Ok((state, viewer, link))
}

/// The site's origin as browsers see it, for absolute URLs (link previews): `PUBLIC_ORIGIN`
/// when set, else the request's `Host`.
pub fn site_origin() -> String {
    if let Some(origin) = use_context::<AppState>().and_then(|s| s.public_origin.as_deref().map(str::to_owned)) {
        return origin;
    }
    let host = use_context::<Parts>()
        .and_then(|parts| parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_owned))
        .filter(|host| host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')));
    format!("http://{}", host.unwrap_or_else(|| "localhost".to_owned()))
}

/// Adds a `Set-Cookie` to the response.
pub fn add_set_cookie(cookie: String) {
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        expect_context::<ResponseOptions>().append_header(header::SET_COOKIE, value);
    }
}

/// The client's address, as the rate limits key it.
pub async fn client_address() -> String {
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Counts an attempt against the log-in/sign-up limits.
pub async fn check_rate_limit(account: &str) -> Result<(), AppError> {
    let state = app_state()?;
    let client = client_address().await;
    let verdict = super::rate_limit::auth_attempt(&state.db, &client, account, state.auth.attempts_per_minute)
        .await
        .map_err(AppError::internal)?;
    verdict.map_err(|retry_after_secs| {
        tracing::warn!(%client, "authentication attempts rate-limited");
        AppError::RateLimited { retry_after_secs }
    })
}

fn set_status(err: &AppError) {
    if let (Some(response), Ok(status)) =
        (use_context::<ResponseOptions>(), http::StatusCode::from_u16(err.status_code()))
    {
        response.set_status(status);
    }
}

fn accepts_html(parts: &Parts) -> bool {
    parts.headers.get(header::ACCEPT).and_then(|a| a.to_str().ok()).is_some_and(|a| a.contains("text/html"))
}

/// A failure on our side (500, 503): the page being rendered answers with its status, so that no
/// error page says 200. (A server function's error gets its status from `AppError::status_code`
/// in the server's `server_fn_status` middleware; a plain form post keeps its redirect.)
pub fn server_failure(err: AppError) -> AppError {
    let plain_form_post =
        use_context::<Parts>().is_some_and(|parts| parts.method == http::Method::POST && accepts_html(&parts));
    if !plain_form_post {
        set_status(&err);
    }
    err
}

/// Logs the user in: a new session, and its cookie on the response.
pub async fn start_session(user: &User, remember: bool) -> Result<(), AppError> {
    let state = app_state()?;
    let session = sessions::create(&state.db, user.id, remember, &state.auth).await.map_err(AppError::internal)?;
    add_set_cookie(sessions::session_cookie(&session, &state.auth));
    Ok(())
}

/// Logs out: the session is deleted on the server and the cookie cleared.
pub async fn end_session() -> Result<(), AppError> {
    let state = app_state()?;
    if let Some(token) = session_token() {
        sessions::delete(&state.db, &token).await.map_err(AppError::internal)?;
    }
    add_set_cookie(sessions::clearing_cookie(&state.auth));
    Ok(())
}
