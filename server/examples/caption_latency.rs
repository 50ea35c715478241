//! Measures captioning as a user meets it (run by `scripts/bench-captions.sh`):
//! 1. the time from the start of an upload to the caption being stored, for a 12-megapixel
//!    JPEG and for a Flickr8k photo (median of several, one at a time), with captions in every
//!    language (the server's default) and in English alone;
//! 2. the dashboard's latency while 20 photos are being captioned, beside the same page's
//!    latency with nothing to caption, measured in the same run;
//! 3. throughput: captions per minute (in every language) for a queue of photos
//!    (`QUEUED_PHOTOS`, default 200), the same queue captioned by workers that take one photo at a
//!    time and by workers that take up to `CAPTION_BATCH`'s default, in turns.
//!
//! It starts the real app in this process (on a random port, with the configured number of
//! caption workers) against `MONGODB_URI`, in a database of its own.

// The integration tests' helpers: spawning the app, signing up, uploading.
#[path = "../tests/api/helpers.rs"]
mod helpers;

use std::{
    io::Cursor,
    time::{Duration, Instant},
};

use bson::{doc, oid::ObjectId, Document};
use captioner::{inference::ModelPaths, text::Language};
use helpers::{median, percentile, TestApp};
use image::{imageops::FilterType, DynamicImage, ImageFormat};
use server::{
    caption_worker::{load_model, Workers},
    configuration::WorkerSettings,
};

/// `n` photos of the Flickr8k test split (name and bytes), in the split file's order.
fn flickr8k_photos(n: usize) -> Vec<(String, Vec<u8>)> {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = captioner::data::flickr8k_dir(&workspace);
    let split = std::fs::read_to_string(root.join("Flickr_8k.testImages.txt")).unwrap_or_else(|e| {
        panic!("this benchmark needs the Flickr8k data set at {} (FLICKR8K_DIR): {e}", root.display())
    });
    split
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(n)
        .map(|name| (name.to_owned(), std::fs::read(root.join("Images").join(name)).expect("a Flickr8k photo")))
        .collect()
}

/// A real photo blown up to 4000x3000 with grain, so that the JPEG is as heavy as a camera's.
fn twelve_megapixels(photo: &[u8], seed: u32) -> Vec<u8> {
    let big = image::load_from_memory(photo).unwrap().resize_exact(4000, 3000, FilterType::Triangle).to_rgb8();
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let grainy = image::RgbImage::from_fn(4000, 3000, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state % 17) as i16 - 8;
        let p = big.get_pixel(x, y).0;
        image::Rgb(p.map(|c| (c as i16 + noise).clamp(0, 255) as u8))
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(grainy).write_to(&mut out, ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

async fn job_state(app: &TestApp, id: &str) -> String {
    let photo: Document =
        app.db.collection("photos").find_one(doc! { "_id": ObjectId::parse_str(id).unwrap() }).await.unwrap().unwrap();
    helpers::job(&photo).get_str("state").unwrap().to_owned()
}

/// Seconds from the start of the upload until the caption is stored, and of them until the
/// upload's answer.
async fn upload_to_caption(app: &TestApp, name: &str, bytes: Vec<u8>) -> (f64, f64) {
    let started = Instant::now();
    let id = app.upload_ok(name, bytes).await;
    let uploaded = started.elapsed().as_secs_f64();
    while job_state(app, &id).await != "done" {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    (started.elapsed().as_secs_f64(), uploaded)
}

async fn open_jobs(app: &TestApp) -> u64 {
    app::ssr::caption_jobs::open_jobs(&app::ssr::photos::collection(&app.db)).await.unwrap()
}

/// Milliseconds for a page's HTML, rendered on the server for the signed-in user, or for a
/// server function's answer (`/api/…`, posted without arguments); and the answer.
async fn timed(app: &TestApp, path: &str) -> (f64, String) {
    let started = Instant::now();
    let res = if path.starts_with("/api/") { app.post_form(path, &[]).await } else { app.get(path).await };
    assert!(res.status().is_success(), "{path}: {}", res.status());
    let body = res.text().await.unwrap();
    (started.elapsed().as_secs_f64() * 1000.0, body)
}

/// Seconds for `settings.workers` workers taking up to `settings.batch` photos at once to caption
/// every photo of `app`'s database, from a queue of all of them.
async fn drain_queue(app: &TestApp, settings: &WorkerSettings) -> f64 {
    let photos = app::ssr::photos::collection(&app.db).clone_with_type::<Document>();
    let fresh = bson::to_bson(&app::ssr::caption_jobs::CaptionJob::new()).unwrap();
    photos.update_many(doc! {}, doc! { "$set": { "job": fresh } }).await.unwrap();
    let model = load_model(&settings.model, settings.backend).unwrap();
    let started = Instant::now();
    let workers = Workers::start(app.db.clone(), Some(model), settings, Default::default());
    while open_jobs(app).await > 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    workers.stop(Duration::from_secs(60)).await;
    let failed = photos.count_documents(doc! { "job.state": { "$ne": "done" } }).await.unwrap();
    assert_eq!(failed, 0, "every photo captioned");
    seconds
}

/// Milliseconds for the dashboard's HTML, rendered on the server with the user's photos.
async fn dashboard_ms(app: &TestApp) -> f64 {
    let (ms, body) = timed(app, "/dashboard").await;
    assert!(body.contains("photo-tile") || body.contains("No photos yet"));
    ms
}

/// The app's settings, captioning in `languages` with the shipped decoders, with the server's
/// default number of caption workers.
fn captioning_in(languages: &[Language]) -> server::configuration::Settings {
    let mut settings = helpers::settings(helpers::mongodb_uri(), Default::default());
    settings.captions.workers = WorkerSettings::default().workers;
    let models = helpers::workspace().join("models");
    settings.captions.model.more_languages = languages
        .iter()
        .filter(|language| **language != Language::En)
        .map(|language| ModelPaths::shipped_decoder(&models, *language))
        .collect();
    settings
}

/// Upload → caption stored, one photo at a time: Flickr8k photos, then the 12-megapixel JPEGs.
async fn upload_latency(
    client: &TestApp,
    photos: &[(String, Vec<u8>)],
    large_photos: &[(String, Vec<u8>)],
    languages: &str,
) {
    // warm-up: the first caption pays for lazy initialisation
    upload_to_caption(client, &photos[29].0, photos[29].1.clone()).await;
    let (mut small, mut small_uploads): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    for (name, bytes) in &photos[..7] {
        let (total, upload) = upload_to_caption(client, name, bytes.clone()).await;
        small.push(total);
        small_uploads.push(upload);
    }
    let (mut large, mut large_uploads): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    for (name, bytes) in large_photos {
        let (total, upload) = upload_to_caption(client, name, bytes.clone()).await;
        large.push(total);
        large_uploads.push(upload);
    }
    println!("captions in {languages}:");
    println!(
        "  upload → caption stored, median of {} (Flickr8k photo, ~500x375): {:.0} ms (the upload's answer: {:.0} ms)",
        small.len(),
        median(&mut small) * 1000.0,
        median(&mut small_uploads) * 1000.0
    );
    println!(
        "  upload → caption stored, median of {} (12-megapixel JPEG):        {:.0} ms (the upload's answer: {:.0} ms)",
        large.len(),
        median(&mut large) * 1000.0,
        median(&mut large_uploads) * 1000.0
    );
}

#[tokio::main]
async fn main() {
    let workers = WorkerSettings::default().workers;
    println!(
        "caption workers: {workers}; {} CPU cores",
        std::thread::available_parallelism().map(usize::from).unwrap_or(1)
    );
    let photos = flickr8k_photos(30);
    // made once: each takes about a second
    let large_photos: Vec<(String, Vec<u8>)> = photos[7..12]
        .iter()
        .enumerate()
        .map(|(i, (name, bytes))| (format!("big-{name}"), twelve_megapixels(bytes, i as u32 + 1)))
        .collect();
    println!("12-megapixel test JPEGs: {:.1} MB each", large_photos[0].1.len() as f64 / 1e6);
    // English alone, then every language (the server's default), whose app stays for the rest.
    let english = helpers::spawn_app_with(captioning_in(&[Language::En])).await.signed_up().await;
    upload_latency(&english, &photos, &large_photos, "English alone").await;
    english.db.drop().await.ok();
    let client = helpers::spawn_app_with(captioning_in(&Language::ALL)).await.signed_up().await;
    upload_latency(&client, &photos, &large_photos, "every language (en, zh, de, ar: the default)").await;

    // The dashboard while 20 photos are being captioned, then with the same photos, all captioned.
    let uploads = photos[12..29].iter().chain(photos[..3].iter()).map(|(n, b)| client.upload_ok(n, b.clone()));
    futures::future::join_all(uploads).await;
    let queued = open_jobs(&client).await;
    let mut busy: Vec<f64> = Vec::new();
    let started = Instant::now();
    while open_jobs(&client).await > 0 {
        busy.push(dashboard_ms(&client).await);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drained = started.elapsed().as_secs_f64();
    let mut idle: Vec<f64> = Vec::new();
    for _ in 0..busy.len().max(40) {
        idle.push(dashboard_ms(&client).await);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (idle_median, idle_p95) = (median(&mut idle), percentile(&mut idle, 0.95));
    let (busy_median, busy_p95) = (median(&mut busy), percentile(&mut busy, 0.95));
    println!(
        "dashboard while {queued} photos are captioned ({} requests over {drained:.1} s): median {busy_median:.1} ms, p95 {busy_p95:.1} ms",
        busy.len()
    );
    println!(
        "dashboard afterwards, nothing to caption ({} requests): median {idle_median:.1} ms, p95 {idle_p95:.1} ms",
        idle.len()
    );
    println!("ratio busy/idle: median {:.2}x, p95 {:.2}x", busy_median / idle_median, busy_p95 / idle_p95);
    // Where the dashboard's time goes: its gallery's server function alone, and the same user's
    // pages without a gallery, in turns.
    let pages = ["/dashboard", "/api/list_photos", "/settings", "/login"];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); pages.len()];
    for _ in 0..40 {
        for (page, times) in pages.iter().zip(&mut times) {
            times.push(timed(&client, page).await.0);
        }
    }
    for (page, mut times) in pages.iter().zip(times) {
        println!(
            "{page:<16} afterwards, in turns: median {:.1} ms, p95 {:.1} ms",
            median(&mut times),
            percentile(&mut times, 0.95)
        );
    }
    client.db.drop().await.ok();

    // Throughput: one queue, drained by workers of each batch size in turns.
    let queued: usize = std::env::var("QUEUED_PHOTOS").ok().and_then(|n| n.parse().ok()).unwrap_or(200);
    // The app only takes the uploads: the workers of each turn are started beside it.
    let settings = helpers::settings(helpers::mongodb_uri(), Default::default());
    let batched = captioning_in(&Language::ALL).captions;
    let one_at_a_time = WorkerSettings { batch: 1, ..batched.clone() };
    let queue = helpers::spawn_app_with(settings).await.signed_up().await;
    let uploads = flickr8k_photos(30 + queued).split_off(30);
    for chunk in uploads.chunks(8) {
        futures::future::join_all(chunk.iter().map(|(n, b)| queue.upload_ok(n, b.clone()))).await;
    }
    println!("a queue of {queued} Flickr8k photos, {workers} workers, captions in every language:");
    let minutes = |seconds: f64| queued as f64 / seconds * 60.0;
    for round in 1..=2 {
        let single = minutes(drain_queue(&queue, &one_at_a_time).await);
        let together = minutes(drain_queue(&queue, &batched).await);
        println!(
            "round {round}: one photo at a time {single:.0} captions/min; up to {} at a time {together:.0} captions/min; ratio {:.2}x",
            batched.batch,
            together / single
        );
    }
    queue.db.drop().await.ok();
}
