//! [`DocState`]: one document's CRDT and awareness, and the rules the server keeps on them.

use std::collections::HashMap;

use yrs::block::ClientID;
use yrs::sync::{Awareness, AwarenessUpdate};
use yrs::{Doc, ReadTxn, StateVector, Transact, Update};

use super::nesting::{self, NestingError};
use super::protocol::ValidUpdate;
use super::{scan, ConnId, SyncError};

/// Name of the XmlFragment that y-prosemirror keeps a draft's content in.
pub const FRAGMENT: &str = "prosemirror";

/// A document's state in memory.
///
/// Invariants:
/// - awareness entries belong to the connection that first announced them; another connection
///   can neither change nor remove them; entries announced on another process of a cluster
///   belong to that process until a connection here announces the same client id (a client
///   that reconnected here);
/// - `content_bytes` is at least the size of the stored state (the snapshot plus the log since),
///   so size limits err on the safe side.
pub struct DocState {
    awareness: Awareness,
    owners: HashMap<ClientID, ConnId>,
    /// Awareness entries relayed from other processes, with the process that owns them.
    remote: HashMap<ClientID, u64>,
    content_bytes: usize,
    /// How deeply the document nests shared types, once measured (see [`Self::check_nesting`]).
    nesting_depth: Option<usize>,
}

impl DocState {
    /// An empty document.
    pub fn new() -> Self {
        let doc = Doc::new();
        // Typed up front, so that walks up from its elements see an XML parent.
        doc.get_or_insert_xml_fragment(FRAGMENT);
        Self {
            awareness: Awareness::new(doc),
            owners: HashMap::new(),
            remote: HashMap::new(),
            content_bytes: 0,
            nesting_depth: Some(0),
        }
    }

    /// Rebuilds a document from its snapshot and the updates stored after it.
    ///
    /// # Errors
    /// Fails when stored bytes are not Yjs updates.
    pub fn from_stored<'a>(
        snapshot: Option<&'a [u8]>,
        updates: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Self, SyncError> {
        let mut state = Self::new();
        state.nesting_depth = None;
        let doc = state.awareness.doc();
        let mut txn = doc.transact_mut();
        for raw in snapshot.into_iter().chain(updates) {
            let update = scan::decode_update(raw)?;
            txn.apply_update(update)?;
            state.content_bytes += raw.len();
        }
        drop(txn);
        Ok(state)
    }

    /// Applies a validated update.
    ///
    /// # Errors
    /// Fails when yrs refuses the update.
    pub fn apply(&mut self, update: Update, size: usize) -> Result<(), SyncError> {
        self.awareness.doc().transact_mut().apply_update(update)?;
        self.content_bytes += size;
        Ok(())
    }

    /// Applies a log row another process stored (and checked when it accepted it).
    ///
    /// # Errors
    /// Fails when the bytes are not a Yjs update or yrs refuses it.
    pub fn apply_stored(&mut self, raw: &[u8]) -> Result<(), SyncError> {
        let update = scan::decode_update(raw)?;
        self.apply(update, raw.len())
    }

    /// Merges a stored snapshot (when the rows this process missed were compacted away).
    ///
    /// # Errors
    /// Fails when the bytes are not a Yjs update or yrs refuses it.
    pub fn merge_snapshot(&mut self, raw: &[u8]) -> Result<(), SyncError> {
        let update = scan::decode_update(raw)?;
        self.awareness.doc().transact_mut().apply_update(update)?;
        // The snapshot is the whole stored state, much of which this state already held.
        self.content_bytes = self.content_bytes.max(raw.len());
        Ok(())
    }

    /// Checks that `update` nests no shared type deeper than `limit`, and that the document
    /// itself does not already (a document stored deeper is served read-only: yrs deletes
    /// nested types recursively, so changing it could exhaust the stack). The document's own
    /// depth is measured once, at the first check.
    ///
    /// # Errors
    /// [`NestingError`] saying why the update is refused.
    pub fn check_nesting(
        &mut self,
        update: &ValidUpdate,
        limit: usize,
    ) -> Result<(), NestingError> {
        let depth = match self.nesting_depth {
            Some(depth) => depth,
            None => {
                let depth = nesting::state_depth(&self.diff(&StateVector::default()), limit)?;
                self.nesting_depth = Some(depth);
                depth
            }
        };
        if depth > limit {
            return Err(NestingError::DocumentTooDeep { limit });
        }
        nesting::check(&self.doc().transact(), &update.raw, limit)
    }

    /// Bytes of stored state this document accounts for (see the type's invariants).
    pub fn content_bytes(&self) -> usize {
        self.content_bytes
    }

    /// The document's state vector.
    pub fn state_vector(&self) -> StateVector {
        self.awareness.doc().transact().state_vector()
    }

    /// What a peer with state vector `sv` lacks, as a Yjs v1 update.
    pub fn diff(&self, sv: &StateVector) -> Vec<u8> {
        self.awareness
            .doc()
            .transact()
            .encode_state_as_update_v1(sv)
    }

    /// The whole state as one Yjs v1 update, and resets the size accounting to it.
    pub fn snapshot(&mut self) -> Vec<u8> {
        let snapshot = self.diff(&StateVector::default());
        self.content_bytes = snapshot.len();
        snapshot
    }

    /// Read access to the CRDT, for callers that render or inspect it.
    pub fn doc(&self) -> &Doc {
        self.awareness.doc()
    }

    /// Applies a connection's awareness update, dropping entries that belong to another
    /// connection. Returns the update to relay to the others, if anything changed.
    ///
    /// # Errors
    /// Fails when the resulting awareness state cannot be encoded.
    pub fn apply_awareness(
        &mut self,
        conn: ConnId,
        mut update: AwarenessUpdate,
        stamp: Option<&serde_json::Value>,
    ) -> Result<Option<AwarenessUpdate>, SyncError> {
        update
            .clients
            .retain(|client, _| match self.owners.get(client) {
                Some(owner) => *owner == conn,
                None => true,
            });
        for client in update.clients.keys() {
            // A client that reconnected here from another process takes its entry back.
            self.remote.remove(client);
        }
        if let Some(stamp) = stamp {
            for entry in update.clients.values_mut() {
                entry.json = stamp_identity(&entry.json, stamp).into();
            }
        }
        for client in update.clients.keys() {
            self.owners.entry(*client).or_insert(conn);
        }
        self.apply_kept(update)
    }

    /// Applies an awareness update relayed from the process `node` (stamped there), leaving
    /// alone the entries of connections here. Returns the update to relay to them, if anything
    /// changed.
    ///
    /// # Errors
    /// Fails when the resulting awareness state cannot be encoded.
    pub fn apply_remote_awareness(
        &mut self,
        node: u64,
        mut update: AwarenessUpdate,
    ) -> Result<Option<AwarenessUpdate>, SyncError> {
        update
            .clients
            .retain(|client, _| !self.owners.contains_key(client));
        for (client, entry) in &update.clients {
            if &*entry.json == "null" {
                self.remote.remove(client);
            } else {
                self.remote.insert(*client, node);
            }
        }
        self.apply_kept(update)
    }

    /// Applies what the ownership rules kept of an awareness update; returns the change to
    /// relay, if there is one.
    fn apply_kept(
        &mut self,
        update: AwarenessUpdate,
    ) -> Result<Option<AwarenessUpdate>, SyncError> {
        let Some(summary) = self.awareness.apply_update_summary(update)? else {
            return Ok(None);
        };
        let changed = summary.all_changes();
        if changed.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.awareness.update_with_clients(changed)?))
    }

    /// Removes the entries of other processes that `alive` says are gone. Returns the removal
    /// to relay, if any entry was live.
    ///
    /// # Errors
    /// Fails when the removal cannot be encoded.
    pub fn drop_dead_nodes(
        &mut self,
        alive: impl Fn(u64) -> bool,
    ) -> Result<Option<AwarenessUpdate>, SyncError> {
        let dead: Vec<ClientID> = self
            .remote
            .iter()
            .filter(|(_, node)| !alive(**node))
            .map(|(client, _)| *client)
            .collect();
        for client in &dead {
            self.remote.remove(client);
        }
        self.remove_clients(dead)
    }

    /// The live presence of this process's own connections (what another process asks for).
    ///
    /// # Errors
    /// Fails when the state cannot be encoded.
    pub fn local_awareness(&self) -> Result<Option<AwarenessUpdate>, SyncError> {
        let live: Vec<ClientID> = self
            .awareness
            .iter()
            .filter(|(client, state)| state.data.is_some() && self.owners.contains_key(client))
            .map(|(client, _)| client)
            .collect();
        if live.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.awareness.update_with_clients(live)?))
    }

    /// Removes the awareness entries a connection owned (it disconnected). Returns the removal
    /// to relay, if it owned any live entry.
    ///
    /// # Errors
    /// Fails when the removal cannot be encoded.
    pub fn remove_connection(
        &mut self,
        conn: ConnId,
    ) -> Result<Option<AwarenessUpdate>, SyncError> {
        let owned: Vec<ClientID> = self
            .owners
            .iter()
            .filter(|(_, owner)| **owner == conn)
            .map(|(client, _)| *client)
            .collect();
        for client in &owned {
            self.owners.remove(client);
        }
        self.remove_clients(owned)
    }

    /// Removes awareness entries not renewed since `now_ms - timeout_ms`. Returns the removal to
    /// relay, if any entry expired.
    ///
    /// # Errors
    /// Fails when the removal cannot be encoded.
    pub fn expire_awareness(
        &mut self,
        now_ms: u64,
        timeout_ms: u64,
    ) -> Result<Option<AwarenessUpdate>, SyncError> {
        let stale: Vec<ClientID> = self
            .awareness
            .iter()
            .filter(|(_, state)| {
                state.data.is_some() && now_ms.saturating_sub(state.last_updated) > timeout_ms
            })
            .map(|(client, _)| client)
            .collect();
        self.remove_clients(stale)
    }

    fn remove_clients(
        &mut self,
        clients: Vec<ClientID>,
    ) -> Result<Option<AwarenessUpdate>, SyncError> {
        let live: Vec<ClientID> = clients
            .into_iter()
            .filter(|client| {
                self.awareness
                    .iter()
                    .any(|(id, state)| id == *client && state.data.is_some())
            })
            .collect();
        if live.is_empty() {
            return Ok(None);
        }
        for client in &live {
            self.awareness.remove_state(*client);
        }
        Ok(Some(self.awareness.update_with_clients(live)?))
    }

    /// Everyone's current presence, for a new connection or an awareness query.
    ///
    /// # Errors
    /// Fails when the state cannot be encoded.
    pub fn awareness_snapshot(&self) -> Result<Option<AwarenessUpdate>, SyncError> {
        let update = self.awareness.update()?;
        Ok((!update.clients.is_empty()).then_some(update))
    }
}

/// Overwrites the `user` object of an awareness state with the server's `stamp` (the
/// authenticated name, party and colour), keeping the client's other fields. A removal
/// (`null`) stays a removal; a state that is not a JSON object is replaced by the stamp alone.
pub fn stamp_identity(json: &str, stamp: &serde_json::Value) -> String {
    if json == "null" {
        return json.to_owned();
    }
    let mut state = match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let mut user = match state.remove("user") {
        Some(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    if let serde_json::Value::Object(fields) = stamp {
        for (key, value) in fields {
            user.insert(key.clone(), value.clone());
        }
    }
    state.insert("user".to_owned(), serde_json::Value::Object(user));
    serde_json::Value::Object(state).to_string()
}

impl Default for DocState {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::sync::awareness::AwarenessUpdateEntry;
    use yrs::updates::decoder::Decode;
    use yrs::{GetString, Text};

    fn edit(text: &str) -> (Update, usize) {
        let doc = Doc::new();
        doc.get_or_insert_text("t")
            .push(&mut doc.transact_mut(), text);
        let raw = doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        (Update::decode_v1(&raw).unwrap(), raw.len())
    }

    fn presence(client: u64, clock: u32, json: &str) -> AwarenessUpdate {
        let mut clients = HashMap::new();
        clients.insert(
            ClientID::new(client),
            AwarenessUpdateEntry {
                clock,
                json: json.into(),
            },
        );
        AwarenessUpdate { clients }
    }

    fn text_of(state: &DocState) -> String {
        let text = state.doc().get_or_insert_text("t");
        let txn = state.doc().transact();
        text.get_string(&txn)
    }

    #[test]
    fn a_rebuilt_document_equals_the_original() {
        let mut original = DocState::new();
        let (update, size) = edit("hallo");
        original.apply(update, size).unwrap();
        let snapshot = original.snapshot();
        let rebuilt = DocState::from_stored(Some(&snapshot), []).unwrap();
        assert_eq!(text_of(&rebuilt), "hallo");
        assert_eq!(rebuilt.state_vector(), original.state_vector());
        assert_eq!(rebuilt.content_bytes(), snapshot.len());
    }

    #[test]
    fn the_diff_for_an_empty_peer_is_the_whole_document() {
        let mut state = DocState::new();
        let (update, size) = edit("abc");
        state.apply(update, size).unwrap();
        let diff = state.diff(&StateVector::default());
        let copy = DocState::from_stored(None, [diff.as_slice()]).unwrap();
        assert_eq!(text_of(&copy), "abc");
    }

    #[test]
    fn a_connection_cannot_overwrite_anothers_presence() {
        let mut state = DocState::new();
        assert!(state
            .apply_awareness(1, presence(10, 1, r#"{"name":"a"}"#), None)
            .unwrap()
            .is_some());
        // connection 2 tries to change client 10's state
        assert!(state
            .apply_awareness(2, presence(10, 2, r#"{"name":"evil"}"#), None)
            .unwrap()
            .is_none());
        let snapshot = state.awareness_snapshot().unwrap().unwrap();
        assert_eq!(
            &*snapshot.clients[&ClientID::new(10)].json,
            r#"{"name":"a"}"#
        );
    }

    #[test]
    fn presence_is_stamped_with_the_authenticated_identity() {
        let mut state = DocState::new();
        let stamp =
            serde_json::json!({"name": "Anna de Vries", "party": "VWS", "color": "#1f6feb"});
        let claimed = r##"{"user":{"name":"Minister","color":"#000000","cursorStyle":"bar"},"cursor":{"anchor":1}}"##;
        let relayed = state
            .apply_awareness(1, presence(10, 1, claimed), Some(&stamp))
            .unwrap()
            .unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&relayed.clients[&ClientID::new(10)].json).unwrap();
        assert_eq!(json["user"]["name"], "Anna de Vries");
        assert_eq!(json["user"]["party"], "VWS");
        assert_eq!(json["user"]["color"], "#1f6feb");
        assert_eq!(json["user"]["cursorStyle"], "bar", "other fields are kept");
        assert_eq!(json["cursor"]["anchor"], 1);
        assert_eq!(stamp_identity("null", &stamp), "null");
    }

    #[test]
    fn a_dropped_connections_presence_is_removed() {
        let mut state = DocState::new();
        state
            .apply_awareness(1, presence(10, 1, r#"{"n":1}"#), None)
            .unwrap();
        state
            .apply_awareness(2, presence(20, 1, r#"{"n":2}"#), None)
            .unwrap();
        let removal = state.remove_connection(1).unwrap().unwrap();
        assert_eq!(&*removal.clients[&ClientID::new(10)].json, "null");
        let left = state.awareness_snapshot().unwrap().unwrap();
        assert_eq!(left.clients.len(), 1);
        assert!(state.remove_connection(1).unwrap().is_none());
    }

    #[test]
    fn stale_presence_expires() {
        let mut state = DocState::new();
        state
            .apply_awareness(1, presence(10, 1, r#"{"n":1}"#), None)
            .unwrap();
        let now = crate::clock::now_ms() as u64;
        assert!(state.expire_awareness(now, 30_000).unwrap().is_none());
        let expired = state
            .expire_awareness(now + 31_000, 30_000)
            .unwrap()
            .unwrap();
        assert!(expired.clients.contains_key(&ClientID::new(10)));
        assert!(state.awareness_snapshot().unwrap().is_none());
    }
}
