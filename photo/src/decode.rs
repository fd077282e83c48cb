//! Steps 1 to 3: sniff, header limits, decode with limits, upright.

use std::io::Cursor;

use image::{metadata::Orientation, DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};
use taxicert_api::domain::{sniff_image, ImageKind};

use crate::Refusal;

/// No photo may have more pixels than this (a 50 MP camera is the largest phones have).
pub const MAX_PIXELS: u64 = 50_000_000;
/// No side may be longer than this.
pub const MAX_SIDE: u32 = 12_000;
/// The decoder may allocate at most this much: a 50 MP photo at 8 bits per channel with
/// alpha, or a smaller one at 16 bits.
const MAX_ALLOC: u64 = MAX_PIXELS * 4;

const DAMAGED: &str = "照片文件已损坏或不完整,无法读取。请重新拍照,或从相册重新选择原图。";

/// What the header says, read before any pixel is decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub kind: ImageKind,
    pub width: u32,
    pub height: u32,
}

/// Steps 1 and 2: the type by content, the size in bytes, and the dimensions from the header.
pub fn inspect(bytes: &[u8]) -> Result<Header, Refusal> {
    let kind = sniff_image(&bytes[..bytes.len().min(16)], bytes.len()).map_err(|message| {
        let code = match bytes.len() {
            0 => "empty_file",
            n if n > taxicert_api::domain::MAX_UPLOAD_BYTES => "file_too_large",
            _ => "unsupported_type",
        };
        Refusal::new(code, message)
    })?;
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format(kind))
        .into_dimensions()
        .map_err(|_| Refusal::new("damaged_file", DAMAGED))?;
    if width == 0 || height == 0 {
        return Err(Refusal::new("damaged_file", DAMAGED));
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Refusal::new(
            "too_many_pixels",
            format!("照片尺寸为{width}×{height}像素,过大(最多5000万像素、单边不超过12000像素)。请用手机相机直接拍摄后上传。"),
        ));
    }
    if kind == ImageKind::Jpeg && !jpeg_has_end(bytes) {
        return Err(Refusal::new("damaged_file", DAMAGED));
    }
    Ok(Header { kind, width, height })
}

/// Steps 1 to 3: the upright photo as 8-bit RGB, transparent parts laid on white.
pub fn decode(bytes: &[u8]) -> Result<RgbImage, Refusal> {
    let (stored, orientation) = decode_stored(bytes)?;
    Ok(upright(stored, orientation))
}

/// `image` turned as its EXIF orientation says.
pub(crate) fn upright(image: RgbImage, orientation: Orientation) -> RgbImage {
    if orientation == Orientation::NoTransforms {
        return image;
    }
    let mut image = DynamicImage::ImageRgb8(image);
    image.apply_orientation(orientation);
    image.into_rgb8()
}

/// The size of `width` × `height` stored pixels once turned upright.
pub(crate) fn upright_size((width, height): (u32, u32), orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH => {
            (height, width)
        }
        _ => (width, height),
    }
}

/// Steps 1 and 2 and the decode: the pixels as stored, and the orientation to apply. Turning
/// a shrunk copy is much cheaper than turning 12 MP, and the long side is the same either way.
pub(crate) fn decode_stored(bytes: &[u8]) -> Result<(RgbImage, Orientation), Refusal> {
    let header = inspect(bytes)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    let damaged = |_| Refusal::new("damaged_file", DAMAGED);
    let mut decoder = ImageReader::with_format(Cursor::new(bytes), format(header.kind))
        .into_decoder()
        .map_err(damaged)?;
    decoder.set_limits(limits).map_err(damaged)?;
    // An unreadable EXIF block is no reason to refuse the picture: it is then taken as upright.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(damaged)?;
    Ok((flatten(image), orientation))
}

fn format(kind: ImageKind) -> ImageFormat {
    match kind {
        ImageKind::Jpeg => ImageFormat::Jpeg,
        ImageKind::Png => ImageFormat::Png,
    }
}

/// 8-bit RGB; alpha is laid over white, which is how a viewer shows a transparent page.
fn flatten(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let (width, height) = rgba.dimensions();
    let mut rgb = Vec::with_capacity(width as usize * height as usize * 3);
    for pixel in rgba.pixels() {
        let [r, g, b, a] = pixel.0;
        let a = u16::from(a);
        for channel in [r, g, b] {
            rgb.push(((u16::from(channel) * a + 255 * (255 - a) + 127) / 255) as u8);
        }
    }
    RgbImage::from_raw(width, height, rgb).expect("three bytes per pixel")
}

/// Whether the JPEG's entropy-coded data reaches an end-of-image marker. The decoder fills a
/// cut-off scan with grey rather than failing, so a truncated upload would otherwise pass.
/// The walk skips the header segments, so an EXIF thumbnail's own end marker does not count.
fn jpeg_has_end(bytes: &[u8]) -> bool {
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return false;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        if marker == 0xDA {
            return bytes[at + 2 + length.min(bytes.len() - at - 2)..].windows(2).any(|w| w == [0xFF, 0xD9]);
        }
        at += 2 + length;
    }
    false
}
