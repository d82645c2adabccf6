//! Several processes on one PostgreSQL database: the Redis bus between them.
//!
//! The database is the log (per-document sequence numbers assigned in the append transaction,
//! see `storage::documents`); Redis only rings the doorbell. After its commit a process
//! relays an update to its own connections and publishes it on the document's channel; the
//! others apply it in sequence order and read any gap from the database (`hub`). A periodic
//! head check (`hub::heads`) heals whatever Redis lost, and polls fast while Redis is away, so
//! correctness never depends on Redis.
//!
//! - [`wire`]: channel names and message encoding (no IO).
//! - [`redis`]: the [`crate::hub::Bus`] over Redis pub/sub, and the router of what it receives.

pub mod redis;
pub mod wire;

pub use self::redis::{Inbound, RedisBus};

/// Why the cluster bus could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The Redis URL is not one the `redis` crate accepts. Neither the URL nor the crate's
    /// message is repeated: they may hold a password.
    #[error("the Redis URL is not valid: expected redis://[user:password@]host[:port][/db]")]
    Url,
}
