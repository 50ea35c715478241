//! Photos in, encoder input out, exactly as the training photos were prepared: RGB, squashed to
//! 224x224 (aspect ratio not kept, like the shared Flickr8k photos), then Keras' VGG16
//! preprocessing: BGR channel order, 0..255, the ImageNet channel means subtracted.

use image::{imageops::FilterType, DynamicImage};

pub const INPUT_SIZE: u32 = 224;
/// ImageNet means in B, G, R order.
pub const BGR_MEANS: [f32; 3] = [103.939, 116.779, 123.68];

/// `[3, 224, 224]` values, channel-major (B, G, R planes). Grey and alpha images become RGB
/// first (alpha is dropped).
pub fn to_encoder_input(image: &DynamicImage) -> Vec<f32> {
    let rgb = if image.width() == INPUT_SIZE && image.height() == INPUT_SIZE {
        image.to_rgb8()
    } else {
        image.resize_exact(INPUT_SIZE, INPUT_SIZE, FilterType::Triangle).to_rgb8()
    };
    let plane = (INPUT_SIZE * INPUT_SIZE) as usize;
    let mut out = vec![0.0f32; 3 * plane];
    for (i, pixel) in rgb.pixels().enumerate() {
        let [r, g, b] = pixel.0;
        out[i] = f32::from(b) - BGR_MEANS[0];
        out[plane + i] = f32::from(g) - BGR_MEANS[1];
        out[2 * plane + i] = f32::from(r) - BGR_MEANS[2];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, Luma, Rgba, RgbaImage};

    #[test]
    fn any_size_grey_or_alpha_becomes_3x224x224_bgr_minus_means() {
        let grey = DynamicImage::ImageLuma8(GrayImage::from_pixel(640, 100, Luma([200])));
        let input = to_encoder_input(&grey);
        assert_eq!(input.len(), 3 * 224 * 224);
        assert!((input[0] - (200.0 - 103.939)).abs() < 1e-4);
        assert!((input[224 * 224] - (200.0 - 116.779)).abs() < 1e-4);

        let red = DynamicImage::ImageRgba8(RgbaImage::from_pixel(30, 50, Rgba([255, 0, 0, 10])));
        let input = to_encoder_input(&red);
        let plane = 224 * 224;
        assert!((input[5] + 103.939).abs() < 1e-4, "blue plane first");
        assert!((input[2 * plane + 5] - (255.0 - 123.68)).abs() < 1e-4, "red plane last");
    }
}
