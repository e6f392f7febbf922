//! A witness's durable state: for each log it watches, the log's pinned verifier key and the
//! last checkpoint it cosigned, kept so that the witness never cosigns two forks of one log,
//! nor a smaller checkpoint after a larger one, across concurrent runs and crashes.
//!
//! Layout of the state directory, one sub-directory per log origin:
//!
//! - `<name>/origin`: the exact origin (bytes), checked on every use;
//! - `<name>/lock`: locked (OS file lock, exclusive) while a cosignature is decided;
//! - `<name>/log.vkey`: the log's verifier key, pinned on first use;
//! - `<name>/last-checkpoint`: the body (origin, size, root) of the last checkpoint cosigned;
//!
//! where `<name>` is [`origin_dir_name`]: a readable prefix and the SHA-256 of the origin, so
//! distinct origins never share a directory and no origin escapes the state directory.
//!
//! The rule that makes the witness safe: a cosignature is returned only after the checkpoint
//! it signs has been written durably as the last one (temporary file, fsync, rename, fsync of
//! the directory), under the origin's lock. A cosignature the caller publishes is therefore
//! always recorded; a crash at any point loses at most a cosignature nobody saw.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};

use scrutin_log::{Checkpoint, Cosignature, Hash, NoteVerifier, SignedCheckpoint, Signer, Witness};
use sha2::{Digest, Sha256};

use crate::error::LedgerError;

/// The file naming the exact origin of an origin directory.
const ORIGIN_FILE: &str = "origin";
/// The lock file of an origin directory.
const LOCK_FILE: &str = "lock";
/// The pinned log key.
const KEY_FILE: &str = "log.vkey";
/// The last checkpoint cosigned.
const LAST_FILE: &str = "last-checkpoint";
/// How many characters of the origin the readable prefix of a directory name keeps.
const PREFIX_CHARS: usize = 48;

/// The name of the directory that holds the state of `origin`: up to 48 characters of the
/// origin with every character outside `[A-Za-z0-9-]` replaced by `_` (for people), `-`, and
/// the 64 lowercase hex digits of the SHA-256 of the origin (which makes it injective, also on
/// case-insensitive file systems). It is never `.` or `..` and never contains a separator.
///
/// ```
/// let name = scrutin::origin_dir_name("scrutin/a b");
/// assert!(name.starts_with("scrutin_a_b-"));
/// assert_ne!(name, scrutin::origin_dir_name("scrutin/a_b"));
/// ```
pub fn origin_dir_name(origin: &str) -> String {
    let prefix: String = origin
        .chars()
        .take(PREFIX_CHARS)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{prefix}-{}",
        hex::encode(Sha256::digest(origin.as_bytes()))
    )
}

/// The directory name the first `scrutin cosign` used (`/` and other characters replaced by
/// `_`, `.` kept): not injective, and `..` for the origin `..`. Read only to migrate.
fn legacy_dir_name(origin: &str) -> Option<String> {
    let name: String = origin
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    (name != "." && name != "..").then_some(name)
}

/// The origin directories locked by this process: the OS lock alone is not guaranteed to
/// exclude two threads of one process.
static HELD: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());
/// Signalled whenever an entry leaves [`HELD`].
static RELEASED: Condvar = Condvar::new();

fn held() -> MutexGuard<'static, BTreeSet<PathBuf>> {
    HELD.lock().unwrap_or_else(|p| p.into_inner())
}

/// This process's hold on one origin directory; released on drop.
#[derive(Debug)]
struct Held(PathBuf);

impl Held {
    fn take(dir: &Path) -> Held {
        let mut set = held();
        while set.contains(dir) {
            set = RELEASED.wait(set).unwrap_or_else(|p| p.into_inner());
        }
        set.insert(dir.to_owned());
        Held(dir.to_owned())
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        held().remove(&self.0);
        RELEASED.notify_all();
    }
}

fn io(path: &Path, e: std::io::Error) -> LedgerError {
    LedgerError::Io(format!("{}: {e}", path.display()))
}

fn damaged(path: &Path, reason: impl std::fmt::Display) -> LedgerError {
    LedgerError::DamagedWitnessState {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// Makes the entries of `dir` (files created, renamed) durable.
fn sync_dir(dir: &Path) -> Result<(), LedgerError> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io(dir, e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Replaces `dir/name` with `bytes` atomically and durably: a temporary file in the same
/// directory, written and fsynced, renamed over the old file, then the directory fsynced.
fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), LedgerError> {
    let tmp = dir.join(format!("{name}.tmp"));
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .map_err(|e| io(&tmp, e))?;
    f.write_all(bytes).map_err(|e| io(&tmp, e))?;
    f.sync_all().map_err(|e| io(&tmp, e))?;
    drop(f);
    let path = dir.join(name);
    fs::rename(&tmp, &path).map_err(|e| io(&path, e))?;
    sync_dir(dir)
}

/// Reads `path` as text; `None` if it (or its directory) does not exist.
fn read_optional(path: &Path) -> Result<Option<String>, LedgerError> {
    match fs::read(path) {
        Ok(b) => String::from_utf8(b)
            .map(Some)
            .map_err(|_| damaged(path, "not UTF-8")),
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => Ok(None),
        Err(e) => Err(io(path, e)),
    }
}

fn read_key(path: &Path) -> Result<Option<NoteVerifier>, LedgerError> {
    read_optional(path)?
        .map(|t| NoteVerifier::parse(t.trim()).map_err(|e| damaged(path, e)))
        .transpose()
}

fn read_last(path: &Path) -> Result<Option<Checkpoint>, LedgerError> {
    read_optional(path)?
        .map(|t| Checkpoint::parse(&t).map_err(|e| damaged(path, e)))
        .transpose()
}

/// A witness's state directory (see the module documentation for its layout).
///
/// Safe to share between threads and with other processes using the same directory: each
/// cosignature is decided under an exclusive lock of its log's origin directory.
#[derive(Debug, Clone)]
pub struct WitnessState {
    root: PathBuf,
}

impl WitnessState {
    /// Opens the state directory `dir`, creating it if needed.
    ///
    /// # Errors
    /// [`LedgerError::Io`] if it cannot be created or resolved.
    pub fn open(dir: &Path) -> Result<WitnessState, LedgerError> {
        fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let root = fs::canonicalize(dir).map_err(|e| io(dir, e))?;
        Ok(WitnessState { root })
    }

    /// The state directory (absolute).
    pub fn dir(&self) -> &Path {
        &self.root
    }

    /// The directory that holds the state of `origin`: always a direct child of
    /// [`WitnessState::dir`], named by [`origin_dir_name`].
    pub fn origin_dir(&self, origin: &str) -> PathBuf {
        self.root.join(origin_dir_name(origin))
    }

    /// Locks the state of `origin` (waiting for another thread or process holding it) and
    /// reads it. The lock is held until the returned [`OriginState`] is dropped; a thread that
    /// locks an origin it already holds waits forever.
    ///
    /// The first use of an origin creates its directory; if the directory the first
    /// `scrutin cosign` used for it exists and its `last-checkpoint` names this origin, the
    /// pinned key and last checkpoint are carried over, so the witness never forgets a size
    /// it cosigned.
    ///
    /// # Errors
    /// [`LedgerError::Usage`] for an origin with a control character; [`LedgerError::Io`];
    /// [`LedgerError::DamagedWitnessState`] if a state file does not parse or names another
    /// origin.
    pub fn lock(&self, origin: &str) -> Result<OriginState, LedgerError> {
        // An origin with a control character is no origin (docs/FORMAT.md §2): refusing it here
        // keeps state that could never be read back from being written.
        if let Some(c) = origin.chars().find(|&c| scrutin_log::is_control_char(c)) {
            return Err(LedgerError::Usage(format!(
                "the origin {} contains the control character U+{:04X}",
                scrutin_log::escape_for_display(origin),
                u32::from(c)
            )));
        }
        let dir = self.origin_dir(origin);
        let held = Held::take(&dir);
        match fs::create_dir(&dir) {
            Ok(()) => sync_dir(&self.root)?,
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io(&dir, e)),
        }
        let lock_path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| io(&lock_path, e))?;
        file.lock().map_err(|e| io(&lock_path, e))?;
        let origin_path = dir.join(ORIGIN_FILE);
        match fs::read(&origin_path) {
            Ok(b) if b == origin.as_bytes() => {}
            Ok(_) => return Err(damaged(&origin_path, "names another origin")),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                self.migrate(origin, &dir)?;
                // Written last: an origin directory without it is not yet initialised.
                write_durably(&dir, ORIGIN_FILE, origin.as_bytes())?;
            }
            Err(e) => return Err(io(&origin_path, e)),
        }
        let log_key = read_key(&dir.join(KEY_FILE))?;
        let last_path = dir.join(LAST_FILE);
        let last = read_last(&last_path)?;
        if let Some(l) = &last {
            if l.origin != origin {
                return Err(damaged(&last_path, "names another origin"));
            }
        }
        Ok(OriginState {
            dir,
            origin: origin.to_owned(),
            log_key,
            last,
            _file: file,
            _held: held,
        })
    }

    /// Carries the state the first `scrutin cosign` kept for `origin` (in a directory named
    /// by [`legacy_dir_name`]) over into `dir`, if its last checkpoint names `origin`. That
    /// version refused every origin but the first it cosigned in a shared directory, so a
    /// last checkpoint naming another origin means it never cosigned this one there.
    fn migrate(&self, origin: &str, dir: &Path) -> Result<(), LedgerError> {
        let Some(name) = legacy_dir_name(origin) else {
            return Ok(());
        };
        let old = self.root.join(name);
        let Some(last) = read_last(&old.join(LAST_FILE))? else {
            return Ok(());
        };
        if last.origin != origin {
            return Ok(());
        }
        if let Some(key) = read_key(&old.join(KEY_FILE))? {
            write_durably(
                dir,
                KEY_FILE,
                format!("{}\n", key.to_vkey_string()).as_bytes(),
            )?;
        }
        write_durably(dir, LAST_FILE, last.body_text().as_bytes())
    }

    /// The size of the last checkpoint cosigned for `origin` (0 if none): what a witness
    /// answers a log whose `old` size is stale (C2SP tlog-witness, 409).
    ///
    /// # Errors
    /// As [`WitnessState::lock`].
    pub fn size(&self, origin: &str) -> Result<u64, LedgerError> {
        Ok(self.lock(origin)?.size())
    }

    /// Locks the state of the checkpoint's origin and cosigns it with `witness` (see
    /// [`OriginState::cosign`]).
    ///
    /// # Errors
    /// As [`WitnessState::lock`] and [`OriginState::cosign`].
    pub fn cosign(
        &self,
        note: &SignedCheckpoint,
        log_key: Option<&NoteVerifier>,
        proof: &[Hash],
        witness: &Signer,
        now_unix_s: u64,
    ) -> Result<Cosignature, LedgerError> {
        self.lock(&note.checkpoint.origin)?
            .cosign(note, log_key, proof, witness, now_unix_s)
    }
}

/// The locked state of one log origin, from [`WitnessState::lock`]. Other threads and
/// processes wait for this origin until it is dropped.
#[derive(Debug)]
pub struct OriginState {
    dir: PathBuf,
    origin: String,
    log_key: Option<NoteVerifier>,
    last: Option<Checkpoint>,
    _file: File,
    _held: Held,
}

impl OriginState {
    /// The log's origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The directory holding this origin's state.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The log key pinned for this origin, if any checkpoint was cosigned yet.
    pub fn log_key(&self) -> Option<&NoteVerifier> {
        self.log_key.as_ref()
    }

    /// The last checkpoint cosigned for this origin.
    pub fn last(&self) -> Option<&Checkpoint> {
        self.last.as_ref()
    }

    /// The size of the last checkpoint cosigned (0 if none).
    pub fn size(&self) -> u64 {
        self.last.as_ref().map_or(0, |c| c.size)
    }

    /// The log key to check checkpoints with: the pinned one, or `given` on first use.
    ///
    /// # Errors
    /// [`LedgerError::LogKeyMismatch`] if `given` differs from the pinned key;
    /// [`LedgerError::NoLogKey`] if nothing is pinned and nothing given.
    pub fn resolve_log_key(
        &self,
        given: Option<&NoteVerifier>,
    ) -> Result<NoteVerifier, LedgerError> {
        match (&self.log_key, given) {
            (Some(p), Some(g)) if p != g => Err(LedgerError::LogKeyMismatch {
                origin: self.origin.clone(),
                pinned: p.to_vkey_string(),
                given: g.to_vkey_string(),
            }),
            (Some(p), _) => Ok(p.clone()),
            (None, Some(g)) => Ok(g.clone()),
            (None, None) => Err(LedgerError::NoLogKey {
                origin: self.origin.clone(),
            }),
        }
    }

    /// Cosigns `note` with `witness` if it is signed by the log's key (pinned, or `log_key`
    /// on first use), names this origin, and `proof` proves it consistent with the last
    /// checkpoint cosigned (from [`OriginState::size`] to its size; ignored when that is 0).
    /// The key and the new last checkpoint are written durably before the cosignature is
    /// returned: publish it only after this returns.
    ///
    /// # Errors
    /// [`LedgerError::WitnessRefused`] with the evidence if the checkpoint is not a consistent
    /// successor; [`LedgerError::Usage`] if the note names another origin; as
    /// [`OriginState::resolve_log_key`]; [`LedgerError::Io`] if the state cannot be written
    /// (then nothing was cosigned).
    pub fn cosign(
        &mut self,
        note: &SignedCheckpoint,
        log_key: Option<&NoteVerifier>,
        proof: &[Hash],
        witness: &Signer,
        now_unix_s: u64,
    ) -> Result<Cosignature, LedgerError> {
        if note.checkpoint.origin != self.origin {
            return Err(LedgerError::Usage(format!(
                "the checkpoint names {:?}, not the locked origin {:?}",
                note.checkpoint.origin, self.origin
            )));
        }
        let key = self.resolve_log_key(log_key)?;
        let c = Witness::cosign_after(witness, self.last.as_ref(), note, &key, proof, now_unix_s)
            .map_err(|e| LedgerError::WitnessRefused(Box::new(e)))?;
        if self.log_key.is_none() {
            write_durably(
                &self.dir,
                KEY_FILE,
                format!("{}\n", key.to_vkey_string()).as_bytes(),
            )?;
            self.log_key = Some(key);
        }
        write_durably(&self.dir, LAST_FILE, note.checkpoint.body_text().as_bytes())?;
        self.last = Some(note.checkpoint.clone());
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_names_are_injective_and_stay_inside() {
        let names = [
            "scrutin/a b",
            "scrutin/a_b",
            "..",
            ".",
            "a/../../b",
            "SCRUTIN/A B",
        ]
        .map(origin_dir_name);
        let distinct: BTreeSet<&String> = names.iter().collect();
        assert_eq!(distinct.len(), names.len(), "{names:?}");
        for n in &names {
            assert!(n.len() > 64 && !n.contains('/') && !n.contains('\\') && !n.contains('.'));
        }
        assert_eq!(legacy_dir_name(".."), None);
        assert_eq!(
            legacy_dir_name("scrutin/jlmag 2022").as_deref(),
            Some("scrutin_jlmag_2022")
        );
    }
}
