//! Turns uploaded bytes into a checked photo and its two derived copies. Pure CPU work with no
//! I/O: callers run it on a blocking thread.
//!
//! Everything is checked before a full decode: the format from the bytes themselves (never the
//! file name or Content-Type), the byte size, and the pixel count from the header, so that a
//! decompression bomb is refused before it can allocate anything.

use std::io::Cursor;

use image::{imageops::FilterType, DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

pub const MAX_BYTES: usize = 20 * 1024 * 1024;
pub const MAX_PIXELS: u64 = 50_000_000;
pub const DISPLAY_MAX_SIDE: u32 = 2048;
/// A JPEG is decoded at a reduced DCT scale (1/2, 1/4, 1/8) when its longest side still reaches
/// this: the display copy of a 4000 x 3000 photo is then 2000 px wide, decoded at half scale,
/// rather than 2048 px resized from the full decode (a quarter of the pixels to decode).
pub const DISPLAY_MIN_SIDE_FROM_SCALED_JPEG: u32 = DISPLAY_MAX_SIDE * 15 / 16;
pub const THUMB_MAX_SIDE: u32 = 400;
const JPEG_QUALITY: u8 = 85;

pub use crate::error::ImageRejection;

impl ImageRejection {
    /// The error the uploader shows, its message prefixed with the file's name.
    pub fn for_file(self, file_name: &str) -> crate::error::AppError {
        use crate::error::{AppError, Problem};
        let message = Problem::Image { file: file_name.to_owned(), rejection: self };
        match self {
            ImageRejection::TooLarge => AppError::PayloadTooLarge(message),
            ImageRejection::UnsupportedFormat => AppError::UnsupportedMediaType(message),
            ImageRejection::Empty
            | ImageRejection::TooManyPixels { .. }
            | ImageRejection::Corrupt
            | ImageRejection::OversizedFrame => AppError::Invalid(message),
        }
    }
}

/// The accepted formats, with the MIME type the original is served with.
pub fn accepted_content_type(format: ImageFormat) -> Option<&'static str> {
    match format {
        ImageFormat::Jpeg => Some("image/jpeg"),
        ImageFormat::Png => Some("image/png"),
        ImageFormat::WebP => Some("image/webp"),
        ImageFormat::Gif => Some("image/gif"),
        _ => None,
    }
}

/// A photo ready to be stored: facts about the original and two derived JPEG copies, upright and
/// without any metadata (no GPS, no camera serial).
#[derive(Debug, Clone)]
pub struct ProcessedPhoto {
    pub content_type: &'static str,
    /// Of the original as uploaded, before orientation.
    pub width: u32,
    pub height: u32,
    pub display_jpeg: Vec<u8>,
    pub thumb_jpeg: Vec<u8>,
}

/// What the header says: the format and the dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

/// Checks the bytes and reads the header: the format and dimensions, without decoding pixels.
pub fn inspect(bytes: &[u8]) -> Result<Header, ImageRejection> {
    if bytes.is_empty() {
        return Err(ImageRejection::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(ImageRejection::TooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| ImageRejection::UnsupportedFormat)?;
    accepted_content_type(format).ok_or(ImageRejection::UnsupportedFormat)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.no_limits();
    let (width, height) = reader.into_dimensions().map_err(|_| ImageRejection::Corrupt)?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageRejection::TooManyPixels { width, height });
    }
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(ImageRejection::Corrupt);
    }
    Ok(Header { format, width, height })
}

/// Whether a JPEG ends its last scan with the end-of-image marker. JPEG decoders pad a cut-off
/// scan with grey rather than fail, so a truncated upload would otherwise pass as a photo.
/// Inside scan data every 0xFF byte is escaped, so an `FF D9` after the last start-of-scan can
/// only be the real end.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let Some(last_scan) = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]) else { return false };
    bytes[last_scan..].windows(2).any(|w| w == [0xFF, 0xD9])
}

/// What a decoder may allocate beyond the decoded image itself (its working buffers).
const DECODER_SLACK_BYTES: u64 = 16 * 1024 * 1024;

/// Decoder limits from the header, so that they hold for every frame and every format: nothing
/// larger than the image, and no more memory than its decoded pixels need (at most 8 bytes a
/// pixel, 16-bit RGBA) plus the decoder's buffers. A GIF whose 10x10 canvas hides a 10000x10000
/// frame is refused here rather than allocating 400 MB.
fn limits(header: &Header) -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(header.width);
    limits.max_image_height = Some(header.height);
    limits.max_alloc = Some(u64::from(header.width) * u64::from(header.height) * 8 + DECODER_SLACK_BYTES);
    limits
}

fn decoding_error(error: image::ImageError) -> ImageRejection {
    match error {
        image::ImageError::Limits(_) => ImageRejection::OversizedFrame,
        _ => ImageRejection::Corrupt,
    }
}

/// Decodes (the first frame of an animation) and applies the EXIF orientation.
pub fn decode_upright(bytes: &[u8], header: &Header) -> Result<DynamicImage, ImageRejection> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), header.format);
    reader.limits(limits(header));
    let mut decoder = reader.into_decoder().map_err(decoding_error)?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(decoding_error)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Decodes the image for its display copy: a large JPEG at the smallest DCT scale whose longest
/// side still reaches `DISPLAY_MIN_SIDE_FROM_SCALED_JPEG` (the decoder skips the detail that the
/// resize would throw away), everything else in full (`decode_upright`). Upright either way.
pub fn decode_for_display(bytes: &[u8], header: &Header) -> Result<DynamicImage, ImageRejection> {
    let longest = header.width.max(header.height);
    if header.format != ImageFormat::Jpeg || longest / 2 < DISPLAY_MIN_SIDE_FROM_SCALED_JPEG {
        return decode_upright(bytes, header);
    }
    // The EXIF orientation, from `image`'s decoder (headers only).
    let mut reader = ImageReader::with_format(Cursor::new(bytes), header.format);
    reader.limits(limits(header));
    let orientation = reader
        .into_decoder()
        .map_err(decoding_error)?
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().map_err(|_| ImageRejection::Corrupt)?;
    let wanted =
        |side: u32| (u64::from(side) * u64::from(DISPLAY_MIN_SIDE_FROM_SCALED_JPEG)).div_ceil(u64::from(longest));
    let (width, height) = decoder
        .scale(wanted(header.width) as u16, wanted(header.height) as u16)
        .map_err(|_| ImageRejection::Corrupt)?;
    decoder.set_max_decoding_buffer_size(limits(header).max_alloc.unwrap_or(u64::MAX) as usize);
    let pixels = decoder.decode().map_err(|_| ImageRejection::Corrupt)?;
    let format = decoder.info().map(|info| info.pixel_format);
    let (width, height) = (u32::from(width), u32::from(height));
    let mut image = match format {
        Some(jpeg_decoder::PixelFormat::RGB24) => {
            image::RgbImage::from_raw(width, height, pixels).map(DynamicImage::ImageRgb8)
        }
        Some(jpeg_decoder::PixelFormat::L8) => {
            image::GrayImage::from_raw(width, height, pixels).map(DynamicImage::ImageLuma8)
        }
        // CMYK and 16-bit JPEGs are rare: `image` converts them, in full.
        _ => return decode_upright(bytes, header),
    }
    .ok_or(ImageRejection::Corrupt)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// The size of `width` x `height` fitted within `max_side`, keeping the aspect ratio.
fn fitted(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let ratio = f64::from(max_side) / f64::from(width.max(height));
    let side = |v: u32| ((f64::from(v) * ratio).round() as u32).clamp(1, max_side);
    (side(width), side(height))
}

/// Fits the image within `max_side` (never enlarging), with SIMD kernels chosen at run time
/// (`fast_image_resize`: AVX2, SSE4.1, NEON).
pub fn fit_within(image: &DynamicImage, max_side: u32) -> DynamicImage {
    if image.width() <= max_side && image.height() <= max_side {
        return image.clone();
    }
    let (width, height) = fitted(image.width(), image.height(), max_side);
    let mut resized = DynamicImage::new(width, height, image.color());
    // Bilinear (with a support as wide as the reduction) is sharp enough at these ratios.
    let options = fast_image_resize::ResizeOptions::new()
        .resize_alg(fast_image_resize::ResizeAlg::Convolution(fast_image_resize::FilterType::Bilinear));
    match fast_image_resize::Resizer::new().resize(image, &mut resized, &options) {
        Ok(()) => resized,
        // Pixel types it does not take (32-bit float): `image`'s own resize.
        Err(_) => image.resize(max_side, max_side, FilterType::Triangle),
    }
}

/// RGB, with any transparency laid over white (JPEG has no alpha); borrowed when it already is.
fn flatten(image: &DynamicImage) -> std::borrow::Cow<'_, RgbImage> {
    use std::borrow::Cow;
    if let Some(rgb) = image.as_rgb8() {
        return Cow::Borrowed(rgb);
    }
    if !image.color().has_alpha() {
        return Cow::Owned(image.to_rgb8());
    }
    let rgba = image.to_rgba8();
    Cow::Owned(RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    }))
}

/// Encodes as baseline JPEG (`jpeg-encoder`, with AVX2 when the CPU has it). The encoder writes
/// no EXIF, XMP or ICC data: nothing of the original's metadata survives.
pub fn encode_jpeg(image: &DynamicImage) -> Vec<u8> {
    let rgb = flatten(image);
    let mut out = Vec::new();
    let side = |v: u32| u16::try_from(v).expect("the copies are at most DISPLAY_MAX_SIDE");
    let (width, height) = (side(rgb.width()), side(rgb.height()));
    jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY)
        .encode(rgb.as_raw(), width, height, jpeg_encoder::ColorType::Rgb)
        .expect("encoding to memory cannot fail");
    out
}

/// The whole pipeline: inspect, decode, orient, derive the display copy and the thumbnail.
pub fn process(bytes: &[u8]) -> Result<ProcessedPhoto, ImageRejection> {
    let header = inspect(bytes)?;
    let upright = decode_for_display(bytes, &header)?;
    let display = if upright.width().max(upright.height()) <= DISPLAY_MAX_SIDE {
        upright // already small enough (a JPEG decoded at reduced scale): no copy
    } else {
        fit_within(&upright, DISPLAY_MAX_SIDE)
    };
    // From the display copy: the same look, a fraction of the work.
    let thumb = fit_within(&display, THUMB_MAX_SIDE);
    Ok(ProcessedPhoto {
        content_type: accepted_content_type(header.format).expect("checked by inspect"),
        width: header.width,
        height: header.height,
        display_jpeg: encode_jpeg(&display),
        thumb_jpeg: encode_jpeg(&thumb),
    })
}

/// A camera-like test photo, for the upload benchmark and the tests of the scaled decode.
pub mod samples {
    /// A 4000 x 3000 JPEG with photo-like content: smooth gradients plus sensor-like noise, so that
    /// it compresses (and decodes) like a camera picture rather than a flat test card.
    pub fn twelve_megapixel_jpeg() -> Vec<u8> {
        let mut seed = 0x2545_f491_u32;
        let image = super::RgbImage::from_fn(4000, 3000, |x, y| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let noise = (seed % 24) as i32 - 12;
            let base = |v: u32, period: u32| ((v % period) * 255 / period) as i32;
            let c = |v: i32| (v + noise).clamp(0, 255) as u8;
            image::Rgb([c(base(x, 1500)), c(base(y, 1100)), c(base(x + y, 2300))])
        });
        let mut out = super::Cursor::new(Vec::new());
        super::DynamicImage::ImageRgb8(image).write_to(&mut out, super::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }
}

/// Files made to attack the decoder, for the tests and the hardening checks (`scripts/`).
pub mod hostile {
    /// A GIF whose logical screen is `canvas` but whose one frame is `frame` pixels, all of
    /// colour 0 (the LZW data is a clear code and an end code: the decoder must allocate the
    /// whole frame to fill it).
    pub fn gif_with_oversized_frame(canvas_w: u16, canvas_h: u16, frame_w: u16, frame_h: u16) -> Vec<u8> {
        let mut gif = b"GIF89a".to_vec();
        gif.extend(canvas_w.to_le_bytes());
        gif.extend(canvas_h.to_le_bytes());
        gif.extend([0x80, 0, 0]); // global colour table of 2 entries
        gif.extend([0, 0, 0, 255, 255, 255]);
        gif.push(0x2C); // image descriptor
        gif.extend(0u16.to_le_bytes());
        gif.extend(0u16.to_le_bytes());
        gif.extend(frame_w.to_le_bytes());
        gif.extend(frame_h.to_le_bytes());
        gif.push(0);
        gif.push(2); // LZW minimum code size
        gif.extend([1, 0x2C, 0]); // one sub-block: clear code (4) and end code (5), 3 bits each
        gif.push(0x3B);
        gif
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    fn sample(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }))
    }

    #[test]
    fn each_accepted_format_is_processed() {
        for (format, mime) in [
            (ImageFormat::Jpeg, "image/jpeg"),
            (ImageFormat::Png, "image/png"),
            (ImageFormat::WebP, "image/webp"),
            (ImageFormat::Gif, "image/gif"),
        ] {
            let photo = process(&encoded(&sample(640, 480), format)).unwrap_or_else(|e| panic!("{format:?}: {e}"));
            assert_eq!((photo.content_type, photo.width, photo.height), (mime, 640, 480));
            let thumb = image::load_from_memory(&photo.thumb_jpeg).unwrap();
            assert_eq!((thumb.width(), thumb.height()), (400, 300));
            let display = image::load_from_memory(&photo.display_jpeg).unwrap();
            assert_eq!((display.width(), display.height()), (640, 480), "never enlarged");
        }
    }

    #[test]
    fn large_photos_are_scaled_to_2048() {
        let photo = process(&encoded(&sample(3000, 1500), ImageFormat::Png)).unwrap();
        let display = image::load_from_memory(&photo.display_jpeg).unwrap();
        assert_eq!((display.width(), display.height()), (2048, 1024));
    }

    /// `jpeg` with an EXIF segment saying "rotate 90° clockwise to view" (orientation 6).
    fn rotated_90(jpeg: &[u8]) -> Vec<u8> {
        let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01".to_vec();
        exif.extend([0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
        let mut out = jpeg[..2].to_vec();
        out.extend([0xFF, 0xE1]);
        out.extend(((exif.len() + 2) as u16).to_be_bytes());
        out.extend(exif);
        out.extend(&jpeg[2..]);
        out
    }

    fn psnr(a: &RgbImage, b: &RgbImage) -> f64 {
        assert_eq!(a.dimensions(), b.dimensions());
        let squared: f64 =
            a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2)).sum();
        10.0 * (255.0f64.powi(2) / (squared / a.as_raw().len() as f64)).log10()
    }

    #[test]
    fn a_large_jpeg_is_decoded_at_half_scale_upright_and_without_visible_loss() {
        let jpeg = samples::twelve_megapixel_jpeg();
        let header = inspect(&jpeg).unwrap();
        let scaled = decode_for_display(&jpeg, &header).unwrap();
        assert_eq!((scaled.width(), scaled.height()), (2000, 1500), "half of 4000 x 3000 reaches 1920");
        let display = fit_within(&scaled, DISPLAY_MAX_SIDE).to_rgb8();
        // What the full decode and `image`'s resize (the pipeline before) give at the same size.
        let full = decode_upright(&jpeg, &header).unwrap().resize_exact(2000, 1500, FilterType::Triangle).to_rgb8();
        let quality = psnr(&display, &full);
        println!("display copy from the half-scale decode against the full decode resized: PSNR {quality:.1} dB");
        assert!(quality > 35.0, "PSNR {quality:.1} dB");

        let rotated = rotated_90(&jpeg);
        let upright = decode_for_display(&rotated, &inspect(&rotated).unwrap()).unwrap();
        assert_eq!((upright.width(), upright.height()), (1500, 2000), "the EXIF orientation is applied");
        assert_eq!(upright.to_rgb8().get_pixel(1499, 0), scaled.to_rgb8().get_pixel(0, 0), "turned clockwise");

        let photo = process(&jpeg).unwrap();
        let stored = image::load_from_memory(&photo.display_jpeg).unwrap();
        assert_eq!((stored.width(), stored.height()), (2000, 1500));
        // a photo whose half is below 1920 is decoded in full and resized to 2048
        let smaller = encoded(&sample(3000, 1500), ImageFormat::Jpeg);
        let decoded = decode_for_display(&smaller, &inspect(&smaller).unwrap()).unwrap();
        assert_eq!(decoded.width(), 3000);
    }

    #[test]
    fn transparency_is_laid_over_white() {
        let clear = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(10, 10, image::Rgba([0, 0, 0, 0])));
        let flat = flatten(&clear);
        assert_eq!(flat.get_pixel(5, 5).0, [255, 255, 255]);
    }

    #[test]
    fn bad_input_is_refused_with_a_reason() {
        assert_eq!(inspect(b"").unwrap_err(), ImageRejection::Empty);
        assert_eq!(inspect(b"hello, I am a text file.jpg").unwrap_err(), ImageRejection::UnsupportedFormat);
        assert_eq!(inspect(&vec![0xFF; MAX_BYTES + 1]).unwrap_err(), ImageRejection::TooLarge);
        // a BMP header: a real image format, but not one we accept
        let mut bmp = b"BM".to_vec();
        bmp.extend([0u8; 64]);
        assert_eq!(process(&bmp).unwrap_err(), ImageRejection::UnsupportedFormat);
        let jpeg = encoded(&sample(300, 200), ImageFormat::Jpeg);
        for cut in [jpeg.len() / 2, jpeg.len() - 2, 40] {
            assert_eq!(process(&jpeg[..cut]).unwrap_err(), ImageRejection::Corrupt, "cut at {cut}");
        }
        // bytes after the end-of-image marker, as some cameras write, are fine
        let mut trailing = jpeg.clone();
        trailing.extend(b"trailing data");
        assert!(process(&trailing).is_ok());
    }

    #[test]
    fn a_gif_frame_larger_than_its_canvas_is_refused_before_it_is_allocated() {
        let bomb = hostile::gif_with_oversized_frame(10, 10, 10_000, 10_000);
        assert_eq!(inspect(&bomb).map(|h| (h.width, h.height)), Ok((10, 10)), "the canvas looks harmless");
        assert_eq!(process(&bomb).unwrap_err(), ImageRejection::OversizedFrame);
    }
}
