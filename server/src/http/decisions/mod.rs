//! The decisions API: decision requests put to a body, their outcomes, and the decision
//! register with its exports (docs/DOMAIN.md §14).
//!
//! # Access
//! A request is read by the readers of the deciding body and of the requesting body; it is
//! put, changed and withdrawn by the chair or secretariat of either; only the chair or
//! secretariat of the deciding body records its outcome. A body's register is read by the
//! body's readers; the programme register shows the decisions of every body the caller may
//! read, and the decisions on requests made by a body the caller may read.
//!
//! # Layout
//! - [`requests`] serves `/api/bodies/{id}/decision-requests` and `/api/decision-requests/…`.
//! - [`register`] serves `/api/bodies/{id}/decisions`, `/api/decisions`, `/api/decisions/{id}`.
//! - [`exports`] serves the register as CSV and as a PDF list.

pub mod exports;
pub mod register;
pub mod requests;

use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;

use crate::domain::decision::{RawFilter, RegisterFilter};
use crate::domain::validate::Invalid;
use crate::error::AppError;
use crate::error::Result;
use crate::http::access::{self, BodyAccess};
use crate::http::extract::Caller;
use crate::state::AppState;
use crate::storage::decisions::register::Scope;
use crate::storage::decisions::DecisionError;

/// The decisions routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(requests::router())
        .merge(register::router())
        .merge(exports::router())
}

/// The register's filter in the query string.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RegisterQuery {
    /// Only this body's decisions (the programme register).
    body: Option<i64>,
    /// Searches title, rationale, conditions and topic (case-insensitive).
    q: Option<String>,
    /// Decided on or after this day (`YYYY-MM-DD`, or a period such as `2024-Q3`).
    from: Option<String>,
    /// Decided on or before this day (`YYYY-MM-DD`, or a period).
    to: Option<String>,
    /// Decided in this period (`2024`, `2024-Q3`, `2024-H1`, `2024-09`).
    period: Option<String>,
    /// Concerning this party (code or alias; collectives included).
    party: Option<String>,
    /// With this topic.
    topic: Option<String>,
    /// `decision_request`, `draft` or `dispute`.
    source: Option<String>,
    /// How many to skip.
    offset: Option<i64>,
    /// How many at most (1 to 200).
    limit: Option<i64>,
}

impl RegisterQuery {
    /// The page asked for.
    pub(crate) fn page(&self) -> Result<crate::http::extract::Page> {
        crate::http::extract::Page::asked(self.offset, self.limit)
    }
}

/// The checked filter (restricted to `body` when given) and the party it names, resolved.
///
/// # Errors
/// [`Invalid`] naming the parameter; an unknown party too.
pub(crate) async fn filter(
    state: &AppState,
    query: &RegisterQuery,
    body: Option<i64>,
) -> Result<(RegisterFilter, Option<i64>)> {
    let filter = RegisterFilter::parse(&RawFilter {
        body: body.or(query.body),
        q: query.q.as_deref(),
        from: query.from.as_deref(),
        to: query.to.as_deref(),
        period: query.period.as_deref(),
        party: query.party.as_deref(),
        topic: query.topic.as_deref(),
        source: query.source.as_deref(),
    })?;
    let party = match &filter.party {
        Some(name) => Some(state.db.resolve_party(name).await?.ok_or_else(|| Invalid {
            field: "party",
            message: format!("no party is called {name:?}; use a party code such as ZIN or VWS"),
        })?),
        None => None,
    };
    Ok((filter, party))
}

/// Whose decisions the caller sees in the programme register: administrators every body's,
/// others those of the bodies they are a member of (and the requests those bodies made).
///
/// # Errors
/// Storage errors.
pub(crate) async fn scope(state: &AppState, caller: &Caller) -> Result<Scope> {
    if caller.identity.is_admin {
        return Ok(Scope::All);
    }
    Ok(match caller.identity.user_id {
        Some(person) => Scope::Bodies(state.db.readable_bodies(person).await?),
        None => Scope::Bodies(Vec::new()),
    })
}

/// A storage refusal as the API answers it.
pub(crate) fn stored(error: DecisionError) -> AppError {
    match error {
        DecisionError::Conflict(message) => AppError::Conflict(message),
        DecisionError::Storage(e) => e.into(),
    }
}

/// The caller's standing in a body, `None` when they may not read it.
///
/// # Errors
/// Storage errors.
pub(crate) async fn readable(
    state: &AppState,
    caller: &Caller,
    body: i64,
) -> Result<Option<BodyAccess>> {
    match access::body(state, caller, body).await {
        Ok(access) => Ok(Some(access)),
        Err(AppError::NotFound) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Whether the caller steers the body of `access`.
pub(crate) fn steers(access: &Option<BodyAccess>) -> bool {
    access.as_ref().is_some_and(|a| a.steer().is_ok())
}
