//! What goes over Redis: channel names and the encoding of messages. No IO.
//!
//! Each document has its own channel, so a process receives only the documents it holds.
//! Messages are [`Envelope`]s encoded with postcard (a compact serde format); a payload larger
//! than [`MAX_MESSAGE_BYTES`] or one that does not decode is dropped by the receiver, which the
//! head check then heals.

use polder_shared::DocId;

use crate::hub::{Envelope, NodeId};

/// Prefix of every channel Polder uses.
const PREFIX: &str = "polder:";
/// Prefix of a document's channel.
const DOC_PREFIX: &str = "polder:doc:";
/// The channel of process heartbeats.
pub const NODES: &str = "polder:nodes";
/// The channel of inbox wake-ups.
pub const INBOX: &str = "polder:inbox";

/// Largest message a receiver decodes.
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// Why a received message was dropped.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WireError {
    /// Larger than [`MAX_MESSAGE_BYTES`].
    #[error("message of {0} bytes is over the limit")]
    TooLarge(usize),
    /// Not a message Polder sends.
    #[error("undecodable message: {0}")]
    Malformed(String),
}

/// A channel's meaning.
#[derive(Debug, PartialEq, Eq)]
pub enum Channel {
    /// A document's messages.
    Doc(DocId),
    /// Heartbeats.
    Nodes,
    /// Inbox wake-ups.
    Inbox,
}

/// The channel of a document.
pub fn doc_channel(doc_id: &DocId) -> String {
    format!("{DOC_PREFIX}{}", doc_id.as_str())
}

/// What a channel name means, if it is one of Polder's.
pub fn parse_channel(name: &str) -> Option<Channel> {
    if name == NODES {
        return Some(Channel::Nodes);
    }
    if name == INBOX {
        return Some(Channel::Inbox);
    }
    let id = name.strip_prefix(DOC_PREFIX)?;
    debug_assert!(name.starts_with(PREFIX));
    DocId::parse(id).ok().map(Channel::Doc)
}

/// Encodes a document message.
///
/// # Errors
/// Only if serde refuses the value (it does not for these types).
pub fn encode(envelope: &Envelope) -> Result<Vec<u8>, WireError> {
    postcard::to_allocvec(envelope).map_err(|e| WireError::Malformed(e.to_string()))
}

/// Decodes a document message.
///
/// # Errors
/// [`WireError`] for a message too large or not of Polder's.
pub fn decode(bytes: &[u8]) -> Result<Envelope, WireError> {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(WireError::TooLarge(bytes.len()));
    }
    postcard::from_bytes(bytes).map_err(|e| WireError::Malformed(e.to_string()))
}

/// A heartbeat or inbox wake-up: `node` or `node:person`, as text.
pub fn encode_wake(node: NodeId, person: Option<i64>) -> String {
    match person {
        Some(person) => format!("{node}:{person}"),
        None => node.to_string(),
    }
}

/// The sender and, for an inbox wake-up, the person.
pub fn decode_wake(bytes: &[u8]) -> Option<(NodeId, Option<i64>)> {
    let text = std::str::from_utf8(bytes).ok()?;
    match text.split_once(':') {
        Some((node, person)) => Some((node.parse().ok()?, Some(person.parse().ok()?))),
        None => Some((text.parse().ok()?, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::Remote;

    fn doc(id: &str) -> DocId {
        DocId::parse(id).unwrap()
    }

    #[test]
    fn messages_round_trip() {
        let envelope = Envelope {
            origin: 42,
            doc_id: doc("advies-1"),
            message: Remote::Updates {
                first_seq: 7,
                last_seq: 8,
                updates: Some(vec![vec![1, 2, 3].into(), vec![4].into()]),
                committed_at_ms: 1_700_000_000_000,
            },
        };
        let bytes = encode(&envelope).unwrap();
        assert_eq!(decode(&bytes).unwrap(), envelope);
    }

    #[test]
    fn garbage_and_oversized_messages_are_refused() {
        assert!(matches!(decode(&[0xff; 9]), Err(WireError::Malformed(_))));
        assert_eq!(
            decode(&vec![0; MAX_MESSAGE_BYTES + 1]),
            Err(WireError::TooLarge(MAX_MESSAGE_BYTES + 1))
        );
        // A valid envelope with a document id that is not one is refused too.
        let mut bytes = encode(&Envelope {
            origin: 1,
            doc_id: doc("abc"),
            message: Remote::AwarenessQuery,
        })
        .unwrap();
        let at = bytes.iter().position(|b| *b == b'a').unwrap();
        bytes[at] = b'/';
        assert!(decode(&bytes).is_err());
    }

    #[test]
    fn channels_name_documents_and_nothing_else() {
        assert_eq!(
            parse_channel(&doc_channel(&doc("advies-1"))),
            Some(Channel::Doc(doc("advies-1")))
        );
        assert_eq!(parse_channel(NODES), Some(Channel::Nodes));
        assert_eq!(parse_channel(INBOX), Some(Channel::Inbox));
        assert_eq!(parse_channel("polder:doc:../x"), None);
        assert_eq!(parse_channel("other:doc:abc"), None);
    }

    #[test]
    fn wake_ups_round_trip() {
        assert_eq!(
            decode_wake(encode_wake(9, Some(3)).as_bytes()),
            Some((9, Some(3)))
        );
        assert_eq!(
            decode_wake(encode_wake(9, None).as_bytes()),
            Some((9, None))
        );
        assert_eq!(decode_wake(b"x:1"), None);
    }
}
