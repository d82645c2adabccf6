//! Property tests of the table readers: any bytes, any small zip and any generated workbook
//! give rows or an error, never a panic, and never more than the limits allow. The crashing
//! inputs of the hardening report (the A1 + XFD1048576 sheet, a zip that inflates past the
//! limit) are fixed cases.

use std::io::{Cursor, Read, Write};

use proptest::prelude::*;
use rust_xlsxwriter::Workbook;

use super::*;

/// Small limits, so that generated input reaches them.
const SMALL: ReadLimits = ReadLimits {
    max_rows: 20,
    max_columns: 8,
    max_cells: 60,
    max_field_bytes: 64,
    max_unpacked_bytes: 256 * 1024,
    max_zip_entries: 32,
};

fn within(rows: &[RawRow], limits: &ReadLimits) -> bool {
    let cells: usize = rows.iter().map(|r| r.cells.len()).sum();
    rows.len() <= limits.max_rows
        && cells <= limits.max_cells
        && rows.iter().all(|r| {
            r.cells.len() <= limits.max_columns
                && r.cells
                    .iter()
                    .all(|c| c.len() <= 2 * limits.max_field_bytes + 7)
        })
}

/// Reads with both the small and the default limits; checks the rows stay within them.
fn read_any(bytes: &[u8], format: Format) {
    for limits in [SMALL, ReadLimits::default()] {
        if let Ok(rows) = read_table_with(bytes, format, &limits) {
            assert!(within(&rows, &limits), "{rows:?}");
        }
    }
}

/// The files of a workbook written by `rust_xlsxwriter`, by name.
fn files_of(workbook: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(workbook)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().unwrap().into_owned(), content)
        })
        .collect()
}

fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = zip::ZipWriter::new(Cursor::new(&mut out));
        for (name, content) in files {
            writer
                .start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap();
    }
    out
}

fn sample_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (row, text) in ["Onderwerp", "Eerste", "Tweede"].iter().enumerate() {
        let row = u32::try_from(row).unwrap();
        sheet.write_string(row, 0, *text).unwrap();
        sheet.write_number(row, 1, f64::from(row) * 1.5).unwrap();
    }
    book.save_to_buffer().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn text_readers_take_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        read_any(&bytes, Format::Csv);
        read_any(&bytes, Format::Tsv);
    }

    #[test]
    fn text_readers_take_any_table_like_text(
        text in "([a-z\";,\t\\r\\n ]{0,12}){0,200}"
    ) {
        read_any(text.as_bytes(), Format::Csv);
        read_any(text.as_bytes(), Format::Tsv);
    }

    #[test]
    fn the_xlsx_reader_takes_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        read_any(&bytes, Format::Xlsx);
        let mut zipped = b"PK\x03\x04".to_vec();
        zipped.extend_from_slice(&bytes);
        read_any(&zipped, Format::Xlsx);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A real workbook with one of its files cut short or with bytes overwritten.
    #[test]
    fn the_xlsx_reader_takes_damaged_workbooks(
        which in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        noise in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    ) {
        let mut files = files_of(&sample_workbook());
        let file = which.index(files.len());
        let content = &mut files[file].1;
        if !content.is_empty() {
            for (at, byte) in noise {
                let at = at.index(content.len());
                content[at] = byte;
            }
            let keep = cut.index(content.len() + 1);
            if keep > content.len() / 2 {
                content.truncate(keep);
            }
        }
        read_any(&zip_of(&files), Format::Xlsx);
    }

    /// A real workbook with its first sheet replaced by generated XML.
    #[test]
    fn the_xlsx_reader_takes_any_sheet_xml(
        cells in proptest::collection::vec(
            ("[A-Z]{1,3}", 0u32..2_000_000, "[a-z0-9<>&;]{0,80}", prop::option::of("[a-z]{1,3}")),
            0..40,
        ),
    ) {
        let mut files = files_of(&sample_workbook());
        let mut xml = String::from(
            "<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><dimension ref=\"A1:XFD1048576\"/><sheetData>",
        );
        for (column, row, value, kind) in cells {
            let kind = kind.map(|k| format!(" t=\"{k}\"")).unwrap_or_default();
            xml.push_str(&format!("<row r=\"{row}\"><c r=\"{column}{row}\"{kind}><v>{value}</v></c></row>"));
        }
        xml.push_str("</sheetData></worksheet>");
        for (name, content) in &mut files {
            if name.ends_with("sheet1.xml") {
                *content = xml.clone().into_bytes();
            }
        }
        read_any(&zip_of(&files), Format::Xlsx);
    }

    /// Every filled cell of a generated workbook comes back at its place.
    #[test]
    fn generated_workbooks_read_back_cell_by_cell(
        cells in proptest::collection::btree_map((0u32..30, 0u16..8), "[A-Za-z0-9 ëé-]{1,20}", 1..40),
    ) {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for ((row, column), text) in &cells {
            sheet.write_string(*row, *column, text).unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        let rows = read_table_with(&bytes, Format::Xlsx, &ReadLimits::default()).unwrap();
        let first = cells.keys().map(|(_, c)| *c).min().unwrap();
        let mut seen = 0;
        for row in &rows {
            for (offset, text) in row.cells.iter().enumerate() {
                if text.is_empty() {
                    continue;
                }
                let column = first + u16::try_from(offset).unwrap();
                let key = (u32::try_from(row.line - 1).unwrap(), column);
                prop_assert_eq!(cells.get(&key), Some(text));
                seen += 1;
            }
        }
        prop_assert_eq!(seen, cells.len());
    }
}

#[test]
fn the_spreadsheet_bomb_of_the_report_is_refused() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "A1").unwrap();
    sheet.write_string(1_048_575, 16_383, "XFD1048576").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let err = read_table(&bytes, Format::Xlsx).unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::OverLimit {
                limit: Limit::Columns,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_sheet_that_only_declares_a_huge_dimension_reads_its_cells() {
    let mut files = files_of(&sample_workbook());
    for (name, content) in &mut files {
        if name.ends_with("sheet1.xml") {
            let xml = String::from_utf8(content.clone()).unwrap();
            let start = xml.find("<dimension").unwrap();
            let end = start + xml[start..].find("/>").unwrap() + 2;
            let xml = format!(
                "{}<dimension ref=\"A1:XFD1048576\"/>{}",
                &xml[..start],
                &xml[end..]
            );
            *content = xml.into_bytes();
        }
    }
    let rows = read_table(&zip_of(&files), Format::Xlsx).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2].cells, vec!["Tweede", "3"]);
}

#[test]
fn a_workbook_that_inflates_past_the_limit_is_refused() {
    let mut files = files_of(&sample_workbook());
    files.push(("xl/media/filler.bin".into(), vec![b'0'; 512 * 1024]));
    let mut out = Vec::new();
    {
        let mut writer = zip::ZipWriter::new(Cursor::new(&mut out));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in &files {
            writer.start_file(name.as_str(), options).unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap();
    }
    assert!(out.len() < 32 * 1024);
    let err = read_table_with(&out, Format::Xlsx, &SMALL).unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::OverLimit {
                limit: Limit::UnpackedBytes,
                ..
            }
        ),
        "{err:?}"
    );
    read_table(&out, Format::Xlsx).unwrap();
}

/// One generated row of a table parties keep: a heading in some marking, or a milestone.
#[derive(Debug, Clone)]
enum TableRow {
    /// A heading: 0 unmarked, 1 bold, 2 italic, 3 numbered with `depth`.
    Heading(u8, usize, String),
    /// A milestone with a due date and a party.
    Milestone(String),
}

fn table_row() -> impl Strategy<Value = TableRow> {
    prop_oneof![
        (0u8..4, 1usize..4, "[a-z]{3,10}").prop_map(|(m, d, t)| TableRow::Heading(m, d, t)),
        "[a-z]{3,10}( [a-z]{2,8})?".prop_map(TableRow::Milestone),
        "[a-z]{3,10}".prop_map(TableRow::Milestone),
    ]
}

/// The table as CSV text, numbering numbered headings by their depth and position.
fn table_text(rows: &[TableRow]) -> String {
    let mut text = String::from("Onderwerp;Gereed;Verantwoordelijke\n");
    for (i, row) in rows.iter().enumerate() {
        match row {
            TableRow::Heading(0, _, title) => text.push_str(&format!("Kop {title};;\n")),
            TableRow::Heading(1, _, title) => text.push_str(&format!("**Kop {title}**;;\n")),
            TableRow::Heading(2, _, title) => text.push_str(&format!("*Kop {title}*;;\n")),
            TableRow::Heading(_, depth, title) => {
                let number = vec![(i % 9 + 1).to_string(); *depth].join(".");
                text.push_str(&format!("{number} Kop {title};;\n"));
            }
            TableRow::Milestone(title) => {
                text.push_str(&format!("Mijlpaal {title};Q3 2026;<u>ZIN</u>\n"))
            }
        }
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    /// Whatever the headings and their markings, every row is read once, every milestone
    /// belongs to the heading above it (the innermost open one), parents come first and are
    /// never weaker than their sub-lines, and a second reading gives the same keys.
    #[test]
    fn heading_rows_group_the_milestones_below_them(rows in proptest::collection::vec(table_row(), 0..40)) {
        let text = table_text(&rows);
        let raw = read_table(text.as_bytes(), Format::Csv).unwrap();
        let context = crate::domain::fuzzy_date::ParseContext::default();
        let plan = interpret(&raw, &super::parties::tests::directory(), &context);
        prop_assert_eq!(plan.rows.len(), rows.len() + 1);
        prop_assert!(plan.errors.is_empty());
        let headings = rows.iter().filter(|r| matches!(r, TableRow::Heading(..))).count();
        prop_assert_eq!(plan.action_lines.len(), headings);
        prop_assert_eq!(plan.milestones.len(), rows.len() - headings);
        let mut current: Option<String> = None;
        let mut milestones = plan.milestones.iter();
        let mut lines = plan.action_lines.iter();
        for row in &rows {
            match row {
                TableRow::Heading(..) => current = Some(lines.next().unwrap().key.clone()),
                TableRow::Milestone(_) => {
                    let m = milestones.next().unwrap();
                    prop_assert_eq!(&m.action_line_key, &current);
                }
            }
        }
        for (i, line) in plan.action_lines.iter().enumerate() {
            prop_assert_eq!(plan.action_lines.iter().filter(|a| a.key == line.key).count(), 1);
            if let Some(parent) = &line.parent_key {
                let at = plan.action_lines.iter().position(|a| &a.key == parent);
                prop_assert!(at.is_some_and(|at| at < i), "{parent} before {}", line.key);
                let parent = &plan.action_lines[at.unwrap_or_default()];
                prop_assert!(parent.level < line.level);
            } else {
                prop_assert!(line.level == 1 || line.number.is_some());
            }
        }
        let again = interpret(&raw, &super::parties::tests::directory(), &context);
        prop_assert_eq!(again, plan);
    }
}
