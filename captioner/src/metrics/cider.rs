//! CIDEr-D as coco-caption computes it (`ciderD_scorer.py`): TF-IDF weighted n-gram vectors
//! (n = 1..4) with the document frequencies taken over the references of the evaluated corpus,
//! cosine similarity with the candidate's weights clipped by the reference's, a Gaussian penalty
//! (sigma = 6) on the length difference, averaged over references and n, times 10.

use std::collections::{HashMap, HashSet};

use super::ngram_counts;

const N: usize = 4;
const SIGMA: f64 = 6.0;

struct Weighted<'a> {
    vec: [HashMap<&'a [String], f64>; N],
    norm: [f64; N],
    /// coco-caption counts the candidate's length in bigrams here; kept for identical scores.
    length: f64,
}

fn weigh<'a>(tokens: &'a [String], df: &HashMap<&[String], f64>, log_images: f64) -> Weighted<'a> {
    let mut vec: [HashMap<&[String], f64>; N] = Default::default();
    let mut norm = [0.0; N];
    let mut length = 0.0;
    for (gram, tf) in ngram_counts(tokens, N) {
        let n = gram.len() - 1;
        let weight = tf as f64 * (log_images - df.get(gram).copied().unwrap_or(0.0).max(1.0).ln());
        norm[n] += weight * weight;
        vec[n].insert(gram, weight);
        if n == 1 {
            length += tf as f64;
        }
    }
    Weighted { vec, norm: norm.map(f64::sqrt), length }
}

fn similarity(candidate: &Weighted, reference: &Weighted) -> [f64; N] {
    let delta = candidate.length - reference.length;
    let penalty = (-(delta * delta) / (2.0 * SIGMA * SIGMA)).exp();
    std::array::from_fn(|n| {
        let mut value: f64 = candidate.vec[n]
            .iter()
            .map(|(gram, &w)| {
                let r = reference.vec[n].get(gram).copied().unwrap_or(0.0);
                w.min(r) * r
            })
            .sum();
        if candidate.norm[n] != 0.0 && reference.norm[n] != 0.0 {
            value /= candidate.norm[n] * reference.norm[n];
        }
        value * penalty
    })
}

/// CIDEr-D against fixed document frequencies: those of the evaluated corpus's references (as
/// coco-caption scores), or of the training references (the reward of self-critical training).
pub struct CiderD<'a> {
    /// In how many images' references each n-gram occurs.
    df: HashMap<&'a [String], f64>,
    log_images: f64,
}

impl<'a> CiderD<'a> {
    /// The document frequencies of these images' references (one slice per image).
    pub fn new(images: impl IntoIterator<Item = &'a [Vec<String>]>) -> Self {
        let mut df: HashMap<&[String], f64> = HashMap::new();
        let mut count = 0usize;
        for references in images {
            count += 1;
            let grams: HashSet<&[String]> = references.iter().flat_map(|r| ngram_counts(r, N).into_keys()).collect();
            for gram in grams {
                *df.entry(gram).or_insert(0.0) += 1.0;
            }
        }
        Self { df, log_images: (count.max(1) as f64).ln() }
    }

    /// One candidate's CIDEr-D against its references.
    pub fn score(&self, candidate: &[String], references: &[Vec<String>]) -> f64 {
        let candidate = weigh(candidate, &self.df, self.log_images);
        let mut sum = [0.0; N];
        for reference in references {
            let sim = similarity(&candidate, &weigh(reference, &self.df, self.log_images));
            for n in 0..N {
                sum[n] += sim[n];
            }
        }
        let mean = sum.iter().sum::<f64>() / N as f64;
        mean / references.len().max(1) as f64 * 10.0
    }
}

/// The corpus CIDEr-D score and each candidate's own, the document frequencies taken over the
/// references of these pairs.
pub fn cider_d(pairs: &[(Vec<String>, Vec<Vec<String>>)]) -> (f64, Vec<f64>) {
    if pairs.is_empty() {
        return (0.0, Vec::new());
    }
    let scorer = CiderD::new(pairs.iter().map(|(_, references)| references.as_slice()));
    let scores: Vec<f64> = pairs.iter().map(|(candidate, references)| scorer.score(candidate, references)).collect();
    (scores.iter().sum::<f64>() / scores.len() as f64, scores)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn pair(candidate: &str, references: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
        (tokenize(candidate), references.iter().map(|r| tokenize(r)).collect())
    }

    #[test]
    fn worked_example() {
        // Two images. "a" occurs in both images' references: idf log(2) - log(2) = 0. Every
        // other n-gram of "a dog runs" occurs in one image: weight log 2 each. Unigram, bigram
        // and trigram cosines are 1, there is no 4-gram (0), equal lengths: no penalty.
        // (1 + 1 + 1 + 0) / 4 * 10 = 7.5
        let pairs = [pair("a dog runs", &["a dog runs"]), pair("zebra", &["a cat sleeps"])];
        let (corpus, each) = cider_d(&pairs);
        assert!((each[0] - 7.5).abs() < 1e-9, "{}", each[0]);
        assert_eq!(each[1], 0.0, "nothing in common");
        assert!((corpus - 3.75).abs() < 1e-9);
    }

    #[test]
    fn clipping_stops_repetition_from_paying() {
        let refs = ["a dog runs on grass", "a brown dog runs"];
        let other = pair("x", &["a cat sleeps"]);
        let (_, good) = cider_d(&[pair("a dog runs", &refs), other.clone()]);
        let (_, repeated) = cider_d(&[pair("dog dog dog dog dog dog", &refs), other]);
        assert!(good[0] > repeated[0], "{} vs {}", good[0], repeated[0]);
    }

    #[test]
    fn length_differences_are_penalised() {
        let other = pair("x", &["a cat sleeps"]);
        let refs = ["a dog runs on the grass"];
        let (_, exact) = cider_d(&[pair("a dog runs on the grass", &refs), other.clone()]);
        let (_, padded) = cider_d(&[
            pair("a dog runs on the grass near some trees under a blue sky with clouds in it today", &refs),
            other,
        ]);
        assert!(exact[0] > padded[0]);
    }
}
