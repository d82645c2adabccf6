//! The status flow of an advice draft.
//!
//! ```text
//! concept → consultatie → vastgesteld → aangeboden → besloten
//!    ↑          │
//!    └──────────┘  (herzien: back to concept for another editing round)
//! any status before besloten → ingetrokken (withdrawn)
//! ```
//! Every step forward freezes a named version. Only `concept` may be edited; in every other
//! status the document is read-only for everyone (comments stay possible).

use serde::{Deserialize, Serialize};

/// Where a draft is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DraftStatus {
    /// Being written by the working group.
    Concept,
    /// Out for consultation: parties comment, nobody edits.
    Consultatie,
    /// Adopted by the working group.
    Vastgesteld,
    /// Submitted to the deciding body.
    Aangeboden,
    /// Decided on.
    Besloten,
    /// Withdrawn.
    Ingetrokken,
}

/// What kind of step a transition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// One status forward along the flow: freezes a named version.
    Forward,
    /// From consultation back to concept, for another editing round.
    Revise,
    /// Withdrawal.
    Withdraw,
}

/// Why a transition is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    /// The status name is unknown.
    #[error("unknown status {0:?}: use concept, consultatie, vastgesteld, aangeboden, besloten or ingetrokken")]
    Unknown(String),
    /// The step is not part of the flow.
    #[error("a draft cannot go from {from} to {to}")]
    NotAllowed {
        /// Current status.
        from: &'static str,
        /// Requested status.
        to: &'static str,
    },
}

impl DraftStatus {
    /// Every status, in flow order.
    pub const ALL: [DraftStatus; 6] = [
        DraftStatus::Concept,
        DraftStatus::Consultatie,
        DraftStatus::Vastgesteld,
        DraftStatus::Aangeboden,
        DraftStatus::Besloten,
        DraftStatus::Ingetrokken,
    ];

    /// The Dutch name, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            DraftStatus::Concept => "concept",
            DraftStatus::Consultatie => "consultatie",
            DraftStatus::Vastgesteld => "vastgesteld",
            DraftStatus::Aangeboden => "aangeboden",
            DraftStatus::Besloten => "besloten",
            DraftStatus::Ingetrokken => "ingetrokken",
        }
    }

    /// Parses a stored or requested status.
    ///
    /// # Errors
    /// [`StatusError::Unknown`] for anything else.
    pub fn parse(raw: &str) -> Result<Self, StatusError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| StatusError::Unknown(raw.to_owned()))
    }

    /// Whether the document is read-only in this status.
    pub fn is_frozen(self) -> bool {
        self != DraftStatus::Concept
    }

    /// The next status along the flow, if any.
    pub fn next(self) -> Option<Self> {
        match self {
            DraftStatus::Concept => Some(DraftStatus::Consultatie),
            DraftStatus::Consultatie => Some(DraftStatus::Vastgesteld),
            DraftStatus::Vastgesteld => Some(DraftStatus::Aangeboden),
            DraftStatus::Aangeboden => Some(DraftStatus::Besloten),
            DraftStatus::Besloten | DraftStatus::Ingetrokken => None,
        }
    }

    /// Checks a transition and says what kind of step it is.
    ///
    /// # Errors
    /// [`StatusError::NotAllowed`] for steps outside the flow.
    pub fn step_to(self, to: DraftStatus) -> Result<Step, StatusError> {
        if self.next() == Some(to) {
            Ok(Step::Forward)
        } else if self == DraftStatus::Consultatie && to == DraftStatus::Concept {
            Ok(Step::Revise)
        } else if to == DraftStatus::Ingetrokken
            && !matches!(self, DraftStatus::Besloten | DraftStatus::Ingetrokken)
        {
            Ok(Step::Withdraw)
        } else {
            Err(StatusError::NotAllowed {
                from: self.as_str(),
                to: to.as_str(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DraftStatus::*;

    #[test]
    fn the_flow_moves_forward_one_step_at_a_time() {
        assert_eq!(Concept.step_to(Consultatie), Ok(Step::Forward));
        assert_eq!(Consultatie.step_to(Vastgesteld), Ok(Step::Forward));
        assert_eq!(Vastgesteld.step_to(Aangeboden), Ok(Step::Forward));
        assert_eq!(Aangeboden.step_to(Besloten), Ok(Step::Forward));
        assert!(Concept.step_to(Vastgesteld).is_err());
        assert!(Besloten.step_to(Concept).is_err());
        assert!(Vastgesteld.step_to(Concept).is_err());
    }

    #[test]
    fn revision_and_withdrawal() {
        assert_eq!(Consultatie.step_to(Concept), Ok(Step::Revise));
        for from in [Concept, Consultatie, Vastgesteld, Aangeboden] {
            assert_eq!(from.step_to(Ingetrokken), Ok(Step::Withdraw));
        }
        assert!(Besloten.step_to(Ingetrokken).is_err());
        assert!(Ingetrokken.step_to(Ingetrokken).is_err());
    }

    #[test]
    fn only_concept_is_editable_and_names_round_trip() {
        for status in DraftStatus::ALL {
            assert_eq!(DraftStatus::parse(status.as_str()), Ok(status));
            assert_eq!(status.is_frozen(), status != Concept);
        }
        assert!(matches!(
            DraftStatus::parse("klaar"),
            Err(StatusError::Unknown(_))
        ));
    }
}
