//! Captioned's caption languages, and tokenisation as the coco-caption toolkit does it for
//! scoring: lower-case, punctuation removed, split on white space. The captioner trains on the
//! same tokens, so that the model's vocabulary is the one it is scored in. Each caption language
//! has its own rule ([`Language::tokenize`]): Chinese, written without spaces, is split into
//! characters. A crate of its own so that the app (which never sees burn) and the captioner share
//! one rule.

use serde::{Deserialize, Serialize};

/// A caption language: its ISO 639-1 code names it everywhere (config files, model folders, CLI).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Zh,
    De,
    Ar,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::En, Language::Zh, Language::De, Language::Ar];

    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Zh => "zh",
            Language::De => "de",
            Language::Ar => "ar",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The caption's tokens in this language: what the vocabulary holds and BLEU and CIDEr-D count.
    /// - English and German: lower-cased words without punctuation ([`tokenize`]);
    /// - Chinese: one token per Chinese character (no segmenter: the character is what the
    ///   Flickr8k-CN paper scores), runs of Latin letters or digits as one token;
    /// - Arabic: words without punctuation, with the optional marks removed (short vowels,
    ///   shadda, sukun, tatweel), which translated captions use inconsistently; the letters stay
    ///   as written, so that generated captions read correctly.
    pub fn tokenize(self, caption: &str) -> Vec<String> {
        match self {
            Language::En | Language::De => tokenize(caption),
            Language::Zh => chinese_tokens(caption),
            Language::Ar => tokenize(&caption.chars().filter(|c| !is_arabic_mark(*c)).collect::<String>()),
        }
    }

    /// A caption from its tokens, as people write this language: Chinese without spaces (but
    /// with one between two Latin words), the others with spaces.
    pub fn join<S: AsRef<str>>(self, tokens: &[S]) -> String {
        let mut caption = String::new();
        for token in tokens.iter().map(AsRef::as_ref) {
            let after_latin = caption.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
            let needs_space = match self {
                Language::Zh => after_latin && token.starts_with(|c: char| c.is_ascii_alphanumeric()),
                _ => !caption.is_empty(),
            };
            if needs_space {
                caption.push(' ');
            }
            caption.push_str(token);
        }
        caption
    }

    /// The language's name in itself, for menus and labels.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::Zh => "中文",
            Language::De => "Deutsch",
            Language::Ar => "العربية",
        }
    }

    /// Whether the language is written right to left.
    pub fn is_right_to_left(self) -> bool {
        self == Language::Ar
    }

    /// The HTML `dir` of text in this language.
    pub fn direction(self) -> &'static str {
        if self.is_right_to_left() {
            "rtl"
        } else {
            "ltr"
        }
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Language {
    type Err = String;

    fn from_str(code: &str) -> Result<Self, String> {
        Self::from_code(code).ok_or_else(|| format!("unknown language {code:?}: en, zh, de or ar"))
    }
}

/// Arabic's optional marks: tatweel, the short vowels and tanween, shadda, sukun and the rest of
/// U+064B..U+065F, and the dagger alef. Tokens and search words leave them out.
pub fn is_arabic_mark(c: char) -> bool {
    matches!(c, '\u{0640}' | '\u{064B}'..='\u{065F}' | '\u{0670}')
}

fn chinese_tokens(caption: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut latin = String::new();
    for c in caption.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            latin.push(c);
            continue;
        }
        if !latin.is_empty() {
            tokens.push(std::mem::take(&mut latin));
        }
        if c.is_alphanumeric() {
            tokens.push(c.to_string());
        }
    }
    if !latin.is_empty() {
        tokens.push(latin);
    }
    tokens
}

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
    use super::{tokenize, Language};

    #[test]
    fn chinese_is_split_into_characters_and_joined_without_spaces() {
        let tokens = Language::Zh.tokenize("一只黑狗在草地上奔跑。");
        assert_eq!(tokens, ["一", "只", "黑", "狗", "在", "草", "地", "上", "奔", "跑"]);
        assert_eq!(Language::Zh.join(&tokens), "一只黑狗在草地上奔跑");
        let mixed = Language::Zh.tokenize("穿着T恤的男孩，拿着 NBA 2K 游戏");
        assert_eq!(mixed, ["穿", "着", "t", "恤", "的", "男", "孩", "拿", "着", "nba", "2k", "游", "戏"]);
        assert_eq!(Language::Zh.join(&["打", "nba", "2k", "游"]), "打nba 2k游");
    }

    #[test]
    fn arabic_loses_its_optional_marks_and_punctuation_not_its_letters() {
        // "a dog runs on the grass" with a fatha, a shadda, tatweel and an Arabic comma.
        assert_eq!(Language::Ar.tokenize("كَلْب يركـض، على العشّب ."), ["كلب", "يركض", "على", "العشب"]);
        assert_eq!(Language::Ar.tokenize("فتاة صغيرة"), ["فتاة", "صغيرة"], "ta marbuta stays");
        assert_eq!(Language::Ar.join(&["كلب", "يركض"]), "كلب يركض");
    }

    #[test]
    fn german_is_lower_cased_like_english() {
        assert_eq!(
            Language::De.tokenize("Ein Hund läuft über die Straße."),
            ["ein", "hund", "läuft", "über", "die", "straße"]
        );
        assert_eq!(Language::De.join(&["ein", "hund"]), "ein hund");
    }

    #[test]
    fn languages_are_named_by_their_codes() {
        for language in Language::ALL {
            assert_eq!(language.code().parse::<Language>(), Ok(language));
            assert_eq!(serde_json::to_string(&language).unwrap(), format!("\"{}\"", language.code()));
        }
        assert!("fr".parse::<Language>().is_err());
        assert!(Language::Ar.is_right_to_left() && !Language::Zh.is_right_to_left());
        assert_eq!(Language::De.native_name(), "Deutsch");
        assert_eq!((Language::Ar.direction(), Language::En.direction()), ("rtl", "ltr"));
    }

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
