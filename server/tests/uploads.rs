//! Photo uploads, black-box: every hostile file the tests generate is re-checked by the server
//! (accepted and stripped, or refused with its message), an idempotency key stores one copy,
//! and every upload is its owner's alone.

mod common;

use common::{assert_error_body, json, log_in, spawn, TestServer};
use reqwest::{header, multipart, StatusCode};
use taxicert_api::MaterialKind;
use taxicert_testkit::{
    hostile::{self, Expect},
    photos,
};

const PHONE: &str = "13812345678";
const OTHER_PHONE: &str = "13987654321";

/// The refusals the server makes itself; the quality checks are the phone's advice only.
const FILE_REFUSALS: [&str; 5] = ["empty_file", "file_too_large", "unsupported_type", "damaged_file", "too_many_pixels"];

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
        let material = if file.rules.kind == MaterialKind::Portrait { "photo_2inch" } else { "cert_info_page" };
        let expected_refusal = match file.expect {
            Expect::Refuse(code) if FILE_REFUSALS.contains(&code) => Some(code),
            _ => None,
        };
        let local = taxicert_photo::decode(&file.bytes).err();
        let response = upload(&server, &cookie, &format!("hostile-{i:04}"), material, Some((file.bytes.clone(), &file.name))).await;
        let status = response.status();
        match expected_refusal {
            Some(code) => {
                let body = json(response).await;
                let wanted = local.map(|r| r.message).unwrap_or_default();
                let right = (status == StatusCode::BAD_REQUEST || status == StatusCode::PAYLOAD_TOO_LARGE)
                    && body["code"] == "invalid_photo"
                    && body["field"] == "file"
                    && body["message"].as_str().is_some_and(|m| !wanted.is_empty() && m.ends_with(&wanted));
                if !right {
                    mismatches.push(format!("{}: wanted {code} refused, got {status} {body}", file.name));
                }
            }
            None => {
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
                    && !contains(&jpeg, b"Exif\0\0")
                    && !contains(&jpeg, b"PK\x03\x04")
                    && decoded.width().max(decoded.height()) <= 2048
                    && jpeg.len() <= 1024 * 1024
                    && receipt["width"] == decoded.width()
                    && receipt["bytes"] == jpeg.len();
                if !clean {
                    mismatches.push(format!("{}: stored copy not clean: {receipt}", file.name));
                }
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
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
    assert_eq!(photo["photo"], serde_json::json!({ "kind": "portrait", "min_width": 413, "min_height": 579 }));
    assert_eq!(photo["sample"], "samples/photo_2inch.svg");
    assert_eq!(materials[1]["photo"]["kind"], "document");
    for material in materials {
        let sample = material["sample"].as_str().unwrap();
        assert!(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public").join(sample).exists(), "{sample} is drawn");
    }
}
