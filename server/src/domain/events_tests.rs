use serde_json::json;

use super::*;

const VWS: i64 = 1;
const ZIN: i64 = 2;
const FMS: i64 = 3;
const VNG: i64 = 9;

/// Anna (VWS, chair) 10, Joost (ZIN) 20, Zoë (ZIN) 21, Fatima (FMS) 30, Mark (VNG,
/// observer) 90; Vera (VNG, no membership) 91 is informed only.
fn audience() -> Audience {
    let reader = |person, party| Reader {
        person,
        party: Some(party),
    };
    Audience {
        members: vec![
            reader(10, VWS),
            reader(20, ZIN),
            reader(21, ZIN),
            reader(30, FMS),
            reader(90, VNG),
        ],
        informed: vec![reader(90, VNG), reader(91, VNG)],
        followers: vec![],
    }
}

#[test]
fn a_mentioned_person_is_told_only_when_they_may_read_the_body() {
    let targets = Targets {
        people: vec![30, 77],
        ..Targets::default()
    };
    assert_eq!(recipients(&targets, &audience(), Some(10)), vec![30]);
}

#[test]
fn a_mentioned_party_reaches_its_people_in_the_body_but_not_the_author() {
    let targets = Targets {
        people: vec![20],
        parties: vec![ZIN],
        ..Targets::default()
    };
    assert_eq!(recipients(&targets, &audience(), Some(20)), vec![21]);
    assert_eq!(recipients(&targets, &audience(), None), vec![20, 21]);
}

#[test]
fn a_draft_status_change_reaches_the_body_the_informed_parties_and_followers() {
    let mut audience = audience();
    audience.followers = vec![5, 30];
    let got = recipients(&Targets::for_status_change_of_draft(), &audience, Some(10));
    assert_eq!(got, vec![5, 20, 21, 30, 90, 91]);
}

#[test]
fn parties_reach_members_and_observers_of_those_parties_only() {
    let got = recipients(&Targets::parties([ZIN, VNG]), &audience(), None);
    assert_eq!(got, vec![20, 21, 90]);
    assert!(recipients(&Targets::parties([]), &audience(), None).is_empty());
}

#[test]
fn a_milestone_status_change_reaches_followers_and_owner_parties() {
    let mut audience = audience();
    audience.followers = vec![10, 90];
    let got = recipients(
        &Targets::for_status_change_of_milestone([FMS]),
        &audience,
        Some(90),
    );
    assert_eq!(got, vec![10, 30]);
}

#[test]
fn events_are_read_from_their_audit_entries() {
    assert_eq!(
        Event::from_audit("comment.create", &json!({ "draft": 1, "comment": 7 })),
        Some(Event::Comment {
            draft: 1,
            comment: 7
        })
    );
    assert_eq!(
        Event::from_audit(
            "draft.transition",
            &json!({ "draft": 1, "from": "concept", "to": "consultatie", "version": 3 })
        ),
        Some(Event::DraftStatus {
            draft: 1,
            from: "concept".into(),
            to: "consultatie".into()
        })
    );
    assert_eq!(
        Event::from_audit(
            "role_agreement.set_role",
            &json!({ "role_agreement": 4, "party": 2, "role": "trekker" })
        ),
        Some(Event::Agreement {
            agreement: 4,
            created: false,
            party: Some(2)
        })
    );
    assert_eq!(
        Event::from_audit("dispute.raise_overdue", &json!({ "dispute": 5 })),
        Some(Event::Dispute {
            dispute: 5,
            change: DisputeChange::Raised
        })
    );
    // escalations are announced by the scheduler's escalation notice, not here
    assert_eq!(
        Event::from_audit("dispute.escalate", &json!({ "dispute": 5 })),
        None
    );
    assert_eq!(
        Event::from_audit(
            "role_agreement.sign_off",
            &json!({ "role_agreement": 4, "party": 3, "sign_off": 9, "state": "niet_akkoord" })
        ),
        Some(Event::NietAkkoord { sign_off: 9 })
    );
    assert_eq!(
        Event::from_audit(
            "role_agreement.sign_off",
            &json!({ "role_agreement": 4, "party": 3, "sign_off": 9, "state": "akkoord" })
        ),
        None
    );
    assert_eq!(
        Event::from_audit(
            "milestone.due_moved",
            &json!({ "milestone": 3, "series": 2, "from": "2027-03-04", "to": null })
        ),
        Some(Event::MilestoneDueMoved {
            milestone: 3,
            from: Some("2027-03-04".into()),
            to: None
        })
    );
    assert_eq!(Event::from_audit("comment.create", &json!({})), None);
    assert_eq!(
        Event::from_audit("session.create", &json!({ "person": 1 })),
        None
    );
}

#[test]
fn meeting_events_reach_the_body_and_the_informed_parties_but_not_the_sender() {
    let got = recipients(&Targets::for_meeting(), &audience(), Some(10));
    assert_eq!(got, vec![20, 21, 30, 90, 91]);
    assert_eq!(
        Event::from_audit("meeting.send_pack", &json!({ "meeting": 3, "pack": 4 })),
        Some(Event::Meeting {
            meeting: 3,
            news: MeetingNews::PackSent,
            pack: Some(4)
        })
    );
    assert_eq!(
        Event::from_audit("meeting.update", &json!({ "meeting": 3, "moved": true })),
        Some(Event::Meeting {
            meeting: 3,
            news: MeetingNews::Moved,
            pack: None
        })
    );
    // a new title only is no news for the members
    assert_eq!(
        Event::from_audit("meeting.update", &json!({ "meeting": 3, "moved": false })),
        None
    );
    assert_eq!(
        Event::from_audit("meeting.cancel", &json!({ "meeting": 3 })),
        Some(Event::Meeting {
            meeting: 3,
            news: MeetingNews::Cancelled,
            pack: None
        })
    );
}

#[test]
fn the_actor_is_read_from_its_audit_name() {
    assert_eq!(actor_person("person:12 (Anna de Vries)"), Some(12));
    assert_eq!(actor_person("person:7"), Some(7));
    assert_eq!(actor_person("polder:scheduler"), None);
    assert_eq!(actor_person("ci-token"), None);
}
