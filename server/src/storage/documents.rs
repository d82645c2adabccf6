//! Documents: the update log with its snapshot, and who owns which Yjs client id. The hub
//! reaches these through [`DocStore`]; HTTP handlers and tests use the inherent methods.

use async_trait::async_trait;
use polder_shared::DocId;
use sqlx::Row;

use super::sql::yjs_client_from_i64;
use super::{
    decode, now_ms, Appended, Compaction, DocHead, DocStore, LoadedDocument, LogTail, SqlStorage,
    StorageError, UpdateBatch, LOG_TAIL_ROWS,
};
use crate::domain::draft_status::DraftStatus;

/// Most documents one head query names.
const HEADS_PER_QUERY: usize = 500;

/// `$1, $2, …, $n`.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
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

    /// Loads a document's snapshot and the rows stored after it.
    ///
    /// The head is read first, then the rows, then the snapshot, each at its own moment and with
    /// no lock: every row up to the head is committed when the head is read; it is then either
    /// still a row when the rows are read, or a compaction deleted it, and then the snapshot
    /// (read later, and only ever replaced by one covering more) contains it. So whatever
    /// compactions run meanwhile, the state loaded holds every row up to the head.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn load_document(&self, doc_id: &DocId) -> Result<LoadedDocument, StorageError> {
        let (head_seq, frozen) = self.head_of(doc_id).await?;
        let rows = sqlx::query("SELECT seq, data FROM doc_updates WHERE doc_id = $1 ORDER BY seq")
            .bind(doc_id.as_str())
            .fetch_all(self.pool())
            .await?;
        let updates = rows
            .iter()
            .map(|row| Ok((row.try_get("seq")?, row.try_get("data")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let (snapshot, snapshot_upto) = match self.snapshot_of(doc_id).await? {
            Some((upto, data)) => (Some(data), upto),
            None => (None, 0),
        };
        Ok(LoadedDocument {
            snapshot,
            snapshot_upto,
            updates,
            head_seq,
            frozen,
        })
    }

    /// A document's head sequence number and whether it is frozen (by its own flag or its
    /// draft's status); `(0, false)` for a document that does not exist.
    async fn head_of(&self, doc_id: &DocId) -> Result<(i64, bool), StorageError> {
        let row = sqlx::query(
            "SELECT d.head_seq, d.frozen, r.status FROM documents d \
             LEFT JOIN drafts r ON r.doc_id = d.id WHERE d.id = $1",
        )
        .bind(doc_id.as_str())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok((0, false));
        };
        let draft_frozen = match row.try_get::<Option<String>, _>("status")? {
            Some(status) => decode("status", status, |s| DraftStatus::parse(s).ok())?.is_frozen(),
            None => false,
        };
        let flag: i64 = row.try_get("frozen")?;
        Ok((row.try_get("head_seq")?, flag != 0 || draft_frozen))
    }

    async fn snapshot_of(&self, doc_id: &DocId) -> Result<Option<(i64, Vec<u8>)>, StorageError> {
        let row = sqlx::query("SELECT data, upto_seq FROM doc_snapshots WHERE doc_id = $1")
            .bind(doc_id.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| Ok((row.try_get("upto_seq")?, row.try_get("data")?)))
            .transpose()
    }

    /// The rows stored after `after_seq`, at most [`LOG_TAIL_ROWS`], read as
    /// [`Self::load_document`] reads (head, rows, then the snapshot when rows are missing).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn log_after(&self, doc_id: &DocId, after_seq: i64) -> Result<LogTail, StorageError> {
        let (head_seq, frozen) = self.head_of(doc_id).await?;
        if head_seq <= after_seq {
            return Ok(LogTail {
                head_seq,
                frozen,
                ..LogTail::default()
            });
        }
        let rows = sqlx::query(
            "SELECT seq, data FROM doc_updates WHERE doc_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(doc_id.as_str())
        .bind(after_seq)
        .bind(LOG_TAIL_ROWS)
        .fetch_all(self.pool())
        .await?;
        let updates = rows
            .iter()
            .map(|row| Ok((row.try_get("seq")?, row.try_get("data")?)))
            .collect::<Result<Vec<(i64, Vec<u8>)>, sqlx::Error>>()?;
        let missing = updates.first().is_none_or(|(seq, _)| *seq > after_seq + 1);
        let snapshot = if missing {
            self.snapshot_of(doc_id).await?
        } else {
            None
        };
        Ok(LogTail {
            head_seq,
            frozen,
            updates,
            snapshot,
        })
    }

    /// Replaces the rows up to `upto_seq` by `snapshot`, which must contain all of them. Only a
    /// snapshot covering more than the stored one is written (the number is its own fencing
    /// token), and only then are the rows it covers deleted; so any number of processes may
    /// compact one document at once without losing a row (the snapshot row's lock orders them;
    /// one that finds a snapshot covering as much changes nothing).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn compact(
        &self,
        doc_id: &DocId,
        snapshot: &[u8],
        upto_seq: i64,
    ) -> Result<Compaction, StorageError> {
        let mut tx = self.begin_write().await?;
        let written = sqlx::query(
            "INSERT INTO doc_snapshots (doc_id, data, upto_seq, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (doc_id) DO UPDATE SET data = excluded.data, upto_seq = excluded.upto_seq, \
             updated_at = excluded.updated_at WHERE excluded.upto_seq > doc_snapshots.upto_seq",
        )
        .bind(doc_id.as_str())
        .bind(snapshot)
        .bind(upto_seq)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        if written.rows_affected() == 0 {
            return Ok(Compaction::Superseded);
        }
        sqlx::query("DELETE FROM doc_updates WHERE doc_id = $1 AND seq <= $2")
            .bind(doc_id.as_str())
            .bind(upto_seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Compaction::Written)
    }

    /// Freezes or unfreezes a document; returns its head. The update takes the row lock that
    /// every append takes, so an append committed after it sees the flag.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn set_document_frozen(
        &self,
        doc_id: &DocId,
        frozen: bool,
    ) -> Result<i64, StorageError> {
        let row = sqlx::query("UPDATE documents SET frozen = $1 WHERE id = $2 RETURNING head_seq")
            .bind(i64::from(frozen))
            .bind(doc_id.as_str())
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => Ok(row.try_get("head_seq")?),
            None => Ok(0),
        }
    }

    /// The heads of these documents (those that exist).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn document_heads(&self, doc_ids: &[DocId]) -> Result<Vec<DocHead>, StorageError> {
        let mut heads = Vec::with_capacity(doc_ids.len());
        for chunk in doc_ids.chunks(HEADS_PER_QUERY) {
            let sql = format!(
                "SELECT d.id, d.head_seq, d.frozen, r.status FROM documents d \
                 LEFT JOIN drafts r ON r.doc_id = d.id WHERE d.id IN ({})",
                placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for doc_id in chunk {
                query = query.bind(doc_id.as_str());
            }
            for row in query.fetch_all(self.pool()).await? {
                let id: String = row.try_get("id")?;
                let Ok(doc_id) = DocId::parse(&id) else {
                    continue;
                };
                let flag: i64 = row.try_get("frozen")?;
                let draft_frozen = row
                    .try_get::<Option<String>, _>("status")?
                    .is_some_and(|s| DraftStatus::parse(&s).is_ok_and(DraftStatus::is_frozen));
                heads.push(DocHead {
                    doc_id,
                    head_seq: row.try_get("head_seq")?,
                    frozen: flag != 0 || draft_frozen,
                });
            }
        }
        Ok(heads)
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

    async fn append_updates(&self, batches: &[UpdateBatch]) -> Result<Vec<Appended>, StorageError> {
        SqlStorage::append_updates(self, batches).await
    }

    async fn compact(
        &self,
        doc_id: &DocId,
        snapshot: &[u8],
        upto_seq: i64,
    ) -> Result<Compaction, StorageError> {
        SqlStorage::compact(self, doc_id, snapshot, upto_seq).await
    }

    async fn log_after(&self, doc_id: &DocId, after_seq: i64) -> Result<LogTail, StorageError> {
        SqlStorage::log_after(self, doc_id, after_seq).await
    }

    async fn set_frozen(&self, doc_id: &DocId, frozen: bool) -> Result<i64, StorageError> {
        self.set_document_frozen(doc_id, frozen).await
    }

    async fn heads(&self, doc_ids: &[DocId]) -> Result<Vec<DocHead>, StorageError> {
        self.document_heads(doc_ids).await
    }
}
