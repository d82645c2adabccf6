use super::*;

fn party(id: i64, code: &str, state: Option<AnswerState>, dispute_open: bool) -> PartyState {
    PartyState {
        party_id: id,
        code: code.into(),
        state,
        dispute_open,
    }
}

#[test]
fn a_round_is_complete_only_when_every_party_answered() {
    let mut parties = vec![
        party(1, "ZIN", Some(AnswerState::Akkoord), false),
        party(2, "FMS", Some(AnswerState::AkkoordMetVoorbehoud), false),
        party(3, "ZN", None, false),
    ];
    assert!(!all_answered(&parties));
    assert!(!complete(&parties));
    assert_eq!(pending(&parties)[0].code, "ZN");
    parties[2].state = Some(AnswerState::Akkoord);
    assert!(complete(&parties));
}

#[test]
fn an_open_niet_akkoord_keeps_the_round_incomplete_until_its_dispute_closes() {
    let mut parties = vec![
        party(1, "ZIN", Some(AnswerState::Akkoord), false),
        party(2, "FMS", Some(AnswerState::NietAkkoord), true),
    ];
    assert!(all_answered(&parties));
    assert!(!complete(&parties));
    assert_eq!(open_niet_akkoord(&parties).len(), 1);
    parties[1].dispute_open = false;
    assert!(complete(&parties));
}

#[test]
fn the_gate_names_who_has_not_answered_and_which_niet_akkoord_is_open() {
    let parties = vec![
        party(1, "ZIN", None, false),
        party(2, "FMS", Some(AnswerState::NietAkkoord), true),
        party(3, "ZN", Some(AnswerState::Akkoord), false),
    ];
    let message = gate_refusal("vastgesteld", Some(&parties)).unwrap();
    assert!(message.contains("not answered yet: ZIN"), "{message}");
    assert!(message.contains("open dispute: FMS"), "{message}");
    assert!(!message.contains("ZN"), "{message}");
    assert!(gate_refusal("vastgesteld", None)
        .unwrap()
        .contains("open a round"));
    let done = vec![party(3, "ZN", Some(AnswerState::Akkoord), false)];
    assert_eq!(gate_refusal("aangeboden", Some(&done)), None);
}

#[test]
fn only_parties_that_consented_are_re_asked() {
    let old = vec![
        party(1, "ZIN", Some(AnswerState::Akkoord), false),
        party(2, "FMS", Some(AnswerState::AkkoordMetVoorbehoud), false),
        party(3, "ZN", Some(AnswerState::NietAkkoord), true),
        party(4, "PFN", None, false),
    ];
    assert_eq!(
        re_asked(&old),
        vec![
            Previous {
                party_id: 1,
                state: AnswerState::Akkoord
            },
            Previous {
                party_id: 2,
                state: AnswerState::AkkoordMetVoorbehoud
            },
        ]
    );
}

#[test]
fn answers_are_checked_against_the_version_text() {
    let text = "Advies\nDe werkgroep adviseert over vier onderwerpen.";
    let ok = check_answer(
        "akkoord_met_voorbehoud",
        Some(" onder voorwaarden "),
        Some("vier onderwerpen"),
        text,
    )
    .unwrap();
    assert_eq!(ok.reservation.as_deref(), Some("onder voorwaarden"));
    assert_eq!(ok.anchor_quote.as_deref(), Some("vier onderwerpen"));
    let field = |r: Result<CheckedAnswer, Invalid>| r.unwrap_err().field;
    assert_eq!(
        field(check_answer("akkoord_met_voorbehoud", None, None, text)),
        "reservation"
    );
    assert_eq!(field(check_answer("ja", None, None, text)), "state");
    assert_eq!(
        field(check_answer(
            "akkoord",
            None,
            Some("vijf onderwerpen"),
            text
        )),
        "anchor_quote"
    );
    let long = "x".repeat(MAX_RESERVATION + 1);
    assert_eq!(
        field(check_answer("niet_akkoord", Some(&long), None, text)),
        "reservation"
    );
    let niet = check_answer("niet_akkoord", None, None, text).unwrap();
    assert_eq!(niet.state, AnswerState::NietAkkoord);
    assert_eq!(niet.reservation, None);
}

#[test]
fn the_consent_record_lists_who_which_hash_and_reservations() {
    let record = ConsentRecord {
        round_id: Some(4),
        round_version: Some("v1".into()),
        content_hash: Some("abc".into()),
        complete: false,
        to_status: "vastgesteld".into(),
        parties: vec![
            RecordedParty {
                code: "FMS".into(),
                name: "Federatie".into(),
                state: Some(AnswerState::AkkoordMetVoorbehoud),
                content_hash: Some("abc".into()),
                reservation: Some("Mits bekostigd.".into()),
                anchor_quote: Some("vier onderwerpen".into()),
                signed_by_name: Some("Fatima".into()),
                signed_at: Some(0),
            },
            RecordedParty {
                code: "ZN".into(),
                name: "Zorgverzekeraars".into(),
                state: None,
                content_hash: None,
                reservation: None,
                anchor_quote: None,
                signed_by_name: None,
                signed_at: None,
            },
        ],
    };
    let lines = record_lines(&record, |_| "1 januari".into());
    assert!(
        lines[0].contains("v1") && lines[0].contains("abc") && lines[0].contains("niet afgerond")
    );
    assert!(lines[1].contains("FMS") && lines[1].contains("Fatima op 1 januari"));
    assert!(lines[1].contains("Voorbehoud: Mits bekostigd."));
    assert!(lines[1].contains("vier onderwerpen"));
    assert!(lines[2].contains("ZN") && lines[2].contains("nog geen antwoord"));
}
