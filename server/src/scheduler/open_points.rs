//! Open-point reminders: an open point with an owner and a due date reminds its owner (the
//! person, or the people of the owning party in the draft's body) 5 and 1 working days before
//! and on the due date (docs/DOMAIN.md §17). A reminder checks the point again when it falls
//! due: a point closed, turned down or given another due date since is not reminded of.

use serde_json::json;

use super::clock::{at_hour, Timestamp};
use super::execute::{link, send, Outcome};
use super::{Report, Scheduler};
use crate::domain::calendar::working_days_between;
use crate::domain::dutch_time;
use crate::domain::escalation::JobKind;
use crate::domain::open_points::{reminder_stages, PointStatus};
use crate::domain::period::parse_day;
use crate::domain::reminders::Stage;
use crate::notify::{Notification, NotificationKind};
use crate::storage::escalation::jobs::{Job, NewJob};
use crate::storage::escalation::notifications::NewEvent;
use crate::storage::StorageError;

/// Adds the jobs the current state calls for.
///
/// # Errors
/// Storage errors.
pub(super) async fn plan(
    scheduler: &Scheduler,
    _now: Timestamp,
    jobs: &mut Vec<NewJob>,
) -> Result<(), StorageError> {
    let settings = &scheduler.settings;
    for point in scheduler.db.points_to_remind().await? {
        let Some(due) = parse_day(&point.due) else {
            continue;
        };
        let since = dutch_time::date_of_millis(point.created_at);
        let series = format!("due-{due}");
        for (stage, day) in reminder_stages(due, since, &settings.holidays) {
            jobs.push(NewJob {
                key: format!("reminder:open_point:{}:{series}:{}", point.id, stage.key()),
                kind: JobKind::OpenPointReminder,
                subject_kind: "open_point",
                subject_id: point.id,
                series: series.clone(),
                payload: json!({ "stage": stage.key(), "due": due.to_string() }),
                due_at: at_hour(day, settings.reminder_hour).timestamp_millis(),
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
    let db = &scheduler.db;
    let Some(point) = db.find_open_point(job.subject_id).await? else {
        return Ok(Outcome::Cancelled);
    };
    let Some(due) = point.due.as_deref().and_then(parse_day) else {
        return Ok(Outcome::Cancelled);
    };
    if point.status != PointStatus::Open || format!("due-{due}") != job.series {
        return Ok(Outcome::Cancelled);
    }
    let Some(draft) = db.find_draft(point.draft_id).await? else {
        return Ok(Outcome::Cancelled);
    };
    let stage = job
        .payload
        .get("stage")
        .and_then(|s| s.as_str())
        .and_then(Stage::parse);
    let today = dutch_time::date_of(now);
    let days_before = match stage {
        Some(Stage::Before(_)) => {
            working_days_between(today, due, &scheduler.settings.holidays).max(1)
        }
        Some(Stage::OnDay) => 0,
        Some(Stage::Overdue(_)) | None => return Ok(Outcome::Cancelled),
    };
    let people = db.point_owner_people(draft.body_id, &point).await?;
    if people.is_empty() {
        return Ok(Outcome::Done);
    }
    let mut body = vec![draft.title.clone()];
    body.extend(point.quote.clone());
    let notification = Notification {
        kind: NotificationKind::OpenPoint {
            days_before: Some(days_before),
        },
        title: point.text.clone(),
        body: body.join("\n\n"),
        link: link(scheduler, &format!("/drafts/{}#open-punten", draft.id)),
        subject_ref: format!("open_point:{}", point.id),
        due: Some(due),
    };
    let event = NewEvent {
        key: job.key.clone(),
        body_id: Some(draft.body_id),
        party_id: None,
        person_id: None,
        notification,
    };
    send(scheduler, event, &people, now.timestamp_millis(), report).await?;
    Ok(Outcome::Done)
}
