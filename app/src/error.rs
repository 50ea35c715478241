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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please correct the fields marked below.")]
    InvalidSignup(SignupProblems),
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
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
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
            AppError::BadCredentials { .. } | AppError::Unauthorized => 401,
            AppError::RateLimited { .. } => 429,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Internal | AppError::ServerFn(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// Logs the real cause and hides it from the user.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        AppError::Internal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_human() {
        assert_eq!(
            AppError::RateLimited { retry_after_secs: 42 }.to_string(),
            "Too many attempts, try again in 42 s."
        );
        assert_eq!(
            AppError::BadCredentials { typed_email: "x".into() }.to_string(),
            "Incorrect email or password."
        );
    }

    #[test]
    fn errors_round_trip_through_the_wire_encoding() {
        let err = AppError::InvalidSignup(SignupProblems {
            email: Some("taken".into()),
            typed_email: "a@b.co".into(),
            ..Default::default()
        });
        assert_eq!(AppError::de(err.ser()), err);
    }
}
