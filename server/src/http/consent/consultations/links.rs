//! A guest's sign-in link: made with its invitation or renewed, shown once to the inviter and
//! e-mailed straight to the guest through the configured SMTP server. The link is never
//! stored (only its hash), queued, audited or logged.

use std::time::Duration;

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::load;
use crate::auth::secret;
use crate::domain::consultation::LINK_DAYS_AFTER_CLOSING;
use crate::domain::dutch_time;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::extract::{audit_actor, AppPath, Caller};
use crate::notify::guest_link::{render_guest_link, GuestLinkEmail};
use crate::state::AppState;
use crate::storage::consent::consultations::{Consultation, GuestLink, Invitee};
use crate::storage::now_ms;

/// How long sending the link may hold up the request; after it the inviter is told to send
/// the link themselves.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// A new sign-in secret and its hash.
pub(super) struct NewLink {
    /// The secret, for the link only.
    pub secret: String,
    /// Its hash, the only form stored.
    pub hash: String,
    /// Unix ms: 30 days after the closing date.
    pub expires_at: i64,
}

impl NewLink {
    pub(super) fn new(consultation: &Consultation) -> Self {
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

    pub(super) fn stored(&self) -> GuestLink<'_> {
        GuestLink {
            hash: &self.hash,
            expires_at: self.expires_at,
        }
    }

    /// The link as shown to the inviter, relative to the web app.
    pub(super) fn path(&self) -> String {
        format!("/gast/{}", self.secret)
    }
}

/// E-mails a guest their sign-in link; whether it went out. Without SMTP or a public URL, or
/// when sending fails, a warning without the secret is logged and the inviter passes the
/// link on.
pub(super) async fn send(
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

/// A guest's new sign-in link (shown only this once).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct LinkAnswer {
    invitee: Invitee,
    /// `/gast/{secret}`; the previous link no longer works.
    link: String,
    /// Whether the link was e-mailed to the guest; if not, pass it on yourself.
    emailed: bool,
}

#[utoipa::path(
    post,
    path = "/api/consultations/{id}/invitees/{invitee_id}/link",
    tag = "consultations",
    summary = "Give a guest a new sign-in link, e-mailed and shown once; the old one stops working (chair, secretariat)",
    params(("id" = i64, Path, description = "id"), ("invitee_id" = i64, Path, description = "invitee id")),
    responses((status = 200, body = LinkAnswer), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "the contact has an account of their own, or the consultation is over", body = ApiErrorBody))
)]
pub(super) async fn renew_link(
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, invitee_id)): AppPath<(i64, i64)>,
) -> Result<Json<LinkAnswer>> {
    let access = load(&state, &caller, id).await?;
    access.reader()?.steer()?;
    let consultation = &access.consultation;
    if consultation.status == crate::domain::consultation::Status::Ingetrokken {
        return Err(AppError::Conflict(
            "the consultation was withdrawn; a new link would lead nowhere".into(),
        ));
    }
    let link = NewLink::new(consultation);
    if link.expires_at <= now_ms() {
        return Err(AppError::Conflict(format!(
            "the consultation closed more than {LINK_DAYS_AFTER_CLOSING} days ago; guests can no \
             longer sign in"
        )));
    }
    let invitee = state
        .db
        .renew_guest_link(id, invitee_id, &link.stored(), &audit_actor(&caller))
        .await?
        .ok_or(AppError::NotFound)?;
    let emailed = send(&state, consultation, &invitee, &link, true).await;
    Ok(Json(LinkAnswer {
        invitee,
        link: link.path(),
        emailed,
    }))
}
