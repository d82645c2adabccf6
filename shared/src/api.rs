//! The JSON error body shared by every REST route.

use serde::{Deserialize, Serialize};

/// The one error shape of the REST API: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// The error itself.
    pub error: ApiErrorDetail,
}

/// A machine-readable code and a sentence a person understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorDetail {
    /// Stable, machine-readable code such as `unauthorized` or `not_found`.
    pub code: String,
    /// What went wrong and, where possible, what to do next.
    pub message: String,
}

impl ApiError {
    /// Builds an error body from a code and a message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: ApiErrorDetail {
                code: code.into(),
                message: message.into(),
            },
        }
    }
}
