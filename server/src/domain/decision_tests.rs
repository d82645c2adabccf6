//! Unit tests of the decision rules.

use super::*;

fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, day)
}

#[test]
fn names_round_trip() {
    for s in RequestStatus::ALL {
        assert_eq!(RequestStatus::parse(s.as_str()), Some(*s));
    }
    for o in Outcome::ALL {
        assert_eq!(Outcome::parse(o.as_str()), Some(*o));
    }
    assert_eq!(
        serde_json::to_string(&Outcome::AkkoordOnderVoorwaarden).unwrap(),
        "\"akkoord_onder_voorwaarden\""
    );
    assert_eq!(DecisionSource::parse("draft"), Some(DecisionSource::Draft));
    assert_eq!(RequestStatus::parse("gesloten"), None);
}

#[test]
fn a_deferral_keeps_the_request_open_and_every_other_outcome_decides_it() {
    assert_eq!(
        RequestStatus::after(Outcome::Aangehouden),
        RequestStatus::Aangehouden
    );
    assert!(RequestStatus::Aangehouden.is_open());
    for outcome in [
        Outcome::Akkoord,
        Outcome::AkkoordOnderVoorwaarden,
        Outcome::NietAkkoord,
    ] {
        assert_eq!(RequestStatus::after(outcome), RequestStatus::Besloten);
    }
    assert!(!RequestStatus::Besloten.is_open());
    assert!(!RequestStatus::Ingetrokken.is_open());
}

#[test]
fn conditions_belong_to_akkoord_onder_voorwaarden_only() {
    let missing =
        outcome_text("akkoord_onder_voorwaarden", "2024-09-26", "", None, None).unwrap_err();
    assert_eq!(missing.field, "conditions");
    let blank = outcome_text(
        "akkoord_onder_voorwaarden",
        "2024-09-26",
        "",
        Some("  "),
        None,
    );
    assert_eq!(blank.unwrap_err().field, "conditions");
    let ok = outcome_text(
        "akkoord_onder_voorwaarden",
        "2024-09-26",
        " Zo besloten ",
        Some("Advies in Q1 2025"),
        Some("Werkgroep"),
    )
    .unwrap();
    assert_eq!(ok.conditions.as_deref(), Some("Advies in Q1 2025"));
    assert_eq!(ok.rationale, "Zo besloten");
    assert_eq!(ok.decided_on, d(2024, 9, 26).unwrap());
    let extra = outcome_text("akkoord", "2024-09-26", "", Some("x"), None);
    assert_eq!(extra.unwrap_err().field, "conditions");
    // `besloten` is not an outcome a body records on a request
    for bad in ["besloten", "ja", ""] {
        assert_eq!(
            outcome_text(bad, "2024-09-26", "", None, None)
                .unwrap_err()
                .field,
            "outcome"
        );
    }
    assert_eq!(
        outcome_text("akkoord", "26-09-2024", "", None, None)
            .unwrap_err()
            .field,
        "decided_on"
    );
}

#[test]
fn request_texts_are_bounded() {
    let ok = request_text(
        " Continuering ",
        "Gaat het BO akkoord?",
        &["Akkoord".into(), "Niet akkoord".into()],
        "",
        Some("2024-09-26"),
    )
    .unwrap();
    assert_eq!(ok.title, "Continuering");
    assert_eq!(ok.deadline, d(2024, 9, 26));
    let eleven: Vec<String> = (0..11).map(|i| format!("optie {i}")).collect();
    assert_eq!(
        request_text("t", "q", &eleven, "", None).unwrap_err().field,
        "options"
    );
    let long = vec!["x".repeat(MAX_OPTION_CHARS + 1)];
    let error = request_text("t", "q", &long, "", None).unwrap_err();
    assert!(error.message.starts_with("option 1:"), "{error}");
    assert_eq!(
        request_text("", "q", &[], "", None).unwrap_err().field,
        "title"
    );
    assert_eq!(
        request_text("t", "", &[], "", None).unwrap_err().field,
        "question"
    );
    assert_eq!(
        request_text("t", "q", &[], "", Some("morgen"))
            .unwrap_err()
            .field,
        "deadline"
    );
}

#[test]
fn the_register_filter_reads_days_and_periods() {
    let filter = RegisterFilter::parse(&RawFilter {
        from: Some("2024-Q3"),
        to: Some("2024-12-31"),
        q: Some(" Werkgroep "),
        topic: Some("Pakket"),
        source: Some("dispute"),
        ..RawFilter::default()
    })
    .unwrap();
    assert_eq!(filter.period.from, d(2024, 7, 1));
    assert_eq!(filter.period.to, d(2024, 12, 31));
    assert_eq!(filter.q.as_deref(), Some("werkgroep"));
    assert_eq!(filter.topic.as_deref(), Some("pakket"));
    assert_eq!(filter.source, Some(DecisionSource::Dispute));
    let named = RegisterFilter::parse(&RawFilter {
        period: Some("2024-H1"),
        to: Some("2024-03"),
        ..RawFilter::default()
    })
    .unwrap();
    assert_eq!(named.period.from, d(2024, 1, 1));
    assert_eq!(named.period.to, d(2024, 3, 31));
    for (raw, field) in [
        (
            RawFilter {
                from: Some("gisteren"),
                ..RawFilter::default()
            },
            "from",
        ),
        (
            RawFilter {
                period: Some("2024-Q5"),
                ..RawFilter::default()
            },
            "period",
        ),
        (
            RawFilter {
                source: Some("meeting"),
                ..RawFilter::default()
            },
            "source",
        ),
    ] {
        assert_eq!(RegisterFilter::parse(&raw).unwrap_err().field, field);
    }
    assert_eq!(
        RegisterFilter::parse(&RawFilter::default()).unwrap(),
        RegisterFilter::default()
    );
}

#[test]
fn like_patterns_escape_wildcards() {
    assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
}

#[test]
fn csv_rows_follow_the_header_and_defuse_formulas() {
    let decision = Decision {
        id: 3,
        body_id: 1,
        body_name: "BO-IZA".into(),
        source: DecisionSource::DecisionRequest,
        decision_request_id: Some(2),
        draft_id: None,
        version_id: None,
        dispute_id: None,
        meeting_id: None,
        meeting_title: Some("BO 26-09-2024".into()),
        title: "=HYPERLINK(\"x\")".into(),
        topic: None,
        outcome: Outcome::AkkoordOnderVoorwaarden,
        conditions: Some("Advies in Q1".into()),
        rationale: "Zo".into(),
        decided_on: "2024-09-26".into(),
        parties: vec!["VWS".into(), "ZIN".into()],
        follow_up_milestones: vec![FollowUp {
            id: 9,
            title: "Advies voorleggen".into(),
            due: "Q1 2025".into(),
        }],
        opened_dispute_id: None,
        closed_dispute_id: Some(4),
        recorded_by: None,
        recorded_at: 0,
        audit_hash: Some("ab".into()),
    };
    let row = csv_row(&decision);
    assert_eq!(row.len(), CSV_HEADER.len());
    assert_eq!(row[4], "'=HYPERLINK(\"x\")");
    assert_eq!(row[6], "akkoord onder voorwaarden");
    assert_eq!(row[9], "VWS, ZIN");
    assert_eq!(row[11], "Advies voorleggen (Q1 2025)");
    assert_eq!(row[12], "gesloten #4");
}
