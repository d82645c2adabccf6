//! Recurring duties ("elk kwartaal", "maandelijks", "jaarlijks twee handleidingen"): reading
//! the Dutch phrase as a rule (every N months or weeks) and the days it falls on.
//!
//! # Phrases ([`parse`])
//! - monthly: `maandelijks`, `elke maand`, `iedere maand`, `per maand`;
//! - every three months: `elk kwartaal`, `ieder kwartaal`, `per kwartaal`, `driemaandelijks`,
//!   `kwartaal`, `kwartaallijks`;
//! - every six months: `halfjaarlijks`, `elk halfjaar`, `tweemaal per jaar`, `twee keer per
//!   jaar`, `2x per jaar`, `jaarlijks twee …` (twice a year);
//! - yearly: `jaarlijks`, `elk jaar`, `ieder jaar`, `per jaar`, `eenmaal per jaar`;
//! - `elke N maanden`, `om de N maanden`, `elke N weken`, `om de N weken`;
//! - weekly: `wekelijks`, `elke week`; every two weeks: `tweewekelijks`.
//!
//! # Occurrences ([`occurrences`])
//! The k-th occurrence is the anchor plus k × N months (or weeks), counted from the anchor
//! each time, so the 31st of a month stays the last day of shorter months instead of
//! drifting. They run up to the end day if one is given, never past the horizon (12 months
//! after today), and never more than [`MAX_OCCURRENCES`].

use chrono::{Days, Months, NaiveDate};
use serde::Serialize;

/// The most occurrences one generation makes.
pub const MAX_OCCURRENCES: usize = 60;

/// Months ahead of today occurrences are generated for.
pub const HORIZON_MONTHS: u32 = 12;

/// The step of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Calendar months.
    Month,
    /// Weeks of seven days.
    Week,
}

impl Unit {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Month => "month",
            Unit::Week => "week",
        }
    }

    /// Parses a stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "month" => Some(Unit::Month),
            "week" => Some(Unit::Week),
            _ => None,
        }
    }
}

/// Every `every` units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The unit.
    pub unit: Unit,
    /// How many units between occurrences (at least 1).
    pub every: u32,
}

const fn months(every: u32) -> Rule {
    Rule {
        unit: Unit::Month,
        every,
    }
}

const fn weeks(every: u32) -> Rule {
    Rule {
        unit: Unit::Week,
        every,
    }
}

fn number(word: &str) -> Option<u32> {
    let n = match word {
        "twee" => 2,
        "drie" => 3,
        "vier" => 4,
        "zes" => 6,
        "acht" => 8,
        "twaalf" => 12,
        other => other.parse().ok()?,
    };
    (1..=24).contains(&n).then_some(n)
}

/// Reads a Dutch recurrence phrase; `None` when it is not one.
pub fn parse(raw: &str) -> Option<Rule> {
    let text: String = raw
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    let fixed = match joined.as_str() {
        "maandelijks" | "elke maand" | "iedere maand" | "per maand" => Some(months(1)),
        "elk kwartaal" | "ieder kwartaal" | "per kwartaal" | "driemaandelijks" | "kwartaal"
        | "kwartaallijks" | "elke drie maanden" => Some(months(3)),
        "halfjaarlijks" | "elk halfjaar" | "ieder halfjaar" | "elk half jaar" | "per halfjaar"
        | "tweemaal per jaar" | "twee keer per jaar" | "2x per jaar" | "2 keer per jaar"
        | "twee maal per jaar" => Some(months(6)),
        "jaarlijks" | "elk jaar" | "ieder jaar" | "per jaar" | "eenmaal per jaar"
        | "een keer per jaar" => Some(months(12)),
        "wekelijks" | "elke week" | "iedere week" | "per week" => Some(weeks(1)),
        "tweewekelijks" => Some(weeks(2)),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    match words.as_slice() {
        // "jaarlijks twee handleidingen": twice a year
        ["jaarlijks", count, ..] => match number(count)? {
            n if 12 % n == 0 => Some(months(12 / n)),
            _ => None,
        },
        ["elke" | "iedere" | "om" | "per", rest @ ..] => {
            let rest = if rest.first() == Some(&"de") {
                &rest[1..]
            } else {
                rest
            };
            match rest {
                [n, "maanden"] => number(n).map(months),
                [n, "weken"] => number(n).map(weeks),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The `k`-th day of the rule from `anchor`, if it can be counted.
fn nth(rule: Rule, anchor: NaiveDate, k: u32) -> Option<NaiveDate> {
    let steps = rule.every.checked_mul(k)?;
    match rule.unit {
        Unit::Month => anchor.checked_add_months(Months::new(steps)),
        Unit::Week => anchor.checked_add_days(Days::new(u64::from(steps) * 7)),
    }
}

/// The days a rule falls on from `anchor` (included) to `until` (included, when given), never
/// after [`HORIZON_MONTHS`] past `today` and never more than [`MAX_OCCURRENCES`].
pub fn occurrences(
    rule: Rule,
    anchor: NaiveDate,
    until: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<NaiveDate> {
    if rule.every == 0 {
        return Vec::new();
    }
    let horizon = today
        .checked_add_months(Months::new(HORIZON_MONTHS))
        .unwrap_or(today);
    let last = until.map_or(horizon, |u| u.min(horizon));
    let mut out = Vec::new();
    for k in 0..MAX_OCCURRENCES {
        let Some(day) = u32::try_from(k).ok().and_then(|k| nth(rule, anchor, k)) else {
            break;
        };
        if day > last {
            break;
        }
        out.push(day);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn phrases() {
        assert_eq!(parse("elk kwartaal"), Some(months(3)));
        assert_eq!(parse("Per kwartaal"), Some(months(3)));
        assert_eq!(parse("maandelijks"), Some(months(1)));
        assert_eq!(parse("Jaarlijks"), Some(months(12)));
        assert_eq!(parse("jaarlijks twee handleidingen"), Some(months(6)));
        assert_eq!(parse("jaarlijks 4 rapportages"), Some(months(3)));
        assert_eq!(parse("halfjaarlijks"), Some(months(6)));
        assert_eq!(parse("tweemaal per jaar"), Some(months(6)));
        assert_eq!(parse("wekelijks"), Some(weeks(1)));
        assert_eq!(parse("om de 2 maanden"), Some(months(2)));
        assert_eq!(parse("elke vier weken"), Some(weeks(4)));
        assert_eq!(parse("jaarlijks vijf stukken"), None);
        assert_eq!(parse("Q3 2026"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("elke 99 maanden"), None);
    }

    #[test]
    fn quarterly_across_a_year() {
        let got = occurrences(
            months(3),
            day("2026-01-31"),
            Some(day("2026-12-31")),
            day("2026-06-01"),
        );
        assert_eq!(
            got,
            vec![
                day("2026-01-31"),
                day("2026-04-30"),
                day("2026-07-31"),
                day("2026-10-31")
            ]
        );
    }

    #[test]
    fn horizon_and_cap() {
        // open-ended: 12 months after today
        let got = occurrences(months(1), day("2026-01-15"), None, day("2026-01-01"));
        assert_eq!(got.len(), 12);
        assert_eq!(got.last(), Some(&day("2026-12-15")));
        // weekly from long ago: capped
        let got = occurrences(weeks(1), day("2000-01-01"), None, day("2026-01-01"));
        assert_eq!(got.len(), MAX_OCCURRENCES);
        // an end before the anchor: nothing
        assert!(occurrences(
            months(3),
            day("2026-05-01"),
            Some(day("2026-01-01")),
            day("2026-01-01")
        )
        .is_empty());
    }
}
