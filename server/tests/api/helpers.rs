//! The integration tests' one set of helpers: a real MongoDB server (MONGODB_URI, started by
//! scripts/test.sh), a fresh database per test, the app spawned on a random port, a second server
//! on the same database, database servers of a test's own, and the tests' own photos.
// The caption latency benchmark (server/examples) includes this file too and uses only part of it.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use app::ssr::{db, upload_gate::UploadSettings, AuthSettings};
use bson::{doc, oid::ObjectId, Document};
use captioner::inference::ModelPaths;
use futures::TryStreamExt;
use leptos::prelude::LeptosOptions;
use mongodb::Database;
use reqwest::{multipart, StatusCode};
use serde_json::Value;
use server::{
    configuration::{MongoUri, Settings, WorkerSettings},
    startup::Application,
};

/// The workspace root: where the server runs from, as it would from an unpacked release.
pub fn workspace() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn mongodb_uri() -> String {
    std::env::var("MONGODB_URI").unwrap_or_else(|_| "mongodb://127.0.0.1:27017/?directConnection=true".to_owned())
}

pub fn fresh_database_name() -> String {
    format!("test_{}", ObjectId::new().to_hex())
}

/// A new, empty database with the app's indexes.
pub async fn fresh_db() -> Database {
    let uri = mongodb_uri();
    let db = db::connect(&uri, &fresh_database_name()).await.expect("MONGODB_URI must name a running server");
    db::ensure_indexes(&db)
        .await
        .unwrap_or_else(|e| panic!("no MongoDB server at {uri} (scripts/test.sh starts one): {e}"));
    db
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    /// Follows no redirects and keeps cookies, like a browser tab that shows each step.
    pub client: reqwest::Client,
    pub db: Database,
}

pub fn settings(mongodb_uri: String, auth: AuthSettings) -> Settings {
    Settings {
        leptos_options: LeptosOptions::builder().output_name("captioned").build(),
        address: "127.0.0.1:0".parse().unwrap(),
        mongodb_uri: MongoUri::new(mongodb_uri),
        database: fresh_database_name(),
        public_origin: None,
        auth,
        uploads: UploadSettings::default(),
        // Most tests have no use for captions: they run without workers unless they ask.
        captions: WorkerSettings {
            workers: 0,
            model: ModelPaths::shipped_in(&workspace().join("models")),
            ..WorkerSettings::default()
        },
    }
}

/// Settings for a server that captions with `workers` workers, quick to take over dead leases.
pub fn captioning_settings(workers: usize) -> Settings {
    let mut settings = settings(mongodb_uri(), AuthSettings::default());
    settings.captions.workers = workers;
    settings.captions.lease = Duration::from_secs(5);
    settings.captions.poll_every = Duration::from_millis(200);
    settings
}

/// Follows no redirects and keeps cookies, like a browser tab that shows each step.
pub fn browser_like_client() -> reqwest::Client {
    browser_like_client_from(None)
}

/// The same, its connections made from `local` (an address of the loopback range, 127.0.0.0/8):
/// another client address, as the rate limits see it.
pub fn browser_like_client_from(local: Option<std::net::IpAddr>) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .local_address(local)
        // A request the server never answers fails its test, naming the URL, instead of holding
        // the whole run until CI gives up on it.
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

pub async fn spawn_app_with(settings: Settings) -> TestApp {
    server::telemetry::init();
    let app = Application::build(settings).await.expect("app starts");
    let port = app.port();
    let db = app.state().db.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp { address: format!("http://127.0.0.1:{port}"), port, client: browser_like_client(), db }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(settings(mongodb_uri(), AuthSettings::default())).await
}

impl TestApp {
    /// A second server on this one's database, with `workers` caption workers.
    pub async fn second_server(&self, workers: usize) -> TestApp {
        self.second_server_with(captioning_settings(workers)).await
    }

    /// A second server on this one's database, with these settings otherwise.
    pub async fn second_server_with(&self, mut settings: Settings) -> TestApp {
        settings.database = self.db.name().to_owned();
        spawn_app_with(settings).await
    }

    /// The stored document of a photo.
    pub async fn photo_doc(&self, id: &str) -> Document {
        let id = ObjectId::parse_str(id).expect("a photo id");
        self.db
            .collection::<Document>("photos")
            .find_one(doc! { "_id": id })
            .await
            .unwrap()
            .expect("the photo is stored")
    }

    /// Another browser on the same server: no cookies, so another user once signed up.
    pub fn another_client(&self) -> TestApp {
        TestApp { address: self.address.clone(), port: self.port, client: browser_like_client(), db: self.db.clone() }
    }

    /// Another browser on another machine: connections from `local`, a loopback address.
    pub fn client_from(&self, local: &str) -> TestApp {
        let local = local.parse().expect("an IP address");
        TestApp { client: browser_like_client_from(Some(local)), ..self.another_client() }
    }

    pub async fn upload(&self, name: &str, bytes: Vec<u8>) -> reqwest::Response {
        let form = multipart::Form::new().part("file", multipart::Part::bytes(bytes).file_name(name.to_owned()));
        self.client
            .post(format!("{}/api/photos", self.address))
            .header("Origin", &self.address)
            .multipart(form)
            .send()
            .await
            .expect("request")
    }

    pub async fn signed_up(self) -> Self {
        let name = format!("u{}", bson::oid::ObjectId::new().to_hex());
        let res = self.signup(&name, &format!("{name}@example.com"), "password-123").await;
        assert!(res.status().is_success());
        self
    }

    /// Uploads and returns the new photo's id.
    pub async fn upload_ok(&self, name: &str, bytes: Vec<u8>) -> String {
        let res = self.upload(name, bytes).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.unwrap();
        body["photo"]["id"].as_str().unwrap().to_owned()
    }

    pub async fn media(&self, id: &str, variant: &str) -> reqwest::Response {
        self.client.get(format!("{}/media/{id}/{variant}", self.address)).send().await.unwrap()
    }

    pub async fn stored_counts(&self) -> (u64, u64, u64) {
        let count = |name: &'static str| async move {
            self.db.collection::<bson::Document>(name).count_documents(doc! {}).await.unwrap()
        };
        (count("photos").await, count("photos.files").await, count("photos.chunks").await)
    }

    /// Calls a server function the way the hydrated page does (a same-origin form post).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.post_form_with(path, form, &[("Accept", "application/json")]).await
    }

    /// A same-origin form post with `headers` (`Accept: text/html` for a form posted without
    /// JavaScript, `Accept-Language`, …).
    pub async fn post_form_with(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self.client.post(format!("{}{path}", self.address)).header("Origin", &self.address);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.form(form).send().await.expect("request")
    }

    pub async fn signup(&self, username: &str, email: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/api/signup",
            &[("username", username), ("email", email), ("password", password), ("password_confirmation", password)],
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str, remember: bool) -> reqwest::Response {
        let mut form = vec![("email", email), ("password", password)];
        if remember {
            form.push(("remember", "on"));
        }
        self.post_form("/api/login", &form).await
    }

    /// The username the server sees for this client's cookie, if any.
    pub async fn whoami(&self) -> Option<String> {
        let body: serde_json::Value = self.post_form("/api/current_user", &[]).await.json().await.unwrap();
        body.get("username").and_then(|u| u.as_str()).map(str::to_owned)
    }

    /// The owner's view of one of their photos, as `get_photo` answers it.
    pub async fn owned_photo(&self, id: &str) -> Value {
        let page: Value = self.post_form("/api/get_photo", &[("id", id)]).await.json().await.unwrap();
        page.get("Owned").unwrap_or_else(|| panic!("the owner's view of their photo: {page}")).clone()
    }

    /// GETs a page the way a browser navigates to it.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.address)).header("Accept", "text/html").send().await.expect("request")
    }
}

/// `n` photos (name and bytes) made from the tests' own fixtures (`fixtures/photos/`, no data set
/// needed), cycling through them with distinct names when `n` is larger than the set.
pub fn fixture_photos(n: usize) -> Vec<(String, Vec<u8>)> {
    let dir = workspace().join("fixtures/photos");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the tests' photos are in {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".jpg"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no photos in {}", dir.display());
    (0..n)
        .map(|i| {
            let name = &names[i % names.len()];
            let bytes = std::fs::read(dir.join(name)).expect("a fixture photo");
            let round = i / names.len();
            (if round == 0 { name.clone() } else { format!("{round}-{name}") }, bytes)
        })
        .collect()
}

/// The photo ids of a page answered by `list_photos` (or any page of photo summaries), in order.
pub fn ids(page: &Value) -> Vec<String> {
    page["photos"].as_array().expect("a page of photos").iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect()
}

/// A free TCP port on the loopback interface.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The real server binary in a process of its own, run from the workspace root as from an
/// unpacked release (the model is found under models/). Killed when dropped.
pub struct ServerProcess {
    pub address: String,
    child: Option<std::process::Child>,
}

impl ServerProcess {
    /// Starts it on `port` with database `database` of `MONGODB_URI`, and `env` on top.
    pub fn start(port: u16, database: &str, env: &[(&str, &str)]) -> Self {
        // Integration tests get the binary from cargo; the benchmark examples name a release build.
        let binary = option_env!("CARGO_BIN_EXE_server")
            .map(std::path::PathBuf::from)
            .or_else(|| std::env::var_os("CAPTIONED_SERVER_BINARY").map(Into::into))
            .expect("CAPTIONED_SERVER_BINARY names the server binary");
        let child = std::process::Command::new(binary)
            .current_dir(workspace())
            .env("LEPTOS_OUTPUT_NAME", "captioned")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("MONGODB_URI", mongodb_uri())
            .env("MONGODB_DATABASE", database)
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the server binary starts");
        Self { address: format!("http://127.0.0.1:{port}"), child: Some(child) }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub async fn wait_until_healthy(&self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if reqwest::get(format!("{}/healthz", self.address)).await.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server at {} did not become healthy", self.address);
    }

    /// SIGKILL, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A database server of a test's own (SecantusDB, as scripts/test.sh starts), so that stopping it
/// disturbs no other test. Stopped when dropped.
pub struct DatabaseServer {
    pub port: u16,
    storage: String,
    child: Option<std::process::Child>,
}

impl DatabaseServer {
    /// A throwaway server in memory.
    pub async fn in_memory() -> Self {
        Self::start_on(free_port(), ":memory:".to_owned()).await
    }

    /// A server that keeps its data in `dir`, so that it can be killed and started again.
    pub async fn on_disk(dir: &std::path::Path) -> Self {
        Self::start_on(free_port(), dir.display().to_string()).await
    }

    /// Starts a killed server again on the same port and storage.
    pub async fn restart(&mut self) {
        self.kill();
        *self = Self::start_on(self.port, self.storage.clone()).await;
    }

    async fn start_on(port: u16, storage: String) -> Self {
        let secantusd = workspace().join(".venv-mongo/bin/secantusd-py");
        let child = std::process::Command::new(secantusd)
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--storage-path", &storage, "--standalone"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("scripts/setup.sh installs SecantusDB into .venv-mongo");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "the database server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { port, storage, child: Some(child) }
    }

    /// A connection string that gives up after a second when the server is gone.
    pub fn uri(&self) -> String {
        format!("mongodb://127.0.0.1:{}/?directConnection=true&serverSelectionTimeoutMS=1000", self.port)
    }

    /// Kills the server (SIGKILL, as a crash would).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for DatabaseServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The photo documents of a database.
pub async fn photo_docs(db: &Database) -> Vec<Document> {
    db.collection::<Document>("photos").find(doc! {}).await.unwrap().try_collect().await.unwrap()
}

/// Waits until every photo's caption job has finished (done or failed); panics after `limit`.
pub async fn wait_until_captioned(db: &Database, limit: Duration) -> Vec<Document> {
    let started = Instant::now();
    loop {
        let docs = photo_docs(db).await;
        let open = docs.iter().filter(|d| matches!(job(d).get_str("state"), Ok("pending" | "running"))).count();
        if open == 0 {
            return docs;
        }
        assert!(started.elapsed() < limit, "{open} of {} caption jobs still open after {limit:?}", docs.len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The caption job of a photo document.
pub fn job(photo: &Document) -> &Document {
    photo.get_document("job").expect("every photo has a caption job")
}

/// A PNG of `width` x `height` black pixels: tiny on the wire, as large as allowed when decoded.
pub fn blank_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image::RgbImage::new(width, height))
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// A 2200 x 2200 PNG of noise (about 14 MB, incompressible), different for each `seed`.
pub fn noise_png(seed: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(2200, 2200, |x, y| {
        let v = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503) ^ seed).wrapping_mul(2_246_822_519);
        image::Rgb([(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The resident-memory high-water mark of a process, in MB.
pub fn peak_memory_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
    line.split_whitespace().nth(1).unwrap().parse::<f64>().unwrap() / 1024.0
}

/// GridFS files that no photo refers to, and chunks that belong to no file.
pub async fn count_orphans(db: &Database) -> (usize, u64) {
    let referenced: std::collections::HashSet<ObjectId> = photo_docs(db)
        .await
        .iter()
        .flat_map(|p| {
            let files = p.get_document("files").unwrap();
            ["original", "display", "thumb"].map(|k| files.get_object_id(k).unwrap())
        })
        .collect();
    let files: Vec<ObjectId> = db
        .collection::<Document>("photos.files")
        .find(doc! {})
        .await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .iter()
        .map(|f| f.get_object_id("_id").unwrap())
        .collect();
    let stray_files = files.iter().filter(|id| !referenced.contains(id)).count();
    let stray_chunks = db
        .collection::<Document>("photos.chunks")
        .count_documents(doc! { "files_id": { "$nin": &files } })
        .await
        .unwrap();
    (stray_files, stray_chunks)
}

/// Stored files whose bytes do not add up to their recorded length.
pub async fn damaged_files(db: &Database) -> usize {
    use futures::AsyncReadExt;
    let files: Vec<Document> =
        db.collection::<Document>("photos.files").find(doc! {}).await.unwrap().try_collect().await.unwrap();
    let mut damaged = 0;
    for file in &files {
        let length = file.get_i64("length").unwrap_or_else(|_| i64::from(file.get_i32("length").unwrap_or(-1)));
        let mut bytes = Vec::new();
        let whole = match app::ssr::photos::bucket(db).open_download_stream(file.get("_id").unwrap().clone()).await {
            Ok(mut stream) => stream.read_to_end(&mut bytes).await.is_ok() && bytes.len() as i64 == length,
            Err(_) => false,
        };
        damaged += usize::from(!whole);
    }
    damaged
}

/// The README's memory bound for uploads, in MB: idle + UPLOAD_DECODES_AT_ONCE x 450 MB + 20 MB a
/// body in progress.
pub fn upload_memory_bound_mb(idle_mb: f64, decodes_at_once: usize, bodies_in_progress: usize) -> f64 {
    idle_mb + decodes_at_once as f64 * 450.0 + bodies_in_progress as f64 * 20.0
}

/// The worst uploads we accept and refuse, from four new users of `app` at once, two of each per
/// user: the largest image accepted (a 7000 x 7000 PNG, 49 megapixels) and the GIF whose 10 x 10
/// canvas hid a 10000 x 10000 frame. Each upload's name and answer.
pub async fn upload_worst_files(app: &TestApp) -> Vec<(&'static str, StatusCode)> {
    let big = blank_png(7000, 7000);
    let bomb = app::ssr::imaging::hostile::gif_with_oversized_frame(10, 10, 10_000, 10_000);
    let mut users = Vec::new();
    for _ in 0..4 {
        users.push(app.another_client().signed_up().await);
    }
    let uploads = users.iter().flat_map(|user| {
        [("big-1.png", &big), ("big-2.png", &big), ("bomb-1.gif", &bomb), ("bomb-2.gif", &bomb)]
            .map(|(name, bytes)| async move { (name, user.upload(name, bytes.clone()).await.status()) })
    });
    futures::future::join_all(uploads).await
}

/// The median of measurements (the benchmarks' statistics).
pub fn median(values: &mut [f64]) -> f64 {
    percentile(values, 0.5)
}

/// The `p` quantile (0..=1) of measurements, nearest rank.
pub fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

/// Returns once the current minute of clock time has at least `seconds` left (waiting for the
/// next one if need be): a test of a per-minute limit, which counts in fixed windows, then makes
/// its attempts within one window.
pub async fn wait_for_a_minute_with_seconds_left(seconds: u64) {
    let into_minute_ms = (bson::DateTime::now().timestamp_millis() % 60_000) as u64;
    if into_minute_ms + seconds * 1000 > 60_000 {
        tokio::time::sleep(Duration::from_millis(60_000 - into_minute_ms + 50)).await;
    }
}
