//! Canonical bytes: the one bincode configuration and every structure it encodes.
//!
//! `docs/FORMAT.md` is the specification of what these functions produce. Integers are
//! fixed-width **big-endian**; byte arrays are raw; a `Vec<u8>` or `String` is a `u64` length
//! followed by its bytes. Decoding enforces a size limit, rejects trailing bytes and rejects
//! anything that would not re-encode to the same bytes.

use crate::error::LogError;
use crate::hash::Hash;
use bincode::config::{BigEndian, Configuration, Fixint, Limit};
use bincode::{Decode, Encode};

/// The largest payload an entry may carry (1 MiB).
pub const MAX_PAYLOAD_BYTES: usize = 1 << 20;

/// Bytes of an encoded entry besides its payload: index, prev, time, author, length, signature.
pub(crate) const ENTRY_OVERHEAD: usize = 8 + 32 + 8 + 32 + 8 + 64;

/// The largest canonical entry encoding.
pub(crate) const MAX_ENTRY_BYTES: usize = MAX_PAYLOAD_BYTES + ENTRY_OVERHEAD;

/// The largest bundle header (origin and checkpoint note with its cosignatures).
pub(crate) const MAX_HEADER_BYTES: usize = 64 * 1024;

type Config<const N: usize> = Configuration<BigEndian, Fixint, Limit<N>>;

const fn config<const N: usize>() -> Config<N> {
    bincode::config::standard()
        .with_big_endian()
        .with_fixed_int_encoding()
        .with_limit::<N>()
}

/// Domain-separation tag that starts every entry signature message.
pub(crate) const ENTRY_SIG_TAG: &[u8] = b"scrutin-log/v1/entry-signature\n";

/// The wire form of an entry, field for field.
#[derive(Encode, Decode, Debug, Clone, PartialEq, Eq)]
pub(crate) struct WireEntry {
    pub(crate) index: u64,
    pub(crate) prev: [u8; 32],
    pub(crate) recorded_at_ms: u64,
    pub(crate) author: [u8; 32],
    pub(crate) payload: Vec<u8>,
    pub(crate) signature: [u8; 64],
}

/// Borrowed form of the signed part of an entry, so encoding needs no copy of the payload.
#[cfg(test)]
#[derive(Encode)]
struct WireBody<'a> {
    index: u64,
    prev: &'a [u8; 32],
    recorded_at_ms: u64,
    author: &'a [u8; 32],
    payload: &'a [u8],
}

/// Canonical bytes of an entry without its signature: the RFC 6962 leaf data.
pub(crate) fn encode_body(
    index: u64,
    prev: &Hash,
    recorded_at_ms: u64,
    author: &[u8; 32],
    payload: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(ENTRY_OVERHEAD + payload.len());
    encode_body_into(index, prev, recorded_at_ms, author, payload, &mut out);
    out
}

/// Bytes of an entry body before its payload: index, prev, time, author, payload length.
pub(crate) const BODY_HEAD_LEN: usize = 8 + 32 + 8 + 32 + 8;

/// The fixed part of an entry body, the payload's bytes follow it: exactly what the bincode
/// configuration writes for [`WireBody`] (fixed-width big-endian integers, raw arrays, a u64
/// length before the payload), written without going through the encoder on the append path.
pub(crate) fn body_head(
    index: u64,
    prev: &Hash,
    recorded_at_ms: u64,
    author: &[u8; 32],
    payload_len: usize,
) -> [u8; BODY_HEAD_LEN] {
    let mut h = [0u8; BODY_HEAD_LEN];
    h[..8].copy_from_slice(&index.to_be_bytes());
    h[8..40].copy_from_slice(&prev.0);
    h[40..48].copy_from_slice(&recorded_at_ms.to_be_bytes());
    h[48..80].copy_from_slice(author);
    h[80..].copy_from_slice(&(payload_len as u64).to_be_bytes());
    h
}

/// Appends the body encoding to `out` (which then only needs the signature appended).
pub(crate) fn encode_body_into(
    index: u64,
    prev: &Hash,
    recorded_at_ms: u64,
    author: &[u8; 32],
    payload: &[u8],
    out: &mut Vec<u8>,
) {
    out.extend_from_slice(&body_head(
        index,
        prev,
        recorded_at_ms,
        author,
        payload.len(),
    ));
    out.extend_from_slice(payload);
}

/// The body as bincode encodes it: the reference [`body_head`] must agree with.
#[cfg(test)]
fn encode_body_bincode(
    index: u64,
    prev: &Hash,
    recorded_at_ms: u64,
    author: &[u8; 32],
    payload: &[u8],
) -> Vec<u8> {
    let body = WireBody {
        index,
        prev: &prev.0,
        recorded_at_ms,
        author,
        payload,
    };
    let mut out = Vec::new();
    // Encoding into a Vec cannot fail: no limit applies to encoding and the writer grows.
    let _ = bincode::encode_into_std_write(body, &mut out, config::<MAX_ENTRY_BYTES>());
    out
}

/// Decodes a canonical entry: size limit, no trailing bytes, re-encodes to the same bytes.
pub(crate) fn decode_entry(bytes: &[u8]) -> Result<WireEntry, LogError> {
    if bytes.len() > MAX_ENTRY_BYTES {
        return Err(LogError::Decode(format!(
            "entry of {} bytes exceeds the limit of {MAX_ENTRY_BYTES}",
            bytes.len()
        )));
    }
    let (entry, used): (WireEntry, usize) =
        bincode::decode_from_slice(bytes, config::<MAX_ENTRY_BYTES>())
            .map_err(|e| LogError::Decode(format!("entry: {e}")))?;
    if used != bytes.len() {
        return Err(LogError::Decode(format!(
            "entry: {} trailing bytes",
            bytes.len() - used
        )));
    }
    if entry.payload.len() > MAX_PAYLOAD_BYTES {
        return Err(LogError::PayloadTooLarge {
            len: entry.payload.len(),
            limit: MAX_PAYLOAD_BYTES,
        });
    }
    if encode_entry(&entry) != bytes {
        return Err(LogError::Decode("entry: not canonical".into()));
    }
    Ok(entry)
}

/// Canonical bytes of a whole entry (body followed by the 64-byte signature).
pub(crate) fn encode_entry(e: &WireEntry) -> Vec<u8> {
    let mut out = encode_body(
        e.index,
        &Hash(e.prev),
        e.recorded_at_ms,
        &e.author,
        &e.payload,
    );
    out.extend_from_slice(&e.signature);
    out
}

/// The message an entry's author signs:
/// tag || index (u64 BE) || prev (32) || recorded_at_ms (u64 BE) || author (32) || SHA-256(payload).
pub(crate) fn entry_signed_message(
    index: u64,
    prev: &Hash,
    recorded_at_ms: u64,
    author: &[u8; 32],
    payload_hash: &Hash,
) -> [u8; ENTRY_SIG_MSG_LEN] {
    let mut m = [0u8; ENTRY_SIG_MSG_LEN];
    let t = ENTRY_SIG_TAG.len();
    m[..t].copy_from_slice(ENTRY_SIG_TAG);
    m[t..t + 8].copy_from_slice(&index.to_be_bytes());
    m[t + 8..t + 40].copy_from_slice(&prev.0);
    m[t + 40..t + 48].copy_from_slice(&recorded_at_ms.to_be_bytes());
    m[t + 48..t + 80].copy_from_slice(author);
    m[t + 80..t + 112].copy_from_slice(&payload_hash.0);
    m
}

/// Length of [`entry_signed_message`]'s output.
pub(crate) const ENTRY_SIG_MSG_LEN: usize = 31 + 8 + 32 + 8 + 32 + 32;

/// The bundle header that follows the magic and version.
#[derive(Encode, Decode, Debug, Clone, PartialEq, Eq)]
pub(crate) struct BundleHeader {
    pub(crate) origin: String,
    pub(crate) entries: u64,
    pub(crate) checkpoint_note: String,
}

pub(crate) fn encode_header(h: &BundleHeader) -> Result<Vec<u8>, LogError> {
    let bytes = bincode::encode_to_vec(h, config::<MAX_HEADER_BYTES>())
        .map_err(|e| LogError::Usage(format!("bundle header: {e}")))?;
    if bytes.len() > MAX_HEADER_BYTES {
        return Err(LogError::Usage(format!(
            "bundle header of {} bytes exceeds the limit of {MAX_HEADER_BYTES}",
            bytes.len()
        )));
    }
    Ok(bytes)
}

pub(crate) fn decode_header(bytes: &[u8]) -> Result<BundleHeader, LogError> {
    let (h, used): (BundleHeader, usize) =
        bincode::decode_from_slice(bytes, config::<MAX_HEADER_BYTES>())
            .map_err(|e| LogError::Decode(format!("bundle header: {e}")))?;
    if used != bytes.len() {
        return Err(LogError::Decode("bundle header: trailing bytes".into()));
    }
    if encode_header(&h).ok().as_deref() != Some(bytes) {
        return Err(LogError::Decode("bundle header: not canonical".into()));
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_length_matches_message_layout() {
        assert_eq!(ENTRY_SIG_TAG.len(), 31);
    }

    #[test]
    fn the_hand_written_body_is_the_bincode_body() {
        for (i, len) in [(0u64, 0usize), (1, 1), (u64::MAX, 200), (1 << 40, 70_000)] {
            let prev = Hash([i as u8 ^ 0x5a; 32]);
            let author = [0xa5u8; 32];
            let payload: Vec<u8> = (0..len).map(|k| k as u8).collect();
            let mut mine = Vec::new();
            encode_body_into(i, &prev, i ^ 7, &author, &payload, &mut mine);
            assert_eq!(
                mine,
                encode_body_bincode(i, &prev, i ^ 7, &author, &payload)
            );
        }
    }

    #[test]
    fn hostile_length_prefix_does_not_allocate() {
        // index, prev, time, author, then a payload length of 2^63.
        let mut b = vec![0u8; 80];
        b.extend_from_slice(&(1u64 << 63).to_be_bytes());
        assert!(decode_entry(&b).is_err());
    }
}
