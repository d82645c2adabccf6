//! Endorsement requests: a round's parties that have not answered are asked again every few working days, first the party, then its mandate holders.
//!
//! Round 0 goes out when the round opens; further rounds every `sign_off_every_days` working
//! days while the round is open. From `mandate_after_days` on only the party's mandate holders
//! are asked, as for role-agreement sign-offs. A round that was completed, replaced or
//! withdrawn asks nobody (its jobs are cancelled); a replacing round has its own series.

use serde_json::json;

use super::clock::{at_hour, Timestamp};
use super::execute::{link, send, Outcome};
use super::{Report, Scheduler};
use crate::domain::dutch_time;
use crate::domain::escalation::JobKind;
use crate::domain::reminders::request_rounds;
use crate::notify::{Notification, NotificationKind};
use crate::storage::escalation::jobs::{Job, NewJob};
use crate::storage::escalation::notifications::NewEvent;
use crate::storage::StorageError;

/// Most request rounds per endorsement round.
const MAX_ROUNDS: i64 = 12;

/// Adds the jobs the current state calls for.
///
/// # Errors
/// Storage errors.
pub(super) async fn plan(
    scheduler: &Scheduler,
    now: Timestamp,
    jobs: &mut Vec<NewJob>,
) -> Result<(), StorageError> {
    let settings = &scheduler.settings;
    let today = dutch_time::date_of(now);
    for (id, _, _, _, opened_at) in scheduler.db.rounds_for_requests().await? {
        let start = dutch_time::date_of_millis(opened_at);
        for (round, day) in request_rounds(
            start,
            settings.sign_off_every_days,
            MAX_ROUNDS,
            today,
            &settings.holidays,
        ) {
            let due_at = if round == 0 {
                opened_at
            } else {
                at_hour(day, settings.reminder_hour).timestamp_millis()
            };
            jobs.push(NewJob {
                key: format!("endorsement:round:{id}:r{round}"),
                kind: JobKind::EndorsementRequest,
                subject_kind: "endorsement_round",
                subject_id: id,
                series: format!("round-{id}"),
                payload: json!({ "round": round }),
                due_at,
            });
        }
    }
    Ok(())
}

/// Runs one job of this kind.
///
/// # Errors
/// Storage errors.
pub(super) async fn execute(
    scheduler: &Scheduler,
    job: &Job,
    now: Timestamp,
    report: &mut Report,
) -> Result<Outcome, StorageError> {
    let Some(round) = scheduler.db.find_round(job.subject_id).await? else {
        return Ok(Outcome::Cancelled);
    };
    let owing = scheduler.db.parties_owing_endorsement(round.id).await?;
    if owing.is_empty() {
        return Ok(Outcome::Cancelled);
    }
    let Some(draft) = scheduler.db.find_draft(round.draft_id).await? else {
        return Ok(Outcome::Cancelled);
    };
    let request = job
        .payload
        .get("round")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(0);
    let mandate_only = request * scheduler.settings.sign_off_every_days.max(1)
        >= scheduler.settings.mandate_after_days;
    let notification = Notification {
        kind: NotificationKind::EndorsementRequest,
        title: format!("{} ({})", draft.title, round.version_name),
        body: round.note.clone().unwrap_or_default(),
        link: link(scheduler, &format!("/drafts/{}#instemming", draft.id)),
        subject_ref: format!("endorsement_round:{}", round.id),
        due: None,
    };
    let now_ms = now.timestamp_millis();
    for party in owing {
        let recipients = scheduler
            .db
            .party_recipients(round.body_id, party, mandate_only)
            .await?;
        let event = NewEvent {
            key: format!("{}:party:{party}", job.key),
            body_id: Some(round.body_id),
            party_id: Some(party),
            person_id: None,
            notification: notification.clone(),
        };
        send(scheduler, event, &recipients, now_ms, report).await?;
    }
    Ok(Outcome::Done)
}
