//! Which Yjs client ids an incoming update writes for, and which item ranges it newly deletes.
//!
//! This is the raw material for attribution: the server maps each Yjs client id to the
//! authenticated person who first brought content for it ("first claim wins"), and records
//! each *new* deletion as made by the person who sent it. Both facts come from
//! [`footprint`], computed against the document **before** the update is applied.
//!
//! Why only new deletions: a Yjs delete set cannot say who deleted what, and a reconnecting
//! client resends its whole delete set, including deletions made by others that it merely
//! received. Subtracting what the document already has deleted leaves exactly the deletions
//! this update introduces.
//!
//! Pure functions over yrs; no IO.

use std::ops::Range;

use yrs::{IdSet, ReadTxn, Update};

/// What an update would add to a document: new content per client, and new deletions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateFootprint {
    /// Client ids for which the update carries content beyond the document's state vector,
    /// in ascending order. A browser relays content of other tabs of the same browser
    /// (y-websocket's BroadcastChannel), so this may name more than the sender's own client.
    pub new_content_clients: Vec<u64>,
    /// Item ranges the update deletes that the document has not deleted yet, sorted by client
    /// then start clock. Ranges may cover items the document does not hold yet.
    pub new_deletions: Vec<DeletedRange>,
}

impl UpdateFootprint {
    /// True when the update neither adds content nor deletes anything new.
    pub fn is_empty(&self) -> bool {
        self.new_content_clients.is_empty() && self.new_deletions.is_empty()
    }
}

/// A contiguous range of item ids `client:start..end` (Yjs clocks, `end` exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeletedRange {
    /// The client that *created* the deleted items (not the one deleting them).
    pub client: u64,
    /// First clock in the range.
    pub start: u32,
    /// One past the last clock in the range.
    pub end: u32,
}

impl DeletedRange {
    /// Whether the item `client:clock` lies inside this range.
    pub fn contains(&self, client: u64, clock: u32) -> bool {
        self.client == client && (self.start..self.end).contains(&clock)
    }
}

/// Computes what `update` would add to the document read through `doc_state`.
///
/// Call it before applying the update. Cost: the update's own blocks and delete set, plus,
/// only when the update deletes something, one pass over the document's blocks to collect its
/// current delete set.
pub fn footprint(doc_state: &impl ReadTxn, update: &Update) -> UpdateFootprint {
    UpdateFootprint {
        new_content_clients: new_content_clients(doc_state, update),
        new_deletions: new_deletions(doc_state, update),
    }
}

/// Clients whose highest clock in the update exceeds the document's clock for them.
///
/// `Update::state_vector` is not used: it only counts clients whose blocks start at clock 0,
/// which an incremental update usually does not. The upper clock is taken from the update's
/// insertions instead (including items it also deletes).
fn new_content_clients(doc_state: &impl ReadTxn, update: &Update) -> Vec<u64> {
    let known = doc_state.state_vector();
    let inserted = update.insertions(true);
    let mut clients: Vec<u64> = inserted
        .iter()
        .filter_map(|(client, ranges)| {
            let upper = ranges.iter().map(|range| range.end).max()?;
            (upper > known.get(client)).then_some(client.get())
        })
        .collect();
    clients.sort_unstable();
    clients
}

fn new_deletions(doc_state: &impl ReadTxn, update: &Update) -> Vec<DeletedRange> {
    let deletes = update.delete_set();
    if deletes.is_empty() {
        return Vec::new();
    }
    let already_deleted = doc_state.snapshot().delete_set;
    let fresh: IdSet = deletes.diff(&already_deleted);
    let mut ranges: Vec<DeletedRange> = fresh
        .iter()
        .flat_map(|(client, ranges)| {
            let client = client.get();
            ranges
                .iter()
                .filter(|range| !range.is_empty())
                .map(move |Range { start, end }| DeletedRange {
                    client,
                    start: *start,
                    end: *end,
                })
        })
        .collect();
    ranges.sort_unstable();
    ranges
}

#[cfg(test)]
mod tests {
    use yrs::updates::decoder::Decode;
    use yrs::{ClientID, Doc, GetString, Options, StateVector, Text, Transact};

    use super::*;

    fn doc(client: u64) -> Doc {
        Doc::with_options(Options {
            skip_gc: true,
            ..Options::with_client_id(ClientID::new(client))
        })
    }

    fn update_since(doc: &Doc, sv: &StateVector) -> Update {
        let bytes = doc.transact().encode_state_as_update_v1(sv);
        Update::decode_v1(&bytes).unwrap()
    }

    /// The server's copy, client 1 (VWS) and client 2 (ZIN), with client 1's text synced
    /// to everyone.
    fn setup() -> (Doc, Doc, Doc) {
        let server = doc(99);
        let one = doc(1);
        let two = doc(2);
        let text = one.get_or_insert_text("t");
        text.insert(&mut one.transact_mut(), 0, "Hello brave new world");
        let all = one
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        for d in [&server, &two] {
            d.get_or_insert_text("t");
            d.transact_mut()
                .apply_update(Update::decode_v1(&all).unwrap())
                .unwrap();
        }
        (server, one, two)
    }

    #[test]
    fn first_content_names_its_client() {
        let server = doc(99);
        let one = doc(1);
        one.get_or_insert_text("t")
            .insert(&mut one.transact_mut(), 0, "Hi");
        let update = update_since(&one, &StateVector::default());

        let footprint = footprint(&server.transact(), &update);

        assert_eq!(footprint.new_content_clients, vec![1]);
        assert!(footprint.new_deletions.is_empty());
    }

    #[test]
    fn incremental_update_names_its_client() {
        let (server, one, _) = setup();
        let before = server.transact().state_vector();
        one.get_or_insert_text("t")
            .insert(&mut one.transact_mut(), 5, ",");
        let update = update_since(&one, &before);

        let footprint = footprint(&server.transact(), &update);

        assert_eq!(footprint.new_content_clients, vec![1]);
    }

    #[test]
    fn deletion_of_anothers_text_is_a_new_deletion() {
        let (server, _, two) = setup();
        let before = server.transact().state_vector();
        let text = two.get_or_insert_text("t");
        // delete "brave " (clocks 6..12 of client 1)
        text.remove_range(&mut two.transact_mut(), 6, 6);
        assert_eq!(text.get_string(&two.transact()), "Hello new world");
        let update = update_since(&two, &before);

        let footprint = footprint(&server.transact(), &update);

        assert!(footprint.new_content_clients.is_empty());
        assert_eq!(
            footprint.new_deletions,
            vec![DeletedRange {
                client: 1,
                start: 6,
                end: 12
            }]
        );
        assert!(footprint.new_deletions[0].contains(1, 11));
        assert!(!footprint.new_deletions[0].contains(1, 12));
    }

    #[test]
    fn resent_update_has_empty_footprint() {
        let (server, _, two) = setup();
        let before = server.transact().state_vector();
        let text = two.get_or_insert_text("t");
        text.remove_range(&mut two.transact_mut(), 6, 6);
        text.insert(&mut two.transact_mut(), 0, "Oh. ");
        let update = update_since(&two, &before);
        let first = footprint(&server.transact(), &update);
        assert_eq!(first.new_content_clients, vec![2]);
        assert_eq!(first.new_deletions.len(), 1);
        server.transact_mut().apply_update(update).unwrap();

        // a reconnecting client sends everything again
        let again = update_since(&two, &StateVector::default());

        assert!(footprint(&server.transact(), &again).is_empty());
    }

    #[test]
    fn only_deletions_unknown_to_the_doc_count() {
        let (server, one, two) = setup();
        let before = server.transact().state_vector();
        // client 1 deletes "Hello " and the server learns it
        one.get_or_insert_text("t")
            .remove_range(&mut one.transact_mut(), 0, 6);
        server
            .transact_mut()
            .apply_update(update_since(&one, &before))
            .unwrap();
        // client 2 merges that, then deletes "world" (clocks 16..21)
        two.transact_mut()
            .apply_update(update_since(&one, &StateVector::default()))
            .unwrap();
        let text = two.get_or_insert_text("t");
        assert_eq!(text.get_string(&two.transact()), "brave new world");
        text.remove_range(&mut two.transact_mut(), 10, 5);

        let resync = update_since(&two, &StateVector::default());
        let footprint = footprint(&server.transact(), &resync);

        assert!(footprint.new_content_clients.is_empty());
        assert_eq!(
            footprint.new_deletions,
            vec![DeletedRange {
                client: 1,
                start: 16,
                end: 21
            }]
        );
    }
}
