//! Section headings (action lines, themes, sub-lines): how a heading is marked, its key and
//! where it nests.

use super::parties::{slug, strip_tags};

/// A section heading: an action line, theme or sub-section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// Stable key: the number path ("1.2"), "actielijn-2", or a slug of the title.
    pub key: String,
    /// The heading text as written (markup removed, whitespace collapsed).
    pub title: String,
    /// How it is marked, which decides where it nests (see [`HeadingKind`]).
    pub kind: HeadingKind,
}

impl Heading {
    /// The number of a heading numbered with digits ("2.3"), as stored with its action line.
    pub fn number(&self) -> Option<&str> {
        let digits = self.key.chars().all(|c| c.is_ascii_digit() || c == '.');
        (matches!(self.kind, HeadingKind::Numbered(_)) && digits).then_some(self.key.as_str())
    }
}

/// How a heading is marked, strongest first. Where it nests:
/// - `Numbered(depth)`: by its number, "2.3" (depth 2) under "2"; it closes every open
///   heading at its depth or deeper.
/// - `Marked`: a section word ("Actielijn 2"), bold, capitals or a closing colon; a top-level
///   heading that closes every open one.
/// - `Plain`: unmarked text alone in its row; it nests under the nearest numbered or marked
///   heading and closes an open plain or italic one.
/// - `Italic`: a sub-heading; it nests under the nearest heading that is not italic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadingKind {
    /// "1.", "2.3", "A." with its depth (1 for "2", 2 for "2.3").
    Numbered(usize),
    /// Section word, bold, capitals or colon.
    Marked,
    /// Unmarked text alone in its row.
    Plain,
    /// Italic text (`*x*`, `_x_`, `<i>`, an italic spreadsheet font).
    Italic,
}

/// Whole-cell emphasis markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emphasis {
    /// No emphasis around the whole text.
    None,
    /// `**x**`, `__x__`, `<b>`, `<strong>` (a bold spreadsheet font is read as `<b>`).
    Bold,
    /// `*x*`, `_x_`, `<i>`, `<em>` (an italic spreadsheet font is read as `<i>`).
    Italic,
}

/// The emphasis around the whole of `text` and the text inside it. Bold wins over italic
/// (`***x***`, bold and italic font); underlining (`<u>`) is looked through.
pub fn emphasis(text: &str) -> (Emphasis, String) {
    let mut rest = text.trim().to_owned();
    let (mut bold, mut italic) = (false, false);
    loop {
        let lower = rest.to_ascii_lowercase();
        let tag = [
            ("<b>", "</b>", Emphasis::Bold),
            ("<strong>", "</strong>", Emphasis::Bold),
            ("<i>", "</i>", Emphasis::Italic),
            ("<em>", "</em>", Emphasis::Italic),
            ("<u>", "</u>", Emphasis::None),
        ]
        .into_iter()
        .find(|(open, close, _)| {
            lower.starts_with(open)
                && lower.ends_with(close)
                && lower.len() > open.len() + close.len()
        });
        let marker = ["**", "__", "*", "_"].into_iter().find(|m| {
            let inner = rest.strip_prefix(m).and_then(|r| r.strip_suffix(m));
            inner.is_some_and(|i| {
                let i = i.trim();
                !i.is_empty() && !(m.len() == 1 && (i.starts_with(m) || i.ends_with(m)))
            })
        });
        let (inner, found) = if let Some((open, close, found)) = tag {
            (rest[open.len()..rest.len() - close.len()].to_owned(), found)
        } else if let Some(m) = marker {
            let found = if m.len() == 2 {
                Emphasis::Bold
            } else {
                Emphasis::Italic
            };
            (rest[m.len()..rest.len() - m.len()].to_owned(), found)
        } else {
            break;
        };
        bold |= found == Emphasis::Bold;
        italic |= found == Emphasis::Italic;
        rest = inner.trim().to_owned();
    }
    let found = if bold {
        Emphasis::Bold
    } else if italic {
        Emphasis::Italic
    } else {
        Emphasis::None
    };
    (found, rest)
}

const SECTION_WORDS: &[&str] = &[
    "actielijn",
    "thema",
    "pijler",
    "spoor",
    "hoofdstuk",
    "onderdeel",
    "paragraaf",
    "deel",
    "bijlage",
    "advies",
    "werkstroom",
    "§",
];

/// Reads text as a heading when it is *marked* as one: numbered ("1.", "1.2", "A."),
/// introduced by a section word ("Actielijn 2: …", "Thema 3 - …"), ending in a colon,
/// written in capitals, bold (`<b>`, `**x**`, `__x__`) or italic (`*x*`, `_x_`, `<i>`).
pub fn marked_heading(text: &str) -> Option<Heading> {
    let (emphasis, inner) = emphasis(text);
    let bold = emphasis == Emphasis::Bold || {
        let lower = text.to_ascii_lowercase();
        lower.contains("<b>") || lower.contains("<strong>")
    };
    let title = collapse(&strip_tags(&inner));
    if title.is_empty() {
        return None;
    }
    if let Some(heading) = marked_numbered_or_keyword(&title) {
        return Some(heading);
    }
    let letters: Vec<char> = title.chars().filter(|c| c.is_alphabetic()).collect();
    let capitals = letters.len() >= 3 && letters.iter().all(|c| c.is_uppercase());
    let kind = if bold || capitals || title.ends_with(':') {
        HeadingKind::Marked
    } else if emphasis == Emphasis::Italic {
        HeadingKind::Italic
    } else {
        return None;
    };
    let title = title.trim_end_matches(':').trim_end().to_owned();
    Some(Heading {
        key: slug(&title),
        title,
        kind,
    })
}

/// A heading for unmarked text (text alone in its row, or a value of an action-line column):
/// numbered or introduced by a section word when it is, else [`HeadingKind::Plain`].
pub fn plain_heading(text: &str) -> Heading {
    let (_, inner) = emphasis(text);
    let title = collapse(strip_tags(&inner).trim().trim_end_matches(':'));
    marked_numbered_or_keyword(&title).unwrap_or(Heading {
        key: slug(&title),
        title,
        kind: HeadingKind::Plain,
    })
}

fn marked_numbered_or_keyword(title: &str) -> Option<Heading> {
    numbered(title).or_else(|| keyword(title))
}

/// "1. Acute zorg", "1.2 ROAZ", "2) Digitalisering", "A. Passende zorg".
fn numbered(title: &str) -> Option<Heading> {
    let (number, rest) = title.split_once(char::is_whitespace)?;
    let number = number.trim_end_matches(['.', ')', ':']);
    let parts: Vec<&str> = number.split('.').collect();
    let digits = parts
        .iter()
        .all(|p| !p.is_empty() && p.len() <= 2 && p.chars().all(|c| c.is_ascii_digit()));
    let letter = parts.len() == 1
        && number.len() == 1
        && number.chars().all(|c| c.is_ascii_uppercase())
        && title.as_bytes().get(1) == Some(&b'.');
    if !(digits || letter) || rest.trim().is_empty() {
        return None;
    }
    Some(Heading {
        key: number.to_ascii_lowercase(),
        title: title.to_owned(),
        kind: HeadingKind::Numbered(parts.len()),
    })
}

/// "Actielijn 2: Gedeelde visie", "Thema Acute zorg".
fn keyword(title: &str) -> Option<Heading> {
    let lower = title.to_lowercase();
    let word = SECTION_WORDS.iter().find(|w| {
        lower.starts_with(*w)
            && lower[w.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphabetic())
    })?;
    let rest = lower[word.len()..].trim_start();
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    let number = number.trim_end_matches('.');
    let key = if !number.is_empty() && number.chars().any(|c| c.is_ascii_digit()) {
        format!("{}-{number}", slug(word))
    } else {
        slug(title)
    };
    Some(Heading {
        key,
        title: title.to_owned(),
        kind: HeadingKind::Marked,
    })
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_headings() {
        let h = marked_heading("1. Acute zorg").unwrap();
        assert_eq!((h.key.as_str(), h.kind), ("1", HeadingKind::Numbered(1)));
        let h = marked_heading("1.2 ROAZ-regio's").unwrap();
        assert_eq!((h.key.as_str(), h.kind), ("1.2", HeadingKind::Numbered(2)));
        assert_eq!(h.number(), Some("1.2"));
        let h = marked_heading("Actielijn 2: Gedeelde visie/agenda").unwrap();
        assert_eq!(h.key, "actielijn-2");
        assert_eq!(marked_heading("A. Passende zorg").unwrap().key, "a");
        assert_eq!(
            marked_heading("DIGITALISERING").unwrap().key,
            "digitalisering"
        );
        assert_eq!(
            marked_heading("<b>Acute zorg</b>").unwrap().key,
            "acute-zorg"
        );
        assert_eq!(
            marked_heading("Eerstelijnszorg:").unwrap().key,
            "eerstelijnszorg"
        );
        assert!(marked_heading("Opstellen ROAZ-beelden").is_none());
        assert!(marked_heading("2023 evaluatie").is_none());
        assert!(marked_heading("Themagroep").is_none());
    }

    #[test]
    fn bold_and_italic_markup_marks_headings() {
        for (text, kind, title) in [
            ("**Pakketbeheer**", HeadingKind::Marked, "Pakketbeheer"),
            ("__Pakketbeheer__", HeadingKind::Marked, "Pakketbeheer"),
            (
                "<b><u>Pakketbeheer</u></b>",
                HeadingKind::Marked,
                "Pakketbeheer",
            ),
            ("*Geneesmiddelen*", HeadingKind::Italic, "Geneesmiddelen"),
            ("_Geneesmiddelen_", HeadingKind::Italic, "Geneesmiddelen"),
            (
                "<i>Geneesmiddelen</i>",
                HeadingKind::Italic,
                "Geneesmiddelen",
            ),
            ("***Beide***", HeadingKind::Marked, "Beide"),
            (
                "**2.3 Pakketbeheer**",
                HeadingKind::Numbered(2),
                "2.3 Pakketbeheer",
            ),
            (
                "*2.3.1 Dure middelen*",
                HeadingKind::Numbered(3),
                "2.3.1 Dure middelen",
            ),
        ] {
            let h = marked_heading(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((h.kind, h.title.as_str()), (kind, title), "{text}");
        }
        assert_eq!(
            emphasis("* opsomming"),
            (Emphasis::None, "* opsomming".to_owned())
        );
        assert_eq!(emphasis("**"), (Emphasis::None, "**".to_owned()));
        assert_eq!(emphasis("a_b_c"), (Emphasis::None, "a_b_c".to_owned()));
        assert!(marked_heading("* opsomming").is_none());
        assert_eq!(plain_heading("**2.3 Pakketbeheer**").key, "2.3");
        assert_eq!(plain_heading("Overig").kind, HeadingKind::Plain);
    }
}
