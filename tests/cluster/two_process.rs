//! Two processes on one database: a client on each writes to the same document, each client
//! sees every edit live, and after one process is killed and the other stopped, both load
//! every edit again.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use polder_tests::YClient;

use crate::support::{markers, sample, Cluster, Marker};

/// Markers each client writes.
const PER_CLIENT: u32 = 300;
/// How long the live edits may take to arrive everywhere.
const LIVE_TIMEOUT: Duration = Duration::from_secs(60);
/// The shared document.
const DOC: &str = "two-process";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "multi-process: run by scripts/test with --ignored --test-threads=1"]
async fn two_processes_share_every_edit_live_and_after_restarts() {
    let Some(mut cluster) = Cluster::start(2, &["--compact-after-updates", "50"], &[]).await else {
        return;
    };
    let clients = [
        Arc::new(cluster.fresh_client(0, DOC).await),
        Arc::new(cluster.fresh_client(1, DOC).await),
    ];
    let all: BTreeSet<Marker> = (0..2)
        .flat_map(|client| (0..PER_CLIENT).map(move |n| Marker { client, n }))
        .collect();

    let writers: Vec<_> = clients
        .iter()
        .enumerate()
        .map(|(client, yclient)| {
            let yclient = yclient.clone();
            tokio::spawn(async move {
                for n in 0..PER_CLIENT {
                    yclient
                        .append(&Marker { client, n }.text())
                        .await
                        .unwrap_or_else(|e| panic!("client {client} writes marker {n}: {e:#}"));
                    tokio::time::sleep(Duration::from_millis(3)).await;
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let started = tokio::time::Instant::now();
    for (i, client) in clients.iter().enumerate() {
        wait_for_all(client, &all, LIVE_TIMEOUT)
            .await
            .unwrap_or_else(|missing| {
                panic!(
                    "the client on node{} sees {} of {} markers live; missing e.g. {}",
                    i + 1,
                    all.len() - missing.len(),
                    all.len(),
                    sample(&missing)
                )
            });
    }
    println!(
        "both clients saw all {} markers {:.0} ms after the last write",
        all.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(
        clients[0].text(),
        clients[1].text(),
        "both live texts agree"
    );

    cluster.nodes[0].kill();
    let how = cluster.nodes[1]
        .terminate(Duration::from_secs(20))
        .await
        .unwrap();
    println!("node1 killed (SIGKILL); node2 stopped with SIGTERM: {how}");
    drop(clients);
    for node in &mut cluster.nodes {
        node.restart().await.unwrap();
    }
    for i in 0..2 {
        let fresh = cluster.fresh_client(i, DOC).await;
        let stored = markers(&fresh.text());
        let missing: Vec<_> = all.difference(&stored).collect();
        assert!(
            missing.is_empty(),
            "a fresh client on node{} after the restarts loads {} of {} markers; missing e.g. {}",
            i + 1,
            all.len() - missing.len(),
            all.len(),
            sample(&missing)
        );
        assert_eq!(
            fresh.text().len(),
            all.iter().map(|m| m.text().len()).sum::<usize>(),
            "node{} loads every marker exactly once and nothing else",
            i + 1
        );
        fresh.close().await;
    }
}

/// Waits until `client` has every marker of `all`; on timeout returns the missing ones.
async fn wait_for_all(
    client: &YClient,
    all: &BTreeSet<Marker>,
    timeout: Duration,
) -> Result<(), Vec<Marker>> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let seen = markers(&client.text());
        let missing: Vec<Marker> = all.difference(&seen).copied().collect();
        if missing.is_empty() {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline || client.close_info().is_some() {
            return Err(missing);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
