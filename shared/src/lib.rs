//! Wire and domain types that the Polder server and its clients share.
//!
//! Nothing here depends on tokio, axum or sqlx, so any client (a CLI, a test
//! harness, a future wasm build) can use these types as they are.
//!
//! # Layout
//! - [`doc_id`]: the validated document identifier used in `/ws/{doc_id}`.
//! - [`close`]: the WebSocket close codes the sync endpoint uses, and why.
//! - [`api`]: the JSON error body every REST route answers with.

pub mod api;
pub mod close;
pub mod doc_id;

pub use api::ApiError;
pub use doc_id::{DocId, DocIdError};
