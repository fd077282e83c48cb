//! The photo pipeline, shared by the app's Web Worker and the reference server, with no
//! `web_sys` in it so that it is tested natively:
//!
//! 1. sniff the type from the bytes (JPEG and PNG only) and refuse empty or over-large files
//!    before reading them;
//! 2. read the dimensions from the header and refuse more than 50 megapixels or a side over
//!    12,000 px, then decode with explicit limits;
//! 3. apply the EXIF orientation;
//! 4. check the quality on a fixed working size (blur, exposure, glare, resolution) and the
//!    material's own rules (the 2-inch portrait's shape, colour and background);
//! 5. re-encode as a JPEG of at most `max_side` px and `max_bytes`, with no metadata at all.

mod decode;
mod encode;
pub mod quality;
pub mod ssim;

pub use decode::{decode, inspect, Header, MAX_PIXELS, MAX_SIDE};
pub use encode::{encode, Encoded};
pub use taxicert_api::{MaterialKind, PhotoRules};

/// Why a photo was not accepted: a stable code for programs and a message, in Chinese, that
/// says what is wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal { code, message: message.into() }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The size and weight the output may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The output's long side, at most; smaller photos are never enlarged.
    pub max_side: u32,
    /// The output's size in bytes, at most.
    pub max_bytes: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options { max_side: 2048, max_bytes: 1024 * 1024 }
    }
}

/// A photo that passed, re-encoded.
#[derive(Clone, Debug)]
pub struct Processed {
    /// A baseline JPEG with no EXIF, GPS, ICC, XMP or comment blocks.
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The JPEG quality the size search settled on.
    pub quality: u8,
    /// The upright photo's size before it was shrunk.
    pub source_width: u32,
    pub source_height: u32,
}

/// The whole pipeline, as the phone runs it before sending a photo of a material.
pub fn process(bytes: &[u8], rules: &PhotoRules, options: &Options) -> Result<Processed, Refusal> {
    let (image, source) = shrunk_upright(bytes, options)?;
    quality::assess(&image, source, rules)?;
    Ok(finish(image, source, options))
}

/// The server's re-check of an upload: everything but the quality checks, which are advice
/// to the photographer rather than rules about the file.
pub fn recheck(bytes: &[u8], options: &Options) -> Result<Processed, Refusal> {
    let (image, source) = shrunk_upright(bytes, options)?;
    Ok(finish(image, source, options))
}

/// Decoded, shrunk to `max_side`, then turned upright (turning the small copy is the cheap
/// order); with the upright size of the original.
fn shrunk_upright(bytes: &[u8], options: &Options) -> Result<(image::RgbImage, (u32, u32)), Refusal> {
    let (stored, orientation) = decode::decode_stored(bytes)?;
    let source = decode::upright_size(stored.dimensions(), orientation);
    Ok((decode::upright(encode::shrink(stored, options.max_side), orientation), source))
}

fn finish(image: image::RgbImage, (source_width, source_height): (u32, u32), options: &Options) -> Processed {
    let Encoded { jpeg, width, height, quality } = encode(image, options);
    Processed { jpeg, width, height, quality, source_width, source_height }
}
