//! Incremental verification: the state a valid verification leaves (`verify --state-out`)
//! and the verification that continues from it (`verify --since`), checking only the
//! entries after it. docs/FORMAT.md, "Verification state", specifies the file; docs/CLI.md
//! the flags.

use std::io::Read;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use scrutin_log::{
    verify_bundle_resuming, Frontier, Hash, NoteVerifier, Pin, SignedCheckpoint, VerifiedPrefix,
};
use scrutin_tally::Meeting;

use crate::pin::apply_pin;
use crate::replay::{Replay, ReplayCounters};
use crate::verify::{assemble, end_of_log, Incremental, VerifyReport};
use crate::LedgerError;

/// The eight bytes every verification state file starts with.
pub const STATE_MAGIC: [u8; 8] = *b"SCRUTVST";
/// The state file version this library writes and reads.
pub const STATE_VERSION: u16 = 1;
/// The largest state header (JSON) accepted.
const MAX_STATE_HEADER: usize = 1 << 20;

/// What a valid verification of a bundle established, enough to verify a longer bundle of the
/// same log by checking only its new entries: the checkpoint verified, the compact range
/// (right frontier) of its Merkle tree, the hash-chain head, the keys it was verified under,
/// and the meeting folded from its events (a [`Meeting`] snapshot, with its SHA-256: the
/// meeting-state digest).
///
/// A state is the verifier's own record, trusted as its file of trusted keys is: whoever can
/// rewrite it can make `--since` accept what it describes. Its digests detect damage and
/// careless edits, not a forger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyState {
    checkpoint: String,
    trust: Vec<String>,
    prefix: VerifiedPrefix,
    counters: ReplayCounters,
    snapshot: Vec<u8>,
    snapshot_sha256: Hash,
}

/// The header of a state file, as JSON (field order is the output order).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateHeader {
    origin: String,
    size: u64,
    checkpoint: String,
    trust: Vec<String>,
    frontier: Vec<String>,
    chain_head: String,
    last_recorded_at_ms: u64,
    entries_bytes: u64,
    entries_sha256: String,
    replay: ReplayHeader,
    snapshot_version: u32,
    snapshot_bytes: u64,
    meeting_state_sha256: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplayHeader {
    events: u64,
    declarations: u64,
    authored_after_genesis: u64,
    registrar_name: Option<String>,
    last_tally_sha256: Option<String>,
    /// The tally format of `last_tally_sha256` (absent: format 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_tally_format: Option<u16>,
}

fn bad(reason: impl Into<String>) -> LedgerError {
    LedgerError::BadVerifyState(reason.into())
}

fn hash_of(text: &str, what: &str) -> Result<Hash, LedgerError> {
    Hash::from_hex(text).map_err(|e| bad(format!("{what}: {e}")))
}

/// The trusted keys as a state records them: their verifier key strings, sorted.
fn trust_strings(trust: &[NoteVerifier]) -> Vec<String> {
    let mut v: Vec<String> = trust.iter().map(NoteVerifier::to_vkey_string).collect();
    v.sort();
    v.dedup();
    v
}

impl VerifyState {
    /// The log's origin.
    pub fn origin(&self) -> &str {
        &self.prefix.origin
    }

    /// Entries verified: the checkpoint's size.
    pub fn size(&self) -> u64 {
        self.prefix.size
    }

    /// The signed note of the checkpoint verified.
    pub fn checkpoint_note(&self) -> &str {
        &self.checkpoint
    }

    /// The trusted keys it was verified under (verifier key strings, sorted).
    pub fn trust(&self) -> &[String] {
        &self.trust
    }

    /// The meeting-state digest: SHA-256 of the meeting snapshot.
    pub fn meeting_state_sha256(&self) -> Hash {
        self.snapshot_sha256
    }

    /// The state file's bytes: [`STATE_MAGIC`], [`STATE_VERSION`] (u16 BE), the header's
    /// length (u32 BE), the header (JSON), then the meeting snapshot.
    pub fn to_bytes(&self) -> Vec<u8> {
        let p = &self.prefix;
        let header = StateHeader {
            origin: p.origin.clone(),
            size: p.size,
            checkpoint: self.checkpoint.clone(),
            trust: self.trust.clone(),
            frontier: p.frontier.hashes().iter().map(Hash::to_hex).collect(),
            chain_head: p.head.to_hex(),
            last_recorded_at_ms: p.last_recorded_at_ms,
            entries_bytes: p.entries_bytes,
            entries_sha256: p.entries_sha256.to_hex(),
            replay: ReplayHeader {
                events: self.counters.entries,
                declarations: self.counters.declarations,
                authored_after_genesis: self.counters.authors,
                registrar_name: self.counters.registrar_name.clone(),
                last_tally_sha256: self.counters.last_digest.map(|(_, d)| hex::encode(d)),
                last_tally_format: self.counters.last_digest.map(|(f, _)| f),
            },
            snapshot_version: scrutin_tally::SNAPSHOT_VERSION,
            snapshot_bytes: self.snapshot.len() as u64,
            meeting_state_sha256: self.snapshot_sha256.to_hex(),
        };
        let json = serde_json::to_vec_pretty(&header).unwrap_or_default();
        let mut out = Vec::with_capacity(14 + json.len() + self.snapshot.len());
        out.extend_from_slice(&STATE_MAGIC);
        out.extend_from_slice(&STATE_VERSION.to_be_bytes());
        out.extend_from_slice(&(json.len() as u32).to_be_bytes());
        out.extend_from_slice(&json);
        out.extend_from_slice(&self.snapshot);
        out
    }

    /// Parses a state file and checks it is whole: its version, the meeting-state digest of
    /// its snapshot, and that its frontier gives the root of its checkpoint.
    ///
    /// # Errors
    /// [`LedgerError::BadVerifyState`] saying what is wrong.
    pub fn from_bytes(bytes: &[u8]) -> Result<VerifyState, LedgerError> {
        let rest = bytes
            .strip_prefix(&STATE_MAGIC[..])
            .ok_or_else(|| bad("not a verification state (no SCRUTVST magic)"))?;
        let (version, rest) = rest
            .split_first_chunk::<2>()
            .ok_or_else(|| bad("the file ends before its version"))?;
        let version = u16::from_be_bytes(*version);
        if version != STATE_VERSION {
            return Err(bad(format!(
                "state version {version}, this build reads only version {STATE_VERSION}"
            )));
        }
        let (len, rest) = rest
            .split_first_chunk::<4>()
            .ok_or_else(|| bad("the file ends before its header"))?;
        let len = u32::from_be_bytes(*len) as usize;
        if len > MAX_STATE_HEADER || len > rest.len() {
            return Err(bad(format!("header length {len} is beyond the file")));
        }
        let (json, snapshot) = rest.split_at(len);
        let h: StateHeader =
            serde_json::from_slice(json).map_err(|e| bad(format!("header: {e}")))?;
        if h.snapshot_version != scrutin_tally::SNAPSHOT_VERSION {
            return Err(bad(format!(
                "meeting snapshot version {}, this build reads only version {}",
                h.snapshot_version,
                scrutin_tally::SNAPSHOT_VERSION
            )));
        }
        if snapshot.len() as u64 != h.snapshot_bytes {
            return Err(bad(format!(
                "the meeting snapshot has {} bytes, the header says {}",
                snapshot.len(),
                h.snapshot_bytes
            )));
        }
        let snapshot_sha256 = Hash(Sha256::digest(snapshot).into());
        if snapshot_sha256 != hash_of(&h.meeting_state_sha256, "meeting_state_sha256")? {
            return Err(bad(format!(
                "the meeting snapshot hashes to {snapshot_sha256}, not to the meeting-state \
                 digest {} of the header: it was altered or damaged",
                h.meeting_state_sha256
            )));
        }
        let hashes = h
            .frontier
            .iter()
            .map(|t| hash_of(t, "frontier"))
            .collect::<Result<Vec<_>, _>>()?;
        let frontier =
            Frontier::from_parts(h.size, hashes).map_err(|e| bad(format!("frontier: {e}")))?;
        let cp = SignedCheckpoint::parse_note(&h.checkpoint)
            .map_err(|e| bad(format!("checkpoint: {e}")))?;
        if cp.checkpoint.origin != h.origin
            || cp.checkpoint.size != h.size
            || cp.checkpoint.root != frontier.root()
        {
            return Err(bad(
                "the checkpoint is not of the origin, size and frontier the state records",
            ));
        }
        let last_digest = match &h.replay.last_tally_sha256 {
            None => None,
            Some(t) => Some((
                h.replay.last_tally_format.unwrap_or(1),
                hash_of(t, "last_tally_sha256")?.0,
            )),
        };
        Ok(VerifyState {
            checkpoint: h.checkpoint,
            trust: h.trust,
            prefix: VerifiedPrefix {
                origin: h.origin,
                size: h.size,
                frontier,
                head: hash_of(&h.chain_head, "chain_head")?,
                last_recorded_at_ms: h.last_recorded_at_ms,
                entries_bytes: h.entries_bytes,
                entries_sha256: hash_of(&h.entries_sha256, "entries_sha256")?,
            },
            counters: ReplayCounters {
                entries: h.replay.events,
                declarations: h.replay.declarations,
                authors: h.replay.authored_after_genesis,
                registrar_name: h.replay.registrar_name,
                last_digest,
            },
            snapshot: snapshot.to_vec(),
            snapshot_sha256,
        })
    }
}

/// Verifies a bundle as [`crate::verify_bundle_pinned`] does, continuing from `since` (a
/// previous valid verification of a prefix of the same log) and, with `record`, returning the
/// state this verification leaves when it is valid.
///
/// With `since`, the first `since.size()` entries are neither decoded nor checked again:
/// their bytes must hash to the bytes verified (else check 2 fails: a fork, a rewritten entry,
/// or a bundle of fewer entries), the new entries are chained to the recorded chain head, the
/// Merkle root is the recorded frontier extended by their leaves (RFC 9162 section 2.1), and
/// the rules are checked from the restored meeting. The report is the one a full verification
/// gives (same checks, tally, announcement), plus [`VerifyReport::incremental`].
///
/// # Errors
/// [`LedgerError::StateTrustMismatch`] when `trust` is not the set of keys `since` was
/// verified under; [`LedgerError::BadVerifyState`] if its snapshot does not decode; otherwise
/// as [`crate::verify_bundle`].
pub fn verify_bundle_since(
    reader: impl Read,
    trust: &[NoteVerifier],
    pin: &Pin,
    since: Option<&VerifyState>,
    record: bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(VerifyReport, Option<VerifyState>), LedgerError> {
    let keys = trust_strings(trust);
    let mut replay = match since {
        None => Replay::new(trust),
        Some(s) => {
            if s.trust != keys {
                return Err(LedgerError::StateTrustMismatch {
                    state: s.trust.join(" "),
                    given: keys.join(" "),
                });
            }
            let meeting = Meeting::from_snapshot(&s.snapshot)
                .map_err(|e| bad(format!("meeting snapshot: {e}")))?;
            Replay::resume(trust, meeting, s.counters.clone())
        }
    };
    let mut log_report = {
        // The replay records its own first failure; the log's checks go on regardless.
        let mut observe = |e: &scrutin_log::Entry| {
            let _ = replay.on_entry(e);
        };
        verify_bundle_resuming(
            reader,
            trust,
            since.map(|s| &s.prefix),
            record,
            &mut observe,
            progress,
        )?
    };
    end_of_log(&mut replay, &log_report.origin);
    let prefix = log_report.prefix.take();
    let decoded = log_report.decoded;
    let mut report = assemble(log_report, &replay, trust);
    report.incremental = since.map(|s| Incremental {
        since_size: s.size(),
        entries_checked: decoded,
    });
    let report = apply_pin(report, trust, pin);
    let state = match (report.is_valid(), prefix, &report.checkpoint) {
        (true, Some(prefix), Some(cp)) => {
            let snapshot = replay
                .meeting
                .to_snapshot()
                .map_err(|e| bad(format!("meeting snapshot: {e}")))?;
            Some(VerifyState {
                checkpoint: cp.to_note_text(),
                trust: keys,
                prefix,
                counters: replay.counters(),
                snapshot_sha256: Hash(Sha256::digest(&snapshot).into()),
                snapshot,
            })
        }
        _ => None,
    };
    Ok((report, state))
}
