//! `POST /api/bodies/{id}/imports?dry_run=true|false&format=csv|tsv|xlsx[&name=FILE][&year=YYYY]`
//! with the table as the raw request body (programme team only).
//!
//! The format comes from `format`, else the `Content-Type` (`text/csv`,
//! `text/tab-separated-values`, the XLSX media type), else the extension of `name`.
//! `dry_run` defaults to `true`: nothing is stored unless `dry_run=false` is asked for.
//! The answer holds the plan, every flagged and every unreadable row with its line and reason,
//! and the summary line `rows: N, milestones: M, flagged: F, errors: E`.
//!
//! Bounds: the body may be at most `--max-import-bytes` (413 beyond, checked on the declared
//! length and while reading); a table over the reader's limits (rows, columns, cells, cell
//! length, unpacked size; see [`crate::import::limits`]) answers 422 naming the limit. The
//! table is read on the blocking pool within the render bounds of [`crate::http::render`].
//!
//! The answer lists every due text relative to a meeting (`relative_due`): `linked` to the
//! meeting series it names (`series_id`, `series_name`), or `relative_unlinked` when no series
//! of the body, the bodies above it or (uniquely) any body matches. Committing links the first.
//!
//! The answer lists every party name the register does not know (`unknown_parties`, with the
//! rows that name it). Before committing, the programme team resolves each with
//! `POST /api/bodies/{id}/imports/parties`: map the name to an existing party (it becomes an
//! alias of that party) or create a party for it (the name becomes its alias). Either is
//! remembered in the register, so the next dry run, and every later import, recognises it.
//! Only the body's chair and secretariat may do this, the same people who may import there;
//! administrators keep the register with `POST /api/parties` and
//! `POST /api/parties/{code}/aliases`.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::fuzzy_date::{ParseContext, Precision};
use crate::domain::validate;
use crate::domain::validate::Invalid;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller};
use crate::http::render::render_blocking;
use crate::import::{self, Format, ImportError, ImportPlan, RowIssue, UnknownParty};
use crate::state::AppState;
use crate::storage::governance::import::{DirectoryError, ImportOutcome};
use crate::storage::governance::relative_due::RelativeRow;
use crate::storage::parties::{AliasOutcome, NewParty, Party};

/// Import routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_table))
        .routes(routes!(resolve_party))
}

#[derive(Deserialize)]
struct ImportQuery {
    dry_run: Option<bool>,
    format: Option<String>,
    name: Option<String>,
    year: Option<i32>,
}

#[derive(Serialize)]
struct ImportAnswer {
    dry_run: bool,
    summary: String,
    flagged: Vec<RowIssue>,
    errors: Vec<RowIssue>,
    unknown_parties: Vec<UnknownParty>,
    relative_due: Vec<RelativeRow>,
    plan: ImportPlan,
    stored: Option<ImportOutcome>,
}

/// How to resolve a party name an import met: `party` (map it) or `create` (a new party).
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ResolveParty {
    /// The name as the table writes it ("NZa", "InEen").
    name: String,
    /// Map the name to this existing party (its code); the name becomes its alias.
    party: Option<String>,
    /// Or create a party; the name becomes its alias.
    create: Option<CreateFromImport>,
}

/// A party created for a name an import met.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateFromImport {
    code: String,
    name: String,
    colour: String,
}

fn format_of(query: &ImportQuery, headers: &HeaderMap) -> Result<Format> {
    let invalid = |message: String| -> AppError {
        Invalid {
            field: "format",
            message,
        }
        .into()
    };
    if let Some(format) = query.format.as_deref() {
        return match format.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "tsv" | "tab" => Ok(Format::Tsv),
            "xlsx" => Ok(Format::Xlsx),
            other => Err(invalid(format!(
                "unknown format {other:?}; use csv, tsv or xlsx"
            ))),
        };
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("text/csv") {
        return Ok(Format::Csv);
    }
    if content_type.starts_with("text/tab-separated-values") {
        return Ok(Format::Tsv);
    }
    if content_type.contains("spreadsheetml") {
        return Ok(Format::Xlsx);
    }
    query
        .name
        .as_deref()
        .and_then(Format::from_file_name)
        .ok_or_else(|| {
            invalid(
                "say which format the table is in: ?format=csv, tsv or xlsx, or a Content-Type"
                    .into(),
            )
        })
}

/// Reads the request body, refusing it as soon as it is longer than `limit` bytes (by its
/// declared length, or by what has arrived).
///
/// # Errors
/// [`AppError::TooLarge`] naming the limit; [`AppError::BadRequest`] when the body breaks off.
async fn read_upload(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes> {
    let too_large = || {
        AppError::TooLarge(format!(
            "the file is larger than the import limit of {limit} bytes (--max-import-bytes); \
             split the table into smaller files, or remove images and unused sheets"
        ))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return Err(too_large());
    }
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            AppError::BadRequest(
                "the upload broke off or was larger than allowed; send it again".into(),
            )
        })?;
        if bytes.len().saturating_add(chunk.len()) > limit {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(bytes))
}

/// Why a table cannot be imported, for the person who sent it.
fn unreadable(error: &ImportError) -> AppError {
    Invalid {
        field: "file",
        message: match error {
            ImportError::OverLimit { .. } => error.to_string(),
            other => format!("the table cannot be read: {other}"),
        },
    }
    .into()
}

/// Reads a table into a plan against the stored party directory, on the blocking pool.
///
/// # Errors
/// [`AppError::Invalid`] (field `file`) when the table cannot be read or is over the reader's
/// limits; the render bounds' errors when the server is busy.
pub(crate) async fn plan_table(
    state: &AppState,
    bytes: Bytes,
    format: Format,
    year: Option<i32>,
) -> Result<(ImportPlan, std::collections::HashMap<String, i64>)> {
    let (directory, ids) = state.db.party_directory().await.map_err(|e| match e {
        DirectoryError::Storage(err) => AppError::from(err),
        DirectoryError::Directory(err) => {
            AppError::Conflict(format!("the party aliases are ambiguous: {err}"))
        }
    })?;
    let plan = render_blocking(state, move || {
        let rows = import::read_table(&bytes, format).map_err(|e| unreadable(&e))?;
        Ok(import::interpret(
            &rows,
            &directory,
            &ParseContext { default_year: year },
        ))
    })
    .await?;
    Ok((plan, ids))
}

#[utoipa::path(
    post,
    path = "/api/bodies/{id}/imports",
    tag = "milestones",
    summary = "Import a milestone table sent as the raw body (chair, secretariat); dry_run defaults to true",
    params(("id" = i64, Path, description = "id"), ("dry_run" = Option<bool>, Query, description = "only report (default true)"), ("format" = Option<String>, Query, description = "csv, tsv or xlsx"), ("name" = Option<String>, Query, description = "file name"), ("year" = Option<i32>, Query, description = "year for dates without one")),
    request_body(description = "the table; its format comes from `format`, else from the content type", content((String = "text/csv"), (String = "text/tab-separated-values"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, description = "a dry run: the plan, flagged and unreadable rows, the summary line", body = Object), (status = 201, description = "stored: the plan, the rows and what was stored", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody), (status = 413, description = "the file is larger than the import limit", body = ApiErrorBody))
)]
async fn import_table(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppQuery(query): AppQuery<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<ImportAnswer>)> {
    access::body(&state, &caller, body_id).await?.steer()?;
    let format = format_of(&query, &headers)?;
    let body = read_upload(&headers, body, state.work.max_import_bytes).await?;
    if body.is_empty() {
        return Err(Invalid {
            field: "file",
            message: "the request body is empty; send the table as the body".into(),
        }
        .into());
    }
    let (plan, ids) = plan_table(&state, body, format, query.year).await?;
    let dry_run = query.dry_run.unwrap_or(true);
    let due_texts: Vec<(usize, String, bool)> = plan
        .milestones
        .iter()
        .map(|m| {
            (
                m.line,
                m.due.raw.clone(),
                m.due.precision == Precision::Relative,
            )
        })
        .collect();
    let relative_due = state.db.relative_due_preview(body_id, &due_texts).await?;
    let stored = if dry_run {
        None
    } else {
        let source = query.name.as_deref().unwrap_or("import");
        let outcome = state
            .db
            .apply_import(
                body_id,
                &plan,
                &ids,
                source,
                caller.identity.user_id,
                &audit_actor(&caller),
            )
            .await?;
        Some(outcome)
    };
    let status = if dry_run {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(ImportAnswer {
            dry_run,
            summary: plan.summary_line(),
            flagged: plan.flagged.clone(),
            errors: plan.errors.clone(),
            unknown_parties: plan.unknown_parties(),
            relative_due,
            plan,
            stored,
        }),
    ))
}

#[utoipa::path(
    post,
    path = "/api/bodies/{id}/imports/parties",
    tag = "milestones",
    summary = "Resolve a party name an import met: map it to a party as an alias, or create a party for it (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = ResolveParty,
    responses((status = 200, description = "mapped: the party with its aliases", body = Party), (status = 201, description = "created: the new party", body = Party), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody))
)]
async fn resolve_party(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppJson(input): AppJson<ResolveParty>,
) -> Result<(StatusCode, Json<Party>)> {
    access::body(&state, &caller, body_id).await?.steer()?;
    let alias = validate::text("name", &input.name, 1, 100)?;
    if validate::alias_key(&alias).is_empty() {
        return Err(Invalid {
            field: "name",
            message: "the name needs at least one letter or digit".into(),
        }
        .into());
    }
    let actor = audit_actor(&caller);
    match (input.party.as_deref(), input.create) {
        (Some(code), None) => {
            let party_id = state.db.resolve_party(code).await?.ok_or_else(|| {
                AppError::from(Invalid {
                    field: "party",
                    message: format!("there is no party {code:?}"),
                })
            })?;
            match state
                .db
                .add_party_alias(party_id, &alias, Some(body_id), &actor)
                .await?
            {
                AliasOutcome::Added(party) | AliasOutcome::Unchanged(party) => {
                    Ok((StatusCode::OK, Json(party)))
                }
                AliasOutcome::TakenBy(other) => Err(AppError::Conflict(format!(
                    "{alias:?} already names the party {other}; choose {other}"
                ))),
            }
        }
        (None, Some(create)) => {
            let party = NewParty {
                code: validate::party_code("create.code", &create.code)?,
                name: validate::text("create.name", &create.name, 1, 200)?,
                colour: validate::colour("create.colour", &create.colour)?,
                aliases: vec![alias],
                members: Vec::new(),
            };
            let created = state
                .db
                .create_party_for_import(&party, body_id, &actor)
                .await?;
            Ok((StatusCode::CREATED, Json(created)))
        }
        _ => Err(Invalid {
            field: "party",
            message: "give either `party` (an existing party's code) or `create` (a new party)"
                .into(),
        }
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streamed(chunks: Vec<&'static [u8]>) -> Body {
        let stream = futures_util::stream::iter(
            chunks
                .into_iter()
                .map(|c| Ok::<_, std::io::Error>(Bytes::from_static(c))),
        );
        Body::from_stream(stream)
    }

    #[tokio::test]
    async fn an_upload_without_a_declared_length_is_cut_off_at_the_limit() {
        let headers = HeaderMap::new();
        let body = streamed(vec![b"abcd", b"efgh", b"ij"]);
        let err = read_upload(&headers, body, 9).await.unwrap_err();
        assert_eq!(err.status_code(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(err.to_string().contains("--max-import-bytes"), "{err}");
        let body = streamed(vec![b"abcd", b"efgh", b"ij"]);
        let bytes = read_upload(&headers, body, 10).await.unwrap();
        assert_eq!(&bytes[..], b"abcdefghij");
    }

    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_refused_before_reading() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_LENGTH, "11".parse().unwrap());
        let err = read_upload(&headers, streamed(vec![b"a"]), 10)
            .await
            .unwrap_err();
        assert_eq!(err.status_code(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}
