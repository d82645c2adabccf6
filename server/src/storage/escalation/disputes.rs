//! Disputes (*verschillen van inzicht*): raising and reading them here; positions, options,
//! comments, escalation, decision and withdrawal in [`changes`]. [`SqlStorage::raise_dispute`]
//! opens one on its own, [`insert_dispute`] inside another change's transaction (a role
//! agreement's `niet_akkoord`).
//!
//! Status flow: `in_behandeling` (at level 0) → `geescaleerd` (at a higher level) → `besloten`
//! (resolved with a decision text) or `ingetrokken` (withdrawn). Every change is guarded by the
//! status (and, for escalation, the level) it starts from, so concurrent requests and the
//! scheduler's timeout never escalate one level twice.

pub mod changes;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::AnyConnection;
use sqlx::{Any, Row, Transaction};

use crate::domain::calendar::HolidayRules;
use crate::domain::escalation::{respond_by, DisputeEventKind, DisputeStatus};
use crate::storage::audit::{append_in, Actor};
use crate::storage::{get_decoded, SqlStorage, StorageError};

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

pub use crate::domain::dispute::{Dispute, DisputeParty};

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
        status: get_decoded(row, "status", DisputeStatus::parse)?,
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

/// The answer a `niet_akkoord` dispute is opened for: the row that keeps the dispute's id.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Refusal {
    /// A party's sign-off on a role agreement (`sign_offs`).
    SignOff(i64),
    /// A party's answer in an endorsement round (`endorsements`).
    Endorsement(i64),
}

/// Opens the dispute of a `niet_akkoord` in a savepoint of `tx`, with the passage it is about
/// (if any), and notes it on the answer. On failure only the savepoint is rolled back, so the
/// party's answer stays (docs/DOMAIN.md §4 and §15).
///
/// # Errors
/// Storage errors, and `respond_by`'s own.
pub(crate) async fn open_refusal_dispute(
    tx: &mut Transaction<'_, Any>,
    dispute: &NewDispute,
    passage: Option<&str>,
    respond_by: Result<NaiveDate, StorageError>,
    now: DateTime<Utc>,
    refusal: Refusal,
) -> Result<i64, StorageError> {
    let respond_by = respond_by?;
    let (note, answer) = match refusal {
        Refusal::SignOff(id) => ("UPDATE sign_offs SET dispute_id = $1 WHERE id = $2", id),
        Refusal::Endorsement(id) => ("UPDATE endorsements SET dispute_id = $1 WHERE id = $2", id),
    };
    let mut savepoint = sqlx::Connection::begin(&mut **tx).await?;
    let opened = async {
        let id = insert_dispute(&mut savepoint, dispute, respond_by, now, None)
            .await?
            .ok_or(StorageError::AlreadyExists("dispute"))?;
        if passage.is_some() {
            sqlx::query("UPDATE disputes SET passage = $1 WHERE id = $2")
                .bind(passage)
                .bind(id)
                .execute(&mut *savepoint)
                .await?;
        }
        sqlx::query(note)
            .bind(id)
            .bind(answer)
            .execute(&mut *savepoint)
            .await?;
        Ok::<_, StorageError>(id)
    }
    .await;
    match opened {
        Ok(id) => {
            savepoint.commit().await?;
            Ok(id)
        }
        Err(error) => {
            savepoint.rollback().await?;
            Err(error)
        }
    }
}

/// Inserts an open dispute at the first level of its ladder inside `tx`, with its parties and
/// its `raised` event; `respond_by` is the last day to respond at that level. With an
/// `origin_key` it is opened at most once: `None` when one with that key exists already.
///
/// # Errors
/// Storage errors.
pub(crate) async fn insert_dispute(
    tx: &mut Transaction<'_, Any>,
    dispute: &NewDispute,
    respond_by: NaiveDate,
    now: DateTime<Utc>,
    origin_key: Option<&str>,
) -> Result<Option<i64>, StorageError> {
    let at = ms(now);
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
    .bind(respond_by.format("%Y-%m-%d").to_string())
    .bind(origin_key)
    .fetch_optional(&mut **tx)
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
        .execute(&mut **tx)
        .await?;
    }
    let actor = match dispute.raised_by_person {
        Some(person) => format!("person:{person}"),
        None => "polder".to_owned(),
    };
    changes::insert_event(
        tx,
        id,
        DisputeEventKind::Raised,
        0,
        dispute.raised_by_person,
        &actor,
        None,
        at,
    )
    .await?;
    Ok(Some(id))
}

impl SqlStorage {
    /// Opens a dispute at the first level of its body's ladder; returns its id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn raise_dispute(&self, dispute: &NewDispute) -> Result<i64, StorageError> {
        self.raise_dispute_at(dispute, Utc::now(), None, None)
            .await?
            .ok_or(StorageError::AlreadyExists("dispute"))
    }

    /// The last day to respond to a dispute raised in `body_id` at `now`, at the first level
    /// of its ladder.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn first_respond_by(
        &self,
        body_id: i64,
        now: DateTime<Utc>,
    ) -> Result<NaiveDate, StorageError> {
        let ladder = self.ladder(body_id).await?;
        let days = ladder.first().map_or(10, |l| l.response_days);
        Ok(respond_by(
            crate::domain::dutch_time::date_of(now),
            days,
            &HolidayRules::default(),
        ))
    }

    /// Opens a dispute as of `now`. With an `origin_key` (e.g. `milestone-overdue:12`) it is
    /// opened at most once: `None` when one with that key exists already. With `audit`, an
    /// actor, an action and a subject object, the audit entry (its subject with the new
    /// dispute's id as `dispute`) is appended in the same transaction.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn raise_dispute_at(
        &self,
        dispute: &NewDispute,
        now: DateTime<Utc>,
        origin_key: Option<&str>,
        audit: Option<(&Actor, &str, serde_json::Value)>,
    ) -> Result<Option<i64>, StorageError> {
        let deadline = self.first_respond_by(dispute.body_id, now).await?;
        let mut tx = self.begin_write().await?;
        let id = insert_dispute(&mut tx, dispute, deadline, now, origin_key).await?;
        if let Some(id) = id {
            if let Some((by, action, mut subject)) = audit {
                subject["dispute"] = id.into();
                append_in(&mut tx, self.backend(), by, action, &subject).await?;
            }
            tx.commit().await?;
        }
        Ok(id)
    }

    /// Opens a dispute raised by a person, with the quoted passage of a dispute on a draft
    /// passage, the options proposed with it (each with its `dispute.option` entry) and the
    /// `dispute.raise` audit entry, in one transaction; returns it.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn raise_dispute_by(
        &self,
        dispute: &NewDispute,
        passage: Option<&str>,
        options: &[changes::NewOption<'_>],
        by: &Actor,
    ) -> Result<Dispute, StorageError> {
        let now = Utc::now();
        let deadline = self.first_respond_by(dispute.body_id, now).await?;
        let mut tx = self.begin_write().await?;
        let id = insert_dispute(&mut tx, dispute, deadline, now, None)
            .await?
            .ok_or(StorageError::AlreadyExists("dispute"))?;
        if let Some(passage) = passage {
            sqlx::query("UPDATE disputes SET passage = $1 WHERE id = $2")
                .bind(passage)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let subject = serde_json::json!({ "dispute": id, "body": dispute.body_id });
        append_in(&mut tx, self.backend(), by, "dispute.raise", &subject).await?;
        if let Some(person) = dispute.raised_by_person {
            let at = ms(now);
            for option in options {
                let option_id =
                    changes::insert_option_in(&mut tx, (id, 0), *option, person, at).await?;
                let subject = serde_json::json!({ "dispute": id, "option": option_id });
                append_in(&mut tx, self.backend(), by, "dispute.option", &subject).await?;
            }
        }
        let raised = load_dispute(&mut tx, id)
            .await?
            .ok_or(StorageError::AlreadyExists("dispute"))?;
        tx.commit().await?;
        Ok(raised)
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
        let mut conn = self.pool().acquire().await?;
        load_dispute(&mut conn, id).await
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
        let mut conn = self.pool().acquire().await?;
        let mut disputes = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut dispute = dispute_from_row(row)?;
            dispute.parties = dispute_parties(&mut conn, &dispute).await?;
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
        let mut conn = self.pool().acquire().await?;
        let mut disputes = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut dispute = dispute_from_row(row)?;
            dispute.parties = dispute_parties(&mut conn, &dispute).await?;
            disputes.push(dispute);
        }
        Ok(disputes)
    }
}

/// One dispute with its parties, read on `conn` (a transaction's connection, say).
pub(crate) async fn load_dispute(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Dispute>, StorageError> {
    let row = sqlx::query(&format!("{DISPUTE_SELECT} WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut dispute = dispute_from_row(&row)?;
    dispute.parties = dispute_parties(conn, &dispute).await?;
    Ok(Some(dispute))
}

async fn dispute_parties(
    conn: &mut AnyConnection,
    dispute: &Dispute,
) -> Result<Vec<DisputeParty>, StorageError> {
    let rows = sqlx::query(
        "SELECT dp.party_id, p.code, (SELECT COUNT(*) FROM dispute_positions pos \
         WHERE pos.dispute_id = dp.dispute_id AND pos.party_id = dp.party_id AND pos.level = $2) AS n \
         FROM dispute_parties dp JOIN parties p ON p.id = dp.party_id \
         WHERE dp.dispute_id = $1 ORDER BY p.code",
    )
    .bind(dispute.id)
    .bind(dispute.level)
    .fetch_all(conn)
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
