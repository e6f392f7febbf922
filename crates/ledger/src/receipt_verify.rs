//! Verifying a vote receipt with the receipt and trusted keys alone.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::Serialize;

use std::collections::{BTreeMap, BTreeSet};

use scrutin_log::{verify_inclusion, Entry, Hash, NoteVerifier, SignedCheckpoint};
use scrutin_model::{
    decode_event, group_thousands, AuthorKey, Choice, Event, ProxyId, ResolutionId, Role, UtcMillis,
};
use scrutin_tally::Tally;
use sha2::{Digest, Sha256};

use crate::ledger::origin_for;
use crate::receipt::{
    ballot_status, event_json, is_ours, tlog_proof_text, ReceiptEntry, RECEIPT_FORMAT,
};
use crate::receipt_bulk::{CheckpointSeen, VerifyCache};
use crate::report::DisplayOffset;
use crate::{LedgerError, VoteReceipt};

/// Whether a receipt verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ReceiptVerdict {
    /// Every check passed: the ballots are in the log the trusted key signed, before the
    /// declaration that ends the checkpoint, and the declared tally counted or disregarded each
    /// as shown. Whether that result is final is [`ReceiptReport::final_result`].
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
    /// `counted`, or `disregarded: ...` with the votes and the reason, from the declared tally;
    /// prefixed with `provisional: ` when the declared result is not final.
    pub status: String,
    /// When the ballot was recorded (the entry's time), RFC 3339 at the display offset
    /// ([`ReceiptReport::set_offset`]; UTC until set).
    pub recorded_at: String,
    /// The entry's time in UTC milliseconds.
    pub recorded_at_ms: u64,
    /// The proxy's name as on the form, when a proxy cast the ballot.
    pub proxy_name: Option<String>,
    /// The resolution's title, when the receipt carries its proposal.
    pub title: Option<String>,
    /// The declared outcome of the resolution: `passed` or `not passed` (`provisional` when
    /// the declared result is not final).
    pub outcome: String,
}

/// One register line of the holder, from a proved `ShareRegistered` entry of the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptHolding {
    /// The share class.
    pub class: String,
    /// The shares held.
    pub shares: u128,
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
    /// Trusted witnesses (trusted keys that did not sign the checkpoint) with no valid
    /// cosignature.
    pub witnesses_silent: Vec<String>,
    /// The declaration's entry index (every ballot must be below it; it must be the
    /// checkpoint's last entry).
    pub declaration_index: u64,
    /// Whether the receipt shows the declared result final: every resolution of the declared
    /// tally had its poll closed before the declaration, after which the ledger accepts
    /// nothing. `false` for a provisional result (and for a receipt that does not verify).
    pub final_result: bool,
    /// The resolutions of the declared tally whose poll the receipt does not show closed
    /// before the declaration (empty when the result is final).
    pub polls_not_closed: Vec<String>,
    /// The ballots, in log order (those checked before a failure).
    pub ballots: Vec<ReceiptBallot>,
    /// The holder's name as on the register, when the receipt carries its register lines.
    pub holder_name: Option<String>,
    /// The holder's register lines carried by the receipt.
    pub holdings: Vec<ReceiptHolding>,
    /// Cosignature lines by keys not in the trusted set (`name+keyid`): witnesses that did
    /// cosign but whose key the verifier was not given.
    pub cosigned_untrusted: Vec<String>,
    /// The offset the times are shown in (`Z`, `+08:00`).
    pub offset: String,
    /// Each check performed, in words, in order.
    pub lines: Vec<String>,
}

impl ReceiptReport {
    /// Whether the receipt verified.
    pub fn is_valid(&self) -> bool {
        self.verdict == ReceiptVerdict::Valid
    }

    /// Shows every time at `offset` (the meeting's own; the genesis stores UTC only).
    pub fn set_offset(&mut self, offset: DisplayOffset) {
        self.offset = offset.suffix();
        for b in &mut self.ballots {
            b.recorded_at = offset.format(UtcMillis(b.recorded_at_ms));
        }
    }

    /// The report as pretty JSON text, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()));
        s.push('\n');
        s
    }
}

fn choice_text(choice: &Choice) -> String {
    match choice {
        Choice::Split {
            for_,
            against,
            abstain,
        } => format!(
            "for {} against {} abstain {}",
            group_thousands(u128::from(for_.0)),
            group_thousands(u128::from(against.0)),
            group_thousands(u128::from(abstain.0))
        ),
        Choice::Cumulative(allocs) => allocs
            .iter()
            .map(|a| format!("{} {}", a.candidate, group_thousands(u128::from(a.votes.0))))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A receipt entry decoded and checked: index, signature, inclusion, and the copies written
/// beside the bytes (the `event` must be exactly the decoded one; only a ballot carries a
/// `status`, checked by the caller).
///
/// With a `cache`, a signature already verified on exactly these entry bytes is not verified
/// again (the shared entries: genesis, grant, poll entries, declaration, resolution
/// proposals; and any entry whose signature a batch of [`crate::ReceiptVerifier::verify_all`]
/// verified); the inclusion proof always is.
fn check_entry(
    e: &ReceiptEntry,
    cp_size: u64,
    root: &Hash,
    role: Option<&str>,
    mut cache: Option<&mut VerifyCache>,
) -> Result<(Entry, Event), String> {
    if let Some(role) = role {
        if e.role != role {
            return Err(format!(
                "entry {}: its role is {:?}, not {role:?}",
                e.index, e.role
            ));
        }
    }
    // A shared entry (one every receipt of a checkpoint carries) already checked in exactly
    // this form against exactly this tree: its bytes, signature, proof and payload checks
    // are those done before; the checks on what else the receipt says of it run again.
    let shared = role.is_some() || e.role == "resolution";
    let hit = match cache.as_deref() {
        Some(c) if shared => c.proved(e, cp_size, root),
        _ => None,
    };
    if let Some((entry, event, json)) = hit {
        if entry.index != e.index {
            return Err(format!(
                "entry {}: the entry bytes say index {}",
                e.index, entry.index
            ));
        }
        return event_checks(e, entry, event, json);
    }
    let bytes = B64
        .decode(e.entry.as_bytes())
        .map_err(|err| format!("entry {}: not base64: {err}", e.index))?;
    let entry = match cache.as_deref_mut() {
        Some(c) => c.decoder.decode(&bytes),
        None => Entry::decode(&bytes),
    }
    .map_err(|err| format!("entry {}: {err}", e.index))?;
    if entry.index != e.index {
        return Err(format!(
            "entry {}: the entry bytes say index {}",
            e.index, entry.index
        ));
    }
    let verify = |entry: &Entry| {
        entry
            .verify_signature()
            .map_err(|err| format!("entry {}: signature: {err}", e.index))
    };
    match cache.as_deref_mut() {
        None => verify(&entry)?,
        Some(cache) => {
            // Both sets hold only entry bytes whose signature verified (the same bytes always
            // give the same verdict). Only a shared entry (one many receipts carry) is
            // remembered beyond the current batch, so the cache stays small.
            if !cache.entries.contains(&bytes) && !cache.batch.contains(&bytes) {
                verify(&entry)?;
                if role.is_some() || e.role == "resolution" {
                    cache.remember(bytes);
                }
            }
        }
    }
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
    let json = event_json(&event);
    if let Some(c) = cache {
        if shared {
            c.remember_proved(e, cp_size, root, &entry, &event, &json);
        }
    }
    event_checks(e, entry, event, &json)
}

/// The checks on a receipt entry's event copy and status, given what its bytes hold.
fn event_checks(
    e: &ReceiptEntry,
    entry: Entry,
    event: Event,
    json: &serde_json::Value,
) -> Result<(Entry, Event), String> {
    if e.event != *json {
        return Err(format!(
            "entry {}: the event written in the receipt is not the {} its signed bytes hold",
            e.index,
            event.kind()
        ));
    }
    if e.status.is_some() && !matches!(event, Event::VoteCast(_)) {
        return Err(format!(
            "entry {}: a {} carries a ballot status",
            e.index,
            event.kind()
        ));
    }
    Ok((entry, event))
}

/// The SHA-256 of a receipt's tally text and the tally parsed from it (or why it does not
/// parse).
pub(crate) type ParsedTally = ([u8; 32], Result<std::sync::Arc<Tally>, String>);

/// [`ParsedTally`] of `text`.
pub(crate) fn parse_tally(text: &str) -> ParsedTally {
    (
        Sha256::digest(text.as_bytes()).into(),
        serde_json::from_str::<Tally>(text)
            .map(std::sync::Arc::new)
            .map_err(|e| e.to_string()),
    )
}

/// The checkpoint's note parsed and its signatures checked against `trust`.
fn check_checkpoint(note: &str, trust: &[NoteVerifier]) -> Result<CheckpointSeen, String> {
    let cp = SignedCheckpoint::parse_note(note).map_err(|e| format!("checkpoint: {e}"))?;
    let verdict = cp
        .verify(trust)
        .map_err(|e| format!("checkpoint signature: {e}"))?;
    Ok(CheckpointSeen {
        signed_by: verdict.signed_by.clone(),
        cosigned_by: verdict.cosigned_by.iter().map(|(n, _)| n.clone()).collect(),
        silent: cp.witnessing(trust).silent,
        checkpoint: cp,
    })
}

/// In log order, each once: a repeated entry would read twice.
fn in_order(last: &mut Option<u64>, index: u64, what: &str) -> Result<(), String> {
    if last.is_some_and(|l| index <= l) {
        return Err(format!(
            "entry {index}: the receipt's {what} are not in log order, each once"
        ));
    }
    *last = Some(index);
    Ok(())
}

/// Checks the `polls` entries and returns the resolutions of `tally` they do not show closed
/// before the declaration at `decl_index`.
///
/// Poll states only move forward (pending, open, closed), so in a log that obeys the rules
/// (what the bundle verifier checks): `PollClosed` naming a resolution closed it; a
/// `PollOpened` naming it, or one naming none after its `ResolutionProposed`, left it open or
/// closed; and a `PollClosed` naming none after that closed it.
fn polls_not_closed(
    receipt: &VoteReceipt,
    tally: &Tally,
    size: u64,
    root: &Hash,
    decl_index: u64,
    lines: &mut Vec<String>,
    mut cache: Option<&mut VerifyCache>,
) -> Result<Vec<String>, String> {
    let ids: BTreeSet<&str> = tally.resolutions.iter().map(|r| r.id.as_str()).collect();
    let mut proposed: BTreeSet<String> = BTreeSet::new();
    let mut opened: BTreeSet<String> = BTreeSet::new();
    let mut closed: BTreeSet<String> = BTreeSet::new();
    let mut last = None;
    for e in &receipt.polls {
        in_order(&mut last, e.index, "poll entries")?;
        let role = match e.role.as_str() {
            "resolution" => "resolution",
            _ => "poll",
        };
        let (_, event) = check_entry(e, size, root, Some(role), cache.as_deref_mut())?;
        if e.index >= decl_index {
            return Err(format!(
                "entry {}: a poll entry after the declaration at entry {decl_index}",
                e.index
            ));
        }
        let named = |r: &Option<ResolutionId>| -> Result<Option<String>, String> {
            match r {
                None => Ok(None),
                Some(r) if ids.contains(r.as_str()) => Ok(Some(r.to_string())),
                Some(r) => Err(format!(
                    "entry {}: resolution {r} is not in the declared tally",
                    e.index
                )),
            }
        };
        match (&event, role) {
            (Event::ResolutionProposed(r), "resolution") => {
                named(&Some(r.id.clone()))?;
                proposed.insert(r.id.to_string());
            }
            (Event::PollOpened { resolution }, "poll") => match named(resolution)? {
                Some(r) => {
                    opened.insert(r);
                }
                None => opened.extend(proposed.iter().cloned()),
            },
            (Event::PollClosed { resolution }, "poll") => match named(resolution)? {
                Some(r) => {
                    closed.insert(r);
                }
                None => closed.extend(opened.iter().cloned()),
            },
            (other, role) => {
                return Err(format!(
                    "entry {}: a {} is not a {role} entry",
                    e.index,
                    other.kind()
                ))
            }
        }
    }
    if !receipt.polls.is_empty() {
        lines.push(format!(
            "entries {}: the polls on resolution(s) {} closed before the declaration",
            receipt
                .polls
                .iter()
                .map(|e| e.index.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if closed.is_empty() {
                "none".to_string()
            } else {
                closed.iter().cloned().collect::<Vec<_>>().join(", ")
            }
        ));
    }
    Ok(tally
        .resolutions
        .iter()
        .filter(|r| !closed.contains(&r.id))
        .map(|r| r.id.clone())
        .collect())
}

/// Verifies a receipt against trusted keys: the checkpoint's signature by a trusted key
/// (cosignatures by trusted witnesses are reported), each entry's signature and inclusion
/// proof and that its `event` copy is exactly what its signed bytes hold, that the genesis is
/// signed by the trusted registrar it names, that the declaration's author was made scrutineer
/// by the registrar before it, that the declaration is the checkpoint's last entry, that the
/// carried tally is the one declared, whether the poll entries carried show every resolution's
/// poll closed before it (a final result) or not (a provisional one), that every ballot is the
/// holder's or its proxies' and precedes the declaration, and what the tally says of each.
///
/// A receipt that fails a check gives `Ok` with [`ReceiptVerdict::Invalid`].
///
/// # Errors
/// [`LedgerError::Usage`] when `trust` is empty (nothing could be verified).
pub fn verify_receipt(
    receipt: &VoteReceipt,
    trust: &[NoteVerifier],
) -> Result<ReceiptReport, LedgerError> {
    verify_receipt_cached(receipt, trust, None)
}

/// [`verify_receipt`], with the checkpoint's checks and the shared entries' signatures
/// taken from `cache` when already done on exactly the same text and bytes (see
/// [`crate::ReceiptVerifier`]).
pub(crate) fn verify_receipt_cached(
    receipt: &VoteReceipt,
    trust: &[NoteVerifier],
    cache: Option<&mut VerifyCache>,
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
        witnesses_silent: Vec::new(),
        declaration_index: receipt.declaration.index,
        final_result: false,
        polls_not_closed: Vec::new(),
        ballots: Vec::new(),
        lines: Vec::new(),
        holder_name: None,
        holdings: Vec::new(),
        cosigned_untrusted: Vec::new(),
        offset: DisplayOffset::UTC.suffix(),
    };
    if let Err(reason) = run_checks(receipt, trust, &mut report, cache) {
        report.lines.push(format!("FAILED: {reason}"));
        report.verdict = ReceiptVerdict::Invalid { reason };
    }
    Ok(report)
}

fn run_checks(
    receipt: &VoteReceipt,
    trust: &[NoteVerifier],
    report: &mut ReceiptReport,
    mut cache: Option<&mut VerifyCache>,
) -> Result<(), String> {
    if receipt.format != RECEIPT_FORMAT {
        return Err(format!(
            "receipt format {:?} is not {RECEIPT_FORMAT:?}",
            receipt.format
        ));
    }
    let seen = match cache.as_deref_mut() {
        Some(c) => c.checkpoint(&receipt.checkpoint, || {
            check_checkpoint(&receipt.checkpoint, trust)
        }),
        None => check_checkpoint(&receipt.checkpoint, trust),
    }?;
    let cp = seen.checkpoint;
    report.checkpoint_size = cp.checkpoint.size;
    report.signed_by = seen.signed_by;
    report.cosigned_by = seen.cosigned_by;
    report.witnesses_silent = seen.silent;
    report.cosigned_untrusted = cp
        .cosigners()
        .iter()
        .filter(|c| !report.cosigned_by.contains(&c.name))
        .map(|c| format!("{}+{}", c.name, hex::encode(c.key_id)))
        .collect();
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
        match (
            report.cosigned_by.is_empty(),
            report.cosigned_untrusted.is_empty()
        ) {
            (true, true) => "nobody".to_string(),
            (true, false) => format!(
                "no trusted witness; cosigned by {}, whose key is not in the trusted set",
                report.cosigned_untrusted.join(", ")
            ),
            (false, true) => report.cosigned_by.join(", "),
            (false, false) => format!(
                "{}; also by {}, whose key is not in the trusted set",
                report.cosigned_by.join(", "),
                report.cosigned_untrusted.join(", ")
            ),
        }
    ));
    let size = cp.checkpoint.size;
    let root = cp.checkpoint.root;

    let (genesis, convened) = check_entry(
        &receipt.genesis,
        size,
        &root,
        Some("genesis"),
        cache.as_deref_mut(),
    )?;
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
    let Some(registrar_name) = trust
        .iter()
        .find(|v| v.may_sign() && v.public_key().as_bytes() == &registrar.0)
        .map(NoteVerifier::name)
    else {
        return Err(format!(
            "entry 0: the genesis is signed by {registrar}, which is not a key trusted to sign (a witness trusted by its cosigner key may only cosign)"
        ));
    };
    if origin_for(&m.id) != receipt.origin {
        return Err(format!(
            "the receipt's origin {:?} is not that of meeting {} ({:?})",
            receipt.origin,
            m.id,
            origin_for(&m.id)
        ));
    }
    report.lines.push(format!(
        "entry 0: meeting {} of {} ({} {}), registrar {registrar} (trusted as \
         {registrar_name}), is in the checkpoint",
        m.id,
        m.issuer,
        m.kind.name(),
        m.date
    ));

    let (decl_entry, decl) = check_entry(
        &receipt.declaration,
        size,
        &root,
        Some("declaration"),
        cache.as_deref_mut(),
    )?;
    // The declaration must end the checkpoint: whatever follows a declaration (a superseding
    // proxy form, a revocation, another declaration) may change the result, and a receipt
    // that left it out would show a superseded count.
    if decl_entry.index.checked_add(1) != Some(size) {
        return Err(format!(
            "the result declared at entry {} is not the last entry of the checkpoint ({size} \
             entries): later entries may supersede it, so this receipt does not show the \
             result that stands",
            decl_entry.index
        ));
    }
    let declarer = AuthorKey(*decl_entry.author.as_bytes());
    let granted = match &receipt.scrutineer_grant {
        None => None,
        Some(g) => {
            let (grant_entry, grant) =
                check_entry(g, size, &root, Some("authority"), cache.as_deref_mut())?;
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
            "entry {}: the receipt does not show that its author {declarer} was made scrutineer \
             by the registrar before the declaration",
            decl_entry.index
        ));
    };
    report.lines.push(format!(
        "entry {grant_index}: the registrar made {declarer} scrutineer"
    ));
    let Some(scrutin_model::Declaration { tally_sha256, .. }) = decl.declaration() else {
        return Err(format!(
            "entry {}: is a {}, not a result declaration",
            receipt.declaration.index,
            decl.kind()
        ));
    };
    let parsed = match cache.as_deref_mut() {
        Some(c) => c.tally(&receipt.tally),
        None => parse_tally(&receipt.tally),
    };
    let (digest, tally) = (parsed.0, parsed.1);
    if digest != tally_sha256 {
        return Err(format!(
            "the tally in the receipt (SHA-256 {}) is not the one declared at entry {} ({})",
            hex::encode(digest),
            receipt.declaration.index,
            hex::encode(tally_sha256)
        ));
    }
    let tally = tally.map_err(|e| format!("the declared tally does not parse: {e}"))?;
    let tally: &Tally = &tally;
    report.lines.push(format!(
        "result declared at entry {} is the checkpoint's last entry and certifies the tally \
         carried",
        receipt.declaration.index
    ));
    let not_closed = polls_not_closed(
        receipt,
        tally,
        size,
        &root,
        decl_entry.index,
        &mut report.lines,
        cache.as_deref_mut(),
    )?;
    let is_final = not_closed.is_empty() && !tally.resolutions.is_empty();
    if is_final {
        report.lines.push(format!(
            "the result declared at entry {} is FINAL: every resolution's poll closed before \
             it, and the ledger accepts nothing after a final declaration",
            receipt.declaration.index
        ));
    } else {
        report.lines.push(format!(
            "the result declared at entry {} is PROVISIONAL: the receipt does not show the \
             poll closed on resolution(s) {}; a later declaration may change it",
            receipt.declaration.index,
            not_closed.join(", ")
        ));
    }
    report.final_result = is_final;
    report.polls_not_closed = not_closed;

    let mut titles: BTreeMap<String, String> = BTreeMap::new();
    let mut last_context = None;
    for e in &receipt.context {
        in_order(&mut last_context, e.index, "context entries")?;
        let (_, event) = check_entry(e, size, &root, None, cache.as_deref_mut())?;
        if e.index >= decl_entry.index {
            return Err(format!(
                "entry {}: a context entry after the declaration at entry {}",
                e.index, decl_entry.index
            ));
        }
        match (&event, e.role.as_str()) {
            (
                Event::ShareRegistered {
                    holder,
                    name,
                    class,
                    shares,
                },
                "register",
            ) if *holder == receipt.holder => {
                report.holder_name = Some(name.clone());
                report.holdings.push(ReceiptHolding {
                    class: class.to_string(),
                    shares: u128::from(shares.0),
                });
                report.lines.push(format!(
                    "entry {}: register line of {} ({name}): {} class {class} shares",
                    e.index,
                    holder,
                    group_thousands(u128::from(shares.0))
                ));
            }
            (Event::ResolutionProposed(r), "resolution") => {
                titles.insert(r.id.to_string(), r.title.clone());
                report
                    .lines
                    .push(format!("entry {}: resolution {} proposed", e.index, r.id));
            }
            (other, role) => {
                return Err(format!(
                    "entry {}: a {} is not a {role} context entry of holder {}",
                    e.index,
                    other.kind(),
                    receipt.holder
                ));
            }
        }
    }
    let mut proxy_names: BTreeMap<String, String> = BTreeMap::new();
    let mut proxies: Vec<ProxyId> = Vec::new();
    let mut ballots = 0usize;
    let mut last_index: Option<u64> = None;
    for e in &receipt.entries {
        // In log order, each once: a repeated ballot would read as a second vote.
        in_order(&mut last_index, e.index, "entries")?;
        // The holder's own entries: never taken from the shared cache, only from the
        // current batch's signature check (or verified here).
        let (entry, event) = check_entry(e, size, &root, None, cache.as_deref_mut())?;
        if let Some(t) = &e.tlog_proof {
            if tlog_proof_text(&receipt.checkpoint, e).ok().as_ref() != Some(t) {
                return Err(format!(
                    "entry {}: its tlog-proof is not the inclusion proof and checkpoint the \
                     receipt carries",
                    e.index
                ));
            }
        }
        match (&event, e.role.as_str()) {
            (Event::ProxyLodged(p) | Event::SittingProxyLodged { form: p, .. }, "proxy") => {
                if p.holder != receipt.holder {
                    return Err(format!(
                        "entry {}: proxy {} was appointed by {}, not by {}",
                        e.index, p.proxy, p.holder, receipt.holder
                    ));
                }
                proxies.push(p.proxy.clone());
                proxy_names.insert(
                    format!("proxy:{}", p.proxy),
                    if p.proxy_name.trim().is_empty() {
                        "the chairman of the meeting".to_owned()
                    } else {
                        p.proxy_name.clone()
                    },
                );
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
                let status = ballot_status(tally, &b.voter, b.resolution.as_str(), is_final);
                if !is_final && e.status.as_deref() == status.strip_prefix("provisional: ") {
                    return Err(format!(
                        "entry {}: the receipt says {:?} as of a final result, but it does not \
                         show the poll closed on resolution(s) {} before the declaration: the \
                         declared result is provisional",
                        e.index,
                        e.status.as_deref().unwrap_or_default(),
                        report.polls_not_closed.join(", ")
                    ));
                }
                if e.status.as_deref() != Some(status.as_str()) {
                    return Err(format!(
                        "entry {}: the receipt says {:?} but the declared tally says {status:?}",
                        e.index,
                        e.status.as_deref().unwrap_or("nothing")
                    ));
                }
                report.lines.push(format!(
                    "entry {}: ballot of {} on resolution {} is in the log, before the \
                     declaration: {status}",
                    e.index, b.voter, b.resolution
                ));
                let voter = b.voter.to_string();
                let outcome = match (
                    is_final,
                    tally
                        .resolutions
                        .iter()
                        .find(|r| r.id == b.resolution.as_str()),
                ) {
                    (false, _) => "provisional".to_owned(),
                    (true, Some(r)) if r.passed => "passed".to_owned(),
                    (true, Some(_)) => "not passed".to_owned(),
                    (true, None) => "not in the declared tally".to_owned(),
                };
                report.ballots.push(ReceiptBallot {
                    index: e.index,
                    proxy_name: proxy_names.get(&voter).cloned(),
                    voter,
                    resolution: b.resolution.to_string(),
                    class: b.class.as_ref().map(ToString::to_string),
                    choice: choice_text(&b.choice),
                    status,
                    recorded_at: UtcMillis(entry.recorded_at_ms).to_rfc3339(),
                    recorded_at_ms: entry.recorded_at_ms,
                    title: titles.get(b.resolution.as_str()).cloned(),
                    outcome,
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
    // A receipt exists to show the holder's votes: one with none shows nothing to rely on
    // (and could pass off "nothing of yours was recorded" as a verified receipt).
    if ballots == 0 {
        return Err(format!(
            "the receipt carries no ballot of holder {} or its proxies: it shows no vote \
             recorded and counted",
            receipt.holder
        ));
    }
    Ok(())
}
