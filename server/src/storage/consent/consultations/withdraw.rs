//! Withdrawing a consultation: its stored status becomes `ingetrokken`, and the notice to its
//! invitees is planned as a scheduler job in the same transaction as the change and its
//! `consultation.withdraw` audit entry, so the notice goes out once, after the commit.

use serde_json::json;

use super::{Consultation, ConsultationError};
use crate::domain::consultation::News;
use crate::domain::escalation::JobKind;
use crate::storage::audit::{append_in, Actor};
use crate::storage::escalation::jobs::{plan_job_in, NewJob};
use crate::storage::{now_ms, SqlStorage, StorageError};

/// The key of the job that tells a consultation's invitees it was withdrawn.
pub fn notice_key(consultation: i64) -> String {
    format!("consultation:{consultation}:withdrawn")
}

impl SqlStorage {
    /// Withdraws a consultation with an optional note (already bounded), planning the
    /// invitees' notice and appending the `consultation.withdraw` audit entry.
    ///
    /// # Errors
    /// [`ConsultationError::Conflict`] when it is already withdrawn; storage errors.
    pub async fn withdraw_consultation(
        &self,
        id: i64,
        note: Option<&str>,
        actor: &Actor,
    ) -> Result<Consultation, ConsultationError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE consultations SET status = 'ingetrokken', updated_at = $1 \
             WHERE id = $2 AND status <> 'ingetrokken'",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            tx.rollback().await?;
            return Err(ConsultationError::Conflict(
                "the consultation is already withdrawn".into(),
            ));
        }
        let job = NewJob {
            key: notice_key(id),
            kind: JobKind::ConsultationReminder,
            subject_kind: "consultation",
            subject_id: id,
            series: "withdrawn".into(),
            payload: json!({ "news": News::Ingetrokken.as_str(), "note": note }),
            due_at: now,
        };
        plan_job_in(&mut tx, &job, now).await?;
        let subject = json!({ "consultation": id, "note": note });
        append_in(
            &mut tx,
            self.backend(),
            actor,
            "consultation.withdraw",
            &subject,
        )
        .await?;
        tx.commit().await?;
        self.find_consultation(id)
            .await?
            .ok_or(ConsultationError::Storage(StorageError::Corrupt {
                column: "consultations.id",
                value: id.to_string(),
            }))
    }
}
