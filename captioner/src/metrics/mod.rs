//! Caption metrics as the coco-caption toolkit computes them, on tokenised captions
//! ([`crate::text::tokenize`]).

pub mod bleu;
pub mod cider;

use std::collections::HashMap;

pub use bleu::{corpus_bleu, Bleu};
pub use cider::{cider_d, CiderD};

/// Counts of all n-grams of length 1..=max_n.
pub(crate) fn ngram_counts(tokens: &[String], max_n: usize) -> HashMap<&[String], usize> {
    let mut counts = HashMap::new();
    for n in 1..=max_n {
        for gram in tokens.windows(n) {
            *counts.entry(gram).or_insert(0) += 1;
        }
    }
    counts
}
