//! The encoder against reference numbers that onnxruntime computed on the same ONNX file
//! (reference/vgg16_reference.py): same photo, same preprocessing, same 512 pooled values; and
//! the 14x14 map before the last pooling, which that pooling turns into the 7x7 one.

use burn::prelude::*;
use captioner::{
    backend::Backend,
    encoder_record,
    model::{reduce_map, MapLayer, Vgg16Encoder},
    preprocess,
};

#[derive(serde::Deserialize)]
struct Reference {
    map_sum: f64,
    map_channel0: Vec<f32>,
    pooled: Vec<f32>,
}

fn reference() -> Reference {
    let json =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/vgg16_reference.json")).unwrap();
    serde_json::from_str(&json).unwrap()
}

fn input(device: &Device) -> Tensor<4> {
    let photo = image::open(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/reference.png")).unwrap();
    Tensor::<4>::from_data(TensorData::new(preprocess::to_encoder_input(&photo), [1, 3, 224, 224]), device)
}

fn assert_close(found: &[f32], expected: &[f32], what: &str) {
    assert_eq!(found.len(), expected.len(), "{what}");
    for (i, (f, e)) in found.iter().zip(expected).enumerate() {
        assert!((f - e).abs() <= 1e-3 + 1e-3 * e.abs(), "{what}[{i}]: {f} vs onnxruntime {e}");
    }
}

fn assert_matches_reference(vgg: &Vgg16Encoder, device: &Device, path: &str, reference: &Reference) {
    let map = vgg.feature_map(input(device));
    assert_eq!(map.dims(), [1, 512, 7, 7]);
    let sum: f32 = map.clone().sum().into_scalar::<f32>();
    assert!((f64::from(sum) - reference.map_sum).abs() / reference.map_sum < 1e-4, "{path}: map sum {sum}");
    let channel0: Vec<f32> = map.clone().slice(s![0..1, 0..1, .., ..]).into_data().try_into_vec::<f32>().unwrap();
    assert_close(&channel0, &reference.map_channel0, &format!("{path} channel 0"));
    let pooled: Vec<f32> = vgg.forward(input(device)).into_data().try_into_vec::<f32>().unwrap();
    assert_close(&pooled, &reference.pooled, &format!("{path} pooled"));
    // the 14x14 map before the last pooling, whose 2x2 maxima are the map above
    let fine = vgg.feature_map_at(input(device), MapLayer::Block5Conv3);
    assert_eq!(fine.dims(), [1, 512, 14, 14]);
    let regions = |map: Tensor<4>| {
        let [n, channels, h, w] = map.dims();
        map.reshape([n, channels, h * w]).swap_dims(1, 2)
    };
    let maxima = reduce_map(regions(fine), MapLayer::Block5Pool.regions()).into_data().try_into_vec::<f32>().unwrap();
    assert_eq!(maxima, regions(map).into_data().try_into_vec::<f32>().unwrap(), "{path}: 14x14 map pooled");
}

/// Every path that ships: the CPU encoder on each CPU backend, and burn's own convolutions (a
/// GPU's path) on the default one.
#[test]
fn vgg16_matches_onnxruntime_on_every_path() {
    let reference = reference();
    let path = encoder_record::in_models_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../models").as_ref());
    for backend in Backend::ALL {
        let device = backend.device();
        let vgg = encoder_record::load_encoder(&path, &device).unwrap_or_else(|e| panic!("{e}"));
        assert_matches_reference(&vgg, &device, &format!("{backend}"), &reference);
    }
    let device = Backend::default().device();
    let vgg =
        Vgg16Encoder::with_burn_convolutions(encoder_record::load(&path, &device).unwrap_or_else(|e| panic!("{e}")));
    assert_matches_reference(&vgg, &device, "burn's conv2d", &reference);
}
