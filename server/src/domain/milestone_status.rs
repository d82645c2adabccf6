//! Milestone statuses, the steps between them, and the dashboard buckets.
//!
//! # Statuses
//! `gepland` (planned), `op_koers` (on track), `risico` (at risk), `te_laat` (late),
//! `verschoven` (rescheduled by agreement), `gereed` (done), `vervallen` (cancelled).
//!
//! # Steps ([`check_step`])
//! - From any open status (all but `gereed` and `vervallen`) to any other status.
//! - `gereed` and `vervallen` are final: a finished or cancelled milestone is not reopened (a
//!   new milestone is made instead, so the record stays as it was agreed).
//! - A step to the status it already has is refused, except `verschoven`, which may be repeated.
//! - `verschoven` needs the newly agreed due date and the reason; the new date replaces the due
//!   date and both old and new date are kept in the history. Rescheduling by agreement is
//!   normal, not a failure.
//!
//! # Dashboard ([`Bucket`])
//! Dates compare on the deadline, the last day of the due window (`latest`):
//! - **late**: open and `latest` before today;
//! - **due soon**: open and `latest` within today … today + 30 days (inclusive);
//! - a milestone without `latest` (unknown, relative, open-ended) is in neither bucket.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::validate::Invalid;

/// Days ahead the "due soon" bucket covers.
pub const DUE_SOON_DAYS: u64 = 30;

/// A milestone's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneStatus {
    /// Planned.
    Gepland,
    /// On track.
    OpKoers,
    /// At risk.
    Risico,
    /// Late.
    TeLaat,
    /// Rescheduled by agreement.
    Verschoven,
    /// Done.
    Gereed,
    /// Cancelled or superseded.
    Vervallen,
}

impl MilestoneStatus {
    /// Every status.
    pub const ALL: [MilestoneStatus; 7] = [
        MilestoneStatus::Gepland,
        MilestoneStatus::OpKoers,
        MilestoneStatus::Risico,
        MilestoneStatus::TeLaat,
        MilestoneStatus::Verschoven,
        MilestoneStatus::Gereed,
        MilestoneStatus::Vervallen,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneStatus::Gepland => "gepland",
            MilestoneStatus::OpKoers => "op_koers",
            MilestoneStatus::Risico => "risico",
            MilestoneStatus::TeLaat => "te_laat",
            MilestoneStatus::Verschoven => "verschoven",
            MilestoneStatus::Gereed => "gereed",
            MilestoneStatus::Vervallen => "vervallen",
        }
    }

    /// Parses a stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Reads a status as people write it in tables ("op koers", "Afgerond", "te laat").
    pub fn from_table(raw: &str) -> Option<Self> {
        let key: String = raw
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| {
                if c.is_whitespace() || c == '-' {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        match key.as_str() {
            "afgerond" | "klaar" | "opgeleverd" | "gereed" | "done" => Some(Self::Gereed),
            "vertraagd" => Some(Self::TeLaat),
            "geschrapt" | "vervalt" => Some(Self::Vervallen),
            "loopt" | "lopend" | "in_uitvoering" => Some(Self::OpKoers),
            other => Self::parse(other),
        }
    }

    /// Parses an API field.
    ///
    /// # Errors
    /// [`Invalid`] listing the statuses.
    pub fn parse_field(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        Self::parse(raw.trim()).ok_or_else(|| Invalid {
            field,
            message: format!(
                "unknown status {raw:?}; use gepland, op_koers, risico, te_laat, verschoven, gereed or vervallen"
            ),
        })
    }

    /// Whether work is still expected (not `gereed` or `vervallen`).
    pub fn is_open(self) -> bool {
        !matches!(self, MilestoneStatus::Gereed | MilestoneStatus::Vervallen)
    }
}

/// Why a status step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// The milestone is finished or cancelled.
    #[error("the milestone is {0} and can no longer change status; add a new milestone instead")]
    Final(&'static str),
    /// The milestone already has that status.
    #[error("the milestone is already {0}")]
    Unchanged(&'static str),
    /// A field the step needs is missing.
    #[error(transparent)]
    Invalid(#[from] Invalid),
}

/// Checks a status step. For `verschoven`, `new_due` and `reason` must be given.
///
/// # Errors
/// [`StepError`] saying why.
pub fn check_step(
    from: MilestoneStatus,
    to: MilestoneStatus,
    new_due: Option<&str>,
    reason: Option<&str>,
) -> Result<(), StepError> {
    if !from.is_open() {
        return Err(StepError::Final(from.as_str()));
    }
    if from == to && to != MilestoneStatus::Verschoven {
        return Err(StepError::Unchanged(to.as_str()));
    }
    if to == MilestoneStatus::Verschoven {
        if new_due.is_none_or(|d| d.trim().is_empty()) {
            return Err(Invalid {
                field: "new_due",
                message: "verschoven needs the newly agreed due date (e.g. \"Q1 2027\")".into(),
            }
            .into());
        }
        if reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(Invalid {
                field: "reason",
                message: "verschoven needs the reason for the new date".into(),
            }
            .into());
        }
    }
    Ok(())
}

/// A dashboard bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// Open and past its deadline.
    Late,
    /// Open and due within [`DUE_SOON_DAYS`].
    DueSoon,
}

/// The bucket of a milestone on `today`, if any.
pub fn bucket(
    status: MilestoneStatus,
    latest: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<Bucket> {
    let latest = latest?;
    if !status.is_open() {
        return None;
    }
    if latest < today {
        return Some(Bucket::Late);
    }
    let horizon = today.checked_add_days(Days::new(DUE_SOON_DAYS))?;
    (latest <= horizon).then_some(Bucket::DueSoon)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn steps() {
        use MilestoneStatus::*;
        assert!(check_step(Gepland, OpKoers, None, None).is_ok());
        assert!(matches!(
            check_step(Gereed, OpKoers, None, None),
            Err(StepError::Final(_))
        ));
        assert!(matches!(
            check_step(Risico, Risico, None, None),
            Err(StepError::Unchanged(_))
        ));
        assert!(check_step(Risico, Verschoven, Some("Q1 2027"), None).is_err());
        assert!(check_step(Risico, Verschoven, None, Some("meer tijd")).is_err());
        assert!(check_step(Verschoven, Verschoven, Some("Q2 2027"), Some("x")).is_ok());
        assert_eq!(MilestoneStatus::from_table("Afgerond"), Some(Gereed));
        assert_eq!(MilestoneStatus::from_table("op koers"), Some(OpKoers));
        assert_eq!(MilestoneStatus::from_table("??"), None);
    }

    #[test]
    fn buckets() {
        use MilestoneStatus::*;
        let today = day("2026-05-01");
        assert_eq!(
            bucket(Gepland, Some(day("2026-04-30")), today),
            Some(Bucket::Late)
        );
        assert_eq!(bucket(Gereed, Some(day("2026-04-30")), today), None);
        assert_eq!(
            bucket(OpKoers, Some(day("2026-05-01")), today),
            Some(Bucket::DueSoon)
        );
        assert_eq!(
            bucket(OpKoers, Some(day("2026-05-31")), today),
            Some(Bucket::DueSoon)
        );
        assert_eq!(bucket(OpKoers, Some(day("2026-06-01")), today), None);
        assert_eq!(bucket(OpKoers, None, today), None);
    }
}
