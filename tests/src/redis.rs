//! [`PrivateRedis`]: a `redis-server` of a test's own on a spare loopback port, without
//! persistence, that a test can stop and start again on the same port to play a Redis outage.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::process::free_port;

/// How long a start waits for the server to answer `PING`.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// A private `redis-server` process; killed on drop.
pub struct PrivateRedis {
    /// The port it listens on, kept across restarts.
    pub port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    /// Starts `redis-server --port P --save "" --appendonly no` on a free port and waits until
    /// it answers.
    ///
    /// # Errors
    /// When `redis-server` is not installed (the message says how to install it), cannot
    /// start or does not answer.
    pub async fn start() -> anyhow::Result<Self> {
        let mut redis = Self {
            port: free_port()?,
            child: None,
        };
        redis.restart().await?;
        Ok(redis)
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server again on the same port, with the same flags, after [`Self::stop`].
    ///
    /// # Errors
    /// As for [`Self::start`], and when it is still running.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        if self.child.is_some() {
            bail!("redis-server on port {} is still running", self.port);
        }
        let port = self.port.to_string();
        let child = Command::new("redis-server")
            .args(["--port", &port, "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|error| match error.kind() {
                std::io::ErrorKind::NotFound => anyhow::anyhow!(
                    "redis-server is not on PATH: the cluster tests need it \
                     (apt-get install redis-server)"
                ),
                _ => anyhow::Error::new(error).context("starting redis-server"),
            })?;
        self.child = Some(child);
        self.wait_ready().await
    }

    /// Stops the server (SIGTERM, SIGKILL after 5 s) and waits for it to exit.
    ///
    /// # Errors
    /// When `kill` cannot be run or the process cannot be reaped.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        // `kill(2)` through libc would need `unsafe`, which the workspace forbids.
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .context("running kill -TERM")?;
        let deadline = Instant::now() + Duration::from_secs(5);
        while status.success() && Instant::now() < deadline {
            if child
                .try_wait()
                .context("waiting for redis-server")?
                .is_some()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = child.kill();
        child.wait().context("reaping redis-server")?;
        Ok(())
    }

    /// Sends `PING` until `+PONG` comes back; fails early when the process exits.
    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Some(status) = child.try_wait().context("polling redis-server")? {
                    self.child = None;
                    bail!(
                        "redis-server on port {} exited at start ({status})",
                        self.port
                    );
                }
            }
            if ping(self.port).await {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("redis-server on port {} does not answer PING", self.port);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Whether a Redis server on `port` answers an inline `PING`.
async fn ping(port: u16) -> bool {
    let attempt = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
        stream.write_all(b"PING\r\n").await.ok()?;
        let mut reply = [0u8; 7];
        stream.read_exact(&mut reply).await.ok()?;
        Some(&reply == b"+PONG\r\n")
    };
    tokio::time::timeout(Duration::from_secs(1), attempt)
        .await
        .ok()
        .flatten()
        .unwrap_or(false)
}
