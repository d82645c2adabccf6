//! A connection's outbound queue, bounded in frames *and* in bytes.
//!
//! The document actor puts encoded frames in with [`Outbox::try_send`]; the connection's writer
//! takes them out with [`OutboxReceiver::recv_many`] and, once it has written them to the
//! socket, hands them back to [`OutboxReceiver::written`]. The bytes of every frame between the
//! two count against the connection's budget, so a peer that stops reading can hold at most
//! that many bytes of server memory, however large or numerous the frames.
//!
//! The only cost per frame is an atomic add (and one subtract when it is written): no lock and
//! no allocation besides the channel slot. `/metrics` sums the queues' counts when it is read
//! ([`crate::metrics::QueuedBytes`]), so the export adds nothing per frame.
//!
//! A full-state reply (sync step 2) is marked: while one is queued for a connection, the actor
//! does not build a second one for it ([`Outbox::state_reply_pending`]); the pending reply plus
//! the updates relayed after it already bring the peer up to date.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

use crate::metrics::Metrics;

/// One frame on its way to the socket.
pub struct OutFrame {
    /// The encoded y-websocket message.
    pub bytes: Bytes,
    /// Whether this frame is a full-state reply (sync step 2).
    state_reply: bool,
}

impl OutFrame {
    /// Takes the frame's bytes for the socket (moved, not cloned: the buffer is shared by every
    /// receiver of a relayed update, so a clone would be one more contended reference count per
    /// delivery) and adds what it held to `written`.
    pub fn take(self, written: &mut Written) -> Bytes {
        written.bytes += self.bytes.len();
        written.state_reply |= self.state_reply;
        self.bytes
    }
}

/// What a batch of frames held, handed back with [`OutboxReceiver::release`] once the socket has
/// taken them.
#[derive(Debug, Default)]
pub struct Written {
    bytes: usize,
    state_reply: bool,
}

/// Why a frame was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxFull {
    /// The frame or byte budget is used up: the peer does not keep up.
    Full,
    /// The writer has gone away.
    Closed,
}

struct Shared {
    queued_bytes: Arc<AtomicUsize>,
    budget: usize,
    state_reply_pending: AtomicBool,
}

impl Shared {
    fn release(&self, bytes: usize) {
        self.queued_bytes.fetch_sub(bytes, Ordering::AcqRel);
    }
}

/// The actor's end of a connection's outbound queue.
pub struct Outbox {
    sender: mpsc::Sender<OutFrame>,
    shared: Arc<Shared>,
}

/// The writer's end of a connection's outbound queue.
pub struct OutboxReceiver {
    receiver: mpsc::Receiver<OutFrame>,
    shared: Arc<Shared>,
}

/// A queue of at most `frames` frames and `budget_bytes` bytes, plus one full-state reply. A
/// single frame larger than the budget is still accepted when nothing else is queued.
pub fn outbox(
    frames: usize,
    budget_bytes: usize,
    metrics: Arc<Metrics>,
) -> (Outbox, OutboxReceiver) {
    let (sender, receiver) = mpsc::channel(frames.max(1));
    let queued_bytes = Arc::new(AtomicUsize::new(0));
    metrics.outbound_queued.track(&queued_bytes);
    let shared = Arc::new(Shared {
        queued_bytes,
        budget: budget_bytes,
        state_reply_pending: AtomicBool::new(false),
    });
    (
        Outbox {
            sender,
            shared: shared.clone(),
        },
        OutboxReceiver { receiver, shared },
    )
}

impl Outbox {
    /// Queues a frame, or says why not (nothing is queued then).
    ///
    /// # Errors
    /// [`OutboxFull::Full`] when the frame would exceed the frame count or the byte budget,
    /// [`OutboxFull::Closed`] when the writer has stopped.
    pub fn try_send(&self, bytes: Bytes) -> Result<(), OutboxFull> {
        self.push(bytes, false)
    }

    /// Queues a full-state reply and marks it pending until the writer has written it.
    ///
    /// # Errors
    /// As [`Outbox::try_send`].
    pub fn try_send_state_reply(&self, bytes: Bytes) -> Result<(), OutboxFull> {
        let before = self.shared.state_reply_pending.swap(true, Ordering::AcqRel);
        let sent = self.push(bytes, true);
        if sent.is_err() {
            self.shared
                .state_reply_pending
                .store(before, Ordering::Release);
        }
        sent
    }

    /// Whether a full-state reply to this connection is queued and not yet written.
    pub fn state_reply_pending(&self) -> bool {
        self.shared.state_reply_pending.load(Ordering::Acquire)
    }

    /// Bytes queued and not yet written.
    pub fn queued_bytes(&self) -> usize {
        self.shared.queued_bytes.load(Ordering::Acquire)
    }

    fn push(&self, bytes: Bytes, state_reply: bool) -> Result<(), OutboxFull> {
        let len = bytes.len();
        let before = self.shared.queued_bytes.fetch_add(len, Ordering::AcqRel);
        let budget = self.shared.budget;
        // An empty queue takes any frame, and a full-state reply (at most one waits, see
        // `state_reply_pending`) is let through on top of a queue within budget: a document
        // larger than the budget still reaches a client that reads.
        let fits = before == 0
            || before.saturating_add(len) <= budget
            || (state_reply && before <= budget);
        if !fits {
            self.shared.queued_bytes.fetch_sub(len, Ordering::AcqRel);
            return Err(OutboxFull::Full);
        }
        match self.sender.try_send(OutFrame { bytes, state_reply }) {
            Ok(()) => Ok(()),
            Err(error) => {
                self.shared.release(len);
                Err(match error {
                    TrySendError::Full(_) => OutboxFull::Full,
                    TrySendError::Closed(_) => OutboxFull::Closed,
                })
            }
        }
    }
}

impl OutboxReceiver {
    /// Receives up to `limit` frames into `batch`; 0 when the queue is closed and empty.
    pub async fn recv_many(&mut self, batch: &mut Vec<OutFrame>, limit: usize) -> usize {
        self.receiver.recv_many(batch, limit).await
    }

    /// Releases the budget held by a frame once it has been written (or dropped).
    pub fn written(&self, frame: &OutFrame) {
        self.release(Written {
            bytes: frame.bytes.len(),
            state_reply: frame.state_reply,
        });
    }

    /// Releases the budget held by a written batch: one atomic subtract for the whole batch.
    pub fn release(&self, written: Written) {
        self.shared.release(written.bytes);
        if written.state_reply {
            self.shared
                .state_reply_pending
                .store(false, Ordering::Release);
        }
    }
}

impl Drop for OutboxReceiver {
    fn drop(&mut self) {
        // Frames never written still hold budget and the gauge; give both back.
        self.receiver.close();
        while let Ok(frame) = self.receiver.try_recv() {
            self.written(&frame);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn frame(len: usize) -> Bytes {
        Bytes::from(vec![0u8; len])
    }

    #[test]
    fn the_byte_budget_bounds_what_waits_but_lets_one_large_frame_through() {
        let metrics = Arc::new(Metrics::new());
        let (outbox, _receiver) = outbox(100, 1000, metrics.clone());
        // one frame larger than the whole budget is accepted on an empty queue
        outbox.try_send(frame(5000)).unwrap();
        // anything further is refused while it waits
        assert_eq!(outbox.try_send(frame(1)), Err(OutboxFull::Full));
        assert_eq!(outbox.queued_bytes(), 5000);
        assert_eq!(metrics.outbound_queued.total(), 5000);
    }

    #[tokio::test]
    async fn written_frames_give_their_budget_back() {
        let metrics = Arc::new(Metrics::new());
        let (outbox, mut receiver) = outbox(100, 1000, metrics.clone());
        outbox.try_send(frame(600)).unwrap();
        assert_eq!(outbox.try_send(frame(600)), Err(OutboxFull::Full));
        outbox.try_send(frame(400)).unwrap();
        let mut batch = Vec::new();
        assert_eq!(receiver.recv_many(&mut batch, 10).await, 2);
        for written in batch.drain(..) {
            receiver.written(&written);
        }
        assert_eq!(outbox.queued_bytes(), 0);
        outbox.try_send(frame(600)).unwrap();
        drop(receiver);
        assert_eq!(metrics.outbound_queued.total(), 0);
        assert_eq!(outbox.try_send(frame(1)), Err(OutboxFull::Closed));
    }

    #[tokio::test]
    async fn a_state_reply_stays_pending_until_written() {
        let metrics = Arc::new(Metrics::new());
        let (outbox, mut receiver) = outbox(100, 1 << 20, metrics);
        assert!(!outbox.state_reply_pending());
        outbox.try_send_state_reply(frame(10)).unwrap();
        outbox.try_send(frame(10)).unwrap();
        assert!(outbox.state_reply_pending());
        let mut batch = Vec::new();
        receiver.recv_many(&mut batch, 10).await;
        receiver.written(&batch[0]);
        assert!(!outbox.state_reply_pending());
    }

    #[test]
    fn one_full_state_may_wait_on_top_of_a_queue_within_budget_but_not_two() {
        let metrics = Arc::new(Metrics::new());
        let (outbox, _receiver) = outbox(100, 1000, metrics);
        outbox.try_send(frame(500)).unwrap();
        // an ordinary frame of that size would not fit, a state reply does
        assert_eq!(outbox.try_send(frame(5000)), Err(OutboxFull::Full));
        outbox.try_send_state_reply(frame(5000)).unwrap();
        assert!(outbox.state_reply_pending());
        // now the queue is over budget: nothing more, not even another state reply
        assert_eq!(
            outbox.try_send_state_reply(frame(10)),
            Err(OutboxFull::Full)
        );
        assert!(outbox.state_reply_pending(), "the first one still waits");
        assert_eq!(outbox.queued_bytes(), 5500);
    }

    #[test]
    fn the_frame_count_still_bounds_small_frames() {
        let metrics = Arc::new(Metrics::new());
        let (outbox, _receiver) = outbox(2, 1 << 20, metrics);
        outbox.try_send(frame(1)).unwrap();
        outbox.try_send(frame(1)).unwrap();
        assert_eq!(outbox.try_send(frame(1)), Err(OutboxFull::Full));
        assert_eq!(outbox.queued_bytes(), 2);
    }
}
