//! Escalation rules, free of IO: the default ladder, response deadlines in working days, and
//! when an overdue milestone opens a dispute by itself.
//!
//! The default ladder of a working group is the group itself followed by the bodies it reports
//! to (docs/DOMAIN.md §2: working group → theme table → administrative consultation (BO-IZA) →
//! minister), each with the response time of its kind ([`default_response_days`]). Deadlines
//! count working days (Monday to Friday, not a Dutch public holiday, see [`super::calendar`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::bodies::BodyKind;
use super::calendar::{add_working_days, HolidayRules};

stored_names! {
    /// Where a dispute is.
    pub enum DisputeStatus {
        /// Being dealt with at its current level.
        InBehandeling = "in_behandeling",
        /// Escalated to a higher level (and being dealt with there).
        Geescaleerd = "geescaleerd",
        /// Decided.
        Besloten = "besloten",
        /// Withdrawn.
        Ingetrokken = "ingetrokken",
    }
}

impl DisputeStatus {
    /// Whether the dispute is still open (being dealt with, at any level).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            DisputeStatus::InBehandeling | DisputeStatus::Geescaleerd
        )
    }
}

stored_names! {
    /// One kind of step in a dispute's history.
    pub enum DisputeEventKind {
        /// The dispute was raised.
        Raised = "raised",
        /// A party gave its position.
        Position = "position",
        /// A solution option was added.
        Option = "option",
        /// A person escalated it.
        Escalated = "escalated",
        /// It escalated because the response time ran out.
        EscalatedOnTimeout = "escalated_on_timeout",
        /// It was decided.
        Resolved = "resolved",
        /// It was withdrawn.
        Withdrawn = "withdrawn",
    }
}

stored_names! {
    /// What a scheduler job does when it falls due.
    pub enum JobKind {
        /// Reminds a milestone's parties of its due date.
        MilestoneReminder = "milestone_reminder",
        /// Opens a dispute for a milestone that is overdue past the margin.
        MilestoneDispute = "milestone_dispute",
        /// Asks parties for their sign-off on a role agreement.
        SignoffRequest = "signoff_request",
        /// Asks the parties of a dispute for their position.
        PositionRequest = "position_request",
        /// Tells the parties that a dispute's response time is running out.
        EscalationNotice = "escalation_notice",
        /// Escalates a dispute whose response time ran out.
        EscalationTimeout = "escalation_timeout",
        /// Asks a round's parties for their answer on a version (endorsement).
        EndorsementRequest = "endorsement_request",
        /// Reminds a consultation's invitees of its closing date, or announces it.
        ConsultationReminder = "consultation_reminder",
        /// Reminds an open point's owner.
        OpenPointReminder = "open_point_reminder",
    }
}

impl JobKind {
    /// Whether the job repeats in rounds (a later job of its series supersedes it).
    pub fn is_repeating(self) -> bool {
        matches!(
            self,
            JobKind::MilestoneReminder
                | JobKind::SignoffRequest
                | JobKind::PositionRequest
                | JobKind::EndorsementRequest
                | JobKind::OpenPointReminder
        )
    }
}

/// Working days an overdue milestone may be late before it opens a dispute, unless the body
/// configures another margin.
pub const DEFAULT_OVERDUE_MARGIN_DAYS: i64 = 10;

/// Longest response time a level may have, in working days (about a year).
pub const MAX_RESPONSE_DAYS: i64 = 250;

/// One step of a body's escalation ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LadderLevel {
    /// 0 for the working group itself, then 1, 2, …
    pub level: i64,
    /// Display name, e.g. "Thematafel Passende Zorg".
    pub name: String,
    /// The body that deals with disputes at this level, if it is in Polder.
    pub forum_body_id: Option<i64>,
    /// Working days the parties have to respond (and the forum to decide) at this level.
    pub response_days: i64,
}

/// Default response time, in working days, of a forum of `kind` (a body kind).
pub fn default_response_days(kind: BodyKind) -> i64 {
    match kind {
        BodyKind::WorkingGroup | BodyKind::SubGroup => 10,
        BodyKind::ThemeTable => 15,
        BodyKind::DirectorsDay | BodyKind::BoIza | BodyKind::Minister => 20,
    }
}

/// The last day to respond at a level entered on `entered`: `response_days` working days later.
pub fn respond_by(entered: NaiveDate, response_days: i64, rules: &HolidayRules) -> NaiveDate {
    add_working_days(entered, response_days.max(1), rules)
}

/// The day an escalation timeout fires: the first day after `respond_by`.
pub fn timeout_day(respond_by: NaiveDate) -> NaiveDate {
    respond_by.succ_opt().unwrap_or(respond_by)
}

/// The day a milestone due on `due` opens a dispute when it is still not done: `margin`
/// working days after its due date.
pub fn overdue_dispute_day(due: NaiveDate, margin: i64, rules: &HolidayRules) -> NaiveDate {
    add_working_days(due, margin.max(0), rules)
}

/// The level after `level`, if the ladder has one.
pub fn next_level(ladder: &[LadderLevel], level: i64) -> Option<&LadderLevel> {
    ladder.iter().find(|l| l.level == level + 1)
}

/// Checks a ladder given by a person: levels numbered 0, 1, 2, … in order, names not empty,
/// response times between 1 and [`MAX_RESPONSE_DAYS`].
///
/// # Errors
/// A message saying what is wrong.
pub fn check_ladder(ladder: &[LadderLevel]) -> Result<(), String> {
    if ladder.is_empty() {
        return Err("a ladder needs at least the working group itself (level 0)".into());
    }
    for (index, level) in ladder.iter().enumerate() {
        if i64::try_from(index).ok() != Some(level.level) {
            return Err(format!("level {index} is missing or out of order"));
        }
        if level.name.trim().is_empty() || level.name.chars().count() > 200 {
            return Err(format!("level {index} needs a name of 1 to 200 characters"));
        }
        if !(1..=MAX_RESPONSE_DAYS).contains(&level.response_days) {
            return Err(format!(
                "level {index}: response_days must be between 1 and {MAX_RESPONSE_DAYS}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn deadlines_skip_weekends_and_holidays() {
        let rules = HolidayRules::default();
        // Thursday 7 May 2026 + 10 working days skips Hemelvaartsdag (14 May): 22 May.
        assert_eq!(respond_by(d(2026, 5, 7), 10, &rules), d(2026, 5, 22));
        assert_eq!(timeout_day(d(2026, 5, 22)), d(2026, 5, 23));
        // Due Friday 22 May 2026, margin 2 skips Pinkstermaandag (25 May): 27 May.
        assert_eq!(
            overdue_dispute_day(d(2026, 5, 22), 2, &rules),
            d(2026, 5, 27)
        );
    }

    #[test]
    fn ladders_are_checked() {
        let level = |n: i64| LadderLevel {
            level: n,
            name: format!("L{n}"),
            forum_body_id: None,
            response_days: 5,
        };
        assert!(check_ladder(&[level(0), level(1)]).is_ok());
        assert!(check_ladder(&[level(1)]).is_err());
        assert!(check_ladder(&[]).is_err());
        assert_eq!(
            next_level(&[level(0), level(1)], 0).map(|l| l.level),
            Some(1)
        );
        assert!(next_level(&[level(0), level(1)], 1).is_none());
        assert_eq!(default_response_days(BodyKind::ThemeTable), 15);
    }

    #[test]
    fn stored_names_round_trip() {
        for status in DisputeStatus::ALL {
            assert_eq!(DisputeStatus::parse(status.as_str()), Some(*status));
        }
        for kind in DisputeEventKind::ALL {
            assert_eq!(DisputeEventKind::parse(kind.as_str()), Some(*kind));
        }
        for kind in JobKind::ALL {
            assert_eq!(JobKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(DisputeStatus::parse("open"), None);
        assert!(DisputeStatus::Geescaleerd.is_open() && !DisputeStatus::Besloten.is_open());
        assert!(JobKind::PositionRequest.is_repeating());
        assert!(!JobKind::EscalationTimeout.is_repeating());
    }
}
