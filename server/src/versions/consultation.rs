//! A consultation round's report: a cover, the question, per organisation its response with
//! its comments (and the passages they quote) and its attachment's name and SHA-256, and the
//! summary of responses when one exists. Built as the dossier's neutral blocks, which
//! `dossier::pdf::render` and `dossier::docx::render` write. No IO.

use crate::versions::dossier::Block;

/// The consultation the report is about.
#[derive(Debug, Clone, Default)]
pub struct Cover {
    /// Its title.
    pub title: String,
    /// The draft's title.
    pub draft_title: String,
    /// The draft's body.
    pub body_name: String,
    /// The version consulted on.
    pub version_name: String,
    /// Its content hash.
    pub content_hash: String,
    /// Opening date, if not at once.
    pub opens_on: Option<String>,
    /// Closing date.
    pub closes_on: String,
    /// The question.
    pub question: String,
}

/// A comment of a response.
#[derive(Debug, Clone)]
pub struct ReportComment {
    /// The passage quoted.
    pub quote: Option<String>,
    /// The comment.
    pub body: String,
}

/// A response's attachment, described.
#[derive(Debug, Clone)]
pub struct ReportAttachment {
    /// File name.
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// Hex SHA-256.
    pub sha256: String,
}

/// One organisation's current response.
#[derive(Debug, Clone)]
pub struct ReportResponse {
    /// The organisation.
    pub organisation: String,
    /// Who submitted it.
    pub submitted_by_name: Option<String>,
    /// The text.
    pub text: String,
    /// The comments.
    pub comments: Vec<ReportComment>,
    /// The attachment.
    pub attachment: Option<ReportAttachment>,
}

/// What the report is made of.
pub struct Report<'a> {
    /// The consultation.
    pub consultation: &'a Cover,
    /// How many organisations' contacts were invited.
    pub invited: usize,
    /// The current responses.
    pub responses: &'a [ReportResponse],
    /// The summary draft's current text, one paragraph per entry.
    pub summary: Option<Vec<String>>,
}

/// The report as blocks.
pub fn blocks(report: &Report<'_>) -> Vec<Block> {
    let c = report.consultation;
    let mut out = vec![
        Block::Title(format!("Consultatieverslag: {}", c.title)),
        Block::Text(format!(
            "Adviesconcept: {} ({})",
            c.draft_title, c.body_name
        )),
        Block::Text(format!(
            "Versie: {} (inhoudshash {})",
            c.version_name, c.content_hash
        )),
        Block::Text(match &c.opens_on {
            Some(opens) => format!("Looptijd: {opens} t/m {}", c.closes_on),
            None => format!("Sluitingsdatum: {}", c.closes_on),
        }),
        Block::Text(format!(
            "Uitgenodigd: {} organisatie(s); reacties: {}",
            report.invited,
            report.responses.len()
        )),
    ];
    if !c.question.is_empty() {
        out.push(Block::Heading("Consultatievraag".into()));
        out.push(Block::Text(c.question.clone()));
    }
    out.push(Block::Heading("Reacties".into()));
    if report.responses.is_empty() {
        out.push(Block::Text("Er zijn geen reacties ontvangen.".into()));
    }
    for response in report.responses {
        out.push(Block::Heading(response.organisation.clone()));
        if let Some(by) = &response.submitted_by_name {
            out.push(Block::Text(format!("Ingediend door {by}")));
        }
        for paragraph in response.text.split("\n\n").filter(|p| !p.trim().is_empty()) {
            out.push(Block::Text(paragraph.trim().to_owned()));
        }
        for comment in &response.comments {
            out.push(Block::Item(match &comment.quote {
                Some(quote) => format!("Bij \u{201c}{quote}\u{201d}: {}", comment.body),
                None => comment.body.clone(),
            }));
        }
        if let Some(attachment) = &response.attachment {
            out.push(Block::Text(format!(
                "Bijlage: {} ({} bytes, SHA-256 {})",
                attachment.name, attachment.size, attachment.sha256
            )));
        }
    }
    if let Some(summary) = &report.summary {
        out.push(Block::Heading("Samenvatting van de reacties".into()));
        for paragraph in summary.iter().filter(|p| !p.trim().is_empty()) {
            out.push(Block::Text(paragraph.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cover() -> Cover {
        Cover {
            title: "Consultatie".into(),
            draft_title: "Advies".into(),
            body_name: "Werkgroep".into(),
            version_name: "v1".into(),
            content_hash: "abc".into(),
            opens_on: None,
            closes_on: "2026-06-01".into(),
            question: "Wat vindt u?".into(),
        }
    }

    #[test]
    fn the_report_holds_question_responses_comments_attachments_and_summary() {
        let c = cover();
        let responses = vec![ReportResponse {
            organisation: "NVK".into(),
            text: "Eerste alinea.\n\nTweede alinea.".into(),
            comments: vec![ReportComment {
                quote: Some("het pakket".into()),
                body: "Graag verduidelijken.".into(),
            }],
            attachment: Some(ReportAttachment {
                name: "reactie.pdf".into(),
                size: 10,
                sha256: "ff00".into(),
            }),
            submitted_by_name: Some("Noor".into()),
        }];
        let blocks = blocks(&Report {
            consultation: &c,
            invited: 1,
            responses: &responses,
            summary: Some(vec!["Samengevat: eens.".into()]),
        });
        let text: Vec<String> = blocks.iter().map(|b| format!("{b:?}")).collect();
        let all = text.join("\n");
        for expected in [
            "Consultatieverslag: Consultatie",
            "Wat vindt u?",
            "Heading(\"NVK\")",
            "Tweede alinea.",
            "Bij \u{201c}het pakket\u{201d}: Graag verduidelijken.",
            "reactie.pdf (10 bytes, SHA-256 ff00)",
            "Samengevat: eens.",
        ] {
            assert!(all.contains(expected), "{expected} missing in {all}");
        }
        let empty = super::blocks(&Report {
            consultation: &c,
            invited: 0,
            responses: &[],
            summary: None,
        });
        assert!(empty.contains(&Block::Text("Er zijn geen reacties ontvangen.".into())));
    }
}
