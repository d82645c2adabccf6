//! A party's answer in a round, and the dispute a `niet_akkoord` opens.
//!
//! As with role-agreement sign-offs, the answer is the party's commitment and must never be
//! lost because another part failed: the dispute is opened in a savepoint, and when that fails
//! only the savepoint is rolled back, the answer stays, the failure is written to the audit log
//! (`endorsement.dispute_failed`) and the result says `dispute.opened = false`.

use chrono::Utc;
use serde::Serialize;
use sqlx::Row;

use super::{load_round, read_answer, Answer, Round};
use crate::domain::endorsement::{AnswerState, RoundStatus};
use crate::storage::audit::{append_in, Actor};
use crate::storage::escalation::disputes::{open_refusal_dispute, NewDispute, Refusal};
use crate::storage::governance::sign_offs::DisputeResult;
use crate::storage::{now_ms, SqlStorage, StorageError};

/// An answer to store.
#[derive(Debug, Clone)]
pub struct NewAnswer<'a> {
    /// The party it is for.
    pub party_id: i64,
    /// Its state.
    pub state: AnswerState,
    /// The reservation or explanation.
    pub reservation: Option<&'a str>,
    /// The passage it is anchored to.
    pub anchor_quote: Option<&'a str>,
    /// The mandate holder answering.
    pub signed_by: i64,
    /// The content hash the signer read.
    pub expected_hash: &'a str,
}

/// A stored answer with the round after it and, for a `niet_akkoord`, the dispute.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Answered {
    /// The round after the answer.
    pub round: Round,
    /// The answer.
    pub answer: Answer,
    /// The dispute outcome of a `niet_akkoord`.
    pub dispute: Option<DisputeResult>,
}

/// What [`SqlStorage::answer_round`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// Stored.
    Answered(Box<Answered>),
    /// No such round.
    NotFound,
    /// The round is bound to another content hash (the current one).
    Stale(String),
    /// The round no longer takes answers.
    Closed(RoundStatus),
    /// The party is not asked in this round.
    NotAsked,
}

/// The dispute of a `niet_akkoord`: raised by the refusing party in the round's body, with the
/// party of the chair who opened the round, about the draft (and the anchored passage).
pub fn niet_akkoord_dispute(
    round: &Round,
    draft_title: &str,
    answer: &NewAnswer<'_>,
    opener_party: Option<i64>,
) -> NewDispute {
    let mut parties = vec![answer.party_id];
    parties.extend(opener_party.filter(|p| *p != answer.party_id));
    let mut description = format!(
        "De partij gaat niet akkoord met versie {} (inhoud {}).",
        round.version_name, round.content_hash
    );
    if let Some(reservation) = answer.reservation {
        description.push_str("\n\n");
        description.push_str(reservation);
    }
    NewDispute {
        body_id: round.body_id,
        subject_kind: "draft_passage".into(),
        subject_id: round.draft_id,
        title: format!("Niet akkoord: {draft_title} ({})", round.version_name),
        description,
        raised_by_party: answer.party_id,
        raised_by_person: Some(answer.signed_by),
        parties,
    }
}

impl SqlStorage {
    /// A mandate holder's answer for their party in `round` (as the caller read it), replacing
    /// the party's earlier one, in one transaction with its `endorsement.answer` audit entry
    /// and, for a `niet_akkoord`, the dispute it opens. Completes the round when every party
    /// has answered.
    ///
    /// # Errors
    /// Storage errors; nothing is stored then.
    pub async fn answer_round(
        &self,
        round: &Round,
        draft_title: &str,
        answer: &NewAnswer<'_>,
        by: &Actor,
    ) -> Result<AnswerOutcome, StorageError> {
        let now = Utc::now();
        let respond_by = match answer.state {
            AnswerState::NietAkkoord => Some(self.first_respond_by(round.body_id, now).await),
            _ => None,
        };
        let mut tx = self.begin_write().await?;
        // Locks the round's row (PostgreSQL) so answers and supersedes take turns.
        let touched = sqlx::query("UPDATE endorsement_rounds SET status = status WHERE id = $1")
            .bind(round.id)
            .execute(&mut *tx)
            .await?;
        if touched.rows_affected() == 0 {
            return Ok(AnswerOutcome::NotFound);
        }
        let Some(current) = load_round(&mut tx, round.id).await? else {
            return Ok(AnswerOutcome::NotFound);
        };
        if !current.status.accepts_answers() {
            return Ok(AnswerOutcome::Closed(current.status));
        }
        if current.content_hash != answer.expected_hash {
            return Ok(AnswerOutcome::Stale(current.content_hash));
        }
        if !current
            .parties
            .iter()
            .any(|p| p.party_id == answer.party_id)
        {
            return Ok(AnswerOutcome::NotAsked);
        }
        let at = now_ms();
        sqlx::query(
            "UPDATE endorsements SET superseded_at = $1 \
             WHERE round_id = $2 AND party_id = $3 AND superseded_at IS NULL",
        )
        .bind(at)
        .bind(round.id)
        .bind(answer.party_id)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "INSERT INTO endorsements (round_id, party_id, state, reservation, anchor_quote, \
             content_hash, signed_by, signed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(round.id)
        .bind(answer.party_id)
        .bind(answer.state.as_str())
        .bind(answer.reservation)
        .bind(answer.anchor_quote)
        .bind(&current.content_hash)
        .bind(answer.signed_by)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let mut result = None;
        if let Some(respond_by) = respond_by {
            let opener: Option<i64> = sqlx::query(
                "SELECT u.party_id FROM endorsement_rounds r JOIN users u ON u.id = r.opened_by \
                 WHERE r.id = $1",
            )
            .bind(round.id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("party_id"))
            .transpose()?
            .flatten();
            let dispute = niet_akkoord_dispute(&current, draft_title, answer, opener);
            let opened = open_refusal_dispute(
                &mut tx,
                &dispute,
                answer.anchor_quote,
                respond_by,
                now,
                Refusal::Endorsement(id),
            )
            .await;
            result = Some(match opened {
                Ok(dispute_id) => DisputeResult {
                    opened: true,
                    id: Some(dispute_id),
                    message: None,
                },
                Err(error) => {
                    tracing::warn!(%error, round = round.id, "opening the dispute for a niet_akkoord failed");
                    DisputeResult {
                        opened: false,
                        id: None,
                        message: Some(
                            "the answer is stored, but the dispute could not be opened; raise it by hand or answer niet_akkoord again to retry".into(),
                        ),
                    }
                }
            });
        }
        let after = load_round(&mut tx, round.id)
            .await?
            .ok_or(StorageError::AlreadyExists("endorsement round"))?;
        let all_answered = after.parties.iter().all(|p| p.answer.is_some());
        if all_answered && after.status == RoundStatus::Open {
            sqlx::query(
                "UPDATE endorsement_rounds SET status = 'afgerond', closed_at = $1 \
                 WHERE id = $2 AND status = 'open'",
            )
            .bind(at)
            .bind(round.id)
            .execute(&mut *tx)
            .await?;
        }
        let dispute_id = result.as_ref().and_then(|d| d.id);
        let mut subject = serde_json::json!({
            "round": round.id, "draft": round.draft_id, "party": answer.party_id,
            "answer": id, "state": answer.state.as_str(),
        });
        if let Some(dispute) = dispute_id {
            subject["dispute"] = dispute.into();
        }
        append_in(&mut tx, self.backend(), by, "endorsement.answer", &subject).await?;
        if result.as_ref().is_some_and(|d| !d.opened) {
            let subject = serde_json::json!({ "round": round.id, "answer": id });
            append_in(
                &mut tx,
                self.backend(),
                by,
                "endorsement.dispute_failed",
                &subject,
            )
            .await?;
        }
        let answer = read_answer(&mut tx, id).await?;
        let round = load_round(&mut tx, round.id)
            .await?
            .ok_or(StorageError::AlreadyExists("endorsement round"))?;
        tx.commit().await?;
        Ok(AnswerOutcome::Answered(Box::new(Answered {
            round,
            answer,
            dispute: result,
        })))
    }

    /// Parties of an open round without a current answer.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn parties_owing_endorsement(&self, round_id: i64) -> Result<Vec<i64>, StorageError> {
        let rows = sqlx::query(
            "SELECT ep.party_id FROM endorsement_parties ep JOIN endorsement_rounds r ON r.id = ep.round_id \
             WHERE ep.round_id = $1 AND r.status = 'open' AND NOT EXISTS (SELECT 1 FROM endorsements e \
             WHERE e.round_id = ep.round_id AND e.party_id = ep.party_id AND e.superseded_at IS NULL) \
             ORDER BY ep.party_id",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get("party_id")?)).collect()
    }
}
