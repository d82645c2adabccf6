//! The event outbox, follows, and the people around a body that events are addressed to.
//!
//! [`record_in`] runs inside the audit append ([`super::audit::append_in`]): when the action is
//! an event ([`EventAction`]), a row joins the outbox in the same transaction as the change and
//! its audit entry. The scheduler claims pending rows ([`SqlStorage::claim_events`]), turns
//! each into one notification under the key `event:AUDIT_ID` and marks the row done; a row
//! whose delivery fails is given back and retried, and the unique key keeps a retry, or two
//! processes, from sending anything twice.

use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use super::audit::{append_in, Actor};
use super::{now_ms, SqlStorage, StorageError};
use crate::domain::events::{EventAction, Reader};

/// Most attempts before an outbox row is marked failed.
pub const MAX_EVENT_ATTEMPTS: i64 = 5;

/// Records an outbox row for audit entry `audit_id` when `action` is an event.
///
/// # Errors
/// Storage errors; the caller's transaction must then be dropped.
pub async fn record_in(
    tx: &mut Transaction<'_, Any>,
    audit_id: i64,
    action: &str,
) -> Result<(), StorageError> {
    if EventAction::parse(action).is_none() {
        return Ok(());
    }
    sqlx::query("INSERT INTO event_outbox (audit_id, action, created_at) VALUES ($1, $2, $3)")
        .bind(audit_id)
        .bind(action)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A claimed outbox row with its audit entry.
#[derive(Debug, Clone)]
pub struct PendingEvent {
    /// Outbox row id.
    pub id: i64,
    /// The audit entry.
    pub audit_id: i64,
    /// The audit action.
    pub action: String,
    /// The audit subject.
    pub subject: serde_json::Value,
    /// Who acted, as the audit log names them.
    pub actor: String,
}

/// What can be followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FollowKind {
    /// An advice draft.
    Draft,
    /// A milestone.
    Milestone,
}

impl FollowKind {
    fn as_str(self) -> &'static str {
        match self {
            FollowKind::Draft => "draft",
            FollowKind::Milestone => "milestone",
        }
    }
}

impl SqlStorage {
    /// Claims up to `limit` pending outbox rows, oldest first, leasing them until
    /// `lease_until` (`FOR UPDATE SKIP LOCKED` on PostgreSQL).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn claim_events(
        &self,
        now_ms: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<PendingEvent>, StorageError> {
        // a cheap look first: most wake-ups find nothing, and the claim below is a write
        let waiting = sqlx::query("SELECT id FROM event_outbox WHERE status = 'pending' LIMIT 1")
            .fetch_optional(self.pool())
            .await?;
        if waiting.is_none() {
            return Ok(Vec::new());
        }
        let lock = self.skip_locked();
        let rows = sqlx::query(&format!(
            "UPDATE event_outbox SET locked_until = $1, attempts = attempts + 1 WHERE id IN \
             (SELECT id FROM event_outbox WHERE status = 'pending' \
             AND (locked_until IS NULL OR locked_until < $2) ORDER BY id LIMIT $3{lock}) RETURNING id"
        ))
        .bind(lease_until)
        .bind(now_ms)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut ids: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        ids.sort_unstable();
        let mut events = Vec::with_capacity(ids.len());
        for id in ids {
            let row = sqlx::query(
                "SELECT o.id, o.audit_id, a.action, a.subject, a.actor FROM event_outbox o \
                 JOIN audit_log a ON a.id = o.audit_id WHERE o.id = $1",
            )
            .bind(id)
            .fetch_one(self.pool())
            .await?;
            let subject: String = row.try_get("subject")?;
            events.push(PendingEvent {
                id,
                audit_id: row.try_get("audit_id")?,
                action: row.try_get("action")?,
                subject: serde_json::from_str(&subject).unwrap_or(serde_json::Value::Null),
                actor: row.try_get("actor")?,
            });
        }
        Ok(events)
    }

    /// Marks an outbox row `done` (delivered) or `skipped` (nobody to tell, or its subject is
    /// gone).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn finish_event(
        &self,
        id: i64,
        delivered: bool,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        sqlx::query("UPDATE event_outbox SET status = $1, done_at = $2 WHERE id = $3")
            .bind(if delivered { "done" } else { "skipped" })
            .bind(now_ms)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Gives a row back after a failed delivery, so the next run retries it (until
    /// [`MAX_EVENT_ATTEMPTS`], then it is marked `failed`).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn release_event(&self, id: i64) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE event_outbox SET locked_until = NULL, status = CASE WHEN attempts >= $1 \
             THEN 'failed' ELSE status END WHERE id = $2",
        )
        .bind(MAX_EVENT_ATTEMPTS)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The dispute a `niet_akkoord` sign-off opened, if it opened one.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn dispute_of_sign_off(&self, sign_off: i64) -> Result<Option<i64>, StorageError> {
        let row = sqlx::query("SELECT dispute_id FROM sign_offs WHERE id = $1")
            .bind(sign_off)
            .fetch_optional(self.pool())
            .await?;
        Ok(row
            .map(|r| r.try_get::<Option<i64>, _>("dispute_id"))
            .transpose()?
            .flatten())
    }

    /// Members and observers of a body, with their parties.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn body_readers(&self, body: i64) -> Result<Vec<Reader>, StorageError> {
        let rows = sqlx::query(
            "SELECT u.id, u.party_id FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.body_id = $1 ORDER BY u.id",
        )
        .bind(body)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(reader).collect()
    }

    /// The people of the parties that take part in a body as informed only.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn informed_people(&self, body: i64) -> Result<Vec<Reader>, StorageError> {
        let rows = sqlx::query(
            "SELECT u.id, u.party_id FROM users u JOIN body_parties b ON b.party_id = u.party_id \
             WHERE b.body_id = $1 AND b.participation = 'informed' ORDER BY u.id",
        )
        .bind(body)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(reader).collect()
    }

    /// Follows (`true`) or unfollows (`false`) a thing for `person`, with its `follow.put` or
    /// `follow.remove` audit entry in one transaction; following twice is following once.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn set_follow(
        &self,
        person: i64,
        kind: FollowKind,
        id: i64,
        follow: bool,
        by: &Actor,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        let query = if follow {
            sqlx::query(
                "INSERT INTO follows (person_id, subject_kind, subject_id, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (person_id, subject_kind, subject_id) DO NOTHING",
            )
            .bind(person)
            .bind(kind.as_str())
            .bind(id)
            .bind(now_ms())
        } else {
            sqlx::query(
                "DELETE FROM follows WHERE person_id = $1 AND subject_kind = $2 AND subject_id = $3",
            )
            .bind(person)
            .bind(kind.as_str())
            .bind(id)
        };
        query.execute(&mut *tx).await?;
        let action = if follow {
            "follow.put"
        } else {
            "follow.remove"
        };
        let subject = serde_json::json!({ kind.as_str(): id, "person": person });
        append_in(&mut tx, self.backend(), by, action, &subject).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether `person` follows a thing, and how many people do.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn follow_state(
        &self,
        person: Option<i64>,
        kind: FollowKind,
        id: i64,
    ) -> Result<(bool, i64), StorageError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN person_id = $1 THEN 1 ELSE 0 END), 0) AS mine \
             FROM follows WHERE subject_kind = $2 AND subject_id = $3",
        )
        .bind(person.unwrap_or(-1))
        .bind(kind.as_str())
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        let mine: i64 = row.try_get("mine")?;
        Ok((mine > 0, row.try_get("n")?))
    }

    /// The followers of a thing in `body` who may still read it: members and observers of the
    /// body, and administrators.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn followers(
        &self,
        kind: FollowKind,
        id: i64,
        body: i64,
    ) -> Result<Vec<i64>, StorageError> {
        let rows = sqlx::query(
            "SELECT f.person_id FROM follows f JOIN users u ON u.id = f.person_id \
             WHERE f.subject_kind = $1 AND f.subject_id = $2 AND (u.is_admin <> 0 OR EXISTS \
             (SELECT 1 FROM memberships m WHERE m.user_id = f.person_id AND m.body_id = $3)) \
             ORDER BY f.person_id",
        )
        .bind(kind.as_str())
        .bind(id)
        .bind(body)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get("person_id")?)).collect()
    }
}

fn reader(row: &sqlx::any::AnyRow) -> Result<Reader, StorageError> {
    Ok(Reader {
        person: row.try_get("id")?,
        party: row.try_get("party_id")?,
    })
}
