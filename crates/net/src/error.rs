//! The one error type of scrutin-net.

use scrutin::log::LogError;
use scrutin::LedgerError;

/// Why a network operation failed. Nothing here is parsed from a message string: each
/// failure a caller may act on is its own variant.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// A body (request or response) is not of the form the C2SP specification requires.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What was being parsed (`add-checkpoint request`, `checkpoint`, `entry bundle ...`).
        what: String,
        /// The first problem found.
        reason: String,
    },
    /// The server could not be reached or did not answer in time (refused, reset, timed out,
    /// unreadable response).
    #[error("{url}: {reason}")]
    Unreachable {
        /// The URL requested.
        url: String,
        /// What went wrong at the transport level.
        reason: String,
    },
    /// The server answered with a status the protocol does not allow here.
    #[error("{url}: HTTP {status}{}", if body.is_empty() { String::new() } else { format!(": {body}") })]
    Status {
        /// The URL requested.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the response body (escaped for display).
        body: String,
    },
    /// The server answered with a redirect, which a client here never follows.
    #[error("{url}: redirect (HTTP {status}) to {location:?} not followed")]
    Redirect {
        /// The URL requested.
        url: String,
        /// The 3xx status.
        status: u16,
        /// The `Location` header, if any.
        location: String,
    },
    /// A response was larger than the limit for its kind.
    #[error("{url}: response larger than {limit} bytes")]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// An entry does not fit in a C2SP tlog-tiles entry bundle (uint16 length prefix).
    #[error("entry {index} has {len} leaf bytes: a tlog-tiles entry bundle holds at most 65535")]
    EntryTooLarge {
        /// The entry's index.
        index: u64,
        /// Its leaf length in bytes.
        len: usize,
    },
    /// The ledger has no checkpoint to publish.
    #[error("the ledger has no checkpoint: sign one first (scrutin checkpoint)")]
    NoCheckpoint,
    /// Bad arguments (a URL that is not http(s), a listen address that does not bind).
    #[error("{0}")]
    Usage(String),
    /// A file or directory could not be read or written.
    #[error("{path}: {reason}")]
    Io {
        /// The path.
        path: String,
        /// The operating system's message.
        reason: String,
    },
    /// The ledger failed (boxed: it is large and rare).
    #[error(transparent)]
    Ledger(Box<LedgerError>),
    /// The log failed.
    #[error(transparent)]
    Log(#[from] LogError),
}

pub(crate) fn io_at(path: &std::path::Path, e: std::io::Error) -> NetError {
    NetError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

pub(crate) fn malformed(what: impl Into<String>, reason: impl Into<String>) -> NetError {
    NetError::Malformed {
        what: what.into(),
        reason: reason.into(),
    }
}

impl From<LedgerError> for NetError {
    fn from(e: LedgerError) -> Self {
        NetError::Ledger(Box::new(e))
    }
}
