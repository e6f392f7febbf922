//! Canonical bytes of events: the one place that knows the encoding.
//!
//! A payload is `bincode(EventPayload { format: u16, event })` with one fixed configuration:
//! big-endian, fixed-width integers (enum tags and lengths are `u32`/`u64`), and a decode limit
//! of [`MAX_PAYLOAD_LEN`] bytes. Decoding rejects trailing bytes, invalid field values and
//! anything that does not re-encode to the same bytes, so every event has exactly one encoding.

use bincode::config::{BigEndian, Configuration, Fixint, Limit};
use bincode::{Decode, Encode};

use crate::{Event, ModelError};

/// The event format this build reads and writes. Bumped only with a migration note.
pub const EVENT_FORMAT_VERSION: u16 = 1;

/// Largest payload accepted, in bytes. Decoding never allocates more than this.
pub const MAX_PAYLOAD_LEN: usize = 1 << 20;

type Config = Configuration<BigEndian, Fixint, Limit<MAX_PAYLOAD_LEN>>;

const CONFIG: Config = bincode::config::standard()
    .with_big_endian()
    .with_fixed_int_encoding()
    .with_limit::<MAX_PAYLOAD_LEN>();

#[derive(Encode)]
struct EventPayloadRef<'a> {
    format: u16,
    event: &'a Event,
}

#[derive(Decode)]
struct EventPayload {
    format: u16,
    event: Event,
}

/// Encodes an event as its canonical payload bytes (format version first).
///
/// # Errors
/// [`ModelError::Malformed`] if the encoding exceeds [`MAX_PAYLOAD_LEN`].
pub fn encode_event(event: &Event) -> Result<Vec<u8>, ModelError> {
    let payload = EventPayloadRef {
        format: EVENT_FORMAT_VERSION,
        event,
    };
    bincode::encode_to_vec(payload, CONFIG).map_err(|e| ModelError::Malformed(e.to_string()))
}

/// Decodes canonical payload bytes into an event.
///
/// # Errors
/// [`ModelError::UnsupportedVersion`] for another format version; [`ModelError::Malformed`]
/// for bytes that do not decode, have trailing bytes, or are not the canonical encoding;
/// the field's error when a decoded value breaks an invariant.
pub fn decode_event(bytes: &[u8]) -> Result<Event, ModelError> {
    if bytes.len() > MAX_PAYLOAD_LEN {
        return Err(ModelError::Malformed(format!(
            "{} bytes is more than the {MAX_PAYLOAD_LEN}-byte limit",
            bytes.len()
        )));
    }
    if bytes.len() >= 2 {
        let found = u16::from_be_bytes([bytes[0], bytes[1]]);
        if found != EVENT_FORMAT_VERSION {
            return Err(ModelError::UnsupportedVersion {
                found,
                supported: EVENT_FORMAT_VERSION,
            });
        }
    }
    let (payload, used): (EventPayload, usize) = bincode::decode_from_slice(bytes, CONFIG)
        .map_err(|e| ModelError::Malformed(e.to_string()))?;
    if used != bytes.len() {
        return Err(ModelError::Malformed(format!(
            "{} trailing bytes after the event",
            bytes.len() - used
        )));
    }
    debug_assert_eq!(payload.format, EVENT_FORMAT_VERSION);
    payload.event.validate()?;
    let again = encode_event(&payload.event)?;
    if again != bytes {
        return Err(ModelError::Malformed(
            "not the canonical encoding (re-encoding differs)".into(),
        ));
    }
    Ok(payload.event)
}
