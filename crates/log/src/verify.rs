//! The streaming bundle verifier: reads a bundle in one pass, holding at most one chunk of
//! entries, verifying signatures on all cores; needs no sled.

use crate::bundle::{
    BundleReport, CheckResult, CheckStatus, EntryCheck, Verdict, BUNDLE_MAGIC, BUNDLE_VERSION,
    CHECK_NAMES,
};
use crate::checkpoint::SignedCheckpoint;
use crate::codec::{self, BundleHeader, MAX_ENTRY_BYTES, MAX_HEADER_BYTES};
use crate::entry::Entry;
use crate::error::LogError;
use crate::hash::{leaf_hash, Hash};
use crate::keys::{NoteVerifier, PublicKey};
use crate::merkle::Frontier;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{self, BufReader, Read};

/// Entries verified per parallel chunk, and the payload bytes a chunk may hold.
const CHUNK_ENTRIES: usize = 512;
const CHUNK_BYTES: usize = 8 << 20;

struct HashingReader<R: Read> {
    inner: BufReader<R>,
    hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Reads exactly `buf.len()` bytes: `Ok(false)` at a clean or partial end of input.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> Result<bool, LogError> {
    match r.read_exact(buf) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Verifies a bundle against `trusted` keys (the log's key and the witnesses'), streaming.
///
/// Returns `Ok` with a report whose verdict is valid or broken (a tampered or damaged bundle
/// is a verdict, not an error). In a bundle every signature line of the checkpoint must come
/// from a trusted key: a line by an unknown key breaks check 5 or 6, since a bundle is closed
/// evidence and must contain nothing unaccounted for.
///
/// # Errors
/// [`LogError::NotABundle`] if the input does not start with the magic (including an empty
/// input), [`LogError::UnsupportedVersion`], [`LogError::Usage`] if `trusted` is empty,
/// [`LogError::Io`] if reading fails.
pub fn verify_bundle(
    reader: impl Read,
    trusted: &[NoteVerifier],
) -> Result<BundleReport, LogError> {
    verify_bundle_with_progress(reader, trusted, None, &mut |_, _| {})
}

/// [`verify_bundle`], also calling `on_entry` for each entry, in order, once its format,
/// chain and signature checks passed. An `Err(reason)` from it breaks the bundle at that
/// entry (check 7, "entry rules") and stops verification.
///
/// # Errors
/// As [`verify_bundle`].
pub fn verify_bundle_with(
    reader: impl Read,
    trusted: &[NoteVerifier],
    on_entry: &mut dyn FnMut(&Entry) -> Result<(), String>,
) -> Result<BundleReport, LogError> {
    verify_bundle_with_progress(reader, trusted, Some(on_entry), &mut |_, _| {})
}

/// The general form: optional entry callback, and `progress(entries_done, total)` called
/// after every verified chunk (total is the header's entry count; the first call, with 0,
/// comes once the header is read — drive a progress bar with it).
///
/// # Errors
/// As [`verify_bundle`].
pub fn verify_bundle_with_progress(
    reader: impl Read,
    trusted: &[NoteVerifier],
    on_entry: Option<EntryCheck<'_>>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<BundleReport, LogError> {
    if trusted.is_empty() {
        return Err(LogError::Usage("no trusted keys given".into()));
    }
    let mut r = HashingReader {
        inner: BufReader::with_capacity(1 << 16, reader),
        hasher: Sha256::new(),
    };
    let mut magic = [0u8; 8];
    if !read_full(&mut r, &mut magic)? || magic != BUNDLE_MAGIC {
        return Err(LogError::NotABundle(
            "the input does not start with SCRUTLOG".into(),
        ));
    }
    let mut v = [0u8; 2];
    if !read_full(&mut r, &mut v)? {
        return Err(LogError::NotABundle("truncated before the version".into()));
    }
    let version = u16::from_be_bytes(v);
    if version != BUNDLE_VERSION {
        return Err(LogError::UnsupportedVersion(version));
    }
    let mut v = Verifier::new(trusted, on_entry.is_some());
    match read_header(&mut r)? {
        Err(reason) => v.fail(None, 1, reason),
        Ok((header, cp)) => {
            v.origin = header.origin;
            v.check_checkpoint(&cp);
            v.checkpoint = Some(cp);
            v.stream(&mut r, header.entries, on_entry, progress)?;
        }
    }
    // Hash the rest of the input so the digest covers the whole file even when broken.
    io::copy(&mut r, &mut io::sink())?;
    Ok(v.report(Hash(r.hasher.finalize().into())))
}

/// Reads and checks the header. Outer `Err`: I/O; inner `Err`: a format failure.
#[allow(clippy::type_complexity)]
fn read_header(
    r: &mut impl Read,
) -> Result<Result<(BundleHeader, SignedCheckpoint), String>, LogError> {
    let mut len = [0u8; 4];
    if !read_full(r, &mut len)? {
        return Ok(Err("truncated before the header".into()));
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_HEADER_BYTES {
        return Ok(Err(format!(
            "header length {len} exceeds the limit of {MAX_HEADER_BYTES}"
        )));
    }
    let mut buf = vec![0u8; len];
    if !read_full(r, &mut buf)? {
        return Ok(Err("truncated header".into()));
    }
    let header = match codec::decode_header(&buf) {
        Ok(h) => h,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let cp = match SignedCheckpoint::parse_note(&header.checkpoint_note) {
        Ok(cp) => cp,
        Err(e) => return Ok(Err(format!("checkpoint: {e}"))),
    };
    if cp.checkpoint.origin != header.origin {
        return Ok(Err(format!(
            "header origin {:?} differs from the checkpoint's {:?}",
            header.origin, cp.checkpoint.origin
        )));
    }
    if cp.checkpoint.size != header.entries {
        return Ok(Err(format!(
            "header announces {} entries but the checkpoint has size {}",
            header.entries, cp.checkpoint.size
        )));
    }
    Ok(Ok((header, cp)))
}

/// An entry whose structure and chain are checked, awaiting its signature check.
struct Pending {
    entry: Entry,
    leaf: Hash,
    key: VerifyingKey,
    msg: Vec<u8>,
}

struct Failure {
    at: Option<u64>,
    check: u8,
    reason: String,
}

struct Verifier<'t> {
    trusted: &'t [NoteVerifier],
    with_rules: bool,
    origin: String,
    checkpoint: Option<SignedCheckpoint>,
    /// Entry-level failure (or a header-level format failure).
    failure: Option<Failure>,
    /// Results of checks 4-6 (None: not run).
    merkle: Option<Result<String, String>>,
    cp_sig: Option<Result<String, String>>,
    cosigs: Option<Result<String, String>>,
    verified: u64,
    head: Option<Hash>,
    root: Option<Hash>,
    keys: HashMap<[u8; 32], Option<VerifyingKey>>,
}

impl<'t> Verifier<'t> {
    fn new(trusted: &'t [NoteVerifier], with_rules: bool) -> Self {
        Verifier {
            trusted,
            with_rules,
            origin: String::new(),
            checkpoint: None,
            failure: None,
            merkle: None,
            cp_sig: None,
            cosigs: None,
            verified: 0,
            head: None,
            root: None,
            keys: HashMap::new(),
        }
    }

    fn fail(&mut self, at: Option<u64>, check: u8, reason: String) {
        if self.failure.is_none() {
            self.failure = Some(Failure { at, check, reason });
        }
    }

    fn check_checkpoint(&mut self, cp: &SignedCheckpoint) {
        let lines = cp.check(self.trusted);
        let v = &lines.verdict;
        self.cp_sig = Some(if !lines.bad_signatures.is_empty() {
            Err(format!(
                "note signature by {} does not verify",
                lines.bad_signatures.join(", ")
            ))
        } else if lines.unknown_signatures > 0 {
            Err(format!(
                "note signature by a key not in the trusted set ({})",
                v.unknown.join(", ")
            ))
        } else if v.signed_by.is_empty() {
            Err("no note signature by a trusted key".into())
        } else {
            Ok(format!("signed by {}", v.signed_by.join(", ")))
        });
        self.cosigs = Some(if !lines.bad_cosignatures.is_empty() {
            Err(format!(
                "cosignature by {} does not verify",
                lines.bad_cosignatures.join(", ")
            ))
        } else if lines.unknown_cosignatures > 0 {
            Err(format!(
                "cosignature by a key not in the trusted set ({})",
                v.unknown.join(", ")
            ))
        } else if v.cosigned_by.is_empty() {
            Ok("no cosignatures".into())
        } else {
            Ok(format!(
                "cosigned by {}",
                v.cosigned_by
                    .iter()
                    .map(|(n, t)| format!("{n} at {}", unix_time_text(*t)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        });
    }

    fn key(&mut self, author: &[u8; 32]) -> Option<VerifyingKey> {
        if self.keys.len() > 4096 {
            self.keys.clear();
        }
        *self.keys.entry(*author).or_insert_with(|| {
            PublicKey::from_bytes(author)
                .ok()
                .and_then(|k| k.verifying_key().ok())
        })
    }

    fn stream(
        &mut self,
        r: &mut impl Read,
        total: u64,
        mut on_entry: Option<EntryCheck<'_>>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(), LogError> {
        progress(0, total);
        let mut frontier = Frontier::default();
        let mut prev = Hash::ZERO;
        let mut last_time = 0u64;
        let mut chunk: Vec<Pending> = Vec::with_capacity(CHUNK_ENTRIES);
        let mut chunk_bytes = 0usize;
        let mut pending_failure: Option<Failure> = None;
        let mut buf = Vec::new();
        for i in 0..total {
            match self.read_entry(r, i, &mut buf, &mut prev, &mut last_time)? {
                Ok(p) => {
                    frontier.push(p.leaf);
                    chunk_bytes += p.entry.payload.len();
                    chunk.push(p);
                }
                Err(f) => {
                    pending_failure = Some(f);
                    break;
                }
            }
            if chunk.len() >= CHUNK_ENTRIES || chunk_bytes >= CHUNK_BYTES {
                self.finish_chunk(&mut chunk, &mut on_entry);
                chunk_bytes = 0;
                progress(self.verified, total);
                if self.failure.is_some() {
                    return Ok(());
                }
            }
        }
        self.finish_chunk(&mut chunk, &mut on_entry);
        progress(self.verified, total);
        if self.failure.is_some() {
            return Ok(());
        }
        if let Some(f) = pending_failure {
            self.failure = Some(f);
            return Ok(());
        }
        let mut extra = [0u8; 1];
        if read_full(r, &mut extra)? {
            self.fail(None, 1, format!("bytes follow the last of {total} entries"));
            return Ok(());
        }
        let root = frontier.root();
        self.root = Some(root);
        self.merkle = Some(match &self.checkpoint {
            Some(cp) if cp.checkpoint.root == root => {
                Ok(format!("root of {total} entries is {root}"))
            }
            Some(cp) => Err(format!(
                "entries hash to root {root}, the checkpoint says {}",
                cp.checkpoint.root
            )),
            None => Err("no checkpoint".into()),
        });
        Ok(())
    }

    /// Reads entry `i` and runs the format and chain checks. Outer `Err`: I/O.
    fn read_entry(
        &mut self,
        r: &mut impl Read,
        i: u64,
        buf: &mut Vec<u8>,
        prev: &mut Hash,
        last_time: &mut u64,
    ) -> Result<Result<Pending, Failure>, LogError> {
        let fail = |check: u8, reason: String| {
            Ok(Err(Failure {
                at: Some(i),
                check,
                reason,
            }))
        };
        let mut len = [0u8; 4];
        if !read_full(r, &mut len)? {
            return fail(1, format!("bundle ends before entry {i}"));
        }
        let len = u32::from_be_bytes(len) as usize;
        if len > MAX_ENTRY_BYTES {
            return fail(
                1,
                format!("entry length {len} exceeds the limit of {MAX_ENTRY_BYTES}"),
            );
        }
        buf.clear();
        // `take` + `read_to_end` grows with the data actually present, so a false length on
        // a short file allocates nothing in advance.
        r.by_ref().take(len as u64).read_to_end(buf)?;
        if buf.len() != len {
            return fail(1, format!("bundle ends inside entry {i}"));
        }
        let w = match codec::decode_entry(buf) {
            Ok(w) => w,
            Err(e) => return fail(1, e.to_string()),
        };
        if w.index != i {
            return fail(2, format!("entry {i} carries index {}", w.index));
        }
        if Hash(w.prev) != *prev {
            return fail(
                2,
                format!(
                    "entry {i} does not link to the hash of entry {}",
                    i.wrapping_sub(1)
                ),
            );
        }
        if w.recorded_at_ms < *last_time {
            return fail(
                2,
                format!(
                    "entry {i} is recorded at {} ms, before the previous entry ({} ms)",
                    w.recorded_at_ms, *last_time
                ),
            );
        }
        let Some(key) = self.key(&w.author) else {
            return fail(3, format!("entry {i}: author is not a valid Ed25519 key"));
        };
        let leaf = leaf_hash(&buf[..buf.len() - 64]);
        let payload_hash = Hash::digest(&w.payload);
        let msg = codec::entry_signed_message(i, prev, w.recorded_at_ms, &w.author, &payload_hash);
        *prev = leaf;
        *last_time = w.recorded_at_ms;
        let entry = Entry {
            index: w.index,
            prev: Hash(w.prev),
            recorded_at_ms: w.recorded_at_ms,
            author: PublicKey::from_checked(w.author),
            payload: w.payload,
            signature: w.signature,
        };
        Ok(Ok(Pending {
            entry,
            leaf,
            key,
            msg: msg.to_vec(),
        }))
    }

    /// Verifies the chunk's signatures in parallel, then passes the entries in order to the
    /// callback, stopping at the first failure.
    fn finish_chunk(&mut self, chunk: &mut Vec<Pending>, on_entry: &mut Option<EntryCheck<'_>>) {
        let first_bad = verify_parallel(chunk);
        for (pos, p) in chunk.iter().enumerate() {
            let i = p.entry.index;
            if first_bad == Some(pos) {
                self.fail(
                    Some(i),
                    3,
                    format!("signature of entry {i} does not verify"),
                );
                break;
            }
            if let Some(f) = on_entry.as_mut() {
                if let Err(reason) = f(&p.entry) {
                    self.fail(Some(i), 7, reason);
                    break;
                }
            }
            self.verified += 1;
            self.head = Some(p.leaf);
        }
        chunk.clear();
    }

    fn report(self, digest: Hash) -> BundleReport {
        let size = self.checkpoint.as_ref().map(|c| c.checkpoint.size);
        let mut checks: Vec<CheckResult> = Vec::new();
        let mut push = |n: u8, status: CheckStatus, detail: String| {
            checks.push(CheckResult {
                number: n,
                name: CHECK_NAMES[usize::from(n - 1)].to_owned(),
                status,
                detail,
            })
        };
        // Entry-level checks 1, 2, 3 and 7, in pipeline order.
        let entry_checks: &[u8] = if self.with_rules {
            &[1, 2, 3, 7]
        } else {
            &[1, 2, 3]
        };
        let header_ok = self.checkpoint.is_some();
        let mut results: Vec<(u8, CheckStatus, String)> = Vec::new();
        for &n in entry_checks {
            let r = match &self.failure {
                _ if !header_ok && n != 1 => (CheckStatus::NotRun, "header unreadable".into()),
                Some(f) if f.check == n => (
                    CheckStatus::Failed,
                    match f.at {
                        Some(i) => format!("entry {i}: {}", f.reason),
                        None => f.reason.clone(),
                    },
                ),
                Some(Failure {
                    at: Some(i), check, ..
                }) if pipeline(n) < pipeline(*check) => {
                    (CheckStatus::Passed, format!("entries 0 to {i}"))
                }
                Some(Failure { at: Some(i), .. }) => {
                    (CheckStatus::NotRun, format!("stopped at entry {i}"))
                }
                Some(Failure { at: None, .. }) => (
                    CheckStatus::Passed,
                    format!("all {} entries", size.unwrap_or(0)),
                ),
                None => (
                    CheckStatus::Passed,
                    format!("all {} entries", size.unwrap_or(0)),
                ),
            };
            results.push((n, r.0, r.1));
        }
        let as_check = |r: &Option<Result<String, String>>, why: &str| match r {
            Some(Ok(d)) => (CheckStatus::Passed, d.clone()),
            Some(Err(d)) => (CheckStatus::Failed, d.clone()),
            None => (CheckStatus::NotRun, why.to_owned()),
        };
        let merkle = as_check(&self.merkle, "entries incomplete");
        let cp_sig = as_check(&self.cp_sig, "header unreadable");
        let cosigs = as_check(&self.cosigs, "header unreadable");
        results.push((4, merkle.0, merkle.1));
        results.push((5, cp_sig.0, cp_sig.1));
        results.push((6, cosigs.0, cosigs.1));
        results.sort_by_key(|r| r.0);
        for (n, s, d) in results.iter().cloned() {
            push(n, s, d);
        }
        let verdict = if let Some(f) = &self.failure {
            Verdict::Broken {
                at_entry: f.at,
                check: CHECK_NAMES[usize::from(f.check - 1)].to_owned(),
                reason: f.reason.clone(),
            }
        } else if let Some(c) = checks.iter().find(|c| c.status == CheckStatus::Failed) {
            Verdict::Broken {
                at_entry: None,
                check: c.name.clone(),
                reason: c.detail.clone(),
            }
        } else {
            match (size, self.root) {
                (Some(size), Some(root)) => Verdict::Valid { size, root },
                _ => Verdict::Broken {
                    at_entry: None,
                    check: "format".into(),
                    reason: "incomplete verification".into(),
                },
            }
        };
        BundleReport {
            verdict,
            checks,
            origin: self.origin,
            entries: self.verified,
            checkpoint: self.checkpoint,
            head: self.head,
            digest,
        }
    }
}

/// Order in which the per-entry checks run.
fn pipeline(check: u8) -> u8 {
    match check {
        7 => 4,
        n => n,
    }
}

/// The pending entries' signatures checked under the entry-signature rule, in batches on
/// all available cores (`batch.rs`); returns the position of the first that fails, if any.
/// Every position below the returned one verified.
fn verify_parallel(chunk: &[Pending]) -> Option<usize> {
    let items: Vec<crate::batch::SigItem<'_>> = chunk
        .iter()
        .map(|p| crate::batch::SigItem {
            key: &p.key,
            msg: &p.msg,
            sig: &p.entry.signature,
        })
        .collect();
    crate::batch::first_invalid(&items)
}

/// A cosignature's Unix time as RFC 3339 UTC (`2026-11-24T04:36:37Z`), or the raw seconds
/// when out of the calendar's range (a hostile bundle may claim anything).
fn unix_time_text(seconds: u64) -> String {
    i64::try_from(seconds)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("unix time {seconds}"))
}
