//! The `cluster` scenario: `nodes` server processes on one PostgreSQL database (a fresh
//! schema, dropped afterwards) fanning out through a private Redis; `writers` writers spread
//! round-robin over the nodes send `rate` updates/s each to ONE hot document for `duration`
//! seconds while `readers` readers on every node receive them.
//!
//! As in `fanout`, writer `w` has yrs client id `BASE + w` and update `s` inserts the clocks
//! `[s*chunk, (s+1)*chunk)`, so a reader maps every received insertion back to `(w, s)` and
//! its send instant. Reported: delivery latency p50/p95/p99 for readers on another node than
//! the writer (cross-process) and on the same node, the stored throughput (updates every node
//! delivered to a reader within the writing window, per second), and whether a fresh client
//! on each node loads every update afterwards.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::StreamExt;
use polder_tests::process::metric_lines;
use polder_tests::{Node, PrivateRedis, ServerSpec};
use serde_json::json;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;
use yrs::sync::{Message, SyncMessage};
use yrs::{ClientID, Doc, ReadTxn, Text, Transact};

use crate::stats::{ErrorTally, Summary};
use crate::ysync::{self, Event, Ws};
use crate::Ctx;

/// Options of `polder-load cluster`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// PostgreSQL database the nodes share (a fresh schema is created in it).
    #[arg(long, env = "TEST_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Server processes.
    #[arg(long, default_value_t = 3)]
    nodes: usize,
    /// Writers, spread round-robin over the nodes.
    #[arg(long, default_value_t = 6)]
    writers: usize,
    /// Readers on every node.
    #[arg(long, default_value_t = 4)]
    readers: usize,
    /// Updates per second per writer.
    #[arg(long, default_value_t = 10.0)]
    rate: f64,
    /// Seconds of writing.
    #[arg(long, default_value_t = 15.0)]
    duration: f64,
    /// Characters inserted per update.
    #[arg(long, default_value_t = 8)]
    chunk: u32,
    /// Seconds to wait, after writing, for every node to deliver every update.
    #[arg(long, default_value_t = 15.0)]
    drain_timeout: f64,
}

/// The hot document.
const DOC: &str = "cluster-hot";
/// yrs client id of writer 0.
const WRITER_ID_BASE: u64 = 2_000_000;
/// Most nodes (deliveries are tracked as a bit per node).
const MAX_NODES: usize = 32;
/// Most clients of either kind, and most updates per writer.
const MAX_CLIENTS: usize = 2_000;
const MAX_PER_WRITER: u32 = 1_000_000;

/// State the clients share with the coordinator.
struct Shared {
    args: Args,
    origin: Instant,
    per_writer: u32,
    /// Send time per writer and seq (µs since `origin`, +1; 0 = not sent).
    send_us: Vec<Vec<AtomicU64>>,
    /// Updates sent per writer.
    sent: Vec<AtomicU32>,
    /// Bit per node that delivered the update to one of its readers.
    node_mask: Vec<Vec<AtomicU32>>,
    /// When the last node delivered it (µs since `origin`, +1; 0 = not yet).
    complete_us: Vec<Vec<AtomicU64>>,
    /// Updates every node delivered.
    complete: AtomicU64,
}

impl Shared {
    fn now_us(&self) -> u64 {
        self.origin.elapsed().as_micros() as u64
    }

    fn node_of_writer(&self, w: usize) -> usize {
        w % self.args.nodes
    }

    fn grid<T>(&self, make: impl Fn() -> T) -> Vec<Vec<T>> {
        (0..self.args.writers)
            .map(|_| (0..self.per_writer).map(|_| make()).collect())
            .collect()
    }
}

/// What one reader measured.
#[derive(Default)]
struct ReaderOutcome {
    cross_us: Vec<u32>,
    same_us: Vec<u32>,
    duplicates: u64,
    error: Option<String>,
}

/// Runs the scenario and returns its JSON report.
pub async fn run(ctx: &Ctx, args: &Args) -> Result<serde_json::Value> {
    let per_writer = check(args)?;
    let base = args.database_url.clone().context(
        "the cluster scenario needs PostgreSQL: pass --database-url or set TEST_DATABASE_URL",
    )?;
    let schema = Schema::create(&base).await?;
    let result = with_cluster(ctx, args, per_writer, &schema.url).await;
    schema.drop_now().await;
    result
}

fn check(args: &Args) -> Result<u32> {
    if !(1..=MAX_NODES).contains(&args.nodes) {
        bail!("--nodes must be 1..={MAX_NODES}");
    }
    if !(1..=MAX_CLIENTS).contains(&args.writers) || !(1..=MAX_CLIENTS).contains(&args.readers) {
        bail!("--writers and --readers must be 1..={MAX_CLIENTS}");
    }
    if args.chunk == 0 || args.rate <= 0.0 || args.duration <= 0.0 {
        bail!("chunk, rate and duration must be positive");
    }
    let per_writer = (args.rate * args.duration).round().max(1.0);
    if per_writer > f64::from(MAX_PER_WRITER) {
        bail!("rate x duration must stay under {MAX_PER_WRITER} updates per writer");
    }
    Ok(per_writer as u32)
}

/// Starts Redis and the nodes, drives the clients, stops everything.
async fn with_cluster(
    ctx: &Ctx,
    args: &Args,
    per_writer: u32,
    database_url: &str,
) -> Result<serde_json::Value> {
    let mut redis = PrivateRedis::start().await?;
    let log_dir = ctx.work.log_path(0).parent().map(PathBuf::from);
    let mut spec = ServerSpec::new(&ctx.server.bin, database_url, ctx.work.data_dir());
    spec.redis_url = Some(redis.url());
    spec.args = ctx.server.extra_args.clone();
    spec.log_dir = log_dir.clone();
    let token = spec.create_admin_token("polder-load")?;
    let mut nodes = Vec::with_capacity(args.nodes);
    for i in 0..args.nodes {
        let node = Node::start(&format!("node{}", i + 1), &spec).await?;
        eprintln!("{} on port {}", node.name, node.port);
        nodes.push(node);
    }
    if let Some(dir) = &log_dir {
        eprintln!("server logs in {}", dir.display());
    }
    let result = drive(args, per_writer, &nodes, &token).await;
    if ctx.dump_metrics {
        for node in &nodes {
            match node.metrics().await {
                Ok(text) => {
                    for line in metric_lines(&text, "polder_") {
                        println!("  {}: {line}", node.name);
                    }
                }
                Err(e) => println!("{} /metrics unavailable: {e:#}", node.name),
            }
        }
    }
    for node in &mut nodes {
        let status = node.terminate(Duration::from_secs(10)).await?;
        println!("{} stop: {status}", node.name);
    }
    redis.stop().await?;
    result
}

/// Connects readers, then writers; writes; drains; checks what is stored; reports.
async fn drive(
    args: &Args,
    per_writer: u32,
    nodes: &[Node],
    token: &str,
) -> Result<serde_json::Value> {
    let mut shared = Shared {
        args: args.clone(),
        origin: Instant::now(),
        per_writer,
        send_us: Vec::new(),
        sent: (0..args.writers).map(|_| AtomicU32::new(0)).collect(),
        node_mask: Vec::new(),
        complete_us: Vec::new(),
        complete: AtomicU64::new(0),
    };
    shared.send_us = shared.grid(|| AtomicU64::new(0));
    shared.node_mask = shared.grid(|| AtomicU32::new(0));
    shared.complete_us = shared.grid(|| AtomicU64::new(0));
    let shared = Arc::new(shared);
    let addr = |node: usize| std::net::SocketAddr::from(([127, 0, 0, 1], nodes[node].port));

    let (stop_tx, stop_rx) = watch::channel(false);
    let mut readers = Vec::new();
    for node in 0..args.nodes {
        for _ in 0..args.readers {
            let mut ws = ysync::connect(addr(node), DOC, token).await?;
            ysync::handshake(&mut ws, &Doc::new(), Duration::from_secs(30)).await?;
            readers.push(tokio::spawn(reader(
                shared.clone(),
                node,
                ws,
                stop_rx.clone(),
            )));
        }
    }
    let start = Instant::now() + Duration::from_millis(200);
    let mut writers = Vec::new();
    for w in 0..args.writers {
        let doc = Doc::with_client_id(WRITER_ID_BASE + w as u64);
        let mut ws = ysync::connect(addr(shared.node_of_writer(w)), DOC, token).await?;
        ysync::handshake(&mut ws, &doc, Duration::from_secs(30)).await?;
        writers.push(tokio::spawn(writer(shared.clone(), w, doc, ws, start)));
    }
    eprintln!(
        "writing: {} writers x {per_writer} updates at {}/s; {} readers on each of {} nodes",
        args.writers, args.rate, args.readers, args.nodes
    );
    let mut errors = ErrorTally::default();
    for handle in writers {
        match handle.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => errors.add(format!("writer: {e:#}")),
            Err(e) => errors.add(format!("writer task: {e}")),
        }
    }
    let window_end_us = shared.now_us();
    let sent_total: u64 = shared
        .sent
        .iter()
        .map(|s| u64::from(s.load(Ordering::Relaxed)))
        .sum();
    let drain_deadline = Instant::now() + Duration::from_secs_f64(args.drain_timeout);
    while shared.complete.load(Ordering::Relaxed) < sent_total && Instant::now() < drain_deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let drained = shared.complete.load(Ordering::Relaxed) >= sent_total;
    let _ = stop_tx.send(true);
    let (mut cross, mut same, mut duplicates) = (Vec::new(), Vec::new(), 0);
    for handle in readers {
        match handle.await {
            Ok(mut outcome) => {
                cross.append(&mut outcome.cross_us);
                same.append(&mut outcome.same_us);
                duplicates += outcome.duplicates;
                if let Some(e) = outcome.error {
                    errors.add(format!("reader: {e}"));
                }
            }
            Err(e) => errors.add(format!("reader task: {e}")),
        }
    }
    let stored = stored_everywhere(&shared, nodes, token).await;
    report(
        &shared,
        start,
        window_end_us,
        sent_total,
        drained,
        &cross,
        &same,
        duplicates,
        &stored,
        &errors,
    )
}

/// Writes `per_writer` updates at `rate`, starting at `start`; answers the server meanwhile.
async fn writer(sh: Arc<Shared>, w: usize, doc: Doc, mut ws: Ws, start: Instant) -> Result<()> {
    let text = doc.get_or_insert_text("content");
    let chunk: String = std::iter::repeat_n('x', sh.args.chunk as usize).collect();
    let period = Duration::from_secs_f64(1.0 / sh.args.rate);
    let offset = period.mul_f64(w as f64 / sh.args.writers as f64);
    let mut tick = tokio::time::interval_at((start + offset).into(), period);
    tick.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut seq = 0u32;
    while seq < sh.per_writer {
        tokio::select! {
            _ = tick.tick() => {
                let update = {
                    let mut txn = doc.transact_mut();
                    let len = text.len(&txn);
                    text.insert(&mut txn, len, &chunk);
                    txn.encode_update_v1()
                };
                sh.send_us[w][seq as usize].store(sh.now_us() + 1, Ordering::Release);
                ysync::send(&mut ws, &Message::Sync(SyncMessage::Update(update))).await?;
                seq += 1;
                sh.sent[w].store(seq, Ordering::Relaxed);
            }
            item = ws.next() => match ysync::classify(item)? {
                Event::Y(Message::Sync(SyncMessage::SyncStep1(sv))) => {
                    ysync::send(&mut ws, &ysync::step2_for(&doc, &sv)).await?;
                }
                Event::Closed(how) => bail!("writer {w} disconnected: {how}"),
                Event::Y(_) | Event::Ignore => {}
            },
        }
    }
    ysync::close(&mut ws).await;
    Ok(())
}

/// Receives until told to stop, recording one latency per first delivery of each update.
async fn reader(
    sh: Arc<Shared>,
    node: usize,
    mut ws: Ws,
    mut stop: watch::Receiver<bool>,
) -> ReaderOutcome {
    let mut out = ReaderOutcome::default();
    let mut seen = vec![vec![false; sh.per_writer as usize]; sh.args.writers];
    let empty = Doc::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            item = ws.next() => {
                let now = sh.now_us();
                let event = match ysync::classify(item) {
                    Ok(event) => event,
                    Err(e) => { out.error = Some(format!("{e:#}")); break; }
                };
                match event {
                    Event::Y(Message::Sync(SyncMessage::Update(u) | SyncMessage::SyncStep2(u))) => {
                        if let Err(e) = account(&sh, node, &u, now, &mut seen, &mut out) {
                            out.error = Some(format!("{e:#}"));
                            break;
                        }
                    }
                    Event::Y(Message::Sync(SyncMessage::SyncStep1(sv))) => {
                        if ysync::send(&mut ws, &ysync::step2_for(&empty, &sv)).await.is_err() {
                            out.error = Some("sending a sync step 2 failed".into());
                            break;
                        }
                    }
                    Event::Closed(how) => { out.error = Some(format!("disconnected: {how}")); break; }
                    Event::Y(_) | Event::Ignore => {}
                }
            }
        }
    }
    ysync::close(&mut ws).await;
    out
}

/// Records every not-yet-seen writer update in `update` as delivered by `node`.
fn account(
    sh: &Shared,
    node: usize,
    update: &[u8],
    now_us: u64,
    seen: &mut [Vec<bool>],
    out: &mut ReaderOutcome,
) -> Result<()> {
    let k = sh.args.chunk;
    let full = if sh.args.nodes == 32 {
        u32::MAX
    } else {
        (1u32 << sh.args.nodes) - 1
    };
    ysync::for_each_insertion(update, |client, range| {
        let Some(w) = client
            .checked_sub(WRITER_ID_BASE)
            .map(|x| x as usize)
            .filter(|&x| x < sh.args.writers)
        else {
            return;
        };
        for s in (range.start / k)..range.end.div_ceil(k) {
            let Some(flag) = seen[w].get_mut(s as usize) else {
                continue;
            };
            if *flag {
                out.duplicates += 1;
                continue;
            }
            *flag = true;
            let s = s as usize;
            let sent = sh.send_us[w][s].load(Ordering::Acquire);
            if sent > 0 {
                let latency = u32::try_from(now_us.saturating_sub(sent - 1)).unwrap_or(u32::MAX);
                if node == sh.node_of_writer(w) {
                    out.same_us.push(latency);
                } else {
                    out.cross_us.push(latency);
                }
            }
            let before = sh.node_mask[w][s].fetch_or(1 << node, Ordering::AcqRel);
            if before != full && before | (1 << node) == full {
                sh.complete_us[w][s].store(now_us + 1, Ordering::Release);
                sh.complete.fetch_add(1, Ordering::Relaxed);
            }
        }
    })
}

/// For each node: how many of the sent updates a fresh client loads from it.
async fn stored_everywhere(sh: &Shared, nodes: &[Node], token: &str) -> Vec<Result<u64, String>> {
    let mut out = Vec::with_capacity(nodes.len());
    for node in nodes {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], node.port));
        let doc = Doc::new();
        let loaded = async {
            let mut ws = ysync::connect(addr, DOC, token).await?;
            ysync::handshake(&mut ws, &doc, Duration::from_secs(30)).await?;
            ysync::close(&mut ws).await;
            anyhow::Ok(())
        }
        .await;
        out.push(match loaded {
            Ok(()) => {
                let sv = doc.transact().state_vector();
                Ok((0..sh.args.writers)
                    .map(|w| {
                        let sent = sh.sent[w].load(Ordering::Relaxed);
                        let clock = sv.get(&ClientID::new(WRITER_ID_BASE + w as u64));
                        u64::from((clock / sh.args.chunk).min(sent))
                    })
                    .sum())
            }
            Err(e) => Err(format!("{e:#}")),
        });
    }
    out
}

/// Nearest-rank percentile of sorted samples.
fn pct(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `p50 / p95 / p99 / max ms (n)` of µs samples, and the summary for the JSON report.
fn latency(samples: &[u32]) -> (String, serde_json::Value) {
    let summary = Summary::of_micros_as_ms(samples);
    let mut ms: Vec<f64> = samples.iter().map(|&us| f64::from(us) / 1e3).collect();
    ms.sort_by(f64::total_cmp);
    let p95 = pct(&ms, 0.95);
    let line = format!(
        "p50 {:.2}  p95 {p95:.2}  p99 {:.2}  max {:.2} ms  (n={})",
        summary.p50, summary.p99, summary.max, summary.count
    );
    (line, json!({ "summary": summary, "p95": p95 }))
}

#[allow(clippy::too_many_arguments)]
fn report(
    sh: &Shared,
    start: Instant,
    window_end_us: u64,
    sent_total: u64,
    drained: bool,
    cross: &[u32],
    same: &[u32],
    duplicates: u64,
    stored: &[Result<u64, String>],
    errors: &ErrorTally,
) -> Result<serde_json::Value> {
    let a = &sh.args;
    let start_us = start.saturating_duration_since(sh.origin).as_micros() as u64;
    let window_s = (window_end_us.saturating_sub(start_us)) as f64 / 1e6;
    let in_window = sh
        .complete_us
        .iter()
        .flatten()
        .map(|at| at.load(Ordering::Acquire))
        .filter(|&at| at > 0 && at - 1 <= window_end_us)
        .count();
    let throughput = if window_s > 0.0 {
        in_window as f64 / window_s
    } else {
        0.0
    };
    let complete = sh.complete.load(Ordering::Relaxed);
    let (cross_line, cross_json) = latency(cross);
    let (same_line, same_json) = latency(same);
    println!(
        "== cluster: {} nodes, {} writers at {}/s for {}s on one document, {} readers per node",
        a.nodes, a.writers, a.rate, a.duration, a.readers
    );
    println!(
        "sent {sent_total} updates; delivered by every node: {complete} ({})",
        if drained { "all" } else { "DRAIN TIMED OUT" }
    );
    println!("cross-process delivery latency: {cross_line}");
    println!("same-process delivery latency:  {same_line}");
    println!(
        "stored throughput: {throughput:.1} updates/s delivered by all nodes within the \
         {window_s:.1} s writing window ({in_window} updates)"
    );
    for (i, result) in stored.iter().enumerate() {
        let verdict = match result {
            Ok(n) if *n == sent_total => format!("all {n} updates"),
            Ok(n) => format!("{n} of {sent_total} updates (SOME MISSING)"),
            Err(e) => format!("load failed: {e}"),
        };
        println!("fresh load through node{}: {verdict}", i + 1);
    }
    println!("duplicate deliveries: {duplicates}");
    errors.print("client errors/disconnects");
    Ok(json!({
        "scenario": "cluster",
        "args": {
            "nodes": a.nodes, "writers": a.writers, "readers": a.readers,
            "rate": a.rate, "duration": a.duration, "chunk": a.chunk,
        },
        "sent": sent_total,
        "delivered_by_all_nodes": complete,
        "drained": drained,
        "window_s": window_s,
        "stored_throughput_per_s": throughput,
        "cross_process_latency_ms": cross_json,
        "same_process_latency_ms": same_json,
        "fresh_load_updates": stored.iter().map(|r| r.as_ref().ok()).collect::<Vec<_>>(),
        "duplicates": duplicates,
        "client_errors": errors,
    }))
}

/// A fresh PostgreSQL schema for one run.
struct Schema {
    base: String,
    name: String,
    /// URL that puts the nodes in the schema.
    url: String,
}

impl Schema {
    async fn create(base: &str) -> Result<Self> {
        let name = format!("polder_load_{:016x}", rand::random::<u64>());
        let pool = sqlx::PgPool::connect(base)
            .await
            .context("connecting to the PostgreSQL database")?;
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&pool)
            .await
            .context("creating a schema for the run")?;
        pool.close().await;
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-c%20search_path%3D{name}");
        Ok(Self {
            base: base.to_owned(),
            name,
            url,
        })
    }

    /// Drops the schema (a failure is only reported).
    async fn drop_now(self) {
        let dropped = async {
            let pool = sqlx::PgPool::connect(&self.base).await?;
            sqlx::query(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name))
                .execute(&pool)
                .await?;
            pool.close().await;
            anyhow::Ok(())
        }
        .await;
        if let Err(e) = dropped {
            eprintln!("warning: could not drop schema {}: {e:#}", self.name);
        }
    }
}
