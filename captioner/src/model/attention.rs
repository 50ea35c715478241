//! The soft-attention decoder of Show, Attend and Tell (Xu et al., 2015): at each word the LSTM
//! looks at the photo's regions (a VGG16 map, `MapLayer`: 49 or 196 annotation vectors of 512 values), weighs
//! them by how well they match its state, and reads their weighted mean (the context), scaled by
//! a learnt gate. The initial state comes from the mean annotation; the next word is read off a
//! deep output layer that sees the previous word, the state and the context. With
//! [`AttentionQuery::CurrentHidden`] the LSTM reads the word first and the attention asks with
//! its new state (Lu et al., 2017's spatial attention).

use serde::{Deserialize, Serialize};

use burn::{
    nn::{Dropout, DropoutConfig, Embedding, EmbeddingConfig, Linear, LinearConfig, Lstm, LstmConfig, LstmState},
    prelude::*,
    tensor::activation::{sigmoid, softmax, tanh},
};

use crate::decoding::StepDecoder;

#[derive(Config, Debug)]
pub struct AttentionDecoderConfig {
    pub vocab_size: usize,
    /// Values per annotation vector (VGG16: 512 channels).
    #[config(default = 512)]
    pub feature_size: usize,
    #[config(default = 256)]
    pub embedding_size: usize,
    #[config(default = 512)]
    pub hidden_size: usize,
    /// Width of the attention's hidden layer.
    #[config(default = 512)]
    pub attention_size: usize,
    #[config(default = 0.5)]
    pub dropout: f64,
    /// Multiplies the annotation vectors first (VGG16's map reaches the hundreds; see
    /// `DecoderConfig::feature_scale`).
    #[config(default = 1.0)]
    pub feature_scale: f64,
    /// Weight of the doubly stochastic attention regulariser in the training loss.
    #[config(default = 1.0)]
    pub attention_penalty: f64,
    #[config(default = "AttentionQuery::PreviousHidden")]
    pub query: AttentionQuery,
}

/// Which LSTM state the attention asks with when it picks the regions for a word. Both use the
/// same weights: the LSTM's input is the word's embedding and a vector of the map's size either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttentionQuery {
    /// The state before the word (Show, Attend and Tell): the context is the LSTM's input with
    /// the word, so the attention picks regions before the LSTM has read the word.
    #[default]
    PreviousHidden,
    /// The state after the word (Lu et al., 2017, "Knowing When to Look"; the top-down attention
    /// of Anderson et al., 2018): the LSTM reads the word with the mean annotation, then the
    /// attention asks with its new state, which knows what was just said.
    CurrentHidden,
}

#[derive(Module, Debug)]
pub struct AttentionDecoder {
    embedding: Embedding,
    init_hidden: Linear,
    init_cell: Linear,
    /// The attention: `score(tanh(W_a a_i + W_h h))`.
    attend_annotation: Linear,
    attend_hidden: Linear,
    attend_score: Linear,
    /// The gating scalar per channel: `sigmoid(f_beta(h))` scales the context.
    gate: Linear,
    lstm: Lstm,
    /// The deep output: `output(tanh(E y + L_h h + L_z z))`.
    out_hidden: Linear,
    out_context: Linear,
    output: Linear,
    dropout: Dropout,
    feature_scale: f64,
    attention_penalty: f64,
    #[module(skip)]
    query: AttentionQuery,
}

impl AttentionDecoderConfig {
    pub fn init(&self, device: &Device) -> AttentionDecoder {
        let (d, e, h, a) = (self.feature_size, self.embedding_size, self.hidden_size, self.attention_size);
        AttentionDecoder {
            embedding: EmbeddingConfig::new(self.vocab_size, e).init(device),
            init_hidden: LinearConfig::new(d, h).init(device),
            init_cell: LinearConfig::new(d, h).init(device),
            attend_annotation: LinearConfig::new(d, a).init(device),
            attend_hidden: LinearConfig::new(h, a).init(device),
            attend_score: LinearConfig::new(a, 1).init(device),
            gate: LinearConfig::new(h, d).init(device),
            lstm: LstmConfig::new(e + d, h, true).init(device),
            out_hidden: LinearConfig::new(h, e).init(device),
            out_context: LinearConfig::new(d, e).init(device),
            output: LinearConfig::new(e, self.vocab_size).init(device),
            dropout: DropoutConfig::new(self.dropout).init(),
            feature_scale: self.feature_scale,
            attention_penalty: self.attention_penalty,
            query: self.query,
        }
    }
}

/// What the decoder carries from word to word for a batch of captions (or beams).
#[derive(Debug, Clone)]
pub struct AttentionState {
    /// `[n, regions, features]`: the annotation vectors (scaled), one row per caption; or
    /// `[1, regions, features]`, shared by every caption when all are of one photo (a photo's
    /// beam search), so that no step copies them.
    pub annotations: Tensor<3>,
    /// `[n or 1, regions, attention]`: their projection, the same at every word.
    pub projected: Tensor<3>,
    /// `[n or 1, features]`: their mean, the LSTM's input beside the word when the attention
    /// asks with the current state.
    pub mean: Tensor<2>,
    pub lstm: LstmState<2>,
    /// The LSTM's weights, laid out for decoding.
    pub gates: LstmGates,
}

impl AttentionState {
    /// Keeps the given rows, in that order (beam search). Shared annotations stay shared: every
    /// row kept is still of that one photo.
    pub fn select(self, rows: Tensor<1, Int>) -> Self {
        let per_row = |t: Tensor<3>| if t.dims()[0] == 1 { t } else { t.select(0, rows.clone()) };
        let mean = if self.mean.dims()[0] == 1 { self.mean } else { self.mean.select(0, rows.clone()) };
        Self {
            annotations: per_row(self.annotations),
            projected: per_row(self.projected),
            mean,
            lstm: LstmState::new(self.lstm.cell.select(0, rows.clone()), self.lstm.hidden.select(0, rows)),
            gates: self.gates,
        }
    }
}

/// The LSTM's eight matrices (input and hidden, for each of its four gates) as one
/// `[4 hidden, input + hidden]` matrix, in that order in memory, and its eight biases as one: a
/// step is then one matrix product with the weights on the left, `W [x; h]`. burn's `Lstm` makes
/// eight products of the few rows of a beam by `[in, out]` matrices, which burn flex runs two to
/// three times as slowly on these CPUs (`captioner bench --decoding`). Built from the LSTM as it is,
/// once per decoding, or once per loaded model (`CaptionModel::attention`).
#[derive(Debug, Clone)]
pub struct LstmGates {
    weights: Tensor<2>,
    bias: Tensor<1>,
}

impl LstmGates {
    /// The gates in the order [`LstmGates::step`] reads them: input, forget, cell, output.
    pub fn of(lstm: &Lstm) -> Self {
        assert!(
            lstm.clip.is_none() && !lstm.input_forget,
            "the decoder's LSTM has neither clipping nor a coupled forget gate"
        );
        let forget = lstm.forget_gate.as_ref().expect("an LSTM without a coupled forget gate has one");
        let gates = [&lstm.input_gate, forget, &lstm.cell_gate, &lstm.output_gate];
        let weights = gates
            .iter()
            .map(|g| {
                Tensor::cat(
                    vec![g.input_transform.weight.val().transpose(), g.hidden_transform.weight.val().transpose()],
                    1,
                )
            })
            .collect();
        let bias = |l: &Linear| l.bias.as_ref().expect("the decoder's LSTM has biases").val();
        let biases = gates.iter().map(|g| bias(&g.input_transform) + bias(&g.hidden_transform)).collect();
        Self { weights: Tensor::cat(weights, 0), bias: Tensor::cat(biases, 0) }
    }

    /// One step of the LSTM for `input` `[n, input]`, as burn's `Lstm` computes it.
    pub fn step(&self, input: Tensor<2>, state: LstmState<2>) -> LstmState<2> {
        let both = Tensor::cat(vec![input, state.hidden], 1);
        let sums = self.weights.clone().matmul(both.transpose()).transpose() + self.bias.clone().unsqueeze();
        let [input_gate, forget_gate, candidate, output_gate]: [Tensor<2>; 4] =
            sums.chunk(4, 1).try_into().expect("four gates");
        let cell = sigmoid(forget_gate) * state.cell + sigmoid(input_gate) * tanh(candidate);
        let hidden = sigmoid(output_gate) * tanh(cell.clone());
        LstmState::new(cell, hidden)
    }
}

/// `tanh` as `1 - 2 / (exp(2x) + 1)`, with `x` clamped to ±15 (where `tanh` is 1 in f32) so that
/// `exp` never overflows, nor sends NaN back in training. burn's CPU backends compute `tanh` with
/// the C library's scalar `tanhf`, several times slower on the attention's `[n, 49, 512]` than
/// `exp` (`captioner bench --decoding`); the two differ by less than 1e-6.
pub fn tanh_by_exp<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    (x.clamp(-15.0, 15.0) * 2.0).exp().add_scalar(1.0).recip().mul_scalar(-2.0).add_scalar(1.0)
}

impl AttentionDecoder {
    pub fn attention_penalty(&self) -> f64 {
        self.attention_penalty
    }

    /// `[n, regions, features]` annotations → the state before the first word.
    pub fn start(&self, annotations: Tensor<3>) -> AttentionState {
        self.start_with(annotations, self.lstm_gates())
    }

    /// The LSTM's weights laid out for [`AttentionDecoder::start_with`]: tens of milliseconds for
    /// the shipped sizes, so a loaded model does it once (`CaptionModel::attention`).
    pub fn lstm_gates(&self) -> LstmGates {
        LstmGates::of(&self.lstm)
    }

    /// [`AttentionDecoder::start`] with `gates` from [`AttentionDecoder::lstm_gates`], which must
    /// be this decoder's as it is now.
    pub fn start_with(&self, annotations: Tensor<3>, gates: LstmGates) -> AttentionState {
        let annotations = annotations * self.feature_scale;
        let [n, _, d] = annotations.dims();
        let mean = annotations.clone().mean_dim(1).reshape([n, d]);
        let hidden = tanh(self.init_hidden.forward(mean.clone()));
        let cell = tanh(self.init_cell.forward(mean.clone()));
        let projected = self.attend_annotation.forward(annotations.clone());
        AttentionState { annotations, projected, mean, lstm: LstmState::new(cell, hidden), gates }
    }

    /// The attention weights `[n, regions]` (each row sums to one) for the state `hidden`, and
    /// the context `[n, features]`: the annotations' mean under those weights.
    /// `annotations` and `projected` may have one row for all of `hidden`'s (see [`AttentionState`]).
    pub fn attend(&self, annotations: Tensor<3>, projected: Tensor<3>, hidden: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let [_, regions, d] = annotations.dims();
        let [n, _] = hidden.dims();
        let query = self.attend_hidden.forward(hidden).unsqueeze_dim::<3>(1);
        let scores = self.attend_score.forward(tanh_by_exp(projected + query)).reshape([n, regions]);
        let weights = softmax(scores, 1);
        let context = weights.clone().unsqueeze_dim::<3>(1).matmul(annotations).reshape([n, d]);
        (weights, context)
    }

    /// One word for every row: the previous words' embeddings `[n, embedding]` → next-word
    /// logits `[n, vocab]`, the attention weights `[n, regions]` and the new state.
    fn advance(&self, state: AttentionState, words: Tensor<2>) -> (Tensor<2>, Tensor<2>, AttentionState) {
        let AttentionState { annotations, projected, mean, lstm, gates } = state;
        let gated_context = |hidden: Tensor<2>| {
            let (weights, context) = self.attend(annotations.clone(), projected.clone(), hidden.clone());
            (weights, sigmoid(self.gate.forward(hidden)) * context)
        };
        let (weights, context, lstm) = match self.query {
            AttentionQuery::PreviousHidden => {
                let (weights, context) = gated_context(lstm.hidden.clone());
                let lstm = gates.step(Tensor::cat(vec![words.clone(), context.clone()], 1), lstm);
                (weights, context, lstm)
            }
            AttentionQuery::CurrentHidden => {
                let n = words.dims()[0];
                // a photo's beams share one row of it
                let photo = if mean.dims()[0] == n { mean.clone() } else { mean.clone().repeat_dim(0, n) };
                let lstm = gates.step(Tensor::cat(vec![words.clone(), photo], 1), lstm);
                let (weights, context) = gated_context(lstm.hidden.clone());
                (weights, context, lstm)
            }
        };
        let deep = tanh(words + self.out_hidden.forward(lstm.hidden.clone()) + self.out_context.forward(context));
        let logits = self.output.forward(self.dropout.forward(deep));
        (logits, weights, AttentionState { annotations, projected, mean, lstm, gates })
    }

    /// Teacher forcing: `[b, regions, features]` and input tokens `[b, steps]` → next-token
    /// logits `[b, steps, vocab]` and attention weights `[b, steps, regions]`.
    pub fn forward(&self, annotations: Tensor<3>, tokens: Tensor<2, Int>) -> (Tensor<3>, Tensor<3>) {
        let [b, steps] = tokens.dims();
        let embedded = self.embedding.forward(tokens);
        let width = embedded.dims()[2];
        let mut state = self.start(annotations);
        let (mut all_logits, mut all_weights) = (Vec::with_capacity(steps), Vec::with_capacity(steps));
        for t in 0..steps {
            let words = embedded.clone().narrow(1, t, 1).reshape([b, width]);
            let (logits, weights, next) = self.advance(state, words);
            all_logits.push(logits);
            all_weights.push(weights);
            state = next;
        }
        (Tensor::stack(all_logits, 1), Tensor::stack(all_weights, 1))
    }

    /// One decoding step: last tokens `[n, 1]` → next-token logits `[n, vocab]` and the new state.
    pub fn step(&self, state: AttentionState, last_tokens: Tensor<2, Int>) -> (Tensor<2>, AttentionState) {
        let [n, _] = last_tokens.dims();
        let words = self.embedding.forward(last_tokens);
        let width = words.dims()[2];
        let words = words.reshape([n, width]);
        let (logits, _, state) = self.advance(state, words);
        (logits, state)
    }
}

impl StepDecoder for AttentionDecoder {
    type State = AttentionState;

    fn start(&self, features: Tensor<3>) -> AttentionState {
        AttentionDecoder::start(self, features)
    }

    fn step(&self, state: AttentionState, last_tokens: Tensor<2, Int>) -> (Tensor<2>, AttentionState) {
        AttentionDecoder::step(self, state, last_tokens)
    }

    fn reorder(&self, state: AttentionState, rows: Tensor<1, Int>) -> AttentionState {
        state.select(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::Param;

    fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
        t.into_data().try_into_vec::<f32>().unwrap()
    }

    /// A decoder small enough to follow: 4 values per region, 3-wide embedding and attention, 5 hidden.
    fn tiny_decoder(vocab: usize, device: &Device) -> AttentionDecoder {
        AttentionDecoderConfig::new(vocab)
            .with_feature_size(4)
            .with_embedding_size(3)
            .with_hidden_size(5)
            .with_attention_size(3)
            .init(device)
    }

    /// A 2-region, 2-value case worked out by hand: the weights are set so that region i
    /// scores `tanh(a_i1)`; then the weights are the softmax of those scores and the context is
    /// the annotations' mean under them.
    #[test]
    fn attention_weights_sum_to_one_and_the_context_is_their_weighted_mean() {
        let device = Device::flex();
        let mut decoder = AttentionDecoderConfig::new(5)
            .with_feature_size(2)
            .with_embedding_size(2)
            .with_hidden_size(2)
            .with_attention_size(1)
            .with_dropout(0.0)
            .init(&device);
        let linear = |weight: Vec<f32>, rows: usize, cols: usize| {
            let mut l = LinearConfig::new(rows, cols).init(&device);
            l.weight = Param::from_tensor(Tensor::<2>::from_data(TensorData::new(weight, [rows, cols]), &device));
            l.bias = Some(Param::from_tensor(Tensor::<1>::zeros([cols], &device)));
            l
        };
        // the projection keeps the first value, the query adds nothing, the score is the identity
        decoder.attend_annotation = linear(vec![1.0, 0.0], 2, 1);
        decoder.attend_hidden = linear(vec![0.0, 0.0], 2, 1);
        decoder.attend_score = linear(vec![1.0], 1, 1);
        let annotations = Tensor::<3>::from_data(TensorData::new(vec![0.5f32, 2.0, -1.0, 4.0], [1, 2, 2]), &device);
        let projected = decoder.attend_annotation.forward(annotations.clone());
        let hidden = Tensor::<2>::from_data(TensorData::new(vec![0.3f32, -0.7], [1, 2]), &device);
        let (weights, context) = decoder.attend(annotations, projected, hidden);

        let (s1, s2) = (0.5f32.tanh(), (-1.0f32).tanh());
        let w1 = s1.exp() / (s1.exp() + s2.exp());
        let w2 = 1.0 - w1;
        let expected_context = [w1 * 0.5 - w2, w1 * 2.0 + w2 * 4.0];
        let weights = values(weights);
        let context = values(context);
        assert!((weights[0] - w1).abs() < 1e-6 && (weights[1] - w2).abs() < 1e-6, "{weights:?} vs {w1} {w2}");
        assert!((weights.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        for (c, e) in context.iter().zip(expected_context) {
            assert!((c - e).abs() < 1e-5, "{context:?} vs {expected_context:?}");
        }
    }

    /// A 6-input, 5-hidden LSTM, a step's input for 3 rows and a state to step from.
    fn lstm_step_case(device: &Device) -> (Lstm, Tensor<2>, LstmState<2>) {
        let uniform = burn::tensor::Distribution::Uniform(-1.0, 1.0);
        let random = |dims: [usize; 2]| Tensor::<2>::random(dims, uniform, device);
        (LstmConfig::new(6, 5, true).init(device), random([3, 6]), LstmState::new(random([3, 5]), random([3, 5])))
    }

    #[test]
    fn the_laid_out_lstm_steps_as_burns_lstm_does() {
        let (lstm, input, before) = lstm_step_case(&Device::flex());
        let (_, expected) = lstm.forward(input.clone().unsqueeze_dim::<3>(1), Some(before.clone()));
        let actual = LstmGates::of(&lstm).step(input, before);
        for (e, a) in [(expected.cell, actual.cell), (expected.hidden, actual.hidden)] {
            let (e, a) = (values(e), values(a));
            assert!(e.iter().zip(&a).all(|(e, a)| (e - a).abs() < 1e-5), "{e:?} vs {a:?}");
        }
    }

    /// Training goes through the laid-out LSTM too: the gradients must reach the LSTM's own
    /// weights, as through burn's `Lstm`.
    #[test]
    fn the_laid_out_lstm_passes_the_gradients_burns_lstm_does() {
        let (lstm, input, state) = lstm_step_case(&Device::flex().autodiff());
        let loss = |s: LstmState<2>| (s.hidden.powi_scalar(2).sum() + s.cell.sum()).backward();
        let burns = loss(lstm.forward(input.clone().unsqueeze_dim::<3>(1), Some(state.clone())).1);
        let ours = loss(LstmGates::of(&lstm).step(input, state));
        let forget = lstm.forget_gate.as_ref().unwrap();
        let matrices = [
            &lstm.input_gate.input_transform.weight,
            &forget.hidden_transform.weight,
            &lstm.cell_gate.input_transform.weight,
            &lstm.output_gate.hidden_transform.weight,
        ];
        for (i, param) in matrices.into_iter().enumerate() {
            let (expected, actual) = (values(param.grad(&burns).unwrap()), values(param.grad(&ours).unwrap()));
            assert!(expected.iter().zip(&actual).all(|(e, a)| (e - a).abs() < 1e-5), "matrix {i}");
            assert!(expected.iter().any(|g| g.abs() > 1e-4), "matrix {i} has a gradient");
        }
        let bias = lstm.cell_gate.hidden_transform.bias.as_ref().unwrap();
        let (expected, actual) = (values(bias.grad(&burns).unwrap()), values(bias.grad(&ours).unwrap()));
        assert!(expected.iter().zip(&actual).all(|(e, a)| (e - a).abs() < 1e-5));
    }

    #[test]
    fn tanh_by_exp_is_tanh() {
        let xs: Vec<f32> = (-400..=400).map(|i| i as f32 / 10.0).chain([1e-7, -1e-7, 1e-3, 0.0]).collect();
        let n = xs.len();
        let ys = values(tanh_by_exp(Tensor::<1>::from_data(TensorData::new(xs.clone(), [n]), &Device::flex())));
        for (x, y) in xs.iter().zip(ys) {
            assert!((x.tanh() - y).abs() < 1e-6, "tanh({x}) = {}, not {y}", x.tanh());
        }
    }

    /// A photo's beam search shares its annotations between its beams instead of copying them
    /// per beam; it must get the captions it gets beside other photos, where each row has its own.
    #[test]
    fn a_photo_searched_alone_gets_the_captions_it_gets_in_a_batch() {
        for query in [AttentionQuery::PreviousHidden, AttentionQuery::CurrentHidden] {
            a_photo_searched_alone_gets_the_captions_it_gets_in_a_batch_for(query);
        }
    }

    fn a_photo_searched_alone_gets_the_captions_it_gets_in_a_batch_for(query: AttentionQuery) {
        let device = Device::flex();
        let mut decoder = tiny_decoder(9, &device);
        decoder.query = query;
        let photos = Tensor::<3>::random([2, 3, 4], burn::tensor::Distribution::Uniform(0.0, 3.0), &device);
        let together =
            crate::decoding::beam_search(&decoder, photos.clone(), crate::decoding::BeamSearch::new(3, 0.6), 2, 6);
        for (i, beside) in together.into_iter().enumerate() {
            let alone = crate::decoding::beam_search(
                &decoder,
                photos.clone().narrow(0, i, 1),
                crate::decoding::BeamSearch::new(3, 0.6),
                2,
                6,
            )
            .remove(0);
            assert_eq!(alone.len(), beside.len());
            for (a, b) in alone.iter().zip(&beside) {
                assert_eq!(a.tokens, b.tokens, "photo {i}");
                assert!((a.score - b.score).abs() < 1e-5, "photo {i}: {} vs {}", a.score, b.score);
            }
        }
    }

    /// The weights a step returns are the attention of the LSTM's state before the word
    /// (Show, Attend and Tell) or after it (Lu et al.), and not of the other.
    #[test]
    fn the_attention_asks_with_the_state_before_or_after_the_word() {
        let device = Device::flex();
        let uniform = burn::tensor::Distribution::Uniform(-1.0, 2.0);
        let annotations = Tensor::<3>::random([2, 3, 4], uniform, &device);
        let words = Tensor::<2>::random([2, 3], uniform, &device);
        for query in [AttentionQuery::PreviousHidden, AttentionQuery::CurrentHidden] {
            let mut decoder = tiny_decoder(7, &device);
            decoder.query = query;
            let state = decoder.start(annotations.clone());
            let (scaled, projected, before) =
                (state.annotations.clone(), state.projected.clone(), state.lstm.hidden.clone());
            let (_, weights, next) = decoder.advance(state, words.clone());
            let after = next.lstm.hidden;
            let (asked, other) = match query {
                AttentionQuery::PreviousHidden => (before, after),
                AttentionQuery::CurrentHidden => (after, before),
            };
            let weights = values(weights);
            let close = |hidden: Tensor<2>| {
                let expected = values(decoder.attend(scaled.clone(), projected.clone(), hidden).0);
                expected.iter().zip(&weights).all(|(e, w)| (e - w).abs() < 1e-6)
            };
            assert!(close(asked), "{query:?}: the weights are the attention of its state");
            assert!(!close(other), "{query:?}: and not of the other");
        }
    }

    #[test]
    fn teacher_forcing_matches_step_by_step_decoding() {
        for query in [AttentionQuery::PreviousHidden, AttentionQuery::CurrentHidden] {
            teacher_forcing_matches_step_by_step_decoding_for(query);
        }
    }

    fn teacher_forcing_matches_step_by_step_decoding_for(query: AttentionQuery) {
        let device = Device::flex();
        let mut decoder = tiny_decoder(7, &device);
        decoder.query = query;
        let annotations = Tensor::<3>::random([2, 3, 4], burn::tensor::Distribution::Uniform(0.0, 2.0), &device);
        let tokens = Tensor::<2, Int>::from_data(TensorData::new(vec![1i64, 4, 5, 1, 6, 2], [2, 3]), &device);
        let (logits, weights) = decoder.forward(annotations.clone(), tokens.clone());
        assert_eq!(logits.dims(), [2, 3, 7]);
        assert_eq!(weights.dims(), [2, 3, 3]);
        let sums = values(weights.sum_dim(2));
        assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-5), "{sums:?}");

        let mut state = decoder.start(annotations);
        for t in 0..3 {
            let (step_logits, next) = decoder.step(state, tokens.clone().narrow(1, t, 1));
            state = next;
            let expected = values(logits.clone().narrow(1, t, 1).reshape([2, 7]));
            let actual = values(step_logits);
            assert!(expected.iter().zip(&actual).all(|(e, a)| (e - a).abs() < 1e-4), "step {t}");
        }
    }
}
