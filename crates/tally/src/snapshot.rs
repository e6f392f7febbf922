//! A snapshot of a [`Meeting`]: its whole folded state as bytes, so that a verifier that
//! checked a log up to entry N can check entries N, N+1, ... later without replaying the
//! first N (`scrutin verify --since`, docs/FORMAT.md "Verification state").
//!
//! The encoding is derived, not written by hand: `Meeting` and every record it holds derive
//! `bincode::Encode` and `bincode::Decode` (in `meeting.rs`), so a field added to any of them
//! is either encoded automatically or, if its type has no encoding, a compile error; it can
//! never be silently dropped. The only hand-written parts are the containers below
//! ([`CowVec`], [`StrArena`], [`Interner`]), which encode their elements in order.
//!
//! Layout: [`SNAPSHOT_MAGIC`] (16 bytes), [`SNAPSHOT_VERSION`] (u32 big-endian), then the
//! meeting in bincode's standard configuration (little-endian varints), nothing after it.
//! A snapshot of another version is refused. A change of layout (a field added, removed or
//! retyped) must bump [`SNAPSHOT_VERSION`]: the test `snapshot_layout_is_pinned` pins the
//! bytes of a sample meeting and fails until it is bumped.
//!
//! A snapshot is the verifier's own record, not evidence: it is trusted as the file of
//! trusted keys is. Decoding a damaged one fails with [`SnapshotError`] rather than panicking,
//! but a snapshot crafted with consistent lies decodes into the meeting it describes.

use bincode::de::{BorrowDecoder, Decoder};
use bincode::enc::Encoder;
use bincode::error::{DecodeError, EncodeError};
use bincode::{BorrowDecode, Decode, Encode};

use crate::arena::StrArena;
use crate::cowvec::CowVec;
use crate::fxhash::{IdText, Interner};
use crate::Meeting;

/// The 16 bytes every meeting snapshot starts with.
pub const SNAPSHOT_MAGIC: [u8; 16] = *b"scrutin-meeting\n";

/// The snapshot layout this library writes and reads (bump on any change of `Meeting` or its
/// records).
pub const SNAPSHOT_VERSION: u32 = 2;

/// The largest number of bytes a snapshot's decoder may claim at once for a container (bounds
/// what a damaged length can make it allocate in advance).
const LIMIT: usize = 1 << 30;

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<LIMIT>()
}

/// Why a snapshot could not be written or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// The bytes do not start with [`SNAPSHOT_MAGIC`].
    #[error("not a meeting snapshot (no scrutin-meeting magic)")]
    NotASnapshot,
    /// A snapshot of a layout this library does not read.
    #[error("meeting snapshot version {found}, this build reads only version {expected}")]
    UnsupportedVersion {
        /// The version in the snapshot.
        found: u32,
        /// [`SNAPSHOT_VERSION`].
        expected: u32,
    },
    /// The body does not decode to a meeting, or bytes follow it.
    #[error("damaged meeting snapshot: {0}")]
    Malformed(String),
    /// The meeting could not be encoded.
    #[error("meeting snapshot not written: {0}")]
    Encode(String),
}

impl Meeting {
    /// The meeting's whole state as a versioned snapshot (see the module documentation).
    ///
    /// # Errors
    /// [`SnapshotError::Encode`] if the encoder refuses the state (larger than its limit).
    pub fn to_snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        let mut out = Vec::with_capacity(1 << 16);
        out.extend_from_slice(&SNAPSHOT_MAGIC);
        out.extend_from_slice(&SNAPSHOT_VERSION.to_be_bytes());
        bincode::encode_into_std_write(self, &mut out, config())
            .map_err(|e| SnapshotError::Encode(e.to_string()))?;
        Ok(out)
    }

    /// The meeting a snapshot of [`Meeting::to_snapshot`] holds: checking and applying events
    /// to it gives what checking and applying them to the meeting it was taken from gives.
    ///
    /// # Errors
    /// [`SnapshotError::NotASnapshot`], [`SnapshotError::UnsupportedVersion`] for a snapshot of
    /// another layout, [`SnapshotError::Malformed`] for a damaged body or trailing bytes.
    pub fn from_snapshot(bytes: &[u8]) -> Result<Meeting, SnapshotError> {
        let rest = bytes
            .strip_prefix(&SNAPSHOT_MAGIC[..])
            .ok_or(SnapshotError::NotASnapshot)?;
        let (version, body) = rest
            .split_first_chunk::<4>()
            .ok_or_else(|| SnapshotError::Malformed("no version".into()))?;
        let version = u32::from_be_bytes(*version);
        if version != SNAPSHOT_VERSION {
            return Err(SnapshotError::UnsupportedVersion {
                found: version,
                expected: SNAPSHOT_VERSION,
            });
        }
        let (meeting, read): (Meeting, usize) = bincode::decode_from_slice(body, config())
            .map_err(|e| SnapshotError::Malformed(e.to_string()))?;
        if read != body.len() {
            return Err(SnapshotError::Malformed(format!(
                "{} bytes follow the meeting",
                body.len() - read
            )));
        }
        Ok(meeting)
    }
}

impl<T: Encode + Clone> Encode for CowVec<T> {
    fn encode<E: Encoder>(&self, encoder: &mut E) -> Result<(), EncodeError> {
        (self.len() as u64).encode(encoder)?;
        for value in self.iter() {
            value.encode(encoder)?;
        }
        Ok(())
    }
}

impl<Ctx, T: Decode<Ctx> + Clone> Decode<Ctx> for CowVec<T> {
    fn decode<D: Decoder<Context = Ctx>>(decoder: &mut D) -> Result<Self, DecodeError> {
        let len = u64::decode(decoder)?;
        // Grows with the elements actually decoded: a false length allocates nothing.
        let mut out = CowVec::default();
        for _ in 0..len {
            out.push(T::decode(decoder)?);
        }
        Ok(out)
    }
}

impl<'de, Ctx, T: Decode<Ctx> + Clone> BorrowDecode<'de, Ctx> for CowVec<T> {
    fn borrow_decode<D: BorrowDecoder<'de, Context = Ctx>>(
        decoder: &mut D,
    ) -> Result<Self, DecodeError> {
        Self::decode(decoder)
    }
}

/// A string arena is its strings in order (encoded as a `Vec<String>` would be).
impl Encode for StrArena {
    fn encode<E: Encoder>(&self, encoder: &mut E) -> Result<(), EncodeError> {
        (self.len() as u64).encode(encoder)?;
        for value in self.iter() {
            value.encode(encoder)?;
        }
        Ok(())
    }
}

impl<Ctx> Decode<Ctx> for StrArena {
    fn decode<D: Decoder<Context = Ctx>>(decoder: &mut D) -> Result<Self, DecodeError> {
        let len = u64::decode(decoder)?;
        // Grows with the strings actually decoded: a false length allocates nothing.
        let mut out = StrArena::default();
        for _ in 0..len {
            out.push(&String::decode(decoder)?);
        }
        Ok(out)
    }
}

impl<'de, Ctx> BorrowDecode<'de, Ctx> for StrArena {
    fn borrow_decode<D: BorrowDecoder<'de, Context = Ctx>>(
        decoder: &mut D,
    ) -> Result<Self, DecodeError> {
        Self::decode(decoder)
    }
}

/// An interner is its ids in index order; the lookup table is rebuilt on decoding, and each
/// id must be a valid one, interned once.
impl<K: IdText> Encode for Interner<K> {
    fn encode<E: Encoder>(&self, encoder: &mut E) -> Result<(), EncodeError> {
        self.texts().encode(encoder)
    }
}

impl<Ctx, K: IdText> Decode<Ctx> for Interner<K> {
    fn decode<D: Decoder<Context = Ctx>>(decoder: &mut D) -> Result<Self, DecodeError> {
        let len = u64::decode(decoder)?;
        let mut out = Interner::default();
        for _ in 0..len {
            let text = String::decode(decoder)?;
            if K::from_text(&text).is_none() {
                return Err(DecodeError::OtherString(format!("invalid id {text:?}")));
            }
            if out.get_text(&text).is_some() {
                return Err(DecodeError::OtherString(format!(
                    "id {text:?} interned twice"
                )));
            }
            out.push_text(&text);
        }
        Ok(out)
    }
}

impl<'de, Ctx, K: IdText> BorrowDecode<'de, Ctx> for Interner<K> {
    fn borrow_decode<D: BorrowDecoder<'de, Context = Ctx>>(
        decoder: &mut D,
    ) -> Result<Self, DecodeError> {
        Self::decode(decoder)
    }
}
