//! Kill -9 in the middle of writing: nothing any client has seen is lost.
//!
//! This starts the real `polder` command line as a process (built into this crate as
//! `polder-under-test`), writes from several clients, kills it with SIGKILL while they write,
//! starts it again on the same data and checks that a fresh client has every edit that any
//! client had received from the server.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use polder_tests::YClient;

use crate::helpers::{backend_tests, eventually, Backend, TestDatabase};

backend_tests!(sigkill_mid_writes_loses_nothing_any_client_saw);

const BINARY: &str = env!("CARGO_BIN_EXE_polder-under-test");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn command(database: &TestDatabase, args: &[&str]) -> Command {
    let mut command = Command::new(BINARY);
    command
        .args(args)
        .env("POLDER_DATABASE_URL", &database.url)
        .env("POLDER_DATA_DIR", database.dir.path())
        .env("RUST_LOG", "warn");
    command
}

fn start(database: &TestDatabase, port: u16) -> Child {
    command(
        database,
        &[
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--compact-after-updates",
            "40",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::inherit())
    .spawn()
    .expect("start polder")
}

async fn wait_ready(port: u16) {
    let url = format!("http://127.0.0.1:{port}/readyz");
    eventually("server ready", Duration::from_secs(20), || {
        let url = url.clone();
        async move {
            reqwest::get(&url)
                .await
                .is_ok_and(|r| r.status().is_success())
        }
    })
    .await;
}

/// The edit markers `[w{writer}-{n}]` in a text, excluding those of `own_writer`.
fn markers(text: &str, own_writer: Option<usize>) -> BTreeSet<String> {
    text.split('[')
        .filter_map(|part| part.split_once(']').map(|(marker, _)| marker.to_owned()))
        .filter(|marker| own_writer.is_none_or(|w| !marker.starts_with(&format!("w{w}-"))))
        .collect()
}

async fn sigkill_mid_writes_loses_nothing_any_client_saw(backend: Backend) {
    let database = TestDatabase::create(&backend).await;
    let token_output = command(
        &database,
        &[
            "token",
            "create",
            "--name",
            "durability",
            "--scope",
            "admin",
        ],
    )
    .output()
    .unwrap();
    assert!(
        token_output.status.success(),
        "{}",
        String::from_utf8_lossy(&token_output.stderr)
    );
    let token = String::from_utf8(token_output.stdout)
        .unwrap()
        .trim()
        .to_owned();
    let port = free_port();
    let mut server = start(&database, port);
    wait_ready(port).await;
    let url = format!("ws://127.0.0.1:{port}/ws/durable?token={token}");

    let observer = YClient::connect(&url).await.unwrap();
    observer.synced().await.unwrap();
    let mut writers = Vec::new();
    for _ in 0..3 {
        let writer = YClient::connect(&url).await.unwrap();
        writer.synced().await.unwrap();
        writers.push(writer);
    }
    // Writers write continuously; the kill lands once the observer has seen plenty, while
    // updates are still in flight.
    let writers: Vec<Arc<YClient>> = writers.into_iter().map(Arc::new).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = writers
        .iter()
        .enumerate()
        .map(|(w, writer)| {
            let writer = writer.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                for n in 0..100_000 {
                    if stop.load(Ordering::Relaxed)
                        || writer.append(&format!("[w{w}-{n}]")).await.is_err()
                    {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            })
        })
        .collect();
    observer
        .wait_for(
            "the observer to see 150 edits",
            Duration::from_secs(30),
            |c| markers(&c.text(), None).len() >= 150,
        )
        .await
        .unwrap();
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut seen = markers(&observer.text(), None);
    for (w, writer) in writers.iter().enumerate() {
        seen.extend(markers(&writer.text(), Some(w)));
    }
    assert!(
        seen.len() > 20,
        "the test should see many edits before the kill, saw {}",
        seen.len()
    );

    let mut restarted = start(&database, port);
    wait_ready(port).await;
    let fresh = YClient::connect(&url).await.unwrap();
    fresh.synced().await.unwrap();
    let stored = markers(&fresh.text(), None);
    let lost: Vec<_> = seen.difference(&stored).collect();
    assert!(lost.is_empty(), "edits seen by clients but lost: {lost:?}");
    restarted.kill().unwrap();
    restarted.wait().unwrap();
}
