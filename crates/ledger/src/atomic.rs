//! Durable file outputs (bundles, checkpoint notes, receipts): written whole or not at all.
//!
//! A file is written under a temporary name in its own directory, flushed and fsynced, renamed
//! over the target, and the directory fsynced: a reader of the target sees the old file or the
//! new one, never part of one, and once the call returns the new file survives a crash.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::LedgerError;

fn io(path: &Path, e: impl std::fmt::Display) -> LedgerError {
    LedgerError::Io(format!("{}: {e}", path.display()))
}

/// The directory `path` is in (`.` for a bare file name).
pub(crate) fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// A name beside `path`, unique to this process and call, hidden from listings.
pub(crate) fn temporary_beside(path: &Path, what: &str) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    parent_of(path).join(format!(".{name}.{what}-{}-{n}", std::process::id()))
}

/// Makes a rename or a new entry in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), LedgerError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io(dir, e))
}

/// Writes `bytes` to `path` atomically and durably (see [`write_atomic_with`]).
///
/// # Errors
/// [`LedgerError::Io`] naming the file; `path` is then unchanged.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), LedgerError> {
    write_atomic_with(path, |w| Ok(w.write_all(bytes)?))
}

/// Writes to `path` whatever `write` writes, atomically and durably: into a temporary file in
/// the same directory, flushed and fsynced, then renamed over `path`, then the directory
/// fsynced. If `write` fails (or anything else does) the temporary file is removed and `path`
/// is untouched: it never holds part of the output.
///
/// # Errors
/// The error `write` returns; [`LedgerError::Io`] naming the file.
pub fn write_atomic_with<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T, LedgerError>,
) -> Result<T, LedgerError> {
    let tmp = temporary_beside(path, "partial");
    let result = (|| {
        let f = File::options()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| io(&tmp, e))?;
        let mut w = BufWriter::new(f);
        let value = write(&mut w)?;
        let f = w.into_inner().map_err(|e| io(&tmp, e.error()))?;
        f.sync_all().map_err(|e| io(&tmp, e))?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(|e| io(path, e))?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return result;
    }
    sync_dir(&parent_of(path))?;
    result
}
