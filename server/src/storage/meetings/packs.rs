//! Meeting packs (stukken) as they were sent: one PDF and one DOCX with their hashes, and the
//! sources a pack is made from (the linked versions, the body's open decision requests and
//! its milestones).

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::storage::audit::{append_in, Actor};
use crate::storage::governance::milestones::{Milestone, MilestoneFilter};
use crate::storage::{now_ms, SqlStorage, StorageError};

/// A pack as sent.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct MeetingPack {
    /// Id.
    pub id: i64,
    /// The meeting.
    pub meeting_id: i64,
    /// When it was sent, Unix ms.
    pub sent_at: i64,
    /// Who sent it (their name), if still known.
    pub sent_by: Option<String>,
    /// Hex SHA-256 of the PDF.
    pub pdf_sha256: String,
    /// Hex SHA-256 of the DOCX.
    pub docx_sha256: String,
    /// Size of the PDF in bytes.
    pub pdf_bytes: i64,
    /// Size of the DOCX in bytes.
    pub docx_bytes: i64,
}

/// A pack's file with the meeting and body it belongs to.
#[derive(Debug, Clone)]
pub struct PackFile {
    /// The meeting.
    pub meeting_id: i64,
    /// The meeting's body.
    pub body_id: i64,
    /// The meeting's title.
    pub title: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// A linked version's text for the pack.
#[derive(Debug, Clone)]
pub struct PackVersionSource {
    /// The version.
    pub version_id: i64,
    /// The draft's title.
    pub draft_title: String,
    /// The version's name.
    pub name: String,
    /// The status the draft entered with it.
    pub status: String,
    /// Its content hash.
    pub content_hash: String,
    /// Its encoded state.
    pub state: Vec<u8>,
}

/// An open decision request of the body, for the pack.
#[derive(Debug, Clone)]
pub struct PackRequestSource {
    /// Title.
    pub title: String,
    /// The question.
    pub question: String,
    /// The options.
    pub options: Vec<String>,
    /// Deadline.
    pub deadline: Option<String>,
    /// Status.
    pub status: String,
}

const PACK_SELECT: &str = "SELECT p.id, p.meeting_id, p.sent_at, u.name AS sent_by, p.pdf_sha256, \
     p.docx_sha256, LENGTH(p.pdf) AS pdf_bytes, LENGTH(p.docx) AS docx_bytes \
     FROM meeting_packs p LEFT JOIN users u ON u.id = p.sent_by";

fn pack_from_row(row: &sqlx::any::AnyRow) -> Result<MeetingPack, StorageError> {
    Ok(MeetingPack {
        id: row.try_get("id")?,
        meeting_id: row.try_get("meeting_id")?,
        sent_at: row.try_get("sent_at")?,
        sent_by: row.try_get("sent_by")?,
        pdf_sha256: row.try_get("pdf_sha256")?,
        docx_sha256: row.try_get("docx_sha256")?,
        pdf_bytes: row.try_get::<Option<i64>, _>("pdf_bytes")?.unwrap_or(0),
        docx_bytes: row.try_get::<Option<i64>, _>("docx_bytes")?.unwrap_or(0),
    })
}

/// A meeting's packs, newest first.
pub(super) async fn select_packs(
    conn: &mut AnyConnection,
    meeting_id: i64,
) -> Result<Vec<MeetingPack>, StorageError> {
    let rows = sqlx::query(&format!(
        "{PACK_SELECT} WHERE p.meeting_id = $1 ORDER BY p.id DESC LIMIT 100"
    ))
    .bind(meeting_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(pack_from_row).collect()
}

/// The pack's two files with their hashes.
#[derive(Debug, Clone)]
pub struct RenderedPack {
    /// The PDF.
    pub pdf: Vec<u8>,
    /// The DOCX.
    pub docx: Vec<u8>,
    /// Hex SHA-256 of the PDF.
    pub pdf_sha256: String,
    /// Hex SHA-256 of the DOCX.
    pub docx_sha256: String,
}

impl SqlStorage {
    /// Stores a sent pack with its `meeting.send_pack` audit entry (the event that tells the
    /// body's members and observers).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn store_pack(
        &self,
        (meeting_id, body_id): (i64, i64),
        pack: &RenderedPack,
        note: Option<&str>,
        sent_by: Option<i64>,
        by: &Actor,
    ) -> Result<MeetingPack, StorageError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO meeting_packs (meeting_id, pdf, docx, pdf_sha256, docx_sha256, sent_by, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(meeting_id)
        .bind(&pack.pdf)
        .bind(&pack.docx)
        .bind(&pack.pdf_sha256)
        .bind(&pack.docx_sha256)
        .bind(sent_by)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let subject = serde_json::json!({
            "body": body_id,
            "meeting": meeting_id,
            "pack": id,
            "note": note,
        });
        append_in(&mut tx, self.backend(), by, "meeting.send_pack", &subject).await?;
        let row = sqlx::query(&format!("{PACK_SELECT} WHERE p.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let stored = pack_from_row(&row)?;
        tx.commit().await?;
        Ok(stored)
    }

    /// One pack (without its files).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_pack(&self, id: i64) -> Result<Option<MeetingPack>, StorageError> {
        let row = sqlx::query(&format!("{PACK_SELECT} WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(pack_from_row).transpose()
    }

    /// A pack's PDF (`docx` false) or DOCX, with its meeting and body.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn pack_file(&self, id: i64, docx: bool) -> Result<Option<PackFile>, StorageError> {
        let column = if docx { "p.docx" } else { "p.pdf" };
        let row = sqlx::query(&format!(
            "SELECT p.meeting_id, m.body_id, m.title, {column} AS bytes FROM meeting_packs p \
             JOIN meetings m ON m.id = p.meeting_id WHERE p.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(PackFile {
                meeting_id: row.try_get("meeting_id")?,
                body_id: row.try_get("body_id")?,
                title: row.try_get("title")?,
                bytes: row.try_get("bytes")?,
            })
        })
        .transpose()
    }

    /// The PDF of a pack if it is smaller than `max_bytes` (for an e-mail attachment).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn pack_pdf_below(
        &self,
        id: i64,
        max_bytes: i64,
    ) -> Result<Option<Vec<u8>>, StorageError> {
        let row = sqlx::query("SELECT pdf FROM meeting_packs WHERE id = $1 AND LENGTH(pdf) < $2")
            .bind(id)
            .bind(max_bytes)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("pdf")).transpose()?)
    }

    /// The versions linked on a meeting's agenda, in agenda order, each once.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn pack_versions(
        &self,
        meeting_id: i64,
    ) -> Result<Vec<PackVersionSource>, StorageError> {
        let rows = sqlx::query(
            "SELECT v.id, d.title AS draft_title, v.name, v.status, v.content_hash, v.state \
             FROM (SELECT version_id, MIN(position) AS first FROM agenda_items \
             WHERE meeting_id = $1 AND version_id IS NOT NULL GROUP BY version_id) a \
             JOIN versions v ON v.id = a.version_id JOIN drafts d ON d.id = v.draft_id \
             ORDER BY a.first LIMIT 20",
        )
        .bind(meeting_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PackVersionSource {
                    version_id: row.try_get("id")?,
                    draft_title: row.try_get("draft_title")?,
                    name: row.try_get("name")?,
                    status: row.try_get("status")?,
                    content_hash: row.try_get("content_hash")?,
                    state: row.try_get("state")?,
                })
            })
            .collect()
    }

    /// The open (and held-over) decision requests of a body, oldest first.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn pack_requests(
        &self,
        body_id: i64,
    ) -> Result<Vec<PackRequestSource>, StorageError> {
        let rows = sqlx::query(
            "SELECT title, question, options, deadline, status FROM decision_requests \
             WHERE body_id = $1 AND status IN ('open', 'aangehouden') ORDER BY id LIMIT 200",
        )
        .bind(body_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let options: String = row.try_get("options")?;
                Ok(PackRequestSource {
                    title: row.try_get("title")?,
                    question: row.try_get("question")?,
                    options: serde_json::from_str(&options).unwrap_or_default(),
                    deadline: row.try_get("deadline")?,
                    status: row.try_get("status")?,
                })
            })
            .collect()
    }

    /// The milestones of a body, for the pack's milestone status.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn pack_milestones(&self, body_id: i64) -> Result<Vec<Milestone>, StorageError> {
        let filter = MilestoneFilter {
            party_id: None,
            action_line_id: None,
        };
        self.list_milestones(body_id, filter).await
    }
}
