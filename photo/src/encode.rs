//! Step 5: shrink to the long side, then find the best JPEG quality that fits the byte limit.
//! `fast_image_resize` and `jpeg-encoder` are several times faster in wasm than the `image`
//! crate's own resize and encoder (see the photo-pipeline measurements).

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

use crate::Options;

/// The quality tried first; most phone photos at 2048 px fit in 1 MB at it.
const FIRST_QUALITY: u8 = 85;
/// Below this, text turns to mush: shrink the picture instead.
const LOWEST_QUALITY: u8 = 40;

/// A re-encoded photo.
#[derive(Clone, Debug)]
pub struct Encoded {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub quality: u8,
}

/// Shrinks `image` to `max_side` and encodes it at the highest quality that fits in
/// `max_bytes`; if even the lowest quality does not fit, the picture is made smaller.
pub fn encode(image: RgbImage, options: &Options) -> Encoded {
    let mut image = shrink(image, options.max_side);
    loop {
        if let Some((jpeg, quality)) = best_quality(&image, options.max_bytes) {
            let (width, height) = image.dimensions();
            return Encoded { jpeg, width, height, quality };
        }
        let long = image.width().max(image.height());
        image = shrink(image, (long * 4 / 5).max(1));
    }
}

/// The highest quality from `LOWEST_QUALITY` to `FIRST_QUALITY` whose output fits, by a
/// binary search; `None` when even the lowest does not.
fn best_quality(image: &RgbImage, max_bytes: usize) -> Option<(Vec<u8>, u8)> {
    let first = jpeg(image, FIRST_QUALITY);
    if first.len() <= max_bytes {
        return Some((first, FIRST_QUALITY));
    }
    let (mut low, mut high) = (LOWEST_QUALITY, FIRST_QUALITY - 1);
    let mut best = None;
    while low <= high {
        let quality = low + (high - low) / 2;
        let bytes = jpeg(image, quality);
        if bytes.len() <= max_bytes {
            best = Some((bytes, quality));
            low = quality + 1;
        } else {
            high = quality - 1;
        }
    }
    best
}

/// A baseline JPEG with 4:2:0 chroma and nothing but the JFIF header: the encoder writes no
/// EXIF, GPS, ICC or XMP block, which is how the metadata is stripped.
fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(image.as_raw().len() / 10);
    let mut encoder = Encoder::new(&mut out, quality);
    encoder.set_sampling_factor(SamplingFactor::R_4_2_0);
    encoder
        .encode(image.as_raw(), image.width() as u16, image.height() as u16, ColorType::Rgb)
        .expect("an RGB buffer of the stated size, sides under 65,536 px");
    out
}

/// `image` with its long side at most `max_side`, keeping the shape; never enlarged.
pub(crate) fn shrink(image: RgbImage, max_side: u32) -> RgbImage {
    match resized(&image, max_side) {
        Some(smaller) => smaller,
        None => image,
    }
}

/// A copy of `image` with its long side at `max_side`, or `None` when it is no longer than that.
pub(crate) fn resized(image: &RgbImage, max_side: u32) -> Option<RgbImage> {
    let (width, height) = image.dimensions();
    let long = width.max(height);
    if long <= max_side {
        return None;
    }
    let scale = f64::from(max_side) / f64::from(long);
    let new_width = ((f64::from(width) * scale).round() as u32).max(1);
    let new_height = ((f64::from(height) * scale).round() as u32).max(1);
    let source = ImageRef::new(width, height, image.as_raw(), PixelType::U8x3).expect("RGB buffer");
    let mut target = Image::new(new_width, new_height, PixelType::U8x3);
    Resizer::new()
        .resize(&source, &mut target, &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear)))
        .expect("same pixel type on both sides");
    RgbImage::from_raw(new_width, new_height, target.into_vec())
}
