//! Escalation ladders per working group, and the overdue margin that opens disputes.
//!
//! A body without a stored ladder gets the default: itself at level 0, then every body it
//! reports to (`parent_id`), each with the response time of its kind.

use serde::Serialize;
use sqlx::Row;

use crate::domain::bodies::BodyKind;
use crate::domain::escalation::{default_response_days, LadderLevel, DEFAULT_OVERDUE_MARGIN_DAYS};
use crate::storage::audit::{append_in, Actor};
use crate::storage::{get_decoded, SqlStorage, StorageError};

/// A body's escalation settings as the API shows them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct LadderSettings {
    /// The body.
    pub body_id: i64,
    /// Whether the ladder is the default (nothing stored).
    pub is_default: bool,
    /// The levels, from 0.
    pub levels: Vec<LadderLevel>,
    /// Working days a milestone may be overdue before it opens a dispute.
    pub overdue_margin_days: i64,
    /// Whether overdue milestones open disputes at all.
    pub auto_dispute: bool,
}

/// A body a level of a working group's ladder may name as its forum.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct LadderForum {
    /// The body.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: BodyKind,
    /// How far above the working group it is: 0 is the group itself, which only level 0 may
    /// name; 1 the body it reports to, and so on.
    pub depth: i64,
}

/// Most `parent` links followed from a body upwards (the ladder has six kinds of body, so a
/// real hierarchy is far shallower).
pub const MAX_HIERARCHY_DEPTH: usize = 32;

impl SqlStorage {
    /// The bodies above `body_id` through its `parent` links, nearest first: followed one link
    /// at a time, at most [`MAX_HIERARCHY_DEPTH`] of them, stopping at a body met before (a
    /// cycle) or a missing one.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn body_ancestors(&self, body_id: i64) -> Result<Vec<i64>, StorageError> {
        let mut seen = std::collections::HashSet::from([body_id]);
        let mut ancestors = Vec::new();
        let mut current = body_id;
        while ancestors.len() < MAX_HIERARCHY_DEPTH {
            let row = sqlx::query("SELECT parent_id FROM bodies WHERE id = $1")
                .bind(current)
                .fetch_optional(self.pool())
                .await?;
            let Some(parent) = row
                .map(|r| r.try_get::<Option<i64>, _>("parent_id"))
                .transpose()?
                .flatten()
            else {
                break;
            };
            if !seen.insert(parent) {
                break;
            }
            ancestors.push(parent);
            current = parent;
        }
        Ok(ancestors)
    }

    /// The bodies a level of `body_id`'s ladder may name as its forum: the body itself (depth
    /// 0, for level 0 only), then every body above it, nearest first.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn ladder_forums(&self, body_id: i64) -> Result<Vec<LadderForum>, StorageError> {
        let mut chain = vec![body_id];
        chain.extend(self.body_ancestors(body_id).await?);
        let mut forums = Vec::with_capacity(chain.len());
        for (depth, id) in chain.into_iter().enumerate() {
            let row = sqlx::query("SELECT id, name, kind FROM bodies WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
            let Some(row) = row else { break };
            forums.push(LadderForum {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                kind: get_decoded(&row, "kind", BodyKind::parse)?,
                depth: i64::try_from(depth).unwrap_or(i64::MAX),
            });
        }
        Ok(forums)
    }

    /// The escalation ladder of a body (stored, or the default).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn ladder(&self, body_id: i64) -> Result<Vec<LadderLevel>, StorageError> {
        Ok(self.ladder_settings(body_id).await?.levels)
    }

    /// The ladder and the overdue settings of a body.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn ladder_settings(&self, body_id: i64) -> Result<LadderSettings, StorageError> {
        let rows = sqlx::query(
            "SELECT level, name, forum_body_id, response_days FROM escalation_levels \
             WHERE body_id = $1 ORDER BY level",
        )
        .bind(body_id)
        .fetch_all(self.pool())
        .await?;
        let mut levels = rows
            .iter()
            .map(|row| {
                Ok(LadderLevel {
                    level: row.try_get("level")?,
                    name: row.try_get("name")?,
                    forum_body_id: row.try_get("forum_body_id")?,
                    response_days: row.try_get("response_days")?,
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        let is_default = levels.is_empty();
        if is_default {
            levels = self.default_ladder(body_id).await?;
        }
        let settings = sqlx::query(
            "SELECT overdue_margin_days, auto_dispute FROM escalation_settings WHERE body_id = $1",
        )
        .bind(body_id)
        .fetch_optional(self.pool())
        .await?;
        let (overdue_margin_days, auto_dispute) = match settings {
            Some(row) => (
                row.try_get("overdue_margin_days")?,
                row.try_get::<i64, _>("auto_dispute")? != 0,
            ),
            None => (DEFAULT_OVERDUE_MARGIN_DAYS, true),
        };
        Ok(LadderSettings {
            body_id,
            is_default,
            levels,
            overdue_margin_days,
            auto_dispute,
        })
    }

    async fn default_ladder(&self, body_id: i64) -> Result<Vec<LadderLevel>, StorageError> {
        let mut levels = Vec::new();
        let mut current = Some(body_id);
        while let Some(id) = current {
            if levels.len() >= 10 {
                break;
            }
            let row = sqlx::query("SELECT id, name, kind, parent_id FROM bodies WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
            let Some(row) = row else { break };
            let kind = get_decoded(&row, "kind", BodyKind::parse)?;
            levels.push(LadderLevel {
                level: i64::try_from(levels.len()).unwrap_or(0),
                name: row.try_get("name")?,
                forum_body_id: Some(row.try_get("id")?),
                response_days: default_response_days(kind),
            });
            current = row.try_get("parent_id")?;
        }
        Ok(levels)
    }

    /// Replaces a body's ladder and overdue settings with the `ladder.put` audit entry
    /// (`subject`, which names the ladder before and after) in one transaction; returns the
    /// settings as stored.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn put_ladder(
        &self,
        body_id: i64,
        levels: &[LadderLevel],
        overdue_margin_days: i64,
        auto_dispute: bool,
        by: &Actor,
        subject: &serde_json::Value,
    ) -> Result<LadderSettings, StorageError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM escalation_levels WHERE body_id = $1")
            .bind(body_id)
            .execute(&mut *tx)
            .await?;
        for level in levels {
            sqlx::query(
                "INSERT INTO escalation_levels (body_id, level, name, forum_body_id, response_days) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(body_id)
            .bind(level.level)
            .bind(&level.name)
            .bind(level.forum_body_id)
            .bind(level.response_days)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO escalation_settings (body_id, overdue_margin_days, auto_dispute) VALUES ($1, $2, $3) \
             ON CONFLICT (body_id) DO UPDATE SET overdue_margin_days = excluded.overdue_margin_days, \
             auto_dispute = excluded.auto_dispute",
        )
        .bind(body_id)
        .bind(overdue_margin_days)
        .bind(i64::from(auto_dispute))
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, self.backend(), by, "ladder.put", subject).await?;
        tx.commit().await?;
        Ok(LadderSettings {
            body_id,
            is_default: false,
            levels: levels.to_vec(),
            overdue_margin_days,
            auto_dispute,
        })
    }
}
