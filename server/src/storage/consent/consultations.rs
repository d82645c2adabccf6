//! Consultation rounds, their invitees (guest accounts) and responses.

use crate::storage::{SqlStorage, StorageError};

/// The demo's part of this module (see [`super::demo`]).
///
/// # Errors
/// Storage errors.
pub async fn demo_seed(_db: &SqlStorage) -> Result<(), StorageError> {
    Ok(())
}
