//! [`AppError`]: the one error type of HTTP handlers, mapped to status codes and the shared
//! JSON error body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use polder_shared::ApiError;

use crate::storage::StorageError;

/// The shared error body, `{"error": {"code": "...", "message": "..."}}`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ApiErrorBody {
    error: ApiErrorDetailBody,
}

/// A machine-readable code and a sentence a person understands.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ApiErrorDetailBody {
    code: String,
    message: String,
}

/// Result type of HTTP handlers.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Everything an HTTP handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// No valid credential was presented.
    #[error("sign in first: no valid session or token was presented")]
    Unauthorized,
    /// Sign-in failed: unknown account or wrong password (deliberately not saying which).
    #[error("the e-mail address or password is not correct")]
    InvalidCredentials,
    /// The credential is valid but does not allow this; the reason, when given, is the message
    /// (it says what would allow it), otherwise a general sentence.
    #[error("{}", .0.as_deref().unwrap_or("you do not have access to this"))]
    Forbidden(Option<String>),
    /// A read-only credential (a `read`-scoped token) tried to change something.
    #[error("this token may only read; a change needs a token with the write scope or a signed-in session")]
    ReadOnlyCredential,
    /// A change authenticated by the session cookie did not carry that session's CSRF token.
    #[error(
        "the x-csrf-token header does not belong to this session; reload the page and try again"
    )]
    CsrfMismatch,
    /// Nothing exists at this address (or the caller may not know that it does).
    #[error("not found")]
    NotFound,
    /// The request conflicts with the current state; the message says how.
    #[error("{0}")]
    Conflict(String),
    /// The request body is not of a media type the route accepts.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A field is invalid; the message names it and says how to fix it.
    #[error(transparent)]
    Invalid(#[from] crate::domain::validate::Invalid),
    /// Too many attempts; try again after the given number of seconds.
    #[error("{message}")]
    TooManyRequests {
        /// What to tell the person.
        message: String,
        /// Seconds until a new attempt may succeed (sent as `Retry-After`).
        retry_after_secs: u64,
    },
    /// The server cannot take this request now (limits, shutdown).
    #[error("{0}")]
    Unavailable(String),
    /// The request, or the work it asks for, is over a size limit; the message names it.
    #[error("{0}")]
    TooLarge(String),
    /// Every slot for this kind of work is taken; try again after the given seconds.
    #[error("{message}")]
    Busy {
        /// What to tell the person.
        message: String,
        /// Seconds until a slot is likely free (sent as `Retry-After`).
        retry_after_secs: u64,
    },
    /// Storage failed.
    #[error("storage error")]
    Storage(StorageError),
    /// Anything else that went wrong inside.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A 403 with a sentence saying why and what would allow it.
    pub fn refused(reason: impl Into<String>) -> Self {
        AppError::Forbidden(Some(reason.into()))
    }

    /// The HTTP status for this error.
    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::ReadOnlyCredential | AppError::CsrfMismatch => {
                StatusCode::FORBIDDEN
            }
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) | AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Storage(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Forbidden(_) => "forbidden",
            AppError::ReadOnlyCredential => "read_only_credential",
            AppError::CsrfMismatch => "csrf_mismatch",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Invalid(_) => "invalid",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Unavailable(_) => "unavailable",
            AppError::TooLarge(_) => "payload_too_large",
            AppError::Busy { .. } => "busy",
            AppError::Storage(_) | AppError::Internal(_) => "internal",
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let message = if status.is_server_error() {
            match &self {
                AppError::Unavailable(message) | AppError::Busy { message, .. } => message.clone(),
                other => {
                    tracing::error!(error = ?other, "request failed");
                    "something went wrong on the server; try again, and tell the administrator if it persists".to_owned()
                }
            }
        } else {
            self.to_string()
        };
        let retry_after = match &self {
            AppError::TooManyRequests {
                retry_after_secs, ..
            }
            | AppError::Busy {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        };
        let mut response = (status, Json(ApiError::new(self.code(), message))).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

impl From<StorageError> for AppError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::AlreadyExists(what) => {
                AppError::Conflict(format!("this {what} already exists"))
            }
            other => AppError::Storage(other),
        }
    }
}

impl From<crate::storage::governance::linked::LinkError> for AppError {
    fn from(err: crate::storage::governance::linked::LinkError) -> Self {
        match err {
            crate::storage::governance::linked::LinkError::Invalid(invalid) => invalid.into(),
            crate::storage::governance::linked::LinkError::Storage(storage) => storage.into(),
        }
    }
}

impl From<crate::archive::ArchiveError> for AppError {
    fn from(err: crate::archive::ArchiveError) -> Self {
        use crate::archive::ArchiveError;
        match err {
            ArchiveError::NoBody => AppError::NotFound,
            ArchiveError::Storage(error) => error.into(),
            ArchiveError::TooLarge(what) => AppError::TooLarge(format!(
                "the archive would be larger than its limit ({what}); use `polder export archive` \
                 on the server, or ask the administrator"
            )),
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<crate::versions::typeset::TypesetError> for AppError {
    fn from(err: crate::versions::typeset::TypesetError) -> Self {
        AppError::Internal(err.into())
    }
}

impl From<axum::extract::rejection::JsonRejection> for AppError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge(
                "the request body is larger than this server accepts (--max-body-bytes); send less"
                    .into(),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType(format!(
                "the request body is not valid: {}",
                rejection.body_text()
            )),
            _ => AppError::BadRequest(format!(
                "the request body is not valid: {}",
                rejection.body_text()
            )),
        }
    }
}

impl From<axum::extract::rejection::QueryRejection> for AppError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> Self {
        AppError::BadRequest(format!(
            "the query string is not valid: {}",
            rejection.body_text()
        ))
    }
}

impl From<axum::extract::rejection::PathRejection> for AppError {
    fn from(rejection: axum::extract::rejection::PathRejection) -> Self {
        if rejection.status().is_server_error() {
            // the route and its handler disagree about the parameters: a defect, not the caller's
            return AppError::Internal(anyhow::anyhow!(
                "path rejection: {}",
                rejection.body_text()
            ));
        }
        AppError::BadRequest(format!(
            "the address is not valid: {}",
            rejection.body_text()
        ))
    }
}

/// Longest plain-text body of a framework rejection that is carried over into the JSON
/// error's message (default 1 KiB); longer ones get a generic message.
const MAX_REJECTION_TEXT_BYTES: usize = 1024;

/// Middleware for the API: gives every error answer the shared JSON error body, including the
/// ones the framework and its layers produce without a handler (405 for a method a path does
/// not have, 413 from the request body limit, 408 from the request timeout, rejections of
/// extractors that are not wrapped). Answers that already are JSON pass unchanged; headers
/// such as `Allow` and `Retry-After` are kept.
pub async fn json_error_bodies(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/json") {
        return response;
    }
    let is_text = content_type.starts_with("text/plain");
    let (mut parts, body) = response.into_parts();
    let text = if is_text {
        axum::body::to_bytes(body, MAX_REJECTION_TEXT_BYTES)
            .await
            .ok()
            .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
            .map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty())
    } else {
        None
    };
    let (code, fallback) = framework_error(status);
    let message = match text {
        Some(text) if !status.is_server_error() => text,
        _ => fallback.to_owned(),
    };
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    let body = Json(ApiError::new(code, message))
        .into_response()
        .into_body();
    Response::from_parts(parts, body)
}

/// The error code and a message for an answer the framework gave by status alone.
fn framework_error(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => ("bad_request", "the request is not valid"),
        StatusCode::UNAUTHORIZED => (
            "unauthorized",
            "sign in first: no valid session or token was presented",
        ),
        StatusCode::FORBIDDEN => ("forbidden", "you do not have access to this"),
        StatusCode::NOT_FOUND => ("not_found", "not found"),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this address does not take this method; see the Allow header",
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "timeout",
            "the request took too long and was stopped; try again",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large",
            "the request body is larger than the server accepts",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "the request body is not of a type this address accepts",
        ),
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid", "the request is not valid"),
        StatusCode::TOO_MANY_REQUESTS => ("too_many_requests", "too many requests; try again later"),
        StatusCode::SERVICE_UNAVAILABLE => (
            "unavailable",
            "the server cannot take this request now; try again",
        ),
        s if s.is_server_error() => (
            "internal",
            "something went wrong on the server; try again, and tell the administrator if it persists",
        ),
        _ => ("bad_request", "the request is not valid"),
    }
}
