//! The entry-signature rule under batch verification (docs/FORMAT.md, "Signature
//! verification in batches"): a batch names exactly the entry whose signature fails, and
//! refuses every signature the rule refuses even when the batch equation alone would pass.

mod common;

use common::{bundle, chain, checkpoint, registrar, signer, trusted};
use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::{clamp_integer, Scalar};
use scrutin_log::{verify_bundle, Entry, PublicKey, Signer, Verdict};
use sha2::{Digest, Sha512};

/// The secret scalar of a key made by `Signer::from_seed(_, [seed; 32])` (RFC 8032 5.1.5).
fn secret_scalar(seed: u8) -> Scalar {
    let h: [u8; 64] = Sha512::digest([seed; 32]).into();
    let mut lower = [0u8; 32];
    lower.copy_from_slice(&h[..32]);
    Scalar::from_bytes_mod_order(clamp_integer(lower))
}

/// A signature over `msg` with nonce point `R = [r]B + extra`, made with the secret key:
/// `S = r + H(R || A || M) a`. Only the key's holder can make one.
fn sign_with_r(seed: u8, key: &PublicKey, msg: &[u8], r: Scalar, extra: EdwardsPoint) -> [u8; 64] {
    let a = secret_scalar(seed);
    assert_eq!(
        (ED25519_BASEPOINT_POINT * a).compress().0,
        *key.as_bytes(),
        "secret scalar derivation"
    );
    let big_r = (ED25519_BASEPOINT_POINT * r + extra).compress().0;
    let k = hram(&big_r, key.as_bytes(), msg);
    let s = r + k * a;
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&big_r);
    sig[32..].copy_from_slice(s.as_bytes());
    sig
}

fn hram(r: &[u8; 32], a: &[u8; 32], msg: &[u8]) -> Scalar {
    let h: [u8; 64] = Sha512::new()
        .chain_update(r)
        .chain_update(a)
        .chain_update(msg)
        .finalize()
        .into();
    Scalar::from_bytes_mod_order_wide(&h)
}

/// A point of order 8.
fn torsion8() -> EdwardsPoint {
    let bytes: [u8; 32] =
        hex::decode("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
            .unwrap()
            .try_into()
            .unwrap();
    let t = CompressedEdwardsY(bytes).decompress().unwrap();
    assert!(t.is_small_order());
    assert_ne!(t + t + t + t, EdwardsPoint::default(), "order 8, not 4");
    t
}

/// 600 entries alternately by the registrar (seed 1) and a scrutineer (seed 3): more than
/// one chunk and several batches per chunk.
fn entries() -> (Signer, Signer, Vec<Entry>) {
    let reg = registrar();
    let scr = signer("example.com/scrutineer", 3);
    let e = chain(&[&reg, &scr], 600, 40);
    (reg, scr, e)
}

fn verdict_of(entries: &[Entry]) -> (Verdict, u64) {
    let cp = checkpoint(entries, &registrar(), None);
    let r = verify_bundle(&bundle(entries, &cp)[..], &trusted()).unwrap();
    (r.verdict, r.entries)
}

fn assert_broken_at(entries: &[Entry], at: u64) {
    match verdict_of(entries) {
        (
            Verdict::Broken {
                at_entry, check, ..
            },
            verified,
        ) => {
            assert_eq!(at_entry, Some(at));
            assert_eq!(check, "signatures");
            assert_eq!(verified, at, "every entry before the bad one verified");
        }
        (v, _) => panic!("accepted: {v:?}"),
    }
}

#[test]
fn honest_entries_verify_in_batches() {
    let (_, _, e) = entries();
    assert_eq!(verdict_of(&e), (Verdict::Valid, 600));
}

#[test]
fn one_bad_signature_in_a_batch_names_exactly_that_entry() {
    for bad in [0u64, 1, 255, 256, 300, 511, 512, 599] {
        let (_, _, mut e) = entries();
        e[bad as usize].signature[40] ^= 1; // S changes, stays canonical
        assert!(e[bad as usize].verify_signature().is_err());
        assert_broken_at(&e, bad);
    }
    // Two bad ones: the first is named.
    let (_, _, mut e) = entries();
    e[400].signature[5] ^= 1;
    e[130].signature[5] ^= 1;
    assert_broken_at(&e, 130);
}

/// Adds L (the group order) to the little-endian 256-bit integer `s`.
fn add_l(s: &[u8]) -> [u8; 32] {
    let l = Scalar::ZERO - Scalar::ONE; // L - 1
    let mut l_bytes = *l.as_bytes();
    l_bytes[0] += 1; // L - 1 ends in 0xec: no carry
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(s[i]) + u16::from(l_bytes[i]) + carry;
        out[i] = v as u8;
        carry = v >> 8;
    }
    assert_eq!(carry, 0);
    out
}

#[test]
fn s_at_or_above_l_is_refused() {
    let (_, _, mut e) = entries();
    // S + L satisfies the equation exactly as S does ([S + L]B = [S]B): only the canonical-S
    // check refuses it.
    let s_plus_l = add_l(&e[77].signature[32..]);
    e[77].signature[32..].copy_from_slice(&s_plus_l);
    assert!(e[77].verify_signature().is_err());
    assert_broken_at(&e, 77);
}

#[test]
fn small_order_r_is_refused() {
    let (reg, _, mut e) = entries();
    // R = the identity (order 1) and S = k a: [S]B - R - [k]A = 0, so the equation holds and
    // only the small-order check on R refuses it. Also R of order 8 with S = k a + 0.
    for r_point in [EdwardsPoint::default(), torsion8()] {
        let i = 144usize; // authored by the registrar (even index)
        let msg = e[i].signed_message();
        e[i].signature = sign_with_r(1, &reg.public_key(), &msg, Scalar::ZERO, r_point);
        assert!(e[i].verify_signature().is_err());
        assert_broken_at(&e, i as u64);
    }
}

#[test]
fn small_order_or_non_canonical_author_key_is_refused() {
    // Small order: the identity, and a point of order 8.
    assert!(PublicKey::from_bytes(&EdwardsPoint::default().compress().0).is_err());
    assert!(PublicKey::from_bytes(&torsion8().compress().0).is_err());
    // A non-canonical encoding (y = p + d) of a point of large order.
    let mut found = 0;
    for d in 0u8..19 {
        let mut b = [0xffu8; 32];
        b[0] = 0xed + d;
        b[31] = 0x7f;
        if let Some(p) = CompressedEdwardsY(b).decompress() {
            if !p.is_small_order() {
                found += 1;
                assert!(PublicKey::from_bytes(&b).is_err(), "y = p + {d}");
                assert!(PublicKey::from_bytes(&p.compress().0).is_ok());
            }
        }
    }
    assert!(
        found > 0,
        "no non-canonical encoding of a large-order point found"
    );
}

#[test]
fn torsion_in_r_is_accepted_under_the_cofactored_rule_by_both_paths() {
    let (reg, _, mut e) = entries();
    let i = 222usize;
    let msg = e[i].signed_message();
    let sig = sign_with_r(
        1,
        &reg.public_key(),
        &msg,
        Scalar::from(12345u64),
        torsion8(),
    );
    // verify_strict refuses it: [S]B - [k]A is R minus its torsion part.
    let vk = ed25519_dalek::VerifyingKey::from_bytes(reg.public_key().as_bytes()).unwrap();
    assert!(vk
        .verify_strict(&msg, &ed25519_dalek::Signature::from_bytes(&sig))
        .is_err());
    e[i].signature = sig;
    // The rule is the cofactored equation: the single path and the batch path agree.
    e[i].verify_signature().unwrap();
    assert_eq!(verdict_of(&e), (Verdict::Valid, 600));
    // Its leaf and the log's root are those of the honestly signed entry: the signature is
    // outside the leaf, so the signer gains no second log.
    let honest = Entry::sign(
        &reg,
        e[i].index,
        e[i].prev,
        e[i].recorded_at_ms,
        e[i].payload.clone(),
    );
    assert_eq!(honest.hash(), e[i].hash());
    // The same torsion with a wrong S is still refused, by both paths.
    e[i].signature[40] ^= 1;
    assert!(e[i].verify_signature().is_err());
    assert_broken_at(&e, i as u64);
}
