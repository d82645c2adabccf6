//! The `cold-load` scenario: one writer pipelines many small updates into one
//! document (at most `window` unconfirmed, confirmation coming from an observer
//! client that receives the relays), then the server is stopped with SIGTERM and
//! restarted on the same data dir several times; each time a fresh client times
//! connect + SyncStep1 -> SyncStep2 (the cold load), then a second client times
//! the same against the now-loaded document (warm).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::StreamExt;
use serde_json::json;
use tokio::sync::Notify;
use yrs::sync::{Message, SyncMessage};
use yrs::{Doc, GetString, Text, Transact};

use crate::server::{self, ServerProcess};
use crate::stats::Summary;
use crate::ysync::{self, Event, Ws};
use crate::Ctx;

/// Options of `polder-load cold-load`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Number of small updates written in phase 1.
    #[arg(long, default_value_t = 100_000)]
    updates: u32,
    /// Characters inserted per update.
    #[arg(long, default_value_t = 4)]
    chunk: u32,
    /// Most updates sent but not yet seen by the observer.
    #[arg(long, default_value_t = 500)]
    window: u32,
    /// Restart + cold load repetitions.
    #[arg(long, default_value_t = 5)]
    repeats: usize,
    /// Seconds allowed for phase 1.
    #[arg(long, default_value_t = 600.0)]
    write_timeout: f64,
}

/// Document id used by this scenario.
const DOC: &str = "cold-load";
/// yrs client id of the writer.
const WRITER_ID: u64 = 4242;

/// Runs the scenario and returns its JSON report.
pub async fn run(ctx: &Ctx, args: &Args) -> Result<serde_json::Value> {
    if args.updates == 0 || args.chunk == 0 || args.window == 0 {
        bail!("updates, chunk and window must be positive");
    }
    let data_dir = ctx.work.data_dir();
    let token = server::create_admin_token(&ctx.server, &data_dir)?;

    // Phase 1: write.
    let mut srv = ServerProcess::start(&ctx.server, &data_dir, ctx.work.log_path(0)).await?;
    eprintln!("server pid {} on {}", srv.pid(), srv.addr);
    let cpu0 = server::cpu_seconds(&srv.pid().to_string(), ctx.ticks)?;
    let written = write_phase(&srv, &token, args).await;
    let write_cpu = server::cpu_seconds(&srv.pid().to_string(), ctx.ticks)? - cpu0;
    let write_mem = server::memory(srv.pid())?;
    ctx.maybe_dump_metrics(&srv).await;
    let (stop_time, stop_status) = srv.stop(Duration::from_secs(30)).await?;
    let write_errors = srv.log_count(&["error", "panic"]);
    let write_wall = written?;
    let disk_bytes = ctx.work.data_bytes();
    let rate = f64::from(args.updates) / write_wall.as_secs_f64();
    println!(
        "== cold-load: {} updates of {} chars into one doc",
        args.updates, args.chunk
    );
    println!(
        "write phase: {:.2} s = {rate:.0} updates/s relayed; server CPU {write_cpu:.2} s \
         ({:.1} µs/update); server RSS {} KiB (VmHWM {} KiB)",
        write_wall.as_secs_f64(),
        write_cpu * 1e6 / f64::from(args.updates),
        write_mem.rss_kib,
        write_mem.hwm_kib
    );
    println!(
        "server stop after write: {stop_status} in {:.0} ms; log error/panic lines: {write_errors}",
        stop_time.as_secs_f64() * 1e3
    );
    println!("data dir on disk: {disk_bytes} bytes");

    // Phase 2: restart and time loads.
    let expected_len = args.updates * args.chunk;
    let mut startup_ms = Vec::new();
    let mut cold_ms = Vec::new();
    let mut warm_ms = Vec::new();
    let mut state_bytes = 0usize;
    let mut rss_after_load = Vec::new();
    let mut stops = Vec::new();
    for r in 1..=args.repeats {
        let t0 = Instant::now();
        let mut srv = ServerProcess::start(&ctx.server, &data_dir, ctx.work.log_path(r)).await?;
        startup_ms.push(t0.elapsed().as_secs_f64() * 1e3);
        let loads = timed_loads(&srv, &token, expected_len).await;
        let mem = server::memory(srv.pid())?;
        let (took, status) = srv.stop(Duration::from_secs(30)).await?;
        stops.push(json!({ "status": status, "ms": took.as_secs_f64() * 1e3 }));
        let (cold, warm, bytes) = loads.with_context(|| format!("restart {r}"))?;
        eprintln!(
            "restart {r}/{}: cold {cold:.1} ms, warm {warm:.1} ms, state {bytes} bytes, \
             server RSS {} KiB, stop {status} in {:.0} ms",
            args.repeats,
            mem.rss_kib,
            took.as_secs_f64() * 1e3
        );
        cold_ms.push(cold);
        warm_ms.push(warm);
        state_bytes = bytes;
        rss_after_load.push(mem.rss_kib as f64);
    }
    let cold = Summary::of(&mut cold_ms);
    let warm = Summary::of(&mut warm_ms);
    let startup = Summary::of(&mut startup_ms);
    let rss = Summary::of(&mut rss_after_load);
    println!("server start to /readyz: {}", startup.line("ms"));
    println!(
        "cold load (connect -> SyncStep2 received, first client after restart): {}",
        cold.line("ms")
    );
    println!(
        "warm load (second client, doc in memory): {}",
        warm.line("ms")
    );
    println!(
        "state size (SyncStep2 payload): {state_bytes} bytes; text {expected_len} chars verified"
    );
    println!("server RSS after the loads: {}", rss.line("KiB"));
    Ok(json!({
        "scenario": "cold-load",
        "args": { "updates": args.updates, "chunk": args.chunk, "window": args.window, "repeats": args.repeats },
        "write_s": write_wall.as_secs_f64(),
        "write_updates_per_s": rate,
        "write_server_cpu_s": write_cpu,
        "write_server_mem": write_mem,
        "write_stop": { "status": stop_status, "ms": stop_time.as_secs_f64() * 1e3 },
        "data_dir_bytes": disk_bytes,
        "startup_ms": startup,
        "cold_ms": cold,
        "warm_ms": warm,
        "state_bytes": state_bytes,
        "rss_kib_after_load": rss,
        "restart_stops": stops,
    }))
}

/// Writes `args.updates` updates with a bounded window; returns the wall time
/// until the observer saw the last one.
async fn write_phase(srv: &ServerProcess, token: &str, args: &Args) -> Result<Duration> {
    let timeout = Duration::from_secs(30);
    let observed = Arc::new(AtomicU32::new(0));
    let notify = Arc::new(Notify::new());

    let mut obs_ws = ysync::connect(srv.addr, DOC, token).await?;
    ysync::handshake(&mut obs_ws, &Doc::new(), timeout).await?;
    let writer_doc = Doc::with_client_id(WRITER_ID);
    let mut ws = ysync::connect(srv.addr, DOC, token).await?;
    ysync::handshake(&mut ws, &writer_doc, timeout).await?;

    let observer = tokio::spawn(observe(
        obs_ws,
        observed.clone(),
        notify.clone(),
        args.updates,
        args.chunk,
        Duration::from_secs_f64(args.write_timeout),
    ));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(args.write_timeout);
    let text = writer_doc.get_or_insert_text("content");
    let chunk: String = "abcdefghijklmnopqrstuvwxyz"
        .chars()
        .cycle()
        .take(args.chunk as usize)
        .collect();
    let mut sent = 0u32;
    let mut last_print = 0u32;
    while observed.load(Ordering::Acquire) < args.updates {
        if Instant::now() > deadline {
            bail!(
                "write phase timed out: sent {sent}, observed {}",
                observed.load(Ordering::Acquire)
            );
        }
        if observer.is_finished() {
            break;
        }
        let notified = notify.notified();
        let seen = observed.load(Ordering::Acquire);
        if sent < args.updates && sent - seen < args.window {
            while sent < args.updates && sent - seen < args.window {
                let update = {
                    let mut txn = writer_doc.transact_mut();
                    let len = text.len(&txn);
                    text.insert(&mut txn, len, &chunk);
                    txn.encode_update_v1()
                };
                ysync::feed(&mut ws, &Message::Sync(SyncMessage::Update(update))).await?;
                sent += 1;
            }
            ysync::flush(&mut ws).await?;
        }
        if seen >= last_print + 10_000 {
            eprintln!("written {sent}/{} (observed {seen})", args.updates);
            last_print = seen;
        }
        tokio::select! {
            _ = notified => {}
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            item = ws.next() => match ysync::classify(item)? {
                Event::Y(Message::Sync(SyncMessage::SyncStep1(sv))) => {
                    ysync::send(&mut ws, &ysync::step2_for(&writer_doc, &sv)).await?;
                }
                Event::Closed(how) => bail!("writer disconnected by server after {sent} updates: {how}"),
                _ => {}
            }
        }
    }
    let wall = start.elapsed();
    let mut obs_ws = observer.await.context("observer task")??;
    eprintln!("written {sent}/{} (observed all)", args.updates);
    ysync::close(&mut ws).await;
    ysync::close(&mut obs_ws).await;
    Ok(wall)
}

/// Counts the writer's updates relayed to a second connection, publishing the
/// highest complete sequence number seen.
async fn observe(
    mut ws: Ws,
    observed: Arc<AtomicU32>,
    notify: Arc<Notify>,
    total: u32,
    chunk: u32,
    limit: Duration,
) -> Result<Ws> {
    let deadline = Instant::now() + limit;
    let mut clock = 0u32;
    while clock / chunk < total {
        let left = deadline.saturating_duration_since(Instant::now());
        match ysync::next_event(&mut ws, left.max(Duration::from_millis(1))).await? {
            Event::Y(Message::Sync(SyncMessage::Update(u))) => {
                ysync::for_each_insertion(&u, |c, r| {
                    if c == WRITER_ID && r.start <= clock {
                        clock = clock.max(r.end);
                    }
                })?;
                observed.store(clock / chunk, Ordering::Release);
                notify.notify_one();
            }
            Event::Y(Message::Sync(SyncMessage::SyncStep1(sv))) => {
                ysync::send(&mut ws, &ysync::step2_for(&Doc::new(), &sv)).await?;
            }
            Event::Closed(how) => {
                bail!(
                    "observer disconnected by server at {}/{total}: {how}",
                    clock / chunk
                )
            }
            _ => {}
        }
    }
    Ok(ws)
}

/// After a restart: times a cold load, then a warm one, and checks the content.
/// Returns (cold ms, warm ms, SyncStep2 bytes).
async fn timed_loads(
    srv: &ServerProcess,
    token: &str,
    expected_len: u32,
) -> Result<(f64, f64, usize)> {
    let timeout = Duration::from_secs(120);
    let cold_doc = Doc::new();
    let t0 = Instant::now();
    let mut cold_ws = ysync::connect(srv.addr, DOC, token).await?;
    let (update, at) = ysync::handshake_raw(&mut cold_ws, &cold_doc, timeout).await?;
    let cold = at.duration_since(t0).as_secs_f64() * 1e3;
    ysync::apply(&cold_doc, &update)?;
    let text = cold_doc.get_or_insert_text("content");
    let got = {
        let txn = cold_doc.transact();
        text.get_string(&txn).len()
    };
    if got != expected_len as usize {
        bail!("cold load returned {got} chars of text, expected {expected_len}");
    }

    let t1 = Instant::now();
    let mut warm_ws = ysync::connect(srv.addr, DOC, token).await?;
    let (_, at) = ysync::handshake_raw(&mut warm_ws, &Doc::new(), timeout).await?;
    let warm = at.duration_since(t1).as_secs_f64() * 1e3;
    ysync::close(&mut warm_ws).await;
    ysync::close(&mut cold_ws).await;
    Ok((cold, warm, update.len()))
}
