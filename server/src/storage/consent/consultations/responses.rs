//! The invited organisations' responses: a text, comments optionally anchored to a quote of
//! the version, and one attachment. A new response of an organisation supersedes its earlier
//! one (kept, with `superseded_at`); lists show the current responses.

use serde::Serialize;
use sqlx::Row;

use super::Invitee;
use crate::storage::audit::{append_in, Actor};
use crate::storage::{now_ms, SqlStorage, StorageError};

/// A comment of a response.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[schema(as = ResponseComment)]
pub struct Comment {
    /// The passage of the version it is about, if any.
    pub quote: Option<String>,
    /// The comment.
    pub body: String,
}

/// A response's attachment, described.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Attachment {
    /// File name.
    pub name: String,
    /// Media type, as its bytes showed.
    #[serde(rename = "type")]
    pub media_type: String,
    /// Size in bytes.
    pub size: i64,
    /// Hex SHA-256 of the file.
    pub sha256: String,
}

/// A response as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Response {
    /// Database id.
    pub id: i64,
    /// The invitee who responded.
    pub invitee_id: i64,
    /// Their organisation.
    pub organisation: String,
    /// The response.
    pub text: String,
    /// Its comments, in order.
    pub comments: Vec<Comment>,
    /// Its attachment.
    pub attachment: Option<Attachment>,
    /// Who submitted it.
    pub submitted_by_name: Option<String>,
    /// Unix ms.
    pub submitted_at: i64,
}

/// A file to store with a response.
pub struct NewAttachment<'a> {
    /// Safe file name.
    pub name: &'a str,
    /// Media type.
    pub media_type: &'a str,
    /// The bytes.
    pub bytes: &'a [u8],
    /// Hex SHA-256 of the bytes.
    pub sha256: &'a str,
}

/// A response to store.
pub struct NewResponse<'a> {
    /// The text.
    pub text: &'a str,
    /// The comments.
    pub comments: &'a [Comment],
    /// The attachment.
    pub attachment: Option<NewAttachment<'a>>,
    /// Who submits.
    pub by: i64,
}

/// A stored attachment with what access to it depends on.
pub struct StoredAttachment {
    /// The consultation.
    pub consultation_id: i64,
    /// The responding organisation.
    pub organisation: String,
    /// File name.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

const SELECT: &str = "SELECT r.id, r.invitee_id, i.organisation, r.text, r.attachment_name, \
     r.attachment_type, r.attachment_sha256, CAST(LENGTH(r.attachment) AS BIGINT) AS attachment_size, \
     u.name AS submitted_by_name, r.submitted_at \
     FROM consultation_responses r JOIN consultation_invitees i ON i.id = r.invitee_id \
     LEFT JOIN users u ON u.id = r.submitted_by";

fn from_row(row: &sqlx::any::AnyRow) -> Result<Response, StorageError> {
    let name: Option<String> = row.try_get("attachment_name")?;
    let attachment = match name {
        Some(name) => Some(Attachment {
            name,
            media_type: row
                .try_get::<Option<String>, _>("attachment_type")?
                .unwrap_or_default(),
            size: row
                .try_get::<Option<i64>, _>("attachment_size")?
                .unwrap_or(0),
            sha256: row
                .try_get::<Option<String>, _>("attachment_sha256")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Response {
        id: row.try_get("id")?,
        invitee_id: row.try_get("invitee_id")?,
        organisation: row.try_get("organisation")?,
        text: row.try_get("text")?,
        comments: Vec::new(),
        attachment,
        submitted_by_name: row.try_get("submitted_by_name")?,
        submitted_at: row.try_get("submitted_at")?,
    })
}

impl SqlStorage {
    /// Stores an organisation's response, superseding its current one, with the
    /// `consultation.respond` audit entry, in one transaction.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn respond(
        &self,
        consultation_id: i64,
        invitee: &Invitee,
        new: &NewResponse<'_>,
        actor: &Actor,
    ) -> Result<Response, StorageError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let superseded = sqlx::query(
            "UPDATE consultation_responses SET superseded_at = $1 \
             WHERE consultation_id = $2 AND superseded_at IS NULL AND invitee_id IN \
             (SELECT id FROM consultation_invitees WHERE consultation_id = $2 AND organisation = $3)",
        )
        .bind(now)
        .bind(consultation_id)
        .bind(&invitee.organisation)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let attachment = new.attachment.as_ref();
        let row = sqlx::query(
            "INSERT INTO consultation_responses (consultation_id, invitee_id, text, attachment_name, \
             attachment_type, attachment, attachment_sha256, submitted_by, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(consultation_id)
        .bind(invitee.id)
        .bind(new.text)
        .bind(attachment.map(|a| a.name))
        .bind(attachment.map(|a| a.media_type))
        .bind(attachment.map(|a| a.bytes.to_vec()))
        .bind(attachment.map(|a| a.sha256))
        .bind(new.by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        for (position, comment) in new.comments.iter().enumerate() {
            sqlx::query(
                "INSERT INTO consultation_comments (response_id, quote, body, position) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(comment.quote.as_deref())
            .bind(&comment.body)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
        let subject = serde_json::json!({
            "consultation": consultation_id, "response": id, "invitee": invitee.id,
            "organisation": invitee.organisation, "comments": new.comments.len(),
            "attachment_sha256": attachment.map(|a| a.sha256), "superseded": superseded,
        });
        append_in(
            &mut tx,
            self.backend(),
            actor,
            "consultation.respond",
            &subject,
        )
        .await?;
        let row = sqlx::query(&format!("{SELECT} WHERE r.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let mut response = from_row(&row)?;
        tx.commit().await?;
        response.comments = new.comments.to_vec();
        Ok(response)
    }

    /// The current responses of a consultation, of one organisation when given, in order of
    /// submission.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_responses(
        &self,
        consultation_id: i64,
        organisation: Option<&str>,
    ) -> Result<Vec<Response>, StorageError> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE r.consultation_id = $1 AND r.superseded_at IS NULL \
             AND (i.organisation = $2 OR $3 = 1) ORDER BY r.id LIMIT 1000"
        ))
        .bind(consultation_id)
        .bind(organisation.unwrap_or_default())
        .bind(i64::from(organisation.is_none()))
        .fetch_all(self.pool())
        .await?;
        let mut responses = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        for response in &mut responses {
            let rows = sqlx::query(
                "SELECT quote, body FROM consultation_comments WHERE response_id = $1 ORDER BY position",
            )
            .bind(response.id)
            .fetch_all(self.pool())
            .await?;
            response.comments = rows
                .iter()
                .map(|r| {
                    Ok(Comment {
                        quote: r.try_get("quote")?,
                        body: r.try_get("body")?,
                    })
                })
                .collect::<Result<_, sqlx::Error>>()?;
        }
        Ok(responses)
    }

    /// A response's attachment, if it has one.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn response_attachment(
        &self,
        response_id: i64,
    ) -> Result<Option<StoredAttachment>, StorageError> {
        let row = sqlx::query(
            "SELECT r.consultation_id, i.organisation, r.attachment_name, r.attachment_type, r.attachment \
             FROM consultation_responses r JOIN consultation_invitees i ON i.id = r.invitee_id \
             WHERE r.id = $1 AND r.attachment_name IS NOT NULL",
        )
        .bind(response_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(StoredAttachment {
                consultation_id: r.try_get("consultation_id")?,
                organisation: r.try_get("organisation")?,
                name: r.try_get("attachment_name")?,
                media_type: r
                    .try_get::<Option<String>, _>("attachment_type")?
                    .unwrap_or_default(),
                bytes: r.try_get("attachment")?,
            })
        })
        .transpose()
    }
}
