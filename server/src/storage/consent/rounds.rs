//! Endorsement rounds on a version, the parties' answers and the consent records of the gate
//! (docs/DOMAIN.md §15).
//!
//! A round is read whole ([`Round`]: its parties with their current answer, mandate holders
//! and what they answered on the round it superseded). Answers are stored by [`answers`],
//! the hooks of the version and transition transactions (supersede, gate, consent record) by
//! [`hooks`], the per-body gate settings and the demo by [`settings`].

pub mod answers;
pub mod hooks;
pub mod settings;

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::domain::endorsement::{self, AnswerState, PartyState, RoundStatus};
use crate::storage::audit::{append_in, Actor};
use crate::storage::{get_decoded, now_ms, SqlStorage, StorageError};

pub use settings::demo_seed;

/// A party's answer in a round.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Answer {
    /// Database id.
    pub id: i64,
    /// Party id.
    pub party_id: i64,
    /// Party code.
    pub party: String,
    /// The answer.
    pub state: AnswerState,
    /// The reservation (voorbehoud) or the explanation of a `niet_akkoord`.
    pub reservation: Option<String>,
    /// The passage of the version it is anchored to.
    pub anchor_quote: Option<String>,
    /// The content hash it was given on.
    pub content_hash: String,
    /// Who signed.
    pub signed_by_name: Option<String>,
    /// Unix ms.
    pub signed_at: i64,
    /// The dispute a `niet_akkoord` opened.
    pub dispute_id: Option<i64>,
}

/// A party asked in a round.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct RoundParty {
    /// Party id.
    pub party_id: i64,
    /// Party code.
    pub code: String,
    /// Party name.
    pub name: String,
    /// Its current answer.
    pub answer: Option<Answer>,
    /// Names of its mandate holders in the body (who answer for it).
    pub mandate_holders: Vec<String>,
    /// Whether it is asked again ("opnieuw ter akkoord") after consenting to an older version.
    pub re_asked: bool,
    /// What it answered on the superseded round.
    pub previous_state: Option<AnswerState>,
    /// The version it answered then (compare it with this round's version).
    pub previous_version_id: Option<i64>,
}

/// An endorsement round with its parties.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Round {
    /// Database id.
    pub id: i64,
    /// The draft.
    pub draft_id: i64,
    /// Its body.
    pub body_id: i64,
    /// The version asked on.
    pub version_id: i64,
    /// Its name.
    pub version_name: String,
    /// Its content hash, which every answer is bound to.
    pub content_hash: String,
    /// Where the round is.
    pub status: RoundStatus,
    /// Whether it was opened only with no open point left.
    pub require_no_open_points: bool,
    /// The chair's note.
    pub note: Option<String>,
    /// The round this one replaced.
    pub supersedes_id: Option<i64>,
    /// Who opened it.
    pub opened_by_name: Option<String>,
    /// Unix ms.
    pub opened_at: i64,
    /// When it was completed, replaced or withdrawn.
    pub closed_at: Option<i64>,
    /// Every party answered and no `niet_akkoord` has an open dispute.
    pub complete: bool,
    /// How many `niet_akkoord` answers have an open dispute.
    pub open_niet_akkoord: i64,
    /// The parties asked.
    pub parties: Vec<RoundParty>,
}

fn party_states(parties: &[RoundParty], open_disputes: &[i64]) -> Vec<PartyState> {
    parties
        .iter()
        .map(|p| PartyState {
            party_id: p.party_id,
            code: p.code.clone(),
            state: p.answer.as_ref().map(|a| a.state),
            dispute_open: p
                .answer
                .as_ref()
                .is_some_and(|a| a.dispute_id.is_none_or(|d| open_disputes.contains(&d))),
        })
        .collect()
}

/// What opening a round did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenOutcome {
    /// Opened.
    Opened(Box<Round>),
    /// The version is not one of this draft's.
    NotOfDraft,
    /// The draft has an open round already.
    AlreadyOpen(i64),
}

/// A round to open.
pub struct NewRound<'a> {
    /// The draft.
    pub draft_id: i64,
    /// Its body.
    pub body_id: i64,
    /// The version.
    pub version_id: i64,
    /// Refused while open points are open (checked by the caller).
    pub require_no_open_points: bool,
    /// The chair's note.
    pub note: Option<&'a str>,
    /// Who opens it.
    pub by: i64,
}

const ROUND_SELECT: &str =
    "SELECT r.id, r.draft_id, r.body_id, r.version_id, v.name AS version_name, \
     r.content_hash, r.status, r.require_no_open_points, r.note, r.supersedes_id, \
     u.name AS opened_by_name, r.opened_at, r.closed_at FROM endorsement_rounds r \
     JOIN versions v ON v.id = r.version_id LEFT JOIN users u ON u.id = r.opened_by";

const ANSWER_SELECT: &str = "SELECT e.id, e.party_id, p.code AS party, e.state, e.reservation, \
     e.anchor_quote, e.content_hash, u.name AS signed_by_name, e.signed_at, e.dispute_id \
     FROM endorsements e JOIN parties p ON p.id = e.party_id LEFT JOIN users u ON u.id = e.signed_by";

pub(crate) fn answer_from_row(row: &sqlx::any::AnyRow) -> Result<Answer, StorageError> {
    Ok(Answer {
        id: row.try_get("id")?,
        party_id: row.try_get("party_id")?,
        party: row.try_get("party")?,
        state: get_decoded(row, "state", AnswerState::parse)?,
        reservation: row.try_get("reservation")?,
        anchor_quote: row.try_get("anchor_quote")?,
        content_hash: row.try_get("content_hash")?,
        signed_by_name: row.try_get("signed_by_name")?,
        signed_at: row.try_get("signed_at")?,
        dispute_id: row.try_get("dispute_id")?,
    })
}

/// One answer by id.
pub(crate) async fn read_answer(conn: &mut AnyConnection, id: i64) -> Result<Answer, StorageError> {
    let row = sqlx::query(&format!("{ANSWER_SELECT} WHERE e.id = $1"))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    answer_from_row(&row)
}

/// Loads a round whole.
pub(crate) async fn load_round(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Round>, StorageError> {
    Ok(load_round_states(conn, id).await?.map(|(round, _)| round))
}

/// Loads a round whole, with its parties as the rules see them.
pub(crate) async fn load_round_states(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<(Round, Vec<PartyState>)>, StorageError> {
    let Some(row) = sqlx::query(&format!("{ROUND_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let body_id: i64 = row.try_get("body_id")?;
    let answers = sqlx::query(&format!(
        "{ANSWER_SELECT} WHERE e.round_id = $1 AND e.superseded_at IS NULL ORDER BY e.id"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(answer_from_row)
    .collect::<Result<Vec<_>, _>>()?;
    let open_disputes: Vec<i64> = sqlx::query(
        "SELECT d.id FROM endorsements e JOIN disputes d ON d.id = e.dispute_id \
         WHERE e.round_id = $1 AND e.superseded_at IS NULL \
         AND d.status IN ('in_behandeling', 'geescaleerd')",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get("id"))
    .collect::<Result<_, _>>()?;
    let holders = sqlx::query(
        "SELECT u.party_id, u.name FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.body_id = $1 AND m.holds_mandate = 1 AND m.role <> 'observer' \
         AND u.party_id IS NOT NULL ORDER BY u.name",
    )
    .bind(body_id)
    .fetch_all(&mut *conn)
    .await?;
    let party_rows = sqlx::query(
        "SELECT ep.party_id, p.code, p.name, ep.previous_state, ep.previous_version_id \
         FROM endorsement_parties ep JOIN parties p ON p.id = ep.party_id \
         WHERE ep.round_id = $1 ORDER BY p.code",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut parties = Vec::with_capacity(party_rows.len());
    for party in &party_rows {
        let party_id: i64 = party.try_get("party_id")?;
        let mut mandate_holders = Vec::new();
        for holder in &holders {
            if holder.try_get::<i64, _>("party_id")? == party_id {
                mandate_holders.push(holder.try_get("name")?);
            }
        }
        let previous_state = party
            .try_get::<Option<String>, _>("previous_state")?
            .and_then(|s| AnswerState::parse(&s));
        parties.push(RoundParty {
            party_id,
            code: party.try_get("code")?,
            name: party.try_get("name")?,
            answer: answers.iter().find(|a| a.party_id == party_id).cloned(),
            mandate_holders,
            re_asked: previous_state.is_some(),
            previous_state,
            previous_version_id: party.try_get("previous_version_id")?,
        });
    }
    let states = party_states(&parties, &open_disputes);
    let open_niet_akkoord =
        i64::try_from(endorsement::open_niet_akkoord(&states).len()).unwrap_or(i64::MAX);
    let round = Round {
        id,
        draft_id: row.try_get("draft_id")?,
        body_id,
        version_id: row.try_get("version_id")?,
        version_name: row.try_get("version_name")?,
        content_hash: row.try_get("content_hash")?,
        status: get_decoded(&row, "status", RoundStatus::parse)?,
        require_no_open_points: row.try_get::<i64, _>("require_no_open_points")? != 0,
        note: row.try_get("note")?,
        supersedes_id: row.try_get("supersedes_id")?,
        opened_by_name: row.try_get("opened_by_name")?,
        opened_at: row.try_get("opened_at")?,
        closed_at: row.try_get("closed_at")?,
        complete: endorsement::complete(&states),
        open_niet_akkoord,
        parties,
    };
    Ok(Some((round, states)))
}

/// The draft's current round: its newest that is `open` or `afgerond`.
pub(crate) async fn current_round_id(
    conn: &mut AnyConnection,
    draft_id: i64,
) -> Result<Option<i64>, StorageError> {
    let row = sqlx::query(
        "SELECT id FROM endorsement_rounds WHERE draft_id = $1 \
         AND status IN ('open', 'afgerond') ORDER BY id DESC LIMIT 1",
    )
    .bind(draft_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

/// Inserts a round on `version_id` with the given parties (no audit entry); returns its id.
pub(crate) async fn insert_round(
    conn: &mut AnyConnection,
    new: &NewRound<'_>,
    content_hash: &str,
    supersedes: Option<i64>,
    parties: &[(i64, Option<AnswerState>, Option<i64>)],
) -> Result<i64, StorageError> {
    let row = sqlx::query(
        "INSERT INTO endorsement_rounds (draft_id, body_id, version_id, content_hash, status, \
         require_no_open_points, note, supersedes_id, opened_by, opened_at) \
         VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(new.draft_id)
    .bind(new.body_id)
    .bind(new.version_id)
    .bind(content_hash)
    .bind(i64::from(new.require_no_open_points))
    .bind(new.note)
    .bind(supersedes)
    .bind(new.by)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    for (party, previous_state, previous_version) in parties {
        sqlx::query(
            "INSERT INTO endorsement_parties (round_id, party_id, previous_state, previous_version_id) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(party)
        .bind(previous_state.map(AnswerState::as_str))
        .bind(*previous_version)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

impl SqlStorage {
    /// One round.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_round(&self, id: i64) -> Result<Option<Round>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        load_round(&mut conn, id).await
    }

    /// A draft's rounds, newest first.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_rounds(&self, draft_id: i64) -> Result<Vec<Round>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        let ids: Vec<i64> =
            sqlx::query("SELECT id FROM endorsement_rounds WHERE draft_id = $1 ORDER BY id DESC")
                .bind(draft_id)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(load_round(&mut conn, id).await?);
        }
        Ok(out)
    }

    /// The draft's current round (`open` or `afgerond`), if any.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn current_round(&self, draft_id: i64) -> Result<Option<Round>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        match current_round_id(&mut conn, draft_id).await? {
            Some(id) => load_round(&mut conn, id).await,
            None => Ok(None),
        }
    }

    /// Opens a round on a version of the draft for the body's member parties, with the
    /// `endorsement.open` audit entry.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn open_round(
        &self,
        new: &NewRound<'_>,
        actor: &Actor,
    ) -> Result<OpenOutcome, StorageError> {
        let mut tx = self.begin_write().await?;
        let version =
            sqlx::query("SELECT content_hash FROM versions WHERE id = $1 AND draft_id = $2")
                .bind(new.version_id)
                .bind(new.draft_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(version) = version else {
            return Ok(OpenOutcome::NotOfDraft);
        };
        let hash: String = version.try_get("content_hash")?;
        let open = sqlx::query(
            "SELECT id FROM endorsement_rounds WHERE draft_id = $1 AND status = 'open' LIMIT 1",
        )
        .bind(new.draft_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(open) = open {
            return Ok(OpenOutcome::AlreadyOpen(open.try_get("id")?));
        }
        let parties: Vec<(i64, Option<AnswerState>, Option<i64>)> = sqlx::query(
            "SELECT party_id FROM body_parties WHERE body_id = $1 AND participation = 'member' \
             ORDER BY party_id",
        )
        .bind(new.body_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("party_id")?, None, None)))
        .collect::<Result<_, StorageError>>()?;
        let id = insert_round(&mut tx, new, &hash, None, &parties).await?;
        let subject =
            serde_json::json!({ "round": id, "draft": new.draft_id, "version": new.version_id });
        append_in(&mut tx, self.backend(), actor, "endorsement.open", &subject).await?;
        let round = load_round(&mut tx, id)
            .await?
            .ok_or(StorageError::AlreadyExists("endorsement round"))?;
        tx.commit().await?;
        Ok(OpenOutcome::Opened(Box::new(round)))
    }

    /// Withdraws an `open` or `afgerond` round, with the `endorsement.withdraw` audit entry.
    /// `Ok(Err(status))` when it is already replaced or withdrawn.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn withdraw_round(
        &self,
        id: i64,
        actor: &Actor,
    ) -> Result<Result<Round, RoundStatus>, StorageError> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE endorsement_rounds SET status = 'ingetrokken', closed_at = $1 \
             WHERE id = $2 AND status IN ('open', 'afgerond')",
        )
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            let round = load_round(&mut tx, id)
                .await?
                .ok_or(StorageError::AlreadyExists("endorsement round"))?;
            return Ok(Err(round.status));
        }
        let subject = serde_json::json!({ "round": id });
        append_in(
            &mut tx,
            self.backend(),
            actor,
            "endorsement.withdraw",
            &subject,
        )
        .await?;
        let round = load_round(&mut tx, id)
            .await?
            .ok_or(StorageError::AlreadyExists("endorsement round"))?;
        tx.commit().await?;
        Ok(Ok(round))
    }

    /// Open rounds for the request job: id, body, draft, draft title, opened at.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn rounds_for_requests(
        &self,
    ) -> Result<Vec<(i64, i64, i64, String, i64)>, StorageError> {
        let rows = sqlx::query(
            "SELECT r.id, r.body_id, r.draft_id, d.title, r.opened_at FROM endorsement_rounds r \
             JOIN drafts d ON d.id = r.draft_id WHERE r.status = 'open' ORDER BY r.id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("body_id")?,
                    r.try_get("draft_id")?,
                    r.try_get("title")?,
                    r.try_get("opened_at")?,
                ))
            })
            .collect()
    }
}
