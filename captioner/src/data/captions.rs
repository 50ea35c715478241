//! Loaders for caption files.
//!
//! - The Flickr8k/Flickr30k token format: `IMAGE.jpg#N<TAB>caption`, one caption a line. A line
//!   without that prefix continues the caption before it (one Arabic caption is broken so).
//!   Flickr8k-CN's variant, `IMAGE.jpg#zhc#N caption` (a tag inside, a space instead of the
//!   tab), is read by the same loader.
//!   Entries whose image name is not a photo file name are skipped: Flickr8k's token file names
//!   `2258277193_586949ec62.jpg.1`, which does not exist.
//! - The Karpathy JSON (`dataset_flickr30k.json` and friends), which carries its own splits.
//! - Split files: one image name a line.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("invalid Karpathy JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Raw captions by image file name, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaptionSet {
    pub by_image: BTreeMap<String, Vec<String>>,
}

impl CaptionSet {
    pub fn captions(&self, image: &str) -> &[String] {
        self.by_image.get(image).map_or(&[], Vec::as_slice)
    }

    pub fn caption_count(&self) -> usize {
        self.by_image.values().map(Vec::len).sum()
    }
}

/// Image names of each split.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Splits {
    pub train: Vec<String>,
    pub dev: Vec<String>,
    pub test: Vec<String>,
}

fn is_photo_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png"].iter().any(|ext| lower.ends_with(ext)) && !name.contains('/')
}

/// `IMAGE#N<TAB>caption` or `IMAGE#TAG#N caption` → (image, caption); `None` for a line without
/// the prefix.
fn split_token_line(line: &str) -> Option<(&str, &str)> {
    let (tag, caption) = line.split_once('\t').or_else(|| line.split_once(' '))?;
    let (image, n) = tag.rsplit_once('#')?;
    let image = image.split('#').next()?;
    (!n.is_empty() && n.chars().all(|c| c.is_ascii_digit())).then_some((image, caption.trim()))
}

pub fn parse_token_file(text: &str) -> CaptionSet {
    let mut set = CaptionSet::default();
    // Where a continuation line goes: the last caption read, unless its image was skipped.
    let mut last: Option<String> = None;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        match split_token_line(line) {
            Some((image, caption)) if is_photo_name(image) => {
                set.by_image.entry(image.to_owned()).or_default().push(caption.to_owned());
                last = Some(image.to_owned());
            }
            Some(_) => last = None,
            None => {
                if let Some(caption) = last.as_ref().and_then(|image| set.by_image.get_mut(image)?.last_mut()) {
                    caption.push(' ');
                    caption.push_str(line.trim());
                }
            }
        }
    }
    set
}

pub fn parse_split_file(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

#[derive(Deserialize)]
struct KarpathyFile {
    images: Vec<KarpathyImage>,
}

#[derive(Deserialize)]
struct KarpathyImage {
    filename: String,
    split: String,
    sentences: Vec<KarpathySentence>,
}

#[derive(Deserialize)]
struct KarpathySentence {
    raw: String,
}

/// The Karpathy split JSON: captions and splits together (`restval` counts as training).
pub fn parse_karpathy_json(text: &str) -> Result<(CaptionSet, Splits), DataError> {
    let file: KarpathyFile = serde_json::from_str(text)?;
    let mut set = CaptionSet::default();
    let mut splits = Splits::default();
    for image in file.images {
        let split = match image.split.as_str() {
            "train" | "restval" => &mut splits.train,
            "val" => &mut splits.dev,
            "test" => &mut splits.test,
            _ => continue,
        };
        split.push(image.filename.clone());
        set.by_image.insert(image.filename, image.sentences.into_iter().map(|s| s.raw).collect());
    }
    Ok((set, splits))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str =
        "1000268201_693b08cb0e.jpg#0\tA child in a pink dress is climbing up a set of stairs in an entry way .\n\
1000268201_693b08cb0e.jpg#1\tA girl going into a wooden building .\n\
2258277193_586949ec62.jpg.1#0\tpeople waiting for the subway\n\
2258277193_586949ec62.jpg.1#1\tSome people looking out windows in a large building .\n\
1001773457_577c3a7d70.jpg#0\tA black dog and a tri-colored dog playing with each other on the road .";

    #[test]
    fn reads_the_token_format_and_skips_the_bogus_image() {
        let set = parse_token_file(SAMPLE);
        assert_eq!(set.by_image.len(), 2);
        assert_eq!(set.caption_count(), 3);
        assert_eq!(set.captions("1000268201_693b08cb0e.jpg")[1], "A girl going into a wooden building .");
        assert!(set.captions("2258277193_586949ec62.jpg.1").is_empty());
        // no newline after the last line
        assert!(set.captions("1001773457_577c3a7d70.jpg")[0].ends_with("road ."));
    }

    #[test]
    fn a_line_without_prefix_continues_the_previous_caption() {
        let set = parse_token_file("a.jpg#0\tfirst half\nsecond half\nb.jpg#0\tother\r\n");
        assert_eq!(set.captions("a.jpg"), ["first half second half"]);
        assert_eq!(set.captions("b.jpg"), ["other"]);
        // continuing a skipped image's caption goes nowhere
        let set = parse_token_file("x.jpg.1#0\tbogus\nmore\n");
        assert_eq!(set.caption_count(), 0);
    }

    #[test]
    fn flickr8k_cn_lines_carry_a_tag_and_a_space() {
        let set = parse_token_file("a.jpg#zhc#0 一只狗在跑。\na.jpg#zhc#1 一只 狗\nx.jpg.1#zhb#0 不存在\n");
        assert_eq!(set.captions("a.jpg"), ["一只狗在跑。", "一只 狗"]);
        assert_eq!(set.caption_count(), 2, "the non-existent photo is skipped");
    }

    #[test]
    fn flickr30k_style_names_work_too() {
        let set = parse_token_file("1000092795.jpg#0\tTwo young guys with shaggy hair .\n1000092795.jpg#4\tTwo friends enjoy time spent together .");
        assert_eq!(set.captions("1000092795.jpg").len(), 2);
    }

    #[test]
    fn split_files_without_final_newline() {
        assert_eq!(parse_split_file("a.jpg\nb.jpg"), ["a.jpg", "b.jpg"]);
        assert_eq!(parse_split_file("a.jpg\r\n\nb.jpg\n"), ["a.jpg", "b.jpg"]);
    }

    #[test]
    fn karpathy_json() {
        let json = r#"{"images":[
            {"filename":"1.jpg","split":"train","sentences":[{"raw":"A dog .","tokens":["a","dog"]}]},
            {"filename":"2.jpg","split":"restval","sentences":[{"raw":"A cat .","tokens":["a","cat"]}]},
            {"filename":"3.jpg","split":"val","sentences":[{"raw":"A bird .","tokens":["a","bird"]}]},
            {"filename":"4.jpg","split":"test","sentences":[{"raw":"A fish .","tokens":["a","fish"]},{"raw":"Fish !","tokens":["fish"]}]}
        ],"dataset":"flickr30k"}"#;
        let (set, splits) = parse_karpathy_json(json).unwrap();
        assert_eq!(splits.train, ["1.jpg", "2.jpg"]);
        assert_eq!(splits.dev, ["3.jpg"]);
        assert_eq!(splits.test, ["4.jpg"]);
        assert_eq!(set.captions("4.jpg").len(), 2);
        assert!(parse_karpathy_json("{").is_err());
    }
}
