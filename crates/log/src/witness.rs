//! A witness: cosigns a log's checkpoints only when they extend the last one it cosigned.

use crate::checkpoint::{cosign, Checkpoint, Cosignature, SignedCheckpoint};
use crate::error::ProofError;
use crate::hash::Hash;
use crate::keys::{NoteVerifier, Signer};
use crate::merkle::verify_consistency;
use std::fmt;

/// Holds a witness key and the last checkpoint it cosigned for one log.
#[derive(Debug)]
pub struct Witness {
    signer: Signer,
    last: Option<Checkpoint>,
}

/// Why a witness refused to cosign: the evidence a witness keeps or publishes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Inconsistency {
    /// The last checkpoint the witness cosigned, if any.
    pub old: Option<Checkpoint>,
    /// The checkpoint it was asked to cosign.
    pub new: SignedCheckpoint,
    /// The consistency proof it was given.
    pub proof: Vec<Hash>,
    /// What is wrong.
    pub reason: InconsistencyReason,
}

/// What made a witness refuse a checkpoint.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum InconsistencyReason {
    /// The new checkpoint is not validly signed by the log's key.
    NotSignedByLog,
    /// The new checkpoint names another log.
    OriginMismatch,
    /// The new checkpoint is smaller than the last one cosigned (a rollback).
    Rollback,
    /// The consistency proof fails: the log forked or rewrote history (or the proof is bad).
    ProofFailed(ProofError),
}

impl fmt::Display for Inconsistency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let new = &self.new.checkpoint;
        match &self.old {
            Some(old) => write!(
                f,
                "checkpoint {} size {} root {} is not a consistent successor of size {} root {}: ",
                new.origin, new.size, new.root, old.size, old.root
            )?,
            None => write!(f, "checkpoint {} size {}: ", new.origin, new.size)?,
        }
        match &self.reason {
            InconsistencyReason::NotSignedByLog => f.write_str("not signed by the log's key"),
            InconsistencyReason::OriginMismatch => f.write_str("origin differs"),
            InconsistencyReason::Rollback => f.write_str("smaller than the last cosigned size"),
            InconsistencyReason::ProofFailed(e) => write!(f, "consistency proof fails: {e}"),
        }
    }
}

impl std::error::Error for Inconsistency {}

impl Witness {
    /// A witness that last cosigned `last` (`None`: it trusts the first checkpoint it sees).
    pub fn new(signer: Signer, last: Option<Checkpoint>) -> Witness {
        Witness { signer, last }
    }

    /// The last checkpoint cosigned.
    pub fn last(&self) -> Option<&Checkpoint> {
        self.last.as_ref()
    }

    /// The witness's verifier (to give to whoever checks its cosignatures).
    pub fn verifier(&self) -> NoteVerifier {
        self.signer.verifier()
    }

    /// Cosigns `new` if it is signed by `log_key`, names the same log, and `proof` proves it
    /// consistent with the last checkpoint cosigned (from `last().size` to `new.size`; ignored
    /// when there is no last checkpoint or its size is 0). On success `new` becomes `last`.
    ///
    /// # Errors
    /// [`Inconsistency`] with both checkpoints and the proof.
    // The evidence is large by nature and returned rarely; boxing it would only add noise.
    #[allow(clippy::result_large_err)]
    pub fn cosign(
        &mut self,
        new: &SignedCheckpoint,
        log_key: &NoteVerifier,
        proof: &[Hash],
        now_unix_s: u64,
    ) -> Result<Cosignature, Inconsistency> {
        let c = Witness::cosign_after(
            &self.signer,
            self.last.as_ref(),
            new,
            log_key,
            proof,
            now_unix_s,
        )?;
        self.last = Some(new.checkpoint.clone());
        Ok(c)
    }

    /// What [`Witness::cosign`] does, for a caller that keeps the last cosigned checkpoint
    /// itself (e.g. durably, per log): cosigns `new` with `signer` if it is signed by
    /// `log_key`, names the same log as `last`, and `proof` proves it consistent with `last`.
    /// The caller must record `new` as its last checkpoint before it publishes the
    /// cosignature.
    ///
    /// # Errors
    /// [`Inconsistency`] with both checkpoints and the proof.
    #[allow(clippy::result_large_err)]
    pub fn cosign_after(
        signer: &Signer,
        last: Option<&Checkpoint>,
        new: &SignedCheckpoint,
        log_key: &NoteVerifier,
        proof: &[Hash],
        now_unix_s: u64,
    ) -> Result<Cosignature, Inconsistency> {
        let refuse = |reason| Inconsistency {
            old: last.cloned(),
            new: new.clone(),
            proof: proof.to_vec(),
            reason,
        };
        let lines = new.check(std::slice::from_ref(log_key));
        if lines.verdict.signed_by.is_empty() || !lines.bad_signatures.is_empty() {
            return Err(refuse(InconsistencyReason::NotSignedByLog));
        }
        let cp = &new.checkpoint;
        if let Some(old) = last {
            if old.origin != cp.origin {
                return Err(refuse(InconsistencyReason::OriginMismatch));
            }
            if cp.size < old.size {
                return Err(refuse(InconsistencyReason::Rollback));
            }
            if old.size > 0 {
                verify_consistency(old.size, cp.size, &old.root, &cp.root, proof)
                    .map_err(|e| refuse(InconsistencyReason::ProofFailed(e)))?;
            }
        }
        Ok(cosign(signer, cp, now_unix_s))
    }
}
