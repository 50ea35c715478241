//! Teacher-forced training of the decoder on whole caption sequences (batches of sequences,
//! not one sample per prefix), with Adam.

use burn::{
    nn::loss::CrossEntropyLossConfig,
    optim::{AdamConfig, GradientsParams},
    prelude::*,
};

use crate::{model::decoder::Decoder, vocab::PAD_ID};

/// One training example: an image's features and one of its captions as ids
/// (`<start> … <end>`, see `Vocabulary::encode`).
#[derive(Debug, Clone)]
pub struct Example<'a> {
    pub features: &'a [f32],
    pub caption: Vec<usize>,
}

/// A batch: features `[b, 512]`, inputs `[b, t]` (caption without its last token) and targets
/// `[b, t]` (caption without `<start>`), padded with `<pad>`, which the loss ignores.
pub struct CaptionBatch {
    pub features: Tensor<2>,
    pub inputs: Tensor<2, Int>,
    pub targets: Tensor<2, Int>,
}

pub fn make_batch(examples: &[Example], device: &Device) -> CaptionBatch {
    let feature_size = examples[0].features.len();
    let steps = examples.iter().map(|e| e.caption.len() - 1).max().unwrap_or(1);
    let (mut features, mut inputs, mut targets) = (Vec::new(), Vec::new(), Vec::new());
    for example in examples {
        features.extend_from_slice(example.features);
        let ids: Vec<i64> = example.caption.iter().map(|&t| t as i64).collect();
        let pad = PAD_ID as i64;
        for t in 0..steps {
            inputs.push(if t + 1 < ids.len() { ids[t] } else { pad });
            targets.push(ids.get(t + 1).copied().unwrap_or(pad));
        }
    }
    let b = examples.len();
    CaptionBatch {
        features: Tensor::<2>::from_data(TensorData::new(features, [b, feature_size]), device),
        inputs: Tensor::<2, Int>::from_data(TensorData::new(inputs, [b, steps]), device),
        targets: Tensor::<2, Int>::from_data(TensorData::new(targets, [b, steps]), device),
    }
}

/// Mean cross-entropy per real token: burn 0.22.1 leaves `<pad>` targets out of both the sum
/// and the count.
pub fn batch_loss(decoder: &Decoder, batch: CaptionBatch) -> Tensor<1> {
    let device = batch.features.device();
    let logits = decoder.forward(batch.features, batch.inputs);
    let [b, t, v] = logits.dims();
    CrossEntropyLossConfig::new()
        .with_pad_tokens(Some(vec![PAD_ID]))
        .init(&device)
        .forward(logits.reshape([b * t, v]), batch.targets.reshape([b * t]))
}

/// Trains for `steps` passes over `examples` in batches of `batch_size`; returns the decoder
/// (on the plain device) and the mean loss of each pass.
pub fn train_passes(
    decoder: Decoder,
    examples: &[Example],
    batch_size: usize,
    learning_rate: f64,
    passes: usize,
    device: &Device,
) -> (Decoder, Vec<f32>) {
    let autodiff = device.clone().autodiff();
    let mut model = decoder.train();
    let mut optimizer = AdamConfig::new().init();
    let mut losses = Vec::new();
    for _ in 0..passes {
        let mut total = 0.0;
        let mut batches = 0;
        for chunk in examples.chunks(batch_size.max(1)) {
            let loss = batch_loss(&model, make_batch(chunk, &autodiff));
            total += loss.clone().into_scalar::<f32>();
            batches += 1;
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(learning_rate, model, grads);
        }
        losses.push(total / batches as f32);
    }
    (model.valid(), losses)
}
