//! The security headers' policies: one Content-Security-Policy for pages, built on the nonce that
//! leptos_axum puts on the page's own scripts, and a closed one for everything else. The server's
//! middleware (`server::security_headers`) sends them with the other headers on every response.

use http::{header, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// A page may run only its own scripts: the wasm bundle from this site, and the inline scripts
/// that carry this response's nonce (hydration, resources). Nothing inline without the nonce,
/// no plugins, no framing, no other origins.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Images, JSON and files: nothing in them may run or load anything.
pub const NON_PAGE_POLICY: &str = "default-src 'none'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Called while a page renders: puts the page's policy, with this response's nonce, on it.
pub fn set_page_policy() {
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<ResponseOptions>()) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce.to_string())) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_policy_allows_only_the_nonce_and_the_sites_own_scripts() {
        let policy = page_policy("abc123");
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.contains("object-src 'none'"));
    }
}
