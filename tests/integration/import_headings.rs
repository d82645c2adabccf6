//! The milestone import as the programme team meets it: heading rows become action lines and
//! sub-lines that group the rows below them, and party names the register does not know are
//! mapped to a party or become a new party before the table is committed.

use polder::auth::secret;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::api::WorkingGroup;
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    heading_rows_become_action_lines_and_unknown_parties_are_resolved_before_the_commit,
    only_the_programme_team_resolves_names_and_only_administrators_add_aliases_directly,
);

/// A table as parties keep it: numbered, italic and bold headings, and two names the demo
/// register does not know ("Zorginstituut NL" is ZIN; "InEen" is a new party).
const TABLE: &str = "Onderwerp;Gereed;Verantwoordelijke\n\
                     2.3 Pakketbeheer;;\n\
                     Advies pakketbeheer;Q3 2026;<u>ZIN</u>, Zorginstituut NL\n\
                     *Geneesmiddelen*;;\n\
                     Sluisprocedure herzien;eind 2026;<u>VWS</u>, InEen\n\
                     **Overig**;;\n\
                     Evaluatie;2028;<u>ZN</u>, inEen\n";

async fn token_for(app: &TestApp, email: &str) -> String {
    scoped_token(app, email, "write").await
}

async fn scoped_token(app: &TestApp, email: &str, scope: &str) -> String {
    let user = app
        .storage
        .find_user_by_email(email)
        .await
        .unwrap()
        .unwrap();
    let token = secret::new_token();
    app.storage
        .create_token("test", scope, &secret::hash(&token), Some(user.id))
        .await
        .unwrap();
    token
}

/// Sends the table; returns the status and the answer.
async fn upload(app: &TestApp, token: &str, body_id: i64, query: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(app.http(&format!("/api/bodies/{body_id}/imports?{query}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(TABLE)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn post_json(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(app.http(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn names(answer: &Value) -> Vec<(String, Vec<i64>)> {
    answer["unknown_parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["name"].as_str().unwrap().to_owned(),
                u["lines"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l.as_i64().unwrap())
                    .collect(),
            )
        })
        .collect()
}

fn by_title<'a>(items: &'a Value, title: &str) -> &'a Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == title)
        .unwrap_or_else(|| panic!("no {title:?} in {items}"))
}

async fn heading_rows_become_action_lines_and_unknown_parties_are_resolved_before_the_commit(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let body = group.body_id;
    let secretariat = token_for(&app, "bram@vws.demo").await;
    let resolve = format!("/api/bodies/{body}/imports/parties");

    // The dry run shows the headings, their grouping and the unknown names per row.
    let (status, dry) = upload(&app, &secretariat, body, "dry_run=true").await;
    assert_eq!(status, StatusCode::OK, "{dry}");
    assert_eq!(
        dry["summary"],
        "rows: 7, milestones: 3, flagged: 3, errors: 0"
    );
    let lines: Vec<(&str, Option<&str>, i64)> = dry["plan"]["action_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["key"].as_str().unwrap(),
                a["parent_key"].as_str(),
                a["level"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            ("2.3", None, 2),
            ("2.3/geneesmiddelen", Some("2.3"), 3),
            ("overig", None, 1),
        ]
    );
    assert_eq!(
        names(&dry),
        vec![
            ("Zorginstituut NL".to_owned(), vec![3]),
            ("InEen".to_owned(), vec![5, 7]),
        ]
    );

    // Map one name, create a party for the other; both are remembered as aliases.
    let (status, zin) = post_json(
        &app,
        &secretariat,
        &resolve,
        json!({"name": "Zorginstituut NL", "party": "ZIN"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{zin}");
    assert!(zin["aliases"]
        .as_array()
        .unwrap()
        .contains(&json!("zorginstituutnl")));
    let (status, created) = post_json(
        &app,
        &secretariat,
        &resolve,
        json!({"name": "InEen", "create": {"code": "InEen", "name": "InEen", "colour": "#336699"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["code"], "INEEN");
    // Mapping the same name again changes nothing; to another party is a conflict.
    let (status, _) = post_json(
        &app,
        &secretariat,
        &resolve,
        json!({"name": "zorginstituut nl", "party": "ZIN"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, taken) = post_json(
        &app,
        &secretariat,
        &resolve,
        json!({"name": "Zorginstituut NL", "party": "ZN"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{taken}");
    assert!(taken["error"]["message"].as_str().unwrap().contains("ZIN"));
    let (status, invalid) = post_json(
        &app,
        &secretariat,
        &resolve,
        json!({"name": "Iets", "create": {"code": "!", "name": "Iets", "colour": "#336699"}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{invalid}");
    assert!(invalid["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("create.code: "));
    let (status, _) = post_json(
        &app,
        &secretariat,
        &resolve,
        json!({"name": "Iets", "party": "XYZ"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The next dry run knows both names.
    let (_, again) = upload(&app, &secretariat, body, "dry_run=true").await;
    assert!(names(&again).is_empty(), "{again}");
    let sluis = by_title(&again["plan"]["milestones"], "Sluisprocedure herzien");
    assert_eq!(sluis["contributors"], json!(["INEEN"]));
    assert_eq!(sluis["action_line_key"], "2.3/geneesmiddelen");

    // Commit, twice: the second import creates nothing.
    let (status, stored) = upload(&app, &secretariat, body, "dry_run=false&name=plan.csv").await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(stored["stored"]["action_lines_created"], 3);
    assert_eq!(stored["stored"]["milestones_created"], 3);
    let (_, second) = upload(&app, &secretariat, body, "dry_run=false&name=plan.csv").await;
    assert_eq!(second["stored"]["action_lines_created"], 0);
    assert_eq!(second["stored"]["action_lines_updated"], 3);
    assert_eq!(second["stored"]["milestones_created"], 0);
    assert_eq!(second["stored"]["milestones_updated"], 3);

    // Stored: the sub-line has its parent, the numbered line its number, the milestones
    // their innermost line and the resolved parties.
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let action_lines = chair
        .items(&format!("/api/bodies/{body}/action-lines?limit=200"))
        .await;
    let pakket = by_title(&action_lines, "2.3 Pakketbeheer");
    let genees = by_title(&action_lines, "Geneesmiddelen");
    let overig = by_title(&action_lines, "Overig");
    assert_eq!(pakket["number"], "2.3");
    assert!(pakket["parent_id"].is_null());
    assert_eq!(genees["parent_id"], pakket["id"]);
    assert!(genees["number"].is_null());
    assert!(overig["parent_id"].is_null());
    let milestones = chair
        .items(&format!("/api/bodies/{body}/milestones?limit=200"))
        .await;
    let sluis = by_title(&milestones, "Sluisprocedure herzien");
    assert_eq!(sluis["action_line_id"], genees["id"]);
    let owners: Vec<&str> = sluis["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert_eq!(owners, vec!["VWS", "INEEN"]);
    let advies = by_title(&milestones, "Advies pakketbeheer");
    assert_eq!(advies["action_line_id"], pakket["id"]);
    assert_eq!(
        by_title(&milestones, "Evaluatie")["action_line_id"],
        overig["id"]
    );

    // Every resolution is in the audit log.
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    let actions = admin.audit_actions("/api/audit?limit=200").await;
    assert_eq!(actions.iter().filter(|a| *a == "party.alias").count(), 1);
    assert!(actions.iter().any(|a| a == "party.create"));
    assert_eq!(
        actions.iter().filter(|a| *a == "milestones.import").count(),
        2
    );
    app.stop().await;
}

async fn only_the_programme_team_resolves_names_and_only_administrators_add_aliases_directly(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let resolve = format!("/api/bodies/{}/imports/parties", group.body_id);
    let mapping = json!({"name": "Zorginstituut NL", "party": "ZIN"});
    for email in ["joost@zin.demo", "beheer@polder.demo"] {
        let token = token_for(&app, email).await;
        let (status, answer) = post_json(&app, &token, &resolve, mapping.clone()).await;
        assert!(
            matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{email}: {status} {answer}"
        );
    }
    let secretariat = token_for(&app, "bram@vws.demo").await;
    let (status, _) = post_json(
        &app,
        &secretariat,
        "/api/parties/ZIN/aliases",
        json!({"alias": "ZI-NL"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let admin = scoped_token(&app, "beheer@polder.demo", "admin").await;
    let (status, zin) = post_json(
        &app,
        &admin,
        "/api/parties/ZIN/aliases",
        json!({"alias": "ZI-NL"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{zin}");
    assert!(zin["aliases"].as_array().unwrap().contains(&json!("zinl")));
    let (status, _) = post_json(
        &app,
        &admin,
        "/api/parties/ZN/aliases",
        json!({"alias": "ZINL"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = post_json(
        &app,
        &admin,
        "/api/parties/NOPE/aliases",
        json!({"alias": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}
