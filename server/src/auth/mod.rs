//! Who is asking, and what they may do with a document.
//!
//! # Layout
//! - [`password`]: argon2id hashing and verification, off the async runtime.
//! - [`secret`]: random tokens and session ids, stored only as hashes.
//! - [`throttle`]: sign-in attempts per account and per address, counted in the database.
//! - [`proxy`]: the client's address, through trusted reverse proxies only.
//! - [`request`]: reading the credential a request carries (bearer token, `?token=`, cookie).
//! - [`csrf`]: CSRF tokens bound to their session.
//! - [`guest`]: the few paths a guest account may reach.
//! - [`settings`]: the operator's settings of all this.
//! - this module: [`Credential`] → [`Identity`] → [`Access`] for a document.

pub mod csrf;
pub mod guest;
pub mod password;
pub mod proxy;
pub mod request;
pub mod secret;
pub mod settings;
pub mod throttle;

use polder_shared::DocId;

use crate::storage::{now_ms, DocRole, SqlStorage, StorageError};

/// Name of the session cookie over plain HTTP (a local demo).
pub const SESSION_COOKIE: &str = "polder_session";
/// Name of the session cookie when served over HTTPS: the `__Host-` prefix makes browsers
/// accept it only with `Secure`, `Path=/` and no `Domain`, so no other host can plant it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-polder_session";

/// Something a request presented to prove who it is.
pub enum Credential {
    /// An API token, from `Authorization: Bearer` or `?token=`.
    Token(String),
    /// A session id from the session cookie.
    Session(String),
}

/// An authenticated principal.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The person, when the credential belongs to one (service tokens have none).
    pub user_id: Option<i64>,
    /// Display name: the person's name, or `token:NAME` for a service token.
    pub name: String,
    /// Whether this principal administers the instance (an `admin`-scoped token, or an
    /// administrator's session).
    pub is_admin: bool,
    /// Whether the credential limits its holder to reading (a token with only the `read` scope).
    pub read_only: bool,
    /// Whether the person is a guest, who reaches only the consultations they were invited to
    /// (docs/DOMAIN.md §16).
    pub is_guest: bool,
}

/// What a principal may do with one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Follow the document; updates are refused.
    Read,
    /// Change the document too.
    Write,
}

/// Resolves a credential to an identity; `None` when it is unknown, revoked or expired.
///
/// # Errors
/// Fails only when storage does.
pub async fn authenticate(
    storage: &SqlStorage,
    credential: &Credential,
) -> Result<Option<Identity>, StorageError> {
    match credential {
        Credential::Token(token) => {
            let Some(record) = storage.find_token(&secret::hash(token)).await? else {
                return Ok(None);
            };
            let scopes: Vec<&str> = record.scope.split_whitespace().collect();
            let is_admin = scopes.contains(&"admin");
            let read_only = !is_admin && !scopes.contains(&"write");
            let (name, is_guest) = match record.user_id {
                Some(user_id) => match storage.find_user(user_id).await? {
                    Some(user) => (user.name, user.is_guest),
                    None => return Ok(None),
                },
                None => (format!("token:{}", record.name), false),
            };
            Ok(Some(Identity {
                user_id: record.user_id,
                name,
                is_admin: is_admin && !is_guest,
                read_only,
                is_guest,
            }))
        }
        Credential::Session(session) => {
            let Some(user_id) = storage
                .find_session_user(&secret::hash(session), now_ms())
                .await?
            else {
                return Ok(None);
            };
            let Some(user) = storage.find_user(user_id).await? else {
                return Ok(None);
            };
            Ok(Some(Identity {
                user_id: Some(user.id),
                name: user.name,
                is_admin: user.is_admin && !user.is_guest,
                read_only: false,
                is_guest: user.is_guest,
            }))
        }
    }
}

/// Decides what `identity` may do with `doc_id`; `None` means nothing at all.
///
/// Administrators may write every document (and create new ones); other people need a role
/// on the document; a read-only credential caps the result at [`Access::Read`].
///
/// # Errors
/// Fails only when storage does.
pub async fn document_access(
    storage: &SqlStorage,
    identity: &Identity,
    doc_id: &DocId,
) -> Result<Option<Access>, StorageError> {
    let access = if identity.is_admin {
        Some(Access::Write)
    } else if let Some(user_id) = identity.user_id {
        storage
            .document_role(doc_id, user_id)
            .await?
            .map(|role| match role {
                DocRole::Writer => Access::Write,
                DocRole::Reader => Access::Read,
            })
    } else {
        None
    };
    Ok(access.map(|access| {
        if identity.read_only {
            Access::Read
        } else {
            access
        }
    }))
}
