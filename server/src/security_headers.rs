//! Security headers on every response: the Content-Security-Policy (a page sets its own, with its
//! nonce, while it renders; everything else gets the closed one), no framing, no MIME sniffing, a
//! referrer policy, a permissions policy, HSTS when the site is served over HTTPS, and `no-store`
//! for the pages and data answered to a logged-in browser, so that no cache keeps a user's pages.

use app::ssr::{security::NON_PAGE_POLICY, sessions};
use axum::{
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};

/// Whether the site is served over HTTPS (its public origin is `https://…`): then browsers are
/// told to use nothing else.
#[derive(Clone, Copy)]
pub struct Https(pub bool);

pub async fn add_security_headers(State(Https(https)): State<Https>, request: Request, next: Next) -> Response {
    let signed_in = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|cookies| sessions::token_from_cookie_header(cookies).is_some());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(headers, header::CONTENT_SECURITY_POLICY, NON_PAGE_POLICY);
    }
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    set(headers, header::HeaderName::from_static("permissions-policy"), PERMISSIONS_POLICY);
    set(headers, header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    if https {
        set(headers, header::STRICT_TRANSPORT_SECURITY, "max-age=63072000; includeSubDomains");
    }
    // Pages and data answered to a logged-in browser are that user's: no cache keeps them. The
    // site's own files (wasm, JS, CSS) and the images, which say how they may be cached, keep that.
    let users_data = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"));
    if signed_in && users_data && !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    response
}

/// Nothing on this site uses the camera, the microphone, the location or payments.
const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
