//! The networks: the VGG16 image encoder.

pub mod decoder;
pub mod encoder;

pub use encoder::{Vgg16, VGG16_BLOCKS};
