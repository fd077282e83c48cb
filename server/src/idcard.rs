//! Reading an ID card's fields from its two photos. [`TesseractReader`] runs Debian's
//! `tesseract` with the `chi_sim` model on the photos the pipeline made upright (EXIF
//! orientation applied); a card photographed sideways or upside down without that tag is read
//! again turned by 90°, 180° and 270°, and the best reading is kept. What was read is checked
//! against the ID number's check digit and the birth date encoded in it; what it cannot read
//! comes back empty, for the user to type.

use std::{
    future::Future,
    pin::Pin,
    process::Stdio,
    time::{Duration, Instant},
};

use image::{imageops, GrayImage};
use taxicert_api::{domain::IdNumber, IdCardFields};
use tokio::io::AsyncWriteExt;

pub type ReadFuture<'a> = Pin<Box<dyn Future<Output = IdCardFields> + Send + 'a>>;

pub trait IdCardReader: Send + Sync + 'static {
    /// Reads `portrait` (人像面) and `emblem` (国徽面), each an upright JPEG or PNG. Never
    /// fails: a field it cannot read is empty.
    fn read<'a>(&'a self, portrait: &'a [u8], emblem: &'a [u8]) -> ReadFuture<'a>;
}

pub struct TesseractReader;

impl IdCardReader for TesseractReader {
    fn read<'a>(&'a self, portrait: &'a [u8], emblem: &'a [u8]) -> ReadFuture<'a> {
        Box::pin(async move {
            let (mut fields, back) = tokio::join!(read_side(portrait, Side::Portrait), read_side(emblem, Side::Emblem));
            fields.authority = back.authority;
            fields.valid_from = back.valid_from;
            fields.valid_until = back.valid_until;
            fields
        })
    }
}

/// Which side of the card a photo shows: each has its own fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Portrait,
    Emblem,
}

impl Side {
    fn parse(self, text: &str) -> IdCardFields {
        match self {
            Side::Portrait => parse_portrait(text),
            Side::Emblem => parse_emblem(text),
        }
    }

    /// How much of the side a reading has: the checked ID number counts most, then the name
    /// (what the driver would least like to type), then each other field.
    pub fn score(self, f: &IdCardFields) -> u32 {
        let filled = |v: &str| u32::from(!v.is_empty());
        match self {
            Side::Portrait => {
                4 * filled(&f.id_number)
                    + 2 * filled(&f.name)
                    + filled(&f.gender)
                    + filled(&f.ethnicity)
                    + filled(&f.birth_date)
                    + filled(&f.address)
            }
            Side::Emblem => filled(&f.authority) + filled(&f.valid_from) + filled(&f.valid_until),
        }
    }

    /// A reading good enough that turning the picture cannot do better where it matters: the
    /// number (it passed its check digit) and the name; the issuing authority and the dates.
    pub fn good_enough(self, f: &IdCardFields) -> bool {
        match self {
            Side::Portrait => !f.id_number.is_empty() && !f.name.is_empty(),
            Side::Emblem => !f.authority.is_empty() && !f.valid_from.is_empty() && !f.valid_until.is_empty(),
        }
    }
}

/// How long one side may be read, all turns together. A blurred or dark photo reads slowly
/// and badly: past this the driver is better served typing the fields than waiting (he waits
/// for both sides at once, and the app's upload gives up after 90 s on a weak link).
pub const READ_BUDGET: Duration = Duration::from_secs(20);

/// Reads one side: the upright picture first, then, if that reads too little, the picture
/// turned (clockwise, in degrees) in the order [`turns`] gives, until a turn reads well enough
/// or [`READ_BUDGET`] is spent.
async fn read_side(image: &[u8], side: Side) -> IdCardFields {
    let deadline = Instant::now() + READ_BUDGET;
    let mut best = side.parse(&ocr(image, deadline).await.unwrap_or_default());
    if side.good_enough(&best) || Instant::now() >= deadline {
        return best;
    }
    let bytes = image.to_vec();
    // Decoded once, as grey: tesseract works on grey anyway and a third of the bytes is faster
    // to hand over.
    let Ok(Ok(grey)) = tokio::task::spawn_blocking(move || {
        taxicert_photo::decode(&bytes).map(|rgb| image::DynamicImage::ImageRgb8(rgb).into_luma8())
    })
    .await
    else {
        return best;
    };
    for degrees in turns(grey.width(), grey.height()) {
        let source = grey.clone();
        let Ok(Some(png)) = tokio::task::spawn_blocking(move || png_bytes(&turned(&source, degrees))).await else {
            continue;
        };
        let reading = side.parse(&ocr(&png, deadline).await.unwrap_or_default());
        if side.score(&reading) > side.score(&best) {
            best = reading;
        }
        if side.good_enough(&best) || Instant::now() >= deadline {
            break;
        }
    }
    best
}

/// The turns to try after the upright picture, the likeliest first: a card is wider than it is
/// tall, so a picture taller than wide is probably a card on its side.
pub fn turns(width: u32, height: u32) -> [u16; 3] {
    if height > width {
        [90, 270, 180]
    } else {
        [180, 90, 270]
    }
}

/// `image` turned clockwise by `degrees` (90, 180 or 270; anything else leaves it).
pub fn turned(image: &GrayImage, degrees: u16) -> GrayImage {
    match degrees {
        90 => imageops::rotate90(image),
        180 => imageops::rotate180(image),
        270 => imageops::rotate270(image),
        _ => image.clone(),
    }
}

/// A PNG of `image`, fast rather than small: it only goes down a pipe to tesseract.
fn png_bytes(image: &GrayImage) -> Option<Vec<u8>> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Sub,
    );
    encoder.write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::L8).ok()?;
    Some(out)
}

/// Whether `tesseract` can be run at all (the tests skip the OCR cases without it).
pub fn tesseract_available() -> bool {
    std::process::Command::new("tesseract")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The `tesseract` command that reads an image given on stdin (`chi_sim`, one block of text).
/// One thread each: the server runs two at once (both sides) beside other requests, and
/// tesseract's OpenMP threads then spin against each other — a blurred card photo took 15.4 s
/// instead of 2.3 s on two cores (tesseract's own advice for parallel runs, `OMP_THREAD_LIMIT=1`).
fn tesseract_command() -> tokio::process::Command {
    let mut command = tokio::process::Command::new("tesseract");
    command
        .args(["stdin", "stdout", "-l", "chi_sim", "--psm", "6"])
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    command
}

/// The text tesseract reads from an image given on stdin; `None` when it is missing, fails or
/// has not finished by `deadline` (then it is killed).
async fn ocr(image: &[u8], deadline: Instant) -> Option<String> {
    let mut child = tesseract_command()
        .spawn()
        .map_err(|e| tracing::error!(error = %e, "tesseract cannot run: apt-get install tesseract-ocr tesseract-ocr-chi-sim"))
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let bytes = image.to_vec();
    let writer = tokio::spawn(async move {
        let _ = stdin.write_all(&bytes).await;
    });
    let left = deadline.saturating_duration_since(Instant::now());
    let output = tokio::time::timeout(left, child.wait_with_output()).await.ok()?.ok()?;
    let _ = writer.await;
    if !output.status.success() {
        tracing::warn!(status = %output.status, "tesseract failed on an ID card photo");
        return None;
    }
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Text without the spaces tesseract puts between CJK characters, and without stray quotes.
fn compact(text: &str) -> String {
    // A set of characters to drop, both colons among them, not a sentence (punct:keep).
    text.chars().filter(|c| !c.is_whitespace() && !"\"'“”‘’|:：".contains(*c)).collect() // punct:keep
}

/// The text after `label` on the first line that has it.
fn after_label<'a>(lines: &'a [String], label: &str) -> Option<(usize, &'a str)> {
    lines.iter().enumerate().find_map(|(i, line)| line.find(label).map(|at| (i, &line[at + label.len()..])))
}

fn numbers(text: &str) -> Vec<u32> {
    text.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect()
}

fn iso_date(y: u32, m: u32, d: u32) -> String {
    if (1900..=2200).contains(&y) && taxicert_api::domain::is_real_date(y as i32, m, d) {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        String::new()
    }
}

/// The portrait side: 姓名, 性别, 民族, 出生, 住址 (over several lines), 公民身份号码.
pub fn parse_portrait(text: &str) -> IdCardFields {
    let lines: Vec<String> = text.lines().map(compact).filter(|l| !l.is_empty()).collect();
    let mut fields = IdCardFields::default();
    if let Some((_, rest)) = after_label(&lines, "姓名") {
        fields.name = rest.chars().filter(|c| !c.is_ascii()).collect();
    }
    if let Some((_, rest)) = after_label(&lines, "性别") {
        let gender: String = rest.split("民族").next().unwrap_or("").chars().take(1).collect();
        if gender == "男" || gender == "女" {
            fields.gender = gender;
        }
    }
    if let Some((_, rest)) = after_label(&lines, "民族") {
        fields.ethnicity = rest.chars().filter(|c| !c.is_ascii()).collect();
    }
    if let Some((_, rest)) = after_label(&lines, "出生") {
        if let [y, m, d, ..] = numbers(rest)[..] {
            fields.birth_date = iso_date(y, m, d);
        }
    }
    let number_line = after_label(&lines, "公民身份号码").map(|(i, _)| i);
    if let Some((start, rest)) = after_label(&lines, "住址") {
        // The address runs over the lines up to the number's.
        let end = number_line.filter(|&i| i > start).unwrap_or(lines.len());
        fields.address = std::iter::once(rest).chain(lines[start + 1..end].iter().map(String::as_str)).collect();
    }
    // A number that fails its check digit is a misreading: better empty, for the driver to
    // type, than wrong in one digit and confirmed without a look.
    if let Some(id) = id_number(&lines, number_line) {
        // The birth date is encoded in the number, which the check digit vouches for.
        let (y, m, d) = id.birth_date();
        fields.birth_date = format!("{y:04}-{m:02}-{d:02}");
        fields.id_number = id.expose().to_owned();
    }
    fields
}

/// The characters of `text` that can be part of an ID number, with the letters tesseract
/// reads for digits put right (`O` for 0, `l` for 1, `×` for X).
fn id_characters(text: &str) -> Vec<char> {
    text.chars()
        .filter_map(|c| match c {
            '0'..='9' | 'X' => Some(c),
            'x' | '×' => Some('X'),
            'O' | 'o' => Some('0'),
            'I' | 'l' => Some('1'),
            _ => None,
        })
        .collect()
}

/// The ID number that passes its checks: on the line of its label (or the next one, when
/// tesseract breaks the line), else on any line, as 18 characters in a row.
fn id_number(lines: &[String], number_line: Option<usize>) -> Option<IdNumber> {
    let valid_in = |chars: &[char]| {
        chars.windows(18).find_map(|w| IdNumber::parse(&w.iter().collect::<String>()).ok())
    };
    if let Some(i) = number_line {
        let mut chars = id_characters(after_label(&lines[i..=i], "公民身份号码").map_or("", |(_, rest)| rest));
        if chars.len() < 18 {
            chars.extend(lines.get(i + 1).map(|l| id_characters(l)).unwrap_or_default());
        }
        if let Some(id) = valid_in(&chars) {
            return Some(id);
        }
    }
    lines.iter().find_map(|line| valid_in(&id_characters(line)))
}

/// The emblem side: 签发机关 and 有效期限 (`2016.05.20-2036.05.20` or `…-长期`).
pub fn parse_emblem(text: &str) -> IdCardFields {
    let lines: Vec<String> = text.lines().map(compact).filter(|l| !l.is_empty()).collect();
    let mut fields = IdCardFields::default();
    if let Some((_, rest)) = after_label(&lines, "签发机关") {
        fields.authority = rest.chars().filter(|c| !c.is_ascii_punctuation()).collect();
    }
    if let Some((_, rest)) = after_label(&lines, "有效期限") {
        let n = numbers(rest);
        if let [y, m, d, ..] = n[..] {
            fields.valid_from = iso_date(y, m, d);
        }
        if rest.contains("长期") {
            fields.valid_until = "长期".into();
        } else if let [_, _, _, y, m, d, ..] = n[..] {
            fields.valid_until = iso_date(y, m, d);
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tesseract_runs_on_one_thread_each() {
        let command = tesseract_command();
        let envs: Vec<_> = command.as_std().get_envs().collect();
        assert!(envs.contains(&(std::ffi::OsStr::new("OMP_THREAD_LIMIT"), Some(std::ffi::OsStr::new("1")))));
    }

    #[test]
    fn tesseract_output_of_a_portrait_side_is_parsed() {
        let text = "姓名              王建国\n\n性别              男             民族           汉\n\n出生          1985年6月15日\n\n\
                    住址          内蒙古自治区呼和浩特市新城区\n兴安北路100号\n\n公民身份号码         150102198506151234\n";
        let f = parse_portrait(text);
        assert_eq!(f.name, "王建国");
        assert_eq!(f.gender, "男");
        assert_eq!(f.ethnicity, "汉");
        assert_eq!(f.birth_date, "1985-06-15");
        assert_eq!(f.address, "内蒙古自治区呼和浩特市新城区兴安北路100号");
        assert_eq!(f.id_number, "150102198506151234");
    }

    #[test]
    fn tesseract_output_of_an_emblem_side_is_parsed() {
        let f = parse_emblem("中华人民共和\n居民身份证\n签发机关 ”呼和浩特市公安局新城区分局\n有效期限 2016.05.20-2036.05.20\n");
        assert_eq!(f.authority, "呼和浩特市公安局新城区分局");
        assert_eq!((f.valid_from.as_str(), f.valid_until.as_str()), ("2016-05-20", "2036-05-20"));
        let f = parse_emblem("签发机关 某某公安局\n有效期限 2016.05.20-长期\n");
        assert_eq!(f.valid_until, "长期");
    }

    #[test]
    fn a_number_that_fails_its_check_digit_is_left_for_the_driver_to_type() {
        // One digit misread (…1235 for …1234): the check digit no longer matches.
        let f = parse_portrait("姓名 王建国\n出生 1985年6月15日\n公民身份号码 150102198506151235\n");
        assert_eq!(f.id_number, "");
        assert_eq!(f.birth_date, "1985-06-15", "without a checked number the date stays as read");
        // Nor a number with an impossible birth date or region, however its check digit falls.
        assert_eq!(parse_portrait("公民身份号码 990102198506151234\n").id_number, "");
    }

    #[test]
    fn the_birth_date_encoded_in_a_checked_number_wins_over_a_misread_one() {
        let f = parse_portrait("姓名 王建国\n出生 1985年8月16日\n公民身份号码 150102198506151234\n");
        assert_eq!(f.birth_date, "1985-06-15");
        // And fills it when the date was not read at all.
        let f = parse_portrait("姓名 王建国\n公民身份号码 150102198506151234\n");
        assert_eq!(f.birth_date, "1985-06-15");
    }

    #[test]
    fn letters_read_for_digits_are_put_right_and_the_check_digit_decides() {
        let f = parse_portrait("公民身份号码 15O1O2198506l5l234\n");
        assert_eq!(f.id_number, "150102198506151234");
        let f = parse_portrait("公民身份号码 11010519491231002x\n");
        assert_eq!(f.id_number, "11010519491231002X");
        // Broken over two lines, or with stray marks around it.
        let f = parse_portrait("公民身份号码 15010219850\n6151234\n");
        assert_eq!(f.id_number, "150102198506151234");
        let f = parse_portrait("公民身份号码 .150102198506151234。\n");
        assert_eq!(f.id_number, "150102198506151234");
        // The label misread, the number still whole on its own line.
        let f = parse_portrait("姓名 王建国\n公民身份号 150102198506151234\n");
        assert_eq!(f.id_number, "150102198506151234");
    }

    #[test]
    fn a_reading_is_scored_by_what_matters_most() {
        let number_only = parse_portrait("公民身份号码 150102198506151234\n");
        let name_only = parse_portrait("姓名 王建国\n性别 男 民族 汉\n");
        assert!(Side::Portrait.score(&number_only) > Side::Portrait.score(&name_only));
        assert!(!Side::Portrait.good_enough(&number_only) && !Side::Portrait.good_enough(&name_only));
        let both = parse_portrait("姓名 王建国\n公民身份号码 150102198506151234\n");
        assert!(Side::Portrait.good_enough(&both));
        assert_eq!(Side::Portrait.score(&IdCardFields::default()), 0);
        let back = parse_emblem("签发机关 某某公安局\n有效期限 2016.05.20-长期\n");
        assert!(Side::Emblem.good_enough(&back));
        assert_eq!(Side::Emblem.score(&back), 3);
    }

    #[test]
    fn a_picture_taller_than_wide_is_turned_a_quarter_first() {
        assert_eq!(turns(1080, 1712), [90, 270, 180]);
        assert_eq!(turns(1712, 1080), [180, 90, 270]);
        let mut image = GrayImage::new(3, 2);
        image.put_pixel(0, 0, image::Luma([255]));
        let quarter = turned(&image, 90);
        assert_eq!(quarter.dimensions(), (2, 3));
        // Clockwise: the top-left corner goes to the top right.
        assert_eq!(quarter.get_pixel(1, 0).0, [255]);
        assert_eq!(turned(&image, 180).get_pixel(2, 1).0, [255]);
        assert_eq!(turned(&image, 270).get_pixel(0, 2).0, [255]);
        assert_eq!(turned(&image, 0), image);
    }

    #[test]
    fn what_is_not_there_stays_empty() {
        let f = parse_portrait("姓名 王建国\n公民身份号码 1501021985\n");
        assert_eq!(f.name, "王建国");
        assert_eq!(f.id_number, "", "a partial number is not a number");
        assert_eq!(f.birth_date, "");
        assert_eq!(parse_emblem("nothing readable"), IdCardFields::default());
    }
}
