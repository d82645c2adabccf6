//! The durable job scheduler: reminders, requests and escalation timeouts (being written).

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::state::AppState;

/// Scheduler settings (part of the server configuration).
#[derive(Debug, Clone, Default)]
pub struct SchedulerSettings {}

/// Starts the scheduler's background task on `tracker`; it stops when `shutdown` fires.
pub fn spawn(_state: AppState, _settings: SchedulerSettings, _shutdown: CancellationToken, _tracker: TaskTracker) {}
