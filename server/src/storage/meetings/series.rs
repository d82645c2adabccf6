//! Meeting series: the recurring meetings of a body ("BO-IZA", "IZA-kwartaaloverleg"), with
//! the other names the import recognises them by.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::domain::meeting::MeetingKind;
use crate::storage::audit::{append_in, Actor};
use crate::storage::governance::relative_due;
use crate::storage::parties::unique_as;
use crate::storage::{get_decoded, now_ms, SqlStorage, StorageError};

/// A meeting series.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct MeetingSeries {
    /// Id.
    pub id: i64,
    /// The body that holds it.
    pub body_id: i64,
    /// Name, unique in the body.
    pub name: String,
    /// Kind.
    pub kind: MeetingKind,
    /// Other names, lower case.
    pub aliases: Vec<String>,
}

/// A body's series (or only `only`).
async fn select_series(
    conn: &mut AnyConnection,
    body_id: i64,
    only: Option<i64>,
) -> Result<Vec<MeetingSeries>, StorageError> {
    let filter = if only.is_some() { " AND id = $2" } else { "" };
    let sql = format!(
        "SELECT id, body_id, name, kind FROM meeting_series WHERE body_id = $1{filter} ORDER BY name, id"
    );
    let mut query = sqlx::query(&sql).bind(body_id);
    if let Some(id) = only {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let aliases = sqlx::query(
        "SELECT a.series_id, a.alias FROM meeting_series_aliases a \
         JOIN meeting_series s ON s.id = a.series_id WHERE s.body_id = $1 ORDER BY a.alias",
    )
    .bind(body_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let mut own = Vec::new();
        for alias in &aliases {
            if alias.try_get::<i64, _>("series_id")? == id {
                own.push(alias.try_get("alias")?);
            }
        }
        out.push(MeetingSeries {
            id,
            body_id: row.try_get("body_id")?,
            name: row.try_get("name")?,
            kind: get_decoded(&row, "kind", MeetingKind::parse)?,
            aliases: own,
        });
    }
    Ok(out)
}

impl SqlStorage {
    /// A body's meeting series by name.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_meeting_series(
        &self,
        body_id: i64,
    ) -> Result<Vec<MeetingSeries>, StorageError> {
        select_series(&mut *self.pool().acquire().await?, body_id, None).await
    }

    /// One series.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_meeting_series(
        &self,
        id: i64,
    ) -> Result<Option<MeetingSeries>, StorageError> {
        let Some(row) = sqlx::query("SELECT body_id FROM meeting_series WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let body_id: i64 = row.try_get("body_id")?;
        let mut conn = self.pool().acquire().await?;
        Ok(select_series(&mut conn, body_id, Some(id)).await?.pop())
    }

    /// Creates a series with its aliases (lower case, each once) and its
    /// `meeting_series.create` audit entry; milestones whose due text names it are linked in
    /// the same transaction.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when the body has a series of that name.
    pub async fn create_meeting_series(
        &self,
        body_id: i64,
        name: &str,
        kind: MeetingKind,
        aliases: &[String],
        created_by: Option<i64>,
        by: &Actor,
    ) -> Result<MeetingSeries, StorageError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO meeting_series (body_id, name, kind, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(body_id)
        .bind(name)
        .bind(kind.as_str())
        .bind(created_by)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| unique_as(e, "meeting series"))?;
        let id: i64 = row.try_get("id")?;
        let mut seen: Vec<String> = Vec::new();
        for alias in aliases {
            let alias = alias.trim().to_lowercase();
            if alias.is_empty() || seen.contains(&alias) {
                continue;
            }
            sqlx::query("INSERT INTO meeting_series_aliases (series_id, alias) VALUES ($1, $2)")
                .bind(id)
                .bind(&alias)
                .execute(&mut *tx)
                .await?;
            seen.push(alias);
        }
        relative_due::series_created(&mut tx, id, by).await?;
        let subject = serde_json::json!({ "body": body_id, "series": id, "name": name });
        append_in(
            &mut tx,
            self.backend(),
            by,
            "meeting_series.create",
            &subject,
        )
        .await?;
        let series = select_series(&mut tx, body_id, Some(id))
            .await?
            .pop()
            .ok_or(StorageError::AlreadyExists("meeting series"))?;
        tx.commit().await?;
        Ok(series)
    }
}
