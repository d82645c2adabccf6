//! The decision register: writing a decision inside another change's transaction (a request's
//! outcome, a draft reaching `besloten`, a resolved dispute) and reading the register with its
//! filter.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};

use crate::domain::decision::{
    like_pattern, Decision, DecisionSource, FollowUp, Outcome, RegisterFilter,
};
use crate::domain::dispute::Dispute;
use crate::storage::{get_decoded, now_ms, SqlStorage, StorageError};

/// Whose decisions a reader sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every body's (administrators).
    All,
    /// The decisions of these bodies, and those on requests these bodies made.
    Bodies(Vec<i64>),
}

/// A decision to write.
#[derive(Debug, Clone)]
pub struct NewDecision<'a> {
    /// The body that decided.
    pub body_id: i64,
    /// Where it comes from.
    pub source: DecisionSource,
    /// The request (source `decision_request`).
    pub decision_request_id: Option<i64>,
    /// The draft.
    pub draft_id: Option<i64>,
    /// The version.
    pub version_id: Option<i64>,
    /// The dispute.
    pub dispute_id: Option<i64>,
    /// The meeting.
    pub meeting_id: Option<i64>,
    /// Title.
    pub title: &'a str,
    /// Topic.
    pub topic: Option<&'a str>,
    /// Outcome.
    pub outcome: Outcome,
    /// Conditions.
    pub conditions: Option<&'a str>,
    /// Rationale.
    pub rationale: &'a str,
    /// Day decided.
    pub decided_on: String,
    /// A dispute it closed.
    pub closed_dispute_id: Option<i64>,
    /// Who recorded it.
    pub recorded_by: Option<i64>,
    /// Its audit entry, when already written.
    pub audit_id: Option<i64>,
    /// The parties it concerns.
    pub parties: Vec<i64>,
}

/// Inserts a decision and its parties inside `tx`; returns its id.
///
/// # Errors
/// Storage errors.
pub(crate) async fn insert_decision_in(
    tx: &mut Transaction<'_, Any>,
    new: &NewDecision<'_>,
) -> Result<i64, StorageError> {
    let row = sqlx::query(
        "INSERT INTO decisions (body_id, source, decision_request_id, draft_id, version_id, \
         dispute_id, meeting_id, title, topic, outcome, conditions, rationale, decided_on, \
         closed_dispute_id, recorded_by, recorded_at, audit_id) VALUES ($1, $2, $3, $4, $5, $6, \
         $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
    )
    .bind(new.body_id)
    .bind(new.source.as_str())
    .bind(new.decision_request_id)
    .bind(new.draft_id)
    .bind(new.version_id)
    .bind(new.dispute_id)
    .bind(new.meeting_id)
    .bind(new.title)
    .bind(new.topic)
    .bind(new.outcome.as_str())
    .bind(new.conditions)
    .bind(new.rationale)
    .bind(&new.decided_on)
    .bind(new.closed_dispute_id)
    .bind(new.recorded_by)
    .bind(now_ms())
    .bind(new.audit_id)
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    add_parties_in(tx, id, &new.parties).await?;
    Ok(id)
}

/// Adds parties to a decision (each once).
pub(crate) async fn add_parties_in(
    tx: &mut Transaction<'_, Any>,
    decision_id: i64,
    parties: &[i64],
) -> Result<(), StorageError> {
    for party in parties {
        sqlx::query(
            "INSERT INTO decision_parties (decision_id, party_id) VALUES ($1, $2) \
             ON CONFLICT (decision_id, party_id) DO NOTHING",
        )
        .bind(decision_id)
        .bind(party)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The parties that take part in a body as members (not the informed ones).
pub(crate) async fn member_parties(
    conn: &mut AnyConnection,
    body_id: i64,
) -> Result<Vec<i64>, StorageError> {
    let rows = sqlx::query(
        "SELECT party_id FROM body_parties WHERE body_id = $1 AND participation = 'member' \
         ORDER BY party_id",
    )
    .bind(body_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get("party_id")?)).collect()
}

fn today() -> String {
    crate::domain::dutch_time::today()
        .format("%Y-%m-%d")
        .to_string()
}

/// Writes the register's entry of a draft that reached `besloten`, inside the transition's
/// transaction, after its audit entry `audit_id`: the frozen version, the note as the
/// rationale, the body's member parties, the draft's title.
///
/// # Errors
/// Storage errors.
pub(crate) async fn record_draft_decision_in(
    tx: &mut Transaction<'_, Any>,
    draft_id: i64,
    version_id: Option<i64>,
    note: Option<&str>,
    by: i64,
    audit_id: i64,
) -> Result<i64, StorageError> {
    let row = sqlx::query("SELECT body_id, title FROM drafts WHERE id = $1")
        .bind(draft_id)
        .fetch_one(&mut **tx)
        .await?;
    let body_id: i64 = row.try_get("body_id")?;
    let title: String = row.try_get("title")?;
    let parties = member_parties(tx, body_id).await?;
    insert_decision_in(
        tx,
        &NewDecision {
            body_id,
            source: DecisionSource::Draft,
            decision_request_id: None,
            draft_id: Some(draft_id),
            version_id,
            dispute_id: None,
            meeting_id: None,
            title: &title,
            topic: None,
            outcome: Outcome::Besloten,
            conditions: None,
            rationale: note.unwrap_or_default(),
            decided_on: today(),
            closed_dispute_id: None,
            recorded_by: Some(by),
            audit_id: Some(audit_id),
            parties,
        },
    )
    .await
}

/// Writes the register's entry of a resolved dispute, inside the resolution's transaction,
/// after its audit entry `audit_id`: decided by `body_id` (the forum at the dispute's level, or
/// its own body), the decision text as the rationale, the dispute's parties.
///
/// # Errors
/// Storage errors.
pub(crate) async fn record_dispute_decision_in(
    tx: &mut Transaction<'_, Any>,
    dispute: &Dispute,
    body_id: i64,
    text: &str,
    by: i64,
    audit_id: i64,
) -> Result<i64, StorageError> {
    insert_decision_in(
        tx,
        &NewDecision {
            body_id,
            source: DecisionSource::Dispute,
            decision_request_id: None,
            draft_id: None,
            version_id: None,
            dispute_id: Some(dispute.id),
            meeting_id: None,
            title: &dispute.title,
            topic: None,
            outcome: Outcome::Besloten,
            conditions: None,
            rationale: text,
            decided_on: today(),
            closed_dispute_id: Some(dispute.id),
            recorded_by: Some(by),
            audit_id: Some(audit_id),
            parties: dispute.parties.iter().map(|p| p.party_id).collect(),
        },
    )
    .await
}

const DECISION_SELECT: &str = "SELECT d.id, d.body_id, b.name AS body_name, d.source, \
     d.decision_request_id, d.draft_id, d.version_id, d.dispute_id, d.meeting_id, \
     m.title AS meeting_title, d.title, d.topic, d.outcome, d.conditions, d.rationale, \
     d.decided_on, d.opened_dispute_id, d.closed_dispute_id, u.name AS recorded_by_name, \
     d.recorded_at, a.hash AS audit_hash \
     FROM decisions d JOIN bodies b ON b.id = d.body_id \
     LEFT JOIN meetings m ON m.id = d.meeting_id \
     LEFT JOIN users u ON u.id = d.recorded_by \
     LEFT JOIN audit_log a ON a.id = d.audit_id \
     LEFT JOIN decision_requests r ON r.id = d.decision_request_id";

fn decision_from_row(row: &AnyRow) -> Result<Decision, StorageError> {
    Ok(Decision {
        id: row.try_get("id")?,
        body_id: row.try_get("body_id")?,
        body_name: row.try_get("body_name")?,
        source: get_decoded(row, "source", DecisionSource::parse)?,
        decision_request_id: row.try_get("decision_request_id")?,
        draft_id: row.try_get("draft_id")?,
        version_id: row.try_get("version_id")?,
        dispute_id: row.try_get("dispute_id")?,
        meeting_id: row.try_get("meeting_id")?,
        meeting_title: row.try_get("meeting_title")?,
        title: row.try_get("title")?,
        topic: row.try_get("topic")?,
        outcome: get_decoded(row, "outcome", Outcome::parse)?,
        conditions: row.try_get("conditions")?,
        rationale: row.try_get("rationale")?,
        decided_on: row.try_get("decided_on")?,
        parties: Vec::new(),
        follow_up_milestones: Vec::new(),
        opened_dispute_id: row.try_get("opened_dispute_id")?,
        closed_dispute_id: row.try_get("closed_dispute_id")?,
        recorded_by: row.try_get("recorded_by_name")?,
        recorded_at: row.try_get("recorded_at")?,
        audit_hash: row.try_get("audit_hash")?,
    })
}

/// Reads decisions by `where_sql` (binding `ids` in order) with their parties and follow-ups.
async fn decisions_where(
    conn: &mut AnyConnection,
    where_sql: &str,
    ids: &[i64],
) -> Result<Vec<Decision>, StorageError> {
    let sql = format!("{DECISION_SELECT} {where_sql} ORDER BY d.decided_on DESC, d.id DESC");
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut decisions = rows
        .iter()
        .map(decision_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    complete(conn, &mut decisions).await?;
    Ok(decisions)
}

/// Fills in the parties and follow-up milestones of `decisions`.
async fn complete(
    conn: &mut AnyConnection,
    decisions: &mut [Decision],
) -> Result<(), StorageError> {
    if decisions.is_empty() {
        return Ok(());
    }
    let list = decisions
        .iter()
        .map(|d| d.id.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let parties = sqlx::query(&format!(
        "SELECT dp.decision_id, p.code FROM decision_parties dp JOIN parties p ON p.id = dp.party_id \
         WHERE dp.decision_id IN ({list}) ORDER BY p.code"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let follow_ups = sqlx::query(&format!(
        "SELECT dm.decision_id, m.id, m.title, m.due_raw FROM decision_milestones dm \
         JOIN milestones m ON m.id = dm.milestone_id WHERE dm.decision_id IN ({list}) ORDER BY m.id"
    ))
    .fetch_all(&mut *conn)
    .await?;
    for decision in decisions.iter_mut() {
        for row in &parties {
            if row.try_get::<i64, _>("decision_id")? == decision.id {
                decision.parties.push(row.try_get("code")?);
            }
        }
        for row in &follow_ups {
            if row.try_get::<i64, _>("decision_id")? == decision.id {
                decision.follow_up_milestones.push(FollowUp {
                    id: row.try_get("id")?,
                    title: row.try_get("title")?,
                    due: row.try_get("due_raw")?,
                });
            }
        }
    }
    Ok(())
}

/// One decision, read on `conn`.
pub(crate) async fn load_decision(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Decision>, StorageError> {
    Ok(decisions_where(conn, "WHERE d.id = $1", &[id]).await?.pop())
}

/// The decisions on one request, newest first, read on `conn`.
pub(crate) async fn request_decisions(
    conn: &mut AnyConnection,
    request_id: i64,
) -> Result<Vec<Decision>, StorageError> {
    decisions_where(conn, "WHERE d.decision_request_id = $1", &[request_id]).await
}

/// A bound value of the register's query.
enum Bind {
    Int(i64),
    Text(String),
}

/// The register's `WHERE` clause and its values.
fn register_where(
    scope: &Scope,
    filter: &RegisterFilter,
    party: Option<i64>,
) -> (String, Vec<Bind>) {
    let mut clauses = Vec::new();
    let mut binds = Vec::new();
    let next = |binds: &mut Vec<Bind>, value: Bind| {
        binds.push(value);
        format!("${}", binds.len())
    };
    if let Scope::Bodies(ids) = scope {
        if ids.is_empty() {
            clauses.push("1 = 0".to_owned());
        } else {
            let list = ids
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            clauses.push(format!(
                "(d.body_id IN ({list}) OR r.requesting_body_id IN ({list}))"
            ));
        }
    }
    if let Some(body) = filter.body {
        let p = next(&mut binds, Bind::Int(body));
        clauses.push(format!("d.body_id = {p}"));
    }
    if let Some(from) = filter.period.from {
        let p = next(&mut binds, Bind::Text(from.format("%Y-%m-%d").to_string()));
        clauses.push(format!("d.decided_on >= {p}"));
    }
    if let Some(to) = filter.period.to {
        let p = next(&mut binds, Bind::Text(to.format("%Y-%m-%d").to_string()));
        clauses.push(format!("d.decided_on <= {p}"));
    }
    if let Some(q) = &filter.q {
        let p = next(&mut binds, Bind::Text(like_pattern(q)));
        clauses.push(format!(
            "(LOWER(d.title) LIKE {p} ESCAPE '\\' OR LOWER(d.rationale) LIKE {p} ESCAPE '\\' \
             OR LOWER(COALESCE(d.conditions, '')) LIKE {p} ESCAPE '\\' \
             OR LOWER(COALESCE(d.topic, '')) LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(topic) = &filter.topic {
        let p = next(&mut binds, Bind::Text(topic.clone()));
        clauses.push(format!("LOWER(COALESCE(d.topic, '')) = {p}"));
    }
    if let Some(source) = filter.source {
        let p = next(&mut binds, Bind::Text(source.as_str().to_owned()));
        clauses.push(format!("d.source = {p}"));
    }
    if let Some(party) = party {
        let p = next(&mut binds, Bind::Int(party));
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM decision_parties dp WHERE dp.decision_id = d.id AND \
             (dp.party_id = {p} \
              OR dp.party_id IN (SELECT collective_id FROM collective_members WHERE member_id = {p}) \
              OR dp.party_id IN (SELECT member_id FROM collective_members WHERE collective_id = {p})))"
        ));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, binds)
}

impl SqlStorage {
    /// The register as `scope` may see it, filtered, newest first: `limit` from `offset`, and
    /// the total. `party` is the filter's party, resolved.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_decisions(
        &self,
        scope: &Scope,
        filter: &RegisterFilter,
        party: Option<i64>,
        (offset, limit): (i64, i64),
    ) -> Result<(Vec<Decision>, i64), StorageError> {
        let (where_sql, binds) = register_where(scope, filter, party);
        let mut conn = self.pool().acquire().await?;
        let count_sql = format!(
            "SELECT COUNT(*) AS n FROM decisions d LEFT JOIN decision_requests r \
             ON r.id = d.decision_request_id {where_sql}"
        );
        let mut count = sqlx::query(&count_sql);
        for bind in &binds {
            count = match bind {
                Bind::Int(v) => count.bind(*v),
                Bind::Text(v) => count.bind(v.as_str()),
            };
        }
        let total: i64 = count.fetch_one(&mut *conn).await?.try_get("n")?;
        let page_sql = format!(
            "{DECISION_SELECT} {where_sql} ORDER BY d.decided_on DESC, d.id DESC LIMIT {limit} OFFSET {offset}",
            limit = limit.max(0),
            offset = offset.max(0)
        );
        let mut page = sqlx::query(&page_sql);
        for bind in &binds {
            page = match bind {
                Bind::Int(v) => page.bind(*v),
                Bind::Text(v) => page.bind(v.as_str()),
            };
        }
        let rows = page.fetch_all(&mut *conn).await?;
        let mut decisions = rows
            .iter()
            .map(decision_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        complete(&mut conn, &mut decisions).await?;
        Ok((decisions, total))
    }

    /// One decision with the requesting body of its request (for access).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_decision(
        &self,
        id: i64,
    ) -> Result<Option<(Decision, Option<i64>)>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        let Some(decision) = load_decision(&mut conn, id).await? else {
            return Ok(None);
        };
        let requesting = match decision.decision_request_id {
            Some(request) => {
                sqlx::query("SELECT requesting_body_id FROM decision_requests WHERE id = $1")
                    .bind(request)
                    .fetch_optional(&mut *conn)
                    .await?
                    .map(|r| r.try_get::<Option<i64>, _>("requesting_body_id"))
                    .transpose()?
                    .flatten()
            }
            None => None,
        };
        Ok(Some((decision, requesting)))
    }

    /// The bodies a person may read: those they are a member of (in any role).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn readable_bodies(&self, person: i64) -> Result<Vec<i64>, StorageError> {
        let rows =
            sqlx::query("SELECT body_id FROM memberships WHERE user_id = $1 ORDER BY body_id")
                .bind(person)
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(|r| Ok(r.try_get("body_id")?)).collect()
    }
}
