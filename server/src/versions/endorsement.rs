//! The "Instemming" section of a version's exports (docs/DOMAIN.md §15) and whether two
//! versions read the same. No IO.

use super::{Block, BlockKind, Change, Marks, Run};
use crate::domain::endorsement::{self, ConsentRecord};

/// Whether two encoded states read the same: their Markdown is equal (the Yjs encoding of
/// unchanged content may differ). A state that cannot be read never reads the same.
pub fn same_text(old: &[u8], new: &[u8]) -> bool {
    let markdown = |state: &[u8]| {
        super::document_blocks(state)
            .ok()
            .map(|blocks| super::to_markdown(&blocks))
    };
    match (markdown(old), markdown(new)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn plain(kind: BlockKind, text: String) -> Block {
    Block {
        kind,
        runs: vec![Run {
            change: Change::Unchanged,
            text,
            author: None,
            marks: Marks::default(),
        }],
    }
}

/// The "Instemming" section a version's exports end with when it carries a consent record.
pub fn consent_blocks(record: &ConsentRecord) -> Vec<Block> {
    let mut out = vec![plain(BlockKind::Heading(2), "Instemming".into())];
    let lines = endorsement::record_lines(record, |ms| {
        crate::domain::dutch_time::format_minute(
            chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default(),
        )
    });
    out.extend(lines.into_iter().map(|l| plain(BlockKind::Paragraph, l)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_is_a_heading_and_one_paragraph_per_line() {
        let record = ConsentRecord {
            round_id: None,
            round_version: None,
            content_hash: None,
            complete: false,
            to_status: "vastgesteld".into(),
            parties: Vec::new(),
        };
        let blocks = consent_blocks(&record);
        assert_eq!(blocks[0].kind, BlockKind::Heading(2));
        assert_eq!(blocks[0].text(), "Instemming");
        assert_eq!(blocks.len(), 2);
        assert!(blocks[1].text().contains("geen instemmingsronde"));
    }

    #[test]
    fn unreadable_states_never_read_the_same() {
        assert!(!same_text(b"rubbish", b"rubbish"));
    }
}
