//! The announcement cross-check (`scrutin_crosscheck`) as text and in the verify JSON.

use std::fmt::Write as _;

use scrutin_crosscheck::{crosscheck, Claim, CrossCheck, Recomputed};

use super::field;
use crate::VerifyReport;

impl VerifyReport {
    /// The published announcement `text` cross-checked against this verified tally; `None`
    /// when there is nothing verified to compare it with (the bundle is not valid).
    #[must_use]
    pub fn cross_check(&self, text: &str) -> Option<CrossCheck> {
        match (&self.tally, &self.meeting) {
            (Some(t), Some(m)) => Some(crosscheck(
                text,
                &Recomputed::new(t, m, &self.resolutions).with_sittings(&self.sittings),
            )),
            _ => None,
        }
    }
}

/// Longest claimed or recomputed value shown in a table cell (the JSON has them whole).
const CELL: usize = 48;

/// One value for a table cell: escaped, and shortened when long.
fn cell(s: &str) -> String {
    let s = field(s);
    if s.chars().count() <= CELL {
        return s.into_owned();
    }
    let mut t: String = s.chars().take(CELL - 3).collect();
    t.push_str("...");
    t
}

/// The claimed-vs-recomputed table of the announcement `file`: every claim with its line,
/// what was printed, what was recomputed and `ok` or the kind of difference; then what the
/// text lacks and what could not be read; then `ANNOUNCEMENT MATCHES` or
/// `ANNOUNCEMENT DIFFERS`. `None` (the bundle is not valid) says it was not cross-checked.
#[must_use]
pub fn announcement_table(file: &str, check: Option<&CrossCheck>) -> String {
    let mut s = String::new();
    let name = field(file).into_owned();
    let Some(c) = check else {
        let _ = writeln!(
            s,
            "announcement {name}: NOT CROSS-CHECKED: the bundle is not valid, so there is no \
             verified tally to compare it with"
        );
        return s;
    };
    let differs = |cl: &Claim| {
        c.differences
            .iter()
            .find(|d| d.path == cl.path && d.line == Some(cl.line) && d.claimed == cl.claimed)
    };
    let _ = writeln!(
        s,
        "announcement {name}: {} claims read, {} match, {} differences, {} lines not read",
        c.claims.len(),
        c.claims.iter().filter(|cl| differs(cl).is_none()).count(),
        c.differences.len(),
        c.unparsed.len()
    );
    let mut rows: Vec<[String; 5]> = Vec::new();
    for cl in &c.claims {
        let diff = differs(cl);
        rows.push([
            cl.line.to_string(),
            cell(&cl.path),
            cell(&cl.claimed),
            cell(&cl.recomputed),
            diff.map_or_else(|| "ok".to_owned(), |d| format!("DIFFERS ({})", d.kind)),
        ]);
    }
    for d in c.differences.iter().filter(|d| d.line.is_none()) {
        rows.push([
            "-".into(),
            cell(&d.path),
            cell(&d.claimed),
            cell(&d.recomputed),
            format!("DIFFERS ({})", d.kind),
        ]);
    }
    let head = ["line", "claim", "claimed", "recomputed", "result"].map(String::from);
    let mut widths = [0usize; 5];
    for r in std::iter::once(&head).chain(&rows) {
        for (w, v) in widths.iter_mut().zip(r) {
            *w = (*w).max(v.chars().count());
        }
    }
    for r in std::iter::once(&head).chain(&rows) {
        let mut line = String::from(" ");
        for (i, (w, v)) in widths.iter().zip(r).enumerate() {
            if i == 0 {
                let _ = write!(line, " {v:>w$}");
            } else {
                let _ = write!(line, "  {v:<w$}");
            }
        }
        let _ = writeln!(s, "{}", line.trim_end());
    }
    for u in &c.unparsed {
        let _ = writeln!(s, "  NOT READ line {}: {}", u.line, field(&u.text));
    }
    if c.is_clean() {
        s.push_str("ANNOUNCEMENT MATCHES: every claim read equals the recomputed figure\n");
    } else {
        let _ = writeln!(
            s,
            "ANNOUNCEMENT DIFFERS: {} differences, {} lines not read",
            c.differences.len(),
            c.unparsed.len()
        );
    }
    s
}

/// The verify JSON `report` with `"announcement_check": {claims, matched, differences,
/// unparsed}` (or `null` when the bundle is not valid) added as its last field.
#[must_use]
pub fn with_announcement_check(report: &str, check: Option<&CrossCheck>) -> String {
    let value = check.map_or_else(
        || "null".to_owned(),
        |c| {
            serde_json::to_string_pretty(c)
                .unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()))
        },
    );
    let indented = value.replace('\n', "\n  ");
    let body = report.trim_end();
    match body.strip_suffix('}') {
        Some(head) => format!(
            "{},\n  \"announcement_check\": {indented}\n}}\n",
            head.trim_end()
        ),
        None => format!("{body}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_bundle_is_not_cross_checked_and_json_gets_null() {
        let t = announcement_table("ann\u{1b}.txt", None);
        assert_eq!(
            t,
            "announcement ann\\u{1b}.txt: NOT CROSS-CHECKED: the bundle is not valid, so there \
             is no verified tally to compare it with\n"
        );
        let j = with_announcement_check("{\n  \"verdict\": \"x\"\n}\n", None);
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["announcement_check"], serde_json::Value::Null);
        assert_eq!(v["verdict"], "x");
    }

    #[test]
    fn long_cells_are_shortened_and_escaped() {
        assert_eq!(cell("short"), "short");
        let long = "y".repeat(100);
        assert_eq!(cell(&long).chars().count(), CELL);
        assert!(cell(&long).ends_with("..."));
        assert_eq!(cell("a\nb"), "a\\u{a}b");
    }
}
