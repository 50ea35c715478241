//! Asking the server again while captions are being written (the gallery and the photo page).

use std::time::Duration;

use leptos::prelude::*;

/// How often a page asks for the captions it is waiting for.
pub const CAPTION_POLL_INTERVAL: Duration = Duration::from_millis(1500);

/// Runs `tick` every `period` in the browser (never during server rendering), until the owner
/// of the calling component is cleaned up.
pub fn every(period: Duration, tick: impl Fn() + Clone + 'static) {
    Effect::new(move |_| {
        let handle = set_interval_with_handle(tick.clone(), period).ok();
        on_cleanup(move || {
            if let Some(handle) = handle {
                handle.clear();
            }
        });
    });
}
