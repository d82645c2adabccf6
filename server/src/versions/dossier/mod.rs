//! A dispute's dossier as a document for the meeting of the next body: subject, parties,
//! positions (current and earlier), options, comments, history and the decision.
//!
//! [`blocks`] turns the stored record ([`Dossier`], loaded by storage) into neutral
//! [`Block`]s; the writers share them: [`to_markdown`] here, [`pdf::render`] and
//! [`docx::render`]. Like the rest of [`crate::versions`], this is free of IO: the routes load
//! the record and run a writer within the render bounds.

pub mod docx;
pub mod pdf;

use chrono::DateTime;

use crate::domain::dispute::Dossier;

/// One block of the dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// The document title.
    Title(String),
    /// A section heading.
    Heading(String),
    /// A paragraph.
    Text(String),
    /// A list item.
    Item(String),
}

/// A stored moment as Dutch time with its zone, e.g. `2026-05-04 10:15 CEST`.
fn date_time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(crate::domain::dutch_time::format_minute_with_zone)
        .unwrap_or_default()
}

fn status_label(status: &str) -> &str {
    match status {
        "in_behandeling" => "in behandeling",
        "geescaleerd" => "geëscaleerd",
        other => other,
    }
}

fn subject_label(kind: &str) -> &str {
    match kind {
        "draft_passage" => "passage in adviesconcept",
        "role_agreement" => "rolafspraak",
        "milestone" => "mijlpaal",
        other => other,
    }
}

fn event_label(kind: &str) -> &str {
    match kind {
        "raised" => "gemeld",
        "position" => "standpunt",
        "option" => "optie",
        "escalated" => "geëscaleerd",
        "escalated_on_timeout" => "geëscaleerd na verlopen reactietermijn",
        "resolved" => "besloten",
        "withdrawn" => "ingetrokken",
        other => other,
    }
}

/// The dossier as blocks.
pub fn blocks(dossier: &Dossier) -> Vec<Block> {
    let d = &dossier.dispute;
    let level_name = |level: i64| {
        dossier
            .ladder
            .iter()
            .find(|l| l.level == level)
            .map_or_else(|| format!("niveau {level}"), |l| l.name.clone())
    };
    let mut blocks = vec![
        Block::Title(format!("Dossier verschil van inzicht: {}", d.title)),
        Block::Text(format!("Werkgroep: {}", dossier.body_name)),
        Block::Text(format!(
            "Onderwerp: {} {} · gemeld door {} op {}",
            subject_label(&d.subject_kind),
            d.subject_id,
            d.raised_by_party,
            date_time(d.created_at)
        )),
        Block::Text(format!(
            "Status: {} · niveau {} ({}) · reageren uiterlijk {}",
            status_label(d.status.as_str()),
            d.level,
            level_name(d.level),
            d.respond_by
        )),
        Block::Heading("Omschrijving".into()),
        Block::Text(d.description.clone()),
    ];
    if let Some(passage) = &d.passage {
        blocks.push(Block::Heading("Passage".into()));
        blocks.push(Block::Text(format!("\u{201c}{passage}\u{201d}")));
    }
    blocks.push(Block::Heading("Betrokken partijen".into()));
    for party in &d.parties {
        let state = if party.has_position {
            "standpunt ingenomen"
        } else {
            "nog geen standpunt op dit niveau"
        };
        blocks.push(Block::Item(format!("{}: {state}", party.code)));
    }
    blocks.push(Block::Heading("Standpunten".into()));
    if dossier.positions.is_empty() {
        blocks.push(Block::Text("Nog geen standpunten.".into()));
    }
    for p in dossier.positions.iter().rev() {
        let by = p.stated_by.clone().unwrap_or_default();
        let mandate = if p.with_mandate { ", met mandaat" } else { "" };
        blocks.push(Block::Item(format!(
            "{} (niveau {}, {by}{mandate}, {}): {}",
            p.party,
            p.level,
            date_time(p.stated_at),
            p.body
        )));
    }
    blocks.push(Block::Heading("Opties".into()));
    if dossier.options.is_empty() {
        blocks.push(Block::Text("Nog geen opties.".into()));
    }
    for (n, o) in dossier.options.iter().enumerate() {
        let from = o.party.clone().unwrap_or_default();
        blocks.push(Block::Item(format!(
            "Optie {} ({from}): {} — {}",
            n + 1,
            o.title,
            o.description
        )));
    }
    if !dossier.comments.is_empty() {
        blocks.push(Block::Heading("Opmerkingen".into()));
        for c in &dossier.comments {
            blocks.push(Block::Item(format!(
                "{} ({}), {}: {}",
                c.author.clone().unwrap_or_default(),
                c.party.clone().unwrap_or_default(),
                date_time(c.created_at),
                c.body
            )));
        }
    }
    blocks.push(Block::Heading("Verloop".into()));
    for e in &dossier.events {
        let note = match (&e.note, e.kind.as_str()) {
            (Some(note), kind) if kind != "position" && !note.is_empty() => format!(": {note}"),
            _ => String::new(),
        };
        let towards = if e.kind.as_str().starts_with("escalated") {
            "naar"
        } else {
            "op"
        };
        blocks.push(Block::Item(format!(
            "{} — {} {towards} niveau {} ({}) door {}{note}",
            date_time(e.at),
            event_label(e.kind.as_str()),
            e.level,
            level_name(e.level),
            e.actor
        )));
    }
    if let Some(decision) = &d.decision {
        blocks.push(Block::Heading("Besluit".into()));
        blocks.push(Block::Text(decision.clone()));
    }
    blocks.push(Block::Heading("Escalatieladder".into()));
    for l in &dossier.ladder {
        blocks.push(Block::Item(format!(
            "Niveau {}: {} ({} werkdagen)",
            l.level, l.name, l.response_days
        )));
    }
    blocks
}

/// The dossier as Markdown: every line of text escaped as in [`super::markdown`], line
/// breaks inside a block kept as hard breaks.
pub fn to_markdown(dossier: &Dossier) -> String {
    let mut out = String::new();
    for block in blocks(dossier) {
        match block {
            Block::Title(t) => out.push_str(&format!("# {}\n\n", escape(&t))),
            Block::Heading(t) => out.push_str(&format!("## {}\n\n", escape(&t))),
            Block::Text(t) => out.push_str(&format!("{}\n\n", escape(&t))),
            Block::Item(t) => out.push_str(&format!("- {}\n", escape(&t))),
        }
    }
    out.replace("\n## ", "\n\n## ").replace("\n\n\n", "\n\n")
}

fn escape(text: &str) -> String {
    text.replace('\r', "")
        .lines()
        .map(|line| super::markdown::escape(line, true))
        .collect::<Vec<_>>()
        .join("  \n")
}

#[cfg(test)]
mod tests;
