//! One `polder serve` per SQLite file: a second process on the same data directory exits
//! with a message that says why and what to use instead, the first keeps serving, and once the
//! first is gone (even by SIGKILL, which leaves its lock file behind) a new one starts.
//!
//! This starts the real `polder` command line (built into this crate as `polder-under-test`).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::eventually;

const BINARY: &str = env!("CARGO_BIN_EXE_polder-under-test");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `polder serve` on the embedded SQLite database of `data_dir`, on `port`.
fn serve(data_dir: &Path, port: u16) -> Command {
    let mut command = Command::new(BINARY);
    command
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .args(["--scheduler", "off"])
        .env_remove("POLDER_DATABASE_URL")
        .env("POLDER_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn");
    command
}

/// A started process, killed when dropped, so a failing test leaves none behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn start(data_dir: &Path, port: u16) -> Running {
    Running(
        serve(data_dir, port)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start polder"),
    )
}

async fn ready(port: u16) -> bool {
    reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
        .await
        .is_ok_and(|r| r.status().is_success())
}

async fn wait_ready(port: u16) {
    eventually("server ready", Duration::from_secs(20), || ready(port)).await;
}

/// Waits up to `limit` for `child` to exit; a child still running then is killed and `None`.
fn exit_within(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_on_one_sqlite_file_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let first_port = free_port();
    let mut first = start(data.path(), first_port);
    wait_ready(first_port).await;

    let second_port = free_port();
    let mut second = Running(
        serve(data.path(), second_port)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start a second polder"),
    );
    let status =
        tokio::task::block_in_place(|| exit_within(&mut second.0, Duration::from_secs(20)));
    let mut stderr = String::new();
    if let Some(mut pipe) = second.0.stderr.take() {
        std::io::Read::read_to_string(&mut pipe, &mut stderr).unwrap();
    }
    let status = status.unwrap_or_else(|| panic!("the second process kept running: {stderr}"));
    assert!(!status.success(), "the second process must fail: {stderr}");
    let database = data.path().join("polder.db");
    assert!(
        stderr.contains(&format!(
            "another Polder process (pid {}) is already serving this SQLite database ({})",
            first.0.id(),
            database.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("use PostgreSQL with --redis-url for several"),
        "{stderr}"
    );
    assert!(
        !ready(second_port).await,
        "the refused process never listened"
    );
    assert!(ready(first_port).await, "the first process keeps serving");

    // SIGKILL: the lock file stays behind, the lock goes with the process.
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    assert!(data.path().join("polder.db.lock").exists());
    let third_port = free_port();
    let mut third = start(data.path(), third_port);
    wait_ready(third_port).await;
    // SIGTERM (with the `kill` command: the workspace forbids `unsafe`): a graceful stop, and
    // the directory is free again.
    let stopped = Command::new("kill")
        .args(["-TERM", &third.0.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let status = tokio::task::block_in_place(|| exit_within(&mut third.0, Duration::from_secs(20)))
        .expect("the third process stops on SIGTERM");
    assert!(status.success(), "a graceful stop exits 0: {status}");
    let fourth_port = free_port();
    let _fourth = start(data.path(), fourth_port);
    wait_ready(fourth_port).await;
}
