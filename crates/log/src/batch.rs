//! Entry signatures, one at a time and in batches, under one rule (`docs/FORMAT.md`,
//! "Signature verification in batches").
//!
//! The rule: the key is a canonical encoding of a point that is not of small order; `S` is
//! canonical (`S < L`); `R` is a canonical encoding of a point that is not of small order;
//! and the **cofactored** equation `[8]([S]B - R - [k]A) = 0` holds, with
//! `k = SHA-512(R || A || M) mod L`. [`verify_one`] checks it for one signature;
//! [`first_invalid`] checks many at once with a random linear combination of the equations
//! (one multi-scalar multiplication per batch of up to [`MAX_BATCH`] signatures, batches on
//! all cores), and falls back to [`verify_one`] on a failing batch to name the first
//! signature that does not verify. Both accept exactly the same signatures (the batch up to
//! a failure probability below 2^-125), so a signature's validity never depends on how it
//! was checked.
//!
//! Per distinct author key the key checks run once per batch, and the key's terms are
//! merged into one point of the multi-scalar multiplication: a log has a handful of authors,
//! so a batch costs about one decompression, one small-order check and one variable-base
//! term per signature.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha512};
use std::iter::once;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Domain separation for the transcript the batch coefficients are derived from.
const BATCH_TAG: &[u8] = b"scrutin-log/v1/batch-verification\n";

/// Fewest signatures in a batch when a chunk is split across cores.
pub(crate) const MIN_BATCH: usize = 64;
/// Most signatures in one batch (one multi-scalar multiplication).
pub(crate) const MAX_BATCH: usize = 256;

/// One signature to check: the author's key, the signed message and the signature bytes.
pub(crate) struct SigItem<'a> {
    pub(crate) key: &'a VerifyingKey,
    pub(crate) msg: &'a [u8],
    pub(crate) sig: &'a [u8; 64],
}

/// Whether 32 bytes are the canonical encoding of their `y` coordinate (`y < p`, with
/// `p = 2^255 - 19`; the top bit is the sign of `x`). The only other non-canonical
/// encodings, a set sign bit with `x = 0`, are of the points `(0, ±1)`, which are of small
/// order and refused as such.
pub(crate) fn canonical_y(b: &[u8; 32]) -> bool {
    // y >= p iff y's bytes (little-endian) are ed ff .. ff 7f or above.
    !(b[31] & 0x7f == 0x7f && b[1..31].iter().all(|&x| x == 0xff) && b[0] >= 0xed)
}

/// The key checks: canonical encoding, not of small order. Returns the point.
fn check_key(key: &VerifyingKey) -> Option<EdwardsPoint> {
    if !canonical_y(key.as_bytes()) {
        return None;
    }
    let a = key.to_edwards();
    (!a.is_small_order()).then_some(a)
}

/// A signature past its per-signature checks.
struct Parsed {
    r: EdwardsPoint,
    s: Scalar,
    /// SHA-512(R || A || M), before reduction.
    hram: [u8; 64],
}

/// Canonical `S`, canonical `R` not of small order, and the challenge hash.
fn parse(key: &[u8; 32], msg: &[u8], sig: &[u8; 64]) -> Option<Parsed> {
    let mut r_bytes = [0u8; 32];
    r_bytes.copy_from_slice(&sig[..32]);
    let mut s_bytes = [0u8; 32];
    s_bytes.copy_from_slice(&sig[32..]);
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))?;
    if !canonical_y(&r_bytes) {
        return None;
    }
    let r = CompressedEdwardsY(r_bytes).decompress()?;
    if r.is_small_order() {
        return None;
    }
    let mut h = Sha512::new();
    h.update(r_bytes);
    h.update(key);
    h.update(msg);
    Some(Parsed {
        r,
        s,
        hram: h.finalize().into(),
    })
}

/// Checks one entry signature under the rule of this module (cofactored equation, canonical
/// `S`, `R` and `A`, neither `R` nor `A` of small order).
pub(crate) fn verify_one(key: &VerifyingKey, msg: &[u8], sig: &[u8; 64]) -> bool {
    let Some(a) = check_key(key) else {
        return false;
    };
    let Some(p) = parse(key.as_bytes(), msg, sig) else {
        return false;
    };
    let k = Scalar::from_bytes_mod_order_wide(&p.hram);
    // [S]B - [k]A, then the difference with R must be a torsion point.
    let sb_minus_ka = EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &(-a), &p.s);
    (sb_minus_ka - p.r).mul_by_cofactor().is_identity()
}

/// Whether every signature of `items` verifies, by one random linear combination of their
/// equations. `false` when any check fails; never `true` for a batch holding a signature
/// [`verify_one`] refuses, except with probability below 2^-125.
///
/// The 128-bit coefficients `z_i` come from SHA-512 over every signature's challenge hash
/// (which covers `R`, `A` and the message) and `S`: fixed by the batch before any of them is
/// known, as in ed25519-dalek's `verify_batch`, so the result is a function of the input.
fn batch_ok(items: &[SigItem<'_>]) -> bool {
    let n = items.len();
    // Distinct keys: (bytes, point, coefficient). A batch sees a handful.
    let mut keys: Vec<([u8; 32], EdwardsPoint, Scalar)> = Vec::new();
    let mut key_of = Vec::with_capacity(n);
    let mut parsed = Vec::with_capacity(n);
    let mut transcript = Sha512::new();
    transcript.update(BATCH_TAG);
    transcript.update((n as u64).to_be_bytes());
    for it in items {
        let kb = it.key.as_bytes();
        let ki = match keys.iter().position(|(b, ..)| b == kb) {
            Some(i) => i,
            None => {
                let Some(a) = check_key(it.key) else {
                    return false;
                };
                keys.push((*kb, a, Scalar::ZERO));
                keys.len() - 1
            }
        };
        let Some(p) = parse(kb, it.msg, it.sig) else {
            return false;
        };
        transcript.update(p.hram);
        transcript.update(&it.sig[32..]);
        key_of.push(ki);
        parsed.push(p);
    }
    let seed: [u8; 64] = transcript.finalize().into();
    let mut zs = Vec::with_capacity(n);
    for (j, group) in parsed.chunks(4).enumerate() {
        let block: [u8; 64] = Sha512::new()
            .chain_update(seed)
            .chain_update((j as u64).to_be_bytes())
            .finalize()
            .into();
        for q in 0..group.len() {
            let mut z = [0u8; 16];
            z.copy_from_slice(&block[16 * q..16 * q + 16]);
            zs.push(Scalar::from(u128::from_le_bytes(z)));
        }
    }
    // sum z_i ([S_i]B - R_i - [k_i]A_i) = [sum z_i S_i]B - sum [z_i]R_i - sum_A [sum z_i k_i]A
    let mut b_coeff = Scalar::ZERO;
    for ((p, z), &ki) in parsed.iter().zip(&zs).zip(&key_of) {
        b_coeff += z * p.s;
        keys[ki].2 += z * Scalar::from_bytes_mod_order_wide(&p.hram);
    }
    let scalars = once(-b_coeff)
        .chain(zs.iter().copied())
        .chain(keys.iter().map(|k| k.2));
    let points = once(ED25519_BASEPOINT_POINT)
        .chain(parsed.iter().map(|p| p.r))
        .chain(keys.iter().map(|k| k.1));
    EdwardsPoint::vartime_multiscalar_mul(scalars, points)
        .mul_by_cofactor()
        .is_identity()
}

/// How `n` signatures are cut into batches for the cores: (threads, batch size, number of
/// batches), each batch between `MIN_BATCH` and `MAX_BATCH` signatures, about one per core.
fn batching(n: usize) -> (usize, usize, usize) {
    let threads = std::thread::available_parallelism()
        .map(|t| t.get())
        .unwrap_or(1)
        .min(8);
    let size = n.div_ceil(threads).clamp(MIN_BATCH, MAX_BATCH);
    (threads, size, n.div_ceil(size))
}

/// The position of the first signature of `items` that does not verify under the rule of
/// this module, if any: batches of [`MIN_BATCH`] to [`MAX_BATCH`] signatures on all
/// available cores, merged in order. A failing batch is re-checked one signature at a time
/// with [`verify_one`], which is what names the position; a batch is skipped only when a
/// failure before it is already known, so every position below the returned one verified.
pub(crate) fn first_invalid(items: &[SigItem<'_>]) -> Option<usize> {
    if items.is_empty() {
        return None;
    }
    let (threads, size, batches) = batching(items.len());
    let next = AtomicUsize::new(0);
    let first_bad = AtomicUsize::new(usize::MAX);
    let work = || loop {
        let b = next.fetch_add(1, Ordering::Relaxed);
        let start = b.saturating_mul(size);
        if b >= batches || start > first_bad.load(Ordering::Relaxed) {
            break;
        }
        let part = &items[start..items.len().min(start + size)];
        if !batch_ok(part) {
            if let Some(off) = part
                .iter()
                .position(|it| !verify_one(it.key, it.msg, it.sig))
            {
                first_bad.fetch_min(start + off, Ordering::Relaxed);
            }
        }
    };
    if threads < 2 || batches < 2 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 1..threads.min(batches) {
                s.spawn(work);
            }
            work();
        });
    }
    match first_bad.into_inner() {
        usize::MAX => None,
        i => Some(i),
    }
}

/// The positions of every signature of `items` that does not verify under the rule of this
/// module, ascending: batches of [`MIN_BATCH`] to [`MAX_BATCH`] signatures on all available
/// cores; each failing batch is re-checked one signature at a time with [`verify_one`], which
/// is what names the positions. Unlike [`first_invalid`] no batch is skipped, so every
/// position not returned verified.
pub(crate) fn all_invalid(items: &[SigItem<'_>]) -> Vec<usize> {
    if items.is_empty() {
        return Vec::new();
    }
    let (threads, size, batches) = batching(items.len());
    let next = AtomicUsize::new(0);
    let work = || {
        let mut bad = Vec::new();
        loop {
            let b = next.fetch_add(1, Ordering::Relaxed);
            if b >= batches {
                break bad;
            }
            let start = b * size;
            let part = &items[start..items.len().min(start + size)];
            if !batch_ok(part) {
                bad.extend(
                    part.iter()
                        .enumerate()
                        .filter(|(_, it)| !verify_one(it.key, it.msg, it.sig))
                        .map(|(off, _)| start + off),
                );
            }
        }
    };
    let mut bad = if threads < 2 || batches < 2 {
        work()
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (1..threads.min(batches)).map(|_| s.spawn(work)).collect();
            let mut bad = work();
            for h in handles {
                // A worker that panicked checked nothing it can vouch for: its batches are
                // counted as failed by the caller's re-check below.
                match h.join() {
                    Ok(b) => bad.extend(b),
                    Err(_) => bad.push(usize::MAX),
                }
            }
            bad
        })
    };
    if bad.contains(&usize::MAX) {
        // Never expected (nothing above panics on any input); stay sound regardless.
        return (0..items.len())
            .filter(|&i| !verify_one(items[i].key, items[i].msg, items[i].sig))
            .collect();
    }
    bad.sort_unstable();
    bad
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer as _, SigningKey};

    #[test]
    fn canonical_y_matches_a_compress_round_trip() {
        // Every y in [p, 2^255) is non-canonical; just below p is canonical.
        let mut p = [0xffu8; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        for d in 0u8..19 {
            let mut b = p;
            b[0] = 0xed + d;
            assert!(!canonical_y(&b), "p + {d}");
            let mut s = b;
            s[31] |= 0x80;
            assert!(!canonical_y(&s), "p + {d} with the sign bit");
            if let Some(pt) = CompressedEdwardsY(b).decompress() {
                assert_ne!(pt.compress().0, b);
            }
        }
        let mut below = p;
        below[0] = 0xec;
        assert!(canonical_y(&below));
        let key = SigningKey::from_bytes(&[3; 32]).verifying_key();
        assert!(canonical_y(key.as_bytes()));
    }

    #[test]
    fn batch_and_single_agree_on_honest_signatures() {
        let keys: Vec<SigningKey> = (1..=3u8)
            .map(|i| SigningKey::from_bytes(&[i; 32]))
            .collect();
        let vks: Vec<VerifyingKey> = keys.iter().map(SigningKey::verifying_key).collect();
        let msgs: Vec<Vec<u8>> = (0..300u32).map(|i| i.to_be_bytes().to_vec()).collect();
        let sigs: Vec<[u8; 64]> = msgs
            .iter()
            .enumerate()
            .map(|(i, m)| keys[i % 3].sign(m).to_bytes())
            .collect();
        let items: Vec<SigItem<'_>> = (0..msgs.len())
            .map(|i| SigItem {
                key: &vks[i % 3],
                msg: &msgs[i],
                sig: &sigs[i],
            })
            .collect();
        assert!(batch_ok(&items[..MAX_BATCH]));
        assert_eq!(first_invalid(&items), None);
        assert!(items.iter().all(|it| verify_one(it.key, it.msg, it.sig)));
        // Swapping two signatures breaks exactly those two; the first is named.
        let mut swapped = sigs.clone();
        swapped.swap(200, 250);
        let items: Vec<SigItem<'_>> = (0..msgs.len())
            .map(|i| SigItem {
                key: &vks[i % 3],
                msg: &msgs[i],
                sig: &swapped[i],
            })
            .collect();
        assert!(!batch_ok(&items[..MAX_BATCH]));
        assert_eq!(first_invalid(&items), Some(200));
    }

    #[test]
    fn all_invalid_names_every_bad_signature_and_only_those() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let vk = key.verifying_key();
        let msgs: Vec<Vec<u8>> = (0..700u32).map(|i| i.to_be_bytes().to_vec()).collect();
        let mut sigs: Vec<[u8; 64]> = msgs.iter().map(|m| key.sign(m).to_bytes()).collect();
        let items = |sigs: &[[u8; 64]]| -> Vec<bool> {
            let items: Vec<SigItem<'_>> = (0..msgs.len())
                .map(|i| SigItem {
                    key: &vk,
                    msg: &msgs[i],
                    sig: &sigs[i],
                })
                .collect();
            let bad = all_invalid(&items);
            (0..msgs.len()).map(|i| bad.contains(&i)).collect()
        };
        assert!(items(&sigs).iter().all(|b| !b));
        // Two bad signatures in one batch and one in another: all three named, no other.
        for i in [3usize, 5, 650] {
            sigs[i][40] ^= 1;
        }
        let bad = items(&sigs);
        let named: Vec<usize> = (0..bad.len()).filter(|&i| bad[i]).collect();
        assert_eq!(named, vec![3, 5, 650]);
    }

    #[test]
    fn small_order_key_is_refused_although_the_equation_holds() {
        // A = identity: [k]A = 0 for every message, so R = [r]B, S = r satisfies the
        // equation for any message; only the key check refuses it.
        let weak = VerifyingKey::from_bytes(&EdwardsPoint::default().compress().0).unwrap();
        let r = Scalar::from(99u64);
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&(ED25519_BASEPOINT_POINT * r).compress().0);
        sig[32..].copy_from_slice(r.as_bytes());
        let good_key = SigningKey::from_bytes(&[5; 32]);
        let good_vk = good_key.verifying_key();
        let msgs: Vec<Vec<u8>> = (0..100u32).map(|i| i.to_be_bytes().to_vec()).collect();
        let sigs: Vec<[u8; 64]> = msgs.iter().map(|m| good_key.sign(m).to_bytes()).collect();
        assert!(!verify_one(&weak, b"anything", &sig));
        let mut items: Vec<SigItem<'_>> = (0..100)
            .map(|i| SigItem {
                key: &good_vk,
                msg: &msgs[i],
                sig: &sigs[i],
            })
            .collect();
        items[70] = SigItem {
            key: &weak,
            msg: b"anything",
            sig: &sig,
        };
        assert!(!batch_ok(&items));
        assert_eq!(first_invalid(&items), Some(70));
    }
}
