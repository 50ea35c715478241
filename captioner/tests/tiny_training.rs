//! Tiny training runs on a handful of real Flickr8k photos, through the same epoch loop as
//! `captioner train`: the loss falls clearly for both decoders, and beam search never scores
//! worse than greedy decoding. And the shipped merge model, decoded through the decoder trait,
//! still writes the captions it wrote before the trait existed.

use std::{collections::HashMap, path::PathBuf};

use burn::prelude::*;
use captioner::{
    backend::Backend,
    data::{parse_token_file, CaptionSet},
    decoding::{beam_search, greedy, BeamSearch},
    encoder_record,
    extract::encode_photos,
    features::FeatureShape,
    inference::{Captioner, ModelPaths},
    metrics::CiderD,
    model::{attention::AttentionDecoderConfig, decoder::DecoderConfig, MapLayer, POOLED},
    text::{tokenize, Language},
    training::{
        optimizer, self_critical_epoch, train_passes, Baseline, Example, InMemoryFeatures, SelfCritical,
        TrainableDecoder,
    },
    vocab::Vocabulary,
};

/// burn's random generator is one for the device, and `tiny` reseeds it: the tests here run one
/// at a time, so that each training starts from its own seed whatever the others draw.
static SEEDED: std::sync::Mutex<()> = std::sync::Mutex::new(());

struct Tiny {
    _seeded: std::sync::MutexGuard<'static, ()>,
    device: Device,
    captions: CaptionSet,
    images: Vec<String>,
    flickr8k: PathBuf,
    workspace: PathBuf,
}

fn tiny(what: &str) -> Option<Tiny> {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let flickr8k = captioner::data::flickr8k_for_test(&workspace, what)?;
    // a test that failed while holding it leaves nothing half-done for the next
    let seeded = SEEDED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let device = Backend::Flex.device();
    device.seed(7);
    let captions = parse_token_file(&std::fs::read_to_string(flickr8k.join("Flickr8k.token.txt")).unwrap());
    let mut images: Vec<String> = captions.by_image.keys().cloned().collect();
    images.sort();
    images.truncate(4);
    Some(Tiny { _seeded: seeded, device, captions, images, flickr8k, workspace })
}

impl Tiny {
    fn features(&self, shape: FeatureShape) -> InMemoryFeatures {
        let vgg =
            encoder_record::load_encoder(&encoder_record::in_models_dir(&self.workspace.join("models")), &self.device)
                .unwrap();
        let photos: Vec<_> =
            self.images.iter().map(|name| image::open(self.flickr8k.join("Images").join(name)).unwrap()).collect();
        let by_photo = self.images.iter().cloned().zip(encode_photos(&vgg, &self.device, &photos, shape)).collect();
        InMemoryFeatures { shape, by_photo }
    }

    fn vocab_and_examples(&self) -> (Vocabulary, Vec<Example<'_>>) {
        let tokenised: Vec<(&str, Vec<String>)> = self
            .images
            .iter()
            .flat_map(|name| self.captions.captions(name).iter().map(move |c| (name.as_str(), tokenize(c))))
            .collect();
        let vocab = Vocabulary::build(Language::En, tokenised.iter().map(|(_, t)| t.as_slice()), 1);
        let examples = self
            .images
            .iter()
            .flat_map(|name| {
                self.captions.captions(name).iter().map(|c| Example { photo: name, caption: vocab.encode(c) })
            })
            .collect();
        (vocab, examples)
    }

    /// Trains, checks that the loss falls by half, and that beam search beats greedy decoding.
    fn train_and_decode<M: TrainableDecoder>(&self, decoder: M, features: &InMemoryFeatures, learning_rate: f64) {
        let (vocab, examples) = self.vocab_and_examples();
        assert_eq!(examples.len(), 20);
        let (decoder, losses) = train_passes(decoder, &examples, features, 10, learning_rate, 25, &self.device);
        eprintln!("loss per pass: {losses:?}");
        let (first, last) = (losses[0], *losses.last().unwrap());
        assert!(last < first * 0.5, "loss should fall clearly: {losses:?}");
        for name in &self.images {
            let values = features.by_photo[name].clone();
            let shape = features.shape;
            let input = Tensor::<3>::from_data(TensorData::new(values, [1, shape.regions, shape.dim]), &self.device);
            let greedy = greedy(&decoder, input.clone(), 20);
            let beams = beam_search(&decoder, input, BeamSearch::new(3, 1.0), 3, 20).remove(0);
            assert!(!beams.is_empty() && beams.len() <= 3);
            assert!(beams.windows(2).all(|w| w[0].score >= w[1].score), "best first");
            assert!(beams[0].score >= greedy.score - 1e-4, "beam {} < greedy {}", beams[0].score, greedy.score);
            assert!(!vocab.decode(&beams[0].tokens).is_empty());
            eprintln!("greedy {:?} | beam {:?}", vocab.decode(&greedy.tokens), vocab.decode(&beams[0].tokens));
        }
    }
}

#[test]
fn the_merge_decoder_learns_and_beam_is_never_worse_than_greedy() {
    let Some(tiny) = tiny("the tiny training test") else { return };
    let features = tiny.features(POOLED);
    let vocab_len = tiny.vocab_and_examples().0.len();
    tiny.train_and_decode(DecoderConfig::new(vocab_len).with_dropout(0.1).init(&tiny.device), &features, 5e-3);
}

/// On either of VGG16's maps: 7x7 and 14x14.
#[test]
fn the_attention_decoder_learns_and_beam_is_never_worse_than_greedy() {
    let Some(tiny) = tiny("the tiny attention training test") else { return };
    for map in [MapLayer::Block5Pool, MapLayer::Block5Conv3] {
        let features = tiny.features(map.shape());
        assert_eq!(features.by_photo[&tiny.images[0]].len(), map.regions() * 512);
        let vocab_len = tiny.vocab_and_examples().0.len();
        let decoder = AttentionDecoderConfig::new(vocab_len)
            .with_hidden_size(64)
            .with_embedding_size(32)
            .with_attention_size(32)
            .with_dropout(0.1)
            .with_feature_scale(0.05)
            .init(&tiny.device);
        tiny.train_and_decode(decoder, &features, 5e-3);
    }
}

/// Self-critical training, going on from a decoder part-way trained on the references, raises
/// what it optimises: the CIDEr-D of the captions drawn from the decoder (measured before each
/// update).
#[test]
fn self_critical_training_raises_the_reward_of_the_drawn_captions() {
    let Some(tiny) = tiny("the tiny self-critical training test") else { return };
    let features = tiny.features(POOLED);
    let (vocab, examples) = tiny.vocab_and_examples();
    let decoder = DecoderConfig::new(vocab.len()).with_dropout(0.0).init(&tiny.device);
    let (decoder, _) = train_passes(decoder, &examples, &features, 10, 5e-3, 6, &tiny.device);
    let references: HashMap<&str, Vec<Vec<String>>> = tiny
        .images
        .iter()
        .map(|name| (name.as_str(), tiny.captions.captions(name).iter().map(|c| tokenize(c)).collect()))
        .collect();
    let scorer = CiderD::new(references.values().map(Vec::as_slice));
    let words = |tokens: &[usize]| tokenize(&vocab.decode(tokens));
    let critic = SelfCritical {
        references: &references,
        scorer: &scorer,
        words: &words,
        samples_per_photo: 5,
        max_len: 16,
        baseline: Baseline::OtherSamples,
    };
    let photos: Vec<&str> = tiny.images.iter().map(String::as_str).collect();
    let mut model = decoder.train();
    let mut optimizer = optimizer(0.0);
    let mut seed = 42;
    let mut drawn = Vec::new();
    // Each pass is one batch, so its reward is noisy (about ±0.04): the first and last eight
    // passes are compared, far enough apart for the rise to stand out from that noise.
    for _ in 0..24 {
        let (trained, figures) = self_critical_epoch(
            model,
            &mut optimizer,
            &photos,
            &critic,
            &features,
            4,
            3e-4,
            &mut seed,
            &tiny.device,
            None,
        );
        model = trained;
        drawn.push(figures.drawn_reward);
    }
    eprintln!("CIDEr-D of the drawn captions per pass: {drawn:?}");
    let mean = |rewards: &[f32]| rewards.iter().sum::<f32>() / rewards.len() as f32;
    assert!(mean(&drawn[16..]) > mean(&drawn[..8]) + 0.05, "the reward should rise: {drawn:?}");
}

/// The captions `eval` wrote for the test split come out again for the first test photos when
/// the photo goes through `Captioner` with the model's own decoding setting: for the merge model,
/// results written before decoding went through `StepDecoder`.
fn writes_its_evaluation_captions(decoder: &str, results: &str) {
    let Some(tiny) = tiny("a shipped model's reference captions") else { return };
    let models = tiny.workspace.join("models");
    let paths = ModelPaths { decoder_dir: models.join(decoder), ..ModelPaths::shipped_in(&models) };
    let captioner = Captioner::load(&paths, Backend::Flex).unwrap();
    let results: Vec<HashMap<String, String>> =
        serde_json::from_str(&std::fs::read_to_string(models.join(decoder).join(results)).unwrap()).unwrap();
    let references = &results[..4];
    let photos: Vec<image::DynamicImage> =
        references.iter().map(|r| image::open(tiny.flickr8k.join("Images").join(&r["image_id"])).unwrap()).collect();
    for (photo, reference) in photos.iter().zip(references) {
        let caption = captioner.caption(photo, None, 1).remove(0);
        assert_eq!(caption.text, reference["caption"], "{decoder}: {}", reference["image_id"]);
    }
    // The same captions when the photos are captioned together, as a worker with a queue does.
    let together = captioner.caption_photos_in(&photos, &captioner.languages(), None, 1);
    for (captioned, reference) in together.iter().zip(references) {
        assert_eq!(
            captioned[0].captions[0].text, reference["caption"],
            "{decoder}, together: {}",
            reference["image_id"]
        );
    }
}

#[test]
fn the_shipped_merge_model_writes_the_captions_it_wrote_before_the_decoder_trait() {
    writes_its_evaluation_captions("caption-merge", "eval-test-beam7.json");
}

#[test]
fn the_shipped_attention_model_writes_its_evaluation_captions() {
    writes_its_evaluation_captions("caption-attention", "eval-test-beam5.json");
}

/// English's default: three attention decoders writing each caption together.
#[test]
fn the_shipped_ensemble_writes_its_evaluation_captions() {
    writes_its_evaluation_captions(captioner::inference::SHIPPED_DECODER, "eval-test-beam5.json");
}
