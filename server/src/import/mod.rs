//! Reading milestone tables (CSV, TSV, XLSX exports such as the IZA annex "Uitwerkpunten")
//! into an [`ImportPlan`] the caller can review before anything is stored. Free of IO: the
//! caller hands in bytes and a [`PartyDirectory`].
//!
//! # Layout
//! - [`read`]: bytes → [`RawRow`]s ([`read_table`]); CSV with `,` or `;`, TSV; [`xlsx`]: the
//!   first XLSX sheet, read cell by cell so that only filled cells cost memory.
//! - [`limits`]: the rows, columns, cells, cell length and unpacked size every reader keeps to.
//! - [`columns`]: header and column-role recognition; [`headings`]: section headings, how they
//!   are marked and where they nest.
//! - [`parties`]: the [`PartyDirectory`] and splitting "<u>VWS, NZa</u>, LHV" into lead and
//!   contributor codes.
//! - [`mod@interpret`]: rows → [`ImportPlan`] with milestones, action lines and a data-quality report.

pub mod columns;
pub mod headings;
pub mod interpret;
pub mod limits;
pub mod parties;
pub mod read;
pub mod xlsx;

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod props;

pub use interpret::{
    interpret, ImportPlan, PlannedActionLine, PlannedMilestone, RowIssue, RowKind, RowOutcome,
    UnknownParty,
};
pub use limits::{Limit, ReadLimits};
pub use parties::PartyDirectory;
pub use read::{read_table, read_table_with, Format, RawRow};

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
    /// The table is bigger than the importer reads (see [`ReadLimits`]).
    #[error(
        "the table is too big to import: it has more than {max} {}; split it into smaller \
         tables, or delete what lies outside the table (far-away cells, empty formatted rows), \
         and import again",
        limit.describe()
    )]
    OverLimit {
        /// Which bound.
        limit: Limit,
        /// Its maximum.
        max: u64,
    },
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
