//! What a batch of stored updates becomes on the wire: updates the actor stored together leave
//! together.
//!
//! A peer that sent none of the batch gets **one** frame, the batch merged into one update
//! (`yrs::merge_updates_v1`); the frame is encoded once and its buffer shared by every such
//! peer. A peer that sent some of the batch gets the *other* updates of the batch, each as its
//! own frame, so no one is sent their own edits back. A batch of one update is that update's
//! frame for everyone but its sender, as before. Nothing waits to be merged: a batch is what was
//! already queued when the actor looked, so coalescing adds no delay.
//!
//! Merging re-decodes updates that were already validated and applied; if it fails anyway,
//! [`Relay::merged`] is `None` and every peer gets the separate frames.

use bytes::Bytes;

use super::protocol;
use super::ConnId;

/// The frames for one batch.
#[derive(Debug, Clone)]
pub struct Relay {
    /// The whole batch as one update frame, for peers that sent none of it; `None` when the
    /// batch could not be merged (then everyone gets [`Relay::separate`]).
    pub merged: Option<Bytes>,
    /// Each update's frame with the connection that sent it, in batch order.
    pub separate: Vec<(ConnId, Bytes)>,
}

impl Relay {
    /// Plans the frames for `batch`: updates in the order they were applied, with their
    /// senders.
    pub fn plan(batch: &[(ConnId, Bytes)]) -> Self {
        let separate: Vec<(ConnId, Bytes)> = batch
            .iter()
            .map(|(origin, raw)| (*origin, protocol::encode_update(raw)))
            .collect();
        let merged = match separate.as_slice() {
            [] => None,
            [(_, only)] => Some(only.clone()),
            _ => match yrs::merge_updates_v1(batch.iter().map(|(_, raw)| raw.as_ref())) {
                Ok(update) => Some(protocol::encode_update(&update)),
                Err(error) => {
                    tracing::warn!(%error, "a batch could not be merged; relaying its updates one by one");
                    None
                }
            },
        };
        Self { merged, separate }
    }

    /// Whether `conn` sent part of the batch.
    pub fn sent_by(&self, conn: ConnId) -> bool {
        self.separate.iter().any(|(origin, _)| *origin == conn)
    }

    /// The frames `conn` is to receive, in order.
    pub fn frames_for(&self, conn: ConnId) -> impl Iterator<Item = &Bytes> {
        let merged = match &self.merged {
            Some(frame) if !self.sent_by(conn) => Some(frame),
            _ => None,
        };
        let separate = merged
            .is_none()
            .then_some(&self.separate)
            .into_iter()
            .flatten()
            .filter(move |(origin, _)| *origin != conn)
            .map(|(_, frame)| frame);
        merged.into_iter().chain(separate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use yrs::sync::{Message, SyncMessage};
    use yrs::updates::decoder::Decode;
    use yrs::{Doc, GetString, ReadTxn, Text, Transact, Update};

    fn payload(frame: &Bytes) -> Vec<u8> {
        match Message::decode_v1(frame) {
            Ok(Message::Sync(SyncMessage::Update(update))) => update,
            other => panic!("not an update frame: {other:?}"),
        }
    }

    fn text_of(updates: &[Vec<u8>]) -> String {
        let doc = Doc::new();
        let text = doc.get_or_insert_text("t");
        let mut txn = doc.transact_mut();
        for update in updates {
            txn.apply_update(Update::decode_v1(update).unwrap())
                .unwrap();
        }
        text.get_string(&txn)
    }

    /// Three clients edit one text concurrently; returns their updates in an interleaved order.
    /// Before `shared_until` the clients learn of one another's edits every third step, so later
    /// edits depend on earlier ones; from there on each client knows only what it had and its
    /// own edits, as in a batch: a client learns of the others' updates only when the batch
    /// holding them is relayed, so nothing in a batch depends on another client's part of it.
    fn concurrent_edits(ops: &[(u8, u8, bool)], shared_until: usize) -> Vec<(ConnId, Bytes)> {
        let docs: Vec<Doc> = (1..=3).map(Doc::with_client_id).collect();
        let mut out = Vec::new();
        for (n, &(who, at, delete)) in ops.iter().enumerate() {
            let doc = &docs[usize::from(who % 3)];
            let text = doc.get_or_insert_text("t");
            let before = doc.transact().state_vector();
            {
                let mut txn = doc.transact_mut();
                let len = text.len(&txn);
                let at = u32::from(at) % (len + 1);
                if delete && len > 0 {
                    text.remove_range(&mut txn, at.min(len - 1), 1);
                } else {
                    text.insert(&mut txn, at, &format!("{n}"));
                }
            }
            let update = doc.transact().encode_state_as_update_v1(&before);
            out.push((ConnId::from(who % 3), Bytes::from(update.clone())));
            if n < shared_until && n % 3 == 0 {
                for other in &docs {
                    let mut txn = other.transact_mut();
                    txn.apply_update(Update::decode_v1(&update).unwrap())
                        .unwrap();
                }
            }
        }
        out
    }

    #[test]
    fn one_update_goes_to_everyone_but_its_sender() {
        let batch = concurrent_edits(&[(0, 0, false)], 0);
        let relay = Relay::plan(&batch);
        assert_eq!(relay.frames_for(0).count(), 0);
        let frames: Vec<&Bytes> = relay.frames_for(7).collect();
        assert_eq!(frames, [&relay.separate[0].1]);
    }

    #[test]
    fn senders_get_the_others_updates_and_everyone_else_one_merged_frame() {
        let batch = concurrent_edits(
            &[(0, 0, false), (1, 0, false), (0, 1, false), (2, 0, false)],
            0,
        );
        let relay = Relay::plan(&batch);
        assert_eq!(relay.frames_for(9).count(), 1, "a reader gets one frame");
        let to_first: Vec<Vec<u8>> = relay.frames_for(0).map(payload).collect();
        assert_eq!(to_first.len(), 2, "client 0 gets the updates of 1 and 2");
        assert_eq!(to_first, vec![batch[1].1.to_vec(), batch[3].1.to_vec()]);
        let all: Vec<Vec<u8>> = batch.iter().map(|(_, raw)| raw.to_vec()).collect();
        let merged: Vec<Vec<u8>> = relay.frames_for(9).map(payload).collect();
        assert_eq!(text_of(&merged), text_of(&all));
    }

    #[test]
    fn an_unmergeable_batch_goes_out_update_by_update() {
        let relay = Relay::plan(&[
            (0, Bytes::from_static(&[1, 2, 3])),
            (1, Bytes::from_static(&[0, 0])),
        ]);
        assert!(relay.merged.is_none());
        assert_eq!(relay.frames_for(5).count(), 2);
        assert_eq!(relay.frames_for(0).count(), 1);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// The merged frame brings a reader to exactly the state the updates one by one would,
        /// from any state the reader already had before the batch.
        #[test]
        fn the_merged_frame_equals_the_updates_applied_in_turn(
            ops in proptest::collection::vec((0u8..3, 0u8..20, proptest::bool::ANY), 1..24),
            split in 0usize..24,
        ) {
            let split = split.min(ops.len() - 1);
            let updates = concurrent_edits(&ops, split);
            let (before, batch) = updates.split_at(split);
            let relay = Relay::plan(batch);
            let mut reader: Vec<Vec<u8>> = before.iter().map(|(_, raw)| raw.to_vec()).collect();
            let mut reference = reader.clone();
            reader.extend(relay.frames_for(99).map(payload));
            reference.extend(batch.iter().map(|(_, raw)| raw.to_vec()));
            prop_assert_eq!(text_of(&reader), text_of(&reference));
            // and a sender ends where the others do, from its own edits plus what it is sent
            for origin in 0..3 {
                let mut sender: Vec<Vec<u8>> = before.iter().map(|(_, raw)| raw.to_vec()).collect();
                sender.extend(batch.iter().filter(|(o, _)| *o == origin).map(|(_, raw)| raw.to_vec()));
                sender.extend(relay.frames_for(origin).map(payload));
                prop_assert_eq!(text_of(&sender), text_of(&reference));
            }
        }
    }
}
