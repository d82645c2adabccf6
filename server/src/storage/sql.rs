//! [`SqlStorage`]: the one database handle, over sqlx, for SQLite and PostgreSQL: the pool,
//! connecting and migrating, and the helpers the resource files share. The queries live in
//! those files, one per resource, as inherent methods of [`SqlStorage`].
//!
//! One set of queries serves both backends through sqlx's `Any` driver: placeholders are
//! `$N` (which SQLite accepts too), timestamps are integers and flags are integers, so no
//! query depends on a dialect. Only the schema differs, in `migrations/sqlite` and
//! `migrations/postgres`.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::AnyPool;

use super::StorageError;

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

/// Pool options for SQLite: every connection in WAL mode with `synchronous=NORMAL`, waiting for
/// the write lock rather than failing, and with foreign keys enforced.
fn sqlite_pool(options: AnyPoolOptions) -> AnyPoolOptions {
    options.after_connect(|conn, _meta| {
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
}

/// The default database URL for a data directory: a SQLite file `polder.db` in it.
pub fn sqlite_url_for(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("polder.db").display())
}

/// sqlx-backed storage for SQLite and PostgreSQL.
#[derive(Clone, Debug)]
pub struct SqlStorage {
    pool: AnyPool,
    /// On SQLite, the pool of one connection, kept open, that document updates are stored
    /// through; on PostgreSQL `None`, and they use [`SqlStorage::pool`]. SQLite drops
    /// a connection's page cache whenever another connection wrote since it last read, and a
    /// pool hands out its idle connections in turn; so group commits spread over the shared
    /// pool read the log's pages back from the file every time, while one connection that is
    /// (nearly always) the last writer finds them in its cache.
    log_writer: Option<AnyPool>,
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
        let pool_options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let (pool, log_writer) = match backend {
            Backend::Sqlite => {
                let pool = sqlite_pool(pool_options.clone().max_connections(4))
                    .connect_with(options.clone())
                    .await?;
                // a local file does not go away as a server can: no check before each commit
                let log_writer = sqlite_pool(
                    pool_options
                        .max_connections(1)
                        .test_before_acquire(false)
                        .idle_timeout(None)
                        .max_lifetime(None),
                )
                .connect_with(options)
                .await?;
                (pool, Some(log_writer))
            }
            Backend::Postgres => {
                let pool = pool_options
                    .max_connections(10)
                    .connect_with(options)
                    .await?;
                (pool, None)
            }
        };
        let storage = Self {
            pool,
            log_writer,
            backend,
            audit_lock: std::sync::Arc::default(),
        };
        storage.migrate().await?;
        // once, after migration 0015: move older audit entries to the committed hash scheme;
        // a log that does not verify is left as it is, for `polder audit verify` to report
        match storage.rechain_legacy_audit().await {
            Err(StorageError::AuditChainBroken(id)) => tracing::error!(
                entry = id,
                "the audit log does not verify; it stays on the old hash scheme and people \
                 cannot be removed until it is repaired"
            ),
            other => {
                other?;
            }
        }
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
        self.begin_write_on(&self.pool).await
    }

    /// Starts the write transaction of a group commit of document updates: as
    /// [`SqlStorage::begin_write`], on SQLite through [`SqlStorage::log_writer`].
    pub(crate) async fn begin_log_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        self.begin_write_on(self.log_pool()).await
    }

    /// A connection of the update log's writer, on SQLite (see [`SqlStorage::log_writer`]).
    pub(crate) async fn log_connection(
        &self,
    ) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, sqlx::Error> {
        self.log_pool().acquire().await
    }

    /// The pool document updates are stored through (see [`SqlStorage::log_writer`]).
    fn log_pool(&self) -> &AnyPool {
        self.log_writer.as_ref().unwrap_or(&self.pool)
    }

    async fn begin_write_on(
        &self,
        pool: &AnyPool,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => pool.begin().await,
        }
    }

    /// Serialises audit-log appends within this process.
    pub(crate) fn audit_lock(&self) -> &tokio::sync::Mutex<()> {
        &self.audit_lock
    }

    /// Checks that the database answers.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The connection pool, for maintenance and tests.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every pooled connection.
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(log_writer) = &self.log_writer {
            log_writer.close().await;
        }
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

/// Yjs client ids are below 2^53, so they fit a signed 64-bit column as they are.
pub fn yjs_client_to_i64(client: u64) -> i64 {
    i64::try_from(client).unwrap_or(i64::MAX)
}

/// The inverse of [`yjs_client_to_i64`].
pub fn yjs_client_from_i64(client: i64) -> u64 {
    u64::try_from(client).unwrap_or_default()
}

/// Whether a query failed on a unique constraint.
pub(super) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
