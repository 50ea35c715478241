//! The one error type of every server function. It crosses the wire (JSON), so the page can show
//! each message where it belongs, also after a plain form post without JavaScript.

use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// What the sign-up form gets back when something is wrong: a problem per field and what was
/// typed (never the passwords), so that the form can be shown again as it was.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupProblems {
    pub username: Option<Problem>,
    pub email: Option<Problem>,
    pub password: Option<Problem>,
    pub password_confirmation: Option<Problem>,
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

/// What is wrong with something a user sent, as a code: the page that shows it says it in the
/// reader's language (`crate::i18n::errors`); logs and the plain routes' JSON say it in English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    UsernameTooShort,
    UsernameTooLong,
    UsernameCharacters,
    UsernameTaken,
    EmailMissing,
    EmailTooLong,
    EmailInvalid,
    EmailTaken,
    PasswordTooShort,
    PasswordTooLong,
    PasswordsDiffer,
    CaptionMissing,
    CaptionTooLong,
    CaptionControlCharacters,
    DisplayNameTooLong,
    DisplayNameControlCharacters,
    BioTooLong,
    BioControlCharacters,
    LinkPasswordTooShort,
    LinkPasswordTooLong,
    WrongLinkPassword,
    ChooseLanguage,
    ChooseCaptionLanguage,
    ChooseVisibility,
    ChooseDefaultVisibility,
    ChooseLinkExpiry,
    TooManyPhotosAtOnce,
    /// A request that is not well-formed (whatever the parser said stays in the log).
    MalformedRequest,
    UploadUnreadable,
    NoFile,
    /// An uploaded file that is not a photo we take, and which file it was.
    Image {
        file: String,
        rejection: ImageRejection,
    },
}

/// Why an uploaded file is refused, before or while it is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageRejection {
    Empty,
    TooLarge,
    UnsupportedFormat,
    TooManyPixels {
        width: u32,
        height: u32,
    },
    Corrupt,
    /// A frame (of an animation) larger than the image it belongs to: a memory bomb.
    OversizedFrame,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&(crate::i18n::EN.errors.problem)(self))
    }
}

impl std::fmt::Display for ImageRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&(crate::i18n::EN.errors.image)(*self))
    }
}

impl std::error::Error for ImageRejection {}

/// Every error a server function returns. `Display` is the English message (logs, the plain
/// routes' JSON); pages show [`AppError::message`] in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// Boxed: every server function returns this type, and the form is the one large variant.
    InvalidSignup(Box<SignupProblems>),
    /// The same message for an unknown email and a wrong password: no account enumeration.
    BadCredentials {
        typed_email: String,
    },
    RateLimited {
        retry_after_secs: u64,
    },
    Unauthorized,
    Forbidden,
    NotFound,
    /// Something typed that does not pass its domain rule; the problem says what to change.
    Invalid(Problem),
    /// A request that is not well-formed.
    BadRequest(Problem),
    PayloadTooLarge(Problem),
    UnsupportedMediaType(Problem),
    QuotaExceeded {
        used_mb: u64,
        quota_mb: u64,
    },
    /// A photo that passed every check but could not be written; nothing of it was kept.
    NotStored,
    Internal,
    /// The database cannot be reached: a passing outage, worth trying again.
    Unavailable,
    TimedOut,
    /// Transport and encoding failures reported by the server-function machinery (the browser
    /// could not reach the server, or could not read its answer); the detail is for logs.
    ServerFn(String),
}

impl AppError {
    /// What the page says, in the reader's language.
    pub fn message(&self, texts: &crate::i18n::Texts) -> String {
        (texts.errors.app_error)(self)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The transport's own words, for the logs.
            AppError::ServerFn(detail) => f.write_str(detail),
            other => f.write_str(&other.message(&crate::i18n::EN)),
        }
    }
}

impl std::error::Error for AppError {}

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
                AppError::BadRequest(Problem::MalformedRequest)
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
/// their status and `{"error": message, "app_error": the error}`.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.status_code()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        // `error` in English for scripts, `app_error` for the uploader to say in the reader's language.
        (status, axum::Json(serde_json::json!({ "error": self.to_string(), "app_error": self }))).into_response()
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
            email: Some(Problem::EmailTaken),
            typed_email: "a@b.co".into(),
            ..Default::default()
        }));
        assert_eq!(AppError::de(err.ser()), err);
    }
}
