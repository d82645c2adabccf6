//! A body's public progress page: its setting (address, on or off, public introduction) and the
//! milestones and action lines marked public, kept apart from the milestone tables. Changed in
//! one transaction with its audit entry.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::storage::audit::{append_in, Actor};
use crate::storage::{now_ms, SqlStorage, StorageError};

/// Most items one page may mark public.
pub const MAX_MARKS: usize = 2_000;

/// A body's public page setting and marks.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default, utoipa::ToSchema)]
pub struct PublicPageSetting {
    /// The body.
    pub body_id: i64,
    /// Address below `/openbaar/`; empty when never set.
    pub slug: String,
    /// Whether the page is served.
    pub enabled: bool,
    /// Public introduction.
    pub intro: String,
    /// Milestone ids marked public.
    pub milestones: Vec<i64>,
    /// Action line ids marked public.
    pub action_lines: Vec<i64>,
}

fn page_from_row(row: &AnyRow) -> Result<PublicPageSetting, StorageError> {
    Ok(PublicPageSetting {
        body_id: row.try_get("body_id")?,
        slug: row.try_get("slug")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        intro: row.try_get("intro")?,
        milestones: Vec::new(),
        action_lines: Vec::new(),
    })
}

impl SqlStorage {
    async fn with_marks(
        &self,
        page: Option<PublicPageSetting>,
    ) -> Result<Option<PublicPageSetting>, StorageError> {
        let Some(mut page) = page else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT kind, item_id FROM public_marks WHERE body_id = $1 ORDER BY kind, item_id",
        )
        .bind(page.body_id)
        .fetch_all(self.pool())
        .await?;
        for row in &rows {
            let kind: String = row.try_get("kind")?;
            let id: i64 = row.try_get("item_id")?;
            if kind == "milestone" {
                page.milestones.push(id);
            } else {
                page.action_lines.push(id);
            }
        }
        Ok(Some(page))
    }

    /// A body's public page setting, `None` when it never had one.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn public_page(
        &self,
        body_id: i64,
    ) -> Result<Option<PublicPageSetting>, StorageError> {
        let row = sqlx::query(
            "SELECT body_id, slug, enabled, intro FROM public_pages WHERE body_id = $1",
        )
        .bind(body_id)
        .fetch_optional(self.pool())
        .await?;
        self.with_marks(row.as_ref().map(page_from_row).transpose()?)
            .await
    }

    /// The enabled page at an address.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn enabled_public_page(
        &self,
        slug: &str,
    ) -> Result<Option<PublicPageSetting>, StorageError> {
        let row = sqlx::query(
            "SELECT body_id, slug, enabled, intro FROM public_pages WHERE slug = $1 AND enabled = 1",
        )
        .bind(slug)
        .fetch_optional(self.pool())
        .await?;
        self.with_marks(row.as_ref().map(page_from_row).transpose()?)
            .await
    }

    /// The enabled pages: address and body name, by name (at most 1000).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn enabled_public_pages(&self) -> Result<Vec<(String, String)>, StorageError> {
        let rows = sqlx::query(
            "SELECT p.slug, b.name FROM public_pages p JOIN bodies b ON b.id = p.body_id \
             WHERE p.enabled = 1 ORDER BY b.name LIMIT 1000",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("slug")?, r.try_get("name")?)))
            .collect()
    }

    /// Replaces a body's page setting and marks (ids already checked to be the body's) with
    /// its `public_page.change` audit entry.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when another body's page has the address; storage
    /// errors.
    pub async fn put_public_page(
        &self,
        page: &PublicPageSetting,
        by_person: Option<i64>,
        by: &Actor,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        let taken =
            sqlx::query("SELECT body_id FROM public_pages WHERE slug = $1 AND body_id <> $2")
                .bind(&page.slug)
                .bind(page.body_id)
                .fetch_optional(&mut *tx)
                .await?;
        if taken.is_some() {
            return Err(StorageError::AlreadyExists("public page address"));
        }
        sqlx::query(
            "INSERT INTO public_pages (body_id, slug, enabled, intro, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (body_id) DO UPDATE SET \
             slug = excluded.slug, enabled = excluded.enabled, intro = excluded.intro, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(page.body_id)
        .bind(&page.slug)
        .bind(i64::from(page.enabled))
        .bind(&page.intro)
        .bind(by_person)
        .bind(now_ms())
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::storage::parties::unique_as(e, "public page address"))?;
        sqlx::query("DELETE FROM public_marks WHERE body_id = $1")
            .bind(page.body_id)
            .execute(&mut *tx)
            .await?;
        let marks = page
            .milestones
            .iter()
            .map(|id| ("milestone", *id))
            .chain(page.action_lines.iter().map(|id| ("action_line", *id)));
        for (kind, id) in marks {
            sqlx::query(
                "INSERT INTO public_marks (body_id, kind, item_id) VALUES ($1, $2, $3) \
                 ON CONFLICT (kind, item_id) DO NOTHING",
            )
            .bind(page.body_id)
            .bind(kind)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        let subject = serde_json::json!({
            "body": page.body_id, "slug": page.slug, "enabled": page.enabled,
            "milestones": page.milestones.len(), "action_lines": page.action_lines.len(),
        });
        append_in(&mut tx, self.backend(), by, "public_page.change", &subject).await?;
        tx.commit().await?;
        Ok(())
    }
}
