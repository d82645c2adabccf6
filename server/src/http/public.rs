//! The public progress pages, served without sign-in: `/openbaar` (the bodies with a page),
//! `/openbaar/{slug}` (a body's page, HTML drawn by [`crate::domain::public_page`]) and
//! `/openbaar/{slug}/planning.ics` (its public milestones as a calendar). Only items marked
//! public appear, each page at most [`public_page::MAX_ITEMS`] of them; a page that is off or
//! does not exist is a 404, and every other path below `/openbaar/` too (so the web app's
//! fallback never answers there). No personal data: see docs/SECURITY.md.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};

use crate::domain::owner_role::OwnerRole;
use crate::domain::public_page::{self, PublicLine, PublicMilestone, PublicPage, PublicParty};
use crate::notify::ical::{self, CalendarItem};
use crate::state::AppState;
use crate::storage::governance::action_lines::Owner;
use crate::storage::governance::milestones::{Milestone, MilestoneFilter};

/// The public routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openbaar", get(index))
        .route("/openbaar/", get(index))
        .route("/openbaar/{slug}", get(page))
        .route("/openbaar/{slug}/{*rest}", get(below_page))
}

/// `planning.ics` below a page is its calendar; anything else is not found.
async fn below_page(
    state: State<AppState>,
    Path((slug, rest)): Path<(String, String)>,
) -> Response {
    if rest == "planning.ics" {
        calendar(state, slug).await
    } else {
        not_found().await
    }
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn not_found() -> Response {
    html(StatusCode::NOT_FOUND, public_page::render_not_found())
}

fn failed(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "a public page could not be read");
    html(
        StatusCode::SERVICE_UNAVAILABLE,
        public_page::render_not_found().replace(
            "Op dit adres staat geen openbare voortgangspagina.",
            "De pagina kon nu niet worden gelezen; probeer het later opnieuw.",
        ),
    )
}

async fn index(State(state): State<AppState>) -> Response {
    match state.db.enabled_public_pages().await {
        Ok(pages) => html(StatusCode::OK, public_page::render_index(&pages)),
        Err(e) => failed(e),
    }
}

fn leads(owners: &[Owner]) -> Vec<PublicParty> {
    owners
        .iter()
        .filter(|o| o.role == OwnerRole::Lead)
        .map(|o| PublicParty {
            code: o.code.clone(),
            name: o.name.clone(),
        })
        .collect()
}

/// The page's public items, or `None` when the page is off or missing.
async fn load(
    state: &AppState,
    slug: &str,
) -> anyhow::Result<Option<(PublicPage, Vec<Milestone>)>> {
    let Ok(slug) = public_page::slug(slug) else {
        return Ok(None);
    };
    let Some(setting) = state.db.enabled_public_page(&slug).await? else {
        return Ok(None);
    };
    let Some(body) = state.db.find_body(setting.body_id).await? else {
        return Ok(None);
    };
    let marked_lines: BTreeSet<i64> = setting.action_lines.iter().copied().collect();
    let marked_milestones: BTreeSet<i64> = setting.milestones.iter().copied().collect();
    let mut truncated = false;
    let mut line_titles = BTreeMap::new();
    let mut lines = Vec::new();
    for line in state.db.list_action_lines(body.id).await? {
        if !marked_lines.contains(&line.id) {
            continue;
        }
        if lines.len() >= public_page::MAX_ITEMS {
            truncated = true;
            break;
        }
        line_titles.insert(line.id, line.title.clone());
        lines.push(PublicLine {
            number: line.number.clone(),
            title: line.title.clone(),
            leads: leads(&line.owners),
        });
    }
    let mut shown = Vec::new();
    for m in state
        .db
        .list_milestones(body.id, MilestoneFilter::default())
        .await?
    {
        if !marked_milestones.contains(&m.id) {
            continue;
        }
        if shown.len() >= public_page::MAX_ITEMS {
            truncated = true;
            break;
        }
        shown.push(m);
    }
    let milestones = shown
        .iter()
        .map(|m| PublicMilestone {
            id: m.id,
            title: m.title.clone(),
            action_line: m
                .action_line_id
                .and_then(|id| line_titles.get(&id).cloned()),
            due: m.due.raw.clone(),
            deadline: m.due.latest_date(),
            status: m.status,
            leads: leads(&m.owners),
        })
        .collect();
    let page = PublicPage {
        slug,
        body_name: body.name,
        intro: setting.intro,
        lines,
        milestones,
        truncated,
        today: crate::domain::dutch_time::today(),
    };
    Ok(Some((page, shown)))
}

async fn page(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    match load(&state, &slug).await {
        Ok(Some((page, _))) => html(StatusCode::OK, public_page::render(&page)),
        Ok(None) => not_found().await,
        Err(e) => failed(e),
    }
}

async fn calendar(State(state): State<AppState>, slug: String) -> Response {
    let (page, milestones) = match load(&state, &slug).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found().await,
        Err(e) => return failed(e),
    };
    let items: Vec<CalendarItem> = page
        .milestones
        .iter()
        .zip(&milestones)
        .filter_map(|(shown, m)| {
            let day = shown.deadline?;
            let leads: Vec<String> = shown.leads.iter().map(|p| p.code.clone()).collect();
            Some(CalendarItem {
                uid: format!("public-milestone-{}", shown.id),
                title: shown.title.clone(),
                description: format!(
                    "Gepland: {}. Trekker: {}.",
                    shown.due,
                    if leads.is_empty() {
                        "—".to_owned()
                    } else {
                        leads.join(", ")
                    }
                ),
                start: day,
                end_inclusive: day,
                url: None,
                status: Some(public_page::status_label(shown.status).to_owned()),
                last_modified: DateTime::<Utc>::from_timestamp_millis(m.updated_at)
                    .unwrap_or_default(),
            })
        })
        .collect();
    let body = ical::feed(&format!("Planning {}", page.body_name), &items);
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}-planning.ics\"", page.slug),
            ),
        ],
        body,
    )
        .into_response()
}
