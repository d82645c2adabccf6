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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_bytes: 8 * 1024 * 1024,
            max_connections: 10_000,
            outbound_queue: 512,
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
    /// Directory of the built web client to serve at `/`, if any.
    pub static_dir: Option<PathBuf>,
    /// Input limits.
    pub limits: Limits,
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
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            data_dir: PathBuf::from("data"),
            static_dir: None,
            limits: Limits::default(),
            hub: HubSettings::default(),
            shutdown_grace: Duration::from_secs(10),
            secure_cookies: false,
            auth: crate::auth::settings::AuthSettings::default(),
            scheduler: crate::scheduler::SchedulerSettings::default(),
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
