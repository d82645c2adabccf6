//! Decision requests and the decision register, as inherent methods of
//! [`SqlStorage`](crate::storage::SqlStorage) (docs/DOMAIN.md §14).
//!
//! # Layout
//! - [`requests`] — creating, changing, withdrawing and reading decision requests.
//! - [`outcomes`] — recording a deciding body's outcome, with everything that follows from it
//!   in one transaction.
//! - [`register`] — the register: writing a decision inside another change (a draft reaching
//!   `besloten`, a resolved dispute) and reading it with its filter.
//! - [`demo`] — the demo working group's two requests to the BO-IZA.

pub mod demo;
pub mod outcomes;
pub mod register;
pub mod requests;

use crate::storage::StorageError;

/// Why a change to a request or an outcome could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    /// The request (or a dispute it names) is no longer in a state that allows the change.
    #[error("{0}")]
    Conflict(String),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for DecisionError {
    fn from(err: sqlx::Error) -> Self {
        DecisionError::Storage(err.into())
    }
}
