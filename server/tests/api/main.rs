//! The server's integration tests, one binary (each binary links the whole app: one link instead
//! of five on 2 cores). Every test gets a database of its own on the real MongoDB server that
//! scripts/test.sh starts (`MONGODB_URI`).

mod accounts;
mod captions;
mod crash_recovery;
mod hardening;
mod helpers;
mod http;
mod languages;
mod photos;
mod sharing;
