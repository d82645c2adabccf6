//! Invited organisations and their contacts. A contact who already has a (non-guest) account
//! is invited as themselves; anyone else gets a guest account (`users.is_guest = 1`, no
//! party, no membership) that reaches only the consultations it was invited to. A guest's
//! sign-in link secret is stored only as its SHA-256 hash, with an expiry.

use serde::Serialize;
use sqlx::Row;

use super::{Consultation, ConsultationError};
use crate::storage::audit::{append_in, Actor};
use crate::storage::sql::is_unique_violation;
use crate::storage::{now_ms, SqlStorage, StorageError};

/// The password hash of a guest account that signs in only through its link: not a PHC
/// string, so no password ever verifies against it.
pub const NO_PASSWORD: &str = "!guest-signs-in-by-link";

/// An invited organisation's contact, as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Invitee {
    /// Database id.
    pub id: i64,
    /// The organisation.
    pub organisation: String,
    /// Its party code, when it is a registered party.
    pub party: Option<String>,
    /// The contact's name.
    pub name: String,
    /// The contact's e-mail address (body readers only).
    pub email: Option<String>,
    /// Whether the contact has a guest account.
    pub is_guest: bool,
    /// Unix ms.
    pub invited_at: i64,
    /// Unix ms of the organisation's current response, if any.
    pub responded_at: Option<i64>,
    /// The contact's account.
    #[serde(skip)]
    pub user_id: i64,
}

/// A guest's sign-in link, as stored: the hash of its secret and when it expires.
pub struct GuestLink<'a> {
    /// Hex SHA-256 of the secret.
    pub hash: &'a str,
    /// Unix ms.
    pub expires_at: i64,
}

/// A contact to invite.
pub struct NewInvitee<'a> {
    /// The registered party, if any.
    pub party_id: Option<i64>,
    /// The organisation's name.
    pub organisation: &'a str,
    /// E-mail address.
    pub email: &'a str,
    /// Name.
    pub name: &'a str,
    /// Password hash of a new guest account ([`NO_PASSWORD`] outside the demo).
    pub guest_password_hash: &'a str,
    /// The sign-in link for a guest (ignored for a contact with an account of their own).
    pub link: Option<GuestLink<'a>>,
    /// Who invites.
    pub by: i64,
}

/// The result of an invitation.
pub struct Invitation {
    /// The invitee.
    pub invitee: Invitee,
    /// Whether the sign-in link was stored (a guest got one).
    pub link_stored: bool,
}

const SELECT: &str = "SELECT i.id, i.organisation, p.code AS party, u.name, u.email, u.is_guest, \
     i.invited_at, i.user_id, \
     (SELECT MAX(r.submitted_at) FROM consultation_responses r WHERE r.invitee_id = i.id \
      AND r.superseded_at IS NULL) AS responded_at \
     FROM consultation_invitees i JOIN users u ON u.id = i.user_id \
     LEFT JOIN parties p ON p.id = i.party_id";

fn from_row(row: &sqlx::any::AnyRow) -> Result<Invitee, StorageError> {
    Ok(Invitee {
        id: row.try_get("id")?,
        organisation: row.try_get("organisation")?,
        party: row.try_get("party")?,
        name: row.try_get("name")?,
        email: Some(row.try_get("email")?),
        is_guest: row.try_get::<i64, _>("is_guest")? != 0,
        invited_at: row.try_get("invited_at")?,
        responded_at: row.try_get("responded_at")?,
        user_id: row.try_get("user_id")?,
    })
}

impl SqlStorage {
    /// Invites a contact: as themselves when they have an account that is not a guest's,
    /// otherwise through a guest account (made, or reused with a new link). One transaction
    /// with the `consultation.invite` audit entry, which never holds the link's secret.
    ///
    /// # Errors
    /// [`ConsultationError::Conflict`] when the contact is already invited; storage errors.
    pub async fn invite(
        &self,
        consultation: &Consultation,
        new: &NewInvitee<'_>,
        actor: &Actor,
    ) -> Result<Invitation, ConsultationError> {
        let now = now_ms();
        let email = new.email.to_lowercase();
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query("SELECT id, is_guest FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
        let (user_id, is_guest) = match existing {
            Some(row) => (
                row.try_get::<i64, _>("id")?,
                row.try_get::<i64, _>("is_guest")? != 0,
            ),
            None => {
                let row = sqlx::query(
                    "INSERT INTO users (email, name, password_hash, is_admin, is_guest, created_at) \
                     VALUES ($1, $2, $3, 0, 1, $4) RETURNING id",
                )
                .bind(&email)
                .bind(new.name)
                .bind(new.guest_password_hash)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                (row.try_get("id")?, true)
            }
        };
        let link = new.link.as_ref().filter(|_| is_guest);
        let inserted = sqlx::query(
            "INSERT INTO consultation_invitees (consultation_id, party_id, organisation, user_id, \
             link_hash, link_expires_at, invited_by, invited_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(consultation.id)
        .bind(new.party_id)
        .bind(new.organisation)
        .bind(user_id)
        .bind(link.map(|l| l.hash))
        .bind(link.map(|l| l.expires_at))
        .bind(new.by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await;
        let id: i64 = match inserted {
            Ok(row) => row.try_get("id")?,
            Err(err) if is_unique_violation(&err) => {
                return Err(ConsultationError::Conflict(format!(
                    "{email} is already invited to this consultation"
                )))
            }
            Err(err) => return Err(err.into()),
        };
        let subject = serde_json::json!({
            "consultation": consultation.id, "invitee": id, "user": user_id, "guest": is_guest,
            "organisation": new.organisation,
        });
        append_in(
            &mut tx,
            self.backend(),
            actor,
            "consultation.invite",
            &subject,
        )
        .await?;
        let row = sqlx::query(&format!("{SELECT} WHERE i.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let invitee = from_row(&row)?;
        tx.commit().await?;
        Ok(Invitation {
            invitee,
            link_stored: link.is_some(),
        })
    }

    /// Removes an invitation (the contact loses access at once), with the
    /// `consultation.uninvite` audit entry; `false` when there was none.
    ///
    /// # Errors
    /// [`ConsultationError::Conflict`] when the organisation responded through this contact
    /// (the response stays part of the round); storage errors.
    pub async fn uninvite(
        &self,
        consultation_id: i64,
        invitee_id: i64,
        actor: &Actor,
    ) -> Result<bool, ConsultationError> {
        let mut tx = self.begin_write().await?;
        let responded =
            sqlx::query("SELECT COUNT(*) AS n FROM consultation_responses WHERE invitee_id = $1")
                .bind(invitee_id)
                .fetch_one(&mut *tx)
                .await?
                .try_get::<i64, _>("n")?;
        if responded > 0 {
            return Err(ConsultationError::Conflict(
                "this contact responded; the response stays part of the round, so the \
                 invitation cannot be removed"
                    .into(),
            ));
        }
        let deleted =
            sqlx::query("DELETE FROM consultation_invitees WHERE id = $1 AND consultation_id = $2")
                .bind(invitee_id)
                .bind(consultation_id)
                .execute(&mut *tx)
                .await?;
        if deleted.rows_affected() == 0 {
            return Ok(false);
        }
        let subject = serde_json::json!({ "consultation": consultation_id, "invitee": invitee_id });
        append_in(
            &mut tx,
            self.backend(),
            actor,
            "consultation.uninvite",
            &subject,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A consultation's invitees, in order of invitation.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_invitees(&self, consultation_id: i64) -> Result<Vec<Invitee>, StorageError> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE i.consultation_id = $1 ORDER BY i.id"
        ))
        .bind(consultation_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// The invitation of `user` to a consultation, if any.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn invitee_for(
        &self,
        consultation_id: i64,
        user: i64,
    ) -> Result<Option<Invitee>, StorageError> {
        let row = sqlx::query(&format!(
            "{SELECT} WHERE i.consultation_id = $1 AND i.user_id = $2"
        ))
        .bind(consultation_id)
        .bind(user)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The guest and consultation a sign-in link's secret hash belongs to, while the link
    /// has not expired at `now`.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn guest_link(
        &self,
        hash: &str,
        now: i64,
    ) -> Result<Option<(i64, i64)>, StorageError> {
        let row = sqlx::query(
            "SELECT i.user_id, i.consultation_id FROM consultation_invitees i \
             JOIN users u ON u.id = i.user_id \
             WHERE i.link_hash = $1 AND i.link_expires_at > $2 AND u.is_guest = 1",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok((r.try_get("user_id")?, r.try_get("consultation_id")?)))
            .transpose()
    }

    /// A registered party by its code: its id, name and whether it takes part in `body` as
    /// a member.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn party_for_invitation(
        &self,
        code: &str,
        body: i64,
    ) -> Result<Option<(i64, String, bool)>, StorageError> {
        let row = sqlx::query(
            "SELECT p.id, p.name, (SELECT COUNT(*) FROM body_parties b WHERE b.party_id = p.id \
             AND b.body_id = $2 AND b.participation = 'member') AS member \
             FROM parties p WHERE UPPER(p.code) = UPPER($1)",
        )
        .bind(code)
        .bind(body)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("name")?,
                r.try_get::<i64, _>("member")? > 0,
            ))
        })
        .transpose()
    }
}
