//! The PostgreSQL the tests run against when `TAXICERT_TEST_BACKEND=postgres`: Debian's
//! `postgresql`, one cluster per test binary in a temporary folder on a free port, and a fresh
//! database per test. PostgreSQL refuses to run as root, so as root (CI) its commands run as the
//! `postgres` user. A watchdog stops the cluster and removes its folder once this process ends,
//! however it ends.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{
        atomic::{AtomicU32, Ordering},
        Mutex, OnceLock,
    },
};

/// Which database the tests' servers use: `TAXICERT_TEST_BACKEND` = `sqlite` (default) or `postgres`.
pub fn wanted() -> bool {
    match std::env::var("TAXICERT_TEST_BACKEND").as_deref() {
        Ok("postgres") => true,
        Ok("sqlite") | Err(_) => false,
        Ok(other) => panic!("TAXICERT_TEST_BACKEND={other}: expected sqlite or postgres"),
    }
}

struct Cluster {
    port: u16,
}

/// The database of the server whose data is in `dir`: made on first use, and the same again
/// when a test restarts the server on that folder. It is dropped once `dir` is gone (the test
/// ended): a database per test kept to the end filled CI's temporary disk (~8 MB each).
pub fn database_for(dir: &Path) -> String {
    let marker = dir.join("postgres-url");
    if let Ok(url) = std::fs::read_to_string(&marker) {
        return url;
    }
    let (name, url) = create_database();
    std::fs::write(&marker, &url).unwrap();
    live().lock().unwrap().push((name, marker));
    url
}

/// A new, empty database on the cluster (started on first use): its URL. The server migrates
/// it. It lives as long as the cluster: for a test that restores a backup into it.
pub fn fresh_database() -> String {
    create_database().1
}

/// The databases of `database_for` and the marker file whose removal ends each one.
fn live() -> &'static Mutex<Vec<(String, PathBuf)>> {
    static LIVE: Mutex<Vec<(String, PathBuf)>> = Mutex::new(Vec::new());
    &LIVE
}

fn create_database() -> (String, String) {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let cluster = cluster();
    let name = format!("t{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    // The databases of finished tests go first, each with the connections its server's pool
    // may still hold (FORCE, PostgreSQL 13+).
    let mut sql: Vec<String> = {
        let mut live = live().lock().unwrap();
        let (gone, kept) = std::mem::take(&mut *live).into_iter().partition(|(_, marker): &(String, PathBuf)| !marker.exists());
        *live = kept;
        gone.into_iter().map(|(old, _)| format!("DROP DATABASE IF EXISTS {old} WITH (FORCE)")).collect()
    };
    sql.push(format!("CREATE DATABASE {name}"));
    let mut psql = Command::new("psql");
    psql.args(["-h", "127.0.0.1", "-p", &cluster.port.to_string(), "-U", "postgres", "-d", "postgres", "-q", "-v", "ON_ERROR_STOP=1"]);
    for statement in &sql {
        psql.arg("-c").arg(statement);
    }
    let status = psql.status().expect("psql runs (Debian's postgresql-client)");
    assert!(status.success(), "{sql:?}");
    let url = format!("postgres://postgres@127.0.0.1:{}/{name}", cluster.port);
    (name, url)
}

fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(start)
}

/// The newest PostgreSQL's programs (`initdb`, `pg_ctl`, `pg_dump`, `pg_restore`).
pub fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("Debian's postgresql package (make setup-test installs it)")
        .filter_map(|e| Some(e.ok()?.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect("initdb under /usr/lib/postgresql/*/bin")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// `program args…`, as the `postgres` user when we are root.
fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn start() -> Cluster {
    let bin = bin_dir();
    let dir = std::env::temp_dir().join(format!("taxicert-pg-{}", std::process::id()));
    let data = dir.join("data");
    std::fs::create_dir_all(&dir).unwrap();
    if is_root() {
        assert!(Command::new("chown").args(["postgres:postgres"]).arg(&dir).status().unwrap().success());
    }
    let initdb = as_postgres(&bin.join("initdb"))
        .args(["-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync", "-D"])
        .arg(&data)
        .output()
        .expect("initdb runs");
    assert!(initdb.status.success(), "initdb: {}", String::from_utf8_lossy(&initdb.stderr));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    // Durability off: a test's database is thrown away. Enough connections for every test's pool.
    // A small WAL: each CREATE DATABASE logs its ~8 MB template, and the default lets 1 GB pile up.
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=500 -c max_wal_size=96MB -c min_wal_size=32MB",
        dir.display()
    );
    let started = as_postgres(&bin.join("pg_ctl"))
        .arg("-D")
        .arg(&data)
        .args(["-o", &options, "-l"])
        .arg(dir.join("log"))
        .args(["-w", "start"])
        .output()
        .expect("pg_ctl runs");
    assert!(
        started.status.success(),
        "pg_ctl start: {}{}",
        String::from_utf8_lossy(&started.stderr),
        std::fs::read_to_string(dir.join("log")).unwrap_or_default()
    );
    let stop = format!(
        "{} {}/pg_ctl -D {} -m immediate stop",
        if is_root() { "runuser -u postgres --" } else { "" },
        bin.display(),
        data.display()
    );
    Command::new("setsid")
        .args(["sh", "-c"])
        .arg(format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            dir = dir.display()
        ))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the watchdog starts");
    Cluster { port }
}
