//! The working group's draft workflow: status flow, freezing (including open connections),
//! comments anchored under concurrent edits, the audit chain and its tamper check.

use std::time::Duration;

use polder::sync::anchor;
use reqwest::{Method, StatusCode};
use serde_json::json;
use yrs::{GetString, Text, Transact, XmlFragment, XmlOut};

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    the_status_flow_freezes_the_draft_for_open_connections,
    comments_keep_their_anchor_under_concurrent_edits,
    the_audit_chain_detects_tampering,
    csrf_and_sign_in_throttling_protect_sessions,
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

async fn append_to_intro(client: &polder_tests::YClient, words: &str) {
    let text = block_text(client.doc(), 1);
    client
        .edit(|txn| {
            let len = text.len(txn);
            text.insert(txn, len, words);
        })
        .await
        .unwrap();
}

async fn the_status_flow_freezes_the_draft_for_open_connections(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let member = WorkingGroup::person(&app, "joost@zin.demo").await;
    let observer = WorkingGroup::person(&app, "iris@igj.demo").await;
    let draft = format!("/api/drafts/{}", group.draft_id);

    let writer = WorkingGroup::open_draft(&app, &member).await;
    let reader = WorkingGroup::open_draft(&app, &observer).await;
    assert!(
        writer.prosemirror_text().contains("Beter pakketbeheer"),
        "the demo content loaded"
    );
    append_to_intro(&writer, " Eerste toevoeging.").await;
    reader
        .wait_for("the member's edit", Duration::from_secs(5), |c| {
            c.prosemirror_text().contains("Eerste toevoeging.")
        })
        .await
        .unwrap();
    // the observer reads but cannot write
    reader
        .wait_for("read-only notice on connect", Duration::from_secs(5), |c| {
            c.denied().len() == 1
        })
        .await
        .unwrap();
    append_to_intro(&reader, " Van de waarnemer.").await;
    reader
        .wait_for("refusal", Duration::from_secs(5), |c| c.denied().len() == 2)
        .await
        .unwrap();

    // only chair and secretariat move the flow, one step at a time
    member
        .send(
            Method::POST,
            &format!("{draft}/transitions"),
            json!({"to": "consultatie"}),
            StatusCode::FORBIDDEN,
        )
        .await;
    chair
        .send(
            Method::POST,
            &format!("{draft}/transitions"),
            json!({"to": "vastgesteld"}),
            StatusCode::CONFLICT,
        )
        .await;
    let moved = chair
        .send(
            Method::POST,
            &format!("{draft}/transitions"),
            json!({"to": "consultatie", "note": "Ter consultatie bij de achterban"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(moved["draft"]["status"], "consultatie");
    assert!(
        moved["version_id"].as_i64().is_some(),
        "a step forward freezes a version"
    );

    // the open writer connection is read-only now, at the protocol level
    writer
        .wait_for("frozen notice", Duration::from_secs(5), |c| {
            c.denied().iter().any(|d| d.contains("frozen"))
        })
        .await
        .unwrap();
    append_to_intro(&writer, " Na bevriezing.").await;
    if let Err(e) = writer
        .wait_for("refusal", Duration::from_secs(5), |c| c.denied().len() >= 2)
        .await
    {
        panic!(
            "{e}: denied {:?}, close {:?}",
            writer.denied(),
            writer.close_info()
        );
    }
    let late = WorkingGroup::open_draft(&app, &chair).await;
    assert!(late.prosemirror_text().contains("Eerste toevoeging."));
    assert!(
        !late.prosemirror_text().contains("Na bevriezing."),
        "no edit after the freeze"
    );
    assert!(!late.prosemirror_text().contains("Van de waarnemer."));

    // comments remain possible on the frozen draft
    member
        .send(
            Method::POST,
            &format!("{draft}/comments"),
            json!({"body": "Graag aanscherpen."}),
            StatusCode::CREATED,
        )
        .await;
    // metadata is frozen too
    chair
        .send(
            Method::PATCH,
            &draft,
            json!({"title": "Nieuwe titel"}),
            StatusCode::CONFLICT,
        )
        .await;

    let history = chair.items(&format!("{draft}/transitions")).await;
    assert_eq!(history[0]["from"], "concept");
    assert_eq!(history[0]["to"], "consultatie");
    assert_eq!(history[0]["by_name"], "Anna de Vries");
    assert_eq!(history[0]["note"], "Ter consultatie bij de achterban");

    // back to concept for another round: writable again, for the open connection too
    chair
        .send(
            Method::POST,
            &format!("{draft}/transitions"),
            json!({"to": "concept"}),
            StatusCode::OK,
        )
        .await;
    // (the old connection still holds its refused edit locally, as a client that ignored the
    // freeze would; a fresh one starts from the stored state)
    let writer = WorkingGroup::open_draft(&app, &member).await;
    append_to_intro(&writer, " Tweede ronde.").await;
    late.wait_for("the second round", Duration::from_secs(5), |c| {
        c.prosemirror_text().contains("Tweede ronde.")
    })
    .await
    .unwrap();

    // frozen survives a restart: the status is stored, not only in memory
    chair
        .send(
            Method::POST,
            &format!("{draft}/transitions"),
            json!({"to": "consultatie"}),
            StatusCode::OK,
        )
        .await;
    drop((writer, reader, late));
    let database = app.stop().await;
    let app = TestApp::spawn_on(database, |_| {}).await;
    let member = WorkingGroup::person(&app, "joost@zin.demo").await;
    let writer = WorkingGroup::open_draft(&app, &member).await;
    append_to_intro(&writer, " Na herstart.").await;
    writer
        .wait_for("refusal after restart", Duration::from_secs(5), |c| {
            c.denied().len() >= 2
        })
        .await
        .unwrap();
    app.stop().await;
}

async fn comments_keep_their_anchor_under_concurrent_edits(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let joost = WorkingGroup::person(&app, "joost@zin.demo").await;
    let observer = WorkingGroup::person(&app, "iris@igj.demo").await;
    let a = WorkingGroup::open_draft(&app, &anna).await;
    let b = WorkingGroup::open_draft(&app, &joost).await;

    // joost anchors a comment on "gedragen eindresultaat" in the introduction
    let intro = block_text(b.doc(), 1);
    let (text, (start, end)) = {
        let txn = b.doc().transact();
        let text = intro.get_string(&txn);
        let from = u32::try_from(text.find("gedragen").unwrap()).unwrap();
        let to = from + u32::try_from("gedragen eindresultaat".len()).unwrap();
        (text, anchor::anchor_text(&txn, &intro, from, to).unwrap())
    };
    assert!(text.contains("gedragen eindresultaat"));
    let draft = format!("/api/drafts/{}", group.draft_id);
    let created = joost
        .send(
            Method::POST,
            &format!("{draft}/comments"),
            json!({
                "body": "Is dit echt gedragen door @VWS?",
                "anchor": {"start": start, "end": end},
                "quote": "gedragen eindresultaat",
                "mention_parties": ["VWS"],
            }),
            StatusCode::CREATED,
        )
        .await;
    let thread = created["id"].as_i64().unwrap();

    // both edit the same paragraph concurrently, before and after the anchored words
    let intro_a = block_text(a.doc(), 1);
    let (edit_a, edit_b) = tokio::join!(
        a.edit(|txn| intro_a.insert(txn, 0, "Kortom: ")),
        b.edit(|txn| {
            let len = intro.len(txn);
            intro.insert(txn, len, " Met dank aan alle partijen.");
        })
    );
    edit_a.unwrap();
    edit_b.unwrap();
    let expected_len = a.prosemirror_text().len() + " Met dank aan alle partijen.".len();
    a.wait_for("both edits", Duration::from_secs(5), |c| {
        c.prosemirror_text().len() == expected_len
    })
    .await
    .unwrap();

    let comments = joost.items(&format!("{draft}/comments")).await;
    assert_eq!(comments[0]["anchored_text"], "gedragen eindresultaat");
    assert_eq!(comments[0]["mentioned_parties"], json!(["VWS"]));

    // a reply, resolving and reopening; the observer reads but may not write comments
    joost
        .send(
            Method::POST,
            &format!("{draft}/comments"),
            json!({"body": "Aangepast.", "thread_id": thread}),
            StatusCode::CREATED,
        )
        .await;
    observer
        .send(
            Method::POST,
            &format!("{draft}/comments"),
            json!({"body": "Mag ik?"}),
            StatusCode::FORBIDDEN,
        )
        .await;
    assert_eq!(
        observer
            .items(&format!("{draft}/comments"))
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
    anna.send(
        Method::PUT,
        &format!("{draft}/comments/{thread}/resolved"),
        json!({}),
        StatusCode::NO_CONTENT,
    )
    .await;
    let resolved = joost.items(&format!("{draft}/comments")).await;
    assert!(resolved[0]["resolved_at"].as_i64().is_some());
    joost
        .send(
            Method::DELETE,
            &format!("{draft}/comments/{thread}/resolved"),
            json!({}),
            StatusCode::NO_CONTENT,
        )
        .await;
    assert!(joost.items(&format!("{draft}/comments")).await[0]["resolved_at"].is_null());
    // anchors that are not relative positions are refused with a reason
    let (status, body) = joost
        .call(
            Method::POST,
            &format!("{draft}/comments"),
            Some(json!({"body": "x", "anchor": {"start": "bm9wZQ==", "end": "bm9wZQ=="}})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("anchor"));
    app.stop().await;
}

async fn the_audit_chain_detects_tampering(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let draft = format!("/api/drafts/{}", group.draft_id);
    chair
        .send(
            Method::PATCH,
            &draft,
            json!({"title": "Advies Beter pakketbeheer (concept 2)"}),
            StatusCode::OK,
        )
        .await;
    chair
        .send(
            Method::POST,
            &format!("{draft}/comments"),
            json!({"body": "Eerste opmerking"}),
            StatusCode::CREATED,
        )
        .await;
    chair
        .send(
            Method::POST,
            &format!("{draft}/transitions"),
            json!({"to": "consultatie"}),
            StatusCode::OK,
        )
        .await;
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    let log = admin.get("/api/audit").await;
    let actions = admin.audit_actions("/api/audit").await;
    // newest first: the chair's changes between sign-ins (the fixture signs the administrator
    // in once to find the demo's ids)
    assert_eq!(
        actions,
        [
            "session.create",
            "draft.transition",
            "comment.create",
            "draft.update",
            "session.create",
            "session.create"
        ]
    );
    assert!(log["items"][1]["actor"]
        .as_str()
        .unwrap()
        .contains("Anna de Vries"));
    assert_eq!(log["items"][1]["actor_party"], "VWS");

    let verify = |app: &TestApp| {
        std::process::Command::new(env!("CARGO_BIN_EXE_polder-under-test"))
            .args(["audit", "verify"])
            .env("POLDER_DATABASE_URL", &app.database.url)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let intact = verify(&app);
    assert!(
        intact.status.success(),
        "{}",
        String::from_utf8_lossy(&intact.stderr)
    );
    assert!(String::from_utf8_lossy(&intact.stdout).contains("6 entries verified"));

    let second: i64 = log["items"][1]["id"].as_i64().unwrap();
    sqlx::query(&format!(
        "UPDATE audit_log SET actor = 'person:99 (Mallory)' WHERE id = {second}"
    ))
    .execute(app.storage.pool())
    .await
    .unwrap();
    let tampered = verify(&app);
    assert!(!tampered.status.success());
    let stderr = String::from_utf8_lossy(&tampered.stderr);
    assert!(
        stderr.contains(&format!("audit entry {second}")),
        "{stderr}"
    );
    app.stop().await;
}

async fn csrf_and_sign_in_throttling_protect_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let draft = format!("/api/drafts/{}", group.draft_id);
    // a state-changing request with the cookie but without the CSRF header is refused
    let (status, _) = chair
        .call_with(
            Method::PATCH,
            &draft,
            Some(json!({"title": "Via een andere site"})),
            false,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        chair.get(&draft).await["title"],
        "Advies Beter pakketbeheer"
    );
    // a cookie-authenticated websocket from another site's page is refused
    let refused = polder_tests::YClient::connect_with_headers(
        &app.ws_base(polder::demo::DEMO_DOC_ID),
        &[
            ("cookie", chair.cookie().unwrap()),
            ("origin", "https://evil.example"),
        ],
    )
    .await;
    assert!(refused.is_err());
    // five wrong passwords lock the account for a while, with a plain answer
    for _ in 0..5 {
        let (status, _) = Api::anonymous(&app)
            .call(
                Method::POST,
                "/api/session",
                Some(json!({"email": "joost@zin.demo", "password": "fout"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = Api::anonymous(&app)
        .call(
            Method::POST,
            "/api/session",
            Some(json!({"email": "joost@zin.demo", "password": polder::demo::DEMO_PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("try again"));
    // signing out ends the session
    let (status, _) = chair.call(Method::DELETE, "/api/session", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = chair.call(Method::GET, "/api/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}
