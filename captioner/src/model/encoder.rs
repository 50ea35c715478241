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

use super::winograd::{WinogradConv, WinogradTile};

/// (convolutions in the block, their output channels), for the five blocks.
pub const VGG16_BLOCKS: [(usize, usize); 5] = [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)];

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

/// Winograd's F(4x4, 3x3) pays from block 3 on (maps of 56x56 and smaller for a 224x224 photo):
/// about 1.7x faster per layer there. On the large maps of blocks 1 and 2 its tile transforms
/// cost more than the multiplications they save (`captioner bench --layers` times both).
const FIRST_WINOGRAD_BLOCK: usize = 2;

/// One convolution as it runs in the encoder.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // thirteen of them, made once per loaded model
enum EncoderConv {
    Direct(Conv2d),
    Winograd(WinogradConv),
}

/// VGG16 ready to encode photos: each convolution in the form that runs fastest on the CPU,
/// with Winograd's filters transformed once, here. It holds about 150 MB more than the plain
/// weights (36 transformed values for each filter's 9, in blocks 3 to 5).
#[derive(Debug)]
pub struct Vgg16Encoder {
    convs: Vec<EncoderConv>,
    pool: MaxPool2d,
}

impl Vgg16Encoder {
    pub fn new(vgg: Vgg16) -> Self {
        let first_winograd = VGG16_BLOCKS[..FIRST_WINOGRAD_BLOCK].iter().map(|(count, _)| count).sum::<usize>();
        let convs = vgg
            .convs
            .into_iter()
            .enumerate()
            .map(|(i, conv)| {
                if i >= first_winograd {
                    EncoderConv::Winograd(WinogradConv::new(&conv, WinogradTile::Four))
                } else {
                    EncoderConv::Direct(conv)
                }
            })
            .collect();
        Self { convs, pool: vgg.pool }
    }

    /// `[batch, 3, H, W]` preprocessed pixels → `[batch, 512, H/32, W/32]` (block5_pool).
    pub fn feature_map(&self, pixels: Tensor<4>) -> Tensor<4> {
        let mut x = pixels;
        let mut convs = self.convs.iter();
        for (count, _) in VGG16_BLOCKS {
            for conv in convs.by_ref().take(count) {
                x = relu(match conv {
                    EncoderConv::Direct(conv) => conv.forward(x),
                    EncoderConv::Winograd(conv) => conv.forward(x),
                });
            }
            x = self.pool.forward(x);
        }
        x
    }

    /// `[batch, 3, 224, 224]` → `[batch, 512]`: the feature map averaged over its 7x7 positions.
    pub fn forward(&self, pixels: Tensor<4>) -> Tensor<2> {
        self.feature_map(pixels).mean_dim(3).mean_dim(2).flatten::<2>(1, 3)
    }
}
