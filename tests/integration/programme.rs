//! The programme team's edits: a rescheduled milestone's reminders and overdue dispute follow
//! the new date (the scheduler driven with a fake clock), action lines and milestones are
//! edited, a due date is corrected, lists are filtered by period and due dates are read.

use std::collections::BTreeMap;

use polder::scheduler::{timestamp, Clock, FakeClock, Scheduler, SchedulerSettings, Timestamp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;

use crate::api::WorkingGroup;
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    a_rescheduled_milestone_is_reminded_and_disputed_on_its_new_date,
    the_programme_team_edits_action_lines_and_corrects_due_dates,
    milestones_are_listed_by_period_and_due_dates_are_read_as_typed,
);

fn at(raw: &str) -> Timestamp {
    timestamp(raw).unwrap_or_else(|| panic!("bad timestamp {raw}"))
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

/// A milestone of ZIN due on `due` (an exact day), entered at `created`.
async fn zin_milestone(app: &TestApp, body: i64, due: &str, created: &str) -> i64 {
    let id: i64 = sqlx::query(
        "INSERT INTO milestones (body_id, title, description, due_raw, due_earliest, due_latest, \
         due_precision, status, natural_key, created_at, updated_at) \
         VALUES ($1, 'Advies pakketbeheer', '', $2, $2, $2, 'day', 'op_koers', 'test/moved', $3, $3) \
         RETURNING id",
    )
    .bind(body)
    .bind(due)
    .bind(at(created).timestamp_millis())
    .fetch_one(app.storage.pool())
    .await
    .unwrap()
    .try_get("id")
    .unwrap();
    sqlx::query(
        "INSERT INTO milestone_parties (milestone_id, party_id, role) VALUES ($1, $2, 'lead')",
    )
    .bind(id)
    .bind(party(app, "ZIN").await)
    .execute(app.storage.pool())
    .await
    .unwrap();
    id
}

/// Runs the scheduler once a day at 09:00 UTC from `clock`'s day for `days` days; returns the
/// reminder stages sent per day (`due-…:stage`) and the days a dispute was opened.
async fn run_days(
    scheduler: &Scheduler,
    clock: &FakeClock,
    days: u32,
    milestone: i64,
) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    let prefix = format!("reminder:milestone:{milestone}:");
    let mut sent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut disputes = Vec::new();
    for _ in 0..days {
        let report = scheduler.run_due(clock.now()).await;
        assert_eq!(report.errors, 0, "{report:?}");
        let day = clock.now().date_naive().to_string();
        for key in report.keys.iter().filter(|k| k.starts_with(&prefix)) {
            // reminder:milestone:ID:due-DATE:STAGE:party:P
            let parts: Vec<&str> = key[prefix.len()..].split(':').collect();
            let stage = format!("{}:{}", parts[0], parts[1]);
            let entry = sent.entry(day.clone()).or_default();
            if !entry.contains(&stage) {
                entry.push(stage);
            }
        }
        for _ in 0..report.disputes_opened {
            disputes.push(day.clone());
        }
        clock.advance_days(1);
    }
    (sent, disputes)
}

fn expected(rows: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
    rows.iter()
        .map(|(day, stage)| ((*day).to_owned(), vec![(*stage).to_owned()]))
        .collect()
}

// Due Tuesday 26 May 2026 and rescheduled by agreement on Tuesday 12 May to Friday 3 July 2026.
// Old date: d-14 1 May, d-7 13 May, d-1 22 May, d0 26 May, overdue dispute 9 June (10 working
// days). New date: d-14 15 June, d-7 24 June, d-1 2 July, d0 3 July, weekly overdue notices
// from Monday 6 July, the overdue dispute on 17 July.
async fn a_rescheduled_milestone_is_reminded_and_disputed_on_its_new_date(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    let group = WorkingGroup::seed(&app).await;
    let id = zin_milestone(&app, group.body_id, "2026-05-26", "2026-04-30T08:00:00Z").await;
    let scheduler = Scheduler::new((*app.storage).clone(), SchedulerSettings::default())
        .with_inbox_signal(app.inbox.clone());
    let clock = FakeClock::new(at("2026-04-30T09:00:00Z"));

    // Before the rescheduling only the old date's first reminder fell due.
    let (before, disputes) = run_days(&scheduler, &clock, 12, id).await;
    assert_eq!(before, expected(&[("2026-05-01", "due-2026-05-26:d-14")]));
    assert!(disputes.is_empty());
    assert_eq!(clock.now(), at("2026-05-12T09:00:00Z"));

    // The secretariat reschedules it by agreement; the API stamps the wall clock, so the change
    // is moved to the fake clock's moment (30 minutes past this morning's run).
    let bram = WorkingGroup::person(&app, "bram@vws.demo").await;
    let answer = bram
        .send(
            Method::POST,
            &format!("/api/milestones/{id}/status"),
            json!({"status": "verschoven", "new_due": "3-7-2026", "reason": "wacht op het advies van het Zorginstituut", "agreed_with": "ZIN en FMS"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(answer["due"]["latest"], "2026-07-03");
    sqlx::query("UPDATE milestone_status_changes SET at = $1 WHERE milestone_id = $2")
        .bind(at("2026-05-12T09:30:00Z").timestamp_millis())
        .bind(id)
        .execute(app.storage.pool())
        .await
        .unwrap();
    let detail = bram
        .get(&format!("/api/milestones/{id}?today=2026-05-12"))
        .await;
    assert_eq!(detail["status"], "verschoven");
    let change = &detail["history"][0];
    assert_eq!(change["kind"], "status");
    assert_eq!(change["old_due"], "2026-05-26");
    assert_eq!(change["new_due"], "3-7-2026");
    assert_eq!(change["agreed_with"], "ZIN en FMS");
    assert_eq!(change["by_name"], "Bram Jansen");
    assert_eq!(
        detail["next_reminder"],
        json!({"stage": "d-14", "on": "2026-06-15"})
    );
    assert_eq!(detail["overdue_dispute_on"], "2026-07-17");

    // From the next morning to the end of July: nothing for the old date (not d-7 on 13 May,
    // nor the due day, nor the dispute on 9 June); the new date's series; one dispute, on
    // 17 July, the tenth working day after 3 July.
    clock.set(at("2026-05-13T09:00:00Z"));
    let (after, disputes) = run_days(&scheduler, &clock, 80, id).await;
    assert_eq!(
        after,
        expected(&[
            ("2026-06-15", "due-2026-07-03:d-14"),
            ("2026-06-24", "due-2026-07-03:d-7"),
            ("2026-07-02", "due-2026-07-03:d-1"),
            ("2026-07-03", "due-2026-07-03:d0"),
            ("2026-07-06", "due-2026-07-03:overdue-1"),
            ("2026-07-13", "due-2026-07-03:overdue-2"),
            ("2026-07-20", "due-2026-07-03:overdue-3"),
            ("2026-07-27", "due-2026-07-03:overdue-4"),
        ])
    );
    assert_eq!(disputes, ["2026-07-17"]);
    let open = app
        .storage
        .list_disputes(group.body_id, true)
        .await
        .unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(
        open[0].origin_key.as_deref(),
        Some(format!("milestone-overdue:{id}").as_str())
    );
    // The answer's next reminder agrees with what was sent.
    let detail = bram
        .get(&format!("/api/milestones/{id}?today=2026-06-16"))
        .await;
    assert_eq!(
        detail["next_reminder"],
        json!({"stage": "d-7", "on": "2026-06-24"})
    );
}

async fn the_programme_team_edits_action_lines_and_corrects_due_dates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let body = group.body_id;
    let bram = WorkingGroup::person(&app, "bram@vws.demo").await;
    let joost = WorkingGroup::person(&app, "joost@zin.demo").await;
    let iris = WorkingGroup::person(&app, "iris@igj.demo").await;

    let line = bram
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/action-lines"),
            json!({"title": "Pakketbeheer", "number": "2", "owners": [{"party": "ZIN"}]}),
            StatusCode::CREATED,
        )
        .await;
    let line_id = line["id"].as_i64().unwrap();
    let path = format!("/api/action-lines/{line_id}");
    let change = json!({"number": "2.1", "title": "Pakketbeheer en richtlijnen", "description": "Met de FMS", "owners": [{"party": "FMS", "role": "lead"}, {"party": "ZIN", "role": "contributor"}]});
    for (who, api) in [("observer", &iris), ("member", &joost)] {
        let (status, _) = api.call(Method::PATCH, &path, Some(change.clone())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
    let changed = bram
        .send(Method::PATCH, &path, change, StatusCode::OK)
        .await;
    assert_eq!(changed["number"], "2.1");
    assert_eq!(changed["title"], "Pakketbeheer en richtlijnen");
    assert_eq!(changed["description"], "Met de FMS");
    let owners: Vec<(String, String)> = changed["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["code"].as_str().unwrap().into(),
                o["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        owners,
        [
            ("FMS".into(), "lead".into()),
            ("ZIN".into(), "contributor".into())
        ]
    );
    // Left out stays; an empty number removes it; an empty title is refused at its field.
    let cleared = bram
        .send(Method::PATCH, &path, json!({"number": ""}), StatusCode::OK)
        .await;
    assert_eq!(cleared["number"], Value::Null);
    assert_eq!(cleared["title"], "Pakketbeheer en richtlijnen");
    assert_eq!(cleared["owners"].as_array().unwrap().len(), 2);
    let (status, error) = bram
        .call(Method::PATCH, &path, Some(json!({"title": " "})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("title"),
        "{error}"
    );

    let milestone = bram
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/milestones"),
            json!({"title": "Richtlijn vastgesteld", "due": "Q3 2026", "owners": [{"party": "ZIN"}], "status": "op_koers"}),
            StatusCode::CREATED,
        )
        .await;
    let id = milestone["id"].as_i64().unwrap();
    assert_eq!(milestone["due"]["latest"], "2026-09-30");
    // a correction: the date was mistyped; the status stays and the history says so
    let corrected = bram
        .send(
            Method::PATCH,
            &format!("/api/milestones/{id}"),
            json!({"due": "Q4 2026", "due_reason": "verkeerd overgenomen", "source_ref": "Advies §3.5", "action_line_id": line_id}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(corrected["status"], "op_koers");
    assert_eq!(corrected["due"]["raw"], "Q4 2026");
    assert_eq!(corrected["due"]["latest"], "2026-12-31");
    assert_eq!(corrected["source_ref"], "Advies §3.5");
    assert_eq!(corrected["action_line_id"], line_id);
    let history = corrected["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["kind"], "correction");
    assert_eq!(history[0]["from"], "op_koers");
    assert_eq!(history[0]["to"], "op_koers");
    assert_eq!(history[0]["old_due"], "Q3 2026");
    assert_eq!(history[0]["new_due"], "Q4 2026");
    assert_eq!(history[0]["reason"], "verkeerd overgenomen");
    // the same text again changes nothing in the history; an owner member may not correct
    let again = bram
        .send(
            Method::PATCH,
            &format!("/api/milestones/{id}"),
            json!({"due": "Q4 2026"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(again["history"].as_array().unwrap().len(), 1);
    let (status, _) = joost
        .call(
            Method::PATCH,
            &format!("/api/milestones/{id}"),
            Some(json!({"due": "2027"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let audit = WorkingGroup::person(&app, "beheer@polder.demo")
        .await
        .audit_actions("/api/audit?limit=20")
        .await;
    assert!(
        audit.contains(&"action_line.update".to_owned()),
        "{audit:?}"
    );
    assert!(audit.contains(&"milestone.update".to_owned()), "{audit:?}");
}

async fn milestones_are_listed_by_period_and_due_dates_are_read_as_typed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let body = group.body_id;
    let bram = WorkingGroup::person(&app, "bram@vws.demo").await;
    for (title, due) in [
        ("Juni", "1-6-2026"),
        ("Derde kwartaal", "Q3 2026"),
        ("Medio", "medio 2026"),
        ("Najaar", "najaar 2026"),
        ("Onbekend", "?"),
    ] {
        bram.send(
            Method::POST,
            &format!("/api/bodies/{body}/milestones"),
            json!({"title": title, "due": due, "owners": [{"party": "ZIN"}]}),
            StatusCode::CREATED,
        )
        .await;
    }
    let titles = |items: Value| -> Vec<String> {
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = format!("/api/bodies/{body}/milestones");
    // by deadline: medio 2026 (May to August) ends 31 August, Q3 on 30 September, najaar on
    // 30 November
    assert_eq!(
        titles(bram.items(&format!("{list}?period=2026-Q3")).await),
        ["Medio", "Derde kwartaal"]
    );
    assert_eq!(
        titles(bram.items(&format!("{list}?period=2026-H1")).await),
        ["Juni"]
    );
    assert_eq!(
        titles(bram.items(&format!("{list}?from=2026-09-01")).await),
        ["Derde kwartaal", "Najaar"]
    );
    assert_eq!(
        titles(
            bram.items(&format!("{list}?period=2026&to=2026-08-31"))
                .await
        ),
        ["Juni", "Medio"]
    );
    assert_eq!(bram.items(&list).await.as_array().unwrap().len(), 5);
    let csv = reqwest::Client::new()
        .get(app.http(&format!("{list}.csv?period=2026-Q3")))
        .header("cookie", bram.cookie().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("Derde kwartaal") && !csv.contains("Najaar"),
        "{csv}"
    );
    for bad in ["period=Q3", "from=1-7-2026", "to=morgen"] {
        let (status, error) = bram.call(Method::GET, &format!("{list}?{bad}"), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {error}");
        let field = bad.split('=').next().unwrap();
        assert!(
            error["error"]["message"].as_str().unwrap().contains(field),
            "{error}"
        );
    }

    let parsed = bram.get("/api/due-dates/parse?text=Q3%202025").await;
    assert_eq!(
        parsed,
        json!({"raw": "Q3 2025", "earliest": "2025-07-01", "latest": "2025-09-30", "precision": "quarter", "uncertain": false})
    );
    let day = bram.get("/api/due-dates/parse?text=1-7-2023").await;
    assert_eq!(day["latest"], "2023-07-01");
    assert_eq!(day["precision"], "day");
    let unknown = bram.get("/api/due-dates/parse?text=%3F").await;
    assert_eq!(unknown["precision"], "unknown");
    assert_eq!(unknown["latest"], Value::Null);
    let (status, _) = bram
        .call(Method::GET, "/api/due-dates/parse?text=", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = crate::api::Api::anonymous(&app)
        .call(Method::GET, "/api/due-dates/parse?text=Q3%202025", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
