//! `captioner extract`: VGG16 features of every photo (pooled, or the 7x7 or 14x14 map), written to the
//! feature cache batch by batch, with a progress bar.

use std::path::Path;

use burn::prelude::*;
use indicatif::{ProgressBar, ProgressStyle};

use crate::{
    features::{FeatureCache, FeatureShape},
    model::{MapLayer, Vgg16Encoder},
    preprocess,
};

/// Which view of each photo VGG16 sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    AsTaken,
    /// Mirrored left to right: a photo as plausible as the original (captions rarely say which
    /// side a thing is on), so a second view of it for training and for decoding.
    Mirrored,
}

impl View {
    pub fn of(self, photo: image::DynamicImage) -> image::DynamicImage {
        match self {
            View::AsTaken => photo,
            View::Mirrored => photo.fliph(),
        }
    }
}

/// Where `extract` writes features of this shape and view unless told otherwise.
pub fn default_cache_path(shape: FeatureShape, view: View) -> std::path::PathBuf {
    let kind = match MapLayer::with_regions(shape.regions) {
        None => "pooled",
        Some(MapLayer::Block5Pool) => "map",
        Some(MapLayer::Block5Conv3) => "map14",
    };
    let view = match view {
        View::AsTaken => "",
        View::Mirrored => "-mirrored",
    };
    Path::new(".cache/features").join(format!("flickr8k-vgg16-{kind}{view}.f16.bin"))
}

/// The photo file names in a folder, sorted.
pub fn photo_names(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            let lower = n.to_ascii_lowercase();
            lower.ends_with(".jpg") || lower.ends_with(".jpeg") || lower.ends_with(".png")
        })
        .collect();
    names.sort();
    Ok(names)
}

/// Encodes a batch of photos: one `Vec` per photo of `shape`: the pooled 512 values (1 region),
/// or a map (7x7 or 14x14, `MapLayer`) as regions of 512 values, region after region (row-major).
pub fn encode_photos(
    vgg: &Vgg16Encoder,
    device: &Device,
    photos: &[image::DynamicImage],
    shape: FeatureShape,
) -> Vec<Vec<f32>> {
    if photos.is_empty() {
        return Vec::new();
    }
    let mut pixels = Vec::with_capacity(photos.len() * 3 * 224 * 224);
    for photo in photos {
        pixels.extend(preprocess::to_encoder_input(photo));
    }
    let input = Tensor::<4>::from_data(TensorData::new(pixels, [photos.len(), 3, 224, 224]), device);
    let features = if let Some(layer) = MapLayer::with_regions(shape.regions) {
        let map = vgg.feature_map_at(input, layer);
        let [n, channels, h, w] = map.dims();
        assert_eq!((h * w, channels), (shape.regions, shape.dim), "the map's shape");
        map.reshape([n, channels, h * w]).swap_dims(1, 2).reshape([n, h * w * channels])
    } else {
        vgg.forward(input)
    };
    let features: Vec<f32> = features.into_data().try_into_vec::<f32>().expect("float features");
    features.chunks(shape.len()).map(<[f32]>::to_vec).collect()
}

/// Opens a photo by its content, whatever its name says (a WebP copy of a photo can keep the
/// name its captions use).
pub fn open_photo(path: &Path) -> image::ImageResult<image::DynamicImage> {
    image::ImageReader::open(path)?.with_guessed_format()?.decode()
}

/// Computes the features of the photos the cache does not have yet. Returns how many were computed.
pub fn extract(
    vgg: &Vgg16Encoder,
    device: &Device,
    images_dir: &Path,
    names: &[String],
    cache: &mut FeatureCache,
    batch_size: usize,
    view: View,
) -> Result<usize, String> {
    let todo: Vec<&String> = names.iter().filter(|n| !cache.contains(n)).collect();
    let bar = ProgressBar::new(names.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} photos, {per_sec}, {eta} left")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message("VGG16 features");
    bar.set_position((names.len() - todo.len()) as u64);
    for batch in todo.chunks(batch_size.max(1)) {
        let photos = batch
            .iter()
            .map(|name| open_photo(&images_dir.join(name)).map(|p| view.of(p)).map_err(|e| format!("{name}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let features = encode_photos(vgg, device, &photos, cache.shape());
        cache
            .append(batch.iter().map(|n| (*n).clone()).zip(features).collect())
            .map_err(|e| format!("cannot write the feature cache: {e}"))?;
        bar.inc(batch.len() as u64);
    }
    bar.finish();
    Ok(todo.len())
}
