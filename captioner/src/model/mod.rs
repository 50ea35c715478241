//! The networks: the VGG16 image encoder.

pub mod encoder;

pub use encoder::{Vgg16, VGG16_BLOCKS};
