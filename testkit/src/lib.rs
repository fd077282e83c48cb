//! Draws fictional resident identity cards (both sides) as PNG, with a CJK font, for the OCR
//! and real-name tests. The data is invented; no real person's card is in the repository.
//! Also checks Chinese text for half-width punctuation ([`punctuation`]).

pub mod field;
pub mod formats;
pub mod hostile;
pub mod photos;
pub mod punctuation;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use image::{ImageFormat, Rgb, RgbImage};

/// The fonts the drawing can use, most preferred first (Debian's `fonts-wqy-microhei`).
const FONT_PATHS: [&str; 2] =
    ["/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"];

/// What a card says. Fields left empty are left off the card (an unreadable field, say).
#[derive(Clone, Debug)]
pub struct CardData {
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    /// `1990年3月7日`
    pub birth: String,
    pub address: String,
    pub id_number: String,
    pub authority: String,
    /// `2016.05.20-2036.05.20` or `2016.05.20-长期`
    pub validity: String,
}

impl CardData {
    /// A fictional driver from Hohhot with a valid check digit.
    pub fn sample() -> CardData {
        CardData {
            name: "王建国".into(),
            gender: "男".into(),
            ethnicity: "汉".into(),
            birth: "1985年6月15日".into(),
            address: "内蒙古自治区呼和浩特市新城区兴安北路100号".into(),
            id_number: "150102198506151234".into(),
            authority: "呼和浩特市公安局新城区分局".into(),
            validity: "2016.05.20-2036.05.20".into(),
        }
    }
}

fn font_bytes() -> Vec<u8> {
    FONT_PATHS
        .iter()
        .find_map(|p| std::fs::read(p).ok())
        .expect("a CJK font: apt-get install fonts-wqy-microhei")
}

struct Canvas<'f> {
    image: RgbImage,
    font: FontRef<'f>,
}

impl Canvas<'_> {
    fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        let scale = PxScale::from(size);
        let scaled = self.font.as_scaled(scale);
        let mut caret = x;
        for c in text.chars() {
            let glyph = scaled.scaled_glyph(c);
            let advance = scaled.h_advance(glyph.id);
            let glyph = ab_glyph::Glyph { position: ab_glyph::point(caret, y + scaled.ascent()), ..glyph };
            if let Some(outlined) = self.font.outline_glyph(glyph) {
                let bounds = outlined.px_bounds();
                let image = &mut self.image;
                outlined.draw(|gx, gy, coverage| {
                    let (px, py) = (bounds.min.x as i32 + gx as i32, bounds.min.y as i32 + gy as i32);
                    if px >= 0 && py >= 0 && (px as u32) < image.width() && (py as u32) < image.height() {
                        let pixel = image.get_pixel_mut(px as u32, py as u32);
                        for channel in pixel.0.iter_mut() {
                            *channel = (f32::from(*channel) * (1.0 - coverage)) as u8;
                        }
                    }
                });
            }
            caret += advance;
        }
    }
}

fn png(image: RgbImage) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, ImageFormat::Png).expect("PNG encodes");
    bytes.into_inner()
}

const WIDTH: u32 = 1712;
const HEIGHT: u32 = 1080;

/// The portrait side: name, gender, ethnicity, birth, address, number.
pub fn portrait_side(card: &CardData) -> Vec<u8> {
    let bytes = font_bytes();
    let font = FontRef::try_from_slice_and_index(&bytes, 0).expect("the font parses");
    let mut canvas = Canvas { image: RgbImage::from_pixel(WIDTH, HEIGHT, Rgb([250, 250, 245])), font };
    let (label, value) = (56.0, 64.0);
    let line = |canvas: &mut Canvas, y: f32, name: &str, text: &str| {
        if !text.is_empty() {
            canvas.text(120.0, y, label, name);
            canvas.text(400.0, y - 4.0, value, text);
        }
    };
    line(&mut canvas, 110.0, "姓名", &card.name);
    if !card.gender.is_empty() {
        canvas.text(120.0, 240.0, label, "性别");
        canvas.text(400.0, 236.0, value, &card.gender);
    }
    if !card.ethnicity.is_empty() {
        canvas.text(620.0, 240.0, label, "民族");
        canvas.text(860.0, 236.0, value, &card.ethnicity);
    }
    line(&mut canvas, 370.0, "出生", &card.birth);
    // The address wraps at 14 characters, as on a real card.
    let address: Vec<char> = card.address.chars().collect();
    for (i, chunk) in address.chunks(14).enumerate() {
        let text: String = chunk.iter().collect();
        if i == 0 {
            line(&mut canvas, 500.0, "住址", &text);
        } else {
            canvas.text(400.0, 496.0 + 90.0 * i as f32, value, &text);
        }
    }
    if !card.id_number.is_empty() {
        canvas.text(120.0, 900.0, label, "公民身份号码");
        canvas.text(560.0, 896.0, 72.0, &card.id_number);
    }
    png(canvas.image)
}

/// The emblem side: the issuing authority and the validity period.
pub fn emblem_side(card: &CardData) -> Vec<u8> {
    let bytes = font_bytes();
    let font = FontRef::try_from_slice_and_index(&bytes, 0).expect("the font parses");
    let mut canvas = Canvas { image: RgbImage::from_pixel(WIDTH, HEIGHT, Rgb([250, 250, 245])), font };
    canvas.text(420.0, 200.0, 96.0, "中华人民共和国");
    canvas.text(520.0, 360.0, 96.0, "居民身份证");
    if !card.authority.is_empty() {
        canvas.text(200.0, 700.0, 56.0, "签发机关");
        canvas.text(500.0, 696.0, 64.0, &card.authority);
    }
    if !card.validity.is_empty() {
        canvas.text(200.0, 840.0, 56.0, "有效期限");
        canvas.text(500.0, 836.0, 64.0, &card.validity);
    }
    png(canvas.image)
}
