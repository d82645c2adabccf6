//! The round's report as PDF and DOCX (body readers): see [`crate::versions::consultation`].

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use polder_shared::DocId;

use super::{load, version_error};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::extract::{AppPath, Caller};
use crate::http::render::{check_render_size, render_blocking};
use crate::state::AppState;
use crate::versions;
use crate::versions::consultation::{
    Cover, Report, ReportAttachment, ReportComment, ReportResponse,
};
use crate::versions::dossier::{self, Block};

/// The report's blocks, with the summary draft's current text when there is one.
async fn report_blocks(state: &AppState, caller: &Caller, id: i64) -> Result<Vec<Block>> {
    let access = load(state, caller, id).await?;
    access.reader()?;
    let consultation = access.consultation;
    let invitees = state.db.list_invitees(id).await?;
    let responses = state.db.list_responses(id, None).await?;
    let summary = match consultation.summary_draft_id {
        Some(draft_id) => match state.db.find_draft(draft_id).await? {
            Some(draft) => {
                let doc = DocId::parse(&draft.doc_id).map_err(|e| AppError::Internal(e.into()))?;
                let snapshot = state.hub.snapshot(&doc).await.map_err(|_| {
                    AppError::Unavailable("the summary draft could not be loaded; try again".into())
                })?;
                check_render_size(state, "the summary draft", snapshot.len())?;
                let blocks = render_blocking(state, move || {
                    versions::document_blocks(&snapshot).map_err(version_error)
                })
                .await?;
                Some(blocks.iter().map(versions::Block::text).collect())
            }
            None => None,
        },
        None => None,
    };
    let cover = Cover {
        title: consultation.title,
        draft_title: consultation.draft_title,
        body_name: consultation.body_name,
        version_name: consultation.version_name,
        content_hash: consultation.content_hash,
        opens_on: consultation.opens_on,
        closes_on: consultation.closes_on,
        question: consultation.question,
    };
    let responses: Vec<ReportResponse> = responses
        .into_iter()
        .map(|r| ReportResponse {
            organisation: r.organisation,
            submitted_by_name: r.submitted_by_name,
            text: r.text,
            comments: r
                .comments
                .into_iter()
                .map(|c| ReportComment {
                    quote: c.quote,
                    body: c.body,
                })
                .collect(),
            attachment: r.attachment.map(|a| ReportAttachment {
                name: a.name,
                size: a.size,
                sha256: a.sha256,
            }),
        })
        .collect();
    Ok(versions::consultation::blocks(&Report {
        consultation: &cover,
        invited: invitees.len(),
        responses: &responses,
        summary,
    }))
}

#[utoipa::path(
    get,
    path = "/api/consultations/{id}/report.pdf",
    tag = "consultations",
    summary = "The round's report as PDF (body readers)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the report", content((Vec<u8> = "application/pdf"))), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
pub(super) async fn report_pdf(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Response> {
    let blocks = report_blocks(&state, &caller, id).await?;
    let bytes = render_blocking(&state, move || Ok(dossier::pdf::render(&blocks)?)).await?;
    Ok(download(
        bytes,
        "application/pdf",
        &format!("consultatie-{id}.pdf"),
    ))
}

#[utoipa::path(
    get,
    path = "/api/consultations/{id}/report.docx",
    tag = "consultations",
    summary = "The round's report as DOCX (body readers)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the report", content((Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
pub(super) async fn report_docx(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Response> {
    let blocks = report_blocks(&state, &caller, id).await?;
    let bytes = render_blocking(&state, move || {
        dossier::docx::render(&blocks).map_err(version_error)
    })
    .await?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("consultatie-{id}.docx"),
    ))
}

fn download(bytes: Vec<u8>, media_type: &'static str, file: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}
