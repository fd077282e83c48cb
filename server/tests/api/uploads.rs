//! Photo uploads, black-box: every hostile file the tests generate goes through the server's
//! pipeline with its material's rules (accepted, stripped and advised on as the phone would, or
//! refused with its message), a photo below the material's minimum is refused with the minimum
//! named, an idempotency key stores one copy, and every upload is its owner's alone.

use crate::common;

use common::{assert_error_body, json, log_in, spawn, TestServer};
use reqwest::{header, multipart, StatusCode};
use image::{Rgb, RgbImage};
use serde_json::json;
use taxicert_api::{MaterialKind, PhotoRules};
use taxicert_photo::Options;
use taxicert_testkit::{
    hostile::{self, Expect},
    photos,
};

const PHONE: &str = "13812345678";
const OTHER_PHONE: &str = "13987654321";

/// The refusals of the rules (type, damage, limits, minimum resolution); the quality checks
/// only advise.
const RULE_REFUSALS: [&str; 7] =
    ["empty_file", "file_too_large", "unsupported_type", "heif", "damaged_file", "too_many_pixels", "too_small"];
/// The rules of `cert_info_page` and `photo_2inch` in the catalogue.
const CERT_PAGE: PhotoRules = PhotoRules::document(800, 500);
const PORTRAIT: PhotoRules = hostile::PORTRAIT;

async fn upload(server: &TestServer, cookie: &str, key: &str, material: &str, file: Option<(Vec<u8>, &str)>) -> reqwest::Response {
    let mut form = multipart::Form::new().text("material", material.to_owned());
    if let Some((bytes, name)) = file {
        form = form.part("file", multipart::Part::bytes(bytes).file_name(name.to_owned()));
    }
    server
        .send(reqwest::Method::POST, "/api/v1/uploads")
        .header(header::COOKIE, cookie)
        .header("idempotency-key", key)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn sample_jpeg() -> Vec<u8> {
    hostile::jpeg_with_exif(&photos::document(1200, 900, 1), 1, true)
}

fn stored_files(server: &TestServer) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(server.dir.path().join("data/uploads"))
        .map(|dir| dir.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn every_hostile_file_is_stored_stripped_or_refused_with_its_message() {
    let server = spawn().await;
    let cookie = log_in(&server, PHONE).await;
    let mut mismatches = Vec::new();
    for (i, file) in hostile::files().into_iter().enumerate() {
        let (material, rules) =
            if file.rules.kind == MaterialKind::Portrait { ("photo_2inch", PORTRAIT) } else { ("cert_info_page", CERT_PAGE) };
        // What the phone's pipeline makes of it with the material's rules: the server must agree.
        let local = taxicert_photo::process(&file.bytes, &rules, &Options::server(2048));
        if let Expect::Refuse(code) = file.expect {
            if RULE_REFUSALS.contains(&code) && local.is_ok() {
                mismatches.push(format!("{}: the rules should refuse it ({code})", file.name));
            }
        }
        let response = upload(&server, &cookie, &format!("hostile-{i:04}"), material, Some((file.bytes.clone(), &file.name))).await;
        let status = response.status();
        match local {
            Err(refusal) => {
                let body = json(response).await;
                let right = (status == StatusCode::BAD_REQUEST || status == StatusCode::PAYLOAD_TOO_LARGE)
                    && body["code"] == "invalid_photo"
                    && body["field"] == "file"
                    && body["message"].as_str().is_some_and(|m| m.ends_with(&refusal.message));
                if !right {
                    mismatches.push(format!("{}: wanted {} refused, got {status} {body}", file.name, refusal.code));
                }
            }
            Ok(processed) => {
                if status != StatusCode::CREATED {
                    mismatches.push(format!("{}: wanted it stored, got {status} {}", file.name, response.text().await.unwrap()));
                    continue;
                }
                let receipt = json(response).await;
                let id = receipt["id"].as_str().unwrap();
                let image = server.get_as(&format!("/api/v1/uploads/{id}/image"), &cookie).await;
                assert_eq!(image.status(), StatusCode::OK);
                assert_eq!(image.headers()[header::CONTENT_TYPE], "image/jpeg");
                let jpeg = image.bytes().await.unwrap().to_vec();
                let decoded = image::load_from_memory(&jpeg).unwrap();
                let clean = jpeg.starts_with(&[0xFF, 0xD8])
                    && jpeg.ends_with(&[0xFF, 0xD9])
                    && !contains(&jpeg, b"Exif\0\0")
                    && !contains(&jpeg, b"PK\x03\x04")
                    && decoded.width().max(decoded.height()) <= 2048
                    && jpeg.len() <= 1024 * 1024
                    && receipt["width"] == decoded.width()
                    && receipt["bytes"] == jpeg.len();
                if !clean {
                    mismatches.push(format!("{}: stored copy not clean: {receipt}", file.name));
                }
                if let Expect::Warn { code, .. } = file.expect {
                    if !receipt["warnings"].as_array().unwrap().iter().any(|w| w["code"] == code) {
                        mismatches.push(format!("{}: wanted a {code} warning, got {}", file.name, receipt["warnings"]));
                    }
                }
                if receipt["warnings"] != serde_json::to_value(&processed.warnings).unwrap() {
                    mismatches.push(format!("{}: warnings {} differ from the pipeline's {:?}", file.name, receipt["warnings"], processed.warnings));
                }
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[tokio::test]
async fn a_photo_below_the_materials_minimum_is_refused_with_the_minimum_named() {
    let server = spawn().await;
    let cookie = log_in(&server, PHONE).await;
    let flat = |w, h| hostile::jpeg(&RgbImage::from_pixel(w, h, Rgb([200, 200, 190])), 90);
    let cases = [
        ("driving_licence", flat(1, 1), "1×1", "机动车驾驶证：", "800×500"),
        ("driving_licence", flat(16, 16), "16×16", "机动车驾驶证：", "800×500"),
        ("driving_licence", hostile::jpeg(&photos::document(400, 300, 11), 90), "400×300", "机动车驾驶证：", "800×500"),
        ("photo_2inch", hostile::jpeg(&photos::portrait(100, 12), 92), "100×140", "近期二寸正面免冠彩色证件照：", "413×579"),
    ];
    for (i, (material, bytes, size, starts, minimum)) in cases.into_iter().enumerate() {
        let response = upload(&server, &cookie, &format!("too-small-{i:04}"), material, Some((bytes, "small.jpg"))).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{material} {size}");
        let body = json(response).await;
        assert_error_body(&body, "invalid_photo");
        assert_eq!(body["field"], "file", "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.starts_with(starts) && message.contains(minimum) && message.contains(size), "{material} {size}: {message}");
    }
    assert!(stored_files(&server).is_empty(), "nothing below the minimum is kept");
}

#[tokio::test]
async fn a_blurry_photo_is_stored_with_its_warning_in_the_receipt_and_its_replay() {
    let server = spawn().await;
    let cookie = log_in(&server, PHONE).await;
    let blurry = hostile::jpeg(&image::imageops::blur(&photos::document(1200, 900, 13), 7.0), 90);
    let local = taxicert_photo::process(&blurry, &PhotoRules::document(800, 500), &Options::server(2048)).unwrap();
    let response = upload(&server, &cookie, "blurry-key-0001", "driving_licence", Some((blurry.clone(), "blurry.jpg"))).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let receipt = json(response).await;
    let warnings = receipt["warnings"].as_array().unwrap();
    let blur = warnings.iter().find(|w| w["code"] == "blurry").unwrap_or_else(|| panic!("no blurry warning: {receipt}"));
    assert!(blur["message"].as_str().unwrap().contains("模糊"), "{blur}");
    assert_eq!(receipt["warnings"], serde_json::to_value(&local.warnings).unwrap(), "the phone's pipeline says the same");
    // The replay answers the first result, advice included.
    let again = upload(&server, &cookie, "blurry-key-0001", "driving_licence", Some((blurry, "blurry.jpg"))).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(json(again).await, receipt);
    // A sharp photo has none.
    let sharp = json(upload(&server, &cookie, "sharp-key-0001", "driving_licence", Some((sample_jpeg(), "a.jpg"))).await).await;
    assert!(!sharp["warnings"].as_array().unwrap().iter().any(|w| w["code"] == "blurry"), "{sharp}");
}

#[tokio::test]
async fn the_same_idempotency_key_twice_returns_the_first_result_and_stores_one_copy() {
    let server = spawn().await;
    let cookie = log_in(&server, PHONE).await;
    let first = upload(&server, &cookie, "photo-key-0001", "driving_licence", Some((sample_jpeg(), "a.jpg"))).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first = json(first).await;
    let again = upload(&server, &cookie, "photo-key-0001", "driving_licence", Some((sample_jpeg(), "a.jpg"))).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(json(again).await, first);
    assert_eq!(stored_files(&server).len(), 1);

    // At the same moment, too: the two requests race and one copy stays.
    let (a, b) = tokio::join!(
        upload(&server, &cookie, "photo-key-0002", "driving_licence", Some((sample_jpeg(), "b.jpg"))),
        upload(&server, &cookie, "photo-key-0002", "driving_licence", Some((sample_jpeg(), "b.jpg"))),
    );
    let (a, b) = (json(a).await, json(b).await);
    assert_eq!(a["id"], b["id"]);
    assert_eq!(stored_files(&server).len(), 2);

    // A new key is a new photo.
    let other = upload(&server, &cookie, "photo-key-0003", "driving_licence", Some((sample_jpeg(), "c.jpg"))).await;
    assert_eq!(other.status(), StatusCode::CREATED);
    assert_ne!(json(other).await["id"], first["id"]);
}

#[tokio::test]
async fn stored_photos_are_sealed_under_random_names_outside_the_served_folder() {
    let server = spawn().await;
    let cookie = log_in(&server, PHONE).await;
    let receipt = json(upload(&server, &cookie, "photo-key-0001", "driving_licence", Some((sample_jpeg(), "licence.jpg"))).await).await;
    let files = stored_files(&server);
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert_eq!(name.len(), 32, "random hex name: {name}");
    assert!(!name.contains("licence") && !name.contains(receipt["id"].as_str().unwrap()));
    let raw = std::fs::read(&files[0]).unwrap();
    assert!(!raw.starts_with(&[0xFF, 0xD8]) && !contains(&raw, b"JFIF"), "sealed, not a plain JPEG");
    // Not reachable over HTTP under any name.
    for path in [format!("/uploads/{name}"), format!("/data/uploads/{name}"), format!("/{name}")] {
        let response = server.get(&path).await;
        assert_ne!(response.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap()), Some("image/jpeg"), "{path}");
    }
}

#[tokio::test]
async fn uploads_are_their_owners_alone() {
    let server = spawn().await;
    let owner = log_in(&server, PHONE).await;
    let other = log_in(&server, OTHER_PHONE).await;
    let receipt = json(upload(&server, &owner, "photo-key-0001", "driving_licence", Some((sample_jpeg(), "a.jpg"))).await).await;
    let id = receipt["id"].as_str().unwrap();
    let image = format!("/api/v1/uploads/{id}/image");

    let response = server.get_as(&image, &other).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_error_body(&json(response).await, "not_found");
    let response = server.send(reqwest::Method::DELETE, &format!("/api/v1/uploads/{id}")).header(header::COOKIE, &other).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // The other user's same key is his own photo, not the owner's.
    let theirs = json(upload(&server, &other, "photo-key-0001", "driving_licence", Some((sample_jpeg(), "b.jpg"))).await).await;
    assert_ne!(theirs["id"], receipt["id"]);
    assert_eq!(server.get(&image).await.status(), StatusCode::UNAUTHORIZED);

    // The owner deletes it: gone from disk and from the API.
    assert_eq!(server.get_as(&image, &owner).await.status(), StatusCode::OK);
    let response = server.send(reqwest::Method::DELETE, &format!("/api/v1/uploads/{id}")).header(header::COOKIE, &owner).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(server.get_as(&image, &owner).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(stored_files(&server).len(), 1, "only the other user's photo is left");
}

#[tokio::test]
async fn each_malformed_upload_request_is_refused_with_its_message() {
    let server = spawn().await;
    let cookie = log_in(&server, PHONE).await;

    let response = upload(&server, &cookie, "short", "driving_licence", Some((sample_jpeg(), "a.jpg"))).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_error_body(&json(response).await, "idempotency_key_missing");

    let response = upload(&server, &cookie, "photo-key-0001", "no_such_material", Some((sample_jpeg(), "a.jpg"))).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_error_body(&json(response).await, "unknown_material");

    let response = upload(&server, &cookie, "photo-key-0002", "driving_licence", None).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = json(response).await;
    assert_error_body(&body, "photo_missing");
    assert!(body["message"].as_str().unwrap().contains("机动车驾驶证"));

    // Far over the limit: cut off while reading, answered in JSON all the same.
    let response = upload(&server, &cookie, "photo-key-0003", "driving_licence", Some((vec![0xFF; 12 * 1024 * 1024], "big.jpg"))).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_error_body(&json(response).await, "invalid_photo");

    let response = server
        .send(reqwest::Method::POST, "/api/v1/uploads")
        .header("idempotency-key", "photo-key-0004")
        .multipart(multipart::Form::new().text("material", "driving_licence"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(stored_files(&server).is_empty());
}

#[tokio::test]
async fn the_catalogue_names_each_materials_photo_rules_and_sample() {
    let server = spawn().await;
    let renewal = json(server.get("/api/v1/businesses/renewal").await).await;
    let materials = renewal["materials"].as_array().unwrap();
    let photo = &materials[0];
    assert_eq!(photo["code"], "photo_2inch");
    assert_eq!(photo["photo"], json!({ "kind": "portrait", "min_width": 413, "min_height": 579 }));
    assert_eq!(photo["sample"], "samples/photo_2inch.svg");
    assert_eq!(materials[1]["photo"]["kind"], "document");
    for material in materials {
        let sample = material["sample"].as_str().unwrap();
        assert!(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public").join(sample).exists(), "{sample} is drawn");
    }
}

// ---------------------------------------------------------------- photo-check

/// Runs the real binary: (exit code, stdout lines as JSON, stderr).
fn photo_check(args: &[&str]) -> (Option<i32>, Vec<serde_json::Value>, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_taxicert-server"))
        .arg("photo-check")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines = stdout.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"))).collect();
    (output.status.code(), lines, String::from_utf8(output.stderr).unwrap())
}

#[test]
fn photo_check_prints_the_phones_verdict_on_each_file_as_one_json_line() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: Vec<u8>| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let sharp_bytes = hostile::jpeg(&photos::document(1200, 900, 31), 90);
    let local = taxicert_photo::process(&sharp_bytes, &PhotoRules::document(800, 500), &Options::phone(2048)).unwrap();
    let sharp = write("sharp.jpg", sharp_bytes);
    let blurry = write("blurry.jpg", hostile::jpeg(&image::imageops::blur(&photos::document(1200, 900, 32), 7.0), 90));
    let small = write("small.jpg", hostile::jpeg(&photos::document(400, 300, 33), 90));
    let sideways = write("sideways.jpg", hostile::jpeg_with_exif(&hostile::to_stored(&photos::document(1200, 900, 34), 6), 6, true));
    let html = write("page.jpg", b"<html>not a photo</html>".to_vec());

    let (code, lines, stderr) = photo_check(&[&sharp, &blurry, &small, &sideways, &html]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(lines.len(), 5);
    let mut keys: Vec<&String> = lines[0].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["code", "file", "height", "message", "verdict", "warnings", "width"]);

    assert_eq!(lines[0]["file"], sharp.as_str());
    assert_eq!((lines[0]["width"].clone(), lines[0]["height"].clone()), (json!(1200), json!(900)));
    assert_eq!(lines[0]["warnings"], serde_json::to_value(&local.warnings).unwrap());
    if local.warnings.is_empty() {
        assert_eq!(lines[0]["verdict"], "ok");
        assert_eq!((lines[0]["code"].clone(), lines[0]["message"].clone()), (json!(null), json!(null)));
    } else {
        assert_eq!(lines[0]["verdict"], "warn");
    }

    assert_eq!(lines[1]["verdict"], "warn", "{}", lines[1]);
    assert!(lines[1]["warnings"].as_array().unwrap().iter().any(|w| w["code"] == "blurry"), "{}", lines[1]);
    assert_eq!(lines[1]["code"], lines[1]["warnings"][0]["code"], "the first warning's code");

    assert_eq!(lines[2]["verdict"], "refuse");
    assert_eq!(lines[2]["code"], "too_small");
    assert!(lines[2]["message"].as_str().unwrap().contains("800×500"), "{}", lines[2]);
    assert_eq!((lines[2]["width"].clone(), lines[2]["height"].clone()), (json!(400), json!(300)));

    // The upright size: stored 900 × 1200 with orientation 6 is a 1200 × 900 page.
    assert_ne!(lines[3]["verdict"], "refuse", "{}", lines[3]);
    assert_eq!((lines[3]["width"].clone(), lines[3]["height"].clone()), (json!(1200), json!(900)));

    assert_eq!(lines[4]["verdict"], "refuse");
    assert_eq!(lines[4]["code"], "unsupported_type");
    assert!(lines[4]["message"].as_str().unwrap().contains("jpg或png"), "{}", lines[4]);
    assert_eq!((lines[4]["width"].clone(), lines[4]["height"].clone()), (json!(null), json!(null)));

    // The portrait's rules come from the catalogue's 2-inch photo; the ID card's from the contract.
    let tiny_portrait = write("tiny-portrait.jpg", hostile::jpeg(&photos::portrait(100, 35), 92));
    let portrait = write("portrait.jpg", hostile::jpeg(&photos::portrait(450, 36), 92));
    let (code, lines, stderr) = photo_check(&["--kind", "portrait", &tiny_portrait, &portrait]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(lines[0]["code"], "too_small");
    assert!(lines[0]["message"].as_str().unwrap().contains("413×579"), "{}", lines[0]);
    assert_ne!(lines[1]["verdict"], "refuse", "{}", lines[1]);
    assert_eq!((lines[1]["width"].clone(), lines[1]["height"].clone()), (json!(450), json!(630)));
    let card = write("card.jpg", hostile::jpeg(&photos::document(640, 400, 37), 90));
    let (code, lines, _) = photo_check(&[&card, "--kind", "id-card"]);
    assert_eq!(code, Some(0));
    assert_eq!(lines[0]["code"], "too_small");
    assert!(lines[0]["message"].as_str().unwrap().contains("800×500"), "{}", lines[0]);
}

#[test]
fn photo_check_refuses_bad_arguments_with_its_usage_and_names_an_unreadable_path() {
    for args in [&[][..], &["--kind", "passport", "a.jpg"], &["--kind"], &["--fast", "a.jpg"], &["--kind", "portrait"]] {
        let (code, lines, stderr) = photo_check(args);
        assert_eq!(code, Some(2), "{args:?}");
        assert!(lines.is_empty() && stderr.contains("usage:") && stderr.contains("photo-check"), "{args:?}: {stderr}");
    }
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.jpg");
    std::fs::write(&good, hostile::jpeg(&photos::document(1200, 900, 38), 90)).unwrap();
    let missing = dir.path().join("missing.jpg");
    let (code, lines, stderr) = photo_check(&[missing.to_str().unwrap(), good.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("missing.jpg"), "{stderr}");
    assert_eq!(lines.len(), 1, "the readable file is still checked");
    assert_eq!(lines[0]["file"], good.to_str().unwrap());
    // A folder is not a photo either.
    let (code, _, stderr) = photo_check(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("无法读取"), "{stderr}");
}
