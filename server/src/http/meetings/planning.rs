//! Meetings: the calendar across bodies (`/api/meetings`), a body's jaarplanning
//! (`/api/bodies/{id}/meetings`), one meeting with its changes, cancellation and minutes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use rand::Rng;
use serde::{Deserialize, Deserializer};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{detail, kind, status};
use crate::domain::dutch_time;
use crate::domain::meeting::{self, MeetingStatus};
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::drafts::NewDraft;
use crate::storage::meetings::{Meeting, MeetingDetail, MeetingFields, NewMeeting};

/// Meeting routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_all))
        .routes(routes!(list_body, create))
        .routes(routes!(show, update))
        .routes(routes!(cancel))
        .routes(routes!(minutes))
}

/// A meeting to schedule. Times are Dutch local time `YYYY-MM-DDTHH:MM`.
#[derive(Deserialize, utoipa::ToSchema)]
struct CreateMeeting {
    title: String,
    kind: String,
    series_id: Option<i64>,
    starts: String,
    ends: String,
    place: Option<String>,
    online_url: Option<String>,
    status: Option<String>,
}

/// Reads a field that may be given as `null` (`Some(None)`) or left out (`None`).
fn given<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> std::result::Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A change; what is left out stays. `null` or an empty text removes the place, link or
/// series.
#[derive(Deserialize, utoipa::ToSchema)]
struct UpdateMeeting {
    title: Option<String>,
    kind: Option<String>,
    #[serde(default, deserialize_with = "given")]
    #[schema(value_type = Option<i64>)]
    series_id: Option<Option<i64>>,
    starts: Option<String>,
    ends: Option<String>,
    #[serde(default, deserialize_with = "given")]
    #[schema(value_type = Option<String>)]
    place: Option<Option<String>>,
    #[serde(default, deserialize_with = "given")]
    #[schema(value_type = Option<String>)]
    online_url: Option<Option<String>>,
    status: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct CancelInput {
    reason: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct CalendarQuery {
    /// First Dutch day, `YYYY-MM-DD` (inclusive).
    from: Option<String>,
    /// Last Dutch day, `YYYY-MM-DD` (inclusive).
    to: Option<String>,
    /// Only this body.
    body: Option<i64>,
    /// How many to skip.
    offset: Option<i64>,
    /// How many at most (1 to 200).
    limit: Option<i64>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct YearQuery {
    /// Only this (Dutch calendar) year.
    year: Option<i32>,
    /// How many to skip.
    offset: Option<i64>,
    /// How many at most (1 to 200).
    limit: Option<i64>,
}

/// The first moment of a Dutch day.
fn day_start(field: &'static str, raw: &str) -> std::result::Result<i64, Invalid> {
    let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| Invalid {
        field,
        message: "must be a date written as YYYY-MM-DD, for example 2027-01-12".into(),
    })?;
    Ok(dutch_time::at_local_hour(date, 0).timestamp_millis())
}

/// The first moment after a Dutch day.
fn day_end(field: &'static str, raw: &str) -> std::result::Result<i64, Invalid> {
    let start = day_start(field, raw)?;
    let date = dutch_time::date_of_millis(start);
    let next = date.succ_opt().unwrap_or(date);
    Ok(dutch_time::at_local_hour(next, 0).timestamp_millis())
}

fn optional_text(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
) -> std::result::Result<Option<String>, Invalid> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => validate::text(field, text, 1, max).map(Some),
        None => Ok(None),
    }
}

fn online_url(raw: Option<&str>) -> std::result::Result<Option<String>, Invalid> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        Some(url) => meeting::check_online_url(url).map(Some),
        None => Ok(None),
    }
}

/// Checks that `series` is a series of `body_id`.
async fn check_series(state: &AppState, body_id: i64, series: Option<i64>) -> Result<()> {
    let Some(id) = series else { return Ok(()) };
    match state.db.find_meeting_series(id).await? {
        Some(found) if found.body_id == body_id => Ok(()),
        _ => Err(Invalid {
            field: "series_id",
            message: "is not a meeting series of this body".into(),
        }
        .into()),
    }
}

#[utoipa::path(
    get,
    path = "/api/meetings",
    tag = "meetings",
    summary = "The meetings of every body the caller may read, by start",
    params(CalendarQuery),
    responses((status = 200, description = "the meetings", body = Paged<Meeting>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn list_all(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(query): AppQuery<CalendarQuery>,
) -> Result<Json<Paged<Meeting>>> {
    let page = Page::asked(query.offset, query.limit)?;
    let from = query
        .from
        .as_deref()
        .map(|d| day_start("from", d))
        .transpose()?
        .unwrap_or(i64::MIN);
    let to = query
        .to
        .as_deref()
        .map(|d| day_end("to", d))
        .transpose()?
        .unwrap_or(i64::MAX);
    if let Some(body) = query.body {
        access::body(&state, &caller, body).await?;
    }
    let reader = if caller.identity.is_admin {
        None
    } else {
        Some(caller.identity.user_id.unwrap_or(-1))
    };
    let (items, total) = state
        .db
        .list_meetings((from, to), query.body, reader, (page.offset, page.limit))
        .await?;
    Ok(Json(Paged::new(items, total, page)))
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/meetings",
    tag = "meetings",
    summary = "A body's meetings (the jaarplanning), by start",
    params(("id" = i64, Path, description = "id"), YearQuery),
    responses((status = 200, description = "the meetings", body = Paged<Meeting>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn list_body(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppQuery(query): AppQuery<YearQuery>,
) -> Result<Json<Paged<Meeting>>> {
    access::body(&state, &caller, body_id).await?;
    let page = Page::asked(query.offset, query.limit)?;
    let year = match query.year {
        Some(year) => {
            let first = |y: i32| {
                NaiveDate::from_ymd_opt(y, 1, 1)
                    .map(|d| dutch_time::at_local_hour(d, 0).timestamp_millis())
            };
            let (Some(from), Some(to)) = (first(year), first(year + 1)) else {
                return Err(Invalid {
                    field: "year",
                    message: "must be a year such as 2024".into(),
                }
                .into());
            };
            Some((from, to))
        }
        None => None,
    };
    let meetings = state.db.list_body_meetings(body_id, year).await?;
    Ok(Json(Paged::slice(meetings, page)))
}

#[utoipa::path(
    post,
    path = "/api/bodies/{id}/meetings",
    tag = "meetings",
    summary = "Schedule a meeting (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = CreateMeeting,
    responses((status = 201, description = "the meeting", body = MeetingDetail), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppJson(input): AppJson<CreateMeeting>,
) -> Result<(StatusCode, Json<MeetingDetail>)> {
    let access = access::body(&state, &caller, body_id).await?;
    access.steer()?;
    let title = validate::text("title", &input.title, 1, 300)?;
    let kind = kind(&input.kind)?;
    let starts_at = meeting::parse_local("starts", &input.starts)?.timestamp_millis();
    let ends_at = meeting::parse_local("ends", &input.ends)?.timestamp_millis();
    meeting::check_times(starts_at, ends_at)?;
    let place = optional_text("place", input.place.as_deref(), 300)?;
    let online_url = online_url(input.online_url.as_deref())?;
    let status = input
        .status
        .as_deref()
        .map(status)
        .transpose()?
        .unwrap_or(MeetingStatus::Gepland);
    check_series(&state, body_id, input.series_id).await?;
    let new = NewMeeting {
        body_id,
        fields: MeetingFields {
            series_id: input.series_id,
            title,
            kind,
            starts_at,
            ends_at,
            place,
            online_url,
            status,
        },
        created_by: caller.identity.user_id,
    };
    let created = state.db.create_meeting(&new, &audit_actor(&caller)).await?;
    let detail = detail(&state, &access, created.id).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

#[utoipa::path(
    get,
    path = "/api/meetings/{id}",
    tag = "meetings",
    summary = "One meeting with its agenda, packs and decision requests",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the meeting", body = MeetingDetail), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<MeetingDetail>> {
    let (_, access) = access::meeting(&state, &caller, id).await?;
    Ok(Json(detail(&state, &access, id).await?))
}

#[utoipa::path(
    patch,
    path = "/api/meetings/{id}",
    tag = "meetings",
    summary = "Change a meeting (chair, secretariat); a change of time, place, link, title or status raises its sequence",
    params(("id" = i64, Path, description = "id")),
    request_body = UpdateMeeting,
    responses((status = 200, description = "the meeting", body = MeetingDetail), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "the meeting was cancelled", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<UpdateMeeting>,
) -> Result<Json<MeetingDetail>> {
    let (old, access) = access::meeting(&state, &caller, id).await?;
    access.steer()?;
    if old.status == MeetingStatus::Geannuleerd {
        return Err(AppError::Conflict(
            "the meeting was cancelled; schedule a new one".into(),
        ));
    }
    let title = match &input.title {
        Some(t) => validate::text("title", t, 1, 300)?,
        None => old.title.clone(),
    };
    let kind = match &input.kind {
        Some(k) => kind(k)?,
        None => old.kind,
    };
    let starts_at = match &input.starts {
        Some(s) => meeting::parse_local("starts", s)?.timestamp_millis(),
        None => old.starts_at,
    };
    let ends_at = match &input.ends {
        Some(e) => meeting::parse_local("ends", e)?.timestamp_millis(),
        None => old.ends_at,
    };
    meeting::check_times(starts_at, ends_at)?;
    let place = match &input.place {
        Some(p) => optional_text("place", p.as_deref(), 300)?,
        None => old.place.clone(),
    };
    let online_url = match &input.online_url {
        Some(u) => online_url(u.as_deref())?,
        None => old.online_url.clone(),
    };
    let status = match &input.status {
        Some(s) => status(s)?,
        None => old.status,
    };
    let series_id = input.series_id.unwrap_or(old.series_id);
    check_series(&state, old.body_id, series_id).await?;
    let change = MeetingFields {
        series_id,
        title,
        kind,
        starts_at,
        ends_at,
        place,
        online_url,
        status,
    };
    state
        .db
        .update_meeting(id, &change, &audit_actor(&caller))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(detail(&state, &access, id).await?))
}

#[utoipa::path(
    post,
    path = "/api/meetings/{id}/cancel",
    tag = "meetings",
    summary = "Cancel a meeting (chair, secretariat); it stays in the calendars as cancelled",
    params(("id" = i64, Path, description = "id")),
    request_body = CancelInput,
    responses((status = 200, description = "the meeting", body = MeetingDetail), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "the meeting was cancelled already", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<CancelInput>,
) -> Result<Json<MeetingDetail>> {
    let (_, access) = access::meeting(&state, &caller, id).await?;
    access.steer()?;
    let reason = optional_text("reason", input.reason.as_deref(), 2000)?;
    if !state
        .db
        .cancel_meeting(id, reason.as_deref(), &audit_actor(&caller))
        .await?
    {
        return Err(AppError::Conflict(
            "the meeting was cancelled already".into(),
        ));
    }
    Ok(Json(detail(&state, &access, id).await?))
}

#[utoipa::path(
    post,
    path = "/api/meetings/{id}/minutes",
    tag = "meetings",
    summary = "Create the minutes draft of a meeting in its body, once (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 201, description = "the meeting with its minutes draft", body = MeetingDetail), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "the meeting has minutes already", body = ApiErrorBody))
)]
async fn minutes(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<(StatusCode, Json<MeetingDetail>)> {
    let (found, access) = access::meeting(&state, &caller, id).await?;
    access.steer()?;
    let person = caller.person_id()?;
    if found.minutes_draft_id.is_some() {
        return Err(AppError::Conflict(
            "this meeting has minutes already".into(),
        ));
    }
    let title = meeting::minutes_title(&found.title, found.starts_at);
    let title: String = title.chars().take(300).collect();
    let doc_id = format!("draft-{:016x}", rand::thread_rng().gen::<u64>());
    let template = serde_json::json!({});
    let new = NewDraft {
        body_id: found.body_id,
        doc_id: &doc_id,
        title: &title,
        template: &template,
        by: person,
    };
    if state
        .db
        .create_minutes(id, &new, &audit_actor(&caller))
        .await?
        .is_none()
    {
        return Err(AppError::Conflict(
            "this meeting has minutes already".into(),
        ));
    }
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, &access, id).await?),
    ))
}
