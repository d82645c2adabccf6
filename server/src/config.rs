//! [`Config`]: every setting of a running server, with defaults that work embedded.
//!
//! The CLI (see `cli.rs`) fills it from flags and `POLDER_*` environment variables; tests build
//! one directly and change what they need.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::hub::HubSettings;
use crate::storage::sql::sqlite_url_for;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Compact human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Limits that protect the server from oversized or excessive input.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest WebSocket message (and frame) accepted, in bytes.
    pub max_message_bytes: usize,
    /// Most sync connections open at once; further upgrades get 503.
    pub max_connections: usize,
    /// Frames that may wait to be written to one connection; beyond that it is closed as a
    /// slow consumer.
    pub outbound_queue: usize,
    /// Socket lifecycle limits: outbound bytes, presence, live inbox sockets.
    pub sockets: SocketLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_bytes: 8 * 1024 * 1024,
            max_connections: 10_000,
            outbound_queue: 512,
            sockets: SocketLimits::default(),
        }
    }
}

/// Limits on what one socket may cost the server (see `docs/SECURITY.md`).
#[derive(Debug, Clone)]
pub struct SocketLimits {
    /// Bytes that may wait to be written to one sync connection; a frame that would exceed it
    /// closes the connection with 1013. One full-state reply is let through on top of it, so a
    /// document larger than the budget still reaches a client that reads. Default 16 MiB
    /// (`--outbound-queue-bytes`, `POLDER_OUTBOUND_QUEUE_BYTES`).
    pub outbound_queue_bytes: usize,
    /// Largest presence (awareness) state one connection may announce, in bytes of JSON;
    /// larger ones are dropped. Default 16 KiB (`--max-presence-bytes`,
    /// `POLDER_MAX_PRESENCE_BYTES`).
    pub max_presence_bytes: usize,
    /// Presence updates one connection may send per second on average; the excess is held
    /// back (the newest kept) until the rate allows it. Default 20 (`--presence-per-sec`,
    /// `POLDER_PRESENCE_PER_SEC`).
    pub presence_per_sec: u32,
    /// Presence updates one connection may send in a burst above that rate. Default 40.
    pub presence_burst: u32,
    /// Live inbox sockets (`/ws/inbox`) one person may hold open; further ones get 429.
    /// Default 5 (`--max-inbox-per-person`, `POLDER_MAX_INBOX_PER_PERSON`).
    pub max_inbox_per_person: usize,
    /// Live inbox sockets open at once in this process; further ones get 503. Default 1,000
    /// (`--max-inbox-connections`, `POLDER_MAX_INBOX_CONNECTIONS`).
    pub max_inbox_connections: usize,
}

impl Default for SocketLimits {
    fn default() -> Self {
        Self {
            outbound_queue_bytes: 16 * 1024 * 1024,
            max_presence_bytes: 16 * 1024,
            presence_per_sec: 20,
            presence_burst: 40,
            max_inbox_per_person: 5,
            max_inbox_connections: 1_000,
        }
    }
}

/// Bounds on uploads, versions and rendering: imports, version snapshots, comparisons,
/// exports and dispute dossiers. `polder serve` sets each with a flag (see `cli.rs`).
#[derive(Debug, Clone)]
pub struct WorkLimits {
    /// Largest import upload (`POST /api/bodies/{id}/imports`), in bytes. Default 5 MiB
    /// (`--max-import-bytes`, `POLDER_MAX_IMPORT_BYTES`).
    pub max_import_bytes: usize,
    /// Largest body of every other API request, in bytes. Default 1 MiB (`--max-body-bytes`,
    /// `POLDER_MAX_BODY_BYTES`).
    pub max_body_bytes: usize,
    /// Versions one draft may gain per hour (snapshots and status steps together); further
    /// snapshots get 429. Default 20 (`--max-versions-per-hour`, `POLDER_MAX_VERSIONS_PER_HOUR`).
    pub max_versions_per_hour: u32,
    /// Largest encoded document state a render or comparison takes, in bytes; larger ones get
    /// 413. Default 2 MiB (`--max-render-bytes`, `POLDER_MAX_RENDER_BYTES`).
    pub max_render_bytes: usize,
    /// Renders (exports, comparisons, dossiers) running at once; more get 503 with
    /// `Retry-After`. Default twice the number of CPU cores (`--max-concurrent-renders`,
    /// `POLDER_MAX_CONCURRENT_RENDERS`).
    pub max_concurrent_renders: usize,
    /// Longest one render may take before the request gets 503. Default 10 s
    /// (`--render-timeout-secs`, `POLDER_RENDER_TIMEOUT_SECS`).
    pub render_timeout: Duration,
}

/// Default of [`WorkLimits::max_import_bytes`]: 5 MiB.
pub const DEFAULT_MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;
/// Default of [`WorkLimits::max_body_bytes`]: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Default of [`WorkLimits::max_versions_per_hour`]: 20.
pub const DEFAULT_MAX_VERSIONS_PER_HOUR: u32 = 20;
/// Default of [`WorkLimits::max_render_bytes`]: 2 MiB.
pub const DEFAULT_MAX_RENDER_BYTES: usize = 2 * 1024 * 1024;
/// Default of [`WorkLimits::render_timeout`], in seconds: 10.
pub const DEFAULT_RENDER_TIMEOUT_SECS: u64 = 10;

/// Default of [`WorkLimits::max_concurrent_renders`]: twice the CPU cores (2 when unknown).
pub fn default_concurrent_renders() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .saturating_mul(2)
}

impl Default for WorkLimits {
    fn default() -> Self {
        Self {
            max_import_bytes: DEFAULT_MAX_IMPORT_BYTES,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_versions_per_hour: DEFAULT_MAX_VERSIONS_PER_HOUR,
            max_render_bytes: DEFAULT_MAX_RENDER_BYTES,
            max_concurrent_renders: default_concurrent_renders(),
            render_timeout: Duration::from_secs(DEFAULT_RENDER_TIMEOUT_SECS),
        }
    }
}

/// The whole server configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Database URL; `None` means SQLite under `data_dir`. May hold a password: never log it.
    pub database_url: Option<String>,
    /// Directory for the embedded database and other local state.
    pub data_dir: PathBuf,
    /// Directory of the built web client to serve at `/` instead of the one built into the
    /// binary (`--static-dir`, for development).
    pub static_dir: Option<PathBuf>,
    /// Input limits.
    pub limits: Limits,
    /// Upload, version and rendering bounds.
    pub work: WorkLimits,
    /// Document handling.
    pub hub: HubSettings,
    /// How long shutdown waits for connections and documents to finish.
    pub shutdown_grace: Duration,
    /// Whether cookies are marked `Secure` (set when served behind TLS); see
    /// [`Config::serves_https`].
    pub secure_cookies: bool,
    /// Trusted proxies, sign-in limits, the metrics token.
    pub auth: crate::auth::settings::AuthSettings,
    /// Reminders, escalation timeouts and notification delivery.
    pub scheduler: crate::scheduler::SchedulerSettings,
    /// Several processes on one database.
    pub cluster: ClusterConfig,
}

/// How this process works with others on the same PostgreSQL database.
#[derive(Debug, Clone, Default)]
pub struct ClusterConfig {
    /// Redis for cross-process delivery (`--redis-url`); may hold a password.
    pub redis_url: Option<secrecy::SecretString>,
    /// Tests only: the share of document publishes dropped on purpose.
    pub drop_publishes_percent: u8,
    /// How often each loaded document's head is read from the database.
    pub head_check: crate::hub::heads::HeadCheck,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            data_dir: PathBuf::from("data"),
            static_dir: None,
            limits: Limits::default(),
            work: WorkLimits::default(),
            hub: HubSettings::default(),
            shutdown_grace: Duration::from_secs(10),
            secure_cookies: false,
            auth: crate::auth::settings::AuthSettings::default(),
            scheduler: crate::scheduler::SchedulerSettings::default(),
            cluster: ClusterConfig::default(),
        }
    }
}

impl Config {
    /// Whether the server is served over HTTPS: `secure_cookies` is set or the public URL
    /// starts with `https://`. Then cookies are `Secure` with the `__Host-` prefix and
    /// responses carry `Strict-Transport-Security`.
    pub fn serves_https(&self) -> bool {
        self.secure_cookies
            || self
                .scheduler
                .public_url
                .as_deref()
                .is_some_and(|url| url.trim().to_ascii_lowercase().starts_with("https://"))
    }

    /// The database URL in effect: the configured one, or SQLite under the data directory.
    pub fn effective_database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| sqlite_url_for(&self.data_dir))
    }
}
