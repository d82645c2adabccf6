//! A body's public progress page (`/openbaar/{slug}`): the address rules and the page as
//! accessible HTML without scripts or inline styles (the site's CSP allows neither).
//!
//! # What is shown
//! Only what the chair marked public: milestones (title, due date, deadline, status, lead
//! parties by code and name) and action lines (number, title, lead parties), plus the page's
//! own public introduction. Never names, e-mail addresses, notes, comments or milestone
//! descriptions (those are written for the working group). Pure: no IO.

use chrono::NaiveDate;

use super::milestone_status::MilestoneStatus;
use super::validate::Invalid;

/// Escapes text for HTML content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Most milestones and action lines a page shows (the rest is left off, and the page says so).
pub const MAX_ITEMS: usize = 500;
/// Longest public introduction, in characters.
pub const MAX_INTRO: usize = 4_000;

/// Checks a page address: 3 to 60 lowercase letters, digits and hyphens, not starting or
/// ending with a hyphen.
///
/// # Errors
/// [`Invalid`] naming `slug`.
pub fn slug(raw: &str) -> Result<String, Invalid> {
    let slug = raw.trim();
    let ok = (3..=60).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(slug.to_owned())
    } else {
        Err(Invalid {
            field: "slug",
            message: "must be 3 to 60 lowercase letters, digits and hyphens, such as \
                      beter-pakketbeheer"
                .into(),
        })
    }
}

/// The Dutch label of a status.
pub fn status_label(status: MilestoneStatus) -> &'static str {
    match status {
        MilestoneStatus::Gepland => "Gepland",
        MilestoneStatus::OpKoers => "Op koers",
        MilestoneStatus::Risico => "Risico",
        MilestoneStatus::TeLaat => "Te laat",
        MilestoneStatus::Verschoven => "Verschoven",
        MilestoneStatus::Gereed => "Gereed",
        MilestoneStatus::Vervallen => "Vervallen",
    }
}

/// A party as shown: code and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicParty {
    /// Code, e.g. `ZIN`.
    pub code: String,
    /// Name.
    pub name: String,
}

/// A public action line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicLine {
    /// Number, e.g. `3.2`.
    pub number: Option<String>,
    /// Title.
    pub title: String,
    /// Lead parties.
    pub leads: Vec<PublicParty>,
}

/// A public milestone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicMilestone {
    /// Id (for the calendar's stable ids).
    pub id: i64,
    /// Title.
    pub title: String,
    /// The action line's title, only when that line is public too.
    pub action_line: Option<String>,
    /// Due date as written.
    pub due: String,
    /// Deadline.
    pub deadline: Option<NaiveDate>,
    /// Status.
    pub status: MilestoneStatus,
    /// Lead parties.
    pub leads: Vec<PublicParty>,
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicPage {
    /// The page address.
    pub slug: String,
    /// The body's name.
    pub body_name: String,
    /// The chair's public introduction.
    pub intro: String,
    /// Public action lines.
    pub lines: Vec<PublicLine>,
    /// Public milestones, by deadline.
    pub milestones: Vec<PublicMilestone>,
    /// Whether items were left off ([`MAX_ITEMS`]).
    pub truncated: bool,
    /// The day the page is drawn on.
    pub today: NaiveDate,
}

fn parties(list: &[PublicParty]) -> String {
    if list.is_empty() {
        return "—".into();
    }
    list.iter()
        .map(|p| format!("<abbr title=\"{}\">{}</abbr>", esc(&p.name), esc(&p.code)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn shell(title: &str, main: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noarchive\">\n<title>{}</title>\n</head>\n<body>\n\
         <header><nav aria-label=\"Openbare pagina's\"><a href=\"/openbaar\">Openbare voortgang \
         van het programma</a></nav></header>\n<main>\n{main}</main>\n\
         <footer><p>Gepubliceerd met Polder. Alleen wat de werkgroep openbaar heeft gemaakt staat \
         op deze pagina.</p></footer>\n</body>\n</html>\n",
        esc(title)
    )
}

/// The page as HTML.
pub fn render(page: &PublicPage) -> String {
    let mut main = String::new();
    main.push_str(&format!("<h1>Voortgang: {}</h1>\n", esc(&page.body_name)));
    for paragraph in page.intro.split("\n\n").filter(|p| !p.trim().is_empty()) {
        main.push_str(&format!("<p>{}</p>\n", esc(paragraph.trim())));
    }
    main.push_str(&format!(
        "<p>Stand op {}. <a href=\"/openbaar/{}/planning.ics\">De planning als agenda \
         (iCalendar)</a></p>\n",
        page.today.format("%d-%m-%Y"),
        esc(&page.slug)
    ));
    let count = |s: MilestoneStatus| page.milestones.iter().filter(|m| m.status == s).count();
    main.push_str("<h2>Samenvatting</h2>\n<ul>\n");
    main.push_str(&format!(
        "<li>{} mijlpalen openbaar</li>\n",
        page.milestones.len()
    ));
    for status in MilestoneStatus::ALL {
        let n = count(status);
        if n > 0 {
            main.push_str(&format!("<li>{}: {n}</li>\n", status_label(status)));
        }
    }
    main.push_str("</ul>\n");
    if !page.lines.is_empty() {
        main.push_str("<h2>Actielijnen</h2>\n<ul>\n");
        for line in &page.lines {
            let number = line
                .number
                .as_deref()
                .map(|n| format!("{} ", esc(n)))
                .unwrap_or_default();
            main.push_str(&format!(
                "<li>{number}{} (trekker: {})</li>\n",
                esc(&line.title),
                parties(&line.leads)
            ));
        }
        main.push_str("</ul>\n");
    }
    main.push_str("<h2>Planning en voortgang</h2>\n");
    if page.milestones.is_empty() {
        main.push_str("<p>Er zijn nog geen mijlpalen openbaar gemaakt.</p>\n");
    } else {
        main.push_str(
            "<table>\n<caption>Mijlpalen met hun planning en status</caption>\n<thead><tr>\
             <th scope=\"col\">Mijlpaal</th><th scope=\"col\">Actielijn</th>\
             <th scope=\"col\">Gepland</th><th scope=\"col\">Uiterlijk</th>\
             <th scope=\"col\">Status</th><th scope=\"col\">Trekker</th></tr></thead>\n<tbody>\n",
        );
        for m in &page.milestones {
            main.push_str(&format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td>{}</td></tr>\n",
                esc(&m.title),
                m.action_line
                    .as_deref()
                    .map(esc)
                    .unwrap_or_else(|| "—".into()),
                esc(&m.due),
                m.deadline
                    .map(|d| d.format("%d-%m-%Y").to_string())
                    .unwrap_or_else(|| "onbekend".into()),
                status_label(m.status),
                parties(&m.leads)
            ));
        }
        main.push_str("</tbody>\n</table>\n");
    }
    if page.truncated {
        main.push_str(&format!(
            "<p>Deze pagina toont de eerste {MAX_ITEMS} openbare onderdelen.</p>\n"
        ));
    }
    shell(&format!("Voortgang: {}", page.body_name), &main)
}

/// The programme's page: the bodies that have a public page (slug and name).
pub fn render_index(pages: &[(String, String)]) -> String {
    let mut main = String::from("<h1>Openbare voortgang van het programma</h1>\n");
    if pages.is_empty() {
        main.push_str("<p>Er zijn nog geen openbare voortgangspagina's.</p>\n");
    } else {
        main.push_str("<ul>\n");
        for (slug, name) in pages {
            main.push_str(&format!(
                "<li><a href=\"/openbaar/{}\">{}</a></li>\n",
                esc(slug),
                esc(name)
            ));
        }
        main.push_str("</ul>\n");
    }
    shell("Openbare voortgang", &main)
}

/// The page for an address that has no (enabled) page.
pub fn render_not_found() -> String {
    shell(
        "Pagina niet gevonden",
        "<h1>Pagina niet gevonden</h1>\n<p>Op dit adres staat geen openbare \
         voortgangspagina. <a href=\"/openbaar\">Bekijk de openbare pagina's</a>.</p>\n",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_with_hyphens() {
        assert_eq!(slug(" beter-pakketbeheer ").unwrap(), "beter-pakketbeheer");
        for bad in [
            "ab",
            "Beter",
            "-a-b",
            "ab-",
            "a b c",
            "a/b/c",
            "../x",
            &"a".repeat(61),
        ] {
            assert_eq!(slug(bad).unwrap_err().field, "slug", "{bad}");
        }
    }

    #[test]
    fn the_page_escapes_text_and_needs_no_scripts_or_styles() {
        let party = PublicParty {
            code: "ZIN".into(),
            name: "Zorginstituut Nederland".into(),
        };
        let page = PublicPage {
            slug: "wg".into(),
            body_name: "Werkgroep <b>".into(),
            intro: "Eerste alinea.\n\nTweede & laatste.".into(),
            lines: vec![PublicLine {
                number: Some("1".into()),
                title: "Lijn".into(),
                leads: vec![party.clone()],
            }],
            milestones: vec![PublicMilestone {
                id: 1,
                title: "Advies <script>".into(),
                action_line: Some("Lijn".into()),
                due: "Q3 2026".into(),
                deadline: NaiveDate::from_ymd_opt(2026, 9, 30),
                status: MilestoneStatus::OpKoers,
                leads: vec![party],
            }],
            truncated: false,
            today: NaiveDate::from_ymd_opt(2026, 8, 1).unwrap(),
        };
        let html = render(&page);
        assert!(html.contains("<html lang=\"nl\">"));
        assert!(html.contains("Advies &lt;script&gt;"));
        assert!(html.contains("Werkgroep &lt;b&gt;"));
        assert!(html.contains("<p>Tweede &amp; laatste.</p>"));
        assert!(html.contains("30-09-2026") && html.contains("Op koers"));
        assert!(!html.contains("<script") && !html.contains("style"));
        assert!(html.contains("/openbaar/wg/planning.ics"));
        assert!(render_index(&[("wg".into(), "W".into())]).contains("href=\"/openbaar/wg\""));
    }
}
