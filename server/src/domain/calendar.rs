//! Dutch public holidays (feestdagen) and working-day arithmetic for deadlines
//! ("15 werkdagen voor de vergadering").
//!
//! This module owns [`HolidayRules`] (which days count as days off), [`holidays`] for any year,
//! and the working-day functions [`is_working_day`], [`add_working_days`] and
//! [`working_days_between`]. A working day is Monday to Friday and not a holiday.
//!
//! The default rules are the days the Dutch central government (Rijksoverheid) treats as days
//! off: Nieuwjaarsdag, 1e en 2e Paasdag, Koningsdag (27 April, or 26 April when the 27th is a
//! Sunday; before 2014 Koninginnedag, 30 April or 29 April), Bevrijdingsdag (5 May, every year),
//! Hemelvaartsdag, 1e en 2e Pinksterdag, 1e en 2e Kerstdag. Goede Vrijdag is a public holiday
//! in name but not a general day off, so it is off by default ([`HolidayRules::good_friday`]).
//! Easter follows the Gregorian computus (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
//!
//! Working days are calendar days, counted without hours, so a daylight-saving change never
//! makes a day longer or shorter here. The day a moment falls on is its Dutch day
//! ([`crate::domain::dutch_time::date_of`]): a dispute raised at 23:30 UTC on a summer
//! Sunday was raised on Monday, and its response time counts from Monday.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Which days count as days off, besides weekends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayRules {
    /// Count Goede Vrijdag (Good Friday) as a day off. Not a general day off; default `false`.
    pub good_friday: bool,
    /// When Bevrijdingsdag (5 May) is a day off. Government: every year (the default).
    pub liberation_day: LiberationDay,
    /// Organisation-specific days off (bridge days, a closing week), named "Extra vrije dag".
    pub extra_days: Vec<NaiveDate>,
}

/// When Bevrijdingsdag (5 May) is a day off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LiberationDay {
    /// Every year (central government).
    #[default]
    EveryYear,
    /// Only in lustrum years (2025, 2030, ...), as in many collective labour agreements.
    LustrumOnly,
    /// Never a day off.
    Never,
}

impl Default for HolidayRules {
    fn default() -> Self {
        Self {
            good_friday: false,
            liberation_day: LiberationDay::EveryYear,
            extra_days: Vec::new(),
        }
    }
}

/// Easter Sunday (1e Paasdag) of a Gregorian year; `None` outside chrono's date range.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The days off of `year` under `rules`, sorted by date, with their Dutch names.
pub fn holidays(year: i32, rules: &HolidayRules) -> Vec<(NaiveDate, &'static str)> {
    let mut days: Vec<(Option<NaiveDate>, &'static str)> = Vec::new();
    let fixed = |month: u32, day: u32| NaiveDate::from_ymd_opt(year, month, day);
    days.push((fixed(1, 1), "Nieuwjaarsdag"));
    if let Some(easter) = easter_sunday(year) {
        let offset = |n: i64| {
            let magnitude = Days::new(n.unsigned_abs());
            if n < 0 {
                easter.checked_sub_days(magnitude)
            } else {
                easter.checked_add_days(magnitude)
            }
        };
        if rules.good_friday {
            days.push((offset(-2), "Goede Vrijdag"));
        }
        days.push((Some(easter), "Eerste Paasdag"));
        days.push((offset(1), "Tweede Paasdag"));
        days.push((offset(39), "Hemelvaartsdag"));
        days.push((offset(49), "Eerste Pinksterdag"));
        days.push((offset(50), "Tweede Pinksterdag"));
    }
    days.push(kings_day(year));
    let liberation = match rules.liberation_day {
        LiberationDay::EveryYear => true,
        LiberationDay::LustrumOnly => year.rem_euclid(5) == 0,
        LiberationDay::Never => false,
    };
    if liberation {
        days.push((fixed(5, 5), "Bevrijdingsdag"));
    }
    days.push((fixed(12, 25), "Eerste Kerstdag"));
    days.push((fixed(12, 26), "Tweede Kerstdag"));
    for extra in rules.extra_days.iter().filter(|d| d.year() == year) {
        days.push((Some(*extra), "Extra vrije dag"));
    }
    let mut days: Vec<(NaiveDate, &'static str)> = days
        .into_iter()
        .filter_map(|(date, name)| date.map(|d| (d, name)))
        .collect();
    days.sort_by_key(|(date, _)| *date);
    days
}

/// Koningsdag (27 April, 26 when the 27th is a Sunday); Koninginnedag before 2014.
fn kings_day(year: i32) -> (Option<NaiveDate>, &'static str) {
    let (day, name) = if year >= 2014 {
        (27, "Koningsdag")
    } else {
        (30, "Koninginnedag")
    };
    let date = NaiveDate::from_ymd_opt(year, 4, day).map(|d| {
        if d.weekday() == Weekday::Sun {
            d.pred_opt().unwrap_or(d)
        } else {
            d
        }
    });
    (date, name)
}

/// Whether `date` is Monday to Friday and not a day off under `rules`.
pub fn is_working_day(date: NaiveDate, rules: &HolidayRules) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        && !holidays(date.year(), rules)
            .iter()
            .any(|(day, _)| *day == date)
}

/// The date `n` working days after `date` (before it when `n` is negative). `n = 0` returns
/// `date` itself, even when it is not a working day. Stops at the edge of chrono's range.
pub fn add_working_days(date: NaiveDate, n: i64, rules: &HolidayRules) -> NaiveDate {
    let mut calendar = YearCache::new(rules);
    let mut current = date;
    let mut remaining = n.unsigned_abs();
    while remaining > 0 {
        let next = if n < 0 {
            current.pred_opt()
        } else {
            current.succ_opt()
        };
        let Some(next) = next else {
            return current;
        };
        current = next;
        if calendar.is_working_day(current) {
            remaining -= 1;
        }
    }
    current
}

/// The number of working days `d` with `a < d <= b`; negative (the count with `b < d <= a`)
/// when `b` is before `a`. So `add_working_days(a, working_days_between(a, b))` is `b` whenever
/// `b` is a working day.
pub fn working_days_between(a: NaiveDate, b: NaiveDate, rules: &HolidayRules) -> i64 {
    let (from, to, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
    let mut calendar = YearCache::new(rules);
    let mut count = 0;
    let mut current = from;
    while current < to {
        let Some(next) = current.succ_opt() else {
            break;
        };
        current = next;
        if calendar.is_working_day(current) {
            count += 1;
        }
    }
    sign * count
}

/// Holidays of the year last asked for, so long walks do not recompute them per day.
struct YearCache<'a> {
    rules: &'a HolidayRules,
    year: Option<i32>,
    days: Vec<NaiveDate>,
}

impl<'a> YearCache<'a> {
    fn new(rules: &'a HolidayRules) -> Self {
        Self {
            rules,
            year: None,
            days: Vec::new(),
        }
    }

    fn is_working_day(&mut self, date: NaiveDate) -> bool {
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            return false;
        }
        if self.year != Some(date.year()) {
            self.year = Some(date.year());
            self.days = holidays(date.year(), self.rules)
                .into_iter()
                .map(|(d, _)| d)
                .collect();
        }
        !self.days.contains(&date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn find(year: i32, rules: &HolidayRules, name: &str) -> Option<NaiveDate> {
        holidays(year, rules)
            .into_iter()
            .find(|(_, n)| *n == name)
            .map(|(date, _)| date)
    }

    #[test]
    fn easter_sunday_matches_known_dates() {
        for (year, month, day) in [
            (2000, 4, 23),
            (2019, 4, 21),
            (2022, 4, 17),
            (2023, 4, 9),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
        ] {
            assert_eq!(easter_sunday(year), Some(d(year, month, day)), "{year}");
        }
    }

    #[test]
    fn holidays_2024_with_default_rules() {
        let got = holidays(2024, &HolidayRules::default());
        let expected = vec![
            (d(2024, 1, 1), "Nieuwjaarsdag"),
            (d(2024, 3, 31), "Eerste Paasdag"),
            (d(2024, 4, 1), "Tweede Paasdag"),
            (d(2024, 4, 27), "Koningsdag"),
            (d(2024, 5, 5), "Bevrijdingsdag"),
            (d(2024, 5, 9), "Hemelvaartsdag"),
            (d(2024, 5, 19), "Eerste Pinksterdag"),
            (d(2024, 5, 20), "Tweede Pinksterdag"),
            (d(2024, 12, 25), "Eerste Kerstdag"),
            (d(2024, 12, 26), "Tweede Kerstdag"),
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn kings_day_moves_to_saturday_when_the_27th_is_a_sunday() {
        let rules = HolidayRules::default();
        assert_eq!(find(2025, &rules, "Koningsdag"), Some(d(2025, 4, 26)));
        assert_eq!(find(2026, &rules, "Koningsdag"), Some(d(2026, 4, 27)));
        assert_eq!(find(2014, &rules, "Koningsdag"), Some(d(2014, 4, 26)));
        assert_eq!(find(2013, &rules, "Koninginnedag"), Some(d(2013, 4, 30)));
    }

    #[test]
    fn ascension_and_pentecost_follow_easter() {
        let rules = HolidayRules::default();
        assert_eq!(find(2025, &rules, "Hemelvaartsdag"), Some(d(2025, 5, 29)));
        assert_eq!(
            find(2025, &rules, "Tweede Pinksterdag"),
            Some(d(2025, 6, 9))
        );
        assert_eq!(find(2026, &rules, "Hemelvaartsdag"), Some(d(2026, 5, 14)));
        assert_eq!(find(2026, &rules, "Tweede Paasdag"), Some(d(2026, 4, 6)));
    }

    #[test]
    fn good_friday_is_configurable_and_off_by_default() {
        let default = HolidayRules::default();
        assert_eq!(find(2024, &default, "Goede Vrijdag"), None);
        assert!(is_working_day(d(2024, 3, 29), &default));
        let with = HolidayRules {
            good_friday: true,
            ..HolidayRules::default()
        };
        assert_eq!(find(2024, &with, "Goede Vrijdag"), Some(d(2024, 3, 29)));
        assert!(!is_working_day(d(2024, 3, 29), &with));
    }

    #[test]
    fn liberation_day_rules() {
        let lustrum = HolidayRules {
            liberation_day: LiberationDay::LustrumOnly,
            ..HolidayRules::default()
        };
        assert_eq!(find(2025, &lustrum, "Bevrijdingsdag"), Some(d(2025, 5, 5)));
        assert_eq!(find(2026, &lustrum, "Bevrijdingsdag"), None);
        assert!(!is_working_day(d(2026, 5, 5), &HolidayRules::default()));
        assert!(is_working_day(d(2026, 5, 5), &lustrum));
        let never = HolidayRules {
            liberation_day: LiberationDay::Never,
            ..HolidayRules::default()
        };
        assert_eq!(find(2025, &never, "Bevrijdingsdag"), None);
    }

    #[test]
    fn extra_days_are_days_off_in_their_own_year() {
        let rules = HolidayRules {
            extra_days: vec![d(2025, 5, 30)],
            ..HolidayRules::default()
        };
        assert!(!is_working_day(d(2025, 5, 30), &rules));
        assert_eq!(find(2026, &rules, "Extra vrije dag"), None);
    }

    #[test]
    fn weekends_and_holidays_are_not_working_days() {
        let rules = HolidayRules::default();
        assert!(is_working_day(d(2025, 5, 28), &rules)); // Wednesday
        assert!(!is_working_day(d(2025, 5, 29), &rules)); // Hemelvaartsdag
        assert!(!is_working_day(d(2025, 5, 31), &rules)); // Saturday
        assert!(!is_working_day(d(2025, 6, 1), &rules)); // Sunday
        assert!(!is_working_day(d(2025, 12, 25), &rules));
    }

    #[test]
    fn fifteen_working_days_before_a_due_date_across_ascension_and_pentecost() {
        let rules = HolidayRules::default();
        let due = d(2025, 6, 13); // Friday
        let start = add_working_days(due, -15, &rules);
        assert_eq!(start, d(2025, 5, 21));
        assert_eq!(working_days_between(start, due, &rules), 15);
        assert_eq!(working_days_between(due, start, &rules), -15);
        assert_eq!(add_working_days(start, 15, &rules), due);
    }

    #[test]
    fn adding_working_days_skips_weekends_and_year_end() {
        let rules = HolidayRules::default();
        assert_eq!(add_working_days(d(2025, 6, 6), 1, &rules), d(2025, 6, 10));
        assert_eq!(
            add_working_days(d(2024, 12, 24), 1, &rules),
            d(2024, 12, 27)
        );
        assert_eq!(add_working_days(d(2024, 12, 27), 3, &rules), d(2025, 1, 2));
        assert_eq!(add_working_days(d(2025, 1, 2), -2, &rules), d(2024, 12, 30));
        assert_eq!(add_working_days(d(2025, 5, 31), 0, &rules), d(2025, 5, 31));
    }

    #[test]
    fn working_days_across_the_daylight_saving_changes() {
        use crate::domain::dutch_time::{at_local_hour, date_of};
        use chrono::{DateTime, Utc};
        let rules = HolidayRules::default();
        let utc = |raw: &str| {
            DateTime::parse_from_rfc3339(raw)
                .unwrap()
                .with_timezone(&Utc)
        };
        // Summer time starts on Sunday 29 March 2026: Friday 27 March to Monday 30 March is
        // one working day, Friday 27 March to Friday 3 April five (Goede Vrijdag is a working
        // day by default).
        assert_eq!(
            working_days_between(d(2026, 3, 27), d(2026, 3, 30), &rules),
            1
        );
        assert_eq!(
            working_days_between(d(2026, 3, 27), d(2026, 4, 3), &rules),
            5
        );
        assert_eq!(add_working_days(d(2026, 3, 27), 1, &rules), d(2026, 3, 30));
        // Winter time comes back on Sunday 25 October 2026.
        assert_eq!(
            working_days_between(d(2026, 10, 23), d(2026, 10, 26), &rules),
            1
        );
        assert_eq!(
            add_working_days(d(2026, 10, 26), -1, &rules),
            d(2026, 10, 23)
        );
        // 23:30 UTC on Sunday 29 March is 01:30 on Monday in Amsterdam: Monday's deadline of
        // five working days is Monday 6 April (Tweede Paasdag) passed over: Tuesday 7 April.
        let raised = date_of(utc("2026-03-29T23:30:00Z"));
        assert_eq!(raised, d(2026, 3, 30));
        assert_eq!(add_working_days(raised, 5, &rules), d(2026, 4, 7));
        // The morning hour of both Fridays and both Mondays around a change is one working day
        // apart, whatever the UTC hours are (07:00 before, 06:00 after in spring).
        let friday = at_local_hour(d(2026, 3, 27), 8);
        let monday = at_local_hour(d(2026, 3, 30), 8);
        assert_eq!(friday, utc("2026-03-27T07:00:00Z"));
        assert_eq!(monday, utc("2026-03-30T06:00:00Z"));
        assert_eq!(
            working_days_between(date_of(friday), date_of(monday), &rules),
            1
        );
        let friday = at_local_hour(d(2026, 10, 23), 8);
        let monday = at_local_hour(d(2026, 10, 26), 8);
        assert_eq!(friday, utc("2026-10-23T06:00:00Z"));
        assert_eq!(monday, utc("2026-10-26T07:00:00Z"));
        assert_eq!(
            working_days_between(date_of(friday), date_of(monday), &rules),
            1
        );
        // 22:30 UTC on Friday 23 October (CEST) is already Saturday in Amsterdam; an hour
        // later in winter, 22:30 UTC on Friday 30 October is still Friday.
        assert_eq!(date_of(utc("2026-10-23T22:30:00Z")), d(2026, 10, 24));
        assert_eq!(date_of(utc("2026-10-30T22:30:00Z")), d(2026, 10, 30));
        assert!(!is_working_day(
            date_of(utc("2026-10-23T22:30:00Z")),
            &rules
        ));
        assert!(is_working_day(date_of(utc("2026-10-30T22:30:00Z")), &rules));
    }

    #[test]
    fn working_days_between_is_antisymmetric_and_zero_on_the_same_day() {
        let rules = HolidayRules::default();
        let a = d(2024, 1, 1);
        assert_eq!(working_days_between(a, a, &rules), 0);
        let b = d(2024, 12, 31);
        // 2024 has 262 weekdays; 6 holidays fall on one (1 Jan, 1 Apr, 9 May, 20 May, 25 and
        // 26 Dec). 27 April and 5 May fall in the weekend. 1 January is the excluded start anyway.
        assert_eq!(working_days_between(a, b, &rules), 256);
        assert_eq!(working_days_between(b, a, &rules), -256);
    }
}
