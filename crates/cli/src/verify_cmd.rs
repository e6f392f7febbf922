//! `scrutin verify` and `scrutin verify-receipt`: offline checks, exit 0 valid, 1 invalid,
//! 2 when the check could not run (usage, I/O).

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::process::ExitCode;

use scrutin::{
    compare_tally, verify_bundle, verify_receipt, CheckStatus, Verdict, VerifyReport, VoteReceipt,
};
use scrutin_log::NoteVerifier;

use crate::error::{io_err, CliError};
use crate::report::{self, CheckRow, Comparison, ReportInput, Status};
use crate::{keys, progress, table};

/// The options of `scrutin verify`.
#[derive(Debug)]
pub(crate) struct VerifyArgs<'a> {
    pub(crate) file: &'a Path,
    pub(crate) trust: &'a [String],
    pub(crate) json: bool,
    pub(crate) report: Option<&'a Path>,
    pub(crate) expect: Option<&'a Path>,
    pub(crate) tally_out: Option<&'a Path>,
    pub(crate) quiet: bool,
}

/// What `verify` found (the demo prints its own summary from it).
#[derive(Debug)]
pub(crate) struct VerifyOutcome {
    pub(crate) report: VerifyReport,
    pub(crate) comparison: Option<Comparison>,
    pub(crate) text: String,
}

impl VerifyOutcome {
    /// Valid bundle and, with `--expect`, no difference.
    pub(crate) fn ok(&self) -> bool {
        self.report.is_valid()
            && self
                .comparison
                .as_ref()
                .is_none_or(|c| c.differences.is_empty())
    }
}

fn status(s: CheckStatus) -> Status {
    match s {
        CheckStatus::Passed => Status::Passed,
        CheckStatus::Failed => Status::Failed,
        _ => Status::NotRun,
    }
}

/// Runs the verification and renders the text summary (and the HTML report if asked).
pub(crate) fn run(a: &VerifyArgs<'_>) -> Result<VerifyOutcome, CliError> {
    let trust = keys::parse_trusts(a.trust)?;
    let claimed = match a.expect {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| io_err(p, e))?;
            // A claim typed in Notepad starts with a byte-order mark, which JSON does not allow.
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
                CliError::Usage(format!(
                    "{}:{}:{}: not JSON: {e}",
                    p.display(),
                    e.line(),
                    e.column()
                ))
            })?;
            Some(v)
        }
        None => None,
    };
    let f = File::open(a.file).map_err(|e| io_err(a.file, e))?;
    let pb = progress::bar(0, "verifying", a.quiet);
    let r = verify_bundle(
        BufReader::with_capacity(1 << 20, f),
        &trust,
        &mut |done, total| {
            pb.set_length(total);
            pb.set_position(done);
        },
    );
    pb.finish_and_clear();
    let report =
        r.map_err(|e| CliError::Io(format!("{}: could not verify: {e}", a.file.display())))?;
    let comparison = match (&claimed, a.expect) {
        (Some(v), Some(p)) => Some(match &report.tally {
            Some(t) => {
                let c = compare_tally(v, t);
                // `{}` or `{"resolutions": []}` compares nothing: printing "0 differ" and
                // exiting 0 would let an empty or mistyped claim pass as confirmed.
                if c.matched.is_empty() && c.differences.is_empty() {
                    return Err(CliError::Usage(format!(
                        "{}: the claimed tally names no figure to compare (expected the tally \
                         JSON of `scrutin tally --json`, complete or partial)",
                        p.display()
                    )));
                }
                Comparison {
                    file: p.display().to_string(),
                    matched: c.matched,
                    differences: c
                        .differences
                        .into_iter()
                        .map(|d| (d.path, d.claimed, d.recomputed))
                        .collect(),
                }
            }
            None => Comparison {
                file: p.display().to_string(),
                matched: Vec::new(),
                differences: vec![(
                    "(whole tally)".into(),
                    "as claimed".into(),
                    "none: the bundle is not valid".into(),
                )],
            },
        }),
        _ => None,
    };
    let text = render_text(a.file, &report, comparison.as_ref());
    if let (Some(path), Some(t)) = (a.tally_out, &report.tally) {
        std::fs::write(path, t.to_json()).map_err(|e| io_err(path, e))?;
    }
    if let Some(path) = a.report {
        let html = report::render(&report_input(a.file, &report, &trust, comparison.clone()));
        std::fs::write(path, html).map_err(|e| io_err(path, e))?;
    }
    Ok(VerifyOutcome {
        report,
        comparison,
        text,
    })
}

/// `scrutin verify`.
pub(crate) fn verify(a: &VerifyArgs<'_>) -> Result<ExitCode, CliError> {
    let out = run(a)?;
    if a.json {
        print!("{}", out.report.to_json());
        if let Some(c) = &out.comparison {
            eprint!("{}", comparison_text(c));
        }
    } else {
        print!("{}", out.text);
        if let Some(p) = a.report {
            println!("HTML report written to {}", p.display());
        }
    }
    Ok(if out.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn comparison_text(c: &Comparison) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "comparison with {}: {} figures match, {} differ",
        c.file,
        c.matched.len(),
        c.differences.len()
    );
    for (path, claimed, recomputed) in &c.differences {
        let _ = writeln!(
            s,
            "  DIFFERS {path}: claimed {claimed}, recomputed {recomputed}"
        );
    }
    if !c.matched.is_empty() {
        let _ = writeln!(s, "  matched: {}", c.matched.join(", "));
    }
    s
}

fn render_text(file: &Path, r: &VerifyReport, c: Option<&Comparison>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "bundle {}", file.display());
    if let Some(m) = &r.meeting {
        let _ = writeln!(
            s,
            "meeting {}: {} ({}) {} on {}",
            m.id,
            m.issuer,
            m.stock_code,
            m.kind.name(),
            m.date
        );
    }
    let _ = writeln!(s, "entries {}, SHA-256 {}", r.entries, r.digest);
    if let Some(cp) = &r.checkpoint {
        let _ = writeln!(
            s,
            "checkpoint {} size {} root {}",
            cp.checkpoint.origin, cp.checkpoint.size, cp.checkpoint.root
        );
    }
    if !r.cosigners.is_empty() {
        let _ = writeln!(s, "cosigned by {}", r.cosigners.join(", "));
    }
    s.push_str("checks:\n");
    for ch in &r.checks {
        let _ = writeln!(
            s,
            "  {}. {:<22} {:<8} {}",
            ch.number,
            ch.name,
            status(ch.status).word(),
            ch.detail
        );
    }
    match &r.verdict {
        Verdict::Valid => s.push_str("VALID: every check passed\n"),
        Verdict::Broken {
            at_entry,
            check,
            reason,
        } => {
            let at = at_entry.map_or(String::new(), |i| format!(" at entry {i}"));
            let _ = writeln!(s, "NOT VALID{at}: {check}: {reason}");
        }
        #[allow(unreachable_patterns)]
        _ => s.push_str("NOT VALID\n"),
    }
    if let Some(t) = &r.tally {
        s.push_str(&table::render(t));
    }
    if let Some(c) = c {
        s.push_str(&comparison_text(c));
    }
    s
}

fn verdict_line(r: &VerifyReport) -> String {
    match &r.verdict {
        Verdict::Valid => "every check passed".into(),
        Verdict::Broken {
            at_entry,
            check,
            reason,
        } => {
            let at = at_entry.map_or(String::new(), |i| format!("entry {i}: "));
            format!("{at}{check}: {reason}")
        }
        #[allow(unreachable_patterns)]
        _ => "not valid".into(),
    }
}

fn report_input<'a>(
    file: &Path,
    r: &'a VerifyReport,
    trust: &[NoteVerifier],
    comparison: Option<Comparison>,
) -> ReportInput<'a> {
    ReportInput {
        bundle: file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        valid: r.is_valid() && comparison.as_ref().is_none_or(|c| c.differences.is_empty()),
        verdict: verdict_line(r),
        meeting: r.meeting.as_ref(),
        resolutions: &r.resolutions,
        digest: r.digest.clone(),
        entries: r.entries,
        checkpoint_note: r
            .checkpoint
            .as_ref()
            .map(scrutin_log::SignedCheckpoint::to_note_text),
        cosigners: r.cosigners.clone(),
        trusted: trust.iter().map(NoteVerifier::to_vkey_string).collect(),
        checks: r
            .checks
            .iter()
            .map(|c| CheckRow {
                number: c.number,
                name: c.name.clone(),
                status: status(c.status),
                detail: c.detail.clone(),
            })
            .collect(),
        tally: r.tally.as_ref(),
        comparison,
        announcement: r.announcement.as_deref(),
    }
}

/// `scrutin verify-receipt`.
pub(crate) fn verify_receipt_cmd(
    file: &Path,
    trust: &[String],
    json: bool,
) -> Result<ExitCode, CliError> {
    let trust = keys::parse_trusts(trust)?;
    let text = std::fs::read_to_string(file).map_err(|e| io_err(file, e))?;
    let receipt = VoteReceipt::from_json(&text)
        .map_err(|e| CliError::Usage(format!("{}: not a vote receipt: {e}", file.display())))?;
    let report = verify_receipt(&receipt, &trust)
        .map_err(|e| CliError::Io(format!("{}: could not verify: {e}", file.display())))?;
    if json {
        print!("{}", report.to_json());
    } else {
        println!(
            "receipt {} of holder {} ({})",
            file.display(),
            report.holder,
            report.origin
        );
        for l in &report.lines {
            println!("  {l}");
        }
        for b in &report.ballots {
            println!(
                "  ballot at entry {}: {} on resolution {}{}: {} -> {}",
                b.index,
                b.voter,
                b.resolution,
                b.class
                    .as_ref()
                    .map_or(String::new(), |c| format!(" (class {c})")),
                b.choice,
                b.status
            );
        }
        match &report.verdict {
            scrutin::ReceiptVerdict::Valid if report.final_result => println!(
                "VALID: the ballots are in the log signed by {} (checkpoint size {}) before the final result declared at entry {}, its last entry",
                report.signed_by.join(", "),
                report.checkpoint_size,
                report.declaration_index
            ),
            scrutin::ReceiptVerdict::Valid => println!(
                "VALID, PROVISIONAL RESULT: the ballots are in the log signed by {} (checkpoint size {}) before the result declared at entry {}, which is not final (the poll on resolution(s) {} was not shown closed): a later declaration may change it",
                report.signed_by.join(", "),
                report.checkpoint_size,
                report.declaration_index,
                report.polls_not_closed.join(", ")
            ),
            scrutin::ReceiptVerdict::Invalid { reason } => println!("NOT VALID: {reason}"),
            #[allow(unreachable_patterns)]
            _ => println!("NOT VALID"),
        }
    }
    Ok(if report.is_valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
