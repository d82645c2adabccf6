//! A frozen progress report as a document (the dossier's neutral blocks, written as PDF or
//! DOCX) and as CSV (every table of the report, one row per line, with its section). No IO.

use crate::domain::progress_report::{BodySection, ReportContent, Row, Totals};
use crate::versions::dossier::Block;

fn status_label(status: &str) -> String {
    match crate::domain::milestone_status::MilestoneStatus::parse(status) {
        Some(s) => crate::domain::public_page::status_label(s).to_owned(),
        None => status.to_owned(),
    }
}

fn row_text(row: &Row) -> String {
    let leads = if row.leads.is_empty() {
        "geen trekker".to_owned()
    } else {
        format!("trekker {}", row.leads.join(", "))
    };
    format!(
        "{} — {} — {} ({})",
        row.title,
        status_label(&row.status),
        row.due,
        leads
    )
}

fn totals_text(t: &Totals) -> String {
    format!(
        "{} mijlpalen; gereed in de periode: {}; verschoven: {}; te laat: {}; nieuw: {}; \
         gepland voor de volgende periode: {}",
        t.milestones, t.done, t.moved, t.late, t.new, t.due_next
    )
}

fn rows(out: &mut Vec<Block>, heading: &str, list: &[Row]) {
    out.push(Block::Heading(format!("{heading} ({})", list.len())));
    if list.is_empty() {
        out.push(Block::Text("Geen.".into()));
    }
    out.extend(list.iter().map(|r| Block::Item(row_text(r))));
}

fn section(out: &mut Vec<Block>, body: &BodySection) {
    out.push(Block::Heading(body.body_name.clone()));
    out.push(Block::Text(totals_text(&body.totals)));
    rows(out, "Gereed in de periode", &body.done);
    out.push(Block::Heading(format!(
        "Verschoven in de periode ({})",
        body.moved.len()
    )));
    if body.moved.is_empty() {
        out.push(Block::Text("Geen.".into()));
    }
    for m in &body.moved {
        out.push(Block::Item(format!(
            "{}: {} → {} op {}; reden: {}; afgesproken met: {}",
            m.title,
            m.old_due.as_deref().unwrap_or("?"),
            m.new_due.as_deref().unwrap_or("?"),
            m.day,
            m.reason.as_deref().unwrap_or("niet vermeld"),
            m.agreed_with.as_deref().unwrap_or("niet vermeld"),
        )));
    }
    rows(out, "Te laat", &body.late);
    rows(out, "Nieuw sinds de vorige rapportage", &body.new);
    rows(out, "Gepland voor de volgende periode", &body.due_next);
}

/// The report as the dossier writer's blocks.
pub fn blocks(
    body_name: Option<&str>,
    frozen_at: i64,
    content_hash: &str,
    c: &ReportContent,
) -> Vec<Block> {
    let scope = body_name.unwrap_or("het programma");
    let mut out = vec![
        Block::Title(format!("Voortgangsrapportage {} — {scope}", c.period)),
        Block::Text(format!(
            "Periode {} tot en met {}; stand op {}. Bevroren op {}; SHA-256 {}.",
            c.from,
            c.to,
            c.as_of,
            crate::domain::dutch_time::date_of_millis(frozen_at),
            content_hash
        )),
        Block::Heading("Totaal".into()),
        Block::Text(totals_text(&c.totals)),
    ];
    for body in &c.bodies {
        section(&mut out, body);
    }
    out
}

/// Stops spreadsheet programs from reading a cell as a formula.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Every table of the report as CSV.
///
/// # Errors
/// Only if writing to memory fails.
pub fn csv(content: &ReportContent) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "sectie",
        "orgaan",
        "mijlpaal_id",
        "titel",
        "actielijn",
        "status",
        "gepland",
        "uiterlijk",
        "trekker",
        "oude_datum",
        "nieuwe_datum",
        "reden",
        "afgesproken_met",
        "datum",
    ])?;
    for body in &content.bodies {
        let tables: [(&str, &[Row]); 5] = [
            ("gereed", &body.done),
            ("te_laat", &body.late),
            ("nieuw", &body.new),
            ("volgende_periode", &body.due_next),
            ("alle_mijlpalen", &body.milestones),
        ];
        for (name, list) in tables {
            for r in list {
                writer.write_record(
                    [
                        name,
                        &body.body_name,
                        &r.id.to_string(),
                        &r.title,
                        r.action_line.as_deref().unwrap_or(""),
                        &r.status,
                        &r.due,
                        r.deadline.as_deref().unwrap_or(""),
                        &r.leads.join(" "),
                        "",
                        "",
                        "",
                        "",
                        "",
                    ]
                    .map(cell),
                )?;
            }
        }
        for m in &body.moved {
            writer.write_record(
                [
                    "verschoven",
                    &body.body_name,
                    &m.id.to_string(),
                    &m.title,
                    "",
                    &m.to_status,
                    "",
                    "",
                    "",
                    m.old_due.as_deref().unwrap_or(""),
                    m.new_due.as_deref().unwrap_or(""),
                    m.reason.as_deref().unwrap_or(""),
                    m.agreed_with.as_deref().unwrap_or(""),
                    &m.day,
                ]
                .map(cell),
            )?;
        }
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}
