//! `/api/drafts/{id}/versions…` and `/api/drafts/{id}/compare`: named versions, rendered as
//! JSON, HTML, Markdown or DOCX, and comparisons of any two versions (or a version and the
//! current text) with each change attributed to the person and party who made it.
//!
//! Bounds: a draft gains at most `--max-versions-per-hour` versions (429 with `Retry-After`
//! beyond); a version or current text larger than `--max-render-bytes` is not rendered or
//! compared (413); every render runs through [`crate::http::render`].

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::validate;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access::{self, DraftAccess};
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::http::render::{check_render_size, render_blocking};
use crate::state::AppState;
use crate::storage::drafts::{NewVersion, VersionInfo};
use crate::storage::version_quota::{QuotaExceeded, VersionQuota};
use crate::versions::{self, Block, Comparison};

/// Version routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show))
        .routes(routes!(compare))
}

/// Output formats.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Format {
    #[default]
    Json,
    Html,
    Markdown,
    Docx,
    /// PDF/A-2b, typeset with embedded fonts.
    Pdf,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FormatQuery {
    #[serde(default)]
    format: Format,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CompareQuery {
    /// Older version id.
    from: i64,
    /// Newer version id, or `current` for the live document.
    to: String,
    #[serde(default)]
    format: Format,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateVersion {
    name: String,
}

#[utoipa::path(
    get,
    path = "/api/drafts/{id}/versions",
    tag = "versions",
    summary = "A draft's versions",
    params(Page, ("id" = i64, Path, description = "id")),
    responses((status = 200, body = Paged<VersionInfo>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<VersionInfo>>> {
    let page = page.checked()?;
    access::draft(&state, &caller, id).await?;
    Ok(Json(Paged::slice(state.db.list_versions(id).await?, page)))
}

async fn current_state(state: &AppState, access: &DraftAccess) -> Result<Vec<u8>> {
    state
        .hub
        .snapshot(&access.doc_id()?)
        .await
        .map_err(|_| AppError::Unavailable("the document could not be loaded; try again".into()))
}

#[utoipa::path(
    post,
    path = "/api/drafts/{id}/versions",
    tag = "versions",
    summary = "Freeze a named version of the current text (members, chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = CreateVersion,
    responses((status = 201, body = VersionInfo), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody), (status = 429, description = "the draft has had its versions for this hour; see Retry-After", body = ApiErrorBody))
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<CreateVersion>,
) -> Result<(StatusCode, Json<VersionInfo>)> {
    let access = access::draft(&state, &caller, id).await?;
    access.body.write()?;
    if !access.is_open() {
        return Err(AppError::Conflict("the draft was withdrawn".into()));
    }
    let name = validate::text("name", &input.name, 1, 200)?;
    let max = state.work.max_versions_per_hour;
    // Checked before the snapshot, so refused requests cost no document work, and again
    // with the insert, so concurrent requests cannot both take the last place.
    if let Err(exceeded) = state
        .db
        .version_quota(id, VersionQuota::per_hour(max))
        .await?
    {
        return Err(quota_error(max, exceeded));
    }
    let snapshot = current_state(&state, &access).await?;
    let hash = versions::content_hash(&snapshot);
    let supersede = crate::http::consent::superseded_round(&state, id, &snapshot, &hash).await?;
    let info = state
        .db
        .create_version_within(
            id,
            access.draft.status,
            NewVersion {
                name: &name,
                state: &snapshot,
                content_hash: &hash,
                supersede,
            },
            caller.person_id()?,
            VersionQuota::per_hour(max),
            &audit_actor(&caller),
        )
        .await?
        .map_err(|exceeded| quota_error(max, exceeded))?;
    Ok((StatusCode::CREATED, Json(info)))
}

fn quota_error(max: u32, exceeded: QuotaExceeded) -> AppError {
    AppError::TooManyRequests {
        message: format!(
            "this draft already has {max} versions from the last hour \
             (--max-versions-per-hour); try again later"
        ),
        retry_after_secs: exceeded.retry_after_secs(),
    }
}

#[utoipa::path(
    get,
    path = "/api/drafts/{id}/versions/{version_id}",
    tag = "versions",
    summary = "One version as JSON, HTML, Markdown, DOCX or PDF (PDF/A-2b)",
    params(("id" = i64, Path, description = "id"), ("version_id" = i64, Path, description = "version id"), FormatQuery),
    responses((status = 200, description = "the version in the format asked for", content((Object = "application/json"), (String = "text/html"), (String = "text/markdown"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (Vec<u8> = "application/pdf"))), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "the version is nested too deeply to be shown", body = ApiErrorBody), (status = 413, description = "the version is larger than the render limit", body = ApiErrorBody), (status = 503, description = "the server is busy rendering (see Retry-After) or the render took too long", body = ApiErrorBody))
)]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, version_id)): AppPath<(i64, i64)>,
    AppQuery(query): AppQuery<FormatQuery>,
) -> Result<Response> {
    let access = access::draft(&state, &caller, id).await?;
    let (info, bytes) = state
        .db
        .version_state(id, version_id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_render_size(&state, &format!("version {version_id}"), bytes.len())?;
    let title = format!("{} — {}", access.draft.title, info.name);
    let format = query.format;
    let consent = state.db.consent_record_of_version(version_id).await?;
    render_blocking(&state, move || {
        let mut blocks = versions::document_blocks(&bytes).map_err(internal)?;
        if format == Format::Json {
            let mut body = serde_json::json!({ "version": info, "blocks": blocks });
            if let Some(record) = &consent {
                body["consent"] = serde_json::to_value(record).unwrap_or_default();
            }
            return Ok(Json(body).into_response());
        }
        if let Some(record) = &consent {
            blocks.extend(versions::endorsement::consent_blocks(record));
        }
        Ok(match format {
            Format::Json => {
                Json(serde_json::json!({ "version": info, "blocks": blocks })).into_response()
            }
            Format::Html => html(versions::to_html(&blocks, &title)),
            Format::Markdown => markdown(versions::to_markdown(&blocks)),
            Format::Docx => docx(
                versions::to_docx(&blocks, &title).map_err(internal)?,
                &format!("versie-{version_id}.docx"),
            ),
            Format::Pdf => pdf(
                versions::to_pdf(&blocks, &title).map_err(internal)?,
                &format!("versie-{version_id}.pdf"),
            ),
        })
    })
    .await
}

#[utoipa::path(
    get,
    path = "/api/drafts/{id}/compare",
    tag = "versions",
    summary = "Compare two versions (or a version and the current text), each change attributed to its person and party",
    params(("id" = i64, Path, description = "id"), CompareQuery),
    responses((status = 200, description = "the comparison in the format asked for", content((Object = "application/json"), (String = "text/html"), (String = "text/markdown"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (Vec<u8> = "application/pdf"))), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody), (status = 413, description = "a version is larger than the render limit", body = ApiErrorBody), (status = 503, description = "the server is busy rendering (see Retry-After) or the render took too long", body = ApiErrorBody))
)]
async fn compare(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(query): AppQuery<CompareQuery>,
) -> Result<Response> {
    let access = access::draft(&state, &caller, id).await?;
    let (from, old) = state
        .db
        .version_state(id, query.from)
        .await?
        .ok_or(AppError::NotFound)?;
    let (to_name, new) = if query.to == "current" {
        (
            "huidige tekst".to_owned(),
            current_state(&state, &access).await?,
        )
    } else {
        let to_id: i64 = query.to.parse().map_err(|_| validate::Invalid {
            field: "to",
            message: "must be a version id or current".into(),
        })?;
        let (info, bytes) = state
            .db
            .version_state(id, to_id)
            .await?
            .ok_or(AppError::NotFound)?;
        (info.name, bytes)
    };
    check_render_size(&state, &format!("version {}", query.from), old.len())?;
    check_render_size(
        &state,
        &format!("the version to compare with ({to_name})"),
        new.len(),
    )?;
    let attribution = state.db.attribution(&access.draft.doc_id).await?;
    let title = format!("{}: {} → {}", access.draft.title, from.name, to_name);
    let format = query.format;
    render_blocking(&state, move || {
        let comparison: Comparison =
            versions::compare(&old, &new, &attribution).map_err(internal)?;
        Ok(match format {
            Format::Json => Json(serde_json::json!({
                "from": from.name,
                "to": to_name,
                "authors": comparison.authors(),
                "blocks": comparison.blocks,
            }))
            .into_response(),
            Format::Html => html(versions::to_html(&comparison.blocks, &title)),
            Format::Markdown => markdown(versions::comparison_markdown(&comparison)),
            Format::Docx => {
                let blocks: Vec<Block> = comparison.blocks;
                docx(
                    versions::to_docx(&blocks, &title).map_err(internal)?,
                    "vergelijking.docx",
                )
            }
            Format::Pdf => pdf(
                versions::to_pdf(&comparison.blocks, &title).map_err(internal)?,
                "vergelijking.pdf",
            ),
        })
    })
    .await
}

fn internal(error: versions::VersionError) -> AppError {
    match error {
        versions::VersionError::TooDeep => AppError::Invalid(validate::Invalid {
            field: "version",
            message: error.to_string(),
        }),
        other => AppError::Internal(other.into()),
    }
}

fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

fn markdown(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
        body,
    )
        .into_response()
}

fn docx(bytes: Vec<u8>, file: &str) -> Response {
    download(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        file,
    )
}

fn pdf(bytes: Vec<u8>, file: &str) -> Response {
    download(bytes, "application/pdf", file)
}

fn download(bytes: Vec<u8>, content_type: &str, file: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}
