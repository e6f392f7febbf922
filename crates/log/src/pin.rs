//! Pinning: what a verifier requires of a checkpoint beyond signatures by trusted keys — the
//! log it must be of, and how many trusted witnesses must have cosigned it.

use crate::checkpoint::SignedCheckpoint;
use crate::keys::NoteVerifier;

/// What a verifier requires of a checkpoint beyond a valid signature by a trusted key.
///
/// The default pins nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pin {
    /// The origin the checkpoint must carry (`None`: any).
    pub origin: Option<String>,
    /// How many trusted witnesses must have cosigned: trusted keys that did not sign the
    /// checkpoint note, each with a cosignature that verifies (0: none required).
    pub quorum: usize,
}

/// The trusted witnesses of one checkpoint: every trusted key that did not sign its note.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Witnessing {
    /// Trusted witnesses whose cosignature verified (key name, cosignature timestamp).
    pub cosigned: Vec<(String, u64)>,
    /// Trusted witnesses with no cosignature that verifies (key names).
    pub silent: Vec<String>,
}

impl SignedCheckpoint {
    /// Sorts the trusted keys that did not sign this checkpoint's note (its witnesses) into
    /// those that cosigned it and those that did not. A key given twice (for example as
    /// signer and as cosigner vkey) counts once.
    pub fn witnessing(&self, trusted: &[NoteVerifier]) -> Witnessing {
        let mut out = Witnessing::default();
        let mut seen: Vec<(&str, crate::PublicKey)> = Vec::new();
        for v in trusted {
            if seen.contains(&(v.name(), v.public_key())) {
                continue;
            }
            seen.push((v.name(), v.public_key()));
            // Both forms of the key: did it sign the note, did it cosign?
            let as_signer = NoteVerifier::new(v.name(), v.public_key());
            let lines = self.check(std::slice::from_ref(&as_signer));
            if v.may_sign() && !lines.verdict.signed_by.is_empty() {
                continue;
            }
            match lines.verdict.cosigned_by.first() {
                Some((name, t)) if lines.bad_cosignatures.is_empty() => {
                    out.cosigned.push((name.clone(), *t))
                }
                _ => out.silent.push(v.name().to_owned()),
            }
        }
        out
    }
}

impl Pin {
    /// Whether this pins nothing.
    pub fn is_empty(&self) -> bool {
        self.origin.is_none() && self.quorum == 0
    }

    /// Checks `cp` against the pin with the `trusted` keys: `Ok` with what was checked, in
    /// words, or `Err` with why it fails (naming the expected and found origin, or who
    /// cosigned and who did not).
    ///
    /// # Errors
    /// The reason, in words, when the origin differs or the quorum is not met.
    pub fn check(&self, cp: &SignedCheckpoint, trusted: &[NoteVerifier]) -> Result<String, String> {
        let mut done = Vec::new();
        let found = &cp.checkpoint.origin;
        if let Some(expected) = &self.origin {
            if found != expected {
                return Err(format!(
                    "the checkpoint is of origin {found:?}, not the expected {expected:?}"
                ));
            }
            done.push(format!("origin {found:?} as expected"));
        }
        if self.quorum > 0 {
            let w = cp.witnessing(trusted);
            let who = |names: &mut dyn Iterator<Item = &String>| {
                let v: Vec<&str> = names.map(String::as_str).collect();
                if v.is_empty() {
                    "nobody".to_owned()
                } else {
                    v.join(", ")
                }
            };
            let cosigned = who(&mut w.cosigned.iter().map(|(n, _)| n));
            if w.cosigned.len() < self.quorum {
                return Err(format!(
                    "{} of the {} trusted witness cosignatures required: cosigned by {cosigned}; \
                     did not cosign: {}",
                    w.cosigned.len(),
                    self.quorum,
                    who(&mut w.silent.iter())
                ));
            }
            done.push(format!(
                "{} trusted witness cosignatures (quorum {}): {cosigned}",
                w.cosigned.len(),
                self.quorum
            ));
        }
        Ok(done.join("; "))
    }
}
