//! `scrutin verify BUNDLE --trust ... --announcement FILE.txt`: the published announcement's
//! every claim against the tally recomputed from the verified bundle
//! (`scrutin::crosscheck`), as a claimed-vs-recomputed table, or in the JSON report as
//! `announcement_check`. Exit 0 only when the bundle is valid, every claim matched and every
//! line holding figures was read.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use scrutin::crosscheck::{crosscheck, CrossCheck, Recomputed};

use crate::error::{io_err, CliError};
use crate::escape::{self, field};
use crate::verify_cmd::{self, VerifyArgs};

/// Longest claimed or recomputed value shown in a table cell (the JSON has them whole).
const CELL: usize = 48;

/// Reads the announcement: UTF-8 (a byte-order mark dropped; bytes that are not UTF-8 shown
/// as U+FFFD rather than refused: text copied from a PDF is often mixed).
fn read_text(path: &Path) -> Result<String, CliError> {
    let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned())
}

/// `scrutin verify ... --announcement FILE`.
pub(crate) fn verify(a: &VerifyArgs<'_>, announcement: &Path) -> Result<ExitCode, CliError> {
    let text = read_text(announcement)?;
    let out = verify_cmd::run(a)?;
    let check = match (&out.report.tally, &out.report.meeting) {
        (Some(t), Some(m)) => Some(crosscheck(
            &text,
            &Recomputed::new(t, m, &out.report.resolutions),
        )),
        // Nothing verified to compare with: the bundle is not valid.
        _ => None,
    };
    let name = announcement.display().to_string();
    let trust = crate::keys::parse_trusts(a.trust)?;
    verify_cmd::write_report(
        a,
        &trust,
        &out,
        check.as_ref().map(|c| scrutin::report::ReportAnnouncement {
            file: &name,
            result: c,
        }),
    )?;
    if a.json {
        print!(
            "{}",
            escape::json(&with_check(&out.report.to_json(), check.as_ref()))
        );
        if let Some(c) = &out.comparison {
            eprint!("{}", escape::lines(&verify_cmd::comparison_text(c)));
        }
    } else {
        print!("{}", escape::lines(&out.text));
        print!("{}", escape::lines(&table(announcement, check.as_ref())));
        if let Some(p) = a.report {
            println!("HTML report written to {}", field(&p.display().to_string()));
        }
    }
    Ok(
        if out.ok() && check.as_ref().is_some_and(CrossCheck::is_clean) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    )
}

/// The verify JSON with `"announcement_check": {claims, matched, differences, unparsed}`
/// (or `null` when the bundle is not valid) added as its last field.
fn with_check(report: &str, check: Option<&CrossCheck>) -> String {
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

/// The claimed-vs-recomputed table: every claim with its line, what was printed, what was
/// recomputed and `ok` or the kind of difference; then what the text lacks and what could not
/// be read.
pub(crate) fn table(file: &Path, check: Option<&CrossCheck>) -> String {
    let mut s = String::new();
    let name = field(&file.display().to_string()).into_owned();
    let Some(c) = check else {
        let _ = writeln!(
            s,
            "announcement {name}: NOT CROSS-CHECKED: the bundle is not valid, so there is no \
             verified tally to compare it with"
        );
        return s;
    };
    let differs = |cl: &scrutin::crosscheck::Claim| {
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
