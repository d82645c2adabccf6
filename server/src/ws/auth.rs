//! The one authenticator of WebSocket upgrades (`/ws/{doc_id}` and `/ws/inbox`): the credential,
//! with a same-origin check for cookies, resolved to an identity. The credential is kept so
//! that open sockets can be authorised again when access changes (see [`super::access`]).

use std::sync::Arc;

use axum::http::HeaderMap;

use crate::auth::{self, Credential, Identity};
use crate::error::{AppError, Result};
use crate::state::AppState;

/// A credential as an open socket keeps it, to authorise again later. Never logged.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum HeldCredential {
    /// An API token.
    Token(Arc<str>),
    /// A session id from the cookie.
    Session(Arc<str>),
}

impl HeldCredential {
    fn from_credential(credential: &Credential) -> Self {
        match credential {
            Credential::Token(token) => Self::Token(Arc::from(token.as_str())),
            Credential::Session(session) => Self::Session(Arc::from(session.as_str())),
        }
    }

    /// The credential to authenticate with.
    pub fn to_credential(&self) -> Credential {
        match self {
            Self::Token(token) => Credential::Token(token.to_string()),
            Self::Session(session) => Credential::Session(session.to_string()),
        }
    }

    /// The session id, for a session credential.
    pub fn session(&self) -> Option<&str> {
        match self {
            Self::Session(session) => Some(session),
            Self::Token(_) => None,
        }
    }
}

impl std::fmt::Debug for HeldCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Token(_) => "Token(…)",
            Self::Session(_) => "Session(…)",
        })
    }
}

/// Who opens a socket, and with what.
pub struct Upgrader {
    /// The authenticated identity.
    pub identity: Identity,
    /// The credential it was authenticated with.
    pub credential: HeldCredential,
    /// The access epoch seen before authenticating (see [`super::access`]).
    pub epoch: i64,
}

/// Authenticates a WebSocket upgrade.
///
/// # Errors
/// [`AppError::Forbidden`] for a cookie sent from a page of another site;
/// [`AppError::Unauthorized`] without a valid credential; storage errors.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    query_token: Option<&str>,
) -> Result<Upgrader> {
    let credential =
        auth::request::any_credential(headers, query_token).ok_or(AppError::Unauthorized)?;
    if matches!(credential, Credential::Session(_)) && !same_origin(headers) {
        // A page on another site could open this socket with the visitor's cookie.
        return Err(AppError::Forbidden(None));
    }
    // Read before authenticating: a change that lands after this point is caught by the next
    // re-authorisation of this socket.
    let epoch = state.sockets.seen_epoch();
    let identity = auth::authenticate(&state.db, &credential)
        .await?
        .ok_or(AppError::Unauthorized)?;
    Ok(Upgrader {
        identity,
        credential: HeldCredential::from_credential(&credential),
        epoch,
    })
}

/// Whether a cookie-authenticated upgrade comes from a page of this server: its `Origin` names
/// the same host as the `Host` header (browsers always send `Origin` on WebSocket upgrades).
fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    let origin = headers
        .get(axum::http::header::ORIGIN)
        .and_then(|o| o.to_str().ok());
    match (host, origin) {
        (Some(host), Some(origin)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.trim_end_matches('/').eq_ignore_ascii_case(host)),
        // Non-browser clients send no Origin; a cross-site page cannot suppress it.
        (_, None) => true,
        (None, Some(_)) => false,
    }
}
