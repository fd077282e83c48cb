//! Encryption at rest for sensitive personal information (ID numbers, ID photos):
//! AES-256-GCM under a key derived from the server's secret key, a random nonce per value.

use aes_gcm::{
    aead::{Aead, KeyInit, Payload},
    Aes256Gcm, Nonce,
};
use rand::RngCore;

use crate::{error::AppError, secrets::Secrets};

/// `bytes` random bytes from the OS, in hex: names and ids nobody can guess.
pub fn random_hex(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Clone)]
pub struct Vault {
    cipher: Aes256Gcm,
}

impl Vault {
    pub fn new(secrets: &Secrets) -> Vault {
        let key = secrets.mac("aes-256-gcm at rest", &[]);
        Vault { cipher: Aes256Gcm::new_from_slice(&key).expect("a 32-byte key") }
    }

    /// `nonce || ciphertext`; `context` (e.g. `user:7:portrait`) is bound in, so that a value
    /// copied into another row does not decrypt.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad: context.as_bytes() })
            .expect("AES-GCM encrypts any length we store");
        [nonce.as_slice(), &sealed].concat()
    }

    pub fn open(&self, sealed: &[u8], context: &str) -> Result<Vec<u8>, AppError> {
        if sealed.len() < 12 {
            return Err(AppError::Internal("a sealed value is too short".into()));
        }
        let (nonce, ciphertext) = sealed.split_at(12);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: context.as_bytes() })
            .map_err(|_| AppError::Internal(format!("a sealed value for {context} does not decrypt")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> Vault {
        let dir = tempfile::tempdir().unwrap();
        Vault::new(&Secrets::load(&dir.path().join("k"), true).unwrap())
    }

    #[test]
    fn sealed_values_open_in_their_context_only() {
        let vault = vault();
        let sealed = vault.seal(b"150102198506151234", "user:1:id");
        assert!(!sealed.windows(18).any(|w| w == b"150102198506151234"));
        assert_eq!(vault.open(&sealed, "user:1:id").unwrap(), b"150102198506151234");
        assert!(vault.open(&sealed, "user:2:id").is_err());
        assert_ne!(sealed, vault.seal(b"150102198506151234", "user:1:id"), "a fresh nonce each time");
    }
}
