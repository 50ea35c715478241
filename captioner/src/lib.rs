//! The caption model crate. This part holds what does not depend on the network: caption data
//! (Flickr8k and Flickr30k formats), tokenisation, the vocabulary, and the BLEU and CIDEr-D
//! metrics as the coco-caption toolkit defines them.

pub mod data;
pub mod metrics;
pub mod text;
pub mod vocab;
