//! Who may run a meeting. A key trusted as a signer (C2SP type 0x01) may sign a genesis and
//! checkpoints, so the verifier names which trusted key runs the meeting; a witness trusted by
//! its cosigner key (type 0x04) may only cosign, so a meeting it signed itself never verifies.

mod common;

use common::*;
use scrutin::{verify_bundle, verify_receipt, CheckStatus, Verdict};
use scrutin_log::NoteVerifier;

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

/// The witness as a lawyer should trust it: by its cosigner key, which cannot sign.
fn witness_as_cosigner(w: &scrutin_log::Signer) -> NoteVerifier {
    let v = NoteVerifier::parse(&w.verifier().to_cosigner_vkey_string()).unwrap();
    assert!(v.is_cosign_only());
    v
}

#[test]
fn a_witness_trusted_as_cosigner_cannot_run_a_meeting() {
    let trust = [registrar().verifier(), witness_as_cosigner(&scrutineer())];
    // The scrutineer signs a whole meeting of its own, naming itself registrar.
    let forged = bundle_run_by(&scrutineer());
    let report = verify_bundle(&forged[..], &trust, &mut |_, _| {}).unwrap();
    assert!(!report.is_valid(), "{}", report.to_json());
    assert!(matches!(report.verdict, Verdict::Broken { .. }));
    // ... and it still fails when the forger adds a cosignature of its own to look witnessed.
    let dir = tempfile::tempdir().unwrap();
    let mut c = convened();
    c.registrar = key(&scrutineer());
    let ledger = scrutin::Ledger::create(dir.path(), c, &scrutineer()).unwrap();
    let mut cp = ledger.checkpoint(&scrutineer()).unwrap();
    let mut w = scrutin_log::Witness::new(scrutineer(), None);
    let cosig = w
        .cosign(&cp, &scrutineer().verifier(), &[], 1_800_000_000)
        .unwrap();
    cp.add_cosignature(cosig);
    ledger.store_checkpoint(&cp).unwrap();
    let mut out = Vec::new();
    ledger.export(&mut out, &mut |_, _| {}).unwrap();
    let report = verify_bundle(&out[..], &trust, &mut |_, _| {}).unwrap();
    assert!(!report.is_valid(), "{}", report.to_json());
}

#[test]
fn a_genuine_meeting_verifies_with_its_witness_trusted_as_cosigner() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    let mut cp = ledger.checkpoint(&registrar()).unwrap();
    let mut w = scrutin_log::Witness::new(witness(), None);
    let cosig = w
        .cosign(&cp, &registrar().verifier(), &[], 1_800_000_000)
        .unwrap();
    cp.add_cosignature(cosig);
    ledger.store_checkpoint(&cp).unwrap();
    let mut bundle = Vec::new();
    ledger.export(&mut bundle, &mut |_, _| {}).unwrap();
    let trust = [registrar().verifier(), witness_as_cosigner(&witness())];
    let report = verify_bundle(&bundle[..], &trust, &mut |_, _| {}).unwrap();
    assert!(report.is_valid(), "{}", report.to_json());
    assert_eq!(report.cosigners, vec!["witness.example".to_string()]);
    // A receipt checks out with the same trust, and not when only the witness is trusted.
    let receipt = ledger.receipt(&h("H1")).unwrap();
    assert!(verify_receipt(&receipt, &trust).unwrap().is_valid());
    let only_witness = [witness_as_cosigner(&witness())];
    assert!(!verify_receipt(&receipt, &only_witness).unwrap().is_valid());
}
