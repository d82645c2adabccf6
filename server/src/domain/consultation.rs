//! Consultation rounds: the rules of a consultation on one version for invited outside
//! organisations, without IO (docs/DOMAIN.md §16): its status read from its dates, the bounds
//! of those dates, the reminder days before closing, and what an attachment is by its first
//! bytes.

use chrono::NaiveDate;

use crate::domain::calendar::{add_working_days, HolidayRules};
use crate::domain::validate::Invalid;

/// Longest a consultation may run: its closing date is at most this many days from today.
pub const MAX_DAYS_AHEAD: i64 = 366;
/// Largest attachment of a response, in bytes (10 MB).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Longest response text, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Most comments in one response.
pub const MAX_COMMENTS: usize = 50;
/// Longest quote of a comment, in characters.
pub const MAX_QUOTE_CHARS: usize = 1_000;
/// Longest comment body, in characters.
pub const MAX_COMMENT_CHARS: usize = 4_000;
/// Working days before the closing date on which invitees without a response are reminded.
pub const REMINDER_DAYS: [i64; 2] = [5, 1];
/// Days after the closing date a guest's sign-in link keeps working.
pub const LINK_DAYS_AFTER_CLOSING: i64 = 30;

crate::domain::stored_names! {
    /// Where a consultation stands.
    pub enum Status {
        /// Announced: its opening date is still to come.
        Aangekondigd = "aangekondigd",
        /// Invitees may respond.
        Open = "open",
        /// The closing date has passed.
        Gesloten = "gesloten",
        /// Withdrawn by the chair or the secretariat.
        Ingetrokken = "ingetrokken",
    }
}

crate::domain::stored_names! {
    /// What a consultation notification is about.
    pub enum News {
        /// A consultation was announced for a later opening date.
        Aangekondigd = "aangekondigd",
        /// The person was invited.
        Uitnodiging = "uitnodiging",
        /// The closing date is near and the organisation has not responded.
        Herinnering = "herinnering",
        /// The consultation closed.
        Gesloten = "gesloten",
        /// The chair or the secretariat withdrew the consultation.
        Ingetrokken = "ingetrokken",
    }
}

/// Longest note with a withdrawal, in characters.
pub const MAX_WITHDRAW_NOTE_CHARS: usize = 2_000;

/// Why a consultation cannot be withdrawn: `None` unless it already is.
pub fn withdraw_refusal(status: Status) -> Option<&'static str> {
    (status == Status::Ingetrokken).then_some("the consultation is already withdrawn")
}

/// The status of a consultation on `today` (a Dutch calendar day): the stored status counts
/// only when it is `ingetrokken`; otherwise it follows from the dates. It is open from
/// `opens_on` (or at once without one) through the whole of `closes_on`.
pub fn status(
    withdrawn: bool,
    opens_on: Option<NaiveDate>,
    closes_on: NaiveDate,
    today: NaiveDate,
) -> Status {
    if withdrawn {
        Status::Ingetrokken
    } else if today > closes_on {
        Status::Gesloten
    } else if opens_on.is_some_and(|opens| today < opens) {
        Status::Aangekondigd
    } else {
        Status::Open
    }
}

/// Why a response cannot be given on `today`, for the person trying: `None` while open.
pub fn closed_reason(
    status: Status,
    opens_on: Option<NaiveDate>,
    closes_on: NaiveDate,
) -> Option<String> {
    match status {
        Status::Open => None,
        Status::Aangekondigd => Some(format!(
            "the consultation opens on {}; respond from that day until {closes_on}",
            opens_on.map_or_else(String::new, |d| d.to_string())
        )),
        Status::Gesloten => Some(format!(
            "the consultation closed at the end of {closes_on}; responses are no longer accepted"
        )),
        Status::Ingetrokken => {
            Some("the consultation was withdrawn; responses are no longer accepted".into())
        }
    }
}

/// Checks the dates of a new consultation against `today`.
///
/// # Errors
/// [`Invalid`] naming the field: `closes_on` before today or more than a year ahead,
/// `opens_on` after `closes_on` or before today.
pub fn check_dates(
    opens_on: Option<NaiveDate>,
    closes_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), Invalid> {
    if closes_on < today {
        return Err(Invalid {
            field: "closes_on",
            message: format!("may not be before today ({today}); choose a later day"),
        });
    }
    if (closes_on - today).num_days() > MAX_DAYS_AHEAD {
        return Err(Invalid {
            field: "closes_on",
            message: "may be at most a year from today; choose an earlier day".into(),
        });
    }
    if let Some(opens) = opens_on {
        if opens > closes_on {
            return Err(Invalid {
                field: "opens_on",
                message: format!("must be on or before closes_on ({closes_on})"),
            });
        }
        if opens < today {
            return Err(Invalid {
                field: "opens_on",
                message: format!("may not be before today ({today}); leave it out to open now"),
            });
        }
    }
    Ok(())
}

/// The days on which invitees without a response are reminded: [`REMINDER_DAYS`] working
/// days before `closes_on`, only those after `opened` (the day it opened or was created).
pub fn reminder_days(
    opened: NaiveDate,
    closes_on: NaiveDate,
    rules: &HolidayRules,
) -> Vec<(i64, NaiveDate)> {
    REMINDER_DAYS
        .iter()
        .map(|&n| (n, add_working_days(closes_on, -n, rules)))
        .filter(|(_, day)| *day > opened)
        .collect()
}

/// What kind of file an attachment is by its first bytes: `(extension, media type)`, or
/// `None` for anything but PDF, DOCX, ODT, plain text, PNG and JPEG. The name does not count:
/// a file is what its bytes say.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"%PDF-") {
        return Some(("pdf", "application/pdf"));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(("png", "image/png"));
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(("jpg", "image/jpeg"));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // An ODF package stores its media type uncompressed as the first entry.
        let head = &bytes[..bytes.len().min(200)];
        if contains(head, b"mimetypeapplication/vnd.oasis.opendocument.text") {
            return Some(("odt", "application/vnd.oasis.opendocument.text"));
        }
        let window = &bytes[..bytes.len().min(64 * 1024)];
        if contains(window, b"word/") || contains(window, b"[Content_Types].xml") {
            return Some((
                "docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ));
        }
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    if text
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
    {
        return Some(("txt", "text/plain; charset=utf-8"));
    }
    None
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A file name safe to send in `Content-Disposition`: the last path segment, only letters,
/// digits, `.`, `-` and `_` kept (others become `_`), at most 100 characters, ending in the
/// extension the bytes showed.
pub fn safe_file_name(name: &str, extension: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = last.rsplit_once('.').map_or(last, |(stem, _)| stem);
    let mut clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    if clean.trim_matches('_').is_empty() {
        clean = "bijlage".into();
    }
    format!("{clean}.{extension}")
}

/// Whether `quote` occurs in `plain` (the version's plain text), ignoring differences in
/// white space.
pub fn quote_found(plain: &str, quote: &str) -> bool {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let quote = squash(quote);
    !quote.is_empty() && squash(plain).contains(&quote)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn status_follows_the_dates_and_only_withdrawal_is_stored() {
        let closes = day("2026-06-10");
        let opens = Some(day("2026-06-01"));
        assert_eq!(
            status(false, opens, closes, day("2026-05-31")),
            Status::Aangekondigd
        );
        assert_eq!(
            status(false, opens, closes, day("2026-06-01")),
            Status::Open
        );
        assert_eq!(
            status(false, opens, closes, day("2026-06-10")),
            Status::Open
        );
        assert_eq!(
            status(false, opens, closes, day("2026-06-11")),
            Status::Gesloten
        );
        assert_eq!(status(false, None, closes, day("2026-01-01")), Status::Open);
        assert_eq!(
            status(true, None, closes, day("2026-06-02")),
            Status::Ingetrokken
        );
    }

    #[test]
    fn the_reason_a_response_is_refused_says_when() {
        let closes = day("2026-06-10");
        assert!(closed_reason(Status::Open, None, closes).is_none());
        let early = closed_reason(Status::Aangekondigd, Some(day("2026-06-01")), closes).unwrap();
        assert!(early.contains("2026-06-01") && early.contains("2026-06-10"));
        let late = closed_reason(Status::Gesloten, None, closes).unwrap();
        assert!(late.contains("closed at the end of 2026-06-10"));
        let withdrawn = closed_reason(Status::Ingetrokken, None, closes).unwrap();
        assert!(withdrawn.contains("withdrawn"));
    }

    #[test]
    fn only_a_withdrawn_consultation_is_refused_withdrawal() {
        assert!(withdraw_refusal(Status::Ingetrokken).is_some());
        for status in [Status::Aangekondigd, Status::Open, Status::Gesloten] {
            assert!(withdraw_refusal(status).is_none());
        }
    }

    #[test]
    fn dates_are_bounded_and_name_the_field() {
        let today = day("2026-05-01");
        assert!(check_dates(None, today, today).is_ok());
        assert_eq!(
            check_dates(None, day("2026-04-30"), today)
                .unwrap_err()
                .field,
            "closes_on"
        );
        assert_eq!(
            check_dates(None, day("2027-05-03"), today)
                .unwrap_err()
                .field,
            "closes_on"
        );
        assert_eq!(
            check_dates(Some(day("2026-06-02")), day("2026-06-01"), today)
                .unwrap_err()
                .field,
            "opens_on"
        );
        assert!(check_dates(Some(day("2026-06-01")), day("2026-06-01"), today).is_ok());
    }

    #[test]
    fn reminders_fall_five_and_one_working_day_before_closing() {
        let rules = HolidayRules::default();
        // Friday 2026-06-12: one working day before is Thursday, five is Friday a week before
        let days = reminder_days(day("2026-05-01"), day("2026-06-12"), &rules);
        assert_eq!(days, vec![(5, day("2026-06-05")), (1, day("2026-06-11"))]);
        // opened too late for the first reminder
        let days = reminder_days(day("2026-06-08"), day("2026-06-12"), &rules);
        assert_eq!(days, vec![(1, day("2026-06-11"))]);
    }

    #[test]
    fn files_are_known_by_their_bytes_not_their_names() {
        assert_eq!(sniff(b"%PDF-1.7 ...").unwrap().0, "pdf");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest").unwrap().0, "png");
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap().0, "jpg");
        assert_eq!(sniff(b"Gewoon een tekst.\nMet regels.").unwrap().0, "txt");
        let mut odt = b"PK\x03\x04".to_vec();
        odt.extend_from_slice(&[0; 26]);
        odt.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.text");
        assert_eq!(sniff(&odt).unwrap().0, "odt");
        let mut docx = b"PK\x03\x04".to_vec();
        docx.extend_from_slice(b"....[Content_Types].xml....word/document.xml");
        assert_eq!(sniff(&docx).unwrap().0, "docx");
        assert!(sniff(b"MZ\x90\x00\x03\x00\x00\x00").is_none());
        assert!(sniff(b"PK\x03\x04 an unknown zip").is_none());
        assert!(sniff(&[0x00, 0x01, 0x02]).is_none());
    }

    #[test]
    fn file_names_are_reduced_to_safe_characters_and_the_real_extension() {
        assert_eq!(safe_file_name("Reactie NVK.pdf", "pdf"), "Reactie_NVK.pdf");
        assert_eq!(safe_file_name("../../etc/passwd", "txt"), "passwd.txt");
        assert_eq!(safe_file_name("x\"; evil.exe", "pdf"), "x___evil.pdf");
        assert_eq!(safe_file_name("", "png"), "bijlage.png");
    }

    #[test]
    fn quotes_are_found_regardless_of_white_space() {
        let plain = "Het Zorginstituut   adviseert\nover het pakket.";
        assert!(quote_found(plain, "Zorginstituut adviseert over"));
        assert!(!quote_found(plain, "niet in de tekst"));
        assert!(!quote_found(plain, "   "));
    }
}
