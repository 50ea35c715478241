//! Decides the language of a page once per request, before it is rendered: the reader's account
//! setting, else the `lang` cookie, else `Accept-Language`, else English (`app::locale`). The
//! shell writes it to `<html lang dir>` and every component reads its texts in it
//! (`app::i18n::page_language`). Only requests for pages look the session up, and the user it
//! finds serves the page's own lookups (`request::SessionUser`).

use app::ssr::{request, sessions};
use axum::{
    extract::{Request, State},
    http::header,
    middleware::Next,
    response::Response,
};

/// A browser asking for a page (a navigation, or a form posted without JavaScript).
fn wants_page(request: &Request) -> bool {
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

pub async fn resolve(State(db): State<mongodb::Database>, mut request: Request, next: Next) -> Response {
    if wants_page(&request) {
        let user = sessions::user_from_headers(&db, request.headers()).await;
        // A database that cannot be reached leaves the account out; the page says so itself.
        let language = request::language_from_headers(user.as_ref().ok().and_then(Option::as_ref), request.headers());
        request.extensions_mut().insert(language);
        if let Ok(user) = user {
            // the page's server functions reuse it (`request::current_user`)
            request.extensions_mut().insert(request::SessionUser(user));
        }
    }
    next.run(request).await
}
