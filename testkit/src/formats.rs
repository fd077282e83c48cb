//! Files as real phones write them, generated (no real person's photo or data): a camera JPEG
//! with a full EXIF block, a motion photo (a JPEG with a video appended), an MPF JPEG (a second
//! picture appended), a 50 MP JPEG, an iPhone's HEIC opening, and a photo saved without an
//! extension. The picture inside each is a document page whose upright top-left tenth is pure
//! red, so that a test can see the orientation was applied.

use image::RgbImage;

use crate::hostile::{exif_tiff, jpeg, jpeg_with, orientation_marked, to_stored, with_app1};
use crate::photos::Rng;

/// One file, with the name a phone's file picker gives it.
pub struct Fixture {
    pub name: &'static str,
    pub bytes: Vec<u8>,
    /// The upright picture's size (`Processed::source_width` × `source_height`); 0 × 0 for a
    /// file the pipeline cannot read.
    pub width: u32,
    pub height: u32,
}

/// A camera JPEG as an Android phone held upright writes it: 2400 × 3200 upright, stored
/// sideways with EXIF orientation 6 (turn 90° clockwise), little-endian EXIF with make, model,
/// date, a GPS position and a 160 × 120 JPEG thumbnail, at quality 92.
pub fn phone_jpeg() -> Fixture {
    let upright = orientation_marked(2400, 3200);
    let stored = to_stored(&upright, 6);
    let thumbnail = jpeg(&image::imageops::thumbnail(&stored, 160, 120), 80);
    let bytes = with_app1(&stored, 92, exif_tiff(false, Some(6), true, Some(&thumbnail)));
    Fixture { name: "IMG_20241108_101500.jpg", bytes, width: 2400, height: 3200 }
}

/// A motion photo as Xiaomi and Google phones write it: a 1600 × 1200 JPEG (orientation 1,
/// with the XMP block that announces the video) followed by an MP4 (an `ftyp` box and an
/// `mdat` of noise) after the end-of-image marker, 11 MB in all.
pub fn motion_photo() -> Fixture {
    let picture = orientation_marked(1600, 1200);
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF \
xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description xmlns:GCamera=\"http://ns.google.com/photos/1.0/camera/\" \
GCamera:MicroVideo=\"1\" GCamera:MicroVideoVersion=\"1\" GCamera:MicroVideoOffset=\"10485760\" \
GCamera:MicroVideoPresentationTimestampUs=\"1500000\"/></rdf:RDF></x:xmpmeta>"
        .to_vec();
    let mut bytes = jpeg_with(&picture, 92, |e| e.add_app_segment(1, xmp).expect("the XMP block fits"));
    let total = 11 * 1024 * 1024;
    bytes.extend_from_slice(&mp4(total - bytes.len()));
    Fixture { name: "MVIMG_20241108_101500.jpg", bytes, width: 1600, height: 1200 }
}

/// `len` bytes of an MP4: an `ftyp` box, then an `mdat` box of noise.
fn mp4(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&24u32.to_be_bytes());
    out.extend_from_slice(b"ftypmp42\0\0\0\0isommp42");
    out.extend_from_slice(&((len - 24) as u32).to_be_bytes());
    out.extend_from_slice(b"mdat");
    let mut rng = Rng::new(4242);
    // Noise: like a real video, it holds FF D9 pairs here and there, which are no end of the picture.
    while out.len() < len {
        let word = rng.next().to_le_bytes();
        let room = len - out.len();
        out.extend_from_slice(&word[..room.min(8)]);
    }
    out
}

/// An MPF (CIPA DC-007) JPEG, as phones write a depth map or a preview: an APP2 `MPF` block
/// and a second, smaller JPEG right after the first one's end marker.
pub fn mpf_jpeg() -> Fixture {
    let picture = orientation_marked(1600, 1200);
    let second = jpeg(&image::imageops::thumbnail(&RgbImage::from_pixel(64, 48, image::Rgb([0, 0, 255])), 640, 480), 80);
    // The index: little-endian, version 0100, two images; offsets are not checked by anyone here.
    let mut index = b"MPF\0II*\0\x08\0\0\0".to_vec();
    index.extend_from_slice(&[3, 0]);
    for (tag, kind, count, value) in [(0xB000u16, 7u16, 4u32, u32::from_le_bytes(*b"0100")), (0xB001, 4, 1, 2), (0xB002, 7, 32, 50)] {
        index.extend_from_slice(&tag.to_le_bytes());
        index.extend_from_slice(&kind.to_le_bytes());
        index.extend_from_slice(&count.to_le_bytes());
        index.extend_from_slice(&value.to_le_bytes());
    }
    index.extend_from_slice(&[0; 4 + 32]);
    let mut bytes = jpeg_with(&picture, 90, |e| e.add_app_segment(2, index).expect("the MPF block fits"));
    bytes.extend_from_slice(&second);
    Fixture { name: "IMG_20241108_101501_MP.jpg", bytes, width: 1600, height: 1200 }
}

/// A 50 MP (8192 × 6144) camera JPEG at quality 90, orientation 1, as a 50 MP phone's full
/// resolution mode writes it.
pub fn jpeg_50mp() -> Fixture {
    large_jpeg("IMG_50MP.jpg", 8192, 6144)
}

/// A `width` × `height` camera JPEG at quality 90 of the marked document page.
pub fn large_jpeg(name: &'static str, width: u32, height: u32) -> Fixture {
    Fixture { name, bytes: jpeg(&orientation_marked(width, height), 90), width, height }
}

/// An iPhone photo in its 高效 (HEIF) format: the `ftyp` box with the `heic` brand and a token
/// `meta` box, nothing decodable.
pub fn heic_header_only() -> Fixture {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&24u32.to_be_bytes());
    bytes.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    bytes.extend_from_slice(&12u32.to_be_bytes());
    bytes.extend_from_slice(b"meta\0\0\0\0");
    Fixture { name: "IMG_0001.HEIC", bytes, width: 0, height: 0 }
}

/// A JPEG saved by a chat app under a name with no extension.
pub fn no_extension() -> Fixture {
    let bytes = jpeg(&orientation_marked(1280, 960), 85);
    Fixture { name: "mmexport1731031200000", bytes, width: 1280, height: 960 }
}
