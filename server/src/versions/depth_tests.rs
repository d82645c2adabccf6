//! Depth-safety and property tests of reading, comparing and rendering versions: the hostile
//! inputs of `sync::fixtures` (read on a small stack) and random, also damaged, drafts.

mod depth {
    use super::super::test_support::Claims;
    use super::super::*;
    use crate::sync::fixtures::{deep_xml_update, on_small_stack, ATTACK_DEPTH};

    #[test]
    fn the_attack_is_an_error_for_every_reader_without_recursion() {
        let results = on_small_stack(|| {
            let deep = deep_xml_update(ATTACK_DEPTH);
            let shallow = deep_xml_update(3);
            [
                document_blocks(&deep).map(|_| ()),
                compare(&shallow, &deep, &Claims::default()).map(|_| ()),
                compare(&deep, &shallow, &Claims::default()).map(|_| ()),
            ]
        });
        for result in results {
            assert!(matches!(result, Err(VersionError::TooDeep)), "{result:?}");
        }
    }

    #[test]
    fn content_at_the_cap_is_read() {
        let blocks = on_small_stack(|| document_blocks(&deep_xml_update(MAX_TREE_DEPTH - 1)));
        let blocks = blocks.unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].text(), "bodem");
        assert!(matches!(
            document_blocks(&deep_xml_update(MAX_TREE_DEPTH + 1)),
            Err(VersionError::TooDeep)
        ));
    }

    #[test]
    fn renderers_handle_the_deepest_lists_blocks_can_carry() {
        let blocks: Vec<Block> = (0..=u8::MAX)
            .map(|depth| Block {
                kind: BlockKind::ListItem {
                    ordered: depth % 2 == 0,
                    depth,
                    marker: true,
                },
                runs: vec![Run {
                    change: Change::Unchanged,
                    text: "x".into(),
                    author: None,
                    marks: Marks::default(),
                }],
            })
            .collect();
        let (html, markdown, docx) = on_small_stack(move || {
            (
                to_html(&blocks, "t"),
                to_markdown(&blocks),
                to_docx(&blocks, "t").map(|bytes| bytes.len()),
            )
        });
        assert_eq!(
            html.matches("<ol>").count() + html.matches("<ul>").count(),
            256
        );
        assert!(markdown.lines().count() >= 256);
        assert!(docx.unwrap() > 0);
    }
}

mod properties {
    use super::super::test_support::Claims;
    use super::super::*;
    use crate::sync::fixtures::{deep_value_update, edit, edited_state, ATTACK_DEPTH};
    use proptest::prelude::*;

    /// Reads, renders in every format and compares; errors are fine, panics are not.
    fn render_all(old: &[u8], new: &[u8]) {
        if let Ok(blocks) = document_blocks(new) {
            let _ = to_html(&blocks, "t");
            let _ = to_markdown(&blocks);
            let _ = to_docx(&blocks, "t");
        }
        if let Ok(comparison) = compare(old, new, &Claims::default()) {
            let _ = to_html(&comparison.blocks, "t");
            let _ = comparison_markdown(&comparison);
        }
    }

    #[test]
    fn the_corpus_is_an_error() {
        let deep = deep_value_update(ATTACK_DEPTH);
        assert!(matches!(document_blocks(&deep), Err(VersionError::Scan(_))));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn renderers_never_panic(
            old in proptest::collection::vec(edit(), 0..16),
            new in proptest::collection::vec(edit(), 0..24),
            changes in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..3),
        ) {
            let old = edited_state(1, &old);
            let mut new = edited_state(2, &new);
            render_all(&old, &new);
            if !new.is_empty() {
                let len = new.len();
                for (at, value) in changes {
                    if let Some(byte) = new.get_mut(at % len) {
                        *byte = value;
                    }
                }
                render_all(&old, &new);
            }
        }
    }
}
