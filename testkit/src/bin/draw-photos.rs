//! `draw-photos DIR`: writes the photos the end-to-end tests pick through the file input:
//! `portrait.jpg` (a good 2-inch photo), `licence.jpg` (a card-like document stored sideways
//! with EXIF orientation 6 and a GPS tag), `page.png` (a document page), `blurry.jpg` (the
//! page, out of focus) and `iphone.jpg` (HEIC bytes under a .jpg name).

use taxicert_testkit::{hostile::jpeg_with_exif, photos};

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: draw-photos DIR"));
    std::fs::create_dir_all(&dir).expect("the folder");
    let write = |name: &str, bytes: Vec<u8>| std::fs::write(dir.join(name), bytes).expect(name);
    write("portrait.jpg", jpeg_with_exif(&photos::portrait(600, 3), 1, false));
    let licence = image::imageops::rotate270(&photos::document(1600, 1200, 4));
    write("licence.jpg", jpeg_with_exif(&licence, 6, true));
    let page = photos::document(1400, 1050, 5);
    let mut png = std::io::Cursor::new(Vec::new());
    page.write_to(&mut png, image::ImageFormat::Png).expect("PNG");
    write("page.png", png.into_inner());
    write("blurry.jpg", jpeg_with_exif(&image::imageops::blur(&page, 4.0), 1, false));
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    heic.resize(4096, 0);
    write("iphone.jpg", heic);
}
