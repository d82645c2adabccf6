//! The dossier as a Word document: a title, headings and bulleted items in the styles and
//! numbering of [`crate::versions::docx`], so a dossier looks like an exported draft and
//! Word's navigation pane lists its sections.

use docx_rs::{Paragraph, Run};

use super::Block;
use crate::versions::docx::{bullet, document, pack};
use crate::versions::VersionError;

/// Renders `blocks` as DOCX bytes.
///
/// # Errors
/// When docx-rs cannot write the archive.
pub fn render(blocks: &[Block]) -> Result<Vec<u8>, VersionError> {
    let mut docx = document();
    for block in blocks {
        let (paragraph, text) = match block {
            Block::Title(t) => (Paragraph::new().style("Title"), t),
            Block::Heading(t) => (Paragraph::new().style("Heading1"), t),
            Block::Text(t) => (Paragraph::new(), t),
            Block::Item(t) => (bullet(Paragraph::new(), 0), t),
        };
        docx = docx.add_paragraph(paragraph.add_run(Run::new().add_text(text)));
    }
    pack(docx)
}
