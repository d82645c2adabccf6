//! What the body settings screen relies on: the bodies a ladder level may name, listed by the
//! rule the ladder check applies; the delivery log paged over every delivery of a webhook; and
//! typed schemas for the ladder, webhook and calendar-feed answers.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    the_forums_listed_are_the_ones_a_level_may_name,
    the_delivery_log_pages_over_every_delivery,
);

async fn the_forums_listed_are_the_ones_a_level_may_name(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    let group = WorkingGroup::seed(&app).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let bram = WorkingGroup::person(&app, "bram@vws.demo").await;
    let joost = WorkingGroup::person(&app, "joost@zin.demo").await;
    let iris = WorkingGroup::person(&app, "iris@igj.demo").await;
    let body = group.body_id;
    let path = format!("/api/bodies/{body}/ladder/forums");

    let forums = anna.items(&path).await;
    let forums = forums.as_array().unwrap().clone();
    // The demo group, its theme table, BO-IZA and the minister, nearest first.
    assert_eq!(forums.len(), 4, "{forums:?}");
    assert_eq!(forums[0]["id"], body);
    assert_eq!(forums[0]["depth"], 0);
    assert_eq!(forums[0]["kind"], "working_group");
    assert_eq!(forums[1]["kind"], "theme_table");
    for (n, forum) in forums.iter().enumerate() {
        assert_eq!(forum["depth"], json!(n), "{forum}");
        assert!(forum["name"].as_str().is_some_and(|n| !n.is_empty()));
    }
    assert_eq!(bram.items(&path).await.as_array().unwrap().len(), 4);
    // Members and observers read the ladder but do not set it, so they are not shown its forums.
    for person in [&joost, &iris] {
        let (status, answer) = person.call(Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    }

    // Every listed body above the group is accepted at a higher level …
    let ladder = format!("/api/bodies/{body}/ladder");
    for forum in &forums[1..] {
        anna.send(
            Method::PUT,
            &ladder,
            json!({ "levels": [
                { "name": "Werkgroep", "forum_body_id": body, "response_days": 5 },
                { "name": "Hoger", "forum_body_id": forum["id"], "response_days": 10 }
            ] }),
            StatusCode::OK,
        )
        .await;
    }
    // … the whole chain at once as well …
    let levels: Vec<Value> = forums
        .iter()
        .map(|f| json!({ "name": f["name"], "forum_body_id": f["id"], "response_days": 7 }))
        .collect();
    let stored = anna
        .send(
            Method::PUT,
            &ladder,
            json!({ "levels": levels, "overdue_margin_days": 3, "auto_dispute": false }),
            StatusCode::OK,
        )
        .await;
    assert_eq!(stored["levels"].as_array().unwrap().len(), 4, "{stored}");
    assert_eq!(stored["overdue_margin_days"], 3);
    assert_eq!(stored["auto_dispute"], false);
    assert_eq!(anna.get(&ladder).await, stored);

    // … and the group itself (depth 0) only at level 0.
    let (status, answer) = anna
        .call(
            Method::PUT,
            &ladder,
            Some(json!({ "levels": [
                { "name": "Werkgroep", "response_days": 5 },
                { "name": "Nog eens", "forum_body_id": body, "response_days": 10 }
            ] })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("levels: level 1"), "{message}");
    app.assert_alive().await;
}

async fn queue_deliveries(app: &TestApp, body: i64, webhook: i64, count: usize) {
    for n in 0..count {
        let event: i64 = sqlx::query(
            "INSERT INTO notification_events (event_key, body_id, kind, subject_ref, payload, \
             created_at) VALUES ($1, $2, 'reminder', 'milestone:1', '{}', $3) RETURNING id",
        )
        .bind(format!("settings-test:{n}"))
        .bind(body)
        .bind(1_700_000_000_000_i64 + i64::try_from(n).unwrap())
        .fetch_one(app.storage.pool())
        .await
        .unwrap()
        .try_get("id")
        .unwrap();
        sqlx::query(
            "INSERT INTO webhook_deliveries (webhook_id, event_id, status, created_at) \
             VALUES ($1, $2, 'pending', $3)",
        )
        .bind(webhook)
        .bind(event)
        .bind(1_700_000_000_000_i64 + i64::try_from(n).unwrap())
        .execute(app.storage.pool())
        .await
        .unwrap();
    }
}

async fn the_delivery_log_pages_over_every_delivery(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    let group = WorkingGroup::seed(&app).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let created = anna
        .send(
            Method::POST,
            &format!("/api/bodies/{}/webhooks", group.body_id),
            json!({ "url": "http://hooks.invalid:9/settings" }),
            StatusCode::CREATED,
        )
        .await;
    let webhook = created["id"].as_i64().unwrap();
    assert_eq!(created["url"], "http://hooks.invalid:9/settings");
    assert!(created["secret"].as_str().is_some_and(|s| s.len() >= 32));
    // More deliveries than the log used to keep.
    queue_deliveries(&app, group.body_id, webhook, 105).await;

    let path = format!("/api/webhooks/{webhook}/deliveries");
    let first = anna.get(&format!("{path}?limit=2")).await;
    assert_eq!(first["total"], 105, "{first}");
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["event_key"], "settings-test:104", "newest first");
    assert_eq!(items[0]["status"], "pending");
    assert_eq!(items[0]["created_at"], 1_700_000_000_104_i64);
    assert_eq!(items[0]["attempts"], json!([]));
    let last = anna.get(&format!("{path}?offset=104&limit=50")).await;
    assert_eq!(last["total"], 105);
    assert_eq!(last["items"][0]["event_key"], "settings-test:0", "{last}");
    assert_eq!(last["items"].as_array().unwrap().len(), 1);

    let hooks = anna
        .items(&format!("/api/bodies/{}/webhooks", group.body_id))
        .await;
    assert_eq!(hooks[0]["id"], webhook);
    assert_eq!(hooks[0]["active"], true);
    assert!(hooks[0].get("secret").is_none(), "{hooks}");
    app.assert_alive().await;
}

/// The `$ref` of a route's answer in the OpenAPI document.
fn answer_schema(spec: &Value, path: &str, method: &str, status: &str) -> String {
    spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
        ["$ref"]
        .as_str()
        .unwrap_or_else(|| panic!("{method} {path} {status} has no named schema"))
        .trim_start_matches("#/components/schemas/")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_settings_routes_answer_typed_schemas() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.scheduler.enabled = false).await;
    let spec = Api::anonymous(&app).get("/api/openapi.json").await;
    for (path, method, status, schema) in [
        ("/api/bodies/{id}/ladder", "get", "200", "LadderSettings"),
        ("/api/bodies/{id}/ladder", "put", "200", "LadderSettings"),
        (
            "/api/bodies/{id}/ladder/forums",
            "get",
            "200",
            "Paged_LadderForum",
        ),
        ("/api/bodies/{id}/webhooks", "get", "200", "Paged_Webhook"),
        ("/api/bodies/{id}/webhooks", "post", "201", "CreatedWebhook"),
        (
            "/api/webhooks/{id}/deliveries",
            "get",
            "200",
            "Paged_DeliveryLog",
        ),
        ("/api/me/calendar-feeds", "get", "200", "Paged_CalendarFeed"),
        ("/api/me/calendar-feeds", "post", "201", "CreatedFeed"),
        (
            "/api/parties/{code}/calendar-feeds",
            "post",
            "201",
            "CreatedFeed",
        ),
    ] {
        assert_eq!(
            answer_schema(&spec, path, method, status),
            schema,
            "{method} {path}"
        );
        assert!(
            spec["components"]["schemas"][schema].is_object(),
            "{schema} is described"
        );
    }
    let level = &spec["components"]["schemas"]["LadderLevel"]["properties"];
    for field in ["level", "name", "forum_body_id", "response_days"] {
        assert!(level[field].is_object(), "LadderLevel.{field}: {level}");
    }
    app.stop().await;
}
