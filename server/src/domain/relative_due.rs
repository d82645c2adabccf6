//! Deadlines relative to a meeting ("uiterlijk twee weken voor het IZA-kwartaaloverleg", "in
//! het BO van juni", "voor de bestuurdersdag in Q3"), free of IO (docs/DOMAIN.md §13).
//!
//! [`parse`] reads such a text as a [`Rule`]: an [`Offset`] from the meeting day, whether the
//! day is a deadline "at the latest" ([`Rule::by`]), the phrase naming the meeting series, and a
//! [`Selector`] saying which of the series' meetings is meant. [`match_series`] finds the series
//! a phrase names among candidates (names and aliases, case-insensitive, hyphens and spaces
//! alike, the longest name wins), and [`resolve`] picks the meeting and works out the due day.
//!
//! # Reading rules
//! - Offsets: `twee weken voor` is 14 calendar days before, `een week voor` 7, `tien dagen voor`
//!   10, `drie werkdagen voor` three working days before ([`crate::domain::calendar`]); `na`
//!   instead of `voor` counts forward. Numbers are digits or Dutch words up to twenty.
//! - `voor` alone is the day before the meeting, `na` alone the day after; `uiterlijk`, `op`,
//!   `in`, `tijdens` and `bij` mean the meeting day itself.
//! - `uiterlijk` and every `voor` make the day a deadline: the window's first day stays open.
//!   Otherwise the window is the one day.
//! - Selectors after the series phrase: `van juni`, `in juni 2027` (a month, with an optional
//!   year), `in Q3`, `in het derde kwartaal (van) 2027` (a quarter), `in 2027` (a year). Without
//!   one the next meeting is meant.
//! - Text that starts otherwise ("Q3 2026", "Elk kwartaal") is no rule.
//!
//! # Resolution
//! Cancelled meetings never count. The anchor is the milestone's creation day. "Next" is the
//! first meeting on or after the anchor. A month or quarter with a year is that one; without a
//! year it is the first such month or quarter that has not ended before the anchor (this year's
//! June, or next year's once June is over); the meeting is the first in it. A year is the first
//! meeting of that year.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::{add_working_days, HolidayRules};

/// How an offset is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Calendar days (weeks are seven of them).
    Days,
    /// Working days: Monday to Friday, not a Dutch holiday.
    WorkingDays,
}

/// The distance from the meeting day to the due day: negative before, positive after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offset {
    /// Signed amount in `unit`.
    pub amount: i64,
    /// Calendar or working days.
    pub unit: Unit,
}

/// Which meeting of the series a rule means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Selector {
    /// The first meeting on or after the anchor.
    Next,
    /// The first meeting in a month (1–12).
    Month {
        /// Month number.
        month: u32,
        /// The year, if written.
        year: Option<i32>,
    },
    /// The first meeting in a quarter (1–4).
    Quarter {
        /// Quarter number.
        quarter: u32,
        /// The year, if written.
        year: Option<i32>,
    },
    /// The first meeting in a year.
    Year {
        /// The year.
        year: i32,
    },
}

/// A due date relative to a meeting series, as read from its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// From the meeting day to the due day.
    pub offset: Offset,
    /// A deadline ("uiterlijk", "voor"): the window's first day is open.
    pub by: bool,
    /// The words naming the series, normalised ([`normalise`]), e.g. `iza kwartaaloverleg`.
    pub phrase: String,
    /// Which meeting.
    pub selector: Selector,
}

/// One meeting of a series, as resolution needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingDay {
    /// The meeting.
    pub id: i64,
    /// Its Dutch calendar day.
    pub day: NaiveDate,
    /// Whether it is cancelled (`geannuleerd`).
    pub cancelled: bool,
}

/// A rule resolved against a series' meetings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolution {
    /// The meeting the rule lands on.
    pub meeting_id: i64,
    /// Its day.
    pub meeting_day: NaiveDate,
    /// The due day (the window's last day).
    pub due: NaiveDate,
    /// The window's first day: the due day itself, or open for a deadline.
    pub earliest: Option<NaiveDate>,
}

/// Which series a phrase names among candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesMatch {
    /// Exactly one series has the best (longest) matching name.
    Unique(i64),
    /// Several series match equally well.
    Ambiguous,
    /// None matches.
    None,
}

/// Longest accepted text; longer text is no rule.
const MAX_TEXT: usize = 500;

/// Lower case, `vóór` as `voor`, hyphens, underscores, slashes and punctuation as spaces,
/// whitespace collapsed, leading articles (`het`, `de`, `een`) removed.
pub fn normalise(text: &str) -> String {
    let lowered: String = text
        .to_lowercase()
        .replace('ó', "o")
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut words: Vec<&str> = lowered.split_whitespace().collect();
    while words.first().is_some_and(|w| ARTICLES.contains(w)) {
        words.remove(0);
    }
    words.join(" ")
}

const ARTICLES: &[&str] = &["het", "de", "een", "'t"];

fn number(word: &str) -> Option<i64> {
    const WORDS: &[&str] = &[
        "nul",
        "een",
        "twee",
        "drie",
        "vier",
        "vijf",
        "zes",
        "zeven",
        "acht",
        "negen",
        "tien",
        "elf",
        "twaalf",
        "dertien",
        "veertien",
        "vijftien",
        "zestien",
        "zeventien",
        "achttien",
        "negentien",
        "twintig",
    ];
    if let Some(n) = WORDS.iter().position(|w| *w == word) {
        return i64::try_from(n).ok();
    }
    if word == "één" {
        return Some(1);
    }
    if word.len() <= 3 && word.chars().all(|c| c.is_ascii_digit()) {
        return word.parse().ok();
    }
    None
}

fn month(word: &str) -> Option<u32> {
    const MONTHS: &[&[&str]] = &[
        &["januari", "jan"],
        &["februari", "feb"],
        &["maart", "mrt", "mar"],
        &["april", "apr"],
        &["mei"],
        &["juni", "jun"],
        &["juli", "jul"],
        &["augustus", "aug"],
        &["september", "sep", "sept"],
        &["oktober", "okt", "oct"],
        &["november", "nov"],
        &["december", "dec"],
    ];
    MONTHS
        .iter()
        .position(|names| names.contains(&word))
        .and_then(|n| u32::try_from(n + 1).ok())
}

fn year(word: &str) -> Option<i32> {
    let year: i32 = (word.len() == 4 && word.chars().all(|c| c.is_ascii_digit()))
        .then(|| word.parse().ok())
        .flatten()?;
    (1990..=2200).contains(&year).then_some(year)
}

fn quarter(words: &[&str]) -> Option<(u32, usize)> {
    let first = words.first()?;
    if let Some(n) = first.strip_prefix('q').and_then(|n| n.parse::<u32>().ok()) {
        return (1..=4).contains(&n).then_some((n, 1));
    }
    let n = match *first {
        "eerste" | "1e" => 1,
        "tweede" | "2e" => 2,
        "derde" | "3e" => 3,
        "vierde" | "4e" => 4,
        _ => return None,
    };
    (words.get(1) == Some(&"kwartaal")).then_some((n, 2))
}

/// Reads a selector that makes up all of `words`, e.g. `van juni 2027`, `in het derde kwartaal`.
fn selector(words: &[&str]) -> Option<Selector> {
    let (first, mut rest) = words.split_first()?;
    if !matches!(*first, "van" | "in" | "uit" | "tijdens") {
        return None;
    }
    if rest.first().is_some_and(|w| ARTICLES.contains(w)) {
        rest = &rest[1..];
    }
    let trailing_year = |tail: &[&str]| -> Option<Option<i32>> {
        let tail = match tail.first() {
            Some(&"van") => &tail[1..],
            _ => tail,
        };
        match tail {
            [] => Some(None),
            [y] => year(y).map(Some),
            _ => None,
        }
    };
    if let Some(m) = rest.first().and_then(|w| month(w)) {
        return Some(Selector::Month {
            month: m,
            year: trailing_year(&rest[1..])?,
        });
    }
    if let Some((q, used)) = quarter(rest) {
        return Some(Selector::Quarter {
            quarter: q,
            year: trailing_year(&rest[used..])?,
        });
    }
    match rest {
        [y] => year(y).map(|year| Selector::Year { year }),
        _ => None,
    }
}

/// Reads a relative due text as a [`Rule`]; `None` when it is not one (see the module docs).
pub fn parse(text: &str) -> Option<Rule> {
    if text.len() > MAX_TEXT {
        return None;
    }
    let lowered: String = text
        .to_lowercase()
        .replace('ó', "o")
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = lowered.split_whitespace().collect();
    let mut at = 0;
    let mut by = false;
    if words.first() == Some(&"uiterlijk") {
        by = true;
        at = 1;
    }
    let (offset, article_needed) = read_offset(&words, &mut at, &mut by)?;
    let has_article = words.get(at).is_some_and(|w| ARTICLES.contains(w));
    if has_article {
        at += 1;
    } else if article_needed {
        return None;
    }
    let rest = words.get(at..)?;
    // the series phrase runs up to the first tail that reads as a selector
    let split = (1..rest.len())
        .find_map(|cut| selector(&rest[cut..]).map(|s| (cut, s)))
        .unwrap_or((rest.len(), Selector::Next));
    let phrase = rest[..split.0].join(" ");
    if !phrase.chars().any(char::is_alphabetic) {
        return None;
    }
    Some(Rule {
        offset,
        by,
        phrase,
        selector: split.1,
    })
}

/// Reads the offset at `words[*at..]`, moving `at` past it; also whether an article must
/// follow (after `op`, `in`, `tijdens`, `bij` and a bare `uiterlijk`).
fn read_offset(words: &[&str], at: &mut usize, by: &mut bool) -> Option<(Offset, bool)> {
    let days = |amount| Offset {
        amount,
        unit: Unit::Days,
    };
    let word = |i: usize| words.get(i).copied();
    if let Some(n) = word(*at).and_then(number) {
        let (per, unit) = match word(*at + 1)? {
            "dag" | "dagen" | "kalenderdag" | "kalenderdagen" => (1, Unit::Days),
            "week" | "weken" => (7, Unit::Days),
            "werkdag" | "werkdagen" => (1, Unit::WorkingDays),
            _ => return None,
        };
        let sign = match word(*at + 2)? {
            "voor" => {
                *by = true;
                -1
            }
            "na" => 1,
            _ => return None,
        };
        *at += 3;
        return Some((
            Offset {
                amount: sign * n * per,
                unit,
            },
            false,
        ));
    }
    match word(*at) {
        Some("voor") => {
            *by = true;
            *at += 1;
            Some((days(-1), false))
        }
        Some("na") => {
            *at += 1;
            Some((days(1), false))
        }
        Some("op" | "in" | "tijdens" | "bij") => {
            *at += 1;
            Some((days(0), true))
        }
        Some(_) if *by => Some((days(0), true)),
        _ => None,
    }
}

/// How well `phrase` names a series called `name`, when one's words are a run of the other's:
/// `(1, length of the name)` when the phrase holds the whole name, `(0, length of the phrase)`
/// when the phrase is only part of the name; higher is better.
pub fn name_score(phrase: &str, name: &str) -> Option<(u8, usize)> {
    let phrase = normalise(phrase);
    let name = normalise(name);
    if phrase.is_empty() || name.is_empty() {
        return None;
    }
    let contains = |outer: &str, inner: &str| {
        let outer: Vec<&str> = outer.split(' ').collect();
        let inner: Vec<&str> = inner.split(' ').collect();
        outer.windows(inner.len()).any(|w| w == inner.as_slice())
    };
    if contains(&phrase, &name) {
        Some((1, name.len()))
    } else if contains(&name, &phrase) {
        Some((0, phrase.len()))
    } else {
        None
    }
}

/// The series `phrase` names among `candidates` (id, its name and aliases): the one with the
/// longest matching name, if only one has it.
pub fn match_series(phrase: &str, candidates: &[(i64, Vec<String>)]) -> SeriesMatch {
    let mut best: Option<((u8, usize), i64)> = None;
    let mut tied = false;
    for (id, names) in candidates {
        let Some(score) = names.iter().filter_map(|n| name_score(phrase, n)).max() else {
            continue;
        };
        match best {
            Some((top, top_id)) if score == top && top_id != *id => tied = true,
            Some((top, _)) if score <= top => {}
            _ => {
                best = Some((score, *id));
                tied = false;
            }
        }
    }
    match best {
        None => SeriesMatch::None,
        Some(_) if tied => SeriesMatch::Ambiguous,
        Some((_, id)) => SeriesMatch::Unique(id),
    }
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// The first and last day of the months `first..=last` of a year.
fn months_window(year: i32, first: u32, last: u32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year, first, 1)?,
        last_day_of_month(year, last)?,
    ))
}

/// The days a selector covers, given the anchor for a missing year; `None` for "next".
fn window(selector: Selector, anchor: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let months = |year: Option<i32>, first: u32, last: u32| match year {
        Some(year) => months_window(year, first, last),
        None => {
            let this = months_window(anchor.year(), first, last)?;
            if this.1 < anchor {
                months_window(anchor.year() + 1, first, last)
            } else {
                Some(this)
            }
        }
    };
    match selector {
        Selector::Next => None,
        Selector::Month { month, year } => months(year, month, month),
        Selector::Quarter { quarter, year } if (1..=4).contains(&quarter) => {
            months(year, quarter * 3 - 2, quarter * 3)
        }
        Selector::Quarter { .. } => None,
        Selector::Year { year } => months_window(year, 1, 12),
    }
}

/// The meeting `selector` means among `meetings` (any order), given the anchor day.
pub fn pick_meeting(
    selector: Selector,
    meetings: &[MeetingDay],
    anchor: NaiveDate,
) -> Option<MeetingDay> {
    let mut open: Vec<MeetingDay> = meetings.iter().copied().filter(|m| !m.cancelled).collect();
    open.sort_by_key(|m| (m.day, m.id));
    match selector {
        Selector::Next => open.into_iter().find(|m| m.day >= anchor),
        _ => {
            let (from, to) = window(selector, anchor)?;
            open.into_iter().find(|m| m.day >= from && m.day <= to)
        }
    }
}

/// The due day of `offset` from a meeting on `meeting_day`.
pub fn due_day(offset: Offset, meeting_day: NaiveDate, rules: &HolidayRules) -> Option<NaiveDate> {
    match offset.unit {
        Unit::WorkingDays => Some(add_working_days(meeting_day, offset.amount, rules)),
        Unit::Days => {
            let days = Days::new(offset.amount.unsigned_abs());
            if offset.amount < 0 {
                meeting_day.checked_sub_days(days)
            } else {
                meeting_day.checked_add_days(days)
            }
        }
    }
}

/// Resolves `rule` against a series' meetings: the meeting and the due window; `None` while
/// no meeting fits.
pub fn resolve(
    rule: &Rule,
    meetings: &[MeetingDay],
    anchor: NaiveDate,
    rules: &HolidayRules,
) -> Option<Resolution> {
    let meeting = pick_meeting(rule.selector, meetings, anchor)?;
    let due = due_day(rule.offset, meeting.day, rules)?;
    Some(Resolution {
        meeting_id: meeting.id,
        meeting_day: meeting.day,
        due,
        earliest: (!rule.by).then_some(due),
    })
}

#[cfg(test)]
#[path = "relative_due_tests.rs"]
mod tests;
