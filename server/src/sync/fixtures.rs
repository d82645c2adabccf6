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
    let fragment = doc.get_or_insert_xml_fragment(crate::versions::FRAGMENT);
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
    let fragment = doc.get_or_insert_xml_fragment(crate::versions::FRAGMENT);
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
