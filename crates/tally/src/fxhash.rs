//! A fast, deterministic hasher for the interning maps (the FxHash mix used by rustc).
//!
//! The maps are only looked up, never iterated, so their order cannot leak into output. Keys
//! are the registrar's own identifiers, not attacker-chosen at volume, and SipHash was the
//! largest single cost of casting a ballot.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// The FxHash mixing function.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the low bits (which pick the bucket) depending only on the low
        // input bytes, and ids share prefixes ("H000123"): finish with murmur3's avalanche.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Identifier types an [`Interner`] can hold: their text is their identity.
pub(crate) trait IdText: Clone + Ord {
    fn text(&self) -> &str;
}

impl IdText for scrutin_model::HolderId {
    fn text(&self) -> &str {
        self.as_str()
    }
}

impl IdText for scrutin_model::ResolutionId {
    fn text(&self) -> &str {
        self.as_str()
    }
}

impl IdText for scrutin_model::ProxyId {
    fn text(&self) -> &str {
        self.as_str()
    }
}

/// Byte equality written out: ids are short, and a call to `memcmp` per lookup showed up in
/// profiles.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

fn text_hash(text: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(text.as_bytes());
    h.finish()
}

/// Interns identifiers to dense `u32` indices. The map is keyed by the id's 64-bit hash (a
/// compact table: the lookup is the hot path of casting a ballot) and every hit is verified
/// against the stored id; an id whose hash collides with an earlier one's lives in a small
/// ordered side map, so lookups are exact whatever the ids.
#[derive(Debug)]
pub(crate) struct Interner<K> {
    ids: crate::cowvec::CowVec<K>,
    by_hash: std::sync::Arc<FxMap<u64, u32>>,
    collided: std::sync::Arc<std::collections::BTreeMap<K, u32>>,
}

impl<K> Default for Interner<K> {
    fn default() -> Self {
        Interner {
            ids: crate::cowvec::CowVec::default(),
            by_hash: std::sync::Arc::default(),
            collided: std::sync::Arc::default(),
        }
    }
}

impl<K> Clone for Interner<K> {
    fn clone(&self) -> Self {
        Interner {
            ids: self.ids.clone(),
            by_hash: self.by_hash.clone(),
            collided: self.collided.clone(),
        }
    }
}

impl<K: IdText> Interner<K> {
    /// The index of `key`, if interned.
    pub(crate) fn get(&self, key: &K) -> Option<u32> {
        let first = *self.by_hash.get(&text_hash(key.text()))?;
        if self
            .ids
            .get(first)
            .is_some_and(|k| same(k.text(), key.text()))
        {
            return Some(first);
        }
        self.collided.get(key).copied()
    }

    /// Whether `key` is interned.
    pub(crate) fn contains(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    /// The id at `index`.
    pub(crate) fn id(&self, index: u32) -> Option<&K> {
        self.ids.get(index)
    }

    /// Interns a new id (the caller checked it is not interned yet) and returns its index.
    pub(crate) fn push(&mut self, key: K) -> u32 {
        let hash = text_hash(key.text());
        let index = self.ids.push(key.clone());
        let by_hash = std::sync::Arc::make_mut(&mut self.by_hash);
        match by_hash.entry(hash) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(index);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                std::sync::Arc::make_mut(&mut self.collided).insert(key, index);
            }
        }
        index
    }
}

#[cfg(test)]
mod tests {
    use super::{FxHasher, Interner};
    use scrutin_model::HolderId;
    use std::hash::Hasher;

    #[test]
    fn interning_is_exact_even_when_hashes_collide() {
        let mut ix: Interner<HolderId> = Interner::default();
        let a = HolderId::new("A").unwrap();
        let b = HolderId::new("B").unwrap();
        assert_eq!(ix.push(a.clone()), 0);
        // Force a collision: file B under A's hash as if it collided.
        let mut h = FxHasher::default();
        h.write(b"A");
        let ha = h.finish();
        let index = ix.ids.push(b.clone());
        std::sync::Arc::make_mut(&mut ix.collided).insert(b.clone(), index);
        std::sync::Arc::make_mut(&mut ix.by_hash).insert(ha, 0);
        assert_eq!(ix.get(&a), Some(0));
        assert_eq!(ix.get(&HolderId::new("C").unwrap()), None);
        assert_eq!(ix.id(1), Some(&b));
    }
}
