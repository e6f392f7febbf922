//! The registrar's checkpoint chores: the checkpoint to send witnesses, where each witness
//! last cosigned, the checkpoint note beside the ledger, and consistency-proof files.

use std::path::Path;

use scrutin_log::{Hash, NoteVerifier, SignedCheckpoint, Signer};

use crate::{write_atomic, Ledger, LedgerError};

/// The name of the checkpoint note written beside a ledger (`DIR/checkpoint.txt`).
pub const CHECKPOINT_NOTE: &str = "checkpoint.txt";

impl Ledger {
    /// The checkpoint of the ledger's current size: the stored one if the latest covers every
    /// entry (keeping its cosignatures), else a new one signed by `signer` and stored.
    ///
    /// # Errors
    /// Storage errors.
    pub fn checkpoint_of_current_size(
        &self,
        signer: &Signer,
    ) -> Result<SignedCheckpoint, LedgerError> {
        match self.latest_checkpoint()? {
            Some(cp) if cp.checkpoint.size == self.len() => Ok(cp),
            _ => self.checkpoint(signer),
        }
    }

    /// The size the witness `key` last cosigned, as far as this ledger knows: the largest
    /// stored checkpoint of at most `size` entries carrying a cosignature by `key`; 0 if none.
    ///
    /// # Errors
    /// Storage errors.
    pub fn last_cosigned_by(&self, key: &NoteVerifier, size: u64) -> Result<u64, LedgerError> {
        let sizes = self.checkpoint_sizes()?;
        for s in sizes.into_iter().rev().filter(|&s| s <= size) {
            if let Some(cp) = self.checkpoint_at(s)? {
                if cp
                    .cosigners()
                    .iter()
                    .any(|c| c.name == key.name() && c.key_id == key.cosigner_key_id())
                {
                    return Ok(s);
                }
            }
        }
        Ok(0)
    }
}

/// Writes `cp`'s note to `db/checkpoint.txt` (and to `out`), each atomically; returns the note.
///
/// # Errors
/// [`LedgerError::Io`] naming the file.
pub fn write_checkpoint_note(
    cp: &SignedCheckpoint,
    db: &Path,
    out: Option<&Path>,
) -> Result<String, LedgerError> {
    let note = cp.to_note_text();
    for path in std::iter::once(db.join(CHECKPOINT_NOTE).as_path()).chain(out) {
        write_atomic(path, note.as_bytes())?;
    }
    Ok(note)
}

/// Reads a consistency-proof file: one hash per line, 64 hex digits or base64; blank lines
/// skipped.
///
/// # Errors
/// [`LedgerError::Io`] if it cannot be read; [`LedgerError::BadProofHash`] naming the first
/// line that is not a hash.
pub fn read_proof_file(path: &Path) -> Result<Vec<Hash>, LedgerError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| LedgerError::Io(format!("{}: {e}", path.display())))?;
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| {
            let h = if l.len() == 64 && l.bytes().all(|b| b.is_ascii_hexdigit()) {
                Hash::from_hex(l)
            } else {
                Hash::from_base64(l)
            };
            h.map_err(|e| LedgerError::BadProofHash {
                path: path.display().to_string(),
                line: i + 1,
                reason: e.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_files_take_hex_or_base64() {
        let dir = tempfile::tempdir().unwrap();
        let h = Hash::digest(b"x");
        let p = dir.path().join("proof.txt");
        std::fs::write(&p, format!("{}\n\n{}\n", h.to_hex(), h.to_base64())).unwrap();
        assert_eq!(read_proof_file(&p).unwrap(), vec![h, h]);
        std::fs::write(&p, "zz\n").unwrap();
        let e = read_proof_file(&p).unwrap_err();
        assert!(matches!(e, LedgerError::BadProofHash { line: 1, .. }));
        assert!(e.to_string().contains(":1:1: bad hash"), "{e}");
    }
}
