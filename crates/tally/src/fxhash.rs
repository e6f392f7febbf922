//! A fast, deterministic hasher for the interning maps (the FxHash mix used by rustc).
//!
//! The maps are only looked up, never iterated, so their order cannot leak into output. Keys
//! are the registrar's own identifiers, not attacker-chosen at volume, and SipHash was the
//! largest single cost of casting a ballot.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

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

/// An [`FxMap`] held in a [`crate::Meeting`]: a snapshot encodes it with its entries in key
/// order, so the bytes are a function of its contents. (A hash map iterates in an order that
/// depends on how it was built: the same meeting, folded from its log or restored from a
/// snapshot, would otherwise encode differently, and the meeting-state digest of a state
/// written after `verify --since` would not be the full verification's.) Same wire layout as
/// bincode's map: a `u64` length, then key and value pairs.
#[derive(Debug, Clone)]
pub(crate) struct SortedMap<K, V>(pub(crate) FxMap<K, V>);

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap(FxMap::default())
    }
}

impl<K, V> std::ops::Deref for SortedMap<K, V> {
    type Target = FxMap<K, V>;
    fn deref(&self) -> &FxMap<K, V> {
        &self.0
    }
}

impl<K, V> std::ops::DerefMut for SortedMap<K, V> {
    fn deref_mut(&mut self) -> &mut FxMap<K, V> {
        &mut self.0
    }
}

impl<K: Ord + bincode::Encode, V: bincode::Encode> bincode::Encode for SortedMap<K, V> {
    fn encode<E: bincode::enc::Encoder>(
        &self,
        encoder: &mut E,
    ) -> Result<(), bincode::error::EncodeError> {
        let mut entries: Vec<(&K, &V)> = self.0.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        (entries.len() as u64).encode(encoder)?;
        for (k, v) in entries {
            k.encode(encoder)?;
            v.encode(encoder)?;
        }
        Ok(())
    }
}

impl<Ctx, K, V> bincode::Decode<Ctx> for SortedMap<K, V>
where
    K: bincode::Decode<Ctx> + Eq + Hash,
    V: bincode::Decode<Ctx>,
{
    fn decode<D: bincode::de::Decoder<Context = Ctx>>(
        decoder: &mut D,
    ) -> Result<Self, bincode::error::DecodeError> {
        let len = u64::decode(decoder)?;
        // Grows with the entries actually decoded: a false length allocates nothing.
        let mut out = FxMap::default();
        for _ in 0..len {
            let k = K::decode(decoder)?;
            let v = V::decode(decoder)?;
            if out.insert(k, v).is_some() {
                return Err(bincode::error::DecodeError::Other("a map key is repeated"));
            }
        }
        Ok(SortedMap(out))
    }
}

impl<'de, Ctx, K, V> bincode::BorrowDecode<'de, Ctx> for SortedMap<K, V>
where
    K: bincode::Decode<Ctx> + Eq + Hash,
    V: bincode::Decode<Ctx>,
{
    fn borrow_decode<D: bincode::de::BorrowDecoder<'de, Context = Ctx>>(
        decoder: &mut D,
    ) -> Result<Self, bincode::error::DecodeError> {
        <Self as bincode::Decode<Ctx>>::decode(decoder)
    }
}

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

/// Longest id kept inline in the table (the last byte of the key holds the length).
const INLINE: usize = 23;

/// The inline key of a short id: its bytes, zero-padded, and its length in the last byte.
fn inline_key(text: &str) -> Option<[u8; INLINE + 1]> {
    let bytes = text.as_bytes();
    let len = u8::try_from(bytes.len())
        .ok()
        .filter(|&l| usize::from(l) <= INLINE)?;
    let mut key = [0u8; INLINE + 1];
    key[..bytes.len()].copy_from_slice(bytes);
    key[INLINE] = len;
    Some(key)
}

/// Interns identifiers to dense `u32` indices. Ids of up to 23 bytes (holder numbers, CCASS
/// participant ids, proxy form numbers) are keyed inline, so a lookup touches only the table
/// and compares fixed-size arrays; longer ids use an ordinary map. Lookups are exact.
#[derive(Debug)]
pub(crate) struct Interner<K> {
    ids: crate::cowvec::CowVec<K>,
    short: std::sync::Arc<FxMap<[u8; INLINE + 1], u32>>,
    long: std::sync::Arc<FxMap<K, u32>>,
}

impl<K> Default for Interner<K> {
    fn default() -> Self {
        Interner {
            ids: crate::cowvec::CowVec::default(),
            short: std::sync::Arc::default(),
            long: std::sync::Arc::default(),
        }
    }
}

impl<K> Clone for Interner<K> {
    fn clone(&self) -> Self {
        Interner {
            ids: self.ids.clone(),
            short: self.short.clone(),
            long: self.long.clone(),
        }
    }
}

impl<K: IdText + std::hash::Hash> Interner<K> {
    /// The index of `key`, if interned.
    pub(crate) fn get(&self, key: &K) -> Option<u32> {
        match inline_key(key.text()) {
            Some(k) => self.short.get(&k).copied(),
            None => self.long.get(key).copied(),
        }
    }

    /// Whether `key` is interned.
    pub(crate) fn contains(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    /// The id at `index`.
    pub(crate) fn id(&self, index: u32) -> Option<&K> {
        self.ids.get(index)
    }

    /// Every id, in index order (the snapshot encodes these and re-interns them).
    pub(crate) fn ids(&self) -> &crate::cowvec::CowVec<K> {
        &self.ids
    }

    /// Interns a new id (the caller checked it is not interned yet) and returns its index.
    pub(crate) fn push(&mut self, key: K) -> u32 {
        let index = self.ids.push(key.clone());
        match inline_key(key.text()) {
            Some(k) => {
                std::sync::Arc::make_mut(&mut self.short).insert(k, index);
            }
            None => {
                std::sync::Arc::make_mut(&mut self.long).insert(key, index);
            }
        }
        index
    }
}

#[cfg(test)]
mod tests {
    use super::Interner;
    use scrutin_model::HolderId;

    #[test]
    fn short_and_long_ids_intern_exactly() {
        let mut ix: Interner<HolderId> = Interner::default();
        let ids: Vec<HolderId> = [
            "A",
            "A ",
            "AB",
            "12345678901234567890123",
            "123456789012345678901234",
            "1234567890123456789012345",
        ]
        .iter()
        .filter_map(|s| HolderId::new(*s).ok())
        .collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(ix.get(id), None);
            assert_eq!(ix.push(id.clone()) as usize, i);
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(ix.get(id), Some(i as u32), "{id}");
            assert_eq!(ix.id(i as u32), Some(id));
        }
        assert_eq!(ix.get(&HolderId::new("ABC").unwrap()), None);
        assert_eq!(
            ix.get(&HolderId::new("12345678901234567890123456").unwrap()),
            None
        );
    }
}
