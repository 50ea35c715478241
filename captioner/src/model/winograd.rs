//! 3x3 convolutions (stride 1, padding 1) by Winograd's minimal filtering (Lavin & Gray 2016):
//! F(m x m, 3x3) turns each (m+2)x(m+2) input tile and each filter into (m+2)² values whose
//! products, summed over the input channels, give m x m outputs. The sums over channels are
//! (m+2)² matrix products, one per tile position, so a convolution costs (m+2)²/m² multiply-adds
//! per output and input channel instead of 9: 4 for m = 2, 2.25 for m = 4.
//!
//! On channels-last maps (`PaddedMaps`) each tile transform is the same few sums for every
//! channel, so it runs over whole pixel vectors. The filters are transformed once, when the layer
//! is made.

use gemm::{gemm, Parallelism};
use rayon::prelude::*;

use super::cpu_conv::{Buffers, PaddedMaps};
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

/// Runs `f` compiled for the CPU's widest vectors (AVX2 or AVX-512 where it has them, chosen at
/// run time): the transforms' loops over the channels vectorise to them. `f` must be inlined.
#[inline(always)]
fn vectorised<R>(f: impl FnOnce() -> R) -> R {
    pulp::Arch::new().dispatch(f)
}

/// `P · X · Pᵀ` for a `side x side` grid `X` of vectors of `channels` values (`[side][side][channels]`,
/// row-major) and a `rows x side` matrix `P`: a Winograd tile transform, for every channel at once.
/// `half` holds `P · X` (`[rows][side][channels]`); `out` gets `[rows][rows][channels]`.
#[inline(always)]
fn transform(p: &[f32], rows: usize, side: usize, x: &[f32], half: &mut [f32], out: &mut [f32], channels: usize) {
    // where vector `at` of a grid lies
    let vector = |at: usize| at * channels..(at + 1) * channels;
    for i in 0..rows {
        for l in 0..side {
            let row = &p[i * side..(i + 1) * side];
            weighted_sum(&mut half[vector(i * side + l)], row, |k| &x[vector(k * side + l)]);
        }
    }
    for i in 0..rows {
        for j in 0..rows {
            let row = &p[j * side..(j + 1) * side];
            weighted_sum(&mut out[vector(i * rows + j)], row, |l| &half[vector(i * side + l)]);
        }
    }
}

/// `sum = Σ weights[k] · vector(k)`, skipping the zero weights (about half of Winograd's).
#[inline(always)]
fn weighted_sum<'a>(sum: &mut [f32], weights: &[f32], vector: impl Fn(usize) -> &'a [f32]) {
    sum.fill(0.0);
    for (k, &weight) in weights.iter().enumerate().filter(|(_, weight)| **weight != 0.0) {
        sum.iter_mut().zip(vector(k)).for_each(|(s, v)| *s += weight * v);
    }
}

/// A 3x3 convolution with stride 1 and padding 1, and its ReLU (all of VGG16's), computed by
/// Winograd's F(m x m, 3x3) on channels-last maps.
#[derive(Debug, Clone)]
pub struct WinogradConv {
    tile: WinogradTile,
    channels_in: usize,
    channels_out: usize,
    /// The transformed filters, `[a², channels in, channels out]`: one matrix per tile position.
    filters: Vec<f32>,
    bias: Vec<f32>,
    /// `Bᵀ` (`a x a`) and `Aᵀ` (`m x a`)
    input_transform: Vec<f32>,
    output_transform: Vec<f32>,
}

impl WinogradConv {
    /// From burn's `[channels out, channels in, 3, 3]` weights and `[channels out]` bias.
    pub fn new(weight: &[f32], bias: &[f32], channels_in: usize, channels_out: usize, tile: WinogradTile) -> Self {
        assert_eq!(weight.len(), channels_out * channels_in * 9, "3x3 filters");
        assert_eq!(bias.len(), channels_out, "one bias per output channel");
        let (b_t, g, a_t) = tile.matrices();
        let a = tile.inputs();
        let positions = a * a;
        let mut filters = vec![0.0; positions * channels_in * channels_out];
        let (mut half, mut out) = (vec![0.0; a * 3], vec![0.0; positions]);
        for (output, filter) in weight.chunks_exact(channels_in * 9).enumerate() {
            for (input, taps) in filter.chunks_exact(9).enumerate() {
                transform(&g, a, 3, taps, &mut half, &mut out, 1);
                for (position, &value) in out.iter().enumerate() {
                    filters[(position * channels_in + input) * channels_out + output] = value;
                }
            }
        }
        Self {
            tile,
            channels_in,
            channels_out,
            filters,
            bias: bias.to_vec(),
            input_transform: b_t,
            output_transform: a_t,
        }
    }

    /// ReLU(convolution + bias) of each map.
    pub fn forward_relu(&self, input: &PaddedMaps, buffers: &Buffers) -> PaddedMaps {
        let (channels_in, channels_out) = (self.channels_in, self.channels_out);
        assert_eq!(input.channels(), channels_in, "input channels");
        let (a, m) = (self.tile.inputs(), self.tile.outputs());
        let positions = a * a;
        let [batch, height, width] = [input.batch(), input.height(), input.width()];
        let (rows, cols) = (height.div_ceil(m), width.div_ceil(m));
        let tiles = batch * rows * cols;
        let tile_at = |t: usize| (t / (rows * cols), (t / cols) % rows, t % cols);

        // Each tile's input transform, `[tiles][a²][channels in]`. Tile (r, c) covers the padded
        // map's pixels from (r·m, c·m): its top-left is the border for the first tiles.
        let mut transformed = buffers.take(tiles * positions * channels_in);
        transformed.par_chunks_mut(positions * channels_in).enumerate().for_each_init(
            || vec![0.0; 2 * positions * channels_in],
            |scratch, (t, out)| {
                let (index, r, c) = tile_at(t);
                let (x, half) = scratch.split_at_mut(positions * channels_in);
                for (at, pixel) in x.chunks_exact_mut(channels_in).enumerate() {
                    // beyond the bottom or right border when the side is not whole tiles: zero
                    match input.padded_pixel(index, r * m + at / a, c * m + at % a) {
                        Some(values) => pixel.copy_from_slice(values),
                        None => pixel.fill(0.0),
                    }
                }
                vectorised(|| transform(&self.input_transform, a, a, x, half, out, channels_in));
            },
        );

        // One matrix product per tile position: `[tiles, channels in] x [channels in, channels out]`.
        let mut products = buffers.take(tiles * positions * channels_out);
        // The positions' products in parallel, each on one thread: they write disjoint values.
        struct Products(*mut f32);
        // SAFETY: each position writes only its own columns of the rows (below).
        unsafe impl Sync for Products {}
        let out = Products(products.as_mut_ptr());
        (0..positions).into_par_iter().for_each(|position| {
            let out = &out;
            // SAFETY: row `t` of position `position` is at `t · a² · channels + position · channels`
            // for `channels` values, inside `tiles · a² · channels`, for both `transformed` and
            // `products`; the filters hold `a²` matrices of `channels in · channels out`.
            unsafe {
                gemm(
                    tiles,
                    channels_out,
                    channels_in,
                    out.0.add(position * channels_out),
                    1,
                    (positions * channels_out) as isize,
                    false,
                    transformed.as_ptr().add(position * channels_in),
                    1,
                    (positions * channels_in) as isize,
                    self.filters.as_ptr().add(position * channels_in * channels_out),
                    1,
                    channels_out as isize,
                    0.0,
                    1.0,
                    false,
                    false,
                    false,
                    Parallelism::None,
                );
            }
        });
        buffers.give(transformed);

        // Each tile's output transform, with the bias and the ReLU, straight into its m rows of
        // the output maps.
        let row_values = (width + 2) * channels_out;
        let out = input.map_row_bands_to(buffers, channels_out, m, |index, first_row, lines| {
            let (mut half, mut tile_out) = (vec![0.0; m * a * channels_out], vec![0.0; m * m * channels_out]);
            for c in 0..cols {
                let t = (index * rows + first_row / m) * cols + c;
                let tile = &products[t * positions * channels_out..(t + 1) * positions * channels_out];
                vectorised(|| transform(&self.output_transform, m, a, tile, &mut half, &mut tile_out, channels_out));
                for (at, sums) in tile_out.chunks_exact(channels_out).enumerate() {
                    let (row, column) = (at / m, c * m + at % m);
                    if first_row + row >= height || column >= width {
                        continue;
                    }
                    let start = row * row_values + (column + 1) * channels_out;
                    let pixel = &mut lines[start..start + channels_out];
                    for ((value, &sum), &bias) in pixel.iter_mut().zip(sums).zip(&self.bias) {
                        *value = (sum + bias).max(0.0);
                    }
                }
            }
        });
        buffers.give(products);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_tile_by_hand() {
        // One channel, a 2x2 photo, a filter of ones: every output is the sum of its 3x3
        // neighbourhood (zero outside), 1+2+3+4 = 10 everywhere; the bias -4 makes it 6.
        let maps = PaddedMaps::from_nchw(&[1.0, 2.0, 3.0, 4.0], [1, 1, 2, 2]);
        for tile in [WinogradTile::Two, WinogradTile::Four] {
            let out = WinogradConv::new(&[1.0; 9], &[-4.0], 1, 1, tile).forward_relu(&maps, &Buffers::default());
            let (dims, values) = out.to_nchw();
            assert_eq!(dims, [1, 1, 2, 2]);
            assert!(values.iter().all(|v| (v - 6.0).abs() < 1e-5), "{tile:?}: {values:?}");
        }
    }
}
