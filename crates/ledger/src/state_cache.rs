//! The registrar's cache of the folded meeting state, so that reopening a large ledger reads
//! one snapshot instead of replaying every event (docs/ARCHITECTURE.md, "Reopening").
//!
//! `DIR/meeting.state` holds: [`MAGIC`] (16 bytes), the number of events folded (u64
//! big-endian), the RFC 6962 Merkle root of the log's first that-many entries (32 bytes), the
//! SHA-256 of the snapshot (32 bytes), then the snapshot of `scrutin_tally::Meeting`
//! (`Meeting::to_snapshot`). It is written atomically and durably after an import or a close
//! that grew the log enough ([`SAVE_AFTER`]).
//!
//! It is a cache, never evidence: the ledger uses it only when its root is the root of the
//! log it sits beside (so it folds exactly those entries) and its digest and layout check
//! out; anything else (missing, damaged, another layout, another log, a log rolled back) is
//! ignored and the ledger replays every event, as without it. Verification (`verify_bundle`,
//! receipts) never reads it: a bundle is always replayed from its own entries.

use std::path::{Path, PathBuf};

use scrutin_log::{Hash, Log};
use scrutin_tally::Meeting;
use sha2::{Digest, Sha256};

use crate::{write_atomic, LedgerError};

/// The 16 bytes the file starts with.
pub const MAGIC: [u8; 16] = *b"scrutin-ledger1\n";

/// The file's name in the ledger directory.
pub const FILE_NAME: &str = "meeting.state";

/// The cache is rewritten once the log has grown by this many events since it was taken (or
/// by a tenth of its size, whichever is more): writing it costs about as much as replaying a
/// tenth of the log, so a smaller step would cost more than it saves.
pub const SAVE_AFTER: u64 = 10_000;

const HEADER: usize = 16 + 8 + 32 + 32;

/// Where the cache of the ledger in `dir` lives.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// The meeting folded over the log's first `size` entries, from `dir`'s cache, when the cache
/// is there, intact, of this build's layout and of this log. `None` otherwise (the caller
/// replays from the start).
pub(crate) fn load(dir: &Path, log: &Log) -> Option<(u64, Meeting)> {
    let bytes = std::fs::read(path(dir)).ok()?;
    let (head, snapshot) = bytes.split_at_checked(HEADER)?;
    let (magic, rest) = head.split_first_chunk::<16>()?;
    if *magic != MAGIC {
        return None;
    }
    let (size, rest) = rest.split_first_chunk::<8>()?;
    let (root, digest) = rest.split_first_chunk::<32>()?;
    let size = u64::from_be_bytes(*size);
    if size == 0 || size > log.len() || log.root(size).ok()? != Hash(*root) {
        return None;
    }
    if Sha256::digest(snapshot).as_slice() != digest {
        return None;
    }
    let meeting = Meeting::from_snapshot(snapshot).ok()?;
    // A snapshot says how many events it folded: it must be the size it claims to cover.
    (meeting.events() == size).then_some((size, meeting))
}

/// Writes the cache of `meeting`, folded over the log's first `size` entries, atomically and
/// durably.
///
/// # Errors
/// Log errors reading the root; I/O errors writing the file.
pub(crate) fn save(dir: &Path, log: &Log, size: u64, meeting: &Meeting) -> Result<(), LedgerError> {
    let snapshot = meeting
        .to_snapshot()
        .map_err(|e| LedgerError::Malformed(e.to_string()))?;
    let root = log.root(size)?;
    let mut out = Vec::with_capacity(HEADER + snapshot.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&size.to_be_bytes());
    out.extend_from_slice(&root.0);
    out.extend_from_slice(&Sha256::digest(&snapshot));
    out.extend_from_slice(&snapshot);
    write_atomic(&path(dir), &out)
}

/// Whether a cache taken at `cached` should be rewritten now that the log holds `len` events.
pub(crate) fn due(cached: u64, len: u64) -> bool {
    len.saturating_sub(cached) >= SAVE_AFTER.max(len / 10)
}
