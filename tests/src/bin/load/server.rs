//! The server under test: spawning `polder serve` on a free loopback port in a
//! temporary data directory, minting an admin token through the CLI, waiting for
//! readiness, stopping it with SIGTERM, and reading its CPU time and memory from
//! `/proc`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// Where and how to run the server binary; shared by every scenario.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Path of the `polder` binary.
    pub bin: PathBuf,
    /// Extra arguments appended to `polder serve` (e.g. `--max-connections 20000`).
    pub extra_args: Vec<String>,
    /// How long to wait for `/readyz` to answer 200.
    pub ready_timeout: Duration,
}

/// A scratch directory holding the SQLite data dir and the server logs.
pub struct Workspace {
    /// Keeps the directory alive (and deletes it on drop unless kept).
    dir: Option<tempfile::TempDir>,
    /// Root path of the scratch directory.
    root: PathBuf,
}

impl Workspace {
    /// Creates a fresh scratch directory under the system temp dir.
    pub fn new() -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("polder-load-")
            .tempdir()
            .context("creating a temporary directory for the server data")?;
        let root = dir.path().to_path_buf();
        std::fs::create_dir_all(root.join("data")).context("creating the data directory")?;
        Ok(Self {
            dir: Some(dir),
            root,
        })
    }

    /// The server's `--data-dir`.
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// Path of the log file for the `n`th server start.
    pub fn log_path(&self, n: usize) -> PathBuf {
        self.root.join(format!("server-{n}.log"))
    }

    /// Keeps the directory on disk after the run and returns its path.
    pub fn keep(&mut self) -> PathBuf {
        if let Some(dir) = self.dir.take() {
            let _ = dir.keep();
        }
        self.root.clone()
    }

    /// Total size in bytes of every file under the data directory.
    pub fn data_bytes(&self) -> u64 {
        dir_size(&self.data_dir())
    }
}

/// Recursively sums file sizes under `path` (0 for anything unreadable).
fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Picks a free loopback port by binding port 0 and releasing it again.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
    Ok(listener
        .local_addr()
        .context("reading the bound port")?
        .port())
}

/// Checks that the server binary exists, with a hint on how to build it.
pub fn check_binary(bin: &Path) -> Result<()> {
    if !bin.is_file() {
        bail!(
            "server binary not found at {}: run `cargo build --release -p polder-server` first \
             (or pass --server-bin)",
            bin.display()
        );
    }
    Ok(())
}

/// Runs `polder token create --scope admin` against the data dir and returns the token.
pub fn create_admin_token(cfg: &ServerConfig, data_dir: &Path) -> Result<String> {
    let out = Command::new(&cfg.bin)
        .args([
            "token",
            "create",
            "--name",
            "polder-load",
            "--scope",
            "admin",
        ])
        .arg("--data-dir")
        .arg(data_dir)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {} token create", cfg.bin.display()))?;
    if !out.status.success() {
        bail!(
            "`polder token create` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let stdout = String::from_utf8(out.stdout).context("token is not UTF-8")?;
    let token = stdout.trim().to_string();
    if token.is_empty() || token.contains(char::is_whitespace) {
        bail!("`polder token create` printed an unexpected token line: {stdout:?}");
    }
    Ok(token)
}

/// A running `polder serve` child process, killed on drop if not stopped.
pub struct ServerProcess {
    /// The child process handle.
    child: Child,
    /// Address the server listens on.
    pub addr: SocketAddr,
    /// Its stderr log file.
    pub log: PathBuf,
    /// Whether `stop` already reaped it.
    stopped: bool,
    /// The bearer token the server was given for `/metrics`.
    metrics_token: String,
}

impl ServerProcess {
    /// Starts `polder serve` on a free port and waits until `/readyz` answers 200.
    pub async fn start(cfg: &ServerConfig, data_dir: &Path, log: PathBuf) -> Result<Self> {
        let port = free_port()?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let log_file =
            File::create(&log).with_context(|| format!("creating server log {}", log.display()))?;
        let metrics_token = format!("load-{:032x}", rand::random::<u128>());
        let child = Command::new(&cfg.bin)
            .env("POLDER_METRICS_TOKEN", &metrics_token)
            .arg("serve")
            .arg("--bind")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(data_dir)
            .args(&cfg.extra_args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log_file))
            .spawn()
            .with_context(|| format!("spawning {} serve", cfg.bin.display()))?;
        let mut server = Self {
            child,
            addr,
            log,
            stopped: false,
            metrics_token,
        };
        server.wait_ready(cfg.ready_timeout).await?;
        Ok(server)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Polls `GET /readyz` until it returns 200, the process exits, or the timeout hits.
    async fn wait_ready(&mut self, timeout: Duration) -> Result<()> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .context("building the HTTP client")?;
        let url = format!("http://{}/readyz", self.addr);
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().context("polling the server")? {
                self.stopped = true;
                bail!(
                    "server exited during startup ({status}); last log lines:\n{}",
                    self.log_tail(20)
                );
            }
            if let Ok(resp) = http.get(&url).send().await {
                if resp.status().is_success() {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                bail!(
                    "server at {} not ready after {:?}; last log lines:\n{}",
                    self.addr,
                    timeout,
                    self.log_tail(20)
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Fetches the Prometheus text from `/metrics`.
    pub async fn metrics(&self) -> Result<String> {
        let url = format!("http://{}/metrics", self.addr);
        let resp = reqwest::Client::new()
            .get(&url)
            .bearer_auth(&self.metrics_token)
            .send()
            .await
            .context("GET /metrics")?;
        resp.text().await.context("reading /metrics")
    }

    /// Sends SIGTERM and waits up to `grace` for exit (then SIGKILL).
    /// Returns how long the exit took and a description of the exit status.
    pub async fn stop(&mut self, grace: Duration) -> Result<(Duration, String)> {
        if self.stopped {
            return Ok((Duration::ZERO, "already exited".into()));
        }
        let start = Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .context("running kill -TERM")?;
        if !status.success() {
            eprintln!("warning: kill -TERM {} failed: {status}", self.pid());
        }
        loop {
            if let Some(status) = self.child.try_wait().context("waiting for the server")? {
                self.stopped = true;
                return Ok((start.elapsed(), status.to_string()));
            }
            if start.elapsed() > grace {
                self.child
                    .kill()
                    .context("SIGKILL after the grace period")?;
                let status = self.child.wait().context("reaping the server")?;
                self.stopped = true;
                return Ok((
                    start.elapsed(),
                    format!("did not exit within {grace:?} of SIGTERM, killed ({status})"),
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The last `n` lines of the server log (for error messages).
    pub fn log_tail(&self, n: usize) -> String {
        log_tail(&self.log, n)
    }

    /// Counts log lines containing any of `needles` (case-insensitive), e.g. errors.
    pub fn log_count(&self, needles: &[&str]) -> usize {
        let Ok(file) = File::open(&self.log) else {
            return 0;
        };
        BufReader::new(file)
            .lines()
            .map_while(|l| l.ok())
            .filter(|l| {
                let l = l.to_ascii_lowercase();
                needles.iter().any(|n| l.contains(n))
            })
            .count()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if !self.stopped {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The last `n` lines of a file, or a note if it cannot be read.
pub fn log_tail(path: &Path, n: usize) -> String {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(n)..].join("\n")
        }
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

/// Clock ticks per second for `/proc/*/stat` times (`getconf CLK_TCK`, else 100).
///
/// `sysconf` through libc would need `unsafe`, which the workspace forbids.
pub fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|t| *t > 0.0)
        .unwrap_or(100.0)
}

/// CPU seconds (user + system) consumed so far by process `pid` ("self" allowed).
pub fn cpu_seconds(pid: &str, ticks: f64) -> Result<f64> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let (_, cpu) = parse_stat(&stat, ticks).with_context(|| format!("malformed {path}"))?;
    Ok(cpu)
}

/// The command name and CPU seconds (user + system) of a `/proc/.../stat` line.
fn parse_stat(stat: &str, ticks: f64) -> Option<(&str, f64)> {
    // The command name may contain spaces and parentheses; fields resume after the last ')'.
    let (head, rest) = stat.rsplit_once(')')?;
    let (_, comm) = head.split_once('(')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Field 3 (state) is index 0 here, so utime (14) and stime (15) are 11 and 12.
    let field = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    Some((comm, (field(11)? + field(12)?) / ticks))
}

/// CPU seconds per kind of thread of process `pid`: the threads of one pool, named alike up to
/// a number (`sqlx-sqlite-worker-0`, `-1`, …; the kernel keeps 15 characters of a name), are
/// summed under the name without its number.
pub fn thread_cpu(pid: u32, ticks: f64) -> Result<BTreeMap<String, f64>> {
    let dir = format!("/proc/{pid}/task");
    let mut kinds = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {dir}"))? {
        // A thread that ended between listing and reading simply is not counted.
        let Ok(stat) = std::fs::read_to_string(entry?.path().join("stat")) else {
            continue;
        };
        if let Some((comm, cpu)) = parse_stat(&stat, ticks) {
            let kind = comm.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-');
            *kinds.entry(kind.to_owned()).or_insert(0.0) += cpu;
        }
    }
    Ok(kinds)
}

/// CPU seconds of every process called `name` on the machine, summed: the database server's
/// processes, say, whose work for the server under test happens outside it.
pub fn processes_cpu(name: &str, ticks: f64) -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            entry.file_name().to_str()?.parse::<u32>().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            let (comm, cpu) = parse_stat(&stat, ticks)?;
            (comm == name).then_some(cpu)
        })
        .sum()
}

/// What each kind of thread (see [`thread_cpu`]) spent between two readings.
pub fn thread_cpu_delta(
    before: &BTreeMap<String, f64>,
    after: &BTreeMap<String, f64>,
) -> BTreeMap<String, f64> {
    after
        .iter()
        .map(|(kind, cpu)| (kind.clone(), cpu - before.get(kind).copied().unwrap_or(0.0)))
        .filter(|(_, spent)| *spent > 0.0)
        .collect()
}

/// Resident memory of a process, from `/proc/PID/status`.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Memory {
    /// Current resident set size (VmRSS), KiB.
    pub rss_kib: u64,
    /// Peak resident set size (VmHWM), KiB.
    pub hwm_kib: u64,
}

/// Reads VmRSS and VmHWM for `pid`.
pub fn memory(pid: u32) -> Result<Memory> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let kib = |key: &str| -> Result<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("no {key} in {path}"))
    };
    Ok(Memory {
        rss_kib: kib("VmRSS:")?,
        hwm_kib: kib("VmHWM:")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_gives_its_name_and_cpu_even_with_spaces_and_parentheses() {
        let stat = "4242 (sqlx (sqlite) 1) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0";
        assert_eq!(parse_stat(stat, 100.0), Some(("sqlx (sqlite) 1", 3.0)));
        assert_eq!(parse_stat("4242 no parentheses", 100.0), None);
    }

    #[test]
    fn this_process_has_threads_and_a_delta_keeps_what_grew() {
        let kinds = thread_cpu(std::process::id(), clock_ticks()).unwrap();
        assert!(!kinds.is_empty());
        let before = BTreeMap::from([("a".to_owned(), 1.0), ("b".to_owned(), 2.0)]);
        let after = BTreeMap::from([
            ("a".to_owned(), 1.5),
            ("b".to_owned(), 2.0),
            ("c".to_owned(), 0.25),
        ]);
        let delta = thread_cpu_delta(&before, &after);
        assert_eq!(
            delta,
            BTreeMap::from([("a".to_owned(), 0.5), ("c".to_owned(), 0.25)])
        );
    }
}
