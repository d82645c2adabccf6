//! Events of state changes (docs/DOMAIN.md §11): mentions, draft status changes, role
//! agreements and disputes reach the right people in the inbox, by e-mail (a real SMTP sink)
//! and by webhook (a local receiver), never the person who acted, and never twice, also when
//! an outbox row is delivered again.

use std::collections::BTreeMap;
use std::time::Duration;

use polder::scheduler::{
    Clock, Report, Scheduler, SchedulerSettings, SystemClock, WebhookSettings, WebhookWorker,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::api::WorkingGroup;
use crate::escalation::SmtpSink;
use crate::helpers::{backend_tests, eventually, Backend, TestApp};

backend_tests!(
    mentions_reach_the_person_and_the_party_once_by_every_channel,
    a_draft_status_change_reaches_the_body_the_informed_parties_and_followers,
    role_agreement_and_dispute_events_reach_the_parties_concerned,
    an_event_is_stored_with_its_change_and_delivered_without_waiting,
    people_are_found_by_name_or_party_within_a_body,
    a_milestone_status_change_reaches_its_followers_and_owner_parties,
);

/// A server without its own scheduler, whose webhooks may point at 127.0.0.1.
async fn app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.scheduler.enabled = false;
        c.scheduler.webhook.allow_internal = true;
    })
    .await
}

fn settings(sink: &SmtpSink) -> SchedulerSettings {
    SchedulerSettings {
        webhook: WebhookSettings {
            allow_internal: true,
            ..WebhookSettings::default()
        },
        ..sink.scheduler_settings()
    }
}

/// One run of the events phase and the e-mails, as a wake-up after a request does.
async fn deliver(app: &TestApp, settings: &SchedulerSettings) -> Report {
    let scheduler = Scheduler::new((*app.storage).clone(), settings.clone())
        .with_inbox_signal(app.inbox.clone());
    scheduler.run_events(scheduler.now()).await
}

async fn person_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(app.storage.pool())
        .await
        .unwrap()
        .try_get("id")
        .unwrap()
}

/// Every inbox item per person's e-mail address: (kind, subject_ref, key).
async fn inboxes(app: &TestApp) -> BTreeMap<String, Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT u.email, e.kind, e.subject_ref, e.event_key FROM inbox_items i \
         JOIN users u ON u.id = i.person_id JOIN notification_events e ON e.id = i.event_id \
         WHERE e.event_key LIKE 'event:%' ORDER BY u.email, i.id",
    )
    .fetch_all(app.storage.pool())
    .await
    .unwrap();
    let mut out: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    for row in rows {
        out.entry(row.try_get("email").unwrap()).or_default().push((
            row.try_get("kind").unwrap(),
            row.try_get("subject_ref").unwrap(),
            row.try_get("event_key").unwrap(),
        ));
    }
    out
}

fn recipients_of(
    inboxes: &BTreeMap<String, Vec<(String, String, String)>>,
    kind: &str,
    subject: &str,
) -> Vec<String> {
    inboxes
        .iter()
        .filter(|(_, items)| items.iter().any(|(k, s, _)| k == kind && s == subject))
        .map(|(email, _)| email.clone())
        .collect()
}

/// A webhook receiver that answers 204 and hands every body to the test.
async fn receiver() -> (String, tokio::sync::mpsc::UnboundedReceiver<Value>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = Vec::new();
            let mut chunk = [0u8; 4096];
            let body = loop {
                let n = stream.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break Vec::new();
                }
                buffer.extend_from_slice(&chunk[..n]);
                let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&buffer[..end]).to_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|l| l.trim().parse().ok())
                    .unwrap_or(0);
                if buffer.len() >= end + 4 + length {
                    break buffer[end + 4..end + 4 + length].to_vec();
                }
            };
            let _ = stream
                .write_all(
                    b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
            if let Ok(value) = serde_json::from_slice(&body) {
                let _ = tx.send(value);
            }
        }
    });
    (url, rx)
}

/// Adds a person of `party` to the working group (or to no body with `role` `None`).
async fn add_person(
    app: &TestApp,
    group: &WorkingGroup,
    name: &str,
    email: &str,
    party: &str,
    role: Option<&str>,
) -> i64 {
    let admin = WorkingGroup::person(app, "beheer@polder.demo").await;
    let person = admin
        .send(
            Method::POST,
            "/api/people",
            json!({"name": name, "email": email, "party": party, "password": polder::demo::DEMO_PASSWORD}),
            StatusCode::CREATED,
        )
        .await;
    let id = person["id"].as_i64().unwrap();
    if let Some(role) = role {
        admin
            .send(
                Method::PUT,
                &format!("/api/bodies/{}/members/{id}", group.body_id),
                json!({"role": role}),
                StatusCode::OK,
            )
            .await;
    }
    id
}

async fn mentions_reach_the_person_and_the_party_once_by_every_channel(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = app(backend).await;
    let group = WorkingGroup::seed(&app).await;
    add_person(
        &app,
        &group,
        "Femke de Boer",
        "femke@fms.demo",
        "FMS",
        Some("member"),
    )
    .await;
    // an FMS person outside the working group may not read the draft: not told
    add_person(&app, &group, "Floor Visser", "floor@fms.demo", "FMS", None).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let (url, mut hooks) = receiver().await;
    anna.send(
        Method::POST,
        &format!("/api/bodies/{}/webhooks", group.body_id),
        json!({ "url": url }),
        StatusCode::CREATED,
    )
    .await;
    let joost = person_id(&app, "joost@zin.demo").await;
    let anna_id = person_id(&app, "anna@vws.demo").await;
    let comment = anna
        .send(
            Method::POST,
            &format!("/api/drafts/{}/comments", group.draft_id),
            json!({
                "body": "@Joost Bakker en @FMS: graag jullie bron bij deze alinea.",
                // Anna mentions herself too: the author is never told
                "mention_people": [joost, anna_id],
                "mention_parties": ["FMS"],
            }),
            StatusCode::CREATED,
        )
        .await;
    let mut mentioned: Vec<i64> = comment["mentioned_people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_i64().unwrap())
        .collect();
    mentioned.sort_unstable();
    let mut expected = vec![joost, anna_id];
    expected.sort_unstable();
    assert_eq!(mentioned, expected);
    assert_eq!(comment["mentioned_parties"], json!(["FMS"]));

    let settings = settings(&sink);
    let report = deliver(&app, &settings).await;
    assert_eq!(report.notifications, 1, "{report:?}");
    assert_eq!(report.emails_sent, 3, "{report:?}");
    let draft = format!("draft:{}", group.draft_id);
    let inboxes = inboxes(&app).await;
    assert_eq!(
        recipients_of(&inboxes, "mention", &draft),
        ["fatima@fms.demo", "femke@fms.demo", "joost@zin.demo"]
    );
    assert!(
        inboxes.values().all(|items| items.len() == 1),
        "{inboxes:?}"
    );

    let joost_api = WorkingGroup::person(&app, "joost@zin.demo").await;
    let items = joost_api.items("/api/notifications").await;
    let mention = &items[0]["notification"];
    assert_eq!(
        mention["kind"],
        json!({"type": "mention", "by": "Anna de Vries"})
    );
    assert_eq!(mention["title"], "Advies Beter pakketbeheer");
    assert_eq!(
        mention["link"],
        format!("https://polder.test/drafts/{}", group.draft_id)
    );
    assert!(anna
        .items("/api/notifications")
        .await
        .as_array()
        .unwrap()
        .is_empty());

    let mut to: Vec<String> = sink
        .messages()
        .iter()
        .map(|m| m["rcpt_tos"][0].as_str().unwrap().to_owned())
        .collect();
    to.sort();
    assert_eq!(to, ["fatima@fms.demo", "femke@fms.demo", "joost@zin.demo"]);
    let subject = sink.messages()[0]["subject"].as_str().unwrap().to_owned();
    assert_eq!(
        subject,
        "Anna de Vries noemde u of uw partij: Advies Beter pakketbeheer"
    );

    let worker = WebhookWorker::new(
        (*app.storage).clone(),
        settings.webhook.clone(),
        settings.webhook_retry.clone(),
    )
    .unwrap();
    let sent = worker.run_once(SystemClock.now()).await;
    assert_eq!(
        sent.delivered, 1,
        "one delivery per event and webhook: {sent:?}"
    );
    let hook = hooks.recv().await.unwrap();
    assert_eq!(hook["notification"]["kind"]["type"], "mention");
    assert_eq!(hook["notification"]["subject_ref"], draft);

    // Delivered again, as after a crash between storing and marking the row done: the
    // event's key holds, so nobody gets anything twice.
    let again = deliver(&app, &settings).await;
    assert_eq!(
        (again.notifications, again.emails_sent),
        (0, 0),
        "{again:?}"
    );
    sqlx::query("UPDATE event_outbox SET status = 'pending', locked_until = NULL")
        .execute(app.storage.pool())
        .await
        .unwrap();
    let retried = deliver(&app, &settings).await;
    assert_eq!(
        (retried.notifications, retried.emails_sent),
        (0, 0),
        "{retried:?}"
    );
    assert_eq!(inboxes_len(&app).await, 3);
    assert_eq!(sink.messages().len(), 3);
    let resent = worker.run_once(SystemClock.now()).await;
    assert_eq!(resent.claimed, 0, "{resent:?}");

    // a comment without mentions tells nobody
    joost_api
        .send(
            Method::POST,
            &format!("/api/drafts/{}/comments", group.draft_id),
            json!({"body": "Komt eraan."}),
            StatusCode::CREATED,
        )
        .await;
    let quiet = deliver(&app, &settings).await;
    assert_eq!(quiet.notifications, 0, "{quiet:?}");
}

async fn inboxes_len(app: &TestApp) -> usize {
    inboxes(app).await.values().map(Vec::len).sum()
}

async fn a_draft_status_change_reaches_the_body_the_informed_parties_and_followers(
    backend: Backend,
) {
    let sink = SmtpSink::start().await;
    let app = app(backend).await;
    let group = WorkingGroup::seed(&app).await;
    // VNG is informed only: its people hear of status changes, members of the group or not
    add_person(&app, &group, "Vera Mulder", "vera@vng.demo", "VNG", None).await;
    // someone outside who follows nothing and belongs to a member party: not told
    add_person(&app, &group, "Zoë Kok", "zoe@zin.demo", "ZIN", None).await;
    let draft = format!("/api/drafts/{}", group.draft_id);
    let iris = WorkingGroup::person(&app, "iris@igj.demo").await;
    assert_eq!(
        iris.get(&format!("{draft}/follow")).await,
        json!({"following": false, "followers": 0})
    );
    let followed = iris
        .send(
            Method::PUT,
            &format!("{draft}/follow"),
            json!({}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(followed, json!({"following": true, "followers": 1}));
    // following twice is following once
    iris.send(
        Method::PUT,
        &format!("{draft}/follow"),
        json!({}),
        StatusCode::OK,
    )
    .await;
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    assert_eq!(
        admin
            .send(
                Method::PUT,
                &format!("{draft}/follow"),
                json!({}),
                StatusCode::OK
            )
            .await,
        json!({"following": true, "followers": 2})
    );
    // outsiders cannot follow what they cannot read
    let outsider = WorkingGroup::person(&app, "vera@vng.demo").await;
    outsider
        .send(
            Method::PUT,
            &format!("{draft}/follow"),
            json!({}),
            StatusCode::NOT_FOUND,
        )
        .await;
    let mark = WorkingGroup::person(&app, "mark@vng.demo").await;
    mark.send(
        Method::PUT,
        &format!("{draft}/follow"),
        json!({}),
        StatusCode::OK,
    )
    .await;
    mark.send(
        Method::DELETE,
        &format!("{draft}/follow"),
        json!({}),
        StatusCode::OK,
    )
    .await;

    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    anna.send(
        Method::POST,
        &format!("{draft}/transitions"),
        json!({"to": "consultatie", "note": "Ter consultatie"}),
        StatusCode::OK,
    )
    .await;
    let report = deliver(&app, &settings(&sink)).await;
    assert_eq!(report.notifications, 1, "{report:?}");

    let inboxes = inboxes(&app).await;
    let told = recipients_of(
        &inboxes,
        "status_change",
        &format!("draft:{}", group.draft_id),
    );
    let expected = [
        "beheer@polder.demo", // follows
        "bram@vws.demo",
        "daan@nfu.demo",
        "eva@lhv.demo",
        "fatima@fms.demo",
        "iris@igj.demo",
        "joost@zin.demo",
        "lotte@pfn.demo",
        "mark@vng.demo", // observer of the informed party VNG
        "pieter@zn.demo",
        "ruben@ggz.demo",
        "sanne@nvz.demo",
        "vera@vng.demo", // informed party, no membership
    ];
    assert_eq!(told, expected, "the chair who moved it is not told");
    assert!(
        inboxes.values().all(|items| items.len() == 1),
        "{inboxes:?}"
    );
    let mark_items = mark.items("/api/notifications").await;
    assert_eq!(
        mark_items[0]["notification"]["kind"],
        json!({"type": "status_change", "status": "consultatie"})
    );
    let messages = sink.messages();
    let to_mark = messages
        .iter()
        .find(|m| m["rcpt_tos"] == json!(["mark@vng.demo"]))
        .expect("Mark is told by e-mail");
    assert_eq!(
        to_mark["subject"],
        "Nu consultatie: Advies Beter pakketbeheer"
    );
    assert_eq!(messages.len(), expected.len());
}

async fn role_agreement_and_dispute_events_reach_the_parties_concerned(backend: Backend) {
    let app = app(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let settings = SchedulerSettings::default();
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let agreement = anna
        .send(
            Method::POST,
            &format!("/api/bodies/{}/role-agreements", group.body_id),
            json!({
                "title": "Rollen bij de onderzoeksagenda",
                "description": "Wie trekt de onderzoeksagenda?",
                "parties": [
                    {"party": "ZIN", "role": "trekker"},
                    {"party": "VWS", "role": "medeverantwoordelijk"},
                    {"party": "FMS", "role": "geconsulteerd"},
                ],
            }),
            StatusCode::CREATED,
        )
        .await;
    let id = agreement["id"].as_i64().unwrap();
    let subject = format!("role_agreement:{id}");
    deliver(&app, &settings).await;
    let made = recipients_of(&inboxes(&app).await, "agreement_change", &subject);
    assert_eq!(made, ["bram@vws.demo", "fatima@fms.demo", "joost@zin.demo"]);

    anna.send(
        Method::PUT,
        &format!("/api/role-agreements/{id}/parties/ZN"),
        json!({"role": "geconsulteerd"}),
        StatusCode::OK,
    )
    .await;
    let report = deliver(&app, &settings).await;
    assert_eq!(report.notifications, 1, "{report:?}");
    let inboxes_now = inboxes(&app).await;
    assert_eq!(
        inboxes_now["pieter@zn.demo"].len(),
        1,
        "ZN joined the matrix"
    );
    assert_eq!(inboxes_now["joost@zin.demo"].len(), 2);
    assert!(!inboxes_now.contains_key("anna@vws.demo"));
    assert!(
        !inboxes_now.contains_key("lotte@pfn.demo"),
        "PFN is not concerned"
    );

    // FMS signs niet_akkoord: the dispute it opens reaches ZIN, the agreement's lead
    let fatima = WorkingGroup::person(&app, "fatima@fms.demo").await;
    let refusal = fatima
        .send(
            Method::POST,
            &format!("/api/role-agreements/{id}/sign-offs"),
            json!({"state": "niet_akkoord", "reservation": "Geconsulteerd is te weinig."}),
            StatusCode::CREATED,
        )
        .await;
    let opened = refusal["dispute"]["id"]
        .as_i64()
        .expect("a dispute is opened");
    deliver(&app, &settings).await;
    assert_eq!(
        recipients_of(
            &inboxes(&app).await,
            "dispute_change",
            &format!("dispute:{opened}")
        ),
        ["joost@zin.demo"]
    );

    // a dispute raised by ZIN on FMS reaches both parties' people, not the one who raised it
    let joost = WorkingGroup::person(&app, "joost@zin.demo").await;
    let dispute = joost
        .send(
            Method::POST,
            &format!("/api/bodies/{}/disputes", group.body_id),
            json!({
                "subject_kind": "draft_passage",
                "subject_id": group.draft_id,
                "title": "Wie trekt de agenda?",
                "description": "ZIN en FMS verschillen van inzicht.",
                "parties": ["FMS"],
                "passage": "de onderbouwing van en de bewijslast voor passende zorg",
            }),
            StatusCode::CREATED,
        )
        .await;
    let dispute_id = dispute["id"].as_i64().unwrap();
    let subject = format!("dispute:{dispute_id}");
    deliver(&app, &settings).await;
    assert_eq!(
        recipients_of(&inboxes(&app).await, "dispute_change", &subject),
        ["fatima@fms.demo"]
    );
    anna.send(
        Method::POST,
        &format!("/api/disputes/{dispute_id}/resolve"),
        json!({ "decision": "ZIN trekt; FMS levert de onderbouwing." }),
        StatusCode::OK,
    )
    .await;
    deliver(&app, &settings).await;
    let inboxes_now = inboxes(&app).await;
    let decided: Vec<&String> = inboxes_now
        .iter()
        .filter(|(_, items)| {
            items
                .iter()
                .filter(|(k, s, _)| k == "dispute_change" && *s == subject)
                .count()
                == 2
        })
        .map(|(email, _)| email)
        .collect();
    assert_eq!(
        decided,
        ["fatima@fms.demo"],
        "raised and decided: {inboxes_now:?}"
    );
    assert_eq!(
        recipients_of(&inboxes_now, "dispute_change", &subject),
        ["fatima@fms.demo", "joost@zin.demo"]
    );
    let fatima = WorkingGroup::person(&app, "fatima@fms.demo").await;
    let items = fatima.items("/api/notifications").await;
    assert_eq!(
        items[0]["notification"]["kind"],
        json!({"type": "dispute_change", "change": "resolved"})
    );
    assert_eq!(
        items[0]["notification"]["body"],
        "ZIN trekt; FMS levert de onderbouwing."
    );
}

async fn an_event_is_stored_with_its_change_and_delivered_without_waiting(backend: Backend) {
    // the server's own scheduler runs, woken by the request itself
    let app = TestApp::spawn_with(backend.clone(), |c| {
        c.scheduler.interval = Duration::from_secs(3600);
    })
    .await;
    let group = WorkingGroup::seed(&app).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let joost = WorkingGroup::person(&app, "joost@zin.demo").await;
    let joost_id = person_id(&app, "joost@zin.demo").await;
    anna.send(
        Method::POST,
        &format!("/api/drafts/{}/comments", group.draft_id),
        json!({"body": "Joost, kijk je mee?", "mention_people": [joost_id]}),
        StatusCode::CREATED,
    )
    .await;
    eventually(
        "the mention in Joost's inbox",
        Duration::from_secs(30),
        || async { joost.get("/api/notifications/unread-count").await["unread"] == 1 },
    )
    .await;

    // The outbox row is part of the change's transaction: when it cannot be written, the
    // comment is not stored either.
    let app = self::app(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    refuse_outbox(&app, true).await;
    let (status, _) = anna
        .call(
            Method::POST,
            &format!("/api/drafts/{}/comments", group.draft_id),
            Some(json!({"body": "Gaat dit mis?", "mention_people": [joost_id]})),
        )
        .await;
    assert!(status.is_server_error(), "{status}");
    refuse_outbox(&app, false).await;
    let comments = anna
        .items(&format!("/api/drafts/{}/comments", group.draft_id))
        .await;
    assert_eq!(comments, json!([]), "nothing of the change is left");
    let outbox: i64 = sqlx::query("SELECT COUNT(*) AS n FROM event_outbox")
        .fetch_one(app.storage.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(outbox, 0);
}

/// Makes inserts into the outbox fail (`true`) or work again (`false`), by a trigger.
async fn refuse_outbox(app: &TestApp, refuse: bool) {
    use polder::storage::sql::Backend as Db;
    let statements: Vec<&str> = match (app.storage.backend(), refuse) {
        (Db::Sqlite, true) => vec![
            "CREATE TRIGGER outbox_refused BEFORE INSERT ON event_outbox \
             BEGIN SELECT RAISE(ABORT, 'the outbox refuses rows'); END",
        ],
        (Db::Sqlite, false) => vec!["DROP TRIGGER outbox_refused"],
        (Db::Postgres, true) => vec![
            "CREATE OR REPLACE FUNCTION outbox_refused() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'the outbox refuses rows'; END $$",
            "CREATE TRIGGER outbox_refused BEFORE INSERT ON event_outbox \
             FOR EACH ROW EXECUTE FUNCTION outbox_refused()",
        ],
        (Db::Postgres, false) => vec!["DROP TRIGGER outbox_refused ON event_outbox"],
    };
    for statement in statements {
        sqlx::query(statement)
            .execute(app.storage.pool())
            .await
            .unwrap();
    }
}

async fn people_are_found_by_name_or_party_within_a_body(backend: Backend) {
    let app = app(backend).await;
    let group = WorkingGroup::seed(&app).await;
    add_person(&app, &group, "Jolien Bos", "jolien@zn.demo", "ZN", None).await;
    let fatima = WorkingGroup::person(&app, "fatima@fms.demo").await;
    let names = |page: &Value| -> Vec<String> {
        page.as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let body = group.body_id;
    let found = fatima.items(&format!("/api/people?q=jo&body={body}")).await;
    assert_eq!(
        names(&found),
        ["Joost Bakker"],
        "Jolien is not in the group"
    );
    assert_eq!(
        found[0]["email"], "",
        "e-mail only for oneself and administrators"
    );
    let everyone = fatima.items("/api/people?q=JO").await;
    assert_eq!(names(&everyone), ["Jolien Bos", "Joost Bakker"]);
    let by_party = fatima
        .items(&format!("/api/people?q=vng&body={body}"))
        .await;
    assert_eq!(names(&by_party), ["Mark Dekker"]);
    let members = fatima
        .get(&format!("/api/people?body={body}&limit=5"))
        .await;
    assert_eq!(members["total"], 12);
    // a % is a character like any other, not a wildcard
    assert!(fatima
        .items("/api/people?q=%25")
        .await
        .as_array()
        .unwrap()
        .is_empty());
    let (status, _) = fatima.call(Method::GET, "/api/people?q=", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // a body one cannot read is not searched
    let outsider = add_person(&app, &group, "Olaf Dekker", "olaf@zn.demo", "ZN", None).await;
    assert!(outsider > 0);
    let olaf = WorkingGroup::person(&app, "olaf@zn.demo").await;
    let (status, _) = olaf
        .call(Method::GET, &format!("/api/people?q=jo&body={body}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_milestone_status_change_reaches_its_followers_and_owner_parties(backend: Backend) {
    let app = app(backend).await;
    let group = WorkingGroup::seed_full(&app).await;
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    let milestones = admin
        .get(&format!(
            "/api/bodies/{}/milestones?limit=200",
            group.body_id
        ))
        .await;
    let owned_by = |m: &Value, code: &str| {
        m["owners"]
            .as_array()
            .is_some_and(|o| o.iter().any(|owner| owner["code"] == code))
    };
    let milestone = milestones["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| owned_by(m, "ZIN") && !owned_by(m, "IZA") && !owned_by(m, "VWS"))
        .expect("a demo milestone ZIN owns")
        .clone();
    let id = milestone["id"].as_i64().unwrap();
    let iris = WorkingGroup::person(&app, "iris@igj.demo").await;
    iris.send(
        Method::PUT,
        &format!("/api/milestones/{id}/follow"),
        json!({}),
        StatusCode::OK,
    )
    .await;
    let joost = WorkingGroup::person(&app, "joost@zin.demo").await;
    joost
        .send(
            Method::POST,
            &format!("/api/milestones/{id}/status"),
            json!({"status": "risico"}),
            StatusCode::OK,
        )
        .await;
    deliver(&app, &SchedulerSettings::default()).await;
    let emails: BTreeMap<&str, &str> = [
        ("FMS", "fatima@fms.demo"),
        ("ZN", "pieter@zn.demo"),
        ("PFN", "lotte@pfn.demo"),
        ("NVZ", "sanne@nvz.demo"),
        ("NFU", "daan@nfu.demo"),
        ("LHV", "eva@lhv.demo"),
        ("GGZ", "ruben@ggz.demo"),
        ("VNG", "mark@vng.demo"),
    ]
    .into_iter()
    .collect();
    let mut expected: Vec<String> = vec!["iris@igj.demo".to_owned()];
    for owner in milestone["owners"].as_array().unwrap() {
        if let Some(email) = emails.get(owner["code"].as_str().unwrap()) {
            expected.push((*email).to_owned());
        }
    }
    expected.sort();
    let told = recipients_of(
        &inboxes(&app).await,
        "status_change",
        &format!("milestone:{id}"),
    );
    assert_eq!(
        told, expected,
        "the follower and the owners, not Joost who changed it"
    );
}
