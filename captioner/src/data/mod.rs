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

#[cfg(test)]
mod tests {
    use crate::{pipeline::DataSource, text::Language};

    /// Each language's file loads with the counts its README gives, defects handled.
    #[test]
    fn every_language_file_loads_whole() {
        let Some(dir) = super::flickr8k_for_test(std::path::Path::new("../"), "every_language_file_loads_whole") else {
            return;
        };
        // (language, captions, photos, captions a photo, test photos with captions)
        for (language, captions, photos, each, test) in [
            (Language::En, 40_455, 8_091, 5, 1000),
            (Language::Zh, 40_455, 8_091, 5, 1000),
            (Language::De, 37_390, 7_478, 5, 929),
            (Language::Ar, 24_273, 8_091, 3, 1000),
        ] {
            let (set, splits) = DataSource::flickr8k(&dir, language).load().unwrap();
            assert_eq!((set.caption_count(), set.by_image.len()), (captions, photos), "{language}");
            assert!(set.by_image.values().all(|c| c.len() == each), "{language}: {each} captions a photo");
            assert_eq!(splits.test.iter().filter(|p| !set.captions(p).is_empty()).count(), test, "{language}");
            assert!(set.by_image.values().flatten().all(|c| !c.trim().is_empty()), "{language}: no empty caption");
        }
        // The Arabic caption broken over two lines is one caption.
        let (arabic, _) = DataSource::flickr8k(&dir, Language::Ar).load().unwrap();
        assert!(!arabic.captions("469021173_aa31c07108.jpg")[2].contains('\n'));
    }
}
