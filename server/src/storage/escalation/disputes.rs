//! Disputes (being written). The signature of [`SqlStorage::raise_dispute`] is the interface
//! other modules (role agreements, milestones) call to open one.

use crate::storage::{SqlStorage, StorageError};

/// A dispute to open.
#[derive(Debug, Clone)]
pub struct NewDispute {
    /// The body (working group) whose ladder the dispute starts on.
    pub body_id: i64,
    /// What it is about: `role_agreement`, `milestone` or `draft_passage`.
    pub subject_kind: String,
    /// The id of that subject.
    pub subject_id: i64,
    /// Short title.
    pub title: String,
    /// What the difference is about.
    pub description: String,
    /// The party that raises it.
    pub raised_by_party: i64,
    /// The person who raised it (none when the system raises it, e.g. for an overdue milestone).
    pub raised_by_person: Option<i64>,
    /// The parties involved (the raising party included).
    pub parties: Vec<i64>,
}

impl SqlStorage {
    /// Opens a dispute at the first level of its body's ladder; returns its id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn raise_dispute(&self, _dispute: &NewDispute) -> Result<i64, StorageError> {
        Err(StorageError::WriterStopped)
    }
}
