//! Running claimed jobs: each checks its subject again, works out which parties have not acted
//! yet and who acts for them, and stores one notification per party under a unique key.

use chrono::NaiveDate;

use super::clock::Timestamp;
use super::{Report, Scheduler, BATCH, LEASE_MS};
use crate::domain::calendar::working_days_between;
use crate::domain::escalation::JobKind;
use crate::domain::reminders::Stage;
use crate::notify::{Notification, NotificationKind};
use crate::storage::audit::Actor;
use crate::storage::escalation::disputes::changes::Escalation;
use crate::storage::escalation::disputes::{parse_day, Change, Dispute, NewDispute};
use crate::storage::escalation::jobs::{Job, OpenMilestone};
use crate::storage::escalation::notifications::NewEvent;
use crate::storage::StorageError;

/// How a job ended.
pub(super) enum Outcome {
    Done,
    Cancelled,
}

/// Claims and runs every due job.
pub async fn run_jobs(scheduler: &Scheduler, now: Timestamp, report: &mut Report) {
    let now_ms = now.timestamp_millis();
    let jobs = match scheduler
        .db
        .claim_jobs(now_ms, now_ms + LEASE_MS, BATCH)
        .await
    {
        Ok(jobs) => jobs,
        Err(error) => {
            tracing::error!(%error, "claiming scheduler jobs failed");
            report.errors += 1;
            return;
        }
    };
    for job in jobs {
        let result = run_one(scheduler, &job, now, report).await;
        let status = match result {
            Ok(Some(Outcome::Done)) => "done",
            Ok(Some(Outcome::Cancelled)) => {
                report.cancelled += 1;
                "cancelled"
            }
            Ok(None) => {
                report.superseded += 1;
                "superseded"
            }
            Err(error) => {
                tracing::error!(%error, job = %job.key, "scheduler job failed; retried later");
                report.errors += 1;
                let _ = scheduler.db.release_job(job.id).await;
                continue;
            }
        };
        if let Err(error) = scheduler.db.finish_job(job.id, status, now_ms).await {
            tracing::error!(%error, job = %job.key, "cannot finish scheduler job");
            report.errors += 1;
        }
    }
}

/// Runs one job; `None` when a later job of its series superseded it.
async fn run_one(
    scheduler: &Scheduler,
    job: &Job,
    now: Timestamp,
    report: &mut Report,
) -> Result<Option<Outcome>, StorageError> {
    let now_ms = now.timestamp_millis();
    if job.kind.is_repeating() && scheduler.db.superseded(job, now_ms).await? {
        return Ok(None);
    }
    report.jobs_run += 1;
    let outcome = match job.kind {
        JobKind::MilestoneReminder => milestone_reminder(scheduler, job, now, report).await?,
        JobKind::MilestoneDispute => milestone_dispute(scheduler, job, now, report).await?,
        JobKind::SignoffRequest => sign_off_request(scheduler, job, now, report).await?,
        JobKind::PositionRequest | JobKind::EscalationNotice | JobKind::EscalationTimeout => {
            dispute_job(scheduler, job, now, report).await?
        }
        JobKind::EndorsementRequest => {
            super::endorsement::execute(scheduler, job, now, report).await?
        }
        JobKind::ConsultationReminder => {
            super::consultation::execute(scheduler, job, now, report).await?
        }
        JobKind::OpenPointReminder => {
            super::open_points::execute(scheduler, job, now, report).await?
        }
    };
    Ok(Some(outcome))
}

/// The scheduler as the audit log names it, for the changes it makes by itself.
fn scheduler_actor() -> Actor {
    Actor {
        name: "polder:scheduler".to_owned(),
        party: None,
    }
}

/// The web app's address of `path`, when the public URL is configured.
pub(super) fn link(scheduler: &Scheduler, path: &str) -> Option<String> {
    scheduler
        .settings
        .public_url
        .as_ref()
        .map(|base| format!("{}{path}", base.trim_end_matches('/')))
}

/// Stores one notification and wakes its recipients' live connections.
pub(super) async fn send(
    scheduler: &Scheduler,
    event: NewEvent,
    recipients: &[i64],
    now_ms: i64,
    report: &mut Report,
) -> Result<(), StorageError> {
    let email = scheduler.mailer.is_some();
    if scheduler
        .db
        .deliver(&event, recipients, email, now_ms)
        .await?
        .is_some()
    {
        report.notifications += 1;
        report.keys.push(event.key);
        if let Some(signal) = &scheduler.inbox {
            for person in recipients {
                signal.notify(*person);
            }
        }
    }
    Ok(())
}

async fn current_milestone(
    scheduler: &Scheduler,
    job: &Job,
) -> Result<Option<(OpenMilestone, NaiveDate)>, StorageError> {
    let Some(milestone) = scheduler.db.open_milestone(job.subject_id).await? else {
        return Ok(None);
    };
    let Some(due) = parse_day(&milestone.due_latest) else {
        return Ok(None);
    };
    if format!("due-{due}") != job.series {
        return Ok(None);
    }
    Ok(Some((milestone, due)))
}

async fn milestone_reminder(
    scheduler: &Scheduler,
    job: &Job,
    now: Timestamp,
    report: &mut Report,
) -> Result<Outcome, StorageError> {
    let Some((milestone, due)) = current_milestone(scheduler, job).await? else {
        return Ok(Outcome::Cancelled);
    };
    let stage = job
        .payload
        .get("stage")
        .and_then(|s| s.as_str())
        .and_then(Stage::parse);
    let today = crate::domain::dutch_time::date_of(now);
    let kind = match stage {
        Some(Stage::Before(_)) => NotificationKind::Reminder {
            days_before: working_days_between(today, due, &scheduler.settings.holidays).max(1),
        },
        Some(Stage::OnDay) => NotificationKind::DueToday,
        Some(Stage::Overdue(_)) => NotificationKind::Overdue {
            days_late: (today - due).num_days().max(1),
        },
        None => return Ok(Outcome::Cancelled),
    };
    let series_prefix = format!("reminder:milestone:{}:{}:", milestone.id, job.series);
    let first = scheduler.db.first_event_at(&series_prefix).await?;
    let notification = Notification {
        kind,
        title: milestone.title.clone(),
        body: String::new(),
        link: link(scheduler, &format!("/milestones/{}", milestone.id)),
        subject_ref: format!("milestone:{}", milestone.id),
        due: Some(due),
    };
    let now_ms = now.timestamp_millis();
    for (owner, _role) in &milestone.parties {
        for party in scheduler.db.expand_party(*owner).await? {
            if let Some(since) = first {
                if scheduler
                    .db
                    .party_changed_milestone(milestone.id, party, since)
                    .await?
                {
                    continue;
                }
            }
            let recipients = scheduler
                .db
                .party_recipients(milestone.body_id, party, false)
                .await?;
            let event = NewEvent {
                key: format!("{}:party:{party}", job.key),
                body_id: Some(milestone.body_id),
                party_id: Some(party),
                person_id: None,
                notification: notification.clone(),
            };
            send(scheduler, event, &recipients, now_ms, report).await?;
        }
    }
    Ok(Outcome::Done)
}

async fn milestone_dispute(
    scheduler: &Scheduler,
    job: &Job,
    now: Timestamp,
    report: &mut Report,
) -> Result<Outcome, StorageError> {
    let Some((milestone, due)) = current_milestone(scheduler, job).await? else {
        return Ok(Outcome::Cancelled);
    };
    let Some((raiser, _)) = milestone.parties.first() else {
        return Ok(Outcome::Cancelled);
    };
    let dispute = NewDispute {
        body_id: milestone.body_id,
        subject_kind: "milestone".to_owned(),
        subject_id: milestone.id,
        title: format!("Mijlpaal niet gehaald: {}", milestone.title),
        description: format!(
            "De mijlpaal had uiterlijk {due} gereed moeten zijn en is dat nog niet. \
             \"Escalatie is nodig als afspraken niet worden nagekomen of de voortgang \
             onvoldoende is.\" (IZA §6)"
        ),
        raised_by_party: *raiser,
        raised_by_person: None,
        parties: milestone.parties.iter().map(|(p, _)| *p).collect(),
    };
    let origin = format!("milestone-overdue:{}", milestone.id);
    let audit = (
        &scheduler_actor(),
        "dispute.raise_overdue",
        serde_json::json!({ "milestone": milestone.id }),
    );
    if scheduler
        .db
        .raise_dispute_at(&dispute, now, Some(&origin), Some(audit))
        .await?
        .is_some()
    {
        report.disputes_opened += 1;
    }
    Ok(Outcome::Done)
}

async fn sign_off_request(
    scheduler: &Scheduler,
    job: &Job,
    now: Timestamp,
    report: &mut Report,
) -> Result<Outcome, StorageError> {
    let agreement = scheduler.db.agreement_for_sign_off(job.subject_id).await?;
    let Some(agreement) = agreement else {
        return Ok(Outcome::Cancelled);
    };
    if !agreement.version_hash.starts_with(&job.series) {
        return Ok(Outcome::Cancelled);
    }
    let round = job
        .payload
        .get("round")
        .and_then(|r| r.as_i64())
        .unwrap_or(0);
    let mandate_only = round * scheduler.settings.sign_off_every_days.max(1)
        >= scheduler.settings.mandate_after_days;
    let notification = Notification {
        kind: NotificationKind::SignOffRequest,
        title: agreement.title.clone(),
        body: String::new(),
        link: link(scheduler, &format!("/role-agreements/{}", agreement.id)),
        subject_ref: format!("role_agreement:{}", agreement.id),
        due: None,
    };
    let now_ms = now.timestamp_millis();
    for party in scheduler.db.parties_owing_sign_off(agreement.id).await? {
        let recipients = scheduler
            .db
            .party_recipients(agreement.body_id, party, mandate_only)
            .await?;
        let event = NewEvent {
            key: format!("{}:party:{party}", job.key),
            body_id: Some(agreement.body_id),
            party_id: Some(party),
            person_id: None,
            notification: notification.clone(),
        };
        send(scheduler, event, &recipients, now_ms, report).await?;
    }
    Ok(Outcome::Done)
}

async fn dispute_job(
    scheduler: &Scheduler,
    job: &Job,
    now: Timestamp,
    report: &mut Report,
) -> Result<Outcome, StorageError> {
    let Some(dispute) = scheduler.db.find_dispute(job.subject_id).await? else {
        return Ok(Outcome::Cancelled);
    };
    if !dispute.status.is_open() || format!("level-{}", dispute.level) != job.series {
        return Ok(Outcome::Cancelled);
    }
    match job.kind {
        JobKind::PositionRequest => position_request(scheduler, job, &dispute, now, report).await,
        JobKind::EscalationNotice => escalation_notice(scheduler, job, &dispute, now, report).await,
        _ => {
            let change = scheduler
                .db
                .escalate_dispute(
                    &dispute,
                    &Escalation {
                        from_level: dispute.level,
                        actor_id: None,
                        actor: "polder",
                        note: Some("reactietermijn verstreken"),
                        now,
                    },
                    (&scheduler_actor(), "dispute.escalate_timeout"),
                )
                .await?;
            if change == Change::Done {
                report.escalations += 1;
            }
            Ok(Outcome::Done)
        }
    }
}

fn dispute_notification(
    scheduler: &Scheduler,
    dispute: &Dispute,
    kind: NotificationKind,
) -> Notification {
    Notification {
        kind,
        title: dispute.title.clone(),
        body: dispute.description.clone(),
        link: link(scheduler, &format!("/disputes/{}", dispute.id)),
        subject_ref: format!("dispute:{}", dispute.id),
        due: parse_day(&dispute.respond_by),
    }
}

async fn position_request(
    scheduler: &Scheduler,
    job: &Job,
    dispute: &Dispute,
    now: Timestamp,
    report: &mut Report,
) -> Result<Outcome, StorageError> {
    let notification = dispute_notification(scheduler, dispute, NotificationKind::PositionRequest);
    let now_ms = now.timestamp_millis();
    for party in dispute.parties.iter().filter(|p| !p.has_position) {
        let recipients = scheduler
            .db
            .party_recipients(dispute.body_id, party.party_id, false)
            .await?;
        let event = NewEvent {
            key: format!("{}:party:{}", job.key, party.party_id),
            body_id: Some(dispute.body_id),
            party_id: Some(party.party_id),
            person_id: None,
            notification: notification.clone(),
        };
        send(scheduler, event, &recipients, now_ms, report).await?;
    }
    Ok(Outcome::Done)
}

async fn escalation_notice(
    scheduler: &Scheduler,
    job: &Job,
    dispute: &Dispute,
    now: Timestamp,
    report: &mut Report,
) -> Result<Outcome, StorageError> {
    let ladder = scheduler.db.ladder(dispute.body_id).await?;
    let level = ladder.iter().find(|l| l.level == dispute.level);
    let level_name = level.map_or_else(|| format!("niveau {}", dispute.level), |l| l.name.clone());
    let notification = dispute_notification(
        scheduler,
        dispute,
        NotificationKind::Escalation { level_name },
    );
    let now_ms = now.timestamp_millis();
    for party in &dispute.parties {
        let recipients = scheduler
            .db
            .party_recipients(dispute.body_id, party.party_id, false)
            .await?;
        let event = NewEvent {
            key: format!("{}:party:{}", job.key, party.party_id),
            body_id: Some(dispute.body_id),
            party_id: Some(party.party_id),
            person_id: None,
            notification: notification.clone(),
        };
        send(scheduler, event, &recipients, now_ms, report).await?;
    }
    let mut leads = scheduler.db.body_leads(dispute.body_id).await?;
    if let Some(forum) = level.and_then(|l| l.forum_body_id) {
        leads.extend(scheduler.db.body_leads(forum).await?);
    }
    let event = NewEvent {
        key: format!("{}:leads", job.key),
        // the parties' events above already reach the body's webhooks
        body_id: None,
        party_id: None,
        person_id: None,
        notification,
    };
    send(scheduler, event, &leads, now_ms, report).await?;
    Ok(Outcome::Done)
}
