//! The server's secret key: 32 random bytes in a file. SMS codes are stored as HMACs under
//! keys derived from it. In dev mode a missing file is created; elsewhere a missing key stops
//! the start, since codes hashed under a forgotten key could never be checked.

use std::path::Path;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

#[derive(Clone)]
pub struct Secrets {
    key: [u8; 32],
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("the key file {0} is missing: create it with 32 random bytes (e.g. `head -c 32 /dev/urandom > {0}`), or run in dev mode")]
    Missing(String),
    #[error("the key file {0} must hold exactly 32 bytes")]
    WrongLength(String),
    #[error("cannot use the key file {0}: {1}")]
    Io(String, std::io::Error),
}

impl Secrets {
    pub fn load(path: &Path, create_if_missing: bool) -> Result<Secrets, SecretsError> {
        let shown = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => {
                let key: [u8; 32] = bytes.try_into().map_err(|_| SecretsError::WrongLength(shown))?;
                Ok(Secrets { key })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create_if_missing => {
                let mut key = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|e| SecretsError::Io(shown.clone(), e))?;
                }
                write_private(path, &key).map_err(|e| SecretsError::Io(shown, e))?;
                tracing::warn!(path = %path.display(), "generated a new secret key (dev mode)");
                Ok(Secrets { key })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(SecretsError::Missing(shown)),
            Err(e) => Err(SecretsError::Io(shown, e)),
        }
    }

    /// HMAC-SHA256 under a key derived for `purpose`, so that one use never helps another.
    pub fn mac(&self, purpose: &str, parts: &[&[u8]]) -> Vec<u8> {
        let mut derive = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        derive.update(purpose.as_bytes());
        let subkey = derive.finalize().into_bytes();
        let mut mac = Hmac::<Sha256>::new_from_slice(&subkey).expect("any key length");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().to_vec()
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dev_key_is_created_once_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/taxicert.key");
        let first = Secrets::load(&path, true).unwrap();
        let again = Secrets::load(&path, true).unwrap();
        assert_eq!(first.mac("x", &[b"1"]), again.mac("x", &[b"1"]));
        assert_ne!(first.mac("x", &[b"1"]), first.mac("y", &[b"1"]), "purposes are separated");
        assert_ne!(first.mac("x", &[b"1", b"2"]), first.mac("x", &[b"12"]), "parts are delimited");
    }

    #[test]
    fn outside_dev_mode_a_missing_key_stops_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let err = Secrets::load(&dir.path().join("none.key"), false).err().unwrap();
        assert!(matches!(err, SecretsError::Missing(_)), "{err}");
        std::fs::write(dir.path().join("short.key"), b"short").unwrap();
        let err = Secrets::load(&dir.path().join("short.key"), false).err().unwrap();
        assert!(matches!(err, SecretsError::WrongLength(_)), "{err}");
    }
}
