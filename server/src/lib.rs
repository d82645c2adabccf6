//! Polder's server: y-websocket sync with durable storage and access control.
//!
//! # Layout
//! Dependencies point one way. [`app`] builds the [`state::AppState`] and starts `http`, `ws`
//! and `scheduler`, handing each what it uses; `http` and `ws` use `hub`, `auth` and
//! `storage`, and `ws` never `http`; `scheduler` gets the database and the inbox signal, never
//! the app state; `hub` reaches storage only through [`storage::DocStore`] and uses `sync` and
//! `metrics`; `sync` uses yrs and the `clock` (and names the fragment `versions` reads). `domain`,
//! `sync`, `versions` and `import` do no IO and import neither axum nor sqlx (the dossier
//! writers in `versions` read the dispute records of `domain`, which `storage` loads).
//! - [`cli`]: the `polder` command line.
//! - [`app`]: builds the server from a [`config::Config`] and runs it until shutdown.
//! - [`http`]: REST routes, health and metrics; [`ws`]: the WebSocket endpoints, sync at
//!   `/ws/{doc_id}` and the live inbox at `/ws/inbox`, both authenticated by one upgrade check.
//! - [`hub`]: one owner task per loaded document; group commit before relay.
//! - [`sync`]: the y-websocket protocol and document rules, free of IO.
//! - [`storage`]: [`storage::SqlStorage`], the one database handle over SQLite and
//!   PostgreSQL, and the narrow [`storage::DocStore`] the hub sees.
//! - [`auth`]: reading credentials, passwords, tokens, sessions and document access.
//! - [`domain`]: working-group rules (status flow, fuzzy dates, working days), free of IO.
//! - [`versions`]: rendering, comparing and exporting document versions, free of IO.
//! - [`import`]: reading milestone tables (CSV, TSV, XLSX), free of IO.
//! - [`archive`]: a body's complete record as a zip with a manifest, and its verification;
//!   free of IO but for [`archive::gather`], which reads storage.
//! - [`scheduler`]: durable jobs: reminders, requests, escalation timeouts.
//! - [`commands`]: longer CLI commands (milestone import).
//! - [`notify`]: delivery channels for notifications: e-mail (SMTP), iCalendar feeds, webhooks.
//! - [`demo`]: the demo working group seeded into an empty database.
//! - [`metrics`], [`telemetry`], [`shutdown`], [`error`], [`state`], [`clock`]: plumbing.

pub mod app;
pub mod archive;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod cluster;
pub mod commands;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod hub;
pub mod import;
pub mod metrics;
pub mod notify;
pub mod scheduler;
pub mod shutdown;
pub mod state;
pub mod storage;
pub mod sync;
pub mod telemetry;
pub mod versions;
pub mod ws;
