//! The first worksheet of an XLSX workbook → [`RawRow`]s, read cell by cell.
//!
//! A worksheet may declare (or contain) cells as far apart as `A1` and `XFD1048576`; a dense
//! grid of that sheet would take hundreds of gigabytes. So the workbook's unpacked size is
//! checked first ([`super::limits`]), the cells are streamed without building a grid, only
//! filled cells are kept, and the rows, the columns they span and the cells are counted
//! against [`ReadLimits`] before the rows are laid out.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};

use super::limits::{check_unpacked_size, Limit, ReadLimits};
use super::{ImportError, RawRow};

/// Reads the first worksheet within `limits`.
///
/// # Errors
/// [`ImportError::OverLimit`] for a sheet over the limits, [`ImportError::Spreadsheet`] or
/// [`ImportError::NoWorksheet`] for a workbook that cannot be read.
pub fn read_xlsx(bytes: &[u8], limits: &ReadLimits) -> Result<Vec<RawRow>, ImportError> {
    check_unpacked_size(bytes, limits)?;
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))?;
    let name = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or(ImportError::NoWorksheet)?;
    let mut reader = workbook.worksheet_cells_reader(&name)?;
    let mut sheet = SparseSheet::new(limits);
    while let Some((cell, style_id)) = reader.next_cell_with_style_id()? {
        let text = render(cell.get_value());
        if text.is_empty() {
            continue;
        }
        // Styles mark underlined leads (`<u>`) and bold or italic headings (`<b>`, `<i>`).
        let font = reader
            .styles()
            .get(style_id)
            .and_then(|style| style.font.as_ref());
        let text = mark_font(text, font);
        sheet.insert(cell.get_position(), text)?;
    }
    sheet.into_rows()
}

/// Wraps whole-cell text in the markup of its font: `<b><i><u>text</u></i></b>`.
fn mark_font(text: String, font: Option<&calamine::Font>) -> String {
    let Some(font) = font else { return text };
    if text.trim().is_empty() {
        return text;
    }
    let mut text = text;
    for (on, tag) in [
        (font.has_underline(), "u"),
        (font.is_italic(), "i"),
        (font.is_bold(), "b"),
    ] {
        if on {
            text = format!("<{tag}>{text}</{tag}>");
        }
    }
    text
}

/// The filled cells of a sheet by row, counted against the limits as they arrive.
struct SparseSheet<'a> {
    limits: &'a ReadLimits,
    rows: BTreeMap<u32, BTreeMap<u32, String>>,
    cells: usize,
    first_column: u32,
    last_column: u32,
}

impl<'a> SparseSheet<'a> {
    fn new(limits: &'a ReadLimits) -> Self {
        Self {
            limits,
            rows: BTreeMap::new(),
            cells: 0,
            first_column: u32::MAX,
            last_column: 0,
        }
    }

    fn insert(&mut self, (row, column): (u32, u32), text: String) -> Result<(), ImportError> {
        self.limits.check_field(text.len())?;
        self.first_column = self.first_column.min(column);
        self.last_column = self.last_column.max(column);
        if self.width() > self.limits.max_columns {
            return Err(self.limits.exceeded(Limit::Columns));
        }
        if !self.rows.contains_key(&row) && self.rows.len() >= self.limits.max_rows {
            return Err(self.limits.exceeded(Limit::Rows));
        }
        if self
            .rows
            .entry(row)
            .or_default()
            .insert(column, text)
            .is_none()
        {
            self.cells += 1;
            if self.cells > self.limits.max_cells {
                return Err(self.limits.exceeded(Limit::Cells));
            }
        }
        Ok(())
    }

    /// Columns from the first to the last filled one (0 when nothing is filled).
    fn width(&self) -> usize {
        if self.first_column > self.last_column {
            return 0;
        }
        usize::try_from(self.last_column - self.first_column)
            .unwrap_or(usize::MAX)
            .saturating_add(1)
    }

    /// Lays out each row from the sheet's first filled column to the row's last filled one.
    fn into_rows(self) -> Result<Vec<RawRow>, ImportError> {
        let first = self.first_column;
        let laid_out: usize = self
            .rows
            .values()
            .filter_map(|cells| cells.keys().next_back())
            .map(|last| usize::try_from(last - first).unwrap_or(usize::MAX))
            .fold(0usize, |sum, width| {
                sum.saturating_add(width).saturating_add(1)
            });
        if laid_out > self.limits.max_cells {
            return Err(self.limits.exceeded(Limit::Cells));
        }
        let mut rows = Vec::with_capacity(self.rows.len());
        for (row, cells) in self.rows {
            let mut line = Vec::new();
            for (column, text) in cells {
                let at = usize::try_from(column - first).unwrap_or(usize::MAX);
                line.resize(at, String::new());
                line.push(text);
            }
            rows.push(RawRow {
                line: usize::try_from(row).unwrap_or(usize::MAX).saturating_add(1),
                cells: line,
            });
        }
        Ok(rows)
    }
}

/// A cell as the text a person sees; dates as `yyyy-mm-dd`.
fn render(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(text) => text.clone(),
        DataRef::SharedString(text) => (*text).to_owned(),
        DataRef::Int(n) => n.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (year, month, day, ..) = dt.to_ymd_hms_milli();
            format!("{year:04}-{month:02}-{day:02}")
        }
        DataRef::DateTime(dt) => dt.as_f64().to_string(),
        DataRef::DateTimeIso(text) => text.split('T').next().unwrap_or(text).to_owned(),
        DataRef::DurationIso(text) => text.clone(),
        DataRef::Error(error) => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use rust_xlsxwriter::{Format as CellFormat, FormatUnderline, Workbook};

    use super::*;

    /// A workbook whose first sheet has `cells` (row, column, text), saved to bytes.
    pub(crate) fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (row, column, text) in cells {
            sheet.write_string(*row, *column, *text).unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    /// The bomb from the report: one cell at A1 and one at XFD1048576, about 6 kB.
    pub(crate) fn bomb() -> Vec<u8> {
        workbook(&[(0, 0, "Onderwerp"), (1_048_575, 16_383, "x")])
    }

    #[test]
    fn cells_at_a1_and_xfd1048576_are_refused_without_a_grid() {
        let bytes = bomb();
        assert!(bytes.len() < 16 * 1024, "{}", bytes.len());
        let err = read_xlsx(&bytes, &ReadLimits::default()).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::OverLimit {
                    limit: Limit::Columns,
                    max: 100
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("more than 100 columns"), "{err}");
    }

    #[test]
    fn far_apart_rows_cost_only_their_cells() {
        let bytes = workbook(&[(0, 0, "Onderwerp"), (1_048_575, 1, "Gereed")]);
        let rows = read_xlsx(&bytes, &ReadLimits::default()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 1);
        assert_eq!(rows[1].line, 1_048_576);
        assert_eq!(rows[1].cells, vec!["", "Gereed"]);
    }

    #[test]
    fn rows_cells_and_cell_text_are_bounded() {
        let limits = ReadLimits {
            max_rows: 3,
            max_cells: 5,
            max_field_bytes: 10,
            ..ReadLimits::default()
        };
        let rows: Vec<(u32, u16, &str)> = (0..4).map(|r| (r, 0, "a")).collect();
        let err = read_xlsx(&workbook(&rows), &limits).unwrap_err();
        assert!(matches!(
            err,
            ImportError::OverLimit {
                limit: Limit::Rows,
                max: 3
            }
        ));
        let cells: Vec<(u32, u16, &str)> = (0..6).map(|c| (0, c, "a")).collect();
        let err = read_xlsx(&workbook(&cells), &limits).unwrap_err();
        assert!(matches!(
            err,
            ImportError::OverLimit {
                limit: Limit::Cells,
                max: 5
            }
        ));
        // Laid out from the first column, three rows ending in column F are 18 cells.
        let wide = [(0, 0, "a"), (1, 5, "b"), (2, 5, "c")];
        let err = read_xlsx(&workbook(&wide), &limits).unwrap_err();
        assert!(matches!(
            err,
            ImportError::OverLimit {
                limit: Limit::Cells,
                ..
            }
        ));
        let err = read_xlsx(&workbook(&[(0, 0, "eleven byte")]), &limits).unwrap_err();
        assert!(matches!(
            err,
            ImportError::OverLimit {
                limit: Limit::FieldBytes,
                max: 10
            }
        ));
    }

    #[test]
    fn bold_and_italic_fonts_are_marked() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let bold = CellFormat::new().set_bold();
        let italic = CellFormat::new().set_italic();
        let both = CellFormat::new()
            .set_bold()
            .set_underline(FormatUnderline::Single);
        sheet.write_string_with_format(0, 0, "Kop", &bold).unwrap();
        sheet
            .write_string_with_format(1, 0, "Sub", &italic)
            .unwrap();
        sheet.write_string_with_format(2, 0, "ZIN", &both).unwrap();
        sheet.write_string(3, 0, "Gewoon").unwrap();
        let rows = read_xlsx(&book.save_to_buffer().unwrap(), &ReadLimits::default()).unwrap();
        let cells: Vec<&str> = rows.iter().map(|r| r.cells[0].as_str()).collect();
        assert_eq!(
            cells,
            vec!["<b>Kop</b>", "<i>Sub</i>", "<b><u>ZIN</u></b>", "Gewoon"]
        );
    }

    #[test]
    fn underlined_text_is_marked_and_rows_keep_their_first_column() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let underline = CellFormat::new().set_underline(FormatUnderline::Single);
        sheet.write_string(2, 1, "Onderwerp").unwrap();
        sheet.write_string(3, 2, "VWS").unwrap();
        sheet
            .write_string_with_format(4, 1, "ZIN", &underline)
            .unwrap();
        let rows = read_xlsx(&book.save_to_buffer().unwrap(), &ReadLimits::default()).unwrap();
        let lines: Vec<_> = rows.iter().map(|r| (r.line, r.cells.clone())).collect();
        assert_eq!(
            lines,
            vec![
                (3, vec!["Onderwerp".to_owned()]),
                (4, vec![String::new(), "VWS".to_owned()]),
                (5, vec!["<u>ZIN</u>".to_owned()]),
            ]
        );
    }
}
