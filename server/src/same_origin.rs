//! Cross-site request forgery defence: a request that changes state must come from a page of
//! this site. Browsers send `Origin` with every POST; older ones send at least `Referer`.

use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Whether a request with these headers came from this site. `origin` (or, failing that, the
/// origin of `referer`) must name the host the request was sent to, or the configured public
/// origin.
pub fn is_same_origin(
    origin: Option<&str>,
    referer: Option<&str>,
    host: Option<&str>,
    public_origin: Option<&str>,
) -> bool {
    let source = match (origin, referer) {
        (Some(origin), _) if origin != "null" => origin.trim_end_matches('/').to_owned(),
        (_, Some(referer)) => match origin_of_url(referer) {
            Some(origin) => origin,
            None => return false,
        },
        _ => return false,
    };
    if public_origin.is_some_and(|public| public.eq_ignore_ascii_case(&source)) {
        return true;
    }
    let Some(host) = host else { return false };
    let Some(source_host) = source.strip_prefix("http://").or_else(|| source.strip_prefix("https://")) else {
        return false;
    };
    source_host.eq_ignore_ascii_case(host)
}

/// `scheme://host[:port]` of an absolute URL.
fn origin_of_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("{scheme}://{authority}"))
}

/// Middleware: rejects state-changing requests (anything but GET, HEAD, OPTIONS) from elsewhere.
pub async fn require_same_origin(
    State(public_origin): State<Option<String>>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let get = |name| headers.get(name).and_then(|v: &header::HeaderValue| v.to_str().ok());
    if is_same_origin(get(header::ORIGIN), get(header::REFERER), get(header::HOST), public_origin.as_deref()) {
        next.run(request).await
    } else {
        tracing::warn!(origin = ?get(header::ORIGIN), "cross-origin request refused");
        (StatusCode::FORBIDDEN, "This request did not come from this site.").into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::is_same_origin;

    #[test]
    fn same_host_passes() {
        assert!(is_same_origin(Some("http://127.0.0.1:3000"), None, Some("127.0.0.1:3000"), None));
        assert!(is_same_origin(None, Some("http://127.0.0.1:3000/login?x"), Some("127.0.0.1:3000"), None));
        assert!(is_same_origin(
            Some("https://photos.example.com"),
            None,
            Some("internal:8080"),
            Some("https://photos.example.com")
        ));
    }

    #[test]
    fn other_origins_fail() {
        assert!(!is_same_origin(Some("http://evil.example"), None, Some("127.0.0.1:3000"), None));
        assert!(!is_same_origin(Some("http://127.0.0.1:3001"), None, Some("127.0.0.1:3000"), None));
        assert!(!is_same_origin(Some("null"), None, Some("127.0.0.1:3000"), None));
        assert!(!is_same_origin(None, None, Some("127.0.0.1:3000"), None));
        assert!(!is_same_origin(None, Some("http://evil.example/127.0.0.1:3000"), Some("127.0.0.1:3000"), None));
        // a host that merely starts like ours
        assert!(!is_same_origin(Some("http://127.0.0.1:3000.evil.example"), None, Some("127.0.0.1:3000"), None));
    }
}
