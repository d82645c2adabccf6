//! People as the working group sees them: name, e-mail, party.

use serde::Serialize;
use sqlx::Row;

use super::{SqlStorage, StorageError};

/// A person with their party.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Person {
    /// Database id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Sign-in and notification address.
    pub email: String,
    /// Their party's code, if they belong to one.
    pub party: Option<String>,
    /// Their party's colour (grey without a party).
    pub colour: String,
    /// Whether they administer the instance.
    pub is_admin: bool,
}

/// Colour for people without a party.
pub const NO_PARTY_COLOUR: &str = "#6b7280";

/// A person to create with [`SqlStorage::create_person_by`].
pub struct NewPerson<'a> {
    /// E-mail address (stored in lower case).
    pub email: &'a str,
    /// Name.
    pub name: &'a str,
    /// The password's hash.
    pub password_hash: &'a str,
    /// Whether they administer the server.
    pub is_admin: bool,
    /// Their party.
    pub party: Option<i64>,
}

const PERSON_SELECT: &str =
    "SELECT u.id, u.name, u.email, u.is_admin, p.code AS party, p.colour AS colour \
     FROM users u LEFT JOIN parties p ON p.id = u.party_id";

fn person_from_row(row: &sqlx::any::AnyRow) -> Result<Person, sqlx::Error> {
    Ok(Person {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        party: row.try_get("party")?,
        colour: row
            .try_get::<Option<String>, _>("colour")?
            .unwrap_or_else(|| NO_PARTY_COLOUR.to_owned()),
        is_admin: row.try_get::<i64, _>("is_admin")? != 0,
    })
}

impl SqlStorage {
    /// People ordered by name, `limit` from `offset`, and the total count.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_people(
        &self,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Person>, i64), StorageError> {
        let rows = sqlx::query(&format!(
            "{PERSON_SELECT} WHERE u.is_guest = 0 AND u.removed_at IS NULL ORDER BY u.name, u.id LIMIT $1 OFFSET $2"
        ))
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let total: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM users WHERE is_guest = 0 AND removed_at IS NULL",
        )
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        let people = rows.iter().map(person_from_row).collect::<Result<_, _>>()?;
        Ok((people, total))
    }

    /// People whose name, party code or party name contains `query` (any case), ordered by
    /// name; with `body`, only its members and observers. `limit` from `offset`, and the total.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn search_people(
        &self,
        query: &str,
        body: Option<i64>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Person>, i64), StorageError> {
        let escaped: String = query
            .to_lowercase()
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        let pattern = format!("%{escaped}%");
        let filter = "u.is_guest = 0 AND u.removed_at IS NULL AND (LOWER(u.name) LIKE $1 ESCAPE '\\' OR LOWER(COALESCE(p.code, '')) LIKE $1 ESCAPE '\\' \
             OR LOWER(COALESCE(p.name, '')) LIKE $1 ESCAPE '\\') AND ($2 < 0 OR EXISTS \
             (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.body_id = $2))";
        let rows = sqlx::query(&format!(
            "{PERSON_SELECT} WHERE {filter} ORDER BY u.name, u.id LIMIT $3 OFFSET $4"
        ))
        .bind(&pattern)
        .bind(body.unwrap_or(-1))
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let total: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM users u LEFT JOIN parties p ON p.id = u.party_id WHERE {filter}"
        ))
        .bind(&pattern)
        .bind(body.unwrap_or(-1))
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        let people = rows.iter().map(person_from_row).collect::<Result<_, _>>()?;
        Ok((people, total))
    }

    /// One person.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_person(&self, id: i64) -> Result<Option<Person>, StorageError> {
        let row = sqlx::query(&format!("{PERSON_SELECT} WHERE u.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(person_from_row).transpose()?)
    }

    /// Creates a person with their party and the `person.create` audit entry in one
    /// transaction; returns them.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when the e-mail address is taken.
    pub async fn create_person_by(
        &self,
        person: &NewPerson<'_>,
        by: &super::audit::Actor,
    ) -> Result<Person, StorageError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO users (email, name, password_hash, is_admin, party_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(person.email.to_lowercase())
        .bind(person.name)
        .bind(person.password_hash)
        .bind(i64::from(person.is_admin))
        .bind(person.party)
        .bind(super::now_ms())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| super::parties::unique_as(e, "e-mail address"))?;
        let id: i64 = row.try_get("id")?;
        let subject = serde_json::json!({ "person": id });
        super::audit::append_in(&mut tx, self.backend(), by, "person.create", &subject).await?;
        let row = sqlx::query(&format!("{PERSON_SELECT} WHERE u.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let created = person_from_row(&row)?;
        tx.commit().await?;
        Ok(created)
    }

    /// Replaces a person's password hash, ends all their sessions and revokes all their API
    /// tokens (whoever learnt the old password may have made some), with the
    /// `person.password` audit entry, in one transaction.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        by: &super::audit::Actor,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        super::tokens::revoke_all_tokens(&mut tx, user_id).await?;
        let subject = serde_json::json!({ "person": user_id });
        super::audit::append_in(&mut tx, self.backend(), by, "person.password", &subject).await?;
        tx.commit().await?;
        Ok(())
    }
}
