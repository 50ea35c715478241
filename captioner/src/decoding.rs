//! Turning a trained decoder and image features into captions: greedy, and beam search with
//! length normalisation returning the best `n`. Decoding sees a decoder only through
//! [`StepDecoder`], so that every architecture is decoded by the same code.

use burn::{prelude::*, tensor::activation::log_softmax};

use crate::vocab::{END_ID, PAD_ID, START_ID, UNKNOWN_ID};

/// What decoding needs of a decoder: a start from image features, one word at a time, and the
/// rows of its state kept or reordered as beams are.
pub trait StepDecoder {
    /// What the decoder carries from word to word, one row per caption being written.
    type State: Clone;

    /// Image features `[n, regions, dim]` (one row per caption) → the state before the first word.
    fn start(&self, features: Tensor<3>) -> Self::State;

    /// The last tokens `[n, 1]` → next-token logits `[n, vocab]` and the new state.
    fn step(&self, state: Self::State, last_tokens: Tensor<2, Int>) -> (Tensor<2>, Self::State);

    /// Keeps the given rows of a state, in that order.
    fn reorder(&self, state: Self::State, rows: Tensor<1, Int>) -> Self::State;
}

/// A caption as token ids (without `<start>`/`<end>`), with the log-probability of each of its
/// tokens (then of `<end>`, when it ended) and its score: the summed log-probability divided by
/// `length^alpha` (tokens, `<end>` included). `alpha` 1 is the mean per token, so that longer
/// captions are not penalised for their length; 0 is the raw log-probability, which favours short
/// captions.
#[derive(Debug, Clone, PartialEq)]
pub struct Hypothesis {
    pub tokens: Vec<usize>,
    pub token_log_probs: Vec<f32>,
    pub score: f32,
}

/// How many of a caption's least likely tokens [`Hypothesis::weakest_words`] reads.
pub const WEAKEST_WORDS: usize = 3;

impl Hypothesis {
    pub fn log_prob(&self) -> f32 {
        self.token_log_probs.iter().sum()
    }

    /// The mean log-probability per token (`<end>` included), whatever `alpha` ranked it.
    pub fn per_token(&self) -> f32 {
        self.log_prob() / (self.tokens.len() + 1) as f32
    }

    /// The mean log-probability of its [`WEAKEST_WORDS`] least likely tokens (`<end>` included):
    /// how sure the decoder is of the words it is least sure of. A wrong caption is usually wrong
    /// in a word or two, which the mean over all words hides behind sure ones ("a", "in", "the");
    /// on the dev split this finds the poor captions better (model card, "Honest confidence").
    pub fn weakest_words(&self) -> f32 {
        let mut sorted = self.token_log_probs.clone();
        sorted.sort_by(f32::total_cmp);
        let weakest = &sorted[..WEAKEST_WORDS.min(sorted.len())];
        weakest.iter().sum::<f32>() / weakest.len().max(1) as f32
    }
}

/// A caption's confidence as people read it, in percent: its mean probability per word (the
/// geometric mean, `exp` of the mean log-probability `per_token`).
pub fn confidence_percent(per_token: f32) -> u32 {
    (f64::from(per_token).exp() * 100.0).round().clamp(0.0, 100.0) as u32
}

fn normalised(log_prob: f32, length: usize, alpha: f32) -> f32 {
    log_prob / (length.max(1) as f32).powf(alpha)
}

fn tokens_tensor(tokens: &[usize], device: &Device) -> Tensor<2, Int> {
    let ids: Vec<i64> = tokens.iter().map(|&t| t as i64).collect();
    Tensor::<2, Int>::from_data(TensorData::new(ids, [tokens.len(), 1]), device)
}

/// Each row's log-probabilities over the vocabulary, with the tokens a caption may not contain
/// (`<pad>`, `<start>`, `<unk>`) ruled out: nobody wants to read "a <unk> on the beach".
fn log_probs(logits: Tensor<2>) -> Vec<Vec<f32>> {
    let [rows, vocab] = logits.dims();
    let flat: Vec<f32> = log_softmax(logits, 1).into_data().try_into_vec::<f32>().expect("float logits");
    (0..rows)
        .map(|r| {
            let mut row = flat[r * vocab..(r + 1) * vocab].to_vec();
            for banned in [PAD_ID, START_ID, UNKNOWN_ID] {
                if banned < row.len() {
                    row[banned] = f32::NEG_INFINITY;
                }
            }
            row
        })
        .collect()
}

/// The most likely word at each step, for one image (`features`: `[1, regions, dim]`).
pub fn greedy<D: StepDecoder>(decoder: &D, features: Tensor<3>, max_len: usize) -> Hypothesis {
    greedy_batch(decoder, features, max_len).remove(0)
}

/// Greedy decoding of many images at once (`features`: `[n, regions, dim]`): one decoder step
/// per word for all of them, which is what makes dev-split scoring cheap on a GPU.
pub fn greedy_batch<D: StepDecoder>(decoder: &D, features: Tensor<3>, max_len: usize) -> Vec<Hypothesis> {
    decode_batch(decoder, features, max_len, |probs| {
        probs.iter().enumerate().fold((0, f32::NEG_INFINITY), |a, (i, &p)| if p > a.1 { (i, p) } else { a }).0
    })
}

/// Each word drawn from the decoder's distribution instead of the most likely one (the captions
/// self-critical training explores), one caption per row of `features`; `seed` advances.
pub fn sample_batch<D: StepDecoder>(
    decoder: &D,
    features: Tensor<3>,
    max_len: usize,
    seed: &mut u64,
) -> Vec<Hypothesis> {
    decode_batch(decoder, features, max_len, |log_probs| {
        // the words a caption may contain, in proportion to their probabilities
        let probs: Vec<f64> = log_probs.iter().map(|&lp| f64::from(lp).exp()).collect();
        let uniform = (xorshift(seed) >> 11) as f64 / (1u64 << 53) as f64;
        let mut left = uniform * probs.iter().sum::<f64>();
        let mut last = END_ID;
        for (token, &p) in probs.iter().enumerate() {
            if p > 0.0 {
                last = token;
                left -= p;
                if left < 0.0 {
                    return token;
                }
            }
        }
        last // rounding left a sliver: the last possible word
    })
}

/// The next number of a xorshift64 sequence (`seed` must not be 0): seeded, reproducible runs.
pub fn xorshift(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// One step per word for all rows at once, each row's next word chosen by `pick` from its
/// log-probabilities, until every row has ended or `max_len` words. A caption that ended has
/// fewer than `max_len` tokens.
fn decode_batch<D: StepDecoder>(
    decoder: &D,
    features: Tensor<3>,
    max_len: usize,
    mut pick: impl FnMut(&[f32]) -> usize,
) -> Vec<Hypothesis> {
    let device = features.device();
    let n = features.dims()[0];
    let mut state = decoder.start(features);
    let mut last = vec![START_ID; n];
    let mut tokens: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut token_log_probs: Vec<Vec<f32>> = vec![Vec::new(); n];
    let mut done = vec![false; n];
    for _ in 0..max_len {
        let (logits, next) = decoder.step(state, tokens_tensor(&last, &device));
        state = next;
        for (row, probs) in log_probs(logits).iter().enumerate() {
            if done[row] {
                continue;
            }
            let chosen = pick(probs);
            token_log_probs[row].push(probs[chosen]);
            if chosen == END_ID {
                done[row] = true;
            } else {
                tokens[row].push(chosen);
                last[row] = chosen;
            }
        }
        if done.iter().all(|d| *d) {
            break;
        }
    }
    tokens
        .into_iter()
        .zip(token_log_probs)
        .zip(done)
        .map(|((tokens, token_log_probs), ended)| {
            let length = tokens.len() + usize::from(ended);
            let log_prob = token_log_probs.iter().sum();
            Hypothesis { score: normalised(log_prob, length, 1.0), tokens, token_log_probs }
        })
        .collect()
}

/// One photo's beam search: its live beams (tokens so far and the log-probability of each, and
/// their sum), whose decoder states are consecutive rows of the batch's state, and its finished
/// captions.
struct PhotoSearch {
    beams: Vec<(Vec<usize>, Vec<f32>, f32)>,
    finished: Vec<Hypothesis>,
    searching: bool,
}

impl PhotoSearch {
    /// One step: extends the live beams by `probs` (their rows' log-probabilities), keeps the
    /// best `k` and returns the rows (relative to its first) whose states the kept beams continue.
    fn advance(&mut self, probs: &[Vec<f32>], k: usize, n: usize, alpha: f32) -> Vec<usize> {
        // every extension of every beam, best first
        let mut candidates: Vec<(usize, usize, f32)> = Vec::with_capacity(self.beams.len() * k);
        for (b, row) in probs.iter().enumerate() {
            let mut top: Vec<(usize, f32)> = row.iter().copied().enumerate().collect();
            let keep = k.min(top.len());
            top.select_nth_unstable_by(keep - 1, |a, b| b.1.total_cmp(&a.1));
            top.truncate(k);
            candidates.extend(top.into_iter().map(|(token, lp)| (b, token, lp)));
        }
        let extended = |(b, _, lp): &(usize, usize, f32)| self.beams[*b].2 + lp;
        candidates.sort_by(|x, y| extended(y).total_cmp(&extended(x)));
        let mut next_beams = Vec::new();
        let mut keep_rows = Vec::new();
        for (b, token, token_log_prob) in candidates {
            let (tokens, token_log_probs, log_prob) = &self.beams[b];
            let log_prob = log_prob + token_log_prob;
            let extended_log_probs = || [token_log_probs.as_slice(), &[token_log_prob]].concat();
            if token == END_ID {
                self.finished.push(Hypothesis {
                    score: normalised(log_prob, tokens.len() + 1, alpha),
                    tokens: tokens.clone(),
                    token_log_probs: extended_log_probs(),
                });
            } else if next_beams.len() < k {
                let extended_tokens = [tokens.as_slice(), &[token]].concat();
                next_beams.push((extended_tokens, extended_log_probs(), log_prob));
                keep_rows.push(b);
            }
            if next_beams.len() == k && self.finished.len() >= n {
                break;
            }
        }
        // stop when no live beam can still beat the n-th finished caption
        self.finished.sort_by(|a, b| b.score.total_cmp(&a.score));
        let finished = &self.finished;
        self.searching = !(next_beams.is_empty()
            || (finished.len() >= n.max(k)
                && next_beams
                    .iter()
                    .all(|(t, _, lp)| normalised(*lp, t.len() + 1, alpha) < finished[n.max(1) - 1].score)));
        self.beams = next_beams;
        if self.searching {
            keep_rows
        } else {
            Vec::new()
        }
    }

    /// Up to `n` captions, best first; captions cut off at `max_len` still count, so that there
    /// is always an answer.
    fn best(mut self, n: usize, alpha: f32) -> Vec<Hypothesis> {
        self.finished.extend(self.beams.into_iter().map(|(tokens, token_log_probs, log_prob)| Hypothesis {
            score: normalised(log_prob, tokens.len(), alpha),
            tokens,
            token_log_probs,
        }));
        self.finished.sort_by(|a, b| b.score.total_cmp(&a.score));
        self.finished.dedup_by(|a, b| a.tokens == b.tokens);
        self.finished.truncate(n.max(1));
        self.finished
    }
}

/// How a beam search runs: `width` beams, captions ranked by log-probability / length^`alpha`
/// (see [`Hypothesis`]), and its `patience` (after Kasai et al., 2022). The usual search
/// (patience 1, or 0) stops once `width` captions have finished and no live beam can still rank
/// above the n-th best of them (n: the captions asked for). A patient one searches as if asked
/// for `patience` x `width` captions, and so keeps looking for a longer caption that ranks better
/// once its score is normalised, which the usual search can stop too early to find.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeamSearch {
    pub width: usize,
    pub alpha: f32,
    pub patience: usize,
}

/// The patience of the usual beam search, and of every model and calibration that names none.
pub const USUAL_PATIENCE: usize = 1;

impl BeamSearch {
    /// The usual search ([`USUAL_PATIENCE`]).
    pub fn new(width: usize, alpha: f32) -> Self {
        Self { width, alpha, patience: USUAL_PATIENCE }
    }

    pub fn with_patience(self, patience: usize) -> Self {
        Self { patience, ..self }
    }
}

/// Beam search (`search`) for each image of `features` (`[photos, regions, dim]`); returns, per
/// photo, up to `n` finished captions, best first by their length-normalised score. The photos
/// are searched together: the live beams of all of them are the rows of one decoder state, so
/// each word costs one step of the decoder for the whole batch (larger matrix products, far fewer
/// calls), and each photo gets the captions it would get alone.
pub fn beam_search<D: StepDecoder>(
    decoder: &D,
    features: Tensor<3>,
    search: BeamSearch,
    n: usize,
    max_len: usize,
) -> Vec<Vec<Hypothesis>> {
    let (k, alpha) = (search.width.max(1), search.alpha);
    // a patient search runs as if asked for that many captions, and keeps the best `n`
    let search_n = if search.patience > 1 { n.max(search.patience * k) } else { n };
    let device = features.device();
    let photos = features.dims()[0];
    if photos == 0 {
        return Vec::new(); // (a decoder step of no rows crashed the process in burn's CPU backend)
    }
    let mut searches: Vec<PhotoSearch> = (0..photos)
        .map(|_| PhotoSearch { beams: vec![(Vec::new(), Vec::new(), 0.0)], finished: Vec::new(), searching: true })
        .collect();
    let mut state = decoder.start(features);
    for _ in 0..max_len {
        let last: Vec<usize> = searches
            .iter()
            .filter(|s| s.searching)
            .flat_map(|s| s.beams.iter().map(|(t, _, _)| t.last().copied().unwrap_or(START_ID)))
            .collect();
        let (logits, new_state) = decoder.step(state, tokens_tensor(&last, &device));
        let probs = log_probs(logits);
        let mut keep_rows: Vec<i64> = Vec::new();
        let mut first_row = 0;
        for search in searches.iter_mut().filter(|s| s.searching) {
            let rows = search.beams.len();
            let kept = search.advance(&probs[first_row..first_row + rows], k, search_n, alpha);
            keep_rows.extend(kept.into_iter().map(|row| (first_row + row) as i64));
            first_row += rows;
        }
        if keep_rows.is_empty() {
            break;
        }
        let count = keep_rows.len();
        let rows = Tensor::<1, Int>::from_data(TensorData::new(keep_rows, [count]), &device);
        state = decoder.reorder(new_state, rows);
    }
    searches.into_iter().map(|s| s.best(n, alpha)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_never_contain_unknown_start_or_padding() {
        let logits = Tensor::<2>::from_data(TensorData::new(vec![5.0f32, 5.0, 0.0, 5.0, 1.0], [1, 5]), &Device::flex());
        let row = &log_probs(logits)[0];
        for banned in [PAD_ID, START_ID, UNKNOWN_ID] {
            assert_eq!(row[banned], f32::NEG_INFINITY);
        }
        assert!(row[END_ID].is_finite() && row[4].is_finite() && row[4] > row[END_ID]);
    }

    /// Next-word logits that never change: `<pad>`, `<start>` and `<unk>` most likely (ruled
    /// out), then word 4 three times as likely as word 5; `<end>` almost never.
    struct Fixed;

    impl StepDecoder for Fixed {
        type State = usize;
        fn start(&self, features: Tensor<3>) -> usize {
            features.dims()[0]
        }
        fn step(&self, rows: usize, _: Tensor<2, Int>) -> (Tensor<2>, usize) {
            let row = [9.0f32, 9.0, -30.0, 9.0, 3.0f32.ln(), 0.0];
            (Tensor::<2>::from_data(TensorData::new(row.repeat(rows), [rows, 6]), &Device::flex()), rows)
        }
        fn reorder(&self, rows: usize, _: Tensor<1, Int>) -> usize {
            rows
        }
    }

    /// Next-word logits that depend on the photo (its one feature value) and the last word: words
    /// 4–7 in a varied order, `<end>` likely after word 7 except for photo 2, which never ends.
    struct ByPhoto;

    impl StepDecoder for ByPhoto {
        type State = Vec<f32>;
        fn start(&self, features: Tensor<3>) -> Vec<f32> {
            features.into_data().try_into_vec::<f32>().unwrap()
        }
        fn step(&self, photos: Vec<f32>, last: Tensor<2, Int>) -> (Tensor<2>, Vec<f32>) {
            let last: Vec<i64> = last.into_data().iter::<i64>().collect();
            let logits: Vec<f32> = photos
                .iter()
                .zip(&last)
                .flat_map(|(&photo, &last)| {
                    let end = if photo == 2.0 {
                        -30.0
                    } else if last == 7 {
                        2.0 - photo
                    } else {
                        -1.0
                    };
                    let word = |t: i64| (photo * 3.1 + last as f32 * 1.7 + t as f32 * 0.9).sin() * 2.0;
                    [0.0, 0.0, end, 0.0, word(4), word(5), word(6), word(7)]
                })
                .collect();
            (Tensor::<2>::from_data(TensorData::new(logits, [photos.len(), 8]), &Device::flex()), photos)
        }
        fn reorder(&self, photos: Vec<f32>, rows: Tensor<1, Int>) -> Vec<f32> {
            let rows: Vec<i64> = rows.into_data().iter::<i64>().collect();
            rows.iter().map(|&r| photos[r as usize]).collect()
        }
    }

    #[test]
    fn photos_searched_together_get_the_captions_each_gets_alone() {
        let photos = [0.0f32, 1.0, 2.0, 0.5];
        let features = |values: &[f32]| {
            Tensor::<3>::from_data(TensorData::new(values.to_vec(), [values.len(), 1, 1]), &Device::flex())
        };
        let together = beam_search(&ByPhoto, features(&photos), BeamSearch::new(3, 0.6), 2, 6);
        assert_eq!(together.len(), photos.len());
        for (photo, captions) in photos.iter().zip(&together) {
            let alone = beam_search(&ByPhoto, features(&[*photo]), BeamSearch::new(3, 0.6), 2, 6).remove(0);
            assert_eq!(captions.len(), 2, "photo {photo}");
            for (a, b) in captions.iter().zip(&alone) {
                assert_eq!(a.tokens, b.tokens, "photo {photo}");
                assert!(
                    (a.score - b.score).abs() < 1e-5 && (a.log_prob() - b.log_prob()).abs() < 1e-5,
                    "photo {photo}"
                );
            }
            assert!(captions.windows(2).all(|w| w[0].score >= w[1].score), "best first");
        }
        assert!(together[2].iter().all(|h| h.tokens.len() == 6), "a photo that never ends is cut off");
        assert!(together[0].iter().any(|h| h.tokens.len() < 6), "the others end");
        assert_ne!(together[0][0].tokens, together[1][0].tokens);
        assert!(beam_search(&ByPhoto, Tensor::<3>::zeros([0, 1, 1], &Device::flex()), BeamSearch::new(3, 0.6), 2, 6)
            .is_empty());
    }

    /// A patient search finishes every caption the usual one does and more, so its best caption
    /// never ranks lower; here it sometimes ranks higher (a longer caption found after the usual
    /// search had stopped).
    #[test]
    fn a_patient_search_finds_a_caption_at_least_as_good() {
        let photos: Vec<f32> = (0..40).map(|i| i as f32 * 0.075).collect();
        let features = Tensor::<3>::from_data(TensorData::new(photos.clone(), [photos.len(), 1, 1]), &Device::flex());
        let mut better = 0;
        for alpha in [0.0, 0.6, 1.0] {
            let usual = beam_search(&ByPhoto, features.clone(), BeamSearch::new(2, alpha), 1, 8);
            let patient = beam_search(&ByPhoto, features.clone(), BeamSearch::new(2, alpha).with_patience(3), 1, 8);
            for ((photo, u), p) in photos.iter().zip(&usual).zip(&patient) {
                assert!(
                    p[0].score >= u[0].score - 1e-6,
                    "photo {photo}, alpha {alpha}: {} < {}",
                    p[0].score,
                    u[0].score
                );
                better += usize::from(p[0].score > u[0].score + 1e-6);
            }
        }
        assert!(better > 0, "patience never found a better caption");
    }

    #[test]
    fn sampled_words_follow_the_probabilities_of_the_words_allowed() {
        let features = Tensor::<3>::zeros([200, 1, 1], &Device::flex());
        let mut seed = 5;
        let drawn = sample_batch(&Fixed, features, 10, &mut seed);
        let words: Vec<usize> = drawn.iter().flat_map(|h| h.tokens.iter().copied()).collect();
        assert_eq!(words.len(), 2000, "no caption ends");
        assert!(words.iter().all(|w| [4, 5].contains(w)), "only words a caption may contain");
        let fours = words.iter().filter(|&&w| w == 4).count() as f64 / 2000.0;
        assert!((fours - 0.75).abs() < 0.04, "{fours}");
    }
}
