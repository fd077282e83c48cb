//! The native half of `make bench` for the photo pipeline.
//!
//! - `photo-bench blur`: scores the labelled blur set and prints the blur check's true and
//!   false positive rates at the threshold in use, and the best threshold on the set.
//! - `photo-bench inputs DIR`: writes the browser benchmark's inputs, a 12 MP camera JPEG with
//!   EXIF orientation 6 and an 8 MP PNG screenshot of a document, and their upright originals.
//! - `photo-bench ssim ORIGINAL OUTPUT...`: prints the SSIM of each output against the upright
//!   original, brought to the output's size.

use std::path::Path;

use taxicert_photo::quality::{measure, BLUR_THRESHOLD};
use taxicert_testkit::hostile::{exif_tiff, with_app1};
use taxicert_testkit::photos::{labelled_set, scene, Blur};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("blur") => blur(),
        Some("inputs") => inputs(Path::new(&args[1])),
        Some("ssim") => ssim(&args[1], &args[2..]),
        _ => {
            eprintln!("usage: photo-bench blur | inputs DIR | ssim ORIGINAL OUTPUT...");
            std::process::exit(2);
        }
    }
}

fn blur() {
    let set = labelled_set(&[800, 1600, 3200], 3);
    let scores: Vec<(f32, bool, String)> = set
        .iter()
        // The score the check itself computes, on the same working copy.
        .map(|l| (measure(&l.image).blur, l.blur != Blur::Sharp, l.name.clone()))
        .collect();
    let rates = |threshold: f32| {
        let blurred = scores.iter().filter(|s| s.1).count() as f64;
        let sharp = scores.iter().filter(|s| !s.1).count() as f64;
        let tp = scores.iter().filter(|s| s.1 && s.0 >= threshold).count() as f64;
        let fp = scores.iter().filter(|s| !s.1 && s.0 >= threshold).count() as f64;
        (tp / blurred, fp / sharp)
    };
    let (tpr, fpr) = rates(BLUR_THRESHOLD);
    let sharp_max = scores.iter().filter(|s| !s.1).map(|s| s.0).fold(0.0, f32::max);
    let blurred_min = scores.iter().filter(|s| s.1).map(|s| s.0).fold(1.0, f32::min);
    println!("blur check on {} labelled pictures ({} sharp, {} blurred; documents and scenes at 800, 1600 and 3200 px; Gaussian sigma {:?} and motion {:?} px at the 1024 px working size):",
        scores.len(), scores.iter().filter(|s| !s.1).count(), scores.iter().filter(|s| s.1).count(),
        taxicert_testkit::photos::GAUSSIAN_SIGMAS, taxicert_testkit::photos::MOTION_LENGTHS);
    println!("  threshold in use {BLUR_THRESHOLD:.3}: true positive rate {:.1} % (target >= 95 %), false positive rate {:.1} % (target <= 5 %)", tpr * 100.0, fpr * 100.0);
    println!("  sharp scores reach {sharp_max:.3}; blurred scores start at {blurred_min:.3}");
    // The threshold that maximises TPR − FPR on the set, for whoever tunes it next.
    let best = (0..=100)
        .map(|i| i as f32 / 100.0)
        .max_by(|a, b| {
            let (ta, fa) = rates(*a);
            let (tb, fb) = rates(*b);
            (ta - fa).partial_cmp(&(tb - fb)).unwrap()
        })
        .unwrap();
    let (bt, bf) = rates(best);
    println!("  best threshold on this set {best:.2}: TPR {:.1} %, FPR {:.1} %", bt * 100.0, bf * 100.0);
    for (score, blurred, name) in &scores {
        if *blurred != (*score >= BLUR_THRESHOLD) {
            println!("  misjudged: {name} scored {score:.3}");
        }
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
