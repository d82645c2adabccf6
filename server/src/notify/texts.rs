//! Every user-facing text of the notification e-mails, one table per language.
//!
//! Templates use `{name}` placeholders, filled by [`fill`] in a single pass, so a placeholder
//! that appears inside a filled-in value (a title containing `{days}`) stays literal.

use super::message::{ConsultationNews, Language};

/// The texts of one language.
pub(super) struct Texts {
    pub reminder_one: &'static str,
    pub reminder_many: &'static str,
    pub due_today: &'static str,
    pub overdue_one: &'static str,
    pub overdue_many: &'static str,
    pub sign_off_request: &'static str,
    pub endorsement_request: &'static str,
    pub position_request: &'static str,
    pub escalation: &'static str,
    pub mention: &'static str,
    pub mention_by: &'static str,
    pub status_change: &'static str,
    pub status_change_to: &'static str,
    pub agreement_created: &'static str,
    pub agreement_changed: &'static str,
    pub dispute_raised: &'static str,
    pub dispute_resolved: &'static str,
    pub dispute_withdrawn: &'static str,
    pub due_moved_to: &'static str,
    pub due_unresolved: &'static str,
    pub meeting_pack: &'static str,
    pub meeting_moved: &'static str,
    pub meeting_cancelled: &'static str,
    pub decision: &'static str,
    pub decision_deferred: &'static str,
    pub decision_request: &'static str,
    /// Announced, invitation, reminder, closed, withdrawn (in [`ConsultationNews`] order).
    pub consultation: [&'static str; 5],
    pub open_point_assigned: &'static str,
    pub open_point_due_one: &'static str,
    pub open_point_due_many: &'static str,
    pub open_point_due_today: &'static str,
    pub outcomes: [&'static str; 5],
    pub due_label: &'static str,
    pub open_link: &'static str,
    pub footer: &'static str,
    pub preferences_link: &'static str,
    pub digest_subject_one: &'static str,
    pub digest_subject_many: &'static str,
    pub section_overdue: &'static str,
    pub section_due_today: &'static str,
    pub section_requests: &'static str,
    pub section_upcoming: &'static str,
    pub section_other: &'static str,
    pub months: [&'static str; 12],
}

const NL: Texts = Texts {
    reminder_one: "Herinnering: {title} (nog 1 werkdag)",
    reminder_many: "Herinnering: {title} (nog {days} werkdagen)",
    due_today: "Vandaag: {title}",
    overdue_one: "Te laat: {title} (1 dag over de termijn)",
    overdue_many: "Te laat: {title} ({days} dagen over de termijn)",
    sign_off_request: "Verzoek om akkoord: {title}",
    endorsement_request: "Ter instemming: {title}",
    position_request: "Verzoek om standpunt: {title}",
    escalation: "Geëscaleerd naar {level}: {title}",
    mention: "U of uw partij is genoemd: {title}",
    mention_by: "{by} noemde u of uw partij: {title}",
    status_change: "Status gewijzigd: {title}",
    status_change_to: "Nu {status}: {title}",
    agreement_created: "Nieuwe rolafspraak: {title}",
    agreement_changed: "Rolafspraak gewijzigd: {title}",
    dispute_raised: "Verschil van inzicht aangekaart: {title}",
    dispute_resolved: "Verschil van inzicht besloten: {title}",
    dispute_withdrawn: "Verschil van inzicht ingetrokken: {title}",
    due_moved_to: "Nieuwe datum met de vergadering, {date}: {title}",
    due_unresolved: "Geen datum meer, de vergadering is vervallen: {title}",
    meeting_pack: "Vergaderstukken: {title}",
    meeting_moved: "Vergadering gewijzigd: {title}",
    meeting_cancelled: "Vergadering geannuleerd: {title}",
    decision: "Besluit ({outcome}): {title}",
    decision_deferred: "Besluitvorming aangehouden: {title}",
    decision_request: "Besluitvraag voor de vergadering: {title}",
    consultation: [
        "Consultatie aangekondigd: {title}",
        "Uitnodiging voor de consultatie: {title}",
        "Herinnering: de consultatie sluit binnenkort: {title}",
        "Consultatie gesloten: {title}",
        "Consultatie ingetrokken: {title}",
    ],
    open_point_assigned: "Open punt voor u of uw partij: {title}",
    open_point_due_one: "Open punt, nog 1 werkdag: {title}",
    open_point_due_many: "Open punt, nog {days} werkdagen: {title}",
    open_point_due_today: "Open punt, vandaag de uiterste datum: {title}",
    outcomes: [
        "akkoord",
        "akkoord onder voorwaarden",
        "niet akkoord",
        "aangehouden",
        "besloten",
    ],
    due_label: "Uiterste datum",
    open_link: "Bekijken in Polder",
    footer: "U ontvangt dit bericht omdat meldingen van Polder per e-mail voor u aan staan. \
             Kiezen tussen direct, een dagelijks overzicht of geen e-mail doet u in Polder \
             onder Instellingen > Meldingen.",
    preferences_link: "E-mailvoorkeuren wijzigen",
    digest_subject_one: "Polder: overzicht van {date} (1 melding)",
    digest_subject_many: "Polder: overzicht van {date} ({count} meldingen)",
    section_overdue: "Te laat",
    section_due_today: "Vandaag",
    section_requests: "Verzoeken en escalaties",
    section_upcoming: "Binnenkort",
    section_other: "Overig",
    months: [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
};

const EN: Texts = Texts {
    reminder_one: "Reminder: {title} (1 working day left)",
    reminder_many: "Reminder: {title} ({days} working days left)",
    due_today: "Due today: {title}",
    overdue_one: "Overdue: {title} (1 day late)",
    overdue_many: "Overdue: {title} ({days} days late)",
    sign_off_request: "Sign-off requested: {title}",
    endorsement_request: "Endorsement requested: {title}",
    position_request: "Position requested: {title}",
    escalation: "Escalated to {level}: {title}",
    mention: "You or your party was mentioned: {title}",
    mention_by: "{by} mentioned you or your party: {title}",
    status_change: "Status changed: {title}",
    status_change_to: "Now {status}: {title}",
    agreement_created: "New role agreement: {title}",
    agreement_changed: "Role agreement changed: {title}",
    dispute_raised: "Dispute raised: {title}",
    dispute_resolved: "Dispute decided: {title}",
    dispute_withdrawn: "Dispute withdrawn: {title}",
    due_moved_to: "New due date with the meeting, {date}: {title}",
    due_unresolved: "No due date any more, the meeting was cancelled: {title}",
    meeting_pack: "Meeting papers: {title}",
    meeting_moved: "Meeting changed: {title}",
    meeting_cancelled: "Meeting cancelled: {title}",
    decision: "Decision ({outcome}): {title}",
    decision_deferred: "Decision deferred: {title}",
    decision_request: "Decision requested at the meeting: {title}",
    consultation: [
        "Consultation announced: {title}",
        "Invitation to the consultation: {title}",
        "Reminder: the consultation closes soon: {title}",
        "Consultation closed: {title}",
        "Consultation withdrawn: {title}",
    ],
    open_point_assigned: "Open point for you or your party: {title}",
    open_point_due_one: "Open point, 1 working day left: {title}",
    open_point_due_many: "Open point, {days} working days left: {title}",
    open_point_due_today: "Open point, due today: {title}",
    outcomes: [
        "agreed",
        "agreed on conditions",
        "not agreed",
        "deferred",
        "decided",
    ],
    due_label: "Due",
    open_link: "Open in Polder",
    footer: "You receive this message because e-mail notifications from Polder are on for you. \
             To choose between immediate e-mails, a daily digest or no e-mail, go to \
             Settings > Notifications in Polder.",
    preferences_link: "Change e-mail preferences",
    digest_subject_one: "Polder: digest for {date} (1 notification)",
    digest_subject_many: "Polder: digest for {date} ({count} notifications)",
    section_overdue: "Overdue",
    section_due_today: "Due today",
    section_requests: "Requests and escalations",
    section_upcoming: "Coming up",
    section_other: "Other",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
};

impl Texts {
    /// The subject of a consultation notification.
    pub(super) fn consultation(&self, news: ConsultationNews) -> &'static str {
        let index = ConsultationNews::ALL
            .iter()
            .position(|n| *n == news)
            .unwrap_or(0);
        self.consultation[index.min(self.consultation.len() - 1)]
    }
}

/// The text table of `language`.
pub(super) fn texts(language: Language) -> &'static Texts {
    match language {
        Language::Nl => &NL,
        Language::En => &EN,
    }
}

/// The subject template of an open point's notification and its number of days.
pub(super) fn open_point_subject(
    t: &Texts,
    days_before: Option<i64>,
) -> (&'static str, Option<i64>) {
    match days_before {
        None => (t.open_point_assigned, None),
        Some(0) => (t.open_point_due_today, None),
        Some(1) => (t.open_point_due_one, None),
        Some(days) => (t.open_point_due_many, Some(days)),
    }
}

/// Replaces each `{name}` in `template` by its value in `values`, in one pass. Unknown
/// placeholders are kept as they are.
pub(super) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::{Notification, NotificationKind};

    #[test]
    fn open_points_in_dutch_and_english() {
        let point = |days_before| Notification {
            kind: NotificationKind::OpenPoint { days_before },
            title: "rol van de zorgverzekeraars".into(),
            body: String::new(),
            link: None,
            subject_ref: "open_point:1".into(),
            due: None,
        };
        let subject = |days_before, language| {
            super::super::render::subject_line(&point(days_before), language)
        };
        assert_eq!(
            subject(Some(5), Language::Nl),
            "Open punt, nog 5 werkdagen: rol van de zorgverzekeraars"
        );
        assert_eq!(
            subject(Some(1), Language::En),
            "Open point, 1 working day left: rol van de zorgverzekeraars"
        );
        assert_eq!(
            subject(Some(0), Language::Nl),
            "Open punt, vandaag de uiterste datum: rol van de zorgverzekeraars"
        );
        assert_eq!(
            subject(None, Language::En),
            "Open point for you or your party: rol van de zorgverzekeraars"
        );
    }

    #[test]
    fn every_consultation_news_has_its_own_subject() {
        for language in [Language::Nl, Language::En] {
            let t = texts(language);
            let subjects: std::collections::BTreeSet<&str> = ConsultationNews::ALL
                .iter()
                .map(|news| t.consultation(*news))
                .collect();
            assert_eq!(subjects.len(), ConsultationNews::ALL.len());
        }
        assert_eq!(
            texts(Language::Nl).consultation(ConsultationNews::Ingetrokken),
            "Consultatie ingetrokken: {title}"
        );
        assert_eq!(
            texts(Language::En).consultation(ConsultationNews::Ingetrokken),
            "Consultation withdrawn: {title}"
        );
    }

    #[test]
    fn fill_replaces_known_placeholders_once() {
        assert_eq!(
            fill(
                "{title} ({days})",
                &[("title", "Plan {days}"), ("days", "7")]
            ),
            "Plan {days} (7)"
        );
        assert_eq!(fill("{unknown} {", &[]), "{unknown} {");
    }
}
