//! meeting.toml: the seed meeting, a custom profile with overrides, and every refusal placed
//! on the line and column of the field it concerns; near-miss fields refused at any level.

use scrutin_interchange::{parse_meeting, ImportError, MeetingPlan, Rule};
use scrutin_model::{AuthorKey, Denominator, Preset, ResolutionKind, Role, Threshold};

const SEED: &str = include_str!("../../cli/fixtures/jlmag/meeting.toml");

/// Authority keys in these tests are written `key-N`, naming `AuthorKey([N; 32])`.
fn vkey(text: &str) -> Result<AuthorKey, String> {
    text.strip_prefix("key-")
        .and_then(|n| n.parse::<u8>().ok())
        .map(|n| AuthorKey([n; 32]))
        .ok_or_else(|| format!("{text:?} is not a vkey"))
}

fn run(text: &str) -> Result<MeetingPlan, ImportError> {
    parse_meeting("m.toml", text, AuthorKey([1; 32]), &vkey)
}

fn refused(text: &str, line: u64, column: u64, rule: Rule) -> ImportError {
    let e = run(text).expect_err(text);
    assert_eq!((e.line, e.column, e.rule), (line, column, rule), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("m.toml:{line}:{column}: {}: ", rule.code())),
        "{e}"
    );
    e
}

const CUSTOM: &str = r#"[meeting]
id = "m1"
issuer = "X"
stock_code = "00001"
kind = "AGM"
date = 2024-05-01
rules = "custom"
decimals = 2
record_date = "2024-04-25"
proxy_deadline = 2024-04-29T10:00:00+08:00
[[classes]]
id = "ordinary"
[[classes]]
id = "Y"
votes_per_share = 10
[[resolutions]]
id = 1
kind = "special"
title = "Amend articles"
votes_per_share = { Y = 1 }
[[resolutions]]
id = "2"
kind = "cumulative"
title = "Elect directors"
seats = 2
candidates = ["C1", { id = "C2", name = "Ms Two" }]
[rules]
ordinary = "1/2"
special = "3/4"
special_strict = true
denominator = "for_against_abstain"
[[authorities]]
key = "key-9"
role = "scrutineer"
"#;

#[test]
fn the_seed_meeting_parses() {
    let plan = run(SEED).unwrap();
    assert_eq!(plan.convened.stock_code, "06680");
    assert_eq!(plan.convened.rules.preset, Preset::Prc);
    assert_eq!(plan.convened.rules.decimals, 4);
    assert_eq!(plan.convened.classes.len(), 2);
    assert_eq!(plan.resolutions.len(), 1);
    assert!(plan.ignored_fields.is_empty());
    // registrar doubles as scrutineer, then one resolution
    assert_eq!(plan.events_after_genesis().len(), 2);
}

#[test]
fn a_custom_profile_with_overrides_and_authorities() {
    let plan = run(CUSTOM).unwrap();
    let r = &plan.convened.rules;
    assert_eq!(r.decimals, 2);
    assert_eq!(r.special, Threshold::new(3, 4, true).unwrap());
    assert_eq!(r.denominator, Denominator::ForAgainstAbstain);
    assert_eq!(plan.convened.date.as_str(), "2024-05-01");
    assert_eq!(plan.convened.classes[1].votes_per_share, 10);
    assert_eq!(plan.resolutions[0].id.as_str(), "1");
    assert_eq!(plan.resolutions[0].votes_per_share.len(), 1);
    match &plan.resolutions[1].kind {
        ResolutionKind::Cumulative { seats, candidates } => {
            assert_eq!(*seats, 2);
            assert_eq!(candidates[1].name, "Ms Two");
        }
        k => panic!("{k:?}"),
    }
    assert_eq!(plan.authorities, [(AuthorKey([9; 32]), Role::Scrutineer)]);
    // The file names a scrutineer: no grant to the registrar; one grant, two resolutions.
    assert!(plan.names_scrutineer());
    assert_eq!(plan.events_after_genesis().len(), 3);
}

#[test]
fn a_byte_order_mark_and_crlf_are_read() {
    let text = format!("\u{feff}{}", CUSTOM.replace('\n', "\r\n"));
    assert_eq!(run(&text).unwrap(), run(CUSTOM).unwrap());
}

#[test]
fn a_file_that_is_not_toml_names_its_line() {
    let e = refused("[meeting]\nid = \n", 2, 6, Rule::BadToml);
    assert!(e.message.contains("line 2"), "{e}");
    // A missing required field, from the typed decode.
    let e = run(&CUSTOM.replace("issuer = \"X\"\n", "")).unwrap_err();
    assert_eq!(e.rule, Rule::BadToml);
    assert!(e.message.contains("issuer"), "{e}");
}

#[test]
fn bad_values_are_placed_on_their_field() {
    let cases: &[(&str, &str, u64, u64, Rule, &str)] = &[
        (
            "kind = \"AGM\"",
            "kind = \"XGM\"",
            5,
            8,
            Rule::BadValue,
            "meeting.kind: \"XGM\"",
        ),
        (
            "denominator = \"for_against_abstain\"",
            "denominator = \"all\"",
            31,
            15,
            Rule::BadValue,
            "rules.denominator",
        ),
        (
            "special = \"3/4\"",
            "special = \"three quarters\"",
            29,
            11,
            Rule::BadValue,
            "rules.special",
        ),
        (
            "kind = \"special\"",
            "kind = \"usual\"",
            18,
            8,
            Rule::BadValue,
            "resolutions[0].kind",
        ),
        (
            "role = \"scrutineer\"",
            "role = \"boss\"",
            34,
            8,
            Rule::BadValue,
            "authorities[0].role",
        ),
        (
            "key = \"key-9\"",
            "key = \"nope\"",
            33,
            7,
            Rule::BadValue,
            "\"nope\" is not a vkey",
        ),
        (
            "id = \"m1\"",
            "id = \"m 1\"",
            2,
            6,
            Rule::BadValue,
            "meeting.id",
        ),
        (
            "seats = 2\n",
            "",
            21,
            1,
            Rule::MissingField,
            "needs `seats`",
        ),
    ];
    for (from, to, line, column, rule, says) in cases {
        let text = CUSTOM.replacen(from, to, 1);
        let e = refused(&text, *line, *column, *rule);
        assert!(e.message.contains(says), "{e}");
    }
    // A custom profile without [rules] is named at `meeting.rules`.
    let text = &CUSTOM[..CUSTOM.find("[rules]").unwrap()];
    let e = refused(text, 7, 9, Rule::MissingField);
    assert!(e.message.contains("[rules]"), "{e}");
}

#[test]
fn near_miss_fields_are_refused_at_every_level() {
    for (from, to, line, column, path, meant) in [
        (
            "decimals = 2",
            "decimal = 6",
            8,
            1,
            "meeting.decimal",
            "decimals",
        ),
        (
            "votes_per_share = 10",
            "vote_per_share = 10",
            15,
            1,
            "classes[1].vote_per_share",
            "votes_per_share",
        ),
        ("[rules]", "[rule]", 27, 2, "rule", "rules"),
        (
            "special_strict",
            "special_strcit",
            30,
            1,
            "rules.special_strcit",
            "special_strict",
        ),
        (
            "name = \"Ms Two\"",
            "nmae = \"Ms Two\"",
            26,
            34,
            "resolutions[1].candidates[1].nmae",
            "name",
        ),
        (
            "[[authorities]]\nkey",
            "[[authorities]]\nkye",
            33,
            1,
            "authorities[0].kye",
            "key",
        ),
    ] {
        let text = CUSTOM.replacen(from, to, 1);
        let e = refused(&text, line, column, Rule::MisspeltField);
        assert!(
            e.message.starts_with(&format!(
                "`{path}` is not a field scrutin reads; did you mean `{meant}`?"
            )),
            "{e}"
        );
    }
}

#[test]
fn far_unknown_fields_are_warnings_in_file_order() {
    let text = CUSTOM
        .replace("id = \"Y\"", "id = \"Y\"\nnotes = \"weighted\"")
        .replace(
            "[meeting]",
            "comment = \"draft\"\n[meeting]\nvenue = \"HK\"",
        );
    let plan = run(&text).unwrap();
    assert_eq!(
        plan.ignored_fields,
        ["comment", "meeting.venue", "classes[1].notes"]
    );
    assert_eq!(plan.convened.rules.decimals, 2);
}

/// Issue 9 item 8: `SGM` and `COURT` (any case) besides AGM, EGM and CLASS; anything else is
/// refused listing the five.
#[test]
fn meeting_kinds_sgm_and_court_are_read() {
    use scrutin_model::MeetingKind;
    for (written, kind) in [
        ("SGM", MeetingKind::Sgm),
        ("court", MeetingKind::Court),
        ("AGM", MeetingKind::Agm),
    ] {
        let text = CUSTOM.replace("kind = \"AGM\"", &format!("kind = \"{written}\""));
        assert_eq!(run(&text).expect("parses").convened.kind, kind, "{written}");
    }
    let e = run(&CUSTOM.replace("kind = \"AGM\"", "kind = \"GM\"")).expect_err("refused");
    assert_eq!(e.rule, Rule::BadValue);
    assert!(e.message.contains("AGM|EGM|SGM|CLASS|COURT"), "{e}");
}
