//! A real S3-compatible server for the object-store tests: moto's server mode, from the
//! virtualenv `make setup-test` makes (`target/venv`, `server/tests/requirements.txt`). One
//! server per test binary, started at first use and stopped when the binary exits; each test
//! makes its own bucket. Without the virtualenv the S3 tests say so and pass.

use std::{
    net::TcpStream,
    path::PathBuf,
    process::{Child, ChildStdin, Command, Stdio},
    sync::OnceLock,
    time::{Duration, Instant},
};

use taxicert_server::{config::S3Location, Config};

/// The access key moto takes (it checks none).
const KEY: &str = "test";

fn moto_server() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/venv/bin/moto_server"))
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits until something accepts connections on `port`.
fn wait_for(port: u16) {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(60), "moto did not start on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The virtualenv's moto, or `None` with a message saying how to get it.
fn installed(test: &str) -> Option<PathBuf> {
    let path = moto_server();
    if path.exists() {
        Some(path)
    } else {
        eprintln!("{test}: skipped: no S3 test server; `make setup-test` installs it ({} is missing)", path.display());
        None
    }
}

/// The shared server's endpoint. Its shell reads standard input until the test binary exits
/// (the pipe closes, however the binary ends), then stops moto.
fn shared(test: &str) -> Option<&'static str> {
    static SHARED: OnceLock<Option<(String, ChildStdin)>> = OnceLock::new();
    let server = SHARED.get_or_init(|| {
        let moto = installed(test)?;
        let port = free_port();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#""$0" -H 127.0.0.1 -p "$1" >/dev/null 2>&1 & moto=$!; cat >/dev/null; kill $moto"#)
            .arg(moto)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .spawn()
            .expect("moto starts");
        wait_for(port);
        Some((format!("http://127.0.0.1:{port}"), child.stdin.take().unwrap()))
    });
    server.as_ref().map(|(endpoint, _)| endpoint.as_str())
}

/// A bucket made for one test, with a plain PUT: moto checks no signature.
async fn new_bucket(endpoint: &str) -> String {
    let bucket = format!("taxicert-{}-{}", std::process::id(), super::flows::next_number());
    let made = reqwest::Client::new().put(format!("{endpoint}/{bucket}")).send().await.unwrap();
    assert!(made.status().is_success(), "moto made no bucket {bucket}: {}", made.status());
    bucket
}

/// `config` set to keep its photos under a prefix of a fresh bucket of the shared moto, or
/// `None` (with a message) without the virtualenv.
pub async fn s3_config(test: &str, config: &mut Config) -> Option<()> {
    let endpoint = shared(test)?;
    point_at(config, endpoint).await;
    Some(())
}

async fn point_at(config: &mut Config, endpoint: &str) {
    config.storage = Some(S3Location { bucket: new_bucket(endpoint).await, prefix: "photos".into() });
    config.storage_endpoint = Some(endpoint.into());
    config.storage_access_key_id = Some(KEY.into());
    config.storage_secret_access_key = Some(KEY.into());
}

/// A moto of one test's own, to be stopped by it.
pub struct OwnMoto {
    child: Child,
}

impl OwnMoto {
    /// Started, with `config` set to a fresh bucket of it; `None` without the virtualenv.
    pub async fn start(test: &str, config: &mut Config) -> Option<OwnMoto> {
        let moto = installed(test)?;
        let port = free_port();
        let child = Command::new(moto)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto starts");
        let own = OwnMoto { child };
        wait_for(port);
        point_at(config, &format!("http://127.0.0.1:{port}")).await;
        Some(own)
    }

    /// Stops it as a crash would.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnMoto {
    fn drop(&mut self) {
        self.stop();
    }
}

