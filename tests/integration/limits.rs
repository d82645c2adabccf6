//! Bad input and slow peers: each costs only its own connection.

use std::time::Duration;

use polder_shared::close;
use polder_tests::YClient;
use yrs::sync::{Message, SyncMessage};
use yrs::updates::encoder::Encode;

use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    bad_frames_close_only_their_own_connection,
    a_client_that_stops_reading_is_closed_while_others_keep_receiving,
    a_storage_failure_closes_connections_and_loses_nothing_stored,
);

async fn bad_frames_close_only_their_own_connection(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.limits.max_message_bytes = 64 * 1024).await;
    let good = app.client("limits").await;
    let witness = app.client("limits").await;
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "truncated message",
            vec![0, 2, 50, 1, 2],
            close::PROTOCOL_ERROR,
        ),
        (
            "unknown message type",
            vec![42, 1, 0],
            close::PROTOCOL_ERROR,
        ),
        ("unknown sync step", vec![0, 9, 0], close::PROTOCOL_ERROR),
        (
            "payload that is not a Yjs update",
            Message::Sync(SyncMessage::Update(vec![
                0xff, 0xff, 0xff, 0xff, 0x0f, 7, 7,
            ]))
            .encode_v1(),
            close::PROTOCOL_ERROR,
        ),
        (
            "oversized message",
            vec![0; 100 * 1024],
            close::MESSAGE_TOO_BIG,
        ),
    ];
    for (i, (what, frame, expected_code)) in cases.into_iter().enumerate() {
        let bad = app.client("limits").await;
        bad.send_raw(frame).await.unwrap();
        let closed = bad.wait_closed(Duration::from_secs(5)).await.unwrap();
        assert_eq!(closed.code, expected_code, "{what}: {closed:?}");
        // everyone else carries on
        good.append(&format!("{i}")).await.unwrap();
        witness.wait_for_text(&good.text()).await.unwrap();
    }
    let texter = app.client("limits").await;
    texter.send_text("hello").await.unwrap();
    assert_eq!(
        texter
            .wait_closed(Duration::from_secs(5))
            .await
            .unwrap()
            .code,
        close::PROTOCOL_ERROR
    );
    assert!(good.close_info().is_none() && witness.close_info().is_none());
    assert_eq!(app.metric("polder_protocol_errors").await, 6.0);
    app.stop().await;
}

async fn a_client_that_stops_reading_is_closed_while_others_keep_receiving(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.limits.outbound_queue = 16).await;
    let writer = app.client("slow").await;
    let follower = app.client("slow").await;
    // a raw socket that completes the handshake and then never reads again
    let (stalled, _) = tokio_tungstenite::connect_async(app.ws_url("slow"))
        .await
        .unwrap();
    let chunk = "x".repeat(32 * 1024);
    for _ in 0..1000 {
        writer.append(&chunk).await.unwrap();
        // the follower keeps up (it reads everything before the next edit); the stalled one cannot
        let expected = writer.text().len();
        follower
            .wait_for("the follower to keep up", Duration::from_secs(10), |c| {
                c.text().len() == expected
            })
            .await
            .unwrap();
        if app.metric("polder_slow_consumers_closed").await >= 1.0 {
            break;
        }
    }
    assert_eq!(
        app.metric("polder_slow_consumers_closed").await,
        1.0,
        "only the stalled client is dropped"
    );
    follower
        .wait_for("all edits at the follower", Duration::from_secs(30), |c| {
            c.text().len() == writer.text().len()
        })
        .await
        .unwrap();
    assert!(follower.close_info().is_none());
    // reading the stalled socket now ends in the slow-consumer close frame
    use futures_util::StreamExt;
    let mut stalled = stalled;
    let mut code = None;
    while let Ok(Some(frame)) = tokio::time::timeout(Duration::from_secs(10), stalled.next()).await
    {
        if let Ok(tokio_tungstenite::tungstenite::Message::Close(Some(frame))) = frame {
            code = Some(u16::from(frame.code));
            break;
        }
    }
    assert_eq!(code, Some(close::SLOW_CONSUMER));
    app.stop().await;
}

async fn a_storage_failure_closes_connections_and_loses_nothing_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let writer = app.client("sabotage").await;
    writer.append("bewaard").await.unwrap();
    let probe = app.client("sabotage").await;
    probe.wait_for_text("bewaard").await.unwrap();
    // the database loses the update log
    sqlx::query("ALTER TABLE doc_updates RENAME TO doc_updates_away")
        .execute(app.storage.pool())
        .await
        .unwrap();
    writer.append(" en verloren?").await.unwrap();
    let closed = writer.wait_closed(Duration::from_secs(10)).await.unwrap();
    assert_eq!(closed.code, close::INTERNAL_ERROR);
    assert_eq!(probe.text(), "bewaard", "nothing unstored was relayed");
    // the database comes back; the document reloads from what was stored
    sqlx::query("ALTER TABLE doc_updates_away RENAME TO doc_updates")
        .execute(app.storage.pool())
        .await
        .unwrap();
    let again = YClient::connect(&app.ws_url("sabotage")).await.unwrap();
    again.synced().await.unwrap();
    assert_eq!(again.text(), "bewaard");
    app.stop().await;
}
