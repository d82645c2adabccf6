//! Decision requests, their outcomes and the decision register (docs/DOMAIN.md §14), free of
//! IO: the stored names, the bounds of every text, what an outcome does to its request, the
//! register's filter and its CSV rows. Storage loads and stores [`Decision`]s; the API and the
//! PDF list in `versions::register` show them.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::period::{self, Period};
use crate::domain::validate::{self, Invalid};

crate::domain::stored_names! {
    /// Where a decision request is.
    pub enum RequestStatus {
        /// Waiting for the deciding body.
        Open = "open",
        /// Deferred to a next meeting; still open.
        Aangehouden = "aangehouden",
        /// Decided (akkoord, akkoord onder voorwaarden or niet akkoord).
        Besloten = "besloten",
        /// Withdrawn by who asked.
        Ingetrokken = "ingetrokken",
    }
}

crate::domain::stored_names! {
    /// What a body decided.
    pub enum Outcome {
        /// Agreed.
        Akkoord = "akkoord",
        /// Agreed on the conditions recorded with it.
        AkkoordOnderVoorwaarden = "akkoord_onder_voorwaarden",
        /// Not agreed.
        NietAkkoord = "niet_akkoord",
        /// Deferred to a next meeting.
        Aangehouden = "aangehouden",
        /// Decided (a draft reaching `besloten`, a resolved dispute).
        Besloten = "besloten",
    }
}

crate::domain::stored_names! {
    /// What a decision in the register comes from.
    pub enum DecisionSource {
        /// The outcome of a decision request.
        DecisionRequest = "decision_request",
        /// A draft reaching `besloten`.
        Draft = "draft",
        /// A dispute resolved with a decision.
        Dispute = "dispute",
    }
}

/// Most options a request offers.
pub const MAX_OPTIONS: usize = 10;
/// Most characters of one option.
pub const MAX_OPTION_CHARS: usize = 500;
/// Most follow-up milestones one outcome creates.
pub const MAX_FOLLOW_UPS: usize = 20;
/// Most owners of one follow-up.
pub const MAX_FOLLOW_UP_OWNERS: usize = 20;
/// Most parties a dispute opened by an outcome names.
pub const MAX_DISPUTE_PARTIES: usize = 50;
/// Most decisions one export lists.
pub const MAX_EXPORT_ROWS: i64 = 5_000;

impl RequestStatus {
    /// Whether the request still waits for a decision (and may be changed or withdrawn).
    pub fn is_open(self) -> bool {
        matches!(self, RequestStatus::Open | RequestStatus::Aangehouden)
    }

    /// The status a request has after `outcome` was recorded on it: `aangehouden` keeps it
    /// open (deferred to a next meeting), every other outcome decides it.
    pub fn after(outcome: Outcome) -> RequestStatus {
        if outcome == Outcome::Aangehouden {
            RequestStatus::Aangehouden
        } else {
            RequestStatus::Besloten
        }
    }
}

impl Outcome {
    /// The outcomes a deciding body records on a request (`besloten` is the register's name
    /// for the other sources).
    pub const FOR_REQUESTS: [Outcome; 4] = [
        Outcome::Akkoord,
        Outcome::AkkoordOnderVoorwaarden,
        Outcome::NietAkkoord,
        Outcome::Aangehouden,
    ];

    /// How the register's lists write it.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Akkoord => "akkoord",
            Outcome::AkkoordOnderVoorwaarden => "akkoord onder voorwaarden",
            Outcome::NietAkkoord => "niet akkoord",
            Outcome::Aangehouden => "aangehouden",
            Outcome::Besloten => "besloten",
        }
    }
}

/// A request's texts as checked: trimmed and bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestText {
    /// Short title (1 to 200 characters).
    pub title: String,
    /// The question put to the body (1 to 5 000).
    pub question: String,
    /// The answers offered (at most [`MAX_OPTIONS`], each 1 to [`MAX_OPTION_CHARS`]).
    pub options: Vec<String>,
    /// What is asked of whom (at most 2 000).
    pub asked_of: String,
    /// The day the decision is needed by.
    pub deadline: Option<NaiveDate>,
}

/// Checks a request's texts.
///
/// # Errors
/// [`Invalid`] naming the field.
pub fn request_text(
    title: &str,
    question: &str,
    options: &[String],
    asked_of: &str,
    deadline: Option<&str>,
) -> Result<RequestText, Invalid> {
    if options.len() > MAX_OPTIONS {
        return Err(Invalid {
            field: "options",
            message: format!("at most {MAX_OPTIONS} options (got {})", options.len()),
        });
    }
    let mut checked = Vec::with_capacity(options.len());
    for (i, option) in options.iter().enumerate() {
        let option =
            validate::text("options", option, 1, MAX_OPTION_CHARS).map_err(|e| Invalid {
                field: "options",
                message: format!("option {}: {}", i + 1, e.message),
            })?;
        checked.push(option);
    }
    Ok(RequestText {
        title: validate::text("title", title, 1, 200)?,
        question: validate::text("question", question, 1, 5_000)?,
        options: checked,
        asked_of: validate::text("asked_of", asked_of, 0, 2_000)?,
        deadline: deadline.map(|d| day("deadline", d)).transpose()?,
    })
}

/// Reads a day (`YYYY-MM-DD`).
///
/// # Errors
/// [`Invalid`] naming `field`, with an example.
pub fn day(field: &'static str, raw: &str) -> Result<NaiveDate, Invalid> {
    period::parse_day(raw).ok_or_else(|| Invalid {
        field,
        message: "must be a day written as YYYY-MM-DD, for example 2024-09-26".into(),
    })
}

/// An outcome's texts as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeText {
    /// What was decided.
    pub outcome: Outcome,
    /// The day it was decided.
    pub decided_on: NaiveDate,
    /// Why (at most 20 000 characters).
    pub rationale: String,
    /// The conditions: required for `akkoord_onder_voorwaarden`, refused otherwise.
    pub conditions: Option<String>,
    /// What it is about, for the register's topic filter (at most 200).
    pub topic: Option<String>,
}

/// Checks an outcome.
///
/// # Errors
/// [`Invalid`] naming the field: an unknown outcome, missing conditions for
/// `akkoord_onder_voorwaarden`, conditions with another outcome, a text too long.
pub fn outcome_text(
    outcome: &str,
    decided_on: &str,
    rationale: &str,
    conditions: Option<&str>,
    topic: Option<&str>,
) -> Result<OutcomeText, Invalid> {
    let outcome = Outcome::parse(outcome.trim())
        .filter(|o| Outcome::FOR_REQUESTS.contains(o))
        .ok_or_else(|| Invalid {
            field: "outcome",
            message: "must be one of akkoord, akkoord_onder_voorwaarden, niet_akkoord, aangehouden"
                .into(),
        })?;
    let conditions = conditions
        .map(|c| validate::text("conditions", c, 0, 10_000))
        .transpose()?
        .filter(|c| !c.is_empty());
    match (outcome, &conditions) {
        (Outcome::AkkoordOnderVoorwaarden, None) => {
            return Err(Invalid {
                field: "conditions",
                message: "akkoord onder voorwaarden needs the conditions".into(),
            })
        }
        (Outcome::AkkoordOnderVoorwaarden, Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Err(Invalid {
                field: "conditions",
                message: "only akkoord onder voorwaarden has conditions".into(),
            })
        }
    }
    Ok(OutcomeText {
        outcome,
        decided_on: day("decided_on", decided_on)?,
        rationale: validate::text("rationale", rationale, 0, 20_000)?,
        conditions,
        topic: topic
            .map(|t| validate::text("topic", t, 0, 200))
            .transpose()?
            .filter(|t| !t.is_empty()),
    })
}

/// A follow-up milestone an outcome creates, as the API shows it on the decision.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FollowUp {
    /// The milestone.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Its due date as written.
    pub due: String,
}

/// One decision of the register.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Decision {
    /// Database id.
    pub id: i64,
    /// The body that decided.
    pub body_id: i64,
    /// Its name.
    pub body_name: String,
    /// What it comes from.
    pub source: DecisionSource,
    /// The request it answers (source `decision_request`).
    pub decision_request_id: Option<i64>,
    /// The draft (source `draft`).
    pub draft_id: Option<i64>,
    /// The version it was about (the frozen one for a draft; a request's supporting version).
    pub version_id: Option<i64>,
    /// The dispute (source `dispute`).
    pub dispute_id: Option<i64>,
    /// The meeting it was taken at.
    pub meeting_id: Option<i64>,
    /// That meeting's title.
    pub meeting_title: Option<String>,
    /// Title.
    pub title: String,
    /// What it is about.
    pub topic: Option<String>,
    /// What was decided.
    pub outcome: Outcome,
    /// The conditions of `akkoord_onder_voorwaarden`.
    pub conditions: Option<String>,
    /// Why.
    pub rationale: String,
    /// Day decided (`YYYY-MM-DD`).
    pub decided_on: String,
    /// The parties it concerns (codes).
    pub parties: Vec<String>,
    /// The milestones that follow from it.
    pub follow_up_milestones: Vec<FollowUp>,
    /// A dispute it opened.
    pub opened_dispute_id: Option<i64>,
    /// A dispute it closed.
    pub closed_dispute_id: Option<i64>,
    /// Who recorded it (name).
    pub recorded_by: Option<String>,
    /// Unix ms.
    pub recorded_at: i64,
    /// The hash of its audit entry.
    pub audit_hash: Option<String>,
}

/// The register's filter, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterFilter {
    /// Only this body.
    pub body: Option<i64>,
    /// Case-insensitive substring of title, rationale, conditions or topic (lower-cased).
    pub q: Option<String>,
    /// Decided in this period.
    pub period: Period,
    /// Concerning this party (a code or alias; resolved by storage).
    pub party: Option<String>,
    /// With this topic (case-insensitive; lower-cased).
    pub topic: Option<String>,
    /// From this source.
    pub source: Option<DecisionSource>,
}

/// The register's filter as written in the query string.
#[derive(Debug, Clone, Default)]
pub struct RawFilter<'a> {
    /// `body`.
    pub body: Option<i64>,
    /// `q`.
    pub q: Option<&'a str>,
    /// `from`: a day, or a named period whose first day is taken.
    pub from: Option<&'a str>,
    /// `to`: a day, or a named period whose last day is taken.
    pub to: Option<&'a str>,
    /// `period`: `2024`, `2024-Q3`, `2024-H1`, `2024-09`.
    pub period: Option<&'a str>,
    /// `party`.
    pub party: Option<&'a str>,
    /// `topic`.
    pub topic: Option<&'a str>,
    /// `source`.
    pub source: Option<&'a str>,
}

fn given(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|t| !t.is_empty())
}

fn bound(field: &'static str, raw: &str, first: bool) -> Result<NaiveDate, Invalid> {
    if let Some(day) = period::parse_day(raw) {
        return Ok(day);
    }
    let named = period::parse_named(raw).ok_or_else(|| Invalid {
        field,
        message: "must be a day (YYYY-MM-DD) or a period such as 2024, 2024-Q3, 2024-H1 or 2024-09"
            .into(),
    })?;
    let end = if first { named.from } else { named.to };
    end.ok_or_else(|| Invalid {
        field,
        message: "is not a bounded period".into(),
    })
}

impl RegisterFilter {
    /// Checks the query string's filter.
    ///
    /// # Errors
    /// [`Invalid`] naming the parameter.
    pub fn parse(raw: &RawFilter<'_>) -> Result<RegisterFilter, Invalid> {
        let mut period = Period {
            from: given(raw.from)
                .map(|f| bound("from", f, true))
                .transpose()?,
            to: given(raw.to).map(|t| bound("to", t, false)).transpose()?,
        };
        if let Some(named) = given(raw.period) {
            let named = period::parse_named(named).ok_or_else(|| Invalid {
                field: "period",
                message: "must be a period such as 2024, 2024-Q3, 2024-H1 or 2024-09".into(),
            })?;
            period = period.and(named);
        }
        let short = |field: &'static str, raw: Option<&str>| {
            given(raw)
                .map(|t| validate::text(field, t, 1, 200).map(|t| t.to_lowercase()))
                .transpose()
        };
        let source = given(raw.source)
            .map(|s| {
                DecisionSource::parse(s).ok_or_else(|| Invalid {
                    field: "source",
                    message: "must be one of decision_request, draft, dispute".into(),
                })
            })
            .transpose()?;
        Ok(RegisterFilter {
            body: raw.body,
            q: short("q", raw.q)?,
            period,
            party: given(raw.party)
                .map(|p| validate::text("party", p, 1, 100))
                .transpose()?,
            topic: short("topic", raw.topic)?,
            source,
        })
    }
}

/// A `LIKE` pattern matching `text` anywhere, with `\` as the escape character.
pub fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The columns of the register's CSV export.
pub const CSV_HEADER: [&str; 14] = [
    "id",
    "datum",
    "orgaan",
    "bron",
    "titel",
    "onderwerp",
    "uitkomst",
    "voorwaarden",
    "motivering",
    "partijen",
    "vergadering",
    "vervolgmijlpalen",
    "geschil",
    "audithash",
];

/// Stops spreadsheet programs from reading a cell as a formula.
pub fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// One decision as a CSV row, in [`CSV_HEADER`] order.
pub fn csv_row(d: &Decision) -> Vec<String> {
    let dispute = match (d.opened_dispute_id, d.closed_dispute_id) {
        (Some(opened), _) => format!("geopend #{opened}"),
        (None, Some(closed)) => format!("gesloten #{closed}"),
        (None, None) => String::new(),
    };
    vec![
        d.id.to_string(),
        d.decided_on.clone(),
        cell(&d.body_name),
        d.source.as_str().to_owned(),
        cell(&d.title),
        cell(d.topic.as_deref().unwrap_or_default()),
        d.outcome.label().to_owned(),
        cell(d.conditions.as_deref().unwrap_or_default()),
        cell(&d.rationale),
        d.parties.join(", "),
        cell(d.meeting_title.as_deref().unwrap_or_default()),
        d.follow_up_milestones
            .iter()
            .map(|f| cell(&format!("{} ({})", f.title, f.due)))
            .collect::<Vec<_>>()
            .join("; "),
        dispute,
        d.audit_hash.clone().unwrap_or_default(),
    ]
}

#[cfg(test)]
#[path = "decision_tests.rs"]
mod tests;
