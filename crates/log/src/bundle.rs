//! The portable bundle: one file with a header (origin, entry count, signed checkpoint with
//! cosignatures) followed by the entries; its writers and the report types of its verifier
//! (in `verify.rs`).
//!
//! Layout (see `docs/FORMAT.md`): magic `SCRUTLOG`, version (u16 BE), header length (u32 BE),
//! header (bincode), then `entries` times: entry length (u32 BE), canonical entry bytes.
//! Nothing may follow the last entry.

use crate::checkpoint::{Checkpoint, SignedCheckpoint};
use crate::codec::{self, BundleHeader};
use crate::entry::Entry;
use crate::error::LogError;
use crate::hash::Hash;
use crate::store::Log;
use crate::verify::{Check, Verdict};
use sha2::{Digest, Sha256};
use std::io::{self, BufWriter, Write};

/// The eight bytes every bundle starts with.
pub const BUNDLE_MAGIC: [u8; 8] = *b"SCRUTLOG";
/// The bundle format version this library writes and reads.
pub const BUNDLE_VERSION: u16 = 1;

/// A caller's per-entry rule check for [`verify_bundle_with`](crate::verify_bundle_with):
/// `Err(reason)` rejects the entry (check 7, "entry rules").
pub type EntryCheck<'a> = &'a mut dyn FnMut(&Entry) -> Result<(), String>;

/// What [`Log::export`] wrote.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BundleSummary {
    /// Number of entries written (the checkpoint's size).
    pub entries: u64,
    /// The checkpoint in the header.
    pub checkpoint: Checkpoint,
    /// SHA-256 of the whole file.
    pub digest: Hash,
    /// Length of the file in bytes.
    pub bytes: u64,
}

/// The full result of [`verify_bundle`](crate::verify_bundle).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BundleReport {
    /// Valid, or the first failure with its check, entry and reason.
    pub verdict: Verdict,
    /// Every check, in number order (1 to 6, and 7 with a caller's entry check).
    pub checks: Vec<Check>,
    /// The origin named in the header (empty if the header is unreadable).
    pub origin: String,
    /// Entries that passed every per-entry check.
    pub entries: u64,
    /// The checkpoint from the header, if it parsed.
    pub checkpoint: Option<SignedCheckpoint>,
    /// Hash of the last entry that passed every per-entry check.
    pub head: Option<Hash>,
    /// The Merkle root of the entries, equal to the checkpoint's (only when valid).
    pub root: Option<Hash>,
    /// SHA-256 of the whole input.
    pub digest: Hash,
    /// Entries decoded and checked in this run: all of them, or with
    /// [`verify_bundle_resuming`](crate::verify_bundle_resuming) only those after the
    /// prefix verified before.
    pub decoded: u64,
    /// Where the entries end, to continue from next time (only when valid, and asked for:
    /// [`verify_bundle_resuming`](crate::verify_bundle_resuming)).
    pub prefix: Option<crate::VerifiedPrefix>,
}

impl BundleReport {
    /// Whether every check passed.
    pub fn is_valid(&self) -> bool {
        self.verdict.is_valid()
    }
}

struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Log {
    /// Writes a bundle of entries `0..cp.size` with `cp` (and its cosignatures) in the header.
    ///
    /// # Errors
    /// [`LogError::CheckpointMismatch`] if `cp` does not describe this log; storage and I/O
    /// errors.
    pub fn export(
        &self,
        cp: &SignedCheckpoint,
        out: impl Write,
    ) -> Result<BundleSummary, LogError> {
        self.export_with_progress(cp, out, &mut |_| {})
    }

    /// [`Log::export`], calling `progress(entries_written)` every 1024 entries and at the end
    /// (the total is `cp.checkpoint.size`).
    ///
    /// # Errors
    /// As [`Log::export`].
    pub fn export_with_progress(
        &self,
        cp: &SignedCheckpoint,
        out: impl Write,
        progress: &mut dyn FnMut(u64),
    ) -> Result<BundleSummary, LogError> {
        self.check_checkpoint(&cp.checkpoint)?;
        let mut w = BundleWriter::begin(cp, out)?;
        for r in self.raw_entries(0..cp.checkpoint.size) {
            let (_, bytes) = r?;
            w.put(&bytes)?;
            if w.entries.is_multiple_of(1024) {
                progress(w.entries);
            }
        }
        progress(w.entries);
        w.finish(cp)
    }
}

/// Writes a bundle from any source of entries (tools, tests, other stores): `cp`'s header
/// followed by `entries` as given. The entries are not checked — that is what
/// [`verify_bundle`](crate::verify_bundle) is for — but their number must equal the checkpoint's size.
///
/// # Errors
/// [`LogError::Usage`] if the number of entries differs from `cp.checkpoint.size`; I/O errors.
pub fn write_bundle(
    cp: &SignedCheckpoint,
    entries: impl IntoIterator<Item = Entry>,
    out: impl Write,
) -> Result<BundleSummary, LogError> {
    let mut w = BundleWriter::begin(cp, out)?;
    for e in entries {
        w.put(&e.encode())?;
    }
    if w.entries != cp.checkpoint.size {
        return Err(LogError::Usage(format!(
            "{} entries given for a checkpoint of size {}",
            w.entries, cp.checkpoint.size
        )));
    }
    w.finish(cp)
}

/// The bytes a bundle of `cp` starts with: magic, version, header length and header (origin,
/// entry count, checkpoint note). Followed by `cp.checkpoint.size` times an entry length
/// (u32 BE) and the canonical entry bytes, they make a bundle: this lets a reader that gets
/// entries from elsewhere (C2SP tlog-tiles entry bundles) stream them to the verifier.
///
/// # Errors
/// A [`LogError`] if the header does not encode (too large).
pub fn bundle_header(cp: &SignedCheckpoint) -> Result<Vec<u8>, LogError> {
    let mut out = Vec::new();
    {
        let w = BundleWriter::begin(cp, &mut out)?;
        let mut inner = w.w.inner;
        inner.flush()?;
    }
    Ok(out)
}

struct BundleWriter<W: Write> {
    w: HashingWriter<BufWriter<W>>,
    entries: u64,
}

impl<W: Write> BundleWriter<W> {
    fn begin(cp: &SignedCheckpoint, out: W) -> Result<Self, LogError> {
        let header = codec::encode_header(&BundleHeader {
            origin: cp.checkpoint.origin.clone(),
            entries: cp.checkpoint.size,
            checkpoint_note: cp.to_note_text(),
        })?;
        let mut w = HashingWriter {
            inner: BufWriter::with_capacity(1 << 16, out),
            hasher: Sha256::new(),
            bytes: 0,
        };
        w.write_all(&BUNDLE_MAGIC)?;
        w.write_all(&BUNDLE_VERSION.to_be_bytes())?;
        // encode_header bounds the header to MAX_HEADER_BYTES, so it fits a u32.
        w.write_all(&(header.len() as u32).to_be_bytes())?;
        w.write_all(&header)?;
        Ok(BundleWriter { w, entries: 0 })
    }

    fn put(&mut self, entry_bytes: &[u8]) -> Result<(), LogError> {
        let len = u32::try_from(entry_bytes.len())
            .map_err(|_| LogError::Usage("entry too large for a bundle".into()))?;
        self.w.write_all(&len.to_be_bytes())?;
        self.w.write_all(entry_bytes)?;
        self.entries += 1;
        Ok(())
    }

    fn finish(mut self, cp: &SignedCheckpoint) -> Result<BundleSummary, LogError> {
        self.w.flush()?;
        Ok(BundleSummary {
            entries: self.entries,
            checkpoint: cp.checkpoint.clone(),
            digest: Hash(self.w.hasher.finalize().into()),
            bytes: self.w.bytes,
        })
    }
}
