//! The ledger: a verifiable log whose entries are meeting events, and the meeting state
//! folded from them.

use std::io::Write;
use std::ops::Range;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard};

use scrutin_log::{BundleSummary, Hash, Log, SignedCheckpoint, Signer};
use scrutin_model::{encode_event, AuthorKey, Event, HolderId, MeetingConvened, UtcMillis};
use scrutin_tally::{render_announcement, Meeting, Planned, Tally, TALLY_FORMAT};
use sha2::{Digest, Sha256};

use crate::receipt::build_receipt;
use crate::receipt_index;
use crate::scan::for_each_event;
use crate::state_cache;
use crate::{LedgerError, VoteReceipt};

/// The log origin of a meeting's ledger: `scrutin/<meeting id>`.
pub fn origin_for(meeting_id: &str) -> String {
    format!("scrutin/{meeting_id}")
}

/// The author key of a signer, as the meeting's events name keys.
pub(crate) fn author_of(signer: &Signer) -> AuthorKey {
    AuthorKey(*signer.public_key().as_bytes())
}

/// SHA-256 of a tally's canonical JSON in the current format ([`TALLY_FORMAT`]): what a
/// declaration recorded by this build certifies.
pub fn tally_digest(tally: &Tally) -> [u8; 32] {
    Sha256::digest(tally.to_json().as_bytes()).into()
}

/// SHA-256 of a tally's canonical JSON of tally format `format`: what a declaration of that
/// format certifies (`ResultDeclared` format 1, `ResultDeclaredV2` the format it names);
/// `None` for a format this build does not know.
pub fn tally_digest_of_format(tally: &Tally, format: u16) -> Option<[u8; 32]> {
    tally
        .json_of_format(format)
        .map(|json| Sha256::digest(json.as_bytes()).into())
}

/// A meeting's ledger: the durable, signed, verifiable log of its events, and the meeting
/// state folded from them.
///
/// Every event is checked against the state before it is appended: a refused event changes
/// nothing. An appended event is durable when `submit` returns. One writer per directory (the
/// log holds a lock on it); within the process a `Ledger` is `Send + Sync` and concurrent
/// submitters are serialised.
pub struct Ledger {
    pub(crate) log: Log,
    pub(crate) state: RwLock<Meeting>,
    /// Serialises check-append-apply so that each event is checked against the state the
    /// events before it produced.
    writer: Mutex<()>,
    /// The number of events the state cache on disk folds (0: none), see `state_cache`.
    cached: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("origin", &self.log.origin())
            .field("len", &self.log.len())
            .finish()
    }
}

impl Ledger {
    /// Creates the ledger of a new meeting in `dir`, whose genesis entry is `convened`
    /// signed by `registrar`. The log origin is `scrutin/<convened.id>`.
    ///
    /// # Errors
    /// [`LedgerError::RegistrarMismatch`] if `registrar`'s key is not `convened.registrar`;
    /// [`LedgerError::Rejected`] if the rules refuse the genesis; log errors (a ledger already
    /// exists in `dir`, storage, I/O).
    pub fn create(
        dir: &Path,
        convened: MeetingConvened,
        registrar: &Signer,
    ) -> Result<Ledger, LedgerError> {
        let author = author_of(registrar);
        if author != convened.registrar {
            return Err(LedgerError::RegistrarMismatch {
                registrar: convened.registrar.to_string(),
                signer: author.to_string(),
            });
        }
        let origin = origin_for(&convened.id);
        let event = Event::MeetingConvened(convened);
        let mut meeting = Meeting::new();
        let payload = encode(&event)?;
        let log = Log::create(dir, &origin)?;
        let at = log.next_time();
        meeting
            .check(&event, &author, UtcMillis(at))
            .map_err(|violation| LedgerError::Rejected {
                position: 0,
                violation,
            })?;
        log.append_batch_at(registrar, vec![payload], at)?;
        receipt_index::record_appended(&log, 0, std::slice::from_ref(&event));
        meeting.apply(&event, &author, UtcMillis(at));
        Ok(Ledger {
            log,
            state: RwLock::new(meeting),
            writer: Mutex::new(()),
            cached: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Opens the ledger in `dir` and replays its events into the meeting state.
    ///
    /// # Errors
    /// As [`Ledger::open_with_progress`].
    pub fn open(dir: &Path) -> Result<Ledger, LedgerError> {
        Ledger::open_with_progress(dir, &mut |_, _| {})
    }

    /// Opens the ledger in `dir` and replays its events into the meeting state, calling
    /// `progress(done, total)` as entries are replayed.
    ///
    /// The log checks its own integrity on open (head, size, chain of the stored tail);
    /// signatures are not re-verified here (they were verified when appended and are verified
    /// again by [`crate::verify_bundle`]), so that reopening a large ledger is one sequential
    /// decode-and-fold scan.
    ///
    /// # Errors
    /// Log errors (no ledger in `dir`, locked, damaged); [`LedgerError::Malformed`] if an
    /// entry's payload is not a valid event (naming the entry).
    pub fn open_with_progress(
        dir: &Path,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Ledger, LedgerError> {
        let log = Log::open(dir)?;
        let total = log.len();
        if total == 0 {
            return Err(LedgerError::Malformed(format!(
                "the ledger at {} has no genesis entry (its creation was interrupted): remove \
                 the directory and create the ledger again",
                dir.display()
            )));
        }
        // The state cache, when it is this log's, folds the first `from` events: only the
        // rest are replayed (all of them without it).
        let (from, mut meeting) =
            state_cache::load(dir, &log).unwrap_or_else(|| (0, Meeting::new()));
        progress(from, total);
        let step = (total / 100).max(1);
        // The receipt index is not touched here: the first receipt completes it (reopening
        // stays one lean pass).
        for_each_event(&log, from..total, |index, author, at, event| {
            // The events were checked when appended; folding without re-checking keeps the
            // replay a single cheap pass.
            meeting.apply(&event, &author, at);
            let done = index + 1;
            if done.is_multiple_of(step) || done == total {
                progress(done, total);
            }
            Ok(())
        })?;
        Ok(Ledger {
            log,
            state: RwLock::new(meeting),
            writer: Mutex::new(()),
            cached: std::sync::atomic::AtomicU64::new(from),
        })
    }

    /// Writes the state cache (`DIR/meeting.state`, see [`crate::state_cache`]) when the log
    /// has grown enough since the cache was taken, so that the next [`Ledger::open`] reads the
    /// folded state instead of replaying every event. Returns whether it wrote. Atomic and
    /// durable; a failure leaves the old cache (or none), which is only slower to reopen.
    ///
    /// # Errors
    /// I/O and log errors writing the cache.
    pub fn save_state_if_due(&self) -> Result<bool, LedgerError> {
        let due = state_cache::due(
            self.cached.load(std::sync::atomic::Ordering::Relaxed),
            self.log.len(),
        );
        if due {
            self.save_state()?;
        }
        Ok(due)
    }

    /// Writes the state cache now, whatever the log's growth (see
    /// [`Ledger::save_state_if_due`]).
    ///
    /// # Errors
    /// I/O and log errors writing the cache.
    pub fn save_state(&self) -> Result<(), LedgerError> {
        let _writer = self.lock_writer();
        let meeting = self.read_state();
        state_cache::save(self.log.dir(), &self.log, meeting.events(), &meeting)?;
        self.cached
            .store(meeting.events(), std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// The log origin (`scrutin/<meeting id>`).
    pub fn origin(&self) -> String {
        self.log.origin().to_string()
    }

    /// The number of entries (events) recorded.
    pub fn len(&self) -> u64 {
        self.log.len()
    }

    /// Whether the ledger has no entries (never true once created: the genesis is entry 0).
    pub fn is_empty(&self) -> bool {
        self.log.len() == 0
    }

    /// Checks `event`, authored by `signer`, against the meeting state; if valid, appends it
    /// durably and folds it in. Returns the entry's index.
    ///
    /// # Errors
    /// [`LedgerError::Rejected`] (position 0) with the rule the event breaks, or
    /// [`LedgerError::WrongDeclaration`]; nothing is recorded then. Log errors.
    pub fn submit(&self, signer: &Signer, event: Event) -> Result<u64, LedgerError> {
        let range = self.submit_batch(signer, vec![event])?;
        Ok(range.start)
    }

    /// Checks every event in order against the state the events before it would produce,
    /// then appends them all in one durable group commit and folds them in. All or nothing.
    /// Returns the range of their entry indices.
    ///
    /// # Errors
    /// [`LedgerError::Rejected`] naming the first refused event's position and the rule it
    /// breaks, or [`LedgerError::WrongDeclaration`]: nothing is recorded then. Log errors
    /// (the log appends all or none).
    pub fn submit_batch(
        &self,
        signer: &Signer,
        events: Vec<Event>,
    ) -> Result<Range<u64>, LedgerError> {
        let _writer = self.lock_writer();
        let start = self.log.len();
        if events.is_empty() {
            return Ok(start..start);
        }
        let author = author_of(signer);
        // The time the entries will carry: the rules check proxy forms against it, and the
        // log records it (or later, never earlier) while this writer alone appends.
        let at = self.log.next_time();
        let recorded = UtcMillis(at);
        if let [event] = events.as_slice() {
            // One event: no need to clone the state to keep the batch all-or-nothing.
            let planned = check_one(&self.read_state(), event, &author, recorded, 0)?;
            let payload = encode(event)?;
            let entry = self
                .log
                .append_batch_at(signer, vec![payload], at)?
                .pop()
                .ok_or_else(|| LedgerError::Malformed("the log appended no entry".into()))?;
            receipt_index::record_appended(&self.log, entry.index, &events);
            let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
            if entry.recorded_at_ms == at {
                // Planned at this time on this state (the writer lock held throughout).
                state.commit(planned);
            } else {
                state.apply(event, &author, UtcMillis(entry.recorded_at_ms));
            }
            return Ok(entry.index..entry.index + 1);
        }
        let mut next = self.read_state().clone();
        let mut payloads = Vec::with_capacity(events.len());
        for (position, event) in events.iter().enumerate() {
            let planned = check_one(&next, event, &author, recorded, position)?;
            next.commit(planned);
            payloads.push(encode(event)?);
        }
        let entries = self.log.append_batch_at(signer, payloads, at)?;
        let first = entries.first().map_or(start, |e| e.index);
        receipt_index::record_appended(&self.log, first, &events);
        *self.state.write().unwrap_or_else(|p| p.into_inner()) = next;
        Ok(first..first + entries.len() as u64)
    }

    /// Runs `f` on the current meeting state (under a read lock: `f` must not call this
    /// ledger's writing methods, which wait for that lock).
    pub fn with_meeting<R>(&self, f: impl FnOnce(&Meeting) -> R) -> R {
        f(&self.read_state())
    }

    /// The count as it stands.
    pub fn tally(&self) -> Tally {
        self.read_state().tally()
    }

    /// The poll-results announcement as it stands.
    pub fn announcement(&self) -> String {
        let state = self.read_state();
        render_announcement(&state, &state.tally())
    }

    /// Records `ResultDeclared` with the SHA-256 of the current tally JSON, signed by
    /// `scrutineer`. Returns the entry's index.
    ///
    /// # Errors
    /// [`LedgerError::Rejected`] if the rules refuse it now (polls still open, or the key does
    /// not hold the scrutineer authority); log errors.
    pub fn declare_result(&self, scrutineer: &Signer) -> Result<u64, LedgerError> {
        let author = author_of(scrutineer);
        let _writer = self.lock_writer();
        let event = Event::ResultDeclaredV2 {
            tally_format: TALLY_FORMAT,
            tally_sha256: tally_digest(&self.read_state().tally()),
        };
        let at = self.log.next_time();
        // The digest is right by construction; only the rules remain to be checked.
        self.read_state()
            .check(&event, &author, UtcMillis(at))
            .map_err(|violation| LedgerError::Rejected {
                position: 0,
                violation,
            })?;
        let entry = self
            .log
            .append_batch_at(scrutineer, vec![encode(&event)?], at)?
            .pop()
            .ok_or_else(|| LedgerError::Malformed("the log appended no entry".into()))?;
        receipt_index::record_appended(&self.log, entry.index, std::slice::from_ref(&event));
        self.state.write().unwrap_or_else(|p| p.into_inner()).apply(
            &event,
            &author,
            UtcMillis(entry.recorded_at_ms),
        );
        Ok(entry.index)
    }

    /// Signs a checkpoint of the whole log with `signer` and stores it as the latest.
    ///
    /// # Errors
    /// Log errors.
    pub fn checkpoint(&self, signer: &Signer) -> Result<SignedCheckpoint, LedgerError> {
        let _writer = self.lock_writer();
        Ok(self.log.checkpoint(signer)?)
    }

    /// The latest stored checkpoint, if any.
    ///
    /// # Errors
    /// Log errors.
    pub fn latest_checkpoint(&self) -> Result<Option<SignedCheckpoint>, LedgerError> {
        Ok(self.log.latest_checkpoint()?)
    }

    /// The stored checkpoint of exactly `size` entries, if any.
    ///
    /// # Errors
    /// Log errors.
    pub fn checkpoint_at(&self, size: u64) -> Result<Option<SignedCheckpoint>, LedgerError> {
        Ok(self.log.checkpoint_at(size)?)
    }

    /// The sizes of every stored checkpoint, ascending.
    ///
    /// # Errors
    /// Log errors.
    pub fn checkpoint_sizes(&self) -> Result<Vec<u64>, LedgerError> {
        Ok(self.log.checkpoint_sizes()?)
    }

    /// The first `width` hashes of a stored Merkle tile (C2SP tlog-tiles layout; see
    /// [`scrutin_log::Log::tile`]).
    ///
    /// # Errors
    /// Log errors.
    pub fn tile(&self, level: u8, index: u64, width: usize) -> Result<Vec<u8>, LedgerError> {
        Ok(self.log.tile(level, index, width)?)
    }

    /// The entries in `range` (decoded; their signatures are not checked here).
    pub fn entries(
        &self,
        range: std::ops::Range<u64>,
    ) -> impl Iterator<Item = Result<scrutin_log::Entry, LedgerError>> + '_ {
        self.log
            .entries(range)
            .map(|r| r.map_err(LedgerError::from))
    }

    /// Stores a checkpoint of this log (e.g. one that witnesses have cosigned).
    ///
    /// # Errors
    /// Log errors ([`scrutin_log::LogError::CheckpointMismatch`] if it does not describe
    /// this log).
    pub fn store_checkpoint(&self, cp: &SignedCheckpoint) -> Result<(), LedgerError> {
        Ok(self.log.store_checkpoint(cp)?)
    }

    /// An RFC 9162 consistency proof between the log's sizes `old` and `new`.
    ///
    /// # Errors
    /// Log errors (sizes out of range or in the wrong order).
    pub fn prove_consistency(&self, old: u64, new: u64) -> Result<Vec<Hash>, LedgerError> {
        Ok(self.log.prove_consistency(old, new)?)
    }

    /// Writes the portable bundle (every entry and the latest checkpoint) to `out`.
    /// `progress(done, total)` is called as it goes.
    ///
    /// # Errors
    /// [`LedgerError::NoCheckpoint`]; [`LedgerError::StaleCheckpoint`] if the log has grown
    /// since the latest checkpoint; log and I/O errors.
    pub fn export(
        &self,
        out: impl Write,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<BundleSummary, LedgerError> {
        let cp = self.current_checkpoint()?;
        let total = cp.checkpoint.size;
        progress(0, total);
        Ok(self
            .log
            .export_with_progress(&cp, out, &mut |done| progress(done, total))?)
    }

    /// The receipt of `holder`: each of its ballots and its proxies' ballots, with inclusion
    /// proofs against the stored checkpoint whose last entry is the log's last result
    /// declaration, that declaration, and the entries showing whether it is final.
    ///
    /// # Errors
    /// [`LedgerError::NoCheckpoint`]; [`LedgerError::NotFound`] if no result is declared or
    /// the holder has no ballot before the last declaration;
    /// [`LedgerError::DeclarationNotCheckpointed`] if no stored checkpoint ends with the last
    /// declaration (sign one right after declaring); log errors.
    pub fn receipt(&self, holder: &HolderId) -> Result<VoteReceipt, LedgerError> {
        let latest = self
            .log
            .latest_checkpoint()?
            .ok_or(LedgerError::NoCheckpoint)?;
        let size = latest.checkpoint.size;
        if receipt_index::indexed_size(&self.log)? != Some(self.log.len()) {
            // Appended by another path (or a failed index write): complete it first.
            let _writer = self.lock_writer();
            receipt_index::catch_up(&self.log)?;
        }
        match self.receipt_by_index(holder, size)? {
            Some(r) => Ok(r),
            None => self.receipt_by_scan(holder),
        }
    }

    /// The receipt of `holder` read through the receipt index against the checkpoint whose
    /// last entry is the log's declaration (`latest_size`, the latest checkpoint's size,
    /// only names it in an error), or `None` when the index cannot serve: it does not cover
    /// the whole log, or the log does not end with its declaration. [`Ledger::receipt`]
    /// then scans; the bytes are the same either way.
    ///
    /// # Errors
    /// As [`Ledger::receipt`].
    pub fn receipt_by_index(
        &self,
        holder: &HolderId,
        latest_size: u64,
    ) -> Result<Option<VoteReceipt>, LedgerError> {
        receipt_index::catch_up(&self.log)?;
        let state = self.read_state();
        receipt_index::receipt_by_index(&self.log, &state, latest_size, holder)
    }

    /// The receipt of `holder` built by a full scan of the log (what [`Ledger::receipt`] does
    /// when its index cannot serve: a log that does not end with its declaration). The same
    /// bytes as [`Ledger::receipt`]; kept public so that the two can be compared.
    ///
    /// # Errors
    /// As [`Ledger::receipt`].
    pub fn receipt_by_scan(&self, holder: &HolderId) -> Result<VoteReceipt, LedgerError> {
        let latest = self
            .log
            .latest_checkpoint()?
            .ok_or(LedgerError::NoCheckpoint)?;
        let proxies = self.read_state().proxies_of(holder);
        build_receipt(&self.log, latest.checkpoint.size, holder, &proxies)
    }

    fn current_checkpoint(&self) -> Result<SignedCheckpoint, LedgerError> {
        let cp = self
            .log
            .latest_checkpoint()?
            .ok_or(LedgerError::NoCheckpoint)?;
        let log_size = self.log.len();
        if cp.checkpoint.size != log_size {
            return Err(LedgerError::StaleCheckpoint {
                checkpoint_size: cp.checkpoint.size,
                log_size,
            });
        }
        Ok(cp)
    }

    /// The log (for the crate's own readers, such as the bulk receipts).
    pub(crate) fn log(&self) -> &Log {
        &self.log
    }

    pub(crate) fn read_state(&self) -> RwLockReadGuard<'_, Meeting> {
        // A panic while holding the lock cannot leave the state half-applied (it is swapped
        // or folded whole), so a poisoned lock is still usable.
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn lock_writer(&self) -> MutexGuard<'_, ()> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Checks one event against `meeting`, including the ledger's own check of a declaration's
/// digest.
pub(crate) fn check_one<'e>(
    meeting: &Meeting,
    event: &'e Event,
    author: &AuthorKey,
    recorded_at: UtcMillis,
    position: usize,
) -> Result<Planned<'e>, LedgerError> {
    let planned = meeting
        .plan(event, author, recorded_at)
        .map_err(|violation| LedgerError::Rejected {
            position,
            violation,
        })?;
    if let Some(d) = event.declaration() {
        let expected = tally_digest_of_format(&meeting.tally(), d.tally_format);
        if expected != Some(d.tally_sha256) {
            return Err(LedgerError::WrongDeclaration {
                position,
                declared: hex::encode(d.tally_sha256),
                expected: expected.map_or_else(
                    || {
                        format!(
                            "a tally of format {} (unknown to this build)",
                            d.tally_format
                        )
                    },
                    hex::encode,
                ),
            });
        }
    }
    Ok(planned)
}

pub(crate) fn encode(event: &Event) -> Result<Vec<u8>, LedgerError> {
    encode_event(event).map_err(|e| LedgerError::Malformed(e.to_string()))
}
