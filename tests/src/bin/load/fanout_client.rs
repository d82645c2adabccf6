//! Client side of the `fanout` scenario: the state shared with the
//! coordinator, and one client task (connect, sync, write at a fixed rate if it
//! is a writer, record per-delivery latency, then check convergence).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::StreamExt;
use tokio::sync::{watch, Notify, Semaphore};
use tokio::time::{Interval, MissedTickBehavior};
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::{ClientID, Doc, ReadTxn, Text, TextRef, Transact, Update};

use crate::fanout::Args;
use crate::ysync::{self, Event, Ws};

/// First yrs client id used by writers; writer `w` of doc `d` is `BASE + d*W + w`.
const WRITER_ID_BASE: u64 = 1_000_000;
/// First yrs client id for non-writers (they never write, ids just stay distinct).
const READER_ID_BASE: u64 = 100_000_000;

/// Expected writer clocks (yrs client id -> clock) for each doc.
pub(crate) type Expected = Arc<Vec<HashMap<u64, u32>>>;

/// What the coordinator tells all clients.
#[derive(Clone, Debug)]
pub(crate) enum Phase {
    /// Connecting and syncing.
    Connect,
    /// Writers start writing at `start`.
    Run { start: Instant },
    /// Apply everything and compare with the expected state, until `deadline`.
    Converge {
        /// Expected writer clocks per doc.
        expected: Expected,
        /// When to give up.
        deadline: Instant,
    },
}

/// State shared between the coordinator and all client tasks.
pub(crate) struct Shared {
    /// Scenario options.
    pub(crate) args: Args,
    /// Server address.
    pub(crate) addr: std::net::SocketAddr,
    /// Admin token.
    pub(crate) token: String,
    /// Origin for all µs timestamps.
    pub(crate) origin: Instant,
    /// Updates each writer sends at most.
    pub(crate) per_writer: u32,
    /// Send time (µs since origin, +1; 0 = not sent) per global writer and seq.
    pub(crate) send_us: Vec<Vec<AtomicU64>>,
    /// Updates sent so far per global writer.
    pub(crate) sent: Vec<AtomicU32>,
    /// Writers that finished (or gave up) writing.
    pub(crate) writers_done: AtomicUsize,
    /// Distinct (receiver, update) deliveries.
    pub(crate) delivered: AtomicU64,
    /// Clients that completed the handshake, per doc.
    pub(crate) ready: Vec<AtomicUsize>,
    /// Clients that failed before becoming ready.
    pub(crate) failed: AtomicUsize,
    /// Woken whenever `ready` or `failed` changes.
    pub(crate) notify: Notify,
    /// Limits concurrent connects.
    pub(crate) connect_sem: Semaphore,
    /// Names this run's documents, so a run against a database that an earlier run used
    /// (PostgreSQL) gets documents of its own: the writers' fixed Yjs client ids would
    /// otherwise send clocks the document already holds, and nothing new would be relayed.
    pub(crate) run_id: u128,
}

impl Shared {
    /// Global writer index for writer `w` of doc `d`.
    pub(crate) fn writer_index(&self, d: usize, w: usize) -> usize {
        d * self.args.writers + w
    }

    /// yrs client id of writer `w` of doc `d`.
    pub(crate) fn writer_client_id(&self, d: usize, w: usize) -> u64 {
        WRITER_ID_BASE + self.writer_index(d, w) as u64
    }

    /// Microseconds since the origin.
    fn now_us(&self) -> u64 {
        self.origin.elapsed().as_micros() as u64
    }
}

/// What one client reports when it ends.
#[derive(Default)]
pub(crate) struct Outcome {
    /// Per-delivery latencies in µs.
    pub(crate) latencies_us: Vec<u32>,
    /// Time to connect and sync, ms.
    pub(crate) connect_ms: Option<f64>,
    /// Whether the doc converged (None if the check never started).
    pub(crate) converged: Option<bool>,
    /// The client's own updates relayed back to it.
    pub(crate) echoes: u64,
    /// Updates already seen that arrived again.
    pub(crate) duplicates: u64,
    /// Why the client stopped early.
    pub(crate) error: Option<String>,
}

/// One client task: never fails, reports what happened in its [`Outcome`].
pub(crate) async fn client(
    sh: Arc<Shared>,
    d: usize,
    i: usize,
    phase: watch::Receiver<Phase>,
) -> Outcome {
    let mut out = Outcome::default();
    let mut state = ClientState::default();
    if let Err(e) = client_inner(&sh, d, i, phase, &mut out, &mut state).await {
        out.error = Some(format!("{e:#}"));
        if !state.ready {
            sh.failed.fetch_add(1, Ordering::Relaxed);
            sh.notify.notify_one();
        }
    }
    if i < sh.args.writers && !state.writer_done {
        sh.writers_done.fetch_add(1, Ordering::Relaxed);
    }
    out
}

/// Progress flags the wrapper needs even when the client errors out.
#[derive(Default)]
struct ClientState {
    /// Completed the handshake.
    ready: bool,
    /// Writer finished writing (counted in `writers_done`).
    writer_done: bool,
}

/// Ticks `interval` if there is one, otherwise never completes.
async fn tick(interval: &mut Option<Interval>) {
    match interval {
        Some(i) => {
            i.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// Sleeps until `deadline` if there is one, otherwise never completes.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d.into()).await,
        None => std::future::pending().await,
    }
}

/// Connects with a few retries (the listen backlog may overflow under load).
async fn connect_retry(sh: &Shared, d: usize) -> Result<Ws> {
    let doc_id = format!("fanout-{:x}-{d}", sh.run_id);
    let mut attempt = 0;
    loop {
        match ysync::connect(sh.addr, &doc_id, &sh.token).await {
            Ok(ws) => return Ok(ws),
            Err(e) if attempt >= 3 => return Err(e),
            Err(_) => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
            }
        }
    }
}

/// The client's life: connect, sync, (write,) receive, converge.
async fn client_inner(
    sh: &Shared,
    d: usize,
    i: usize,
    mut phase: watch::Receiver<Phase>,
    out: &mut Outcome,
    state: &mut ClientState,
) -> Result<()> {
    let w = sh.args.writers;
    let is_writer = i < w;
    let cid = if is_writer {
        sh.writer_client_id(d, i)
    } else {
        READER_ID_BASE + (d * sh.args.clients + i) as u64
    };
    let doc = Doc::with_client_id(cid);
    let text = doc.get_or_insert_text("content");

    let t0 = Instant::now();
    let mut ws = {
        let _permit = sh.connect_sem.acquire().await.context("semaphore closed")?;
        let mut ws = connect_retry(sh, d).await?;
        ysync::handshake(&mut ws, &doc, Duration::from_secs(30)).await?;
        ws
    };
    out.connect_ms = Some(t0.elapsed().as_secs_f64() * 1e3);
    state.ready = true;
    sh.ready[d].fetch_add(1, Ordering::Relaxed);
    sh.notify.notify_one();

    let gw = sh.writer_index(d, i.min(w.saturating_sub(1)));
    let chunk: String =
        std::iter::repeat_n(char::from(b'a' + (i % 26) as u8), sh.args.chunk as usize).collect();
    let period = Duration::from_secs_f64(1.0 / sh.args.rate);
    let mut seen: Vec<Vec<bool>> = vec![vec![false; sh.per_writer as usize]; w];
    let mut buffered: Vec<Vec<u8>> = Vec::new();
    let mut ticker: Option<Interval> = None;
    let mut write_end = Instant::now();
    let mut seq: u32 = 0;
    let mut converge: Option<(Expected, Instant)> = None;
    let mut phase_open = true;

    loop {
        if let Some((expected, _)) = &converge {
            if matches_expected(&doc, &text, &expected[d]) {
                out.converged = Some(true);
                break;
            }
        }
        let deadline = converge.as_ref().map(|(_, dl)| *dl);
        tokio::select! {
            changed = phase.changed(), if phase_open => {
                if changed.is_err() {
                    phase_open = false;
                    continue;
                }
                let current = phase.borrow_and_update().clone();
                match current {
                    Phase::Connect => {}
                    Phase::Run { start } => {
                        if is_writer {
                            // Spread writers evenly over one period.
                            let offset = period.mul_f64(i as f64 / w as f64);
                            let mut iv = tokio::time::interval_at((start + offset).into(), period);
                            iv.set_missed_tick_behavior(MissedTickBehavior::Burst);
                            ticker = Some(iv);
                            write_end = start + Duration::from_secs_f64(sh.args.duration + 2.0);
                        }
                    }
                    Phase::Converge { expected, deadline } => {
                        apply_all(&doc, &mut buffered)?;
                        converge = Some((expected, deadline));
                    }
                }
            }
            _ = tick(&mut ticker) => {
                if seq >= sh.per_writer || Instant::now() > write_end {
                    ticker = None;
                    state.writer_done = true;
                    sh.writers_done.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                let update = {
                    let mut txn = doc.transact_mut();
                    let len = text.len(&txn);
                    text.insert(&mut txn, len, &chunk);
                    txn.encode_update_v1()
                };
                sh.send_us[gw][seq as usize].store(sh.now_us() + 1, Ordering::Release);
                ysync::send(&mut ws, &Message::Sync(SyncMessage::Update(update))).await?;
                seq += 1;
                sh.sent[gw].store(seq, Ordering::Relaxed);
                if seq >= sh.per_writer {
                    ticker = None;
                    state.writer_done = true;
                    sh.writers_done.fetch_add(1, Ordering::Relaxed);
                }
            }
            item = ws.next() => {
                let now = sh.now_us();
                match ysync::classify(item)? {
                    Event::Y(Message::Sync(SyncMessage::Update(u))) => {
                        account(sh, d, is_writer.then_some(i), &u, now, &mut seen, out)?;
                        if is_writer || converge.is_some() {
                            ysync::apply(&doc, &u)?;
                        } else {
                            buffered.push(u);
                        }
                    }
                    Event::Y(Message::Sync(SyncMessage::SyncStep2(u))) => {
                        if is_writer || converge.is_some() {
                            ysync::apply(&doc, &u)?;
                        } else {
                            buffered.push(u);
                        }
                    }
                    Event::Y(Message::Sync(SyncMessage::SyncStep1(sv))) => {
                        ysync::send(&mut ws, &ysync::step2_for(&doc, &sv)).await?;
                    }
                    Event::Y(_) | Event::Ignore => {}
                    Event::Closed(how) => bail!("disconnected by server: {how}"),
                }
            }
            _ = sleep_until(deadline) => {
                out.converged = Some(false);
                break;
            }
        }
    }
    ysync::close(&mut ws).await;
    Ok(())
}

/// Records latency for every not-yet-seen writer update contained in `update`.
fn account(
    sh: &Shared,
    d: usize,
    own: Option<usize>,
    update: &[u8],
    now_us: u64,
    seen: &mut [Vec<bool>],
    out: &mut Outcome,
) -> Result<()> {
    let k = sh.args.chunk;
    let first_id = sh.writer_client_id(d, 0);
    let mut fresh = 0u64;
    ysync::for_each_insertion(update, |client, range| {
        let Some(w) = client
            .checked_sub(first_id)
            .map(|x| x as usize)
            .filter(|&x| x < sh.args.writers)
        else {
            return;
        };
        if own == Some(w) {
            out.echoes += 1;
            return;
        }
        let gw = sh.writer_index(d, w);
        for s in (range.start / k)..range.end.div_ceil(k) {
            let s = s as usize;
            let Some(flag) = seen[w].get_mut(s) else {
                continue;
            };
            if *flag {
                out.duplicates += 1;
                continue;
            }
            *flag = true;
            fresh += 1;
            let sent = sh.send_us[gw][s].load(Ordering::Acquire);
            if sent > 0 {
                let lat = now_us.saturating_sub(sent - 1);
                out.latencies_us
                    .push(u32::try_from(lat).unwrap_or(u32::MAX));
            }
        }
    })?;
    if fresh > 0 {
        sh.delivered.fetch_add(fresh, Ordering::Relaxed);
    }
    Ok(())
}

/// Applies all buffered updates to `doc` in one transaction.
fn apply_all(doc: &Doc, buffered: &mut Vec<Vec<u8>>) -> Result<()> {
    if buffered.is_empty() {
        return Ok(());
    }
    let mut txn = doc.transact_mut();
    for u in buffered.drain(..) {
        let update = Update::decode_v1(&u).context("decoding a buffered update")?;
        txn.apply_update(update)
            .context("applying a buffered update")?;
    }
    Ok(())
}

/// Whether `doc` holds exactly the writers' union: same clocks, same text length.
fn matches_expected(doc: &Doc, text: &TextRef, expected: &HashMap<u64, u32>) -> bool {
    let txn = doc.transact();
    let sv = txn.state_vector();
    let want_len: u32 = expected.values().sum();
    sv.len() == expected.len()
        && expected
            .iter()
            .all(|(c, clock)| sv.get(&ClientID::new(*c)) == *clock)
        && text.len(&txn) == want_len
}
