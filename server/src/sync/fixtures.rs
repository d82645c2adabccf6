//! Hostile inputs shared by the unit tests of `sync` and `versions` (the "corpus" the property
//! tests always include), and a helper that runs code on a thread with a small stack, so that
//! a test fails loudly wherever a walk is still recursive.

use yrs::{Doc, ReadTxn, StateVector, Transact, XmlElementPrelim, XmlFragment, XmlTextPrelim};

/// Depth of the nested-elements attack: one update, about a megabyte, 100,000 elements deep.
pub(crate) const ATTACK_DEPTH: usize = 100_000;

/// Stack size for [`on_small_stack`]: far below the 2 MiB of Rust's and tokio's threads.
pub(crate) const SMALL_STACK: usize = 256 * 1024;

/// A full-state update whose y-prosemirror fragment nests `depth` `div` elements, with a text
/// at the bottom, built by client 7 in one transaction.
pub(crate) fn deep_xml_update(depth: usize) -> Vec<u8> {
    let doc = Doc::with_client_id(7);
    let fragment = doc.get_or_insert_xml_fragment(super::document::FRAGMENT);
    {
        let mut txn = doc.transact_mut();
        let mut current = fragment.insert(&mut txn, 0, XmlElementPrelim::empty("div"));
        for _ in 1..depth {
            current = current.insert(&mut txn, 0, XmlElementPrelim::empty("div"));
        }
        current.insert(&mut txn, 0, XmlTextPrelim::new("bodem"));
    }
    let update = doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    update
}

/// An update with one item in root array `m` whose value is `depth` arrays nested in each
/// other (tag 117, one entry each) around a `null`: encoded by hand, since yrs itself would
/// recurse building it.
pub(crate) fn deep_value_update(depth: usize) -> Vec<u8> {
    // one client, one block, client 5, clock 0; info 8 (values, no origins); root parent "m"
    let mut bytes = vec![1, 1, 5, 0, 8, 1, 1, b'm', 1];
    for _ in 0..depth {
        bytes.extend_from_slice(&[117, 1]);
    }
    bytes.push(126);
    bytes.push(0); // empty delete set
    bytes
}

/// Runs `work` on a thread with a [`SMALL_STACK`] and returns its result; a stack overflow
/// aborts the test binary, which is the failure this guards against.
pub(crate) fn on_small_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(work)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn the_fixtures_are_what_they_claim() {
    let update = deep_xml_update(3);
    let doc = Doc::new();
    doc.transact_mut()
        .apply_update(crate::sync::scan::decode_update(&update).unwrap())
        .unwrap();
    let fragment = doc.get_or_insert_xml_fragment(super::document::FRAGMENT);
    let txn = doc.transact();
    assert_eq!(
        yrs::GetString::get_string(&fragment, &txn),
        "<div><div><div>bodem</div></div></div>"
    );
    // a shallow value decodes with yrs as an array in an array
    let value = deep_value_update(2);
    let decoded = yrs::updates::decoder::Decode::decode_v1(&value);
    let update: yrs::Update = decoded.unwrap();
    let doc = Doc::new();
    doc.transact_mut().apply_update(update).unwrap();
    let array = doc.get_or_insert_array("m");
    let txn = doc.transact();
    assert_eq!(
        yrs::Array::get(&array, &txn, 0).unwrap().to_string(&txn),
        "[[null]]"
    );
}

/// One random edit of a y-prosemirror-shaped document, for property tests.
#[derive(Debug, Clone)]
pub(crate) enum Edit {
    /// A new block with this tag (index into [`TAGS`]) at the top level.
    Block(usize),
    /// An element with this tag inside the last element touched.
    Nest(usize),
    /// Text appended to a new or the last text of the last element touched.
    Text(String),
    /// Bold over part of the last text.
    Bold(u8, u8),
    /// Deletes part of the last text.
    Delete(u8, u8),
    /// Removes a top-level block.
    Remove(u8),
}

/// Tags the edits use: what y-prosemirror writes, and one unknown.
pub(crate) const TAGS: [&str; 8] = [
    "paragraph",
    "heading",
    "bullet_list",
    "ordered_list",
    "list_item",
    "blockquote",
    "hard_break",
    "table",
];

/// A strategy for edits.
pub(crate) fn edit() -> impl proptest::strategy::Strategy<Value = Edit> {
    use proptest::prelude::*;
    prop_oneof![
        (0..TAGS.len()).prop_map(Edit::Block),
        (0..TAGS.len()).prop_map(Edit::Nest),
        // ASCII only: edits address bytes, and yrs panics on offsets inside a character
        "[a-z ]{0,12}".prop_map(Edit::Text),
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Edit::Bold(a, b)),
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Edit::Delete(a, b)),
        any::<u8>().prop_map(Edit::Remove),
    ]
}

/// Applies `edits` as client `client` to a fresh document and returns its full state.
pub(crate) fn edited_state(client: u64, edits: &[Edit]) -> Vec<u8> {
    use yrs::{Text, XmlElementRef, XmlTextRef};
    let doc = Doc::with_client_id(client);
    let fragment = doc.get_or_insert_xml_fragment(super::document::FRAGMENT);
    let mut element: Option<XmlElementRef> = None;
    let mut text: Option<XmlTextRef> = None;
    let mut txn = doc.transact_mut();
    for edit in edits {
        match edit {
            Edit::Block(tag) => {
                let len = fragment.len(&txn);
                let tag = TAGS.get(*tag).copied().unwrap_or("paragraph");
                element = Some(fragment.insert(&mut txn, len, XmlElementPrelim::empty(tag)));
                text = None;
            }
            Edit::Nest(tag) => {
                if let Some(parent) = &element {
                    let tag = TAGS.get(*tag).copied().unwrap_or("paragraph");
                    let len = parent.len(&txn);
                    element = Some(parent.insert(&mut txn, len, XmlElementPrelim::empty(tag)));
                    text = None;
                }
            }
            Edit::Text(s) => match (&text, &element) {
                (Some(existing), _) => {
                    let len = existing.len(&txn);
                    existing.insert(&mut txn, len, s);
                }
                (None, Some(parent)) => {
                    let len = parent.len(&txn);
                    text = Some(parent.insert(&mut txn, len, XmlTextPrelim::new(s.as_str())));
                }
                (None, None) => {
                    let len = fragment.len(&txn);
                    text = Some(fragment.insert(&mut txn, len, XmlTextPrelim::new(s.as_str())));
                }
            },
            Edit::Bold(at, len) | Edit::Delete(at, len) => {
                if let Some(existing) = &text {
                    let total = existing.len(&txn);
                    if total > 0 {
                        let at = u32::from(*at) % total;
                        let len = (u32::from(*len) % (total - at)).max(1);
                        if matches!(edit, Edit::Bold(..)) {
                            let bold = std::collections::HashMap::from([(
                                std::sync::Arc::<str>::from("strong"),
                                yrs::Any::Bool(true),
                            )]);
                            existing.format(&mut txn, at, len, bold);
                        } else {
                            existing.remove_range(&mut txn, at, len);
                        }
                    }
                }
            }
            Edit::Remove(index) => {
                let len = fragment.len(&txn);
                if len > 0 {
                    fragment.remove_range(&mut txn, u32::from(*index) % len, 1);
                    element = None;
                    text = None;
                }
            }
        }
    }
    drop(txn);
    let state = doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    state
}
