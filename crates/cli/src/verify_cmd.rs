//! `scrutin verify` and `scrutin verify-receipt`: offline checks, exit 0 valid, 1 invalid,
//! 2 when the check could not run (usage, I/O).

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::process::ExitCode;

use scrutin::log::{NoteVerifier, Pin};
use scrutin::report::{render_html, ReportComparison, ReportInput};
use scrutin::{
    compare_tally, verify_bundle_pinned, Difference, ReceiptVerifier, TallyComparison, Verdict,
    VerifyReport, VoteReceipt,
};

use crate::error::{io_err, CliError};
use crate::escape::{self, field};
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
    /// `--origin` / `--meeting` and `--quorum`.
    pub(crate) pin: Pin,
}

/// The pin of `--origin ORIGIN` or `--meeting ID` (origin `scrutin/ID`) and `--quorum K`.
pub(crate) fn pin_of(origin: Option<&str>, meeting: Option<&str>, quorum: usize) -> Pin {
    Pin {
        origin: origin
            .map(str::to_owned)
            .or_else(|| meeting.map(scrutin::origin_for)),
        quorum,
    }
}

/// The `--expect` comparison: the claimed file as named and what matched or differs.
#[derive(Debug, Clone)]
pub(crate) struct Comparison {
    pub(crate) file: String,
    pub(crate) result: TallyComparison,
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
        self.report.is_valid() && self.comparison.as_ref().is_none_or(|c| c.result.is_match())
    }
}

/// Runs the verification and renders the text summary (and the HTML report if asked).
pub(crate) fn run(a: &VerifyArgs<'_>) -> Result<VerifyOutcome, CliError> {
    run_with(a, &mut |trust, progress| {
        let f = File::open(a.file).map_err(|e| io_err(a.file, e))?;
        verify_bundle_pinned(
            BufReader::with_capacity(1 << 20, f),
            trust,
            &a.pin,
            progress,
        )
        .map_err(|e| CliError::Io(format!("{}: could not verify: {e}", a.file.display())))
    })
}

/// How a report is obtained: from the trusted keys, with a progress callback.
pub(crate) type Obtain<'a> =
    dyn FnMut(&[NoteVerifier], &mut dyn FnMut(u64, u64)) -> Result<VerifyReport, CliError> + 'a;

/// [`run`] with the report obtained by `obtain` (a bundle file, or tiles: `net_cmd`).
pub(crate) fn run_with(
    a: &VerifyArgs<'_>,
    obtain: &mut Obtain<'_>,
) -> Result<VerifyOutcome, CliError> {
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
    let pb = progress::bar(0, "verifying", a.quiet);
    let r = obtain(&trust, &mut |done, total| {
        pb.set_length(total);
        pb.set_position(done);
    });
    pb.finish_and_clear();
    let report = r?;
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
                    result: c,
                }
            }
            None => Comparison {
                file: p.display().to_string(),
                result: TallyComparison {
                    matched: Vec::new(),
                    differences: vec![Difference {
                        path: "(whole tally)".into(),
                        claimed: "as claimed".into(),
                        recomputed: "none: the bundle is not valid".into(),
                        kind: scrutin::crosscheck::DifferenceKind::Missing,
                    }],
                },
            },
        }),
        _ => None,
    };
    let text = render_text(a.file, &report, comparison.as_ref());
    if let (Some(path), Some(t)) = (a.tally_out, &report.tally) {
        std::fs::write(path, t.to_json()).map_err(|e| io_err(path, e))?;
    }
    if let Some(path) = a.report {
        let bundle = a.file.file_name().map_or_else(
            || a.file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let html = render_html(
            &report,
            &ReportInput {
                bundle: &bundle,
                trusted: &trust,
                comparison: comparison.as_ref().map(|c| ReportComparison {
                    file: &c.file,
                    result: &c.result,
                }),
            },
        );
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
    present(a, &out)
}

/// Prints a verification's outcome; exit 0 valid, 1 not.
pub(crate) fn present(a: &VerifyArgs<'_>, out: &VerifyOutcome) -> Result<ExitCode, CliError> {
    if a.json {
        print!("{}", escape::json(&out.report.to_json()));
        if let Some(c) = &out.comparison {
            eprint!("{}", escape::lines(&comparison_text(c)));
        }
    } else {
        print!("{}", escape::lines(&out.text));
        if let Some(p) = a.report {
            println!("HTML report written to {}", field(&p.display().to_string()));
        }
    }
    Ok(if out.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(crate) fn comparison_text(c: &Comparison) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "comparison with {}: {} figures match, {} differ",
        field(&c.file),
        c.result.matched.len(),
        c.result.differences.len()
    );
    for d in &c.result.differences {
        let _ = writeln!(
            s,
            "  DIFFERS {}: claimed {}, recomputed {} ({})",
            field(&d.path),
            field(&d.claimed),
            field(&d.recomputed),
            d.kind
        );
    }
    if !c.result.matched.is_empty() {
        let _ = writeln!(s, "  matched: {}", field(&c.result.matched.join(", ")));
    }
    s
}

fn render_text(file: &Path, r: &VerifyReport, c: Option<&Comparison>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "bundle {}", field(&file.display().to_string()));
    if let Some(m) = &r.meeting {
        let _ = writeln!(
            s,
            "meeting {}: {} ({}) {} on {}",
            field(&m.id),
            field(&m.issuer),
            field(&m.stock_code),
            m.kind.name(),
            field(&m.date.to_string())
        );
    }
    let _ = writeln!(s, "entries {}, SHA-256 {}", r.entries, r.digest);
    if let Some(cp) = &r.checkpoint {
        let _ = writeln!(
            s,
            "checkpoint {} size {} root {}",
            field(&cp.checkpoint.origin),
            cp.checkpoint.size,
            cp.checkpoint.root
        );
    }
    if !r.cosigners.is_empty() {
        let _ = writeln!(s, "cosigned by {}", field(&r.cosigners.join(", ")));
    }
    if !r.witnesses_silent.is_empty() {
        let _ = writeln!(
            s,
            "trusted witnesses that did not cosign: {}",
            field(&r.witnesses_silent.join(", "))
        );
    }
    s.push_str("checks:\n");
    for ch in &r.checks {
        let _ = writeln!(
            s,
            "  {}. {:<22} {:<8} {}",
            ch.number,
            field(&ch.name),
            ch.status.word(),
            field(&ch.detail)
        );
    }
    match &r.verdict {
        Verdict::Valid if r.declared_at.is_none() => {
            let _ = writeln!(s, "VALID, {}", r.verdict_line());
        }
        Verdict::Valid => s.push_str("VALID: every check passed\n"),
        Verdict::Broken {
            at_entry,
            check,
            reason,
        } => {
            let at = at_entry.map_or(String::new(), |i| format!(" at entry {i}"));
            let _ = writeln!(s, "NOT VALID{at}: {}: {}", field(check), field(reason));
        }
    }
    if let Some(t) = &r.tally {
        s.push_str(&escape::lines(&table::render(t, r.declared_at.is_some())));
    }
    if let Some(c) = c {
        s.push_str(&comparison_text(c));
    }
    s
}

/// `scrutin verify-receipt`.
pub(crate) fn verify_receipt_cmd(
    file: &Path,
    trust: &[String],
    json: bool,
    pin: &Pin,
) -> Result<ExitCode, CliError> {
    verify_receipts_cmd(&[file.to_owned()], trust, json, pin)
}

/// `scrutin verify-receipt FILE...`: each receipt verified (with [`ReceiptVerifier`]: the
/// checks shared by receipts of one checkpoint done once) and reported in turn; exit 0 when
/// every one is valid, 1 when any is not.
pub(crate) fn verify_receipts_cmd(
    files: &[std::path::PathBuf],
    trust: &[String],
    json: bool,
    pin: &Pin,
) -> Result<ExitCode, CliError> {
    let trust = keys::parse_trusts(trust)?;
    let mut verifier = ReceiptVerifier::new(trust, pin.clone())
        .map_err(|e| CliError::Usage(format!("could not verify: {e}")))?;
    let mut all_valid = true;
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| io_err(file, e))?;
        let receipt = VoteReceipt::from_json(&text)
            .map_err(|e| CliError::Usage(format!("{}: not a vote receipt: {e}", file.display())))?;
        let report = verifier
            .verify(&receipt)
            .map_err(|e| CliError::Io(format!("{}: could not verify: {e}", file.display())))?;
        if json {
            print!("{}", escape::json(&report.to_json()));
        } else {
            print!("{}", escape::lines(&receipt_text(file, &report)));
        }
        all_valid &= report.is_valid();
    }
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The text report of `verify-receipt`: every value from the receipt escaped.
fn receipt_text(file: &Path, report: &scrutin::ReceiptReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "receipt {} of holder {} ({})",
        field(&file.display().to_string()),
        field(&report.holder),
        field(&report.origin)
    );
    for l in &report.lines {
        let _ = writeln!(s, "  {}", field(l));
    }
    for b in &report.ballots {
        let _ = writeln!(
            s,
            "  ballot at entry {}: {} on resolution {}{}: {} -> {}",
            b.index,
            field(&b.voter),
            field(&b.resolution),
            b.class
                .as_ref()
                .map_or(String::new(), |c| format!(" (class {})", field(c))),
            field(&b.choice),
            field(&b.status)
        );
    }
    if !report.witnesses_silent.is_empty() {
        let _ = writeln!(
            s,
            "  trusted witnesses that did not cosign: {}",
            field(&report.witnesses_silent.join(", "))
        );
    }
    match &report.verdict {
        scrutin::ReceiptVerdict::Valid if report.final_result => {
            let _ = writeln!(
                s,
                "VALID: the ballots are in the log signed by {} (checkpoint size {}) before the \
                 final result declared at entry {}, its last entry",
                field(&report.signed_by.join(", ")),
                report.checkpoint_size,
                report.declaration_index
            );
        }
        scrutin::ReceiptVerdict::Valid => {
            let _ = writeln!(
                s,
                "VALID, PROVISIONAL RESULT: the ballots are in the log signed by {} (checkpoint \
                 size {}) before the result declared at entry {}, which is not final (the poll \
                 on resolution(s) {} was not shown closed): a later declaration may change it",
                field(&report.signed_by.join(", ")),
                report.checkpoint_size,
                report.declaration_index,
                field(&report.polls_not_closed.join(", "))
            );
        }
        scrutin::ReceiptVerdict::Invalid { reason } => {
            let _ = writeln!(s, "NOT VALID: {}", field(reason));
        }
    }
    s
}
