//! The scheduler's notion of "now": [`SystemClock`] in production, [`FakeClock`] in tests, so
//! that tests move time forward instead of sleeping. Moments are UTC; the hours and days of
//! the scheduler's rules are Dutch ([`crate::domain::dutch_time`]).

use std::sync::Mutex;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::domain::dutch_time;

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

/// `date` at `hour`:00 Dutch time (Europe/Amsterdam): with `hour` 8, 07:00 UTC in winter and
/// 06:00 UTC in summer. See [`crate::domain::dutch_time::at_local_hour`].
pub fn at_hour(date: NaiveDate, hour: u32) -> Timestamp {
    dutch_time::at_local_hour(date, hour)
}
