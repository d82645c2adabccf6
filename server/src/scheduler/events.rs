//! Delivering the event outbox: mentions, status changes, role agreements, disputes, due
//! dates that moved with their meeting, meetings, decisions and decision requests.
//!
//! Each claimed outbox row is read back as an [`Event`] from its audit entry; what storage
//! knows about the thing (its body, title, parties, followers) goes into the recipient rule
//! ([`recipients`]), and the result is stored as one notification under the key
//! `event:AUDIT_ID`, with inbox items for the people and one webhook delivery per active
//! webhook of the body. An event that concerns several bodies (a decision: the deciding and the
//! requesting body, the follow-ups' bodies) names each with its own rule; each rule picks
//! among its own body's audience, and the people are the union ([`recipients_across`]).
//! Then the row is marked done. A failure gives the row back for the next
//! run; the key makes sure nothing arrives twice.

use super::clock::Timestamp;
use super::execute::link;
use super::{Report, Scheduler, BATCH, LEASE_MS};
use crate::domain::events::{
    actor_person, recipients_across, Audience, DisputeChange, Event, Targets,
};
use crate::notify::{Notification, NotificationKind};
use crate::storage::escalation::notifications::NewEvent;
use crate::storage::events::{FollowKind, PendingEvent};
use crate::storage::StorageError;

/// One event ready to store: what to say, to whom, in which body.
struct Outgoing {
    body_id: i64,
    notification: Notification,
    targets: Targets,
    follow: Option<(FollowKind, i64)>,
    /// Further bodies whose people hear of it, each by its own rule among its own audience.
    also: Vec<(i64, Targets)>,
}

/// The audience of `body` that `targets` needs.
async fn audience_of(
    scheduler: &Scheduler,
    body: i64,
    targets: &Targets,
    follow: Option<(FollowKind, i64)>,
) -> Result<Audience, StorageError> {
    let db = &scheduler.db;
    Ok(Audience {
        members: db.body_readers(body).await?,
        informed: if targets.informed {
            db.informed_people(body).await?
        } else {
            Vec::new()
        },
        followers: match follow {
            Some((kind, id)) if targets.followers => db.followers(kind, id, body).await?,
            _ => Vec::new(),
        },
    })
}

/// Claims the pending outbox rows and delivers each.
pub async fn deliver(scheduler: &Scheduler, now: Timestamp, report: &mut Report) {
    let now_ms = now.timestamp_millis();
    let pending = match scheduler
        .db
        .claim_events(now_ms, now_ms + LEASE_MS, BATCH)
        .await
    {
        Ok(pending) => pending,
        Err(error) => {
            tracing::error!(%error, "claiming events failed");
            report.errors += 1;
            return;
        }
    };
    for event in pending {
        let outcome = match deliver_one(scheduler, &event, now_ms, report).await {
            Ok(delivered) => scheduler.db.finish_event(event.id, delivered, now_ms).await,
            Err(error) => {
                tracing::error!(%error, audit = event.audit_id, "delivering an event failed; retried later");
                report.errors += 1;
                scheduler.db.release_event(event.id).await
            }
        };
        if let Err(error) = outcome {
            tracing::error!(%error, audit = event.audit_id, "cannot finish an event");
            report.errors += 1;
        }
    }
}

/// Delivers one event; `false` when there was nothing to send.
async fn deliver_one(
    scheduler: &Scheduler,
    pending: &PendingEvent,
    now_ms: i64,
    report: &mut Report,
) -> Result<bool, StorageError> {
    let Some(event) = Event::from_audit(&pending.action, &pending.subject) else {
        return Ok(false);
    };
    let Some(outgoing) = describe(scheduler, &event).await? else {
        return Ok(false);
    };
    let db = &scheduler.db;
    let first = audience_of(
        scheduler,
        outgoing.body_id,
        &outgoing.targets,
        outgoing.follow,
    );
    let mut parts = vec![(outgoing.targets.clone(), first.await?)];
    for (body, targets) in &outgoing.also {
        parts.push((
            targets.clone(),
            audience_of(scheduler, *body, targets, None).await?,
        ));
    }
    let people = recipients_across(&parts, actor_person(&pending.actor));
    if people.is_empty() {
        return Ok(false);
    }
    let key = format!("event:{}", pending.audit_id);
    let stored = NewEvent {
        key: key.clone(),
        body_id: Some(outgoing.body_id),
        party_id: None,
        person_id: None,
        notification: outgoing.notification,
    };
    let email = scheduler.mailer.is_some();
    if db.deliver(&stored, &people, email, now_ms).await?.is_some() {
        report.notifications += 1;
        report.keys.push(key);
        if let Some(signal) = &scheduler.inbox {
            for person in &people {
                signal.notify(*person);
            }
        }
    }
    Ok(true)
}

fn notification(
    scheduler: &Scheduler,
    kind: NotificationKind,
    title: &str,
    body: String,
    (path, subject_ref): (String, String),
) -> Notification {
    Notification {
        kind,
        title: title.to_owned(),
        body,
        link: link(scheduler, &path),
        subject_ref,
        due: None,
    }
}

/// What storage knows of the event's thing, as the notification and its targets; `None` when
/// the thing is gone or nobody is to be told (a comment without mentions).
async fn describe(scheduler: &Scheduler, event: &Event) -> Result<Option<Outgoing>, StorageError> {
    let db = &scheduler.db;
    if let Event::NietAkkoord { sign_off } = event {
        let Some(dispute) = db.dispute_of_sign_off(*sign_off).await? else {
            return Ok(None);
        };
        let raised = Event::Dispute {
            dispute,
            change: DisputeChange::Raised,
        };
        return Box::pin(describe(scheduler, &raised)).await;
    }
    let draft_ref = |id: i64| (format!("/drafts/{id}"), format!("draft:{id}"));
    Ok(match event {
        Event::Comment { draft, comment } => {
            let (Some(found), Some(comment)) = (
                db.find_draft(*draft).await?,
                db.find_comment(*draft, *comment).await?,
            ) else {
                return Ok(None);
            };
            if comment.mentioned_people.is_empty() && comment.mentioned_parties.is_empty() {
                return Ok(None);
            }
            let mut parties = Vec::new();
            for code in &comment.mentioned_parties {
                if let Some(party) = db.resolve_party(code).await? {
                    parties.extend(db.expand_party(party).await?);
                }
            }
            Some(Outgoing {
                body_id: found.body_id,
                notification: notification(
                    scheduler,
                    NotificationKind::Mention {
                        by: comment.author_name.clone(),
                    },
                    &found.title,
                    comment.body.clone(),
                    draft_ref(*draft),
                ),
                targets: Targets {
                    people: comment.mentioned_people.clone(),
                    parties,
                    ..Targets::default()
                },
                follow: None,
                also: Vec::new(),
            })
        }
        Event::DraftStatus { draft, from, to } => {
            let Some(found) = db.find_draft(*draft).await? else {
                return Ok(None);
            };
            Some(Outgoing {
                body_id: found.body_id,
                notification: notification(
                    scheduler,
                    NotificationKind::StatusChange { status: to.clone() },
                    &found.title,
                    format!("{from} → {to}"),
                    draft_ref(*draft),
                ),
                targets: Targets::for_status_change_of_draft(),
                follow: Some((FollowKind::Draft, *draft)),
                also: Vec::new(),
            })
        }
        Event::Agreement {
            agreement,
            created,
            party,
        } => {
            let Some(found) = db.find_role_agreement(*agreement).await? else {
                return Ok(None);
            };
            let mut parties = Vec::new();
            for concerned in found.parties.iter().map(|p| p.party_id).chain(*party) {
                parties.extend(db.expand_party(concerned).await?);
            }
            Some(Outgoing {
                body_id: found.body_id,
                notification: notification(
                    scheduler,
                    NotificationKind::AgreementChange { created: *created },
                    &found.title,
                    found.description.clone(),
                    (
                        format!("/role-agreements/{agreement}"),
                        format!("role_agreement:{agreement}"),
                    ),
                ),
                targets: Targets::parties(parties),
                follow: None,
                also: Vec::new(),
            })
        }
        Event::Dispute { dispute, change } => {
            let Some(found) = db.find_dispute(*dispute).await? else {
                return Ok(None);
            };
            let mut parties = Vec::new();
            for involved in &found.parties {
                parties.extend(db.expand_party(involved.party_id).await?);
            }
            let body = match change {
                DisputeChange::Resolved => found.decision.clone().unwrap_or_default(),
                DisputeChange::Raised | DisputeChange::Withdrawn => found.description.clone(),
            };
            Some(Outgoing {
                body_id: found.body_id,
                notification: notification(
                    scheduler,
                    NotificationKind::DisputeChange { change: *change },
                    &found.title,
                    body,
                    (format!("/disputes/{dispute}"), format!("dispute:{dispute}")),
                ),
                targets: Targets::parties(parties),
                follow: None,
                also: Vec::new(),
            })
        }
        Event::NietAkkoord { .. } => None,
        Event::Meeting {
            meeting,
            news,
            pack,
        } => {
            let Some(found) = db.find_meeting(*meeting).await? else {
                return Ok(None);
            };
            Some(Outgoing {
                body_id: found.body_id,
                notification: notification(
                    scheduler,
                    NotificationKind::Meeting {
                        news: *news,
                        pack: *pack,
                    },
                    &found.title,
                    meeting_text(scheduler, &found, *pack),
                    (format!("/meetings/{meeting}"), format!("meeting:{meeting}")),
                ),
                targets: Targets::for_meeting(),
                follow: None,
                also: Vec::new(),
            })
        }
        Event::MilestoneStatus {
            milestone,
            from,
            to,
        } => {
            let Some(found) = db.find_milestone(*milestone).await? else {
                return Ok(None);
            };
            let mut owners = Vec::new();
            for owner in &found.owners {
                owners.extend(db.expand_party(owner.party_id).await?);
            }
            Some(Outgoing {
                body_id: found.body_id,
                notification: notification(
                    scheduler,
                    NotificationKind::StatusChange { status: to.clone() },
                    &found.title,
                    format!("{from} → {to}"),
                    (
                        format!("/milestones/{milestone}"),
                        format!("milestone:{milestone}"),
                    ),
                ),
                targets: Targets::for_status_change_of_milestone(owners),
                follow: Some((FollowKind::Milestone, *milestone)),
                also: Vec::new(),
            })
        }
        Event::MilestoneDueMoved {
            milestone,
            from,
            to,
        } => {
            let Some(found) = db.find_milestone(*milestone).await? else {
                return Ok(None);
            };
            let mut owners = Vec::new();
            for owner in &found.owners {
                owners.extend(db.expand_party(owner.party_id).await?);
            }
            let mut notice = notification(
                scheduler,
                NotificationKind::DueMoved {
                    from: from.clone(),
                    to: to.clone(),
                },
                &found.title,
                found.due.raw.clone(),
                (
                    format!("/milestones/{milestone}"),
                    format!("milestone:{milestone}"),
                ),
            );
            notice.due = found.due.latest_date();
            Some(Outgoing {
                body_id: found.body_id,
                notification: notice,
                targets: Targets::for_status_change_of_milestone(owners),
                follow: Some((FollowKind::Milestone, *milestone)),
                also: Vec::new(),
            })
        }
        Event::Decision {
            request,
            decision,
            outcome,
            milestones,
        } => return describe_decision(scheduler, *request, *decision, *outcome, milestones).await,
        Event::OpenPointOwner(point) => return describe_open_point(scheduler, *point).await,
        Event::DecisionRequest { request, meeting } => {
            let Some(found) = db.find_decision_request(*request).await? else {
                return Ok(None);
            };
            let mut lines = vec![found.question.clone()];
            if let Some(meeting) = db.find_meeting(*meeting).await? {
                lines.push(format!(
                    "{}: {}",
                    meeting.title,
                    crate::domain::meeting::dutch_when(meeting.starts_at, meeting.ends_at)
                ));
            }
            lines.extend(found.summary.requesting_body_name.clone());
            Some(Outgoing {
                body_id: found.summary.body_id,
                notification: notification(
                    scheduler,
                    NotificationKind::DecisionRequest { request: *request },
                    &found.summary.title,
                    lines.join("\n"),
                    request_ref(*request),
                ),
                targets: Targets::members_and_observers(),
                follow: None,
                also: Vec::new(),
            })
        }
    })
}

/// An open point given an owner: the person, or the people of the owning party in the body
/// (a collective's members' people), members and observers alike.
async fn describe_open_point(
    scheduler: &Scheduler,
    point: i64,
) -> Result<Option<Outgoing>, StorageError> {
    let db = &scheduler.db;
    let Some(found) = db.find_open_point(point).await? else {
        return Ok(None);
    };
    let Some(draft) = db.find_draft(found.draft_id).await? else {
        return Ok(None);
    };
    let people = db.point_owner_people(draft.body_id, &found).await?;
    let mut lines = vec![draft.title.clone()];
    lines.extend(found.quote.clone());
    lines.extend(
        found
            .due
            .as_ref()
            .map(|due| format!("Uiterste datum: {due}")),
    );
    let mut notice = notification(
        scheduler,
        NotificationKind::OpenPoint { days_before: None },
        &found.text,
        lines.join("\n\n"),
        (
            format!("/drafts/{}#open-punten", draft.id),
            format!("open_point:{point}"),
        ),
    );
    notice.due = found
        .due
        .as_deref()
        .and_then(crate::domain::period::parse_day);
    Ok(Some(Outgoing {
        body_id: draft.body_id,
        notification: notice,
        targets: Targets {
            people,
            ..Targets::default()
        },
        follow: None,
        also: Vec::new(),
    }))
}

/// The link and subject reference of a decision request.
fn request_ref(request: i64) -> (String, String) {
    (
        format!("/decision-requests/{request}"),
        format!("decision_request:{request}"),
    )
}

/// A decision on a request: the deciding body's and the requesting body's members and
/// observers, and in each follow-up milestone's body the people of its owner parties.
async fn describe_decision(
    scheduler: &Scheduler,
    request: i64,
    decision: i64,
    outcome: crate::domain::decision::Outcome,
    milestones: &[i64],
) -> Result<Option<Outgoing>, StorageError> {
    let db = &scheduler.db;
    let Some(found) = db.find_decision_request(request).await? else {
        return Ok(None);
    };
    let summary = &found.summary;
    let mut lines = vec![format!("{}: {}", summary.body_name, outcome.label())];
    if let Some(recorded) = found.decisions.iter().find(|d| d.id == decision) {
        lines.extend(recorded.conditions.clone());
        if !recorded.rationale.is_empty() {
            lines.push(recorded.rationale.clone());
        }
    }
    let mut also = Vec::new();
    if let Some(requesting) = summary.requesting_body_id {
        also.push((requesting, Targets::members_and_observers()));
    }
    for milestone in milestones {
        let Some(follow_up) = db.find_milestone(*milestone).await? else {
            continue;
        };
        let mut owners = Vec::new();
        for owner in &follow_up.owners {
            owners.extend(db.expand_party(owner.party_id).await?);
        }
        also.push((follow_up.body_id, Targets::parties(owners)));
    }
    Ok(Some(Outgoing {
        body_id: summary.body_id,
        notification: notification(
            scheduler,
            NotificationKind::Decision { outcome, request },
            &summary.title,
            lines.join("\n\n"),
            request_ref(request),
        ),
        targets: Targets::members_and_observers(),
        follow: None,
        also,
    }))
}

/// What a meeting notification says: the body, when and where, and the pack's PDF.
fn meeting_text(
    scheduler: &Scheduler,
    meeting: &crate::storage::meetings::Meeting,
    pack: Option<i64>,
) -> String {
    let mut lines = vec![
        meeting.body_name.clone(),
        crate::domain::meeting::dutch_when(meeting.starts_at, meeting.ends_at),
    ];
    lines.extend(meeting.place.clone());
    lines.extend(meeting.online_url.clone());
    if let Some(pack) = pack {
        if let Some(url) = link(scheduler, &format!("/api/meeting-packs/{pack}/pack.pdf")) {
            lines.push(format!("Stukken (PDF): {url}"));
        }
    }
    lines.join("\n")
}
