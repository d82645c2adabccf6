//! [`SqlStorage`]: the [`Storage`] implementation over sqlx, for SQLite and PostgreSQL.
//!
//! One set of queries serves both backends through sqlx's `Any` driver: placeholders are
//! `$N` (which SQLite accepts too), timestamps are integers and flags are integers, so no
//! query depends on a dialect. Only the schema differs, in `migrations/sqlite` and
//! `migrations/postgres`.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use polder_shared::DocId;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Row};

use super::{
    now_ms, DocRole, LoadedDocument, Storage, StorageError, TokenRecord, UpdateBatch, UserRecord,
};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// Recognises the backend from a database URL.
    ///
    /// # Errors
    /// [`StorageError::UnsupportedUrl`] for any other scheme.
    pub fn from_url(url: &str) -> Result<Self, StorageError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StorageError::UnsupportedUrl)
        }
    }
}

/// The default database URL for a data directory: a SQLite file `polder.db` in it.
pub fn sqlite_url_for(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("polder.db").display())
}

/// sqlx-backed storage for SQLite and PostgreSQL.
#[derive(Clone, Debug)]
pub struct SqlStorage {
    pool: AnyPool,
    backend: Backend,
    audit_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl SqlStorage {
    /// Connects to the database at `url` and applies pending migrations.
    ///
    /// SQLite runs in WAL mode with `synchronous=NORMAL`: a committed transaction survives the
    /// process being killed. Its parent directory is created when missing.
    ///
    /// # Errors
    /// Fails when the URL is not supported, the database cannot be reached, or a migration fails.
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        if backend == Backend::Sqlite {
            create_sqlite_parent_dir(url)?;
        }
        let options = AnyConnectOptions::from_str(url)?;
        let pool_options = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(10))
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 10,
            });
        let pool = match backend {
            Backend::Sqlite => {
                pool_options
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            for pragma in [
                                "PRAGMA journal_mode = WAL",
                                "PRAGMA synchronous = NORMAL",
                                "PRAGMA busy_timeout = 10000",
                                "PRAGMA foreign_keys = ON",
                            ] {
                                sqlx::query(pragma).execute(&mut *conn).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => pool_options.connect_with(options).await?,
        };
        let storage = Self {
            pool,
            backend,
            audit_lock: std::sync::Arc::default(),
        };
        storage.migrate().await?;
        Ok(storage)
    }

    /// Applies the migrations of this backend that have not run yet.
    ///
    /// # Errors
    /// Fails when a migration fails or an applied migration was changed.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// The backend this storage talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction that reads before it writes waits for other
    /// writers (up to the busy timeout) instead of failing with "database is locked".
    ///
    /// # Errors
    /// Storage errors.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Serialises audit-log appends within this process.
    pub(crate) fn audit_lock(&self) -> &tokio::sync::Mutex<()> {
        &self.audit_lock
    }

    /// The connection pool, for maintenance and tests.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every pooled connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn create_sqlite_parent_dir(url: &str) -> Result<(), StorageError> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)?;
        }
    }
    Ok(())
}

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

/// Yjs client ids are below 2^53, so they fit a signed 64-bit column as they are.
pub fn yjs_client_to_i64(client: u64) -> i64 {
    i64::try_from(client).unwrap_or(i64::MAX)
}

/// The inverse of [`yjs_client_to_i64`].
pub fn yjs_client_from_i64(client: i64) -> u64 {
    u64::try_from(client).unwrap_or_default()
}

fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
        is_admin: row.try_get::<i64, _>("is_admin")? != 0,
    })
}

#[async_trait]
impl Storage for SqlStorage {
    async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn document_exists(&self, doc_id: &DocId) -> Result<bool, StorageError> {
        let row = sqlx::query("SELECT 1 FROM documents WHERE id = $1")
            .bind(doc_id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    async fn create_document(
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
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() > 0)
    }

    async fn load_document(&self, doc_id: &DocId) -> Result<LoadedDocument, StorageError> {
        let mut tx = self.pool.begin().await?;
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
            Some(row) => row.try_get::<String, _>("status")? != "concept",
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

    async fn append_updates(&self, batches: &[UpdateBatch]) -> Result<Vec<i64>, StorageError> {
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

    async fn compact(
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

    async fn client_claims(&self, doc_id: &DocId) -> Result<Vec<(u64, Option<i64>)>, StorageError> {
        let rows = sqlx::query("SELECT client_id, user_id FROM doc_clients WHERE doc_id = $1")
            .bind(doc_id.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let client: i64 = row.try_get("client_id")?;
                Ok((yjs_client_from_i64(client), row.try_get("user_id")?))
            })
            .collect()
    }

    async fn update_count(&self, doc_id: &DocId) -> Result<i64, StorageError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM doc_updates WHERE doc_id = $1")
            .bind(doc_id.as_str())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    async fn create_user(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        is_admin: bool,
    ) -> Result<i64, StorageError> {
        let result = sqlx::query(
            "INSERT INTO users (email, name, password_hash, is_admin, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(email.to_lowercase())
        .bind(name)
        .bind(password_hash)
        .bind(i64::from(is_admin))
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await;
        match result {
            Ok(row) => Ok(row.try_get("id")?),
            Err(err) if is_unique_violation(&err) => {
                Err(StorageError::AlreadyExists("e-mail address"))
            }
            Err(err) => Err(err.into()),
        }
    }

    async fn find_user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StorageError> {
        let row = sqlx::query(
            "SELECT id, email, name, password_hash, is_admin FROM users WHERE email = $1",
        )
        .bind(email.to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(user_from_row).transpose()?)
    }

    async fn find_user(&self, id: i64) -> Result<Option<UserRecord>, StorageError> {
        let row =
            sqlx::query("SELECT id, email, name, password_hash, is_admin FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.as_ref().map(user_from_row).transpose()?)
    }

    async fn create_token(
        &self,
        name: &str,
        scope: &str,
        token_hash: &str,
        user_id: Option<i64>,
    ) -> Result<i64, StorageError> {
        let row = sqlx::query(
            "INSERT INTO api_tokens (name, scope, token_hash, user_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(scope)
        .bind(token_hash)
        .bind(user_id)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("id")?)
    }

    async fn find_token(&self, token_hash: &str) -> Result<Option<TokenRecord>, StorageError> {
        let row = sqlx::query(
            "SELECT id, name, scope, user_id FROM api_tokens \
             WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(TokenRecord {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            scope: row.try_get("scope")?,
            user_id: row.try_get("user_id")?,
        }))
    }

    async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        expires_at_ms: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(now_ms())
        .bind(expires_at_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn find_session_user(
        &self,
        id_hash: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, StorageError> {
        let row =
            sqlx::query("SELECT user_id FROM sessions WHERE id_hash = $1 AND expires_at > $2")
                .bind(id_hash)
                .bind(now_ms)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| r.try_get("user_id")).transpose()?)
    }

    async fn delete_session(&self, id_hash: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn grant_document(
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn document_role(
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
        .fetch_all(&self.pool)
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
