use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn milestone(id: i64, status: MilestoneStatus, deadline: Option<NaiveDate>) -> MilestoneInput {
    MilestoneInput {
        id,
        body_id: 1,
        title: format!("Mijlpaal {id}"),
        action_line: None,
        status,
        due: deadline.map_or_else(|| "onbekend".into(), |d| d.to_string()),
        deadline,
        leads: vec!["ZIN".into()],
    }
}

fn body_scope() -> Scope {
    Scope {
        kind: "body".into(),
        body_id: Some(1),
    }
}

fn build_q3(
    milestones: &[MilestoneInput],
    changes: &[ChangeInput],
    previous: Option<(i64, &ReportContent)>,
) -> ReportContent {
    let period = ReportPeriod::parse("2026-q3").unwrap();
    build(&ReportInput {
        period: &period,
        scope: body_scope(),
        today: d(2026, 10, 5),
        bodies: &[(1, "Werkgroep".into())],
        milestones,
        changes,
        previous,
    })
}

#[test]
fn periods_are_quarters_halves_or_years() {
    let q3 = ReportPeriod::parse(" 2026-q3 ").unwrap();
    assert_eq!(
        (q3.name.as_str(), q3.from, q3.to),
        ("2026-Q3", d(2026, 7, 1), d(2026, 9, 30))
    );
    assert_eq!(
        q3.next(),
        Period {
            from: Some(d(2026, 10, 1)),
            to: Some(d(2026, 12, 31))
        }
    );
    let h2 = ReportPeriod::parse("2026-H2").unwrap();
    assert_eq!(h2.next().to, Some(d(2027, 6, 30)));
    let year = ReportPeriod::parse("2026").unwrap();
    assert_eq!(year.next().from, Some(d(2027, 1, 1)));
    assert_eq!(year.next().to, Some(d(2027, 12, 31)));
    for bad in ["", "2026-07", "2026-Q5", "Q3", "2026-H3", "26-Q1"] {
        let error = ReportPeriod::parse(bad).unwrap_err();
        assert_eq!(error.field, "period", "{bad}");
    }
}

#[test]
fn sections_follow_the_history_and_the_period() {
    let milestones = [
        // done in Q3 by its history
        milestone(1, MilestoneStatus::Gereed, Some(d(2026, 6, 30))),
        // done, but in Q2
        milestone(2, MilestoneStatus::Gereed, Some(d(2026, 8, 1))),
        // late: open, deadline before the end of Q3
        milestone(3, MilestoneStatus::OpKoers, Some(d(2026, 9, 1))),
        // due in Q4
        milestone(4, MilestoneStatus::Verschoven, Some(d(2026, 11, 15))),
        // done without history: its deadline is in Q3
        milestone(5, MilestoneStatus::Gereed, Some(d(2026, 7, 20))),
        // no deadline: in no dated section
        milestone(6, MilestoneStatus::Gepland, None),
    ];
    let change = |id: i64, to: &str, day: NaiveDate, new_due: Option<&str>| ChangeInput {
        milestone_id: id,
        from: "op_koers".into(),
        to: to.into(),
        reason: new_due.map(|_| "Wachten op advies".into()),
        agreed_with: new_due.map(|_| "VWS".into()),
        old_due: new_due.map(|_| "Q3 2026".into()),
        new_due: new_due.map(str::to_owned),
        day,
    };
    let changes = [
        change(1, "gereed", d(2026, 7, 10), None),
        change(2, "gereed", d(2026, 6, 10), None),
        change(4, "verschoven", d(2026, 8, 3), Some("november 2026")),
        change(4, "verschoven", d(2026, 5, 3), Some("Q3 2026")),
    ];
    let report = build_q3(&milestones, &changes, None);
    let ids = |rows: &[Row]| rows.iter().map(|r| r.id).collect::<Vec<_>>();
    let body = &report.bodies[0];
    assert_eq!(ids(&body.done), [1, 5]);
    assert_eq!(body.moved.len(), 1);
    assert_eq!(body.moved[0].id, 4);
    assert_eq!(body.moved[0].new_due.as_deref(), Some("november 2026"));
    assert_eq!(body.moved[0].reason.as_deref(), Some("Wachten op advies"));
    assert_eq!(body.moved[0].agreed_with.as_deref(), Some("VWS"));
    assert_eq!(ids(&body.late), [3]);
    assert_eq!(body.late[0].leads, ["ZIN"]);
    assert_eq!(ids(&body.due_next), [4]);
    assert_eq!(ids(&body.new), [1, 2, 3, 4, 5, 6]);
    assert_eq!(body.milestones.len(), 6);
    assert_eq!(report.as_of, "2026-09-30");
    assert_eq!(report.totals.done, 2);
    assert_eq!(report.totals.late, 1);
    assert_eq!(report.previous_report_id, None);

    // the next report knows what it has seen
    let mut more = milestones.to_vec();
    more.push(milestone(7, MilestoneStatus::Gepland, Some(d(2026, 12, 1))));
    let next = build_q3(&more, &changes, Some((9, &report)));
    assert_eq!(ids(&next.bodies[0].new), [7]);
    assert_eq!(next.previous_report_id, Some(9));
}

#[test]
fn late_is_judged_on_the_freezing_day_when_the_period_is_not_over() {
    let milestones = [
        milestone(1, MilestoneStatus::OpKoers, Some(d(2026, 7, 15))),
        milestone(2, MilestoneStatus::OpKoers, Some(d(2026, 8, 15))),
    ];
    let period = ReportPeriod::parse("2026-Q3").unwrap();
    let report = build(&ReportInput {
        period: &period,
        scope: body_scope(),
        today: d(2026, 8, 1),
        bodies: &[(1, "Werkgroep".into())],
        milestones: &milestones,
        changes: &[],
        previous: None,
    });
    assert_eq!(report.as_of, "2026-08-01");
    assert_eq!(report.bodies[0].late.len(), 1);
    assert_eq!(report.bodies[0].late[0].id, 1);
}

#[test]
fn the_hash_is_sha256_of_the_canonical_json_and_stable() {
    let milestones = [milestone(1, MilestoneStatus::Gepland, Some(d(2026, 8, 1)))];
    let report = build_q3(&milestones, &[], None);
    let (text, hash) = canonical(&report).unwrap();
    let (again, same) = canonical(&build_q3(&milestones, &[], None)).unwrap();
    assert_eq!(
        (text.as_str(), hash.as_str()),
        (again.as_str(), same.as_str())
    );
    assert_eq!(hash, crate::versions::content_hash(text.as_bytes()));
    assert!(!text.contains("\": ") && !text.contains(", \""));
    // keys are sorted: "as_of" comes before "bodies"
    assert!(text.find("\"as_of\"").unwrap() < text.find("\"bodies\"").unwrap());
    let parsed: ReportContent = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed, report);
}

#[test]
fn comparing_lists_exactly_what_changed() {
    let before = [
        milestone(1, MilestoneStatus::Gepland, Some(d(2026, 8, 1))),
        milestone(2, MilestoneStatus::OpKoers, Some(d(2026, 9, 1))),
        milestone(3, MilestoneStatus::OpKoers, Some(d(2026, 9, 1))),
        milestone(4, MilestoneStatus::Risico, Some(d(2026, 9, 1))),
    ];
    let mut after = before.to_vec();
    after.retain(|m| m.id != 3);
    after[0].status = MilestoneStatus::Gereed;
    after[1].deadline = Some(d(2026, 12, 1));
    after[1].due = "december 2026".into();
    after.push(milestone(5, MilestoneStatus::Gepland, None));
    let from = build_q3(&before, &[], None);
    let to = build_q3(&after, &[], None);
    let diff = compare(&from, &to);
    assert_eq!(diff.added.iter().map(|r| r.id).collect::<Vec<_>>(), [5]);
    assert_eq!(diff.removed.iter().map(|r| r.id).collect::<Vec<_>>(), [3]);
    assert_eq!(
        diff.status_changed,
        [StatusChanged {
            id: 1,
            title: "Mijlpaal 1".into(),
            from: "gepland".into(),
            to: "gereed".into()
        }]
    );
    assert_eq!(diff.date_moved.len(), 1);
    assert_eq!(diff.date_moved[0].id, 2);
    assert_eq!(diff.date_moved[0].to, "december 2026");
    assert_eq!(compare(&to, &to), Comparison::default());
}
