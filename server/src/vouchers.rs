//! Vouchers (凭证): the PDF a finished case gives its driver, the same voucher as a PNG (for
//! Android WeChat, whose browser does not download files: the driver long-presses the picture to
//! save it), and the public check of its code.
//!
//! The PDF shows the applicant's name and ID number masked only: it is printed, forwarded and
//! shown to employers. Each business says what it produced: 补发 the number, 换发 the new
//! expiry, 变更 the items changed (phone numbers masked, the address only named), 注销 a
//! 注销凭证 saying the certificate is cancelled, 考核 the period, points and grade. Its QR code
//! leads to `/verify/{code}`, where anyone can check that the voucher is genuine; that page
//! shows nothing personal beyond the masked name and the certificate number (for 变更 the
//! names of the items changed, never their values).
//!
//! The picture is the very PDF drawn by `hayro` (a pure-Rust PDF rasteriser by krilla's author),
//! so that there is one layout to keep: the page is cut below its last line, and drawn in grey.

use std::{
    path::{Path as FsPath, PathBuf},
    sync::{Mutex, Once},
};

use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use krilla::{
    geom::{PathBuilder, Point, Rect},
    page::PageSettings,
    paint::{Fill, Stroke},
    text::{Font, TextDirection},
    Document,
};
use rand::Rng;
use sqlx::AnyConnection;
use taxicert_api::{
    domain::PhoneNumber, AppliedChange, AssessmentPeriod, BusinessCode, CaseDetail, ChangeItem, CreditRecord, ErrorBody,
    VoucherCheck,
};

use crate::{
    audit::{self, Entry, Event},
    auth::ClientIp,
    cases::{applied_changes, load_detail, open_snapshot},
    error::{AppError, AppResult},
    realname::VerifiedUser,
    workdays::Date,
    AppState,
};

/// Letters and digits that cannot be misread for one another: no I, O, 0 or 1.
const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LENGTH: usize = 20;

/// A new voucher code: 20 characters of 32, 100 random bits from the OS, so that codes can be
/// public without being guessable.
pub fn new_voucher_code() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..CODE_LENGTH).map(|_| char::from(CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())])).collect()
}

/// Whether `code` could be a voucher code at all (before any lookup).
fn looks_like_a_code(code: &str) -> bool {
    code.len() == CODE_LENGTH && code.bytes().all(|b| CODE_ALPHABET.contains(&b))
}

/// The masked name of a user's approved real-name check, for `case_results.holder_name_masked`.
pub async fn holder_name_masked(conn: &mut AnyConnection, user_id: i64) -> AppResult<String> {
    let name: Option<(String,)> = sqlx::query_as(
        "SELECT name_masked FROM realname_submissions WHERE user_id = $1 AND status = 'approved' ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    name.map(|(n,)| n).ok_or_else(|| AppError::Internal(format!("user {user_id} has no approved real-name check")))
}

/// The CJK fonts Debian installs, in the order they are tried when `voucher_font` is not set.
const DEFAULT_FONTS: [&str; 3] = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
];

/// The configured font, else the first default font that exists.
fn font_path(configured: Option<&FsPath>) -> Option<PathBuf> {
    match configured {
        Some(path) => Some(path.to_owned()),
        None => DEFAULT_FONTS.iter().map(PathBuf::from).find(|p| p.is_file()),
    }
}

/// The face to use in a font file: Noto's collection starts with the Japanese face, its
/// Simplified Chinese one is the third; other files have the one wanted first.
fn face_index(path: &FsPath) -> u32 {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if name.starts_with("NotoSansCJK") || name.starts_with("NotoSerifCJK") {
        2
    } else {
        0
    }
}

/// A font loaded for the vouchers: krilla's handle for drawing, the raw data to measure text.
#[derive(Clone)]
struct VoucherFont {
    font: Font,
    data: std::sync::Arc<Vec<u8>>,
    index: u32,
}

/// The font file is read once (it is several megabytes) and kept for the process.
static LOADED_FONT: Mutex<Option<(PathBuf, VoucherFont)>> = Mutex::new(None);

fn load_font(configured: Option<&FsPath>) -> Option<VoucherFont> {
    let Some(path) = font_path(configured) else {
        warn_no_font(None, "no CJK font found");
        return None;
    };
    let mut loaded = LOADED_FONT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((cached, font)) = loaded.as_ref() {
        if *cached == path {
            return Some(font.clone());
        }
    }
    let data = match std::fs::read(&path) {
        Ok(data) => std::sync::Arc::new(data),
        Err(e) => {
            warn_no_font(Some(&path), &e.to_string());
            return None;
        }
    };
    let index = face_index(&path);
    let parsed = ttf_parser::Face::parse(&data, index).is_ok();
    let Some(font) = Font::new(data.clone().into(), index).filter(|_| parsed) else {
        warn_no_font(Some(&path), "not a TrueType/OpenType font");
        return None;
    };
    let font = VoucherFont { font, data, index };
    *loaded = Some((path, font.clone()));
    Some(font)
}

/// Said once per process: every voucher request would repeat it.
fn warn_no_font(path: Option<&FsPath>, why: &str) {
    static WARNED: Once = Once::new();
    WARNED.call_once(|| {
        tracing::warn!(
            path = path.map(|p| p.display().to_string()),
            why,
            "vouchers cannot be made: install fonts-wqy-microhei or set voucher_font (TAXICERT_VOUCHER_FONT) to a CJK font"
        );
    });
}

/// Checks at startup that vouchers can be made, so that a missing font is a warning in the
/// log before the first driver asks for one.
pub fn check_font(config: &crate::Config) {
    load_font(config.voucher_font.as_deref());
}

fn voucher_unavailable() -> AppError {
    AppError::client(
        StatusCode::SERVICE_UNAVAILABLE,
        "voucher_unavailable",
        "凭证暂时无法生成，请稍后重试；如急需凭证，请到办理窗口打印。",
    )
}

/// Where the public reaches the app: the configured address, else this request's host.
pub(crate) fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.clone();
    }
    // A host name and port only: the Host header is the client's to write.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)))
        .unwrap_or("localhost");
    format!("http://{host}{}", state.config.base_path.trim_end_matches('/'))
}

/// `2026年11月24日 10:00`, Beijing time.
pub(crate) fn beijing_time(unix_seconds: i64) -> String {
    let (y, m, d) = Date::beijing_today(unix_seconds).ymd();
    let (hour, minute) = Date::beijing_clock(unix_seconds);
    format!("{y}年{m}月{d}日 {hour:02}:{minute:02}")
}

/// `2026年11月24日` from `2026-11-24`.
pub(crate) fn chinese_date(iso: &str) -> String {
    Date::parse(iso).map(|d| d.ymd()).map(|(y, m, d)| format!("{y}年{m}月{d}日")).unwrap_or_else(|| iso.to_owned())
}

/// What a voucher says.
struct VoucherContent {
    title: &'static str,
    rows: Vec<(&'static str, String)>,
    authority: String,
    code: String,
    verify_url: String,
}

fn voucher_content(
    detail: &CaseDetail,
    id_number_masked: String,
    accepted_at: Option<i64>,
    verify_base: &str,
) -> Option<VoucherContent> {
    let result = detail.result.as_ref()?;
    let business = detail.summary.business;
    let mut rows = vec![
        ("办件编号", detail.summary.id.clone()),
        ("办理业务", detail.summary.business_name.clone()),
        ("申请人", detail.applicant_name_masked.clone()),
        ("公民身份号码", id_number_masked),
        ("从业资格证号", result.certificate_number.clone()),
        ("从业资格类别", detail.certificate.kind.name().to_owned()),
    ];
    if let Some(valid_until) = &result.valid_until {
        rows.push(("有效期至", chinese_date(valid_until)));
    }
    match &result.credit {
        Some(credit) => {
            rows.push(("考核周期", format!("{}至{}", chinese_date(&credit.period.start), chinese_date(&credit.period.end))));
            rows.push(("考核分数", format!("{}分", credit.points)));
            rows.push(("考核等级", credit.grade.clone()));
        }
        // A 考核 completed before periods and points were recorded has its grade only.
        None => {
            if let Some(grade) = &result.credit_grade {
                rows.push(("考核等级", grade.clone()));
            }
        }
    }
    for change in &result.changes {
        rows.push((change.item.name(), voucher_change(change)));
    }
    if result.cancelled {
        rows.push(("办理结果", "从业资格证已注销".to_owned()));
    }
    rows.push(("提交时间", beijing_time(detail.summary.submitted_at)));
    if let Some(accepted_at) = accepted_at {
        rows.push(("受理时间", beijing_time(accepted_at)));
    }
    rows.push(("办结时间", beijing_time(result.completed_at)));
    if !result.note.trim().is_empty() {
        rows.push(("办理意见", result.note.trim().to_owned()));
    }
    rows.push(("发证机关", detail.certificate.authority.clone()));
    Some(VoucherContent {
        title: match business {
            BusinessCode::CreditAssessment => "服务质量信誉考核结果凭证",
            BusinessCode::Cancellation => "出租汽车驾驶员从业资格证注销凭证",
            _ => "出租汽车驾驶员从业资格证业务办理凭证",
        },
        rows,
        authority: detail.certificate.authority.clone(),
        code: result.voucher_code.clone(),
        verify_url: format!("{verify_base}/verify/{}", result.voucher_code),
    })
}

/// A change as the voucher prints it. The voucher is shown to employers, so like the name and
/// ID number the personal items are masked: the phone numbers as `138****5678`, the address
/// only said to have changed; 准驾车型 and 服务单位 are the certificate's own facts, in full.
fn voucher_change(change: &AppliedChange) -> String {
    let phone = |number: &str| PhoneNumber::parse(number).map(|p| p.masked()).unwrap_or_else(|_| "***".to_owned());
    match change.item {
        ChangeItem::Address => "已变更（住址属个人信息，不在凭证上显示）".to_owned(),
        ChangeItem::Phone => format!("{} 变更为 {}", phone(&change.old), phone(&change.new)),
        ChangeItem::LicenceClass | ChangeItem::Employer => {
            let old = if change.old.trim().is_empty() { "（无）" } else { change.old.as_str() };
            format!("{old} 变更为 {}", change.new)
        }
    }
}

/// Measures text in the voucher's font, to centre the title and wrap long values.
struct Measure<'a>(ttf_parser::Face<'a>);

impl Measure<'_> {
    fn width(&self, text: &str, size: f32) -> f32 {
        let units = f32::from(self.0.units_per_em());
        text.chars()
            .map(|c| {
                let advance = self.0.glyph_index(c).and_then(|g| self.0.glyph_hor_advance(g));
                advance.map(f32::from).unwrap_or(units) / units * size
            })
            .sum()
    }

    /// Lines of at most `max` points: Chinese text breaks between any two characters.
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = vec![String::new()];
        for c in text.chars() {
            let line = lines.last_mut().expect("one line at least");
            if c == '\n' {
                lines.push(String::new());
                continue;
            }
            let mut candidate = line.clone();
            candidate.push(c);
            if self.width(&candidate, size) > max && !line.is_empty() {
                lines.push(c.to_string());
            } else {
                *line = candidate;
            }
        }
        lines
    }
}

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;

/// A voucher drawn as a PDF, and how far down its page the drawing goes.
struct Rendered {
    pdf: Vec<u8>,
    /// Points from the top of the page to the bottom of the last line or of the QR code.
    content_bottom: f32,
}

/// Draws the voucher on one A4 page. Text is kept as text (searchable, copyable) and the font
/// is embedded as a subset of the characters used.
fn render(content: &VoucherContent, font: &VoucherFont) -> AppResult<Rendered> {
    let face = ttf_parser::Face::parse(&font.data, font.index)
        .map_err(|e| AppError::Internal(format!("the voucher font does not parse: {e}")))?;
    let measure = Measure(face);
    let qr = qrcode::QrCode::with_error_correction_level(content.verify_url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::Internal(format!("the voucher's QR code cannot be made: {e}")))?;

    let mut document = Document::new();
    let settings =
        PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or_else(|| AppError::Internal("page size".into()))?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let black = Fill::default();
    let text = |surface: &mut krilla::surface::Surface, x: f32, y: f32, size: f32, line: &str| {
        surface.set_fill(Some(black.clone()));
        surface.draw_text(Point::from_xy(x, y), font.font.clone(), size, line, false, TextDirection::LeftToRight);
    };
    let rule = |surface: &mut krilla::surface::Surface, y: f32, width: f32| {
        let mut path = PathBuilder::new();
        path.move_to(MARGIN, y);
        path.line_to(PAGE_WIDTH - MARGIN, y);
        if let Some(path) = path.finish() {
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke { width, ..Stroke::default() }));
            surface.draw_path(&path);
            surface.set_stroke(None);
        }
    };

    let title_size = 19.0;
    let title_x = (PAGE_WIDTH - measure.width(content.title, title_size)) / 2.0;
    text(&mut surface, title_x, 96.0, title_size, content.title);
    let code_line = format!("凭证编号：{}", content.code);
    text(&mut surface, (PAGE_WIDTH - measure.width(&code_line, 10.0)) / 2.0, 120.0, 10.0, &code_line);
    rule(&mut surface, 136.0, 1.2);

    let (label_size, value_size, line_height) = (11.0, 11.0, 17.0);
    let value_x = MARGIN + 96.0;
    let value_width = PAGE_WIDTH - MARGIN - value_x;
    let mut y = 166.0;
    for (label, value) in &content.rows {
        text(&mut surface, MARGIN, y, label_size, label);
        for line in measure.wrap(value, value_size, value_width) {
            text(&mut surface, value_x, y, value_size, &line);
            y += line_height;
        }
        y += 7.0;
    }
    rule(&mut surface, y - 6.0, 0.6);

    // The QR code, one filled square per dark module, with the four-module quiet zone the
    // standard asks for left white.
    let modules = qr.width();
    let size = 128.0;
    let module = size / modules as f32;
    let (qr_x, qr_y) = (PAGE_WIDTH - MARGIN - size, y + 18.0);
    let mut squares = PathBuilder::new();
    for (i, colour) in qr.to_colors().into_iter().enumerate() {
        if colour == qrcode::Color::Dark {
            let (col, row) = ((i % modules) as f32, (i / modules) as f32);
            if let Some(square) = Rect::from_xywh(qr_x + col * module, qr_y + row * module, module, module) {
                squares.push_rect(square);
            }
        }
    }
    if let Some(squares) = squares.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(black.clone()));
        surface.draw_path(&squares);
    }
    let notes = [
        "扫描右侧二维码，或访问以下地址，核验本凭证的真伪：".to_owned(),
        content.verify_url.clone(),
        String::new(),
        format!("出具机关：{}", content.authority),
        "本凭证由出租汽车驾驶员从业资格证网上办理系统生成，".to_owned(),
        "个人信息已作脱敏处理。".to_owned(),
    ];
    let mut note_y = qr_y + 14.0;
    let note_width = qr_x - MARGIN - 16.0;
    for note in notes {
        for line in measure.wrap(&note, 9.5, note_width) {
            text(&mut surface, MARGIN, note_y, 9.5, &line);
            note_y += 15.0;
        }
    }
    surface.finish();
    page.finish();
    document.set_metadata(krilla::metadata::Metadata::new().title(content.title.to_owned()).language("zh-CN".into()));
    let pdf = document.finish().map_err(|e| AppError::Internal(format!("the voucher PDF cannot be written: {e:?}")))?;
    // The last note's baseline is one line height above `note_y`; its descenders end above that.
    Ok(Rendered { pdf, content_bottom: (note_y - 15.0 + 4.0).max(qr_y + size) })
}

/// Pixels per point of the voucher picture: 1190 px across the A4 page's 595 pt, sharp on a
/// phone 390 CSS px wide at 3 device pixels per CSS pixel, and its QR modules 7 px or more.
const PICTURE_SCALE: f32 = 2.0;

/// The voucher as a PNG: its PDF page drawn by hayro at [`PICTURE_SCALE`] on white, cut one
/// margin below the drawing (the rest of the A4 sheet is blank and would only make the phone
/// scroll), in 8-bit grey (the voucher is black on white: a quarter of RGBA's bytes).
fn picture(rendered: Rendered) -> AppResult<Vec<u8>> {
    use hayro::{
        hayro_interpret::{InterpreterSettings, InterpreterWarning},
        hayro_syntax::Pdf,
        vello_cpu::color::palette::css::WHITE,
        PixmapSettings, RenderCache, RenderSettings,
    };
    use std::sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    };

    let failed = |what: &str| AppError::Internal(format!("the voucher picture cannot be drawn: {what}"));
    let pdf = Pdf::new(rendered.pdf).map_err(|e| failed(&format!("hayro cannot read the PDF: {e:?}")))?;
    let pages = pdf.pages();
    let page = pages.first().ok_or_else(|| failed("the PDF has no page"))?;
    // A font hayro cannot read would be drawn in its fallback font, or not at all: a voucher
    // picture without its text must not be given out.
    let font_failed = Arc::new(AtomicBool::new(false));
    let interpreter = InterpreterSettings {
        warning_sink: Arc::new({
            let font_failed = font_failed.clone();
            move |warning| {
                if matches!(warning, InterpreterWarning::UnsupportedFont) {
                    font_failed.store(true, Ordering::Relaxed);
                }
            }
        }),
        ..InterpreterSettings::default()
    };
    let pixmap = hayro::render(
        page,
        &RenderCache::new(),
        &interpreter,
        &RenderSettings::default(),
        &PixmapSettings { x_scale: PICTURE_SCALE, y_scale: PICTURE_SCALE, bg_color: WHITE },
    );
    if font_failed.load(Ordering::Relaxed) {
        return Err(failed("hayro cannot read the embedded font"));
    }
    let width = u32::from(pixmap.width());
    let bottom = ((rendered.content_bottom + MARGIN) * PICTURE_SCALE).ceil() as u32;
    let height = bottom.min(u32::from(pixmap.height()));
    // Grey from the (opaque, premultiplied) RGBA pixels, row by row down to the cut.
    let grey: Vec<u8> = pixmap
        .data()
        .iter()
        .take((width * height) as usize)
        .map(|p| ((u32::from(p.r) * 299 + u32::from(p.g) * 587 + u32::from(p.b) * 114 + 500) / 1000) as u8)
        .collect();
    let mut png = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        image::codecs::png::CompressionType::Best,
        image::codecs::png::FilterType::Adaptive,
    );
    image::ImageEncoder::write_image(encoder, &grey, width, height, image::ExtendedColorType::L8)
        .map_err(|e| failed(&format!("PNG: {e}")))?;
    Ok(png)
}

/// What the voucher of the user's case `id` says; the refusals both its forms share.
async fn owned_voucher(state: &AppState, user: &VerifiedUser, headers: &HeaderMap, id: &str) -> AppResult<VoucherContent> {
    let mut conn = state.db.acquire().await?;
    let detail = match load_detail(&mut conn, state, id).await? {
        Some((detail, owner)) if owner == user.user_id => detail,
        _ => return Err(AppError::NotFound),
    };
    if detail.result.is_none() {
        return Err(AppError::conflict(
            "voucher_not_ready",
            "该办件尚未办结，办结后才能下载凭证；请在办件详情中查看办理进度。",
        ));
    }
    let (id_number_masked,): (String,) = sqlx::query_as(
        "SELECT id_number_masked FROM realname_submissions WHERE user_id = $1 AND status = 'approved' ORDER BY id DESC LIMIT 1",
    )
    .bind(user.user_id)
    .fetch_one(&mut *conn)
    .await?;
    let (accepted_at,): (Option<i64>,) =
        sqlx::query_as("SELECT accepted_at FROM cases WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
    drop(conn);
    voucher_content(&detail, id_number_masked, accepted_at, &public_base(state, headers))
        .ok_or_else(|| AppError::Internal(format!("case {id}: completed without a result")))
}

/// Draws the voucher off the async threads and turns the drawing into what is sent (the PDF
/// itself, or its picture); 503 `voucher_unavailable` without a font.
async fn drawn<T: Send + 'static>(
    state: &AppState,
    content: VoucherContent,
    finish: impl FnOnce(Rendered) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    let font_setting = state.config.voucher_font.clone();
    tokio::task::spawn_blocking(move || {
        let font = load_font(font_setting.as_deref()).ok_or_else(voucher_unavailable)?;
        finish(render(&content, &font)?)
    })
    .await
    .map_err(|e| AppError::Internal(format!("the voucher rendering stopped: {e}")))?
}

/// The answer with a voucher: its type, how the browser is to treat it, and never kept in a
/// cache (it carries the masked name and ID number).
fn voucher_answer(body: Vec<u8>, content_type: &'static str, disposition: String) -> AppResult<Response> {
    let disposition = HeaderValue::from_str(&disposition).map_err(|_| AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response())
}

async fn audit_voucher(state: &AppState, event: Event, user: &VerifiedUser, ip: &str, id: &str) -> AppResult<()> {
    let entry = Entry {
        event,
        outcome: "ok",
        user_id: Some(user.user_id),
        phone_masked: None,
        client_ip: ip,
        staff_id: None,
        subject: Some(id),
    };
    Ok(audit::record(&state.db, state.clock.now(), entry).await?)
}

/// The voucher of a finished case, as a PDF to print or show.
#[utoipa::path(
    get,
    path = "/cases/{id}/voucher",
    tag = "cases",
    operation_id = "download_voucher",
    params(("id" = String, Path, description = "The case number")),
    responses(
        (status = 200, description = "The voucher (`attachment; filename=\"taxicert-voucher-{id}.pdf\"`): the masked name and ID number, the result, and a QR code linking to `/verify/{code}`", content_type = "application/pdf"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`realname_required`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such case of this user", body = ErrorBody),
        (status = 409, description = "`voucher_not_ready`: the case is not finished (办结)", body = ErrorBody),
        (status = 503, description = "`voucher_unavailable`: the server cannot make PDFs now (no font)", body = ErrorBody),
    )
)]
pub async fn download_voucher(
    State(state): State<AppState>,
    user: VerifiedUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let content = owned_voucher(&state, &user, &headers, &id).await?;
    let pdf = drawn(&state, content, |rendered| Ok(rendered.pdf)).await?;
    audit_voucher(&state, Event::VoucherDownloaded, &user, &ip, &id).await?;
    voucher_answer(pdf, "application/pdf", format!("attachment; filename=\"taxicert-voucher-{id}.pdf\""))
}

/// The voucher of a finished case as a picture, for the browsers that do not download files
/// (Android WeChat's): the PDF's page drawn as a PNG, to be shown in the page and saved to the
/// phone's album with a long press.
#[utoipa::path(
    get,
    path = "/cases/{id}/voucher.png",
    tag = "cases",
    operation_id = "voucher_image",
    params(("id" = String, Path, description = "The case number")),
    responses(
        (status = 200, description = "The voucher's PDF page drawn as a grey PNG 1190 px wide, cut below its last line (`inline; filename=\"taxicert-voucher-{id}.png\"`): the same masked name and ID number, result and QR code as the PDF. Loaded by an `<img>` of the app's page, which sends the session cookie.", content_type = "image/png"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`realname_required`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such case of this user", body = ErrorBody),
        (status = 409, description = "`voucher_not_ready`: the case is not finished (办结)", body = ErrorBody),
        (status = 503, description = "`voucher_unavailable`: the server cannot make vouchers now (no font)", body = ErrorBody),
    )
)]
pub async fn voucher_image(
    State(state): State<AppState>,
    user: VerifiedUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let content = owned_voucher(&state, &user, &headers, &id).await?;
    let png = drawn(&state, content, picture).await?;
    audit_voucher(&state, Event::VoucherImageDownloaded, &user, &ip, &id).await?;
    voucher_answer(png, "image/png", format!("inline; filename=\"taxicert-voucher-{id}.png\""))
}

fn voucher_not_found() -> AppError {
    AppError::client(
        StatusCode::NOT_FOUND,
        "voucher_not_found",
        "未查询到该凭证，凭证可能不是本系统出具的，请向出具凭证的道路运输管理机构核实。",
    )
}

#[derive(sqlx::FromRow)]
struct CheckRow {
    case_id: String,
    business_name: String,
    holder_name_masked: String,
    certificate_number: String,
    completed_at: i64,
    valid_until: Option<String>,
    credit_grade: Option<String>,
    credit_period_start: Option<String>,
    credit_period_end: Option<String>,
    credit_points: Option<i64>,
    #[sqlx(try_from = "crate::db::Flag")]
    cancelled: bool,
    business_code: String,
    user_id: i64,
    answers: Vec<u8>,
}

/// The public check of a voucher's code: whether it is genuine, and what it certifies.
#[utoipa::path(
    get,
    path = "/vouchers/{code}",
    tag = "cases",
    operation_id = "check_voucher",
    params(("code" = String, Path, description = "The voucher code printed on the voucher and in its QR code")),
    responses(
        (status = 200, description = "A genuine voucher: what it certifies, with the holder's name masked (考核: `credit`; 注销: `cancelled`; 变更: `changed_items`, the items only). No session needed.", body = VoucherCheck),
        (status = 404, description = "`voucher_not_found`: no voucher has this code", body = ErrorBody),
    )
)]
pub async fn check_voucher(State(state): State<AppState>, Path(code): Path<String>) -> AppResult<Json<VoucherCheck>> {
    let code = code.trim().to_ascii_uppercase();
    if !looks_like_a_code(&code) {
        return Err(voucher_not_found());
    }
    let row: Option<CheckRow> = sqlx::query_as(
        "SELECT r.case_id, b.name AS business_name, r.holder_name_masked, r.certificate_number, r.completed_at,
                r.valid_until, r.credit_grade, r.credit_period_start, r.credit_period_end, r.credit_points, r.cancelled,
                c.business_code, c.user_id, c.answers
           FROM case_results r JOIN cases c ON c.id = r.case_id JOIN businesses b ON b.code = c.business_code
          WHERE r.voucher_code = $1",
    )
    .bind(&code)
    .fetch_optional(&state.db)
    .await?;
    let row = row.ok_or_else(voucher_not_found)?;
    let credit = match (row.credit_period_start, row.credit_period_end, row.credit_points, &row.credit_grade) {
        (Some(start), Some(end), Some(points), Some(grade)) => Some(CreditRecord {
            period: AssessmentPeriod { start, end },
            points: u32::try_from(points).map_err(|_| AppError::Internal("negative credit points".into()))?,
            grade: grade.clone(),
        }),
        _ => None,
    };
    // 变更: the items only, read from the sealed snapshot; the values stay off a public page.
    let changed_items = if row.business_code == BusinessCode::Change.as_str() {
        let snapshot = open_snapshot(&state, row.user_id, &row.case_id, &row.answers)?;
        snapshot
            .answers
            .info
            .map(|info| applied_changes(&snapshot.certificate, &info.details).into_iter().map(|c| c.item).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    Ok(Json(VoucherCheck {
        case_id: row.case_id,
        business_name: row.business_name,
        holder_name_masked: row.holder_name_masked,
        certificate_number: row.certificate_number,
        completed_on: Date::beijing_today(row.completed_at).to_string(),
        valid_until: row.valid_until,
        credit_grade: row.credit_grade,
        credit,
        cancelled: row.cancelled,
        changed_items,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_twenty_unambiguous_characters_and_differ() {
        let a = new_voucher_code();
        assert!(looks_like_a_code(&a), "{a}");
        assert!(!a.contains(['I', 'O', '0', '1']));
        assert_ne!(a, new_voucher_code());
        assert!(!looks_like_a_code("ABCDEFGHJKLMNPQRSTU0"));
        assert!(!looks_like_a_code("ABC"));
    }

    #[test]
    fn times_are_beijing_times() {
        // 2026-11-24 10:00 in Beijing.
        assert_eq!(beijing_time(1_795_485_600), "2026年11月24日 10:00");
        assert_eq!(chinese_date("2032-06-15"), "2032年6月15日");
    }
}
