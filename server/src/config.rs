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

/// Limits on what one socket may cost the server (see `docs/SECURITY_sockets.md`).
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
    /// Whether cookies are marked `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
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
            scheduler: crate::scheduler::SchedulerSettings::default(),
        }
    }
}

impl Config {
    /// The database URL in effect: the configured one, or SQLite under the data directory.
    pub fn effective_database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| sqlite_url_for(&self.data_dir))
    }
}
