//! Bodies (working group, theme table, BO-IZA, …), their parties and their members.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::audit::{append_in, Actor};
use super::parties::unique_as;
use super::{decode, get_decoded, now_ms, SqlStorage, StorageError};
use crate::domain::bodies::{BodyKind, Participation};
use crate::domain::roles::BodyRole;

/// A forum with a place on the escalation ladder.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Body {
    /// Database id.
    pub id: i64,
    /// Name, e.g. "Werkgroep Beter pakketbeheer".
    pub name: String,
    /// What kind of forum it is.
    pub kind: BodyKind,
    /// Place on the escalation ladder (0 = working group).
    pub ladder_level: i64,
    /// The body it reports to, if any.
    pub parent_id: Option<i64>,
    /// Parties taking part, with how.
    pub parties: Vec<BodyParty>,
}

/// A party's participation in a body.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct BodyParty {
    /// Party code.
    pub code: String,
    /// How it takes part.
    pub participation: Participation,
}

/// A person's membership of a body.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Membership {
    /// The body.
    pub body_id: i64,
    /// The person.
    pub person_id: i64,
    /// Their name.
    pub name: String,
    /// Their party's code.
    pub party: Option<String>,
    /// Their role.
    pub role: BodyRole,
    /// Whether they hold their party's mandate in this body.
    pub holds_mandate: bool,
}

/// The value bound as `$1` when selecting bodies.
enum BodyKey<'a> {
    None,
    Id(i64),
    Name(&'a str),
}

impl SqlStorage {
    /// Creates a body.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when the name is taken.
    pub async fn create_body(
        &self,
        name: &str,
        kind: BodyKind,
        ladder_level: i64,
        parent_id: Option<i64>,
    ) -> Result<i64, StorageError> {
        let mut conn = self.pool().acquire().await?;
        insert_body(&mut conn, name, kind, ladder_level, parent_id).await
    }

    /// Creates a body with its parties and the `body.create` audit entry in one transaction;
    /// returns it.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when the name is taken.
    pub async fn create_body_by(
        &self,
        body: &NewBody<'_>,
        by: &Actor,
    ) -> Result<Body, StorageError> {
        let mut tx = self.begin_write().await?;
        let id = insert_body(
            &mut tx,
            body.name,
            body.kind,
            body.ladder_level,
            body.parent_id,
        )
        .await?;
        for (party, participation) in body.parties {
            insert_body_party(&mut tx, id, *party, *participation).await?;
        }
        let subject = serde_json::json!({ "body": id });
        append_in(&mut tx, self.backend(), by, "body.create", &subject).await?;
        let created = select_bodies(&mut tx, "WHERE b.id = $1", BodyKey::Id(id))
            .await?
            .pop()
            .ok_or(StorageError::AlreadyExists("body"))?;
        tx.commit().await?;
        Ok(created)
    }

    /// Adds a party to a body (or changes how it takes part).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn set_body_party(
        &self,
        body_id: i64,
        party_id: i64,
        participation: Participation,
    ) -> Result<(), StorageError> {
        let mut conn = self.pool().acquire().await?;
        insert_body_party(&mut conn, body_id, party_id, participation).await
    }

    /// Bodies, optionally only those a person is a member of, ordered by ladder level and name.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_bodies(&self, member: Option<i64>) -> Result<Vec<Body>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        match member {
            Some(user_id) => {
                select_bodies(
                    &mut conn,
                    "JOIN memberships m ON m.body_id = b.id WHERE m.user_id = $1",
                    BodyKey::Id(user_id),
                )
                .await
            }
            None => select_bodies(&mut conn, "", BodyKey::None).await,
        }
    }

    /// One body.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_body(&self, id: i64) -> Result<Option<Body>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        Ok(select_bodies(&mut conn, "WHERE b.id = $1", BodyKey::Id(id))
            .await?
            .pop())
    }

    /// One body by its (unique) name.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_body_by_name(&self, name: &str) -> Result<Option<Body>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        Ok(
            select_bodies(&mut conn, "WHERE b.name = $1", BodyKey::Name(name))
                .await?
                .pop(),
        )
    }

    /// Gives a person a role in a body (replacing an earlier one).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn put_membership(
        &self,
        body_id: i64,
        user_id: i64,
        role: BodyRole,
        holds_mandate: bool,
    ) -> Result<(), StorageError> {
        let mut conn = self.pool().acquire().await?;
        upsert_membership(&mut conn, body_id, user_id, role, holds_mandate).await
    }

    /// Gives a person a role in a body with the `membership.put` audit entry in one
    /// transaction; returns the membership.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn put_membership_by(
        &self,
        body_id: i64,
        user_id: i64,
        role: BodyRole,
        holds_mandate: bool,
        by: &Actor,
    ) -> Result<Membership, StorageError> {
        let mut tx = self.begin_write().await?;
        upsert_membership(&mut tx, body_id, user_id, role, holds_mandate).await?;
        let subject = serde_json::json!({ "body": body_id, "person": user_id, "role": role.as_str(), "holds_mandate": holds_mandate });
        append_in(&mut tx, self.backend(), by, "membership.put", &subject).await?;
        let membership = load_membership(&mut tx, body_id, user_id)
            .await?
            .ok_or(StorageError::AlreadyExists("membership"))?;
        tx.commit().await?;
        Ok(membership)
    }

    /// Ends a membership; returns whether there was one.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn remove_membership(
        &self,
        body_id: i64,
        user_id: i64,
    ) -> Result<bool, StorageError> {
        let mut conn = self.pool().acquire().await?;
        delete_membership(&mut conn, body_id, user_id).await
    }

    /// Ends a membership with the `membership.remove` audit entry in one transaction; returns
    /// whether there was one (when not, nothing is written).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn remove_membership_by(
        &self,
        body_id: i64,
        user_id: i64,
        by: &Actor,
    ) -> Result<bool, StorageError> {
        let mut tx = self.begin_write().await?;
        if !delete_membership(&mut tx, body_id, user_id).await? {
            return Ok(false);
        }
        let subject = serde_json::json!({ "body": body_id, "person": user_id });
        append_in(&mut tx, self.backend(), by, "membership.remove", &subject).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A body's members, by party and name.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_members(&self, body_id: i64) -> Result<Vec<Membership>, StorageError> {
        let rows = sqlx::query(
            "SELECT m.body_id, m.user_id, u.name, p.code AS party, m.role, m.holds_mandate \
             FROM memberships m JOIN users u ON u.id = m.user_id \
             LEFT JOIN parties p ON p.id = u.party_id WHERE m.body_id = $1 ORDER BY p.code, u.name",
        )
        .bind(body_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(membership_from_row).collect()
    }

    /// A person's membership of a body, if any.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn membership(
        &self,
        body_id: i64,
        user_id: i64,
    ) -> Result<Option<Membership>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        load_membership(&mut conn, body_id, user_id).await
    }
}

async fn load_membership(
    conn: &mut AnyConnection,
    body_id: i64,
    user_id: i64,
) -> Result<Option<Membership>, StorageError> {
    let row = sqlx::query(
        "SELECT m.body_id, m.user_id, u.name, p.code AS party, m.role, m.holds_mandate \
         FROM memberships m JOIN users u ON u.id = m.user_id \
         LEFT JOIN parties p ON p.id = u.party_id WHERE m.body_id = $1 AND m.user_id = $2",
    )
    .bind(body_id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(membership_from_row).transpose()
}

async fn upsert_membership(
    conn: &mut AnyConnection,
    body_id: i64,
    user_id: i64,
    role: BodyRole,
    holds_mandate: bool,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO memberships (body_id, user_id, role, holds_mandate) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (body_id, user_id) DO UPDATE SET role = excluded.role, \
         holds_mandate = excluded.holds_mandate",
    )
    .bind(body_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(i64::from(holds_mandate))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn delete_membership(
    conn: &mut AnyConnection,
    body_id: i64,
    user_id: i64,
) -> Result<bool, StorageError> {
    let done = sqlx::query("DELETE FROM memberships WHERE body_id = $1 AND user_id = $2")
        .bind(body_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

fn membership_from_row(row: &sqlx::any::AnyRow) -> Result<Membership, StorageError> {
    Ok(Membership {
        body_id: row.try_get("body_id")?,
        person_id: row.try_get("user_id")?,
        name: row.try_get("name")?,
        party: row.try_get("party")?,
        role: get_decoded(row, "role", BodyRole::parse)?,
        holds_mandate: row.try_get::<i64, _>("holds_mandate")? != 0,
    })
}

/// A body to create with [`SqlStorage::create_body_by`].
pub struct NewBody<'a> {
    /// Its (unique) name.
    pub name: &'a str,
    /// Its kind.
    pub kind: BodyKind,
    /// Its place on the escalation ladder.
    pub ladder_level: i64,
    /// The body it reports to.
    pub parent_id: Option<i64>,
    /// Its parties (ids) with how they take part.
    pub parties: &'a [(i64, Participation)],
}

async fn insert_body(
    conn: &mut AnyConnection,
    name: &str,
    kind: BodyKind,
    ladder_level: i64,
    parent_id: Option<i64>,
) -> Result<i64, StorageError> {
    let row = sqlx::query(
        "INSERT INTO bodies (name, kind, ladder_level, parent_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(name)
    .bind(kind.as_str())
    .bind(ladder_level)
    .bind(parent_id)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| unique_as(e, "body name"))?;
    Ok(row.try_get("id")?)
}

async fn insert_body_party(
    conn: &mut AnyConnection,
    body_id: i64,
    party_id: i64,
    participation: Participation,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO body_parties (body_id, party_id, participation) VALUES ($1, $2, $3) \
         ON CONFLICT (body_id, party_id) DO UPDATE SET participation = excluded.participation",
    )
    .bind(body_id)
    .bind(party_id)
    .bind(participation.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The bodies `condition` selects (joins and a WHERE on `b`, binding `key` as `$1`), each
/// with its parties, read in two queries.
async fn select_bodies(
    conn: &mut AnyConnection,
    condition: &str,
    key: BodyKey<'_>,
) -> Result<Vec<Body>, StorageError> {
    let bodies_sql = format!(
        "SELECT b.id, b.name, b.kind, b.ladder_level, b.parent_id FROM bodies b {condition} \
         ORDER BY b.ladder_level, b.name"
    );
    let parties_sql = format!(
        "SELECT bp.body_id, p.code, bp.participation FROM body_parties bp \
         JOIN parties p ON p.id = bp.party_id \
         WHERE bp.body_id IN (SELECT b.id FROM bodies b {condition}) ORDER BY p.code"
    );
    let (rows, parties) = match key {
        BodyKey::None => (
            sqlx::query(&bodies_sql).fetch_all(&mut *conn).await?,
            sqlx::query(&parties_sql).fetch_all(&mut *conn).await?,
        ),
        BodyKey::Id(id) => (
            sqlx::query(&bodies_sql)
                .bind(id)
                .fetch_all(&mut *conn)
                .await?,
            sqlx::query(&parties_sql)
                .bind(id)
                .fetch_all(&mut *conn)
                .await?,
        ),
        BodyKey::Name(name) => (
            sqlx::query(&bodies_sql)
                .bind(name)
                .fetch_all(&mut *conn)
                .await?,
            sqlx::query(&parties_sql)
                .bind(name)
                .fetch_all(&mut *conn)
                .await?,
        ),
    };
    let mut bodies = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let mut body_parties = Vec::new();
        for p in &parties {
            if p.try_get::<i64, _>("body_id")? == id {
                body_parties.push(BodyParty {
                    code: p.try_get("code")?,
                    participation: get_decoded(p, "participation", Participation::parse)?,
                });
            }
        }
        bodies.push(Body {
            id,
            name: row.try_get("name")?,
            kind: get_decoded(&row, "kind", BodyKind::parse)?,
            ladder_level: row.try_get("ladder_level")?,
            parent_id: row.try_get("parent_id")?,
            parties: body_parties,
        });
    }
    Ok(bodies)
}

/// How one person stands in one body, read by [`SqlStorage::standing`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// Their role, `None` when they are no member.
    pub role: Option<BodyRole>,
    /// Whether they hold their party's mandate in this body.
    pub holds_mandate: bool,
    /// Their party's code, when they are a member who belongs to a party.
    pub party: Option<String>,
}

impl SqlStorage {
    /// Whether a body exists and, for a person, their membership of it with their party and
    /// mandate: one query. `None` when there is no such body; a standing without a role for
    /// `person` `None` or someone who is no member.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn standing(
        &self,
        body_id: i64,
        person: Option<i64>,
    ) -> Result<Option<Standing>, StorageError> {
        let row = sqlx::query(
            "SELECT b.id, m.role, m.holds_mandate, p.code AS party FROM bodies b \
             LEFT JOIN memberships m ON m.body_id = b.id AND m.user_id = $2 \
             LEFT JOIN users u ON u.id = m.user_id \
             LEFT JOIN parties p ON p.id = u.party_id WHERE b.id = $1",
        )
        .bind(body_id)
        .bind(person.unwrap_or(-1))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let role: Option<String> = row.try_get("role")?;
        let Some(role) = role else {
            return Ok(Some(Standing {
                role: None,
                holds_mandate: false,
                party: None,
            }));
        };
        Ok(Some(Standing {
            role: Some(decode("role", role, BodyRole::parse)?),
            holds_mandate: row.try_get::<Option<i64>, _>("holds_mandate")?.unwrap_or(0) != 0,
            party: row.try_get("party")?,
        }))
    }
}
