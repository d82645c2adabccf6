//! Markdown output: [`to_markdown`] for one version, [`comparison_markdown`] for a comparison
//! in CriticMarkup (`{++inserted++}{>>VWS<<}`, `{--deleted--}{>>ZIN<<}`) with a legend of
//! authors.
//!
//! Text is backslash-escaped so that nothing in a draft can turn into markup, links or HTML.
//! Lists are indented four spaces per level; ordered lists are numbered from 1 and restart
//! after any non-list block.

use super::{Author, Block, BlockKind, Change, Comparison, Marks, Run};

/// Legend heading of a comparison.
const LEGEND_TITLE: &str = "Wijzigingen per auteur";
/// Label and legend entry for changes whose author is unknown.
const UNKNOWN_LABEL: &str = "?";
const UNKNOWN_NAME: &str = "onbekende auteur";

/// Renders one version as Markdown. Deleted runs (of a comparison) are left out, so this is
/// the text as it reads in the newer version.
pub fn to_markdown(blocks: &[Block]) -> String {
    render(blocks, None)
}

/// Renders a comparison as Markdown with CriticMarkup changes, each followed by a comment
/// naming its author's party (`{>>VWS<<}`; `{>>VWS Name<<}` when several people of one party
/// made changes), and a legend of authors at the end.
pub fn comparison_markdown(comparison: &Comparison) -> String {
    let labels = Labels::new(&comparison.authors());
    let mut out = render(&comparison.blocks, Some(&labels));
    let has_changes = comparison
        .blocks
        .iter()
        .flat_map(|block| &block.runs)
        .any(|run| run.change != Change::Unchanged);
    if has_changes {
        out.push_str("\n---\n\n**");
        out.push_str(LEGEND_TITLE);
        out.push_str("**\n\n");
        for (author, label) in &labels.entries {
            out.push_str(&format!(
                "- `{label}`: {}\n",
                escape(&author.label(), false)
            ));
        }
        let unknown = comparison
            .blocks
            .iter()
            .flat_map(|block| &block.runs)
            .any(|run| run.change != Change::Unchanged && run.author.is_none());
        if unknown {
            out.push_str(&format!("- `{UNKNOWN_LABEL}`: {UNKNOWN_NAME}\n"));
        }
    }
    out
}

/// Short, unique labels for the authors of a comparison.
struct Labels {
    entries: Vec<(Author, String)>,
}

impl Labels {
    fn new(authors: &[Author]) -> Self {
        let entries = authors
            .iter()
            .map(|author| {
                let shared = authors
                    .iter()
                    .filter(|other| other.party == author.party)
                    .count()
                    > 1;
                let label = if shared {
                    format!("{} {}", author.party, author.name)
                } else {
                    author.party.clone()
                };
                (author.clone(), sanitize_label(&label))
            })
            .collect();
        Self { entries }
    }

    fn of(&self, author: Option<&Author>) -> &str {
        author
            .and_then(|author| {
                self.entries
                    .iter()
                    .find(|(known, _)| known.person_id == author.person_id)
            })
            .map_or(UNKNOWN_LABEL, |(_, label)| label.as_str())
    }
}

/// Keeps a label from closing the CriticMarkup comment or the code span around it.
fn sanitize_label(label: &str) -> String {
    label
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '{' | '}' | '`' | '\n' | '\r'))
        .collect()
}

fn render(blocks: &[Block], labels: Option<&Labels>) -> String {
    let mut out = String::new();
    let mut counters: Vec<(bool, u32)> = Vec::new();
    let mut previous_was_list = false;
    for block in blocks {
        let deleted_only =
            !block.runs.is_empty() && block.runs.iter().all(|r| r.change == Change::Deleted);
        if labels.is_none() && deleted_only {
            continue;
        }
        let is_list = matches!(block.kind, BlockKind::ListItem { .. });
        if !out.is_empty() {
            // items of one list are one line apart; a list of the other kind starts anew
            let tight = previous_was_list
                && match block.kind {
                    BlockKind::ListItem {
                        ordered,
                        depth,
                        marker: true,
                    } => depth > 0 || counters.first().is_none_or(|top| top.0 == ordered),
                    _ => false,
                };
            out.push_str(if tight { "\n" } else { "\n\n" });
        }
        if !is_list {
            counters.clear();
        }
        previous_was_list = is_list;
        match block.kind {
            BlockKind::Paragraph => out.push_str(&inline(&block.runs, labels, "", true)),
            BlockKind::Heading(level) => {
                out.push_str(&"#".repeat(usize::from(level.clamp(1, 6))));
                out.push(' ');
                out.push_str(&inline(&block.runs, labels, "", false));
            }
            BlockKind::Quote => {
                out.push_str("> ");
                out.push_str(&inline(&block.runs, labels, "> ", false));
            }
            BlockKind::ListItem {
                ordered,
                depth,
                marker,
            } => {
                let depth = usize::from(depth);
                let indent = " ".repeat(depth * 4);
                if marker {
                    counters.truncate(depth + 1);
                    while counters.len() < depth + 1 {
                        counters.push((ordered, 0));
                    }
                    let number = match counters.get_mut(depth) {
                        Some(counter) => {
                            if counter.0 != ordered {
                                *counter = (ordered, 0);
                            }
                            counter.1 += 1;
                            counter.1
                        }
                        None => 1,
                    };
                    let bullet = if ordered {
                        format!("{number}. ")
                    } else {
                        "- ".to_string()
                    };
                    let prefix = format!("{indent}{}", " ".repeat(bullet.len()));
                    out.push_str(&indent);
                    out.push_str(&bullet);
                    out.push_str(&inline(&block.runs, labels, &prefix, false));
                } else {
                    let prefix = format!("{indent}    ");
                    out.push_str(&prefix);
                    out.push_str(&inline(&block.runs, labels, &prefix, false));
                }
            }
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Renders runs; with `labels`, changes as CriticMarkup, without them deleted runs dropped.
/// `line_prefix` continues the block after a hard line break; `at_line_start` escapes what
/// would otherwise start a list or heading.
fn inline(runs: &[Run], labels: Option<&Labels>, line_prefix: &str, at_line_start: bool) -> String {
    let mut out = String::new();
    let mut index = 0;
    while let Some(first) = runs.get(index) {
        // a group: consecutive runs with the same change and author
        let mut end = index + 1;
        while runs
            .get(end)
            .is_some_and(|r| r.change == first.change && r.author == first.author)
        {
            end += 1;
        }
        let group = runs.get(index..end).unwrap_or_default();
        index = end;
        let mut body = String::new();
        for run in group {
            let start = at_line_start && out.is_empty() && body.is_empty();
            body.push_str(&marked(&run.text, run.marks, line_prefix, start));
        }
        match (first.change, labels) {
            (Change::Unchanged, _) | (Change::Inserted, None) => out.push_str(&body),
            (Change::Deleted, None) => {}
            (Change::Inserted, Some(labels)) => {
                let label = labels.of(first.author.as_ref());
                out.push_str(&format!("{{++{body}++}}{{>>{label}<<}}"));
            }
            (Change::Deleted, Some(labels)) => {
                let label = labels.of(first.author.as_ref());
                out.push_str(&format!("{{--{body}--}}{{>>{label}<<}}"));
            }
        }
    }
    out
}

/// Escaped text wrapped in `**`/`*`, with surrounding whitespace kept outside the markers.
fn marked(text: &str, marks: Marks, line_prefix: &str, at_line_start: bool) -> String {
    let marker = match (marks.bold, marks.italic) {
        (true, true) => "***",
        (true, false) => "**",
        (false, true) => "*",
        (false, false) => "",
    };
    let escaped = escape(text, at_line_start).replace('\n', &format!("\\\n{line_prefix}"));
    if marker.is_empty() || text.trim().is_empty() {
        return escaped;
    }
    let trimmed_start = escaped.trim_start();
    let leading = &escaped[..escaped.len() - trimmed_start.len()];
    let core = trimmed_start.trim_end();
    let trailing = &trimmed_start[core.len()..];
    format!("{leading}{marker}{core}{marker}{trailing}")
}

/// Backslash-escapes Markdown and CriticMarkup punctuation. At the start of a line, also a
/// leading `-`, `+` or `1.` that would start a list.
pub(super) fn escape(text: &str, at_line_start: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '<'
                | '>'
                | '{'
                | '}'
                | '~'
                | '|'
                | '#'
                | '&'
                | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    if at_line_start {
        if out.starts_with(['-', '+', '=']) {
            out.insert(0, '\\');
        } else {
            let digits = out.chars().take_while(char::is_ascii_digit).count();
            if digits > 0 && out[digits..].starts_with(['.', ')']) {
                out.insert(digits, '\\');
            }
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
    fn renders_blocks_marks_and_lists() {
        let mut draft = Draft::new(1);
        draft.heading(2, "Advies");
        draft.bold_paragraph("Let op:", " *geen* <b>html</b>");
        draft.list(false, &["een", "twee"]);
        draft.list(true, &["eerst", "dan"]);
        draft.quote("citaat");
        draft.nested_list();

        let md = to_markdown(&document_blocks(&draft.state()).unwrap());

        assert_eq!(
            md,
            "## Advies\n\n\
             **Let op:** \\*geen\\* \\<b\\>html\\</b\\>\n\n\
             - een\n- twee\n\n\
             1. eerst\n2. dan\n\n\
             > citaat\n\n\
             - outer\n    1. inner\n\n    continued\n"
        );
    }

    #[test]
    fn escapes_list_starts() {
        assert_eq!(escape("- nee", true), "\\- nee");
        assert_eq!(escape("2024. jaar", true), "2024\\. jaar");
        assert_eq!(escape("2024. jaar", false), "2024. jaar");
    }

    #[test]
    fn comparison_uses_critic_markup_and_legend() {
        let mut v1 = Draft::new(1);
        let p = v1.paragraph("De zorg moet snel beter.");
        let old = v1.state();
        let mut v2 = v1.fork(2);
        v2.delete(p, "snel ");
        v2.append(p, " Nu.");
        let mut claims = Claims::default();
        claims.writers.insert(1, vws());
        claims.writers.insert(2, zin());
        claims.deleters.push((1, 0..1000, vws()));

        let md = comparison_markdown(&compare(&old, &v2.state(), &claims).unwrap());

        assert_eq!(
            md,
            "De zorg moet {--snel --}{>>VWS<<}beter.{++ Nu.++}{>>ZIN<<}\n\n---\n\n\
             **Wijzigingen per auteur**\n\n\
             - `VWS`: Anna de Vries (VWS)\n\
             - `ZIN`: Bram \\<Jansen\\> (ZIN)\n"
        );
    }

    #[test]
    fn to_markdown_of_a_comparison_drops_deletions() {
        let mut v1 = Draft::new(1);
        v1.paragraph("weg");
        let p = v1.paragraph("blijft");
        let old = v1.state();
        let mut v2 = v1.fork(2);
        v2.append(p, " erbij");
        v2.remove_block(0);

        let md = to_markdown(
            &compare(&old, &v2.state(), &Claims::default())
                .unwrap()
                .blocks,
        );

        assert_eq!(md, "blijft erbij\n");
    }

    #[test]
    fn people_of_one_party_get_distinct_labels() {
        let mut other = vws();
        other.person_id = 12;
        other.name = "Cor".into();
        let labels = Labels::new(&[vws(), other.clone()]);
        assert_eq!(labels.of(Some(&other)), "VWS Cor");
        assert_eq!(labels.of(None), "?");
    }
}
