//! Checkpoints (C2SP tlog-checkpoint) in signed notes (C2SP signed-note) with witness
//! cosignatures (C2SP tlog-cosignature, `cosignature/v1`).

use crate::error::LogError;
use crate::hash::{hex_encode, Hash};
use crate::keys::{check_key_name, NoteVerifier, Signer};
use base64::Engine as _;

/// Signature-line prefix: U+2014 EM DASH, U+0020 SPACE.
const SIG_PREFIX: &str = "\u{2014} ";
/// Most signature lines a note may carry (as in Go's `golang.org/x/mod/sumdb/note`).
const MAX_SIGNATURES: usize = 100;

/// A C2SP tlog-checkpoint body: the log's origin, its size and its Merkle root.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Checkpoint {
    /// The log's origin line (unique name of the log).
    pub origin: String,
    /// Number of entries.
    pub size: u64,
    /// RFC 6962 root of the first `size` entries.
    pub root: Hash,
}

impl Checkpoint {
    /// The note body: `<origin>\n<size>\n<base64 root>\n`.
    pub fn body_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.root.to_base64()
        )
    }

    /// Parses a body written by [`Checkpoint::body_text`]. Extension lines are not supported.
    ///
    /// # Errors
    /// [`LogError::Note`] describing the first problem.
    pub fn parse(body: &str) -> Result<Checkpoint, LogError> {
        let lines = body
            .strip_suffix('\n')
            .ok_or_else(|| LogError::Note("checkpoint body must end with a newline".into()))?;
        let mut it = lines.split('\n');
        let (Some(origin), Some(size), Some(root)) = (it.next(), it.next(), it.next()) else {
            return Err(LogError::Note(
                "checkpoint body needs origin, size and root lines".into(),
            ));
        };
        if it.next().is_some() {
            return Err(LogError::Note(
                "checkpoint extension lines are not supported".into(),
            ));
        }
        if origin.is_empty() {
            return Err(LogError::Note("empty origin line".into()));
        }
        crate::text::check_no_control("origin", origin).map_err(LogError::Note)?;
        let size_ok = !size.is_empty()
            && size.bytes().all(|b| b.is_ascii_digit())
            && (size == "0" || !size.starts_with('0'));
        let size = size
            .parse::<u64>()
            .ok()
            .filter(|_| size_ok)
            .ok_or_else(|| LogError::Note(format!("bad size line {size:?}")))?;
        let root = Hash::from_base64(root).map_err(|e| LogError::Note(format!("root: {e}")))?;
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        })
    }

    /// The message a witness signs for cosignature/v1 at `timestamp` (POSIX seconds).
    pub fn cosignature_message(&self, timestamp: u64) -> String {
        format!("cosignature/v1\ntime {timestamp}\n{}", self.body_text())
    }
}

/// A note signature line: the log's signature over the checkpoint body.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NoteSignature {
    /// The signer's key name.
    pub name: String,
    /// C2SP key ID (type 0x01).
    pub key_id: [u8; 4],
    /// Ed25519 signature over the body text.
    pub signature: [u8; 64],
}

/// A witness cosignature (C2SP `cosignature/v1`, Ed25519, key type 0x04).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Cosignature {
    /// The witness's key name.
    pub name: String,
    /// C2SP cosigner key ID (type 0x04).
    pub key_id: [u8; 4],
    /// When the witness cosigned, in POSIX seconds.
    pub timestamp: u64,
    /// Ed25519 signature over [`Checkpoint::cosignature_message`].
    pub signature: [u8; 64],
}

/// Who signed a checkpoint, as established by [`SignedCheckpoint::verify`].
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct CheckpointVerdict {
    /// Names of trusted keys whose note signature verified.
    pub signed_by: Vec<String>,
    /// Trusted witnesses whose cosignature verified, with the cosignature timestamp.
    pub cosigned_by: Vec<(String, u64)>,
    /// Signature lines from keys not in the trusted set (`name+keyid`), ignored as C2SP says.
    pub unknown: Vec<String>,
}

/// A checkpoint with its note signatures and cosignatures.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SignedCheckpoint {
    /// The signed statement.
    pub checkpoint: Checkpoint,
    signatures: Vec<NoteSignature>,
    cosignatures: Vec<Cosignature>,
}

impl SignedCheckpoint {
    /// Signs `checkpoint` with `signer` (a note signature with the signer's name and key ID).
    pub fn sign(checkpoint: Checkpoint, signer: &Signer) -> SignedCheckpoint {
        let v = signer.verifier();
        let signature = signer.sign(checkpoint.body_text().as_bytes());
        SignedCheckpoint {
            checkpoint,
            signatures: vec![NoteSignature {
                name: v.name().to_owned(),
                key_id: v.key_id(),
                signature,
            }],
            cosignatures: Vec::new(),
        }
    }

    /// Adds another note signature (e.g. a second log key during a key rotation), replacing
    /// an earlier one by the same key (name and key ID): a note never carries a key twice.
    pub fn add_signature(&mut self, signer: &Signer) {
        let v = signer.verifier();
        self.signatures
            .retain(|o| !(o.name == v.name() && o.key_id == v.key_id()));
        self.signatures.push(NoteSignature {
            name: v.name().to_owned(),
            key_id: v.key_id(),
            signature: signer.sign(self.checkpoint.body_text().as_bytes()),
        });
    }

    /// The note signatures, in note order.
    pub fn signers(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// The cosignatures, in note order.
    pub fn cosigners(&self) -> &[Cosignature] {
        &self.cosignatures
    }

    /// Adds a cosignature, replacing an earlier one by the same key (name and key ID).
    pub fn add_cosignature(&mut self, c: Cosignature) {
        self.cosignatures
            .retain(|o| !(o.name == c.name && o.key_id == c.key_id));
        self.cosignatures.push(c);
    }

    /// The C2SP signed note: body, blank line, then one `— <name> <base64>` line per note
    /// signature followed by one per cosignature.
    pub fn to_note_text(&self) -> String {
        let b64 = &base64::engine::general_purpose::STANDARD;
        let mut s = self.checkpoint.body_text();
        s.push('\n');
        for sig in &self.signatures {
            let mut bytes = sig.key_id.to_vec();
            bytes.extend_from_slice(&sig.signature);
            s.push_str(&format!("{SIG_PREFIX}{} {}\n", sig.name, b64.encode(bytes)));
        }
        for c in &self.cosignatures {
            let mut bytes = c.key_id.to_vec();
            bytes.extend_from_slice(&c.timestamp.to_be_bytes());
            bytes.extend_from_slice(&c.signature);
            s.push_str(&format!("{SIG_PREFIX}{} {}\n", c.name, b64.encode(bytes)));
        }
        s
    }

    /// Parses a signed note carrying a checkpoint. A 68-byte signature is a note signature
    /// (key ID + Ed25519), a 76-byte one a cosignature/v1 (key ID + timestamp + Ed25519);
    /// any other line is rejected, and so is a second line by the same key (name and key ID). Lines may come in any order (C2SP); [`Self::to_note_text`] writes
    /// note signatures first. Signatures are not checked here: see [`Self::verify`].
    ///
    /// # Errors
    /// [`LogError::Note`] describing the first problem.
    pub fn parse_note(text: &str) -> Result<SignedCheckpoint, LogError> {
        let split = text
            .rfind("\n\n")
            .ok_or_else(|| LogError::Note("no blank line before the signatures".into()))?;
        let body = &text[..split + 1];
        let sigs = text[split + 2..]
            .strip_suffix('\n')
            .ok_or_else(|| LogError::Note("note must end with a newline".into()))?;
        let checkpoint = Checkpoint::parse(body)?;
        let mut out = SignedCheckpoint {
            checkpoint,
            signatures: Vec::new(),
            cosignatures: Vec::new(),
        };
        for (n, line) in sigs.split('\n').enumerate() {
            if n >= MAX_SIGNATURES {
                return Err(LogError::Note("too many signature lines".into()));
            }
            let rest = line
                .strip_prefix(SIG_PREFIX)
                .ok_or_else(|| LogError::Note(format!("bad signature line {line:?}")))?;
            let (name, b64) = rest
                .split_once(' ')
                .ok_or_else(|| LogError::Note(format!("bad signature line {line:?}")))?;
            check_key_name(name).map_err(|e| LogError::Note(e.to_string()))?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| LogError::Note(format!("signature of {name}: {e}")))?;
            let mut key_id = [0u8; 4];
            let mut signature = [0u8; 64];
            // One line per key: a repeated line would give one checkpoint many encodings
            // (and bundles many digests), or read as a second witness.
            let id = bytes.get(..4).unwrap_or_default();
            let repeated = out
                .signatures
                .iter()
                .any(|o| o.name == name && o.key_id == id)
                || out
                    .cosignatures
                    .iter()
                    .any(|o| o.name == name && o.key_id == id);
            if repeated {
                return Err(LogError::Note(format!(
                    "two signature lines by the key {name}+{}",
                    hex_encode(&bytes[..4])
                )));
            }
            match bytes.len() {
                68 => {
                    key_id.copy_from_slice(&bytes[..4]);
                    signature.copy_from_slice(&bytes[4..]);
                    out.signatures.push(NoteSignature {
                        name: name.to_owned(),
                        key_id,
                        signature,
                    });
                }
                76 => {
                    key_id.copy_from_slice(&bytes[..4]);
                    let mut ts = [0u8; 8];
                    ts.copy_from_slice(&bytes[4..12]);
                    signature.copy_from_slice(&bytes[12..]);
                    let timestamp = u64::from_be_bytes(ts);
                    if timestamp > i64::MAX as u64 {
                        return Err(LogError::Note(format!(
                            "cosignature of {name}: timestamp above 2^63-1"
                        )));
                    }
                    out.cosignatures.push(Cosignature {
                        name: name.to_owned(),
                        key_id,
                        timestamp,
                        signature,
                    });
                }
                n => {
                    return Err(LogError::Note(format!(
                        "signature of {name}: {n} bytes is neither Ed25519 nor cosignature/v1"
                    )))
                }
            }
        }
        Ok(out)
    }

    /// Checks the signature lines against `trusted`. Lines by keys not in `trusted` are
    /// ignored (and listed in [`CheckpointVerdict::unknown`]), as C2SP says; a line that names
    /// a trusted key but does not verify is an error, and so is the absence of any valid note
    /// signature by a trusted key. Cosignatures are checked but none are required: a quorum
    /// is the caller's policy, applied to [`CheckpointVerdict::cosigned_by`].
    ///
    /// # Errors
    /// [`LogError::Checkpoint`] saying which signature failed or that none is trusted.
    pub fn verify(&self, trusted: &[NoteVerifier]) -> Result<CheckpointVerdict, LogError> {
        let lines = self.check(trusted);
        if let Some(bad) = lines.bad_signatures.first() {
            return Err(LogError::Checkpoint(format!(
                "note signature by {bad} does not verify"
            )));
        }
        if let Some(bad) = lines.bad_cosignatures.first() {
            return Err(LogError::Checkpoint(format!(
                "cosignature by {bad} does not verify"
            )));
        }
        if lines.verdict.signed_by.is_empty() {
            return Err(LogError::Checkpoint(
                "no note signature by a trusted key".into(),
            ));
        }
        Ok(lines.verdict)
    }

    /// Classifies every line; used by `verify` and by the bundle verifier.
    pub(crate) fn check(&self, trusted: &[NoteVerifier]) -> LineCheck {
        let mut r = LineCheck::default();
        let body = self.checkpoint.body_text();
        for s in &self.signatures {
            match trusted
                .iter()
                .find(|v| v.may_sign() && v.name() == s.name && v.key_id() == s.key_id)
            {
                Some(v) => match v.public_key().verify(body.as_bytes(), &s.signature) {
                    // A line repeated (or a second signature by the same key) is one signer.
                    Ok(()) if r.verdict.signed_by.contains(&s.name) => {}
                    Ok(()) => r.verdict.signed_by.push(s.name.clone()),
                    Err(_) => r.bad_signatures.push(s.name.clone()),
                },
                None => {
                    r.verdict
                        .unknown
                        .push(format!("{}+{}", s.name, hex_encode(&s.key_id)));
                    r.unknown_signatures += 1;
                }
            }
        }
        for c in &self.cosignatures {
            match trusted
                .iter()
                .find(|v| v.name() == c.name && v.cosigner_key_id() == c.key_id)
            {
                Some(v) => {
                    let msg = self.checkpoint.cosignature_message(c.timestamp);
                    match v.public_key().verify(msg.as_bytes(), &c.signature) {
                        // One witness is one cosigner, however many lines it has: a
                        // repeated line must not read as a second witness.
                        Ok(()) if r.verdict.cosigned_by.iter().any(|(n, _)| *n == c.name) => {}
                        Ok(()) => r.verdict.cosigned_by.push((c.name.clone(), c.timestamp)),
                        Err(_) => r.bad_cosignatures.push(c.name.clone()),
                    }
                }
                None => {
                    r.verdict
                        .unknown
                        .push(format!("{}+{}", c.name, hex_encode(&c.key_id)));
                    r.unknown_cosignatures += 1;
                }
            }
        }
        r
    }
}

/// Result of checking each signature line against a trusted set.
#[derive(Default)]
pub(crate) struct LineCheck {
    pub(crate) verdict: CheckpointVerdict,
    pub(crate) bad_signatures: Vec<String>,
    pub(crate) bad_cosignatures: Vec<String>,
    pub(crate) unknown_signatures: usize,
    pub(crate) unknown_cosignatures: usize,
}

/// Makes a cosignature/v1 by `witness` on `checkpoint` at `timestamp` (POSIX seconds).
pub(crate) fn cosign(witness: &Signer, checkpoint: &Checkpoint, timestamp: u64) -> Cosignature {
    let v = witness.verifier();
    Cosignature {
        name: v.name().to_owned(),
        key_id: v.cosigner_key_id(),
        timestamp,
        signature: witness.sign(checkpoint.cosignature_message(timestamp).as_bytes()),
    }
}
