//! A tiny training run on a handful of real Flickr8k photos: the loss falls clearly, and beam
//! search never scores worse than greedy decoding.

use burn::prelude::*;
use captioner::{
    backend::Backend,
    data::parse_token_file,
    decoding::{beam_search, greedy},
    encoder_record,
    extract::encode_photos,
    model::decoder::DecoderConfig,
    text::tokenize,
    training::{train_passes, Example},
    vocab::Vocabulary,
};

#[test]
fn loss_falls_and_beam_is_never_worse_than_greedy() {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let Some(flickr8k) = captioner::data::flickr8k_for_test(&workspace, "the tiny training test") else { return };
    let device = Backend::Flex.device();
    device.seed(7);
    let captions = parse_token_file(&std::fs::read_to_string(flickr8k.join("Flickr8k.token.txt")).unwrap());
    let images: Vec<String> = captions.by_image.keys().take(4).cloned().collect();
    let vgg = encoder_record::load(&encoder_record::in_models_dir(&workspace.join("models")), &device).unwrap();
    let photos: Vec<_> = images.iter().map(|name| image::open(flickr8k.join("Images").join(name)).unwrap()).collect();
    let features = encode_photos(&vgg, &device, &photos);

    let tokenised: Vec<(usize, Vec<String>)> = images
        .iter()
        .enumerate()
        .flat_map(|(i, name)| captions.captions(name).iter().map(move |c| (i, tokenize(c))))
        .collect();
    let vocab = Vocabulary::build(tokenised.iter().map(|(_, t)| t.as_slice()), 1);
    let examples: Vec<Example> = tokenised
        .iter()
        .map(|(i, tokens)| Example { features: &features[*i], caption: vocab.encode(tokens) })
        .collect();
    assert_eq!(examples.len(), 20);

    let decoder = DecoderConfig::new(vocab.len()).with_dropout(0.1).init(&device);
    let (decoder, losses) = train_passes(decoder, &examples, 10, 5e-3, 25, &device);
    eprintln!("loss per pass: {losses:?}");
    let (first, last) = (losses[0], *losses.last().unwrap());
    assert!(last < first * 0.5, "loss should fall clearly: {losses:?}");

    for feature in &features {
        let input = Tensor::<2>::from_data(TensorData::new(feature.clone(), [1, feature.len()]), &device);
        let greedy = greedy(&decoder, input.clone(), 20);
        let beams = beam_search(&decoder, input, 3, 3, 20, 1.0);
        assert!(!beams.is_empty() && beams.len() <= 3);
        assert!(beams.windows(2).all(|w| w[0].score >= w[1].score), "best first");
        assert!(beams[0].score >= greedy.score - 1e-4, "beam {} < greedy {}", beams[0].score, greedy.score);
        assert!(!vocab.decode(&beams[0].tokens).is_empty());
        eprintln!(
            "greedy {:.3} {:?} | beam {:.3} {:?}",
            greedy.score,
            vocab.decode(&greedy.tokens),
            beams[0].score,
            vocab.decode(&beams[0].tokens)
        );
    }
}
