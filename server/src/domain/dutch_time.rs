//! Dutch local time: the one place that knows Polder's working groups live in
//! Europe/Amsterdam.
//!
//! Moments are stored and compared in UTC; every *date* rule works on the Dutch calendar day
//! of a moment. "Today" flips at midnight in Amsterdam, not at midnight UTC (23:30 UTC on a
//! summer evening is already the next day), and reminders fall due at a local morning hour:
//! 08:00 is 07:00 UTC in winter (CET, UTC+1) and 06:00 UTC in summer (CEST, UTC+2). Daylight
//! saving time starts on the last Sunday of March (02:00 becomes 03:00) and ends on the last
//! Sunday of October (03:00 becomes 02:00 again).
//!
//! The zone's rules come from the IANA time zone database compiled into the binary (the
//! `chrono-tz` crate), so the server's own time zone setting plays no part.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// The time zone of every date rule: Europe/Amsterdam.
pub const ZONE: Tz = chrono_tz::Europe::Amsterdam;

/// The IANA name of [`ZONE`], as written into calendar feeds and the client.
pub const ZONE_NAME: &str = "Europe/Amsterdam";

/// A moment as a Dutch wall-clock time.
pub fn local(moment: DateTime<Utc>) -> DateTime<Tz> {
    moment.with_timezone(&ZONE)
}

/// The Dutch calendar day of `moment`.
pub fn date_of(moment: DateTime<Utc>) -> NaiveDate {
    local(moment).date_naive()
}

/// The Dutch calendar day of a moment stored as Unix milliseconds (1 January 1970 for a value
/// outside chrono's range).
pub fn date_of_millis(ms: i64) -> NaiveDate {
    DateTime::from_timestamp_millis(ms)
        .map(date_of)
        .unwrap_or_default()
}

/// The Dutch hour (0–23) of `moment`.
pub fn hour_of(moment: DateTime<Utc>) -> u32 {
    local(moment).hour()
}

/// Today in the Netherlands.
pub fn today() -> NaiveDate {
    date_of(Utc::now())
}

/// The moment `date` at `hour`:00 Dutch time (hours above 23 count as 23).
///
/// The two hours that the daylight-saving changes disturb: on the last Sunday of March
/// 02:00–03:00 does not exist, and a time in it means the same time an hour later (02:00 is
/// 03:00 CEST, the first moment after the gap); on the last Sunday of October 02:00–03:00 comes
/// twice, and the earlier (still summer time) is meant.
pub fn at_local_hour(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    let Some(wall) = date.and_hms_opt(hour.min(23), 0, 0) else {
        return DateTime::<Utc>::default();
    };
    at_wall_clock(wall)
}

/// The moment a Dutch wall-clock time names; see [`at_local_hour`] for the hours around the
/// daylight-saving changes.
pub fn at_wall_clock(wall: NaiveDateTime) -> DateTime<Utc> {
    match ZONE.from_local_datetime(&wall) {
        LocalResult::Single(moment) | LocalResult::Ambiguous(moment, _) => {
            moment.with_timezone(&Utc)
        }
        // In the spring gap: the clocks jump forward by one hour, so does the time.
        LocalResult::None => match ZONE.from_local_datetime(&(wall + Duration::hours(1))) {
            LocalResult::Single(moment) | LocalResult::Ambiguous(moment, _) => {
                moment.with_timezone(&Utc)
            }
            LocalResult::None => wall.and_utc(),
        },
    }
}

/// `moment` written as Dutch date and time to the minute, e.g. `2026-03-29 14:05`.
pub fn format_minute(moment: DateTime<Utc>) -> String {
    local(moment).format("%Y-%m-%d %H:%M").to_string()
}

/// `moment` written as Dutch date and time with the zone's abbreviation, e.g.
/// `2026-03-29 14:05 CEST` (CET in winter).
pub fn format_minute_with_zone(moment: DateTime<Utc>) -> String {
    local(moment).format("%Y-%m-%d %H:%M %Z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(raw: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(raw)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn eight_in_the_morning_is_seven_utc_in_winter_and_six_in_summer() {
        // 2026: summer time from Sunday 29 March, winter time again from Sunday 25 October.
        assert_eq!(
            at_local_hour(d(2026, 3, 28), 8),
            utc("2026-03-28T07:00:00Z")
        );
        assert_eq!(
            at_local_hour(d(2026, 3, 29), 8),
            utc("2026-03-29T06:00:00Z")
        );
        assert_eq!(
            at_local_hour(d(2026, 3, 30), 8),
            utc("2026-03-30T06:00:00Z")
        );
        assert_eq!(
            at_local_hour(d(2026, 10, 24), 8),
            utc("2026-10-24T06:00:00Z")
        );
        assert_eq!(
            at_local_hour(d(2026, 10, 25), 8),
            utc("2026-10-25T07:00:00Z")
        );
        assert_eq!(
            at_local_hour(d(2026, 12, 1), 8),
            utc("2026-12-01T07:00:00Z")
        );
    }

    #[test]
    fn the_hours_the_changes_skip_or_repeat() {
        // 02:00 on 29 March 2026 does not exist: it is 03:00 CEST, 01:00 UTC.
        assert_eq!(
            at_local_hour(d(2026, 3, 29), 2),
            utc("2026-03-29T01:00:00Z")
        );
        assert_eq!(
            at_local_hour(d(2026, 3, 29), 3),
            utc("2026-03-29T01:00:00Z")
        );
        // 02:00 on 25 October 2026 comes twice: the first, still CEST, is 00:00 UTC.
        assert_eq!(
            at_local_hour(d(2026, 10, 25), 2),
            utc("2026-10-25T00:00:00Z")
        );
        assert_eq!(
            at_local_hour(d(2026, 10, 25), 3),
            utc("2026-10-25T02:00:00Z")
        );
        assert_eq!(
            at_local_hour(d(2026, 10, 25), 99),
            utc("2026-10-25T22:00:00Z")
        );
    }

    #[test]
    fn today_flips_at_midnight_in_amsterdam() {
        // Summer: midnight is 22:00 UTC.
        assert_eq!(date_of(utc("2026-07-14T21:59:59Z")), d(2026, 7, 14));
        assert_eq!(date_of(utc("2026-07-14T22:00:00Z")), d(2026, 7, 15));
        assert_eq!(date_of(utc("2026-07-14T23:30:00Z")), d(2026, 7, 15));
        // Winter: midnight is 23:00 UTC.
        assert_eq!(date_of(utc("2026-12-31T22:59:59Z")), d(2026, 12, 31));
        assert_eq!(date_of(utc("2026-12-31T23:00:00Z")), d(2027, 1, 1));
        assert_eq!(
            date_of_millis(utc("2026-03-28T23:30:00Z").timestamp_millis()),
            d(2026, 3, 29)
        );
        assert_eq!(hour_of(utc("2026-03-29T06:00:00Z")), 8);
        assert_eq!(hour_of(utc("2026-03-28T06:00:00Z")), 7);
    }

    #[test]
    fn formatted_times_are_dutch_wall_clock_times() {
        assert_eq!(
            format_minute(utc("2026-03-29T12:05:00Z")),
            "2026-03-29 14:05"
        );
        assert_eq!(
            format_minute_with_zone(utc("2026-01-15T12:05:00Z")),
            "2026-01-15 13:05 CET"
        );
        assert_eq!(
            format_minute_with_zone(utc("2026-06-15T12:05:00Z")),
            "2026-06-15 14:05 CEST"
        );
    }

    proptest! {
        /// For every day of 1990–2100 and every hour: the moment lies on that Dutch day, at that
        /// hour (or, in the one spring gap, an hour later), one or two hours ahead of UTC.
        #[test]
        fn a_local_hour_is_on_its_own_day_at_its_own_hour(days in 0i64..40_177, hour in 0u32..24) {
            let date = d(1990, 1, 1) + Duration::days(days);
            let moment = at_local_hour(date, hour);
            prop_assert_eq!(date_of(moment), date);
            let local_hour = hour_of(moment);
            prop_assert!(local_hour == hour || (hour == 2 && local_hour == 3), "{date} {hour}: {local_hour}");
            let offset = local(moment).naive_local() - moment.naive_utc();
            prop_assert!(offset == Duration::hours(1) || offset == Duration::hours(2));
        }

        /// The morning hours never meet a change: 08:00 is 07:00 UTC from the last Sunday of
        /// October to the Saturday before the last Sunday of March, and 06:00 UTC otherwise
        /// (the rule since 1996).
        #[test]
        fn eight_oclock_follows_the_last_sundays(days in 0i64..38_000) {
            use chrono::{Datelike, Weekday};
            let date = d(1996, 1, 1) + Duration::days(days);
            let last_sunday = |month: u32| {
                let mut day = NaiveDate::from_ymd_opt(date.year(), month, 31).unwrap();
                while day.weekday() != Weekday::Sun {
                    day = day.pred_opt().unwrap();
                }
                day
            };
            let summer = date >= last_sunday(3) && date < last_sunday(10);
            let utc_hour = if summer { 6 } else { 7 };
            prop_assert_eq!(at_local_hour(date, 8), date.and_hms_opt(utc_hour, 0, 0).unwrap().and_utc());
        }
    }
}
