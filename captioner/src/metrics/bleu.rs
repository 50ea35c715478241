//! Corpus BLEU-1..4 as coco-caption's `bleu_scorer.py` computes it: clipped n-gram matches and
//! candidate n-gram totals summed over the whole corpus, a brevity penalty from the summed
//! lengths, each candidate's reference length being the closest of its references (the shorter
//! on a tie).

use std::collections::HashMap;

use super::ngram_counts;

/// BLEU-1..4, each between 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bleu(pub [f64; 4]);

const SMALL: f64 = 1e-9;
const TINY: f64 = 1e-15;

/// `pairs`: each candidate with its references, all tokenised.
pub fn corpus_bleu(pairs: &[(Vec<String>, Vec<Vec<String>>)]) -> Bleu {
    let (mut test_len, mut ref_len) = (0usize, 0usize);
    let (mut guess, mut correct) = ([0usize; 4], [0usize; 4]);
    for (candidate, references) in pairs {
        // The largest count of each n-gram in any one reference: matches are clipped to it.
        let mut max_ref_counts: HashMap<&[String], usize> = HashMap::new();
        for reference in references {
            for (gram, count) in ngram_counts(reference, 4) {
                let max = max_ref_counts.entry(gram).or_insert(0);
                *max = (*max).max(count);
            }
        }
        let len = candidate.len();
        let closest = references.iter().map(Vec::len).min_by_key(|&r| (r.abs_diff(len), r)).unwrap_or(0);
        test_len += len;
        ref_len += closest;
        for (k, g) in guess.iter_mut().enumerate() {
            *g += len.saturating_sub(k);
        }
        for (gram, count) in ngram_counts(candidate, 4) {
            correct[gram.len() - 1] += count.min(max_ref_counts.get(gram).copied().unwrap_or(0));
        }
    }
    let mut scores = [0.0; 4];
    let mut product = 1.0;
    let ratio = (test_len as f64 + TINY) / (ref_len as f64 + SMALL);
    for k in 0..4 {
        product *= (correct[k] as f64 + TINY) / (guess[k] as f64 + SMALL);
        scores[k] = product.powf(1.0 / (k as f64 + 1.0));
        if ratio < 1.0 {
            scores[k] *= (1.0 - 1.0 / ratio).exp();
        }
    }
    Bleu(scores)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn pair(candidate: &str, references: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
        (tokenize(candidate), references.iter().map(|r| tokenize(r)).collect())
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn an_exact_match_scores_one() {
        let Bleu(s) = corpus_bleu(&[pair("a dog runs on the beach", &["A dog runs on the beach ."])]);
        assert!(s.iter().all(|&v| close(v, 1.0)), "{s:?}");
    }

    #[test]
    fn worked_example() {
        // the cat sat on the mat / the cat is on the mat:
        // 1-grams 5/6, 2-grams 3/5 (the cat, on the, the mat), 3-grams 1/4 (on the mat), 4-grams 0/3
        let Bleu(s) = corpus_bleu(&[pair("the cat sat on the mat", &["the cat is on the mat"])]);
        assert!(close(s[0], 5.0 / 6.0), "{}", s[0]);
        assert!(close(s[1], (5.0f64 / 6.0 * 3.0 / 5.0).sqrt()), "{}", s[1]);
        assert!(close(s[2], 0.5), "{}", s[2]);
        assert!(s[3] < 1e-3, "{}", s[3]);
    }

    #[test]
    fn matches_are_clipped() {
        // "the" appears 7 times but at most twice in a reference: 2/7
        let Bleu(s) = corpus_bleu(&[pair(
            "the the the the the the the",
            &["the cat is on the mat", "there is a cat on the mat"],
        )]);
        assert!(close(s[0], 2.0 / 7.0), "{}", s[0]);
    }

    #[test]
    fn brevity_penalty_uses_the_closest_reference() {
        // 2 words against 5: exp(1 - 5/2)
        let Bleu(s) = corpus_bleu(&[pair("the cat", &["the cat sat on mat"])]);
        assert!(close(s[0], (1.0f64 - 2.5).exp()), "{}", s[0]);
        // the 3-word reference is closest to 4 words: no penalty
        let Bleu(s) = corpus_bleu(&[pair("a b c d", &["a b c", "a b c d e f g"])]);
        assert!(close(s[0], 1.0), "{}", s[0]);
        // a tie (3 and 5 around 4) takes the shorter: still no penalty
        let Bleu(s) = corpus_bleu(&[pair("a b c d", &["a b c", "a b c d e"])]);
        assert!(close(s[0], 1.0), "{}", s[0]);
    }

    #[test]
    fn corpus_level_sums_before_dividing() {
        // 1/1 and 0/3 unigrams give 1/4 over the corpus, not the mean 1/2
        let pairs = [pair("dog", &["dog"]), pair("x y z", &["a b c"])];
        let Bleu(s) = corpus_bleu(&pairs);
        assert!(close(s[0], 0.25), "{}", s[0]);
    }
}
