//! Sign-offs on role agreements: a party's `akkoord`, `akkoord_met_voorbehoud` or
//! `niet_akkoord`, bound to the agreement's version hash, with the history and the parties
//! still owing one.
//!
//! # `niet_akkoord` and disputes
//! [`SqlStorage::sign_off`] stores a sign-off, the dispute a `niet_akkoord` opens and the audit
//! entries in one transaction. The party's answer is its commitment and must never be lost
//! because another part failed, so the dispute is opened in a savepoint: when opening it fails,
//! only the savepoint is rolled back, the sign-off stays, the failure is written to the audit
//! log (`role_agreement.dispute_failed`) and the answer says `dispute.opened = false` with a
//! message asking to raise the dispute by hand (or to sign `niet_akkoord` again, which retries).
//! A failure of the sign-off or of its audit entry stores nothing.

use std::collections::BTreeMap;

use chrono::Utc;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row, Transaction};

use super::role_agreements::{load_agreement, lock_agreement, RoleAgreement};
use crate::domain::role_agreement::{AgreementRole, SignOffState, SupersededReason};
use crate::storage::audit::{append_in, Actor};
use crate::storage::escalation::disputes::{open_refusal_dispute, NewDispute, Refusal};
use crate::storage::{decode, get_decoded, now_ms, SqlStorage, StorageError};

/// A sign-off as stored (history included).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct SignOff {
    /// Database id.
    pub id: i64,
    /// The agreement.
    pub agreement_id: i64,
    /// Party id.
    pub party_id: i64,
    /// Party code.
    pub party: String,
    /// The party's answer.
    pub state: SignOffState,
    /// The reservation (voorbehoud) or the explanation of a `niet_akkoord`.
    pub reservation: Option<String>,
    /// The version it was given on.
    pub version_hash: String,
    /// The mandate holder who signed (for a carried sign-off: the original signer).
    pub signed_by: Option<i64>,
    /// Their name.
    pub signed_by_name: Option<String>,
    /// Unix ms.
    pub signed_at: i64,
    /// The sign-off this one carries to a new version, if it is a carry-over.
    pub carried_from: Option<i64>,
    /// The dispute opened by a `niet_akkoord`.
    pub dispute_id: Option<i64>,
    /// When it stopped being the party's current sign-off.
    pub superseded_at: Option<i64>,
    /// Why: signed again, carried to a new version, or re-opened.
    pub superseded_reason: Option<SupersededReason>,
}

/// A pending party with the people who can sign for it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PendingParty {
    /// Party code.
    pub code: String,
    /// Party name.
    pub name: String,
    /// Its role.
    pub role: AgreementRole,
    /// Names of the mandate holders of this party in the body.
    pub mandate_holders: Vec<String>,
    /// Its last sign-off, if it was re-opened or given on an older version.
    pub previous: Option<SignOff>,
}

/// A party's sign-off to store.
#[derive(Debug, Clone, Copy)]
pub struct NewSignOff<'a> {
    /// The party it is for.
    pub party_id: i64,
    /// Its state.
    pub state: SignOffState,
    /// The reservation or explanation.
    pub reservation: Option<&'a str>,
    /// The mandate holder signing.
    pub signed_by: i64,
    /// The version the signer read; nothing is stored when the agreement changed since.
    pub expected_hash: Option<&'a str>,
}

/// Whether a dispute was opened for a `niet_akkoord`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DisputeResult {
    /// Whether it was opened.
    pub opened: bool,
    /// Its id.
    pub id: Option<i64>,
    /// What to do when it was not.
    pub message: Option<String>,
}

/// A stored sign-off with the agreement after it and, for a `niet_akkoord`, the dispute.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Signed {
    /// The sign-off.
    pub sign_off: SignOff,
    /// The agreement with its current sign-offs.
    pub agreement: RoleAgreement,
    /// The dispute outcome of a `niet_akkoord`.
    pub dispute: Option<DisputeResult>,
}

/// What [`SqlStorage::sign_off`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignOutcome {
    /// Stored.
    Signed(Box<Signed>),
    /// No such agreement.
    NotFound,
    /// The agreement changed since the signer read it; its current version hash.
    Stale(String),
}

pub(super) const SIGN_OFF_SELECT: &str =
    "SELECT s.id, s.agreement_id, s.party_id, p.code AS party, s.state, \
     s.reservation, s.version_hash, s.signed_by, u.name AS signed_by_name, s.signed_at, \
     s.carried_from, s.dispute_id, s.superseded_at, s.superseded_reason \
     FROM sign_offs s JOIN parties p ON p.id = s.party_id LEFT JOIN users u ON u.id = s.signed_by";

fn sign_off_from_row(row: &AnyRow) -> Result<SignOff, StorageError> {
    Ok(SignOff {
        id: row.try_get("id")?,
        agreement_id: row.try_get("agreement_id")?,
        party_id: row.try_get("party_id")?,
        party: row.try_get("party")?,
        state: get_decoded(row, "state", SignOffState::parse)?,
        reservation: row.try_get("reservation")?,
        version_hash: row.try_get("version_hash")?,
        signed_by: row.try_get("signed_by")?,
        signed_by_name: row.try_get("signed_by_name")?,
        signed_at: row.try_get("signed_at")?,
        carried_from: row.try_get("carried_from")?,
        dispute_id: row.try_get("dispute_id")?,
        superseded_at: row.try_get("superseded_at")?,
        superseded_reason: row
            .try_get::<Option<String>, _>("superseded_reason")?
            .map(|reason| decode("superseded_reason", reason, SupersededReason::parse))
            .transpose()?,
    })
}

/// Current sign-offs (not superseded; the newest per party) by party code.
pub(super) async fn current_sign_offs<'e>(
    executor: impl Executor<'e, Database = Any>,
    agreement_id: i64,
) -> Result<BTreeMap<String, SignOff>, StorageError> {
    let rows = sqlx::query(&format!(
        "{SIGN_OFF_SELECT} WHERE s.agreement_id = $1 AND s.superseded_at IS NULL ORDER BY s.id"
    ))
    .bind(agreement_id)
    .fetch_all(executor)
    .await?;
    let mut out = BTreeMap::new();
    for row in &rows {
        let sign_off = sign_off_from_row(row)?;
        out.insert(sign_off.party.clone(), sign_off);
    }
    Ok(out)
}

/// The dispute a party's `niet_akkoord` opens: raised by that party (and the signer) in the
/// agreement's body, involving the agreement's leading parties (trekkers) as well.
pub fn niet_akkoord_dispute(
    agreement: &RoleAgreement,
    party: i64,
    reservation: Option<&str>,
    person: i64,
) -> NewDispute {
    let mut parties = vec![party];
    parties.extend(
        agreement
            .parties
            .iter()
            .filter(|p| p.role == AgreementRole::Trekker && p.party_id != party)
            .map(|p| p.party_id),
    );
    NewDispute {
        body_id: agreement.body_id,
        subject_kind: "role_agreement".into(),
        subject_id: agreement.id,
        title: format!("Niet akkoord: {}", agreement.title),
        description: reservation
            .unwrap_or("De partij gaat niet akkoord met de rolafspraak.")
            .to_owned(),
        raised_by_party: party,
        raised_by_person: Some(person),
        parties,
    }
}

/// Stores a sign-off on the agreement's current version, replacing the party's earlier one.
/// `Ok(Err(hash))` when the expected version is not the current one; `Ok(Ok(None))` when
/// there is no such agreement.
async fn insert_sign_off(
    tx: &mut Transaction<'_, Any>,
    agreement_id: i64,
    sign: &NewSignOff<'_>,
) -> Result<Result<Option<i64>, String>, StorageError> {
    let now = now_ms();
    let Some((_, _, hash)) = lock_agreement(tx, agreement_id).await? else {
        return Ok(Ok(None));
    };
    if sign.expected_hash.is_some_and(|h| h != hash) {
        return Ok(Err(hash));
    }
    sqlx::query(
        "UPDATE sign_offs SET superseded_at = $1, superseded_reason = 'replaced' \
         WHERE agreement_id = $2 AND party_id = $3 AND superseded_at IS NULL",
    )
    .bind(now)
    .bind(agreement_id)
    .bind(sign.party_id)
    .execute(&mut **tx)
    .await?;
    let row = sqlx::query(
        "INSERT INTO sign_offs (agreement_id, party_id, state, reservation, version_hash, \
         signed_by, signed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(agreement_id)
    .bind(sign.party_id)
    .bind(sign.state.as_str())
    .bind(sign.reservation)
    .bind(&hash)
    .bind(sign.signed_by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Ok(Some(row.try_get("id")?)))
}

async fn read_sign_off(tx: &mut Transaction<'_, Any>, id: i64) -> Result<SignOff, StorageError> {
    let row = sqlx::query(&format!("{SIGN_OFF_SELECT} WHERE s.id = $1"))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    sign_off_from_row(&row)
}

impl SqlStorage {
    /// Records a party's sign-off on the agreement's current version, replacing its earlier
    /// one, without an audit entry (for the demo). When `expected_hash` is given and differs
    /// from the current version, nothing is stored and `Ok(Err(current_hash))` is returned.
    /// `Ok(Ok(None))`: no such agreement.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn sign_role_agreement(
        &self,
        agreement_id: i64,
        party_id: i64,
        state: SignOffState,
        reservation: Option<&str>,
        signed_by: i64,
        expected_hash: Option<&str>,
    ) -> Result<Result<Option<SignOff>, String>, StorageError> {
        let sign = NewSignOff {
            party_id,
            state,
            reservation,
            signed_by,
            expected_hash,
        };
        let mut tx = self.begin_write().await?;
        let id = match insert_sign_off(&mut tx, agreement_id, &sign).await? {
            Ok(Some(id)) => id,
            other => return Ok(other.map(|_| None)),
        };
        let sign_off = read_sign_off(&mut tx, id).await?;
        tx.commit().await?;
        Ok(Ok(Some(sign_off)))
    }

    /// A mandate holder's sign-off on `agreement` (as the caller read it), in one transaction
    /// with its `role_agreement.sign_off` audit entry and, for a `niet_akkoord`, the dispute it
    /// opens (see the module documentation). Returns the sign-off, the agreement after it and
    /// the dispute outcome.
    ///
    /// # Errors
    /// Storage errors; nothing is stored then.
    pub async fn sign_off(
        &self,
        agreement: &RoleAgreement,
        sign: &NewSignOff<'_>,
        by: &Actor,
    ) -> Result<SignOutcome, StorageError> {
        let now = Utc::now();
        let dispute = (sign.state == SignOffState::NietAkkoord).then(|| {
            niet_akkoord_dispute(agreement, sign.party_id, sign.reservation, sign.signed_by)
        });
        let respond_by = match &dispute {
            Some(_) => Some(self.first_respond_by(agreement.body_id, now).await),
            None => None,
        };
        let mut tx = self.begin_write().await?;
        let id = match insert_sign_off(&mut tx, agreement.id, sign).await? {
            Ok(Some(id)) => id,
            Ok(None) => return Ok(SignOutcome::NotFound),
            Err(current) => return Ok(SignOutcome::Stale(current)),
        };
        let mut result = None;
        if let (Some(dispute), Some(respond_by)) = (&dispute, respond_by) {
            result = Some(
                match open_refusal_dispute(
                    &mut tx,
                    dispute,
                    None,
                    respond_by,
                    now,
                    Refusal::SignOff(id),
                )
                .await
                {
                    Ok(dispute_id) => DisputeResult {
                        opened: true,
                        id: Some(dispute_id),
                        message: None,
                    },
                    Err(error) => {
                        tracing::warn!(%error, role_agreement = agreement.id, "opening the dispute for a niet_akkoord failed");
                        DisputeResult {
                        opened: false,
                        id: None,
                        message: Some(
                            "the sign-off is stored, but the dispute could not be opened; raise it by hand or sign niet_akkoord again to retry".into(),
                        ),
                    }
                    }
                },
            );
        }
        let subject = serde_json::json!({ "role_agreement": agreement.id, "party": sign.party_id, "sign_off": id, "state": sign.state.as_str() });
        append_in(
            &mut tx,
            self.backend(),
            by,
            "role_agreement.sign_off",
            &subject,
        )
        .await?;
        if result.as_ref().is_some_and(|d| !d.opened) {
            let subject = serde_json::json!({ "role_agreement": agreement.id, "sign_off": id });
            let action = "role_agreement.dispute_failed";
            append_in(&mut tx, self.backend(), by, action, &subject).await?;
        }
        let sign_off = read_sign_off(&mut tx, id).await?;
        let after = load_agreement(&mut tx, agreement.id)
            .await?
            .ok_or(StorageError::AlreadyExists("role agreement"))?;
        tx.commit().await?;
        Ok(SignOutcome::Signed(Box::new(Signed {
            sign_off,
            agreement: after,
            dispute: result,
        })))
    }

    /// Every sign-off of an agreement, oldest first (replaced, carried and re-opened included).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn sign_off_history(&self, agreement_id: i64) -> Result<Vec<SignOff>, StorageError> {
        let rows = sqlx::query(&format!(
            "{SIGN_OFF_SELECT} WHERE s.agreement_id = $1 ORDER BY s.id"
        ))
        .bind(agreement_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(sign_off_from_row).collect()
    }

    /// Parties of the agreement without a sign-off on its current version, with the names of
    /// the people who hold their mandate in the agreement's body and may sign (not observers).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn pending_sign_offs(
        &self,
        agreement: &RoleAgreement,
    ) -> Result<Vec<PendingParty>, StorageError> {
        let holders = sqlx::query(
            "SELECT u.party_id, u.name FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.body_id = $1 AND m.holds_mandate = 1 AND m.role <> 'observer' \
             AND u.party_id IS NOT NULL ORDER BY u.name",
        )
        .bind(agreement.body_id)
        .fetch_all(self.pool())
        .await?;
        let previous = current_sign_offs(self.pool(), agreement.id).await?;
        let history = self.sign_off_history(agreement.id).await?;
        let mut out = Vec::new();
        for party in agreement.parties.iter().filter(|p| p.sign_off.is_none()) {
            let mut mandate_holders = Vec::new();
            for row in &holders {
                if row.try_get::<i64, _>("party_id")? == party.party_id {
                    mandate_holders.push(row.try_get("name")?);
                }
            }
            let last = previous.get(&party.code).cloned().or_else(|| {
                history
                    .iter()
                    .rev()
                    .find(|s| s.party_id == party.party_id)
                    .cloned()
            });
            out.push(PendingParty {
                code: party.code.clone(),
                name: party.name.clone(),
                role: party.role,
                mandate_holders,
                previous: last,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::governance::role_agreements::AgreementParty;

    fn row(party_id: i64, code: &str, role: AgreementRole) -> AgreementParty {
        AgreementParty {
            party_id,
            code: code.into(),
            name: code.into(),
            is_collective: false,
            role,
            responsibility: String::new(),
            sign_off: None,
        }
    }

    fn agreement(parties: Vec<AgreementParty>) -> RoleAgreement {
        RoleAgreement {
            id: 7,
            body_id: 3,
            title: "Rollen bij de onderzoeksagenda".into(),
            description: String::new(),
            draft_id: None,
            version_hash: "h".into(),
            created_by: None,
            created_at: 0,
            updated_at: 0,
            parties,
        }
    }

    #[test]
    fn a_niet_akkoord_involves_the_trekkers_besides_the_refusing_party() {
        let agreement = agreement(vec![
            row(1, "ZIN", AgreementRole::Trekker),
            row(2, "VWS", AgreementRole::Trekker),
            row(3, "FMS", AgreementRole::Medeverantwoordelijk),
            row(4, "IGJ", AgreementRole::Geinformeerd),
        ]);
        let dispute = niet_akkoord_dispute(&agreement, 3, Some("Gaat te ver."), 42);
        assert_eq!(dispute.parties, [3, 1, 2]);
        assert_eq!(dispute.raised_by_party, 3);
        assert_eq!(dispute.raised_by_person, Some(42));
        assert_eq!((dispute.body_id, dispute.subject_id), (3, 7));
        assert_eq!(dispute.subject_kind, "role_agreement");
        assert_eq!(
            dispute.title,
            "Niet akkoord: Rollen bij de onderzoeksagenda"
        );
        assert_eq!(dispute.description, "Gaat te ver.");
    }

    #[test]
    fn a_refusing_trekker_is_listed_once_and_the_explanation_has_a_default() {
        let agreement = agreement(vec![
            row(1, "ZIN", AgreementRole::Trekker),
            row(2, "VWS", AgreementRole::Trekker),
        ]);
        let dispute = niet_akkoord_dispute(&agreement, 1, None, 42);
        assert_eq!(dispute.parties, [1, 2]);
        assert_eq!(
            dispute.description,
            "De partij gaat niet akkoord met de rolafspraak."
        );
    }
}
