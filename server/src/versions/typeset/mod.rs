//! Every PDF Polder writes, typeset by Typst (used as a library) as **PDF/A-2b**, the archiving
//! standard Dutch government records are kept in. No IO: a [`Page`] goes in, PDF bytes come out.
//!
//! The writers (versions, comparisons, dossiers, meeting packs, registers, reports) build a
//! [`Page`] of [`Item`]s; [`pdf`] serialises it to JSON and hands it to a fixed Typst template
//! (`template.typ`) that reads the JSON with `json()`. User text therefore never becomes Typst
//! markup: a `#`, `$`, `*` or `]` in a draft is set as that character and cannot run code.
//!
//! The fonts ship inside the binary (the Typst asset fonts: Libertinus Serif for text, New
//! Computer Modern and DejaVu Sans Mono as fallbacks) and are embedded, subset, in each PDF.
//! Lines break with Dutch hyphenation (`lang: "nl"`). A character none of the fonts has
//! (an emoji, a CJK ideograph) is replaced by [`REPLACEMENT`] before typesetting, because
//! PDF/A forbids the missing-glyph box; everything in Latin, Greek and Cyrillic scripts, and
//! the typographic quotes, dashes and symbols Dutch texts use, is set as written.
//!
//! The output is deterministic for a given [`Page::date_ms`] (PDF/A requires a date in the
//! metadata): the document identifier is derived from the title, so the same page and date
//! give the same bytes.

mod world;

#[cfg(test)]
mod tests;

use serde::Serialize;

use chrono::{Datelike, Timelike};
use typst::diag::SourceDiagnostic;
use typst::foundations::{Datetime, Smart};
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

/// What a character no embedded font has becomes (when the fonts have it, else `?`).
pub const REPLACEMENT: char = '\u{FFFD}';

/// Why a PDF could not be written. Either is a bug in a writer or in the template, never a
/// property of the user's text, which is data to the template.
#[derive(Debug, thiserror::Error)]
pub enum TypesetError {
    /// Typst refused the page while laying it out.
    #[error("could not typeset the PDF: {0}")]
    Layout(String),
    /// The laid-out document could not be written as PDF/A-2b.
    #[error("could not write the PDF/A file: {0}")]
    Export(String),
    /// The page could not be encoded for the template.
    #[error("could not prepare the PDF: {0}")]
    Encode(#[from] serde_json::Error),
}

/// A document to typeset: its title (also the PDF's metadata title) and its items in order.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Page {
    /// The document's title, in the PDF metadata; the first item usually shows it too.
    pub title: String,
    /// A line under the title, e.g. "Vergelijking: ingevoegd is onderstreept …"; may be empty.
    pub note: String,
    /// The content.
    pub items: Vec<Item>,
    /// The document's date (Unix ms) for the PDF metadata, which PDF/A requires; `None` is the
    /// moment of writing.
    #[serde(skip)]
    pub date_ms: Option<i64>,
}

/// One block of a [`Page`].
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Item {
    /// What kind of block.
    pub kind: ItemKind,
    /// The text, split where its marks or change differ.
    pub spans: Vec<Span>,
}

/// The kinds of block the template sets.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum ItemKind {
    /// The document title (set large, once).
    Title,
    /// A section heading of level 1 (largest) to 4; deeper levels are set as 4.
    Heading {
        /// 1 to 4.
        level: u8,
    },
    /// A paragraph.
    Text,
    /// A list item: `marker` is "•", "3." or empty (a further paragraph of the same item);
    /// `depth` 0 is a top-level list.
    Item {
        /// The bullet or number.
        marker: String,
        /// Nesting depth, 0 for a top-level list; capped at 8 when set.
        depth: u8,
    },
    /// A quoted paragraph.
    Quote,
}

/// A stretch of text with one set of marks.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Span {
    /// The text; a newline is a line break.
    pub text: String,
    /// Set in bold.
    pub bold: bool,
    /// Set in italics.
    pub italic: bool,
    /// In a comparison: `ins` (underlined, green), `del` (struck through, red) or empty.
    pub change: &'static str,
}

impl Span {
    /// Plain text.
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }
}

impl Item {
    /// A block of one plain span.
    pub fn plain(kind: ItemKind, text: impl Into<String>) -> Self {
        Self {
            kind,
            spans: vec![Span::plain(text)],
        }
    }
}

/// Typesets `page` as a PDF/A-2b file.
///
/// # Errors
/// [`TypesetError`] when Typst refuses the page or the export (a bug, not bad input).
pub fn pdf(mut page: Page) -> Result<Vec<u8>, TypesetError> {
    clean(&mut page);
    let data = serde_json::to_vec(&page)?;
    let world = world::PageWorld::new(data);
    let compiled = typst::compile::<typst_layout::PagedDocument>(&world).output;
    // Typst memoises across compilations; each PDF is typeset once, so nothing is kept.
    typst::comemo::evict(0);
    let document = compiled.map_err(|errors| TypesetError::Layout(describe(&errors)))?;
    let options = PdfOptions {
        ident: Smart::Custom(format!("polder:{}", page.title)),
        creator: Smart::Custom(Some("Polder".to_owned())),
        timestamp: timestamp(page.date_ms.unwrap_or_else(crate::clock::now_ms)),
        standards: PdfStandards::new(&[PdfStandard::A_2b])
            .map_err(|error| TypesetError::Export(error.message().to_string()))?,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| TypesetError::Export(describe(&errors)))
}

/// A UTC timestamp for the PDF metadata (`None` only for a moment outside chrono's range).
fn timestamp(ms: i64) -> Option<Timestamp> {
    let at = chrono::DateTime::from_timestamp_millis(ms)?;
    let datetime = Datetime::from_ymd_hms(
        at.year(),
        u8::try_from(at.month()).ok()?,
        u8::try_from(at.day()).ok()?,
        u8::try_from(at.hour()).ok()?,
        u8::try_from(at.minute()).ok()?,
        u8::try_from(at.second()).ok()?,
    )?;
    Some(Timestamp::new_utc(datetime))
}

fn describe(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|error| error.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Replaces what the template must not see: characters no embedded font has, and control
/// characters other than newline and tab.
fn clean(page: &mut Page) {
    page.title = clean_text(&page.title);
    page.note = clean_text(&page.note);
    for item in &mut page.items {
        if let ItemKind::Item { marker, depth } = &mut item.kind {
            *marker = clean_text(marker);
            *depth = (*depth).min(8);
        }
        for span in &mut item.spans {
            span.text = clean_text(&span.text);
        }
    }
}

fn clean_text(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\t' => Some(c),
            '\r' => None,
            c if c.is_control() => None,
            c if c.is_whitespace() || world::covered(c) => Some(c),
            _ if world::covered(REPLACEMENT) => Some(REPLACEMENT),
            _ => Some('?'),
        })
        .collect()
}
