//! The vocabulary: words of the training captions that occur often enough, plus the special
//! tokens. Saved with the model, since the model's output layer is indexed by it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::text::Language;

pub const PAD: &str = "<pad>";
pub const START: &str = "<start>";
pub const END: &str = "<end>";
pub const UNKNOWN: &str = "<unk>";

pub const PAD_ID: usize = 0;
pub const START_ID: usize = 1;
pub const END_ID: usize = 2;
pub const UNKNOWN_ID: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vocabulary {
    /// The captions' language: how they are split into tokens and joined again. (Vocabularies
    /// from before languages are English.)
    #[serde(default)]
    language: Language,
    /// Index = token id; the first four are the special tokens.
    words: Vec<String>,
    #[serde(skip)]
    ids: HashMap<String, usize>,
}

impl Vocabulary {
    /// Builds from tokenised training captions, keeping words seen at least `min_count` times,
    /// most frequent first (ties alphabetical, so that the result is deterministic).
    pub fn build<'a>(language: Language, captions: impl IntoIterator<Item = &'a [String]>, min_count: usize) -> Self {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for caption in captions {
            for word in caption {
                *counts.entry(word.as_str()).or_default() += 1;
            }
        }
        let mut kept: Vec<(&str, usize)> = counts.into_iter().filter(|(_, n)| *n >= min_count).collect();
        kept.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let words = [PAD, START, END, UNKNOWN]
            .into_iter()
            .map(str::to_owned)
            .chain(kept.into_iter().map(|(w, _)| w.to_owned()))
            .collect();
        Self::from_words(language, words)
    }

    fn from_words(language: Language, words: Vec<String>) -> Self {
        let ids = words.iter().enumerate().map(|(i, w)| (w.clone(), i)).collect();
        Self { language, words, ids }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn id(&self, word: &str) -> usize {
        self.ids.get(word).copied().unwrap_or(UNKNOWN_ID)
    }

    pub fn word(&self, id: usize) -> &str {
        self.words.get(id).map_or(UNKNOWN, String::as_str)
    }

    /// A caption's `<start> w1 … wn <end>` as ids, split by the vocabulary's language.
    pub fn encode(&self, caption: &str) -> Vec<usize> {
        let tokens = self.language.tokenize(caption);
        std::iter::once(START_ID).chain(tokens.iter().map(|t| self.id(t))).chain(std::iter::once(END_ID)).collect()
    }

    /// The caption a generated sequence spells, stopping at `<end>` and leaving out special tokens.
    pub fn decode(&self, ids: &[usize]) -> String {
        let words: Vec<&str> = ids
            .iter()
            .take_while(|&&id| id != END_ID)
            .filter(|&&id| id != START_ID && id != PAD_ID)
            .map(|&id| self.word(id))
            .collect();
        self.language.join(&words)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a vocabulary serialises")
    }

    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        let parsed: Vocabulary = serde_json::from_str(json)?;
        Ok(Self::from_words(parsed.language, parsed.words))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    #[test]
    fn keeps_frequent_words_and_maps_the_rest_to_unknown() {
        let captions: Vec<Vec<String>> =
            ["a dog runs", "a dog jumps", "a cat sleeps", "a dog"].iter().map(|c| tokenize(c)).collect();
        let vocab = Vocabulary::build(Language::En, captions.iter().map(Vec::as_slice), 2);
        assert_eq!(vocab.len(), 4 + 2, "special tokens + a, dog");
        assert_eq!(vocab.word(4), "a", "most frequent first");
        assert_eq!(vocab.id("dog"), 5);
        assert_eq!(vocab.id("cat"), UNKNOWN_ID);
        let encoded = vocab.encode("A cat dog");
        assert_eq!(encoded, [START_ID, 4, UNKNOWN_ID, 5, END_ID]);
        assert_eq!(vocab.decode(&[START_ID, 4, 5, END_ID, 4]), "a dog");
    }

    #[test]
    fn round_trips_through_json() {
        let captions = [tokenize("x y y")];
        let vocab = Vocabulary::build(Language::Zh, captions.iter().map(Vec::as_slice), 1);
        let again = Vocabulary::from_json(&vocab.to_json()).unwrap();
        assert_eq!(again, vocab);
        assert_eq!(again.id("y"), vocab.id("y"));
        assert_eq!(again.language(), Language::Zh);
        assert_eq!(Vocabulary::from_json(r#"{"words": ["<pad>"]}"#).unwrap().language(), Language::En, "older files");
    }
}
