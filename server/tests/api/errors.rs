//! Every error answer is the JSON `ErrorBody` the contract describes, those of axum's own
//! rejections included: a body that does not parse, an unlisted method, a path that is not
//! UTF-8, a body over the limit.

use crate::common;

use common::{assert_error_body, json, log_in, spawn};
use reqwest::{header, multipart, Method, StatusCode};

/// Each header of the answer is sent once.
fn assert_no_header_twice(response: &reqwest::Response) {
    for name in response.headers().keys() {
        assert_eq!(response.headers().get_all(name).iter().count(), 1, "{name} sent twice: {:?}", response.headers());
    }
}

#[tokio::test]
async fn a_multipart_body_that_does_not_parse_is_a_json_400() {
    let server = spawn().await;
    let cookie = log_in(&server, "13800138000").await;
    for path in ["/api/v1/uploads", "/api/v1/realname/id-card"] {
        for content_type in ["multipart/form-data", "multipart/form-data; boundary=", "text/plain"] {
            let response = server
                .send(Method::POST, path)
                .header(header::COOKIE, &cookie)
                .header("idempotency-key", "garbage-0001")
                .header(header::CONTENT_TYPE, content_type)
                .body("garbage")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path} {content_type}");
            // Without a boundary the extractor refuses it; with one, the first part does not parse.
            let body = json(response).await;
            let code = if content_type.contains("boundary") { "upload_broken" } else { "invalid_request" };
            assert_error_body(&body, code);
        }
    }
}

#[tokio::test]
async fn an_unlisted_method_is_a_json_405_with_allow_before_the_csrf_check() {
    let server = spawn().await;
    for (method, path, allow) in [
        (Method::PUT, "/api/v1/uploads", "POST"),
        (Method::DELETE, "/api/v1/businesses", "GET,HEAD"),
        (Method::PATCH, "/api/v1/realname/submission", "POST"),
        (Method::OPTIONS, "/api/v1/auth/sms-codes", "POST"),
    ] {
        // No CSRF header: the method does not exist, whatever the request carries.
        let response = server.client.request(method.clone(), format!("{}{path}", server.base)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_eq!(response.headers()[header::ALLOW], allow, "{method} {path}");
        assert_no_header_twice(&response);
        assert_error_body(&json(response).await, "method_not_allowed");
    }
    // A listed method without the header is still refused.
    let response = server.client.post(format!("{}/api/v1/auth/sms-codes", server.base)).json(&serde_json::json!({})).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_error_body(&json(response).await, "csrf");
    // An unknown API path is not found, whatever the method.
    let response = server.client.post(format!("{}/api/v1/nothing-here", server.base)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_error_body(&json(response).await, "not_found");
}

#[tokio::test]
async fn a_path_that_is_not_utf8_is_a_json_404() {
    let server = spawn().await;
    let cookie = log_in(&server, "13800138000").await;
    for path in ["/api/v1/businesses/%FF", "/api/v1/cases/%E6%8D", "/api/v1/vouchers/%C3%28"] {
        let response = server.get_as(path, &cookie).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_error_body(&json(response).await, "not_found");
    }
    let response = server.send(Method::DELETE, "/api/v1/uploads/%FF").header(header::COOKIE, &cookie).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_error_body(&json(response).await, "not_found");
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_json_413_with_each_header_once() {
    let server = spawn().await;
    let cookie = log_in(&server, "13800138000").await;

    // JSON over axum's 2 MiB.
    let phone = format!("{{\"phone\": \"{}\"}}", "1".repeat(3 * 1024 * 1024));
    let response = server
        .send(Method::POST, "/api/v1/auth/sms-codes")
        .header(header::CONTENT_TYPE, "application/json")
        .body(phone)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_no_header_twice(&response);
    assert_error_body(&json(response).await, "body_too_large");

    // Two 12 MB ID photos: over the limit of two 10 MiB photos, cut off in the second.
    let form = multipart::Form::new()
        .part("portrait", multipart::Part::bytes(vec![0xFF; 12_000_000]).file_name("portrait.jpg"))
        .part("emblem", multipart::Part::bytes(vec![0xFF; 12_000_000]).file_name("emblem.jpg"));
    let response =
        server.send(Method::POST, "/api/v1/realname/id-card").header(header::COOKIE, &cookie).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_no_header_twice(&response);
    let body = json(response).await;
    assert_error_body(&body, "invalid_photo");
    assert_eq!(body["field"], "emblem");
    assert!(body["message"].as_str().unwrap().starts_with("身份证国徽面："), "{body}");

    // One 12 MB material photo.
    let form = multipart::Form::new()
        .text("material", "driving_licence")
        .part("file", multipart::Part::bytes(vec![0xFF; 12_000_000]).file_name("big.jpg"));
    let response = server
        .send(Method::POST, "/api/v1/uploads")
        .header(header::COOKIE, &cookie)
        .header("idempotency-key", "too-large-0001")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_no_header_twice(&response);
    assert_error_body(&json(response).await, "invalid_photo");
}

#[tokio::test]
async fn a_json_body_that_does_not_parse_is_a_json_400_on_every_json_operation() {
    let server = spawn().await;
    for path in ["/api/v1/auth/sms-codes", "/api/v1/auth/session", "/api/v1/staff/session"] {
        let response = server
            .send(Method::POST, path)
            .header(header::CONTENT_TYPE, "application/json")
            .body("{\"phone\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        assert_error_body(&json(response).await, "invalid_body");
    }
}
