//! `GET /api/bodies/{id}/archive.zip`: administrators download a body's complete record, the
//! same zip `polder export archive` writes (see [`crate::archive`]).
//!
//! The archive is built on the blocking pool while holding one render slot (so it counts
//! against `--max-concurrent-renders`), into memory once: each document is rendered, compressed
//! into the zip and dropped before the next. It is not bound by the render timeout, as a large
//! body's archive takes longer than one render; it is bound in files and bytes.

use std::io::Cursor;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::archive::{gather, names};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::extract::{AppPath, Caller};
use crate::state::AppState;

/// Most bytes of content a downloaded archive holds (it is built in memory); larger bodies
/// are exported with `polder export archive`, which writes to a file.
const MAX_DOWNLOAD_BYTES: u64 = 1024 * 1024 * 1024;

/// The archive route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download))
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/archive.zip",
    tag = "bodies",
    summary = "A body's complete record as a zip with a manifest (administrators)",
    params(("id" = i64, Path, description = "the body")),
    responses((status = 200, description = "the archive", body = Vec<u8>, content_type = "application/zip"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found", body = ApiErrorBody), (status = 413, description = "the archive is larger than its limit", body = ApiErrorBody), (status = 503, description = "the server is busy rendering; see Retry-After", body = ApiErrorBody))
)]
async fn download(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Response> {
    caller.require_admin()?;
    let body = state.db.find_body(id).await?.ok_or(AppError::NotFound)?;
    let permit = state
        .render_permits
        .clone()
        .try_acquire_owned()
        .map_err(|_| AppError::Busy {
            message: "the server is busy with other exports, comparisons and imports; try \
                      again in a few seconds"
                .into(),
            retry_after_secs: 5,
        })?;
    let db = state.db.clone();
    let settings = gather::Settings {
        max_render_bytes: state.work.max_render_bytes,
        max_archive_bytes: MAX_DOWNLOAD_BYTES,
    };
    let handle = tokio::runtime::Handle::current();
    let built = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        handle.block_on(gather::write_body(
            &db,
            id,
            settings,
            Cursor::new(Vec::new()),
        ))
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))??;
    let (cursor, _manifest) = built;
    let file = format!("archief-{id}-{}.zip", names::slug(&body.name));
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        cursor.into_inner(),
    )
        .into_response())
}
