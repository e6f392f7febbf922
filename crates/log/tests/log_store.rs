//! The sled-backed log: lifecycle, locking, damage detection, proofs against the pure
//! functions, checkpoints.

mod common;

use common::*;
use scrutin_log::{
    consistency_proof, inclusion_proof, root_of, verify_bundle, verify_consistency,
    verify_inclusion, Entry, Hash, Log, LogError, Verdict, MAX_PAYLOAD_BYTES,
};

fn leaves(log: &Log) -> Vec<Hash> {
    log.entries(0..log.len())
        .map(|e| e.unwrap().hash())
        .collect()
}

#[test]
fn create_open_and_their_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("log");
    assert!(matches!(Log::open(&dir), Err(LogError::NotFound(_))));
    let log = Log::create(&dir, ORIGIN).unwrap();
    assert!(log.is_empty());
    assert_eq!(log.head(), None);
    assert_eq!(log.root(0).unwrap(), Hash::digest(b""));
    // A second handle on the same directory, while the first is alive, is refused.
    assert!(matches!(Log::open(&dir), Err(LogError::Locked(_))));
    assert!(matches!(
        Log::create(&dir, ORIGIN),
        Err(LogError::AlreadyExists(_))
    ));
    let reg = registrar();
    let e = log.append(&reg, b"one".to_vec()).unwrap();
    assert_eq!(e.index, 0);
    assert_eq!(e.prev, Hash::ZERO);
    assert_eq!(log.head(), Some(e.hash()));
    drop(log);
    let log = Log::open(&dir).unwrap();
    assert_eq!(log.origin(), ORIGIN);
    assert_eq!(log.len(), 1);
    assert_eq!(log.entry(0).unwrap(), e);
    assert!(matches!(
        log.entry(1),
        Err(LogError::OutOfRange { index: 1, size: 1 })
    ));
    assert!(matches!(
        Log::create(&tmp.path().join("bad"), "two\nlines"),
        Err(LogError::Usage(_))
    ));
}

#[test]
fn appends_chain_and_keep_time_non_decreasing() {
    let tmp = tempfile::tempdir().unwrap();
    let log = Log::create(tmp.path(), ORIGIN).unwrap();
    let reg = registrar();
    let scr = signer("example.com/scrutineer", 3);
    log.append(&reg, b"a".to_vec()).unwrap();
    log.append_batch(&scr, (0..100u8).map(|i| vec![i]).collect())
        .unwrap();
    log.append(&reg, Vec::new()).unwrap();
    assert!(log.append_batch(&reg, Vec::new()).unwrap().is_empty());
    assert_eq!(log.len(), 102);
    let mut prev = Hash::ZERO;
    let mut t = 0;
    for (i, e) in log.entries(0..102).enumerate() {
        let e = e.unwrap();
        assert_eq!(e.index, i as u64);
        assert_eq!(e.prev, prev);
        assert!(e.recorded_at_ms >= t);
        e.verify_signature().unwrap();
        assert_eq!(Entry::decode(&e.encode()).unwrap(), e);
        prev = e.hash();
        t = e.recorded_at_ms;
    }
    assert_eq!(log.head(), Some(prev));
    assert_eq!(log.entry(50).unwrap().author, scr.public_key());
    // Any sub-range, starting and ending inside or at the edges of storage pages.
    let all: Vec<Entry> = log.entries(0..102).map(Result::unwrap).collect();
    for a in [0u64, 1, 15, 16, 17, 31, 32, 50, 101] {
        for b in [a, a + 1, 16, 33, 64, 101, 102] {
            if a <= b {
                let got: Vec<Entry> = log.entries(a..b).map(Result::unwrap).collect();
                assert_eq!(got, all[a as usize..b as usize], "{a}..{b}");
            }
        }
        assert_eq!(log.entry(a).unwrap(), all[a as usize]);
    }
    let too_big = vec![0u8; MAX_PAYLOAD_BYTES + 1];
    assert!(matches!(
        log.append(&reg, too_big),
        Err(LogError::PayloadTooLarge { .. })
    ));
    assert_eq!(log.len(), 102);
    let mut it = log.entries(100..103);
    assert!(matches!(it.next(), Some(Err(LogError::OutOfRange { .. }))));
    assert_eq!(log.entries(5..5).count(), 0);
}

#[test]
fn large_payload_round_trips() {
    // Big values go to sled blob files, which the log fsyncs separately.
    let tmp = tempfile::tempdir().unwrap();
    let log = Log::create(tmp.path(), ORIGIN).unwrap();
    let big: Vec<u8> = (0..MAX_PAYLOAD_BYTES).map(|i| i as u8).collect();
    log.append(&registrar(), big.clone()).unwrap();
    drop(log);
    let log = Log::open(tmp.path()).unwrap();
    assert_eq!(log.entry(0).unwrap().payload, big);
}

#[test]
fn proofs_equal_pure_computation_for_every_size_up_to_70() {
    let tmp = tempfile::tempdir().unwrap();
    let log = Log::create(tmp.path(), ORIGIN).unwrap();
    let reg = registrar();
    // Uneven batches so tile writes happen at many offsets.
    let mut n = 0u64;
    for b in [1u64, 2, 3, 5, 8, 13, 21, 17] {
        log.append_batch(&reg, (n..n + b).map(|i| i.to_be_bytes().to_vec()).collect())
            .unwrap();
        n += b;
    }
    assert_eq!(log.len(), 70);
    let l = leaves(&log);
    for size in 0..=70u64 {
        let root = root_of(&l[..size as usize]);
        assert_eq!(log.root(size).unwrap(), root, "root at {size}");
        for i in 0..size {
            let p = log.prove_inclusion(i, size).unwrap();
            assert_eq!(
                p,
                inclusion_proof(&l, i, size).unwrap(),
                "inclusion {i} in {size}"
            );
            verify_inclusion(&l[i as usize], i, size, &p, &root).unwrap();
        }
        for old in 0..=size {
            let p = log.prove_consistency(old, size).unwrap();
            assert_eq!(
                p,
                consistency_proof(&l, old, size).unwrap(),
                "consistency {old}->{size}"
            );
            if old > 0 {
                let old_root = root_of(&l[..old as usize]);
                verify_consistency(old, size, &old_root, &root, &p).unwrap();
            }
        }
    }
    assert!(log.prove_inclusion(70, 70).is_err());
    assert!(log.prove_inclusion(0, 71).is_err());
    assert!(matches!(
        log.prove_consistency(5, 4),
        Err(LogError::InvalidRange(_))
    ));
}

#[test]
fn tiles_across_boundaries_and_reopen() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = registrar();
    let mut total = 0u64;
    // Cross the 256-leaf tile boundary and the 65536-node level-2 boundary is too slow for
    // a unit test; 256 * 3 + change exercises level-1 tiles and reopening mid-tile.
    for chunk in [255u64, 1, 1, 254, 300, 33] {
        let log = if total == 0 {
            Log::create(tmp.path(), ORIGIN).unwrap()
        } else {
            Log::open(tmp.path()).unwrap()
        };
        log.append_batch(
            &reg,
            (total..total + chunk)
                .map(|i| i.to_le_bytes().to_vec())
                .collect(),
        )
        .unwrap();
        total += chunk;
        let l = leaves(&log);
        for size in [1, 2, 255, 256, 257, 511, 512, 513, 767, 768, 769, total] {
            if size <= total {
                assert_eq!(
                    log.root(size).unwrap(),
                    root_of(&l[..size as usize]),
                    "size {size}"
                );
            }
        }
        for (i, size) in [(0, total), (total - 1, total), (255, total), (256, total)] {
            if i < size {
                assert_eq!(
                    log.prove_inclusion(i, size).unwrap(),
                    inclusion_proof(&l, i, size).unwrap()
                );
            }
        }
        for old in [1, 255, 256, 257, 511, 512, total] {
            if old <= total {
                assert_eq!(
                    log.prove_consistency(old, total).unwrap(),
                    consistency_proof(&l, old, total).unwrap()
                );
            }
        }
    }
    assert_eq!(total, 844);
}

/// The last entry page (key, value) of a log's store.
fn last_page(db: &sled::Db) -> (sled::IVec, sled::IVec) {
    db.scan_prefix(b"e").next_back().unwrap().unwrap()
}

/// Length of the record (4-byte length + entry) of the `k`-th entry of a page.
fn record_len(page: &[u8], k: usize) -> usize {
    let mut at = 0;
    for _ in 0..k {
        at += 4 + u32::from_be_bytes(page[at..at + 4].try_into().unwrap()) as usize;
    }
    4 + u32::from_be_bytes(page[at..at + 4].try_into().unwrap()) as usize
}

/// Opens the store underneath the log and lets `f` damage it.
fn damage(dir: &std::path::Path, f: impl FnOnce(&sled::Db)) {
    // The Log dropped just before may hold sled's file lock for a moment (background threads).
    let mut tries = 0;
    let db = loop {
        match sled::open(dir) {
            Ok(db) => break db,
            Err(e) if tries < 100 => {
                tries += 1;
                let _ = e;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("cannot open the store to damage it: {e}"),
        }
    };
    f(&db);
    db.flush().unwrap();
}

#[test]
fn damaged_store_is_refused() {
    let reg = registrar();
    let make = |tmp: &tempfile::TempDir| {
        let log = Log::create(tmp.path(), ORIGIN).unwrap();
        log.append_batch(&reg, (0..10u8).map(|i| vec![i]).collect())
            .unwrap();
    };
    // Head that is not the last entry's hash.
    let t = tempfile::tempdir().unwrap();
    make(&t);
    damage(t.path(), |db| {
        db.insert(b"mhead", &[7u8; 32]).unwrap();
    });
    assert!(matches!(Log::open(t.path()), Err(LogError::Damaged(_))));
    // The last entry lost from its page.
    let t = tempfile::tempdir().unwrap();
    make(&t);
    damage(t.path(), |db| {
        let (k, v) = last_page(db);
        let cut = v.len() - record_len(&v, 9);
        db.insert(k, &v[..cut]).unwrap();
    });
    assert!(matches!(Log::open(t.path()), Err(LogError::Damaged(_))));
    // The whole last page lost.
    let t = tempfile::tempdir().unwrap();
    make(&t);
    damage(t.path(), |db| {
        db.remove(last_page(db).0).unwrap();
    });
    assert!(matches!(Log::open(t.path()), Err(LogError::Damaged(_))));
    // Size beyond the entries.
    let t = tempfile::tempdir().unwrap();
    make(&t);
    damage(t.path(), |db| {
        db.insert(b"msize", &11u64.to_be_bytes()).unwrap();
    });
    assert!(matches!(Log::open(t.path()), Err(LogError::Damaged(_))));
    // Last entry's bytes altered (its payload).
    let t = tempfile::tempdir().unwrap();
    make(&t);
    damage(t.path(), |db| {
        let (k, v) = last_page(db);
        let mut v = v.to_vec();
        let n = v.len();
        v[n - 65] ^= 1;
        db.insert(k, v).unwrap();
    });
    assert!(matches!(Log::open(t.path()), Err(LogError::Damaged(_))));
    // An entry page stored beyond the size.
    let t = tempfile::tempdir().unwrap();
    make(&t);
    damage(t.path(), |db| {
        let mut k = vec![b'e'];
        k.extend_from_slice(&10u64.to_be_bytes());
        db.insert(k, b"junk".to_vec()).unwrap();
    });
    assert!(matches!(Log::open(t.path()), Err(LogError::Damaged(_))));
    // Untouched: opens.
    let t = tempfile::tempdir().unwrap();
    make(&t);
    assert_eq!(Log::open(t.path()).unwrap().len(), 10);
}

#[test]
fn every_checkpoint_is_kept_by_size() {
    let tmp = tempfile::tempdir().unwrap();
    let log = Log::create(tmp.path(), ORIGIN).unwrap();
    let reg = registrar();
    assert_eq!(log.checkpoint_at(0).unwrap(), None);
    let empty = log.checkpoint(&reg).unwrap();
    log.append_batch(&reg, (0..60u8).map(|i| vec![i; 3]).collect())
        .unwrap();
    let cp = log.checkpoint(&reg).unwrap();
    log.append(&reg, vec![60; 3]).unwrap();
    let newer = log.checkpoint(&reg).unwrap();
    assert_eq!(log.latest_checkpoint().unwrap().as_ref(), Some(&newer));
    assert_eq!(log.checkpoint_at(60).unwrap().as_ref(), Some(&cp));
    assert_eq!(log.checkpoint_at(0).unwrap().as_ref(), Some(&empty));
    assert_eq!(log.checkpoint_at(61).unwrap().as_ref(), Some(&newer));
    assert_eq!(log.checkpoint_at(30).unwrap(), None);
    assert_eq!(log.checkpoint_at(62).unwrap(), None);
    // Reopened, they are still there.
    drop(log);
    let log = Log::open(tmp.path()).unwrap();
    assert_eq!(log.checkpoint_at(60).unwrap().as_ref(), Some(&cp));
}

#[test]
fn checkpoints_store_and_export() {
    let tmp = tempfile::tempdir().unwrap();
    let log = Log::create(tmp.path(), ORIGIN).unwrap();
    let reg = registrar();
    assert_eq!(log.latest_checkpoint().unwrap(), None);
    let empty = log.checkpoint(&reg).unwrap();
    assert_eq!(empty.checkpoint.size, 0);
    log.append_batch(&reg, (0..60u8).map(|i| vec![i; 3]).collect())
        .unwrap();
    let mut cp = log.checkpoint(&reg).unwrap();
    assert_eq!(cp.checkpoint.size, 60);
    assert_eq!(log.latest_checkpoint().unwrap().as_ref(), Some(&cp));
    // A witness cosigns; the log stores the cosigned version.
    let mut w = scrutin_log::Witness::new(witness_key(), None);
    let c = w.cosign(&cp, &reg.verifier(), &[], 1_800_000_000).unwrap();
    cp.add_cosignature(c);
    log.store_checkpoint(&cp).unwrap();
    assert_eq!(log.latest_checkpoint().unwrap().as_ref(), Some(&cp));
    // A checkpoint for another root or origin is refused.
    let mut wrong = cp.clone();
    wrong.checkpoint.root = Hash::ZERO;
    assert!(matches!(
        log.store_checkpoint(&wrong),
        Err(LogError::CheckpointMismatch(_))
    ));
    let mut wrong = cp.clone();
    wrong.checkpoint.size = 61;
    assert!(log.store_checkpoint(&wrong).is_err());
    let mut wrong = cp.clone();
    wrong.checkpoint.origin = "other".into();
    assert!(log.export(&wrong, Vec::new()).is_err());
    // Export, with progress, and verify.
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let summary = log
        .export_with_progress(&cp, &mut out, &mut |n| seen.push(n))
        .unwrap();
    assert_eq!(summary.entries, 60);
    assert_eq!(summary.digest, Hash::digest(&out));
    assert_eq!(summary.bytes, out.len() as u64);
    assert_eq!(seen.last(), Some(&60));
    let mut progress = Vec::new();
    let report =
        scrutin_log::verify_bundle_with_progress(&out[..], &trusted(), None, &mut |done, total| {
            progress.push((done, total))
        })
        .unwrap();
    assert_eq!(report.verdict, Verdict::Valid);
    assert_eq!(
        (report.entries, report.root),
        (60, Some(cp.checkpoint.root))
    );
    assert_eq!(progress.first(), Some(&(0, 60)));
    assert_eq!(progress.last(), Some(&(60, 60)));
    assert_eq!(report.head, log.head());
    assert_eq!(report.digest, summary.digest);
    assert_eq!(report.checks.len(), 6);
    assert!(report
        .checks
        .iter()
        .all(|c| c.status == scrutin_log::CheckStatus::Passed));
    // An older checkpoint exports the prefix.
    log.append(&reg, b"later".to_vec()).unwrap();
    let mut out2 = Vec::new();
    log.export(&cp, &mut out2).unwrap();
    assert_eq!(out2, out);
    // The rule callback sees every entry in order, and can break the bundle.
    let mut seen = Vec::new();
    let r = scrutin_log::verify_bundle_with(&out[..], &trusted(), &mut |e| {
        seen.push(e.index);
        if e.index == 42 {
            Err("not allowed".into())
        } else {
            Ok(())
        }
    })
    .unwrap();
    assert_eq!(seen, (0..=42).collect::<Vec<_>>());
    assert_eq!(
        r.verdict,
        Verdict::Broken {
            at_entry: Some(42),
            check: "entry rules".into(),
            reason: "not allowed".into()
        }
    );
    assert_eq!(r.entries, 42);
    assert!(matches!(
        verify_bundle(&out[..], &[]),
        Err(LogError::Usage(_))
    ));
}

#[test]
fn an_inclusion_prover_gives_every_proof_of_the_pure_function_while_the_log_grows() {
    // 1,500 entries: complete and incomplete level-0 tiles, and nodes from a level-1 tile.
    let tmp = tempfile::tempdir().unwrap();
    let log = Log::create(tmp.path(), ORIGIN).unwrap();
    let reg = registrar();
    log.append_batch(
        &reg,
        (0..1_500u32).map(|i| i.to_le_bytes().to_vec()).collect(),
    )
    .unwrap();
    let l = leaves(&log);
    for size in [
        1u64, 2, 3, 255, 256, 257, 300, 511, 512, 513, 1_024, 1_100, 1_500,
    ] {
        // One prover for all the proofs of a size, remembering what each proof computed;
        // an entry appended meanwhile must not change a proof of this size.
        let mut prover = log.inclusion_prover(size).unwrap();
        assert_eq!(prover.size(), size);
        let root = root_of(&l[..size as usize]);
        let some: Vec<u64> = (0..size)
            .filter(|i| i.is_multiple_of(37) || i + 3 > size)
            .collect();
        for &i in some.iter().rev().chain(&some) {
            let p = prover.prove(i).unwrap();
            assert_eq!(
                p,
                inclusion_proof(&l, i, size).unwrap(),
                "entry {i} of {size}"
            );
            assert!(verify_inclusion(&l[i as usize], i, size, &p, &root).is_ok());
        }
        assert!(prover.prove(size).is_err());
        if size == 300 {
            log.append(&reg, b"later".to_vec()).unwrap();
        }
    }
    assert!(log.inclusion_prover(log.len() + 1).is_err());
}
