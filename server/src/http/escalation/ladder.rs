//! `/api/bodies/{id}/ladder`: a working group's escalation ladder (levels, forum bodies,
//! response times in working days) and the margin after which an overdue milestone opens a
//! dispute. Members read it; administrators and the body's chair and secretariat set it.
//!
//! A level may name only a body in the working group's own hierarchy: level 0 the group
//! itself, every level a body above it (an ancestor through `parent` links); anything else is
//! refused with 422 naming the body, because the forum of a level reads the dossier and the
//! comments of the disputes escalated to it. `GET /api/bodies/{id}/ladder/forums` lists those
//! bodies for the people who set the ladder, by the same rule the check applies. Every change
//! is audited with the levels before and after.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::escalation::{
    check_ladder, LadderLevel, DEFAULT_OVERDUE_MARGIN_DAYS, MAX_RESPONSE_DAYS,
};
use crate::domain::validate::Invalid;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::escalation::ladder::{LadderForum, LadderSettings};

/// The ladder routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show, put))
        .routes(routes!(forums))
}

/// Whether level `level` may name `forum` (one of the working group's [`LadderForum`]s): the
/// group itself only at level 0, a body above it at every level.
fn may_name(forums: &[LadderForum], level: usize, forum: i64) -> bool {
    forums
        .iter()
        .any(|f| f.id == forum && (f.depth > 0 || level == 0))
}

async fn require_steering(state: &AppState, caller: &Caller, id: i64) -> Result<()> {
    if access::body(state, caller, id).await?.administers() {
        Ok(())
    } else {
        Err(AppError::Forbidden(None))
    }
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/ladder/forums",
    tag = "disputes",
    operation_id = "ladder_forums",
    summary = "The bodies a ladder level may name as its forum (administrators, chair, secretariat)",
    description = "The working group itself (`depth` 0, for level 0 only), then every body above it through its parent links, nearest first.",
    params(("id" = i64, Path, description = "id"), Page),
    responses((status = 200, description = "the bodies", body = Paged<LadderForum>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn forums(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<LadderForum>>> {
    let page = page.checked()?;
    require_steering(&state, &caller, id).await?;
    Ok(Json(Paged::slice(state.db.ladder_forums(id).await?, page)))
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/ladder",
    tag = "disputes",
    operation_id = "show_ladder",
    summary = "The working group's escalation ladder and overdue margin (body readers)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the ladder settings", body = LadderSettings), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<LadderSettings>> {
    access::body(&state, &caller, id).await?;
    Ok(Json(state.db.ladder_settings(id).await?))
}

/// One level of a ladder to store; levels are numbered by their place in the list.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct LevelInput {
    /// 1 to 200 characters.
    name: String,
    /// A body from `GET /api/bodies/{id}/ladder/forums` (the group itself at level 0 only).
    forum_body_id: Option<i64>,
    /// 1 to 250 working days.
    response_days: i64,
}

/// A whole ladder with its overdue settings.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct LadderInput {
    /// 1 to 10 levels, from level 0.
    levels: Vec<LevelInput>,
    /// 0 to 250 working days; 10 when left out.
    overdue_margin_days: Option<i64>,
    /// Whether overdue milestones open disputes; on when left out.
    auto_dispute: Option<bool>,
}

#[utoipa::path(
    put,
    path = "/api/bodies/{id}/ladder",
    tag = "disputes",
    operation_id = "put_ladder",
    summary = "Set the escalation ladder (administrators, chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = LadderInput,
    responses((status = 200, description = "the ladder settings", body = LadderSettings), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn put(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<LadderInput>,
) -> Result<Json<LadderSettings>> {
    caller.require_write_scope()?;
    require_steering(&state, &caller, id).await?;
    if input.levels.len() > 10 {
        return Err(Invalid {
            field: "levels",
            message: "at most 10 levels".into(),
        }
        .into());
    }
    let allowed = state.db.ladder_forums(id).await?;
    let before = state.db.ladder_settings(id).await?;
    let mut levels = Vec::with_capacity(input.levels.len());
    for (n, level) in input.levels.iter().enumerate() {
        if let Some(forum) = level.forum_body_id {
            let body = state.db.find_body(forum).await?.ok_or_else(|| Invalid {
                field: "levels",
                message: format!("level {n}: there is no body {forum}"),
            })?;
            // Level 0 is the working group itself; every other level a body above it.
            if !may_name(&allowed, n, forum) {
                return Err(Invalid {
                    field: "levels",
                    message: format!(
                        "level {n}: \"{}\" (body {forum}) is not above this working group in its hierarchy",
                        body.name
                    ),
                }
                .into());
            }
        }
        levels.push(LadderLevel {
            level: i64::try_from(n).unwrap_or(0),
            name: level.name.trim().to_owned(),
            forum_body_id: level.forum_body_id,
            response_days: level.response_days,
        });
    }
    check_ladder(&levels).map_err(|message| Invalid {
        field: "levels",
        message,
    })?;
    let margin = input
        .overdue_margin_days
        .unwrap_or(DEFAULT_OVERDUE_MARGIN_DAYS);
    if !(0..=MAX_RESPONSE_DAYS).contains(&margin) {
        return Err(Invalid {
            field: "overdue_margin_days",
            message: format!("must be between 0 and {MAX_RESPONSE_DAYS}"),
        }
        .into());
    }
    let forums = |levels: &[LadderLevel]| -> Vec<serde_json::Value> {
        levels
            .iter()
            .map(|l| json!({ "name": l.name, "forum_body_id": l.forum_body_id, "response_days": l.response_days }))
            .collect()
    };
    let subject = json!({
        "body": id,
        "levels": levels.len(),
        "before": forums(&before.levels),
        "after": forums(&levels),
        "overdue_margin_days": margin,
    });
    let settings = state
        .db
        .put_ladder(
            id,
            &levels,
            margin,
            input.auto_dispute.unwrap_or(true),
            &audit_actor(&caller),
            &subject,
        )
        .await?;
    Ok(Json(settings))
}
