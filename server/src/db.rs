//! The database: the embedded SQLite file (the default of `make run`) or PostgreSQL (several
//! replicas on one database), chosen by the configured URL, opened at start-up, migrated, pooled.
//!
//! Every query is written once, for both, through sqlx's `Any` driver: `$1`-style placeholders
//! (SQLite reads them too), integers for yes/no columns ([`Flag`] reads either answer), and
//! [`begin_write`] where SQLite's `BEGIN IMMEDIATE` serialises writers.

use std::{
    fmt,
    path::{Path, PathBuf},
    time::Duration,
};

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions, AnyTypeInfo, AnyTypeInfoKind, AnyValueRef},
    error::BoxDynError,
    migrate::Migrator,
    Any, AnyPool, Decode, Executor, Transaction, ValueRef,
};

/// The pool every handler shares.
pub type Pool = AnyPool;
/// One connection or transaction, for functions that must run inside the caller's.
pub type Conn = sqlx::AnyConnection;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Where the data lives: `database` in the configuration (`TAXICERT_DATABASE`).
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (a path, or `sqlite://path`); its folder is created when missing.
    Sqlite(PathBuf),
    /// A PostgreSQL URL, `postgres://user:password@host:port/name` (or `postgresql://`).
    Postgres(String),
}

impl Database {
    /// Any text is a place: a `postgres://` or `postgresql://` URL, else a SQLite file.
    pub fn parse(text: &str) -> Database {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Database::Postgres(text.to_owned())
        } else {
            Database::Sqlite(PathBuf::from(text.strip_prefix("sqlite://").unwrap_or(text)))
        }
    }

    /// The setting as written (`TAXICERT_DATABASE`): the file's path or the URL, password included.
    pub fn setting(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres(url) => url.clone(),
        }
    }

    /// The SQLite file, if that is where the data lives.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Database::Sqlite(path) => Some(path),
            Database::Postgres(_) => None,
        }
    }
}

/// For logs and messages: a PostgreSQL URL without its password.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => match url::Url::parse(url) {
                Ok(mut parsed) => {
                    if parsed.password().is_some() {
                        let _ = parsed.set_password(Some("***"));
                    }
                    write!(f, "{parsed}")
                }
                Err(_) => f.write_str("postgres://（无法解析的地址）"),
            },
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Database({self})")
    }
}

/// Opens the database, creating a missing SQLite file, and runs the migrations of its kind.
pub async fn open(database: &Database) -> Result<Pool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    match database {
        Database::Sqlite(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
            }
            let absolute = std::path::absolute(path).map_err(sqlx::Error::Io)?;
            let mut url = url::Url::from_file_path(&absolute)
                .map_err(|()| sqlx::Error::Configuration(format!("not a file path: {}", path.display()).into()))?;
            url.set_query(Some("mode=rwc"));
            let url = url.as_str().replacen("file://", "sqlite://", 1);
            let pool = sqlite_pool(8).connect_with(url.parse::<AnyConnectOptions>()?).await?;
            SQLITE_MIGRATIONS.run(&pool).await?;
            Ok(pool)
        }
        Database::Postgres(url) => {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            POSTGRES_MIGRATIONS.run(&pool).await?;
            Ok(pool)
        }
    }
}

/// SQLite's settings are per connection: foreign keys on, waiting for a writer instead of failing
/// at once, and the write-ahead log (kept in the file) with `NORMAL` syncing, which WAL makes safe.
fn sqlite_pool(max_connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new().max_connections(max_connections).after_connect(|conn, _| {
        Box::pin(async move {
            conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
                .await?;
            Ok(())
        })
    })
}

/// A private in-memory database with every migration run: the catalogue (the materials and
/// their photo rules) without a file, for commands that only read it, like `photo-check`.
pub async fn open_memory() -> Result<Pool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    // One connection that never closes: each in-memory connection is a database of its own.
    let pool = sqlite_pool(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect("sqlite::memory:")
        .await?;
    SQLITE_MIGRATIONS.run(&pool).await?;
    Ok(pool)
}

/// Whether `pool` is a PostgreSQL one.
pub fn is_postgres(pool: &Pool) -> bool {
    pool.connect_options().database_url.scheme().starts_with("postgres")
}

/// The advisory lock that [`begin_write`] takes on PostgreSQL: any fixed number, the same in
/// every replica.
const WRITE_LOCK: i64 = 0x7461_7869; // "taxi"

/// A transaction for a read-then-write that must not interleave with another: SQLite's
/// `BEGIN IMMEDIATE` (the write lock at once, so the reads see what the writes build on), and on
/// PostgreSQL the same one-writer-at-a-time through a transaction-scoped advisory lock, which
/// holds across replicas and is released by commit, rollback or a dropped connection.
pub async fn begin_write(pool: &Pool) -> Result<Transaction<'static, Any>, sqlx::Error> {
    if is_postgres(pool) {
        let mut tx = pool.begin().await?;
        // In `FROM`: the function returns `void`, which the Any driver cannot carry.
        sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)").bind(WRITE_LOCK).execute(&mut *tx).await?;
        Ok(tx)
    } else {
        pool.begin_with("BEGIN IMMEDIATE").await
    }
}

/// A transaction that reads and then writes, without [`begin_write`]'s one-writer-at-a-time:
/// on SQLite `BEGIN IMMEDIATE`, because a deferred transaction that read first fails at once
/// with "database is locked" when another writer came in before its first write (the busy
/// timeout does not cover that upgrade); on PostgreSQL an ordinary transaction.
pub async fn begin_writing(pool: &Pool) -> Result<Transaction<'static, Any>, sqlx::Error> {
    if is_postgres(pool) {
        pool.begin().await
    } else {
        pool.begin_with("BEGIN IMMEDIATE").await
    }
}

/// A yes/no as either database answers it: SQLite has no boolean type and answers 0 or 1 (also
/// for a comparison or `EXISTS`), PostgreSQL answers a boolean for those and the integer that
/// yes/no columns hold. Bind `i64::from(flag)` for those columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

impl sqlx::Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <bool as sqlx::Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        ty.kind() == AnyTypeInfoKind::Bool || ty.kind().is_integer()
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        if value.type_info().kind() == AnyTypeInfoKind::Bool {
            <bool as Decode<Any>>::decode(value).map(Flag)
        } else {
            <i64 as Decode<Any>>::decode(value).map(|n| Flag(n != 0))
        }
    }
}

/// Whether `e` refuses a row for the unique index `index`: PostgreSQL names the index, SQLite
/// names its columns (`table.column, …`, given as `sqlite_columns`).
pub fn violates_unique(e: &sqlx::Error, index: &str, sqlite_columns: &str) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.is_unique_violation() && (db.constraint() == Some(index) || db.message().contains(sqlite_columns))
        }
        _ => false,
    }
}
