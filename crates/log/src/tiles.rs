//! The Merkle tree in storage, as tiles.
//!
//! The tile at level `t`, index `i` holds the hashes of the Merkle nodes at tree height `8t`
//! with indices `256i .. 256i+255` (level 0: the leaf hashes), concatenated. Any complete
//! subtree hash is then one tile read plus at most 255 hashes, and an append writes one or
//! two tile values per level per batch instead of one value per node.

use crate::error::LogError;
use crate::hash::{node_hash, Hash};
use crate::merkle::{root_of, split_point, Subtrees};
use crate::store::storage;
use std::collections::{BTreeMap, HashMap};

pub(crate) const TILE_HEIGHT: u32 = 8;
pub(crate) const TILE_WIDTH: usize = 1 << TILE_HEIGHT;

/// Storage key of a tile: `t` + level + tile index (u64 BE).
pub(crate) fn tile_key(level: u8, index: u64) -> [u8; 10] {
    let mut k = [b't'; 10];
    k[1] = level;
    k[2..].copy_from_slice(&index.to_be_bytes());
    k
}

pub(crate) fn hashes_of(bytes: &[u8]) -> Vec<Hash> {
    bytes
        .chunks_exact(32)
        .map(|c| {
            let mut h = [0u8; 32];
            h.copy_from_slice(c);
            Hash(h)
        })
        .collect()
}

/// Adds leaves `start..` to the incomplete tiles, completing and carrying tiles upwards.
/// Returns the tile values to write (complete tiles and the changed incomplete ones).
pub(crate) fn push_leaves(
    tiles: &mut Vec<Vec<Hash>>,
    start: u64,
    leaves: &[Hash],
) -> Vec<([u8; 10], Vec<u8>)> {
    let mut writes: BTreeMap<[u8; 10], Vec<u8>> = BTreeMap::new();
    let mut dirty: Vec<bool> = Vec::new();
    for (n, leaf) in (start..).zip(leaves) {
        let mut h = *leaf;
        let mut level = 0usize;
        // Index of h among the nodes at height 8*level.
        let mut idx = n;
        loop {
            if tiles.len() <= level {
                tiles.push(Vec::new());
            }
            if dirty.len() <= level {
                dirty.push(false);
            }
            tiles[level].push(h);
            dirty[level] = true;
            if tiles[level].len() < TILE_WIDTH {
                break;
            }
            let tile = std::mem::take(&mut tiles[level]);
            dirty[level] = false;
            h = root_of(&tile);
            writes.insert(
                tile_key(level as u8, idx / TILE_WIDTH as u64),
                tile.iter().flat_map(|x| x.0).collect(),
            );
            idx /= TILE_WIDTH as u64;
            level += 1;
        }
    }
    // The incomplete tiles that changed, at their final content.
    let end = start + leaves.len() as u64;
    for (level, tile) in tiles.iter().enumerate() {
        if dirty.get(level).copied().unwrap_or(false) && !tile.is_empty() {
            let nodes = end >> (TILE_HEIGHT as usize * level);
            writes.insert(
                tile_key(level as u8, nodes / TILE_WIDTH as u64),
                tile.iter().flat_map(|x| x.0).collect(),
            );
        }
    }
    writes.into_iter().collect()
}

/// Reads subtree hashes from stored tiles, remembering the tiles read and every subtree hash
/// computed (each bounded), so that many proofs against one tree size share their work.
///
/// Only subtrees `[lo, hi)` with `hi` within the committed log are ever asked for, and such
/// a subtree's hash never changes (the log is append-only), so a remembered hash stays right
/// for any later proof.
pub(crate) struct TileReader<'a> {
    db: &'a sled::Db,
    cache: HashMap<[u8; 10], sled::IVec>,
    memo: HashMap<(u64, u64), Hash>,
}

/// Most tiles a [`TileReader`] keeps (256 hashes each).
const MAX_TILES: usize = 1_024;
/// Most computed subtree hashes a [`TileReader`] keeps.
const MAX_MEMO: usize = 1 << 17;

impl<'a> TileReader<'a> {
    pub(crate) fn new(db: &'a sled::Db) -> Self {
        TileReader {
            db,
            cache: HashMap::new(),
            memo: HashMap::new(),
        }
    }

    /// The stored hash of the node at height `8 * level` and index `index`.
    fn stored(&mut self, level: u32, index: u64) -> Result<Hash, LogError> {
        let key = tile_key(level as u8, index / TILE_WIDTH as u64);
        let offset = (index % TILE_WIDTH as u64) as usize;
        let tile = match self.cache.get(&key) {
            Some(t) => t.clone(),
            None => {
                let t = self.db.get(key).map_err(storage)?.ok_or_else(|| {
                    LogError::Damaged(format!(
                        "missing Merkle tile {level}/{}",
                        index / TILE_WIDTH as u64
                    ))
                })?;
                if self.cache.len() >= MAX_TILES {
                    self.cache.clear();
                }
                self.cache.insert(key, t.clone());
                t
            }
        };
        let bytes = tile
            .get(offset * 32..(offset + 1) * 32)
            .ok_or_else(|| LogError::Damaged(format!("short Merkle tile {level}")))?;
        Ok(hashes_of(bytes)[0])
    }
}

impl Subtrees for TileReader<'_> {
    fn subtree(&mut self, lo: u64, hi: u64) -> Result<Hash, LogError> {
        let n = hi - lo;
        if n.is_power_of_two()
            && lo.is_multiple_of(n)
            && n.trailing_zeros().is_multiple_of(TILE_HEIGHT)
        {
            return self.stored(n.trailing_zeros() / TILE_HEIGHT, lo / n);
        }
        if let Some(h) = self.memo.get(&(lo, hi)) {
            return Ok(*h);
        }
        // MTH splits at the largest power of two below n (n / 2 for a power of two).
        let k = split_point(n);
        let l = self.subtree(lo, lo + k)?;
        let r = self.subtree(lo + k, hi)?;
        let h = node_hash(&l, &r);
        if self.memo.len() >= MAX_MEMO {
            self.memo.clear();
        }
        self.memo.insert((lo, hi), h);
        Ok(h)
    }
}

/// Inclusion proofs against the tree of one size, many at a time: the tiles read and the
/// subtree hashes computed for one proof serve the next (made by
/// [`Log::inclusion_prover`](crate::Log::inclusion_prover)). Each proof is exactly the one
/// [`Log::prove_inclusion`](crate::Log::prove_inclusion) gives.
pub struct InclusionProver<'a> {
    reader: TileReader<'a>,
    size: u64,
}

impl std::fmt::Debug for InclusionProver<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InclusionProver")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl<'a> InclusionProver<'a> {
    pub(crate) fn new(db: &'a sled::Db, size: u64) -> Self {
        InclusionProver {
            reader: TileReader::new(db),
            size,
        }
    }

    /// The tree size the proofs are against.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The inclusion proof of entry `index` in the tree of the prover's size.
    ///
    /// # Errors
    /// [`LogError::OutOfRange`] unless `index < size`; storage errors.
    pub fn prove(&mut self, index: u64) -> Result<Vec<Hash>, LogError> {
        crate::merkle::prove_inclusion_with(&mut self.reader, index, self.size)
    }
}
