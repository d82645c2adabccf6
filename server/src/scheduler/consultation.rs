//! Consultation notices (docs/DOMAIN.md §16): the announcement of a coming consultation to
//! the body's members and observers and the invitees, the invitation of each invitee, the
//! reminders to invitees whose organisation has not responded, 5 and 1 working days before
//! the closing date, and the invitees' notice that it was withdrawn (planned by the
//! withdrawal itself). A withdrawn consultation sends nothing else: its pending jobs are
//! cancelled when they come due, and no new ones are planned. All are jobs of kind
//! `ConsultationReminder`, planned under unique keys, so each is sent once.

use std::collections::BTreeSet;

use serde_json::json;

use super::clock::{at_hour, Timestamp};
use super::execute::{link, send, Outcome};
use super::{Report, Scheduler};
use crate::domain::consultation::{self, News, Status};
use crate::domain::dutch_time;
use crate::domain::escalation::JobKind;
use crate::notify::{Notification, NotificationKind};
use crate::storage::consent::consultations::Consultation;
use crate::storage::escalation::jobs::{Job, NewJob};
use crate::storage::escalation::notifications::NewEvent;
use crate::storage::StorageError;

fn job(c: &Consultation, key: String, series: String, news: News, due_at: i64) -> NewJob {
    NewJob {
        key,
        kind: JobKind::ConsultationReminder,
        subject_kind: "consultation",
        subject_id: c.id,
        series,
        payload: json!({ "news": news.as_str() }),
        due_at,
    }
}

/// Adds the jobs the current state calls for.
///
/// # Errors
/// Storage errors.
pub(super) async fn plan(
    scheduler: &Scheduler,
    now: Timestamp,
    jobs: &mut Vec<NewJob>,
) -> Result<(), StorageError> {
    let today = dutch_time::date_of(now);
    let hour = scheduler.settings.reminder_hour;
    for c in scheduler
        .db
        .consultations_closing_from(today, today)
        .await?
    {
        let base = format!("consultation:{}", c.id);
        if let Some(opens) = c.opens() {
            if dutch_time::date_of_millis(c.created_at) < opens {
                jobs.push(job(
                    &c,
                    format!("{base}:announce"),
                    "announce".into(),
                    News::Aangekondigd,
                    c.created_at,
                ));
            }
        }
        for invitee in scheduler.db.list_invitees(c.id).await? {
            let mut invitation = job(
                &c,
                format!("{base}:invite:{}", invitee.id),
                format!("invite-{}", invitee.id),
                News::Uitnodiging,
                invitee.invited_at,
            );
            invitation.payload["invitee"] = json!(invitee.id);
            jobs.push(invitation);
        }
        let opened = c
            .opens()
            .unwrap_or_else(|| dutch_time::date_of_millis(c.created_at));
        for (n, day) in
            consultation::reminder_days(opened, c.closes(), &scheduler.settings.holidays)
        {
            jobs.push(job(
                &c,
                format!("{base}:remind:{}:d{n}", c.closes_on),
                format!("closes-{}", c.closes_on),
                News::Herinnering,
                at_hour(day, hour).timestamp_millis(),
            ));
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
    let Some(c) = scheduler.db.find_consultation(job.subject_id).await? else {
        return Ok(Outcome::Cancelled);
    };
    let news = job
        .payload
        .get("news")
        .and_then(|n| n.as_str())
        .and_then(News::parse);
    let status = if c.status == Status::Ingetrokken {
        Status::Ingetrokken
    } else {
        consultation::status(false, c.opens(), c.closes(), dutch_time::date_of(now))
    };
    let invitees = scheduler.db.list_invitees(c.id).await?;
    let (recipients, body_id): (Vec<i64>, Option<i64>) = match news {
        Some(News::Aangekondigd) if status == Status::Aangekondigd => {
            let mut people: BTreeSet<i64> = scheduler
                .db
                .body_readers(c.body_id)
                .await?
                .into_iter()
                .map(|r| r.person)
                .collect();
            people.extend(invitees.iter().map(|i| i.user_id));
            (people.into_iter().collect(), Some(c.body_id))
        }
        Some(News::Uitnodiging) if matches!(status, Status::Aangekondigd | Status::Open) => {
            let wanted = job.payload.get("invitee").and_then(|i| i.as_i64());
            let invited: Vec<i64> = invitees
                .iter()
                .filter(|i| Some(i.id) == wanted)
                .map(|i| i.user_id)
                .collect();
            (invited, None)
        }
        Some(News::Herinnering)
            if status == Status::Open && job.series == format!("closes-{}", c.closes_on) =>
        {
            let responded: BTreeSet<&str> = invitees
                .iter()
                .filter(|i| i.responded_at.is_some())
                .map(|i| i.organisation.as_str())
                .collect();
            let owing: Vec<i64> = invitees
                .iter()
                .filter(|i| !responded.contains(i.organisation.as_str()))
                .map(|i| i.user_id)
                .collect();
            (owing, None)
        }
        Some(News::Ingetrokken) if status == Status::Ingetrokken => {
            let invited: BTreeSet<i64> = invitees.iter().map(|i| i.user_id).collect();
            (invited.into_iter().collect(), None)
        }
        _ => return Ok(Outcome::Cancelled),
    };
    if recipients.is_empty() {
        return Ok(Outcome::Done);
    }
    let body = match news {
        Some(News::Aangekondigd) => format!(
            "Over \u{201c}{}\u{201d} ({}) wordt geconsulteerd van {} tot en met {}.",
            c.draft_title,
            c.version_name,
            c.opens_on.as_deref().unwrap_or_default(),
            c.closes_on
        ),
        Some(News::Ingetrokken) => {
            let mut text = format!(
                "De consultatie over \u{201c}{}\u{201d} ({}) is ingetrokken; een reactie is niet meer nodig.",
                c.draft_title, c.version_name
            );
            if let Some(note) = job.payload.get("note").and_then(|n| n.as_str()) {
                text.push_str("\n\n");
                text.push_str(note);
            }
            text
        }
        _ => format!(
            "U bent uitgenodigd te reageren op \u{201c}{}\u{201d} ({}). Reageren kan tot en met {}.",
            c.draft_title, c.version_name, c.closes_on
        ),
    };
    let notification = Notification {
        kind: NotificationKind::Consultation {
            news: news.unwrap_or(News::Uitnodiging),
        },
        title: c.title.clone(),
        body,
        link: link(scheduler, &format!("/consultaties/{}", c.id)),
        subject_ref: format!("consultation:{}", c.id),
        due: (news != Some(News::Ingetrokken)).then(|| c.closes()),
    };
    let event = NewEvent {
        key: job.key.clone(),
        body_id,
        party_id: None,
        person_id: None,
        notification,
    };
    send(
        scheduler,
        event,
        &recipients,
        now.timestamp_millis(),
        report,
    )
    .await?;
    Ok(Outcome::Done)
}
