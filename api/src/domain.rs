//! Domain values that both sides check the same way: the SPA before it sends, the server as
//! the authority. Each `parse` says in Chinese what is wrong and how to fix it.

use std::fmt;

/// A mainland resident identity card number (GB 11643-1999): 17 digits and a check character.
/// Sensitive personal information: show it only through [`IdNumber::masked`], except to its
/// owner on the confirm step.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

/// Why a text is not an ID number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdNumberError {
    Length(usize),
    Characters,
    Region,
    BirthDate,
    CheckDigit,
}

impl fmt::Display for IdNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdNumberError::Length(n) => write!(f, "身份证号码应为18位，您输入了{n}位，请核对后重新输入。"),
            IdNumberError::Characters => f.write_str("身份证号码前17位应为数字，最后一位为数字或字母X，请核对后重新输入。"),
            IdNumberError::Region => f.write_str("身份证号码前两位不是有效的省级行政区代码，请核对后重新输入。"),
            IdNumberError::BirthDate => f.write_str("身份证号码第7至14位的出生日期不是有效日期，请核对后重新输入。"),
            IdNumberError::CheckDigit => f.write_str("身份证号码最后一位校验码不正确，请逐位核对后重新输入。"),
        }
    }
}

impl std::error::Error for IdNumberError {}

/// The weights of GB 11643-1999 for the first 17 digits, and the check character per remainder.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Province-level codes of GB/T 2260 (the first two digits).
const PROVINCES: [u32; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
    62, 63, 64, 65, 71, 81, 82,
];

impl IdNumber {
    /// Accepts surrounding spaces and a lower-case `x`.
    pub fn parse(text: &str) -> Result<IdNumber, IdNumberError> {
        let id: String = text.trim().to_ascii_uppercase();
        let count = id.chars().count();
        if count != 18 {
            return Err(IdNumberError::Length(count));
        }
        let bytes = id.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit) || !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
            return Err(IdNumberError::Characters);
        }
        let digit = |i: usize| u32::from(bytes[i] - b'0');
        if !PROVINCES.contains(&(digit(0) * 10 + digit(1))) {
            return Err(IdNumberError::Region);
        }
        let year = (6..10).fold(0, |acc, i| acc * 10 + digit(i)) as i32;
        let month = digit(10) * 10 + digit(11);
        let day = digit(12) * 10 + digit(13);
        if !(1900..=2100).contains(&year) || !is_real_date(year, month, day) {
            return Err(IdNumberError::BirthDate);
        }
        let sum: u32 = WEIGHTS.iter().enumerate().map(|(i, w)| digit(i) * w).sum();
        if CHECK[(sum % 11) as usize] != char::from(bytes[17]) {
            return Err(IdNumberError::CheckDigit);
        }
        Ok(IdNumber(id))
    }

    /// The full number: for storage (encrypted) and for the owner's confirm step only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `1501**********123X`: the first four and the last four characters.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..4], "*".repeat(10), &self.0[14..])
    }

    /// The birth date as (year, month, day).
    pub fn birth_date(&self) -> (i32, u32, u32) {
        let n = |r: std::ops::Range<usize>| self.0[r].parse::<u32>().expect("checked digits");
        (n(6..10) as i32, n(10..12), n(12..14))
    }
}

/// Never prints the number: a debug log of a struct holding one stays safe.
impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn is_real_date(year: i32, month: u32, day: u32) -> bool {
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}

/// A mainland mobile number: 11 digits starting with 13–19.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

/// A name as shown where its owner is not confirming it: `王*国`, `欧**娜`, `王*` (the first and
/// the last character; two-character names keep the first only). The same on the server and
/// the phone.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 | 2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

impl PhoneNumber {
    /// Accepts spaces and dashes between digits, and a leading +86 or 86.
    pub fn parse(text: &str) -> Result<PhoneNumber, String> {
        let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = digits.strip_prefix("+86").or_else(|| digits.strip_prefix("86").filter(|d| d.len() == 11)).unwrap_or(&digits);
        let b = digits.as_bytes();
        if b.len() == 11 && b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
            Ok(PhoneNumber(digits.to_owned()))
        } else {
            Err("请输入11位手机号码，以1开头，第二位为3至9，例如13812345678。".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

/// The 6-digit code sent by SMS.
#[derive(Clone, PartialEq, Eq)]
pub struct SmsCode(String);

impl SmsCode {
    pub fn parse(text: &str) -> Result<SmsCode, String> {
        let code = text.trim();
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(SmsCode(code.to_owned()))
        } else {
            Err("请输入短信中的6位数字验证码。".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SmsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmsCode(******)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fictional number: the 17 digits given, and the check character they call for.
    fn valid(first17: &str) -> String {
        let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
        format!("{first17}{}", CHECK[(sum % 11) as usize])
    }

    #[test]
    fn the_standards_published_example_is_valid() {
        // The example of GB 11643-1999 itself.
        assert!(IdNumber::parse("11010519491231002X").is_ok());
        assert!(IdNumber::parse("11010519491231002x").is_ok(), "lower-case x is accepted");
        assert!(IdNumber::parse(" 11010519491231002X ").is_ok(), "spaces are trimmed");
    }

    #[test]
    fn a_wrong_check_digit_is_refused() {
        assert_eq!(IdNumber::parse("110105194912310021"), Err(IdNumberError::CheckDigit));
        assert_eq!(IdNumber::parse("11010519491231002X").unwrap().expose(), "11010519491231002X");
    }

    #[test]
    fn every_remainder_gives_its_check_character() {
        // Vary the sequence digits so that each of the 11 check characters occurs.
        let mut seen = std::collections::BTreeSet::new();
        for seq in 0..200 {
            let id = valid(&format!("150102199003{:02}{:03}", 1 + seq % 28, seq));
            let parsed = IdNumber::parse(&id).unwrap_or_else(|e| panic!("{id}: {e}"));
            seen.insert(parsed.expose().chars().last().unwrap());
        }
        assert_eq!(seen.len(), 11, "{seen:?}");
    }

    #[test]
    fn impossible_birth_dates_are_refused() {
        assert_eq!(IdNumber::parse(&valid("15010219900230123")), Err(IdNumberError::BirthDate)); // 30 Feb
        assert_eq!(IdNumber::parse(&valid("15010219901301123")), Err(IdNumberError::BirthDate)); // month 13
        assert_eq!(IdNumber::parse(&valid("15010219010229123")), Err(IdNumberError::BirthDate)); // 1901 not leap
        assert!(IdNumber::parse(&valid("15010220000229123")).is_ok()); // 2000 is leap
        assert_eq!(IdNumber::parse(&valid("15010218991231123")), Err(IdNumberError::BirthDate));
    }

    #[test]
    fn length_characters_and_region_have_their_own_messages() {
        assert_eq!(IdNumber::parse("1501021990030712"), Err(IdNumberError::Length(16)));
        assert_eq!(IdNumber::parse("15010219900307123Y"), Err(IdNumberError::Characters));
        assert_eq!(IdNumber::parse("1501021990030X1234"), Err(IdNumberError::Characters));
        assert_eq!(IdNumber::parse(&valid("99010219900307123")), Err(IdNumberError::Region));
        assert!(IdNumberError::Length(16).to_string().contains("16位"));
    }

    #[test]
    fn the_number_is_masked_and_never_debug_printed() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(1101**********002X)");
        assert_eq!(id.birth_date(), (1949, 12, 31));
    }

    #[test]
    fn phone_numbers() {
        assert_eq!(PhoneNumber::parse("138 1234 5678").unwrap().as_str(), "13812345678");
        assert_eq!(PhoneNumber::parse("+8613812345678").unwrap().as_str(), "13812345678");
        assert_eq!(PhoneNumber::parse("8613812345678").unwrap().as_str(), "13812345678");
        assert_eq!(PhoneNumber::parse("13812345678").unwrap().masked(), "138****5678");
        for bad in ["", "1381234567", "23812345678", "12812345678", "1381234567a", "138123456789"] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sms_codes_are_six_digits() {
        assert!(SmsCode::parse("012345").is_ok());
        assert!(SmsCode::parse(" 012345 ").is_ok());
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] {
            assert!(SmsCode::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(format!("{:?}", SmsCode::parse("012345").unwrap()), "SmsCode(******)");
    }
}

/// The picture formats accepted for uploads, by their first bytes, never by the file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    Jpeg,
    Png,
}

/// The largest photo the server takes in one upload: 10 × 1024 × 1024 bytes. The phone always
/// sends far less (a re-encoded JPEG of at most 1 MB).
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// The largest original the phone accepts from its camera or album: 50 × 1024 × 1024 bytes (a
/// 200 MP photo, or a motion photo with its video appended). It is shrunk before it is sent.
pub const MAX_ORIGINAL_BYTES: usize = 50 * 1024 * 1024;

/// `bytes` as people read it: `10 MB`, `11.4 MB`.
pub fn megabytes(bytes: usize) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if (mb - mb.round()).abs() < 0.05 {
        format!("{} MB", mb.round())
    } else {
        format!("{mb:.1} MB")
    }
}

/// Whether the first bytes are an ISO-BMFF HEIF/HEIC image (an iPhone's 高效 format), which
/// the phone's browser may be able to convert before the pipeline sees it.
pub fn is_heif(first_bytes: &[u8]) -> bool {
    let b = first_bytes;
    b.len() >= 12 && &b[4..8] == b"ftyp" && matches!(&b[8..12], b"heic" | b"heix" | b"heim" | b"heis" | b"mif1" | b"msf1" | b"hevc" | b"hevx")
}

/// Said when a HEIC photo reaches a check that cannot read it (the phone's browser could not
/// convert it, or it was sent to the server as it is).
pub const HEIF_REFUSAL: &str =
    "这是HEIC格式的照片，这部手机的浏览器无法转换。请在iPhone“设置—相机—格式”中选择“兼容性最佳”后重拍，或截图后上传截图。";

/// Tells JPEG and PNG from everything else by content, and refuses an empty file or one over
/// `max_len` bytes; the refusal names what it is and what to do.
pub fn sniff_image(first_bytes: &[u8], total_len: usize, max_len: usize) -> Result<ImageKind, String> {
    if total_len == 0 {
        return Err("文件是空的（0字节），请重新拍照或选择照片。".into());
    }
    if total_len > max_len {
        return Err(format!(
            "照片大小为{}，超过了{}，请重新拍照后上传。",
            megabytes(total_len),
            megabytes(max_len)
        ));
    }
    let b = first_bytes;
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(ImageKind::Jpeg);
    }
    if b.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Ok(ImageKind::Png);
    }
    let what = if is_heif(b) {
        return Err(HEIF_REFUSAL.into());
    } else if b.starts_with(b"GIF8") {
        "您选择的是GIF动图"
    } else if b.len() >= 12 && b.starts_with(b"RIFF") && &b[8..12] == b"WEBP" {
        "您选择的是WebP图片"
    } else if b.starts_with(b"%PDF") {
        "您选择的是PDF文件"
    } else {
        "您选择的文件不是照片"
    };
    Err(format!("{what}，请上传jpg或png格式的照片。"))
}

/// A `YYYY-MM-DD` date, checked.
pub fn parse_date(text: &str) -> Option<(i32, u32, u32)> {
    let mut parts = text.trim().split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    is_real_date(y, m, d).then_some((y, m, d))
}

/// The first problem with ID card fields, as (field, message); `today` is `YYYY-MM-DD` in
/// Beijing time. Both the app and the server check with this.
pub fn check_id_card(fields: &crate::IdCardFields, today: (i32, u32, u32)) -> Result<IdNumber, (&'static str, String)> {
    let f = fields;
    let name = f.name.trim();
    if name.chars().count() < 2 || name.chars().count() > 30 || name.chars().any(|c| c.is_ascii_digit()) {
        return Err(("name", "请填写身份证上的姓名（2至30个字）。".into()));
    }
    if !matches!(f.gender.trim(), "男" | "女") {
        return Err(("gender", "性别应填写“男”或“女”。".into()));
    }
    if f.ethnicity.trim().is_empty() {
        return Err(("ethnicity", "请填写民族，如“汉”。".into()));
    }
    let Some(birth) = parse_date(&f.birth_date) else {
        return Err(("birth_date", "出生日期应写成 1985-06-15 这样的格式。".into()));
    };
    if f.address.trim().chars().count() < 5 {
        return Err(("address", "请填写身份证上的住址。".into()));
    }
    let id = IdNumber::parse(&f.id_number).map_err(|e| ("id_number", e.to_string()))?;
    if id.birth_date() != birth {
        return Err(("id_number", "身份证号码中的出生日期与填写的出生日期不一致，请核对。".into()));
    }
    let odd = id.expose().as_bytes()[16] % 2 == 1;
    if (f.gender.trim() == "男") != odd {
        return Err(("gender", "填写的性别与身份证号码不一致（号码第17位单数为男、双数为女），请核对。".into()));
    }
    if f.authority.trim().is_empty() {
        return Err(("authority", "请填写签发机关。".into()));
    }
    if parse_date(&f.valid_from).is_none() {
        return Err(("valid_from", "有效期起始日应写成 2016-05-20 这样的格式。".into()));
    }
    if f.valid_until.trim() != "长期" {
        let Some(until) = parse_date(&f.valid_until) else {
            return Err(("valid_until", "有效期截止日应写成 2036-05-20 这样的格式，长期有效的填写“长期”。".into()));
        };
        if until < today {
            return Err((
                "valid_until",
                format!("该身份证已于{}过期，请使用有效期内的身份证办理。", f.valid_until.trim()),
            ));
        }
    }
    Ok(id)
}

/// Beijing date of a Unix time (UTC+8, no daylight saving).
pub fn beijing_date(unix_seconds: i64) -> (i32, u32, u32) {
    civil_from_days((unix_seconds + 8 * 3600).div_euclid(86_400))
}

/// The date `days` after 1970-01-01 (Howard Hinnant's civil_from_days).
pub fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((yoe + era * 400 + i64::from(m <= 2)) as i32, m, d)
}

#[cfg(test)]
mod card_tests {
    use super::*;
    use crate::IdCardFields;

    fn card() -> IdCardFields {
        IdCardFields {
            name: "王建国".into(),
            gender: "男".into(),
            ethnicity: "汉".into(),
            birth_date: "1985-06-15".into(),
            address: "内蒙古自治区呼和浩特市新城区兴安北路100号".into(),
            id_number: "150102198506151234".into(),
            authority: "呼和浩特市公安局新城区分局".into(),
            valid_from: "2016-05-20".into(),
            valid_until: "2036-05-20".into(),
        }
    }

    const TODAY: (i32, u32, u32) = (2026, 11, 24);

    #[test]
    fn a_consistent_valid_card_passes() {
        assert_eq!(check_id_card(&card(), TODAY).unwrap().masked(), "1501**********1234");
        let mut long = card();
        long.valid_until = "长期".into();
        assert!(check_id_card(&long, TODAY).is_ok());
    }

    #[test]
    fn each_problem_names_its_field() {
        type Case = (fn(&mut IdCardFields), &'static str);
        let cases: [Case; 8] = [
            (|c| c.name = "王".into(), "name"),
            (|c| c.gender = "M".into(), "gender"),
            (|c| c.gender = "女".into(), "gender"),
            (|c| c.birth_date = "1985-6-15".into(), "birth_date"),
            (|c| c.birth_date = "1985-06-16".into(), "id_number"),
            (|c| c.id_number = "150102198506151235".into(), "id_number"),
            (|c| c.authority = " ".into(), "authority"),
            (|c| c.valid_until = "2026-11-23".into(), "valid_until"),
        ];
        for (change, field) in cases {
            let mut c = card();
            change(&mut c);
            assert_eq!(check_id_card(&c, TODAY).unwrap_err().0, field, "{c:?}");
        }
        let mut expired = card();
        expired.valid_until = "2016-05-20".into();
        assert!(check_id_card(&expired, TODAY).unwrap_err().1.contains("2016-05-20过期"));
    }

    #[test]
    fn beijing_dates() {
        assert_eq!(beijing_date(0), (1970, 1, 1));
        let ten_am = 1_795_485_600; // 2026-11-24 10:00 Beijing
        assert_eq!(beijing_date(ten_am), (2026, 11, 24));
        assert_eq!(beijing_date(ten_am + 14 * 3600 - 1), (2026, 11, 24));
        assert_eq!(beijing_date(ten_am + 14 * 3600), (2026, 11, 25));
        assert_eq!(beijing_date(951_753_600), (2000, 2, 29)); // 2000-02-28 16:00 UTC
    }

    #[test]
    fn images_are_told_by_content() {
        assert_eq!(sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0], 100, MAX_UPLOAD_BYTES), Ok(ImageKind::Jpeg));
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n", 100, MAX_UPLOAD_BYTES), Ok(ImageKind::Png));
        assert!(sniff_image(b"\0\0\0\x18ftypheic", 100, MAX_UPLOAD_BYTES).unwrap_err().contains("兼容性最佳"));
        assert!(sniff_image(b"GIF89a", 100, MAX_UPLOAD_BYTES).unwrap_err().contains("GIF"));
        assert!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 ", 100, MAX_UPLOAD_BYTES).unwrap_err().contains("WebP"));
        assert!(sniff_image(b"%PDF-1.7", 100, MAX_UPLOAD_BYTES).unwrap_err().contains("PDF"));
        assert!(sniff_image(b"<html>", 100, MAX_UPLOAD_BYTES).unwrap_err().contains("jpg或png"));
        assert!(sniff_image(b"", 0, MAX_UPLOAD_BYTES).unwrap_err().contains("0字节"));
        assert!(sniff_image(&[0xFF, 0xD8, 0xFF], MAX_UPLOAD_BYTES + 1, MAX_UPLOAD_BYTES).unwrap_err().contains("超过了10 MB"));
        assert!(sniff_image(&[0xFF, 0xD8, 0xFF], MAX_UPLOAD_BYTES, MAX_UPLOAD_BYTES).is_ok());
    }
}
