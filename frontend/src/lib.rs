//! Entry point of the wasm bundle: hydrates the page the server rendered.
// The app's nested view types need more than the default 128 levels to lay out in release.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // `leptos::mount::hydrate_lazy`, marking the page once it is hydrated: a lazy page's code
    // comes in files of its own (`app/src/lib.rs`, `lazy_page!`), which hydration waits for.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else { return };
        leptos::mount::hydrate_from_async(body.clone(), app::App).await.forget();
        // Lets the browser tests tell an interactive page from a server-rendered one.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
