//! The whole recipe from shared data to a trained, scored model: load captions and splits, build
//! the vocabulary from the training captions, train with early stopping on the dev split, and
//! evaluate on the test split with the coco-caption metrics.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    time::Instant,
};

use burn::{
    prelude::*,
    store::{BurnpackStore, HalfPrecisionAdapter, ModuleSnapshot},
};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::{
    averaging::average,
    data::{parse_karpathy_json, parse_split_file, parse_token_file, CaptionSet, Splits},
    decoding::{
        beam_search, confidence_percent, greedy_batch, xorshift, BeamSearch, Hypothesis, StepDecoder, USUAL_PATIENCE,
    },
    features::FeatureShape,
    metrics::{cider_d, corpus_bleu, CiderD},
    model::{
        attention::{AttentionDecoderConfig, AttentionQuery},
        decoder::DecoderConfig,
        Architecture, CaptionModel, MapLayer, POOLED,
    },
    text::Language,
    training::{
        features_tensor, mean_loss, optimizer, self_critical_epoch, train_epoch, Baseline, Example, PhotoFeatures,
        RandomView, SelfCritical, TrainableDecoder,
    },
    vocab::Vocabulary,
};

/// Every hyperparameter of a training run; `captioner train --config FILE` reads it (JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    /// The captions' language (which caption file `DataSource::flickr8k` reads, how they are tokenised).
    pub language: Language,
    /// Which decoder (folders from before the choice hold the merge decoder).
    pub architecture: Architecture,
    /// Which of VGG16's maps the attention decoder reads (folders from before the choice: the
    /// 7x7 one).
    pub map_layer: MapLayer,
    pub hidden_size: usize,
    /// Word embedding size of the attention decoder (the merge decoder uses `hidden_size`).
    pub embedding_size: usize,
    /// Width of the attention decoder's attention layer.
    pub attention_size: usize,
    /// Which LSTM state the attention decoder's attention asks with (folders from before the
    /// choice: the previous one, Show, Attend and Tell's).
    pub attention_query: AttentionQuery,
    /// Weight of the attention decoder's doubly stochastic regulariser.
    pub attention_penalty: f64,
    /// Clip the gradients' norm to this (0: no clipping).
    pub gradient_clip: f32,
    pub dropout: f64,
    /// Multiplies the image features (see `DecoderConfig::feature_scale`).
    pub feature_scale: f64,
    pub learning_rate: f64,
    /// The learning rate is multiplied by this after every epoch (1: constant).
    pub learning_rate_decay: f64,
    pub batch_size: usize,
    pub max_epochs: usize,
    /// Which dev-split figure picks the saved decoder and drives early stopping.
    pub checkpoint_on: CheckpointMetric,
    /// Stop after this many epochs without a better figure (training; not `beam_patience`).
    pub patience: usize,
    pub seed: u64,
    /// Words seen fewer times in the training captions become `<unk>`.
    pub min_word_count: usize,
    /// Longest caption generated, in words.
    pub max_caption_len: usize,
    /// Beam search ranks captions by log-probability / length^alpha (1: mean per word).
    pub length_alpha: f32,
    /// The beam width the model captions with when none is asked for; chosen on dev with
    /// `length_alpha` and `beam_patience`, the setting its `calibration.json` was made for.
    pub beam: usize,
    /// How long its beam search goes on ([`BeamSearch::patience`]; 1: the usual search).
    pub beam_patience: usize,
    /// Dev photos captioned each epoch for the dev BLEU-4 curve, and the beam width used (1: greedy).
    pub dev_bleu_photos: usize,
    pub dev_bleu_beam: usize,
    /// Start no epoch that would end after this many minutes, judged by the last one (0: no limit).
    pub max_minutes: f64,
    /// Also score the mean of the last this-many epochs' weights each epoch, and keep it when its
    /// dev figure is the best (1: single epochs only). See `averaging`.
    pub average_last: usize,
    /// Batches of captions of about one length: each run of this many batches is sorted by
    /// caption length before the batches are shuffled (0: a plain shuffle). A batch runs as many
    /// steps as its longest caption, so this saves steps, which the attention decoder pays for.
    pub length_pool: usize,
    /// What the epochs optimise: cross-entropy on the references, or (going on from such a
    /// decoder) self-critical training's CIDEr-D reward.
    pub objective: Objective,
    /// Self-critical training: captions drawn per photo (a batch holds `batch_size` of them),
    /// and what their rewards are compared with.
    pub samples_per_photo: usize,
    pub baseline: Baseline,
    /// An ensemble's members (`architecture: ensemble`): the names of model folders beside this
    /// one, of one vocabulary, each with its own decoder. Its other settings are how it decodes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Each training caption sees its photo as taken or mirrored left to right, drawn at random
    /// each time (`training::RandomView`; the cache `captioner extract --mirror` writes). The dev
    /// figures read the photos as taken.
    pub mirror_photos: bool,
    /// Cross-entropy training's label smoothing ε (`training::cross_entropy`; 0: none). The dev
    /// loss stays plain cross-entropy.
    pub label_smoothing: f32,
}

impl TrainConfig {
    /// The image features the decoder it trains reads: the pooled vector, or the map at
    /// `map_layer`. (An ensemble is fed the finest of its members' maps, which only the loaded
    /// model knows: `CaptionModel::features`.)
    pub fn features(&self) -> FeatureShape {
        match self.architecture {
            Architecture::Merge => POOLED,
            Architecture::Attention | Architecture::Ensemble => self.map_layer.shape(),
        }
    }
}

/// What training optimises.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Teacher forcing: the next word of each reference caption.
    #[default]
    CrossEntropy,
    /// REINFORCE on sampled captions, rewarded by CIDEr-D over a baseline's
    /// (`training::self_critical_epoch`, `training::Baseline`).
    SelfCritical,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            language: Language::En,
            architecture: Architecture::Merge,
            map_layer: MapLayer::Block5Pool,
            hidden_size: 256,
            embedding_size: 256,
            attention_size: 512,
            attention_query: AttentionQuery::PreviousHidden,
            attention_penalty: 1.0,
            gradient_clip: 0.0,
            dropout: 0.5,
            feature_scale: 1.0,
            learning_rate: 1e-3,
            learning_rate_decay: 1.0,
            checkpoint_on: CheckpointMetric::DevLoss,
            batch_size: 64,
            max_epochs: 20,
            patience: 2,
            seed: 42,
            min_word_count: 5,
            max_caption_len: 20,
            length_alpha: 1.0,
            beam: 7,
            beam_patience: USUAL_PATIENCE,
            dev_bleu_photos: 300,
            dev_bleu_beam: 1,
            max_minutes: 0.0,
            average_last: 1,
            length_pool: 0,
            objective: Objective::CrossEntropy,
            samples_per_photo: 5,
            baseline: Baseline::OtherSamples,
            members: Vec::new(),
            mirror_photos: false,
            label_smoothing: 0.0,
        }
    }
}

/// The dev-split figure that decides which epoch's decoder is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointMetric {
    /// Lowest cross-entropy on the dev captions.
    DevLoss,
    /// Highest BLEU-4 of the captions generated for the dev photos (what the product shows).
    DevBleu4,
}

/// Where the captions come from.
#[derive(Debug, Clone)]
pub enum DataSource {
    /// A token file (`IMAGE.jpg#N<TAB>caption`) with the three split files.
    Token { captions: PathBuf, train: PathBuf, dev: PathBuf, test: PathBuf },
    /// A Karpathy split JSON (Flickr30k, COCO), which carries its splits.
    Karpathy(PathBuf),
}

impl DataSource {
    /// Flickr8k's photos and official splits with the captions in `language` (see
    /// `multilingual/README.md` beside them for the other languages' files).
    pub fn flickr8k(root: &Path, language: Language) -> Self {
        let captions = match language {
            Language::En => "Flickr8k.token.txt",
            Language::Zh => "multilingual/flickr8kzhc.caption.txt",
            Language::De => "multilingual/flickr8k_de_multi30k_task2.txt",
            Language::Ar => "multilingual/Flickr8k.arabic.full.txt",
        };
        DataSource::Token {
            captions: root.join(captions),
            train: root.join("Flickr_8k.trainImages.txt"),
            dev: root.join("Flickr_8k.devImages.txt"),
            test: root.join("Flickr_8k.testImages.txt"),
        }
    }

    pub fn load(&self) -> Result<(CaptionSet, Splits), String> {
        let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
        match self {
            DataSource::Token { captions, train, dev, test } => Ok((
                parse_token_file(&read(captions)?),
                Splits {
                    train: parse_split_file(&read(train)?),
                    dev: parse_split_file(&read(dev)?),
                    test: parse_split_file(&read(test)?),
                },
            )),
            DataSource::Karpathy(path) => parse_karpathy_json(&read(path)?).map_err(|e| e.to_string()),
        }
    }
}

/// One epoch's figures, for the history file and the plot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpochRecord {
    pub epoch: usize,
    pub train_loss: f32,
    pub dev_loss: f32,
    pub dev_bleu4: f64,
    /// The same two figures for the mean of the last `average_last` epochs' weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub averaged: Option<DevFigures>,
    pub seconds: f64,
}

/// How a decoder does on the dev split.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct DevFigures {
    pub dev_loss: f32,
    pub dev_bleu4: f64,
}

impl DevFigures {
    /// Higher is better, whichever figure decides.
    fn figure(&self, on: CheckpointMetric) -> f64 {
        match on {
            CheckpointMetric::DevLoss => -f64::from(self.dev_loss),
            CheckpointMetric::DevBleu4 => self.dev_bleu4,
        }
    }
}

/// The files of a trained model: `config.json`, `vocab.json`, `decoder.bpk`.
pub struct ModelFiles {
    pub dir: PathBuf,
}

impl ModelFiles {
    pub fn config(&self) -> PathBuf {
        self.dir.join("config.json")
    }
    pub fn vocab(&self) -> PathBuf {
        self.dir.join("vocab.json")
    }
    pub fn decoder(&self) -> PathBuf {
        self.dir.join("decoder.bpk")
    }

    /// The unsure threshold chosen on dev ([`Calibration`]); models without one mark nothing.
    pub fn calibration(&self) -> PathBuf {
        self.dir.join("calibration.json")
    }

    pub fn load_calibration(&self) -> Result<Option<Calibration>, String> {
        match std::fs::read_to_string(self.calibration()) {
            Ok(json) => {
                serde_json::from_str(&json).map(Some).map_err(|e| format!("{}: {e}", self.calibration().display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", self.calibration().display())),
        }
    }
    /// The same weights stored as f16: half the size, for the shipped model.
    pub fn decoder_half(&self) -> PathBuf {
        self.dir.join("decoder-f16.bpk")
    }

    /// Writes `decoder-f16.bpk` from `decoder.bpk`.
    pub fn halve(&self, device: &Device) -> Result<(), String> {
        let (_, _, decoder) = self.load_with(device, false)?;
        let mut store =
            BurnpackStore::from_file(self.decoder_half()).overwrite(true).with_to_adapter(HalfPrecisionAdapter::new());
        let saved = match decoder {
            CaptionModel::Merge(d) => d.save_into(&mut store),
            CaptionModel::Attention(d, ..) => d.save_into(&mut store),
            CaptionModel::Ensemble(_) => {
                return Err(format!("{} is an ensemble: halve its members", self.dir.display()));
            }
        };
        saved.map_err(|e| format!("{}: {e:?}", self.decoder_half().display()))
    }

    /// Loads the model, from `decoder-f16.bpk` when there is one.
    pub fn load(&self, device: &Device) -> Result<(TrainConfig, Vocabulary, CaptionModel), String> {
        self.load_with(device, self.decoder_half().exists())
    }

    /// Loads the model: its own decoder (`half`: from `decoder-f16.bpk`), or an ensemble's
    /// members, each from its half-precision record when it has one. An ensemble's vocabulary is
    /// its members' (they must share one).
    pub fn load_with(&self, device: &Device, half: bool) -> Result<(TrainConfig, Vocabulary, CaptionModel), String> {
        let config = self.load_config()?;
        let read = |p: PathBuf| std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()));
        if config.architecture == Architecture::Ensemble {
            let mut vocab: Option<Vocabulary> = None;
            let mut members = Vec::new();
            for member in self.members(&config)? {
                let (member_config, member_vocab, decoder) = member.load(device)?;
                if member_config.architecture == Architecture::Ensemble {
                    return Err(format!("{}: an ensemble's members are single decoders", member.dir.display()));
                }
                match &vocab {
                    Some(first) if *first != member_vocab => {
                        return Err(format!("{} has another vocabulary than the first member", member.dir.display()));
                    }
                    Some(_) => {}
                    None => vocab = Some(member_vocab),
                }
                members.push(decoder);
            }
            let vocab = vocab.expect("members() returns at least one");
            return Ok((config, vocab, CaptionModel::Ensemble(members)));
        }
        let vocab = Vocabulary::from_json(&read(self.vocab())?).map_err(|e| e.to_string())?;
        let model = match config.architecture {
            Architecture::Merge => {
                CaptionModel::Merge(self.load_weights(merge_config(&config, vocab.len()).init(device), half)?)
            }
            Architecture::Attention => CaptionModel::attention(
                self.load_weights(attention_config(&config, vocab.len()).init(device), half)?,
                config.map_layer,
            ),
            Architecture::Ensemble => unreachable!("loaded above"),
        };
        Ok((config, vocab, model))
    }

    pub fn load_config(&self) -> Result<TrainConfig, String> {
        let path = self.config();
        let json = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&json).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// An ensemble's member folders, beside this one.
    fn members(&self, config: &TrainConfig) -> Result<Vec<ModelFiles>, String> {
        if config.members.is_empty() {
            return Err(format!("{}: an ensemble names its members", self.config().display()));
        }
        let beside = self.dir.parent().unwrap_or(Path::new("."));
        Ok(config.members.iter().map(|name| ModelFiles { dir: beside.join(name) }).collect())
    }

    /// The files the model needs that are not there (for an ensemble, its members').
    pub fn missing(&self) -> Vec<String> {
        if let Ok(config) = self.load_config() {
            if config.architecture == Architecture::Ensemble {
                return match self.members(&config) {
                    Ok(members) => members.iter().flat_map(ModelFiles::missing).collect(),
                    Err(e) => vec![e],
                };
            }
        }
        let mut missing: Vec<String> =
            [self.config(), self.vocab()].iter().filter(|f| !f.is_file()).map(|f| f.display().to_string()).collect();
        if !self.decoder().is_file() && !self.decoder_half().is_file() {
            missing.push(format!("{} (or {})", self.decoder_half().display(), self.decoder().display()));
        }
        missing
    }

    fn load_weights<M: Module>(&self, mut decoder: M, half: bool) -> Result<M, String> {
        if half {
            let mut store =
                BurnpackStore::from_file(self.decoder_half()).with_from_adapter(HalfPrecisionAdapter::new());
            decoder.load_from(&mut store).map_err(|e| format!("{}: {e:?}", self.decoder_half().display()))?;
            Ok(decoder)
        } else {
            decoder.try_load_file(self.decoder()).map_err(|e| format!("{}: {e:?}", self.decoder().display()))
        }
    }
}

pub fn merge_config(config: &TrainConfig, vocab_size: usize) -> DecoderConfig {
    DecoderConfig::new(vocab_size)
        .with_hidden_size(config.hidden_size)
        .with_dropout(config.dropout)
        .with_feature_scale(config.feature_scale)
}

pub fn attention_config(config: &TrainConfig, vocab_size: usize) -> AttentionDecoderConfig {
    AttentionDecoderConfig::new(vocab_size)
        .with_embedding_size(config.embedding_size)
        .with_hidden_size(config.hidden_size)
        .with_attention_size(config.attention_size)
        .with_dropout(config.dropout)
        .with_feature_scale(config.feature_scale)
        .with_attention_penalty(config.attention_penalty)
        .with_query(config.attention_query)
}

fn examples<'a>(
    names: &'a [String],
    captions: &CaptionSet,
    features: &dyn PhotoFeatures,
    vocab: &Vocabulary,
) -> Vec<Example<'a>> {
    names
        .iter()
        .filter(|name| features.contains(name))
        .flat_map(|name| captions.captions(name).iter().map(move |c| Example { photo: name, caption: vocab.encode(c) }))
        .collect()
}

/// Deterministic shuffle (xorshift), so that a seed reproduces a run.
fn shuffle<T>(items: &mut [T], seed: &mut u64) {
    for i in (1..items.len()).rev() {
        items.swap(i, (xorshift(seed) % (i as u64 + 1)) as usize);
    }
}

/// Shuffles the examples; with `pool` above 0, then sorts each run of `pool` batches by caption
/// length and shuffles the order of the batches (see `TrainConfig::length_pool`).
fn shuffle_in_length_batches(examples: &mut Vec<Example>, batch_size: usize, pool: usize, seed: &mut u64) {
    shuffle(examples, seed);
    if pool == 0 {
        return;
    }
    let batch_size = batch_size.max(1);
    for run in examples.chunks_mut(batch_size * pool) {
        run.sort_by_key(|example| example.caption.len());
    }
    let mut batches: Vec<Vec<Example>> = examples.chunks(batch_size).map(<[Example]>::to_vec).collect();
    shuffle(&mut batches, seed);
    *examples = batches.concat();
}

fn bar(len: usize, message: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {per_sec} {eta}")
            .expect("template")
            .progress_chars("=> "),
    );
    bar.set_message(message.to_owned());
    bar
}

/// Photos decoded together by greedy decoding, and by beam search (whose rows are `beam` times as many).
const GREEDY_BATCH: usize = 250;
const BEAM_BATCH: usize = 16;

/// Captions for each photo that has features (greedy when the beam is 1 wide, many photos at a
/// time).
pub fn caption_all<D: StepDecoder>(
    decoder: &D,
    names: &[String],
    features: &dyn PhotoFeatures,
    search: BeamSearch,
    max_len: usize,
    device: &Device,
) -> Vec<(String, Hypothesis)> {
    let names: Vec<&str> = names.iter().map(String::as_str).filter(|n| features.contains(n)).collect();
    let searched = search.width > 1;
    let progress = bar(names.len(), if searched { "beam search" } else { "greedy" });
    let mut out = Vec::with_capacity(names.len());
    for chunk in names.chunks(if searched { BEAM_BATCH } else { GREEDY_BATCH }) {
        let input = features_tensor(features, chunk, device).expect("checked above");
        let best = if searched {
            beam_search(decoder, input, search, 1, max_len).into_iter().map(|mut h| h.remove(0)).collect()
        } else {
            greedy_batch(decoder, input, max_len)
        };
        out.extend(chunk.iter().map(|n| (*n).to_owned()).zip(best));
        progress.inc(chunk.len() as u64);
    }
    progress.finish_and_clear();
    out
}

/// Candidate and reference tokens of each photo with references, for the metrics. (Photos without
/// references, such as the 71 German test photos without German captions, are not scored.)
fn scoring_pairs<'a>(
    generated: impl Iterator<Item = (&'a str, &'a str)>,
    captions: &CaptionSet,
    language: Language,
) -> Vec<(Vec<String>, Vec<Vec<String>>)> {
    generated
        .filter(|(name, _)| !captions.captions(name).is_empty())
        .map(|(name, caption)| {
            (language.tokenize(caption), captions.captions(name).iter().map(|r| language.tokenize(r)).collect())
        })
        .collect()
}

/// Scores generated captions against the references: BLEU-1..4 and CIDEr-D.
pub fn score(generated: &[(String, String)], captions: &CaptionSet, language: Language) -> ([f64; 4], f64) {
    let pairs = scoring_pairs(generated.iter().map(|(n, c)| (n.as_str(), c.as_str())), captions, language);
    (corpus_bleu(&pairs).0, cider_d(&pairs).0)
}

/// The human baseline: for each photo, its first reference scored against the others (so with
/// one reference fewer than a model is scored against).
pub fn human_baseline(photos: &[String], captions: &CaptionSet, language: Language) -> ([f64; 4], f64) {
    let pairs: Vec<(Vec<String>, Vec<Vec<String>>)> = photos
        .iter()
        .filter_map(|name| match captions.captions(name) {
            [first, others @ ..] if !others.is_empty() => {
                Some((language.tokenize(first), others.iter().map(|r| language.tokenize(r)).collect()))
            }
            _ => None,
        })
        .collect();
    (corpus_bleu(&pairs).0, cider_d(&pairs).0)
}

/// What a caption's sureness is read from, for the unsure threshold (chosen on dev per model).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sureness {
    /// Its mean probability per word ([`Hypothesis::per_token`]), the confidence the app shows.
    /// (Calibrations from before there was a choice.)
    #[default]
    MeanWord,
    /// The mean probability of its weakest words ([`Hypothesis::weakest_words`]).
    WeakestWords,
}

impl Sureness {
    pub const ALL: [Sureness; 2] = [Sureness::MeanWord, Sureness::WeakestWords];

    /// The caption's log-probability as this measure reads it.
    pub fn of(self, caption: &Hypothesis) -> f32 {
        match self {
            Sureness::MeanWord => caption.per_token(),
            Sureness::WeakestWords => caption.weakest_words(),
        }
    }

    /// The edges of the bands `confidence_bands` reports, in percent.
    fn band_edges(self) -> [u32; 7] {
        match self {
            Sureness::MeanWord => [0, 20, 25, 30, 35, 40, 101],
            Sureness::WeakestWords => [0, 5, 10, 15, 20, 30, 101],
        }
    }
}

/// Each generated caption (photo, caption text, hypothesis) that has references, with its
/// CIDEr-D against them: what the confidence bands and the unsure threshold read.
pub fn with_cider<'a>(
    generated: &'a [(String, String, Hypothesis)],
    captions: &CaptionSet,
    language: Language,
) -> Vec<(&'a Hypothesis, f64)> {
    let generated: Vec<&(String, String, Hypothesis)> =
        generated.iter().filter(|(name, _, _)| !captions.captions(name).is_empty()).collect();
    let pairs = scoring_pairs(generated.iter().map(|(n, c, _)| (n.as_str(), c.as_str())), captions, language);
    generated.iter().map(|(_, _, h)| h).zip(cider_d(&pairs).1).collect()
}

/// Each caption's sureness by `measure`, in percent, beside its CIDEr-D.
fn sureness_percent(scored: &[(&Hypothesis, f64)], measure: Sureness) -> Vec<(u32, f64)> {
    scored.iter().map(|(h, cider)| (confidence_percent(measure.of(h)), *cider)).collect()
}

/// How caption quality follows the model's sureness (by one measure, in percent): per band, how
/// many captions and their mean CIDEr-D.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfidenceBand {
    pub from_percent: u32,
    pub to_percent: u32,
    pub captions: usize,
    pub mean_cider_d: f64,
}

/// Per-caption CIDEr-D (`scored`: from [`with_cider`]) grouped by band of sureness by `measure`.
pub fn confidence_bands(scored: &[(&Hypothesis, f64)], measure: Sureness) -> Vec<ConfidenceBand> {
    let scored = sureness_percent(scored, measure);
    measure
        .band_edges()
        .windows(2)
        .map(|edge| {
            let scores: Vec<f64> =
                scored.iter().filter(|(c, _)| (edge[0]..edge[1]).contains(c)).map(|(_, s)| *s).collect();
            ConfidenceBand {
                from_percent: edge[0],
                to_percent: edge[1].min(100),
                captions: scores.len(),
                mean_cider_d: mean(&scores) * 100.0,
            }
        })
        .collect()
}

/// The mean, 0 for none (a float sum of nothing is -0.0).
fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// Where a model's captions stop deserving trust, chosen on the dev split with the decoding the
/// app uses (`captioner eval --split dev` writes it as the model folder's `calibration.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub beam: usize,
    pub length_alpha: f32,
    /// (Files from before it was a setting read 1, the search they were made with.)
    #[serde(default = "usual_patience")]
    pub beam_patience: usize,
    /// What the threshold reads.
    #[serde(default)]
    pub measure: Sureness,
    /// Captions less sure than this (percent, by `measure`) are marked unsure: the highest such
    /// edge where the captions below it score, on average, less than half the split's mean CIDEr-D.
    pub unsure_below_percent: u32,
    pub mean_cider_d: f64,
    /// Mean CIDEr-D and share of the captions below the threshold.
    pub unsure_mean_cider_d: f64,
    pub unsure_share: f64,
}

impl Calibration {
    pub fn is_unsure(&self, caption: &Hypothesis) -> bool {
        confidence_percent(self.measure.of(caption)) < self.unsure_below_percent
    }
}

/// Each measure's unsure threshold by the rule above, in the order of [`Sureness::ALL`], from
/// captions scored on the dev split ([`with_cider`]) with the decoding `search`.
pub fn calibrations(scored: &[(&Hypothesis, f64)], search: BeamSearch) -> [Calibration; 2] {
    Sureness::ALL.map(|measure| calibrate_by(measure, scored, search))
}

fn usual_patience() -> usize {
    USUAL_PATIENCE
}

/// The calibration the app uses: of `calibrations`, the one that marks more captions, that is
/// finds more of the poor ones at the rule's bar (the first, the mean per word, on a tie).
pub fn most_marking(calibrations: &[Calibration]) -> &Calibration {
    calibrations
        .iter()
        .reduce(|best, other| if other.unsure_share > best.unsure_share { other } else { best })
        .expect("a calibration per measure")
}

fn calibrate_by(measure: Sureness, scored: &[(&Hypothesis, f64)], search: BeamSearch) -> Calibration {
    let scored = sureness_percent(scored, measure);
    let below = |edge: u32| scored.iter().filter(|(c, _)| *c < edge).map(|(_, s)| *s).collect::<Vec<f64>>();
    let all: Vec<f64> = scored.iter().map(|(_, s)| *s).collect();
    let mean_cider_d = mean(&all);
    let unsure_below_percent = (1..=100)
        .filter(|&edge| {
            let under = below(edge);
            !under.is_empty() && mean(&under) < mean_cider_d / 2.0
        })
        .max()
        .unwrap_or(0);
    let unsure = below(unsure_below_percent);
    Calibration {
        beam: search.width,
        length_alpha: search.alpha,
        beam_patience: search.patience,
        measure,
        unsure_below_percent,
        mean_cider_d: mean_cider_d * 100.0,
        unsure_mean_cider_d: mean(&unsure) * 100.0,
        unsure_share: unsure.len() as f64 / scored.len().max(1) as f64,
    }
}

/// Trains a model into `out`, keeping the decoder with the best dev figure (`checkpoint_on`):
/// a single epoch's, or the mean of the last `average_last` epochs'. With `start_from`, the
/// decoder starts from that model folder's weights (a run stopped by its time budget goes on;
/// the folder must hold the same architecture, sizes and vocabulary).
pub fn train(
    config: &TrainConfig,
    source: &DataSource,
    features: &dyn PhotoFeatures,
    mirrored: Option<&dyn PhotoFeatures>,
    out: &Path,
    start_from: Option<&Path>,
    device: &Device,
) -> Result<Vec<EpochRecord>, String> {
    if config.architecture == Architecture::Ensemble {
        return Err("an ensemble is trained as its members, each with its own config".into());
    }
    if features.shape() != config.features() {
        return Err(format!(
            "the {:?} decoder reads {:?} features, the cache holds {:?}",
            config.architecture,
            config.features(),
            features.shape()
        ));
    }
    let either_view = match (config.mirror_photos, mirrored) {
        (false, _) => None,
        (true, Some(mirrored)) if mirrored.shape() == features.shape() => {
            // its own stream, so that the shuffles are those of the same seed without mirroring
            Some(RandomView::new(vec![features, mirrored], config.seed ^ 0x6d69_7272_6f72))
        }
        (true, _) => {
            return Err("mirror_photos: no mirrored features of the same shape (`captioner extract --mirror`)".into())
        }
    };
    let training_features = either_view.as_ref().map_or(features, |v| v as &dyn PhotoFeatures);
    let (captions, splits) = source.load()?;
    let language = config.language;
    let train_tokens: Vec<Vec<String>> =
        splits.train.iter().flat_map(|n| captions.captions(n).iter().map(|c| language.tokenize(c))).collect();
    let vocab = Vocabulary::build(language, train_tokens.iter().map(Vec::as_slice), config.min_word_count);
    let files = ModelFiles { dir: out.to_owned() };
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    std::fs::write(files.vocab(), vocab.to_json()).map_err(|e| e.to_string())?;
    std::fs::write(files.config(), serde_json::to_string_pretty(config).unwrap()).map_err(|e| e.to_string())?;

    let train_examples = examples(&splits.train, &captions, features, &vocab);
    let dev_examples = examples(&splits.dev, &captions, features, &vocab);
    if train_examples.is_empty() || dev_examples.is_empty() {
        return Err("no training or dev examples: run `captioner extract` first".into());
    }
    println!(
        "{:?} decoder, {language}; vocabulary {} tokens; {} training and {} dev captions",
        config.architecture,
        vocab.len(),
        train_examples.len(),
        dev_examples.len()
    );
    device.seed(config.seed);
    let autodiff = device.clone().autodiff();
    let run = Run { config, files: &files, captions: &captions, vocab: &vocab, features, training_features, device };
    match config.architecture {
        Architecture::Merge => {
            let decoder = starting_weights(merge_config(config, vocab.len()).init(&autodiff), start_from)?;
            run.fit(decoder, train_examples, &dev_examples, &splits.dev)
        }
        Architecture::Attention => {
            let decoder = starting_weights(attention_config(config, vocab.len()).init(&autodiff), start_from)?;
            run.fit(decoder, train_examples, &dev_examples, &splits.dev)
        }
        Architecture::Ensemble => unreachable!("refused above"),
    }
}

/// A new decoder's weights, or those of the model folder `start_from`.
fn starting_weights<M: Module>(decoder: M, start_from: Option<&Path>) -> Result<M, String> {
    match start_from {
        Some(dir) => ModelFiles { dir: dir.to_owned() }.load_weights(decoder, false),
        None => Ok(decoder),
    }
}

/// What one training run reads.
struct Run<'a> {
    config: &'a TrainConfig,
    files: &'a ModelFiles,
    captions: &'a CaptionSet,
    vocab: &'a Vocabulary,
    /// The photos as taken, for the dev figures.
    features: &'a dyn PhotoFeatures,
    /// What the training epochs read: the same, or a random view (`TrainConfig::mirror_photos`).
    training_features: &'a dyn PhotoFeatures,
    device: &'a Device,
}

impl Run<'_> {
    /// How a decoder does on the dev split: its loss, and the BLEU-4 of its captions.
    fn dev<M: TrainableDecoder>(&self, decoder: &M, dev_examples: &[Example], dev_photos: &[String]) -> DevFigures {
        let config = self.config;
        let dev_loss = mean_loss(decoder, dev_examples, self.features, config.batch_size, self.device);
        let search =
            BeamSearch::new(config.dev_bleu_beam.max(1), config.length_alpha).with_patience(config.beam_patience);
        let generated: Vec<(String, String)> =
            caption_all(decoder, dev_photos, self.features, search, config.max_caption_len, self.device)
                .into_iter()
                .map(|(n, h)| (n, self.vocab.decode(&h.tokens)))
                .collect();
        DevFigures { dev_loss, dev_bleu4: score(&generated, self.captions, self.vocab.language()).0[3] * 100.0 }
    }

    fn fit<M: TrainableDecoder>(
        &self,
        mut model: M,
        mut train_examples: Vec<Example>,
        dev_examples: &[Example],
        dev_split: &[String],
    ) -> Result<Vec<EpochRecord>, String> {
        let config = self.config;
        let autodiff = self.device.clone().autodiff();
        let mut optimizer = optimizer(config.gradient_clip);
        let mut seed = config.seed.max(1);
        let started = Instant::now();
        let mut history: Vec<EpochRecord> = Vec::new();
        let mut best = f64::NEG_INFINITY;
        let mut since_best = 0;
        let mut learning_rate = config.learning_rate;
        let dev_photos: Vec<String> =
            dev_split.iter().filter(|n| self.features.contains(n)).take(config.dev_bleu_photos).cloned().collect();
        let mut recent: Vec<M> = Vec::new();
        // Self-critical training's photos, their references and the CIDEr-D they are scored by.
        let language = self.vocab.language();
        let mut photos: Vec<&str> = Vec::new();
        let mut references: HashMap<&str, Vec<Vec<String>>> = HashMap::new();
        if config.objective == Objective::SelfCritical {
            for example in &train_examples {
                references.entry(example.photo).or_insert_with(|| {
                    photos.push(example.photo);
                    self.captions.captions(example.photo).iter().map(|c| language.tokenize(c)).collect()
                });
            }
        }
        let scorer = CiderD::new(references.values().map(Vec::as_slice));
        let words = |tokens: &[usize]| language.tokenize(&self.vocab.decode(tokens));
        let critic = SelfCritical {
            references: &references,
            scorer: &scorer,
            words: &words,
            samples_per_photo: config.samples_per_photo.max(1),
            max_len: config.max_caption_len,
            baseline: config.baseline,
        };
        for epoch in 1..=config.max_epochs {
            let epoch_start = Instant::now();
            let train_loss = match config.objective {
                Objective::CrossEntropy => {
                    shuffle_in_length_batches(&mut train_examples, config.batch_size, config.length_pool, &mut seed);
                    let progress = bar(train_examples.len().div_ceil(config.batch_size), &format!("epoch {epoch}"));
                    let (trained, loss) = train_epoch(
                        model,
                        &mut optimizer,
                        &train_examples,
                        self.training_features,
                        config.batch_size,
                        learning_rate,
                        config.label_smoothing,
                        &autodiff,
                        Some(&progress),
                    );
                    model = trained;
                    progress.finish_and_clear();
                    loss
                }
                Objective::SelfCritical => {
                    shuffle(&mut photos, &mut seed);
                    let per_batch = (config.batch_size / critic.samples_per_photo).max(1);
                    let progress = bar(photos.len().div_ceil(per_batch), &format!("epoch {epoch} (self-critical)"));
                    let (trained, figures) = self_critical_epoch(
                        model,
                        &mut optimizer,
                        &photos,
                        &critic,
                        self.training_features,
                        per_batch,
                        learning_rate,
                        &mut seed,
                        self.device,
                        Some(&progress),
                    );
                    model = trained;
                    progress.finish_and_clear();
                    println!(
                        "epoch {epoch}: training photos' CIDEr-D, drawn captions {:.1}, greedy ones {:.1}",
                        figures.drawn_reward * 100.0,
                        figures.greedy_reward * 100.0
                    );
                    figures.loss
                }
            };
            let valid = model.valid();
            let single = self.dev(&valid, dev_examples, &dev_photos);
            recent.push(valid.clone());
            if recent.len() > config.average_last.max(1) {
                recent.remove(0);
            }
            let averaged = (recent.len() > 1).then(|| average(&recent));
            let averaged_figures = averaged.as_ref().map(|a| self.dev(a, dev_examples, &dev_photos));
            let record = EpochRecord {
                epoch,
                train_loss,
                dev_loss: single.dev_loss,
                dev_bleu4: single.dev_bleu4,
                averaged: averaged_figures,
                seconds: epoch_start.elapsed().as_secs_f64(),
            };
            print!(
                "epoch {epoch}: train loss {:.3}, dev loss {:.3}, dev BLEU-4 {:.1} (beam {}, {} photos)",
                record.train_loss,
                record.dev_loss,
                record.dev_bleu4,
                config.dev_bleu_beam.max(1),
                dev_photos.len()
            );
            if let Some(a) = &averaged_figures {
                print!(
                    "; mean of the last {} epochs: dev loss {:.3}, dev BLEU-4 {:.1}",
                    recent.len(),
                    a.dev_loss,
                    a.dev_bleu4
                );
            }
            println!(", {:.0} s", record.seconds);
            history.push(record);
            learning_rate *= config.learning_rate_decay;
            // the better of this epoch's decoder and the mean of the recent ones
            let (figure, candidate) = match (averaged_figures, averaged) {
                (Some(a), Some(decoder)) if a.figure(config.checkpoint_on) > single.figure(config.checkpoint_on) => {
                    (a.figure(config.checkpoint_on), decoder)
                }
                _ => (single.figure(config.checkpoint_on), valid),
            };
            if figure > best {
                best = figure;
                since_best = 0;
                // Written beside, then renamed: a run stopped while saving keeps the last whole decoder.
                let partial = self.files.dir.join("decoder.partial.bpk");
                candidate.save_file(&partial).map_err(|e| format!("saving the decoder: {e:?}"))?;
                std::fs::rename(&partial, self.files.decoder()).map_err(|e| format!("saving the decoder: {e}"))?;
            } else {
                since_best += 1;
            }
            let dir = &self.files.dir;
            std::fs::write(dir.join("history.json"), serde_json::to_string_pretty(&history).unwrap())
                .map_err(|e| e.to_string())?;
            std::fs::write(dir.join("training.svg"), crate::plot::training_svg(&history)).map_err(|e| e.to_string())?;
            if since_best >= config.patience {
                println!("early stop: no better {:?} for {} epochs", config.checkpoint_on, config.patience);
                break;
            }
            // Another epoch as long as this one must end within the budget.
            let after_next = started.elapsed().as_secs_f64() + epoch_start.elapsed().as_secs_f64();
            if config.max_minutes > 0.0 && after_next / 60.0 > config.max_minutes {
                println!("stopping: the {} minute budget is spent", config.max_minutes);
                break;
            }
        }
        Ok(history)
    }
}

/// The generated captions of a split as coco-caption's results JSON.
pub fn results_json(generated: &[(String, String)]) -> String {
    let items: Vec<HashMap<&str, &str>> =
        generated.iter().map(|(n, c)| HashMap::from([("image_id", n.as_str()), ("caption", c.as_str())])).collect();
    serde_json::to_string_pretty(&items).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_batches_keep_every_example_once_and_group_alike_lengths() {
        let names: Vec<String> = (0..400).map(|i| format!("{i}.jpg")).collect();
        // caption lengths 3 to 22, in a repeating pattern
        let examples: Vec<Example> =
            names.iter().enumerate().map(|(i, n)| Example { photo: n, caption: vec![1; 3 + (i * 7) % 20] }).collect();
        let spread = |examples: &[Example]| -> usize {
            examples
                .chunks(8)
                .map(|b| {
                    let lengths = b.iter().map(|e| e.caption.len());
                    lengths.clone().max().unwrap() - lengths.min().unwrap()
                })
                .sum()
        };
        let (mut plain, mut grouped) = (examples.clone(), examples.clone());
        shuffle_in_length_batches(&mut plain, 8, 0, &mut 7);
        shuffle_in_length_batches(&mut grouped, 8, 10, &mut 7);
        let key = |e: &Example| (e.photo.to_owned(), e.caption.len());
        let mut all: Vec<_> = grouped.iter().map(key).collect();
        all.sort();
        let mut expected: Vec<_> = examples.iter().map(key).collect();
        expected.sort();
        assert_eq!(all, expected, "every example once");
        assert!(spread(&grouped) * 4 < spread(&plain), "{} vs {}", spread(&grouped), spread(&plain));
        let first_batches: Vec<usize> = grouped.chunks(8).take(5).map(|b| b[0].caption.len()).collect();
        assert!(first_batches.windows(2).any(|w| w[0] > w[1]), "batches not in length order: {first_batches:?}");
    }

    /// The calibration `captioner eval --split dev` keeps for these captions (of a beam 3 wide).
    fn calibrate(generated: &[(String, String, Hypothesis)], captions: &CaptionSet, language: Language) -> Calibration {
        most_marking(&calibrations(&with_cider(generated, captions, language), BeamSearch::new(3, 0.6))).clone()
    }

    /// A caption of six tokens (five words, `<end>`) with these probabilities.
    fn hypothesis(probs: [f32; 6]) -> Hypothesis {
        Hypothesis { tokens: vec![4; 5], token_log_probs: probs.iter().map(|p| p.ln()).collect(), score: 0.0 }
    }

    /// Ten photos whose references are all "a dog runs on the grass" or "two children play in the
    /// snow": the first half of the captions is right, the rest is wrong; `right` and `wrong(i)`
    /// give their token probabilities.
    fn ten_photos(
        right: [f32; 6],
        wrong: impl Fn(usize) -> [f32; 6],
    ) -> (CaptionSet, Vec<(String, String, Hypothesis)>) {
        let mut captions = CaptionSet::default();
        let mut generated = Vec::new();
        for i in 0..10 {
            let name = format!("{i}.jpg");
            let reference = if i % 2 == 0 { "a dog runs on the grass" } else { "two children play in the snow" };
            captions.by_image.insert(name.clone(), vec![reference.to_owned(); 3]);
            let (caption, probs) = if i < 5 { (reference, right) } else { ("three birds fly over water", wrong(i)) };
            generated.push((name, caption.to_owned(), hypothesis(probs)));
        }
        (captions, generated)
    }

    #[test]
    fn the_unsure_threshold_sits_above_the_wrong_captions() {
        // every word of a wrong caption 25..29% likely, of a right one 60%
        let (captions, generated) = ten_photos([0.6; 6], |i| [0.2 + i as f32 / 100.0; 6]);
        let calibration = calibrate(&generated, &captions, Language::En);
        // Every edge from 30 to 60 leaves only wrong captions below it; the highest is kept. Both
        // measures read the same here: the mean per word is kept.
        assert_eq!(calibration.measure, Sureness::MeanWord);
        assert_eq!(calibration.unsure_below_percent, 60);
        assert_eq!(calibration.unsure_share, 0.5);
        assert_eq!(calibration.unsure_mean_cider_d, 0.0);
        assert!(calibration.is_unsure(&hypothesis([0.29; 6])) && !calibration.is_unsure(&hypothesis([0.6; 6])));
    }

    #[test]
    fn a_wrong_word_among_sure_ones_is_found_by_the_weakest_words() {
        // The wrong captions are sure of most words (mean per word 44%, the right ones' 40%) but
        // three of their words are unlikely (20%): only the weakest words tell them apart.
        let (captions, generated) = ten_photos([0.4; 6], |_| [0.99, 0.99, 0.99, 0.2, 0.2, 0.2]);
        let calibration = calibrate(&generated, &captions, Language::En);
        assert_eq!(calibration.measure, Sureness::WeakestWords);
        assert_eq!(calibration.unsure_share, 0.5);
        assert!(calibration.is_unsure(&hypothesis([0.99, 0.99, 0.99, 0.2, 0.2, 0.2])));
        assert!(!calibration.is_unsure(&hypothesis([0.99, 0.99, 0.99, 0.99, 0.2, 0.99])), "one weak word of three");
        let bands = confidence_bands(&with_cider(&generated, &captions, Language::En), Sureness::WeakestWords);
        let band_of = |percent: u32| bands.iter().find(|b| (b.from_percent..b.to_percent).contains(&percent)).unwrap();
        assert_eq!((band_of(20).captions, band_of(20).mean_cider_d), (5, 0.0), "{bands:?}");
        assert_eq!(band_of(60).captions, 5, "{bands:?}");
    }

    #[test]
    fn a_model_that_is_always_right_is_never_unsure() {
        let (captions, mut generated) = ten_photos([0.6; 6], |i| [0.2 + i as f32 / 100.0; 6]);
        for (name, caption, _) in &mut generated {
            *caption = captions.captions(name)[0].clone();
        }
        assert_eq!(calibrate(&generated, &captions, Language::En).unsure_below_percent, 0);
    }

    #[test]
    fn a_calibration_from_before_the_choice_reads_the_mean_per_word() {
        let json = r#"{"beam":5,"length_alpha":0.6,"unsure_below_percent":27,"mean_cider_d":42.3,"unsure_mean_cider_d":19.2,"unsure_share":0.09}"#;
        let calibration: Calibration = serde_json::from_str(json).unwrap();
        assert_eq!(calibration.measure, Sureness::MeanWord);
        assert!(calibration.is_unsure(&hypothesis([0.26; 6])) && !calibration.is_unsure(&hypothesis([0.28; 6])));
    }

    /// An ensemble folder holds only its config: it loads the decoders of the folders it names
    /// beside it as one model of their vocabulary, halves nothing of its own, refuses members of
    /// another vocabulary, and names what its members lack.
    #[test]
    fn an_ensemble_folder_loads_the_decoders_of_its_members_beside_it() {
        let root = std::env::temp_dir().join(format!("captioner-ensemble-test-{}", std::process::id()));
        let device = Device::default();
        let words = |ws: &[&str]| -> Vec<String> { ws.iter().map(|w| w.to_string()).collect() };
        let write_decoder = |name: &str, architecture: Architecture, map_layer: MapLayer, caption: &[String]| {
            let vocab = Vocabulary::build(Language::En, [caption], 1);
            let config = TrainConfig {
                architecture,
                map_layer,
                hidden_size: 8,
                embedding_size: 4,
                attention_size: 4,
                ..Default::default()
            };
            let files = ModelFiles { dir: root.join(name) };
            std::fs::create_dir_all(&files.dir).unwrap();
            std::fs::write(files.config(), serde_json::to_string(&config).unwrap()).unwrap();
            std::fs::write(files.vocab(), vocab.to_json()).unwrap();
            match architecture {
                Architecture::Merge => merge_config(&config, vocab.len()).init(&device).save_file(files.decoder()),
                _ => attention_config(&config, vocab.len()).init(&device).save_file(files.decoder()),
            }
            .unwrap();
        };
        let write_ensemble = |name: &str, members: &[&str]| {
            let config = TrainConfig {
                architecture: Architecture::Ensemble,
                members: members.iter().map(|m| m.to_string()).collect(),
                beam: 5,
                ..Default::default()
            };
            let files = ModelFiles { dir: root.join(name) };
            std::fs::create_dir_all(&files.dir).unwrap();
            std::fs::write(files.config(), serde_json::to_string(&config).unwrap()).unwrap();
            files
        };
        let dog = words(&["a", "dog", "runs"]);
        write_decoder("merge", Architecture::Merge, MapLayer::Block5Pool, &dog);
        write_decoder("attention", Architecture::Attention, MapLayer::Block5Pool, &dog);
        write_decoder("attention-14", Architecture::Attention, MapLayer::Block5Conv3, &dog);
        write_decoder("other-words", Architecture::Attention, MapLayer::Block5Pool, &words(&["two", "cats"]));

        let ensemble = write_ensemble("together", &["attention", "merge"]);
        assert!(ensemble.missing().is_empty(), "{:?}", ensemble.missing());
        let (config, vocab, model) = ensemble.load(&device).unwrap();
        assert_eq!((config.beam, vocab.len()), (5, Vocabulary::build(Language::En, [dog.as_slice()], 1).len()));
        match &model {
            CaptionModel::Ensemble(members) => {
                let kinds: Vec<Architecture> = members.iter().map(CaptionModel::architecture).collect();
                assert_eq!(kinds, [Architecture::Attention, Architecture::Merge]);
            }
            other => panic!("not an ensemble: {:?}", other.architecture()),
        }
        assert_eq!(model.features(), MapLayer::Block5Pool.shape());
        assert!(ensemble.halve(&device).unwrap_err().contains("halve its members"));
        let finer = write_ensemble("finer", &["attention", "attention-14"]);
        assert_eq!(finer.load(&device).unwrap().2.features(), MapLayer::Block5Conv3.shape(), "its finest member's map");
        let before_the_choice: TrainConfig = serde_json::from_str(r#"{"architecture": "attention"}"#).unwrap();
        assert_eq!(before_the_choice.features(), MapLayer::Block5Pool.shape(), "folders from before read the 7x7 map");

        let mixed = write_ensemble("mixed", &["attention", "other-words"]);
        assert!(mixed.load(&device).unwrap_err().contains("another vocabulary"));
        let lacking = write_ensemble("lacking", &["attention", "gone"]);
        let missing = lacking.missing();
        assert!(missing.iter().any(|m| m.ends_with("gone/config.json")), "{missing:?}");
        assert!(missing.iter().any(|m| m.contains("gone/decoder-f16.bpk")), "{missing:?}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn the_human_baseline_scores_one_reference_against_the_others() {
        let (captions, _) = ten_photos([0.6; 6], |_| [0.2; 6]);
        let photos: Vec<String> = captions.by_image.keys().cloned().collect();
        let (bleu, _) = human_baseline(&photos, &captions, Language::En);
        assert!((bleu[3] - 1.0).abs() < 1e-9, "identical references agree fully: {bleu:?}");
    }
}
