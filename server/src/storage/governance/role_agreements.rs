//! Role agreements with their party × role matrix and the per-party sign-offs, bound to the
//! agreement's version hash. The rules (hash, carry-over, pending) live in
//! [`crate::domain::role_agreement`]; this file stores their outcome.
//!
//! Every change and every sign-off starts by touching the agreement row, which serialises them
//! per agreement on PostgreSQL as SQLite does anyway.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::domain::role_agreement::{self, AgreementRole, SignOffState};
use crate::storage::{now_ms, SqlStorage, StorageError};

/// A role agreement with its matrix and the current sign-offs.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct RoleAgreement {
    /// Database id.
    pub id: i64,
    /// The body it belongs to.
    pub body_id: i64,
    /// The topic.
    pub title: String,
    /// The topic text.
    pub description: String,
    /// The advice draft it comes from, if any.
    pub draft_id: Option<i64>,
    /// Hex SHA-256 of topic text and matrix; sign-offs are bound to it.
    pub version_hash: String,
    /// Who created it.
    pub created_by: Option<i64>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
    /// The matrix rows, by party code.
    pub parties: Vec<AgreementParty>,
}

/// One row of the matrix.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct AgreementParty {
    /// Party id.
    pub party_id: i64,
    /// Party code.
    pub code: String,
    /// Party name.
    pub name: String,
    /// Whether the row is a collective ("IZA-partijen").
    pub is_collective: bool,
    /// `trekker`, `medeverantwoordelijk`, `geconsulteerd` or `geïnformeerd`.
    pub role: String,
    /// The party's sign-off on the current version; `None` while pending.
    pub sign_off: Option<SignOff>,
}

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
    /// `akkoord`, `akkoord_met_voorbehoud` or `niet_akkoord`.
    pub state: String,
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
    /// Why: `replaced` (signed again), `carried` (moved to a new version), `reopened`.
    pub superseded_reason: Option<String>,
}

/// What a change did to the sign-offs.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ChangeOutcome {
    /// Parties whose sign-off was carried to the new version.
    pub carried: Vec<String>,
    /// Parties whose sign-off was re-opened.
    pub reopened: Vec<String>,
}

/// A new agreement.
#[derive(Debug, Clone)]
pub struct NewRoleAgreement {
    /// The body.
    pub body_id: i64,
    /// Topic.
    pub title: String,
    /// Topic text.
    pub description: String,
    /// Linked draft.
    pub draft_id: Option<i64>,
    /// Matrix rows.
    pub roles: Vec<(i64, AgreementRole)>,
    /// Creator.
    pub created_by: Option<i64>,
}

/// A change to an agreement; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AgreementChange {
    /// New topic.
    pub title: Option<String>,
    /// New topic text.
    pub description: Option<String>,
    /// New draft link (`Some(None)` removes it).
    pub draft_id: Option<Option<i64>>,
    /// Set (`Some(role)`) or remove (`None`) one party's row.
    pub role: Option<(i64, Option<AgreementRole>)>,
}

/// A pending party with the people who can sign for it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PendingParty {
    /// Party code.
    pub code: String,
    /// Party name.
    pub name: String,
    /// Its role.
    pub role: String,
    /// Names of the mandate holders of this party in the body.
    pub mandate_holders: Vec<String>,
    /// Its last sign-off, if it was re-opened or given on an older version.
    pub previous: Option<SignOff>,
}

const SIGN_OFF_SELECT: &str = "SELECT s.id, s.agreement_id, s.party_id, p.code AS party, s.state, \
     s.reservation, s.version_hash, s.signed_by, u.name AS signed_by_name, s.signed_at, \
     s.carried_from, s.dispute_id, s.superseded_at, s.superseded_reason \
     FROM sign_offs s JOIN parties p ON p.id = s.party_id LEFT JOIN users u ON u.id = s.signed_by";

fn sign_off_from_row(row: &AnyRow) -> Result<SignOff, StorageError> {
    Ok(SignOff {
        id: row.try_get("id")?,
        agreement_id: row.try_get("agreement_id")?,
        party_id: row.try_get("party_id")?,
        party: row.try_get("party")?,
        state: row.try_get("state")?,
        reservation: row.try_get("reservation")?,
        version_hash: row.try_get("version_hash")?,
        signed_by: row.try_get("signed_by")?,
        signed_by_name: row.try_get("signed_by_name")?,
        signed_at: row.try_get("signed_at")?,
        carried_from: row.try_get("carried_from")?,
        dispute_id: row.try_get("dispute_id")?,
        superseded_at: row.try_get("superseded_at")?,
        superseded_reason: row.try_get("superseded_reason")?,
    })
}

/// The matrix by party code.
async fn matrix(
    tx: &mut Transaction<'_, Any>,
    agreement_id: i64,
) -> Result<BTreeMap<String, (i64, AgreementRole)>, StorageError> {
    let rows = sqlx::query(
        "SELECT r.party_id, p.code, r.role FROM role_agreement_parties r \
         JOIN parties p ON p.id = r.party_id WHERE r.agreement_id = $1",
    )
    .bind(agreement_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut out = BTreeMap::new();
    for row in rows {
        let role: String = row.try_get("role")?;
        if let Some(role) = AgreementRole::parse(&role) {
            out.insert(row.try_get("code")?, (row.try_get("party_id")?, role));
        }
    }
    Ok(out)
}

fn roles_only(m: &BTreeMap<String, (i64, AgreementRole)>) -> BTreeMap<String, AgreementRole> {
    m.iter().map(|(c, (_, r))| (c.clone(), *r)).collect()
}

/// Current sign-offs (not superseded; the newest per party) by party code.
async fn current_sign_offs(
    executor: impl sqlx::Executor<'_, Database = Any>,
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

async fn lock_agreement(
    tx: &mut Transaction<'_, Any>,
    id: i64,
) -> Result<Option<(String, String, String)>, StorageError> {
    let touched = sqlx::query("UPDATE role_agreements SET updated_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if touched.rows_affected() == 0 {
        return Ok(None);
    }
    let row =
        sqlx::query("SELECT title, description, version_hash FROM role_agreements WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    Ok(Some((
        row.try_get("title")?,
        row.try_get("description")?,
        row.try_get("version_hash")?,
    )))
}

impl SqlStorage {
    /// Creates an agreement with its matrix; returns its id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_role_agreement(&self, new: &NewRoleAgreement) -> Result<i64, StorageError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO role_agreements (body_id, title, description, draft_id, version_hash, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, '', $5, $6, $6) RETURNING id",
        )
        .bind(new.body_id)
        .bind(&new.title)
        .bind(&new.description)
        .bind(new.draft_id)
        .bind(new.created_by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        for (party_id, role) in &new.roles {
            sqlx::query(
                "INSERT INTO role_agreement_parties (agreement_id, party_id, role) VALUES ($1, $2, $3) \
                 ON CONFLICT (agreement_id, party_id) DO UPDATE SET role = excluded.role",
            )
            .bind(id)
            .bind(party_id)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?;
        }
        let roles = roles_only(&matrix(&mut tx, id).await?);
        let hash = role_agreement::version_hash(&new.title, &new.description, &roles);
        sqlx::query("UPDATE role_agreements SET version_hash = $1 WHERE id = $2")
            .bind(&hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A body's agreements, oldest first.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_role_agreements(
        &self,
        body_id: i64,
    ) -> Result<Vec<RoleAgreement>, StorageError> {
        let ids = sqlx::query("SELECT id FROM role_agreements WHERE body_id = $1 ORDER BY id")
            .bind(body_id)
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for row in ids {
            if let Some(agreement) = self.find_role_agreement(row.try_get("id")?).await? {
                out.push(agreement);
            }
        }
        Ok(out)
    }

    /// One agreement with its matrix and the sign-offs valid for its current version.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_role_agreement(
        &self,
        id: i64,
    ) -> Result<Option<RoleAgreement>, StorageError> {
        let Some(row) = sqlx::query(
            "SELECT id, body_id, title, description, draft_id, version_hash, created_by, created_at, \
             updated_at FROM role_agreements WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let version_hash: String = row.try_get("version_hash")?;
        let mut current = current_sign_offs(self.pool(), id).await?;
        let rows = sqlx::query(
            "SELECT r.party_id, p.code, p.name, p.is_collective, r.role FROM role_agreement_parties r \
             JOIN parties p ON p.id = r.party_id WHERE r.agreement_id = $1 ORDER BY p.code",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let mut parties = Vec::with_capacity(rows.len());
        for party in rows {
            let code: String = party.try_get("code")?;
            let sign_off = current
                .remove(&code)
                .filter(|s| s.version_hash == version_hash);
            parties.push(AgreementParty {
                party_id: party.try_get("party_id")?,
                name: party.try_get("name")?,
                is_collective: party.try_get::<i64, _>("is_collective")? != 0,
                role: party.try_get("role")?,
                code,
                sign_off,
            });
        }
        Ok(Some(RoleAgreement {
            id,
            body_id: row.try_get("body_id")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            draft_id: row.try_get("draft_id")?,
            version_hash,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            parties,
        }))
    }

    /// Applies a change, computes the new version hash and carries or re-opens the current
    /// sign-offs by [`role_agreement::plan_change`]. `None` when the agreement does not exist.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn change_role_agreement(
        &self,
        id: i64,
        change: &AgreementChange,
    ) -> Result<Option<ChangeOutcome>, StorageError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let Some((old_title, old_description, old_hash)) = lock_agreement(&mut tx, id).await?
        else {
            return Ok(None);
        };
        let old_roles = roles_only(&matrix(&mut tx, id).await?);
        let title = change.title.clone().unwrap_or_else(|| old_title.clone());
        let description = change
            .description
            .clone()
            .unwrap_or_else(|| old_description.clone());
        if let Some(draft_id) = change.draft_id {
            sqlx::query("UPDATE role_agreements SET draft_id = $1 WHERE id = $2")
                .bind(draft_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        match change.role {
            Some((party_id, Some(role))) => {
                sqlx::query(
                    "INSERT INTO role_agreement_parties (agreement_id, party_id, role) VALUES ($1, $2, $3) \
                     ON CONFLICT (agreement_id, party_id) DO UPDATE SET role = excluded.role",
                )
                .bind(id)
                .bind(party_id)
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
            }
            Some((party_id, None)) => {
                sqlx::query(
                    "DELETE FROM role_agreement_parties WHERE agreement_id = $1 AND party_id = $2",
                )
                .bind(id)
                .bind(party_id)
                .execute(&mut *tx)
                .await?;
            }
            None => {}
        }
        let new_roles = roles_only(&matrix(&mut tx, id).await?);
        let new_hash = role_agreement::version_hash(&title, &description, &new_roles);
        sqlx::query(
            "UPDATE role_agreements SET title = $1, description = $2, version_hash = $3 WHERE id = $4",
        )
        .bind(&title)
        .bind(&description)
        .bind(&new_hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let mut outcome = ChangeOutcome::default();
        if new_hash == old_hash {
            tx.commit().await?;
            return Ok(Some(outcome));
        }
        let current = current_sign_offs(&mut *tx, id).await?;
        let signed: BTreeMap<String, String> = current
            .iter()
            .map(|(code, s)| (code.clone(), s.version_hash.clone()))
            .collect();
        let plan = role_agreement::plan_change(
            (&old_title, &old_description),
            (&title, &description),
            &old_roles,
            &new_roles,
            &old_hash,
            &signed,
        );
        for (code, sign_off) in &current {
            let carry = plan.carry.contains(code);
            let reason = if carry { "carried" } else { "reopened" };
            sqlx::query(
                "UPDATE sign_offs SET superseded_at = $1, superseded_reason = $2 WHERE id = $3",
            )
            .bind(now)
            .bind(reason)
            .bind(sign_off.id)
            .execute(&mut *tx)
            .await?;
            if carry {
                sqlx::query(
                    "INSERT INTO sign_offs (agreement_id, party_id, state, reservation, version_hash, \
                     signed_by, signed_at, carried_from, dispute_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(id)
                .bind(sign_off.party_id)
                .bind(&sign_off.state)
                .bind(&sign_off.reservation)
                .bind(&new_hash)
                .bind(sign_off.signed_by)
                .bind(sign_off.signed_at)
                .bind(sign_off.id)
                .bind(sign_off.dispute_id)
                .execute(&mut *tx)
                .await?;
                outcome.carried.push(code.clone());
            } else {
                outcome.reopened.push(code.clone());
            }
        }
        tx.commit().await?;
        Ok(Some(outcome))
    }

    /// Records a party's sign-off on the agreement's current version, replacing its earlier
    /// one. When `expected_hash` is given and differs from the current version, nothing is
    /// stored and `Ok(Err(current_hash))` is returned. `Ok(Ok(None))`: no such agreement.
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
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let Some((_, _, hash)) = lock_agreement(&mut tx, agreement_id).await? else {
            return Ok(Ok(None));
        };
        if expected_hash.is_some_and(|h| h != hash) {
            return Ok(Err(hash));
        }
        sqlx::query(
            "UPDATE sign_offs SET superseded_at = $1, superseded_reason = 'replaced' \
             WHERE agreement_id = $2 AND party_id = $3 AND superseded_at IS NULL",
        )
        .bind(now)
        .bind(agreement_id)
        .bind(party_id)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "INSERT INTO sign_offs (agreement_id, party_id, state, reservation, version_hash, \
             signed_by, signed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(agreement_id)
        .bind(party_id)
        .bind(state.as_str())
        .bind(reservation)
        .bind(&hash)
        .bind(signed_by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let stored = sqlx::query(&format!("{SIGN_OFF_SELECT} WHERE s.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let sign_off = sign_off_from_row(&stored)?;
        tx.commit().await?;
        Ok(Ok(Some(sign_off)))
    }

    /// Notes the dispute a `niet_akkoord` opened.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn set_sign_off_dispute(
        &self,
        sign_off_id: i64,
        dispute_id: i64,
    ) -> Result<(), StorageError> {
        sqlx::query("UPDATE sign_offs SET dispute_id = $1 WHERE id = $2")
            .bind(dispute_id)
            .bind(sign_off_id)
            .execute(self.pool())
            .await?;
        Ok(())
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
                role: party.role.clone(),
                mandate_holders,
                previous: last,
            });
        }
        Ok(out)
    }
}
