//! A ledger opened for what needs only its log (checkpoints, export, status, a witness's
//! consistency proof): no replay of the meeting, so opening costs the same for ten entries
//! or ten million.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use scrutin_log::{BundleSummary, Hash, Log, SignedCheckpoint, Signer};
use scrutin_model::{Event, ResolutionId};

use crate::atomic::write_atomic_with;
use crate::scan::for_each_event;
use crate::{Ledger, LedgerError};

/// A meeting's ledger opened without replaying its events: the signed log alone.
///
/// It holds the ledger directory's lock like a [`Ledger`] (one writer per directory); the
/// only writes it makes are checkpoints, which need no meeting state.
pub struct LedgerLog {
    log: Log,
}

impl std::fmt::Debug for LedgerLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerLog")
            .field("origin", &self.log.origin())
            .field("len", &self.log.len())
            .finish()
    }
}

/// Where the polls of a meeting stand, as its log records them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollsState {
    /// Resolutions proposed.
    pub resolutions: usize,
    /// Resolutions whose poll has closed.
    pub closed: usize,
}

impl PollsState {
    /// Whether at least one resolution is proposed and every poll is closed.
    pub fn all_closed(&self) -> bool {
        self.resolutions > 0 && self.closed == self.resolutions
    }
}

impl Ledger {
    /// Opens the ledger in `dir` for reads that need only its log (and for signing and
    /// storing checkpoints), without replaying the meeting.
    ///
    /// # Errors
    /// Log errors (no ledger in `dir`, locked, damaged).
    pub fn open_log_only(dir: &Path) -> Result<LedgerLog, LedgerError> {
        Ok(LedgerLog {
            log: Log::open(dir)?,
        })
    }

    /// Writes the portable bundle to `path` atomically (see [`crate::write_atomic_with`]):
    /// `path` holds the whole bundle once this returns, and never part of one.
    ///
    /// # Errors
    /// As [`Ledger::export`]; `path` is then untouched.
    pub fn export_to(
        &self,
        path: &Path,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<BundleSummary, LedgerError> {
        write_atomic_with(path, |w| self.export(w, progress))
    }
}

impl LedgerLog {
    /// The log origin (`scrutin/<meeting id>`).
    pub fn origin(&self) -> &str {
        self.log.origin()
    }

    /// The number of entries recorded.
    pub fn len(&self) -> u64 {
        self.log.len()
    }

    /// Whether the log has no entries (never, for a ledger created whole).
    pub fn is_empty(&self) -> bool {
        self.log.is_empty()
    }

    /// Signs a checkpoint of the whole log with `signer` and stores it as the latest.
    ///
    /// # Errors
    /// Log errors.
    pub fn checkpoint(&self, signer: &Signer) -> Result<SignedCheckpoint, LedgerError> {
        Ok(self.log.checkpoint(signer)?)
    }

    /// The latest stored checkpoint, if any.
    ///
    /// # Errors
    /// Log errors.
    pub fn latest_checkpoint(&self) -> Result<Option<SignedCheckpoint>, LedgerError> {
        Ok(self.log.latest_checkpoint()?)
    }

    /// Stores a checkpoint of this log (e.g. one that witnesses have cosigned).
    ///
    /// # Errors
    /// Log errors (the checkpoint does not describe this log).
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
    ///
    /// # Errors
    /// [`LedgerError::NoCheckpoint`]; [`LedgerError::StaleCheckpoint`] if the log has grown
    /// since the latest checkpoint; log and I/O errors.
    pub fn export(
        &self,
        out: impl Write,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<BundleSummary, LedgerError> {
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
        let total = cp.checkpoint.size;
        progress(0, total);
        Ok(self
            .log
            .export_with_progress(&cp, out, &mut |done| progress(done, total))?)
    }

    /// [`LedgerLog::export`] to `path`, atomically (see [`crate::write_atomic_with`]).
    ///
    /// # Errors
    /// As [`LedgerLog::export`]; `path` is then untouched.
    pub fn export_to(
        &self,
        path: &Path,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<BundleSummary, LedgerError> {
        write_atomic_with(path, |w| self.export(w, progress))
    }

    /// Where the polls stand: read from the resolution and poll events alone (each entry is
    /// decoded, no voting rule is run and no ballot counted).
    ///
    /// # Errors
    /// Log errors; [`LedgerError::Malformed`] for an entry that is not an event.
    pub fn polls(&self) -> Result<PollsState, LedgerError> {
        /// A resolution's poll: 0 pending, 1 open, 2 closed (as the meeting folds them: an
        /// event opens a pending poll and closes an open one, and never goes back).
        fn set(polls: &mut BTreeMap<ResolutionId, u8>, only: Option<&ResolutionId>, to: u8) {
            for (id, poll) in polls.iter_mut() {
                if only.is_none_or(|o| o == id) && *poll + 1 == to {
                    *poll = to;
                }
            }
        }
        let len = self.log.len();
        let mut polls: BTreeMap<ResolutionId, u8> = BTreeMap::new();
        for_each_event(&self.log, 0..len, |_, _, _, event| {
            match event {
                Event::ResolutionProposed(r) => {
                    polls.insert(r.id, 0);
                }
                Event::PollOpened { resolution } => set(&mut polls, resolution.as_ref(), 1),
                Event::PollClosed { resolution } => set(&mut polls, resolution.as_ref(), 2),
                _ => {}
            }
            Ok(())
        })?;
        let resolutions = polls.len();
        let closed = polls.values().filter(|p| **p == 2).count();
        Ok(PollsState {
            resolutions,
            closed,
        })
    }
}
