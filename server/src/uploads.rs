//! The server's own check of an uploaded photo: type by content, size, pixel limits and a
//! full decode. The app checks first; the server is the authority.

use image::{ImageFormat, ImageReader, Limits};
use taxicert_api::domain::{sniff_image, ImageKind};

use crate::error::AppError;

/// 50 megapixels, and no side over 12,000 px.
const MAX_PIXELS: u64 = 50_000_000;
const MAX_SIDE: u32 = 12_000;

/// Checks `bytes` as a photo for `what` (e.g. `身份证人像面`); the refusal says which photo.
pub fn check_photo(bytes: &[u8], what: &str, field: &str) -> Result<ImageKind, AppError> {
    let refuse = |message: String| {
        let mut error = AppError::bad_request("invalid_photo", format!("{what}:{message}"));
        if let AppError::Client { body, .. } = &mut error {
            body.field = Some(field.into());
        }
        error
    };
    let kind = sniff_image(&bytes[..bytes.len().min(16)], bytes.len()).map_err(refuse)?;
    let format = match kind {
        ImageKind::Jpeg => ImageFormat::Jpeg,
        ImageKind::Png => ImageFormat::Png,
    };
    let (width, height) = ImageReader::with_format(std::io::Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| refuse("照片文件已损坏,无法读取,请重新拍照后上传。".into()))?;
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(refuse(format!("照片尺寸为{width}×{height}像素,过大,请用手机相机直接拍摄后上传。")));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4);
    let mut reader = ImageReader::with_format(std::io::Cursor::new(bytes), format);
    reader.limits(limits);
    reader.decode().map_err(|_| refuse("照片文件已损坏或不完整,请重新拍照后上传。".into()))?;
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = std::io::Cursor::new(Vec::new());
        image::RgbImage::new(width, height).write_to(&mut bytes, ImageFormat::Png).unwrap();
        bytes.into_inner()
    }

    fn message(error: AppError) -> String {
        error.body().message
    }

    #[test]
    fn a_real_png_passes() {
        assert_eq!(check_photo(&png(40, 30), "身份证人像面", "portrait").unwrap(), ImageKind::Png);
    }

    #[test]
    fn truncated_and_disguised_files_are_refused_with_the_photo_named() {
        let mut truncated = png(400, 300);
        truncated.truncate(60);
        assert!(message(check_photo(&truncated, "身份证人像面", "portrait").unwrap_err()).starts_with("身份证人像面:"));
        let error = check_photo(b"<html><body>x</body></html>", "身份证国徽面", "emblem").unwrap_err();
        assert_eq!(error.body().field.as_deref(), Some("emblem"));
        assert!(message(error).contains("jpg或png"));
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn a_png_declaring_enormous_dimensions_is_refused_before_decoding() {
        let mut bytes = png(10, 10);
        // IHDR width and height sit at bytes 16..24.
        bytes[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        let error = check_photo(&bytes, "身份证人像面", "portrait").unwrap_err();
        assert!(message(error).contains("过大") , "too large is named");
    }
}
