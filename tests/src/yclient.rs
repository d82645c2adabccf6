//! [`YClient`]: a y-websocket client built on yrs and tokio-tungstenite.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use yrs::sync::{Awareness, AwarenessUpdate, Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, GetString, ReadTxn, StateVector, Text, Transact, Update};

type Sink = SplitSink<WebSocketStream<MaybeTlsStream<TcpStream>>, WsMessage>;

/// The close frame a connection ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseInfo {
    /// WebSocket close code (1006 when the socket ended without a close frame).
    pub code: u16,
    /// The reason text.
    pub reason: String,
}

#[derive(Default)]
struct Observed {
    close: Option<CloseInfo>,
    denied: Vec<String>,
    presence: HashMap<u64, String>,
    synced: bool,
}

/// A y-websocket client with its own yrs document.
pub struct YClient {
    doc: Doc,
    sink: Arc<tokio::sync::Mutex<Sink>>,
    observed: Arc<Mutex<Observed>>,
    changes: watch::Receiver<u64>,
    reader: tokio::task::JoinHandle<()>,
}

/// Name of the shared text every test edits.
pub const TEXT: &str = "content";

impl YClient {
    /// Connects to `url` (e.g. `ws://127.0.0.1:PORT/ws/doc?token=...`) and starts syncing.
    ///
    /// # Errors
    /// Fails when the handshake fails (the error holds the HTTP status).
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Self::connect_with_headers(url, &[]).await
    }

    /// Connects with extra request headers (a cookie, an `Authorization` header).
    ///
    /// # Errors
    /// Fails when the handshake fails.
    pub async fn connect_with_headers(url: &str, headers: &[(&str, &str)]) -> anyhow::Result<Self> {
        let mut request = url.into_client_request()?;
        for (name, value) in headers {
            request.headers_mut().insert(
                http_name(name)?,
                value.parse().context("invalid header value")?,
            );
        }
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        let (sink, mut stream) = socket.split();
        let doc = Doc::new();
        let sink = Arc::new(tokio::sync::Mutex::new(sink));
        let observed = Arc::new(Mutex::new(Observed::default()));
        let (notify, changes) = watch::channel(0u64);
        let hello =
            Message::Sync(SyncMessage::SyncStep1(doc.transact().state_vector())).encode_v1();
        sink.lock()
            .await
            .send(WsMessage::Binary(hello.into()))
            .await?;

        let reader = {
            let doc = doc.clone();
            let sink = sink.clone();
            let observed = observed.clone();
            tokio::spawn(async move {
                while let Some(frame) = stream.next().await {
                    match frame {
                        Ok(WsMessage::Binary(data)) => {
                            if let Err(error) = handle_frame(&doc, &sink, &observed, &data).await {
                                eprintln!("test client: {error:#}");
                            }
                        }
                        Ok(WsMessage::Close(frame)) => {
                            let info = frame.map_or(
                                CloseInfo {
                                    code: 1005,
                                    reason: String::new(),
                                },
                                |f| CloseInfo {
                                    code: u16::from(f.code),
                                    reason: f.reason.to_string(),
                                },
                            );
                            lock(&observed).close = Some(info);
                            break;
                        }
                        Ok(_) => {}
                        Err(_) => break,
                    }
                    notify.send_modify(|n| *n += 1);
                }
                let mut seen = lock(&observed);
                if seen.close.is_none() {
                    seen.close = Some(CloseInfo {
                        code: 1006,
                        reason: "connection lost".into(),
                    });
                }
                drop(seen);
                notify.send_modify(|n| *n += 1);
            })
        };
        Ok(Self {
            doc,
            sink,
            observed,
            changes,
            reader,
        })
    }

    /// The client's document.
    pub fn doc(&self) -> &Doc {
        &self.doc
    }

    /// The shared text as this client sees it.
    pub fn text(&self) -> String {
        let text = self.doc.get_or_insert_text(TEXT);
        let txn = self.doc.transact();
        text.get_string(&txn)
    }

    /// Appends `s` to the shared text and sends the update.
    ///
    /// # Errors
    /// Fails when the socket is closed.
    pub async fn append(&self, s: &str) -> anyhow::Result<()> {
        let update = {
            let text = self.doc.get_or_insert_text(TEXT);
            let mut txn = self.doc.transact_mut();
            let len = text.len(&txn);
            let before = txn.state_vector();
            text.insert(&mut txn, len, s);
            txn.encode_state_as_update_v1(&before)
        };
        self.send_message(Message::Sync(SyncMessage::Update(update)))
            .await
    }

    /// Applies `change` to the client's document in one transaction and sends the result as an
    /// update.
    ///
    /// # Errors
    /// Fails when the socket is closed.
    pub async fn edit(
        &self,
        change: impl FnOnce(&mut yrs::TransactionMut<'_>),
    ) -> anyhow::Result<()> {
        let update = {
            let mut txn = self.doc.transact_mut();
            let before = txn.state_vector();
            change(&mut txn);
            txn.encode_state_as_update_v1(&before)
        };
        self.send_message(Message::Sync(SyncMessage::Update(update)))
            .await
    }

    /// The plain text of the y-prosemirror document (`prosemirror` fragment), one line per
    /// block.
    pub fn prosemirror_text(&self) -> String {
        use yrs::{XmlFragment, XmlOut};
        fn walk(node: &XmlOut, txn: &yrs::Transaction<'_>, out: &mut String) {
            match node {
                XmlOut::Text(text) => out.push_str(&text.get_string(txn)),
                XmlOut::Element(element) => {
                    for child in element.children(txn) {
                        walk(&child, txn, out);
                    }
                    out.push('\n');
                }
                XmlOut::Fragment(fragment) => {
                    for child in fragment.children(txn) {
                        walk(&child, txn, out);
                    }
                }
            }
        }
        let fragment = self.doc.get_or_insert_xml_fragment("prosemirror");
        let txn = self.doc.transact();
        let mut out = String::new();
        for child in fragment.children(&txn) {
            walk(&child, &txn, &mut out);
        }
        out
    }

    /// Sends a y-sync message.
    ///
    /// # Errors
    /// Fails when the socket is closed.
    pub async fn send_message(&self, message: Message) -> anyhow::Result<()> {
        self.send_raw(message.encode_v1()).await
    }

    /// Sends arbitrary bytes as one binary frame.
    ///
    /// # Errors
    /// Fails when the socket is closed.
    pub async fn send_raw(&self, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.sink
            .lock()
            .await
            .send(WsMessage::Binary(bytes.into()))
            .await?;
        Ok(())
    }

    /// Sends a text frame (not part of the protocol).
    ///
    /// # Errors
    /// Fails when the socket is closed.
    pub async fn send_text(&self, text: &str) -> anyhow::Result<()> {
        self.sink
            .lock()
            .await
            .send(WsMessage::Text(text.into()))
            .await?;
        Ok(())
    }

    /// Announces this client's presence.
    ///
    /// # Errors
    /// Fails when the socket is closed.
    pub async fn set_presence(&self, json: &str) -> anyhow::Result<()> {
        let mut awareness = Awareness::new(self.doc.clone());
        awareness.set_local_state_raw(json);
        let update = awareness.update()?;
        self.send_message(Message::Awareness(update)).await
    }

    /// Presence states seen from other clients, by Yjs client id (`"null"` once removed).
    pub fn presence(&self) -> HashMap<u64, String> {
        lock(&self.observed).presence.clone()
    }

    /// The close frame, once the connection ended.
    pub fn close_info(&self) -> Option<CloseInfo> {
        lock(&self.observed).close.clone()
    }

    /// Reasons of permission-denied messages received.
    pub fn denied(&self) -> Vec<String> {
        lock(&self.observed).denied.clone()
    }

    /// Waits until `check` holds, re-checking after every frame; fails after `timeout`.
    ///
    /// # Errors
    /// On timeout, with `what` in the message.
    pub async fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut(&Self) -> bool,
    ) -> anyhow::Result<()> {
        let mut changes = self.changes.clone();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if check(self) {
                return Ok(());
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => {
                    if check(self) {
                        return Ok(());
                    }
                    bail!("connection ended before: {what}");
                }
                Err(_) => bail!("timed out waiting for: {what}"),
            }
        }
    }

    /// Waits until the server's sync step 2 has been applied.
    ///
    /// # Errors
    /// On timeout.
    pub async fn synced(&self) -> anyhow::Result<()> {
        self.wait_for("initial sync", Duration::from_secs(10), |c| {
            lock(&c.observed).synced
        })
        .await
    }

    /// Waits until the shared text equals `expected`.
    ///
    /// # Errors
    /// On timeout, showing what the text was.
    pub async fn wait_for_text(&self, expected: &str) -> anyhow::Result<()> {
        self.wait_for("text", Duration::from_secs(10), |c| c.text() == expected)
            .await
            .map_err(|e| anyhow!("{e}; expected {expected:?}, have {:?}", self.text()))
    }

    /// Waits until the connection is closed and returns its close frame.
    ///
    /// # Errors
    /// On timeout.
    pub async fn wait_closed(&self, timeout: Duration) -> anyhow::Result<CloseInfo> {
        self.wait_for("close", timeout, |c| c.close_info().is_some())
            .await?;
        self.close_info().context("no close info")
    }

    /// Closes the connection politely.
    pub async fn close(self) {
        let _ = self
            .sink
            .lock()
            .await
            .send(WsMessage::Close(Some(
                tokio_tungstenite::tungstenite::protocol::CloseFrame {
                    code: CloseCode::Normal,
                    reason: "bye".into(),
                },
            )))
            .await;
        let _ = tokio::time::timeout(Duration::from_secs(5), self.reader).await;
    }
}

async fn handle_frame(
    doc: &Doc,
    sink: &tokio::sync::Mutex<Sink>,
    observed: &Mutex<Observed>,
    data: &[u8],
) -> anyhow::Result<()> {
    match Message::decode_v1(data)? {
        Message::Sync(SyncMessage::SyncStep1(sv)) => {
            let reply = doc.transact().encode_state_as_update_v1(&sv);
            let frame = Message::Sync(SyncMessage::SyncStep2(reply)).encode_v1();
            sink.lock()
                .await
                .send(WsMessage::Binary(frame.into()))
                .await?;
        }
        Message::Sync(SyncMessage::SyncStep2(update)) => {
            doc.transact_mut()
                .apply_update(Update::decode_v1(&update)?)?;
            lock(observed).synced = true;
        }
        Message::Sync(SyncMessage::Update(update)) => {
            doc.transact_mut()
                .apply_update(Update::decode_v1(&update)?)?;
        }
        Message::Awareness(update) => record_presence(observed, update),
        Message::Auth(Some(reason)) => lock(observed).denied.push(reason),
        Message::Auth(None) | Message::AwarenessQuery | Message::Custom(..) => {}
    }
    Ok(())
}

fn record_presence(observed: &Mutex<Observed>, update: AwarenessUpdate) {
    let mut seen = lock(observed);
    for (client, entry) in update.clients {
        seen.presence.insert(client.get(), entry.json.to_string());
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn http_name(name: &str) -> anyhow::Result<tokio_tungstenite::tungstenite::http::HeaderName> {
    name.parse().context("invalid header name")
}

/// The full state of a document as one update, for comparisons.
pub fn full_state(doc: &Doc) -> Vec<u8> {
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
}
