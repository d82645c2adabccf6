//! Bytes → [`RawRow`]s. Every reader keeps the line number a person sees in the file or sheet.

use super::limits::{Limit, ReadLimits};
use super::ImportError;

/// The file formats [`read_table`] understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma- or semicolon-separated text (the separator is detected; Dutch Excel writes `;`).
    Csv,
    /// Tab-separated text.
    Tsv,
    /// An Excel workbook; only the first worksheet is read.
    Xlsx,
}

impl Format {
    /// The format for a file name by its extension (case-insensitive); `None` when unsupported.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Self::Csv),
            "tsv" | "tab" => Some(Self::Tsv),
            "xlsx" | "xlsm" => Some(Self::Xlsx),
            _ => None,
        }
    }
}

/// One row of the table as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// 1-based line as a person sees it: the text line where the record starts, or the
    /// spreadsheet row number.
    pub line: usize,
    /// The cells as text, left to right. XLSX dates become `yyyy-mm-dd`; whole-cell underlined,
    /// italic and bold text is wrapped in `<u>…</u>`, `<i>…</i>` and `<b>…</b>`, as in exported
    /// text.
    pub cells: Vec<String>,
}

impl RawRow {
    /// Whether every cell is empty or whitespace.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|cell| cell.trim().is_empty())
    }
}

/// Reads all rows of a table within the default [`ReadLimits`]; see [`read_table_with`].
///
/// # Errors
/// As [`read_table_with`].
pub fn read_table(bytes: &[u8], format: Format) -> Result<Vec<RawRow>, ImportError> {
    read_table_with(bytes, format, &ReadLimits::default())
}

/// Reads all rows of a table, stopping with [`ImportError::OverLimit`] as soon as it goes over
/// one of `limits`. Blank text lines are skipped by the CSV reader; spreadsheet rows without a
/// filled cell are skipped; rows with only empty cells are ignored later by
/// [`super::interpret()`].
///
/// Text that is not UTF-8 is read as Windows-1252/Latin-1, which older Dutch Excel exports use.
///
/// # Errors
/// [`ImportError::Delimited`] for unreadable text, [`ImportError::Spreadsheet`] or
/// [`ImportError::NoWorksheet`] for a workbook that cannot be read,
/// [`ImportError::OverLimit`] for a table over the limits.
pub fn read_table_with(
    bytes: &[u8],
    format: Format,
    limits: &ReadLimits,
) -> Result<Vec<RawRow>, ImportError> {
    match format {
        Format::Csv => read_delimited(bytes, sniff_delimiter(bytes), limits),
        Format::Tsv => read_delimited(bytes, b'\t', limits),
        Format::Xlsx => super::xlsx::read_xlsx(bytes, limits),
    }
}

/// `;` when the first non-empty line has more semicolons than commas, else `,`.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let first = bytes
        .split(|b| *b == b'\n')
        .find(|line| line.iter().any(|b| !b.is_ascii_whitespace()))
        .unwrap_or_default();
    let count = |wanted: u8| first.iter().filter(|b| **b == wanted).count();
    if count(b';') > count(b',') {
        b';'
    } else {
        b','
    }
}

fn read_delimited(
    bytes: &[u8],
    delimiter: u8,
    limits: &ReadLimits,
) -> Result<Vec<RawRow>, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    // Line numbers come from byte offsets: the csv reader's own line count skips blank lines.
    let mut lines = LineCounter::new(bytes);
    let mut cells = 0usize;
    loop {
        let start = reader.position().byte();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if rows.len() >= limits.max_rows {
                    return Err(limits.exceeded(Limit::Rows));
                }
                if record.len() > limits.max_columns {
                    return Err(limits.exceeded(Limit::Columns));
                }
                cells = cells.saturating_add(record.len());
                if cells > limits.max_cells {
                    return Err(limits.exceeded(Limit::Cells));
                }
                for field in &record {
                    limits.check_field(field.len())?;
                }
                let offset = record.position().map_or(start, csv::Position::byte);
                rows.push(RawRow {
                    line: lines.line_at(offset),
                    cells: record.iter().map(decode).collect(),
                });
            }
            Err(source) => {
                let offset = source.position().map_or(start, csv::Position::byte);
                let line = u64::try_from(lines.line_at(offset)).unwrap_or(u64::MAX);
                return Err(ImportError::Delimited { line, source });
            }
        }
    }
    Ok(rows)
}

/// Turns increasing byte offsets into 1-based line numbers.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the first byte at or after `offset` that is not a line break (the reader
    /// reports a record's start before the previous terminator and any blank lines).
    /// Offsets must not decrease between calls.
    fn line_at(&mut self, offset: u64) -> usize {
        let mut offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while matches!(self.bytes.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        if offset > self.offset {
            let skipped = &self.bytes[self.offset..offset];
            self.line += skipped.iter().filter(|b| **b == b'\n').count();
            self.offset = offset;
        }
        self.line
    }
}

/// UTF-8 when valid, otherwise Latin-1 (a byte is a code point).
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_file_name() {
        assert_eq!(Format::from_file_name("Bijlage L.CSV"), Some(Format::Csv));
        assert_eq!(Format::from_file_name("plan.tsv"), Some(Format::Tsv));
        assert_eq!(Format::from_file_name("a.b.xlsx"), Some(Format::Xlsx));
        assert_eq!(Format::from_file_name("notes.docx"), None);
        assert_eq!(Format::from_file_name("csv"), None);
    }

    #[test]
    fn csv_keeps_the_line_where_a_multi_line_record_starts() {
        let text = "Onderwerp,Gereed\r\n\"Twee\nregels\",2027\n\n\nNa leeg,Q3 2026\n";
        let rows = read_table(text.as_bytes(), Format::Csv).unwrap();
        let lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 2, 6]);
        assert_eq!(rows[1].cells, vec!["Twee\nregels", "2027"]);
    }

    #[test]
    fn semicolons_are_detected_and_latin1_is_decoded() {
        let mut bytes = b"\xEF\xBB\xBFOnderwerp;Verantwoordelijke\n".to_vec();
        bytes.extend_from_slice(b"Pati\xebntenfederatie;PFN, ZN\n");
        let rows = read_table(&bytes, Format::Csv).unwrap();
        assert_eq!(rows[0].cells, vec!["Onderwerp", "Verantwoordelijke"]);
        assert_eq!(rows[1].cells, vec!["Patiëntenfederatie", "PFN, ZN"]);
    }

    #[test]
    fn text_tables_are_bounded_in_rows_fields_cells_and_field_length() {
        let limits = ReadLimits {
            max_rows: 3,
            max_columns: 4,
            max_cells: 10,
            max_field_bytes: 8,
            ..ReadLimits::default()
        };
        let over =
            |text: &str, format: Format| match read_table_with(text.as_bytes(), format, &limits) {
                Err(ImportError::OverLimit { limit, .. }) => Some(limit),
                Ok(_) => None,
                Err(other) => panic!("{other:?}"),
            };
        assert_eq!(over("a\nb\nc\n", Format::Csv), None);
        assert_eq!(over("a\nb\nc\nd\n", Format::Csv), Some(Limit::Rows));
        assert_eq!(over("a,b,c,d\n", Format::Csv), None);
        assert_eq!(over("a\tb\tc\td\te\n", Format::Tsv), Some(Limit::Columns));
        assert_eq!(
            over("a,b,c,d\na,b,c,d\na,b,c\n", Format::Csv),
            Some(Limit::Cells)
        );
        assert_eq!(over("\"12345678\"\n", Format::Csv), None);
        assert_eq!(
            over("\"123456789\"\n", Format::Csv),
            Some(Limit::FieldBytes)
        );
        let err = read_table_with(b"a\nb\nc\nd\n", Format::Csv, &limits).unwrap_err();
        assert!(err.to_string().contains("more than 3 rows"), "{err}");
    }

    #[test]
    fn garbage_bytes_are_not_a_workbook() {
        let err = read_table(b"not a zip", Format::Xlsx).unwrap_err();
        assert!(matches!(err, ImportError::Spreadsheet(_)));
    }
}
