//! The demo's consent data (docs/DOMAIN.md §10): open points found in the demo draft, an
//! endorsement round on its version, and a consultation with an invited organisation.

use crate::domain::draft_status::DraftStatus;
use crate::storage::audit::Actor;
use crate::storage::drafts::{NewVersion, VersionInfo};
use crate::storage::version_quota::VersionQuota;
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

/// The demo draft's latest version, frozen from its stored document as `name` when it has none
/// (the draft stays in `concept`); `None` when the document cannot be read.
///
/// # Errors
/// Storage errors.
pub(super) async fn latest_version(
    db: &SqlStorage,
    draft_id: i64,
    doc_id: &str,
    name: &str,
    by: (i64, &Actor),
) -> Result<Option<VersionInfo>, StorageError> {
    if let Some(version) = db.list_versions(draft_id).await?.pop() {
        return Ok(Some(version));
    }
    let Ok(doc) = polder_shared::DocId::parse(doc_id) else {
        return Ok(None);
    };
    let loaded = db.load_document(&doc).await?;
    let Ok(state) = crate::sync::document::DocState::from_stored(
        loaded.snapshot.as_deref(),
        loaded.updates.iter().map(|(_, raw)| raw.as_slice()),
    ) else {
        return Ok(None);
    };
    let state = state.diff(&yrs::StateVector::default());
    let hash = crate::versions::content_hash(&state);
    let new = NewVersion {
        name,
        state: &state,
        content_hash: &hash,
        supersede: None,
    };
    let quota = VersionQuota::per_hour(u32::MAX);
    let created = db
        .create_version_within(draft_id, DraftStatus::Concept, new, by.0, quota, by.1)
        .await?;
    Ok(created.ok())
}
