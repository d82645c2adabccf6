//! Signed webhooks: the signature scheme, verification for receivers, and delivery with
//! retries ([`WebhookSender`]).
//!
//! # Scheme
//! Every delivery is an HTTP `POST` of a JSON body (`Content-Type: application/json`) with:
//! - `X-Polder-Delivery`: unique id of the delivery; the same on every retry, so receivers
//!   can drop duplicates.
//! - `X-Polder-Timestamp`: Unix time in seconds at which this attempt was signed.
//! - `X-Polder-Signature`: `sha256=` followed by the lowercase hex HMAC-SHA256, keyed with the
//!   endpoint's shared secret, of `"{timestamp}.{body}"` (the timestamp header, a dot, and the
//!   raw body bytes). See [`signature`].
//!
//! Each attempt is signed afresh, so a receiver checks the signature in constant time and
//! rejects timestamps outside a tolerance window (five minutes is usual), which stops replays
//! ([`verify`]). The signature header may hold several comma-separated signatures while a
//! secret is being rotated; one match is enough.
//!
//! # Delivery
//! `2xx` is success. `408`, `429`, `5xx`, timeouts and connection errors are retried with
//! exponential backoff and jitter ([`RetryPolicy`]); every other status (other `4xx`, `3xx`:
//! redirects are not followed) fails at once. Each attempt is recorded as a
//! [`DeliveryAttempt`].
//!
//! # Where deliveries may go
//! [`address`] holds the outbound address policy: loopback, private, link-local,
//! unique-local, multicast, unspecified and other internal addresses are refused, for IPv4,
//! IPv6 and the IPv6 forms that embed an IPv4 address, both when a webhook is registered
//! (IP literals and `localhost`-like names) and at every attempt, through the resolver in
//! [`resolve`], so a name that resolves to an internal address at delivery time gets no
//! connection.

pub mod address;
pub mod resolve;
mod retry;
mod sender;

#[cfg(test)]
mod delivery_tests;

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use address::{AddressPolicy, TargetError};
pub use retry::RetryPolicy;
pub use sender::{
    new_delivery_id, AttemptVerdict, DeliveryAttempt, DeliveryOutcome, DeliveryReport,
    ReqwestTransport, TransportError, WebhookEndpoint, WebhookRequest, WebhookSender,
    WebhookTransport,
};

/// Header with the unique delivery id.
pub const DELIVERY_HEADER: &str = "X-Polder-Delivery";
/// Header with the signing time, Unix seconds.
pub const TIMESTAMP_HEADER: &str = "X-Polder-Timestamp";
/// Header with the `sha256=` signature.
pub const SIGNATURE_HEADER: &str = "X-Polder-Signature";
/// Prefix of a signature value.
pub const SIGNATURE_PREFIX: &str = "sha256=";

type HmacSha256 = Hmac<Sha256>;

/// The `X-Polder-Signature` value for `body` sent at `timestamp` (Unix seconds):
/// `"sha256=" + hex(HMAC-SHA256(secret, "{timestamp}.{body}"))`.
///
/// ```
/// let sig = polder::notify::webhook::signature(b"geheim", 1_700_000_000, br#"{"a":1}"#);
/// assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64);
/// ```
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mac = keyed_mac(secret, timestamp, body);
    format!(
        "{SIGNATURE_PREFIX}{}",
        hex::encode(mac.finalize().into_bytes())
    )
}

fn keyed_mac(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of every length, so the fallback (a zero key) is never used.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| <HmacSha256 as Mac>::new(&Default::default()));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Why a received webhook failed verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The timestamp or signature header is missing its expected form.
    #[error("malformed webhook signature headers")]
    Malformed,
    /// The timestamp is outside the tolerance window (replay or clock skew).
    #[error("webhook timestamp outside the tolerance window")]
    Expired,
    /// No signature matches the body and secret.
    #[error("webhook signature does not match")]
    Mismatch,
}

/// Checks a received webhook: `timestamp_header` and `signature_header` are the raw header
/// values, `body` the raw request body, `now` the receiver's Unix time in seconds.
/// Signatures are compared in constant time.
///
/// # Errors
/// [`VerifyError::Malformed`] for unparsable headers, [`VerifyError::Expired`] when the
/// timestamp differs from `now` by more than `tolerance`, [`VerifyError::Mismatch`] when no
/// signature matches.
pub fn verify(
    secret: &[u8],
    timestamp_header: &str,
    body: &[u8],
    signature_header: &str,
    now: i64,
    tolerance: Duration,
) -> Result<(), VerifyError> {
    let timestamp: i64 = timestamp_header
        .trim()
        .parse()
        .map_err(|_| VerifyError::Malformed)?;
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if now.abs_diff(timestamp) > tolerance.unsigned_abs() {
        return Err(VerifyError::Expired);
    }
    let mut candidates = signature_header
        .split(',')
        .filter_map(|part| part.trim().strip_prefix(SIGNATURE_PREFIX))
        .filter_map(|hex_sig| hex::decode(hex_sig).ok())
        .peekable();
    if candidates.peek().is_none() {
        return Err(VerifyError::Malformed);
    }
    let expected = keyed_mac(secret, timestamp, body);
    if candidates.any(|candidate| expected.clone().verify_slice(&candidate).is_ok()) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOLERANCE: Duration = Duration::from_secs(300);

    #[test]
    fn signature_matches_a_known_vector() {
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac geheim
        assert_eq!(
            signature(b"geheim", 1_700_000_000, br#"{"a":1}"#),
            "sha256=c2f0a59f12d0bcd3933234d85083c03b99e970604203fd059a320436bb602adf"
        );
    }

    #[test]
    fn verify_accepts_a_fresh_signature() {
        let sig = signature(b"geheim", 1000, b"{}");
        assert_eq!(
            verify(b"geheim", "1000", b"{}", &sig, 1100, TOLERANCE),
            Ok(())
        );
        let rotated = format!("sha256=00ff, {sig}");
        assert_eq!(
            verify(b"geheim", "1000", b"{}", &rotated, 1000, TOLERANCE),
            Ok(())
        );
    }

    #[test]
    fn verify_rejects_tampering_replays_and_garbage() {
        let sig = signature(b"geheim", 1000, b"{}");
        assert_eq!(
            verify(b"geheim", "1000", b"{ }", &sig, 1000, TOLERANCE),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(b"ander", "1000", b"{}", &sig, 1000, TOLERANCE),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(b"geheim", "1001", b"{}", &sig, 1000, TOLERANCE),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(b"geheim", "1000", b"{}", &sig, 1301, TOLERANCE),
            Err(VerifyError::Expired)
        );
        assert_eq!(
            verify(b"geheim", "1000", b"{}", &sig, 699, TOLERANCE),
            Err(VerifyError::Expired)
        );
        assert_eq!(
            verify(b"geheim", "nu", b"{}", &sig, 1000, TOLERANCE),
            Err(VerifyError::Malformed)
        );
        assert_eq!(
            verify(b"geheim", "1000", b"{}", "md5=abc", 1000, TOLERANCE),
            Err(VerifyError::Malformed)
        );
    }
}
