//! The key read-model snapshots are sealed with, derived from the
//! [`KeyEncryptionKey`]: a snapshot holds the registry's names and SNILS in
//! clear once opened, so at rest it is as closed as the log's personal data,
//! and a stolen data directory without the key file opens neither.
//!
//! Derived, not stored: SHA-256 of a label and the key-encryption key, so the
//! key file stays the one secret. A snapshot that predates an erasure is
//! deleted, not re-keyed (`projections::snapshot`).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

use crate::vault::KeyEncryptionKey;

/// Bytes of a nonce of [`SnapshotKey::seal`].
pub const SNAPSHOT_NONCE_LEN: usize = 24;

/// What the derivation hashes before the key-encryption key: this key opens
/// nothing the vault seals, and the vault's keys open no snapshot.
const LABEL: &[u8] = b"reestr read-model snapshot key v1\0";

/// The sealing key of read-model snapshots (XChaCha20-Poly1305).
#[derive(Clone)]
pub struct SnapshotKey {
    cipher: XChaCha20Poly1305,
}

impl SnapshotKey {
    /// The snapshot key belonging to `kek`.
    pub fn derive(kek: &KeyEncryptionKey) -> SnapshotKey {
        let mut hash = Sha256::new();
        hash.update(LABEL);
        hash.update(kek.as_bytes());
        let bytes: [u8; 32] = hash.finalize().into();
        SnapshotKey {
            cipher: XChaCha20Poly1305::new(&chacha20poly1305::Key::from(bytes)),
        }
    }

    /// `plaintext` sealed under `nonce` (never used twice with this key) and
    /// bound to `aad`: ciphertext and a 16-byte tag.
    pub fn seal(&self, nonce: &[u8; SNAPSHOT_NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let payload = Payload {
            msg: plaintext,
            aad,
        };
        // Encryption into a Vec fails only on buffer exhaustion, which Vec does not have.
        self.cipher
            .encrypt(&XNonce::from(*nonce), payload)
            .unwrap_or_default()
    }

    /// What [`SnapshotKey::seal`] sealed under `nonce` and `aad`; `None` when
    /// `sealed` is not that (another key, other associated data, changed bytes).
    pub fn open(
        &self,
        nonce: &[u8; SNAPSHOT_NONCE_LEN],
        aad: &[u8],
        sealed: &[u8],
    ) -> Option<Vec<u8>> {
        let payload = Payload { msg: sealed, aad };
        self.cipher.decrypt(&XNonce::from(*nonce), payload).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_opens_only_with_its_key_nonce_and_associated_data() {
        let kek = KeyEncryptionKey::generate();
        let key = SnapshotKey::derive(&kek);
        let nonce = [7; SNAPSHOT_NONCE_LEN];
        let sealed = key.seal(&nonce, b"section 0", b"Ivanova");
        assert!(!sealed.windows(7).any(|w| w == b"Ivanova"));
        assert_eq!(key.open(&nonce, b"section 0", &sealed).unwrap(), b"Ivanova");
        assert!(key.open(&nonce, b"section 1", &sealed).is_none());
        assert!(
            key.open(&[8; SNAPSHOT_NONCE_LEN], b"section 0", &sealed)
                .is_none()
        );
        let other = SnapshotKey::derive(&KeyEncryptionKey::generate());
        assert!(other.open(&nonce, b"section 0", &sealed).is_none());
        // The same key file derives the same key: a snapshot outlives the process.
        let again = SnapshotKey::derive(&KeyEncryptionKey::from_bytes(*kek.as_bytes()));
        assert_eq!(
            again.open(&nonce, b"section 0", &sealed).unwrap(),
            b"Ivanova"
        );
    }
}
