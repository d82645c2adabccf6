//! Decision events (docs/DOMAIN.md §11, §14): an outcome recorded on a request reaches the
//! members and observers of the deciding and the requesting body and the follow-ups' owners in
//! their milestones' body, each once and never the recorder; a new request with a meeting
//! reaches the deciding body only.

use polder::domain::decision::{Outcome, OutcomeText};
use polder::domain::fuzzy_date::{self, ParseContext};
use polder::domain::owner_role::OwnerRole;
use polder::domain::roles::BodyRole;
use polder::scheduler::{Report, Scheduler, SchedulerSettings};
use polder::storage::audit::Actor;
use polder::storage::decisions::outcomes::{FollowUpInput, RecordOutcome};
use polder::storage::governance::milestones::Due;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    an_outcome_reaches_both_bodies_and_the_follow_up_owners_but_not_the_recorder,
    a_follow_up_owner_in_another_body_is_told_and_only_they,
);

const GROUP: &str = "Werkgroep Beter pakketbeheer";
const BO: &str = "Bestuurlijk Overleg IZA (BO-IZA)";
const THEME: &str = "Thematafel Passende Zorg";

async fn app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await
}

async fn id_of(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query(sql)
        .bind(bind)
        .fetch_one(app.storage.pool())
        .await
        .unwrap()
        .try_get("id")
        .unwrap()
}

async fn body(app: &TestApp, name: &str) -> i64 {
    id_of(app, "SELECT id FROM bodies WHERE name = $1", name).await
}

/// A person of `party` who takes part in `body` only, with `role`.
async fn person_in(app: &TestApp, email: &str, name: &str, party: &str, body: i64, role: BodyRole) {
    let password = polder::auth::password::hash_password(secrecy::SecretString::from(
        polder::demo::DEMO_PASSWORD,
    ))
    .await
    .unwrap();
    let id = app
        .storage
        .create_user(email, name, &password, false)
        .await
        .unwrap();
    let party = id_of(app, "SELECT id FROM parties WHERE code = $1", party).await;
    app.storage.set_user_party(id, Some(party)).await.unwrap();
    app.storage
        .put_membership(body, id, role, false)
        .await
        .unwrap();
}

/// One run of the events phase, as a wake-up after a request does.
async fn deliver(app: &TestApp) -> Report {
    let settings = SchedulerSettings {
        public_url: Some("https://polder.example".into()),
        ..SchedulerSettings::default()
    };
    let scheduler =
        Scheduler::new((*app.storage).clone(), settings).with_inbox_signal(app.inbox.clone());
    let report = scheduler.run_events(scheduler.now()).await;
    assert_eq!(report.errors, 0, "{report:?}");
    report
}

/// The inbox items of `email` about `subject_ref` of notification type `kind`.
async fn told(app: &TestApp, email: &str, kind: &str, subject_ref: &str) -> Vec<Value> {
    let person = WorkingGroup::person(app, email).await;
    person.get("/api/notifications?limit=200").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["subject_ref"] == subject_ref && i["notification"]["kind"]["type"] == kind)
        .cloned()
        .collect()
}

/// The BO's series and a meeting on 26 September 2024, made by its secretary.
async fn bo_meeting(bram: &Api, bo: i64) -> i64 {
    let series = bram
        .send(
            Method::POST,
            &format!("/api/bodies/{bo}/meeting-series"),
            json!({"name": "BO-IZA", "kind": "bo_iza"}),
            StatusCode::CREATED,
        )
        .await;
    let meeting = bram
        .send(
            Method::POST,
            &format!("/api/bodies/{bo}/meetings"),
            json!({"title": "BO-IZA september", "kind": "bo_iza", "series_id": series["id"],
                   "starts": "2024-09-26T10:00", "ends": "2024-09-26T12:00"}),
            StatusCode::CREATED,
        )
        .await;
    meeting["id"].as_i64().unwrap()
}

async fn put_request(bram: &Api, bo: i64, group: i64, title: &str, meeting: Option<i64>) -> i64 {
    let request = bram
        .send(
            Method::POST,
            &format!("/api/bodies/{bo}/decision-requests"),
            json!({"title": title, "question": format!("Gaat het BO akkoord met {title}?"),
                   "requesting_body_id": group, "meeting_id": meeting}),
            StatusCode::CREATED,
        )
        .await;
    request["id"].as_i64().unwrap()
}

async fn an_outcome_reaches_both_bodies_and_the_follow_up_owners_but_not_the_recorder(
    backend: Backend,
) {
    let app = app(backend).await;
    WorkingGroup::seed_without_meetings(&app).await;
    let (group, bo) = (body(&app, GROUP).await, body(&app, BO).await);
    // Lotte (ZN) sits in the BO-IZA only, Olaf (NVZ) observes it
    person_in(
        &app,
        "lotte@zn.demo",
        "Lotte Vos",
        "ZN",
        bo,
        BodyRole::Member,
    )
    .await;
    person_in(
        &app,
        "olaf@nvz.demo",
        "Olaf Kok",
        "NVZ",
        bo,
        BodyRole::Observer,
    )
    .await;
    let bram = WorkingGroup::person(&app, "bram@vws.demo").await;
    let willem = WorkingGroup::person(&app, "willem@vws.demo").await;
    let meeting = bo_meeting(&bram, bo).await;
    deliver(&app).await;

    // a request with a meeting tells the deciding body; one without tells nobody
    let request = put_request(&bram, bo, group, "continuering", Some(meeting)).await;
    let quiet = put_request(&bram, bo, group, "later", None).await;
    let report = deliver(&app).await;
    let asked = format!("decision_request:{request}");
    assert_eq!(
        report
            .keys
            .iter()
            .filter(|k| k.starts_with("event:"))
            .count(),
        1,
        "{report:?}"
    );
    for email in ["lotte@zn.demo", "olaf@nvz.demo", "willem@vws.demo"] {
        let items = told(&app, email, "decision_request", &asked).await;
        assert_eq!(items.len(), 1, "{email}: {items:?}");
        assert_eq!(
            items[0]["notification"]["kind"],
            json!({"type": "decision_request", "request": request})
        );
    }
    let link = told(&app, "lotte@zn.demo", "decision_request", &asked).await[0]["notification"]
        ["link"]
        .clone();
    assert!(
        link.as_str()
            .is_some_and(|l| l == format!("https://polder.example/decision-requests/{request}")),
        "{link}"
    );
    // the requesting body's people are not told of their own request, nor is its author
    for email in ["bram@vws.demo", "fatima@fms.demo", "joost@zin.demo"] {
        assert!(
            told(&app, email, "decision_request", &asked)
                .await
                .is_empty(),
            "{email}"
        );
    }
    let later = format!("decision_request:{quiet}");
    assert!(told(&app, "lotte@zn.demo", "decision_request", &later)
        .await
        .is_empty());

    // the outcome, with a follow-up owned by VWS and ZIN in the working group
    willem
        .send(
            Method::POST,
            &format!("/api/decision-requests/{request}/outcome"),
            json!({
                "outcome": "akkoord_onder_voorwaarden", "decided_on": "2024-09-26",
                "rationale": "Het BO stemde in met de continuering.",
                "conditions": "Het advies komt in het eerste kwartaal van 2025 naar het BO-IZA.",
                "follow_ups": [{"title": "Advies voorleggen", "due": "Q1 2025",
                                "owners": [{"party": "ZIN", "role": "lead"}]}],
            }),
            StatusCode::CREATED,
        )
        .await;
    deliver(&app).await;
    let expected =
        json!({"type": "decision", "outcome": "akkoord_onder_voorwaarden", "request": request});
    // the working group (requesting body), the follow-up's owner Joost (ZIN), the BO-IZA
    // members and observer; Bram sits in both bodies and hears once
    for email in [
        "fatima@fms.demo",
        "joost@zin.demo",
        "anna@vws.demo",
        "bram@vws.demo",
        "lotte@zn.demo",
        "olaf@nvz.demo",
    ] {
        let items = told(&app, email, "decision", &asked).await;
        assert_eq!(items.len(), 1, "{email}: {items:?}");
        assert_eq!(items[0]["notification"]["kind"], expected, "{email}");
        assert!(items[0]["notification"]["body"]
            .as_str()
            .unwrap()
            .contains("eerste kwartaal"));
    }
    // never the recorder; the informed parties (IGJ, VNG) are not told of decisions
    assert!(told(&app, "willem@vws.demo", "decision", &asked)
        .await
        .is_empty());
    let informed: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM inbox_items i JOIN users u ON u.id = i.person_id \
         JOIN parties p ON p.id = u.party_id JOIN notification_events e ON e.id = i.event_id \
         WHERE e.kind = 'decision' AND p.code IN ('IGJ', 'VNG') \
         AND u.id NOT IN (SELECT user_id FROM memberships)",
    )
    .fetch_one(app.storage.pool())
    .await
    .unwrap()
    .try_get("n")
    .unwrap();
    assert_eq!(informed, 0);
    // delivered again, nothing arrives twice
    deliver(&app).await;
    assert_eq!(
        told(&app, "lotte@zn.demo", "decision", &asked).await.len(),
        1
    );
    app.stop().await;
}

/// The storage lets an outcome's follow-up live in any body (the API keeps it to the deciding
/// or requesting body): its owners who take part in that body hear of the decision, and the
/// others of that body do not.
async fn a_follow_up_owner_in_another_body_is_told_and_only_they(backend: Backend) {
    let app = app(backend).await;
    WorkingGroup::seed_without_meetings(&app).await;
    let (group, bo, theme) = (
        body(&app, GROUP).await,
        body(&app, BO).await,
        body(&app, THEME).await,
    );
    person_in(
        &app,
        "tessa@zin.demo",
        "Tessa Mol",
        "ZIN",
        theme,
        BodyRole::Member,
    )
    .await;
    person_in(
        &app,
        "olga@fms.demo",
        "Olga Ruis",
        "FMS",
        theme,
        BodyRole::Member,
    )
    .await;
    let bram = WorkingGroup::person(&app, "bram@vws.demo").await;
    let request = put_request(&bram, bo, group, "rolverdeling", None).await;
    let willem = id_of(
        &app,
        "SELECT id FROM users WHERE email = $1",
        "willem@vws.demo",
    )
    .await;
    let zin = id_of(&app, "SELECT id FROM parties WHERE code = $1", "ZIN").await;
    let text = OutcomeText {
        outcome: Outcome::Akkoord,
        decided_on: polder::domain::period::parse_day("2024-09-26").unwrap(),
        rationale: "ZIN is trekker.".into(),
        conditions: None,
        topic: None,
    };
    app.storage
        .record_outcome(
            request,
            &RecordOutcome {
                text: &text,
                meeting_id: None,
                follow_ups: vec![FollowUpInput {
                    body_id: theme,
                    title: "Uitwerking aan de thematafel".into(),
                    due: Due::from_fuzzy(&fuzzy_date::parse("Q1 2025", &ParseContext::default())),
                    owners: vec![(zin, OwnerRole::Lead)],
                }],
                close_dispute: None,
                open_dispute: None,
                person: willem,
            },
            &Actor {
                name: format!("person:{willem} (Willem van Dijk)"),
                party: Some("VWS".into()),
            },
        )
        .await
        .unwrap();
    deliver(&app).await;
    let asked = format!("decision_request:{request}");
    assert_eq!(
        told(&app, "tessa@zin.demo", "decision", &asked).await.len(),
        1
    );
    assert!(told(&app, "olga@fms.demo", "decision", &asked)
        .await
        .is_empty());
    assert_eq!(
        told(&app, "fatima@fms.demo", "decision", &asked)
            .await
            .len(),
        1
    );
    assert!(told(&app, "willem@vws.demo", "decision", &asked)
        .await
        .is_empty());
    app.stop().await;
}
