//! Comment anchors: Yjs relative positions (sticky indexes) that keep pointing at the same text
//! while others edit around it.
//!
//! Clients send an anchor as two base64-encoded relative positions, as produced by
//! `Y.encodeRelativePosition` (y-prosemirror's `absolutePositionToRelativePosition`), which are
//! yrs [`StickyIndex`]es in the v1 encoding. The server validates them and resolves them
//! against the current document to the text they enclose.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Assoc, Doc, IndexedSequence, ReadTxn, StickyIndex, Text, Transact, XmlTextRef};

/// Why an anchor is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnchorError {
    /// Not base64.
    #[error("the anchor is not base64")]
    NotBase64,
    /// Not a Yjs relative position.
    #[error("the anchor is not a Yjs relative position")]
    NotARelativePosition,
}

/// Decodes and validates one base64 relative position.
///
/// # Errors
/// [`AnchorError`] when it is not base64 or not a relative position.
pub fn decode(encoded: &str) -> Result<StickyIndex, AnchorError> {
    let bytes = STANDARD
        .decode(encoded.trim())
        .map_err(|_| AnchorError::NotBase64)?;
    // yrs would truncate a client id beyond 53 bits (and asserts on it in debug builds)
    let mut cursor = yrs::encoding::read::Cursor::new(&bytes);
    if let Ok(0 | 2) = yrs::encoding::read::Read::read_var::<u8>(&mut cursor) {
        super::scan::read_client(&mut cursor).map_err(|_| AnchorError::NotARelativePosition)?;
    }
    StickyIndex::decode_v1(&bytes).map_err(|_| AnchorError::NotARelativePosition)
}

/// Encodes a relative position as base64, as clients send it.
pub fn encode(index: &StickyIndex) -> String {
    STANDARD.encode(index.encode_v1())
}

/// Makes an anchor around `start..end` of a text, for tests and server-side tools.
pub fn anchor_text<T: ReadTxn>(
    txn: &T,
    text: &XmlTextRef,
    start: u32,
    end: u32,
) -> Option<(String, String)> {
    let from = text.sticky_index(txn, start, Assoc::After)?;
    let to = text.sticky_index(txn, end, Assoc::Before)?;
    Some((encode(&from), encode(&to)))
}

/// The text an anchor encloses in the document whose full state is `state`, if both ends still
/// resolve into the same text node.
pub fn resolve(state: &[u8], start: &str, end: &str) -> Option<String> {
    AnchorResolver::new(state)?.resolve(start, end)
}

/// Resolves many anchors against one decoded document.
pub struct AnchorResolver {
    doc: Doc,
}

impl AnchorResolver {
    /// Decodes the document's full state once; `None` if it is not a Yjs update.
    pub fn new(state: &[u8]) -> Option<Self> {
        let doc = Doc::new();
        let update = super::scan::decode_update(state).ok()?;
        doc.transact_mut().apply_update(update).ok()?;
        Some(Self { doc })
    }

    /// The text between two base64 relative positions, if both resolve into the same text node.
    pub fn resolve(&self, start: &str, end: &str) -> Option<String> {
        let (start, end) = (decode(start).ok()?, decode(end).ok()?);
        let txn = self.doc.transact();
        let from = start.get_offset(&txn)?;
        let to = end.get_offset(&txn)?;
        if from.branch != to.branch || to.index < from.index {
            return None;
        }
        let text = XmlTextRef::from(from.branch);
        let content: String = text
            .diff(&txn, yrs::types::text::YChange::identity)
            .into_iter()
            .filter_map(|chunk| match chunk.insert {
                yrs::Out::Any(yrs::Any::String(s)) => Some(s.to_string()),
                _ => None,
            })
            .collect();
        let chars: Vec<char> = content.chars().collect();
        let (a, b) = (
            usize::try_from(from.index).ok()?,
            usize::try_from(to.index).ok()?,
        );
        (b <= chars.len()).then(|| chars[a..b].iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{StateVector, Update, WriteTxn, XmlFragment, XmlTextPrelim};

    fn state(doc: &Doc) -> Vec<u8> {
        doc.transact()
            .encode_state_as_update_v1(&StateVector::default())
    }

    #[test]
    fn an_anchor_keeps_its_text_under_concurrent_edits() {
        let alice = Doc::with_client_id(1);
        let (start, end) = {
            let mut txn = alice.transact_mut();
            let fragment = txn.get_or_insert_xml_fragment("prosemirror");
            let text = fragment.insert(&mut txn, 0, XmlTextPrelim::new("Hallo wereld"));
            drop(txn);
            let txn = alice.transact();
            anchor_text(&txn, &text, 6, 12).unwrap()
        };
        assert_eq!(
            resolve(&state(&alice), &start, &end).as_deref(),
            Some("wereld")
        );
        // bob edits concurrently before, inside-adjacent and after the anchored word
        let bob = Doc::with_client_id(2);
        bob.transact_mut()
            .apply_update(Update::decode_v1(&state(&alice)).unwrap())
            .unwrap();
        {
            let mut txn = bob.transact_mut();
            let fragment = txn.get_or_insert_xml_fragment("prosemirror");
            let Some(yrs::XmlOut::Text(text)) = fragment.get(&txn, 0) else {
                panic!("text")
            };
            text.insert(&mut txn, 12, "!");
            text.insert(&mut txn, 6, "mooie ");
            text.insert(&mut txn, 0, "O, ");
        }
        alice
            .transact_mut()
            .apply_update(Update::decode_v1(&state(&bob)).unwrap())
            .unwrap();
        assert_eq!(
            resolve(&state(&alice), &start, &end).as_deref(),
            Some("wereld")
        );
    }

    #[test]
    fn garbage_anchors_are_refused() {
        assert_eq!(decode("%%%").unwrap_err(), AnchorError::NotBase64);
        assert_eq!(
            decode(&STANDARD.encode([0xff, 0xff, 0xff])).unwrap_err(),
            AnchorError::NotARelativePosition
        );
        // a relative position whose client id has more than 53 bits
        let too_big = [
            0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 0,
        ];
        assert_eq!(
            decode(&STANDARD.encode(too_big)).unwrap_err(),
            AnchorError::NotARelativePosition
        );
    }
}
