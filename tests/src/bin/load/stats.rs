//! Small statistics helpers: percentile summaries over sorted samples and
//! grouping of error messages for the report.

use std::collections::BTreeMap;

use serde::Serialize;

/// Percentile summary of a set of samples (unit chosen by the caller).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Summary {
    /// Number of samples.
    pub count: usize,
    /// Smallest sample.
    pub min: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest sample.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
}

impl Summary {
    /// Summarises `samples` (sorted in place). Empty input gives all zeros.
    pub fn of(samples: &mut [f64]) -> Self {
        if samples.is_empty() {
            return Self::default();
        }
        samples.sort_by(f64::total_cmp);
        let at = |q: f64| {
            // Nearest-rank percentile.
            let rank = (q * samples.len() as f64).ceil() as usize;
            samples[rank.clamp(1, samples.len()) - 1]
        };
        Self {
            count: samples.len(),
            min: samples[0],
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: samples[samples.len() - 1],
            mean: samples.iter().sum::<f64>() / samples.len() as f64,
        }
    }

    /// Summarises integer microsecond samples, reporting milliseconds.
    pub fn of_micros_as_ms(samples: &[u32]) -> Self {
        let mut ms: Vec<f64> = samples.iter().map(|&us| f64::from(us) / 1000.0).collect();
        Self::of(&mut ms)
    }

    /// One human-readable line, e.g. `p50 1.20 p90 … max 9.80 ms (n=123)`.
    pub fn line(&self, unit: &str) -> String {
        format!(
            "min {:.2}  p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2} {unit}  (mean {:.2}, n={})",
            self.min, self.p50, self.p90, self.p99, self.max, self.mean, self.count
        )
    }
}

/// Counts identical error strings so a thousand failures print as one line.
#[derive(Debug, Default, Serialize)]
pub struct ErrorTally(pub BTreeMap<String, usize>);

impl ErrorTally {
    /// Records one occurrence of `msg`.
    pub fn add(&mut self, msg: impl Into<String>) {
        *self.0.entry(msg.into()).or_default() += 1;
    }

    /// Total number of recorded errors.
    pub fn total(&self) -> usize {
        self.0.values().sum()
    }

    /// Prints each distinct error with its count, indented.
    pub fn print(&self, what: &str) {
        if self.0.is_empty() {
            println!("{what}: none");
            return;
        }
        println!("{what}: {}", self.total());
        for (msg, n) in &self.0 {
            println!("  {n} x {msg}");
        }
    }
}
