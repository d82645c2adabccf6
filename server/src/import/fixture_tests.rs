//! End-to-end tests: the messy fixtures in `tests-data/import/` and a generated XLSX.

use rust_xlsxwriter::{ExcelDateTime, Format as XlsxFormat, FormatUnderline, Workbook};

use super::interpret::{RowKind, RowOutcome};
use super::parties::tests::directory;
use super::*;
use crate::domain::fuzzy_date::{ParseContext, Precision};

const MESSY_CSV: &[u8] = include_bytes!("../../tests-data/import/messy.csv");
const MESSY_TSV: &[u8] = include_bytes!("../../tests-data/import/messy.tsv");
const HEADINGS_CSV: &[u8] = include_bytes!("../../tests-data/import/headings.csv");

fn plan_of(bytes: &[u8], format: Format, year: Option<i32>) -> (Vec<RawRow>, ImportPlan) {
    let rows = read_table(bytes, format).unwrap();
    let context = ParseContext { default_year: year };
    let plan = interpret(&rows, &directory(), &context);
    (rows, plan)
}

fn lines_of(plan: &ImportPlan, kind: RowKind) -> Vec<usize> {
    plan.rows
        .iter()
        .filter(|r| r.kind == kind)
        .map(|r| r.line)
        .collect()
}

fn issue(issues: &[RowIssue], line: usize) -> &str {
    issues.iter().find(|i| i.line == line).map_or_else(
        || panic!("no issue on line {line}: {issues:#?}"),
        |i| i.reason.as_str(),
    )
}

fn milestone(plan: &ImportPlan, line: usize) -> &PlannedMilestone {
    plan.milestones.iter().find(|m| m.line == line).unwrap()
}

/// Every non-blank row is exactly one of header, section, milestone or error, and the plan's
/// lists agree with the row kinds.
fn assert_nothing_dropped(rows: &[RawRow], plan: &ImportPlan) {
    let non_blank: Vec<usize> = rows
        .iter()
        .filter(|r| !r.is_blank())
        .map(|r| r.line)
        .collect();
    let seen: Vec<usize> = plan.rows.iter().map(|r| r.line).collect();
    assert_eq!(seen, non_blank, "every non-blank row has exactly one kind");
    let milestones: Vec<usize> = plan.milestones.iter().map(|m| m.line).collect();
    assert_eq!(milestones, lines_of(plan, RowKind::Milestone));
    let errors: Vec<usize> = plan.errors.iter().map(|e| e.line).collect();
    assert_eq!(errors, lines_of(plan, RowKind::Error));
    for line in lines_of(plan, RowKind::Section) {
        assert!(
            plan.action_lines.iter().any(|a| a.line == line),
            "section {line}"
        );
    }
    for line in lines_of(plan, RowKind::Header) {
        assert!(
            plan.info.iter().any(|i| i.line == line),
            "header {line} noted"
        );
    }
    for flagged in &plan.flagged {
        assert!(
            milestones.contains(&flagged.line),
            "only milestones are flagged"
        );
    }
}

fn check_messy_text_plan(rows: &[RawRow], plan: &ImportPlan) {
    assert_nothing_dropped(rows, plan);
    assert_eq!(
        plan.summary_line(),
        "rows: 20, milestones: 12, flagged: 7, errors: 2"
    );
    assert_eq!(lines_of(plan, RowKind::Header), vec![1, 10]);
    assert_eq!(lines_of(plan, RowKind::Section), vec![2, 7, 13, 15]);
    assert_eq!(lines_of(plan, RowKind::Error), vec![16, 17]);
    let flagged: Vec<usize> = plan.flagged.iter().map(|f| f.line).collect();
    assert_eq!(flagged, vec![5, 8, 9, 11, 12, 14, 19]);

    // Headers: the first describes the columns, the repeat is skipped as info.
    assert!(issue(&plan.info, 1).starts_with("header row"));
    assert!(issue(&plan.info, 10).starts_with("repeated header row skipped"));

    // Sections nest by number; "Actielijn 2" closes both; the unmarked title alone on line
    // 15 is a sub-line of it.
    let keys: Vec<(&str, Option<&str>, usize)> = plan
        .action_lines
        .iter()
        .map(|a| (a.key.as_str(), a.parent_key.as_deref(), a.line))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("1", None, 2),
            ("1.1", Some("1"), 7),
            ("actielijn-2", None, 13),
            (
                "actielijn-2/opstellen-roaz-beelden",
                Some("actielijn-2"),
                15
            ),
        ]
    );
    assert_eq!(milestone(plan, 3).action_line_key.as_deref(), Some("1"));
    assert_eq!(milestone(plan, 8).action_line_key.as_deref(), Some("1.1"));
    assert_eq!(
        milestone(plan, 14).action_line_key.as_deref(),
        Some("actielijn-2")
    );

    // Leads: partly underlined, fully underlined, "(trekker)", none.
    let m = milestone(plan, 4);
    assert_eq!(
        (m.lead.clone(), m.contributors.clone()),
        (
            vec!["VWS".into(), "NZa".into()],
            vec!["LHV".into(), "FMS".into()]
        )
    );
    assert_eq!(milestone(plan, 18).lead, vec!["VWS", "NZa", "ZN"]);
    assert!(milestone(plan, 18).contributors.is_empty());
    assert_eq!(milestone(plan, 9).lead, vec!["VWS"]);
    assert_eq!(milestone(plan, 9).contributors, vec!["NZa"]);
    assert!(milestone(plan, 19).lead.is_empty());
    assert_eq!(milestone(plan, 19).contributors, vec!["NZa"]);
    assert!(issue(&plan.flagged, 19).contains("lead party unknown"));
    // A collective is a party like any other; "IZA partijen" is an alias.
    assert_eq!(milestone(plan, 3).contributors, vec!["IZA-partijen"]);
    assert_eq!(milestone(plan, 22).contributors, vec!["IZA-partijen"]);

    // Unknown names are flagged with the name and kept.
    let m = milestone(plan, 12);
    assert_eq!(
        m.unknown_parties,
        vec!["Zorgverzekeraars Nederland BV", "XYZ"]
    );
    let reason = issue(&plan.flagged, 12);
    assert!(
        reason.contains("\"Zorgverzekeraars Nederland BV\""),
        "{reason}"
    );
    assert!(reason.contains("\"XYZ\""), "{reason}");
    assert!(reason.contains("not a valid date"), "{reason}");
    assert!(issue(&plan.flagged, 5).contains("\"Minister\""));

    // Due dates: raw text kept; flags become row reasons.
    assert!(issue(&plan.flagged, 5).contains("placeholder"));
    let m = milestone(plan, 8);
    assert_eq!((m.due.raw.as_str(), m.due.uncertain), ("1-1-2-24", true));
    assert!(issue(&plan.flagged, 8).contains("not a valid date"));
    assert!(issue(&plan.flagged, 9).contains("uncertain"));
    assert!(issue(&plan.flagged, 11).contains("range"));
    assert!(issue(&plan.flagged, 14).contains("due date unknown"));
    assert_eq!(milestone(plan, 4).due.precision, Precision::Season);
    assert_eq!(milestone(plan, 20).due.precision, Precision::Quarter);

    assert_eq!(
        milestone(plan, 18).action_line_key.as_deref(),
        Some("actielijn-2/opstellen-roaz-beelden")
    );

    // Odd rows.
    assert!(issue(&plan.errors, 16).starts_with("no title"));
    assert!(issue(&plan.errors, 17).contains("#REF!"));

    // A multi-line cell keeps its first line number; an extra cell becomes a note.
    let m = milestone(plan, 20);
    assert_eq!(m.title, "Regionale wachtlijsten ggz (opties)");
    assert_eq!(m.note.as_deref(), Some("column 6: extra cel"));
    assert_eq!(milestone(plan, 3).status.as_deref(), Some("gepland"));
    assert_eq!(
        milestone(plan, 3).natural_key,
        "1/werkagenda-cyclus-gepast-gebruik"
    );
}

#[test]
fn messy_csv_reports_every_odd_row_on_its_line() {
    let (rows, plan) = plan_of(MESSY_CSV, Format::Csv, None);
    check_messy_text_plan(&rows, &plan);
}

#[test]
fn messy_tsv_reads_the_same_as_the_csv() {
    let (rows, plan) = plan_of(MESSY_TSV, Format::Tsv, None);
    check_messy_text_plan(&rows, &plan);
    let (_, csv_plan) = plan_of(MESSY_CSV, Format::Csv, None);
    assert_eq!(plan, csv_plan);
}

#[test]
fn reimporting_gives_the_same_natural_keys_and_repeats_are_flagged() {
    let (_, first) = plan_of(MESSY_CSV, Format::Csv, None);
    let (_, second) = plan_of(MESSY_CSV, Format::Csv, None);
    let keys = |p: &ImportPlan| {
        p.milestones
            .iter()
            .map(|m| m.natural_key.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&first), keys(&second));

    let text =
        "Onderwerp;Gereed;Verantwoordelijke\nAdvies;2027;<u>ZIN</u>\nAdvies;2028;<u>ZIN</u>\n";
    let (_, plan) = plan_of(text.as_bytes(), Format::Csv, None);
    assert_eq!(keys(&plan), vec!["-/advies", "-/advies#2"]);
    assert!(issue(&plan.flagged, 3).contains("same action line and title as line 2"));
}

#[test]
fn a_table_without_header_uses_the_annex_column_order() {
    let text = "Opstellen ROAZ-beelden,1-7-2023,<u>ROAZ'en</u>\n";
    let (rows, plan) = plan_of(text.as_bytes(), Format::Csv, None);
    assert_nothing_dropped(&rows, &plan);
    assert!(issue(&plan.info, 1).starts_with("no header row found"));
    assert_eq!(plan.milestones[0].unknown_parties, vec!["ROAZ'en"]);
    assert_eq!(
        plan.summary_line(),
        "rows: 1, milestones: 1, flagged: 1, errors: 0"
    );
}

fn messy_xlsx() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let underline = XlsxFormat::new().set_underline(FormatUnderline::Single);
    let date = XlsxFormat::new().set_num_format("dd-mm-yyyy");
    let header = [
        "Nr",
        "Actielijn",
        "Wat",
        "Wanneer",
        "Wie",
        "Trekker",
        "Stand van zaken",
    ];
    // Row 0 (line 1) stays empty, so the used range starts on line 2.
    for (row, cells) in [
        (1, header.to_vec()),
        (2, vec!["Thema Digitalisering"]),
        (
            3,
            vec![
                "1",
                "Actielijn 1",
                "Advies eten en drinken",
                "Q3 2026",
                "ZIN",
                "ZIN",
                "gestart",
            ],
        ),
        (6, vec!["3", "", "Terminologie afgestemd", "", "ZINL, XYZ"]),
        (7, header.to_vec()),
        (8, vec!["4", "", "Go/no-go besluit SWP", "voorjaar", "ZIN"]),
        (9, vec!["", "", "", "Q4 '25", "VWS"]),
        (10, vec!["5", "", "Alleen een titel"]),
    ] {
        for (column, text) in (0u16..).zip(cells) {
            if !text.is_empty() {
                sheet.write_string(row, column, text).unwrap();
            }
        }
    }
    sheet.write_string(4, 0, "2").unwrap();
    sheet.write_string(4, 2, "Startnotitie").unwrap();
    let day = ExcelDateTime::from_ymd(2026, 7, 1).unwrap();
    sheet.write_datetime_with_format(4, 3, &day, &date).unwrap();
    sheet
        .write_string_with_format(4, 4, "ZIN, VWS", &underline)
        .unwrap();
    sheet.write_number(6, 3, 2027).unwrap();
    workbook.save_to_buffer().unwrap()
}

#[test]
fn generated_xlsx_reports_every_odd_row_on_its_spreadsheet_row() {
    let (rows, plan) = plan_of(&messy_xlsx(), Format::Xlsx, Some(2026));
    assert_nothing_dropped(&rows, &plan);
    let kinds: Vec<(usize, RowKind)> = plan
        .rows
        .iter()
        .map(|RowOutcome { line, kind }| (*line, *kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (2, RowKind::Header),
            (3, RowKind::Section),
            (4, RowKind::Milestone),
            (5, RowKind::Milestone),
            (7, RowKind::Milestone),
            (8, RowKind::Header),
            (9, RowKind::Milestone),
            (10, RowKind::Error),
            (11, RowKind::Milestone),
        ]
    );
    assert_eq!(
        plan.summary_line(),
        "rows: 9, milestones: 5, flagged: 3, errors: 1"
    );

    // Action-line column and a section row in the number column.
    let m = milestone(&plan, 4);
    assert_eq!(m.action_line_key.as_deref(), Some("actielijn-1"));
    assert_eq!(
        (m.lead.clone(), m.contributors.clone()),
        (vec!["ZIN".to_owned()], vec![])
    );
    assert_eq!(m.status.as_deref(), Some("gestart"));
    assert_eq!(
        milestone(&plan, 5).action_line_key.as_deref(),
        Some("thema-digitalisering")
    );

    // Whole-cell underline = all lead; an Excel date and a number read as dates.
    let m = milestone(&plan, 5);
    assert_eq!(m.lead, vec!["ZIN", "VWS"]);
    assert_eq!(m.due.raw, "2026-07-01");
    assert_eq!(m.due.precision, Precision::Day);
    assert_eq!(milestone(&plan, 7).due.precision, Precision::Year);
    assert!(
        plan.flagged.iter().all(|f| f.line != 4 && f.line != 5),
        "{:#?}",
        plan.flagged
    );

    assert!(issue(&plan.flagged, 7).contains("\"XYZ\""));
    assert!(issue(&plan.flagged, 9).contains("taken from the document year"));
    assert!(issue(&plan.errors, 10).starts_with("no title"));
    assert!(issue(&plan.flagged, 11).starts_with("only a title"));
    assert!(issue(&plan.info, 8).starts_with("repeated header row skipped"));
}

/// (key, parent key, number, level, line) of every planned action line.
type LineShape<'a> = (&'a str, Option<&'a str>, Option<&'a str>, usize, usize);

fn shape(plan: &ImportPlan) -> Vec<LineShape<'_>> {
    plan.action_lines
        .iter()
        .map(|a| {
            (
                a.key.as_str(),
                a.parent_key.as_deref(),
                a.number.as_deref(),
                a.level,
                a.line,
            )
        })
        .collect()
}

#[test]
fn heading_rows_group_the_rows_below_them() {
    let (rows, plan) = plan_of(HEADINGS_CSV, Format::Csv, None);
    assert_nothing_dropped(&rows, &plan);
    assert_eq!(
        lines_of(&plan, RowKind::Section),
        vec![2, 3, 5, 7, 9, 11, 13, 15]
    );
    assert_eq!(
        shape(&plan),
        vec![
            ("2", None, Some("2"), 1, 2),
            ("2.3", Some("2"), Some("2.3"), 2, 3),
            ("2.3/geneesmiddelen", Some("2.3"), None, 3, 5),
            ("2.3/hulpmiddelen", Some("2.3"), None, 3, 7),
            ("2.3.1", Some("2.3"), Some("2.3.1"), 3, 9),
            ("2.4", Some("2"), Some("2.4"), 2, 11),
            ("overig", None, None, 1, 13),
            ("overig/losse-kop-zonder-rijen", Some("overig"), None, 2, 15),
        ]
    );
    let owner = |line| milestone(&plan, line).action_line_key.as_deref();
    assert_eq!(owner(4), Some("2.3"));
    assert_eq!(owner(6), Some("2.3/geneesmiddelen"));
    assert_eq!(owner(8), Some("2.3/hulpmiddelen"));
    assert_eq!(owner(10), Some("2.3.1"));
    assert_eq!(owner(12), Some("2.4"));
    assert_eq!(owner(14), Some("overig"));
    // Titles lose their markup; headings are not milestones, so nothing is "only a title".
    assert_eq!(plan.action_lines[2].title, "Geneesmiddelen");
    assert_eq!(plan.action_lines[6].title, "Overig");
    assert_eq!(milestone(&plan, 6).title, "Sluisprocedure herzien");
    assert!(plan
        .flagged
        .iter()
        .all(|f| !f.reason.contains("only a title")));
    assert!(issue(&plan.info, 15).contains("no milestones below it"));
    assert_eq!(
        milestone(&plan, 6).natural_key,
        "2.3/geneesmiddelen/sluisprocedure-herzien"
    );
    // The unknown party, once, with its rows.
    let unknown = plan.unknown_parties();
    assert_eq!(
        unknown,
        vec![UnknownParty {
            name: "InEen".into(),
            lines: vec![6, 10]
        }]
    );
    assert_eq!(
        plan.summary_line(),
        "rows: 15, milestones: 6, flagged: 3, errors: 0"
    );
    // Reading it again gives the same keys.
    let (_, again) = plan_of(HEADINGS_CSV, Format::Csv, None);
    assert_eq!(again, plan);
}

#[test]
fn a_bold_or_italic_title_with_a_row_number_is_a_numbered_heading() {
    let text = "Nr;Wat;Wanneer;Wie\n2.3;**Pakketbeheer**;;\n1;Advies;2027;<u>ZIN</u>\n\
                2.3.1;*Dure middelen*;;\n2;Horizonscan;2028;<u>ZIN</u>\n3;Alleen een titel;;\n";
    let (rows, plan) = plan_of(text.as_bytes(), Format::Csv, None);
    assert_nothing_dropped(&rows, &plan);
    assert_eq!(
        shape(&plan),
        vec![
            ("2.3", None, Some("2.3"), 2, 2),
            ("2.3.1", Some("2.3"), Some("2.3.1"), 3, 4),
        ]
    );
    assert_eq!(plan.action_lines[0].title, "2.3 Pakketbeheer");
    assert_eq!(milestone(&plan, 3).action_line_key.as_deref(), Some("2.3"));
    assert_eq!(
        milestone(&plan, 5).action_line_key.as_deref(),
        Some("2.3.1")
    );
    // A numbered row with only an unmarked title stays a milestone, flagged.
    assert!(issue(&plan.flagged, 6).starts_with("only a title"));
}

#[test]
fn bold_and_italic_spreadsheet_fonts_make_headings() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let bold = XlsxFormat::new().set_bold();
    let italic = XlsxFormat::new().set_italic();
    let underline = XlsxFormat::new().set_underline(FormatUnderline::Single);
    for (column, text) in (0u16..).zip(["Onderwerp", "Gereed", "Verantwoordelijke"]) {
        sheet
            .write_string_with_format(0, column, text, &bold)
            .unwrap();
    }
    sheet
        .write_string_with_format(1, 0, "Pakketbeheer", &bold)
        .unwrap();
    sheet
        .write_string_with_format(2, 0, "Geneesmiddelen", &italic)
        .unwrap();
    sheet.write_string(3, 0, "Sluisprocedure herzien").unwrap();
    sheet.write_string(3, 1, "eind 2026").unwrap();
    sheet
        .write_string_with_format(3, 2, "VWS", &underline)
        .unwrap();
    // A bold milestone with a date stays a milestone.
    sheet
        .write_string_with_format(4, 0, "Besluit", &bold)
        .unwrap();
    sheet.write_string(4, 1, "2027").unwrap();
    sheet.write_string(4, 2, "VWS").unwrap();
    let (rows, plan) = plan_of(&workbook.save_to_buffer().unwrap(), Format::Xlsx, None);
    assert_nothing_dropped(&rows, &plan);
    assert_eq!(lines_of(&plan, RowKind::Header), vec![1]);
    assert_eq!(
        shape(&plan),
        vec![
            ("pakketbeheer", None, None, 1, 2),
            (
                "pakketbeheer/geneesmiddelen",
                Some("pakketbeheer"),
                None,
                2,
                3
            ),
        ]
    );
    assert_eq!(milestone(&plan, 4).lead, vec!["VWS"]);
    assert_eq!(
        milestone(&plan, 4).action_line_key.as_deref(),
        Some("pakketbeheer/geneesmiddelen")
    );
    assert_eq!(milestone(&plan, 5).title, "Besluit");
}
