//! A tampered bundle is always rejected: every single-bit flip, and the structural attacks.

mod common;

use common::*;
use scrutin_log::{verify_bundle, Entry, Hash, LogError, Verdict};

fn verdict(bytes: &[u8]) -> Result<Verdict, LogError> {
    verify_bundle(bytes, &trusted()).map(|r| r.verdict)
}

fn assert_rejected(bytes: &[u8], what: &str) {
    match verdict(bytes) {
        Ok(Verdict::Valid) => panic!("{what}: accepted"),
        Ok(Verdict::Broken { .. }) | Err(_) => {}
    }
}

fn setup(n: u64) -> (Vec<Entry>, Vec<u8>) {
    let reg = registrar();
    let other = signer("example.com/scrutineer", 3);
    let entries = chain(&[&reg, &other], n, 12);
    let cp = checkpoint(&entries, &reg, Some(&witness_key()));
    let b = bundle(&entries, &cp);
    (entries, b)
}

#[test]
fn untampered_bundle_is_valid() {
    let (_, b) = setup(50);
    assert_eq!(verdict(&b), Ok(Verdict::Valid));
}

#[test]
fn every_single_bit_flip_is_rejected() {
    let (_, b) = setup(50);
    // One bit per byte, a different bit position from byte to byte, so all eight positions
    // are exercised across the file; SCRUTIN_SOAK=1 flips all eight bits of every byte.
    let bits: Vec<u8> = if soak() { (0..8).collect() } else { vec![0] };
    let mut flipped = 0;
    for pos in 0..b.len() {
        for &k in &bits {
            let mut t = b.clone();
            t[pos] ^= 1 << ((pos as u8).wrapping_add(k) % 8);
            assert_rejected(&t, &format!("bit flip at byte {pos}"));
            flipped += 1;
        }
    }
    assert!(flipped >= b.len());
}

#[test]
fn deleted_entry_is_rejected() {
    let reg = registrar();
    let (mut entries, _) = setup(50);
    let cp = checkpoint(&entries, &reg, Some(&witness_key()));
    entries.remove(20);
    // Re-sign a checkpoint for the shortened list so only the chain can catch it.
    let cp2 = checkpoint(&entries, &reg, None);
    for cp in [cp, cp2] {
        let mut out = Vec::new();
        let r = scrutin_log::write_bundle(&cp, entries.clone(), &mut out);
        if r.is_ok() {
            match verdict(&out).unwrap() {
                Verdict::Broken {
                    at_entry, check, ..
                } => {
                    assert_eq!(at_entry, Some(20));
                    assert_eq!(check, "chain");
                }
                v => panic!("accepted: {v:?}"),
            }
        }
    }
}

#[test]
fn swapped_entries_are_rejected() {
    let reg = registrar();
    let (mut entries, _) = setup(50);
    entries.swap(10, 11);
    let cp = checkpoint(&entries, &reg, None);
    let b = bundle(&entries, &cp);
    match verdict(&b).unwrap() {
        Verdict::Broken {
            at_entry, check, ..
        } => {
            assert_eq!(at_entry, Some(10));
            assert_eq!(check, "chain");
        }
        v => panic!("accepted: {v:?}"),
    }
}

#[test]
fn truncated_tail_is_rejected() {
    let (entries, b) = setup(50);
    // Cut the file inside the last entry and exactly at an entry boundary.
    let last_len = entries[49].encode().len() + 4;
    for cut in [1, last_len, last_len + 1, 2 * last_len] {
        let t = &b[..b.len() - cut];
        match verdict(t).unwrap() {
            Verdict::Broken { check, .. } => assert_eq!(check, "format"),
            v => panic!("accepted after cutting {cut}: {v:?}"),
        }
    }
    // A bundle whose header honestly says 49 but whose checkpoint is the 50-entry one.
    let reg = registrar();
    let cp = checkpoint(&entries, &reg, None);
    let mut out = Vec::new();
    assert!(scrutin_log::write_bundle(&cp, entries[..49].to_vec(), &mut out).is_err());
}

#[test]
fn appended_foreign_entry_is_rejected() {
    let (entries, b) = setup(50);
    let stranger = signer("evil.example/stranger", 9);
    let last = &entries[49];
    let foreign = Entry::sign(
        &stranger,
        50,
        last.hash(),
        last.recorded_at_ms + 1,
        b"x".to_vec(),
    );
    // Appended after the 50 entries the header announces.
    let mut t = b.clone();
    let bytes = foreign.encode();
    t.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    t.extend_from_slice(&bytes);
    assert!(matches!(
        verdict(&t).unwrap(),
        Verdict::Broken { check, .. } if check == "format"
    ));
    // Or with a checkpoint re-signed by the stranger to cover it.
    let mut all = entries.clone();
    all.push(foreign);
    let cp = checkpoint(&all, &stranger, None);
    match verdict(&bundle(&all, &cp)).unwrap() {
        Verdict::Broken { check, .. } => assert_eq!(check, "checkpoint signature"),
        v => panic!("accepted: {v:?}"),
    }
}

#[test]
fn checkpoint_signed_by_untrusted_key_is_rejected() {
    let (entries, _) = setup(50);
    let mallory = signer("example.com/registrar", 66); // same name, other key
    let cp = checkpoint(&entries, &mallory, None);
    let r = verify_bundle(&bundle(&entries, &cp)[..], &trusted()).unwrap();
    match r.verdict {
        Verdict::Broken {
            at_entry, check, ..
        } => {
            assert_eq!(at_entry, None);
            assert_eq!(check, "checkpoint signature");
        }
        v => panic!("accepted: {v:?}"),
    }
    // Entries themselves were fine.
    assert_eq!(r.entries, 50);
}

#[test]
fn entry_signed_by_wrong_key_is_rejected() {
    let reg = registrar();
    let (mut entries, _) = setup(50);
    // Replace entry 7's signature with one by another key over the same message.
    let other = signer("x", 5);
    let forged = Entry::sign(
        &other,
        7,
        entries[7].prev,
        entries[7].recorded_at_ms,
        entries[7].payload.clone(),
    );
    entries[7].signature = forged.signature;
    let cp = checkpoint(&entries, &reg, None);
    match verdict(&bundle(&entries, &cp)).unwrap() {
        Verdict::Broken {
            at_entry, check, ..
        } => {
            assert_eq!(at_entry, Some(7));
            assert_eq!(check, "signatures");
        }
        v => panic!("accepted: {v:?}"),
    }
    let _ = Hash::ZERO;
}
