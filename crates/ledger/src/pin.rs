//! Pinning what is verified: the meeting (the log's origin) and a quorum of witness
//! cosignatures, checked after the bundle's or receipt's own checks.
//!
//! Trusting the registrar's key alone says "some log this key signed"; a verifier who means
//! one meeting pins its origin, and one who trusts the registrar only as far as independent
//! witnesses vouch for it requires K of them.

use std::io::Read;

use scrutin_log::{CheckList, NoteVerifier, Pin, SignedCheckpoint};

use crate::verify::{verify_bundle, VerifyReport};
use crate::{verify_receipt, LedgerError, ReceiptReport, ReceiptVerdict, VoteReceipt};

/// The number of the pinning check in a [`VerifyReport`] (present only with a non-empty pin).
pub const CHECK_PINNING: u32 = 10;
const PINNING_NAME: &str = "pinning";

/// [`verify_bundle`], then the pin: with a non-empty `pin` the report gains check 10,
/// "pinning", and a bundle that passed every other check but is of another origin, or
/// cosigned by fewer than `pin.quorum` trusted witnesses, is [`Verdict::Broken`](crate::Verdict::Broken) at it (its
/// tally and announcement are then withheld, as for any broken bundle). An earlier failure
/// stays the verdict.
///
/// # Errors
/// As [`verify_bundle`].
pub fn verify_bundle_pinned(
    reader: impl Read,
    trust: &[NoteVerifier],
    pin: &Pin,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<VerifyReport, LedgerError> {
    let report = verify_bundle(reader, trust, progress)?;
    Ok(apply_pin(report, trust, pin))
}

/// Decides check 10 (the pin) after checks 1 to 9, clearing the counts of a report it breaks.
pub(crate) fn apply_pin(
    mut report: VerifyReport,
    trust: &[NoteVerifier],
    pin: &Pin,
) -> VerifyReport {
    if pin.is_empty() {
        return report;
    }
    // Check 10 is decided last: after any earlier failure it is not run.
    let mut list = CheckList::resume(std::mem::take(&mut report.checks), report.verdict.clone());
    match report.checkpoint.as_ref().map(|cp| pin.check(cp, trust)) {
        None => list.not_run(CHECK_PINNING, PINNING_NAME, "no readable checkpoint"),
        Some(Ok(done)) => list.pass(CHECK_PINNING, PINNING_NAME, done),
        Some(Err(reason)) => list.fail(CHECK_PINNING, PINNING_NAME, None, reason),
    }
    let (checks, verdict) = list.finish();
    report.checks = checks;
    report.verdict = verdict;
    if !report.is_valid() {
        // As for any broken bundle, no count derived from it is given.
        report.tally = None;
        report.announcement = None;
        report.disregarded.clear();
    }
    report
}

/// [`verify_receipt`], then the pin: a receipt that passed every check but whose checkpoint
/// is of another origin, or cosigned by fewer than `pin.quorum` trusted witnesses, is
/// [`ReceiptVerdict::Invalid`] with the reason; a pin that holds adds a line saying so.
///
/// # Errors
/// As [`verify_receipt`].
pub fn verify_receipt_pinned(
    receipt: &VoteReceipt,
    trust: &[NoteVerifier],
    pin: &Pin,
) -> Result<ReceiptReport, LedgerError> {
    let mut report = verify_receipt(receipt, trust)?;
    if pin.is_empty() || !report.is_valid() {
        return Ok(report);
    }
    // A valid receipt's checkpoint parsed and verified.
    let checked = SignedCheckpoint::parse_note(&receipt.checkpoint)
        .map_err(|e| format!("checkpoint: {e}"))
        .and_then(|cp| pin.check(&cp, trust));
    match checked {
        Ok(done) => report.lines.push(format!("pinning: {done}")),
        Err(reason) => {
            let reason = format!("pinning: {reason}");
            report.lines.push(format!("FAILED: {reason}"));
            report.verdict = ReceiptVerdict::Invalid { reason };
        }
    }
    Ok(report)
}
