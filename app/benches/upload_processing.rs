//! Upload processing of a 12-megapixel JPEG: the whole pipeline, and each of its steps, so that
//! the share of each is visible. Run with `cargo bench -p app --features ssr`.

use std::hint::black_box;

use app::ssr::imaging::{self, DISPLAY_MAX_SIDE, THUMB_MAX_SIDE};
use criterion::{criterion_group, criterion_main, Criterion};
use image::{imageops::FilterType, metadata::Orientation};

fn benches(c: &mut Criterion) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpu.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).unwrap_or("?");
    let flags = cpu.lines().find(|l| l.starts_with("flags")).unwrap_or_default();
    let vector: Vec<&str> =
        flags.split_whitespace().filter(|f| *f == "avx2" || *f == "fma" || f.starts_with("avx512")).collect();
    println!("CPU:{model}; vector extensions: {}", vector.join(" "));
    let jpeg = imaging::samples::twelve_megapixel_jpeg();
    let mut group = c.benchmark_group("upload_12mp_jpeg");
    group.sample_size(10);
    group.bench_function("whole_pipeline", |b| b.iter(|| imaging::process(black_box(&jpeg)).unwrap()));
    // The pipeline before: full decode, `image`'s Triangle resize, same encoder. The ratio of
    // the two is the speed-up, measured in the same run.
    group.bench_function("0_baseline_whole_pipeline_full_decode_image_resize", |b| {
        b.iter(|| {
            let header = imaging::inspect(black_box(&jpeg)).unwrap();
            let upright = imaging::decode_upright(&jpeg, &header).unwrap();
            let display = upright.resize(DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE, FilterType::Triangle);
            let thumb = display.resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, FilterType::Triangle);
            (imaging::encode_jpeg(&display), imaging::encode_jpeg(&thumb))
        })
    });
    group.bench_function("1_inspect_header", |b| b.iter(|| imaging::inspect(black_box(&jpeg)).unwrap()));
    let header = imaging::inspect(&jpeg).unwrap();
    group.bench_function("2_decode_at_display_scale", |b| {
        b.iter(|| imaging::decode_for_display(black_box(&jpeg), &header).unwrap())
    });
    group.bench_function("2b_decode_full_baseline", |b| {
        b.iter(|| imaging::decode_upright(black_box(&jpeg), &header).unwrap())
    });
    let decoded = imaging::decode_upright(&jpeg, &header).unwrap();
    group.bench_function("3_orient_rotate90", |b| {
        b.iter(|| {
            let mut image = decoded.clone();
            image.apply_orientation(black_box(Orientation::Rotate90));
            image
        })
    });
    group.bench_function("3b_clone_only_baseline", |b| b.iter(|| black_box(&decoded).clone()));
    group.bench_function("4_resize_full_decode_to_display", |b| {
        b.iter(|| imaging::fit_within(black_box(&decoded), DISPLAY_MAX_SIDE))
    });
    group.bench_function("4b_resize_full_decode_to_display_baseline_image_triangle", |b| {
        b.iter(|| black_box(&decoded).resize(DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE, FilterType::Triangle))
    });
    let display = imaging::fit_within(&imaging::decode_for_display(&jpeg, &header).unwrap(), DISPLAY_MAX_SIDE);
    group.bench_function("5_resize_thumb", |b| b.iter(|| imaging::fit_within(black_box(&display), THUMB_MAX_SIDE)));
    let thumb = imaging::fit_within(&display, THUMB_MAX_SIDE);
    group.bench_function("6_encode_display", |b| b.iter(|| imaging::encode_jpeg(black_box(&display))));
    group.bench_function("7_encode_thumb", |b| b.iter(|| imaging::encode_jpeg(black_box(&thumb))));
    group.finish();
}

criterion_group!(upload, benches);
criterion_main!(upload);
