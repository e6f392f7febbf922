//! Vote receipts: a holder's ballots with inclusion proofs against a signed checkpoint, and
//! the result declaration that counted them. Checkable with the receipt and a trusted key.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use scrutin_log::{Hash, Log, SignedCheckpoint};
use scrutin_model::{decode_event, AuthorKey, Event, HolderId, ProxyId, Role, Voter};
use scrutin_tally::{Meeting, Tally};

use crate::scan::for_each_event;
use crate::LedgerError;

/// The receipt file's format tag; a reader refuses any other.
pub const RECEIPT_FORMAT: &str = "scrutin-receipt/1";

/// A holder's vote receipt: one small self-contained JSON file (see `docs/ARCHITECTURE.md`,
/// "Receipt file").
///
/// It carries the latest signed checkpoint (note text with its signatures and
/// cosignatures); each ballot of the holder and of its proxies, and each proxy appointment of
/// the holder, as full entry bytes with an inclusion proof; the last result declaration with
/// its inclusion proof; and the tally JSON that declaration certifies, from which each ballot
/// is shown counted or disregarded (and why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteReceipt {
    /// Always [`RECEIPT_FORMAT`].
    pub format: String,
    /// The log origin (`scrutin/<meeting id>`).
    pub origin: String,
    /// The holder the receipt is for.
    pub holder: HolderId,
    /// The signed checkpoint the proofs are against (C2SP signed-note text).
    pub checkpoint: String,
    /// The holder's proxy appointments and the ballots of the holder and its proxies, in log
    /// order.
    pub entries: Vec<ReceiptEntry>,
    /// The genesis entry (`MeetingConvened`, index 0): which meeting, and its registrar.
    pub genesis: ReceiptEntry,
    /// The `AuthorityGranted` entry that made the declaration's author scrutineer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scrutineer_grant: Option<ReceiptEntry>,
    /// The last `ResultDeclared` entry within the checkpoint.
    pub declaration: ReceiptEntry,
    /// The tally JSON whose SHA-256 the declaration certifies.
    pub tally: String,
}

/// One entry of a receipt, with its inclusion proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptEntry {
    /// `ballot`, `proxy`, `genesis`, `authority` or `declaration`.
    pub role: String,
    /// The entry's index in the log.
    pub index: u64,
    /// The entry's canonical bytes (`Entry::encode`), base64.
    pub entry: String,
    /// The RFC 9162 inclusion proof against the checkpoint, hex hashes from leaf to root.
    pub proof: Vec<String>,
    /// The event, as JSON, for a human reader (informative: the verifier decodes `entry`).
    pub event: serde_json::Value,
    /// What the declared tally says of this ballot (informative: the verifier recomputes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl VoteReceipt {
    /// The receipt as pretty JSON text, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()));
        s.push('\n');
        s
    }

    /// Parses a receipt file.
    ///
    /// # Errors
    /// [`LedgerError::Malformed`] if it is not a receipt of this format.
    pub fn from_json(text: &str) -> Result<VoteReceipt, LedgerError> {
        let r: VoteReceipt = serde_json::from_str(text)
            .map_err(|e| LedgerError::Malformed(format!("receipt: {e}")))?;
        if r.format != RECEIPT_FORMAT {
            return Err(LedgerError::Malformed(format!(
                "receipt format {:?} is not {RECEIPT_FORMAT:?}",
                r.format
            )));
        }
        Ok(r)
    }
}

fn proof_hex(proof: &[Hash]) -> Vec<String> {
    proof.iter().map(Hash::to_hex).collect()
}

fn event_json(event: &Event) -> serde_json::Value {
    serde_json::to_value(event).unwrap_or(serde_json::Value::Null)
}

/// Builds a receipt from the log (one sequential scan of the checkpoint's prefix, folding the
/// meeting so that the tally each declaration certifies is at hand).
pub(crate) fn build_receipt(
    log: &Log,
    cp: &SignedCheckpoint,
    holder: &HolderId,
    proxies: &[ProxyId],
) -> Result<VoteReceipt, LedgerError> {
    let size = cp.checkpoint.size;
    let mut meeting = Meeting::new();
    let mut picked: Vec<(u64, Event, &'static str)> = Vec::new();
    let mut declaration: Option<(u64, Event, String, Option<u64>)> = None;
    let mut genesis: Option<Event> = None;
    // Latest grant of the scrutineer authority, per key.
    let mut grants: BTreeMap<AuthorKey, u64> = BTreeMap::new();
    for_each_event(log, 0..size, |index, author, at, event| {
        match &event {
            Event::MeetingConvened(_) if index == 0 => genesis = Some(event.clone()),
            Event::AuthorityGranted {
                key,
                role: Role::Scrutineer,
            } => {
                grants.insert(*key, index);
            }
            Event::VoteCast(b) if is_ours(&b.voter, holder, proxies) => {
                picked.push((index, event.clone(), "ballot"));
            }
            Event::ProxyLodged(p) if p.holder == *holder => {
                picked.push((index, event.clone(), "proxy"));
            }
            Event::ResultDeclared { .. } => {
                declaration = Some((
                    index,
                    event.clone(),
                    meeting.tally().to_json(),
                    grants.get(&author).copied(),
                ));
            }
            _ => {}
        }
        meeting.apply(&event, &author, at);
        Ok(())
    })?;
    let (decl_index, decl_event, tally_json, grant) = declaration.ok_or_else(|| {
        LedgerError::NotFound(format!(
            "no result declared within the latest checkpoint ({size} entries): declare the \
             result and sign a new checkpoint first"
        ))
    })?;
    // Only what the declared tally covers: a ballot cast after the last declaration (a poll
    // opened once a result was declared) is counted by no declaration, so a receipt carrying
    // it would fail its own verification.
    picked.retain(|(index, _, _)| *index < decl_index);
    if !picked.iter().any(|(_, _, role)| *role == "ballot") {
        return Err(LedgerError::NotFound(format!(
            "holder {holder} has no ballot (in person or by proxy) before the result declared \
             at entry {decl_index} within the latest checkpoint"
        )));
    }
    let tally: Tally = serde_json::from_str(&tally_json)
        .map_err(|e| LedgerError::Malformed(format!("tally JSON: {e}")))?;
    let mut entries = Vec::with_capacity(picked.len());
    for (index, event, role) in picked {
        let entry = log.entry(index)?;
        let status = match &event {
            Event::VoteCast(b) => Some(ballot_status(&tally, &b.voter, b.resolution.as_str())),
            _ => None,
        };
        entries.push(ReceiptEntry {
            role: role.to_string(),
            index: entry.index,
            entry: B64.encode(entry.encode()),
            proof: proof_hex(&log.prove_inclusion(entry.index, size)?),
            event: event_json(&event),
            status,
        });
    }
    let genesis = genesis
        .ok_or_else(|| LedgerError::Malformed("entry 0 is not the meeting's genesis".into()))?;
    let decl_entry = log.entry(decl_index)?;
    let scrutineer_grant = match grant {
        Some(i) => Some(receipt_entry(log, i, "authority", size)?),
        None => None,
    };
    Ok(VoteReceipt {
        format: RECEIPT_FORMAT.to_string(),
        origin: log.origin().to_string(),
        holder: holder.clone(),
        checkpoint: cp.to_note_text(),
        entries,
        genesis: ReceiptEntry {
            role: "genesis".to_string(),
            index: 0,
            entry: B64.encode(log.entry(0)?.encode()),
            proof: proof_hex(&log.prove_inclusion(0, size)?),
            event: event_json(&genesis),
            status: None,
        },
        scrutineer_grant,
        declaration: ReceiptEntry {
            role: "declaration".to_string(),
            index: decl_entry.index,
            entry: B64.encode(decl_entry.encode()),
            proof: proof_hex(&log.prove_inclusion(decl_entry.index, size)?),
            event: event_json(&decl_event),
            status: None,
        },
        tally: tally_json,
    })
}

fn receipt_entry(
    log: &Log,
    index: u64,
    role: &str,
    size: u64,
) -> Result<ReceiptEntry, LedgerError> {
    let entry = log.entry(index)?;
    let event = decode_event(&entry.payload)
        .map_err(|e| LedgerError::Malformed(format!("entry {index}: {e}")))?;
    Ok(ReceiptEntry {
        role: role.to_string(),
        index,
        entry: B64.encode(entry.encode()),
        proof: proof_hex(&log.prove_inclusion(index, size)?),
        event: event_json(&event),
        status: None,
    })
}

pub(crate) fn is_ours(voter: &Voter, holder: &HolderId, proxies: &[ProxyId]) -> bool {
    match voter {
        Voter::Holder(h) => h == holder,
        Voter::Proxy(p) => proxies.contains(p),
    }
}

/// What the declared tally says of a voter's ballot on a resolution.
pub(crate) fn ballot_status(tally: &Tally, voter: &Voter, resolution: &str) -> String {
    let voter = voter.to_string();
    let Some(r) = tally.resolutions.iter().find(|r| r.id == resolution) else {
        return format!("not in the declared tally (no resolution {resolution})");
    };
    let reasons: Vec<String> = r
        .disregarded_ballots
        .iter()
        .filter(|d| d.voter == voter)
        .map(|d| format!("{} votes disregarded: {}", d.votes, d.reason))
        .collect();
    if reasons.is_empty() {
        "counted".to_string()
    } else {
        format!("disregarded: {}", reasons.join("; "))
    }
}
