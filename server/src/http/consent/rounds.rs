//! Endorsement rounds on a version and the body's consent gate (docs/DOMAIN.md §15):
//! `/api/drafts/{id}/rounds`, `/api/rounds/{id}…` and `/api/bodies/{id}/consent-settings`.
//!
//! Chair and secretariat open and withdraw rounds; a party's mandate holder answers for their
//! own party, on the content hash they read. A `niet_akkoord` opens a dispute on the draft in
//! the answer's transaction; when opening it fails the answer stays stored and the result says
//! `dispute.opened = false` (as for role-agreement sign-offs).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::endorsement::{self, RoundStatus};
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access::{self, BodyAccess};
use crate::http::extract::{audit_actor, AppJson, AppPath, Caller};
use crate::http::render::{check_render_size, render_blocking};
use crate::state::AppState;
use crate::storage::consent::rounds::answers::{AnswerOutcome, Answered, NewAnswer};
use crate::storage::consent::rounds::settings::ConsentSettings;
use crate::storage::consent::rounds::{NewRound, OpenOutcome, Round};
use crate::versions::{self, Block};

/// The rounds routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rounds, open_round))
        .routes(routes!(show_round))
        .routes(routes!(answer_round))
        .routes(routes!(withdraw_round))
        .routes(routes!(show_consent_settings, put_consent_settings))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct OpenRoundInput {
    /// The version of the draft to ask the parties on.
    version_id: i64,
    /// Refuse while the draft has open points.
    #[serde(default)]
    require_no_open_points: bool,
    /// A note to the parties (at most 2000 characters).
    note: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct AnswerInput {
    /// `akkoord`, `akkoord_met_voorbehoud` or `niet_akkoord`.
    state: String,
    /// The reservation (required for voorbehoud, 1..4000 characters).
    reservation: Option<String>,
    /// A passage of the version the answer is anchored to (at most 1000 characters).
    anchor_quote: Option<String>,
    /// The round's content hash the signer read; 409 when it is another.
    expected_hash: String,
}

async fn round_access(state: &AppState, caller: &Caller, id: i64) -> Result<(Round, BodyAccess)> {
    let round = state.db.find_round(id).await?.ok_or(AppError::NotFound)?;
    let access = access::body(state, caller, round.body_id).await?;
    Ok((round, access))
}

#[utoipa::path(
    get,
    path = "/api/drafts/{id}/rounds",
    tag = "endorsement",
    summary = "A draft's endorsement rounds, newest first",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the rounds", body = Vec<Round>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn list_rounds(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Vec<Round>>> {
    access::draft(&state, &caller, id).await?;
    Ok(Json(state.db.list_rounds(id).await?))
}

#[utoipa::path(
    post,
    path = "/api/drafts/{id}/rounds",
    tag = "endorsement",
    summary = "Open an endorsement round on a version for the body's member parties (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = OpenRoundInput,
    responses((status = 201, description = "the round", body = Round), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn open_round(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<OpenRoundInput>,
) -> Result<(StatusCode, Json<Round>)> {
    let access = access::draft(&state, &caller, id).await?;
    access.body.steer()?;
    let note = input
        .note
        .as_deref()
        .map(|n| validate::text("note", n, 0, endorsement::MAX_NOTE))
        .transpose()?
        .filter(|n| !n.is_empty());
    if input.require_no_open_points {
        let open = state.db.count_open_points(id).await?;
        if open > 0 {
            return Err(AppError::Conflict(format!(
                "the draft has {open} open point(s); close them first, or open the round without require_no_open_points"
            )));
        }
    }
    let new = NewRound {
        draft_id: id,
        body_id: access.draft.body_id,
        version_id: input.version_id,
        require_no_open_points: input.require_no_open_points,
        note: note.as_deref(),
        by: caller.person_id()?,
    };
    match state.db.open_round(&new, &audit_actor(&caller)).await? {
        OpenOutcome::Opened(round) => Ok((StatusCode::CREATED, Json(*round))),
        OpenOutcome::NotOfDraft => Err(AppError::Conflict(format!(
            "version {} is not a version of this draft; choose one of its versions",
            input.version_id
        ))),
        OpenOutcome::AlreadyOpen(round) => Err(AppError::Conflict(format!(
            "round {round} is still open on this draft; supersede it by a new version or withdraw it first"
        ))),
    }
}

#[utoipa::path(
    get,
    path = "/api/rounds/{id}",
    tag = "endorsement",
    summary = "One endorsement round with every party's answer and who has not answered",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the round", body = Round), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn show_round(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Round>> {
    Ok(Json(round_access(&state, &caller, id).await?.0))
}

/// The version's text as the anchor check reads it: its blocks, one per line.
async fn plain_text(state: &AppState, round: &Round) -> Result<String> {
    let (_, bytes) = state
        .db
        .version_state(round.draft_id, round.version_id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_render_size(state, &format!("version {}", round.version_id), bytes.len())?;
    render_blocking(state, move || {
        let blocks = versions::document_blocks(&bytes).map_err(|e| AppError::Internal(e.into()))?;
        Ok(blocks
            .iter()
            .map(Block::text)
            .collect::<Vec<_>>()
            .join("\n"))
    })
    .await
}

#[utoipa::path(
    post,
    path = "/api/rounds/{id}/answers",
    tag = "endorsement",
    summary = "Answer for the caller's party (its mandate holder); niet_akkoord opens a dispute on the version",
    params(("id" = i64, Path, description = "id")),
    request_body = AnswerInput,
    responses((status = 201, description = "the round, the answer and the dispute outcome", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn answer_round(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<AnswerInput>,
) -> Result<(StatusCode, Json<Answered>)> {
    let (round, access) = round_access(&state, &caller, id).await?;
    let code = access.sign_for()?.to_owned();
    let person = caller.person_id()?;
    let Some(party) = round.parties.iter().find(|p| p.code == code) else {
        return Err(AppError::refused(format!(
            "{code} is not asked in this round; only the body's member parties answer"
        )));
    };
    if !round.status.accepts_answers() {
        return Err(closed(round.status));
    }
    if input.expected_hash.chars().count() > 128 {
        return Err(Invalid {
            field: "expected_hash",
            message: "is not a content hash; send the round's content_hash".into(),
        }
        .into());
    }
    let text = plain_text(&state, &round).await?;
    let checked = endorsement::check_answer(
        &input.state,
        input.reservation.as_deref(),
        input.anchor_quote.as_deref(),
        &text,
    )?;
    let draft = state
        .db
        .find_draft(round.draft_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let answer = NewAnswer {
        party_id: party.party_id,
        state: checked.state,
        reservation: checked.reservation.as_deref(),
        anchor_quote: checked.anchor_quote.as_deref(),
        signed_by: person,
        expected_hash: &input.expected_hash,
    };
    match state
        .db
        .answer_round(&round, &draft.title, &answer, &audit_actor(&caller))
        .await?
    {
        AnswerOutcome::Answered(answered) => Ok((StatusCode::CREATED, Json(*answered))),
        AnswerOutcome::NotFound => Err(AppError::NotFound),
        AnswerOutcome::Stale(current) => Err(AppError::Conflict(format!(
            "the round is on content {current}, not on the content you read; read the round again before answering"
        ))),
        AnswerOutcome::Closed(status) => Err(closed(status)),
        AnswerOutcome::NotAsked => Err(AppError::refused(format!(
            "{code} is not asked in this round; only the body's member parties answer"
        ))),
    }
}

fn closed(status: RoundStatus) -> AppError {
    AppError::Conflict(match status {
        RoundStatus::Vervangen => {
            "this round was replaced by a round on a newer version; answer on the current round"
                .into()
        }
        RoundStatus::Ingetrokken => "this round was withdrawn; it takes no answers".into(),
        other => format!("this round is {} and takes no answers", other.as_str()),
    })
}

#[utoipa::path(
    post,
    path = "/api/rounds/{id}/withdraw",
    tag = "endorsement",
    summary = "Withdraw an endorsement round (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the round", body = Round), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody))
)]
async fn withdraw_round(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Round>> {
    let (_, access) = round_access(&state, &caller, id).await?;
    access.steer()?;
    match state.db.withdraw_round(id, &audit_actor(&caller)).await? {
        Ok(round) => Ok(Json(round)),
        Err(status) => Err(AppError::Conflict(format!(
            "the round is already {}; only an open or completed round is withdrawn",
            status.as_str()
        ))),
    }
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/consent-settings",
    tag = "endorsement",
    summary = "Whether vastgesteld and aangeboden need a completed endorsement round in this body",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the settings", body = ConsentSettings), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn show_consent_settings(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<ConsentSettings>> {
    access::body(&state, &caller, id).await?;
    Ok(Json(state.db.consent_settings(id).await?))
}

#[utoipa::path(
    put,
    path = "/api/bodies/{id}/consent-settings",
    tag = "endorsement",
    summary = "Set the consent gate (chair, secretariat, administrator)",
    params(("id" = i64, Path, description = "id")),
    request_body = ConsentSettings,
    responses((status = 200, description = "the settings", body = ConsentSettings), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn put_consent_settings(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<ConsentSettings>,
) -> Result<Json<ConsentSettings>> {
    caller.require_write_scope()?;
    let access = access::body(&state, &caller, id).await?;
    if !access.administers() {
        return Err(AppError::refused(
            "only the chair, the secretariat or an administrator sets the consent gate",
        ));
    }
    Ok(Json(
        state
            .db
            .put_consent_settings(id, input, &audit_actor(&caller))
            .await?,
    ))
}
