//! Governance tracking: role agreements with mandate-bound sign-offs, milestones with their
//! status flow, the dashboard, CSV export and the milestone import (API and CLI).

use polder::auth::secret;
use polder::storage::governance::milestones::MilestoneFilter;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::WorkingGroup;
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    sign_offs_need_the_mandate_and_a_role_change_reopens_only_the_affected_party,
    milestones_follow_their_status_flow_and_keep_the_verschoven_history,
    the_dashboard_buckets_milestones_by_a_fixed_today_and_exports_csv,
    the_messy_table_imports_through_the_api_without_duplicates,
    the_cli_imports_and_reports_every_odd_row,
    the_governance_demo_is_half_signed_off,
);

const MESSY_CSV: &[u8] = include_bytes!("../../server/tests-data/import/messy.csv");

/// A personal write token for a demo person (bearer tokens need no CSRF header).
async fn token_for(app: &TestApp, email: &str) -> String {
    let user = app
        .storage
        .find_user_by_email(email)
        .await
        .unwrap()
        .unwrap();
    let token = secret::new_token();
    app.storage
        .create_token("test", "write", &secret::hash(&token), Some(user.id))
        .await
        .unwrap();
    token
}

/// A request with a bearer token; returns the status and the body as text.
async fn bearer(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<(Vec<u8>, &str)>,
) -> (StatusCode, String) {
    let mut request = reqwest::Client::new()
        .request(method, app.http(path))
        .bearer_auth(token);
    if let Some((bytes, content_type)) = body {
        request = request.header("content-type", content_type).body(bytes);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// The party codes of a list of codes or of parties, sorted.
pub(crate) fn codes(list: &Value) -> Vec<String> {
    let mut out: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v.as_str()
                .map_or_else(|| v["code"].as_str().unwrap().to_owned(), str::to_owned)
        })
        .collect();
    out.sort();
    out
}

async fn sign_offs_need_the_mandate_and_a_role_change_reopens_only_the_affected_party(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let secretariat = WorkingGroup::person(&app, "bram@vws.demo").await;
    let zin = WorkingGroup::person(&app, "joost@zin.demo").await;
    let fms = WorkingGroup::person(&app, "fatima@fms.demo").await;
    let observer = WorkingGroup::person(&app, "iris@igj.demo").await;
    let create = json!({
        "title": "Rollen bij de onderzoeksagenda",
        "description": "Wie trekt de meerjarige onderzoeksagenda per deelsector?",
        "draft_id": group.draft_id,
        "parties": [
            {"party": "ZIN", "role": "trekker"},
            {"party": "VWS", "role": "medeverantwoordelijk"},
            {"party": "FMS", "role": "geconsulteerd"},
            {"party": "IGJ", "role": "geinformeerd"},
        ],
    });
    let path = format!("/api/bodies/{}/role-agreements", group.body_id);
    // only the programme team creates agreements
    zin.send(Method::POST, &path, create.clone(), StatusCode::FORBIDDEN)
        .await;
    let agreement = chair
        .send(Method::POST, &path, create, StatusCode::CREATED)
        .await;
    let id = agreement["id"].as_i64().unwrap();
    let hash = agreement["version_hash"].as_str().unwrap().to_owned();
    assert_eq!(hash.len(), 64);
    assert_eq!(agreement["parties"][1]["code"], "IGJ");
    assert_eq!(agreement["parties"][1]["role"], "geïnformeerd");
    let base = format!("/api/role-agreements/{id}");
    let sign = format!("{base}/sign-offs");

    // everyone in the body reads it; outsiders do not
    observer.get(&base).await;
    let anonymous = crate::api::Api::anonymous(&app);
    let (status, _) = anonymous.call(Method::GET, &base, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // the secretariat holds no mandate, nor does the observer
    let refused = secretariat
        .send(
            Method::POST,
            &sign,
            json!({"state": "akkoord"}),
            StatusCode::FORBIDDEN,
        )
        .await;
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("mandate"),
        "{refused}"
    );
    observer
        .send(
            Method::POST,
            &sign,
            json!({"state": "akkoord"}),
            StatusCode::FORBIDDEN,
        )
        .await;
    // a reservation needs its text
    let invalid = fms
        .send(
            Method::POST,
            &sign,
            json!({"state": "akkoord_met_voorbehoud", "reservation": "  "}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert!(invalid["error"]["message"]
        .as_str()
        .unwrap()
        .contains("reservation"));

    zin.send(
        Method::POST,
        &sign,
        json!({"state": "akkoord", "version_hash": hash}),
        StatusCode::CREATED,
    )
    .await;
    chair
        .send(
            Method::POST,
            &sign,
            json!({"state": "akkoord"}),
            StatusCode::CREATED,
        )
        .await;
    let signed = fms
        .send(
            Method::POST,
            &sign,
            json!({"state": "akkoord_met_voorbehoud", "reservation": "Mits de richtlijnen worden meegenomen."}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(signed["sign_off"]["state"], "akkoord_met_voorbehoud");
    assert_eq!(signed["sign_off"]["version_hash"], hash.as_str());
    assert!(signed["dispute"].is_null());

    let pending = chair.get(&format!("{base}/pending")).await;
    assert_eq!(codes(&pending["pending"]), ["IGJ"]);

    // FMS gets another role: only FMS must sign again
    let changed = chair
        .send(
            Method::PUT,
            &format!("{base}/parties/FMS"),
            json!({"role": "medeverantwoordelijk"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(codes(&changed["reopened"]), ["FMS"]);
    assert_eq!(codes(&changed["carried"]), ["VWS", "ZIN"]);
    let new_hash = changed["agreement"]["version_hash"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_hash, hash);
    let pending = zin.get(&format!("{base}/pending")).await;
    assert_eq!(codes(&pending["pending"]), ["FMS", "IGJ"]);
    let fms_row = &pending["pending"][0];
    assert_eq!(fms_row["mandate_holders"][0], "Fatima El Amrani");
    assert_eq!(fms_row["previous"]["superseded_reason"], "reopened");
    let shown = zin.get(&base).await;
    let zin_row = shown["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "ZIN")
        .unwrap();
    assert_eq!(zin_row["sign_off"]["version_hash"], new_hash.as_str());
    assert!(zin_row["sign_off"]["carried_from"].is_i64());

    // a signer holding an old version is told to read again
    fms.send(
        Method::POST,
        &sign,
        json!({"state": "akkoord", "version_hash": hash}),
        StatusCode::CONFLICT,
    )
    .await;
    // niet akkoord is stored whether or not the dispute could be opened
    let refusal = fms
        .send(
            Method::POST,
            &sign,
            json!({"state": "niet_akkoord", "reservation": "Medeverantwoordelijk gaat te ver."}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(refusal["sign_off"]["state"], "niet_akkoord");
    assert!(refusal["dispute"]["opened"].is_boolean(), "{refusal}");
    let pending = chair.get(&format!("{base}/pending")).await;
    assert_eq!(codes(&pending["pending"]), ["IGJ"]);

    // history keeps every signature, the carried ones and the re-opened one
    let history = chair.items(&sign).await;
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 6, "{history:?}");
    let reasons: Vec<&str> = history
        .iter()
        .map(|s| s["superseded_reason"].as_str().unwrap_or("current"))
        .collect();
    assert_eq!(
        reasons,
        ["carried", "carried", "reopened", "current", "current", "current"]
    );

    // a text change re-opens everyone
    let text = chair
        .send(
            Method::PATCH,
            &base,
            json!({"description": "Nieuwe tekst."}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(codes(&text["reopened"]), ["FMS", "VWS", "ZIN"]);
    zin.send(
        Method::PATCH,
        &base,
        json!({"title": "Niet van ZIN"}),
        StatusCode::FORBIDDEN,
    )
    .await;

    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    let actions = admin.audit_actions("/api/audit?limit=200").await;
    for action in [
        "role_agreement.create",
        "role_agreement.sign_off",
        "role_agreement.set_role",
        "role_agreement.update",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    app.stop().await;
}

async fn milestones_follow_their_status_flow_and_keep_the_verschoven_history(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let zin = WorkingGroup::person(&app, "joost@zin.demo").await;
    let observer = WorkingGroup::person(&app, "iris@igj.demo").await;
    let lines = format!("/api/bodies/{}/action-lines", group.body_id);
    let line = chair
        .send(
            Method::POST,
            &lines,
            json!({"title": "Uitwerken pakketcriteria in de Wlz", "number": "1", "owners": [{"party": "ZINL"}]}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(line["owners"][0]["code"], "ZIN");
    let create = json!({
        "title": "Advies eten en drinken",
        "due": "Q3 2026",
        "action_line_id": line["id"],
        "owners": [{"party": "ZIN", "role": "lead"}, {"party": "IZA-partijen", "role": "contributor"}],
    });
    let path = format!("/api/bodies/{}/milestones", group.body_id);
    zin.send(Method::POST, &path, create.clone(), StatusCode::FORBIDDEN)
        .await;
    let milestone = chair
        .send(Method::POST, &path, create, StatusCode::CREATED)
        .await;
    assert_eq!(milestone["due"]["raw"], "Q3 2026");
    assert_eq!(milestone["due"]["earliest"], "2026-07-01");
    assert_eq!(milestone["due"]["latest"], "2026-09-30");
    assert_eq!(milestone["due"]["precision"], "quarter");
    assert_eq!(milestone["status"], "gepland");
    let id = milestone["id"].as_i64().unwrap();
    let status = format!("/api/milestones/{id}/status");

    // a member of the lead party reports progress; an observer cannot
    zin.send(
        Method::POST,
        &status,
        json!({"status": "op_koers"}),
        StatusCode::OK,
    )
    .await;
    observer
        .send(
            Method::POST,
            &status,
            json!({"status": "risico"}),
            StatusCode::FORBIDDEN,
        )
        .await;
    zin.send(
        Method::POST,
        &status,
        json!({"status": "op_koers"}),
        StatusCode::CONFLICT,
    )
    .await;
    // rescheduling needs the new date and the reason
    let missing = chair
        .send(
            Method::POST,
            &status,
            json!({"status": "verschoven", "new_due": "Q1 2027"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert!(missing["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("reason"));
    chair
        .send(
            Method::POST,
            &status,
            json!({"status": "verschoven", "reason": "Meer tijd"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    let moved = chair
        .send(
            Method::POST,
            &status,
            json!({"status": "verschoven", "new_due": "Q1 2027", "reason": "In gezamenlijk overleg meer tijd genomen", "agreed_with": "VWS"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(moved["status"], "verschoven");
    assert_eq!(moved["due"]["raw"], "Q1 2027");
    assert_eq!(moved["due"]["latest"], "2027-03-31");
    chair
        .send(
            Method::POST,
            &status,
            json!({"status": "gereed"}),
            StatusCode::OK,
        )
        .await;
    chair
        .send(
            Method::POST,
            &status,
            json!({"status": "op_koers"}),
            StatusCode::CONFLICT,
        )
        .await;
    let history = chair.items(&status).await;
    let steps: Vec<(&str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["from"].as_str().unwrap(), c["to"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("gepland", "op_koers"),
            ("op_koers", "verschoven"),
            ("verschoven", "gereed")
        ]
    );
    assert_eq!(history[1]["old_due"], "Q3 2026");
    assert_eq!(history[1]["new_due"], "Q1 2027");
    assert_eq!(history[1]["agreed_with"], "VWS");
    assert_eq!(
        history[1]["reason"],
        "In gezamenlijk overleg meer tijd genomen"
    );

    // notes by members, links by the programme team
    let notes = format!("/api/milestones/{id}/notes");
    observer
        .send(
            Method::POST,
            &notes,
            json!({"body": "Gezien"}),
            StatusCode::FORBIDDEN,
        )
        .await;
    zin.send(
        Method::POST,
        &notes,
        json!({"body": "Concept ligt bij de achterban."}),
        StatusCode::CREATED,
    )
    .await;
    let links = format!("/api/milestones/{id}/links");
    chair
        .send(
            Method::POST,
            &links,
            json!({"draft_id": group.draft_id, "anchor": "§3.5 Planning"}),
            StatusCode::CREATED,
        )
        .await;
    chair
        .send(
            Method::POST,
            &links,
            json!({}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    let detail = observer.get(&format!("/api/milestones/{id}")).await;
    assert_eq!(detail["notes"][0]["body"], "Concept ligt bij de achterban.");
    assert_eq!(detail["links"][0]["draft_id"], group.draft_id);
    assert_eq!(detail["history"].as_array().unwrap().len(), 3);

    // by party: FMS is found through the collective IZA-partijen
    let fms = chair.get(&format!("{path}?party=FMS")).await;
    assert!(fms["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["id"] == id));
    let by_line = chair
        .get(&format!("{path}?action_line={}", line["id"]))
        .await;
    assert_eq!(by_line["total"], 1);
    let detail = chair
        .get(&format!("/api/action-lines/{}", line["id"]))
        .await;
    assert_eq!(detail["milestones"][0]["id"], id);
    app.stop().await;
}

async fn the_dashboard_buckets_milestones_by_a_fixed_today_and_exports_csv(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    WorkingGroup::seed(&app).await;
    // a fresh body, so other milestones (the demo's) do not count
    let admin = &app.admin_token;
    let (status, body) = bearer(
        &app,
        admin,
        Method::POST,
        "/api/bodies",
        Some((
            serde_json::to_vec(&json!({"name": "Subgroep dashboard", "kind": "sub_group", "parties": [{"code": "VWS"}, {"code": "ZIN"}]})).unwrap(),
            "application/json",
        )),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let body_id = json_of(&body)["id"].as_i64().unwrap();
    for (email, role) in [("anna@vws.demo", "chair"), ("joost@zin.demo", "member")] {
        let person = app
            .storage
            .find_user_by_email(email)
            .await
            .unwrap()
            .unwrap();
        let (status, text) = bearer(
            &app,
            admin,
            Method::PUT,
            &format!("/api/bodies/{body_id}/members/{}", person.id),
            Some((
                serde_json::to_vec(&json!({"role": role, "holds_mandate": true})).unwrap(),
                "application/json",
            )),
        )
        .await;
        assert!(status.is_success(), "{text}");
    }
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let path = format!("/api/bodies/{body_id}/milestones");
    let mut ids = std::collections::HashMap::new();
    for (name, due, owner) in [
        ("late", "1-4-2026", "ZIN"),
        ("soon", "15 mei 2026", "VWS"),
        ("later", "Q2 2026", "ZIN"),
        ("unknown", "?", "ZIN"),
        ("done", "1-3-2026", "IZA"),
    ] {
        let m = chair
            .send(
                Method::POST,
                &path,
                json!({"title": name, "due": due, "owners": [{"party": owner}]}),
                StatusCode::CREATED,
            )
            .await;
        ids.insert(name, m["id"].as_i64().unwrap());
    }
    chair
        .send(
            Method::POST,
            &format!("/api/milestones/{}/status", ids["done"]),
            json!({"status": "gereed"}),
            StatusCode::OK,
        )
        .await;
    let dashboard = chair
        .get(&format!("/api/bodies/{body_id}/dashboard?today=2026-05-01"))
        .await;
    let titles = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|m| m["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(titles(&dashboard["late"]), ["late"]);
    assert_eq!(titles(&dashboard["due_soon"]), ["soon"]);
    assert_eq!(dashboard["by_status"]["gepland"], 4);
    assert_eq!(dashboard["by_status"]["gereed"], 1);
    let party = |code: &str| {
        dashboard["by_party"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["code"] == code)
            .cloned()
            .unwrap()
    };
    // ZIN owes its own three and, as a member of IZA-partijen, the collective's one
    assert_eq!(party("ZIN")["total"], 4);
    assert_eq!(party("ZIN")["late"], 1);
    assert_eq!(party("ZIN")["open"], 3);
    assert_eq!(party("VWS")["due_soon"], 1);
    // a month later "later" is late too
    let june = chair
        .get(&format!("/api/bodies/{body_id}/dashboard?today=2026-07-01"))
        .await;
    assert_eq!(titles(&june["late"]), ["late", "soon", "later"]);
    chair
        .send(
            Method::GET,
            &format!("/api/bodies/{body_id}/dashboard?today=1-5-2026"),
            json!(null),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    let zin_only = chair.get(&format!("{path}?party=ZIN")).await;
    assert_eq!(zin_only["total"], 4);

    // CSV export, readable by members
    let token = token_for(&app, "joost@zin.demo").await;
    let (status, csv) = bearer(
        &app,
        &token,
        Method::GET,
        &format!("/api/bodies/{body_id}/milestones.csv"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 6, "{csv}");
    assert!(lines[0].starts_with("id,actielijn,onderwerp,gereed"));
    assert!(
        csv.contains("later,Q2 2026,2026-04-01,2026-06-30,quarter,nee,gepland,ZIN"),
        "{csv}"
    );
    // outsiders do not see the body
    let outsider = token_for(&app, "fatima@fms.demo").await;
    let (status, _) = bearer(
        &app,
        &outsider,
        Method::GET,
        &format!("/api/bodies/{body_id}/dashboard"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

async fn the_messy_table_imports_through_the_api_without_duplicates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let chair = token_for(&app, "anna@vws.demo").await;
    let member = token_for(&app, "joost@zin.demo").await;
    let imports = format!("/api/bodies/{}/imports", group.body_id);
    let count = || async {
        app.storage
            .list_milestones(group.body_id, MilestoneFilter::default())
            .await
            .unwrap()
            .len()
    };
    let before = count().await;
    let upload = |token: String, query: &'static str| {
        let path = format!("{imports}?{query}");
        let app = &app;
        async move {
            bearer(
                app,
                &token,
                Method::POST,
                &path,
                Some((MESSY_CSV.to_vec(), "text/csv")),
            )
            .await
        }
    };
    let (status, _) = upload(member.clone(), "dry_run=true").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, text) = upload(chair.clone(), "dry_run=true").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let dry = json_of(&text);
    let flagged = dry["flagged"].as_array().unwrap().len();
    assert!(flagged >= 7, "{text}");
    assert_eq!(
        dry["summary"],
        format!("rows: 20, milestones: 12, flagged: {flagged}, errors: 2").as_str()
    );
    assert!(dry["stored"].is_null());
    // every odd row is reported with its line and a reason
    let error_lines: Vec<i64> = dry["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_i64().unwrap())
        .collect();
    let planned_errors: Vec<i64> = dry["plan"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "error")
        .map(|r| r["line"].as_i64().unwrap())
        .collect();
    assert_eq!(error_lines, planned_errors);
    for issue in dry["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .chain(dry["errors"].as_array().unwrap())
    {
        assert!(issue["line"].as_i64().unwrap() > 0);
        assert!(!issue["reason"].as_str().unwrap().is_empty());
    }
    assert_eq!(count().await, before, "a dry run stores nothing");

    let (status, text) = upload(chair.clone(), "dry_run=false&name=messy.csv").await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let stored = json_of(&text);
    assert_eq!(stored["stored"]["milestones_created"], 12);
    assert_eq!(count().await, before + 12);
    let (status, text) = upload(chair.clone(), "dry_run=false&name=messy.csv").await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let again = json_of(&text);
    assert_eq!(again["stored"]["milestones_created"], 0);
    assert_eq!(again["stored"]["milestones_updated"], 12);
    assert_eq!(again["stored"]["action_lines_created"], 0);
    assert_eq!(
        count().await,
        before + 12,
        "re-importing creates no duplicates"
    );

    // the import kept aliases, leads and fuzzy dates
    let zin = WorkingGroup::person(&app, "joost@zin.demo").await;
    let list = zin
        .get(&format!(
            "/api/bodies/{}/milestones?party=ZIN&limit=200",
            group.body_id
        ))
        .await;
    let ggz = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["title"] == "Uitkomstinformatie ggz beschikbaar")
        .unwrap()
        .clone();
    assert_eq!(ggz["due"]["raw"], "1-1-2-24");
    assert_eq!(ggz["due"]["uncertain"], true);
    assert_eq!(ggz["owners"][0]["role"], "lead");
    let (status, _) = bearer(
        &app,
        &chair,
        Method::POST,
        &format!("{imports}?format=pdf"),
        Some((MESSY_CSV.to_vec(), "text/csv")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

async fn the_cli_imports_and_reports_every_odd_row(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let file = app.database.dir.path().join("messy.csv");
    std::fs::write(&file, MESSY_CSV).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_polder-under-test"))
            .args(["import", "milestones"])
            .args(args)
            .env("POLDER_DATABASE_URL", &app.database.url)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let count = || async {
        app.storage
            .list_milestones(group.body_id, MilestoneFilter::default())
            .await
            .unwrap()
            .len()
    };
    let before = count().await;
    let path = file.to_str().unwrap();
    let dry = run(&[path, "--dry-run", "--body", "Werkgroep Beter pakketbeheer"]);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let stdout = String::from_utf8_lossy(&dry.stdout).into_owned();
    let lines: Vec<&str> = stdout.lines().collect();
    let summary = lines.last().copied().unwrap();
    let flagged: usize = summary
        .strip_prefix("rows: 20, milestones: 12, flagged: ")
        .and_then(|rest| rest.strip_suffix(", errors: 2"))
        .unwrap_or_else(|| panic!("{stdout}"))
        .parse()
        .unwrap();
    let reported: Vec<&str> = lines[..lines.len() - 1].to_vec();
    assert_eq!(reported.len(), flagged + 2, "{stdout}");
    assert!(
        reported
            .iter()
            .all(|l| l.starts_with("line ")
                && (l.contains(": flagged: ") || l.contains(": error: "))),
        "{stdout}"
    );
    assert_eq!(
        reported.iter().filter(|l| l.contains(": error: ")).count(),
        2
    );
    assert_eq!(count().await, before);

    for _ in 0..2 {
        let stored = run(&[path]);
        assert!(
            stored.status.success(),
            "{}",
            String::from_utf8_lossy(&stored.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&stored.stdout).lines().last(),
            Some(summary)
        );
        assert_eq!(
            count().await,
            before + 12,
            "the second import creates no duplicates"
        );
    }
    let missing = run(&[app.database.dir.path().join("nope.csv").to_str().unwrap()]);
    assert!(!missing.status.success());
    let broken = app.database.dir.path().join("broken.xlsx");
    std::fs::write(&broken, b"this is no workbook").unwrap();
    let unreadable = run(&[broken.to_str().unwrap()]);
    assert!(!unreadable.status.success());
    assert!(String::from_utf8_lossy(&unreadable.stderr).contains("cannot be read"));
    let unknown_body = run(&[path, "--body", "Geen werkgroep"]);
    assert!(!unknown_body.status.success());
    app.stop().await;
}

async fn the_governance_demo_is_half_signed_off(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    polder::storage::governance::demo::seed(&app.storage)
        .await
        .unwrap();
    // running it again changes nothing
    polder::storage::governance::demo::seed(&app.storage)
        .await
        .unwrap();
    let observer = WorkingGroup::person(&app, "iris@igj.demo").await;
    let agreements = observer
        .get(&format!("/api/bodies/{}/role-agreements", group.body_id))
        .await;
    let agreement = agreements["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Rollen in het pakketbeheer")
        .unwrap()
        .clone();
    let pending = observer
        .get(&format!("/api/role-agreements/{}/pending", agreement["id"]))
        .await;
    assert_eq!(pending["pending"].as_array().unwrap().len(), 8);
    let signed: Vec<&str> = agreement["parties"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["sign_off"]["state"].as_str())
        .collect();
    assert_eq!(signed.len(), 4);
    assert!(signed.contains(&"akkoord_met_voorbehoud"));
    let lines = observer
        .get(&format!("/api/bodies/{}/action-lines", group.body_id))
        .await;
    assert_eq!(lines["total"], 4);
    let milestones = observer
        .get(&format!(
            "/api/bodies/{}/milestones?limit=200",
            group.body_id
        ))
        .await;
    // 10 of the planning, 1 due before the IZA-kwartaaloverleg, 7 of the Wlz action lines, 1
    // that follows the start memo, and the occurrences of the quarterly report: one per
    // quarter end from the current one for 12 months (4, or 5 on a quarter's last day)
    let quarterly = milestones["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["title"] == "Kwartaalrapportage voortgang aan het programmateam")
        .count();
    assert!(
        (4..=5).contains(&quarterly),
        "{quarterly} quarterly occurrences"
    );
    assert_eq!(milestones["total"], 19 + quarterly);
    let moved = milestones["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["status"] == "risico")
        .unwrap();
    let history = observer
        .items(&format!("/api/milestones/{}/status", moved["id"]))
        .await;
    assert_eq!(history[0]["to"], "verschoven");
    app.stop().await;
}
