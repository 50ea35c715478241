//! The caption queue. Each photo document carries its caption job (`job`): state, attempts,
//! lease deadline, last error. Workers, in this process or any other on the same database, claim
//! jobs with one atomic `findOneAndUpdate`; each claim gets a fresh id, and only the holder of the
//! current claim can store a result, so a photo is never captioned twice even when a slow worker's
//! lease ran out and another worker took the job over.

use std::time::Duration;

use bson::{doc, oid::ObjectId, DateTime, Document};
use mongodb::{
    options::{IndexOptions, ReturnDocument},
    Database, IndexModel,
};
use serde::{Deserialize, Serialize};

use super::photos::{photos, Photo};
use crate::{
    photos::{CaptionState, Suggestion},
    search::index_words,
};

/// A job is tried this many times (a worker that died while holding it counts as a try).
pub const MAX_ATTEMPTS: i32 = 3;

/// The caption job of a photo, stored in the photo's document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptionJob {
    pub state: CaptionState,
    pub attempts: i32,
    /// A running job whose lease has passed is free to be claimed again.
    pub lease_until: Option<DateTime>,
    pub last_error: Option<String>,
    /// The current claim; only its holder may store a result.
    pub claim: Option<ObjectId>,
    /// Which worker holds or last held the job (`host:pid:instance/n`), for operators.
    pub worker: Option<String>,
    /// How many times a caption was stored for this photo.
    pub completions: i32,
    pub queued_at: DateTime,
    pub finished_at: Option<DateTime>,
}

impl CaptionJob {
    pub fn new() -> Self {
        Self {
            state: CaptionState::Pending,
            attempts: 0,
            lease_until: None,
            last_error: None,
            claim: None,
            worker: None,
            completions: 0,
            queued_at: DateTime::now(),
            finished_at: None,
        }
    }
}

impl Default for CaptionJob {
    fn default() -> Self {
        Self::new()
    }
}

/// A job a worker holds: what it needs to caption the photo and to report back.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub photo_id: ObjectId,
    pub claim: ObjectId,
    pub attempt: i32,
    pub photo: Photo,
}

fn after(lease: Duration) -> DateTime {
    DateTime::from_millis(DateTime::now().timestamp_millis() + lease.as_millis() as i64)
}

pub async fn ensure_indexes(db: &Database) -> mongodb::error::Result<()> {
    photos(db)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "job.state": 1, "job.queued_at": 1 })
                .options(IndexOptions::builder().name("caption_queue".to_owned()).build())
                .build(),
        )
        .await?;
    // Photos stored before caption jobs existed get one.
    photos(db)
        .update_many(doc! { "job": { "$exists": false } }, doc! {
            "$set": { "job": bson::to_bson(&CaptionJob::new()).expect("a job serialises") },
            "$unset": { "caption_state": "" },
        })
        .await?;
    Ok(())
}

/// Claims the oldest job that is waiting, or whose worker's lease has run out, for `lease`.
pub async fn claim(db: &Database, worker: &str, lease: Duration) -> mongodb::error::Result<Option<ClaimedJob>> {
    let now = DateTime::now();
    let claim = ObjectId::new();
    let claimable = doc! {
        "$or": [
            { "job.state": CaptionState::Pending.as_str() },
            { "job.state": CaptionState::Running.as_str(), "job.lease_until": { "$lt": now } },
        ],
        "job.attempts": { "$lt": MAX_ATTEMPTS },
    };
    let update = doc! {
        "$set": {
            "job.state": CaptionState::Running.as_str(),
            "job.lease_until": after(lease),
            "job.claim": claim,
            "job.worker": worker,
        },
        "$inc": { "job.attempts": 1 },
    };
    let photo = photos(db)
        .find_one_and_update(claimable, update)
        .sort(doc! { "job.queued_at": 1 })
        .return_document(ReturnDocument::After)
        .await?;
    Ok(photo.map(|photo| ClaimedJob { photo_id: photo.id, claim, attempt: photo.job.attempts, photo }))
}

fn held(job: &ClaimedJob) -> Document {
    doc! { "_id": job.photo_id, "job.claim": job.claim, "job.state": CaptionState::Running.as_str() }
}

/// Extends the lease of a job its worker is still working on, so that a slow caption (a busy
/// machine, a large photo) is not taken over by another worker while its own is alive; only a
/// worker that stopped renewing loses the job. `false` when the claim was already lost.
async fn renew(db: &Database, job: &ClaimedJob, lease: Duration) -> mongodb::error::Result<bool> {
    let result = photos(db).update_one(held(job), doc! { "$set": { "job.lease_until": after(lease) } }).await?;
    Ok(result.matched_count == 1)
}

/// Runs `work` (captioning `job`) while renewing its lease every third of `lease`, so the lease
/// only runs out when the worker is gone, never because a caption takes long.
pub async fn holding<T>(db: &Database, job: &ClaimedJob, lease: Duration, work: impl std::future::Future<Output = T>) -> T {
    tokio::pin!(work);
    let every = lease / 3;
    let mut renewals = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            result = &mut work => return result,
            _ = renewals.tick() => match renew(db, job, lease).await {
                Ok(true) => {}
                Ok(false) => tracing::warn!(photo = %job.photo_id, "caption job taken over or deleted while captioning"),
                Err(err) => tracing::warn!(%err, photo = %job.photo_id, "could not renew a caption lease"),
            },
        }
    }
}

/// Stores the model's captions (best first). `false` when the claim was lost meanwhile (lease
/// expired and another worker took over, or the photo was deleted): nothing is written then.
pub async fn complete(db: &Database, job: &ClaimedJob, suggestions: &[Suggestion]) -> mongodb::error::Result<bool> {
    let best = suggestions.first().map(|s| s.text.clone());
    let words = best.as_deref().map(index_words).unwrap_or_default();
    let result = photos(db)
        .update_one(held(job), doc! {
            "$set": {
                "caption": best,
                "suggestions": bson::to_bson(suggestions).expect("suggestions serialise"),
                "caption_words": words,
                "job.state": CaptionState::Done.as_str(),
                "job.lease_until": null,
                "job.claim": null,
                "job.last_error": null,
                "job.finished_at": DateTime::now(),
            },
            "$inc": { "job.completions": 1 },
        })
        .await?;
    Ok(result.modified_count == 1)
}

/// Records a failed attempt: the job waits for another try, or is `Failed` after the last one.
/// Returns the state it is left in (`None` when the claim was lost meanwhile).
pub async fn fail(db: &Database, job: &ClaimedJob, error: &str) -> mongodb::error::Result<Option<CaptionState>> {
    let final_state = if job.attempt >= MAX_ATTEMPTS { CaptionState::Failed } else { CaptionState::Pending };
    let mut set = doc! {
        "job.state": final_state.as_str(),
        "job.lease_until": null,
        "job.claim": null,
        "job.last_error": error,
    };
    if final_state == CaptionState::Failed {
        set.insert("job.finished_at", DateTime::now());
    }
    let result = photos(db).update_one(held(job), doc! { "$set": set }).await?;
    Ok((result.modified_count == 1).then_some(final_state))
}

/// Marks as failed the jobs whose worker died on their last attempt (nobody may claim them).
pub async fn fail_abandoned(db: &Database) -> mongodb::error::Result<u64> {
    let result = photos(db)
        .update_many(
            doc! {
                "job.state": CaptionState::Running.as_str(),
                "job.lease_until": { "$lt": DateTime::now() },
                "job.attempts": { "$gte": MAX_ATTEMPTS },
            },
            doc! { "$set": {
                "job.state": CaptionState::Failed.as_str(),
                "job.lease_until": null,
                "job.claim": null,
                "job.last_error": format!("The captioner stopped while working on this photo, {MAX_ATTEMPTS} times."),
                "job.finished_at": DateTime::now(),
            } },
        )
        .await?;
    Ok(result.modified_count)
}

/// "Try again" on a failed caption: the owner's job goes back to the queue with fresh attempts.
/// `false` when the photo is not the owner's or its job has not failed.
pub async fn retry(db: &Database, owner_id: ObjectId, photo_id: ObjectId) -> mongodb::error::Result<bool> {
    let result = photos(db)
        .update_one(
            doc! { "_id": photo_id, "owner_id": owner_id, "job.state": CaptionState::Failed.as_str() },
            doc! { "$set": {
                "job.state": CaptionState::Pending.as_str(),
                "job.attempts": 0,
                "job.queued_at": DateTime::now(),
                "job.finished_at": null,
            } },
        )
        .await?;
    Ok(result.modified_count == 1)
}

/// How many jobs wait or run: for the workers' log and the load measurements.
pub async fn open_jobs(db: &Database) -> mongodb::error::Result<u64> {
    photos(db)
        .count_documents(doc! { "job.state": { "$in": [CaptionState::Pending.as_str(), CaptionState::Running.as_str()] } })
        .await
}
