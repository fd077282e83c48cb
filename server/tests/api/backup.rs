//! Backup and restore as the README tells the operator: SQLite copied while the server runs
//! (`taxicert-server backup FILE`), PostgreSQL with `pg_dump` and `pg_restore`; a server started
//! on the restored copy (with the same key and photos) has every case and session.

use std::process::Command;

use reqwest::StatusCode;
use taxicert_server::db::Database;

use crate::common::{
    self,
    flows::{submit_case, with_driver},
    json, spawn_config, test_config,
};

/// Runs `command`, failing the test with its output unless it succeeds: its standard output.
fn run(command: &mut Command) -> String {
    let out = command.output().expect("the command runs");
    assert!(out.status.success(), "{command:?}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn server_command(database: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_taxicert-server"));
    command.env_remove("TAXICERT_CONFIG").env("TAXICERT_DATABASE", database);
    command
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_every_case_and_session() {
    let (server, cookie) = with_driver().await;
    let case = submit_case(&server, &cookie, "reissue").await;
    let backups = tempfile::tempdir().unwrap();

    let restored = match &server.database {
        Database::Sqlite(_) => {
            let copy = backups.path().join("taxicert-2026-11-24.sqlite3");
            let said = run(server_command(&server.database.setting()).arg("backup").arg(&copy));
            assert!(said.contains("已备份到"), "{said}");
            // A backup never overwrites a file: the operator's older copy is safe.
            let again = server_command(&server.database.setting()).arg("backup").arg(&copy).output().unwrap();
            assert!(!again.status.success());
            assert!(String::from_utf8_lossy(&again.stderr).contains("已存在"), "{again:?}");
            Database::Sqlite(copy)
        }
        Database::Postgres(url) => {
            let bin = common::postgres::bin_dir();
            let dump = backups.path().join("taxicert.dump");
            run(Command::new(bin.join("pg_dump")).args(["--format=custom", "--file"]).arg(&dump).arg(url));
            // PostgreSQL's backups are pg_dump's: the command says so rather than half-doing it.
            let refused = server_command(url).arg("backup").arg(backups.path().join("x")).output().unwrap();
            assert!(String::from_utf8_lossy(&refused.stderr).contains("pg_dump"), "{refused:?}");
            let target = common::postgres::fresh_database();
            run(Command::new(bin.join("pg_restore")).args(["--no-owner", "--exit-on-error", "--dbname"]).arg(&target).arg(&dump));
            Database::Postgres(target)
        }
    };

    // What happens after the backup is lost with the old database.
    let later = submit_case(&server, &cookie, "change").await;
    let dir = server.stop().await;
    let mut config = test_config(&dir, "/");
    config.database = restored;
    let server = spawn_config(dir, config).await;
    let listed = json(server.get_as("/api/v1/cases", &cookie).await).await;
    let ids: Vec<&str> = listed.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [case["id"].as_str().unwrap()], "the case made before the backup, and not the later {}", later["id"]);
    let detail = server.get_as(&format!("/api/v1/cases/{}", ids[0]), &cookie).await;
    assert_eq!(detail.status(), StatusCode::OK, "its sealed answers open with the same key");
}
