//! `/api/disputes/{id}/dossier.{md,pdf,docx}`: the dispute's record as one document for the
//! meeting of the next body — subject, parties, positions (current and earlier), options,
//! comments, history and the decision. [`lines`] gives the document as neutral blocks that
//! the Markdown, [`super::pdf`] and [`super::docx`] writers share. Every format is written
//! on the blocking pool within the render bounds of [`crate::http::render`].

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::DateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::extract::{AppPath, Caller};
use crate::http::render::render_blocking;
use crate::state::AppState;
use crate::storage::escalation::dossier::Dossier;

/// The dossier routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(markdown))
        .routes(routes!(pdf))
        .routes(routes!(docx))
}

/// One block of the dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// The document title.
    Title(String),
    /// A section heading.
    Heading(String),
    /// A paragraph.
    Text(String),
    /// A list item.
    Item(String),
}

fn date_time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn status_label(status: &str) -> &str {
    match status {
        "in_behandeling" => "in behandeling",
        "geescaleerd" => "geëscaleerd",
        other => other,
    }
}

fn subject_label(kind: &str) -> &str {
    match kind {
        "draft_passage" => "passage in adviesconcept",
        "role_agreement" => "rolafspraak",
        "milestone" => "mijlpaal",
        other => other,
    }
}

fn event_label(kind: &str) -> &str {
    match kind {
        "raised" => "gemeld",
        "position" => "standpunt",
        "option" => "optie",
        "escalated" => "geëscaleerd",
        "escalated_on_timeout" => "geëscaleerd na verlopen reactietermijn",
        "resolved" => "besloten",
        "withdrawn" => "ingetrokken",
        other => other,
    }
}

/// The dossier as blocks.
pub fn lines(dossier: &Dossier) -> Vec<Block> {
    let d = &dossier.dispute;
    let level_name = |level: i64| {
        dossier
            .ladder
            .iter()
            .find(|l| l.level == level)
            .map_or_else(|| format!("niveau {level}"), |l| l.name.clone())
    };
    let mut blocks = vec![
        Block::Title(format!("Dossier verschil van inzicht: {}", d.title)),
        Block::Text(format!("Werkgroep: {}", dossier.body_name)),
        Block::Text(format!(
            "Onderwerp: {} {} · gemeld door {} op {}",
            subject_label(&d.subject_kind),
            d.subject_id,
            d.raised_by_party,
            date_time(d.created_at)
        )),
        Block::Text(format!(
            "Status: {} · niveau {} ({}) · reageren uiterlijk {}",
            status_label(&d.status),
            d.level,
            level_name(d.level),
            d.respond_by
        )),
        Block::Heading("Omschrijving".into()),
        Block::Text(d.description.clone()),
    ];
    if let Some(passage) = &d.passage {
        blocks.push(Block::Heading("Passage".into()));
        blocks.push(Block::Text(format!("\u{201c}{passage}\u{201d}")));
    }
    blocks.push(Block::Heading("Betrokken partijen".into()));
    for party in &d.parties {
        let state = if party.has_position {
            "standpunt ingenomen"
        } else {
            "nog geen standpunt op dit niveau"
        };
        blocks.push(Block::Item(format!("{}: {state}", party.code)));
    }
    blocks.push(Block::Heading("Standpunten".into()));
    if dossier.positions.is_empty() {
        blocks.push(Block::Text("Nog geen standpunten.".into()));
    }
    for p in dossier.positions.iter().rev() {
        let by = p.stated_by.clone().unwrap_or_default();
        let mandate = if p.with_mandate { ", met mandaat" } else { "" };
        blocks.push(Block::Item(format!(
            "{} (niveau {}, {by}{mandate}, {}): {}",
            p.party,
            p.level,
            date_time(p.stated_at),
            p.body
        )));
    }
    blocks.push(Block::Heading("Opties".into()));
    if dossier.options.is_empty() {
        blocks.push(Block::Text("Nog geen opties.".into()));
    }
    for (n, o) in dossier.options.iter().enumerate() {
        let from = o.party.clone().unwrap_or_default();
        blocks.push(Block::Item(format!(
            "Optie {} ({from}): {} — {}",
            n + 1,
            o.title,
            o.description
        )));
    }
    if !dossier.comments.is_empty() {
        blocks.push(Block::Heading("Opmerkingen".into()));
        for c in &dossier.comments {
            blocks.push(Block::Item(format!(
                "{} ({}), {}: {}",
                c.author.clone().unwrap_or_default(),
                c.party.clone().unwrap_or_default(),
                date_time(c.created_at),
                c.body
            )));
        }
    }
    blocks.push(Block::Heading("Verloop".into()));
    for e in &dossier.events {
        let note = match (&e.note, e.kind.as_str()) {
            (Some(note), kind) if kind != "position" && !note.is_empty() => format!(": {note}"),
            _ => String::new(),
        };
        let towards = if e.kind.starts_with("escalated") {
            "naar"
        } else {
            "op"
        };
        blocks.push(Block::Item(format!(
            "{} — {} {towards} niveau {} ({}) door {}{note}",
            date_time(e.at),
            event_label(&e.kind),
            e.level,
            level_name(e.level),
            e.actor
        )));
    }
    if let Some(decision) = &d.decision {
        blocks.push(Block::Heading("Besluit".into()));
        blocks.push(Block::Text(decision.clone()));
    }
    blocks.push(Block::Heading("Escalatieladder".into()));
    for l in &dossier.ladder {
        blocks.push(Block::Item(format!(
            "Niveau {}: {} ({} werkdagen)",
            l.level, l.name, l.response_days
        )));
    }
    blocks
}

/// The dossier as Markdown.
pub fn to_markdown(dossier: &Dossier) -> String {
    let mut out = String::new();
    for block in lines(dossier) {
        match block {
            Block::Title(t) => out.push_str(&format!("# {}\n\n", escape(&t))),
            Block::Heading(t) => out.push_str(&format!("## {}\n\n", escape(&t))),
            Block::Text(t) => out.push_str(&format!("{}\n\n", escape(&t))),
            Block::Item(t) => out.push_str(&format!("- {}\n", escape(&t))),
        }
    }
    out.replace("\n## ", "\n\n## ").replace("\n\n\n", "\n\n")
}

fn escape(text: &str) -> String {
    text.replace('\r', "")
        .lines()
        .map(|l| {
            let trimmed = l.trim_start();
            if trimmed.starts_with('#') || trimmed.starts_with('>') || trimmed.starts_with('-') {
                format!("\\{trimmed}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("  \n")
}

async fn load(state: &AppState, caller: &Caller, id: i64) -> Result<Dossier> {
    crate::http::access::dispute(state, caller, id).await?;
    state.db.dossier(id).await?.ok_or(AppError::NotFound)
}

fn file(bytes: Vec<u8>, content_type: &'static str, name: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[utoipa::path(
    get,
    path = "/api/disputes/{id}/dossier.md",
    tag = "disputes",
    summary = "The dispute's dossier as Markdown",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the dossier", body = String, content_type = "text/markdown"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 503, description = "the server is busy rendering (see Retry-After) or the render took too long", body = ApiErrorBody))
)]
async fn markdown(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Response> {
    let dossier = load(&state, &caller, id).await?;
    let bytes = render_blocking(&state, move || Ok(to_markdown(&dossier).into_bytes())).await?;
    Ok(file(
        bytes,
        "text/markdown; charset=utf-8",
        format!("dossier-{id}.md"),
    ))
}

#[utoipa::path(
    get,
    path = "/api/disputes/{id}/dossier.pdf",
    tag = "disputes",
    summary = "The dispute's dossier as PDF",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the dossier", body = Vec<u8>, content_type = "application/pdf"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 503, description = "the server is busy rendering (see Retry-After) or the render took too long", body = ApiErrorBody))
)]
async fn pdf(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Response> {
    let dossier = load(&state, &caller, id).await?;
    let bytes = render_blocking(&state, move || Ok(super::pdf::render(&lines(&dossier)))).await?;
    Ok(file(bytes, "application/pdf", format!("dossier-{id}.pdf")))
}

#[utoipa::path(
    get,
    path = "/api/disputes/{id}/dossier.docx",
    tag = "disputes",
    summary = "The dispute's dossier as a Word document",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the dossier", body = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 503, description = "the server is busy rendering (see Retry-After) or the render took too long", body = ApiErrorBody))
)]
async fn docx(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Response> {
    let dossier = load(&state, &caller, id).await?;
    let bytes = render_blocking(&state, move || {
        super::docx::render(&lines(&dossier)).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
    })
    .await?;
    Ok(file(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        format!("dossier-{id}.docx"),
    ))
}
