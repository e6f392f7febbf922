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

/// Reads complete-subtree hashes from stored tiles, caching tiles for one proof.
pub(crate) struct TileReader<'a> {
    db: &'a sled::Db,
    cache: HashMap<[u8; 10], sled::IVec>,
}

impl<'a> TileReader<'a> {
    pub(crate) fn new(db: &'a sled::Db) -> Self {
        TileReader {
            db,
            cache: HashMap::new(),
        }
    }

    /// The hash of the complete subtree of height `height` and index `index`.
    fn node(&mut self, height: u32, index: u64) -> Result<Hash, LogError> {
        let level = height / TILE_HEIGHT;
        let r = height % TILE_HEIGHT;
        let first = index << r;
        let count = 1usize << r;
        let key = tile_key(level as u8, first / TILE_WIDTH as u64);
        let offset = (first % TILE_WIDTH as u64) as usize;
        let tile = match self.cache.get(&key) {
            Some(t) => t.clone(),
            None => {
                let t = self.db.get(key).map_err(storage)?.ok_or_else(|| {
                    LogError::Damaged(format!("missing Merkle tile {level}/{}", first / 256))
                })?;
                self.cache.insert(key, t.clone());
                t
            }
        };
        let bytes = tile
            .get(offset * 32..(offset + count) * 32)
            .ok_or_else(|| LogError::Damaged(format!("short Merkle tile {level}")))?;
        Ok(root_of(&hashes_of(bytes)))
    }
}

impl Subtrees for TileReader<'_> {
    fn subtree(&mut self, lo: u64, hi: u64) -> Result<Hash, LogError> {
        let n = hi - lo;
        if n.is_power_of_two() && lo.is_multiple_of(n) {
            return self.node(n.trailing_zeros(), lo / n);
        }
        let k = split_point(n);
        let l = self.subtree(lo, lo + k)?;
        let r = self.subtree(lo + k, hi)?;
        Ok(node_hash(&l, &r))
    }
}
