//! The bytes waiting in every connection's outbound queue, summed when `/metrics` is read.
//!
//! Each queue keeps its own byte count (which its budget needs anyway). A process-wide gauge
//! updated on every frame would be one more atomic that the document actor and every
//! connection's writer, on different cores, write twice per delivery; summing the queues'
//! own counts at scrape time costs the sync path nothing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::gauge::ConstGauge;

/// The byte counts of the open outbound queues.
#[derive(Debug, Default)]
pub struct QueuedBytes {
    queues: Mutex<Vec<Weak<AtomicUsize>>>,
}

impl QueuedBytes {
    /// Counts `queue` in the total for as long as it exists.
    pub fn track(&self, queue: &Arc<AtomicUsize>) {
        let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget closed queues whenever the list doubles, so it stays proportional to the
        // open ones.
        if queues.len() >= 64 && queues.len().is_power_of_two() {
            queues.retain(|q| q.strong_count() > 0);
        }
        queues.push(Arc::downgrade(queue));
    }

    /// Bytes queued now across every open queue.
    pub fn total(&self) -> usize {
        let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
        let mut total = 0usize;
        queues.retain(|q| match q.upgrade() {
            Some(count) => {
                total = total.saturating_add(count.load(Ordering::Relaxed));
                true
            }
            None => false,
        });
        total
    }
}

/// Exports [`QueuedBytes::total`] as the gauge `outbound_queued_bytes`.
#[derive(Debug)]
pub(super) struct QueuedBytesCollector(pub(super) Arc<QueuedBytes>);

impl Collector for QueuedBytesCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let gauge = ConstGauge::new(i64::try_from(self.0.total()).unwrap_or(i64::MAX));
        let metric = encoder.encode_descriptor(
            "outbound_queued_bytes",
            "Bytes queued to sync connections and not yet written",
            None,
            gauge.metric_type(),
        )?;
        gauge.encode(metric)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_sums_open_queues_and_forgets_closed_ones() {
        let queued = QueuedBytes::default();
        let one = Arc::new(AtomicUsize::new(10));
        let two = Arc::new(AtomicUsize::new(5));
        queued.track(&one);
        queued.track(&two);
        assert_eq!(queued.total(), 15);
        drop(two);
        assert_eq!(queued.total(), 10);
        one.store(0, Ordering::Relaxed);
        assert_eq!(queued.total(), 0);
    }
}
