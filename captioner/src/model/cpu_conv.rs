//! VGG16's 3x3 convolutions on the CPU as three matrix products each, without gathering patches.
//!
//! The maps are kept channels last (NHWC) with a border of zeros, from the first convolution to
//! the last pooling. In that layout the three pixels of a filter row, side by side, are one
//! contiguous run of `3 · channels` values, and the run for the next output pixel starts
//! `channels` values later. So, for each of the filter's three rows, the products of every output
//! pixel with that row are one matrix product whose left side is the padded map itself, read
//! with overlapping rows (`[pixels, 3 · channels]`, row stride `channels`): no copy, where burn's
//! `conv2d` first copies every 3x3 patch (im2col, nine times the map). The products run on `gemm`,
//! the crate that burn's CPU backend runs its own matrix products on, with its kernels for the
//! CPU's widest vectors chosen at run time.
//!
//! The products run over the padded grid, so they also compute values on the border pixels:
//! those are set back to zero afterwards, with the ReLU in the same pass.

use std::sync::Mutex;

use gemm::{gemm, Parallelism};
use rayon::prelude::*;

/// Buffers kept from one photo's maps to the next. A map of block 1 is 13 MB: allocated afresh
/// for each layer, its memory goes back to the system when freed and is faulted in again, page by
/// page, by the next layer, which cost about a tenth of the encoder's time. A photo's encoding
/// needs four at a time (a layer's input and output, Winograd's two tile buffers); a few more are
/// kept for encodings that run at the same time.
#[derive(Default)]
pub struct Buffers(Mutex<Vec<Vec<f32>>>);

/// Buffers kept at most.
const KEPT_BUFFERS: usize = 8;

impl Buffers {
    /// `len` values, unspecified: left from an earlier use, or zero.
    pub fn take(&self, len: usize) -> Vec<f32> {
        let kept = {
            let mut kept = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            // the smallest that holds `len`, or else the largest (grown below)
            let fits = (0..kept.len()).filter(|&i| kept[i].capacity() >= len).min_by_key(|&i| kept[i].capacity());
            let at = fits.or_else(|| (0..kept.len()).max_by_key(|&i| kept[i].capacity()));
            at.map(|at| kept.swap_remove(at))
        };
        let mut buffer = kept.unwrap_or_default();
        buffer.resize(len, 0.0); // writes only the values beyond the buffer's old length
        buffer
    }

    pub fn give(&self, buffer: Vec<f32>) {
        let mut kept = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if kept.len() < KEPT_BUFFERS {
            kept.push(buffer);
        }
    }

    pub fn give_maps(&self, maps: PaddedMaps) {
        self.give(maps.values);
    }
}

impl std::fmt::Debug for Buffers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kept = self.0.lock().map_or(0, |kept| kept.iter().map(Vec::capacity).sum::<usize>());
        write!(f, "Buffers({} MB)", kept * 4 / 1_000_000)
    }
}

/// A batch of feature maps, channels last, each with one pixel of zeros all round (the padding
/// of the next convolution), one map after the other, and two pixels of zeros after the last map
/// (the last output pixel's filter row reads two pixels past its own).
#[derive(Debug, Clone, PartialEq)]
pub struct PaddedMaps {
    batch: usize,
    height: usize,
    width: usize,
    channels: usize,
    values: Vec<f32>,
}

/// The zero pixels after the last map.
const TAIL_PIXELS: usize = 2;

impl PaddedMaps {
    fn zeros(batch: usize, height: usize, width: usize, channels: usize) -> Self {
        let values = vec![0.0; (batch * (height + 2) * (width + 2) + TAIL_PIXELS) * channels];
        Self { batch, height, width, channels, values }
    }

    /// Maps whose values are unspecified until set: each user sets every inner pixel and then
    /// calls `zero_border` (or sets the border itself).
    fn unset(buffers: &Buffers, batch: usize, height: usize, width: usize, channels: usize) -> Self {
        let values = buffers.take((batch * (height + 2) * (width + 2) + TAIL_PIXELS) * channels);
        Self { batch, height, width, channels, values }
    }

    /// Sets the border pixels and the tail to zero.
    fn zero_border(&mut self) {
        let (height, row_values) = (self.height, (self.width + 2) * self.channels);
        let (channels, maps_values) = (self.channels, self.batch * self.map_pixels() * self.channels);
        let (maps, tail) = self.values.split_at_mut(maps_values);
        tail.fill(0.0);
        maps.par_chunks_mut(row_values).enumerate().for_each(|(at, line)| {
            let padded_row = at % (height + 2);
            if padded_row == 0 || padded_row > height {
                line.fill(0.0);
            } else {
                line[..channels].fill(0.0);
                line[row_values - channels..].fill(0.0);
            }
        });
    }

    /// Pixels in one padded map.
    fn map_pixels(&self) -> usize {
        (self.height + 2) * (self.width + 2)
    }

    /// Where pixel (`row`, `column`) of map `index` starts in `values`; the border is row and
    /// column -1 and `height` / `width`.
    fn offset(&self, index: usize, row: usize, column: usize) -> usize {
        (index * self.map_pixels() + (row + 1) * (self.width + 2) + column + 1) * self.channels
    }

    pub fn batch(&self) -> usize {
        self.batch
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn channels(&self) -> usize {
        self.channels
    }

    /// The values of pixel (`row`, `column`) of map `index` counted from the border's corner
    /// (the map's own pixels are 1 to `height` and 1 to `width`); `None` beyond the border.
    pub fn padded_pixel(&self, index: usize, row: usize, column: usize) -> Option<&[f32]> {
        (row < self.height + 2 && column < self.width + 2).then(|| {
            let start = (index * self.map_pixels() + row * (self.width + 2) + column) * self.channels;
            &self.values[start..start + self.channels]
        })
    }

    /// Maps of the same batch and sides with `channels` channels, each inner pixel's values set
    /// by `pixel(map index, row, column, values)` (in parallel), the border zero.
    pub fn map_pixels_to(
        &self,
        buffers: &Buffers,
        channels: usize,
        pixel: impl Fn(usize, usize, usize, &mut [f32]) + Sync,
    ) -> Self {
        let (height, width) = (self.height, self.width);
        let mut out = Self::unset(buffers, self.batch, height, width, channels);
        let map_values = out.map_pixels() * channels;
        out.values[..self.batch * map_values].par_chunks_mut((width + 2) * channels).enumerate().for_each(
            |(at, line)| {
                let (index, padded_row) = (at / (height + 2), at % (height + 2));
                if padded_row == 0 || padded_row > height {
                    return;
                }
                for (column, values) in line[channels..(width + 1) * channels].chunks_exact_mut(channels).enumerate() {
                    pixel(index, padded_row - 1, column, values);
                }
            },
        );
        out.zero_border();
        out
    }

    /// Maps of the same batch and sides with `channels` channels, set `band` rows at a time (in
    /// parallel) by `fill(map index, first row, lines)`: `lines` are those rows of the padded map,
    /// `(width + 2) · channels` values each, whose border pixels must stay zero. A map's last band
    /// has fewer rows where `band` does not divide the height.
    pub fn map_row_bands_to(
        &self,
        buffers: &Buffers,
        channels: usize,
        band: usize,
        fill: impl Fn(usize, usize, &mut [f32]) + Sync,
    ) -> Self {
        let mut out = Self::unset(buffers, self.batch, self.height, self.width, channels);
        let (row_values, map_values) = ((self.width + 2) * channels, out.map_pixels() * channels);
        let inner_rows = row_values..(self.height + 1) * row_values;
        out.values[..self.batch * map_values]
            .par_chunks_mut(map_values)
            .enumerate()
            .flat_map(|(index, map)| {
                map[inner_rows.clone()]
                    .par_chunks_mut(band * row_values)
                    .enumerate()
                    .map(move |(k, lines)| (index, k * band, lines))
            })
            .for_each(|(index, first_row, lines)| fill(index, first_row, lines));
        out.zero_border();
        out
    }

    /// From `[batch, channels, height, width]` values (burn's layout).
    pub fn from_nchw(values: &[f32], [batch, channels, height, width]: [usize; 4]) -> Self {
        assert_eq!(
            values.len(),
            batch * channels * height * width,
            "values for [{batch}, {channels}, {height}, {width}]"
        );
        let mut maps = Self::zeros(batch, height, width, channels);
        for (index, image) in values.chunks_exact(channels * height * width).enumerate() {
            for (channel, plane) in image.chunks_exact(height * width).enumerate() {
                for (row, line) in plane.chunks_exact(width).enumerate() {
                    for (column, &value) in line.iter().enumerate() {
                        let at = maps.offset(index, row, column) + channel;
                        maps.values[at] = value;
                    }
                }
            }
        }
        maps
    }

    /// `[batch, channels, height, width]` and the values in that layout (burn's), border left out.
    pub fn to_nchw(&self) -> ([usize; 4], Vec<f32>) {
        let (batch, channels, height, width) = (self.batch, self.channels, self.height, self.width);
        let mut values = Vec::with_capacity(batch * channels * height * width);
        for index in 0..batch {
            for channel in 0..channels {
                for row in 0..height {
                    values.extend((0..width).map(|column| self.values[self.offset(index, row, column) + channel]));
                }
            }
        }
        ([batch, channels, height, width], values)
    }

    /// 2x2 max pooling with stride 2 (an odd last row or column is dropped, as burn's does).
    pub fn max_pool(&self, buffers: &Buffers) -> Self {
        let pooled = Self { height: self.height / 2, width: self.width / 2, values: Vec::new(), ..*self };
        pooled.map_pixels_to(buffers, self.channels, |index, row, column, pixel| {
            let [a, b, c, d] = [(0, 0), (0, 1), (1, 0), (1, 1)]
                .map(|(dy, dx)| self.offset(index, 2 * row + dy, 2 * column + dx))
                .map(|start| &self.values[start..start + self.channels]);
            for (value, ((a, b), (c, d))) in pixel.iter_mut().zip(a.iter().zip(b).zip(c.iter().zip(d))) {
                *value = a.max(*b).max(c.max(*d));
            }
        })
    }
}

/// A 3x3 convolution with stride 1 and padding 1, and its ReLU (all of VGG16's).
#[derive(Debug, Clone)]
pub struct Conv3x3 {
    channels_in: usize,
    channels_out: usize,
    /// Three `[3 · channels in, channels out]` matrices, one per filter row, each of whose rows is
    /// one (filter column, input channel): the layout that the padded map's runs meet.
    weights: Vec<f32>,
    bias: Vec<f32>,
}

impl Conv3x3 {
    /// From burn's `[channels out, channels in, 3, 3]` weights and `[channels out]` bias.
    pub fn new(weight: &[f32], bias: &[f32], channels_in: usize, channels_out: usize) -> Self {
        assert_eq!(weight.len(), channels_out * channels_in * 9, "3x3 filters");
        assert_eq!(bias.len(), channels_out, "one bias per output channel");
        let mut weights = vec![0.0; weight.len()];
        for (output, filter) in weight.chunks_exact(channels_in * 9).enumerate() {
            for (input, taps) in filter.chunks_exact(9).enumerate() {
                for (tap, &value) in taps.iter().enumerate() {
                    // tap = filter row · 3 + filter column
                    weights[(tap * channels_in + input) * channels_out + output] = value;
                }
            }
        }
        Self { channels_in, channels_out, weights, bias: bias.to_vec() }
    }

    /// ReLU(convolution + bias) of each map.
    pub fn forward_relu(&self, input: &PaddedMaps, buffers: &Buffers) -> PaddedMaps {
        assert_eq!(input.channels, self.channels_in, "input channels");
        let (channels_in, channels_out) = (self.channels_in, self.channels_out);
        let mut out = PaddedMaps::unset(buffers, input.batch, input.height, input.width, channels_out);
        let padded_width = input.width + 2;
        // Output pixels from the first map's first inner pixel to the last map's last: every inner
        // pixel, and the border pixels between them.
        let first = padded_width + 1;
        let pixels = input.batch * input.map_pixels() - 2 * padded_width;
        let row_weights = 3 * channels_in * channels_out;
        for filter_row in 0..3 {
            // Output pixel `first + p` meets filter row `filter_row` in the 3 input pixels from
            // `p + filter_row · padded_width`: the last of them is pixel batch · map_pixels + 1,
            // inside the two tail pixels.
            let lhs_start = filter_row * padded_width * channels_in;
            assert!(lhs_start + (pixels - 1) * channels_in + 3 * channels_in <= input.values.len());
            assert!((first + pixels) * channels_out <= out.values.len());
            // SAFETY: the asserts above bound every value read and written; `out` and `input` are
            // separate buffers, and the weights are `3 · row_weights` long (`new`).
            unsafe {
                gemm(
                    pixels,
                    channels_out,
                    3 * channels_in,
                    out.values.as_mut_ptr().add(first * channels_out),
                    1,
                    channels_out as isize,
                    filter_row > 0, // the first row's products set the values, the others add
                    input.values.as_ptr().add(lhs_start),
                    1,
                    channels_in as isize,
                    self.weights.as_ptr().add(filter_row * row_weights),
                    1,
                    channels_out as isize,
                    1.0,
                    1.0,
                    false,
                    false,
                    false,
                    Parallelism::Rayon(0),
                );
            }
        }
        // The bias and the ReLU; the border pixels that the products wrote go back to zero.
        let map_values = out.map_pixels() * channels_out;
        out.values[..input.batch * map_values].par_chunks_mut(padded_width * channels_out).for_each(|line| {
            for pixel in line.chunks_exact_mut(channels_out) {
                for (value, bias) in pixel.iter_mut().zip(&self.bias) {
                    *value = (*value + bias).max(0.0);
                }
            }
        });
        out.zero_border();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_round_trips() {
        let values: Vec<f32> = (0..2 * 3 * 4 * 5).map(|v| v as f32).collect();
        let maps = PaddedMaps::from_nchw(&values, [2, 3, 4, 5]);
        assert_eq!(maps.to_nchw(), ([2, 3, 4, 5], values));
        // the border is zero: pixel (-1, -1) of the second map, and the tail
        let corner = maps.map_pixels() * 3;
        assert_eq!(&maps.values[corner..corner + 3], &[0.0; 3]);
        assert!(maps.values[maps.values.len() - TAIL_PIXELS * 3..].iter().all(|&v| v == 0.0));
    }

    #[test]
    fn a_single_pixel_by_hand() {
        // One channel, a 1x1 photo of value 2, a filter 1..9 and a bias of -3: only the filter's
        // centre (5) meets the photo, so the output is 2·5 - 3 = 7.
        let weight: Vec<f32> = (1..=9).map(|v| v as f32).collect();
        let conv = Conv3x3::new(&weight, &[-3.0], 1, 1);
        let out = conv.forward_relu(&PaddedMaps::from_nchw(&[2.0], [1, 1, 1, 1]), &Buffers::default());
        assert_eq!(out.to_nchw().1, vec![7.0]);
    }
}
