//! A version or a comparison as PDF: [`to_pdf`] turns the rich [`Block`]s into the writer's
//! neutral blocks and sets them with [`super::dossier::pdf::render`]. No IO.

use super::dossier;
use super::{Block, BlockKind, Change, VersionError};

/// Writes `blocks` under `title` as a PDF file. Deleted text (in a comparison) is left out.
///
/// # Errors
/// Fails when the PDF cannot be written.
pub fn to_pdf(blocks: &[Block], title: &str) -> Result<Vec<u8>, VersionError> {
    let mut out = vec![dossier::Block::Title(title.to_owned())];
    for block in blocks {
        let text: String = block
            .runs
            .iter()
            .filter(|run| run.change != Change::Deleted)
            .map(|run| run.text.as_str())
            .collect();
        out.push(match block.kind {
            BlockKind::Heading(_) => dossier::Block::Heading(text),
            BlockKind::ListItem { .. } => dossier::Block::Item(text),
            BlockKind::Paragraph | BlockKind::Quote => dossier::Block::Text(text),
        });
    }
    Ok(dossier::pdf::render(&out))
}
