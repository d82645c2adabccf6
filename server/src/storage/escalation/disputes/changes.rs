//! The guarded changes to a dispute: positions, options, comments, escalation, decision and
//! withdrawal. The `…_by` functions (and those taking an [`Actor`]) make a person's change and
//! append its audit entry in the same transaction, and return what the API shows.

use chrono::{DateTime, Utc};
use sqlx::{Any, Row, Transaction};

use super::{load_dispute, ms, Change, Dispute};
use crate::domain::calendar::HolidayRules;
use crate::domain::escalation::{
    next_level, respond_by, DisputeEventKind, DisputeStatus, LadderLevel,
};
use crate::storage::audit::{append_in, Actor};
use crate::storage::{now_ms, SqlStorage, StorageError};

/// A position to state.
#[derive(Debug, Clone, Copy)]
pub struct NewPosition<'a> {
    /// The party it is for.
    pub party_id: i64,
    /// The text.
    pub text: &'a str,
    /// Who states it.
    pub person: i64,
    /// Whether they hold their party's mandate in the dispute's body.
    pub with_mandate: bool,
}

/// An escalation to make.
#[derive(Debug, Clone, Copy)]
pub struct Escalation<'a> {
    /// The level it starts from; only one of several concurrent escalations from it succeeds.
    pub from_level: i64,
    /// The person escalating (`None`: the scheduler, on timeout).
    pub actor_id: Option<i64>,
    /// Who, as the dispute's history names them.
    pub actor: &'a str,
    /// Why.
    pub note: Option<&'a str>,
    /// As of when.
    pub now: DateTime<Utc>,
}

/// The dispute as it is after a change, read in the change's transaction.
async fn reloaded(tx: &mut Transaction<'_, Any>, id: i64) -> Result<Dispute, StorageError> {
    load_dispute(tx, id)
        .await?
        .ok_or(StorageError::AlreadyExists("dispute"))
}

impl SqlStorage {
    /// Records a party's position at the dispute's current level.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn state_position(
        &self,
        dispute: &Dispute,
        party_id: i64,
        text: &str,
        person: i64,
        with_mandate: bool,
    ) -> Result<Change, StorageError> {
        let position = NewPosition {
            party_id,
            text,
            person,
            with_mandate,
        };
        let mut tx = self.begin_write().await?;
        let change = position_in(&mut tx, dispute, &position).await?;
        if change == Change::Done {
            tx.commit().await?;
        }
        Ok(change)
    }

    /// Records a person's position with its `dispute.position` audit entry; returns the
    /// dispute after it, or why nothing changed.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn state_position_by(
        &self,
        dispute: &Dispute,
        position: &NewPosition<'_>,
        by: &Actor,
    ) -> Result<Result<Dispute, Change>, StorageError> {
        let mut tx = self.begin_write().await?;
        let change = position_in(&mut tx, dispute, position).await?;
        if change != Change::Done {
            return Ok(Err(change));
        }
        let subject = serde_json::json!({ "dispute": dispute.id, "party": position.party_id });
        append_in(&mut tx, self.backend(), by, "dispute.position", &subject).await?;
        let after = reloaded(&mut tx, dispute.id).await?;
        tx.commit().await?;
        Ok(Ok(after))
    }

    /// Adds an option (a possible way out) to an open dispute with its `dispute.option` audit
    /// entry; returns its id, `None` when the dispute is closed.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn add_dispute_option(
        &self,
        dispute: &Dispute,
        title: &str,
        description: &str,
        party_id: Option<i64>,
        by: (i64, &Actor),
    ) -> Result<Option<i64>, StorageError> {
        let (person, actor) = by;
        let at = now_ms();
        let mut tx = self.begin_write().await?;
        if !still_open(&mut tx, dispute.id).await? {
            return Ok(None);
        }
        let id = insert_option_in(
            &mut tx,
            (dispute.id, dispute.level),
            NewOption {
                title,
                description,
                party_id,
            },
            person,
            at,
        )
        .await?;
        let subject = serde_json::json!({ "dispute": dispute.id, "option": id });
        append_in(&mut tx, self.backend(), actor, "dispute.option", &subject).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Adds a comment to a dispute with its `dispute.comment` audit entry; returns its id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn add_dispute_comment(
        &self,
        dispute_id: i64,
        body: &str,
        by: (i64, &Actor),
    ) -> Result<i64, StorageError> {
        let (person, actor) = by;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO dispute_comments (dispute_id, author_id, body, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(dispute_id)
        .bind(person)
        .bind(body)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let subject = serde_json::json!({ "dispute": dispute_id, "comment": id });
        append_in(&mut tx, self.backend(), actor, "dispute.comment", &subject).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Moves an open dispute from `escalation.from_level` to the next level of its ladder as of `now`,
    /// with the audit entry `audit` (who, which action) in the same transaction. Only one of
    /// several concurrent escalations from the same level succeeds.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn escalate_dispute(
        &self,
        dispute: &Dispute,
        escalation: &Escalation<'_>,
        audit: (&Actor, &str),
    ) -> Result<Change, StorageError> {
        Ok(self
            .escalate_audited(dispute, escalation, audit)
            .await?
            .map_or_else(|change| change, |_| Change::Done))
    }

    /// Escalates as a person, with the `dispute.escalate` audit entry in the same transaction;
    /// returns the dispute after it, or why nothing changed.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn escalate_dispute_by(
        &self,
        dispute: &Dispute,
        escalation: &Escalation<'_>,
        by: &Actor,
    ) -> Result<Result<Dispute, Change>, StorageError> {
        self.escalate_audited(dispute, escalation, (by, "dispute.escalate"))
            .await
    }

    /// The escalation both callers share: the move, its audit entry and the dispute as it is
    /// after, in one write transaction.
    async fn escalate_audited(
        &self,
        dispute: &Dispute,
        escalation: &Escalation<'_>,
        (by, action): (&Actor, &str),
    ) -> Result<Result<Dispute, Change>, StorageError> {
        let (next, mut tx) = match self.escalation_start(dispute, escalation).await? {
            Ok(start) => start,
            Err(change) => return Ok(Err(change)),
        };
        let change = escalate_in(&mut tx, dispute, &next, escalation).await?;
        if change != Change::Done {
            return Ok(Err(change));
        }
        let subject =
            serde_json::json!({ "dispute": dispute.id, "from_level": escalation.from_level });
        append_in(&mut tx, self.backend(), by, action, &subject).await?;
        let after = reloaded(&mut tx, dispute.id).await?;
        tx.commit().await?;
        Ok(Ok(after))
    }

    /// The level an escalation goes to and a write transaction to make it in, or why it
    /// cannot be made (closed, at the top of the ladder).
    async fn escalation_start(
        &self,
        dispute: &Dispute,
        escalation: &Escalation<'_>,
    ) -> Result<Result<(LadderLevel, Transaction<'static, Any>), Change>, StorageError> {
        if !dispute.status.is_open() {
            return Ok(Err(Change::Closed));
        }
        let ladder = self.ladder(dispute.body_id).await?;
        let Some(next) = next_level(&ladder, escalation.from_level).cloned() else {
            return Ok(Err(Change::AtTop));
        };
        Ok(Ok((next, self.begin_write().await?)))
    }

    /// Closes an open dispute as `besloten` (with the decision) or `ingetrokken`, with its
    /// `dispute.resolve` or `dispute.withdraw` audit entry; returns the dispute after it, or
    /// [`Change::Closed`] when it was closed already.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn close_dispute(
        &self,
        dispute: &Dispute,
        status: DisputeStatus,
        text: Option<&str>,
        by: (i64, &Actor),
    ) -> Result<Result<Dispute, Change>, StorageError> {
        let (person, actor) = by;
        let at = now_ms();
        // the register names the body whose chair resolved it: the forum at the dispute's
        // level, else the dispute's own body
        let deciding_body = if status == DisputeStatus::Besloten {
            self.ladder(dispute.body_id)
                .await?
                .into_iter()
                .find(|l| l.level == dispute.level)
                .and_then(|l| l.forum_body_id)
                .unwrap_or(dispute.body_id)
        } else {
            dispute.body_id
        };
        let mut tx = self.begin_write().await?;
        if !close_in(&mut tx, dispute, status, text, person, at).await? {
            return Ok(Err(Change::Closed));
        }
        let action = if status == DisputeStatus::Besloten {
            "dispute.resolve"
        } else {
            "dispute.withdraw"
        };
        let subject = serde_json::json!({ "dispute": dispute.id });
        let audit_id = append_in(&mut tx, self.backend(), actor, action, &subject).await?;
        if status == DisputeStatus::Besloten {
            crate::storage::decisions::register::record_dispute_decision_in(
                &mut tx,
                dispute,
                deciding_body,
                text.unwrap_or_default(),
                person,
                audit_id,
            )
            .await?;
        }
        let after = reloaded(&mut tx, dispute.id).await?;
        tx.commit().await?;
        Ok(Ok(after))
    }
}

/// Closes an open dispute inside `tx` as `besloten` (with the decision text) or `ingetrokken`,
/// with its history event; `false` when it was closed already. The caller appends the audit
/// entry.
///
/// # Errors
/// Storage errors.
pub(crate) async fn close_in(
    tx: &mut Transaction<'_, Any>,
    dispute: &Dispute,
    status: DisputeStatus,
    text: Option<&str>,
    person: i64,
    at: i64,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "UPDATE disputes SET status = $1, decision = COALESCE($2, decision), closed_by = $3, \
         closed_at = $4, updated_at = $4 WHERE id = $5 AND status IN ('in_behandeling', 'geescaleerd')",
    )
    .bind(status.as_str())
    .bind(if status == DisputeStatus::Besloten {
        text
    } else {
        None
    })
    .bind(person)
    .bind(at)
    .bind(dispute.id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    let kind = if status == DisputeStatus::Besloten {
        DisputeEventKind::Resolved
    } else {
        DisputeEventKind::Withdrawn
    };
    let event_actor = format!("person:{person}");
    insert_event(
        tx,
        dispute.id,
        kind,
        dispute.level,
        Some(person),
        &event_actor,
        text,
        at,
    )
    .await?;
    Ok(true)
}

async fn position_in(
    tx: &mut Transaction<'_, Any>,
    dispute: &Dispute,
    position: &NewPosition<'_>,
) -> Result<Change, StorageError> {
    let at = now_ms();
    if !still_open(tx, dispute.id).await? {
        return Ok(Change::Closed);
    }
    sqlx::query(
        "INSERT INTO dispute_positions (dispute_id, party_id, level, body, stated_by, with_mandate, stated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(dispute.id)
    .bind(position.party_id)
    .bind(dispute.level)
    .bind(position.text)
    .bind(position.person)
    .bind(i64::from(position.with_mandate))
    .bind(at)
    .execute(&mut **tx)
    .await?;
    let actor = format!("person:{}", position.person);
    let note = format!("party:{}", position.party_id);
    insert_event(
        tx,
        dispute.id,
        DisputeEventKind::Position,
        dispute.level,
        Some(position.person),
        &actor,
        Some(&note),
        at,
    )
    .await?;
    Ok(Change::Done)
}

/// The escalation to `next` itself, in `tx`.
async fn escalate_in(
    tx: &mut Transaction<'_, Any>,
    dispute: &Dispute,
    next: &LadderLevel,
    escalation: &Escalation<'_>,
) -> Result<Change, StorageError> {
    let deadline = respond_by(
        crate::domain::dutch_time::date_of(escalation.now),
        next.response_days,
        &HolidayRules::default(),
    );
    let at = ms(escalation.now);
    let done = sqlx::query(
        "UPDATE disputes SET level = $1, status = 'geescaleerd', level_since = $2, respond_by = $3, \
         updated_at = $2 WHERE id = $4 AND level = $5 AND status IN ('in_behandeling', 'geescaleerd')",
    )
    .bind(next.level)
    .bind(at)
    .bind(deadline.format("%Y-%m-%d").to_string())
    .bind(dispute.id)
    .bind(escalation.from_level)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(Change::Stale);
    }
    let kind = if escalation.actor_id.is_some() {
        DisputeEventKind::Escalated
    } else {
        DisputeEventKind::EscalatedOnTimeout
    };
    insert_event(
        tx,
        dispute.id,
        kind,
        next.level,
        escalation.actor_id,
        escalation.actor,
        escalation.note,
        at,
    )
    .await?;
    Ok(Change::Done)
}

async fn still_open(tx: &mut Transaction<'_, Any>, id: i64) -> Result<bool, StorageError> {
    let row = sqlx::query(
        "SELECT 1 AS one FROM disputes WHERE id = $1 AND status IN ('in_behandeling', 'geescaleerd')",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.is_some())
}

/// Appends an event to a dispute's history.
#[expect(clippy::too_many_arguments)]
pub(super) async fn insert_event(
    tx: &mut Transaction<'_, Any>,
    dispute_id: i64,
    kind: DisputeEventKind,
    level: i64,
    actor_id: Option<i64>,
    actor: &str,
    note: Option<&str>,
    at: i64,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO dispute_events (dispute_id, kind, level, actor_id, actor, note, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(dispute_id)
    .bind(kind.as_str())
    .bind(level)
    .bind(actor_id)
    .bind(actor)
    .bind(note)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An option proposed for a dispute.
#[derive(Debug, Clone, Copy)]
pub struct NewOption<'a> {
    /// Its title.
    pub title: &'a str,
    /// What it means.
    pub description: &'a str,
    /// The party that proposes it.
    pub party_id: Option<i64>,
}

/// Inserts an option of dispute `dispute` (id, current level) proposed by `person` with its
/// history event, in `tx`; returns its id. The caller appends the audit entry.
pub(super) async fn insert_option_in(
    tx: &mut Transaction<'_, Any>,
    dispute: (i64, i64),
    option: NewOption<'_>,
    person: i64,
    at: i64,
) -> Result<i64, StorageError> {
    let (dispute_id, level) = dispute;
    let row = sqlx::query(
        "INSERT INTO dispute_options (dispute_id, title, description, party_id, proposed_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(dispute_id)
    .bind(option.title)
    .bind(option.description)
    .bind(option.party_id)
    .bind(person)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    let event_actor = format!("person:{person}");
    insert_event(
        tx,
        dispute_id,
        DisputeEventKind::Option,
        level,
        Some(person),
        &event_actor,
        Some(option.title),
        at,
    )
    .await?;
    Ok(id)
}
