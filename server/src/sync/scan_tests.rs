use super::*;
use crate::sync::fixtures::{deep_value_update, on_small_stack, ATTACK_DEPTH};
use std::collections::HashMap;
use yrs::types::text::TextPrelim;
use yrs::ClientID;
use yrs::{
    Any, Array, ArrayPrelim, Doc, GetString, IdSet, Map, MapPrelim, Options, ReadTxn, StateVector,
    Text, Transact, WriteTxn, Xml, XmlElementPrelim, XmlFragment, XmlTextPrelim,
};

fn scanned(raw: &[u8]) -> Vec<ScannedItem> {
    let mut items = Vec::new();
    scan(raw, |item| items.push(item)).unwrap();
    items
}

/// A document with every kind of content yrs writes: text with formatting and embeds, XML
/// elements with attributes, maps and arrays of nested values and shared types, binary, and
/// deletions (kept, as the server's version documents keep them).
fn varied_state() -> Vec<u8> {
    let doc = Doc::with_options(Options {
        skip_gc: true,
        ..Options::with_client_id(ClientID::new(3))
    });
    {
        let mut txn = doc.transact_mut();
        let fragment = txn.get_or_insert_xml_fragment("prosemirror");
        let p = fragment.insert(&mut txn, 0, XmlElementPrelim::empty("paragraph"));
        p.insert_attribute(&mut txn, "align", "left");
        let text = p.insert(&mut txn, 0, XmlTextPrelim::new("Hallo wereld 🏥"));
        let bold: yrs::types::Attrs = HashMap::from([("strong".into(), Any::Bool(true))]);
        text.format(&mut txn, 0, 5, bold);
        text.insert_embed(
            &mut txn,
            3,
            Any::from(HashMap::from([("img".to_owned(), Any::from("x"))])),
        );
        text.remove_range(&mut txn, 6, 3);
        let map = txn.get_or_insert_map("meta");
        let nested = Any::from(vec![
            Any::from(vec![Any::from(1.5), Any::Null]),
            Any::from("s"),
        ]);
        map.insert(&mut txn, "value", nested);
        map.insert(&mut txn, "bytes", Any::from(vec![1u8, 2, 3].as_slice()));
        map.insert(&mut txn, "big", Any::Number(yrs::Number::Int(1 << 60)));
        let inner = map.insert(&mut txn, "inner", MapPrelim::default());
        inner.insert(&mut txn, "list", ArrayPrelim::default());
        inner.insert(&mut txn, "sub", Doc::new());
        let array = txn.get_or_insert_array("list");
        array.insert_range(&mut txn, 0, [1, 2, 3]);
        array.insert(&mut txn, 1, TextPrelim::new("in een lijst"));
        array.remove(&mut txn, 0);
        let plain = txn.get_or_insert_text("plain");
        plain.insert(&mut txn, 0, "een twee drie");
        plain.remove_range(&mut txn, 3, 5);
    }
    let state = doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    state
}

#[test]
fn items_match_what_yrs_decodes() {
    let state = varied_state();
    let items = scanned(&state);
    let mut ids = IdSet::default();
    for item in &items {
        ids.insert(item.id, item.len);
    }
    let update = Update::decode_v1(&state).unwrap();
    assert_eq!(ids, update.insertions(true));
    // paragraph, its text, the inner map, its list, the text in the list
    assert_eq!(items.iter().filter(|item| item.is_type).count(), 5);
    assert!(items.iter().any(|item| item.link == Link::Root));
    assert!(items
        .iter()
        .any(|item| matches!(item.link, Link::Parent(_))));
    assert!(items.iter().any(|item| matches!(
        item.link,
        Link::Neighbours {
            origin: Some(_),
            ..
        }
    )));
}

#[test]
fn garbage_collected_and_skipped_blocks_advance_the_clock() {
    let doc = Doc::with_client_id(4);
    let text = doc.get_or_insert_text("t");
    text.insert(&mut doc.transact_mut(), 0, "weg");
    text.remove_range(&mut doc.transact_mut(), 0, 3);
    text.insert(&mut doc.transact_mut(), 0, "blijft");
    let state = doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    let items = scanned(&state);
    let update = Update::decode_v1(&state).unwrap();
    let mut ids = IdSet::default();
    for item in &items {
        ids.insert(item.id, item.len);
    }
    assert_eq!(ids, update.insertions(true));
    assert_eq!(items.last().map(|item| item.id.clock), Some(3));
    let copy = Doc::new();
    copy.transact_mut()
        .apply_update(decode_update(&state).unwrap())
        .unwrap();
    assert_eq!(
        copy.get_or_insert_text("t").get_string(&copy.transact()),
        "blijft"
    );
}

#[test]
fn values_nested_too_deeply_are_refused_without_recursion() {
    assert!(scan(&deep_value_update(MAX_VALUE_DEPTH), |_| {}).is_ok());
    assert!(matches!(
        scan(&deep_value_update(MAX_VALUE_DEPTH + 1), |_| {}),
        Err(ScanError::ValueTooDeep)
    ));
    let refused = on_small_stack(|| decode_update(&deep_value_update(ATTACK_DEPTH)));
    assert!(matches!(refused, Err(ScanError::ValueTooDeep)));
}

#[test]
fn impossible_lengths_are_refused() {
    // one client with one skip block of length 0
    assert!(matches!(
        scan(&[1, 1, 5, 0, 10, 0, 0], |_| {}),
        Err(ScanError::BadLength)
    ));
    // a skip block running past the largest clock
    assert!(matches!(
        scan(&[1, 1, 5, 1, 10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0], |_| {}),
        Err(ScanError::BadLength)
    ));
    assert!(matches!(
        scan(&[1, 1], |_| {}),
        Err(ScanError::Malformed(_))
    ));
    assert!(scan(Update::EMPTY_V1, |_| {}).is_ok());
}
