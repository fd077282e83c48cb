//! Step 4: is the photo good enough for a clerk to read? Measured on a working copy whose long
//! side is `WORKING_SIDE`, so that a check means the same on a 2 MP and a 48 MP photo.
//! The thresholds were chosen on the labelled set that `make bench` generates and scores.

use image::RgbImage;
use taxicert_api::{MaterialKind, PhotoRules};

use crate::encode::resized;
use crate::Refusal;

/// The long side of the copy the checks look at.
pub const WORKING_SIDE: u32 = 1024;
/// Blur scores at or above this are refused (0 is crisp, 1 is a flat smear).
pub const BLUR_THRESHOLD: f32 = 0.24;
/// The 2-inch photo's width : height is 35 : 49, within 8 %.
const PORTRAIT_RATIO: f64 = 35.0 / 49.0;
const PORTRAIT_TOLERANCE: f64 = 0.08;

/// What the checks measured, for the refusals and for the benchmark's report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measurements {
    /// Crété-Roffet blur score, 0 (sharp) to 1 (blurred).
    pub blur: f32,
    /// Luma below which 95 % of the pixels lie: low means nothing in the picture is lit.
    pub luma_p95: u8,
    /// Luma below which 0.2 % of the pixels lie: high means nothing dark is left to read.
    pub luma_p0_2: u8,
    /// The largest patch of blown-out pixels that does not touch the edge, as a share of the
    /// picture: a reflection of a lamp or flash on the card or paper.
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
    Measurements {
        blur: blur_score(&luma, width as usize, height as usize),
        luma_p95: percentile(&histogram, 0.95),
        luma_p0_2: percentile(&histogram, 0.002),
        glare_share: glare_share(&luma, width as usize, height as usize),
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

/// Checks `image` (the photo, or a shrunk copy of it) against the quality bar and the
/// material's rules; `source` is the photo's own upright size, for the resolution rules. The
/// first failure wins, in the order a photographer would fix them.
pub fn assess(image: &RgbImage, (width, height): (u32, u32), rules: &PhotoRules) -> Result<Measurements, Refusal> {
    check_size(width, height, rules)?;
    let m = measure(image);
    if m.luma_p95 < 70 {
        return Err(Refusal::new("too_dark", "照片太暗,看不清内容。请在光线充足的地方重拍,或打开灯后再拍。"));
    }
    if m.luma_p0_2 > 200 {
        return Err(Refusal::new("too_bright", "照片过亮发白,看不清内容。请避开强光、关闭闪光灯后重拍。"));
    }
    if m.blur >= BLUR_THRESHOLD {
        return Err(Refusal::new("blurry", "拍摄模糊,请对焦后重拍:手机拿稳,点一下屏幕上的证件再拍。"));
    }
    if m.glare_share >= 0.004 {
        return Err(Refusal::new("glare", "照片上有反光,部分内容看不清。请换个角度、避开灯光和闪光灯后重拍。"));
    }
    if rules.kind == MaterialKind::Portrait {
        if m.chroma < 4.0 {
            return Err(Refusal::new("portrait_not_colour", "二寸照须为彩色照片,这张是黑白的。请上传彩色证件照。"));
        }
        if m.margin_luma < 170.0 || m.margin_spread > 24.0 {
            return Err(Refusal::new(
                "portrait_background",
                "二寸照须为白色或浅色的纯色背景。请站在浅色纯色墙前重拍,或上传照相馆提供的电子版。",
            ));
        }
    }
    Ok(m)
}

/// The material's minimum resolution and, for the portrait, its shape.
fn check_size(width: u32, height: u32, rules: &PhotoRules) -> Result<(), Refusal> {
    match rules.kind {
        MaterialKind::Portrait => {
            let ratio = f64::from(width) / f64::from(height);
            if (ratio / PORTRAIT_RATIO - 1.0).abs() > PORTRAIT_TOLERANCE {
                return Err(Refusal::new(
                    "portrait_shape",
                    format!("二寸照应为竖版、宽高比约35:49(如413×579像素),这张是{width}×{height}。请按二寸照比例裁剪后重新上传。"),
                ));
            }
            if width < rules.min_width || height < rules.min_height {
                return Err(Refusal::new(
                    "too_small",
                    format!(
                        "二寸照至少需要{}×{}像素,这张只有{width}×{height}。请上传原图或照相馆提供的电子版。",
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
                        "照片只有{width}×{height}像素,文字可能看不清(至少需要{}×{})。请靠近一些,让材料占满画面后重拍。",
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

/// The no-reference blur metric of Crété-Roffet et al. (2007): blur the picture again with a
/// 9-tap mean and see how much of its pixel-to-pixel variation survives. A sharp picture loses
/// most of it, a blurred one little. The larger of the horizontal and vertical scores counts,
/// so a shake in either direction shows. A flat picture scores 0: the exposure checks take it.
fn blur_score(luma: &[u8], width: usize, height: usize) -> f32 {
    if width < 16 || height < 16 {
        return 0.0;
    }
    let f: Vec<f32> = luma.iter().map(|&l| f32::from(l)).collect();
    let score = |along_x: bool| {
        let (step, lines, length, stride) = if along_x { (1, height, width, width) } else { (width, width, height, 1) };
        let (mut variation, mut lost) = (0.0f64, 0.0f64);
        let mut blurred = vec![0.0f32; length];
        for line in 0..lines {
            let at = |i: usize| f[line * stride + i * step];
            // A running 9-tap mean with the ends clamped.
            for (i, out) in blurred.iter_mut().enumerate() {
                let mut sum = 0.0;
                for k in 0..9 {
                    sum += at((i + k).saturating_sub(4).min(length - 1));
                }
                *out = sum / 9.0;
            }
            for i in 1..length {
                let d_f = (at(i) - at(i - 1)).abs();
                let d_b = (blurred[i] - blurred[i - 1]).abs();
                variation += f64::from(d_f);
                lost += f64::from((d_f - d_b).max(0.0));
            }
        }
        if variation / ((lines * length) as f64) < 0.5 {
            0.0
        } else {
            ((variation - lost) / variation) as f32
        }
    };
    score(true).max(score(false))
}

/// The largest 4-connected patch of pixels at luma 250 or more that does not touch the edge,
/// as a share of all pixels. Blown-out margins (a white wall, a screenshot's page) touch the
/// edge and are not glare; a reflection sits on the card or paper, inside the frame.
fn glare_share(luma: &[u8], width: usize, height: usize) -> f32 {
    let mut seen = vec![false; luma.len()];
    let mut largest = 0usize;
    let mut stack = Vec::new();
    for start in 0..luma.len() {
        if seen[start] || luma[start] < 250 {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut area, mut touches_edge) = (0usize, false);
        while let Some(i) = stack.pop() {
            area += 1;
            let (x, y) = (i % width, i / width);
            touches_edge |= x == 0 || y == 0 || x == width - 1 || y == height - 1;
            let neighbours = [
                (x > 0).then(|| i - 1),
                (x + 1 < width).then(|| i + 1),
                (y > 0).then(|| i - width),
                (y + 1 < height).then(|| i + width),
            ];
            for n in neighbours.into_iter().flatten() {
                if !seen[n] && luma[n] >= 250 {
                    seen[n] = true;
                    stack.push(n);
                }
            }
        }
        if !touches_edge {
            largest = largest.max(area);
        }
    }
    largest as f32 / luma.len() as f32
}

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
