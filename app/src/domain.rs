//! Domain values that parse and validate what people type. Shared by both sides, so that the
//! rules live in one place; the server is the one that enforces them.

use serde::{Deserialize, Serialize};

use crate::error::Problem;

pub const USERNAME_MIN: usize = 2;
pub const USERNAME_MAX: usize = 30;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;
pub const CAPTION_MAX: usize = 300;
pub const DISPLAY_NAME_MAX: usize = 50;
pub const BIO_MAX: usize = 300;
pub const LINK_PASSWORD_MAX: usize = 128;

/// A public handle (it will be in profile URLs): 2 to 30 ASCII letters, digits, `.`, `_` or `-`.
/// ASCII only, so that no two handles look alike: a Cyrillic `а` or a full-width `ａ` beside
/// `alice` would be an impersonation, and Unicode has thousands of such lookalikes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let name = raw.trim();
        let len = name.chars().count();
        if len < USERNAME_MIN {
            return Err(Problem::UsernameTooShort);
        }
        if len > USERNAME_MAX {
            return Err(Problem::UsernameTooLong);
        }
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
            return Err(Problem::UsernameCharacters);
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form under which uniqueness is enforced: `Alice` and `alice` are one account.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// An email address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(Problem::EmailMissing);
        }
        if email.len() > 254 {
            return Err(Problem::EmailTooLong);
        }
        // `email_address` follows RFC 5322; on top of it we want a dotted domain, which is what
        // a deliverable address has (the RFC allows `user@localhost`).
        let valid = email_address::EmailAddress::parse_with_options(
            &email,
            email_address::Options::default().without_display_text(),
        )
        .map(|addr| {
            let domain = addr.domain();
            domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.starts_with('[')
        })
        .unwrap_or(false);
        if !valid {
            return Err(Problem::EmailInvalid);
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 8 to 128 characters. Never stored; only its argon2id hash is.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let len = raw.chars().count();
        if len < PASSWORD_MIN {
            return Err(Problem::PasswordTooShort);
        }
        if len > PASSWORD_MAX {
            return Err(Problem::PasswordTooLong);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A caption the owner writes: one line of 1 to 300 characters, spaces collapsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caption(String);

impl Caption {
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let caption = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if caption.is_empty() {
            return Err(Problem::CaptionMissing);
        }
        if caption.chars().count() > CAPTION_MAX {
            return Err(Problem::CaptionTooLong);
        }
        if caption.chars().any(char::is_control) {
            return Err(Problem::CaptionControlCharacters);
        }
        Ok(Self(caption))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The name on a public profile: one line of at most 50 characters; empty means "use the
/// username".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Option<Self>, Problem> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.chars().count() > DISPLAY_NAME_MAX {
            return Err(Problem::DisplayNameTooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(Problem::DisplayNameControlCharacters);
        }
        Ok((!name.is_empty()).then_some(Self(name)))
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A profile's short bio: plain text (shown as text, never as markup) of at most 300 characters;
/// line breaks are kept, other control characters refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bio(String);

impl Bio {
    pub fn parse(raw: &str) -> Result<Option<Self>, Problem> {
        let bio = raw.replace("\r\n", "\n");
        let bio = bio.trim();
        if bio.chars().count() > BIO_MAX {
            return Err(Problem::BioTooLong);
        }
        if bio.chars().any(|c| c.is_control() && c != '\n') {
            return Err(Problem::BioControlCharacters);
        }
        Ok((!bio.is_empty()).then(|| Self(bio.to_owned())))
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The optional password of a share link: empty for none, else 4 to 128 characters (a link's
/// password guards one photo and is shared by word of mouth, so it may be short; guesses are
/// rate-limited).
pub fn parse_link_password(raw: &str) -> Result<Option<String>, Problem> {
    match raw.chars().count() {
        0 => Ok(None),
        1..=3 => Err(Problem::LinkPasswordTooShort),
        n if n > LINK_PASSWORD_MAX => Err(Problem::LinkPasswordTooLong),
        _ => Ok(Some(raw.to_owned())),
    }
}

/// Where to go after logging in: only a path on this site, so that a crafted link cannot send
/// someone to another site (an open redirect).
pub fn safe_next_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/dashboard".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(Username::parse(" al ").unwrap().as_str(), "al");
        assert_eq!(Username::parse("Jo.Doe_-9").unwrap().key(), "jo.doe_-9");
        assert!(Username::parse("a").is_err());
        assert!(Username::parse(&"a".repeat(31)).is_err());
        assert!(Username::parse(&"a".repeat(30)).is_ok());
        assert!(Username::parse("has space").is_err());
        assert!(Username::parse("semi;colon").is_err());
        assert!(Username::parse("<script>").is_err());
        // lookalikes of `alice`: Cyrillic а, full-width ａ, Greek ο in `bob`
        for lookalike in ["\u{430}lice", "\u{ff41}lice", "b\u{3bf}b", "ali\u{441}e"] {
            assert_eq!(Username::parse(lookalike).unwrap_err(), Problem::UsernameCharacters, "{lookalike} accepted");
        }
    }

    #[test]
    fn emails_are_lower_cased_and_validated() {
        assert_eq!(Email::parse("  Ann@Example.COM ").unwrap().as_str(), "ann@example.com");
        for bad in
            ["", "ann", "ann@", "@example.com", "ann@localhost", "ann@example.", "a b@example.com", "ann@@example.com"]
        {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }

    #[test]
    fn passwords() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"x".repeat(128)).is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        // characters, not bytes
        assert!(Password::parse("ééééééé").is_err());
        assert_eq!(format!("{:?}", Password::parse("secret-pass").unwrap()), "Password(***)");
    }

    #[test]
    fn captions_are_one_tidy_line() {
        assert_eq!(Caption::parse("  A dog\n on  the beach ").unwrap().as_str(), "A dog on the beach");
        assert!(Caption::parse(" \t\n").is_err());
        assert!(Caption::parse(&"é".repeat(300)).is_ok());
        assert!(Caption::parse(&"é".repeat(301)).is_err());
        assert!(Caption::parse("bell\u{7}").is_err());
    }

    #[test]
    fn profile_texts() {
        assert_eq!(DisplayName::parse("  Ann \n Lee ").unwrap().unwrap().into_string(), "Ann Lee");
        assert_eq!(DisplayName::parse("   ").unwrap(), None);
        assert!(DisplayName::parse(&"é".repeat(51)).is_err());
        assert_eq!(
            Bio::parse(" I take photos.\r\nOf dogs. ").unwrap().unwrap().into_string(),
            "I take photos.\nOf dogs."
        );
        assert_eq!(Bio::parse("").unwrap(), None);
        assert!(Bio::parse(&"é".repeat(301)).is_err());
        assert!(Bio::parse("bell\u{7}").is_err());
        // markup is just text: it is escaped wherever it is shown
        assert!(Bio::parse("<script>alert(1)</script>").unwrap().is_some());
    }

    #[test]
    fn link_passwords() {
        assert_eq!(parse_link_password(""), Ok(None));
        assert!(parse_link_password("abc").is_err());
        assert_eq!(parse_link_password("abcd"), Ok(Some("abcd".into())));
        assert!(parse_link_password(&"x".repeat(129)).is_err());
    }

    #[test]
    fn next_path_stays_on_site() {
        assert_eq!(safe_next_path(Some("/dashboard?x=1")), "/dashboard?x=1");
        assert_eq!(safe_next_path(Some("//evil.example")), "/dashboard");
        assert_eq!(safe_next_path(Some("https://evil.example")), "/dashboard");
        assert_eq!(safe_next_path(Some("/\\evil.example")), "/dashboard");
        assert_eq!(safe_next_path(None), "/dashboard");
    }
}
