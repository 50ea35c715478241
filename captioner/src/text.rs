//! The caption languages and their tokenisation live in the `languages` crate, which the app's
//! search shares.
pub use languages::{tokenize, Language};
