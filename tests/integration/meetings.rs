//! Meetings (docs/DOMAIN.md §12): a series and a meeting of the working group, its agenda from
//! a draft version and a milestone, the pack as PDF and DOCX reaching the members in the inbox
//! and by e-mail with the PDF attached, the calendar feed read back after the meeting is
//! scheduled, moved and cancelled, the minutes draft made once, and who may do what.

use polder::http::escalation::calendar::{parse_feed, ParsedEvent};
use polder::scheduler::{Scheduler, SchedulerSettings};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;

use crate::api::{Api, WorkingGroup};
use crate::escalation::SmtpSink;
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    a_meeting_is_prepared_sent_moved_cancelled_and_minuted,
    observers_cannot_schedule_and_outsiders_see_nothing,
);

async fn app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await
}

/// Reads the meeting's event from `api`'s personal feed at `path`.
async fn feed_event(app: &TestApp, path: &str, meeting: i64) -> Option<ParsedEvent> {
    let text = reqwest::get(app.http(path))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let events = parse_feed(&text).unwrap_or_else(|e| panic!("feed parses: {e}\n{text}"));
    events
        .into_iter()
        .find(|e| e.uid == format!("meeting-{meeting}@polder"))
}

async fn download(api: &Api, app: &TestApp, path: &str) -> (StatusCode, Vec<u8>) {
    let response = reqwest::Client::new()
        .get(app.http(path))
        .header("cookie", api.cookie().unwrap())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.bytes().await.unwrap().to_vec())
}

async fn a_meeting_is_prepared_sent_moved_cancelled_and_minuted(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = app(backend).await;
    let group = WorkingGroup::seed_full(&app).await;
    let body = group.body_id;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let joost = WorkingGroup::person(&app, "joost@zin.demo").await;

    // a series, once per name
    let series = anna
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/meeting-series"),
            json!({"name": "Werkgroepoverleg", "kind": "plenary", "aliases": ["WO", " wo ", "overleg"]}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(series["aliases"], json!(["overleg", "wo"]));
    anna.send(
        Method::POST,
        &format!("/api/bodies/{body}/meeting-series"),
        json!({"name": "Werkgroepoverleg", "kind": "other"}),
        StatusCode::CONFLICT,
    )
    .await;
    let listed = joost
        .items(&format!("/api/bodies/{body}/meeting-series"))
        .await;
    assert_eq!(listed[0]["name"], "Werkgroepoverleg");

    // bad times and links are refused with the field named
    for (input, field) in [
        (
            json!({"starts": "2027-02-02T12:00", "ends": "2027-02-02T10:00"}),
            "ends",
        ),
        (
            json!({"starts": "2027-03-28T02:30", "ends": "2027-03-28T04:00"}),
            "starts",
        ),
        (
            json!({"starts": "2027-02-02T10:00", "ends": "2027-02-02T12:00", "online_url": "http://x.nl"}),
            "online_url",
        ),
    ] {
        let mut body_json = json!({"title": "Fout", "kind": "plenary"});
        for (k, v) in input.as_object().unwrap() {
            body_json[k] = v.clone();
        }
        let answer = anna
            .send(
                Method::POST,
                &format!("/api/bodies/{body}/meetings"),
                body_json,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert!(answer.to_string().contains(field), "{answer}");
    }

    let meeting = anna
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/meetings"),
            json!({"title": "Werkgroepoverleg februari", "kind": "plenary",
                   "series_id": series["id"], "starts": "2027-02-02T10:00",
                   "ends": "2027-02-02T12:00", "place": "Den Haag"}),
            StatusCode::CREATED,
        )
        .await;
    let id = meeting["id"].as_i64().unwrap();
    assert_eq!(meeting["starts"], "2027-02-02T10:00");
    assert_eq!(meeting["series_name"], "Werkgroepoverleg");
    assert_eq!(
        (meeting["sequence"].as_i64(), meeting["can_steer"].as_bool()),
        (Some(0), Some(true))
    );
    // 10:00 in winter is 09:00 UTC
    assert_eq!(meeting["starts_at"].as_i64(), Some(1_801_558_800_000));

    // the agenda: a free item, a version of the draft, a milestone
    let version = joost
        .send(
            Method::POST,
            &format!("/api/drafts/{}/versions", group.draft_id),
            json!({"name": "voor het overleg"}),
            StatusCode::CREATED,
        )
        .await;
    let milestone = joost.items(&format!("/api/bodies/{body}/milestones")).await[0].clone();
    let agenda = format!("/api/meetings/{id}/agenda");
    anna.send(
        Method::POST,
        &agenda,
        json!({"kind": "item", "title": "Opening"}),
        StatusCode::CREATED,
    )
    .await;
    anna.send(
        Method::POST,
        &agenda,
        json!({"kind": "version"}),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    anna.send(
        Method::POST,
        &agenda,
        json!({"kind": "item"}),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let on_version = anna
        .send(
            Method::POST,
            &agenda,
            json!({"kind": "version", "version_id": version["id"]}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(
        on_version["link"]["draft_id"].as_i64(),
        Some(group.draft_id)
    );
    assert_eq!(on_version["link"]["content_hash"], version["content_hash"]);
    assert!(
        on_version["title"]
            .as_str()
            .unwrap()
            .contains("voor het overleg"),
        "{on_version}"
    );
    let on_milestone = anna
        .send(Method::POST, &agenda, json!({"kind": "milestone", "milestone_id": milestone["id"], "note": "stand van zaken"}), StatusCode::CREATED)
        .await;
    assert_eq!(on_milestone["title"], milestone["title"]);
    assert!(on_milestone["link"]["label"]
        .as_str()
        .unwrap()
        .contains(milestone["due"]["raw"].as_str().unwrap()));
    // the milestone moves to the top, the others shift
    anna.send(
        Method::PATCH,
        &format!("{agenda}/{}", on_milestone["id"]),
        json!({"position": 1}),
        StatusCode::OK,
    )
    .await;
    let shown = joost.get(&format!("/api/meetings/{id}")).await;
    let order: Vec<(i64, String)> = shown["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["position"].as_i64().unwrap(),
                i["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            (1, "milestone".into()),
            (2, "item".into()),
            (3, "version".into())
        ]
    );
    assert_eq!(shown["can_steer"], false);

    // the pack: PDF and DOCX, to every member and observer, never the sender
    let pack = anna
        .send(
            Method::POST,
            &format!("/api/meetings/{id}/pack"),
            json!({"note": "Graag vooraf lezen"}),
            StatusCode::CREATED,
        )
        .await;
    assert!(pack["pdf_bytes"].as_i64().unwrap() > 0, "{pack}");
    assert_eq!(pack["sent_by"], "Anna de Vries");
    let (status, pdf) = download(
        &joost,
        &app,
        &format!("/api/meeting-packs/{}/pack.pdf", pack["id"]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    polder_tests::assert_pdf_a("meeting pack", &pdf);
    assert_eq!(pdf.len() as i64, pack["pdf_bytes"].as_i64().unwrap());
    let (status, docx) = download(
        &joost,
        &app,
        &format!("/api/meeting-packs/{}/pack.docx", pack["id"]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(docx.starts_with(b"PK"), "a zip archive");
    assert!(joost.get(&format!("/api/meetings/{id}")).await["last_pack_at"].is_i64());

    let settings: SchedulerSettings = sink.scheduler_settings();
    let scheduler = Scheduler::new((*app.storage).clone(), settings);
    let report = scheduler.run_events(scheduler.now()).await;
    assert!(report.notifications >= 1, "{report:?}");
    let told: Vec<String> = sqlx::query(
        "SELECT u.email FROM inbox_items i JOIN users u ON u.id = i.person_id \
         JOIN notification_events e ON e.id = i.event_id WHERE e.subject_ref = $1 ORDER BY u.email",
    )
    .bind(format!("meeting:{id}"))
    .fetch_all(app.storage.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get("email").unwrap())
    .collect();
    for expected in ["joost@zin.demo", "iris@igj.demo", "bram@vws.demo"] {
        assert!(told.iter().any(|t| t == expected), "{expected} in {told:?}");
    }
    assert!(!told.iter().any(|t| t == "anna@vws.demo"), "{told:?}");
    let messages = sink.messages();
    let to_joost: Vec<&Value> = messages
        .iter()
        .filter(|m| {
            m["rcpt_tos"][0] == "joost@zin.demo"
                && m["subject"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("Vergaderstukken")
        })
        .collect();
    assert_eq!(to_joost.len(), 1, "{messages:?}");
    assert_eq!(to_joost[0]["content_type"], "multipart/mixed");
    let attached = to_joost[0]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["content_type"] == "application/pdf")
        .expect("the pack's PDF is attached");
    assert!(attached["content"].as_str().unwrap().starts_with("%PDF"));
    assert!(!messages.iter().any(|m| m["rcpt_tos"][0] == "anna@vws.demo"
        && m["subject"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Vergaderstukken")));

    // the calendar feed: the meeting, then its change, then its cancellation
    let feed = joost
        .send(
            Method::POST,
            "/api/me/calendar-feeds",
            json!({}),
            StatusCode::CREATED,
        )
        .await["path"]
        .as_str()
        .unwrap()
        .to_owned();
    let event = feed_event(&app, &feed, id)
        .await
        .expect("the meeting is in the feed");
    assert_eq!(event.summary, "Werkgroepoverleg februari");
    assert_eq!(event.sequence, Some(0));
    assert_eq!(event.status.as_deref(), Some("CONFIRMED"));
    assert_eq!(event.location.as_deref(), Some("Den Haag"));
    assert_eq!(
        event.starts_at.as_deref(),
        Some("2027-02-02T09:00:00+00:00")
    );

    let moved = anna
        .send(Method::PATCH, &format!("/api/meetings/{id}"), json!({"starts": "2027-02-03T14:00", "ends": "2027-02-03T16:00", "online_url": "https://vergaderen.example.nl/wo"}), StatusCode::OK)
        .await;
    assert_eq!(moved["sequence"].as_i64(), Some(1));
    assert_eq!(moved["ends"], "2027-02-03T16:00");
    // a change of the kind alone is nothing a calendar shows
    let same = anna
        .send(
            Method::PATCH,
            &format!("/api/meetings/{id}"),
            json!({"kind": "other"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(same["sequence"].as_i64(), Some(1));
    let event = feed_event(&app, &feed, id).await.unwrap();
    assert_eq!(event.sequence, Some(1));
    assert_eq!(
        event.starts_at.as_deref(),
        Some("2027-02-03T13:00:00+00:00")
    );
    assert_eq!(
        event.url.as_deref(),
        Some("https://vergaderen.example.nl/wo")
    );

    let cancelled = anna
        .send(
            Method::POST,
            &format!("/api/meetings/{id}/cancel"),
            json!({"reason": "te weinig aanmeldingen"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["sequence"].as_i64()),
        (Some("geannuleerd"), Some(2))
    );
    anna.send(
        Method::POST,
        &format!("/api/meetings/{id}/cancel"),
        json!({}),
        StatusCode::CONFLICT,
    )
    .await;
    let event = feed_event(&app, &feed, id)
        .await
        .expect("a cancelled meeting stays in the feed");
    assert_eq!(event.status.as_deref(), Some("CANCELLED"));
    assert_eq!(event.sequence, Some(2));
    // the move and the cancellation reach the members too
    scheduler.run_events(scheduler.now()).await;
    let kinds: Vec<String> = joost
        .items("/api/notifications")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["notification"]["subject_ref"] == format!("meeting:{id}"))
        .map(|n| {
            n["notification"]["kind"]["news"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    for news in ["pack_sent", "moved", "cancelled"] {
        assert!(kinds.iter().any(|k| k == news), "{news} in {kinds:?}");
    }

    // the minutes: a draft in the body, once
    let minuted = anna
        .send(
            Method::POST,
            &format!("/api/meetings/{id}/minutes"),
            json!({}),
            StatusCode::CREATED,
        )
        .await;
    let draft = minuted["minutes_draft_id"]
        .as_i64()
        .expect("minutes linked");
    let shown = joost.get(&format!("/api/drafts/{draft}")).await;
    assert_eq!(
        shown["title"],
        "Verslag Werkgroepoverleg februari 03-02-2027"
    );
    assert_eq!(
        (shown["body_id"].as_i64(), shown["status"].as_str()),
        (Some(body), Some("concept"))
    );
    anna.send(
        Method::POST,
        &format!("/api/meetings/{id}/minutes"),
        json!({}),
        StatusCode::CONFLICT,
    )
    .await;

    // the jaarplanning and the calendar
    let planned = joost
        .items(&format!("/api/bodies/{body}/meetings?year=2027"))
        .await;
    assert!(planned.as_array().unwrap().iter().any(|m| m["id"] == id));
    let none = joost
        .items(&format!("/api/bodies/{body}/meetings?year=2026"))
        .await;
    assert!(!none.as_array().unwrap().iter().any(|m| m["id"] == id));
    let february = joost
        .items("/api/meetings?from=2027-02-03&to=2027-02-03")
        .await;
    assert_eq!(february.as_array().unwrap().len(), 1, "{february}");
    assert_eq!(february[0]["id"], id);
    app.stop().await;
}

async fn observers_cannot_schedule_and_outsiders_see_nothing(backend: Backend) {
    let app = app(backend).await;
    let group = WorkingGroup::seed_full(&app).await;
    let body = group.body_id;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let iris = WorkingGroup::person(&app, "iris@igj.demo").await;
    let joost = WorkingGroup::person(&app, "joost@zin.demo").await;
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    admin
        .send(
            Method::POST,
            "/api/people",
            json!({"name": "Otto Buiten", "email": "otto@buiten.demo", "party": "ZIN", "password": polder::demo::DEMO_PASSWORD}),
            StatusCode::CREATED,
        )
        .await;
    let outsider = WorkingGroup::person(&app, "otto@buiten.demo").await;
    let new = json!({"title": "Overleg", "kind": "plenary", "starts": "2027-04-06T10:00", "ends": "2027-04-06T11:00"});
    iris.send(
        Method::POST,
        &format!("/api/bodies/{body}/meetings"),
        new.clone(),
        StatusCode::FORBIDDEN,
    )
    .await;
    joost
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/meetings"),
            new.clone(),
            StatusCode::FORBIDDEN,
        )
        .await;
    outsider
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/meetings"),
            new.clone(),
            StatusCode::NOT_FOUND,
        )
        .await;
    let id = anna
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/meetings"),
            new,
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let (status, _) = outsider
        .call(Method::GET, &format!("/api/meetings/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = outsider
        .call(
            Method::POST,
            &format!("/api/meetings/{id}/pack"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!outsider
        .items("/api/meetings")
        .await
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["id"] == id));
    assert!(iris
        .items("/api/meetings")
        .await
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["id"] == id));
    iris.send(
        Method::PATCH,
        &format!("/api/meetings/{id}"),
        json!({"title": "x"}),
        StatusCode::FORBIDDEN,
    )
    .await;
    iris.send(
        Method::POST,
        &format!("/api/meetings/{id}/agenda"),
        json!({"kind": "item", "title": "x"}),
        StatusCode::FORBIDDEN,
    )
    .await;
    // a linked thing the caller cannot read is refused like a missing one
    anna.send(
        Method::POST,
        &format!("/api/meetings/{id}/agenda"),
        json!({"kind": "decision_request", "decision_request_id": 999_999}),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // the demo's theme table and quarterly consultations are planned
    let theme = admin.get("/api/bodies").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "Thematafel Passende Zorg")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let planning = admin
        .items(&format!("/api/bodies/{theme}/meetings?year=2024"))
        .await;
    assert_eq!(planning.as_array().unwrap().len(), 5, "{planning}");
    let series = admin
        .items(&format!("/api/bodies/{theme}/meeting-series"))
        .await;
    assert_eq!(series[0]["aliases"], json!(["thematafel", "ttpz"]));
    app.stop().await;
}
