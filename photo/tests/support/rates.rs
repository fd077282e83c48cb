//! The quality checks' rates on the two labelled sets, shared by the rates test and
//! `photo-bench rates` (included by path from both).
//!
//! - the first set, `taxicert_testkit::photos::labelled_set`: documents and outdoor scenes, sharp
//!   or blurred, drawn in memory and measured directly;
//! - the second, `taxicert_testkit::field::field_set`: materials drivers photograph, with real
//!   fonts, put through a phone camera and a JPEG, then through the whole pipeline
//!   (`process` with the phone's options), as the phone runs it.
//!
//! A check's *hit rate* is the share of the photos with its defect that it flags (target ≥ 95 %);
//! its *false alarm rate* the share of the good photos (sharp, well lit, no glare) it flags
//! (target ≤ 1 %).

use taxicert_api::{MaterialKind, PhotoRules};
use taxicert_photo::quality::{advise, measure, Measurements};
use taxicert_photo::{process, Options};
use taxicert_testkit::field::{FieldPhoto, Scene};
use taxicert_testkit::photos::{Blur, Labelled};

/// The four checks that are rated.
pub const CHECKS: [&str; 4] = ["blurry", "too_dark", "too_bright", "glare"];

/// One judged photo.
pub struct Judged {
    pub set: &'static str,
    pub name: String,
    /// The scene kind, for the per-kind table.
    pub kind: String,
    /// The checks a clerk would want to fire (a subset of `CHECKS`); `None` for a photo whose
    /// defect is too slight to call either way (the first set's weakest blurs).
    pub defects: Option<Vec<&'static str>>,
    /// The warnings the pipeline gave.
    pub warnings: Vec<String>,
    pub measured: Option<Measurements>,
}

impl Judged {
    pub fn good(&self) -> bool {
        self.defects.as_ref().is_some_and(|d| d.is_empty())
    }
    pub fn has(&self, check: &str) -> bool {
        self.defects.as_ref().is_some_and(|d| d.contains(&check))
    }
    pub fn flagged(&self, check: &str) -> bool {
        self.warnings.iter().any(|w| w == check)
    }
}

const DOCUMENT: PhotoRules = PhotoRules::document(400, 300);
const PORTRAIT: PhotoRules = PhotoRules { kind: MaterialKind::Portrait, min_width: 413, min_height: 579 };

/// A picture of the first set, measured as the pipeline measures a decoded photo.
pub fn judge_labelled(l: &Labelled) -> Judged {
    let m = measure(&l.image);
    let warnings = advise(&m, l.image.dimensions(), MaterialKind::Document).into_iter().map(|w| w.code).collect();
    // Blurs at least as strong as the second set's: σ ≥ 2 px or a shake of ≥ 12 px.
    let defects = match l.blur {
        Blur::Sharp => Some(vec![]),
        Blur::Gaussian(sigma) if sigma >= 2.0 => Some(vec!["blurry"]),
        Blur::Motion(length, _) if length >= 12.0 => Some(vec!["blurry"]),
        _ => None,
    };
    let kind = l.name.split('-').next().unwrap_or("").to_string();
    Judged { set: "first", name: l.name.clone(), kind, defects, warnings, measured: Some(m) }
}

/// A photo of the second set, through the whole pipeline with the phone's options.
pub fn judge_field(p: &FieldPhoto) -> Judged {
    let rules = if p.scene == Scene::Portrait { PORTRAIT } else { DOCUMENT };
    let processed = process(&p.bytes, &rules, &Options::phone(2048));
    let warnings = match processed {
        Ok(out) => out.warnings.into_iter().map(|w| w.code).collect(),
        Err(refusal) => vec![format!("refused:{}", refusal.code)],
    };
    let t = p.truth;
    let defects: Vec<&'static str> =
        [(t.blurred, "blurry"), (t.dark, "too_dark"), (t.bright, "too_bright"), (t.glare, "glare")]
            .into_iter()
            .filter_map(|(on, code)| on.then_some(code))
            .collect();
    let measured = image::load_from_memory(&p.bytes).ok().map(|i| measure(&i.into_rgb8()));
    Judged { set: "second", name: p.name.clone(), kind: format!("{:?}", p.scene), defects: Some(defects), warnings, measured }
}

/// Hits and false alarms of one check over `judged`: (flagged with, with, flagged good, good).
pub fn counts<'a>(judged: impl IntoIterator<Item = &'a Judged>, check: &str) -> (usize, usize, usize, usize) {
    let (mut hit, mut with, mut alarm, mut good) = (0, 0, 0, 0);
    for j in judged {
        if j.has(check) {
            with += 1;
            hit += usize::from(j.flagged(check));
        } else if j.good() {
            good += 1;
            alarm += usize::from(j.flagged(check));
        }
    }
    (hit, with, alarm, good)
}

/// `n / of` as a percentage, or a dash when there is nothing to count.
pub fn percent(n: usize, of: usize) -> String {
    if of == 0 {
        "—".into()
    } else {
        format!("{:.1} %", 100.0 * n as f64 / of as f64)
    }
}
