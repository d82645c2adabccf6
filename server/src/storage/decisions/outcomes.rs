//! Recording a deciding body's outcome on a request. One transaction holds everything that
//! follows from it: the request's new status (and, when deferred, its move to the next meeting
//! of the series and onto that meeting's agenda), the `decisions` row with its parties, the
//! follow-up milestones linked in `decision_milestones`, the dispute it closes or opens (each
//! with its own audit entry, so the parties hear of it), and the `decision.record` audit entry,
//! whose id the decision keeps.

use chrono::Utc;
use sqlx::{Any, Row, Transaction};

use super::register::{
    add_parties_in, insert_decision_in, load_decision, member_parties, NewDecision,
};
use super::requests::add_to_agenda_in;
use super::DecisionError;
use crate::domain::decision::{Decision, DecisionSource, OutcomeText, RequestStatus};
use crate::domain::dispute::Dispute;
use crate::domain::escalation::DisputeStatus;
use crate::domain::milestone_status::MilestoneStatus;
use crate::domain::owner_role::OwnerRole;
use crate::storage::audit::{append_in, Actor};
use crate::storage::escalation::disputes::changes::close_in;
use crate::storage::escalation::disputes::{insert_dispute, NewDispute};
use crate::storage::governance::milestones::{insert_milestone, Due, NewMilestone};
use crate::storage::{now_ms, SqlStorage};

/// A follow-up milestone to create with the decision.
#[derive(Debug, Clone)]
pub struct FollowUpInput {
    /// The body it belongs to.
    pub body_id: i64,
    /// Title.
    pub title: String,
    /// Due date.
    pub due: Due,
    /// Owner parties.
    pub owners: Vec<(i64, OwnerRole)>,
}

/// What a dispute opened by an outcome is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisputeSubject {
    /// A passage of the request's supporting draft: the draft and its body.
    Draft {
        /// The draft.
        draft_id: i64,
        /// Its body.
        body_id: i64,
    },
    /// The first follow-up milestone created with the decision.
    FirstFollowUp,
}

/// A dispute to open with the decision (a `niet_akkoord`, typically).
#[derive(Debug, Clone)]
pub struct OpenDispute {
    /// What it is about.
    pub subject: DisputeSubject,
    /// The raising party (the first one named).
    pub raised_by_party: i64,
    /// The parties involved.
    pub parties: Vec<i64>,
    /// What the difference is.
    pub statement: String,
}

/// An outcome to record.
#[derive(Debug, Clone)]
pub struct RecordOutcome<'a> {
    /// What was decided, checked.
    pub text: &'a OutcomeText,
    /// The meeting it was decided at (default: the request's).
    pub meeting_id: Option<i64>,
    /// Follow-up milestones.
    pub follow_ups: Vec<FollowUpInput>,
    /// An open dispute this decision settles.
    pub close_dispute: Option<&'a Dispute>,
    /// A dispute to open.
    pub open_dispute: Option<OpenDispute>,
    /// Who records it.
    pub person: i64,
}

/// The next meeting of the series of `meeting_id` after it (not cancelled), if any.
async fn next_in_series(
    tx: &mut Transaction<'_, Any>,
    meeting_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT n.id FROM meetings cur JOIN meetings n ON n.series_id = cur.series_id \
         AND n.starts_at > cur.starts_at AND n.status <> 'geannuleerd' \
         WHERE cur.id = $1 AND cur.series_id IS NOT NULL ORDER BY n.starts_at, n.id LIMIT 1",
    )
    .bind(meeting_id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| r.try_get("id")).transpose()
}

impl SqlStorage {
    /// Records an outcome on an open or deferred request (see the module documentation);
    /// returns the decision.
    ///
    /// # Errors
    /// [`DecisionError::Conflict`] when the request is decided or withdrawn, or the dispute to
    /// close is closed already.
    pub async fn record_outcome(
        &self,
        request_id: i64,
        input: &RecordOutcome<'_>,
        by: &Actor,
    ) -> Result<Decision, DecisionError> {
        let request = self
            .find_decision_request(request_id)
            .await?
            .ok_or_else(|| DecisionError::Conflict("no such request".into()))?;
        let summary = &request.summary;
        let text = input.text;
        let dispute_body = input.open_dispute.as_ref().map(|open| match open.subject {
            DisputeSubject::Draft { body_id, .. } => body_id,
            DisputeSubject::FirstFollowUp => input
                .follow_ups
                .first()
                .map_or(summary.body_id, |f| f.body_id),
        });
        let respond_by = match dispute_body {
            Some(body) => Some(self.first_respond_by(body, Utc::now()).await?),
            None => None,
        };
        let mut tx = self.begin_write().await?;
        let status = RequestStatus::after(text.outcome);
        let decided_at = input.meeting_id.or(summary.meeting_id);
        let deferred = status == RequestStatus::Aangehouden;
        let next_meeting = match decided_at.filter(|_| deferred) {
            Some(meeting) => next_in_series(&mut tx, meeting).await?,
            None => None,
        };
        let moved = sqlx::query(
            "UPDATE decision_requests SET status = $1, \
             meeting_id = CASE WHEN $2 = 1 THEN $3 ELSE meeting_id END, updated_at = $4 \
             WHERE id = $5 AND status IN ('open', 'aangehouden')",
        )
        .bind(status.as_str())
        .bind(i64::from(deferred))
        .bind(next_meeting)
        .bind(now_ms())
        .bind(request_id)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            return Err(DecisionError::Conflict(
                "this request is already decided or withdrawn".into(),
            ));
        }
        if let Some(next) = next_meeting {
            add_to_agenda_in(&mut tx, next, request_id, &summary.title).await?;
        }
        let mut parties = member_parties(
            &mut tx,
            summary.requesting_body_id.unwrap_or(summary.body_id),
        )
        .await?;
        for follow_up in &input.follow_ups {
            parties.extend(follow_up.owners.iter().map(|(p, _)| *p));
        }
        parties.sort_unstable();
        parties.dedup();
        let decided_on = text.decided_on.format("%Y-%m-%d").to_string();
        let decision_id = insert_decision_in(
            &mut tx,
            &NewDecision {
                body_id: summary.body_id,
                source: DecisionSource::DecisionRequest,
                decision_request_id: Some(request_id),
                draft_id: request.version.as_ref().map(|v| v.draft_id),
                version_id: request.version.as_ref().map(|v| v.id),
                dispute_id: None,
                meeting_id: decided_at,
                title: &summary.title,
                topic: text.topic.as_deref(),
                outcome: text.outcome,
                conditions: text.conditions.as_deref(),
                rationale: &text.rationale,
                decided_on: decided_on.clone(),
                closed_dispute_id: None,
                recorded_by: Some(input.person),
                audit_id: None,
                parties,
            },
        )
        .await?;
        let mut milestones = Vec::with_capacity(input.follow_ups.len());
        for (i, follow_up) in input.follow_ups.iter().enumerate() {
            let milestone = insert_milestone(
                &mut tx,
                &NewMilestone {
                    body_id: follow_up.body_id,
                    action_line_id: None,
                    title: follow_up.title.clone(),
                    description: format!("Vervolg op het besluit \"{}\"", summary.title),
                    due: follow_up.due.clone(),
                    status: MilestoneStatus::Gepland,
                    natural_key: format!("decision/{decision_id}/{}", i + 1),
                    source_ref: Some(format!(
                        "Besluit {} {decided_on}: {}",
                        summary.body_name, summary.title
                    )),
                    owners: follow_up.owners.clone(),
                    created_by: Some(input.person),
                },
            )
            .await?;
            sqlx::query(
                "INSERT INTO decision_milestones (decision_id, milestone_id) VALUES ($1, $2)",
            )
            .bind(decision_id)
            .bind(milestone)
            .execute(&mut *tx)
            .await?;
            milestones.push(milestone);
        }
        let mut entries: Vec<(&str, serde_json::Value)> = Vec::new();
        if let Some(dispute) = input.close_dispute {
            let decision_text = if text.rationale.is_empty() {
                format!("{}: {}", summary.body_name, text.outcome.label())
            } else {
                text.rationale.clone()
            };
            let at = now_ms();
            let closed = close_in(
                &mut tx,
                dispute,
                DisputeStatus::Besloten,
                Some(&decision_text),
                input.person,
                at,
            )
            .await?;
            if !closed {
                return Err(DecisionError::Conflict(
                    "the dispute to close is already resolved or withdrawn".into(),
                ));
            }
            sqlx::query("UPDATE decisions SET closed_dispute_id = $1 WHERE id = $2")
                .bind(dispute.id)
                .bind(decision_id)
                .execute(&mut *tx)
                .await?;
            entries.push((
                "dispute.resolve",
                serde_json::json!({ "dispute": dispute.id, "decision": decision_id }),
            ));
        }
        if let (Some(open), Some(respond_by), Some(body_id)) =
            (&input.open_dispute, respond_by, dispute_body)
        {
            let (subject_kind, subject_id) = match open.subject {
                DisputeSubject::Draft { draft_id, .. } => ("draft_passage", draft_id),
                DisputeSubject::FirstFollowUp => (
                    "milestone",
                    *milestones.first().ok_or_else(|| {
                        DecisionError::Conflict("a dispute needs a follow-up milestone".into())
                    })?,
                ),
            };
            let new = NewDispute {
                body_id,
                subject_kind: subject_kind.to_owned(),
                subject_id,
                title: format!("{}: {}", summary.title, text.outcome.label()),
                description: open.statement.clone(),
                raised_by_party: open.raised_by_party,
                raised_by_person: Some(input.person),
                parties: open.parties.clone(),
            };
            let dispute = insert_dispute(&mut tx, &new, respond_by, Utc::now(), None)
                .await?
                .ok_or_else(|| DecisionError::Conflict("the dispute exists already".into()))?;
            sqlx::query("UPDATE decisions SET opened_dispute_id = $1 WHERE id = $2")
                .bind(dispute)
                .bind(decision_id)
                .execute(&mut *tx)
                .await?;
            add_parties_in(&mut tx, decision_id, &open.parties).await?;
            entries.push((
                "dispute.raise",
                serde_json::json!({ "dispute": dispute, "body": body_id, "decision": decision_id }),
            ));
        }
        // the audit entries come last (storage::audit): the dispute's own, then the decision's
        for (action, subject) in &entries {
            append_in(&mut tx, self.backend(), by, action, subject).await?;
        }
        let subject = serde_json::json!({
            "decision": decision_id,
            "decision_request": request_id,
            "body": summary.body_id,
            "requesting_body": summary.requesting_body_id,
            "outcome": text.outcome.as_str(),
            "milestones": milestones,
        });
        let audit_id = append_in(&mut tx, self.backend(), by, "decision.record", &subject).await?;
        // the only write after the entries: this transaction's own new row, which no other
        // transaction can wait for
        sqlx::query("UPDATE decisions SET audit_id = $1 WHERE id = $2")
            .bind(audit_id)
            .bind(decision_id)
            .execute(&mut *tx)
            .await?;
        let decision = load_decision(&mut tx, decision_id)
            .await?
            .ok_or_else(|| DecisionError::Conflict("the decision was not stored".into()))?;
        tx.commit().await?;
        Ok(decision)
    }
}
