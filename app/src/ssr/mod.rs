//! Server-only code that the server functions call: database access, accounts, sessions, photos,
//! the caption queue, sharing and abuse limits. Compiled only with the `ssr` feature, so none of it reaches the browser.

pub mod access;
pub mod accounts;
pub mod caption_jobs;
pub mod db;
pub mod imaging;
pub mod likes;
pub mod page_code;
pub mod photos;
pub mod rate_limit;
pub mod request;
pub mod security;
pub mod sessions;
pub mod share_links;
pub mod sharing;
pub mod upload_gate;

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::{use_context, LeptosOptions};

use crate::error::AppError;

/// Account and session settings, read from the environment by the server's configuration.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Mark the session cookie `Secure`: on whenever the site is served over HTTPS.
    pub cookie_secure: bool,
    /// A browser-session login also ends on the server after this long.
    pub session_hours: i64,
    /// A "remember me" login lasts this long.
    pub remember_days: i64,
    /// Log-in and sign-up attempts allowed per minute at one account from one address (three
    /// times as many from one address); see `rate_limit` for the back-off after that.
    pub attempts_per_minute: u32,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self { cookie_secure: false, session_hours: 12, remember_days: 30, attempts_per_minute: 10 }
    }
}

/// Everything a request handler or server function needs, shared by all requests.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: mongodb::Database,
    pub auth: Arc<AuthSettings>,
    pub upload_settings: Arc<upload_gate::UploadSettings>,
    pub uploads: Arc<upload_gate::UploadGate>,
    /// Wakes this process's caption workers when a job is queued (workers elsewhere find it by
    /// polling).
    pub caption_queued: Arc<tokio::sync::Notify>,
    /// `PUBLIC_ORIGIN`: the origin browsers see, for absolute URLs in link previews.
    pub public_origin: Option<String>,
}

impl AppState {
    pub fn new(
        leptos_options: LeptosOptions,
        db: mongodb::Database,
        auth: AuthSettings,
        uploads: upload_gate::UploadSettings,
    ) -> Self {
        Self {
            leptos_options,
            db,
            auth: Arc::new(auth),
            uploads: Arc::new(upload_gate::UploadGate::new(&uploads)),
            upload_settings: Arc::new(uploads),
            caption_queued: Arc::new(tokio::sync::Notify::new()),
            public_origin: None,
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state, inside a server function (leptos_axum provides it as context). Take it before the
/// function's first `.await`: a page's resource can still be running after its render was
/// replaced (a redirect, a re-render), and by then the context is gone.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("AppState is not in the context"))
}
