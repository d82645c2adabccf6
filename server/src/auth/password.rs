//! Password hashing with argon2id, run on the blocking pool so it never stalls the runtime.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use secrecy::{ExposeSecret, SecretString};

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// argon2 refused the input.
    #[error("password hashing failed: {0}")]
    Hash(argon2::password_hash::Error),
    /// The blocking task did not finish.
    #[error("password hashing task failed")]
    Task(#[from] tokio::task::JoinError),
}

/// Hashes a password with argon2id (the crate's default parameters, OWASP's minimum).
///
/// # Errors
/// See [`PasswordError`].
pub async fn hash_password(password: SecretString) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(PasswordError::Hash)
    })
    .await?
}

/// Checks a password against a stored PHC string. With no stored hash (unknown account) it
/// still does the same work against a fixed hash, so both cases take as long and answer alike.
///
/// # Errors
/// Only when the blocking task fails.
pub async fn verify_password(
    stored: Option<String>,
    password: SecretString,
) -> Result<bool, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        known && matches
    })
    .await
    .map_err(PasswordError::Task)
}

/// An argon2id hash of a random string, used to spend equal time on unknown accounts.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$mYgN4JmrqgsxLJ2uCexSkr0GEPmpXVa5pAyvxjsJ8sA";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let hash = hash_password(SecretString::from("geheim wachtwoord"))
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify_password(Some(hash.clone()), SecretString::from("geheim wachtwoord"))
                .await
                .unwrap()
        );
        assert!(!verify_password(Some(hash), SecretString::from("fout"))
            .await
            .unwrap());
        assert!(
            !verify_password(None, SecretString::from("geheim wachtwoord"))
                .await
                .unwrap()
        );
    }
}
