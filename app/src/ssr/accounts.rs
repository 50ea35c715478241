//! Accounts: creation with an argon2id password hash, and credential checks.

use languages::Language;
use std::sync::OnceLock;

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use bson::{doc, oid::ObjectId, DateTime};
use mongodb::Database;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};

use super::db::USERS;
use crate::{
    domain::{Bio, DisplayName, Email, Password, Username},
    photo_view::{AccountSettings, OwnerCard, Visibility},
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub username: String,
    /// Lower-cased username; the unique index is on it.
    pub username_key: String,
    /// Stored lower-cased.
    pub email: String,
    pub password_hash: String,
    pub created_at: DateTime,
    /// Shown on the public profile instead of the username when set.
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub bio: Option<String>,
    /// The visibility of new uploads.
    #[serde(default)]
    pub default_visibility: Visibility,
    /// Whether `/u/{username}` shows the profile to others (else it answers 404).
    #[serde(default = "profile_public_by_default")]
    pub profile_public: bool,
    /// The language they read captions in, chosen with the header's switcher while logged in
    /// (`None`: the `lang` cookie's, else their browser's; see `crate::locale`).
    #[serde(default)]
    pub language: Option<Language>,
}

fn profile_public_by_default() -> bool {
    true
}

impl User {
    /// How others see who shared a photo.
    pub fn card(&self) -> OwnerCard {
        OwnerCard {
            username: self.username.clone(),
            name: self.display_name.clone().unwrap_or_else(|| self.username.clone()),
            has_profile: self.profile_public,
        }
    }

    pub fn settings(&self) -> AccountSettings {
        AccountSettings {
            display_name: self.display_name.clone().unwrap_or_default(),
            bio: self.bio.clone().unwrap_or_default(),
            default_visibility: self.default_visibility,
            profile_public: self.profile_public,
        }
    }
}

pub struct NewAccount {
    pub username: Username,
    pub email: Email,
    pub password: Password,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateAccountError {
    #[error("email or username already taken")]
    Taken { email: bool, username: bool },
    #[error(transparent)]
    Database(#[from] mongodb::error::Error),
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// OWASP's recommended argon2id cost: 19 MiB, 2 iterations, 1 lane.
fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19 * 1024, 2, 1, None).expect("valid argon2 params"))
}

/// Hashes on a blocking thread: one hash takes tens of milliseconds of CPU, which must not stall
/// the async runtime.
pub async fn hash_password(password: &Password) -> Result<String, String> {
    hash_secret(password.expose()).await
}

/// An argon2id hash of any secret (an account's password, a share link's password).
pub async fn hash_secret(secret: &str) -> Result<String, String> {
    let password = secret.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Whether `password` matches an argon2id hash; on a blocking thread.
pub async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password, verified against when the email is unknown, so that a wrong
/// email costs the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        hasher().hash_password(b"no account has this password", &salt).expect("hash").to_string()
    })
}

fn users(db: &Database) -> mongodb::Collection<User> {
    db.collection(USERS)
}

async fn which_taken(db: &Database, email: &Email, username: &Username) -> mongodb::error::Result<(bool, bool)> {
    let email_taken = users(db).count_documents(doc! { "email": email.as_str() }).limit(1).await? > 0;
    let username_taken = users(db).count_documents(doc! { "username_key": username.key() }).limit(1).await? > 0;
    Ok((email_taken, username_taken))
}

pub async fn create_account(db: &Database, account: NewAccount) -> Result<User, CreateAccountError> {
    // Checked first so that both fields can be reported at once and no hash is wasted; the
    // unique indexes still decide when two sign-ups race.
    let (email, username) = which_taken(db, &account.email, &account.username).await?;
    if email || username {
        return Err(CreateAccountError::Taken { email, username });
    }
    let password_hash = hash_password(&account.password).await.map_err(CreateAccountError::Hashing)?;
    let user = User {
        id: ObjectId::new(),
        username: account.username.as_str().to_owned(),
        username_key: account.username.key(),
        email: account.email.as_str().to_owned(),
        password_hash,
        created_at: DateTime::now(),
        display_name: None,
        bio: None,
        default_visibility: Visibility::Private,
        profile_public: true,
        language: None,
    };
    match users(db).insert_one(&user).await {
        Ok(_) => Ok(user),
        Err(err) if is_duplicate_key(&err) => {
            let (email, username) = which_taken(db, &account.email, &account.username).await?;
            Err(CreateAccountError::Taken { email, username: username || !email })
        }
        Err(err) => Err(err.into()),
    }
}

pub fn is_duplicate_key(err: &mongodb::error::Error) -> bool {
    use mongodb::error::{ErrorKind, WriteFailure};
    match err.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(e)) => e.code == 11000,
        ErrorKind::Command(e) => e.code == 11000,
        _ => err.to_string().contains("E11000"),
    }
}

/// The account for this email and password, or `None` for a wrong email or a wrong password,
/// which take about the same time.
pub async fn verify_credentials(db: &Database, email: &str, password: &str) -> mongodb::error::Result<Option<User>> {
    let email = email.trim().to_lowercase();
    let user = users(db).find_one(doc! { "email": &email }).await?;
    let hash = user.as_ref().map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
    let ok = verify_password(password, &hash).await;
    Ok(user.filter(|_| ok))
}

pub async fn find_by_id(db: &Database, id: ObjectId) -> mongodb::error::Result<Option<User>> {
    users(db).find_one(doc! { "_id": id }).await
}

/// The account with this username, in any letter case.
pub async fn find_by_username(db: &Database, username: &str) -> mongodb::error::Result<Option<User>> {
    users(db).find_one(doc! { "username_key": username.to_lowercase() }).await
}

/// The accounts of `ids`, by id (the owners of a page of photos, in one query).
pub async fn find_many(
    db: &Database,
    ids: impl IntoIterator<Item = ObjectId>,
) -> mongodb::error::Result<std::collections::HashMap<ObjectId, User>> {
    use futures::TryStreamExt;
    let ids: Vec<ObjectId> = ids.into_iter().collect::<std::collections::HashSet<_>>().into_iter().collect();
    let found: Vec<User> = users(db).find(doc! { "_id": { "$in": ids } }).await?.try_collect().await?;
    Ok(found.into_iter().map(|u| (u.id, u)).collect())
}

/// Saves the profile and upload settings (already validated).
pub async fn save_settings(
    db: &Database,
    id: ObjectId,
    display_name: Option<DisplayName>,
    bio: Option<Bio>,
    default_visibility: Visibility,
    profile_public: bool,
) -> mongodb::error::Result<()> {
    users(db)
        .update_one(
            doc! { "_id": id },
            doc! { "$set": {
                "display_name": display_name.map(DisplayName::into_string),
                "bio": bio.map(Bio::into_string),
                "default_visibility": default_visibility.as_str(),
                "profile_public": profile_public,
            } },
        )
        .await?;
    Ok(())
}

/// Saves the language the user reads captions in.
pub async fn save_language(db: &Database, id: ObjectId, language: Language) -> mongodb::error::Result<()> {
    users(db).update_one(doc! { "_id": id }, doc! { "$set": { "language": language.code() } }).await?;
    Ok(())
}

/// Computes the dummy hash ahead of the first log-in, so that the first wrong email is not
/// slower than the others.
pub async fn warm_up() {
    let _ = tokio::task::spawn_blocking(dummy_hash).await;
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An account as stored, for tests of rules that need one.
    pub(crate) fn user_named(username: &str) -> User {
        User {
            id: ObjectId::new(),
            username: username.to_owned(),
            username_key: username.to_lowercase(),
            email: format!("{username}@example.com"),
            password_hash: String::new(),
            created_at: DateTime::from_millis(0),
            display_name: None,
            bio: None,
            default_visibility: Visibility::Private,
            profile_public: true,
            language: None,
        }
    }

    #[test]
    fn others_see_the_display_name_else_the_username() {
        let mut user = user_named("ann");
        assert_eq!(user.card().name, "ann");
        user.display_name = Some("Ann Lee".into());
        assert_eq!(user.card().name, "Ann Lee");
        // accounts made before profiles existed
        let mut stored = bson::to_document(&user_named("bob")).unwrap();
        for field in ["display_name", "bio", "default_visibility", "profile_public"] {
            stored.remove(field);
        }
        let old: User = bson::from_document(stored).unwrap();
        assert!(old.profile_public && old.default_visibility == Visibility::Private);
    }
}
