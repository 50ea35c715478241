//! `GET /healthz`: 200 when the database answers, 503 when it does not.

use app::ssr::{db, AppState};
use axum::{extract::State, http::StatusCode};

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if db::is_reachable(&state.db).await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}
