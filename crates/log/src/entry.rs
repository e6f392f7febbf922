//! Log entries: the signed, hash-chained records the log stores.

use crate::codec::{self, WireEntry};
use crate::error::LogError;
use crate::hash::{leaf_hash, Hash};
use crate::keys::{PublicKey, Signer};

/// One record of the log.
///
/// Invariants checked by [`Entry::decode`] and by the bundle verifier: `index` counts from 0
/// without gaps, `prev` is the previous entry's [`Entry::hash`] ([`Hash::ZERO`] for entry 0),
/// `recorded_at_ms` never decreases, and `signature` is the author's Ed25519 signature over
/// [`Entry::signed_message`] (checked under the entry-signature rule of `docs/FORMAT.md`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Entry {
    /// Position in the log, from 0.
    pub index: u64,
    /// Hash of the previous entry; [`Hash::ZERO`] for entry 0.
    pub prev: Hash,
    /// When the log recorded the entry: UTC milliseconds since the Unix epoch.
    pub recorded_at_ms: u64,
    /// The key that signed the entry.
    pub author: PublicKey,
    /// The application's bytes (at most [`crate::MAX_PAYLOAD_BYTES`]).
    pub payload: Vec<u8>,
    /// Ed25519 signature by `author` over [`Entry::signed_message`].
    pub signature: [u8; 64],
}

impl Entry {
    /// Checks the signatures of many entries at once under the entry-signature rule (the
    /// rule of [`Entry::verify_signature`], in batches on all cores as the bundle verifier
    /// does: `docs/FORMAT.md`, "Signature verification in batches") and returns the positions
    /// in `entries` of those that do not verify, ascending. A failing batch is re-checked one
    /// signature at a time, so an entry is named exactly when
    /// [`Entry::verify_signature`] refuses it (a batch holding an invalid signature passes
    /// with probability below 2^-125).
    pub fn invalid_signatures(entries: &[&Entry]) -> Vec<usize> {
        // Author keys: a handful per log, decompressed once each.
        let mut keys: Vec<([u8; 32], Option<ed25519_dalek::VerifyingKey>)> = Vec::new();
        let mut key_of = Vec::with_capacity(entries.len());
        for e in entries {
            let b = e.author.as_bytes();
            let k = match keys.iter().position(|(kb, _)| kb == b) {
                Some(k) => k,
                None => {
                    keys.push((*b, e.author.verifying_key().ok()));
                    keys.len() - 1
                }
            };
            key_of.push(k);
        }
        let msgs: Vec<Vec<u8>> = entries.iter().map(|e| e.signed_message()).collect();
        let mut bad = Vec::new();
        let mut items = Vec::with_capacity(entries.len());
        let mut pos = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            match &keys[key_of[i]].1 {
                Some(key) => {
                    items.push(crate::batch::SigItem {
                        key,
                        msg: &msgs[i],
                        sig: &e.signature,
                    });
                    pos.push(i);
                }
                None => bad.push(i),
            }
        }
        bad.extend(
            crate::batch::all_invalid(&items)
                .into_iter()
                .filter_map(|j| pos.get(j).copied()),
        );
        bad.sort_unstable();
        bad
    }

    /// Builds and signs an entry (the log does this on append; exposed for tests and tools).
    pub fn sign(
        signer: &Signer,
        index: u64,
        prev: Hash,
        recorded_at_ms: u64,
        payload: Vec<u8>,
    ) -> Entry {
        let author = signer.public_key();
        let msg = codec::entry_signed_message(
            index,
            &prev,
            recorded_at_ms,
            author.as_bytes(),
            &Hash::digest(&payload),
        );
        Entry {
            index,
            prev,
            recorded_at_ms,
            author,
            payload,
            signature: signer.sign(&msg),
        }
    }

    /// The leaf data: the canonical bytes of every field except the signature
    /// (that is, [`Entry::encode`] without its last 64 bytes).
    pub fn leaf_bytes(&self) -> Vec<u8> {
        codec::encode_body(
            self.index,
            &self.prev,
            self.recorded_at_ms,
            self.author.as_bytes(),
            &self.payload,
        )
    }

    /// The entry hash, SHA-256(0x00 || leaf bytes): the RFC 6962 leaf hash and the next
    /// entry's `prev`. The signature is deliberately outside it (see `docs/FORMAT.md`): it
    /// lets a batch be signed in parallel, and the signature is verified on its own.
    pub fn hash(&self) -> Hash {
        leaf_hash(&self.leaf_bytes())
    }

    /// The exact bytes the author signs (a fixed 143-byte message):
    /// `"scrutin-log/v1/entry-signature\n"` || index || prev || recorded_at_ms || author ||
    /// SHA-256(payload), integers big-endian.
    pub fn signed_message(&self) -> Vec<u8> {
        codec::entry_signed_message(
            self.index,
            &self.prev,
            self.recorded_at_ms,
            self.author.as_bytes(),
            &Hash::digest(&self.payload),
        )
        .to_vec()
    }

    /// Canonical bytes: leaf bytes followed by the 64-byte signature.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.leaf_bytes();
        out.extend_from_slice(&self.signature);
        out
    }

    /// Decodes canonical bytes (size limit, no trailing bytes, must re-encode identically,
    /// author must be a valid non-weak key). Does not check the signature.
    ///
    /// # Errors
    /// [`LogError::Decode`], [`LogError::PayloadTooLarge`] or [`LogError::InvalidKey`].
    pub fn decode(bytes: &[u8]) -> Result<Entry, LogError> {
        Entry::from_wire(codec::decode_entry(bytes)?)
    }

    pub(crate) fn from_wire(w: WireEntry) -> Result<Entry, LogError> {
        Entry::from_wire_with(w, &mut CheckedKeys::default())
    }

    /// [`Entry::decode`] that skips re-checking author keys already in `checked`.
    pub(crate) fn decode_with(bytes: &[u8], checked: &mut CheckedKeys) -> Result<Entry, LogError> {
        Entry::from_wire_with(codec::decode_entry(bytes)?, checked)
    }

    fn from_wire_with(w: WireEntry, checked: &mut CheckedKeys) -> Result<Entry, LogError> {
        Ok(Entry {
            index: w.index,
            prev: Hash(w.prev),
            recorded_at_ms: w.recorded_at_ms,
            author: checked.check(&w.author)?,
            payload: w.payload,
            signature: w.signature,
        })
    }

    /// Checks the signature under the entry-signature rule (`docs/FORMAT.md`, "Signature
    /// verification in batches"): canonical `S`, `R` and key, neither `R` nor the key of
    /// small order, cofactored equation; the bundle verifier's batches accept exactly the same.
    ///
    /// # Errors
    /// [`LogError::BadSignature`] if it does not verify.
    pub fn verify_signature(&self) -> Result<(), LogError> {
        self.author
            .verify_entry(&self.signed_message(), &self.signature)
            .map_err(|_| LogError::BadSignature(format!("entry {}", self.index)))
    }
}

/// Decodes many entries ([`Entry::decode`], each check made), checking each distinct author
/// key once (a key check decompresses a curve point, which costs more than the rest of the
/// decoding): for a reader of many entries, such as a verifier of many receipts.
#[derive(Default, Clone)]
pub struct EntryDecoder(CheckedKeys);

impl std::fmt::Debug for EntryDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryDecoder")
            .field("keys", &self.0 .0.len())
            .finish()
    }
}

impl EntryDecoder {
    /// [`Entry::decode`], with the author key's checks skipped when this decoder already
    /// made them on exactly the same key bytes.
    ///
    /// # Errors
    /// As [`Entry::decode`].
    pub fn decode(&mut self, bytes: &[u8]) -> Result<Entry, LogError> {
        Entry::decode_with(bytes, &mut self.0)
    }
}

/// Author keys already checked by [`PublicKey::from_bytes`] during one scan (a handful of
/// registrar, scrutineer and chair keys; bounded so a hostile store cannot grow it).
#[derive(Default, Clone)]
pub(crate) struct CheckedKeys(Vec<[u8; 32]>);

impl CheckedKeys {
    const MAX: usize = 64;

    fn check(&mut self, bytes: &[u8; 32]) -> Result<PublicKey, LogError> {
        if self.0.contains(bytes) {
            return Ok(PublicKey::from_checked(*bytes));
        }
        let key = PublicKey::from_bytes(bytes)?;
        if self.0.len() >= Self::MAX {
            self.0.clear();
        }
        self.0.push(*bytes);
        Ok(key)
    }
}
