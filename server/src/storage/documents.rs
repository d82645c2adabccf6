//! Documents: the update log with its snapshot, and who owns which Yjs client id. The hub
//! reaches these through [`DocStore`]; HTTP handlers and tests use the inherent methods.

use async_trait::async_trait;
use polder_shared::DocId;
use sqlx::Row;

use super::sql::{yjs_client_from_i64, yjs_client_to_i64};
use super::{get_decoded, now_ms, DocStore, LoadedDocument, SqlStorage, StorageError, UpdateBatch};
use crate::domain::draft_status::DraftStatus;

/// Most log rows written by one INSERT statement.
const ROWS_PER_INSERT: usize = 64;

/// `INSERT INTO doc_updates … VALUES ($1, $2, $3), ($4, $5, $6), … RETURNING id` for `rows` rows.
fn multi_row_insert(rows: usize) -> String {
    let mut sql = String::from("INSERT INTO doc_updates (doc_id, data, created_at) VALUES ");
    for row in 0..rows {
        let first = row * 3 + 1;
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("(${}, ${}, ${})", first, first + 1, first + 2));
    }
    sql.push_str(" RETURNING id");
    sql
}

impl SqlStorage {
    /// Whether a document with this id exists.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn document_exists(&self, doc_id: &DocId) -> Result<bool, StorageError> {
        let row = sqlx::query("SELECT 1 FROM documents WHERE id = $1")
            .bind(doc_id.as_str())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    /// Creates a document if it does not exist yet; returns whether it was created.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_document(
        &self,
        doc_id: &DocId,
        created_by: &str,
    ) -> Result<bool, StorageError> {
        let result = sqlx::query(
            "INSERT INTO documents (id, created_by, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(doc_id.as_str())
        .bind(created_by)
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() > 0)
    }

    /// Loads a document's snapshot and the updates stored after it.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn load_document(&self, doc_id: &DocId) -> Result<LoadedDocument, StorageError> {
        let mut tx = self.pool().begin().await?;
        let snapshot = sqlx::query("SELECT data, upto_id FROM doc_snapshots WHERE doc_id = $1")
            .bind(doc_id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let (snapshot, snapshot_upto) = match snapshot {
            Some(row) => (
                Some(row.try_get::<Vec<u8>, _>("data")?),
                row.try_get("upto_id")?,
            ),
            None => (None, 0),
        };
        let rows = sqlx::query(
            "SELECT id, data FROM doc_updates WHERE doc_id = $1 AND id > $2 ORDER BY id",
        )
        .bind(doc_id.as_str())
        .bind(snapshot_upto)
        .fetch_all(&mut *tx)
        .await?;
        let status = sqlx::query("SELECT status FROM drafts WHERE doc_id = $1")
            .bind(doc_id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let frozen = match status {
            Some(row) => get_decoded(&row, "status", |s| DraftStatus::parse(s).ok())?.is_frozen(),
            None => false,
        };
        tx.commit().await?;
        let updates = rows
            .iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("data")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(LoadedDocument {
            snapshot,
            snapshot_upto,
            updates,
            frozen,
        })
    }

    /// Appends the updates of several documents in one transaction; returns, per batch, the log
    /// id of its last update.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn append_updates(&self, batches: &[UpdateBatch]) -> Result<Vec<i64>, StorageError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let mut last_ids = Vec::with_capacity(batches.len());
        for batch in batches {
            let mut last = 0;
            // Many rows per statement: the log is written in few round trips. Yjs updates
            // commute, so the order of ids within one statement does not matter for correctness.
            for chunk in batch.updates.chunks(ROWS_PER_INSERT) {
                let sql = multi_row_insert(chunk.len());
                let mut query = sqlx::query(&sql);
                for update in chunk {
                    query = query
                        .bind(batch.doc_id.as_str())
                        .bind(update.as_ref())
                        .bind(now);
                }
                for row in query.fetch_all(&mut *tx).await? {
                    last = last.max(row.try_get::<i64, _>("id")?);
                }
            }
            for claim in &batch.claims {
                sqlx::query(
                    "INSERT INTO doc_clients (doc_id, client_id, user_id, label) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (doc_id, client_id) DO NOTHING",
                )
                .bind(batch.doc_id.as_str())
                .bind(yjs_client_to_i64(claim.client))
                .bind(claim.user_id)
                .bind(&claim.label)
                .execute(&mut *tx)
                .await?;
            }
            for deletion in &batch.deletions {
                sqlx::query(
                    "INSERT INTO doc_deletions (doc_id, client_id, clock_start, clock_end, user_id, label) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(batch.doc_id.as_str())
                .bind(yjs_client_to_i64(deletion.client))
                .bind(i64::from(deletion.start))
                .bind(i64::from(deletion.end))
                .bind(deletion.user_id)
                .bind(&deletion.label)
                .execute(&mut *tx)
                .await?;
            }
            last_ids.push(last);
        }
        tx.commit().await?;
        Ok(last_ids)
    }

    /// Replaces the log up to `upto_id` by `snapshot`, which must contain all of it. A snapshot
    /// covering less than the stored one is ignored, so compactions may race safely.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn compact(
        &self,
        doc_id: &DocId,
        snapshot: &[u8],
        upto_id: i64,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        let written = sqlx::query(
            "INSERT INTO doc_snapshots (doc_id, data, upto_id, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (doc_id) DO UPDATE SET data = excluded.data, upto_id = excluded.upto_id, \
             updated_at = excluded.updated_at WHERE excluded.upto_id >= doc_snapshots.upto_id",
        )
        .bind(doc_id.as_str())
        .bind(snapshot)
        .bind(upto_id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        if written.rows_affected() > 0 {
            sqlx::query("DELETE FROM doc_updates WHERE doc_id = $1 AND id <= $2")
                .bind(doc_id.as_str())
                .bind(upto_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Who owns which Yjs client id of a document (recorded on first sight).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn client_claims(
        &self,
        doc_id: &DocId,
    ) -> Result<Vec<(u64, Option<i64>)>, StorageError> {
        let rows = sqlx::query("SELECT client_id, user_id FROM doc_clients WHERE doc_id = $1")
            .bind(doc_id.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let client: i64 = row.try_get("client_id")?;
                Ok((yjs_client_from_i64(client), row.try_get("user_id")?))
            })
            .collect()
    }

    /// Number of log entries (not snapshots) stored for a document.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn update_count(&self, doc_id: &DocId) -> Result<i64, StorageError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM doc_updates WHERE doc_id = $1")
            .bind(doc_id.as_str())
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }
}

#[async_trait]
impl DocStore for SqlStorage {
    async fn load_document(&self, doc_id: &DocId) -> Result<LoadedDocument, StorageError> {
        SqlStorage::load_document(self, doc_id).await
    }

    async fn client_claims(&self, doc_id: &DocId) -> Result<Vec<(u64, Option<i64>)>, StorageError> {
        SqlStorage::client_claims(self, doc_id).await
    }

    async fn append_updates(&self, batches: &[UpdateBatch]) -> Result<Vec<i64>, StorageError> {
        SqlStorage::append_updates(self, batches).await
    }

    async fn compact(
        &self,
        doc_id: &DocId,
        snapshot: &[u8],
        upto_id: i64,
    ) -> Result<(), StorageError> {
        SqlStorage::compact(self, doc_id, snapshot, upto_id).await
    }
}
