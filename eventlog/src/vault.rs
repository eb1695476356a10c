//! Crypto-shredding: personal data is sealed with its stream's own key.
//!
//! XChaCha20-Poly1305 with a random 24-byte nonce per event (random nonces are safe
//! at this nonce size) and the event id as associated data, so a sealed blob cannot
//! be moved to another event. Deleting a stream's key makes its personal data
//! unreadable for good while every other field of the log stays.
//!
//! The vault keys themselves are stored wrapped by a [`KeyEncryptionKey`], which
//! lives outside the database (a key file, see [`crate::key_file`]): a stolen data
//! file holds ciphertext and wrapped keys, and neither opens without it.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use domain::consultation::{FILE_KEY_LEN, FileKey};
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

/// Bytes of a wrapped vault key: format byte, nonce, the key sealed, its tag.
pub const WRAPPED_KEY_LEN: usize = 1 + NONCE_LEN + KEY_LEN + 16;

/// The first byte of a wrapped key: a raw key (the format before wrapping) is
/// exactly [`KEY_LEN`] bytes, so the two never look alike.
const WRAPPED_FORMAT: u8 = 1;

/// Associated data of a wrapped key: a wrapped key cannot be moved to another stream.
const WRAP_LABEL: &[u8] = b"reestr vault key\0";

/// What [`KeyEncryptionKey::check_value`] seals, to tell the right key file from a wrong one.
const CHECK_LABEL: &[u8] = b"reestr key-encryption key check";

/// The key-encryption key: wraps each stream's [`VaultKey`] before it is stored.
#[derive(Clone)]
pub struct KeyEncryptionKey {
    bytes: [u8; KEY_LEN],
    cipher: XChaCha20Poly1305,
}

impl KeyEncryptionKey {
    /// A fresh random key.
    pub fn generate() -> KeyEncryptionKey {
        let mut bytes = [0; KEY_LEN];
        rand::rng().fill_bytes(&mut bytes);
        KeyEncryptionKey::from_bytes(bytes)
    }

    /// The key whose bytes are `bytes`.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> KeyEncryptionKey {
        KeyEncryptionKey {
            bytes,
            cipher: XChaCha20Poly1305::new(&chacha20poly1305::Key::from(bytes)),
        }
    }

    /// The raw key, for its key file.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.bytes
    }

    /// `key` wrapped for storing as `stream`'s key ([`WRAPPED_KEY_LEN`] bytes).
    pub fn wrap(&self, stream: &str, key: &VaultKey) -> Vec<u8> {
        let mut nonce = [0; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let aad = [WRAP_LABEL, stream.as_bytes()].concat();
        let payload = Payload {
            msg: &key.0,
            aad: &aad,
        };
        // Encryption into a Vec fails only on buffer exhaustion, which Vec does not have.
        let sealed = self
            .cipher
            .encrypt(&XNonce::from(nonce), payload)
            .unwrap_or_default();
        let mut out = Vec::with_capacity(WRAPPED_KEY_LEN);
        out.push(WRAPPED_FORMAT);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// The key [`KeyEncryptionKey::wrap`] wrapped for `stream`; `None` when
    /// `wrapped` is not that (another key file, another stream, or changed bytes).
    pub fn unwrap(&self, stream: &str, wrapped: &[u8]) -> Option<VaultKey> {
        let (&format, rest) = wrapped.split_first()?;
        if format != WRAPPED_FORMAT || wrapped.len() != WRAPPED_KEY_LEN {
            return None;
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        let aad = [WRAP_LABEL, stream.as_bytes()].concat();
        let payload = Payload {
            msg: ciphertext,
            aad: &aad,
        };
        let plain = self.cipher.decrypt(&XNonce::from(nonce), payload).ok()?;
        VaultKey::from_bytes(&plain)
    }

    /// Whether `stored` is a key as stored before keys were wrapped (a data
    /// file of an earlier version, migrated on open).
    pub fn is_unwrapped(stored: &[u8]) -> bool {
        stored.len() == KEY_LEN
    }

    /// A value stored beside the wrapped keys that only this key opens
    /// ([`KeyEncryptionKey::opens_check`]): a wrong key file is refused at
    /// open, not discovered key by key.
    pub fn check_value(&self) -> Vec<u8> {
        self.wrap_label(CHECK_LABEL)
    }

    /// Whether `check` is this key's [`KeyEncryptionKey::check_value`].
    pub fn opens_check(&self, check: &[u8]) -> bool {
        self.unwrap(std::str::from_utf8(CHECK_LABEL).unwrap_or_default(), check)
            .is_some_and(|key| key.0 == [0; KEY_LEN])
    }

    fn wrap_label(&self, label: &[u8]) -> Vec<u8> {
        let stream = std::str::from_utf8(label).unwrap_or_default();
        self.wrap(stream, &VaultKey([0; KEY_LEN]))
    }
}

/// The first byte of a sealed file, so another format can follow.
const FILE_FORMAT: u8 = 1;

/// Associated data of a sealed file: its ciphertext opens as nothing else.
const FILE_LABEL: &[u8] = b"reestr sealed file\0";

/// A fresh random key for one file (a consultation's attachment), which
/// the event sealing it carries: deleting that event's vault key makes the
/// file unreadable though its bytes stay in the file store.
pub fn new_file_key() -> FileKey {
    let mut key = [0; FILE_KEY_LEN];
    rand::rng().fill_bytes(&mut key);
    FileKey::from_bytes(key)
}

/// `bytes` encrypted under `key` for the file store: format byte, random
/// nonce, ciphertext and tag (XChaCha20-Poly1305, as the vault's seals).
pub fn seal_file(key: &FileKey, bytes: &[u8]) -> Vec<u8> {
    let mut nonce = [0; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    let cipher = XChaCha20Poly1305::new(&chacha20poly1305::Key::from(*key.as_bytes()));
    let payload = Payload {
        msg: bytes,
        aad: FILE_LABEL,
    };
    // Encryption into a Vec fails only on buffer exhaustion, which Vec does not have.
    let sealed = cipher
        .encrypt(&XNonce::from(nonce), payload)
        .unwrap_or_default();
    let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
    out.push(FILE_FORMAT);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

/// The bytes [`seal_file`] sealed under `key`; `None` when `sealed` is not
/// that (another key, changed or cut bytes, a file stored in clear).
pub fn open_file(key: &FileKey, sealed: &[u8]) -> Option<Vec<u8>> {
    let (&format, rest) = sealed.split_first()?;
    if format != FILE_FORMAT || rest.len() < NONCE_LEN {
        return None;
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
    let cipher = XChaCha20Poly1305::new(&chacha20poly1305::Key::from(*key.as_bytes()));
    let payload = Payload {
        msg: ciphertext,
        aad: FILE_LABEL,
    };
    cipher.decrypt(&XNonce::from(nonce), payload).ok()
}

impl std::fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyEncryptionKey(..)")
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
    fn a_sealed_file_opens_only_with_its_key_and_unchanged() {
        let key = new_file_key();
        let plain = "Справка о доходах Ивановой".as_bytes();
        let sealed = seal_file(&key, plain);
        assert!(!sealed.windows(plain.len()).any(|w| w == plain));
        assert_ne!(sealed, seal_file(&key, plain), "a fresh nonce each time");
        assert_eq!(open_file(&key, &sealed).as_deref(), Some(plain));
        assert_eq!(open_file(&new_file_key(), &sealed), None);
        for cut in [0, 1, 1 + NONCE_LEN, sealed.len() - 1] {
            assert_eq!(open_file(&key, &sealed[..cut]), None, "cut at {cut}");
        }
        let mut changed = sealed.clone();
        *changed.last_mut().unwrap() ^= 1;
        assert_eq!(open_file(&key, &changed), None);
        assert_eq!(open_file(&key, plain), None, "a file in clear is no seal");
    }

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

    #[test]
    fn a_wrapped_key_opens_only_with_its_key_file_and_stream() {
        let kek = KeyEncryptionKey::generate();
        let key = VaultKey::generate();
        let wrapped = kek.wrap("person-a", &key);
        assert_eq!(wrapped.len(), WRAPPED_KEY_LEN);
        assert!(!wrapped.windows(KEY_LEN).any(|w| w == key.as_bytes()));
        assert!(!KeyEncryptionKey::is_unwrapped(&wrapped));
        let unwrapped = kek.unwrap("person-a", &wrapped).unwrap();
        assert_eq!(unwrapped.as_bytes(), key.as_bytes());
        assert!(kek.unwrap("person-b", &wrapped).is_none());
        assert!(
            KeyEncryptionKey::generate()
                .unwrap("person-a", &wrapped)
                .is_none()
        );
        let mut changed = wrapped.clone();
        changed[30] ^= 1;
        assert!(kek.unwrap("person-a", &changed).is_none());
    }

    #[test]
    fn the_check_value_tells_the_right_key_file_from_a_wrong_one() {
        let kek = KeyEncryptionKey::generate();
        let check = kek.check_value();
        assert!(kek.opens_check(&check));
        assert!(!KeyEncryptionKey::generate().opens_check(&check));
        assert!(!kek.opens_check(&kek.wrap("person-a", &VaultKey::generate())));
    }
}
