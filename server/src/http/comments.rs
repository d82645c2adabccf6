//! `/api/drafts/{id}/comments`: threads anchored to text with Yjs relative positions, mentions
//! of people and parties, resolve and reopen. Commenting stays possible on a frozen draft
//! (that is what consultation is for); observers read comments but do not write them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::open_points;
use crate::domain::roles::BodyRole;
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{at_most, audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::comments::{Comment, NewComment};
use crate::storage::consent::open_points::{NewOpenPoint, OpenPoint};
use crate::sync::anchor;

/// Most people one comment mentions: 50 (each is looked up and notified).
pub const MAX_MENTIONED_PEOPLE: usize = 50;
/// Most parties one comment mentions: 50.
pub const MAX_MENTIONED_PARTIES: usize = 50;

/// Comment routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(resolve, reopen))
}

/// A comment with where its anchor points now.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AnchoredComment {
    #[serde(flatten)]
    comment: Comment,
    /// The text the anchor encloses in the current document (`None` when it was deleted).
    anchored_text: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateComment {
    body: String,
    thread_id: Option<i64>,
    anchor: Option<AnchorInput>,
    quote: Option<String>,
    #[serde(default)]
    mention_people: Vec<i64>,
    #[serde(default)]
    mention_parties: Vec<String>,
    /// Makes the comment an open point too (its text is the comment, its quote the comment's).
    open_point: Option<CommentPoint>,
}

/// The open point a comment is typed as.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CommentPoint {
    /// `pm`, `nb`, `bespreekpunt` or `datum`.
    kind: String,
    owner_person_id: Option<i64>,
    /// A party code.
    owner_party: Option<String>,
    /// `YYYY-MM-DD`.
    due: Option<String>,
}

/// A new comment, with the open point it was typed as.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CreatedComment {
    #[serde(flatten)]
    comment: Comment,
    /// The open point made with it.
    open_point: Option<OpenPoint>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct AnchorInput {
    start: String,
    end: String,
}

#[utoipa::path(
    get,
    path = "/api/drafts/{id}/comments",
    tag = "comments",
    summary = "A draft's comments with the text each anchor encloses now",
    params(Page, ("id" = i64, Path, description = "id")),
    responses((status = 200, body = Paged<AnchoredComment>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<AnchoredComment>>> {
    let page = page.checked()?;
    let access = access::draft(&state, &caller, id).await?;
    // only the comments on this page have their anchors resolved
    let Paged {
        items: comments,
        total,
        ..
    } = Paged::slice(state.db.list_comments(id).await?, page);
    let current = if comments.iter().any(|c| c.anchor_start.is_some()) {
        Some(state.hub.snapshot(&access.doc_id()?).await.map_err(|_| {
            AppError::Unavailable("the document could not be loaded; try again".into())
        })?)
    } else {
        None
    };
    let resolver = current.as_deref().and_then(anchor::AnchorResolver::new);
    let comments = comments
        .into_iter()
        .map(|comment| {
            let anchored_text = match (&resolver, &comment.anchor_start, &comment.anchor_end) {
                (Some(resolver), Some(start), Some(end)) => resolver.resolve(start, end),
                _ => None,
            };
            AnchoredComment {
                comment,
                anchored_text,
            }
        })
        .collect();
    Ok(Json(Paged::new(comments, total, page)))
}

#[utoipa::path(
    post,
    path = "/api/drafts/{id}/comments",
    tag = "comments",
    summary = "Comment, reply or anchor a comment to text (members, chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = CreateComment,
    responses((status = 201, body = CreatedComment), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody))
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<CreateComment>,
) -> Result<(StatusCode, Json<CreatedComment>)> {
    let access = access::draft(&state, &caller, id).await?;
    access.body.write()?;
    if !access.is_open() {
        return Err(AppError::Conflict(
            "the draft was withdrawn; it takes no more comments".into(),
        ));
    }
    let body = validate::text("body", &input.body, 1, 10_000)?;
    let quote = input
        .quote
        .as_deref()
        .map(|q| validate::text("quote", q, 0, 2_000))
        .transpose()?;
    if let Some(anchor) = &input.anchor {
        for end in [&anchor.start, &anchor.end] {
            anchor::decode(end).map_err(|e| Invalid {
                field: "anchor",
                message: e.to_string(),
            })?;
        }
    }
    if let Some(thread) = input.thread_id {
        let is_thread = state
            .db
            .find_comment(id, thread)
            .await?
            .is_some_and(|c| c.thread_id == thread);
        if !is_thread {
            return Err(Invalid {
                field: "thread_id",
                message: "there is no such thread on this draft".into(),
            }
            .into());
        }
    }
    at_most(
        "mention_people",
        input.mention_people.len(),
        MAX_MENTIONED_PEOPLE,
    )?;
    let mut mention_people = input.mention_people.clone();
    mention_people.sort_unstable();
    mention_people.dedup();
    at_most(
        "mention_parties",
        input.mention_parties.len(),
        MAX_MENTIONED_PARTIES,
    )?;
    for person in &mention_people {
        state
            .db
            .find_person(*person)
            .await?
            .ok_or_else(|| Invalid {
                field: "mention_people",
                message: format!("there is no person {person}"),
            })?;
    }
    let mut parties = Vec::new();
    for code in &input.mention_parties {
        let party = state.db.resolve_party(code).await?.ok_or_else(|| Invalid {
            field: "mention_parties",
            message: format!("there is no party {code:?}"),
        })?;
        if !parties.contains(&party) {
            parties.push(party);
        }
    }
    let author = caller.person_id()?;
    let open_point = match &input.open_point {
        Some(point) => Some(comment_point(&state, access.draft.body_id, id, author, point).await?),
        None => None,
    };
    let comment = state
        .db
        .add_comment(
            &NewComment {
                draft_id: id,
                thread_id: input.thread_id,
                author_id: author,
                body: &body,
                anchor: input
                    .anchor
                    .as_ref()
                    .map(|a| (a.start.as_str(), a.end.as_str())),
                quote: quote.as_deref(),
                people: &mention_people,
                parties: &parties,
                open_point,
            },
            &audit_actor(&caller),
        )
        .await?;
    let open_point = if input.open_point.is_some() {
        state.db.open_point_of_comment(comment.id).await?
    } else {
        None
    };
    Ok((
        StatusCode::CREATED,
        Json(CreatedComment {
            comment,
            open_point,
        }),
    ))
}

/// Checks the open point a comment is typed as: its kind, due day and owner (a member or
/// observer of the body, or a party that takes part in it).
async fn comment_point(
    state: &AppState,
    body_id: i64,
    draft_id: i64,
    author: i64,
    point: &CommentPoint,
) -> Result<NewOpenPoint> {
    let kind = open_points::kind_input("open_point.kind", &point.kind)?;
    let due = point
        .due
        .as_deref()
        .map(|d| open_points::due_input("open_point.due", d))
        .transpose()?;
    let party = point
        .owner_party
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    if let Some(code) = party {
        validate::text("open_point.owner_party", code, 1, 100)?;
    }
    let owner = state
        .db
        .point_owner(body_id, point.owner_person_id, party)
        .await?
        .map_err(|problem| Invalid {
            field: if problem.field() == "owner_person_id" {
                "open_point.owner_person_id"
            } else {
                "open_point.owner_party"
            },
            message: problem.message(),
        })?;
    Ok(NewOpenPoint {
        draft_id,
        kind,
        text: String::new(),
        quote: None,
        source: open_points::PointSource::Comment,
        owner,
        due,
        created_by: author,
    })
}

async fn set_resolved(
    state: AppState,
    caller: Caller,
    id: i64,
    thread_id: i64,
    resolved: bool,
) -> Result<StatusCode> {
    let access = access::draft(&state, &caller, id).await?;
    caller.require_write_scope()?;
    let person = caller.person_id()?;
    let thread = state
        .db
        .find_comment(id, thread_id)
        .await?
        .filter(|c| c.thread_id == thread_id)
        .ok_or(AppError::NotFound)?;
    let allowed = thread.author_id == person || access.body.role.is_some_and(BodyRole::can_steer);
    if !allowed {
        return Err(AppError::Forbidden(None));
    }
    state
        .db
        .set_thread_resolved(
            id,
            thread_id,
            resolved.then_some(person),
            &audit_actor(&caller),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    put,
    path = "/api/drafts/{id}/comments/{thread_id}/resolved",
    tag = "comments",
    summary = "Resolve a thread (its author, chair, secretariat)",
    params(("id" = i64, Path, description = "id"), ("thread_id" = i64, Path, description = "id of the thread's first comment")),
    responses((status = 204, description = "done"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, thread)): AppPath<(i64, i64)>,
) -> Result<StatusCode> {
    set_resolved(state, caller, id, thread, true).await
}

#[utoipa::path(
    delete,
    path = "/api/drafts/{id}/comments/{thread_id}/resolved",
    tag = "comments",
    summary = "Reopen a thread (its author, chair, secretariat)",
    params(("id" = i64, Path, description = "id"), ("thread_id" = i64, Path, description = "id of the thread's first comment")),
    responses((status = 204, description = "done"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn reopen(
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, thread)): AppPath<(i64, i64)>,
) -> Result<StatusCode> {
    set_resolved(state, caller, id, thread, false).await
}
