//! Periods of the programme's lists: a milestone is in a period when the last day of its due
//! window (its deadline) falls in it. Written in URLs as `2025` (a year), `2025-Q3` (a
//! quarter), `2025-H1` (a half) or `2025-07` (a month); `from`/`to` are days (`YYYY-MM-DD`),
//! both inclusive.

use chrono::{Months, NaiveDate};

/// An inclusive range of days, either end open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Period {
    /// First day, if bounded.
    pub from: Option<NaiveDate>,
    /// Last day, if bounded.
    pub to: Option<NaiveDate>,
}

impl Period {
    /// Whether the period bounds anything.
    pub fn is_open(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// Whether `day` falls in the period; an unknown day falls only in an open period.
    pub fn contains(&self, day: Option<NaiveDate>) -> bool {
        if self.is_open() {
            return true;
        }
        let Some(day) = day else {
            return false;
        };
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }

    /// The intersection with `other`.
    pub fn and(self, other: Period) -> Period {
        Period {
            from: self.from.max(other.from),
            to: match (self.to, other.to) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }
}

/// Reads a named period (`2025`, `2025-Q3`, `2025-H1`, `2025-07`); `None` when it is none.
pub fn parse_named(text: &str) -> Option<Period> {
    let text = text.trim().to_ascii_uppercase();
    let (year, rest) = match text.split_once('-') {
        Some((y, r)) => (y, Some(r)),
        None => (text.as_str(), None),
    };
    if year.len() != 4 {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let (first_month, months) = match rest {
        None => (1, 12),
        Some(r) if r.len() == 2 && r.starts_with('Q') => {
            let q: u32 = r[1..].parse().ok().filter(|q| (1..=4).contains(q))?;
            (3 * q - 2, 3)
        }
        Some(r) if r.len() == 2 && r.starts_with('H') => {
            let half: u32 = r[1..].parse().ok().filter(|h| (1..=2).contains(h))?;
            (6 * half - 5, 6)
        }
        Some(r) if r.len() == 2 => {
            let month: u32 = r.parse().ok().filter(|m| (1..=12).contains(m))?;
            (month, 1)
        }
        Some(_) => return None,
    };
    let from = NaiveDate::from_ymd_opt(year, first_month, 1)?;
    let to = from.checked_add_months(Months::new(months))?.pred_opt()?;
    Some(Period {
        from: Some(from),
        to: Some(to),
    })
}

/// Reads a day written as `YYYY-MM-DD`.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn named_periods() {
        let cases = [
            ("2025", d(2025, 1, 1), d(2025, 12, 31)),
            ("2025-Q1", d(2025, 1, 1), d(2025, 3, 31)),
            ("2025-q3", d(2025, 7, 1), d(2025, 9, 30)),
            ("2025-Q4", d(2025, 10, 1), d(2025, 12, 31)),
            ("2026-H1", d(2026, 1, 1), d(2026, 6, 30)),
            ("2026-H2", d(2026, 7, 1), d(2026, 12, 31)),
            ("2024-02", d(2024, 2, 1), d(2024, 2, 29)),
        ];
        for (text, from, to) in cases {
            assert_eq!(parse_named(text), Some(Period { from, to }), "{text}");
        }
        for bad in [
            "", "25", "2025-Q5", "2025-H3", "2025-13", "Q3 2025", "2025-1",
        ] {
            assert_eq!(parse_named(bad), None, "{bad}");
        }
    }

    #[test]
    fn containment_and_intersection() {
        let q3 = parse_named("2025-Q3").unwrap();
        assert!(q3.contains(d(2025, 7, 1)));
        assert!(q3.contains(d(2025, 9, 30)));
        assert!(!q3.contains(d(2025, 10, 1)));
        assert!(!q3.contains(None));
        assert!(Period::default().contains(None));
        let from_august = Period {
            from: d(2025, 8, 15),
            to: None,
        };
        assert_eq!(
            q3.and(from_august),
            Period {
                from: d(2025, 8, 15),
                to: d(2025, 9, 30)
            }
        );
    }
}
