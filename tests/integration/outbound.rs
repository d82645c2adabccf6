//! Requests the server makes on its own and what it serves from stored data: webhooks may not
//! point inside the network, follow no redirects, tell the chair only whether a delivery
//! arrived, stop when switched off and never hold up other notifications; calendar feeds show
//! only what their owner may read; a ladder stays in its working group's hierarchy.

use std::sync::Arc;
use std::time::Duration;

use polder::domain::bodies::BodyKind;
use polder::http::escalation::calendar::parse_feed;
use polder::notify::RetryPolicy;
use polder::scheduler::{
    timestamp, FakeClock, Scheduler, SchedulerSettings, Timestamp, WebhookSettings, WebhookWorker,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, eventually, Backend, TestApp};

backend_tests!(
    webhooks_to_internal_addresses_are_refused,
    a_redirect_is_not_followed_and_the_log_says_only_failed,
    switching_a_webhook_off_cancels_its_queued_deliveries,
    deliveries_are_claimed_once_and_capped_per_receiver,
    slow_webhooks_do_not_delay_other_notifications,
    a_party_feed_shows_only_what_its_owner_may_read,
    the_ladder_stays_in_its_hierarchy_and_changes_are_audited,
);

fn at(raw: &str) -> Timestamp {
    timestamp(raw).unwrap_or_else(|| panic!("bad timestamp {raw}"))
}

/// The moment the first reminder of [`milestone`]'s milestones falls due.
const REMINDER_TIME: &str = "2026-05-01T09:00:00Z";

async fn id_of(app: &TestApp, sql: &str, key: &str) -> i64 {
    sqlx::query(sql)
        .bind(key)
        .fetch_one(app.storage.pool())
        .await
        .unwrap()
        .try_get("id")
        .unwrap()
}

/// Inserts a milestone of `party` in `body`, due 26 May 2026 and created 30 April, so that a
/// reminder falls due at [`REMINDER_TIME`].
async fn milestone(app: &TestApp, body: i64, title: &str, party: &str) -> i64 {
    let created = at("2026-04-30T08:00:00Z").timestamp_millis();
    let id: i64 = sqlx::query(
        "INSERT INTO milestones (body_id, title, description, due_raw, due_earliest, due_latest, \
         due_precision, status, natural_key, created_at, updated_at) \
         VALUES ($1, $2, '', '2026-05-26', '2026-05-26', '2026-05-26', 'day', 'gepland', $3, $4, $4) \
         RETURNING id",
    )
    .bind(body)
    .bind(title)
    .bind(format!("outbound/{title}"))
    .bind(created)
    .fetch_one(app.storage.pool())
    .await
    .unwrap()
    .try_get("id")
    .unwrap();
    let party = id_of(app, "SELECT id FROM parties WHERE code = $1", party).await;
    sqlx::query(
        "INSERT INTO milestone_parties (milestone_id, party_id, role) VALUES ($1, $2, 'lead')",
    )
    .bind(id)
    .bind(party)
    .execute(app.storage.pool())
    .await
    .unwrap();
    id
}

/// A server whose scheduler the test runs itself, with internal receivers allowed (the test
/// receivers listen on 127.0.0.1).
async fn app_with_internal_receivers(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.scheduler.enabled = false;
        c.scheduler.webhook.allow_internal = true;
    })
    .await
}

fn settings() -> SchedulerSettings {
    SchedulerSettings {
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
    }
}

fn worker(app: &TestApp) -> WebhookWorker {
    let settings = settings();
    WebhookWorker::new(
        (*app.storage).clone(),
        settings.webhook,
        settings.webhook_retry,
    )
    .unwrap()
}

/// A TCP server on 127.0.0.1 that reports every connection it accepts and answers each
/// request with `answer` (raw HTTP), or never answers when `answer` is `None`.
async fn tcp_receiver(answer: Option<String>) -> (String, mpsc::UnboundedReceiver<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = tx.send(());
            match &answer {
                Some(answer) => {
                    let mut buffer = [0u8; 8192];
                    let _ = stream.read(&mut buffer).await;
                    let _ = stream.write_all(answer.as_bytes()).await;
                    let _ = stream.shutdown().await;
                }
                // A black hole: the connection stays open and silent.
                None => held.push(stream),
            }
        }
    });
    (base, rx)
}

async fn add_webhook(chair: &Api, body: i64, url: &str) -> i64 {
    chair
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/webhooks"),
            json!({ "url": url }),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap()
}

async fn webhooks_to_internal_addresses_are_refused(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    let group = WorkingGroup::seed(&app).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let path = format!("/api/bodies/{}/webhooks", group.body_id);
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:5432/",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost:9000/hook",
        "http://10.0.0.5/hook",
        "http://100.64.1.1/hook",
        "http://[fd00::1]/hook",
        "gopher://hooks.example.org/",
    ] {
        let (status, body) = anna
            .call(Method::POST, &path, Some(json!({ "url": url })))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        assert!(body.to_string().contains("url"), "{url}: {body}");
    }
    assert_eq!(anna.items(&path).await, json!([]), "nothing was stored");
    // A public name is accepted; its addresses are checked at every attempt.
    anna.send(
        Method::POST,
        &path,
        json!({ "url": "https://hooks.example.org/polder" }),
        StatusCode::CREATED,
    )
    .await;
    app.assert_alive().await;
}

async fn a_redirect_is_not_followed_and_the_log_says_only_failed(backend: Backend) {
    let app = app_with_internal_receivers(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let (target, mut target_hits) = tcp_receiver(Some(
        "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_owned(),
    ))
    .await;
    let (redirector, mut redirector_hits) = tcp_receiver(Some(format!(
        "HTTP/1.1 302 Found\r\nlocation: {target}/stolen\r\ncontent-length: 23\r\n\
         connection: close\r\n\r\npostgres is on 5432 here"
    )))
    .await;
    let hook = add_webhook(&anna, group.body_id, &format!("{redirector}/hook")).await;
    milestone(&app, group.body_id, "Monitor gepubliceerd", "ZIN").await;
    Scheduler::new((*app.storage).clone(), settings())
        .run_due(at(REMINDER_TIME))
        .await;
    let round = worker(&app).run_once(at(REMINDER_TIME)).await;
    assert_eq!((round.claimed, round.failed), (1, 1), "{round:?}");
    assert!(redirector_hits.try_recv().is_ok(), "the receiver was asked");
    assert!(
        target_hits.try_recv().is_err(),
        "the redirect target was never contacted"
    );

    let log = anna
        .items(&format!("/api/webhooks/{hook}/deliveries"))
        .await;
    assert_eq!(log[0]["status"], "failed", "{log}");
    assert_eq!(
        log[0]["reason"], "the receiver did not accept the delivery",
        "{log}"
    );
    assert_eq!(log[0]["attempts"][0]["result"], "failed", "{log}");
    let text = log.to_string();
    for leak in ["302", "5432", "stolen", "Found", "status\":3", "error"] {
        assert!(!text.contains(leak), "the log shows {leak}: {text}");
    }
    app.assert_alive().await;
}

async fn switching_a_webhook_off_cancels_its_queued_deliveries(backend: Backend) {
    let app = app_with_internal_receivers(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let (receiver, mut hits) = tcp_receiver(Some(
        "HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_owned(),
    ))
    .await;
    let hook = add_webhook(&anna, group.body_id, &format!("{receiver}/hook")).await;
    milestone(&app, group.body_id, "Monitor gepubliceerd", "ZIN").await;
    Scheduler::new((*app.storage).clone(), settings())
        .run_due(at(REMINDER_TIME))
        .await;
    let log = anna
        .items(&format!("/api/webhooks/{hook}/deliveries"))
        .await;
    assert_eq!(log[0]["status"], "pending", "queued: {log}");

    anna.send(
        Method::DELETE,
        &format!("/api/webhooks/{hook}"),
        Value::Null,
        StatusCode::NO_CONTENT,
    )
    .await;
    let round = worker(&app).run_once(at(REMINDER_TIME)).await;
    assert_eq!(round.claimed, 0, "{round:?}");
    assert!(hits.try_recv().is_err(), "nothing was sent");
    let log = anna
        .items(&format!("/api/webhooks/{hook}/deliveries"))
        .await;
    assert_eq!(log[0]["status"], "cancelled", "{log}");
    app.assert_alive().await;
}

async fn deliveries_are_claimed_once_and_capped_per_receiver(backend: Backend) {
    let app = app_with_internal_receivers(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let (receiver, mut hits) = tcp_receiver(Some(
        "HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_owned(),
    ))
    .await;
    add_webhook(&anna, group.body_id, &format!("{receiver}/hook")).await;
    for title in ["Een", "Twee", "Drie"] {
        milestone(&app, group.body_id, title, "ZIN").await;
    }
    Scheduler::new((*app.storage).clone(), settings())
        .run_due(at(REMINDER_TIME))
        .await;
    let now = at(REMINDER_TIME).timestamp_millis();
    let lease = now + 60_000;
    // Two claims at once (two processes): together at most two of the webhook's three
    // deliveries, none claimed twice.
    let (one, two) = tokio::join!(
        app.storage.claim_deliveries(now, lease, 16, 2),
        app.storage.claim_deliveries(now, lease, 16, 2),
    );
    let mut ids: Vec<i64> = one
        .unwrap()
        .iter()
        .chain(&two.unwrap())
        .map(|d| d.id)
        .collect();
    assert!(!ids.is_empty() && ids.len() <= 2, "{ids:?}");
    ids.sort_unstable();
    let claimed = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), claimed, "no delivery claimed twice");
    // While those are leased the receiver has no free slot.
    assert!(app
        .storage
        .claim_deliveries(now, lease, 16, 2)
        .await
        .unwrap()
        .is_empty());
    // Once the leases have run out, the worker delivers all three, two per round at most.
    let later = at("2026-05-01T09:05:00Z");
    let first = worker(&app).run_once(later).await;
    assert_eq!(first.delivered, 2, "{first:?}");
    let second = worker(&app).run_once(later).await;
    assert_eq!(second.delivered, 1, "{second:?}");
    for _ in 0..3 {
        tokio::time::timeout(Duration::from_secs(10), hits.recv())
            .await
            .unwrap()
            .unwrap();
    }
    assert!(hits.try_recv().is_err(), "each delivery was sent once");
    app.assert_alive().await;
}

async fn inbox_count(app: &TestApp, subject: &str) -> i64 {
    sqlx::query(
        "SELECT COUNT(*) AS n FROM inbox_items i JOIN notification_events e ON e.id = i.event_id \
         WHERE e.subject_ref = $1",
    )
    .bind(subject)
    .fetch_one(app.storage.pool())
    .await
    .unwrap()
    .try_get("n")
    .unwrap()
}

async fn slow_webhooks_do_not_delay_other_notifications(backend: Backend) {
    // The server's own scheduler and delivery worker run, on a clock that stands still at the
    // moment the reminders fall due.
    let clock = Arc::new(FakeClock::new(at(REMINDER_TIME)));
    let app = TestApp::spawn_with(backend, {
        let clock = clock.clone();
        move |c| {
            c.scheduler.clock = clock;
            c.scheduler.interval = Duration::from_secs(1);
            c.scheduler.webhook.allow_internal = true;
            c.scheduler.webhook.poll_interval = Duration::from_millis(200);
        }
    })
    .await;
    let group = WorkingGroup::seed(&app).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let (hole_one, mut one) = tcp_receiver(None).await;
    let (hole_two, mut two) = tcp_receiver(None).await;
    add_webhook(&anna, group.body_id, &format!("{hole_one}/hook")).await;
    add_webhook(&anna, group.body_id, &format!("{hole_two}/hook")).await;

    let first = milestone(&app, group.body_id, "Eerste mijlpaal", "ZIN").await;
    let wait = Duration::from_secs(30);
    tokio::time::timeout(wait, one.recv())
        .await
        .expect("the first black hole is being posted to");
    tokio::time::timeout(wait, two.recv())
        .await
        .expect("the second black hole is being posted to");
    assert!(inbox_count(&app, &format!("milestone:{first}")).await > 0);

    // Both webhooks hang now. Another milestone's reminder still reaches the inbox, on the
    // scheduler's next run and not after the webhooks' timeouts and retries.
    let second = milestone(&app, group.body_id, "Tweede mijlpaal", "ZIN").await;
    let subject = format!("milestone:{second}");
    eventually(
        "the second reminder in the inbox while the webhooks hang",
        Duration::from_secs(15),
        || {
            let app = &app;
            let subject = subject.clone();
            async move { inbox_count(app, &subject).await > 0 }
        },
    )
    .await;
    app.assert_alive().await;
}

/// Signs up a person of `party` who is a member of no body.
async fn outsider(app: &TestApp, email: &str, party: &str) -> Api {
    let id = app.create_user(email, "correct horse battery").await;
    sqlx::query(
        "UPDATE users SET party_id = (SELECT id FROM parties WHERE code = $1) WHERE id = $2",
    )
    .bind(party)
    .bind(id)
    .execute(app.storage.pool())
    .await
    .unwrap();
    Api::sign_in(app, email, "correct horse battery").await
}

async fn feed_path(api: &Api, path: &str) -> String {
    api.send(Method::POST, path, Value::Null, StatusCode::CREATED)
        .await["path"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn feed_uids(app: &TestApp, path: &str) -> Vec<String> {
    let text = reqwest::get(app.http(path))
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .text()
        .await
        .unwrap();
    parse_feed(&text)
        .unwrap()
        .into_iter()
        .map(|e| e.uid)
        .collect()
}

async fn a_party_feed_shows_only_what_its_owner_may_read(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    let group = WorkingGroup::seed(&app).await;
    let id = milestone(&app, group.body_id, "Uitvoeringstoets", "ZIN").await;
    let uid = format!("milestone-{id}@polder");

    // A member of the working group sees the party's milestone there.
    let joost = WorkingGroup::person(&app, "joost@zin.demo").await;
    let member_feed = feed_path(&joost, "/api/parties/ZIN/calendar-feeds").await;
    assert!(feed_uids(&app, &member_feed).await.contains(&uid));

    // A person of the same party who is in no body sees nothing, in either kind of feed.
    let stranger = outsider(&app, "nieuw@zin.example", "ZIN").await;
    let party_feed = feed_path(&stranger, "/api/parties/ZIN/calendar-feeds").await;
    assert_eq!(feed_uids(&app, &party_feed).await, Vec::<String>::new());
    let personal = feed_path(&stranger, "/api/me/calendar-feeds").await;
    assert_eq!(feed_uids(&app, &personal).await, Vec::<String>::new());

    // Access is decided at every fetch: once its creator has left the party, the party feed
    // stops working.
    sqlx::query(
        "UPDATE users SET party_id = (SELECT id FROM parties WHERE code = 'FMS') WHERE email = $1",
    )
    .bind("joost@zin.demo")
    .execute(app.storage.pool())
    .await
    .unwrap();
    let response = reqwest::get(app.http(&member_feed)).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    app.assert_alive().await;
}

async fn the_ladder_stays_in_its_hierarchy_and_changes_are_audited(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    let group = WorkingGroup::seed(&app).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let path = format!("/api/bodies/{}/ladder", group.body_id);
    let current = anna.get(&path).await;
    let parent = current["levels"][1]["forum_body_id"].as_i64().unwrap();
    let elsewhere = app
        .storage
        .create_body("Werkgroep Elders", BodyKind::WorkingGroup, 0, None)
        .await
        .unwrap();

    for forum in [elsewhere, 999_999] {
        let (status, body) = anna
            .call(
                Method::PUT,
                &path,
                Some(json!({ "levels": [
                    { "name": "Werkgroep", "forum_body_id": group.body_id, "response_days": 5 },
                    { "name": "Elders", "forum_body_id": forum, "response_days": 10 }
                ] })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.to_string().contains(&forum.to_string()), "{body}");
    }
    // The working group itself is only level 0.
    let (status, body) = anna
        .call(
            Method::PUT,
            &path,
            Some(json!({ "levels": [
                { "name": "Werkgroep", "response_days": 5 },
                { "name": "Nog eens", "forum_body_id": group.body_id, "response_days": 10 }
            ] })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(anna.get(&path).await, current, "nothing changed");

    let set = anna
        .send(
            Method::PUT,
            &path,
            json!({ "levels": [
                { "name": "Werkgroep", "forum_body_id": group.body_id, "response_days": 5 },
                { "name": "Thematafel", "forum_body_id": parent, "response_days": 10 }
            ] }),
            StatusCode::OK,
        )
        .await;
    assert_eq!(set["levels"][1]["forum_body_id"], parent);

    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    let audit = admin.get("/api/audit?limit=50").await;
    let entry = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "ladder.put")
        .unwrap_or_else(|| panic!("the change is audited: {audit}"))
        .to_string();
    assert!(
        entry.contains(&format!("\"forum_body_id\":{parent}")),
        "{entry}"
    );
    assert!(
        entry.contains("before") && entry.contains("after"),
        "{entry}"
    );
    app.assert_alive().await;
}
