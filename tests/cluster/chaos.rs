//! The chaos test: three processes on one database and one Redis, fifteen clients on three
//! documents writing for a minute while a node is killed and restarted, Redis goes away and
//! comes back, and every node drops a tenth of its Redis publishes on purpose.
//!
//! Asserted: every marker some other client saw, and every marker written on a connection
//! still open at the end, is in the stored document loaded through each node; all live
//! clients of a document end with the same text; `/readyz` stays 200 while Redis is down.
//! Printed: markers sent and seen, cross-process latency with Redis up and down, the time to
//! converge after each fault, reconnects and the nodes' `polder_cluster_*` metrics.

mod client;
mod ledger;

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use client::Shared;
use ledger::Ledger;

use crate::support::{latency_line, markers, sample, Cluster, Marker};

/// Nodes, documents and clients (client `c` edits document `c % DOCS`).
const NODES: usize = 3;
const DOCS: usize = 3;
const CLIENTS: usize = 15;
/// The schedule, from the start of writing.
const KILL_AT: Duration = Duration::from_secs(15);
const RESTART_AT: Duration = Duration::from_secs(35);
const REDIS_DOWN_AT: Duration = Duration::from_secs(40);
const REDIS_UP_AT: Duration = Duration::from_secs(50);
const WRITING_ENDS_AT: Duration = Duration::from_secs(65);
/// The node that is killed (0-based: `node2`).
const VICTIM: usize = 1;
/// How long the clients may take to agree once writing stops, and after a fault.
const QUIESCE: Duration = Duration::from_secs(30);
const CONVERGE_LIMIT: Duration = Duration::from_secs(25);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "multi-process: run by scripts/test with --ignored --test-threads=1"]
async fn edits_survive_a_killed_node_a_redis_outage_and_dropped_publishes() {
    let args = ["--compact-after-updates", "100"];
    let env = [("POLDER_TEST_DROP_PUBLISHES", "10")];
    let Some(mut cluster) = Cluster::start(NODES, &args, &env).await else {
        return;
    };
    let urls = (0..NODES)
        .map(|node| (0..DOCS).map(|d| cluster.url(node, &doc_name(d))).collect())
        .collect();
    let shared = Arc::new(Shared {
        ledger: Arc::new(Mutex::new(Ledger::new(CLIENTS, DOCS))),
        urls,
        writing: std::sync::atomic::AtomicBool::new(true),
        done: std::sync::atomic::AtomicBool::new(false),
        live: (0..CLIENTS).map(|_| Mutex::new(None)).collect(),
    });
    let start = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| tokio::spawn(client::run(shared.clone(), c, (c / DOCS) % NODES)))
        .collect();

    let mut failures = Vec::new();
    let mut faults = Vec::new();
    sleep_until(start + KILL_AT).await;
    cluster.nodes[VICTIM].kill();
    println!("t={:.1}s node2 killed (SIGKILL)", secs(start));
    faults.push(measure_convergence(&shared, "node2 killed"));
    sleep_until(start + RESTART_AT).await;
    cluster.nodes[VICTIM].restart().await.unwrap();
    println!(
        "t={:.1}s node2 restarted on port {}",
        secs(start),
        cluster.nodes[VICTIM].port
    );
    faults.push(measure_convergence(&shared, "node2 restarted"));
    sleep_until(start + REDIS_DOWN_AT).await;
    cluster.redis.stop().await.unwrap();
    let redis_down = Instant::now();
    println!("t={:.1}s Redis stopped", secs(start));
    faults.push(measure_convergence(&shared, "Redis stopped"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    for node in &cluster.nodes {
        match node.readyz().await {
            Ok((200, body)) => println!("{} /readyz during the outage: 200 {body:?}", node.name),
            other => failures.push(format!(
                "{} /readyz during the outage: {other:?}",
                node.name
            )),
        }
    }
    sleep_until(start + REDIS_UP_AT).await;
    cluster.redis.restart().await.unwrap();
    let redis_up = Instant::now();
    println!("t={:.1}s Redis restarted", secs(start));
    faults.push(measure_convergence(&shared, "Redis restarted"));
    sleep_until(start + WRITING_ENDS_AT).await;
    shared.writing.store(false, Ordering::Relaxed);
    let writing_ended = Instant::now();
    println!("t={:.1}s writing stopped", secs(start));

    let quiesced = quiesce(&shared).await;
    match quiesced {
        Some(took) => println!(
            "live clients agreed {:.0} ms after writing stopped",
            ms(took)
        ),
        None => println!("live clients did NOT agree within {QUIESCE:?} after writing stopped"),
    }
    failures.extend(compare_live_clients(&shared));
    let stored = check_stored(&cluster, &shared, &mut failures).await;
    shared.done.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }

    println!(
        "== chaos report ({:.1} s of writing)",
        (writing_ended - start).as_secs_f64()
    );
    print_ledger(&shared.ledger(), &stored, start, &(redis_down..redis_up));
    for fault in faults {
        let (label, took) = fault.await.unwrap();
        match took {
            Some(took) => println!("converged {:.0} ms after: {label}", ms(took)),
            None => println!("NOT converged within {CONVERGE_LIMIT:?} after: {label}"),
        }
    }
    cluster.print_metrics().await;
    assert!(
        failures.is_empty(),
        "chaos test failures:\n{}",
        failures.join("\n")
    );
}

/// Prints markers sent and seen, reconnects and the cross-process latencies.
fn print_ledger(
    ledger: &Ledger,
    stored: &BTreeSet<Marker>,
    start: Instant,
    outage: &std::ops::Range<Instant>,
) {
    println!(
        "markers: {} sent, {} seen by another client, {} stored (loaded through node1); \
         reconnects: {}",
        ledger.sent_count(),
        ledger.seen_by_others_count(),
        stored.len(),
        ledger.reconnects()
    );
    println!(
        "reconnect (close to synced on the next node): {}",
        latency_line(&mut ledger.reconnect_times())
    );
    let unstored = ledger.sent_but_not_in(stored);
    if let (Some(first), Some(last)) = (unstored.first(), unstored.last()) {
        let nodes: BTreeSet<String> = unstored
            .iter()
            .map(|(_, _, node)| format!("node{}", node + 1))
            .collect();
        println!(
            "sent but not stored (no other client saw them, their connection closed): {} \
             written on {} between t={:.1}s and t={:.1}s: {}",
            unstored.len(),
            nodes.into_iter().collect::<Vec<_>>().join(", "),
            first.1.saturating_duration_since(start).as_secs_f64(),
            last.1.saturating_duration_since(start).as_secs_f64(),
            sample(unstored.iter().map(|(marker, _, _)| marker)),
        );
    }
    let mut latencies = ledger.latencies(outage);
    println!(
        "cross-process latency, Redis up: {}",
        latency_line(&mut latencies.redis_up)
    );
    println!(
        "cross-process latency, during the Redis outage: {}",
        latency_line(&mut latencies.redis_down)
    );
    println!(
        "markers never seen on another node: {}",
        latencies.never_elsewhere
    );
}

fn doc_name(doc: usize) -> String {
    format!("chaos-{doc}")
}

async fn sleep_until(at: Instant) {
    tokio::time::sleep_until(at.into()).await;
}

fn secs(since: Instant) -> f64 {
    since.elapsed().as_secs_f64()
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// From now, how long until every client has seen every marker that some other client had
/// seen by now (`None` past [`CONVERGE_LIMIT`]).
fn measure_convergence(
    shared: &Arc<Shared>,
    label: &'static str,
) -> tokio::task::JoinHandle<(&'static str, Option<Duration>)> {
    let shared = shared.clone();
    let from = Instant::now();
    let mut pending = shared.ledger().unseen();
    tokio::spawn(async move {
        while from.elapsed() < CONVERGE_LIMIT {
            shared.ledger().retain_unseen(&mut pending);
            if pending.is_empty() {
                return (label, Some(from.elapsed()));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        (label, None)
    })
}

/// Waits until every client is connected and the live clients of each document have the same
/// text holding every required marker; returns how long that took.
async fn quiesce(shared: &Shared) -> Option<Duration> {
    let from = Instant::now();
    while from.elapsed() < QUIESCE {
        if (0..DOCS).all(|doc| doc_converged(shared, doc)) {
            return Some(from.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

fn doc_converged(shared: &Shared, doc: usize) -> bool {
    let required = shared.ledger().required(doc);
    let mut texts = Vec::new();
    for client in (0..CLIENTS).filter(|c| c % DOCS == doc) {
        let Some(yclient) = shared.live_client(client) else {
            return false;
        };
        texts.push(yclient.text());
    }
    texts.windows(2).all(|pair| pair[0] == pair[1])
        && texts
            .first()
            .is_some_and(|text| markers(text).is_superset(&required))
}

/// The failures of "all live clients of a document have equal text": one line per document.
fn compare_live_clients(shared: &Shared) -> Vec<String> {
    let mut failures = Vec::new();
    for doc in 0..DOCS {
        let mut texts: Vec<(usize, String)> = Vec::new();
        for client in (0..CLIENTS).filter(|c| c % DOCS == doc) {
            match shared.live_client(client) {
                Some(yclient) => texts.push((client, yclient.text())),
                None => failures.push(format!("client {client} is not connected at the end")),
            }
        }
        let Some((first, reference)) = texts.first() else {
            continue;
        };
        let differing: Vec<&(usize, String)> = texts[1..]
            .iter()
            .filter(|(_, text)| text != reference)
            .collect();
        if let Some((client, text)) = differing.first() {
            let (theirs, ours) = (markers(text), markers(reference));
            failures.push(format!(
                "{}: {} of {} live clients differ from client {first}; e.g. client {client} has \
                 {} markers, client {first} {}; only client {client} has {}; only client {first} \
                 has {}",
                doc_name(doc),
                differing.len(),
                texts.len(),
                theirs.len(),
                ours.len(),
                sample(theirs.difference(&ours)),
                sample(ours.difference(&theirs)),
            ));
        }
    }
    failures
}

/// Loads every document through every node with a fresh client and checks it holds every
/// required marker; returns the markers stored (as loaded through node1).
async fn check_stored(
    cluster: &Cluster,
    shared: &Shared,
    failures: &mut Vec<String>,
) -> BTreeSet<Marker> {
    let mut stored_all = BTreeSet::new();
    for doc in 0..DOCS {
        let required = shared.ledger().required(doc);
        for node in 0..NODES {
            let fresh = cluster.fresh_client(node, &doc_name(doc)).await;
            let stored = markers(&fresh.text());
            fresh.close().await;
            if node == 0 {
                stored_all.extend(stored.iter().copied());
            }
            let lost: Vec<_> = required.difference(&stored).collect();
            if !lost.is_empty() {
                failures.push(format!(
                    "{} loaded through node{}: {} of {} required markers missing, e.g. {}",
                    doc_name(doc),
                    node + 1,
                    lost.len(),
                    required.len(),
                    sample(lost),
                ));
            }
        }
    }
    stored_all
}
