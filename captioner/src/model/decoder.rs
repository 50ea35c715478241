//! The caption decoder: the "merge" architecture (Tanti, Gatt & Camilleri, 2017), where the
//! image is merged with the LSTM's output instead of being fed into the LSTM:
//! features → dropout → dense 256 (ReLU); words → embedding 256 → dropout → LSTM 256; the two
//! added; dense 256 (ReLU); dense over the vocabulary.

use burn::{
    nn::{Dropout, DropoutConfig, Embedding, EmbeddingConfig, Linear, LinearConfig, Lstm, LstmConfig, LstmState},
    prelude::*,
    tensor::activation::relu,
};

use crate::decoding::StepDecoder;

#[derive(Config, Debug)]
pub struct DecoderConfig {
    pub vocab_size: usize,
    #[config(default = 512)]
    pub feature_size: usize,
    #[config(default = 256)]
    pub hidden_size: usize,
    #[config(default = 0.5)]
    pub dropout: f64,
    /// Multiplies the image features before the first layer. The pooled VGG16 values are large
    /// (mean 2.3, standard deviation 4.0, up to 120 on Flickr8k) next to the LSTM's outputs in
    /// [-1, 1], which they are added to; a scale near 1/std lets both start on an equal footing.
    #[config(default = 1.0)]
    pub feature_scale: f64,
}

#[derive(Module, Debug)]
pub struct Decoder {
    image_dense: Linear,
    embedding: Embedding,
    lstm: Lstm,
    merge_dense: Linear,
    output: Linear,
    dropout: Dropout,
    feature_scale: f64,
}

impl DecoderConfig {
    pub fn init(&self, device: &Device) -> Decoder {
        Decoder {
            image_dense: LinearConfig::new(self.feature_size, self.hidden_size).init(device),
            embedding: EmbeddingConfig::new(self.vocab_size, self.hidden_size).init(device),
            lstm: LstmConfig::new(self.hidden_size, self.hidden_size, true).init(device),
            merge_dense: LinearConfig::new(self.hidden_size, self.hidden_size).init(device),
            output: LinearConfig::new(self.hidden_size, self.vocab_size).init(device),
            dropout: DropoutConfig::new(self.dropout).init(),
            feature_scale: self.feature_scale,
        }
    }
}

impl Decoder {
    /// `[batch, 512]` image features → `[batch, hidden]`, computed once per image.
    pub fn image_projection(&self, features: Tensor<2>) -> Tensor<2> {
        relu(self.image_dense.forward(self.dropout.forward(features * self.feature_scale)))
    }

    fn merge(&self, lstm_out: Tensor<3>, image: Tensor<2>) -> Tensor<3> {
        let [_, steps, _] = lstm_out.dims();
        let image = image.unsqueeze_dim::<3>(1).repeat_dim(1, steps);
        self.output.forward(relu(self.merge_dense.forward(lstm_out + image)))
    }

    /// Teacher forcing over whole sequences: `[batch, 512]` features and `[batch, steps]` input
    /// tokens → `[batch, steps, vocab]` logits of the next token at each step.
    pub fn forward(&self, features: Tensor<2>, tokens: Tensor<2, Int>) -> Tensor<3> {
        let image = self.image_projection(features);
        let words = self.dropout.forward(self.embedding.forward(tokens));
        let (out, _) = self.lstm.forward(words, None);
        self.merge(out, image)
    }

    /// One decoding step for a batch of partial captions: their last tokens `[batch, 1]` and
    /// LSTM states → next-token logits `[batch, vocab]` and the new states.
    pub fn step(
        &self,
        image: Tensor<2>,
        last_tokens: Tensor<2, Int>,
        state: Option<LstmState<2>>,
    ) -> (Tensor<2>, LstmState<2>) {
        let words = self.embedding.forward(last_tokens);
        let (out, state) = self.lstm.forward(words, state);
        let logits = self.merge(out, image);
        let [batch, _, vocab] = logits.dims();
        (logits.reshape([batch, vocab]), state)
    }
}

/// The merge decoder's state between words: the image's projection (fixed) and the LSTM's state.
#[derive(Debug, Clone)]
pub struct MergeState {
    image: Tensor<2>,
    lstm: Option<LstmState<2>>,
}

impl StepDecoder for Decoder {
    type State = MergeState;

    fn start(&self, features: Tensor<3>) -> MergeState {
        let [n, regions, dim] = features.dims();
        MergeState { image: self.image_projection(features.reshape([n, regions * dim])), lstm: None }
    }

    fn step(&self, state: MergeState, last_tokens: Tensor<2, Int>) -> (Tensor<2>, MergeState) {
        let (logits, lstm) = Decoder::step(self, state.image.clone(), last_tokens, state.lstm);
        (logits, MergeState { image: state.image, lstm: Some(lstm) })
    }

    fn reorder(&self, state: MergeState, rows: Tensor<1, Int>) -> MergeState {
        MergeState {
            image: state.image.select(0, rows.clone()),
            lstm: state.lstm.map(|s| LstmState::new(s.cell.select(0, rows.clone()), s.hidden.select(0, rows))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_scale_multiplies_the_features_before_the_first_layer() {
        let device = Device::flex();
        let plain = DecoderConfig::new(12).with_hidden_size(8).with_dropout(0.0).init(&device);
        // the same weights, with the scale set
        let scaled = Decoder { feature_scale: 0.25, ..plain.clone() };
        let features = Tensor::<2>::random([2, 512], burn::tensor::Distribution::Uniform(0.0, 8.0), &device);
        let expected = plain.image_projection(features.clone() * 0.25).into_data().try_into_vec::<f32>().unwrap();
        let actual = scaled.image_projection(features).into_data().try_into_vec::<f32>().unwrap();
        assert!(expected.iter().zip(&actual).all(|(e, a)| (e - a).abs() < 1e-5));
        assert!(actual.iter().any(|v| *v > 0.0), "not all zero after the ReLU");
    }
}
