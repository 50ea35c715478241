//! Captioning photos with a trained model: the VGG16 encoder, the decoder and its vocabulary,
//! loaded once and then used for any number of photos (the CLI's `caption` and the web server's
//! caption workers both go through here).

use std::path::{Path, PathBuf};

use burn::prelude::*;

use crate::{
    backend::Backend,
    encoder_record,
    extract::encode_photos,
    model::{CaptionModel, Vgg16},
    pipeline::{Calibration, ModelFiles, TrainConfig},
    vocab::Vocabulary,
};

/// Where a model's files are: the decoder folder (`config.json`, `vocab.json`, the decoder
/// record) and the imported VGG16 record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModelPaths {
    pub decoder_dir: PathBuf,
    pub vgg16: PathBuf,
}

/// The models folder, relative to the working directory: the workspace root when developing,
/// the unpacked release bundle when deployed.
pub const MODELS_DIR: &str = "models";

impl ModelPaths {
    /// The shipped model in `models/` under the working directory, resolved at run time.
    pub fn shipped() -> Self {
        Self::shipped_in(Path::new(MODELS_DIR))
    }

    /// The shipped model in the models folder `models`.
    pub fn shipped_in(models: &Path) -> Self {
        Self { decoder_dir: models.join("caption-merge"), vgg16: encoder_record::in_models_dir(models) }
    }

    /// What is missing, as one message a person can act on; `None` when everything is there.
    pub fn missing(&self) -> Option<String> {
        let files = ModelFiles { dir: self.decoder_dir.clone() };
        let mut missing: Vec<String> = Vec::new();
        for file in [files.config(), files.vocab()] {
            if !file.is_file() {
                missing.push(file.display().to_string());
            }
        }
        if !files.decoder().is_file() && !files.decoder_half().is_file() {
            missing.push(format!("{} (or {})", files.decoder_half().display(), files.decoder().display()));
        }
        if !self.vgg16.is_file() {
            missing.push(format!("{} (scripts/setup.sh imports it)", self.vgg16.display()));
        }
        (!missing.is_empty()).then(|| format!("the caption model is incomplete, missing: {}", missing.join(", ")))
    }
}

/// One caption of a photo: its beam-search score (what ranked it) and its mean log-probability
/// per word (0 is certain).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredCaption {
    pub text: String,
    pub score: f32,
    pub per_word: f32,
    /// Below the model's unsure threshold (its `calibration.json`, chosen on dev).
    pub unsure: bool,
}

/// A loaded caption model, ready to caption photos.
pub struct Captioner {
    name: String,
    vgg: Vgg16,
    decoder: CaptionModel,
    vocab: Vocabulary,
    config: TrainConfig,
    calibration: Option<Calibration>,
    device: Device,
}

impl Captioner {
    pub fn load(paths: &ModelPaths, backend: Backend) -> Result<Self, String> {
        if let Some(message) = paths.missing() {
            return Err(message);
        }
        let device = backend.device();
        let vgg = encoder_record::load(&paths.vgg16, &device)?;
        let files = ModelFiles { dir: paths.decoder_dir.clone() };
        let (config, vocab, decoder) = files.load(&device)?;
        let calibration = files.load_calibration()?;
        let name =
            paths.decoder_dir.file_name().map_or_else(|| "caption-model".into(), |n| n.to_string_lossy().into_owned());
        Ok(Self { name, vgg, decoder, vocab, config, calibration, device })
    }

    /// The model's name, recorded with each caption: its folder's name (`caption-attention`).
    pub fn name(&self) -> String {
        self.name.clone()
    }

    /// The VGG16 features of a photo that the decoder reads: the pooled 512 values, or the
    /// 7x7 map (49 x 512).
    pub fn features(&self, photo: &image::DynamicImage) -> Vec<f32> {
        let shape = self.decoder.architecture().features();
        encode_photos(&self.vgg, &self.device, std::slice::from_ref(photo), shape).remove(0)
    }

    /// The best `n` captions of a beam search of width `beam`, best first.
    pub fn caption(&self, photo: &image::DynamicImage, beam: usize, n: usize) -> Vec<ScoredCaption> {
        self.caption_features(self.features(photo), beam, n)
    }

    pub fn caption_features(&self, features: Vec<f32>, beam: usize, n: usize) -> Vec<ScoredCaption> {
        let shape = self.decoder.architecture().features();
        let input = Tensor::<3>::from_data(TensorData::new(features, [1, shape.regions, shape.dim]), &self.device);
        self.decoder
            .beam_search(input, beam, n, self.config.max_caption_len, self.config.length_alpha)
            .into_iter()
            .map(|h| ScoredCaption {
                text: self.vocab.decode(&h.tokens),
                score: h.score,
                per_word: h.per_token(),
                unsure: self.calibration.as_ref().is_some_and(|c| c.is_unsure(h.per_token())),
            })
            .collect()
    }
}

// The web server shares one loaded model between its caption threads.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<Captioner>();
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_files_are_named_in_one_message() {
        let paths = ModelPaths { decoder_dir: "/nonexistent/model".into(), vgg16: "/nonexistent/vgg16.bpk".into() };
        let message = paths.missing().expect("nothing is there");
        assert!(message.contains("/nonexistent/model/config.json"), "{message}");
        assert!(message.contains("/nonexistent/model/vocab.json"), "{message}");
        assert!(message.contains("decoder-f16.bpk"), "{message}");
        assert!(message.contains("/nonexistent/vgg16.bpk"), "{message}");
        assert!(Captioner::load(&paths, Backend::Flex).is_err());
    }

    #[test]
    fn the_default_paths_resolve_at_run_time_under_the_working_directory() {
        let paths = ModelPaths::shipped();
        assert_eq!(paths.decoder_dir, Path::new("models/caption-merge"));
        assert_eq!(paths.vgg16, Path::new("models/vgg16.bpk"));
    }

    #[test]
    fn the_shipped_decoder_is_complete_apart_from_the_imported_encoder() {
        let paths = ModelPaths::shipped_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(MODELS_DIR));
        if let Some(message) = paths.missing() {
            assert!(!message.contains("caption-merge"), "the committed model lacks files: {message}");
        }
    }
}
