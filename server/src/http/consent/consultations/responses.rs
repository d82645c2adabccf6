//! The organisations' responses: `multipart/form-data` with `text`, `comments` (JSON) and an
//! optional file `attachment`, bounded in bytes and checked by its first bytes; and the
//! attachment download, always as an attachment with `nosniff`.

use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::Json;
use sha2::{Digest, Sha256};

use super::{load, version_text, MAX_UPLOAD_BYTES};
use crate::domain::consultation::{
    self, MAX_ATTACHMENT_BYTES, MAX_COMMENTS, MAX_COMMENT_CHARS, MAX_QUOTE_CHARS, MAX_TEXT_CHARS,
};
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::extract::{at_most, audit_actor, AppPath, Caller};
use crate::state::AppState;
use crate::storage::consent::consultations::{Comment, NewAttachment, NewResponse, Response};

#[utoipa::path(
    get,
    path = "/api/consultations/{id}/responses",
    tag = "consultations",
    summary = "The current responses (body readers: all; an invitee: their organisation's)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, body = [Response]), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
pub(super) async fn list_responses(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Vec<Response>>> {
    let access = load(&state, &caller, id).await?;
    let organisation = match (&access.body, &access.invitee) {
        (Some(_), _) => None,
        (None, Some(invitee)) => Some(invitee.organisation.as_str()),
        (None, None) => return Err(AppError::NotFound),
    };
    Ok(Json(state.db.list_responses(id, organisation).await?))
}

/// The form as read from the request.
#[derive(Default)]
struct Form {
    text: Option<String>,
    comments: Option<String>,
    attachment: Option<(String, Vec<u8>)>,
}

fn too_large() -> AppError {
    AppError::TooLarge(format!(
        "the attachment may be at most {MAX_ATTACHMENT_BYTES} bytes (10 MB); send a smaller \
         file, or a link to it in the text"
    ))
}

fn multipart_error(error: MultipartError) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge(format!(
            "the response may be at most {MAX_UPLOAD_BYTES} bytes with its attachment; send a \
             smaller file"
        ))
    } else {
        AppError::BadRequest(format!(
            "the form could not be read ({error}); send multipart/form-data with the fields \
             text, comments and attachment"
        ))
    }
}

/// Reads a field up to `limit` bytes, refusing it as soon as more arrive.
async fn read_field(mut field: Field<'_>, limit: usize, over: fn() -> AppError) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len().saturating_add(chunk.len()) > limit {
            return Err(over());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn text_field(field: &'static str, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|_| {
        Invalid {
            field,
            message: "must be UTF-8 text".into(),
        }
        .into()
    })
}

async fn read_form(mut multipart: Multipart) -> Result<Form> {
    let mut form = Form::default();
    let field_too_large =
        || AppError::TooLarge("a text field of the form is larger than 256 KiB; shorten it".into());
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "text" => {
                form.text = Some(text_field(
                    "text",
                    read_field(field, 128 * 1024, field_too_large).await?,
                )?);
            }
            "comments" => {
                form.comments = Some(text_field(
                    "comments",
                    read_field(field, 256 * 1024, field_too_large).await?,
                )?);
            }
            "attachment" => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = read_field(field, MAX_ATTACHMENT_BYTES, too_large).await?;
                if !bytes.is_empty() {
                    form.attachment = Some((name, bytes));
                }
            }
            other => {
                return Err(Invalid {
                    field: "form",
                    message: format!(
                        "unknown field {:?}; send text, comments and attachment only",
                        other.chars().take(40).collect::<String>()
                    ),
                }
                .into())
            }
        }
    }
    Ok(form)
}

fn comments_of(raw: Option<&str>, plain: &str) -> Result<Vec<Comment>> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let comments: Vec<Comment> = serde_json::from_str(raw).map_err(|e| Invalid {
        field: "comments",
        message: format!("must be a JSON list of {{\"quote\"?, \"body\"}} objects ({e})"),
    })?;
    at_most("comments", comments.len(), MAX_COMMENTS)?;
    let mut checked = Vec::with_capacity(comments.len());
    for (n, comment) in comments.into_iter().enumerate() {
        let body =
            validate::text("comments", &comment.body, 1, MAX_COMMENT_CHARS).map_err(|mut e| {
                e.message = format!("comment {}: body {}", n + 1, e.message);
                e
            })?;
        let quote = match comment.quote.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(quote) => {
                if quote.chars().count() > MAX_QUOTE_CHARS {
                    return Err(Invalid {
                        field: "comments",
                        message: format!(
                            "comment {}: the quote may be at most {MAX_QUOTE_CHARS} characters",
                            n + 1
                        ),
                    }
                    .into());
                }
                if !consultation::quote_found(plain, quote) {
                    return Err(Invalid {
                        field: "comments",
                        message: format!(
                            "comment {}: the quote does not occur in the version consulted on; \
                             copy the passage from the version",
                            n + 1
                        ),
                    }
                    .into());
                }
                Some(quote.to_owned())
            }
        };
        checked.push(Comment { quote, body });
    }
    Ok(checked)
}

#[utoipa::path(
    post,
    path = "/api/consultations/{id}/responses",
    tag = "consultations",
    summary = "Respond for one's organisation (invitees, while open); supersedes its earlier response",
    params(("id" = i64, Path, description = "id")),
    request_body(description = "multipart/form-data: text, comments (JSON list of {quote?, body}), attachment (file, at most 10 MB: pdf, docx, odt, txt, png, jpeg)", content((Object = "multipart/form-data"))),
    responses((status = 201, body = Response), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "the consultation is not open; the message says when it is", body = ApiErrorBody), (status = 413, description = "the attachment is larger than 10 MB", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
pub(super) async fn respond(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Response>)> {
    caller.require_write_scope()?;
    let access = load(&state, &caller, id).await?;
    let Some(invitee) = access.invitee else {
        return Err(AppError::refused(
            "only invited organisations respond to a consultation; the body's members comment on the draft",
        ));
    };
    let consultation = access.consultation;
    if let Some(reason) = consultation::closed_reason(
        consultation.status,
        consultation.opens(),
        consultation.closes(),
    ) {
        return Err(AppError::Conflict(reason));
    }
    // a malformed form is refused only after the caller was found to be allowed
    let multipart = multipart.map_err(|e| {
        AppError::BadRequest(format!(
            "send the response as multipart/form-data with the fields text, comments and \
             attachment ({e})"
        ))
    })?;
    let form = read_form(multipart).await?;
    let text = validate::text(
        "text",
        form.text.as_deref().unwrap_or_default(),
        1,
        MAX_TEXT_CHARS,
    )?;
    let plain = version_text(&state, &consultation).await?;
    let comments = comments_of(form.comments.as_deref(), &plain)?;
    let attachment = match &form.attachment {
        Some((name, bytes)) => {
            let (extension, media_type) = consultation::sniff(bytes).ok_or_else(|| Invalid {
                field: "attachment",
                message: "must be a PDF, DOCX, ODT, plain text, PNG or JPEG file (judged by its \
                          content, not its name)"
                    .into(),
            })?;
            Some((
                consultation::safe_file_name(name, extension),
                media_type,
                bytes,
                hex::encode(Sha256::digest(bytes)),
            ))
        }
        None => None,
    };
    let response = state
        .db
        .respond(
            consultation.id,
            &invitee,
            &NewResponse {
                text: &text,
                comments: &comments,
                attachment: attachment
                    .as_ref()
                    .map(|(name, media_type, bytes, sha256)| NewAttachment {
                        name,
                        media_type,
                        bytes,
                        sha256,
                    }),
                by: caller.person_id()?,
            },
            &audit_actor(&caller),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(response)))
}

#[utoipa::path(
    get,
    path = "/api/consultation-responses/{id}/attachment",
    tag = "consultations",
    summary = "A response's attachment, as a download (body readers and the responding organisation's invitees)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the file", content((Vec<u8> = "application/octet-stream"))), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
pub(super) async fn attachment(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<HttpResponse> {
    let stored = state
        .db
        .response_attachment(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let access = load(&state, &caller, stored.consultation_id).await?;
    let own = access
        .invitee
        .as_ref()
        .is_some_and(|i| i.organisation == stored.organisation);
    if access.body.is_none() && !own {
        return Err(AppError::NotFound);
    }
    Ok((
        [
            (header::CONTENT_TYPE, stored.media_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", stored.name),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        stored.bytes,
    )
        .into_response())
}
