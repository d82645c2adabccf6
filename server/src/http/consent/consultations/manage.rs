//! The chair's and the secretariat's side: a draft's consultations, creating one, inviting
//! organisations (guest accounts with a sign-in link shown once and e-mailed, see [`super::send_link`]), removing an invitation and
//! creating the summary-of-responses draft.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::{load, send_link, view, NewLink};
use crate::domain::consultation;
use crate::domain::dutch_time;
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, Caller};
use crate::state::AppState;
use crate::storage::consent::consultations::invitees::NO_PASSWORD;
use crate::storage::consent::consultations::{
    Consultation, ConsultationError, Invitee, NewConsultation, NewInvitee,
};
use crate::storage::drafts::Draft;

impl From<ConsultationError> for AppError {
    fn from(error: ConsultationError) -> Self {
        match error {
            ConsultationError::Conflict(message) => AppError::Conflict(message),
            ConsultationError::Storage(storage) => storage.into(),
        }
    }
}

/// A consultation to open.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateConsultation {
    version_id: i64,
    title: String,
    question: Option<String>,
    /// `YYYY-MM-DD`; before it the consultation is announced, from it open.
    opens_on: Option<String>,
    /// `YYYY-MM-DD`, the last day responses are accepted.
    closes_on: String,
}

/// An organisation to invite.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct InviteInput {
    organisation: Option<String>,
    /// A registered party's code (not a member of the body).
    party: Option<String>,
    email: String,
    name: String,
}

/// The invitation, with the guest's sign-in link (shown only this once).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct InviteAnswer {
    invitee: Invitee,
    /// `/gast/{secret}` for a guest; `null` for someone who signs in with their own account.
    link: Option<String>,
    /// Whether the guest's link was e-mailed to them; if not, pass it on yourself (always
    /// `false` without a link).
    emailed: bool,
}

fn day(field: &'static str, raw: &str) -> Result<NaiveDate> {
    raw.trim().parse().map_err(|_| {
        Invalid {
            field,
            message: "must be a date as YYYY-MM-DD".into(),
        }
        .into()
    })
}

#[utoipa::path(
    get,
    path = "/api/drafts/{id}/consultations",
    tag = "consultations",
    summary = "A draft's consultations, newest first (readers of the draft)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, body = [Consultation]), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
pub(super) async fn list_consultations(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Vec<Consultation>>> {
    access::draft(&state, &caller, id).await?;
    Ok(Json(state.db.list_consultations(id).await?))
}

#[utoipa::path(
    post,
    path = "/api/drafts/{id}/consultations",
    tag = "consultations",
    summary = "Open a consultation on a version of the draft (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = CreateConsultation,
    responses((status = 201, body = Consultation), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
pub(super) async fn create_consultation(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<CreateConsultation>,
) -> Result<(StatusCode, Json<Consultation>)> {
    let draft = access::draft(&state, &caller, id).await?;
    draft.body.steer()?;
    let title = validate::text("title", &input.title, 1, 300)?;
    let question = validate::text("question", input.question.as_deref().unwrap_or(""), 0, 4000)?;
    let closes_on = day("closes_on", &input.closes_on)?;
    let opens_on = input
        .opens_on
        .as_deref()
        .filter(|raw| !raw.trim().is_empty())
        .map(|raw| day("opens_on", raw))
        .transpose()?;
    let today = dutch_time::today();
    consultation::check_dates(opens_on, closes_on, today)?;
    // an opening date of today opens at once
    let opens_on = opens_on.filter(|opens| *opens > today);
    let version = state
        .db
        .list_versions(id)
        .await?
        .into_iter()
        .find(|v| v.id == input.version_id)
        .ok_or_else(|| Invalid {
            field: "version_id",
            message: "is not a version of this draft; freeze a version first".into(),
        })?;
    let created = state
        .db
        .create_consultation(
            &NewConsultation {
                draft_id: id,
                body_id: draft.draft.body_id,
                version_id: version.id,
                content_hash: &version.content_hash,
                title: &title,
                question: &question,
                opens_on,
                closes_on,
                by: caller.person_id()?,
            },
            &audit_actor(&caller),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(
    post,
    path = "/api/consultations/{id}/invitees",
    tag = "consultations",
    summary = "Invite an organisation's contact (chair, secretariat); a guest's sign-in link is e-mailed and shown once",
    params(("id" = i64, Path, description = "id")),
    request_body = InviteInput,
    responses((status = 201, body = InviteAnswer), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "already invited, or the consultation was withdrawn", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
pub(super) async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<InviteInput>,
) -> Result<(StatusCode, Json<InviteAnswer>)> {
    let access = load(&state, &caller, id).await?;
    access.reader()?.steer()?;
    let consultation = &access.consultation;
    if consultation.status == consultation::Status::Ingetrokken {
        return Err(AppError::Conflict(
            "the consultation was withdrawn; it takes no more invitations".into(),
        ));
    }
    let email = validate::email("email", &input.email)?;
    let name = validate::text("name", &input.name, 1, 200)?;
    let mut party_id = None;
    let mut organisation = input
        .organisation
        .as_deref()
        .map(|o| validate::text("organisation", o, 1, 300))
        .transpose()?;
    if let Some(code) = input.party.as_deref().filter(|c| !c.trim().is_empty()) {
        let code = validate::text("party", code, 1, 40)?;
        let (party, party_name, member) = state
            .db
            .party_for_invitation(&code, consultation.body_id)
            .await?
            .ok_or_else(|| Invalid {
                field: "party",
                message: format!("{code} is not a registered party; name the organisation instead"),
            })?;
        if member {
            return Err(Invalid {
                field: "party",
                message: format!(
                    "{code} takes part in the body as a member; consult outside organisations only"
                ),
            }
            .into());
        }
        party_id = Some(party);
        organisation.get_or_insert(party_name);
    }
    let organisation = organisation.ok_or_else(|| Invalid {
        field: "organisation",
        message: "name the organisation, or give a registered party's code in party".into(),
    })?;
    let link = NewLink::new(consultation);
    let invitation = state
        .db
        .invite(
            consultation,
            &NewInvitee {
                party_id,
                organisation: &organisation,
                email: &email,
                name: &name,
                guest_password_hash: NO_PASSWORD,
                link: Some(link.stored()),
                by: caller.person_id()?,
            },
            &audit_actor(&caller),
        )
        .await?;
    let emailed = invitation.link_stored
        && send_link(&state, consultation, &invitation.invitee, &link, false).await;
    Ok((
        StatusCode::CREATED,
        Json(InviteAnswer {
            invitee: invitation.invitee,
            link: invitation.link_stored.then(|| link.path()),
            emailed,
        }),
    ))
}

#[utoipa::path(
    delete,
    path = "/api/consultations/{id}/invitees/{invitee_id}",
    tag = "consultations",
    summary = "Remove an invitation: the contact loses access (chair, secretariat)",
    params(("id" = i64, Path, description = "id"), ("invitee_id" = i64, Path, description = "invitee id")),
    responses((status = 204, description = "removed"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "the contact responded", body = ApiErrorBody))
)]
pub(super) async fn uninvite(
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, invitee_id)): AppPath<(i64, i64)>,
) -> Result<StatusCode> {
    let access = load(&state, &caller, id).await?;
    access.reader()?.steer()?;
    if state
        .db
        .uninvite(id, invitee_id, &audit_actor(&caller))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}

#[utoipa::path(
    post,
    path = "/api/consultations/{id}/summary",
    tag = "consultations",
    summary = "Create, once, the summary-of-responses draft in the consultation's body (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 201, body = Draft), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "the summary exists", body = ApiErrorBody))
)]
pub(super) async fn create_summary(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<(StatusCode, Json<Draft>)> {
    let access = load(&state, &caller, id).await?;
    access.reader()?.steer()?;
    let consultation = view(&state, access).await?;
    let doc_id = format!("draft-{:016x}", rand::thread_rng().gen::<u64>());
    let draft = state
        .db
        .create_consultation_summary(
            &consultation,
            &doc_id,
            caller.person_id()?,
            &audit_actor(&caller),
        )
        .await?;
    let draft = state
        .db
        .find_draft(draft)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(draft)))
}
