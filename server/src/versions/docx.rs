//! Word output with docx-rs: [`to_docx`] renders blocks (one version or a comparison).
//!
//! Headings use Word's `Heading1`..`Heading6` styles (defined here, so Word's navigation pane
//! and table of contents pick them up), lists use real numbering (bullets, or decimals that
//! restart for each list), quotes an indented italic `Quote` style, and runs keep bold and
//! italic. Inserted and deleted runs become Word tracked changes authored `Name (PARTY)`, so
//! a reader can review them with Word's own tools.

use std::io::Cursor;

use docx_rs::{
    AbstractNumbering, BreakType, Delete, Docx, IndentLevel, Insert, Level, LevelJc, LevelOverride,
    LevelText, NumberFormat, Numbering, NumberingId, Paragraph, Run as DocxRun, SpecialIndentType,
    Start, Style, StyleType,
};

use super::{Block, BlockKind, Change, Run, VersionError};

/// Revision author for changes without a known author.
const UNKNOWN_AUTHOR: &str = "Onbekende auteur";
const BULLETS: usize = 1;
const DECIMALS: usize = 2;
/// Indent per list level, in twentieths of a point.
const INDENT_STEP: i32 = 720;
const HANGING: i32 = 360;

/// Renders `blocks` as a DOCX file titled `title`. Tracked changes carry the docx-rs default
/// revision date; use [`to_docx_dated`] to set the version's date.
///
/// # Errors
/// Fails when docx-rs cannot write the archive.
pub fn to_docx(blocks: &[Block], title: &str) -> Result<Vec<u8>, VersionError> {
    to_docx_dated(blocks, title, None)
}

/// Like [`to_docx`], with `revision_date` (ISO 8601, e.g. `2026-03-01T12:00:00Z`) on every
/// tracked change.
///
/// # Errors
/// Fails when docx-rs cannot write the archive.
pub fn to_docx_dated(
    blocks: &[Block],
    title: &str,
    revision_date: Option<&str>,
) -> Result<Vec<u8>, VersionError> {
    let mut docx = document().add_paragraph(
        Paragraph::new()
            .style("Title")
            .add_run(DocxRun::new().add_text(title)),
    );
    // one numbering instance per ordered list, so each list counts from 1
    let mut next_numbering = DECIMALS + 1;
    let mut current_ordered: Option<usize> = None;
    for block in blocks {
        let mut paragraph = Paragraph::new();
        match block.kind {
            BlockKind::Paragraph => current_ordered = None,
            BlockKind::Heading(level) => {
                current_ordered = None;
                paragraph = paragraph.style(&format!("Heading{}", level.clamp(1, 6)));
            }
            BlockKind::Quote => {
                current_ordered = None;
                paragraph = paragraph.style("Quote");
            }
            BlockKind::ListItem {
                ordered,
                depth,
                marker,
            } => {
                let level = usize::from(depth.min(8));
                if !marker {
                    let left = INDENT_STEP * (i32::from(depth.min(8)) + 1);
                    paragraph = paragraph.indent(Some(left), None, None, None);
                } else if ordered {
                    let id = match current_ordered {
                        Some(id) => id,
                        None => {
                            let id = next_numbering;
                            next_numbering += 1;
                            docx = docx.add_numbering(
                                Numbering::new(id, DECIMALS)
                                    .add_override(LevelOverride::new(0).start(1)),
                            );
                            current_ordered = Some(id);
                            id
                        }
                    };
                    paragraph = paragraph.numbering(NumberingId::new(id), IndentLevel::new(level));
                } else {
                    paragraph = bullet(paragraph, level);
                }
            }
        }
        for run in &block.runs {
            paragraph = add_run(paragraph, run, revision_date);
        }
        docx = docx.add_paragraph(paragraph);
    }
    pack(docx)
}

/// An empty document with the styles (`Title`, `Heading1`..`Heading6`, `Quote`) and the
/// bullet and decimal numberings every Polder Word file uses; the dossier writer
/// ([`super::dossier::docx`]) starts from it too.
pub(super) fn document() -> Docx {
    styled(Docx::new())
        .add_abstract_numbering(numbering_levels(BULLETS, true))
        .add_abstract_numbering(numbering_levels(DECIMALS, false))
        .add_numbering(Numbering::new(BULLETS, BULLETS))
}

/// `paragraph` as a bulleted list item at nesting `level` (0 for a top-level list).
pub(super) fn bullet(paragraph: Paragraph, level: usize) -> Paragraph {
    paragraph.numbering(NumberingId::new(BULLETS), IndentLevel::new(level))
}

/// The finished DOCX archive.
///
/// # Errors
/// Fails when docx-rs cannot write the archive.
pub(super) fn pack(docx: Docx) -> Result<Vec<u8>, VersionError> {
    let mut bytes = Cursor::new(Vec::new());
    docx.pack(&mut bytes).map_err(docx_rs::DocxError::from)?;
    Ok(bytes.into_inner())
}

fn add_run(paragraph: Paragraph, run: &Run, revision_date: Option<&str>) -> Paragraph {
    let deleted = run.change == Change::Deleted;
    let mut docx_run = DocxRun::new();
    for (i, line) in run.text.split('\n').enumerate() {
        if i > 0 {
            docx_run = docx_run.add_break(BreakType::TextWrapping);
        }
        if !line.is_empty() {
            docx_run = if deleted {
                docx_run.add_delete_text(line)
            } else {
                docx_run.add_text(line)
            };
        }
    }
    if run.marks.bold {
        docx_run = docx_run.bold();
    }
    if run.marks.italic {
        docx_run = docx_run.italic();
    }
    let author = run
        .author
        .as_ref()
        .map_or_else(|| UNKNOWN_AUTHOR.to_string(), |author| author.label());
    match run.change {
        Change::Unchanged => paragraph.add_run(docx_run),
        Change::Inserted => {
            let mut insert = Insert::new(docx_run).author(author);
            if let Some(date) = revision_date {
                insert = insert.date(date);
            }
            paragraph.add_insert(insert)
        }
        Change::Deleted => {
            let mut delete = Delete::new().add_run(docx_run).author(author);
            if let Some(date) = revision_date {
                delete = delete.date(date);
            }
            paragraph.add_delete(delete)
        }
    }
}

fn styled(docx: Docx) -> Docx {
    let sizes = [32, 28, 26, 24, 22, 22];
    let mut docx = docx
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .size(40)
                .bold(),
        )
        .add_style(
            Style::new("Quote", StyleType::Paragraph)
                .name("Quote")
                .italic()
                .indent(Some(INDENT_STEP), None, None, None),
        );
    for (i, size) in sizes.into_iter().enumerate() {
        let level = i + 1;
        docx = docx.add_style(
            Style::new(format!("Heading{level}"), StyleType::Paragraph)
                .name(format!("heading {level}"))
                .size(size)
                .bold()
                .outline_lvl(i),
        );
    }
    docx
}

fn numbering_levels(id: usize, bullets: bool) -> AbstractNumbering {
    let mut numbering = AbstractNumbering::new(id);
    for level in 0..9_usize {
        let (format, text) = if bullets {
            ("bullet", ["•", "◦", "▪"][level % 3].to_string())
        } else {
            ("decimal", format!("%{}.", level + 1))
        };
        let left = INDENT_STEP * (i32::try_from(level).unwrap_or(0) + 1);
        numbering = numbering.add_level(
            Level::new(
                level,
                Start::new(1),
                NumberFormat::new(format),
                LevelText::new(text),
                LevelJc::new("left"),
            )
            .indent(
                Some(left),
                Some(SpecialIndentType::Hanging(HANGING)),
                None,
                None,
            ),
        );
    }
    numbering
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{vws, zin, Claims, Draft};
    use super::super::{compare, document_blocks};
    use super::*;

    fn document_xml(bytes: &[u8]) -> String {
        let docx = docx_rs::read_docx(bytes).unwrap();
        docx.json()
    }

    #[test]
    fn version_is_a_docx_with_its_text() {
        let mut draft = Draft::new(1);
        draft.heading(1, "Advies");
        draft.bold_paragraph("Let op:", " tekst");
        draft.list(true, &["een", "twee"]);
        draft.list(false, &["punt"]);
        draft.quote("citaat <b> & \"co\"");
        draft.nested_list();

        let bytes = to_docx(&document_blocks(&draft.state()).unwrap(), "Advies v1").unwrap();

        assert!(bytes.starts_with(b"PK"));
        assert!(bytes.len() > 2000);
        let json = document_xml(&bytes);
        for text in [
            "Advies v1",
            "Let op:",
            "twee",
            "punt",
            "citaat <b> &",
            "inner",
        ] {
            assert!(json.contains(text), "missing {text}");
        }
        assert!(bytes.windows(17).any(|w| w == b"word/document.xml"));
    }

    #[test]
    fn comparison_becomes_tracked_changes() {
        let mut v1 = Draft::new(1);
        let p = v1.paragraph("oud woord");
        let old = v1.state();
        let mut v2 = v1.fork(2);
        v2.delete(p, "oud ");
        v2.append(p, " nieuw");
        let mut claims = Claims::default();
        claims.writers.insert(2, zin());
        claims.deleters.push((1, 0..1000, vws()));
        let comparison = compare(&old, &v2.state(), &claims).unwrap();

        let bytes =
            to_docx_dated(&comparison.blocks, "v1 → v2", Some("2026-03-01T12:00:00Z")).unwrap();

        let json = document_xml(&bytes);
        assert!(json.contains("Anna de Vries (VWS)"));
        // written once-escaped in the XML; the docx-rs reader keeps attribute entities as is
        assert!(json.contains("Bram &lt;Jansen&gt; (ZIN)"));
        assert!(json.contains("2026-03-01T12:00:00Z"));
    }
}
