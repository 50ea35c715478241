//! The caption workers. Each worker is an async task that talks to MongoDB (claim a job, read
//! the photo, store the result) and an OS thread of its own that runs the model, so captioning
//! never occupies the async runtime's threads and pages stay responsive while photos are
//! captioned. The model is loaded once per process and shared by the threads.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{mpsc, Arc, Mutex, OnceLock},
    time::{Duration, Instant},
};

use app::{
    photo_view::{CaptionFailure, Suggestion},
    ssr::{
        caption_jobs::{self, ClaimedJob},
        photos::{self, LanguageCaptions, Photo, Variant},
    },
};
use captioner::{
    backend::Backend,
    inference::{Captioner, ModelPaths, ScoredCaption},
    text::Language,
};
use futures::AsyncReadExt;
use mongodb::{Collection, Database};
use tokio::sync::{oneshot, Notify};
use tokio_util::sync::CancellationToken;

use crate::configuration::WorkerSettings;

/// The model of each set of files, loaded at most once per process.
pub fn load_model(paths: &ModelPaths, backend: Backend) -> Result<Arc<Captioner>, String> {
    type Loaded = HashMap<(ModelPaths, Backend), Arc<Captioner>>;
    static LOADED: OnceLock<Mutex<Loaded>> = OnceLock::new();
    let key = (paths.clone(), backend);
    let mut loaded = LOADED.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(model) = loaded.get(&key) {
        return Ok(model.clone());
    }
    let started = Instant::now();
    let model = Arc::new(Captioner::load(paths, backend)?);
    tracing::info!(model = %paths.decoder_dir.display(), %backend, ms = started.elapsed().as_millis() as u64, "caption model loaded");
    loaded.insert(key, model.clone());
    Ok(model)
}

/// A photo's captions in each language asked for: the captioner's, one entry per language.
type Captioned = Vec<captioner::inference::LanguageCaptions>;

/// Photos (JPEG bytes) to caption in `languages`, and where their captions go, in that order.
struct Request {
    photos: Vec<Vec<u8>>,
    languages: Vec<Language>,
    reply: oneshot::Sender<Vec<Result<Captioned, String>>>,
}

/// Runs the model on a thread of its own: photos in, captions out.
fn spawn_model_thread(name: String, model: Arc<Captioner>, beam: Option<usize>, n: usize) -> mpsc::Sender<Request> {
    let (sender, receiver) = mpsc::channel::<Request>();
    std::thread::Builder::new()
        .name(name)
        .spawn(move || {
            for Request { photos, languages, reply } in receiver {
                let caption = |photos: &[Vec<u8>]| {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        caption_bytes(&model, photos, &languages, beam, n)
                    }))
                };
                // A photo that crashes the model fails alone: the others are captioned one by one.
                let results = caption(&photos).unwrap_or_else(|_| {
                    photos
                        .chunks(1)
                        .map(|photo| {
                            caption(photo)
                                .map(|mut one| one.remove(0))
                                .unwrap_or_else(|_| Err("the captioner crashed on this photo".to_owned()))
                        })
                        .collect()
                });
                let _ = reply.send(results);
            }
        })
        .expect("a caption thread starts");
    sender
}

/// Each photo's captions, those that decode captioned together.
fn caption_bytes(
    model: &Captioner,
    photos: &[Vec<u8>],
    languages: &[Language],
    beam: Option<usize>,
    n: usize,
) -> Vec<Result<Captioned, String>> {
    let mut results: Vec<Result<Captioned, String>> = Vec::with_capacity(photos.len());
    let mut decoded = Vec::new();
    for bytes in photos {
        match image::load_from_memory(bytes) {
            Ok(photo) => {
                decoded.push(photo);
                results.push(Ok(Vec::new()));
            }
            Err(e) => results.push(Err(format!("the photo could not be decoded: {e}"))),
        }
    }
    let mut captioned = model.caption_photos_in(&decoded, languages, beam, n).into_iter();
    for result in results.iter_mut().filter(|r| r.is_ok()) {
        let photo = captioned.next().expect("a caption per decoded photo");
        *result = if photo.iter().any(|c| c.captions.is_empty()) {
            Err("the model wrote no caption".to_owned())
        } else {
            Ok(photo)
        };
    }
    results
}

fn suggestions(captions: Vec<ScoredCaption>) -> Vec<Suggestion> {
    captions
        .into_iter()
        .map(|c| Suggestion {
            text: c.text,
            score: c.score,
            per_word: c.per_word,
            weakest_words: Some(c.weakest_words),
            unsure: c.unsure,
        })
        .collect()
}

/// The captions in the languages after the main one, as the photo document keeps them.
fn more_languages(captioned: Captioned, main: Language) -> BTreeMap<Language, LanguageCaptions> {
    captioned
        .into_iter()
        .filter(|c| c.language != main)
        .map(|c| (c.language, LanguageCaptions::new(suggestions(c.captions), c.model)))
        .collect()
}

/// The running workers of this process.
pub struct Workers {
    stop: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Workers {
    /// Starts `settings.workers` workers on the queue in `db`; `queued` wakes them early.
    pub fn start(db: Database, model: Option<Arc<Captioner>>, settings: &WorkerSettings, queued: Arc<Notify>) -> Self {
        let stop = CancellationToken::new();
        let mut tasks = Vec::new();
        if let Some(model) = model {
            // host, process, and this server instance (tests run several in one process)
            let instance = bson::oid::ObjectId::new().to_hex();
            let prefix = format!("{}:{}:{}", hostname(), std::process::id(), &instance[18..]);
            for n in 0..settings.workers {
                let name = format!("{prefix}/{n}");
                let thread =
                    spawn_model_thread(format!("caption-{n}"), model.clone(), settings.beam, settings.suggestions);
                let worker = Worker {
                    name,
                    batch: settings.batch,
                    workers: settings.workers,
                    languages: model.languages(),
                    db: db.clone(),
                    photos: photos::collection(&db),
                    thread,
                    lease: settings.lease,
                    poll_every: settings.poll_every,
                };
                tasks.push(tokio::spawn(worker.run(queued.clone(), stop.clone())));
            }
        }
        Self { stop, tasks }
    }

    /// Stops claiming jobs and waits (up to `grace`) for the captions in progress to be stored.
    pub async fn stop(self, grace: Duration) {
        self.stop.cancel();
        let _ = tokio::time::timeout(grace, futures::future::join_all(self.tasks)).await;
    }
}

/// How many photos a worker that has claimed one takes, when `waiting` more wait: its share of
/// them all among the process's `workers`, at least the one, at most `batch`.
fn batch_share(waiting: usize, workers: usize, batch: usize) -> usize {
    (waiting + 1).div_ceil(workers.max(1)).clamp(1, batch.max(1))
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".to_owned())
}

/// Where a batch's time went, for the log: from its claim, and in the model's thread (decoding
/// the photos, VGG16, every language's beam search).
struct Timing {
    started: Instant,
    model_time: Duration,
    batch: usize,
}

struct Worker {
    name: String,
    /// The most photos it captions at once when several wait.
    batch: usize,
    /// The workers of this process, who share what waits.
    workers: usize,
    /// The languages it captions in, the main one (English, unless `CAPTION_MODEL_DIR` says
    /// otherwise) first.
    languages: Vec<Language>,
    db: Database,
    /// The photos, as the caption queue's collection.
    photos: Collection<Photo>,
    thread: mpsc::Sender<Request>,
    lease: Duration,
    poll_every: Duration,
}

impl Worker {
    async fn run(self, queued: Arc<Notify>, stop: CancellationToken) {
        tracing::info!(worker = %self.name, "caption worker started");
        while !stop.is_cancelled() {
            // Registered before looking, so that a job queued meanwhile still wakes us.
            let woken = queued.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            match caption_jobs::claim(&self.photos, &self.name, self.lease).await {
                Ok(Some(job)) => {
                    let jobs = self.claim_more(job).await;
                    self.process(jobs).await
                }
                Ok(None) => {
                    if let Err(err) = caption_jobs::fail_abandoned(&self.photos).await {
                        tracing::warn!(%err, "could not close abandoned caption jobs");
                    }
                    // No new photo waits: add a language to a photo captioned before it was enabled.
                    match self.add_missing_languages().await {
                        Ok(true) => continue,
                        Ok(false) => {}
                        Err(err) => {
                            tracing::warn!(%err, worker = %self.name, "could not add missing caption languages")
                        }
                    }
                    tokio::select! {
                        _ = woken => {},
                        _ = tokio::time::sleep(self.poll_every) => {},
                        _ = stop.cancelled() => {},
                    }
                }
                Err(err) => {
                    tracing::warn!(%err, worker = %self.name, "could not claim a caption job");
                    tokio::select! {
                        _ = tokio::time::sleep(self.poll_every) => {},
                        _ = stop.cancelled() => {},
                    }
                }
            }
        }
        tracing::info!(worker = %self.name, "caption worker stopped");
    }

    /// `first` and jobs that wait beside it: photos captioned together share each step of every
    /// language's beam search. It takes its share of what waits (so that the other workers of
    /// this process are not left idle by a short queue), at most the batch size.
    async fn claim_more(&self, first: ClaimedJob<Photo>) -> Vec<ClaimedJob<Photo>> {
        let mut jobs = vec![first];
        if self.batch <= 1 {
            return jobs;
        }
        let waiting = match caption_jobs::waiting_jobs(&self.photos).await {
            Ok(waiting) => waiting as usize,
            Err(err) => {
                tracing::warn!(%err, worker = %self.name, "could not count the waiting caption jobs");
                0
            }
        };
        while jobs.len() < batch_share(waiting, self.workers, self.batch) {
            match caption_jobs::claim(&self.photos, &self.name, self.lease).await {
                Ok(Some(job)) => jobs.push(job),
                Ok(None) => break,
                Err(err) => {
                    tracing::warn!(%err, worker = %self.name, "could not claim a further caption job");
                    break;
                }
            }
        }
        jobs
    }

    async fn process(&self, jobs: Vec<ClaimedJob<Photo>>) {
        let started = Instant::now();
        let work = async {
            let mut read = Vec::with_capacity(jobs.len());
            for job in &jobs {
                read.push(self.read_photo(&job.document).await);
            }
            let photos: Vec<Vec<u8>> = read.iter_mut().filter_map(|r| r.as_mut().ok().map(std::mem::take)).collect();
            let asked = Instant::now();
            let mut captioned = match self.caption(photos, self.languages.clone()).await {
                Ok(each) => each.into_iter(),
                Err(why) => return (jobs.iter().map(|_| Err(why.clone())).collect::<Vec<_>>(), asked.elapsed()),
            };
            let model_time = asked.elapsed();
            let results = read
                .into_iter()
                .map(|r| {
                    r.and_then(|_| {
                        captioned
                            .next()
                            .unwrap_or_else(|| Err("the captioner gave no answer for this photo".to_owned()))
                    })
                })
                .collect();
            (results, model_time)
        };
        let (results, model_time) = caption_jobs::holding(&self.photos, &jobs, self.lease, work).await;
        let timing = Timing { started, model_time, batch: jobs.len() };
        for (job, result) in jobs.iter().zip(results) {
            self.finish(job, result, &timing).await;
        }
    }

    /// Stores a job's captions, or records its failed attempt.
    async fn finish(&self, job: &ClaimedJob<Photo>, result: Result<Captioned, String>, timing: &Timing) {
        match result {
            Ok(captioned) => match self.store(job, captioned).await {
                Ok(true) => {
                    let Timing { started, model_time, batch } = timing;
                    tracing::info!(
                        photo = %job.id,
                        attempt = job.attempt,
                        batch,
                        ms = started.elapsed().as_millis() as u64,
                        model_ms = model_time.as_millis() as u64,
                        "photo captioned"
                    )
                }
                Ok(false) => {
                    tracing::warn!(photo = %job.id, "caption not stored: the job was taken over or the photo deleted")
                }
                Err(err) => tracing::error!(%err, photo = %job.id, "storing a caption failed"),
            },
            // The reason goes to the log; the photo keeps a code that its page translates.
            Err(reason) => match caption_jobs::fail(&self.photos, job, CaptionFailure::CaptionerFailed).await {
                Ok(state) => {
                    tracing::warn!(photo = %job.id, attempt = job.attempt, ?state, %reason, "caption attempt failed")
                }
                Err(err) => tracing::error!(%err, photo = %job.id, "recording a failed caption attempt failed"),
            },
        }
    }

    /// Stores the captions of a photo's caption job: the main language's as its caption, the
    /// others beside it.
    async fn store(&self, job: &ClaimedJob<Photo>, mut captioned: Captioned) -> mongodb::error::Result<bool> {
        let main_language = self.languages[0];
        let Some(at) = captioned.iter().position(|c| c.language == main_language) else {
            return Err(mongodb::error::Error::custom("the main language's caption is missing"));
        };
        let main = captioned.remove(at);
        let more = more_languages(captioned, main_language);
        photos::store_model_captions(&self.db, job, &suggestions(main.captions), &main.model, &more).await
    }

    /// One photo captioned before some of this worker's languages were enabled gets captions in
    /// them (its English caption stays). `false` when no photo lacks any.
    async fn add_missing_languages(&self) -> mongodb::error::Result<bool> {
        let Some((photo, lacking)) =
            photos::claim_missing_languages(&self.db, &self.languages[1..], self.lease).await?
        else {
            return Ok(false);
        };
        let captioned = match self.read_photo(&photo).await {
            Ok(bytes) => self.caption(vec![bytes], lacking).await.and_then(|mut one| one.remove(0)),
            Err(why) => Err(why),
        };
        match captioned {
            Ok(captioned) => {
                let more = more_languages(captioned, self.languages[0]);
                photos::store_more_languages(&self.db, photo.id, &more).await?;
                tracing::info!(photo = %photo.id, "caption languages added");
            }
            Err(why) => {
                tracing::warn!(photo = %photo.id, %why, "could not add caption languages; trying again tomorrow");
                photos::postpone_missing_languages(&self.db, photo.id, Duration::from_secs(24 * 3600)).await?;
            }
        }
        Ok(true)
    }

    /// The display copy: upright, at most 2048 px, already a JPEG.
    async fn read_photo(&self, photo: &Photo) -> Result<Vec<u8>, String> {
        let mut stream = photos::open(&self.db, photo, Variant::Display)
            .await
            .map_err(|e| format!("the stored photo could not be read: {e}"))?;
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).await.map_err(|e| format!("the stored photo could not be read: {e}"))?;
        Ok(bytes)
    }

    /// Each photo's captions in `languages`, in order; `Err` when the model thread is gone.
    async fn caption(
        &self,
        photos: Vec<Vec<u8>>,
        languages: Vec<Language>,
    ) -> Result<Vec<Result<Captioned, String>>, String> {
        let (reply, answer) = oneshot::channel();
        let request = Request { photos, languages, reply };
        self.thread.send(request).map_err(|_| "the caption thread has stopped".to_owned())?;
        answer.await.map_err(|_| "the caption thread has stopped".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::batch_share;

    #[test]
    fn a_worker_takes_its_share_of_the_queue_up_to_the_batch_size() {
        assert_eq!(batch_share(0, 2, 8), 1, "a photo alone is captioned alone");
        assert_eq!(batch_share(7, 2, 8), 4, "eight photos, two workers: four each");
        assert_eq!(batch_share(2, 2, 8), 2);
        assert_eq!(batch_share(199, 2, 8), 8, "a long queue: the batch size");
        assert_eq!(batch_share(5, 1, 4), 4);
        assert_eq!(batch_share(5, 0, 8), 6, "no count of workers: as if one");
    }
}
