//! Receipts through the receipt index and in bulk: the index gives the same bytes as the full
//! scan, survives a reopen and is rebuilt when lost; `receipts_all` writes each holder once
//! under an injective, safe name; `ReceiptVerifier` reports exactly what `verify_receipt`
//! does, refusing a tampered receipt among many.

mod common;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use common::*;
use scrutin::log::Pin;
use scrutin::model::{ClassId, Event, ProxyId, ProxyLodged, Shares, UtcMillis};
use scrutin::{
    receipt_file_name, verify_receipt, verify_receipt_pinned, Ledger, ReceiptVerifier, VoteReceipt,
};

const HOLDERS: [&str; 4] = ["H1", "H2", "H3", "H4"];

fn checkpointed(dir: &std::path::Path) -> Ledger {
    let ledger = whole_meeting(dir);
    ledger.checkpoint(&registrar()).unwrap();
    ledger
}

fn by_index(ledger: &Ledger, holder: &str) -> VoteReceipt {
    let size = ledger.latest_checkpoint().unwrap().unwrap().checkpoint.size;
    ledger
        .receipt_by_index(&h(holder), size)
        .unwrap()
        .expect("the index serves a sealed, checkpointed ledger")
}

fn same_as_scan(ledger: &Ledger) {
    for holder in HOLDERS {
        let indexed = by_index(ledger, holder).to_json();
        let scanned = ledger.receipt_by_scan(&h(holder)).unwrap().to_json();
        assert_eq!(indexed, scanned, "holder {holder}");
        assert_eq!(ledger.receipt(&h(holder)).unwrap().to_json(), scanned);
    }
}

#[test]
fn an_indexed_receipt_is_the_scanned_receipt_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = checkpointed(dir.path());
    // H2 votes through its proxy P1; H4's ballot on resolution 2 is disregarded.
    same_as_scan(&ledger);
    let h4 = by_index(&ledger, "H4");
    assert!(h4.entries.iter().any(|e| e
        .status
        .as_deref()
        .is_some_and(|s| s.starts_with("disregarded"))));
    let h2 = by_index(&ledger, "H2");
    assert_eq!(h2.entries.iter().filter(|e| e.role == "proxy").count(), 1);
    // Errors are the same too: a holder with no ballot.
    let size = ledger.latest_checkpoint().unwrap().unwrap().checkpoint.size;
    assert_eq!(
        ledger.receipt_by_index(&h("H9"), size).unwrap_err(),
        ledger.receipt_by_scan(&h("H9")).unwrap_err()
    );
}

#[test]
fn the_index_survives_a_reopen_and_is_rebuilt_when_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let before: Vec<String> = {
        let ledger = checkpointed(dir.path());
        HOLDERS
            .iter()
            .map(|x| by_index(&ledger, x).to_json())
            .collect()
    };
    {
        let ledger = Ledger::open(dir.path()).unwrap();
        let after: Vec<String> = HOLDERS
            .iter()
            .map(|x| by_index(&ledger, x).to_json())
            .collect();
        assert_eq!(after, before);
    }
    // The index deleted: the log alone is left, and the next open rebuilds the index.
    {
        let log = scrutin::log::Log::open(dir.path()).unwrap();
        assert!(log.get_aux_range(b"r").next().is_some());
        log.remove_aux_prefix(b"r").unwrap();
        assert!(log.get_aux_range(b"r").next().is_none());
        log.flush_aux().unwrap();
    }
    let ledger = Ledger::open(dir.path()).unwrap();
    let rebuilt: Vec<String> = HOLDERS
        .iter()
        .map(|x| by_index(&ledger, x).to_json())
        .collect();
    assert_eq!(rebuilt, before);
    same_as_scan(&ledger);
}

#[test]
fn an_index_left_behind_is_completed_before_use() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    drop(ledger);
    // An index covering only the genesis: as after a crash between append and index write.
    {
        let log = scrutin::log::Log::open(dir.path()).unwrap();
        log.remove_aux_prefix(b"r").unwrap();
        let mut marker = vec![1u8];
        marker.extend_from_slice(&1u64.to_be_bytes());
        log.put_aux_batch(vec![(b"rs".to_vec(), marker)], vec![])
            .unwrap();
    }
    let ledger = Ledger::open(dir.path()).unwrap();
    ledger.checkpoint(&registrar()).unwrap();
    same_as_scan(&ledger);
}

#[test]
fn receipt_file_names_are_injective_and_safe() {
    let names: Vec<String> = ["a/b", "a_b", "..", ".", "a%2Fb", "a.b", "é", "~x"]
        .iter()
        .map(|x| receipt_file_name(&h(x)))
        .collect();
    let mut uniq = names.clone();
    uniq.sort();
    uniq.dedup();
    assert_eq!(uniq.len(), names.len(), "{names:?}");
    for n in &names {
        assert!(
            !n.contains('/') && !n.starts_with('.') && n.ends_with(".json"),
            "{n}"
        );
    }
    let long = "é".repeat(64);
    let long_name = receipt_file_name(&h(&long));
    assert!(long_name.len() <= 255, "{}", long_name.len());
    assert_ne!(long_name, receipt_file_name(&h(&"é".repeat(63))));
}

/// A meeting whose holders have awkward ids, one voting through a proxy.
fn awkward_meeting(dir: &std::path::Path) -> Ledger {
    let reg = registrar();
    let ledger = Ledger::create(dir, convened(), &reg).unwrap();
    let mut events: Vec<Event> = setup_events()
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                Event::AuthorityGranted { .. } | Event::ResolutionProposed(_)
            )
        })
        .collect();
    for id in ["a/b", "a_b", "..", "H1"] {
        events.push(Event::ShareRegistered {
            holder: h(id),
            name: format!("Holder {id}"),
            class: ClassId::new("H").unwrap(),
            shares: Shares(100),
        });
    }
    events.push(Event::RegisterClosed);
    events.push(Event::ProxyLodged(ProxyLodged {
        proxy: ProxyId::new("P/1").unwrap(),
        holder: h(".."),
        proxy_name: "Chairman".into(),
        class: None,
        shares: None,
        instructions: vec![],
        lodged_at: UtcMillis(1_700_000_000_000),
    }));
    events.push(Event::PollOpened { resolution: None });
    events.push(vote(holder("a/b"), "1", 100, 0, 0));
    events.push(vote(holder("a_b"), "1", 0, 100, 0));
    events.push(vote(proxy("P/1"), "1", 100, 0, 0));
    events.push(vote(holder("H1"), "2", 100, 0, 0));
    events.push(close());
    ledger.submit_batch(&reg, events).unwrap();
    ledger.declare_result(&scrutineer()).unwrap();
    ledger.checkpoint(&reg).unwrap();
    ledger
}

#[test]
fn all_receipts_are_written_once_each_under_injective_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let ledger = awkward_meeting(dir.path());
    let mut calls = Vec::new();
    let written = ledger
        .receipts_all(out.path(), &mut |d, t| calls.push((d, t)))
        .unwrap();
    assert_eq!(written.written, 4);
    assert_eq!(written.without_ballot, 0);
    assert_eq!(calls.last(), Some(&(4, 4)));
    let mut files: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let mut expected: Vec<String> = ["a/b", "a_b", "..", "H1"]
        .iter()
        .map(|x| receipt_file_name(&h(x)))
        .collect();
    expected.sort();
    assert_eq!(files, expected, "one file per holder, nothing else");
    for id in ["a/b", "a_b", "..", "H1"] {
        let text = std::fs::read_to_string(out.path().join(receipt_file_name(&h(id)))).unwrap();
        assert_eq!(
            text,
            ledger.receipt_by_scan(&h(id)).unwrap().to_json(),
            "{id}"
        );
    }
}

#[test]
fn the_bulk_verifier_reports_what_verify_receipt_does_and_refuses_a_tampered_one() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = checkpointed(dir.path());
    let trust = vec![registrar().verifier()];
    let pin = Pin {
        origin: Some(ledger.origin()),
        quorum: 0,
    };
    let mut receipts: Vec<VoteReceipt> = HOLDERS
        .iter()
        .map(|x| ledger.receipt(&h(x)).unwrap())
        .collect();
    // Three tampered copies among the good ones: a ballot byte, the shared declaration's
    // bytes, and the checkpoint note (each checked after the cache is warm).
    let mut ballot = receipts[1].clone();
    let mut bytes = B64.decode(&ballot.entries[0].entry).unwrap();
    let at = bytes.len() - 65;
    bytes[at] ^= 1;
    ballot.entries[0].entry = B64.encode(&bytes);
    let mut decl = receipts[2].clone();
    let mut bytes = B64.decode(&decl.declaration.entry).unwrap();
    let at = bytes.len() - 1;
    bytes[at] ^= 1;
    decl.declaration.entry = B64.encode(&bytes);
    let mut note = receipts[3].clone();
    note.checkpoint = note.checkpoint.replacen("— ", "—  ", 1);
    receipts.extend([ballot, decl, note]);
    let mut verifier = ReceiptVerifier::new(trust.clone(), pin.clone()).unwrap();
    for (i, r) in receipts.iter().enumerate() {
        let bulk = verifier.verify(r).unwrap();
        let one = verify_receipt_pinned(r, &trust, &pin).unwrap();
        assert_eq!(bulk, one, "receipt {i}");
        assert_eq!(
            bulk.is_valid(),
            i < HOLDERS.len(),
            "receipt {i}: {}",
            bulk.to_json()
        );
        assert_eq!(
            verify_receipt(r, &trust).unwrap().is_valid(),
            i < HOLDERS.len()
        );
    }
    // A pin for another meeting: every receipt is refused, as by verify_receipt_pinned.
    let other = Pin {
        origin: Some("scrutin/OTHER".into()),
        quorum: 0,
    };
    let mut verifier = ReceiptVerifier::new(trust.clone(), other.clone()).unwrap();
    for r in &receipts[..HOLDERS.len()] {
        let bulk = verifier.verify(r).unwrap();
        assert!(!bulk.is_valid());
        assert_eq!(bulk, verify_receipt_pinned(r, &trust, &other).unwrap());
    }
}

/// Flips a bit of an entry's signature (outside the Merkle leaf: its inclusion proof still
/// holds, so only the signature check can refuse it).
fn forge_signature(e: &mut scrutin::ReceiptEntry) {
    let mut bytes = B64.decode(&e.entry).unwrap();
    let at = bytes.len() - 10;
    bytes[at] ^= 0x40;
    e.entry = B64.encode(&bytes);
}

#[test]
fn a_batch_names_exactly_its_forged_receipts_and_each_checkpoint_is_checked_on_its_own() {
    // Two meetings with the same registrar and origin: the same sizes, different roots, so
    // two different validly signed checkpoints.
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (checkpointed(da.path()), checkpointed(db.path()));
    let trust = vec![registrar().verifier()];
    let pin = Pin {
        origin: Some(a.origin()),
        quorum: 0,
    };
    let mut receipts: Vec<VoteReceipt> = Vec::new();
    for ledger in [&a, &b] {
        receipts.extend(HOLDERS.iter().map(|x| ledger.receipt(&h(x)).unwrap()));
    }
    assert_ne!(receipts[0].checkpoint, receipts[HOLDERS.len()].checkpoint);
    let good = receipts.len();
    // A forged ballot signature; a forged signature on the declaration every receipt shares;
    // A's receipt carrying B's checkpoint (validly signed, same origin and size); A's receipt
    // carrying A's note with B's root in it (the signature lines of A's note).
    let mut ballot = receipts[1].clone();
    forge_signature(&mut ballot.entries[0]);
    let mut decl = receipts[2].clone();
    forge_signature(&mut decl.declaration);
    let mut swapped = receipts[3].clone();
    swapped.checkpoint = receipts[good - 1].checkpoint.clone();
    let mut rerooted = receipts[0].clone();
    let root_line = |note: &str| note.lines().nth(2).unwrap().to_owned();
    rerooted.checkpoint = rerooted.checkpoint.replacen(
        &root_line(&receipts[0].checkpoint),
        &root_line(&receipts[good - 1].checkpoint),
        1,
    );
    assert_ne!(rerooted.checkpoint, receipts[0].checkpoint);
    let forged = [ballot, decl, swapped, rerooted];
    // The forged ones in the middle of the batch, after the cache is warm with both
    // checkpoints.
    let mut batch = receipts.clone();
    for (i, f) in forged.iter().enumerate() {
        batch.insert(3 + 2 * i, f.clone());
    }
    let mut verifier = ReceiptVerifier::new(trust.clone(), pin.clone()).unwrap();
    let reports = verifier.verify_all(&batch).unwrap();
    assert_eq!(reports.len(), batch.len());
    for (i, (r, report)) in batch.iter().zip(&reports).enumerate() {
        let is_forged = forged.contains(r);
        assert_eq!(
            report.is_valid(),
            !is_forged,
            "receipt {i}: {}",
            report.to_json()
        );
        // Each report is the one the receipt gets alone.
        assert_eq!(
            *report,
            verify_receipt_pinned(r, &trust, &pin).unwrap(),
            "receipt {i}"
        );
    }
    let reason = |r: &scrutin::ReceiptReport| match &r.verdict {
        scrutin::ReceiptVerdict::Invalid { reason } => reason.clone(),
        scrutin::ReceiptVerdict::Valid => String::new(),
    };
    let of = |f: &VoteReceipt| reason(&reports[batch.iter().position(|r| r == f).unwrap()]);
    assert!(of(&forged[0]).contains("signature"), "{}", of(&forged[0]));
    assert!(of(&forged[1]).contains("signature"), "{}", of(&forged[1]));
    assert!(
        of(&forged[2]).contains("not included"),
        "{}",
        of(&forged[2])
    );
    assert!(
        of(&forged[3]).contains("checkpoint signature"),
        "{}",
        of(&forged[3])
    );
    // The same verifier again, now with every checkpoint cached: the same verdicts; and a
    // batch of only the forged ones fails each of them.
    assert_eq!(verifier.verify_all(&batch).unwrap(), reports);
    let alone = verifier.verify_all(&forged).unwrap();
    assert!(alone.iter().all(|r| !r.is_valid()));
    // A batch's results do not leak into single verification.
    assert!(!verifier.verify(&forged[0]).unwrap().is_valid());
    // A batch large enough to be checked on several threads, by a fresh verifier: the same
    // verdicts, in the same order.
    let big: Vec<VoteReceipt> = batch
        .iter()
        .cycle()
        .take(batch.len() * 9)
        .cloned()
        .collect();
    let mut fresh = ReceiptVerifier::new(trust.clone(), pin.clone()).unwrap();
    let many = fresh.verify_all(&big).unwrap();
    assert_eq!(many.len(), big.len());
    for (i, report) in many.iter().enumerate() {
        assert_eq!(*report, reports[i % batch.len()], "receipt {i}");
    }
}
