//! The Captioned server: configuration, telemetry and start-up around the `app` crate.

pub mod configuration;
pub mod health;
pub mod media;
pub mod same_origin;
pub mod startup;
pub mod telemetry;
