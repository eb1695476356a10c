//! Bearer tokens: an opaque random secret shown once; only its hash is stored
//! (in `RoleGranted`), and a request's token is checked by hashing it again
//! and looking the hash up in the access read model.

use projections::access::{Access, Holder};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Random bytes in a token: 256 bits, beyond guessing.
const TOKEN_BYTES: usize = 32;

/// Tokens start with this, so a leaked one is recognisable in logs and scanners.
pub const TOKEN_PREFIX: &str = "reestr_";

/// A newly minted token and the hash to store for it.
pub struct MintedToken {
    /// The secret, to show once to its holder.
    pub token: String,
    /// SHA-256 of the token, hex: what `RoleGranted` keeps.
    pub hash: String,
}

/// Mints a fresh token from the operating system's random source.
pub fn mint() -> MintedToken {
    let mut secret = [0u8; TOKEN_BYTES];
    rand::rng().fill_bytes(&mut secret);
    let token = format!("{TOKEN_PREFIX}{}", hex::encode(secret));
    let hash = hash(&token);
    MintedToken { token, hash }
}

/// The stored form of `token`.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The active holder of `token`, if any (an empty or unknown token: nobody).
pub fn holder_of(access: &Access, token: &str) -> Option<Holder> {
    if token.is_empty() {
        return None;
    }
    access.holder_by_token_hash(&hash(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_token_is_random_prefixed_and_matches_only_its_own_hash() {
        let a = mint();
        let b = mint();
        assert!(a.token.starts_with(TOKEN_PREFIX));
        assert_eq!(a.token.len(), TOKEN_PREFIX.len() + 2 * TOKEN_BYTES);
        assert_ne!(a.token, b.token);
        assert_eq!(hash(&a.token), a.hash);
        assert_ne!(hash(&b.token), a.hash);
        assert!(!a.hash.contains(&a.token[TOKEN_PREFIX.len()..]));
    }
}
