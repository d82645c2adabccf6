//! Storing an [`ImportPlan`] into a body: action lines and milestones are matched on their
//! natural key, so importing the same table again updates instead of duplicating.
//!
//! # Re-import rules
//! - Action lines: title, number and parent follow the table. A heading that groups rows
//!   within another (a sub-line: "2.3.1" under "2.3", an italic heading under a bold one) is
//!   stored as an action line whose `parent_id` is the enclosing one; milestones point at the
//!   innermost line.
//! - Milestones: title, due date, action line, owners and source line follow the table. The
//!   status is taken from the table only when the milestone is created; afterwards it changes
//!   only through the status route, which keeps its history. The note cell becomes a progress
//!   note when the milestone is created.
//! - A due text relative to a meeting series ("twee weken voor het BO") links the milestone to
//!   the series it names and takes the resolved day ([`super::relative_due`]).

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;

use super::milestones::{insert_milestone, set_owners, Due, NewMilestone};
use super::relative_due::link_in;
use crate::domain::milestone_status::MilestoneStatus;
use crate::domain::owner_role::OwnerRole;
use crate::import::{ImportError, ImportPlan, PartyDirectory};
use crate::storage::audit::{append_in, Actor};
use crate::storage::{now_ms, SqlStorage, StorageError};

/// What an import stored.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportOutcome {
    /// Action lines created.
    pub action_lines_created: usize,
    /// Action lines that existed and were updated.
    pub action_lines_updated: usize,
    /// Milestones created.
    pub milestones_created: usize,
    /// Milestones that existed and were updated.
    pub milestones_updated: usize,
}

/// Why the party directory could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Two parties claim the same alias.
    #[error(transparent)]
    Directory(#[from] ImportError),
}

impl SqlStorage {
    /// The import's party directory (codes, names and the `party_aliases` table) and the id of
    /// every party code.
    ///
    /// # Errors
    /// [`DirectoryError`].
    pub async fn party_directory(
        &self,
    ) -> Result<(PartyDirectory, HashMap<String, i64>), DirectoryError> {
        let parties = self.list_parties().await?;
        let ids = parties.iter().map(|p| (p.code.clone(), p.id)).collect();
        let directory = PartyDirectory::new(parties.into_iter().map(|p| {
            let mut names = p.aliases;
            names.push(p.name);
            (p.code, names)
        }))?;
        Ok((directory, ids))
    }

    /// Stores a plan into a body with the `milestones.import` audit entry in one transaction.
    ///
    /// # Errors
    /// Storage errors (nothing is stored then).
    pub async fn apply_import(
        &self,
        body_id: i64,
        plan: &ImportPlan,
        party_ids: &HashMap<String, i64>,
        source: &str,
        by: Option<i64>,
        actor: &Actor,
    ) -> Result<ImportOutcome, StorageError> {
        let now = now_ms();
        let mut outcome = ImportOutcome::default();
        let mut tx = self.begin_write().await?;
        let mut line_ids: HashMap<&str, i64> = HashMap::new();
        for line in &plan.action_lines {
            let parent = line
                .parent_key
                .as_deref()
                .and_then(|k| line_ids.get(k).copied());
            let existing =
                sqlx::query("SELECT id FROM action_lines WHERE body_id = $1 AND natural_key = $2")
                    .bind(body_id)
                    .bind(&line.key)
                    .fetch_optional(&mut *tx)
                    .await?;
            let id: i64 = match existing {
                Some(row) => {
                    let id: i64 = row.try_get("id")?;
                    sqlx::query(
                        "UPDATE action_lines SET title = $1, parent_id = $2, number = $3, updated_at = $4 WHERE id = $5",
                    )
                    .bind(&line.title)
                    .bind(parent)
                    .bind(line.number.as_deref())
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    outcome.action_lines_updated += 1;
                    id
                }
                None => {
                    let row = sqlx::query(
                        "INSERT INTO action_lines (body_id, parent_id, number, title, description, \
                         natural_key, created_by, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, '', $5, $6, $7, $7) RETURNING id",
                    )
                    .bind(body_id)
                    .bind(parent)
                    .bind(line.number.as_deref())
                    .bind(&line.title)
                    .bind(&line.key)
                    .bind(by)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                    outcome.action_lines_created += 1;
                    row.try_get("id")?
                }
            };
            line_ids.insert(line.key.as_str(), id);
        }
        for planned in &plan.milestones {
            let action_line_id = planned
                .action_line_key
                .as_deref()
                .and_then(|k| line_ids.get(k).copied());
            let mut owners: Vec<(i64, OwnerRole)> = Vec::new();
            for (codes, role) in [
                (&planned.lead, OwnerRole::Lead),
                (&planned.contributors, OwnerRole::Contributor),
            ] {
                for code in codes {
                    if let Some(id) = party_ids.get(code) {
                        if !owners.iter().any(|(p, _)| p == id) {
                            owners.push((*id, role));
                        }
                    }
                }
            }
            let due = Due::from_fuzzy(&planned.due);
            let source_ref = format!("{source}, line {}", planned.line);
            let existing =
                sqlx::query("SELECT id FROM milestones WHERE body_id = $1 AND natural_key = $2")
                    .bind(body_id)
                    .bind(&planned.natural_key)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(row) = existing {
                let id: i64 = row.try_get("id")?;
                sqlx::query(
                    "UPDATE milestones SET title = $1, action_line_id = $2, due_raw = $3, due_earliest = $4, \
                     due_latest = $5, due_precision = $6, due_uncertain = $7, source_ref = $8, \
                     updated_at = $9 WHERE id = $10",
                )
                .bind(&planned.title)
                .bind(action_line_id)
                .bind(&due.raw)
                .bind(&due.earliest)
                .bind(&due.latest)
                .bind(&due.precision)
                .bind(i64::from(due.uncertain))
                .bind(&source_ref)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                set_owners(&mut tx, id, &owners).await?;
                link_in(&mut tx, id).await?;
                outcome.milestones_updated += 1;
            } else {
                let status = planned
                    .status
                    .as_deref()
                    .and_then(MilestoneStatus::from_table)
                    .unwrap_or(MilestoneStatus::Gepland);
                let id = insert_milestone(
                    &mut tx,
                    &NewMilestone {
                        body_id,
                        action_line_id,
                        title: planned.title.clone(),
                        description: String::new(),
                        due,
                        status,
                        natural_key: planned.natural_key.clone(),
                        source_ref: Some(source_ref),
                        owners,
                        created_by: by,
                    },
                )
                .await?;
                if let Some(note) = planned.note.as_deref().filter(|n| !n.trim().is_empty()) {
                    sqlx::query(
                        "INSERT INTO milestone_notes (milestone_id, author_id, body, created_at) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(id)
                    .bind(by)
                    .bind(note)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                outcome.milestones_created += 1;
            }
        }
        let subject = serde_json::json!({ "body": body_id, "summary": plan.summary_line(), "created": outcome.milestones_created, "updated": outcome.milestones_updated });
        append_in(
            &mut tx,
            self.backend(),
            actor,
            "milestones.import",
            &subject,
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }
}
