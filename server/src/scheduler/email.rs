//! E-mail delivery: immediate messages as they come, and the daily digest of each person who
//! chose one, sent once per person and day after `digest_hour` (Dutch time).

use super::clock::Timestamp;
use super::{Report, Scheduler, BATCH, LEASE_MS};
use crate::domain::dutch_time;
use crate::notify::{
    render, render_digest, EmailAttachment, EmailContext, Language, Notification, NotificationKind,
    RenderedEmail,
};

fn context(scheduler: &Scheduler, language: Language) -> EmailContext {
    EmailContext {
        language,
        preferences_url: scheduler
            .settings
            .public_url
            .as_ref()
            .map(|base| format!("{}/settings/notifications", base.trim_end_matches('/'))),
    }
}

/// A pack's PDF is attached when it is smaller than this; a larger one is only linked.
pub const MAX_ATTACHMENT_BYTES: i64 = 5 * 1024 * 1024;

/// Attaches the PDF of the pack a notification announces, when it is under
/// [`MAX_ATTACHMENT_BYTES`]; otherwise the e-mail only carries its link.
async fn attach_pack(
    scheduler: &Scheduler,
    notification: &Notification,
    email: &mut RenderedEmail,
) -> Result<(), crate::storage::StorageError> {
    let NotificationKind::Meeting {
        pack: Some(pack), ..
    } = notification.kind
    else {
        return Ok(());
    };
    if let Some(bytes) = scheduler
        .db
        .pack_pdf_below(pack, MAX_ATTACHMENT_BYTES)
        .await?
    {
        email.attachments.push(EmailAttachment {
            filename: format!("stukken-{pack}.pdf"),
            content_type: "application/pdf".to_owned(),
            bytes,
        });
    }
    Ok(())
}

/// Sends the immediate e-mails and, when it is time, the digests.
pub async fn deliver(scheduler: &Scheduler, now: Timestamp, report: &mut Report) {
    let Some(mailer) = scheduler.mailer.clone() else {
        return;
    };
    let db = &scheduler.db;
    let now_ms = now.timestamp_millis();
    match db.claim_emails(now_ms, now_ms + LEASE_MS, BATCH).await {
        Ok(jobs) => {
            for job in jobs {
                let mut email = render(&job.notification, &context(scheduler, job.language));
                if let Err(error) = attach_pack(scheduler, &job.notification, &mut email).await {
                    tracing::warn!(%error, item = job.item_id, "pack not attached; the e-mail links to it");
                }
                let sent = match mailer.send(&job.email, &email).await {
                    Ok(()) => {
                        report.emails_sent += 1;
                        true
                    }
                    Err(error) => {
                        tracing::warn!(%error, item = job.item_id, "e-mail not sent; retried later");
                        report.email_failures += 1;
                        false
                    }
                };
                if let Err(error) = db.finish_email(job.item_id, sent, now_ms).await {
                    tracing::error!(%error, "cannot record e-mail state");
                    report.errors += 1;
                }
            }
        }
        Err(error) => {
            tracing::error!(%error, "claiming e-mails failed");
            report.errors += 1;
        }
    }
    if dutch_time::hour_of(now) < scheduler.settings.digest_hour {
        return;
    }
    let date = dutch_time::date_of(now);
    let date_key = date.to_string();
    let people = match db.digest_people(now_ms).await {
        Ok(people) => people,
        Err(error) => {
            tracing::error!(%error, "finding digests failed");
            report.errors += 1;
            return;
        }
    };
    for person in people {
        match db.claim_digest(person, &date_key, now_ms).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(error) => {
                tracing::error!(%error, "claiming a digest failed");
                report.errors += 1;
                continue;
            }
        }
        let result = async {
            let (address, language, items) = db.digest_items(person, now_ms).await?;
            let notifications: Vec<_> = items.iter().map(|(_, n)| n.clone()).collect();
            let (Some(address), Some(email)) = (
                address,
                render_digest(date, &notifications, &context(scheduler, language)),
            ) else {
                return Ok::<bool, crate::storage::StorageError>(false);
            };
            if let Err(error) = mailer.send(&address, &email).await {
                tracing::warn!(%error, person, "digest not sent; retried on the next run");
                db.release_digest(person, &date_key).await?;
                return Ok(false);
            }
            let ids: Vec<i64> = items.iter().map(|(id, _)| *id).collect();
            db.finish_digest(person, &date_key, &ids, now_ms).await?;
            Ok(true)
        }
        .await;
        match result {
            Ok(true) => report.digests_sent += 1,
            Ok(false) => report.email_failures += 1,
            Err(error) => {
                tracing::error!(%error, "digest failed");
                report.errors += 1;
            }
        }
    }
}
