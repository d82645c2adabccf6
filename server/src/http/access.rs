//! What the caller may do in a body, and the loaders that find a thing's body first.
//!
//! One [`BodyAccess`] answers every question the routes ask about a body: may the caller read
//! it, steer it (chair or secretariat, with a credential that may write), write in it (every
//! member but observers), sign off for a party. It is read in one query (the body, the
//! caller's membership, their party and mandate) by [`body`]; [`draft`], [`dispute`],
//! [`role_agreement`], [`milestone`] and [`action_line`] first load the thing, then its body.
//!
//! Outsiders (neither a member nor an administrator) get [`AppError::NotFound`], also when
//! the thing does not exist, so they cannot tell what exists; members who may not do
//! something get [`AppError::Forbidden`], with a reason where one helps them.

use polder_shared::DocId;

use crate::domain::draft_status::DraftStatus;
use crate::domain::roles::BodyRole;
use crate::error::{AppError, Result};
use crate::http::extract::Caller;
use crate::state::AppState;
use crate::storage::drafts::Draft;
use crate::storage::escalation::disputes::Dispute;
use crate::storage::governance::action_lines::ActionLine;
use crate::storage::governance::milestones::Milestone;
use crate::storage::governance::role_agreements::RoleAgreement;
use crate::storage::meetings::Meeting;

/// How the caller stands in one body they may read.
#[derive(Debug, Clone)]
pub struct BodyAccess {
    /// The body.
    pub body_id: i64,
    /// The caller's role in it (`None` for an administrator who is not a member).
    pub role: Option<BodyRole>,
    /// Whether the caller administers the instance.
    pub is_admin: bool,
    /// Whether the caller holds their party's mandate in this body.
    pub holds_mandate: bool,
    /// The caller's party in this body, when they are a member who belongs to one.
    party: Option<String>,
    /// The person, `None` for service tokens.
    person: Option<i64>,
    /// Whether the credential only allows reading.
    read_only: bool,
}

impl BodyAccess {
    /// The caller's role; a loaded access already means they may read the body.
    pub fn read(&self) -> Option<BodyRole> {
        self.role
    }

    /// Fails unless the caller may change content (members, chair, secretariat) with a
    /// credential that may write.
    ///
    /// # Errors
    /// [`AppError::Forbidden`].
    pub fn write(&self) -> Result<BodyRole> {
        self.write_scope()?;
        match self.role {
            Some(role) if role.can_write() => Ok(role),
            _ => Err(AppError::Forbidden(None)),
        }
    }

    /// Fails unless the caller is on the body's programme team (chair or secretariat) with a
    /// credential that may write.
    ///
    /// # Errors
    /// [`AppError::Forbidden`].
    pub fn steer(&self) -> Result<BodyRole> {
        self.write_scope()?;
        match self.role {
            Some(role) if role.can_steer() => Ok(role),
            _ => Err(AppError::Forbidden(None)),
        }
    }

    /// Whether the caller steers the body or administers the instance (the ladder, webhooks).
    pub fn administers(&self) -> bool {
        self.is_admin || self.role.is_some_and(BodyRole::can_steer)
    }

    /// The code of the party the caller signs off for in this body: only a member who is not
    /// an observer and holds their party's mandate signs, with a credential that may write.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] saying what is missing.
    pub fn sign_for(&self) -> Result<&str> {
        self.write_scope()?;
        if self.person.is_none() {
            return Err(AppError::Forbidden(None));
        }
        let Some(role) = self.role.filter(|_| self.holds_mandate) else {
            return Err(AppError::refused(
                "only a person holding their party's mandate in this body signs off for the party; ask your party's mandate holder",
            ));
        };
        if !role.can_write() {
            return Err(AppError::refused(
                "observers do not sign off, even with a mandate; a member of your party holding its mandate signs",
            ));
        }
        self.party.as_deref().ok_or_else(|| {
            AppError::refused("you do not belong to a party, so you cannot sign off for one")
        })
    }

    fn write_scope(&self) -> Result<()> {
        if self.read_only {
            Err(AppError::Forbidden(None))
        } else {
            Ok(())
        }
    }
}

/// Loads the caller's standing in a body they may read.
///
/// # Errors
/// [`AppError::NotFound`] when the body does not exist or the caller is neither a member nor
/// an administrator.
pub async fn body(state: &AppState, caller: &Caller, body_id: i64) -> Result<BodyAccess> {
    let person = caller.identity.user_id;
    let standing = state
        .db
        .standing(body_id, person)
        .await?
        .ok_or(AppError::NotFound)?;
    if standing.role.is_none() && !caller.identity.is_admin {
        return Err(AppError::NotFound);
    }
    Ok(BodyAccess {
        body_id,
        role: standing.role,
        is_admin: caller.identity.is_admin,
        holds_mandate: standing.holds_mandate,
        party: standing.party,
        person,
        read_only: caller.identity.read_only,
    })
}

/// A draft and the caller's standing in its body.
pub struct DraftAccess {
    /// The draft.
    pub draft: Draft,
    /// The caller in its body.
    pub body: BodyAccess,
}

impl DraftAccess {
    /// The draft's document id.
    ///
    /// # Errors
    /// Only if the stored id is corrupt.
    pub fn doc_id(&self) -> Result<DocId> {
        DocId::parse(&self.draft.doc_id).map_err(|e| AppError::Internal(e.into()))
    }

    /// Whether the draft accepts new versions or comments: everything but withdrawn drafts.
    pub fn is_open(&self) -> bool {
        self.draft.status != DraftStatus::Ingetrokken
    }
}

/// Loads a draft the caller may read.
///
/// # Errors
/// [`AppError::NotFound`] for a missing draft or an outsider.
pub async fn draft(state: &AppState, caller: &Caller, draft_id: i64) -> Result<DraftAccess> {
    let found = state.db.find_draft(draft_id).await?;
    let (draft, body) = in_its_body(state, caller, found, |d| d.body_id).await?;
    Ok(DraftAccess { draft, body })
}

/// Loads a role agreement the caller may read, with their standing in its body.
///
/// # Errors
/// [`AppError::NotFound`] for a missing agreement or an outsider.
pub async fn role_agreement(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<(RoleAgreement, BodyAccess)> {
    let agreement = state.db.find_role_agreement(id).await?;
    in_its_body(state, caller, agreement, |a| a.body_id).await
}

/// Loads a milestone the caller may read, with their standing in its body.
///
/// # Errors
/// [`AppError::NotFound`] for a missing milestone or an outsider.
pub async fn milestone(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<(Milestone, BodyAccess)> {
    let milestone = state.db.find_milestone(id).await?;
    in_its_body(state, caller, milestone, |m| m.body_id).await
}

/// Loads an action line the caller may read, with their standing in its body.
///
/// # Errors
/// [`AppError::NotFound`] for a missing line or an outsider.
pub async fn action_line(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<(ActionLine, BodyAccess)> {
    let line = state.db.find_action_line(id).await?;
    in_its_body(state, caller, line, |l| l.body_id).await
}

/// Loads a meeting the caller may read, with their standing in its body.
///
/// # Errors
/// [`AppError::NotFound`] for a missing meeting or an outsider.
pub async fn meeting(state: &AppState, caller: &Caller, id: i64) -> Result<(Meeting, BodyAccess)> {
    let meeting = state.db.find_meeting(id).await?;
    in_its_body(state, caller, meeting, |m| m.body_id).await
}

/// A thing that was looked up, with the caller's standing in the body it belongs to.
///
/// # Errors
/// [`AppError::NotFound`] when it is missing or the caller is an outsider of its body.
async fn in_its_body<T>(
    state: &AppState,
    caller: &Caller,
    found: Option<T>,
    body_of: impl Fn(&T) -> i64,
) -> Result<(T, BodyAccess)> {
    let thing = found.ok_or(AppError::NotFound)?;
    let access = body(state, caller, body_of(&thing)).await?;
    Ok((thing, access))
}

/// How the caller stands towards a dispute: in its working group and on its ladder.
pub struct DisputeAccess {
    /// The dispute.
    pub dispute: Dispute,
    /// Role in the dispute's working group.
    pub role: Option<BodyRole>,
    /// Whether the caller holds their party's mandate in the working group.
    pub holds_mandate: bool,
    /// Role in the forum body at the current level.
    pub forum_role: Option<BodyRole>,
    /// Whether the caller belongs to a forum body the dispute has reached.
    pub reached_forum: bool,
}

impl DisputeAccess {
    /// May escalate and resolve.
    pub fn can_steer(&self) -> bool {
        self.role.is_some_and(BodyRole::can_steer)
            || self.forum_role.is_some_and(BodyRole::can_steer)
    }

    /// May write in the working group (not an observer).
    pub fn is_representative(&self) -> bool {
        self.role.is_some_and(BodyRole::can_write)
    }
}

/// Loads a dispute the caller may see: members of its working group, of a forum body it has
/// reached, and administrators.
///
/// # Errors
/// [`AppError::NotFound`] when it does not exist or the caller may not see it.
pub async fn dispute(state: &AppState, caller: &Caller, id: i64) -> Result<DisputeAccess> {
    let dispute = state.db.find_dispute(id).await?.ok_or(AppError::NotFound)?;
    let mut role = None;
    let mut holds_mandate = false;
    let mut forum_role = None;
    let mut reached_forum = false;
    if let Some(user) = caller.identity.user_id {
        if let Some(standing) = state.db.standing(dispute.body_id, Some(user)).await? {
            role = standing.role;
            holds_mandate = standing.holds_mandate;
        }
        for level in state.db.ladder(dispute.body_id).await? {
            if level.level == 0 || level.level > dispute.level {
                continue;
            }
            let Some(forum) = level.forum_body_id else {
                continue;
            };
            if let Some(m) = state.db.membership(forum, user).await? {
                reached_forum = true;
                if level.level == dispute.level {
                    forum_role = Some(m.role);
                }
            }
        }
    }
    if role.is_none() && !reached_forum && !caller.identity.is_admin {
        return Err(AppError::NotFound);
    }
    Ok(DisputeAccess {
        dispute,
        role,
        holds_mandate,
        forum_role,
        reached_forum,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(role: Option<BodyRole>, holds_mandate: bool, party: Option<&str>) -> BodyAccess {
        BodyAccess {
            body_id: 1,
            role,
            is_admin: false,
            holds_mandate,
            party: party.map(str::to_owned),
            person: Some(7),
            read_only: false,
        }
    }

    fn reason(error: AppError) -> Option<String> {
        match error {
            AppError::Forbidden(reason) => reason,
            other => panic!("expected a 403, got {other:?}"),
        }
    }

    #[test]
    fn chair_and_secretariat_steer_with_a_credential_that_may_write() {
        for role in [BodyRole::Chair, BodyRole::Secretariat] {
            assert_eq!(standing(Some(role), false, None).steer().ok(), Some(role));
            let mut read_only = standing(Some(role), false, None);
            read_only.read_only = true;
            assert!(read_only.steer().is_err());
            assert!(read_only.write().is_err());
        }
        for role in [Some(BodyRole::Member), Some(BodyRole::Observer), None] {
            assert_eq!(
                reason(standing(role, false, None).steer().unwrap_err()),
                None
            );
        }
    }

    #[test]
    fn everyone_but_observers_writes_and_administrators_manage() {
        assert!(standing(Some(BodyRole::Member), false, None)
            .write()
            .is_ok());
        assert!(standing(Some(BodyRole::Observer), false, None)
            .write()
            .is_err());
        assert!(standing(None, false, None).write().is_err());
        let mut admin = standing(None, false, None);
        assert!(!admin.administers());
        admin.is_admin = true;
        assert!(admin.administers());
        assert!(standing(Some(BodyRole::Chair), false, None).administers());
    }

    #[test]
    fn only_a_mandate_holder_who_writes_signs_for_their_party_and_is_told_why_not() {
        let signer = standing(Some(BodyRole::Member), true, Some("ZIN"));
        assert_eq!(signer.sign_for().ok(), Some("ZIN"));
        let without_mandate = reason(
            standing(Some(BodyRole::Member), false, Some("ZIN"))
                .sign_for()
                .unwrap_err(),
        );
        assert!(without_mandate.is_some_and(|r| r.contains("mandate holder")));
        let observer = reason(
            standing(Some(BodyRole::Observer), true, Some("ZIN"))
                .sign_for()
                .unwrap_err(),
        );
        assert!(observer.is_some_and(|r| r.starts_with("observers do not sign off")));
        let no_party = reason(
            standing(Some(BodyRole::Member), true, None)
                .sign_for()
                .unwrap_err(),
        );
        assert!(no_party.is_some_and(|r| r.contains("do not belong to a party")));
        let mut service = standing(Some(BodyRole::Member), true, Some("ZIN"));
        service.person = None;
        assert_eq!(reason(service.sign_for().unwrap_err()), None);
    }

    #[test]
    fn a_reason_becomes_the_message_of_the_403() {
        assert_eq!(
            AppError::refused("ask the chair").to_string(),
            "ask the chair"
        );
        assert_eq!(
            AppError::Forbidden(None).to_string(),
            "you do not have access to this"
        );
        assert_eq!(
            AppError::refused("x").status_code(),
            axum::http::StatusCode::FORBIDDEN
        );
    }
}
