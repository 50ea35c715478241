//! Caption data sets: captions by image, and the official splits.

pub mod captions;

pub use captions::{parse_karpathy_json, parse_split_file, parse_token_file, CaptionSet, DataError, Splits};
