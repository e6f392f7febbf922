//! Bundle verification: valid on an honest export; broken, naming the entry, on validly
//! signed events that break a rule, an unauthorised author, an untrusted genesis key.

mod common;

use common::*;
use scrutin::{verify_bundle, CheckStatus, Verdict};
use scrutin_log::{Log, Signer};
use scrutin_model::{encode_event, Event};

/// A bundle written straight through the log, bypassing the ledger's rule checks.
fn raw_bundle(events: &[(&Signer, Event)], checkpoint_signer: &Signer) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let log = Log::create(dir.path(), "scrutin/TEST-EGM-2026").unwrap();
    for (signer, event) in events {
        log.append(signer, encode_event(event).unwrap()).unwrap();
    }
    let cp = log.checkpoint(checkpoint_signer).unwrap();
    let mut out = Vec::new();
    log.export(&cp, &mut out).unwrap();
    out
}

fn honest_events(reg: &Signer) -> Vec<(&Signer, Event)> {
    let mut v = vec![(reg, Event::MeetingConvened(convened()))];
    v.extend(setup_events().into_iter().map(|e| (reg, e)));
    v
}

#[test]
fn an_honest_export_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    let bundle = bundle_of(&ledger);
    let mut last = (0, 0);
    let report = verify_bundle(&bundle[..], &[registrar().verifier()], &mut |d, t| {
        last = (d, t)
    })
    .unwrap();
    assert_eq!(report.verdict, Verdict::Valid, "{}", report.to_json());
    assert_eq!(report.checks.len(), 9);
    for (i, c) in report.checks.iter().enumerate() {
        assert_eq!(c.number, i as u32 + 1);
        assert_eq!(c.status, CheckStatus::Passed, "{c:?}");
    }
    assert_eq!(report.entries, ledger.len());
    assert_eq!(last, (ledger.len(), ledger.len()));
    assert_eq!(
        report.tally.as_ref().unwrap().to_json(),
        ledger.tally().to_json()
    );
    assert_eq!(
        report.announcement.as_deref(),
        Some(ledger.announcement().as_str())
    );
    assert_eq!(report.meeting.as_ref().unwrap().id, "TEST-EGM-2026");
    assert_eq!(report.disregarded.len(), 1);
    assert_eq!(report.disregarded[0].0, "2");
    assert_eq!(report.digest.len(), 64);
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(json["checks"][7]["name"], "voting rules");
}

#[test]
fn cosigners_are_reported() {
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
    let trust = [registrar().verifier(), w.verifier()];
    let report = verify_bundle(&bundle[..], &trust, &mut |_, _| {}).unwrap();
    assert!(report.is_valid(), "{}", report.to_json());
    assert_eq!(report.cosigners, vec!["witness.example".to_string()]);
}

#[test]
fn a_validly_signed_event_that_breaks_a_rule_is_named() {
    let reg = registrar();
    let mut events = honest_events(&reg);
    events.push((&reg, vote(holder("H1"), "1", 1_000, 0, 0)));
    let bad_index = events.len() as u64;
    // H3 holds 500 shares.
    events.push((&reg, vote(holder("H3"), "1", 0, 900, 0)));
    events.push((&reg, close()));
    let bundle = raw_bundle(&events, &reg);
    let report = verify_bundle(&bundle[..], &[reg.verifier()], &mut |_, _| {}).unwrap();
    match &report.verdict {
        Verdict::Broken {
            at_entry,
            check,
            reason,
        } => {
            assert_eq!(*at_entry, Some(bad_index));
            assert_eq!(check, "voting rules");
            assert!(reason.contains("over-voting"), "{reason}");
            assert!(reason.contains(&format!("entry {bad_index}")), "{reason}");
        }
        Verdict::Valid => panic!("a rule-breaking bundle verified"),
    }
    assert_eq!(report.checks[7].status, CheckStatus::Failed);
    assert_eq!(report.checks[6].status, CheckStatus::Passed);
    assert_eq!(report.checks[8].status, CheckStatus::NotRun);
    assert!(report.tally.is_none());
    assert!(!report.is_valid());
}

#[test]
fn an_unauthorised_author_is_named() {
    let reg = registrar();
    let intruder = stranger();
    let mut events = honest_events(&reg);
    let bad_index = events.len() as u64;
    events.push((&intruder, vote(holder("H1"), "1", 1_000, 0, 0)));
    let bundle = raw_bundle(&events, &reg);
    let report = verify_bundle(&bundle[..], &[reg.verifier()], &mut |_, _| {}).unwrap();
    match &report.verdict {
        Verdict::Broken {
            at_entry, check, ..
        } => {
            assert_eq!(*at_entry, Some(bad_index));
            assert_eq!(check, "genesis and authority");
        }
        Verdict::Valid => panic!("an unauthorised event verified"),
    }
    assert_eq!(report.checks[6].status, CheckStatus::Failed);
}

#[test]
fn a_genesis_by_an_untrusted_key_is_refused() {
    // The registrar's own log, checkpointed by a key the verifier trusts, but the genesis
    // key itself is not trusted.
    let reg = registrar();
    let operator = scrutineer();
    let bundle = raw_bundle(&honest_events(&reg), &operator);
    let report = verify_bundle(&bundle[..], &[operator.verifier()], &mut |_, _| {}).unwrap();
    match &report.verdict {
        Verdict::Broken {
            at_entry,
            check,
            reason,
        } => {
            assert_eq!(*at_entry, Some(0));
            assert_eq!(check, "genesis and authority");
            assert!(reason.contains("not a key trusted to sign"), "{reason}");
        }
        Verdict::Valid => panic!("an untrusted genesis verified"),
    }
}

#[test]
fn a_checkpoint_by_an_untrusted_key_breaks_check_5() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    let bundle = bundle_of(&ledger);
    let other = Signer::from_seed("registrar.example", [42; 32]).unwrap();
    let report = verify_bundle(&bundle[..], &[other.verifier()], &mut |_, _| {}).unwrap();
    assert!(!report.is_valid());
    // The genesis is not by a trusted key either; the first failure is named.
    assert!(matches!(report.verdict, Verdict::Broken { .. }));
    assert_eq!(report.checks[4].status, CheckStatus::Failed);
}

#[test]
fn a_wrong_declared_digest_breaks_check_9() {
    let reg = registrar();
    let scr = scrutineer();
    let mut events = honest_events(&reg);
    events.push((&reg, vote(holder("H1"), "1", 1_000, 0, 0)));
    events.push((&reg, close()));
    let bad_index = events.len() as u64;
    events.push((
        &scr,
        Event::ResultDeclared {
            tally_sha256: [7; 32],
        },
    ));
    let bundle = raw_bundle(&events, &reg);
    let report = verify_bundle(&bundle[..], &[reg.verifier()], &mut |_, _| {}).unwrap();
    match &report.verdict {
        Verdict::Broken {
            at_entry, check, ..
        } => {
            assert_eq!(*at_entry, Some(bad_index));
            assert_eq!(check, "tally");
        }
        Verdict::Valid => panic!("a wrong declaration verified"),
    }
}

#[test]
fn a_tampered_payload_byte_breaks_the_log_checks() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    let mut bundle = bundle_of(&ledger);
    // Flip a byte near the end of the entries (inside the last entries' bytes).
    let at = bundle.len() / 2;
    bundle[at] ^= 0x01;
    let report = verify_bundle(&bundle[..], &[registrar().verifier()], &mut |_, _| {}).unwrap();
    assert!(!report.is_valid(), "{}", report.to_json());
    assert!(report.tally.is_none());
}

#[test]
fn not_a_bundle_is_an_error_not_a_verdict() {
    let err = verify_bundle(&b"hello"[..], &[registrar().verifier()], &mut |_, _| {});
    assert!(err.is_err());
}

/// The report and receipt JSON are what lawyers and holders keep: valid JSON, carrying the
/// numbered checks, and byte-identical when the same bundle is verified twice.
/// `SCRUTIN_PRINT_SAMPLES=1 cargo test -p scrutin --test verify -- --nocapture` prints them.
#[test]
fn report_and_receipt_json_are_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    let bundle = bundle_of(&ledger);
    let trust = [registrar().verifier()];
    let report = verify_bundle(&bundle[..], &trust, &mut |_, _| {}).unwrap();
    let again = verify_bundle(&bundle[..], &trust, &mut |_, _| {}).unwrap();
    assert_eq!(report.to_json(), again.to_json());
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    let checks = json["checks"].as_array().expect("numbered checks");
    assert_eq!(checks.len(), 9, "{json}");
    let receipt = ledger.receipt(&common::h("H4")).unwrap();
    let receipt_report = scrutin::verify_receipt(&receipt, &trust).unwrap();
    assert_eq!(
        scrutin::VoteReceipt::from_json(&receipt.to_json())
            .unwrap()
            .to_json(),
        receipt.to_json()
    );
    serde_json::from_str::<serde_json::Value>(&receipt_report.to_json()).unwrap();
    if std::env::var_os("SCRUTIN_PRINT_SAMPLES").is_some() {
        println!(
            "{}\n{}\n{}",
            report.to_json(),
            receipt.to_json(),
            receipt_report.to_json()
        );
    }
}
