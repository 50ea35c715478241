//! 3x3 convolutions (stride 1, padding 1) by Winograd's minimal filtering (Lavin & Gray 2016),
//! in burn's tensor operations: F(m x m, 3x3) turns each (m+2)x(m+2) input tile and each filter
//! into (m+2)² values whose products, summed over the input channels, give m x m outputs. The
//! sums over channels are (m+2)² matrix products, one per tile position, so a convolution costs
//! (m+2)²/m² multiply-adds per output and input channel instead of 9: 4 for m = 2, 2.25 for m = 4.
//! The filters are transformed once, when the layer is made.

use burn::{nn::conv::Conv2d, prelude::*, tensor::ops::PadMode};

/// The output tile's side: F(2x2, 3x3) or F(4x4, 3x3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WinogradTile {
    Two,
    Four,
}

impl WinogradTile {
    /// Outputs per tile side.
    pub fn outputs(self) -> usize {
        match self {
            WinogradTile::Two => 2,
            WinogradTile::Four => 4,
        }
    }

    /// Inputs per tile side: the outputs and the filter's two extra rows.
    fn inputs(self) -> usize {
        self.outputs() + 2
    }

    /// `(Bᵀ, G, Aᵀ)`, row-major: input transform `a x a`, filter transform `a x 3`, output
    /// transform `m x a` (Lavin & Gray 2016, points 0, ±1 and, for m = 4, ±2).
    fn matrices(self) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        match self {
            WinogradTile::Two => (
                vec![1., 0., -1., 0., 0., 1., 1., 0., 0., -1., 1., 0., 0., 1., 0., -1.],
                vec![1., 0., 0., 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0., 0., 1.],
                vec![1., 1., 1., 0., 0., 1., -1., -1.],
            ),
            WinogradTile::Four => (
                vec![
                    4., 0., -5., 0., 1., 0., //
                    0., -4., -4., 1., 1., 0., //
                    0., 4., -4., -1., 1., 0., //
                    0., -2., -1., 2., 1., 0., //
                    0., 2., -1., -2., 1., 0., //
                    0., 4., 0., -5., 0., 1.,
                ],
                vec![
                    1. / 4.,
                    0.,
                    0., //
                    -1. / 6.,
                    -1. / 6.,
                    -1. / 6., //
                    -1. / 6.,
                    1. / 6.,
                    -1. / 6., //
                    1. / 24.,
                    1. / 12.,
                    1. / 6., //
                    1. / 24.,
                    -1. / 12.,
                    1. / 6., //
                    0.,
                    0.,
                    1.,
                ],
                vec![
                    1., 1., 1., 1., 1., 0., //
                    0., 1., -1., 2., -2., 0., //
                    0., 1., 1., 4., 4., 0., //
                    0., 1., -1., 8., -8., 1.,
                ],
            ),
        }
    }
}

/// `P ⊗ P` for a `rows x cols` matrix `P`: `[rows², cols²]`, which takes a `cols x cols` tile as
/// a column (row-major) to the column of `P · tile · Pᵀ`.
fn kron_self(p: &[f32], rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    let mut out = vec![0.0f32; rows * rows * cols * cols];
    for (i, j) in (0..rows).flat_map(|i| (0..rows).map(move |j| (i, j))) {
        for (k, l) in (0..cols).flat_map(|k| (0..cols).map(move |l| (k, l))) {
            // (P·X·Pᵀ)[i][j] = Σ_kl P[i][k] X[k][l] P[j][l]
            out[(i * rows + j) * cols * cols + k * cols + l] = p[i * cols + k] * p[j * cols + l];
        }
    }
    Tensor::from_data(TensorData::new(out, [rows * rows, cols * cols]), device)
}

/// A 3x3 convolution with stride 1 and padding 1 (all of VGG16's), computed by Winograd's
/// F(m x m, 3x3).
#[derive(Debug, Clone)]
pub struct WinogradConv {
    tile: WinogradTile,
    /// The transformed filters, `[a², channels out, channels in]`.
    filters: Tensor<3>,
    bias: Option<Tensor<1>>,
    /// `Bᵀ ⊗ Bᵀ`: `[a², a²]`
    input_transform: Tensor<2>,
    /// `Aᵀ ⊗ Aᵀ`: `[m², a²]`
    output_transform: Tensor<2>,
}

impl WinogradConv {
    /// From a 3x3 convolution with stride 1 and padding 1 (the caller's promise).
    pub fn new(conv: &Conv2d, tile: WinogradTile) -> Self {
        let weight = conv.weight.val();
        let device = weight.device();
        let [channels_out, channels_in, kh, kw] = weight.dims();
        assert_eq!((kh, kw), (3, 3), "Winograd F(m, 3x3) takes 3x3 filters");
        let (b_t, g, a_t) = tile.matrices();
        let (a, m) = (tile.inputs(), tile.outputs());
        let filters = weight
            .reshape([channels_out * channels_in, 9])
            .matmul(kron_self(&g, a, 3, &device).transpose())
            .reshape([channels_out, channels_in, a * a])
            .permute([2, 0, 1]);
        Self {
            tile,
            // laid out once, contiguous, for the per-position products
            filters: Tensor::from_data(filters.into_data(), &device),
            bias: conv.bias.as_ref().map(|b| b.val()),
            input_transform: kron_self(&b_t, a, a, &device),
            output_transform: kron_self(&a_t, m, a, &device),
        }
    }

    /// `[batch, channels in, H, W]` → `[batch, channels out, H, W]`. The tile position (a² of
    /// them) stays the leading dimension from the tiles to the products, so that only the tiles'
    /// gathering and the outputs' placing move values around.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [batch, channels_in, height, width] = x.dims();
        let (a, m) = (self.tile.inputs(), self.tile.outputs());
        let [_, channels_out, _] = self.filters.dims();
        let (rows, cols) = (height.div_ceil(m), width.div_ceil(m));
        let tiles = batch * rows * cols;
        // padding 1 all round, and below and right up to whole tiles
        let padded = x.pad((1, cols * m - width + 1, 1, rows * m - height + 1), PadMode::Constant(0.0));
        // [batch, channels, rows, cols, a (tile row), a (tile column)]
        let windows: Tensor<6> = padded.unfold::<5, _>(2, a, m).unfold(3, a, m);
        let gathered = windows.permute([4, 5, 1, 0, 2, 3]).reshape([a * a, channels_in * tiles]);
        let transformed = self.input_transform.clone().matmul(gathered).reshape([a * a, channels_in, tiles]);
        let products = self.filters.clone().matmul(transformed); // [a², channels out, tiles]
        let out = self
            .output_transform
            .clone()
            .matmul(products.reshape([a * a, channels_out * tiles])) // [m², channels out · tiles]
            .reshape([m, m, channels_out, batch, rows, cols])
            .permute([3, 2, 4, 0, 5, 1])
            .reshape([batch, channels_out, rows * m, cols * m]);
        let out = if rows * m != height || cols * m != width {
            out.slice([0..batch, 0..channels_out, 0..height, 0..width])
        } else {
            out
        };
        match &self.bias {
            Some(bias) => out + bias.clone().reshape([1, channels_out, 1, 1]),
            None => out,
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::nn::{conv::Conv2dConfig, PaddingConfig2d};

    use super::*;

    fn max_difference(a: Tensor<4>, b: Tensor<4>) -> f32 {
        (a - b).abs().max().into_scalar::<f32>()
    }

    #[test]
    fn winograd_gives_the_convolutions_outputs() {
        let device = Device::default();
        let conv = Conv2dConfig::new([5, 7], [3, 3]).with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1)).init(&device);
        // sides that are and are not whole tiles, two photos
        for [h, w] in [[8, 8], [6, 10], [7, 5]] {
            let x = Tensor::<4>::random([2, 5, h, w], burn::tensor::Distribution::Uniform(-1.0, 1.0), &device);
            let direct = conv.forward(x.clone());
            for tile in [WinogradTile::Two, WinogradTile::Four] {
                let fast = WinogradConv::new(&conv, tile).forward(x.clone());
                assert_eq!(fast.dims(), direct.dims());
                let diff = max_difference(fast, direct.clone());
                assert!(diff < 1e-4, "{tile:?} {h}x{w}: {diff}");
            }
        }
    }

    #[test]
    fn a_single_tile_by_hand() {
        // One channel, a 2x2 photo, a filter of ones: every output is the sum of its 3x3
        // neighbourhood (zero outside), 1+2+3+4 = 10 everywhere.
        let device = Device::default();
        let mut conv = Conv2dConfig::new([1, 1], [3, 3])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .with_bias(false)
            .init(&device);
        conv.weight = conv.weight.map(|w| w.ones_like());
        let x = Tensor::<4>::from_data(TensorData::new(vec![1.0f32, 2.0, 3.0, 4.0], [1, 1, 2, 2]), &device);
        let out = WinogradConv::new(&conv, WinogradTile::Two).forward(x);
        let values = out.into_data().try_into_vec::<f32>().unwrap();
        assert!(values.iter().all(|v| (v - 10.0).abs() < 1e-5), "{values:?}");
    }
}
