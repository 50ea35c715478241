//! VGG16's 13 convolution layers (Simonyan & Zisserman, 2015), the image encoder: a 224x224
//! photo in, the 512x7x7 map of block5_pool out, average-pooled to 512 values. `Vgg16` holds
//! the weights as imported and stored; `Vgg16Encoder` runs them.

use burn::{
    nn::{
        conv::{Conv2d, Conv2dConfig},
        pool::{MaxPool2d, MaxPool2dConfig},
        PaddingConfig2d,
    },
    prelude::*,
    tensor::activation::relu,
};

use super::{
    cpu_conv::{Buffers, Conv3x3, PaddedMaps},
    winograd::{WinogradConv, WinogradTile},
};
use crate::backend::is_cpu;

/// (convolutions in the block, their output channels), for the five blocks.
pub const VGG16_BLOCKS: [(usize, usize); 5] = [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)];

/// Which of VGG16's last two maps the attention decoder reads: block5_conv3's (14x14 for a
/// 224x224 photo, the paper's annotations) or block5_pool's after it (7x7).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MapLayer {
    Block5Conv3,
    #[default]
    Block5Pool,
}

impl MapLayer {
    /// The map's regions for a 224x224 photo.
    pub fn regions(self) -> usize {
        match self {
            MapLayer::Block5Conv3 => 196,
            MapLayer::Block5Pool => 49,
        }
    }

    /// The layer whose map has this many regions.
    pub fn with_regions(regions: usize) -> Option<Self> {
        [MapLayer::Block5Conv3, MapLayer::Block5Pool].into_iter().find(|layer| layer.regions() == regions)
    }
}

#[derive(Module, Debug)]
pub struct Vgg16 {
    /// The 13 convolutions in order (block1_conv1 … block5_conv3).
    pub convs: Vec<Conv2d>,
    pool: MaxPool2d,
}

impl Vgg16 {
    /// With random weights: `import` fills in the ImageNet ones.
    pub fn new(device: &Device) -> Self {
        let mut convs = Vec::with_capacity(13);
        let mut channels_in = 3;
        for (count, channels_out) in VGG16_BLOCKS {
            for _ in 0..count {
                convs.push(
                    Conv2dConfig::new([channels_in, channels_out], [3, 3])
                        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                        .init(device),
                );
                channels_in = channels_out;
            }
        }
        Self { convs, pool: MaxPool2dConfig::new([2, 2]).init() }
    }
}

/// How each of the 13 convolutions runs on the CPU, from `captioner bench --layers` (the table in
/// the README) and whole-encoder runs at batch 1 and 8: Winograd's transforms cost more than they
/// save on block 1's 64 channels; F(4x4) pays from block 2 to block 4; on block 5's 14x14 maps
/// F(2x2) is the fastest, F(4x4) slower (its 4x4 tiles do not divide 14).
const CPU_KINDS: [ConvKind; 13] = {
    use ConvKind::*;
    const F2: ConvKind = Winograd(WinogradTile::Two);
    const F4: ConvKind = Winograd(WinogradTile::Four);
    [Products, Products, F4, F4, F4, F4, F4, F4, F4, F4, F2, F2, F2]
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConvKind {
    Products,
    Winograd(WinogradTile),
}

/// One convolution and its ReLU, as it runs on the CPU.
#[derive(Debug)]
pub(crate) enum CpuConv {
    Products(Conv3x3),
    Winograd(WinogradConv),
}

impl CpuConv {
    pub(crate) fn new(conv: &Conv2d, kind: ConvKind) -> Self {
        let values = |t: Tensor<1>| t.into_data().try_into_vec::<f32>().expect("f32 weights");
        let [channels_out, channels_in, _, _] = conv.weight.dims();
        let weight = values(conv.weight.val().flatten(0, 3));
        let bias = conv.bias.as_ref().map_or(vec![0.0; channels_out], |b| values(b.val()));
        match kind {
            ConvKind::Products => CpuConv::Products(Conv3x3::new(&weight, &bias, channels_in, channels_out)),
            ConvKind::Winograd(tile) => {
                CpuConv::Winograd(WinogradConv::new(&weight, &bias, channels_in, channels_out, tile))
            }
        }
    }

    pub(crate) fn forward_relu(&self, maps: &PaddedMaps, buffers: &Buffers) -> PaddedMaps {
        match self {
            CpuConv::Products(conv) => conv.forward_relu(maps, buffers),
            CpuConv::Winograd(conv) => conv.forward_relu(maps, buffers),
        }
    }
}

/// VGG16 ready to encode photos. On the CPU (flex, ndarray) the maps stay channels last from the
/// first convolution to the last pooling, and the filters are laid out (or transformed, for
/// Winograd) once, here: about 120 MB against the plain weights' 59 MB, and the buffers kept for
/// the maps (about 60 MB for a photo at a time). Other devices (a GPU) run burn's own
/// convolutions.
#[derive(Debug)]
pub struct Vgg16Encoder(Convolutions);

#[derive(Debug)]
enum Convolutions {
    Cpu { convs: Vec<CpuConv>, buffers: Buffers },
    Burn(Vgg16),
}

impl Vgg16Encoder {
    /// The fastest path for the weights' device.
    pub fn new(vgg: Vgg16) -> Self {
        if is_cpu(&vgg.convs[0].weight.device()) {
            let convs = vgg.convs.iter().zip(CPU_KINDS).map(|(conv, kind)| CpuConv::new(conv, kind)).collect();
            Vgg16Encoder(Convolutions::Cpu { convs, buffers: Buffers::default() })
        } else {
            Self::with_burn_convolutions(vgg)
        }
    }

    /// burn's own convolutions, on any device: a GPU's path, which the reference test also runs
    /// on the CPU.
    pub fn with_burn_convolutions(vgg: Vgg16) -> Self {
        Vgg16Encoder(Convolutions::Burn(vgg))
    }

    /// `[batch, 3, H, W]` preprocessed pixels → `[batch, 512, H/32, W/32]` (block5_pool).
    pub fn feature_map(&self, pixels: Tensor<4>) -> Tensor<4> {
        self.feature_map_at(pixels, MapLayer::Block5Pool)
    }

    /// `[batch, 3, H, W]` preprocessed pixels → `[batch, 512, h, w]`: VGG16's map at `layer`.
    pub fn feature_map_at(&self, pixels: Tensor<4>, layer: MapLayer) -> Tensor<4> {
        // block 5's pooling is the last step; every other block always pools
        let pools = |block: usize| block + 1 < VGG16_BLOCKS.len() || layer == MapLayer::Block5Pool;
        match &self.0 {
            Convolutions::Cpu { convs, buffers } => {
                let (device, dims) = (pixels.device(), pixels.dims());
                let mut maps =
                    PaddedMaps::from_nchw(&pixels.into_data().try_into_vec::<f32>().expect("f32 pixels"), dims);
                let mut convs = convs.iter();
                for (block, (count, _)) in VGG16_BLOCKS.into_iter().enumerate() {
                    for conv in convs.by_ref().take(count) {
                        let out = conv.forward_relu(&maps, buffers);
                        buffers.give_maps(std::mem::replace(&mut maps, out));
                    }
                    if pools(block) {
                        let pooled = maps.max_pool(buffers);
                        buffers.give_maps(std::mem::replace(&mut maps, pooled));
                    }
                }
                let (dims, values) = maps.to_nchw();
                buffers.give_maps(maps);
                Tensor::from_data(TensorData::new(values, dims), &device)
            }
            Convolutions::Burn(vgg) => {
                let mut x = pixels;
                let mut convs = vgg.convs.iter();
                for (block, (count, _)) in VGG16_BLOCKS.into_iter().enumerate() {
                    for conv in convs.by_ref().take(count) {
                        x = relu(conv.forward(x));
                    }
                    if pools(block) {
                        x = vgg.pool.forward(x);
                    }
                }
                x
            }
        }
    }

    /// `[batch, 3, 224, 224]` → `[batch, 512]`: the feature map averaged over its 7x7 positions.
    pub fn forward(&self, pixels: Tensor<4>) -> Tensor<2> {
        self.feature_map(pixels).mean_dim(3).mean_dim(2).flatten::<2>(1, 3)
    }
}

#[cfg(test)]
mod tests {
    use burn::nn::conv::Conv2dConfig;

    use super::*;

    fn values(tensor: Tensor<4>) -> Vec<f32> {
        tensor.into_data().try_into_vec::<f32>().unwrap()
    }

    #[test]
    fn each_kind_of_convolution_and_the_pooling_give_burns_outputs() {
        let device = Device::default();
        let pool = MaxPool2dConfig::new([2, 2]).init();
        // several maps; sides whole tiles and not, even and odd, wide and tall; more channels out
        // than in and fewer
        for ([batch, channels_in, height, width], channels_out) in
            [([2, 5, 8, 8], 7), ([3, 4, 6, 9], 3), ([1, 8, 7, 5], 16), ([1, 3, 3, 4], 2)]
        {
            let conv = Conv2dConfig::new([channels_in, channels_out], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(&device);
            let x = Tensor::<4>::random(
                [batch, channels_in, height, width],
                burn::tensor::Distribution::Uniform(-1.0, 1.0),
                &device,
            );
            let maps = PaddedMaps::from_nchw(&values(x.clone()), x.dims());
            let expected = relu(conv.forward(x));
            for kind in
                [ConvKind::Products, ConvKind::Winograd(WinogradTile::Two), ConvKind::Winograd(WinogradTile::Four)]
            {
                let buffers = Buffers::default();
                let out = CpuConv::new(&conv, kind).forward_relu(&maps, &buffers);
                let (dims, found) = out.to_nchw();
                assert_eq!(dims, expected.dims());
                for (f, e) in found.iter().zip(values(expected.clone())) {
                    assert!((f - e).abs() < 1e-5, "{kind:?} {dims:?}: {f} vs burn {e}");
                }
                // the pooling of these same values, exactly
                let (pooled_dims, pooled) = out.max_pool(&buffers).to_nchw();
                let expected_pooled = pool.forward(Tensor::from_data(TensorData::new(found, dims), &device));
                assert_eq!(pooled_dims, expected_pooled.dims());
                assert_eq!(pooled, values(expected_pooled), "{kind:?} {dims:?} pooled");
            }
        }
    }
}
