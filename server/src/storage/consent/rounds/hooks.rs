//! What storing a version does to the draft's endorsement round, inside the version's own
//! transaction: a version with other content supersedes the current round (a new round on the
//! new version, the parties that consented asked again), and a step to `vastgesteld` or
//! `aangeboden` passes the body's gate and keeps the consent record.

use serde_json::Value;
use sqlx::{AnyConnection, Row};

use super::{current_round_id, insert_round, load_round_states, NewRound};
use crate::domain::draft_status::DraftStatus;
use crate::domain::endorsement::{self, AnswerState, ConsentRecord, RecordedParty};
use crate::storage::{now_ms, SqlStorage, StorageError};

/// Audit entries to append after the other writes of the version's transaction.
pub type AuditLater = Vec<(&'static str, Value)>;

/// Runs the consent hooks for a version just inserted in `conn`'s transaction: supersedes
/// round `supersede` (whose content differs from this version's, as the caller found), then,
/// for a step to `to`, checks the gate and stores the consent record. `Ok(Err(message))` when
/// the gate refuses; the caller then rolls back.
///
/// # Errors
/// Storage errors.
pub(crate) async fn on_version(
    conn: &mut AnyConnection,
    draft_id: i64,
    version_id: i64,
    content_hash: &str,
    supersede: Option<i64>,
    to: Option<DraftStatus>,
    by: i64,
) -> Result<Result<AuditLater, String>, StorageError> {
    let mut audit = AuditLater::new();
    if let Some(round) = supersede {
        if let Some(subject) =
            supersede_round(conn, draft_id, round, version_id, content_hash, by).await?
        {
            audit.push(("endorsement.supersede", subject));
        }
    }
    if let Some(to) = to.filter(|t| matches!(t, DraftStatus::Vastgesteld | DraftStatus::Aangeboden))
    {
        match gate(conn, draft_id, version_id, to).await? {
            Ok(subject) => audit.push(("endorsement.record", subject)),
            Err(message) => return Ok(Err(message)),
        }
    }
    Ok(Ok(audit))
}

async fn supersede_round(
    conn: &mut AnyConnection,
    draft_id: i64,
    round_id: i64,
    version_id: i64,
    content_hash: &str,
    by: i64,
) -> Result<Option<Value>, StorageError> {
    let changed = sqlx::query(
        "UPDATE endorsement_rounds SET status = 'vervangen', closed_at = $1 \
         WHERE id = $2 AND draft_id = $3 AND status IN ('open', 'afgerond')",
    )
    .bind(now_ms())
    .bind(round_id)
    .bind(draft_id)
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() == 0 {
        return Ok(None);
    }
    let Some((old, states)) = load_round_states(conn, round_id).await? else {
        return Ok(None);
    };
    let consented = endorsement::re_asked(&states);
    let parties: Vec<(i64, Option<AnswerState>, Option<i64>)> = old
        .parties
        .iter()
        .map(|p| {
            if let Some(previous) = consented.iter().find(|c| c.party_id == p.party_id) {
                (p.party_id, Some(previous.state), Some(old.version_id))
            } else if p.answer.is_none() {
                // Asked again before and not answered since: still asked again on that version.
                (p.party_id, p.previous_state, p.previous_version_id)
            } else {
                (p.party_id, None, None)
            }
        })
        .collect();
    let new = NewRound {
        draft_id,
        body_id: old.body_id,
        version_id,
        require_no_open_points: old.require_no_open_points,
        note: old.note.as_deref(),
        by,
    };
    let id = insert_round(conn, &new, content_hash, Some(round_id), &parties).await?;
    Ok(Some(serde_json::json!({
        "round": id, "supersedes": round_id, "draft": draft_id, "version": version_id,
    })))
}

async fn gate(
    conn: &mut AnyConnection,
    draft_id: i64,
    version_id: i64,
    to: DraftStatus,
) -> Result<Result<Value, String>, StorageError> {
    let settings = sqlx::query(
        "SELECT s.require_for_vastgesteld, s.require_for_aangeboden FROM drafts d \
         JOIN consent_settings s ON s.body_id = d.body_id WHERE d.id = $1",
    )
    .bind(draft_id)
    .fetch_optional(&mut *conn)
    .await?;
    let required = match settings {
        Some(row) => {
            let column = match to {
                DraftStatus::Aangeboden => "require_for_aangeboden",
                _ => "require_for_vastgesteld",
            };
            row.try_get::<i64, _>(column)? != 0
        }
        None => false,
    };
    let current = match current_round_id(conn, draft_id).await? {
        Some(id) => load_round_states(conn, id).await?,
        None => None,
    };
    if required {
        if let Some(message) =
            endorsement::gate_refusal(to.as_str(), current.as_ref().map(|(_, s)| s.as_slice()))
        {
            return Ok(Err(message));
        }
    }
    let record = match &current {
        Some((round, _)) => ConsentRecord {
            round_id: Some(round.id),
            round_version: Some(round.version_name.clone()),
            content_hash: Some(round.content_hash.clone()),
            complete: round.complete,
            to_status: to.as_str().to_owned(),
            parties: round
                .parties
                .iter()
                .map(|p| RecordedParty {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    state: p.answer.as_ref().map(|a| a.state),
                    content_hash: p.answer.as_ref().map(|a| a.content_hash.clone()),
                    reservation: p.answer.as_ref().and_then(|a| a.reservation.clone()),
                    anchor_quote: p.answer.as_ref().and_then(|a| a.anchor_quote.clone()),
                    signed_by_name: p.answer.as_ref().and_then(|a| a.signed_by_name.clone()),
                    signed_at: p.answer.as_ref().map(|a| a.signed_at),
                })
                .collect(),
        },
        None => ConsentRecord {
            round_id: None,
            round_version: None,
            content_hash: None,
            complete: false,
            to_status: to.as_str().to_owned(),
            parties: Vec::new(),
        },
    };
    let json = serde_json::to_string(&record).map_err(|e| StorageError::Corrupt {
        column: "consent_records.record",
        value: e.to_string(),
    })?;
    let row = sqlx::query(
        "INSERT INTO consent_records (draft_id, version_id, to_status, round_id, complete, record, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(draft_id)
    .bind(version_id)
    .bind(to.as_str())
    .bind(record.round_id)
    .bind(i64::from(record.complete))
    .bind(json)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    Ok(Ok(serde_json::json!({
        "consent_record": id, "draft": draft_id, "version": version_id,
        "round": record.round_id, "complete": record.complete,
    })))
}

impl SqlStorage {
    /// The consent record kept with a version (its newest), if the version was frozen by a
    /// step to `vastgesteld` or `aangeboden`.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn consent_record_of_version(
        &self,
        version_id: i64,
    ) -> Result<Option<ConsentRecord>, StorageError> {
        let row = sqlx::query(
            "SELECT record FROM consent_records WHERE version_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(version_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let raw: String = row.try_get("record")?;
        serde_json::from_str(&raw)
            .map(Some)
            .map_err(|e| StorageError::Corrupt {
                column: "consent_records.record",
                value: e.to_string(),
            })
    }
}
