//! Options proposed with a new dispute are stored with it, in one transaction: a dispute is
//! never left behind without the options its raiser proposed.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    options_proposed_with_a_dispute_are_stored_with_it,
    a_bad_option_refuses_the_whole_dispute,
);

fn raise_body(group: &WorkingGroup, options: serde_json::Value) -> serde_json::Value {
    json!({
        "subject_kind": "draft_passage",
        "subject_id": group.draft_id,
        "title": "Wie duidt de bewijslast?",
        "description": "ZIN en FMS verschillen van inzicht.",
        "parties": ["FMS"],
        "options": options,
    })
}

async fn options_proposed_with_a_dispute_are_stored_with_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let joost = Api::sign_in(&app, "joost@zin.demo", polder::demo::DEMO_PASSWORD).await;
    let options = json!([
        {"title": "ZIN duidt", "description": "Zoals in het pakketbeheer."},
        {"title": "Gezamenlijke duiding"},
    ]);
    let dispute = joost
        .send(
            Method::POST,
            &format!("/api/bodies/{}/disputes", group.body_id),
            raise_body(&group, options),
            StatusCode::CREATED,
        )
        .await;
    let dossier = joost.get(&format!("/api/disputes/{}", dispute["id"])).await;
    let stored: Vec<(&str, &str, &str)> = dossier["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["title"].as_str().unwrap(),
                o["description"].as_str().unwrap(),
                o["party"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        stored,
        vec![
            ("ZIN duidt", "Zoals in het pakketbeheer.", "ZIN"),
            ("Gezamenlijke duiding", "", "ZIN"),
        ],
        "{dossier}"
    );
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    let actions = admin.audit_actions("/api/audit?limit=200").await;
    assert_eq!(actions.iter().filter(|a| *a == "dispute.raise").count(), 1);
    assert_eq!(actions.iter().filter(|a| *a == "dispute.option").count(), 2);
    app.stop().await;
}

async fn a_bad_option_refuses_the_whole_dispute(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let joost = Api::sign_in(&app, "joost@zin.demo", polder::demo::DEMO_PASSWORD).await;
    let disputes = format!("/api/bodies/{}/disputes", group.body_id);
    let before = joost.get(&disputes).await["total"].as_i64().unwrap();
    let refused = joost
        .send(
            Method::POST,
            &disputes,
            raise_body(&group, json!([{"title": "Goed"}, {"title": "  "}])),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains("option 2"), "{refused}");
    let too_many: Vec<_> = (0..21)
        .map(|i| json!({"title": format!("optie {i}")}))
        .collect();
    joost
        .send(
            Method::POST,
            &disputes,
            raise_body(&group, json!(too_many)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(
        joost.get(&disputes).await["total"].as_i64().unwrap(),
        before
    );
    app.stop().await;
}
