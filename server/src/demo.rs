//! The demo working group (docs/DOMAIN.md §10): "Werkgroep Beter pakketbeheer" under the theme table
//! Passende Zorg, its parties and people, and a short advice draft with its four topics.
//!
//! [`seed`] fills an empty database; it does nothing when people already exist, so it is safe to
//! run on every start. Every demo person signs in with [`DEMO_PASSWORD`].

use bytes::Bytes;
use polder_shared::DocId;
use secrecy::SecretString;
use yrs::{
    Any, Doc, ReadTxn, StateVector, Transact, WriteTxn, Xml, XmlElementPrelim, XmlElementRef,
    XmlFragment, XmlTextPrelim,
};

use crate::auth::password;
use crate::domain::bodies::{BodyKind, Participation};
use crate::domain::roles::BodyRole;
use crate::storage::parties::NewParty;
use crate::storage::{SqlStorage, StorageError, UpdateBatch};

/// Password of every demo account (documented in the README).
pub const DEMO_PASSWORD: &str = "polder-demo-2026";

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Hashing the demo password failed.
    #[error(transparent)]
    Password(#[from] password::PasswordError),
    /// A built-in id was invalid (a bug).
    #[error("invalid demo data: {0}")]
    Invalid(String),
}

/// Parties: code, name, colour, aliases.
const PARTIES: [(&str, &str, &str, &[&str]); 12] = [
    (
        "VWS",
        "Ministerie van Volksgezondheid, Welzijn en Sport",
        "#154273",
        &["WVS", "Ministerie van VWS"],
    ),
    (
        "ZIN",
        "Zorginstituut Nederland",
        "#007bc7",
        &["ZINL", "ZINl", "ZINI", "Zorginstituut"],
    ),
    ("FMS", "Federatie Medisch Specialisten", "#8f1d6f", &[]),
    ("ZN", "Zorgverzekeraars Nederland", "#0f7a3d", &[]),
    (
        "PFN",
        "Patiëntenfederatie Nederland",
        "#c2410c",
        &["PF", "Patiëntenfederatie"],
    ),
    (
        "NVZ",
        "Nederlandse Vereniging van Ziekenhuizen",
        "#6d28d9",
        &[],
    ),
    (
        "NFU",
        "Nederlandse Federatie van Universitair Medische Centra",
        "#be123c",
        &[],
    ),
    ("LHV", "Landelijke Huisartsen Vereniging", "#0e7490", &[]),
    (
        "GGZ",
        "de Nederlandse GGZ",
        "#4d7c0f",
        &["deNLggz", "NLGGZ", "DNGGZ", "de Nederlandse GGZ"],
    ),
    ("ZKN", "Zelfstandige Klinieken Nederland", "#a16207", &[]),
    (
        "IGJ",
        "Inspectie Gezondheidszorg en Jeugd",
        "#475569",
        &["IG)"],
    ),
    (
        "VNG",
        "Vereniging van Nederlandse Gemeenten",
        "#9d174d",
        &[],
    ),
];

/// People: name, e-mail, party, role in the working group, holds the party's mandate.
const PEOPLE: [(&str, &str, &str, BodyRole, bool); 12] = [
    (
        "Anna de Vries",
        "anna@vws.demo",
        "VWS",
        BodyRole::Chair,
        true,
    ),
    (
        "Bram Jansen",
        "bram@vws.demo",
        "VWS",
        BodyRole::Secretariat,
        false,
    ),
    (
        "Joost Bakker",
        "joost@zin.demo",
        "ZIN",
        BodyRole::Member,
        true,
    ),
    (
        "Fatima El Amrani",
        "fatima@fms.demo",
        "FMS",
        BodyRole::Member,
        true,
    ),
    (
        "Pieter Smit",
        "pieter@zn.demo",
        "ZN",
        BodyRole::Member,
        true,
    ),
    (
        "Lotte Visser",
        "lotte@pfn.demo",
        "PFN",
        BodyRole::Member,
        true,
    ),
    (
        "Sanne Mulder",
        "sanne@nvz.demo",
        "NVZ",
        BodyRole::Member,
        true,
    ),
    (
        "Daan de Boer",
        "daan@nfu.demo",
        "NFU",
        BodyRole::Member,
        true,
    ),
    ("Eva Meijer", "eva@lhv.demo", "LHV", BodyRole::Member, true),
    ("Ruben Bos", "ruben@ggz.demo", "GGZ", BodyRole::Member, true),
    (
        "Iris de Graaf",
        "iris@igj.demo",
        "IGJ",
        BodyRole::Observer,
        false,
    ),
    (
        "Mark Dekker",
        "mark@vng.demo",
        "VNG",
        BodyRole::Observer,
        false,
    ),
];

/// The chair of the theme table and the BO-IZA: name, e-mail (party VWS).
pub const BO_CHAIR: (&str, &str) = ("Willem van Dijk", "willem@vws.demo");

/// The demo draft's document id.
pub const DEMO_DOC_ID: &str = "advies-beter-pakketbeheer";

/// Seeds the whole demo into an empty database: the working group with its people and draft,
/// then its role agreement, action lines and milestones, and an open dispute. Returns whether
/// it did (it does nothing when people already exist).
///
/// # Errors
/// See [`DemoError`].
pub async fn seed(db: &SqlStorage) -> Result<bool, DemoError> {
    if !seed_working_group(db).await? {
        return Ok(false);
    }
    crate::storage::governance::demo::seed(db).await?;
    crate::storage::meetings::demo::seed(db).await?;
    crate::storage::decisions::demo::seed(db).await?;
    crate::storage::escalation::demo::seed(db).await?;
    crate::storage::consent::demo::seed(db).await?;
    Ok(true)
}

/// Seeds only the working group, its parties, people and draft (what tests of the draft
/// workflow start from); returns whether it did.
///
/// # Errors
/// See [`DemoError`].
pub async fn seed_working_group(db: &SqlStorage) -> Result<bool, DemoError> {
    if db.list_people(0, 1).await?.1 > 0 {
        return Ok(false);
    }
    let mut party_ids = std::collections::HashMap::new();
    for (code, name, colour, aliases) in PARTIES {
        let id = db
            .create_party(&NewParty {
                code: code.into(),
                name: name.into(),
                colour: colour.into(),
                aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
                members: vec![],
            })
            .await?;
        party_ids.insert(code, id);
    }
    let collective_members: Vec<i64> = [
        "VWS", "ZIN", "FMS", "ZN", "PFN", "NVZ", "NFU", "LHV", "GGZ", "ZKN",
    ]
    .iter()
    .filter_map(|c| party_ids.get(c).copied())
    .collect();
    db.create_party(&NewParty {
        code: "IZA".into(),
        name: "IZA-partijen".into(),
        colour: "#334155".into(),
        aliases: vec!["IZA-partijen".into(), "IZA partijen".into()],
        members: collective_members,
    })
    .await?;

    let minister = db
        .create_body("Minister van VWS", BodyKind::Minister, 5, None)
        .await?;
    let bo = db
        .create_body(
            "Bestuurlijk Overleg IZA (BO-IZA)",
            BodyKind::BoIza,
            4,
            Some(minister),
        )
        .await?;
    let theme = db
        .create_body(
            "Thematafel Passende Zorg",
            BodyKind::ThemeTable,
            2,
            Some(bo),
        )
        .await?;
    let group = db
        .create_body(
            "Werkgroep Beter pakketbeheer",
            BodyKind::WorkingGroup,
            0,
            Some(theme),
        )
        .await?;
    for (code, id) in &party_ids {
        let participation = if matches!(*code, "IGJ" | "VNG") {
            Participation::Informed
        } else {
            Participation::Member
        };
        db.set_body_party(group, *id, participation).await?;
        db.set_body_party(theme, *id, participation).await?;
        db.set_body_party(bo, *id, participation).await?;
    }

    let hash = password::hash_password(SecretString::from(DEMO_PASSWORD)).await?;
    let mut chair = None;
    let mut secretariat = None;
    for (name, email, party, role, mandate) in PEOPLE {
        let id = db.create_user(email, name, &hash, false).await?;
        db.set_user_party(id, party_ids.get(party).copied()).await?;
        db.put_membership(group, id, role, mandate).await?;
        match role {
            BodyRole::Chair => chair = Some(id),
            BodyRole::Secretariat => secretariat = Some(id),
            _ => {}
        }
    }
    // The theme table and the BO-IZA meet and decide: Willem van Dijk (VWS) chairs both, and the
    // programme team's secretary supports them as it supports the working group.
    let bo_chair = db.create_user(BO_CHAIR.1, BO_CHAIR.0, &hash, false).await?;
    db.set_user_party(bo_chair, party_ids.get("VWS").copied())
        .await?;
    for body in [theme, bo] {
        db.put_membership(body, bo_chair, BodyRole::Chair, true)
            .await?;
        if let Some(secretariat) = secretariat {
            db.put_membership(body, secretariat, BodyRole::Secretariat, false)
                .await?;
        }
    }
    let admin = db
        .create_user("beheer@polder.demo", "Beheerder", &hash, true)
        .await?;
    let chair = chair.unwrap_or(admin);

    let template = serde_json::json!({
        "goal": "Rollen en verantwoordelijkheden in het pakketbeheer uitwerken en vaststellen.",
        "terms_of_reference": "Advies aan het BO-IZA over de uitwerking van de rollen van partijen in het pakketbeheer.",
        "preconditions": "Ja-zeggen is ja-doen: partijen betrekken hun achterban en regelen hun mandaat.",
        "composition": "VWS (regie), ZIN, FMS, ZN, PFN, NVZ, NFU, LHV, de Nederlandse GGZ, ZKN; IGJ en VNG worden geïnformeerd.",
        "timeline": "Maart t/m september 2024; vervolg oktober 2024 – februari 2025.",
        "milestones": "Tussentijdse resultaten (mei 2024); strategische sessie (juni 2024); eindoplevering (maart 2025).",
        "direction": "VWS",
    });
    db.create_draft(
        group,
        DEMO_DOC_ID,
        "Advies Beter pakketbeheer",
        &template,
        chair,
        "demo",
    )
    .await?;
    let doc_id = DocId::parse(DEMO_DOC_ID).map_err(|e| DemoError::Invalid(e.to_string()))?;
    db.append_updates(&[UpdateBatch {
        doc_id,
        updates: vec![Bytes::from(advice_content())],
        claims: vec![],
        deletions: vec![],
    }])
    .await?;
    Ok(true)
}

/// The advice text as a y-prosemirror document: a title, an introduction and the four topics.
pub fn advice_content() -> Vec<u8> {
    let doc = Doc::new();
    {
        let mut txn = doc.transact_mut();
        let fragment = txn.get_or_insert_xml_fragment("prosemirror");
        let mut blocks: Vec<(&str, Option<i64>, &str)> = vec![
            ("heading", Some(1), "Advies werkgroep Beter pakketbeheer"),
            (
                "paragraph",
                None,
                "Ondanks de verschillende inzichten en belangen ligt er nu een gedragen eindresultaat. \
                 De werkgroep adviseert over vier onderwerpen.",
            ),
        ];
        for (title, text) in TOPICS {
            blocks.push(("heading", Some(2), title));
            blocks.push(("paragraph", None, text));
        }
        for (index, (tag, level, text)) in blocks.into_iter().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            let element: XmlElementRef =
                fragment.insert(&mut txn, index, XmlElementPrelim::empty(tag));
            if let Some(level) = level {
                element.insert_attribute(&mut txn, "level", Any::Number(yrs::Number::Int(level)));
            }
            element.insert(&mut txn, 0, XmlTextPrelim::new(text));
        }
    }
    let txn = doc.transact();
    txn.encode_state_as_update_v1(&StateVector::default())
}

/// The four advice topics (docs/DOMAIN.md §10) with a first sentence each.
const TOPICS: [(&str, &str); 4] = [
    (
        "Integrale aanpak bij keuzes rondom schaarste",
        "Overheid en veldpartijen komen tot een duidelijke startovereenkomst (vanaf Q2 2025).",
    ),
    (
        "Onderzoek en agendering",
        "Stakeholders komen per (deel)sector samen tot een gedragen proces waarmee impactvol onderzoek \
         structureel kan worden geagendeerd en uitgevoerd.",
    ),
    (
        "Synergie pakketbeoordelingen en richtlijnen",
        "Overheid en veldpartijen ontwikkelen vanaf Q3 2025 een duidelijke startovereenkomst.",
    ),
    (
        "Experttafel organisatie van passende zorg",
        "Start verkenfase voor het opstellen van kaders in Q3 2025; een gezamenlijk plan van aanpak in Q2 2026. \
         [PM bespreekpunt: rol van de zorgverzekeraars] Het plan ligt uiterlijk [uiterlijke datum] bij het BO-IZA.",
    ),
];
