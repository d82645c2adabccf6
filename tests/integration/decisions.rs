//! Decision requests, their outcomes and the decision register, over HTTP on the demo: the
//! working group asks the BO-IZA, the BO's chair records the outcome, and every decision (a
//! request's outcome, a draft reaching `besloten`, a resolved dispute) is in the register.
//! The BO's meetings are made through the meeting API.

use polder::domain::roles::BodyRole;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    akkoord_onder_voorwaarden_creates_its_follow_up_milestones,
    a_deferred_request_moves_to_the_next_meeting_of_its_series,
    the_register_shows_every_kind_of_decision_with_filters_and_exports,
    niet_akkoord_opens_a_dispute_and_an_outcome_closes_one,
    only_the_deciding_bodys_programme_team_records_outcomes,
    the_demo_has_the_boards_two_decisions,
);

const GROUP: &str = "Werkgroep Beter pakketbeheer";
const BO: &str = "Bestuurlijk Overleg IZA (BO-IZA)";

struct Fixture {
    group: i64,
    bo: i64,
    /// The demo draft.
    draft: i64,
    /// The BO's meetings of 4 March, 26 September and 12 December 2024, one series.
    meetings: [i64; 3],
}

async fn body(app: &TestApp, name: &str) -> i64 {
    app.storage
        .find_body_by_name(name)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Makes a meeting series of `body` and its meetings on the Dutch days given (10:00 to 12:00
/// local), through the meeting API as the BO's secretary.
async fn insert_meetings(app: &TestApp, body: i64, days: &[&str]) -> Vec<i64> {
    let bram = WorkingGroup::person(app, "bram@vws.demo").await;
    let series = bram
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/meeting-series"),
            json!({"name": "BO-IZA", "kind": "bo_iza"}),
            StatusCode::CREATED,
        )
        .await;
    let mut ids = Vec::new();
    for day in days {
        let meeting = bram
            .send(
                Method::POST,
                &format!("/api/bodies/{body}/meetings"),
                json!({"title": format!("BO-IZA {day}"), "kind": "bo_iza",
                       "series_id": series["id"], "starts": format!("{day}T10:00"),
                       "ends": format!("{day}T12:00")}),
                StatusCode::CREATED,
            )
            .await;
        ids.push(id(&meeting));
    }
    ids
}

async fn setup(app: &TestApp) -> Fixture {
    WorkingGroup::seed_without_meetings(app).await;
    let (group, bo) = (body(app, GROUP).await, body(app, BO).await);
    let meetings = insert_meetings(app, bo, &["2024-03-04", "2024-09-26", "2024-12-12"]).await;
    let draft: i64 = sqlx::query("SELECT id FROM drafts WHERE body_id = $1 ORDER BY id LIMIT 1")
        .bind(group)
        .fetch_one(app.storage.pool())
        .await
        .unwrap()
        .try_get("id")
        .unwrap();
    Fixture {
        group,
        bo,
        draft,
        meetings: [meetings[0], meetings[1], meetings[2]],
    }
}

async fn agenda_requests(app: &TestApp, meeting: i64) -> Vec<i64> {
    sqlx::query(
        "SELECT decision_request_id FROM agenda_items WHERE meeting_id = $1 AND kind = 'decision_request' ORDER BY position",
    )
    .bind(meeting)
    .fetch_all(app.storage.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get::<i64, _>("decision_request_id").unwrap())
    .collect()
}

async fn put_request(api: &Api, f: &Fixture, title: &str, meeting: Option<i64>) -> Value {
    api.send(
        Method::POST,
        &format!("/api/bodies/{}/decision-requests", f.bo),
        json!({
            "title": title,
            "question": format!("Gaat het BO akkoord met {title}?"),
            "options": ["Akkoord", "Akkoord onder voorwaarden", "Niet akkoord"],
            "asked_of": "Het BO-IZA wordt gevraagd in te stemmen.",
            "requesting_body_id": f.group,
            "meeting_id": meeting,
            "deadline": "2024-09-26",
        }),
        StatusCode::CREATED,
    )
    .await
}

fn id(value: &Value) -> i64 {
    value["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {value}"))
}

async fn chain_verifies(app: &TestApp) {
    let chain = app.storage.audit_chain().await.unwrap();
    polder::domain::audit_chain::verify(&chain).expect("the audit chain is intact");
}

async fn akkoord_onder_voorwaarden_creates_its_follow_up_milestones(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = setup(&app).await;
    let bram = WorkingGroup::person(&app, "bram@vws.demo").await;
    let willem = WorkingGroup::person(&app, "willem@vws.demo").await;
    let request = put_request(&bram, &f, "continuering", Some(f.meetings[1])).await;
    let request_id = id(&request);
    assert_eq!(request["status"], "open");
    assert_eq!(request["options"].as_array().unwrap().len(), 3);
    assert_eq!(agenda_requests(&app, f.meetings[1]).await, vec![request_id]);
    let outcome = format!("/api/decision-requests/{request_id}/outcome");
    // conditions are required for akkoord onder voorwaarden
    let (status, answer) = willem
        .call(
            Method::POST,
            &outcome,
            Some(json!({"outcome": "akkoord_onder_voorwaarden", "decided_on": "2024-09-26", "rationale": "Ingestemd"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer.to_string().contains("conditions"), "{answer}");
    let decision = willem
        .send(
            Method::POST,
            &outcome,
            json!({
                "outcome": "akkoord_onder_voorwaarden",
                "decided_on": "2024-09-26",
                "rationale": "Het BO stemde in met de continuering.",
                "conditions": "Het advies komt in het eerste kwartaal van 2025 naar het BO-IZA.",
                "follow_ups": [{
                    "title": "Advies voorleggen aan het BO-IZA voor akkoord",
                    "due": "Q1 2025",
                    "owners": [{"party": "VWS", "role": "lead"}, {"party": "ZIN", "role": "contributor"}],
                }],
            }),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(decision["outcome"], "akkoord_onder_voorwaarden");
    assert_eq!(decision["source"], "decision_request");
    assert_eq!(decision["body_id"], f.bo);
    assert_eq!(decision["meeting_id"], f.meetings[1]);
    let follow_ups = decision["follow_up_milestones"].as_array().unwrap();
    assert_eq!(follow_ups.len(), 1, "{decision}");
    assert_eq!(follow_ups[0]["due"], "Q1 2025");
    // the milestone is the working group's, with its owners, and linked to the decision
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let milestone = anna
        .get(&format!("/api/milestones/{}", id(&follow_ups[0])))
        .await;
    let milestone = if milestone["milestone"].is_object() {
        milestone["milestone"].clone()
    } else {
        milestone
    };
    assert_eq!(milestone["body_id"], f.group, "{milestone}");
    assert_eq!(milestone["due"]["latest"], "2025-03-31");
    let owners: Vec<(String, String)> = milestone["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["code"].as_str().unwrap().to_owned(),
                o["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        owners.contains(&("VWS".into(), "lead".into())),
        "{owners:?}"
    );
    assert!(
        owners.contains(&("ZIN".into(), "contributor".into())),
        "{owners:?}"
    );
    let linked: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM decision_milestones WHERE decision_id = $1 AND milestone_id = $2",
    )
    .bind(id(&decision))
    .bind(id(&follow_ups[0]))
    .fetch_one(app.storage.pool())
    .await
    .unwrap()
    .try_get("n")
    .unwrap();
    assert_eq!(linked, 1);
    // the request is decided and shows the decision; its audit entry is the register's hash
    let shown = willem
        .get(&format!("/api/decision-requests/{request_id}"))
        .await;
    assert_eq!(shown["status"], "besloten");
    assert_eq!(shown["decisions"][0]["id"], decision["id"]);
    assert_eq!(shown["can_decide"], true);
    assert_eq!(shown["can_edit"], false);
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    let audit = admin.get("/api/audit?limit=5").await;
    let entry = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "decision.record")
        .expect("a decision.record entry")
        .clone();
    assert_eq!(entry["hash"], decision["audit_hash"]);
    assert!(decision["parties"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "ZIN"));
    // a decided request takes no second outcome, and is no longer changed
    let (status, _) = willem
        .call(
            Method::POST,
            &outcome,
            Some(json!({"outcome": "akkoord", "decided_on": "2024-09-27", "rationale": ""})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = bram
        .call(
            Method::PATCH,
            &format!("/api/decision-requests/{request_id}"),
            Some(json!({"title": "Anders"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    chain_verifies(&app).await;
    app.stop().await;
}

async fn a_deferred_request_moves_to_the_next_meeting_of_its_series(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = setup(&app).await;
    let bram = WorkingGroup::person(&app, "bram@vws.demo").await;
    let willem = WorkingGroup::person(&app, "willem@vws.demo").await;
    let request_id = id(&put_request(&bram, &f, "instellen", Some(f.meetings[0])).await);
    let outcome = format!("/api/decision-requests/{request_id}/outcome");
    let defer = json!({"outcome": "aangehouden", "decided_on": "2024-03-04", "rationale": "Eerst de achterban raadplegen."});
    let first = willem
        .send(Method::POST, &outcome, defer.clone(), StatusCode::CREATED)
        .await;
    assert_eq!(first["outcome"], "aangehouden");
    assert_eq!(first["meeting_id"], f.meetings[0]);
    let shown = bram
        .get(&format!("/api/decision-requests/{request_id}"))
        .await;
    assert_eq!(shown["status"], "aangehouden");
    assert_eq!(shown["meeting_id"], f.meetings[1]);
    assert_eq!(agenda_requests(&app, f.meetings[1]).await, vec![request_id]);
    // deferred again, it moves on; after the series' last meeting it has none
    willem
        .send(Method::POST, &outcome, defer.clone(), StatusCode::CREATED)
        .await;
    let shown = bram
        .get(&format!("/api/decision-requests/{request_id}"))
        .await;
    assert_eq!(shown["meeting_id"], f.meetings[2]);
    assert_eq!(agenda_requests(&app, f.meetings[2]).await, vec![request_id]);
    willem
        .send(Method::POST, &outcome, defer, StatusCode::CREATED)
        .await;
    let shown = bram
        .get(&format!("/api/decision-requests/{request_id}"))
        .await;
    assert_eq!(shown["status"], "aangehouden");
    assert!(shown["meeting_id"].is_null(), "{shown}");
    let open = bram
        .items(&format!(
            "/api/bodies/{}/decision-requests?status=aangehouden",
            f.bo
        ))
        .await;
    assert_eq!(open.as_array().unwrap().len(), 1);
    // still open: it may be decided, with the meeting named
    let decided = willem
        .send(
            Method::POST,
            &outcome,
            json!({"outcome": "akkoord", "decided_on": "2024-12-12", "meeting_id": f.meetings[2], "rationale": "Akkoord."}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(decided["meeting_id"], f.meetings[2]);
    let shown = bram
        .get(&format!("/api/decision-requests/{request_id}"))
        .await;
    assert_eq!(shown["status"], "besloten");
    assert_eq!(shown["decisions"].as_array().unwrap().len(), 4);
    chain_verifies(&app).await;
    app.stop().await;
}

async fn text_of(app: &TestApp, path: &str) -> (StatusCode, Vec<u8>) {
    let response = reqwest::Client::new()
        .get(app.http(path))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    (response.status(), response.bytes().await.unwrap().to_vec())
}

async fn the_register_shows_every_kind_of_decision_with_filters_and_exports(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = setup(&app).await;
    let bram = WorkingGroup::person(&app, "bram@vws.demo").await;
    let willem = WorkingGroup::person(&app, "willem@vws.demo").await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    // (1) a request's outcome
    let request_id = id(&put_request(&bram, &f, "continuering", Some(f.meetings[1])).await);
    willem
        .send(
            Method::POST,
            &format!("/api/decision-requests/{request_id}/outcome"),
            json!({"outcome": "akkoord", "decided_on": "2024-09-26", "topic": "Pakketbeheer",
                   "rationale": "Het BO stemde in met de voortzetting van de werkgroep."}),
            StatusCode::CREATED,
        )
        .await;
    // (2) the demo draft reaching besloten
    for (to, note) in [
        ("consultatie", "Ter consultatie"),
        ("vastgesteld", "Vastgesteld"),
        ("aangeboden", "Aangeboden aan het BO"),
        ("besloten", "Het BO besloot tot het advies"),
    ] {
        anna.send(
            Method::POST,
            &format!("/api/drafts/{}/transitions", f.draft),
            json!({"to": to, "note": note}),
            StatusCode::OK,
        )
        .await;
    }
    // (3) the demo dispute resolved by the working group's chair
    let dispute = anna
        .items(&format!("/api/bodies/{}/disputes?open=true", f.group))
        .await[0]["id"]
        .as_i64()
        .unwrap();
    anna.send(
        Method::POST,
        &format!("/api/disputes/{dispute}/resolve"),
        json!({"decision": "ZIN is trekker; FMS wordt geconsulteerd."}),
        StatusCode::OK,
    )
    .await;

    let all = admin.get("/api/decisions").await;
    assert_eq!(all["total"], 3, "{all}");
    let sources: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["source"].as_str().unwrap())
        .collect();
    for source in ["decision_request", "draft", "dispute"] {
        assert!(sources.contains(&source), "{sources:?}");
    }
    let draft_decision = admin.items("/api/decisions?source=draft").await[0].clone();
    assert_eq!(draft_decision["outcome"], "besloten");
    assert_eq!(draft_decision["draft_id"], f.draft);
    assert_eq!(draft_decision["title"], "Advies Beter pakketbeheer");
    assert_eq!(draft_decision["rationale"], "Het BO besloot tot het advies");
    assert!(draft_decision["version_id"].is_i64(), "{draft_decision}");
    assert!(draft_decision["audit_hash"].is_string());
    let dispute_decision = admin.items("/api/decisions?source=dispute").await[0].clone();
    assert_eq!(dispute_decision["closed_dispute_id"], dispute);
    assert_eq!(dispute_decision["dispute_id"], dispute);
    assert_eq!(dispute_decision["body_id"], f.group);
    assert_eq!(
        dispute_decision["rationale"],
        "ZIN is trekker; FMS wordt geconsulteerd."
    );
    let mut parties: Vec<&str> = dispute_decision["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    parties.sort_unstable();
    assert_eq!(parties, vec!["FMS", "ZIN"]);

    let count = |path: String| {
        let admin = &admin;
        async move { admin.get(&path).await["total"].as_i64().unwrap() }
    };
    // filters: body, period, party, topic, q
    assert_eq!(count(format!("/api/decisions?body={}", f.group)).await, 2);
    assert_eq!(count(format!("/api/decisions?body={}", f.bo)).await, 1);
    assert_eq!(count(format!("/api/bodies/{}/decisions", f.group)).await, 2);
    assert_eq!(count("/api/decisions?period=2024-Q3".into()).await, 1);
    assert_eq!(
        count("/api/decisions?from=2024-09-01&to=2024-09-30".into()).await,
        1
    );
    assert_eq!(count("/api/decisions?to=2024-09-25".into()).await, 0);
    assert_eq!(count("/api/decisions?party=FMS".into()).await, 3);
    assert_eq!(count("/api/decisions?party=VNG".into()).await, 0);
    assert_eq!(count("/api/decisions?party=IZA".into()).await, 3);
    assert_eq!(count("/api/decisions?topic=pakketbeheer".into()).await, 1);
    assert_eq!(count("/api/decisions?q=VOORTZETTING".into()).await, 1);
    assert_eq!(count("/api/decisions?q=geconsulteerd".into()).await, 1);
    let (status, _) = admin
        .call(Method::GET, "/api/decisions?party=NIEMAND", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = admin
        .call(Method::GET, "/api/decisions?from=gisteren", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let one = admin
        .get(&format!("/api/decisions/{}", id(&draft_decision)))
        .await;
    assert_eq!(one, draft_decision);

    // exports
    let (status, csv) = text_of(&app, "/api/decisions.csv").await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,datum,orgaan,bron,titel"), "{csv}");
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(csv.contains("Advies Beter pakketbeheer"), "{csv}");
    let (_, filtered) = text_of(
        &app,
        &format!("/api/bodies/{}/decisions.csv?source=dispute", f.group),
    )
    .await;
    let filtered = String::from_utf8(filtered).unwrap();
    assert_eq!(filtered.lines().count(), 2, "{filtered}");
    for path in [
        "/api/decisions.pdf".to_owned(),
        format!("/api/bodies/{}/decisions.pdf", f.bo),
    ] {
        let (status, pdf) = text_of(&app, &path).await;
        assert_eq!(status, StatusCode::OK);
        polder_tests::assert_pdf_a(&path, &pdf);
    }
    chain_verifies(&app).await;
    app.stop().await;
}

async fn niet_akkoord_opens_a_dispute_and_an_outcome_closes_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = setup(&app).await;
    let bram = WorkingGroup::person(&app, "bram@vws.demo").await;
    let willem = WorkingGroup::person(&app, "willem@vws.demo").await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let version = anna
        .send(
            Method::POST,
            &format!("/api/drafts/{}/versions", f.draft),
            json!({"name": "voor het BO"}),
            StatusCode::CREATED,
        )
        .await;
    let request = bram
        .send(
            Method::POST,
            &format!("/api/bodies/{}/decision-requests", f.bo),
            json!({"title": "Advies", "question": "Stemt het BO in met het advies?",
                   "requesting_body_id": f.group, "version_id": id(&version)}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(request["version"]["id"], version["id"]);
    assert_eq!(request["version"]["draft_id"], f.draft);
    let decision = willem
        .send(
            Method::POST,
            &format!("/api/decision-requests/{}/outcome", id(&request)),
            json!({"outcome": "niet_akkoord", "decided_on": "2024-09-26", "rationale": "Geen overeenstemming.",
                   "open_dispute": {"parties": ["FMS", "ZIN"], "statement": "FMS en ZIN verschillen over de rolverdeling."}}),
            StatusCode::CREATED,
        )
        .await;
    let opened = decision["opened_dispute_id"]
        .as_i64()
        .expect("a dispute opened");
    let dispute = anna.get(&format!("/api/disputes/{opened}")).await;
    let text = dispute.to_string();
    assert!(text.contains("in_behandeling"), "{text}");
    assert!(text.contains("draft_passage"), "{text}");
    // an outcome closes the demo dispute
    let demo_dispute = anna
        .items(&format!("/api/bodies/{}/disputes?open=true", f.group))
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .find(|d| *d != opened)
        .unwrap();
    // the BO's chair sees it once it reached the theme table, which he chairs too
    anna.send(
        Method::POST,
        &format!("/api/disputes/{demo_dispute}/escalate"),
        json!({"note": "Naar de thematafel"}),
        StatusCode::OK,
    )
    .await;
    let second = id(&put_request(&bram, &f, "rolverdeling", None).await);
    let closing = willem
        .send(
            Method::POST,
            &format!("/api/decision-requests/{second}/outcome"),
            json!({"outcome": "akkoord", "decided_on": "2024-09-26", "rationale": "ZIN is trekker.",
                   "close_dispute_id": demo_dispute}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(closing["closed_dispute_id"], demo_dispute);
    let closed = app
        .storage
        .find_dispute(demo_dispute)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(closed.status.as_str(), "besloten");
    assert_eq!(closed.decision.as_deref(), Some("ZIN is trekker."));
    // a closed dispute is not closed twice
    let third = id(&put_request(&bram, &f, "nogmaals", None).await);
    let (status, _) = willem
        .call(
            Method::POST,
            &format!("/api/decision-requests/{third}/outcome"),
            Some(
                json!({"outcome": "akkoord", "decided_on": "2024-09-26", "rationale": "",
                        "close_dispute_id": demo_dispute}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // a dispute needs a subject: no version and no follow-up is refused
    let (status, answer) = willem
        .call(
            Method::POST,
            &format!("/api/decision-requests/{third}/outcome"),
            Some(
                json!({"outcome": "niet_akkoord", "decided_on": "2024-09-26", "rationale": "",
                        "open_dispute": {"parties": ["ZIN"], "statement": "x"}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    chain_verifies(&app).await;
    app.stop().await;
}

async fn only_the_deciding_bodys_programme_team_records_outcomes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = setup(&app).await;
    // Joost (ZIN) is a plain member of the BO-IZA too
    let joost_id = app
        .storage
        .find_user_by_email("joost@zin.demo")
        .await
        .unwrap()
        .unwrap()
        .id;
    app.storage
        .put_membership(f.bo, joost_id, BodyRole::Member, true)
        .await
        .unwrap();
    let password = polder::auth::password::hash_password(secrecy::SecretString::from(
        polder::demo::DEMO_PASSWORD,
    ))
    .await
    .unwrap();
    app.storage
        .create_user("buiten@elders.demo", "Bas Buiten", &password, false)
        .await
        .unwrap();
    let joost = WorkingGroup::person(&app, "joost@zin.demo").await;
    let fatima = WorkingGroup::person(&app, "fatima@fms.demo").await;
    let outsider = WorkingGroup::person(&app, "buiten@elders.demo").await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let willem = WorkingGroup::person(&app, "willem@vws.demo").await;
    // the working group's chair puts it (she steers the requesting body, not the BO)
    let request = put_request(&anna, &f, "continuering", Some(f.meetings[1])).await;
    let request_id = id(&request);
    assert_eq!(request["can_decide"], false);
    assert_eq!(request["can_edit"], true);
    // a member of either body may not put one
    let (status, _) = joost
        .call(
            Method::POST,
            &format!("/api/bodies/{}/decision-requests", f.bo),
            Some(json!({"title": "t", "question": "q", "requesting_body_id": f.group})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = outsider
        .call(
            Method::POST,
            &format!("/api/bodies/{}/decision-requests", f.bo),
            Some(json!({"title": "t", "question": "q"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let outcome = format!("/api/decision-requests/{request_id}/outcome");
    let body = json!({"outcome": "akkoord", "decided_on": "2024-09-26", "rationale": "Akkoord."});
    for (who, expected) in [
        (&joost, StatusCode::FORBIDDEN),
        (&anna, StatusCode::FORBIDDEN),
        (&fatima, StatusCode::FORBIDDEN),
        (&outsider, StatusCode::NOT_FOUND),
    ] {
        let (status, _) = who.call(Method::POST, &outcome, Some(body.clone())).await;
        assert_eq!(status, expected);
    }
    let (status, _) = outsider
        .call(
            Method::GET,
            &format!("/api/decision-requests/{request_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let decision = willem
        .send(Method::POST, &outcome, body, StatusCode::CREATED)
        .await;
    // a member of the requesting body reads the request and sees the BO's answer
    let seen = fatima
        .get(&format!("/api/decision-requests/{request_id}"))
        .await;
    assert_eq!(seen["status"], "besloten");
    assert_eq!(seen["can_decide"], false);
    assert_eq!(seen["can_edit"], false);
    let register = fatima.items("/api/decisions").await;
    assert!(
        register
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == decision["id"]),
        "{register}"
    );
    fatima
        .get(&format!("/api/decisions/{}", id(&decision)))
        .await;
    let (status, _) = fatima
        .call(
            Method::GET,
            &format!("/api/bodies/{}/decisions", f.bo),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = fatima
        .call(
            Method::GET,
            &format!("/api/bodies/{}/decision-requests", f.bo),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(outsider
        .items("/api/decisions")
        .await
        .as_array()
        .unwrap()
        .is_empty());
    let (status, _) = outsider
        .call(
            Method::GET,
            &format!("/api/decisions/{}", id(&decision)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // withdrawing: the requesting body's chair may, once
    let other = id(&put_request(&anna, &f, "later", None).await);
    let (status, _) = joost
        .call(
            Method::POST,
            &format!("/api/decision-requests/{other}/withdraw"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let withdrawn = anna
        .send(
            Method::POST,
            &format!("/api/decision-requests/{other}/withdraw"),
            json!({}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(withdrawn["status"], "ingetrokken");
    let (status, _) = anna
        .call(
            Method::POST,
            &format!("/api/decision-requests/{other}/withdraw"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    chain_verifies(&app).await;
    app.stop().await;
}

async fn the_demo_has_the_boards_two_decisions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = setup(&app).await;
    polder::storage::decisions::demo::seed(&app.storage)
        .await
        .unwrap();
    let joost = WorkingGroup::person(&app, "joost@zin.demo").await;
    let register = joost.items("/api/decisions?source=decision_request").await;
    let register = register.as_array().unwrap();
    assert_eq!(register.len(), 2, "{register:?}");
    let continuation = register
        .iter()
        .find(|d| d["outcome"] == "akkoord_onder_voorwaarden")
        .unwrap();
    assert_eq!(continuation["decided_on"], "2024-09-26");
    assert_eq!(continuation["meeting_id"], f.meetings[1]);
    assert_eq!(
        continuation["follow_up_milestones"][0]["title"],
        "Advies voorleggen aan het BO-IZA voor akkoord"
    );
    let founding = register.iter().find(|d| d["outcome"] == "akkoord").unwrap();
    assert_eq!(founding["decided_on"], "2024-03-06");
    assert_eq!(founding["meeting_id"], f.meetings[0]);
    // seeding again adds nothing
    polder::storage::decisions::demo::seed(&app.storage)
        .await
        .unwrap();
    assert_eq!(joost.get("/api/decisions").await["total"], 2);
    chain_verifies(&app).await;
    app.stop().await;
}
