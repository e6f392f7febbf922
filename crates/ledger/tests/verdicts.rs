//! Verdict semantics (docs/FORMAT.md, "Verdict order"): which check each failure belongs to,
//! the order checks are decided in, what the checks after a failure report, the line between
//! an error and a verdict, and the same for receipts.

mod common;

use common::*;
use scrutin::log::{
    root_of, write_bundle, Checkpoint, Entry, Hash, Log, PublicKey, SignedCheckpoint, Signer,
    BUNDLE_MAGIC,
};
use scrutin::model::{encode_event, Event};
use scrutin::{
    verify_bundle, verify_receipt, CheckStatus, LedgerError, ReceiptVerdict, Verdict, VerifyReport,
    VoteReceipt,
};

const ORIGIN: &str = "scrutin/TEST-EGM-2026";

fn verify(bytes: &[u8], trust: &[&Signer]) -> VerifyReport {
    let trust: Vec<_> = trust.iter().map(|s| s.verifier()).collect();
    verify_bundle(bytes, &trust, &mut |_, _| {}).unwrap()
}

/// (at_entry, check, reason) of a broken report.
fn broken(r: &VerifyReport) -> (Option<u64>, &str, &str) {
    match &r.verdict {
        Verdict::Broken {
            at_entry,
            check,
            reason,
        } => (*at_entry, check.as_str(), reason.as_str()),
        Verdict::Valid => panic!("accepted: {}", r.to_json()),
    }
}

/// The status of each check, 1 to 9, in number order.
fn statuses(r: &VerifyReport) -> Vec<CheckStatus> {
    let numbers: Vec<u32> = r.checks.iter().map(|c| c.number).collect();
    assert_eq!(numbers, (1..=9).collect::<Vec<_>>(), "{}", r.to_json());
    r.checks.iter().map(|c| c.status).collect()
}

use CheckStatus::{Failed as F, NotRun as N, Passed as P};

/// At most one check fails, and it is the verdict's.
fn one_failure_is_the_verdict(r: &VerifyReport) {
    let failed: Vec<_> = r.checks.iter().filter(|c| c.status == F).collect();
    match &r.verdict {
        Verdict::Valid => assert!(failed.is_empty()),
        Verdict::Broken { check, .. } => {
            assert_eq!(failed.len(), 1, "{}", r.to_json());
            assert_eq!(&failed[0].name, check);
        }
    }
}

/// Signed entries carrying `payloads`, chained from entry 0.
fn entries(payloads: &[(&Signer, Vec<u8>)]) -> Vec<Entry> {
    let mut prev = Hash::ZERO;
    payloads
        .iter()
        .enumerate()
        .map(|(i, (signer, payload))| {
            let e = Entry::sign(
                signer,
                i as u64,
                prev,
                1_900_000_000_000 + i as u64,
                payload.clone(),
            );
            prev = e.hash();
            e
        })
        .collect()
}

fn honest_payloads(reg: &Signer) -> Vec<(&Signer, Vec<u8>)> {
    let mut v = vec![(
        reg,
        encode_event(&Event::MeetingConvened(convened())).unwrap(),
    )];
    v.extend(
        setup_events()
            .into_iter()
            .map(|e| (reg, encode_event(&e).unwrap())),
    );
    v
}

fn checkpoint_of(entries: &[Entry], signer: &Signer) -> SignedCheckpoint {
    let leaves: Vec<Hash> = entries.iter().map(Entry::hash).collect();
    SignedCheckpoint::sign(
        Checkpoint {
            origin: ORIGIN.into(),
            size: entries.len() as u64,
            root: root_of(&leaves),
        },
        signer,
    )
}

fn bundle(cp: &SignedCheckpoint, entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    write_bundle(cp, entries.iter().cloned(), &mut out).unwrap();
    out
}

/// Bundle bytes with a header of our choosing (origin and count need not match the note).
fn raw_bundle(origin: &str, count: u64, note: &str, entries: &[Entry]) -> Vec<u8> {
    fn be_string(s: &str) -> Vec<u8> {
        let mut v = (s.len() as u64).to_be_bytes().to_vec();
        v.extend_from_slice(s.as_bytes());
        v
    }
    let mut header = be_string(origin);
    header.extend_from_slice(&count.to_be_bytes());
    header.extend_from_slice(&be_string(note));
    let mut b = BUNDLE_MAGIC.to_vec();
    b.extend_from_slice(&1u16.to_be_bytes());
    b.extend_from_slice(&(header.len() as u32).to_be_bytes());
    b.extend_from_slice(&header);
    for e in entries {
        let bytes = e.encode();
        b.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        b.extend_from_slice(&bytes);
    }
    b
}

// (a) Every check decided after a failure is not run.

#[test]
fn after_a_checkpoint_signature_failure_checks_6_to_9_are_not_run() {
    let reg = registrar();
    let es = entries(&honest_payloads(&reg));
    // Every entry is sound and the replay finds nothing, but the checkpoint is signed by a
    // key the verifier does not trust: check 5 fails.
    let b = bundle(&checkpoint_of(&es, &stranger()), &es);
    let r = verify(&b, &[&reg]);
    assert_eq!(broken(&r).1, "checkpoint signature");
    assert_eq!(broken(&r).0, None);
    assert_eq!(statuses(&r), [P, P, P, P, F, N, N, N, N]);
    for c in &r.checks[5..] {
        assert!(
            c.detail.contains("checkpoint signature check failed"),
            "{c:?}"
        );
    }
    one_failure_is_the_verdict(&r);
    assert!(r.tally.is_none());
}

#[test]
fn after_a_merkle_root_failure_the_checkpoint_checks_are_not_run() {
    let reg = registrar();
    let es = entries(&honest_payloads(&reg));
    let cp = SignedCheckpoint::sign(
        Checkpoint {
            origin: ORIGIN.into(),
            size: es.len() as u64,
            root: Hash::ZERO,
        },
        &reg,
    );
    let r = verify(&bundle(&cp, &es), &[&reg]);
    assert_eq!(broken(&r), (None, "merkle root", broken(&r).2));
    assert_eq!(statuses(&r), [P, P, P, F, N, N, N, N, N]);
    one_failure_is_the_verdict(&r);
}

#[test]
fn the_log_checks_are_decided_before_the_meeting_checks() {
    let reg = registrar();
    let mut payloads = honest_payloads(&reg);
    // Entry 3 breaks a rule (an event by an unauthorised key: check 7) ...
    let stranger = stranger();
    payloads.insert(
        3,
        (&stranger, encode_event(&Event::RegisterClosed).unwrap()),
    );
    let es = entries(&payloads);
    let good = bundle(&checkpoint_of(&es, &reg), &es);
    let r = verify(&good, &[&reg]);
    assert_eq!(broken(&r).0, Some(3));
    assert_eq!(broken(&r).1, "genesis and authority");
    assert_eq!(statuses(&r), [P, P, P, P, P, P, F, N, N]);
    // ... and the last entry's signature is damaged (check 3): the log's failure, though at a
    // later entry, is the verdict, and the replay's is not reported.
    let mut b = good.clone();
    let n = b.len();
    b[n - 1] ^= 1;
    let r = verify(&b, &[&reg]);
    let last = es.len() as u64 - 1;
    assert_eq!((broken(&r).0, broken(&r).1), (Some(last), "signatures"));
    assert_eq!(statuses(&r), [P, P, F, N, N, N, N, N, N]);
    one_failure_is_the_verdict(&r);
}

#[test]
fn a_rules_failure_leaves_the_tally_check_not_run_and_authority_passed_up_to_it() {
    let reg = registrar();
    let mut payloads = honest_payloads(&reg);
    // A poll closed before any opened, at entry 2: decoded, by the registrar, refused by the
    // rules.
    payloads.insert(
        2,
        (
            &reg,
            encode_event(&Event::PollClosed { resolution: None }).unwrap(),
        ),
    );
    let es = entries(&payloads);
    let r = verify(&bundle(&checkpoint_of(&es, &reg), &es), &[&reg]);
    assert_eq!(broken(&r).0, Some(2));
    assert_eq!(statuses(&r)[6..], [P, F, N]);
    assert_eq!(r.checks[6].detail, "entries 0 to 2");
    one_failure_is_the_verdict(&r);
}

// (b) Check 7 does not pass an entry it could not examine.

#[test]
fn check_7_is_not_run_when_entry_0_cannot_be_decoded() {
    let reg = registrar();
    let es = entries(&[(&reg, b"not an event".to_vec())]);
    let r = verify(&bundle(&checkpoint_of(&es, &reg), &es), &[&reg]);
    assert_eq!(broken(&r).0, Some(0));
    assert_eq!(broken(&r).1, "voting rules");
    assert_eq!(statuses(&r), [P, P, P, P, P, P, N, F, N]);
    assert!(r.checks[6].detail.contains("entry 0"), "{:?}", r.checks[6]);
    one_failure_is_the_verdict(&r);

    // At a later entry, check 7 passed the entries before it only.
    let mut payloads = honest_payloads(&reg);
    payloads.insert(3, (&reg, b"not an event".to_vec()));
    let es = entries(&payloads);
    let r = verify(&bundle(&checkpoint_of(&es, &reg), &es), &[&reg]);
    assert_eq!(broken(&r).0, Some(3));
    assert_eq!(statuses(&r)[6..], [P, F, N]);
    assert_eq!(r.checks[6].detail, "entries 0 to 2");
}

// (c) Which check each failure belongs to.

#[test]
fn a_header_that_disagrees_with_its_checkpoint_is_a_format_failure() {
    let reg = registrar();
    let es = entries(&honest_payloads(&reg));
    let cp = checkpoint_of(&es, &reg);
    let note = cp.to_note_text();
    // Header origin vs checkpoint origin.
    let r = verify(
        &raw_bundle("scrutin/OTHER", es.len() as u64, &note, &es),
        &[&reg],
    );
    let (at, check, reason) = broken(&r);
    assert_eq!((at, check), (None, "format"));
    assert!(reason.contains("origin"), "{reason}");
    assert_eq!(statuses(&r), [F, N, N, N, N, N, N, N, N]);
    // Header count vs checkpoint size.
    let r = verify(
        &raw_bundle(ORIGIN, es.len() as u64 - 1, &note, &es[..es.len() - 1]),
        &[&reg],
    );
    let (at, check, reason) = broken(&r);
    assert_eq!((at, check), (None, "format"));
    assert!(reason.contains("size"), "{reason}");
    // The honest header verifies (the helper is sound).
    assert!(verify(&raw_bundle(ORIGIN, es.len() as u64, &note, &es), &[&reg]).is_valid());
}

#[test]
fn an_author_that_is_not_a_valid_key_is_a_signature_failure() {
    let reg = registrar();
    let es = entries(&honest_payloads(&reg));
    // The identity point: 32 bytes that decode to a small-order point, no valid key.
    let mut bad = [0u8; 32];
    bad[0] = 1;
    assert!(PublicKey::from_bytes(&bad).is_err());
    let cp = checkpoint_of(&es, &reg);
    let mut b = bundle(&cp, &es);
    // The last entry's author (bytes 48..80 of the entry, which ends the bundle).
    let last = es.last().unwrap().encode();
    let start = b.len() - last.len();
    b[start + 48..start + 80].copy_from_slice(&bad);
    let r = verify(&b, &[&reg]);
    let (at, check, reason) = broken(&r);
    assert_eq!((at, check), (Some(es.len() as u64 - 1), "signatures"));
    assert!(reason.contains("not a valid Ed25519 key"), "{reason}");
    assert_eq!(statuses(&r)[..4], [P, P, F, N]);
}

#[test]
fn a_genesis_of_another_meeting_fails_check_7_at_entry_0_before_later_rule_failures() {
    let reg = registrar();
    let mut payloads = honest_payloads(&reg);
    // A later rule failure (a second genesis at entry 4) ...
    payloads.insert(
        4,
        (
            &reg,
            encode_event(&Event::MeetingConvened(convened())).unwrap(),
        ),
    );
    let es = entries(&payloads);
    // ... in a log whose origin is not the meeting's: entry 0's check 7 comes first.
    let leaves: Vec<Hash> = es.iter().map(Entry::hash).collect();
    let cp = SignedCheckpoint::sign(
        Checkpoint {
            origin: "scrutin/OTHER-MEETING".into(),
            size: es.len() as u64,
            root: root_of(&leaves),
        },
        &reg,
    );
    let r = verify(&bundle(&cp, &es), &[&reg]);
    let (at, check, reason) = broken(&r);
    assert_eq!((at, check), (Some(0), "genesis and authority"));
    assert!(reason.contains("origin"), "{reason}");
    assert_eq!(statuses(&r)[6..], [F, N, N]);
    assert_eq!(r.entries, 0);
}

// (d) A truncated bundle is a verdict; only "not a bundle at all" is an error.

#[test]
fn a_bundle_cut_short_anywhere_after_its_magic_is_broken_at_check_1() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    let full = bundle_of(&ledger);
    let trust = [registrar().verifier()];
    // Only the magic; the magic and one byte of the version; inside the header; inside an
    // entry; between two entries.
    for cut in [8, 9, 20, full.len() / 2, full.len() - 1] {
        let r = verify_bundle(&full[..cut], &trust, &mut |_, _| {})
            .unwrap_or_else(|e| panic!("cut at {cut}: an error, not a verdict: {e}"));
        let (_, check, reason) = broken(&r);
        assert_eq!(check, "format", "cut at {cut}: {reason}");
        assert!(reason.contains("ends"), "cut at {cut}: {reason}");
        assert_eq!(r.checks[0].status, F);
        assert!(r.checks[1..].iter().all(|c| c.status != F));
        one_failure_is_the_verdict(&r);
    }
    let r = verify_bundle(&BUNDLE_MAGIC[..], &trust, &mut |_, _| {}).unwrap();
    assert_eq!(broken(&r).0, None);
    assert_eq!(statuses(&r), [F, N, N, N, N, N, N, N, N]);
}

#[test]
fn not_a_bundle_at_all_is_an_error() {
    let trust = [registrar().verifier()];
    let not_bundle = |bytes: &[u8]| {
        matches!(
            verify_bundle(bytes, &trust, &mut |_, _| {}),
            Err(LedgerError::Log(_))
        )
    };
    assert!(not_bundle(b""));
    assert!(not_bundle(b"SCRUTLO"));
    assert!(not_bundle(b"SCRUTLOX\x00\x01"));
    let mut v2 = BUNDLE_MAGIC.to_vec();
    v2.extend_from_slice(&2u16.to_be_bytes());
    assert!(not_bundle(&v2));
}

// (e) An empty log names no entry.

#[test]
fn an_empty_log_is_broken_without_naming_an_entry() {
    let reg = registrar();
    let dir = tempfile::tempdir().unwrap();
    let log = Log::create(dir.path(), ORIGIN).unwrap();
    let cp = log.checkpoint(&reg).unwrap();
    let mut b = Vec::new();
    log.export(&cp, &mut b).unwrap();
    let r = verify(&b, &[&reg]);
    let (at, check, reason) = broken(&r);
    assert_eq!((at, check), (None, "genesis and authority"));
    assert!(!reason.contains("entry 0"), "{reason}");
    assert_eq!(statuses(&r), [P, P, P, P, P, P, F, N, N]);
    assert!(!r.to_json().contains("\"at_entry\": 0"));
    one_failure_is_the_verdict(&r);
}

// (f) Receipts: a wrong format tag and a receipt with no ballot are verdicts.

fn receipt_json() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    ledger.checkpoint(&registrar()).unwrap();
    let text = ledger.receipt(&h("H4")).unwrap().to_json();
    (dir, text)
}

fn invalid_reason(receipt: &VoteReceipt) -> String {
    let report = verify_receipt(receipt, &[registrar().verifier()]).unwrap();
    match report.verdict {
        ReceiptVerdict::Invalid { reason } => reason,
        ReceiptVerdict::Valid => panic!("accepted: {}", report.to_json()),
    }
}

#[test]
fn a_receipt_with_another_format_tag_is_read_and_found_not_valid() {
    let (_dir, text) = receipt_json();
    let genuine = VoteReceipt::from_json(&text).unwrap();
    assert!(verify_receipt(&genuine, &[registrar().verifier()])
        .unwrap()
        .is_valid());
    let other = text.replace("scrutin-receipt/1", "scrutin-receipt/2");
    assert_ne!(other, text);
    let receipt = VoteReceipt::from_json(&other).expect("a receipt, of another format");
    let reason = invalid_reason(&receipt);
    assert!(reason.contains("scrutin-receipt/2"), "{reason}");
    assert!(reason.contains("format"), "{reason}");
    // Not a receipt at all is still an error.
    assert!(VoteReceipt::from_json("{}").is_err());
    assert!(VoteReceipt::from_json("[1, 2]").is_err());
}

#[test]
fn a_receipt_with_no_ballot_is_not_valid_and_says_so() {
    let (_dir, text) = receipt_json();
    let mut receipt = VoteReceipt::from_json(&text).unwrap();
    receipt.entries.retain(|e| e.role != "ballot");
    let reason = invalid_reason(&receipt);
    assert!(reason.contains("no ballot"), "{reason}");
    receipt.entries.clear();
    let reason = invalid_reason(&receipt);
    assert!(reason.contains("no ballot"), "{reason}");
}
