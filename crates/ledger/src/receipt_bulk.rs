//! Receipts in bulk: every holder's receipt written in one pass, and many receipts verified
//! against the same checkpoint with its signatures (and the shared entries') checked once.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use scrutin_log::{Entry, EntryDecoder, Hash, NoteVerifier, Pin, SignedCheckpoint};
use scrutin_model::{Event, HolderId};

use crate::atomic::{sync_dir, temporary_beside};
use crate::receipt_index::{self, indexed_holders, receipt_with, shared_parts};
use crate::receipt_verify::{parse_tally, verify_receipt_cached, ParsedTally};
use crate::{Ledger, LedgerError, ReceiptEntry, ReceiptReport, ReceiptVerdict, VoteReceipt};

/// What [`Ledger::receipts_all`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptsWritten {
    /// Receipt files written (one per holder with a ballot before the declaration).
    pub written: u64,
    /// Holders with an entry (a proxy appointment) but no ballot: no receipt for them.
    pub without_ballot: u64,
}

/// The file name of `holder`'s receipt in a directory of receipts: injective (two holders
/// never share a name) and safe (no separator, no `.` or `..`, no hidden file, no control
/// character, at most 255 bytes).
///
/// ASCII letters, digits, `-` and `_` are kept; every other byte of the id (`.` included, and
/// `%` itself) is written `%XX` (upper-case hex); the name ends in `.json`. A name that would
/// pass 200 bytes keeps its first 150 and ends `~` + the SHA-256 of the id (hex), `~` being
/// otherwise always escaped. Names differing only by the case of a letter stay distinct on a
/// case-sensitive file system only.
pub fn receipt_file_name(holder: &HolderId) -> String {
    let mut name = String::with_capacity(holder.as_str().len() + 5);
    for b in holder.as_str().bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            name.push(char::from(b));
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    if name.len() > 200 {
        use sha2::{Digest, Sha256};
        // The escaped text is ASCII: any byte offset is a character boundary.
        name.truncate(150);
        name.push('~');
        name.push_str(&hex::encode(Sha256::digest(holder.as_str().as_bytes())));
    }
    name.push_str(".json");
    name
}

/// Receipts per group: written, fsynced, renamed, then the directory fsynced once.
const GROUP: usize = 256;

fn io(path: &Path, e: impl std::fmt::Display) -> LedgerError {
    LedgerError::Io(format!("{}: {e}", path.display()))
}

/// Writes each `(path, bytes)` atomically: all to temporary files, each fsynced, then each
/// renamed over its path, then the directory fsynced (once for the group).
fn write_group(dir: &Path, files: Vec<(PathBuf, String)>) -> Result<(), LedgerError> {
    let mut renames = Vec::with_capacity(files.len());
    let result = (|| {
        for (path, text) in files {
            let tmp = temporary_beside(&path, "partial");
            renames.push((tmp.clone(), path));
            let mut f = File::options()
                .write(true)
                .create_new(true)
                .open(&tmp)
                .map_err(|e| io(&tmp, e))?;
            f.write_all(text.as_bytes()).map_err(|e| io(&tmp, e))?;
            f.sync_all().map_err(|e| io(&tmp, e))?;
        }
        for (tmp, path) in &renames {
            std::fs::rename(tmp, path).map_err(|e| io(path, e))?;
        }
        Ok(())
    })();
    if result.is_err() {
        for (tmp, _) in &renames {
            let _ = std::fs::remove_file(tmp);
        }
        return result;
    }
    sync_dir(dir)
}

impl Ledger {
    /// Writes every holder's receipt into `outdir` (created if missing) in one pass, one file
    /// per holder named by [`receipt_file_name`], each written atomically and durably before
    /// the count is returned. The parts every receipt shares (checkpoint, genesis, grant,
    /// poll entries, declaration, tally) are built once; each receipt then reads its holder's
    /// entries through the receipt index and proves them (O(log n) each). Each file holds
    /// exactly the bytes [`Ledger::receipt`] gives for that holder. `progress(done, total)` is
    /// called as holders are done.
    ///
    /// # Errors
    /// As [`Ledger::receipt`]; [`LedgerError::NotFound`] also when the log does not end with
    /// its declaration (a ledger of the earlier format: write receipts one by one);
    /// [`LedgerError::Io`] naming a file.
    pub fn receipts_all(
        &self,
        outdir: &Path,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ReceiptsWritten, LedgerError> {
        let latest = self.latest_checkpoint()?.ok_or(LedgerError::NoCheckpoint)?;
        let log = self.log();
        if receipt_index::indexed_size(log)? != Some(log.len()) {
            let _writer = self.lock_writer();
            receipt_index::catch_up(log)?;
        }
        let state = self.read_state();
        let shared = shared_parts(log, &state, latest.checkpoint.size)?.ok_or_else(|| {
            LedgerError::NotFound(
                "the log does not end with its result declaration: write receipts one holder \
                 at a time"
                    .into(),
            )
        })?;
        let holders = indexed_holders(log).collect::<Result<Vec<HolderId>, _>>()?;
        std::fs::create_dir_all(outdir).map_err(|e| io(outdir, e))?;
        let total = holders.len() as u64;
        progress(0, total);
        let groups: Vec<&[HolderId]> = holders.chunks(GROUP).collect();
        let next = AtomicUsize::new(0);
        let done = AtomicU64::new(0);
        let written = AtomicU64::new(0);
        let without = AtomicU64::new(0);
        let stop = AtomicBool::new(false);
        let failure: Mutex<Option<LedgerError>> = Mutex::new(None);
        // One group: false when there is none left (or a worker failed). Each worker has its
        // own prover, whose remembered tiles and subtree hashes serve all its groups.
        let step = |prover: &mut scrutin_log::InclusionProver<'_>| -> bool {
            if stop.load(Ordering::Relaxed) {
                return false;
            }
            let Some(group) = groups.get(next.fetch_add(1, Ordering::Relaxed)) else {
                return false;
            };
            let outcome = (|| {
                let mut files = Vec::with_capacity(group.len());
                for holder in *group {
                    match receipt_with(log, prover, &state, &shared, holder) {
                        Ok(r) => files.push((outdir.join(receipt_file_name(holder)), r.to_json())),
                        Err(LedgerError::NotFound(_)) => {
                            without.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => return Err(e),
                    }
                }
                let n = files.len() as u64;
                write_group(outdir, files)?;
                written.fetch_add(n, Ordering::Relaxed);
                Ok(())
            })();
            if let Err(e) = outcome {
                stop.store(true, Ordering::Relaxed);
                failure
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get_or_insert(e);
                return false;
            }
            done.fetch_add(group.len() as u64, Ordering::Relaxed);
            true
        };
        // Writing is mostly waiting for fsync: more writers than cores let the file system
        // commit many files' fsyncs together.
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .saturating_mul(4)
            .clamp(4, 16);
        let size = shared.size();
        std::thread::scope(|s| -> Result<(), LedgerError> {
            let step = &step;
            let handles: Vec<_> = (1..workers)
                .map(|_| {
                    s.spawn(move || -> Result<(), LedgerError> {
                        let mut prover = log.inclusion_prover(size)?;
                        while step(&mut prover) {}
                        Ok(())
                    })
                })
                .collect();
            // This thread works too, reporting progress between its groups.
            let mut prover = log.inclusion_prover(size)?;
            while step(&mut prover) {
                progress(done.load(Ordering::Relaxed), total);
            }
            for h in handles {
                // A worker that panicked may have left its group unwritten: not a success.
                h.join().map_err(|_| {
                    LedgerError::Io("a receipt writer stopped unexpectedly".into())
                })??;
            }
            Ok(())
        })?;
        if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(e);
        }
        progress(total, total);
        Ok(ReceiptsWritten {
            written: written.into_inner(),
            without_ballot: without.into_inner(),
        })
    }
}

/// The verified parts of a checkpoint note, as a receipt check needs them.
#[derive(Debug, Clone)]
pub(crate) struct CheckpointSeen {
    pub(crate) checkpoint: SignedCheckpoint,
    pub(crate) signed_by: Vec<String>,
    pub(crate) cosigned_by: Vec<String>,
    pub(crate) silent: Vec<String>,
}

/// What a [`ReceiptVerifier`] remembers: checkpoint notes checked (by exact text), the
/// shared entries' bytes whose signature verified, the last tally text parsed, and, for the
/// batch being verified, every entry's bytes whose signature the batch check verified.
#[derive(Debug, Default, Clone)]
pub(crate) struct VerifyCache {
    pub(crate) checkpoints: HashMap<String, Result<CheckpointSeen, String>>,
    pub(crate) entries: HashSet<Vec<u8>>,
    /// Entry bytes verified by the current [`ReceiptVerifier::verify_all`] batch; emptied
    /// after it.
    pub(crate) batch: std::sync::Arc<HashSet<Vec<u8>>>,
    tally: Option<(String, ParsedTally)>,
    pins: HashMap<String, Result<String, String>>,
    /// Entry decoding with each author key checked once.
    pub(crate) decoder: EntryDecoder,
    /// Shared entries whose bytes, signature, inclusion proof and payload checked, by their
    /// base64 text: the proof (hex, as carried), the tree size and root it was checked
    /// against, and what the bytes hold.
    proved: HashMap<String, Vec<Proved>>,
    proved_count: usize,
}

/// A shared receipt entry checked: see [`VerifyCache::proved`].
#[derive(Debug, Clone)]
struct Proved {
    proof: Vec<String>,
    size: u64,
    root: Hash,
    entry: Entry,
    event: Event,
    json: serde_json::Value,
}

/// Most checkpoint notes or shared entries remembered: a stream of receipts of many
/// checkpoints (or hostile ones) cannot grow the cache without bound.
const CACHE_MAX: usize = 4_096;

impl VerifyCache {
    /// Remembers that the signature of exactly these entry bytes verified.
    pub(crate) fn remember(&mut self, bytes: Vec<u8>) {
        if self.entries.len() >= CACHE_MAX {
            self.entries.clear();
        }
        self.entries.insert(bytes);
    }

    /// What `e` holds, if exactly its entry text and proof were checked against a tree of
    /// `size` entries with `root` (see [`VerifyCache::remember_proved`]).
    pub(crate) fn proved(
        &self,
        e: &ReceiptEntry,
        size: u64,
        root: &Hash,
    ) -> Option<(Entry, Event, &serde_json::Value)> {
        self.proved
            .get(e.entry.as_str())?
            .iter()
            .find(|p| p.size == size && p.root == *root && p.proof == e.proof)
            .map(|p| (p.entry.clone(), p.event.clone(), &p.json))
    }

    /// Remembers that `e`'s bytes decoded to `entry` and `event` (whose JSON is `json`), that
    /// its signature verified and that its proof showed it in the tree of `size` entries with
    /// `root`.
    pub(crate) fn remember_proved(
        &mut self,
        e: &ReceiptEntry,
        size: u64,
        root: &Hash,
        entry: &Entry,
        event: &Event,
        json: &serde_json::Value,
    ) {
        if self.proved_count >= CACHE_MAX {
            self.proved.clear();
            self.proved_count = 0;
        }
        self.proved_count += 1;
        self.proved
            .entry(e.entry.clone())
            .or_default()
            .push(Proved {
                proof: e.proof.clone(),
                size,
                root: *root,
                entry: entry.clone(),
                event: event.clone(),
                json: json.clone(),
            });
    }

    /// The checkpoint note's checks, done once per exact note text.
    pub(crate) fn checkpoint(
        &mut self,
        note: &str,
        check: impl FnOnce() -> Result<CheckpointSeen, String>,
    ) -> Result<CheckpointSeen, String> {
        if let Some(seen) = self.checkpoints.get(note) {
            return seen.clone();
        }
        if self.checkpoints.len() >= CACHE_MAX {
            self.checkpoints.clear();
        }
        let seen = check();
        self.checkpoints.insert(note.to_owned(), seen.clone());
        seen
    }

    /// The tally text's digest and parse, done once while the same exact text repeats.
    pub(crate) fn tally(&mut self, text: &str) -> ParsedTally {
        match &self.tally {
            Some((t, parsed)) if t == text => parsed.clone(),
            _ => {
                let parsed = parse_tally(text);
                self.tally = Some((text.to_owned(), parsed.clone()));
                parsed
            }
        }
    }
}

/// Every entry of `receipt`, as carried.
fn receipt_entries(receipt: &VoteReceipt) -> impl Iterator<Item = &ReceiptEntry> + '_ {
    [&receipt.genesis, &receipt.declaration]
        .into_iter()
        .chain(&receipt.scrutineer_grant)
        .chain(&receipt.polls)
        .chain(&receipt.context)
        .chain(&receipt.entries)
}

/// Verifies many receipts against the same trusted keys and pin, checking each distinct
/// checkpoint note's signatures once and each shared entry's signature (genesis, scrutineer
/// grant, poll entries, declaration) once. Each receipt's own entries (its ballots and
/// proxy appointments) always have their signatures checked, and every inclusion proof and
/// every other check of [`verify_receipt`](crate::verify_receipt) runs for every receipt:
/// the report is exactly that of [`verify_receipt_pinned`](crate::verify_receipt_pinned).
///
/// A cached check is keyed by the exact note text or entry bytes, so an altered copy is
/// checked afresh.
#[derive(Debug)]
pub struct ReceiptVerifier {
    trust: Vec<NoteVerifier>,
    pin: Pin,
    cache: VerifyCache,
}

impl ReceiptVerifier {
    /// A verifier trusting `trust` and requiring `pin` (an empty pin requires nothing more).
    ///
    /// # Errors
    /// [`LedgerError::Usage`] when `trust` is empty.
    pub fn new(trust: Vec<NoteVerifier>, pin: Pin) -> Result<ReceiptVerifier, LedgerError> {
        if trust.is_empty() {
            return Err(LedgerError::Usage(
                "at least one trusted key is needed to verify a receipt".into(),
            ));
        }
        Ok(ReceiptVerifier {
            trust,
            pin,
            cache: VerifyCache::default(),
        })
    }

    /// Verifies many receipts and gives their reports in the same order, each exactly what
    /// [`ReceiptVerifier::verify`] (and so [`verify_receipt_pinned`](crate::verify_receipt_pinned))
    /// gives for it alone.
    ///
    /// The entry signatures of all the receipts that are not already known good (each
    /// distinct entry once) are checked together, in ed25519 batches on all cores under the
    /// entry-signature rule (`docs/FORMAT.md`, "Signature verification in batches"); a failing
    /// batch is re-checked one signature at a time, so a forged entry fails only the receipts
    /// that carry it, each with the report it would have alone. Every other check (the
    /// checkpoint's, once per exact note text; every inclusion proof; the event copies, the
    /// tally, the statuses) runs as in [`ReceiptVerifier::verify`].
    ///
    /// # Errors
    /// As [`verify_receipt`](crate::verify_receipt).
    pub fn verify_all(
        &mut self,
        receipts: &[VoteReceipt],
    ) -> Result<Vec<ReceiptReport>, LedgerError> {
        // Each distinct entry once: shared entries (and an entry two receipts both carry)
        // are checked once.
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        let mut pending: Vec<(Vec<u8>, Entry)> = Vec::new();
        for receipt in receipts {
            for e in receipt_entries(receipt) {
                // Those that do not decode are left to the checks, which report them.
                let Ok(bytes) = B64.decode(e.entry.as_bytes()) else {
                    continue;
                };
                if self.cache.entries.contains(&bytes) || seen.contains(&bytes) {
                    continue;
                }
                let Ok(entry) = self.cache.decoder.decode(&bytes) else {
                    continue;
                };
                seen.insert(bytes.clone());
                pending.push((bytes, entry));
            }
        }
        drop(seen);
        let refs: Vec<&Entry> = pending.iter().map(|(_, e)| e).collect();
        let bad = Entry::invalid_signatures(&refs);
        drop(refs);
        let mut bad = bad.into_iter().peekable();
        self.cache.batch = std::sync::Arc::new(
            pending
                .into_iter()
                .enumerate()
                .filter_map(|(i, (bytes, _))| {
                    if bad.peek() == Some(&i) {
                        bad.next();
                        None
                    } else {
                        Some(bytes)
                    }
                })
                .collect(),
        );
        let reports = self.verify_each(receipts);
        self.cache.batch = std::sync::Arc::default();
        reports
    }

    /// [`ReceiptVerifier::verify`] of each receipt, in order, on all cores: the first here
    /// (which leaves its checkpoint and shared entries in this verifier's cache), the others
    /// in contiguous parts, each part by a copy of this verifier.
    fn verify_each(&mut self, receipts: &[VoteReceipt]) -> Result<Vec<ReceiptReport>, LedgerError> {
        let Some((first, rest)) = receipts.split_first() else {
            return Ok(Vec::new());
        };
        let mut reports = vec![self.verify(first)?];
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        if threads == 1 || rest.len() < 64 {
            for r in rest {
                reports.push(self.verify(r)?);
            }
            return Ok(reports);
        }
        let part = rest.len().div_ceil(threads);
        let parts: Vec<Result<Vec<ReceiptReport>, LedgerError>> = std::thread::scope(|s| {
            let handles: Vec<_> = rest
                .chunks(part)
                .map(|chunk| {
                    let mut v = ReceiptVerifier {
                        trust: self.trust.clone(),
                        pin: self.pin.clone(),
                        cache: self.cache.clone(),
                    };
                    s.spawn(move || chunk.iter().map(|r| v.verify(r)).collect())
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(LedgerError::Io(
                            "a receipt verifier stopped unexpectedly".into(),
                        ))
                    })
                })
                .collect()
        });
        for p in parts {
            reports.extend(p?);
        }
        Ok(reports)
    }

    /// Verifies one receipt (see the type's documentation).
    ///
    /// # Errors
    /// As [`verify_receipt`](crate::verify_receipt).
    pub fn verify(&mut self, receipt: &VoteReceipt) -> Result<ReceiptReport, LedgerError> {
        let mut report = verify_receipt_cached(receipt, &self.trust, Some(&mut self.cache))?;
        if self.pin.is_empty() || !report.is_valid() {
            return Ok(report);
        }
        let (trust, pin) = (&self.trust, &self.pin);
        let pins = &mut self.cache.pins;
        if pins.len() >= CACHE_MAX && !pins.contains_key(&receipt.checkpoint) {
            pins.clear();
        }
        let checked = pins
            .entry(receipt.checkpoint.clone())
            .or_insert_with(|| {
                SignedCheckpoint::parse_note(&receipt.checkpoint)
                    .map_err(|e| format!("checkpoint: {e}"))
                    .and_then(|cp| pin.check(&cp, trust))
            })
            .clone();
        match checked {
            Ok(done) => report.lines.push(format!("pinning: {done}")),
            Err(reason) => {
                let reason = format!("pinning: {reason}");
                report.lines.push(format!("FAILED: {reason}"));
                report.verdict = ReceiptVerdict::Invalid { reason };
            }
        }
        Ok(report)
    }
}
