//! Membership roles in a body and what each may do there.

use serde::{Deserialize, Serialize};

/// A person's role in a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BodyRole {
    /// Runs the body: moves drafts through their status flow, records decisions.
    Chair,
    /// Supports the chair (the programme team at VWS); same powers over the flow.
    Secretariat,
    /// A party's representative: writes and comments.
    Member,
    /// Reads, follows and comments; never writes (e.g. IGJ, VNG).
    Observer,
}

impl BodyRole {
    /// Every role.
    pub const ALL: [BodyRole; 4] = [
        BodyRole::Chair,
        BodyRole::Secretariat,
        BodyRole::Member,
        BodyRole::Observer,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            BodyRole::Chair => "chair",
            BodyRole::Secretariat => "secretariat",
            BodyRole::Member => "member",
            BodyRole::Observer => "observer",
        }
    }

    /// Parses a stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    /// May edit the content of the body's drafts (while they are in `concept`).
    pub fn can_write(self) -> bool {
        !matches!(self, BodyRole::Observer)
    }

    /// May create drafts and move them through the status flow.
    pub fn can_steer(self) -> bool {
        matches!(self, BodyRole::Chair | BodyRole::Secretariat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_per_role() {
        assert!(BodyRole::Chair.can_steer() && BodyRole::Secretariat.can_steer());
        assert!(!BodyRole::Member.can_steer() && !BodyRole::Observer.can_steer());
        assert!(BodyRole::Member.can_write() && !BodyRole::Observer.can_write());
        for role in BodyRole::ALL {
            assert_eq!(BodyRole::parse(role.as_str()), Some(role));
        }
    }
}
