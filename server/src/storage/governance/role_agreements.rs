//! Role agreements with their party × role matrix and the per-party sign-offs, bound to the
//! agreement's version hash. The rules (hash, carry-over, pending) live in
//! [`crate::domain::role_agreement`]; this file stores their outcome.
//!
//! Every change and every sign-off starts by touching the agreement row, which serialises them
//! per agreement on PostgreSQL as SQLite does anyway. A person's change is stored in one
//! transaction with its audit entry; the sign-offs themselves are in [`super::sign_offs`].

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::{Any, Row, Transaction};

use super::sign_offs::current_sign_offs;
pub use super::sign_offs::{PendingParty, SignOff};
use crate::domain::role_agreement::{self, AgreementRole, MatrixRow, SupersededReason};
use crate::storage::audit::{append_in, Actor};
use crate::storage::{get_decoded, now_ms, SqlStorage, StorageError};

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
    /// The party's role on the topic.
    pub role: AgreementRole,
    /// What the party takes on, in its own words (empty when not written out); part of the
    /// version hash, so a sign-off binds to it.
    pub responsibility: String,
    /// The party's sign-off on the current version; `None` while pending.
    pub sign_off: Option<SignOff>,
}

/// What a change did to the sign-offs.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ChangeOutcome {
    /// Parties whose sign-off was carried to the new version.
    pub carried: Vec<String>,
    /// Parties whose sign-off was re-opened.
    pub reopened: Vec<String>,
}

/// An agreement after a change, with what happened to the sign-offs.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Changed {
    /// The agreement.
    pub agreement: RoleAgreement,
    /// The carried and re-opened parties.
    #[serde(flatten)]
    pub outcome: ChangeOutcome,
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
    /// Matrix rows: party id, role, responsibility text (empty for none).
    pub roles: Vec<(i64, AgreementRole, String)>,
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
    /// Set (`Some(row)`) or remove (`None`) one party's row.
    pub role: Option<(i64, Option<RowChange>)>,
}

/// A party's row as set: its role, and its responsibility text (`None` keeps the text it has).
#[derive(Debug, Clone)]
pub struct RowChange {
    /// The role.
    pub role: AgreementRole,
    /// The new responsibility text; `None` leaves it as it is.
    pub responsibility: Option<String>,
}

/// The matrix (role and responsibility text) by party code.
async fn matrix(
    tx: &mut Transaction<'_, Any>,
    agreement_id: i64,
) -> Result<BTreeMap<String, MatrixRow>, StorageError> {
    let rows = sqlx::query(
        "SELECT p.code, r.role, r.responsibility FROM role_agreement_parties r \
         JOIN parties p ON p.id = r.party_id WHERE r.agreement_id = $1",
    )
    .bind(agreement_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut out = BTreeMap::new();
    for row in rows {
        let role = get_decoded(&row, "role", AgreementRole::parse)?;
        out.insert(
            row.try_get("code")?,
            MatrixRow {
                role,
                responsibility: row.try_get("responsibility")?,
            },
        );
    }
    Ok(out)
}

/// Touches the agreement row (serialising changes and sign-offs per agreement) and reads its
/// title, description and version hash; `None` when it does not exist.
pub(super) async fn lock_agreement(
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

/// Inserts an agreement with its matrix and version hash inside `tx`; returns its id.
async fn insert_agreement(
    tx: &mut Transaction<'_, Any>,
    new: &NewRoleAgreement,
) -> Result<i64, StorageError> {
    let now = now_ms();
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
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    for (party_id, role, responsibility) in &new.roles {
        sqlx::query(
            "INSERT INTO role_agreement_parties (agreement_id, party_id, role, responsibility) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (agreement_id, party_id) \
             DO UPDATE SET role = excluded.role, responsibility = excluded.responsibility",
        )
        .bind(id)
        .bind(party_id)
        .bind(role.as_str())
        .bind(responsibility)
        .execute(&mut **tx)
        .await?;
    }
    let roles = matrix(tx, id).await?;
    let hash = role_agreement::version_hash(&new.title, &new.description, &roles);
    sqlx::query("UPDATE role_agreements SET version_hash = $1 WHERE id = $2")
        .bind(&hash)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

/// One agreement with its matrix and the sign-offs valid for its current version, read on
/// `conn` (a transaction's connection, say).
pub(super) async fn load_agreement(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<RoleAgreement>, StorageError> {
    let Some(row) = sqlx::query(
        "SELECT id, body_id, title, description, draft_id, version_hash, created_by, created_at, \
         updated_at FROM role_agreements WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let version_hash: String = row.try_get("version_hash")?;
    let mut current = current_sign_offs(&mut *conn, id).await?;
    let rows = sqlx::query(
        "SELECT r.party_id, p.code, p.name, p.is_collective, r.role, r.responsibility \
         FROM role_agreement_parties r \
         JOIN parties p ON p.id = r.party_id WHERE r.agreement_id = $1 ORDER BY p.code",
    )
    .bind(id)
    .fetch_all(&mut *conn)
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
            role: get_decoded(&party, "role", AgreementRole::parse)?,
            responsibility: party.try_get("responsibility")?,
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

/// The audit action and subject of a change (the outcome's parties are added to the subject).
pub fn change_audit(change: &AgreementChange) -> (&'static str, serde_json::Value) {
    match &change.role {
        Some((party, Some(row))) => {
            let mut subject = serde_json::json!({ "party": party, "role": row.role.as_str() });
            if row.responsibility.is_some() {
                subject["responsibility"] = serde_json::json!(true);
            }
            ("role_agreement.set_role", subject)
        }
        Some((party, None)) => (
            "role_agreement.remove_party",
            serde_json::json!({ "party": party }),
        ),
        None => ("role_agreement.update", serde_json::json!({})),
    }
}

impl SqlStorage {
    /// Creates an agreement with its matrix, without an audit entry (for the demo); returns
    /// its id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_role_agreement(&self, new: &NewRoleAgreement) -> Result<i64, StorageError> {
        let mut tx = self.begin_write().await?;
        let id = insert_agreement(&mut tx, new).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Creates an agreement with its matrix and the `role_agreement.create` audit entry;
    /// returns it.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_role_agreement_by(
        &self,
        new: &NewRoleAgreement,
        by: &Actor,
    ) -> Result<RoleAgreement, StorageError> {
        let mut tx = self.begin_write().await?;
        let id = insert_agreement(&mut tx, new).await?;
        let subject = serde_json::json!({ "body": new.body_id, "role_agreement": id });
        append_in(
            &mut tx,
            self.backend(),
            by,
            "role_agreement.create",
            &subject,
        )
        .await?;
        let agreement = load_agreement(&mut tx, id)
            .await?
            .ok_or(StorageError::AlreadyExists("role agreement"))?;
        tx.commit().await?;
        Ok(agreement)
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
        let mut conn = self.pool().acquire().await?;
        let mut out = Vec::with_capacity(ids.len());
        for row in ids {
            if let Some(agreement) = load_agreement(&mut conn, row.try_get("id")?).await? {
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
        let mut conn = self.pool().acquire().await?;
        load_agreement(&mut conn, id).await
    }

    /// Applies a change (see [`role_agreement::plan_change`] for what happens to the current
    /// sign-offs) with its audit entry ([`change_audit`]); returns the agreement after it and
    /// what happened to the sign-offs. `None` when the agreement does not exist.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn change_role_agreement(
        &self,
        id: i64,
        change: &AgreementChange,
        by: &Actor,
    ) -> Result<Option<Changed>, StorageError> {
        let mut tx = self.begin_write().await?;
        let Some(outcome) = apply_change(&mut tx, id, change).await? else {
            return Ok(None);
        };
        let (action, mut subject) = change_audit(change);
        subject["role_agreement"] = serde_json::json!(id);
        subject["reopened"] = serde_json::json!(outcome.reopened);
        subject["carried"] = serde_json::json!(outcome.carried);
        append_in(&mut tx, self.backend(), by, action, &subject).await?;
        let agreement = load_agreement(&mut tx, id)
            .await?
            .ok_or(StorageError::AlreadyExists("role agreement"))?;
        tx.commit().await?;
        Ok(Some(Changed { agreement, outcome }))
    }
}

/// Applies a change inside `tx`, computes the new version hash and carries or re-opens the
/// current sign-offs by [`role_agreement::plan_change`]. `None` when the agreement does not
/// exist.
async fn apply_change(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    change: &AgreementChange,
) -> Result<Option<ChangeOutcome>, StorageError> {
    let now = now_ms();
    let Some((old_title, old_description, old_hash)) = lock_agreement(tx, id).await? else {
        return Ok(None);
    };
    let old_roles = matrix(tx, id).await?;
    let title = change.title.clone().unwrap_or_else(|| old_title.clone());
    let description = change
        .description
        .clone()
        .unwrap_or_else(|| old_description.clone());
    if let Some(draft_id) = change.draft_id {
        sqlx::query("UPDATE role_agreements SET draft_id = $1 WHERE id = $2")
            .bind(draft_id)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    match &change.role {
        Some((party_id, Some(row))) => {
            // a new row starts without a text; `None` keeps the text an existing row has
            sqlx::query(
                "INSERT INTO role_agreement_parties (agreement_id, party_id, role, responsibility) \
                 VALUES ($1, $2, $3, COALESCE($4, '')) ON CONFLICT (agreement_id, party_id) \
                 DO UPDATE SET role = excluded.role, \
                 responsibility = COALESCE($4, role_agreement_parties.responsibility)",
            )
            .bind(id)
            .bind(*party_id)
            .bind(row.role.as_str())
            .bind(row.responsibility.as_deref())
            .execute(&mut **tx)
            .await?;
        }
        Some((party_id, None)) => {
            let party_id = *party_id;
            sqlx::query(
                "DELETE FROM role_agreement_parties WHERE agreement_id = $1 AND party_id = $2",
            )
            .bind(id)
            .bind(party_id)
            .execute(&mut **tx)
            .await?;
        }
        None => {}
    }
    let new_roles = matrix(tx, id).await?;
    let new_hash = role_agreement::version_hash(&title, &description, &new_roles);
    sqlx::query(
        "UPDATE role_agreements SET title = $1, description = $2, version_hash = $3 WHERE id = $4",
    )
    .bind(&title)
    .bind(&description)
    .bind(&new_hash)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    let mut outcome = ChangeOutcome::default();
    if new_hash == old_hash {
        return Ok(Some(outcome));
    }
    let current = current_sign_offs(&mut **tx, id).await?;
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
        let reason = if carry {
            SupersededReason::Carried
        } else {
            SupersededReason::Reopened
        };
        sqlx::query(
            "UPDATE sign_offs SET superseded_at = $1, superseded_reason = $2 WHERE id = $3",
        )
        .bind(now)
        .bind(reason.as_str())
        .bind(sign_off.id)
        .execute(&mut **tx)
        .await?;
        if carry {
            sqlx::query(
                "INSERT INTO sign_offs (agreement_id, party_id, state, reservation, version_hash, \
                 signed_by, signed_at, carried_from, dispute_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(sign_off.party_id)
            .bind(sign_off.state.as_str())
            .bind(&sign_off.reservation)
            .bind(&new_hash)
            .bind(sign_off.signed_by)
            .bind(sign_off.signed_at)
            .bind(sign_off.id)
            .bind(sign_off.dispute_id)
            .execute(&mut **tx)
            .await?;
            outcome.carried.push(code.clone());
        } else {
            outcome.reopened.push(code.clone());
        }
    }
    Ok(Some(outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_audited_by_what_it_changes() {
        let text = AgreementChange {
            title: Some("Nieuw".into()),
            ..AgreementChange::default()
        };
        assert_eq!(
            change_audit(&text),
            ("role_agreement.update", serde_json::json!({}))
        );
        let set = AgreementChange {
            role: Some((
                4,
                Some(RowChange {
                    role: AgreementRole::Trekker,
                    responsibility: None,
                }),
            )),
            ..AgreementChange::default()
        };
        assert_eq!(
            change_audit(&set),
            (
                "role_agreement.set_role",
                serde_json::json!({ "party": 4, "role": "trekker" })
            )
        );
        let remove = AgreementChange {
            role: Some((4, None)),
            ..AgreementChange::default()
        };
        assert_eq!(
            change_audit(&remove),
            (
                "role_agreement.remove_party",
                serde_json::json!({ "party": 4 })
            )
        );
    }
}
