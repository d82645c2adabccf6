//! How the actor hands frames to its peers' outbound queues, and changes a peer's access.

use bytes::Bytes;

use super::DocActor;
use crate::hub::outbox::OutboxFull;
use crate::hub::CloseReason;
use crate::sync::protocol;
use crate::sync::relay::Relay;
use crate::sync::ConnId;

impl DocActor {
    /// Queues a frame to one peer, closing it if its queue is full.
    pub(super) fn send_to(&mut self, conn: ConnId, frame: Bytes) {
        let Some(peer) = self.peers.get(&conn) else {
            return;
        };
        let sent = peer.outbound.try_send(frame);
        self.after_send(conn, sent);
    }

    /// Queues a full-state reply to one peer, marked so that no second one is built while it
    /// waits.
    pub(super) fn send_state_reply(&mut self, conn: ConnId, frame: Bytes) {
        let Some(peer) = self.peers.get(&conn) else {
            return;
        };
        let sent = peer.outbound.try_send_state_reply(frame);
        self.after_send(conn, sent);
    }

    pub(super) fn after_send(&mut self, conn: ConnId, sent: Result<(), OutboxFull>) {
        match sent {
            Ok(()) => {
                self.hub.shared.metrics.frames_sent.inc();
            }
            Err(OutboxFull::Full) => self.drop_slow(conn),
            Err(OutboxFull::Closed) => self.remove_peer(conn),
        }
    }

    /// Changes what a connection may do after its access changed: a connection that may no
    /// longer write is told so at once (and its later updates are refused); one that may write
    /// again is told nothing (its next update is simply accepted).
    pub(super) fn set_access(&mut self, conn: ConnId, can_write: bool) {
        let Some(peer) = self.peers.get_mut(&conn) else {
            return;
        };
        if peer.can_write == can_write {
            return;
        }
        peer.can_write = can_write;
        tracing::info!(conn, can_write, "connection access changed");
        if !can_write {
            self.send_to(
                conn,
                protocol::encode_permission_denied(
                    "read-only: your access to this document changed",
                ),
            );
        }
    }

    /// Queues one encoded frame to every peer but `except`; the buffer is shared, not copied.
    pub(super) fn broadcast(&mut self, frame: Bytes, except: Option<ConnId>) {
        self.deliver(|id| (Some(id) != except).then_some(&frame).into_iter());
    }

    /// Queues a stored batch's frames ([`Relay`]) to every peer; the buffers are shared.
    pub(super) fn relay(&mut self, relay: &Relay) {
        self.deliver(|id| relay.frames_for(id));
    }

    /// Queues to each peer the frames `frames_for` names for it, in order; a peer whose queue is
    /// full is closed as too slow, one whose writer has gone is removed.
    fn deliver<'a, I>(&mut self, frames_for: impl Fn(ConnId) -> I)
    where
        I: Iterator<Item = &'a Bytes>,
    {
        let mut slow = Vec::new();
        let mut gone = Vec::new();
        let mut sent = 0;
        'peers: for (id, peer) in &self.peers {
            for frame in frames_for(*id) {
                match peer.outbound.try_send(frame.clone()) {
                    Ok(()) => sent += 1,
                    Err(OutboxFull::Full) => {
                        slow.push(*id);
                        continue 'peers;
                    }
                    Err(OutboxFull::Closed) => {
                        gone.push(*id);
                        continue 'peers;
                    }
                }
            }
        }
        self.hub.shared.metrics.frames_sent.inc_by(sent);
        for id in slow {
            self.drop_slow(id);
        }
        for id in gone {
            self.remove_peer(id);
        }
    }

    pub(super) fn drop_slow(&mut self, conn: ConnId) {
        tracing::info!(conn, "closing a connection whose outbound queue is full");
        self.hub.shared.metrics.slow_consumers_closed.inc();
        self.kick(conn, CloseReason::SLOW_CONSUMER);
    }
}
