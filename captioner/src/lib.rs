//! The caption model crate: the VGG16 encoder in burn with its weight import from ONNX and its
//! preprocessing; caption data (Flickr8k and Flickr30k formats), tokenisation, the vocabulary,
//! and the BLEU and CIDEr-D metrics as the coco-caption toolkit defines them.

pub mod averaging;
pub mod backend;
pub mod bench;
pub mod data;
pub mod decoding;
pub mod encoder_record;
pub mod extract;
pub mod features;
pub mod import;
pub mod inference;
pub mod metrics;
pub mod model;
pub mod pipeline;
pub mod plot;
pub mod preprocess;
pub mod text;
pub mod training;
pub mod vocab;
