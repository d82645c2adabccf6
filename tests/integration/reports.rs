//! Frozen progress reports: a report stays byte-identical (and its hash keeps matching) after
//! the milestones change; the next report and the comparison list exactly the change made in
//! between; the files download; who may freeze and read which report.

use chrono::Datelike;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    a_frozen_report_never_changes_and_the_comparison_lists_exactly_the_change,
    only_readers_read_and_only_the_programme_team_freezes,
);

async fn stored(app: &TestApp, id: i64) -> (String, String) {
    let report = app.storage.find_report(id).await.unwrap().unwrap();
    (report.content, report.summary.content_hash)
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

async fn bytes(api: &Api, path: &str) -> (StatusCode, String, Vec<u8>) {
    let response = api
        .raw(Method::GET, path, "application/json", Vec::new())
        .await;
    let status = response.status();
    let media = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, media, response.bytes().await.unwrap().to_vec())
}

async fn a_frozen_report_never_changes_and_the_comparison_lists_exactly_the_change(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed_full(&app).await;
    let body = group.body_id;
    let secretariat = WorkingGroup::person(&app, "bram@vws.demo").await;
    // The move below is recorded today, so the reports cover the current quarter (Dutch date,
    // as the server counts it): a move lies in the period it was recorded in.
    let today = polder::domain::dutch_time::today();
    let quarter = format!("{}-Q{}", today.year(), (today.month() - 1) / 3 + 1);
    let freeze = json!({"period": quarter, "body_id": body});
    let first = secretariat
        .send(
            Method::POST,
            "/api/programme/reports",
            freeze.clone(),
            StatusCode::CREATED,
        )
        .await;
    let first_id = first["id"].as_i64().unwrap();
    assert_eq!(first["period"], quarter.as_str());
    assert_eq!(first["previous_id"], Value::Null);
    let (text, hash) = stored(&app, first_id).await;
    assert_eq!(first["content_hash"], hash.as_str());
    assert_eq!(polder::versions::content_hash(text.as_bytes()), hash);
    let shown = secretariat
        .get(&format!("/api/programme/reports/{first_id}"))
        .await;
    assert_eq!(shown, first);

    // change the data: reschedule an open milestone and add a new one
    let milestones = secretariat
        .items(&format!("/api/bodies/{body}/milestones?limit=200"))
        .await;
    let moved = milestones
        .as_array()
        .unwrap()
        .iter()
        .find(|m| ["gepland", "op_koers", "risico"].contains(&m["status"].as_str().unwrap()))
        .expect("an open demo milestone")
        .clone();
    let moved_id = moved["id"].as_i64().unwrap();
    secretariat
        .send(
            Method::POST,
            &format!("/api/milestones/{moved_id}/status"),
            json!({"status": "verschoven", "new_due": "december 2027",
                   "reason": "Wacht op de kamerbrief", "agreed_with": "VWS"}),
            StatusCode::OK,
        )
        .await;
    let added = secretariat
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/milestones"),
            json!({"title": "Nieuwe mijlpaal na de rapportage", "due": "2027-03-01",
                   "owners": [{"party": "ZIN"}]}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();

    // the frozen report is exactly as it was
    let (after_text, after_hash) = stored(&app, first_id).await;
    assert_eq!(after_text, text, "the stored content changed");
    assert_eq!(after_hash, hash);
    assert_eq!(polder::versions::content_hash(after_text.as_bytes()), hash);
    assert_eq!(
        secretariat
            .get(&format!("/api/programme/reports/{first_id}"))
            .await,
        first
    );

    // the next report knows the previous one and what is new since
    let second = secretariat
        .send(
            Method::POST,
            "/api/programme/reports",
            freeze,
            StatusCode::CREATED,
        )
        .await;
    let second_id = second["id"].as_i64().unwrap();
    assert_eq!(second["previous_id"], first_id);
    assert_eq!(second["content"]["previous_report_id"], first_id);
    assert_eq!(ids(&second["content"]["bodies"][0]["new"]), [added]);
    assert_ne!(second["content_hash"], first["content_hash"]);

    let diff = secretariat
        .get(&format!(
            "/api/programme/reports/compare?from={first_id}&to={second_id}"
        ))
        .await;
    let changes = &diff["changes"];
    assert_eq!(ids(&changes["added"]), [added]);
    assert_eq!(ids(&changes["removed"]), Vec::<i64>::new());
    assert_eq!(
        changes["status_changed"],
        json!([{"id": moved_id, "title": moved["title"], "from": moved["status"], "to": "verschoven"}])
    );
    assert_eq!(ids(&changes["date_moved"]), [moved_id]);
    assert_eq!(changes["date_moved"][0]["to"], "december 2027");

    // the files
    let base = format!("/api/programme/reports/{second_id}");
    let (status, media, pdf) = bytes(&secretariat, &format!("{base}?format=pdf")).await;
    assert_eq!(
        (status, media.as_str()),
        (StatusCode::OK, "application/pdf")
    );
    polder_tests::assert_pdf_a("progress report", &pdf);
    let (status, _, docx) = bytes(&secretariat, &format!("{base}?format=docx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(docx.starts_with(b"PK"));
    let (status, media, csv) = bytes(&secretariat, &format!("{base}?format=csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(media.starts_with("text/csv"));
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("sectie,orgaan,mijlpaal_id"));
    assert!(csv.contains("Nieuwe mijlpaal na de rapportage"));
    assert!(csv.contains("Wacht op de kamerbrief"));
    let (status, wrong) = secretariat
        .call(Method::GET, &format!("{base}?format=xml"), None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("format:"),
        "{wrong}"
    );

    let audit = WorkingGroup::person(&app, "beheer@polder.demo")
        .await
        .audit_actions("/api/audit?limit=50")
        .await;
    assert_eq!(
        audit.iter().filter(|a| *a == "report.freeze").count(),
        2,
        "{audit:?}"
    );
    app.stop().await;
}

async fn only_readers_read_and_only_the_programme_team_freezes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed_full(&app).await;
    let body = group.body_id;
    let password = polder::auth::password::hash_password(secrecy::SecretString::from(
        polder::demo::DEMO_PASSWORD,
    ))
    .await
    .unwrap();
    app.storage
        .create_user("buiten@anders.demo", "Bea Buiten", &password, false)
        .await
        .unwrap();
    let outsider = WorkingGroup::person(&app, "buiten@anders.demo").await;
    let member = WorkingGroup::person(&app, "joost@zin.demo").await;
    let observer = WorkingGroup::person(&app, "iris@igj.demo").await;
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    let freeze = json!({"period": "2026-H1", "body_id": body});

    let (status, _) = outsider
        .call(Method::POST, "/api/programme/reports", Some(freeze.clone()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for reader in [&member, &observer] {
        let (status, _) = reader
            .call(Method::POST, "/api/programme/reports", Some(freeze.clone()))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, bad) = chair
        .call(
            Method::POST,
            "/api/programme/reports",
            Some(json!({"period": "2026-07", "body_id": body})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("period:"),
        "{bad}"
    );

    let report = chair
        .send(
            Method::POST,
            "/api/programme/reports",
            freeze,
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/programme/reports/{report}");
    let (status, _) = outsider.call(Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = outsider
        .call(
            Method::GET,
            &format!("/api/programme/reports/compare?from={report}&to={report}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(outsider.items("/api/programme/reports").await, json!([]));
    assert_eq!(observer.get(&path).await["id"], report);
    assert_eq!(ids(&member.items("/api/programme/reports").await), [report]);

    // the programme: every body; the working group's chair does not chair them all
    let programme = json!({"period": "2026-Q3"});
    let (status, refused) = chair
        .call(
            Method::POST,
            "/api/programme/reports",
            Some(programme.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let whole = admin
        .send(
            Method::POST,
            "/api/programme/reports",
            programme,
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(whole["body_id"], Value::Null);
    assert_eq!(whole["content"]["scope"]["kind"], "programme");
    let bodies = admin.items("/api/bodies").await;
    assert_eq!(
        whole["content"]["bodies"].as_array().unwrap().len(),
        bodies.as_array().unwrap().len()
    );
    let whole_id = whole["id"].as_i64().unwrap();
    // the member is not in every body: the programme report is not theirs to read
    let (status, _) = member
        .call(
            Method::GET,
            &format!("/api/programme/reports/{whole_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(ids(&member.items("/api/programme/reports").await), [report]);
    assert_eq!(
        ids(&admin.items("/api/programme/reports").await),
        [whole_id, report]
    );
    app.stop().await;
}
