//! Property tests of the decoders that take client bytes: frames, update footprints, anchors
//! and presence never panic, on arbitrary bytes, on real updates and on damaged ones; the
//! hostile inputs of [`super::fixtures`] are always included.

use std::collections::HashMap;

use proptest::prelude::*;
use yrs::sync::{AwarenessUpdate, Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, Transact};

use super::anchor::{self, AnchorResolver};
use super::attribution::footprint;
use super::document::DocState;
use super::fixtures::{
    deep_value_update, deep_xml_update, edit, edited_state, on_small_stack, ATTACK_DEPTH,
};
use super::protocol::{decode_frame, encode_update, Inbound};
use super::{nesting, scan};

/// Everything the server does with one incoming frame, as the actor would.
fn receive(frame: &[u8]) {
    let Ok(message) = decode_frame(frame) else {
        return;
    };
    let mut state = DocState::new();
    match message {
        Inbound::Update(update) | Inbound::SyncStep2(update) => {
            let _ = footprint(&state.doc().transact(), &update.update);
            if state
                .check_nesting(&update, nesting::DEFAULT_MAX_NESTING_DEPTH)
                .is_ok()
            {
                let size = update.raw.len();
                let _ = state.apply(update.update, size);
            }
            let _ = state.snapshot();
        }
        Inbound::Awareness(update) => {
            let stamp = serde_json::json!({"name": "Anna"});
            let _ = state.apply_awareness(1, update, Some(&stamp));
            let _ = state.awareness_snapshot();
        }
        Inbound::SyncStep1(sv) => {
            let _ = state.diff(&sv);
        }
        Inbound::AwarenessQuery | Inbound::Auth => {}
    }
}

/// Damages `bytes`: each `(position, value)` overwrites one byte, then the end is cut.
fn damaged(mut bytes: Vec<u8>, changes: &[(usize, u8)], cut: usize) -> Vec<u8> {
    if bytes.is_empty() {
        return bytes;
    }
    let len = bytes.len();
    for (at, value) in changes {
        if let Some(byte) = bytes.get_mut(at % len) {
            *byte = *value;
        }
    }
    bytes.truncate(len - cut % len);
    bytes
}

fn awareness_frame(json: &str) -> Vec<u8> {
    let mut clients = HashMap::new();
    clients.insert(
        yrs::ClientID::new(9),
        yrs::sync::awareness::AwarenessUpdateEntry {
            clock: 1,
            json: json.into(),
        },
    );
    Message::Awareness(AwarenessUpdate { clients }).encode_v1()
}

/// The fixed cases ("corpus"): the nested-elements attack, a deeply nested value, and
/// presence with deeply nested JSON, each handled on a small stack.
#[test]
fn the_corpus_is_handled_without_recursion() {
    on_small_stack(|| {
        let deep = deep_xml_update(ATTACK_DEPTH);
        receive(&encode_update(&deep));
        receive(&encode_update(&deep_value_update(ATTACK_DEPTH)));
        let nested_json = format!("{}{}", "[".repeat(ATTACK_DEPTH), "]".repeat(ATTACK_DEPTH));
        receive(&awareness_frame(&nested_json));
        // the deep document as stored state, as footprints and anchors see it
        let state = DocState::from_stored(Some(&deep), []).unwrap_or_default();
        let update = scan::decode_update(&deep).unwrap();
        let _ = footprint(&state.doc().transact(), &update);
        let resolver = AnchorResolver::new(&deep).unwrap();
        let start = anchor::encode(&yrs::StickyIndex::new(
            yrs::IndexScope::Relative(yrs::ID::new(yrs::ClientID::new(7), ATTACK_DEPTH as u32)),
            yrs::Assoc::After,
        ));
        assert_eq!(resolver.resolve(&start, &start).as_deref(), Some(""));
        assert!(AnchorResolver::new(&deep_value_update(ATTACK_DEPTH)).is_none());
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_frame_is_handled(frame in proptest::collection::vec(any::<u8>(), 0..256)) {
        receive(&frame);
    }

    #[test]
    fn any_sync_payload_is_handled(payload in proptest::collection::vec(any::<u8>(), 0..256)) {
        receive(&Message::Sync(SyncMessage::Update(payload.clone())).encode_v1());
        receive(&Message::Sync(SyncMessage::SyncStep2(payload)).encode_v1());
    }

    #[test]
    fn damaged_updates_are_handled(
        edits in proptest::collection::vec(edit(), 0..24),
        changes in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        cut in any::<usize>(),
    ) {
        let state = edited_state(1, &edits);
        receive(&encode_update(&state));
        receive(&encode_update(&damaged(state, &changes, cut)));
    }

    #[test]
    fn footprints_of_real_updates_never_panic(
        base in proptest::collection::vec(edit(), 0..16),
        more in proptest::collection::vec(edit(), 0..16),
        changes in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..3),
    ) {
        let doc = Doc::new();
        let stored = edited_state(1, &base);
        doc.transact_mut().apply_update(yrs::Update::decode_v1(&stored).unwrap()).unwrap();
        for bytes in [edited_state(2, &more), damaged(edited_state(2, &more), &changes, 0)] {
            if let Ok(update) = scan::decode_update(&bytes) {
                let _ = footprint(&doc.transact(), &update);
            }
        }
    }

    #[test]
    fn anchors_never_panic(
        edits in proptest::collection::vec(edit(), 0..16),
        start in proptest::collection::vec(any::<u8>(), 0..12),
        end in proptest::collection::vec(any::<u8>(), 0..12),
        text in "[A-Za-z0-9+/=%]{0,16}",
    ) {
        use base64::Engine;
        let state = edited_state(1, &edits);
        let encode = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let _ = anchor::resolve(&state, &encode(&start), &encode(&end));
        let _ = anchor::resolve(&state, &text, &encode(&end));
        let _ = anchor::resolve(&start, &text, &text);
    }

    #[test]
    fn any_presence_is_handled(
        json in ".{0,64}",
        raw in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        receive(&awareness_frame(&json));
        let mut frame = vec![1];
        frame.extend_from_slice(&raw);
        receive(&frame);
    }
}
