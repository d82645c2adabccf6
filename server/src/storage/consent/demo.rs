//! The demo's consent data (docs/DOMAIN.md §10): open points found in the demo draft, an
//! endorsement round on its version, and a consultation with an invited organisation.

use crate::storage::{SqlStorage, StorageError};

/// Seeds the consent data after the rest of the demo.
///
/// # Errors
/// Storage errors.
pub async fn seed(db: &SqlStorage) -> Result<(), StorageError> {
    super::open_points::demo_seed(db).await?;
    super::rounds::demo_seed(db).await?;
    super::consultations::demo_seed(db).await?;
    Ok(())
}
