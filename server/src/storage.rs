//! Where the photos are kept: one object store for every stored file — the local folder
//! (`upload_dir`) by default, an S3-compatible bucket when `storage` names one — so that the
//! handlers, the sweep and the tests go through one code path. An object is there whole or not
//! at all: the local store writes a temporary file (`name#1`) and renames it, an S3 PUT is
//! atomic. A store that cannot be written answers 507 (full) or 503 (unreachable), never the
//! driver's fault, and `/health` says `degraded` with the reason.

use std::{
    path::{Path as FsPath, PathBuf},
    sync::Arc,
    time::{Duration, Instant, SystemTime},
};

use axum::http::StatusCode;
use futures::{stream::BoxStream, StreamExt, TryStreamExt};
use object_store::{
    aws::AmazonS3Builder, local::LocalFileSystem, path::Path, prefix::PrefixStore, BackoffConfig, ClientOptions,
    ObjectStore, PutPayload, RetryConfig,
};
use taxicert_api::ErrorBody;
use tokio::sync::Mutex;

use crate::{
    crypto::random_hex,
    error::{AppError, AppResult},
    Config,
};

/// How long a probe's result stands: `/health` is asked every few seconds by load balancers,
/// and each probe writes to the store.
const PROBE_TTL: Duration = Duration::from_secs(5);

/// The store of the photos, shared by every request.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// The local folder, where a crash mid-write leaves a temporary file that the store's
    /// listing does not show; `None` for S3, where a PUT leaves nothing half-written.
    unfinished_in: Option<PathBuf>,
    /// The last probe: when, and what was wrong. A failed request sets it too.
    probed: Arc<Mutex<Option<(Instant, Option<Fault>)>>>,
}

/// Why the store cannot be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// No space left, or the quota is reached.
    Full,
    /// Unreachable, refusing, or failing otherwise.
    Unavailable,
}

impl Fault {
    /// What `/health` says in `storage`.
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::Full => "full",
            Fault::Unavailable => "unavailable",
        }
    }

    /// What `/health` says in `reason`, for the operator.
    pub fn reason(self) -> &'static str {
        match self {
            Fault::Full => "the photo store has no space left (disk full or quota reached): uploads are refused with 507",
            Fault::Unavailable => "the photo store cannot be written (unreachable or refusing): uploads are refused with 503",
        }
    }

    /// A full disk, by the I/O error somewhere under `error`; anything else, unavailable.
    fn of(error: &object_store::Error) -> Fault {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(e) = source {
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                if matches!(io.kind(), std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded) {
                    return Fault::Full;
                }
            }
            source = e.source();
        }
        Fault::Unavailable
    }

    /// The answer to the driver: our problem, not his photo's, and not worth retrying at once.
    fn answer(self, saving: bool) -> AppError {
        let (status, code, retry_after) = match self {
            Fault::Full => (StatusCode::INSUFFICIENT_STORAGE, "storage_full", 300),
            Fault::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", 120),
        };
        let message = if saving {
            "服务暂时无法保存照片，这是我们这边的问题，不是您的照片有问题。请过几分钟再试。"
        } else {
            "服务暂时无法读取照片，这是我们这边的问题，不是您的照片有问题。请过几分钟再试。"
        };
        let mut body = ErrorBody::new(code, message);
        body.retry_after_seconds = Some(retry_after);
        AppError::Client { status, body }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot use the upload directory: {0}")]
    UploadDir(std::io::Error),
    #[error("cannot set up the object store (storage, storage_endpoint, storage_region, storage_access_key_id, storage_secret_access_key): {0}")]
    Store(#[from] object_store::Error),
}

impl Storage {
    /// The store the configuration names: the S3 bucket of `storage`, else `upload_dir`.
    pub fn open(config: &Config) -> Result<Storage, StorageError> {
        let Some(location) = &config.storage else {
            prepare_dir(&config.upload_dir, &config.dist).map_err(StorageError::UploadDir)?;
            let local = LocalFileSystem::new_with_prefix(&config.upload_dir)?;
            return Ok(Storage::new(Arc::new(local), Some(config.upload_dir.clone())));
        };
        let mut s3 = AmazonS3Builder::from_env()
            .with_bucket_name(&location.bucket)
            .with_region(config.storage_region.as_deref().unwrap_or("us-east-1"))
            // A few quick tries, then the driver is told to come back later: a phone waiting
            // minutes on a dead store helps no one.
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: 2,
                retry_timeout: Duration::from_secs(10),
            })
            .with_client_options(
                ClientOptions::new()
                    .with_connect_timeout(Duration::from_secs(3))
                    .with_timeout(Duration::from_secs(30))
                    .with_allow_http(config.storage_endpoint.as_deref().is_some_and(|e| e.starts_with("http://"))),
            );
        if let Some(endpoint) = &config.storage_endpoint {
            s3 = s3.with_endpoint(endpoint);
        }
        if let Some(id) = &config.storage_access_key_id {
            s3 = s3.with_access_key_id(id);
        }
        if let Some(secret) = &config.storage_secret_access_key {
            s3 = s3.with_secret_access_key(secret);
        }
        let s3 = s3.build()?;
        let store: Arc<dyn ObjectStore> =
            if location.prefix.is_empty() { Arc::new(s3) } else { Arc::new(PrefixStore::new(s3, location.prefix.as_str())) };
        Ok(Storage::new(store, None))
    }

    /// Any store; `unfinished_in` is the local folder whose crash leftovers the sweep removes.
    pub fn new(store: Arc<dyn ObjectStore>, unfinished_in: Option<PathBuf>) -> Storage {
        Storage { store, unfinished_in, probed: Arc::default() }
    }

    /// Stores `bytes` under `name`, whole or not at all.
    pub async fn put(&self, name: &str, bytes: Vec<u8>) -> AppResult<()> {
        self.store.put(&Path::from(name), PutPayload::from(bytes)).await.map(drop).map_err(|e| self.failed(e, true))
    }

    /// The object stored under `name`. Missing, it is the server's inconsistency: 500.
    pub async fn get(&self, name: &str) -> AppResult<Vec<u8>> {
        let read = async { self.store.get(&Path::from(name)).await?.bytes().await };
        match read.await {
            Ok(bytes) => Ok(bytes.to_vec()),
            Err(object_store::Error::NotFound { .. }) => Err(AppError::Internal(format!("stored object {name} is missing"))),
            Err(e) => Err(self.failed(e, false)),
        }
    }

    /// Deletes `name`; one already gone is no error. A failure is logged and returned, and
    /// the sweep removes the object later (no row names it any more).
    pub async fn delete(&self, name: &str) -> AppResult<()> {
        match self.store.delete(&Path::from(name)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.failed(e, true)),
        }
    }

    /// Every object: its name and when it was written (Unix seconds, the store's clock).
    pub fn objects(&self) -> BoxStream<'static, AppResult<(String, i64)>> {
        let this = self.clone();
        self.store
            .list(None)
            .map_ok(|meta| (meta.location.to_string(), meta.last_modified.timestamp()))
            .map_err(move |e| this.failed(e, false))
            .boxed()
    }

    /// Removes the local store's files that a crash left unfinished and that were last written
    /// before `before`: the store's own temporary files (`name#1`) and the `.partial` files of
    /// earlier versions. Returns how many.
    pub async fn remove_unfinished(&self, before: SystemTime) -> usize {
        let Some(dir) = self.unfinished_in.clone() else {
            return 0;
        };
        let removed = tokio::task::spawn_blocking(move || {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                return 0;
            };
            let mut removed = 0;
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let stale = entry.metadata().and_then(|m| m.modified()).is_ok_and(|at| at < before);
                if is_unfinished(&name) && stale && std::fs::remove_file(entry.path()).is_ok() {
                    removed += 1;
                }
            }
            removed
        });
        removed.await.unwrap_or(0)
    }

    /// Whether the store can be written now: a small object written and deleted, at most
    /// every few seconds (else the last result). `None`: it can.
    pub async fn probe(&self) -> Option<Fault> {
        let mut probed = self.probed.lock().await;
        if let Some((at, fault)) = *probed {
            if at.elapsed() < PROBE_TTL {
                return fault;
            }
        }
        let name = Path::from(format!("probe-{}", random_hex(8)));
        let written = async {
            self.store.put(&name, PutPayload::from_static(b"probe")).await?;
            self.store.delete(&name).await
        };
        let fault = written.await.err().map(|e| {
            tracing::warn!(error = %e, "the photo store cannot be written");
            Fault::of(&e)
        });
        *probed = Some((Instant::now(), fault));
        fault
    }

    /// Logs a store error, remembers it for `/health`, and turns it into the answer.
    fn failed(&self, error: object_store::Error, saving: bool) -> AppError {
        let fault = Fault::of(&error);
        tracing::error!(error = %error, fault = fault.as_str(), "the photo store failed");
        // A probe running right now will say so itself.
        if let Ok(mut probed) = self.probed.try_lock() {
            *probed = Some((Instant::now(), Some(fault)));
        }
        fault.answer(saving)
    }
}

/// A file a crash can leave in the local folder: the store's temporary `name#N`, or an
/// earlier version's `name.partial`.
fn is_unfinished(name: &str) -> bool {
    name.ends_with(".partial")
        || name.rsplit_once('#').is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Creates the upload directory, and refuses one inside the served `dist` folder.
fn prepare_dir(upload_dir: &FsPath, dist: &FsPath) -> std::io::Result<()> {
    std::fs::create_dir_all(upload_dir)?;
    if let (Ok(uploads), Ok(dist)) = (upload_dir.canonicalize(), dist.canonicalize()) {
        if uploads.starts_with(&dist) {
            return Err(std::io::Error::other(format!(
                "upload_dir {} lies inside dist {}: photos would be served to anyone",
                uploads.display(),
                dist.display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crash_leftovers_are_told_from_photos() {
        assert!(is_unfinished("0123abcd#1"));
        assert!(is_unfinished("0123abcd#12"));
        assert!(is_unfinished("0123abcd.partial"));
        assert!(!is_unfinished("0123abcd"));
        assert!(!is_unfinished("0123abcd#"));
        assert!(!is_unfinished("0123abcd#x1"));
    }

    #[test]
    fn a_full_disk_is_told_from_other_failures() {
        let full = object_store::Error::Generic {
            store: "LocalFileSystem",
            source: Box::new(std::io::Error::from(std::io::ErrorKind::StorageFull)),
        };
        assert_eq!(Fault::of(&full), Fault::Full);
        let enospc = object_store::Error::Generic { store: "LocalFileSystem", source: Box::new(std::io::Error::from_raw_os_error(28)) };
        assert_eq!(Fault::of(&enospc), Fault::Full);
        let refused = object_store::Error::Generic {
            store: "S3",
            source: Box::new(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        };
        assert_eq!(Fault::of(&refused), Fault::Unavailable);
    }
}
