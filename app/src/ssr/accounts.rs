//! Accounts: creation with an argon2id password hash, and credential checks.

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
use crate::domain::{Email, Password, Username};

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
    let password = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

async fn verify_password(password: &str, hash: &str) -> bool {
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

fn is_duplicate_key(err: &mongodb::error::Error) -> bool {
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

/// Computes the dummy hash ahead of the first log-in, so that the first wrong email is not
/// slower than the others.
pub async fn warm_up() {
    let _ = tokio::task::spawn_blocking(dummy_hash).await;
}
