//! Deadlines relative to a meeting ("uiterlijk twee weken voor het IZA-kwartaaloverleg"): the
//! milestone gets its date when the meeting is scheduled, moves with it (a history entry of
//! kind `meeting`, its owners told in their inbox), is reminded 14, 7 and 1 working days
//! before, and moves to the next meeting when its meeting is cancelled; the import's dry run
//! links or flags such texts.
//!
//! Meetings and series are made, moved and cancelled through the meeting API, whose
//! transactions let the linked milestones follow.

use std::collections::BTreeMap;

use polder::auth::secret;
use polder::domain::dutch_time;
use polder::scheduler::{Clock, FakeClock, Scheduler, SchedulerSettings};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;

use crate::api::{Api, WorkingGroup};
use crate::escalation::{app_without_scheduler, at};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    a_relative_milestone_is_dated_by_its_meeting_moves_with_it_and_is_reminded,
    a_cancelled_meeting_moves_the_milestone_to_the_next_one,
    the_demo_milestone_is_linked_when_its_series_is_made_and_dated_by_its_meetings,
    the_import_dry_run_links_or_flags_relative_due_texts,
);

const DUE: &str = "uiterlijk twee weken voor het IZA-kwartaaloverleg";

async fn id_of(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query(sql)
        .bind(bind)
        .fetch_one(app.storage.pool())
        .await
        .unwrap()
        .try_get("id")
        .unwrap()
}

async fn bo_body(app: &TestApp) -> i64 {
    id_of(
        app,
        "SELECT id FROM bodies WHERE name = $1",
        "Bestuurlijk Overleg IZA (BO-IZA)",
    )
    .await
}

/// The secretariat of the working group and the BO-IZA (Bram, VWS) steers the meetings.
async fn secretary(app: &TestApp) -> Api {
    WorkingGroup::person(app, "bram@vws.demo").await
}

/// A meeting series of `body` with aliases, made through the API (which links the milestones
/// its name matches in the same transaction).
async fn create_series(bram: &Api, body: i64, name: &str, aliases: &[&str]) -> i64 {
    let series = bram
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/meeting-series"),
            json!({ "name": name, "kind": "bo_iza", "aliases": aliases }),
            StatusCode::CREATED,
        )
        .await;
    series["id"].as_i64().unwrap()
}

/// 09:00 UTC on `day` (10:00 Dutch time in winter), in Unix ms.
fn ten_oclock(day: &str) -> i64 {
    at(&format!("{day}T09:00:00Z")).timestamp_millis()
}

/// Schedules a meeting of the series on `day`, 10:00 to 12:00 Dutch time, through the API.
async fn schedule(bram: &Api, body: i64, series: i64, day: &str) -> i64 {
    let meeting = bram
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/meetings"),
            json!({
                "title": "IZA-kwartaaloverleg", "kind": "bo_iza", "series_id": series,
                "starts": format!("{day}T10:00"), "ends": format!("{day}T12:00"),
            }),
            StatusCode::CREATED,
        )
        .await;
    meeting["id"].as_i64().unwrap()
}

/// Moves a meeting to `day` (same hours), through the API.
async fn move_meeting(bram: &Api, meeting: i64, day: &str) {
    bram.send(
        Method::PATCH,
        &format!("/api/meetings/{meeting}"),
        json!({ "starts": format!("{day}T10:00"), "ends": format!("{day}T12:00") }),
        StatusCode::OK,
    )
    .await;
}

/// Cancels a meeting through the API.
async fn cancel(bram: &Api, meeting: i64) {
    bram.send(
        Method::POST,
        &format!("/api/meetings/{meeting}/cancel"),
        json!({ "reason": "verplaatst" }),
        StatusCode::OK,
    )
    .await;
}

/// A milestone of the working group due relative to the quarterly meeting, made by its chair
/// with VWS leading and ZIN contributing.
async fn relative_milestone(app: &TestApp, group: &WorkingGroup) -> (Api, i64) {
    let anna = WorkingGroup::person(app, "anna@vws.demo").await;
    let created = anna
        .send(
            Method::POST,
            &format!("/api/bodies/{}/milestones", group.body_id),
            json!({
                "title": "Voortgang aanleveren",
                "due": DUE,
                "owners": [{ "party": "VWS", "role": "lead" }, { "party": "ZIN", "role": "contributor" }],
            }),
            StatusCode::CREATED,
        )
        .await;
    (anna, created["id"].as_i64().unwrap())
}

fn meeting_entries(detail: &Value) -> Vec<Value> {
    detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "meeting")
        .cloned()
        .collect()
}

async fn due_moved_notices(app: &TestApp, email: &str, milestone: i64) -> Vec<Value> {
    let person = WorkingGroup::person(app, email).await;
    person.get("/api/notifications?limit=200").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["subject_ref"] == format!("milestone:{milestone}")
                && i["notification"]["kind"]["type"] == "due_moved"
        })
        .cloned()
        .collect()
}

async fn a_relative_milestone_is_dated_by_its_meeting_moves_with_it_and_is_reminded(
    backend: Backend,
) {
    let app = app_without_scheduler(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let bo = bo_body(&app).await;
    let bram = secretary(&app).await;
    let (anna, id) = relative_milestone(&app, &group).await;
    let path = format!("/api/milestones/{id}");
    // no series of that name yet: not linked, no date
    let detail = anna.get(&path).await;
    assert_eq!(detail["relative_due"], Value::Null);
    assert_eq!(detail["due"]["latest"], Value::Null);
    assert_eq!(detail["due"]["precision"], "relative");

    let series = create_series(&bram, bo, "IZA-kwartaaloverleg", &["kwartaaloverleg"]).await;
    let detail = anna.get(&path).await;
    assert_eq!(detail["relative_due"]["series_id"], series);
    assert_eq!(detail["relative_due"]["series_name"], "IZA-kwartaaloverleg");
    assert_eq!(detail["relative_due"]["resolved"], false);
    assert_eq!(detail["relative_due"]["offset_days"], -14);
    assert_eq!(detail["relative_due"]["rule_text"], DUE);
    assert_eq!(detail["due"]["latest"], Value::Null);

    // scheduled on Thursday 20 November 2036: due two weeks before
    let meeting = schedule(&bram, bo, series, "2036-11-20").await;
    let detail = anna.get(&path).await;
    assert_eq!(detail["due"]["latest"], "2036-11-06");
    assert_eq!(detail["due"]["earliest"], Value::Null);
    assert_eq!(detail["due"]["raw"], DUE);
    assert_eq!(detail["relative_due"]["meeting_id"], meeting);
    assert_eq!(detail["relative_due"]["meeting_starts"], "2036-11-20T10:00");
    assert_eq!(detail["relative_due"]["resolved"], true);
    let entries = meeting_entries(&detail);
    assert_eq!(entries.len(), 1, "{detail}");
    assert_eq!(entries[0]["new_due_latest"], "2036-11-06");

    // moved a week on: the milestone moves with it
    move_meeting(&bram, meeting, "2036-11-27").await;
    let detail = anna.get(&path).await;
    assert_eq!(detail["due"]["latest"], "2036-11-13");
    let entries = meeting_entries(&detail);
    assert_eq!(entries.len(), 2, "{detail}");
    assert_eq!(entries[1]["old_due"], "2036-11-06");
    assert_eq!(entries[1]["new_due"], "2036-11-13");
    assert_eq!(entries[1]["new_due_latest"], "2036-11-13");
    assert_eq!(entries[1]["from"], entries[1]["to"]);
    assert!(entries[1]["by_name"] == "Bram Jansen", "{}", entries[1]);
    // the same meeting again changes nothing
    move_meeting(&bram, meeting, "2036-11-27").await;
    assert_eq!(meeting_entries(&anna.get(&path).await).len(), 2);
    let audit = app.storage.list_audit(0, 50).await.unwrap().0;
    let moves: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "milestone.due_moved" && e.subject["milestone"] == id)
        .collect();
    assert_eq!(moves.len(), 2);
    assert_eq!(moves[0].subject["to"], "2036-11-13");
    assert_eq!(moves[0].subject["from"], "2036-11-06");

    // the owners hear of it: Joost (ZIN) and Anna (VWS), not Bram who moved the meeting
    let scheduler = Scheduler::new((*app.storage).clone(), SchedulerSettings::default())
        .with_inbox_signal(app.inbox.clone());
    let clock = FakeClock::new(at("2036-10-01T09:00:00Z"));
    let report = scheduler.run_due(clock.now()).await;
    assert_eq!(report.errors, 0, "{report:?}");
    let joost = due_moved_notices(&app, "joost@zin.demo", id).await;
    assert_eq!(joost.len(), 2, "{joost:?}");
    assert!(joost.iter().any(|n| n["notification"]["kind"]
        == json!({ "type": "due_moved", "from": "2036-11-06", "to": "2036-11-13" })));
    assert_eq!(due_moved_notices(&app, "anna@vws.demo", id).await.len(), 2);
    assert!(due_moved_notices(&app, "bram@vws.demo", id)
        .await
        .is_empty());
    assert!(due_moved_notices(&app, "fatima@fms.demo", id)
        .await
        .is_empty());

    // reminded 14, 7 and 1 working days before the new day, and on it; never for the old one
    let mut sent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let prefix = format!("reminder:milestone:{id}:");
    for _ in 0..44 {
        let report = scheduler.run_due(clock.now()).await;
        assert_eq!(report.errors, 0, "{report:?}");
        for key in report.keys.iter().filter(|k| k.starts_with(&prefix)) {
            sent.entry(clock.now().date_naive().to_string())
                .or_default()
                .push(key.clone());
        }
        clock.advance_days(1);
    }
    let zin = id_of(&app, "SELECT id FROM parties WHERE code = $1", "ZIN").await;
    let vws = id_of(&app, "SELECT id FROM parties WHERE code = $1", "VWS").await;
    let series_key = format!("{prefix}due-2036-11-13");
    let expect = |day: &str, stage: &str| {
        (
            day.to_owned(),
            vec![
                format!("{series_key}:{stage}:party:{vws}"),
                format!("{series_key}:{stage}:party:{zin}"),
            ],
        )
    };
    let expected: BTreeMap<String, Vec<String>> = [
        expect("2036-10-24", "d-14"),
        expect("2036-11-04", "d-7"),
        expect("2036-11-12", "d-1"),
        expect("2036-11-13", "d0"),
    ]
    .into_iter()
    .collect();
    assert_eq!(sent, expected);
}

async fn a_cancelled_meeting_moves_the_milestone_to_the_next_one(backend: Backend) {
    let app = app_without_scheduler(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let bo = bo_body(&app).await;
    let bram = secretary(&app).await;
    // the series exists first here: the milestone is linked when it is made
    let series = create_series(&bram, bo, "IZA-kwartaaloverleg", &[]).await;
    let first = schedule(&bram, bo, series, "2036-11-20").await;
    let next = schedule(&bram, bo, series, "2037-02-19").await;
    let (anna, id) = relative_milestone(&app, &group).await;
    let path = format!("/api/milestones/{id}");
    let detail = anna.get(&path).await;
    assert_eq!(detail["due"]["latest"], "2036-11-06");
    assert_eq!(detail["relative_due"]["meeting_id"], first);
    // linked at creation: no history entry yet
    assert!(meeting_entries(&detail).is_empty());

    cancel(&bram, first).await;
    let detail = anna.get(&path).await;
    assert_eq!(detail["due"]["latest"], "2037-02-05");
    assert_eq!(detail["relative_due"]["meeting_id"], next);
    let entries = meeting_entries(&detail);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["old_due"], "2036-11-06");
    assert_eq!(entries[0]["new_due_latest"], "2037-02-05");

    // with no meeting left, the milestone has no date and says so in its history
    cancel(&bram, next).await;
    let detail = anna.get(&path).await;
    assert_eq!(detail["due"]["latest"], Value::Null);
    assert_eq!(detail["relative_due"]["resolved"], false);
    assert_eq!(detail["relative_due"]["meeting_id"], Value::Null);
    let entries = meeting_entries(&detail);
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["old_due"], "2037-02-05");
    assert_eq!(entries[1]["new_due_latest"], Value::Null);

    // a correction to a calendar date unlinks it
    anna.send(
        Method::PATCH,
        &path,
        json!({ "due": "1-3-2037", "due_reason": "datum afgesproken" }),
        StatusCode::OK,
    )
    .await;
    let detail = anna.get(&path).await;
    assert_eq!(detail["relative_due"], Value::Null);
    assert_eq!(detail["due"]["latest"], "2037-03-01");
    // a new meeting of the series (which a linked milestone would resolve to) leaves it be
    schedule(&bram, bo, series, "2037-05-20").await;
    assert_eq!(anna.get(&path).await["due"]["latest"], "2037-03-01");
}

/// The demo order: the governance demo makes the milestone, then the meetings demo makes the
/// BO-IZA's series and its meetings of 2027.
async fn the_demo_milestone_is_linked_when_its_series_is_made_and_dated_by_its_meetings(
    backend: Backend,
) {
    let app = app_without_scheduler(backend).await;
    let group = WorkingGroup::seed_without_meetings(&app).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let items = anna
        .items(&format!(
            "/api/bodies/{}/milestones?limit=200",
            group.body_id
        ))
        .await;
    let demo = items
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["title"] == "Voortgang werkgroep aanleveren voor de IZA-kwartaalmonitor")
        .unwrap()
        .clone();
    assert_eq!(demo["due"]["raw"], DUE);
    assert_eq!(demo["relative_due"], Value::Null);
    assert_eq!(demo["owners"][0]["code"], "VWS", "{demo}");
    let id = demo["id"].as_i64().unwrap();

    let bo = bo_body(&app).await;
    let bram = secretary(&app).await;
    let series = create_series(
        &bram,
        bo,
        "IZA-kwartaaloverleg",
        &["kwartaaloverleg", "iza-kwartaaloverleg"],
    )
    .await;
    let path = format!("/api/milestones/{id}");
    assert_eq!(anna.get(&path).await["relative_due"]["series_id"], series);
    let days = ["2027-03-18", "2027-06-17", "2027-09-23", "2027-12-16"];
    for day in days {
        schedule(&bram, bo, series, day).await;
    }
    // the first quarterly meeting on or after the day the demo was made, two weeks before
    let created = dutch_time::date_of_millis(demo["created_at"].as_i64().unwrap()).to_string();
    let fortnight = 14 * 86_400_000;
    let expected = days
        .iter()
        .find(|d| **d >= created.as_str())
        .map(|d| dutch_time::date_of_millis(ten_oclock(d) - fortnight).to_string());
    let detail = anna.get(&path).await;
    assert_eq!(
        detail["due"]["latest"].as_str().map(str::to_owned),
        expected
    );
    assert_eq!(
        detail["relative_due"]["resolved"],
        json!(expected.is_some())
    );
    // resolved once, by the meeting that set the date; later meetings did not move it
    assert_eq!(
        meeting_entries(&detail).len(),
        usize::from(expected.is_some())
    );
}

async fn token(app: &TestApp, email: &str) -> String {
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

const TABLE: &str = "Onderwerp;Gereed;Verantwoordelijke\n\
                     Voortgang aanleveren;uiterlijk twee weken voor het kwartaaloverleg;<u>VWS</u>\n\
                     Evaluatie;na de bestuurdersdag;<u>ZN</u>\n\
                     Advies pakketbeheer;Q3 2026;<u>ZIN</u>\n";

async fn upload(app: &TestApp, token: &str, body: i64, dry_run: bool) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(app.http(&format!(
            "/api/bodies/{body}/imports?dry_run={dry_run}&format=csv"
        )))
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

async fn the_import_dry_run_links_or_flags_relative_due_texts(backend: Backend) {
    let app = app_without_scheduler(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let bo = bo_body(&app).await;
    let bram = secretary(&app).await;
    let series = create_series(&bram, bo, "IZA-kwartaaloverleg", &["kwartaaloverleg"]).await;
    schedule(&bram, bo, series, "2036-11-20").await;
    let token = token(&app, "anna@vws.demo").await;
    let (status, answer) = upload(&app, &token, group.body_id, true).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["relative_due"],
        json!([
            { "line": 2, "due": "uiterlijk twee weken voor het kwartaaloverleg",
              "series_id": series, "series_name": "IZA-kwartaaloverleg", "status": "linked" },
            { "line": 3, "due": "na de bestuurdersdag",
              "series_id": null, "series_name": null, "status": "relative_unlinked" },
        ]),
        "{answer}"
    );
    // nothing stored on a dry run
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let list = format!("/api/bodies/{}/milestones?limit=200", group.body_id);
    assert!(anna.items(&list).await.as_array().unwrap().is_empty());

    let (status, answer) = upload(&app, &token, group.body_id, false).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let items = anna.items(&list).await;
    let by_title = |title: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["title"] == title)
            .unwrap()
            .clone()
    };
    let linked = by_title("Voortgang aanleveren");
    assert_eq!(linked["relative_due"]["series_id"], series);
    assert_eq!(linked["due"]["latest"], "2036-11-06");
    assert_eq!(by_title("Evaluatie")["relative_due"], Value::Null);
    assert_eq!(by_title("Advies pakketbeheer")["relative_due"], Value::Null);
}
