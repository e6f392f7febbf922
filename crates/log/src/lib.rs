//! scrutin-log: a payload-agnostic, verifiable, durable log.
//!
//! Entries are signed (Ed25519, verified in strict-compatible batches: docs/FORMAT.md),
//! hash-chained and leaves of an RFC 6962 Merkle tree; the log signs C2SP checkpoints that witnesses cosign; a portable bundle
//! carries entries and checkpoint to an offline verifier. Storage is sled, kept private.
//! `docs/FORMAT.md` at the repository root specifies every byte.
//!
//! ```
//! use scrutin_log::{verify_bundle, Log, Signer, Verdict};
//! # fn main() -> Result<(), scrutin_log::LogError> {
//! let dir = std::env::temp_dir().join(format!("scrutin-log-doc-{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&dir);
//! let log = Log::create(&dir, "example.com/meeting-1")?;
//! let registrar = Signer::from_seed("example.com/registrar", [7; 32])?;
//! log.append(&registrar, b"hello".to_vec())?;
//! log.append_batch(&registrar, vec![b"a".to_vec(), b"b".to_vec()])?;
//! let cp = log.checkpoint(&registrar)?;
//! let mut bundle = Vec::new();
//! log.export(&cp, &mut bundle)?;
//! let report = verify_bundle(&bundle[..], &[registrar.verifier()])?;
//! assert_eq!(report.verdict, Verdict::Valid);
//! assert_eq!(report.entries, 3);
//! # drop(log); let _ = std::fs::remove_dir_all(&dir);
//! # Ok(()) }
//! ```

mod batch;
mod bundle;
mod checkpoint;
mod codec;
mod entry;
mod error;
mod hash;
mod keys;
mod merkle;
mod pages;
mod pin;
mod pipeline;
mod store;
mod text;
mod tiles;
mod verify;
mod witness;

pub use bundle::{
    bundle_header, write_bundle, BundleReport, BundleSummary, EntryCheck, BUNDLE_MAGIC,
    BUNDLE_VERSION,
};
pub use checkpoint::{Checkpoint, CheckpointVerdict, Cosignature, NoteSignature, SignedCheckpoint};
pub use codec::MAX_PAYLOAD_BYTES;
pub use entry::{Entry, EntryDecoder};
pub use error::{LogError, ProofError};
pub use hash::{leaf_hash, node_hash, Hash};
pub use keys::{NoteVerifier, PublicKey, Signer};
pub use merkle::{
    consistency_proof, inclusion_proof, root_of, verify_consistency, verify_inclusion, Frontier,
};
pub use pin::{Pin, Witnessing};
pub use store::{Log, PendingBatch};
pub use text::{escape_for_display, is_control_char, is_display_hazard};
pub use tiles::InclusionProver;
pub use verify::{
    verify_bundle, verify_bundle_observing, verify_bundle_resuming, verify_bundle_with,
    verify_bundle_with_progress, Check, CheckList, CheckStatus, Verdict, VerifiedPrefix,
    LOG_CHECKS,
};
pub use witness::{Inconsistency, InconsistencyReason, Witness};
