//! The meeting pack (stukken) as neutral blocks: a cover (body, meeting, Dutch day and time,
//! place or link), the agenda, each linked version's full text, the body's open decision
//! requests and the status of its milestones. The dossier writers render them
//! ([`super::dossier::pdf::render`], [`super::dossier::docx::render`]), so another writer can
//! replace them without touching what goes into a pack. Free of IO: the routes load the
//! sources and run this within the render bounds.

use super::dossier::Block;
use super::{Block as VersionBlock, BlockKind};
use crate::domain::meeting::{dutch_when, MeetingStatus};

/// The meeting on the cover.
#[derive(Debug, Clone)]
pub struct Cover {
    /// The body that meets.
    pub body_name: String,
    /// Title.
    pub title: String,
    /// Start, Unix ms.
    pub starts_at: i64,
    /// End, Unix ms.
    pub ends_at: i64,
    /// Place.
    pub place: Option<String>,
    /// Online link.
    pub online_url: Option<String>,
    /// Status.
    pub status: MeetingStatus,
    /// The secretariat's note with the pack.
    pub note: Option<String>,
}

/// One agenda item.
#[derive(Debug, Clone)]
pub struct AgendaLine {
    /// Its number.
    pub position: i64,
    /// Title.
    pub title: String,
    /// Note.
    pub note: String,
    /// The linked thing, described.
    pub link: Option<String>,
}

/// A linked version with its text.
#[derive(Debug, Clone)]
pub struct VersionText {
    /// The draft's title.
    pub draft_title: String,
    /// The version's name.
    pub name: String,
    /// The status it froze.
    pub status: String,
    /// Its content hash.
    pub content_hash: String,
    /// Its text.
    pub blocks: Vec<VersionBlock>,
}

/// An open decision request.
#[derive(Debug, Clone)]
pub struct Request {
    /// Title.
    pub title: String,
    /// Question.
    pub question: String,
    /// Options.
    pub options: Vec<String>,
    /// Deadline (`YYYY-MM-DD`).
    pub deadline: Option<String>,
}

/// A milestone's status line.
#[derive(Debug, Clone)]
pub struct MilestoneLine {
    /// Title.
    pub title: String,
    /// Due as written.
    pub due: String,
    /// Status.
    pub status: String,
    /// Owner party codes (lead first).
    pub owners: Vec<String>,
}

/// Everything that goes into a pack.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The cover.
    pub cover: Cover,
    /// The agenda.
    pub agenda: Vec<AgendaLine>,
    /// The linked versions.
    pub versions: Vec<VersionText>,
    /// The body's open decision requests.
    pub requests: Vec<Request>,
    /// The body's milestones.
    pub milestones: Vec<MilestoneLine>,
}

fn version_blocks(blocks: &[VersionBlock]) -> impl Iterator<Item = Block> + '_ {
    blocks.iter().filter_map(|block| {
        let text = block.text();
        if text.trim().is_empty() {
            return None;
        }
        Some(match block.kind {
            BlockKind::Heading(_) => Block::Heading(text),
            BlockKind::ListItem { .. } => Block::Item(text),
            BlockKind::Paragraph => Block::Text(text),
            BlockKind::Quote => Block::Text(format!("“{text}”")),
        })
    })
}

/// The pack as blocks.
pub fn blocks(pack: &Pack) -> Vec<Block> {
    let c = &pack.cover;
    let mut out = vec![
        Block::Title(format!("Vergaderstukken: {}", c.title)),
        Block::Text(c.body_name.clone()),
        Block::Text(format!(
            "Datum en tijd: {}",
            dutch_when(c.starts_at, c.ends_at)
        )),
    ];
    if let Some(place) = &c.place {
        out.push(Block::Text(format!("Locatie: {place}")));
    }
    if let Some(url) = &c.online_url {
        out.push(Block::Text(format!("Online: {url}")));
    }
    if c.status != MeetingStatus::Gepland {
        out.push(Block::Text(format!("Status: {}", c.status.label())));
    }
    if let Some(note) = c.note.as_deref().filter(|n| !n.trim().is_empty()) {
        out.push(Block::Text(note.trim().to_owned()));
    }
    out.push(Block::Heading("Agenda".to_owned()));
    if pack.agenda.is_empty() {
        out.push(Block::Text(
            "Er staan nog geen punten op de agenda.".to_owned(),
        ));
    }
    for item in &pack.agenda {
        let mut line = format!("{}. {}", item.position, item.title);
        if let Some(link) = &item.link {
            line.push_str(&format!(" — {link}"));
        }
        out.push(Block::Item(line));
        if !item.note.trim().is_empty() {
            out.push(Block::Text(item.note.trim().to_owned()));
        }
    }
    for version in &pack.versions {
        out.push(Block::Heading(format!(
            "{} — {} ({})",
            version.draft_title, version.name, version.status
        )));
        out.push(Block::Text(format!(
            "Inhoudshash: {}",
            version.content_hash
        )));
        out.extend(version_blocks(&version.blocks));
    }
    out.push(Block::Heading("Openstaande besluitvragen".to_owned()));
    if pack.requests.is_empty() {
        out.push(Block::Text("Geen openstaande besluitvragen.".to_owned()));
    }
    for request in &pack.requests {
        let deadline = request
            .deadline
            .as_deref()
            .map(|d| format!(" (uiterlijk {d})"))
            .unwrap_or_default();
        out.push(Block::Item(format!("{}{deadline}", request.title)));
        out.push(Block::Text(format!("Vraag: {}", request.question)));
        for (n, option) in request.options.iter().enumerate() {
            out.push(Block::Text(format!("Optie {}: {option}", n + 1)));
        }
    }
    out.push(Block::Heading("Stand van de mijlpalen".to_owned()));
    if pack.milestones.is_empty() {
        out.push(Block::Text("Geen mijlpalen.".to_owned()));
    }
    for m in &pack.milestones {
        let owners = if m.owners.is_empty() {
            String::new()
        } else {
            format!(" · {}", m.owners.join(", "))
        };
        out.push(Block::Item(format!(
            "{} — {} — {}{owners}",
            m.title, m.due, m.status
        )));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::versions::{Change, Marks, Run};

    fn run(text: &str) -> Run {
        Run {
            change: Change::Unchanged,
            text: text.to_owned(),
            author: None,
            marks: Marks::default(),
        }
    }

    fn pack() -> Pack {
        Pack {
            cover: Cover {
                body_name: "Thematafel Passende Zorg".into(),
                title: "Thematafel januari".into(),
                // 12 January 2027, 10:00–12:00 Dutch time
                starts_at: 1_799_744_400_000,
                ends_at: 1_799_751_600_000,
                place: Some("Ministerie van VWS, Den Haag".into()),
                online_url: None,
                status: MeetingStatus::Gepland,
                note: Some("Graag vooraf lezen.".into()),
            },
            agenda: vec![
                AgendaLine {
                    position: 1,
                    title: "Opening".into(),
                    note: String::new(),
                    link: None,
                },
                AgendaLine {
                    position: 2,
                    title: "Advies".into(),
                    note: "Ter vaststelling".into(),
                    link: Some("Advies, v1 (consultatie)".into()),
                },
            ],
            versions: vec![VersionText {
                draft_title: "Advies".into(),
                name: "v1".into(),
                status: "consultatie".into(),
                content_hash: "abc".into(),
                blocks: vec![
                    VersionBlock {
                        kind: BlockKind::Heading(1),
                        runs: vec![run("Schaarste")],
                    },
                    VersionBlock {
                        kind: BlockKind::Paragraph,
                        runs: vec![run("Eerste "), run("alinea")],
                    },
                    VersionBlock {
                        kind: BlockKind::Paragraph,
                        runs: vec![],
                    },
                ],
            }],
            requests: vec![Request {
                title: "Opdracht werkgroep".into(),
                question: "Stemt u in?".into(),
                options: vec!["Ja".into(), "Nee".into()],
                deadline: Some("2027-01-12".into()),
            }],
            milestones: vec![MilestoneLine {
                title: "Startnotitie".into(),
                due: "Q1 2027".into(),
                status: "op_koers".into(),
                owners: vec!["ZIN".into(), "FMS".into()],
            }],
        }
    }

    #[test]
    fn the_pack_holds_cover_agenda_texts_requests_and_milestones_in_order() {
        let blocks = blocks(&pack());
        assert_eq!(
            blocks[0],
            Block::Title("Vergaderstukken: Thematafel januari".into())
        );
        assert!(blocks.contains(&Block::Text(
            "Datum en tijd: dinsdag 12 januari 2027, 10:00–12:00".into()
        )));
        assert!(blocks.contains(&Block::Text("Locatie: Ministerie van VWS, Den Haag".into())));
        let position = |b: &Block| blocks.iter().position(|x| x == b).unwrap();
        let agenda = position(&Block::Heading("Agenda".into()));
        let item = position(&Block::Item("2. Advies — Advies, v1 (consultatie)".into()));
        let text = position(&Block::Text("Eerste alinea".into()));
        let requests = position(&Block::Heading("Openstaande besluitvragen".into()));
        let milestones = position(&Block::Heading("Stand van de mijlpalen".into()));
        assert!(agenda < item && item < text && text < requests && requests < milestones);
        assert!(blocks.contains(&Block::Heading("Schaarste".into())));
        assert!(blocks.contains(&Block::Text("Optie 2: Nee".into())));
        assert!(blocks.contains(&Block::Item(
            "Startnotitie — Q1 2027 — op_koers · ZIN, FMS".into()
        )));
        assert!(
            !blocks.contains(&Block::Text(String::new())),
            "empty paragraphs are left out"
        );
    }

    #[test]
    fn the_writers_render_the_pack() {
        let blocks = blocks(&pack());
        let pdf = crate::versions::dossier::pdf::render(&blocks).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let docx = crate::versions::dossier::docx::render(&blocks).unwrap();
        assert!(docx.starts_with(b"PK"));
    }

    #[test]
    fn an_empty_pack_says_so() {
        let mut empty = pack();
        empty.agenda.clear();
        empty.versions.clear();
        empty.requests.clear();
        empty.milestones.clear();
        empty.cover.status = MeetingStatus::Voorlopig;
        let blocks = blocks(&empty);
        assert!(blocks.contains(&Block::Text("Status: voorlopig".into())));
        assert!(blocks.contains(&Block::Text("Geen openstaande besluitvragen.".into())));
    }
}
