//! y-websocket client plumbing shared by the scenarios: connecting to
//! `/ws/{doc}`, framing y-sync messages (encoded and decoded by yrs, never by
//! hand), the initial SyncStep1/SyncStep2 handshake, and mapping received
//! updates back to the writer sequence numbers they carry.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, ReadTxn, StateVector, Transact, Update};

/// A client WebSocket connection to the server.
pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Bytes a client reads from its socket at a time. tungstenite zeroes this much of its read
/// buffer before every read; at its default of 128 KiB that memset was 30 % of the load
/// generator's CPU in fan-out (a), and a load generator short of CPU inflates the latency it
/// measures. Frames larger than this are still read whole, in several reads.
const READ_BUFFER_BYTES: usize = 16 * 1024;

/// Opens `ws://addr/ws/{doc}?token=…` with Nagle disabled.
pub async fn connect(addr: SocketAddr, doc: &str, token: &str) -> Result<Ws> {
    let url = format!("ws://{addr}/ws/{doc}?token={token}");
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER_BYTES);
    let (ws, _resp) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
        .await
        .with_context(|| format!("connecting to ws://{addr}/ws/{doc}"))?;
    Ok(ws)
}

/// Encodes one y-sync message into one binary frame and sends it.
pub async fn send(ws: &mut Ws, msg: &Message) -> Result<()> {
    ws.send(WsMessage::Binary(msg.encode_v1().into()))
        .await
        .context("sending a frame")
}

/// Queues a y-sync message without flushing (pair with [`flush`]).
pub async fn feed(ws: &mut Ws, msg: &Message) -> Result<()> {
    ws.feed(WsMessage::Binary(msg.encode_v1().into()))
        .await
        .context("queueing a frame")
}

/// Flushes frames queued with [`feed`].
pub async fn flush(ws: &mut Ws) -> Result<()> {
    ws.flush().await.context("flushing frames")
}

/// What one item read from the socket means to a y-sync client.
pub enum Event {
    /// A decoded y-sync message.
    Y(Message),
    /// The connection ended; the text says how (close code and reason).
    Closed(String),
    /// Control frames and the like: nothing to do.
    Ignore,
}

/// Classifies the result of `ws.next()`.
pub fn classify(item: Option<Result<WsMessage, tungstenite::Error>>) -> Result<Event> {
    match item {
        None => Ok(Event::Closed("stream ended without a close frame".into())),
        Some(Err(e)) => Ok(Event::Closed(format!("socket error: {e}"))),
        Some(Ok(WsMessage::Binary(b))) => Message::decode_v1(&b)
            .map(Event::Y)
            .context("decoding a y-sync message from the server"),
        Some(Ok(WsMessage::Close(frame))) => Ok(Event::Closed(describe_close(frame.as_ref()))),
        Some(Ok(WsMessage::Text(t))) => bail!("unexpected text frame from the server: {t}"),
        Some(Ok(_)) => Ok(Event::Ignore),
    }
}

/// Formats a close frame as `close 1013 (reason)`.
fn describe_close(frame: Option<&CloseFrame>) -> String {
    match frame {
        Some(f) => format!("close {} ({})", u16::from(f.code), f.reason),
        None => "close without code".into(),
    }
}

/// Reads the next meaningful event, failing after `timeout`.
pub async fn next_event(ws: &mut Ws, timeout: Duration) -> Result<Event> {
    loop {
        let item = tokio::time::timeout(timeout, ws.next())
            .await
            .context("timed out waiting for the server")?;
        match classify(item)? {
            Event::Ignore => continue,
            ev => return Ok(ev),
        }
    }
}

/// The SyncStep2 answering a peer's SyncStep1: everything `doc` has that `sv` lacks.
pub fn step2_for(doc: &Doc, sv: &StateVector) -> Message {
    let update = doc.transact().encode_state_as_update_v1(sv);
    Message::Sync(SyncMessage::SyncStep2(update))
}

/// Applies a v1 update to `doc`.
pub fn apply(doc: &Doc, update: &[u8]) -> Result<()> {
    let update = Update::decode_v1(update).context("decoding a Yjs update")?;
    doc.transact_mut()
        .apply_update(update)
        .context("applying a Yjs update")
}

/// Runs the y-websocket handshake and applies the server's SyncStep2 to `doc`;
/// returns the SyncStep2 size in bytes.
pub async fn handshake(ws: &mut Ws, doc: &Doc, timeout: Duration) -> Result<usize> {
    let (update, _at) = handshake_raw(ws, doc, timeout).await?;
    apply(doc, &update)?;
    Ok(update.len())
}

/// Runs the y-websocket handshake: sends our SyncStep1, answers the server's
/// SyncStep1 with a SyncStep2, and returns the server's SyncStep2 payload
/// (not applied) with the instant it was read off the socket.
pub async fn handshake_raw(
    ws: &mut Ws,
    doc: &Doc,
    timeout: Duration,
) -> Result<(Vec<u8>, Instant)> {
    let sv = doc.transact().state_vector();
    send(ws, &Message::Sync(SyncMessage::SyncStep1(sv))).await?;
    loop {
        let event = next_event(ws, timeout).await?;
        let at = Instant::now();
        match event {
            Event::Y(Message::Sync(SyncMessage::SyncStep1(sv))) => {
                send(ws, &step2_for(doc, &sv)).await?;
            }
            Event::Y(Message::Sync(SyncMessage::SyncStep2(update))) => return Ok((update, at)),
            Event::Y(Message::Sync(SyncMessage::Update(update))) => apply(doc, &update)?,
            Event::Y(Message::Auth(Some(reason))) => bail!("permission denied: {reason}"),
            Event::Y(_) | Event::Ignore => {}
            Event::Closed(how) => bail!("server closed the connection during sync: {how}"),
        }
    }
}

/// Calls `f(client, clock_range)` for every inserted clock range in a v1 update.
pub fn for_each_insertion(
    update: &[u8],
    mut f: impl FnMut(u64, std::ops::Range<u32>),
) -> Result<()> {
    let update = Update::decode_v1(update).context("decoding a Yjs update")?;
    for (client, ranges) in update.insertions(true).iter() {
        for range in ranges.iter() {
            f(client.get(), range.clone());
        }
    }
    Ok(())
}

/// Sends a WebSocket close frame, ignoring errors (used at teardown).
pub async fn close(ws: &mut Ws) {
    let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
}
