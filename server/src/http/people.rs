//! `/api/people`: who takes part, with their party. Administrators create people; e-mail
//! addresses are shown only to administrators and to the person themselves.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use secrecy::SecretString;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::password;
use crate::domain::validate;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::people::{NewPerson, Person};

/// `/api/people` and `/api/people/{id}`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show))
        .routes(routes!(my_data))
}

/// A new person.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CreatePerson {
    name: String,
    email: String,
    /// Party code or alias.
    party: Option<String>,
    #[schema(value_type = String)]
    password: SecretString,
    #[serde(default)]
    is_admin: bool,
}

fn redact(mut person: Person, caller: &Caller) -> Person {
    if !caller.identity.is_admin && caller.identity.user_id != Some(person.id) {
        person.email = String::new();
    }
    person
}

/// Searching people, for mentions: `?q=jo&body=3`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PeopleQuery {
    /// Part of a name, a party code or a party name (1 to 100 characters; any case).
    q: Option<String>,
    /// Only the members and observers of this body (which the caller must be able to read).
    body: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/people",
    tag = "people",
    summary = "People with their party (e-mail only for administrators and oneself); search by name or party with q, within a body with body",
    params(Page, PeopleQuery),
    responses((status = 200, body = Paged<Person>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(page): AppQuery<Page>,
    AppQuery(search): AppQuery<PeopleQuery>,
) -> Result<Json<Paged<Person>>> {
    let page = page.checked()?;
    if let Some(body) = search.body {
        access::body(&state, &caller, body).await?;
    }
    let (people, total) = match (&search.q, search.body) {
        (None, None) => state.db.list_people(page.offset, page.limit).await?,
        (q, body) => {
            let q = match q {
                Some(q) => validate::text("q", q, 1, 100)?,
                None => String::new(),
            };
            state
                .db
                .search_people(q.trim(), body, page.offset, page.limit)
                .await?
        }
    };
    let people = people.into_iter().map(|p| redact(p, &caller)).collect();
    Ok(Json(Paged::new(people, total, page)))
}

#[utoipa::path(
    get,
    path = "/api/people/{id}",
    tag = "people",
    summary = "One person",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, body = Person), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Person>> {
    let person = state.db.find_person(id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(redact(person, &caller)))
}

#[utoipa::path(
    post,
    path = "/api/people",
    tag = "people",
    summary = "Create a person (administrators)",
    request_body = CreatePerson,
    responses((status = 201, body = Person), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody))
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(input): AppJson<CreatePerson>,
) -> Result<(StatusCode, Json<Person>)> {
    caller.require_admin()?;
    let name = validate::text("name", &input.name, 1, 200)?;
    let email = validate::email("email", &input.email)?;
    let party = match &input.party {
        Some(code) => Some(state.db.resolve_party(code).await?.ok_or_else(|| {
            AppError::Invalid(validate::Invalid {
                field: "party",
                message: format!("there is no party {code:?}"),
            })
        })?),
        None => None,
    };
    {
        use secrecy::ExposeSecret;
        validate::text("password", input.password.expose_secret(), 12, 200)?;
    }
    let hash = password::hash_password(input.password)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let person = state
        .db
        .create_person_by(
            &NewPerson {
                email: &email,
                name: &name,
                password_hash: &hash,
                is_admin: input.is_admin,
                party,
            },
            &audit_actor(&caller),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(person)))
}

#[utoipa::path(
    get,
    path = "/api/me/data",
    tag = "people",
    summary = "Everything Polder holds about you, as JSON (a download): your account, every record that names you and the audit entries you made; secrets are left out",
    responses((status = 200, description = "your data", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody))
)]
async fn my_data(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<(
    [(axum::http::HeaderName, &'static str); 1],
    Json<serde_json::Value>,
)> {
    // tokens without a person (service tokens) hold no personal data of their own
    let person = caller.person_id()?;
    let data = state
        .db
        .personal_data(person)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        [(
            axum::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"polder-mijn-gegevens.json\"",
        )],
        Json(data),
    ))
}
