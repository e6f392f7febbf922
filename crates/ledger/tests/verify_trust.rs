//! The trusted keys carry no roles (the log has one flat trust set), so any trusted key, a
//! witness's included, may sign a genesis naming itself registrar. The verifier must then at
//! least say which trusted key runs the meeting, so a reader sees a witness posing as the
//! registrar.

mod common;

use common::*;
use scrutin::{verify_bundle, verify_receipt, CheckStatus};

fn bundle_run_by(signer: &scrutin_log::Signer) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let mut c = convened();
    c.registrar = key(signer);
    let ledger = scrutin::Ledger::create(dir.path(), c, signer).unwrap();
    ledger.checkpoint(signer).unwrap();
    let mut out = Vec::new();
    ledger.export(&mut out, &mut |_, _| {}).unwrap();
    out
}

fn authority_detail(bundle: &[u8]) -> String {
    let trust = [registrar().verifier(), scrutineer().verifier()];
    let report = verify_bundle(bundle, &trust, &mut |_, _| {}).unwrap();
    let c = report.checks.iter().find(|c| c.number == 7).unwrap();
    assert_eq!(c.status, CheckStatus::Passed, "{}", report.to_json());
    c.detail.clone()
}

#[test]
fn the_authority_check_names_the_trusted_key_that_signed_the_genesis() {
    let genuine = authority_detail(&bundle_run_by(&registrar()));
    assert!(genuine.contains("registrar.example"), "{genuine}");
    // A meeting the scrutineer (trusted as a witness) ran on its own.
    let posing = authority_detail(&bundle_run_by(&scrutineer()));
    assert!(posing.contains("scrutineer.example"), "{posing}");
    assert!(!posing.contains("registrar.example"), "{posing}");
}

#[test]
fn a_receipt_names_the_trusted_key_that_signed_the_genesis() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    ledger.checkpoint(&registrar()).unwrap();
    let receipt = ledger.receipt(&h("H1")).unwrap();
    let report = verify_receipt(&receipt, &[registrar().verifier(), witness().verifier()]).unwrap();
    assert!(report.is_valid(), "{}", report.to_json());
    assert!(
        report
            .lines
            .iter()
            .any(|l| l.starts_with("entry 0:") && l.contains("trusted as registrar.example")),
        "{:?}",
        report.lines
    );
}
