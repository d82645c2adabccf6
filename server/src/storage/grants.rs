//! Roles on documents: explicit grants, and the role a body membership gives on its drafts.

use polder_shared::DocId;
use sqlx::Row;

use super::{SqlStorage, StorageError};

/// The role a person has on one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocRole {
    /// May read and follow the document.
    Reader,
    /// May also change it.
    Writer,
}

impl DocRole {
    /// The role's name in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DocRole::Reader => "reader",
            DocRole::Writer => "writer",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "reader" => Some(DocRole::Reader),
            "writer" => Some(DocRole::Writer),
            _ => None,
        }
    }
}

impl SqlStorage {
    /// Gives a person a role on a document (replacing any earlier role).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn grant_document(
        &self,
        doc_id: &DocId,
        user_id: i64,
        role: DocRole,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO document_members (doc_id, user_id, role) VALUES ($1, $2, $3) \
             ON CONFLICT (doc_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(doc_id.as_str())
        .bind(user_id)
        .bind(role.as_str())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The role a person has on a document, if any.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn document_role(
        &self,
        doc_id: &DocId,
        user_id: i64,
    ) -> Result<Option<DocRole>, StorageError> {
        // An explicit grant, or the role in the body whose draft this document is.
        let rows = sqlx::query(
            "SELECT role FROM document_members WHERE doc_id = $1 AND user_id = $2 \
             UNION ALL \
             SELECT CASE WHEN m.role = 'observer' THEN 'reader' ELSE 'writer' END AS role \
             FROM drafts d JOIN memberships m ON m.body_id = d.body_id \
             WHERE d.doc_id = $1 AND m.user_id = $2",
        )
        .bind(doc_id.as_str())
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        let mut best = None;
        for row in rows {
            let role: String = row.try_get("role")?;
            match DocRole::parse(&role) {
                Some(DocRole::Writer) => return Ok(Some(DocRole::Writer)),
                Some(DocRole::Reader) => best = Some(DocRole::Reader),
                None => {}
            }
        }
        Ok(best)
    }
}
