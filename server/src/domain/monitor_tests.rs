use super::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn item(id: i64, body: i64, status: MilestoneStatus, due: Option<&str>, lead: &str) -> Item {
    Item {
        id,
        body_id: body,
        body: format!("body {body}"),
        title: format!("m{id}"),
        status,
        due_raw: due.unwrap_or("?").to_owned(),
        due: due.map(day),
        start: None,
        created_on: day("2026-01-01"),
        follows: None,
        predecessor_due: None,
        predecessor_slipped: false,
        action_line_id: None,
        action_line: None,
        owners: vec![
            ItemOwner {
                code: lead.to_owned(),
                role: OwnerRole::Lead,
            },
            ItemOwner {
                code: "NZa".to_owned(),
                role: OwnerRole::Contributor,
            },
        ],
        owing: vec![lead.to_owned(), "NZa".to_owned()],
        leading: vec![lead.to_owned()],
        moved: None,
        done_on: None,
    }
}

fn names() -> BTreeMap<String, String> {
    [("ZIN", "Zorginstituut"), ("NZa", "Zorgautoriteit")]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
}

fn sample() -> Vec<Item> {
    use MilestoneStatus::*;
    let mut done = item(4, 2, Gereed, Some("2026-04-01"), "ZIN");
    done.done_on = Some(day("2026-04-20"));
    let mut old_done = item(5, 2, Gereed, Some("2025-01-01"), "ZIN");
    old_done.done_on = Some(day("2025-01-02"));
    vec![
        item(1, 1, OpKoers, Some("2026-05-10"), "ZIN"),
        item(2, 1, Gepland, Some("2026-04-01"), "VWS"),
        item(3, 2, Verschoven, Some("2026-09-30"), "ZIN"),
        done,
        old_done,
        item(6, 2, Gepland, None, "VWS"),
    ]
}

#[test]
fn counts_use_the_dashboard_buckets() {
    let today = day("2026-05-01");
    let m = build(&sample(), &Filter::default(), today, &names());
    assert_eq!(
        m.overall,
        Counts {
            total: 6,
            open: 4,
            due_soon: 1,
            late: 1,
            moved: 1,
            done: 2
        }
    );
    // the body rows add up to the whole
    let total: usize = m.by_body.iter().map(|r| r.counts.total).sum();
    let late: usize = m.by_body.iter().map(|r| r.counts.late).sum();
    assert_eq!((total, late), (6, 1));
    assert_eq!(
        m.due_soon.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [1]
    );
    assert_eq!(m.late.items.iter().map(|i| i.id).collect::<Vec<_>>(), [2]);
    assert_eq!(m.moved.items.iter().map(|i| i.id).collect::<Vec<_>>(), [3]);
    // only the recent one
    assert_eq!(
        m.recently_done
            .items
            .iter()
            .map(|i| i.id)
            .collect::<Vec<_>>(),
        [4]
    );
    let q: Vec<&str> = m.by_quarter.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(q, ["2025-Q1", "2026-Q2", "2026-Q3", "onbekend"]);
    let nza = m.by_party.iter().find(|r| r.key == "NZa").unwrap();
    assert_eq!(nza.name, "Zorgautoriteit");
    assert_eq!(nza.counts.total, 6);
}

#[test]
fn owes_lists_open_lead_milestones_with_the_others() {
    let m = build(&sample(), &Filter::default(), day("2026-05-01"), &names());
    let zin = m.owes.iter().find(|p| p.code == "ZIN").unwrap();
    assert_eq!(
        zin.owed.items.iter().map(|o| o.id).collect::<Vec<_>>(),
        [1, 3]
    );
    assert_eq!(zin.owed.items[0].with, ["NZa"]);
    assert_eq!(zin.owed.items[0].body, "body 1");
    // NZa only contributes
    assert!(m.owes.iter().all(|p| p.code != "NZa"));
}

#[test]
fn filters() {
    let today = day("2026-05-01");
    let by_party = Filter {
        party: Some("vws".into()),
        ..Filter::default()
    };
    assert_eq!(
        build(&sample(), &by_party, today, &names()).overall.total,
        2
    );
    let by_quarter = Filter {
        quarter: Some(parse_quarter("quarter", "2026-q2").unwrap()),
        ..Filter::default()
    };
    assert_eq!(
        build(&sample(), &by_quarter, today, &names()).overall.total,
        3
    );
    let late = Filter {
        status: Some(StatusFilter::parse("status", "late").unwrap()),
        body: Some(1),
        ..Filter::default()
    };
    assert_eq!(build(&sample(), &late, today, &names()).overall.total, 1);
    assert!(parse_quarter("quarter", "2026-Q5").is_err());
    assert_eq!(
        StatusFilter::parse("status", "nope").unwrap_err().field,
        "status"
    );
}

#[test]
fn timeline_spans_start_from_start_predecessor_or_creation() {
    let mut items = sample();
    items[0].start = Some(day("2026-03-01"));
    items[1].predecessor_due = Some(day("2026-02-01"));
    let m = build(&items, &Filter::default(), day("2026-05-01"), &names());
    let span = |id| m.timeline.items.iter().find(|s| s.id == id).unwrap();
    assert_eq!(
        (span(1).from, span(1).from_source),
        (day("2026-03-01"), "start")
    );
    assert_eq!(
        (span(2).from, span(2).from_source),
        (day("2026-02-01"), "predecessor")
    );
    assert_eq!(
        (span(3).from, span(3).from_source),
        (day("2026-01-01"), "created")
    );
    // no deadline, no span
    assert!(m.timeline.items.iter().all(|s| s.id != 6));
}

#[test]
fn lists_are_capped() {
    let items: Vec<Item> = (0..(MAX_LIST as i64 + 5))
        .map(|i| item(i, 1, MilestoneStatus::Gepland, Some("2026-01-01"), "ZIN"))
        .collect();
    let m = build(&items, &Filter::default(), day("2026-05-01"), &names());
    assert_eq!(m.late.items.len(), MAX_LIST);
    assert!(m.late.truncated);
    assert_eq!(m.overall.late, MAX_LIST + 5);
    let zin = m.owes.iter().find(|p| p.code == "ZIN").unwrap();
    assert!(zin.owed.truncated);
}

#[test]
fn slipped_predecessors() {
    use MilestoneStatus::*;
    let today = day("2026-05-01");
    // late
    assert!(predecessor_slipped(
        Gepland,
        Some(day("2026-04-01")),
        None,
        today
    ));
    // moved past the start
    assert!(predecessor_slipped(
        Verschoven,
        Some(day("2026-07-01")),
        Some(day("2026-06-01")),
        today
    ));
    // in time
    assert!(!predecessor_slipped(
        OpKoers,
        Some(day("2026-05-20")),
        Some(day("2026-06-01")),
        today
    ));
    // done predecessors never slip
    assert!(!predecessor_slipped(
        Gereed,
        Some(day("2026-04-01")),
        None,
        today
    ));
    assert!(predecessor_slipped(
        TeLaat,
        Some(day("2026-06-01")),
        None,
        today
    ));
}
