//! The streaming bundle verifier: reads a bundle in one pass, holding at most one chunk of
//! entries, verifying signatures on all cores; needs no sled.
//!
//! It also defines the one family of report types used from this log up to the meeting
//! ledger's report: [`Check`], [`CheckStatus`], [`Verdict`], and [`CheckList`], which
//! records checks in the order they are decided and applies the one rule of a verdict: the
//! first failure decided is the verdict, and every check decided after it is not run.

use crate::bundle::{BundleReport, EntryCheck, BUNDLE_MAGIC, BUNDLE_VERSION};
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

/// Number and name of the log's checks, in number order. Check 7 is present only when a
/// caller's per-entry rule check was given ([`verify_bundle_with`]).
pub const LOG_CHECKS: [(u32, &str); 7] = [
    (1, "format"),
    (2, "chain"),
    (3, "signatures"),
    (4, "merkle root"),
    (5, "checkpoint signature"),
    (6, "cosignatures"),
    (7, "entry rules"),
];

/// The name of the log's check `number` (1 to 7).
fn name(number: u32) -> &'static str {
    LOG_CHECKS
        .iter()
        .find(|(n, _)| *n == number)
        .map_or("check", |(_, name)| name)
}

/// Status of one numbered check.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CheckStatus {
    /// The check ran and passed.
    Passed,
    /// The check ran and failed: it is the verdict's check.
    Failed,
    /// The check did not run, or ran after an earlier check failed (its result is then not
    /// reported, since nothing after a failure can be relied on).
    NotRun,
}

impl CheckStatus {
    /// The status as the JSON report writes it: `passed`, `failed` or `not_run`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Passed => "passed",
            CheckStatus::Failed => "failed",
            CheckStatus::NotRun => "not_run",
        }
    }

    /// The status as a text or HTML report shows it: `passed`, `FAILED` or `not run`.
    pub fn word(self) -> &'static str {
        match self {
            CheckStatus::Passed => "passed",
            CheckStatus::Failed => "FAILED",
            CheckStatus::NotRun => "not run",
        }
    }
}

/// One numbered check of a verification report.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Check {
    /// 1 format, 2 chain, 3 signatures, 4 merkle root, 5 checkpoint signature,
    /// 6 cosignatures, then the caller's: 7 entry rules here, or in the meeting ledger
    /// 7 genesis and authority, 8 voting rules, 9 tally, 10 pinning.
    pub number: u32,
    /// Its short name (`"chain"`).
    pub name: String,
    /// Passed, failed or not run.
    pub status: CheckStatus,
    /// What was checked, or why it failed, or why it did not run.
    pub detail: String,
}

/// The outcome of a verification.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Verdict {
    /// Every check passed.
    Valid,
    /// A check failed: the first failure in the order checks are decided.
    Broken {
        /// The failing entry, when the failure is in one entry (`None` for a failure of the
        /// header, of the whole bundle, or of the end of the log).
        at_entry: Option<u64>,
        /// The name of the failing check (as in [`Check::name`]).
        check: String,
        /// Why.
        reason: String,
    },
}

impl Verdict {
    /// Whether every check passed.
    pub fn is_valid(&self) -> bool {
        *self == Verdict::Valid
    }
}

/// Numbered checks recorded in the order they are decided, and the verdict they give.
///
/// The rule, applied here once for the log and every layer above it: the first check recorded
/// as failed is the verdict ([`Verdict::Broken`]); every check recorded after it, passed or
/// failed, is reported [`CheckStatus::NotRun`] ("stopped: the chain check failed at entry 8"),
/// so a report never shows a check as passed that ran after a failure. At most one check of
/// a report is therefore `Failed`. The checks are listed in number order at the end.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CheckList {
    checks: Vec<Check>,
    verdict: Verdict,
}

impl Default for CheckList {
    fn default() -> Self {
        CheckList::new()
    }
}

impl CheckList {
    /// An empty list: no check decided yet.
    pub fn new() -> Self {
        CheckList {
            checks: Vec::new(),
            verdict: Verdict::Valid,
        }
    }

    /// Continues a finished report (its checks and verdict) with checks decided after it, as
    /// a layer above adds its own checks to the log's.
    pub fn resume(checks: Vec<Check>, verdict: Verdict) -> Self {
        CheckList { checks, verdict }
    }

    /// Whether a check failed.
    pub fn is_broken(&self) -> bool {
        !self.verdict.is_valid()
    }

    /// Why a check decided now does not run, if an earlier one failed.
    fn after_failure(&self) -> Option<String> {
        match &self.verdict {
            Verdict::Valid => None,
            Verdict::Broken {
                at_entry, check, ..
            } => Some(match at_entry {
                Some(i) => format!("stopped: the {check} check failed at entry {i}"),
                None => format!("stopped: the {check} check failed"),
            }),
        }
    }

    fn push(&mut self, number: u32, name: &str, status: CheckStatus, detail: String) {
        self.checks.push(Check {
            number,
            name: name.to_owned(),
            status,
            detail,
        });
    }

    /// Records check `number` as passed (not run, if an earlier check failed).
    pub fn pass(&mut self, number: u32, name: &str, detail: impl Into<String>) {
        match self.after_failure() {
            Some(why) => self.push(number, name, CheckStatus::NotRun, why),
            None => self.push(number, name, CheckStatus::Passed, detail.into()),
        }
    }

    /// Records check `number` as failed, at `at_entry` when the failure is in one entry: the
    /// verdict, unless an earlier check failed (then it is not run).
    pub fn fail(
        &mut self,
        number: u32,
        name: &str,
        at_entry: Option<u64>,
        reason: impl Into<String>,
    ) {
        match self.after_failure() {
            Some(why) => self.push(number, name, CheckStatus::NotRun, why),
            None => {
                let reason = reason.into();
                self.push(number, name, CheckStatus::Failed, reason.clone());
                self.verdict = Verdict::Broken {
                    at_entry,
                    check: name.to_owned(),
                    reason,
                };
            }
        }
    }

    /// Records check `number` as not run, saying why (or that an earlier check failed).
    pub fn not_run(&mut self, number: u32, name: &str, why: impl Into<String>) {
        let why = self.after_failure().unwrap_or_else(|| why.into());
        self.push(number, name, CheckStatus::NotRun, why);
    }

    /// The verdict so far.
    pub fn verdict(&self) -> &Verdict {
        &self.verdict
    }

    /// The checks in number order and the verdict. A list with no failure but a check that
    /// did not run is not valid: `Valid` means every check listed passed.
    pub fn finish(mut self) -> (Vec<Check>, Verdict) {
        self.checks.sort_by_key(|c| c.number);
        if self.verdict.is_valid() {
            if let Some(c) = self.checks.iter().find(|c| c.status != CheckStatus::Passed) {
                self.verdict = Verdict::Broken {
                    at_entry: None,
                    check: c.name.clone(),
                    reason: format!("incomplete verification: {}", c.detail),
                };
            }
        }
        (self.checks, self.verdict)
    }
}

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

/// Verifies a bundle against `trusted` keys (the log's key and the witnesses'), streaming:
/// checks 1 to 6.
///
/// Returns `Ok` with a report whose verdict is valid or broken: a tampered, damaged or
/// truncated bundle is a verdict, not an error (a file holding only the magic is broken at
/// check 1, format). In a bundle every signature line of the checkpoint must come from a
/// trusted key: a line by an unknown key breaks check 5 or 6, since a bundle is closed
/// evidence and must contain nothing unaccounted for.
///
/// The checks are decided in number order, checks 1 to 3 entry by entry (entry 0's checks
/// 1, 2, 3, then entry 1's, ..., the first failing entry ending them), then nothing after the
/// last entry (check 1), then 4, 5 and 6; the first failure is the verdict and every later
/// check is reported not run ([`CheckList`]).
///
/// # Errors
/// [`LogError::NotABundle`] if the input does not start with the 8-byte magic (including an
/// empty or shorter input), [`LogError::UnsupportedVersion`] for a version other than
/// [`BUNDLE_VERSION`], [`LogError::Usage`] if `trusted` is empty, [`LogError::Io`] if reading
/// fails.
pub fn verify_bundle(
    reader: impl Read,
    trusted: &[NoteVerifier],
) -> Result<BundleReport, LogError> {
    run(
        reader,
        trusted,
        Hook::None,
        Resume::default(),
        &mut |_, _| {},
    )
}

/// [`verify_bundle`], also calling `on_entry` for each entry, in order, once its checks 1 to 3
/// passed; its results are check 7, "entry rules", decided after checks 1 to 6. An
/// `Err(reason)` from it breaks the bundle at that entry (unless checks 1 to 6 fail, which
/// are decided first) and it is not called again; checks 1 to 4 go on to the end.
///
/// # Errors
/// As [`verify_bundle`].
pub fn verify_bundle_with(
    reader: impl Read,
    trusted: &[NoteVerifier],
    on_entry: &mut dyn FnMut(&Entry) -> Result<(), String>,
) -> Result<BundleReport, LogError> {
    run(
        reader,
        trusted,
        Hook::Check(on_entry),
        Resume::default(),
        &mut |_, _| {},
    )
}

/// The general form of [`verify_bundle`] and [`verify_bundle_with`]: optional entry check,
/// and `progress(entries_done, total)` called after every verified chunk (total is the
/// header's entry count; the first call, with 0, comes once the header is read — drive a
/// progress bar with it).
///
/// # Errors
/// As [`verify_bundle`].
pub fn verify_bundle_with_progress(
    reader: impl Read,
    trusted: &[NoteVerifier],
    on_entry: Option<EntryCheck<'_>>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<BundleReport, LogError> {
    let hook = match on_entry {
        Some(f) => Hook::Check(f),
        None => Hook::None,
    };
    run(reader, trusted, hook, Resume::default(), progress)
}

/// [`verify_bundle`] (checks 1 to 6 only), showing `observe` each entry, in order, once its
/// checks 1 to 3 passed, up to the first entry that fails them. For a caller that decides
/// its own checks after the log's: it continues the report with
/// [`CheckList::resume`]`(report.checks, report.verdict)`.
///
/// # Errors
/// As [`verify_bundle`].
pub fn verify_bundle_observing(
    reader: impl Read,
    trusted: &[NoteVerifier],
    observe: &mut dyn FnMut(&Entry),
    progress: &mut dyn FnMut(u64, u64),
) -> Result<BundleReport, LogError> {
    verify_bundle_resuming(reader, trusted, None, false, observe, progress)
}

/// [`verify_bundle_observing`] continued from a previous verification of the same log, and/or
/// recording where this one ends (docs/FORMAT.md, "Verification state").
///
/// With `since`, the first `since.size` entries are not decoded, chain-checked, signature-
/// checked nor shown to `observe`: their bytes are read once, without decoding, and must hash
/// to `since.entries_sha256` (else check 2 fails: a fork or a rewritten entry; a bundle with
/// fewer entries fails check 2 too, a log never shrinks). The entries after them are checked
/// as a full verification checks them, chained to `since.head`, and the Merkle root (check 4)
/// is `since.frontier` extended with their leaf hashes. Every other check, and the report, is
/// what a full verification gives; [`BundleReport::decoded`] counts the entries decoded.
///
/// With `record`, a valid report carries [`BundleReport::prefix`], the state to continue from
/// next time (this costs one more SHA-256 pass over the entries' bytes).
///
/// # Errors
/// As [`verify_bundle`].
pub fn verify_bundle_resuming(
    reader: impl Read,
    trusted: &[NoteVerifier],
    since: Option<&VerifiedPrefix>,
    record: bool,
    observe: &mut dyn FnMut(&Entry),
    progress: &mut dyn FnMut(u64, u64),
) -> Result<BundleReport, LogError> {
    run(
        reader,
        trusted,
        Hook::Observe(observe),
        Resume { since, record },
        progress,
    )
}

/// Where a valid bundle's entries end: everything a later verification of a longer bundle of
/// the same log needs to check only the entries after them ([`verify_bundle_resuming`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedPrefix {
    /// The log's origin.
    pub origin: String,
    /// Entries verified: `0..size`.
    pub size: u64,
    /// Their compact range (RFC 9162 section 2.1): their root, extensible with new leaves.
    pub frontier: Frontier,
    /// The chain head: the leaf hash of entry `size - 1` ([`Hash::ZERO`] when `size` is 0),
    /// which entry `size` must name as its predecessor.
    pub head: Hash,
    /// When entry `size - 1` was recorded (0 when `size` is 0): entry `size` may not be earlier.
    pub last_recorded_at_ms: u64,
    /// Bytes the entries take in a bundle (each entry's length and encoding), from the end of
    /// the header.
    pub entries_bytes: u64,
    /// SHA-256 of those bytes.
    pub entries_sha256: Hash,
}

/// How a verification starts and what it records ([`verify_bundle_resuming`]).
#[derive(Default, Clone, Copy)]
struct Resume<'s> {
    since: Option<&'s VerifiedPrefix>,
    record: bool,
}

/// What is done with each entry that passed checks 1 to 3.
enum Hook<'a> {
    None,
    /// Check 7, "entry rules".
    Check(EntryCheck<'a>),
    /// Shown, no check of ours.
    Observe(&'a mut dyn FnMut(&Entry)),
}

fn run(
    reader: impl Read,
    trusted: &[NoteVerifier],
    mut hook: Hook<'_>,
    resume: Resume<'_>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<BundleReport, LogError> {
    if trusted.is_empty() {
        return Err(LogError::Usage("no trusted keys given".into()));
    }
    let mut r = HashingReader {
        inner: BufReader::with_capacity(1 << 16, reader),
        hasher: Sha256::new(),
    };
    // Not a bundle at all (an error): fewer than 8 bytes, or not the magic.
    let mut magic = [0u8; 8];
    if !read_full(&mut r, &mut magic)? || magic != BUNDLE_MAGIC {
        return Err(LogError::NotABundle(
            "the input does not start with SCRUTLOG".into(),
        ));
    }
    let mut v = Verifier::new(trusted, matches!(hook, Hook::Check(_)));
    let mut version = [0u8; 2];
    if !read_full(&mut r, &mut version)? {
        // A bundle cut short (a verdict): the magic is there, the version is not.
        v.header_failure = Some("the bundle ends before its version".into());
    } else {
        let version = u16::from_be_bytes(version);
        if version != BUNDLE_VERSION {
            return Err(LogError::UnsupportedVersion(version));
        }
        match read_header(&mut r)? {
            Err(reason) => v.header_failure = Some(reason),
            Ok((header, cp)) => {
                v.origin = header.origin;
                v.check_checkpoint(&cp);
                v.checkpoint = Some(cp);
                v.stream(&mut r, header.entries, &mut hook, resume, progress)?;
            }
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
        return Ok(Err("the bundle ends before the header".into()));
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_HEADER_BYTES {
        return Ok(Err(format!(
            "header length {len} exceeds the limit of {MAX_HEADER_BYTES}"
        )));
    }
    let mut buf = Vec::new();
    // As for entries: grow with the bytes present, not with the length claimed.
    r.by_ref().take(len as u64).read_to_end(&mut buf)?;
    if buf.len() != len {
        return Ok(Err("the bundle ends inside the header".into()));
    }
    let header = match codec::decode_header(&buf) {
        Ok(h) => h,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let cp = match SignedCheckpoint::parse_note(&header.checkpoint_note) {
        Ok(cp) => cp,
        Err(e) => return Ok(Err(format!("checkpoint: {e}"))),
    };
    // The header repeats two fields of the signed checkpoint; a header that disagrees with
    // its own checkpoint is malformed (check 1), whatever the signatures say.
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

/// Where the bytes of the entries verified before go: their own hash, and the hash of all
/// entries when recording.
struct PrefixSink<'h> {
    own: Sha256,
    record: Option<&'h mut Sha256>,
}

impl io::Write for PrefixSink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.own.update(buf);
        if let Some(h) = self.record.as_mut() {
            h.update(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// An entry whose structure and chain are checked, awaiting its signature check.
struct Pending {
    entry: Entry,
    leaf: Hash,
    key: VerifyingKey,
    msg: Vec<u8>,
}

/// The first entry failing check 1, 2 or 3.
struct Failure {
    at: u64,
    check: u32,
    reason: String,
}

struct Verifier<'t> {
    trusted: &'t [NoteVerifier],
    with_rules: bool,
    origin: String,
    checkpoint: Option<SignedCheckpoint>,
    /// A check 1 failure of the bundle before its entries (version, header, checkpoint note).
    header_failure: Option<String>,
    /// The first entry failing check 1, 2 or 3.
    entry_failure: Option<Failure>,
    /// A check 1 failure after the last entry (bytes follow it).
    trailing: Option<String>,
    /// Results of checks 4-6 (None: not run).
    merkle: Option<Result<String, String>>,
    cp_sig: Option<Result<String, String>>,
    cosigs: Option<Result<String, String>>,
    /// The first entry the caller's check refused (check 7).
    rules_failure: Option<(u64, String)>,
    /// Entries that passed checks 1 to 3.
    verified: u64,
    /// Entries that passed checks 1 to 3 and the caller's check (when given).
    accepted: u64,
    head: Option<Hash>,
    root: Option<Hash>,
    keys: HashMap<[u8; 32], Option<VerifyingKey>>,
    /// A failure to continue a verified prefix (check 1 or 2), decided before any entry.
    prefix_failure: Option<(u32, String)>,
    /// Entries decoded in this run.
    decoded: u64,
    /// SHA-256 of the entries' bytes so far, when recording where the bundle ends.
    entries_hasher: Option<Sha256>,
    entries_bytes: u64,
    /// Where the entries end, once the root is computed (when recording).
    prefix: Option<VerifiedPrefix>,
}

impl<'t> Verifier<'t> {
    fn new(trusted: &'t [NoteVerifier], with_rules: bool) -> Self {
        Verifier {
            trusted,
            with_rules,
            origin: String::new(),
            checkpoint: None,
            header_failure: None,
            entry_failure: None,
            trailing: None,
            merkle: None,
            cp_sig: None,
            cosigs: None,
            rules_failure: None,
            verified: 0,
            accepted: 0,
            head: None,
            root: None,
            keys: HashMap::new(),
            prefix_failure: None,
            decoded: 0,
            entries_hasher: None,
            entries_bytes: 0,
            prefix: None,
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
        hook: &mut Hook<'_>,
        resume: Resume<'_>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(), LogError> {
        if resume.record {
            self.entries_hasher = Some(Sha256::new());
        }
        let mut frontier = Frontier::default();
        let mut prev = Hash::ZERO;
        let mut last_time = 0u64;
        let mut start = 0u64;
        if let Some(p) = resume.since {
            if let Err((check, reason)) = self.skip_verified(r, total, p)? {
                self.prefix_failure = Some((check, reason));
                return Ok(());
            }
            frontier = p.frontier.clone();
            prev = p.head;
            last_time = p.last_recorded_at_ms;
            start = p.size;
            self.verified = p.size;
            self.accepted = p.size;
            self.head = (p.size > 0).then_some(p.head);
        }
        progress(start, total);
        let mut chunk: Vec<Pending> = Vec::with_capacity(CHUNK_ENTRIES);
        let mut chunk_bytes = 0usize;
        let mut pending_failure: Option<Failure> = None;
        let mut buf = Vec::new();
        for i in start..total {
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
                self.finish_chunk(&mut chunk, hook);
                chunk_bytes = 0;
                progress(self.verified, total);
                if self.entry_failure.is_some() {
                    return Ok(());
                }
            }
        }
        self.finish_chunk(&mut chunk, hook);
        progress(self.verified, total);
        if self.entry_failure.is_some() {
            return Ok(());
        }
        if let Some(f) = pending_failure {
            self.entry_failure = Some(f);
            return Ok(());
        }
        let mut extra = [0u8; 1];
        if read_full(r, &mut extra)? {
            self.trailing = Some(format!("bytes follow the last of {total} entries"));
            return Ok(());
        }
        let root = frontier.root();
        self.root = Some(root);
        if let Some(h) = self.entries_hasher.take() {
            self.prefix = Some(VerifiedPrefix {
                origin: self.origin.clone(),
                size: total,
                frontier,
                head: prev,
                last_recorded_at_ms: last_time,
                entries_bytes: self.entries_bytes,
                entries_sha256: Hash(h.finalize().into()),
            });
        }
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

    /// Reads the bytes of the `p.size` entries verified before, without decoding them, and
    /// checks that they hash to what was verified. Outer `Err`: I/O; inner: the failing check
    /// and why.
    fn skip_verified(
        &mut self,
        r: &mut impl Read,
        total: u64,
        p: &VerifiedPrefix,
    ) -> Result<Result<(), (u32, String)>, LogError> {
        if self.origin != p.origin {
            return Ok(Err((
                2,
                format!(
                    "the bundle is of the log {:?}, the entries verified before of {:?}",
                    self.origin, p.origin
                ),
            )));
        }
        if total < p.size {
            return Ok(Err((
                2,
                format!(
                    "the bundle has {total} entries, fewer than the {} verified before: a log \
                     never shrinks",
                    p.size
                ),
            )));
        }
        let mut sink = PrefixSink {
            own: Sha256::new(),
            record: self.entries_hasher.as_mut(),
        };
        let read = io::copy(&mut r.by_ref().take(p.entries_bytes), &mut sink)?;
        let digest = Hash(sink.own.finalize().into());
        if read != p.entries_bytes {
            return Ok(Err((
                1,
                format!(
                    "the bundle ends inside the {} entries verified before (after {read} of \
                     their {} bytes)",
                    p.size, p.entries_bytes
                ),
            )));
        }
        if digest != p.entries_sha256 {
            return Ok(Err((
                2,
                format!(
                    "entries 0 to {} are not the entries verified before (a fork, or a rewritten \
                     entry): their bytes hash to {digest}, the verified ones to {}",
                    p.size.saturating_sub(1),
                    p.entries_sha256
                ),
            )));
        }
        self.entries_bytes = p.entries_bytes;
        Ok(Ok(()))
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
        let fail = |check: u32, reason: String| {
            Ok(Err(Failure {
                at: i,
                check,
                reason,
            }))
        };
        let mut len = [0u8; 4];
        if !read_full(r, &mut len)? {
            return fail(1, format!("the bundle ends before entry {i}"));
        }
        self.decoded += 1;
        let len_bytes = len;
        let len = u32::from_be_bytes(len) as usize;
        if len > MAX_ENTRY_BYTES {
            return fail(
                1,
                format!("entry {i}: entry length {len} exceeds the limit of {MAX_ENTRY_BYTES}"),
            );
        }
        buf.clear();
        // `take` + `read_to_end` grows with the data actually present, so a false length on
        // a short file allocates nothing in advance.
        r.by_ref().take(len as u64).read_to_end(buf)?;
        if buf.len() != len {
            return fail(1, format!("the bundle ends inside entry {i}"));
        }
        if let Some(h) = self.entries_hasher.as_mut() {
            h.update(len_bytes);
            h.update(&buf[..]);
            self.entries_bytes += 4 + len as u64;
        }
        let w = match codec::decode_entry(buf) {
            Ok(w) => w,
            Err(e) => return fail(1, format!("entry {i}: {e}")),
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
        // An author that is not a valid Ed25519 key can verify no signature: check 3.
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
    /// hook, stopping at the first entry whose signature fails. A refusal by the caller's
    /// check is recorded (check 7) and the hook is not called again; the log's own checks go
    /// on.
    fn finish_chunk(&mut self, chunk: &mut Vec<Pending>, hook: &mut Hook<'_>) {
        let first_bad = verify_parallel(chunk);
        for (pos, p) in chunk.iter().enumerate() {
            let i = p.entry.index;
            if first_bad == Some(pos) {
                self.entry_failure = Some(Failure {
                    at: i,
                    check: 3,
                    reason: format!("signature of entry {i} does not verify"),
                });
                break;
            }
            self.verified += 1;
            if self.rules_failure.is_some() {
                continue;
            }
            match hook {
                Hook::None => {}
                Hook::Observe(f) => f(&p.entry),
                Hook::Check(f) => {
                    if let Err(reason) = f(&p.entry) {
                        self.rules_failure = Some((i, reason));
                        continue;
                    }
                }
            }
            self.accepted += 1;
            self.head = Some(p.leaf);
        }
        chunk.clear();
    }

    /// The report: the checks recorded in the order they are decided (see
    /// [`verify_bundle`]).
    fn report(self, digest: Hash) -> BundleReport {
        let size = self.checkpoint.as_ref().map_or(0, |c| c.checkpoint.size);
        let mut list = CheckList::new();
        let mut last = 6;
        if self.with_rules {
            last = 7;
        }
        if let Some(reason) = &self.header_failure {
            list.fail(1, name(1), None, reason.clone());
        } else if let Some((check, reason)) = &self.prefix_failure {
            if *check > 1 {
                list.pass(1, name(1), "header");
            }
            list.fail(*check, name(*check), None, reason.clone());
        } else if let Some(f) = &self.entry_failure {
            for n in 1..f.check {
                list.pass(n, name(n), format!("entries 0 to {}", f.at));
            }
            list.fail(f.check, name(f.check), Some(f.at), f.reason.clone());
        } else if let Some(reason) = &self.trailing {
            list.pass(2, name(2), format!("all {size} entries"));
            list.pass(3, name(3), format!("all {size} entries"));
            list.fail(1, name(1), None, reason.clone());
        } else {
            for n in 1..=3 {
                list.pass(n, name(n), format!("all {size} entries"));
            }
        }
        for (n, result) in [(4, &self.merkle), (5, &self.cp_sig), (6, &self.cosigs)] {
            match result {
                Some(Ok(d)) => list.pass(n, name(n), d.clone()),
                Some(Err(d)) => list.fail(n, name(n), None, d.clone()),
                None => list.not_run(n, name(n), "not run"),
            }
        }
        if self.with_rules {
            match &self.rules_failure {
                Some((i, reason)) => list.fail(7, name(7), Some(*i), reason.clone()),
                None => list.pass(7, name(7), format!("all {size} entries")),
            }
        }
        // Checks the failure above left unrecorded (those after a header failure, the
        // entry checks after the failing one) are not run.
        for n in 1..=last {
            if !list.checks.iter().any(|c| c.number == n) {
                list.not_run(n, name(n), "not run");
            }
        }
        let (checks, verdict) = list.finish();
        let valid = verdict.is_valid();
        BundleReport {
            verdict,
            checks,
            origin: self.origin,
            entries: self.accepted,
            checkpoint: self.checkpoint,
            head: self.head,
            root: if valid { self.root } else { None },
            digest,
            decoded: self.decoded,
            prefix: if valid { self.prefix } else { None },
        }
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
