//! Random secrets (API tokens, session ids) and the hashes they are stored as.
//!
//! These secrets carry 256 bits of randomness, so a fast hash (SHA-256) is the right way to
//! store them: unlike passwords they cannot be guessed, and lookups stay cheap.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix of API tokens, so a leaked token is recognisable in a secret scanner.
pub const TOKEN_PREFIX: &str = "pld_";

/// A new API token: `pld_` followed by 32 random bytes, base64url-encoded.
pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_part())
}

/// A new session id: 32 random bytes, base64url-encoded.
pub fn new_session_id() -> String {
    random_part()
}

fn random_part() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The hex SHA-256 of a secret, as stored in the database.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_prefixed_and_hash_stably() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
        assert_eq!(hash(&a).len(), 64);
    }
}
