//! Files as real phones write them (`taxicert_testkit::formats`), through the phone's pipeline
//! (`Options::phone(2048)`): what is appended after the picture is ignored and never comes
//! out, the EXIF block (GPS included) is dropped, the orientation is applied, a 50 MP photo is
//! taken, and an iPhone's HEIC is refused with what to do.

use taxicert_api::PhotoRules;
use taxicert_photo::{process, Options, Processed};
use taxicert_testkit::formats::{self, Fixture};

const RULES: PhotoRules = PhotoRules::document(800, 600);

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Processes `f` with the phone's options and checks the output is a clean, upright JPEG of
/// the picture alone.
fn clean_output(f: &Fixture) -> Processed {
    let p = process(&f.bytes, &RULES, &Options::phone(2048)).unwrap_or_else(|r| panic!("{} refused: {r:?}", f.name));
    assert_eq!((p.source_width, p.source_height), (f.width, f.height), "{}: upright size", f.name);
    assert!(p.width.max(p.height) <= 2048 && p.jpeg.len() <= 1024 * 1024, "{}: {}×{}, {} bytes", f.name, p.width, p.height, p.jpeg.len());
    let jpeg = &p.jpeg;
    assert!(jpeg.starts_with(&[0xFF, 0xD8]) && jpeg.ends_with(&[0xFF, 0xD9]), "{}: not a whole JPEG", f.name);
    for needle in [&b"Exif\0\0"[..], b"MPF\0", b"http://ns.adobe.com/xap", b"ftyp", b"mdat", b"GCamera"] {
        assert!(!contains(jpeg, needle), "{}: the output carries {:?}", f.name, String::from_utf8_lossy(needle));
    }
    // Nothing after the picture: the only end marker is the last two bytes (the encoder stuffs
    // every FF in the scan, and writes no thumbnail).
    let ends = jpeg.windows(2).filter(|w| w == &[0xFF, 0xD9]).count();
    assert_eq!(ends, 1, "{}: {ends} end markers in the output", f.name);
    let image = image::load_from_memory(jpeg).unwrap().into_rgb8();
    let (w, h) = image.dimensions();
    let corner = image.get_pixel(w / 40, h / 40).0;
    let opposite = image.get_pixel(w - 1 - w / 40, h - 1 - h / 40).0;
    assert!(corner[0] > 180 && corner[1] < 80 && corner[2] < 80, "{}: top-left is {corner:?}, not red: not upright", f.name);
    assert!(!(opposite[0] > 180 && opposite[1] < 80), "{}: bottom-right is red", f.name);
    p
}

#[test]
fn a_phone_jpeg_is_turned_upright_and_stripped_of_its_exif() {
    let f = formats::phone_jpeg();
    assert!(contains(&f.bytes, b"Exif\0\0") && contains(&f.bytes, b"Fictional Phone"));
    let p = clean_output(&f);
    assert!(!contains(&p.jpeg, b"Fictional Phone") && !contains(&p.jpeg, b"TaxiCert Test"), "make or model left in");
    assert_eq!((p.width, p.height), (1536, 2048));
}

#[test]
fn a_motion_photo_is_taken_without_its_video() {
    let f = formats::motion_photo();
    assert!(f.bytes.len() > 10 * 1024 * 1024, "the fixture is {} bytes", f.bytes.len());
    clean_output(&f);
    // The server takes at most 10 MiB: the phone sends the re-encoded picture, never this.
    let refused = process(&f.bytes, &RULES, &Options::server(2048)).unwrap_err();
    assert_eq!(refused.code, "file_too_large");
}

#[test]
fn an_mpf_jpeg_is_read_as_its_first_picture() {
    clean_output(&formats::mpf_jpeg());
}

#[test]
fn a_file_without_an_extension_is_told_by_its_content() {
    clean_output(&formats::no_extension());
}

#[test]
fn a_50_mp_photo_is_taken() {
    let f = formats::jpeg_50mp();
    let p = clean_output(&f);
    assert_eq!((p.width, p.height), (2048, 1536));
}

#[test]
fn an_iphone_heic_is_refused_with_what_to_do() {
    let f = formats::heic_header_only();
    for options in [Options::phone(2048), Options::server(2048)] {
        let refusal = process(&f.bytes, &RULES, &options).unwrap_err();
        assert_eq!(refusal.code, "heif");
        assert!(refusal.message.contains("兼容性最佳"), "{}", refusal.message);
    }
}

/// A PNG cannot be decoded at a reduced scale: over 50 MP it is refused, even by the phone,
/// with a message that says so and what to do.
#[test]
fn a_png_over_50_mp_is_refused_by_the_phone_too() {
    let png = taxicert_testkit::hostile::png_header_only(8000, 7000);
    let refusal = process(&png, &RULES, &Options::phone(2048)).unwrap_err();
    assert_eq!(refusal.code, "too_many_pixels");
    assert!(refusal.message.contains("PNG") && refusal.message.contains("5000万像素"), "{}", refusal.message);
}
