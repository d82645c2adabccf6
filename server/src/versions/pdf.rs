//! A version or a comparison as a PDF/A-2b file: [`to_pdf`] turns the rich [`Block`]s into a
//! [`typeset::Page`] and has it typeset. In a comparison, inserted text is green and
//! underlined and deleted text red and struck through, as in the HTML view; a note under the
//! title says so and names who made the changes. No IO.

use super::typeset::{self, Item, ItemKind, Page, Span};
use super::{Block, BlockKind, Change, VersionError};

/// Writes `blocks` under `title` as a PDF/A-2b file.
///
/// # Errors
/// [`VersionError::Pdf`] when Typst refuses the page (a bug, not a property of the text).
pub fn to_pdf(blocks: &[Block], title: &str) -> Result<Vec<u8>, VersionError> {
    Ok(typeset::pdf(page(blocks, title))?)
}

/// The [`Page`] a version or comparison is set as.
pub fn page(blocks: &[Block], title: &str) -> Page {
    let changed = blocks
        .iter()
        .flat_map(|block| &block.runs)
        .any(|run| run.change != Change::Unchanged);
    let note = if changed {
        let authors: Vec<String> = super::authors(blocks)
            .iter()
            .map(super::Author::label)
            .collect();
        let by = if authors.is_empty() {
            String::new()
        } else {
            format!(" Wijzigingen door: {}.", authors.join(", "))
        };
        format!(
            "Vergelijking: ingevoegde tekst is groen en onderstreept, verwijderde tekst rood en \
             doorgehaald.{by}"
        )
    } else {
        String::new()
    };
    let mut items = vec![Item::plain(ItemKind::Title, title)];
    let mut numbers: Vec<u32> = Vec::new();
    for block in blocks {
        let kind = match block.kind {
            BlockKind::Heading(level) => ItemKind::Heading { level },
            BlockKind::Paragraph => ItemKind::Text,
            BlockKind::Quote => ItemKind::Quote,
            BlockKind::ListItem {
                ordered,
                depth,
                marker,
            } => ItemKind::Item {
                marker: list_marker(&mut numbers, ordered, usize::from(depth), marker),
                depth,
            },
        };
        if !matches!(kind, ItemKind::Item { .. }) {
            numbers.clear();
        }
        let spans = block
            .runs
            .iter()
            .map(|run| Span {
                text: run.text.clone(),
                bold: run.marks.bold,
                italic: run.marks.italic,
                change: match run.change {
                    Change::Unchanged => "",
                    Change::Inserted => "ins",
                    Change::Deleted => "del",
                },
            })
            .collect();
        items.push(Item { kind, spans });
    }
    Page {
        title: title.to_owned(),
        note,
        items,
        date_ms: None,
    }
}

/// The bullet or number of a list paragraph; `numbers` counts the items of each open level.
fn list_marker(numbers: &mut Vec<u32>, ordered: bool, depth: usize, marker: bool) -> String {
    numbers.resize(depth + 1, 0);
    if !marker {
        return String::new();
    }
    numbers[depth] += 1;
    if ordered {
        format!("{}.", numbers[depth])
    } else if depth == 0 {
        "\u{2022}".to_owned()
    } else {
        "\u{2013}".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::versions::{Author, Marks, Run};

    fn run(text: &str, change: Change) -> Run {
        Run {
            change,
            text: text.into(),
            author: (change != Change::Unchanged).then(|| Author {
                person_id: 7,
                name: "Joost".into(),
                party: "ZIN".into(),
                colour: "#112233".into(),
            }),
            marks: Marks::default(),
        }
    }

    fn item(ordered: bool, depth: u8, marker: bool, text: &str) -> Block {
        Block {
            kind: BlockKind::ListItem {
                ordered,
                depth,
                marker,
            },
            runs: vec![run(text, Change::Unchanged)],
        }
    }

    #[test]
    fn ordered_lists_are_numbered_per_level_and_restart_after_a_paragraph() {
        let blocks = vec![
            item(true, 0, true, "een"),
            item(true, 1, true, "een.een"),
            item(true, 1, false, "vervolg"),
            item(true, 0, true, "twee"),
            Block {
                kind: BlockKind::Paragraph,
                runs: vec![run("tekst", Change::Unchanged)],
            },
            item(true, 0, true, "opnieuw een"),
            item(false, 0, true, "punt"),
        ];
        let markers: Vec<String> = page(&blocks, "T")
            .items
            .into_iter()
            .filter_map(|item| match item.kind {
                ItemKind::Item { marker, .. } => Some(marker),
                _ => None,
            })
            .collect();
        assert_eq!(markers, ["1.", "1.", "", "2.", "1.", "\u{2022}"]);
    }

    #[test]
    fn a_comparison_keeps_deleted_text_marked_and_names_the_authors() {
        let blocks = vec![Block {
            kind: BlockKind::Paragraph,
            runs: vec![
                run("oud ", Change::Deleted),
                run("nieuw", Change::Inserted),
                run(" blijft", Change::Unchanged),
            ],
        }];
        let page = page(&blocks, "Vergelijking");
        let changes: Vec<&str> = page.items[1].spans.iter().map(|s| s.change).collect();
        assert_eq!(changes, ["del", "ins", ""]);
        assert!(page.note.contains("Joost (ZIN)"), "{}", page.note);
        assert!(to_pdf(&blocks, "Vergelijking")
            .unwrap()
            .starts_with(b"%PDF-"));
    }

    #[test]
    fn a_version_without_changes_has_no_note() {
        let blocks = vec![item(false, 0, true, "punt")];
        assert_eq!(page(&blocks, "Versie 1").note, "");
    }
}
