//! The crate's error types: one for things that could not be done ([`LogError`]) and one for
//! Merkle proofs that do not verify ([`ProofError`]).

/// Why a log operation could not be carried out.
///
/// A tampered bundle is *not* an error: [`crate::verify_bundle`] returns `Ok` with a
/// [`crate::Verdict::Broken`]. `Err` means the check or the operation could not run at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// An operating-system I/O error (message of the underlying error).
    #[error("I/O error: {0}")]
    Io(String),
    /// The storage engine reported an error.
    #[error("storage error: {0}")]
    Storage(String),
    /// `Log::create` found an existing log in the directory.
    #[error("a log already exists at {0}")]
    AlreadyExists(String),
    /// `Log::open` found no log in the directory.
    #[error("no log found at {0}")]
    NotFound(String),
    /// Another writer (process or `Log` handle) holds the directory.
    #[error("the log at {0} is locked by another writer")]
    Locked(String),
    /// The stored log is inconsistent (head, size and entries disagree) and is not used.
    #[error("the log store is damaged: {0}")]
    Damaged(String),
    /// Bytes that are not a canonical encoding of the expected structure.
    #[error("invalid encoding: {0}")]
    Decode(String),
    /// A key, key string or key name that is malformed, invalid or weak.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// A signature that does not verify.
    #[error("bad signature: {0}")]
    BadSignature(String),
    /// An entry index or tree size beyond the end of the log.
    #[error("index {index} is out of range for a log of size {size}")]
    OutOfRange {
        /// The index or size asked for.
        index: u64,
        /// The log's size.
        size: u64,
    },
    /// A range or pair of sizes that makes no sense (e.g. `old_size > new_size`).
    #[error("invalid range: {0}")]
    InvalidRange(String),
    /// A payload above [`crate::MAX_PAYLOAD_BYTES`].
    #[error("payload of {len} bytes exceeds the limit of {limit} bytes")]
    PayloadTooLarge {
        /// The payload's length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// A signed note or checkpoint text that cannot be parsed.
    #[error("invalid note: {0}")]
    Note(String),
    /// A checkpoint that does not describe this log (origin, size or root differ).
    #[error("checkpoint does not match this log: {0}")]
    CheckpointMismatch(String),
    /// A checkpoint whose signatures do not satisfy the trusted keys.
    #[error("checkpoint not verified: {0}")]
    Checkpoint(String),
    /// The input does not start with the bundle magic (empty file, wrong file type).
    #[error("not a scrutin-log bundle: {0}")]
    NotABundle(String),
    /// The bundle's format version is not one this library reads.
    #[error("unsupported bundle format version {0}")]
    UnsupportedVersion(u16),
    /// The caller passed an argument that cannot be used (e.g. no trusted keys).
    #[error("usage: {0}")]
    Usage(String),
}

impl From<std::io::Error> for LogError {
    fn from(e: std::io::Error) -> Self {
        LogError::Io(e.to_string())
    }
}

/// Why a Merkle inclusion or consistency proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The sizes or index cannot have a proof (index beyond size, old size 0 or above new size).
    #[error("invalid sizes: {0}")]
    InvalidSizes(String),
    /// The proof has the wrong number of hashes for these sizes.
    #[error("proof has the wrong length")]
    WrongLength,
    /// The proof does not lead to the given root(s).
    #[error("recomputed root does not match")]
    RootMismatch,
}
