//! Keys: entry authors' public keys, signers, and C2SP signed-note verifier keys.

use crate::error::LogError;
use crate::hash::{hex_encode, Hash};
use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use std::fmt;

/// C2SP signed-note signature type for Ed25519.
pub(crate) const SIG_TYPE_ED25519: u8 = 0x01;
/// C2SP tlog-cosignature signature type for Ed25519 cosignatures (cosignature/v1).
pub(crate) const SIG_TYPE_COSIGNATURE_V1: u8 = 0x04;

/// An Ed25519 public key (32 bytes), checked to be a valid, non-weak curve point.
///
/// `Display` is lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, std::hash::Hash)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    /// Checks and wraps a 32-byte Ed25519 public key.
    ///
    /// # Errors
    /// [`LogError::InvalidKey`] if the bytes are not the canonical encoding of a point on the
    /// curve or are a weak (small-order) key.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<PublicKey, LogError> {
        if !crate::batch::canonical_y(bytes) {
            return Err(LogError::InvalidKey(
                "not a canonical Ed25519 public key encoding".into(),
            ));
        }
        let vk = VerifyingKey::from_bytes(bytes)
            .map_err(|_| LogError::InvalidKey("not an Ed25519 public key".into()))?;
        if vk.is_weak() {
            return Err(LogError::InvalidKey("weak (small-order) public key".into()));
        }
        Ok(PublicKey(*bytes))
    }

    /// The 32 key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Parses 64 hex digits and checks the key.
    ///
    /// # Errors
    /// [`LogError::InvalidKey`] if `s` is not hex of a valid key.
    pub fn from_hex(s: &str) -> Result<PublicKey, LogError> {
        let h = Hash::from_hex(s).map_err(|e| LogError::InvalidKey(e.to_string()))?;
        PublicKey::from_bytes(&h.0)
    }

    /// Wraps bytes already checked by [`PublicKey::from_bytes`].
    pub(crate) fn from_checked(bytes: [u8; 32]) -> PublicKey {
        PublicKey(bytes)
    }

    pub(crate) fn verifying_key(&self) -> Result<VerifyingKey, LogError> {
        VerifyingKey::from_bytes(&self.0)
            .map_err(|_| LogError::InvalidKey("not an Ed25519 public key".into()))
    }

    /// An entry signature under the entry-signature rule (`batch.rs`; the same rule the
    /// bundle verifier applies in batches).
    pub(crate) fn verify_entry(&self, msg: &[u8], sig: &[u8; 64]) -> Result<(), LogError> {
        let vk = self.verifying_key()?;
        if crate::batch::verify_one(&vk, msg, sig) {
            Ok(())
        } else {
            Err(LogError::BadSignature("signature does not verify".into()))
        }
    }

    /// `verify_strict` of `sig` over `msg` (note signatures and cosignatures).
    ///
    /// # Errors
    /// [`LogError::InvalidKey`] or [`LogError::BadSignature`]-class errors if it does not verify.
    pub fn verify(&self, msg: &[u8], sig: &[u8; 64]) -> Result<(), LogError> {
        let vk = self.verifying_key()?;
        vk.verify_strict(msg, &ed25519_dalek::Signature::from_bytes(sig))
            .map_err(|_| LogError::BadSignature("signature does not verify".into()))
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex_encode(&self.0))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", hex_encode(&self.0))
    }
}

/// Checks a C2SP key name: non-empty, no whitespace, no `+`, and (stricter than C2SP) no
/// control character ([`crate::is_control_char`]): a name is printed to terminals.
pub(crate) fn check_key_name(name: &str) -> Result<(), LogError> {
    if name.is_empty() {
        return Err(LogError::InvalidKey("empty key name".into()));
    }
    crate::text::check_no_control("key name", name).map_err(LogError::InvalidKey)?;
    if name.chars().any(|c| c.is_whitespace() || c == '+') {
        return Err(LogError::InvalidKey(format!(
            "key name {name:?} contains whitespace or '+'"
        )));
    }
    Ok(())
}

/// C2SP key ID: SHA-256(name || "\n" || type || key)[:4].
pub(crate) fn key_id(name: &str, sig_type: u8, key: &[u8; 32]) -> [u8; 4] {
    let mut buf = Vec::with_capacity(name.len() + 34);
    buf.extend_from_slice(name.as_bytes());
    buf.push(b'\n');
    buf.push(sig_type);
    buf.extend_from_slice(key);
    let h = Hash::digest(&buf);
    [h.0[0], h.0[1], h.0[2], h.0[3]]
}

/// A named Ed25519 signing key: signs entries (as their author), checkpoints (as the log) and
/// cosignatures (as a witness).
///
/// `Debug` never prints the secret.
pub struct Signer {
    name: String,
    key: SigningKey,
}

impl Signer {
    /// A new key from the operating system's random source.
    ///
    /// # Errors
    /// [`LogError::InvalidKey`] for a bad name; [`LogError::Io`] if no randomness is available.
    pub fn generate(name: &str) -> Result<Signer, LogError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| LogError::Io(format!("getrandom: {e}")))?;
        Signer::from_seed(name, seed)
    }

    /// The key derived from a 32-byte Ed25519 seed (deterministic: for tests and vectors).
    ///
    /// # Errors
    /// [`LogError::InvalidKey`] if the name is empty or contains whitespace or `+`.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Signer, LogError> {
        check_key_name(name)?;
        Ok(Signer {
            name: name.to_owned(),
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// The key name used in note signature lines.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.key.verifying_key().to_bytes())
    }

    /// The verifier (name + public key) that checks this signer's notes and cosignatures.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier::new(&self.name, self.public_key())
    }

    /// The C2SP signed-note private key string:
    /// `PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || seed)>`. Keep it secret.
    pub fn to_private_key_string(&self) -> String {
        let mut material = vec![SIG_TYPE_ED25519];
        material.extend_from_slice(&self.key.to_bytes());
        format!(
            "PRIVATE+KEY+{}+{}+{}",
            self.name,
            hex_encode(&self.verifier().key_id()),
            base64::engine::general_purpose::STANDARD.encode(material)
        )
    }

    /// Parses [`Signer::to_private_key_string`]'s form, checking the key ID.
    ///
    /// # Errors
    /// [`LogError::InvalidKey`] if the string is malformed or its key ID does not match.
    pub fn from_private_key_string(s: &str) -> Result<Signer, LogError> {
        let s = s.trim();
        let rest = s.strip_prefix("PRIVATE+KEY+").ok_or_else(|| {
            LogError::InvalidKey("private key must start with PRIVATE+KEY+".into())
        })?;
        let (name, id, material) = split_key_fields(rest)?;
        let seed: [u8; 32] = match material.split_first() {
            Some((&SIG_TYPE_ED25519, seed)) => <[u8; 32]>::try_from(seed)
                .map_err(|_| LogError::InvalidKey("Ed25519 seed must be 32 bytes".into()))?,
            _ => return Err(LogError::InvalidKey("not an Ed25519 private key".into())),
        };
        let signer = Signer::from_seed(name, seed)?;
        if signer.verifier().key_id() != id {
            return Err(LogError::InvalidKey("key ID does not match the key".into()));
        }
        Ok(signer)
    }

    pub(crate) fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.key.sign(msg).to_bytes()
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signer({}, {})", self.name, self.public_key())
    }
}

/// Splits `<name>+<hex key id>+<base64 material>`.
fn split_key_fields(s: &str) -> Result<(&str, [u8; 4], Vec<u8>), LogError> {
    // Base64 may itself contain '+', so only the first two '+' separate fields.
    let mut parts = s.splitn(3, '+');
    let (Some(name), Some(id_hex), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(LogError::InvalidKey(
            "key must be <name>+<key id>+<base64 key>".into(),
        ));
    };
    check_key_name(name)?;
    // Lowercase only (FORMAT.md section 5): one key, one string.
    let id = Some(id_hex)
        .filter(|h| h.len() == 8 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .and_then(crate::hash::hex_decode)
        .and_then(|v| <[u8; 4]>::try_from(v).ok())
        .ok_or_else(|| LogError::InvalidKey("key ID must be 8 lowercase hex digits".into()))?;
    let material = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| LogError::InvalidKey(format!("key material: {e}")))?;
    Ok((name, id, material))
}

/// A trusted key: a name and an Ed25519 public key.
///
/// A *signer* verifier (C2SP key type 0x01, [`NoteVerifier::new`]) checks note signatures
/// (checkpoints, and a ledger's genesis author) and, under the same name and key, witness
/// cosignatures. A *cosigner-only* verifier (type 0x04, [`NoteVerifier::cosigner`], or a
/// cosigner vkey string given to [`NoteVerifier::parse`]) checks cosignatures and nothing
/// else: a witness trusted that way can never pass for the log's signer, so it cannot forge
/// a meeting by signing one itself.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NoteVerifier {
    name: String,
    key: PublicKey,
    cosign_only: bool,
}

impl NoteVerifier {
    /// A signer verifier for `key` under `name` (the name should satisfy the C2SP key-name
    /// rules: non-empty, no whitespace, no `+`; one that does not can never match a signature
    /// line).
    pub fn new(name: &str, key: PublicKey) -> NoteVerifier {
        NoteVerifier {
            name: name.to_owned(),
            key,
            cosign_only: false,
        }
    }

    /// A cosigner-only verifier: it accepts `key`'s cosignatures and no note signature.
    pub fn cosigner(name: &str, key: PublicKey) -> NoteVerifier {
        NoteVerifier {
            cosign_only: true,
            ..NoteVerifier::new(name, key)
        }
    }

    /// Whether this key is trusted only to cosign (not to sign checkpoints or a genesis).
    pub fn is_cosign_only(&self) -> bool {
        self.cosign_only
    }

    /// Whether this key is trusted to sign: note signatures, and a ledger's entries as author.
    pub fn may_sign(&self) -> bool {
        !self.cosign_only
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        self.key
    }

    /// The C2SP note key ID: the first 4 bytes of `SHA-256(name || "\n" || 0x01 || key)`.
    pub fn key_id(&self) -> [u8; 4] {
        key_id(&self.name, SIG_TYPE_ED25519, &self.key.0)
    }

    /// The C2SP cosignature/v1 key ID: the first 4 bytes of `SHA-256(name || "\n" || 0x04 || key)`.
    pub fn cosigner_key_id(&self) -> [u8; 4] {
        key_id(&self.name, SIG_TYPE_COSIGNATURE_V1, &self.key.0)
    }

    /// The C2SP verifier key string in the form this key is trusted: a signer's
    /// `<name>+<key id hex>+<base64(0x01 || key)>`, or for a cosigner-only key its cosigner
    /// form (type 0x04), so that parsing the string gives back the same trust.
    pub fn to_vkey_string(&self) -> String {
        if self.cosign_only {
            return self.to_cosigner_vkey_string();
        }
        self.vkey(SIG_TYPE_ED25519, self.key_id())
    }

    /// The C2SP cosigner verifier key string `<name>+<key id hex>+<base64(0x04 || key)>`.
    pub fn to_cosigner_vkey_string(&self) -> String {
        self.vkey(SIG_TYPE_COSIGNATURE_V1, self.cosigner_key_id())
    }

    fn vkey(&self, ty: u8, id: [u8; 4]) -> String {
        let mut material = vec![ty];
        material.extend_from_slice(&self.key.0);
        format!(
            "{}+{}+{}",
            self.name,
            hex_encode(&id),
            base64::engine::general_purpose::STANDARD.encode(material)
        )
    }

    /// Parses a verifier key string of type 0x01 (a signer) or 0x04 (a cosigner-only key),
    /// checking the key ID and rejecting invalid or weak keys.
    ///
    /// # Errors
    /// [`LogError::InvalidKey`] if the string is malformed, of another type, or its key ID
    /// does not match.
    pub fn parse(s: &str) -> Result<NoteVerifier, LogError> {
        let (name, id, material) = split_key_fields(s.trim())?;
        let (ty, key) = match material.split_first() {
            Some((&ty, key)) if ty == SIG_TYPE_ED25519 || ty == SIG_TYPE_COSIGNATURE_V1 => (
                ty,
                <[u8; 32]>::try_from(key)
                    .map_err(|_| LogError::InvalidKey("Ed25519 key must be 32 bytes".into()))?,
            ),
            _ => {
                return Err(LogError::InvalidKey(
                    "verifier key type must be 0x01 (Ed25519) or 0x04 (cosignature/v1)".into(),
                ))
            }
        };
        let key_bytes = PublicKey::from_bytes(&key)?;
        let v = if ty == SIG_TYPE_COSIGNATURE_V1 {
            NoteVerifier::cosigner(name, key_bytes)
        } else {
            NoteVerifier::new(name, key_bytes)
        };
        if key_id(name, ty, &key) != id {
            return Err(LogError::InvalidKey("key ID does not match the key".into()));
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example key and note of golang.org/x/mod/sumdb/note (the reference implementation
    // of C2SP signed-note): key IDs, key strings and signatures must match byte for byte.
    const GO_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                           then you don't know what your problem is.\n";
    const GO_SIG: &str =
        "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";

    #[test]
    fn matches_go_sumdb_note_reference_example() {
        let s = Signer::from_private_key_string(GO_SKEY).unwrap();
        assert_eq!(s.to_private_key_string(), GO_SKEY);
        assert_eq!(s.verifier().to_vkey_string(), GO_VKEY);
        assert_eq!(NoteVerifier::parse(GO_VKEY).unwrap(), s.verifier());
        let blob = base64::engine::general_purpose::STANDARD
            .decode(GO_SIG)
            .unwrap();
        assert_eq!(blob[..4], s.verifier().key_id());
        assert_eq!(blob[4..], s.sign(GO_TEXT.as_bytes()));
    }

    #[test]
    fn rejects_bad_keys() {
        assert!(PublicKey::from_bytes(&[0; 32]).is_err()); // small order
        assert!(NoteVerifier::parse(
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        )
        .is_err());
        assert!(NoteVerifier::parse(
            "Peter+Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        )
        .is_err());
        assert!(Signer::from_seed("has space", [1; 32]).is_err());
        assert!(Signer::from_seed("", [1; 32]).is_err());
        assert!(Signer::from_private_key_string("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEK").is_err());
        let s = Signer::from_seed("w", [9; 32]).unwrap();
        let cos = s.verifier().to_cosigner_vkey_string();
        // A cosigner vkey is the same name and key, trusted only to cosign.
        let parsed = NoteVerifier::parse(&cos).unwrap();
        assert_eq!(parsed, NoteVerifier::cosigner("w", s.public_key()));
        assert_ne!(parsed, s.verifier());
        assert!(!format!("{s:?}").contains(&hex_encode(&[9; 32])));
    }
}
