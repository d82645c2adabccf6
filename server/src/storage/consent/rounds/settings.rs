//! A body's consent gate (whether `vastgesteld` and `aangeboden` need a completed round), and
//! the demo's endorsement round.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::answers::NewAnswer;
use super::NewRound;
use crate::domain::endorsement::AnswerState;
use crate::storage::audit::{append_in, Actor};
use crate::storage::{SqlStorage, StorageError};

/// Whether a body's steps need a completed endorsement round.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ConsentSettings {
    /// `vastgesteld` needs a completed round on the content being frozen.
    pub require_for_vastgesteld: bool,
    /// `aangeboden` needs a completed round on the content being frozen.
    pub require_for_aangeboden: bool,
}

impl SqlStorage {
    /// A body's consent settings (both off when never set).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn consent_settings(&self, body_id: i64) -> Result<ConsentSettings, StorageError> {
        let row = sqlx::query(
            "SELECT require_for_vastgesteld, require_for_aangeboden FROM consent_settings \
             WHERE body_id = $1",
        )
        .bind(body_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(ConsentSettings::default());
        };
        Ok(ConsentSettings {
            require_for_vastgesteld: row.try_get::<i64, _>("require_for_vastgesteld")? != 0,
            require_for_aangeboden: row.try_get::<i64, _>("require_for_aangeboden")? != 0,
        })
    }

    /// Sets a body's consent settings, with the `consent_settings.put` audit entry.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn put_consent_settings(
        &self,
        body_id: i64,
        settings: ConsentSettings,
        actor: &Actor,
    ) -> Result<ConsentSettings, StorageError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO consent_settings (body_id, require_for_vastgesteld, require_for_aangeboden) \
             VALUES ($1, $2, $3) ON CONFLICT (body_id) DO UPDATE SET \
             require_for_vastgesteld = excluded.require_for_vastgesteld, \
             require_for_aangeboden = excluded.require_for_aangeboden",
        )
        .bind(body_id)
        .bind(i64::from(settings.require_for_vastgesteld))
        .bind(i64::from(settings.require_for_aangeboden))
        .execute(&mut *tx)
        .await?;
        let subject = serde_json::json!({
            "body": body_id,
            "require_for_vastgesteld": settings.require_for_vastgesteld,
            "require_for_aangeboden": settings.require_for_aangeboden,
        });
        append_in(
            &mut tx,
            self.backend(),
            actor,
            "consent_settings.put",
            &subject,
        )
        .await?;
        tx.commit().await?;
        Ok(settings)
    }
}

/// The sentence of the demo draft FMS's reservation is anchored to.
pub const DEMO_ANCHOR: &str =
    "Overheid en veldpartijen ontwikkelen vanaf Q3 2025 een duidelijke startovereenkomst.";

/// The demo working group's name.
const GROUP: &str = "Werkgroep Beter pakketbeheer";

async fn person(db: &SqlStorage, email: &str) -> Result<Option<(i64, String)>, StorageError> {
    Ok(db
        .find_user_by_email(email)
        .await?
        .map(|u| (u.id, u.name.clone())))
}

/// The demo's part of this module (see [`super::super::demo`]): a version of the demo draft
/// (frozen here when it has none; the draft stays in `concept`) with an open round on it, ZIN
/// `akkoord`, FMS `akkoord_met_voorbehoud` anchored to a sentence, the other parties pending.
///
/// # Errors
/// Storage errors.
pub async fn demo_seed(db: &SqlStorage) -> Result<(), StorageError> {
    let draft = sqlx::query(
        "SELECT d.id, d.body_id, d.title, d.doc_id FROM drafts d JOIN bodies b ON b.id = d.body_id \
         WHERE b.name = $1 ORDER BY d.id LIMIT 1",
    )
    .bind(GROUP)
    .fetch_optional(db.pool())
    .await?;
    let Some(draft) = draft else { return Ok(()) };
    let (draft_id, body_id, title, doc_id): (i64, i64, String, String) = (
        draft.try_get("id")?,
        draft.try_get("body_id")?,
        draft.try_get("title")?,
        draft.try_get("doc_id")?,
    );
    if !db.list_rounds(draft_id).await?.is_empty() {
        return Ok(());
    }
    let (Some((chair, chair_name)), Some((joost, joost_name)), Some((fatima, fatima_name))) = (
        person(db, "anna@vws.demo").await?,
        person(db, "joost@zin.demo").await?,
        person(db, "fatima@fms.demo").await?,
    ) else {
        return Ok(());
    };
    let actor = Actor::person(chair, &chair_name, Some("VWS".into()));
    let by = (chair, &actor);
    let latest = super::super::demo::latest_version(db, draft_id, &doc_id, "Ter instemming", by);
    let Some(version) = latest.await?.map(|v| v.id) else {
        return Ok(());
    };
    let new = NewRound {
        draft_id,
        body_id,
        version_id: version,
        require_no_open_points: false,
        note: Some("Graag uw akkoord op deze versie van het advies."),
        by: chair,
    };
    let super::OpenOutcome::Opened(round) = db.open_round(&new, &actor).await? else {
        return Ok(());
    };
    let answers = [
        ("ZIN", (joost, joost_name), AnswerState::Akkoord, None, None),
        (
            "FMS",
            (fatima, fatima_name),
            AnswerState::AkkoordMetVoorbehoud,
            Some("Akkoord, mits de startovereenkomst ook de bekostiging van richtlijnontwikkeling regelt."),
            Some(DEMO_ANCHOR),
        ),
    ];
    for (code, (signer, name), state, reservation, anchor_quote) in answers {
        let Some(party) = round.parties.iter().find(|p| p.code == code) else {
            continue;
        };
        let answer = NewAnswer {
            party_id: party.party_id,
            state,
            reservation,
            anchor_quote,
            signed_by: signer,
            expected_hash: &round.content_hash,
        };
        let by = Actor::person(signer, &name, Some(code.into()));
        db.answer_round(&round, &title, &answer, &by).await?;
    }
    Ok(())
}
