//! The dossier document and its writers, on a record built in memory.

use super::*;
use crate::domain::dispute::{Dispute, DisputeParty};
use crate::domain::dispute::{DisputeComment, DisputeEvent, DisputeOption, Position};
use crate::domain::escalation::{DisputeEventKind, DisputeStatus, LadderLevel};

/// 2026-03-02 09:30 UTC.
const AT: i64 = 1_772_443_800_000;

fn level(level: i64, name: &str, response_days: i64) -> LadderLevel {
    LadderLevel {
        level,
        name: name.into(),
        forum_body_id: None,
        response_days,
    }
}

fn sample() -> Dossier {
    Dossier {
        dispute: Dispute {
            id: 7,
            body_id: 1,
            subject_kind: "draft_passage".into(),
            subject_id: 3,
            passage: Some("ZIN duidt de bewijslast".into()),
            title: "Wie duidt de bewijslast?".into(),
            description: "Regel een\n# geen kop".into(),
            raised_by_party: "ZIN".into(),
            raised_by_party_id: 2,
            raised_by_person: Some(5),
            status: DisputeStatus::Geescaleerd,
            level: 1,
            level_since: AT,
            respond_by: "2026-03-16".into(),
            decision: None,
            closed_at: None,
            origin_key: None,
            parties: vec![
                DisputeParty {
                    party_id: 2,
                    code: "ZIN".into(),
                    has_position: false,
                },
                DisputeParty {
                    party_id: 3,
                    code: "FMS".into(),
                    has_position: true,
                },
            ],
            created_at: AT,
            updated_at: AT,
        },
        body_name: "Werkgroep Beter pakketbeheer".into(),
        ladder: vec![
            level(0, "Werkgroep Beter pakketbeheer", 10),
            level(1, "Thematafel Passende Zorg", 15),
        ],
        positions: vec![
            Position {
                id: 1,
                party: "FMS".into(),
                level: 0,
                body: "Eerst <b>onderbouwing</b>".into(),
                stated_by: Some("Fatima".into()),
                with_mandate: true,
                stated_at: AT,
            },
            Position {
                id: 2,
                party: "FMS".into(),
                level: 1,
                body: "Later standpunt".into(),
                stated_by: Some("Fatima".into()),
                with_mandate: false,
                stated_at: AT + 60_000,
            },
        ],
        options: vec![DisputeOption {
            id: 1,
            title: "ZIN duidt, FMS levert aan".into(),
            description: "Beide rollen".into(),
            party: Some("FMS".into()),
            proposed_by: Some("Fatima".into()),
            created_at: AT,
        }],
        comments: vec![DisputeComment {
            id: 1,
            author: Some("Iris".into()),
            party: Some("IGJ".into()),
            body: "De IGJ volgt dit.".into(),
            created_at: AT,
        }],
        events: vec![
            DisputeEvent {
                kind: DisputeEventKind::Raised,
                level: 0,
                actor: "Joost".into(),
                note: Some("Wie duidt de bewijslast?".into()),
                at: AT,
            },
            DisputeEvent {
                kind: DisputeEventKind::EscalatedOnTimeout,
                level: 1,
                actor: "Polder".into(),
                note: None,
                at: AT + 120_000,
            },
        ],
    }
}

#[test]
fn blocks_follow_the_record_in_reading_order() {
    let blocks = blocks(&sample());

    assert_eq!(
        blocks.first(),
        Some(&Block::Title(
            "Dossier verschil van inzicht: Wie duidt de bewijslast?".into()
        ))
    );
    assert!(blocks.contains(&Block::Text(
        "Onderwerp: passage in adviesconcept 3 · gemeld door ZIN op 2026-03-02 10:30 CET".into()
    )));
    assert!(blocks.contains(&Block::Text(
        "Status: geëscaleerd · niveau 1 (Thematafel Passende Zorg) · reageren uiterlijk 2026-03-16"
            .into()
    )));
    assert!(blocks.contains(&Block::Item("ZIN: nog geen standpunt op dit niveau".into())));
    // the latest position comes first
    let first = blocks
        .iter()
        .position(|b| matches!(b, Block::Item(t) if t.starts_with("FMS (niveau 1, Fatima, ")));
    let earlier = blocks.iter().position(
        |b| matches!(b, Block::Item(t) if t.starts_with("FMS (niveau 0, Fatima, met mandaat, ")),
    );
    assert!(first.is_some() && first < earlier, "{blocks:?}");
    assert!(blocks.contains(&Block::Item(
        "2026-03-02 10:32 CET — geëscaleerd na verlopen reactietermijn naar niveau 1 \
         (Thematafel Passende Zorg) door Polder"
            .into()
    )));
    assert!(!blocks.contains(&Block::Heading("Besluit".into())));
    assert_eq!(
        blocks.last(),
        Some(&Block::Item(
            "Niveau 1: Thematafel Passende Zorg (15 werkdagen)".into()
        ))
    );
}

#[test]
fn markdown_escapes_what_people_typed() {
    let markdown = to_markdown(&sample());

    assert!(markdown.starts_with("# Dossier verschil van inzicht: Wie duidt de bewijslast?\n\n"));
    assert!(
        markdown.contains("\n\n## Standpunten\n\n- FMS (niveau 1"),
        "{markdown}"
    );
    // a line of the description that looks like a heading stays text, after a hard break
    assert!(
        markdown.contains("Regel een  \n\\# geen kop\n\n"),
        "{markdown}"
    );
    // markup in a position is shown, not interpreted
    assert!(
        markdown.contains("Eerst \\<b\\>onderbouwing\\</b\\>"),
        "{markdown}"
    );
}

#[test]
fn docx_uses_the_shared_title_heading_and_bullet_styles() {
    let bytes = docx::render(&blocks(&sample())).unwrap();

    assert!(bytes.starts_with(b"PK"));
    let json = docx_rs::read_docx(&bytes).unwrap().json();
    for text in [
        "Dossier verschil van inzicht: Wie duidt de bewijslast?",
        "ZIN duidt, FMS levert aan",
        "Thematafel Passende Zorg (15 werkdagen)",
    ] {
        assert!(json.contains(text), "missing {text}");
    }
    // the headings are Word's heading 1 (listed in the navigation pane), the items real bullets
    let compact = serde_json::from_str::<serde_json::Value>(&json)
        .unwrap()
        .to_string();
    assert!(compact.contains("\"name\":\"heading 1\""), "heading style");
    assert!(
        compact.contains("\"style\":\"Heading1\""),
        "headings use it"
    );
    assert!(
        compact.contains("\"numberingProperty\":{\"id\":1,\"level\":0}"),
        "bulleted items"
    );
}

#[test]
fn pdf_is_typeset_from_the_dossier_text() {
    let page = pdf::page(&blocks(&sample()));
    let texts: Vec<&str> = page
        .items
        .iter()
        .flat_map(|item| item.spans.iter().map(|span| span.text.as_str()))
        .collect();
    assert!(texts.contains(&"Werkgroep: Werkgroep Beter pakketbeheer"));
    assert!(texts
        .iter()
        .any(|text| text.contains("Thematafel Passende Zorg (15 werkdagen)")));

    let bytes = pdf::render(&blocks(&sample())).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
}
