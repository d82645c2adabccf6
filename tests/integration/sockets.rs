//! Socket lifecycle: what one socket may cost (outbound bytes, full-state replies, presence),
//! the live inbox's limits and push, and access that ends while a socket is open.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use polder::auth::secret;
use polder::demo::DEMO_DOC_ID;
use polder::domain::roles::BodyRole;
use polder::storage::DocRole;
use polder_shared::close;
use polder_tests::YClient;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use yrs::sync::awareness::AwarenessUpdateEntry;
use yrs::sync::{AwarenessUpdate, Message, SyncMessage};
use yrs::updates::encoder::Encode;
use yrs::StateVector;

use crate::api::WorkingGroup;
use crate::helpers::{backend_tests, eventually, Backend, TestApp};

backend_tests!(
    a_reader_that_stops_reading_gets_one_full_state_not_one_per_request,
    a_connection_over_its_byte_budget_is_closed_as_too_slow,
    an_oversized_presence_never_reaches_anyone,
    a_presence_flood_is_throttled_and_the_newest_state_still_arrives,
    inbox_sockets_are_limited_per_person_and_in_total,
    a_notification_is_pushed_to_an_open_inbox_socket,
    a_wake_up_of_one_server_does_not_reach_the_inbox_sockets_of_another,
    removing_a_membership_and_revoking_the_token_close_the_open_sockets,
    a_role_change_downgrades_and_upgrades_an_open_connection,
    signing_out_and_changing_the_password_close_the_sessions_sockets,
    a_session_that_expires_closes_its_sockets,
);

type Raw = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a test waits for a socket to be closed after access changed.
const REVOKE_WAIT: Duration = Duration::from_secs(8);

/// Opens a raw websocket with extra headers; the HTTP status when the upgrade is refused.
async fn raw_socket(url: &str, headers: &[(&str, &str)]) -> Result<Raw, u16> {
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(
            tungstenite::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(error) => panic!("unexpected upgrade error: {error}"),
    }
}

/// The close code a socket ends with, reading (and skipping) whatever comes before it.
async fn close_code(socket: &mut Raw, within: Duration) -> Option<u16> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(Some(Ok(WsMessage::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) | Err(_) => return None,
        }
    }
}

/// The next JSON text frame of an inbox socket.
async fn next_json(socket: &mut Raw) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s")
            .expect("the socket is open")
            .unwrap();
        if let WsMessage::Text(text) = frame {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

fn inbox_url(app: &TestApp, token: &str) -> String {
    format!("ws://{}/ws/inbox?token={token}", app.addr)
}

/// A token for an existing person.
async fn token_for(app: &TestApp, person: i64, scope: &str) -> String {
    let token = secret::new_token();
    app.storage
        .create_token("sockets", scope, &secret::hash(&token), Some(person))
        .await
        .unwrap();
    token
}

async fn person_id(app: &TestApp, email: &str) -> i64 {
    app.storage
        .find_user_by_email(email)
        .await
        .unwrap()
        .unwrap()
        .id
}

fn awareness(client: u64, clock: u32, json: &str) -> Vec<u8> {
    let mut clients = HashMap::new();
    clients.insert(
        yrs::ClientID::new(client),
        AwarenessUpdateEntry {
            clock,
            json: json.into(),
        },
    );
    Message::Awareness(AwarenessUpdate { clients }).encode_v1()
}

async fn a_reader_that_stops_reading_gets_one_full_state_not_one_per_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let writer = app.client("groot").await;
    let chunk = "x".repeat(1024 * 1024);
    for _ in 0..6 {
        writer.append(&chunk).await.unwrap();
    }
    let witness = app.client("groot").await;
    witness
        .wait_for("the 6 MiB draft", Duration::from_secs(30), |c| {
            c.text().len() == 6 * chunk.len()
        })
        .await
        .unwrap();
    let reader = app.member_token("groot", DocRole::Reader, "read").await;
    let (mut stalled, _) = tokio_tungstenite::connect_async(app.ws_url_with("groot", &reader))
        .await
        .unwrap();
    // 120 requests for the whole state (4 bytes each), and never a read
    let request = Message::Sync(SyncMessage::SyncStep1(StateVector::default())).encode_v1();
    assert_eq!(request.len(), 4);
    for _ in 0..120 {
        stalled
            .send(WsMessage::Binary(request.clone().into()))
            .await
            .unwrap();
    }
    // almost all of them are answered by the reply already waiting (a few may be written into
    // the kernel's socket buffers before the next request arrives)
    eventually(
        "repeated state requests coalesced",
        Duration::from_secs(30),
        || async { app.metric("polder_state_replies_coalesced").await >= 100.0 },
    )
    .await;
    let queued = app.metric("polder_outbound_queued_bytes").await;
    assert!(
        queued <= (16.0 + 7.0) * 1024.0 * 1024.0,
        "at most the budget plus one full state waits: {queued} bytes"
    );
    // everyone else carries on
    writer.append("nog steeds").await.unwrap();
    witness
        .wait_for("the edit after the attack", Duration::from_secs(30), |c| {
            c.text().ends_with("nog steeds")
        })
        .await
        .unwrap();
    app.assert_alive().await;
    drop(stalled);
    app.stop().await;
}

async fn a_connection_over_its_byte_budget_is_closed_as_too_slow(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.limits.sockets.outbound_queue_bytes = 256 * 1024;
    })
    .await;
    let writer = app.client("budget").await;
    let follower = app.client("budget").await;
    let (stalled, _) = tokio_tungstenite::connect_async(app.ws_url("budget"))
        .await
        .unwrap();
    // 400 frames stay below the frame bound (512): only the byte budget can close it
    let chunk = "y".repeat(64 * 1024);
    for _ in 0..400 {
        writer.append(&chunk).await.unwrap();
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
    assert_eq!(app.metric("polder_slow_consumers_closed").await, 1.0);
    assert!(
        follower.close_info().is_none(),
        "the reader that keeps up stays"
    );
    let mut stalled = stalled;
    assert_eq!(
        close_code(&mut stalled, Duration::from_secs(20)).await,
        Some(close::SLOW_CONSUMER)
    );
    app.assert_alive().await;
    app.stop().await;
}

async fn an_oversized_presence_never_reaches_anyone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor_token = app.member_token("aanwezig", DocRole::Writer, "write").await;
    let observer_token = app.member_token("aanwezig", DocRole::Reader, "read").await;
    let editor = YClient::connect(&app.ws_url_with("aanwezig", &editor_token))
        .await
        .unwrap();
    editor.synced().await.unwrap();
    let observer = YClient::connect(&app.ws_url_with("aanwezig", &observer_token))
        .await
        .unwrap();
    observer.synced().await.unwrap();
    let client = observer.doc().client_id().get();
    let huge = json!({ "cursor": "z".repeat(1024 * 1024) }).to_string();
    // the huge state has the higher clock: had it been accepted, the small one after it would
    // be ignored as stale and never arrive
    observer
        .send_raw(awareness(client, 5, &huge))
        .await
        .unwrap();
    observer
        .send_raw(awareness(client, 2, r#"{"cursor":"klein"}"#))
        .await
        .unwrap();
    editor
        .wait_for("the small presence", Duration::from_secs(10), |c| {
            c.presence()
                .get(&client)
                .is_some_and(|json| json.contains("klein"))
        })
        .await
        .unwrap();
    assert!(
        editor
            .presence()
            .values()
            .all(|json| json.len() < 64 * 1024),
        "the 1 MiB presence never arrived"
    );
    assert!(app.metric("polder_presence_dropped").await >= 1.0);
    assert!(observer.close_info().is_none());
    app.assert_alive().await;
    app.stop().await;
}

async fn a_presence_flood_is_throttled_and_the_newest_state_still_arrives(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let flooder = app.client("vloed").await;
    let watcher = app.client("vloed").await;
    let client = flooder.doc().client_id().get();
    for n in 1..=400u32 {
        flooder
            .send_raw(awareness(client, n, &format!(r#"{{"n":{n}}}"#)))
            .await
            .unwrap();
    }
    // the newest state is held back, not lost
    watcher
        .wait_for("the newest presence", Duration::from_secs(10), |c| {
            c.presence()
                .get(&client)
                .is_some_and(|json| json.contains(r#""n":400"#))
        })
        .await
        .unwrap();
    // 400 updates at once against 20 a second with a burst of 40: most were dropped
    let dropped = app.metric("polder_presence_dropped").await;
    assert!(dropped >= 200.0, "presence updates dropped: {dropped}");
    assert!(flooder.close_info().is_none());
    app.assert_alive().await;
    app.stop().await;
}

async fn inbox_sockets_are_limited_per_person_and_in_total(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.scheduler.enabled = false;
        c.limits.sockets.max_inbox_connections = 7;
    })
    .await;
    let anna = app
        .create_user("anna@example.org", "correct horse battery")
        .await;
    let bram = app
        .create_user("bram@example.org", "correct horse battery")
        .await;
    let anna_token = token_for(&app, anna, "read").await;
    let bram_token = token_for(&app, bram, "read").await;
    let mut open = Vec::new();
    for _ in 0..5 {
        let mut socket = raw_socket(&inbox_url(&app, &anna_token), &[])
            .await
            .unwrap();
        assert_eq!(next_json(&mut socket).await["type"], "unread");
        open.push(socket);
    }
    assert_eq!(
        raw_socket(&inbox_url(&app, &anna_token), &[]).await.err(),
        Some(429),
        "the sixth socket of one person"
    );
    // another person is not affected, up to the global limit
    for _ in 0..2 {
        let mut socket = raw_socket(&inbox_url(&app, &bram_token), &[])
            .await
            .unwrap();
        assert_eq!(next_json(&mut socket).await["type"], "unread");
        open.push(socket);
    }
    assert_eq!(
        raw_socket(&inbox_url(&app, &bram_token), &[]).await.err(),
        Some(503),
        "past the server's limit"
    );
    // a closed socket gives its place back
    let mut first = open.remove(0);
    first.close(None).await.unwrap();
    while first.next().await.is_some() {}
    // (the place is given back when the server has seen the close: poll, bounded)
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let again = loop {
        match raw_socket(&inbox_url(&app, &anna_token), &[]).await {
            Ok(socket) => break socket,
            Err(status) => {
                assert_eq!(status, 429);
                assert!(tokio::time::Instant::now() < deadline, "no place freed");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    drop(again);
    app.assert_alive().await;
    drop(open);
    app.stop().await;
}

async fn a_notification_is_pushed_to_an_open_inbox_socket(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    let person = app
        .create_user("iris@example.org", "correct horse battery")
        .await;
    let token = token_for(&app, person, "read").await;
    let mut socket = raw_socket(&inbox_url(&app, &token), &[]).await.unwrap();
    assert_eq!(
        next_json(&mut socket).await,
        json!({ "type": "unread", "count": 0 })
    );
    let event = polder::storage::escalation::notifications::NewEvent {
        key: "test:push:1".into(),
        body_id: None,
        party_id: None,
        person_id: Some(person),
        notification: polder::notify::Notification {
            kind: polder::notify::NotificationKind::DueToday,
            title: "Eindoplevering".into(),
            body: "Vandaag".into(),
            link: None,
            subject_ref: "test:1".into(),
            due: None,
        },
    };
    let now = polder::clock::now_ms();
    app.storage
        .deliver(&event, &[person], false, now)
        .await
        .unwrap();
    // the inserting side wakes the socket; its safety poll is 30 s away
    app.inbox.notify(person);
    let pushed = next_json(&mut socket).await;
    assert_eq!(pushed["type"], "notification", "{pushed}");
    assert_eq!(pushed["item"]["subject_ref"], "test:1");
    app.assert_alive().await;
    app.stop().await;
}

async fn a_wake_up_of_one_server_does_not_reach_the_inbox_sockets_of_another(backend: Backend) {
    let one = TestApp::spawn_with(backend.clone(), |c| c.scheduler.enabled = false).await;
    let other = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    let person = other
        .create_user("iris@example.org", "correct horse battery")
        .await;
    assert_eq!(
        one.create_user("iris@example.org", "correct horse battery")
            .await,
        person,
        "the same person id on both servers"
    );
    let token = token_for(&other, person, "read").await;
    let mut socket = raw_socket(&inbox_url(&other, &token), &[]).await.unwrap();
    assert_eq!(
        next_json(&mut socket).await,
        json!({ "type": "unread", "count": 0 })
    );
    let event = polder::storage::escalation::notifications::NewEvent {
        key: "test:push:2".into(),
        body_id: None,
        party_id: None,
        person_id: Some(person),
        notification: polder::notify::Notification {
            kind: polder::notify::NotificationKind::DueToday,
            title: "Eindoplevering".into(),
            body: "Vandaag".into(),
            link: None,
            subject_ref: "test:2".into(),
            due: None,
        },
    };
    other
        .storage
        .deliver(&event, &[person], false, polder::clock::now_ms())
        .await
        .unwrap();
    // the other server's wake-up: this socket is not woken (its safety poll is 30 s away)
    one.inbox.notify(person);
    assert!(
        tokio::time::timeout(Duration::from_secs(1), socket.next())
            .await
            .is_err(),
        "a socket was woken by another server's signal"
    );
    other.inbox.notify(person);
    let pushed = next_json(&mut socket).await;
    assert_eq!(pushed["type"], "notification", "{pushed}");
    assert_eq!(pushed["item"]["subject_ref"], "test:2");
    drop(socket);
    one.stop().await;
    other.stop().await;
}

async fn removing_a_membership_and_revoking_the_token_close_the_open_sockets(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    let group = WorkingGroup::seed(&app).await;
    let fatima = person_id(&app, "fatima@fms.demo").await;
    let token = token_for(&app, fatima, "write").await;
    let sync = YClient::connect(&app.ws_url_with(DEMO_DOC_ID, &token))
        .await
        .unwrap();
    sync.synced().await.unwrap();
    let mut inbox = raw_socket(&inbox_url(&app, &token), &[]).await.unwrap();
    assert_eq!(next_json(&mut inbox).await["type"], "unread");
    let witness = app.client(DEMO_DOC_ID).await;

    // the membership ends (as the CLI or another server process would do it)
    assert!(app
        .storage
        .remove_membership(group.body_id, fatima)
        .await
        .unwrap());
    let closed = sync.wait_closed(REVOKE_WAIT).await.unwrap();
    assert_eq!(closed.code, close::ACCESS_REVOKED, "{closed:?}");
    assert!(close::is_permanent(closed.code));
    // nothing written after the change reaches the former member
    witness.append("geheim").await.unwrap();
    assert!(!sync.text().contains("geheim"));

    // the inbox is the person's own and stays until the credential itself ends
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2")
        .bind(polder::clock::now_ms())
        .bind(secret::hash(&token))
        .execute(app.storage.pool())
        .await
        .unwrap();
    assert_eq!(
        close_code(&mut inbox, REVOKE_WAIT).await,
        Some(close::CREDENTIAL_REVOKED)
    );
    assert!(witness.close_info().is_none());
    app.assert_alive().await;
    app.stop().await;
}

async fn a_role_change_downgrades_and_upgrades_an_open_connection(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    let group = WorkingGroup::seed(&app).await;
    let fatima = person_id(&app, "fatima@fms.demo").await;
    let token = token_for(&app, fatima, "write").await;
    let member = YClient::connect(&app.ws_url_with(DEMO_DOC_ID, &token))
        .await
        .unwrap();
    member.synced().await.unwrap();
    let witness = app.client(DEMO_DOC_ID).await;
    member.append("eerst").await.unwrap();
    witness
        .wait_for("the member's edit", Duration::from_secs(10), |c| {
            c.text().contains("eerst")
        })
        .await
        .unwrap();

    app.storage
        .put_membership(group.body_id, fatima, BodyRole::Observer, false)
        .await
        .unwrap();
    member
        .wait_for("the downgrade", REVOKE_WAIT, |c| {
            c.denied()
                .iter()
                .any(|reason| reason.starts_with("read-only"))
        })
        .await
        .unwrap();
    let refused = app.metric("polder_updates_refused").await;
    member.append("daarna").await.unwrap();
    eventually("the update refused", Duration::from_secs(10), || async {
        app.metric("polder_updates_refused").await > refused
    })
    .await;
    assert!(member.close_info().is_none(), "downgraded, not closed");

    // a member again: the next update is accepted
    let denied = member.denied().len();
    app.storage
        .put_membership(group.body_id, fatima, BodyRole::Member, false)
        .await
        .unwrap();
    let upgraded = app.metric("polder_sockets_reauthorised").await;
    eventually("the upgrade", REVOKE_WAIT, || async {
        app.metric("polder_sockets_reauthorised").await > upgraded
    })
    .await;
    // resend what was refused together with a new edit
    member.append(" weer").await.unwrap();
    member
        .send_message(Message::Sync(SyncMessage::Update(
            polder_tests::yclient::full_state(member.doc()),
        )))
        .await
        .unwrap();
    witness
        .wait_for(
            "the edits after the upgrade",
            Duration::from_secs(10),
            |c| c.text().contains("daarna weer"),
        )
        .await
        .unwrap();
    assert_eq!(
        member.denied().len(),
        denied,
        "nothing refused after the upgrade"
    );
    app.assert_alive().await;
    app.stop().await;
}

async fn signing_out_and_changing_the_password_close_the_sessions_sockets(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    WorkingGroup::seed(&app).await;
    let origin = format!("http://{}", app.addr);
    let inbox = format!("ws://{}/ws/inbox", app.addr);

    // signing out ends that session's sync and inbox sockets
    let first = WorkingGroup::person(&app, "fatima@fms.demo").await;
    let sync = WorkingGroup::open_draft(&app, &first).await;
    let mut live = raw_socket(
        &inbox,
        &[("cookie", first.cookie().unwrap()), ("origin", &origin)],
    )
    .await
    .unwrap();
    assert_eq!(next_json(&mut live).await["type"], "unread");
    let (status, _) = first.call(Method::DELETE, "/api/session", None).await;
    assert!(status.is_success(), "sign-out: {status}");
    assert_eq!(
        sync.wait_closed(REVOKE_WAIT).await.unwrap().code,
        close::CREDENTIAL_REVOKED
    );
    assert_eq!(
        close_code(&mut live, REVOKE_WAIT).await,
        Some(close::CREDENTIAL_REVOKED)
    );

    // a password change (in another session) ends the other sessions' sockets
    let second = WorkingGroup::person(&app, "fatima@fms.demo").await;
    let third = WorkingGroup::person(&app, "fatima@fms.demo").await;
    let open = WorkingGroup::open_draft(&app, &third).await;
    let (status, body) = second
        .call(
            Method::PUT,
            "/api/me/password",
            Some(json!({
                "current": polder::demo::DEMO_PASSWORD,
                "new": "een heel ander wachtwoord 2026",
            })),
        )
        .await;
    assert!(status.is_success(), "password change: {status} {body}");
    assert_eq!(
        open.wait_closed(REVOKE_WAIT).await.unwrap().code,
        close::CREDENTIAL_REVOKED
    );
    app.assert_alive().await;
    app.stop().await;
}

async fn a_session_that_expires_closes_its_sockets(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    WorkingGroup::seed(&app).await;
    let fatima = person_id(&app, "fatima@fms.demo").await;
    let session = secret::new_session_id();
    app.storage
        .create_session(
            &secret::hash(&session),
            fatima,
            polder::clock::now_ms() + 1500,
        )
        .await
        .unwrap();
    let origin = format!("http://{}", app.addr);
    let cookie = format!("polder_session={session}");
    let sync = YClient::connect_with_headers(
        &app.ws_base(DEMO_DOC_ID),
        &[("cookie", &cookie), ("origin", &origin)],
    )
    .await
    .unwrap();
    sync.synced().await.unwrap();
    assert_eq!(
        sync.wait_closed(REVOKE_WAIT).await.unwrap().code,
        close::CREDENTIAL_REVOKED
    );
    app.assert_alive().await;
    app.stop().await;
}
