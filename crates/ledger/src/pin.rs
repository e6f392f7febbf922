//! Pinning what is verified: the meeting (the log's origin) and a quorum of witness
//! cosignatures, checked after the bundle's or receipt's own checks.
//!
//! Trusting the registrar's key alone says "some log this key signed"; a verifier who means
//! one meeting pins its origin, and one who trusts the registrar only as far as independent
//! witnesses vouch for it requires K of them.

use std::io::Read;

use scrutin_log::{NoteVerifier, Pin, SignedCheckpoint};

use crate::verify::{verify_bundle, Check, CheckStatus, Verdict, VerifyReport};
use crate::{verify_receipt, LedgerError, ReceiptReport, ReceiptVerdict, VoteReceipt};

/// The number of the pinning check in a [`VerifyReport`] (present only with a non-empty pin).
pub const CHECK_PINNING: u32 = 10;
const PINNING_NAME: &str = "pinning";

/// [`verify_bundle`], then the pin: with a non-empty `pin` the report gains check 10,
/// "pinning", and a bundle that passed every other check but is of another origin, or
/// cosigned by fewer than `pin.quorum` trusted witnesses, is [`Verdict::Broken`] at it (its
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
    let mut report = verify_bundle(reader, trust, progress)?;
    if pin.is_empty() {
        return Ok(report);
    }
    let (status, detail) = match report.checkpoint.as_ref().map(|cp| pin.check(cp, trust)) {
        None => (CheckStatus::NotRun, "no readable checkpoint".to_string()),
        Some(Ok(done)) => (CheckStatus::Passed, done),
        Some(Err(reason)) => {
            if report.is_valid() {
                report.verdict = Verdict::Broken {
                    at_entry: None,
                    check: PINNING_NAME.into(),
                    reason: reason.clone(),
                };
                report.tally = None;
                report.announcement = None;
                report.disregarded.clear();
            }
            (CheckStatus::Failed, reason)
        }
    };
    report.checks.push(Check {
        number: CHECK_PINNING,
        name: PINNING_NAME.into(),
        status,
        detail,
    });
    Ok(report)
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
