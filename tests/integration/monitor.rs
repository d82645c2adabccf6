//! The programme monitor across bodies, milestones that follow another ("volgt na") and
//! recurring duties.

use polder::domain::bodies::BodyKind;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    the_monitor_counts_what_the_dashboards_count_and_hides_other_bodies,
    a_dependent_milestone_moves_with_its_predecessor_and_cycles_are_refused,
    a_quarterly_duty_yields_four_occurrences_and_generating_again_adds_none,
);

const TODAY: &str = "2026-05-01";

fn n(value: &Value) -> u64 {
    value
        .as_u64()
        .unwrap_or_else(|| panic!("not a count: {value}"))
}

/// Total, open, due soon and late summed over the dashboards of `bodies`.
async fn dashboard_sums(api: &Api, bodies: &[i64]) -> [u64; 4] {
    let mut sums = [0; 4];
    for body in bodies {
        let d = api
            .get(&format!("/api/bodies/{body}/dashboard?today={TODAY}"))
            .await;
        let by_status = d["by_status"].as_object().unwrap();
        let total: u64 = by_status.values().map(n).sum();
        let closed = n(&by_status["gereed"]) + n(&by_status["vervallen"]);
        sums[0] += total;
        sums[1] += total - closed;
        sums[2] += d["due_soon"].as_array().unwrap().len() as u64;
        sums[3] += d["late"].as_array().unwrap().len() as u64;
    }
    sums
}

fn counts(c: &Value) -> [u64; 4] {
    [
        n(&c["total"]),
        n(&c["open"]),
        n(&c["due_soon"]),
        n(&c["late"]),
    ]
}

async fn other_body_with_a_late_milestone(app: &TestApp) -> (i64, i64) {
    let body = app
        .storage
        .create_body("Werkgroep Elders", BodyKind::WorkingGroup, 0, None)
        .await
        .unwrap();
    let id: i64 = sqlx::query(
        "INSERT INTO milestones (body_id, title, description, due_raw, due_earliest, due_latest, \
         due_precision, status, natural_key, created_at, updated_at) \
         VALUES ($1, 'Geheim', '', '1-1-2026', '2026-01-01', '2026-01-01', 'day', 'gepland', \
         'test/elders', 0, 0) RETURNING id",
    )
    .bind(body)
    .fetch_one(app.storage.pool())
    .await
    .unwrap()
    .try_get("id")
    .unwrap();
    (body, id)
}

async fn the_monitor_counts_what_the_dashboards_count_and_hides_other_bodies(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    WorkingGroup::seed_full(&app).await;
    let (elders, secret) = other_body_with_a_late_milestone(&app).await;
    let bram = WorkingGroup::person(&app, "bram@vws.demo").await;
    let readable: Vec<i64> = bram
        .items("/api/bodies")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect();
    assert!(!readable.contains(&elders));

    let monitor = bram
        .get(&format!("/api/programme/monitor?today={TODAY}"))
        .await;
    let sums = dashboard_sums(&bram, &readable).await;
    assert!(sums[0] > 0, "the demo has milestones");
    assert_eq!(counts(&monitor["overall"]), sums, "{}", monitor["overall"]);
    for row in monitor["by_body"].as_array().unwrap() {
        let body = row["key"].as_i64().unwrap();
        assert!(readable.contains(&body));
        assert_eq!(counts(row), dashboard_sums(&bram, &[body]).await);
    }
    // the other body shows nowhere
    let text = monitor.to_string();
    assert!(!text.contains("Werkgroep Elders"), "{text}");
    assert!(monitor["bodies"]
        .as_array()
        .unwrap()
        .iter()
        .all(|b| b["id"] != elders));
    assert!(monitor["late"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["id"] != secret));
    // ... but an administrator sees it
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    let all = admin
        .get(&format!("/api/programme/monitor?today={TODAY}"))
        .await;
    let row = all["by_body"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == elders)
        .cloned()
        .unwrap_or_else(|| panic!("the administrator sees every body: {all}"));
    assert_eq!(n(&row["total"]), 1);
    // asking for it by id is refused with the field
    let (status, error) = bram
        .call(
            Method::GET,
            &format!("/api/programme/monitor?body={elders}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("body"));

    // filtered by a party, the counts are the dashboards' counts for that party
    let zin = bram
        .get(&format!("/api/programme/monitor?today={TODAY}&party=ZIN"))
        .await;
    let mut expected = 0;
    for body in &readable {
        let d = bram
            .get(&format!("/api/bodies/{body}/dashboard?today={TODAY}"))
            .await;
        for row in d["by_party"].as_array().unwrap() {
            if row["code"] == "ZIN" {
                expected += n(&row["total"]);
            }
        }
    }
    assert_eq!(n(&zin["overall"]["total"]), expected);
    let owes = zin["owes"].as_array().unwrap();
    assert!(owes.iter().any(|p| p["code"] == "ZIN"), "{owes:?}");
    // a bad quarter names the field
    let (status, error) = bram
        .call(Method::GET, "/api/programme/monitor?quarter=2026-Q9", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("quarter"));
}

async fn a_dependent_milestone_moves_with_its_predecessor_and_cycles_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let bram = WorkingGroup::person(&app, "bram@vws.demo").await;
    let path = format!("/api/bodies/{}/milestones", group.body_id);
    let first = bram
        .send(
            Method::POST,
            &path,
            json!({"title": "Startnotitie", "due": "30-6-2026"}),
            StatusCode::CREATED,
        )
        .await;
    let a = first["id"].as_i64().unwrap();
    let second = bram
        .send(
            Method::POST,
            &path,
            json!({"title": "Reacties verwerkt", "follows": a, "lag_weeks": 2, "start": "1-7-2026"}),
            StatusCode::CREATED,
        )
        .await;
    let b = second["id"].as_i64().unwrap();
    assert_eq!(second["due"]["latest"], "2026-07-14", "{second}");
    assert_eq!(second["follows"], a);
    assert_eq!(second["lag_days"], 14);

    // the predecessor is rescheduled: the dependent follows, in the same change
    bram.send(
        Method::POST,
        &format!("/api/milestones/{a}/status"),
        json!({"status": "verschoven", "new_due": "31-8-2026", "reason": "meer tijd", "agreed_with": "ZIN"}),
        StatusCode::OK,
    )
    .await;
    let moved = bram.get(&format!("/api/milestones/{b}")).await;
    assert_eq!(moved["due"]["latest"], "2026-09-14", "{moved}");
    assert_eq!(moved["predecessor_slipped"], true, "{moved}");
    let history = moved["history"].as_array().unwrap();
    let last = history.last().unwrap();
    assert_eq!(last["kind"], "predecessor");
    assert_eq!(last["new_due_latest"], "2026-09-14");
    let audited: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'milestone.due_derived'")
            .fetch_one(app.storage.pool())
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
    assert_eq!(audited, 1);
    // a correction of the predecessor moves it too
    bram.send(
        Method::PATCH,
        &format!("/api/milestones/{a}"),
        json!({"due": "15-9-2026", "due_reason": "typefout"}),
        StatusCode::OK,
    )
    .await;
    let moved = bram.get(&format!("/api/milestones/{b}")).await;
    assert_eq!(moved["due"]["latest"], "2026-09-29");

    // a cycle is refused, naming the field
    for (id, follows) in [(a, b), (a, a)] {
        let (status, error) = bram
            .call(
                Method::PATCH,
                &format!("/api/milestones/{id}"),
                Some(json!({"follows": follows})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("follows"),
            "{error}"
        );
    }
    // a milestone of a body bram cannot edit is refused too
    let (_, secret) = other_body_with_a_late_milestone(&app).await;
    let (status, error) = bram
        .call(
            Method::PATCH,
            &format!("/api/milestones/{b}"),
            Some(json!({"follows": secret})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    // unlinking keeps the date and drops the link
    let unlinked = bram
        .send(
            Method::PATCH,
            &format!("/api/milestones/{b}"),
            json!({"follows": null}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(unlinked["follows"], Value::Null);
    assert_eq!(unlinked["due"]["latest"], "2026-09-29");
}

async fn occurrence_days(app: &TestApp, recurrence: i64) -> Vec<String> {
    sqlx::query("SELECT due_latest FROM milestones WHERE recurrence_id = $1 ORDER BY due_latest")
        .bind(recurrence)
        .fetch_all(app.storage.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String, _>("due_latest").unwrap())
        .collect()
}

async fn a_quarterly_duty_yields_four_occurrences_and_generating_again_adds_none(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let bram = WorkingGroup::person(&app, "bram@vws.demo").await;
    let path = format!("/api/bodies/{}/milestones", group.body_id);
    let created = bram
        .send(
            Method::POST,
            &path,
            json!({
                "title": "Kwartaalrapportage",
                "due": "31-1-2026",
                "recurrence": "elk kwartaal",
                "recurrence_until": "31-12-2026",
                "owners": [{"party": "VWS", "role": "lead"}],
            }),
            StatusCode::CREATED,
        )
        .await;
    let id = created["id"].as_i64().unwrap();
    let recurrence = created["recurrence_id"].as_i64().unwrap();
    assert_eq!(created["recurrence"], "elk kwartaal");
    let days = occurrence_days(&app, recurrence).await;
    assert_eq!(
        days,
        ["2026-01-31", "2026-04-30", "2026-07-31", "2026-10-31"]
    );
    // generating again adds nothing
    let again = bram
        .send(
            Method::POST,
            &format!("/api/milestones/{id}/occurrences?today=2026-06-01"),
            json!({}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(again["created"], json!([]));
    assert_eq!(again["occurrences"], 3);
    assert_eq!(occurrence_days(&app, recurrence).await, days);
    // the occurrences carry the owners of the first
    let owners: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM milestone_parties mp JOIN milestones m ON m.id = mp.milestone_id \
         WHERE m.recurrence_id = $1",
    )
    .bind(recurrence)
    .fetch_one(app.storage.pool())
    .await
    .unwrap()
    .try_get("n")
    .unwrap();
    assert_eq!(owners, 4);
    // a phrase that is not a recurrence names the field
    let (status, error) = bram
        .call(
            Method::POST,
            &path,
            Some(json!({"title": "x", "due": "1-1-2026", "recurrence": "soms"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("recurrence"));
    // a milestone that does not recur has nothing to generate
    let plain = bram
        .send(
            Method::POST,
            &path,
            json!({"title": "Eenmalig", "due": "1-3-2026"}),
            StatusCode::CREATED,
        )
        .await;
    let (status, error) = bram
        .call(
            Method::POST,
            &format!("/api/milestones/{}/occurrences", plain["id"]),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
}
