//! One `polder serve` per SQLite file.
//!
//! Every server process keeps document state, presence and the access epoch in memory and
//! relays an update only to its own connections, so two processes on one SQLite file would each
//! store their clients' edits without ever showing them to the other's. SQLite serves one
//! process; several processes share a PostgreSQL database and talk over Redis (`--redis-url`).
//!
//! [`acquire`] enforces it: for a SQLite file `polder.db` it takes an exclusive advisory lock
//! on `polder.db.lock` beside it ([`std::fs::File::try_lock`], `flock` on Unix) and holds it for
//! the life of the returned [`ProcessLock`]. The operating system releases it when the process
//! ends in any way, SIGKILL included, so a lock file left behind never blocks the next start.
//! The file holds the holder's process id, for the message a second process exits with.
//! PostgreSQL and in-memory SQLite take no lock. Only `polder serve` takes it: the short
//! commands (`token create`, `migrate`, …) may run beside a server, as SQLite allows.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;

/// Most bytes of a lock file read for the holder's process id.
const MAX_HOLDER_BYTES: u64 = 32;

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum SingleProcessError {
    /// Another process holds the lock of this database.
    #[error(
        "another Polder process{} is already serving this SQLite database ({}); SQLite serves \
         one process — use PostgreSQL with --redis-url for several",
        holder_note(*.holder),
        .database.display()
    )]
    AlreadyServed {
        /// The SQLite file.
        database: PathBuf,
        /// The process id the lock file names, when it names one.
        holder: Option<u32>,
    },
    /// The lock file could not be created or locked (a file system without locks, say).
    #[error("cannot lock {} to keep other processes off the SQLite database: {source}", .lock.display())]
    Io {
        /// The lock file.
        lock: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
}

fn holder_note(holder: Option<u32>) -> String {
    holder.map_or_else(String::new, |pid| format!(" (pid {pid})"))
}

/// The exclusive lock on a SQLite database's lock file; released when dropped.
#[derive(Debug)]
pub struct ProcessLock {
    _file: File,
    path: PathBuf,
}

impl ProcessLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Takes the lock of the SQLite database `database_url` names; `None` for PostgreSQL and
/// in-memory SQLite, which need none. Keep the lock for as long as the process serves.
///
/// # Errors
/// [`SingleProcessError::AlreadyServed`] when another process holds it;
/// [`SingleProcessError::Io`] when the lock file cannot be created or locked.
pub fn acquire(database_url: &str) -> Result<Option<ProcessLock>, SingleProcessError> {
    let Some(database) = sqlite_file(database_url) else {
        return Ok(None);
    };
    lock(&database).map(Some)
}

/// The file a SQLite database URL opens, as sqlx reads it (`sqlite://PATH?…`, `sqlite:PATH`,
/// percent-decoded); `None` for any other URL, an in-memory database (`:memory:`,
/// `mode=memory`), a private temporary one (an empty path) or a URL sqlx cannot read (which
/// connecting then reports).
pub fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    if !database_url.starts_with("sqlite:") {
        return None;
    }
    let rest = database_url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (database, params) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory = params.split('&').any(|pair| pair == "mode=memory");
    if database.is_empty() || database == ":memory:" || in_memory {
        return None;
    }
    let options = SqliteConnectOptions::from_str(database_url).ok()?;
    Some(options.get_filename().to_path_buf())
}

/// The lock file of a SQLite file: its name with `.lock` added (`polder.db.lock`).
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Reads the process id a lock file holds.
fn parse_holder(contents: &str) -> Option<u32> {
    contents.trim().parse().ok().filter(|pid| *pid > 0)
}

fn lock(database: &Path) -> Result<ProcessLock, SingleProcessError> {
    let path = lock_path(database);
    let io = |source| SingleProcessError::Io {
        lock: path.clone(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    // Not truncated on open: the holder's process id stays readable to the process refused.
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(SingleProcessError::AlreadyServed {
                database: database.to_path_buf(),
                holder: read_holder(&mut file),
            })
        }
        Err(TryLockError::Error(source)) => return Err(io(source)),
    }
    if let Err(error) = record_holder(&mut file) {
        tracing::debug!(%error, "cannot write the process id into the lock file");
    }
    tracing::debug!(lock = %path.display(), "holding the SQLite single-process lock");
    Ok(ProcessLock { _file: file, path })
}

fn read_holder(file: &mut File) -> Option<u32> {
    let mut contents = String::new();
    file.take(MAX_HOLDER_BYTES)
        .read_to_string(&mut contents)
        .ok()?;
    parse_holder(&contents)
}

fn record_holder(file: &mut File) -> std::io::Result<()> {
    file.set_len(0)?;
    file.write_all(format!("{}\n", std::process::id()).as_bytes())?;
    file.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sqlite_url_names_its_file() {
        let file = |url| sqlite_file(url).map(|p| p.display().to_string());
        assert_eq!(
            file("sqlite://data/polder.db?mode=rwc").as_deref(),
            Some("data/polder.db")
        );
        assert_eq!(
            file("sqlite:///var/lib/polder/polder.db").as_deref(),
            Some("/var/lib/polder/polder.db")
        );
        assert_eq!(file("sqlite:polder.db").as_deref(), Some("polder.db"));
        assert_eq!(
            file("sqlite://my%20data/polder.db?mode=rwc").as_deref(),
            Some("my data/polder.db"),
            "percent-decoded as sqlx opens it"
        );
        let default = crate::storage::sql::sqlite_url_for(Path::new("/srv/polder"));
        assert_eq!(file(&default).as_deref(), Some("/srv/polder/polder.db"));
    }

    #[test]
    fn postgres_memory_and_unreadable_urls_take_no_lock() {
        for url in [
            "postgres://polder@db/polder",
            "postgresql://polder@db/polder",
            "sqlite::memory:",
            "sqlite://:memory:",
            "sqlite://?mode=memory",
            "sqlite:shared.db?mode=memory&cache=shared",
            "sqlite://",
            "sqlite://polder.db?mode=sideways",
            "mysql://db/polder",
        ] {
            assert_eq!(sqlite_file(url), None, "{url}");
        }
    }

    #[test]
    fn the_lock_file_sits_beside_the_database() {
        assert_eq!(
            lock_path(Path::new("/srv/polder/polder.db")),
            PathBuf::from("/srv/polder/polder.db.lock")
        );
        assert_eq!(lock_path(Path::new("polder")), PathBuf::from("polder.lock"));
    }

    #[test]
    fn the_holder_is_a_process_id() {
        assert_eq!(parse_holder("4242\n"), Some(4242));
        assert_eq!(parse_holder(""), None);
        assert_eq!(parse_holder("0"), None);
        assert_eq!(parse_holder("not a pid"), None);
    }

    #[test]
    fn the_message_says_what_to_do() {
        let error = SingleProcessError::AlreadyServed {
            database: PathBuf::from("data/polder.db"),
            holder: Some(7),
        };
        assert_eq!(
            error.to_string(),
            "another Polder process (pid 7) is already serving this SQLite database \
             (data/polder.db); SQLite serves one process — use PostgreSQL with --redis-url for \
             several"
        );
    }

    #[test]
    fn a_second_lock_on_one_file_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::storage::sql::sqlite_url_for(&dir.path().join("nested"));
        let first = acquire(&url).unwrap().expect("a SQLite file is locked");
        assert_eq!(first.path(), dir.path().join("nested/polder.db.lock"));
        match acquire(&url) {
            Err(SingleProcessError::AlreadyServed { database, holder }) => {
                assert_eq!(database, dir.path().join("nested/polder.db"));
                assert_eq!(holder, Some(std::process::id()));
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        drop(first);
        assert!(acquire(&url).unwrap().is_some());
        assert!(acquire("sqlite::memory:").unwrap().is_none());
    }
}
