//! `VoteReceipt::from_json` and `verify_receipt` on arbitrary text, trusting the repository's
//! fixture keys: never panic; a parsed receipt's JSON reads back as the same receipt.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scrutin::{verify_receipt, VoteReceipt};
use scrutin_fuzz::trusted;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(receipt) = VoteReceipt::from_json(text) else {
        return;
    };
    let again = VoteReceipt::from_json(&receipt.to_json()).expect("a parsed receipt re-parses");
    assert_eq!(again, receipt);
    let report = verify_receipt(&receipt, trusted()).expect("keys are trusted");
    let _ = (report.verdict, report.lines.len());
    assert!(verify_receipt(&receipt, &[]).is_err());
});
