//! Limits on log-in and sign-up attempts, per client address and per account, so that passwords
//! cannot be guessed at speed. Kept in memory: each server process limits on its own.

use std::num::NonZeroU32;

use governor::{
    clock::{Clock, DefaultClock},
    DefaultKeyedRateLimiter, Quota, RateLimiter,
};

pub struct AuthRateLimiter {
    by_client: DefaultKeyedRateLimiter<String>,
    by_account: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl AuthRateLimiter {
    /// `attempts` a minute for each key, refilled evenly over the minute.
    pub fn per_minute(attempts: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(attempts.max(1)).expect("at least one"));
        Self { by_client: RateLimiter::keyed(quota), by_account: RateLimiter::keyed(quota), clock: DefaultClock::default() }
    }

    /// Counts one attempt; `Err(seconds)` says how long to wait before the next one is allowed.
    pub fn check(&self, client: &str, account: &str) -> Result<(), u64> {
        let account = account.trim().to_lowercase();
        for (limiter, key) in [(&self.by_client, client), (&self.by_account, account.as_str())] {
            if let Err(not_until) = limiter.check_key(&key.to_owned()) {
                let wait = not_until.wait_time_from(self.clock.now());
                return Err(wait.as_secs_f64().ceil().max(1.0) as u64);
            }
        }
        Ok(())
    }

    /// Forgets keys whose limits are full again, so memory does not grow with every address seen.
    pub fn forget_idle(&self) {
        self.by_client.retain_recent();
        self.by_account.retain_recent();
        self.by_client.shrink_to_fit();
        self.by_account.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_client_and_per_account() {
        let limiter = AuthRateLimiter::per_minute(3);
        for _ in 0..3 {
            assert!(limiter.check("1.2.3.4", "a@x.io").is_ok());
        }
        let wait = limiter.check("1.2.3.4", "b@x.io").unwrap_err();
        assert!((1..=20).contains(&wait), "waits {wait} s");
        // the same account from another address is limited too
        let limiter = AuthRateLimiter::per_minute(2);
        assert!(limiter.check("1.1.1.1", "A@x.io").is_ok());
        assert!(limiter.check("2.2.2.2", "a@x.io").is_ok());
        assert!(limiter.check("3.3.3.3", "a@X.io ").is_err());
        assert!(limiter.check("4.4.4.4", "other@x.io").is_ok());
    }
}
