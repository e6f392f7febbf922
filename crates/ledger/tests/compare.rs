//! compare_tally: a published tally with a typo'd percentage and a changed count.

use std::collections::BTreeMap;

use scrutin::compare_tally;
use scrutin_tally::{ClassAttendance, ClassVotes, ResolutionTally, Tally};

fn recomputed() -> Tally {
    let mut by_class = BTreeMap::new();
    by_class.insert(
        "H".to_string(),
        ClassVotes {
            for_: 516_237_845,
            against: 23_300,
            abstain: 0,
        },
    );
    Tally {
        format: None,
        meeting: "JLMAG-EGM-2022".into(),
        classes: vec![ClassAttendance {
            id: "H".into(),
            entitled: 800_000_000,
            represented: 516_261_145,
            represented_pct: "64.5326".into(),
        }],
        entitled: 800_000_000,
        represented: 516_261_145,
        represented_pct: "64.5326".into(),
        resolutions: vec![ResolutionTally {
            id: "1".into(),
            kind: "special".into(),
            entitled: 800_000_000,
            must_abstain: 0,
            against_only: 0,
            for_: 516_237_845,
            against: 23_300,
            abstain: 0,
            for_pct: "99.9955".into(),
            against_pct: "0.0045".into(),
            abstain_pct: "0.0000".into(),
            passed: true,
            disregarded: 0,
            disregarded_ballots: vec![],
            by_class,
            candidates: vec![],
            scheme: None,
            holders_for: None,
            holders_against: None,
            holders_present: None,
        }],
        sittings: vec![],
    }
}

#[test]
fn finds_a_typo_in_a_percentage_and_a_changed_count() {
    let claimed = serde_json::json!({
        "meeting": "JLMAG-EGM-2022",
        "represented": "516,261,145",
        "resolutions": [{
            "id": "1",
            "for": 516_237_854u64,
            "against": "23,300",
            "for_pct": "94.9955",
            "against_pct": "0.0045%",
            "passed": true,
            "by_class": {"H": {"for": 516_237_845u64}}
        }],
        "classes": [{"id": "H", "represented": 516_261_145u64}]
    });
    let cmp = compare_tally(&claimed, &recomputed());
    let paths: Vec<&str> = cmp.differences.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        vec!["resolutions[id=1].for", "resolutions[id=1].for_pct"]
    );
    let pct = &cmp.differences[1];
    assert_eq!(
        (pct.claimed.as_str(), pct.recomputed.as_str()),
        ("94.9955", "99.9955")
    );
    let count = &cmp.differences[0];
    assert_eq!(count.claimed, "516237854");
    assert_eq!(count.recomputed, "516237845");
    for p in [
        "meeting",
        "represented",
        "resolutions[id=1].against",
        "resolutions[id=1].against_pct",
        "resolutions[id=1].passed",
        "resolutions[id=1].by_class.H.for",
        "classes[id=H].represented",
    ] {
        assert!(
            cmp.matched.iter().any(|m| m == p),
            "{p} not matched: {cmp:?}"
        );
    }
    assert!(!cmp.is_match());
}

#[test]
fn percentages_are_compared_exactly_and_unknown_ids_are_reported() {
    let claimed = serde_json::json!({
        "resolutions": [
            {"id": "1", "abstain_pct": "0.00"},
            {"id": "9", "for": 1}
        ]
    });
    let cmp = compare_tally(&claimed, &recomputed());
    let paths: Vec<&str> = cmp.differences.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        vec!["resolutions[id=1].abstain_pct", "resolutions[id=9]"]
    );
    assert_eq!(cmp.differences[1].recomputed, "(absent)");
}

#[test]
fn an_identical_tally_matches_everywhere() {
    let t = recomputed();
    let claimed = serde_json::to_value(&t).unwrap();
    let cmp = compare_tally(&claimed, &t);
    assert!(cmp.is_match(), "{:?}", cmp.differences);
    assert!(cmp.matched.len() > 20);
}

fn any_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
    use proptest::prelude::*;
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[0-9,. %a-z]{0,12}".prop_map(Value::String),
        prop_oneof![Just("1"), Just("H"), Just("2")].prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("id".to_string()),
            Just("resolutions".to_string()),
            Just("classes".to_string()),
            Just("for".to_string()),
            Just("for_pct".to_string()),
            Just("by_class".to_string()),
            Just("candidates".to_string()),
            "[a-z_]{1,8}",
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map(keys, inner, 0..5)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest::proptest! {
    /// Whatever is claimed (a hostile or garbled document), the comparison never panics.
    #[test]
    fn any_claim_is_compared_without_panicking(claimed in any_json()) {
        let cmp = compare_tally(&claimed, &recomputed());
        let _ = cmp.is_match();
    }
}
