//! Endorsement rounds: the rules of a round on one version, without IO (docs/DOMAIN.md §15).
//!
//! A round asks a body's member parties for their answer on one version. It is complete when
//! every party has a current answer and no `niet_akkoord` answer has a dispute that is still
//! open. When a version with other content supersedes the round, the parties that consented
//! are asked again ([`re_asked`]). The consent state at a gated step is kept as a
//! [`ConsentRecord`], which the version's exports show as an "Instemming" section.

use serde::{Deserialize, Serialize};

pub use crate::domain::role_agreement::SignOffState as AnswerState;
use crate::domain::validate::Invalid;

crate::domain::stored_names! {
    /// Where a round is.
    pub enum RoundStatus {
        /// Waiting for answers.
        Open = "open",
        /// Every party answered.
        Afgerond = "afgerond",
        /// A version with other content replaced it.
        Vervangen = "vervangen",
        /// The chair withdrew it.
        Ingetrokken = "ingetrokken",
    }
}

impl RoundStatus {
    /// Whether parties may still answer (open, or complete while the draft has not moved on).
    pub fn accepts_answers(self) -> bool {
        matches!(self, RoundStatus::Open | RoundStatus::Afgerond)
    }
}

/// Longest reservation.
pub const MAX_RESERVATION: usize = 4000;
/// Longest anchor quote.
pub const MAX_ANCHOR: usize = 1000;
/// Longest note of a round.
pub const MAX_NOTE: usize = 2000;

/// A party's current answer, as far as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyState {
    /// The party.
    pub party_id: i64,
    /// Its code, for messages.
    pub code: String,
    /// Its current answer, if any.
    pub state: Option<AnswerState>,
    /// For a `niet_akkoord`: whether its dispute is still open (or was never opened).
    pub dispute_open: bool,
}

/// Parties without a current answer.
pub fn pending(parties: &[PartyState]) -> Vec<&PartyState> {
    parties.iter().filter(|p| p.state.is_none()).collect()
}

/// `niet_akkoord` answers whose dispute is still open.
pub fn open_niet_akkoord(parties: &[PartyState]) -> Vec<&PartyState> {
    parties
        .iter()
        .filter(|p| p.state == Some(AnswerState::NietAkkoord) && p.dispute_open)
        .collect()
}

/// Whether every party answered (the round becomes `afgerond`).
pub fn all_answered(parties: &[PartyState]) -> bool {
    pending(parties).is_empty()
}

/// Complete: every party answered and no `niet_akkoord` has an open dispute.
pub fn complete(parties: &[PartyState]) -> bool {
    all_answered(parties) && open_niet_akkoord(parties).is_empty()
}

/// Why the gate refuses a step to `to`: who has not answered and which `niet akkoord` is
/// open, and what to do. `None` when the round is complete.
pub fn gate_refusal(to: &str, parties: Option<&[PartyState]>) -> Option<String> {
    let Some(parties) = parties else {
        return Some(format!(
            "this body requires a completed endorsement round before {to}; open a round on the version and let every member party answer first"
        ));
    };
    if complete(parties) {
        return None;
    }
    let codes = |list: Vec<&PartyState>| {
        list.iter()
            .map(|p| p.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut reasons = Vec::new();
    let waiting = pending(parties);
    if !waiting.is_empty() {
        reasons.push(format!("not answered yet: {}", codes(waiting)));
    }
    let refusing = open_niet_akkoord(parties);
    if !refusing.is_empty() {
        reasons.push(format!(
            "niet akkoord with an open dispute: {}",
            codes(refusing)
        ));
    }
    Some(format!(
        "this body requires a completed endorsement round on this content before {to} ({}); ask the parties' mandate holders to answer and resolve the disputes first",
        reasons.join("; ")
    ))
}

/// What a party answered on the superseded round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    /// The party.
    pub party_id: i64,
    /// Its answer there.
    pub state: AnswerState,
}

/// The parties a new version asks again with the comparison: those that consented
/// (`akkoord` or `akkoord_met_voorbehoud`) to the superseded round's version.
pub fn re_asked(old: &[PartyState]) -> Vec<Previous> {
    old.iter()
        .filter_map(|p| match p.state {
            Some(state @ (AnswerState::Akkoord | AnswerState::AkkoordMetVoorbehoud)) => {
                Some(Previous {
                    party_id: p.party_id,
                    state,
                })
            }
            _ => None,
        })
        .collect()
}

/// A checked answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedAnswer {
    /// The state.
    pub state: AnswerState,
    /// The reservation (required for voorbehoud, optional for niet akkoord).
    pub reservation: Option<String>,
    /// The passage it is anchored to.
    pub anchor_quote: Option<String>,
}

/// Checks an answer against the version's plain text.
///
/// # Errors
/// [`Invalid`] naming the field.
pub fn check_answer(
    state: &str,
    reservation: Option<&str>,
    anchor_quote: Option<&str>,
    plain_text: &str,
) -> Result<CheckedAnswer, Invalid> {
    let parsed = AnswerState::parse(state).ok_or_else(|| Invalid {
        field: "state",
        message: format!(
            "unknown state {state:?}; use akkoord, akkoord_met_voorbehoud or niet_akkoord"
        ),
    })?;
    let text = reservation.map(str::trim).filter(|t| !t.is_empty());
    if text.is_some_and(|t| t.chars().count() > MAX_RESERVATION) {
        return Err(Invalid {
            field: "reservation",
            message: format!("may be at most {MAX_RESERVATION} characters long"),
        });
    }
    if parsed == AnswerState::AkkoordMetVoorbehoud && text.is_none() {
        return Err(Invalid {
            field: "reservation",
            message: "akkoord met voorbehoud needs the reservation (voorbehoud) written out".into(),
        });
    }
    if parsed == AnswerState::Akkoord && text.is_some() {
        return Err(Invalid {
            field: "reservation",
            message: "a plain akkoord has no reservation; answer akkoord_met_voorbehoud to add one"
                .into(),
        });
    }
    let quote = anchor_quote.map(str::trim).filter(|q| !q.is_empty());
    if let Some(quote) = quote {
        if quote.chars().count() > MAX_ANCHOR {
            return Err(Invalid {
                field: "anchor_quote",
                message: format!("may be at most {MAX_ANCHOR} characters long"),
            });
        }
        if !plain_text.contains(quote) {
            return Err(Invalid {
                field: "anchor_quote",
                message:
                    "does not occur in the version's text; quote a passage of the version exactly"
                        .into(),
            });
        }
    }
    Ok(CheckedAnswer {
        state: parsed,
        reservation: text.map(str::to_owned),
        anchor_quote: quote.map(str::to_owned),
    })
}

/// One party's line in a consent record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordedParty {
    /// Party code.
    pub code: String,
    /// Party name.
    pub name: String,
    /// Its answer, `None` when it had not answered.
    pub state: Option<AnswerState>,
    /// The hash it answered on.
    pub content_hash: Option<String>,
    /// The reservation.
    pub reservation: Option<String>,
    /// The passage it is anchored to.
    pub anchor_quote: Option<String>,
    /// Who signed.
    pub signed_by_name: Option<String>,
    /// Unix ms.
    pub signed_at: Option<i64>,
}

/// The consent state kept at a step to `vastgesteld` or `aangeboden`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsentRecord {
    /// The round, if the draft had one.
    pub round_id: Option<i64>,
    /// The version the round was on.
    pub round_version: Option<String>,
    /// The content hash the round was bound to.
    pub content_hash: Option<String>,
    /// Whether the round was complete.
    pub complete: bool,
    /// The status the draft moved to.
    pub to_status: String,
    /// Every party of the round.
    pub parties: Vec<RecordedParty>,
}

fn state_label(state: Option<AnswerState>) -> &'static str {
    match state {
        Some(AnswerState::Akkoord) => "akkoord",
        Some(AnswerState::AkkoordMetVoorbehoud) => "akkoord met voorbehoud",
        Some(AnswerState::NietAkkoord) => "niet akkoord",
        None => "nog geen antwoord",
    }
}

/// The lines of the "Instemming" section of a version's exports: the round, its hash and
/// completeness, then one line per party (who signed, when, which hash, the reservation).
pub fn record_lines(record: &ConsentRecord, format_ms: impl Fn(i64) -> String) -> Vec<String> {
    let mut lines = Vec::new();
    match (&record.round_version, &record.content_hash) {
        (Some(version), Some(hash)) => lines.push(format!(
            "Instemmingsronde op versie {version} (inhoud {hash}): {}.",
            if record.complete {
                "afgerond"
            } else {
                "niet afgerond"
            }
        )),
        _ => lines.push("Er was geen instemmingsronde op deze versie.".into()),
    }
    for party in &record.parties {
        let mut line = format!(
            "{} ({}): {}",
            party.name,
            party.code,
            state_label(party.state)
        );
        if let (Some(by), Some(at)) = (&party.signed_by_name, party.signed_at) {
            line.push_str(&format!(", door {by} op {}", format_ms(at)));
        }
        if let Some(hash) = &party.content_hash {
            line.push_str(&format!(", inhoud {hash}"));
        }
        if let Some(reservation) = &party.reservation {
            line.push_str(&format!(". Voorbehoud: {reservation}"));
        }
        if let Some(quote) = &party.anchor_quote {
            line.push_str(&format!(" (bij: \u{201c}{quote}\u{201d})"));
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
#[path = "endorsement_tests.rs"]
mod tests;
