//! The networks: the VGG16 image encoder and the two caption decoders, and which of them a
//! model folder holds.

pub mod attention;
pub mod cpu_conv;
pub mod decoder;
pub mod encoder;
pub mod winograd;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

pub use encoder::{MapLayer, Vgg16, Vgg16Encoder, VGG16_BLOCKS};

use crate::{decoding::StepDecoder, features::FeatureShape};

/// VGG16's channels: the length of the pooled vector and of each annotation vector.
pub const FEATURE_SIZE: usize = 512;
/// The merge decoder's features: VGG16's pooled vector.
pub const POOLED: FeatureShape = FeatureShape { regions: 1, dim: FEATURE_SIZE };

impl MapLayer {
    /// This layer's map as features: its regions of VGG16's channels.
    pub fn shape(self) -> FeatureShape {
        FeatureShape { regions: self.regions(), dim: FEATURE_SIZE }
    }
}

/// A photo's features `[n, regions, dim]` as a decoder that reads `to` regions sees them: the
/// 14x14 map's 2x2 maxima are the 7x7 map (VGG16's block5_pool), whose mean is the pooled vector.
/// So one pass of VGG16, at the finest map a model reads, serves every decoder.
pub fn reduce_map(features: Tensor<3>, to: usize) -> Tensor<3> {
    let [n, regions, dim] = features.dims();
    if regions == to {
        return features;
    }
    if regions == MapLayer::Block5Conv3.regions() {
        let side = MapLayer::Block5Pool.regions().isqrt();
        let pooled = features.reshape([n, side, 2, side, 2, dim]).max_dim(4).max_dim(2).reshape([n, side * side, dim]);
        return reduce_map(pooled, to);
    }
    assert_eq!(to, 1, "a map of {regions} regions cannot give {to}");
    features.mean_dim(1)
}

/// Which decoder a model folder's `config.json` names (`"architecture"`); folders from before
/// there was a choice hold the merge decoder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// `decoder::Decoder`, on the pooled 512 features.
    #[default]
    Merge,
    /// `attention::AttentionDecoder`, on a map of 512 channels (`TrainConfig::map_layer`).
    Attention,
    /// No decoder of its own: the decoders of the folders its config names (`members`), which
    /// write each caption together ([`CaptionModel::Ensemble`]).
    Ensemble,
}

/// A loaded decoder of either architecture, or several that write a caption together.
#[derive(Debug, Clone)]
// One per loaded model, never moved around in bulk: boxing the larger decoder would gain nothing.
#[allow(clippy::large_enum_variant)]
pub enum CaptionModel {
    Merge(decoder::Decoder),
    /// With the map it reads and its LSTM's weights laid out for decoding once, when loaded
    /// (`LstmGates`).
    Attention(attention::AttentionDecoder, attention::LstmGates, MapLayer),
    /// Decoders of one vocabulary that write a caption together: each step's next-word
    /// distribution is the mean of theirs. Fed the finest map any member reads (`reduce_map`
    /// gives each member its own).
    Ensemble(Vec<CaptionModel>),
}

impl CaptionModel {
    pub fn attention(decoder: attention::AttentionDecoder, map: MapLayer) -> Self {
        let gates = decoder.lstm_gates();
        CaptionModel::Attention(decoder, gates, map)
    }

    /// The image features it is fed: its own, or for an ensemble the finest of its members'.
    pub fn features(&self) -> FeatureShape {
        match self {
            CaptionModel::Merge(_) => POOLED,
            CaptionModel::Attention(.., map) => map.shape(),
            CaptionModel::Ensemble(members) => {
                members.iter().map(CaptionModel::features).max_by_key(|s| s.regions).expect("an ensemble has members")
            }
        }
    }

    pub fn architecture(&self) -> Architecture {
        match self {
            CaptionModel::Merge(_) => Architecture::Merge,
            CaptionModel::Attention(..) => Architecture::Attention,
            CaptionModel::Ensemble(_) => Architecture::Ensemble,
        }
    }
}

/// A [`CaptionModel`]'s state between words.
#[derive(Debug, Clone)]
// One per decoding, moved from word to word; its variants hold tensor handles, not their data.
#[allow(clippy::large_enum_variant)]
pub enum CaptionState {
    Merge(decoder::MergeState),
    Attention(attention::AttentionState),
    /// Each member's state, in the members' order.
    Ensemble(Vec<CaptionState>),
}

const MISMATCHED_STATE: &str = "a decoder is only given states it started";

/// Either decoder. Each reads its own features from a finer map (`reduce_map`), so that one map
/// serves all, as in an ensemble.
impl StepDecoder for CaptionModel {
    type State = CaptionState;

    fn start(&self, features: Tensor<3>) -> CaptionState {
        match self {
            CaptionModel::Merge(d) => CaptionState::Merge(d.start(reduce_map(features, POOLED.regions))),
            CaptionModel::Attention(d, gates, map) => {
                CaptionState::Attention(d.start_with(reduce_map(features, map.regions()), gates.clone()))
            }
            CaptionModel::Ensemble(members) => {
                CaptionState::Ensemble(members.iter().map(|m| m.start(features.clone())).collect())
            }
        }
    }

    fn step(&self, state: CaptionState, last_tokens: Tensor<2, Int>) -> (Tensor<2>, CaptionState) {
        match (self, state) {
            (CaptionModel::Merge(d), CaptionState::Merge(s)) => {
                let (logits, s) = StepDecoder::step(d, s, last_tokens);
                (logits, CaptionState::Merge(s))
            }
            (CaptionModel::Attention(d, ..), CaptionState::Attention(s)) => {
                let (logits, s) = StepDecoder::step(d, s, last_tokens);
                (logits, CaptionState::Attention(s))
            }
            (CaptionModel::Ensemble(members), CaptionState::Ensemble(states)) => {
                let (logits, states) = ensemble_step(members, states, last_tokens);
                (logits, CaptionState::Ensemble(states))
            }
            _ => unreachable!("{MISMATCHED_STATE}"),
        }
    }

    fn reorder(&self, state: CaptionState, rows: Tensor<1, Int>) -> CaptionState {
        match (self, state) {
            (CaptionModel::Merge(d), CaptionState::Merge(s)) => CaptionState::Merge(d.reorder(s, rows)),
            (CaptionModel::Attention(d, ..), CaptionState::Attention(s)) => CaptionState::Attention(d.reorder(s, rows)),
            (CaptionModel::Ensemble(members), CaptionState::Ensemble(states)) => {
                CaptionState::Ensemble(members.iter().zip(states).map(|(m, s)| m.reorder(s, rows.clone())).collect())
            }
            _ => unreachable!("{MISMATCHED_STATE}"),
        }
    }
}

/// One step of an ensemble: each member's step, and the mean of their distributions.
fn ensemble_step(
    members: &[CaptionModel],
    states: Vec<CaptionState>,
    last_tokens: Tensor<2, Int>,
) -> (Tensor<2>, Vec<CaptionState>) {
    let (logits, next_states): (Vec<_>, Vec<_>) =
        members.iter().zip(states).map(|(member, state)| member.step(state, last_tokens.clone())).unzip();
    (mean_distribution(logits), next_states)
}

/// The log of the mean of next-word distributions given as logits `[n, vocab]`. The result is a
/// log-softmax itself, so a decoding reads it as logits unchanged.
fn mean_distribution(logits: Vec<Tensor<2>>) -> Tensor<2> {
    let count = logits.len();
    let sum = logits
        .into_iter()
        .map(|l| burn::tensor::activation::softmax(l, 1))
        .reduce(|sum, probs| sum + probs)
        .expect("at least one distribution");
    (sum / count as f32).log()
}

/// A decoder fed several views of each photo (`[n, views x regions, dim]`: the first view's
/// regions, then the next's; e.g. as taken and mirrored, `extract::View`), whose next-word
/// distribution is the mean of its own over the views: test-time augmentation.
#[derive(Debug, Clone)]
pub struct Views<D> {
    pub decoder: D,
    pub views: usize,
}

impl<D: StepDecoder> StepDecoder for Views<D> {
    type State = Vec<D::State>;

    fn start(&self, features: Tensor<3>) -> Self::State {
        let [_, regions, _] = features.dims();
        assert_eq!(regions % self.views, 0, "every view has as many regions");
        let each = regions / self.views;
        (0..self.views).map(|v| self.decoder.start(features.clone().narrow(1, v * each, each))).collect()
    }

    fn step(&self, states: Self::State, last_tokens: Tensor<2, Int>) -> (Tensor<2>, Self::State) {
        let (logits, states): (Vec<_>, Vec<_>) =
            states.into_iter().map(|state| self.decoder.step(state, last_tokens.clone())).unzip();
        (mean_distribution(logits), states)
    }

    fn reorder(&self, states: Self::State, rows: Tensor<1, Int>) -> Self::State {
        states.into_iter().map(|state| self.decoder.reorder(state, rows.clone())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decoding::StepDecoder;

    fn rows(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_into_vec::<f32>().unwrap()
    }

    fn members(device: &Device) -> Vec<CaptionModel> {
        let attention = |map| {
            let decoder = attention::AttentionDecoderConfig::new(7)
                .with_feature_size(4)
                .with_embedding_size(6)
                .with_hidden_size(8)
                .with_attention_size(5)
                .init(device);
            CaptionModel::attention(decoder, map)
        };
        vec![
            CaptionModel::Merge(decoder::DecoderConfig::new(7).with_feature_size(4).with_hidden_size(8).init(device)),
            attention(MapLayer::Block5Pool),
            attention(MapLayer::Block5Conv3),
        ]
    }

    fn fine_map(photos: usize, device: &Device) -> Tensor<3> {
        let regions = MapLayer::Block5Conv3.regions();
        Tensor::<3>::random([photos, regions, 4], burn::tensor::Distribution::Uniform(0.0, 1.0), device)
    }

    /// The 14x14 map's 2x2 maxima, by hand, are the 7x7 map; the pooled vector is their mean.
    #[test]
    fn a_finer_map_reduces_to_the_coarser_one_by_its_maxima() {
        let device = Device::default();
        let map = fine_map(2, &device);
        let values = map.clone().into_data().try_into_vec::<f32>().unwrap();
        let at = |photo: usize, row: usize, column: usize, channel: usize| {
            values[((photo * 14 + row) * 14 + column) * 4 + channel]
        };
        let mut want = Vec::new();
        for photo in 0..2 {
            for (row, column) in (0..7).flat_map(|r| (0..7).map(move |c| (r, c))) {
                for channel in 0..4 {
                    let corners = [(0, 0), (0, 1), (1, 0), (1, 1)]
                        .map(|(dy, dx)| at(photo, 2 * row + dy, 2 * column + dx, channel));
                    want.push(corners.into_iter().fold(f32::MIN, f32::max));
                }
            }
        }
        let coarse = reduce_map(map.clone(), 49);
        assert_eq!(coarse.dims(), [2, 49, 4]);
        assert_eq!(coarse.clone().into_data().try_into_vec::<f32>().unwrap(), want);
        let pooled = reduce_map(map, 1).into_data().try_into_vec::<f32>().unwrap();
        let mean = coarse.mean_dim(1).into_data().try_into_vec::<f32>().unwrap();
        assert_eq!(pooled, mean);
    }

    /// Two steps of an ensemble of a merge decoder and attention decoders on either map, fed the
    /// 14x14 map, against each member stepped alone on its own features, including a reorder.
    #[test]
    fn an_ensemble_steps_with_the_mean_of_its_members_probabilities() {
        let device = Device::default();
        let map = fine_map(2, &device);
        let ensemble = CaptionModel::Ensemble(members(&device));
        assert_eq!(ensemble.features(), MapLayer::Block5Conv3.shape(), "the finest of its members'");
        let CaptionModel::Ensemble(members) = &ensemble else { unreachable!() };
        let tokens = |ids: [i64; 2]| Tensor::<2, Int>::from_data(TensorData::new(ids.to_vec(), [2, 1]), &device);
        let swap = Tensor::<1, Int>::from_data(TensorData::new(vec![1i64, 0], [2]), &device);

        let (_, state) = ensemble.step(ensemble.start(map.clone()), tokens([1, 1]));
        let (together, _) = ensemble.step(ensemble.reorder(state, swap.clone()), tokens([4, 5]));

        let mut mean = vec![0.0f32; 2 * 7];
        for member in members {
            let own = reduce_map(map.clone(), member.features().regions);
            let (_, state) = member.step(member.start(own), tokens([1, 1]));
            let (logits, _) = member.step(member.reorder(state, swap.clone()), tokens([4, 5]));
            for (m, p) in mean.iter_mut().zip(rows(burn::tensor::activation::softmax(logits, 1))) {
                *m += p / members.len() as f32;
            }
        }
        for (got, want) in rows(together.exp()).iter().zip(&mean) {
            assert!((got - want).abs() < 1e-5, "{got} != {want}");
        }
    }

    /// A decoder fed two views of each photo steps with the mean of its distributions over them,
    /// each view decoded on its own, including a reorder; one view twice is the decoder itself.
    #[test]
    fn views_step_with_the_mean_of_the_decoders_probabilities_over_them() {
        let device = Device::default();
        let decoder = CaptionModel::Ensemble(members(&device));
        let views = Views { decoder: decoder.clone(), views: 2 };
        let (taken, mirrored) = (fine_map(2, &device), fine_map(2, &device));
        let tokens = |ids: [i64; 2]| Tensor::<2, Int>::from_data(TensorData::new(ids.to_vec(), [2, 1]), &device);
        let swap = Tensor::<1, Int>::from_data(TensorData::new(vec![1i64, 0], [2]), &device);
        let two_steps = |d: &dyn Fn(Tensor<3>) -> Tensor<2>, features: Tensor<3>| rows(d(features));
        let alone = |features: Tensor<3>| {
            let (_, state) = decoder.step(decoder.start(features), tokens([1, 1]));
            decoder.step(decoder.reorder(state, swap.clone()), tokens([4, 5])).0
        };
        let together = |features: Tensor<3>| {
            let (_, state) = views.step(views.start(features), tokens([1, 1]));
            views.step(views.reorder(state, swap.clone()), tokens([4, 5])).0
        };

        let both = two_steps(&together, Tensor::cat(vec![taken.clone(), mirrored.clone()], 1));
        let (a, b) = (two_steps(&alone, taken.clone()), two_steps(&alone, mirrored));
        assert_ne!(a, b, "the views differ");
        for ((got, a), b) in both.iter().zip(&a).zip(&b) {
            let want = ((a.exp() + b.exp()) / 2.0).ln();
            assert!((got - want).abs() < 1e-4, "{got} != {want}");
        }
        let same = two_steps(&together, Tensor::cat(vec![taken.clone(), taken], 1));
        for (got, want) in same.iter().zip(&a) {
            assert!((got - want).abs() < 1e-4, "{got} != {want}");
        }
    }
}
