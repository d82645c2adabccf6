//! What a notification says, independent of the channel that delivers it.
//!
//! The scheduler builds [`Notification`]s; [`mod@super::render`] turns them into e-mail, and the
//! webhook channel sends them as JSON (their `serde` form is part of the webhook contract).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::domain::consultation::News as ConsultationNews;
pub use crate::domain::decision::Outcome;
pub use crate::domain::events::{DisputeChange, MeetingNews};

/// Why a person is notified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NotificationKind {
    /// A due date is coming up.
    Reminder {
        /// Working days left until the due date (the defaults are 14, 7 and 1).
        days_before: i64,
    },
    /// The due date is today.
    DueToday,
    /// The due date has passed.
    Overdue {
        /// Calendar days since the due date.
        days_late: i64,
    },
    /// A party is asked to sign off (role agreement, draft).
    SignOffRequest,
    /// A party is asked to state its position in a dispute.
    PositionRequest,
    /// A matter was escalated to the next level of the escalation ladder.
    Escalation {
        /// Name of the level, e.g. the body that now deals with it.
        level_name: String,
    },
    /// Someone mentioned the person (or their party) in a comment.
    Mention {
        /// Who wrote the comment.
        #[serde(default)]
        by: String,
    },
    /// The status of a draft or a milestone changed.
    StatusChange {
        /// The status it has now, by its stored name (`consultatie`, `gereed`, …).
        #[serde(default)]
        status: String,
    },
    /// A role agreement was made, or its text or matrix changed.
    AgreementChange {
        /// Whether the agreement is new.
        #[serde(default)]
        created: bool,
    },
    /// A dispute was raised, resolved or withdrawn.
    DisputeChange {
        /// What happened to it.
        change: DisputeChange,
    },
    /// A milestone's due day moved with the meeting it is relative to.
    DueMoved {
        /// The day it was due (`YYYY-MM-DD`), if it had one.
        #[serde(default)]
        from: Option<String>,
        /// The day it is due now, if a meeting fits.
        #[serde(default)]
        to: Option<String>,
    },
    /// A meeting's pack was sent, or the meeting moved or was cancelled.
    Meeting {
        /// What happened.
        news: MeetingNews,
        /// The pack sent (its PDF is attached to the e-mail when small enough).
        #[serde(default)]
        pack: Option<i64>,
    },
    /// An outcome was recorded on a decision request.
    Decision {
        /// What was decided.
        outcome: Outcome,
        /// The request it answers.
        request: i64,
    },
    /// A decision request was put to a meeting of the person's body.
    DecisionRequest {
        /// The request.
        request: i64,
    },
    /// A party is asked to answer an endorsement round on a version of a draft.
    EndorsementRequest,
    /// A consultation was announced, the person was invited to one, its closing date is near
    /// without a response of their organisation, or it closed (docs/DOMAIN.md §16).
    Consultation {
        /// What happened.
        news: ConsultationNews,
    },
    /// An open point of a draft: its owner is reminded of its due date, or was made its owner.
    OpenPoint {
        /// Working days left until the due date (0: due today); `None` when the person (or
        /// their party) was made the point's owner.
        #[serde(default)]
        days_before: Option<i64>,
    },
}

crate::domain::stored_names! {
    /// The `type` tag of a [`NotificationKind`], stored with each inbox item.
    pub enum NotificationType {
        /// [`NotificationKind::Reminder`].
        Reminder = "reminder",
        /// [`NotificationKind::DueToday`].
        DueToday = "due_today",
        /// [`NotificationKind::Overdue`].
        Overdue = "overdue",
        /// [`NotificationKind::SignOffRequest`].
        SignOffRequest = "sign_off_request",
        /// [`NotificationKind::PositionRequest`].
        PositionRequest = "position_request",
        /// [`NotificationKind::Escalation`].
        Escalation = "escalation",
        /// [`NotificationKind::Mention`].
        Mention = "mention",
        /// [`NotificationKind::StatusChange`].
        StatusChange = "status_change",
        /// [`NotificationKind::AgreementChange`].
        AgreementChange = "agreement_change",
        /// [`NotificationKind::DisputeChange`].
        DisputeChange = "dispute_change",
        /// [`NotificationKind::DueMoved`].
        DueMoved = "due_moved",
        /// [`NotificationKind::Meeting`].
        Meeting = "meeting",
        /// [`NotificationKind::Decision`].
        Decision = "decision",
        /// [`NotificationKind::DecisionRequest`].
        DecisionRequest = "decision_request",
        /// [`NotificationKind::EndorsementRequest`].
        EndorsementRequest = "endorsement_request",
        /// [`NotificationKind::Consultation`].
        Consultation = "consultation",
        /// [`NotificationKind::OpenPoint`].
        OpenPoint = "open_point",
    }
}

impl NotificationKind {
    /// Its `type` tag.
    pub fn notification_type(&self) -> NotificationType {
        match self {
            NotificationKind::Reminder { .. } => NotificationType::Reminder,
            NotificationKind::DueToday => NotificationType::DueToday,
            NotificationKind::Overdue { .. } => NotificationType::Overdue,
            NotificationKind::SignOffRequest => NotificationType::SignOffRequest,
            NotificationKind::EndorsementRequest => NotificationType::EndorsementRequest,
            NotificationKind::PositionRequest => NotificationType::PositionRequest,
            NotificationKind::Escalation { .. } => NotificationType::Escalation,
            NotificationKind::Mention { .. } => NotificationType::Mention,
            NotificationKind::StatusChange { .. } => NotificationType::StatusChange,
            NotificationKind::AgreementChange { .. } => NotificationType::AgreementChange,
            NotificationKind::DisputeChange { .. } => NotificationType::DisputeChange,
            NotificationKind::DueMoved { .. } => NotificationType::DueMoved,
            NotificationKind::Meeting { .. } => NotificationType::Meeting,
            NotificationKind::Decision { .. } => NotificationType::Decision,
            NotificationKind::DecisionRequest { .. } => NotificationType::DecisionRequest,
            NotificationKind::Consultation { .. } => NotificationType::Consultation,
            NotificationKind::OpenPoint { .. } => NotificationType::OpenPoint,
        }
    }
}

/// One notification for one person, as the scheduler produced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Why the person is notified.
    pub kind: NotificationKind,
    /// What it is about, e.g. the milestone title. Plain text.
    pub title: String,
    /// Further explanation. Plain text; blank lines separate paragraphs.
    pub body: String,
    /// Absolute `http(s)` link to the subject in Polder, if any.
    pub link: Option<String>,
    /// Stable reference to the subject, e.g. `"milestone:12"`.
    pub subject_ref: String,
    /// Due date of the subject, if it has one.
    pub due: Option<NaiveDate>,
}

/// Language of a rendered message. Dutch is the default, as in the rest of Polder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Nederlands.
    #[default]
    Nl,
    /// English.
    En,
}

impl Language {
    /// The BCP 47 tag, for `lang` attributes and `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::Nl => "nl",
            Language::En => "en",
        }
    }

    /// Parses a language preference such as `"nl"`, `"en-GB"` or `"EN"`; anything else is
    /// Dutch.
    pub fn from_preference(preference: &str) -> Self {
        let primary = preference.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("en") {
            Language::En
        } else {
            Language::Nl
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_preference_defaults_to_dutch() {
        assert_eq!(Language::from_preference("en-GB"), Language::En);
        assert_eq!(Language::from_preference("EN"), Language::En);
        assert_eq!(Language::from_preference("nl"), Language::Nl);
        assert_eq!(Language::from_preference("fr"), Language::Nl);
        assert_eq!(Language::from_preference(""), Language::Nl);
        assert_eq!(Language::default(), Language::Nl);
    }

    #[test]
    fn kind_serializes_with_a_type_tag() {
        let json = serde_json::to_value(NotificationKind::Overdue { days_late: 3 }).unwrap();
        assert_eq!(json, serde_json::json!({"type": "overdue", "days_late": 3}));
        let json = serde_json::to_value(NotificationKind::DueToday).unwrap();
        assert_eq!(json, serde_json::json!({"type": "due_today"}));
    }

    #[test]
    fn decision_kinds_name_their_outcome_and_request() {
        let json = serde_json::to_value(NotificationKind::Decision {
            outcome: Outcome::AkkoordOnderVoorwaarden,
            request: 3,
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "decision", "outcome": "akkoord_onder_voorwaarden", "request": 3})
        );
        let json = serde_json::to_value(NotificationKind::DecisionRequest { request: 4 }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "decision_request", "request": 4})
        );
    }

    #[test]
    fn the_notification_type_is_the_serde_tag() {
        let kinds = [
            NotificationKind::Reminder { days_before: 7 },
            NotificationKind::DueToday,
            NotificationKind::Overdue { days_late: 1 },
            NotificationKind::SignOffRequest,
            NotificationKind::EndorsementRequest,
            NotificationKind::PositionRequest,
            NotificationKind::Escalation {
                level_name: "BO-IZA".into(),
            },
            NotificationKind::Mention { by: "Anna".into() },
            NotificationKind::StatusChange {
                status: "consultatie".into(),
            },
            NotificationKind::AgreementChange { created: true },
            NotificationKind::DisputeChange {
                change: DisputeChange::Raised,
            },
            NotificationKind::DueMoved {
                from: Some("2027-03-04".into()),
                to: None,
            },
            NotificationKind::Meeting {
                news: MeetingNews::PackSent,
                pack: Some(1),
            },
            NotificationKind::Decision {
                outcome: Outcome::NietAkkoord,
                request: 3,
            },
            NotificationKind::DecisionRequest { request: 3 },
            NotificationKind::Consultation {
                news: ConsultationNews::Uitnodiging,
            },
            NotificationKind::OpenPoint {
                days_before: Some(5),
            },
        ];
        assert_eq!(kinds.len(), NotificationType::ALL.len());
        for kind in kinds {
            let json = serde_json::to_value(&kind).unwrap();
            let tag = kind.notification_type();
            assert_eq!(json["type"], tag.as_str());
            assert_eq!(NotificationType::parse(tag.as_str()), Some(tag));
        }
    }
}
