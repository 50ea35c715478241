//! Caption data sets: captions by image, and the official splits.

pub mod captions;

pub use captions::{parse_karpathy_json, parse_split_file, parse_token_file, CaptionSet, DataError, Splits};

/// `FLICKR8K_DIR`: the Flickr8k data set (photos in `Images/`, `Flickr8k.token.txt`, the split
/// files), the one setting through which the CLI and the tests find it.
pub const FLICKR8K_DIR_VAR: &str = "FLICKR8K_DIR";
/// Where the data set is when `FLICKR8K_DIR` is not set: beside the workspace root.
pub const FLICKR8K_DEFAULT: &str = "../shared/flickr8k";

/// The Flickr8k folder: `FLICKR8K_DIR`, else `FLICKR8K_DEFAULT` under `workspace_root`.
pub fn flickr8k_dir(workspace_root: &std::path::Path) -> std::path::PathBuf {
    match std::env::var_os(FLICKR8K_DIR_VAR).filter(|v| !v.is_empty()) {
        Some(dir) => dir.into(),
        None => workspace_root.join(FLICKR8K_DEFAULT),
    }
}

/// The Flickr8k folder for a test, or `None` with one line saying why the test is skipped.
pub fn flickr8k_for_test(workspace_root: &std::path::Path, test: &str) -> Option<std::path::PathBuf> {
    let dir = flickr8k_dir(workspace_root);
    if dir.join("Flickr8k.token.txt").is_file() {
        Some(dir)
    } else {
        println!("skipped {test}: no Flickr8k data set at {} (set {FLICKR8K_DIR_VAR}, see README)", dir.display());
        None
    }
}
