//! The tally as a plain-text table (`scrutin tally`, `close`, `verify`).

use std::fmt::Write as _;

use scrutin::model::group_thousands;
use scrutin::tally::Tally;

use crate::escape::field;

/// Renders the tally: attendance, then one row per resolution, candidates and disregarded
/// ballots under their resolution. Deterministic. Until the result is `declared` the table
/// says it is provisional and states no outcome.
pub(crate) fn render(t: &Tally, declared: bool) -> String {
    let mut s = String::new();
    if !declared {
        s.push_str("PROVISIONAL: no result declared; the count below may still change\n");
    }
    let _ = writeln!(
        s,
        "meeting {}: {} of {} shares represented ({}%)",
        field(&t.meeting),
        group_thousands(t.represented),
        group_thousands(t.entitled),
        t.represented_pct
    );
    for c in &t.classes {
        let _ = writeln!(
            s,
            "  class {:<8} {:>20} of {:>20} represented ({}%)",
            field(&c.id),
            group_thousands(c.represented),
            group_thousands(c.entitled),
            c.represented_pct
        );
    }
    let cell = |v: u128, pct: &str| format!("{} ({pct}%)", group_thousands(v));
    let rows: Vec<[String; 6]> = t
        .resolutions
        .iter()
        .map(|r| {
            [
                field(&r.id).into_owned(),
                field(&r.kind).into_owned(),
                cell(r.for_, &r.for_pct),
                cell(r.against, &r.against_pct),
                cell(r.abstain, &r.abstain_pct),
                match (declared, r.passed) {
                    (false, _) => "provisional",
                    (true, true) => "passed",
                    (true, false) => "NOT passed",
                }
                .to_owned(),
            ]
        })
        .collect();
    let head = ["resolution", "kind", "for", "against", "abstain", "result"];
    let mut w = head.map(str::len);
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: [&str; 6]| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if (2..=4).contains(&i) {
                let _ = write!(l, "{c:>width$}  ", width = w[i]);
            } else {
                let _ = write!(l, "{c:<width$}  ", width = w[i]);
            }
        }
        l.trim_end().to_owned()
    };
    let _ = writeln!(s, "{}", line(head));
    for (r, row) in t.resolutions.iter().zip(&rows) {
        let _ = writeln!(
            s,
            "{}",
            line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]])
        );
        for c in &r.candidates {
            let _ = writeln!(
                s,
                "    candidate {}: {} votes{}",
                field(&c.id),
                group_thousands(c.votes),
                if c.elected { ", elected" } else { "" }
            );
        }
        for d in &r.disregarded_ballots {
            let _ = writeln!(
                s,
                "    disregarded: {} {} votes: {}",
                field(&d.voter),
                group_thousands(d.votes),
                field(&d.reason)
            );
        }
    }
    s
}
