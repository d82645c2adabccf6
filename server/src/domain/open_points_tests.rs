use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::versions::{BlockKind, Change, Marks, Run};

fn kinds(text: &str) -> Vec<(PointKind, String)> {
    detect(&[text])
        .into_iter()
        .map(|m| (m.kind, m.quote))
        .collect()
}

#[test]
fn every_marker_form_from_the_field_is_found() {
    let text = "Partijen spreken af [PM discussiepunt] en (PM bespreekpunt). \
                [NB: partijen zijn nog in gesprek over de formulering] Gereed op [uiterlijke datum]. \
                De bijlage: PM nog in te voegen. Ook [PM tekst volgt], [NB dit is voorlopig], \
                [datum], [XX-XX-XXXX] en [dd-mm-jjjj].";
    let found = detect(&[text]);
    let summary: Vec<(PointKind, &str)> =
        found.iter().map(|m| (m.kind, m.quote.as_str())).collect();
    assert_eq!(
        summary,
        vec![
            (PointKind::Bespreekpunt, "[PM discussiepunt]"),
            (PointKind::Bespreekpunt, "(PM bespreekpunt)"),
            (
                PointKind::Nb,
                "[NB: partijen zijn nog in gesprek over de formulering]"
            ),
            (PointKind::Datum, "[uiterlijke datum]"),
            (PointKind::Pm, "PM nog in te voegen"),
            (PointKind::Pm, "[PM tekst volgt]"),
            (PointKind::Nb, "[NB dit is voorlopig]"),
            (PointKind::Datum, "[datum]"),
            (PointKind::Datum, "[XX-XX-XXXX]"),
            (PointKind::Datum, "[dd-mm-jjjj]"),
        ]
    );
    assert_eq!(
        found[2].text,
        "partijen zijn nog in gesprek over de formulering"
    );
    assert_eq!(found[5].text, "tekst volgt");
    assert_eq!(found[0].text, "discussiepunt");
    assert_eq!(
        found[3].text,
        "Datum invullen: Gereed op [uiterlijke datum]"
    );
}

#[test]
fn markers_are_found_whatever_their_case() {
    assert_eq!(
        kinds("[pm Bespreekpunt: rol van ZN] en [nb: later] en (Pm) en [Uiterlijke Datum]"),
        vec![
            (
                PointKind::Bespreekpunt,
                "[pm Bespreekpunt: rol van ZN]".into()
            ),
            (PointKind::Nb, "[nb: later]".into()),
            (PointKind::Pm, "(Pm)".into()),
            (PointKind::Datum, "[Uiterlijke Datum]".into()),
        ]
    );
    assert_eq!(
        kinds("de tekst: pm NOG IN TE VOEGEN"),
        vec![(PointKind::Pm, "pm NOG IN TE VOEGEN".into())]
    );
}

#[test]
fn words_that_only_start_like_a_marker_are_not_markers() {
    for text in [
        "De PMC-afdeling en de NBA spelen mee.",
        "Zie (PMS) en [PMC overleg] en [NBA-finale] en (NB: tussen haakjes is het proza).",
        "Een PMnog in te voegen en APM nog in te voegen en PM nog in te voegenx.",
        "[XX-XX] en [12-05-2025] en [datumlijst] en [pmx] en [ NBx ]",
        "Het PM-overleg en NB. gewoon in de tekst, zonder haken.",
    ] {
        assert_eq!(kinds(text), vec![], "{text}");
    }
}

#[test]
fn nested_brackets_belong_to_the_outer_marker() {
    let found = detect(&["[PM zie (bijlage 2) en [tabel 3]] daarna [NB: (PM binnenin)] klaar"]);
    let quotes: Vec<&str> = found.iter().map(|m| m.quote.as_str()).collect();
    assert_eq!(
        quotes,
        vec!["[PM zie (bijlage 2) en [tabel 3]]", "[NB: (PM binnenin)]"]
    );
    // inside a bracket that is no marker, the inner marker still counts
    assert_eq!(
        kinds("(zie hiervoor [PM bron])"),
        vec![(PointKind::Pm, "[PM bron]".into())]
    );
    // a bracket closed by the other kind, or not at all, is no marker
    assert_eq!(kinds("[PM nooit gesloten"), vec![]);
    assert_eq!(kinds("(PM verkeerd gesloten]"), vec![]);
    // the phrase inside a bracket marker is that marker, not a second one
    assert_eq!(
        kinds("[PM nog in te voegen]"),
        vec![(PointKind::Pm, "[PM nog in te voegen]".into())]
    );
}

#[test]
fn a_bracket_that_does_not_close_soon_is_no_marker() {
    let long = format!("[PM {}]", "x".repeat(MAX_MARKER_CHARS));
    assert_eq!(kinds(&long), vec![]);
    let fits = format!("[PM {}]", "x".repeat(MAX_MARKER_CHARS - 10));
    assert_eq!(detect(&[fits]).len(), 1);
}

#[test]
fn markers_across_formatting_runs_are_one_marker() {
    let run = |text: &str, bold: bool| Run {
        change: Change::Unchanged,
        text: text.into(),
        author: None,
        marks: Marks {
            bold,
            italic: false,
        },
    };
    let blocks = vec![
        Block {
            kind: BlockKind::Heading(1),
            runs: vec![run("Advies", false)],
        },
        Block {
            kind: BlockKind::Paragraph,
            runs: vec![
                run("Tekst [P", false),
                run("M bespreek", true),
                run("punt: rol ZN] verder", false),
            ],
        },
    ];
    let found = detect(&block_texts(&blocks));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, PointKind::Bespreekpunt);
    assert_eq!(found[0].quote, "[PM bespreekpunt: rol ZN]");
    assert_eq!(found[0].block, 1);
}

#[test]
fn the_same_text_twice_gets_ordinal_keys_and_detecting_again_gives_the_same_keys() {
    let blocks = [
        "Eerst [PM  Tekst volgt] dan [datum].",
        "Later [pm tekst volgt] en nog eens [datum] en [NB tekst volgt].",
    ];
    let found = detect(&blocks);
    let keys: Vec<&str> = found.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "pm:[pm tekst volgt]:1",
            "datum:[datum]:1",
            "pm:[pm tekst volgt]:2",
            "datum:[datum]:2",
            "nb:[nb tekst volgt]:1",
        ]
    );
    assert_eq!(detect(&blocks), found);
    assert_eq!(found[2].block, 1);
}

#[test]
fn a_detection_returns_at_most_the_bound() {
    let text = "[PM a] ".repeat(MAX_PROPOSALS + 50);
    let found = detect(&[text.as_str(), "[NB b]"]);
    assert_eq!(found.len(), MAX_PROPOSALS);
    assert!(found.iter().all(|m| m.kind == PointKind::Pm));
    assert_eq!(found.last().map(|m| m.key.as_str()), Some("pm:[pm a]:200"));
}

#[test]
fn long_marker_texts_keep_short_keys() {
    let text = format!("[NB {}]", "woord ".repeat(150));
    let found = detect(&[text]);
    assert_eq!(found.len(), 1);
    assert!(found[0].key.chars().count() <= MAX_KEY_TEXT_CHARS + 10);
}

#[test]
fn accepting_needs_an_owner_and_settled_points_reopen() {
    use PointStatus::{Afgewezen, Gesloten, Open, Voorgesteld};
    assert!(check_transition(Voorgesteld, Open, false).is_err());
    assert_eq!(check_transition(Voorgesteld, Open, true), Ok(()));
    assert_eq!(check_transition(Voorgesteld, Afgewezen, false), Ok(()));
    assert!(check_transition(Voorgesteld, Gesloten, true).is_err());
    assert_eq!(check_transition(Open, Gesloten, false), Ok(()));
    assert_eq!(check_transition(Open, Afgewezen, true), Ok(()));
    assert_eq!(check_transition(Gesloten, Open, true), Ok(()));
    assert_eq!(check_transition(Afgewezen, Open, false), Ok(()));
    assert!(check_transition(Open, Voorgesteld, true).is_err());
    assert!(check_transition(Gesloten, Afgewezen, true).is_err());
    assert_eq!(check_transition(Open, Open, false), Ok(()));
}

#[test]
fn a_point_given_an_owner_is_an_event_for_that_owner_only() {
    use crate::domain::events::{recipients, Audience, Event, Reader, Targets};
    use serde_json::json;
    let created =
        |assigned| json!({ "draft": 1, "open_point": 4, "owner_person": 30, "assigned": assigned });
    assert_eq!(
        Event::from_audit("open_point.create", &created(true)),
        Some(Event::OpenPointOwner(4))
    );
    assert_eq!(
        Event::from_audit("open_point.create", &created(false)),
        None
    );
    assert_eq!(
        Event::from_audit(
            "open_point.update",
            &json!({ "open_point": 4, "assigned": true })
        ),
        Some(Event::OpenPointOwner(4))
    );
    assert_eq!(
        Event::from_audit("open_point.update", &json!({ "open_point": 4 })),
        None
    );
    assert_eq!(Event::from_audit("open_point.detect", &created(true)), None);
    // the owner hears of it, not the person who gave it to them, and only as a reader
    let audience = Audience {
        members: vec![
            Reader {
                person: 10,
                party: Some(1),
            },
            Reader {
                person: 20,
                party: Some(2),
            },
        ],
        ..Audience::default()
    };
    let owner = |people: Vec<i64>| Targets {
        people,
        ..Targets::default()
    };
    assert_eq!(recipients(&owner(vec![10]), &audience, Some(20)), vec![10]);
    assert!(recipients(&owner(vec![10]), &audience, Some(10)).is_empty());
    assert!(recipients(&owner(vec![77]), &audience, None).is_empty());
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn owners_are_reminded_five_and_one_working_days_before_and_on_the_day() {
    let rules = HolidayRules::default();
    // Due Tuesday 26 May 2026, right after Pinkstermaandag (25 May).
    let stages = reminder_stages(d(2026, 5, 26), d(2026, 5, 1), &rules);
    assert_eq!(
        stages,
        vec![
            (Stage::Before(5), d(2026, 5, 18)),
            (Stage::Before(1), d(2026, 5, 22)),
            (Stage::OnDay, d(2026, 5, 26)),
        ]
    );
    // made on 20 May: the reminder of the 18th is in the past and left out
    let late = reminder_stages(d(2026, 5, 26), d(2026, 5, 20), &rules);
    assert_eq!(
        late,
        vec![
            (Stage::Before(1), d(2026, 5, 22)),
            (Stage::OnDay, d(2026, 5, 26))
        ]
    );
}

proptest! {
    #[test]
    fn detection_never_panics_and_keys_are_unique(
        blocks in proptest::collection::vec("(\\[|\\(|\\]|\\)|PM|pm|NB|N\\.B\\.|:| |nog in te voegen|datum|uiterlijke|XX-|dd-mm-jjjj|é|€|\\PC){0,60}", 0..8)
    ) {
        let found = detect(&blocks);
        prop_assert!(found.len() <= MAX_PROPOSALS);
        let mut keys: Vec<&str> = found.iter().map(|m| m.key.as_str()).collect();
        let total = keys.len();
        keys.sort_unstable();
        keys.dedup();
        prop_assert_eq!(keys.len(), total);
        for marker in &found {
            prop_assert!(blocks[marker.block].contains(&marker.quote));
            prop_assert!(marker.quote.chars().count() <= MAX_MARKER_CHARS);
        }
    }
}
