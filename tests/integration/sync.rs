//! Syncing through the server: convergence, late joiners, presence, compaction, unloading.

use std::time::Duration;

use polder_shared::DocId;
use polder_tests::YClient;
use yrs::{ReadTxn, Transact};

use crate::helpers::{backend_tests, eventually, Backend, TestApp};

backend_tests!(
    two_clients_converge,
    a_late_joiner_receives_the_full_state,
    presence_is_relayed_and_removed_when_a_client_leaves,
    the_log_is_compacted_and_reloads_identically,
    an_idle_document_leaves_memory_and_comes_back,
    graceful_shutdown_keeps_every_update,
);

async fn two_clients_converge(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = app.client("converge").await;
    let b = app.client("converge").await;
    for i in 0..20 {
        a.append(&format!("a{i} ")).await.unwrap();
        b.append(&format!("b{i} ")).await.unwrap();
    }
    a.wait_for("40 edits at a", Duration::from_secs(10), |c| {
        c.text().matches(' ').count() == 40
    })
    .await
    .unwrap();
    b.wait_for_text(&a.text()).await.unwrap();
    assert_eq!(
        a.doc().transact().state_vector(),
        b.doc().transact().state_vector()
    );
    app.stop().await;
}

async fn a_late_joiner_receives_the_full_state(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let writer = app.client("late").await;
    let mut expected = String::new();
    for i in 0..50 {
        let piece = format!("regel {i}\n");
        writer.append(&piece).await.unwrap();
        expected.push_str(&piece);
    }
    // a second client that has seen all 50 proves they were all processed
    let probe = app.client("late").await;
    probe.wait_for_text(&expected).await.unwrap();
    let late = app.client("late").await;
    assert_eq!(late.text(), expected, "the initial sync carries everything");
    app.stop().await;
}

async fn presence_is_relayed_and_removed_when_a_client_leaves(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = app.client("presence").await;
    let b = app.client("presence").await;
    a.set_presence(r#"{"user":{"name":"Anna (VWS)"},"cursor":{"anchor":5}}"#)
        .await
        .unwrap();
    let a_id = a.doc().client_id().get();
    b.wait_for("a's presence", Duration::from_secs(5), |c| {
        c.presence()
            .get(&a_id)
            .is_some_and(|s| s.contains(r#""anchor":5"#))
    })
    .await
    .unwrap();
    // b cannot overwrite a's presence: the server drops the entry
    let forged = {
        let mut awareness = yrs::sync::Awareness::new(a.doc().clone());
        awareness.set_local_state_raw(r#"{"cursor":{"anchor":99}}"#);
        awareness.set_local_state_raw(r#"{"cursor":{"anchor":99}}"#);
        awareness.update().unwrap()
    };
    b.send_message(yrs::sync::Message::Awareness(forged))
        .await
        .unwrap();
    let c = app.client("presence").await;
    c.wait_for("a's presence at c", Duration::from_secs(5), |c| {
        c.presence().contains_key(&a_id)
    })
    .await
    .unwrap();
    let seen = &c.presence()[&a_id];
    assert!(
        seen.contains(r#""anchor":5"#),
        "presence was not forged: {seen}"
    );
    // the server stamped the authenticated identity over the name the client claimed
    assert!(
        seen.contains("token:test-admin") && !seen.contains("Anna"),
        "{seen}"
    );
    a.close().await;
    b.wait_for("a's presence removed", Duration::from_secs(5), |c| {
        c.presence().get(&a_id).is_some_and(|s| s == "null")
    })
    .await
    .unwrap();
    app.stop().await;
}

async fn the_log_is_compacted_and_reloads_identically(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.hub.compact_after_updates = 25).await;
    let writer = app.client("compact").await;
    for i in 0..200 {
        writer.append(&format!("{i},")).await.unwrap();
    }
    let probe = app.client("compact").await;
    probe.wait_for_text(&writer.text()).await.unwrap();
    let doc_id = DocId::parse("compact").unwrap();
    let storage = app.storage.clone();
    eventually("log compacted", Duration::from_secs(10), || {
        let storage = storage.clone();
        let doc_id = doc_id.clone();
        async move { storage.update_count(&doc_id).await.unwrap() < 25 }
    })
    .await;
    let expected = writer.text();
    let database = app.stop().await;
    let app = TestApp::spawn_on(database, |_| {}).await;
    let fresh = app.client("compact").await;
    assert_eq!(fresh.text(), expected);
    app.stop().await;
}

async fn an_idle_document_leaves_memory_and_comes_back(backend: Backend) {
    let app =
        TestApp::spawn_with(backend, |c| c.hub.idle_unload = Duration::from_millis(200)).await;
    let client = app.client("idle").await;
    client.append("blijft bewaard").await.unwrap();
    let probe = app.client("idle").await;
    probe.wait_for_text("blijft bewaard").await.unwrap();
    assert_eq!(app.metric("polder_documents_loaded").await, 1.0);
    client.close().await;
    probe.close().await;
    eventually("document unloaded", Duration::from_secs(10), || async {
        app.metric("polder_documents_loaded").await == 0.0
    })
    .await;
    let again = app.client("idle").await;
    assert_eq!(again.text(), "blijft bewaard");
    app.stop().await;
}

async fn graceful_shutdown_keeps_every_update(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client("shutdown").await;
    for i in 0..30 {
        client.append(&format!("{i};")).await.unwrap();
    }
    let expected = client.text();
    let probe = app.client("shutdown").await;
    probe.wait_for_text(&expected).await.unwrap();
    let database = app.stop().await;
    let close = client.wait_closed(Duration::from_secs(5)).await.unwrap();
    assert_eq!(close.code, polder_shared::close::GOING_AWAY);
    let app = TestApp::spawn_on(database, |_| {}).await;
    let fresh: YClient = app.client("shutdown").await;
    assert_eq!(fresh.text(), expected);
    app.stop().await;
}
