//! Every hostile file from the testkit through the whole pipeline, natively: the expected
//! refusal or acceptance, and for each accepted photo an output that is a small, clean,
//! upright JPEG.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use image::RgbImage;
use taxicert_photo::{process, Limits, Options, Processed, Refusal};
use taxicert_testkit::hostile::{files, Expect, Hostile, RED_CORNER_PREFIX};

/// The files are drawn once and shared by the tests.
fn hostile() -> &'static [Hostile] {
    static FILES: OnceLock<Vec<Hostile>> = OnceLock::new();
    FILES.get_or_init(files)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// What is wrong with an accepted photo's output, if anything.
fn output_problems(p: &Processed, options: &Options) -> Vec<String> {
    let mut problems = Vec::new();
    if !p.jpeg.starts_with(&[0xFF, 0xD8]) {
        problems.push("output does not start with FFD8".to_string());
    }
    if contains(&p.jpeg, b"Exif\0\0") {
        problems.push("output carries an Exif block".to_string());
    }
    if contains(&p.jpeg, b"PK\x03\x04") {
        problems.push("output carries a ZIP local file header".to_string());
    }
    if p.width > options.max_side || p.height > options.max_side {
        problems.push(format!("output is {}×{}, over {} px", p.width, p.height, options.max_side));
    }
    if p.jpeg.len() > options.max_bytes {
        problems.push(format!("output is {} bytes, over {}", p.jpeg.len(), options.max_bytes));
    }
    match image::load_from_memory_with_format(&p.jpeg, image::ImageFormat::Jpeg) {
        Ok(decoded) if (decoded.width(), decoded.height()) == (p.width, p.height) => {}
        Ok(decoded) => problems.push(format!(
            "output decodes to {}×{}, says {}×{}",
            decoded.width(),
            decoded.height(),
            p.width,
            p.height
        )),
        Err(e) => problems.push(format!("output does not decode: {e}")),
    }
    problems
}

/// The mean colour of a `w` × `h` box at (`x`, `y`).
fn mean(image: &RgbImage, x: u32, y: u32, w: u32, h: u32) -> [f64; 3] {
    let mut sum = [0.0; 3];
    for yy in y..y + h {
        for xx in x..x + w {
            let p = image.get_pixel(xx, yy);
            for c in 0..3 {
                sum[c] += f64::from(p[c]);
            }
        }
    }
    sum.map(|s| s / f64::from(w * h))
}

fn red([r, g, b]: [f64; 3]) -> bool {
    r > 180.0 && g < 80.0 && b < 80.0
}

/// The output's top-left 5 % is red and its other corners are not: the photo is upright.
fn corner_problems(p: &Processed) -> Vec<String> {
    let Ok(decoded) = image::load_from_memory(&p.jpeg) else {
        return vec!["output does not decode for the corner check".into()];
    };
    let image = decoded.into_rgb8();
    let (w, h) = image.dimensions();
    let (bw, bh) = ((w * 5 / 100).max(1), (h * 5 / 100).max(1));
    let corners = [
        ("top-left", mean(&image, 0, 0, bw, bh)),
        ("top-right", mean(&image, w - bw, 0, bw, bh)),
        ("bottom-left", mean(&image, 0, h - bh, bw, bh)),
        ("bottom-right", mean(&image, w - bw, h - bh, bw, bh)),
    ];
    let mut problems = Vec::new();
    for (i, (corner, colour)) in corners.iter().enumerate() {
        let colour_text = format!("[{:.0}, {:.0}, {:.0}]", colour[0], colour[1], colour[2]);
        if i == 0 && !red(*colour) {
            problems.push(format!("the {corner} corner is not red: {colour_text}"));
        }
        if i > 0 && red(*colour) {
            problems.push(format!("the {corner} corner is red: {colour_text}; the photo is not upright"));
        }
    }
    problems
}

#[test]
fn there_are_enough_hostile_files_with_distinct_names() {
    let files = hostile();
    assert!(files.len() >= 32, "only {} hostile files", files.len());
    let mut names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), files.len(), "two hostile files share a name");
    let red_corners = files.iter().filter(|f| f.name.starts_with(RED_CORNER_PREFIX)).count();
    assert!(red_corners >= 8, "only {red_corners} EXIF orientation files");
}

/// What is wrong with `result` for a file expected to be `expect`.
fn mismatch(f: &Hostile, expect: Expect, result: &Result<Processed, Refusal>, options: &Options) -> Vec<String> {
    let mut problems = Vec::new();
    match (expect, result) {
        (Expect::Accept { width, height } | Expect::Warn { width, height, .. }, Ok(p)) => {
            if (p.source_width, p.source_height) != (width, height) {
                problems.push(format!("upright size {}×{}, expected {width}×{height}", p.source_width, p.source_height));
            }
            let codes: Vec<&str> = p.warnings.iter().map(|w| w.code.as_str()).collect();
            match expect {
                Expect::Warn { code, .. } if !codes.contains(&code) => problems.push(format!("warnings {codes:?}, expected {code}")),
                Expect::Accept { .. } if !codes.is_empty() => problems.push(format!("warnings {codes:?}, expected none")),
                _ => {}
            }
            for w in &p.warnings {
                if !w.message.chars().any(is_cjk) {
                    problems.push(format!("warning {} has no Chinese message: {:?}", w.code, w.message));
                }
            }
            problems.extend(output_problems(p, options));
            if f.name.starts_with(RED_CORNER_PREFIX) {
                problems.extend(corner_problems(p));
            }
        }
        (Expect::Refuse(code), Err(refusal)) => {
            if refusal.code != code {
                problems.push(format!("refused as {} ({}), expected {code}", refusal.code, refusal.message));
            }
        }
        (_, Err(refusal)) => problems.push(format!("refused as {} ({})", refusal.code, refusal.message)),
        (Expect::Refuse(_), Ok(p)) => problems.push(format!(
            "accepted: {}×{} upright, {}×{} out, {} bytes at quality {}",
            p.source_width,
            p.source_height,
            p.width,
            p.height,
            p.jpeg.len(),
            p.quality
        )),
    }
    if let Err(refusal) = result {
        if !refusal.message.chars().any(is_cjk) {
            problems.push(format!("refusal {} has no Chinese message: {:?}", refusal.code, refusal.message));
        }
    }
    problems.into_iter().map(|p| format!("{} (expected {expect:?}): {p}", f.name)).collect()
}

#[test]
fn every_hostile_file_meets_its_expectation() {
    let options = Options::server(2048);
    let mismatches: Vec<String> =
        hostile().iter().flat_map(|f| mismatch(f, f.expect, &process(&f.bytes, &f.rules, &options), &options)).collect();
    assert!(mismatches.is_empty(), "{} mismatch(es):\n  {}", mismatches.len(), mismatches.join("\n  "));
}

/// The phone takes what the server takes, and more: a file between 10 and 50 MiB is shrunk
/// before it is sent.
#[test]
fn the_phone_accepts_what_the_server_accepts_and_files_over_10_mib() {
    let options = Options::phone(2048);
    let mut mismatches = Vec::new();
    for f in hostile() {
        let result = process(&f.bytes, &f.rules, &options);
        let expect = match f.expect {
            Expect::Refuse("file_too_large") if f.bytes.len() <= Limits::PHONE.max_file_bytes => {
                let Ok(p) = &result else {
                    mismatches.push(format!("{}: refused by the phone: {:?}", f.name, result.err()));
                    continue;
                };
                Expect::Accept { width: p.source_width, height: p.source_height }
            }
            // The header's size is over the server's limits but within the phone's, which
            // looks further: the pixels behind it are not there.
            Expect::Refuse("too_many_pixels") if ["jpeg-sof-9000x9000.jpg", "png-header-12001x10.png"].contains(&f.name.as_str()) => {
                Expect::Refuse("damaged_file")
            }
            expect => expect,
        };
        mismatches.extend(mismatch(f, expect, &result, &options));
    }
    assert!(mismatches.is_empty(), "{} mismatch(es):\n  {}", mismatches.len(), mismatches.join("\n  "));
}

#[test]
fn no_truncation_of_any_file_panics() {
    let options = Options::phone(2048);
    let mut panics = Vec::new();
    for f in hostile() {
        for k in 1..=10 {
            let cut = f.bytes.len() * k / 11;
            let bytes = &f.bytes[..cut];
            if catch_unwind(AssertUnwindSafe(|| process(bytes, &f.rules, &options))).is_err() {
                panics.push(format!("{} cut at {cut} of {} bytes", f.name, f.bytes.len()));
            }
        }
    }
    assert!(panics.is_empty(), "process panicked on:\n  {}", panics.join("\n  "));
}

/// The real-name page sends both sides of the ID card through the same pipeline, with the
/// card rules: the fictional cards the tests draw must pass it, as a good photo would.
#[test]
fn the_drawn_id_cards_pass_the_card_rules() {
    let card = taxicert_testkit::CardData::sample();
    for side in [taxicert_testkit::portrait_side(&card), taxicert_testkit::emblem_side(&card)] {
        let image = taxicert_photo::decode(&side).unwrap();
        let measured = taxicert_photo::quality::measure(&image);
        let processed = taxicert_photo::process(&side, &taxicert_api::PhotoRules::ID_CARD, &Options::phone(2048));
        match processed {
            Ok(p) => assert!(p.warnings.is_empty(), "warnings {:?}, measured {measured:?}", p.warnings),
            Err(refusal) => panic!("{refusal:?}, measured {measured:?}"),
        }
    }
}
