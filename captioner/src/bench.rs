//! `captioner bench`: the encoder and decoding timed on each compiled backend in one run, so
//! that the figures compare (medians after a warm-up; burn initialises lazily).

use std::time::{Duration, Instant};

use burn::prelude::*;

use crate::{
    backend::Backend,
    decoding::greedy,
    encoder_record,
    inference::{Captioner, ModelPaths},
    model::{
        attention::{tanh_by_exp, LstmGates},
        decoder::DecoderConfig,
        MapLayer, FEATURE_SIZE,
    },
};

#[derive(Debug, Clone)]
pub struct BackendTimings {
    pub backend: Backend,
    pub encoder_batch1: Duration,
    pub encoder_per_image_batch8: Duration,
    pub greedy_20_tokens: Duration,
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    f(); // warm-up
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

pub fn run(runs: usize, vocab_size: usize) -> Result<Vec<BackendTimings>, String> {
    Backend::ALL
        .into_iter()
        .map(|backend| {
            let device = backend.device();
            let vgg = encoder_record::load_encoder(&encoder_record::default_path(), &device)?;
            let one =
                || Tensor::<4>::random([1, 3, 224, 224], burn::tensor::Distribution::Uniform(-120.0, 120.0), &device);
            let eight =
                Tensor::<4>::random([8, 3, 224, 224], burn::tensor::Distribution::Uniform(-120.0, 120.0), &device);
            let encoder_batch1 = time(runs, || vgg.forward(one()).into_data());
            let encoder_batch8 = time(runs.div_ceil(2), || vgg.forward(eight.clone()).into_data());
            let decoder = DecoderConfig::new(vocab_size).init(&device);
            let features = Tensor::<3>::random([1, 1, 512], burn::tensor::Distribution::Uniform(0.0, 5.0), &device);
            // An untrained decoder rarely ends early: 20 steps are measured.
            let greedy_20_tokens = time(runs * 2, || greedy(&decoder, features.clone(), 20));
            Ok(BackendTimings {
                backend,
                encoder_batch1,
                encoder_per_image_batch8: encoder_batch8 / 8,
                greedy_20_tokens,
            })
        })
        .collect()
}

/// One of VGG16's convolutions (with its ReLU) timed alone on its own input size, as burn's
/// convolution and by Winograd's F(2x2, 3x3) and F(4x4, 3x3).
#[derive(Debug, Clone)]
pub struct LayerTiming {
    pub name: String,
    /// `[channels in, height, width]` → channels out
    pub input: [usize; 3],
    pub channels_out: usize,
    /// burn's `conv2d`
    pub burn: Duration,
    /// The encoder's kinds, on channels-last maps: three products, and Winograd's F(2x2) and F(4x4)
    pub direct: Duration,
    pub winograd2: Duration,
    pub winograd4: Duration,
}

impl LayerTiming {
    /// Multiply-adds count twice: 3x3 taps over every input channel, per output value.
    pub fn gflop(&self) -> f64 {
        let [c, h, w] = self.input;
        2.0 * 9.0 * (c * h * w * self.channels_out) as f64 / 1e9
    }
}

/// The 13 convolutions of the encoder one by one at batch 1 (224x224 photo), on `backend`:
/// where the time goes.
pub fn layers(runs: usize, backend: Backend) -> Result<Vec<LayerTiming>, String> {
    use crate::model::{
        cpu_conv::{Buffers, PaddedMaps},
        encoder::{ConvKind, CpuConv},
        winograd::WinogradTile,
    };
    use burn::tensor::activation::relu;
    let device = backend.device();
    let vgg = encoder_record::load(&encoder_record::default_path(), &device)?;
    let mut timings = Vec::with_capacity(13);
    let buffers = Buffers::default(); // reused as the encoder reuses them
    let (mut channels, mut side) = (3, 224);
    let mut convs = vgg.convs.iter();
    for (block, (count, channels_out)) in crate::model::encoder::VGG16_BLOCKS.into_iter().enumerate() {
        for (i, conv) in convs.by_ref().take(count).enumerate() {
            let x =
                Tensor::<4>::random([1, channels, side, side], burn::tensor::Distribution::Uniform(0.0, 1.0), &device);
            let maps = PaddedMaps::from_nchw(&x.clone().into_data().try_into_vec::<f32>().unwrap(), x.dims());
            let [direct, two, four] =
                [ConvKind::Products, ConvKind::Winograd(WinogradTile::Two), ConvKind::Winograd(WinogradTile::Four)]
                    .map(|kind| CpuConv::new(conv, kind));
            timings.push(LayerTiming {
                name: format!("block{}_conv{}", block + 1, i + 1),
                input: [channels, side, side],
                channels_out,
                burn: time(runs, || relu(conv.forward(x.clone())).into_data()),
                direct: time(runs, || buffers.give_maps(direct.forward_relu(&maps, &buffers))),
                winograd2: time(runs, || buffers.give_maps(two.forward_relu(&maps, &buffers))),
                winograd4: time(runs, || buffers.give_maps(four.forward_relu(&maps, &buffers))),
            });
            channels = channels_out;
        }
        side /= 2;
    }
    Ok(timings)
}

pub fn layer_table(timings: &[LayerTiming]) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mut out = String::from(
        "| layer | input | GFLOP | burn conv2d | GFLOP/s | three products | GFLOP/s | Winograd F(2x2) | Winograd F(4x4) |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    let row = |name: &str, input: &str, gflop: f64, [burn, direct, two, four]: [Duration; 4]| {
        format!(
            "| {name} | {input} | {gflop:.2} | {:.1} ms | {:.0} | {:.1} ms | {:.0} | {:.1} ms | {:.1} ms |\n",
            ms(burn),
            gflop / burn.as_secs_f64(),
            ms(direct),
            gflop / direct.as_secs_f64(),
            ms(two),
            ms(four),
        )
    };
    let kinds = |t: &LayerTiming| [t.burn, t.direct, t.winograd2, t.winograd4];
    for t in timings {
        let [c, h, w] = t.input;
        out += &row(&t.name, &format!("{c}x{h}x{w} → {}", t.channels_out), t.gflop(), kinds(t));
    }
    let total = timings.iter().map(kinds).fold([Duration::ZERO; 4], |sum, t| std::array::from_fn(|i| sum[i] + t[i]));
    out += &row("all 13", "", timings.iter().map(LayerTiming::gflop).sum(), total);
    out
}

/// An attention decoding step's two costly operations for `rows` captions (a beam of 5: one
/// photo), each as burn's own module or operation and as the decoder computes it, at the shipped
/// sizes (512 hidden, 256 embedding, the 7x7x512 map).
#[derive(Debug, Clone)]
pub struct StepTiming {
    pub rows: usize,
    pub lstm: [Duration; 2],
    pub tanh: [Duration; 2],
}

pub fn decoding_steps(runs: usize, backend: Backend) -> Vec<StepTiming> {
    let device = backend.device();
    let uniform = burn::tensor::Distribution::Uniform(-1.0, 1.0);
    let (embedding, hidden) = (256, 512);
    let lstm = burn::nn::LstmConfig::new(embedding + FEATURE_SIZE, hidden, true).init(&device);
    let gates = LstmGates::of(&lstm);
    [1, 5, 40]
        .into_iter()
        .map(|rows| {
            let random = |dims: [usize; 2]| Tensor::<2>::random(dims, uniform, &device);
            let input = random([rows, embedding + FEATURE_SIZE]);
            let state = burn::nn::LstmState::new(random([rows, hidden]), random([rows, hidden]));
            let scores =
                Tensor::<3>::random([rows, MapLayer::Block5Pool.regions(), FEATURE_SIZE], uniform, &device) * 3.0;
            let runs = runs * 10;
            StepTiming {
                rows,
                lstm: [
                    time(runs, || {
                        lstm.forward(input.clone().unsqueeze_dim::<3>(1), Some(state.clone())).1.hidden.into_data()
                    }),
                    time(runs, || gates.step(input.clone(), state.clone()).hidden.into_data()),
                ],
                tanh: [
                    time(runs, || burn::tensor::activation::tanh(scores.clone()).into_data()),
                    time(runs, || tanh_by_exp(scores.clone()).into_data()),
                ],
            }
        })
        .collect()
}

pub fn decoding_table(timings: &[StepTiming]) -> String {
    let mut out = String::from(
        "| rows | LSTM step: burn's Lstm, LstmGates, ratio | tanh of [rows, 49, 512]: burn's, tanh_by_exp, ratio |\n| --- | --- | --- |\n",
    );
    let pair = |[burn, ours]: [Duration; 2]| {
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        format!("{:.0} µs, {:.0} µs, {:.2}x", us(burn), us(ours), us(ours) / us(burn))
    };
    for t in timings {
        out += &format!("| {} | {} | {} |\n", t.rows, pair(t.lstm), pair(t.tanh));
    }
    out
}

/// A model's time from a decoded photo to its captions (VGG16 and beam search at the model's own
/// setting, the best three kept, as the app does), and the beam search's share, per photo.
#[derive(Debug, Clone)]
pub struct CaptionTiming {
    pub model: String,
    pub photos: usize,
    pub whole: Duration,
    pub decoding: Duration,
    /// Per photo when all of them are captioned together, as a worker does with a queue.
    pub together: Duration,
}

/// Times [`Captioner::caption`] on each photo with each model folder; medians over the photos.
pub fn captions(
    models: &[std::path::PathBuf],
    photos: &[std::path::PathBuf],
    backend: Backend,
) -> Result<Vec<CaptionTiming>, String> {
    let photos = photos
        .iter()
        .map(|path| image::open(path).map_err(|e| format!("{}: {e}", path.display())))
        .collect::<Result<Vec<_>, _>>()?;
    if photos.is_empty() {
        return Err("no photos to caption".into());
    }
    models
        .iter()
        .map(|dir| {
            let captioner =
                Captioner::load(&ModelPaths { decoder_dir: dir.clone(), ..ModelPaths::shipped() }, backend)?;
            captioner.caption(&photos[0], None, 3); // warm-up
            let mut whole = Vec::new();
            let mut decoding = Vec::new();
            for photo in &photos {
                let start = Instant::now();
                let features = captioner.features(photo);
                let encoded = Instant::now();
                std::hint::black_box(captioner.caption_features(features, None, 3));
                decoding.push(encoded.elapsed());
                whole.push(start.elapsed());
            }
            let start = Instant::now();
            std::hint::black_box(captioner.caption_photos_in(&photos, &captioner.languages()[..1], None, 3));
            let together = start.elapsed() / photos.len() as u32;
            Ok(CaptionTiming {
                model: captioner.name(),
                photos: photos.len(),
                whole: median(whole),
                decoding: median(decoding),
                together,
            })
        })
        .collect()
}

pub fn caption_table(timings: &[CaptionTiming]) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mut out = String::from(
        "| model (its own beam) | photos | photo → captions, median | of which beam search | ratio to the first | all photos together, per photo | ratio together / alone |\n| --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for t in timings {
        out += &format!(
            "| {} | {} | {:.0} ms | {:.1} ms | {:.2}x | {:.0} ms | {:.2}x |\n",
            t.model,
            t.photos,
            ms(t.whole),
            ms(t.decoding),
            ms(t.whole) / ms(timings[0].whole),
            ms(t.together),
            ms(t.together) / ms(t.whole)
        );
    }
    out
}

pub fn table(timings: &[BackendTimings]) -> String {
    let base = &timings[0];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mut out = String::from("| backend | VGG16 batch 1 | per image at batch 8 | greedy, 20 tokens | ratio to flex (batch 1) |\n| --- | --- | --- | --- | --- |\n");
    for t in timings {
        out += &format!(
            "| burn {} | {:.0} ms | {:.0} ms | {:.1} ms | {:.2}x |\n",
            t.backend,
            ms(t.encoder_batch1),
            ms(t.encoder_per_image_batch8),
            ms(t.greedy_20_tokens),
            ms(t.encoder_batch1) / ms(base.encoder_batch1)
        );
    }
    out
}
