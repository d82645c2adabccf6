use super::*;
use crate::sync::document::DocState;
use crate::sync::fixtures::{deep_xml_update, on_small_stack, ATTACK_DEPTH};
use crate::sync::protocol::ValidUpdate;
use crate::sync::scan::{self, Link};
use yrs::updates::decoder::Decode;
use yrs::{
    Array, ArrayPrelim, Doc, Map, MapPrelim, MapRef, Transact, Update, XmlElementPrelim,
    XmlElementRef, XmlFragment,
};

const LIMIT: usize = 10;

fn full(doc: &Doc) -> Vec<u8> {
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
}

fn since(doc: &Doc, sv: &StateVector) -> Vec<u8> {
    doc.transact().encode_state_as_update_v1(sv)
}

/// A client document with `depth` nested elements; returns the innermost.
fn nested(client: u64, depth: usize) -> (Doc, XmlElementRef) {
    let doc = Doc::with_client_id(client);
    let fragment = doc.get_or_insert_xml_fragment("prosemirror");
    let mut txn = doc.transact_mut();
    let mut current = fragment.insert(&mut txn, 0, XmlElementPrelim::empty("list"));
    for _ in 1..depth {
        current = current.insert(&mut txn, 0, XmlElementPrelim::empty("list"));
    }
    drop(txn);
    (doc, current)
}

/// The server's view: a [`DocState`] holding `update`.
fn server_with(update: &[u8]) -> DocState {
    let mut state = DocState::new();
    let valid = ValidUpdate::decode(update.to_vec()).unwrap();
    state.check_nesting(&valid, LIMIT).unwrap();
    state.apply(valid.update, update.len()).unwrap();
    state
}

fn checked(state: &mut DocState, update: &[u8]) -> Result<(), NestingError> {
    let valid = ValidUpdate::decode(update.to_vec()).unwrap();
    state.check_nesting(&valid, LIMIT)?;
    state.apply(valid.update, update.len()).unwrap();
    Ok(())
}

#[test]
fn the_attack_is_refused_without_recursion() {
    let refused = on_small_stack(|| {
        let update = deep_xml_update(ATTACK_DEPTH);
        let doc = Doc::new();
        let result = check(&doc.transact(), &update, DEFAULT_MAX_NESTING_DEPTH);
        result
    });
    assert!(matches!(
        refused,
        Err(NestingError::TooDeep {
            limit: DEFAULT_MAX_NESTING_DEPTH
        })
    ));
}

#[test]
fn the_limit_itself_is_allowed_one_more_is_not() {
    let (doc, _) = nested(1, LIMIT);
    let empty = Doc::new();
    assert!(check(&empty.transact(), &full(&doc), LIMIT).is_ok());
    let (doc, _) = nested(1, LIMIT + 1);
    assert!(matches!(
        check(&empty.transact(), &full(&doc), LIMIT),
        Err(NestingError::TooDeep { limit: LIMIT })
    ));
}

#[test]
fn depth_adds_up_across_updates() {
    let (doc, inner) = nested(1, LIMIT - 1);
    let mut server = server_with(&full(&doc));
    // one more inside the innermost (its parent is in the document): exactly the limit
    let before = doc.transact().state_vector();
    let deepest = inner.insert(&mut doc.transact_mut(), 0, XmlElementPrelim::empty("item"));
    checked(&mut server, &since(&doc, &before)).unwrap();
    // a sibling of the deepest, placed next to it: still the limit
    let before = doc.transact().state_vector();
    inner.insert(&mut doc.transact_mut(), 1, XmlElementPrelim::empty("item"));
    checked(&mut server, &since(&doc, &before)).unwrap();
    // one inside the deepest: refused, and the document is unchanged
    let before = doc.transact().state_vector();
    deepest.insert(&mut doc.transact_mut(), 0, XmlElementPrelim::empty("item"));
    let sv = server.state_vector();
    assert!(matches!(
        checked(&mut server, &since(&doc, &before)),
        Err(NestingError::TooDeep { .. })
    ));
    assert_eq!(server.state_vector(), sv);
}

#[test]
fn maps_and_arrays_count_too() {
    let doc = Doc::with_client_id(2);
    let root = doc.get_or_insert_map("m");
    let mut current: MapRef = root;
    {
        let mut txn = doc.transact_mut();
        for _ in 0..LIMIT {
            current = current.insert(&mut txn, "k", MapPrelim::default());
        }
    }
    let mut server = server_with(&full(&doc));
    let before = doc.transact().state_vector();
    current.insert(&mut doc.transact_mut(), "k", MapPrelim::default());
    assert!(matches!(
        checked(&mut server, &since(&doc, &before)),
        Err(NestingError::TooDeep { .. })
    ));
    // an array placed after plain values in a root array: found through its neighbours
    // (by another client: the refused change leaves a gap in this one's clocks)
    let doc = Doc::with_client_id(3);
    let mut server = DocState::new();
    let list = doc.get_or_insert_array("a");
    let before = doc.transact().state_vector();
    list.insert_range(&mut doc.transact_mut(), 0, [1, 2, 3]);
    checked(&mut server, &since(&doc, &before)).unwrap();
    let before = doc.transact().state_vector();
    let inner = list.insert(&mut doc.transact_mut(), 3, ArrayPrelim::default());
    inner.insert(&mut doc.transact_mut(), 0, ArrayPrelim::default());
    checked(&mut server, &since(&doc, &before)).unwrap();
}

#[test]
fn elements_inside_content_the_server_lacks_are_refused() {
    let (doc, inner) = nested(1, 2);
    let server = DocState::new();
    let before = doc.transact().state_vector();
    inner.insert(&mut doc.transact_mut(), 0, XmlElementPrelim::empty("item"));
    let update = since(&doc, &before);
    assert!(matches!(
        check(&server.doc().transact(), &update, LIMIT),
        Err(NestingError::UnknownParent)
    ));
    // plain content with missing neighbours is no concern of this check
    let text = Doc::with_client_id(3);
    let t = text.get_or_insert_text("t");
    yrs::Text::insert(&t, &mut text.transact_mut(), 0, "a");
    let before = text.transact().state_vector();
    yrs::Text::insert(&t, &mut text.transact_mut(), 1, "b");
    assert!(check(&server.doc().transact(), &since(&text, &before), LIMIT).is_ok());
}

#[test]
fn a_stored_deep_document_loads_and_refuses_changes() {
    let refused = on_small_stack(|| {
        let deep = deep_xml_update(ATTACK_DEPTH);
        let mut state = DocState::from_stored(Some(&deep), []).unwrap();
        let (doc, _) = nested(9, 1);
        let valid = ValidUpdate::decode(full(&doc)).unwrap();
        let result = state.check_nesting(&valid, DEFAULT_MAX_NESTING_DEPTH);
        assert!(state.diff(&StateVector::default()).len() >= deep.len() / 2);
        result
    });
    assert!(matches!(
        refused,
        Err(NestingError::DocumentTooDeep {
            limit: DEFAULT_MAX_NESTING_DEPTH
        })
    ));
}

#[test]
fn a_document_within_the_limit_is_measured_once_and_accepts_changes() {
    let (doc, _) = nested(1, 3);
    let stored = full(&doc);
    let mut state = DocState::from_stored(Some(&stored), []).unwrap();
    let (other, _) = nested(2, 3);
    let update = Update::decode_v1(&full(&other)).unwrap();
    assert!(!update.is_empty());
    checked(&mut state, &full(&other)).unwrap();
    assert_eq!(
        state_depth(&state.diff(&StateVector::default()), LIMIT).unwrap(),
        3
    );
}

#[test]
fn an_element_next_to_collected_content_of_the_same_update_is_placed() {
    // offline, a client writes a list with an item, deletes it and writes a paragraph in its
    // place; its document collects what was inside the list, so the update carries only the
    // id ranges of those
    let (doc, _) = nested(1, 1);
    let mut server = server_with(&full(&doc));
    let before = doc.transact().state_vector();
    let fragment = doc.get_or_insert_xml_fragment("prosemirror");
    let list = fragment.insert(&mut doc.transact_mut(), 1, XmlElementPrelim::empty("list"));
    list.insert(&mut doc.transact_mut(), 0, XmlElementPrelim::empty("item"));
    fragment.remove_range(&mut doc.transact_mut(), 1, 1);
    fragment.insert(
        &mut doc.transact_mut(),
        1,
        XmlElementPrelim::empty("paragraph"),
    );
    let update = since(&doc, &before);
    let mut collected = 0;
    scan::scan(&update, |item| {
        collected += usize::from(item.link == Link::Collected);
    })
    .unwrap();
    assert_eq!(collected, 1, "the update holds a collected range");
    checked(&mut server, &update).unwrap();
}
