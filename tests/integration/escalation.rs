//! Disputes, escalation, the durable scheduler and notification delivery, with a controllable
//! clock: every test moves time by calling [`Scheduler::run_due`] with a chosen moment; none
//! sleeps to wait for a timer.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use polder::http::escalation::calendar::parse_feed;
use polder::notify::{RetryPolicy, SmtpSettings, TlsMode};
use polder::scheduler::{
    timestamp, Clock, FakeClock, Report, Scheduler, SchedulerSettings, Timestamp, WebhookSettings,
    WebhookWorker,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, eventually, Backend, TestApp};

backend_tests!(
    reminders_fall_on_working_days_across_hemelvaart_and_pinksteren,
    a_reminder_missed_during_downtime_is_sent_once_after_restart,
    a_party_reminder_stops_once_the_party_signed_off,
    a_dispute_escalates_at_its_timeout_and_only_once,
    two_schedulers_send_each_notification_once,
    disputes_run_their_course_and_export_their_dossier,
    inbox_feeds_and_live_push,
    email_goes_out_immediately_and_as_a_daily_digest,
    webhooks_are_signed_and_retried,
);

pub(crate) fn at(raw: &str) -> Timestamp {
    timestamp(raw).unwrap_or_else(|| panic!("bad timestamp {raw}"))
}

fn ms(raw: &str) -> i64 {
    at(raw).timestamp_millis()
}

/// A server whose own scheduler is off: the tests run it themselves.
pub(crate) async fn app_without_scheduler(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await
}

fn scheduler(app: &TestApp) -> Scheduler {
    Scheduler::new((*app.storage).clone(), SchedulerSettings::default())
        .with_inbox_signal(app.inbox.clone())
}

async fn party(app: &TestApp, code: &str) -> i64 {
    sqlx::query("SELECT id FROM parties WHERE code = $1")
        .bind(code)
        .fetch_one(app.storage.pool())
        .await
        .unwrap()
        .try_get("id")
        .unwrap()
}

async fn person(app: &TestApp, email: &str) -> i64 {
    sqlx::query("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(app.storage.pool())
        .await
        .unwrap()
        .try_get("id")
        .unwrap()
}

/// Inserts a milestone due on `due` (exact day), created at `created`, owned by `owners`
/// (the first one leads).
pub(crate) async fn milestone(
    app: &TestApp,
    body: i64,
    title: &str,
    due: &str,
    created: &str,
    owners: &[&str],
) -> i64 {
    let id: i64 = sqlx::query(
        "INSERT INTO milestones (body_id, title, description, due_raw, due_earliest, due_latest, \
         due_precision, status, natural_key, created_at, updated_at) \
         VALUES ($1, $2, '', $3, $3, $3, 'day', 'gepland', $4, $5, $5) RETURNING id",
    )
    .bind(body)
    .bind(title)
    .bind(due)
    .bind(format!("test/{title}"))
    .bind(ms(created))
    .fetch_one(app.storage.pool())
    .await
    .unwrap()
    .try_get("id")
    .unwrap();
    for (n, code) in owners.iter().enumerate() {
        sqlx::query(
            "INSERT INTO milestone_parties (milestone_id, party_id, role) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(party(app, code).await)
        .bind(if n == 0 { "lead" } else { "contributor" })
        .execute(app.storage.pool())
        .await
        .unwrap();
    }
    id
}

fn reminder_keys(report: &Report, milestone: i64) -> Vec<String> {
    let prefix = format!("reminder:milestone:{milestone}:");
    report
        .keys
        .iter()
        .filter(|k| k.starts_with(&prefix))
        .cloned()
        .collect()
}

async fn event_count(app: &TestApp, like: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM notification_events WHERE event_key LIKE $1")
        .bind(like)
        .fetch_one(app.storage.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

// A milestone due Tuesday 26 May 2026, 15 working days after Thursday 30 April (Koningsdag
// 27 April is before it; Bevrijdingsdag 5 May, Hemelvaartsdag 14 May and Pinkstermaandag 25 May
// are skipped), owned by ZIN (lead) and FMS.
async fn reminders_fall_on_working_days_across_hemelvaart_and_pinksteren(backend: Backend) {
    let app = app_without_scheduler(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let id = milestone(
        &app,
        group.body_id,
        "Rolverdeling vastgesteld",
        "2026-05-26",
        "2026-04-30T08:00:00Z",
        &["ZIN", "FMS"],
    )
    .await;
    let (zin, fms) = (party(&app, "ZIN").await, party(&app, "FMS").await);
    let scheduler = scheduler(&app);
    let clock = FakeClock::new(at("2026-04-30T09:00:00Z"));
    let mut sent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut disputes = 0;
    for _ in 0..42 {
        let report = scheduler.run_due(clock.now()).await;
        assert_eq!(report.errors, 0, "{report:?}");
        disputes += report.disputes_opened;
        for key in reminder_keys(&report, id) {
            sent.entry(clock.now().date_naive().to_string())
                .or_default()
                .push(key);
        }
        clock.advance_days(1);
    }
    let series = format!("reminder:milestone:{id}:due-2026-05-26");
    let expect = |day: &str, stage: &str| {
        (
            day.to_owned(),
            vec![
                format!("{series}:{stage}:party:{zin}"),
                format!("{series}:{stage}:party:{fms}"),
            ],
        )
    };
    let expected: BTreeMap<String, Vec<String>> = [
        expect("2026-05-01", "d-14"),
        expect("2026-05-13", "d-7"),
        expect("2026-05-22", "d-1"),
        expect("2026-05-26", "d0"),
        expect("2026-05-27", "overdue-1"),
        expect("2026-06-03", "overdue-2"),
        expect("2026-06-10", "overdue-3"),
    ]
    .into_iter()
    .collect();
    assert_eq!(sent, expected);
    // 10 working days past the due date (9 June) the milestone opened a dispute, once.
    assert_eq!(disputes, 1);
    let disputes = app
        .storage
        .list_disputes(group.body_id, true)
        .await
        .unwrap();
    assert_eq!(disputes.len(), 1);
    assert_eq!(
        disputes[0].origin_key.as_deref(),
        Some(format!("milestone-overdue:{id}").as_str())
    );
    assert_eq!(disputes[0].subject_kind, "milestone");
    // The reminders reached the parties' people: Joost (ZIN) has 7 in his inbox.
    let joost = Api::sign_in(&app, "joost@zin.demo", polder::demo::DEMO_PASSWORD).await;
    let inbox = joost.get("/api/notifications?limit=200").await;
    let reminders = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["subject_ref"] == format!("milestone:{id}"))
        .count();
    assert_eq!(reminders, 7);
    let d7 = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"].as_str().unwrap().contains(":d-7:"))
        .unwrap();
    assert_eq!(
        d7["notification"]["kind"],
        json!({ "type": "reminder", "days_before": 7 })
    );
}

async fn a_reminder_missed_during_downtime_is_sent_once_after_restart(backend: Backend) {
    let clock = Arc::new(FakeClock::new(at("2026-05-04T09:00:00Z")));
    let configure = |clock: Arc<FakeClock>| {
        move |c: &mut polder::config::Config| {
            c.scheduler.clock = clock;
            c.scheduler.interval = Duration::from_secs(3600);
        }
    };
    let app = TestApp::spawn_with(backend, configure(clock.clone())).await;
    let group = WorkingGroup::seed(&app).await;
    let id = milestone(
        &app,
        group.body_id,
        "Plan van aanpak",
        "2026-05-26",
        "2026-04-30T08:00:00Z",
        &["ZIN"],
    )
    .await;
    let first = scheduler(&app).run_due(clock.now()).await;
    assert_eq!(reminder_keys(&first, id).len(), 1, "{first:?}");
    let database = app.stop().await;

    // While the server is down, d-7 (13 May) and d-1 (22 May) fall due.
    clock.set(at("2026-05-22T10:00:00Z"));
    let app = TestApp::spawn_on(database, configure(clock.clone())).await;
    let d1 = format!("reminder:milestone:{id}:due-2026-05-26:d-1:%");
    eventually(
        "the catch-up run after restart",
        Duration::from_secs(20),
        || async { event_count(&app, &d1).await == 1 },
    )
    .await;
    // Running again (as the next tick would) sends nothing more, and the stale d-7 is skipped.
    let again = scheduler(&app).run_due(clock.now()).await;
    assert!(reminder_keys(&again, id).is_empty(), "{again:?}");
    assert_eq!(event_count(&app, &d1).await, 1);
    assert_eq!(
        event_count(
            &app,
            &format!("reminder:milestone:{id}:due-2026-05-26:d-7:%")
        )
        .await,
        0
    );
    assert_eq!(
        event_count(&app, &format!("reminder:milestone:{id}:%")).await,
        2
    );
}

async fn a_party_reminder_stops_once_the_party_signed_off(backend: Backend) {
    let app = app_without_scheduler(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let (zin, fms) = (party(&app, "ZIN").await, party(&app, "FMS").await);
    let agreement: i64 = sqlx::query(
        "INSERT INTO role_agreements (body_id, title, description, version_hash, created_at, updated_at) \
         VALUES ($1, 'Rollen pakketbeheer', '', 'feedbeef00112233445566778899aabbccddeeff', $2, $2) RETURNING id",
    )
    .bind(group.body_id)
    .bind(ms("2026-06-01T08:00:00Z"))
    .fetch_one(app.storage.pool())
    .await
    .unwrap()
    .try_get("id")
    .unwrap();
    for (party_id, role) in [(zin, "medeverantwoordelijk"), (fms, "trekker")] {
        sqlx::query(
            "INSERT INTO role_agreement_parties (agreement_id, party_id, role) VALUES ($1, $2, $3)",
        )
        .bind(agreement)
        .bind(party_id)
        .bind(role)
        .execute(app.storage.pool())
        .await
        .unwrap();
    }
    let scheduler = scheduler(&app);
    let first = scheduler.run_due(at("2026-06-01T09:00:00Z")).await;
    let requests: Vec<&String> = first
        .keys
        .iter()
        .filter(|k| k.starts_with("signoff:"))
        .collect();
    assert_eq!(requests.len(), 2, "{first:?}");

    // Joost signs off for ZIN; the next round (five working days later) only reaches FMS.
    sqlx::query(
        "INSERT INTO sign_offs (agreement_id, party_id, state, version_hash, signed_by, signed_at) \
         VALUES ($1, $2, 'akkoord', 'feedbeef00112233445566778899aabbccddeeff', $3, $4)",
    )
    .bind(agreement)
    .bind(zin)
    .bind(person(&app, "joost@zin.demo").await)
    .bind(ms("2026-06-02T10:00:00Z"))
    .execute(app.storage.pool())
    .await
    .unwrap();
    let second = scheduler.run_due(at("2026-06-08T09:00:00Z")).await;
    let requests: Vec<&String> = second
        .keys
        .iter()
        .filter(|k| k.starts_with("signoff:"))
        .collect();
    assert_eq!(
        requests,
        vec![&format!(
            "signoff:agreement:{agreement}:v:feedbeef00112233:r1:party:{fms}"
        )],
        "{second:?}"
    );
    let joost = Api::sign_in(&app, "joost@zin.demo", polder::demo::DEMO_PASSWORD).await;
    let inbox = joost.get("/api/notifications").await;
    assert_eq!(inbox["total"], 1, "{inbox}");
}

/// Joost (ZIN) raises a dispute with FMS on the demo draft; returns its JSON.
async fn raise(app: &TestApp, group: &WorkingGroup) -> (Api, Value) {
    let joost = Api::sign_in(app, "joost@zin.demo", polder::demo::DEMO_PASSWORD).await;
    let dispute = joost
        .send(
            Method::POST,
            &format!("/api/bodies/{}/disputes", group.body_id),
            json!({
                "subject_kind": "draft_passage",
                "subject_id": group.draft_id,
                "title": "Wie duidt de bewijslast?",
                "description": "ZIN en FMS verschillen van inzicht.",
                "parties": ["FMS"],
                "passage": "de onderbouwing van en de bewijslast voor passende zorg",
            }),
            StatusCode::CREATED,
        )
        .await;
    (joost, dispute)
}

async fn a_dispute_escalates_at_its_timeout_and_only_once(backend: Backend) {
    let app = app_without_scheduler(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let (_, dispute) = raise(&app, &group).await;
    let id = dispute["id"].as_i64().unwrap();
    assert_eq!(dispute["level"], 0);
    let respond_by = dispute["respond_by"].as_str().unwrap().to_owned();
    let clock = FakeClock::new(at(&format!("{respond_by}T20:00:00Z")));
    let scheduler = scheduler(&app);
    let on_the_day = scheduler.run_due(clock.now()).await;
    assert_eq!(
        on_the_day.escalations, 0,
        "the last day to respond is not yet late"
    );
    clock.advance_days(1);
    let (a, b) = tokio::join!(
        scheduler.run_due(clock.now()),
        scheduler.run_due(clock.now())
    );
    assert_eq!(a.escalations + b.escalations, 1, "{a:?} {b:?}");
    // The next run plans and sends the escalation notice, and escalates nothing more.
    let again = scheduler.run_due(clock.now()).await;
    assert_eq!(again.escalations, 0);
    let stored = app.storage.find_dispute(id).await.unwrap().unwrap();
    assert_eq!(stored.level, 1);
    assert_eq!(stored.status.as_str(), "geescaleerd");
    // The parties and the leads heard of it, once.
    let notice = format!("escalation:dispute:{id}:level:1:%");
    scheduler.run_due(clock.now()).await;
    assert_eq!(
        event_count(&app, &notice).await,
        3,
        "ZIN, FMS and the leads"
    );
    let dossier = app.storage.dossier(id).await.unwrap().unwrap();
    assert_eq!(
        dossier
            .events
            .iter()
            .filter(|e| e.kind.as_str() == "escalated_on_timeout")
            .count(),
        1
    );
}

async fn two_schedulers_send_each_notification_once(backend: Backend) {
    let app = app_without_scheduler(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let owners = [
        "VWS", "ZIN", "FMS", "ZN", "PFN", "NVZ", "NFU", "LHV", "GGZ", "ZKN",
    ];
    for n in 0..12 {
        milestone(
            &app,
            group.body_id,
            &format!("Mijlpaal {n}"),
            "2026-05-26",
            "2026-04-30T08:00:00Z",
            &owners,
        )
        .await;
    }
    let other = Arc::new(
        polder::storage::SqlStorage::connect(&app.database.url)
            .await
            .unwrap(),
    );
    let one = scheduler(&app);
    let two = Scheduler::new((*other).clone(), SchedulerSettings::default());
    let now = at("2026-05-01T09:00:00Z");
    let (a, b) = tokio::join!(one.run_due(now), two.run_due(now));
    let mut keys: Vec<String> = a
        .keys
        .iter()
        .chain(&b.keys)
        .filter(|k| k.starts_with("reminder:"))
        .cloned()
        .collect();
    let total = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(
        total,
        keys.len(),
        "a notification was sent twice: {a:?} {b:?}"
    );
    assert_eq!(keys.len(), 12 * owners.len());
    let stored = event_count(&app, "reminder:%").await;
    assert_eq!(stored, 12 * 10);
    let jobs: i64 = sqlx::query("SELECT COUNT(*) AS n FROM scheduler_jobs WHERE kind = 'milestone_reminder' AND status <> 'pending'")
        .fetch_one(app.storage.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(jobs, 12, "each due job ran once");
    let runs = a.jobs_run + b.jobs_run;
    assert!(runs >= 12, "{a:?} {b:?}");
    other.close().await;
}

async fn disputes_run_their_course_and_export_their_dossier(backend: Backend) {
    let app = app_without_scheduler(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let (joost, dispute) = raise(&app, &group).await;
    let id = dispute["id"].as_i64().unwrap();
    let fatima = Api::sign_in(&app, "fatima@fms.demo", polder::demo::DEMO_PASSWORD).await;
    let iris = Api::sign_in(&app, "iris@igj.demo", polder::demo::DEMO_PASSWORD).await;
    let anna = Api::sign_in(&app, "anna@vws.demo", polder::demo::DEMO_PASSWORD).await;
    let position = json!({ "text": "De verenigingen maken de bewijslast inzichtelijk." });
    let after = fatima
        .send(
            Method::POST,
            &format!("/api/disputes/{id}/positions"),
            position.clone(),
            StatusCode::CREATED,
        )
        .await;
    assert!(after["parties"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["code"] == "FMS" && p["has_position"] == true));
    // Observers and parties outside the dispute state no position; Anna (VWS) is not a party.
    iris.send(
        Method::POST,
        &format!("/api/disputes/{id}/positions"),
        position.clone(),
        StatusCode::FORBIDDEN,
    )
    .await;
    anna.send(
        Method::POST,
        &format!("/api/disputes/{id}/positions"),
        position,
        StatusCode::FORBIDDEN,
    )
    .await;
    fatima
        .send(Method::POST, &format!("/api/disputes/{id}/options"), json!({ "title": "ZIN duidt, FMS levert aan", "description": "Beide rollen in de richtlijn." }), StatusCode::CREATED)
        .await;
    iris.send(
        Method::POST,
        &format!("/api/disputes/{id}/comments"),
        json!({ "text": "De IGJ volgt dit." }),
        StatusCode::CREATED,
    )
    .await;
    // Only the chair or secretariat escalates and resolves; only the raising party withdraws.
    joost
        .send(
            Method::POST,
            &format!("/api/disputes/{id}/escalate"),
            json!({}),
            StatusCode::FORBIDDEN,
        )
        .await;
    let escalated = anna
        .send(
            Method::POST,
            &format!("/api/disputes/{id}/escalate"),
            json!({ "note": "Naar de thematafel" }),
            StatusCode::OK,
        )
        .await;
    assert_eq!(escalated["level"], 1);
    fatima
        .send(
            Method::POST,
            &format!("/api/disputes/{id}/withdraw"),
            json!({}),
            StatusCode::FORBIDDEN,
        )
        .await;

    let md = joost
        .call(Method::GET, &format!("/api/disputes/{id}/dossier.md"), None)
        .await;
    assert_eq!(md.0, StatusCode::OK);
    let token = app_token(&app, "joost@zin.demo").await;
    let base = app.http("");
    let markdown =
        String::from_utf8(fetch(&base, &token, &format!("/api/disputes/{id}/dossier.md")).await)
            .unwrap();
    assert!(
        markdown.starts_with("# Dossier verschil van inzicht: Wie duidt de bewijslast?"),
        "{markdown}"
    );
    assert!(
        markdown.contains("De verenigingen maken de bewijslast inzichtelijk."),
        "{markdown}"
    );
    assert!(markdown.contains("ZIN duidt, FMS levert aan"), "{markdown}");
    assert!(markdown.contains("Thematafel Passende Zorg"), "{markdown}");
    assert!(markdown.contains("geëscaleerd"), "{markdown}");
    let pdf = fetch(&base, &token, &format!("/api/disputes/{id}/dossier.pdf")).await;
    polder_tests::assert_pdf_a("dossier", &pdf);
    let text = polder_tests::pdf_text(&pdf);
    assert!(text.contains("Thematafel Passende Zorg"), "{text}");
    assert!(
        text.contains("geëscaleerd"),
        "Dutch letters are set, not replaced: {text}"
    );
    let docx = fetch(&base, &token, &format!("/api/disputes/{id}/dossier.docx")).await;
    assert!(docx.starts_with(b"PK"), "DOCX (zip) magic");

    anna.send(
        Method::POST,
        &format!("/api/disputes/{id}/resolve"),
        json!({ "decision": "ZIN duidt; FMS levert de onderbouwing." }),
        StatusCode::OK,
    )
    .await;
    joost
        .send(
            Method::POST,
            &format!("/api/disputes/{id}/withdraw"),
            json!({}),
            StatusCode::CONFLICT,
        )
        .await;
    let shown = joost.get(&format!("/api/disputes/{id}")).await;
    assert_eq!(shown["dispute"]["status"], "besloten");
    assert_eq!(shown["events"].as_array().unwrap().len(), 5, "{shown}");
    // Someone outside the working group does not see it.
    let outsider_id = app
        .create_user("buiten@example.org", "correct horse battery")
        .await;
    let outsider = Api::sign_in(&app, "buiten@example.org", "correct horse battery").await;
    let _ = outsider_id;
    outsider
        .send(
            Method::GET,
            &format!("/api/disputes/{id}"),
            Value::Null,
            StatusCode::NOT_FOUND,
        )
        .await;
    // The ladder: members read it, the chair sets it.
    let ladder = joost
        .get(&format!("/api/bodies/{}/ladder", group.body_id))
        .await;
    assert_eq!(ladder["levels"].as_array().unwrap().len(), 4, "{ladder}");
    assert_eq!(
        ladder["levels"][2]["name"],
        "Bestuurlijk Overleg IZA (BO-IZA)"
    );
    let new_ladder = json!({ "levels": [
        { "name": "Werkgroep", "response_days": 5 },
        { "name": "Thematafel", "response_days": 10 }
    ], "overdue_margin_days": 3 });
    joost
        .send(
            Method::PUT,
            &format!("/api/bodies/{}/ladder", group.body_id),
            new_ladder.clone(),
            StatusCode::FORBIDDEN,
        )
        .await;
    let set = anna
        .send(
            Method::PUT,
            &format!("/api/bodies/{}/ladder", group.body_id),
            new_ladder,
            StatusCode::OK,
        )
        .await;
    assert_eq!(set["overdue_margin_days"], 3);
    assert_eq!(set["is_default"], false);
}

/// GETs `path` with a bearer token, asserting 200; returns the body.
async fn fetch(base: &str, token: &str, path: &str) -> Vec<u8> {
    let response = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.bytes().await.unwrap().to_vec()
}

/// A personal API token for a demo person.
async fn app_token(app: &TestApp, email: &str) -> String {
    let token = polder::auth::secret::new_token();
    app.storage
        .create_token(
            "test",
            "",
            &polder::auth::secret::hash(&token),
            Some(person(app, email).await),
        )
        .await
        .unwrap();
    token
}

async fn inbox_feeds_and_live_push(backend: Backend) {
    let app = app_without_scheduler(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let id = milestone(
        &app,
        group.body_id,
        "Eindoplevering advies",
        "2026-05-26",
        "2026-04-30T08:00:00Z",
        &["ZIN"],
    )
    .await;
    let token = app_token(&app, "joost@zin.demo").await;
    let url = format!("ws://{}/ws/inbox?token={token}", app.addr);
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let first = next_json(&mut socket).await;
    assert_eq!(first, json!({ "type": "unread", "count": 0 }));

    scheduler(&app).run_due(at("2026-05-01T09:00:00Z")).await;
    let pushed = next_json(&mut socket).await;
    assert_eq!(pushed["type"], "notification", "{pushed}");
    assert_eq!(pushed["item"]["subject_ref"], format!("milestone:{id}"));
    let item = pushed["item"]["id"].as_i64().unwrap();

    let joost = Api::sign_in(&app, "joost@zin.demo", polder::demo::DEMO_PASSWORD).await;
    assert_eq!(
        joost.get("/api/notifications/unread-count").await["unread"],
        1
    );
    joost
        .send(
            Method::POST,
            &format!("/api/notifications/{item}/read"),
            Value::Null,
            StatusCode::NO_CONTENT,
        )
        .await;
    assert_eq!(
        joost.get("/api/notifications/unread-count").await["unread"],
        0
    );
    joost
        .send(
            Method::DELETE,
            &format!("/api/notifications/{item}/read"),
            Value::Null,
            StatusCode::NO_CONTENT,
        )
        .await;
    assert_eq!(
        joost.get("/api/notifications?unread=true").await["total"],
        1
    );
    // Another person's item is not there for Fatima.
    let fatima = Api::sign_in(&app, "fatima@fms.demo", polder::demo::DEMO_PASSWORD).await;
    fatima
        .send(
            Method::POST,
            &format!("/api/notifications/{item}/read"),
            Value::Null,
            StatusCode::NOT_FOUND,
        )
        .await;

    // A personal calendar feed at a secret URL, readable without signing in, then revoked.
    let feed = joost
        .send(
            Method::POST,
            "/api/me/calendar-feeds",
            Value::Null,
            StatusCode::CREATED,
        )
        .await;
    let path = feed["path"].as_str().unwrap().to_owned();
    let response = reqwest::get(app.http(&path)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let events = parse_feed(&response.text().await.unwrap()).unwrap();
    let event = events
        .iter()
        .find(|e| e.uid == format!("milestone-{id}@polder"))
        .unwrap();
    assert_eq!(event.summary, "Eindoplevering advies");
    assert_eq!(event.start, "2026-05-26");
    // A party feed: only people of the party (or administrators) make one.
    fatima
        .send(
            Method::POST,
            "/api/parties/ZIN/calendar-feeds",
            Value::Null,
            StatusCode::FORBIDDEN,
        )
        .await;
    let party_feed = joost
        .send(
            Method::POST,
            "/api/parties/ZIN/calendar-feeds",
            Value::Null,
            StatusCode::CREATED,
        )
        .await;
    let party_events = parse_feed(
        &reqwest::get(app.http(party_feed["path"].as_str().unwrap()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(party_events
        .iter()
        .any(|e| e.uid == format!("milestone-{id}@polder")));
    fatima
        .send(
            Method::DELETE,
            &format!("/api/calendar-feeds/{}", feed["id"]),
            Value::Null,
            StatusCode::NOT_FOUND,
        )
        .await;
    joost
        .send(
            Method::DELETE,
            &format!("/api/calendar-feeds/{}", feed["id"]),
            Value::Null,
            StatusCode::NO_CONTENT,
        )
        .await;
    assert_eq!(
        reqwest::get(app.http(&path)).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

async fn next_json<S>(socket: &mut S) -> Value
where
    S: futures_util::Stream<
            Item = Result<
                tokio_tungstenite::tungstenite::Message,
                tokio_tungstenite::tungstenite::Error,
            >,
        > + Unpin,
{
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s")
            .expect("the socket is open")
            .unwrap();
        if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// The aiosmtpd sink of `tests/smtp` (see `server/src/notify/smtp_tests.rs`), as a process.
pub(crate) struct SmtpSink {
    pub(crate) port: u16,
    dir: tempfile::TempDir,
    _child: tokio::process::Child,
}

impl SmtpSink {
    /// Scheduler settings that send e-mail to this sink, with links to `https://polder.test`.
    pub(crate) fn scheduler_settings(&self) -> SchedulerSettings {
        SchedulerSettings {
            smtp: Some(SmtpSettings {
                host: "127.0.0.1".to_owned(),
                port: self.port,
                from: "Polder <polder@polder.test>".to_owned(),
                username: None,
                password: None,
                tls: TlsMode::None,
            }),
            public_url: Some("https://polder.test".to_owned()),
            ..SchedulerSettings::default()
        }
    }

    pub(crate) async fn start() -> Self {
        let smtp = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("smtp");
        let python = std::env::var_os("POLDER_SMTP_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                let venv = smtp.join(".venv/bin/python");
                if venv.exists() {
                    venv
                } else {
                    PathBuf::from("python3")
                }
            });
        let dir = tempfile::tempdir().unwrap();
        let mut child = tokio::process::Command::new(&python)
            .arg(smtp.join("sink.py"))
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("the SMTP sink needs python3 with aiosmtpd: run tests/smtp/setup.sh");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the SMTP sink starts within 30 s (tests/smtp/setup.sh installs it)")
            .unwrap()
            .expect("the SMTP sink listens");
        let port = line
            .strip_prefix("LISTENING ")
            .and_then(|p| p.parse().ok())
            .unwrap();
        Self {
            port,
            dir,
            _child: child,
        }
    }

    pub(crate) fn messages(&self) -> Vec<Value> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
            .collect()
    }
}

async fn email_goes_out_immediately_and_as_a_daily_digest(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = app_without_scheduler(backend).await;
    let group = WorkingGroup::seed(&app).await;
    milestone(
        &app,
        group.body_id,
        "Startnotitie vastgesteld",
        "2026-05-26",
        "2026-04-30T08:00:00Z",
        &["ZIN", "FMS"],
    )
    .await;
    let joost = Api::sign_in(&app, "joost@zin.demo", polder::demo::DEMO_PASSWORD).await;
    joost
        .send(
            Method::PUT,
            "/api/me/notification-settings",
            json!({ "email": "immediate", "language": "en" }),
            StatusCode::OK,
        )
        .await;
    let fatima = Api::sign_in(&app, "fatima@fms.demo", polder::demo::DEMO_PASSWORD).await;
    let settings = fatima
        .send(
            Method::PUT,
            "/api/me/notification-settings",
            json!({ "email": "daily_digest" }),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        settings,
        json!({ "email": "daily_digest", "language": "nl" })
    );
    fatima
        .send(
            Method::PUT,
            "/api/me/notification-settings",
            json!({ "email": "weekly" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;

    let scheduler = Scheduler::new((*app.storage).clone(), sink.scheduler_settings());
    // 05:30 UTC on 1 May: the d-14 reminder is due at 06:00, nothing yet.
    let early = scheduler.run_due(at("2026-05-01T05:30:00Z")).await;
    assert_eq!(early.notifications, 0, "{early:?}");
    let report = scheduler.run_due(at("2026-05-01T06:30:00Z")).await;
    assert_eq!(
        (report.emails_sent, report.digests_sent),
        (1, 1),
        "{report:?}"
    );
    let later = scheduler.run_due(at("2026-05-01T15:00:00Z")).await;
    assert_eq!((later.emails_sent, later.digests_sent), (0, 0), "{later:?}");

    let messages = sink.messages();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    let to_joost = messages
        .iter()
        .find(|m| m["rcpt_tos"] == json!(["joost@zin.demo"]))
        .unwrap();
    let subject = to_joost["subject"].as_str().unwrap();
    assert!(subject.contains("Startnotitie vastgesteld"), "{subject}");
    assert!(
        subject.starts_with("Reminder"),
        "English, as Joost chose: {subject}"
    );
    let digest = messages
        .iter()
        .find(|m| m["rcpt_tos"] == json!(["fatima@fms.demo"]))
        .unwrap();
    let text = digest["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["content_type"] == "text/plain")
        .unwrap()["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains("Startnotitie vastgesteld"), "{text}");
    assert!(
        digest["subject"].as_str().unwrap().contains("1 mei 2026"),
        "{digest:#}"
    );
}

/// A receiver that answers 503 to the first request and 204 to the next ones, and hands
/// every request (headers, body) to the test.
async fn receiver() -> (
    String,
    tokio::sync::mpsc::UnboundedReceiver<(BTreeMap<String, String>, Vec<u8>)>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut count = 0;
        while let Ok((mut stream, _)) = listener.accept().await {
            count += 1;
            let mut buffer = Vec::new();
            let mut chunk = [0u8; 4096];
            let (headers, body) = loop {
                let n = stream.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break (BTreeMap::new(), Vec::new());
                }
                buffer.extend_from_slice(&chunk[..n]);
                let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&buffer[..end]).to_string();
                let headers: BTreeMap<String, String> = head
                    .lines()
                    .skip(1)
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
                    .collect();
                let length: usize = headers
                    .get("content-length")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(0);
                if buffer.len() >= end + 4 + length {
                    break (headers, buffer[end + 4..end + 4 + length].to_vec());
                }
            };
            let status = if count == 1 {
                "503 Service Unavailable"
            } else {
                "204 No Content"
            };
            let _ = stream
                .write_all(
                    format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .await;
            let _ = tx.send((headers, body));
        }
    });
    (url, rx)
}

async fn webhooks_are_signed_and_retried(backend: Backend) {
    // The receiver runs on 127.0.0.1, an internal address: allowed here explicitly.
    let app = TestApp::spawn_with(backend, |c| {
        c.scheduler.enabled = false;
        c.scheduler.webhook.allow_internal = true;
    })
    .await;
    let group = WorkingGroup::seed(&app).await;
    let (url, mut requests) = receiver().await;
    let anna = Api::sign_in(&app, "anna@vws.demo", polder::demo::DEMO_PASSWORD).await;
    let joost = Api::sign_in(&app, "joost@zin.demo", polder::demo::DEMO_PASSWORD).await;
    let path = format!("/api/bodies/{}/webhooks", group.body_id);
    joost
        .send(
            Method::POST,
            &path,
            json!({ "url": url }),
            StatusCode::FORBIDDEN,
        )
        .await;
    let hook = anna
        .send(
            Method::POST,
            &path,
            json!({ "url": url }),
            StatusCode::CREATED,
        )
        .await;
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let id = milestone(
        &app,
        group.body_id,
        "Monitor gepubliceerd",
        "2026-05-26",
        "2026-04-30T08:00:00Z",
        &["ZIN"],
    )
    .await;

    let settings = SchedulerSettings {
        webhook_retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            attempt_timeout: Duration::from_secs(5),
        },
        webhook: WebhookSettings {
            allow_internal: true,
            ..WebhookSettings::default()
        },
        ..SchedulerSettings::default()
    };
    Scheduler::new((*app.storage).clone(), settings.clone())
        .run_due(at("2026-05-01T09:00:00Z"))
        .await;
    // The scheduler only records the delivery; the delivery worker makes the attempts, the
    // retry at the time it wrote down after the 503.
    let worker = WebhookWorker::new(
        (*app.storage).clone(),
        settings.webhook.clone(),
        settings.webhook_retry.clone(),
    )
    .unwrap();
    let first = worker.run_once(at("2026-05-01T09:00:00Z")).await;
    assert_eq!(first.retried, 1, "{first:?}");
    let report = worker.run_once(at("2026-05-01T09:01:00Z")).await;
    assert_eq!(report.delivered, 1, "{report:?}");
    let (first, _) = requests.recv().await.unwrap();
    let (headers, body) = requests.recv().await.unwrap();
    assert_eq!(
        first.get("x-polder-delivery"),
        headers.get("x-polder-delivery"),
        "a retry keeps its delivery id"
    );
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    polder::notify::webhook::verify(
        secret.as_bytes(),
        &headers["x-polder-timestamp"],
        &body,
        &headers["x-polder-signature"],
        now,
        Duration::from_secs(300),
    )
    .expect("the signature verifies with the webhook's secret");
    assert!(polder::notify::webhook::verify(
        b"wrong",
        &headers["x-polder-timestamp"],
        &body,
        &headers["x-polder-signature"],
        now,
        Duration::from_secs(300)
    )
    .is_err());
    let payload: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        payload["notification"]["subject_ref"],
        format!("milestone:{id}")
    );
    let log = anna
        .items(&format!("/api/webhooks/{}/deliveries", hook["id"]))
        .await;
    assert_eq!(log[0]["status"], "delivered", "{log}");
    // The log says whether each attempt arrived, never what the receiver answered.
    let results: Vec<Value> = log[0]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["result"].clone())
        .collect();
    assert_eq!(results, vec![json!("failed"), json!("delivered")]);
}

mod demo {
    use crate::api::WorkingGroup;
    use crate::helpers::{Backend, TestApp};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_demo_has_one_open_dispute() {
        let app = TestApp::spawn_with(Backend::Sqlite, |c| c.scheduler.enabled = false).await;
        let group = WorkingGroup::seed(&app).await;
        polder::storage::governance::demo::seed(&app.storage)
            .await
            .unwrap();
        polder::storage::escalation::demo::seed(&app.storage)
            .await
            .unwrap();
        polder::storage::escalation::demo::seed(&app.storage)
            .await
            .unwrap();
        let disputes = app
            .storage
            .list_disputes(group.body_id, true)
            .await
            .unwrap();
        assert_eq!(disputes.len(), 1, "{disputes:?}");
        assert_eq!(disputes[0].raised_by_party, "ZIN");
        assert!(disputes[0]
            .parties
            .iter()
            .any(|p| p.code == "ZIN" && p.has_position));
        assert!(disputes[0]
            .parties
            .iter()
            .any(|p| p.code == "FMS" && !p.has_position));
    }
}
