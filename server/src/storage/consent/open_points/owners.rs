//! Who owns an open point (a member or observer of the draft's body, or a party that takes
//! part in it), who stands for that owner when it is reminded or told, and the points the
//! scheduler reminds of (docs/DOMAIN.md §17).

use sqlx::Row;

use super::OpenPoint;
use crate::storage::{SqlStorage, StorageError};

/// Who owns a point: a person, a party, both or nobody (ids, already checked).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Owner {
    /// The person.
    pub person: Option<i64>,
    /// The party.
    pub party: Option<i64>,
}

impl Owner {
    /// Whether anybody owns it.
    pub fn is_set(self) -> bool {
        self.person.is_some() || self.party.is_some()
    }
}

/// Why an owner cannot own a point of this body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerProblem {
    /// The person is no member or observer of the body.
    PersonNotInBody(i64),
    /// No party has this code.
    NoSuchParty(String),
    /// The party does not take part in the body.
    PartyNotInBody(String),
}

impl OwnerProblem {
    /// The input field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            OwnerProblem::PersonNotInBody(_) => "owner_person_id",
            OwnerProblem::NoSuchParty(_) | OwnerProblem::PartyNotInBody(_) => "owner_party",
        }
    }

    /// What is wrong and what to do.
    pub fn message(&self) -> String {
        match self {
            OwnerProblem::PersonNotInBody(id) => format!(
                "person {id} is no member or observer of this draft's body; choose one of its people"
            ),
            OwnerProblem::NoSuchParty(code) => {
                format!("there is no party {code:?}; use a party code such as ZIN")
            }
            OwnerProblem::PartyNotInBody(code) => format!(
                "party {code} does not take part in this draft's body; choose one of its parties"
            ),
        }
    }
}

impl SqlStorage {
    /// Checks an owner for a point of `body_id`: the person must be a member or observer of
    /// the body, the party (by code) must take part in it.
    ///
    /// # Errors
    /// Storage errors; the inner `Err` says what is wrong with the owner.
    pub async fn point_owner(
        &self,
        body_id: i64,
        person: Option<i64>,
        party: Option<&str>,
    ) -> Result<Result<Owner, OwnerProblem>, StorageError> {
        if let Some(person) = person {
            let row =
                sqlx::query("SELECT 1 AS one FROM memberships WHERE body_id = $1 AND user_id = $2")
                    .bind(body_id)
                    .bind(person)
                    .fetch_optional(self.pool())
                    .await?;
            if row.is_none() {
                return Ok(Err(OwnerProblem::PersonNotInBody(person)));
            }
        }
        let party = match party {
            None => None,
            Some(code) => {
                let Some(id) = self.resolve_party(code).await? else {
                    return Ok(Err(OwnerProblem::NoSuchParty(code.to_owned())));
                };
                let row = sqlx::query(
                    "SELECT 1 AS one FROM body_parties WHERE body_id = $1 AND party_id = $2",
                )
                .bind(body_id)
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
                if row.is_none() {
                    return Ok(Err(OwnerProblem::PartyNotInBody(code.to_owned())));
                }
                Some(id)
            }
        };
        Ok(Ok(Owner { person, party }))
    }

    /// The open points the scheduler reminds of: `open`, with an owner and a due date.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn points_to_remind(&self) -> Result<Vec<RemindablePoint>, StorageError> {
        let rows = sqlx::query(
            "SELECT op.id, op.draft_id, d.body_id, op.due, op.created_at FROM open_points op \
             JOIN drafts d ON d.id = op.draft_id WHERE op.status = 'open' AND op.due IS NOT NULL \
             AND (op.owner_user_id IS NOT NULL OR op.owner_party_id IS NOT NULL) ORDER BY op.id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RemindablePoint {
                    id: r.try_get("id")?,
                    draft_id: r.try_get("draft_id")?,
                    body_id: r.try_get("body_id")?,
                    due: r.try_get("due")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// The people an open point's owner stands for in `body_id`: the person (when still a
    /// member or observer), or else the party's people there (a collective's members' people),
    /// observers included.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn point_owner_people(
        &self,
        body_id: i64,
        point: &OpenPoint,
    ) -> Result<Vec<i64>, StorageError> {
        if let Some(person) = point.owner_person_id {
            let row =
                sqlx::query("SELECT 1 AS one FROM memberships WHERE body_id = $1 AND user_id = $2")
                    .bind(body_id)
                    .bind(person)
                    .fetch_optional(self.pool())
                    .await?;
            return Ok(row.map(|_| vec![person]).unwrap_or_default());
        }
        let Some(code) = &point.owner_party else {
            return Ok(Vec::new());
        };
        let Some(party) = self.resolve_party(code).await? else {
            return Ok(Vec::new());
        };
        let mut people = Vec::new();
        for member in self.expand_party(party).await? {
            let rows = sqlx::query(
                "SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id \
                 WHERE m.body_id = $1 AND u.party_id = $2 ORDER BY u.id",
            )
            .bind(body_id)
            .bind(member)
            .fetch_all(self.pool())
            .await?;
            for row in &rows {
                people.push(row.try_get::<i64, _>("id")?);
            }
        }
        people.sort_unstable();
        people.dedup();
        Ok(people)
    }
}

/// An open point the scheduler plans reminders for.
#[derive(Debug, Clone)]
pub struct RemindablePoint {
    /// Id.
    pub id: i64,
    /// Its draft.
    pub draft_id: i64,
    /// The draft's body.
    pub body_id: i64,
    /// Due day, `YYYY-MM-DD`.
    pub due: String,
    /// Unix ms it was made.
    pub created_at: i64,
}
