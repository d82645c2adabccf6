//! Named versions of advice drafts: reading one, comparing two, exporting either; and the
//! export of a dispute's dossier, which shares the writers' escaping and Word styles.
//!
//! A version is the full encoded state of a draft's Yjs document at freeze time
//! (`encode_state_as_update_v1(&StateVector::default())` of a doc kept with `skip_gc`). Its
//! content is the y-prosemirror tree in the XmlFragment [`FRAGMENT`]. Everything here is
//! IO-free and works on those bytes. Only the visible content of each version is read, so
//! comparing also works for states of garbage-collected documents: surviving characters keep
//! their item ids either way.
//!
//! # Layout
//! - `mod.rs`: the shared model ([`Block`], [`Run`], [`Author`], [`Change`]), the
//!   [`Attribution`] trait, [`VersionError`] and [`content_hash`].
//! - [`blocks`]: decodes a state into blocks of characters, each with the Yjs item id that
//!   created it; [`document_blocks`] for a single version.
//! - [`mod@compare`]: [`compare()`] of two versions by character identity, with authors.
//! - [`markdown`]: [`to_markdown`] and the CriticMarkup [`comparison_markdown`].
//! - [`html`]: [`to_html`], a standalone, fully escaped HTML page.
//! - [`docx`]: [`to_docx`], Word output; changes become Word tracked changes.
//! - [`dossier`]: a dispute's dossier as Markdown, PDF and Word.
//! - [`register`]: the decision register as a PDF list.
//! - [`typeset`]: every PDF, typeset by Typst as PDF/A-2b with embedded fonts.
//! - [`mod@pdf`]: [`to_pdf`], a version or a comparison as PDF.
//! - [`consultation`]: a consultation round's report.
//!
//! # Document model
//! The fragment is flattened into leaf [`Block`]s: `paragraph`, `heading` (attribute `level`),
//! paragraphs inside `list_item`s of `bullet_list`/`ordered_list` (with nesting depth), and
//! paragraphs inside `blockquote`. An unknown element holding text directly is read as a
//! paragraph; other unknown elements (tables, say) are descended into. Lists inside quotes
//! are read as lists. Within a block, `hard_break` becomes a line break and other inline
//! elements contribute their text. Text marks `strong`/`bold` and `em`/`italic` are kept;
//! other marks (links, code) are dropped.

pub mod blocks;
pub mod compare;
pub mod consultation;
pub mod docx;
pub mod dossier;
pub mod endorsement;
pub mod html;
pub mod markdown;
pub mod pack;
pub mod pdf;
pub mod progress_report;
pub mod recorded;
pub mod register;
pub mod typeset;

#[cfg(test)]
mod depth_tests;
#[cfg(test)]
mod test_support;

use sha2::{Digest, Sha256};

pub use blocks::document_blocks;
pub use compare::compare;
pub use docx::{to_docx, to_docx_dated};
pub use html::to_html;
pub use markdown::{comparison_markdown, to_markdown};
pub use pdf::to_pdf;

/// Name of the XmlFragment that y-prosemirror keeps a draft's content in; the document's shape
/// belongs to [`crate::sync`], which versions read.
pub use crate::sync::document::FRAGMENT;

/// Deepest element nesting a version is read to; deeper content is refused with
/// [`VersionError::TooDeep`]. Default: 1,000, ten times the default limit the server puts on
/// updates (`--max-nesting-depth`, which cannot be set higher than this), so only documents
/// stored before that limit existed reach it. Reading is iterative, so the cap bounds work and
/// output, not stack use.
pub const MAX_TREE_DEPTH: usize = 1_000;

/// Why a version could not be read or exported.
#[derive(Debug, thiserror::Error)]
pub enum VersionError {
    /// The stored bytes are not a Yjs update.
    #[error("version state is not a Yjs update: {0}")]
    Decode(#[from] yrs::encoding::read::Error),
    /// The stored bytes were refused before decoding (see [`crate::sync::scan`]).
    #[error("version state refused: {0}")]
    Scan(crate::sync::scan::ScanError),
    /// The content nests elements deeper than [`MAX_TREE_DEPTH`]; it cannot be shown.
    #[error(
        "this version nests elements more than {MAX_TREE_DEPTH} levels deep, so it cannot be \
         shown, compared or exported"
    )]
    TooDeep,
    /// yrs refused to apply the stored state to an empty document.
    #[error("version state could not be applied: {0}")]
    Apply(#[from] yrs::error::UpdateError),
    /// docx-rs failed to write the Word file.
    #[error("could not write DOCX: {0}")]
    Docx(#[from] docx_rs::DocxError),
    /// Typst failed to write the PDF file.
    #[error(transparent)]
    Pdf(#[from] typeset::TypesetError),
}

impl From<crate::sync::scan::ScanError> for VersionError {
    fn from(error: crate::sync::scan::ScanError) -> Self {
        match error {
            crate::sync::scan::ScanError::Malformed(error) => VersionError::Decode(error),
            other => VersionError::Scan(other),
        }
    }
}

/// A person as shown next to the changes they made.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq, Hash)]
pub struct Author {
    /// The person's id in Polder.
    pub person_id: i64,
    /// Display name.
    pub name: String,
    /// Party code, e.g. `VWS`.
    pub party: String,
    /// The party colour as `#RRGGBB`. Renderers fall back to grey for anything else.
    pub colour: String,
}

impl Author {
    /// `Name (PARTY)`, the label used in tooltips, legends and Word revisions.
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.party)
    }
}

/// Who wrote and who deleted a character, given the Yjs id of the item holding it.
///
/// The server builds this from the client-id claims and deletion records gathered through
/// [`crate::sync::attribution::footprint`].
pub trait Attribution {
    /// The person whose Yjs client `client` created content.
    fn author_of_insert(&self, client: u64) -> Option<Author>;
    /// The person who deleted the item `client:clock` (ids are the *created* item's id).
    fn author_of_delete(&self, client: u64, clock: u32) -> Option<Author>;
}

/// How a run of text differs between the old and the new version.
#[derive(serde::Serialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Present in both versions (or the only version rendered).
    Unchanged,
    /// Only in the new version.
    Inserted,
    /// Only in the old version.
    Deleted,
}

/// Inline formatting of a run.
#[derive(serde::Serialize, Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Marks {
    /// `strong` / `bold` mark.
    pub bold: bool,
    /// `em` / `italic` mark.
    pub italic: bool,
}

/// A stretch of text with one change kind, one author and one set of marks.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// How this text differs between the compared versions.
    pub change: Change,
    /// The text itself.
    pub text: String,
    /// Who inserted (for [`Change::Inserted`]) or deleted (for [`Change::Deleted`]) the text;
    /// `None` for unchanged text and for changes nobody is known for.
    pub author: Option<Author>,
    /// Bold and italic.
    pub marks: Marks,
}

/// What kind of block a [`Block`] is.
#[derive(serde::Serialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case", tag = "type", content = "detail")]
pub enum BlockKind {
    /// A plain paragraph.
    Paragraph,
    /// A heading of level 1 to 6.
    Heading(u8),
    /// A paragraph inside a list item.
    ListItem {
        /// Inside an `ordered_list` rather than a `bullet_list`.
        ordered: bool,
        /// 0 for a top-level list, 1 for a list nested in a list item, and so on.
        depth: u8,
        /// True for the first paragraph of the item (which carries the bullet or number),
        /// false for further paragraphs of the same item.
        marker: bool,
    },
    /// A paragraph inside a blockquote.
    Quote,
}

/// One paragraph-like block: its kind and its runs in reading order.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Paragraph, heading, list item or quote.
    pub kind: BlockKind,
    /// The text, split where change, author or marks differ. May be empty.
    pub runs: Vec<Run>,
}

impl Block {
    /// The block's text with all runs, including deleted ones, concatenated.
    pub fn text(&self) -> String {
        self.runs.iter().map(|run| run.text.as_str()).collect()
    }
}

/// The result of [`compare()`]: the new version's blocks with the old version's deleted text
/// and blocks merged in at their old positions.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// All blocks in document order.
    pub blocks: Vec<Block>,
}

impl Comparison {
    /// Distinct authors of changes, in order of first appearance.
    pub fn authors(&self) -> Vec<Author> {
        authors(&self.blocks)
    }
}

/// Distinct authors of the runs in `blocks`, in order of first appearance.
pub fn authors(blocks: &[Block]) -> Vec<Author> {
    let mut seen: Vec<Author> = Vec::new();
    for run in blocks.iter().flat_map(|block| &block.runs) {
        if let Some(author) = &run.author {
            if !seen.iter().any(|known| known.person_id == author.person_id) {
                seen.push(author.clone());
            }
        }
    }
    seen
}

/// Hex-encoded SHA-256 of a version's encoded state; the hash sign-offs are bound to.
pub fn content_hash(state: &[u8]) -> String {
    hex::encode(Sha256::digest(state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_is_hex_sha256() {
        assert_eq!(
            content_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
