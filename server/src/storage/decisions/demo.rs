//! Demo data (docs/DOMAIN.md §10, §14): the working group's two requests to the BO-IZA, with
//! their outcomes: the BO agreed to set up the group (6 March 2024), and to continue it until
//! March 2025 on conditions, with the follow-up milestone to put the advice to the BO in the
//! first quarter of 2025. Runs after the meetings demo: the meetings are looked up by body and
//! day, and a request whose meeting is missing is put without one. Nothing happens when the
//! bodies or people are missing or the BO-IZA has requests already.

use chrono::NaiveDate;
use sqlx::Row;

use super::outcomes::{FollowUpInput, RecordOutcome};
use super::requests::RequestFields;
use super::DecisionError;
use crate::domain::decision::{outcome_text, request_text};
use crate::domain::fuzzy_date::{self, ParseContext};
use crate::domain::owner_role::OwnerRole;
use crate::storage::audit::Actor;
use crate::storage::governance::milestones::Due;
use crate::storage::{SqlStorage, StorageError};

const GROUP: &str = "Werkgroep Beter pakketbeheer";
const BO: &str = "Bestuurlijk Overleg IZA (BO-IZA)";

async fn body_id(db: &SqlStorage, name: &str) -> Result<Option<i64>, StorageError> {
    Ok(db.find_body_by_name(name).await?.map(|b| b.id))
}

async fn person(db: &SqlStorage, email: &str) -> Result<Option<(i64, Actor)>, StorageError> {
    Ok(db.find_user_by_email(email).await?.map(|user| {
        (
            user.id,
            Actor::person(user.id, &user.name, Some("VWS".into())),
        )
    }))
}

/// The first meeting of `body` on the Dutch day `day`.
async fn meeting_on(
    db: &SqlStorage,
    body: i64,
    day: NaiveDate,
) -> Result<Option<i64>, StorageError> {
    let start = crate::domain::dutch_time::at_local_hour(day, 0).timestamp_millis();
    let end = day.succ_opt().map_or(start + 86_400_000, |next| {
        crate::domain::dutch_time::at_local_hour(next, 0).timestamp_millis()
    });
    let row = sqlx::query(
        "SELECT id FROM meetings WHERE body_id = $1 AND starts_at >= $2 AND starts_at < $3 \
         ORDER BY starts_at, id LIMIT 1",
    )
    .bind(body)
    .bind(start)
    .bind(end)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

fn invalid(error: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt {
        column: "demo decision",
        value: error.to_string(),
    }
}

fn flat(error: DecisionError) -> StorageError {
    match error {
        DecisionError::Storage(e) => e,
        DecisionError::Conflict(message) => invalid(message),
    }
}

/// Adds the demo requests and their outcomes.
///
/// # Errors
/// Storage errors.
pub async fn seed(db: &SqlStorage) -> Result<(), StorageError> {
    let (Some(group), Some(bo)) = (body_id(db, GROUP).await?, body_id(db, BO).await?) else {
        return Ok(());
    };
    let (Some(bram), Some(willem)) = (
        person(db, "bram@vws.demo").await?,
        person(db, "willem@vws.demo").await?,
    ) else {
        return Ok(());
    };
    if db.list_decision_requests(bo, None, (0, 1)).await?.1 > 0 {
        return Ok(());
    }
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| invalid("day"));

    // (1) the BO of 4 March 2024 agreed to set up the group and its assignment
    let first = db
        .create_decision_request(
            bo,
            &RequestFields {
                text: request_text(
                    "Instemming met werkgroep en opdracht",
                    "Gaat het BO akkoord met het instellen van de IZA-werkgroep Beter pakketbeheer en haar opdracht?",
                    &["Akkoord".into(), "Niet akkoord".into()],
                    "Het BO-IZA wordt gevraagd in te stemmen met de werkgroep en haar opdracht.",
                    Some("2024-03-04"),
                )
                .map_err(invalid)?,
                requesting_body_id: Some(group),
                meeting_id: meeting_on(db, bo, day(2024, 3, 4)?).await?,
                version_id: None,
            },
            (bram.0, &bram.1),
        )
        .await?;
    let agreed = outcome_text(
        "akkoord",
        "2024-03-06",
        "Het BO stemde op 6 maart 2024 in met de werkgroep en de opdracht.",
        None,
        Some("Werkgroep Beter pakketbeheer"),
    )
    .map_err(invalid)?;
    db.record_outcome(
        first.summary.id,
        &RecordOutcome {
            text: &agreed,
            meeting_id: None,
            follow_ups: vec![],
            close_dispute: None,
            open_dispute: None,
            person: willem.0,
        },
        &willem.1,
    )
    .await
    .map_err(flat)?;

    // (2) the BO of 26 September 2024 agreed, on conditions, to continue it until March 2025
    let second = db
        .create_decision_request(
            bo,
            &RequestFields {
                text: request_text(
                    "Continuering van de werkgroep tot maart 2025",
                    "Gaat het BO akkoord met continuering van de werkgroep Beter pakketbeheer tot maart 2025, met de genoemde onderwerpen en aangescherpte opdracht?",
                    &[
                        "Akkoord".into(),
                        "Akkoord onder voorwaarden".into(),
                        "Niet akkoord".into(),
                    ],
                    "Het BO-IZA wordt gevraagd in te stemmen met de continuering en de aangescherpte opdracht.",
                    Some("2024-09-26"),
                )
                .map_err(invalid)?,
                requesting_body_id: Some(group),
                meeting_id: meeting_on(db, bo, day(2024, 9, 26)?).await?,
                version_id: None,
            },
            (bram.0, &bram.1),
        )
        .await?;
    let on_conditions = outcome_text(
        "akkoord_onder_voorwaarden",
        "2024-09-26",
        "Het BO stemde in met de continuering van de werkgroep tot maart 2025.",
        Some("Met de genoemde onderwerpen en de aangescherpte opdracht; het advies komt in het eerste kwartaal van 2025 voor akkoord naar het BO-IZA."),
        Some("Werkgroep Beter pakketbeheer"),
    )
    .map_err(invalid)?;
    let owners = match db.resolve_party("VWS").await? {
        Some(vws) => vec![(vws, OwnerRole::Lead)],
        None => vec![],
    };
    db.record_outcome(
        second.summary.id,
        &RecordOutcome {
            text: &on_conditions,
            meeting_id: None,
            follow_ups: vec![FollowUpInput {
                body_id: group,
                title: "Advies voorleggen aan het BO-IZA voor akkoord".into(),
                due: Due::from_fuzzy(&fuzzy_date::parse("Q1 2025", &ParseContext::default())),
                owners,
            }],
            close_dispute: None,
            open_dispute: None,
            person: willem.0,
        },
        &willem.1,
    )
    .await
    .map_err(flat)?;
    Ok(())
}
