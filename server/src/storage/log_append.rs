//! Appending to the document log: the group commit of [`SqlStorage::append_updates`].
//!
//! A batch that claims no new Yjs client id is *plain*: one round trip stores it
//! ([`append_sql`]). On SQLite a group of plain batches is one string from `BEGIN IMMEDIATE`
//! to `COMMIT`, so the whole commit is one call to sqlx's worker thread; on PostgreSQL a single
//! plain batch is one statement, atomic by itself. A batch with claims is stored statement by
//! statement, after the check that no one else owns its client ids.

use sqlx::Row;

use super::append_sql;
use super::sql::{yjs_client_to_i64, Backend};
use super::{now_ms, AppendRefusal, Appended, ClientClaim, SqlStorage, StorageError, UpdateBatch};

/// Most log rows written by one INSERT statement.
const ROWS_PER_INSERT: usize = 64;

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

impl SqlStorage {
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
        let backend = self.backend();
        // On PostgreSQL one plain append is one statement, atomic by itself: no transaction.
        if let [batch] = batches {
            if backend == Backend::Postgres && is_plain(batch) {
                let mut conn = self.pool().acquire().await?;
                return Ok(vec![append_plain(&mut conn, backend, batch, now).await?]);
            }
        }
        if backend == Backend::Sqlite && plain_group(batches) {
            let ordered: Vec<&UpdateBatch> = order.iter().map(|&i| &batches[i]).collect();
            let shapes: Vec<(usize, usize)> = ordered.iter().map(|b| shape(b)).collect();
            let sql = append_sql::sqlite_group(&shapes);
            let query = (
                sql,
                append_sql::keep_prepared(&shapes),
                plain_args(&ordered, now)?,
            );
            let conn = self.log_connection().await?;
            // Spawned, so the string runs to its end (or the connection is closed) even when
            // the caller stops waiting: sqlx stops a string at its first result nobody receives.
            let stored = tokio::spawn(append_group_sqlite(conn, query))
                .await
                .map_err(|_| StorageError::WriterStopped)??;
            let mut results: Vec<Option<Appended>> = vec![None; batches.len()];
            for (position, last_seq) in stored {
                let index = order[position];
                results[index] = Some(stored_as(&batches[index], last_seq));
            }
            // a refused batch says why: frozen, or no document
            let mut lookup = match results.iter().any(Option::is_none) {
                true => Some(self.pool().acquire().await?),
                false => None,
            };
            let mut appended = Vec::with_capacity(batches.len());
            for (batch, result) in batches.iter().zip(results) {
                appended.push(match (result, lookup.as_deref_mut()) {
                    (Some(stored), _) => stored,
                    (None, Some(conn)) => {
                        Appended::Refused(refusal_of(conn, batch.doc_id.as_str()).await?)
                    }
                    // not reached: the lookup connection is taken when any batch is refused
                    (None, None) => Appended::Refused(AppendRefusal::NoDocument),
                });
            }
            return Ok(appended);
        }
        let mut results = vec![Appended::Refused(AppendRefusal::NoDocument); batches.len()];
        let mut tx = self.begin_log_write().await?;
        for index in order {
            let batch = &batches[index];
            results[index] = if is_plain(batch) {
                append_plain(&mut tx, backend, batch, now).await?
            } else {
                append_batch(&mut tx, batch, now).await?
            };
        }
        tx.commit().await?;
        Ok(results)
    }
}

/// Whether a group commit can go to SQLite as one string ([`append_sql::sqlite_group`]):
/// every batch is plain and all their parameters fit one call.
fn plain_group(batches: &[UpdateBatch]) -> bool {
    batches.iter().all(is_plain)
        && batches
            .iter()
            .map(|b| append_sql::param_count(shape(b)))
            .sum::<usize>()
            <= append_sql::MAX_GROUP_PARAMS
}

/// A batch's `(rows, deletions)`, which decide the SQL of its plain append.
fn shape(batch: &UpdateBatch) -> (usize, usize) {
    (batch.updates.len(), batch.deletions.len())
}

/// What a stored batch whose rows end at `last_seq` came to.
fn stored_as(batch: &UpdateBatch, last_seq: i64) -> Appended {
    let count = i64::try_from(batch.updates.len()).unwrap_or(i64::MAX);
    Appended::Stored {
        first_seq: last_seq - count + 1,
        last_seq,
    }
}

/// The arguments of plain appends of these batches, in the order [`append_sql`] numbers them.
/// They are owned, so a group commit can run in a task of its own.
fn plain_args(
    batches: &[&UpdateBatch],
    now: i64,
) -> Result<sqlx::any::AnyArguments<'static>, sqlx::Error> {
    use sqlx::Arguments as _;
    let mut args = sqlx::any::AnyArguments::default();
    let mut fill = || -> Result<(), sqlx::error::BoxDynError> {
        for batch in batches {
            args.add(i64::try_from(batch.updates.len()).unwrap_or(i64::MAX))?;
            args.add(batch.doc_id.as_str().to_owned())?;
            args.add(now)?;
            for update in &batch.updates {
                args.add(update.to_vec())?;
            }
            for deletion in &batch.deletions {
                args.add(yjs_client_to_i64(deletion.client))?;
                args.add(i64::from(deletion.start))?;
                args.add(i64::from(deletion.end))?;
                args.add(deletion.user_id)?;
                args.add(deletion.label.clone())?;
            }
        }
        Ok(())
    };
    fill().map_err(sqlx::Error::Encode)?;
    Ok(args)
}

/// Runs a plain group on SQLite; returns `(position in the group, head)` of each stored batch.
/// On an error the connection is closed, which rolls back whatever the string had begun, and
/// the pool opens a fresh one for the next commit.
async fn append_group_sqlite(
    mut conn: sqlx::pool::PoolConnection<sqlx::Any>,
    (sql, persistent, args): (String, bool, sqlx::any::AnyArguments<'static>),
) -> Result<Vec<(usize, i64)>, StorageError> {
    let result = sqlx::query_with(&sql, args)
        .persistent(persistent)
        .fetch_all(&mut *conn)
        .await;
    let rows = match result {
        Ok(rows) => rows,
        Err(err) => {
            if let Err(close) = conn.close().await {
                tracing::warn!(error = %close, "closing the log connection after a failed commit");
            }
            return Err(err.into());
        }
    };
    rows.iter()
        .map(|row| {
            let batch: i64 = row.try_get("batch")?;
            Ok((
                usize::try_from(batch).unwrap_or(usize::MAX),
                row.try_get("head_seq")?,
            ))
        })
        .collect()
}

/// Whether a batch can be stored by [`append_plain`]: it claims no new Yjs client id (that
/// needs the owner check of [`append_batch`]) and its parameters fit one statement.
fn is_plain(batch: &UpdateBatch) -> bool {
    batch.claims.is_empty()
        && !batch.updates.is_empty()
        && append_sql::param_count(shape(batch)) <= append_sql::MAX_PARAMS
}

/// Stores a plain batch (see [`is_plain`]) in one round trip, or refuses it without writing.
async fn append_plain(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    batch: &UpdateBatch,
    now: i64,
) -> Result<Appended, StorageError> {
    let (rows, deletions) = shape(batch);
    let sql = append_sql::plain_append(backend, rows, deletions);
    let head = sqlx::query_with(&sql, plain_args(&[batch], now)?)
        .persistent(append_sql::keep_prepared(&[(rows, deletions)]))
        .fetch_all(&mut *conn)
        .await?;
    match head.first() {
        Some(row) => Ok(stored_as(batch, row.try_get("head_seq")?)),
        None => Ok(Appended::Refused(
            refusal_of(conn, batch.doc_id.as_str()).await?,
        )),
    }
}

/// Why an append that matched no live document was refused.
async fn refusal_of(
    conn: &mut sqlx::AnyConnection,
    doc: &str,
) -> Result<AppendRefusal, StorageError> {
    let exists = sqlx::query("SELECT 1 FROM documents WHERE id = $1")
        .bind(doc)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    Ok(if exists {
        AppendRefusal::Frozen
    } else {
        AppendRefusal::NoDocument
    })
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
        return Ok(Appended::Refused(refusal_of(tx, doc).await?));
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
