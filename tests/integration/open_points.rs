//! Open points of a draft: markers found in the live text and accepted with owners, comments
//! typed as open points, who may make and own them, and the owners' reminders through the
//! scheduler with a controlled clock.

use std::time::Duration;

use polder::scheduler::{timestamp, Report, Scheduler, SchedulerSettings, Timestamp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use yrs::types::Attrs;
use yrs::{Any, Text, Transact, XmlFragment, XmlOut};

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    detected_markers_become_open_points_with_owners,
    a_comment_typed_as_an_open_point_makes_both_and_closing_counts_down,
    owners_belong_to_the_body_and_observers_do_not_make_points,
    owners_are_reminded_before_and_on_the_due_date,
    the_demo_offers_its_markers_and_has_one_accepted,
);

/// The first text node of the `prosemirror` fragment's block `index`.
fn block_text(doc: &yrs::Doc, index: u32) -> yrs::XmlTextRef {
    let fragment = doc.get_or_insert_xml_fragment("prosemirror");
    let txn = doc.transact();
    let Some(XmlOut::Element(block)) = fragment.get(&txn, index) else {
        panic!("block {index}")
    };
    let Some(XmlOut::Text(text)) = block.get(&txn, 0) else {
        panic!("text in block {index}")
    };
    text
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

/// Asserts that a 422 names `field`.
fn assert_field(refused: &Value, field: &str) {
    let message = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with(&format!("{field}: ")), "{refused}");
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    sqlx::query("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(app.storage.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get("action").unwrap())
        .collect()
}

fn kinds(points: &Value) -> Vec<(String, String)> {
    points
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_owned(),
                p["quote"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn open_count(api: &Api, draft: i64) -> i64 {
    api.get(&format!("/api/drafts/{draft}")).await["open_points"]
        .as_i64()
        .unwrap()
}

async fn detected_markers_become_open_points_with_owners(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let member = WorkingGroup::person(&app, "joost@zin.demo").await;
    let observer = WorkingGroup::person(&app, "iris@igj.demo").await;
    let draft = group.draft_id;
    let fatima = person_id(&app, "fatima@fms.demo").await;

    // a member types markers into the introduction, one of them half in bold
    let writer = WorkingGroup::open_draft(&app, &member).await;
    let reader = WorkingGroup::open_draft(&app, &observer).await;
    let intro = block_text(writer.doc(), 1);
    writer
        .edit(|txn| {
            let len = intro.len(txn);
            intro.insert(
                txn,
                len,
                " Zie [PM tekst volgt] en [NB: partijen zijn nog in gesprek over de formulering]. \
                 De PMC en de NBA doen niet mee. Ook [P",
            );
            let len = intro.len(txn);
            let bold = Attrs::from([("strong".into(), Any::Map(Default::default()))]);
            intro.insert_with_attributes(txn, len, "M discus", bold);
            let len = intro.len(txn);
            intro.insert(txn, len, "siepunt] hier.");
        })
        .await
        .unwrap();
    reader
        .wait_for("the member's markers", Duration::from_secs(10), |c| {
            c.prosemirror_text().contains("siepunt] hier.")
        })
        .await
        .unwrap();

    let found = member
        .send(
            Method::POST,
            &format!("/api/drafts/{draft}/open-points/detect"),
            json!({}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        kinds(&found["proposed"]),
        vec![
            ("pm".to_owned(), "[PM tekst volgt]".to_owned()),
            (
                "nb".to_owned(),
                "[NB: partijen zijn nog in gesprek over de formulering]".to_owned()
            ),
            ("bespreekpunt".to_owned(), "[PM discussiepunt]".to_owned()),
            // the demo text's own markers, in its last paragraph
            (
                "bespreekpunt".to_owned(),
                "[PM bespreekpunt: rol van de zorgverzekeraars]".to_owned()
            ),
            ("datum".to_owned(), "[uiterlijke datum]".to_owned()),
        ]
    );
    let proposed = found["proposed"].as_array().unwrap();
    assert!(proposed
        .iter()
        .all(|p| p["status"] == "voorgesteld" && p["source"] == "marker"));
    let listed = observer
        .get(&format!("/api/drafts/{draft}/open-points"))
        .await;
    assert_eq!(listed["proposed"], 5);
    assert_eq!(listed["open"], 0);
    assert_eq!(open_count(&member, draft).await, 0);

    // accepting needs an owner
    let pm = proposed[0]["id"].as_i64().unwrap();
    let nb = proposed[1]["id"].as_i64().unwrap();
    let date = proposed[4]["id"].as_i64().unwrap();
    let refused = member
        .send(
            Method::PATCH,
            &format!("/api/open-points/{pm}"),
            json!({"status": "open"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert!(refused.to_string().contains("owner"), "{refused}");
    let accepted = member
        .send(
            Method::PATCH,
            &format!("/api/open-points/{pm}"),
            json!({"status": "open", "owner_person_id": fatima, "due": "2026-06-30"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(accepted["status"], "open");
    assert_eq!(accepted["owner_name"], "Fatima El Amrani");
    assert_eq!(accepted["due"], "2026-06-30");
    let by_party = member
        .send(
            Method::PATCH,
            &format!("/api/open-points/{nb}"),
            json!({"status": "open", "owner_party": "ZN"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(by_party["owner_party"], "ZN");
    assert_eq!(open_count(&member, draft).await, 2);
    member
        .send(
            Method::PATCH,
            &format!("/api/open-points/{date}"),
            json!({"status": "afgewezen", "note": "De datum staat in de planning"}),
            StatusCode::OK,
        )
        .await;
    let listed = member
        .get(&format!("/api/drafts/{draft}/open-points?status=open"))
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    assert_eq!(listed["open"], 2);
    assert_eq!(listed["proposed"], 2);

    // detecting again offers nothing twice, accepted, turned down or still proposed
    let again = member
        .send(
            Method::POST,
            &format!("/api/drafts/{draft}/open-points/detect"),
            json!({}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(again["proposed"], json!([]));
    assert_eq!(open_count(&member, draft).await, 2);
    let actions = audit_actions(&app).await;
    assert!(
        actions.iter().any(|a| a == "open_point.detect"),
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|a| a == "open_point.update"),
        "{actions:?}"
    );
}

async fn a_comment_typed_as_an_open_point_makes_both_and_closing_counts_down(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let member = WorkingGroup::person(&app, "joost@zin.demo").await;
    let draft = group.draft_id;

    let created = member
        .send(
            Method::POST,
            &format!("/api/drafts/{draft}/comments"),
            json!({
                "body": "Wie neemt de regie over de startovereenkomst?",
                "quote": "een duidelijke startovereenkomst",
                "open_point": {"kind": "bespreekpunt", "owner_party": "FMS", "due": "2026-09-01"}
            }),
            StatusCode::CREATED,
        )
        .await;
    let comment = created["id"].as_i64().unwrap();
    assert_eq!(
        created["body"],
        "Wie neemt de regie over de startovereenkomst?"
    );
    let point = &created["open_point"];
    assert_eq!(point["comment_id"], comment);
    assert_eq!(point["source"], "comment");
    assert_eq!(point["kind"], "bespreekpunt");
    assert_eq!(point["status"], "open");
    assert_eq!(point["owner_party"], "FMS");
    assert_eq!(point["due"], "2026-09-01");
    assert_eq!(point["quote"], "een duidelijke startovereenkomst");
    assert_eq!(
        point["text"],
        "Wie neemt de regie over de startovereenkomst?"
    );
    assert_eq!(open_count(&member, draft).await, 1);
    // an ordinary comment makes no point
    let plain = member
        .send(
            Method::POST,
            &format!("/api/drafts/{draft}/comments"),
            json!({"body": "Eens."}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(plain["open_point"], Value::Null);

    // a point made by hand counts too; closing records who, when and why, and counts down
    let manual = member
        .send(
            Method::POST,
            &format!("/api/drafts/{draft}/open-points"),
            json!({"kind": "pm", "text": "Bijlage met de cijfers toevoegen"}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(manual["source"], "manual");
    assert_eq!(manual["created_by_name"], "Joost Bakker");
    assert_eq!(open_count(&member, draft).await, 2);
    let id = point["id"].as_i64().unwrap();
    let closed = member
        .send(
            Method::PATCH,
            &format!("/api/open-points/{id}"),
            json!({"status": "gesloten", "note": "FMS neemt de regie"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(closed["status"], "gesloten");
    assert_eq!(closed["closed_by_name"], "Joost Bakker");
    assert_eq!(closed["closed_note"], "FMS neemt de regie");
    assert!(closed["closed_at"].as_i64().is_some());
    assert_eq!(open_count(&member, draft).await, 1);
    // reopening clears the closing
    let reopened = member
        .send(
            Method::PATCH,
            &format!("/api/open-points/{id}"),
            json!({"status": "open"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(reopened["closed_at"], Value::Null);
    assert_eq!(open_count(&member, draft).await, 2);
    let actions = audit_actions(&app).await;
    assert!(
        actions.iter().any(|a| a == "open_point.create"),
        "{actions:?}"
    );
}

async fn owners_belong_to_the_body_and_observers_do_not_make_points(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let member = WorkingGroup::person(&app, "joost@zin.demo").await;
    let observer = WorkingGroup::person(&app, "iris@igj.demo").await;
    let outsider = WorkingGroup::person(&app, "willem@vws.demo").await;
    let draft = group.draft_id;
    let willem = person_id(&app, "willem@vws.demo").await;
    let points = format!("/api/drafts/{draft}/open-points");

    for (owner, field) in [
        (json!({"owner_person_id": willem}), "owner_person_id"),
        (json!({"owner_party": "XYZ"}), "owner_party"),
        // a collective does not take part in the body itself
        (json!({"owner_party": "IZA"}), "owner_party"),
    ] {
        let mut input = json!({"kind": "pm", "text": "Iets"});
        input
            .as_object_mut()
            .unwrap()
            .extend(owner.as_object().unwrap().clone());
        let refused = member
            .send(
                Method::POST,
                &points,
                input,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_field(&refused, field);
    }
    for (input, field) in [
        (json!({"kind": "todo", "text": "Iets"}), "kind"),
        (json!({"kind": "pm", "text": ""}), "text"),
        (
            json!({"kind": "pm", "text": "Iets", "due": "31-12-2026"}),
            "due",
        ),
    ] {
        let refused = member
            .send(
                Method::POST,
                &points,
                input,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_field(&refused, field);
    }
    // an observer owns points (IGJ takes part as informed party) but does not make them
    let iris = person_id(&app, "iris@igj.demo").await;
    let owned = member
        .send(
            Method::POST,
            &points,
            json!({"kind": "nb", "text": "Toezicht", "owner_person_id": iris, "owner_party": "IGJ"}),
            StatusCode::CREATED,
        )
        .await;
    let owned_id = owned["id"].as_i64().unwrap();
    observer
        .send(
            Method::POST,
            &points,
            json!({"kind": "pm", "text": "Iets"}),
            StatusCode::FORBIDDEN,
        )
        .await;
    observer
        .send(
            Method::POST,
            &format!("{points}/detect"),
            json!({}),
            StatusCode::FORBIDDEN,
        )
        .await;
    observer
        .send(
            Method::PATCH,
            &format!("/api/open-points/{owned_id}"),
            json!({"status": "gesloten"}),
            StatusCode::FORBIDDEN,
        )
        .await;
    assert_eq!(observer.get(&points).await["open"], 1);
    // outsiders do not see that the draft or the point exists
    let (status, _) = outsider.call(Method::GET, &points, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    outsider
        .send(
            Method::PATCH,
            &format!("/api/open-points/{owned_id}"),
            json!({"status": "gesloten"}),
            StatusCode::NOT_FOUND,
        )
        .await;
    // a comment with an owner from outside the body stores neither comment nor point
    let comments = format!("/api/drafts/{draft}/comments");
    let before = member.get(&comments).await["total"].as_i64().unwrap();
    let refused = member
        .send(
            Method::POST,
            &comments,
            json!({"body": "Wie?", "open_point": {"kind": "pm", "owner_person_id": willem}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_field(&refused, "open_point.owner_person_id");
    assert_eq!(
        member.get(&comments).await["total"].as_i64().unwrap(),
        before
    );
    assert_eq!(observer.get(&points).await["open"], 1);
}

fn at(raw: &str) -> Timestamp {
    timestamp(raw).unwrap()
}

/// The people who received the notification stored under `key`, by e-mail address.
async fn receivers(app: &TestApp, key: &str) -> Vec<String> {
    let rows = sqlx::query(
        "SELECT u.email FROM inbox_items i JOIN users u ON u.id = i.person_id \
         JOIN notification_events e ON e.id = i.event_id WHERE e.event_key = $1 ORDER BY u.email",
    )
    .bind(key)
    .fetch_all(app.storage.pool())
    .await
    .unwrap();
    rows.iter().map(|r| r.try_get("email").unwrap()).collect()
}

fn point_keys(report: &Report) -> Vec<String> {
    report
        .keys
        .iter()
        .filter(|k| k.starts_with("reminder:open_point:"))
        .cloned()
        .collect()
}

/// The notification kinds a person has for a point's subject.
async fn kinds_for(app: &TestApp, email: &str, point: i64) -> Vec<String> {
    let rows = sqlx::query(
        "SELECT e.payload FROM inbox_items i JOIN users u ON u.id = i.person_id \
         JOIN notification_events e ON e.id = i.event_id WHERE u.email = $1 AND e.subject_ref = $2 \
         ORDER BY e.id",
    )
    .bind(email)
    .bind(format!("open_point:{point}"))
    .fetch_all(app.storage.pool())
    .await
    .unwrap();
    rows.iter()
        .map(|r| {
            let payload: String = r.try_get("payload").unwrap();
            let value: Value = serde_json::from_str(&payload).unwrap();
            value["kind"].to_string()
        })
        .collect()
}

// Due Tuesday 26 May 2026, right after Pinkstermaandag: 5 working days before is Monday
// 18 May, 1 working day before is Friday 22 May.
async fn owners_are_reminded_before_and_on_the_due_date(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    let group = WorkingGroup::seed(&app).await;
    let member = WorkingGroup::person(&app, "joost@zin.demo").await;
    let draft = group.draft_id;
    let fatima = person_id(&app, "fatima@fms.demo").await;
    let points = format!("/api/drafts/{draft}/open-points");
    let personal = member
        .send(
            Method::POST,
            &points,
            json!({"kind": "pm", "text": "Cijfers aanleveren", "owner_person_id": fatima, "due": "2026-05-26"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let of_party = member
        .send(
            Method::POST,
            &points,
            json!({"kind": "bespreekpunt", "text": "Regie", "owner_party": "VWS", "due": "2026-05-26"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    // made on 30 April, so the whole series lies ahead
    sqlx::query("UPDATE open_points SET created_at = $1")
        .bind(at("2026-04-30T09:00:00Z").timestamp_millis())
        .execute(app.storage.pool())
        .await
        .unwrap();
    let scheduler = Scheduler::new((*app.storage).clone(), SchedulerSettings::default())
        .with_inbox_signal(app.inbox.clone());

    // before the first reminder: only the owners hear that the points are theirs
    let early = scheduler.run_due(at("2026-05-11T09:00:00Z")).await;
    assert!(point_keys(&early).is_empty(), "{:?}", early.keys);
    assert_eq!(
        kinds_for(&app, "fatima@fms.demo", personal).await,
        vec![json!({"type": "open_point", "days_before": null}).to_string()]
    );
    assert_eq!(kinds_for(&app, "anna@vws.demo", of_party).await.len(), 1);
    assert_eq!(kinds_for(&app, "bram@vws.demo", of_party).await.len(), 1);
    assert!(kinds_for(&app, "joost@zin.demo", personal).await.is_empty());
    assert!(kinds_for(&app, "joost@zin.demo", of_party).await.is_empty());

    let d5 = scheduler.run_due(at("2026-05-18T09:00:00Z")).await;
    let key = |id: i64, stage: &str| format!("reminder:open_point:{id}:due-2026-05-26:{stage}");
    let mut got = point_keys(&d5);
    got.sort();
    let mut want = vec![key(personal, "d-5"), key(of_party, "d-5")];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(
        receivers(&app, &key(personal, "d-5")).await,
        ["fatima@fms.demo"]
    );
    // a party's reminder reaches its people in the body
    assert_eq!(
        receivers(&app, &key(of_party, "d-5")).await,
        ["anna@vws.demo", "bram@vws.demo"]
    );
    assert_eq!(
        kinds_for(&app, "fatima@fms.demo", personal)
            .await
            .last()
            .unwrap(),
        &json!({"type": "open_point", "days_before": 5}).to_string()
    );
    // running again sends nothing twice
    assert!(point_keys(&scheduler.run_due(at("2026-05-18T10:00:00Z")).await).is_empty());

    // a closed point is not reminded of any more
    member
        .send(
            Method::PATCH,
            &format!("/api/open-points/{personal}"),
            json!({"status": "gesloten"}),
            StatusCode::OK,
        )
        .await;
    let d1 = scheduler.run_due(at("2026-05-22T09:00:00Z")).await;
    assert_eq!(point_keys(&d1), vec![key(of_party, "d-1")]);
    let d0 = scheduler.run_due(at("2026-05-26T09:00:00Z")).await;
    assert_eq!(point_keys(&d0), vec![key(of_party, "d0")]);
    assert_eq!(
        kinds_for(&app, "bram@vws.demo", of_party)
            .await
            .last()
            .unwrap(),
        &json!({"type": "open_point", "days_before": 0}).to_string()
    );
}

async fn the_demo_offers_its_markers_and_has_one_accepted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed_full(&app).await;
    let member = WorkingGroup::person(&app, "pieter@zn.demo").await;
    let draft = group.draft_id;
    let listed = member
        .get(&format!("/api/drafts/{draft}/open-points"))
        .await;
    assert_eq!(listed["open"], 1);
    assert_eq!(listed["proposed"], 1);
    let items = listed["items"].as_array().unwrap();
    let accepted = items.iter().find(|p| p["status"] == "open").unwrap();
    assert_eq!(accepted["kind"], "bespreekpunt");
    assert_eq!(accepted["owner_party"], "ZN");
    assert!(accepted["due"].as_str().is_some());
    assert_eq!(
        accepted["quote"],
        "[PM bespreekpunt: rol van de zorgverzekeraars]"
    );
    let proposed = items.iter().find(|p| p["status"] == "voorgesteld").unwrap();
    assert_eq!(proposed["kind"], "datum");
    assert_eq!(open_count(&member, draft).await, 1);
    // the seeded keys are those of the live text: detecting offers nothing new
    let again = member
        .send(
            Method::POST,
            &format!("/api/drafts/{draft}/open-points/detect"),
            json!({}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(again["proposed"], json!([]));
}
