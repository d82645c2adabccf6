//! Comments on drafts: threads anchored to text, with mentions, resolved and reopened.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::audit::{append_in, Actor};
use super::consent::open_points::{audit_create_in, insert_in, NewOpenPoint};
use super::{now_ms, SqlStorage, StorageError};
use crate::domain::open_points::{PointSource, PointStatus};

/// A comment, as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Comment {
    /// Database id.
    pub id: i64,
    /// The draft.
    pub draft_id: i64,
    /// The thread's first comment (its own id for a thread start).
    pub thread_id: i64,
    /// Author id.
    pub author_id: i64,
    /// Author name.
    pub author_name: String,
    /// Author's party code.
    pub author_party: Option<String>,
    /// The text.
    pub body: String,
    /// Base64 Yjs relative position where the anchored range starts.
    pub anchor_start: Option<String>,
    /// Base64 Yjs relative position where it ends.
    pub anchor_end: Option<String>,
    /// The text that was selected when the comment was made.
    pub quote: Option<String>,
    /// Mentioned people (ids).
    pub mentioned_people: Vec<i64>,
    /// Mentioned parties (codes).
    pub mentioned_parties: Vec<String>,
    /// Unix ms when the thread was resolved (set on the thread start).
    pub resolved_at: Option<i64>,
    /// Who resolved it.
    pub resolved_by: Option<i64>,
    /// Unix ms.
    pub created_at: i64,
}

/// A comment to add.
pub struct NewComment<'a> {
    /// The draft.
    pub draft_id: i64,
    /// The thread to reply in (`None` starts a thread).
    pub thread_id: Option<i64>,
    /// The author.
    pub author_id: i64,
    /// The text.
    pub body: &'a str,
    /// Anchor start and end.
    pub anchor: Option<(&'a str, &'a str)>,
    /// The quoted text.
    pub quote: Option<&'a str>,
    /// Mentioned people.
    pub people: &'a [i64],
    /// Mentioned party ids.
    pub parties: &'a [i64],
    /// The open point typed with the comment (its `text` and `quote` are the comment's; the
    /// draft, source and comment are set here).
    pub open_point: Option<NewOpenPoint>,
}

impl SqlStorage {
    /// Adds a comment with its mentions, the open point typed with it (if any) and the
    /// `comment.create` (and `open_point.create`) audit entries in one transaction; returns it.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn add_comment(
        &self,
        comment: &NewComment<'_>,
        by: &Actor,
    ) -> Result<Comment, StorageError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO comments (draft_id, thread_id, author_id, body, anchor_start, anchor_end, quote, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(comment.draft_id)
        .bind(comment.thread_id)
        .bind(comment.author_id)
        .bind(comment.body)
        .bind(comment.anchor.map(|a| a.0))
        .bind(comment.anchor.map(|a| a.1))
        .bind(comment.quote)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        for person in comment.people {
            sqlx::query("INSERT INTO comment_mentions (comment_id, user_id) VALUES ($1, $2)")
                .bind(id)
                .bind(person)
                .execute(&mut *tx)
                .await?;
        }
        for party in comment.parties {
            sqlx::query("INSERT INTO comment_mentions (comment_id, party_id) VALUES ($1, $2)")
                .bind(id)
                .bind(party)
                .execute(&mut *tx)
                .await?;
        }
        let point = match &comment.open_point {
            Some(point) => {
                let point = NewOpenPoint {
                    draft_id: comment.draft_id,
                    text: comment.body.to_owned(),
                    quote: comment.quote.map(str::to_owned).filter(|q| !q.is_empty()),
                    source: PointSource::Comment,
                    created_by: comment.author_id,
                    ..point.clone()
                };
                let point_id = insert_in(&mut tx, &point, PointStatus::Open, Some(id), None)
                    .await?
                    .ok_or(StorageError::AlreadyExists("open point"))?;
                Some((point, point_id))
            }
            None => None,
        };
        let subject = serde_json::json!({ "draft": comment.draft_id, "comment": id });
        append_in(&mut tx, self.backend(), by, "comment.create", &subject).await?;
        if let Some((point, point_id)) = &point {
            audit_create_in(&mut tx, self.backend(), by, point, *point_id).await?;
        }
        let added = select_comments(&mut tx, comment.draft_id, Some(id))
            .await?
            .pop()
            .ok_or(StorageError::AlreadyExists("comment"))?;
        tx.commit().await?;
        Ok(added)
    }

    /// A draft's comments, threads together, oldest first.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_comments(&self, draft_id: i64) -> Result<Vec<Comment>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        select_comments(&mut conn, draft_id, None).await
    }

    /// One comment of a draft.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_comment(
        &self,
        draft_id: i64,
        id: i64,
    ) -> Result<Option<Comment>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        Ok(select_comments(&mut conn, draft_id, Some(id)).await?.pop())
    }

    /// Resolves (`Some(person)`) or reopens (`None`) a thread with the `comment.resolve` or
    /// `comment.reopen` audit entry in one transaction; returns whether it exists (when not,
    /// nothing is written).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn set_thread_resolved(
        &self,
        draft_id: i64,
        thread_id: i64,
        resolved_by: Option<i64>,
        by: &Actor,
    ) -> Result<bool, StorageError> {
        let at = resolved_by.map(|_| now_ms());
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE comments SET resolved_at = $1, resolved_by = $2 \
             WHERE id = $3 AND draft_id = $4 AND thread_id IS NULL",
        )
        .bind(at)
        .bind(resolved_by)
        .bind(thread_id)
        .bind(draft_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let action = if resolved_by.is_some() {
            "comment.resolve"
        } else {
            "comment.reopen"
        };
        let subject = serde_json::json!({ "draft": draft_id, "thread": thread_id });
        append_in(&mut tx, self.backend(), by, action, &subject).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// A draft's comments (or only comment `only`), with their mentions, in two queries.
async fn select_comments(
    conn: &mut AnyConnection,
    draft_id: i64,
    only: Option<i64>,
) -> Result<Vec<Comment>, StorageError> {
    let filter = if only.is_some() { " AND c.id = $2" } else { "" };
    let rows_sql = format!(
        "SELECT c.id, c.draft_id, c.thread_id, c.author_id, u.name, p.code AS party, c.body, \
         c.anchor_start, c.anchor_end, c.quote, c.resolved_at, c.resolved_by, c.created_at \
         FROM comments c JOIN users u ON u.id = c.author_id LEFT JOIN parties p ON p.id = u.party_id \
         WHERE c.draft_id = $1{filter} ORDER BY COALESCE(c.thread_id, c.id), c.id"
    );
    let mentions_sql = format!(
        "SELECT m.comment_id, m.user_id, p.code FROM comment_mentions m \
         JOIN comments c ON c.id = m.comment_id LEFT JOIN parties p ON p.id = m.party_id \
         WHERE c.draft_id = $1{filter}"
    );
    let mut rows_query = sqlx::query(&rows_sql).bind(draft_id);
    let mut mentions_query = sqlx::query(&mentions_sql).bind(draft_id);
    if let Some(id) = only {
        rows_query = rows_query.bind(id);
        mentions_query = mentions_query.bind(id);
    }
    let rows = rows_query.fetch_all(&mut *conn).await?;
    let mentions = mentions_query.fetch_all(&mut *conn).await?;
    let mut comments = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let mut people = Vec::new();
        let mut parties = Vec::new();
        for m in &mentions {
            if m.try_get::<i64, _>("comment_id")? != id {
                continue;
            }
            if let Some(user) = m.try_get::<Option<i64>, _>("user_id")? {
                people.push(user);
            }
            if let Some(code) = m.try_get::<Option<String>, _>("code")? {
                parties.push(code);
            }
        }
        comments.push(Comment {
            id,
            draft_id: row.try_get("draft_id")?,
            thread_id: row.try_get::<Option<i64>, _>("thread_id")?.unwrap_or(id),
            author_id: row.try_get("author_id")?,
            author_name: row.try_get("name")?,
            author_party: row.try_get("party")?,
            body: row.try_get("body")?,
            anchor_start: row.try_get("anchor_start")?,
            anchor_end: row.try_get("anchor_end")?,
            quote: row.try_get("quote")?,
            mentioned_people: people,
            mentioned_parties: parties,
            resolved_at: row.try_get("resolved_at")?,
            resolved_by: row.try_get("resolved_by")?,
            created_at: row.try_get("created_at")?,
        });
    }
    Ok(comments)
}
