//! The dossier's neutral [`Block`]s as a PDF/A-2b file, typeset by [`crate::versions::typeset`].
//! The registers, consultation reports, meeting packs and progress reports use the same blocks
//! and so this same writer.

use super::Block;
use crate::versions::typeset::{self, Item, ItemKind, Page, TypesetError};

/// Renders `blocks` as a PDF/A-2b file; the first title is also the PDF's metadata title.
///
/// # Errors
/// [`TypesetError`] when Typst refuses the page (a bug, not a property of the text).
pub fn render(blocks: &[Block]) -> Result<Vec<u8>, TypesetError> {
    typeset::pdf(page(blocks))
}

/// The [`Page`] the blocks are set as.
pub fn page(blocks: &[Block]) -> Page {
    let title = blocks
        .iter()
        .find_map(|block| match block {
            Block::Title(title) => Some(title.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let items = blocks
        .iter()
        .map(|block| match block {
            Block::Title(text) => Item::plain(ItemKind::Title, text),
            Block::Heading(text) => Item::plain(ItemKind::Heading { level: 1 }, text),
            Block::Text(text) => Item::plain(ItemKind::Text, text),
            Block::Item(text) => Item::plain(
                ItemKind::Item {
                    marker: "\u{2022}".to_owned(),
                    depth: 0,
                },
                text,
            ),
        })
        .collect();
    Page {
        title,
        note: String::new(),
        items,
        date_ms: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_items_and_the_first_title_names_the_page() {
        let page = page(&[
            Block::Heading("Inleiding".into()),
            Block::Title("Dossier: één".into()),
            Block::Item("punt".into()),
            Block::Title("Bijlage".into()),
        ]);
        assert_eq!(page.title, "Dossier: één");
        assert_eq!(page.items.len(), 4);
        assert_eq!(page.items[0].kind, ItemKind::Heading { level: 1 });
        assert_eq!(
            page.items[2].kind,
            ItemKind::Item {
                marker: "\u{2022}".into(),
                depth: 0
            }
        );
    }

    #[test]
    fn a_long_dossier_is_a_pdf() {
        let long = "woord ".repeat(200);
        let mut blocks = vec![Block::Title("Dossier: één (test)".into())];
        for _ in 0..40 {
            blocks.push(Block::Item(long.clone()));
        }
        let pdf = render(&blocks).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
