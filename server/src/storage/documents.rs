//! Documents: the update log with its snapshot, and who owns which Yjs client id. The hub
//! reaches these through [`DocStore`]; HTTP handlers and tests use the inherent methods.

use async_trait::async_trait;
use polder_shared::DocId;
use sqlx::Row;

use super::sql::{yjs_client_from_i64, yjs_client_to_i64};
use super::{
    decode, now_ms, AppendRefusal, Appended, ClientClaim, Compaction, DocHead, DocStore,
    LoadedDocument, LogTail, SqlStorage, StorageError, UpdateBatch, LOG_TAIL_ROWS,
};
use crate::domain::draft_status::DraftStatus;

/// Most log rows written by one INSERT statement.
const ROWS_PER_INSERT: usize = 64;

/// Most documents one head query names.
const HEADS_PER_QUERY: usize = 500;

/// `INSERT INTO doc_updates … VALUES ($1, $2, $3, $4), …` for `rows` rows.
fn multi_row_insert(rows: usize) -> String {
    let mut sql = String::from("INSERT INTO doc_updates (doc_id, seq, data, created_at) VALUES ");
    for row in 0..rows {
        let first = row * 4 + 1;
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${})",
            first,
            first + 1,
            first + 2,
            first + 3
        ));
    }
    sql
}

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

    /// Appends the updates of several documents in one transaction; returns, per batch, the
    /// sequence numbers it got or why it was refused (the other batches are stored).
    ///
    /// Documents are written in id order, so two processes committing batches of the same
    /// documents take their row locks in the same order and never deadlock.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn append_updates(
        &self,
        batches: &[UpdateBatch],
    ) -> Result<Vec<Appended>, StorageError> {
        let now = now_ms();
        let mut order: Vec<usize> = (0..batches.len()).collect();
        order.sort_by(|a, b| batches[*a].doc_id.as_str().cmp(batches[*b].doc_id.as_str()));
        let mut results = vec![Appended::Refused(AppendRefusal::NoDocument); batches.len()];
        let mut tx = self.begin_log_write().await?;
        for index in order {
            results[index] = append_batch(&mut tx, &batches[index], now).await?;
        }
        tx.commit().await?;
        Ok(results)
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

/// Stores one batch inside the group-commit transaction, or refuses it without writing.
async fn append_batch(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    batch: &UpdateBatch,
    now: i64,
) -> Result<Appended, StorageError> {
    let doc = batch.doc_id.as_str();
    if !batch.claims.is_empty() {
        // Lock the document first (every append of it takes this lock), then check that no
        // connection of another person, on any process, has claimed these Yjs client ids.
        let row =
            sqlx::query("UPDATE documents SET head_seq = head_seq WHERE id = $1 RETURNING frozen")
                .bind(doc)
                .fetch_optional(&mut **tx)
                .await?;
        let Some(row) = row else {
            return Ok(Appended::Refused(AppendRefusal::NoDocument));
        };
        if row.try_get::<i64, _>("frozen")? != 0 {
            return Ok(Appended::Refused(AppendRefusal::Frozen));
        }
        if let Some(client) = foreign_claim(tx, doc, &batch.claims).await? {
            return Ok(Appended::Refused(AppendRefusal::ClientClaimed(client)));
        }
    }
    let count = i64::try_from(batch.updates.len()).unwrap_or(i64::MAX);
    let row = sqlx::query(
        "UPDATE documents SET head_seq = head_seq + $1 WHERE id = $2 AND frozen = 0 RETURNING head_seq",
    )
    .bind(count)
    .bind(doc)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        let exists = sqlx::query("SELECT 1 FROM documents WHERE id = $1")
            .bind(doc)
            .fetch_optional(&mut **tx)
            .await?
            .is_some();
        let refusal = if exists {
            AppendRefusal::Frozen
        } else {
            AppendRefusal::NoDocument
        };
        return Ok(Appended::Refused(refusal));
    };
    let last_seq: i64 = row.try_get("head_seq")?;
    let first_seq = last_seq - count + 1;
    // Many rows per statement: the log is written in few round trips.
    let mut seq = first_seq;
    for chunk in batch.updates.chunks(ROWS_PER_INSERT) {
        let sql = multi_row_insert(chunk.len());
        let mut query = sqlx::query(&sql);
        for update in chunk {
            query = query.bind(doc).bind(seq).bind(update.as_ref()).bind(now);
            seq += 1;
        }
        query.execute(&mut **tx).await?;
    }
    for claim in &batch.claims {
        sqlx::query(
            "INSERT INTO doc_clients (doc_id, client_id, user_id, label) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (doc_id, client_id) DO NOTHING",
        )
        .bind(doc)
        .bind(yjs_client_to_i64(claim.client))
        .bind(claim.user_id)
        .bind(&claim.label)
        .execute(&mut **tx)
        .await?;
    }
    for deletion in &batch.deletions {
        sqlx::query(
            "INSERT INTO doc_deletions (doc_id, client_id, clock_start, clock_end, user_id, label) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(doc)
        .bind(yjs_client_to_i64(deletion.client))
        .bind(i64::from(deletion.start))
        .bind(i64::from(deletion.end))
        .bind(deletion.user_id)
        .bind(&deletion.label)
        .execute(&mut **tx)
        .await?;
    }
    Ok(Appended::Stored {
        first_seq,
        last_seq,
    })
}

/// The first of `claims` whose Yjs client id is already owned by someone else.
async fn foreign_claim(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    doc: &str,
    claims: &[ClientClaim],
) -> Result<Option<u64>, StorageError> {
    for claim in claims {
        let owner =
            sqlx::query("SELECT user_id FROM doc_clients WHERE doc_id = $1 AND client_id = $2")
                .bind(doc)
                .bind(yjs_client_to_i64(claim.client))
                .fetch_optional(&mut **tx)
                .await?;
        if let Some(owner) = owner {
            if owner.try_get::<Option<i64>, _>("user_id")? != claim.user_id {
                return Ok(Some(claim.client));
            }
        }
    }
    Ok(None)
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
