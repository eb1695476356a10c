//! Crypto-shredding: personal data is sealed with its stream's own key.
//!
//! XChaCha20-Poly1305 with a random 24-byte nonce per event (random nonces are safe
//! at this nonce size) and the event id as associated data, so a sealed blob cannot
//! be moved to another event. Deleting a stream's key makes its personal data
//! unreadable for good while every other field of the log stays.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use uuid::Uuid;

/// Bytes of a vault key.
pub const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// A stream's personal-data key.
#[derive(Clone)]
pub struct VaultKey([u8; KEY_LEN]);

impl VaultKey {
    /// A fresh random key.
    pub fn generate() -> VaultKey {
        let mut key = [0; KEY_LEN];
        rand::rng().fill_bytes(&mut key);
        VaultKey(key)
    }

    /// The key stored as `bytes`; `None` when they are not a key.
    pub fn from_bytes(bytes: &[u8]) -> Option<VaultKey> {
        bytes.try_into().ok().map(VaultKey)
    }

    /// The raw key, for storing.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Seals `plaintext` for the event `event_id`: nonce followed by ciphertext.
    pub fn seal(&self, event_id: Uuid, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let cipher = XChaCha20Poly1305::new(&chacha20poly1305::Key::from(self.0));
        let payload = Payload {
            msg: plaintext,
            aad: event_id.as_bytes(),
        };
        // Encryption into a Vec fails only on buffer exhaustion, which Vec does not have.
        let sealed = cipher
            .encrypt(&XNonce::from(nonce), payload)
            .unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens what [`VaultKey::seal`] sealed for `event_id`; `None` if it was not.
    pub fn open(&self, event_id: Uuid, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        let cipher = XChaCha20Poly1305::new(&chacha20poly1305::Key::from(self.0));
        let payload = Payload {
            msg: ciphertext,
            aad: event_id.as_bytes(),
        };
        cipher.decrypt(&XNonce::from(nonce), payload).ok()
    }
}

impl std::fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VaultKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_only_with_its_key_and_event() {
        let key = VaultKey::generate();
        let event = Uuid::new_v4();
        let sealed = key.seal(event, b"{\"last_name\":\"Ivanova\"}");
        assert!(!sealed.windows(7).any(|w| w == b"Ivanova"));
        assert_eq!(
            key.open(event, &sealed).as_deref(),
            Some(&b"{\"last_name\":\"Ivanova\"}"[..])
        );
        assert_eq!(key.open(Uuid::new_v4(), &sealed), None);
        assert_eq!(VaultKey::generate().open(event, &sealed), None);
        assert_eq!(key.open(event, &sealed[..10]), None);
    }
}
