//! A dispute and its dossier as plain records: what storage loads, the API shows and the
//! dossier writers in [`crate::versions::dossier`] turn into a document (docs/DOMAIN.md on
//! disputes and the escalation ladder). No IO.

use serde::Serialize;

use crate::domain::escalation::{DisputeEventKind, DisputeStatus, LadderLevel};

/// A dispute as lists and the API show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Dispute {
    /// Database id.
    pub id: i64,
    /// The working group whose ladder it is on.
    pub body_id: i64,
    /// `draft_passage`, `role_agreement` or `milestone`.
    pub subject_kind: String,
    /// The subject's id.
    pub subject_id: i64,
    /// The quoted passage, for a dispute on a draft passage.
    pub passage: Option<String>,
    /// Short title.
    pub title: String,
    /// What the difference is about.
    pub description: String,
    /// Code of the raising party.
    pub raised_by_party: String,
    /// The raising party's id.
    pub raised_by_party_id: i64,
    /// The person who raised it (none when Polder did, for an overdue milestone).
    pub raised_by_person: Option<i64>,
    /// Where it is.
    pub status: DisputeStatus,
    /// Current ladder level (0 = the working group).
    pub level: i64,
    /// Unix ms when it reached this level.
    pub level_since: i64,
    /// Last day (YYYY-MM-DD) to respond at this level; escalated automatically after it.
    pub respond_by: String,
    /// The decision, once resolved.
    pub decision: Option<String>,
    /// Unix ms when resolved or withdrawn.
    pub closed_at: Option<i64>,
    /// Set when Polder opened it by itself (e.g. `milestone-overdue:12`).
    pub origin_key: Option<String>,
    /// The involved parties.
    pub parties: Vec<DisputeParty>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
}

/// A party involved in a dispute.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DisputeParty {
    /// Party id.
    pub party_id: i64,
    /// Party code.
    pub code: String,
    /// Whether it stated a position at the dispute's current level.
    pub has_position: bool,
}

/// A dispute with its whole record.
#[derive(Debug, Clone, Serialize)]
pub struct Dossier {
    /// The dispute.
    pub dispute: Dispute,
    /// The body's name.
    pub body_name: String,
    /// Its ladder.
    pub ladder: Vec<LadderLevel>,
    /// Every position ever stated, oldest first.
    pub positions: Vec<Position>,
    /// Options, oldest first.
    pub options: Vec<DisputeOption>,
    /// Comments, oldest first.
    pub comments: Vec<DisputeComment>,
    /// History, oldest first.
    pub events: Vec<DisputeEvent>,
}

/// A party's position at a level.
#[derive(Debug, Clone, Serialize)]
pub struct Position {
    /// Database id.
    pub id: i64,
    /// Party code.
    pub party: String,
    /// Level it was stated at.
    pub level: i64,
    /// The text.
    pub body: String,
    /// Who stated it.
    pub stated_by: Option<String>,
    /// Whether that person held the party's mandate.
    pub with_mandate: bool,
    /// Unix ms.
    pub stated_at: i64,
}

/// A proposed way out.
#[derive(Debug, Clone, Serialize)]
pub struct DisputeOption {
    /// Database id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Explanation.
    pub description: String,
    /// Proposing party's code.
    pub party: Option<String>,
    /// Proposer's name.
    pub proposed_by: Option<String>,
    /// Unix ms.
    pub created_at: i64,
}

/// A comment.
#[derive(Debug, Clone, Serialize)]
pub struct DisputeComment {
    /// Database id.
    pub id: i64,
    /// Author's name.
    pub author: Option<String>,
    /// Author's party.
    pub party: Option<String>,
    /// Text.
    pub body: String,
    /// Unix ms.
    pub created_at: i64,
}

/// One step in the history.
#[derive(Debug, Clone, Serialize)]
pub struct DisputeEvent {
    /// What happened.
    pub kind: DisputeEventKind,
    /// Level at (or reached by) the step.
    pub level: i64,
    /// Who (a name, or "Polder" for automatic steps).
    pub actor: String,
    /// Note, decision or title.
    pub note: Option<String>,
    /// Unix ms.
    pub at: i64,
}
