//! Reading an ID card's fields from its two photos. [`TesseractReader`] runs Debian's
//! `tesseract` with the `chi_sim` model; what it cannot read comes back empty, for the user
//! to type.

use std::{future::Future, pin::Pin, process::Stdio, time::Duration};

use taxicert_api::IdCardFields;
use tokio::io::AsyncWriteExt;

pub type ReadFuture<'a> = Pin<Box<dyn Future<Output = IdCardFields> + Send + 'a>>;

pub trait IdCardReader: Send + Sync + 'static {
    /// Never fails: a field it cannot read is empty.
    fn read<'a>(&'a self, portrait: &'a [u8], emblem: &'a [u8]) -> ReadFuture<'a>;
}

pub struct TesseractReader;

impl IdCardReader for TesseractReader {
    fn read<'a>(&'a self, portrait: &'a [u8], emblem: &'a [u8]) -> ReadFuture<'a> {
        Box::pin(async move {
            let (front, back) = tokio::join!(ocr(portrait), ocr(emblem));
            let mut fields = parse_portrait(&front.unwrap_or_default());
            let back = parse_emblem(&back.unwrap_or_default());
            fields.authority = back.authority;
            fields.valid_from = back.valid_from;
            fields.valid_until = back.valid_until;
            fields
        })
    }
}

/// The text tesseract reads from an image given on stdin; `None` when it is missing or fails.
async fn ocr(image: &[u8]) -> Option<String> {
    let mut child = tokio::process::Command::new("tesseract")
        .args(["stdin", "stdout", "-l", "chi_sim", "--psm", "6"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| tracing::error!(error = %e, "tesseract cannot run: apt-get install tesseract-ocr tesseract-ocr-chi-sim"))
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let bytes = image.to_vec();
    let writer = tokio::spawn(async move {
        let _ = stdin.write_all(&bytes).await;
    });
    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output()).await.ok()?.ok()?;
    let _ = writer.await;
    if !output.status.success() {
        tracing::warn!(status = %output.status, "tesseract failed on an ID card photo");
        return None;
    }
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Text without the spaces tesseract puts between CJK characters, and without stray quotes.
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && !"\"'“”‘’|:：".contains(*c)).collect()
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
    let id: String = number_line
        .map(|i| lines[i].chars().filter(|c| c.is_ascii_digit() || *c == 'X' || *c == 'x').collect())
        .unwrap_or_default();
    if id.len() == 18 {
        fields.id_number = id.to_ascii_uppercase();
    }
    fields
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
    fn what_is_not_there_stays_empty() {
        let f = parse_portrait("姓名 王建国\n公民身份号码 1501021985\n");
        assert_eq!(f.name, "王建国");
        assert_eq!(f.id_number, "", "a partial number is not a number");
        assert_eq!(f.birth_date, "");
        assert_eq!(parse_emblem("nothing readable"), IdCardFields::default());
    }
}
