//! Structured logs with `tracing`; `RUST_LOG` sets the level (default `info`).

use tracing_subscriber::{fmt, EnvFilter};

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,tower_http=info"));
    // try_init: tests build several applications in one process.
    let _ = fmt().with_env_filter(filter).with_target(false).try_init();
}
