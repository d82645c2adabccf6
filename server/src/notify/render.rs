//! Rendering notifications as e-mail: one message per notification, or a daily digest.
//!
//! Every e-mail has a plain-text and an HTML part with the same content. All values are
//! HTML-escaped, links become anchors only when they are `http(s)` URLs, and every message
//! ends with a footer on how to change e-mail preferences. The texts themselves live in
//! `texts.rs`, one table per language.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use super::message::{
    DisputeChange, Language, MeetingNews, Notification, NotificationKind, Outcome,
};
use super::texts::{fill, open_point_subject, texts, Texts};

/// An e-mail ready to send: subject, plain-text part and HTML part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    /// Subject line, a single line.
    pub subject: String,
    /// The `text/plain` part.
    pub text: String,
    /// The `text/html` part, a complete HTML document.
    pub html: String,
    /// Files sent with it (a meeting pack's PDF).
    pub attachments: Vec<EmailAttachment>,
}

/// A file sent with an e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAttachment {
    /// File name.
    pub filename: String,
    /// MIME type, e.g. `application/pdf`.
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Per-recipient settings for rendering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmailContext {
    /// Language of the recipient.
    pub language: Language,
    /// Absolute link to the recipient's notification settings, shown in the footer.
    pub preferences_url: Option<String>,
}

/// The one-line summary of a notification, used as e-mail subject and digest heading.
pub fn subject_line(notification: &Notification, language: Language) -> String {
    let t = texts(language);
    let title = single_line(&notification.title);
    let (template, number) = match &notification.kind {
        NotificationKind::Reminder { days_before: 1 } => (t.reminder_one, None),
        NotificationKind::Reminder { days_before } => (t.reminder_many, Some(*days_before)),
        NotificationKind::DueToday => (t.due_today, None),
        NotificationKind::Overdue { days_late: 1 } => (t.overdue_one, None),
        NotificationKind::Overdue { days_late } => (t.overdue_many, Some(*days_late)),
        NotificationKind::SignOffRequest => (t.sign_off_request, None),
        NotificationKind::EndorsementRequest => (t.endorsement_request, None),
        NotificationKind::PositionRequest => (t.position_request, None),
        NotificationKind::Escalation { .. } => (t.escalation, None),
        NotificationKind::Mention { .. } => (t.mention, None),
        NotificationKind::StatusChange { .. } => (t.status_change, None),
        NotificationKind::AgreementChange { created: true } => (t.agreement_created, None),
        NotificationKind::AgreementChange { created: false } => (t.agreement_changed, None),
        NotificationKind::DueMoved { to: Some(_), .. } => (t.due_moved_to, None),
        NotificationKind::DueMoved { to: None, .. } => (t.due_unresolved, None),
        NotificationKind::DisputeChange { change } => (
            match change {
                DisputeChange::Raised => t.dispute_raised,
                DisputeChange::Resolved => t.dispute_resolved,
                DisputeChange::Withdrawn => t.dispute_withdrawn,
            },
            None,
        ),
        NotificationKind::Meeting { news, .. } => (
            match news {
                MeetingNews::PackSent => t.meeting_pack,
                MeetingNews::Moved => t.meeting_moved,
                MeetingNews::Cancelled => t.meeting_cancelled,
            },
            None,
        ),
        NotificationKind::Decision {
            outcome: Outcome::Aangehouden,
            ..
        } => (t.decision_deferred, None),
        NotificationKind::Decision { .. } => (t.decision, None),
        NotificationKind::DecisionRequest { .. } => (t.decision_request, None),
        NotificationKind::Consultation { news } => (t.consultation(*news), None),
        NotificationKind::OpenPoint { days_before } => open_point_subject(t, *days_before),
    };
    let outcome = match &notification.kind {
        NotificationKind::Decision { outcome, .. } => outcome_text(*outcome, t),
        _ => "",
    };
    let days = number.map(|n| n.to_string()).unwrap_or_default();
    let level = match &notification.kind {
        NotificationKind::Escalation { level_name } => single_line(level_name),
        _ => String::new(),
    };
    let (by, status) = match &notification.kind {
        NotificationKind::Mention { by } => (single_line(by), String::new()),
        NotificationKind::StatusChange { status } => (String::new(), single_line(status)),
        _ => (String::new(), String::new()),
    };
    let date = match &notification.kind {
        NotificationKind::DueMoved { to: Some(to), .. } => {
            NaiveDate::parse_from_str(to, "%Y-%m-%d")
                .map_or_else(|_| single_line(to), |d| format_date(d, language))
        }
        _ => String::new(),
    };
    let template = match (&notification.kind, by.is_empty(), status.is_empty()) {
        (NotificationKind::Mention { .. }, false, _) => t.mention_by,
        (NotificationKind::StatusChange { .. }, _, false) => t.status_change_to,
        _ => template,
    };
    fill(
        template,
        &[
            ("title", &title),
            ("days", &days),
            ("level", &level),
            ("by", &by),
            ("status", &status),
            ("date", &date),
            ("outcome", outcome),
        ],
    )
}

/// An outcome as a subject line writes it.
fn outcome_text(outcome: Outcome, t: &Texts) -> &'static str {
    let index = Outcome::ALL.iter().position(|o| *o == outcome);
    index
        .and_then(|i| t.outcomes.get(i))
        .copied()
        .unwrap_or_default()
}

/// A date written out, e.g. "3 maart 2025" or "3 March 2025".
pub fn format_date(date: NaiveDate, language: Language) -> String {
    let month = texts(language).months[date.month0() as usize];
    format!("{} {month} {}", date.day(), date.year())
}

/// Renders one notification as an e-mail of its own.
pub fn render(notification: &Notification, context: &EmailContext) -> RenderedEmail {
    let t = texts(context.language);
    let subject = subject_line(notification, context.language);
    let mut text = format!("{subject}\n\n");
    let mut html = String::new();
    html_open(&mut html, context.language, &subject);
    let _ = writeln!(html, "<h1>{}</h1>", escape_html(&subject));
    write_details(&mut text, &mut html, notification, t, context.language, "");
    html_close(&mut html, &mut text, t, context);
    RenderedEmail {
        subject,
        text,
        html,
        attachments: Vec::new(),
    }
}

/// Renders the daily digest of `date`: all `notifications` of one person in one e-mail,
/// grouped by urgency. Returns `None` when there is nothing to send.
pub fn render_digest(
    date: NaiveDate,
    notifications: &[Notification],
    context: &EmailContext,
) -> Option<RenderedEmail> {
    if notifications.is_empty() {
        return None;
    }
    let t = texts(context.language);
    let count = notifications.len().to_string();
    let template = if notifications.len() == 1 {
        t.digest_subject_one
    } else {
        t.digest_subject_many
    };
    let subject = fill(
        template,
        &[
            ("date", &format_date(date, context.language)),
            ("count", &count),
        ],
    );
    let mut text = format!("{subject}\n");
    let mut html = String::new();
    html_open(&mut html, context.language, &subject);
    let _ = writeln!(html, "<h1>{}</h1>", escape_html(&subject));
    for section in Section::ALL {
        let mut items: Vec<&Notification> = notifications
            .iter()
            .filter(|n| Section::of(&n.kind) == section)
            .collect();
        if items.is_empty() {
            continue;
        }
        // Stable sort: earliest due date first, undated last, otherwise the given order.
        items.sort_by_key(|n| (n.due.is_none(), n.due));
        let heading = section.heading(t);
        let _ = writeln!(text, "\n{heading}\n{}", "=".repeat(heading.chars().count()));
        let _ = writeln!(html, "<h2>{}</h2>", escape_html(heading));
        for item in items {
            let line = subject_line(item, context.language);
            let _ = writeln!(text, "\n* {line}");
            let _ = writeln!(html, "<h3>{}</h3>", escape_html(&line));
            write_details(&mut text, &mut html, item, t, context.language, "  ");
        }
    }
    html_close(&mut html, &mut text, t, context);
    Some(RenderedEmail {
        subject,
        text,
        html,
        attachments: Vec::new(),
    })
}

/// Digest sections, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Overdue,
    DueToday,
    Requests,
    Upcoming,
    Other,
}

impl Section {
    const ALL: [Section; 5] = [
        Section::Overdue,
        Section::DueToday,
        Section::Requests,
        Section::Upcoming,
        Section::Other,
    ];

    fn of(kind: &NotificationKind) -> Self {
        match kind {
            NotificationKind::Overdue { .. } => Section::Overdue,
            NotificationKind::DueToday => Section::DueToday,
            NotificationKind::SignOffRequest
            | NotificationKind::EndorsementRequest
            | NotificationKind::PositionRequest
            | NotificationKind::Escalation { .. } => Section::Requests,
            NotificationKind::Reminder { .. } => Section::Upcoming,
            NotificationKind::DisputeChange { .. }
            | NotificationKind::DecisionRequest { .. }
            | NotificationKind::OpenPoint { days_before: None } => Section::Requests,
            NotificationKind::OpenPoint {
                days_before: Some(0),
            } => Section::DueToday,
            NotificationKind::OpenPoint { .. } => Section::Upcoming,
            NotificationKind::Mention { .. }
            | NotificationKind::DueMoved { .. }
            | NotificationKind::StatusChange { .. }
            | NotificationKind::AgreementChange { .. }
            | NotificationKind::Meeting { .. }
            | NotificationKind::Decision { .. }
            | NotificationKind::Consultation { .. } => Section::Other,
        }
    }

    fn heading(self, t: &Texts) -> &'static str {
        match self {
            Section::Overdue => t.section_overdue,
            Section::DueToday => t.section_due_today,
            Section::Requests => t.section_requests,
            Section::Upcoming => t.section_upcoming,
            Section::Other => t.section_other,
        }
    }
}

/// Writes body, due date and link of a notification to both parts; `indent` prefixes every
/// plain-text line.
fn write_details(
    text: &mut String,
    html: &mut String,
    notification: &Notification,
    t: &Texts,
    language: Language,
    indent: &str,
) {
    let body = normalize_newlines(notification.body.trim());
    if !body.is_empty() {
        for line in body.lines() {
            let _ = writeln!(text, "{indent}{line}");
        }
        for paragraph in body.split("\n\n").filter(|p| !p.trim().is_empty()) {
            let lines: Vec<String> = paragraph.trim().lines().map(escape_html).collect();
            let _ = writeln!(html, "<p>{}</p>", lines.join("<br>\n"));
        }
    }
    if let Some(due) = notification.due {
        let date = format_date(due, language);
        let _ = writeln!(text, "{indent}{}: {date}", t.due_label);
        let _ = writeln!(
            html,
            "<p><strong>{}:</strong> {}</p>",
            escape_html(t.due_label),
            escape_html(&date)
        );
    }
    if let Some(link) = &notification.link {
        let link = single_line(link);
        let _ = writeln!(text, "{indent}{}: {link}", t.open_link);
        html.push_str(&link_paragraph(&link, t.open_link));
    }
}

fn html_open(html: &mut String, language: Language, subject: &str) {
    let _ = writeln!(
        html,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n</head>\n<body>",
        language.tag(),
        escape_html(subject)
    );
}

/// Appends the preferences footer to both parts and closes the HTML document.
fn html_close(html: &mut String, text: &mut String, t: &Texts, context: &EmailContext) {
    let _ = writeln!(text, "\n-- \n{}", t.footer);
    html.push_str("<hr>\n");
    let _ = writeln!(html, "<p><small>{}</small></p>", escape_html(t.footer));
    if let Some(url) = &context.preferences_url {
        let url = single_line(url);
        let _ = writeln!(text, "{}: {url}", t.preferences_link);
        html.push_str(&link_paragraph(&url, t.preferences_link));
    }
    html.push_str("</body>\n</html>\n");
}

/// `<p><a href="url">label</a></p>` for `http(s)` URLs; anything else is shown as text only.
fn link_paragraph(url: &str, label: &str) -> String {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        format!(
            "<p><a href=\"{}\">{}</a></p>\n",
            escape_html(url),
            escape_html(label)
        )
    } else {
        format!("<p>{}: {}</p>\n", escape_html(label), escape_html(url))
    }
}

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Collapses line breaks and other control characters to single spaces.
fn single_line(input: &str) -> String {
    input
        .split(|c: char| c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim()
        .to_owned()
}

fn normalize_newlines(input: &str) -> String {
    input.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
