//! `scrutin cosign`: a witness (scrutineer, lawyer) cosigns a checkpoint only if it extends the
//! last checkpoint it cosigned for that log.
//!
//! The state directory is a [`scrutin::WitnessState`] (one sub-directory per log origin, see
//! docs/CLI.md): it locks the origin, checks the checkpoint and records it durably before it
//! hands back the cosignature, and only then is the cosigned note written out.

use std::path::Path;
use std::process::ExitCode;

use scrutin::log::SignedCheckpoint;
use scrutin::{write_atomic, LedgerError, WitnessState};

use crate::commands::{ledger_err, open_log};
use crate::error::{io_err, CliError};
use crate::{escape, keys};

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
    let state = WitnessState::open(a.state).map_err(state_err)?;
    // Held until the end of this function: no other run decides for this origin meanwhile.
    let mut origin = state.lock(&cp.checkpoint.origin).map_err(state_err)?;
    let given = a.log_key.map(keys::parse_trust).transpose()?;
    origin.resolve_log_key(given.as_ref()).map_err(state_err)?;
    let ledger = a.db.map(open_log).transpose()?;
    let last = origin.size();
    let proof = if last > 0 && last < cp.checkpoint.size {
        if let Some(p) = a.proof {
            scrutin::read_proof_file(p).map_err(|e| match e {
                LedgerError::Io(m) => CliError::Io(m),
                other => CliError::Usage(other.to_string()),
            })?
        } else if let Some(l) = &ledger {
            l.prove_consistency(last, cp.checkpoint.size)
                .map_err(ledger_err)?
        } else {
            return Err(CliError::Usage(format!(
                "this witness last cosigned size {last}: a consistency proof to size {} is \
                 needed (--db DIR or --proof FILE)",
                cp.checkpoint.size
            )));
        }
    } else {
        Vec::new()
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let c = match origin.cosign(&cp, given.as_ref(), &proof, &signer, now) {
        Ok(c) => c,
        Err(LedgerError::WitnessRefused(inc)) => {
            println!("REFUSED: {inc}");
            if let Some(old) = &inc.old {
                println!("last cosigned checkpoint:\n{}", old.body_text());
            }
            println!("checkpoint presented:\n{}", inc.new.to_note_text());
            println!("consistency proof ({} hashes):", inc.proof.len());
            for h in &inc.proof {
                println!("  {h}");
            }
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(state_err(e)),
    };
    // The witness state now records this checkpoint durably: publishing is safe.
    cp.add_cosignature(c);
    let note = cp.to_note_text();
    write_atomic(a.checkpoint, note.as_bytes()).map_err(ledger_err)?;
    if let Some(l) = &ledger {
        l.store_checkpoint(&cp).map_err(ledger_err)?;
    }
    if !a.quiet {
        let verifier = signer.verifier();
        println!(
            "cosigned {} size {} as {}{}",
            cp.checkpoint.origin,
            cp.checkpoint.size,
            verifier.name(),
            if ledger.is_some() {
                " (stored in the ledger)"
            } else {
                ""
            }
        );
        // Verifiers must be given the cosigner key (type 0x04): trusting the signer form
        // (0x01) of a witness would also let it sign checkpoints and a genesis.
        println!(
            "witness cosigner key (give verifiers this with --trust): {}",
            escape::field(&verifier.to_cosigner_vkey_string())
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The CLI's message and exit code for a witness-state failure.
fn state_err(e: LedgerError) -> CliError {
    match e {
        LedgerError::LogKeyMismatch {
            origin,
            pinned,
            given,
        } => CliError::Invalid(format!(
            "--log-key {given} differs from the key this witness pinned for {origin} \
             ({pinned}): refusing"
        )),
        LedgerError::NoLogKey { origin } => CliError::Usage(format!(
            "first cosignature for {origin}: pass the log's verifier key with --log-key"
        )),
        LedgerError::DamagedWitnessState { .. } | LedgerError::Io(_) => CliError::Io(e.to_string()),
        other => ledger_err(other),
    }
}
