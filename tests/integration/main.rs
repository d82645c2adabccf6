//! Black-box integration tests: a real server, real sockets, a real database.
//!
//! Every test that touches storage runs on SQLite and, when `TEST_DATABASE_URL` is set, on
//! PostgreSQL too (see [`backend_tests!`]); each gets its own database or schema.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod helpers;

mod access;
mod agreements;
mod api_contract;
mod archive;
mod audited_writes;
mod body_settings;
mod bounds;
mod client_openapi;
mod consultation;
mod credentials;
mod decision_events;
mod decisions;
mod dispute_options;
mod doc_seq;
mod durability;
mod dutch_time;
mod endorsement;
mod escalation;
mod events;
mod governance;
mod guest_mail;
mod import_headings;
mod inbox_cursor;
mod limits;
mod lists;
mod matrix;
mod meetings;
mod monitor;
mod nesting;
mod npm_client;
mod open_points;
mod openapi;
mod outbound;
mod person_removal;
mod personal_data;
mod programme;
mod public_page;
mod relative_due;
mod reports;
mod single_process;
mod sockets;
mod sync;
mod versions;
mod workflow;
