//! A milestone's progress notes and links: `/api/milestones/{id}/notes`, `/links`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::governance::milestone_log::{Link, NewLink, Note};

/// Note and link routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(notes, add_note))
        .routes(routes!(links, add_link))
}

// named apart from the dispute's `NoteInput`: one schema name per document
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = MilestoneNoteInput)]
struct NoteInput {
    body: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct LinkInput {
    draft_id: Option<i64>,
    comment_id: Option<i64>,
    anchor: Option<String>,
    decision_text: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/milestones/{id}/notes",
    tag = "milestones",
    summary = "Progress notes",
    params(("id" = i64, Path, description = "id"), Page),
    responses((status = 200, description = "the notes", body = Paged<Note>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn notes(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<Note>>> {
    let page = page.checked()?;
    access::milestone(&state, &caller, id).await?;
    Ok(Json(Paged::slice(
        state.db.milestone_notes(id).await?,
        page,
    )))
}

#[utoipa::path(
    post,
    path = "/api/milestones/{id}/notes",
    tag = "milestones",
    summary = "Add a progress note (members, chair, secretariat)",
    params(("id" = i64, Path, description = "id"), Page),
    request_body = NoteInput,
    responses((status = 201, description = "a page of the notes, the new one included", body = Paged<Note>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn add_note(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
    AppJson(input): AppJson<NoteInput>,
) -> Result<(StatusCode, Json<Paged<Note>>)> {
    let page = page.checked()?;
    access::milestone(&state, &caller, id).await?.1.write()?;
    let body = validate::text("body", &input.body, 1, 10_000)?;
    let notes = state
        .db
        .add_milestone_note(id, caller.identity.user_id, &body, &audit_actor(&caller))
        .await?;
    Ok((StatusCode::CREATED, Json(Paged::slice(notes, page))))
}

#[utoipa::path(
    get,
    path = "/api/milestones/{id}/links",
    tag = "milestones",
    summary = "Links to the advice passage or decision",
    params(("id" = i64, Path, description = "id"), Page),
    responses((status = 200, description = "the links", body = Paged<Link>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn links(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<Link>>> {
    let page = page.checked()?;
    access::milestone(&state, &caller, id).await?;
    Ok(Json(Paged::slice(
        state.db.milestone_links(id).await?,
        page,
    )))
}

#[utoipa::path(
    post,
    path = "/api/milestones/{id}/links",
    tag = "milestones",
    summary = "Link a draft passage or a decision (chair, secretariat)",
    params(("id" = i64, Path, description = "id"), Page),
    request_body = LinkInput,
    responses((status = 201, description = "a page of the links, the new one included", body = Paged<Link>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn add_link(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
    AppJson(input): AppJson<LinkInput>,
) -> Result<(StatusCode, Json<Paged<Link>>)> {
    let page = page.checked()?;
    let (milestone, access) = access::milestone(&state, &caller, id).await?;
    access.steer()?;
    let decision_text = input
        .decision_text
        .map(|t| validate::text("decision_text", &t, 1, 20_000))
        .transpose()?;
    let anchor = input
        .anchor
        .map(|a| validate::text("anchor", &a, 1, 2000))
        .transpose()?;
    if input.draft_id.is_none() && decision_text.is_none() {
        return Err(Invalid {
            field: "draft_id",
            message: "give the advice draft (draft_id, optionally comment_id or anchor) or the decision_text".into(),
        }
        .into());
    }
    if let Some(draft_id) = input.draft_id {
        let draft = state.db.find_draft(draft_id).await?;
        if draft.is_none_or(|d| d.body_id != milestone.body_id) {
            return Err(Invalid {
                field: "draft_id",
                message: "no advice draft with this id in this body".into(),
            }
            .into());
        }
        if let Some(comment) = input.comment_id {
            if state.db.find_comment(draft_id, comment).await?.is_none() {
                return Err(Invalid {
                    field: "comment_id",
                    message: "no comment with this id in that draft".into(),
                }
                .into());
            }
        }
    } else if input.comment_id.is_some() || anchor.is_some() {
        return Err(Invalid {
            field: "draft_id",
            message: "a comment or anchor needs the draft it is in".into(),
        }
        .into());
    }
    let link = NewLink {
        draft_id: input.draft_id,
        comment_id: input.comment_id,
        anchor,
        decision_text,
    };
    let links = state
        .db
        .add_milestone_link(id, &link, caller.identity.user_id, &audit_actor(&caller))
        .await?;
    Ok((StatusCode::CREATED, Json(Paged::slice(links, page))))
}
