//! A second labelled set for the quality checks, drawn by code that shares nothing with
//! `photos.rs`: real fonts (AR PL UMing for print, AR PL UKai for handwriting, WenQuanYi Micro
//! Hei for cards and screens, DejaVu Sans Mono for numbers), the materials drivers actually
//! photograph (身份证, 驾驶证, 从业资格证, a 违章记录 page, a signed white A4 statement, a phone
//! screenshot, a close-up of big print, a flat-colour 2-inch portrait), on tables with texture,
//! then put through a phone's camera: lens softness, the defect under test, exposure, sensor
//! noise, unsharp-mask sharpening and a JPEG at quality 70–95.
//!
//! Every photo is labelled with what a clerk would say of it: blurred (a Gaussian of σ ≥ 2 px or
//! a shake of ≥ 12 px at the checks' 1024 px working size), too dark, blown out, or with a glare
//! spot (a specular reflection on a card or page that washes out what is under it). Everything
//! is drawn from a seed, so a run can be repeated exactly.

use std::sync::OnceLock;

use ab_glyph::{Font, FontArc, FontVec, PxScale, ScaleFont};
use image::{Rgb, RgbImage};

use crate::hostile::jpeg;
use crate::photos::Rng;

/// What is photographed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scene {
    /// 居民身份证, the portrait side, on a table.
    IdCard,
    /// 机动车驾驶证, its cream page with the red seal, on a table.
    DrivingLicence,
    /// 从业资格证, a card with a blue band, on a table.
    QualificationCard,
    /// A printed 违章记录 page: a ruled table of small print.
    ViolationPage,
    /// A signed white A4 情况说明: a few lines of print, wide white margins, a signature and a
    /// red fingerprint. Often blown out to pure white by the camera, and still readable.
    Statement,
    /// A phone screenshot of a certificate page: flat colours, big text, no grain.
    Screenshot,
    /// A close-up of a few characters of big print, glyphs up to a third of the frame high.
    BigText,
    /// A 2-inch portrait of nobody, in flat colours on a light background.
    Portrait,
}

impl Scene {
    pub const ALL: [Scene; 8] = [
        Scene::IdCard,
        Scene::DrivingLicence,
        Scene::QualificationCard,
        Scene::ViolationPage,
        Scene::Statement,
        Scene::Screenshot,
        Scene::BigText,
        Scene::Portrait,
    ];

    /// Whether a glare spot is drawn on it: a laminated card or a page under a lamp.
    pub fn can_glare(self) -> bool {
        matches!(self, Scene::IdCard | Scene::DrivingLicence | Scene::QualificationCard | Scene::Statement)
    }
}

/// What went wrong with the photo, if anything.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Defect {
    None,
    /// A Gaussian blur (out of focus) of this σ in working-size pixels.
    Gaussian(f32),
    /// A straight shake of this length in working-size pixels, at 0, 45, 90 or 135 degrees.
    Motion(f32, u32),
    /// Under-exposed: the light multiplied by this gain.
    Dark(f32),
    /// Over-exposed: the distance to white multiplied by this factor.
    Bright(f32),
    /// A specular reflection whose fall-off has this σ, as a share of the long side.
    Glare(f32),
}

/// What a clerk would say of a photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Truth {
    pub blurred: bool,
    pub dark: bool,
    pub bright: bool,
    pub glare: bool,
}

impl Defect {
    pub fn truth(self) -> Truth {
        match self {
            Defect::None => Truth::default(),
            Defect::Gaussian(_) | Defect::Motion(..) => Truth { blurred: true, ..Truth::default() },
            Defect::Dark(_) => Truth { dark: true, ..Truth::default() },
            Defect::Bright(_) => Truth { bright: true, ..Truth::default() },
            Defect::Glare(_) => Truth { glare: true, ..Truth::default() },
        }
    }
}

/// One labelled photo, as the phone's file picker hands it over.
pub struct FieldPhoto {
    /// `scene-WxH-seed-defect`.
    pub name: String,
    pub scene: Scene,
    pub defect: Defect,
    pub truth: Truth,
    /// A JPEG (a PNG for some screenshots).
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The set: every scene, `seeds` times, each time at the next of `long_sides` (cycling) and
/// with each defect the scene can have: sharp twice (one of them with the strongest phone
/// sharpening), Gaussian blur, a shake, too dark, blown out, and glare where it can occur.
/// A 2-inch portrait is drawn at 413 to 1050 px wide whatever `long_sides` say, as studios
/// deliver it; a screenshot at a phone screen's shape.
pub fn field_set(long_sides: &[u32], seeds: u64) -> Vec<FieldPhoto> {
    let mut set = Vec::new();
    let mut turn = 0usize;
    for scene in Scene::ALL {
        for seed in 0..seeds {
            let long = long_sides[turn % long_sides.len()];
            turn += 1;
            let mut rng = Rng::new(seed * 131 + scene as u64 * 7 + 1000);
            let mut defects = vec![Defect::None, Defect::None];
            defects.push(Defect::Gaussian(2.0 + rng.below(150) as f32 / 100.0));
            let angle = [0, 45, 90, 135][rng.below(4) as usize];
            defects.push(Defect::Motion(12.0 + rng.below(9) as f32, angle));
            defects.push(Defect::Dark(0.10 + rng.below(10) as f32 / 100.0));
            defects.push(Defect::Bright(0.06 + rng.below(10) as f32 / 100.0));
            if scene.can_glare() {
                defects.push(Defect::Glare(0.03 + rng.below(30) as f32 / 1000.0));
            }
            for (k, defect) in defects.into_iter().enumerate() {
                set.push(photo(scene, long, seed * 16 + k as u64, defect));
            }
        }
    }
    set
}

/// One photo of `scene` with a long side of about `long` px, drawn from `seed`, with `defect`.
pub fn photo(scene: Scene, long: u32, seed: u64, defect: Defect) -> FieldPhoto {
    let mut rng = Rng::new(seed ^ 0x5EED_F1E1D);
    let (width, height) = match scene {
        Scene::Portrait => {
            let w = 413 + rng.below(640);
            (w, w * 49 / 35)
        }
        Scene::Screenshot => (long * 9 / 20, long),
        Scene::ViolationPage | Scene::Statement if rng.below(2) == 0 => (long * 3 / 4, long),
        _ => (long, long * 3 / 4),
    };
    let mut image = draw(scene, width, height, &mut rng);
    let scale = (width.max(height) as f32 / 1024.0).max(1.0);
    let camera = !matches!(scene, Scene::Screenshot | Scene::Portrait);
    if camera {
        // A phone lens and demosaicing soften every edge a little, more so at full resolution.
        image = gaussian(&image, 0.5 + 0.15 * scale);
    }
    match defect {
        Defect::Gaussian(sigma) => image = gaussian(&image, sigma * scale),
        Defect::Motion(length, angle) => image = shake(&image, (length * scale).round() as u32, angle),
        _ => {}
    }
    expose(&mut image, defect, &mut rng);
    // After the exposure: a reflection clips the sensor however the rest is exposed.
    if let Defect::Glare(spread) = defect {
        glare(&mut image, scene, spread, &mut rng);
    }
    if camera {
        let spread = 1.5 + rng.below(35) as f32 / 10.0;
        noise(&mut image, &mut rng, spread);
        // Phones sharpen their JPEGs; some a lot.
        let amount = if seed % 16 == 1 { 1.5 } else { 0.2 + rng.below(80) as f32 / 100.0 };
        image = unsharp(&image, 0.8 + 0.3 * scale, amount);
    } else if scene == Scene::Portrait {
        // A studio's file: a little grain, no sharpening.
        noise(&mut image, &mut rng, 1.0);
    }
    let bytes = if scene == Scene::Screenshot && seed.is_multiple_of(2) {
        crate::hostile::png_rgb(&image)
    } else {
        jpeg(&image, 70 + rng.below(26) as u8)
    };
    let name = format!("{scene:?}-{width}x{height}-{seed}-{defect:?}");
    FieldPhoto { name, scene, defect, truth: defect.truth(), bytes, width, height }
}

// ---------------------------------------------------------------------------------------------
// Fonts and drawing

/// The faces: 0 Ming (print), 1 Kai (handwriting), 2 sans (cards, screens), 3 mono (numbers).
/// A missing face falls back to WenQuanYi Micro Hei, which `make` installs.
fn fonts() -> &'static [FontArc; 4] {
    static FONTS: OnceLock<[FontArc; 4]> = OnceLock::new();
    FONTS.get_or_init(|| {
        let load = |paths: &[&str]| {
            paths.iter().find_map(|p| {
                let bytes = std::fs::read(p).ok()?;
                FontVec::try_from_vec_and_index(bytes, 0).ok().map(FontArc::new)
            })
        };
        let sans = load(&["/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"])
            .expect("a CJK font: apt-get install fonts-wqy-microhei (and fonts-arphic-uming fonts-arphic-ukai)");
        let ming = load(&["/usr/share/fonts/truetype/arphic/uming.ttc"]).unwrap_or_else(|| sans.clone());
        let kai = load(&["/usr/share/fonts/truetype/arphic/ukai.ttc"]).unwrap_or_else(|| sans.clone());
        let mono = load(&["/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"]).unwrap_or_else(|| sans.clone());
        [ming, kai, sans, mono]
    })
}

const MING: usize = 0;
const KAI: usize = 1;
const SANS: usize = 2;
const MONO: usize = 3;

/// Draws `text` with its top-left at (`x`, `y`), glyphs `size` px high, blending `colour` by
/// the glyph's coverage; returns the caret's end.
fn text(image: &mut RgbImage, face: usize, x: f32, y: f32, size: f32, text: &str, colour: [u8; 3]) -> f32 {
    let font = &fonts()[face];
    let scaled = font.as_scaled(PxScale::from(size));
    let mut caret = x;
    let (w, h) = (image.width() as i32, image.height() as i32);
    for c in text.chars() {
        let id = font.glyph_id(c);
        let glyph = id.with_scale_and_position(size, ab_glyph::point(caret, y + scaled.ascent()));
        caret += scaled.h_advance(id);
        let Some(outline) = font.outline_glyph(glyph) else { continue };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            let (px, py) = (bounds.min.x as i32 + gx as i32, bounds.min.y as i32 + gy as i32);
            if px >= 0 && py >= 0 && px < w && py < h {
                let p = image.get_pixel_mut(px as u32, py as u32);
                let c = coverage.clamp(0.0, 1.0);
                for (channel, &ink) in p.0.iter_mut().zip(&colour) {
                    *channel = (f32::from(*channel) * (1.0 - c) + f32::from(ink) * c).round() as u8;
                }
            }
        });
    }
    caret
}

fn rect(image: &mut RgbImage, x0: f32, y0: f32, x1: f32, y1: f32, colour: [u8; 3]) {
    let (w, h) = (image.width() as f32, image.height() as f32);
    for y in y0.max(0.0) as u32..y1.min(h).max(0.0) as u32 {
        for x in x0.max(0.0) as u32..x1.min(w).max(0.0) as u32 {
            image.put_pixel(x, y, Rgb(colour));
        }
    }
}

/// A table or desk under the material: wood with grain and knots, or a grey office desk.
fn table(width: u32, height: u32, rng: &mut Rng) -> RgbImage {
    let wood = rng.below(3) > 0;
    let base = if wood {
        [120 + rng.below(50) as u8, 80 + rng.below(30) as u8, 50 + rng.below(20) as u8]
    } else {
        let g = 110 + rng.below(60) as u8;
        [g, g, g + 6]
    };
    let (phase, freq) = (rng.below(1000) as f32, 6.0 + rng.below(10) as f32);
    let long = width.max(height) as f32;
    // The grain's waviness along x, worked out once per column.
    let wave: Vec<f32> = (0..width).map(|x| (x as f32 / long * 3.0 + phase).sin() * 0.8).collect();
    RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 / long, y as f32 / long);
        let grain = if wood { (fy * freq * std::f32::consts::TAU + wave[x as usize]).sin() * 12.0 } else { 0.0 };
        // Light falls off from a window to one side.
        let light = 1.05 - 0.25 * fx;
        Rgb(base.map(|c| ((f32::from(c) + grain) * light).clamp(0.0, 255.0) as u8))
    })
}

/// Paper's own texture: soft blotches a few levels deep and a fibre now and then.
fn paper(image: &mut RgbImage, x0: f32, y0: f32, x1: f32, y1: f32, colour: [u8; 3], rng: &mut Rng) {
    let (a, b, c) = (rng.below(100) as f32 / 10.0, rng.below(100) as f32 / 10.0, 2.0 + rng.below(4) as f32);
    let span = (x1 - x0).max(1.0);
    let (w, h) = (image.width() as f32, image.height() as f32);
    let (xs, ys) = (x0.max(0.0) as u32..x1.min(w) as u32, y0.max(0.0) as u32..y1.min(h) as u32);
    // sin(9u + a)·cos(7v + b) + ½ sin(23u + 17v), by rows and columns worked out once.
    let us: Vec<[f32; 3]> = xs
        .clone()
        .map(|x| {
            let u = (x as f32 - x0) / span;
            [(u * 9.0 + a).sin(), (u * 23.0).sin(), (u * 23.0).cos()]
        })
        .collect();
    for y in ys {
        let v = (y as f32 - y0) / span;
        let (cv, c17, s17) = ((v * 7.0 + b).cos(), (v * 17.0).cos(), (v * 17.0).sin());
        for (x, [su, s23, c23]) in xs.clone().zip(&us) {
            let blotch = (su * cv + (s23 * c17 + c23 * s17) * 0.5) * c;
            image.put_pixel(x, y, Rgb(colour.map(|k| (f32::from(k) + blotch).clamp(0.0, 255.0) as u8)));
        }
    }
}

/// A soft shadow to the lower right of a material lying on the table.
fn shadow(image: &mut RgbImage, x0: f32, y0: f32, x1: f32, y1: f32, reach: f32) {
    let (w, h) = (image.width(), image.height());
    for y in (y0 + reach / 2.0).max(0.0) as u32..(y1 + reach).min(h as f32) as u32 {
        for x in (x0 + reach / 2.0).max(0.0) as u32..(x1 + reach).min(w as f32) as u32 {
            let (fx, fy) = (x as f32, y as f32);
            let dx = (fx - x1).max(0.0) / reach;
            let dy = (fy - y1).max(0.0) / reach;
            let d = (dx * dx + dy * dy).sqrt();
            if d < 1.0 {
                let p = image.get_pixel_mut(x, y);
                p.0 = p.0.map(|c| (f32::from(c) * (0.65 + 0.35 * d)) as u8);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The scenes

const NAMES: [&str; 6] = ["李明辉", "张秀英", "赵国强", "陈晓燕", "刘建平", "孙志刚"];
const PLACES: [&str; 4] = ["新华大街与中山路口", "机场高速收费站", "人民广场东侧", "锡林北路"];

/// Where the material lies in the frame, and the frame around it.
fn placed(width: u32, height: u32, aspect: f32, fill: f32, rng: &mut Rng) -> (f32, f32, f32, f32) {
    let (w, h) = (width as f32, height as f32);
    let mut mw = w * fill;
    let mut mh = mw / aspect;
    if mh > h * fill {
        mh = h * fill;
        mw = mh * aspect;
    }
    let x0 = (w - mw) * (0.3 + rng.below(40) as f32 / 100.0);
    let y0 = (h - mh) * (0.3 + rng.below(40) as f32 / 100.0);
    (x0, y0, x0 + mw, y0 + mh)
}

fn draw(scene: Scene, width: u32, height: u32, rng: &mut Rng) -> RgbImage {
    let name = NAMES[rng.below(NAMES.len() as u32) as usize];
    match scene {
        Scene::IdCard | Scene::DrivingLicence | Scene::QualificationCard => {
            let mut image = table(width, height, rng);
            let fill = 0.62 + rng.below(30) as f32 / 100.0;
            let (x0, y0, x1, y1) = placed(width, height, 1.5, fill, rng);
            shadow(&mut image, x0, y0, x1, y1, (x1 - x0) * 0.03);
            let u = (x1 - x0) / 100.0;
            match scene {
                Scene::IdCard => {
                    paper(&mut image, x0, y0, x1, y1, [226, 232, 236], rng);
                    // The card's fine background pattern.
                    for k in 0..12 {
                        let y = y0 + (y1 - y0) * (k as f32 + 0.5) / 12.0;
                        rect(&mut image, x0 + u, y, x1 - u, y + u * 0.12, [206, 216, 226]);
                    }
                    let label = [40, 90, 150];
                    let ink = [20, 20, 24];
                    text(&mut image, SANS, x0 + 6.0 * u, y0 + 8.0 * u, 4.5 * u, "姓名", label);
                    text(&mut image, SANS, x0 + 18.0 * u, y0 + 7.5 * u, 5.5 * u, name, ink);
                    text(&mut image, SANS, x0 + 6.0 * u, y0 + 17.0 * u, 4.5 * u, "性别", label);
                    text(&mut image, SANS, x0 + 18.0 * u, y0 + 16.5 * u, 5.0 * u, "男", ink);
                    text(&mut image, SANS, x0 + 30.0 * u, y0 + 17.0 * u, 4.5 * u, "民族", label);
                    text(&mut image, SANS, x0 + 42.0 * u, y0 + 16.5 * u, 5.0 * u, "汉", ink);
                    text(&mut image, SANS, x0 + 6.0 * u, y0 + 26.0 * u, 4.5 * u, "出生", label);
                    text(&mut image, SANS, x0 + 18.0 * u, y0 + 25.5 * u, 5.0 * u, "1983年11月2日", ink);
                    text(&mut image, SANS, x0 + 6.0 * u, y0 + 35.0 * u, 4.5 * u, "住址", label);
                    text(&mut image, SANS, x0 + 18.0 * u, y0 + 34.5 * u, 4.6 * u, "内蒙古自治区包头市昆都", ink);
                    text(&mut image, SANS, x0 + 18.0 * u, y0 + 41.0 * u, 4.6 * u, "仑区钢铁大街38号", ink);
                    text(&mut image, SANS, x0 + 6.0 * u, y0 + 54.0 * u, 4.5 * u, "公民身份号码", label);
                    text(&mut image, MONO, x0 + 32.0 * u, y0 + 53.0 * u, 5.6 * u, "150203198311021238", ink);
                    portrait_box(&mut image, x0 + 68.0 * u, y0 + 10.0 * u, x0 + 94.0 * u, y0 + 44.0 * u, [214, 222, 230]);
                }
                Scene::DrivingLicence => {
                    paper(&mut image, x0, y0, x1, y1, [238, 232, 214], rng);
                    let ink = [30, 30, 30];
                    text(&mut image, MING, x0 + 12.0 * u, y0 + 4.0 * u, 5.5 * u, "中华人民共和国机动车驾驶证", ink);
                    let rows = [("证号", "150203198311021238"), ("姓名", name), ("住址", "包头市昆都仑区钢铁大街"), ("初次领证日期", "2008-06-17"), ("准驾车型", "C1"), ("有效期限", "2018-06-17至2028-06-17")];
                    for (k, (label, value)) in rows.iter().enumerate() {
                        let y = y0 + (13.0 + 7.5 * k as f32) * u;
                        text(&mut image, MING, x0 + 5.0 * u, y, 3.6 * u, label, ink);
                        let face = if value.is_ascii() { MONO } else { MING };
                        text(&mut image, face, x0 + 27.0 * u, y - 0.3 * u, 4.0 * u, value, ink);
                    }
                    seal(&mut image, x0 + 20.0 * u, y0 + 56.0 * u, 9.0 * u);
                    portrait_box(&mut image, x0 + 74.0 * u, y0 + 14.0 * u, x0 + 95.0 * u, y0 + 42.0 * u, [255, 255, 255]);
                }
                _ => {
                    paper(&mut image, x0, y0, x1, y1, [248, 248, 246], rng);
                    rect(&mut image, x0, y0, x1, y0 + 13.0 * u, [28, 84, 160]);
                    text(&mut image, SANS, x0 + 10.0 * u, y0 + 3.0 * u, 6.5 * u, "道路运输从业人员从业资格证", [255, 255, 255]);
                    let ink = [25, 25, 30];
                    let rows = [("姓名", name), ("证号", "150203198311021238"), ("从业资格类别", "巡游出租汽车驾驶员"), ("发证机关", "包头市交通运输局"), ("有效期至", "2029年05月20日")];
                    for (k, (label, value)) in rows.iter().enumerate() {
                        let y = y0 + (18.0 + 7.5 * k as f32) * u;
                        text(&mut image, SANS, x0 + 5.0 * u, y, 3.8 * u, label, [90, 90, 100]);
                        let face = if value.is_ascii() { MONO } else { SANS };
                        text(&mut image, face, x0 + 30.0 * u, y - 0.3 * u, 4.2 * u, value, ink);
                    }
                    portrait_box(&mut image, x0 + 76.0 * u, y0 + 18.0 * u, x0 + 95.0 * u, y0 + 44.0 * u, [230, 236, 244]);
                }
            }
            image
        }
        Scene::ViolationPage | Scene::Statement => {
            let mut image = table(width, height, rng);
            let fill = 0.72 + rng.below(24) as f32 / 100.0;
            let (x0, y0, x1, y1) = placed(width, height, 210.0 / 297.0, fill, rng);
            shadow(&mut image, x0, y0, x1, y1, (x1 - x0) * 0.02);
            let white = 244 + rng.below(12) as u8;
            paper(&mut image, x0, y0, x1, y1, [white, white, white.saturating_sub(2)], rng);
            let u = (x1 - x0) / 100.0;
            let ink = [28, 28, 32];
            if scene == Scene::ViolationPage {
                text(&mut image, MING, x0 + 28.0 * u, y0 + 8.0 * u, 4.5 * u, "机动车驾驶人违法记录", ink);
                let (tx0, tx1) = (x0 + 6.0 * u, x1 - 6.0 * u);
                let cols = [0.0, 16.0, 46.0, 72.0, 88.0];
                for r in 0..=12 {
                    let y = y0 + (20.0 + 6.0 * r as f32) * u;
                    rect(&mut image, tx0, y, tx1, y + 0.25 * u, [60, 60, 60]);
                    if r < 12 {
                        let row: [String; 4] = if r == 0 {
                            ["日期".into(), "地点".into(), "违法行为".into(), "罚款".into()]
                        } else {
                            [
                                format!("2024-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)),
                                PLACES[rng.below(4) as usize].into(),
                                ["未按规定让行", "超速行驶", "违法停车", "不按导向车道"][rng.below(4) as usize].into(),
                                format!("{}元", [50, 100, 200][rng.below(3) as usize]),
                            ]
                        };
                        for (c, cell) in row.iter().enumerate() {
                            let face = if cell.is_ascii() { MONO } else { MING };
                            text(&mut image, face, tx0 + (cols[c] + 1.0) * u, y + 1.5 * u, 2.6 * u, cell, ink);
                        }
                    }
                }
                for x in cols.iter().map(|c| tx0 + c * u).chain([tx1 - 0.25 * u]) {
                    rect(&mut image, x, y0 + 20.0 * u, x + 0.25 * u, y0 + 92.0 * u, [60, 60, 60]);
                }
            } else {
                text(&mut image, MING, x0 + 38.0 * u, y0 + 10.0 * u, 6.0 * u, "情况说明", ink);
                let lines = [
                    "本人因驾驶证遗失，特申请补发出租汽车驾驶员",
                    "从业资格证。本人承诺所提交的材料真实有效，",
                    "如有虚假，愿承担相应的法律责任。",
                    "特此说明。",
                ];
                for (k, line) in lines.iter().enumerate() {
                    text(&mut image, MING, x0 + 12.0 * u, y0 + (24.0 + 7.0 * k as f32) * u, 3.6 * u, line, ink);
                }
                text(&mut image, MING, x0 + 52.0 * u, y0 + 62.0 * u, 3.6 * u, "申请人（签字）：", ink);
                text(&mut image, KAI, x0 + 72.0 * u, y0 + 59.0 * u, 7.5 * u, name, [20, 30, 80]);
                fingerprint(&mut image, x0 + 88.0 * u, y0 + 64.0 * u, 3.2 * u);
                text(&mut image, MONO, x0 + 60.0 * u, y0 + 72.0 * u, 3.4 * u, "2024.11.08", [20, 30, 80]);
            }
            image
        }
        Scene::Screenshot => {
            let (w, h) = (width as f32, height as f32);
            let u = w / 100.0;
            let mut image = RgbImage::from_pixel(width, height, Rgb([242, 242, 242]));
            rect(&mut image, 0.0, 0.0, w, 14.0 * u, [24, 160, 88]);
            text(&mut image, SANS, 4.0 * u, 2.0 * u, 4.0 * u, "09:41", [255, 255, 255]);
            text(&mut image, SANS, 26.0 * u, 6.0 * u, 6.5 * u, "电子从业资格证", [255, 255, 255]);
            let mut y = 20.0 * u;
            let rows = [("姓名", name), ("证号", "1502031983110212"), ("类别", "巡游出租汽车"), ("有效期", "2029-05-20"), ("状态", "有效")];
            rect(&mut image, 4.0 * u, y, w - 4.0 * u, y + 16.0 * u * rows.len() as f32, [255, 255, 255]);
            for (label, value) in rows {
                text(&mut image, SANS, 8.0 * u, y + 4.0 * u, 6.0 * u, label, [120, 120, 120]);
                text(&mut image, SANS, 36.0 * u, y + 3.5 * u, 7.0 * u, value, [20, 20, 20]);
                rect(&mut image, 8.0 * u, y + 15.8 * u, w - 8.0 * u, y + 16.0 * u, [228, 228, 228]);
                y += 16.0 * u;
            }
            y += 8.0 * u;
            rect(&mut image, 8.0 * u, y, w - 8.0 * u, y + 13.0 * u, [24, 160, 88]);
            text(&mut image, SANS, 34.0 * u, y + 3.0 * u, 6.5 * u, "出示二维码", [255, 255, 255]);
            // The rest of the page: white, with a light footer line, as apps leave it.
            text(&mut image, SANS, 20.0 * u, h - 12.0 * u, 3.5 * u, "内蒙古自治区交通运输厅", [150, 150, 150]);
            image
        }
        Scene::BigText => {
            let tone = 236 + rng.below(16) as u8;
            let mut image = RgbImage::from_pixel(width, height, Rgb([tone, tone, tone - 4]));
            paper(&mut image, 0.0, 0.0, width as f32, height as f32, [tone, tone, tone - 4], rng);
            let size = height as f32 * (0.12 + rng.below(20) as f32 / 100.0);
            let words = ["驾驶证", "从业资格", "出租汽车", "身份证明"];
            let word = words[rng.below(4) as usize];
            let x = width as f32 * 0.08;
            let mut y = height as f32 * 0.1;
            while y + size < height as f32 * 0.95 {
                text(&mut image, if rng.below(2) == 0 { MING } else { SANS }, x, y, size, word, [25, 25, 28]);
                y += size * 1.4;
            }
            image
        }
        Scene::Portrait => flat_portrait(width, height, rng),
    }
}

/// A photo's place on a card: a light box with a head and shoulders in soft flat colours.
fn portrait_box(image: &mut RgbImage, x0: f32, y0: f32, x1: f32, y1: f32, background: [u8; 3]) {
    rect(image, x0, y0, x1, y1, background);
    let (cx, w, h) = ((x0 + x1) / 2.0, x1 - x0, y1 - y0);
    for y in y0 as u32..y1 as u32 {
        for x in x0 as u32..x1 as u32 {
            let (fx, fy) = (x as f32, y as f32);
            let head = ((fx - cx) / (w * 0.22)).powi(2) + ((fy - y0 - h * 0.4) / (h * 0.22)).powi(2) <= 1.0;
            let body = fy > y0 + h * 0.68 && (fx - cx).abs() < w * 0.45 - (y1 - fy) * 0.3;
            if head {
                image.put_pixel(x, y, Rgb([120, 110, 105]));
            } else if body {
                image.put_pixel(x, y, Rgb([70, 70, 80]));
            }
        }
    }
}

/// A round red seal: a ring and a star.
fn seal(image: &mut RgbImage, cx: f32, cy: f32, r: f32) {
    let red = [200, 40, 40];
    for y in (cy - r) as u32..(cy + r) as u32 + 1 {
        for x in (cx - r) as u32..(cx + r) as u32 + 1 {
            let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
            if (d > r * 0.86 && d < r) || d < r * 0.25 {
                let p = image.get_pixel_mut(x, y);
                // Stamp ink is translucent.
                p.0 = [0, 1, 2].map(|c| ((u32::from(p.0[c]) * 2 + red[c]) / 3) as u8);
            }
        }
    }
}

/// A red fingerprint: concentric ovals of translucent ink.
fn fingerprint(image: &mut RgbImage, cx: f32, cy: f32, r: f32) {
    for y in (cy - r * 1.3) as u32..(cy + r * 1.3) as u32 {
        for x in (cx - r) as u32..(cx + r) as u32 {
            let d = (((x as f32 - cx) / r).powi(2) + ((y as f32 - cy) / (r * 1.3)).powi(2)).sqrt();
            if d < 1.0 && (d * 9.0).fract() < 0.5 {
                let p = image.get_pixel_mut(x, y);
                p.0 = [(u32::from(p.0[0]) / 4 + 160) as u8, p.0[1] / 3, p.0[2] / 3];
            }
        }
    }
}

/// A studio's 2-inch portrait in flat colours: a pale blue or white background, a smooth
/// gradient on the face, no texture at all.
fn flat_portrait(width: u32, height: u32, rng: &mut Rng) -> RgbImage {
    let backgrounds = [[255, 255, 255], [226, 238, 250], [67, 142, 219], [240, 240, 240]];
    // Mostly light backgrounds, as the rules want; the blue one the rules refuse is drawn too.
    let background = backgrounds[[0, 1, 3, 1][rng.below(4) as usize]];
    let (w, h) = (width as f32, height as f32);
    let cx = w * (0.48 + rng.below(5) as f32 / 100.0);
    let skin = [232 - rng.below(30) as u8, 190 - rng.below(30) as u8, 160 - rng.below(20) as u8];
    let shirt = [[30, 40, 70], [240, 240, 240], [60, 60, 60]][rng.below(3) as usize];
    RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
        let head = ((fx - cx) / (w * 0.23)).powi(2) + ((fy - h * 0.43) / (h * 0.22)).powi(2);
        let hair = ((fx - cx) / (w * 0.25)).powi(2) + ((fy - h * 0.34) / (h * 0.17)).powi(2);
        let shoulders = fy > h * 0.75 && (fx - cx).abs() < w * 0.5 - (h - fy) * 0.2;
        let neck = (fx - cx).abs() < w * 0.08 && fy > h * 0.6 && fy < h * 0.8;
        // A soft anti-aliased edge of a pixel or two, as a studio's export has.
        let edge = |d: f32| ((1.0 - d) * w * 0.05).clamp(0.0, 1.0);
        let mix = |a: [u8; 3], b: [u8; 3], t: f32| Rgb([0, 1, 2].map(|c| (f32::from(a[c]) * (1.0 - t) + f32::from(b[c]) * t) as u8));
        let shade = 1.0 - 0.12 * ((fx - cx) / (w * 0.23)).clamp(-1.0, 1.0);
        let face = skin.map(|c| (f32::from(c) * shade).min(255.0) as u8);
        if hair < 1.0 && fy < h * 0.33 {
            mix(face, [30, 24, 22], edge(hair).max(0.0))
        } else if head < 1.0 {
            let eyes = ((fx - cx).abs() - w * 0.08).abs() < w * 0.025 && (fy - h * 0.42).abs() < h * 0.01;
            let mouth = (fx - cx).abs() < w * 0.05 && (fy - h * 0.53).abs() < h * 0.005;
            if eyes {
                Rgb([40, 30, 30])
            } else if mouth {
                Rgb([180, 90, 90])
            } else {
                mix(background, face, edge(head))
            }
        } else if neck {
            Rgb(face)
        } else if shoulders {
            Rgb(shirt)
        } else {
            Rgb(background)
        }
    })
}

// ---------------------------------------------------------------------------------------------
// The camera

/// A specular reflection of a lamp: an elliptical spot on the material whose light adds to and
/// washes out what is under it, fading out over a σ of `spread` × the long side.
fn glare(image: &mut RgbImage, scene: Scene, spread: f32, rng: &mut Rng) {
    let (w, h) = (image.width() as f32, image.height() as f32);
    let long = w.max(h);
    let sigma = spread * long;
    // On the material, away from its edges.
    let (cx, cy) = (w * (0.35 + rng.below(30) as f32 / 100.0), h * (0.35 + rng.below(30) as f32 / 100.0));
    let stretch = 1.0 + rng.below(120) as f32 / 100.0;
    let (sx, sy) = if rng.below(2) == 0 { (sigma * stretch, sigma) } else { (sigma, sigma * stretch) };
    let strength = if scene == Scene::Statement { 1.6 } else { 1.5 + rng.below(50) as f32 / 100.0 };
    let reach = 3.5 * sx.max(sy);
    for y in (cy - reach).max(0.0) as u32..(cy + reach).min(h) as u32 {
        for x in (cx - reach).max(0.0) as u32..(cx + reach).min(w) as u32 {
            let d2 = ((x as f32 - cx) / sx).powi(2) + ((y as f32 - cy) / sy).powi(2);
            let t = (strength * (-d2 / 2.0).exp()).min(1.0);
            let p = image.get_pixel_mut(x, y);
            p.0 = p.0.map(|c| (f32::from(c) + (255.0 - f32::from(c)) * t + 40.0 * t).min(255.0) as u8);
        }
    }
}

/// The exposure: well lit (a gain of 0.8 to 1.15, white paper may clip), dark or blown out.
/// Under a glare spot the camera meters for the spot, so the rest comes out a little darker.
fn expose(image: &mut RgbImage, defect: Defect, rng: &mut Rng) {
    let gain = if matches!(defect, Defect::Glare(_)) { 0.78 + rng.below(15) as f32 / 100.0 } else { 0.8 + rng.below(35) as f32 / 100.0 };
    for p in image.pixels_mut() {
        p.0 = p.0.map(|c| {
            let c = f32::from(c);
            let v = match defect {
                Defect::Dark(g) => c * g,
                Defect::Bright(k) => 255.0 - (255.0 - c) * k,
                _ => c * gain,
            };
            v.clamp(0.0, 255.0) as u8
        });
    }
}

/// Sensor noise of `spread` levels, mostly in luma, a little in colour.
fn noise(image: &mut RgbImage, rng: &mut Rng, spread: f32) {
    let tint_step = spread * 0.6 / 255.0;
    for p in image.pixels_mut() {
        let n = rng.noise(spread);
        // Three small uniform colour offsets from one draw.
        let bits = rng.next();
        let mut k = 0;
        p.0 = p.0.map(|c| {
            let tint = ((bits >> (8 * k)) & 0xFF) as f32 * tint_step - spread * 0.3;
            k += 1;
            (f32::from(c) + n + tint).clamp(0.0, 255.0) as u8
        });
    }
}

/// `image` + `amount` × (`image` − its Gaussian blur of `sigma`): a phone's sharpening.
fn unsharp(image: &RgbImage, sigma: f32, amount: f32) -> RgbImage {
    let soft = gaussian(image, sigma);
    let mut out = image.clone();
    for (o, s) in out.as_mut().iter_mut().zip(soft.as_raw()) {
        *o = (f32::from(*o) + amount * (f32::from(*o) - f32::from(*s))).clamp(0.0, 255.0) as u8;
    }
    out
}

/// A Gaussian blur of `sigma` px, as three box blurs each way (running sums: the cost does not
/// grow with sigma, so a 50 MP photo blurs in seconds); under 1.5 px, as one box each way of
/// the nearest variance (a lens's softness or a sharpening radius need no more).
pub fn gaussian(image: &RgbImage, sigma: f32) -> RgbImage {
    if sigma < 0.3 {
        return image.clone();
    }
    // n boxes of width w have the variance of the Gaussian when n (w² − 1) / 12 = σ².
    let passes = if sigma < 1.5 { 1 } else { 3 };
    let width = (12.0 * sigma * sigma / passes as f32 + 1.0).sqrt();
    let radius = ((width - 1.0) / 2.0).round().max(1.0) as u32;
    let mut out = boxed(image, radius, (1, 0));
    out = boxed(&out, radius, (0, 1));
    for _ in 1..passes {
        out = boxed(&out, radius, (1, 0));
        out = boxed(&out, radius, (0, 1));
    }
    out
}

/// A straight shake of `length` px at 0, 45, 90 or 135 degrees.
pub fn shake(image: &RgbImage, length: u32, angle: u32) -> RgbImage {
    let direction = match angle {
        0 => (1, 0),
        90 => (0, 1),
        45 => (1, 1),
        _ => (1, -1),
    };
    boxed(image, length / 2, direction)
}

/// Each pixel the mean of the 2 × `radius` + 1 pixels along `(dx, dy)` through it, ends
/// clamped, by running sums along each line.
fn boxed(image: &RgbImage, radius: u32, (dx, dy): (i64, i64)) -> RgbImage {
    let (w, h) = (i64::from(image.width()), i64::from(image.height()));
    let r = i64::from(radius);
    let n = (2 * r + 1) as u32;
    let mut out = image.clone();
    let src = image.as_raw();
    let dst: &mut [u8] = out.as_mut();
    // Every line's first pixel: the left column and (for diagonals) the top or bottom row.
    let mut starts: Vec<(i64, i64)> = Vec::new();
    match (dx, dy) {
        (1, 0) => starts.extend((0..h).map(|y| (0, y))),
        (0, 1) => starts.extend((0..w).map(|x| (x, 0))),
        (1, 1) => {
            starts.extend((0..h).map(|y| (0, y)));
            starts.extend((1..w).map(|x| (x, 0)));
        }
        _ => {
            starts.extend((0..h).map(|y| (0, y)));
            starts.extend((1..w).map(|x| (x, h - 1)));
        }
    }
    let mut line: Vec<usize> = Vec::new();
    for (x0, y0) in starts {
        line.clear();
        let (mut x, mut y) = (x0, y0);
        while x >= 0 && x < w && y >= 0 && y < h {
            line.push(((y * w + x) * 3) as usize);
            x += dx;
            y += dy;
        }
        let len = line.len() as i64;
        let at = |k: i64| line[k.clamp(0, len - 1) as usize];
        let mut sum = [0u32; 3];
        for k in -r..=r {
            for c in 0..3 {
                sum[c] += u32::from(src[at(k) + c]);
            }
        }
        for k in 0..len {
            let o = line[k as usize];
            for c in 0..3 {
                dst[o + c] = ((sum[c] + n / 2) / n) as u8;
                sum[c] = sum[c] + u32::from(src[at(k + r + 1) + c]) - u32::from(src[at(k - r) + c]);
            }
        }
    }
    out
}
