//! Preload hints for a lazy page's own wasm files (`cargo leptos build --split`), written into the
//! page's `<head>` while the server renders it, so that the browser fetches them alongside the main
//! wasm instead of once that has started (a fifth slower on a throttled network, measured). Leptos
//! 0.8.23 writes such hints itself only now and then (a race: a photo's page got them in two of
//! three loads, the settings page in none), so the app writes its own.

use std::{collections::HashMap, path::Path, sync::OnceLock};

use leptos::prelude::*;
use leptos_meta::Link;

/// What a split build wrote into the site's package folder: each lazy function's wasm files
/// (`__wasm_split_manifest.json`) and the script that loads them. Empty without `--split`.
#[derive(Debug, Default)]
struct SplitFiles {
    files_of: HashMap<String, Vec<String>>,
    loader: Option<String>,
}

impl SplitFiles {
    fn read(pkg: &Path) -> Self {
        let files_of = std::fs::read_to_string(pkg.join("__wasm_split_manifest.json"))
            .ok()
            .and_then(|manifest| serde_json::from_str(&manifest).ok())
            .unwrap_or_default();
        let loader = std::fs::read_dir(pkg).ok().and_then(|entries| {
            entries
                .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
                .find(|name| name.starts_with("__wasm_split.") && name.ends_with(".js"))
        });
        SplitFiles { files_of, loader }
    }

    /// The wasm files of the lazy route `route` (its type's name in snake case): its view is the
    /// manifest's `__{route}_view_{hash}`.
    fn of_route(&self, route: &str) -> Vec<&str> {
        let key_prefix = format!("__{route}_view_");
        let mut files: Vec<&str> = self
            .files_of
            .iter()
            .filter(|(key, _)| key.starts_with(&key_prefix))
            .flat_map(|(_, files)| files.iter().map(String::as_str))
            .collect();
        files.sort_unstable();
        files.dedup();
        files
    }
}

/// Asks the browser to fetch the wasm files of the lazy route `route` (its type's name in snake
/// case, e.g. `photo_route` for `PhotoRoute`) with the page. The manifest is read once.
pub fn preload_page_code(route: &str) {
    static SPLIT: OnceLock<SplitFiles> = OnceLock::new();
    let Some(state) = use_context::<super::AppState>() else { return };
    let options = &state.leptos_options;
    let split = SPLIT.get_or_init(|| SplitFiles::read(&Path::new(&*options.site_root).join(&*options.site_pkg_dir)));
    let pkg = format!("/{}", options.site_pkg_dir);
    for file in split.of_route(route) {
        // `anonymous`: what the loader's `fetch` asks for, so that it takes the preloaded copy.
        let _ = view! {
            <Link rel="preload" href=format!("{pkg}/{file}.wasm") as_="fetch" type_="application/wasm" crossorigin="anonymous"/>
        }
        .to_html();
    }
    if let Some(loader) = &split.loader {
        let _ = view! { <Link rel="modulepreload" href=format!("{pkg}/{loader}")/> }.to_html();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_routes_files_come_from_the_manifest_of_a_split_build() {
        let pkg = std::env::temp_dir().join(format!("captioned-page-code-{}", std::process::id()));
        std::fs::create_dir_all(&pkg).unwrap();
        assert!(SplitFiles::read(&pkg).of_route("photo_route").is_empty(), "no manifest: no files");
        std::fs::write(
            pkg.join("__wasm_split_manifest.json"),
            r#"{"__photo_route_view_123": ["chunk_7", "chunk_8", "split___photo_route_view_123"],
                "__links_route_view_123": ["chunk_7", "split___links_route_view_123"]}"#,
        )
        .unwrap();
        std::fs::write(pkg.join("__wasm_split.______.js"), "").unwrap();
        let split = SplitFiles::read(&pkg);
        assert_eq!(split.of_route("photo_route"), ["chunk_7", "chunk_8", "split___photo_route_view_123"]);
        assert_eq!(split.of_route("links_route"), ["chunk_7", "split___links_route_view_123"]);
        assert!(split.of_route("photo").is_empty(), "a prefix of a route's name is not the route");
        assert_eq!(split.loader.as_deref(), Some("__wasm_split.______.js"));
        std::fs::remove_dir_all(pkg).unwrap();
    }
}
