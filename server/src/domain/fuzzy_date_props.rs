//! Property tests of [`super::parse`]: any text gives a [`FuzzyDate`] without panicking, the
//! raw text is kept, windows are never reversed, and formatted days, months, quarters, halves
//! and years read back as what was formatted.

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;

use super::*;

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn last_day_of_month(y: i32, m: u32) -> NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    day(ny, nm, 1).pred_opt().unwrap()
}

/// Checks what holds for every parse.
fn check_invariants(raw: &str, parsed: &FuzzyDate) {
    assert_eq!(parsed.raw, raw);
    if let (Some(earliest), Some(latest)) = (parsed.earliest, parsed.latest) {
        assert!(
            earliest <= latest,
            "{raw:?} gives {earliest} after {latest}"
        );
    }
    if matches!(parsed.precision, Precision::Unknown | Precision::Relative) {
        assert!(
            parsed.earliest.is_none() && parsed.latest.is_none(),
            "{raw:?}: {parsed:?}"
        );
    }
    let flags = parsed.flags();
    assert!(flags.windows(2).all(|w| w[0] < w[1]), "{flags:?}");
}

fn parse_all(raw: &str) {
    for default_year in [None, Some(2025), Some(i32::MIN), Some(i32::MAX), Some(0)] {
        let parsed = parse(raw, &ParseContext { default_year });
        check_invariants(raw, &parsed);
    }
}

/// Words and shapes the parser reacts to, to reach its deeper branches from random input.
const PIECES: &[&str] = &[
    "Q",
    "H",
    "Q1",
    "Q4",
    "1",
    "12",
    "31",
    "2024",
    "99999999999",
    "-",
    "/",
    ".",
    "'",
    "’",
    " ",
    "t/m",
    "tot",
    "voor",
    "vóór",
    "na",
    "niet",
    "per",
    "vanaf",
    "met ingang van",
    "uiterlijk",
    "in",
    "van",
    "begin",
    "medio",
    "eind",
    "kwartaal",
    "helft",
    "eerste",
    "tweede",
    "derde",
    "vierde",
    "zomer",
    "winter",
    "najaar",
    "voorjaar",
    "deze",
    "dit jaar",
    "(?)",
    "?",
    "[",
    "]",
    "PM",
    "XX",
    "circa",
    "ca.",
    "of",
    "en",
    "–",
    "maart",
    "sept",
    "februari",
    "0",
    "00",
    "9",
];

fn piece_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(PIECES), 0..12).prop_map(|p| p.join(""))
}

fn spaced_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(PIECES), 0..10).prop_map(|p| p.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_text_parses_without_panicking(raw in any::<String>()) {
        parse_all(&raw);
    }

    #[test]
    fn date_like_text_parses_without_panicking(raw in piece_text()) {
        parse_all(&raw);
    }

    #[test]
    fn date_like_words_parse_without_panicking(raw in spaced_text()) {
        parse_all(&raw);
    }

    #[test]
    fn numbers_of_any_size_parse_without_panicking(
        a in any::<u64>(), b in any::<u64>(), c in any::<i64>(), sep in "[-/. ]",
    ) {
        parse_all(&format!("{a}{sep}{b}{sep}{c}"));
        parse_all(&format!("Q{a} {c}"));
        parse_all(&format!("H{b} {c}"));
        parse_all(&format!("{a} {} {c}", MONTHS[usize::try_from(b % 12).unwrap()]));
        parse_all(&format!("{c} t/m {a}"));
    }

    #[test]
    fn a_formatted_quarter_reads_back_as_that_quarter(q in 1u32..=4, y in 1900i32..2200) {
        let first = day(y, 3 * q - 2, 1);
        let last = last_day_of_month(y, 3 * q);
        for raw in [format!("Q{q} {y}"), format!("q{q} {y}"), format!("Q{q} '{:02}", y % 100)] {
            let parsed = parse(&raw, &ParseContext::default());
            if raw.contains('\'') && !(2000..2100).contains(&y) {
                continue; // a two-digit year means 20yy
            }
            prop_assert_eq!(parsed.precision, Precision::Quarter, "{}", raw);
            prop_assert_eq!(parsed.earliest, Some(first), "{}", raw);
            prop_assert_eq!(parsed.latest, Some(last), "{}", raw);
            prop_assert!(parsed.flags().is_empty(), "{}: {:?}", raw, parsed.flags());
        }
    }

    #[test]
    fn a_formatted_half_reads_back_as_that_half(h in 1u32..=2, y in 1900i32..2200) {
        let parsed = parse(&format!("H{h} {y}"), &ParseContext::default());
        prop_assert_eq!(parsed.precision, Precision::Half);
        prop_assert_eq!(parsed.earliest, Some(day(y, 6 * h - 5, 1)));
        prop_assert_eq!(parsed.latest, Some(last_day_of_month(y, 6 * h)));
    }

    #[test]
    fn a_formatted_day_reads_back_as_that_day(
        date in (1900i32..2200, 1u32..=12, 1u32..=31)
            .prop_filter_map("a real day", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
    ) {
        let (y, m, d) = (date.year(), date.month(), date.day());
        let month = MONTHS[usize::try_from(m - 1).unwrap()];
        for raw in [
            format!("{d}-{m}-{y}"),
            format!("{d:02}.{m:02}.{y}"),
            format!("{d}/{m}/{y}"),
            format!("{y}-{m:02}-{d:02}"),
            format!("{d} {month} {y}"),
        ] {
            let parsed = parse(&raw, &ParseContext::default());
            prop_assert_eq!(parsed.precision, Precision::Day, "{}", raw);
            prop_assert_eq!(parsed.earliest, Some(date), "{}", raw);
            prop_assert_eq!(parsed.latest, Some(date), "{}", raw);
            prop_assert!(!parsed.uncertain, "{}", raw);
        }
        // "uiterlijk" keeps the end and opens the start.
        let by = parse(&format!("uiterlijk {d}-{m}-{y}"), &ParseContext::default());
        prop_assert_eq!((by.earliest, by.latest), (None, Some(date)));
    }

    #[test]
    fn a_formatted_month_and_year_read_back(m in 1u32..=12, y in 1900i32..2200) {
        let month = MONTHS[usize::try_from(m - 1).unwrap()];
        let parsed = parse(&format!("{month} {y}"), &ParseContext::default());
        prop_assert_eq!(parsed.precision, Precision::Month);
        prop_assert_eq!(parsed.earliest, Some(day(y, m, 1)));
        prop_assert_eq!(parsed.latest, Some(last_day_of_month(y, m)));
        let year = parse(&y.to_string(), &ParseContext::default());
        prop_assert_eq!(year.precision, Precision::Year);
        prop_assert_eq!((year.earliest, year.latest), (Some(day(y, 1, 1)), Some(day(y, 12, 31))));
    }

    #[test]
    fn a_span_of_years_covers_both(a in 1900i32..2200, len in 1i32..20) {
        let b = a + len;
        let parsed = parse(&format!("{a} t/m {b}"), &ParseContext::default());
        prop_assert_eq!((parsed.earliest, parsed.latest), (Some(day(a, 1, 1)), Some(day(b, 12, 31))));
        prop_assert!(parsed.flags().contains(&DateFlag::Range));
    }
}

/// Inputs at the edges of the calendar and of the number types.
#[test]
fn edge_inputs_parse_without_panicking() {
    for raw in [
        "Q1 262143",
        "Q4 262142",
        "winter 262142",
        "31-12-262143",
        "1-1--262144",
        "winter -262144",
        "Q1 -262144",
        "eind 262143",
        "na 31-12-262143",
        "voor 1-1--262144",
        "voor 1 januari -262144",
        "99999999999999999999999",
        "Q99999999999999999999",
        "1-1-99999999999999999999",
        "2147483647 t/m 2147483648",
        "-2147483648",
        "deze winter",
        "1-1-2-2-2-2-2-2-2-2-2",
        "\u{0}\u{feff}Q3\u{200b} 2026",
        "Ｑ３ ２０２６",
    ] {
        parse_all(raw);
    }
    for year in [i32::MIN, i32::MAX, -262_144, 262_143, 262_144] {
        for raw in [
            "deze zomer",
            "dit jaar",
            "winter",
            "30/01",
            "eind Q4",
            "december – februari",
        ] {
            let parsed = parse(
                raw,
                &ParseContext {
                    default_year: Some(year),
                },
            );
            check_invariants(raw, &parsed);
        }
    }
}
