use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn rule(text: &str) -> Rule {
    parse(text).unwrap_or_else(|| panic!("{text:?} should be a rule"))
}

fn days(amount: i64) -> Offset {
    Offset {
        amount,
        unit: Unit::Days,
    }
}

#[test]
fn offsets_and_bounds_are_read_as_documented() {
    let cases: &[(&str, Offset, bool, &str)] = &[
        (
            "uiterlijk twee weken voor het IZA-kwartaaloverleg",
            days(-14),
            true,
            "iza kwartaaloverleg",
        ),
        ("een week voor het BO", days(-7), true, "bo"),
        ("1 week vóór het BO", days(-7), true, "bo"),
        (
            "tien dagen voor de thematafel",
            days(-10),
            true,
            "thematafel",
        ),
        (
            "drie werkdagen voor het BO",
            Offset {
                amount: -3,
                unit: Unit::WorkingDays,
            },
            true,
            "bo",
        ),
        (
            "Vóór het IZA-kwartaaloverleg",
            days(-1),
            true,
            "iza kwartaaloverleg",
        ),
        ("voor de bestuurdersdag", days(-1), true, "bestuurdersdag"),
        ("na de thematafel", days(1), false, "thematafel"),
        ("twee weken na het BO", days(14), false, "bo"),
        ("op de thematafel", days(0), false, "thematafel"),
        ("tijdens het BO", days(0), false, "bo"),
        (
            "uiterlijk het IZA-kwartaaloverleg",
            days(0),
            true,
            "iza kwartaaloverleg",
        ),
        (
            "uiterlijk op de bestuurdersdag",
            days(0),
            true,
            "bestuurdersdag",
        ),
    ];
    for (text, offset, by, phrase) in cases {
        let got = rule(text);
        assert_eq!(got.offset, *offset, "{text}");
        assert_eq!(got.by, *by, "{text}");
        assert_eq!(got.phrase, *phrase, "{text}");
        assert_eq!(got.selector, Selector::Next, "{text}");
    }
}

#[test]
fn selectors_name_a_month_a_quarter_or_a_year() {
    let cases: &[(&str, &str, Selector)] = &[
        (
            "in het BO van juni",
            "bo",
            Selector::Month {
                month: 6,
                year: None,
            },
        ),
        (
            "in het BO van juni 2027",
            "bo",
            Selector::Month {
                month: 6,
                year: Some(2027),
            },
        ),
        (
            "voor het BO in sept",
            "bo",
            Selector::Month {
                month: 9,
                year: None,
            },
        ),
        (
            "voor de bestuurdersdag in Q3",
            "bestuurdersdag",
            Selector::Quarter {
                quarter: 3,
                year: None,
            },
        ),
        (
            "voor het BO in het derde kwartaal van 2028",
            "bo",
            Selector::Quarter {
                quarter: 3,
                year: Some(2028),
            },
        ),
        (
            "op het BO in q1 2029",
            "bo",
            Selector::Quarter {
                quarter: 1,
                year: Some(2029),
            },
        ),
        (
            "uiterlijk op het BO in 2028",
            "bo",
            Selector::Year { year: 2028 },
        ),
        // words that read as no selector stay part of the phrase
        (
            "op de thematafel van het zorginstituut",
            "thematafel van het zorginstituut",
            Selector::Next,
        ),
    ];
    for (text, phrase, selector) in cases {
        let got = rule(text);
        assert_eq!(got.phrase, *phrase, "{text}");
        assert_eq!(got.selector, *selector, "{text}");
    }
}

#[test]
fn calendar_dates_and_recurrences_are_no_rule() {
    for text in [
        "",
        "?",
        "Q3 2026",
        "in Q3 2026",
        "in 2026",
        "Elk kwartaal",
        "uiterlijk eind 2025",
        "twee weken",
        "twee weken voor",
        "voor",
        "voor 2026",
        "op",
    ] {
        assert_eq!(parse(text), None, "{text:?}");
    }
    assert_eq!(parse(&"voor het BO ".repeat(100)), None);
}

#[test]
fn names_match_case_hyphen_and_space_insensitively() {
    assert_eq!(
        normalise("  Het IZA-Kwartaaloverleg "),
        "iza kwartaaloverleg"
    );
    assert_eq!(
        name_score("iza kwartaaloverleg", "IZA-kwartaaloverleg"),
        Some((1, 19))
    );
    assert_eq!(
        name_score("iza kwartaaloverleg", "kwartaaloverleg"),
        Some((1, 15))
    );
    // a short phrase names a longer series name it is part of
    assert_eq!(name_score("bo", "BO-IZA"), Some((0, 2)));
    assert_eq!(name_score("bo", "Bestuurlijk overleg"), None);
    assert_eq!(name_score("zomer", "IZA-kwartaaloverleg"), None);
}

#[test]
fn the_longest_name_wins_and_a_tie_is_ambiguous() {
    let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let candidates = vec![
        (1, names(&["Kwartaaloverleg"])),
        (2, names(&["IZA-kwartaaloverleg", "iza-kwartaaloverleg"])),
        (3, names(&["BO-IZA", "bo"])),
    ];
    assert_eq!(
        match_series("iza kwartaaloverleg", &candidates),
        SeriesMatch::Unique(2)
    );
    assert_eq!(
        match_series("kwartaaloverleg", &candidates),
        SeriesMatch::Unique(1)
    );
    assert_eq!(match_series("bo", &candidates), SeriesMatch::Unique(3));
    assert_eq!(
        match_series("bestuurdersdag", &candidates),
        SeriesMatch::None
    );
    let twins = vec![(7, names(&["Thematafel"])), (8, names(&["thematafel"]))];
    assert_eq!(match_series("thematafel", &twins), SeriesMatch::Ambiguous);
}

fn meeting(id: i64, text: &str) -> MeetingDay {
    MeetingDay {
        id,
        day: day(text),
        cancelled: false,
    }
}

/// The quarterly IZA meetings of 2027 (Thursdays).
fn quarterly() -> Vec<MeetingDay> {
    vec![
        meeting(4, "2027-12-16"),
        meeting(1, "2027-03-18"),
        meeting(2, "2027-06-17"),
        meeting(3, "2027-09-23"),
    ]
}

#[test]
fn the_next_meeting_after_the_anchor_gives_the_day() {
    let rules = HolidayRules::default();
    let two_weeks = rule("uiterlijk twee weken voor het IZA-kwartaaloverleg");
    let got = resolve(&two_weeks, &quarterly(), day("2026-12-01"), &rules).unwrap();
    assert_eq!(got.meeting_id, 1);
    assert_eq!(got.meeting_day, day("2027-03-18"));
    assert_eq!(got.due, day("2027-03-04"));
    assert_eq!(got.earliest, None);
    // the meeting day itself counts as next
    let got = resolve(&two_weeks, &quarterly(), day("2027-03-18"), &rules).unwrap();
    assert_eq!(got.meeting_id, 1);
    let got = resolve(&two_weeks, &quarterly(), day("2027-03-19"), &rules).unwrap();
    assert_eq!(got.meeting_id, 2);
    assert_eq!(
        resolve(&two_weeks, &quarterly(), day("2027-12-17"), &rules),
        None
    );
    let on = rule("op het IZA-kwartaaloverleg");
    let got = resolve(&on, &quarterly(), day("2026-12-01"), &rules).unwrap();
    assert_eq!(
        (got.due, got.earliest),
        (day("2027-03-18"), Some(day("2027-03-18")))
    );
}

#[test]
fn a_cancelled_meeting_is_skipped() {
    let rules = HolidayRules::default();
    let mut meetings = quarterly();
    meetings[1].cancelled = true;
    let two_weeks = rule("uiterlijk twee weken voor het IZA-kwartaaloverleg");
    let got = resolve(&two_weeks, &meetings, day("2026-12-01"), &rules).unwrap();
    assert_eq!((got.meeting_id, got.due), (2, day("2027-06-03")));
    for m in &mut meetings {
        m.cancelled = true;
    }
    assert_eq!(
        resolve(&two_weeks, &meetings, day("2026-12-01"), &rules),
        None
    );
}

#[test]
fn working_days_skip_weekends_and_holidays() {
    // Friday 7 May 2027: Hemelvaartsdag (6 May) and Bevrijdingsdag (5 May) are off, so three
    // working days before is Tuesday 4, Monday 3 and Friday 30 April.
    let rules = HolidayRules::default();
    let three = rule("drie werkdagen voor het BO");
    let got = resolve(
        &three,
        &[meeting(9, "2027-05-07")],
        day("2027-01-01"),
        &rules,
    )
    .unwrap();
    assert_eq!(got.due, day("2027-04-30"));
}

#[test]
fn a_month_or_quarter_without_year_is_the_next_one_not_yet_over() {
    let rules = HolidayRules::default();
    let meetings = vec![
        meeting(1, "2027-06-10"),
        meeting(2, "2027-06-24"),
        meeting(3, "2027-09-09"),
        meeting(4, "2028-06-08"),
        meeting(5, "2028-09-14"),
    ];
    let june = rule("in het BO van juni");
    let pick = |r: &Rule, anchor: &str| {
        resolve(r, &meetings, day(anchor), &rules).map(|got| got.meeting_id)
    };
    assert_eq!(pick(&june, "2027-01-05"), Some(1));
    // June 2027 is not over yet on the 20th: its first BO is meant
    assert_eq!(pick(&june, "2027-06-20"), Some(1));
    assert_eq!(pick(&june, "2027-07-01"), Some(4));
    assert_eq!(
        pick(&rule("in het BO van juni 2028"), "2027-01-05"),
        Some(4)
    );
    let q3 = rule("voor de BO in Q3");
    assert_eq!(pick(&q3, "2027-01-05"), Some(3));
    assert_eq!(pick(&q3, "2027-10-01"), Some(5));
    let got = resolve(&q3, &meetings, day("2027-01-05"), &rules).unwrap();
    assert_eq!(got.due, day("2027-09-08"));
    assert_eq!(pick(&rule("op het BO in 2028"), "2027-01-05"), Some(4));
    // no meeting in the month: unresolved
    assert_eq!(pick(&rule("in het BO van mei 2027"), "2027-01-05"), None);
}

#[test]
fn rules_survive_their_stored_form() {
    let rule = rule("voor de bestuurdersdag in het derde kwartaal van 2028");
    let json = serde_json::to_string(&rule).unwrap();
    assert_eq!(serde_json::from_str::<Rule>(&json).unwrap(), rule);
    // a stored rule with an impossible quarter resolves to nothing instead of panicking
    let odd = Rule {
        selector: Selector::Quarter {
            quarter: 0,
            year: None,
        },
        ..rule
    };
    assert_eq!(
        resolve(
            &odd,
            &quarterly(),
            day("2026-01-01"),
            &HolidayRules::default()
        ),
        None
    );
}

proptest! {
    #[test]
    fn parsing_never_panics(text in "\\PC{0,80}") {
        let _ = parse(&text);
        let _ = normalise(&text);
    }

    #[test]
    fn a_day_offset_lands_that_many_days_from_the_meeting(n in 0i64..60, before: bool, offset in 0u64..3000) {
        let meeting_day = day("2025-01-01") + chrono::Days::new(offset);
        let text = format!("{n} dagen {} het BO", if before { "voor" } else { "na" });
        let rule = parse(&text).unwrap();
        let got = resolve(&rule, &[MeetingDay { id: 1, day: meeting_day, cancelled: false }],
            day("2024-01-01"), &HolidayRules::default()).unwrap();
        let signed = if before { -n } else { n };
        prop_assert_eq!((got.due - meeting_day).num_days(), signed);
        prop_assert_eq!(got.earliest.is_none(), before);
    }
}
