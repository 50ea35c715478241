//! What a server function knows of the request it serves: the caller's session, address and
//! cookies. leptos_axum puts the request parts and the response options in the context.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use http::{header, request::Parts, HeaderValue};
use leptos::prelude::{expect_context, use_context};
use leptos_axum::ResponseOptions;

use super::{accounts::User, app_state, sessions};
use crate::error::AppError;

fn session_token() -> Option<String> {
    let parts = use_context::<Parts>()?;
    let header = parts.headers.get(header::COOKIE)?.to_str().ok()?;
    sessions::token_from_cookie_header(header)
}

/// The logged-in user, or `None` for a visitor (or an expired or ended session).
pub async fn current_user() -> Result<Option<User>, AppError> {
    let Some(parts) = use_context::<Parts>() else { return Ok(None) };
    let state = app_state()?;
    sessions::user_from_headers(&state.db, &parts.headers).await.map_err(AppError::internal)
}

/// The logged-in user, or `Unauthorized` for a visitor.
pub async fn require_user() -> Result<User, AppError> {
    current_user().await?.ok_or(AppError::Unauthorized)
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
    state.limiter.check(&client, account).map_err(|retry_after_secs| {
        tracing::warn!(%client, "authentication attempts rate-limited");
        AppError::RateLimited { retry_after_secs }
    })
}

/// Gives an error response its proper status (422, 401, 429…) for the page's own calls. A plain
/// form post keeps the redirect back to its page that leptos_axum answers it with.
pub fn with_status(err: AppError) -> AppError {
    let plain_form_post = use_context::<Parts>()
        .and_then(|parts| parts.headers.get(header::ACCEPT)?.to_str().ok().map(|a| a.contains("text/html")))
        .unwrap_or(false);
    if !plain_form_post {
        if let (Some(response), Ok(status)) =
            (use_context::<ResponseOptions>(), http::StatusCode::from_u16(err.status_code()))
        {
            response.set_status(status);
        }
    }
    err
}

fn add_set_cookie(cookie: String) {
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        expect_context::<ResponseOptions>().append_header(header::SET_COOKIE, value);
    }
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
