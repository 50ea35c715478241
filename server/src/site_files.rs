//! The site's own files (wasm, JS, CSS, icons) from `LEPTOS_SITE_ROOT`, and the not-found page for
//! any other path. A release build writes a brotli and a gzip copy beside each file
//! (`cargo leptos build --release --precompress`), and leptos_axum's handler sends the one that
//! the request accepts.

use app::{shell, ssr::AppState};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Uri},
    response::Response,
};

/// leptos_axum's file handler, plus `Vary: Accept-Encoding`, which it leaves out: without it a
/// shared cache could keep the brotli copy and hand it to a client that cannot read it.
pub async fn site_file(uri: Uri, state: State<AppState>, request: Request<Body>) -> Response {
    let mut response = leptos_axum::file_and_error_handler::<AppState, _>(shell)(uri, state, request).await;
    response.headers_mut().append(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}
