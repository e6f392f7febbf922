//! Comparing a published (claimed) tally with the one recomputed from the ledger.

use serde::Serialize;
use serde_json::Value;

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
}

const ABSENT: &str = "(absent)";

/// Compares a claimed tally (the tally JSON of docs/CLI.md's contract, possibly partial or
/// wrong, e.g. typed in from a published announcement) with the recomputed one.
///
/// Every field present in `claimed` is compared; fields it omits are not. Arrays of
/// resolutions, classes and candidates are matched by `id`; other arrays by position.
/// Counts are compared as integers, and may be claimed as JSON numbers or as strings with
/// thousands separators (`"516,237,845"`). Percentages are compared as strings, exactly
/// (`"94.9905"` differs from `"99.9905"`, and `"99.90"` from `"99.9000"`); a trailing `%` is
/// ignored. Nothing is rounded away.
pub fn compare_tally(claimed: &Value, recomputed: &Tally) -> TallyComparison {
    let mut out = TallyComparison::default();
    match serde_json::to_value(recomputed) {
        Ok(actual) => walk(claimed, Some(&actual), "", &mut out),
        Err(e) => out.differences.push(Difference {
            path: String::new(),
            claimed: compact(claimed),
            recomputed: format!("(the recomputed tally cannot be represented: {e})"),
        }),
    }
    out
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
        Value::String(a) => match claimed {
            Value::String(c) => strip_percent(c) == a,
            Value::Number(c) => c.to_string() == *a,
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
        });
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
    use super::parse_count;
    use serde_json::json;

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
