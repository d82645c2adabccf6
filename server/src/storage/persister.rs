//! [`Persister`]: group commit for document updates.
//!
//! Document actors hand their updates to one writer task through a bounded queue. The writer
//! takes everything that is waiting (up to a limit) and stores it in one transaction, so under
//! load many updates from many documents share one commit, and with a single writer SQLite never
//! sees competing write transactions. Each caller waits for its own batch to be durable before
//! it relays anything.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use super::{Appended, DocStore, StorageError, UpdateBatch};
use crate::metrics::Metrics;

/// How many appends may wait for the writer; callers wait when it is full.
const QUEUE_CAPACITY: usize = 4096;
/// The most appends one transaction takes.
const MAX_APPENDS_PER_COMMIT: usize = 512;

struct AppendJob {
    batch: UpdateBatch,
    done: oneshot::Sender<Result<Appended, Arc<StorageError>>>,
}

/// Handle to the group-commit writer; cheap to clone.
#[derive(Clone)]
pub struct Persister {
    queue: mpsc::Sender<AppendJob>,
}

impl Persister {
    /// Starts the writer task. It stops once every handle is dropped and its queue is drained.
    pub fn spawn(storage: Arc<dyn DocStore>, metrics: Arc<Metrics>) -> Self {
        let (queue, jobs) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(
            run_writer(storage, metrics, jobs).instrument(tracing::info_span!("persister")),
        );
        Self { queue }
    }

    /// Stores a document's updates durably and returns the sequence numbers they got, or why
    /// the append statement refused them (the document was frozen, a Yjs client id was
    /// claimed by someone else on another process).
    ///
    /// # Errors
    /// The storage error of the transaction this batch was part of (shared by every batch in
    /// it), or [`StorageError::WriterStopped`].
    pub async fn append(&self, batch: UpdateBatch) -> Result<Appended, Arc<StorageError>> {
        let (done, result) = oneshot::channel();
        self.queue
            .send(AppendJob { batch, done })
            .await
            .map_err(|_| Arc::new(StorageError::WriterStopped))?;
        result
            .await
            .map_err(|_| Arc::new(StorageError::WriterStopped))?
    }
}

async fn run_writer(
    storage: Arc<dyn DocStore>,
    metrics: Arc<Metrics>,
    mut jobs: mpsc::Receiver<AppendJob>,
) {
    let mut pending = Vec::with_capacity(MAX_APPENDS_PER_COMMIT);
    while jobs.recv_many(&mut pending, MAX_APPENDS_PER_COMMIT).await > 0 {
        let (batches, waiters): (Vec<_>, Vec<_>) =
            pending.drain(..).map(|job| (job.batch, job.done)).unzip();
        let started = Instant::now();
        let result = storage.append_updates(&batches).await;
        metrics
            .storage_commit_seconds
            .observe(started.elapsed().as_secs_f64());
        match result {
            Ok(appended) => {
                for (waiter, appended) in waiters.into_iter().zip(appended) {
                    let _ = waiter.send(Ok(appended));
                }
            }
            Err(err) => {
                metrics.storage_errors.inc();
                tracing::error!(error = %err, updates = batches.len(), "storing updates failed");
                let err = Arc::new(err);
                for waiter in waiters {
                    let _ = waiter.send(Err(err.clone()));
                }
            }
        }
    }
}
