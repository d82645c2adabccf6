//! Who hears of a decision and of a new decision request.

use serde_json::json;

use super::*;

const VWS: i64 = 1;
const ZIN: i64 = 2;
const FMS: i64 = 3;

fn reader(person: i64, party: i64) -> Reader {
    Reader {
        person,
        party: Some(party),
    }
}

fn audience(members: Vec<Reader>) -> Audience {
    Audience {
        members,
        // informed parties are not told of decisions: Vera (91) must never show up
        informed: vec![reader(91, FMS)],
        followers: vec![92],
    }
}

/// The BO-IZA: Willem (VWS, chair) 40, Bram (VWS, secretariat) 11, Lotte (ZIN) 41.
fn deciding() -> Audience {
    audience(vec![reader(11, VWS), reader(40, VWS), reader(41, ZIN)])
}

/// The working group: Anna (VWS) 10, Bram 11, Joost (ZIN) 20, Fatima (FMS) 30.
fn requesting() -> Audience {
    audience(vec![
        reader(10, VWS),
        reader(11, VWS),
        reader(20, ZIN),
        reader(30, FMS),
    ])
}

/// The theme table, where a follow-up lives: Bram 11, Tessa (ZIN) 50, Olga (FMS) 51.
fn follow_up_body() -> Audience {
    audience(vec![reader(11, VWS), reader(50, ZIN), reader(51, FMS)])
}

#[test]
fn a_decision_reaches_both_bodies_and_the_follow_up_owners_once_but_not_the_recorder() {
    let parts = [
        (Targets::members_and_observers(), deciding()),
        (Targets::members_and_observers(), requesting()),
        (Targets::parties([ZIN]), follow_up_body()),
    ];
    // Bram is in all three bodies and is told once; Willem recorded it; Olga owns nothing
    assert_eq!(
        recipients_across(&parts, Some(40)),
        vec![10, 11, 20, 30, 41, 50]
    );
}

#[test]
fn each_body_is_checked_against_its_own_audience() {
    // ZIN's people of the working group are not told through the theme table's rule
    let parts = [(Targets::parties([ZIN]), follow_up_body())];
    assert_eq!(recipients_across(&parts, None), vec![50]);
    // an owner party nobody of the body belongs to reaches nobody
    let parts = [(Targets::parties([VWS]), audience(vec![reader(50, ZIN)]))];
    assert!(recipients_across(&parts, None).is_empty());
    assert!(recipients_across(&[], None).is_empty());
}

#[test]
fn a_new_request_reaches_the_deciding_body_only() {
    let parts = [(Targets::members_and_observers(), deciding())];
    assert_eq!(recipients_across(&parts, Some(11)), vec![40, 41]);
}

#[test]
fn decision_events_are_read_from_their_audit_entries() {
    assert_eq!(
        Event::from_audit(
            "decision.record",
            &json!({ "decision": 7, "decision_request": 3, "body": 2, "requesting_body": 1,
                     "outcome": "akkoord_onder_voorwaarden", "milestones": [12, 13] })
        ),
        Some(Event::Decision {
            decision: 7,
            request: 3,
            outcome: Outcome::AkkoordOnderVoorwaarden,
            milestones: vec![12, 13],
        })
    );
    assert_eq!(
        Event::from_audit(
            "decision.record",
            &json!({ "decision": 7, "decision_request": 3, "outcome": "aangehouden" })
        ),
        Some(Event::Decision {
            decision: 7,
            request: 3,
            outcome: Outcome::Aangehouden,
            milestones: vec![],
        })
    );
    assert_eq!(
        Event::from_audit(
            "decision.record",
            &json!({ "decision": 7, "decision_request": 3, "outcome": "misschien" })
        ),
        None
    );
    assert_eq!(
        Event::from_audit(
            "decision_request.create",
            &json!({ "decision_request": 3, "body": 2, "requesting_body": 1, "meeting": 9 })
        ),
        Some(Event::DecisionRequest {
            request: 3,
            meeting: 9
        })
    );
    // without a meeting nobody is told
    assert_eq!(
        Event::from_audit(
            "decision_request.create",
            &json!({ "decision_request": 3, "body": 2, "requesting_body": 1, "meeting": null })
        ),
        None
    );
}
