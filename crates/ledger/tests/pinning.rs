//! Pinning what is verified: the meeting (origin) and a quorum of trusted witnesses, for
//! bundles and receipts; and every trusted witness that did not cosign is reported.

mod common;

use common::*;
use scrutin::{
    verify_bundle, verify_bundle_pinned, verify_receipt_pinned, CheckStatus, Ledger, Verdict,
    VoteReceipt, CHECK_PINNING,
};
use scrutin_log::{Pin, Witness};

const ORIGIN: &str = "scrutin/TEST-EGM-2026";

/// A whole meeting checkpointed by the registrar and cosigned by `witness()`: its bundle and
/// the receipt of H1.
fn witnessed() -> (Vec<u8>, VoteReceipt) {
    let dir = tempfile::tempdir().unwrap();
    let ledger: Ledger = whole_meeting(dir.path());
    let mut cp = ledger.checkpoint(&registrar()).unwrap();
    let mut w = Witness::new(witness(), None);
    cp.add_cosignature(
        w.cosign(&cp, &registrar().verifier(), &[], 1_800_000_000)
            .unwrap(),
    );
    ledger.store_checkpoint(&cp).unwrap();
    let mut out = Vec::new();
    ledger.export(&mut out, &mut |_, _| {}).unwrap();
    (out, ledger.receipt(&h("H1")).unwrap())
}

fn pin(origin: Option<&str>, quorum: usize) -> Pin {
    Pin {
        origin: origin.map(str::to_owned),
        quorum,
    }
}

#[test]
fn a_bundle_pinned_to_its_meeting_and_quorum_verifies_with_a_tenth_check() {
    let (bundle, _) = witnessed();
    let trust = [registrar().verifier(), witness().verifier()];
    let r =
        verify_bundle_pinned(&bundle[..], &trust, &pin(Some(ORIGIN), 1), &mut |_, _| {}).unwrap();
    assert!(r.is_valid(), "{}", r.to_json());
    let c = r.checks.last().unwrap();
    assert_eq!((c.number, c.status), (CHECK_PINNING, CheckStatus::Passed));
    assert!(c.detail.contains("witness.example"), "{}", c.detail);
    assert!(r.tally.is_some());
    // Without a pin: the nine checks, unchanged.
    let plain = verify_bundle(&bundle[..], &trust, &mut |_, _| {}).unwrap();
    assert_eq!(plain.checks.len(), 9);
    assert_eq!(
        verify_bundle_pinned(&bundle[..], &trust, &Pin::default(), &mut |_, _| {}).unwrap(),
        plain
    );
}

#[test]
fn a_bundle_of_another_meeting_is_not_valid_and_names_both_origins() {
    let (bundle, _) = witnessed();
    let trust = [registrar().verifier(), witness().verifier()];
    let r = verify_bundle_pinned(
        &bundle[..],
        &trust,
        &pin(Some("scrutin/OTHER-AGM"), 0),
        &mut |_, _| {},
    )
    .unwrap();
    match &r.verdict {
        Verdict::Broken {
            at_entry,
            check,
            reason,
        } => {
            assert_eq!((*at_entry, check.as_str()), (None, "pinning"));
            assert!(reason.contains(&format!("{ORIGIN:?}")), "{reason}");
            assert!(reason.contains("\"scrutin/OTHER-AGM\""), "{reason}");
        }
        v => panic!("accepted: {v:?}"),
    }
    assert!(
        r.tally.is_none() && r.announcement.is_none(),
        "no tally for a bundle not valid"
    );
    assert!(r.to_json().contains("\"valid\": false"));
}

#[test]
fn too_few_witnesses_is_not_valid_and_every_silent_witness_is_reported() {
    let (bundle, _) = witnessed();
    let trust = [
        registrar().verifier(),
        witness().verifier(),
        stranger().verifier(),
    ];
    // Always reported, pinned or not.
    let plain = verify_bundle(&bundle[..], &trust, &mut |_, _| {}).unwrap();
    assert!(plain.is_valid());
    assert_eq!(plain.cosigners, vec!["witness.example"]);
    assert_eq!(plain.witnesses_silent, vec!["stranger.example"]);
    assert!(plain
        .to_json()
        .contains("\"witnesses_silent\": [\n    \"stranger.example\"\n  ]"));

    let r = verify_bundle_pinned(&bundle[..], &trust, &pin(None, 2), &mut |_, _| {}).unwrap();
    let Verdict::Broken { check, reason, .. } = &r.verdict else {
        panic!("accepted: {}", r.to_json());
    };
    assert_eq!(check, "pinning");
    assert!(reason.starts_with("1 of the 2"), "{reason}");
    assert!(reason.contains("cosigned by witness.example"), "{reason}");
    assert!(
        reason.contains("did not cosign: stranger.example"),
        "{reason}"
    );
    // The registrar's own key never counts as a witness.
    let only_reg = [registrar().verifier()];
    let r = verify_bundle_pinned(&bundle[..], &only_reg, &pin(None, 1), &mut |_, _| {});
    // (a cosignature by a key the verifier does not trust breaks check 6 first)
    // and check 10, decided after it, is not run.
    let r = r.unwrap();
    assert!(
        matches!(&r.verdict, Verdict::Broken { check, .. } if check == "cosignatures"),
        "{}",
        r.to_json()
    );
    let last = r.checks.last().unwrap();
    assert_eq!(
        (last.number, last.status),
        (CHECK_PINNING, CheckStatus::NotRun)
    );
}

#[test]
fn a_receipt_is_pinned_the_same_way() {
    let (_, receipt) = witnessed();
    let trust = [
        registrar().verifier(),
        witness().verifier(),
        stranger().verifier(),
    ];
    let ok = verify_receipt_pinned(&receipt, &trust, &pin(Some(ORIGIN), 1)).unwrap();
    assert!(ok.is_valid(), "{}", ok.to_json());
    assert!(
        ok.lines.iter().any(|l| l.starts_with("pinning: ")),
        "{:?}",
        ok.lines
    );
    assert_eq!(ok.witnesses_silent, vec!["stranger.example"]);
    assert!(ok.to_json().contains("\"witnesses_silent\""));

    let other =
        verify_receipt_pinned(&receipt, &trust, &pin(Some("scrutin/OTHER-AGM"), 0)).unwrap();
    let scrutin::ReceiptVerdict::Invalid { reason } = &other.verdict else {
        panic!("accepted");
    };
    assert!(
        reason.contains(&format!("{ORIGIN:?}")) && reason.contains("OTHER-AGM"),
        "{reason}"
    );

    let two = verify_receipt_pinned(&receipt, &trust, &pin(None, 2)).unwrap();
    let scrutin::ReceiptVerdict::Invalid { reason } = &two.verdict else {
        panic!("accepted");
    };
    assert!(
        reason.contains("did not cosign: stranger.example"),
        "{reason}"
    );
}
