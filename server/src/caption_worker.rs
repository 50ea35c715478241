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

/// A photo (JPEG bytes) to caption in `languages`, and where the captions go.
struct Request {
    bytes: Vec<u8>,
    languages: Vec<Language>,
    reply: oneshot::Sender<Result<Captioned, String>>,
}

/// Runs the model on a thread of its own: photos in, captions out.
fn spawn_model_thread(name: String, model: Arc<Captioner>, beam: Option<usize>, n: usize) -> mpsc::Sender<Request> {
    let (sender, receiver) = mpsc::channel::<Request>();
    std::thread::Builder::new()
        .name(name)
        .spawn(move || {
            for Request { bytes, languages, reply } in receiver {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    caption_bytes(&model, &bytes, &languages, beam, n)
                }))
                .unwrap_or_else(|_| Err("the captioner crashed on this photo".to_owned()));
                let _ = reply.send(result);
            }
        })
        .expect("a caption thread starts");
    sender
}

fn caption_bytes(
    model: &Captioner,
    bytes: &[u8],
    languages: &[Language],
    beam: Option<usize>,
    n: usize,
) -> Result<Captioned, String> {
    let photo = image::load_from_memory(bytes).map_err(|e| format!("the photo could not be decoded: {e}"))?;
    let captioned = model.caption_in(&photo, languages, beam, n);
    if captioned.iter().any(|c| c.captions.is_empty()) {
        return Err("the model wrote no caption".to_owned());
    }
    Ok(captioned)
}

fn suggestions(captions: Vec<ScoredCaption>) -> Vec<Suggestion> {
    captions
        .into_iter()
        .map(|c| Suggestion { text: c.text, score: c.score, per_word: c.per_word, unsure: c.unsure })
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

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".to_owned())
}

struct Worker {
    name: String,
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
                Ok(Some(job)) => self.process(job).await,
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

    async fn process(&self, job: ClaimedJob<Photo>) {
        let started = Instant::now();
        let work = async {
            let bytes = self.read_photo(&job.document).await?;
            self.caption(bytes, self.languages.clone()).await
        };
        let result = caption_jobs::holding(&self.photos, &job, self.lease, work).await;
        match result {
            Ok(captioned) => match self.store(&job, captioned).await {
                Ok(true) => {
                    tracing::info!(photo = %job.id, attempt = job.attempt, ms = started.elapsed().as_millis() as u64, "photo captioned")
                }
                Ok(false) => {
                    tracing::warn!(photo = %job.id, "caption not stored: the job was taken over or the photo deleted")
                }
                Err(err) => tracing::error!(%err, photo = %job.id, "storing a caption failed"),
            },
            // The reason goes to the log; the photo keeps a code that its page translates.
            Err(reason) => match caption_jobs::fail(&self.photos, &job, CaptionFailure::CaptionerFailed).await {
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
            Ok(bytes) => self.caption(bytes, lacking).await,
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

    async fn caption(&self, bytes: Vec<u8>, languages: Vec<Language>) -> Result<Captioned, String> {
        let (reply, answer) = oneshot::channel();
        let request = Request { bytes, languages, reply };
        self.thread.send(request).map_err(|_| "the caption thread has stopped".to_owned())?;
        answer.await.map_err(|_| "the caption thread has stopped".to_owned())?
    }
}
