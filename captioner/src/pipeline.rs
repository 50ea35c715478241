//! The whole recipe from shared data to a trained, scored model: load captions and splits, build
//! the vocabulary from the training captions, train with early stopping on the dev split, and
//! evaluate on the test split with the coco-caption metrics.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    time::Instant,
};

use burn::{
    optim::{AdamConfig, GradientsParams},
    prelude::*,
    store::{BurnpackStore, HalfPrecisionAdapter, ModuleSnapshot},
};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::{
    averaging::average,
    data::{parse_karpathy_json, parse_split_file, parse_token_file, CaptionSet, Splits},
    decoding::{beam_search, greedy, Hypothesis},
    features::FeatureCache,
    metrics::{cider_d, corpus_bleu},
    model::decoder::{Decoder, DecoderConfig},
    text::tokenize,
    training::{batch_loss, make_batch, Example},
    vocab::Vocabulary,
};

/// Every hyperparameter of a training run; `captioner train --config FILE` reads it (JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    pub hidden_size: usize,
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
    /// Stop after this many epochs without a better figure.
    pub patience: usize,
    pub seed: u64,
    /// Words seen fewer times in the training captions become `<unk>`.
    pub min_word_count: usize,
    /// Longest caption generated, in words.
    pub max_caption_len: usize,
    /// Beam search ranks captions by log-probability / length^alpha (1: mean per word).
    pub length_alpha: f32,
    /// Dev photos captioned each epoch for the dev BLEU-4 curve, and the beam width used (1: greedy).
    pub dev_bleu_photos: usize,
    pub dev_bleu_beam: usize,
    /// Stop starting new epochs after this many minutes (0: no limit).
    pub max_minutes: f64,
    /// Also score the mean of the last this-many epochs' weights each epoch, and keep it when its
    /// dev figure is the best (1: single epochs only). See `averaging`.
    pub average_last: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            hidden_size: 256,
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
            dev_bleu_photos: 300,
            dev_bleu_beam: 1,
            max_minutes: 0.0,
            average_last: 1,
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
    pub fn flickr8k(root: &Path) -> Self {
        DataSource::Token {
            captions: root.join("Flickr8k.token.txt"),
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
    /// The same weights stored as f16: half the size, for the shipped model.
    pub fn decoder_half(&self) -> PathBuf {
        self.dir.join("decoder-f16.bpk")
    }

    /// Writes `decoder-f16.bpk` from `decoder.bpk`.
    pub fn halve(&self, device: &Device) -> Result<(), String> {
        let (_, _, decoder) = self.load_with(device, false)?;
        let mut store =
            BurnpackStore::from_file(self.decoder_half()).overwrite(true).with_to_adapter(HalfPrecisionAdapter::new());
        decoder.save_into(&mut store).map_err(|e| format!("{}: {e:?}", self.decoder_half().display()))
    }

    /// Loads the model, from `decoder-f16.bpk` when there is one.
    pub fn load(&self, device: &Device) -> Result<(TrainConfig, Vocabulary, Decoder), String> {
        self.load_with(device, self.decoder_half().exists())
    }

    pub fn load_with(&self, device: &Device, half: bool) -> Result<(TrainConfig, Vocabulary, Decoder), String> {
        let read = |p: PathBuf| std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()));
        let config: TrainConfig = serde_json::from_str(&read(self.config())?).map_err(|e| e.to_string())?;
        let vocab = Vocabulary::from_json(&read(self.vocab())?).map_err(|e| e.to_string())?;
        let mut decoder = decoder_config(&config, vocab.len()).init(device);
        if half {
            let mut store =
                BurnpackStore::from_file(self.decoder_half()).with_from_adapter(HalfPrecisionAdapter::new());
            decoder.load_from(&mut store).map_err(|e| format!("{}: {e:?}", self.decoder_half().display()))?;
        } else {
            decoder =
                decoder.try_load_file(self.decoder()).map_err(|e| format!("{}: {e:?}", self.decoder().display()))?;
        }
        Ok((config, vocab, decoder))
    }
}

pub fn decoder_config(config: &TrainConfig, vocab_size: usize) -> DecoderConfig {
    DecoderConfig::new(vocab_size)
        .with_hidden_size(config.hidden_size)
        .with_dropout(config.dropout)
        .with_feature_scale(config.feature_scale)
}

fn examples<'a>(
    names: &[String],
    captions: &CaptionSet,
    features: &'a FeatureCache,
    vocab: &Vocabulary,
) -> Vec<Example<'a>> {
    names
        .iter()
        .filter_map(|name| Some((name, features.get(name)?)))
        .flat_map(|(name, f)| {
            captions.captions(name).iter().map(move |c| Example { features: f, caption: vocab.encode(&tokenize(c)) })
        })
        .collect()
}

/// Deterministic shuffle (xorshift), so that a seed reproduces a run.
fn shuffle<T>(items: &mut [T], seed: &mut u64) {
    for i in (1..items.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        items.swap(i, (*seed % (i as u64 + 1)) as usize);
    }
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

fn mean_loss(decoder: &Decoder, examples: &[Example], batch_size: usize, device: &Device) -> f32 {
    let mut total = 0.0;
    let mut count = 0;
    for chunk in examples.chunks(batch_size) {
        total += batch_loss(decoder, make_batch(chunk, device)).into_scalar::<f32>() * chunk.len() as f32;
        count += chunk.len();
    }
    total / count.max(1) as f32
}

/// Captions for each photo (greedy when `beam` is 1; `alpha` ranks the beams, see `Hypothesis`).
pub fn caption_all(
    decoder: &Decoder,
    names: &[String],
    features: &FeatureCache,
    beam: usize,
    max_len: usize,
    alpha: f32,
    device: &Device,
) -> Vec<(String, Hypothesis)> {
    let progress = bar(names.len(), if beam > 1 { "beam search" } else { "greedy" });
    let out = names
        .iter()
        .filter_map(|name| {
            let f = features.get(name)?;
            let input = Tensor::<2>::from_data(TensorData::new(f.to_vec(), [1, f.len()]), device);
            let best = if beam > 1 {
                beam_search(decoder, input, beam, 1, max_len, alpha).remove(0)
            } else {
                greedy(decoder, input, max_len)
            };
            progress.inc(1);
            Some((name.clone(), best))
        })
        .collect();
    progress.finish_and_clear();
    out
}

/// Scores generated captions against the references: BLEU-1..4 and CIDEr-D.
pub fn score(generated: &[(String, String)], captions: &CaptionSet) -> ([f64; 4], f64) {
    let pairs: Vec<(Vec<String>, Vec<Vec<String>>)> = generated
        .iter()
        .map(|(name, caption)| (tokenize(caption), captions.captions(name).iter().map(|r| tokenize(r)).collect()))
        .collect();
    (corpus_bleu(&pairs).0, cider_d(&pairs).0)
}

/// Trains a model into `out`, keeping the decoder with the best dev figure (`checkpoint_on`):
/// a single epoch's, or the mean of the last `average_last` epochs'.
pub fn train(
    config: &TrainConfig,
    source: &DataSource,
    features: &FeatureCache,
    out: &Path,
    device: &Device,
) -> Result<Vec<EpochRecord>, String> {
    let (captions, splits) = source.load()?;
    let train_tokens: Vec<Vec<String>> =
        splits.train.iter().flat_map(|n| captions.captions(n).iter().map(|c| tokenize(c))).collect();
    let vocab = Vocabulary::build(train_tokens.iter().map(Vec::as_slice), config.min_word_count);
    let files = ModelFiles { dir: out.to_owned() };
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    std::fs::write(files.vocab(), vocab.to_json()).map_err(|e| e.to_string())?;
    std::fs::write(files.config(), serde_json::to_string_pretty(config).unwrap()).map_err(|e| e.to_string())?;

    let mut train_examples = examples(&splits.train, &captions, features, &vocab);
    let dev_examples = examples(&splits.dev, &captions, features, &vocab);
    if train_examples.is_empty() || dev_examples.is_empty() {
        return Err("no training or dev examples: run `captioner extract` first".into());
    }
    println!(
        "vocabulary {} words; {} training and {} dev captions",
        vocab.len(),
        train_examples.len(),
        dev_examples.len()
    );
    device.seed(config.seed);
    let autodiff = device.clone().autodiff();
    let mut model = decoder_config(config, vocab.len()).init(&autodiff);
    let mut optimizer = AdamConfig::new().init();
    let mut seed = config.seed.max(1);
    let started = Instant::now();
    let mut history: Vec<EpochRecord> = Vec::new();
    let mut best = f64::NEG_INFINITY;
    let mut since_best = 0;
    let mut learning_rate = config.learning_rate;
    let dev_photos: Vec<String> =
        splits.dev.iter().filter(|n| features.contains(n)).take(config.dev_bleu_photos).cloned().collect();
    let mut recent: Vec<Decoder> = Vec::new();
    for epoch in 1..=config.max_epochs {
        let epoch_start = Instant::now();
        shuffle(&mut train_examples, &mut seed);
        let progress = bar(train_examples.len().div_ceil(config.batch_size), &format!("epoch {epoch}"));
        let (mut total, mut batches) = (0.0, 0);
        for chunk in train_examples.chunks(config.batch_size) {
            let loss = batch_loss(&model, make_batch(chunk, &autodiff));
            total += loss.clone().into_scalar::<f32>();
            batches += 1;
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(learning_rate, model, grads);
            progress.inc(1);
        }
        progress.finish_and_clear();
        let valid = model.valid();
        let dev = |decoder: &Decoder| {
            let dev_loss = mean_loss(decoder, &dev_examples, config.batch_size, device);
            let generated: Vec<(String, String)> = caption_all(
                decoder,
                &dev_photos,
                features,
                config.dev_bleu_beam.max(1),
                config.max_caption_len,
                config.length_alpha,
                device,
            )
            .into_iter()
            .map(|(n, h)| (n, vocab.decode(&h.tokens)))
            .collect();
            DevFigures { dev_loss, dev_bleu4: score(&generated, &captions).0[3] * 100.0 }
        };
        let single = dev(&valid);
        recent.push(valid.clone());
        if recent.len() > config.average_last.max(1) {
            recent.remove(0);
        }
        let averaged = (recent.len() > 1).then(|| average(&recent));
        let averaged_figures = averaged.as_ref().map(&dev);
        let record = EpochRecord {
            epoch,
            train_loss: total / batches as f32,
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
            candidate.save_file(files.decoder()).map_err(|e| format!("saving the decoder: {e:?}"))?;
        } else {
            since_best += 1;
        }
        std::fs::write(out.join("history.json"), serde_json::to_string_pretty(&history).unwrap())
            .map_err(|e| e.to_string())?;
        std::fs::write(out.join("training.svg"), crate::plot::training_svg(&history)).map_err(|e| e.to_string())?;
        if since_best >= config.patience {
            println!("early stop: no better {:?} for {} epochs", config.checkpoint_on, config.patience);
            break;
        }
        if config.max_minutes > 0.0 && started.elapsed().as_secs_f64() / 60.0 >= config.max_minutes {
            println!("stopping: the {} minute budget is spent", config.max_minutes);
            break;
        }
    }
    Ok(history)
}

/// The generated captions of a split as coco-caption's results JSON.
pub fn results_json(generated: &[(String, String)]) -> String {
    let items: Vec<HashMap<&str, &str>> =
        generated.iter().map(|(n, c)| HashMap::from([("image_id", n.as_str()), ("caption", c.as_str())])).collect();
    serde_json::to_string_pretty(&items).unwrap()
}
