//! Turns uploaded bytes into a checked photo and its two derived copies. Pure CPU work with no
//! I/O: callers run it on a blocking thread.
//!
//! Everything is checked before a full decode: the format from the bytes themselves (never the
//! file name or Content-Type), the byte size, and the pixel count from the header, so that a
//! decompression bomb is refused before it can allocate anything.

use std::io::Cursor;

use image::{
    codecs::jpeg::JpegEncoder, imageops::FilterType, DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits,
    RgbImage,
};

pub const MAX_BYTES: usize = 20 * 1024 * 1024;
pub const MAX_PIXELS: u64 = 50_000_000;
pub const DISPLAY_MAX_SIDE: u32 = 2048;
pub const THUMB_MAX_SIDE: u32 = 400;
const JPEG_QUALITY: u8 = 85;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageRejection {
    #[error("The file is empty.")]
    Empty,
    #[error("The file is larger than 20 MB.")]
    TooLarge,
    #[error("This is not a photo we can read: JPEG, PNG, WebP and GIF are accepted.")]
    UnsupportedFormat,
    #[error("The image is {width} x {height} pixels; at most 50 megapixels are accepted.")]
    TooManyPixels { width: u32, height: u32 },
    #[error("The image file is damaged or incomplete and cannot be read.")]
    Corrupt,
    /// A frame (of an animation) larger than the image it belongs to: a memory bomb.
    #[error("A frame of this image is larger than the image itself; such files are not accepted.")]
    OversizedFrame,
}

impl ImageRejection {
    /// The error the uploader shows, its message prefixed with the file's name.
    pub fn for_file(self, file_name: &str) -> crate::error::AppError {
        use crate::error::AppError;
        let message = format!("{file_name}: {self}");
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

/// Fits the image within `max_side` (never enlarging).
pub fn fit_within(image: &DynamicImage, max_side: u32) -> DynamicImage {
    if image.width() <= max_side && image.height() <= max_side {
        return image.clone();
    }
    // Triangle (bilinear with a wide enough support) is sharp enough at these ratios and
    // several times faster than Lanczos.
    image.resize(max_side, max_side, FilterType::Triangle)
}

/// RGB, with any transparency laid over white (JPEG has no alpha).
fn flatten(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

/// Encodes as baseline JPEG. The encoder writes no EXIF, XMP or ICC data: nothing of the
/// original's metadata survives.
pub fn encode_jpeg(image: &DynamicImage) -> Vec<u8> {
    let rgb = flatten(image);
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).encode_image(&rgb).expect("encoding to memory cannot fail");
    out
}

/// The whole pipeline: inspect, decode, orient, derive the display copy and the thumbnail.
pub fn process(bytes: &[u8]) -> Result<ProcessedPhoto, ImageRejection> {
    let header = inspect(bytes)?;
    let upright = decode_upright(bytes, &header)?;
    let display = fit_within(&upright, DISPLAY_MAX_SIDE);
    drop(upright);
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
