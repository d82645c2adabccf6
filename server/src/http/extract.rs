//! Extractors shared by the REST routes: the authenticated [`Caller`] (with CSRF protection for
//! cookie sessions), JSON bodies, query strings and paths that fail with the API's error shape,
//! [`Page`] for paginated lists, [`at_most`] for input lists, and [`record`], the audit entry
//! every state-changing route appends.

use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};

use crate::auth::{self, Credential, Identity};
use crate::domain::validate::Invalid;
use crate::error::AppError;
use crate::http::credentials;
use crate::state::AppState;
use crate::storage::people::Person;

/// Header in which the page echoes the CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// JSON body that rejects with the API error shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct AppJson<T>(pub T);

/// Query string that rejects with the API error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct AppQuery<T>(pub T);

/// Path parameters that reject with the API error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct AppPath<T>(pub T);

/// Who is calling: the identity behind the session cookie or bearer token, and the person.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The authenticated identity.
    pub identity: Identity,
    /// The person, for sessions and personal tokens.
    pub person: Option<Person>,
}

impl Caller {
    /// The person's id; service tokens act for nobody and are refused.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for service tokens.
    pub fn person_id(&self) -> Result<i64, AppError> {
        self.identity.user_id.ok_or(AppError::Forbidden(None))
    }

    /// Fails unless the caller administers the instance.
    ///
    /// # Errors
    /// [`AppError::Forbidden`].
    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.identity.is_admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(None))
        }
    }

    /// Fails when the credential only allows reading.
    ///
    /// # Errors
    /// [`AppError::Forbidden`].
    pub fn require_write_scope(&self) -> Result<(), AppError> {
        if self.identity.read_only {
            Err(AppError::Forbidden(None))
        } else {
            Ok(())
        }
    }

    /// How the audit log names the caller.
    pub fn actor(&self) -> String {
        match &self.person {
            Some(person) => format!("person:{} ({})", person.id, person.name),
            None => self.identity.name.clone(),
        }
    }

    /// The caller's party code, if any.
    pub fn party(&self) -> Option<&str> {
        self.person.as_ref().and_then(|p| p.party.as_deref())
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let credential =
            credentials::credential(state, &parts.headers, None).ok_or(AppError::Unauthorized)?;
        if let Credential::Session(session_id) = &credential {
            if !credentials::is_safe(&parts.method) {
                check_csrf(parts, session_id)?;
            }
        }
        let identity = match parts.extensions.remove::<credentials::Authenticated>() {
            Some(credentials::Authenticated(identity)) => identity,
            None => auth::authenticate(&state.db, &credential)
                .await?
                .ok_or(AppError::Unauthorized)?,
        };
        if identity.read_only && !credentials::is_safe(&parts.method) {
            return Err(AppError::ReadOnlyCredential);
        }
        if identity.is_guest && !auth::guest::may_reach(parts.uri.path()) {
            return Err(AppError::refused(auth::guest::REFUSAL));
        }
        let person = match identity.user_id {
            Some(id) => state.db.find_person(id).await?,
            None => None,
        };
        Ok(Self { identity, person })
    }
}

impl OptionalFromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <Caller as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(caller) => Ok(Some(caller)),
            Err(AppError::Unauthorized) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// The header must carry the CSRF token of this very session (see [`auth::csrf`]): a
/// cross-site page can make the browser send the cookies but cannot read them, and a token
/// taken from another session (or planted as a cookie) does not fit this one.
fn check_csrf(parts: &Parts, session_id: &str) -> Result<(), AppError> {
    let header = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if auth::csrf::is_valid(session_id, header) {
        Ok(())
    } else {
        Err(AppError::CsrfMismatch)
    }
}

/// Pagination of list routes: `?offset=0&limit=50` (limit 1 to 200). Every route that answers a
/// list takes it and answers a [`Paged`].
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// How many items to skip.
    pub offset: i64,
    /// How many items at most.
    pub limit: i64,
}

impl Default for Page {
    fn default() -> Self {
        Self {
            offset: 0,
            limit: 50,
        }
    }
}

impl Page {
    /// The page a query's optional `offset` and `limit` ask for (defaults where left out),
    /// checked.
    ///
    /// # Errors
    /// [`AppError::Invalid`] naming the offending parameter.
    pub fn asked(offset: Option<i64>, limit: Option<i64>) -> Result<Self, AppError> {
        let default = Self::default();
        Self {
            offset: offset.unwrap_or(default.offset),
            limit: limit.unwrap_or(default.limit),
        }
        .checked()
    }

    /// Checks the bounds.
    ///
    /// # Errors
    /// [`AppError::Invalid`] naming the offending parameter.
    pub fn checked(self) -> Result<Self, AppError> {
        if self.offset < 0 {
            return Err(crate::domain::validate::Invalid {
                field: "offset",
                message: "may not be negative".into(),
            }
            .into());
        }
        if !(1..=200).contains(&self.limit) {
            return Err(crate::domain::validate::Invalid {
                field: "limit",
                message: "must be between 1 and 200".into(),
            }
            .into());
        }
        Ok(self)
    }
}

/// One page of a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Paged<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items there are in all.
    pub total: i64,
    /// The offset of this page.
    pub offset: i64,
    /// The page size asked for.
    pub limit: i64,
}

impl<T> Paged<T> {
    /// Wraps a page of items.
    pub fn new(items: Vec<T>, total: i64, page: Page) -> Self {
        Self {
            items,
            total,
            offset: page.offset,
            limit: page.limit,
        }
    }

    /// Pages an in-memory list.
    pub fn slice(all: Vec<T>, page: Page) -> Self {
        let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
        let start = usize::try_from(page.offset).unwrap_or(usize::MAX);
        let take = usize::try_from(page.limit).unwrap_or(0);
        let items = all.into_iter().skip(start).take(take).collect();
        Self::new(items, total, page)
    }
}

/// The caller as the audit log names them, for storage functions that append the entry in the
/// change's own transaction.
pub fn audit_actor(caller: &Caller) -> crate::storage::audit::Actor {
    crate::storage::audit::Actor {
        name: caller.actor(),
        party: caller.party().map(str::to_owned),
    }
}

/// Refuses a list longer than `max` before anything in it is looked up.
///
/// # Errors
/// [`Invalid`] naming the field and the limit.
pub fn at_most(field: &'static str, len: usize, max: usize) -> Result<(), Invalid> {
    if len > max {
        return Err(Invalid {
            field,
            message: format!("at most {max} entries (got {len})"),
        });
    }
    Ok(())
}
