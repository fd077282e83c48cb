//! Step 4: is the photo good enough for a clerk to read? Measured on a working copy whose long
//! side is `WORKING_SIDE`, so that a check means the same on a 2 MP and a 48 MP photo.
//! The thresholds were chosen on two labelled sets drawn by independent code
//! (`taxicert_testkit::photos::labelled_set` and `taxicert_testkit::field::field_set`, the
//! second with real fonts and a simulated phone camera), for "a clerk cannot read it":
//! `photo/tests/quality_rates.rs` holds them to ≥ 95 % hits and ≤ 1 % false alarms per check,
//! and `photo-bench rates` (`make bench`) prints the rates on larger sets.

use image::RgbImage;
use taxicert_api::{MaterialKind, PhotoRules, PhotoWarning};

use crate::encode::resized;
use crate::Refusal;

/// The long side of the copy the checks look at.
pub const WORKING_SIDE: u32 = 1024;
/// Edge widths (`Measurements::blur`, working pixels) at or above this are blurred: text whose
/// strokes rise over this many pixels at 1024 px is what a clerk squints at.
pub const BLUR_THRESHOLD: f32 = 4.0;
/// A glare patch (see `Measurements::glare_share`) of at least this share of the picture is
/// worth a warning: about 56 px across on the 1024 × 768 working copy.
pub const GLARE_THRESHOLD: f32 = 0.004;
/// The 2-inch photo's width : height is 35 : 49, within 8 %.
const PORTRAIT_RATIO: f64 = 35.0 / 49.0;
const PORTRAIT_TOLERANCE: f64 = 0.08;

/// What the checks measured, for the refusals and for the benchmark's report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measurements {
    /// How wide the sharpest edges are, in pixels of the 1024 px working copy: about 2 to 3
    /// for a sharp photo, 2.5 σ for a Gaussian blur of σ px, L for a shake of L px; 0 when the
    /// picture has too few edges to tell (a blank page, a flat portrait).
    pub blur: f32,
    /// Luma below which 95 % of the pixels lie: low means nothing in the picture is lit.
    pub luma_p95: u8,
    /// Luma below which 0.2 % of the pixels lie: high means nothing dark is left to read.
    pub luma_p0_2: u8,
    /// The largest patch of blown-out pixels that does not touch the edge and fades out into a
    /// material less bright than itself, as a share of the picture: a reflection of a lamp or
    /// flash on the card or paper (blown-out white paper ends in a step, and is not counted).
    pub glare_share: f32,
    /// Mean of (max − min) over the colour channels: 0 for a black-and-white picture.
    pub chroma: f32,
    /// Luma mean and spread of the top and side margins, where a portrait's background shows.
    pub margin_luma: f32,
    pub margin_spread: f32,
}

/// Measures `image` on its working copy.
pub fn measure(image: &RgbImage) -> Measurements {
    let working = resized(image, WORKING_SIDE);
    let working = working.as_ref().unwrap_or(image);
    let (width, height) = working.dimensions();
    let luma = luma(working);
    let mut histogram = [0u32; 256];
    for &l in &luma {
        histogram[usize::from(l)] += 1;
    }
    let chroma = working
        .pixels()
        .map(|p| u32::from(p.0.iter().max().unwrap() - p.0.iter().min().unwrap()))
        .sum::<u32>() as f32
        / luma.len() as f32;
    let (margin_luma, margin_spread) = margins(&luma, width as usize, height as usize);
    let smooth = binomial(&luma, width as usize, height as usize);
    Measurements {
        blur: blur_score(&smooth, width as usize, height as usize),
        luma_p95: percentile(&histogram, 0.95),
        luma_p0_2: percentile(&histogram, 0.002),
        glare_share: glare_share(&smooth, width as usize, height as usize),
        chroma,
        margin_luma,
        margin_spread,
    }
}

fn luma(image: &RgbImage) -> Vec<u8> {
    image
        .pixels()
        .map(|p| ((77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2]) + 128) >> 8) as u8)
        .collect()
}

/// Checks `image` (the photo, or a shrunk copy of it) against the material's rules and its
/// quality bar; `source` is the photo's own upright size, for the resolution rules. Only the
/// minimum resolution refuses; every quality finding is advice, worded for the material (a
/// portrait is not a document), in the order a photographer would fix them.
pub fn assess(image: &RgbImage, (width, height): (u32, u32), rules: &PhotoRules) -> Result<Vec<PhotoWarning>, Refusal> {
    check_size(width, height, rules)?;
    Ok(advise(&measure(image), (width, height), rules.kind))
}

/// The advice for a photo with measurements `m`, of upright size `width` × `height`.
pub fn advise(m: &Measurements, (width, height): (u32, u32), kind: MaterialKind) -> Vec<PhotoWarning> {
    let portrait = kind == MaterialKind::Portrait;
    let mut warnings = Vec::new();
    let mut warn = |code: &str, message: String| warnings.push(PhotoWarning { code: code.into(), message });
    if portrait {
        let ratio = f64::from(width) / f64::from(height);
        if (ratio / PORTRAIT_RATIO - 1.0).abs() > PORTRAIT_TOLERANCE {
            warn(
                "portrait_shape",
                format!("二寸照应为竖版、宽高比约35:49（如413×579像素），这张是{width}×{height}。建议按二寸照比例裁剪，或上传照相馆提供的电子版。"),
            );
        }
    }
    if m.luma_p95 < 70 {
        warn("too_dark", if portrait {
            "照片太暗，看不清面部。请在光线充足、均匀的地方重拍。".into()
        } else {
            "照片太暗，文字可能看不清。请在光线充足的地方重拍，或打开灯后再拍。".into()
        });
    }
    if m.luma_p0_2 > 200 {
        warn("too_bright", if portrait {
            "照片过亮发白，面部细节看不清。请避开强光、关闭闪光灯后重拍。".into()
        } else {
            "照片过亮发白，文字可能看不清。请避开强光、关闭闪光灯后重拍。".into()
        });
    }
    if m.blur >= BLUR_THRESHOLD {
        warn("blurry", if portrait {
            "照片有些模糊，面部可能看不清。请手机拿稳、对准面部再拍，或上传照相馆提供的电子版。".into()
        } else {
            "照片有些模糊，文字可能看不清。请手机拿稳，点一下屏幕上的材料对焦后再拍。".into()
        });
    }
    if m.glare_share >= GLARE_THRESHOLD {
        warn("glare", if portrait {
            "照片上有反光亮斑，可能遮住面部。请避开灯光和闪光灯后重拍。".into()
        } else {
            "照片上有反光亮斑，部分文字可能看不清。请换个角度、避开灯光和闪光灯后重拍。".into()
        });
    }
    if portrait {
        if m.chroma < 4.0 {
            warn("portrait_not_colour", "二寸照须为彩色照片，这张看起来是黑白的。请上传彩色证件照。".into());
        }
        if m.margin_luma < 170.0 || m.margin_spread > 24.0 {
            warn(
                "portrait_background",
                "二寸照须为白色或浅色的纯色背景。建议站在浅色纯色墙前重拍，或上传照相馆提供的电子版。".into(),
            );
        }
    }
    warnings
}

/// The material's minimum resolution and, for the portrait, its shape.
fn check_size(width: u32, height: u32, rules: &PhotoRules) -> Result<(), Refusal> {
    match rules.kind {
        MaterialKind::Portrait => {
            if width < rules.min_width || height < rules.min_height {
                return Err(Refusal::new(
                    "too_small",
                    format!(
                        "二寸照至少需要{}×{}像素，这张只有{width}×{height}。请上传原图或照相馆提供的电子版。",
                        rules.min_width, rules.min_height
                    ),
                ));
            }
        }
        MaterialKind::Document => {
            let (long, short) = (width.max(height), width.min(height));
            if long < rules.min_width || short < rules.min_height {
                return Err(Refusal::new(
                    "too_small",
                    format!(
                        "照片只有{width}×{height}像素，文字可能看不清（至少需要{}×{}）。请靠近一些，让材料占满画面后重拍。",
                        rules.min_width, rules.min_height
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The smallest luma value with at least `share` of the pixels at or below it.
fn percentile(histogram: &[u32; 256], share: f64) -> u8 {
    let total: u32 = histogram.iter().sum();
    let wanted = (f64::from(total) * share).ceil().max(1.0) as u32;
    let mut seen = 0;
    for (value, &count) in histogram.iter().enumerate() {
        seen += count;
        if seen >= wanted {
            return value as u8;
        }
    }
    255
}

/// How far an edge profile is followed on each side of its steepest step, in working pixels:
/// enough for a 12 px shake with room to spare.
const EDGE_REACH: usize = 10;
/// The least rise, in luma levels, of an edge that is measured: fainter ones drown in grain.
const EDGE_MIN_CONTRAST: f32 = 24.0;
/// The fewest edges across one direction for that direction to be judged.
const EDGE_MIN_COUNT: usize = 60;
/// The share of the narrowest edges whose width stands for the picture: a sharp photo has
/// sharp text whatever soft shadows and out-of-focus corners surround it; a blurred one has none.
const EDGE_PERCENTILE: f32 = 0.3;

/// How wide the picture's edges are, in working pixels: the typical rise of an edge (its
/// contrast over its steepest step) among the narrowest `EDGE_PERCENTILE` of the edges across
/// the rows and, apart, across the columns; the wider of the two counts, so that a shake in
/// either direction shows. A step blurred with a Gaussian of σ px rises over about 2.5 σ px; a
/// shake of L px over L px. Unlike a share of lost variation (Crété-Roffet), the width does not
/// depend on how much text, grain or flat paper there is, nor on how large the letters are.
/// A direction with too few edges to judge (a flat portrait, a blank page) counts as sharp,
/// unless the other direction has many: a shake wipes out the edges across it.
///
/// `smooth` is the working copy's luma after a 3 × 3 binomial blur: grain would otherwise make
/// the steepest step of a soft edge look steep. It widens every edge alike, by about 0.7 px.
fn blur_score(smooth: &[f32], width: usize, height: usize) -> f32 {
    if width < 2 * EDGE_REACH + 4 || height < 2 * EDGE_REACH + 4 {
        return 0.0;
    }
    let across_rows = edge_widths(smooth, width, height, 1, width);
    let across_columns = edge_widths(smooth, width, height, width, 1);
    let judge = |widths: &[f32], other: &[f32]| -> f32 {
        if widths.len() < EDGE_MIN_COUNT {
            // Edges across the shake are smeared below the contrast that is measured.
            return if other.len() >= 8 * EDGE_MIN_COUNT && widths.len() * 8 < other.len() { EDGE_REACH as f32 } else { 0.0 };
        }
        let mut sorted = widths.to_vec();
        sorted.sort_by(f32::total_cmp);
        sorted[((sorted.len() - 1) as f32 * EDGE_PERCENTILE) as usize]
    };
    judge(&across_rows, &across_columns).max(judge(&across_columns, &across_rows))
}

/// `luma` blurred with the 3 × 3 binomial kernel (1 2 1 / 2 4 2 / 1 2 1) / 16, edges clamped.
fn binomial(luma: &[u8], width: usize, height: usize) -> Vec<f32> {
    let at = |x: usize, y: usize| f32::from(luma[y * width + x]);
    let mut rows = vec![0.0f32; luma.len()];
    for y in 0..height {
        for x in 0..width {
            let (l, r) = (x.saturating_sub(1), (x + 1).min(width - 1));
            rows[y * width + x] = (at(l, y) + 2.0 * at(x, y) + at(r, y)) / 4.0;
        }
    }
    let mut out = vec![0.0f32; luma.len()];
    for y in 0..height {
        let (u, d) = (y.saturating_sub(1), (y + 1).min(height - 1));
        for x in 0..width {
            out[y * width + x] = (rows[u * width + x] + 2.0 * rows[y * width + x] + rows[d * width + x]) / 4.0;
        }
    }
    out
}

/// The widths of the edges met walking along `step` (1: along rows, `width`: down columns);
/// `side` is the step across. An edge is a step between two pixels that is the steepest of its
/// neighbours along the walk and at least twice the slope across it; its profile is followed
/// each way while it keeps rising (a dip of a level or two is grain), up to `EDGE_REACH` px.
fn edge_widths(s: &[f32], width: usize, height: usize, step: usize, side: usize) -> Vec<f32> {
    let mut widths = Vec::new();
    let margin = EDGE_REACH + 2;
    let (along, lines) = if step == 1 { (width, height) } else { (height, width) };
    for line in 1..lines - 1 {
        let base = if step == 1 { line * width } else { line };
        let v = |i: usize| s[base + i * step];
        let slope = |i: usize| v(i + 1) - v(i);
        for i in margin..along - margin {
            let g = slope(i);
            let steep = g.abs();
            if steep < 4.0 || steep < slope(i - 1).abs() || steep <= slope(i + 1).abs() {
                continue;
            }
            let across = (s[base + i * step + side] - s[base + i * step - side]).abs() / 2.0;
            if across * 2.0 > steep {
                continue;
            }
            // Follow the rise down to its foot and up to its top, `sign` making it a rise.
            let sign = g.signum();
            let (mut low, mut foot) = (sign * v(i), i);
            for k in 1..=EDGE_REACH {
                let value = sign * v(i - k);
                if value > low + 1.5 {
                    break;
                }
                if value < low {
                    (low, foot) = (value, i - k);
                }
            }
            let (mut high, mut top) = (sign * v(i + 1), i + 1);
            for k in 2..=EDGE_REACH + 1 {
                let value = sign * v(i + k);
                if value < high - 1.5 {
                    break;
                }
                if value > high {
                    (high, top) = (value, i + k);
                }
            }
            let contrast = high - low;
            if contrast >= EDGE_MIN_CONTRAST && top > foot {
                widths.push(contrast / steep);
            }
        }
    }
    widths
}

/// Smoothed luma at or above this is blown out (smoothing first, so that grain does not break
/// a blown-out patch into crumbs).
const BLOWN_OUT: f32 = 246.0;
/// How far around a patch its rim (1 to `RIM` px out) and its surroundings (`AROUND.0` to
/// `AROUND.1` px out) are looked at, in working pixels.
const RIM: u8 = 4;
const AROUND: (u8, u8) = (10, 16);

/// The largest glare patch, as a share of all pixels: a 4-connected patch of blown-out pixels,
/// not touching the frame, that looks like a reflection of a lamp or a flash on a card or page
/// rather than like white paper or a white panel of a screenshot:
///
/// - its rim is bright: at least 3/4 of the pixels 1 to 4 px out have luma 200 or more. A
///   reflection fades out; blown-out paper ends in a step, at the ink of its text or at the
///   table under it.
/// - what lies 10 to 16 px out is not blown out itself (its 90th percentile is under 246): a
///   reflection is brighter than the material it lies on, whereas a page of blown-out paper is
///   cut into patches by its ruling and its lines of text, each with more white paper around.
/// - its rim is brighter than its surroundings by `GLARE_FALLOFF` levels (medians): a flat
///   white panel on a light grey page (a screenshot) does not fade.
///
/// `smooth` is the working copy's luma after a 3 × 3 binomial blur.
fn glare_share(smooth: &[f32], width: usize, height: usize) -> f32 {
    const NONE: u32 = u32::MAX;
    let mut label = vec![NONE; smooth.len()];
    let mut patches: Vec<(usize, bool)> = Vec::new();
    let mut stack = Vec::new();
    for start in 0..smooth.len() {
        if label[start] != NONE || smooth[start] < BLOWN_OUT {
            continue;
        }
        let id = patches.len() as u32;
        let (mut area, mut touches_edge) = (0usize, false);
        label[start] = id;
        stack.push(start);
        while let Some(i) = stack.pop() {
            area += 1;
            let (x, y) = (i % width, i / width);
            touches_edge |= x == 0 || y == 0 || x == width - 1 || y == height - 1;
            for n in neighbours(i, width, height).into_iter().flatten() {
                if label[n] == NONE && smooth[n] >= BLOWN_OUT {
                    label[n] = id;
                    stack.push(n);
                }
            }
        }
        patches.push((area, touches_edge));
    }
    // Only patches large enough to warn about are looked at closely: few, so each gets its own
    // walk outwards, through whatever lies around it (other patches included).
    let least = (GLARE_THRESHOLD * smooth.len() as f32).ceil() as usize;
    let mut largest = 0;
    let mut seen = vec![NONE; smooth.len()];
    for (id, &(area, touches_edge)) in patches.iter().enumerate() {
        if area < least.max(largest + 1) || touches_edge {
            continue;
        }
        let mut layer: Vec<usize> = (0..smooth.len()).filter(|&i| label[i] == id as u32).collect();
        for &i in &layer {
            seen[i] = id as u32;
        }
        let (mut rim, mut around) = (Vec::new(), Vec::new());
        for distance in 1..=AROUND.1 {
            let mut next = Vec::new();
            for &i in &layer {
                for n in neighbours(i, width, height).into_iter().flatten() {
                    if seen[n] != id as u32 {
                        seen[n] = id as u32;
                        next.push(n);
                    }
                }
            }
            if distance <= RIM {
                rim.extend(next.iter().map(|&i| smooth[i]));
            } else if distance >= AROUND.0 {
                around.extend(next.iter().map(|&i| smooth[i]));
            }
            layer = next;
        }
        if is_glare(&mut rim, &mut around) {
            largest = area;
        }
    }
    largest as f32 / smooth.len() as f32
}

/// The tests of `glare_share` on a patch's rim and surroundings (luma values). Medians, not
/// means: washed-out text under the reflection's edge darkens a few pixels of its rim.
fn is_glare(rim: &mut [f32], around: &mut [f32]) -> bool {
    if rim.is_empty() || around.is_empty() {
        return false;
    }
    let bright_rim = rim.iter().filter(|&&l| l >= 200.0).count() * 4 >= rim.len() * 3;
    rim.sort_by(f32::total_cmp);
    around.sort_by(f32::total_cmp);
    let at = |v: &[f32], share: usize| v[(v.len() - 1) * share / 10];
    bright_rim && at(around, 9) < BLOWN_OUT && at(rim, 5) - at(around, 5) >= GLARE_FALLOFF
}

/// The pixels right, left, below and above pixel `i`, where there are any.
fn neighbours(i: usize, width: usize, height: usize) -> [Option<usize>; 4] {
    let (x, y) = (i % width, i / width);
    [
        (x > 0).then(|| i - 1),
        (x + 1 < width).then(|| i + 1),
        (y > 0).then(|| i - width),
        (y + 1 < height).then(|| i + width),
    ]
}

/// How much brighter a glare patch's rim is than its surroundings, at least, in luma levels.
const GLARE_FALLOFF: f32 = 4.0;

/// Mean and standard deviation of luma over the top tenth and the side tenths of the upper
/// half: the background around a portrait's head.
fn margins(luma: &[u8], width: usize, height: usize) -> (f32, f32) {
    let (band_x, band_y) = ((width / 10).max(1), (height / 10).max(1));
    let mut values = Vec::new();
    for y in 0..height / 2 {
        for x in 0..width {
            if y < band_y || x < band_x || x >= width - band_x {
                values.push(f32::from(luma[y * width + x]));
            }
        }
    }
    let n = values.len().max(1) as f32;
    let mean = values.iter().sum::<f32>() / n;
    let spread = (values.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n).sqrt();
    (mean, spread)
}

