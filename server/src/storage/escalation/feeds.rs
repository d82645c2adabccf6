//! Calendar feeds at secret, revocable URLs: one per person or per party. Only a hash of the
//! secret is stored, like API tokens.

use serde::Serialize;
use sqlx::Row;

use crate::domain::escalation::DisputeStatus;
use crate::domain::meeting::MeetingStatus;
use crate::domain::milestone_status::MilestoneStatus;
use crate::domain::owner_role::OwnerRole;
use crate::storage::audit::{append_in, Actor};
use crate::storage::{get_decoded, SqlStorage, StorageError};

/// A feed as its owner sees it (never with the secret).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CalendarFeed {
    /// Id.
    pub id: i64,
    /// The person whose feed it is, for a personal feed.
    pub person_id: Option<i64>,
    /// The party whose feed it is, for a party feed.
    pub party_id: Option<i64>,
    /// Who created it.
    pub created_by: Option<i64>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms when revoked.
    pub revoked_at: Option<i64>,
}

/// One dated thing for a feed.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    /// Stable id (`milestone-12`, `dispute-3`).
    pub uid: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// First day (YYYY-MM-DD).
    pub start: String,
    /// Last day (YYYY-MM-DD).
    pub end: String,
    /// The status of the milestone or dispute.
    pub status: FeedStatus,
    /// Unix ms of the last change.
    pub updated_at: i64,
}

/// The status of a feed entry: its milestone's or its dispute's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedStatus {
    /// A milestone's status.
    Milestone(MilestoneStatus),
    /// A dispute's status.
    Dispute(DisputeStatus),
}

impl FeedStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedStatus::Milestone(status) => status.as_str(),
            FeedStatus::Dispute(status) => status.as_str(),
        }
    }
}

/// A meeting for a feed.
#[derive(Debug, Clone)]
pub struct FeedMeeting {
    /// The meeting.
    pub id: i64,
    /// Title.
    pub title: String,
    /// The body that meets.
    pub body_name: String,
    /// Start, Unix ms.
    pub starts_at: i64,
    /// End, Unix ms.
    pub ends_at: i64,
    /// Place.
    pub place: Option<String>,
    /// Online link.
    pub online_url: Option<String>,
    /// Status.
    pub status: MeetingStatus,
    /// The iCalendar sequence.
    pub sequence: i64,
    /// Unix ms of the last change.
    pub updated_at: i64,
}

/// Whose reading rights a feed's entries follow: its owner's, at the time of each fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedReader {
    /// The owner.
    pub person: i64,
    /// Whether the owner reads every body (an administrator).
    pub all_bodies: bool,
}

fn feed_from_row(row: &sqlx::any::AnyRow) -> Result<CalendarFeed, StorageError> {
    Ok(CalendarFeed {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        party_id: row.try_get("party_id")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

const FEED_SELECT: &str =
    "SELECT id, person_id, party_id, created_by, created_at, revoked_at FROM calendar_feeds";

impl SqlStorage {
    /// Stores a feed by its secret's hash; returns its id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_feed(
        &self,
        secret_hash: &str,
        person: Option<i64>,
        party: Option<i64>,
        created_by: i64,
        by: &Actor,
    ) -> Result<i64, StorageError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO calendar_feeds (secret_hash, person_id, party_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(secret_hash)
        .bind(person)
        .bind(party)
        .bind(created_by)
        .bind(crate::storage::now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let subject = serde_json::json!({ "feed": id, "person": person, "party": party });
        append_in(
            &mut tx,
            self.backend(),
            by,
            "calendar_feed.create",
            &subject,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The live feed with this secret hash.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_feed(&self, secret_hash: &str) -> Result<Option<CalendarFeed>, StorageError> {
        let row = sqlx::query(&format!(
            "{FEED_SELECT} WHERE secret_hash = $1 AND revoked_at IS NULL"
        ))
        .bind(secret_hash)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(feed_from_row).transpose()
    }

    /// One feed by id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn feed(&self, id: i64) -> Result<Option<CalendarFeed>, StorageError> {
        let row = sqlx::query(&format!("{FEED_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(feed_from_row).transpose()
    }

    /// Feeds a person created or that are theirs.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_feeds(&self, person: i64) -> Result<Vec<CalendarFeed>, StorageError> {
        let rows = sqlx::query(&format!(
            "{FEED_SELECT} WHERE person_id = $1 OR created_by = $1 ORDER BY id"
        ))
        .bind(person)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(feed_from_row).collect()
    }

    /// Revokes a feed; `false` when it was revoked already.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn revoke_feed(&self, id: i64, by: &Actor) -> Result<bool, StorageError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE calendar_feeds SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(crate::storage::now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let subject = serde_json::json!({ "feed": id });
        append_in(
            &mut tx,
            self.backend(),
            by,
            "calendar_feed.revoke",
            &subject,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Dated milestones of the given parties (lead or contributor), and the response deadlines
    /// of open disputes they are involved in, of the bodies `reader` may read now (those the
    /// reader is a member of; every body for an administrator).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn feed_entries(
        &self,
        parties: &[i64],
        reader: FeedReader,
    ) -> Result<Vec<FeedEntry>, StorageError> {
        let all = i64::from(reader.all_bodies);
        let mut entries = Vec::new();
        for party in parties {
            let rows = sqlx::query(
                "SELECT m.id, m.title, m.description, m.due_raw, m.due_earliest, m.due_latest, m.status, \
                 m.updated_at, mp.role FROM milestones m JOIN milestone_parties mp ON mp.milestone_id = m.id \
                 WHERE mp.party_id = $1 AND m.due_latest IS NOT NULL \
                 AND ($3 = 1 OR m.body_id IN (SELECT body_id FROM memberships WHERE user_id = $2)) \
                 ORDER BY m.id",
            )
            .bind(party)
            .bind(reader.person)
            .bind(all)
            .fetch_all(self.pool())
            .await?;
            for row in rows {
                let id: i64 = row.try_get("id")?;
                let latest: String = row.try_get("due_latest")?;
                let earliest: Option<String> = row.try_get("due_earliest")?;
                let raw: String = row.try_get("due_raw")?;
                let description: String = row.try_get("description")?;
                let role = get_decoded(&row, "role", OwnerRole::parse)?;
                entries.push(FeedEntry {
                    uid: format!("milestone-{id}"),
                    title: row.try_get("title")?,
                    description: format!("{description}\n\nDeadline: {raw} ({role})"),
                    start: earliest.unwrap_or_else(|| latest.clone()),
                    end: latest,
                    status: FeedStatus::Milestone(get_decoded(
                        &row,
                        "status",
                        MilestoneStatus::parse,
                    )?),
                    updated_at: row.try_get("updated_at")?,
                });
            }
            let rows = sqlx::query(
                "SELECT d.id, d.title, d.respond_by, d.status, d.updated_at FROM disputes d \
                 JOIN dispute_parties dp ON dp.dispute_id = d.id WHERE dp.party_id = $1 \
                 AND d.status IN ('in_behandeling', 'geescaleerd') \
                 AND ($3 = 1 OR d.body_id IN (SELECT body_id FROM memberships WHERE user_id = $2)) \
                 ORDER BY d.id",
            )
            .bind(party)
            .bind(reader.person)
            .bind(all)
            .fetch_all(self.pool())
            .await?;
            for row in rows {
                let id: i64 = row.try_get("id")?;
                let day: String = row.try_get("respond_by")?;
                entries.push(FeedEntry {
                    uid: format!("dispute-{id}"),
                    title: format!("Reactietermijn: {}", row.try_get::<String, _>("title")?),
                    description: "Verschil van inzicht: uiterste reactiedatum op dit niveau."
                        .to_owned(),
                    start: day.clone(),
                    end: day,
                    status: FeedStatus::Dispute(get_decoded(&row, "status", DisputeStatus::parse)?),
                    updated_at: row.try_get("updated_at")?,
                });
            }
        }
        entries.sort_by(|a, b| a.uid.cmp(&b.uid));
        entries.dedup_by(|a, b| a.uid == b.uid);
        Ok(entries)
    }

    /// The meetings of the bodies a feed's parties take part in (and, for a personal feed,
    /// the bodies its person is a member of), as far as `reader` may read them now; from a
    /// year ago on, at most 1000, cancelled ones included.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn feed_meetings(
        &self,
        parties: &[i64],
        reader: FeedReader,
        personal: bool,
        since_ms: i64,
    ) -> Result<Vec<FeedMeeting>, StorageError> {
        let mut marks = Vec::new();
        for n in 0..parties.len() {
            marks.push(format!("${}", n + 5));
        }
        let of_parties = if marks.is_empty() {
            "0 = 1".to_owned()
        } else {
            format!(
                "m.body_id IN (SELECT body_id FROM body_parties WHERE party_id IN ({}))",
                marks.join(", ")
            )
        };
        let sql = format!(
            "SELECT m.id, m.title, b.name AS body_name, m.starts_at, m.ends_at, m.place, \
             m.online_url, m.status, m.sequence, m.updated_at FROM meetings m \
             JOIN bodies b ON b.id = m.body_id WHERE m.ends_at >= $4 \
             AND ($1 = 1 OR m.body_id IN (SELECT body_id FROM memberships WHERE user_id = $2)) \
             AND (($3 = 1 AND m.body_id IN (SELECT body_id FROM memberships WHERE user_id = $2)) \
             OR {of_parties}) ORDER BY m.starts_at, m.id LIMIT 1000"
        );
        let mut query = sqlx::query(&sql)
            .bind(i64::from(reader.all_bodies))
            .bind(reader.person)
            .bind(i64::from(personal))
            .bind(since_ms);
        for party in parties {
            query = query.bind(party);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                Ok(FeedMeeting {
                    id: row.try_get("id")?,
                    title: row.try_get("title")?,
                    body_name: row.try_get("body_name")?,
                    starts_at: row.try_get("starts_at")?,
                    ends_at: row.try_get("ends_at")?,
                    place: row.try_get("place")?,
                    online_url: row.try_get("online_url")?,
                    status: get_decoded(row, "status", MeetingStatus::parse)?,
                    sequence: row.try_get("sequence")?,
                    updated_at: row.try_get("updated_at")?,
                })
            })
            .collect()
    }
}
