//! The site's own files (wasm, JS, CSS, icons) from `LEPTOS_SITE_ROOT`, and the not-found page for
//! any other path. A release build writes a brotli and a gzip copy beside each file
//! (`cargo leptos build --release --precompress`; `server compress-site` then makes the gzip
//! copies smaller), and leptos_axum's handler sends the one that the request accepts.

use app::{shell, ssr::AppState};
use std::{
    io,
    path::{Path, PathBuf},
};

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Uri},
    response::Response,
};

/// leptos_axum's file handler, plus `Vary: Accept-Encoding`, which it leaves out: without it a
/// shared cache could keep the brotli copy and hand it to a client that cannot read it.
pub async fn site_file(uri: Uri, state: State<AppState>, request: Request<Body>) -> Response {
    let mut response = leptos_axum::file_and_error_handler::<AppState, _>(shell)(uri, state, request).await;
    response.headers_mut().append(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Names the file an I/O error is about.
fn at(path: &Path) -> impl Fn(io::Error) -> io::Error + '_ {
    move |err| io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}

/// One gzip copy that [`compress_site`] looked at: its size before and after (the same when the
/// copy it found was already the smaller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GzipCopy {
    pub path: PathBuf,
    pub before: u64,
    pub after: u64,
}

/// Writes each gzip copy under the site root again with zopfli, where that comes out smaller or
/// the copy is older than its file.
/// cargo-leptos' `--precompress` writes them with a fast deflate, about a fifth larger than
/// zopfli's (the wasm: 607 against 492 KB); and gzip is what a browser gets over plain HTTP to
/// anything but localhost, brotli being asked for over HTTPS only. A copy is replaced whole
/// (written beside it, then renamed), so a server reading the site never sends half of one.
/// Symbolic links are not followed. Errors name the file.
pub fn compress_site(site_root: &Path) -> io::Result<Vec<GzipCopy>> {
    let mut copies = Vec::new();
    let mut folders = vec![site_root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).map_err(at(&folder))? {
            let entry = entry.map_err(at(&folder))?;
            let (path, kind) = (entry.path(), entry.file_type().map_err(at(&folder))?);
            if kind.is_dir() {
                folders.push(path);
                continue;
            }
            if !kind.is_file() || path.extension().is_none_or(|e| e != "gz") {
                continue;
            }
            let original = path.with_extension("");
            let Ok(original_meta) = std::fs::symlink_metadata(&original) else { continue };
            if !original_meta.is_file() {
                continue;
            }
            let copy_meta = entry.metadata().map_err(at(&path))?;
            let stale = copy_meta.modified().ok() < original_meta.modified().ok();
            let before = copy_meta.len();
            let mut smaller = Vec::new();
            let file = std::fs::File::open(&original).map_err(at(&original))?;
            zopfli::compress(zopfli::Options::default(), zopfli::Format::Gzip, file, &mut smaller)
                .map_err(at(&original))?;
            let after = smaller.len() as u64;
            let replace = after < before || stale;
            if replace {
                let part = path.with_extension("gz.part");
                std::fs::write(&part, &smaller).map_err(at(&part))?;
                std::fs::rename(&part, &path).map_err(at(&path))?;
            }
            copies.push(GzipCopy { path, before, after: if replace { after } else { before } });
        }
    }
    copies.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(copies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(path: &Path) -> Vec<u8> {
        let mut whole = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()).read_to_end(&mut whole).unwrap();
        whole
    }

    #[test]
    fn compress_site_rewrites_larger_gzip_copies_and_keeps_smaller_ones() {
        let site = std::env::temp_dir().join(format!("captioned-compress-site-{}", std::process::id()));
        let pkg = site.join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        let script = "function caption(photo) { return photo.caption; }\n".repeat(500);
        std::fs::write(pkg.join("app.js"), &script).unwrap();
        // A valid gzip copy, but stored without compression: the kind zopfli must beat.
        let mut stored = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
        io::Write::write_all(&mut stored, script.as_bytes()).unwrap();
        std::fs::write(pkg.join("app.js.gz"), stored.finish().unwrap()).unwrap();
        // A copy smaller than zopfli could make (not even gzip): left as it is.
        std::fs::write(site.join("tiny.css"), "body { margin: 0 }\n".repeat(50)).unwrap();
        std::fs::write(site.join("tiny.css.gz"), "x").unwrap();
        // A copy older than its file is out of date: written again, though larger.
        std::fs::write(site.join("stale.css.gz"), "y").unwrap();
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options().write(true).open(site.join("stale.css.gz")).unwrap().set_modified(hour_ago).unwrap();
        std::fs::write(site.join("stale.css"), "p { color: red }\n").unwrap();
        // A link back to the site root is not followed (the walk would never end).
        std::os::unix::fs::symlink(&site, pkg.join("loop")).unwrap();
        // A file without a gzip copy gets none, and a gzip file without its original is not one.
        std::fs::write(site.join("favicon.ico"), [0u8; 64]).unwrap();
        std::fs::write(site.join("archive.tar.gz"), "not a copy").unwrap();

        let copies = compress_site(&site).unwrap();

        assert_eq!(copies.len(), 3, "{copies:?}");
        let script_copy = copies.iter().find(|c| c.path == pkg.join("app.js.gz")).unwrap();
        assert!(script_copy.after < script_copy.before / 10, "{script_copy:?}");
        assert_eq!(std::fs::metadata(pkg.join("app.js.gz")).unwrap().len(), script_copy.after);
        assert_eq!(gunzip(&pkg.join("app.js.gz")), script.as_bytes());
        let css_copy = copies.iter().find(|c| c.path == site.join("tiny.css.gz")).unwrap();
        assert_eq!((css_copy.before, css_copy.after), (1, 1));
        assert_eq!(std::fs::read(site.join("tiny.css.gz")).unwrap(), b"x");
        assert_eq!(gunzip(&site.join("stale.css.gz")), b"p { color: red }\n");
        assert!(!site.join("favicon.ico.gz").exists());
        assert_eq!(std::fs::read(site.join("archive.tar.gz")).unwrap(), b"not a copy");
        assert!(!pkg.join("app.js.gz.part").exists());
        std::fs::remove_dir_all(site).unwrap();
    }
}
