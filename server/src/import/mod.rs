//! Reading milestone tables (CSV, TSV, XLSX exports such as the IZA annex "Uitwerkpunten")
//! into an [`ImportPlan`] the caller can review before anything is stored. Free of IO: the
//! caller hands in bytes and a [`PartyDirectory`].
//!
//! # Layout
//! - [`read`]: bytes → [`RawRow`]s ([`read_table`]); CSV with `,` or `;`, TSV, first XLSX sheet.
//! - [`columns`]: header, column-role and section-row recognition.
//! - [`parties`]: the [`PartyDirectory`] and splitting "<u>VWS, NZa</u>, LHV" into lead and
//!   contributor codes.
//! - [`mod@interpret`]: rows → [`ImportPlan`] with milestones, action lines and a data-quality report.

pub mod columns;
pub mod interpret;
pub mod parties;
pub mod read;

#[cfg(test)]
mod fixture_tests;

pub use interpret::{
    interpret, ImportPlan, PlannedActionLine, PlannedMilestone, RowIssue, RowKind, RowOutcome,
};
pub use parties::PartyDirectory;
pub use read::{read_table, Format, RawRow};

/// Why a table could not be read or a directory could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The CSV or TSV text is broken (for example a read error inside a record).
    #[error("line {line}: the text table cannot be read")]
    Delimited {
        /// 1-based line where the broken record starts.
        line: u64,
        /// What the CSV reader reported.
        #[source]
        source: csv::Error,
    },
    /// The bytes are not a readable XLSX workbook.
    #[error("the spreadsheet cannot be opened")]
    Spreadsheet(#[from] calamine::XlsxError),
    /// The workbook has no worksheet.
    #[error("the spreadsheet has no worksheet")]
    NoWorksheet,
    /// The same alias was given for two different parties.
    #[error("the alias {alias:?} is given for both {first} and {second}")]
    AmbiguousAlias {
        /// The alias as given.
        alias: String,
        /// The party code that claimed it first.
        first: String,
        /// The party code that claimed it again.
        second: String,
    },
}
