//! What else crosses between processes besides edits, over a real Redis: presence (stamped by
//! the process that authenticated it, gone when its connection closes), a freeze (a status step
//! through one process makes every process's connections read-only at once, and nothing sent
//! after it is stored), and the live inbox (an item stored through one process wakes a socket
//! on the other long before that socket's own poll would find it).

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use polder::demo::DEMO_DOC_ID;
use polder_tests::YClient;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::support::Cluster;

/// The inbox socket's own poll: an item that arrives well before it came by the wake-up.
const INBOX_POLL: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts processes and a Redis; scripts/test runs it with --ignored"]
async fn presence_freezes_and_inbox_wake_ups_cross_processes() {
    let Some(cluster) = Cluster::start(2, &["--demo"], &[]).await else {
        return;
    };
    let spec = cluster.nodes[0].spec();
    let anna = spec
        .create_person_token("anna", "write", "anna@vws.demo")
        .unwrap();
    let joost = spec
        .create_person_token("joost", "write", "joost@zin.demo")
        .unwrap();
    let on = |node: usize, token: &str| cluster.nodes[node].ws_url(DEMO_DOC_ID, token);

    // Presence: Anna on node 1 is seen on node 2, stamped with her name; gone when she leaves.
    let anna_client = YClient::connect(&on(0, &anna)).await.unwrap();
    anna_client.synced().await.unwrap();
    let joost_client = YClient::connect(&on(1, &joost)).await.unwrap();
    joost_client.synced().await.unwrap();
    anna_client
        .set_presence(r#"{"user":{"name":"Minister"},"cursor":{"anchor":3}}"#)
        .await
        .unwrap();
    joost_client
        .wait_for(
            "Anna's presence on the other process",
            Duration::from_secs(10),
            |c| {
                c.presence()
                    .values()
                    .any(|json| json.contains("Anna de Vries") && json.contains("anchor"))
            },
        )
        .await
        .unwrap();
    let stamped = joost_client.presence();
    assert!(
        !stamped.values().any(|json| json.contains("Minister")),
        "the name is the one the first process authenticated: {stamped:?}"
    );
    anna_client.close().await;
    joost_client
        .wait_for("Anna's presence removed", Duration::from_secs(10), |c| {
            !c.presence()
                .values()
                .any(|json| json.contains("Anna de Vries"))
        })
        .await
        .unwrap();

    // The live inbox of Joost on node 2.
    let inbox_url = format!(
        "ws://127.0.0.1:{}/ws/inbox?token={joost}",
        cluster.nodes[1].port
    );
    let (mut inbox, _) = tokio_tungstenite::connect_async(inbox_url).await.unwrap();
    let first = next_json(&mut inbox, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(first["type"], "unread", "{first}");

    // Anna moves the draft to consultation through node 1.
    let http = reqwest::Client::new();
    let mut draft = None;
    for id in 1..=10 {
        let found: Value = http
            .get(cluster.nodes[0].http(&format!("/api/drafts/{id}")))
            .bearer_auth(&anna)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap_or(Value::Null);
        if found["doc_id"] == DEMO_DOC_ID {
            draft = Some(id);
            break;
        }
    }
    let draft = draft.expect("the demo draft");
    let moved = Instant::now();
    let answer = http
        .post(cluster.nodes[0].http(&format!("/api/drafts/{draft}/transitions")))
        .bearer_auth(&anna)
        .json(&json!({ "to": "consultatie" }))
        .send()
        .await
        .unwrap();
    assert!(
        answer.status().is_success(),
        "{}",
        answer.text().await.unwrap()
    );

    // Freeze: Joost's connection on node 2 is told at once, and an edit it sends is not stored.
    joost_client
        .wait_for(
            "read-only on the other process",
            Duration::from_secs(5),
            |c| {
                c.denied()
                    .iter()
                    .any(|reason| reason.starts_with("read-only"))
            },
        )
        .await
        .unwrap();
    println!(
        "freeze reached the other process {:?} after the step",
        moved.elapsed()
    );
    let _ = joost_client.append("[after the freeze]").await;

    // Inbox: the consultation notice, stored through node 1, is pushed on node 2.
    let pushed = next_json(&mut inbox, INBOX_POLL - Duration::from_secs(10))
        .await
        .expect("the notice arrives before the socket's own poll could find it");
    assert_eq!(pushed["type"], "notification", "{pushed}");
    println!(
        "inbox item stored through node 1 pushed on node 2 {:?} after the step",
        moved.elapsed()
    );

    tokio::time::sleep(Duration::from_millis(500)).await;
    for node in 0..2 {
        let fresh = YClient::connect(&on(node, &anna)).await.unwrap();
        fresh.synced().await.unwrap();
        assert!(
            !fresh.prosemirror_text().contains("after the freeze")
                && !fresh.text().contains("after the freeze"),
            "an edit sent after the freeze was stored (node{})",
            node + 1
        );
    }
}

/// The next JSON text frame, within `timeout`.
async fn next_json<S>(socket: &mut S, timeout: Duration) -> Option<Value>
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let frame = tokio::time::timeout_at(deadline, socket.next())
            .await
            .ok()??;
        if let Ok(Message::Text(text)) = frame {
            return serde_json::from_str(&text).ok();
        }
    }
}
