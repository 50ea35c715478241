//! How much upload work runs at once, so that memory stays bounded whatever is uploaded: a global
//! limit on images being decoded (each may take up to 8 bytes a pixel of the 50-megapixel limit),
//! and a per-user limit on uploads in progress. Uploads over a limit wait their turn; a waiting
//! upload's body is not read until then, so it holds no memory.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use bson::oid::ObjectId;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};

/// Limits on uploads, read from the environment by the server's configuration.
#[derive(Debug, Clone)]
pub struct UploadSettings {
    /// `UPLOAD_DECODES_AT_ONCE`: images decoded at once by this process, all users together.
    pub decodes_at_once: usize,
    /// `UPLOADS_PER_USER_AT_ONCE`: one user's uploads handled at once; the others wait.
    pub per_user_at_once: usize,
    /// `UPLOADS_PER_HOUR`: uploads one user may start in an hour.
    pub per_hour: u32,
    /// `STORAGE_QUOTA_MB`: the originals one user may store, in bytes.
    pub quota_bytes: u64,
}

impl Default for UploadSettings {
    fn default() -> Self {
        Self {
            decodes_at_once: std::thread::available_parallelism().map(usize::from).unwrap_or(1),
            per_user_at_once: 2,
            per_hour: 500,
            quota_bytes: 10 * 1024 * 1024 * 1024,
        }
    }
}

pub struct UploadGate {
    decodes: Semaphore,
    per_user_at_once: usize,
    per_user: Mutex<HashMap<ObjectId, Arc<Semaphore>>>,
}

impl UploadGate {
    pub fn new(settings: &UploadSettings) -> Self {
        Self {
            decodes: Semaphore::new(settings.decodes_at_once.max(1)),
            per_user_at_once: settings.per_user_at_once.max(1),
            per_user: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until `user` has fewer than `per_user_at_once` uploads in progress.
    pub async fn user_turn(&self, user: ObjectId) -> OwnedSemaphorePermit {
        let semaphore = {
            let mut per_user = self.per_user.lock().unwrap_or_else(|e| e.into_inner());
            // Forget the users with nothing in progress, so the map holds only busy ones.
            per_user.retain(|_, s| Arc::strong_count(s) > 1 || s.available_permits() < self.per_user_at_once);
            per_user.entry(user).or_insert_with(|| Arc::new(Semaphore::new(self.per_user_at_once))).clone()
        };
        semaphore.acquire_owned().await.expect("the semaphore is never closed")
    }

    /// Waits until fewer than `decodes_at_once` images are being decoded.
    pub async fn decode_turn(&self) -> SemaphorePermit<'_> {
        self.decodes.acquire().await.expect("the semaphore is never closed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_user_waits_for_their_own_uploads_but_not_for_others() {
        let gate = UploadGate::new(&UploadSettings { per_user_at_once: 1, ..UploadSettings::default() });
        let (alice, bob) = (ObjectId::new(), ObjectId::new());
        let first = gate.user_turn(alice).await;
        let second = tokio::time::timeout(std::time::Duration::from_millis(50), gate.user_turn(alice)).await;
        assert!(second.is_err(), "alice's second upload waits");
        let _bob = tokio::time::timeout(std::time::Duration::from_millis(50), gate.user_turn(bob))
            .await
            .expect("bob does not wait");
        drop(first);
        let _turn = tokio::time::timeout(std::time::Duration::from_millis(50), gate.user_turn(alice))
            .await
            .expect("alice's turn comes");
    }
}
