//! Governance demo data (docs/DOMAIN.md §10) for the demo working group: the planning of its
//! advice as milestones, the four action lines of the ZIN long-term care plan with their
//! milestones (docs/DOMAIN.md §6), and the role agreement "Rollen in het pakketbeheer"
//! half signed off. Call after [`crate::demo::seed`]; does nothing when the working group is
//! missing or already has milestones.

use std::collections::HashMap;

use super::action_lines::NewActionLine;
use super::linked::{LinkChange, LinkError};
use super::milestones::{Due, NewMilestone, StatusStep};
use super::recurrences::RecurrenceInput;
use super::role_agreements::NewRoleAgreement;
use crate::domain::fuzzy_date::{self, ParseContext};
use crate::domain::milestone_status::MilestoneStatus;
use crate::domain::owner_role::OwnerRole;
use crate::domain::recurrence;
use crate::domain::role_agreement::{AgreementRole, SignOffState};
use crate::storage::governance::milestones::MilestoneFilter;
use crate::storage::{SqlStorage, StorageError};

/// The demo working group's name.
const GROUP: &str = "Werkgroep Beter pakketbeheer";

/// A demo milestone: key, title, due as written, lead, contributors, status.
type Planned = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    MilestoneStatus,
);

/// §3.5 "Planning adviezen en oplossingsrichtingen" of the demo advice (docs/DOMAIN.md §10).
const PLANNING: [Planned; 10] = [
    ("schaarste/startovereenkomst", "Integrale aanpak schaarste: overheid en veldpartijen komen tot een duidelijke startovereenkomst", "Q225", &["VWS"], &["IZA"], MilestoneStatus::OpKoers),
    ("onderzoek/gedragen-proces", "Onderzoek en agendering: per (deel)sector een gedragen proces om impactvol onderzoek te agenderen", "Q225", &["ZIN"], &["FMS", "NFU", "ZN"], MilestoneStatus::OpKoers),
    ("onderzoek/agenda-per-deelsector", "Opleveren wetenschappelijke meerjarige onderzoeksagenda voor elke deelsector", "Q3/Q4 2026", &["ZIN"], &["FMS", "NFU"], MilestoneStatus::Gepland),
    ("onderzoek/periodieke-uitvraag", "Het Zorginstituut doet periodiek uitvraag bij partijen voor relevante onderwerpen", "Elk kwartaal", &["ZIN"], &["IZA"], MilestoneStatus::Gepland),
    ("onderzoek/sectoroverstijgende-agenda", "Opleveren gezamenlijke sectoroverstijgende onderzoeksagenda", "Q127", &["ZIN"], &["IZA"], MilestoneStatus::Gepland),
    ("synergie/startovereenkomst", "Synergie pakketbeoordelingen en richtlijnen: overheid en veldpartijen ontwikkelen een startovereenkomst", "Q325", &["ZIN", "FMS"], &["VWS"], MilestoneStatus::Gereed),
    ("experttafel/verkenfase", "Experttafel: start verkenfase voor opstellen kaders", "Q325", &["VWS"], &["ZIN", "PFN"], MilestoneStatus::Gereed),
    ("experttafel/startovereenkomst", "Experttafel: overheid en veldpartijen komen tot een duidelijke startovereenkomst", "Q4 '25", &["VWS"], &["IZA"], MilestoneStatus::Risico),
    ("experttafel/plan-van-aanpak", "Experttafel: opleveren gezamenlijk plan van aanpak van partijen", "Q226", &["VWS"], &["IZA"], MilestoneStatus::OpKoers),
    ("experttafel/start", "Experttafel: start uitvoering (datum volgt uit het plan van aanpak)", "?", &["VWS"], &[], MilestoneStatus::Gepland),
];

/// The four action lines of the ZIN long-term care report (docs/DOMAIN.md §6, §10).
const ACTION_LINES: [(&str, &str, &str); 4] = [
    ("1", "Uitwerken en toepassen van de vier pakketcriteria in de Wlz", "Inmiddels gestart; loopt door tot in 2027."),
    ("2", "Gedeelde visie en agenda op pakketbeheer in de Wlz", "Volgt na de eerste opbrengsten van actielijn 1 en start naar verwachting eind 2026."),
    ("3", "Verduidelijken van het criterium 'redelijkerwijs aangewezen op' en toepassing in de praktijk", "Wordt in het derde kwartaal van 2026 in gang gezet; loopt door tot in 2027."),
    ("4", "Verder versterken en verbinden van kennis (kennisinfrastructuur langdurige zorg) aan pakketbeheer in de Wlz", "In 2026 worden de eerste stappen gezet; loopt door tot in 2027."),
];

/// A milestone of an action line: action line number, key, title, due, lead, contributors.
type Step = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

/// Milestones of the action lines.
const WLZ_MILESTONES: [Step; 7] = [
    (
        "1",
        "eten-en-drinken",
        "Advies aan de Minister van VWS over eten en drinken bij Wlz-zorg thuis",
        "Q3 2026",
        &["ZIN"],
        &["VWS"],
    ),
    (
        "1",
        "swp-screening",
        "Screening afgerond; go/no-go-besluit over een SWP-beoordeling",
        "naar verwachting rond de zomer van 2026",
        &["ZIN"],
        &[],
    ),
    (
        "1",
        "swp-standpunt",
        "Standpunt na SWP-beoordeling opgeleverd",
        "Q1 2027",
        &["ZIN"],
        &[],
    ),
    (
        "1",
        "terminologie",
        "Terminologie noodzakelijkheid en uitvoerbaarheid afgestemd op de Wlz",
        "in 2027",
        &["ZIN"],
        &[],
    ),
    (
        "2",
        "start-visie",
        "Start gesprekken over een gedeelde visie op pakketbeheer in de Wlz",
        "eind 2026",
        &["ZIN"],
        &["VWS", "ZN", "PFN"],
    ),
    (
        "3",
        "startnotitie",
        "Startnotitie opgesteld en besproken met partijen",
        "Q3 2026",
        &["ZIN"],
        &["VWS", "ZN"],
    ),
    (
        "4",
        "plan-kennis",
        "Plan voor samenwerking met academische werkplaatsen, lectoraten en practoraten",
        "Q3 2026",
        &["ZIN"],
        &[],
    ),
];

/// The role agreement's matrix.
const ROLES: [(&str, AgreementRole); 12] = [
    ("ZIN", AgreementRole::Trekker),
    ("VWS", AgreementRole::Medeverantwoordelijk),
    ("FMS", AgreementRole::Medeverantwoordelijk),
    ("ZN", AgreementRole::Medeverantwoordelijk),
    ("PFN", AgreementRole::Geconsulteerd),
    ("NVZ", AgreementRole::Geconsulteerd),
    ("NFU", AgreementRole::Geconsulteerd),
    ("LHV", AgreementRole::Geconsulteerd),
    ("GGZ", AgreementRole::Geconsulteerd),
    ("ZKN", AgreementRole::Geconsulteerd),
    ("IGJ", AgreementRole::Geinformeerd),
    ("VNG", AgreementRole::Geinformeerd),
];

/// Who signed: e-mail, party, answer, reservation.
const SIGNED: [(&str, &str, SignOffState, Option<&str>); 4] = [
    ("anna@vws.demo", "VWS", SignOffState::Akkoord, None),
    ("joost@zin.demo", "ZIN", SignOffState::Akkoord, None),
    ("pieter@zn.demo", "ZN", SignOffState::Akkoord, None),
    (
        "fatima@fms.demo",
        "FMS",
        SignOffState::AkkoordMetVoorbehoud,
        Some("Akkoord, mits de wetenschappelijke verenigingen bij elke richtlijnherziening worden betrokken."),
    ),
];

fn owners(
    ids: &HashMap<String, i64>,
    lead: &[&str],
    contributors: &[&str],
) -> Vec<(i64, OwnerRole)> {
    let lead = lead
        .iter()
        .filter_map(|c| ids.get(*c))
        .map(|id| (*id, OwnerRole::Lead));
    let rest = contributors
        .iter()
        .filter_map(|c| ids.get(*c))
        .map(|id| (*id, OwnerRole::Contributor));
    lead.chain(rest).collect()
}

fn due(raw: &str) -> Due {
    Due::from_fuzzy(&fuzzy_date::parse(
        raw,
        &ParseContext {
            default_year: Some(2025),
        },
    ))
}

/// Adds the governance demo to the seeded demo working group.
///
/// # Errors
/// Storage errors.
pub async fn seed(db: &SqlStorage) -> Result<(), StorageError> {
    let Some(body) = db.find_body_by_name(GROUP).await? else {
        return Ok(());
    };
    if !db
        .list_milestones(body.id, MilestoneFilter::default())
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let ids: HashMap<String, i64> = db
        .list_parties()
        .await?
        .into_iter()
        .map(|p| (p.code, p.id))
        .collect();
    let mut people = HashMap::new();
    for email in [
        "anna@vws.demo",
        "joost@zin.demo",
        "pieter@zn.demo",
        "fatima@fms.demo",
    ] {
        if let Some(user) = db.find_user_by_email(email).await? {
            people.insert(email, user.id);
        }
    }
    let chair = people.get("anna@vws.demo").copied();

    for (key, title, raw, lead, contributors, status) in PLANNING {
        let id = db
            .create_milestone(&NewMilestone {
                body_id: body.id,
                action_line_id: None,
                title: title.into(),
                description: "Uit de planning van §3.5 van het advies (globale planning voor de komende twee jaar).".into(),
                due: due(raw),
                status: MilestoneStatus::Gepland,
                natural_key: format!("demo/planning/{key}"),
                source_ref: Some("Advies Beter pakketbeheer §3.5".into()),
                owners: owners(&ids, lead, contributors),
                created_by: chair,
            })
            .await?;
        if status == MilestoneStatus::Risico {
            let step = StatusStep {
                to: MilestoneStatus::Verschoven,
                reason: Some(
                    "Meer tijd nodig om de achterban te betrekken en het mandaat te regelen."
                        .into(),
                ),
                agreed_with: Some("VWS".into()),
                new_due: Some(due("Q1 2026")),
                by: chair,
            };
            let _ = db.change_milestone_status(id, &step).await;
        }
        if status != MilestoneStatus::Gepland {
            let step = StatusStep {
                to: status,
                reason: None,
                agreed_with: None,
                new_due: None,
                by: chair,
            };
            let _ = db.change_milestone_status(id, &step).await;
        }
    }

    // Due relative to the BO-IZA's quarterly meeting: linked once the meetings demo creates
    // that series, and resolved as its meetings are scheduled.
    db.create_milestone(&NewMilestone {
        body_id: body.id,
        action_line_id: None,
        title: "Voortgang werkgroep aanleveren voor de IZA-kwartaalmonitor".into(),
        description: String::new(),
        due: due("uiterlijk twee weken voor het IZA-kwartaaloverleg"),
        status: MilestoneStatus::Gepland,
        natural_key: "demo/iza-kwartaalmonitor/voortgang".into(),
        source_ref: None,
        owners: owners(&ids, &["VWS"], &[]),
        created_by: chair,
    })
    .await?;

    let zin: Vec<(i64, OwnerRole)> = owners(&ids, &["ZIN"], &["VWS"]);
    let mut line_ids = HashMap::new();
    for (number, title, description) in ACTION_LINES {
        let id = db
            .create_action_line(&NewActionLine {
                body_id: body.id,
                parent_id: None,
                number: Some(number.into()),
                title: title.into(),
                description: description.into(),
                natural_key: format!("demo/wlz/actielijn-{number}"),
                owners: zin.clone(),
                created_by: chair,
            })
            .await?;
        line_ids.insert(number, id);
    }
    let mut wlz = HashMap::new();
    for (line, key, title, raw, lead, contributors) in WLZ_MILESTONES {
        let id = db
            .create_milestone(&NewMilestone {
                body_id: body.id,
                action_line_id: line_ids.get(line).copied(),
                title: title.into(),
                description: String::new(),
                due: due(raw),
                status: if line == "1" {
                    MilestoneStatus::OpKoers
                } else {
                    MilestoneStatus::Gepland
                },
                natural_key: format!("demo/wlz/actielijn-{line}/{key}"),
                source_ref: Some("Zorginstituut, Pakketbeheer in de Wlz (2026)".into()),
                owners: owners(&ids, lead, contributors),
                created_by: chair,
            })
            .await?;
        wlz.insert(key, id);
    }
    links(db, body.id, &ids, &wlz, chair).await?;

    let roles = ROLES
        .iter()
        .filter_map(|(code, role)| ids.get(*code).map(|id| (*id, *role, String::new())))
        .collect();
    let agreement = db
        .create_role_agreement(&NewRoleAgreement {
            body_id: body.id,
            title: "Rollen in het pakketbeheer".into(),
            description: "Wie trekt, wie is medeverantwoordelijk, wie wordt geconsulteerd en wie geïnformeerd bij de uitwerking van de adviezen over beter pakketbeheer.".into(),
            draft_id: db.list_drafts(body.id, 0, 1).await?.0.first().map(|d| d.id),
            roles,
            created_by: chair,
        })
        .await?;
    for (email, code, state, reservation) in SIGNED {
        if let (Some(person), Some(party)) = (people.get(email), ids.get(code)) {
            let _ = db
                .sign_role_agreement(agreement, *party, state, reservation, *person, None)
                .await?;
        }
    }
    db.append_audit(
        "demo",
        None,
        "governance.demo",
        &serde_json::json!({ "body": body.id, "role_agreement": agreement }),
    )
    .await?;
    Ok(())
}

/// A milestone that follows the start memo ("volgt na", six weeks later) and a quarterly
/// report to the programme team, so the monitor shows a dependency and a recurring duty.
async fn links(
    db: &SqlStorage,
    body_id: i64,
    ids: &HashMap<String, i64>,
    wlz: &HashMap<&str, i64>,
    chair: Option<i64>,
) -> Result<(), StorageError> {
    let today = crate::domain::dutch_time::today();
    if let Some(memo) = wlz.get("startnotitie") {
        let id = db
            .create_milestone(&NewMilestone {
                body_id,
                action_line_id: None,
                title: "Reacties van partijen op de startnotitie verwerkt".into(),
                description: String::new(),
                due: due("?"),
                status: MilestoneStatus::Gepland,
                natural_key: "demo/wlz/startnotitie-reacties".into(),
                source_ref: None,
                owners: owners(ids, &["ZIN"], &["ZN"]),
                created_by: chair,
            })
            .await?;
        let change = LinkChange {
            follows: Some(Some(*memo)),
            lag_days: Some(42),
            ..LinkChange::default()
        };
        db.link_milestone(id, &change, today)
            .await
            .map_err(|e| match e {
                LinkError::Storage(s) => s,
                LinkError::Invalid(i) => StorageError::Corrupt {
                    column: "follows_milestone_id",
                    value: i.message,
                },
            })?;
    }
    let report = db
        .create_milestone(&NewMilestone {
            body_id,
            action_line_id: None,
            title: "Kwartaalrapportage voortgang aan het programmateam".into(),
            description: "Een terugkerende plicht: elk kwartaal, aan het eind van het kwartaal."
                .into(),
            due: quarter_end(today),
            status: MilestoneStatus::Gepland,
            natural_key: "demo/kwartaalrapportage".into(),
            source_ref: None,
            owners: owners(ids, &["VWS"], &["ZIN"]),
            created_by: chair,
        })
        .await?;
    let change = LinkChange {
        recurrence: Some(RecurrenceInput {
            text: "elk kwartaal".into(),
            rule: recurrence::parse("elk kwartaal").unwrap_or(recurrence::Rule {
                unit: recurrence::Unit::Month,
                every: 3,
            }),
            until: None,
        }),
        ..LinkChange::default()
    };
    db.link_milestone(report, &change, today)
        .await
        .map_err(|e| match e {
            LinkError::Storage(s) => s,
            LinkError::Invalid(i) => StorageError::Corrupt {
                column: "recurrence_id",
                value: i.message,
            },
        })?;
    Ok(())
}

/// The last day of the quarter `today` is in, as a due date.
fn quarter_end(today: chrono::NaiveDate) -> Due {
    use chrono::Datelike;
    let month = (today.month() - 1) / 3 * 3 + 3;
    let end = chrono::NaiveDate::from_ymd_opt(today.year(), month, 1)
        .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
        .and_then(|next| next.pred_opt())
        .unwrap_or(today);
    due(&end.format("%-d-%-m-%Y").to_string())
}
