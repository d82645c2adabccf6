//! Consultation rounds, their invitees (guest accounts) and responses (docs/DOMAIN.md §16).
//!
//! - this module: the consultation itself, its summary draft and the demo's consultation;
//! - [`invitees`]: invited organisations, guest accounts and their sign-in links;
//! - [`responses`]: the organisations' responses, with comments and an attachment;
//! - [`withdraw`]: withdrawing a consultation and planning its invitees' notice.
//!
//! Every change is one transaction with its audit entry. A consultation's status is read
//! from its dates on the Dutch calendar day of the read; only `ingetrokken` is stored.

pub mod invitees;
pub mod responses;
pub mod withdraw;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;

use crate::domain::consultation::{self, Status};
use crate::domain::dutch_time;
use crate::storage::audit::{append_in, Actor};
use crate::storage::drafts::{insert_draft, NewDraft};
use crate::storage::{now_ms, SqlStorage, StorageError};

pub use invitees::{GuestLink, Invitation, Invitee, NewInvitee};
pub use responses::{Attachment, Comment, NewAttachment, NewResponse, Response, StoredAttachment};

/// Why a consultation change was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConsultationError {
    /// It conflicts with the current state; the message says what to do.
    #[error("{0}")]
    Conflict(String),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for ConsultationError {
    fn from(err: sqlx::Error) -> Self {
        ConsultationError::Storage(err.into())
    }
}

/// A consultation as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Consultation {
    /// Database id.
    pub id: i64,
    /// The draft whose version is consulted on.
    pub draft_id: i64,
    /// The draft's body.
    pub body_id: i64,
    /// Its name.
    pub body_name: String,
    /// The draft's title.
    pub draft_title: String,
    /// The version consulted on.
    pub version_id: i64,
    /// Its name.
    pub version_name: String,
    /// Its content hash.
    pub content_hash: String,
    /// Title.
    pub title: String,
    /// The question put to the invitees.
    pub question: String,
    /// Status on today's Dutch date.
    pub status: Status,
    /// First day responses are accepted (`YYYY-MM-DD`), if not at once.
    pub opens_on: Option<String>,
    /// Last day responses are accepted (`YYYY-MM-DD`).
    pub closes_on: String,
    /// The secretariat's summary of the responses, a draft of its own.
    pub summary_draft_id: Option<i64>,
    /// Invitees: all for body readers, only their own for an invitee.
    pub invitees: Vec<Invitee>,
    /// How many organisations have a current response.
    pub responses_count: i64,
    /// The caller's own invitation, if they are invited.
    pub my_invitee_id: Option<i64>,
    /// Unix ms of its creation.
    pub created_at: i64,
}

impl Consultation {
    /// The opening date, parsed.
    pub fn opens(&self) -> Option<NaiveDate> {
        self.opens_on.as_deref().and_then(|d| d.parse().ok())
    }

    /// The closing date, parsed.
    pub fn closes(&self) -> NaiveDate {
        self.closes_on.parse().unwrap_or(NaiveDate::MIN)
    }
}

/// A consultation to create.
pub struct NewConsultation<'a> {
    /// The draft.
    pub draft_id: i64,
    /// Its body.
    pub body_id: i64,
    /// The version.
    pub version_id: i64,
    /// Its content hash.
    pub content_hash: &'a str,
    /// Title.
    pub title: &'a str,
    /// Question.
    pub question: &'a str,
    /// Opening date.
    pub opens_on: Option<NaiveDate>,
    /// Closing date.
    pub closes_on: NaiveDate,
    /// Who creates it.
    pub by: i64,
}

const SELECT: &str = "SELECT c.id, c.draft_id, c.body_id, b.name AS body_name, d.title AS draft_title, \
     c.version_id, v.name AS version_name, c.content_hash, c.title, c.question, c.status, c.opens_on, \
     c.closes_on, c.summary_draft_id, c.created_at, \
     (SELECT COUNT(*) FROM consultation_responses r WHERE r.consultation_id = c.id \
      AND r.superseded_at IS NULL) AS responses_count \
     FROM consultations c JOIN bodies b ON b.id = c.body_id JOIN drafts d ON d.id = c.draft_id \
     JOIN versions v ON v.id = c.version_id";

fn from_row(row: &sqlx::any::AnyRow, today: NaiveDate) -> Result<Consultation, StorageError> {
    let stored: String = row.try_get("status")?;
    let opens_on: Option<String> = row.try_get("opens_on")?;
    let closes_on: String = row.try_get("closes_on")?;
    let closes = closes_on.parse().map_err(|_| StorageError::Corrupt {
        column: "closes_on",
        value: closes_on.clone(),
    })?;
    let opens = opens_on.as_deref().and_then(|d| d.parse().ok());
    Ok(Consultation {
        id: row.try_get("id")?,
        draft_id: row.try_get("draft_id")?,
        body_id: row.try_get("body_id")?,
        body_name: row.try_get("body_name")?,
        draft_title: row.try_get("draft_title")?,
        version_id: row.try_get("version_id")?,
        version_name: row.try_get("version_name")?,
        content_hash: row.try_get("content_hash")?,
        title: row.try_get("title")?,
        question: row.try_get("question")?,
        status: consultation::status(stored == "ingetrokken", opens, closes, today),
        opens_on,
        closes_on,
        summary_draft_id: row.try_get("summary_draft_id")?,
        invitees: Vec::new(),
        responses_count: row.try_get("responses_count")?,
        my_invitee_id: None,
        created_at: row.try_get("created_at")?,
    })
}

impl SqlStorage {
    /// Creates a consultation with its `consultation.create` audit entry.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_consultation(
        &self,
        new: &NewConsultation<'_>,
        actor: &Actor,
    ) -> Result<Consultation, StorageError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO consultations (draft_id, body_id, version_id, content_hash, title, question, \
             status, opens_on, closes_on, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        )
        .bind(new.draft_id)
        .bind(new.body_id)
        .bind(new.version_id)
        .bind(new.content_hash)
        .bind(new.title)
        .bind(new.question)
        .bind(if new.opens_on.is_some() {
            "aangekondigd"
        } else {
            "open"
        })
        .bind(new.opens_on.map(|d| d.to_string()))
        .bind(new.closes_on.to_string())
        .bind(new.by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let subject = serde_json::json!({
            "consultation": id, "draft": new.draft_id, "version": new.version_id,
            "closes_on": new.closes_on.to_string(),
        });
        append_in(
            &mut tx,
            self.backend(),
            actor,
            "consultation.create",
            &subject,
        )
        .await?;
        tx.commit().await?;
        self.find_consultation(id)
            .await?
            .ok_or(StorageError::Corrupt {
                column: "consultations.id",
                value: id.to_string(),
            })
    }

    /// One consultation, its status read on today's Dutch date.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_consultation(&self, id: i64) -> Result<Option<Consultation>, StorageError> {
        let row = sqlx::query(&format!("{SELECT} WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| from_row(&r, dutch_time::today())).transpose()
    }

    /// A draft's consultations, newest first.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_consultations(
        &self,
        draft_id: i64,
    ) -> Result<Vec<Consultation>, StorageError> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE c.draft_id = $1 ORDER BY c.id DESC LIMIT 200"
        ))
        .bind(draft_id)
        .fetch_all(self.pool())
        .await?;
        let today = dutch_time::today();
        rows.iter().map(|r| from_row(r, today)).collect()
    }

    /// Every consultation that is not withdrawn and closes on or after `since` (for the
    /// scheduler), at most 1,000.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn consultations_closing_from(
        &self,
        since: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<Consultation>, StorageError> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE c.status <> 'ingetrokken' AND c.closes_on >= $1 ORDER BY c.id LIMIT 1000"
        ))
        .bind(since.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| from_row(r, today)).collect()
    }

    /// Creates the summary-of-responses draft of a consultation in its body, once, with the
    /// `draft.create` and `consultation.summary` audit entries; returns the draft's id.
    ///
    /// # Errors
    /// [`ConsultationError::Conflict`] when the summary exists; storage errors.
    pub async fn create_consultation_summary(
        &self,
        consultation: &Consultation,
        doc_id: &str,
        by: i64,
        actor: &Actor,
    ) -> Result<i64, ConsultationError> {
        let mut tx = self.begin_write().await?;
        let title = format!("Samenvatting reacties: {}", consultation.title);
        let template = serde_json::json!({});
        let new = NewDraft {
            body_id: consultation.body_id,
            doc_id,
            title: &title,
            template: &template,
            by,
        };
        let draft = insert_draft(&mut tx, &new, &actor.name).await?;
        let linked = sqlx::query(
            "UPDATE consultations SET summary_draft_id = $1, updated_at = $2 \
             WHERE id = $3 AND summary_draft_id IS NULL",
        )
        .bind(draft)
        .bind(now_ms())
        .bind(consultation.id)
        .execute(&mut *tx)
        .await?;
        if linked.rows_affected() == 0 {
            tx.rollback().await?;
            return Err(ConsultationError::Conflict(
                "the summary of responses already exists; open that draft".into(),
            ));
        }
        let subject =
            serde_json::json!({ "draft": draft, "body": consultation.body_id, "doc": doc_id });
        append_in(&mut tx, self.backend(), actor, "draft.create", &subject).await?;
        let subject = serde_json::json!({ "consultation": consultation.id, "draft": draft });
        append_in(
            &mut tx,
            self.backend(),
            actor,
            "consultation.summary",
            &subject,
        )
        .await?;
        tx.commit().await?;
        Ok(draft)
    }
}

/// The demo draft's document (as in `crate::demo`).
const DEMO_DOC_ID: &str = "advies-beter-pakketbeheer";

/// The demo's part of this module (see [`super::demo`]): a consultation on the demo draft's
/// latest version (made here when there is none yet), closing six weeks from today, with
/// the paediatricians' association invited through the guest `gast@nvk.demo`, who signs in
/// with the demo password like every demo person.
///
/// # Errors
/// Storage errors.
pub async fn demo_seed(db: &SqlStorage) -> Result<(), StorageError> {
    let Some(row) = sqlx::query("SELECT id, body_id, created_by FROM drafts WHERE doc_id = $1")
        .bind(DEMO_DOC_ID)
        .fetch_optional(db.pool())
        .await?
    else {
        return Ok(());
    };
    let draft: i64 = row.try_get("id")?;
    let body: i64 = row.try_get("body_id")?;
    let chair: i64 = row.try_get("created_by")?;
    let exists = sqlx::query("SELECT id FROM consultations WHERE draft_id = $1")
        .bind(draft)
        .fetch_optional(db.pool())
        .await?;
    if exists.is_some() {
        return Ok(());
    }
    let actor = Actor {
        name: "demo".into(),
        party: None,
    };
    let by = (chair, &actor);
    let latest = super::demo::latest_version(db, draft, DEMO_DOC_ID, "consultatieversie", by);
    let Some(version) = latest.await? else {
        return Ok(());
    };
    let today = dutch_time::today();
    let consultation = db
        .create_consultation(
            &NewConsultation {
                draft_id: draft,
                body_id: body,
                version_id: version.id,
                content_hash: &version.content_hash,
                title: "Consultatie advies Beter pakketbeheer",
                question: "Herkent u zich in de voorgestelde rolverdeling in het pakketbeheer? \
                           Wat mist u?",
                opens_on: None,
                closes_on: today + chrono::Days::new(42),
                by: chair,
            },
            &actor,
        )
        .await?;
    // demo people share one password; the guest signs in with it too
    let password: Option<String> = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
        .bind(chair)
        .fetch_optional(db.pool())
        .await?
        .map(|r| r.try_get("password_hash"))
        .transpose()?;
    db.invite(
        &consultation,
        &NewInvitee {
            party_id: None,
            organisation: "Nederlandse Vereniging voor Kindergeneeskunde (NVK)",
            email: "gast@nvk.demo",
            name: "Noor de Vries",
            guest_password_hash: password.as_deref().unwrap_or(invitees::NO_PASSWORD),
            link: None,
            by: chair,
        },
        &actor,
    )
    .await
    .map_err(|e| match e {
        ConsultationError::Storage(s) => s,
        ConsultationError::Conflict(m) => StorageError::Corrupt {
            column: "consultation_invitees",
            value: m,
        },
    })?;
    Ok(())
}
