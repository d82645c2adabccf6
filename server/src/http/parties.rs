//! `/api/parties`: organisations and collectives, with aliases and colours.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::domain::validate;
use crate::error::{AppError, Result};
use crate::http::audit::record;
use crate::http::extract::{AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::parties::{NewParty, Party};

/// `/api/parties` and `/api/parties/{id}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/parties", get(list).post(create))
        .route("/api/parties/{id}", get(show))
}

/// A new party.
#[derive(Deserialize)]
struct CreateParty {
    code: String,
    name: String,
    colour: String,
    #[serde(default)]
    aliases: Vec<String>,
    /// Member codes; a party with members is a collective.
    #[serde(default)]
    members: Vec<String>,
}

async fn list(
    State(state): State<AppState>,
    _caller: Caller,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<Party>>> {
    let page = page.checked()?;
    Ok(Json(Paged::slice(state.db.list_parties().await?, page)))
}

async fn show(
    State(state): State<AppState>,
    _caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Party>> {
    state
        .db
        .find_party(id)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound)
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(input): AppJson<CreateParty>,
) -> Result<(StatusCode, Json<Party>)> {
    caller.require_admin()?;
    let mut members = Vec::new();
    for code in &input.members {
        let id = state.db.resolve_party(code).await?.ok_or_else(|| {
            AppError::Invalid(validate::Invalid {
                field: "members",
                message: format!("there is no party {code:?}"),
            })
        })?;
        members.push(id);
    }
    let party = NewParty {
        code: validate::party_code("code", &input.code)?,
        name: validate::text("name", &input.name, 1, 200)?,
        colour: validate::colour("colour", &input.colour)?,
        aliases: input
            .aliases
            .iter()
            .map(|a| validate::text("aliases", a, 1, 100))
            .collect::<std::result::Result<_, _>>()?,
        members,
    };
    let id = state.db.create_party(&party).await?;
    record(
        &state,
        &caller,
        "party.create",
        serde_json::json!({ "party": id, "code": party.code }),
    )
    .await?;
    let created = state.db.find_party(id).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(created)))
}
