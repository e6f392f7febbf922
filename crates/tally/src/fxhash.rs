//! A fast, deterministic hasher for the interning maps (the FxHash mix used by rustc).
//!
//! The maps are only looked up, never iterated, so their order cannot leak into output. Keys
//! are the registrar's own identifiers, not attacker-chosen at volume, and SipHash was the
//! largest single cost of casting a ballot.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use crate::arena::StrArena;

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
pub(crate) trait IdText: Sized {
    /// The id's text.
    fn text(&self) -> &str;
    /// The id with this text, if it is a valid one.
    fn from_text(text: &str) -> Option<Self>;
}

macro_rules! id_text {
    ($($t:ty),*) => {$(
        impl IdText for $t {
            fn text(&self) -> &str {
                self.as_str()
            }
            fn from_text(text: &str) -> Option<Self> {
                <$t>::new(text).ok()
            }
        }
    )*};
}
id_text!(
    scrutin_model::HolderId,
    scrutin_model::ResolutionId,
    scrutin_model::ProxyId
);

/// The hash of an id's text.
fn hash_text(text: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(text.as_bytes());
    h.write_usize(text.len());
    h.finish()
}

/// Shards of the lookup table (a power of two): a write copies one shard, not the table.
const SHARDS: usize = 256;

/// One shard of the lookup table: open addressing with linear probing. A slot is 0 (empty) or
/// `(tag << 32) | (index + 1)`, the tag being the low 32 bits of the id's hash (it also picks
/// the first slot probed), so a probe reads the arena only for a slot whose tag matches.
#[derive(Debug, Clone, Default)]
struct Shard {
    slots: Vec<u64>,
    len: usize,
}

impl Shard {
    fn find(&self, tag: u32, mut same: impl FnMut(u32) -> bool) -> Option<u32> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut pos = tag as usize & mask;
        loop {
            let slot = *self.slots.get(pos)?;
            if slot == 0 {
                return None;
            }
            if (slot >> 32) as u32 == tag {
                let index = (slot as u32).wrapping_sub(1);
                if same(index) {
                    return Some(index);
                }
            }
            pos = (pos + 1) & mask;
        }
    }

    fn place(slots: &mut [u64], slot: u64) {
        let mask = slots.len() - 1;
        let mut pos = (slot >> 32) as usize & mask;
        while let Some(s) = slots.get_mut(pos) {
            if *s == 0 {
                *s = slot;
                return;
            }
            pos = (pos + 1) & mask;
        }
    }

    fn insert(&mut self, tag: u32, index: u32) {
        // At most three quarters full, so every probe ends at an empty slot.
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            let mut grown = vec![0u64; (self.slots.len() * 2).max(8)];
            for &slot in self.slots.iter().filter(|&&s| s != 0) {
                Self::place(&mut grown, slot);
            }
            self.slots = grown;
        }
        Self::place(
            &mut self.slots,
            (u64::from(tag) << 32) | u64::from(index.wrapping_add(1)),
        );
        self.len += 1;
    }
}

/// Interns identifiers to dense `u32` indices. The ids live once, in a string arena; the
/// lookup table holds only 8-byte slots (a hash tag and an index into the arena), sharded so
/// that a clone shares it and a write copies one shard. Lookups are exact.
#[derive(Debug)]
pub(crate) struct Interner<K> {
    ids: StrArena,
    shards: Vec<std::sync::Arc<Shard>>,
    kind: std::marker::PhantomData<fn() -> K>,
}

impl<K> Default for Interner<K> {
    fn default() -> Self {
        Interner {
            ids: StrArena::default(),
            shards: Vec::new(),
            kind: std::marker::PhantomData,
        }
    }
}

impl<K> Clone for Interner<K> {
    fn clone(&self) -> Self {
        Interner {
            ids: self.ids.clone(),
            shards: self.shards.clone(),
            kind: std::marker::PhantomData,
        }
    }
}

impl<K: IdText> Interner<K> {
    /// The index of the id with this text, if interned.
    pub(crate) fn get_text(&self, text: &str) -> Option<u32> {
        let h = hash_text(text);
        let shard = self.shards.get((h >> 56) as usize % SHARDS)?;
        shard.find(h as u32, |i| self.ids.get(i) == Some(text))
    }

    /// The index of `key`, if interned.
    pub(crate) fn get(&self, key: &K) -> Option<u32> {
        self.get_text(key.text())
    }

    /// Whether `key` is interned.
    pub(crate) fn contains(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    /// The text of the id at `index`.
    pub(crate) fn text(&self, index: u32) -> Option<&str> {
        self.ids.get(index)
    }

    /// The id at `index`.
    pub(crate) fn id(&self, index: u32) -> Option<K> {
        K::from_text(self.ids.get(index)?)
    }

    /// Every id's text, in index order (the snapshot encodes these and re-interns them).
    pub(crate) fn texts(&self) -> &StrArena {
        &self.ids
    }

    /// Interns a new id (the caller checked it is not interned yet) and returns its index.
    pub(crate) fn push(&mut self, key: &K) -> u32 {
        self.push_text(key.text())
    }

    /// As [`Interner::push`], by text (the caller checked it is a valid id).
    pub(crate) fn push_text(&mut self, text: &str) -> u32 {
        let index = self.ids.push(text);
        if index == u32::MAX {
            // Never reached (the arena would hold 4G ids); the slot cannot encode it.
            return index;
        }
        if self.shards.is_empty() {
            self.shards = vec![std::sync::Arc::default(); SHARDS];
        }
        let h = hash_text(text);
        if let Some(shard) = self.shards.get_mut((h >> 56) as usize % SHARDS) {
            std::sync::Arc::make_mut(shard).insert(h as u32, index);
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
            assert_eq!(ix.push(id) as usize, i);
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(ix.get(id), Some(i as u32), "{id}");
            assert_eq!(ix.id(i as u32).as_ref(), Some(id));
            assert_eq!(ix.text(i as u32), Some(id.as_str()));
        }
        assert_eq!(ix.get(&HolderId::new("ABC").unwrap()), None);
        assert_eq!(
            ix.get(&HolderId::new("12345678901234567890123456").unwrap()),
            None
        );
    }

    #[test]
    fn many_ids_intern_exactly_and_clones_are_independent() {
        let mut ix: Interner<HolderId> = Interner::default();
        let id = |i: u32| HolderId::new(format!("S{i:08}")).unwrap();
        for i in 0..50_000u32 {
            assert_eq!(ix.get(&id(i)), None);
            assert_eq!(ix.push(&id(i)), i);
        }
        let snapshot = ix.clone();
        for i in 50_000..60_000u32 {
            assert_eq!(ix.push(&id(i)), i);
        }
        for i in 0..60_000u32 {
            assert_eq!(ix.get(&id(i)), Some(i));
            assert_eq!(snapshot.get(&id(i)), (i < 50_000).then_some(i));
        }
        assert_eq!(ix.get(&id(60_000)), None);
        assert_eq!(ix.get_text("S0000000"), None);
        assert_eq!(ix.get_text("S000000001"), None);
    }

    #[test]
    fn a_probe_goes_past_slots_whose_tag_matches_another_id() {
        let mut shard = super::Shard::default();
        // Same tag, so the same first slot: only the text compare tells them apart.
        for index in 0..20u32 {
            shard.insert(0xdead_beef, index);
        }
        shard.insert(0x0000_0001, 99);
        for want in 0..20u32 {
            assert_eq!(shard.find(0xdead_beef, |i| i == want), Some(want));
        }
        assert_eq!(shard.find(0xdead_beef, |i| i == 99), None);
        assert_eq!(shard.find(0x0000_0001, |i| i == 99), Some(99));
        assert_eq!(shard.find(0x0000_0002, |_| true), None);
    }
}
