//! The one error type of `scrutin`.

use scrutin_log::{Inconsistency, LogError};
use scrutin_tally::RuleViolation;

/// Why a ledger operation could not be carried out.
///
/// A bundle or receipt that does not verify is *not* an error: [`crate::verify_bundle`] and
/// [`crate::verify_receipt`] return `Ok` with a broken verdict. `Err` means the operation (or
/// the check) could not run at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The log underneath failed (storage, I/O, lock, damaged store, bad key or note).
    #[error(transparent)]
    Log(#[from] LogError),
    /// The rules refused an event; nothing was appended. `position` is the event's 0-based
    /// position in the batch (0 for a single submit).
    #[error("refused: {violation} (event {position} of the submission; nothing recorded)")]
    Rejected {
        /// 0-based position of the refused event in the submitted batch.
        position: usize,
        /// The rule it breaks, with the holder, resolution and numbers concerned.
        violation: RuleViolation,
    },
    /// A `ResultDeclared` event whose digest is not the SHA-256 of the tally JSON at that point.
    #[error(
        "refused: result-declaration: the declared tally digest {declared} is not the digest \
         {expected} of the tally at this point (event {position} of the submission; nothing \
         recorded)"
    )]
    WrongDeclaration {
        /// 0-based position of the refused event in the submitted batch.
        position: usize,
        /// The digest in the event (hex).
        declared: String,
        /// The digest of the tally JSON recomputed at that point (hex).
        expected: String,
    },
    /// A meeting's creation was refused by the rules: nothing was created. `part` names the
    /// part of the meeting refused (`meeting`, `authorities`, `resolution 3`).
    #[error("{part}: {violation}")]
    MeetingRefused {
        /// The part of the meeting refused, in words.
        part: String,
        /// The rule it breaks.
        violation: Box<RuleViolation>,
    },
    /// A row of an imported file was refused by the rules; nothing from the file was recorded.
    /// `line` and `column` point at the row and cell the violation's subject came from.
    #[error("{file}:{line}:{column}: {violation} (nothing from {file} was recorded)")]
    RowRefused {
        /// The file's name, as given.
        file: String,
        /// 1-based line of the row.
        line: u64,
        /// 1-based column (CSV cell) of the part refused.
        column: u64,
        /// The rule it breaks.
        violation: Box<RuleViolation>,
    },
    /// A row of a streamed CSV file could not be read (the file is read as it is recorded, so
    /// this comes from the import); nothing from the file was recorded.
    #[error("{0}")]
    Csv(Box<scrutin_interchange::ImportError>),
    /// Importing a ballots file opens every poll not yet open in the same batch, and that
    /// opening was refused; nothing was recorded.
    #[error("{file}: could not open the poll: {violation} (nothing recorded)")]
    PollNotOpened {
        /// The file's name, as given.
        file: String,
        /// The rule it breaks.
        violation: Box<RuleViolation>,
    },
    /// Importing a register closes it in the same batch, and closing was refused; nothing
    /// was recorded. `line` is the file's last row.
    #[error(
        "{file}:{line}:1: could not close the register: {violation} (nothing from {file} was \
         recorded)"
    )]
    RegisterNotClosed {
        /// The file's name, as given.
        file: String,
        /// 1-based line of the file's last row.
        line: u64,
        /// The rule it breaks.
        violation: Box<RuleViolation>,
    },
    /// `close` closed every poll, but the signer could not declare the result.
    #[error(
        "polls closed, but the result could not be declared with this key: {violation} (run \
         `scrutin close` again with the scrutineer's key)"
    )]
    NotDeclared {
        /// The rule the declaration breaks.
        violation: Box<RuleViolation>,
    },
    /// The genesis signer's key is not the registrar named in `MeetingConvened`.
    #[error(
        "the genesis must be signed by the meeting's registrar key {registrar}, not by {signer}"
    )]
    RegistrarMismatch {
        /// The registrar key named in the event (hex).
        registrar: String,
        /// The key that tried to sign it (hex).
        signer: String,
    },
    /// The latest checkpoint is older than the log: the operator must checkpoint again.
    #[error(
        "the latest checkpoint covers {checkpoint_size} entries but the log has {log_size}: \
         sign a new checkpoint first"
    )]
    StaleCheckpoint {
        /// Entries covered by the latest checkpoint.
        checkpoint_size: u64,
        /// Entries in the log.
        log_size: u64,
    },
    /// No signed checkpoint has been stored yet.
    #[error("the ledger has no signed checkpoint yet: sign one first")]
    NoCheckpoint,
    /// A receipt is proved against the checkpoint whose last entry is the last result
    /// declaration (so that nothing can follow it unseen), and no such checkpoint is stored.
    #[error(
        "the result declared at entry {declaration} is not the last entry of any stored \
         checkpoint (a receipt needs a checkpoint of exactly {needed} entries; the latest covers \
         {latest}): run `scrutin checkpoint` right after `scrutin close` declares the result"
    )]
    DeclarationNotCheckpointed {
        /// The index of the last `ResultDeclared` entry in the log.
        declaration: u64,
        /// The checkpoint size needed: `declaration + 1`.
        needed: u64,
        /// The size of the latest stored checkpoint.
        latest: u64,
    },
    /// Something asked for does not exist (a holder with no ballots, no declared result, ...).
    #[error("not found: {0}")]
    NotFound(String),
    /// An operating-system I/O error (message of the underlying error).
    #[error("I/O error: {0}")]
    Io(String),
    /// Stored or supplied bytes that are not what they should be (an entry whose payload does
    /// not decode, a receipt file that does not parse).
    #[error("malformed: {0}")]
    Malformed(String),
    /// The caller passed an argument that cannot be used (e.g. no trusted keys).
    #[error("usage: {0}")]
    Usage(String),
    /// A witness refused to cosign a checkpoint that does not extend the last one it cosigned
    /// for that log (rollback, fork, other origin, not signed by the log's key); the evidence
    /// (both checkpoints and the proof) is inside. Nothing was cosigned or recorded.
    #[error("refused to cosign: {0}")]
    WitnessRefused(Box<Inconsistency>),
    /// The log key given for a log differs from the one the witness pinned for it.
    #[error(
        "the log key {given} differs from the key this witness pinned for {origin} ({pinned}): \
         refusing"
    )]
    LogKeyMismatch {
        /// The log's origin.
        origin: String,
        /// The pinned verifier key (vkey string).
        pinned: String,
        /// The key given (vkey string).
        given: String,
    },
    /// A witness's first cosignature for a log needs the log's verifier key (to pin it).
    #[error("first cosignature for {origin}: the log's verifier key is needed")]
    NoLogKey {
        /// The log's origin.
        origin: String,
    },
    /// A file of a witness's state does not hold what it should; the witness refuses to guess.
    #[error("{path}: damaged witness state: {reason}")]
    DamagedWitnessState {
        /// The file or directory concerned.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A key file could not be read or written (`scrutin::keys`).
    #[error("{path}: {reason}")]
    KeyFileIo {
        /// The key file.
        path: String,
        /// The operating system's message.
        reason: String,
    },
    /// A private key file does not hold a C2SP private key string.
    #[error("{path}: not a scrutin key file: {reason}")]
    NotAKeyFile {
        /// The key file.
        path: String,
        /// Why the key string does not parse.
        reason: String,
    },
    /// A key name that C2SP notes do not allow (whitespace, `+`, control characters, empty).
    #[error("key name {name:?}: {reason}")]
    BadKeyName {
        /// The name asked for.
        name: String,
        /// Why it is refused.
        reason: String,
    },
    /// No generated key read back from its own key strings (never seen; kept as a guard).
    #[error("could not generate a key that round-trips")]
    KeyGeneration,
    /// A verifier key file whose first key line does not parse.
    #[error("{path}: not a verifier key file: {reason}")]
    NotAVerifierKeyFile {
        /// The file.
        path: String,
        /// Why its key line does not parse.
        reason: String,
    },
    /// A trusted-key value that is neither a file nor a verifier key string.
    #[error("{value:?}: neither a file nor a verifier key string: {reason}")]
    NotAVerifierKey {
        /// The value as given.
        value: String,
        /// Why it does not parse as a verifier key string.
        reason: String,
    },
    /// A line of a trust file that is not a verifier key.
    #[error("{path}:{line}: not a verifier key: {reason}")]
    BadTrustLine {
        /// The trust file.
        path: String,
        /// Its 1-based line number.
        line: usize,
        /// Why the line does not parse.
        reason: String,
    },
    /// A trust file that holds a secret signing key where a verifier key belongs.
    #[error("{path}: is a secret signing key, not a verifier key")]
    SecretKeyAsVerifier {
        /// The file.
        path: String,
    },
    /// A trust file with no verifier key in it.
    #[error("{path}: holds no verifier key")]
    NoVerifierKey {
        /// The file.
        path: String,
    },
    /// No trusted verifier key was given.
    #[error("no trusted verifier key given")]
    NoTrustedKey,
    /// A verification state file (`verify --since`) that cannot be used: not one, another
    /// version, damaged, or altered (its meeting-state digest does not match).
    #[error("verification state: {0}")]
    BadVerifyState(String),
    /// `verify --since STATE` with trusted keys other than those STATE was verified under.
    #[error(
        "the verification state was made under other trusted keys ({state}), not the keys          given ({given}): verify in full under these keys"
    )]
    StateTrustMismatch {
        /// The keys of the state (verifier key strings, sorted).
        state: String,
        /// The keys given.
        given: String,
    },
    /// A line of a consistency-proof file that is not a hash.
    #[error("{path}:{line}:1: bad hash: {reason}")]
    BadProofHash {
        /// The proof file.
        path: String,
        /// Its 1-based line number, counting only non-blank lines.
        line: usize,
        /// Why the line is not a hash.
        reason: String,
    },
}

impl From<std::io::Error> for LedgerError {
    fn from(e: std::io::Error) -> Self {
        LedgerError::Io(e.to_string())
    }
}
