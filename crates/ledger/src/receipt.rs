//! Vote receipts: a holder's ballots with inclusion proofs against a signed checkpoint, and
//! the result declaration that counted them. Checkable with the receipt and a trusted key.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use scrutin_log::{verify_inclusion, Entry, Hash, Log, NoteVerifier, SignedCheckpoint};
use scrutin_model::{decode_event, AuthorKey, Choice, Event, HolderId, ProxyId, Role, Voter};
use scrutin_tally::{Meeting, Tally};
use sha2::{Digest, Sha256};

use crate::ledger::origin_for;
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

/// Whether a receipt verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ReceiptVerdict {
    /// Every check passed: the ballots are in the log the trusted key signed, before the
    /// declaration, and the declared tally counted or disregarded each as shown.
    Valid,
    /// A check failed.
    Invalid {
        /// Which check failed and why.
        reason: String,
    },
}

/// One ballot as shown by a verified receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptBallot {
    /// The entry index.
    pub index: u64,
    /// The voter (`H1` or `proxy:P1`).
    pub voter: String,
    /// The resolution.
    pub resolution: String,
    /// The class voted, if the ballot names one.
    pub class: Option<String>,
    /// The choice in words (`for 1,000 against 0 abstain 0`).
    pub choice: String,
    /// `counted`, or `disregarded: ...` with the votes and the reason, from the declared tally.
    pub status: String,
}

/// The result of [`verify_receipt`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptReport {
    /// Valid or invalid, and why.
    pub verdict: ReceiptVerdict,
    /// The holder.
    pub holder: String,
    /// The log origin.
    pub origin: String,
    /// The size of the checkpoint the proofs are against.
    pub checkpoint_size: u64,
    /// Trusted keys whose checkpoint signature verified.
    pub signed_by: Vec<String>,
    /// Trusted witnesses whose cosignature verified.
    pub cosigned_by: Vec<String>,
    /// The declaration's entry index (every ballot must be below it).
    pub declaration_index: u64,
    /// The ballots, in log order (those checked before a failure).
    pub ballots: Vec<ReceiptBallot>,
    /// Each check performed, in words, in order.
    pub lines: Vec<String>,
}

impl ReceiptReport {
    /// Whether the receipt verified.
    pub fn is_valid(&self) -> bool {
        self.verdict == ReceiptVerdict::Valid
    }

    /// The report as pretty JSON text, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()));
        s.push('\n');
        s
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
    for_each_event(log, 0..size, |index, author, event| {
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
        meeting.apply(&event, &author);
        Ok(())
    })?;
    let (decl_index, decl_event, tally_json, grant) = declaration.ok_or_else(|| {
        LedgerError::NotFound(format!(
            "no result declared within the latest checkpoint ({size} entries): declare the \
             result and sign a new checkpoint first"
        ))
    })?;
    if !picked.iter().any(|(_, _, role)| *role == "ballot") {
        return Err(LedgerError::NotFound(format!(
            "holder {holder} has no ballot (in person or by proxy) within the latest checkpoint"
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

fn is_ours(voter: &Voter, holder: &HolderId, proxies: &[ProxyId]) -> bool {
    match voter {
        Voter::Holder(h) => h == holder,
        Voter::Proxy(p) => proxies.contains(p),
    }
}

/// What the declared tally says of a voter's ballot on a resolution.
fn ballot_status(tally: &Tally, voter: &Voter, resolution: &str) -> String {
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

fn choice_text(choice: &Choice) -> String {
    match choice {
        Choice::Split {
            for_,
            against,
            abstain,
        } => format!("for {for_} against {against} abstain {abstain}"),
        Choice::Cumulative(allocs) => allocs
            .iter()
            .map(|a| format!("{} {}", a.candidate, a.votes))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A receipt entry decoded and checked: signature, index and inclusion.
fn check_entry(e: &ReceiptEntry, cp_size: u64, root: &Hash) -> Result<(Entry, Event), String> {
    let bytes = B64
        .decode(e.entry.as_bytes())
        .map_err(|err| format!("entry {}: not base64: {err}", e.index))?;
    let entry = Entry::decode(&bytes).map_err(|err| format!("entry {}: {err}", e.index))?;
    if entry.index != e.index {
        return Err(format!(
            "entry {}: the entry bytes say index {}",
            e.index, entry.index
        ));
    }
    entry
        .verify_signature()
        .map_err(|err| format!("entry {}: signature: {err}", e.index))?;
    let proof = e
        .proof
        .iter()
        .map(|h| Hash::from_hex(h))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| format!("entry {}: proof: {err}", e.index))?;
    verify_inclusion(&entry.hash(), entry.index, cp_size, &proof, root).map_err(|err| {
        format!(
            "entry {}: not included in the checkpoint of size {cp_size}: {err}",
            e.index
        )
    })?;
    let event =
        decode_event(&entry.payload).map_err(|err| format!("entry {}: payload: {err}", e.index))?;
    Ok((entry, event))
}

/// Verifies a receipt against trusted keys: the checkpoint's signature by a trusted key
/// (cosignatures by trusted witnesses are reported), each entry's signature and inclusion
/// proof, that the genesis is signed by the trusted registrar it names, that the declaration's
/// author was made scrutineer by the registrar before it, that every ballot is the holder's or
/// its proxies' and precedes the declaration, that the carried tally is the one declared, and
/// what it says of each ballot.
///
/// A receipt that fails a check gives `Ok` with [`ReceiptVerdict::Invalid`].
///
/// # Errors
/// [`LedgerError::Usage`] when `trust` is empty (nothing could be verified).
pub fn verify_receipt(
    receipt: &VoteReceipt,
    trust: &[NoteVerifier],
) -> Result<ReceiptReport, LedgerError> {
    if trust.is_empty() {
        return Err(LedgerError::Usage(
            "at least one trusted key is needed to verify a receipt".into(),
        ));
    }
    let mut report = ReceiptReport {
        verdict: ReceiptVerdict::Valid,
        holder: receipt.holder.to_string(),
        origin: receipt.origin.clone(),
        checkpoint_size: 0,
        signed_by: Vec::new(),
        cosigned_by: Vec::new(),
        declaration_index: receipt.declaration.index,
        ballots: Vec::new(),
        lines: Vec::new(),
    };
    if let Err(reason) = run_checks(receipt, trust, &mut report) {
        report.lines.push(format!("FAILED: {reason}"));
        report.verdict = ReceiptVerdict::Invalid { reason };
    }
    Ok(report)
}

fn run_checks(
    receipt: &VoteReceipt,
    trust: &[NoteVerifier],
    report: &mut ReceiptReport,
) -> Result<(), String> {
    if receipt.format != RECEIPT_FORMAT {
        return Err(format!(
            "receipt format {:?} is not {RECEIPT_FORMAT:?}",
            receipt.format
        ));
    }
    let cp = SignedCheckpoint::parse_note(&receipt.checkpoint)
        .map_err(|e| format!("checkpoint: {e}"))?;
    let verdict = cp
        .verify(trust)
        .map_err(|e| format!("checkpoint signature: {e}"))?;
    report.checkpoint_size = cp.checkpoint.size;
    report.signed_by = verdict.signed_by.clone();
    report.cosigned_by = verdict.cosigned_by.iter().map(|(n, _)| n.clone()).collect();
    if cp.checkpoint.origin != receipt.origin {
        return Err(format!(
            "checkpoint origin {:?} is not the receipt's {:?}",
            cp.checkpoint.origin, receipt.origin
        ));
    }
    report.lines.push(format!(
        "checkpoint of {} entries signed by {} (cosigned by {})",
        cp.checkpoint.size,
        report.signed_by.join(", "),
        if report.cosigned_by.is_empty() {
            "nobody".to_string()
        } else {
            report.cosigned_by.join(", ")
        }
    ));
    let size = cp.checkpoint.size;
    let root = cp.checkpoint.root;

    let (genesis, convened) = check_entry(&receipt.genesis, size, &root)?;
    let Event::MeetingConvened(m) = convened else {
        return Err(format!(
            "entry {}: is a {}, not the genesis",
            receipt.genesis.index,
            convened.kind()
        ));
    };
    let registrar = AuthorKey(*genesis.author.as_bytes());
    if genesis.index != 0 || m.registrar != registrar {
        return Err(format!(
            "entry {}: not a genesis signed by the registrar it names",
            genesis.index
        ));
    }
    if !trust
        .iter()
        .any(|v| v.public_key().as_bytes() == &registrar.0)
    {
        return Err(format!(
            "entry 0: the genesis is signed by {registrar}, which is not a trusted key"
        ));
    }
    if origin_for(&m.id) != receipt.origin {
        return Err(format!(
            "the receipt's origin {:?} is not that of meeting {} ({:?})",
            receipt.origin,
            m.id,
            origin_for(&m.id)
        ));
    }
    report.lines.push(format!(
        "entry 0: meeting {} of {} ({} {}), registrar {registrar}, is in the checkpoint",
        m.id,
        m.issuer,
        m.kind.name(),
        m.date
    ));

    let (decl_entry, decl) = check_entry(&receipt.declaration, size, &root)?;
    let declarer = AuthorKey(*decl_entry.author.as_bytes());
    let granted = match &receipt.scrutineer_grant {
        None => None,
        Some(g) => {
            let (grant_entry, grant) = check_entry(g, size, &root)?;
            match grant {
                Event::AuthorityGranted {
                    key,
                    role: Role::Scrutineer,
                } if key == declarer
                    && AuthorKey(*grant_entry.author.as_bytes()) == registrar
                    && grant_entry.index < decl_entry.index =>
                {
                    Some(grant_entry.index)
                }
                _ => None,
            }
        }
    };
    let Some(grant_index) = granted else {
        return Err(format!(
            "entry {}: the receipt does not show that its author {declarer} was made scrutineer              by the registrar before the declaration",
            decl_entry.index
        ));
    };
    report.lines.push(format!(
        "entry {grant_index}: the registrar made {declarer} scrutineer"
    ));
    let Event::ResultDeclared { tally_sha256 } = decl else {
        return Err(format!(
            "entry {}: is a {}, not a result declaration",
            receipt.declaration.index,
            decl.kind()
        ));
    };
    let digest: [u8; 32] = Sha256::digest(receipt.tally.as_bytes()).into();
    if digest != tally_sha256 {
        return Err(format!(
            "the tally in the receipt (SHA-256 {}) is not the one declared at entry {} ({})",
            hex::encode(digest),
            receipt.declaration.index,
            hex::encode(tally_sha256)
        ));
    }
    let tally: Tally = serde_json::from_str(&receipt.tally)
        .map_err(|e| format!("the declared tally does not parse: {e}"))?;
    report.lines.push(format!(
        "result declared at entry {} is in the checkpoint and certifies the tally carried",
        receipt.declaration.index
    ));

    let mut proxies: Vec<ProxyId> = Vec::new();
    let mut ballots = 0usize;
    for e in &receipt.entries {
        let (_, event) = check_entry(e, size, &root)?;
        match (&event, e.role.as_str()) {
            (Event::ProxyLodged(p), "proxy") => {
                if p.holder != receipt.holder {
                    return Err(format!(
                        "entry {}: proxy {} was appointed by {}, not by {}",
                        e.index, p.proxy, p.holder, receipt.holder
                    ));
                }
                proxies.push(p.proxy.clone());
                report.lines.push(format!(
                    "entry {}: proxy {} ({}) appointed by {} is in the log",
                    e.index, p.proxy, p.proxy_name, p.holder
                ));
            }
            (Event::VoteCast(b), "ballot") => {
                if !is_ours(&b.voter, &receipt.holder, &proxies) {
                    return Err(format!(
                        "entry {}: the ballot of {} is neither {}'s nor one of its proxies'",
                        e.index, b.voter, receipt.holder
                    ));
                }
                if e.index >= receipt.declaration.index {
                    return Err(format!(
                        "entry {}: the ballot comes after the declaration at entry {}, so the \
                         declared tally does not cover it",
                        e.index, receipt.declaration.index
                    ));
                }
                let status = ballot_status(&tally, &b.voter, b.resolution.as_str());
                if let Some(claimed) = &e.status {
                    if *claimed != status {
                        return Err(format!(
                            "entry {}: the receipt says {claimed:?} but the declared tally says \
                             {status:?}",
                            e.index
                        ));
                    }
                }
                report.lines.push(format!(
                    "entry {}: ballot of {} on resolution {} is in the log, before the \
                     declaration: {status}",
                    e.index, b.voter, b.resolution
                ));
                report.ballots.push(ReceiptBallot {
                    index: e.index,
                    voter: b.voter.to_string(),
                    resolution: b.resolution.to_string(),
                    class: b.class.as_ref().map(ToString::to_string),
                    choice: choice_text(&b.choice),
                    status,
                });
                ballots += 1;
            }
            (other, role) => {
                return Err(format!(
                    "entry {}: a {} is not a {role} entry",
                    e.index,
                    other.kind()
                ));
            }
        }
    }
    if ballots == 0 {
        return Err("the receipt carries no ballot".into());
    }
    Ok(())
}
