//! The `docs` scenario: open many documents (one client each), write a few KB
//! of text into each in a few updates, confirm the server has it (a second
//! SyncStep1 round trip whose SyncStep2 must contain all our clocks), keep
//! everything connected and idle, and read the server's memory.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::StreamExt;
use rand::{Rng, SeedableRng};
use serde_json::json;
use tokio::sync::{watch, Notify, Semaphore};
use yrs::sync::{Message, SyncMessage};
use yrs::{Doc, StateVector, Text, Transact};

use crate::server::{self, ServerProcess};
use crate::stats::{ErrorTally, Summary};
use crate::ysync::{self, Event};
use crate::Ctx;

/// Options of `polder-load docs`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Number of documents (one client each).
    #[arg(long, default_value_t = 1000)]
    docs: usize,
    /// Bytes of text written into each document.
    #[arg(long, default_value_t = 5000)]
    text_bytes: usize,
    /// Updates the text is split into.
    #[arg(long, default_value_t = 5)]
    updates: usize,
    /// Connections being opened at the same time.
    #[arg(long, default_value_t = 50)]
    connect_concurrency: usize,
    /// Seconds to stay connected and idle before reading memory.
    #[arg(long, default_value_t = 2.0)]
    idle: f64,
}

/// State shared by the coordinator and the clients.
struct Shared {
    /// Scenario options.
    args: Args,
    /// Server address.
    addr: std::net::SocketAddr,
    /// Admin token.
    token: String,
    /// Clients whose text the server confirmed.
    loaded: AtomicUsize,
    /// Clients that failed before being loaded.
    failed: AtomicUsize,
    /// Woken on `loaded`/`failed` changes.
    notify: Notify,
    /// Limits concurrent connect+write+confirm sequences.
    sem: Semaphore,
}

/// Runs the scenario and returns its JSON report.
pub async fn run(ctx: &Ctx, args: &Args) -> Result<serde_json::Value> {
    if args.docs == 0 || args.updates == 0 || args.text_bytes < args.updates {
        bail!("need docs >= 1, updates >= 1 and text-bytes >= updates");
    }
    let data_dir = ctx.work.data_dir();
    let token = server::create_admin_token(&ctx.server, &data_dir)?;
    let mut srv = ServerProcess::start(&ctx.server, &data_dir, ctx.work.log_path(0)).await?;
    eprintln!("server pid {} on {}", srv.pid(), srv.addr);
    let result = drive(ctx, args, &srv, token).await;
    ctx.maybe_dump_metrics(&srv).await;
    let (took, status) = srv.stop(Duration::from_secs(10)).await?;
    let errors_logged = srv.log_count(&["error", "panic"]);
    println!(
        "server stop: {status} after {:.0} ms",
        took.as_secs_f64() * 1e3
    );
    println!("server log lines mentioning error/panic: {errors_logged}");
    let mut report = result?;
    report["server_stop"] = json!({ "status": status, "ms": took.as_secs_f64() * 1e3 });
    report["server_log_error_lines"] = json!(errors_logged);
    report["data_dir_bytes"] = json!(ctx.work.data_bytes());
    Ok(report)
}

/// Loads all documents, idles, measures, disconnects, measures again.
async fn drive(
    ctx: &Ctx,
    args: &Args,
    srv: &ServerProcess,
    token: String,
) -> Result<serde_json::Value> {
    let pid = srv.pid();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let baseline = server::memory(pid)?;
    let cpu0 = server::cpu_seconds(&pid.to_string(), ctx.ticks)?;
    let shared = Arc::new(Shared {
        args: args.clone(),
        addr: srv.addr,
        token,
        loaded: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        notify: Notify::new(),
        sem: Semaphore::new(args.connect_concurrency.max(1)),
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let start = Instant::now();
    let handles: Vec<_> = (0..args.docs)
        .map(|i| tokio::spawn(client(shared.clone(), i, stop_rx.clone())))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120 + args.docs as u64 / 5);
    let mut last_print = 0;
    loop {
        let notified = shared.notify.notified();
        let loaded = shared.loaded.load(Ordering::Relaxed);
        let failed = shared.failed.load(Ordering::Relaxed);
        if loaded >= last_print + 100 || loaded + failed == args.docs {
            eprintln!("loaded {loaded}/{} documents (failed {failed})", args.docs);
            last_print = loaded;
        }
        if loaded + failed == args.docs {
            break;
        }
        if Instant::now() > deadline {
            bail!(
                "only {loaded}/{} documents loaded before the deadline",
                args.docs
            );
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), notified).await;
    }
    let load_wall = start.elapsed();
    let loaded = shared.loaded.load(Ordering::Relaxed);
    let cpu_load = server::cpu_seconds(&pid.to_string(), ctx.ticks)? - cpu0;
    eprintln!("all loaded; idling {} s", args.idle);
    tokio::time::sleep(Duration::from_secs_f64(args.idle)).await;
    let idle_mem = server::memory(pid)?;
    let cpu_idle0 = server::cpu_seconds(&pid.to_string(), ctx.ticks)?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_cpu_per_s = server::cpu_seconds(&pid.to_string(), ctx.ticks)? - cpu_idle0;

    // Disconnect everyone and see what the server gives back.
    stop_tx.send_replace(true);
    let mut errors = ErrorTally::default();
    let mut load_ms = Vec::new();
    for h in handles {
        match tokio::time::timeout(Duration::from_secs(30), h).await {
            Ok(Ok(o)) => {
                load_ms.extend(o.load_ms);
                if let Some(e) = o.error {
                    errors.add(e);
                }
            }
            Ok(Err(e)) => errors.add(format!("client task panicked: {e}")),
            Err(_) => errors.add("client task hung"),
        }
    }
    tokio::time::sleep(Duration::from_secs_f64(args.idle)).await;
    let closed_mem = server::memory(pid)?;

    let per_doc = |m: u64| (m.saturating_sub(baseline.rss_kib)) as f64 / loaded.max(1) as f64;
    let load = Summary::of(&mut load_ms);
    println!(
        "== docs: {} documents x {} bytes of text in {} updates",
        args.docs, args.text_bytes, args.updates
    );
    println!(
        "loaded {loaded}/{} in {:.2} s (server CPU {cpu_load:.2} s); per doc {}",
        args.docs,
        load_wall.as_secs_f64(),
        load.line("ms")
    );
    println!(
        "server RSS at start (idle, no docs): {} KiB",
        baseline.rss_kib
    );
    println!(
        "server RSS with all docs open and idle {} s: {} KiB (VmHWM {} KiB) = {:.1} KiB per doc above baseline",
        args.idle,
        idle_mem.rss_kib,
        idle_mem.hwm_kib,
        per_doc(idle_mem.rss_kib)
    );
    println!("server CPU while idle with all docs open: {idle_cpu_per_s:.3} s per s");
    println!(
        "server RSS {} s after all clients disconnected: {} KiB (VmHWM {} KiB)",
        args.idle, closed_mem.rss_kib, closed_mem.hwm_kib
    );
    errors.print("client errors/disconnects");
    Ok(json!({
        "scenario": "docs",
        "args": { "docs": args.docs, "text_bytes": args.text_bytes, "updates": args.updates },
        "loaded": loaded,
        "load_s": load_wall.as_secs_f64(),
        "load_ms": load,
        "server_cpu_load_s": cpu_load,
        "server_idle_cpu_per_s": idle_cpu_per_s,
        "server_mem_baseline": baseline,
        "server_mem_loaded_idle": idle_mem,
        "rss_kib_per_doc": per_doc(idle_mem.rss_kib),
        "server_mem_after_disconnect": closed_mem,
        "client_errors": errors,
    }))
}

/// What one client reports.
#[derive(Default)]
struct Outcome {
    /// Connect + write + confirm time, ms.
    load_ms: Option<f64>,
    /// Why it stopped early.
    error: Option<String>,
}

/// One client: never fails, reports in its [`Outcome`].
async fn client(sh: Arc<Shared>, i: usize, stop: watch::Receiver<bool>) -> Outcome {
    let mut out = Outcome::default();
    let mut loaded = false;
    if let Err(e) = client_inner(&sh, i, stop, &mut out, &mut loaded).await {
        out.error = Some(format!("{e:#}"));
        if !loaded {
            sh.failed.fetch_add(1, Ordering::Relaxed);
            sh.notify.notify_one();
        }
    }
    out
}

/// Connect, write the text, confirm, then hold the connection until stopped.
async fn client_inner(
    sh: &Shared,
    i: usize,
    mut stop: watch::Receiver<bool>,
    out: &mut Outcome,
    loaded: &mut bool,
) -> Result<()> {
    let cid = 1_000_000 + i as u64;
    let doc = Doc::with_client_id(cid);
    let text = doc.get_or_insert_text("content");
    let body = random_text(i as u64, sh.args.text_bytes);
    let timeout = Duration::from_secs(30);

    let t0 = Instant::now();
    let mut ws = {
        let _permit = sh.sem.acquire().await.context("semaphore closed")?;
        let mut ws = ysync::connect(sh.addr, &format!("docs-{i}"), &sh.token).await?;
        ysync::handshake(&mut ws, &doc, timeout).await?;
        let piece = body.len().div_ceil(sh.args.updates);
        for part in body.as_bytes().chunks(piece) {
            let part = std::str::from_utf8(part).context("text chunk")?;
            let update = {
                let mut txn = doc.transact_mut();
                let len = text.len(&txn);
                text.insert(&mut txn, len, part);
                txn.encode_update_v1()
            };
            ysync::send(&mut ws, &Message::Sync(SyncMessage::Update(update))).await?;
        }
        confirm(&mut ws, &doc, cid, body.len() as u32, timeout).await?;
        ws
    };
    out.load_ms = Some(t0.elapsed().as_secs_f64() * 1e3);
    *loaded = true;
    sh.loaded.fetch_add(1, Ordering::Relaxed);
    sh.notify.notify_one();

    // Hold the connection, answering the server, until told to stop.
    loop {
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
            item = ws.next() => match ysync::classify(item)? {
                Event::Y(Message::Sync(SyncMessage::SyncStep1(sv))) => {
                    ysync::send(&mut ws, &ysync::step2_for(&doc, &sv)).await?;
                }
                Event::Closed(how) => bail!("disconnected by server while idle: {how}"),
                _ => {}
            }
        }
    }
    ysync::close(&mut ws).await;
    Ok(())
}

/// Asks for the full state (SyncStep1 with an empty state vector) until the
/// answer contains our clocks `0..clock`, proving the server stored everything.
async fn confirm(
    ws: &mut ysync::Ws,
    doc: &Doc,
    cid: u64,
    clock: u32,
    timeout: Duration,
) -> Result<()> {
    for attempt in 0..20 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let step1 = Message::Sync(SyncMessage::SyncStep1(StateVector::default()));
        ysync::send(ws, &step1).await?;
        loop {
            match ysync::next_event(ws, timeout).await? {
                Event::Y(Message::Sync(SyncMessage::SyncStep2(update))) => {
                    let mut have = 0u32;
                    ysync::for_each_insertion(&update, |c, r| {
                        if c == cid && r.start == have {
                            have = r.end;
                        }
                    })?;
                    if have >= clock {
                        return Ok(());
                    }
                    break;
                }
                Event::Y(Message::Sync(SyncMessage::SyncStep1(sv))) => {
                    ysync::send(ws, &ysync::step2_for(doc, &sv)).await?;
                }
                Event::Closed(how) => bail!("disconnected while confirming: {how}"),
                _ => {}
            }
        }
    }
    bail!("server never returned our {clock} clocks in a SyncStep2")
}

/// Deterministic pseudo-random lowercase words, exactly `len` ASCII bytes.
fn random_text(seed: u64, len: usize) -> String {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..len)
        .map(|_| {
            if rng.gen_ratio(1, 6) {
                ' '
            } else {
                char::from(rng.gen_range(b'a'..=b'z'))
            }
        })
        .collect()
}
