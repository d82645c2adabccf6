//! Rows → [`ImportPlan`]: milestones with parties and fuzzy due dates, action lines from
//! section rows, and a data-quality report in which every non-blank row is accounted for.
//!
//! # Row kinds
//! Every non-blank row becomes exactly one [`RowKind`]:
//! - **Header**: cells that name columns ([`Columns::from_header`]). The first one sets the
//!   layout; a repeat (page break) is skipped and noted in `info`; a different one replaces the
//!   layout. Before any header the IZA annex order is assumed (Onderwerp, Gereed,
//!   Verantwoordelijke, Status, Toelichting), noted once in `info`.
//! - **Section**: a heading that groups the rows below it into an action line, until the next
//!   heading at its level or above. A row is a heading when
//!   - its only filled cell is the title column, or the first column while the title column is
//!     elsewhere (any text: the tables parties keep put headings there), or
//!   - its title is marked as a heading ([`marked_heading`]: numbered, "Actielijn 2:", a
//!     colon, capitals, bold or italic) and the only other filled cell is a number column;
//!     a number there numbers the heading ("2.3" + "Pakketbeheer" is "2.3 Pakketbeheer").
//!
//!   Headings nest by their number ("2" > "2.3" > "2.3.1") and by their marking: an italic or
//!   unmarked heading is a sub-line of the nearest stronger heading ([`HeadingKind`]). A
//!   sub-line is an action line with a parent (`parent_key`); milestones belong to the
//!   innermost open heading. An unnumbered sub-line is keyed `<parent key>/<title slug>`, so
//!   its key, and its milestones' keys, stay the same on re-import. An action-line column,
//!   when present, names the action line per row instead. A heading with nothing below it is
//!   noted in `info`, since it may be a milestone without details.
//! - **Milestone**: a row with a title and more. A title with only a row number is a
//!   milestone flagged "only a title", because it may also be an unmarked heading.
//! - **Error**: a row that cannot be read as a milestone (no title, a spreadsheet error value or
//!   unreadable characters in the title).
//!
//! Blank rows (every cell empty or whitespace) are ignored and not counted.

use std::collections::HashMap;

use serde::Serialize;

use super::columns::{Columns, Role};
use super::headings::{emphasis, marked_heading, plain_heading, Emphasis, Heading, HeadingKind};
use super::parties::{slug, strip_tags, PartyDirectory, RowParties};
use super::read::RawRow;
use crate::domain::fuzzy_date::{self, FuzzyDate, ParseContext};

/// What an import would create, plus everything a programme officer should check first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportPlan {
    /// Action lines from section rows and action-line columns, in order of appearance.
    pub action_lines: Vec<PlannedActionLine>,
    /// Milestones in table order.
    pub milestones: Vec<PlannedMilestone>,
    /// The kind of every non-blank row, in table order.
    pub rows: Vec<RowOutcome>,
    /// Milestone rows that were imported but need a look (one entry per row).
    pub flagged: Vec<RowIssue>,
    /// Rows that could not be imported (one entry per row).
    pub errors: Vec<RowIssue>,
    /// Notes that need no action: header rows, assumed columns, renamed section keys.
    pub info: Vec<RowIssue>,
}

/// An action line (actielijn, thema, sub-section) to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedActionLine {
    /// Stable key within the table: "1.2", "actielijn-2" or a slug of the title.
    pub key: String,
    /// The heading as written.
    pub title: String,
    /// The row it came from.
    pub line: usize,
    /// The enclosing section, for sub-sections.
    pub parent_key: Option<String>,
    /// The heading's number ("2.3"), for numbered headings.
    pub number: Option<String>,
    /// Nesting depth: 1 for a top-level action line, 2 for its sub-lines, and so on.
    pub level: usize,
}

/// A milestone to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedMilestone {
    /// The row it came from.
    pub line: usize,
    /// The action line it belongs to, if any.
    pub action_line_key: Option<String>,
    /// The milestone text, markup removed and whitespace collapsed.
    pub title: String,
    /// The due date; `due.raw` is the cell text.
    pub due: FuzzyDate,
    /// Party codes marked as lead (trekker).
    pub lead: Vec<String>,
    /// Party codes listed without a lead marker.
    pub contributors: Vec<String>,
    /// Party names not in the directory, as written.
    pub unknown_parties: Vec<String>,
    /// The status cell, if filled.
    pub status: Option<String>,
    /// The note cell, plus any cells of unrecognised columns as "Column: value".
    pub note: Option<String>,
    /// Stable key for de-duplication on re-import: `<action line key or "->/<title slug>`,
    /// with `#2`, `#3` appended to repeats within one table.
    pub natural_key: String,
}

/// A remark about one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowIssue {
    /// 1-based line or spreadsheet row.
    pub line: usize,
    /// A plain sentence, English with the Dutch term where useful.
    pub reason: String,
}

/// How a non-blank row was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// Column names.
    Header,
    /// A section heading (action line).
    Section,
    /// A milestone (possibly flagged).
    Milestone,
    /// Not importable; see `errors`.
    Error,
}

/// The kind of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RowOutcome {
    /// 1-based line or spreadsheet row.
    pub line: usize,
    /// How it was read.
    pub kind: RowKind,
}

/// A party name the directory does not know, with the rows that name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownParty {
    /// The name as first written.
    pub name: String,
    /// The milestone rows that name it, in table order.
    pub lines: Vec<usize>,
}

impl ImportPlan {
    /// Every unknown party name, once, in order of first appearance. Names that differ only
    /// in case, spaces or punctuation are one name, since an alias would match them all.
    pub fn unknown_parties(&self) -> Vec<UnknownParty> {
        let mut out: Vec<(String, UnknownParty)> = Vec::new();
        for milestone in &self.milestones {
            for name in &milestone.unknown_parties {
                let key = super::parties::normalise_key(name);
                match out.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, unknown)) => {
                        if !unknown.lines.contains(&milestone.line) {
                            unknown.lines.push(milestone.line);
                        }
                    }
                    None => out.push((
                        key,
                        UnknownParty {
                            name: name.clone(),
                            lines: vec![milestone.line],
                        },
                    )),
                }
            }
        }
        out.into_iter().map(|(_, unknown)| unknown).collect()
    }

    /// `rows: N, milestones: M, flagged: F, errors: E`, where N counts every non-blank row
    /// (headers and sections included), F the flagged milestone rows and E the error rows.
    pub fn summary_line(&self) -> String {
        format!(
            "rows: {}, milestones: {}, flagged: {}, errors: {}",
            self.rows.len(),
            self.milestones.len(),
            self.flagged.len(),
            self.errors.len()
        )
    }
}

/// Reads rows into a plan. Never fails: problems are reported per row.
pub fn interpret(rows: &[RawRow], parties: &PartyDirectory, context: &ParseContext) -> ImportPlan {
    let mut state = Interpreter {
        parties,
        context,
        plan: ImportPlan::default(),
        columns: Columns::assumed(),
        header_seen: false,
        assumed_noted: false,
        sections: Vec::new(),
        natural_keys: HashMap::new(),
    };
    for row in rows.iter().filter(|r| !r.is_blank()) {
        let kind = state.row(row);
        state.plan.rows.push(RowOutcome {
            line: row.line,
            kind,
        });
    }
    state.note_empty_sections();
    state.plan.info.sort_by_key(|issue| issue.line);
    state.plan
}

/// A heading whose rows are being read.
struct OpenSection {
    level: usize,
    key: String,
    kind: HeadingKind,
}

struct Interpreter<'a> {
    parties: &'a PartyDirectory,
    context: &'a ParseContext,
    plan: ImportPlan,
    columns: Columns,
    header_seen: bool,
    assumed_noted: bool,
    /// Open sections, outermost first.
    sections: Vec<OpenSection>,
    /// Natural keys already used, with the line that used them first.
    natural_keys: HashMap<String, usize>,
}

impl Interpreter<'_> {
    fn info(&mut self, line: usize, reason: String) {
        self.plan.info.push(RowIssue { line, reason });
    }

    fn row(&mut self, row: &RawRow) -> RowKind {
        if let Some(columns) = Columns::from_header(&row.cells) {
            let reason = if !self.header_seen {
                format!("header row (kopregel): {}", columns.describe())
            } else if self.columns.same_roles(&columns) {
                "repeated header row skipped (kopregel herhaald, e.g. after a page break)"
                    .to_owned()
            } else {
                format!("new header row: columns are now {}", columns.describe())
            };
            self.info(row.line, reason);
            self.columns = columns;
            self.header_seen = true;
            return RowKind::Header;
        }
        if !self.header_seen && !self.assumed_noted {
            self.assumed_noted = true;
            let reason = format!(
                "no header row found before this line; assumed columns {}",
                self.columns.describe()
            );
            self.info(row.line, reason);
        }
        if let Some(heading) = self.heading(row) {
            self.open_section(heading, row.line);
            return RowKind::Section;
        }
        self.milestone(row)
    }

    /// The heading in a row, if the row is a section row (see the module documentation).
    fn heading(&self, row: &RawRow) -> Option<Heading> {
        let filled: Vec<(usize, &String)> = row
            .cells
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.trim().is_empty())
            .collect();
        let title_column = self.columns.index(Role::Title).unwrap_or(0);
        if filled
            .iter()
            .any(|(_, text)| unreadable(&clean(text)).is_some())
        {
            return None;
        }
        match filled.as_slice() {
            [(0, text)] if title_column != 0 => Some(plain_heading(text)),
            [(index, text)] if *index == title_column => {
                Some(marked_heading(text).unwrap_or_else(|| plain_heading(text)))
            }
            [(first, a), (second, b)] => {
                let number_column = self.columns.index(Role::Number)?;
                let (number, title) = match (*first == number_column, *second == number_column) {
                    (true, false) if *second == title_column => (a, b),
                    (false, true) if *first == title_column => (b, a),
                    _ => return None,
                };
                if emphasis(title).0 == Emphasis::None {
                    return None;
                }
                let heading = marked_heading(title)?;
                if heading.number().is_some() {
                    return Some(heading);
                }
                let number = clean(number);
                let numbered = format!("{number} {}", heading.title);
                Some(marked_heading(&numbered).unwrap_or(heading))
            }
            _ => None,
        }
    }

    fn open_section(&mut self, heading: Heading, line: usize) {
        let closes = |open: &OpenSection| match heading.kind {
            HeadingKind::Numbered(depth) => open.level >= depth,
            HeadingKind::Marked => true,
            HeadingKind::Plain => matches!(open.kind, HeadingKind::Plain | HeadingKind::Italic),
            HeadingKind::Italic => open.kind == HeadingKind::Italic,
        };
        while self.sections.last().is_some_and(closes) {
            self.sections.pop();
        }
        let parent = self.sections.last();
        let parent_key = parent.map(|open| open.key.clone());
        let level = match heading.kind {
            HeadingKind::Numbered(depth) => depth,
            _ => parent.map_or(1, |open| open.level + 1),
        };
        let base_key = match (&heading.kind, &parent_key) {
            (HeadingKind::Plain | HeadingKind::Italic, Some(parent)) => {
                format!("{parent}/{}", heading.key)
            }
            _ => heading.key.clone(),
        };
        let key = self.unique_section_key(&base_key, line);
        self.plan.action_lines.push(PlannedActionLine {
            key: key.clone(),
            title: heading.title.clone(),
            line,
            parent_key,
            number: heading.number().map(str::to_owned),
            level,
        });
        self.sections.push(OpenSection {
            level,
            key,
            kind: heading.kind,
        });
    }

    /// Notes every heading that has neither milestones nor sub-lines below it.
    fn note_empty_sections(&mut self) {
        let empty: Vec<(usize, String)> = self
            .plan
            .action_lines
            .iter()
            .filter(|line| {
                !self
                    .plan
                    .milestones
                    .iter()
                    .any(|m| m.action_line_key.as_deref() == Some(line.key.as_str()))
                    && !self
                        .plan
                        .action_lines
                        .iter()
                        .any(|a| a.parent_key.as_deref() == Some(line.key.as_str()))
            })
            .map(|line| (line.line, line.title.clone()))
            .collect();
        for (line, title) in empty {
            self.info(
                line,
                format!(
                    "heading {title:?} has no milestones below it (kop zonder mijlpalen); if it \
                     is a milestone, give it a due date or a party"
                ),
            );
        }
    }

    fn unique_section_key(&mut self, key: &str, line: usize) -> String {
        let taken = |k: &str, plan: &ImportPlan| plan.action_lines.iter().any(|a| a.key == k);
        if !taken(key, &self.plan) {
            return key.to_owned();
        }
        let mut n = 2;
        while taken(&format!("{key}-{n}"), &self.plan) {
            n += 1;
        }
        let unique = format!("{key}-{n}");
        self.info(
            line,
            format!("section number {key:?} was already used; this section is keyed {unique:?}"),
        );
        unique
    }

    fn cell(&self, row: &RawRow, role: Role) -> Option<String> {
        let index = self.columns.index(role)?;
        let text = clean(row.cells.get(index)?);
        (!text.is_empty()).then_some(text)
    }

    fn milestone(&mut self, row: &RawRow) -> RowKind {
        let title = self
            .cell(row, Role::Title)
            .map(|title| emphasis(&title).1)
            .unwrap_or_default();
        if let Some(reason) = unreadable(&title) {
            self.plan.errors.push(RowIssue {
                line: row.line,
                reason,
            });
            return RowKind::Error;
        }
        let title_column = self.columns.index(Role::Title).unwrap_or(0);
        let due_text = self.cell(row, Role::Due).unwrap_or_default();
        let due = fuzzy_date::parse(&due_text, self.context);
        let mut parties = RowParties::default();
        for (role, all_lead) in [(Role::Parties, false), (Role::Lead, true)] {
            if let Some(index) = self.columns.index(role) {
                if let Some(cell) = row.cells.get(index) {
                    parties.add_cell(cell, all_lead, self.parties);
                }
            }
        }
        let status = self.cell(row, Role::Status);
        let mut notes = Vec::new();
        for (index, cell) in row.cells.iter().enumerate() {
            let text = clean(cell);
            if text.is_empty() || index == title_column {
                continue;
            }
            match self.columns.role(index) {
                Some(Role::Note) => notes.push(text),
                None => notes.push(format!("{}: {text}", self.columns.name(index))),
                Some(_) => {}
            }
        }
        let note = (!notes.is_empty()).then(|| notes.join("; "));
        let action_line_key = match self.cell(row, Role::ActionLine) {
            Some(value) => Some(self.column_action_line(&value, row.line)),
            None => self.sections.last().map(|open| open.key.clone()),
        };

        let mut reasons = Vec::new();
        let title_only =
            due_text.is_empty() && parties.is_empty() && status.is_none() && note.is_none();
        if title_only {
            reasons.push(
                "only a title (alleen onderwerp): no due date, party or status; check whether \
                 this is a heading or a milestone"
                    .to_owned(),
            );
        } else {
            reasons.extend(quality_reasons(&due, &parties));
        }
        let base_key = format!(
            "{}/{}",
            action_line_key.as_deref().unwrap_or("-"),
            slug(&title)
        );
        let natural_key = match self.natural_keys.get(&base_key) {
            None => {
                self.natural_keys.insert(base_key.clone(), row.line);
                base_key
            }
            Some(first) => {
                reasons.push(format!(
                    "same action line and title as line {first}: imported as a separate milestone"
                ));
                let mut n = 2;
                while self.natural_keys.contains_key(&format!("{base_key}#{n}")) {
                    n += 1;
                }
                let key = format!("{base_key}#{n}");
                self.natural_keys.insert(key.clone(), row.line);
                key
            }
        };
        if !reasons.is_empty() {
            self.plan.flagged.push(RowIssue {
                line: row.line,
                reason: reasons.join("; "),
            });
        }
        self.plan.milestones.push(PlannedMilestone {
            line: row.line,
            action_line_key,
            title,
            due,
            lead: parties.lead,
            contributors: parties.contributors,
            unknown_parties: parties.unknown,
            status,
            note,
            natural_key,
        });
        RowKind::Milestone
    }

    /// The key for an action-line column value, creating the action line on first use.
    fn column_action_line(&mut self, value: &str, line: usize) -> String {
        let heading = plain_heading(value);
        if !self.plan.action_lines.iter().any(|a| a.key == heading.key) {
            self.plan.action_lines.push(PlannedActionLine {
                key: heading.key.clone(),
                number: heading.number().map(str::to_owned),
                title: heading.title,
                line,
                parent_key: None,
                level: 1,
            });
        }
        heading.key
    }
}

/// Data-quality reasons for a milestone row with more than a title.
fn quality_reasons(due: &FuzzyDate, parties: &RowParties) -> Vec<String> {
    let mut reasons = Vec::new();
    if due.raw.is_empty() {
        reasons.push("no due date (geen datum)".to_owned());
    } else {
        let flags = due.flags();
        if !flags.is_empty() {
            let described: Vec<&str> = flags.iter().map(|f| f.describe()).collect();
            reasons.push(format!("due date {:?}: {}", due.raw, described.join(", ")));
        }
    }
    if parties.is_empty() {
        reasons.push("no responsible party (geen verantwoordelijke)".to_owned());
    } else if !parties.lead_marked {
        reasons.push(
            "lead party unknown (trekker onbekend): no party is underlined or marked as lead, \
             so all are recorded as contributors"
                .to_owned(),
        );
    }
    for name in &parties.unknown {
        reasons.push(format!(
            "unknown party {name:?} (onbekende partij): kept as text, not linked to a party"
        ));
    }
    reasons
}

/// Why a title cannot be imported, if it cannot.
fn unreadable(title: &str) -> Option<String> {
    const SPREADSHEET_ERRORS: &[&str] = &[
        "#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#DATA!",
    ];
    if title.is_empty() {
        return Some(
            "no title (onderwerp): the row has other cells filled in but does not say what the \
             milestone is"
                .to_owned(),
        );
    }
    if let Some(error) = SPREADSHEET_ERRORS.iter().find(|e| title.starts_with(**e)) {
        return Some(format!(
            "the title cell holds the spreadsheet error {error} (a broken formula or reference)"
        ));
    }
    if title
        .chars()
        .any(|c| c == '\u{fffd}' || (c.is_control() && c != '\t'))
    {
        return Some(
            "the title contains unreadable characters (check the file's character encoding)"
                .to_owned(),
        );
    }
    None
}

/// Markup removed, line breaks and runs of spaces collapsed.
fn clean(cell: &str) -> String {
    strip_tags(cell)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
