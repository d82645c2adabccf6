//! [`Ledger`]: the chaos test's record of what every logical client wrote and saw, on which
//! node and when; from it come the markers the stored documents must hold, the cross-process
//! latencies and the time to converge after a fault.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::time::{Duration, Instant};

use crate::support::Marker;

/// Where and when a marker was written.
struct Sent {
    at: Instant,
    node: usize,
}

/// One logical client across its reconnects.
#[derive(Default)]
struct Client {
    /// Every marker any of its connections saw (its own included).
    observed: HashSet<Marker>,
    /// Markers written on the current connection.
    on_connection: Vec<Marker>,
    /// Whether the current connection is open.
    connected: bool,
    /// Connections opened after the first.
    reconnects: usize,
    /// When the last connection closed, while there is none.
    disconnected_at: Option<Instant>,
}

/// What all clients wrote and observed. Client `c` edits document `c % docs`.
pub struct Ledger {
    docs: usize,
    sent: HashMap<Marker, Sent>,
    /// First time a client on another node than the writer's saw the marker.
    first_elsewhere: HashMap<Marker, Instant>,
    /// Markers some client other than the writer saw.
    seen_by_others: HashSet<Marker>,
    clients: Vec<Client>,
    /// Time from a connection closing to the next one being synced.
    reconnect_times: Vec<Duration>,
}

/// Cross-process latencies, split by whether the marker was written during the Redis outage.
#[derive(Default)]
pub struct Latencies {
    /// Written while Redis was up.
    pub redis_up: Vec<Duration>,
    /// Written while Redis was down.
    pub redis_down: Vec<Duration>,
    /// Markers never seen on another node than the writer's.
    pub never_elsewhere: usize,
}

impl Ledger {
    /// An empty ledger for `clients` logical clients on `docs` documents.
    pub fn new(clients: usize, docs: usize) -> Self {
        Self {
            docs,
            sent: HashMap::new(),
            first_elsewhere: HashMap::new(),
            seen_by_others: HashSet::new(),
            clients: (0..clients).map(|_| Client::default()).collect(),
            reconnect_times: Vec::new(),
        }
    }

    /// The document client `client` edits.
    pub fn doc_of(&self, client: usize) -> usize {
        client % self.docs
    }

    /// Client `client` has a synced connection at `at`.
    pub fn connected(&mut self, client: usize, first: bool, at: Instant) {
        let record = &mut self.clients[client];
        record.connected = true;
        record.on_connection.clear();
        if !first {
            record.reconnects += 1;
        }
        if let Some(closed) = record.disconnected_at.take() {
            self.reconnect_times
                .push(at.saturating_duration_since(closed));
        }
    }

    /// Client `client`'s connection closed at `at`.
    pub fn disconnected(&mut self, client: usize, at: Instant) {
        let record = &mut self.clients[client];
        record.connected = false;
        record.disconnected_at = Some(at);
    }

    /// A marker is about to be sent by its writer, connected to `node`.
    pub fn sending(&mut self, marker: Marker, node: usize, at: Instant) {
        self.sent.insert(marker, Sent { at, node });
        self.clients[marker.client].on_connection.push(marker);
    }

    /// Client `client`, connected to `node`, has these markers in its document at `at`.
    pub fn observed(
        &mut self,
        client: usize,
        node: usize,
        markers: impl IntoIterator<Item = Marker>,
        at: Instant,
    ) {
        for marker in markers {
            self.clients[client].observed.insert(marker);
            if marker.client != client {
                self.seen_by_others.insert(marker);
            }
            if self.sent.get(&marker).is_some_and(|sent| sent.node != node) {
                self.first_elsewhere.entry(marker).or_insert(at);
            }
        }
    }

    /// What the stored document `doc` must hold: markers some other client saw, and those
    /// written on connections still open.
    pub fn required(&self, doc: usize) -> BTreeSet<Marker> {
        let open = self
            .clients
            .iter()
            .filter(|client| client.connected)
            .flat_map(|client| client.on_connection.iter());
        self.seen_by_others
            .iter()
            .chain(open)
            .filter(|marker| self.doc_of(marker.client) == doc)
            .copied()
            .collect()
    }

    /// Pairs (client, marker) where the marker was seen by someone other than its writer but
    /// not yet by that client of the same document: what convergence waits for.
    pub fn unseen(&self) -> Vec<(usize, Marker)> {
        let mut out = Vec::new();
        for marker in &self.seen_by_others {
            for (c, client) in self.clients.iter().enumerate() {
                if self.doc_of(c) == self.doc_of(marker.client) && !client.observed.contains(marker)
                {
                    out.push((c, *marker));
                }
            }
        }
        out
    }

    /// Keeps the pairs whose client has still not seen the marker.
    pub fn retain_unseen(&self, pending: &mut Vec<(usize, Marker)>) {
        pending.retain(|(client, marker)| !self.clients[*client].observed.contains(marker));
    }

    /// Marker write time → first sight on another node, split by `outage` (write times).
    pub fn latencies(&self, outage: &Range<Instant>) -> Latencies {
        let mut out = Latencies::default();
        for (marker, sent) in &self.sent {
            let Some(seen) = self.first_elsewhere.get(marker) else {
                out.never_elsewhere += 1;
                continue;
            };
            let latency = seen.saturating_duration_since(sent.at);
            if outage.contains(&sent.at) {
                out.redis_down.push(latency);
            } else {
                out.redis_up.push(latency);
            }
        }
        out
    }

    /// Markers sent but not in `stored`, with when and on which node, oldest first.
    pub fn sent_but_not_in(&self, stored: &BTreeSet<Marker>) -> Vec<(Marker, Instant, usize)> {
        let mut out: Vec<_> = self
            .sent
            .iter()
            .filter(|(marker, _)| !stored.contains(marker))
            .map(|(marker, sent)| (*marker, sent.at, sent.node))
            .collect();
        out.sort_by_key(|(marker, at, _)| (*at, *marker));
        out
    }

    /// Markers sent.
    pub fn sent_count(&self) -> usize {
        self.sent.len()
    }

    /// Markers some client other than the writer saw.
    pub fn seen_by_others_count(&self) -> usize {
        self.seen_by_others.len()
    }

    /// Reconnects of all clients together.
    pub fn reconnects(&self) -> usize {
        self.clients.iter().map(|client| client.reconnects).sum()
    }

    /// How long each reconnect took, from the close to the next synced connection.
    pub fn reconnect_times(&self) -> Vec<Duration> {
        self.reconnect_times.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(client: usize, n: u32) -> Marker {
        Marker { client, n }
    }

    #[test]
    fn required_markers_are_those_others_saw_and_those_on_open_connections() {
        let now = Instant::now();
        // Clients 0 and 2 edit document 0, client 1 document 1.
        let mut ledger = Ledger::new(3, 2);
        for c in 0..3 {
            ledger.connected(c, true, now);
        }
        ledger.sending(m(0, 0), 0, now);
        ledger.sending(m(0, 1), 0, now);
        ledger.sending(m(2, 0), 1, now);
        ledger.disconnected(0, now);
        ledger.observed(2, 1, [m(0, 0), m(2, 0)], now);
        let required: Vec<_> = ledger.required(0).into_iter().collect();
        // m(0, 1) went down with client 0's connection and nobody else saw it.
        assert_eq!(required, vec![m(0, 0), m(2, 0)]);
        assert!(ledger.required(1).is_empty());
        ledger.connected(0, false, now + Duration::from_millis(300));
        assert_eq!(ledger.reconnects(), 1);
        assert_eq!(ledger.reconnect_times(), vec![Duration::from_millis(300)]);
        assert_eq!(ledger.unseen(), vec![(0, m(0, 0))]);
        let stored: BTreeSet<Marker> = [m(0, 0), m(2, 0)].into_iter().collect();
        assert_eq!(ledger.sent_but_not_in(&stored), vec![(m(0, 1), now, 0)]);
    }

    #[test]
    fn latency_counts_only_sightings_on_another_node() {
        let t0 = Instant::now();
        let mut ledger = Ledger::new(2, 1);
        ledger.sending(m(0, 0), 0, t0);
        ledger.sending(m(0, 1), 0, t0 + Duration::from_secs(10));
        ledger.observed(1, 0, [m(0, 0)], t0 + Duration::from_millis(5));
        ledger.observed(1, 1, [m(0, 0)], t0 + Duration::from_millis(30));
        ledger.observed(1, 1, [m(0, 0)], t0 + Duration::from_millis(90));
        ledger.observed(1, 1, [m(0, 1)], t0 + Duration::from_secs(12));
        let outage = t0 + Duration::from_secs(9)..t0 + Duration::from_secs(11);
        let latencies = ledger.latencies(&outage);
        assert_eq!(latencies.redis_up, vec![Duration::from_millis(30)]);
        assert_eq!(latencies.redis_down, vec![Duration::from_secs(2)]);
        assert_eq!(latencies.never_elsewhere, 0);
    }
}
