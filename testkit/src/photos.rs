//! Generated photos for the photo pipeline: a photographed document page, an outdoor-like
//! photo, a 2-inch portrait of nobody, and the labelled blur set the thresholds are chosen on.
//! Everything is drawn from a seed, so a run can be repeated exactly.

use image::{Rgb, RgbImage};

/// A small, fast, seeded generator (xorshift64*); good enough for pictures.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    // Not an iterator: it never ends, and `Rng` is passed around by `&mut`.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u32) -> u32 {
        (self.next() >> 33) as u32 % n.max(1)
    }
    /// Roughly normal with mean 0 and the given spread (sum of four uniforms).
    pub fn noise(&mut self, spread: f32) -> f32 {
        let sum: f32 = (0..4).map(|_| (self.next() >> 40) as f32 / (1u64 << 24) as f32).sum();
        (sum - 2.0) * spread * 1.73
    }
}

fn fill(image: &mut RgbImage, x0: u32, y0: u32, x1: u32, y1: u32, colour: [u8; 3]) {
    for y in y0..y1.min(image.height()) {
        for x in x0..x1.min(image.width()) {
            image.put_pixel(x, y, Rgb(colour));
        }
    }
}

/// Sensor noise, as every phone photo has.
fn grain(image: &mut RgbImage, rng: &mut Rng, spread: f32) {
    for pixel in image.pixels_mut() {
        let n = rng.noise(spread);
        for c in pixel.0.iter_mut() {
            *c = (f32::from(*c) + n).clamp(0.0, 255.0) as u8;
        }
    }
}

/// A sheet of printed paper photographed on a desk: a table, a lightly shaded page filling most
/// of the frame, and lines of glyph-like strokes of dark ink.
pub fn document(width: u32, height: u32, seed: u64) -> RgbImage {
    let mut rng = Rng::new(seed);
    let mut image = RgbImage::from_pixel(width, height, Rgb([96, 84, 72]));
    let (mx, my) = (width / 14, height / 14);
    for y in my..height - my {
        for x in mx..width - mx {
            // Light falls off across the page, as under a ceiling lamp.
            let shade = 236.0 - 18.0 * (x as f32 / width as f32) - 10.0 * (y as f32 / height as f32);
            image.put_pixel(x, y, Rgb([shade as u8, (shade - 2.0) as u8, (shade - 10.0) as u8]));
        }
    }
    let glyph = (height / 40).max(8);
    let stroke = (glyph / 8).max(1);
    let mut y = my + glyph * 2;
    while y + glyph < height - my - glyph {
        let mut x = mx + glyph * 2;
        let line_end = width - mx - glyph * 2 - rng.below(width / 4);
        while x + glyph < line_end {
            // A character: two to four strokes in its cell.
            for _ in 0..2 + rng.below(3) {
                if rng.below(2) == 0 {
                    let sy = y + rng.below(glyph);
                    fill(&mut image, x, sy, x + glyph * (1 + rng.below(3)) / 3, sy + stroke, [30, 30, 34]);
                } else {
                    let sx = x + rng.below(glyph);
                    fill(&mut image, sx, y, sx + stroke, y + glyph * (1 + rng.below(3)) / 3 + glyph / 3, [30, 30, 34]);
                }
            }
            x += glyph + glyph / 5;
            if rng.below(9) == 0 {
                x += glyph;
            }
        }
        y += glyph * 2;
    }
    grain(&mut image, &mut rng, 2.0);
    image
}

/// An outdoor-like photo: a sky gradient, ground with fine texture, and objects with hard
/// edges in several colours.
pub fn scene(width: u32, height: u32, seed: u64) -> RgbImage {
    let mut rng = Rng::new(seed);
    let horizon = height * 2 / 5;
    let mut image = RgbImage::from_fn(width, height, |_, y| {
        if y < horizon {
            let t = y as f32 / horizon as f32;
            Rgb([(110.0 + 60.0 * t) as u8, (150.0 + 50.0 * t) as u8, (210.0 + 20.0 * t) as u8])
        } else {
            Rgb([88, 120, 64])
        }
    });
    // Grass: fine per-pixel texture below the horizon.
    for y in horizon..height {
        for x in 0..width {
            let v = rng.noise(14.0);
            let p = image.get_pixel_mut(x, y);
            p.0 = [(88.0 + v) as u8, (120.0 + v * 1.2) as u8, (64.0 + v * 0.6) as u8];
        }
    }
    let unit = (width.min(height) / 12).max(4);
    for _ in 0..14 {
        let (w, h) = (unit * (1 + rng.below(4)), unit * (1 + rng.below(5)));
        let x = rng.below(width.saturating_sub(w).max(1));
        let y = horizon.saturating_sub(h / 2) + rng.below(height - horizon);
        let colour = [rng.below(200) as u8 + 20, rng.below(200) as u8 + 20, rng.below(200) as u8 + 20];
        fill(&mut image, x, y, x + w, y + h, colour);
        // Windows on a building: detail at a smaller scale.
        for wy in (y + unit / 4..y + h).step_by((unit / 2).max(2) as usize) {
            for wx in (x + unit / 4..x + w).step_by((unit / 2).max(2) as usize) {
                fill(&mut image, wx, wy, wx + unit / 5 + 1, wy + unit / 5 + 1, [235, 225, 160]);
            }
        }
    }
    grain(&mut image, &mut rng, 2.5);
    image
}

/// A 2-inch (35 : 49) portrait of a drawn, fictional face on a near-white wall, at
/// `width` × `width·49/35`.
pub fn portrait(width: u32, seed: u64) -> RgbImage {
    let height = width * 49 / 35;
    let mut rng = Rng::new(seed);
    let mut image = RgbImage::from_pixel(width, height, Rgb([236, 239, 242]));
    let (cx, w, h) = (width as f32 / 2.0, width as f32, height as f32);
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (x as f32, y as f32);
            // Shoulders and jacket, head, hair, eyes and mouth, from back to front.
            let shoulders = fy > h * 0.74 && (fx - cx).abs() < w * 0.48 - (h - fy) * 0.25;
            let head = ((fx - cx) / (w * 0.22)).powi(2) + ((fy - h * 0.42) / (h * 0.21)).powi(2) <= 1.0;
            let hair = ((fx - cx) / (w * 0.24)).powi(2) + ((fy - h * 0.33) / (h * 0.16)).powi(2) <= 1.0 && fy < h * 0.34;
            let neck = (fx - cx).abs() < w * 0.09 && fy > h * 0.58 && fy < h * 0.78;
            let eye = |ex: f32| ((fx - ex) / (w * 0.035)).powi(2) + ((fy - h * 0.41) / (h * 0.012)).powi(2) <= 1.0;
            let mouth = (fx - cx).abs() < w * 0.06 && (fy - h * 0.52).abs() < h * 0.005;
            let colour = if eye(cx - w * 0.08) || eye(cx + w * 0.08) {
                [40, 30, 28]
            } else if mouth {
                [170, 80, 80]
            } else if hair {
                [34, 28, 26]
            } else if head || neck {
                [226, 182, 150]
            } else if shoulders {
                [38, 52, 88]
            } else {
                continue;
            };
            image.put_pixel(x, y, Rgb(colour));
        }
    }
    grain(&mut image, &mut rng, 1.5);
    image
}

/// How a labelled picture was blurred.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Blur {
    Sharp,
    /// Gaussian, with this sigma in working-size pixels (1024 px long side).
    Gaussian(f32),
    /// Linear shake of this length in working-size pixels, at this angle in degrees.
    Motion(f32, u32),
}

/// One picture of the labelled set.
pub struct Labelled {
    pub name: String,
    pub image: RgbImage,
    pub blur: Blur,
}

/// The strengths of the labelled set, in pixels at the checks' working size (1024 px long side):
/// the weakest is where a clerk starts to squint at small print.
pub const GAUSSIAN_SIGMAS: [f32; 3] = [1.6, 2.5, 4.0];
pub const MOTION_LENGTHS: [f32; 3] = [7.0, 11.0, 17.0];

/// Sharp and blurred documents and scenes at several sizes. `sizes` are long sides (4:3).
pub fn labelled_set(sizes: &[u32], seeds: u64) -> Vec<Labelled> {
    let mut set = Vec::new();
    for &long in sizes {
        let short = long * 3 / 4;
        for seed in 0..seeds {
            for (kind, sharp) in [("document", document(long, short, seed)), ("scene", scene(long, short, seed + 100))] {
                // Blur is drawn on the picture at its own size, scaled to look the same at the
                // working size: what the check sees.
                let scale = (long as f32 / 1024.0).max(1.0);
                let mut blurs = vec![Blur::Sharp];
                blurs.extend(GAUSSIAN_SIGMAS.iter().map(|&s| Blur::Gaussian(s)));
                blurs.extend(MOTION_LENGTHS.iter().enumerate().map(|(i, &l)| Blur::Motion(l, [0, 45, 90][i])));
                for blur in blurs {
                    let image = match blur {
                        Blur::Sharp => sharp.clone(),
                        Blur::Gaussian(sigma) => image::imageops::blur(&sharp, sigma * scale),
                        Blur::Motion(length, angle) => motion_blur(&sharp, (length * scale).round() as u32, angle),
                    };
                    let mut image = image;
                    // The sensor's grain lies over the blur, as in a real shaken photo.
                    if blur != Blur::Sharp {
                        grain(&mut image, &mut Rng::new(seed + 7), 2.0);
                    }
                    set.push(Labelled { name: format!("{kind}-{long}-{seed}-{blur:?}"), image, blur });
                }
            }
        }
    }
    set
}

/// A straight shake of `length` pixels at 0, 45 or 90 degrees: each pixel the mean of the
/// pixels along the line through it.
pub fn motion_blur(image: &RgbImage, length: u32, angle: u32) -> RgbImage {
    let (dx, dy): (i64, i64) = match angle {
        0 => (1, 0),
        90 => (0, 1),
        _ => (1, 1),
    };
    let (width, height) = (i64::from(image.width()), i64::from(image.height()));
    let half = i64::from(length / 2);
    RgbImage::from_fn(image.width(), image.height(), |x, y| {
        let mut sum = [0u32; 3];
        let mut n = 0;
        for k in -half..=half {
            let (sx, sy) = ((i64::from(x) + k * dx).clamp(0, width - 1), (i64::from(y) + k * dy).clamp(0, height - 1));
            let p = image.get_pixel(sx as u32, sy as u32);
            for c in 0..3 {
                sum[c] += u32::from(p[c]);
            }
            n += 1;
        }
        Rgb(sum.map(|s| (s / n) as u8))
    })
}
