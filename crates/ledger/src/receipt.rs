//! Vote receipts: a holder's ballots with inclusion proofs against a signed checkpoint, and
//! the result declaration that counted them. Checkable with the receipt and a trusted key.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use scrutin_log::{Hash, InclusionProver, Log};
use scrutin_model::{
    decode_event, AuthorKey, Event, HolderId, ProxyId, ResolutionId, Role, UtcMillis, Voter,
};
use scrutin_tally::{Meeting, Tally};

use crate::scan::for_each_event;
use crate::LedgerError;

/// The receipt file's format tag; a reader refuses any other.
pub const RECEIPT_FORMAT: &str = "scrutin-receipt/1";

/// A holder's vote receipt: one small self-contained JSON file (see `docs/ARCHITECTURE.md`,
/// "Receipt file").
///
/// It carries the signed checkpoint whose last entry is the log's last result declaration
/// (note text with its signatures and cosignatures); each ballot of the holder and of its
/// proxies, and each proxy appointment of the holder, as full entry bytes with an inclusion
/// proof; the entries that show each resolution's poll closed before the declaration (what
/// makes the declared result final); the declaration with its inclusion proof; and the tally
/// JSON that declaration certifies, from which each ballot is shown counted or disregarded
/// (and why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteReceipt {
    /// Always [`RECEIPT_FORMAT`].
    pub format: String,
    /// The log origin (`scrutin/<meeting id>`).
    pub origin: String,
    /// The holder the receipt is for.
    pub holder: HolderId,
    /// The signed checkpoint the proofs are against (C2SP signed-note text); its size is the
    /// declaration's index + 1.
    pub checkpoint: String,
    /// The holder's proxy appointments and the ballots of the holder and its proxies, in log
    /// order.
    pub entries: Vec<ReceiptEntry>,
    /// The genesis entry (`MeetingConvened`, index 0): which meeting, and its registrar.
    pub genesis: ReceiptEntry,
    /// The `AuthorityGranted` entry that made the declaration's author scrutineer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scrutineer_grant: Option<ReceiptEntry>,
    /// In log order, the `ResolutionProposed`, `PollOpened` and `PollClosed` entries that show
    /// each resolution's poll closed before the declaration (role `resolution` or `poll`).
    /// Without them the declared result reads as provisional.
    #[serde(default)]
    pub polls: Vec<ReceiptEntry>,
    /// The last `ResultDeclared` entry of the log: the checkpoint's last entry.
    pub declaration: ReceiptEntry,
    /// The tally JSON whose SHA-256 the declaration certifies.
    pub tally: String,
    /// What a reader needs to say the receipt in words, each entry proved like the others:
    /// the holder's register lines (`ShareRegistered`, role `register`: its name and holding)
    /// and the proposal of each resolution it voted on (`ResolutionProposed`, role
    /// `resolution`: the title), in log order. Absent from receipts made before it was added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<ReceiptEntry>,
}

/// One entry of a receipt, with its inclusion proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptEntry {
    /// `ballot`, `proxy`, `genesis`, `authority`, `resolution`, `poll` or `declaration`.
    pub role: String,
    /// The entry's index in the log.
    pub index: u64,
    /// The entry's canonical bytes (`Entry::encode`), base64.
    pub entry: String,
    /// The RFC 9162 inclusion proof against the checkpoint, hex hashes from leaf to root.
    pub proof: Vec<String>,
    /// The event, as JSON, for a human reader. The verifier requires it to be exactly the
    /// event the signed `entry` bytes decode to.
    pub event: serde_json::Value,
    /// What the declared tally says of this ballot (ballots only). The verifier recomputes it
    /// and requires it to be exactly that.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The same inclusion proof as a C2SP `tlog-proof` (ballots only; see
    /// [`VoteReceipt::tlog_proof`]), for tools that know only the transparency-log standards.
    /// The verifier requires it to be exactly the one the receipt's proof and checkpoint give.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tlog_proof: Option<String>,
}

impl VoteReceipt {
    /// The receipt as pretty JSON text, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()));
        s.push('\n');
        s
    }

    /// Parses a receipt file. Its `format` tag is not checked here: a receipt of another
    /// format is read, and [`verify_receipt`](crate::verify_receipt) finds it not valid
    /// (check 1), as for any other receipt that does not verify.
    ///
    /// # Errors
    /// [`LedgerError::Malformed`] if it is not a receipt at all (not JSON of a receipt's
    /// fields).
    pub fn from_json(text: &str) -> Result<VoteReceipt, LedgerError> {
        serde_json::from_str(text).map_err(|e| LedgerError::Malformed(format!("receipt: {e}")))
    }

    /// The inclusion proof of `entry` (one of this receipt's) as a C2SP `tlog-proof`
    /// (c2sp.org/tlog-proof): `c2sp.org/tlog-proof@v1`, `extra` with the entry's leaf bytes
    /// (base64 of its encoding without the trailing 64-byte signature: the record hash is
    /// SHA-256(0x00 || them), the RFC 6962 leaf hash), `index N`, the proof's
    /// hashes in base64 one per line from the leaf's sibling up, an empty line, and the
    /// receipt's checkpoint verbatim with its signatures and cosignatures.
    ///
    /// # Errors
    /// [`LedgerError::Malformed`] when the entry is not base64 of an entry or a proof hash is
    /// not a hash.
    pub fn tlog_proof(&self, entry: &ReceiptEntry) -> Result<String, LedgerError> {
        tlog_proof_text(&self.checkpoint, entry)
    }
}

/// [`VoteReceipt::tlog_proof`] from the checkpoint note text.
pub(crate) fn tlog_proof_text(
    checkpoint: &str,
    entry: &ReceiptEntry,
) -> Result<String, LedgerError> {
    // The record is the entry's leaf bytes (its encoding without the 64-byte signature,
    // which lies outside the Merkle leaf): SHA-256(0x00 || extra) is the leaf hash.
    let bytes = B64
        .decode(entry.entry.as_bytes())
        .map_err(|e| LedgerError::Malformed(format!("entry {}: not base64: {e}", entry.index)))?;
    let leaf = bytes
        .len()
        .checked_sub(64)
        .and_then(|n| bytes.get(..n))
        .ok_or_else(|| LedgerError::Malformed(format!("entry {}: too short", entry.index)))?;
    let mut s = format!(
        "c2sp.org/tlog-proof@v1\nextra {}\nindex {}\n",
        B64.encode(leaf),
        entry.index
    );
    for h in &entry.proof {
        let h = Hash::from_hex(h)
            .map_err(|e| LedgerError::Malformed(format!("entry {}: proof: {e}", entry.index)))?;
        s.push_str(&B64.encode(h.as_bytes()));
        s.push('\n');
    }
    s.push('\n');
    s.push_str(checkpoint);
    if !s.ends_with('\n') {
        s.push('\n');
    }
    Ok(s)
}

fn proof_hex(proof: &[Hash]) -> Vec<String> {
    proof.iter().map(Hash::to_hex).collect()
}

/// The JSON copy of an event written beside its entry bytes (and required by the verifier).
pub(crate) fn event_json(event: &Event) -> serde_json::Value {
    serde_json::to_value(event).unwrap_or(serde_json::Value::Null)
}

/// The entry that moved a resolution's poll to a state, and whether it named no resolution
/// (`PollOpened`/`PollClosed` with `resolution: None`, which moves every poll in the state
/// before).
#[derive(Debug, Clone, Copy)]
struct PollStep {
    index: u64,
    whole: bool,
}

/// What a receipt needs of one `ResultDeclared` entry, taken while folding the log.
struct DeclarationAt {
    index: u64,
    /// The tally it certifies, folded once: its JSON goes into the receipt as is, and the
    /// ballots' statuses are read from it (no JSON round trip).
    tally: Tally,
    tally_json: String,
    grant: Option<u64>,
    /// The entries that show each resolution's poll closed, sorted, each once.
    polls: Vec<u64>,
    /// Every proposed resolution's poll was closed: the final declaration.
    is_final: bool,
}

/// Each resolution's proposal, poll opening and poll closing, as they happen.
#[derive(Default)]
pub(crate) struct PollHistory {
    proposed: BTreeMap<ResolutionId, u64>,
    opened: BTreeMap<ResolutionId, PollStep>,
    closed: BTreeMap<ResolutionId, PollStep>,
}

impl PollHistory {
    /// Folds `event` (at `index`) into `meeting`, noting which polls it opened or closed.
    pub(crate) fn apply(
        &mut self,
        meeting: &mut Meeting,
        index: u64,
        event: &Event,
        author: &AuthorKey,
        at: UtcMillis,
    ) {
        match event {
            Event::ResolutionProposed(r) => {
                meeting.apply(event, author, at);
                if meeting.resolution(&r.id).is_some() {
                    self.proposed.entry(r.id.clone()).or_insert(index);
                }
            }
            Event::PollOpened { resolution } | Event::PollClosed { resolution } => {
                let opening = matches!(event, Event::PollOpened { .. });
                let state = |m: &Meeting, id: &ResolutionId| {
                    if opening {
                        m.poll_opened(id)
                    } else {
                        m.poll_closed(id)
                    }
                };
                let before: Vec<ResolutionId> = meeting
                    .resolutions()
                    .iter()
                    .map(|r| r.id.clone())
                    .filter(|id| !state(meeting, id))
                    .collect();
                meeting.apply(event, author, at);
                let step = PollStep {
                    index,
                    whole: resolution.is_none(),
                };
                let map = if opening {
                    &mut self.opened
                } else {
                    &mut self.closed
                };
                for id in before.into_iter().filter(|id| state(meeting, id)) {
                    map.insert(id, step);
                }
            }
            _ => meeting.apply(event, author, at),
        }
    }

    /// The entries that show every closed poll of `meeting` closed: each closing; for a
    /// closing that named no resolution, the opening (which shows the poll was open then);
    /// for an opening that named none, the proposal (which shows the resolution existed).
    pub(crate) fn evidence(&self, meeting: &Meeting) -> Vec<u64> {
        let mut out = Vec::new();
        for r in meeting.resolutions() {
            let Some(closed) = self.closed.get(&r.id) else {
                continue;
            };
            out.push(closed.index);
            if !closed.whole {
                continue;
            }
            let Some(opened) = self.opened.get(&r.id) else {
                continue;
            };
            out.push(opened.index);
            if opened.whole {
                if let Some(p) = self.proposed.get(&r.id) {
                    out.push(*p);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Builds a receipt from the log: one sequential scan of the whole log, folding the meeting
/// so that the tally each declaration certifies is at hand. The receipt is built on the log's
/// last declaration, against the stored checkpoint whose last entry it is.
pub(crate) fn build_receipt(
    log: &Log,
    latest_size: u64,
    holder: &HolderId,
    proxies: &[ProxyId],
) -> Result<VoteReceipt, LedgerError> {
    let len = log.len();
    let mut meeting = Meeting::new();
    let mut history = PollHistory::default();
    let mut picked: Vec<(u64, &'static str)> = Vec::new();
    let mut declaration: Option<DeclarationAt> = None;
    let mut genesis = false;
    let mut register: Vec<u64> = Vec::new();
    let mut proposals: BTreeMap<ResolutionId, u64> = BTreeMap::new();
    let mut voted: Vec<ResolutionId> = Vec::new();
    // Latest grant of the scrutineer authority, per key.
    let mut grants: BTreeMap<AuthorKey, u64> = BTreeMap::new();
    for_each_event(log, 0..len, |index, author, at, event| {
        match &event {
            Event::MeetingConvened(_) if index == 0 => genesis = true,
            Event::AuthorityGranted {
                key,
                role: Role::Scrutineer,
            } => {
                grants.insert(*key, index);
            }
            Event::VoteCast(b) if is_ours(&b.voter, holder, proxies) => {
                picked.push((index, "ballot"));
                voted.push(b.resolution.clone());
            }
            Event::ShareRegistered { holder: h, .. } if h == holder => register.push(index),
            Event::ResolutionProposed(r) => {
                proposals.entry(r.id.clone()).or_insert(index);
            }
            Event::ProxyLodged(p) | Event::SittingProxyLodged { form: p, .. }
                if p.holder == *holder =>
            {
                picked.push((index, "proxy"));
            }
            e @ (Event::ResultDeclared { .. } | Event::ResultDeclaredV2 { .. }) => {
                let tally = meeting.tally();
                // The tally JSON of the format the declaration certifies (an unknown format
                // cannot have been recorded: the ledger checks the digest before appending).
                let format = e.declaration().map_or(1, |d| d.tally_format);
                declaration = Some(DeclarationAt {
                    index,
                    tally_json: tally.json_of_format(format).unwrap_or_default(),
                    tally,
                    grant: grants.get(&author).copied(),
                    polls: history.evidence(&meeting),
                    is_final: meeting.all_polls_closed(),
                });
            }
            _ => {}
        }
        history.apply(&mut meeting, index, &event, &author, at);
        Ok(())
    })?;
    let decl = declaration.ok_or_else(|| {
        LedgerError::NotFound(format!(
            "no result declared in the ledger ({len} entries): close the polls, declare the \
             result and sign a checkpoint first"
        ))
    })?;
    if !genesis {
        return Err(LedgerError::Malformed(
            "entry 0 is not the meeting's genesis".into(),
        ));
    }
    // The declaration must be the checkpoint's last entry: a receipt proves that nothing
    // recorded after it (a superseding proxy form, another declaration) is hidden from it.
    let size = decl.index + 1;
    let cp = log
        .checkpoint_at(size)?
        .ok_or(LedgerError::DeclarationNotCheckpointed {
            declaration: decl.index,
            needed: size,
            latest: latest_size,
        })?;
    // Only what the declared tally covers: a ballot cast after the last declaration cannot be
    // in the checkpoint that ends with it.
    picked.retain(|(index, _)| *index < decl.index);
    if !picked.iter().any(|(_, role)| *role == "ballot") {
        return Err(LedgerError::NotFound(format!(
            "holder {holder} has no ballot (in person or by proxy) before the result declared \
             at entry {}",
            decl.index
        )));
    }
    let tally = &decl.tally;
    let cp_text = cp.to_note_text();
    let mut prover = log.inclusion_prover(size)?;
    let mut entries = Vec::with_capacity(picked.len());
    for (index, role) in picked {
        let (mut e, event) = receipt_entry(log, index, role, &mut prover)?;
        if let Event::VoteCast(b) = &event {
            e.status = Some(ballot_status(
                tally,
                &b.voter,
                b.resolution.as_str(),
                decl.is_final,
            ));
            e.tlog_proof = Some(tlog_proof_text(&cp_text, &e)?);
        }
        entries.push(e);
    }
    let scrutineer_grant = match decl.grant {
        Some(i) => Some(receipt_entry(log, i, "authority", &mut prover)?.0),
        None => None,
    };
    let mut polls = Vec::with_capacity(decl.polls.len());
    for index in decl.polls {
        let (e, event) = receipt_entry(log, index, "poll", &mut prover)?;
        polls.push(match event {
            Event::ResolutionProposed(_) => ReceiptEntry {
                role: "resolution".to_string(),
                ..e
            },
            _ => e,
        });
    }
    let mut context_ix: Vec<(u64, &str)> = register.iter().map(|i| (*i, "register")).collect();
    context_ix.extend(
        voted
            .iter()
            .filter_map(|r| proposals.get(r))
            .map(|i| (*i, "resolution")),
    );
    context_ix.retain(|(i, _)| *i < decl.index);
    context_ix.sort_unstable();
    context_ix.dedup();
    let mut context = Vec::with_capacity(context_ix.len());
    for (index, role) in context_ix {
        context.push(receipt_entry(log, index, role, &mut prover)?.0);
    }
    Ok(VoteReceipt {
        format: RECEIPT_FORMAT.to_string(),
        origin: log.origin().to_string(),
        holder: holder.clone(),
        checkpoint: cp.to_note_text(),
        entries,
        genesis: receipt_entry(log, 0, "genesis", &mut prover)?.0,
        scrutineer_grant,
        polls,
        declaration: receipt_entry(log, decl.index, "declaration", &mut prover)?.0,
        tally: decl.tally_json,
        context,
    })
}

/// The receipt entry of the log's entry `index`, proved against the tree of `size`, and its
/// event.
pub(crate) fn receipt_entry(
    log: &Log,
    index: u64,
    role: &str,
    prover: &mut InclusionProver<'_>,
) -> Result<(ReceiptEntry, Event), LedgerError> {
    let entry = log.entry(index)?;
    let event = decode_event(&entry.payload)
        .map_err(|e| LedgerError::Malformed(format!("entry {index}: {e}")))?;
    Ok((
        ReceiptEntry {
            role: role.to_string(),
            index,
            entry: B64.encode(entry.encode()),
            proof: proof_hex(&prover.prove(index)?),
            event: event_json(&event),
            status: None,
            tlog_proof: None,
        },
        event,
    ))
}

pub(crate) fn is_ours(voter: &Voter, holder: &HolderId, proxies: &[ProxyId]) -> bool {
    match voter {
        Voter::Holder(h) => h == holder,
        Voter::Proxy(p) => proxies.contains(p),
    }
}

/// What the declared tally says of a voter's ballot on a resolution: `counted` or
/// `disregarded: ...` when the declaration is final, the same prefixed with `provisional: `
/// when it is not (some resolution's poll was not closed when it was declared).
pub(crate) fn ballot_status(
    tally: &Tally,
    voter: &Voter,
    resolution: &str,
    is_final: bool,
) -> String {
    let prefix = if is_final { "" } else { "provisional: " };
    let voter = voter.to_string();
    let Some(r) = tally.resolutions.iter().find(|r| r.id == resolution) else {
        return format!("{prefix}not in the declared tally (no resolution {resolution})");
    };
    let reasons: Vec<String> = r
        .disregarded_ballots
        .iter()
        .filter(|d| d.voter == voter)
        .map(|d| format!("{} votes disregarded: {}", d.votes, d.reason))
        .collect();
    if reasons.is_empty() {
        format!("{prefix}counted")
    } else {
        format!("{prefix}disregarded: {}", reasons.join("; "))
    }
}
