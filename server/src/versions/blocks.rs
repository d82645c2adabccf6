//! Reads a version's encoded state into leaf blocks of characters, each character tagged with
//! the Yjs item id (client, clock) that created it.
//!
//! Ids come from `Text::diff_range(hi = the doc's snapshot, lo = an empty snapshot)`: every
//! visible item is then "added" relative to `lo`, and yrs starts a new chunk at every item
//! (see `DiffAssembler::process` in yrs `types/text.rs`), so each chunk is exactly one item and
//! character `k` of a chunk has clock `item.clock + (UTF-16 length of the chunk before k)`.
//! `chunk_ids_follow_items` checks that.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use yrs::types::text::{Diff, YChange};
use yrs::types::Attrs;
use yrs::{
    Any, BranchID, Doc, Number, Options, Out, ReadTxn, Snapshot, Text, Transact, TransactionMut,
    Xml, XmlFragment, XmlOut, XmlTextRef,
};

use super::{Author, Block, BlockKind, Change, Marks, Run, VersionError, FRAGMENT, MAX_TREE_DEPTH};

/// The identity of a character or block: the id of the Yjs item that created it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ItemId {
    pub client: u64,
    pub clock: u32,
}

/// One visible character of a version.
#[derive(Debug, Clone)]
pub(crate) struct SourceChar {
    pub id: ItemId,
    pub ch: char,
    pub marks: Marks,
}

/// One leaf block of a version, identified by the element (or text) item it is read from.
#[derive(Debug, Clone)]
pub(crate) struct SourceBlock {
    pub id: ItemId,
    pub kind: BlockKind,
    pub chars: Vec<SourceChar>,
}

/// Reads one version into blocks with every run [`Change::Unchanged`] and marks kept.
///
/// # Errors
/// Fails when `state` is not a Yjs update.
pub fn document_blocks(state: &[u8]) -> Result<Vec<Block>, VersionError> {
    let blocks = read_blocks(state)?
        .into_iter()
        .map(|block| {
            let mut runs = Vec::new();
            for c in &block.chars {
                push_char(&mut runs, Change::Unchanged, None, c.marks, c.ch);
            }
            Block {
                kind: block.kind,
                runs,
            }
        })
        .collect();
    Ok(blocks)
}

/// Appends `ch` to the last run if change, author and marks match, else starts a new run.
pub(crate) fn push_char(
    runs: &mut Vec<Run>,
    change: Change,
    author: Option<Author>,
    marks: Marks,
    ch: char,
) {
    if let Some(last) = runs.last_mut() {
        if last.change == change && last.marks == marks && last.author == author {
            last.text.push(ch);
            return;
        }
    }
    runs.push(Run {
        change,
        text: ch.to_string(),
        author,
        marks,
    });
}

/// Decodes `state` and flattens its [`FRAGMENT`] into leaf blocks in document order.
///
/// The tree is walked with an explicit stack, never recursively, and no deeper than
/// [`MAX_TREE_DEPTH`] elements.
pub(crate) fn read_blocks(state: &[u8]) -> Result<Vec<SourceBlock>, VersionError> {
    let doc = Doc::with_options(Options {
        skip_gc: true,
        ..Options::default()
    });
    let fragment = doc.get_or_insert_xml_fragment(FRAGMENT);
    let mut txn = doc.transact_mut();
    txn.apply_update(crate::sync::scan::decode_update(state)?)?;
    let children: Vec<XmlOut> = fragment.children(&txn).collect();
    let mut reader = Reader {
        hi: txn.snapshot(),
        lo: Snapshot::default(),
        txn,
        blocks: Vec::new(),
        pending_marker: false,
    };
    reader.read(children)?;
    Ok(reader.blocks)
}

/// Where in the tree a block sits.
#[derive(Debug, Clone, Copy)]
enum Context {
    Top,
    Quote,
    Item { ordered: bool, depth: u8 },
}

impl Context {
    fn list_depth(self) -> u8 {
        match self {
            Context::Item { depth, .. } => depth.saturating_add(1),
            Context::Top | Context::Quote => 0,
        }
    }
}

/// Work left in the walk over the block structure.
enum Task {
    /// Read a node at this element depth (1 for the fragment's children).
    Node {
        node: XmlOut,
        context: Context,
        depth: usize,
    },
    /// A list item's children are done.
    EndItem,
}

/// Pushes `children` so that the first is taken next.
fn push_children(tasks: &mut Vec<Task>, children: Vec<XmlOut>, context: Context, depth: usize) {
    for node in children.into_iter().rev() {
        tasks.push(Task::Node {
            node,
            context,
            depth: depth.saturating_add(1),
        });
    }
}

struct Reader<'doc> {
    txn: TransactionMut<'doc>,
    hi: Snapshot,
    lo: Snapshot,
    blocks: Vec<SourceBlock>,
    /// Set on entering a list item; the item's first paragraph takes it.
    pending_marker: bool,
}

impl Reader<'_> {
    /// Reads the fragment's children, depth first, in document order.
    fn read(&mut self, children: Vec<XmlOut>) -> Result<(), VersionError> {
        let mut tasks = Vec::new();
        push_children(&mut tasks, children, Context::Top, 0);
        while let Some(task) = tasks.pop() {
            match task {
                Task::EndItem => self.pending_marker = false,
                Task::Node {
                    node,
                    context,
                    depth,
                } => {
                    if depth > MAX_TREE_DEPTH {
                        return Err(VersionError::TooDeep);
                    }
                    self.node(node, context, depth, &mut tasks)?;
                }
            }
        }
        Ok(())
    }

    fn node(
        &mut self,
        node: XmlOut,
        context: Context,
        depth: usize,
        tasks: &mut Vec<Task>,
    ) -> Result<(), VersionError> {
        match node {
            XmlOut::Element(element) => {
                let tag = element.tag().to_string();
                let children: Vec<XmlOut> = element.children(&self.txn).collect();
                match tag.as_str() {
                    "bullet_list" | "ordered_list" => {
                        let ordered = tag == "ordered_list";
                        let list_depth = context.list_depth();
                        let context = Context::Item {
                            ordered,
                            depth: list_depth,
                        };
                        push_children(tasks, children, context, depth);
                    }
                    "list_item" => {
                        let context = match context {
                            Context::Item { .. } => context,
                            Context::Top | Context::Quote => Context::Item {
                                ordered: false,
                                depth: 0,
                            },
                        };
                        self.pending_marker = true;
                        tasks.push(Task::EndItem);
                        push_children(tasks, children, context, depth);
                    }
                    "blockquote" => {
                        let context = match context {
                            Context::Top => Context::Quote,
                            other => other,
                        };
                        push_children(tasks, children, context, depth);
                    }
                    "paragraph" | "heading" => {
                        let level = heading_level(&element, &self.txn);
                        let id = branch_item_id(&XmlOut::Element(element));
                        self.leaf(id, &tag, level, context, children, depth)?;
                    }
                    _ if children.iter().any(|c| matches!(c, XmlOut::Text(_))) => {
                        let id = branch_item_id(&XmlOut::Element(element));
                        self.leaf(id, &tag, None, context, children, depth)?;
                    }
                    _ => push_children(tasks, children, context, depth),
                }
            }
            XmlOut::Text(text) => {
                let id = branch_item_id(&XmlOut::Text(text.clone()));
                let children = vec![XmlOut::Text(text)];
                // the text is the block itself, so its content is at the same depth
                self.leaf(
                    id,
                    "paragraph",
                    None,
                    context,
                    children,
                    depth.saturating_sub(1),
                )?;
            }
            XmlOut::Fragment(fragment) => {
                let children: Vec<XmlOut> = fragment.children(&self.txn).collect();
                push_children(tasks, children, context, depth);
            }
        }
        Ok(())
    }

    fn leaf(
        &mut self,
        id: Option<ItemId>,
        tag: &str,
        level: Option<u8>,
        context: Context,
        children: Vec<XmlOut>,
        depth: usize,
    ) -> Result<(), VersionError> {
        let kind = match (tag, context) {
            ("heading", Context::Top) => BlockKind::Heading(level.unwrap_or(1)),
            (_, Context::Item { ordered, depth }) => BlockKind::ListItem {
                ordered,
                depth,
                marker: std::mem::take(&mut self.pending_marker),
            },
            (_, Context::Quote) => BlockKind::Quote,
            (_, Context::Top) => BlockKind::Paragraph,
        };
        let chars = self.inline(children, depth)?;
        let id = id.unwrap_or_else(synthetic_id);
        self.blocks.push(SourceBlock { id, kind, chars });
        Ok(())
    }

    /// Collects the characters of a block's inline nodes (children of an element at `depth`):
    /// text, `hard_break` as a line break, and the text of any other inline element.
    fn inline(
        &mut self,
        children: Vec<XmlOut>,
        depth: usize,
    ) -> Result<Vec<SourceChar>, VersionError> {
        let mut chars = Vec::new();
        let mut stack: Vec<(XmlOut, usize)> = children
            .into_iter()
            .rev()
            .map(|node| (node, depth.saturating_add(1)))
            .collect();
        while let Some((node, depth)) = stack.pop() {
            if depth > MAX_TREE_DEPTH {
                return Err(VersionError::TooDeep);
            }
            let children: Vec<XmlOut> = match node {
                XmlOut::Text(text) => {
                    self.text(&text, &mut chars);
                    continue;
                }
                XmlOut::Element(element) if element.tag().as_ref() == "hard_break" => {
                    let id = branch_item_id(&XmlOut::Element(element)).unwrap_or_else(synthetic_id);
                    chars.push(SourceChar {
                        id,
                        ch: '\n',
                        marks: Marks::default(),
                    });
                    continue;
                }
                XmlOut::Element(element) => element.children(&self.txn).collect(),
                XmlOut::Fragment(fragment) => fragment.children(&self.txn).collect(),
            };
            for child in children.into_iter().rev() {
                stack.push((child, depth.saturating_add(1)));
            }
        }
        Ok(chars)
    }

    fn text(&mut self, text: &XmlTextRef, chars: &mut Vec<SourceChar>) {
        let diffs: Vec<Diff<YChange>> = text.diff_range(
            &mut self.txn,
            Some(&self.hi),
            Some(&self.lo),
            YChange::identity,
        );
        for diff in diffs {
            let Out::Any(Any::String(chunk)) = diff.insert else {
                continue; // embeds carry no text
            };
            let marks = marks_of(diff.attributes.as_deref());
            let item = diff.ychange.map(|change| ItemId {
                client: change.id.client.get(),
                clock: change.id.clock,
            });
            let mut offset: u32 = 0;
            for ch in chunk.chars() {
                let id = match item {
                    Some(item) => ItemId {
                        clock: item.clock.saturating_add(offset),
                        ..item
                    },
                    None => synthetic_id(),
                };
                chars.push(SourceChar { id, ch, marks });
                offset = offset.saturating_add(u32::try_from(ch.len_utf16()).unwrap_or(1));
            }
        }
    }
}

/// Above the 53-bit range of real Yjs client ids.
const SYNTHETIC_CLIENT: u64 = u64::MAX;
static SYNTHETIC_CLOCK: AtomicU32 = AtomicU32::new(0);

/// An id no Yjs item has and no other read returns, so the text it marks compares as
/// new. Only used if yrs returns text without an item id, which it is not expected to.
fn synthetic_id() -> ItemId {
    ItemId {
        client: SYNTHETIC_CLIENT,
        clock: SYNTHETIC_CLOCK.fetch_add(1, Ordering::Relaxed),
    }
}

fn branch_item_id(node: &XmlOut) -> Option<ItemId> {
    match node.id() {
        BranchID::Nested(id) => Some(ItemId {
            client: id.client.get(),
            clock: id.clock,
        }),
        BranchID::Root(_) => None,
    }
}

/// The `level` attribute of a heading, stored by y-prosemirror as a number or a string.
fn heading_level<T: Xml>(element: &T, txn: &impl ReadTxn) -> Option<u8> {
    let level = match element.get_attribute(txn, "level")? {
        Out::Any(Any::String(s)) => s.trim().parse::<u8>().ok()?,
        Out::Any(Any::Number(Number::Int(n))) => u8::try_from(n.clamp(1, 6)).ok()?,
        Out::Any(Any::Number(Number::Float(n))) if n.is_finite() => n.clamp(1.0, 6.0) as u8,
        _ => return None,
    };
    Some(level.clamp(1, 6))
}

/// Bold and italic from y-prosemirror mark attributes (`strong`/`em`, also `bold`/`italic`).
fn marks_of(attributes: Option<&Attrs>) -> Marks {
    let Some(attributes) = attributes else {
        return Marks::default();
    };
    let on = |attributes: &HashMap<Arc<str>, Any>, names: &[&str]| {
        names.iter().any(|name| {
            attributes.get(*name).is_some_and(|value| {
                !matches!(value, Any::Null | Any::Undefined | Any::Bool(false))
            })
        })
    };
    Marks {
        bold: on(attributes, &["strong", "bold"]),
        italic: on(attributes, &["em", "italic"]),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::Draft;
    use super::*;
    use yrs::Update;

    #[test]
    fn chunk_ids_follow_items() {
        // Typed in pieces, by two clients, with characters of UTF-16 width 1 and 2.
        let mut draft = Draft::new(1);
        let p = draft.paragraph("Zorg");
        draft.append(p, " 🏥é");
        let mut other = draft.fork(2);
        other.insert(p, 4, "x");
        other.append(p, "!");

        let blocks = read_blocks(&other.state()).unwrap();

        let ids: Vec<(char, u64, u32)> = blocks[0]
            .chars
            .iter()
            .map(|c| (c.ch, c.id.client, c.id.clock))
            .collect();
        // "Zorg" is client 1 clocks 0..4; the paragraph's own XmlText is an item too.
        let base = ids[0].2;
        assert_eq!(
            ids,
            vec![
                ('Z', 1, base),
                ('o', 1, base + 1),
                ('r', 1, base + 2),
                ('g', 1, base + 3),
                ('x', 2, ids[4].2),
                (' ', 1, base + 4),
                ('🏥', 1, base + 5),
                ('é', 1, base + 7),
                ('!', 2, ids[4].2 + 1),
            ]
        );
    }

    #[test]
    fn reads_headings_lists_quotes_and_marks() {
        let mut draft = Draft::new(1);
        draft.heading(2, "Advies");
        draft.bold_paragraph("Vet", " en gewoon");
        draft.list(false, &["een", "twee"]);
        draft.list(true, &["eerst"]);
        draft.quote("citaat");

        let blocks = document_blocks(&draft.state()).unwrap();

        let kinds: Vec<BlockKind> = blocks.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            vec![
                BlockKind::Heading(2),
                BlockKind::Paragraph,
                BlockKind::ListItem {
                    ordered: false,
                    depth: 0,
                    marker: true
                },
                BlockKind::ListItem {
                    ordered: false,
                    depth: 0,
                    marker: true
                },
                BlockKind::ListItem {
                    ordered: true,
                    depth: 0,
                    marker: true
                },
                BlockKind::Quote,
            ]
        );
        assert_eq!(blocks[0].text(), "Advies");
        assert_eq!(blocks[1].runs.len(), 2);
        assert!(blocks[1].runs[0].marks.bold);
        assert_eq!(blocks[1].runs[0].text, "Vet");
        assert!(!blocks[1].runs[1].marks.bold);
        assert!(blocks
            .iter()
            .flat_map(|b| &b.runs)
            .all(|r| r.change == Change::Unchanged && r.author.is_none()));
    }

    #[test]
    fn nested_list_items_have_depth_and_continuations_no_marker() {
        let mut draft = Draft::new(1);
        draft.nested_list();

        let kinds: Vec<BlockKind> = document_blocks(&draft.state())
            .unwrap()
            .iter()
            .map(|b| b.kind)
            .collect();

        assert_eq!(
            kinds,
            vec![
                BlockKind::ListItem {
                    ordered: false,
                    depth: 0,
                    marker: true
                },
                BlockKind::ListItem {
                    ordered: true,
                    depth: 1,
                    marker: true
                },
                BlockKind::ListItem {
                    ordered: false,
                    depth: 0,
                    marker: false
                },
            ]
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(matches!(
            document_blocks(&[0xff, 0xff, 0xff]),
            Err(VersionError::Decode(_))
        ));
    }

    #[test]
    fn empty_state_has_no_blocks() {
        assert!(document_blocks(Update::EMPTY_V1).unwrap().is_empty());
    }
}
