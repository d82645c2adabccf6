//! Role agreements (rolafspraken): the roles of the parties on one topic, and the rules for
//! their sign-offs.
//!
//! # Version hash
//! An agreement's version is the hex SHA-256 of a canonical JSON serialisation of its topic text
//! and role matrix: `{"title":…,"description":…,"roles":[["CODE","role"],…]}` with the rows
//! sorted by party code ([`version_hash`]). A row whose party has a responsibility text written
//! out carries it as a third element (`["CODE","role","text"]`), so a sign-off binds to the text
//! too, while the hash of a row without one is what it was before such texts existed. A
//! sign-off is given on exactly one version hash.
//!
//! # Sign-off rules
//! - `akkoord`, `akkoord_met_voorbehoud` (a reservation text is required) or `niet_akkoord`
//!   (which opens a dispute) ([`check_sign_off`]).
//! - Only a person holding their party's mandate in the agreement's body signs, and only for
//!   their own party, which must have a row in the matrix.
//! - A new sign-off of the same party replaces its earlier one (kept as history).
//!
//! # Re-opening after a change ([`plan_change`])
//! - A change of the **topic text** (title or description) changes what every party agreed to:
//!   every sign-off is re-opened.
//! - A change of the **role matrix** re-opens the sign-off only of the parties whose own row
//!   changed: added, removed, given another role or another responsibility text. Every other party keeps its sign-off: it is
//!   carried to the new version hash as a new history entry that points at the one it carries
//!   (`carried_from`), so the history shows both the original signature and the carry-over.
//! - A sign-off that was already stale (given on an older hash) is never carried.
//! - "Pending" ([`pending`]) are the parties in the matrix without a sign-off on the current hash.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::validate::Invalid;

/// A party's role on a topic.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum AgreementRole {
    /// Leads (trekker).
    #[serde(rename = "trekker")]
    Trekker,
    /// Shares responsibility (medeverantwoordelijk).
    #[serde(rename = "medeverantwoordelijk")]
    Medeverantwoordelijk,
    /// Is consulted (geconsulteerd).
    #[serde(rename = "geconsulteerd")]
    Geconsulteerd,
    /// Is kept informed (geïnformeerd).
    #[serde(rename = "geïnformeerd", alias = "geinformeerd")]
    Geinformeerd,
}

impl AgreementRole {
    /// Every role, in matrix column order.
    pub const ALL: [AgreementRole; 4] = [
        AgreementRole::Trekker,
        AgreementRole::Medeverantwoordelijk,
        AgreementRole::Geconsulteerd,
        AgreementRole::Geinformeerd,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AgreementRole::Trekker => "trekker",
            AgreementRole::Medeverantwoordelijk => "medeverantwoordelijk",
            AgreementRole::Geconsulteerd => "geconsulteerd",
            AgreementRole::Geinformeerd => "geïnformeerd",
        }
    }

    /// Parses a stored or typed name (`geinformeerd` without the diaeresis is accepted).
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if raw == "geinformeerd" {
            return Some(AgreementRole::Geinformeerd);
        }
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    /// Parses an API field.
    ///
    /// # Errors
    /// [`Invalid`] listing the roles.
    pub fn parse_field(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        Self::parse(raw).ok_or_else(|| Invalid {
            field,
            message: format!(
                "unknown role {raw:?}; use trekker, medeverantwoordelijk, geconsulteerd or geïnformeerd"
            ),
        })
    }
}

/// A party's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignOffState {
    /// Agreed (akkoord).
    Akkoord,
    /// Agreed with a reservation (akkoord met voorbehoud).
    AkkoordMetVoorbehoud,
    /// Not agreed (niet akkoord): opens a dispute.
    NietAkkoord,
}

impl SignOffState {
    /// Every state.
    pub const ALL: [SignOffState; 3] = [
        SignOffState::Akkoord,
        SignOffState::AkkoordMetVoorbehoud,
        SignOffState::NietAkkoord,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SignOffState::Akkoord => "akkoord",
            SignOffState::AkkoordMetVoorbehoud => "akkoord_met_voorbehoud",
            SignOffState::NietAkkoord => "niet_akkoord",
        }
    }

    /// Parses a stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }
}

stored_names! {
    /// Why a sign-off stopped being its party's current one.
    pub enum SupersededReason {
        /// The party signed again.
        Replaced = "replaced",
        /// It was carried to a new version (by a new entry that points at it).
        Carried = "carried",
        /// A change of the agreement re-opened it.
        Reopened = "reopened",
    }
}

/// One row of the matrix as the hash and the change rules see it: the role and the party's
/// responsibility text (empty when none is written out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixRow {
    /// The party's role.
    pub role: AgreementRole,
    /// What the party takes on, in its own words; part of what it signs.
    pub responsibility: String,
}

impl From<AgreementRole> for MatrixRow {
    fn from(role: AgreementRole) -> Self {
        MatrixRow {
            role,
            responsibility: String::new(),
        }
    }
}

/// The longest responsibility text of one party, in characters.
pub const MAX_RESPONSIBILITY: usize = 4000;

/// Checks a party's responsibility text; returns it trimmed (empty for none).
///
/// # Errors
/// [`Invalid`] for a text longer than [`MAX_RESPONSIBILITY`] characters.
pub fn check_responsibility(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let text = raw.trim();
    if text.chars().count() > MAX_RESPONSIBILITY {
        return Err(Invalid {
            field,
            message: format!("may be at most {MAX_RESPONSIBILITY} characters long"),
        });
    }
    Ok(text.to_owned())
}

/// Checks a sign-off's state and reservation; returns the reservation to store.
///
/// # Errors
/// [`Invalid`] for an unknown state, a `akkoord_met_voorbehoud` without reservation text, or a
/// reservation longer than 4000 characters.
pub fn check_sign_off(
    state: &str,
    reservation: Option<&str>,
) -> Result<(SignOffState, Option<String>), Invalid> {
    let parsed = SignOffState::parse(state).ok_or_else(|| Invalid {
        field: "state",
        message: format!(
            "unknown state {state:?}; use akkoord, akkoord_met_voorbehoud or niet_akkoord"
        ),
    })?;
    let text = reservation.map(str::trim).filter(|t| !t.is_empty());
    if let Some(text) = text {
        if text.chars().count() > 4000 {
            return Err(Invalid {
                field: "reservation",
                message: "may be at most 4000 characters long".into(),
            });
        }
    }
    if parsed == SignOffState::AkkoordMetVoorbehoud && text.is_none() {
        return Err(Invalid {
            field: "reservation",
            message: "akkoord met voorbehoud needs the reservation (voorbehoud) written out".into(),
        });
    }
    Ok((parsed, text.map(str::to_owned)))
}

/// The hex SHA-256 over the canonical serialisation of topic text and role matrix (with the
/// responsibility texts that are written out).
pub fn version_hash(title: &str, description: &str, rows: &BTreeMap<String, MatrixRow>) -> String {
    let rows: Vec<Vec<&str>> = rows
        .iter()
        .map(|(code, row)| {
            let mut cells = vec![code.as_str(), row.role.as_str()];
            if !row.responsibility.is_empty() {
                cells.push(row.responsibility.as_str());
            }
            cells
        })
        .collect();
    let canonical = serde_json::json!({
        "title": title,
        "description": description,
        "roles": rows,
    });
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// What happens to the current sign-offs when an agreement changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangePlan {
    /// Parties whose valid sign-off moves to the new hash.
    pub carry: BTreeSet<String>,
    /// Parties whose sign-off (valid or stale) is re-opened.
    pub reopen: BTreeSet<String>,
}

/// Decides, per party with a current sign-off, whether it is carried or re-opened.
///
/// `signed` maps party code → the hash its current sign-off was given on.
pub fn plan_change<Row: PartialEq>(
    old_text: (&str, &str),
    new_text: (&str, &str),
    old_roles: &BTreeMap<String, Row>,
    new_roles: &BTreeMap<String, Row>,
    old_hash: &str,
    signed: &BTreeMap<String, String>,
) -> ChangePlan {
    let text_changed = old_text != new_text;
    let mut plan = ChangePlan::default();
    for (party, hash) in signed {
        let affected = text_changed || old_roles.get(party) != new_roles.get(party);
        if !affected && hash == old_hash {
            plan.carry.insert(party.clone());
        } else {
            plan.reopen.insert(party.clone());
        }
    }
    plan
}

/// Parties in the matrix without a sign-off on `current_hash`, by code.
pub fn pending<Row>(
    roles: &BTreeMap<String, Row>,
    signed: &BTreeMap<String, String>,
    current_hash: &str,
) -> Vec<String> {
    roles
        .keys()
        .filter(|code| signed.get(*code).map(String::as_str) != Some(current_hash))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(rows: &[(&str, AgreementRole)]) -> BTreeMap<String, MatrixRow> {
        rows.iter()
            .map(|(c, r)| ((*c).to_owned(), MatrixRow::from(*r)))
            .collect()
    }

    #[test]
    fn the_hash_is_canonical_and_sensitive() {
        let a = matrix(&[
            ("ZIN", AgreementRole::Trekker),
            ("VWS", AgreementRole::Geconsulteerd),
        ]);
        let b = matrix(&[
            ("VWS", AgreementRole::Geconsulteerd),
            ("ZIN", AgreementRole::Trekker),
        ]);
        assert_eq!(version_hash("T", "D", &a), version_hash("T", "D", &b));
        assert_eq!(version_hash("T", "D", &a).len(), 64);
        let c = matrix(&[
            ("ZIN", AgreementRole::Trekker),
            ("VWS", AgreementRole::Geinformeerd),
        ]);
        assert_ne!(version_hash("T", "D", &a), version_hash("T", "D", &c));
        assert_ne!(version_hash("T", "D", &a), version_hash("T", "E", &a));
    }

    #[test]
    fn a_role_change_reopens_only_the_affected_party() {
        let old = matrix(&[
            ("ZIN", AgreementRole::Trekker),
            ("VWS", AgreementRole::Medeverantwoordelijk),
            ("FMS", AgreementRole::Geconsulteerd),
        ]);
        let mut new = old.clone();
        new.insert("FMS".into(), AgreementRole::Medeverantwoordelijk.into());
        let signed: BTreeMap<String, String> = [
            ("ZIN".to_owned(), "h1".to_owned()),
            ("FMS".to_owned(), "h1".to_owned()),
            ("VWS".to_owned(), "h0".to_owned()),
        ]
        .into();
        let plan = plan_change(("T", "D"), ("T", "D"), &old, &new, "h1", &signed);
        assert_eq!(plan.carry, BTreeSet::from(["ZIN".to_owned()]));
        assert_eq!(
            plan.reopen,
            BTreeSet::from(["FMS".to_owned(), "VWS".to_owned()])
        );
        let text = plan_change(("T", "D"), ("T", "D2"), &old, &old, "h1", &signed);
        assert!(text.carry.is_empty());
        assert_eq!(text.reopen.len(), 3);
    }

    #[test]
    fn a_responsibility_text_is_signed_and_reopens_only_its_party() {
        let old = matrix(&[
            ("ZIN", AgreementRole::Trekker),
            ("VWS", AgreementRole::Medeverantwoordelijk),
        ]);
        // a row without a text hashes as it did before texts existed
        let canonical = serde_json::json!({
            "title": "T",
            "description": "D",
            "roles": [["VWS", "medeverantwoordelijk"], ["ZIN", "trekker"]],
        });
        assert_eq!(
            version_hash("T", "D", &old),
            hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
        );
        let mut new = old.clone();
        new.insert(
            "VWS".into(),
            MatrixRow {
                role: AgreementRole::Medeverantwoordelijk,
                responsibility: "levert de wetstekst".into(),
            },
        );
        assert_ne!(version_hash("T", "D", &old), version_hash("T", "D", &new));
        let signed: BTreeMap<String, String> = [
            ("ZIN".to_owned(), "h1".to_owned()),
            ("VWS".to_owned(), "h1".to_owned()),
        ]
        .into();
        let plan = plan_change(("T", "D"), ("T", "D"), &old, &new, "h1", &signed);
        assert_eq!(plan.carry, BTreeSet::from(["ZIN".to_owned()]));
        assert_eq!(plan.reopen, BTreeSet::from(["VWS".to_owned()]));
        assert_eq!(
            check_responsibility("responsibility", "  x  "),
            Ok("x".into())
        );
        assert!(check_responsibility("responsibility", &"x".repeat(4001)).is_err());
    }

    #[test]
    fn sign_off_rules() {
        assert!(check_sign_off("akkoord_met_voorbehoud", Some("  ")).is_err());
        assert_eq!(
            check_sign_off("akkoord_met_voorbehoud", Some(" mits X ")),
            Ok((SignOffState::AkkoordMetVoorbehoud, Some("mits X".into())))
        );
        assert!(check_sign_off("ja", None).is_err());
        for state in SignOffState::ALL {
            assert_eq!(SignOffState::parse(state.as_str()), Some(state));
        }
        for role in AgreementRole::ALL {
            assert_eq!(AgreementRole::parse(role.as_str()), Some(role));
        }
        for reason in SupersededReason::ALL {
            assert_eq!(SupersededReason::parse(reason.as_str()), Some(*reason));
        }
        assert_eq!(SupersededReason::parse("gone"), None);
        assert_eq!(
            AgreementRole::parse("geinformeerd"),
            Some(AgreementRole::Geinformeerd)
        );
        let roles = matrix(&[
            ("ZIN", AgreementRole::Trekker),
            ("VWS", AgreementRole::Trekker),
        ]);
        let signed: BTreeMap<String, String> = [("ZIN".to_owned(), "h".to_owned())].into();
        assert_eq!(pending(&roles, &signed, "h"), vec!["VWS".to_owned()]);
    }
}
