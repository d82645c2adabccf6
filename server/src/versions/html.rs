//! HTML output: [`to_html`] renders blocks (one version or a comparison) as a standalone page.
//!
//! Everything taken from a draft or from people's names is escaped; party colours are used only
//! when they are exactly `#RRGGBB` or `#RGB`. Changes are `<ins>`/`<del>` elements, tinted in
//! the party colour and titled `Name (PARTY)`, so they stay readable without colour (WCAG 1.4.1),
//! and a legend lists the authors.

use std::fmt::Write as _;

use super::{authors, Author, Block, BlockKind, Change, Marks, Run};

/// Colour for changes without a known author or with an unusable party colour.
const FALLBACK_COLOUR: &str = "#767676";
const LEGEND_TITLE: &str = "Wijzigingen per auteur";
const UNKNOWN_NAME: &str = "Onbekende auteur";
const INSERTED: &str = "ingevoegd";
const DELETED: &str = "verwijderd";

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;\
padding:0 1rem;line-height:1.5}ins{text-decoration:underline}del{text-decoration:line-through}\
.legend{border-top:1px solid #ccc;margin-top:2rem}.swatch{display:inline-block;width:1em;\
height:1em;margin-right:.5em;vertical-align:middle}";

/// Renders `blocks` as a complete HTML5 document titled `title`. When any run is inserted or
/// deleted, a legend of the authors follows the content.
pub fn to_html(blocks: &[Block], title: &str) -> String {
    let mut out = String::new();
    let title = escape(title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    );
    let mut lists = Lists::default();
    for block in blocks {
        let content = inline(&block.runs);
        match block.kind {
            BlockKind::Paragraph => {
                lists.close_all(&mut out);
                let _ = writeln!(out, "<p>{content}</p>");
            }
            BlockKind::Heading(level) => {
                lists.close_all(&mut out);
                // the page title is the h1; document headings start one level lower
                let level = level.clamp(1, 5) + 1;
                let _ = writeln!(out, "<h{level}>{content}</h{level}>");
            }
            BlockKind::Quote => {
                lists.close_all(&mut out);
                let _ = writeln!(out, "<blockquote><p>{content}</p></blockquote>");
            }
            BlockKind::ListItem {
                ordered,
                depth,
                marker,
            } => {
                lists.item(&mut out, ordered, usize::from(depth), marker);
                let _ = write!(out, "<p>{content}</p>");
            }
        }
    }
    lists.close_all(&mut out);
    legend(&mut out, blocks);
    out.push_str("</body>\n</html>\n");
    out
}

/// Open lists while rendering flat list-item blocks: per level, ordered or not, and whether
/// an `<li>` is open.
#[derive(Default)]
struct Lists {
    open: Vec<(bool, bool)>,
}

impl Lists {
    fn item(&mut self, out: &mut String, ordered: bool, depth: usize, marker: bool) {
        while self.open.len() > depth + 1 {
            self.close_one(out);
        }
        let continues = self.open.len() == depth + 1
            && self
                .open
                .last()
                .is_some_and(|&(kind, li)| kind == ordered && li);
        if !marker && continues {
            return;
        }
        if self
            .open
            .last()
            .is_some_and(|&(kind, _)| self.open.len() == depth + 1 && kind != ordered)
        {
            self.close_one(out);
        }
        while self.open.len() < depth + 1 {
            if let Some(last) = self.open.last_mut() {
                if !last.1 {
                    out.push_str("<li>");
                    last.1 = true;
                }
            }
            out.push_str(if ordered { "<ol>" } else { "<ul>" });
            self.open.push((ordered, false));
        }
        if let Some(last) = self.open.last_mut() {
            if last.1 {
                out.push_str("</li>\n");
            }
            out.push_str("<li>");
            last.1 = true;
        }
    }

    fn close_one(&mut self, out: &mut String) {
        if let Some((ordered, li)) = self.open.pop() {
            if li {
                out.push_str("</li>");
            }
            out.push_str(if ordered { "</ol>" } else { "</ul>" });
            out.push('\n');
        }
    }

    fn close_all(&mut self, out: &mut String) {
        while !self.open.is_empty() {
            self.close_one(out);
        }
    }
}

fn inline(runs: &[Run]) -> String {
    let mut out = String::new();
    for run in runs {
        let text = marked(&run.text, run.marks);
        match run.change {
            Change::Unchanged => out.push_str(&text),
            Change::Inserted | Change::Deleted => {
                let (tag, what, alpha) = if run.change == Change::Inserted {
                    ("ins", INSERTED, "33")
                } else {
                    ("del", DELETED, "1a")
                };
                let colour = colour_of(run.author.as_ref());
                let who = run
                    .author
                    .as_ref()
                    .map_or_else(|| UNKNOWN_NAME.to_string(), Author::label);
                let _ = write!(
                    out,
                    "<{tag} style=\"background-color:{colour}{alpha};text-decoration-color:{colour}\" \
                     title=\"{} ({what})\">{text}</{tag}>",
                    escape(&who)
                );
            }
        }
    }
    out
}

fn marked(text: &str, marks: Marks) -> String {
    let mut html = escape(text).replace('\n', "<br>");
    if marks.italic {
        html = format!("<em>{html}</em>");
    }
    if marks.bold {
        html = format!("<strong>{html}</strong>");
    }
    html
}

fn legend(out: &mut String, blocks: &[Block]) {
    let changed: Vec<&Run> = blocks
        .iter()
        .flat_map(|block| &block.runs)
        .filter(|run| run.change != Change::Unchanged)
        .collect();
    if changed.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section class=\"legend\">\n<h2>{LEGEND_TITLE}</h2>\n<ul>\n"
    );
    for author in authors(blocks) {
        let _ = writeln!(
            out,
            "<li><span class=\"swatch\" style=\"background-color:{}\"></span>{}</li>",
            colour_of(Some(&author)),
            escape(&author.label())
        );
    }
    if changed.iter().any(|run| run.author.is_none()) {
        let _ = writeln!(
            out,
            "<li><span class=\"swatch\" style=\"background-color:{FALLBACK_COLOUR}\"></span>{UNKNOWN_NAME}</li>"
        );
    }
    out.push_str("</ul>\n</section>\n");
}

/// The author's party colour as `#RRGGBB`, or [`FALLBACK_COLOUR`].
fn colour_of(author: Option<&Author>) -> String {
    let Some(colour) = author.map(|author| author.colour.trim()) else {
        return FALLBACK_COLOUR.to_string();
    };
    let hex = colour.strip_prefix('#').unwrap_or("");
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return FALLBACK_COLOUR.to_string();
    }
    match hex.len() {
        6 => format!("#{hex}"),
        3 => format!("#{}", hex.chars().flat_map(|c| [c, c]).collect::<String>()),
        _ => FALLBACK_COLOUR.to_string(),
    }
}

/// Escapes text for HTML content and double- or single-quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
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

#[cfg(test)]
mod tests {
    use super::super::test_support::{vws, zin, Claims, Draft};
    use super::super::{compare, document_blocks};
    use super::*;

    #[test]
    fn escapes_draft_text_and_title() {
        let mut draft = Draft::new(1);
        draft.paragraph("<script>alert('x')</script> & co");

        let html = to_html(&document_blocks(&draft.state()).unwrap(), "Advies <script>");

        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"));
        assert!(html.contains("<title>Advies &lt;script&gt;</title>"));
        assert!(!html.contains("<section class=\"legend\">"));
    }

    #[test]
    fn renders_nested_lists() {
        let mut draft = Draft::new(1);
        draft.nested_list();
        draft.paragraph("na");

        let html = to_html(&document_blocks(&draft.state()).unwrap(), "t");

        assert!(html.contains(
            "<ul><li><p>outer</p><ol><li><p>inner</p></li></ol>\n<p>continued</p></li></ul>\n<p>na</p>"
        ));
    }

    #[test]
    fn comparison_has_coloured_ins_del_and_legend() {
        let mut v1 = Draft::new(1);
        let p = v1.heading(1, "Titel");
        let old = v1.state();
        let mut v2 = v1.fork(2);
        v2.append(p, " <b>nieuw</b>");
        v2.delete(p, "Titel");
        let mut claims = Claims::default();
        claims.writers.insert(2, zin());
        claims.deleters.push((1, 0..1000, vws()));

        let html = to_html(
            &compare(&old, &v2.state(), &claims).unwrap().blocks,
            "v1 → v2",
        );

        assert!(html.contains(
            "<h2><del style=\"background-color:#1F4E791a;text-decoration-color:#1F4E79\" \
             title=\"Anna de Vries (VWS) (verwijderd)\">Titel</del>"
        ));
        assert!(html.contains(
            "<ins style=\"background-color:#C0000033;text-decoration-color:#C00000\" \
             title=\"Bram &lt;Jansen&gt; (ZIN) (ingevoegd)\"> &lt;b&gt;nieuw&lt;/b&gt;</ins></h2>"
        ));
        assert!(html.contains("<h2>Wijzigingen per auteur</h2>"));
        assert!(html.contains("Bram &lt;Jansen&gt; (ZIN)</li>"));
    }

    #[test]
    fn bad_colours_fall_back() {
        let mut author = vws();
        author.colour = "red;background:url(x)".into();
        assert_eq!(colour_of(Some(&author)), FALLBACK_COLOUR);
        author.colour = "#abc".into();
        assert_eq!(colour_of(Some(&author)), "#aabbcc");
    }
}
