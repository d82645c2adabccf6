//! The `fanout` scenario: `docs` documents with `clients` connections each, of
//! which `writers` send `rate` updates/s for `duration` seconds.
//!
//! Latency is measured per delivered update at each receiving client: every
//! writer update inserts exactly `chunk` ASCII characters, so the update with
//! sequence number `s` of a writer covers that writer's clocks
//! `[s*chunk, (s+1)*chunk)`. Writers record their send instant (µs since a
//! shared start instant) in a side table indexed by `(writer, seq)`; receivers
//! decode each relayed update with yrs, map its inserted clock ranges back to
//! `(writer, seq)` and subtract. To keep the client side cheap, non-writers only
//! buffer the raw updates during the run and apply them to their local `Doc`
//! when the convergence check starts; writers apply remote updates at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use serde_json::json;
use tokio::sync::{watch, Notify, Semaphore};

use crate::fanout_client::{client, Outcome, Phase, Shared};
use crate::server::{self, ServerProcess};
use crate::stats::{ErrorTally, Summary};
use crate::Ctx;

/// Options of `polder-load fanout`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Number of documents.
    #[arg(long, default_value_t = 1)]
    pub(crate) docs: usize,
    /// Connections per document (writers included).
    #[arg(long, default_value_t = 500)]
    pub(crate) clients: usize,
    /// Writers per document.
    #[arg(long, default_value_t = 10)]
    pub(crate) writers: usize,
    /// Updates per second per writer.
    #[arg(long, default_value_t = 20.0)]
    pub(crate) rate: f64,
    /// Seconds of writing.
    #[arg(long, default_value_t = 8.0)]
    pub(crate) duration: f64,
    /// Characters inserted per update.
    #[arg(long, default_value_t = 8)]
    pub(crate) chunk: u32,
    /// Connections being opened at the same time.
    #[arg(long, default_value_t = 50)]
    pub(crate) connect_concurrency: usize,
    /// Seconds to wait, after writers stop, for all deliveries to arrive.
    #[arg(long, default_value_t = 20.0)]
    pub(crate) drain_timeout: f64,
    /// Seconds to wait for every client's document to converge.
    #[arg(long, default_value_t = 30.0)]
    pub(crate) converge_timeout: f64,
}

/// Runs the scenario and returns its JSON report.
pub async fn run(ctx: &Ctx, args: &Args) -> Result<serde_json::Value> {
    if args.writers > args.clients || args.docs == 0 || args.clients < 2 {
        bail!("need docs >= 1, clients >= 2 and writers <= clients");
    }
    if args.chunk == 0 || args.rate <= 0.0 || args.duration <= 0.0 {
        bail!("chunk, rate and duration must be positive");
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
    Ok(report)
}

/// Connects everyone, runs the writers, drains, checks convergence, reports.
async fn drive(
    ctx: &Ctx,
    args: &Args,
    srv: &ServerProcess,
    token: String,
) -> Result<serde_json::Value> {
    let per_writer = (args.rate * args.duration).round().max(1.0) as u32;
    let writers_total = args.docs * args.writers;
    let shared = Arc::new(Shared {
        args: args.clone(),
        addr: srv.addr,
        token,
        origin: Instant::now(),
        run_id: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |t| t.as_nanos()),
        per_writer,
        send_us: (0..writers_total)
            .map(|_| (0..per_writer).map(|_| AtomicU64::new(0)).collect())
            .collect(),
        sent: (0..writers_total).map(|_| AtomicU32::new(0)).collect(),
        writers_done: AtomicUsize::new(0),
        delivered: AtomicU64::new(0),
        ready: (0..args.docs).map(|_| AtomicUsize::new(0)).collect(),
        failed: AtomicUsize::new(0),
        notify: Notify::new(),
        connect_sem: Semaphore::new(args.connect_concurrency.max(1)),
    });
    let (phase_tx, phase_rx) = watch::channel(Phase::Connect);
    let total = args.docs * args.clients;
    let pid = srv.pid().to_string();

    // Phase 1: connect and sync everyone.
    let connect_start = Instant::now();
    let mut handles = Vec::with_capacity(total);
    for d in 0..args.docs {
        for i in 0..args.clients {
            let (sh, rx) = (shared.clone(), phase_rx.clone());
            handles.push(tokio::spawn(client(sh, d, i, rx)));
        }
    }
    let connect_deadline = Instant::now() + Duration::from_secs(120 + total as u64 / 10);
    let mut last_print = 0;
    loop {
        let notified = shared.notify.notified();
        let ready: usize = shared.ready.iter().map(|r| r.load(Ordering::Relaxed)).sum();
        let failed = shared.failed.load(Ordering::Relaxed);
        if ready >= last_print + 100 || ready + failed == total {
            eprintln!("connected {ready}/{total} (failed {failed})");
            last_print = ready;
        }
        if ready + failed == total {
            break;
        }
        if Instant::now() > connect_deadline {
            bail!("only {ready}/{total} clients connected within the connect deadline");
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), notified).await;
    }
    let connect_wall = connect_start.elapsed();
    let ready_per_doc: Vec<usize> = shared
        .ready
        .iter()
        .map(|r| r.load(Ordering::Relaxed))
        .collect();
    let mem_before = server::memory(srv.pid())?;

    // Phase 2: write.
    let cpu0 = server::cpu_seconds(&pid, ctx.ticks)?;
    let self_cpu0 = server::cpu_seconds("self", ctx.ticks)?;
    let threads0 = server::thread_cpu(srv.pid(), ctx.ticks)?;
    let database0 = server::processes_cpu("postgres", ctx.ticks);
    let run_start = Instant::now() + Duration::from_millis(100);
    eprintln!(
        "writing: {writers_total} writers x {per_writer} updates at {}/s",
        args.rate
    );
    phase_tx.send_replace(Phase::Run { start: run_start });
    let write_deadline = run_start + Duration::from_secs_f64(args.duration + 10.0);
    while shared.writers_done.load(Ordering::Relaxed) < writers_total {
        if Instant::now() > write_deadline {
            eprintln!("warning: writers did not all finish in time");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let writing = run_start.elapsed();
    let sent: Vec<u32> = shared
        .sent
        .iter()
        .map(|s| s.load(Ordering::Relaxed))
        .collect();
    let sent_total: u64 = sent.iter().map(|&s| u64::from(s)).sum();
    // Each ready client should get every update of its doc except its own.
    let mut expected_deliveries: u64 = 0;
    for (d, ready) in ready_per_doc.iter().enumerate() {
        let doc_sent: u64 = (0..args.writers)
            .map(|w| u64::from(sent[shared.writer_index(d, w)]))
            .sum();
        expected_deliveries += *ready as u64 * doc_sent - doc_sent;
    }

    // Phase 3: drain.
    eprintln!(
        "writers done ({sent_total} updates sent); draining {expected_deliveries} deliveries"
    );
    let drain_deadline = Instant::now() + Duration::from_secs_f64(args.drain_timeout);
    let mut drained = true;
    while shared.delivered.load(Ordering::Relaxed) < expected_deliveries {
        if Instant::now() > drain_deadline {
            drained = false;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let window = run_start.elapsed();
    let cpu1 = server::cpu_seconds(&pid, ctx.ticks)?;
    let self_cpu1 = server::cpu_seconds("self", ctx.ticks)?;
    let threads = server::thread_cpu_delta(&threads0, &server::thread_cpu(srv.pid(), ctx.ticks)?);
    let database_cpu = server::processes_cpu("postgres", ctx.ticks) - database0;
    let delivered = shared.delivered.load(Ordering::Relaxed);
    let mem_after = server::memory(srv.pid())?;

    // Phase 4: convergence.
    let expected: Vec<HashMap<u64, u32>> = (0..args.docs)
        .map(|d| {
            (0..args.writers)
                .map(|w| {
                    let clock = sent[shared.writer_index(d, w)] * args.chunk;
                    (shared.writer_client_id(d, w), clock)
                })
                .filter(|(_, clock)| *clock > 0)
                .collect()
        })
        .collect();
    eprintln!("checking convergence");
    let converge_start = Instant::now();
    phase_tx.send_replace(Phase::Converge {
        expected: Arc::new(expected),
        deadline: Instant::now() + Duration::from_secs_f64(args.converge_timeout),
    });
    let mut outcomes = Vec::with_capacity(total);
    for h in handles {
        match tokio::time::timeout(Duration::from_secs_f64(args.converge_timeout + 15.0), h).await {
            Ok(Ok(o)) => outcomes.push(o),
            Ok(Err(e)) => outcomes.push(Outcome {
                error: Some(format!("client task panicked: {e}")),
                ..Outcome::default()
            }),
            Err(_) => outcomes.push(Outcome {
                error: Some("client task hung".into()),
                ..Outcome::default()
            }),
        }
    }
    let converge_wall = converge_start.elapsed();

    // Report.
    let mut latencies: Vec<u32> = Vec::new();
    let mut connect_ms = Vec::new();
    let mut errors = ErrorTally::default();
    let (mut converged_n, mut echoes, mut duplicates) = (0usize, 0u64, 0u64);
    for o in &mut outcomes {
        latencies.append(&mut o.latencies_us);
        connect_ms.extend(o.connect_ms);
        converged_n += usize::from(o.converged == Some(true));
        echoes += o.echoes;
        duplicates += o.duplicates;
        if let Some(e) = &o.error {
            errors.add(e.clone());
        }
    }
    let ready_total: usize = ready_per_doc.iter().sum();
    let converged = converged_n == total;
    let latency = Summary::of_micros_as_ms(&latencies);
    let connect = Summary::of(&mut connect_ms);
    let server_cpu = cpu1 - cpu0;
    let client_cpu = self_cpu1 - self_cpu0;
    let us_per_delivery = if delivered > 0 {
        server_cpu * 1e6 / delivered as f64
    } else {
        0.0
    };

    println!(
        "== fanout: {} doc(s) x {} clients, {} writers/doc at {}/s for {}s, {}-char updates",
        args.docs, args.clients, args.writers, args.rate, args.duration, args.chunk
    );
    println!(
        "connect+sync: {ready_total}/{total} in {:.2} s; per client {}",
        connect_wall.as_secs_f64(),
        connect.line("ms")
    );
    println!(
        "sent {sent_total} updates in {:.2} s; delivered {delivered}/{expected_deliveries} \
         ({}) in {:.2} s window = {:.0} deliveries/s",
        writing.as_secs_f64(),
        if drained { "all" } else { "DRAIN TIMED OUT" },
        window.as_secs_f64(),
        delivered as f64 / window.as_secs_f64()
    );
    println!("delivery latency: {}", latency.line("ms"));
    println!(
        "server CPU in window: {server_cpu:.2} s = {us_per_delivery:.2} µs per delivered update; \
         load generator CPU: {client_cpu:.2} s"
    );
    let per_update = |cpu: f64| {
        if sent_total > 0 {
            cpu * 1e6 / sent_total as f64
        } else {
            0.0
        }
    };
    let by_thread: Vec<String> = threads
        .iter()
        .map(|(kind, cpu)| format!("{kind} {cpu:.3} s ({:.1} µs per update)", per_update(*cpu)))
        .collect();
    println!("server CPU by thread: {}", by_thread.join(", "));
    println!(
        "PostgreSQL processes (the whole machine's) CPU in window: {database_cpu:.3} s = {:.1} µs \
         per update sent",
        per_update(database_cpu)
    );
    println!(
        "server RSS: {} KiB after connect, {} KiB after drain, peak (VmHWM) {} KiB",
        mem_before.rss_kib, mem_after.rss_kib, mem_after.hwm_kib
    );
    println!(
        "converged: {converged} ({converged_n}/{total} clients, check took {:.2} s)",
        converge_wall.as_secs_f64()
    );
    println!("own updates echoed back: {echoes}; duplicate deliveries: {duplicates}");
    errors.print("client errors/disconnects");
    let problems = delivery_problems(&Delivery {
        drained,
        delivered,
        expected: expected_deliveries,
        duplicates,
        echoes,
        converged: converged_n,
        clients: total,
    });
    println!(
        "delivery check: {}",
        if problems.is_empty() {
            "ok (nothing dropped, no duplicates, all converged)".to_owned()
        } else {
            problems.join("; ")
        }
    );

    Ok(json!({
        "scenario": "fanout",
        "args": {
            "docs": args.docs, "clients": args.clients, "writers": args.writers,
            "rate": args.rate, "duration": args.duration, "chunk": args.chunk,
        },
        "clients_ready": ready_total,
        "connect_s": connect_wall.as_secs_f64(),
        "connect_ms": connect,
        "sent": sent_total,
        "delivered": delivered,
        "expected_deliveries": expected_deliveries,
        "drained": drained,
        "window_s": window.as_secs_f64(),
        "latency_ms": latency,
        "server_cpu_s": server_cpu,
        "server_cpu_us_per_delivery": us_per_delivery,
        "client_cpu_s": client_cpu,
        "server_thread_cpu_s": threads,
        "postgres_cpu_s": database_cpu,
        "server_mem_after_connect": mem_before,
        "server_mem_after_drain": mem_after,
        "converged": converged,
        "converged_clients": converged_n,
        "echoes": echoes,
        "duplicates": duplicates,
        "client_errors": errors,
        "delivery_problems": problems,
    }))
}

/// What a run delivered, for [`delivery_problems`].
struct Delivery {
    drained: bool,
    delivered: u64,
    expected: u64,
    duplicates: u64,
    echoes: u64,
    converged: usize,
    clients: usize,
}

/// Everything wrong with a run's delivery; empty when nothing was dropped, duplicated or echoed
/// and every client converged.
fn delivery_problems(run: &Delivery) -> Vec<String> {
    let mut problems = Vec::new();
    if !run.drained || run.delivered < run.expected {
        problems.push(format!(
            "dropped: {} of {} deliveries never arrived",
            run.expected.saturating_sub(run.delivered),
            run.expected
        ));
    }
    if run.duplicates > 0 {
        problems.push(format!("{} duplicate deliveries", run.duplicates));
    }
    if run.echoes > 0 {
        problems.push(format!(
            "{} own updates echoed back to their writers",
            run.echoes
        ));
    }
    if run.converged < run.clients {
        problems.push(format!(
            "only {}/{} clients converged",
            run.converged, run.clients
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean() -> Delivery {
        Delivery {
            drained: true,
            delivered: 100,
            expected: 100,
            duplicates: 0,
            echoes: 0,
            converged: 5,
            clients: 5,
        }
    }

    #[test]
    fn a_clean_run_has_no_problems() {
        assert!(delivery_problems(&clean()).is_empty());
    }

    #[test]
    fn each_fault_is_named() {
        let dropped = Delivery {
            delivered: 97,
            drained: false,
            ..clean()
        };
        assert_eq!(
            delivery_problems(&dropped),
            ["dropped: 3 of 100 deliveries never arrived"]
        );
        let doubled = Delivery {
            duplicates: 2,
            echoes: 1,
            converged: 4,
            ..clean()
        };
        assert_eq!(
            delivery_problems(&doubled),
            [
                "2 duplicate deliveries",
                "1 own updates echoed back to their writers",
                "only 4/5 clients converged"
            ]
        );
    }
}
