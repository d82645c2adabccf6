//! The scheduler's notion of "now": [`SystemClock`] in production, [`FakeClock`] in tests, so
//! that tests move time forward instead of sleeping.

use std::sync::Mutex;

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// A moment in time (UTC).
pub type Timestamp = DateTime<Utc>;

/// Tells the time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current moment.
    fn now(&self) -> Timestamp;
}

/// The system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Utc::now()
    }
}

/// A clock that stands still until it is set or advanced.
#[derive(Debug)]
pub struct FakeClock {
    now: Mutex<Timestamp>,
}

impl FakeClock {
    /// A clock standing at `now`.
    pub fn new(now: Timestamp) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    /// Sets the time.
    pub fn set(&self, now: Timestamp) {
        match self.now.lock() {
            Ok(mut guard) => *guard = now,
            Err(poisoned) => *poisoned.into_inner() = now,
        }
    }

    /// Moves the time forward by `days` calendar days.
    pub fn advance_days(&self, days: i64) {
        self.set(self.now() + Duration::days(days));
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Timestamp {
        match self.now.lock() {
            Ok(guard) => *guard,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

/// Parses an RFC 3339 moment such as `2026-05-04T06:00:00Z`.
pub fn timestamp(raw: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `date` at `hour`:00 UTC.
pub fn at_hour(date: NaiveDate, hour: u32) -> Timestamp {
    date.and_hms_opt(hour.min(23), 0, 0)
        .unwrap_or_default()
        .and_utc()
}
