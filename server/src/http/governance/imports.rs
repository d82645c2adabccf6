//! `POST /api/bodies/{id}/imports?dry_run=true|false&format=csv|tsv|xlsx[&name=FILE][&year=YYYY]`
//! with the table as the raw request body (programme team only).
//!
//! The format comes from `format`, else the `Content-Type` (`text/csv`,
//! `text/tab-separated-values`, the XLSX media type), else the extension of `name`.
//! `dry_run` defaults to `true`: nothing is stored unless `dry_run=false` is asked for.
//! The answer holds the plan, every flagged and every unreadable row with its line and reason,
//! and the summary line `rows: N, milestones: M, flagged: F, errors: E`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::steering;
use crate::domain::fuzzy_date::ParseContext;
use crate::domain::validate::Invalid;
use crate::error::{AppError, Result};
use crate::http::audit::record;
use crate::http::extract::{AppPath, AppQuery, Caller};
use crate::http::openapi::ApiErrorBody;
use crate::import::{self, Format, ImportPlan, RowIssue};
use crate::state::AppState;
use crate::storage::governance::import::{DirectoryError, ImportOutcome};

/// Import routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/bodies/{id}/imports", post(import_table))
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
    plan: ImportPlan,
    stored: Option<ImportOutcome>,
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

/// Reads a table into a plan against the stored party directory.
///
/// # Errors
/// [`AppError::Invalid`] (field `file`) when the table cannot be read.
pub(crate) async fn plan_table(
    state: &AppState,
    bytes: &[u8],
    format: Format,
    year: Option<i32>,
) -> Result<(ImportPlan, std::collections::HashMap<String, i64>)> {
    let (directory, ids) = state.db.party_directory().await.map_err(|e| match e {
        DirectoryError::Storage(err) => AppError::from(err),
        DirectoryError::Directory(err) => {
            AppError::Conflict(format!("the party aliases are ambiguous: {err}"))
        }
    })?;
    let rows = import::read_table(bytes, format).map_err(|e| -> AppError {
        Invalid {
            field: "file",
            message: format!("the table cannot be read: {e}"),
        }
        .into()
    })?;
    let plan = import::interpret(&rows, &directory, &ParseContext { default_year: year });
    Ok((plan, ids))
}

#[utoipa::path(
    post,
    path = "/api/bodies/{id}/imports",
    tag = "milestones",
    summary = "Import a milestone table sent as the raw body (chair, secretariat); dry_run defaults to true",
    params(("id" = i64, Path, description = "id"), ("dry_run" = Option<bool>, Query, description = "only report (default true)"), ("format" = Option<String>, Query, description = "csv, tsv or xlsx"), ("name" = Option<String>, Query, description = "file name"), ("year" = Option<i32>, Query, description = "year for dates without one")),
    request_body(description = "the table; its format comes from `format`, else from the content type", content((String = "text/csv"), (String = "text/tab-separated-values"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, description = "a dry run: the plan, flagged and unreadable rows, the summary line", body = Object), (status = 201, description = "stored: the plan, the rows and what was stored", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn import_table(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppQuery(query): AppQuery<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportAnswer>)> {
    steering(&state, &caller, body_id).await?;
    let format = format_of(&query, &headers)?;
    if body.is_empty() {
        return Err(Invalid {
            field: "file",
            message: "the request body is empty; send the table as the body".into(),
        }
        .into());
    }
    let (plan, ids) = plan_table(&state, &body, format, query.year).await?;
    let dry_run = query.dry_run.unwrap_or(true);
    let stored = if dry_run {
        None
    } else {
        let source = query.name.as_deref().unwrap_or("import");
        let outcome = state
            .db
            .apply_import(body_id, &plan, &ids, source, caller.identity.user_id)
            .await?;
        record(
            &state,
            &caller,
            "milestones.import",
            json!({ "body": body_id, "summary": plan.summary_line(), "created": outcome.milestones_created, "updated": outcome.milestones_updated }),
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
            plan,
            stored,
        }),
    ))
}
