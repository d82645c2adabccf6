//! Real `polder` processes for multi-process tests: a free port, a [`Node`] that runs
//! `polder serve` on a fixed port and can be killed (SIGKILL), stopped (SIGTERM) and started
//! again on the same port, the CLI's `token create`, and readiness and `/metrics` over HTTP.
//!
//! Every child is killed when its handle drops, so a failing test leaves no process behind.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// How long [`Node::start`] waits for `/readyz`.
pub const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// Picks a free loopback port by binding port 0 and releasing it again.
///
/// # Errors
/// When no port can be bound.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
    Ok(listener
        .local_addr()
        .context("reading the bound port")?
        .port())
}

/// How to run the server binary: the same for every node of a cluster.
#[derive(Clone, Debug)]
pub struct ServerSpec {
    /// Path of the `polder` binary (`polder-under-test` in the tests).
    pub bin: PathBuf,
    /// `POLDER_DATABASE_URL`.
    pub database_url: String,
    /// `POLDER_DATA_DIR`.
    pub data_dir: PathBuf,
    /// `POLDER_REDIS_URL`, when the nodes fan out through Redis.
    pub redis_url: Option<String>,
    /// Bearer token that may read `/metrics` (`POLDER_METRICS_TOKEN`).
    pub metrics_token: String,
    /// Extra arguments after `serve --bind ADDR`.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// Directory for one stderr log file per node start; `None` lets stderr through.
    pub log_dir: Option<PathBuf>,
}

impl ServerSpec {
    /// A spec for `bin` on the database at `database_url`, without Redis or extra flags.
    pub fn new(bin: impl Into<PathBuf>, database_url: &str, data_dir: impl Into<PathBuf>) -> Self {
        Self {
            bin: bin.into(),
            database_url: database_url.to_owned(),
            data_dir: data_dir.into(),
            redis_url: None,
            metrics_token: format!("metrics-{:032x}", rand::random::<u128>()),
            args: Vec::new(),
            env: Vec::new(),
            log_dir: None,
        }
    }

    /// A command for `bin` with the database environment set.
    fn command(&self) -> Command {
        let mut command = Command::new(&self.bin);
        command
            .env("POLDER_DATABASE_URL", &self.database_url)
            .env("POLDER_DATA_DIR", &self.data_dir)
            .env("POLDER_METRICS_TOKEN", &self.metrics_token)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null());
        if let Some(url) = &self.redis_url {
            command.env("POLDER_REDIS_URL", url);
        }
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }

    /// Runs `polder token create --scope SCOPE --user EMAIL` on the database: a token of a
    /// person.
    ///
    /// # Errors
    /// When the command fails.
    pub fn create_person_token(
        &self,
        name: &str,
        scope: &str,
        email: &str,
    ) -> anyhow::Result<String> {
        let output = self
            .command()
            .args([
                "token", "create", "--name", name, "--scope", scope, "--user", email,
            ])
            .output()
            .with_context(|| format!("running {} token create", self.bin.display()))?;
        if !output.status.success() {
            bail!(
                "`polder token create --user` failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(String::from_utf8(output.stdout)
            .context("token is not UTF-8")?
            .trim()
            .to_owned())
    }

    /// Runs `polder token create --scope admin` on the database and returns the token.
    ///
    /// # Errors
    /// When the command fails or prints something that is not a token.
    pub fn create_admin_token(&self, name: &str) -> anyhow::Result<String> {
        let output = self
            .command()
            .args(["token", "create", "--name", name, "--scope", "admin"])
            .output()
            .with_context(|| format!("running {} token create", self.bin.display()))?;
        if !output.status.success() {
            bail!(
                "`polder token create` failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let token = String::from_utf8(output.stdout).context("token is not UTF-8")?;
        let token = token.trim();
        if token.is_empty() || token.contains(char::is_whitespace) {
            bail!("`polder token create` printed an unexpected token line: {token:?}");
        }
        Ok(token.to_owned())
    }
}

/// One `polder serve` process on a fixed port; killed on drop.
pub struct Node {
    /// Name used in messages and log file names (`node1`).
    pub name: String,
    /// The port it listens on, kept across restarts.
    pub port: u16,
    spec: ServerSpec,
    child: Option<Child>,
    starts: usize,
}

impl Node {
    /// Starts a node on a free port and waits until it is ready.
    ///
    /// # Errors
    /// When the process cannot start or does not become ready.
    pub async fn start(name: &str, spec: &ServerSpec) -> anyhow::Result<Self> {
        let mut node = Self {
            name: name.to_owned(),
            port: free_port()?,
            spec: spec.clone(),
            child: None,
            starts: 0,
        };
        node.restart().await?;
        Ok(node)
    }

    /// The spec it runs with.
    pub fn spec(&self) -> &ServerSpec {
        &self.spec
    }

    /// Starts the process again on the same port (after [`Node::kill`] or [`Node::terminate`])
    /// and waits until it is ready.
    ///
    /// # Errors
    /// When it is still running, cannot start or does not become ready.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        if self.is_running() {
            bail!("{} is still running", self.name);
        }
        let mut command = self.spec.command();
        command
            .arg("serve")
            .arg("--bind")
            .arg(format!("127.0.0.1:{}", self.port))
            .args(&self.spec.args)
            .stdout(Stdio::null());
        match &self.spec.log_dir {
            Some(dir) => {
                let path = dir.join(format!("{}-{}.log", self.name, self.starts));
                let file = std::fs::File::create(&path)
                    .with_context(|| format!("creating {}", path.display()))?;
                command.stderr(Stdio::from(file));
            }
            None => {
                command.stderr(Stdio::inherit());
            }
        }
        self.starts += 1;
        let child = command
            .spawn()
            .with_context(|| format!("starting {} serve", self.spec.bin.display()))?;
        self.child = Some(child);
        self.wait_ready(READY_TIMEOUT).await
    }

    /// Whether the process is running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// The process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Polls `/readyz` until it answers 200; fails early when the process exits.
    async fn wait_ready(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Some(status) = child.try_wait().context("polling the server")? {
                    self.child = None;
                    bail!("{} exited during startup ({status})", self.name);
                }
            }
            if matches!(self.readyz().await, Ok((200, _))) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "{} not ready on port {} after {timeout:?}",
                    self.name,
                    self.port
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL, then reaps the process.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then waits up to `grace` for the exit (then SIGKILL). Returns how the process
    /// ended.
    ///
    /// # Errors
    /// When `kill` cannot be run or the process cannot be reaped.
    pub async fn terminate(&mut self, grace: Duration) -> anyhow::Result<String> {
        let Some(mut child) = self.child.take() else {
            return Ok("not running".into());
        };
        // `kill(2)` through libc would need `unsafe`, which the workspace forbids.
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .context("running kill -TERM")?;
        if !status.success() {
            bail!("kill -TERM {} failed: {status}", child.id());
        }
        let deadline = Instant::now() + grace;
        loop {
            if let Some(status) = child.try_wait().context("waiting for the server")? {
                return Ok(status.to_string());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let status = child.wait().context("reaping the server")?;
                return Ok(format!("killed after {grace:?} of SIGTERM ({status})"));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn http(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The sync endpoint of `doc` with `token`.
    pub fn ws_url(&self, doc: &str, token: &str) -> String {
        format!("ws://127.0.0.1:{}/ws/{doc}?token={token}", self.port)
    }

    /// Status and body of `/readyz`.
    ///
    /// # Errors
    /// When the server does not answer.
    pub async fn readyz(&self) -> anyhow::Result<(u16, String)> {
        let response = http_client()?
            .get(self.http("/readyz"))
            .send()
            .await
            .context("GET /readyz")?;
        let status = response.status().as_u16();
        Ok((status, response.text().await.unwrap_or_default()))
    }

    /// The Prometheus text of `/metrics`.
    ///
    /// # Errors
    /// When the server does not answer 200.
    pub async fn metrics(&self) -> anyhow::Result<String> {
        let response = http_client()?
            .get(self.http("/metrics"))
            .bearer_auth(&self.spec.metrics_token)
            .send()
            .await
            .context("GET /metrics")?;
        if !response.status().is_success() {
            bail!("GET /metrics answered {}", response.status());
        }
        response.text().await.context("reading /metrics")
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The samples of `text` (Prometheus exposition) whose metric name starts with `prefix`.
pub fn metric_lines<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines()
        .filter(|line| !line.starts_with('#') && line.starts_with(prefix))
        .collect()
}

fn http_client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .context("building the HTTP client")
}
