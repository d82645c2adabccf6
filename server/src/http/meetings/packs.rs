//! Meeting packs: `POST /api/meetings/{id}/pack` renders the agenda and the stukken as one PDF
//! and one DOCX, stores them and tells the body's members and observers (the
//! `meeting.send_pack` event); `GET /api/meeting-packs/{id}/pack.pdf` and `pack.docx` serve
//! them to readers of the meeting's body. A pack whose linked versions are larger than
//! `--max-render-bytes`, each or together, is refused (413), and the rendering runs within the
//! render bounds.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, Caller};
use crate::http::render::{check_render_size, render_blocking};
use crate::state::AppState;
use crate::storage::meetings::packs::{RenderedPack, MAX_PACK_VERSIONS};
use crate::storage::meetings::MeetingPack;
use crate::versions::dossier::{docx, pdf};
use crate::versions::pack::{self, AgendaLine, Cover, MilestoneLine, Pack, Request, VersionText};
use crate::versions::{blocks::document_blocks, content_hash};

const DOCX_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Pack routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send))
        .routes(routes!(pack_pdf))
        .routes(routes!(pack_docx))
}

/// The secretariat's note with the pack (on its cover).
#[derive(Deserialize, utoipa::ToSchema)]
struct SendPack {
    note: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/meetings/{id}/pack",
    tag = "meetings",
    summary = "Render and send the meeting pack (agenda and stukken) as PDF and DOCX to the body's members and observers (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = SendPack,
    responses((status = 201, description = "the pack as sent", body = MeetingPack), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "the meeting was cancelled", body = ApiErrorBody), (status = 413, description = "a linked version is larger than the render limit", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody), (status = 503, description = "the server is busy rendering (see Retry-After) or the render took too long", body = ApiErrorBody))
)]
async fn send(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<SendPack>,
) -> Result<(StatusCode, Json<MeetingPack>)> {
    let (meeting, access) = access::meeting(&state, &caller, id).await?;
    access.steer()?;
    if meeting.status == crate::domain::meeting::MeetingStatus::Geannuleerd {
        return Err(AppError::Conflict(
            "the meeting was cancelled; no pack is sent for it".into(),
        ));
    }
    let note = input
        .note
        .as_deref()
        .map(|n| validate::text("note", n, 0, 5000))
        .transpose()?
        .filter(|n| !n.is_empty());
    let detail = state
        .db
        .meeting_detail(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sources = state.db.pack_versions(id).await?;
    if sources.len() > MAX_PACK_VERSIONS {
        return Err(Invalid {
            field: "agenda",
            message: format!(
                "a pack carries at most {MAX_PACK_VERSIONS} versions; link fewer versions on the \
                 agenda, or send the others with another meeting"
            ),
        }
        .into());
    }
    for version in &sources {
        check_render_size(
            &state,
            &format!("version {}", version.version_id),
            version.state.len(),
        )?;
    }
    // the pack is one document: its versions together stay within the limit of one
    check_render_size(
        &state,
        "the pack's versions together",
        sources.iter().map(|v| v.state.len()).sum(),
    )?;
    let requests = state
        .db
        .pack_requests(meeting.body_id)
        .await?
        .into_iter()
        .map(|r| Request {
            title: r.title,
            question: r.question,
            options: r.options,
            deadline: r.deadline,
        })
        .collect();
    let milestones = state
        .db
        .pack_milestones(meeting.body_id)
        .await?
        .into_iter()
        .map(|m| MilestoneLine {
            title: m.title,
            due: m.due.raw,
            status: m.status.as_str().to_owned(),
            owners: m.owners.into_iter().map(|o| o.code).collect(),
        })
        .collect();
    let agenda = detail
        .agenda
        .into_iter()
        .map(|item| AgendaLine {
            position: item.position,
            title: item.title,
            note: item.note,
            link: item.link.map(|l| l.label),
        })
        .collect();
    let cover = Cover {
        body_name: meeting.body_name.clone(),
        title: meeting.title.clone(),
        starts_at: meeting.starts_at,
        ends_at: meeting.ends_at,
        place: meeting.place.clone(),
        online_url: meeting.online_url.clone(),
        status: meeting.status,
        note: note.clone(),
    };
    let rendered = render_blocking(&state, move || {
        let mut versions = Vec::with_capacity(sources.len());
        for source in sources {
            let blocks = document_blocks(&source.state)
                .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
            versions.push(VersionText {
                draft_title: source.draft_title,
                name: source.name,
                status: source.status,
                content_hash: source.content_hash,
                blocks,
            });
        }
        let pack = Pack {
            cover,
            agenda,
            versions,
            requests,
            milestones,
        };
        let blocks = pack::blocks(&pack);
        let pdf = pdf::render(&blocks)?;
        let docx = docx::render(&blocks).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
        Ok(RenderedPack {
            pdf_sha256: content_hash(&pdf),
            docx_sha256: content_hash(&docx),
            pdf,
            docx,
        })
    })
    .await?;
    let stored = state
        .db
        .store_pack(
            (id, meeting.body_id),
            &rendered,
            note.as_deref(),
            caller.identity.user_id,
            &audit_actor(&caller),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

async fn file(state: &AppState, caller: &Caller, id: i64, docx: bool) -> Result<Response> {
    let found = state
        .db
        .pack_file(id, docx)
        .await?
        .ok_or(AppError::NotFound)?;
    access::body(state, caller, found.body_id).await?;
    let (content_type, extension) = if docx {
        (DOCX_TYPE, "docx")
    } else {
        ("application/pdf", "pdf")
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"stukken-{}-{id}.{extension}\"",
                    found.meeting_id
                ),
            ),
        ],
        found.bytes,
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/api/meeting-packs/{id}/pack.pdf",
    tag = "meetings",
    summary = "A sent pack as PDF",
    params(("id" = i64, Path, description = "pack id")),
    responses((status = 200, description = "the pack", body = Vec<u8>, content_type = "application/pdf"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn pack_pdf(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Response> {
    file(&state, &caller, id, false).await
}

#[utoipa::path(
    get,
    path = "/api/meeting-packs/{id}/pack.docx",
    tag = "meetings",
    summary = "A sent pack as a Word document",
    params(("id" = i64, Path, description = "pack id")),
    responses((status = 200, description = "the pack", body = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn pack_docx(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Response> {
    file(&state, &caller, id, true).await
}
