//! The one error type of every server function. It crosses the wire (JSON), so the page can show
//! each message where it belongs, also after a plain form post without JavaScript.

use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// What the sign-up form gets back when something is wrong: a message per field and what was
/// typed (never the passwords), so that the form can be shown again as it was.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupProblems {
    pub username: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub password_confirmation: Option<String>,
    pub typed_username: String,
    pub typed_email: String,
}

impl SignupProblems {
    pub fn is_empty(&self) -> bool {
        self.username.is_none()
            && self.email.is_none()
            && self.password.is_none()
            && self.password_confirmation.is_none()
    }
}

/// What a malformed request is told, whatever was wrong with it.
pub const MALFORMED_REQUEST: &str = "This request could not be understood. Please reload the page and try again.";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please correct the fields marked below.")]
    /// Boxed: every server function returns this type, and the form is the one large variant.
    InvalidSignup(Box<SignupProblems>),
    /// The same message for an unknown email and a wrong password: no account enumeration.
    #[error("Incorrect email or password.")]
    BadCredentials { typed_email: String },
    #[error("Too many attempts, try again in {retry_after_secs} s.")]
    RateLimited { retry_after_secs: u64 },
    #[error("Please log in to continue.")]
    Unauthorized,
    #[error("This request did not come from this site.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    /// Something typed that does not pass its domain rule; the message says what to change.
    #[error("{0}")]
    Invalid(String),
    /// A request that is not well-formed; the message is ours, never a parser's.
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("Your storage is full: {used_mb} MB of your {quota_mb} MB are used. Delete some photos to make room.")]
    QuotaExceeded { used_mb: u64, quota_mb: u64 },
    /// A photo that passed every check but could not be written; nothing of it was kept.
    #[error("The photo could not be stored. Please try again.")]
    NotStored,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The database cannot be reached: a passing outage, worth trying again.
    #[error("Captioned cannot reach its database right now. Please try again in a moment.")]
    Unavailable,
    #[error("The upload took too long. Please try again.")]
    TimedOut,
    /// Transport and encoding failures reported by the server-function machinery.
    #[error("{0}")]
    ServerFn(String),
}

impl AppError {
    /// The HTTP status that goes with the error, for responses outside server functions and
    /// for server functions that set their status.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::InvalidSignup(_) | AppError::Invalid(_) => 422,
            AppError::BadRequest(_) => 400,
            AppError::PayloadTooLarge(_) | AppError::QuotaExceeded { .. } => 413,
            AppError::UnsupportedMediaType(_) => 415,
            AppError::BadCredentials { .. } | AppError::Unauthorized => 401,
            AppError::RateLimited { .. } => 429,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::TimedOut => 408,
            AppError::NotStored | AppError::Internal | AppError::ServerFn(_) => 500,
            AppError::Unavailable => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A request the server could not read (missing, duplicated or malformed fields, bad
            // encoding): the client's fault, and the parser's words stay in the log.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_) => {
                #[cfg(feature = "ssr")]
                tracing::info!(error = %value, "malformed request to a server function");
                AppError::BadRequest(MALFORMED_REQUEST.to_owned())
            }
            other => AppError::ServerFn(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// Logs the real cause and hides it from the user; the response (a page being rendered, or a
    /// server function) gets status 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        crate::ssr::request::server_failure(AppError::Internal)
    }

    /// A database error: 503 when the database cannot be reached (it may come back), else 500.
    pub fn database(error: mongodb::error::Error) -> Self {
        use mongodb::error::ErrorKind;
        match error.kind.as_ref() {
            ErrorKind::ServerSelection { .. } | ErrorKind::Io(_) | ErrorKind::ConnectionPoolCleared { .. } => {
                tracing::error!(%error, "the database cannot be reached");
                crate::ssr::request::server_failure(AppError::Unavailable)
            }
            _ => AppError::internal(error),
        }
    }
}

/// The plain HTTP routes (uploads, images) answer with the same errors as the server functions:
/// their status and `{"error": message}`.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.status_code()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(serde_json::json!({ "error": self.to_string() }))).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_human() {
        assert_eq!(AppError::RateLimited { retry_after_secs: 42 }.to_string(), "Too many attempts, try again in 42 s.");
        assert_eq!(AppError::BadCredentials { typed_email: "x".into() }.to_string(), "Incorrect email or password.");
    }

    #[test]
    fn errors_round_trip_through_the_wire_encoding() {
        let err = AppError::InvalidSignup(Box::new(SignupProblems {
            email: Some("taken".into()),
            typed_email: "a@b.co".into(),
            ..Default::default()
        }));
        assert_eq!(AppError::de(err.ser()), err);
    }
}
