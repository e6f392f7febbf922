//! The one error type of `scrutin-model`.

/// Why a value or a payload is not a valid part of the event model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// An identifier broke its invariant (empty, too long, control characters, reserved form).
    #[error("invalid {kind} {value:?}: {reason}")]
    InvalidId {
        /// Which identifier type ("holder id", "class id", ...).
        kind: &'static str,
        /// The offending text, as given.
        value: String,
        /// The invariant it broke.
        reason: &'static str,
    },
    /// A field other than an identifier is out of its allowed range.
    #[error("invalid {field}: {reason}")]
    InvalidField {
        /// The field, named as in the meeting file or the event.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The payload is not the canonical encoding of an event.
    #[error("malformed event payload: {0}")]
    Malformed(String),
    /// The payload declares an event format this build does not understand.
    #[error("unsupported event format version {found} (this build reads version {supported})")]
    UnsupportedVersion {
        /// Version found in the payload.
        found: u16,
        /// Version this build reads and writes.
        supported: u16,
    },
}
