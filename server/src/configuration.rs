//! Settings from environment variables, each with a default (listed in the README).

use std::net::SocketAddr;

use std::{path::PathBuf, time::Duration};

use app::ssr::AuthSettings;

use crate::caption_worker::WorkerSettings;
use leptos::prelude::LeptosOptions;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} has an invalid value {value:?}: {why}")]
    Invalid { name: &'static str, value: String, why: String },
    #[error("leptos configuration: {0}")]
    Leptos(String),
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub leptos_options: LeptosOptions,
    /// Where to listen; `LEPTOS_SITE_ADDR`, default 127.0.0.1:3000. Port 0 picks a free port.
    pub address: SocketAddr,
    /// `MONGODB_URI`: any MongoDB server.
    pub mongodb_uri: String,
    /// `MONGODB_DATABASE`, default `captioned`.
    pub database: String,
    /// `PUBLIC_ORIGIN`, e.g. `https://photos.example.com`: the origin browsers see behind a
    /// reverse proxy. Requests from it pass the same-origin check as well as the Host's own.
    pub public_origin: Option<String>,
    pub auth: AuthSettings,
    pub captions: WorkerSettings,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(value) => value.trim().parse().map_err(|e: T::Err| ConfigError::Invalid { name, why: e.to_string(), value }),
    }
}

fn parse_bool(name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match var(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
        Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
        Some(value) => Err(ConfigError::Invalid { name, value, why: "expected true or false".into() }),
    }
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        let conf = leptos::prelude::get_configuration(None).map_err(|e| ConfigError::Leptos(e.to_string()))?;
        let leptos_options = conf.leptos_options;
        let public_origin = var("PUBLIC_ORIGIN").map(|o| o.trim_end_matches('/').to_owned());
        let defaults = AuthSettings::default();
        Ok(Self {
            address: leptos_options.site_addr,
            leptos_options,
            mongodb_uri: var("MONGODB_URI")
                .unwrap_or_else(|| "mongodb://127.0.0.1:27017/?directConnection=true".to_owned()),
            database: var("MONGODB_DATABASE").unwrap_or_else(|| "captioned".to_owned()),
            auth: AuthSettings {
                // Secure cookies whenever the public origin is HTTPS, unless set explicitly.
                cookie_secure: parse_bool(
                    "COOKIE_SECURE",
                    public_origin.as_deref().is_some_and(|o| o.starts_with("https://")),
                )?,
                session_hours: parse("SESSION_HOURS", defaults.session_hours)?,
                remember_days: parse("REMEMBER_DAYS", defaults.remember_days)?,
                attempts_per_minute: parse("AUTH_ATTEMPTS_PER_MINUTE", defaults.attempts_per_minute)?,
            },
            public_origin,
            captions: caption_settings()?,
        })
    }
}

fn caption_settings() -> Result<WorkerSettings, ConfigError> {
    let defaults = WorkerSettings::default();
    let mut model = defaults.model.clone();
    if let Some(dir) = var("CAPTION_MODEL_DIR") {
        model.decoder_dir = PathBuf::from(dir);
    }
    if let Some(path) = var("CAPTION_VGG16") {
        model.vgg16 = PathBuf::from(path);
    }
    let lease_seconds: u64 = parse("CAPTION_LEASE_SECONDS", defaults.lease.as_secs())?;
    if lease_seconds == 0 {
        return Err(ConfigError::Invalid { name: "CAPTION_LEASE_SECONDS", value: "0".into(), why: "must be at least 1".into() });
    }
    Ok(WorkerSettings {
        workers: parse("CAPTION_WORKERS", defaults.workers)?,
        lease: Duration::from_secs(lease_seconds),
        beam: parse("CAPTION_BEAM", defaults.beam)?.max(1),
        model,
        // its parse error already says "use flex or ndarray"
        backend: parse("CAPTIONER_BACKEND", defaults.backend)?,
        ..defaults
    })
}
