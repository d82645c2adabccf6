//! Action lines (actielijnen) of a body with their owner parties.

use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::{Any, Row, Transaction};

use crate::domain::owner_role::OwnerRole;
use crate::storage::audit::{append_in, Actor};
use crate::storage::parties::unique_as;
use crate::storage::{get_decoded, now_ms, SqlStorage, StorageError};

/// A party owning an action line or milestone.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Owner {
    /// Party id.
    pub party_id: i64,
    /// Party code.
    pub code: String,
    /// Party name.
    pub name: String,
    /// Lead or contributor.
    pub role: OwnerRole,
}

/// An action line.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ActionLine {
    /// Database id.
    pub id: i64,
    /// The body.
    pub body_id: i64,
    /// The enclosing action line (for sub-sections from an import).
    pub parent_id: Option<i64>,
    /// Number as written ("1", "1.2"), if any.
    pub number: Option<String>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Key for de-duplication on re-import.
    pub natural_key: String,
    /// Owner parties.
    pub owners: Vec<Owner>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
    /// The action line this one follows: its milestones are flagged while one of that line's
    /// milestones is late.
    pub follows_action_line_id: Option<i64>,
}

/// A new action line.
#[derive(Debug, Clone)]
pub struct NewActionLine {
    /// The body.
    pub body_id: i64,
    /// Enclosing action line.
    pub parent_id: Option<i64>,
    /// Number.
    pub number: Option<String>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Unique key within the body.
    pub natural_key: String,
    /// Owners: party id and role.
    pub owners: Vec<(i64, OwnerRole)>,
    /// Creator.
    pub created_by: Option<i64>,
}

/// A change to an action line: its number, title, description and (when given) its owners.
#[derive(Debug, Clone, Copy)]
pub struct ActionLineChange<'a> {
    /// Number, if any.
    pub number: Option<&'a str>,
    /// Title.
    pub title: &'a str,
    /// Description.
    pub description: &'a str,
    /// New owners (replacing the old ones), when given.
    pub owners: Option<&'a [(i64, OwnerRole)]>,
    /// The line it follows, when given (`Some(None)` removes the link); checked by the
    /// caller for the body and for cycles ([`SqlStorage::action_line_would_cycle`]).
    pub follows: Option<Option<i64>>,
}

/// Owners of the rows of `parent` in a body, from `table` (`action_line_parties` or
/// `milestone_parties`) keyed by `key` (`action_line_id` or `milestone_id`); with `only`, of
/// that one row.
pub(crate) async fn owners_of(
    conn: &mut AnyConnection,
    table: &str,
    key: &str,
    body_id: i64,
    parent: &str,
    only: Option<i64>,
) -> Result<Vec<(i64, Owner)>, StorageError> {
    let filter = if only.is_some() {
        format!(" AND o.{key} = $2")
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT o.{key} AS owner_of, o.party_id, p.code, p.name, o.role FROM {table} o \
         JOIN parties p ON p.id = o.party_id JOIN {parent} x ON x.id = o.{key} \
         WHERE x.body_id = $1{filter} ORDER BY o.role DESC, p.code"
    );
    let mut query = sqlx::query(&sql).bind(body_id);
    if let Some(id) = only {
        query = query.bind(id);
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("owner_of")?,
                Owner {
                    party_id: row.try_get("party_id")?,
                    code: row.try_get("code")?,
                    name: row.try_get("name")?,
                    role: get_decoded(row, "role", OwnerRole::parse)?,
                },
            ))
        })
        .collect()
}

/// Inserts an action line with its owners inside `tx`; returns its id.
async fn insert_action_line(
    tx: &mut Transaction<'_, Any>,
    new: &NewActionLine,
) -> Result<i64, StorageError> {
    let now = now_ms();
    let row = sqlx::query(
        "INSERT INTO action_lines (body_id, parent_id, number, title, description, natural_key, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(new.body_id)
    .bind(new.parent_id)
    .bind(&new.number)
    .bind(&new.title)
    .bind(&new.description)
    .bind(&new.natural_key)
    .bind(new.created_by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| unique_as(e, "action line"))?;
    let id: i64 = row.try_get("id")?;
    add_owners(tx, id, &new.owners).await?;
    Ok(id)
}

/// Adds owners to action line `id` (a party listed again takes the new role).
async fn add_owners(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    owners: &[(i64, OwnerRole)],
) -> Result<(), StorageError> {
    for (party_id, role) in owners {
        sqlx::query(
            "INSERT INTO action_line_parties (action_line_id, party_id, role) VALUES ($1, $2, $3) \
             ON CONFLICT (action_line_id, party_id) DO UPDATE SET role = excluded.role",
        )
        .bind(id)
        .bind(party_id)
        .bind(role.as_str())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A body's action lines, or only action line `only`, with their owners.
async fn select_action_lines(
    conn: &mut AnyConnection,
    body_id: i64,
    only: Option<i64>,
) -> Result<Vec<ActionLine>, StorageError> {
    let filter = if only.is_some() { " AND id = $2" } else { "" };
    let sql = format!(
        "SELECT id, body_id, parent_id, number, title, description, natural_key, created_at, \
         updated_at, follows_action_line_id FROM action_lines WHERE body_id = $1{filter} ORDER BY id"
    );
    let mut query = sqlx::query(&sql).bind(body_id);
    if let Some(id) = only {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let owners = owners_of(
        conn,
        "action_line_parties",
        "action_line_id",
        body_id,
        "action_lines",
        only,
    )
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            Ok(ActionLine {
                id,
                body_id: row.try_get("body_id")?,
                parent_id: row.try_get("parent_id")?,
                number: row.try_get("number")?,
                title: row.try_get("title")?,
                description: row.try_get("description")?,
                natural_key: row.try_get("natural_key")?,
                owners: owners
                    .iter()
                    .filter(|(of, _)| *of == id)
                    .map(|(_, o)| o.clone())
                    .collect(),
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
                follows_action_line_id: row.try_get("follows_action_line_id")?,
            })
        })
        .collect()
}

impl SqlStorage {
    /// Creates an action line without an audit entry (for the demo); returns its id.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when the key is taken in the body.
    pub async fn create_action_line(&self, new: &NewActionLine) -> Result<i64, StorageError> {
        let mut tx = self.begin_write().await?;
        let id = insert_action_line(&mut tx, new).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Creates an action line with its `action_line.create` audit entry; returns it.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when the key is taken in the body.
    pub async fn create_action_line_by(
        &self,
        new: &NewActionLine,
        by: &Actor,
    ) -> Result<ActionLine, StorageError> {
        let mut tx = self.begin_write().await?;
        let id = insert_action_line(&mut tx, new).await?;
        let subject = serde_json::json!({ "body": new.body_id, "action_line": id });
        append_in(&mut tx, self.backend(), by, "action_line.create", &subject).await?;
        let line = select_action_lines(&mut tx, new.body_id, Some(id))
            .await?
            .pop()
            .ok_or(StorageError::AlreadyExists("action line"))?;
        tx.commit().await?;
        Ok(line)
    }

    /// Changes an action line with its `action_line.update` audit entry; returns it after the
    /// change (`None`: no such action line).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn update_action_line(
        &self,
        id: i64,
        change: &ActionLineChange<'_>,
        by: &Actor,
    ) -> Result<Option<ActionLine>, StorageError> {
        let mut tx = self.begin_write().await?;
        let Some(row) = sqlx::query(
            "UPDATE action_lines SET number = $1, title = $2, description = $3, updated_at = $4 \
             WHERE id = $5 RETURNING body_id",
        )
        .bind(change.number)
        .bind(change.title)
        .bind(change.description)
        .bind(now_ms())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let body_id: i64 = row.try_get("body_id")?;
        if let Some(owners) = change.owners {
            sqlx::query("DELETE FROM action_line_parties WHERE action_line_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            add_owners(&mut tx, id, owners).await?;
        }
        if let Some(follows) = change.follows {
            sqlx::query("UPDATE action_lines SET follows_action_line_id = $1 WHERE id = $2")
                .bind(follows)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let subject = serde_json::json!({
            "body": body_id, "action_line": id, "follows": change.follows.flatten(),
        });
        append_in(&mut tx, self.backend(), by, "action_line.update", &subject).await?;
        let line = select_action_lines(&mut tx, body_id, Some(id)).await?.pop();
        tx.commit().await?;
        Ok(line)
    }

    /// A body's action lines in order of creation.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_action_lines(&self, body_id: i64) -> Result<Vec<ActionLine>, StorageError> {
        select_action_lines(&mut *self.pool().acquire().await?, body_id, None).await
    }

    /// One action line.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_action_line(&self, id: i64) -> Result<Option<ActionLine>, StorageError> {
        let Some(row) = sqlx::query("SELECT body_id FROM action_lines WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let body_id: i64 = row.try_get("body_id")?;
        let mut conn = self.pool().acquire().await?;
        Ok(select_action_lines(&mut conn, body_id, Some(id))
            .await?
            .pop())
    }

    /// Whether line `id` following line `follows` would close a cycle.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn action_line_would_cycle(
        &self,
        id: i64,
        follows: i64,
    ) -> Result<bool, StorageError> {
        let mut current = Some(follows);
        let mut steps = 0;
        while let Some(at) = current {
            if at == id || steps > 500 {
                return Ok(true);
            }
            steps += 1;
            current = sqlx::query("SELECT follows_action_line_id FROM action_lines WHERE id = $1")
                .bind(at)
                .fetch_optional(self.pool())
                .await?
                .map(|row| row.try_get::<Option<i64>, _>("follows_action_line_id"))
                .transpose()?
                .flatten();
        }
        Ok(false)
    }
}
