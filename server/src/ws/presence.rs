//! What one connection may say about its presence (awareness), checked in the connection's own
//! task before anything reaches the document: no lock, no shared state.
//!
//! - A presence update whose states add up to more than the size limit is dropped (with a debug
//!   log and the `presence_dropped` metric): a real cursor and name is a few hundred bytes, and
//!   closing would only make a y-websocket client reconnect and send it again.
//! - Updates beyond the connection's rate (a token bucket: `presence_per_sec` on average,
//!   `presence_burst` at once) are held back, and only the newest held one is kept: it is sent
//!   when the bucket has a token again, so the last known cursor still reaches everyone, while
//!   the ones it replaced are dropped.

use std::time::Duration;

use tokio::time::Instant;
use yrs::sync::AwarenessUpdate;

use crate::config::SocketLimits;

/// What to do with one presence update.
pub enum Verdict {
    /// Send it to the document now.
    Pass(AwarenessUpdate),
    /// Held back until [`PresenceGate::release_at`]; `replaced` says whether it displaced an
    /// earlier held update.
    Held {
        /// Whether an earlier held update was dropped for it.
        replaced: bool,
    },
    /// Larger than the limit: dropped.
    TooLarge(usize),
}

/// The presence limits of one connection.
pub struct PresenceGate {
    max_bytes: usize,
    per_sec: f64,
    burst: f64,
    tokens: f64,
    refilled: Instant,
    held: Option<AwarenessUpdate>,
}

impl PresenceGate {
    /// A gate with a full bucket.
    pub fn new(limits: &SocketLimits, now: Instant) -> Self {
        let per_sec = f64::from(limits.presence_per_sec.max(1));
        let burst = f64::from(limits.presence_burst.max(1));
        Self {
            max_bytes: limits.max_presence_bytes,
            per_sec,
            burst,
            tokens: burst,
            refilled: now,
            held: None,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.burst);
        self.refilled = now;
    }

    /// Decides about an incoming presence update.
    pub fn admit(&mut self, update: AwarenessUpdate, now: Instant) -> Verdict {
        let size: usize = update.clients.values().map(|entry| entry.json.len()).sum();
        if size > self.max_bytes {
            return Verdict::TooLarge(size);
        }
        self.refill(now);
        if self.held.is_none() && self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Verdict::Pass(update);
        }
        let replaced = self.held.replace(update).is_some();
        Verdict::Held { replaced }
    }

    /// When the held update may go, if one is held.
    pub fn release_at(&self) -> Option<Instant> {
        self.held.as_ref()?;
        let missing = (1.0 - self.tokens).max(0.0);
        Some(self.refilled + Duration::from_secs_f64(missing / self.per_sec))
    }

    /// The held update, if the rate allows it at `now`.
    pub fn take_due(&mut self, now: Instant) -> Option<AwarenessUpdate> {
        self.held.as_ref()?;
        self.refill(now);
        // A hair of slack for floating-point rounding at the computed release time.
        if self.tokens < 1.0 - 1e-6 {
            return None;
        }
        self.tokens = (self.tokens - 1.0).max(0.0);
        self.held.take()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::collections::HashMap;

    use yrs::sync::awareness::AwarenessUpdateEntry;

    use super::*;

    fn update(json: &str) -> AwarenessUpdate {
        let mut clients = HashMap::new();
        clients.insert(
            yrs::ClientID::new(7),
            AwarenessUpdateEntry {
                clock: 1,
                json: json.into(),
            },
        );
        AwarenessUpdate { clients }
    }

    fn limits() -> SocketLimits {
        SocketLimits {
            max_presence_bytes: 100,
            presence_per_sec: 10,
            presence_burst: 3,
            ..SocketLimits::default()
        }
    }

    #[test]
    fn oversized_presence_is_refused() {
        let now = Instant::now();
        let mut gate = PresenceGate::new(&limits(), now);
        let big = format!("{{\"x\":\"{}\"}}", "a".repeat(200));
        assert!(matches!(
            gate.admit(update(&big), now),
            Verdict::TooLarge(_)
        ));
        assert!(matches!(gate.admit(update("{}"), now), Verdict::Pass(_)));
    }

    #[test]
    fn a_burst_passes_then_only_the_newest_is_held_until_a_token_refills() {
        let start = Instant::now();
        let mut gate = PresenceGate::new(&limits(), start);
        for _ in 0..3 {
            assert!(matches!(gate.admit(update("{}"), start), Verdict::Pass(_)));
        }
        assert!(matches!(
            gate.admit(update("{\"n\":1}"), start),
            Verdict::Held { replaced: false }
        ));
        assert!(matches!(
            gate.admit(update("{\"n\":2}"), start),
            Verdict::Held { replaced: true }
        ));
        assert!(gate.take_due(start).is_none());
        let due = gate.release_at().unwrap();
        assert!(due > start && due <= start + Duration::from_millis(101));
        let released = gate.take_due(due).unwrap();
        let json = released.clients.values().next().unwrap().json.to_string();
        assert_eq!(json, "{\"n\":2}", "the newest held state is the one sent");
        assert!(gate.release_at().is_none());
    }
}
