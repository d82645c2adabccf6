//! The periodic head check: the safety net under the bus.
//!
//! Each process reads, in one query, the head sequence number of every document it holds and
//! hands it to the document's actor, which reads the log when it is behind. So a message the
//! bus dropped, or a whole Redis outage, delays an update by at most one check; nothing depends
//! on the bus for correctness. The check runs every [`HeadCheck::every`] while the bus is
//! healthy, every [`HeadCheck::degraded`] while it is not, and once at once when it recovers
//! (messages sent while it was down are gone), then at the fast rate for [`RECOVERY`] more,
//! while the processes resubscribe.

use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::Hub;

/// How often the check runs.
#[derive(Debug, Clone, Copy)]
pub struct HeadCheck {
    /// While the bus carries messages.
    pub every: Duration,
    /// While it does not (and with no bus at all on a shared database).
    pub degraded: Duration,
}

impl Default for HeadCheck {
    fn default() -> Self {
        Self {
            every: Duration::from_secs(5),
            degraded: Duration::from_millis(500),
        }
    }
}

/// How often the bus's health is looked at.
const LOOK: Duration = Duration::from_millis(100);
/// How long after the bus recovers the check keeps the fast rate: until every process has
/// resubscribed, messages of others may still be missed.
pub const RECOVERY: Duration = Duration::from_secs(5);

/// When the next check is due, given the bus's health now and at the last look; `fast` says
/// the bus cannot be relied on (down, or only just back).
fn next_due(due: Instant, now: Instant, fast: bool, recovered: bool, check: HeadCheck) -> Instant {
    if recovered {
        now
    } else if fast {
        due.min(now + check.degraded)
    } else {
        due
    }
}

/// Runs the check until `shutdown`.
pub async fn run(hub: Hub, check: HeadCheck, shutdown: CancellationToken) {
    let mut was_healthy = hub.bus_healthy();
    let mut due = Instant::now() + check.every;
    let mut fast_until = Instant::now();
    loop {
        tokio::select! {
            () = tokio::time::sleep(LOOK) => {}
            () = shutdown.cancelled() => return,
        }
        let now = Instant::now();
        let healthy = hub.bus_healthy();
        let recovered = healthy && !was_healthy;
        if recovered {
            fast_until = now + RECOVERY;
        }
        let fast = !healthy || now < fast_until;
        due = next_due(due, now, fast, recovered, check);
        was_healthy = healthy;
        if now < due {
            continue;
        }
        due = now + if fast { check.degraded } else { check.every };
        let ids = hub.loaded_doc_ids();
        if ids.is_empty() {
            continue;
        }
        match hub.storage().heads(&ids).await {
            Ok(heads) => hub.deliver_heads(heads),
            Err(error) => tracing::warn!(%error, "the head check could not read the database"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHECK: HeadCheck = HeadCheck {
        every: Duration::from_secs(5),
        degraded: Duration::from_millis(500),
    };

    #[test]
    fn a_healthy_bus_keeps_the_slow_schedule() {
        let now = Instant::now();
        let due = now + CHECK.every;
        assert_eq!(next_due(due, now, false, false, CHECK), due);
    }

    #[test]
    fn a_failing_bus_brings_the_check_within_the_degraded_interval() {
        let now = Instant::now();
        let due = now + CHECK.every;
        assert_eq!(next_due(due, now, true, false, CHECK), now + CHECK.degraded);
        let soon = now + Duration::from_millis(100);
        assert_eq!(next_due(soon, now, true, false, CHECK), soon);
    }

    #[test]
    fn a_recovered_bus_checks_at_once() {
        let now = Instant::now();
        assert_eq!(next_due(now + CHECK.every, now, true, true, CHECK), now);
    }
}
