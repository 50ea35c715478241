//! Measures captioning as a user meets it (run by `scripts/bench-captions.sh`):
//! 1. the time from the start of an upload to the caption being stored, for a 12-megapixel
//!    JPEG and for a Flickr8k photo (median of several, one at a time);
//! 2. the dashboard's latency while 20 photos are being captioned, beside the same page's
//!    latency with nothing to caption, measured in the same run.
//!
//! It starts the real app in this process (on a random port, with the configured number of
//! caption workers) against `MONGODB_URI`, in a database of its own.

use std::{io::Cursor, time::{Duration, Instant}};

use app::ssr::AuthSettings;
use bson::{doc, oid::ObjectId, Document};
use image::{imageops::FilterType, DynamicImage, ImageFormat};
use leptos::prelude::LeptosOptions;
use reqwest::multipart;
use server::{caption_worker::WorkerSettings, configuration::Settings, startup::Application};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/flickr8k");

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

fn test_photos(n: usize) -> Vec<(String, Vec<u8>)> {
    let split = std::fs::read_to_string(format!("{SHARED}/Flickr_8k.testImages.txt")).expect("the shared Flickr8k data");
    split.lines().filter(|l| !l.trim().is_empty()).take(n).map(|name| (name.to_owned(), std::fs::read(format!("{SHARED}/Images/{name}")).unwrap())).collect()
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

struct Client {
    address: String,
    http: reqwest::Client,
    db: mongodb::Database,
}

impl Client {
    async fn sign_up(&self) {
        let name = format!("bench{}", ObjectId::new().to_hex());
        let email = format!("{name}@example.com");
        let form = [("username", name.as_str()), ("email", &email), ("password", "password-123"), ("password_confirmation", "password-123")];
        let res = self.http.post(format!("{}/api/signup", self.address)).header("Origin", &self.address).header("Accept", "application/json").form(&form).send().await.unwrap();
        assert!(res.status().is_success(), "sign-up: {}", res.status());
    }

    async fn upload(&self, name: &str, bytes: Vec<u8>) -> ObjectId {
        let form = multipart::Form::new().part("file", multipart::Part::bytes(bytes).file_name(name.to_owned()));
        let res = self.http.post(format!("{}/api/photos", self.address)).header("Origin", &self.address).multipart(form).send().await.unwrap();
        assert_eq!(res.status(), 201, "upload of {name}");
        let body: serde_json::Value = res.json().await.unwrap();
        ObjectId::parse_str(body["photo"]["id"].as_str().unwrap()).unwrap()
    }

    async fn state(&self, id: ObjectId) -> String {
        let photo: Document = self.db.collection("photos").find_one(doc! { "_id": id }).await.unwrap().unwrap();
        photo.get_document("job").unwrap().get_str("state").unwrap().to_owned()
    }

    /// Seconds from the start of the upload until the caption is stored.
    async fn upload_to_caption(&self, name: &str, bytes: Vec<u8>) -> f64 {
        let started = Instant::now();
        let id = self.upload(name, bytes).await;
        while self.state(id).await != "done" {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        started.elapsed().as_secs_f64()
    }

    async fn open_jobs(&self) -> u64 {
        app::ssr::caption_jobs::open_jobs(&self.db).await.unwrap()
    }

    /// Milliseconds for the dashboard's HTML, rendered on the server with the user's photos.
    async fn dashboard_ms(&self) -> f64 {
        let started = Instant::now();
        let res = self.http.get(format!("{}/dashboard", self.address)).header("Accept", "text/html").send().await.unwrap();
        assert!(res.status().is_success());
        let body = res.text().await.unwrap();
        assert!(body.contains("photo-tile") || body.contains("No photos yet"));
        started.elapsed().as_secs_f64() * 1000.0
    }
}

#[tokio::main]
async fn main() {
    let uri = std::env::var("MONGODB_URI").unwrap_or_else(|_| "mongodb://127.0.0.1:27017/?directConnection=true".into());
    let captions = WorkerSettings::default();
    let workers = captions.workers;
    let settings = Settings {
        leptos_options: LeptosOptions::builder().output_name("captioned").build(),
        address: "127.0.0.1:0".parse().unwrap(),
        mongodb_uri: uri,
        database: format!("bench_{}", ObjectId::new().to_hex()),
        public_origin: None,
        auth: AuthSettings::default(),
        captions,
    };
    let app = Application::build(settings).await.expect("the app starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.state().db.clone();
    tokio::spawn(app.run_until_stopped());
    let client = Client { address, http: reqwest::Client::builder().cookie_store(true).build().unwrap(), db: db.clone() };
    client.sign_up().await;
    println!("caption workers: {workers}; {} CPU cores", std::thread::available_parallelism().map(usize::from).unwrap_or(1));

    let photos = test_photos(30);
    // warm-up: the first caption pays for lazy initialisation
    client.upload_to_caption(&photos[29].0, photos[29].1.clone()).await;

    let mut small: Vec<f64> = Vec::new();
    for (name, bytes) in &photos[..7] {
        small.push(client.upload_to_caption(name, bytes.clone()).await);
    }
    let mut large: Vec<f64> = Vec::new();
    for (i, (name, bytes)) in photos[7..12].iter().enumerate() {
        let big = twelve_megapixels(bytes, i as u32 + 1);
        if i == 0 {
            println!("12-megapixel test JPEGs: {:.1} MB each", big.len() as f64 / 1e6);
        }
        large.push(client.upload_to_caption(&format!("big-{name}"), big).await);
    }
    println!("upload → caption stored, median of {} (Flickr8k, 224x224 JPEG): {:.0} ms", small.len(), median(&mut small) * 1000.0);
    println!("upload → caption stored, median of {} (12-megapixel JPEG):      {:.0} ms", large.len(), median(&mut large) * 1000.0);

    // The dashboard while 20 photos are being captioned, then with the same photos, all captioned.
    let uploads = photos[12..29].iter().chain(photos[..3].iter()).map(|(n, b)| client.upload(n, b.clone()));
    futures::future::join_all(uploads).await;
    let queued = client.open_jobs().await;
    let mut busy: Vec<f64> = Vec::new();
    let started = Instant::now();
    while client.open_jobs().await > 0 {
        busy.push(client.dashboard_ms().await);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drained = started.elapsed().as_secs_f64();
    let mut idle: Vec<f64> = Vec::new();
    for _ in 0..busy.len().max(40) {
        idle.push(client.dashboard_ms().await);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (idle_median, idle_p95) = (median(&mut idle), percentile(&mut idle, 0.95));
    let (busy_median, busy_p95) = (median(&mut busy), percentile(&mut busy, 0.95));
    println!(
        "dashboard while {queued} photos are captioned ({} requests over {drained:.1} s): median {busy_median:.1} ms, p95 {busy_p95:.1} ms",
        busy.len()
    );
    println!("dashboard afterwards, nothing to caption ({} requests): median {idle_median:.1} ms, p95 {idle_p95:.1} ms", idle.len());
    println!("ratio busy/idle: median {:.2}x, p95 {:.2}x", busy_median / idle_median, busy_p95 / idle_p95);
    db.drop().await.ok();
}
