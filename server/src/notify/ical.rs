//! iCalendar feeds (RFC 5545) of due dates, one per person or party, served at a secret URL.
//!
//! Each [`CalendarItem`] becomes an all-day `VEVENT`: `DTSTART;VALUE=DATE` on the first day and
//! an exclusive `DTEND` the day after the last. Polder's dates are Dutch calendar days
//! ([`crate::domain::dutch_time`]); a `DATE` value has no time and no zone, so every calendar
//! shows it on that same day, on either side of a daylight-saving change, and the feed needs no
//! `VTIMEZONE`. Only `DTSTAMP` and `LAST-MODIFIED` are moments, written in UTC as RFC 5545
//! requires. The `UID` is the item's stable id with
//! `@polder` appended, so calendar clients update events instead of duplicating them, and
//! `DTSTAMP`/`LAST-MODIFIED` are the item's last change, so an unchanged feed renders to the
//! same bytes. Text escaping and line folding are done by the `icalendar` crate (0.17 escapes
//! `\`, `;`, `,` and line breaks in the TEXT properties it knows and in every `X-` property,
//! `X-WR-CALNAME` among them); `NAME` it does not know, so that one is escaped here. Carriage
//! returns become line breaks and other control characters are dropped first, so no value can
//! start a line of its own (tested with injection attempts and parsed back).

use chrono::{DateTime, Days, NaiveDate, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};

/// `Content-Type` to serve a feed with.
pub const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";

/// Product identifier written into every feed.
pub const PRODID: &str = "-//Polder//Polder notifications//NL";

/// How often clients should refresh a feed (RFC 7986 `REFRESH-INTERVAL`), ISO 8601 duration.
pub const REFRESH_INTERVAL: &str = "PT1H";

/// One dated thing in a feed, such as a milestone or a sign-off deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarItem {
    /// Stable id, unique within Polder, e.g. `"milestone-12"`; `@polder` is appended.
    pub uid: String,
    /// Event title.
    pub title: String,
    /// Event description, plain text.
    pub description: String,
    /// First day.
    pub start: NaiveDate,
    /// Last day (inclusive). A value before `start` is treated as `start`.
    pub end_inclusive: NaiveDate,
    /// Link to the item in Polder.
    pub url: Option<String>,
    /// Polder's status label (e.g. "Te laat"): written as `X-POLDER-STATUS` and as the first
    /// line of the description. RFC 5545 `STATUS` only allows TENTATIVE, CONFIRMED and
    /// CANCELLED, so it is not used for this.
    pub status: Option<String>,
    /// When the item last changed; used for `DTSTAMP` and `LAST-MODIFIED`.
    pub last_modified: DateTime<Utc>,
}

/// A meeting in a feed: a timed event (UTC `DTSTART`/`DTEND`) whose `SEQUENCE` rises with
/// every change a calendar must show, so clients update it; a cancelled meeting stays in the
/// feed with `STATUS:CANCELLED`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingEvent {
    /// Stable id, `meeting-{id}`; `@polder` is appended.
    pub uid: String,
    /// Title.
    pub title: String,
    /// Description, plain text.
    pub description: String,
    /// Start.
    pub starts: DateTime<Utc>,
    /// End.
    pub ends: DateTime<Utc>,
    /// The iCalendar sequence.
    pub sequence: u32,
    /// `CONFIRMED`, `TENTATIVE` or `CANCELLED`.
    pub status: &'static str,
    /// Place.
    pub location: Option<String>,
    /// Link (the online meeting, else the meeting in Polder).
    pub url: Option<String>,
    /// When it last changed; used for `DTSTAMP` and `LAST-MODIFIED`.
    pub last_modified: DateTime<Utc>,
}

/// Renders a complete `VCALENDAR` named `name` with one all-day event per item.
pub fn feed(name: &str, items: &[CalendarItem]) -> String {
    feed_with_meetings(name, items, &[])
}

/// Renders a complete `VCALENDAR` named `name` with one all-day event per item and one timed
/// event per meeting.
pub fn feed_with_meetings(name: &str, items: &[CalendarItem], meetings: &[MeetingEvent]) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", PRODID))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        // RFC 7986 NAME is not escaped by the crate (not a known TEXT property), so escape here.
        .append_property(Property::new("NAME", escape_text(&clean(name))))
        .append_property(Property::new("X-WR-CALNAME", clean(name)))
        .append_property(
            Property::new("REFRESH-INTERVAL", REFRESH_INTERVAL)
                .add_parameter("VALUE", "DURATION")
                .done(),
        )
        .append_property(Property::new("X-PUBLISHED-TTL", REFRESH_INTERVAL));
    for item in items {
        calendar.push(event(item));
    }
    for meeting in meetings {
        calendar.push(meeting_event(meeting));
    }
    calendar.done().to_string()
}

fn meeting_event(meeting: &MeetingEvent) -> Event {
    let status = match meeting.status {
        "TENTATIVE" => EventStatus::Tentative,
        "CANCELLED" => EventStatus::Cancelled,
        _ => EventStatus::Confirmed,
    };
    let mut event = Event::new();
    event
        .uid(&format!("{}@polder", clean(&meeting.uid)))
        .timestamp(meeting.last_modified)
        .last_modified(meeting.last_modified)
        .summary(&clean(&meeting.title))
        .description(&clean(meeting.description.trim()))
        .starts(meeting.starts)
        .ends(meeting.ends.max(meeting.starts))
        .sequence(meeting.sequence)
        .status(status);
    if let Some(location) = &meeting.location {
        event.location(&clean(location));
    }
    if let Some(url) = &meeting.url {
        event.url(&clean(url).replace(char::is_whitespace, ""));
    }
    event.done()
}

fn event(item: &CalendarItem) -> Event {
    let last_day = item.end_inclusive.max(item.start);
    let end_exclusive = last_day.checked_add_days(Days::new(1)).unwrap_or(last_day);
    let description = match &item.status {
        Some(status) => format!("Status: {}\n\n{}", status.trim(), item.description.trim()),
        None => item.description.trim().to_owned(),
    };
    let mut event = Event::new();
    event
        .uid(&format!("{}@polder", clean(&item.uid)))
        .timestamp(item.last_modified)
        .last_modified(item.last_modified)
        .summary(&clean(&item.title))
        .description(&clean(&description))
        .starts(item.start)
        .ends(end_exclusive)
        .add_property("TRANSP", "TRANSPARENT");
    if let Some(url) = &item.url {
        event.url(&clean(url).replace(char::is_whitespace, ""));
    }
    if let Some(status) = &item.status {
        event.add_property("X-POLDER-STATUS", clean(status));
    }
    event.done()
}

/// Normalizes line breaks to `\n` (escaped by the crate) and drops other control characters,
/// which TEXT values may not contain.
fn clean(input: &str) -> String {
    input
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
}

/// RFC 5545 §3.3.11 TEXT escaping, for properties the crate does not escape itself.
fn escape_text(input: &str) -> String {
    input
        .replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(';', "\\;")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use icalendar::DatePerhapsTime;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn items() -> Vec<CalendarItem> {
        vec![
            CalendarItem {
                uid: "milestone-12".to_owned(),
                title: "Advies; versie 2, definitief".to_owned(),
                description: "Eerste regel\r\nTweede regel, met komma; en puntkomma \\ backslash"
                    .to_owned(),
                start: date(2025, 3, 3),
                end_inclusive: date(2025, 3, 3),
                url: Some("https://polder.example/milestones/12".to_owned()),
                status: Some("Te laat".to_owned()),
                last_modified: Utc.with_ymd_and_hms(2025, 2, 1, 9, 30, 0).unwrap(),
            },
            CalendarItem {
                uid: "meeting-7".to_owned(),
                title: "Werkgroep Beter pakketbeheer — één sessie".to_owned(),
                description: String::new(),
                start: date(2025, 12, 30),
                end_inclusive: date(2025, 12, 31),
                url: None,
                status: None,
                last_modified: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
            },
        ]
    }

    #[test]
    fn feed_round_trips_through_the_parser() {
        let text = feed("Polder: ZIN, mijlpalen", &items());
        assert!(text.contains("\r\n"), "lines end in CRLF");
        assert!(text.contains("DTSTART;VALUE=DATE:20250303\r\n"), "{text}");
        assert!(text.contains("DTEND;VALUE=DATE:20250304\r\n"), "{text}");
        assert!(text.contains("DTEND;VALUE=DATE:20260101\r\n"), "{text}");
        assert!(text.contains("DTSTAMP:20250201T093000Z\r\n"), "{text}");
        assert!(
            text.contains("SUMMARY:Advies\\; versie 2\\, definitief\r\n"),
            "{text}"
        );
        assert!(
            text.contains("X-WR-CALNAME:Polder: ZIN\\, mijlpalen\r\n"),
            "{text}"
        );
        assert!(text.contains("NAME:Polder: ZIN\\, mijlpalen\r\n"), "{text}");
        assert!(text.contains(&format!("PRODID:{PRODID}\r\n")), "{text}");
        assert!(
            text.lines().all(|l| l.len() <= 75),
            "lines are folded: {text}"
        );

        let calendar: Calendar = text.parse().unwrap();
        assert_eq!(
            calendar.property_value("X-WR-CALNAME"),
            Some("Polder: ZIN, mijlpalen")
        );
        let events: Vec<&Event> = calendar.events().collect();
        assert_eq!(events.len(), 2);

        let first = events[0];
        assert_eq!(first.get_uid(), Some("milestone-12@polder"));
        assert_eq!(first.get_summary(), Some("Advies; versie 2, definitief"));
        assert_eq!(
            first.get_description(),
            Some(
                "Status: Te laat\n\nEerste regel\nTweede regel, met komma; en puntkomma \\ backslash"
            )
        );
        assert_eq!(
            first.get_start(),
            Some(DatePerhapsTime::Date(date(2025, 3, 3)))
        );
        assert_eq!(
            first.get_end(),
            Some(DatePerhapsTime::Date(date(2025, 3, 4)))
        );
        assert_eq!(
            first.get_url(),
            Some("https://polder.example/milestones/12")
        );
        assert_eq!(first.property_value("X-POLDER-STATUS"), Some("Te laat"));
        assert_eq!(
            first.get_timestamp(),
            Some(Utc.with_ymd_and_hms(2025, 2, 1, 9, 30, 0).unwrap())
        );

        let second = events[1];
        assert_eq!(
            second.get_summary(),
            Some("Werkgroep Beter pakketbeheer — één sessie")
        );
        assert_eq!(
            second.get_end(),
            Some(DatePerhapsTime::Date(date(2026, 1, 1)))
        );
    }

    #[test]
    fn every_text_is_escaped_and_no_line_can_be_injected() {
        let name = "Polder; ZIN, groep\nregel twee \"x\r\nBEGIN:VEVENT\r\nUID:evil\r\nEND:VEVENT\"";
        let mut items = items();
        items[0].uid = "milestone-12\r\nUID:evil".to_owned();
        items[0].title = "x\r\nBEGIN:VEVENT\r\nSUMMARY:evil; a, b".to_owned();
        items[0].description = "a;b,c\nd\r\nEND:VCALENDAR\rX-EVIL:1\u{7}".to_owned();
        items[0].status = Some("Te laat\r\nX-INJECT:1".to_owned());
        let text = feed(name, &items);

        // Only the two events' own lines start components or carry the injected properties.
        assert_eq!(text.matches("\r\nBEGIN:VEVENT\r\n").count(), 2, "{text}");
        assert_eq!(text.matches("\r\nEND:VCALENDAR").count(), 1, "{text}");
        for injected in [
            "\r\nUID:evil",
            "\r\nSUMMARY:evil",
            "\r\nX-INJECT",
            "\r\nX-EVIL",
        ] {
            assert!(!text.contains(injected), "{injected} injected: {text}");
        }
        assert!(!text.contains('\u{7}'), "control characters are dropped");
        assert!(
            text.contains("X-WR-CALNAME:Polder\\; ZIN\\, groep\\nregel twee"),
            "{text}"
        );
        assert!(
            text.contains("NAME:Polder\\; ZIN\\, groep\\nregel twee"),
            "{text}"
        );

        let calendar: Calendar = text.parse().unwrap();
        assert_eq!(
            calendar.property_value("X-WR-CALNAME"),
            Some("Polder; ZIN, groep\nregel twee \"x\nBEGIN:VEVENT\nUID:evil\nEND:VEVENT\"")
        );
        let events: Vec<&Event> = calendar.events().collect();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].get_uid(), Some("milestone-12\nUID:evil@polder"));
        assert_eq!(
            events[0].get_summary(),
            Some("x\nBEGIN:VEVENT\nSUMMARY:evil; a, b")
        );
        assert_eq!(
            events[0].get_description(),
            Some("Status: Te laat\nX-INJECT:1\n\na;b,c\nd\nEND:VCALENDAR\nX-EVIL:1")
        );
        assert_eq!(
            events[0].property_value("X-POLDER-STATUS"),
            Some("Te laat\nX-INJECT:1")
        );
    }

    #[test]
    fn feed_is_stable_and_clamps_inverted_ranges() {
        let mut items = items();
        items[1].end_inclusive = date(2025, 12, 1);
        let first = feed("F", &items);
        assert_eq!(first, feed("F", &items), "same input, same bytes");
        assert!(first.contains("DTEND;VALUE=DATE:20251231\r\n"), "{first}");
    }

    #[test]
    fn days_around_the_daylight_saving_changes_stay_whole_days() {
        let mut items = items();
        // Sunday 29 March 2026 (summer time starts) and Sunday 25 October (it ends).
        items[0].start = date(2026, 3, 29);
        items[0].end_inclusive = date(2026, 3, 29);
        items[1].start = date(2026, 10, 24);
        items[1].end_inclusive = date(2026, 10, 25);
        let text = feed("Wisseling", &items);
        for line in [
            "DTSTART;VALUE=DATE:20260329\r\n",
            "DTEND;VALUE=DATE:20260330\r\n",
            "DTSTART;VALUE=DATE:20261024\r\n",
            "DTEND;VALUE=DATE:20261026\r\n",
        ] {
            assert!(text.contains(line), "{line}: {text}");
        }
        assert!(!text.contains("TZID"), "{text}");
    }

    #[test]
    fn meetings_are_timed_events_with_sequence_status_and_location() {
        let meeting = MeetingEvent {
            uid: "meeting-8".to_owned(),
            title: "Thematafel januari".to_owned(),
            description: "Thematafel Passende Zorg".to_owned(),
            starts: Utc.with_ymd_and_hms(2027, 1, 12, 9, 0, 0).unwrap(),
            ends: Utc.with_ymd_and_hms(2027, 1, 12, 11, 0, 0).unwrap(),
            sequence: 2,
            status: "CANCELLED",
            location: Some("Ministerie van VWS, Den Haag\r\nX-EVIL:1".to_owned()),
            url: Some("https://vergaderen.example.nl/ttpz".to_owned()),
            last_modified: Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap(),
        };
        let text = feed_with_meetings("F", &items(), &[meeting]);
        assert!(text.contains("DTSTART:20270112T090000Z\r\n"), "{text}");
        assert!(!text.contains("\r\nX-EVIL"), "{text}");
        let calendar: Calendar = text.parse().unwrap();
        let event = calendar
            .events()
            .find(|e| e.get_uid() == Some("meeting-8@polder"))
            .unwrap();
        assert_eq!(event.get_sequence(), Some(2), "{text}");
        assert_eq!(event.get_status(), Some(EventStatus::Cancelled));
        assert_eq!(
            event.get_location(),
            Some("Ministerie van VWS, Den Haag\nX-EVIL:1")
        );
        assert_eq!(
            event.get_start(),
            Some(DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(
                Utc.with_ymd_and_hms(2027, 1, 12, 9, 0, 0).unwrap()
            )))
        );
        assert_eq!(event.get_url(), Some("https://vergaderen.example.nl/ttpz"));
    }

    #[test]
    fn empty_feed_is_a_valid_calendar() {
        let text = feed("Leeg", &[]);
        let calendar: Calendar = text.parse().unwrap();
        assert_eq!(calendar.events().count(), 0);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
    }
}
