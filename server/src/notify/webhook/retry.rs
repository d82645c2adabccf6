//! When to retry a webhook delivery and how long to wait: [`RetryPolicy`] and status
//! classification.

use std::time::Duration;

use rand::Rng;

/// Bounds on retrying one webhook delivery. Tests use millisecond delays.
///
/// Defaults: 5 attempts, 200 ms before the first retry doubling up to 30 s, and 5 s per
/// attempt (connecting, sending and waiting for the response headers; `--webhook-timeout-secs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included; at least one is always made.
    pub max_attempts: u32,
    /// Backoff before the first retry; doubled for every further retry.
    pub base_delay: Duration,
    /// Upper bound of a single backoff.
    pub max_delay: Duration,
    /// How long one attempt may take (connect, send, response headers).
    pub attempt_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
            attempt_timeout: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// Attempts in total, never less than one.
    pub fn attempts(&self) -> u32 {
        self.max_attempts.max(1)
    }

    /// The wait before retry number `retry` (1 is the wait after the first failed attempt):
    /// `min(max_delay, base_delay * 2^(retry-1))`, of which a random half is taken off
    /// ("equal jitter"), so the wait lies between half and all of that value.
    pub fn backoff(&self, retry: u32) -> Duration {
        self.backoff_with_jitter(retry, rand::thread_rng().gen_range(0.0..=1.0))
    }

    /// [`Self::backoff`] with the random part given: `jitter` in `0.0..=1.0`.
    pub(super) fn backoff_with_jitter(&self, retry: u32, jitter: f64) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let full = self
            .base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        let half = full / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

/// What an HTTP status means for a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Delivered.
    Success,
    /// Try again later.
    Retry,
    /// Give up now.
    Permanent,
}

/// `2xx` succeeds; `408`, `429` and `5xx` are retried; everything else is permanent.
pub(super) fn classify(status: u16) -> Verdict {
    match status {
        200..=299 => Verdict::Success,
        408 | 429 | 500..=599 => Verdict::Retry,
        _ => Verdict::Permanent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified() {
        assert_eq!(classify(200), Verdict::Success);
        assert_eq!(classify(204), Verdict::Success);
        assert_eq!(classify(408), Verdict::Retry);
        assert_eq!(classify(429), Verdict::Retry);
        assert_eq!(classify(500), Verdict::Retry);
        assert_eq!(classify(503), Verdict::Retry);
        assert_eq!(classify(400), Verdict::Permanent);
        assert_eq!(classify(404), Verdict::Permanent);
        assert_eq!(classify(410), Verdict::Permanent);
        assert_eq!(classify(301), Verdict::Permanent);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.backoff_with_jitter(1, 1.0),
            Duration::from_millis(200)
        );
        assert_eq!(
            policy.backoff_with_jitter(1, 0.0),
            Duration::from_millis(100)
        );
        assert_eq!(
            policy.backoff_with_jitter(2, 1.0),
            Duration::from_millis(400)
        );
        assert_eq!(
            policy.backoff_with_jitter(4, 1.0),
            Duration::from_millis(1600)
        );
        assert_eq!(policy.backoff_with_jitter(20, 1.0), Duration::from_secs(30));
        assert_eq!(
            policy.backoff_with_jitter(u32::MAX, 0.0),
            Duration::from_secs(15)
        );
        for retry in 1..10 {
            let wait = policy.backoff(retry);
            let full = policy.backoff_with_jitter(retry, 1.0);
            assert!(wait >= full / 2 && wait <= full, "{wait:?} vs {full:?}");
        }
    }

    #[test]
    fn at_least_one_attempt() {
        let policy = RetryPolicy {
            max_attempts: 0,
            ..RetryPolicy::default()
        };
        assert_eq!(policy.attempts(), 1);
    }
}
