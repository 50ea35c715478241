//! The Captioned server: configuration, telemetry, start-up and the caption workers around the
//! `app` crate.

pub mod caption_worker;
pub mod configuration;
pub mod health;
pub mod media;
pub mod page_language;
pub mod same_origin;
pub mod security_headers;
pub mod server_fn_status;
pub mod site_files;
pub mod startup;
pub mod telemetry;
