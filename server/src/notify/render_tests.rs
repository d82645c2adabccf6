use super::*;

fn milestone(kind: NotificationKind, title: &str, due: Option<NaiveDate>) -> Notification {
    Notification {
        kind,
        title: title.to_owned(),
        body: "Eerste alinea.\n\nTweede alinea met één <b>tag</b> & meer.".to_owned(),
        link: Some("https://polder.example/m/12?a=1&b=2".to_owned()),
        subject_ref: "milestone:12".to_owned(),
        due,
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn subjects_in_dutch_and_english() {
    let n = milestone(
        NotificationKind::Reminder { days_before: 7 },
        "Advies\nafronden",
        None,
    );
    assert_eq!(
        subject_line(&n, Language::Nl),
        "Herinnering: Advies afronden (nog 7 werkdagen)"
    );
    assert_eq!(
        subject_line(&n, Language::En),
        "Reminder: Advies afronden (7 working days left)"
    );
    let n = milestone(NotificationKind::Overdue { days_late: 1 }, "X", None);
    assert_eq!(
        subject_line(&n, Language::Nl),
        "Te laat: X (1 dag over de termijn)"
    );
    let n = milestone(
        NotificationKind::Escalation {
            level_name: "Stuurgroep".to_owned(),
        },
        "Y",
        None,
    );
    assert_eq!(
        subject_line(&n, Language::Nl),
        "Geëscaleerd naar Stuurgroep: Y"
    );
}

#[test]
fn a_due_date_moved_with_its_meeting_names_the_new_day() {
    let moved = |to: Option<&str>| NotificationKind::DueMoved {
        from: Some("2027-03-04".to_owned()),
        to: to.map(str::to_owned),
    };
    let n = milestone(moved(Some("2027-03-11")), "Voortgang", None);
    assert_eq!(
        subject_line(&n, Language::Nl),
        "Nieuwe datum met de vergadering, 11 maart 2027: Voortgang"
    );
    assert_eq!(
        subject_line(&n, Language::En),
        "New due date with the meeting, 11 March 2027: Voortgang"
    );
    let n = milestone(moved(None), "Voortgang", None);
    assert_eq!(
        subject_line(&n, Language::En),
        "No due date any more, the meeting was cancelled: Voortgang"
    );
}

#[test]
fn decisions_and_requests_in_dutch_and_english() {
    let decided = |outcome| NotificationKind::Decision {
        outcome,
        request: 3,
    };
    let n = milestone(
        decided(Outcome::AkkoordOnderVoorwaarden),
        "Continuering",
        None,
    );
    assert_eq!(
        subject_line(&n, Language::Nl),
        "Besluit (akkoord onder voorwaarden): Continuering"
    );
    assert_eq!(
        subject_line(&n, Language::En),
        "Decision (agreed on conditions): Continuering"
    );
    let n = milestone(decided(Outcome::NietAkkoord), "Continuering", None);
    assert_eq!(
        subject_line(&n, Language::En),
        "Decision (not agreed): Continuering"
    );
    let n = milestone(decided(Outcome::Aangehouden), "Continuering", None);
    assert_eq!(
        subject_line(&n, Language::Nl),
        "Besluitvorming aangehouden: Continuering"
    );
    let n = milestone(
        NotificationKind::DecisionRequest { request: 3 },
        "Continuering",
        None,
    );
    assert_eq!(
        subject_line(&n, Language::Nl),
        "Besluitvraag voor de vergadering: Continuering"
    );
    assert_eq!(
        subject_line(&n, Language::En),
        "Decision requested at the meeting: Continuering"
    );
}

#[test]
fn dates_are_written_out() {
    assert_eq!(format_date(date(2025, 3, 3), Language::Nl), "3 maart 2025");
    assert_eq!(format_date(date(2025, 3, 3), Language::En), "3 March 2025");
}

#[test]
fn single_email_escapes_html_and_has_a_footer() {
    let n = milestone(
        NotificationKind::DueToday,
        "<script>alert(1)</script>",
        Some(date(2025, 3, 3)),
    );
    let context = EmailContext {
        language: Language::Nl,
        preferences_url: Some("https://polder.example/instellingen".to_owned()),
    };
    let email = render(&n, &context);
    assert_eq!(email.subject, "Vandaag: <script>alert(1)</script>");
    assert!(!email.html.contains("<script>"));
    assert!(email
        .html
        .contains("<h1>Vandaag: &lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
    assert!(email
        .html
        .contains("<p>Tweede alinea met één &lt;b&gt;tag&lt;/b&gt; &amp; meer.</p>"));
    assert!(email
        .html
        .contains("<a href=\"https://polder.example/m/12?a=1&amp;b=2\">Bekijken in Polder</a>"));
    assert!(email.html.contains("<html lang=\"nl\">"));
    assert!(email.text.contains("Uiterste datum: 3 maart 2025"));
    assert!(email
        .text
        .contains("Tweede alinea met één <b>tag</b> & meer."));
    assert!(email.text.contains("Instellingen > Meldingen"));
    assert!(email
        .text
        .contains("E-mailvoorkeuren wijzigen: https://polder.example/instellingen"));
    assert!(email.html.contains("E-mailvoorkeuren wijzigen</a>"));
}

#[test]
fn non_http_links_are_not_anchors() {
    let mut n = milestone(NotificationKind::Mention { by: String::new() }, "M", None);
    n.link = Some("javascript:alert(1)".to_owned());
    let email = render(&n, &EmailContext::default());
    assert!(!email.html.contains("href=\"javascript"));
    assert!(email
        .html
        .contains("Bekijken in Polder: javascript:alert(1)"));
}

#[test]
fn digest_groups_by_urgency() {
    let items = vec![
        milestone(
            NotificationKind::Mention { by: String::new() },
            "Genoemd",
            None,
        ),
        milestone(
            NotificationKind::Reminder { days_before: 14 },
            "Later",
            Some(date(2025, 3, 20)),
        ),
        milestone(
            NotificationKind::Reminder { days_before: 7 },
            "Eerder",
            Some(date(2025, 3, 12)),
        ),
        milestone(
            NotificationKind::Overdue { days_late: 3 },
            "Laat",
            Some(date(2025, 2, 28)),
        ),
    ];
    let context = EmailContext {
        language: Language::En,
        preferences_url: None,
    };
    let email = render_digest(date(2025, 3, 3), &items, &context).unwrap();
    assert_eq!(
        email.subject,
        "Polder: digest for 3 March 2025 (4 notifications)"
    );
    let order: Vec<usize> = [
        "Overdue: Laat",
        "Reminder: Eerder",
        "Reminder: Later",
        "Genoemd",
    ]
    .iter()
    .map(|needle| email.text.find(needle).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{}", email.text);
    assert!(email.html.contains("<h2>Coming up</h2>"));
    assert!(email.text.contains("Settings > Notifications"));
    assert!(render_digest(date(2025, 3, 3), &[], &context).is_none());
}
