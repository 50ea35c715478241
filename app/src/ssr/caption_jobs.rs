//! The caption queue. Each document of a queue's collection (the photos) carries its caption job
//! (`job`): state, attempts, lease deadline, last error. Workers, in this process or any other on
//! the same database, claim jobs with one atomic `findOneAndUpdate`; each claim gets a fresh id,
//! and only the holder of the current claim can store a result, so a photo is never captioned
//! twice even when a slow worker's lease ran out and another worker took the job over.
//!
//! The queue knows only the `job` field: what a finished job stores in its document (the
//! captions, their search words) is the photos module's to say, and it hands it to `complete`.

use std::time::Duration;

use bson::{doc, oid::ObjectId, DateTime, Document};
use mongodb::{
    options::{IndexOptions, ReturnDocument},
    Collection, IndexModel,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::photo_view::{CaptionFailure, CaptionState};

/// A job is tried this many times (a worker that died while holding it counts as a try).
pub const MAX_ATTEMPTS: i32 = 3;

/// The caption job of a photo, stored in the photo's document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptionJob {
    pub state: CaptionState,
    pub attempts: i32,
    /// A running job whose lease has passed is free to be claimed again.
    pub lease_until: Option<DateTime>,
    /// A `CaptionFailure` code (English text in documents from before codes).
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

/// A job a worker holds: the document it is for (a photo) and what it needs to report back.
#[derive(Debug, Clone)]
pub struct ClaimedJob<T> {
    pub id: ObjectId,
    pub claim: ObjectId,
    pub attempt: i32,
    pub document: T,
}

/// The queue's view of any collection: it reads and writes only `_id` and `job`.
fn jobs<T: Send + Sync>(items: &Collection<T>) -> Collection<Document> {
    items.clone_with_type()
}

pub(crate) fn after(lease: Duration) -> DateTime {
    DateTime::from_millis(DateTime::now().timestamp_millis() + lease.as_millis() as i64)
}

pub async fn ensure_indexes<T: Send + Sync>(items: &Collection<T>) -> mongodb::error::Result<()> {
    jobs(items)
        .create_index(
            IndexModel::builder()
                .keys(doc! { "job.state": 1, "job.queued_at": 1 })
                .options(IndexOptions::builder().name("caption_queue".to_owned()).build())
                .build(),
        )
        .await?;
    Ok(())
}

/// Gives a job to documents stored before caption jobs existed (a data migration, run and logged
/// at start-up, never as a side effect of creating indexes). Returns how many got one.
pub async fn enqueue_missing<T: Send + Sync>(items: &Collection<T>) -> mongodb::error::Result<u64> {
    let result = jobs(items)
        .update_many(
            doc! { "job": { "$exists": false } },
            doc! {
                "$set": { "job": bson::to_bson(&CaptionJob::new()).expect("a job serialises") },
                "$unset": { "caption_state": "" },
            },
        )
        .await?;
    Ok(result.modified_count)
}

/// Claims the oldest job that is waiting, or whose worker's lease has run out, for `lease`.
pub async fn claim<T: DeserializeOwned + Send + Sync>(
    items: &Collection<T>,
    worker: &str,
    lease: Duration,
) -> mongodb::error::Result<Option<ClaimedJob<T>>> {
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
    let Some(found) = jobs(items)
        .find_one_and_update(claimable, update)
        .sort(doc! { "job.queued_at": 1 })
        .return_document(ReturnDocument::After)
        .await?
    else {
        return Ok(None);
    };
    let id = found.get_object_id("_id").map_err(|e| mongodb::error::Error::custom(e.to_string()))?;
    let attempt = found
        .get_document("job")
        .and_then(|job| job.get_i32("attempts"))
        .map_err(|e| mongodb::error::Error::custom(e.to_string()))?;
    let document = bson::from_document(found).map_err(|e| mongodb::error::Error::custom(e.to_string()))?;
    Ok(Some(ClaimedJob { id, claim, attempt, document }))
}

fn held<T>(job: &ClaimedJob<T>) -> Document {
    doc! { "_id": job.id, "job.claim": job.claim, "job.state": CaptionState::Running.as_str() }
}

/// Extends the lease of a job its worker is still working on, so that a slow caption (a busy
/// machine, a large photo) is not taken over by another worker while its own is alive; only a
/// worker that stopped renewing loses the job. `false` when the claim was already lost.
async fn renew<T: Send + Sync>(
    items: &Collection<T>,
    job: &ClaimedJob<T>,
    lease: Duration,
) -> mongodb::error::Result<bool> {
    let result = jobs(items).update_one(held(job), doc! { "$set": { "job.lease_until": after(lease) } }).await?;
    Ok(result.matched_count == 1)
}

/// Runs `work` (captioning the `claimed` jobs) while renewing their leases every third of `lease`, so a
/// lease only runs out when the worker is gone, never because captions take long.
pub async fn holding<T: Send + Sync, R>(
    items: &Collection<T>,
    claimed: &[ClaimedJob<T>],
    lease: Duration,
    work: impl std::future::Future<Output = R>,
) -> R {
    tokio::pin!(work);
    let every = lease / 3;
    let mut renewals = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            result = &mut work => return result,
            _ = renewals.tick() => for job in claimed {
                match renew(items, job, lease).await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!(photo = %job.id, "caption job taken over or deleted while captioning"),
                    Err(err) => tracing::warn!(%err, photo = %job.id, "could not renew a caption lease"),
                }
            },
        }
    }
}

/// Finishes a job: `result` (the fields its document gets, e.g. the captions) and the job's `done`
/// state are written in one update. `false` when the claim was lost meanwhile (lease expired and
/// another worker took over, or the document was deleted): nothing is written then.
pub async fn complete<T: Send + Sync>(
    items: &Collection<T>,
    job: &ClaimedJob<T>,
    mut result: Document,
) -> mongodb::error::Result<bool> {
    result.extend(doc! {
        "job.state": CaptionState::Done.as_str(),
        "job.lease_until": null,
        "job.claim": null,
        "job.last_error": null,
        "job.finished_at": DateTime::now(),
    });
    let result = jobs(items).update_one(held(job), doc! { "$set": result, "$inc": { "job.completions": 1 } }).await?;
    Ok(result.modified_count == 1)
}

/// Records a failed attempt: the job waits for another try, or is `Failed` after the last one.
/// Returns the state it is left in (`None` when the claim was lost meanwhile).
pub async fn fail<T: Send + Sync>(
    items: &Collection<T>,
    job: &ClaimedJob<T>,
    failure: CaptionFailure,
) -> mongodb::error::Result<Option<CaptionState>> {
    let final_state = if job.attempt >= MAX_ATTEMPTS { CaptionState::Failed } else { CaptionState::Pending };
    let mut set = doc! {
        "job.state": final_state.as_str(),
        "job.lease_until": null,
        "job.claim": null,
        "job.last_error": failure.code(),
    };
    if final_state == CaptionState::Failed {
        set.insert("job.finished_at", DateTime::now());
    }
    let result = jobs(items).update_one(held(job), doc! { "$set": set }).await?;
    Ok((result.modified_count == 1).then_some(final_state))
}

/// Marks as failed the jobs whose worker died on their last attempt (nobody may claim them).
pub async fn fail_abandoned<T: Send + Sync>(items: &Collection<T>) -> mongodb::error::Result<u64> {
    let result = jobs(items)
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
                "job.last_error": CaptionFailure::WorkerStopped.code(),
                "job.finished_at": DateTime::now(),
            } },
        )
        .await?;
    Ok(result.modified_count)
}

/// "Try again" on a failed caption: the job of the document that `scope` selects (the caller
/// says whose) goes back to the queue with fresh attempts. `false` when no such document has a
/// failed job.
pub async fn retry<T: Send + Sync>(items: &Collection<T>, mut scope: Document) -> mongodb::error::Result<bool> {
    scope.insert("job.state", CaptionState::Failed.as_str());
    let result = jobs(items)
        .update_one(
            scope,
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

/// How many jobs wait to be claimed (not counting expired leases): how many a worker may take.
pub async fn waiting_jobs<T: Send + Sync>(items: &Collection<T>) -> mongodb::error::Result<u64> {
    jobs(items).count_documents(doc! { "job.state": CaptionState::Pending.as_str() }).await
}

/// How many jobs wait or run: for the workers' log and the load measurements.
pub async fn open_jobs<T: Send + Sync>(items: &Collection<T>) -> mongodb::error::Result<u64> {
    jobs(items)
        .count_documents(
            doc! { "job.state": { "$in": [CaptionState::Pending.as_str(), CaptionState::Running.as_str()] } },
        )
        .await
}
