//! Notifications: events addressed to a party or a person (unique by key), the in-app inbox
//! made from them, each person's e-mail state and preferences, and the daily digests.
//!
//! [`SqlStorage::deliver`] stores an event and its inbox items in one transaction, and only
//! when the event's key is new: a key that exists already means it was delivered before (by
//! this process or another), so nothing is sent twice. Each inbox item takes the next number
//! of its person's head (`inbox_heads`) in that transaction: the head's row stays locked until
//! commit, so a person's items commit in `seq` order, and the live inbox's cursor
//! ([`SqlStorage::inbox_after_seq`]) skips none, however many processes deliver at once.

use serde::Serialize;
use sqlx::Row;

use crate::notify::{Language, Notification, NotificationType};
use crate::storage::{get_decoded, SqlStorage, StorageError};

/// A notification to store once.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Unique key, e.g. `reminder:milestone:12:due-2026-05-26:d-7:party:3`.
    pub key: String,
    /// The body it belongs to (for webhooks).
    pub body_id: Option<i64>,
    /// The party it is addressed to, if any.
    pub party_id: Option<i64>,
    /// The person it is addressed to, if any.
    pub person_id: Option<i64>,
    /// The notification.
    pub notification: Notification,
}

/// How a person wants e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailMode {
    /// One e-mail per notification, right away.
    Immediate,
    /// One e-mail a day with everything since the last one.
    DailyDigest,
    /// No e-mail; the inbox only.
    Off,
}

impl EmailMode {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EmailMode::Immediate => "immediate",
            EmailMode::DailyDigest => "daily_digest",
            EmailMode::Off => "off",
        }
    }

    fn parse(raw: &str) -> Self {
        match raw {
            "daily_digest" => EmailMode::DailyDigest,
            "off" => EmailMode::Off,
            _ => EmailMode::Immediate,
        }
    }
}

/// A person's notification preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NotificationSettings {
    /// E-mail mode (default `immediate`).
    pub email: EmailMode,
    /// Language of e-mails (default `nl`).
    pub language: Language,
}

/// One inbox entry.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InboxItem {
    /// Inbox item id.
    pub id: i64,
    /// Its place in the person's inbox in commit order (1, 2, 3, …): the live inbox's cursor.
    /// Not sent to clients.
    #[serde(skip)]
    pub seq: i64,
    /// The event's unique key.
    pub key: String,
    /// The notification's type tag.
    pub kind: NotificationType,
    /// What it is about, e.g. `milestone:12`.
    pub subject_ref: String,
    /// Code of the party it was addressed to, if any.
    pub party: Option<String>,
    /// The notification (kind, title, body, link, due).
    pub notification: serde_json::Value,
    /// Unix ms.
    pub created_at: i64,
    /// Whether the person has read it.
    pub read: bool,
}

/// An e-mail to send now.
#[derive(Debug, Clone)]
pub struct EmailJob {
    /// The inbox item.
    pub item_id: i64,
    /// The recipient's address.
    pub email: String,
    /// Their language.
    pub language: Language,
    /// What to say.
    pub notification: Notification,
}

/// Most inbox items one [`SqlStorage::inbox_after_seq`] returns.
pub const INBOX_PAGE: i64 = 100;

/// Most e-mail attempts before an item is marked failed.
pub const MAX_EMAIL_ATTEMPTS: i64 = 5;

const INBOX_SELECT: &str =
    "SELECT i.id, i.seq, e.event_key, e.kind, e.subject_ref, p.code, e.payload, \
     i.created_at, i.read_at FROM inbox_items i JOIN notification_events e ON e.id = i.event_id \
     LEFT JOIN parties p ON p.id = e.party_id";

fn inbox_from_row(row: &sqlx::any::AnyRow) -> Result<InboxItem, StorageError> {
    let payload: String = row.try_get("payload")?;
    Ok(InboxItem {
        id: row.try_get("id")?,
        seq: row.try_get("seq")?,
        key: row.try_get("event_key")?,
        kind: get_decoded(row, "kind", NotificationType::parse)?,
        subject_ref: row.try_get("subject_ref")?,
        party: row.try_get("code")?,
        notification: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        created_at: row.try_get("created_at")?,
        read: row.try_get::<Option<i64>, _>("read_at")?.is_some(),
    })
}

/// Adds `person`'s item of `event_id` with the next `seq` of their inbox; `false` when they
/// had it already. The head's row stays locked until `tx` commits, so a person's items commit
/// in `seq` order (callers lock several heads in ascending person order: no deadlocks).
async fn add_inbox_item(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    event_id: i64,
    person: i64,
    now_ms: i64,
    email_status: &str,
) -> Result<bool, StorageError> {
    let seq: i64 = sqlx::query(
        "INSERT INTO inbox_heads (person_id, seq) VALUES ($1, 1) \
         ON CONFLICT (person_id) DO UPDATE SET seq = inbox_heads.seq + 1 RETURNING seq",
    )
    .bind(person)
    .fetch_one(&mut **tx)
    .await?
    .try_get("seq")?;
    let added = sqlx::query(
        "INSERT INTO inbox_items (event_id, person_id, created_at, email_status, seq) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id, person_id) DO NOTHING",
    )
    .bind(event_id)
    .bind(person)
    .bind(now_ms)
    .bind(email_status)
    .bind(seq)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        > 0;
    if !added {
        // Nobody else can have taken a number since (the head is locked): give it back.
        sqlx::query("UPDATE inbox_heads SET seq = seq - 1 WHERE person_id = $1")
            .bind(person)
            .execute(&mut **tx)
            .await?;
    }
    Ok(added)
}

impl SqlStorage {
    /// Stores `event` with one inbox item per recipient and one webhook delivery per active
    /// webhook of its body, unless an event with its key exists. Returns the new event id, or
    /// `None` when it had been delivered already. `email` says whether e-mail is configured.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn deliver(
        &self,
        event: &NewEvent,
        recipients: &[i64],
        email: bool,
        now_ms: i64,
    ) -> Result<Option<i64>, StorageError> {
        // A notification is plain strings and numbers: serialising it cannot fail.
        let payload =
            serde_json::to_string(&event.notification).unwrap_or_else(|_| "{}".to_owned());
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO notification_events (event_key, body_id, party_id, person_id, kind, subject_ref, \
             payload, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (event_key) DO NOTHING RETURNING id",
        )
        .bind(&event.key)
        .bind(event.body_id)
        .bind(event.party_id)
        .bind(event.person_id)
        .bind(event.notification.kind.notification_type().as_str())
        .bind(&event.notification.subject_ref)
        .bind(&payload)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let event_id: i64 = row.try_get("id")?;
        let mut people = recipients.to_vec();
        people.sort_unstable();
        people.dedup();
        for person in people {
            let mode = sqlx::query("SELECT email FROM notification_settings WHERE person_id = $1")
                .bind(person)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get::<String, _>("email"))
                .transpose()?
                .map_or(EmailMode::Immediate, |raw| EmailMode::parse(&raw));
            let status = match (email, mode) {
                (false, _) | (_, EmailMode::Off) => "none",
                (true, EmailMode::Immediate) => "pending",
                (true, EmailMode::DailyDigest) => "digest",
            };
            add_inbox_item(&mut tx, event_id, person, now_ms, status).await?;
        }
        if let Some(body) = event.body_id {
            sqlx::query(
                "INSERT INTO webhook_deliveries (webhook_id, event_id, status, created_at) \
                 SELECT id, $1, 'pending', $2 FROM webhooks WHERE body_id = $3 AND active = 1",
            )
            .bind(event_id)
            .bind(now_ms)
            .bind(body)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some(event_id))
    }

    /// A person's inbox, newest first, and the total.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_inbox(
        &self,
        person: i64,
        unread_only: bool,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<InboxItem>, i64), StorageError> {
        let filter = if unread_only {
            " AND i.read_at IS NULL"
        } else {
            ""
        };
        let rows = sqlx::query(&format!(
            "{INBOX_SELECT} WHERE i.person_id = $1{filter} ORDER BY i.id DESC LIMIT $2 OFFSET $3"
        ))
        .bind(person)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let total: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM inbox_items i WHERE i.person_id = $1{filter}"
        ))
        .bind(person)
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        let items = rows.iter().map(inbox_from_row).collect::<Result<_, _>>()?;
        Ok((items, total))
    }

    /// A person's inbox items after `after_seq` in their inbox's commit order, oldest first, at
    /// most [`INBOX_PAGE`] (for live push: a cursor on the last `seq` sent skips nothing).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn inbox_after_seq(
        &self,
        person: i64,
        after_seq: i64,
    ) -> Result<Vec<InboxItem>, StorageError> {
        let rows = sqlx::query(&format!(
            "{INBOX_SELECT} WHERE i.person_id = $1 AND i.seq > $2 ORDER BY i.seq LIMIT $3"
        ))
        .bind(person)
        .bind(after_seq)
        .bind(INBOX_PAGE)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(inbox_from_row).collect()
    }

    /// The `seq` of a person's newest inbox item (0 without any): where a live cursor starts.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn last_inbox_seq(&self, person: i64) -> Result<i64, StorageError> {
        let row = sqlx::query("SELECT seq FROM inbox_heads WHERE person_id = $1")
            .bind(person)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("seq")).transpose()?.unwrap_or(0))
    }

    /// How many unread items a person has.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn unread_count(&self, person: i64) -> Result<i64, StorageError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM inbox_items WHERE person_id = $1 AND read_at IS NULL",
        )
        .bind(person)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("n")?)
    }

    /// A person's notification settings (defaults when never set).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn notification_settings(
        &self,
        person: i64,
    ) -> Result<NotificationSettings, StorageError> {
        let row =
            sqlx::query("SELECT email, language FROM notification_settings WHERE person_id = $1")
                .bind(person)
                .fetch_optional(self.pool())
                .await?;
        Ok(match row {
            Some(row) => NotificationSettings {
                email: EmailMode::parse(&row.try_get::<String, _>("email")?),
                language: Language::from_preference(&row.try_get::<String, _>("language")?),
            },
            None => NotificationSettings {
                email: EmailMode::Immediate,
                language: Language::Nl,
            },
        })
    }

    /// Claims up to `limit` immediate e-mails that are due, leasing them until `lease_until`
    /// so that another process skips them (`FOR UPDATE SKIP LOCKED` on PostgreSQL).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn claim_emails(
        &self,
        now_ms: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<EmailJob>, StorageError> {
        let lock = self.skip_locked();
        let rows = sqlx::query(&format!(
            "UPDATE inbox_items SET email_locked = $1, email_attempts = email_attempts + 1 WHERE id IN \
             (SELECT id FROM inbox_items WHERE email_status = 'pending' \
             AND (email_locked IS NULL OR email_locked < $2) ORDER BY id LIMIT $3{lock}) RETURNING id"
        ))
        .bind(lease_until)
        .bind(now_ms)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut jobs = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.try_get("id")?;
            if let Some(job) = self.email_job(id).await? {
                jobs.push(job);
            }
        }
        Ok(jobs)
    }

    async fn email_job(&self, item: i64) -> Result<Option<EmailJob>, StorageError> {
        let row = sqlx::query(
            "SELECT i.id, u.email, s.language, e.payload FROM inbox_items i \
             JOIN users u ON u.id = i.person_id JOIN notification_events e ON e.id = i.event_id \
             LEFT JOIN notification_settings s ON s.person_id = i.person_id WHERE i.id = $1",
        )
        .bind(item)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let payload: String = row.try_get("payload")?;
        let Ok(notification) = serde_json::from_str::<Notification>(&payload) else {
            return Ok(None);
        };
        Ok(Some(EmailJob {
            item_id: row.try_get("id")?,
            email: row.try_get("email")?,
            language: Language::from_preference(
                &row.try_get::<Option<String>, _>("language")?
                    .unwrap_or_default(),
            ),
            notification,
        }))
    }

    /// Records the result of an e-mail: sent, or failed (retried until
    /// [`MAX_EMAIL_ATTEMPTS`]).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn finish_email(
        &self,
        item: i64,
        sent: bool,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        if sent {
            sqlx::query(
                "UPDATE inbox_items SET email_status = 'sent', email_sent_at = $1 WHERE id = $2",
            )
            .bind(now_ms)
            .bind(item)
            .execute(self.pool())
            .await?;
        } else {
            sqlx::query(
                "UPDATE inbox_items SET email_locked = NULL, email_status = CASE WHEN email_attempts >= $1 \
                 THEN 'failed' ELSE email_status END WHERE id = $2",
            )
            .bind(MAX_EMAIL_ATTEMPTS)
            .bind(item)
            .execute(self.pool())
            .await?;
        }
        Ok(())
    }

    /// People with items waiting for their daily digest, created before `before_ms`.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn digest_people(&self, before_ms: i64) -> Result<Vec<i64>, StorageError> {
        let rows = sqlx::query(
            "SELECT DISTINCT person_id FROM inbox_items WHERE email_status = 'digest' AND created_at <= $1 \
             ORDER BY person_id",
        )
        .bind(before_ms)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get("person_id")?)).collect()
    }

    /// Claims the digest of `person` for `date` (once per person and day); `false` when it was
    /// claimed already.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn claim_digest(
        &self,
        person: i64,
        date: &str,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let row = sqlx::query(
            "INSERT INTO email_digests (person_id, digest_date, items, sent_at) VALUES ($1, $2, 0, $3) \
             ON CONFLICT (person_id, digest_date) DO NOTHING RETURNING id",
        )
        .bind(person)
        .bind(date)
        .bind(now_ms)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// Gives a digest claim back after a failed send, so the next run retries.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn release_digest(&self, person: i64, date: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM email_digests WHERE person_id = $1 AND digest_date = $2")
            .bind(person)
            .bind(date)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The items of a person's next digest (created before `before_ms`), with address and
    /// language.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn digest_items(
        &self,
        person: i64,
        before_ms: i64,
    ) -> Result<(Option<String>, Language, Vec<(i64, Notification)>), StorageError> {
        let rows = sqlx::query(
            "SELECT i.id, e.payload FROM inbox_items i JOIN notification_events e ON e.id = i.event_id \
             WHERE i.person_id = $1 AND i.email_status = 'digest' AND i.created_at <= $2 ORDER BY i.id",
        )
        .bind(person)
        .bind(before_ms)
        .fetch_all(self.pool())
        .await?;
        let mut items = Vec::new();
        for row in rows {
            let payload: String = row.try_get("payload")?;
            if let Ok(n) = serde_json::from_str::<Notification>(&payload) {
                items.push((row.try_get("id")?, n));
            }
        }
        let email = self.find_person(person).await?.map(|p| p.email);
        let language = self.notification_settings(person).await?.language;
        Ok((email, language, items))
    }

    /// Marks digest items sent and records the count on the digest.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn finish_digest(
        &self,
        person: i64,
        date: &str,
        items: &[i64],
        now_ms: i64,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        for item in items {
            sqlx::query(
                "UPDATE inbox_items SET email_status = 'sent', email_sent_at = $1 WHERE id = $2",
            )
            .bind(now_ms)
            .bind(item)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE email_digests SET items = $1 WHERE person_id = $2 AND digest_date = $3",
        )
        .bind(i64::try_from(items.len()).unwrap_or(i64::MAX))
        .bind(person)
        .bind(date)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// ` FOR UPDATE SKIP LOCKED` on PostgreSQL (claims by several processes), nothing on
    /// SQLite (one writer at a time anyway).
    pub(crate) fn skip_locked(&self) -> &'static str {
        match self.backend() {
            crate::storage::sql::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            crate::storage::sql::Backend::Sqlite => "",
        }
    }
}

#[cfg(test)]
#[path = "notifications_tests.rs"]
mod tests;
