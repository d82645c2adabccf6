//! Multi-process tests: several real `polder serve` processes on one PostgreSQL database,
//! fanning out through a private Redis, with clients on every process.
//!
//! - [`two_process`]: two processes, a client on each; every edit arrives live on both and is
//!   stored after one process is killed and the other stopped.
//! - [`chaos`]: three processes, fifteen clients, a killed node, a Redis outage and dropped
//!   publishes; nothing any client saw is lost and the clients converge.
//!
//! They need PostgreSQL (`TEST_DATABASE_URL`; without it each test prints "skipped") and
//! `redis-server` on PATH. They are `#[ignore]`d so that `cargo test --workspace` does not run
//! them (a `test = false` target would also drop out of `cargo clippy --all-targets`);
//! `scripts/test` runs them on their own with `--ignored --test-threads=1`, as they start many
//! processes and the chaos test writes for more than a minute.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../integration/helpers.rs"]
#[allow(dead_code, unused_imports, unused_macros)]
mod helpers;
mod support;

mod across;
mod chaos;
mod two_process;
