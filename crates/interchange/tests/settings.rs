//! meeting.toml's wave-2 fields (issue 9): the settings (`show_abstain`, `class_pct_base`,
//! `witness_lawyer`, `partial_voting`, `attendance_keeps_proxies`, `[[classes]] issued`), the
//! `[[sittings]]` and a resolution's `sitting`, and the scheme tests. Each bad value is refused
//! naming file:line:column of its field; a file without any of them (the seed) records
//! exactly the events it always did.

use scrutin_interchange::{parse_meeting, ImportError, MeetingPlan, Rule};
use scrutin_model::{AuthorKey, ClassPctBase, Event, EventKind, Role};

const SEED: &str = include_str!("../../cli/fixtures/jlmag/meeting.toml");

const FULL: &str = r#"[meeting]
id = "m2"
issuer = "X"
stock_code = "00002"
kind = "EGM"
date = 2024-05-01
rules = "prc"
record_date = "2024-04-25"
proxy_deadline = 2024-04-29T10:00:00+08:00
show_abstain = false
class_pct_base = "total"
witness_lawyer = "Guangdong Huashang Law Firm"
partial_voting = true
attendance_keeps_proxies = true
[[classes]]
id = "A"
issued = 12000
[[classes]]
id = "H"
[[sittings]]
id = "egm"
kind = "general"
title = "EGM"
[[sittings]]
id = "h"
kind = "class"
class = "H"
title = "H Shareholders' Class Meeting"
[[resolutions]]
id = "1"
kind = "scheme"
title = "Approve the scheme"
headcount = false
value_majority = "3/4"
disinterested_majority = "3/4"
disinterested_max_against = "1/10"
[[resolutions]]
id = "2"
kind = "special"
title = "Approve the scheme (H)"
classes = ["H"]
sitting = "h"
"#;

fn run(text: &str) -> Result<MeetingPlan, ImportError> {
    parse_meeting("m.toml", text, AuthorKey([1; 32]), &|_| {
        Err("no keys in these tests".to_owned())
    })
}

/// The 1-based line and column where `needle`'s value (after `= `) starts in `text`.
fn value_at(text: &str, needle: &str) -> (u64, u64) {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?}"));
    let line = text[..at].matches('\n').count() as u64 + 1;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let value = at + needle.find("= ").map_or(0, |i| i + 2);
    (line, (value - line_start) as u64 + 1)
}

#[test]
fn every_new_field_is_read() {
    let plan = run(FULL).expect("parses");
    let s = plan.settings.expect("settings");
    assert_eq!(s.show_abstain, Some(false));
    assert_eq!(s.class_pct_base, Some(ClassPctBase::Total));
    assert_eq!(s.witness_lawyer, "Guangdong Huashang Law Firm");
    assert!(s.partial_voting && s.attendance_keeps_proxies);
    assert_eq!(
        s.issued
            .iter()
            .map(|i| (i.class.as_str(), i.issued.0))
            .collect::<Vec<_>>(),
        [("A", 12_000)]
    );
    assert_eq!(plan.sittings.len(), 2);
    let scheme = plan.terms[0].scheme.as_ref().expect("scheme terms");
    assert!(!scheme.headcount);
    assert_eq!(
        plan.terms[1].sitting.as_ref().map(|s| s.as_str()),
        Some("h")
    );
}

#[test]
fn each_new_field_refuses_a_bad_value_at_its_line_and_column() {
    for (from, to, says) in [
        (
            "value_majority = \"3/4\"",
            "value_majority = \"3:4\"",
            "resolutions[0].value_majority",
        ),
        (
            "value_majority = \"3/4\"",
            "value_majority = \"5/4\"",
            "resolutions[0].value_majority",
        ),
        (
            "disinterested_majority = \"3/4\"",
            "disinterested_majority = \"three/4\"",
            "resolutions[0].disinterested_majority",
        ),
        (
            "disinterested_max_against = \"1/10\"",
            "disinterested_max_against = \"1/0\"",
            "resolutions[0].disinterested_max_against",
        ),
        (
            "class_pct_base = \"total\"",
            "class_pct_base = \"company\"",
            "class_pct_base",
        ),
        (
            "kind = \"class\"",
            "kind = \"committee\"",
            "sittings[1].kind",
        ),
        (
            "sitting = \"h\"",
            "sitting = \"b\"",
            "resolutions[1].sitting",
        ),
        ("class = \"H\"", "class = \"B\"", "sittings[1].class"),
    ] {
        let text = FULL.replacen(from, to, 1);
        let e = run(&text).expect_err(&text);
        let (line, column) = value_at(&text, to);
        assert_eq!(
            (e.rule, e.line, e.column),
            (Rule::BadValue, line, column),
            "{to}: {e}"
        );
        assert!(
            e.to_string()
                .starts_with(&format!("m.toml:{line}:{column}: ")),
            "{e}"
        );
        assert!(
            e.message.contains(says) || e.to_string().contains(says),
            "{to}: {e}"
        );
    }
    // Scheme tests on a resolution that is not a scheme.
    let text = FULL.replacen("kind = \"scheme\"", "kind = \"special\"", 1);
    let e = run(&text).expect_err("refused");
    assert_eq!(
        (e.line, e.column),
        value_at(&text, "headcount = false"),
        "{e}"
    );
    // Wrong types are placed on the field too.
    for (from, to) in [
        ("show_abstain = false", "show_abstain = \"no\""),
        ("issued = 12000", "issued = -5"),
        (
            "witness_lawyer = \"Guangdong Huashang Law Firm\"",
            "witness_lawyer = 5",
        ),
        ("headcount = false", "headcount = \"no\""),
    ] {
        let text = FULL.replacen(from, to, 1);
        let e = run(&text).expect_err(&text);
        let (line, _) = value_at(&text, to);
        assert_eq!(e.line, line, "{to}: {e}");
        assert!(e.column > 0, "{to}: {e}");
    }
}

/// A file without any of the new fields (the seed, JL MAG's) records exactly what it did
/// before they existed: the grants and the resolutions, no `MeetingSettings`, no
/// `SittingConvened`, no `ResolutionTerms`.
#[test]
fn an_old_meeting_toml_records_the_same_events_as_before() {
    let plan = run(SEED).expect("the seed parses");
    assert_eq!(plan.settings, None);
    assert!(plan.sittings.is_empty());
    assert!(plan.terms.iter().all(|t| t.event().is_none()));
    let mut before = vec![Event::AuthorityGranted {
        key: plan.convened.registrar,
        role: Role::Scrutineer,
    }];
    before.extend(
        plan.resolutions
            .iter()
            .cloned()
            .map(Event::ResolutionProposed),
    );
    let events = plan.events_after_genesis();
    assert_eq!(events, before);
    assert!(events.iter().all(|e| !matches!(
        e.kind(),
        EventKind::MeetingSettings | EventKind::SittingConvened | EventKind::ResolutionTerms
    )));
}
