//! Everything Polder holds about one person, as JSON (the right of access): their account,
//! every row of every table that names them, table by table, and the audit entries they made.
//!
//! Secrets never leave: the password hash is not read, and columns named `secret` or ending in
//! `_hash` (session ids, token and feed secrets, guest links) are left out. Binary columns
//! (document states, attachments) are given by their size. Each table is read up to
//! [`MAX_ROWS_PER_TABLE`] rows; a table that has more says so (`"truncated": true`).

use serde_json::{json, Map, Value};
use sqlx::any::AnyRow;
use sqlx::{Column, Row};

use super::{SqlStorage, StorageError};

/// Most rows read of one table for one person.
pub const MAX_ROWS_PER_TABLE: usize = 10_000;

/// Every table column that names a person (a reference to `users`), from the migrations.
/// `personal_data_tests` in the integration suite checks this list against the schema.
pub const PERSON_COLUMNS: &[(&str, &str)] = &[
    ("api_tokens", "user_id"),
    ("sessions", "user_id"),
    ("document_members", "user_id"),
    ("memberships", "user_id"),
    ("drafts", "created_by"),
    ("versions", "created_by"),
    ("draft_transitions", "by_user"),
    ("doc_clients", "user_id"),
    ("doc_deletions", "user_id"),
    ("comments", "author_id"),
    ("comments", "resolved_by"),
    ("comment_mentions", "user_id"),
    ("role_agreements", "created_by"),
    ("sign_offs", "signed_by"),
    ("action_lines", "created_by"),
    ("milestones", "created_by"),
    ("milestone_recurrences", "created_by"),
    ("milestone_status_changes", "by_user"),
    ("milestone_notes", "author_id"),
    ("milestone_links", "created_by"),
    ("disputes", "raised_by_person"),
    ("disputes", "closed_by"),
    ("dispute_positions", "stated_by"),
    ("dispute_options", "proposed_by"),
    ("dispute_comments", "author_id"),
    ("dispute_events", "actor_id"),
    ("notification_events", "person_id"),
    ("inbox_items", "person_id"),
    ("email_digests", "person_id"),
    ("notification_settings", "person_id"),
    ("calendar_feeds", "person_id"),
    ("calendar_feeds", "created_by"),
    ("webhooks", "created_by"),
    ("follows", "person_id"),
    ("inbox_heads", "person_id"),
    ("meeting_series", "created_by"),
    ("meetings", "created_by"),
    ("decision_requests", "created_by"),
    ("meeting_packs", "sent_by"),
    ("decisions", "recorded_by"),
    ("endorsement_rounds", "opened_by"),
    ("endorsements", "signed_by"),
    ("consultations", "created_by"),
    ("consultation_invitees", "user_id"),
    ("consultation_invitees", "invited_by"),
    ("consultation_responses", "submitted_by"),
    ("open_points", "owner_user_id"),
    ("open_points", "created_by"),
    ("open_points", "closed_by"),
    ("progress_reports", "frozen_by"),
    ("public_pages", "updated_by"),
];

/// Whether a column holds a secret that no export may show.
fn is_secret(column: &str) -> bool {
    column == "secret" || column.ends_with("_hash")
}

/// One stored value as JSON: integers, reals and text as they are, binary data by its size.
fn cell(row: &AnyRow, index: usize) -> Value {
    if let Ok(v) = row.try_get::<Option<i64>, _>(index) {
        return v.map_or(Value::Null, Value::from);
    }
    if let Ok(v) = row.try_get::<Option<i32>, _>(index) {
        return v.map_or(Value::Null, Value::from);
    }
    if let Ok(v) = row.try_get::<Option<bool>, _>(index) {
        return v.map_or(Value::Null, Value::from);
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(index) {
        return v.map_or(Value::Null, Value::from);
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(index) {
        return v.map_or(Value::Null, Value::from);
    }
    if let Ok(v) = row.try_get::<Option<Vec<u8>>, _>(index) {
        return v.map_or(Value::Null, |bytes| json!({ "bytes": bytes.len() }));
    }
    Value::Null
}

/// A row as a JSON object, secrets left out.
fn object(row: &AnyRow) -> Value {
    let mut object = Map::new();
    for (index, column) in row.columns().iter().enumerate() {
        if !is_secret(column.name()) {
            object.insert(column.name().to_owned(), cell(row, index));
        }
    }
    Value::Object(object)
}

impl SqlStorage {
    /// Everything held about person `person`, or `None` when there is no such person: the
    /// account (`person`), the rows naming them per table and column (`records`, keyed
    /// `table.column`), and the audit entries they made (`audit`).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn personal_data(&self, person: i64) -> Result<Option<Value>, StorageError> {
        let Some(account) = sqlx::query(
            "SELECT u.id, u.email, u.name, u.is_admin, u.is_guest, u.created_at, \
                    p.code AS party, p.name AS party_name \
             FROM users u LEFT JOIN parties p ON p.id = u.party_id WHERE u.id = $1",
        )
        .bind(person)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let limit = i64::try_from(MAX_ROWS_PER_TABLE + 1).unwrap_or(i64::MAX);
        let mut records = Map::new();
        for (table, column) in PERSON_COLUMNS {
            // table and column come from the constant list above, never from input
            let rows = sqlx::query(&format!(
                "SELECT * FROM {table} WHERE {column} = $1 LIMIT $2"
            ))
            .bind(person)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
            if rows.is_empty() {
                continue;
            }
            let truncated = rows.len() > MAX_ROWS_PER_TABLE;
            let rows: Vec<Value> = rows.iter().take(MAX_ROWS_PER_TABLE).map(object).collect();
            records.insert(
                format!("{table}.{column}"),
                json!({ "rows": rows, "truncated": truncated }),
            );
        }
        // the log names people by their stable identity `person:ID` (entries from before
        // the committed hash scheme named them `person:ID (name)`; the space and bracket keep
        // person:1 from matching person:12)
        let audit = sqlx::query(
            "SELECT id, at, actor, actor_name, actor_party, action, subject FROM audit_log \
             WHERE actor = $1 OR actor LIKE $2 ORDER BY id LIMIT $3",
        )
        .bind(format!("person:{person}"))
        .bind(format!("person:{person} (%"))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let audit_truncated = audit.len() > MAX_ROWS_PER_TABLE;
        let audit: Vec<Value> = audit.iter().take(MAX_ROWS_PER_TABLE).map(object).collect();
        Ok(Some(json!({
            "person": object(&account),
            "records": records,
            "audit": { "rows": audit, "truncated": audit_truncated },
            "exported_at": super::now_ms(),
        })))
    }
}
