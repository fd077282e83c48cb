//! Two replicas of the server on one database and one photo store, with one key, as behind a
//! load balancer: a shared SQLite file and photo folder, or — with
//! `TAXICERT_TEST_BACKEND=postgres`, as a province would run it — one PostgreSQL and one S3
//! bucket (moto). Nothing a driver does is kept in one replica's memory.

use futures::future::join_all;
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use taxicert_testkit::CardData;

use crate::common::{
    self,
    flows::{complete_draft, next_key, send_as, submit, upload_required, PHONE},
    json, spawn_config, test_config, verified_user, TestServer,
};

/// Two servers with the same configuration (the first made the key file and the database).
async fn two_replicas() -> (TestServer, TestServer) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    config.realname_auto_approve = true;
    if common::postgres::wanted() {
        // Without moto's virtualenv this says so, and the replicas share the folder.
        common::moto::s3_config("two_replicas", &mut config).await;
    }
    let same = config.clone();
    let first = spawn_config(dir, config).await;
    let second = spawn_config(tempfile::tempdir().unwrap(), same).await;
    (first, second)
}

#[tokio::test]
async fn a_driver_signs_in_on_one_replica_and_goes_on_through_the_other() {
    let (a, b) = two_replicas().await;
    let cookie = verified_user(&a, PHONE, &CardData::sample()).await;

    let session = json(b.get_as("/api/v1/auth/session", &cookie).await).await;
    assert_eq!(session["me"]["realname_status"], "approved", "the session made on one replica is known to the other: {session}");

    // Photos uploaded through one replica are seen by the other, and the draft saved on one
    // is submitted through the other.
    let draft = complete_draft(&b, &cookie, "reissue").await;
    let response = submit(&a, &cookie, &next_key("submit"), "reissue", &draft["revision"]).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let case: Value = json(response).await;
    let listed = json(b.get_as("/api/v1/cases", &cookie).await).await;
    assert_eq!(listed[0]["id"], case["id"], "{listed}");
    let detail = b.get_as(&format!("/api/v1/cases/{}", case["id"].as_str().unwrap()), &cookie).await;
    assert_eq!(detail.status(), StatusCode::OK);

    // Signing out on one ends the session on both.
    let out = send_as(&b, Method::DELETE, "/api/v1/auth/session", &cookie).send().await.unwrap();
    assert!(out.status().is_success(), "{}", out.status());
    assert_eq!(json(a.get_as("/api/v1/auth/session", &cookie).await).await["me"], Value::Null);
    assert_eq!(a.get_as("/api/v1/cases", &cookie).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn twenty_submissions_at_once_across_both_replicas_make_one_case() {
    let (a, b) = two_replicas().await;
    let cookie = verified_user(&a, PHONE, &CardData::sample()).await;
    let uploads = upload_required(&a, &cookie, "reissue").await;
    // A photo sent to one replica is there for the other: the store is shared.
    for id in uploads.values() {
        let image = b.get_as(&format!("/api/v1/uploads/{id}/image"), &cookie).await;
        assert_eq!(image.status(), StatusCode::OK, "upload {id} through the other replica");
        assert_eq!(&image.bytes().await.unwrap()[..2], &[0xFF, 0xD8]);
    }
    let draft = complete_draft(&a, &cookie, "reissue").await;
    let revision = draft["revision"].clone();

    // A driver's double taps and his phone's retries: half with one key, half with keys of their own.
    let same_key = next_key("submit");
    let answers = join_all((0..20).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        let key = if i < 10 { same_key.clone() } else { next_key("submit") };
        let (cookie, revision) = (cookie.clone(), revision.clone());
        async move {
            let response = submit(server, &cookie, &key, "reissue", &revision).await;
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    }))
    .await;
    for (status, body) in &answers {
        assert!(status.is_success() || status.is_client_error(), "{status}: {body}");
    }
    let ids: std::collections::BTreeSet<&str> =
        answers.iter().filter(|(s, _)| s.is_success()).map(|(_, body)| body["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1, "every success names the same case: {answers:?}");
    let listed = json(b.get_as("/api/v1/cases", &cookie).await).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    let (cases,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cases").fetch_one(&common::database(&a).await).await.unwrap();
    assert_eq!(cases, 1);
}

#[tokio::test]
async fn the_sms_limits_hold_across_both_replicas() {
    let (a, b) = two_replicas().await;
    let ask = |server: &TestServer| {
        server
            .send(Method::POST, "/api/v1/auth/sms-codes")
            .header(header::CONTENT_TYPE, "application/json")
            .body(json!({ "phone": PHONE }).to_string())
            .send()
    };

    // Twenty at once, split across both: one code is sent, the rest wait their 60 seconds.
    let answers = join_all((0..20).map(|i| ask(if i % 2 == 0 { &a } else { &b }))).await;
    let statuses: Vec<StatusCode> = answers.into_iter().map(|r| r.unwrap().status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::ACCEPTED).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::ACCEPTED || *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");

    // The daily cap counts the codes sent by either.
    for n in 1..10 {
        a.clock.advance(61);
        b.clock.advance(61);
        let server = if n % 2 == 0 { &a } else { &b };
        assert_eq!(ask(server).await.unwrap().status(), StatusCode::ACCEPTED, "code {}", n + 1);
    }
    a.clock.advance(61);
    b.clock.advance(61);
    let refused = ask(&a).await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(json(refused).await["code"], "daily_limit");
}
