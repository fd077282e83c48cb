//! The native half of `make bench` for the photo pipeline.
//!
//! - `photo-bench rates [--quick]`: the quality checks' hit and false alarm rates per check, on
//!   each labelled set and on both together, per kind of picture, with the thresholds in use
//!   and the photos misjudged.
//! - `photo-bench decode [MP...]`: the pipeline's time and peak heap, natively, on camera JPEGs
//!   of 12, 50 and 200 MP (or the megapixels given), with the phone's options.
//! - `photo-bench inputs DIR`: writes the browser benchmark's inputs, a 12 MP camera JPEG with
//!   EXIF orientation 6, a 50 MP camera JPEG and an 8 MP PNG screenshot of a document, and
//!   their upright originals.
//! - `photo-bench ssim ORIGINAL OUTPUT...`: prints the SSIM of each output against the upright
//!   original, brought to the output's size.

#[path = "../tests/support/rates.rs"]
mod rates;

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rates::{counts, judge_field, judge_labelled, percent, Judged, CHECKS};
use taxicert_api::PhotoRules;
use taxicert_photo::quality::{BLUR_THRESHOLD, GLARE_THRESHOLD};
use taxicert_photo::{process, Options};
use taxicert_testkit::hostile::{exif_tiff, with_app1};
use taxicert_testkit::photos::{labelled_set, scene};

/// The system allocator, counting the bytes in use and their peak, for `decode`.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let now = IN_USE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("rates") => rates(args.iter().any(|a| a == "--quick")),
        Some("decode") => decode(&args[1..]),
        Some("inputs") if args.len() == 2 => inputs(Path::new(&args[1])),
        Some("ssim") if args.len() >= 3 => ssim(&args[1], &args[2..]),
        _ => {
            eprintln!("usage: photo-bench rates [--quick] | decode [MP...] | inputs DIR | ssim ORIGINAL OUTPUT...");
            std::process::exit(2);
        }
    }
}

fn rates(quick: bool) {
    let (first_sizes, second_sizes, seeds): (&[u32], &[u32], u64) =
        if quick { (&[800, 1600], &[1024, 1600, 2400], 2) } else { (&[800, 1600, 2400], &[1024, 1600, 2400, 4000], 4) };
    let first = labelled_set(first_sizes, seeds.min(3));
    let second = taxicert_testkit::field::field_set(second_sizes, seeds);
    let judged: Vec<Judged> = first.iter().map(judge_labelled).chain(second.iter().map(judge_field)).collect();
    println!(
        "quality checks on two labelled sets: the first {} pictures (documents and scenes at {first_sizes:?} px, drawn in memory), \
the second {} photos (8 kinds of material with real fonts, long sides {second_sizes:?} px and 413–1050 px portraits, \
through a phone camera and a JPEG, then the whole pipeline); clearly blurred = Gaussian σ ≥ 2 px or a shake ≥ 12 px at 1024 px",
        first.len(),
        second.len()
    );
    println!("thresholds: blur (edge width) ≥ {BLUR_THRESHOLD} px, glare patch ≥ {:.2} % of the picture", GLARE_THRESHOLD * 100.0);
    println!("{:<12} {:>22} {:>22} {:>22}", "check", "first set", "second set", "both");
    println!("{:<12} {:>22} {:>22} {:>22}", "", "hits / false alarms", "hits / false alarms", "hits / false alarms");
    for check in CHECKS {
        let cell = |set: Option<&str>| {
            let (hit, with, alarm, good) = counts(judged.iter().filter(|j| set.is_none_or(|s| j.set == s)), check);
            format!("{} / {}", percent(hit, with), percent(alarm, good))
        };
        println!("{check:<12} {:>22} {:>22} {:>22}", cell(Some("first")), cell(Some("second")), cell(None));
    }
    println!("targets: hits ≥ 95 %, false alarms ≤ 1 %");
    let mut kinds: Vec<&str> = Vec::new();
    for j in &judged {
        if !kinds.contains(&j.kind.as_str()) {
            kinds.push(&j.kind);
        }
    }
    println!("\nper kind of picture (hits / false alarms):");
    println!("{:<18} {:>6} {}", "kind", "good", CHECKS.map(|c| format!("{c:>20}")).join(""));
    for kind in kinds {
        let of_kind: Vec<&Judged> = judged.iter().filter(|j| j.kind == kind).collect();
        let good = of_kind.iter().filter(|j| j.good()).count();
        let cells = CHECKS.map(|check| {
            let (hit, with, alarm, good) = counts(of_kind.iter().copied(), check);
            format!("{:>20}", format!("{} / {}", percent(hit, with), percent(alarm, good)))
        });
        println!("{kind:<18} {good:>6} {}", cells.join(""));
    }
    let blur_of = |good: bool| {
        let scores: Vec<f32> = judged
            .iter()
            .filter(|j| if good { j.good() } else { j.has("blurry") })
            .filter_map(|j| j.measured.map(|m| m.blur))
            .collect();
        let max = scores.iter().copied().fold(0.0, f32::max);
        let min = scores.iter().copied().fold(f32::MAX, f32::min);
        (min, max)
    };
    let ((_, sharp_max), (blurred_min, _)) = (blur_of(true), blur_of(false));
    println!("\nedge width: good photos reach {sharp_max:.2} px; clearly blurred ones start at {blurred_min:.2} px");
    for j in &judged {
        for check in CHECKS {
            if (j.has(check) && !j.flagged(check)) || (j.good() && j.flagged(check)) {
                println!("  misjudged ({check}): {} set, {}: warnings {:?}, measured {:?}", j.set, j.name, j.warnings, j.measured);
            }
        }
    }
}

fn decode(megapixels: &[String]) {
    let sizes: Vec<f64> = if megapixels.is_empty() { vec![12.0, 50.0, 200.0] } else { megapixels.iter().map(|m| m.parse().unwrap()).collect() };
    println!("the phone's pipeline natively (Options::phone(2048)), a camera JPEG at quality 90, best of 3:");
    println!("{:>8} {:>12} {:>10} {:>10} {:>14} {:>14}", "MP", "size", "file MB", "ms", "peak heap MB", "with file MB");
    for mp in sizes {
        // 4 : 3, sides multiples of 16, no more pixels than asked.
        let width = ((mp * 1e6 * 4.0 / 3.0).sqrt() / 16.0).floor() as u32 * 16;
        let height = width * 3 / 4;
        let bytes = taxicert_testkit::formats::large_jpeg("bench.jpg", width, height).bytes;
        let mut best = f64::MAX;
        let mut peak = 0;
        for _ in 0..3 {
            let before = IN_USE.load(Ordering::Relaxed);
            PEAK.store(before, Ordering::Relaxed);
            let start = Instant::now();
            let out = process(&bytes, &PhotoRules::document(800, 600), &Options::phone(2048)).expect("the photo passes");
            best = best.min(start.elapsed().as_secs_f64() * 1000.0);
            drop(out);
            peak = PEAK.load(Ordering::Relaxed) - before;
        }
        let mb = |b: usize| b as f64 / 1048576.0;
        println!(
            "{mp:>8} {:>12} {:>10.1} {best:>10.0} {:>14.1} {:>14.1}",
            format!("{width}×{height}"),
            mb(bytes.len()),
            mb(peak),
            mb(peak + bytes.len())
        );
    }
}

fn inputs(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    // 12 MP, stored sideways as a phone held upright stores it: orientation 6 turns it
    // 90° clockwise for display, so the stored pixels are the upright picture turned back.
    // A phone's image processing smooths the sensor's grain a little before its JPEG encoder
    // (quality about 90): without that, 12 MP of grain would weigh 15 MB instead of a phone's 3 to 5.
    let upright = image::imageops::blur(&scene(3000, 4000, 1), 0.5);
    let stored = image::imageops::rotate270(&upright);
    std::fs::write(dir.join("camera-12mp-orientation6.jpg"), with_app1(&stored, 90, exif_tiff(true, Some(6), true, None))).unwrap();
    upright.save(dir.join("camera-12mp-upright.png")).unwrap();
    // 50 MP (8192 × 6144) as a 50 MP phone's full-resolution mode writes it: decoded at 1/4.
    let large = taxicert_testkit::field::gaussian(&scene(8192, 6144, 2), 0.8);
    std::fs::write(dir.join("camera-50mp.jpg"), taxicert_testkit::hostile::jpeg(&large, 90)).unwrap();
    large.save(dir.join("camera-50mp.png")).unwrap();
    drop(large);
    // A screenshot of a document: flat colours, as PNGs from phones are. Rounding the page's
    // grain away keeps it as small as a real screenshot.
    let mut png = taxicert_testkit::photos::document(3264, 2448, 2);
    png.pixels_mut().for_each(|p| p.0 = p.0.map(|c| c & 0xF0));
    png.save(dir.join("screenshot-8mp.png")).unwrap();
    println!("wrote the benchmark inputs to {}", dir.display());
}

fn ssim(original: &str, outputs: &[String]) {
    let original = image::open(original).unwrap().into_rgb8();
    for output in outputs {
        // By content: an output may not be what its name says.
        let output_image = image::ImageReader::open(output).unwrap().with_guessed_format().unwrap().decode().unwrap().into_rgb8();
        let (w, h) = output_image.dimensions();
        let reference = taxicert_photo::ssim::resize_to(&original, w, h);
        println!("{output}\t{:.4}", taxicert_photo::ssim::ssim(&reference, &output_image));
    }
}
