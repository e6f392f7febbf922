//! C2SP tlog-witness (c2sp.org/tlog-witness), "HTTP Interface", `add-checkpoint`: the
//! request and response bodies, the witness's decision ([`Witness::add_checkpoint`]) and the
//! log's side ([`submit`]).
//!
//! A log is known to the witness by its verifier key: `--log-key VKEY` trusts the key for
//! every origin (a registrar signs one log per meeting, each its own origin), and
//! `--log-key ORIGIN=VKEY` for that origin only. An origin no configured key applies to is
//! unknown (404). The witness state ([`scrutin::WitnessState`]) pins the key that signed an
//! origin's first cosigned checkpoint; a later checkpoint signed only by another key is 403.

use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use scrutin::log::{
    Checkpoint, Cosignature, Hash, InconsistencyReason, NoteVerifier, SignedCheckpoint, Signer,
};
use scrutin::{LedgerError, WitnessState};

use crate::client::{excerpt, Client};
use crate::error::{malformed, NetError};

/// The path of the call, under the witness's submission prefix.
pub const ADD_CHECKPOINT_PATH: &str = "/add-checkpoint";
/// The content type of a 409 body (tlog-witness, add-checkpoint).
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";
/// At most this many consistency proof lines (tlog-witness: "MUST NOT send more than 63").
pub const MAX_PROOF_LINES: usize = 63;
/// The largest request body the witness reads (old line, 63 proof lines, a note with up to
/// 100 signature lines): larger is 413.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;
/// The largest response body the log reads from a witness.
pub const MAX_RESPONSE_BYTES: u64 = 16 * 1024;
const SIG_PREFIX: &str = "\u{2014} ";

/// An `add-checkpoint` request: the old size, the consistency proof and the checkpoint note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the checkpoint the client believes the witness last cosigned.
    pub old: u64,
    /// RFC 6962 consistency proof from `old` to the checkpoint's size (empty if `old` is 0).
    pub proof: Vec<Hash>,
    /// The checkpoint (signed note), exactly as sent.
    pub note: String,
}

impl AddCheckpoint {
    /// The request body: `old N\n`, one base64 hash per line, an empty line, the note.
    pub fn to_body(&self) -> String {
        let mut s = format!("old {}\n", self.old);
        for h in &self.proof {
            s.push_str(&h.to_base64());
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.note);
        s
    }

    /// Parses a request body, strictly as tlog-witness says: every line ends in U+000A, the
    /// old size is decimal without leading zeroes, at most 63 proof lines of one base64 hash
    /// each, then an empty line and a checkpoint note.
    ///
    /// # Errors
    /// [`NetError::Malformed`] naming the first problem.
    pub fn parse(body: &[u8]) -> Result<(AddCheckpoint, SignedCheckpoint), NetError> {
        let bad = |r: String| malformed("add-checkpoint request", r);
        let text = std::str::from_utf8(body).map_err(|_| bad("not UTF-8".into()))?;
        let (first, mut rest) = text
            .split_once('\n')
            .ok_or_else(|| bad("no old size line".into()))?;
        let n = first.strip_prefix("old ").ok_or_else(|| {
            bad(format!(
                "first line {:?} is not `old N`",
                excerpt(first.as_bytes())
            ))
        })?;
        let old = parse_decimal(n)
            .ok_or_else(|| bad(format!("bad old size {:?}", excerpt(n.as_bytes()))))?;
        let mut proof = Vec::new();
        loop {
            let (line, r) = rest
                .split_once('\n')
                .ok_or_else(|| bad("no empty line before the checkpoint".into()))?;
            rest = r;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(bad(format!("more than {MAX_PROOF_LINES} proof lines")));
            }
            let h = Hash::from_base64(line)
                .map_err(|e| bad(format!("proof line {}: {e}", proof.len() + 1)))?;
            proof.push(h);
        }
        let cp = SignedCheckpoint::parse_note(rest).map_err(|e| bad(format!("checkpoint: {e}")))?;
        Ok((
            AddCheckpoint {
                old,
                proof,
                note: rest.to_owned(),
            },
            cp,
        ))
    }
}

/// An ASCII decimal with no leading zeroes (`0` alone for zero), as tlog-witness requires.
pub fn parse_decimal(s: &str) -> Option<u64> {
    let ok =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if ok {
        s.parse().ok()
    } else {
        None
    }
}

/// One cosignature as a note signature line (C2SP tlog-cosignature): `— <name> <base64 of
/// key ID, timestamp (u64 BE), Ed25519 signature>\n`.
pub fn cosignature_line(c: &Cosignature) -> String {
    let mut bytes = c.key_id.to_vec();
    bytes.extend_from_slice(&c.timestamp.to_be_bytes());
    bytes.extend_from_slice(&c.signature);
    format!(
        "{SIG_PREFIX}{} {}\n",
        c.name,
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// A witness's answer to one request: status, content type, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// HTTP status (200, 400, 403, 404, 409, 413, 422, 500).
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
}

impl Answer {
    fn text(status: u16, msg: impl Into<String>) -> Answer {
        let mut body = msg.into().into_bytes();
        body.push(b'\n');
        Answer {
            status,
            content_type: "text/plain; charset=utf-8",
            body,
        }
    }
}

/// A log key the witness trusts, for one origin or for all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogKey {
    /// `None`: any origin (the key's holder runs many logs).
    pub origin: Option<String>,
    /// The log's verifier key.
    pub key: NoteVerifier,
}

impl LogKey {
    /// Parses `VKEY` (any origin) or `ORIGIN=VKEY`.
    ///
    /// # Errors
    /// [`NetError::Usage`] if neither form parses.
    pub fn parse(s: &str) -> Result<LogKey, NetError> {
        if let Ok(key) = NoteVerifier::parse(s) {
            return Ok(LogKey { origin: None, key });
        }
        let (origin, vkey) = s
            .split_once('=')
            .ok_or_else(|| NetError::Usage(format!("--log-key {s:?}: not VKEY or ORIGIN=VKEY")))?;
        let key = NoteVerifier::parse(vkey)
            .map_err(|e| NetError::Usage(format!("--log-key {s:?}: {e}")))?;
        Ok(LogKey {
            origin: Some(origin.to_owned()),
            key,
        })
    }
}

/// A witness: its key, its durable state and the logs it knows.
#[derive(Debug)]
pub struct Witness {
    signer: Signer,
    state: WitnessState,
    logs: Vec<LogKey>,
}

impl Witness {
    /// A witness cosigning with `signer`, recording in `state`, for the logs of `logs`.
    pub fn new(signer: Signer, state: WitnessState, logs: Vec<LogKey>) -> Witness {
        Witness {
            signer,
            state,
            logs,
        }
    }

    /// The witness's verifier key as a cosigner (what verifiers trust).
    pub fn cosigner_vkey(&self) -> String {
        self.signer.verifier().to_cosigner_vkey_string()
    }

    /// Decides one `add-checkpoint` request (c2sp.org/tlog-witness, "add-checkpoint"), in the
    /// specification's order: 400 malformed or old size above the checkpoint's; 404 unknown
    /// origin; 403 no signature by a trusted key; 409 (size body, `text/x.tlog.size`) when the
    /// old size is not the last cosigned size, or equal sizes with another root; 422 when the
    /// consistency proof fails; 200 with the cosignature line otherwise, after the new
    /// checkpoint is durable. Checking the old size and recording the new checkpoint happen
    /// under the origin's lock, so concurrent requests are serialised.
    /// A refused request whose signature verified (409 on a root, 422) is kept as evidence in
    /// the origin's state directory (`evidence-<time>-<status>.txt`).
    pub fn add_checkpoint(&self, body: &[u8]) -> Answer {
        let (req, cp) = match AddCheckpoint::parse(body) {
            Ok(x) => x,
            Err(e) => return Answer::text(400, e.to_string()),
        };
        let c = &cp.checkpoint;
        if req.old > c.size {
            return Answer::text(
                400,
                format!(
                    "old size {} is above the checkpoint size {}",
                    req.old, c.size
                ),
            );
        }
        if req.old == 0 && !req.proof.is_empty() {
            return Answer::text(400, "old size 0 takes an empty proof");
        }
        let keys: Vec<&NoteVerifier> = self
            .logs
            .iter()
            .filter(|l| l.origin.as_deref().is_none_or(|o| o == c.origin))
            .map(|l| &l.key)
            .collect();
        if keys.is_empty() {
            return Answer::text(404, format!("unknown log {}", excerpt(c.origin.as_bytes())));
        }
        // The first trusted key whose signature verifies (unknown keys' lines are ignored).
        let Some(key) = keys
            .into_iter()
            .find(|k| cp.verify(std::slice::from_ref(*k)).is_ok())
        else {
            return Answer::text(403, "no signature by a trusted log key verifies");
        };
        let mut origin = match self.state.lock(&c.origin) {
            Ok(o) => o,
            Err(LedgerError::Usage(m)) => return Answer::text(400, m),
            Err(e) => return Answer::text(500, format!("witness state: {e}")),
        };
        if let Some(pinned) = origin.log_key() {
            if pinned != key {
                return Answer::text(
                    403,
                    "the checkpoint is not signed by the key pinned for this log",
                );
            }
        }
        let size = origin.size();
        if req.old != size {
            return size_conflict(size);
        }
        if let Some(last) = origin.last() {
            if last.size == c.size && last.root != c.root {
                keep_evidence(origin.dir(), 409, body);
                return size_conflict(size);
            }
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        match origin.cosign(&cp, Some(key), &req.proof, &self.signer, now) {
            Ok(cos) => Answer {
                status: 200,
                content_type: "text/plain; charset=utf-8",
                body: cosignature_line(&cos).into_bytes(),
            },
            Err(LedgerError::WitnessRefused(inc)) => match inc.reason {
                InconsistencyReason::NotSignedByLog => Answer::text(403, inc.to_string()),
                InconsistencyReason::ProofFailed(_) => {
                    keep_evidence(origin.dir(), 422, body);
                    Answer::text(422, inc.to_string())
                }
                _ => size_conflict(size),
            },
            Err(LedgerError::LogKeyMismatch { .. }) => {
                Answer::text(403, "log key differs from the pinned one")
            }
            Err(e) => Answer::text(500, format!("witness state: {e}")),
        }
    }
}

fn size_conflict(size: u64) -> Answer {
    Answer {
        status: 409,
        content_type: SIZE_CONTENT_TYPE,
        body: format!("{size}\n").into_bytes(),
    }
}

/// Writes a refused request next to the origin's state, durably; best effort (the answer does
/// not depend on it).
fn keep_evidence(dir: &std::path::Path, status: u16, body: &[u8]) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let path = dir.join(format!("evidence-{now}-{status}.txt"));
    let r = std::fs::File::create_new(&path).and_then(|mut f| {
        f.write_all(body)?;
        f.sync_all()
    });
    if r.is_ok() {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// What a witness answered the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It cosigned: its cosignatures (verified against the witness keys given).
    Cosigned(Vec<Cosignature>),
    /// 409: it last cosigned this size (after the one retry, or a root conflict at equal sizes).
    Conflict(u64),
    /// 422: the consistency proof did not verify for it (the log forked, or the proof is bad).
    Inconsistent(String),
    /// 403: it does not trust the log's signature.
    Forbidden(String),
    /// 404: it does not know this log.
    UnknownLog(String),
    /// Any other answer, or a 200 whose cosignatures do not verify for this checkpoint
    /// (e.g. a witness answering for another origin or another checkpoint).
    Refused(String),
}

/// Sends `cp` to the witness at `url` (its submission prefix), with the consistency proof from
/// `old` produced by `prove(old, new)`; on a 409 whose size is at most the checkpoint's, retries
/// once from that size. A 200's lines are kept only if they are cosignatures of this very
/// checkpoint by one of `witness_keys` (others are ignored, as tlog-witness says; if none is
/// left the answer is [`Outcome::Refused`]).
///
/// # Errors
/// Transport failures ([`NetError::Unreachable`], [`NetError::Redirect`],
/// [`NetError::TooLarge`]); errors of `prove`.
pub fn submit(
    client: &Client,
    url: &str,
    cp: &SignedCheckpoint,
    old: u64,
    witness_keys: &[NoteVerifier],
    prove: &mut dyn FnMut(u64, u64) -> Result<Vec<Hash>, NetError>,
) -> Result<Outcome, NetError> {
    let endpoint = format!("{}{ADD_CHECKPOINT_PATH}", url.trim_end_matches('/'));
    let mut old = old.min(cp.checkpoint.size);
    let mut retried = false;
    loop {
        let proof = if old == 0 {
            Vec::new()
        } else {
            prove(old, cp.checkpoint.size)?
        };
        let req = AddCheckpoint {
            old,
            proof,
            note: cp.to_note_text(),
        };
        let r = client.post(
            &endpoint,
            "text/plain; charset=utf-8",
            req.to_body().as_bytes(),
            MAX_RESPONSE_BYTES,
        )?;
        let why = excerpt(&r.body);
        match r.status {
            200 => return Ok(read_cosignatures(&cp.checkpoint, &r.body, witness_keys)),
            409 => {
                let size = std::str::from_utf8(&r.body)
                    .ok()
                    .and_then(|t| t.strip_suffix('\n'))
                    .and_then(parse_decimal)
                    .ok_or_else(|| NetError::Malformed {
                        what: format!("409 body from {endpoint}"),
                        reason: format!("not a size line: {why:?}"),
                    })?;
                if retried || size > cp.checkpoint.size || size == old {
                    return Ok(Outcome::Conflict(size));
                }
                retried = true;
                old = size;
            }
            422 => return Ok(Outcome::Inconsistent(why)),
            403 => return Ok(Outcome::Forbidden(why)),
            404 => return Ok(Outcome::UnknownLog(why)),
            s => return Ok(Outcome::Refused(format!("HTTP {s}: {why}"))),
        }
    }
}

/// The cosignature lines of a 200 body that verify over `cp` against `keys`.
fn read_cosignatures(cp: &Checkpoint, body: &[u8], keys: &[NoteVerifier]) -> Outcome {
    let Ok(text) = std::str::from_utf8(body) else {
        return Outcome::Refused("response is not UTF-8".into());
    };
    if text.is_empty()
        || !text.ends_with('\n')
        || !text
            .split_terminator('\n')
            .all(|l| l.starts_with(SIG_PREFIX))
    {
        return Outcome::Refused(format!(
            "response is not signature lines: {:?}",
            excerpt(body)
        ));
    }
    // tlog-witness: "the client MAY concatenate it to the checkpoint, and use a note
    // verification function configured with the witness keys it trusts".
    let note = format!("{}\n{text}", cp.body_text());
    let parsed = match SignedCheckpoint::parse_note(&note) {
        Ok(p) => p,
        Err(e) => return Outcome::Refused(format!("response lines: {e}")),
    };
    let mut good = Vec::new();
    for c in parsed.cosigners() {
        let Some(k) = keys
            .iter()
            .find(|k| k.name() == c.name && k.cosigner_key_id() == c.key_id)
        else {
            continue;
        };
        let msg = cp.cosignature_message(c.timestamp);
        if k.public_key().verify(msg.as_bytes(), &c.signature).is_ok() {
            good.push(c.clone());
        } else {
            return Outcome::Refused(format!(
                "the cosignature by {} does not verify over this checkpoint (another origin, size or root?)",
                excerpt(c.name.as_bytes())
            ));
        }
    }
    if good.is_empty() {
        Outcome::Refused("no cosignature by a witness key given (--witness-key)".into())
    } else {
        Outcome::Cosigned(good)
    }
}
