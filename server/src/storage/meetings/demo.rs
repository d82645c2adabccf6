//! Meetings of the demo (docs/DOMAIN.md §12): the series of the theme table and the BO-IZA,
//! the meetings of the 2024 planning of the working group's assignment, and the coming
//! theme table and quarterly consultations of 2027. Does nothing when the bodies are missing
//! or the theme table already has a series.

use sqlx::Row;

use crate::domain::dutch_time;
use crate::domain::meeting::{AgendaKind, MeetingKind, MeetingStatus};
use crate::storage::audit::Actor;
use crate::storage::meetings::{MeetingFields, NewAgendaItem, NewMeeting};
use crate::storage::{SqlStorage, StorageError};

const THEME: &str = "Thematafel Passende Zorg";
const BO: &str = "Bestuurlijk Overleg IZA (BO-IZA)";
const GROUP: &str = "Werkgroep Beter pakketbeheer";
const PLACE: &str = "Ministerie van VWS, Den Haag";

/// Which series a demo meeting belongs to.
#[derive(Clone, Copy)]
enum Of {
    Theme,
    Bo,
    Quarterly,
}

/// A demo meeting: series, day, from, to, title, tentative, online.
type Planned = (Of, &'static str, u32, u32, &'static str, bool, bool);

const MEETINGS: [Planned; 13] = [
    (
        Of::Theme,
        "2024-01-11",
        10,
        12,
        "Bespreken werkgroep en proces",
        false,
        true,
    ),
    (
        Of::Theme,
        "2024-01-30",
        10,
        12,
        "Gezamenlijk vaststellen opdracht werkgroep",
        false,
        false,
    ),
    (
        Of::Bo,
        "2024-03-04",
        14,
        16,
        "Bestuurlijk commitment werkgroep en opdracht",
        false,
        false,
    ),
    (
        Of::Theme,
        "2024-04-02",
        10,
        12,
        "Korte terugkoppeling werkgroep",
        false,
        true,
    ),
    (
        Of::Theme,
        "2024-05-07",
        10,
        12,
        "Bespreken voorlopige resultaten, voorbereiden BO",
        false,
        false,
    ),
    (
        Of::Bo,
        "2024-06-20",
        14,
        16,
        "Strategische sessie voorlopige resultaten",
        true,
        false,
    ),
    (
        Of::Theme,
        "2024-07-02",
        10,
        12,
        "Bespreken resultaten",
        false,
        true,
    ),
    (
        Of::Bo,
        "2024-09-26",
        14,
        16,
        "Besluiten over uitkomsten werkgroep en implementatie",
        false,
        false,
    ),
    (
        Of::Theme,
        "2027-01-12",
        10,
        12,
        "Thematafel januari",
        false,
        true,
    ),
    (
        Of::Quarterly,
        "2027-03-18",
        13,
        16,
        "IZA-kwartaaloverleg Q1",
        false,
        false,
    ),
    (
        Of::Quarterly,
        "2027-06-17",
        13,
        16,
        "IZA-kwartaaloverleg Q2",
        false,
        true,
    ),
    (
        Of::Quarterly,
        "2027-09-23",
        13,
        16,
        "IZA-kwartaaloverleg Q3",
        false,
        false,
    ),
    (
        Of::Quarterly,
        "2027-12-16",
        13,
        16,
        "IZA-kwartaaloverleg Q4",
        false,
        true,
    ),
];

async fn body_id(db: &SqlStorage, name: &str) -> Result<Option<i64>, StorageError> {
    Ok(db.find_body_by_name(name).await?.map(|b| b.id))
}

fn moment(day: &str, hour: u32) -> Option<i64> {
    let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    Some(dutch_time::at_local_hour(date, hour).timestamp_millis())
}

/// Seeds the demo's meetings.
///
/// # Errors
/// Storage errors.
pub async fn seed(db: &SqlStorage) -> Result<(), StorageError> {
    let (Some(theme), Some(bo)) = (body_id(db, THEME).await?, body_id(db, BO).await?) else {
        return Ok(());
    };
    if !db.list_meeting_series(theme).await?.is_empty() {
        return Ok(());
    }
    let by = Actor {
        name: "polder".to_owned(),
        party: None,
    };
    let aliases = |list: &[&str]| list.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    let ttpz = db
        .create_meeting_series(
            theme,
            THEME,
            MeetingKind::ThemeTable,
            &aliases(&["thematafel", "ttpz"]),
            None,
            &by,
        )
        .await?;
    let bo_series = db
        .create_meeting_series(
            bo,
            "BO-IZA",
            MeetingKind::BoIza,
            &aliases(&["bo", "bo iza", "bo-iza", "bestuurlijk overleg"]),
            None,
            &by,
        )
        .await?;
    let quarterly = db
        .create_meeting_series(
            bo,
            "IZA-kwartaaloverleg",
            MeetingKind::Quarterly,
            &aliases(&["kwartaaloverleg", "iza-kwartaaloverleg"]),
            None,
            &by,
        )
        .await?;
    let mut january = None;
    for (of, day, from, to, title, tentative, online) in MEETINGS {
        let (Some(starts_at), Some(ends_at)) = (moment(day, from), moment(day, to)) else {
            continue;
        };
        let (body, series, kind, slug) = match of {
            Of::Theme => (theme, ttpz.id, MeetingKind::ThemeTable, "ttpz"),
            Of::Bo => (bo, bo_series.id, MeetingKind::BoIza, "bo-iza"),
            Of::Quarterly => (bo, quarterly.id, MeetingKind::Quarterly, "kwartaaloverleg"),
        };
        let new = NewMeeting {
            body_id: body,
            fields: MeetingFields {
                series_id: Some(series),
                title: title.to_owned(),
                kind,
                starts_at,
                ends_at,
                place: (!online).then(|| PLACE.to_owned()),
                online_url: online.then(|| format!("https://vergaderen.example.nl/{slug}-{day}")),
                status: if tentative {
                    MeetingStatus::Voorlopig
                } else {
                    MeetingStatus::Gepland
                },
            },
            created_by: None,
        };
        let meeting = db.create_meeting(&new, &by).await?;
        if day == "2027-01-12" {
            january = Some(meeting.id);
        }
    }
    if let Some(meeting) = january {
        agenda(db, meeting, theme, &by).await?;
    }
    Ok(())
}

/// The agenda of the January theme table: opening, the demo draft's latest version, a
/// milestone of the working group.
async fn agenda(db: &SqlStorage, meeting: i64, theme: i64, by: &Actor) -> Result<(), StorageError> {
    let item = |kind, title: &str, target| NewAgendaItem {
        kind,
        title: title.to_owned(),
        note: String::new(),
        target,
    };
    let add = |new: NewAgendaItem| async move {
        db.add_agenda_item(meeting, theme, &new, by)
            .await
            .map_err(|e| match e {
                crate::storage::meetings::agenda::AgendaError::Storage(s) => s,
                crate::storage::meetings::agenda::AgendaError::Full => {
                    StorageError::AlreadyExists("agenda item")
                }
            })
    };
    add(item(AgendaKind::Item, "Opening en mededelingen", None)).await?;
    let Some(group) = body_id(db, GROUP).await? else {
        return Ok(());
    };
    let version = sqlx::query(
        "SELECT v.id, d.title, v.name FROM versions v JOIN drafts d ON d.id = v.draft_id \
         WHERE d.body_id = $1 ORDER BY v.id DESC LIMIT 1",
    )
    .bind(group)
    .fetch_optional(db.pool())
    .await?;
    if let Some(row) = version {
        let title: String = row.try_get("title")?;
        let name: String = row.try_get("name")?;
        let new = item(
            AgendaKind::Version,
            &format!("{title} ({name})"),
            Some(row.try_get("id")?),
        );
        add(new).await?;
    }
    let milestone = sqlx::query(
        "SELECT id, title FROM milestones WHERE body_id = $1 AND status NOT IN ('gereed', 'vervallen') \
         ORDER BY id LIMIT 1",
    )
    .bind(group)
    .fetch_optional(db.pool())
    .await?;
    if let Some(row) = milestone {
        let title: String = row.try_get("title")?;
        add(item(
            AgendaKind::Milestone,
            &title,
            Some(row.try_get("id")?),
        ))
        .await?;
    }
    Ok(())
}
