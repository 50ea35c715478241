//! The networks: the VGG16 image encoder and the two caption decoders, and which of them a
//! model folder holds.

pub mod attention;
pub mod decoder;
pub mod encoder;
pub mod winograd;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

pub use encoder::{Vgg16, Vgg16Encoder, VGG16_BLOCKS};

use crate::{
    decoding::{beam_search, greedy_batch, Hypothesis},
    features::FeatureShape,
};

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
}

impl Architecture {
    /// The image features this decoder reads.
    pub fn features(self) -> FeatureShape {
        match self {
            Architecture::Merge => FeatureShape { regions: 1, dim: FEATURE_SIZE },
            Architecture::Attention => FeatureShape { regions: MAP_REGIONS, dim: FEATURE_SIZE },
        }
    }
}

/// A loaded decoder of either architecture.
#[derive(Debug, Clone)]
// One per loaded model, never moved around in bulk: boxing the larger decoder would gain nothing.
#[allow(clippy::large_enum_variant)]
pub enum CaptionModel {
    Merge(decoder::Decoder),
    Attention(attention::AttentionDecoder),
}

impl CaptionModel {
    pub fn architecture(&self) -> Architecture {
        match self {
            CaptionModel::Merge(_) => Architecture::Merge,
            CaptionModel::Attention(_) => Architecture::Attention,
        }
    }

    /// See [`beam_search`].
    pub fn beam_search(&self, features: Tensor<3>, k: usize, n: usize, max_len: usize, alpha: f32) -> Vec<Hypothesis> {
        match self {
            CaptionModel::Merge(d) => beam_search(d, features, k, n, max_len, alpha),
            CaptionModel::Attention(d) => beam_search(d, features, k, n, max_len, alpha),
        }
    }

    /// See [`greedy_batch`].
    pub fn greedy_batch(&self, features: Tensor<3>, max_len: usize) -> Vec<Hypothesis> {
        match self {
            CaptionModel::Merge(d) => greedy_batch(d, features, max_len),
            CaptionModel::Attention(d) => greedy_batch(d, features, max_len),
        }
    }
}
