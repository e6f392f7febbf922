//! Attacks on what a verifier vouches for: moved cosignatures, entries beyond the
//! checkpoint, reordered entries re-chained under old signatures, and mutated notes and keys
//! that must never verify as another statement or another key.

mod common;

use common::*;
use proptest::prelude::*;
use scrutin_log::{
    root_of, verify_bundle, Checkpoint, Entry, Hash, NoteVerifier, SignedCheckpoint, Signer,
    Verdict, Witness, BUNDLE_MAGIC,
};

fn verdict(bytes: &[u8]) -> Verdict {
    verify_bundle(bytes, &trusted()).unwrap().verdict
}

fn broken_check(bytes: &[u8]) -> String {
    match verdict(bytes) {
        Verdict::Broken { check, .. } => check,
        v => panic!("accepted: {v:?}"),
    }
}

fn be_string(s: &str) -> Vec<u8> {
    let mut v = (s.len() as u64).to_be_bytes().to_vec();
    v.extend_from_slice(s.as_bytes());
    v
}

/// A bundle written by hand: any header count, any note, any entries.
fn raw_bundle(entries_field: u64, note: &str, entries: &[Entry]) -> Vec<u8> {
    let mut header = be_string(ORIGIN);
    header.extend_from_slice(&entries_field.to_be_bytes());
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

#[test]
fn a_cosignature_moved_to_another_checkpoint_is_rejected() {
    let reg = registrar();
    let entries = chain(&[&reg], 10, 8);
    let old = checkpoint(&entries[..8], &reg, Some(&witness_key()));
    let moved = old.cosigners()[0].clone();
    let mut new = checkpoint(&entries, &reg, None);
    new.add_cosignature(moved.clone());
    assert!(new.verify(&trusted()).is_err());
    assert_eq!(broken_check(&bundle(&entries, &new)), "cosignatures");

    // The same cosignature with its timestamp changed.
    let mut same = checkpoint(&entries[..8], &reg, None);
    let mut c = moved;
    c.timestamp += 1;
    same.add_cosignature(c);
    assert!(same.verify(&trusted()).is_err());
    assert_eq!(broken_check(&bundle(&entries[..8], &same)), "cosignatures");
}

#[test]
fn a_note_signature_cannot_pass_as_a_cosignature_or_move_between_checkpoints() {
    let reg = registrar();
    let entries = chain(&[&reg], 6, 8);
    let a = checkpoint(&entries[..5], &reg, None);
    let b = checkpoint(&entries, &reg, None);
    // Graft a's signature line onto b's body.
    let a_text = a.to_note_text();
    let b_text = b.to_note_text();
    let a_sig = a_text.split_once("\n\n").unwrap().1;
    let b_body = b_text.split_once("\n\n").unwrap().0;
    let grafted = format!("{b_body}\n\n{a_sig}");
    let cp = SignedCheckpoint::parse_note(&grafted).unwrap();
    assert!(cp.verify(&trusted()).is_err());
    assert_eq!(
        broken_check(&raw_bundle(6, &grafted, &entries)),
        "checkpoint signature"
    );
}

#[test]
fn entries_beyond_the_checkpoint_are_rejected() {
    let reg = registrar();
    let entries = chain(&[&reg], 9, 8);
    let cp = checkpoint(&entries[..8], &reg, Some(&witness_key()));
    let note = cp.to_note_text();
    // Header honest about the checkpoint, one more entry appended.
    assert_eq!(broken_check(&raw_bundle(8, &note, &entries)), "format");
    // Header claiming 9 entries under a checkpoint of 8.
    assert_eq!(broken_check(&raw_bundle(9, &note, &entries)), "format");
    // Header claiming 7 under a checkpoint of 8, with 8 entries.
    assert_eq!(broken_check(&raw_bundle(7, &note, &entries[..8])), "format");
    // Huge counts fail without reading or allocating for them.
    assert_eq!(
        broken_check(&raw_bundle(u64::MAX, &note, &entries)),
        "format"
    );
    // The honest bundle passes.
    assert_eq!(
        verdict(&raw_bundle(8, &note, &entries[..8])),
        Verdict::Valid
    );
}

/// Entries in another order, indices and chain recomputed, the authors' old signatures
/// kept, under a checkpoint freshly signed by the (trusted) log key: still rejected, since
/// only the authors can sign entries.
#[test]
fn reordered_entries_rechained_under_old_signatures_are_rejected() {
    let reg = registrar();
    let other = signer("example.com/scrutineer", 3);
    let entries = chain(&[&reg, &other], 12, 8);
    let mut order: Vec<Entry> = entries.clone();
    order.swap(4, 7);
    let mut prev = Hash::ZERO;
    for (i, e) in order.iter_mut().enumerate() {
        e.index = i as u64;
        e.prev = prev;
        e.recorded_at_ms = entries[i].recorded_at_ms;
        prev = e.hash();
    }
    let leaves: Vec<Hash> = order.iter().map(Entry::hash).collect();
    let cp = SignedCheckpoint::sign(
        Checkpoint {
            origin: ORIGIN.into(),
            size: 12,
            root: root_of(&leaves),
        },
        &reg,
    );
    let b = raw_bundle(12, &cp.to_note_text(), &order);
    match verdict(&b) {
        Verdict::Broken {
            at_entry, check, ..
        } => {
            assert_eq!(check, "signatures");
            assert_eq!(at_entry, Some(4));
        }
        v => panic!("accepted: {v:?}"),
    }
}

/// A repeated signature or cosignature line is refused when the note is parsed: it would
/// give one checkpoint many encodings (and a bundle many digests), or read as a second
/// witness in a report listing cosigners.
#[test]
fn a_repeated_signature_or_cosignature_line_is_refused() {
    let reg = registrar();
    let entries = chain(&[&reg], 4, 8);
    let cp = checkpoint(&entries, &reg, Some(&witness_key()));
    let text = cp.to_note_text();
    let last = text.lines().last().unwrap();
    let doubled = format!("{text}{last}\n");
    let e = SignedCheckpoint::parse_note(&doubled).unwrap_err();
    assert!(
        e.to_string()
            .contains("two signature lines by the key example.com/witness+"),
        "{e}"
    );
    let first_sig = text.lines().nth(4).unwrap();
    let doubled = text.replacen(
        &format!("{first_sig}\n"),
        &format!("{first_sig}\n{first_sig}\n"),
        1,
    );
    let e = SignedCheckpoint::parse_note(&doubled).unwrap_err();
    assert!(
        e.to_string()
            .contains("two signature lines by the key example.com/registrar+"),
        "{e}"
    );
}

fn note() -> &'static (String, SignedCheckpoint) {
    static N: std::sync::OnceLock<(String, SignedCheckpoint)> = std::sync::OnceLock::new();
    N.get_or_init(|| {
        let reg = registrar();
        let entries = chain(&[&reg], 5, 8);
        let cp = checkpoint(&entries, &reg, Some(&witness_key()));
        (cp.to_note_text(), cp)
    })
}

fn mutate(base: &[u8], edits: &[(prop::sample::Index, u8, u8)]) -> Vec<u8> {
    let mut b = base.to_vec();
    for (i, v, op) in edits {
        if b.is_empty() {
            b.push(*v);
            continue;
        }
        let i = i.index(b.len());
        match op {
            0 => b[i] = *v,
            1 => b[i] ^= 1 << (v % 8),
            2 => b.insert(i, *v),
            _ => {
                b.remove(i);
            }
        }
    }
    b
}

fn edits() -> impl Strategy<Value = Vec<(prop::sample::Index, u8, u8)>> {
    proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if soak() { 50_000 } else { 512 }))]

    /// A mutated note never verifies as a different checkpoint, nor gains a signer.
    #[test]
    fn mutated_notes_never_verify_as_another_checkpoint(e in edits()) {
        let (text, cp) = note();
        let b = mutate(text.as_bytes(), &e);
        let t = String::from_utf8_lossy(&b);
        if let Ok(parsed) = SignedCheckpoint::parse_note(&t) {
            if let Ok(v) = parsed.verify(&trusted()) {
                prop_assert_eq!(&parsed.checkpoint, &cp.checkpoint);
                prop_assert_eq!(v.signed_by, vec![registrar().name().to_string()]);
                prop_assert!(v.cosigned_by.len() <= 1);
            }
        }
    }

    /// A mutated verifier key string either fails or is the same key under the same name,
    /// with the same trust (a cosigner key never turns into a signer, nor back).
    #[test]
    fn mutated_vkeys_parse_to_the_same_key_or_fail(e in edits(), cosigner in any::<bool>()) {
        let v = witness_key().verifier();
        let s = if cosigner { v.to_cosigner_vkey_string() } else { v.to_vkey_string() };
        let want = NoteVerifier::parse(&s).unwrap();
        prop_assert_eq!(want.is_cosign_only(), cosigner);
        let b = mutate(s.as_bytes(), &e);
        if let Ok(p) = NoteVerifier::parse(&String::from_utf8_lossy(&b)) {
            prop_assert_eq!(p, want);
        }
    }

    /// A mutated private key string either fails or is the same key under the same name.
    #[test]
    fn mutated_private_keys_parse_to_the_same_key_or_fail(e in edits()) {
        let k = witness_key();
        let s = k.to_private_key_string();
        let b = mutate(s.as_bytes(), &e);
        if let Ok(p) = Signer::from_private_key_string(&String::from_utf8_lossy(&b)) {
            prop_assert_eq!(p.to_private_key_string(), s);
        }
    }

    /// A mutated bundle header note (any edit of the note text, the rest intact) never
    /// verifies unless the checkpoint is unchanged.
    #[test]
    fn bundles_with_mutated_notes_are_never_valid_for_another_checkpoint(e in edits()) {
        let (text, cp) = note();
        let reg = registrar();
        let entries = chain(&[&reg], 5, 8);
        let b = mutate(text.as_bytes(), &e);
        let t = String::from_utf8_lossy(&b);
        let bundle = raw_bundle(5, &t, &entries);
        if let Ok(r) = verify_bundle(&bundle[..], &trusted()) {
            if r.verdict == Verdict::Valid {
                prop_assert_eq!(&r.checkpoint.unwrap().checkpoint, &cp.checkpoint);
            }
        }
    }
}

#[test]
fn a_witness_refuses_a_fork_of_the_same_size() {
    let reg = registrar();
    let a = chain(&[&reg], 6, 8);
    let b = chain(&[&reg], 6, 9);
    let cp_a = checkpoint(&a, &reg, None);
    let cp_b = checkpoint(&b, &reg, None);
    assert_ne!(cp_a.checkpoint.root, cp_b.checkpoint.root);
    let mut w = Witness::new(witness_key(), None);
    w.cosign(&cp_a, &reg.verifier(), &[], 1).unwrap();
    assert!(w.cosign(&cp_b, &reg.verifier(), &[], 2).is_err());
}
