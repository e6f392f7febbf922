//! SHA-256 hashes and the RFC 6962 leaf and node hash functions.

use crate::error::LogError;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::fmt;

/// A SHA-256 hash: an entry hash, a Merkle node or root, a file digest.
///
/// `Display` is lowercase hex; `Debug` is `Hash(<hex>)`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, std::hash::Hash, Default)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// All zero bytes: the `prev` of entry 0.
    pub const ZERO: Hash = Hash([0; 32]);

    /// SHA-256 of `data`, with no domain separation (file digests, payload hashes).
    pub fn digest(data: &[u8]) -> Hash {
        Hash(Sha256::digest(data).into())
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lowercase hex (64 characters).
    pub fn to_hex(&self) -> String {
        hex_encode(&self.0)
    }

    /// Parses 64 hex digits (either case).
    ///
    /// # Errors
    /// [`LogError::Decode`] if `s` is not exactly 64 hex digits.
    pub fn from_hex(s: &str) -> Result<Hash, LogError> {
        // The common case (64 hex digits) without an intermediate vector; anything else,
        // and any digit that is not hex, takes the general path and its errors.
        if let Ok(pairs) = <&[u8; 64]>::try_from(s.as_bytes()) {
            let mut out = [0u8; 32];
            let all = out.iter_mut().zip(pairs.chunks_exact(2)).all(|(o, p)| {
                match (nibble(p[0]), nibble(p[1])) {
                    (Some(h), Some(l)) => {
                        *o = h << 4 | l;
                        true
                    }
                    _ => false,
                }
            });
            if all {
                return Ok(Hash(out));
            }
        }
        let bytes = hex_decode(s).ok_or_else(|| LogError::Decode(format!("not hex: {s:?}")))?;
        Hash::from_slice(&bytes)
    }

    /// Standard base64 with padding, as in C2SP checkpoints.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }

    /// Parses standard padded base64 of exactly 32 bytes.
    ///
    /// # Errors
    /// [`LogError::Decode`] if `s` is not canonical base64 of 32 bytes.
    pub fn from_base64(s: &str) -> Result<Hash, LogError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(|e| LogError::Decode(format!("bad base64 hash: {e}")))?;
        Hash::from_slice(&bytes)
    }

    /// Exactly 32 bytes as a hash.
    ///
    /// # Errors
    /// [`LogError::Decode`] if `bytes` is not 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Hash, LogError> {
        <[u8; 32]>::try_from(bytes)
            .map(Hash)
            .map_err(|_| LogError::Decode(format!("a hash is 32 bytes, got {}", bytes.len())))
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

/// RFC 6962 leaf hash: SHA-256(0x00 || data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    Hash(h.finalize().into())
}

/// RFC 6962 interior node hash: SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

pub(crate) fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    s
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

pub(crate) fn hex_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks_exact(2)
        .map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?))
        .collect()
}
