//! Steps 1 to 3: sniff, header limits, decode with limits, upright.
//!
//! A JPEG whose long side is at least twice what the output and the checks need is decoded at
//! a reduced scale (1/2, 1/4 or 1/8) by `jpeg-decoder`'s DCT scaling: a 200 MP photo then
//! never exists as 200 MP of pixels, only as its file and a picture of a few megapixels.
//! Everything else is decoded whole by the `image` crate (zune-jpeg, png), which is faster.

use std::io::Cursor;

use image::{metadata::Orientation, DynamicImage, ImageDecoder, ImageFormat, ImageReader, RgbImage};
use taxicert_api::domain::{sniff_image, ImageKind};

use crate::{Limits, Refusal};

/// The most pixels ever decoded whole: a 50 MP photo. Beyond it a JPEG must be decoded at a
/// reduced scale, and a PNG (which cannot be) is refused.
pub const MAX_DECODED_PIXELS: u64 = 50_000_000;
/// The decoder may allocate at most this much: a 50 MP photo at 8 bits per channel with
/// alpha, or a smaller one at 16 bits.
const MAX_ALLOC: u64 = MAX_DECODED_PIXELS * 4;

const DAMAGED: &str = "照片文件已损坏或不完整，无法读取。请重新拍照，或从相册重新选择原图。";

/// What the header says, read before any pixel is decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub kind: ImageKind,
    /// The stored size in pixels, before the EXIF orientation is applied.
    pub width: u32,
    pub height: u32,
}

/// Where a JPEG's parts are, from a walk over its segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct JpegLayout {
    width: u32,
    height: u32,
    /// A progressive (SOF2, SOF6, SOF10, SOF14) frame: its decoders keep every coefficient of
    /// the whole picture, 3 to 6 bytes a pixel, whatever the output scale.
    progressive: bool,
    /// Just past the picture's end-of-image marker. What follows (a motion photo's video, an
    /// MPF second picture, a ZIP) is not the picture and is never read.
    end: Option<usize>,
    /// A baseline frame whose scan is too short for the blocks its header claims: every 8 × 8
    /// block costs at least two bits (its DC difference and its end-of-block code), so a header
    /// that claims a 9000 × 9000 picture over 90 KB of data lies, and the decoder would fill
    /// the rest with grey.
    too_short: bool,
}

/// Steps 1 and 2: the type by content, the size in bytes, and the dimensions from the header.
/// Refuses (`code`): `empty_file`, `file_too_large` (over `limits.max_file_bytes`), `heif`,
/// `unsupported_type`, `damaged_file` (no readable header, or a JPEG with no end), and
/// `too_many_pixels` (over `limits.max_pixels` or `limits.max_side`).
pub fn inspect(bytes: &[u8], limits: &Limits) -> Result<Header, Refusal> {
    inspect_layout(bytes, limits).map(|(header, _)| header)
}

fn inspect_layout(bytes: &[u8], limits: &Limits) -> Result<(Header, Option<JpegLayout>), Refusal> {
    let first = &bytes[..bytes.len().min(16)];
    let kind = sniff_image(first, bytes.len(), limits.max_file_bytes).map_err(|message| {
        let code = match bytes.len() {
            0 => "empty_file",
            n if n > limits.max_file_bytes => "file_too_large",
            _ if taxicert_api::domain::is_heif(first) => "heif",
            _ => "unsupported_type",
        };
        Refusal::new(code, message)
    })?;
    let damaged = || Refusal::new("damaged_file", DAMAGED);
    let (layout, (width, height)) = match kind {
        ImageKind::Jpeg => {
            let layout = jpeg_layout(bytes).ok_or_else(damaged)?;
            (Some(layout), (layout.width, layout.height))
        }
        ImageKind::Png => {
            let size = ImageReader::with_format(Cursor::new(bytes), ImageFormat::Png).into_dimensions().map_err(|_| damaged())?;
            (None, size)
        }
    };
    if width == 0 || height == 0 {
        return Err(damaged());
    }
    if width > limits.max_side || height > limits.max_side || u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(Refusal::new(
            "too_many_pixels",
            format!(
                "照片尺寸为{width}×{height}像素，超过了{}万像素或单边{}像素的上限。请用手机相机的普通模式拍摄后上传。",
                limits.max_pixels / 10_000,
                limits.max_side
            ),
        ));
    }
    if layout.is_some_and(|l| l.end.is_none() || l.too_short) {
        return Err(damaged());
    }
    Ok((Header { kind, width, height }, layout))
}

/// Steps 1 to 3: the upright photo as 8-bit RGB, transparent parts laid on white, decoded
/// whole under `Limits::SERVER`.
pub fn decode(bytes: &[u8]) -> Result<RgbImage, Refusal> {
    let (stored, orientation, _) = decode_stored(bytes, &Limits::SERVER, u32::MAX)?;
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

/// Steps 1 and 2 and the decode: the pixels as stored, the orientation to apply, and the
/// stored size of the original. The decoded pixels may be fewer: a JPEG whose long side is at
/// least twice `needed` px is decoded at 1/2, 1/4 or 1/8 scale, never to a long side under
/// `needed`, and a JPEG over 50 MP always at a scale that brings it to 50 MP or less. Turning
/// a shrunk copy is much cheaper than turning 12 MP, and the long side is the same either way.
pub(crate) fn decode_stored(
    bytes: &[u8],
    limits: &Limits,
    needed: u32,
) -> Result<(RgbImage, Orientation, (u32, u32)), Refusal> {
    let (header, layout) = inspect_layout(bytes, limits)?;
    let (width, height) = (header.width, header.height);
    let pixels = u64::from(width) * u64::from(height);
    let Some(layout) = layout else {
        if pixels > MAX_DECODED_PIXELS {
            return Err(Refusal::new(
                "too_many_pixels",
                format!(
                    "这张PNG图片为{width}×{height}像素，超过了PNG可处理的5000万像素。请截图后上传截图，或在相册中另存为JPEG后上传。"
                ),
            ));
        }
        return decode_whole(bytes, ImageFormat::Png, header);
    };
    // The picture ends at its end marker: a motion photo's video or an MPF picture after it is
    // never handed to a decoder.
    let picture = &bytes[..layout.end.expect("inspect refuses a JPEG with no end")];
    let scale = dct_scale(width, height, needed);
    if scale == 1 {
        return decode_whole(picture, ImageFormat::Jpeg, header);
    }
    if layout.progressive {
        if pixels <= MAX_DECODED_PIXELS {
            return decode_whole(picture, ImageFormat::Jpeg, header);
        }
        return Err(Refusal::new(
            "too_many_pixels",
            format!(
                "这张照片为{width}×{height}像素的渐进式JPEG，超过了此格式可处理的5000万像素。请用手机相机直接拍摄的原图，或截图后上传。"
            ),
        ));
    }
    decode_scaled(picture, header, scale)
}

/// The reduction (1, 2, 4 or 8) to decode a `width` × `height` JPEG at: the largest that keeps
/// the long side at `needed` px or more, and at least the one that brings it to 50 MP.
fn dct_scale(width: u32, height: u32, needed: u32) -> u32 {
    let long = width.max(height);
    let pixels = u64::from(width) * u64::from(height);
    let mut scale = 1;
    while scale < 8 && long / (scale * 2) >= needed {
        scale *= 2;
    }
    while scale < 8 && pixels / u64::from(scale * scale) > MAX_DECODED_PIXELS {
        scale *= 2;
    }
    scale
}

/// The whole picture, by the `image` crate, with its limits.
fn decode_whole(bytes: &[u8], format: ImageFormat, header: Header) -> Result<(RgbImage, Orientation, (u32, u32)), Refusal> {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(header.width);
    limits.max_image_height = Some(header.height);
    limits.max_alloc = Some(MAX_ALLOC);
    let damaged = |_| Refusal::new("damaged_file", DAMAGED);
    let mut decoder = ImageReader::with_format(Cursor::new(bytes), format).into_decoder().map_err(damaged)?;
    decoder.set_limits(limits).map_err(damaged)?;
    // An unreadable EXIF block is no reason to refuse the picture: it is then taken as upright.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(damaged)?;
    Ok((flatten(image), orientation, (header.width, header.height)))
}

/// A baseline JPEG decoded at 1/`scale` by `jpeg-decoder`, which turns each 8 × 8 block into
/// 8/`scale` pixels with a smaller inverse DCT: the full-size picture never exists. Grey and
/// RGB pictures only; a CMYK or 12-bit one of this size is refused.
fn decode_scaled(picture: &[u8], header: Header, scale: u32) -> Result<(RgbImage, Orientation, (u32, u32)), Refusal> {
    let damaged = || Refusal::new("damaged_file", DAMAGED);
    let mut decoder = jpeg_decoder::Decoder::new(picture);
    // At most a 50 MP picture of four channels, whatever the header claims.
    decoder.set_max_decoding_buffer_size(MAX_ALLOC as usize);
    let requested = |side: u32| u16::try_from(side.div_ceil(scale)).unwrap_or(u16::MAX);
    let (width, height) = decoder.scale(requested(header.width), requested(header.height)).map_err(|_| damaged())?;
    let data = decoder.decode().map_err(|_| damaged())?;
    let info = decoder.info().ok_or_else(damaged)?;
    let orientation =
        decoder.exif_data().and_then(Orientation::from_exif_chunk).unwrap_or(Orientation::NoTransforms);
    let (width, height) = (u32::from(width), u32::from(height));
    let pixels = width as usize * height as usize;
    let rgb = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 if data.len() == pixels * 3 => data,
        jpeg_decoder::PixelFormat::L8 if data.len() == pixels => data.iter().flat_map(|&l| [l, l, l]).collect(),
        _ => {
            return Err(Refusal::new(
                "unsupported_type",
                format!(
                    "这张照片为{}×{}像素，是印刷用的CMYK或12位JPEG，这么大的此类照片无法处理。请用手机相机直接拍摄，或截图后上传。",
                    header.width, header.height
                ),
            ))
        }
    };
    let image = RgbImage::from_raw(width, height, rgb).ok_or_else(damaged)?;
    Ok((image, orientation, (header.width, header.height)))
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

/// Walks a JPEG's header segments to its frame header (the stored size, baseline or
/// progressive) and on to the end-of-image marker after its first scan; `None` when there is
/// no frame header before the first scan, or a segment runs past the end. The walk skips the
/// segments' contents, so an EXIF thumbnail's own end marker does not count, and it stops at
/// the first end marker after the scans (stuffed `FF 00` bytes and restart markers aside, no
/// marker occurs inside entropy-coded data), so what is appended after the picture is not
/// taken for it. The decoder fills a cut-off scan with grey rather than failing: without the
/// end marker a truncated upload would otherwise pass.
fn jpeg_layout(bytes: &[u8]) -> Option<JpegLayout> {
    let mut at = 2;
    let mut frame = None;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            at += 2;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        if length < 2 || at + 2 + length > bytes.len() {
            return None;
        }
        let segment = &bytes[at + 4..at + 2 + length];
        // SOF0 to SOF15 but DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) && segment.len() >= 6 {
            let (width, height) =
                (u32::from(u16::from_be_bytes([segment[3], segment[4]])), u32::from(u16::from_be_bytes([segment[1], segment[2]])));
            frame = Some((width, height, matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE), blocks(width, height, &segment[6..])));
        }
        if marker == 0xDA {
            let (width, height, progressive, blocks) = frame?;
            let scan = at + 2 + length;
            let end = bytes[scan..].windows(2).position(|w| w == [0xFF, 0xD9]).map(|i| scan + i + 2);
            // Progressive scans code runs of empty blocks at once: no such bound holds for them.
            let too_short = !progressive && end.is_some_and(|end| ((end - scan) as u64) * 8 < 2 * blocks);
            return Some(JpegLayout { width, height, progressive, end, too_short });
        }
        at += 2 + length;
    }
    None
}

/// How many 8 × 8 blocks a `width` × `height` frame with these component specifications (three
/// bytes each: id, sampling factors, table) holds, rounded down.
fn blocks(width: u32, height: u32, components: &[u8]) -> u64 {
    let sampling: Vec<(u64, u64)> =
        components.chunks_exact(3).map(|c| (u64::from(c[1] >> 4).max(1), u64::from(c[1] & 0x0F).max(1))).collect();
    let (h_max, v_max) = sampling.iter().fold((1, 1), |(h, v), &(ch, cv)| (h.max(ch), v.max(cv)));
    sampling
        .iter()
        .map(|&(h, v)| (u64::from(width) * h / h_max / 8) * (u64::from(height) * v / v_max / 8))
        .sum()
}
