//! Durable scheduler jobs and the reads the scheduler plans them from.
//!
//! A job is planned once under a unique key (`INSERT … ON CONFLICT DO NOTHING`), claimed with
//! a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two processes never claim one job), run,
//! and marked `done`, `superseded` (a later job of the same series was due too, after
//! downtime) or `cancelled` (its subject changed).

use sqlx::Row;

use crate::domain::escalation::JobKind;
use crate::storage::{get_decoded, SqlStorage, StorageError};

/// A job to plan.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Unique key, e.g. `reminder:milestone:12:due-2026-05-26:d-7`.
    pub key: String,
    /// What it does.
    pub kind: JobKind,
    /// `milestone`, `role_agreement` or `dispute`.
    pub subject_kind: &'static str,
    /// The subject's id.
    pub subject_id: i64,
    /// The series the job belongs to (a due date, a version, a level); a job whose subject
    /// has moved to another series is cancelled when it comes due.
    pub series: String,
    /// Kind-specific data (JSON).
    pub payload: serde_json::Value,
    /// Unix ms when it falls due.
    pub due_at: i64,
}

/// A claimed job.
#[derive(Debug, Clone)]
pub struct Job {
    /// Database id.
    pub id: i64,
    /// Unique key.
    pub key: String,
    /// What it does.
    pub kind: JobKind,
    /// Subject id.
    pub subject_id: i64,
    /// Series.
    pub series: String,
    /// Kind-specific data.
    pub payload: serde_json::Value,
    /// Unix ms when it fell due.
    pub due_at: i64,
}

/// An open milestone with a latest due date.
#[derive(Debug, Clone)]
pub struct OpenMilestone {
    /// Id.
    pub id: i64,
    /// Body.
    pub body_id: i64,
    /// Title.
    pub title: String,
    /// `due_latest` (YYYY-MM-DD).
    pub due_latest: String,
    /// Unix ms since which this due date holds (creation or the last rescheduling).
    pub series_start: i64,
    /// Owner parties with role (`lead` first).
    pub parties: Vec<(i64, String)>,
}

/// A role agreement and the parties that must sign it off.
#[derive(Debug, Clone)]
pub struct OpenAgreement {
    /// Id.
    pub id: i64,
    /// Body.
    pub body_id: i64,
    /// Title.
    pub title: String,
    /// Current version hash.
    pub version_hash: String,
    /// Unix ms of the last change.
    pub updated_at: i64,
}

fn insert_job(
    job: &NewJob,
    now_ms: i64,
) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    sqlx::query(
        "INSERT INTO scheduler_jobs (job_key, kind, subject_kind, subject_id, series, payload, due_at, \
         status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8) \
         ON CONFLICT (job_key) DO NOTHING",
    )
    .bind(&job.key)
    .bind(job.kind.as_str())
    .bind(job.subject_kind)
    .bind(job.subject_id)
    .bind(&job.series)
    .bind(job.payload.to_string())
    .bind(job.due_at)
    .bind(now_ms)
}

/// Plans a job inside the caller's transaction (the change that calls for it), unless one
/// with its key exists.
///
/// # Errors
/// Storage errors; the caller's transaction must then be dropped.
pub async fn plan_job_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    job: &NewJob,
    now_ms: i64,
) -> Result<(), StorageError> {
    insert_job(job, now_ms).execute(&mut **tx).await?;
    Ok(())
}

impl SqlStorage {
    /// Plans a job unless one with its key exists; returns whether it was new.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn plan_job(&self, job: &NewJob, now_ms: i64) -> Result<bool, StorageError> {
        let done = insert_job(job, now_ms).execute(self.pool()).await?;
        Ok(done.rows_affected() > 0)
    }

    /// Claims up to `limit` pending jobs due at `now_ms`, oldest first, leased until
    /// `lease_until`.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn claim_jobs(
        &self,
        now_ms: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<Job>, StorageError> {
        let lock = self.skip_locked();
        let rows = sqlx::query(&format!(
            "UPDATE scheduler_jobs SET locked_until = $1 WHERE id IN \
             (SELECT id FROM scheduler_jobs WHERE status = 'pending' AND due_at <= $2 \
             AND (locked_until IS NULL OR locked_until < $2) ORDER BY due_at, id LIMIT $3{lock}) \
             RETURNING id, job_key, kind, subject_id, series, payload, due_at"
        ))
        .bind(lease_until)
        .bind(now_ms)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut jobs = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let kind = match get_decoded(row, "kind", JobKind::parse) {
                Ok(kind) => kind,
                Err(StorageError::Corrupt { value, .. }) => {
                    // A kind this version does not know (a newer process planned it): leave it
                    // for a process that does, under its lease, and keep running the others.
                    tracing::warn!(job = id, kind = %value, "skipping a job of an unknown kind");
                    continue;
                }
                Err(other) => return Err(other),
            };
            let payload: String = row.try_get("payload")?;
            jobs.push(Job {
                id,
                key: row.try_get("job_key")?,
                kind,
                subject_id: row.try_get("subject_id")?,
                series: row.try_get("series")?,
                payload: serde_json::from_str(&payload).unwrap_or_default(),
                due_at: row.try_get("due_at")?,
            });
        }
        jobs.sort_by_key(|j| (j.due_at, j.id));
        Ok(jobs)
    }

    /// Whether a later job of the same kind, subject and series is due too (then this one is
    /// stale: after downtime only the latest reminder of a series is sent).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn superseded(&self, job: &Job, now_ms: i64) -> Result<bool, StorageError> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM scheduler_jobs WHERE kind = $1 AND subject_id = $2 AND series = $3 \
             AND due_at > $4 AND due_at <= $5 AND status IN ('pending', 'done') LIMIT 1",
        )
        .bind(job.kind.as_str())
        .bind(job.subject_id)
        .bind(&job.series)
        .bind(job.due_at)
        .bind(now_ms)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// Ends a job as `done`, `superseded` or `cancelled`.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn finish_job(&self, id: i64, status: &str, now_ms: i64) -> Result<(), StorageError> {
        sqlx::query("UPDATE scheduler_jobs SET status = $1, done_at = $2 WHERE id = $3")
            .bind(status)
            .bind(now_ms)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Gives a claimed job back (its run failed); it is retried on a later run.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn release_job(&self, id: i64) -> Result<(), StorageError> {
        sqlx::query("UPDATE scheduler_jobs SET locked_until = NULL WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Milestones that are neither done nor cancelled and have a latest due date.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn open_milestones(&self) -> Result<Vec<OpenMilestone>, StorageError> {
        self.select_open_milestones("", None).await
    }

    /// One open milestone (`None` when done, cancelled, undated or gone).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn open_milestone(&self, id: i64) -> Result<Option<OpenMilestone>, StorageError> {
        Ok(self
            .select_open_milestones(" AND m.id = $1", Some(id))
            .await?
            .pop())
    }

    /// Open milestones, narrowed by `filter` (binding `id` as `$1` when given).
    async fn select_open_milestones(
        &self,
        filter: &str,
        id: Option<i64>,
    ) -> Result<Vec<OpenMilestone>, StorageError> {
        let sql = format!(
            "SELECT m.id, m.body_id, m.title, m.due_latest, m.created_at, \
             (SELECT MAX(c.at) FROM milestone_status_changes c WHERE c.milestone_id = m.id \
              AND c.new_due_latest IS NOT NULL) AS moved_at \
             FROM milestones m WHERE m.due_latest IS NOT NULL \
             AND m.status NOT IN ('gereed', 'vervallen'){filter} ORDER BY m.id"
        );
        let mut query = sqlx::query(&sql);
        if let Some(id) = id {
            query = query.bind(id);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut milestones = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let created: i64 = row.try_get("created_at")?;
            let moved: Option<i64> = row.try_get("moved_at")?;
            milestones.push(OpenMilestone {
                id,
                body_id: row.try_get("body_id")?,
                title: row.try_get("title")?,
                due_latest: row.try_get("due_latest")?,
                series_start: moved.map_or(created, |m| m.max(created)),
                parties: self.milestone_parties(id).await?,
            });
        }
        Ok(milestones)
    }

    async fn milestone_parties(&self, id: i64) -> Result<Vec<(i64, String)>, StorageError> {
        let rows = sqlx::query(
            "SELECT party_id, role FROM milestone_parties WHERE milestone_id = $1 \
             ORDER BY CASE role WHEN 'lead' THEN 0 ELSE 1 END, party_id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("party_id")?, r.try_get("role")?)))
            .collect()
    }

    /// Whether a person of `party` changed the milestone's status at or after `since_ms`.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn party_changed_milestone(
        &self,
        milestone: i64,
        party: i64,
        since_ms: i64,
    ) -> Result<bool, StorageError> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM milestone_status_changes c JOIN users u ON u.id = c.by_user \
             WHERE c.milestone_id = $1 AND u.party_id = $2 AND c.at >= $3 LIMIT 1",
        )
        .bind(milestone)
        .bind(party)
        .bind(since_ms)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// Unix ms of the first notification whose key starts with `prefix`, if any.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn first_event_at(&self, prefix: &str) -> Result<Option<i64>, StorageError> {
        let row = sqlx::query(
            "SELECT MIN(created_at) AS at FROM notification_events WHERE event_key LIKE $1",
        )
        .bind(format!("{}%", prefix.replace(['%', '_'], "")))
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("at")?)
    }

    /// Every role agreement.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn agreements_for_sign_off(&self) -> Result<Vec<OpenAgreement>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, body_id, title, version_hash, updated_at FROM role_agreements ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(open_agreement_from_row).collect()
    }

    /// One role agreement, as the sign-off requests see it.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn agreement_for_sign_off(
        &self,
        id: i64,
    ) -> Result<Option<OpenAgreement>, StorageError> {
        let row = sqlx::query(
            "SELECT id, body_id, title, version_hash, updated_at FROM role_agreements WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(open_agreement_from_row).transpose()
    }

    /// The parties of an agreement that still owe a sign-off on its current version (parties
    /// that are only informed never sign off).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn parties_owing_sign_off(&self, agreement: i64) -> Result<Vec<i64>, StorageError> {
        let rows = sqlx::query(
            "SELECT rap.party_id FROM role_agreement_parties rap JOIN role_agreements a ON a.id = rap.agreement_id \
             WHERE rap.agreement_id = $1 AND rap.role <> 'geïnformeerd' AND NOT EXISTS ( \
               SELECT 1 FROM sign_offs s WHERE s.agreement_id = a.id AND s.party_id = rap.party_id \
               AND s.superseded_at IS NULL AND s.version_hash = a.version_hash) ORDER BY rap.party_id",
        )
        .bind(agreement)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get("party_id")?)).collect()
    }

    /// The parties a party stands for: the members of a collective, else itself.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn expand_party(&self, party: i64) -> Result<Vec<i64>, StorageError> {
        let rows = sqlx::query(
            "SELECT member_id FROM collective_members WHERE collective_id = $1 ORDER BY member_id",
        )
        .bind(party)
        .fetch_all(self.pool())
        .await?;
        if rows.is_empty() {
            return Ok(vec![party]);
        }
        rows.iter().map(|r| Ok(r.try_get("member_id")?)).collect()
    }

    /// The people who act for `party` in `body`: its members there who are not observers;
    /// with `mandate_only`, those holding the party's mandate (all of them when nobody does).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn party_recipients(
        &self,
        body: i64,
        party: i64,
        mandate_only: bool,
    ) -> Result<Vec<i64>, StorageError> {
        let rows = sqlx::query(
            "SELECT u.id, m.holds_mandate FROM users u JOIN memberships m ON m.user_id = u.id \
             WHERE m.body_id = $1 AND u.party_id = $2 AND m.role <> 'observer' ORDER BY u.id",
        )
        .bind(body)
        .bind(party)
        .fetch_all(self.pool())
        .await?;
        let all = rows
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<i64, _>("id")?,
                    r.try_get::<i64, _>("holds_mandate")? != 0,
                ))
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        let holders: Vec<i64> = all.iter().filter(|(_, m)| *m).map(|(id, _)| *id).collect();
        if mandate_only && !holders.is_empty() {
            return Ok(holders);
        }
        Ok(all.into_iter().map(|(id, _)| id).collect())
    }

    /// The chair and secretariat of a body.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn body_leads(&self, body: i64) -> Result<Vec<i64>, StorageError> {
        let rows = sqlx::query(
            "SELECT user_id FROM memberships WHERE body_id = $1 AND role IN ('chair', 'secretariat') \
             ORDER BY user_id",
        )
        .bind(body)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get("user_id")?)).collect()
    }
}

fn open_agreement_from_row(r: &sqlx::any::AnyRow) -> Result<OpenAgreement, StorageError> {
    Ok(OpenAgreement {
        id: r.try_get("id")?,
        body_id: r.try_get("body_id")?,
        title: r.try_get("title")?,
        version_hash: r.try_get("version_hash")?,
        updated_at: r.try_get("updated_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_job_of_an_unknown_kind_is_left_alone_and_the_others_still_run() {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::storage::sql::sqlite_url_for(dir.path());
        let db = SqlStorage::connect(&url).await.unwrap();
        let job = |key: &str| NewJob {
            key: key.into(),
            kind: JobKind::MilestoneReminder,
            subject_kind: "milestone",
            subject_id: 1,
            series: "s".into(),
            payload: serde_json::json!({}),
            due_at: 10,
        };
        assert!(db.plan_job(&job("a"), 0).await.unwrap());
        assert!(db.plan_job(&job("b"), 0).await.unwrap());
        sqlx::query("UPDATE scheduler_jobs SET kind = 'from_a_newer_version' WHERE job_key = 'a'")
            .execute(db.pool())
            .await
            .unwrap();
        let claimed = db.claim_jobs(100, 200, 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].key, "b");
        let left: String = sqlx::query("SELECT status FROM scheduler_jobs WHERE job_key = 'a'")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .try_get("status")
            .unwrap();
        assert_eq!(left, "pending");
    }
}
