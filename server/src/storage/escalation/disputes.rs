//! Disputes (*verschillen van inzicht*): raising, positions, options, comments, escalation,
//! decision and withdrawal. [`SqlStorage::raise_dispute`] is the interface other modules (role
//! agreements, milestones) call to open one.
//!
//! Status flow: `in_behandeling` (at level 0) → `geescaleerd` (at a higher level) → `besloten`
//! (resolved with a decision text) or `ingetrokken` (withdrawn). Every change is guarded by the
//! status (and, for escalation, the level) it starts from, so concurrent requests and the
//! scheduler's timeout never escalate one level twice.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::domain::calendar::HolidayRules;
use crate::domain::escalation::{next_level, respond_by};
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

/// The subject kinds a dispute can be about.
pub const SUBJECT_KINDS: [&str; 3] = ["draft_passage", "role_agreement", "milestone"];

/// Statuses of a dispute that is still open.
pub const OPEN_STATUSES: [&str; 2] = ["in_behandeling", "geescaleerd"];

/// A dispute as lists and the API show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Dispute {
    /// Database id.
    pub id: i64,
    /// The working group whose ladder it is on.
    pub body_id: i64,
    /// `draft_passage`, `role_agreement` or `milestone`.
    pub subject_kind: String,
    /// The subject's id.
    pub subject_id: i64,
    /// The quoted passage, for a dispute on a draft passage.
    pub passage: Option<String>,
    /// Short title.
    pub title: String,
    /// What the difference is about.
    pub description: String,
    /// Code of the raising party.
    pub raised_by_party: String,
    /// The raising party's id.
    pub raised_by_party_id: i64,
    /// The person who raised it (none when Polder did, for an overdue milestone).
    pub raised_by_person: Option<i64>,
    /// `in_behandeling`, `geescaleerd`, `besloten` or `ingetrokken`.
    pub status: String,
    /// Current ladder level (0 = the working group).
    pub level: i64,
    /// Unix ms when it reached this level.
    pub level_since: i64,
    /// Last day (YYYY-MM-DD) to respond at this level; escalated automatically after it.
    pub respond_by: String,
    /// The decision, once resolved.
    pub decision: Option<String>,
    /// Unix ms when resolved or withdrawn.
    pub closed_at: Option<i64>,
    /// Set when Polder opened it by itself (e.g. `milestone-overdue:12`).
    pub origin_key: Option<String>,
    /// The involved parties.
    pub parties: Vec<DisputeParty>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
}

/// A party involved in a dispute.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DisputeParty {
    /// Party id.
    pub party_id: i64,
    /// Party code.
    pub code: String,
    /// Whether it stated a position at the dispute's current level.
    pub has_position: bool,
}

/// What a guarded change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Done.
    Done,
    /// The dispute is already resolved or withdrawn.
    Closed,
    /// The dispute moved on in the meantime (another escalation won the race).
    Stale,
    /// There is no higher level on the ladder.
    AtTop,
}

const DISPUTE_SELECT: &str = "SELECT d.id, d.body_id, d.subject_kind, d.subject_id, d.passage, d.title, \
     d.description, p.code AS party_code, d.raised_by_party, d.raised_by_person, d.status, d.level, \
     d.level_since, d.respond_by, d.decision, d.closed_at, d.origin_key, d.created_at, d.updated_at \
     FROM disputes d JOIN parties p ON p.id = d.raised_by_party";

fn dispute_from_row(row: &sqlx::any::AnyRow) -> Result<Dispute, StorageError> {
    Ok(Dispute {
        id: row.try_get("id")?,
        body_id: row.try_get("body_id")?,
        subject_kind: row.try_get("subject_kind")?,
        subject_id: row.try_get("subject_id")?,
        passage: row.try_get("passage")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        raised_by_party: row.try_get("party_code")?,
        raised_by_party_id: row.try_get("raised_by_party")?,
        raised_by_person: row.try_get("raised_by_person")?,
        status: row.try_get("status")?,
        level: row.try_get("level")?,
        level_since: row.try_get("level_since")?,
        respond_by: row.try_get("respond_by")?,
        decision: row.try_get("decision")?,
        closed_at: row.try_get("closed_at")?,
        origin_key: row.try_get("origin_key")?,
        parties: Vec::new(),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Unix ms of a moment.
pub(crate) fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// A stored date (`YYYY-MM-DD`).
pub(crate) fn parse_day(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

impl SqlStorage {
    /// Opens a dispute at the first level of its body's ladder; returns its id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn raise_dispute(&self, dispute: &NewDispute) -> Result<i64, StorageError> {
        self.raise_dispute_at(dispute, Utc::now(), None)
            .await?
            .ok_or(StorageError::AlreadyExists("dispute"))
    }

    /// Opens a dispute as of `now`. With an `origin_key` (e.g. `milestone-overdue:12`) it is
    /// opened at most once: `None` when one with that key exists already.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn raise_dispute_at(
        &self,
        dispute: &NewDispute,
        now: DateTime<Utc>,
        origin_key: Option<&str>,
    ) -> Result<Option<i64>, StorageError> {
        let ladder = self.ladder(dispute.body_id).await?;
        let days = ladder.first().map_or(10, |l| l.response_days);
        let deadline = respond_by(now.date_naive(), days, &HolidayRules::default());
        let at = ms(now);
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO disputes (body_id, subject_kind, subject_id, title, description, \
             raised_by_party, raised_by_person, status, level, level_since, respond_by, origin_key, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'in_behandeling', 0, $8, $9, \
             $10, $8, $8) ON CONFLICT (origin_key) DO NOTHING RETURNING id",
        )
        .bind(dispute.body_id)
        .bind(&dispute.subject_kind)
        .bind(dispute.subject_id)
        .bind(&dispute.title)
        .bind(&dispute.description)
        .bind(dispute.raised_by_party)
        .bind(dispute.raised_by_person)
        .bind(at)
        .bind(deadline.format("%Y-%m-%d").to_string())
        .bind(origin_key)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let id: i64 = row.try_get("id")?;
        let mut parties = dispute.parties.clone();
        parties.push(dispute.raised_by_party);
        parties.sort_unstable();
        parties.dedup();
        for party in parties {
            sqlx::query(
                "INSERT INTO dispute_parties (dispute_id, party_id) VALUES ($1, $2) \
                 ON CONFLICT (dispute_id, party_id) DO NOTHING",
            )
            .bind(id)
            .bind(party)
            .execute(&mut *tx)
            .await?;
        }
        let actor = match dispute.raised_by_person {
            Some(person) => format!("person:{person}"),
            None => "polder".to_owned(),
        };
        insert_event(
            &mut tx,
            id,
            "raised",
            0,
            dispute.raised_by_person,
            &actor,
            None,
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Stores the quoted passage of a dispute on a draft passage.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn set_dispute_passage(&self, id: i64, passage: &str) -> Result<(), StorageError> {
        sqlx::query("UPDATE disputes SET passage = $1 WHERE id = $2")
            .bind(passage)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// One dispute with its parties.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_dispute(&self, id: i64) -> Result<Option<Dispute>, StorageError> {
        let row = sqlx::query(&format!("{DISPUTE_SELECT} WHERE d.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut dispute = dispute_from_row(&row)?;
        dispute.parties = self.dispute_parties(&dispute).await?;
        Ok(Some(dispute))
    }

    /// A body's disputes, newest first, optionally only the open ones.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_disputes(
        &self,
        body_id: i64,
        open_only: bool,
    ) -> Result<Vec<Dispute>, StorageError> {
        let filter = if open_only {
            " AND d.status IN ('in_behandeling', 'geescaleerd')"
        } else {
            ""
        };
        let rows = sqlx::query(&format!(
            "{DISPUTE_SELECT} WHERE d.body_id = $1{filter} ORDER BY d.id DESC"
        ))
        .bind(body_id)
        .fetch_all(self.pool())
        .await?;
        let mut disputes = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut dispute = dispute_from_row(row)?;
            dispute.parties = self.dispute_parties(&dispute).await?;
            disputes.push(dispute);
        }
        Ok(disputes)
    }

    /// Every open dispute, for the scheduler.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn open_disputes(&self) -> Result<Vec<Dispute>, StorageError> {
        let rows = sqlx::query(&format!(
            "{DISPUTE_SELECT} WHERE d.status IN ('in_behandeling', 'geescaleerd') ORDER BY d.id"
        ))
        .fetch_all(self.pool())
        .await?;
        let mut disputes = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut dispute = dispute_from_row(row)?;
            dispute.parties = self.dispute_parties(&dispute).await?;
            disputes.push(dispute);
        }
        Ok(disputes)
    }

    async fn dispute_parties(&self, dispute: &Dispute) -> Result<Vec<DisputeParty>, StorageError> {
        let rows = sqlx::query(
            "SELECT dp.party_id, p.code, (SELECT COUNT(*) FROM dispute_positions pos \
             WHERE pos.dispute_id = dp.dispute_id AND pos.party_id = dp.party_id AND pos.level = $2) AS n \
             FROM dispute_parties dp JOIN parties p ON p.id = dp.party_id \
             WHERE dp.dispute_id = $1 ORDER BY p.code",
        )
        .bind(dispute.id)
        .bind(dispute.level)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DisputeParty {
                    party_id: row.try_get("party_id")?,
                    code: row.try_get("code")?,
                    has_position: row.try_get::<i64, _>("n")? > 0,
                })
            })
            .collect()
    }

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
        let at = crate::storage::now_ms();
        let mut tx = self.begin_write().await?;
        if !still_open(&mut tx, dispute.id).await? {
            return Ok(Change::Closed);
        }
        sqlx::query(
            "INSERT INTO dispute_positions (dispute_id, party_id, level, body, stated_by, with_mandate, stated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(dispute.id)
        .bind(party_id)
        .bind(dispute.level)
        .bind(text)
        .bind(person)
        .bind(i64::from(with_mandate))
        .bind(at)
        .execute(&mut *tx)
        .await?;
        let actor = format!("person:{person}");
        let note = format!("party:{party_id}");
        insert_event(
            &mut tx,
            dispute.id,
            "position",
            dispute.level,
            Some(person),
            &actor,
            Some(&note),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(Change::Done)
    }

    /// Adds an option (a possible way out) to an open dispute; returns its id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn add_dispute_option(
        &self,
        dispute: &Dispute,
        title: &str,
        description: &str,
        party_id: Option<i64>,
        person: i64,
    ) -> Result<Option<i64>, StorageError> {
        let at = crate::storage::now_ms();
        let mut tx = self.begin_write().await?;
        if !still_open(&mut tx, dispute.id).await? {
            return Ok(None);
        }
        let row = sqlx::query(
            "INSERT INTO dispute_options (dispute_id, title, description, party_id, proposed_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(dispute.id)
        .bind(title)
        .bind(description)
        .bind(party_id)
        .bind(person)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let actor = format!("person:{person}");
        insert_event(
            &mut tx,
            dispute.id,
            "option",
            dispute.level,
            Some(person),
            &actor,
            Some(title),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Adds a comment to a dispute; returns its id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn add_dispute_comment(
        &self,
        dispute_id: i64,
        person: i64,
        body: &str,
    ) -> Result<i64, StorageError> {
        let row = sqlx::query(
            "INSERT INTO dispute_comments (dispute_id, author_id, body, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(dispute_id)
        .bind(person)
        .bind(body)
        .bind(crate::storage::now_ms())
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Moves an open dispute from `from_level` to the next level of its ladder as of `now`.
    /// Only one of several concurrent escalations from the same level succeeds.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn escalate_dispute(
        &self,
        dispute: &Dispute,
        from_level: i64,
        actor_id: Option<i64>,
        actor: &str,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Change, StorageError> {
        if !OPEN_STATUSES.contains(&dispute.status.as_str()) {
            return Ok(Change::Closed);
        }
        let ladder = self.ladder(dispute.body_id).await?;
        let Some(next) = next_level(&ladder, from_level) else {
            return Ok(Change::AtTop);
        };
        let deadline = respond_by(
            now.date_naive(),
            next.response_days,
            &HolidayRules::default(),
        );
        let at = ms(now);
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE disputes SET level = $1, status = 'geescaleerd', level_since = $2, respond_by = $3, \
             updated_at = $2 WHERE id = $4 AND level = $5 AND status IN ('in_behandeling', 'geescaleerd')",
        )
        .bind(next.level)
        .bind(at)
        .bind(deadline.format("%Y-%m-%d").to_string())
        .bind(dispute.id)
        .bind(from_level)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(Change::Stale);
        }
        let kind = if actor_id.is_some() {
            "escalated"
        } else {
            "escalated_on_timeout"
        };
        insert_event(
            &mut tx, dispute.id, kind, next.level, actor_id, actor, note, at,
        )
        .await?;
        tx.commit().await?;
        Ok(Change::Done)
    }

    /// Closes an open dispute as `besloten` (with the decision) or `ingetrokken`.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn close_dispute(
        &self,
        dispute: &Dispute,
        status: &str,
        text: Option<&str>,
        person: i64,
    ) -> Result<Change, StorageError> {
        let at = crate::storage::now_ms();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE disputes SET status = $1, decision = COALESCE($2, decision), closed_by = $3, \
             closed_at = $4, updated_at = $4 WHERE id = $5 AND status IN ('in_behandeling', 'geescaleerd')",
        )
        .bind(status)
        .bind(if status == "besloten" { text } else { None })
        .bind(person)
        .bind(at)
        .bind(dispute.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(Change::Closed);
        }
        let kind = if status == "besloten" {
            "resolved"
        } else {
            "withdrawn"
        };
        let actor = format!("person:{person}");
        insert_event(
            &mut tx,
            dispute.id,
            kind,
            dispute.level,
            Some(person),
            &actor,
            text,
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(Change::Done)
    }
}

async fn still_open(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
) -> Result<bool, StorageError> {
    let row = sqlx::query(
        "SELECT 1 AS one FROM disputes WHERE id = $1 AND status IN ('in_behandeling', 'geescaleerd')",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.is_some())
}

#[expect(clippy::too_many_arguments)]
async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    dispute_id: i64,
    kind: &str,
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
    .bind(kind)
    .bind(level)
    .bind(actor_id)
    .bind(actor)
    .bind(note)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl SqlStorage {
    /// The body a dispute subject belongs to (`None` when it does not exist).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn dispute_subject_body(
        &self,
        subject_kind: &str,
        subject_id: i64,
    ) -> Result<Option<i64>, StorageError> {
        let table = match subject_kind {
            "milestone" => "milestones",
            "role_agreement" => "role_agreements",
            "draft_passage" => "drafts",
            _ => return Ok(None),
        };
        let row = sqlx::query(&format!("SELECT body_id FROM {table} WHERE id = $1"))
            .bind(subject_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("body_id")).transpose()?)
    }
}
