//! Open points of a draft and the markers that announce them in the text (docs/DOMAIN.md §17).
//!
//! Drafts from the field carry their unfinished business in the text itself: `[PM …]`,
//! `(PM …)`, `[NB …]` / `[NB: …]`, `PM nog in te voegen`, and date placeholders such as
//! `[uiterlijke datum]`, `[datum]`, `[XX-XX-XXXX]` or `[dd-mm-jjjj]`. [`detect`] finds them,
//! case-insensitively, one [`Marker`] per occurrence, in the text of the document's blocks
//! (formatting runs joined, so a marker half in bold is still one marker). Every marker has a
//! [`Marker::key`] of its kind, its normalised text and the ordinal of that text among the
//! markers of the same kind and text, so detecting again in the same text gives the same keys
//! and storage offers nothing twice.
//!
//! Words that merely start like a marker ("PMC", "NBA", "(PMS)") are not markers: the keyword
//! must stand on its own. A bracket is closed by its own matching bracket, counting nested
//! brackets, so `[PM zie (bijlage) en [tabel 2]]` is one marker; a bracket that does not close
//! within [`MAX_MARKER_CHARS`] characters in its block is no marker. A marker inside another
//! one belongs to the outer one. At most [`MAX_PROPOSALS`] markers are returned.

use chrono::NaiveDate;

use super::calendar::{add_working_days, HolidayRules};
use super::reminders::Stage;
use super::validate::Invalid;
use crate::versions::Block;

/// Most markers one detection returns.
pub const MAX_PROPOSALS: usize = 200;
/// Longest marker, in characters, brackets included.
pub const MAX_MARKER_CHARS: usize = 1_000;
/// Longest normalised text in a marker key, in characters.
const MAX_KEY_TEXT_CHARS: usize = 200;
/// Working days before the due date that an open point's owner is reminded.
pub const REMIND_DAYS_BEFORE: [i64; 2] = [5, 1];

crate::domain::stored_names! {
    /// What kind of open point it is.
    pub enum PointKind {
        /// Pro memorie: something still to be filled in or done.
        Pm = "pm",
        /// Nota bene: a remark the parties still have to settle.
        Nb = "nb",
        /// A point for discussion (`(PM bespreekpunt)`, `[PM discussiepunt]`).
        Bespreekpunt = "bespreekpunt",
        /// A date still to be filled in.
        Datum = "datum",
    }
}

crate::domain::stored_names! {
    /// Where an open point stands.
    pub enum PointStatus {
        /// Found in the text and offered; nobody accepted it yet.
        Voorgesteld = "voorgesteld",
        /// Accepted (or made by hand or with a comment) and not settled.
        Open = "open",
        /// Settled.
        Gesloten = "gesloten",
        /// Not an open point after all (a proposal turned down, or a point dropped).
        Afgewezen = "afgewezen",
    }
}

crate::domain::stored_names! {
    /// How an open point came about.
    pub enum PointSource {
        /// Typed with a comment.
        Comment = "comment",
        /// A marker found in the text.
        Marker = "marker",
        /// Added by hand.
        Manual = "manual",
    }
}

/// Whether an open point may move from `from` to `to`, and what else it needs; `Err` says why
/// not in words for the person asking. Moving a proposal to `open` requires an owner.
///
/// # Errors
/// A message naming what is wrong and what to do.
pub fn check_transition(
    from: PointStatus,
    to: PointStatus,
    has_owner: bool,
) -> Result<(), &'static str> {
    use PointStatus::{Afgewezen, Gesloten, Open, Voorgesteld};
    match (from, to) {
        (a, b) if a == b => Ok(()),
        (Voorgesteld, Open) if !has_owner => Err(
            "an accepted open point needs an owner: give owner_person_id or owner_party with status open",
        ),
        (Voorgesteld, Open | Afgewezen) | (Open, Gesloten | Afgewezen) => Ok(()),
        (Gesloten | Afgewezen, Open) => Ok(()),
        (_, Voorgesteld) => Err("a point cannot be proposed again; set it to open, gesloten or afgewezen"),
        (Voorgesteld, Gesloten) => {
            Err("a proposal is accepted (open) or turned down (afgewezen), not closed")
        }
        (Gesloten, Afgewezen) | (Afgewezen, Gesloten) => {
            Err("reopen the point (status open) before settling it another way")
        }
        _ => Err("this status change is not possible"),
    }
}

/// Reads a point's kind (`pm`, `nb`, `bespreekpunt`, `datum`).
///
/// # Errors
/// [`Invalid`] naming `field` and the kinds.
pub fn kind_input(field: &'static str, raw: &str) -> Result<PointKind, Invalid> {
    PointKind::parse(raw.trim()).ok_or_else(|| Invalid {
        field,
        message: format!("must be one of {}", PointKind::NAMES.join(", ")),
    })
}

/// Reads a point's status for a change (`open`, `gesloten`, `afgewezen`).
///
/// # Errors
/// [`Invalid`] naming `field` and the statuses.
pub fn status_input(field: &'static str, raw: &str) -> Result<PointStatus, Invalid> {
    match PointStatus::parse(raw.trim()) {
        Some(PointStatus::Voorgesteld) | None => Err(Invalid {
            field,
            message: "must be open, gesloten or afgewezen".into(),
        }),
        Some(status) => Ok(status),
    }
}

/// Reads a due day (`YYYY-MM-DD`, in the years 2000 to 2100).
///
/// # Errors
/// [`Invalid`] naming `field`, with an example.
pub fn due_input(field: &'static str, raw: &str) -> Result<NaiveDate, Invalid> {
    let day = super::decision::day(field, raw)?;
    if !(2000..=2100).contains(&chrono::Datelike::year(&day)) {
        return Err(Invalid {
            field,
            message: "must be a day between 2000 and 2100, written as YYYY-MM-DD".into(),
        });
    }
    Ok(day)
}

/// The point an `open_point.create` or `open_point.update` audit subject gives an owner, if
/// it does (`"assigned": true`): that owner is told (docs/DOMAIN.md §11).
pub fn owner_event(subject: &serde_json::Value) -> Option<i64> {
    if subject.get("assigned").and_then(serde_json::Value::as_bool) != Some(true) {
        return None;
    }
    subject
        .get("open_point")
        .and_then(serde_json::Value::as_i64)
}

/// One marker found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// Its kind.
    pub kind: PointKind,
    /// What the point is about: the words after the keyword, or the marker itself.
    pub text: String,
    /// The marker exactly as it stands in the text.
    pub quote: String,
    /// `kind:normalised text:ordinal`, stable as long as the text keeps its markers.
    pub key: String,
    /// The index of the block it stands in.
    pub block: usize,
}

/// The text of each block, formatting runs joined.
pub fn block_texts(blocks: &[Block]) -> Vec<String> {
    blocks.iter().map(Block::text).collect()
}

/// The markers in `blocks` (the text of each block), in reading order, at most
/// [`MAX_PROPOSALS`].
pub fn detect<S: AsRef<str>>(blocks: &[S]) -> Vec<Marker> {
    let mut found: Vec<Marker> = Vec::new();
    let mut seen: std::collections::HashMap<(PointKind, String), usize> =
        std::collections::HashMap::new();
    for (index, block) in blocks.iter().enumerate() {
        for (kind, text, quote) in scan_block(block.as_ref()) {
            if found.len() >= MAX_PROPOSALS {
                return found;
            }
            let normal = normalise(&quote);
            let ordinal = seen.entry((kind, normal.clone())).or_insert(0);
            *ordinal += 1;
            found.push(Marker {
                kind,
                key: format!("{}:{normal}:{ordinal}", kind.as_str()),
                text,
                quote,
                block: index,
            });
        }
    }
    found
}

/// Lower case, runs of whitespace as one space, trimmed, at most [`MAX_KEY_TEXT_CHARS`].
fn normalise(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    joined
        .to_lowercase()
        .chars()
        .take(MAX_KEY_TEXT_CHARS)
        .collect()
}

/// Whether `text[at..]` starts with the ASCII word `word`, ignoring case, and the word stands
/// on its own (no letter or digit right after it).
fn word_at(text: &str, at: usize, word: &str) -> bool {
    let Some(rest) = text.get(at..) else {
        return false;
    };
    let Some(head) = rest.get(..word.len()) else {
        return false;
    };
    head.eq_ignore_ascii_case(word)
        && !rest[word.len()..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
}

/// The byte offset just past the bracket that closes the one at `open`, if it closes within
/// [`MAX_MARKER_CHARS`] characters.
fn closing(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (count, (offset, c)) in text[open..].char_indices().enumerate() {
        if count >= MAX_MARKER_CHARS {
            return None;
        }
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let first = text[open..].chars().next()?;
                    let wanted = if first == '[' { ']' } else { ')' };
                    return (c == wanted).then_some(open + offset + c.len_utf8());
                }
            }
            _ => {}
        }
    }
    None
}

/// The words after a keyword: separators (`:`, `-`, `–`, `.`, `,`) and spaces trimmed.
fn after_keyword(inner: &str, keyword_len: usize) -> &str {
    inner
        .get(keyword_len..)
        .unwrap_or_default()
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '–' | '.' | ','))
        .trim_end()
}

/// Whether `inner` (a bracket's content) is a date placeholder.
fn is_date_placeholder(inner: &str) -> bool {
    let lower = inner.trim().to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    if matches!(
        words.as_slice(),
        ["datum"] | ["uiterlijke", "datum"] | ["datum", "invullen"] | ["datum", "volgt"]
    ) {
        return true;
    }
    let parts: Vec<&str> = lower.split(['-', '/', '.']).collect();
    parts.len() == 3
        && parts
            .iter()
            .zip([2usize, 2, 4])
            .all(|(part, most)| !part.is_empty() && part.chars().count() <= most)
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_digit() || "xdmjy".contains(c)))
        && lower.chars().any(|c| "xdmjy".contains(c))
}

/// What a bracket's content says, if it is a marker: its kind and text.
fn classify(open: char, inner: &str) -> Option<(PointKind, String)> {
    let trimmed = inner.trim_start();
    if word_at(trimmed, 0, "pm") {
        let rest = after_keyword(trimmed, 2);
        let kind = if word_at(rest, 0, "bespreekpunt") || word_at(rest, 0, "discussiepunt") {
            PointKind::Bespreekpunt
        } else {
            PointKind::Pm
        };
        return Some((kind, rest.to_owned()));
    }
    if open != '[' {
        return None;
    }
    for keyword in ["bespreekpunt", "discussiepunt"] {
        if word_at(trimmed, 0, keyword) {
            return Some((PointKind::Bespreekpunt, trimmed.trim_end().to_owned()));
        }
    }
    if word_at(trimmed, 0, "nb") {
        return Some((PointKind::Nb, after_keyword(trimmed, 2).to_owned()));
    }
    if trimmed
        .get(..4)
        .is_some_and(|h| h.eq_ignore_ascii_case("n.b."))
    {
        return Some((PointKind::Nb, after_keyword(trimmed, 4).to_owned()));
    }
    if is_date_placeholder(trimmed) {
        return Some((PointKind::Datum, String::new()));
    }
    None
}

/// The words of the sentence before `at` in `text` (at most 60 characters, from a word
/// start), for a date's context.
fn context_before(text: &str, at: usize) -> String {
    let before = &text[..at];
    let sentence = before
        .rfind(['.', '!', '?', ']', ')', ';'])
        .map_or(before, |cut| &before[cut + 1..]);
    let chars: Vec<char> = sentence.chars().collect();
    let start = chars.len().saturating_sub(60);
    let tail: String = chars[start..].iter().collect();
    let tail = if start > 0 {
        tail.split_once(' ')
            .map_or(tail.as_str(), |(_, rest)| rest)
            .to_owned()
    } else {
        tail
    };
    tail.trim().to_owned()
}

/// The markers of one block: kind, text, quote.
fn scan_block(text: &str) -> Vec<(PointKind, String, String)> {
    let mut out = Vec::new();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut at = 0;
    while let Some(offset) = text[at..].find(['[', '(']) {
        let open = at + offset;
        let bracket = if text.as_bytes()[open] == b'[' {
            '['
        } else {
            '('
        };
        let Some(end) = closing(text, open) else {
            at = open + 1;
            continue;
        };
        let inner = &text[open + 1..end - 1];
        match classify(bracket, inner) {
            Some((kind, words)) => {
                let quote = text[open..end].to_owned();
                let words = if kind == PointKind::Datum {
                    let context = context_before(text, open);
                    if context.is_empty() {
                        format!("Datum invullen: {quote}")
                    } else {
                        format!("Datum invullen: {context} {quote}")
                    }
                } else if words.is_empty() {
                    quote.clone()
                } else {
                    words
                };
                out.push((open, kind, words, quote));
                spans.push((open, end));
                at = end;
            }
            None => at = open + 1,
        }
    }
    // `PM nog in te voegen` outside brackets
    let phrase = "pm nog in te voegen";
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(offset) = lower[from..].find(phrase) {
        let start = from + offset;
        let end = start + phrase.len();
        from = end;
        let standalone_before = !text[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        let standalone_after = !text[end..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric);
        let inside = spans.iter().any(|(a, b)| *a <= start && end <= *b);
        if standalone_before && standalone_after && !inside {
            let quote = text[start..end].to_owned();
            out.push((start, PointKind::Pm, quote.clone(), quote));
        }
    }
    out.sort_by_key(|(start, ..)| *start);
    out.into_iter()
        .map(|(_, kind, words, quote)| (kind, words, quote))
        .collect()
}

/// The reminder stages of an open point due on `due`: [`REMIND_DAYS_BEFORE`] working days
/// before and on the day itself, with the day each falls due. Stages dated before `since` (the
/// day the point was made) are left out, so a point made late is not reminded of the past.
pub fn reminder_stages(
    due: NaiveDate,
    since: NaiveDate,
    rules: &HolidayRules,
) -> Vec<(Stage, NaiveDate)> {
    let mut stages: Vec<(Stage, NaiveDate)> = REMIND_DAYS_BEFORE
        .iter()
        .map(|n| (Stage::Before(*n), add_working_days(due, -n, rules)))
        .collect();
    stages.push((Stage::OnDay, due));
    stages.retain(|(_, day)| *day >= since);
    stages
}

#[cfg(test)]
#[path = "open_points_tests.rs"]
mod tests;
