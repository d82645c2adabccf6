//! Which reminders fall due when, free of IO.
//!
//! A milestone's reminder series belongs to one due date (its `due_latest`): reminders
//! [`DEFAULT_DAYS_BEFORE`] working days before it, one on the day itself, and once it has
//! passed a weekly overdue notice (first on the next working day, then every 7 days). A stage
//! whose day lies before the series began (the milestone was created or rescheduled later) is
//! not planned. Every stage has a stable [`Stage::key`] that goes into the delivery's unique key.

use chrono::{Days, NaiveDate};

use super::calendar::{add_working_days, HolidayRules};

/// Reminder offsets in working days before the due date (docs/DOMAIN.md §8).
pub const DEFAULT_DAYS_BEFORE: [i64; 3] = [14, 7, 1];

/// One point in a milestone's reminder series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `n` working days before the due date.
    Before(i64),
    /// On the due date.
    OnDay,
    /// The `n`-th weekly overdue notice (1 = the first working day after the due date).
    Overdue(i64),
}

impl Stage {
    /// Stable name for unique keys: `d-7`, `d0`, `overdue-1`.
    pub fn key(self) -> String {
        match self {
            Stage::Before(n) => format!("d-{n}"),
            Stage::OnDay => "d0".to_owned(),
            Stage::Overdue(n) => format!("overdue-{n}"),
        }
    }

    /// Parses [`Stage::key`].
    pub fn parse(key: &str) -> Option<Self> {
        if key == "d0" {
            return Some(Stage::OnDay);
        }
        if let Some(n) = key.strip_prefix("d-") {
            return n.parse().ok().map(Stage::Before);
        }
        key.strip_prefix("overdue-")?
            .parse()
            .ok()
            .map(Stage::Overdue)
    }
}

/// The reminder stages of a milestone due on `due`, with the day each falls due: the stages
/// before and on the due date, the latest overdue notice due by `today` and the next one.
/// Stages dated before `series_start` are left out.
pub fn milestone_stages(
    due: NaiveDate,
    days_before: &[i64],
    series_start: NaiveDate,
    today: NaiveDate,
    rules: &HolidayRules,
) -> Vec<(Stage, NaiveDate)> {
    let mut stages = Vec::new();
    let mut before: Vec<i64> = days_before.iter().copied().filter(|n| *n > 0).collect();
    before.sort_unstable_by(|a, b| b.cmp(a));
    before.dedup();
    for n in before {
        stages.push((Stage::Before(n), add_working_days(due, -n, rules)));
    }
    stages.push((Stage::OnDay, due));
    // Overdue notices: only the latest one that has fallen due and the next one, so a
    // milestone that has been late for years does not plan years of notices.
    let first_overdue = add_working_days(due, 1, rules);
    let week = if today < first_overdue {
        1
    } else {
        (today - first_overdue).num_days() / 7 + 1
    };
    for n in [week, week + 1] {
        let offset = u64::try_from(7 * (n - 1)).unwrap_or(0);
        if let Some(day) = first_overdue.checked_add_days(Days::new(offset)) {
            stages.push((Stage::Overdue(n), day));
        }
    }
    stages.retain(|(_, day)| *day >= series_start);
    stages
}

/// The next reminder of a milestone due on `due` whose series began on `series_start`: the
/// first stage of [`milestone_stages`] that falls on `today` or later. The scheduler plans the
/// same stages, so what this shows is what it will send (an overdue notice counts too).
pub fn next_stage(
    due: NaiveDate,
    days_before: &[i64],
    series_start: NaiveDate,
    today: NaiveDate,
    rules: &HolidayRules,
) -> Option<(Stage, NaiveDate)> {
    milestone_stages(due, days_before, series_start, today, rules)
        .into_iter()
        .find(|(_, day)| *day >= today)
}

/// Rounds of a request (sign-off, position) that recur every `every` working days from
/// `start`: round `r` falls due on `start + r * every` working days. Returns the rounds up to
/// and including `today` plus the next one, at most `max_rounds`.
pub fn request_rounds(
    start: NaiveDate,
    every: i64,
    max_rounds: i64,
    today: NaiveDate,
    rules: &HolidayRules,
) -> Vec<(i64, NaiveDate)> {
    let mut rounds = Vec::new();
    let mut day = start;
    for round in 0..max_rounds.max(1) {
        rounds.push((round, day));
        if day > today || every <= 0 {
            break;
        }
        day = add_working_days(day, every, rules);
    }
    rounds
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn stages_across_hemelvaart_and_pinksteren() {
        let rules = HolidayRules::default();
        // Due Tuesday 26 May 2026, right after Pinkstermaandag (25 May); Hemelvaart 14 May and
        // Bevrijdingsdag 5 May are skipped too.
        let stages = milestone_stages(
            d(2026, 5, 26),
            &DEFAULT_DAYS_BEFORE,
            d(2026, 5, 1),
            d(2026, 5, 26),
            &rules,
        );
        assert_eq!(
            stages,
            vec![
                (Stage::Before(14), d(2026, 5, 1)),
                (Stage::Before(7), d(2026, 5, 13)),
                (Stage::Before(1), d(2026, 5, 22)),
                (Stage::OnDay, d(2026, 5, 26)),
                (Stage::Overdue(1), d(2026, 5, 27)),
                (Stage::Overdue(2), d(2026, 6, 3)),
            ]
        );
    }

    #[test]
    fn late_series_drop_early_stages_and_only_recent_overdue_weeks_are_planned() {
        let rules = HolidayRules::default();
        let stages = milestone_stages(
            d(2026, 3, 2),
            &[14, 7, 1],
            d(2026, 2, 25),
            d(2026, 3, 17),
            &rules,
        );
        let keys: Vec<String> = stages.iter().map(|(s, _)| s.key()).collect();
        assert_eq!(keys, ["d-1", "d0", "overdue-3", "overdue-4"]);
        for (stage, _) in &stages {
            assert_eq!(Stage::parse(&stage.key()), Some(*stage));
        }
    }

    #[test]
    fn the_next_reminder_follows_a_rescheduled_date() {
        let rules = HolidayRules::default();
        // Due Friday 17 July 2026, seen on Thursday 2 July: d-7 (Wednesday 8 July) is next.
        let before = next_stage(
            d(2026, 7, 17),
            &DEFAULT_DAYS_BEFORE,
            d(2026, 6, 1),
            d(2026, 7, 2),
            &rules,
        );
        assert_eq!(before, Some((Stage::Before(7), d(2026, 7, 8))));
        // Rescheduled that day to Friday 2 October 2026: 14 working days before it is
        // Monday 14 September, and nothing of the old date is left.
        let after = next_stage(
            d(2026, 10, 2),
            &DEFAULT_DAYS_BEFORE,
            d(2026, 7, 2),
            d(2026, 7, 2),
            &rules,
        );
        assert_eq!(after, Some((Stage::Before(14), d(2026, 9, 14))));
        // Past the date, the next one is the coming weekly overdue notice.
        let late = next_stage(
            d(2026, 7, 17),
            &DEFAULT_DAYS_BEFORE,
            d(2026, 6, 1),
            d(2026, 7, 23),
            &rules,
        );
        assert_eq!(late, Some((Stage::Overdue(2), d(2026, 7, 27))));
    }

    #[test]
    fn request_rounds_recur_in_working_days() {
        let rules = HolidayRules::default();
        let rounds = request_rounds(d(2026, 5, 11), 5, 10, d(2026, 5, 20), &rules);
        assert_eq!(
            rounds,
            vec![
                (0, d(2026, 5, 11)),
                (1, d(2026, 5, 19)),
                (2, d(2026, 5, 27))
            ]
        );
    }
}
