//! The account and session code against a real MongoDB server.

use crate::helpers;
use std::time::{Duration, Instant};

use app::{
    domain::{Email, Password, Username},
    ssr::{
        accounts::{self, CreateAccountError, NewAccount},
        sessions, AuthSettings,
    },
};
use bson::doc;
use futures::TryStreamExt;

fn account(username: &str, email: &str, password: &str) -> NewAccount {
    NewAccount {
        username: Username::parse(username).unwrap(),
        email: Email::parse(email).unwrap(),
        password: Password::parse(password).unwrap(),
    }
}

#[tokio::test]
async fn sign_up_stores_an_argon2id_hash_and_a_lower_cased_email() {
    let db = helpers::fresh_db().await;
    let user = accounts::create_account(&db, account("Alice", "Alice@Example.com", "correct horse")).await.unwrap();
    assert_eq!(user.email, "alice@example.com");
    assert_eq!(user.username, "Alice");
    let stored = db.collection::<bson::Document>("users").find_one(doc! { "_id": user.id }).await.unwrap().unwrap();
    let hash = stored.get_str("password_hash").unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    assert!(!stored.to_string().contains("correct horse"));
}

#[tokio::test]
async fn duplicate_email_is_refused() {
    let db = helpers::fresh_db().await;
    accounts::create_account(&db, account("alice", "alice@example.com", "password-1")).await.unwrap();
    let err = accounts::create_account(&db, account("alice2", "ALICE@example.com", "password-2")).await.unwrap_err();
    assert!(matches!(err, CreateAccountError::Taken { email: true, username: false }), "{err:?}");
}

#[tokio::test]
async fn duplicate_username_is_refused_whatever_its_case() {
    let db = helpers::fresh_db().await;
    accounts::create_account(&db, account("alice", "alice@example.com", "password-1")).await.unwrap();
    let err = accounts::create_account(&db, account("ALICE", "other@example.com", "password-2")).await.unwrap_err();
    assert!(matches!(err, CreateAccountError::Taken { email: false, username: true }), "{err:?}");
}

#[tokio::test]
async fn the_unique_indexes_hold_even_when_the_pre_check_is_bypassed() {
    let db = helpers::fresh_db().await;
    let users = db.collection::<bson::Document>("users");
    users.insert_one(doc! { "email": "x@example.com", "username_key": "x" }).await.unwrap();
    let dup = users.insert_one(doc! { "email": "x@example.com", "username_key": "y" }).await;
    assert!(dup.unwrap_err().to_string().contains("11000"));
}

#[tokio::test]
async fn login_with_the_right_password() {
    let db = helpers::fresh_db().await;
    let user = accounts::create_account(&db, account("bob", "bob@example.com", "s3cret-pass")).await.unwrap();
    let found = accounts::verify_credentials(&db, " BOB@example.com", "s3cret-pass").await.unwrap();
    assert_eq!(found.map(|u| u.id), Some(user.id));
}

#[tokio::test]
async fn wrong_password_and_wrong_email_both_fail_and_take_about_as_long() {
    let db = helpers::fresh_db().await;
    accounts::create_account(&db, account("carol", "carol@example.com", "s3cret-pass")).await.unwrap();
    accounts::warm_up().await;
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (mut wrong_password, mut wrong_email) = (vec![], vec![]);
    for _ in 0..5 {
        let t = Instant::now();
        assert!(accounts::verify_credentials(&db, "carol@example.com", "nope-nope").await.unwrap().is_none());
        wrong_password.push(t.elapsed());
        let t = Instant::now();
        assert!(accounts::verify_credentials(&db, "nobody@example.com", "s3cret-pass").await.unwrap().is_none());
        wrong_email.push(t.elapsed());
    }
    let (wp, we) = (median(wrong_password), median(wrong_email));
    // An unknown email is checked against a dummy argon2id hash; without it, it would answer
    // in about a millisecond instead of the tens of milliseconds a hash takes.
    assert!(we.as_secs_f64() > 0.3 * wp.as_secs_f64(), "wrong email {we:?} vs wrong password {wp:?}");
    assert!(wp > Duration::from_millis(5), "argon2id at OWASP cost takes more than 5 ms: {wp:?}");
}

#[tokio::test]
async fn sessions_resolve_to_their_user_until_they_expire() {
    let db = helpers::fresh_db().await;
    let user = accounts::create_account(&db, account("dave", "dave@example.com", "s3cret-pass")).await.unwrap();
    let live = sessions::create(&db, user.id, false, &AuthSettings::default()).await.unwrap();
    assert_eq!(sessions::user_for_token(&db, &live.token).await.unwrap().map(|u| u.id), Some(user.id));
    let hours = (live.expires_at.timestamp_millis() - bson::DateTime::now().timestamp_millis()) as f64 / 3.6e6;
    assert!((11.9..=12.0).contains(&hours), "{hours}");

    let remembered = sessions::create(&db, user.id, true, &AuthSettings::default()).await.unwrap();
    let days = (remembered.expires_at.timestamp_millis() - bson::DateTime::now().timestamp_millis()) as f64 / 8.64e7;
    assert!((29.9..=30.0).contains(&days), "{days}");

    let expired = sessions::create_with_lifetime(&db, user.id, false, -1_000).await.unwrap();
    assert!(sessions::user_for_token(&db, &expired.token).await.unwrap().is_none());
    assert!(sessions::user_for_token(&db, "not-a-token").await.unwrap().is_none());

    // Only the token's hash is stored.
    let stored = db.collection::<bson::Document>("sessions").find_one(doc! {}).await.unwrap().unwrap();
    assert_ne!(stored.get_str("_id").unwrap(), live.token);
}

#[tokio::test]
async fn the_ttl_index_expires_sessions() {
    let db = helpers::fresh_db().await;
    let indexes = db.collection::<bson::Document>("sessions").list_indexes().await.unwrap();
    let indexes: Vec<_> = indexes.try_collect().await.unwrap();
    let ttl = indexes.iter().find(|i| i.keys == doc! { "expires_at": 1 }).expect("an index on expires_at");
    assert_eq!(ttl.options.as_ref().and_then(|o| o.expire_after), Some(Duration::from_secs(0)));
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let db = helpers::fresh_db().await;
    let user = accounts::create_account(&db, account("erin", "erin@example.com", "s3cret-pass")).await.unwrap();
    let session = sessions::create(&db, user.id, true, &AuthSettings::default()).await.unwrap();
    sessions::delete(&db, &session.token).await.unwrap();
    assert!(sessions::user_for_token(&db, &session.token).await.unwrap().is_none());
}
