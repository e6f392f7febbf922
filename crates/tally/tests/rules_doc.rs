//! docs/RULES.md is complete and true: every `RuleViolation` code has a row there, and every
//! test a row names exists. Also pins the one rule no other test pinned (`poll-not-held`).

use std::collections::BTreeSet;
use std::path::Path;

use scrutin_model::*;
use scrutin_tally::{Meeting, RuleViolation};

fn read(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The codes `RuleViolation::rule` returns, read from its source: each arm is `=> "code",`.
fn codes() -> BTreeSet<String> {
    let src = read("src/error.rs");
    let body = src
        .split("pub fn rule(&self)")
        .nth(1)
        .expect("RuleViolation::rule in src/error.rs");
    body.split("=> ")
        .skip(1)
        .filter_map(|arm| {
            let arm = arm.trim_start_matches(['{', '\n', ' ']);
            let rest = arm.strip_prefix('"')?;
            Some(rest.split('"').next()?.to_owned())
        })
        .collect()
}

#[test]
fn every_rule_code_has_a_row_in_rules_md() {
    let doc = read("../../docs/RULES.md");
    let codes = codes();
    assert!(codes.len() >= 50, "found only {} codes", codes.len());
    let missing: Vec<&String> = codes
        .iter()
        .filter(|c| !doc.contains(&format!("`{c}`")))
        .collect();
    assert!(missing.is_empty(), "docs/RULES.md lacks {missing:?}");
}

/// Every backticked snake_case name in RULES.md that looks like a test (three words or more)
/// is a test function of the workspace.
#[test]
fn every_test_rules_md_names_exists() {
    let doc = read("../../docs/RULES.md");
    let mut sources = String::new();
    for dir in [
        "tests",
        "tests/rules",
        "tests/props",
        "../ledger/tests",
        "../model/tests",
        "../crosscheck/tests",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        for entry in std::fs::read_dir(&path).expect("test dir") {
            let p = entry.expect("entry").path();
            if p.extension().is_some_and(|e| e == "rs") {
                sources.push_str(&std::fs::read_to_string(&p).expect("source"));
            }
        }
    }
    let names: Vec<&str> = doc
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            s.matches('_').count() >= 2
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
        })
        .collect();
    assert!(names.len() > 40, "found only {} test names", names.len());
    let unknown: Vec<&&str> = names
        .iter()
        .filter(|n| {
            !sources.contains(&format!("fn {n}(")) && !sources.contains(&format!("fn {n}<"))
        })
        .filter(|n| !KNOWN_NON_TESTS.contains(n))
        .collect();
    assert!(
        unknown.is_empty(),
        "docs/RULES.md names no such test: {unknown:?}"
    );
}

/// Backticked snake_case words of RULES.md that are fields or settings, not tests.
const KNOWN_NON_TESTS: &[&str] = &[
    "later_proxy_wins",
    "unvoted_as_abstain",
    "disregarded_ballots",
    "scheme_max_against",
    "cumulative_minimum",
    "must_abstain",
    "against_only",
    "represented_pct",
    "for_against_abstain",
    "headcount_passed",
    "against_limit_passed",
    "holders_for",
    "holders_against",
];

const REG: AuthorKey = AuthorKey([1; 32]);
const SCRUT: AuthorKey = AuthorKey([2; 32]);
const AT: UtcMillis = UtcMillis(1_800_000_000_000);

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().expect("valid id")
}

/// The declaration is final, so it needs every proposed resolution's poll held and closed: a
/// resolution never put to the vote is refused as `poll-not-held`, and nothing changes.
#[test]
fn a_declaration_needs_every_poll_held_and_closed() {
    let mut m = Meeting::new();
    let events = [
        Event::MeetingConvened(MeetingConvened {
            id: "m".into(),
            issuer: "I".into(),
            stock_code: "1".into(),
            kind: MeetingKind::Egm,
            date: Date::new("2027-01-02").expect("date"),
            rules: RulesProfile::preset(Preset::Hk, 2),
            classes: vec![ShareClass {
                id: id("A"),
                name: String::new(),
                votes_per_share: 1,
            }],
            record_date: Date::new("2027-01-01").expect("date"),
            proxy_deadline: UtcMillis(0),
            registrar: REG,
            scrutineer: String::new(),
        }),
        Event::AuthorityGranted {
            key: SCRUT,
            role: Role::Scrutineer,
        },
        Event::ResolutionProposed(Resolution {
            id: id("1"),
            kind: ResolutionKind::Ordinary,
            title: String::new(),
            classes: vec![],
            votes_per_share: vec![],
        }),
        Event::ResolutionProposed(Resolution {
            id: id("2"),
            kind: ResolutionKind::Ordinary,
            title: String::new(),
            classes: vec![],
            votes_per_share: vec![],
        }),
        Event::ShareRegistered {
            holder: id("H"),
            name: String::new(),
            class: id("A"),
            shares: Shares(10),
        },
        Event::RegisterClosed,
        Event::PollOpened {
            resolution: Some(id("1")),
        },
        Event::PollClosed {
            resolution: Some(id("1")),
        },
    ];
    for e in &events {
        m.submit(e, &REG, AT).expect("accepted");
    }
    let declare = Event::ResultDeclared {
        tally_sha256: [0; 32],
    };
    let before = m.tally();
    let v = m.submit(&declare, &SCRUT, AT).unwrap_err();
    assert_eq!(
        v,
        RuleViolation::PollNotHeld {
            resolution: id("2")
        }
    );
    assert_eq!(v.rule(), "poll-not-held");
    assert!(!m.result_declared());
    assert_eq!(m.tally(), before);
    // Held and closed, the same declaration is accepted.
    for e in [
        Event::PollOpened {
            resolution: Some(id("2")),
        },
        Event::PollClosed {
            resolution: Some(id("2")),
        },
    ] {
        m.submit(&e, &REG, AT).expect("accepted");
    }
    m.submit(&declare, &SCRUT, AT).expect("declared");
    assert!(m.result_declared());
}

/// The docs stand on their own: nothing in docs/ points to a file outside the repository
/// (the design notes the project started from are not shipped with it).
#[test]
fn the_docs_point_to_nothing_outside_the_repository() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).expect("docs") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&path).expect("doc");
            // The names of the design notes outside the repository, spelt so that this file
            // does not itself mention them.
            let design = ["DESIGN", "DOMAIN", "STYLE"].map(|n| format!("{n}.md"));
            let outside = design
                .iter()
                .map(String::as_str)
                .chain([concat!("sha", "red/"), "../"]);
            for outside in outside {
                assert!(
                    !text.contains(outside),
                    "{} points outside the repository ({outside})",
                    path.display()
                );
            }
            read += 1;
        }
    }
    assert!(read >= 4, "docs/*.md not found");
}
