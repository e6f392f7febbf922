//! `scrutin verify` and `scrutin verify-receipt`: offline checks, exit 0 valid, 1 invalid,
//! 2 when the check could not run (usage, I/O).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::process::ExitCode;

use scrutin::log::{NoteVerifier, Pin};
use scrutin::model::UtcMillis;
use scrutin::report::{
    render_html, DisplayOffset, ReportAnnouncement, ReportComparison, ReportInput,
};
use scrutin::{
    compare_claim, parse_claimed_tally, verify_bundle_pinned, verify_bundle_since, LedgerError,
    ReceiptVerifier, TallyComparison, VerifyReport, VerifyState, VoteReceipt,
};

use crate::error::{io_err, CliError};
use crate::escape::{self, field};
use crate::{keys, progress};

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
    /// What the HTML report shows beyond the verification (`--attest`, `--tz`, when).
    pub(crate) shown: Shown<'a>,
    /// `--since STATE`: continue from a previous verification's state.
    pub(crate) since: Option<&'a Path>,
    /// `--state-out STATE`: where to write this verification's state, when valid.
    pub(crate) state_out: Option<&'a Path>,
}

/// The HTML report's inputs from the command line: `--attest`, `--tz`, the time of the
/// verification, and the `--announcement` file (whose cross-check the report waits for).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Shown<'a> {
    pub(crate) attest: Option<&'a str>,
    pub(crate) tz: DisplayOffset,
    pub(crate) verified_at: Option<UtcMillis>,
    pub(crate) announcement: Option<&'a Path>,
}

impl<'a> Shown<'a> {
    /// The options given, verified now.
    pub(crate) fn now(
        attest: Option<&'a str>,
        tz: Option<DisplayOffset>,
        announcement: Option<&'a Path>,
    ) -> Shown<'a> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| u64::try_from(d.as_millis()).ok())
            .map(UtcMillis);
        Shown {
            attest,
            tz: tz.unwrap_or_default(),
            verified_at: now,
            announcement,
        }
    }
}

/// How `verify-receipt` shows its report: `--verbose`, `--tz`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ReceiptView {
    pub(crate) verbose: bool,
    pub(crate) tz: DisplayOffset,
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
    if a.since.is_none() && a.state_out.is_none() {
        return run_with(a, &mut |trust, progress| {
            let f = File::open(a.file).map_err(|e| io_err(a.file, e))?;
            verify_bundle_pinned(
                BufReader::with_capacity(1 << 20, f),
                trust,
                &a.pin,
                progress,
            )
            .map_err(|e| CliError::Io(format!("{}: could not verify: {e}", a.file.display())))
        });
    }
    let since = match a.since {
        None => None,
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|e| io_err(p, e))?;
            Some(
                VerifyState::from_bytes(&bytes)
                    .map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))?,
            )
        }
    };
    let mut state = None;
    let out = run_with(a, &mut |trust, progress| {
        let f = File::open(a.file).map_err(|e| io_err(a.file, e))?;
        let (report, s) = verify_bundle_since(
            BufReader::with_capacity(1 << 20, f),
            trust,
            &a.pin,
            since.as_ref(),
            a.state_out.is_some(),
            progress,
        )
        .map_err(|e| match e {
            LedgerError::StateTrustMismatch { .. } | LedgerError::BadVerifyState(_) => {
                CliError::Usage(format!(
                    "{}: {e}",
                    a.since
                        .map_or_else(String::new, |p| p.display().to_string())
                ))
            }
            e => CliError::Io(format!("{}: could not verify: {e}", a.file.display())),
        })?;
        state = s;
        Ok(report)
    })?;
    if let Some(path) = a.state_out {
        match &state {
            Some(s) => scrutin::write_atomic(path, &s.to_bytes())
                .map_err(|e| CliError::Io(format!("{}: {e}", path.display())))?,
            None => eprintln!(
                "no verification state written to {}: the bundle is not valid",
                field(&path.display().to_string())
            ),
        }
    }
    Ok(out)
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
            Some(parse_claimed_tally(&text).map_err(|e| {
                CliError::Usage(format!(
                    "{}:{}:{}: not JSON: {e}",
                    p.display(),
                    e.line(),
                    e.column()
                ))
            })?)
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
        (Some(v), Some(p)) => Some(Comparison {
            file: p.display().to_string(),
            result: compare_claim(v, report.tally.as_ref()).ok_or_else(|| {
                CliError::Usage(format!(
                    "{}: the claimed tally names no figure to compare (expected the tally \
                     JSON of `scrutin tally --json`, complete or partial)",
                    p.display()
                ))
            })?,
        }),
        _ => None,
    };
    let text = report.to_text(
        &a.file.display().to_string(),
        comparison.as_ref().map(|c| (c.file.as_str(), &c.result)),
    );
    if let (Some(path), Some(json)) = (a.tally_out, report.certified_tally_json()) {
        scrutin::write_atomic(path, json.as_bytes())
            .map_err(|e| CliError::Io(format!("{}: {e}", path.display())))?;
    }
    let out = VerifyOutcome {
        report,
        comparison,
        text,
    };
    // With --announcement, the report waits for the cross-check (`crosscheck_cmd`).
    if a.shown.announcement.is_none() {
        write_report(a, &trust, &out, None)?;
    }
    Ok(out)
}

/// Writes the HTML report of `--report`, if asked, with the cross-check of `--announcement`
/// when one was made.
pub(crate) fn write_report(
    a: &VerifyArgs<'_>,
    trust: &[NoteVerifier],
    out: &VerifyOutcome,
    announcement: Option<ReportAnnouncement<'_>>,
) -> Result<(), CliError> {
    let Some(path) = a.report else {
        return Ok(());
    };
    let bundle = a.file.file_name().map_or_else(
        || a.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let html = render_html(
        &out.report,
        &ReportInput {
            comparison: out.comparison.as_ref().map(|c| ReportComparison {
                file: &c.file,
                result: &c.result,
            }),
            announcement,
            verified_at: a.shown.verified_at,
            offset: a.shown.tz,
            attest: a.shown.attest,
            ..ReportInput::new(&bundle, trust)
        },
    );
    scrutin::write_atomic(path, html.as_bytes())
        .map_err(|e| CliError::Io(format!("{}: {e}", path.display())))
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

/// The `--expect` comparison as text.
pub(crate) fn comparison_text(c: &Comparison) -> String {
    c.result.to_text(&c.file)
}

/// `scrutin verify-receipt`: the receipt in plain words (`ReceiptReport::to_text`), the
/// checks made after it with `--verbose`; times at `--tz`.
pub(crate) fn verify_receipt_cmd(
    file: &Path,
    trust: &[String],
    json: bool,
    pin: &Pin,
    view: ReceiptView,
) -> Result<ExitCode, CliError> {
    verify_receipts_cmd(&[file.to_owned()], trust, json, pin, view)
}

/// The receipt files of `group` read and parsed, on all cores, in order.
fn read_receipts(group: &[std::path::PathBuf]) -> Vec<Result<VoteReceipt, CliError>> {
    let read = |file: &std::path::PathBuf| {
        std::fs::read_to_string(file)
            .map_err(|e| io_err(file, e))
            .and_then(|text| {
                VoteReceipt::from_json(&text).map_err(|e| {
                    CliError::Usage(format!("{}: not a vote receipt: {e}", file.display()))
                })
            })
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));
    if threads == 1 || group.len() < 64 {
        return group.iter().map(read).collect();
    }
    let part = group.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = group
            .chunks(part)
            .map(|chunk| s.spawn(move || chunk.iter().map(read).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .zip(group.chunks(part))
            .flat_map(|(h, chunk)| {
                h.join().unwrap_or_else(|_| {
                    chunk
                        .iter()
                        .map(|f| Err(CliError::Io(format!("{}: could not read", f.display()))))
                        .collect()
                })
            })
            .collect()
    })
}

/// Receipt files read, parsed and verified together (one signature batch per group).
const RECEIPT_GROUP: usize = 2_048;

/// `scrutin verify-receipt FILE...`: each receipt verified (with
/// [`ReceiptVerifier::verify_all`]: the checks shared by receipts of one checkpoint done once,
/// the entry signatures of a group of files checked in batches) and reported in turn, in the
/// order given; exit 0 when every one is valid, 1 when any is not.
pub(crate) fn verify_receipts_cmd(
    files: &[std::path::PathBuf],
    trust: &[String],
    json: bool,
    pin: &Pin,
    view: ReceiptView,
) -> Result<ExitCode, CliError> {
    let trust = keys::parse_trusts(trust)?;
    let mut verifier = ReceiptVerifier::new(trust, pin.clone())
        .map_err(|e| CliError::Usage(format!("could not verify: {e}")))?;
    let mut all_valid = true;
    for group in files.chunks(RECEIPT_GROUP) {
        let mut receipts = Vec::with_capacity(group.len());
        // A file that is not a receipt stops the run, after the receipts before it are
        // reported (as when each file was verified in turn).
        let mut stop = None;
        for parsed in read_receipts(group) {
            match parsed {
                Ok(r) => receipts.push(r),
                Err(e) => {
                    stop = Some(e);
                    break;
                }
            }
        }
        let reports = verifier
            .verify_all(&receipts)
            .map_err(|e| CliError::Io(format!("could not verify: {e}")))?;
        for (file, mut report) in group.iter().zip(reports) {
            report.set_offset(view.tz);
            if json {
                print!("{}", escape::json(&report.to_json()));
            } else {
                println!("receipt {}", field(&file.display().to_string()));
                print!("{}", escape::lines(&report.to_text(view.verbose)));
            }
            all_valid &= report.is_valid();
        }
        if let Some(e) = stop {
            return Err(e);
        }
    }
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
