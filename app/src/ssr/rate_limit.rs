//! Limits on attempts, kept in MongoDB so that they hold across every server process on one
//! database: a counter per subject and fixed time window, incremented atomically (an upsert with
//! `$inc`) and removed by a TTL index once its window has passed.
//!
//! Log-in and sign-up are limited per client address, and per (account, address) with back-off:
//! longer windows with larger allowances follow the one-minute window, so a guesser waits longer
//! and longer. No limit is keyed on the account alone: someone who knows an email address can
//! slow down their own guesses, never lock its owner out from the owner's address.

use bson::{doc, DateTime, Document};
use mongodb::{
    options::{IndexOptions, ReturnDocument},
    Database, IndexModel,
};

pub const RATE_LIMITS: &str = "rate_limits";

/// One fixed window: at most `limit` events every `seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub seconds: i64,
    pub limit: u32,
}

/// The windows of log-in and sign-up attempts from one address, whatever the account.
pub fn per_address(attempts_per_minute: u32) -> [Window; 2] {
    let per_minute = attempts_per_minute.max(1);
    [Window { seconds: 60, limit: per_minute * 3 }, Window { seconds: 3600, limit: per_minute * 30 }]
}

/// The windows of attempts at one account from one address: a minute, then back-off to a
/// quarter of an hour and a day.
pub fn per_account_and_address(attempts_per_minute: u32) -> [Window; 3] {
    let per_minute = attempts_per_minute.max(1);
    [
        Window { seconds: 60, limit: per_minute },
        Window { seconds: 15 * 60, limit: per_minute * 2 },
        Window { seconds: 24 * 3600, limit: per_minute * 6 },
    ]
}

pub async fn ensure_indexes(db: &Database) -> mongodb::error::Result<()> {
    db.collection::<Document>(RATE_LIMITS)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "expires_at": 1 })
                .options(
                    IndexOptions::builder()
                        .expire_after(std::time::Duration::ZERO)
                        .name("window_expiry".to_owned())
                        .build(),
                )
                .build(),
        )
        .await?;
    Ok(())
}

/// Counts one event of `subject` (e.g. `login:1.2.3.4`) in each window. `Ok(Err(seconds))`
/// when a window is over its limit: how long until that window ends.
pub async fn hit(db: &Database, subject: &str, windows: &[Window]) -> mongodb::error::Result<Result<(), u64>> {
    let now_ms = DateTime::now().timestamp_millis();
    let mut wait = 0;
    for window in windows {
        let length_ms = window.seconds * 1000;
        let index = now_ms / length_ms;
        let ends_ms = (index + 1) * length_ms;
        let counter = db
            .collection::<Document>(RATE_LIMITS)
            .find_one_and_update(
                doc! { "_id": format!("{subject}:{}s:{index}", window.seconds) },
                doc! {
                    "$inc": { "count": 1 },
                    // kept a minute past its window, so that a late TTL sweep changes nothing
                    "$setOnInsert": { "expires_at": DateTime::from_millis(ends_ms + 60_000) },
                },
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await?
            .and_then(|d| {
                d.get("count").and_then(bson::Bson::as_i64).or_else(|| d.get_i32("count").ok().map(i64::from))
            })
            .unwrap_or(1);
        if counter > i64::from(window.limit) {
            wait = wait.max(((ends_ms - now_ms) as f64 / 1000.0).ceil().max(1.0) as u64);
        }
    }
    Ok(if wait > 0 { Err(wait) } else { Ok(()) })
}

/// Counts a log-in or sign-up attempt at `account` from `address`; `Ok(Err(seconds))` when it
/// must wait.
pub async fn auth_attempt(
    db: &Database,
    address: &str,
    account: &str,
    attempts_per_minute: u32,
) -> mongodb::error::Result<Result<(), u64>> {
    let account = account.trim().to_lowercase();
    let by_address = hit(db, &format!("auth:{address}"), &per_address(attempts_per_minute)).await?;
    let by_account =
        hit(db, &format!("auth:{address}:{account}"), &per_account_and_address(attempts_per_minute)).await?;
    Ok(match (by_address, by_account) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(a), Err(b)) => Err(a.max(b)),
        (Err(wait), _) | (_, Err(wait)) => Err(wait),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longer_windows_allow_more_but_not_proportionally() {
        let [minute, quarter, day] = per_account_and_address(10);
        assert_eq!((minute.seconds, minute.limit), (60, 10));
        assert!(quarter.limit < minute.limit * 15 && day.limit < quarter.limit * 96, "back-off");
        assert_eq!(per_address(0)[0].limit, 3, "at least one attempt a minute");
    }
}
