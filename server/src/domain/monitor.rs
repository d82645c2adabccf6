//! The programme monitor: milestones across every body a person may read, counted and grouped.
//!
//! Buckets are those of the per-body dashboard ([`milestone_status::bucket`]), so a body's
//! counts here equal its dashboard's. On top of them: **moved** (open and `verschoven`) and
//! **done** (`gereed`). Quarters are those of the deadline (`latest`); a milestone without one
//! is in the quarter `onbekend`.
//!
//! A party **owes** a milestone it owns, or one owned by a collective it belongs to (as on the
//! dashboard); **what it owes and to whom** lists the open milestones it leads, with the body
//! and the other parties involved.
//!
//! The timeline gives each milestone with a deadline a span: from its start date when it has
//! one, else from its predecessor's deadline when it follows one, else from the day it was
//! created; to its deadline.
//!
//! Every list is capped ([`MAX_LIST`], [`MAX_TIMELINE`], [`MAX_OWED`]) and says `truncated`.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use super::milestone_status::{self, Bucket, MilestoneStatus};
use super::owner_role::OwnerRole;
use super::validate::Invalid;

/// The most milestones in each list.
pub const MAX_LIST: usize = 200;
/// The most spans in the timeline.
pub const MAX_TIMELINE: usize = 500;
/// The most milestones listed per party under "what it owes".
pub const MAX_OWED: usize = 50;
/// How far back "recently done" looks, in days.
pub const RECENT_DAYS: u64 = 90;

/// An owner as the monitor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemOwner {
    /// Party code.
    pub code: String,
    /// `lead` or `contributor`.
    pub role: OwnerRole,
}

/// The latest rescheduling of a milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// Why.
    pub reason: Option<String>,
    /// With whom it was agreed.
    pub agreed_with: Option<String>,
    /// The due date before.
    pub old_due: Option<String>,
    /// The newly agreed due date.
    pub new_due: Option<String>,
    /// The day it was recorded.
    pub on: NaiveDate,
}

/// One milestone as the monitor counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Milestone id.
    pub id: i64,
    /// Its body.
    pub body_id: i64,
    /// The body's name.
    pub body: String,
    /// Title.
    pub title: String,
    /// Status.
    pub status: MilestoneStatus,
    /// The due date as written.
    pub due_raw: String,
    /// The deadline.
    pub due: Option<NaiveDate>,
    /// The start, when given.
    pub start: Option<NaiveDate>,
    /// The day it was created.
    pub created_on: NaiveDate,
    /// The milestone it follows.
    pub follows: Option<i64>,
    /// The predecessor's deadline.
    pub predecessor_due: Option<NaiveDate>,
    /// The predecessor is late or moved past this milestone's start.
    pub predecessor_slipped: bool,
    /// The action line.
    pub action_line_id: Option<i64>,
    /// Its title.
    pub action_line: Option<String>,
    /// Owners.
    pub owners: Vec<ItemOwner>,
    /// Parties that owe it: owners and members of collective owners.
    #[serde(skip)]
    pub owing: Vec<String>,
    /// Parties that lead it: lead owners and members of collective lead owners.
    #[serde(skip)]
    pub leading: Vec<String>,
    /// The latest rescheduling.
    pub moved: Option<Move>,
    /// The day it was done.
    pub done_on: Option<NaiveDate>,
}

/// Counts of one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// All milestones.
    pub total: usize,
    /// Not `gereed` or `vervallen`.
    pub open: usize,
    /// Due within the dashboard's window.
    pub due_soon: usize,
    /// Past the deadline.
    pub late: usize,
    /// Open and rescheduled (`verschoven`).
    pub moved: usize,
    /// `gereed`.
    pub done: usize,
}

impl Counts {
    fn add(&mut self, item: &Item, bucket: Option<Bucket>) {
        self.total += 1;
        if item.status.is_open() {
            self.open += 1;
        }
        match bucket {
            Some(Bucket::DueSoon) => self.due_soon += 1,
            Some(Bucket::Late) => self.late += 1,
            None => {}
        }
        if item.status == MilestoneStatus::Verschoven {
            self.moved += 1;
        }
        if item.status == MilestoneStatus::Gereed {
            self.done += 1;
        }
    }
}

/// Which milestones to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// In this body.
    pub body: Option<i64>,
    /// Owed by this party (code).
    pub party: Option<String>,
    /// In this action line.
    pub action_line: Option<i64>,
    /// With the deadline in this quarter (`2026-Q3`, or `onbekend`).
    pub quarter: Option<String>,
    /// In this bucket or status.
    pub status: Option<StatusFilter>,
}

/// A bucket or a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Due soon.
    DueSoon,
    /// Late.
    Late,
    /// Open and rescheduled.
    Moved,
    /// Done.
    Done,
    /// Open.
    Open,
    /// This status.
    Status(MilestoneStatus),
}

impl StatusFilter {
    /// Reads `due_soon`, `late`, `moved`, `done`, `open` or a status name.
    ///
    /// # Errors
    /// [`Invalid`] naming `field`.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "due_soon" => Ok(Self::DueSoon),
            "late" => Ok(Self::Late),
            "moved" => Ok(Self::Moved),
            "done" => Ok(Self::Done),
            "open" => Ok(Self::Open),
            other => MilestoneStatus::parse(other).map(Self::Status).ok_or_else(|| Invalid {
                field,
                message: format!(
                    "unknown bucket or status {raw:?}; use due_soon, late, moved, done, open or a status such as op_koers"
                ),
            }),
        }
    }

    fn matches(self, item: &Item, bucket: Option<Bucket>) -> bool {
        match self {
            Self::DueSoon => bucket == Some(Bucket::DueSoon),
            Self::Late => bucket == Some(Bucket::Late),
            Self::Moved => item.status == MilestoneStatus::Verschoven,
            Self::Done => item.status == MilestoneStatus::Gereed,
            Self::Open => item.status.is_open(),
            Self::Status(status) => item.status == status,
        }
    }
}

/// The quarter of a deadline: `2026-Q3`, or `onbekend` without one.
pub fn quarter_of(day: Option<NaiveDate>) -> String {
    match day {
        Some(d) => format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1),
        None => "onbekend".to_owned(),
    }
}

/// Checks a quarter filter (`2026-Q3` or `onbekend`).
///
/// # Errors
/// [`Invalid`] naming `field`.
pub fn parse_quarter(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let raw = raw.trim().to_uppercase();
    let ok = raw == "ONBEKEND"
        || (raw.len() == 7
            && raw[..4].chars().all(|c| c.is_ascii_digit())
            && &raw[4..6] == "-Q"
            && matches!(&raw[6..], "1" | "2" | "3" | "4"));
    if !ok {
        return Err(Invalid {
            field,
            message: "a quarter is written as YYYY-QN, for example 2026-Q3".into(),
        });
    }
    Ok(if raw == "ONBEKEND" {
        "onbekend".to_owned()
    } else {
        raw
    })
}

/// Whether a dependent milestone's predecessor slipped: it is open and late (its deadline
/// before today, or status `te_laat`), or its deadline lies after the dependent's start.
pub fn predecessor_slipped(
    status: MilestoneStatus,
    predecessor_due: Option<NaiveDate>,
    start: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    if !status.is_open() {
        return false;
    }
    if status == MilestoneStatus::TeLaat
        || milestone_status::bucket(status, predecessor_due, today) == Some(Bucket::Late)
    {
        return true;
    }
    matches!((predecessor_due, start), (Some(due), Some(start)) if due > start)
}

/// A list with whether it was cut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capped<T> {
    /// The entries.
    pub items: Vec<T>,
    /// Whether entries were left out.
    pub truncated: bool,
}

impl<T> Default for Capped<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            truncated: false,
        }
    }
}

impl<T> Capped<T> {
    fn push(&mut self, item: T, cap: usize) {
        if self.items.len() < cap {
            self.items.push(item);
        } else {
            self.truncated = true;
        }
    }
}

/// A group's counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row<K> {
    /// The group.
    pub key: K,
    /// Its name.
    pub name: String,
    /// Its counts.
    #[serde(flatten)]
    pub counts: Counts,
}

/// An action line's group: the body and the line (`None`: without one).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LineKey {
    /// The body.
    pub body_id: i64,
    /// The line.
    pub action_line_id: Option<i64>,
}

/// A milestone's span on the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// Milestone id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// The body's name.
    pub body: String,
    /// Status.
    pub status: MilestoneStatus,
    /// First day.
    pub from: NaiveDate,
    /// Deadline.
    pub to: NaiveDate,
    /// `start`, `predecessor` or `created`: where `from` comes from.
    pub from_source: &'static str,
    /// The predecessor slipped.
    pub predecessor_slipped: bool,
}

/// An open milestone a party leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owed {
    /// Milestone id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// To whom: the body.
    pub body_id: i64,
    /// Its name.
    pub body: String,
    /// Due as written.
    pub due_raw: String,
    /// Deadline.
    pub due: Option<NaiveDate>,
    /// Status.
    pub status: MilestoneStatus,
    /// The other owner parties.
    pub with: Vec<String>,
}

/// What one party owes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartyOwes {
    /// Party code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The open milestones it leads, by deadline.
    #[serde(flatten)]
    pub owed: Capped<Owed>,
}

/// The monitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Monitor {
    /// The day counted on.
    pub today: NaiveDate,
    /// Over everything shown.
    pub overall: Counts,
    /// Per body.
    pub by_body: Vec<Row<i64>>,
    /// Per party that owes something.
    pub by_party: Vec<Row<String>>,
    /// Per action line (and per body without one).
    pub by_action_line: Vec<Row<LineKey>>,
    /// Per quarter of the deadline.
    pub by_quarter: Vec<Row<String>>,
    /// Open, due within the window.
    pub due_soon: Capped<Item>,
    /// Open, past the deadline.
    pub late: Capped<Item>,
    /// Open and rescheduled, with the latest move.
    pub moved: Capped<Item>,
    /// Done within [`RECENT_DAYS`], latest first.
    pub recently_done: Capped<Item>,
    /// Spans, by start.
    pub timeline: Capped<Span>,
    /// Per party: the open milestones it leads.
    pub owes: Vec<PartyOwes>,
}

fn keep(filter: &Filter, item: &Item, bucket: Option<Bucket>) -> bool {
    filter.body.is_none_or(|b| b == item.body_id)
        && filter
            .party
            .as_ref()
            .is_none_or(|p| item.owing.iter().any(|o| o.eq_ignore_ascii_case(p)))
        && filter
            .action_line
            .is_none_or(|l| item.action_line_id == Some(l))
        && filter
            .quarter
            .as_ref()
            .is_none_or(|q| *q == quarter_of(item.due))
        && filter.status.is_none_or(|s| s.matches(item, bucket))
}

fn add_row<'a, K: Ord + Clone>(
    rows: &'a mut BTreeMap<K, Row<K>>,
    key: K,
    name: &str,
) -> &'a mut Counts {
    &mut rows
        .entry(key.clone())
        .or_insert_with(|| Row {
            key,
            name: name.to_owned(),
            counts: Counts::default(),
        })
        .counts
}

/// Counts and groups `items` (already limited to what the person may read) on `today`.
/// `party_names` gives each party code its name.
pub fn build(
    items: &[Item],
    filter: &Filter,
    today: NaiveDate,
    party_names: &BTreeMap<String, String>,
) -> Monitor {
    let mut overall = Counts::default();
    let mut by_body = BTreeMap::new();
    let mut by_party = BTreeMap::new();
    let mut by_line = BTreeMap::new();
    let mut by_quarter = BTreeMap::new();
    let (mut due_soon, mut late, mut moved) = (Vec::new(), Vec::new(), Vec::new());
    let mut done = Vec::new();
    let mut spans = Vec::new();
    let mut owes: BTreeMap<String, Vec<Owed>> = BTreeMap::new();
    let recent_from = today
        .checked_sub_days(Days::new(RECENT_DAYS))
        .unwrap_or(today);
    for item in items {
        let bucket = milestone_status::bucket(item.status, item.due, today);
        if !keep(filter, item, bucket) {
            continue;
        }
        overall.add(item, bucket);
        add_row(&mut by_body, item.body_id, &item.body).add(item, bucket);
        for code in &item.owing {
            let name = party_names.get(code).map_or(code.as_str(), String::as_str);
            add_row(&mut by_party, code.clone(), name).add(item, bucket);
        }
        let line = LineKey {
            body_id: item.body_id,
            action_line_id: item.action_line_id,
        };
        let line_name = item.action_line.as_deref().unwrap_or("(zonder actielijn)");
        add_row(&mut by_line, line, line_name).add(item, bucket);
        let quarter = quarter_of(item.due);
        add_row(&mut by_quarter, quarter.clone(), &quarter).add(item, bucket);
        match bucket {
            Some(Bucket::DueSoon) => due_soon.push(item),
            Some(Bucket::Late) => late.push(item),
            None => {}
        }
        if item.status == MilestoneStatus::Verschoven {
            moved.push(item);
        }
        if item.status == MilestoneStatus::Gereed
            && item.done_on.is_some_and(|d| d >= recent_from && d <= today)
        {
            done.push(item);
        }
        if let Some(to) = item.due {
            let (from, from_source) = match (item.start, item.predecessor_due) {
                (Some(start), _) => (start, "start"),
                (None, Some(pred)) => (pred, "predecessor"),
                (None, None) => (item.created_on, "created"),
            };
            spans.push(Span {
                id: item.id,
                title: item.title.clone(),
                body: item.body.clone(),
                status: item.status,
                from: from.min(to),
                to,
                from_source,
                predecessor_slipped: item.predecessor_slipped,
            });
        }
        if item.status.is_open() {
            for code in &item.leading {
                owes.entry(code.clone()).or_default().push(Owed {
                    id: item.id,
                    title: item.title.clone(),
                    body_id: item.body_id,
                    body: item.body.clone(),
                    due_raw: item.due_raw.clone(),
                    due: item.due,
                    status: item.status,
                    with: item
                        .owners
                        .iter()
                        .filter(|o| o.code != *code)
                        .map(|o| o.code.clone())
                        .collect(),
                });
            }
        }
    }
    let by_due =
        |a: &&Item, b: &&Item| (a.due.is_none(), a.due, a.id).cmp(&(b.due.is_none(), b.due, b.id));
    due_soon.sort_by(by_due);
    late.sort_by(by_due);
    moved.sort_by(by_due);
    done.sort_by_key(|m| std::cmp::Reverse((m.done_on, m.id)));
    spans.sort_by_key(|s| (s.from, s.to, s.id));
    let capped = |list: Vec<&Item>| {
        let mut out = Capped::default();
        for item in list {
            out.push(item.clone(), MAX_LIST);
        }
        out
    };
    let mut timeline = Capped::default();
    for span in spans {
        timeline.push(span, MAX_TIMELINE);
    }
    let owes = owes
        .into_iter()
        .map(|(code, mut list)| {
            list.sort_by(|a, b| {
                (a.due.is_none(), a.due, a.id).cmp(&(b.due.is_none(), b.due, b.id))
            });
            let mut owed = Capped::default();
            for o in list {
                owed.push(o, MAX_OWED);
            }
            PartyOwes {
                name: party_names
                    .get(&code)
                    .cloned()
                    .unwrap_or_else(|| code.clone()),
                code,
                owed,
            }
        })
        .collect();
    Monitor {
        today,
        overall,
        by_body: by_body.into_values().collect(),
        by_party: by_party.into_values().collect(),
        by_action_line: by_line.into_values().collect(),
        by_quarter: by_quarter.into_values().collect(),
        due_soon: capped(due_soon),
        late: capped(late),
        moved: capped(moved),
        recently_done: capped(done),
        timeline,
        owes,
    }
}

#[cfg(test)]
#[path = "monitor_tests.rs"]
mod tests;
