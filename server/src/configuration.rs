//! Settings from environment variables, each with a default (listed in the README). Every
//! setting of the server is defined here; secrets are types that never print themselves.

use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use app::ssr::{upload_gate::UploadSettings, AuthSettings};
use captioner::{
    backend::Backend,
    inference::{ModelPaths, MODELS_DIR},
    text::Language,
};
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
    pub mongodb_uri: MongoUri,
    /// `MONGODB_DATABASE`, default `captioned`.
    pub database: String,
    /// `PUBLIC_ORIGIN`, e.g. `https://photos.example.com`: the origin browsers see behind a
    /// reverse proxy. Requests from it pass the same-origin check as well as the Host's own.
    pub public_origin: Option<String>,
    pub auth: AuthSettings,
    pub uploads: UploadSettings,
    pub captions: WorkerSettings,
}

/// A MongoDB connection string. It may hold a password, so `Debug` and `Display` show it with
/// the credentials masked; only `expose` gives the real string, to the driver.
#[derive(Clone, PartialEq, Eq)]
pub struct MongoUri(String);

impl MongoUri {
    pub fn new(uri: impl Into<String>) -> Self {
        Self(uri.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MongoUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let uri = &self.0;
        match (uri.find("://"), uri.rfind('@')) {
            (Some(scheme_end), Some(at)) if at > scheme_end => {
                write!(f, "{}://***@{}", &uri[..scheme_end], &uri[at + 1..])
            }
            _ => f.write_str(uri),
        }
    }
}

impl fmt::Debug for MongoUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MongoUri({self})")
    }
}

/// How the caption workers run.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Caption threads in this process (0: this process only serves pages).
    pub workers: usize,
    /// The most waiting photos a worker captions at once (their beam searches share each step).
    pub batch: usize,
    /// How long a claimed job stays reserved for its worker after the worker last renewed it
    /// (it renews every third of this while it captions); then another worker may take it over.
    pub lease: Duration,
    /// How often an idle worker looks for jobs queued by other processes.
    pub poll_every: Duration,
    /// Beam width for every language (`None`: each model's own, chosen on dev), and how many of
    /// the best captions are kept as suggestions.
    pub beam: Option<usize>,
    pub suggestions: usize,
    pub model: ModelPaths,
    pub backend: Backend,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            workers: std::thread::available_parallelism().map(usize::from).unwrap_or(1),
            batch: 8,
            lease: Duration::from_secs(120),
            poll_every: Duration::from_secs(2),
            beam: None,
            suggestions: 3,
            model: ModelPaths::shipped(),
            backend: Backend::default(),
        }
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    Ok(parse_if_set(name)?.unwrap_or(default))
}

fn parse_if_set<T: std::str::FromStr>(name: &'static str) -> Result<Option<T>, ConfigError>
where
    T::Err: std::fmt::Display,
{
    var(name)
        .map(|value| value.trim().parse().map_err(|e: T::Err| ConfigError::Invalid { name, why: e.to_string(), value }))
        .transpose()
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
            mongodb_uri: MongoUri::new(
                var("MONGODB_URI").unwrap_or_else(|| "mongodb://127.0.0.1:27017/?directConnection=true".to_owned()),
            ),
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
            uploads: upload_settings()?,
            captions: caption_settings()?,
        })
    }
}

fn upload_settings() -> Result<UploadSettings, ConfigError> {
    let defaults = UploadSettings::default();
    let quota_mb: u64 = parse("STORAGE_QUOTA_MB", defaults.quota_bytes / (1024 * 1024))?;
    Ok(UploadSettings {
        decodes_at_once: parse("UPLOAD_DECODES_AT_ONCE", defaults.decodes_at_once)?.max(1),
        per_user_at_once: parse("UPLOADS_PER_USER_AT_ONCE", defaults.per_user_at_once)?.max(1),
        per_hour: parse("UPLOADS_PER_HOUR", defaults.per_hour)?,
        quota_bytes: quota_mb * 1024 * 1024,
    })
}

/// `CAPTION_LANGUAGES`: the languages photos are captioned in, by code ("en,zh,de,ar", the
/// default). English, the photo's main caption, is always one of them.
fn caption_languages() -> Result<Vec<Language>, ConfigError> {
    let Some(value) = var("CAPTION_LANGUAGES") else { return Ok(Language::ALL.to_vec()) };
    let mut languages = vec![Language::En];
    for code in value.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let language: Language = code.parse().map_err(|why| ConfigError::Invalid {
            name: "CAPTION_LANGUAGES",
            value: value.clone(),
            why,
        })?;
        if !languages.contains(&language) {
            languages.push(language);
        }
    }
    Ok(languages)
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
    model.more_languages = caption_languages()?
        .into_iter()
        .filter(|language| *language != Language::En)
        .map(|language| {
            var(&format!("CAPTION_MODEL_DIR_{}", language.code().to_ascii_uppercase()))
                .map_or_else(|| ModelPaths::shipped_decoder(Path::new(MODELS_DIR), language), PathBuf::from)
        })
        .collect();
    let lease_seconds: u64 = parse("CAPTION_LEASE_SECONDS", defaults.lease.as_secs())?;
    if lease_seconds == 0 {
        return Err(ConfigError::Invalid {
            name: "CAPTION_LEASE_SECONDS",
            value: "0".into(),
            why: "must be at least 1".into(),
        });
    }
    Ok(WorkerSettings {
        workers: parse("CAPTION_WORKERS", defaults.workers)?,
        batch: parse::<usize>("CAPTION_BATCH", defaults.batch)?.max(1),
        lease: Duration::from_secs(lease_seconds),
        beam: parse_if_set::<usize>("CAPTION_BEAM")?.map(|beam| beam.max(1)),
        model,
        // its parse error already says "use flex or ndarray"
        backend: parse("CAPTIONER_BACKEND", defaults.backend)?,
        ..defaults
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `CAPTION_BEAM` and its kind: unset is no override (each model's own beam), not a default.
    #[test]
    fn a_setting_that_may_be_left_unset_is_none_until_set_and_rejected_when_malformed() {
        // a name of this test's own: the environment is shared by the tests running beside it
        let name = "CAPTIONED_TEST_PARSE_IF_SET";
        std::env::remove_var(name);
        assert_eq!(parse_if_set::<usize>(name).unwrap(), None);
        std::env::set_var(name, " 5 ");
        assert_eq!(parse_if_set::<usize>(name).unwrap(), Some(5));
        std::env::set_var(name, "five");
        assert!(matches!(parse_if_set::<usize>(name), Err(ConfigError::Invalid { name: n, .. }) if n == name));
        std::env::remove_var(name);
    }

    #[test]
    fn a_mongodb_uri_never_prints_its_credentials() {
        let uri = MongoUri::new("mongodb://u:secret@host:27017/db");
        assert_eq!(uri.to_string(), "mongodb://***@host:27017/db");
        assert!(!format!("{uri:?}").contains("secret"));
        assert_eq!(uri.expose(), "mongodb://u:secret@host:27017/db");
        assert_eq!(MongoUri::new("mongodb://host").to_string(), "mongodb://host");
    }
}
