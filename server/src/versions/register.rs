//! The decision register as a list for a meeting or the archive: [`blocks`] turns decisions
//! into the dossier's neutral [`Block`]s, which `dossier::pdf::render` writes as a PDF. No IO.

use crate::domain::decision::Decision;
use crate::versions::dossier::Block;

/// The list titled `title`, one section per decision, newest first as given.
pub fn blocks(title: &str, decisions: &[Decision]) -> Vec<Block> {
    let mut out = vec![Block::Title(title.to_owned())];
    if decisions.is_empty() {
        out.push(Block::Text("Geen besluiten.".into()));
    }
    for d in decisions {
        out.push(Block::Heading(format!(
            "{} · {} · {}",
            d.decided_on, d.body_name, d.title
        )));
        out.push(Block::Text(format!("Uitkomst: {}", d.outcome.label())));
        if let Some(meeting) = &d.meeting_title {
            out.push(Block::Text(format!("Vergadering: {meeting}")));
        }
        if let Some(topic) = &d.topic {
            out.push(Block::Text(format!("Onderwerp: {topic}")));
        }
        if let Some(conditions) = &d.conditions {
            out.push(Block::Text(format!("Voorwaarden: {conditions}")));
        }
        if !d.rationale.is_empty() {
            out.push(Block::Text(d.rationale.clone()));
        }
        if !d.parties.is_empty() {
            out.push(Block::Text(format!("Partijen: {}", d.parties.join(", "))));
        }
        for follow_up in &d.follow_up_milestones {
            out.push(Block::Item(format!(
                "Vervolg: {} (gereed: {})",
                follow_up.title, follow_up.due
            )));
        }
        if let Some(hash) = &d.audit_hash {
            out.push(Block::Text(format!("Auditketen: {hash}")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decision::{DecisionSource, FollowUp, Outcome};

    fn decision() -> Decision {
        Decision {
            id: 1,
            body_id: 2,
            body_name: "Bestuurlijk Overleg IZA (BO-IZA)".into(),
            source: DecisionSource::DecisionRequest,
            decision_request_id: Some(3),
            draft_id: None,
            version_id: None,
            dispute_id: None,
            meeting_id: Some(4),
            meeting_title: Some("BO-IZA 26 september".into()),
            title: "Continuering van de werkgroep".into(),
            topic: None,
            outcome: Outcome::AkkoordOnderVoorwaarden,
            conditions: Some("Advies in Q1 2025".into()),
            rationale: "Ingestemd.".into(),
            decided_on: "2024-09-26".into(),
            parties: vec!["VWS".into(), "ZIN".into()],
            follow_up_milestones: vec![FollowUp {
                id: 5,
                title: "Advies voorleggen".into(),
                due: "Q1 2025".into(),
            }],
            opened_dispute_id: None,
            closed_dispute_id: None,
            recorded_by: Some("Willem van Dijk".into()),
            recorded_at: 0,
            audit_hash: Some("abc".into()),
        }
    }

    #[test]
    fn a_decision_becomes_a_section_with_its_outcome_conditions_and_follow_ups() {
        let blocks = blocks("Besluitenlijst", &[decision()]);
        assert_eq!(blocks[0], Block::Title("Besluitenlijst".into()));
        assert_eq!(
            blocks[1],
            Block::Heading(
                "2024-09-26 · Bestuurlijk Overleg IZA (BO-IZA) · Continuering van de werkgroep"
                    .into()
            )
        );
        assert!(blocks.contains(&Block::Text("Uitkomst: akkoord onder voorwaarden".into())));
        assert!(blocks.contains(&Block::Text("Voorwaarden: Advies in Q1 2025".into())));
        assert!(blocks.contains(&Block::Item(
            "Vervolg: Advies voorleggen (gereed: Q1 2025)".into()
        )));
        assert!(blocks.contains(&Block::Text("Auditketen: abc".into())));
    }

    #[test]
    fn an_empty_register_says_so() {
        let blocks = blocks("Besluitenlijst", &[]);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[1], Block::Text("Geen besluiten.".into()));
    }
}
