//! Consultation rounds, their invitees and responses, and the guests' view
//! (docs/DOMAIN.md §16).
//!
//! - [`manage`]: a draft's consultations, creating one, inviting and uninviting, the summary
//!   draft (the chair and the secretariat);
//! - [`links`]: renewing a guest's sign-in link;
//! - [`read`]: one consultation and its version, for body readers and invitees; the version
//!   route is the only way a guest reads content;
//! - [`responses`]: the organisations' responses (multipart, with a bounded attachment) and
//!   the attachment download;
//! - [`report`]: the round's report as PDF and DOCX;
//! - [`withdraw`]: withdrawing a consultation (the chair and the secretariat).
//!
//! A guest's sign-in link ([`NewLink`], [`send_link`]) is shown once to the inviter and
//! e-mailed straight to the guest through the configured SMTP server; it is never stored
//! (only its hash), queued, audited or logged.
//!
//! Who may see a consultation: the readers of its body and its invitees (guest or not);
//! anyone else gets 404. A guest reaches only these routes at all (see
//! [`crate::auth::guest`]).

pub mod links;
pub mod manage;
pub mod read;
pub mod report;
pub mod responses;
pub mod withdraw;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::secret;
use crate::domain::consultation::{LINK_DAYS_AFTER_CLOSING, MAX_ATTACHMENT_BYTES};
use crate::domain::dutch_time;
use crate::domain::validate;
use crate::error::{AppError, Result};
use crate::http::access::{self, BodyAccess};
use crate::http::extract::Caller;
use crate::http::render::{check_render_size, render_blocking};
use crate::notify::guest_link::{render_guest_link, GuestLinkEmail};
use crate::state::AppState;
use crate::storage::consent::consultations::{Consultation, GuestLink, Invitee};
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
        .routes(routes!(links::renew_link))
        .routes(routes!(manage::create_summary))
        .routes(routes!(read::show_consultation))
        .routes(routes!(read::consultation_version))
        .routes(routes!(responses::attachment))
        .routes(routes!(report::report_pdf))
        .routes(routes!(report::report_docx))
        .routes(routes!(withdraw::withdraw_consultation))
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

/// How long sending the link may hold up the request; after it the inviter is told to send
/// the link themselves.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// A new sign-in secret and its hash.
pub(crate) struct NewLink {
    /// The secret, for the link only.
    pub secret: String,
    /// Its hash, the only form stored.
    pub hash: String,
    /// Unix ms: 30 days after the closing date.
    pub expires_at: i64,
}

impl NewLink {
    pub(crate) fn new(consultation: &Consultation) -> Self {
        let secret = secret::new_session_id();
        let hash = secret::hash(&secret);
        let expires = consultation.closes() + chrono::Days::new(LINK_DAYS_AFTER_CLOSING as u64 + 1);
        let expires_at = dutch_time::at_local_hour(expires, 0).timestamp_millis();
        Self {
            secret,
            hash,
            expires_at,
        }
    }

    pub(crate) fn stored(&self) -> GuestLink<'_> {
        GuestLink {
            hash: &self.hash,
            expires_at: self.expires_at,
        }
    }

    /// The link as shown to the inviter, relative to the web app.
    pub(crate) fn path(&self) -> String {
        format!("/gast/{}", self.secret)
    }
}

/// E-mails a guest their sign-in link; whether it went out. Without SMTP or a public URL, or
/// when sending fails, a warning without the secret is logged and the inviter passes the
/// link on.
pub(crate) async fn send_link(
    state: &AppState,
    consultation: &Consultation,
    invitee: &Invitee,
    link: &NewLink,
    renewed: bool,
) -> bool {
    let Some(mail) = &state.direct_mail else {
        tracing::warn!(
            consultation = consultation.id,
            invitee = invitee.id,
            "no SMTP server or public URL configured: the guest's sign-in link was not e-mailed"
        );
        return false;
    };
    let Some(address) = invitee.email.as_deref() else {
        return false;
    };
    let url = format!("{}{}", mail.public_url, link.path());
    let email = render_guest_link(&GuestLinkEmail {
        name: &invitee.name,
        organisation: &invitee.organisation,
        title: &consultation.title,
        body_name: &consultation.body_name,
        question: &consultation.question,
        opens_on: consultation.opens(),
        closes_on: consultation.closes(),
        link: &url,
        renewed,
    });
    match tokio::time::timeout(SEND_TIMEOUT, mail.mailer.send(address, &email)).await {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            tracing::warn!(
                consultation = consultation.id,
                invitee = invitee.id,
                %error,
                "the guest's sign-in link could not be e-mailed"
            );
            false
        }
        Err(_) => {
            tracing::warn!(
                consultation = consultation.id,
                invitee = invitee.id,
                "e-mailing the guest's sign-in link timed out"
            );
            false
        }
    }
}
