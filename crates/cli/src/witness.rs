//! `scrutin cosign`: a witness (scrutineer, lawyer) cosigns a checkpoint only if it extends the
//! last checkpoint it cosigned for that log.
//!
//! State directory layout, one sub-directory per log origin (`/` and other unsafe characters
//! replaced by `_`):
//! - `<origin>/log.vkey`: the log's verifier key, pinned on first use (`--log-key`);
//! - `<origin>/last-checkpoint`: the body (origin, size, root) of the last checkpoint cosigned.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use scrutin_log::{Checkpoint, Hash, NoteVerifier, SignedCheckpoint, Witness};

use crate::commands::{ledger_err, open};
use crate::error::{io_err, CliError};
use crate::keys;

fn origin_dir(state: &Path, origin: &str) -> PathBuf {
    let safe: String = origin
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    state.join(safe)
}

/// Reads a proof file: one hash per line, 64 hex digits or base64.
fn read_proof(path: &Path) -> Result<Vec<Hash>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
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
            h.map_err(|e| CliError::Usage(format!("{}:{}:1: bad hash: {e}", path.display(), i + 1)))
        })
        .collect()
}

/// The options of `scrutin cosign`.
#[derive(Debug)]
pub(crate) struct CosignArgs<'a> {
    pub(crate) checkpoint: &'a Path,
    pub(crate) key: &'a Path,
    pub(crate) state: &'a Path,
    pub(crate) log_key: Option<&'a str>,
    pub(crate) db: Option<&'a Path>,
    pub(crate) proof: Option<&'a Path>,
    pub(crate) quiet: bool,
}

/// `scrutin cosign`: exit 0 cosigned, 1 inconsistent (evidence printed), 2 usage or I/O.
pub(crate) fn cosign(a: &CosignArgs<'_>) -> Result<ExitCode, CliError> {
    let signer = keys::read_signer(a.key)?;
    let text = std::fs::read_to_string(a.checkpoint).map_err(|e| io_err(a.checkpoint, e))?;
    // A note mailed or copied through Windows comes back with CRLF line ends; the signed text
    // is the LF form, so read it back as such (the cosigned file is written with LF).
    let text = text.replace("\r\n", "\n");
    let mut cp = SignedCheckpoint::parse_note(&text).map_err(|e| {
        CliError::Usage(format!(
            "{}: not a checkpoint note: {e}",
            a.checkpoint.display()
        ))
    })?;
    let dir = origin_dir(a.state, &cp.checkpoint.origin);
    std::fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
    let key_path = dir.join("log.vkey");
    let pinned = match std::fs::read_to_string(&key_path) {
        Ok(t) => Some(NoteVerifier::parse(t.trim()).map_err(|e| {
            CliError::Io(format!(
                "{}: damaged witness state: {e}",
                key_path.display()
            ))
        })?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(&key_path, e)),
    };
    let given = a.log_key.map(keys::parse_trust).transpose()?;
    let log_key = match (pinned, given) {
        (Some(p), Some(g)) if p != g => {
            return Err(CliError::Invalid(format!(
                "--log-key {} differs from the key this witness pinned for {} ({}): refusing",
                g.to_vkey_string(),
                cp.checkpoint.origin,
                p.to_vkey_string()
            )))
        }
        (Some(p), _) => p,
        (None, Some(g)) => g,
        (None, None) => {
            return Err(CliError::Usage(format!(
                "first cosignature for {}: pass the log's verifier key with --log-key",
                cp.checkpoint.origin
            )))
        }
    };
    let last_path = dir.join("last-checkpoint");
    let last = match std::fs::read_to_string(&last_path) {
        Ok(t) => Some(Checkpoint::parse(&t).map_err(|e| {
            CliError::Io(format!(
                "{}: damaged witness state: {e}",
                last_path.display()
            ))
        })?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(&last_path, e)),
    };
    let ledger = a.db.map(|d| open(d, a.quiet)).transpose()?;
    let proof = match &last {
        Some(old) if old.size > 0 && old.size < cp.checkpoint.size => {
            if let Some(p) = a.proof {
                read_proof(p)?
            } else if let Some(l) = &ledger {
                l.prove_consistency(old.size, cp.checkpoint.size)
                    .map_err(ledger_err)?
            } else {
                return Err(CliError::Usage(format!(
                    "this witness last cosigned size {}: a consistency proof to size {} is \
                     needed (--db DIR or --proof FILE)",
                    old.size, cp.checkpoint.size
                )));
            }
        }
        _ => Vec::new(),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut witness = Witness::new(signer, last);
    match witness.cosign(&cp, &log_key, &proof, now) {
        Ok(c) => {
            cp.add_cosignature(c);
            let note = cp.to_note_text();
            let tmp = a.checkpoint.with_extension("cosigning");
            std::fs::write(&tmp, &note).map_err(|e| io_err(&tmp, e))?;
            std::fs::rename(&tmp, a.checkpoint).map_err(|e| io_err(a.checkpoint, e))?;
            if let Some(l) = &ledger {
                l.store_checkpoint(&cp).map_err(ledger_err)?;
            }
            std::fs::write(&key_path, format!("{}\n", log_key.to_vkey_string()))
                .map_err(|e| io_err(&key_path, e))?;
            std::fs::write(&last_path, cp.checkpoint.body_text())
                .map_err(|e| io_err(&last_path, e))?;
            if !a.quiet {
                println!(
                    "cosigned {} size {} as {}{}",
                    cp.checkpoint.origin,
                    cp.checkpoint.size,
                    witness.verifier().name(),
                    if ledger.is_some() {
                        " (stored in the ledger)"
                    } else {
                        ""
                    }
                );
                println!("witness key: {}", witness.verifier().to_vkey_string());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(inc) => {
            println!("REFUSED: {inc}");
            if let Some(old) = &inc.old {
                println!("last cosigned checkpoint:\n{}", old.body_text());
            }
            println!("checkpoint presented:\n{}", inc.new.to_note_text());
            println!("consistency proof ({} hashes):", inc.proof.len());
            for h in &inc.proof {
                println!("  {h}");
            }
            Ok(ExitCode::from(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_files_take_hex_or_base64_and_origins_become_directory_names() {
        let dir = tempfile::tempdir().unwrap();
        let h = Hash::digest(b"x");
        let p = dir.path().join("proof.txt");
        std::fs::write(&p, format!("{}\n\n{}\n", h.to_hex(), h.to_base64())).unwrap();
        assert_eq!(read_proof(&p).unwrap(), vec![h, h]);
        std::fs::write(&p, "zz\n").unwrap();
        assert!(read_proof(&p)
            .unwrap_err()
            .to_string()
            .contains(":1:1: bad hash"));
        assert_eq!(
            origin_dir(Path::new("w"), "scrutin/jlmag 2022"),
            Path::new("w").join("scrutin_jlmag_2022")
        );
    }
}
