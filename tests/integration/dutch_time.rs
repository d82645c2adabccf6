//! Dutch time in the date rules, across both daylight-saving changes of 2026 (summer time from
//! Sunday 29 March, winter time again from Sunday 25 October): reminders fall due at 08:00 in
//! Amsterdam (07:00 UTC in winter, 06:00 UTC in summer), "today" changes at midnight in
//! Amsterdam, and working days are counted from the Dutch day. The scheduler is driven by
//! chosen moments; nothing sleeps.

use polder::scheduler::{Report, Scheduler, SchedulerSettings};
use serde_json::json;

use crate::api::{Api, WorkingGroup};
use crate::escalation::{app_without_scheduler, at, milestone};
use crate::helpers::{backend_tests, Backend};

backend_tests!(
    reminders_fall_due_at_eight_in_amsterdam_on_both_sides_of_each_change,
    the_day_changes_at_midnight_in_amsterdam_not_at_midnight_utc,
);

/// The reminder stages (`d-1`, `d0`, …) of `milestone` that `report` sent.
fn stages(report: &Report, milestone: i64) -> Vec<String> {
    let prefix = format!("reminder:milestone:{milestone}:");
    report
        .keys
        .iter()
        .filter_map(|k| k.strip_prefix(&prefix))
        .map(|rest| rest.split(':').nth(1).unwrap_or_default().to_owned())
        .collect()
}

async fn reminders_fall_due_at_eight_in_amsterdam_on_both_sides_of_each_change(backend: Backend) {
    let app = app_without_scheduler(backend).await;
    let group = WorkingGroup::seed(&app).await;
    // Due Monday 30 March (summer time): d-1 is Friday 27 March (winter time).
    let spring = milestone(
        &app,
        group.body_id,
        "Voorjaar",
        "2026-03-30",
        "2026-03-20T09:00:00Z",
        &["ZIN"],
    )
    .await;
    // Due Monday 26 October (winter time): d-1 is Friday 23 October (summer time).
    let autumn = milestone(
        &app,
        group.body_id,
        "Najaar",
        "2026-10-26",
        "2026-10-20T09:00:00Z",
        &["ZIN"],
    )
    .await;
    let scheduler = Scheduler::new((*app.storage).clone(), SchedulerSettings::default());
    assert_eq!(scheduler.settings().reminder_hour, 8);

    let run = async |moment: &str, milestone: i64| {
        let report = scheduler.run_due(at(moment)).await;
        assert_eq!(report.errors, 0, "{moment}: {report:?}");
        stages(&report, milestone)
    };
    let none: Vec<String> = Vec::new();
    // Friday 27 March, winter time: 08:00 is 07:00 UTC.
    assert_eq!(
        run("2026-03-27T06:59:00Z", spring).await,
        none,
        "07:59 in Amsterdam"
    );
    assert_eq!(run("2026-03-27T07:00:00Z", spring).await, ["d-1"]);
    // Monday 30 March, summer time: 08:00 is 06:00 UTC.
    assert_eq!(
        run("2026-03-30T05:59:00Z", spring).await,
        none,
        "07:59 in Amsterdam"
    );
    assert_eq!(run("2026-03-30T06:00:00Z", spring).await, ["d0"]);
    // Friday 23 October, still summer time: 06:00 UTC.
    assert_eq!(
        run("2026-10-23T05:59:00Z", autumn).await,
        none,
        "07:59 in Amsterdam"
    );
    assert_eq!(run("2026-10-23T06:00:00Z", autumn).await, ["d-1"]);
    // Monday 26 October, winter time again: 07:00 UTC.
    assert_eq!(
        run("2026-10-26T06:00:00Z", autumn).await,
        none,
        "07:00 in Amsterdam"
    );
    assert_eq!(
        run("2026-10-26T06:59:00Z", autumn).await,
        none,
        "07:59 in Amsterdam"
    );
    assert_eq!(run("2026-10-26T07:00:00Z", autumn).await, ["d0"]);

    // Across each weekend of a change, Friday is one working day before Monday.
    let joost = Api::sign_in(&app, "joost@zin.demo", polder::demo::DEMO_PASSWORD).await;
    let inbox = joost.get("/api/notifications?limit=200").await;
    let kinds: Vec<(String, serde_json::Value)> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["key"].as_str().unwrap().contains(":d-1:"))
        .map(|i| {
            (
                i["subject_ref"].as_str().unwrap().to_owned(),
                i["notification"]["kind"].clone(),
            )
        })
        .collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    for (subject, kind) in kinds {
        assert_eq!(
            kind,
            json!({ "type": "reminder", "days_before": 1 }),
            "{subject}"
        );
    }
}

async fn the_day_changes_at_midnight_in_amsterdam_not_at_midnight_utc(backend: Backend) {
    let app = app_without_scheduler(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let respond_by = async |moment: &str| {
        app.storage
            .first_respond_by(group.body_id, at(moment))
            .await
            .unwrap()
            .to_string()
    };
    // A working group answers within 10 working days of the day a dispute is raised.
    // Tuesday 14 July, 23:30 in Amsterdam (21:30 UTC): still Tuesday.
    assert_eq!(respond_by("2026-07-14T21:30:00Z").await, "2026-07-28");
    // 23:30 UTC is 01:30 on Wednesday 15 July in Amsterdam.
    assert_eq!(respond_by("2026-07-14T23:30:00Z").await, "2026-07-29");
    // In winter midnight is 23:00 UTC: 22:30 UTC on Tuesday 1 December is still Tuesday.
    assert_eq!(respond_by("2026-12-01T22:30:00Z").await, "2026-12-15");
    assert_eq!(respond_by("2026-12-01T23:30:00Z").await, "2026-12-16");
    // Raised at 23:30 UTC on Thursday 26 March (00:30 on Friday in Amsterdam): counted from
    // Friday, across the change and Easter Monday (6 April), to Monday 13 April; an hour
    // earlier it is still Thursday, and the answer is due on Friday 10 April.
    assert_eq!(respond_by("2026-03-26T23:30:00Z").await, "2026-04-13");
    assert_eq!(respond_by("2026-03-26T22:30:00Z").await, "2026-04-10");

    // A milestone due Wednesday 15 July, with reminders at midnight Dutch time: its on-the-day
    // reminder goes out at 22:00 UTC on the 14th, when it is the 15th in Amsterdam.
    let id = milestone(
        &app,
        group.body_id,
        "Middernacht",
        "2026-07-15",
        "2026-07-14T08:00:00Z",
        &["ZIN"],
    )
    .await;
    let settings = SchedulerSettings {
        reminder_hour: 0,
        ..SchedulerSettings::default()
    };
    let scheduler = Scheduler::new((*app.storage).clone(), settings);
    let first = scheduler.run_due(at("2026-07-14T21:59:00Z")).await;
    assert!(!stages(&first, id).contains(&"d0".to_owned()), "{first:?}");
    let report = scheduler.run_due(at("2026-07-14T23:30:00Z")).await;
    assert_eq!(stages(&report, id), ["d0"], "{report:?}");
}
