//! Every state change is one write transaction with its audit entry: when the audit append
//! fails, nothing of the change is left behind. The audit log is made to refuse inserts for
//! real, by a trigger installed through the test's own connection to the server's database.

use polder::scheduler::{timestamp, Clock, FakeClock, Scheduler, SchedulerSettings};
use polder::storage::sql::Backend as Db;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    a_refused_audit_entry_leaves_no_niet_akkoord_and_no_dispute,
    a_refused_audit_entry_leaves_the_draft_in_its_status,
    a_refused_audit_entry_leaves_the_dispute_at_its_level,
    a_dispute_that_cannot_be_opened_keeps_the_niet_akkoord_and_says_so,
    a_refused_audit_entry_leaves_no_change_behind,
    a_refused_audit_entry_leaves_a_timed_out_dispute_at_its_level_and_the_job_is_retried,
);

/// Makes every insert into the audit log fail until [`allow_audit`].
async fn refuse_audit(app: &TestApp) {
    refuse_inserts(app, "audit_log").await;
}

async fn allow_audit(app: &TestApp) {
    allow_inserts(app, "audit_log").await;
}

/// Makes every insert into `table` fail, by a trigger, until [`allow_inserts`].
async fn refuse_inserts(app: &TestApp, table: &str) {
    let pool = app.storage.pool();
    let statements = match app.storage.backend() {
        Db::Sqlite => vec![format!(
            "CREATE TRIGGER {table}_refused BEFORE INSERT ON {table} \
             BEGIN SELECT RAISE(ABORT, '{table} refuses rows'); END"
        )],
        Db::Postgres => vec![
            format!(
                "CREATE OR REPLACE FUNCTION {table}_refused() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION '{table} refuses rows'; END $$"
            ),
            format!(
                "CREATE TRIGGER {table}_refused BEFORE INSERT ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION {table}_refused()"
            ),
        ],
    };
    for statement in statements {
        sqlx::query(&statement).execute(pool).await.unwrap();
    }
}

async fn allow_inserts(app: &TestApp, table: &str) {
    let drop = match app.storage.backend() {
        Db::Sqlite => format!("DROP TRIGGER {table}_refused"),
        Db::Postgres => format!("DROP TRIGGER {table}_refused ON {table}"),
    };
    sqlx::query(&drop)
        .execute(app.storage.pool())
        .await
        .unwrap();
}

/// The number of audit entries, and that the chain is intact.
async fn audit_entries(app: &TestApp) -> usize {
    let chain = app.storage.audit_chain().await.unwrap();
    polder::domain::audit_chain::verify(&chain).expect("the audit chain is intact")
}

/// Sends a change that must fail with a server error and the JSON error body.
async fn fails(api: &Api, method: Method, path: &str, body: Value) {
    let (status, answer) = api.call(method, path, Some(body)).await;
    assert_eq!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{path}: {answer}"
    );
    assert_eq!(answer["error"]["code"], "internal", "{answer}");
    assert!(answer["error"]["message"].is_string(), "{answer}");
}

/// The chair creates an agreement with ZIN as trekker and FMS; returns its path.
async fn agreement(group: &WorkingGroup, chair: &Api) -> String {
    let agreement = chair
        .send(
            Method::POST,
            &format!("/api/bodies/{}/role-agreements", group.body_id),
            json!({
                "title": "Rollen bij de onderzoeksagenda",
                "parties": [
                    {"party": "ZIN", "role": "trekker"},
                    {"party": "FMS", "role": "medeverantwoordelijk"},
                ],
            }),
            StatusCode::CREATED,
        )
        .await;
    format!("/api/role-agreements/{}", agreement["id"])
}

async fn a_refused_audit_entry_leaves_no_niet_akkoord_and_no_dispute(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let fms = WorkingGroup::person(&app, "fatima@fms.demo").await;
    let base = agreement(&group, &chair).await;
    let disputes = format!("/api/bodies/{}/disputes", group.body_id);
    let refusal =
        json!({"state": "niet_akkoord", "reservation": "Medeverantwoordelijk gaat te ver."});
    let entries = audit_entries(&app).await;

    refuse_audit(&app).await;
    fails(
        &fms,
        Method::POST,
        &format!("{base}/sign-offs"),
        refusal.clone(),
    )
    .await;
    let history = chair.items(&format!("{base}/sign-offs")).await;
    assert_eq!(history, json!([]), "no sign-off is stored");
    assert_eq!(
        chair.items(&disputes).await,
        json!([]),
        "no dispute is opened"
    );
    let pending = chair.get(&format!("{base}/pending")).await;
    assert_eq!(pending["pending"].as_array().unwrap().len(), 2, "{pending}");
    assert_eq!(audit_entries(&app).await, entries);

    allow_audit(&app).await;
    let signed = fms
        .send(
            Method::POST,
            &format!("{base}/sign-offs"),
            refusal,
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(signed["sign_off"]["state"], "niet_akkoord");
    assert_eq!(signed["dispute"]["opened"], true, "{signed}");
    assert_eq!(signed["sign_off"]["dispute_id"], signed["dispute"]["id"]);
    let fms_row = signed["agreement"]["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "FMS")
        .unwrap()
        .clone();
    assert_eq!(fms_row["sign_off"]["id"], signed["sign_off"]["id"]);
    let opened = chair.items(&disputes).await;
    assert_eq!(opened.as_array().unwrap().len(), 1, "{opened}");
    assert_eq!(opened[0]["id"], signed["dispute"]["id"]);
    assert_eq!(audit_entries(&app).await, entries + 1);
    app.stop().await;
}

async fn a_refused_audit_entry_leaves_the_draft_in_its_status(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let draft = format!("/api/drafts/{}", group.draft_id);
    let step = json!({"to": "consultatie", "note": "Ter consultatie"});
    let versions = chair.get(&format!("{draft}/versions")).await;
    let entries = audit_entries(&app).await;

    refuse_audit(&app).await;
    fails(
        &chair,
        Method::POST,
        &format!("{draft}/transitions"),
        step.clone(),
    )
    .await;
    assert_eq!(chair.get(&draft).await["status"], "concept");
    let history = chair.items(&format!("{draft}/transitions")).await;
    assert_eq!(history, json!([]), "no transition is stored");
    assert_eq!(
        chair.get(&format!("{draft}/versions")).await,
        versions,
        "no version is frozen"
    );
    assert_eq!(audit_entries(&app).await, entries);

    allow_audit(&app).await;
    let moved = chair
        .send(
            Method::POST,
            &format!("{draft}/transitions"),
            step,
            StatusCode::OK,
        )
        .await;
    assert_eq!(moved["draft"]["status"], "consultatie");
    assert!(moved["version_id"].is_i64(), "{moved}");
    let history = chair.items(&format!("{draft}/transitions")).await;
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    assert_eq!(history[0]["version_id"], moved["version_id"]);
    assert_eq!(audit_entries(&app).await, entries + 1);
    app.stop().await;
}

async fn a_refused_audit_entry_leaves_the_dispute_at_its_level(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let joost = WorkingGroup::person(&app, "joost@zin.demo").await;
    let raised = raise_with_fms(&joost, &group).await;
    let dispute = format!("/api/disputes/{}", raised["id"]);
    let escalation = json!({"note": "Naar de thematafel"});
    let before = chair.get(&dispute).await;
    let entries = audit_entries(&app).await;

    refuse_audit(&app).await;
    fails(
        &chair,
        Method::POST,
        &format!("{dispute}/escalate"),
        escalation.clone(),
    )
    .await;
    let after = chair.get(&dispute).await;
    assert_eq!(
        after, before,
        "the dispute, its level and its history are unchanged"
    );
    assert_eq!(audit_entries(&app).await, entries);

    allow_audit(&app).await;
    let escalated = chair
        .send(
            Method::POST,
            &format!("{dispute}/escalate"),
            escalation,
            StatusCode::OK,
        )
        .await;
    assert_eq!(escalated["level"], 1);
    assert_eq!(escalated["status"], "geescaleerd");
    assert_ne!(chair.get(&dispute).await, before);
    assert_eq!(audit_entries(&app).await, entries + 1);
    app.stop().await;
}

async fn a_dispute_that_cannot_be_opened_keeps_the_niet_akkoord_and_says_so(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let fms = WorkingGroup::person(&app, "fatima@fms.demo").await;
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    let base = agreement(&group, &chair).await;
    let disputes = format!("/api/bodies/{}/disputes", group.body_id);
    let refusal =
        json!({"state": "niet_akkoord", "reservation": "Medeverantwoordelijk gaat te ver."});
    let entries = audit_entries(&app).await;

    // Opening the dispute fails inside the sign-off's transaction: only it is undone.
    refuse_inserts(&app, "disputes").await;
    let signed = fms
        .send(
            Method::POST,
            &format!("{base}/sign-offs"),
            refusal.clone(),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(signed["sign_off"]["state"], "niet_akkoord");
    assert!(signed["sign_off"]["dispute_id"].is_null(), "{signed}");
    assert_eq!(signed["dispute"]["opened"], false, "{signed}");
    assert!(signed["dispute"]["message"]
        .as_str()
        .unwrap()
        .contains("raise it by hand"));
    let history = chair.items(&format!("{base}/sign-offs")).await;
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    assert_eq!(chair.items(&disputes).await, json!([]));
    let actions = admin.audit_actions("/api/audit?limit=2").await;
    assert_eq!(
        actions,
        ["role_agreement.dispute_failed", "role_agreement.sign_off"]
    );
    assert_eq!(audit_entries(&app).await, entries + 2);

    // Signing niet_akkoord again retries.
    allow_inserts(&app, "disputes").await;
    let again = fms
        .send(
            Method::POST,
            &format!("{base}/sign-offs"),
            refusal,
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(again["dispute"]["opened"], true, "{again}");
    assert_eq!(chair.items(&disputes).await.as_array().unwrap().len(), 1);
    app.stop().await;
}

/// A change to try with the audit log refusing entries: who sends what, and a query (through
/// the test's own connection) whose one text value `v` the change alters.
struct Case {
    who: &'static str,
    method: Method,
    path: String,
    body: Option<Value>,
    expected: StatusCode,
    probe: String,
}

/// The value of a case's probe.
async fn probe(app: &TestApp, sql: &str) -> String {
    use sqlx::Row;
    sqlx::query(sql)
        .fetch_one(app.storage.pool())
        .await
        .unwrap()
        .try_get("v")
        .unwrap()
}

fn count(table_and_filter: &str) -> String {
    format!("SELECT CAST(COUNT(*) AS TEXT) AS v FROM {table_and_filter}")
}

async fn a_refused_audit_entry_leaves_no_change_behind(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    let bodies = admin.get("/api/bodies").await;
    let theme = bodies["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["kind"] == "theme_table")
        .unwrap()["id"]
        .clone();
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let anna_id = anna.get("/api/me").await["id"].clone();
    let token = anna
        .send(
            Method::POST,
            "/api/tokens",
            json!({"name": "te intrekken", "scope": "read"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .clone();
    let draft = format!("/api/drafts/{}", group.draft_id);
    let cases = [
        Case {
            who: "beheer@polder.demo",
            method: Method::POST,
            path: "/api/bodies".into(),
            body: Some(json!({"name": "Werkgroep Nieuw", "kind": "working_group"})),
            expected: StatusCode::CREATED,
            probe: count("bodies"),
        },
        Case {
            who: "beheer@polder.demo",
            method: Method::PUT,
            path: format!("/api/bodies/{theme}/members/{anna_id}"),
            body: Some(json!({"role": "member"})),
            expected: StatusCode::OK,
            probe: count("memberships"),
        },
        Case {
            who: "beheer@polder.demo",
            method: Method::DELETE,
            path: format!("/api/bodies/{theme}/members/{anna_id}"),
            body: None,
            expected: StatusCode::NO_CONTENT,
            probe: count("memberships"),
        },
        Case {
            who: "beheer@polder.demo",
            method: Method::POST,
            path: "/api/parties".into(),
            body: Some(
                json!({"code": "NZA", "name": "Nederlandse Zorgautoriteit", "colour": "#336699"}),
            ),
            expected: StatusCode::CREATED,
            probe: count("parties"),
        },
        Case {
            who: "beheer@polder.demo",
            method: Method::POST,
            path: "/api/people".into(),
            body: Some(
                json!({"name": "Nieuw Lid", "email": "nieuw@zin.demo", "party": "ZIN", "password": "een lang genoeg wachtwoord"}),
            ),
            expected: StatusCode::CREATED,
            probe: count("users"),
        },
        Case {
            who: "anna@vws.demo",
            method: Method::POST,
            path: "/api/me/calendar-feeds".into(),
            body: None,
            expected: StatusCode::CREATED,
            probe: count("calendar_feeds"),
        },
        Case {
            who: "anna@vws.demo",
            method: Method::PUT,
            path: "/api/me/notification-settings".into(),
            body: Some(json!({"email": "off"})),
            expected: StatusCode::OK,
            probe: count("notification_settings"),
        },
        Case {
            who: "iris@igj.demo",
            method: Method::PUT,
            path: format!("{draft}/follow"),
            body: None,
            expected: StatusCode::OK,
            probe: count("follows"),
        },
        Case {
            who: "anna@vws.demo",
            method: Method::POST,
            path: format!("{draft}/comments"),
            body: Some(json!({"body": "Graag een bron bij deze alinea."})),
            expected: StatusCode::CREATED,
            probe: count("comments"),
        },
        Case {
            who: "anna@vws.demo",
            method: Method::POST,
            path: "/api/tokens".into(),
            body: Some(json!({"name": "rapportage", "scope": "read"})),
            expected: StatusCode::CREATED,
            probe: count("api_tokens"),
        },
        Case {
            who: "anna@vws.demo",
            method: Method::DELETE,
            path: format!("/api/tokens/{token}"),
            body: None,
            expected: StatusCode::NO_CONTENT,
            probe: count("api_tokens WHERE revoked_at IS NULL"),
        },
        Case {
            who: "anna@vws.demo",
            method: Method::POST,
            path: format!("/api/bodies/{}/webhooks", group.body_id),
            body: Some(json!({"url": "http://hooks.invalid:9/audit"})),
            expected: StatusCode::CREATED,
            probe: count("webhooks"),
        },
        Case {
            who: "anna@vws.demo",
            method: Method::POST,
            path: format!("{draft}/versions"),
            body: Some(json!({"name": "Voor de thematafel"})),
            expected: StatusCode::CREATED,
            probe: count("versions"),
        },
        Case {
            who: "fatima@fms.demo",
            method: Method::PUT,
            path: "/api/me/password".into(),
            body: Some(
                json!({"current": polder::demo::DEMO_PASSWORD, "new": "een veel langer wachtwoord"}),
            ),
            expected: StatusCode::NO_CONTENT,
            probe: "SELECT password_hash AS v FROM users WHERE email = 'fatima@fms.demo'".into(),
        },
    ];
    for case in cases {
        let api = WorkingGroup::person(&app, case.who).await;
        let what = format!("{} {}", case.method, case.path);
        let before = probe(&app, &case.probe).await;
        let entries = audit_entries(&app).await;

        refuse_audit(&app).await;
        let (status, answer) = api
            .call(case.method.clone(), &case.path, case.body.clone())
            .await;
        assert_eq!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{what}: {answer}"
        );
        assert_eq!(answer["error"]["code"], "internal", "{what}: {answer}");
        assert!(answer["error"]["message"].is_string(), "{what}: {answer}");
        assert_eq!(
            probe(&app, &case.probe).await,
            before,
            "{what} left a change"
        );
        assert_eq!(audit_entries(&app).await, entries, "{what}");

        allow_audit(&app).await;
        let (status, answer) = api.call(case.method, &case.path, case.body).await;
        assert_eq!(status, case.expected, "{what}: {answer}");
        assert_ne!(
            probe(&app, &case.probe).await,
            before,
            "{what} changed nothing"
        );
        assert_eq!(audit_entries(&app).await, entries + 1, "{what}");
    }
    app.stop().await;
}

async fn a_refused_audit_entry_leaves_a_timed_out_dispute_at_its_level_and_the_job_is_retried(
    backend: Backend,
) {
    let app = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    let group = WorkingGroup::seed(&app).await;
    let joost = WorkingGroup::person(&app, "joost@zin.demo").await;
    let raised = raise_with_fms(&joost, &group).await;
    let id = raised["id"].as_i64().unwrap();
    let respond_by = raised["respond_by"].as_str().unwrap();
    let clock = FakeClock::new(timestamp(&format!("{respond_by}T20:00:00Z")).unwrap());
    clock.advance_days(1);
    let late = clock.now();
    let scheduler = Scheduler::new((*app.storage).clone(), SchedulerSettings::default());
    let entries = audit_entries(&app).await;

    refuse_audit(&app).await;
    let refused = scheduler.run_due(late).await;
    assert_eq!(refused.escalations, 0, "{refused:?}");
    assert!(refused.errors > 0, "{refused:?}");
    let stored = app.storage.find_dispute(id).await.unwrap().unwrap();
    assert_eq!(stored.level, 0, "the dispute stays at its level");
    assert_eq!(stored.status.as_str(), raised["status"].as_str().unwrap());
    assert_eq!(audit_entries(&app).await, entries);

    allow_audit(&app).await;
    let retried = scheduler.run_due(late).await;
    assert_eq!(retried.escalations, 1, "the job was kept: {retried:?}");
    let stored = app.storage.find_dispute(id).await.unwrap().unwrap();
    assert_eq!(stored.level, 1);
    assert_eq!(stored.status.as_str(), "geescaleerd");
    let chain = app.storage.audit_chain().await.unwrap();
    assert_eq!(chain.len(), entries + 1);
    assert_eq!(chain.last().unwrap().action, "dispute.escalate_timeout");
    app.stop().await;
}

/// Joost (ZIN) raises a dispute with FMS on the draft of `group`; returns its JSON.
async fn raise_with_fms(joost: &Api, group: &WorkingGroup) -> Value {
    joost
        .send(
            Method::POST,
            &format!("/api/bodies/{}/disputes", group.body_id),
            json!({
                "subject_kind": "draft_passage",
                "subject_id": group.draft_id,
                "title": "Wie duidt de bewijslast?",
                "description": "ZIN en FMS verschillen van inzicht.",
                "parties": ["FMS"],
            }),
            StatusCode::CREATED,
        )
        .await
}
