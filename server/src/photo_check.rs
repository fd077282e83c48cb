//! `taxicert-server photo-check [--kind document|portrait|id-card] FILE...`: runs the phone's
//! photo pipeline (`Options::phone(2048)`, the rules of the kind from the catalogue) on files,
//! so that a tester or a clerk can see what the phone would say about a photo without one.
//! One JSON line per file, in the order given.

use std::{io::Read, path::Path};

use serde::Serialize;
use taxicert_api::{domain::sniff_image, PhotoRules, PhotoWarning};
use taxicert_photo::{Limits, Options, Refusal};

use crate::catalogue;

/// The long side the phone shrinks to by default (`config.json`'s `photo_max_side`).
pub const PHONE_MAX_SIDE: u32 = 2048;

/// What a file is a photo of, and so the rules it is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A photographed document: the driving licence's rules from the catalogue (a card, at
    /// least 800×500 on its long and short side).
    Document,
    /// The 2-inch photo's rules from the catalogue (at least 413×579, shape, colour, background).
    Portrait,
    /// A side of the ID card: `PhotoRules::ID_CARD`.
    IdCard,
}

impl Kind {
    /// `document`, `portrait` or `id-card`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Kind> {
        match text {
            "document" => Some(Kind::Document),
            "portrait" => Some(Kind::Portrait),
            "id-card" => Some(Kind::IdCard),
            _ => None,
        }
    }

    /// The material whose catalogue rules the kind uses; `None` for the ID card, whose rules
    /// are fixed in the contract.
    fn material(self) -> Option<&'static str> {
        match self {
            Kind::Document => Some("driving_licence"),
            Kind::Portrait => Some("photo_2inch"),
            Kind::IdCard => None,
        }
    }
}

/// The rules of `kind` as the phone gets them: read from the catalogue the migrations carry
/// (an in-memory database, so no file is needed). `Err`: the catalogue cannot be read.
pub async fn rules(kind: Kind) -> Result<PhotoRules, String> {
    let Some(material) = kind.material() else {
        return Ok(PhotoRules::ID_CARD);
    };
    let db = crate::db::open_memory().await.map_err(|e| format!("无法读取材料目录：{e}"))?;
    let found = catalogue::material_photo(&db, material).await;
    db.close().await;
    match found {
        Ok(Some((_, rules))) => Ok(rules),
        Ok(None) => Err(format!("材料目录中没有 {material}")),
        Err(e) => Err(format!("无法读取材料目录：{e}")),
    }
}

/// One output line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The path as given.
    pub file: String,
    /// `ok` (no advice), `warn` (usable, with advice) or `refuse` (a rule refused it).
    pub verdict: &'static str,
    /// The refusal's code (`too_small`, `unsupported_type`, …) or, for `warn`, the first
    /// warning's; null for `ok`.
    pub code: Option<String>,
    /// The message the phone would show, in Chinese; null for `ok`.
    pub message: Option<String>,
    /// The upright original's size in pixels (EXIF orientation applied); null when not even
    /// the picture's header can be read.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Every piece of advice, in the order the phone shows it.
    pub warnings: Vec<PhotoWarning>,
}

/// Reads `path` and checks it. `Err`: the file cannot be read (the message names it). A file
/// over the phone's limit is refused from its first bytes and length, without reading it all.
pub fn check_path(path: &Path, rules: &PhotoRules) -> Result<Verdict, String> {
    let name = path.display().to_string();
    let unreadable = |e: std::io::Error| format!("无法读取 {name}：{e}");
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let len = file.metadata().map_err(unreadable)?.len();
    let max = Limits::PHONE.max_file_bytes;
    if len > max as u64 {
        let mut first = [0u8; 16];
        let n = file.read(&mut first).map_err(unreadable)?;
        let message = sniff_image(&first[..n], usize::try_from(len).unwrap_or(usize::MAX), max)
            .err()
            .unwrap_or_else(|| "照片太大。".into());
        return Ok(refused(name, Refusal::new("file_too_large", message), None));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.read_to_end(&mut bytes).map_err(unreadable)?;
    Ok(check(name, &bytes, rules))
}

/// Runs the phone's pipeline on `bytes` against `rules`.
pub fn check(file: String, bytes: &[u8], rules: &PhotoRules) -> Verdict {
    match taxicert_photo::process(bytes, rules, &Options::phone(PHONE_MAX_SIDE)) {
        Ok(processed) => {
            let first = processed.warnings.first().cloned();
            Verdict {
                file,
                verdict: if first.is_some() { "warn" } else { "ok" },
                code: first.as_ref().map(|w| w.code.clone()),
                message: first.map(|w| w.message),
                width: Some(processed.source_width),
                height: Some(processed.source_height),
                warnings: processed.warnings,
            }
        }
        Err(refusal) => refused(file, refusal, upright_size(bytes)),
    }
}

fn refused(file: String, refusal: Refusal, size: Option<(u32, u32)>) -> Verdict {
    Verdict {
        file,
        verdict: "refuse",
        code: Some(refusal.code.to_owned()),
        message: Some(refusal.message),
        width: size.map(|(w, _)| w),
        height: size.map(|(_, h)| h),
        warnings: Vec::new(),
    }
}

/// The size from the JPEG or PNG header, turned as its EXIF orientation says: no pixel is
/// decoded, so it answers for a refused photo too (a 100 000 × 100 000 PNG bomb included).
fn upright_size(bytes: &[u8]) -> Option<(u32, u32)> {
    use image::{metadata::Orientation, ImageDecoder};
    let mut decoder =
        image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().ok()?.into_decoder().ok()?;
    let (width, height) = decoder.dimensions();
    let sideways = matches!(
        decoder.orientation().unwrap_or(Orientation::NoTransforms),
        Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH
    );
    Some(if sideways { (height, width) } else { (width, height) })
}
