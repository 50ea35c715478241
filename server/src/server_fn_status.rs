//! Server-function errors answer with their own status. server_fn answers every error with 500;
//! this middleware gives each the status its `AppError` names (422, 401, 404, 429, and 400 for a
//! request that never reached its function: malformed, missing or duplicated fields, bad
//! encoding), so that no function has to set its status by hand.

use app::error::AppError;
use axum::{
    body::Body,
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};

/// server_fn marks its error responses with this header.
const SERVER_FN_ERROR_HEADER: &str = "serverfnerror";
/// An encoded `AppError` is small; anything larger is left alone.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn error_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}
