//! The demo's open points (docs/DOMAIN.md §17): the markers of the demo draft offered, one
//! accepted with an owner and a due day.

use super::PointChange;
use crate::domain::open_points::{PointKind, PointStatus};
use crate::storage::audit::Actor;
use crate::storage::{SqlStorage, StorageError};

/// The demo draft's sentence with its markers (the last paragraph of `crate::demo`'s advice
/// text), from the first marker on: detection in the live text gives the same keys.
const DEMO_MARKED: &str = "[PM bespreekpunt: rol van de zorgverzekeraars] Het plan ligt uiterlijk \
     [uiterlijke datum] bij het BO-IZA.";

/// The demo's part of this module (see [`super::demo`]): the two markers of the demo draft
/// offered, the bespreekpunt accepted with ZN as owner and a due day ten working days ahead,
/// the date placeholder left `voorgesteld`.
///
/// # Errors
/// Storage errors.
pub async fn demo_seed(db: &SqlStorage) -> Result<(), StorageError> {
    let Some(body) = db.find_body_by_name("Werkgroep Beter pakketbeheer").await? else {
        return Ok(());
    };
    let (drafts, _) = db.list_drafts(body.id, 0, 50).await?;
    let Some(draft) = drafts
        .into_iter()
        .find(|d| d.doc_id == "advies-beter-pakketbeheer")
    else {
        return Ok(());
    };
    let Some(secretary) = db.find_user_by_email("bram@vws.demo").await? else {
        return Ok(());
    };
    let actor = Actor::person(secretary.id, &secretary.name, Some("VWS".into()));
    let markers = crate::domain::open_points::detect(&[DEMO_MARKED]);
    let proposed = db
        .propose_markers(draft.id, &markers, secretary.id, &actor)
        .await?;
    let Some(point) = proposed.iter().find(|p| p.kind == PointKind::Bespreekpunt) else {
        return Ok(());
    };
    let owner = match db.point_owner(body.id, None, Some("ZN")).await? {
        Ok(owner) => owner,
        Err(_) => return Ok(()),
    };
    let today = crate::domain::dutch_time::date_of(chrono::Utc::now());
    let due = crate::domain::calendar::add_working_days(
        today,
        10,
        &crate::domain::calendar::HolidayRules::default(),
    );
    let change = PointChange {
        from: PointStatus::Voorgesteld,
        status: PointStatus::Open,
        text: "Rol van de zorgverzekeraars in de experttafel: ZN doet een voorstel".into(),
        owner,
        due: Some(due.to_string()),
        note: None,
        by: secretary.id,
    };
    db.update_open_point(point, &change, &actor).await?;
    Ok(())
}
