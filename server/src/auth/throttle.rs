//! Throttling of failed sign-ins, per account and per network address.
//!
//! After [`MAX_FAILURES`] failures within [`WINDOW`], further attempts for that account (or from
//! that address) are refused until the oldest failure leaves the window. The state is in
//! memory and bounded: at most [`MAX_TRACKED`] keys, the stalest dropped first.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed within the window.
pub const MAX_FAILURES: usize = 5;
/// How long a failure counts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Most keys tracked at once.
pub const MAX_TRACKED: usize = 10_000;

/// Failed sign-in attempts by key (`account:…` or `address:…`).
#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginThrottle {
    /// How long `keys` must wait before trying again, if any of them is throttled.
    pub fn retry_after(&self, keys: &[String], now: Instant) -> Option<Duration> {
        let mut failures = self.lock();
        keys.iter()
            .filter_map(|key| {
                let times = failures.get_mut(key)?;
                times.retain(|t| now.duration_since(*t) < WINDOW);
                (times.len() >= MAX_FAILURES)
                    .then(|| WINDOW.saturating_sub(now.duration_since(times[0])))
            })
            .max()
    }

    /// Records a failure for every key.
    pub fn failed(&self, keys: &[String], now: Instant) {
        let mut failures = self.lock();
        if failures.len() + keys.len() > MAX_TRACKED {
            failures.retain(|_, times| {
                times
                    .last()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
            while failures.len() + keys.len() > MAX_TRACKED {
                let Some(stalest) = failures
                    .iter()
                    .min_by_key(|(_, times)| times.last().copied())
                    .map(|(key, _)| key.clone())
                else {
                    break;
                };
                failures.remove(&stalest);
            }
        }
        for key in keys {
            let times = failures.entry(key.clone()).or_default();
            times.push(now);
            if times.len() > MAX_FAILURES {
                times.remove(0);
            }
        }
    }

    /// Forgets the account's failures after a successful sign-in.
    pub fn succeeded(&self, account_key: &str) {
        self.lock().remove(account_key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Instant>>> {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_throttle_until_the_window_passes() {
        let throttle = LoginThrottle::default();
        let keys = vec!["account:a@b.nl".to_owned(), "address:127.0.0.1".to_owned()];
        let start = Instant::now();
        for i in 0..MAX_FAILURES {
            assert_eq!(throttle.retry_after(&keys, start), None, "attempt {i}");
            throttle.failed(&keys, start);
        }
        assert!(throttle.retry_after(&keys, start).is_some());
        // another account from the same address is throttled too
        assert!(throttle
            .retry_after(&["address:127.0.0.1".to_owned()], start)
            .is_some());
        assert_eq!(throttle.retry_after(&keys, start + WINDOW), None);
        throttle.succeeded("account:a@b.nl");
        assert_eq!(
            throttle.retry_after(&["account:a@b.nl".to_owned()], start),
            None
        );
    }
}
