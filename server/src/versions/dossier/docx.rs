//! The dossier as a Word document (docx-rs): a title, headings in Word's heading styles,
//! paragraphs and bulleted items.

use std::io::Cursor;

use docx_rs::{Docx, Paragraph, Run, Style, StyleType};

use super::dossier::Block;

/// Renders `blocks` as DOCX bytes.
///
/// # Errors
/// When docx-rs cannot write the archive.
pub fn render(blocks: &[Block]) -> Result<Vec<u8>, String> {
    let mut docx = Docx::new()
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .size(40)
                .bold(),
        )
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("Heading 1")
                .size(30)
                .bold(),
        )
        .add_style(
            Style::new("ListItem", StyleType::Paragraph)
                .name("List Paragraph")
                .indent(Some(360), None, None, None),
        );
    for block in blocks {
        let paragraph = match block {
            Block::Title(t) => Paragraph::new()
                .style("Title")
                .add_run(Run::new().add_text(t)),
            Block::Heading(t) => Paragraph::new()
                .style("Heading1")
                .add_run(Run::new().add_text(t)),
            Block::Text(t) => Paragraph::new().add_run(Run::new().add_text(t)),
            Block::Item(t) => Paragraph::new()
                .style("ListItem")
                .add_run(Run::new().add_text(format!("• {t}"))),
        };
        docx = docx.add_paragraph(paragraph);
    }
    let mut out = Cursor::new(Vec::new());
    docx.build().pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}
