//! Shared by the integration tests: a real MongoDB server (MONGODB_URI, started by
//! scripts/test.sh), a fresh database per test, and the app spawned on a random port.
#![allow(dead_code)]

use app::ssr::{db, AuthSettings};
use bson::oid::ObjectId;
use leptos::prelude::LeptosOptions;
use mongodb::Database;
use server::{configuration::Settings, startup::Application};

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
    }
}

pub async fn spawn_app_with(settings: Settings) -> TestApp {
    server::telemetry::init();
    let app = Application::build(settings).await.expect("app starts");
    let port = app.port();
    let db = app.state().db.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap(),
        db,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(settings(mongodb_uri(), AuthSettings::default())).await
}

impl TestApp {
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
