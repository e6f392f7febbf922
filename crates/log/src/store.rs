//! The durable log on sled: entries, Merkle tiles, checkpoints and the head, all in one sled
//! tree under key prefixes so that a small append is one atomic sled batch. A large batch
//! goes through the append pipeline (`pipeline.rs`): written job by job beyond the committed
//! size while the next jobs are signed, then committed by one last sled batch (size and head)
//! and one fsync; `mpending` marks it meanwhile so that `open` discards an unfinished one.
//!
//! Keys (see `docs/FORMAT.md`, "Storage"):
//! `m` + name → metadata (`version`, `origin`, `size`, `head`);
//! `e` + index (u64 BE) → a page of consecutive entries starting there (see `pages.rs`);
//! `t` + tile level (u8) + tile index (u64 BE) → up to 256 concatenated 32-byte hashes;
//! `c` + size (u64 BE) → checkpoint note text;
//! `a` + key → auxiliary data derived from the entries (e.g. the ledger's receipt index), see
//! [`Log::put_aux_batch`];
//! `mpending` → while a large batch is being written, the committed size it started from.
//!
//! The Merkle tree is stored as tiles (see `tiles.rs`).

use crate::checkpoint::{Checkpoint, SignedCheckpoint};
use crate::codec::{self, ENTRY_OVERHEAD, MAX_PAYLOAD_BYTES};
use crate::entry::Entry;
use crate::error::LogError;
use crate::hash::Hash;
use crate::keys::{PublicKey, Signer};
use crate::merkle::{self, Subtrees};
use crate::pages::{self, entry_key, OpenPage, RawEntries};
use crate::pipeline::{self, Job};
use crate::tiles::{hashes_of, push_leaves, tile_key, TileReader, TILE_HEIGHT, TILE_WIDTH};
use std::collections::HashSet;
use std::ffi::OsString;
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

const STORE_VERSION: u32 = 1;

const META_VERSION: &[u8] = b"mversion";
const META_ORIGIN: &[u8] = b"morigin";
const META_SIZE: &[u8] = b"msize";
const META_HEAD: &[u8] = b"mhead";
/// Present only while a multi-chunk batch is being written: the committed size it started
/// from. Written atomically with the batch's first chunk and removed atomically with its
/// commit point (size and head), so after a crash `open` knows that the pages and tiles
/// beyond the committed size are an unfinished batch's, to be discarded, not damage.
const META_PENDING: &[u8] = b"mpending";

fn checkpoint_key(size: u64) -> [u8; 9] {
    let mut k = [b'c'; 9];
    k[1..].copy_from_slice(&size.to_be_bytes());
    k
}

pub(crate) fn storage(e: sled::Error) -> LogError {
    LogError::Storage(e.to_string())
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn u64_value(v: &[u8], what: &str) -> Result<u64, LogError> {
    <[u8; 8]>::try_from(v)
        .map(u64::from_be_bytes)
        .map_err(|_| LogError::Damaged(format!("{what} is not a u64")))
}

/// What readers may rely on: everything below `size` is durable.
#[derive(Clone, Copy)]
struct Committed {
    size: u64,
    head: Option<Hash>,
}

/// The single writer's state, behind a mutex: appends are serialised through it.
struct Writer {
    size: u64,
    head: Hash,
    last_time: u64,
    /// The rightmost, incomplete tile of each level (level 0 first).
    tiles: Vec<Vec<Hash>>,
    /// The last page of entries, still being filled.
    page: OpenPage,
    /// Set when a commit failed after sled may have applied it: the in-memory state can no
    /// longer be trusted, so further writes are refused until the log is reopened.
    poisoned: Option<String>,
    synced_blobs: HashSet<OsString>,
}

/// A durable, append-only, verifiable log stored in a directory.
///
/// One writer per directory: a second `open`/`create` of the same directory, from this or
/// another process, fails with [`LogError::Locked`] while this `Log` is alive. A `Log` is
/// `Send + Sync`; concurrent `append` calls are serialised, each entry chained to the one
/// before. Reads (entries, roots, proofs) do not block appends and see a durable prefix.
pub struct Log {
    dir: PathBuf,
    origin: String,
    db: sled::Db,
    db_file: File,
    committed: RwLock<Committed>,
    writer: Mutex<Writer>,
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Log")
            .field("dir", &self.dir)
            .field("origin", &self.origin)
            .field("len", &self.len())
            .finish()
    }
}

fn check_origin(origin: &str) -> Result<(), LogError> {
    if origin.is_empty() || origin.chars().any(crate::is_control_char) {
        return Err(LogError::Usage(format!(
            "origin {origin:?} must be non-empty and contain no control characters"
        )));
    }
    Ok(())
}

/// How long `open` waits for sled's file lock before reporting [`LogError::Locked`]. A `Log`
/// dropped a moment ago in this process can hold the lock briefly while sled's background
/// threads wind down; a lock held by another live writer is still reported after this wait.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// sled's page cache, in bytes (sled's default is 1 GiB, which a reader of a large log
/// fills: a scan or a replay then holds that much memory for nothing, since it reads each
/// page once).
const CACHE_BYTES: u64 = 64 << 20;

fn open_sled(dir: &Path, create: bool) -> Result<sled::Db, LogError> {
    let started = std::time::Instant::now();
    loop {
        match sled::Config::new()
            .path(dir)
            .create_new(create)
            .cache_capacity(CACHE_BYTES)
            .open()
        {
            Ok(db) => return Ok(db),
            Err(sled::Error::Io(ref io)) if io.to_string().contains("could not acquire lock") => {
                if started.elapsed() >= LOCK_WAIT {
                    return Err(LogError::Locked(dir.display().to_string()));
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(other) => return Err(storage(other)),
        }
    }
}

impl Log {
    /// Creates a new, empty log in `dir` (created if missing) for the log named `origin`.
    ///
    /// # Errors
    /// [`LogError::AlreadyExists`] if `dir` holds a log; [`LogError::Usage`] for a bad origin;
    /// I/O and storage errors.
    pub fn create(dir: &Path, origin: &str) -> Result<Log, LogError> {
        check_origin(origin)?;
        if dir.join("db").exists() || dir.join("conf").exists() {
            return Err(LogError::AlreadyExists(dir.display().to_string()));
        }
        std::fs::create_dir_all(dir)?;
        let db = open_sled(dir, true)?;
        let mut b = sled::Batch::default();
        b.insert(META_VERSION, &STORE_VERSION.to_be_bytes());
        b.insert(META_ORIGIN, origin.as_bytes());
        b.insert(META_SIZE, &0u64.to_be_bytes());
        db.apply_batch(b).map_err(storage)?;
        let db_file = File::open(dir.join("db"))?;
        let log = Log {
            dir: dir.to_owned(),
            origin: origin.to_owned(),
            db,
            db_file,
            committed: RwLock::new(Committed {
                size: 0,
                head: None,
            }),
            writer: Mutex::new(Writer {
                size: 0,
                head: Hash::ZERO,
                last_time: 0,
                tiles: Vec::new(),
                page: OpenPage::new(0),
                poisoned: None,
                synced_blobs: HashSet::new(),
            }),
        };
        {
            let mut w = log.lock_writer();
            log.make_durable(&mut w)?;
        }
        // The directory entries for the new files must survive a crash too.
        File::open(dir)?.sync_all()?;
        Ok(log)
    }

    /// Opens an existing log, checking that its stored size, head, last entry and Merkle
    /// tiles agree.
    ///
    /// # Errors
    /// [`LogError::NotFound`] if there is no log; [`LogError::Locked`] if another writer has
    /// it open; [`LogError::Damaged`] if the store is inconsistent; I/O and storage errors.
    pub fn open(dir: &Path) -> Result<Log, LogError> {
        if !dir.join("db").is_file() {
            return Err(LogError::NotFound(dir.display().to_string()));
        }
        let db = open_sled(dir, false)?;
        let get = |k: &[u8], what: &str| -> Result<sled::IVec, LogError> {
            db.get(k)
                .map_err(storage)?
                .ok_or_else(|| LogError::Damaged(format!("missing {what}")))
        };
        let version = get(META_VERSION, "format version")?;
        if version.as_ref() != STORE_VERSION.to_be_bytes() {
            return Err(LogError::Damaged(format!(
                "unknown store version {:?}",
                version.as_ref()
            )));
        }
        let origin = String::from_utf8(get(META_ORIGIN, "origin")?.to_vec())
            .map_err(|_| LogError::Damaged("origin is not UTF-8".into()))?;
        let size = u64_value(&get(META_SIZE, "size")?, "size")?;
        if let Some(pending) = db.get(META_PENDING).map_err(storage)? {
            // A multi-chunk batch was interrupted before its commit point: everything it
            // wrote lies beyond the committed size.
            let from = u64_value(&pending, "pending batch start")?;
            if from != size {
                return Err(LogError::Damaged(format!(
                    "an unfinished batch started at {from} but the committed size is {size}"
                )));
            }
            discard_beyond(&db, size)?;
            db.flush().map_err(storage)?;
            File::open(dir.join("db"))?.sync_all()?;
        }
        let last = db
            .scan_prefix(b"e")
            .next_back()
            .transpose()
            .map_err(storage)?;
        let (head, last_time, page) = match (size, last) {
            (0, None) => (None, 0, OpenPage::new(0)),
            (0, Some(_)) => return Err(LogError::Damaged("entries stored beyond size 0".into())),
            (_, None) => {
                return Err(LogError::Damaged(format!(
                    "size is {size} but no entries are stored"
                )))
            }
            (_, Some((k, v))) => {
                let recs = pages::records(&v)?;
                let first = <[u8; 8]>::try_from(&k[1..])
                    .map(u64::from_be_bytes)
                    .map_err(|_| LogError::Damaged("bad entry page key".into()))?;
                if first.checked_add(recs.len() as u64) != Some(size) {
                    return Err(LogError::Damaged(format!(
                        "size is {size} but the stored entries end at {}",
                        first.saturating_add(recs.len() as u64)
                    )));
                }
                let &(off, len) = recs
                    .last()
                    .ok_or_else(|| LogError::Damaged("empty entry page".into()))?;
                let e = Entry::decode(&v[off..off + len])
                    .map_err(|e| LogError::Damaged(format!("last entry: {e}")))?;
                let stored = Hash::from_slice(&get(META_HEAD, "head")?)
                    .map_err(|_| LogError::Damaged("head is not a hash".into()))?;
                if e.index != size - 1 || e.hash() != stored {
                    return Err(LogError::Damaged(format!(
                        "stored head {stored} is not the hash of entry {}",
                        size - 1
                    )));
                }
                let mut page = OpenPage {
                    start: first,
                    count: recs.len() as u64,
                    bytes: v.to_vec(),
                };
                if page.is_full() {
                    page = OpenPage::new(size);
                }
                (Some(stored), e.recorded_at_ms, page)
            }
        };
        if size > 0 && db.get(entry_key(0)).map_err(storage)?.is_none() {
            return Err(LogError::Damaged("entry 0 is missing".into()));
        }
        // Load the rightmost incomplete tile of each level.
        let mut tiles = Vec::new();
        let mut level = 0u8;
        while u32::from(level) * TILE_HEIGHT < 64 && (size >> (TILE_HEIGHT * u32::from(level))) > 0
        {
            let nodes = size >> (TILE_HEIGHT * u32::from(level));
            let count = (nodes % TILE_WIDTH as u64) as usize;
            let mut tile = Vec::new();
            if count > 0 {
                let bytes = db
                    .get(tile_key(level, nodes / TILE_WIDTH as u64))
                    .map_err(storage)?
                    .ok_or_else(|| LogError::Damaged(format!("missing tile at level {level}")))?;
                if bytes.len() < count * 32 {
                    return Err(LogError::Damaged(format!("short tile at level {level}")));
                }
                tile = hashes_of(&bytes[..count * 32]);
            }
            tiles.push(tile);
            level += 1;
        }
        if let (Some(h), Some(t0)) = (head, tiles.first()) {
            let leaf_in_tile = if t0.is_empty() {
                // The last leaf completed a tile: read it from the stored complete tile.
                db.get(tile_key(0, (size - 1) / TILE_WIDTH as u64))
                    .map_err(storage)?
                    .and_then(|b| Hash::from_slice(b.get(b.len().saturating_sub(32)..)?).ok())
            } else {
                t0.last().copied()
            };
            if leaf_in_tile != Some(h) {
                return Err(LogError::Damaged(
                    "Merkle tiles do not end with the head".into(),
                ));
            }
        }
        let db_file = File::open(dir.join("db"))?;
        Ok(Log {
            dir: dir.to_owned(),
            origin,
            db,
            db_file,
            committed: RwLock::new(Committed { size, head }),
            writer: Mutex::new(Writer {
                size,
                head: head.unwrap_or(Hash::ZERO),
                last_time,
                tiles,
                page,
                poisoned: None,
                synced_blobs: HashSet::new(),
            }),
        })
    }

    fn lock_writer(&self) -> MutexGuard<'_, Writer> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn committed(&self) -> Committed {
        *self.committed.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The log's origin (its name in checkpoints).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The directory the log lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Number of durable entries.
    pub fn len(&self) -> u64 {
        self.committed().size
    }

    /// Whether the log has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hash of the last entry, `None` when empty.
    pub fn head(&self) -> Option<Hash> {
        self.committed().head
    }

    /// Appends one entry signed by `signer`; returns once it is durable.
    ///
    /// # Errors
    /// [`LogError::PayloadTooLarge`]; storage and I/O errors (after which this handle refuses
    /// further writes: reopen the log).
    pub fn append(&self, signer: &Signer, payload: Vec<u8>) -> Result<Entry, LogError> {
        let mut v = self.append_batch(signer, vec![payload])?;
        v.pop()
            .ok_or_else(|| LogError::Storage("append produced no entry".into()))
    }

    /// Appends entries signed by `signer` as one atomic group with one durable flush (group
    /// commit): all are stored or none. Signing runs on all available cores; a batch of 64
    /// entries or more is written while it is signed, its commit point last.
    ///
    /// # Errors
    /// As [`Log::append`].
    pub fn append_batch(
        &self,
        signer: &Signer,
        payloads: Vec<Vec<u8>>,
    ) -> Result<Vec<Entry>, LogError> {
        self.append_batch_at(signer, payloads, now_ms())
    }

    /// The time the next append would record if it started now: the clock, or the last
    /// recorded time if the clock is behind it (times never decrease). A caller that checks
    /// its payloads against the recorded time takes this, checks, then passes it to
    /// [`Log::append_batch_at`] while it alone appends.
    pub fn next_time(&self) -> u64 {
        now_ms().max(self.lock_writer().last_time)
    }

    /// As [`Log::append_batch`], recording the entries at `at_ms` (UTC milliseconds), or at
    /// the last recorded time if that is later: the recorded time is never earlier than
    /// `at_ms`.
    ///
    /// # Errors
    /// As [`Log::append`].
    pub fn append_batch_at(
        &self,
        signer: &Signer,
        payloads: Vec<Vec<u8>>,
        at_ms: u64,
    ) -> Result<Vec<Entry>, LogError> {
        if payloads.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(p) = payloads.iter().find(|p| p.len() > MAX_PAYLOAD_BYTES) {
            return Err(LogError::PayloadTooLarge {
                len: p.len(),
                limit: MAX_PAYLOAD_BYTES,
            });
        }
        let mut w = self.lock_writer();
        if let Some(why) = &w.poisoned {
            return Err(LogError::Damaged(format!(
                "an earlier write failed ({why}); reopen the log"
            )));
        }
        let start = w.size;
        let n = payloads.len() as u64;
        let end = start
            .checked_add(n)
            .ok_or_else(|| LogError::InvalidRange("log is full".into()))?;
        let time = at_ms.max(w.last_time);
        if payloads.len() >= PIPELINE_MIN {
            // Large enough to pipeline: written job by job as a pending batch (the commit
            // point last), so that writing overlaps signing.
            drop(w);
            return self.append_pipelined(signer, payloads, at_ms);
        }
        let author = signer.public_key();
        let mut job = pipeline::chain(0, start, w.head, time, author.as_bytes(), payloads)?;
        pipeline::sign_parallel(&mut job, signer, time, author.as_bytes());

        let mut batch = sled::Batch::default();
        let mut page = w.page.clone();
        page_job(&mut page, &job, time, author.as_bytes(), &mut batch);
        let mut tiles = w.tiles.clone();
        for (key, bytes) in push_leaves(&mut tiles, start, &job.leaves) {
            batch.insert(&key, bytes);
        }
        let prev = job.last_leaf();
        let entries = entries_of(job, time, author);
        batch.insert(META_SIZE, &end.to_be_bytes());
        batch.insert(META_HEAD, &prev.0);

        if let Err(e) = self
            .db
            .apply_batch(batch)
            .map_err(storage)
            .and_then(|()| self.make_durable(&mut w))
        {
            w.poisoned = Some(e.to_string());
            return Err(e);
        }
        w.size = end;
        w.head = prev;
        w.last_time = time;
        w.tiles = tiles;
        w.page = page;
        *self.committed.write().unwrap_or_else(|p| p.into_inner()) = Committed {
            size: end,
            head: Some(prev),
        };
        Ok(entries)
    }

    /// sled's `flush` writes with `sync_file_range`, which does not make data durable
    /// against power loss (sled issue 1452); `fsync` of the database file does. Values too
    /// big for a segment go to files under `blobs/`, which sled writes without `fsync`:
    /// new ones are synced here too, with their directory.
    fn make_durable(&self, w: &mut Writer) -> Result<(), LogError> {
        self.db.flush().map_err(storage)?;
        self.db_file.sync_all()?;
        let blobs = self.dir.join("blobs");
        let mut new_blobs = false;
        if let Ok(rd) = std::fs::read_dir(&blobs) {
            for ent in rd {
                let ent = ent?;
                if !w.synced_blobs.contains(&ent.file_name()) {
                    if let Ok(f) = File::open(ent.path()) {
                        f.sync_all()?;
                    }
                    w.synced_blobs.insert(ent.file_name());
                    new_blobs = true;
                }
            }
        }
        if new_blobs {
            File::open(&blobs)?.sync_all()?;
        }
        Ok(())
    }

    /// The entry at `index`.
    ///
    /// # Errors
    /// [`LogError::OutOfRange`] past the end; [`LogError::Damaged`] if stored bytes do not
    /// decode; storage errors.
    pub fn entry(&self, index: u64) -> Result<Entry, LogError> {
        let size = self.len();
        if index >= size {
            return Err(LogError::OutOfRange { index, size });
        }
        let v = pages::entry_bytes(&self.db, index)?;
        Entry::decode(&v).map_err(|e| LogError::Damaged(format!("entry {index}: {e}")))
    }

    /// The entries in `range`, by a sequential scan. A range reaching past the end yields
    /// [`LogError::OutOfRange`] first and nothing else.
    pub fn entries(&self, range: Range<u64>) -> impl Iterator<Item = Result<Entry, LogError>> + '_ {
        // A scan sees few distinct authors: remember the keys already checked (curve point,
        // not weak) instead of decompressing the same point for every entry.
        let mut checked = crate::entry::CheckedKeys::default();
        self.raw_entries(range).map(move |r| {
            r.and_then(|(i, v)| {
                Entry::decode_with(&v, &mut checked)
                    .map_err(|e| LogError::Damaged(format!("entry {i}: {e}")))
            })
        })
    }

    /// Canonical entry bytes in `range`, checked to be the expected keys.
    pub(crate) fn raw_entries(
        &self,
        range: Range<u64>,
    ) -> Box<dyn Iterator<Item = Result<(u64, sled::IVec), LogError>> + '_> {
        let size = self.len();
        if range.end > size {
            return Box::new(std::iter::once(Err(LogError::OutOfRange {
                index: range.end,
                size,
            })));
        }
        if range.start >= range.end {
            return Box::new(std::iter::empty());
        }
        match RawEntries::new(&self.db, range.start, range.end) {
            Ok(it) => Box::new(it),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }

    /// The RFC 6962 root of the first `size` entries (SHA-256("") for 0).
    ///
    /// # Errors
    /// [`LogError::OutOfRange`] if `size > len()`; storage errors.
    pub fn root(&self, size: u64) -> Result<Hash, LogError> {
        let len = self.len();
        if size > len {
            return Err(LogError::OutOfRange {
                index: size,
                size: len,
            });
        }
        if size == 0 {
            return Ok(Hash::digest(b""));
        }
        TileReader::new(&self.db).subtree(0, size)
    }

    /// Inclusion proof of entry `index` in the tree of the first `size` entries: O(log n)
    /// tile reads.
    ///
    /// # Errors
    /// [`LogError::OutOfRange`] unless `index < size <= len()`; storage errors.
    pub fn prove_inclusion(&self, index: u64, size: u64) -> Result<Vec<Hash>, LogError> {
        let len = self.len();
        if size > len {
            return Err(LogError::OutOfRange {
                index: size,
                size: len,
            });
        }
        merkle::prove_inclusion_with(&mut TileReader::new(&self.db), index, size)
    }

    /// A prover of many inclusion proofs in the tree of the first `size` entries, sharing
    /// tile reads and subtree hashes between them (each proof is the one
    /// [`Log::prove_inclusion`] gives).
    ///
    /// # Errors
    /// [`LogError::OutOfRange`] if `size > len()`.
    pub fn inclusion_prover(&self, size: u64) -> Result<crate::InclusionProver<'_>, LogError> {
        let len = self.len();
        if size > len {
            return Err(LogError::OutOfRange {
                index: size,
                size: len,
            });
        }
        Ok(crate::InclusionProver::new(&self.db, size))
    }

    /// Consistency proof from the tree of `old_size` entries to that of `new_size`: O(log n)
    /// tile reads. Empty when `old_size` is 0 or equals `new_size`.
    ///
    /// # Errors
    /// [`LogError::InvalidRange`] if `old_size > new_size`; [`LogError::OutOfRange`] if
    /// `new_size > len()`; storage errors.
    pub fn prove_consistency(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>, LogError> {
        let len = self.len();
        if new_size > len {
            return Err(LogError::OutOfRange {
                index: new_size,
                size: len,
            });
        }
        merkle::prove_consistency_with(&mut TileReader::new(&self.db), old_size, new_size)
    }

    /// Signs a checkpoint of the current size and root with `signer` and stores it (durably)
    /// as the latest.
    ///
    /// # Errors
    /// Storage and I/O errors.
    pub fn checkpoint(&self, signer: &Signer) -> Result<SignedCheckpoint, LogError> {
        let size = self.len();
        let cp = Checkpoint {
            origin: self.origin.clone(),
            size,
            root: self.root(size)?,
        };
        let signed = SignedCheckpoint::sign(cp, signer);
        self.put_checkpoint(&signed)?;
        Ok(signed)
    }

    /// The checkpoint with the largest size stored, if any.
    ///
    /// # Errors
    /// [`LogError::Damaged`] if the stored note does not parse; storage errors.
    pub fn latest_checkpoint(&self) -> Result<Option<SignedCheckpoint>, LogError> {
        match self.db.scan_prefix(b"c").next_back() {
            None => Ok(None),
            Some(r) => {
                let (_, v) = r.map_err(storage)?;
                let text = std::str::from_utf8(&v)
                    .map_err(|_| LogError::Damaged("stored checkpoint is not UTF-8".into()))?;
                SignedCheckpoint::parse_note(text)
                    .map(Some)
                    .map_err(|e| LogError::Damaged(format!("stored checkpoint: {e}")))
            }
        }
    }

    /// The stored checkpoint of exactly `size` entries, if any (every checkpoint signed or
    /// stored is kept, keyed by its size).
    ///
    /// # Errors
    /// [`LogError::Damaged`] if the stored note does not parse; storage errors.
    pub fn checkpoint_at(&self, size: u64) -> Result<Option<SignedCheckpoint>, LogError> {
        match self.db.get(checkpoint_key(size)).map_err(storage)? {
            None => Ok(None),
            Some(v) => {
                let text = std::str::from_utf8(&v)
                    .map_err(|_| LogError::Damaged("stored checkpoint is not UTF-8".into()))?;
                SignedCheckpoint::parse_note(text)
                    .map(Some)
                    .map_err(|e| LogError::Damaged(format!("stored checkpoint: {e}")))
            }
        }
    }

    /// The sizes of every stored checkpoint, ascending (C2SP tlog-tiles: a log serves the
    /// partial tiles of every size it produced a checkpoint for).
    ///
    /// # Errors
    /// Storage errors.
    pub fn checkpoint_sizes(&self) -> Result<Vec<u64>, LogError> {
        let mut out = Vec::new();
        for r in self.db.scan_prefix(b"c") {
            let (k, _) = r.map_err(storage)?;
            let bytes: [u8; 8] = k
                .get(1..9)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| LogError::Damaged("bad checkpoint key".into()))?;
            out.push(u64::from_be_bytes(bytes));
        }
        Ok(out)
    }

    /// The first `width` hashes (1 to 256) of the stored Merkle tile at `level`, `index`, in
    /// the C2SP tlog-tiles layout: the tile's hashes are the nodes at tree height `8 * level`
    /// with indices `256 * index ..`, concatenated (32 bytes each). Only hashes of complete
    /// subtrees are stored, so the bytes never change once written.
    ///
    /// # Errors
    /// [`LogError::InvalidRange`] for a width outside 1..=256 or a level above 63;
    /// [`LogError::OutOfRange`] if the tile holds fewer than `width` hashes; storage errors.
    pub fn tile(&self, level: u8, index: u64, width: usize) -> Result<Vec<u8>, LogError> {
        if width == 0 || width > TILE_WIDTH || level > 63 {
            return Err(LogError::InvalidRange(format!(
                "tile level {level} width {width}"
            )));
        }
        let stored = self.db.get(tile_key(level, index)).map_err(storage)?;
        let have = stored.as_ref().map_or(0, |t| t.len() / 32);
        match stored {
            Some(t) if have >= width => Ok(t[..width * 32].to_vec()),
            _ => Err(LogError::OutOfRange {
                index: index.saturating_mul(TILE_WIDTH as u64) + width as u64,
                size: index.saturating_mul(TILE_WIDTH as u64) + have as u64,
            }),
        }
    }

    /// Stores `cp` (e.g. after witnesses cosigned it), replacing any stored checkpoint of the
    /// same size. It must describe this log: same origin, size at most `len()`, and the root
    /// of this log at that size.
    ///
    /// # Errors
    /// [`LogError::CheckpointMismatch`]; storage and I/O errors.
    pub fn store_checkpoint(&self, cp: &SignedCheckpoint) -> Result<(), LogError> {
        self.check_checkpoint(&cp.checkpoint)?;
        self.put_checkpoint(cp)
    }

    pub(crate) fn check_checkpoint(&self, cp: &Checkpoint) -> Result<(), LogError> {
        if cp.origin != self.origin {
            return Err(LogError::CheckpointMismatch(format!(
                "origin {:?} is not {:?}",
                cp.origin, self.origin
            )));
        }
        let len = self.len();
        if cp.size > len {
            return Err(LogError::CheckpointMismatch(format!(
                "size {} is beyond the log's {len} entries",
                cp.size
            )));
        }
        let root = self.root(cp.size)?;
        if root != cp.root {
            return Err(LogError::CheckpointMismatch(format!(
                "root at size {} is {root}, not {}",
                cp.size, cp.root
            )));
        }
        Ok(())
    }

    fn put_checkpoint(&self, cp: &SignedCheckpoint) -> Result<(), LogError> {
        let mut w = self.lock_writer();
        self.db
            .insert(
                checkpoint_key(cp.checkpoint.size),
                cp.to_note_text().as_bytes(),
            )
            .map_err(storage)?;
        self.make_durable(&mut w)
    }
}

/// The key prefix of auxiliary data: no other key of the store starts with it.
const AUX_PREFIX: u8 = b'a';

fn aux_key(key: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + key.len());
    k.push(AUX_PREFIX);
    k.extend_from_slice(key);
    k
}

impl Log {
    /// Stores auxiliary keyed data (derived from the entries, such as an index of them) in
    /// the log's database, under a key space of its own that no entry, tile, checkpoint or
    /// metadata key shares. `puts` are `(key, value)` pairs and `removes` keys; all are
    /// applied as one atomic batch, after every append before it.
    ///
    /// The batch is atomic but not flushed here: it becomes durable with the log's next
    /// durable write (an append, a checkpoint, [`Log::flush_aux`]) or sled's own periodic
    /// flush. Auxiliary data must therefore be rebuildable from the entries; a reader keeps,
    /// within the same batch, a marker of how far it got (see the ledger's receipt index).
    ///
    /// # Errors
    /// [`LogError::Damaged`] if an earlier write failed on this handle; storage errors.
    pub fn put_aux_batch(
        &self,
        puts: Vec<(Vec<u8>, Vec<u8>)>,
        removes: Vec<Vec<u8>>,
    ) -> Result<(), LogError> {
        let w = self.lock_writer();
        if let Some(why) = &w.poisoned {
            return Err(LogError::Damaged(format!(
                "an earlier write failed ({why}); reopen the log"
            )));
        }
        let mut batch = sled::Batch::default();
        for k in removes {
            batch.remove(aux_key(&k));
        }
        for (k, v) in puts {
            batch.insert(aux_key(&k), v);
        }
        self.db.apply_batch(batch).map_err(storage)
    }

    /// Makes every auxiliary write so far durable (flush and `fsync`).
    ///
    /// # Errors
    /// Storage and I/O errors.
    pub fn flush_aux(&self) -> Result<(), LogError> {
        let mut w = self.lock_writer();
        self.make_durable(&mut w)
    }

    /// The auxiliary value stored under `key`, if any.
    ///
    /// # Errors
    /// Storage errors.
    pub fn get_aux(&self, key: &[u8]) -> Result<Option<Vec<u8>>, LogError> {
        Ok(self
            .db
            .get(aux_key(key))
            .map_err(storage)?
            .map(|v| v.to_vec()))
    }

    /// Every auxiliary `(key, value)` whose key starts with `prefix`, in key order (keys
    /// without the store's own prefix). The iterator reads lazily.
    pub fn get_aux_range(
        &self,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), LogError>> + '_ {
        self.db.scan_prefix(aux_key(prefix)).map(|r| {
            r.map(|(k, v)| (k[1..].to_vec(), v.to_vec()))
                .map_err(storage)
        })
    }

    /// Removes every auxiliary key starting with `prefix` (e.g. to rebuild an index). Atomic
    /// per call only as far as sled's single removes are; flushed as
    /// [`Log::put_aux_batch`].
    ///
    /// # Errors
    /// Storage errors.
    pub fn remove_aux_prefix(&self, prefix: &[u8]) -> Result<(), LogError> {
        let _w = self.lock_writer();
        let mut batch = sled::Batch::default();
        for r in self.db.scan_prefix(aux_key(prefix)).keys() {
            batch.remove(r.map_err(storage)?);
        }
        self.db.apply_batch(batch).map_err(storage)
    }
}

impl Log {
    /// Starts a batch appended in chunks (see [`PendingBatch`]): entries recorded at `at_ms`
    /// or at the last recorded time if that is later. Other appends wait until the batch is
    /// committed or dropped.
    ///
    /// # Errors
    /// [`LogError::Damaged`] if an earlier write failed on this handle.
    pub fn begin_batch_at<'a>(
        &'a self,
        signer: &'a Signer,
        at_ms: u64,
    ) -> Result<PendingBatch<'a>, LogError> {
        let w = self.lock_writer();
        if let Some(why) = &w.poisoned {
            return Err(LogError::Damaged(format!(
                "an earlier write failed ({why}); reopen the log"
            )));
        }
        Ok(PendingBatch {
            log: self,
            signer,
            time: at_ms.max(w.last_time),
            start: w.size,
            end: w.size,
            head: w.head,
            tiles: w.tiles.clone(),
            page: w.page.clone(),
            written: false,
            unflushed: 0,
            done: false,
            w,
        })
    }

    /// Appends the payloads `chunks` yields as ONE all-or-nothing batch, recorded at `at_ms`
    /// (or the last recorded time if later), without holding more than a few chunks in
    /// memory: chunk k+1 is signed (on all cores) while chunk k is written, and the commit
    /// point is written last, once every chunk is in storage. Returns the entries' range.
    ///
    /// If `chunks` yields an error, or a write fails, nothing is recorded (the chunks
    /// already written are discarded) and that error is returned. A crash before the commit
    /// point leaves the log at its old size (the next [`Log::open`] discards the rest).
    ///
    /// # Errors
    /// The iterator's errors; [`LogError::PayloadTooLarge`]; storage and I/O errors.
    pub fn append_chunks_at<I, E>(
        &self,
        signer: &Signer,
        chunks: I,
        at_ms: u64,
    ) -> Result<Range<u64>, E>
    where
        I: Iterator<Item = Result<Vec<Vec<u8>>, E>> + Send,
        E: From<LogError> + Send,
    {
        let mut batch = self.begin_batch_at(signer, at_ms)?;
        let at = pipeline::Start {
            index: batch.end,
            head: batch.head,
            time: batch.time,
        };
        pipeline::run(signer, at, IMPORT_JOB, chunks, |job| {
            batch.write(job).map(drop)
        })?;
        batch.commit().map_err(E::from)
    }
}

impl Log {
    /// `append_batch_at` of a large batch through the pipeline: the jobs are written beyond
    /// the committed size while the next ones are signed, the commit point last.
    fn append_pipelined(
        &self,
        signer: &Signer,
        payloads: Vec<Vec<u8>>,
        at_ms: u64,
    ) -> Result<Vec<Entry>, LogError> {
        let job_len = batch_job_len(payloads.len());
        let mut batch = self.begin_batch_at(signer, at_ms)?;
        let (time, author) = (batch.time, signer.public_key());
        let at = pipeline::Start {
            index: batch.end,
            head: batch.head,
            time,
        };
        let mut entries = Vec::with_capacity(payloads.len());
        pipeline::run(
            signer,
            at,
            job_len,
            std::iter::once(Ok::<_, LogError>(payloads)),
            |job| {
                let job = batch.write(job)?;
                entries.extend(entries_of(job, time, author));
                Ok(())
            },
        )?;
        batch.commit()?;
        Ok(entries)
    }
}

/// Entries per job of a pipelined import ([`Log::append_chunks_at`]): a few jobs per
/// signing thread and input chunk, so that the write of one overlaps the signing of the next.
const IMPORT_JOB: usize = 1024;

/// A pending batch has sled write its buffers out (no fsync) after this many bytes.
const FLUSH_BYTES: usize = 2 << 20;

/// Batches of at least this many entries are appended through the pipeline (written job by
/// job beyond the committed size, the commit point last); smaller ones in one sled batch.
const PIPELINE_MIN: usize = 64;

/// The jobs a pipelined `append_batch` of `n` entries is cut into: about eight, so that the
/// last one's write (the part that cannot overlap signing) is short, but not so small that
/// handing them between threads costs much beside signing them.
fn batch_job_len(n: usize) -> usize {
    n.div_ceil(8).clamp(32, 1024)
}

/// Adds `job`'s entries (signed) to `page`, moving every page that fills into `batch`, and
/// the page left open too if it holds any entry.
fn page_job(page: &mut OpenPage, job: &Job, time: u64, author: &[u8; 32], batch: &mut sled::Batch) {
    for (k, (p, sig)) in job.payloads.iter().zip(&job.sigs).enumerate() {
        let i = job.start + k as u64;
        let head = codec::body_head(i, &job.prev_of(k), time, author, p.len());
        page.push_parts(&head, p, sig);
        if page.is_full() {
            let full = std::mem::replace(page, OpenPage::new(i + 1));
            batch.insert(&entry_key(full.start), full.bytes);
        }
    }
    if page.count > 0 {
        batch.insert(&entry_key(page.start), page.bytes.as_slice());
    }
}

/// The entries of a signed job (its payloads moved into them).
fn entries_of(job: Job, time: u64, author: PublicKey) -> Vec<Entry> {
    let prevs: Vec<Hash> = (0..job.leaves.len()).map(|k| job.prev_of(k)).collect();
    (job.start..)
        .zip(job.payloads)
        .zip(job.sigs)
        .zip(prevs)
        .map(|(((index, payload), signature), prev)| Entry {
            index,
            prev,
            recorded_at_ms: time,
            author,
            payload,
            signature,
        })
        .collect()
}

/// A batch being appended in chunks ([`Log::begin_batch_at`]): each [`PendingBatch::push`]
/// signs a chunk and writes its entry pages and Merkle tiles to storage, beyond the log's
/// committed size; [`PendingBatch::commit`] then writes the commit point (size and head) and
/// makes everything durable. Until then readers see the old size, and dropping the batch
/// (or a crash, at the next [`Log::open`]) discards what it wrote: all or nothing.
pub struct PendingBatch<'a> {
    log: &'a Log,
    w: MutexGuard<'a, Writer>,
    signer: &'a Signer,
    time: u64,
    start: u64,
    end: u64,
    head: Hash,
    tiles: Vec<Vec<Hash>>,
    page: OpenPage,
    /// Whether a chunk reached storage (then a drop without commit must discard it).
    written: bool,
    /// Bytes written since sled last wrote its buffers out.
    unflushed: usize,
    /// Committed, or given up after a failed commit (the handle is poisoned then).
    done: bool,
}

impl std::fmt::Debug for PendingBatch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingBatch")
            .field("start", &self.start)
            .field("end", &self.end)
            .finish()
    }
}

impl PendingBatch<'_> {
    /// The entries pushed so far: `start..end` once committed.
    pub fn range(&self) -> Range<u64> {
        self.start..self.end
    }

    /// Signs `payloads` as the next entries and writes them to storage (not yet committed).
    ///
    /// # Errors
    /// [`LogError::PayloadTooLarge`] (nothing of this chunk is written); storage errors.
    pub fn push(&mut self, payloads: Vec<Vec<u8>>) -> Result<(), LogError> {
        if payloads.is_empty() {
            return Ok(());
        }
        let author = self.signer.public_key();
        let mut job = pipeline::chain(
            0,
            self.end,
            self.head,
            self.time,
            author.as_bytes(),
            payloads,
        )?;
        pipeline::sign_parallel(&mut job, self.signer, self.time, author.as_bytes());
        self.write(job).map(drop)
    }

    /// Writes a signed job (the next entries) to storage, beyond the committed size; returns
    /// the job (its payloads) back.
    fn write(&mut self, job: Job) -> Result<Job, LogError> {
        if job.start != self.end || job.prev != self.head {
            return Err(LogError::Storage(format!(
                "a job starts at {} but the batch is at {}",
                job.start, self.end
            )));
        }
        let mut batch = sled::Batch::default();
        if !self.written {
            batch.insert(META_PENDING, &self.start.to_be_bytes());
        }
        let author = self.signer.public_key();
        page_job(
            &mut self.page,
            &job,
            self.time,
            author.as_bytes(),
            &mut batch,
        );
        for (key, bytes) in push_leaves(&mut self.tiles, job.start, &job.leaves) {
            batch.insert(&key, bytes);
        }
        // From here storage may hold part of this batch: a drop must discard it.
        self.written = true;
        self.log.db.apply_batch(batch).map_err(storage)?;
        // Write what was written out every few MiB (without fsync: the commit makes
        // everything durable) so that sled's dirty pages stay bounded; a flush per small job
        // would cost more than it saves the commit.
        self.unflushed += job
            .payloads
            .iter()
            .map(|p| p.len() + ENTRY_OVERHEAD)
            .sum::<usize>();
        if self.unflushed >= FLUSH_BYTES {
            self.log.db.flush().map_err(storage)?;
            self.unflushed = 0;
        }
        self.end = job.end();
        self.head = job.last_leaf();
        Ok(job)
    }

    /// Writes the commit point and makes the batch durable; returns the entries' range.
    ///
    /// # Errors
    /// Storage and I/O errors (after which the log refuses further writes: reopen it).
    pub fn commit(mut self) -> Result<Range<u64>, LogError> {
        if !self.written {
            self.done = true;
            return Ok(self.start..self.start);
        }
        let mut batch = sled::Batch::default();
        batch.insert(META_SIZE, &self.end.to_be_bytes());
        batch.insert(META_HEAD, &self.head.0);
        batch.remove(META_PENDING);
        self.done = true;
        let log = self.log;
        if let Err(e) = log
            .db
            .apply_batch(batch)
            .map_err(storage)
            .and_then(|()| log.make_durable(&mut self.w))
        {
            self.w.poisoned = Some(e.to_string());
            return Err(e);
        }
        let (end, head) = (self.end, self.head);
        self.w.size = end;
        self.w.head = head;
        self.w.last_time = self.time;
        self.w.tiles = std::mem::take(&mut self.tiles);
        self.w.page = std::mem::take(&mut self.page);
        *log.committed.write().unwrap_or_else(|p| p.into_inner()) = Committed {
            size: end,
            head: Some(head),
        };
        Ok(self.start..end)
    }
}

impl Drop for PendingBatch<'_> {
    fn drop(&mut self) {
        if self.done || !self.written {
            return;
        }
        let size = self.w.size;
        if let Err(e) = discard_beyond(&self.log.db, size)
            .and_then(|()| self.log.db.flush().map(|_| ()).map_err(storage))
        {
            self.w.poisoned = Some(format!("discarding an unfinished batch: {e}"));
        }
    }
}

/// Removes from storage everything an unfinished batch wrote beyond the committed `size`:
/// entry pages starting at or after it, the records past it in the page holding entry
/// `size - 1`, Merkle tiles (or their hashes) of nodes not below it, and the pending mark.
/// Stored hashes of complete subtrees never change, so truncating restores exactly the
/// committed state.
fn discard_beyond(db: &sled::Db, size: u64) -> Result<(), LogError> {
    let mut batch = sled::Batch::default();
    for r in db.range(entry_key(size)..=entry_key(u64::MAX)) {
        let (k, _) = r.map_err(storage)?;
        batch.remove(k);
    }
    if size > 0 {
        if let Some((first, v)) = pages::page_of(db, size - 1)? {
            let recs = pages::records(&v)?;
            let keep = usize::try_from(size - first)
                .map_err(|_| LogError::Damaged("bad entry page".into()))?;
            if let Some(&(off, _)) = recs.get(keep) {
                // Each record is a 4-byte length then the entry.
                batch.insert(&entry_key(first), &v[..off - 4]);
            }
        }
    }
    let mut level = 0u8;
    while u32::from(level) * TILE_HEIGHT < 64 {
        let nodes = size >> (TILE_HEIGHT * u32::from(level));
        let idx = nodes / TILE_WIDTH as u64;
        let count = (nodes % TILE_WIDTH as u64) as usize;
        for r in db.range(tile_key(level, idx)..=tile_key(level, u64::MAX)) {
            let (k, v) = r.map_err(storage)?;
            let i = k
                .get(2..10)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| LogError::Damaged("bad tile key".into()))?;
            if i > idx || count == 0 {
                batch.remove(k);
            } else if v.len() > count * 32 {
                batch.insert(k, &v[..count * 32]);
            }
        }
        level += 1;
    }
    batch.remove(META_PENDING);
    db.apply_batch(batch).map_err(storage)
}
