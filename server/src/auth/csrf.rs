//! CSRF tokens bound to their session: the token is an HMAC-SHA256 of a fixed label keyed
//! with the session id, so only the holder of the session id (kept in an HttpOnly cookie the
//! page cannot read) could have computed it, and a token is worth nothing with any other
//! session. A site that can plant cookies (a sibling subdomain) can no longer pair a session
//! with a token of its own choosing, as it could when the check was only cookie == header.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What the HMAC is computed over; a new label would invalidate every token at once.
const LABEL: &[u8] = b"polder csrf token v1";

/// Longest token looked at, in bytes (a real one has 43).
const MAX_TOKEN_BYTES: usize = 128;

fn mac(session_id: &str) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(session_id.as_bytes()).ok()?;
    mac.update(LABEL);
    Some(mac)
}

/// The CSRF token of a session.
pub fn token_for(session_id: &str) -> String {
    mac(session_id)
        .map(|mac| URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
        .unwrap_or_default()
}

/// Whether `presented` is the CSRF token of `session_id` (compared in constant time).
pub fn is_valid(session_id: &str, presented: &str) -> bool {
    if presented.is_empty() || presented.len() > MAX_TOKEN_BYTES {
        return false;
    }
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(presented) else {
        return false;
    };
    mac(session_id).is_some_and(|mac| mac.verify_slice(&bytes).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_token_belongs_to_one_session() {
        let a = crate::auth::secret::new_session_id();
        let b = crate::auth::secret::new_session_id();
        let token = token_for(&a);
        assert!(is_valid(&a, &token));
        assert!(!is_valid(&b, &token));
        assert!(!is_valid(&a, ""));
        assert!(!is_valid(&a, &token_for(&b)));
        // not the stored hash of the session id either
        assert_ne!(token, crate::auth::secret::hash(&a));
    }

    proptest! {
        #[test]
        fn arbitrary_tokens_are_refused_without_panicking(session in "[A-Za-z0-9_-]{0,64}", presented in ".{0,300}") {
            prop_assume!(presented != token_for(&session));
            prop_assert!(!is_valid(&session, &presented));
        }
    }
}
