//! Deeply nested content: an update nesting 100,000 elements is refused with a reason and the
//! connection carries on; a document stored that deep before the limit existed still loads,
//! is read-only, and its versions answer a clear 422 instead of taking the server down.

use std::time::Duration;

use polder::demo::DEMO_DOC_ID;
use polder::storage::UpdateBatch;
use polder_shared::DocId;
use reqwest::{Method, StatusCode};
use serde_json::json;
use yrs::sync::{Message, SyncMessage};
use yrs::{ClientID, Doc, ReadTxn, StateVector, Transact, XmlElementPrelim, XmlFragment};

use crate::api::WorkingGroup;
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    a_deeply_nested_update_is_refused_and_the_connection_carries_on,
    a_deeply_nested_stored_document_loads_and_its_versions_answer_422,
);

/// The attack: one update from Yjs client 7 nesting 100,000 elements in the draft fragment.
fn deep_update() -> Vec<u8> {
    let doc = Doc::with_client_id(7);
    let fragment = doc.get_or_insert_xml_fragment("prosemirror");
    {
        let mut txn = doc.transact_mut();
        let mut current = fragment.insert(&mut txn, 0, XmlElementPrelim::empty("div"));
        for _ in 1..100_000 {
            current = current.insert(&mut txn, 0, XmlElementPrelim::empty("div"));
        }
    }
    let update = doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    update
}

async fn a_deeply_nested_update_is_refused_and_the_connection_carries_on(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let writer = app.client("nest").await;
    let witness = app.client("nest").await;
    writer
        .send_message(Message::Sync(SyncMessage::Update(deep_update())))
        .await
        .unwrap();
    writer
        .wait_for("the refusal", Duration::from_secs(30), |c| {
            c.denied()
                .iter()
                .any(|reason| reason.contains("more than 100 levels deep"))
        })
        .await
        .unwrap();
    // the connection stays open and a normal edit still goes through
    writer.append("gewoon").await.unwrap();
    witness.wait_for_text("gewoon").await.unwrap();
    assert!(writer.close_info().is_none() && witness.close_info().is_none());
    // nothing of the deep update was stored or relayed
    let late = app.client("nest").await;
    assert_eq!(late.text(), "gewoon");
    assert_eq!(
        late.doc().transact().state_vector().get(&ClientID::new(7)),
        0
    );
    assert!(app.metric("polder_updates_refused").await >= 1.0);
    app.assert_alive().await;
    app.stop().await;
}

async fn a_deeply_nested_stored_document_loads_and_its_versions_answer_422(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    // stored directly, as it could have been before the limit existed
    let deep = deep_update();
    app.storage
        .append_updates(&[UpdateBatch {
            doc_id: DocId::parse(DEMO_DOC_ID).unwrap(),
            updates: vec![deep.into()],
            claims: Vec::new(),
            deletions: Vec::new(),
        }])
        .await
        .unwrap();
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let client = WorkingGroup::open_draft(&app, &anna).await;
    assert!(
        client
            .doc()
            .transact()
            .state_vector()
            .get(&ClientID::new(7))
            > 0
    );
    // read-only: an edit is refused with the reason, and the connection stays
    client.append("nog iets").await.unwrap();
    client
        .wait_for("the refusal", Duration::from_secs(10), |c| {
            c.denied()
                .iter()
                .any(|reason| reason.contains("can be read but not"))
        })
        .await
        .unwrap();
    assert!(client.close_info().is_none());
    // a version can be taken, but not shown, compared or exported
    let versions = format!("/api/drafts/{}/versions", group.draft_id);
    let version = anna
        .send(
            Method::POST,
            &versions,
            json!({"name": "diep"}),
            StatusCode::CREATED,
        )
        .await;
    let show = format!("{versions}/{}", version["id"]);
    for format in ["json", "html", "markdown", "docx"] {
        let (status, body) = anna
            .call(Method::GET, &format!("{show}?format={format}"), None)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{format}: {body}");
        assert!(body.to_string().contains("levels deep"), "{body}");
    }
    let compare = format!(
        "/api/drafts/{}/compare?from={}&to=current&format=html",
        group.draft_id, version["id"]
    );
    let (status, body) = anna.call(Method::GET, &compare, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    app.assert_alive().await;
    // and it loads again after a restart
    let database = app.stop().await;
    let app = TestApp::spawn_on(database, |_| {}).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let again = WorkingGroup::open_draft(&app, &anna).await;
    assert!(again.doc().transact().state_vector().get(&ClientID::new(7)) > 0);
    app.assert_alive().await;
    app.stop().await;
}
