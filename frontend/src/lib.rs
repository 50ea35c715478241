//! Entry point of the wasm bundle: hydrates the page the server rendered.
// The app's nested view types need more than the default 128 levels to lay out in release.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets the browser tests tell an interactive page from a server-rendered one.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
