//! Consultation rounds, their invitees and responses, and the guests' view
//! (docs/DOMAIN.md §16).
//!
//! - [`manage`]: a draft's consultations, creating one, inviting and uninviting, the summary
//!   draft (the chair and the secretariat);
//! - [`read`]: one consultation and its version, for body readers and invitees; the version
//!   route is the only way a guest reads content;
//! - [`responses`]: the organisations' responses (multipart, with a bounded attachment) and
//!   the attachment download;
//! - [`report`]: the round's report as PDF and DOCX.
//!
//! Who may see a consultation: the readers of its body and its invitees (guest or not);
//! anyone else gets 404. A guest reaches only these routes at all (see
//! [`crate::auth::guest`]).

pub mod manage;
pub mod read;
pub mod report;
pub mod responses;

use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::consultation::MAX_ATTACHMENT_BYTES;
use crate::domain::validate;
use crate::error::{AppError, Result};
use crate::http::access::{self, BodyAccess};
use crate::http::extract::Caller;
use crate::http::render::{check_render_size, render_blocking};
use crate::state::AppState;
use crate::storage::consent::consultations::{Consultation, Invitee};
use crate::versions;

/// The most a response's request body may be: the attachment and the rest of the form.
pub const MAX_UPLOAD_BYTES: usize = MAX_ATTACHMENT_BYTES + 256 * 1024;

/// The consultations routes.
pub fn router() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(responses::list_responses, responses::respond))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES));
    OpenApiRouter::new()
        .routes(routes!(
            manage::list_consultations,
            manage::create_consultation
        ))
        .routes(routes!(manage::invite))
        .routes(routes!(manage::uninvite))
        .routes(routes!(manage::create_summary))
        .routes(routes!(read::show_consultation))
        .routes(routes!(read::consultation_version))
        .routes(routes!(responses::attachment))
        .routes(routes!(report::report_pdf))
        .routes(routes!(report::report_docx))
        .merge(uploads)
}

/// A consultation and how the caller stands towards it.
pub struct ConsultationAccess {
    /// The consultation.
    pub consultation: Consultation,
    /// The caller in its body, when they read the body.
    pub body: Option<BodyAccess>,
    /// The caller's invitation, when invited.
    pub invitee: Option<Invitee>,
}

impl ConsultationAccess {
    /// Fails unless the caller reads the consultation's body.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for an invitee, who sees only their own part.
    pub fn reader(&self) -> Result<&BodyAccess> {
        self.body.as_ref().ok_or_else(|| {
            AppError::refused("only the body's members see this; invitees see their own part")
        })
    }
}

/// Loads a consultation the caller may see: a reader of its body or an invitee.
///
/// # Errors
/// [`AppError::NotFound`] when it does not exist or the caller is neither.
pub async fn load(state: &AppState, caller: &Caller, id: i64) -> Result<ConsultationAccess> {
    let consultation = state
        .db
        .find_consultation(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let body = if caller.identity.is_guest {
        None
    } else {
        match access::body(state, caller, consultation.body_id).await {
            Ok(body) => Some(body),
            Err(AppError::NotFound) => None,
            Err(other) => return Err(other),
        }
    };
    let invitee = match caller.identity.user_id {
        Some(user) => state.db.invitee_for(id, user).await?,
        None => None,
    };
    if body.is_none() && invitee.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(ConsultationAccess {
        consultation,
        body,
        invitee,
    })
}

/// The consultation as the caller may see it: every invitee for body readers, only their own
/// invitation (without the e-mail address) for an invitee.
///
/// # Errors
/// Storage errors.
pub async fn view(state: &AppState, access: ConsultationAccess) -> Result<Consultation> {
    let mut consultation = access.consultation;
    consultation.my_invitee_id = access.invitee.as_ref().map(|i| i.id);
    consultation.invitees = if access.body.is_some() {
        state.db.list_invitees(consultation.id).await?
    } else {
        access
            .invitee
            .into_iter()
            .map(|mut own| {
                own.email = None;
                own
            })
            .collect()
    };
    Ok(consultation)
}

/// The plain text of a consultation's version, one line per block, for checking quotes.
///
/// # Errors
/// As [`version_blocks`].
pub async fn version_text(state: &AppState, consultation: &Consultation) -> Result<String> {
    let blocks = version_blocks(state, consultation).await?;
    Ok(blocks
        .iter()
        .map(versions::Block::text)
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The blocks of a consultation's version, read within the render bounds.
///
/// # Errors
/// [`AppError::NotFound`] when the version is gone; the render bounds' errors.
pub async fn version_blocks(
    state: &AppState,
    consultation: &Consultation,
) -> Result<Vec<versions::Block>> {
    let (_, bytes) = state
        .db
        .version_state(consultation.draft_id, consultation.version_id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_render_size(
        state,
        &format!("version {}", consultation.version_id),
        bytes.len(),
    )?;
    render_blocking(state, move || {
        versions::document_blocks(&bytes).map_err(version_error)
    })
    .await
}

pub fn version_error(error: versions::VersionError) -> AppError {
    match error {
        versions::VersionError::TooDeep => AppError::Invalid(validate::Invalid {
            field: "version",
            message: error.to_string(),
        }),
        other => AppError::Internal(other.into()),
    }
}
