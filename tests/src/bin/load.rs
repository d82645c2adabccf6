//! `polder-load`: the load generator for the Polder y-websocket server.
//!
//! It owns the whole benchmark loop: it spawns `polder serve` itself on a free
//! 127.0.0.1 port in a fresh temporary data directory, mints an admin token with
//! `polder token create`, drives one scenario with in-process y-websocket clients
//! (yrs does all Yjs encoding), stops the server and prints a human-readable
//! report followed by one JSON line on stdout. Progress goes to stderr.
//!
//! Scenarios (each bounded in count and time):
//! - `fanout`: N docs x M clients, W writers per doc at R updates/s; delivery
//!   latency, server CPU per delivered update, RSS, convergence.
//! - `docs`: many documents with a few KB of text each, kept open; RSS per doc.
//! - `cold-load`: one doc with many small updates, then restart the server and
//!   time the first SyncStep1 -> SyncStep2 round trip.
//! - `cluster`: several server processes on one PostgreSQL database with a private
//!   Redis, writers and readers on every node of one hot document; cross-process
//!   delivery latency and the throughput every node delivered.

#[path = "load/cluster.rs"]
mod cluster;
#[path = "load/cold.rs"]
mod cold;
#[path = "load/docs.rs"]
mod docs;
#[path = "load/fanout.rs"]
mod fanout;
#[path = "load/fanout_client.rs"]
mod fanout_client;
#[path = "load/server.rs"]
mod server;
#[path = "load/stats.rs"]
mod stats;
#[path = "load/ysync.rs"]
mod ysync;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use server::{ServerConfig, Workspace};

/// Command line of `polder-load`.
#[derive(Parser, Debug)]
#[command(name = "polder-load", about = "Load generator for the Polder server")]
struct Cli {
    /// Path of the server binary (built with `cargo build --release -p polder-server`).
    #[arg(
        long,
        global = true,
        default_value = "target/release/polder",
        env = "POLDER_SERVER_BIN"
    )]
    server_bin: PathBuf,
    /// Extra argument for `polder serve`; repeat it, e.g. `--server-arg=--max-connections --server-arg=20000`.
    #[arg(long = "server-arg", global = true, allow_hyphen_values = true)]
    server_args: Vec<String>,
    /// Tokio worker threads for the clients (the server shares the machine).
    #[arg(long, global = true, default_value_t = 1)]
    client_threads: usize,
    /// Hard limit on the whole run, in seconds.
    #[arg(long, global = true, default_value_t = 900)]
    timeout: u64,
    /// Keep the temporary data/log directory instead of deleting it.
    #[arg(long, global = true)]
    keep_dir: bool,
    /// Print the server's `/metrics` (polder_* lines) at the end of the scenario.
    #[arg(long, global = true)]
    metrics: bool,
    /// Scenario to run.
    #[command(subcommand)]
    cmd: Scenario,
}

/// The scenarios.
#[derive(Subcommand, Debug)]
enum Scenario {
    /// Many clients per document, a few writers: delivery latency and cost.
    Fanout(fanout::Args),
    /// Many documents with some text each: memory per document.
    Docs(docs::Args),
    /// Many small updates in one document, then timed loads after restarts.
    ColdLoad(cold::Args),
    /// Several server processes on one PostgreSQL database and a private Redis: one hot
    /// document, cross-process delivery latency and throughput.
    Cluster(cluster::Args),
}

/// What every scenario gets: the server recipe, the scratch dir and options.
pub struct Ctx {
    /// How to start the server.
    pub server: ServerConfig,
    /// Scratch directory (data dir and logs).
    pub work: Workspace,
    /// Clock ticks per second for `/proc` CPU times.
    pub ticks: f64,
    /// Whether to dump `/metrics` at the end.
    pub dump_metrics: bool,
}

impl Ctx {
    /// Prints the polder_* lines of the server's `/metrics` if asked to.
    pub async fn maybe_dump_metrics(&self, srv: &server::ServerProcess) {
        if !self.dump_metrics {
            return;
        }
        match srv.metrics().await {
            Ok(text) => {
                println!("server /metrics (polder_* samples):");
                for line in text
                    .lines()
                    .filter(|l| l.starts_with("polder_") || l.starts_with("process_"))
                {
                    println!("  {line}");
                }
            }
            Err(e) => println!("server /metrics unavailable: {e:#}"),
        }
    }
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("polder-load: error: {e:#}");
        std::process::exit(1);
    }
}

/// Builds the runtime and runs the chosen scenario under the global timeout.
fn run(cli: Cli) -> Result<()> {
    server::check_binary(&cli.server_bin)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cli.client_threads.max(1))
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    let mut ctx = Ctx {
        server: ServerConfig {
            bin: cli.server_bin.clone(),
            extra_args: cli.server_args.clone(),
            ready_timeout: Duration::from_secs(30),
        },
        work: Workspace::new()?,
        ticks: server::clock_ticks(),
        dump_metrics: cli.metrics,
    };
    eprintln!("scratch dir: {}", ctx.work.data_dir().display());
    let limit = Duration::from_secs(cli.timeout);
    let result = runtime.block_on(async {
        let scenario = async {
            match &cli.cmd {
                Scenario::Fanout(a) => fanout::run(&ctx, a).await,
                Scenario::Docs(a) => docs::run(&ctx, a).await,
                Scenario::ColdLoad(a) => cold::run(&ctx, a).await,
                Scenario::Cluster(a) => cluster::run(&ctx, a).await,
            }
        };
        tokio::time::timeout(limit, scenario)
            .await
            .with_context(|| format!("run exceeded --timeout {}s", cli.timeout))?
    });
    // Client tasks still blocked on sockets must not keep the process alive.
    runtime.shutdown_timeout(Duration::from_secs(2));
    if cli.keep_dir {
        eprintln!("kept scratch dir {}", ctx.work.keep().display());
    }
    let report = result?;
    println!(
        "{}",
        serde_json::to_string(&report).context("encoding the report")?
    );
    // A run that lost, duplicated or echoed updates, or did not converge, fails.
    if let Some(problems) = report["delivery_problems"].as_array() {
        if !problems.is_empty() {
            anyhow::bail!("delivery check failed: {problems:?}");
        }
    }
    Ok(())
}
