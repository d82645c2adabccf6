//! Events of state changes and who hears of them (docs/DOMAIN.md §11).
//!
//! A change that others should hear of (a mention, a status change, a new or changed role
//! agreement, a dispute raised, resolved or withdrawn) is recorded by its audit action in the
//! same transaction as the change. [`Event::from_audit`] reads the event back from the action
//! and the audit subject; [`recipients`] decides, without IO, who is told: it only ever picks
//! people who may read the thing (members and observers of its body, administrators who
//! follow it) and the people of the body's informed parties where a rule says so, and never
//! the person who acted.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::domain::decision::Outcome;

crate::domain::stored_names! {
    /// The audit actions that are events.
    pub enum EventAction {
        /// A comment on a draft, which may mention people and parties.
        CommentCreate = "comment.create",
        /// A draft moved along its status flow.
        DraftTransition = "draft.transition",
        /// A role agreement was made.
        AgreementCreate = "role_agreement.create",
        /// A role agreement's title or description changed.
        AgreementUpdate = "role_agreement.update",
        /// A party's role in an agreement was set.
        AgreementSetRole = "role_agreement.set_role",
        /// A party left an agreement's matrix.
        AgreementRemoveParty = "role_agreement.remove_party",
        /// A party signed off; `niet_akkoord` opens a dispute in the same change.
        AgreementSignOff = "role_agreement.sign_off",
        /// A dispute was raised by a party.
        DisputeRaise = "dispute.raise",
        /// A dispute was raised by Polder for an overdue milestone.
        DisputeRaiseOverdue = "dispute.raise_overdue",
        /// A dispute was resolved.
        DisputeResolve = "dispute.resolve",
        /// A dispute was withdrawn.
        DisputeWithdraw = "dispute.withdraw",
        /// A milestone's status changed.
        MilestoneStatus = "milestone.status",
        /// A milestone's due day moved with the meeting it is relative to.
        MilestoneDueMoved = "milestone.due_moved",
        /// A meeting's pack was sent.
        MeetingSendPack = "meeting.send_pack",
        /// A meeting changed (members hear of it when its time or place moved).
        MeetingUpdate = "meeting.update",
        /// A meeting was cancelled.
        MeetingCancel = "meeting.cancel",
        /// An outcome was recorded on a decision request.
        DecisionRecord = "decision.record",
        /// A decision request was made (its deciding body hears of it when it has a meeting).
        DecisionRequestCreate = "decision_request.create",
        /// A party answered an endorsement round; a `niet_akkoord` that opened a dispute is
        /// heard of as that dispute being raised.
        EndorsementAnswer = "endorsement.answer",
        /// An open point was made (its owner hears of it).
        OpenPointCreate = "open_point.create",
        /// An open point changed (its owner hears of it when it was given to them).
        OpenPointUpdate = "open_point.update",
    }
}

crate::domain::stored_names! {
    /// What happened to a meeting that its body hears of.
    pub enum MeetingNews {
        /// The pack was sent.
        PackSent = "pack_sent",
        /// Its time, place or link changed.
        Moved = "moved",
        /// It was cancelled.
        Cancelled = "cancelled",
    }
}

/// What happened, as read from an audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A comment was posted on a draft (its mentions are looked up).
    Comment {
        /// The draft.
        draft: i64,
        /// The comment.
        comment: i64,
    },
    /// A draft's status changed.
    DraftStatus {
        /// The draft.
        draft: i64,
        /// The status it left.
        from: String,
        /// The status it has now.
        to: String,
    },
    /// A role agreement was made or changed.
    Agreement {
        /// The agreement.
        agreement: i64,
        /// Whether it is new.
        created: bool,
        /// The party whose row changed (it may have left the matrix).
        party: Option<i64>,
    },
    /// A dispute was raised, resolved or withdrawn.
    Dispute {
        /// The dispute.
        dispute: i64,
        /// What happened to it.
        change: DisputeChange,
    },
    /// A party signed `niet_akkoord`, which opened a dispute (found through the sign-off).
    NietAkkoord {
        /// The sign-off.
        sign_off: i64,
    },
    /// A milestone's status changed.
    MilestoneStatus {
        /// The milestone.
        milestone: i64,
        /// The status it left.
        from: String,
        /// The status it has now.
        to: String,
    },
    /// A milestone's due day moved with its meeting (moved, cancelled or newly scheduled).
    MilestoneDueMoved {
        /// The milestone.
        milestone: i64,
        /// The day it was due (`YYYY-MM-DD`), if it had one.
        from: Option<String>,
        /// The day it is due now, if any meeting fits.
        to: Option<String>,
    },
    /// A meeting's pack was sent, or the meeting moved or was cancelled.
    Meeting {
        /// The meeting.
        meeting: i64,
        /// What happened.
        news: MeetingNews,
        /// The pack sent.
        pack: Option<i64>,
    },
    /// An outcome was recorded on a decision request.
    Decision {
        /// The decision.
        decision: i64,
        /// The request it answers.
        request: i64,
        /// What was decided.
        outcome: Outcome,
        /// The follow-up milestones made with it.
        milestones: Vec<i64>,
    },
    /// A decision request was put to a meeting of its deciding body.
    DecisionRequest {
        /// The request.
        request: i64,
        /// The meeting.
        meeting: i64,
    },
    /// An open point (by id) was given an owner: made with one, accepted or handed over.
    OpenPointOwner(i64),
}

crate::domain::stored_names! {
    /// What happened to a dispute.
    pub enum DisputeChange {
        /// It was raised.
        Raised = "raised",
        /// It was resolved with a decision.
        Resolved = "resolved",
        /// The raising party withdrew it.
        Withdrawn = "withdrawn",
    }
}

fn id(subject: &Value, key: &str) -> Option<i64> {
    subject.get(key).and_then(Value::as_i64)
}

fn text(subject: &Value, key: &str) -> Option<String> {
    subject.get(key).and_then(Value::as_str).map(str::to_owned)
}

impl Event {
    /// The event an audit entry records, if its action is one and its subject names the thing.
    pub fn from_audit(action: &str, subject: &Value) -> Option<Event> {
        let agreement = |created| {
            Some(Event::Agreement {
                agreement: id(subject, "role_agreement")?,
                created,
                party: id(subject, "party"),
            })
        };
        let dispute = |change| {
            Some(Event::Dispute {
                dispute: id(subject, "dispute")?,
                change,
            })
        };
        match EventAction::parse(action)? {
            EventAction::CommentCreate => Some(Event::Comment {
                draft: id(subject, "draft")?,
                comment: id(subject, "comment")?,
            }),
            EventAction::DraftTransition => Some(Event::DraftStatus {
                draft: id(subject, "draft")?,
                from: text(subject, "from")?,
                to: text(subject, "to")?,
            }),
            EventAction::AgreementCreate => agreement(true),
            EventAction::AgreementUpdate
            | EventAction::AgreementSetRole
            | EventAction::AgreementRemoveParty => agreement(false),
            EventAction::DisputeRaise | EventAction::DisputeRaiseOverdue => {
                dispute(DisputeChange::Raised)
            }
            EventAction::AgreementSignOff => (text(subject, "state")? == "niet_akkoord")
                .then(|| id(subject, "sign_off"))
                .flatten()
                .map(|sign_off| Event::NietAkkoord { sign_off }),
            EventAction::EndorsementAnswer => (text(subject, "state")? == "niet_akkoord")
                .then(|| dispute(DisputeChange::Raised))
                .flatten(),
            EventAction::DisputeResolve => dispute(DisputeChange::Resolved),
            EventAction::DisputeWithdraw => dispute(DisputeChange::Withdrawn),
            EventAction::MilestoneStatus => Some(Event::MilestoneStatus {
                milestone: id(subject, "milestone")?,
                from: text(subject, "from")?,
                to: text(subject, "to")?,
            }),
            EventAction::MilestoneDueMoved => Some(Event::MilestoneDueMoved {
                milestone: id(subject, "milestone")?,
                from: text(subject, "from"),
                to: text(subject, "to"),
            }),
            EventAction::MeetingSendPack => Some(Event::Meeting {
                meeting: id(subject, "meeting")?,
                news: MeetingNews::PackSent,
                pack: Some(id(subject, "pack")?),
            }),
            EventAction::MeetingUpdate => (subject.get("moved").and_then(Value::as_bool)
                == Some(true))
            .then(|| id(subject, "meeting"))
            .flatten()
            .map(|meeting| Event::Meeting {
                meeting,
                news: MeetingNews::Moved,
                pack: None,
            }),
            EventAction::MeetingCancel => Some(Event::Meeting {
                meeting: id(subject, "meeting")?,
                news: MeetingNews::Cancelled,
                pack: None,
            }),
            EventAction::DecisionRecord => Some(Event::Decision {
                decision: id(subject, "decision")?,
                request: id(subject, "decision_request")?,
                outcome: Outcome::parse(&text(subject, "outcome")?)?,
                milestones: subject
                    .get("milestones")
                    .and_then(Value::as_array)
                    .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
                    .unwrap_or_default(),
            }),
            EventAction::DecisionRequestCreate => Some(Event::DecisionRequest {
                request: id(subject, "decision_request")?,
                meeting: id(subject, "meeting")?,
            }),
            EventAction::OpenPointCreate | EventAction::OpenPointUpdate => {
                super::open_points::owner_event(subject).map(Event::OpenPointOwner)
            }
        }
    }
}

/// The person an audit actor names (`person:12 (Anna de Vries)`), if it is a person.
pub fn actor_person(actor: &str) -> Option<i64> {
    let rest = actor.strip_prefix("person:")?;
    let digits: &str = rest.split([' ', '(']).next()?;
    digits.parse().ok()
}

/// One person who may read the body's things: a member or observer, with their party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    /// The person.
    pub person: i64,
    /// Their party.
    pub party: Option<i64>,
}

/// The people around one body, as storage found them.
#[derive(Debug, Clone, Default)]
pub struct Audience {
    /// Members and observers of the body.
    pub members: Vec<Reader>,
    /// The people of the parties that take part in the body as informed only.
    pub informed: Vec<Reader>,
    /// The followers of the thing who may still read it.
    pub followers: Vec<i64>,
}

/// Whom an event is for, before the rule picks the people.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets {
    /// People named directly (mentions); only those who may read the body are told.
    pub people: Vec<i64>,
    /// Parties (a collective already expanded to its members): their people in the body.
    pub parties: Vec<i64>,
    /// Every member and observer of the body.
    pub whole_body: bool,
    /// The people of the informed parties.
    pub informed: bool,
    /// The thing's followers.
    pub followers: bool,
}

impl Targets {
    /// Who hears of an event of this kind (given what storage found about the thing).
    pub fn for_status_change_of_draft() -> Self {
        Targets {
            whole_body: true,
            informed: true,
            followers: true,
            ..Targets::default()
        }
    }

    /// The parties involved in a role agreement or a dispute.
    pub fn parties(parties: impl IntoIterator<Item = i64>) -> Self {
        Targets {
            parties: parties.into_iter().collect(),
            ..Targets::default()
        }
    }

    /// Every member and observer of a meeting's body and the people of its informed parties.
    pub fn for_meeting() -> Self {
        Targets {
            whole_body: true,
            informed: true,
            ..Targets::default()
        }
    }

    /// Every member and observer of a body (a decision's deciding and requesting bodies, the
    /// deciding body of a new request), without its informed parties.
    pub fn members_and_observers() -> Self {
        Targets {
            whole_body: true,
            ..Targets::default()
        }
    }

    /// The followers of a milestone and the people of its owner parties.
    pub fn for_status_change_of_milestone(owners: impl IntoIterator<Item = i64>) -> Self {
        Targets {
            parties: owners.into_iter().collect(),
            followers: true,
            ..Targets::default()
        }
    }
}

/// The people an event reaches: sorted, each once, never `actor`.
pub fn recipients(targets: &Targets, audience: &Audience, actor: Option<i64>) -> Vec<i64> {
    let mut out = BTreeSet::new();
    let is_member = |person: i64| audience.members.iter().any(|m| m.person == person);
    for person in &targets.people {
        if is_member(*person) {
            out.insert(*person);
        }
    }
    for member in &audience.members {
        let of_party = member.party.is_some_and(|p| targets.parties.contains(&p));
        if targets.whole_body || of_party {
            out.insert(member.person);
        }
    }
    if targets.informed {
        out.extend(audience.informed.iter().map(|r| r.person));
    }
    if targets.followers {
        out.extend(audience.followers.iter().copied());
    }
    if let Some(actor) = actor {
        out.remove(&actor);
    }
    out.into_iter().collect()
}

/// The people an event that concerns several bodies reaches: for each body, its rule's
/// [`recipients`] among that body's own audience; the union, sorted, each person once, never
/// `actor`.
pub fn recipients_across(parts: &[(Targets, Audience)], actor: Option<i64>) -> Vec<i64> {
    let mut out = BTreeSet::new();
    for (targets, audience) in parts {
        out.extend(recipients(targets, audience, actor));
    }
    out.into_iter().collect()
}

#[cfg(test)]
#[path = "decision_events_tests.rs"]
mod decision_events_tests;

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
