//! Calendar feeds (RFC 5545) at secret, revocable URLs: `GET /api/calendar/{secret}.ics`
//! needs no sign-in. A personal feed holds the dated milestones of the person's party and the
//! response deadlines of its open disputes; a party feed the same for one party. Either shows
//! only what its owner may read at the time of the fetch: entries of the bodies the owner is a
//! member of (all bodies for an administrator). The owner of a personal feed is its person, of
//! a party feed the person who created it; a party feed stops working (404) once its creator
//! is gone or no longer belongs to the party.
//!
//! - `POST /api/me/calendar-feeds`: a personal feed; `POST /api/parties/{code}/calendar-feeds`:
//!   a party feed (people of that party, administrators). Both answer with the URL once.
//! - `GET /api/me/calendar-feeds`: the caller's feeds (without secrets).
//! - `DELETE /api/calendar-feeds/{id}`: revoke (its owner, its creator, administrators).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::secret;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::extract::{audit_actor, AppPath, AppQuery, Caller, Page, Paged};
use crate::notify::ical::{self, CalendarItem, MeetingEvent};
use crate::state::AppState;
use crate::storage::escalation::disputes::parse_day;
use crate::storage::escalation::feeds::{CalendarFeed, FeedReader};

/// A feed just created, with its address (shown this once: only a hash of the secret in it is
/// stored).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CreatedFeed {
    /// Id.
    id: i64,
    /// The feed's path on this server, `/api/calendar/{secret}.ics`.
    path: String,
}

/// The calendar routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(serve))
        .routes(routes!(list, create_personal))
        .routes(routes!(create_party))
        .routes(routes!(revoke))
}

#[utoipa::path(
    get,
    path = "/api/calendar/{file}",
    tag = "calendar",
    summary = "A calendar feed (iCalendar); needs no sign-in, only the secret",
    security(()),
    params(("file" = String, Path, description = "the feed's secret followed by `.ics`")),
    responses((status = 200, description = "the feed", body = String, content_type = "text/calendar"), (status = 404, description = "no feed has this secret, or it was revoked", body = ApiErrorBody))
)]
async fn serve(State(state): State<AppState>, AppPath(file): AppPath<String>) -> Result<Response> {
    let secret = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    if secret.is_empty() || secret.len() > 200 {
        return Err(AppError::NotFound);
    }
    let feed = state
        .db
        .find_feed(&secret::hash(secret))
        .await?
        .ok_or(AppError::NotFound)?;
    let Some((name, parties, reader)) = feed_scope(&state, &feed).await? else {
        return Err(AppError::NotFound);
    };
    let items: Vec<CalendarItem> = state
        .db
        .feed_entries(&parties, reader)
        .await?
        .into_iter()
        .filter_map(|entry| {
            let start: NaiveDate = parse_day(&entry.start)?;
            let end = parse_day(&entry.end).unwrap_or(start);
            Some(CalendarItem {
                uid: entry.uid,
                title: entry.title,
                description: entry.description,
                start,
                end_inclusive: end,
                url: None,
                status: Some(entry.status.as_str().to_owned()),
                last_modified: DateTime::<Utc>::from_timestamp_millis(entry.updated_at)
                    .unwrap_or_default(),
            })
        })
        .collect();
    let since = Utc::now().timestamp_millis() - 400 * 24 * 60 * 60 * 1000;
    let meetings: Vec<MeetingEvent> = state
        .db
        .feed_meetings(&parties, reader, feed.person_id.is_some(), since)
        .await?
        .into_iter()
        .map(|m| {
            let at = |ms| DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
            MeetingEvent {
                uid: format!("meeting-{}", m.id),
                title: m.title,
                description: m.body_name,
                starts: at(m.starts_at),
                ends: at(m.ends_at),
                sequence: u32::try_from(m.sequence).unwrap_or(u32::MAX),
                status: m.status.ical(),
                location: m.place,
                url: m.online_url,
                last_modified: at(m.updated_at),
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, ical::CONTENT_TYPE),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        ical::feed_with_meetings(&name, &items, &meetings),
    )
        .into_response())
}

/// What a feed shows, decided at each fetch: its name, its parties, and whose reading rights
/// its entries follow. `None` when the feed no longer works.
///
/// A personal feed belongs to its person: their party's entries in the bodies they may read.
/// A party feed belongs to the person who created it: the party's entries in the bodies that
/// person may read now, as long as they still belong to the party (or administer the
/// instance); once they are gone, or have left the party, the feed stops working.
async fn feed_scope(
    state: &AppState,
    feed: &CalendarFeed,
) -> Result<Option<(String, Vec<i64>, FeedReader)>> {
    let owner_id = match (feed.person_id, feed.party_id) {
        (Some(person), _) => person,
        (None, Some(_)) => match feed.created_by {
            Some(creator) => creator,
            None => return Ok(None),
        },
        (None, None) => return Ok(None),
    };
    let Some(owner) = state.db.find_person(owner_id).await? else {
        return Ok(None);
    };
    let owner_party = match &owner.party {
        Some(code) => state.db.resolve_party(code).await?,
        None => None,
    };
    let reader = FeedReader {
        person: owner.id,
        all_bodies: owner.is_admin,
    };
    match feed.party_id.filter(|_| feed.person_id.is_none()) {
        None => Ok(Some((
            format!("Polder – {}", owner.name),
            owner_party.into_iter().collect(),
            reader,
        ))),
        Some(party) => {
            if owner_party != Some(party) && !owner.is_admin {
                return Ok(None);
            }
            let Some(found) = state.db.find_party(party).await? else {
                return Ok(None);
            };
            Ok(Some((
                format!("Polder – {}", found.code),
                vec![party],
                reader,
            )))
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/me/calendar-feeds",
    tag = "calendar",
    summary = "The caller's calendar feeds (without their secrets)",
    params(Page),
    responses((status = 200, description = "the feeds", body = Paged<CalendarFeed>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<CalendarFeed>>> {
    let page = page.checked()?;
    let person = caller.person_id()?;
    Ok(Json(Paged::slice(state.db.list_feeds(person).await?, page)))
}

#[utoipa::path(
    post,
    path = "/api/me/calendar-feeds",
    tag = "calendar",
    summary = "Create a personal feed; the answer holds its URL, once",
    responses((status = 201, description = "the feed with its address", body = CreatedFeed), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody))
)]
async fn create_personal(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<(StatusCode, Json<CreatedFeed>)> {
    caller.require_write_scope()?;
    let person = caller.person_id()?;
    create(&state, &caller, Some(person), None, person).await
}

#[utoipa::path(
    post,
    path = "/api/parties/{code}/calendar-feeds",
    tag = "calendar",
    summary = "Create a feed for a party (people of that party, administrators); the answer holds its URL, once",
    params(("code" = String, Path, description = "party code, name or alias")),
    responses((status = 201, description = "the feed with its address", body = CreatedFeed), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn create_party(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(code): AppPath<String>,
) -> Result<(StatusCode, Json<CreatedFeed>)> {
    caller.require_write_scope()?;
    let person = caller.person_id()?;
    let party = state
        .db
        .resolve_party(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    let own = match caller.party() {
        Some(mine) => state.db.resolve_party(mine).await? == Some(party),
        None => false,
    };
    if !own && !caller.identity.is_admin {
        return Err(AppError::Forbidden(None));
    }
    create(&state, &caller, None, Some(party), person).await
}

async fn create(
    state: &AppState,
    caller: &Caller,
    person: Option<i64>,
    party: Option<i64>,
    by: i64,
) -> Result<(StatusCode, Json<CreatedFeed>)> {
    let feed_secret = secret::new_token();
    let id = state
        .db
        .create_feed(
            &secret::hash(&feed_secret),
            person,
            party,
            by,
            &audit_actor(caller),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedFeed {
            id,
            path: format!("/api/calendar/{feed_secret}.ics"),
        }),
    ))
}

#[utoipa::path(
    delete,
    path = "/api/calendar-feeds/{id}",
    tag = "calendar",
    summary = "Revoke a feed (its owner, its creator, administrators)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 204, description = "revoked"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody))
)]
async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<StatusCode> {
    caller.require_write_scope()?;
    let feed = state.db.feed(id).await?.ok_or(AppError::NotFound)?;
    let me = caller.identity.user_id;
    let allowed = caller.identity.is_admin
        || (me.is_some() && (feed.person_id == me || feed.created_by == me));
    if !allowed {
        return Err(AppError::NotFound);
    }
    if !state.db.revoke_feed(id, &audit_actor(&caller)).await? {
        return Err(AppError::Conflict("this feed is already revoked".into()));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// One event read back from a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEvent {
    /// `UID`.
    pub uid: String,
    /// `SUMMARY`.
    pub summary: String,
    /// `DTSTART` (a date; empty for a timed event).
    pub start: String,
    /// `DTSTART` of a timed event, RFC 3339 in UTC.
    pub starts_at: Option<String>,
    /// `SEQUENCE`.
    pub sequence: Option<u32>,
    /// `STATUS`.
    pub status: Option<String>,
    /// `LOCATION`.
    pub location: Option<String>,
    /// `URL`.
    pub url: Option<String>,
}

/// Reads a feed back with the `icalendar` crate's parser (used by tests and for checking
/// feeds): the events with uid, summary and start date.
///
/// # Errors
/// The parser's message when the text is not valid iCalendar.
pub fn parse_feed(text: &str) -> std::result::Result<Vec<ParsedEvent>, String> {
    use icalendar::{Calendar, CalendarComponent, Component, EventLike};
    let calendar: Calendar = text.parse()?;
    Ok(calendar
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(event) => Some(ParsedEvent {
                uid: event.get_uid().unwrap_or_default().to_owned(),
                summary: event.get_summary().unwrap_or_default().to_owned(),
                start: event
                    .get_start()
                    .map(|s| match s {
                        icalendar::DatePerhapsTime::Date(d) => d.to_string(),
                        icalendar::DatePerhapsTime::DateTime(_) => String::new(),
                    })
                    .unwrap_or_default(),
                starts_at: match event.get_start() {
                    Some(icalendar::DatePerhapsTime::DateTime(
                        icalendar::CalendarDateTime::Utc(moment),
                    )) => Some(moment.to_rfc3339()),
                    _ => None,
                },
                sequence: event.get_sequence(),
                status: event.property_value("STATUS").map(str::to_owned),
                location: event.get_location().map(str::to_owned),
                url: event.get_url().map(str::to_owned),
            }),
            _ => None,
        })
        .collect())
}
