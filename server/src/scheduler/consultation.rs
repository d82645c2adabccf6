//! Consultation notices: the announcement of a coming consultation and the reminders before its closing date.

use super::clock::Timestamp;
use super::execute::Outcome;
use super::{Report, Scheduler};
use crate::storage::escalation::jobs::{Job, NewJob};
use crate::storage::StorageError;

/// Adds the jobs the current state calls for.
///
/// # Errors
/// Storage errors.
pub(super) async fn plan(
    _scheduler: &Scheduler,
    _now: Timestamp,
    _jobs: &mut Vec<NewJob>,
) -> Result<(), StorageError> {
    Ok(())
}

/// Runs one job of this kind.
///
/// # Errors
/// Storage errors.
pub(super) async fn execute(
    _scheduler: &Scheduler,
    _job: &Job,
    _now: Timestamp,
    _report: &mut Report,
) -> Result<Outcome, StorageError> {
    Ok(Outcome::Cancelled)
}
