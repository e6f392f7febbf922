//! RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification. No I/O.
//!
//! Proof generation is written once, over a source of subtree hashes ([`Subtrees`]): the pure
//! functions use a slice of leaf hashes, the log uses its stored tiles.

use crate::error::{LogError, ProofError};
use crate::hash::{node_hash, Hash};

/// The Merkle tree hash (MTH) of a list of leaf hashes; the empty tree's root is SHA-256("").
pub fn root_of(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Hash::digest(b""),
        1 => leaves[0],
        n => {
            let k = split_point(n as u64) as usize;
            node_hash(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

/// Largest power of two strictly below `n` (n >= 2).
pub(crate) fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// A source of MTH(D[lo..hi]) for the proof generators.
pub(crate) trait Subtrees {
    fn subtree(&mut self, lo: u64, hi: u64) -> Result<Hash, LogError>;
}

impl Subtrees for &[Hash] {
    fn subtree(&mut self, lo: u64, hi: u64) -> Result<Hash, LogError> {
        let (lo, hi) = (to_usize(lo)?, to_usize(hi)?);
        self.get(lo..hi)
            .map(root_of)
            .ok_or_else(|| LogError::InvalidRange(format!("{lo}..{hi}")))
    }
}

fn to_usize(v: u64) -> Result<usize, LogError> {
    usize::try_from(v).map_err(|_| LogError::InvalidRange(format!("{v} does not fit in memory")))
}

/// RFC 6962 PATH(m, D[lo..hi]).
pub(crate) fn inclusion_path(
    src: &mut impl Subtrees,
    m: u64,
    lo: u64,
    hi: u64,
    out: &mut Vec<Hash>,
) -> Result<(), LogError> {
    let n = hi - lo;
    if n <= 1 {
        return Ok(());
    }
    let k = split_point(n);
    if m - lo < k {
        inclusion_path(src, m, lo, lo + k, out)?;
        out.push(src.subtree(lo + k, hi)?);
    } else {
        inclusion_path(src, m, lo + k, hi, out)?;
        out.push(src.subtree(lo, lo + k)?);
    }
    Ok(())
}

/// RFC 6962 SUBPROOF(m, D[lo..hi], b), with m relative to lo.
pub(crate) fn consistency_subproof(
    src: &mut impl Subtrees,
    m: u64,
    lo: u64,
    hi: u64,
    b: bool,
    out: &mut Vec<Hash>,
) -> Result<(), LogError> {
    let n = hi - lo;
    if m == n {
        if !b {
            out.push(src.subtree(lo, hi)?);
        }
        return Ok(());
    }
    let k = split_point(n);
    if m <= k {
        consistency_subproof(src, m, lo, lo + k, b, out)?;
        out.push(src.subtree(lo + k, hi)?);
    } else {
        consistency_subproof(src, m - k, lo + k, hi, false, out)?;
        out.push(src.subtree(lo, lo + k)?);
    }
    Ok(())
}

/// Checks the arguments and builds an inclusion proof from any subtree source.
pub(crate) fn prove_inclusion_with(
    src: &mut impl Subtrees,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, LogError> {
    if index >= size {
        return Err(LogError::OutOfRange { index, size });
    }
    let mut out = Vec::new();
    inclusion_path(src, index, 0, size, &mut out)?;
    Ok(out)
}

/// Checks the arguments and builds a consistency proof from any subtree source.
/// `old_size == 0` or `old_size == new_size` give an empty proof.
pub(crate) fn prove_consistency_with(
    src: &mut impl Subtrees,
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Hash>, LogError> {
    if old_size > new_size {
        return Err(LogError::InvalidRange(format!(
            "old size {old_size} is larger than new size {new_size}"
        )));
    }
    let mut out = Vec::new();
    if old_size > 0 && old_size < new_size {
        consistency_subproof(src, old_size, 0, new_size, true, &mut out)?;
    }
    Ok(out)
}

/// Inclusion proof for leaf `index` in the tree of the first `size` of `leaves` (pure,
/// O(n) hashing: for tests and small trees; [`crate::Log::prove_inclusion`] reads O(log n)).
///
/// # Errors
/// [`LogError::OutOfRange`] if `index >= size`; [`LogError::InvalidRange`] if
/// `size > leaves.len()`.
pub fn inclusion_proof(leaves: &[Hash], index: u64, size: u64) -> Result<Vec<Hash>, LogError> {
    if size > leaves.len() as u64 {
        return Err(LogError::InvalidRange(format!(
            "size {size} > {}",
            leaves.len()
        )));
    }
    prove_inclusion_with(&mut &leaves[..], index, size)
}

/// Consistency proof between the trees of the first `old_size` and `new_size` of `leaves`
/// (pure; empty when `old_size` is 0 or equals `new_size`).
///
/// # Errors
/// [`LogError::InvalidRange`] if `old_size > new_size` or `new_size > leaves.len()`.
pub fn consistency_proof(
    leaves: &[Hash],
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Hash>, LogError> {
    if new_size > leaves.len() as u64 {
        return Err(LogError::InvalidRange(format!(
            "size {new_size} > {}",
            leaves.len()
        )));
    }
    prove_consistency_with(&mut &leaves[..], old_size, new_size)
}

/// Verifies an RFC 9162 (section 2.1.3.2) inclusion proof of `leaf` at `index` in the tree of
/// `size` leaves with root `root`.
///
/// # Errors
/// [`ProofError`] saying why the proof fails.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::InvalidSizes(format!(
            "index {index} is not below size {size}"
        )));
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(ProofError::WrongLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength);
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Verifies an RFC 9162 (section 2.1.4.2) consistency proof between a tree of `old_size`
/// leaves with root `old_root` and one of `new_size` leaves with root `new_root`.
///
/// Equal sizes need an empty proof and equal roots. `old_size == 0` is rejected: an empty tree
/// is trivially consistent with every tree, so there is nothing to prove (the RFC 6962 test
/// vectors require this); callers treat "no earlier checkpoint" separately.
///
/// # Errors
/// [`ProofError`] saying why the proof fails.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old_size == 0 {
        return Err(ProofError::InvalidSizes(
            "old size 0: an empty tree has no consistency proof".into(),
        ));
    }
    if old_size > new_size {
        return Err(ProofError::InvalidSizes(format!(
            "old size {old_size} is larger than new size {new_size}"
        )));
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    let (first, rest): (Hash, &[Hash]) = if old_size.is_power_of_two() {
        (*old_root, proof)
    } else {
        match proof.split_first() {
            Some((f, r)) => (*f, r),
            None => return Err(ProofError::WrongLength),
        }
    };
    if proof.is_empty() {
        return Err(ProofError::WrongLength);
    }
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (first, first);
    for c in rest {
        if sn == 0 {
            return Err(ProofError::WrongLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength);
    }
    if fr != *old_root || sr != *new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// The compact range `[0, size)` of a Merkle tree: the roots of its complete subtrees, one
/// per bit set in `size`, largest (leftmost) first (the "right frontier"; RFC 9162 section
/// 2.1.1 defines MTH by splitting at the largest power of two below n, so `MTH(D[0:n])` is the
/// right-to-left fold of exactly these subtree roots). O(log n) hashes are enough to
/// compute the root and to extend the tree with further leaves without the earlier leaves:
/// streaming verification builds its root with one, and `verify --since` resumes from a
/// stored one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    /// Roots of the complete subtrees, largest (leftmost) first.
    stack: Vec<Hash>,
    size: u64,
}

impl Frontier {
    /// The compact range of a tree of `size` leaves from its subtree roots, largest first.
    ///
    /// # Errors
    /// [`LogError::InvalidRange`] unless there is exactly one hash per bit set in `size`.
    pub fn from_parts(size: u64, hashes: Vec<Hash>) -> Result<Frontier, LogError> {
        if hashes.len() != size.count_ones() as usize {
            return Err(LogError::InvalidRange(format!(
                "a compact range of {size} leaves has {} subtree roots, not {}",
                size.count_ones(),
                hashes.len()
            )));
        }
        Ok(Frontier {
            stack: hashes,
            size,
        })
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The subtree roots, largest (leftmost) first: one per bit set in [`Frontier::size`].
    pub fn hashes(&self) -> &[Hash] {
        &self.stack
    }

    /// Appends a leaf hash (merging the complete subtrees it completes).
    pub fn push(&mut self, leaf: Hash) {
        let mut h = leaf;
        let mut s = self.size;
        while s & 1 == 1 {
            if let Some(left) = self.stack.pop() {
                h = node_hash(&left, &h);
            }
            s >>= 1;
        }
        self.stack.push(h);
        self.size += 1;
    }

    /// The Merkle tree hash of the leaves pushed (SHA-256 of nothing for none).
    pub fn root(&self) -> Hash {
        let mut it = self.stack.iter().rev();
        match it.next() {
            None => Hash::digest(b""),
            Some(last) => it.fold(*last, |acc, left| node_hash(left, &acc)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn frontier_matches_root_of() {
        let l = leaves(70);
        let mut f = Frontier::default();
        assert_eq!(f.root(), root_of(&[]));
        for (i, h) in l.iter().enumerate() {
            f.push(*h);
            assert_eq!(f.root(), root_of(&l[..=i]));
            let again = Frontier::from_parts(f.size(), f.hashes().to_vec()).unwrap();
            assert_eq!(again, f);
        }
        assert!(Frontier::from_parts(3, vec![l[0]]).is_err());
    }

    #[test]
    fn proofs_verify_for_all_small_trees() {
        let l = leaves(33);
        for n in 1..=33u64 {
            let root = root_of(&l[..n as usize]);
            for i in 0..n {
                let p = inclusion_proof(&l, i, n).unwrap();
                verify_inclusion(&l[i as usize], i, n, &p, &root).unwrap();
            }
            for m in 1..=n {
                let p = consistency_proof(&l, m, n).unwrap();
                verify_consistency(m, n, &root_of(&l[..m as usize]), &root, &p).unwrap();
            }
        }
    }
}
