//! The e-mail that carries a guest's sign-in link to a consultation (docs/DOMAIN.md §16).
//!
//! It is sent straight from the request that made the link, never stored: the link holds
//! the secret, which Polder keeps only hashed. The guest's language is unknown, so the text
//! is Dutch first and English below it.

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::message::Language;
use super::render::{escape_html, format_date, RenderedEmail};

/// What the invitation e-mail says.
#[derive(Debug, Clone)]
pub struct GuestLinkEmail<'a> {
    /// The contact's name.
    pub name: &'a str,
    /// The organisation invited.
    pub organisation: &'a str,
    /// The consultation's title.
    pub title: &'a str,
    /// The body that consults.
    pub body_name: &'a str,
    /// The question put to the invitees (may be empty).
    pub question: &'a str,
    /// First day responses are accepted, when not at once.
    pub opens_on: Option<NaiveDate>,
    /// Last day responses are accepted.
    pub closes_on: NaiveDate,
    /// The absolute sign-in link, `{public_url}/gast/{secret}`.
    pub link: &'a str,
    /// Whether this link replaces an earlier one.
    pub renewed: bool,
}

fn one_line(input: &str) -> String {
    input
        .split(|c: char| c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

struct Part {
    heading: String,
    lines: Vec<String>,
    question_label: &'static str,
    button: &'static str,
    note: String,
}

fn dutch(mail: &GuestLinkEmail<'_>) -> Part {
    let closes = format_date(mail.closes_on, Language::Nl);
    let mut lines = vec![
        format!("Beste {},", one_line(mail.name)),
        format!(
            "{} nodigt {} uit te reageren op de consultatie \u{201c}{}\u{201d}.",
            one_line(mail.body_name),
            one_line(mail.organisation),
            one_line(mail.title)
        ),
    ];
    lines.push(match mail.opens_on {
        Some(opens) => format!(
            "U kunt reageren van {} tot en met {closes}.",
            format_date(opens, Language::Nl)
        ),
        None => format!("U kunt reageren tot en met {closes}."),
    });
    lines.push(
        "Met de link hieronder meldt u zich aan zonder wachtwoord. U leest dan de versie \
         waarover geconsulteerd wordt en geeft de reactie van uw organisatie: een tekst, \
         opmerkingen bij passages en één bijlage."
            .to_owned(),
    );
    Part {
        heading: format!("Uitnodiging: {}", one_line(mail.title)),
        lines,
        question_label: "De vraag",
        button: "Aanmelden voor de consultatie",
        note: format!(
            "De link is persoonlijk: stuur hem niet door. Hij werkt tot 30 dagen na de \
             sluitingsdatum{}.",
            if mail.renewed {
                "; een eerder ontvangen link werkt niet meer"
            } else {
                ""
            }
        ),
    }
}

fn english(mail: &GuestLinkEmail<'_>) -> Part {
    let closes = format_date(mail.closes_on, Language::En);
    let mut lines = vec![
        format!("Dear {},", one_line(mail.name)),
        format!(
            "{} invites {} to respond to the consultation \u{201c}{}\u{201d}.",
            one_line(mail.body_name),
            one_line(mail.organisation),
            one_line(mail.title)
        ),
    ];
    lines.push(match mail.opens_on {
        Some(opens) => format!(
            "You can respond from {} up to and including {closes}.",
            format_date(opens, Language::En)
        ),
        None => format!("You can respond up to and including {closes}."),
    });
    lines.push(
        "The link below signs you in without a password. You can then read the version under \
         consultation and give your organisation's response: a text, comments on passages and \
         one attachment."
            .to_owned(),
    );
    Part {
        heading: format!("Invitation: {}", one_line(mail.title)),
        lines,
        question_label: "The question",
        button: "Sign in to the consultation",
        note: format!(
            "The link is personal: do not forward it. It works until 30 days after the closing \
             date{}.",
            if mail.renewed {
                "; a link you received before no longer works"
            } else {
                ""
            }
        ),
    }
}

/// Renders the invitation e-mail with the sign-in link, Dutch first, English below.
pub fn render_guest_link(mail: &GuestLinkEmail<'_>) -> RenderedEmail {
    let subject = format!(
        "Uitnodiging consultatie / Invitation to a consultation: {}",
        one_line(mail.title)
    );
    let question = mail.question.trim();
    let mut text = String::new();
    let mut html =
        String::from("<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(
        html,
        "<title>{}</title>\n</head>\n<body>",
        escape_html(&subject)
    );
    for (index, part) in [dutch(mail), english(mail)].into_iter().enumerate() {
        if index > 0 {
            text.push_str("\n----------------------------------------\n\n");
            html.push_str("<hr>\n<div lang=\"en\">\n");
        }
        let _ = writeln!(text, "{}\n", part.heading);
        let _ = writeln!(html, "<h1>{}</h1>", escape_html(&part.heading));
        for line in &part.lines {
            let _ = writeln!(text, "{line}\n");
            let _ = writeln!(html, "<p>{}</p>", escape_html(line));
        }
        if !question.is_empty() {
            let _ = writeln!(text, "{}:\n{question}\n", part.question_label);
            let _ = writeln!(
                html,
                "<p><strong>{}:</strong></p>\n<blockquote>{}</blockquote>",
                part.question_label,
                escape_html(question).replace('\n', "<br>\n")
            );
        }
        let _ = writeln!(text, "{}:\n{}\n", part.button, mail.link);
        let _ = writeln!(
            html,
            "<p><a href=\"{}\">{}</a></p>",
            escape_html(mail.link),
            part.button
        );
        let _ = writeln!(text, "{}", part.note);
        let _ = writeln!(html, "<p><small>{}</small></p>", escape_html(&part.note));
        if index > 0 {
            html.push_str("</div>\n");
        }
    }
    html.push_str("</body>\n</html>\n");
    RenderedEmail {
        subject,
        text,
        html,
        attachments: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(renewed: bool) -> GuestLinkEmail<'static> {
        GuestLinkEmail {
            name: "Gast <script>",
            organisation: "Patiëntenfederatie",
            title: "Consultatie rollen & taken",
            body_name: "Werkgroep Zorg",
            question: "Wat vindt u\nvan de rolverdeling?",
            opens_on: None,
            closes_on: NaiveDate::from_ymd_opt(2026, 3, 3).unwrap(),
            link: "https://polder.test/gast/abc123",
            renewed,
        }
    }

    #[test]
    fn the_mail_carries_the_link_title_body_and_dates_dutch_first() {
        let email = render_guest_link(&mail(false));
        assert!(email.subject.contains("Consultatie rollen & taken"));
        for part in [&email.text, &email.html] {
            assert!(part.contains("https://polder.test/gast/abc123"), "{part}");
            assert!(part.contains("Werkgroep Zorg"), "{part}");
            assert!(part.contains("3 maart 2026"), "{part}");
            assert!(part.contains("3 March 2026"), "{part}");
            assert!(part.contains("rolverdeling"), "{part}");
        }
        let dutch = email.text.find("Beste").unwrap();
        let english = email.text.find("Dear").unwrap();
        assert!(dutch < english, "Dutch comes first");
        assert!(!email.text.contains("eerder ontvangen"));
    }

    #[test]
    fn the_html_part_escapes_every_value() {
        let email = render_guest_link(&mail(false));
        assert!(!email.html.contains("<script>"), "{}", email.html);
        assert!(email.html.contains("Gast &lt;script&gt;"));
        assert!(email.html.contains("rollen &amp; taken"));
        assert!(email
            .html
            .contains("<a href=\"https://polder.test/gast/abc123\">"));
    }

    #[test]
    fn an_opening_date_and_a_renewal_are_said() {
        let mut renewed = mail(true);
        renewed.opens_on = NaiveDate::from_ymd_opt(2026, 2, 1);
        let email = render_guest_link(&renewed);
        assert!(email
            .text
            .contains("van 1 februari 2026 tot en met 3 maart 2026"));
        assert!(email.text.contains("from 1 February 2026"));
        assert!(email.text.contains("eerder ontvangen link werkt niet meer"));
        assert!(email.text.contains("no longer works"));
    }
}
