//! Parties (organisations and collectives), their aliases, and people's party.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::audit::{append_in, Actor};
use super::{now_ms, SqlStorage, StorageError};
use crate::domain::validate::alias_key;

/// An organisation, or a collective that expands to its members.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Party {
    /// Database id.
    pub id: i64,
    /// Short code, e.g. `ZIN`.
    pub code: String,
    /// Full name.
    pub name: String,
    /// Display colour `#rrggbb`.
    pub colour: String,
    /// Whether this is a collective ("IZA-partijen").
    pub is_collective: bool,
    /// Other names that mean this party.
    pub aliases: Vec<String>,
    /// For a collective: the codes of its members.
    pub members: Vec<String>,
}

/// What it takes to create a party.
#[derive(Debug, Clone)]
pub struct NewParty {
    /// Short code.
    pub code: String,
    /// Full name.
    pub name: String,
    /// Display colour.
    pub colour: String,
    /// Aliases (matched ignoring case, spaces and punctuation).
    pub aliases: Vec<String>,
    /// Member party ids, which makes the party a collective.
    pub members: Vec<i64>,
}

/// What adding an alias did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AliasOutcome {
    /// The alias now names the party.
    Added(Party),
    /// The party already had it.
    Unchanged(Party),
    /// Another party has it: its code.
    TakenBy(String),
}

impl SqlStorage {
    /// Creates a party with its aliases and members.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when the code or an alias is taken.
    pub async fn create_party(&self, party: &NewParty) -> Result<i64, StorageError> {
        let mut tx = self.begin_write().await?;
        let id = insert_party(&mut tx, party).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Creates a party with its aliases, its members and the `party.create` audit entry in
    /// one transaction; returns it.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when the code or an alias is taken.
    pub async fn create_party_by(
        &self,
        party: &NewParty,
        by: &Actor,
    ) -> Result<Party, StorageError> {
        let mut tx = self.begin_write().await?;
        let id = insert_party(&mut tx, party).await?;
        let subject = serde_json::json!({ "party": id, "code": party.code });
        append_in(&mut tx, self.backend(), by, "party.create", &subject).await?;
        let created = select_parties(&mut tx, Some(id))
            .await?
            .pop()
            .ok_or(StorageError::AlreadyExists("party"))?;
        tx.commit().await?;
        Ok(created)
    }

    /// Creates a party for a name an import of body `body_id` met, with the `party.create`
    /// audit entry naming that body, in one transaction; returns it.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when the code or an alias is taken.
    pub async fn create_party_for_import(
        &self,
        party: &NewParty,
        body_id: i64,
        by: &Actor,
    ) -> Result<Party, StorageError> {
        let mut tx = self.begin_write().await?;
        let id = insert_party(&mut tx, party).await?;
        let subject = serde_json::json!({
            "party": id, "code": party.code, "body": body_id, "aliases": party.aliases,
        });
        append_in(&mut tx, self.backend(), by, "party.create", &subject).await?;
        let created = select_parties(&mut tx, Some(id))
            .await?
            .pop()
            .ok_or(StorageError::AlreadyExists("party"))?;
        tx.commit().await?;
        Ok(created)
    }

    /// Adds `alias` to party `party_id` with the `party.alias` audit entry (naming `body_id`
    /// when an import met the name) in one transaction. An alias the party already has is
    /// accepted without a change or an entry; one another party has is refused.
    ///
    /// # Errors
    /// Storage errors; [`StorageError::AlreadyExists`] when the party does not exist.
    pub async fn add_party_alias(
        &self,
        party_id: i64,
        alias: &str,
        body_id: Option<i64>,
        by: &Actor,
    ) -> Result<AliasOutcome, StorageError> {
        let key = alias_key(alias);
        let mut tx = self.begin_write().await?;
        let holder = sqlx::query(
            "SELECT a.party_id, p.code FROM party_aliases a JOIN parties p ON p.id = a.party_id \
             WHERE a.alias = $1",
        )
        .bind(&key)
        .fetch_optional(&mut *tx)
        .await?;
        let added = match holder {
            Some(row) if row.try_get::<i64, _>("party_id")? != party_id => {
                return Ok(AliasOutcome::TakenBy(row.try_get("code")?));
            }
            Some(_) => false,
            None => {
                sqlx::query("INSERT INTO party_aliases (alias, party_id) VALUES ($1, $2)")
                    .bind(&key)
                    .bind(party_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| unique_as(e, "party alias"))?;
                let subject = serde_json::json!({
                    "party": party_id, "alias": alias, "body": body_id,
                });
                append_in(&mut tx, self.backend(), by, "party.alias", &subject).await?;
                true
            }
        };
        let party = select_parties(&mut tx, Some(party_id))
            .await?
            .pop()
            .ok_or(StorageError::AlreadyExists("party"))?;
        tx.commit().await?;
        Ok(if added {
            AliasOutcome::Added(party)
        } else {
            AliasOutcome::Unchanged(party)
        })
    }

    /// Every party, ordered by code.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_parties(&self) -> Result<Vec<Party>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        select_parties(&mut conn, None).await
    }

    /// One party by id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_party(&self, id: i64) -> Result<Option<Party>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        Ok(select_parties(&mut conn, Some(id)).await?.pop())
    }

    /// Resolves a name, code or alias to a party (ignoring case, spaces and punctuation).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn resolve_party(&self, name: &str) -> Result<Option<i64>, StorageError> {
        let row = sqlx::query("SELECT party_id FROM party_aliases WHERE alias = $1")
            .bind(alias_key(name))
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("party_id")).transpose()?)
    }

    /// Sets a person's party.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn set_user_party(
        &self,
        user_id: i64,
        party_id: Option<i64>,
    ) -> Result<(), StorageError> {
        sqlx::query("UPDATE users SET party_id = $1 WHERE id = $2")
            .bind(party_id)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

async fn insert_party(conn: &mut AnyConnection, party: &NewParty) -> Result<i64, StorageError> {
    let row = sqlx::query(
        "INSERT INTO parties (code, name, colour, is_collective, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&party.code)
    .bind(&party.name)
    .bind(&party.colour)
    .bind(i64::from(!party.members.is_empty()))
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| unique_as(e, "party code"))?;
    let id: i64 = row.try_get("id")?;
    let mut keys: Vec<String> = party.aliases.iter().map(|a| alias_key(a)).collect();
    keys.push(alias_key(&party.code));
    keys.push(alias_key(&party.name));
    keys.sort();
    keys.dedup();
    for key in keys.into_iter().filter(|k| !k.is_empty()) {
        sqlx::query("INSERT INTO party_aliases (alias, party_id) VALUES ($1, $2)")
            .bind(&key)
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(|e| unique_as(e, "party alias"))?;
    }
    for member in &party.members {
        sqlx::query("INSERT INTO collective_members (collective_id, member_id) VALUES ($1, $2)")
            .bind(id)
            .bind(member)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

/// Every party, or only party `only`, with aliases and members, in three queries.
async fn select_parties(
    conn: &mut AnyConnection,
    only: Option<i64>,
) -> Result<Vec<Party>, StorageError> {
    let (parties_filter, aliases_filter, members_filter) = match only {
        Some(_) => (
            " WHERE id = $1",
            " WHERE party_id = $1",
            " WHERE m.collective_id = $1",
        ),
        None => ("", "", ""),
    };
    fn bind(
        sql: &str,
        only: Option<i64>,
    ) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let query = sqlx::query(sql);
        match only {
            Some(id) => query.bind(id),
            None => query,
        }
    }
    let parties_sql = format!(
        "SELECT id, code, name, colour, is_collective FROM parties{parties_filter} ORDER BY code"
    );
    let aliases_sql =
        format!("SELECT alias, party_id FROM party_aliases{aliases_filter} ORDER BY alias");
    let members_sql = format!(
        "SELECT m.collective_id, p.code FROM collective_members m \
         JOIN parties p ON p.id = m.member_id{members_filter} ORDER BY p.code"
    );
    let rows = bind(&parties_sql, only).fetch_all(&mut *conn).await?;
    let aliases = bind(&aliases_sql, only).fetch_all(&mut *conn).await?;
    let members = bind(&members_sql, only).fetch_all(&mut *conn).await?;
    let mut parties = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get("id")?;
        parties.push(Party {
            id,
            code: row.try_get("code")?,
            name: row.try_get("name")?,
            colour: row.try_get("colour")?,
            is_collective: row.try_get::<i64, _>("is_collective")? != 0,
            aliases: aliases
                .iter()
                .filter(|a| a.try_get::<i64, _>("party_id").ok() == Some(id))
                .filter_map(|a| a.try_get("alias").ok())
                .collect(),
            members: members
                .iter()
                .filter(|m| m.try_get::<i64, _>("collective_id").ok() == Some(id))
                .filter_map(|m| m.try_get("code").ok())
                .collect(),
        });
    }
    Ok(parties)
}

/// Maps a unique violation to [`StorageError::AlreadyExists`].
pub(crate) fn unique_as(err: sqlx::Error, what: &'static str) -> StorageError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::AlreadyExists(what),
        _ => StorageError::Database(err),
    }
}
