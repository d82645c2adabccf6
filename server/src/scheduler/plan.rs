//! Planning: the jobs the current state calls for, inserted under unique keys. Idempotent, so
//! every run (and every process) may plan; only new keys become new jobs.

use chrono::NaiveDate;
use serde_json::json;

use super::clock::{at_hour, Timestamp};
use super::{Report, Scheduler};
use crate::domain::calendar::add_working_days;
use crate::domain::dutch_time;
use crate::domain::escalation::{overdue_dispute_day, timeout_day, JobKind};
use crate::domain::reminders::{milestone_stages, request_rounds};
use crate::storage::escalation::disputes::parse_day;
use crate::storage::escalation::jobs::NewJob;
use crate::storage::StorageError;

/// Most sign-off request rounds per version.
const MAX_SIGN_OFF_ROUNDS: i64 = 12;

/// The Dutch calendar day of a stored moment.
fn day_of(ms: i64) -> NaiveDate {
    dutch_time::date_of_millis(ms)
}

/// Plans every job due now or soon.
///
/// # Errors
/// Storage errors.
pub async fn plan(
    scheduler: &Scheduler,
    now: Timestamp,
    report: &mut Report,
) -> Result<(), StorageError> {
    let db = &scheduler.db;
    let settings = &scheduler.settings;
    let today = dutch_time::date_of(now);
    let now_ms = now.timestamp_millis();
    let hour = settings.reminder_hour;
    let mut jobs = Vec::new();

    for milestone in db.open_milestones().await? {
        let Some(due) = parse_day(&milestone.due_latest) else {
            continue;
        };
        let series = format!("due-{due}");
        for (stage, day) in milestone_stages(
            due,
            &settings.reminder_days,
            day_of(milestone.series_start),
            today,
            &settings.holidays,
        ) {
            jobs.push(NewJob {
                key: format!(
                    "reminder:milestone:{}:{series}:{}",
                    milestone.id,
                    stage.key()
                ),
                kind: JobKind::MilestoneReminder,
                subject_kind: "milestone",
                subject_id: milestone.id,
                series: series.clone(),
                payload: json!({ "stage": stage.key(), "due": due.to_string() }),
                due_at: at_hour(day, hour).timestamp_millis(),
            });
        }
        let ladder = db.ladder_settings(milestone.body_id).await?;
        let day = overdue_dispute_day(due, ladder.overdue_margin_days, &settings.holidays);
        // A milestone that entered Polder (or was rescheduled) already past its margin does
        // not open a dispute retroactively.
        if ladder.auto_dispute && day >= day_of(milestone.series_start) {
            jobs.push(NewJob {
                key: format!("overdue-dispute:milestone:{}:{series}", milestone.id),
                kind: JobKind::MilestoneDispute,
                subject_kind: "milestone",
                subject_id: milestone.id,
                series: series.clone(),
                payload: json!({ "due": due.to_string() }),
                due_at: at_hour(day, hour).timestamp_millis(),
            });
        }
    }

    for agreement in db.agreements_for_sign_off().await? {
        let series: String = agreement.version_hash.chars().take(16).collect();
        let start = day_of(agreement.updated_at);
        for (round, day) in request_rounds(
            start,
            settings.sign_off_every_days,
            MAX_SIGN_OFF_ROUNDS,
            today,
            &settings.holidays,
        ) {
            let due_at = if round == 0 {
                agreement.updated_at
            } else {
                at_hour(day, hour).timestamp_millis()
            };
            jobs.push(NewJob {
                key: format!("signoff:agreement:{}:v:{series}:r{round}", agreement.id),
                kind: JobKind::SignoffRequest,
                subject_kind: "role_agreement",
                subject_id: agreement.id,
                series: series.clone(),
                payload: json!({ "round": round }),
                due_at,
            });
        }
    }

    for dispute in db.open_disputes().await? {
        let level = dispute.level;
        let series = format!("level-{level}");
        let base = format!("dispute:{}:level:{level}", dispute.id);
        jobs.push(NewJob {
            key: format!("position:{base}:r0"),
            kind: JobKind::PositionRequest,
            subject_kind: "dispute",
            subject_id: dispute.id,
            series: series.clone(),
            payload: json!({ "round": 0 }),
            due_at: dispute.level_since,
        });
        if let Some(respond_by) = parse_day(&dispute.respond_by) {
            let reminder = add_working_days(respond_by, -2, &settings.holidays);
            if reminder > day_of(dispute.level_since) {
                jobs.push(NewJob {
                    key: format!("position:{base}:r1"),
                    kind: JobKind::PositionRequest,
                    subject_kind: "dispute",
                    subject_id: dispute.id,
                    series: series.clone(),
                    payload: json!({ "round": 1 }),
                    due_at: at_hour(reminder, hour).timestamp_millis(),
                });
            }
            jobs.push(NewJob {
                key: format!("timeout:{base}"),
                kind: JobKind::EscalationTimeout,
                subject_kind: "dispute",
                subject_id: dispute.id,
                series: series.clone(),
                payload: json!({ "level": level }),
                due_at: at_hour(timeout_day(respond_by), hour).timestamp_millis(),
            });
        }
        if level > 0 {
            jobs.push(NewJob {
                key: format!("escalation:{base}"),
                kind: JobKind::EscalationNotice,
                subject_kind: "dispute",
                subject_id: dispute.id,
                series,
                payload: json!({ "level": level }),
                due_at: dispute.level_since,
            });
        }
    }

    super::endorsement::plan(scheduler, now, &mut jobs).await?;
    super::consultation::plan(scheduler, now, &mut jobs).await?;
    super::open_points::plan(scheduler, now, &mut jobs).await?;

    for job in &jobs {
        if db.plan_job(job, now_ms).await? {
            report.planned += 1;
        }
    }
    Ok(())
}
