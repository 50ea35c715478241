//! The imported VGG16 weights as a burn record on disk (burnpack), so that the 65 MB ONNX file
//! is read once. The record is made by `captioner import-vgg16` and is not committed.

use std::path::{Path, PathBuf};

use burn::{
    prelude::*,
    store::{BurnpackStore, HalfPrecisionAdapter, ModuleSnapshot},
};

use crate::model::{Vgg16, Vgg16Encoder};

/// Where the record is unless told otherwise: `models/vgg16.bpk` under the working directory
/// (the workspace root when developing, the unpacked release bundle when deployed), resolved when
/// the program runs, never where it was built.
pub fn default_path() -> PathBuf {
    in_models_dir(Path::new(crate::inference::MODELS_DIR))
}

/// The record's place in a models folder.
pub fn in_models_dir(models: &Path) -> PathBuf {
    models.join("vgg16.bpk")
}

pub fn save(vgg: Vgg16, path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    vgg.save_file(path).map_err(|e| format!("cannot save {}: {e:?}", path.display()))
}

/// A copy in half precision (`…-f16.bpk`): half the size, for moving the weights to another
/// machine. `load` reads either.
pub fn save_half(vgg: Vgg16, path: &Path) -> Result<(), String> {
    let mut store = BurnpackStore::from_file(path).overwrite(true).with_to_adapter(HalfPrecisionAdapter::new());
    vgg.save_into(&mut store).map_err(|e| format!("cannot save {}: {e:?}", path.display()))
}

fn is_half(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().ends_with("-f16.bpk"))
}

/// The weights at `path`, ready to encode photos.
pub fn load_encoder(path: &Path, device: &Device) -> Result<Vgg16Encoder, String> {
    load(path, device).map(Vgg16Encoder::new)
}

pub fn load(path: &Path, device: &Device) -> Result<Vgg16, String> {
    if is_half(path) {
        let mut vgg = Vgg16::new(device);
        let mut store = BurnpackStore::from_file(path).with_from_adapter(HalfPrecisionAdapter::new());
        vgg.load_from(&mut store).map_err(|e| format!("cannot load {}: {e:?}", path.display()))?;
        return Ok(vgg);
    }
    if !path.exists() {
        return Err(format!(
            "no VGG16 record at {}: run scripts/setup.sh, or `captioner import-vgg16 FILE.onnx`",
            path.display()
        ));
    }
    Vgg16::new(device).try_load_file(path).map_err(|e| format!("cannot load {}: {e:?}", path.display()))
}
