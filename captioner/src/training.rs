//! Teacher-forced training of a decoder on whole caption sequences (batches of sequences, not
//! one sample per prefix), with Adam: the one epoch loop that `captioner train` and the tiny
//! training test both run.

use std::collections::HashMap;

use burn::{
    grad_clipping::GradientClippingConfig,
    nn::loss::CrossEntropyLossConfig,
    optim::{AdamConfig, GradientsParams, ModuleOptimizer},
    prelude::*,
    tensor::activation::log_softmax,
};
use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};

use crate::{
    decoding::{greedy_batch, sample_batch, StepDecoder},
    features::{FeatureCache, FeatureShape},
    metrics::CiderD,
    model::{attention::AttentionDecoder, decoder::Decoder},
    vocab::{END_ID, PAD_ID, START_ID},
};

/// One training example: a photo's name and one of its captions as ids (`<start> … <end>`,
/// see `Vocabulary::encode`). The features stay in the cache until the batch is made.
#[derive(Debug, Clone)]
pub struct Example<'a> {
    pub photo: &'a str,
    pub caption: Vec<usize>,
}

/// Where a batch's features come from: the feature cache, or features held in memory (tests).
pub trait PhotoFeatures {
    fn shape(&self) -> FeatureShape;
    fn contains(&self, photo: &str) -> bool;
    /// Appends the photo's features to `out`; false when there are none.
    fn extend_with(&self, photo: &str, out: &mut Vec<f32>) -> bool;
}

impl<T: PhotoFeatures + ?Sized> PhotoFeatures for &T {
    fn shape(&self) -> FeatureShape {
        (**self).shape()
    }
    fn contains(&self, photo: &str) -> bool {
        (**self).contains(photo)
    }
    fn extend_with(&self, photo: &str, out: &mut Vec<f32>) -> bool {
        (**self).extend_with(photo, out)
    }
}

impl PhotoFeatures for FeatureCache {
    fn shape(&self) -> FeatureShape {
        FeatureCache::shape(self)
    }
    fn contains(&self, photo: &str) -> bool {
        FeatureCache::contains(self, photo)
    }
    fn extend_with(&self, photo: &str, out: &mut Vec<f32>) -> bool {
        FeatureCache::extend_with(self, photo, out)
    }
}

/// Features by photo name, with their shape.
pub struct InMemoryFeatures {
    pub shape: FeatureShape,
    pub by_photo: HashMap<String, Vec<f32>>,
}

impl PhotoFeatures for InMemoryFeatures {
    fn shape(&self) -> FeatureShape {
        self.shape
    }
    fn contains(&self, photo: &str) -> bool {
        self.by_photo.contains_key(photo)
    }
    fn extend_with(&self, photo: &str, out: &mut Vec<f32>) -> bool {
        self.by_photo.get(photo).map(|v| out.extend_from_slice(v)).is_some()
    }
}

/// Two views of each photo as one: the first's regions, then the second's (`model::Views`).
pub struct BothViews<A, B>(pub A, pub B);

impl<A: PhotoFeatures, B: PhotoFeatures> PhotoFeatures for BothViews<A, B> {
    fn shape(&self) -> FeatureShape {
        let (a, b) = (self.0.shape(), self.1.shape());
        assert_eq!(a, b, "both views have one shape");
        FeatureShape { regions: a.regions * 2, dim: a.dim }
    }
    fn contains(&self, photo: &str) -> bool {
        self.0.contains(photo) && self.1.contains(photo)
    }
    fn extend_with(&self, photo: &str, out: &mut Vec<f32>) -> bool {
        self.contains(photo) && self.0.extend_with(photo, out) && self.1.extend_with(photo, out)
    }
}

/// Each read of a photo's features from one of its views, drawn at random (seeded, so a run
/// reproduces): training captions see their photo as taken or mirrored (`extract::View`), twice
/// the photos to learn from.
pub struct RandomView<'a> {
    views: Vec<&'a dyn PhotoFeatures>,
    seed: std::cell::Cell<u64>,
}

impl<'a> RandomView<'a> {
    pub fn new(views: Vec<&'a dyn PhotoFeatures>, seed: u64) -> Self {
        assert!(!views.is_empty() && views.iter().all(|v| v.shape() == views[0].shape()), "views of one shape");
        Self { views, seed: std::cell::Cell::new(seed.max(1)) }
    }
}

impl PhotoFeatures for RandomView<'_> {
    fn shape(&self) -> FeatureShape {
        self.views[0].shape()
    }
    fn contains(&self, photo: &str) -> bool {
        self.views.iter().all(|v| v.contains(photo))
    }
    fn extend_with(&self, photo: &str, out: &mut Vec<f32>) -> bool {
        let mut seed = self.seed.get();
        let view = (crate::decoding::xorshift(&mut seed) % self.views.len() as u64) as usize;
        self.seed.set(seed);
        self.contains(photo) && self.views[view].extend_with(photo, out)
    }
}

/// The pooled features read from a map cache: VGG16's pooled vector is the mean of its 7x7 map
/// (see `Vgg16Encoder::forward`), so one extraction serves both decoders.
pub struct PooledMap<F>(pub F);

impl<F: PhotoFeatures> PhotoFeatures for PooledMap<F> {
    fn shape(&self) -> FeatureShape {
        FeatureShape { regions: 1, dim: self.0.shape().dim }
    }
    fn contains(&self, photo: &str) -> bool {
        self.0.contains(photo)
    }
    fn extend_with(&self, photo: &str, out: &mut Vec<f32>) -> bool {
        let mut map = Vec::with_capacity(self.0.shape().len());
        if !self.0.extend_with(photo, &mut map) {
            return false;
        }
        out.extend(self.0.shape().pool(&map));
        true
    }
}

/// A batch: features `[b, regions, dim]`, inputs `[b, t]` (caption without its last token) and
/// targets `[b, t]` (caption without `<start>`), padded with `<pad>`, which the loss ignores.
pub struct CaptionBatch {
    pub features: Tensor<3>,
    pub inputs: Tensor<2, Int>,
    pub targets: Tensor<2, Int>,
}

/// Panics when a photo has no features: examples are only made for photos that have them.
pub fn make_batch(examples: &[Example], features: &dyn PhotoFeatures, device: &Device) -> CaptionBatch {
    let shape = features.shape();
    let steps = examples.iter().map(|e| e.caption.len() - 1).max().unwrap_or(1);
    let (mut values, mut inputs, mut targets) =
        (Vec::with_capacity(examples.len() * shape.len()), Vec::new(), Vec::new());
    for example in examples {
        assert!(features.extend_with(example.photo, &mut values), "no features for {}", example.photo);
        let ids: Vec<i64> = example.caption.iter().map(|&t| t as i64).collect();
        let pad = PAD_ID as i64;
        for t in 0..steps {
            inputs.push(if t + 1 < ids.len() { ids[t] } else { pad });
            targets.push(ids.get(t + 1).copied().unwrap_or(pad));
        }
    }
    let b = examples.len();
    CaptionBatch {
        features: Tensor::<3>::from_data(TensorData::new(values, [b, shape.regions, shape.dim]), device),
        inputs: Tensor::<2, Int>::from_data(TensorData::new(inputs, [b, steps]), device),
        targets: Tensor::<2, Int>::from_data(TensorData::new(targets, [b, steps]), device),
    }
}

/// Mean cross-entropy per real token: burn 0.22.1 leaves `<pad>` targets out of both the sum
/// and the count. With `label_smoothing` ε above 0, each target is 1 - ε on its word plus ε
/// spread evenly over the vocabulary (Szegedy et al. 2016), so the decoder is not pushed towards
/// certainty on a word that four of a photo's five references may not use.
fn cross_entropy(logits: Tensor<3>, targets: Tensor<2, Int>, label_smoothing: f32) -> Tensor<1> {
    let [b, t, v] = logits.dims();
    CrossEntropyLossConfig::new()
        .with_pad_tokens(Some(vec![PAD_ID]))
        .with_smoothing((label_smoothing > 0.0).then_some(label_smoothing))
        .init(&logits.device())
        .forward(logits.reshape([b * t, v]), targets.reshape([b * t]))
}

/// A decoder that can be trained: its loss on a batch, and its next-token logits under teacher
/// forcing (what self-critical training weighs).
pub trait TrainableDecoder: Module + StepDecoder {
    /// The training loss, its cross-entropy label-smoothed by `label_smoothing` (0: none).
    fn loss(&self, batch: CaptionBatch, label_smoothing: f32) -> Tensor<1>;
    /// `[b, regions, dim]` features and `[b, steps]` inputs → `[b, steps, vocab]` logits.
    fn logits(&self, features: Tensor<3>, inputs: Tensor<2, Int>) -> Tensor<3>;
}

impl TrainableDecoder for Decoder {
    fn loss(&self, batch: CaptionBatch, label_smoothing: f32) -> Tensor<1> {
        cross_entropy(self.logits(batch.features, batch.inputs), batch.targets, label_smoothing)
    }

    fn logits(&self, features: Tensor<3>, inputs: Tensor<2, Int>) -> Tensor<3> {
        let [b, regions, dim] = features.dims();
        self.forward(features.reshape([b, regions * dim]), inputs)
    }
}

impl TrainableDecoder for AttentionDecoder {
    /// Cross-entropy plus the doubly stochastic regulariser: `penalty * mean_i (1 - Σ_t α_ti)²`
    /// per caption (real words only), which asks the decoder to look at every region about once
    /// over the caption, instead of staring at one. It is a mean over regions, not a sum, because
    /// the cross-entropy is a mean per word: summed over 49 regions it outweighed the words by
    /// far, and the cheapest answer was to look everywhere at once (the mean pooled vector).
    fn loss(&self, batch: CaptionBatch, label_smoothing: f32) -> Tensor<1> {
        let words = batch.targets.clone().not_equal_elem(PAD_ID as i64).float();
        let (logits, weights) = self.forward(batch.features, batch.inputs);
        cross_entropy(logits, batch.targets, label_smoothing)
            + attention_regulariser(weights, words) * self.attention_penalty()
    }

    fn logits(&self, features: Tensor<3>, inputs: Tensor<2, Int>) -> Tensor<3> {
        self.forward(features, inputs).0
    }
}

/// `mean over captions and regions of (1 - Σ_t α_ti)²` for weights `[b, steps, regions]`,
/// counting the steps where `words` (`[b, steps]`) is 1.
fn attention_regulariser(weights: Tensor<3>, words: Tensor<2>) -> Tensor<1> {
    let [b, _, regions] = weights.dims();
    let attention_per_region = (weights * words.unsqueeze_dim::<3>(2)).sum_dim(1);
    (attention_per_region.neg() + 1.0).powi_scalar(2).sum().div_scalar((b * regions) as f32).reshape([1])
}

/// Adam, with the gradients' norm clipped when `clip` is above 0 (the attention LSTM's
/// gradients can spike early on).
pub fn optimizer(clip: f32) -> ModuleOptimizer {
    AdamConfig::new().with_grad_clipping((clip > 0.0).then_some(GradientClippingConfig::Norm(clip))).init()
}

/// One pass over `examples` in batches of `batch_size` on an autodiff device; returns the
/// model and the mean batch loss (label-smoothed as trained).
#[allow(clippy::too_many_arguments)]
pub fn train_epoch<M: TrainableDecoder>(
    mut model: M,
    optimizer: &mut ModuleOptimizer,
    examples: &[Example],
    features: &dyn PhotoFeatures,
    batch_size: usize,
    learning_rate: f64,
    label_smoothing: f32,
    autodiff: &Device,
    progress: Option<&ProgressBar>,
) -> (M, f32) {
    let (mut total, mut batches) = (0.0, 0);
    for chunk in examples.chunks(batch_size.max(1)) {
        let loss = model.loss(make_batch(chunk, features, autodiff), label_smoothing);
        total += loss.clone().into_scalar::<f32>();
        batches += 1;
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optimizer.step(learning_rate, model, grads);
        if let Some(progress) = progress {
            progress.inc(1);
        }
    }
    (model, total / batches.max(1) as f32)
}

/// Each caption's log-probability under teacher forcing, the sum over its real target tokens
/// (`<pad>` left out): `[b]`.
pub fn caption_log_probs<M: TrainableDecoder>(model: &M, batch: CaptionBatch) -> Tensor<1> {
    let [b, steps] = batch.targets.dims();
    let log_probs = log_softmax(model.logits(batch.features, batch.inputs), 2);
    let chosen = log_probs.gather(2, batch.targets.clone().unsqueeze_dim::<3>(2)).reshape([b, steps]);
    let real = batch.targets.not_equal_elem(PAD_ID as i64).float();
    (chosen * real).sum_dim(1).reshape([b])
}

/// What self-critical training (Rennie et al. 2017) rewards: a caption's CIDEr-D against its
/// photo's training references, with the document frequencies of all the training references.
pub struct SelfCritical<'a> {
    /// Each training photo's references, tokenised for scoring.
    pub references: &'a HashMap<&'a str, Vec<Vec<String>>>,
    pub scorer: &'a CiderD<'a>,
    /// Token ids → the words scored (the vocabulary's text, tokenised as the references are).
    pub words: &'a dyn Fn(&[usize]) -> Vec<String>,
    /// Captions drawn per photo.
    pub samples_per_photo: usize,
    pub max_len: usize,
    pub baseline: Baseline,
}

/// What a drawn caption's reward is compared with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Baseline {
    /// The greedy caption's reward (Rennie et al. 2017).
    Greedy,
    /// The mean reward of the photo's other drawn captions (Luo 2020): the advantages of a
    /// photo's captions sum to zero, so training never pushes all of them down at once.
    #[default]
    OtherSamples,
}

impl SelfCritical<'_> {
    fn reward(&self, photo: &str, tokens: &[usize]) -> f32 {
        self.scorer.score(&(self.words)(tokens), &self.references[photo]) as f32
    }
}

/// One pass of self-critical training over `photos`, `photos_per_batch` at a time: for each
/// photo, `samples_per_photo` captions drawn from the decoder and its greedy caption; each drawn
/// caption's log-probability is pushed up (or down) by how much its reward beats (or trails) the
/// baseline's (REINFORCE; see [`Baseline`]). Returns the model and the pass's mean figures.
#[allow(clippy::too_many_arguments)]
pub fn self_critical_epoch<M: TrainableDecoder>(
    mut model: M,
    optimizer: &mut ModuleOptimizer,
    photos: &[&str],
    critic: &SelfCritical,
    features: &dyn PhotoFeatures,
    photos_per_batch: usize,
    learning_rate: f64,
    seed: &mut u64,
    device: &Device,
    progress: Option<&ProgressBar>,
) -> (M, SelfCriticalFigures) {
    let autodiff = &device.clone().autodiff();
    let k = critic.samples_per_photo.max(1);
    let (mut total_loss, mut total_greedy, mut total_drawn, mut batches) = (0.0, 0.0, 0.0, 0);
    // a run goes for hours, its log is rarely a terminal: a line every tenth of the epoch
    let tenth = photos.len().div_ceil(photos_per_batch.max(1) * 10).max(1);
    for chunk in photos.chunks(photos_per_batch.max(1)) {
        let frozen = model.valid();
        let values = features_tensor(features, chunk, device).expect("training photos have features");
        let [n, regions, dim] = values.dims();
        let greedy = greedy_batch(&frozen, values.clone(), critic.max_len);
        let drawn = values.unsqueeze_dim::<4>(1).repeat_dim(1, k).reshape([n * k, regions, dim]);
        let samples = sample_batch(&frozen, drawn, critic.max_len, seed);
        let greedy_rewards: Vec<f32> = chunk.iter().zip(&greedy).map(|(p, g)| critic.reward(p, &g.tokens)).collect();
        let rewards: Vec<f32> =
            samples.iter().enumerate().map(|(i, s)| critic.reward(chunk[i / k], &s.tokens)).collect();
        let mut examples = Vec::with_capacity(n * k);
        let mut advantages = Vec::with_capacity(n * k);
        for (i, sample) in samples.iter().enumerate() {
            let photo = chunk[i / k];
            let baseline = match critic.baseline {
                Baseline::Greedy => greedy_rewards[i / k],
                Baseline::OtherSamples if k > 1 => {
                    let same_photo = &rewards[i / k * k..(i / k + 1) * k];
                    (same_photo.iter().sum::<f32>() - rewards[i]) / (k - 1) as f32
                }
                Baseline::OtherSamples => 0.0,
            };
            advantages.push(rewards[i] - baseline);
            let ended = sample.tokens.len() < critic.max_len;
            let caption: Vec<usize> =
                std::iter::once(START_ID).chain(sample.tokens.iter().copied()).chain(ended.then_some(END_ID)).collect();
            examples.push(Example { photo, caption });
        }
        let advantages = Tensor::<1>::from_data(TensorData::new(advantages, [n * k]), autodiff);
        let log_probs = caption_log_probs(&model, make_batch(&examples, features, autodiff));
        let loss = (log_probs * advantages).mean().neg();
        total_loss += loss.clone().into_scalar::<f32>();
        total_greedy += greedy_rewards.iter().sum::<f32>() / n as f32;
        total_drawn += rewards.iter().sum::<f32>() / (n * k) as f32;
        batches += 1;
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optimizer.step(learning_rate, model, grads);
        if let Some(progress) = progress {
            progress.inc(1);
        }
        if batches % tenth == 0 {
            eprintln!(
                "  {batches} batches: mean loss {:.3}, CIDEr-D of the drawn captions {:.1}, of the greedy ones {:.1}",
                total_loss / batches as f32,
                total_drawn / batches as f32 * 100.0,
                total_greedy / batches as f32 * 100.0
            );
        }
    }
    let batches = batches.max(1) as f32;
    let figures = SelfCriticalFigures {
        loss: total_loss / batches,
        drawn_reward: total_drawn / batches,
        greedy_reward: total_greedy / batches,
    };
    (model, figures)
}

/// A self-critical pass's means over its batches, each reward measured before the batch's update.
#[derive(Debug, Clone, Copy)]
pub struct SelfCriticalFigures {
    pub loss: f32,
    /// CIDEr-D of the drawn captions: what the training raises.
    pub drawn_reward: f32,
    /// CIDEr-D of the greedy captions.
    pub greedy_reward: f32,
}

/// The photos' features as one `[photos, regions, dim]` tensor, or `None` when one has none.
pub fn features_tensor(features: &dyn PhotoFeatures, photos: &[&str], device: &Device) -> Option<Tensor<3>> {
    let shape = features.shape();
    let mut values = Vec::with_capacity(photos.len() * shape.len());
    for photo in photos {
        if !features.extend_with(photo, &mut values) {
            return None;
        }
    }
    Some(Tensor::<3>::from_data(TensorData::new(values, [photos.len(), shape.regions, shape.dim]), device))
}

/// Mean loss over `examples` without training (dev loss): plain cross-entropy whatever the
/// training's label smoothing, so that runs with and without it compare.
pub fn mean_loss<M: TrainableDecoder>(
    model: &M,
    examples: &[Example],
    features: &dyn PhotoFeatures,
    batch_size: usize,
    device: &Device,
) -> f32 {
    let (mut total, mut count) = (0.0, 0);
    for chunk in examples.chunks(batch_size.max(1)) {
        total += model.loss(make_batch(chunk, features, device), 0.0).into_scalar::<f32>() * chunk.len() as f32;
        count += chunk.len();
    }
    total / count.max(1) as f32
}

/// Trains for `passes` epochs (the tiny training test); returns the decoder on the plain device
/// and the mean loss of each pass.
pub fn train_passes<M: TrainableDecoder>(
    decoder: M,
    examples: &[Example],
    features: &dyn PhotoFeatures,
    batch_size: usize,
    learning_rate: f64,
    passes: usize,
    device: &Device,
) -> (M, Vec<f32>) {
    let autodiff = device.clone().autodiff();
    let mut model = decoder.train();
    let mut optimizer = optimizer(0.0);
    let mut losses = Vec::new();
    for _ in 0..passes {
        let (trained, loss) =
            train_epoch(model, &mut optimizer, examples, features, batch_size, learning_rate, 0.0, &autodiff, None);
        model = trained;
        losses.push(loss);
    }
    (model.valid(), losses)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pooled_vector_is_the_mean_of_the_map() {
        // Two regions of three values.
        let map = InMemoryFeatures {
            shape: FeatureShape { regions: 2, dim: 3 },
            by_photo: HashMap::from([("a.jpg".to_owned(), vec![1.0, 2.0, 3.0, 3.0, 4.0, 5.0])]),
        };
        let pooled = PooledMap(&map);
        assert_eq!(pooled.shape(), FeatureShape { regions: 1, dim: 3 });
        let mut out = vec![9.0];
        assert!(pooled.extend_with("a.jpg", &mut out));
        assert_eq!(out, [9.0, 2.0, 3.0, 4.0], "appended after what was there");
        assert!(!pooled.extend_with("b.jpg", &mut out) && !pooled.contains("b.jpg"));
    }

    /// Reads draw either view, about half each, the same draws for the same seed; a photo only
    /// one view has is not there; both views side by side are one photo of twice the regions.
    #[test]
    fn a_random_view_reads_either_view_and_both_views_read_both() {
        let shape = FeatureShape { regions: 1, dim: 2 };
        let view = |values: [f32; 2], extra: &str| InMemoryFeatures {
            shape,
            by_photo: HashMap::from([("a.jpg".to_owned(), values.to_vec()), (extra.to_owned(), values.to_vec())]),
        };
        let (taken, mirrored) = (view([1.0, 2.0], "b.jpg"), view([3.0, 4.0], "c.jpg"));
        let draws = |seed| {
            let random = RandomView::new(vec![&taken, &mirrored], seed);
            assert!(!random.contains("b.jpg") && !random.extend_with("c.jpg", &mut Vec::new()));
            (0..200)
                .map(|_| {
                    let mut out = Vec::new();
                    assert!(random.extend_with("a.jpg", &mut out));
                    out[0] == 3.0
                })
                .collect::<Vec<bool>>()
        };
        let mirrored_reads = draws(13).iter().filter(|&&m| m).count();
        assert!((70..=130).contains(&mirrored_reads), "{mirrored_reads} of 200");
        assert_eq!(draws(13), draws(13));
        assert_ne!(draws(13), draws(14));

        let both = BothViews(&taken, &mirrored);
        assert_eq!(both.shape(), FeatureShape { regions: 2, dim: 2 });
        let mut out = Vec::new();
        assert!(both.extend_with("a.jpg", &mut out) && !both.extend_with("b.jpg", &mut out));
        assert_eq!(out, [1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn the_regulariser_is_a_mean_over_regions_of_real_words_only() {
        let device = Device::default();
        // One caption, two words and a pad step, three regions. The words look at region 0, then
        // half at regions 0 and 1; the pad step's weights (all on region 2) do not count.
        let weights = Tensor::<3>::from_data(
            TensorData::new(vec![1.0f32, 0.0, 0.0, 0.5, 0.5, 0.0, 0.0, 0.0, 1.0], [1, 3, 3]),
            &device,
        );
        let words = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 1.0, 0.0], [1, 3]), &device);
        // per region: 1.5, 0.5, 0 → (1 - x)²: 0.25, 0.25, 1 → mean 0.5
        let value = attention_regulariser(weights, words).into_scalar::<f32>();
        assert!((value - 0.5).abs() < 1e-6, "{value}");
    }

    /// Label smoothing ε: each real word's loss is `-(1 - ε) log p(word) - ε/V Σ_c log p(c)`,
    /// averaged over the real words; `<pad>` targets count in neither the sum nor the mean.
    #[test]
    fn label_smoothing_spreads_a_share_of_each_real_words_target_over_the_vocabulary() {
        let device = Device::default();
        // One caption of two words and a pad, over a vocabulary of four (pad = 0).
        let rows = [[0.0f32, 1.0, 2.0, 3.0], [1.0, 0.5, -1.0, 2.0], [5.0, 0.0, 0.0, 0.0]];
        let logits = Tensor::<3>::from_data(TensorData::new(rows.concat(), [1, 3, 4]), &device);
        let targets = Tensor::<2, Int>::from_data(TensorData::new(vec![3i64, 1, PAD_ID as i64], [1, 3]), &device);
        let log_softmax = |row: &[f32; 4]| {
            let log_sum = row.iter().map(|x| x.exp()).sum::<f32>().ln();
            row.map(|x| x - log_sum)
        };
        let (first, second) = (log_softmax(&rows[0]), log_softmax(&rows[1]));
        let plain = -(first[3] + second[1]) / 2.0;
        let epsilon = 0.1;
        let smoothed_word =
            |lp: [f32; 4], word: usize| -(1.0 - epsilon) * lp[word] - epsilon / 4.0 * lp.iter().sum::<f32>();
        let smoothed = (smoothed_word(first, 3) + smoothed_word(second, 1)) / 2.0;
        for (label_smoothing, expected) in [(0.0, plain), (epsilon, smoothed)] {
            let value = cross_entropy(logits.clone(), targets.clone(), label_smoothing).into_scalar::<f32>();
            assert!((value - expected).abs() < 1e-5, "ε {label_smoothing}: {value} != {expected}");
        }
        assert!(smoothed > plain, "the smoothed loss also charges the words not written");
    }

    /// Teacher forcing on the captions a decoder wrote gives the log-probabilities it wrote
    /// them with: what self-critical training weighs is what was sampled. Sampling is seeded.
    #[test]
    fn a_written_caption_scores_under_teacher_forcing_what_decoding_summed() {
        let device = Device::default();
        let decoder = crate::model::attention::AttentionDecoderConfig::new(9)
            .with_feature_size(4)
            .with_embedding_size(6)
            .with_hidden_size(8)
            .with_attention_size(5)
            .init(&device);
        let names = ["a.jpg".to_owned(), "b.jpg".to_owned()];
        let features = InMemoryFeatures {
            shape: FeatureShape { regions: 3, dim: 4 },
            by_photo: names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), (0..12).map(|v| (v * (i + 1)) as f32 / 10.0).collect()))
                .collect(),
        };
        let photos: Vec<&str> = names.iter().map(String::as_str).collect();
        let values = features_tensor(&features, &photos, &device).unwrap();
        let (mut one, mut again) = (7u64, 7u64);
        let drawn = sample_batch(&decoder, values.clone(), 6, &mut one);
        assert_eq!(drawn, sample_batch(&decoder, values.clone(), 6, &mut again), "the same seed, the same captions");
        for written in [greedy_batch(&decoder, values, 6), drawn] {
            let examples: Vec<Example> = written
                .iter()
                .zip(&photos)
                .map(|(h, photo)| Example {
                    photo,
                    caption: std::iter::once(START_ID)
                        .chain(h.tokens.iter().copied())
                        .chain((h.tokens.len() < 6).then_some(END_ID))
                        .collect(),
                })
                .collect();
            let scored: Vec<f32> = caption_log_probs(&decoder, make_batch(&examples, &features, &device))
                .into_data()
                .try_to_vec::<f32>()
                .unwrap();
            for (h, teacher_forced) in written.iter().zip(scored) {
                assert!((h.log_prob() - teacher_forced).abs() < 1e-4, "{} != {teacher_forced}", h.log_prob());
            }
        }
    }
}
