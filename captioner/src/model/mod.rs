//! The networks: the VGG16 image encoder and the two caption decoders, and which of them a
//! model folder holds.

pub mod attention;
pub mod cpu_conv;
pub mod decoder;
pub mod encoder;
pub mod winograd;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

pub use encoder::{Vgg16, Vgg16Encoder, VGG16_BLOCKS};

use crate::{decoding::StepDecoder, features::FeatureShape};

/// VGG16's channels: the length of the pooled vector and of each annotation vector.
pub const FEATURE_SIZE: usize = 512;
/// VGG16's last map is 7x7 for a 224x224 photo.
pub const MAP_REGIONS: usize = 49;

/// Which decoder a model folder's `config.json` names (`"architecture"`); folders from before
/// there was a choice hold the merge decoder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// `decoder::Decoder`, on the pooled 512 features.
    #[default]
    Merge,
    /// `attention::AttentionDecoder`, on the 7x7x512 map.
    Attention,
    /// No decoder of its own: the decoders of the folders its config names (`members`), which
    /// write each caption together ([`CaptionModel::Ensemble`]).
    Ensemble,
}

impl Architecture {
    /// The image features this decoder reads.
    pub fn features(self) -> FeatureShape {
        match self {
            Architecture::Merge => FeatureShape { regions: 1, dim: FEATURE_SIZE },
            // the merge members of an ensemble read the map's mean
            Architecture::Attention | Architecture::Ensemble => {
                FeatureShape { regions: MAP_REGIONS, dim: FEATURE_SIZE }
            }
        }
    }
}

/// A loaded decoder of either architecture, or several that write a caption together.
#[derive(Debug, Clone)]
// One per loaded model, never moved around in bulk: boxing the larger decoder would gain nothing.
#[allow(clippy::large_enum_variant)]
pub enum CaptionModel {
    Merge(decoder::Decoder),
    /// With its LSTM's weights laid out for decoding once, when loaded (`LstmGates`).
    Attention(attention::AttentionDecoder, attention::LstmGates),
    /// Decoders of one vocabulary that write a caption together: each step's next-word
    /// distribution is the mean of theirs. Fed the 7x7 map (its merge members read its mean).
    Ensemble(Vec<CaptionModel>),
}

impl CaptionModel {
    pub fn attention(decoder: attention::AttentionDecoder) -> Self {
        let gates = decoder.lstm_gates();
        CaptionModel::Attention(decoder, gates)
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

/// Either decoder. Given the 7x7 map, the merge decoder reads its mean, the pooled vector (see
/// `training::PooledMap`), so that one map serves both, as in an ensemble.
impl StepDecoder for CaptionModel {
    type State = CaptionState;

    fn start(&self, features: Tensor<3>) -> CaptionState {
        match self {
            CaptionModel::Merge(d) => {
                let pooled = if features.dims()[1] > 1 { features.mean_dim(1) } else { features };
                CaptionState::Merge(d.start(pooled))
            }
            CaptionModel::Attention(d, gates) => CaptionState::Attention(d.start_with(features, gates.clone())),
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
            (CaptionModel::Attention(d, _), CaptionState::Attention(s)) => {
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
            (CaptionModel::Attention(d, _), CaptionState::Attention(s)) => CaptionState::Attention(d.reorder(s, rows)),
            (CaptionModel::Ensemble(members), CaptionState::Ensemble(states)) => {
                CaptionState::Ensemble(members.iter().zip(states).map(|(m, s)| m.reorder(s, rows.clone())).collect())
            }
            _ => unreachable!("{MISMATCHED_STATE}"),
        }
    }
}

/// One step of an ensemble: the log of its members' mean probabilities. Those are their own
/// log-softmax, so a decoding reads them as logits unchanged.
fn ensemble_step(
    members: &[CaptionModel],
    states: Vec<CaptionState>,
    last_tokens: Tensor<2, Int>,
) -> (Tensor<2>, Vec<CaptionState>) {
    let mut next_states = Vec::with_capacity(members.len());
    let mut sum: Option<Tensor<2>> = None;
    for (member, state) in members.iter().zip(states) {
        let (logits, state) = member.step(state, last_tokens.clone());
        let probs = burn::tensor::activation::softmax(logits, 1);
        sum = Some(match sum {
            Some(sum) => sum + probs,
            None => probs,
        });
        next_states.push(state);
    }
    let mean = sum.expect("an ensemble has members") / members.len() as f32;
    (mean.log(), next_states)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decoding::StepDecoder;

    fn rows(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_into_vec::<f32>().unwrap()
    }

    fn members(device: &Device) -> Vec<CaptionModel> {
        vec![
            CaptionModel::Merge(decoder::DecoderConfig::new(7).with_feature_size(4).with_hidden_size(8).init(device)),
            CaptionModel::attention(
                attention::AttentionDecoderConfig::new(7)
                    .with_feature_size(4)
                    .with_embedding_size(6)
                    .with_hidden_size(8)
                    .with_attention_size(5)
                    .init(device),
            ),
        ]
    }

    /// Two steps of an ensemble of a merge and an attention decoder on a 3-region map against
    /// each member stepped alone (the merge one on the map's mean), including a reorder.
    #[test]
    fn an_ensemble_steps_with_the_mean_of_its_members_probabilities() {
        let device = Device::default();
        let map = Tensor::<3>::random([2, 3, 4], burn::tensor::Distribution::Uniform(0.0, 1.0), &device);
        let ensemble = CaptionModel::Ensemble(members(&device));
        assert_eq!(ensemble.architecture().features(), Architecture::Attention.features());
        let CaptionModel::Ensemble(members) = &ensemble else { unreachable!() };
        let tokens = |ids: [i64; 2]| Tensor::<2, Int>::from_data(TensorData::new(ids.to_vec(), [2, 1]), &device);
        let swap = Tensor::<1, Int>::from_data(TensorData::new(vec![1i64, 0], [2]), &device);

        let (_, state) = ensemble.step(ensemble.start(map.clone()), tokens([1, 1]));
        let (together, _) = ensemble.step(ensemble.reorder(state, swap.clone()), tokens([4, 5]));

        let mut mean = vec![0.0f32; 2 * 7];
        for member in members {
            let (_, state) = member.step(member.start(map.clone()), tokens([1, 1]));
            let (logits, _) = member.step(member.reorder(state, swap.clone()), tokens([4, 5]));
            for (m, p) in mean.iter_mut().zip(rows(burn::tensor::activation::softmax(logits, 1))) {
                *m += p / 2.0;
            }
        }
        for (got, want) in rows(together.exp()).iter().zip(&mean) {
            assert!((got - want).abs() < 1e-5, "{got} != {want}");
        }
        let pooled = map.clone().mean_dim(1);
        let merge = &members[0];
        let from_map = rows(merge.step(merge.start(map), tokens([1, 1])).0);
        let from_pooled = rows(merge.step(merge.start(pooled), tokens([1, 1])).0);
        assert_eq!(from_map, from_pooled, "the merge decoder reads a map's mean");
    }
}
