//! Withdrawing a consultation (the chair and the secretariat of its body): responses are
//! refused from then on, nothing more is announced or reminded, the consultation still reads
//! as `ingetrokken`, and the invitees are told through the scheduler.

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::{load, view};
use crate::domain::consultation::{withdraw_refusal, MAX_WITHDRAW_NOTE_CHARS};
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::extract::{audit_actor, AppPath, Caller};
use crate::state::AppState;
use crate::storage::consent::consultations::Consultation;

/// Why the consultation is withdrawn; the invitees' notice carries the note.
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub(crate) struct WithdrawInput {
    /// At most 2,000 characters.
    note: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/consultations/{id}/withdraw",
    tag = "consultations",
    summary = "Withdraw a consultation: no more responses, the invitees are told (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body(content = Option<WithdrawInput>, description = "optional note for the invitees"),
    responses((status = 200, body = Consultation), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "already withdrawn", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
pub(super) async fn withdraw_consultation(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    body: Bytes,
) -> Result<Json<Consultation>> {
    let access = load(&state, &caller, id).await?;
    access.reader()?.steer()?;
    if let Some(reason) = withdraw_refusal(access.consultation.status) {
        return Err(AppError::Conflict(reason.into()));
    }
    let input = parse(&body)?;
    let note = validate::text(
        "note",
        input.note.as_deref().unwrap_or(""),
        0,
        MAX_WITHDRAW_NOTE_CHARS,
    )?;
    let note = (!note.is_empty()).then_some(note);
    let withdrawn = state
        .db
        .withdraw_consultation(id, note.as_deref(), &audit_actor(&caller))
        .await?;
    let mut access = load(&state, &caller, id).await?;
    access.consultation = withdrawn;
    Ok(Json(view(&state, access).await?))
}

/// The optional JSON body: empty means no note.
fn parse(body: &[u8]) -> Result<WithdrawInput> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(WithdrawInput::default());
    }
    serde_json::from_slice(body).map_err(|error| {
        Invalid {
            field: "body",
            message: format!("must be empty or JSON like {{\"note\": \"…\"}}: {error}"),
        }
        .into()
    })
}
