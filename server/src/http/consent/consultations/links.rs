//! Renewing a guest's sign-in link: the old one stops working, the new one is e-mailed and
//! shown once (see [`super::send_link`]).

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::{load, send_link, NewLink};
use crate::domain::consultation::LINK_DAYS_AFTER_CLOSING;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::extract::{audit_actor, AppPath, Caller};
use crate::state::AppState;
use crate::storage::consent::consultations::Invitee;
use crate::storage::now_ms;

/// A guest's new sign-in link (shown only this once).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct LinkAnswer {
    invitee: Invitee,
    /// `/gast/{secret}`; the previous link no longer works.
    link: String,
    /// Whether the link was e-mailed to the guest; if not, pass it on yourself.
    emailed: bool,
}

#[utoipa::path(
    post,
    path = "/api/consultations/{id}/invitees/{invitee_id}/link",
    tag = "consultations",
    summary = "Give a guest a new sign-in link, e-mailed and shown once; the old one stops working (chair, secretariat)",
    params(("id" = i64, Path, description = "id"), ("invitee_id" = i64, Path, description = "invitee id")),
    responses((status = 200, body = LinkAnswer), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "the contact has an account of their own, or the consultation is over", body = ApiErrorBody))
)]
pub(super) async fn renew_link(
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, invitee_id)): AppPath<(i64, i64)>,
) -> Result<Json<LinkAnswer>> {
    let access = load(&state, &caller, id).await?;
    access.reader()?.steer()?;
    let consultation = &access.consultation;
    if consultation.status == crate::domain::consultation::Status::Ingetrokken {
        return Err(AppError::Conflict(
            "the consultation was withdrawn; a new link would lead nowhere".into(),
        ));
    }
    let link = NewLink::new(consultation);
    if link.expires_at <= now_ms() {
        return Err(AppError::Conflict(format!(
            "the consultation closed more than {LINK_DAYS_AFTER_CLOSING} days ago; guests can no \
             longer sign in"
        )));
    }
    let invitee = state
        .db
        .renew_guest_link(id, invitee_id, &link.stored(), &audit_actor(&caller))
        .await?
        .ok_or(AppError::NotFound)?;
    let emailed = send_link(&state, consultation, &invitee, &link, true).await;
    Ok(Json(LinkAnswer {
        invitee,
        link: link.path(),
        emailed,
    }))
}
