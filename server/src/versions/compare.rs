//! Compares two versions of a draft by the identity of their characters and blocks.
//!
//! Every character and block carries the id of the Yjs item that created it (see
//! [`super::blocks`]). A character whose id is only in the new version was inserted, one only
//! in the old version was deleted, one in both is unchanged. Yjs never moves an item, so the
//! items present in both versions keep their relative order and the two sequences can be
//! merged in one pass along the old one: deleted blocks and characters appear at
//! their old position, before whatever was inserted at the same spot.
//!
//! Authors come from the [`Attribution`]: inserted text by the client that created the item,
//! deleted text by the item id that was deleted.
//!
//! # Structure changes
//! Blocks are compared by the id of their element, characters within a block by their own id.
//! - A new block (e.g. a new paragraph) appears with all its text inserted; a block present
//!   only in the old version appears at its old place with all its text deleted. Deleted
//!   blocks without any text (empty paragraphs) are left out.
//! - A paragraph split (Enter in the middle) reaches Yjs, through y-prosemirror, as "delete the
//!   tail of the paragraph, insert a new paragraph with that text", so it shows as the tail
//!   deleted in the first paragraph and a new paragraph inserted. A join shows the second
//!   paragraph deleted and its text inserted into the first.
//! - Changing a block's type (paragraph to heading, bullet to numbered list) replaces the
//!   element in Yjs and therefore shows as delete plus insert; an attribute change only (heading
//!   level) shows the new kind with the text unchanged.
//! - Changed marks (text made bold) show as unchanged text in its new formatting.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use super::blocks::{push_char, read_blocks, SourceBlock, SourceChar};
use super::{Attribution, Block, Change, Comparison, Run, VersionError};

/// Compares two versions' encoded states; the result reads like the new version with the old
/// version's deleted text and blocks merged in, every change attributed through `attribution`.
///
/// # Errors
/// Fails when either state is not a Yjs update.
pub fn compare(
    old_state: &[u8],
    new_state: &[u8],
    attribution: &impl Attribution,
) -> Result<Comparison, VersionError> {
    let old = read_blocks(old_state)?;
    let new = read_blocks(new_state)?;
    let old_ids: Vec<_> = old.iter().map(|block| block.id).collect();
    let new_ids: Vec<_> = new.iter().map(|block| block.id).collect();
    let mut blocks = Vec::with_capacity(new.len());
    for step in merge(&old_ids, &new_ids) {
        match step {
            Step::Old(i) => {
                let Some(block) = old.get(i) else { continue };
                if !block.chars.is_empty() {
                    blocks.push(compare_block(Some(block), None, attribution));
                }
            }
            Step::New(j) => {
                if let Some(block) = new.get(j) {
                    blocks.push(compare_block(None, Some(block), attribution));
                }
            }
            Step::Both(i, j) => blocks.push(compare_block(old.get(i), new.get(j), attribution)),
        }
    }
    Ok(Comparison { blocks })
}

/// One block of the comparison: the old and new characters of the same block merged.
/// The kind is the new one when the block still exists.
fn compare_block(
    old: Option<&SourceBlock>,
    new: Option<&SourceBlock>,
    attribution: &impl Attribution,
) -> Block {
    let empty: &[SourceChar] = &[];
    let old_chars = old.map_or(empty, |block| &block.chars[..]);
    let new_chars = new.map_or(empty, |block| &block.chars[..]);
    let old_ids: Vec<_> = old_chars.iter().map(|c| c.id).collect();
    let new_ids: Vec<_> = new_chars.iter().map(|c| c.id).collect();
    let mut runs: Vec<Run> = Vec::new();
    for step in merge(&old_ids, &new_ids) {
        match step {
            Step::Old(i) => {
                if let Some(c) = old_chars.get(i) {
                    let author = attribution.author_of_delete(c.id.client, c.id.clock);
                    push_char(&mut runs, Change::Deleted, author, c.marks, c.ch);
                }
            }
            Step::New(j) => {
                if let Some(c) = new_chars.get(j) {
                    let author = attribution.author_of_insert(c.id.client);
                    push_char(&mut runs, Change::Inserted, author, c.marks, c.ch);
                }
            }
            Step::Both(_, j) => {
                if let Some(c) = new_chars.get(j) {
                    push_char(&mut runs, Change::Unchanged, None, c.marks, c.ch);
                }
            }
        }
    }
    let kind = match (new, old) {
        (Some(block), _) | (None, Some(block)) => block.kind,
        (None, None) => super::BlockKind::Paragraph,
    };
    Block { kind, runs }
}

/// One step of a merged sequence: an element only in the old sequence, only in the new one,
/// or in both (by index into each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Old(usize),
    New(usize),
    Both(usize, usize),
}

/// Merges two sequences of unique keys, following the new sequence and placing elements
/// that exist only in the old one where they were: right before the next element they
/// preceded that survives. Elements in both sequences are assumed to keep their relative
/// order (Yjs items never move); if they do not, each surviving element is still matched once,
/// at its new position.
fn merge<K: Copy + Eq + Hash>(old: &[K], new: &[K]) -> Vec<Step> {
    let old_index: HashMap<K, usize> = old.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let in_new: HashSet<K> = new.iter().copied().collect();
    let mut used = vec![false; old.len()];
    let mut steps = Vec::with_capacity(old.len().max(new.len()));
    let mut i = 0;
    for (j, key) in new.iter().enumerate() {
        // Old-only elements up to the next survivor come before whatever is new here.
        while let Some(old_key) = old.get(i) {
            if used.get(i).copied().unwrap_or(false) {
                i += 1;
            } else if !in_new.contains(old_key) {
                steps.push(Step::Old(i));
                i += 1;
            } else {
                break;
            }
        }
        match old_index.get(key) {
            Some(&k) => {
                if let Some(flag) = used.get_mut(k) {
                    *flag = true;
                }
                steps.push(Step::Both(k, j));
            }
            None => steps.push(Step::New(j)),
        }
    }
    for (k, key) in old.iter().enumerate().skip(i) {
        if !used.get(k).copied().unwrap_or(false) && !in_new.contains(key) {
            steps.push(Step::Old(k));
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{vws, zin, Claims, Draft};
    use super::super::{Author, BlockKind};
    use super::*;

    fn run(change: Change, text: &str, author: Option<Author>) -> (Change, String, Option<i64>) {
        (change, text.to_string(), author.map(|a| a.person_id))
    }

    fn runs(block: &Block) -> Vec<(Change, String, Option<i64>)> {
        block
            .runs
            .iter()
            .map(|r| run(r.change, &r.text, r.author.clone()))
            .collect()
    }

    /// VWS (client 1) writes v1; ZIN (client 2) continues it.
    fn claims() -> Claims {
        let mut claims = Claims::default();
        claims.writers.insert(1, vws());
        claims.writers.insert(2, zin());
        claims
    }

    #[test]
    fn merge_places_deletions_before_insertions_at_their_old_spot() {
        let steps = merge(&['a', 'b', 'c', 'd'], &['a', 'x', 'c', 'd', 'y']);
        assert_eq!(
            steps,
            vec![
                Step::Both(0, 0),
                Step::Old(1),
                Step::New(1),
                Step::Both(2, 2),
                Step::Both(3, 3),
                Step::New(4),
            ]
        );
        assert_eq!(merge(&['a', 'b'], &[]), vec![Step::Old(0), Step::Old(1)]);
        assert_eq!(merge::<char>(&[], &['a']), vec![Step::New(0)]);
    }

    #[test]
    fn merge_survives_reordering() {
        let steps = merge(&['a', 'b', 'c'], &['c', 'a']);
        assert_eq!(
            steps,
            vec![Step::Both(2, 0), Step::Both(0, 1), Step::Old(1)]
        );
    }

    #[test]
    fn insert_and_delete_are_attributed() {
        let mut v1 = Draft::new(1);
        v1.heading(1, "Advies");
        let p = v1.paragraph("De zorg moet snel beter.");
        let old = v1.state();
        let mut v2 = v1.fork(2);
        v2.delete(p, "snel ");
        v2.append(p, " Dat kost tijd.");
        let mut claims = claims();
        // ZIN deleted VWS's "snel " (client 1 items; every clock of client 1 for simplicity)
        claims.deleters.push((1, 0..1000, zin()));

        let comparison = compare(&old, &v2.state(), &claims).unwrap();

        assert_eq!(comparison.blocks.len(), 2);
        assert_eq!(comparison.blocks[0].kind, BlockKind::Heading(1));
        assert_eq!(
            runs(&comparison.blocks[0]),
            vec![run(Change::Unchanged, "Advies", None)]
        );
        assert_eq!(
            runs(&comparison.blocks[1]),
            vec![
                run(Change::Unchanged, "De zorg moet ", None),
                run(Change::Deleted, "snel ", Some(zin())),
                run(Change::Unchanged, "beter.", None),
                run(Change::Inserted, " Dat kost tijd.", Some(zin())),
            ]
        );
        assert_eq!(comparison.authors(), vec![zin()]);
    }

    #[test]
    fn deleter_is_whoever_the_attribution_says() {
        let mut v1 = Draft::new(1);
        let p = v1.paragraph("een twee drie");
        let old = v1.state();
        let mut v2 = v1.fork(2);
        v2.delete(p, "twee ");
        let mut claims = claims();
        claims.deleters.push((1, 0..1000, vws()));

        let comparison = compare(&old, &v2.state(), &claims).unwrap();

        assert_eq!(
            runs(&comparison.blocks[0]),
            vec![
                run(Change::Unchanged, "een ", None),
                run(Change::Deleted, "twee ", Some(vws())),
                run(Change::Unchanged, "drie", None),
            ]
        );
    }

    #[test]
    fn deleted_paragraph_stays_at_its_old_place() {
        let mut v1 = Draft::new(1);
        v1.paragraph("eerste");
        v1.paragraph("tweede");
        v1.paragraph("derde");
        let old = v1.state();
        let mut v2 = v1.fork(2);
        v2.remove_block(1);
        let mut claims = claims();
        claims.deleters.push((1, 0..1000, zin()));

        let comparison = compare(&old, &v2.state(), &claims).unwrap();

        let texts: Vec<_> = comparison.blocks.iter().map(Block::text).collect();
        assert_eq!(texts, vec!["eerste", "tweede", "derde"]);
        assert_eq!(
            runs(&comparison.blocks[1]),
            vec![run(Change::Deleted, "tweede", Some(zin()))]
        );
        assert_eq!(comparison.blocks[1].kind, BlockKind::Paragraph);
    }

    #[test]
    fn garbage_collected_versions_compare_the_same() {
        let mut v1 = Draft::collecting_garbage(1);
        v1.paragraph("weg");
        let p = v1.paragraph("een twee drie");
        let old = v1.state();
        let mut v2 = v1.fork(2);
        v2.delete(p, "twee ");
        v2.remove_block(0);
        v2.append(0, " vier");
        let mut claims = claims();
        claims.deleters.push((1, 0..1000, zin()));

        let comparison = compare(&old, &v2.state(), &claims).unwrap();

        assert_eq!(
            comparison.blocks.iter().map(runs).collect::<Vec<_>>(),
            vec![
                vec![run(Change::Deleted, "weg", Some(zin()))],
                vec![
                    run(Change::Unchanged, "een ", None),
                    run(Change::Deleted, "twee ", Some(zin())),
                    run(Change::Unchanged, "drie", None),
                    run(Change::Inserted, " vier", Some(zin())),
                ],
            ]
        );
    }

    #[test]
    fn inserted_paragraph_is_inserted_text() {
        let mut v1 = Draft::new(1);
        v1.paragraph("eerste");
        v1.paragraph("derde");
        let old = v1.state();
        let mut v2 = v1.fork(2);
        v2.insert_paragraph(1, "tweede");

        let comparison = compare(&old, &v2.state(), &claims()).unwrap();

        assert_eq!(comparison.blocks.len(), 3);
        assert_eq!(
            runs(&comparison.blocks[1]),
            vec![run(Change::Inserted, "tweede", Some(zin()))]
        );
    }

    #[test]
    fn replaced_paragraph_shows_deletion_then_insertion() {
        let mut v1 = Draft::new(1);
        v1.paragraph("oud");
        let old = v1.state();
        let mut v2 = v1.fork(2);
        v2.remove_block(0);
        v2.insert_paragraph(0, "nieuw");

        let comparison = compare(&old, &v2.state(), &claims()).unwrap();

        let changes: Vec<_> = comparison
            .blocks
            .iter()
            .map(|b| (b.text(), b.runs[0].change))
            .collect();
        assert_eq!(
            changes,
            vec![
                ("oud".to_string(), Change::Deleted),
                ("nieuw".to_string(), Change::Inserted)
            ]
        );
    }

    #[test]
    fn identical_versions_compare_unchanged() {
        let mut v1 = Draft::new(1);
        v1.bold_paragraph("Let op:", " gewoon");
        let state = v1.state();

        let comparison = compare(&state, &state, &claims()).unwrap();

        assert!(comparison
            .blocks
            .iter()
            .flat_map(|b| &b.runs)
            .all(|r| r.change == Change::Unchanged));
        assert!(comparison.blocks[0].runs[0].marks.bold);
        assert!(comparison.authors().is_empty());
    }

    #[test]
    fn unknown_authors_are_none() {
        let mut v1 = Draft::new(1);
        let p = v1.paragraph("tekst");
        let old = v1.state();
        let mut v2 = v1.fork(7);
        v2.append(p, " erbij");

        let comparison = compare(&old, &v2.state(), &claims()).unwrap();

        assert_eq!(
            runs(&comparison.blocks[0])[1],
            run(Change::Inserted, " erbij", None)
        );
    }

    /// How the server is meant to wire it: footprints taken before applying each update,
    /// client ids claimed by the first sender, new deletions recorded for the sender.
    #[derive(Default)]
    struct Recorder {
        claims: std::collections::HashMap<u64, Author>,
        deletions: Vec<(crate::sync::attribution::DeletedRange, Author)>,
    }

    impl Recorder {
        fn receive(&mut self, server: &Draft, update: yrs::Update, sender: &Author) {
            use yrs::Transact;
            let footprint = crate::sync::attribution::footprint(&server.doc().transact(), &update);
            for client in footprint.new_content_clients {
                self.claims.entry(client).or_insert_with(|| sender.clone());
            }
            for range in footprint.new_deletions {
                self.deletions.push((range, sender.clone()));
            }
            server.doc().transact_mut().apply_update(update).unwrap();
        }
    }

    impl Attribution for Recorder {
        fn author_of_insert(&self, client: u64) -> Option<Author> {
            self.claims.get(&client).cloned()
        }

        fn author_of_delete(&self, client: u64, clock: u32) -> Option<Author> {
            self.deletions
                .iter()
                .find(|(range, _)| range.contains(client, clock))
                .map(|(_, author)| author.clone())
        }
    }

    #[test]
    fn footprints_drive_attribution_end_to_end() {
        use yrs::{ReadTxn, StateVector, Transact};
        let server = Draft::new(99);
        let mut recorder = Recorder::default();
        let mut anna = Draft::new(1);
        anna.paragraph("Eerste alinea.");
        let p = anna.paragraph("De zorg moet snel beter.");
        recorder.receive(&server, anna.update_since(&StateVector::default()), &vws());
        let old = server.state();

        let mut bram = server.fork(2);
        bram.delete(p, "snel ");
        bram.remove_block(0);
        bram.append(0, " Echt.");
        let known = server.doc().transact().state_vector();
        recorder.receive(&server, bram.update_since(&known), &zin());
        // Anna reconnects and resends everything she has; Bram's edits are not hers.
        recorder.receive(&server, anna.update_since(&StateVector::default()), &vws());
        // A third client trying to claim Anna's client id later gets nowhere.
        recorder.receive(&server, anna.update_since(&StateVector::default()), &zin());

        let comparison = compare(&old, &server.state(), &recorder).unwrap();

        assert_eq!(
            comparison.blocks.iter().map(runs).collect::<Vec<_>>(),
            vec![
                vec![run(Change::Deleted, "Eerste alinea.", Some(zin()))],
                vec![
                    run(Change::Unchanged, "De zorg moet ", None),
                    run(Change::Deleted, "snel ", Some(zin())),
                    run(Change::Unchanged, "beter.", None),
                    run(Change::Inserted, " Echt.", Some(zin())),
                ],
            ]
        );
        assert_eq!(recorder.claims.get(&1), Some(&vws()));
    }
}
