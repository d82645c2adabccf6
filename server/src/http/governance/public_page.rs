//! A body's public progress page setting: `/api/bodies/{id}/public-page` (read by the body's
//! readers, changed by its chair or secretariat). The page itself is served without sign-in by
//! [`crate::http::public`].

use std::collections::BTreeSet;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::public_page::{self, MAX_INTRO};
use crate::domain::validate::Invalid;
use crate::error::{ApiErrorBody, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, Caller};
use crate::state::AppState;
use crate::storage::governance::milestones::MilestoneFilter;
use crate::storage::governance::public_pages::{PublicPageSetting, MAX_MARKS};

/// Public page setting routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_page, put_page))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct PublicPageInput {
    /// Address below `/openbaar/`: lowercase letters, digits and hyphens.
    slug: String,
    /// Whether the page is served.
    enabled: bool,
    /// Public introduction (no names or personal data).
    #[serde(default)]
    intro: String,
    /// Milestone ids marked public.
    #[serde(default)]
    milestones: Vec<i64>,
    /// Action line ids marked public.
    #[serde(default)]
    action_lines: Vec<i64>,
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/public-page",
    tag = "reports",
    summary = "The body's public progress page setting and the items marked public",
    params(("id" = i64, Path, description = "body id")),
    responses((status = 200, description = "the setting (off, without address, when never set)", body = PublicPageSetting), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn get_page(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<PublicPageSetting>> {
    access::body(&state, &caller, id).await?;
    let page = state
        .db
        .public_page(id)
        .await?
        .unwrap_or(PublicPageSetting {
            body_id: id,
            ..PublicPageSetting::default()
        });
    Ok(Json(page))
}

/// Checks that every id is one of `known`, each once, at most [`MAX_MARKS`].
fn marks(field: &'static str, ids: &[i64], known: &BTreeSet<i64>) -> Result<Vec<i64>> {
    if ids.len() > MAX_MARKS {
        return Err(Invalid {
            field,
            message: format!("at most {MAX_MARKS} items can be marked public"),
        }
        .into());
    }
    let mut seen = BTreeSet::new();
    for id in ids {
        if !known.contains(id) {
            return Err(Invalid {
                field,
                message: format!("{id} is not one of this body's items"),
            }
            .into());
        }
        seen.insert(*id);
    }
    Ok(seen.into_iter().collect())
}

#[utoipa::path(
    put,
    path = "/api/bodies/{id}/public-page",
    tag = "reports",
    summary = "Set the public page: on or off, address, introduction, and which milestones and action lines are public (chair, secretariat)",
    params(("id" = i64, Path, description = "body id")),
    request_body = PublicPageInput,
    responses((status = 200, description = "the setting as stored", body = PublicPageSetting), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "another body's page has this address", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn put_page(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<PublicPageInput>,
) -> Result<Json<PublicPageSetting>> {
    access::body(&state, &caller, id).await?.steer()?;
    let slug = public_page::slug(&input.slug)?;
    let intro = input.intro.trim().to_owned();
    if intro.chars().count() > MAX_INTRO {
        return Err(Invalid {
            field: "intro",
            message: format!("must be at most {MAX_INTRO} characters"),
        }
        .into());
    }
    let known_milestones: BTreeSet<i64> = state
        .db
        .list_milestones(id, MilestoneFilter::default())
        .await?
        .iter()
        .map(|m| m.id)
        .collect();
    let known_lines: BTreeSet<i64> = state
        .db
        .list_action_lines(id)
        .await?
        .iter()
        .map(|l| l.id)
        .collect();
    let page = PublicPageSetting {
        body_id: id,
        slug,
        enabled: input.enabled,
        intro,
        milestones: marks("milestones", &input.milestones, &known_milestones)?,
        action_lines: marks("action_lines", &input.action_lines, &known_lines)?,
    };
    state
        .db
        .put_public_page(&page, caller.identity.user_id, &audit_actor(&caller))
        .await?;
    let stored = state.db.public_page(id).await?.unwrap_or(page);
    Ok(Json(stored))
}
