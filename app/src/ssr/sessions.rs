//! Server-side sessions. The browser holds a random 256-bit token; the database holds only its
//! SHA-256, so a leaked database cannot be replayed as cookies.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use bson::{doc, oid::ObjectId, DateTime};
use cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use mongodb::Database;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{accounts::User, db::SESSIONS, AuthSettings};

pub const COOKIE_NAME: &str = "captioned_session";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionDoc {
    /// SHA-256 of the token, hex.
    #[serde(rename = "_id")]
    token_hash: String,
    user_id: ObjectId,
    created_at: DateTime,
    /// The TTL index removes the session after this instant.
    expires_at: DateTime,
    persistent: bool,
}

/// A session just created: the token goes into the cookie, never into the database.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub expires_at: DateTime,
    /// "Remember me": the cookie outlives the browser session.
    pub persistent: bool,
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random 256-bit token, URL-safe base64.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn lifetime_ms(settings: &AuthSettings, remember: bool) -> i64 {
    if remember {
        settings.remember_days * 24 * 3600 * 1000
    } else {
        settings.session_hours * 3600 * 1000
    }
}

/// Starts a session with a fresh token (a new one at every log-in: no session fixation).
pub async fn create(
    db: &Database,
    user_id: ObjectId,
    remember: bool,
    settings: &AuthSettings,
) -> mongodb::error::Result<NewSession> {
    create_with_lifetime(db, user_id, remember, lifetime_ms(settings, remember)).await
}

/// As [`create`], with an explicit lifetime: tests use it for expiry.
pub async fn create_with_lifetime(
    db: &Database,
    user_id: ObjectId,
    persistent: bool,
    lifetime_ms: i64,
) -> mongodb::error::Result<NewSession> {
    let token = new_token();
    let now = DateTime::now();
    let expires_at = DateTime::from_millis(now.timestamp_millis() + lifetime_ms);
    let session = SessionDoc { token_hash: hash_token(&token), user_id, created_at: now, expires_at, persistent };
    db.collection::<SessionDoc>(SESSIONS).insert_one(&session).await?;
    Ok(NewSession { token, expires_at, persistent })
}

/// The user a token belongs to, if the session exists and has not expired.
pub async fn user_for_token(db: &Database, token: &str) -> mongodb::error::Result<Option<User>> {
    let session = db
        .collection::<SessionDoc>(SESSIONS)
        .find_one(doc! { "_id": hash_token(token), "expires_at": { "$gt": DateTime::now() } })
        .await?;
    match session {
        Some(session) => super::accounts::find_by_id(db, session.user_id).await,
        None => Ok(None),
    }
}

/// The user whose session cookie is in these request headers, if any.
pub async fn user_from_headers(db: &Database, headers: &http::HeaderMap) -> mongodb::error::Result<Option<User>> {
    let token = headers.get(http::header::COOKIE).and_then(|h| h.to_str().ok()).and_then(token_from_cookie_header);
    match token {
        Some(token) => user_for_token(db, &token).await,
        None => Ok(None),
    }
}

/// Ends a session on the server: the token stops working even if a copy of the cookie survives.
pub async fn delete(db: &Database, token: &str) -> mongodb::error::Result<()> {
    db.collection::<SessionDoc>(SESSIONS).delete_one(doc! { "_id": hash_token(token) }).await?;
    Ok(())
}

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Lax, Path=/, Secure when configured.
/// Without "remember me" it is a browser-session cookie (no Max-Age).
pub fn session_cookie(session: &NewSession, settings: &AuthSettings) -> String {
    let mut cookie = Cookie::build((COOKIE_NAME, session.token.clone()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(settings.cookie_secure);
    if session.persistent {
        cookie = cookie.max_age(CookieDuration::days(settings.remember_days));
    }
    cookie.build().to_string()
}

/// `Set-Cookie` for the language switcher's choice (`crate::locale::LANGUAGE_COOKIE`): a year,
/// HttpOnly (only the server reads it), SameSite=Lax, Path=/.
pub fn language_cookie(language: languages::Language, settings: &AuthSettings) -> String {
    Cookie::build((crate::locale::LANGUAGE_COOKIE, language.code()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(settings.cookie_secure)
        .max_age(CookieDuration::days(365))
        .build()
        .to_string()
}

/// `Set-Cookie` that removes the session cookie.
pub fn clearing_cookie(settings: &AuthSettings) -> String {
    Cookie::build((COOKIE_NAME, ""))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(settings.cookie_secure)
        .max_age(CookieDuration::ZERO)
        .build()
        .to_string()
}

/// The session token in a `Cookie` request header, if any.
pub fn token_from_cookie_header(header: &str) -> Option<String> {
    Cookie::split_parse(header)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE_NAME && !c.value().is_empty())
        .map(|c| c.value().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_long() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), a);
    }

    #[test]
    fn cookie_attributes() {
        let settings = AuthSettings::default();
        let session = NewSession { token: "tok".into(), expires_at: DateTime::now(), persistent: false };
        let cookie = session_cookie(&session, &settings);
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"));
        assert!(!cookie.contains("Secure") && !cookie.contains("Max-Age"));
        let remembered = NewSession { persistent: true, ..session };
        let secure = AuthSettings { cookie_secure: true, ..settings };
        let cookie = session_cookie(&remembered, &secure);
        assert!(cookie.contains("Secure") && cookie.contains("Max-Age=2592000"), "{cookie}");
        assert!(clearing_cookie(&secure).contains("Max-Age=0"));
    }

    #[test]
    fn token_is_read_from_the_cookie_header() {
        assert_eq!(token_from_cookie_header("a=1; captioned_session=xyz; b=2"), Some("xyz".into()));
        assert_eq!(token_from_cookie_header("a=1"), None);
        assert_eq!(token_from_cookie_header("captioned_session="), None);
    }
}
