//! Role agreements: `/api/bodies/{id}/role-agreements` and `/api/role-agreements/{id}…`.
//!
//! The programme team creates and changes agreements; a change re-opens sign-off only for the
//! parties it affects (see [`crate::domain::role_agreement`]). A party's mandate holder signs.
//!
//! # `niet_akkoord` and disputes
//! A `niet_akkoord` is stored with the dispute it opens and its audit entry in one transaction
//! by [`SqlStorage::sign_off`](crate::storage::SqlStorage::sign_off). The party's answer is its
//! commitment and must never be lost because another part failed, so when opening the dispute
//! fails the sign-off stays stored, the failure is written to the audit log
//! (`role_agreement.dispute_failed`) and the answer is still `201 Created`, with
//! `dispute.opened = false` and a message asking to raise the dispute by hand (or to sign
//! `niet_akkoord` again, which retries).

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::party_id;
use crate::domain::role_agreement::{self, AgreementRole};
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::governance::role_agreements::{
    AgreementChange, Changed, NewRoleAgreement, PendingParty, RoleAgreement, RowChange, SignOff,
};
use crate::storage::governance::sign_offs::{NewSignOff, SignOutcome};

/// Role-agreement routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update))
        .routes(routes!(set_role, remove_party))
        .routes(routes!(sign, history))
        .routes(routes!(pending))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct PartyRole {
    party: String,
    role: String,
    /// What the party takes on, in its own words (at most 4000 characters); signed with the
    /// role.
    #[serde(default)]
    responsibility: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct CreateAgreement {
    title: String,
    #[serde(default)]
    description: String,
    draft_id: Option<i64>,
    #[serde(default)]
    parties: Vec<PartyRole>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

#[derive(Deserialize, utoipa::ToSchema)]
struct UpdateAgreement {
    title: Option<String>,
    description: Option<String>,
    #[serde(default, deserialize_with = "present")]
    draft_id: Option<Option<i64>>,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct RoleInput {
    role: String,
    /// The party's responsibility text; left as it is when absent, removed when empty.
    responsibility: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct SignInput {
    state: String,
    reservation: Option<String>,
    /// The version the signer read; refused with 409 when the agreement changed since.
    version_hash: Option<String>,
}

#[derive(Serialize)]
struct Pending {
    version_hash: String,
    pending: Vec<PendingParty>,
}

async fn check_draft(state: &AppState, body_id: i64, draft_id: Option<i64>) -> Result<()> {
    if let Some(draft_id) = draft_id {
        let draft = state.db.find_draft(draft_id).await?;
        if draft.is_none_or(|d| d.body_id != body_id) {
            return Err(Invalid {
                field: "draft_id",
                message: "no advice draft with this id in this body".into(),
            }
            .into());
        }
    }
    Ok(())
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/role-agreements",
    tag = "role-agreements",
    summary = "A body's role agreements with their matrix and current sign-offs",
    params(("id" = i64, Path, description = "id"), Page),
    responses((status = 200, description = "the agreements", body = Paged<RoleAgreement>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<RoleAgreement>>> {
    access::body(&state, &caller, body_id).await?;
    let page = page.checked()?;
    Ok(Json(Paged::slice(
        state.db.list_role_agreements(body_id).await?,
        page,
    )))
}

#[utoipa::path(
    post,
    path = "/api/bodies/{id}/role-agreements",
    tag = "role-agreements",
    summary = "Create a role agreement (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = CreateAgreement,
    responses((status = 201, description = "the agreement", body = RoleAgreement), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppJson(input): AppJson<CreateAgreement>,
) -> Result<(StatusCode, Json<RoleAgreement>)> {
    access::body(&state, &caller, body_id).await?.steer()?;
    let title = validate::text("title", &input.title, 1, 300)?;
    let description = validate::text("description", &input.description, 0, 20_000)?;
    check_draft(&state, body_id, input.draft_id).await?;
    let mut roles = Vec::with_capacity(input.parties.len());
    let mut seen = BTreeSet::new();
    for row in &input.parties {
        let id = party_id(&state, "parties", &row.party).await?;
        if !seen.insert(id) {
            return Err(Invalid {
                field: "parties",
                message: format!("{} is listed twice; give each party one role", row.party),
            }
            .into());
        }
        roles.push((
            id,
            AgreementRole::parse_field("parties", &row.role)?,
            role_agreement::check_responsibility("parties", &row.responsibility)?,
        ));
    }
    let new = NewRoleAgreement {
        body_id,
        title,
        description,
        draft_id: input.draft_id,
        roles,
        created_by: caller.identity.user_id,
    };
    let agreement = state
        .db
        .create_role_agreement_by(&new, &audit_actor(&caller))
        .await?;
    Ok((StatusCode::CREATED, Json(agreement)))
}

#[utoipa::path(
    get,
    path = "/api/role-agreements/{id}",
    tag = "role-agreements",
    summary = "One role agreement",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the agreement", body = RoleAgreement), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<RoleAgreement>> {
    Ok(Json(access::role_agreement(&state, &caller, id).await?.0))
}

async fn apply(
    state: &AppState,
    caller: &Caller,
    id: i64,
    change: AgreementChange,
) -> Result<Json<Changed>> {
    state
        .db
        .change_role_agreement(id, &change, &audit_actor(caller))
        .await?
        .map(Json)
        .ok_or(AppError::NotFound)
}

#[utoipa::path(
    patch,
    path = "/api/role-agreements/{id}",
    tag = "role-agreements",
    summary = "Change title, description or draft link (chair, secretariat); re-opens every sign-off when the text changes",
    params(("id" = i64, Path, description = "id")),
    request_body = UpdateAgreement,
    responses((status = 200, description = "the agreement with the carried and re-opened parties", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<UpdateAgreement>,
) -> Result<Json<Changed>> {
    let (agreement, access) = access::role_agreement(&state, &caller, id).await?;
    access.steer()?;
    let title = input
        .title
        .map(|t| validate::text("title", &t, 1, 300))
        .transpose()?;
    let description = input
        .description
        .map(|d| validate::text("description", &d, 0, 20_000))
        .transpose()?;
    if let Some(draft) = input.draft_id {
        check_draft(&state, agreement.body_id, draft).await?;
    }
    let change = AgreementChange {
        title,
        description,
        draft_id: input.draft_id,
        role: None,
    };
    apply(&state, &caller, id, change).await
}

#[utoipa::path(
    put,
    path = "/api/role-agreements/{id}/parties/{party}",
    tag = "role-agreements",
    summary = "Set a party's role and responsibility text (chair, secretariat); re-opens only that party's sign-off",
    params(("id" = i64, Path, description = "id"), ("party" = String, Path, description = "party code")),
    request_body = RoleInput,
    responses((status = 200, description = "the agreement with the carried and re-opened parties", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn set_role(
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, party)): AppPath<(i64, String)>,
    AppJson(input): AppJson<RoleInput>,
) -> Result<Json<Changed>> {
    let (_, access) = access::role_agreement(&state, &caller, id).await?;
    access.steer()?;
    let party_id = party_id(&state, "party", &party).await?;
    let role = AgreementRole::parse_field("role", &input.role)?;
    let responsibility = input
        .responsibility
        .map(|text| role_agreement::check_responsibility("responsibility", &text))
        .transpose()?;
    let change = AgreementChange {
        role: Some((
            party_id,
            Some(RowChange {
                role,
                responsibility,
            }),
        )),
        ..AgreementChange::default()
    };
    apply(&state, &caller, id, change).await
}

#[utoipa::path(
    delete,
    path = "/api/role-agreements/{id}/parties/{party}",
    tag = "role-agreements",
    summary = "Remove a party from the matrix (chair, secretariat)",
    params(("id" = i64, Path, description = "id"), ("party" = String, Path, description = "party code")),
    responses((status = 200, description = "the agreement with the carried and re-opened parties", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn remove_party(
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, party)): AppPath<(i64, String)>,
) -> Result<Json<Changed>> {
    let (agreement, access) = access::role_agreement(&state, &caller, id).await?;
    access.steer()?;
    let party_id = party_id(&state, "party", &party).await?;
    if !agreement.parties.iter().any(|p| p.party_id == party_id) {
        return Err(AppError::NotFound);
    }
    let change = AgreementChange {
        role: Some((party_id, None)),
        ..AgreementChange::default()
    };
    apply(&state, &caller, id, change).await
}

#[utoipa::path(
    post,
    path = "/api/role-agreements/{id}/sign-offs",
    tag = "role-agreements",
    summary = "Sign off for the caller's party (its mandate holder); niet_akkoord opens a dispute",
    params(("id" = i64, Path, description = "id")),
    request_body = SignInput,
    responses((status = 201, description = "the sign-off, the agreement and the dispute outcome", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn sign(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<SignInput>,
) -> Result<Response> {
    let (agreement, access) = access::role_agreement(&state, &caller, id).await?;
    let code = access.sign_for()?;
    let person = caller.person_id()?;
    let Some(row) = agreement.parties.iter().find(|p| p.code == code) else {
        return Err(AppError::refused(format!(
            "{code} has no role in this agreement; only the parties in the matrix sign off"
        )));
    };
    let (sign_state, reservation) =
        role_agreement::check_sign_off(&input.state, input.reservation.as_deref())?;
    let sign = NewSignOff {
        party_id: row.party_id,
        state: sign_state,
        reservation: reservation.as_deref(),
        signed_by: person,
        expected_hash: input.version_hash.as_deref(),
    };
    match state
        .db
        .sign_off(&agreement, &sign, &audit_actor(&caller))
        .await?
    {
        SignOutcome::Signed(signed) => Ok((StatusCode::CREATED, Json(*signed)).into_response()),
        SignOutcome::NotFound => Err(AppError::NotFound),
        SignOutcome::Stale(current) => Err(AppError::Conflict(format!(
            "the agreement has changed since you read it (now version {current}); read it again before signing"
        ))),
    }
}

#[utoipa::path(
    get,
    path = "/api/role-agreements/{id}/sign-offs",
    tag = "role-agreements",
    summary = "Every sign-off, replaced, carried and re-opened ones included",
    params(("id" = i64, Path, description = "id"), Page),
    responses((status = 200, description = "the sign-offs, oldest first", body = Paged<SignOff>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn history(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<SignOff>>> {
    let page = page.checked()?;
    access::role_agreement(&state, &caller, id).await?;
    Ok(Json(Paged::slice(
        state.db.sign_off_history(id).await?,
        page,
    )))
}

#[utoipa::path(
    get,
    path = "/api/role-agreements/{id}/pending",
    tag = "role-agreements",
    summary = "Parties that have not yet responded to the current version, with their mandate holders",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the pending parties", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn pending(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Pending>> {
    let (agreement, _) = access::role_agreement(&state, &caller, id).await?;
    let pending = state.db.pending_sign_offs(&agreement).await?;
    Ok(Json(Pending {
        version_hash: agreement.version_hash,
        pending,
    }))
}
