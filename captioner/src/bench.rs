//! `captioner bench`: the encoder and decoding timed on each compiled backend in one run, so
//! that the figures compare (medians after a warm-up; burn initialises lazily).

use std::time::{Duration, Instant};

use burn::prelude::*;

use crate::{backend::Backend, decoding::greedy, encoder_record, model::decoder::DecoderConfig};

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
            let vgg = encoder_record::load(&encoder_record::default_path(), &device)?;
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
