//! Tokens against cross-site request forgery, one hidden field on every form.
//!
//! A token is an HMAC-SHA256, under a key this process draws at start, of
//! what the request is bound to: the session (the hash of its id) for staff,
//! and for visitors without one a random nonce kept in a cookie of its own.
//! Cookies are `SameSite=Strict` too; the token also stops a forged form
//! posted from a page of this site's own origin that is not ours (none is).
//! After a restart old tokens fail: the form comes back, filled in, asking to
//! send it again.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The form field that carries the token.
pub const FIELD: &str = "csrf";

/// The cookie holding a visitor's nonce.
pub const NONCE_COOKIE: &str = "reestr_nonce";

type HmacSha256 = Hmac<Sha256>;

/// The key tokens are made with.
pub struct Csrf {
    key: [u8; 32],
}

impl Default for Csrf {
    fn default() -> Csrf {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Csrf { key }
    }
}

/// A fresh nonce for a visitor's cookie.
pub fn nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl Csrf {
    fn mac(&self, binding: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("any key length fits HMAC");
        mac.update(binding);
        mac
    }

    /// The token for forms of a request bound to `binding`.
    pub fn token(&self, binding: &[u8]) -> String {
        hex::encode(self.mac(binding).finalize().into_bytes())
    }

    /// Whether `token` was made for `binding` (in constant time).
    pub fn check(&self, binding: &[u8], token: &str) -> bool {
        match hex::decode(token.trim()) {
            Ok(bytes) => self.mac(binding).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_fits_only_its_binding_and_its_key() {
        let csrf = Csrf::default();
        let token = csrf.token(b"session-a");
        assert!(csrf.check(b"session-a", &token));
        assert!(!csrf.check(b"session-b", &token));
        assert!(!csrf.check(b"session-a", "00"));
        assert!(!csrf.check(b"session-a", "not hex"));
        assert!(
            !Csrf::default().check(b"session-a", &token),
            "another process"
        );
    }
}
