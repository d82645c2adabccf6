//! Frozen progress reports: the inputs a report is built from (read through the milestone
//! list and the status history), and the reports themselves, written once with their audit
//! entry and never changed (there is no update).

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::milestones::MilestoneFilter;
use crate::domain::owner_role::OwnerRole;
use crate::domain::progress_report::{ChangeInput, MilestoneInput, MAX_MILESTONES};
use crate::storage::audit::{append_in, Actor};
use crate::storage::{now_ms, SqlStorage, StorageError};

/// Most status changes read for one body's report.
const MAX_CHANGES: i64 = 50_000;
/// Most reports one list shows (newest first).
pub const MAX_LISTED: i64 = 500;

/// A frozen report without its content.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ReportSummary {
    /// Id.
    pub id: i64,
    /// The body, `None` for a programme report.
    pub body_id: Option<i64>,
    /// The body's name, or `None` for the programme.
    pub body_name: Option<String>,
    /// The period, e.g. `2026-Q3`.
    pub period: String,
    /// SHA-256 of the content, hex.
    pub content_hash: String,
    /// The previous report of the same scope.
    pub previous_id: Option<i64>,
    /// Who froze it (person id), if still known.
    pub frozen_by: Option<i64>,
    /// Their name.
    pub frozen_by_name: Option<String>,
    /// Unix ms.
    pub frozen_at: i64,
}

/// A frozen report with its content exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReport {
    /// The report's facts.
    pub summary: ReportSummary,
    /// The canonical content JSON that was hashed.
    pub content: String,
}

/// A report to freeze.
pub struct NewReport<'a> {
    /// The body, `None` for the programme.
    pub body_id: Option<i64>,
    /// Period name.
    pub period: &'a str,
    /// Canonical content JSON.
    pub content: &'a str,
    /// Its SHA-256.
    pub content_hash: &'a str,
    /// The previous report the content was built against.
    pub previous_id: Option<i64>,
    /// The person freezing it.
    pub frozen_by: Option<i64>,
}

const SUMMARY_COLUMNS: &str = "SELECT r.id, r.body_id, b.name AS body_name, r.period, \
     r.content_hash, r.previous_id, r.frozen_by, u.name AS frozen_by_name, r.frozen_at";
const SUMMARY_FROM: &str = "FROM progress_reports r LEFT JOIN bodies b ON b.id = r.body_id \
     LEFT JOIN users u ON u.id = r.frozen_by";

/// The newest report of a scope: `$1` is 1 for a body (`$2`), 0 for the programme.
const LATEST: &str = "SELECT id FROM progress_reports \
     WHERE ($1 = 0 AND body_id IS NULL) OR ($1 = 1 AND body_id = $2) ORDER BY id DESC LIMIT 1";

fn summary_from_row(row: &AnyRow) -> Result<ReportSummary, StorageError> {
    Ok(ReportSummary {
        id: row.try_get("id")?,
        body_id: row.try_get("body_id")?,
        body_name: row.try_get("body_name")?,
        period: row.try_get("period")?,
        content_hash: row.try_get("content_hash")?,
        previous_id: row.try_get("previous_id")?,
        frozen_by: row.try_get("frozen_by")?,
        frozen_by_name: row.try_get("frozen_by_name")?,
        frozen_at: row.try_get("frozen_at")?,
    })
}

impl SqlStorage {
    /// A body's milestones and their status steps (corrections left out), as a report reads
    /// them, at most [`MAX_MILESTONES`] milestones.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn report_inputs(
        &self,
        body_id: i64,
    ) -> Result<(Vec<MilestoneInput>, Vec<ChangeInput>), StorageError> {
        let milestones: Vec<MilestoneInput> = self
            .list_milestones(body_id, MilestoneFilter::default())
            .await?
            .into_iter()
            .take(MAX_MILESTONES)
            .map(|m| MilestoneInput {
                id: m.id,
                body_id: m.body_id,
                deadline: m.due.latest_date(),
                title: m.title,
                action_line: m.action_line,
                status: m.status,
                due: m.due.raw,
                leads: m
                    .owners
                    .into_iter()
                    .filter(|o| o.role == OwnerRole::Lead)
                    .map(|o| o.code)
                    .collect(),
            })
            .collect();
        let rows = sqlx::query(
            "SELECT c.milestone_id, c.from_status, c.to_status, c.reason, c.agreed_with, \
             c.old_due_raw, c.new_due_raw, c.at FROM milestone_status_changes c \
             JOIN milestones m ON m.id = c.milestone_id \
             WHERE m.body_id = $1 AND c.kind = 'status' ORDER BY c.id LIMIT $2",
        )
        .bind(body_id)
        .bind(MAX_CHANGES)
        .fetch_all(self.pool())
        .await?;
        let changes = rows
            .iter()
            .map(|row| {
                let at: i64 = row.try_get("at")?;
                Ok(ChangeInput {
                    milestone_id: row.try_get("milestone_id")?,
                    from: row.try_get("from_status")?,
                    to: row.try_get("to_status")?,
                    reason: row.try_get("reason")?,
                    agreed_with: row.try_get("agreed_with")?,
                    old_due: row.try_get("old_due_raw")?,
                    new_due: row.try_get("new_due_raw")?,
                    day: crate::domain::dutch_time::date_of_millis(at),
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        Ok((milestones, changes))
    }

    /// The newest report of a scope (`None` = the programme).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn latest_report(
        &self,
        body_id: Option<i64>,
    ) -> Result<Option<StoredReport>, StorageError> {
        let Some(row) = sqlx::query(LATEST)
            .bind(i64::from(body_id.is_some()))
            .bind(body_id.unwrap_or(0))
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        self.find_report(row.try_get("id")?).await
    }

    /// Stores a frozen report with its `report.freeze` audit entry in one transaction.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when another report of the scope was frozen since the
    /// content was built (build it again); storage errors.
    pub async fn freeze_report(
        &self,
        new: &NewReport<'_>,
        by: &Actor,
    ) -> Result<i64, StorageError> {
        let mut tx = self.begin_write().await?;
        let latest: Option<i64> = match sqlx::query(LATEST)
            .bind(i64::from(new.body_id.is_some()))
            .bind(new.body_id.unwrap_or(0))
            .fetch_optional(&mut *tx)
            .await?
        {
            Some(row) => Some(row.try_get("id")?),
            None => None,
        };
        if latest != new.previous_id {
            return Err(StorageError::AlreadyExists(
                "newer report of the same scope (frozen meanwhile; freeze again)",
            ));
        }
        let row = sqlx::query(
            "INSERT INTO progress_reports (body_id, period, content, content_hash, previous_id, \
             frozen_by, frozen_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(new.body_id)
        .bind(new.period)
        .bind(new.content)
        .bind(new.content_hash)
        .bind(new.previous_id)
        .bind(new.frozen_by)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let subject = serde_json::json!({
            "report": id, "body": new.body_id, "period": new.period, "hash": new.content_hash,
        });
        append_in(&mut tx, self.backend(), by, "report.freeze", &subject).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One report with its content.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_report(&self, id: i64) -> Result<Option<StoredReport>, StorageError> {
        let row = sqlx::query(&format!(
            "{SUMMARY_COLUMNS}, r.content {SUMMARY_FROM} WHERE r.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(StoredReport {
                summary: summary_from_row(&row)?,
                content: row.try_get("content")?,
            })
        })
        .transpose()
    }

    /// The newest reports (at most [`MAX_LISTED`]), newest first.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_reports(&self) -> Result<Vec<ReportSummary>, StorageError> {
        let rows = sqlx::query(&format!(
            "{SUMMARY_COLUMNS} {SUMMARY_FROM} ORDER BY r.id DESC LIMIT $1"
        ))
        .bind(MAX_LISTED)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(summary_from_row).collect()
    }
}
