//! The photo pipeline, shared by the app's Web Worker and the reference server, with no
//! `web_sys` in it so that it is tested natively:
//!
//! 1. sniff the type from the bytes (JPEG and PNG only) and refuse empty or over-large files
//!    before reading them;
//! 2. read the dimensions from the header and refuse more than `Limits::max_pixels` or a side
//!    over `Limits::max_side`, then decode with explicit limits: a JPEG much larger than the
//!    output at a reduced scale (DCT scaling), ignoring whatever is appended after its end
//!    marker (a motion photo's video, an MPF second picture);
//! 3. apply the EXIF orientation;
//! 4. check the quality on a fixed working size (blur, exposure, glare, resolution) and the
//!    material's own rules (the 2-inch portrait's shape, colour and background);
//! 5. re-encode as a JPEG of at most `max_side` px and `max_bytes`, with no metadata at all.

mod decode;
mod encode;
pub mod quality;
pub mod ssim;

pub use decode::{decode, inspect, Header, MAX_DECODED_PIXELS};
pub use encode::{encode, Encoded};
pub use taxicert_api::{MaterialKind, PhotoRules, PhotoWarning};

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

/// What a photo may be before it is read: bytes, pixels and side, checked on the file and its
/// header before any pixel is decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The file's size in bytes, at most.
    pub max_file_bytes: usize,
    /// Width × height at most. A JPEG beyond 50 MP is decoded at a reduced scale (DCT
    /// scaling), so this bounds the work, not the memory.
    pub max_pixels: u64,
    /// The longest side, in pixels, at most.
    pub max_side: u32,
}

impl Limits {
    /// What the phone takes from its camera or album: up to 50 MB (motion photos carry a video
    /// after the picture) and 200 MP (a 200 MP camera mode).
    pub const PHONE: Limits =
        Limits { max_file_bytes: taxicert_api::domain::MAX_ORIGINAL_BYTES, max_pixels: 200_000_000, max_side: 20_000 };
    /// What the server takes in one upload: the phone sends at most 1 MB, a script at most this.
    pub const SERVER: Limits =
        Limits { max_file_bytes: taxicert_api::domain::MAX_UPLOAD_BYTES, max_pixels: 50_000_000, max_side: 12_000 };
}

/// The size and weight the output may have, and the limits of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The output's long side, at most; smaller photos are never enlarged.
    pub max_side: u32,
    /// The output's size in bytes, at most.
    pub max_bytes: usize,
    /// What the input may be.
    pub limits: Limits,
}

impl Options {
    /// The phone's options: `max_side` from `config.json`, at most 1 MB out.
    pub fn phone(max_side: u32) -> Options {
        Options { max_side, limits: Limits::PHONE, ..Options::default() }
    }

    /// The server's options: `max_side` from its configuration.
    pub fn server(max_side: u32) -> Options {
        Options { max_side, ..Options::default() }
    }
}

impl Default for Options {
    fn default() -> Options {
        Options { max_side: 2048, max_bytes: 1024 * 1024, limits: Limits::SERVER }
    }
}

/// A photo that passed the rules, re-encoded, with the quality checks' advice.
#[derive(Clone, Debug)]
pub struct Processed {
    /// A baseline JPEG with no EXIF, GPS, ICC, XMP or comment blocks, and nothing after it.
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The JPEG quality the size search settled on.
    pub quality: u8,
    /// The upright photo's size before it was shrunk.
    pub source_width: u32,
    pub source_height: u32,
    /// What the quality checks advise (blur, light, glare, the portrait's shape, colour and
    /// background); empty when the photo is good. Advice never stops the photo.
    pub warnings: Vec<PhotoWarning>,
}

/// The whole pipeline, as the phone runs it before sending a photo and the server runs it again
/// on what it receives: the rules (type, damage, limits, the material's minimum resolution)
/// refuse; the quality checks advise.
pub fn process(bytes: &[u8], rules: &PhotoRules, options: &Options) -> Result<Processed, Refusal> {
    let (image, source) = shrunk_upright(bytes, options)?;
    let warnings = quality::assess(&image, source, rules)?;
    let Encoded { jpeg, width, height, quality } = encode(image, options);
    let (source_width, source_height) = source;
    Ok(Processed { jpeg, width, height, quality, source_width, source_height, warnings })
}

/// Decoded, shrunk to `max_side`, then turned upright (turning the small copy is the cheap
/// order); with the upright size of the original.
fn shrunk_upright(bytes: &[u8], options: &Options) -> Result<(image::RgbImage, (u32, u32)), Refusal> {
    let needed = options.max_side.max(quality::WORKING_SIDE);
    let (stored, orientation, stored_size) = decode::decode_stored(bytes, &options.limits, needed)?;
    let source = decode::upright_size(stored_size, orientation);
    Ok((decode::upright(encode::shrink(stored, options.max_side), orientation), source))
}
