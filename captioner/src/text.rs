//! Tokenisation as the coco-caption toolkit does it for scoring: lower-case, punctuation
//! removed, split on white space. Training uses the same tokens, so that the model's
//! vocabulary is the one it is scored in.

/// Lower-cased words of a caption, without punctuation. A hyphen or apostrophe inside a word
/// joins it ("tri-colored", "man's" stay one token, as in the reference captions); on its own
/// it is punctuation.
pub fn tokenize(caption: &str) -> Vec<String> {
    caption
        .to_lowercase()
        .split(|c: char| c.is_whitespace())
        .filter_map(|raw| {
            let word: String = raw.chars().filter(|c| c.is_alphanumeric() || *c == '-' || *c == '\'').collect();
            let word = word.trim_matches(|c| c == '-' || c == '\'').to_owned();
            (!word.is_empty()).then_some(word)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::tokenize;

    #[test]
    fn lower_cases_and_drops_punctuation() {
        assert_eq!(tokenize("A dog runs ."), ["a", "dog", "runs"]);
        assert_eq!(tokenize("  Two  DOGS, playing!! "), ["two", "dogs", "playing"]);
    }

    #[test]
    fn odd_punctuation() {
        assert_eq!(
            tokenize("A black dog and a tri-colored dog playing with each other on the road ."),
            [
                "a",
                "black",
                "dog",
                "and",
                "a",
                "tri-colored",
                "dog",
                "playing",
                "with",
                "each",
                "other",
                "on",
                "the",
                "road"
            ]
        );
        assert_eq!(
            tokenize("The man's hat -- \"red\" (mostly) ; ok ... 3rd"),
            ["the", "man's", "hat", "red", "mostly", "ok", "3rd"]
        );
        assert_eq!(tokenize(" . , ; "), Vec::<String>::new());
        assert_eq!(tokenize("Ein Mann fährt Fahrrad."), ["ein", "mann", "fährt", "fahrrad"]);
    }
}
