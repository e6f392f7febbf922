//! Comparing a published (claimed) tally with the one recomputed from the ledger.

use serde::Serialize;
use serde_json::Value;

use scrutin_crosscheck::{
    classify_percent, classify_row, half_up, parse_percent, ClaimedRow, DifferenceKind,
    PercentContext, Printed, RowBasis,
};
use scrutin_model::Denominator;
use scrutin_tally::Tally;

/// The result of [`compare_tally`]: every field of the claimed tally, matched or different.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TallyComparison {
    /// Paths of the claimed fields equal to the recomputed ones (`resolutions[id=1].for`).
    pub matched: Vec<String>,
    /// Each claimed field that differs from the recomputed one (or that the recomputed tally
    /// does not have), in the order of the claimed document.
    pub differences: Vec<Difference>,
}

impl TallyComparison {
    /// Whether every claimed field matched.
    pub fn is_match(&self) -> bool {
        self.differences.is_empty()
    }
}

/// One claimed field that differs from the recomputed tally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// Where: `resolutions[id=1].for_pct`, `classes[id=H].represented`, `represented`.
    pub path: String,
    /// The claimed value, as written in the claimed document.
    pub claimed: String,
    /// The recomputed value (`(absent)` when the recomputed tally has no such field).
    pub recomputed: String,
    /// What kind of error explains it, as the announcement cross-check names it
    /// (`scrutin_crosscheck::DifferenceKind`): `extra` for what the recomputed tally does not
    /// have, `truncated`, `rounding`, `decimals`, `denominator`, `forced-total` or `swapped` for
    /// a row's figures those explain, `typo` otherwise.
    pub kind: DifferenceKind,
}

/// Reads a claimed tally's JSON text (a byte-order mark, as a claim typed in Notepad starts
/// with, is dropped: JSON does not allow it).
///
/// # Errors
/// The JSON parser's error, with its line and column.
pub fn parse_claimed_tally(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The comparison `verify --expect` reports: the claimed tally against the verified one, or,
/// when verification gave no tally (the bundle is not valid), one difference for the whole
/// tally. `None` when the claim names no figure at all (`{}`, `{"resolutions": []}`):
/// reporting "0 differ" would let an empty or mistyped claim pass as confirmed.
#[must_use]
pub fn compare_claim(claimed: &Value, recomputed: Option<&Tally>) -> Option<TallyComparison> {
    let Some(t) = recomputed else {
        return Some(TallyComparison {
            matched: Vec::new(),
            differences: vec![Difference {
                path: "(whole tally)".into(),
                claimed: "as claimed".into(),
                recomputed: "none: the bundle is not valid".into(),
                kind: DifferenceKind::Missing,
            }],
        });
    };
    let c = compare_tally(claimed, t);
    (!c.matched.is_empty() || !c.differences.is_empty()).then_some(c)
}

const ABSENT: &str = "(absent)";

/// Compares a claimed tally (the tally JSON of docs/CLI.md's contract, possibly partial or
/// wrong, e.g. typed in from a published announcement) with the recomputed one.
///
/// Every field present in `claimed` is compared; fields it omits are not. Arrays of
/// resolutions, classes and candidates are matched by `id`; other arrays by position.
/// Counts are compared as integers, and may be claimed as JSON numbers or as strings with
/// thousands separators (`"516,237,845"`). Percentages may be claimed as printed
/// (`"(99.6149%)"`, `"approximately 53.31%"`, `"（72.33%）"`) and are compared exactly, digit
/// for digit and place for place (`"94.9905"` differs from `"99.9905"`, and `"99.90"` from
/// `"99.9000"`); nothing is rounded away. A yes/no field may be claimed as `true` or as the
/// string `"true"`. Each difference is classified ([`Difference::kind`]).
pub fn compare_tally(claimed: &Value, recomputed: &Tally) -> TallyComparison {
    let mut out = TallyComparison::default();
    match serde_json::to_value(recomputed) {
        Ok(actual) => walk(claimed, Some(&actual), "", &mut out),
        Err(e) => out.differences.push(Difference {
            path: String::new(),
            claimed: compact(claimed),
            recomputed: format!("(the recomputed tally cannot be represented: {e})"),
            kind: DifferenceKind::Typo,
        }),
    }
    for d in &mut out.differences {
        if d.recomputed != ABSENT {
            d.kind = classify(&d.path, claimed, recomputed).unwrap_or(DifferenceKind::Typo);
        }
    }
    out
}

/// The kind of a difference at `path`, from the row of the claimed resolution (for its
/// counts and percentages) or the attendance figures.
fn classify(path: &str, claimed: &Value, t: &Tally) -> Option<DifferenceKind> {
    if path == "represented_pct" {
        return percent_kind(
            &lookup(claimed, &["represented_pct"])?,
            t.represented,
            t.entitled,
            &t.represented_pct,
        );
    }
    if let Some(rest) = path.strip_prefix("classes[id=") {
        let (id, field) = rest.split_once("].")?;
        let c = t.classes.iter().find(|c| c.id == id)?;
        let claimed_class = by_id(claimed.get("classes")?, id)?;
        if field == "represented_pct" {
            return percent_kind(
                &printed(claimed_class.get("represented_pct")?)?,
                c.represented,
                c.entitled,
                &c.represented_pct,
            );
        }
        return None;
    }
    let rest = path.strip_prefix("resolutions[id=")?;
    let (id, field) = rest.split_once("].")?;
    let r = t.resolutions.iter().find(|r| r.id == id)?;
    let row = by_id(claimed.get("resolutions")?, id)?;
    let (row, counts, field, pcts) = match field.strip_prefix("by_class.") {
        Some(cf) => {
            let (class, field) = cf.split_once('.')?;
            let v = r.by_class.get(class)?;
            let row = row.get("by_class")?.get(class)?;
            (row, [v.for_, v.against, v.abstain], field, false)
        }
        None => (row, [r.for_, r.against, r.abstain], field, true),
    };
    const NAMES: [&str; 3] = ["for", "against", "abstain"];
    let mut claimed_row = ClaimedRow::default();
    for (i, name) in NAMES.iter().enumerate() {
        claimed_row.counts[i] = row.get(*name).and_then(parse_count);
        if pcts {
            claimed_row.pcts[i] = row.get(format!("{name}_pct")).and_then(printed);
        }
    }
    let decimals = parse_percent(&r.for_pct).map_or(4, |p| p.places);
    // The denominator the recomputed percentages were printed with.
    let fa = r.for_.saturating_add(r.against);
    let denominator = if half_up(r.for_, fa, decimals).map(|m| Printed {
        mantissa: m,
        places: decimals,
    }) == parse_percent(&r.for_pct)
    {
        Denominator::ForAgainst
    } else {
        Denominator::ForAgainstAbstain
    };
    let verdict = classify_row(
        &claimed_row,
        &RowBasis {
            counts,
            denominator,
            decimals,
            represented: t.represented,
            entitled: r.entitled,
        },
    );
    let (which, name) = match field.strip_suffix("_pct") {
        Some(n) => (1, n),
        None => (0, field),
    };
    let i = NAMES.iter().position(|n| *n == name)?;
    verdict[which][i]
}

fn lookup(v: &Value, keys: &[&str]) -> Option<Printed> {
    let mut cur = v;
    for k in keys {
        cur = cur.get(*k)?;
    }
    printed(cur)
}

/// The element of a claimed array with this `id`.
fn by_id<'v>(items: &'v Value, id: &str) -> Option<&'v Value> {
    items
        .as_array()?
        .iter()
        .find(|i| id_of(i).as_deref() == Some(id))
}

/// A claimed percentage (a string as printed, or a JSON number).
fn printed(v: &Value) -> Option<Printed> {
    match v {
        Value::String(s) => parse_percent(s),
        Value::Number(n) => parse_percent(&n.to_string()),
        _ => None,
    }
}

fn percent_kind(p: &Printed, num: u128, den: u128, recomputed: &str) -> Option<DifferenceKind> {
    let decimals = parse_percent(recomputed).map_or(4, |r| r.places);
    classify_percent(
        p,
        &PercentContext {
            num,
            den,
            decimals,
            other_dens: &[],
            row_forced: false,
        },
    )
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The `id` of an array element as text, when it has one.
fn id_of(v: &Value) -> Option<String> {
    match v.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn walk(claimed: &Value, actual: Option<&Value>, path: &str, out: &mut TallyComparison) {
    match (claimed, actual) {
        (Value::Object(map), Some(Value::Object(actual_map))) => {
            for (key, value) in map {
                walk(value, actual_map.get(key), &join(path, key), out);
            }
        }
        (Value::Array(items), Some(Value::Array(actual_items))) => {
            let by_id = items.iter().all(|i| id_of(i).is_some())
                && actual_items.iter().all(|i| id_of(i).is_some());
            for (n, item) in items.iter().enumerate() {
                if by_id {
                    let id = id_of(item).unwrap_or_default();
                    let found = actual_items
                        .iter()
                        .find(|a| id_of(a).as_deref() == Some(id.as_str()));
                    walk(item, found, &format!("{path}[id={id}]"), out);
                } else {
                    walk(item, actual_items.get(n), &format!("{path}[{n}]"), out);
                }
            }
        }
        (_, None) => out.differences.push(Difference {
            path: path.to_string(),
            claimed: compact(claimed),
            recomputed: ABSENT.to_string(),
            kind: DifferenceKind::Extra,
        }),
        (claimed, Some(actual)) => leaf(claimed, actual, path, out),
    }
}

fn leaf(claimed: &Value, actual: &Value, path: &str, out: &mut TallyComparison) {
    let equal = match actual {
        Value::Number(n) => match (parse_count(claimed), n.as_u64()) {
            (Some(c), Some(a)) => c == u128::from(a),
            _ => false,
        },
        Value::String(a) => match (printed(claimed), parse_percent(a)) {
            // Both percentages: the same digits at the same places, however printed.
            (Some(c), Some(r)) => c == r,
            _ => match claimed {
                Value::String(c) => strip_percent(c) == a,
                Value::Number(c) => c.to_string() == *a,
                _ => false,
            },
        },
        Value::Bool(a) => match claimed {
            Value::Bool(c) => c == a,
            Value::String(c) => parse_bool(c) == Some(*a),
            _ => false,
        },
        other => claimed == other,
    };
    if equal {
        out.matched.push(path.to_string());
    } else {
        out.differences.push(Difference {
            path: path.to_string(),
            claimed: compact(claimed),
            recomputed: compact(actual),
            kind: DifferenceKind::Typo,
        });
    }
}

/// `"true"` / `"false"` (any case, trimmed) as claimed for a yes/no field.
fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn strip_percent(s: &str) -> &str {
    let t = s.trim();
    t.strip_suffix('%').map_or(t, str::trim_end)
}

/// A count claimed as a JSON integer or as a string of digits with `,`, `_` or space
/// separators. Anything else (a fraction, a sign, words) is not a count.
fn parse_count(v: &Value) -> Option<u128> {
    match v {
        Value::Number(n) => n.as_u64().map(u128::from),
        Value::String(s) => {
            let digits: String = s
                .trim()
                .chars()
                .filter(|c| !matches!(c, ',' | '_' | ' '))
                .collect();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{compare_tally, parse_count};
    use scrutin_crosscheck::DifferenceKind::{self, *};
    use scrutin_tally::{ClassAttendance, ClassVotes, ResolutionTally, Tally};
    use serde_json::json;

    /// China Eastern's resolution 3 (PRC: percentages of for + against + abstain).
    fn tally() -> Tally {
        let (f, a, b) = (6_327_879_792, 23_127_482, 166_007);
        let mut by_class = BTreeMap::new();
        by_class.insert(
            "A".to_string(),
            ClassVotes {
                for_: f,
                against: a,
                abstain: b,
            },
        );
        Tally {
            format: None,
            meeting: "ceair".into(),
            classes: vec![ClassAttendance {
                id: "A".into(),
                entitled: 3,
                represented: 2,
                represented_pct: "66.6667".into(),
            }],
            entitled: 9_581_700_000,
            represented: 6_351_173_281,
            represented_pct: "66.2844".into(),
            resolutions: vec![ResolutionTally {
                id: "3".into(),
                kind: "special".into(),
                entitled: 9_581_700_000,
                must_abstain: 0,
                against_only: 0,
                for_: f,
                against: a,
                abstain: b,
                for_pct: "99.6332".into(),
                against_pct: "0.3641".into(),
                abstain_pct: "0.0026".into(),
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

    fn kinds(claimed: &serde_json::Value) -> Vec<(String, DifferenceKind)> {
        compare_tally(claimed, &tally())
            .differences
            .into_iter()
            .map(|d| (d.path, d.kind))
            .collect()
    }

    fn row(fields: serde_json::Value) -> serde_json::Value {
        let mut r = json!({"id": "3"});
        for (k, v) in fields.as_object().unwrap() {
            r[k] = v.clone();
        }
        json!({ "resolutions": [r] })
    }

    #[test]
    fn figures_as_printed_match() {
        let claimed = json!({
            "represented_pct": "approximately 66.2844%",
            "resolutions": [{
                "id": "3",
                "for": "6,327,879,792",
                "for_pct": "(99.6332%)",
                "against_pct": "（0.3641%）",
                "abstain_pct": 0.0026,
                "passed": "true"
            }]
        });
        let c = compare_tally(&claimed, &tally());
        assert!(c.is_match(), "{:?}", c.differences);
        assert_eq!(c.matched.len(), 7);
        let c = compare_tally(&row(json!({"passed": "false"})), &tally());
        assert_eq!(c.differences.len(), 1);
    }

    #[test]
    fn differences_are_classified_as_the_cross_check_does() {
        let p = |f: &str| format!("resolutions[id=3].{f}");
        assert_eq!(
            kinds(&row(json!({"for_pct": "94.6332"}))),
            [(p("for_pct"), Typo)]
        );
        assert_eq!(
            kinds(&row(json!({"for_pct": "99.63"}))),
            [(p("for_pct"), Decimals)]
        );
        assert_eq!(
            kinds(&row(json!({"for_pct": "99.6358"}))),
            [(p("for_pct"), Denominator)],
            "for / (for + against)"
        );
        // 99.6332 + 0.3641 + 0.0026 = 99.9999: printed 0.3642 so that the row totals 100.
        assert_eq!(
            kinds(&row(
                json!({"for_pct": "99.6332", "against_pct": "0.3642", "abstain_pct": "0.0026"})
            )),
            [(p("against_pct"), ForcedTotal)]
        );
        assert_eq!(
            kinds(&row(json!({"against_pct": "0.3642"}))),
            [(p("against_pct"), Rounding)]
        );
        assert_eq!(
            kinds(&row(
                json!({"for": 23_127_482u64, "against": 6_327_879_792u64})
            )),
            [(p("against"), Swapped), (p("for"), Swapped)]
        );
        assert_eq!(
            kinds(&row(json!({"for": 6_327_879_793u64}))),
            [(p("for"), Typo)]
        );
        assert_eq!(
            kinds(&json!({"classes": [{"id": "A", "represented_pct": "66.6666"}]})),
            [("classes[id=A].represented_pct".into(), Truncated)]
        );
        assert_eq!(
            kinds(&json!({"represented_pct": "66.28"})),
            [("represented_pct".into(), Decimals)]
        );
        assert_eq!(
            kinds(&json!({"resolutions": [{"id": "9", "for": 1}]})),
            [("resolutions[id=9]".into(), Extra)]
        );
    }

    #[test]
    fn counts_parse_with_separators_only() {
        assert_eq!(parse_count(&json!("516,237,845")), Some(516_237_845));
        assert_eq!(parse_count(&json!(12)), Some(12));
        assert_eq!(parse_count(&json!("12.5")), None);
        assert_eq!(parse_count(&json!("-3")), None);
        assert_eq!(parse_count(&json!("")), None);
        assert_eq!(parse_count(&json!(1.5)), None);
    }
}
