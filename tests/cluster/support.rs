//! What both cluster tests share: a [`Cluster`] of `polder serve` processes on one fresh
//! PostgreSQL schema with a private Redis, the edit [`Marker`]s clients write and find again,
//! and a percentile for the printed timings.

use std::collections::BTreeSet;
use std::time::Duration;

use polder_tests::{Node, PrivateRedis, ServerSpec, YClient};

use crate::helpers::{Backend, TestDatabase};

/// The `polder` command line, built into this crate.
pub const BINARY: &str = env!("CARGO_BIN_EXE_polder-under-test");

/// Several nodes on one database, fanning out through one private Redis.
///
/// Fields drop in order: the nodes stop before Redis, and the schema goes last.
pub struct Cluster {
    /// The server processes, `node1` first.
    pub nodes: Vec<Node>,
    /// The Redis they share.
    pub redis: PrivateRedis,
    /// An admin token for the sync endpoints.
    pub token: String,
    /// The schema they share, removed when the cluster drops.
    _database: TestDatabase,
}

impl Cluster {
    /// Starts `count` nodes with `args` after `serve --bind ADDR` and `env` set, or returns
    /// `None` (after printing why) when `TEST_DATABASE_URL` is not set.
    pub async fn start(count: usize, args: &[&str], env: &[(&str, &str)]) -> Option<Self> {
        let Some(backend) = Backend::postgres() else {
            eprintln!("skipped: TEST_DATABASE_URL is not set (the cluster tests need PostgreSQL)");
            return None;
        };
        let redis = PrivateRedis::start().await.expect("start a private Redis");
        let database = TestDatabase::create(&backend).await;
        let mut spec = ServerSpec::new(BINARY, &database.url, database.dir.path());
        spec.redis_url = Some(redis.url());
        spec.args = args.iter().map(|arg| (*arg).to_owned()).collect();
        spec.env = env
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        // The first CLI run migrates the schema, so the nodes do not race to do it.
        let token = spec.create_admin_token("cluster").expect("create a token");
        let mut nodes = Vec::with_capacity(count);
        for i in 0..count {
            let node = Node::start(&format!("node{}", i + 1), &spec)
                .await
                .expect("start a node");
            nodes.push(node);
        }
        Some(Self {
            nodes,
            redis,
            token,
            _database: database,
        })
    }

    /// The sync endpoint of `doc` on node `i` (0-based).
    pub fn url(&self, i: usize, doc: &str) -> String {
        self.nodes[i].ws_url(doc, &self.token)
    }

    /// A fresh client of `doc` on node `i`, synced.
    pub async fn fresh_client(&self, i: usize, doc: &str) -> YClient {
        let client = YClient::connect(&self.url(i, doc))
            .await
            .unwrap_or_else(|e| panic!("connect to node{}: {e:#}", i + 1));
        client
            .synced()
            .await
            .unwrap_or_else(|e| panic!("sync with node{}: {e:#}", i + 1));
        client
    }

    /// Prints the `polder_cluster_*` samples of every running node, histograms as sum and
    /// count only (absent metrics are noted, not failed).
    pub async fn print_metrics(&self) {
        for node in &self.nodes {
            match node.metrics().await {
                Ok(text) => {
                    let mut lines = polder_tests::process::metric_lines(&text, "polder_cluster_");
                    lines.retain(|line| !line.contains("_bucket"));
                    if lines.is_empty() {
                        println!("{}: no polder_cluster_* metrics", node.name);
                    }
                    for line in lines {
                        println!("{}: {line}", node.name);
                    }
                }
                Err(e) => println!("{}: /metrics unavailable: {e:#}", node.name),
            }
        }
    }
}

/// One edit a test client writes: the text `[c{client}-{n}]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Marker {
    /// Which logical client wrote it.
    pub client: usize,
    /// The client's counter.
    pub n: u32,
}

impl Marker {
    /// The text the client inserts.
    pub fn text(self) -> String {
        self.to_string()
    }
}

/// Every marker in `text` (anything else is ignored).
pub fn markers(text: &str) -> BTreeSet<Marker> {
    text.split('[')
        .filter_map(|part| {
            let (inner, _) = part.split_once(']')?;
            let (client, n) = inner.strip_prefix('c')?.split_once('-')?;
            Some(Marker {
                client: client.parse().ok()?,
                n: n.parse().ok()?,
            })
        })
        .collect()
}

/// Nearest-rank percentile `q` (0..=1) of `samples`, sorting them; `None` when empty.
pub fn percentile(samples: &mut [Duration], q: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_unstable();
    let rank = (q * samples.len() as f64).ceil() as usize;
    Some(samples[rank.clamp(1, samples.len()) - 1])
}

/// `p50 … ms, p99 … ms (n=…)` or `no samples`.
pub fn latency_line(samples: &mut [Duration]) -> String {
    match (percentile(samples, 0.5), percentile(samples, 0.99)) {
        (Some(p50), Some(p99)) => format!(
            "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (n={})",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3,
            samples[samples.len() - 1].as_secs_f64() * 1e3,
            samples.len()
        ),
        _ => "no samples".into(),
    }
}

impl std::fmt::Display for Marker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[c{}-{}]", self.client, self.n)
    }
}

/// The first few of `items` and how many there are, for failure messages.
pub fn sample<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    let mut shown = Vec::new();
    let mut count = 0usize;
    for item in items {
        if count < 8 {
            shown.push(item.to_string());
        }
        count += 1;
    }
    match count {
        0 => "none".into(),
        n if n > shown.len() => format!("{} … ({n} in all)", shown.join("")),
        _ => shown.join(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_between_other_text_and_each_other() {
        let found = markers("x[c3-17][c12-0]junk[c1-]][c2-5");
        let expected: BTreeSet<Marker> = [Marker { client: 3, n: 17 }, Marker { client: 12, n: 0 }]
            .into_iter()
            .collect();
        assert_eq!(found, expected);
        assert_eq!(markers(&Marker { client: 4, n: 9 }.text()).len(), 1);
    }

    #[test]
    fn samples_show_the_first_few_and_the_count() {
        let many: Vec<Marker> = (0..10).map(|n| Marker { client: 1, n }).collect();
        assert_eq!(
            sample(&many),
            "[c1-0][c1-1][c1-2][c1-3][c1-4][c1-5][c1-6][c1-7] … (10 in all)"
        );
        assert_eq!(sample(&many[..2]), "[c1-0][c1-1]");
        assert_eq!(sample(Vec::<Marker>::new()), "none");
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut samples: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        assert_eq!(
            percentile(&mut samples, 0.5),
            Some(Duration::from_millis(50))
        );
        assert_eq!(
            percentile(&mut samples, 0.99),
            Some(Duration::from_millis(99))
        );
        assert_eq!(percentile(&mut [], 0.5), None);
    }
}
