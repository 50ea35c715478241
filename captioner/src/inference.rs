//! Captioning photos with a trained model: the VGG16 encoder, the decoder and its vocabulary,
//! loaded once and then used for any number of photos (the CLI's `caption` and the web server's
//! caption workers both go through here).

use std::path::{Path, PathBuf};

use burn::prelude::*;
use rayon::prelude::*;

use crate::{
    backend::Backend,
    decoding::{beam_search, BeamSearch, Hypothesis},
    encoder_record,
    extract::encode_photos,
    features::FeatureShape,
    model::{CaptionModel, Vgg16Encoder},
    pipeline::{Calibration, ModelFiles, TrainConfig},
    text::Language,
    vocab::Vocabulary,
};

/// Where a model's files are: the decoder folder (`config.json`, `vocab.json`, the decoder
/// record), the folders of decoders for further languages, and the imported VGG16 record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModelPaths {
    /// The default language's decoder: its captions are the photo's main ones.
    pub decoder_dir: PathBuf,
    /// Decoders of further caption languages (each folder's vocabulary names its language), run
    /// on the same VGG16 features.
    pub more_languages: Vec<PathBuf>,
    pub vgg16: PathBuf,
}

/// The models folder, relative to the working directory: the workspace root when developing,
/// the unpacked release bundle when deployed.
pub const MODELS_DIR: &str = "models";

/// The shipped English decoder's folder in the models folder: an ensemble of three attention
/// decoders (`caption-attention`, `caption-attention-seed7`, `caption-attention-seed11`), which it
/// names.
pub const SHIPPED_DECODER: &str = "caption-attention-ensemble";

/// The folder of each language's shipped decoder in the models folder: its architecture and
/// language code (the merge decoders until their language is retrained with attention).
pub fn shipped_decoder_name(language: Language) -> &'static str {
    match language {
        Language::En => SHIPPED_DECODER,
        Language::Zh => "caption-attention-zh",
        Language::De => "caption-attention-de",
        Language::Ar => "caption-attention-ar",
    }
}

impl ModelPaths {
    /// The shipped model in `models/` under the working directory, resolved at run time.
    pub fn shipped() -> Self {
        Self::shipped_in(Path::new(MODELS_DIR))
    }

    /// The shipped English model in the models folder `models`.
    pub fn shipped_in(models: &Path) -> Self {
        Self {
            decoder_dir: models.join(SHIPPED_DECODER),
            more_languages: Vec::new(),
            vgg16: encoder_record::in_models_dir(models),
        }
    }

    /// The shipped decoder of `language` in the models folder `models` (`shipped_decoder_name`).
    pub fn shipped_decoder(models: &Path, language: Language) -> PathBuf {
        models.join(shipped_decoder_name(language))
    }

    /// What is missing, as one message a person can act on; `None` when everything is there.
    pub fn missing(&self) -> Option<String> {
        let mut missing: Vec<String> = std::iter::once(&self.decoder_dir)
            .chain(&self.more_languages)
            .flat_map(|dir| ModelFiles { dir: dir.clone() }.missing())
            .collect();
        if !self.vgg16.is_file() {
            missing.push(format!("{} (scripts/setup.sh imports it)", self.vgg16.display()));
        }
        (!missing.is_empty()).then(|| format!("the caption model is incomplete, missing: {}", missing.join(", ")))
    }
}

/// One caption of a photo: its beam-search score (what ranked it), its mean log-probability per
/// word (0 is certain) and that of its weakest words (`Hypothesis::weakest_words`).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredCaption {
    pub text: String,
    pub score: f32,
    pub per_word: f32,
    pub weakest_words: f32,
    /// Below the model's unsure threshold (its `calibration.json`, chosen on dev).
    pub unsure: bool,
}

/// A photo's captions in one language, best first, and the model that wrote them.
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageCaptions {
    pub language: Language,
    /// The decoder's folder name (`caption-attention-zh`), recorded with each caption.
    pub model: String,
    pub captions: Vec<ScoredCaption>,
}

/// One language's decoder with its vocabulary, settings and unsure threshold.
struct LanguageDecoder {
    name: String,
    language: Language,
    decoder: CaptionModel,
    vocab: Vocabulary,
    config: TrainConfig,
    calibration: Option<Calibration>,
}

impl LanguageDecoder {
    fn load(dir: &Path, device: &Device) -> Result<Self, String> {
        let files = ModelFiles { dir: dir.to_path_buf() };
        let (config, vocab, decoder) = files.load(device)?;
        let calibration = files.load_calibration()?;
        let name = dir.file_name().map_or_else(|| "caption-model".into(), |n| n.to_string_lossy().into_owned());
        Ok(Self { name, language: vocab.language(), decoder, vocab, config, calibration })
    }

    fn shape(&self) -> FeatureShape {
        self.decoder.features()
    }

    /// Each photo's captions (`features`: one row per photo). `beam`: the beam width, else the
    /// one chosen on dev for this model (its config's `beam`).
    fn caption(&self, features: Tensor<3>, beam: Option<usize>, n: usize) -> Vec<Vec<ScoredCaption>> {
        let beam = beam.unwrap_or(self.config.beam).max(1);
        let scored = |h: Hypothesis| ScoredCaption {
            text: self.vocab.decode(&h.tokens),
            score: h.score,
            per_word: h.per_token(),
            weakest_words: h.weakest_words(),
            unsure: self.calibration.as_ref().is_some_and(|c| c.is_unsure(&h)),
        };
        let search = BeamSearch::new(beam, self.config.length_alpha).with_patience(self.config.beam_patience);
        beam_search(&self.decoder, features, search, n, self.config.max_caption_len)
            .into_iter()
            .map(|photo| photo.into_iter().map(scored).collect())
            .collect()
    }
}

/// A loaded caption model, ready to caption photos: VGG16 once, and a decoder per language.
pub struct Captioner {
    vgg: Vgg16Encoder,
    /// The default language's first, then the others; one per language.
    decoders: Vec<LanguageDecoder>,
    device: Device,
}

impl Captioner {
    pub fn load(paths: &ModelPaths, backend: Backend) -> Result<Self, String> {
        if let Some(message) = paths.missing() {
            return Err(message);
        }
        let device = backend.device();
        let vgg = encoder_record::load_encoder(&paths.vgg16, &device)?;
        let mut decoders: Vec<LanguageDecoder> = Vec::new();
        for dir in std::iter::once(&paths.decoder_dir).chain(&paths.more_languages) {
            let decoder = LanguageDecoder::load(dir, &device)?;
            if let Some(other) = decoders.iter().find(|d| d.language == decoder.language) {
                return Err(format!(
                    "two caption models for language {}: {} and {}",
                    decoder.language, other.name, decoder.name
                ));
            }
            decoders.push(decoder);
        }
        Ok(Self { vgg, decoders, device })
    }

    /// The default language's model name, recorded with each caption: its folder's name
    /// (`caption-attention`).
    pub fn name(&self) -> String {
        self.decoders[0].name.clone()
    }

    /// The languages it captions in, the default one first.
    pub fn languages(&self) -> Vec<Language> {
        self.decoders.iter().map(|d| d.language).collect()
    }

    /// The VGG16 features of a photo that the default decoder reads: the pooled 512 values, or
    /// a map (`MapLayer`).
    pub fn features(&self, photo: &image::DynamicImage) -> Vec<f32> {
        encode_photos(&self.vgg, &self.device, std::slice::from_ref(photo), self.decoders[0].shape()).remove(0)
    }

    /// The default language's best `n` captions of a beam search of width `beam` (`None`: the
    /// model's own, chosen on dev), best first.
    pub fn caption(&self, photo: &image::DynamicImage, beam: Option<usize>, n: usize) -> Vec<ScoredCaption> {
        self.caption_features(self.features(photo), beam, n)
    }

    /// The default language's captions of features from [`Captioner::features`].
    pub fn caption_features(&self, features: Vec<f32>, beam: Option<usize>, n: usize) -> Vec<ScoredCaption> {
        let decoder = &self.decoders[0];
        decoder.caption(self.tensor(features, 1, decoder.shape()), beam, n).remove(0)
    }

    /// The photo's captions in each of `languages` that a decoder is loaded for (the others are
    /// left out), from one pass of VGG16: see [`Captioner::caption_photos_in`].
    pub fn caption_in(
        &self,
        photo: &image::DynamicImage,
        languages: &[Language],
        beam: Option<usize>,
        n: usize,
    ) -> Vec<LanguageCaptions> {
        self.caption_photos_in(std::slice::from_ref(photo), languages, beam, n).remove(0)
    }

    /// Each photo's captions in each of `languages` that a decoder is loaded for (the others are
    /// left out). VGG16 runs once per photo and gives the finest map a decoder reads, else
    /// the pooled vector; each decoder reads its own features from it (`model::reduce_map`). Each
    /// language's decoder then writes the captions of all the photos in one beam search.
    pub fn caption_photos_in(
        &self,
        photos: &[image::DynamicImage],
        languages: &[Language],
        beam: Option<usize>,
        n: usize,
    ) -> Vec<Vec<LanguageCaptions>> {
        let wanted: Vec<&LanguageDecoder> = self.decoders.iter().filter(|d| languages.contains(&d.language)).collect();
        let mut captioned: Vec<Vec<LanguageCaptions>> = photos.iter().map(|_| Vec::new()).collect();
        let Some(widest) = wanted.iter().map(|d| d.shape()).max_by_key(|s| s.regions) else { return captioned };
        // All at once: the encoder's products are larger, so faster per photo (about 0.8x the time
        // of one at a time for 8 photos on 2 cores, `captioner bench`).
        let features = encode_photos(&self.vgg, &self.device, photos, widest);
        // The languages' beam searches side by side: each keeps about one core busy, and a photo's
        // captions are stored once all are written.
        let languages: Vec<(&LanguageDecoder, Vec<Vec<ScoredCaption>>)> = wanted
            .par_iter()
            .map(|decoder| {
                let rows: Vec<f32> = features.concat();
                (*decoder, decoder.caption(self.tensor(rows, photos.len(), widest), beam, n))
            })
            .collect();
        for (decoder, each) in languages {
            for (photo, captions) in captioned.iter_mut().zip(each) {
                photo.push(LanguageCaptions { language: decoder.language, model: decoder.name.clone(), captions });
            }
        }
        captioned
    }

    /// `photos` rows of features, one after the other.
    fn tensor(&self, features: Vec<f32>, photos: usize, shape: FeatureShape) -> Tensor<3> {
        Tensor::<3>::from_data(TensorData::new(features, [photos, shape.regions, shape.dim]), &self.device)
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
        let paths = ModelPaths {
            decoder_dir: "/nonexistent/model".into(),
            more_languages: vec!["/nonexistent/model-zh".into()],
            vgg16: "/nonexistent/vgg16.bpk".into(),
        };
        let message = paths.missing().expect("nothing is there");
        assert!(message.contains("/nonexistent/model/config.json"), "{message}");
        assert!(message.contains("/nonexistent/model/vocab.json"), "{message}");
        assert!(message.contains("decoder-f16.bpk"), "{message}");
        assert!(message.contains("/nonexistent/vgg16.bpk"), "{message}");
        assert!(message.contains("/nonexistent/model-zh/vocab.json"), "{message}");
        assert!(Captioner::load(&paths, Backend::Flex).is_err());
    }

    #[test]
    fn the_default_paths_resolve_at_run_time_under_the_working_directory() {
        let paths = ModelPaths::shipped();
        assert_eq!(paths.decoder_dir, Path::new("models/caption-attention-ensemble"));
        for (language, folder) in [
            (Language::Zh, "models/caption-attention-zh"),
            (Language::De, "models/caption-attention-de"),
            (Language::Ar, "models/caption-attention-ar"),
        ] {
            assert_eq!(ModelPaths::shipped_decoder(Path::new("models"), language), Path::new(folder));
        }
        assert_eq!(paths.vgg16, Path::new("models/vgg16.bpk"));
    }

    #[test]
    fn each_shipped_model_captions_with_the_setting_its_unsure_threshold_was_chosen_for() {
        let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(MODELS_DIR);
        let mut checked = 0;
        for entry in std::fs::read_dir(&models).unwrap() {
            let files = ModelFiles { dir: entry.unwrap().path() };
            if !files.config().is_file() {
                continue;
            }
            let config: TrainConfig = serde_json::from_str(&std::fs::read_to_string(files.config()).unwrap()).unwrap();
            let calibration = files.load_calibration().unwrap().expect("a shipped model has its calibration.json");
            let dir = files.dir.display();
            assert_eq!(
                (config.beam, config.length_alpha, config.beam_patience),
                (calibration.beam, calibration.length_alpha, calibration.beam_patience),
                "{dir}"
            );
            checked += 1;
        }
        assert!(checked >= 8, "the eight shipped models (English's ensemble and its three members), found {checked}");
    }

    #[test]
    fn the_shipped_decoder_is_complete_apart_from_the_imported_encoder() {
        let paths = ModelPaths::shipped_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(MODELS_DIR));
        if let Some(message) = paths.missing() {
            assert!(!message.contains("caption-"), "the committed model lacks files: {message}");
        }
    }
}
