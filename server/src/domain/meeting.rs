//! Meetings of a body, without IO: kinds and statuses as stored names, the checks a meeting
//! must pass (it ends after it starts, lasts at most 24 hours, links only over `https`), which
//! changes raise its iCalendar `SEQUENCE`, local times (`YYYY-MM-DDTHH:MM`, Europe/Amsterdam)
//! and agenda reordering.
//!
//! Local times are read in [`dutch_time::ZONE`]. A time in the spring gap (the last Sunday of
//! March, 02:00–03:00) does not exist and is refused; a time in the autumn hour that comes
//! twice (the last Sunday of October, 02:00–03:00) means the earlier one, still summer time.

use chrono::{DateTime, Datelike, LocalResult, NaiveDateTime, TimeZone, Utc};

use crate::domain::dutch_time;
use crate::domain::validate::Invalid;

crate::domain::stored_names! {
    /// What kind of meeting (or series) it is.
    pub enum MeetingKind {
        /// A plenary meeting of the body.
        Plenary = "plenary",
        /// A small meeting of a few members.
        PetitComite = "petit_comite",
        /// A theme table (thematafel).
        ThemeTable = "theme_table",
        /// A directors' day (bestuurdersdag).
        DirectorsDay = "directors_day",
        /// The administrative consultation of the IZA (BO-IZA).
        BoIza = "bo_iza",
        /// A quarterly consultation.
        Quarterly = "quarterly",
        /// A meeting of two parties.
        Bilateral = "bilateral",
        /// Anything else.
        Other = "other",
    }
}

crate::domain::stored_names! {
    /// Where a meeting stands.
    pub enum MeetingStatus {
        /// Scheduled.
        Gepland = "gepland",
        /// Tentative: the date is not yet certain.
        Voorlopig = "voorlopig",
        /// Cancelled; it stays in the calendars as cancelled.
        Geannuleerd = "geannuleerd",
    }
}

impl MeetingStatus {
    /// The RFC 5545 `STATUS` of the meeting's event.
    pub fn ical(self) -> &'static str {
        match self {
            MeetingStatus::Gepland => "CONFIRMED",
            MeetingStatus::Voorlopig => "TENTATIVE",
            MeetingStatus::Geannuleerd => "CANCELLED",
        }
    }

    /// The status in words, for packs and notifications.
    pub fn label(self) -> &'static str {
        match self {
            MeetingStatus::Gepland => "gepland",
            MeetingStatus::Voorlopig => "voorlopig",
            MeetingStatus::Geannuleerd => "geannuleerd",
        }
    }
}

crate::domain::stored_names! {
    /// What an agenda item is about.
    pub enum AgendaKind {
        /// Free text (a title is required).
        Item = "item",
        /// A version of an advice draft.
        Version = "version",
        /// A milestone.
        Milestone = "milestone",
        /// A dispute.
        Dispute = "dispute",
        /// A decision request.
        DecisionRequest = "decision_request",
    }
}

/// The longest a meeting may last.
pub const MAX_DURATION_MS: i64 = 24 * 60 * 60 * 1000;

/// Most agenda items of one meeting.
pub const MAX_AGENDA_ITEMS: usize = 100;

/// Longest online link.
pub const MAX_URL_CHARS: usize = 2000;

/// Reads `YYYY-MM-DDTHH:MM` as Dutch local time.
///
/// # Errors
/// [`Invalid`] for another form, a date or time that does not exist, or a time in the spring
/// daylight-saving gap.
pub fn parse_local(field: &'static str, raw: &str) -> Result<DateTime<Utc>, Invalid> {
    let invalid = |message: &str| Invalid {
        field,
        message: message.to_owned(),
    };
    let raw = raw.trim();
    if raw.len() != 16 {
        return Err(invalid(
            "must be a Dutch local time written YYYY-MM-DDTHH:MM, for example 2027-01-12T10:00",
        ));
    }
    let wall = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M").map_err(|_| {
        invalid("must be a Dutch local time written YYYY-MM-DDTHH:MM, for example 2027-01-12T10:00")
    })?;
    if !(2000..=2100).contains(&wall.year()) {
        return Err(invalid("must fall in the years 2000 to 2100"));
    }
    match dutch_time::ZONE.from_local_datetime(&wall) {
        LocalResult::Single(moment) | LocalResult::Ambiguous(moment, _) => {
            Ok(moment.with_timezone(&Utc))
        }
        LocalResult::None => Err(invalid(
            "does not exist in Dutch time: the clocks move from 02:00 to 03:00 that night; pick another time",
        )),
    }
}

/// A stored moment (Unix ms) as Dutch local time `YYYY-MM-DDTHH:MM`.
pub fn format_local(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|m| dutch_time::local(m).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

const WEEKDAYS: [&str; 7] = [
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];

/// The Dutch day of a moment written out, e.g. `dinsdag 12 januari 2027`.
pub fn dutch_day(ms: i64) -> String {
    let Some(moment) = DateTime::from_timestamp_millis(ms) else {
        return String::new();
    };
    let local = dutch_time::local(moment);
    format!(
        "{} {} {} {}",
        WEEKDAYS[local.weekday().num_days_from_monday() as usize],
        local.day(),
        MONTHS[local.month0() as usize],
        local.year()
    )
}

/// When a meeting is, in words: `dinsdag 12 januari 2027, 10:00–12:00` (with both days when
/// it ends on another day).
pub fn dutch_when(starts_ms: i64, ends_ms: i64) -> String {
    let time = |ms: i64| format_local(ms).get(11..).unwrap_or_default().to_owned();
    let (start_day, end_day) = (
        dutch_time::date_of_millis(starts_ms),
        dutch_time::date_of_millis(ends_ms),
    );
    if start_day == end_day {
        format!(
            "{}, {}–{}",
            dutch_day(starts_ms),
            time(starts_ms),
            time(ends_ms)
        )
    } else {
        format!(
            "{}, {} – {}, {}",
            dutch_day(starts_ms),
            time(starts_ms),
            dutch_day(ends_ms),
            time(ends_ms)
        )
    }
}

/// The title of a meeting's minutes draft: `Verslag <title> <day>` (`12-01-2027`).
pub fn minutes_title(title: &str, starts_ms: i64) -> String {
    let day = dutch_time::date_of_millis(starts_ms);
    format!("Verslag {} {}", title.trim(), day.format("%d-%m-%Y"))
}

/// Checks that a meeting ends after it starts and lasts at most 24 hours.
///
/// # Errors
/// [`Invalid`] on `ends`.
pub fn check_times(starts_ms: i64, ends_ms: i64) -> Result<(), Invalid> {
    if ends_ms <= starts_ms {
        return Err(Invalid {
            field: "ends",
            message: "must be after the start".to_owned(),
        });
    }
    if ends_ms - starts_ms > MAX_DURATION_MS {
        return Err(Invalid {
            field: "ends",
            message: "a meeting lasts at most 24 hours".to_owned(),
        });
    }
    Ok(())
}

/// Checks an online meeting link: `https://` with a host, no spaces, at most 2000 characters.
/// Polder never fetches it.
///
/// # Errors
/// [`Invalid`] on `online_url`.
pub fn check_online_url(raw: &str) -> Result<String, Invalid> {
    let url = raw.trim();
    let invalid = |message: &str| Invalid {
        field: "online_url",
        message: message.to_owned(),
    };
    if url.chars().count() > MAX_URL_CHARS {
        return Err(invalid("may be at most 2000 characters long"));
    }
    let Some(rest) = url.strip_prefix("https://") else {
        return Err(invalid(
            "must be an https:// link, for example https://vergaderen.example.nl/abc",
        ));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(
            "must be an https:// link with a host and without spaces",
        ));
    }
    Ok(url.to_owned())
}

/// What a calendar shows of a meeting: a change to any of these raises its `SEQUENCE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown<'a> {
    /// Title.
    pub title: &'a str,
    /// Start, Unix ms.
    pub starts_at: i64,
    /// End, Unix ms.
    pub ends_at: i64,
    /// Place.
    pub place: Option<&'a str>,
    /// Online link.
    pub online_url: Option<&'a str>,
    /// Status.
    pub status: MeetingStatus,
}

/// Whether going from `old` to `new` must raise the iCalendar `SEQUENCE`: a change of time,
/// place, link, title or status does; the kind or the series does not.
pub fn raises_sequence(old: &Shown<'_>, new: &Shown<'_>) -> bool {
    old != new
}

/// Whether members must be told of the change: the time or the place (or link) moved.
pub fn moved(old: &Shown<'_>, new: &Shown<'_>) -> bool {
    old.starts_at != new.starts_at
        || old.ends_at != new.ends_at
        || old.place != new.place
        || old.online_url != new.online_url
}

/// The agenda after moving item `moving` to `position` (1-based; beyond the end means last):
/// the ids in their new order. The others keep their order and shift. `None` when `moving`
/// is not on the agenda.
pub fn reorder(ids: &[i64], moving: i64, position: usize) -> Option<Vec<i64>> {
    let from = ids.iter().position(|id| *id == moving)?;
    let mut out = ids.to_vec();
    let item = out.remove(from);
    let to = position.max(1).min(out.len() + 1) - 1;
    out.insert(to, item);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(rfc3339: &str) -> i64 {
        DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn local_times_are_read_in_amsterdam_winter_and_summer() {
        assert_eq!(
            parse_local("starts", "2027-01-12T10:00")
                .unwrap()
                .timestamp_millis(),
            ms("2027-01-12T09:00:00Z")
        );
        assert_eq!(
            parse_local("starts", "2024-06-20T14:00")
                .unwrap()
                .timestamp_millis(),
            ms("2024-06-20T12:00:00Z")
        );
        assert_eq!(format_local(ms("2027-01-12T09:00:00Z")), "2027-01-12T10:00");
        assert_eq!(format_local(ms("2024-06-20T12:00:00Z")), "2024-06-20T14:00");
    }

    #[test]
    fn a_time_in_the_spring_gap_is_refused_and_the_autumn_hour_is_the_earlier() {
        // 2026: summer time starts Sunday 29 March, ends Sunday 25 October.
        let gap = parse_local("starts", "2026-03-29T02:30").unwrap_err();
        assert_eq!(gap.field, "starts");
        assert!(gap.message.contains("does not exist"), "{}", gap.message);
        assert!(parse_local("starts", "2026-03-29T03:00").is_ok());
        assert_eq!(
            parse_local("starts", "2026-10-25T02:30")
                .unwrap()
                .timestamp_millis(),
            ms("2026-10-25T00:30:00Z"),
            "the earlier 02:30 (CEST)"
        );
        assert_eq!(format_local(ms("2026-10-25T01:30:00Z")), "2026-10-25T02:30");
    }

    #[test]
    fn other_forms_and_impossible_dates_are_refused() {
        for raw in [
            "2027-01-12 10:00",
            "2027-01-12T10:00:00",
            "12-01-2027T10:00",
            "2027-02-30T10:00",
            "2027-01-12T24:00",
            "",
            "1850-01-01T10:00",
        ] {
            assert!(parse_local("starts", raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn a_meeting_ends_after_it_starts_within_a_day() {
        let start = ms("2027-01-12T09:00:00Z");
        assert!(check_times(start, start + 7_200_000).is_ok());
        assert!(check_times(start, start + MAX_DURATION_MS).is_ok());
        assert_eq!(check_times(start, start).unwrap_err().field, "ends");
        assert!(check_times(start, start - 1).is_err());
        assert!(check_times(start, start + MAX_DURATION_MS + 1)
            .unwrap_err()
            .message
            .contains("24 hours"));
    }

    #[test]
    fn online_links_are_https_with_a_host() {
        assert_eq!(
            check_online_url(" https://vergaderen.example.nl/ttpz ").unwrap(),
            "https://vergaderen.example.nl/ttpz"
        );
        for bad in [
            "http://vergaderen.example.nl",
            "https://",
            "https:///pad",
            "javascript:alert(1)",
            "https://a b.nl",
            "ftp://x",
        ] {
            assert_eq!(
                check_online_url(bad).unwrap_err().field,
                "online_url",
                "{bad}"
            );
        }
        let long = format!("https://x.nl/{}", "a".repeat(MAX_URL_CHARS));
        assert!(check_online_url(&long).is_err());
    }

    #[test]
    fn what_a_calendar_shows_raises_the_sequence_and_moves_tell_members() {
        let old = Shown {
            title: "Thematafel",
            starts_at: 1,
            ends_at: 2,
            place: Some("Den Haag"),
            online_url: None,
            status: MeetingStatus::Gepland,
        };
        assert!(!raises_sequence(&old, &old.clone()));
        let later = Shown {
            starts_at: 5,
            ends_at: 6,
            ..old.clone()
        };
        assert!(raises_sequence(&old, &later) && moved(&old, &later));
        let renamed = Shown {
            title: "Thematafel januari",
            ..old.clone()
        };
        assert!(raises_sequence(&old, &renamed) && !moved(&old, &renamed));
        let tentative = Shown {
            status: MeetingStatus::Voorlopig,
            ..old.clone()
        };
        assert!(raises_sequence(&old, &tentative) && !moved(&old, &tentative));
        let online = Shown {
            online_url: Some("https://x.nl"),
            ..old.clone()
        };
        assert!(raises_sequence(&old, &online) && moved(&old, &online));
    }

    #[test]
    fn statuses_map_to_ical() {
        assert_eq!(MeetingStatus::Gepland.ical(), "CONFIRMED");
        assert_eq!(MeetingStatus::Voorlopig.ical(), "TENTATIVE");
        assert_eq!(MeetingStatus::Geannuleerd.ical(), "CANCELLED");
        assert_eq!(MeetingKind::parse("bo_iza"), Some(MeetingKind::BoIza));
        assert_eq!(MeetingKind::NAMES.len(), 8);
        assert_eq!(
            AgendaKind::parse("decision_request"),
            Some(AgendaKind::DecisionRequest)
        );
    }

    #[test]
    fn reordering_moves_one_item_and_shifts_the_others() {
        let ids = [10, 20, 30, 40];
        assert_eq!(reorder(&ids, 40, 1), Some(vec![40, 10, 20, 30]));
        assert_eq!(reorder(&ids, 10, 3), Some(vec![20, 30, 10, 40]));
        assert_eq!(reorder(&ids, 20, 2), Some(ids.to_vec()));
        assert_eq!(reorder(&ids, 20, 99), Some(vec![10, 30, 40, 20]));
        assert_eq!(reorder(&ids, 20, 0), Some(vec![20, 10, 30, 40]));
        assert_eq!(reorder(&ids, 99, 1), None);
    }

    #[test]
    fn days_and_titles_are_written_in_dutch() {
        let start = ms("2027-01-12T09:00:00Z");
        assert_eq!(dutch_day(start), "dinsdag 12 januari 2027");
        assert_eq!(
            dutch_when(start, start + 7_200_000),
            "dinsdag 12 januari 2027, 10:00–12:00"
        );
        assert_eq!(
            minutes_title(" Thematafel januari ", start),
            "Verslag Thematafel januari 12-01-2027"
        );
        // 23:30 UTC on 30 June is already 1 July in Amsterdam
        assert_eq!(dutch_day(ms("2024-06-30T23:30:00Z")), "maandag 1 juli 2024");
    }
}
