//! Vote receipts: they verify with the receipt and the trusted key alone, show each ballot
//! counted or disregarded, and fail when a ballot byte or the checkpoint key is wrong.

mod common;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use common::*;
use scrutin::{verify_receipt, LedgerError, ReceiptVerdict, VoteReceipt};
use scrutin_log::Signer;

fn receipt_for(holder: &str) -> VoteReceipt {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    ledger.checkpoint(&registrar()).unwrap();
    ledger.receipt(&h(holder)).unwrap()
}

#[test]
fn a_receipt_verifies_and_round_trips() {
    let receipt = receipt_for("H2");
    let text = receipt.to_json();
    let parsed = VoteReceipt::from_json(&text).unwrap();
    assert_eq!(parsed, receipt);
    let report = verify_receipt(&parsed, &[registrar().verifier()]).unwrap();
    assert_eq!(
        report.verdict,
        ReceiptVerdict::Valid,
        "{}",
        report.to_json()
    );
    // H2 voted through its proxy P1 on both resolutions.
    assert_eq!(report.ballots.len(), 2);
    assert!(report.ballots.iter().all(|b| b.voter == "proxy:P1"));
    assert!(report.ballots.iter().all(|b| b.status == "counted"));
    assert_eq!(report.signed_by, vec!["registrar.example".to_string()]);
    assert!(report
        .ballots
        .iter()
        .all(|b| b.index < report.declaration_index));
}

#[test]
fn a_disregarded_ballot_is_shown_with_its_reason() {
    let receipt = receipt_for("H4");
    let report = verify_receipt(&receipt, &[registrar().verifier()]).unwrap();
    assert!(report.is_valid(), "{}", report.to_json());
    let on_2 = report.ballots.iter().find(|b| b.resolution == "2").unwrap();
    assert!(on_2.status.starts_with("disregarded"), "{}", on_2.status);
    let on_1 = report.ballots.iter().find(|b| b.resolution == "1").unwrap();
    assert_eq!(on_1.status, "counted");
}

#[test]
fn an_altered_ballot_byte_fails() {
    let mut receipt = receipt_for("H1");
    let mut bytes = B64.decode(&receipt.entries[0].entry).unwrap();
    let last_payload_byte = bytes.len() - 65;
    bytes[last_payload_byte] ^= 0x01;
    receipt.entries[0].entry = B64.encode(&bytes);
    let report = verify_receipt(&receipt, &[registrar().verifier()]).unwrap();
    assert!(!report.is_valid());
    let ReceiptVerdict::Invalid { reason } = &report.verdict else {
        unreachable!()
    };
    assert!(
        reason.contains(&format!("entry {}", receipt.entries[0].index)),
        "{reason}"
    );
}

#[test]
fn a_checkpoint_from_an_untrusted_key_fails() {
    let receipt = receipt_for("H1");
    let other = Signer::from_seed("registrar.example", [42; 32]).unwrap();
    let report = verify_receipt(&receipt, &[other.verifier()]).unwrap();
    let ReceiptVerdict::Invalid { reason } = &report.verdict else {
        panic!("an untrusted checkpoint verified")
    };
    assert!(reason.contains("checkpoint"), "{reason}");
}

#[test]
fn a_swapped_tally_fails() {
    let mut receipt = receipt_for("H1");
    receipt.tally = receipt
        .tally
        .replace("\"passed\": true", "\"passed\": false");
    let report = verify_receipt(&receipt, &[registrar().verifier()]).unwrap();
    assert!(!report.is_valid());
}

#[test]
fn no_receipt_without_a_checkpoint_or_a_declaration() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registrar();
    let ledger = scrutin::Ledger::create(dir.path(), convened(), &reg).unwrap();
    ledger.submit_batch(&reg, setup_events()).unwrap();
    ledger.submit_batch(&reg, ballots()).unwrap();
    assert_eq!(
        ledger.receipt(&h("H1")).unwrap_err(),
        LedgerError::NoCheckpoint
    );
    ledger.checkpoint(&reg).unwrap();
    assert!(matches!(
        ledger.receipt(&h("H1")).unwrap_err(),
        LedgerError::NotFound(_)
    ));
    assert!(VoteReceipt::from_json("{}").is_err());
    assert!(verify_receipt(&receipt_for("H1"), &[]).is_err());
}

#[test]
fn the_declaration_must_be_by_a_granted_scrutineer() {
    let mut receipt = receipt_for("H1");
    assert_eq!(receipt.genesis.index, 0);
    assert!(receipt.scrutineer_grant.is_some());
    receipt.scrutineer_grant = None;
    let report = verify_receipt(&receipt, &[registrar().verifier()]).unwrap();
    let ReceiptVerdict::Invalid { reason } = &report.verdict else {
        panic!("a declaration by an unproven scrutineer verified")
    };
    assert!(reason.contains("scrutineer"), "{reason}");
}

#[test]
fn the_genesis_must_be_by_a_trusted_registrar() {
    // A checkpoint key that is trusted is not enough: the genesis key must be trusted too.
    let receipt = receipt_for("H1");
    let mut other = receipt.clone();
    other.genesis = receipt.entries[0].clone();
    let report = verify_receipt(&other, &[registrar().verifier()]).unwrap();
    assert!(!report.is_valid());
}
