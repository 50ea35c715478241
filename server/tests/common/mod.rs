//! Shared by the integration tests: a real MongoDB server (MONGODB_URI, started by
//! scripts/test.sh), a fresh database per test, and the app spawned on a random port.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use app::ssr::{db, AuthSettings};
use bson::{doc, oid::ObjectId, Document};
use futures::TryStreamExt;
use leptos::prelude::LeptosOptions;
use mongodb::Database;
use reqwest::{multipart, StatusCode};
use serde_json::Value;
use server::{caption_worker::WorkerSettings, configuration::Settings, startup::Application};

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
    db::ensure_indexes(&db).await.unwrap_or_else(|e| panic!("no MongoDB server at {uri} (scripts/test.sh starts one): {e}"));
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
        mongodb_uri,
        database: fresh_database_name(),
        public_origin: None,
        auth,
        // Most tests have no use for captions: they run without workers unless they ask.
        captions: WorkerSettings { workers: 0, ..WorkerSettings::default() },
    }
}

/// Settings for a server that captions with `workers` workers, quick to take over dead leases.
pub fn captioning_settings(workers: usize) -> Settings {
    let mut settings = settings(mongodb_uri(), AuthSettings::default());
    settings.captions = WorkerSettings {
        workers,
        lease: std::time::Duration::from_secs(5),
        poll_every: std::time::Duration::from_millis(200),
        ..WorkerSettings::default()
    };
    settings
}

/// Follows no redirects and keeps cookies, like a browser tab that shows each step.
pub fn browser_like_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).cookie_store(true).build().unwrap()
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
    /// Another browser on the same server: no cookies, so another user once signed up.
    pub fn another_client(&self) -> TestApp {
        TestApp { address: self.address.clone(), port: self.port, client: browser_like_client(), db: self.db.clone() }
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
        self.client
            .post(format!("{}{path}", self.address))
            .header("Origin", &self.address)
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("request")
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

    /// GETs a page the way a browser navigates to it.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.address)).header("Accept", "text/html").send().await.expect("request")
    }
}

/// `n` photos of the shared Flickr8k test split (name and bytes), in the split file's order.
pub fn flickr8k_photos(n: usize) -> Vec<(String, Vec<u8>)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/flickr8k");
    let split = std::fs::read_to_string(root.join("Flickr_8k.testImages.txt"))
        .unwrap_or_else(|e| panic!("the shared Flickr8k data set is needed at {}: {e}", root.display()));
    split
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(n)
        .map(|name| (name.to_owned(), std::fs::read(root.join("Images").join(name)).expect("a shared photo")))
        .collect()
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
