//! Builds the application (database, indexes, routes, middleware) and serves it until SIGTERM
//! or Ctrl-C.

use std::{net::SocketAddr, time::Duration};

use app::{
    shell,
    ssr::{accounts, db, photos, AppState},
    App,
};
use axum::{
    extract::DefaultBodyLimit,
    middleware,
    routing::{get, post},
    Router,
};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::{TcpListener, TcpSocket};
use tower_http::trace::TraceLayer;

use crate::{
    caption_worker::{self, Workers},
    configuration::{MongoUri, Settings},
    health, media, page_language, same_origin, security_headers, server_fn_status, site_files,
};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot reach MongoDB at {uri}: {source}")]
    Database { uri: MongoUri, source: mongodb::error::Error },
    #[error("cannot caption photos: {0}. Set CAPTION_MODEL_DIR / CAPTION_VGG16 (and CAPTION_LANGUAGES, CAPTION_MODEL_DIR_ZH, …), or CAPTION_WORKERS=0 to serve without captioning")]
    Model(String),
    #[error("cannot listen on {address}: {source}")]
    Listen { address: SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Serve(#[from] std::io::Error),
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    workers: Workers,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        // The model first: a server that cannot caption should say so before anything else.
        let model = match settings.captions.workers {
            0 => None,
            _ => Some(
                caption_worker::load_model(&settings.captions.model, settings.captions.backend)
                    .map_err(StartupError::Model)?,
            ),
        };
        let database = |source| StartupError::Database { uri: settings.mongodb_uri.clone(), source };
        let db = db::connect(settings.mongodb_uri.expose(), &settings.database).await.map_err(database)?;
        db::ensure_indexes(&db).await.map_err(database)?;
        db::migrate(&db).await.map_err(database)?;
        accounts::warm_up().await;

        let listener = listen_sending_at_once(settings.address)
            .map_err(|source| StartupError::Listen { address: settings.address, source })?;
        let mut leptos_options = settings.leptos_options.clone();
        leptos_options.site_addr = listener.local_addr()?;
        let mut state = AppState::new(leptos_options, db, settings.auth.clone(), settings.uploads.clone());
        state.public_origin = settings.public_origin.clone();
        let router = router(state.clone(), settings.public_origin.clone());
        let workers = Workers::start(state.db.clone(), model, &settings.captions, state.caption_queued.clone());
        Ok(Self { listener, router, state, workers })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run_until_stopped(self) -> Result<(), StartupError> {
        tracing::info!("listening on http://{}", self.listener.local_addr()?);
        let sweeper = tokio::spawn(sweep_orphans_periodically(self.state.db.clone()));
        axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        sweeper.abort();
        // Captions in progress are stored; anything left is picked up again after the lease.
        self.workers.stop(Duration::from_secs(10)).await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// A listener on `address` whose connections send each write at once (TCP_NODELAY, which
/// accepted sockets take from the listening one). With Nagle's algorithm a streamed page's second
/// small write waits for the browser's delayed ACK of the first: up to 40 ms added to a page now
/// and then (the dashboard's p95 while photos were captioned went from 68 to 36 ms).
fn listen_sending_at_once(address: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if address.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    // as TcpListener::bind does: a restarted server may bind while old connections linger
    socket.set_reuseaddr(true)?;
    socket.set_nodelay(true)?;
    socket.bind(address)?;
    socket.listen(1024)
}

fn router(state: AppState, public_origin: Option<String>) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route(
            "/api/photos",
            post(media::upload).layer(DefaultBodyLimit::max(app::ssr::imaging::MAX_BYTES + media::MULTIPART_OVERHEAD)),
        )
        .route("/media/{id}/{variant}", get(media::image))
        .route("/s/{token}/{variant}", get(media::shared_image))
        .leptos_routes(&state, routes, move || shell(leptos_options.clone()))
        .layer(middleware::from_fn(server_fn_status::error_status))
        .fallback(site_files::site_file)
        .layer(middleware::from_fn_with_state(state.db.clone(), page_language::resolve))
        .layer(middleware::from_fn_with_state(public_origin.clone(), same_origin::require_same_origin))
        .layer(middleware::from_fn_with_state(
            security_headers::Https(public_origin.as_deref().is_some_and(|o| o.starts_with("https://"))),
            security_headers::add_security_headers,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// At start-up and then every ten minutes: removes the GridFS files and chunks of uploads that
/// failed half-way (a database outage can keep an upload's own cleanup from running).
async fn sweep_orphans_periodically(db: mongodb::Database) {
    let mut every = tokio::time::interval(Duration::from_secs(10 * 60));
    loop {
        every.tick().await;
        match photos::sweep_orphans(&db, media::UPLOAD_TIMEOUT * 2).await {
            Ok(swept) if swept != photos::Swept::default() => {
                tracing::info!(files = swept.files, chunks = swept.chunks, "orphaned upload files removed")
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(%err, "the orphan sweep could not run; it will try again"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_app_sends_each_write_of_a_response_at_once() {
        let listener = listen_sending_at_once("127.0.0.1:0".parse().unwrap()).unwrap();
        let _browser = tokio::net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let (connection, _) = listener.accept().await.unwrap();
        assert!(connection.nodelay().unwrap(), "Nagle's algorithm is off on accepted connections");
    }
}
