//! The receipt index: for each holder and proxy, the entries a receipt of theirs carries, and
//! the shared entries every receipt carries (scrutineer grants, poll entries, declarations),
//! kept in the log's database as auxiliary data ([`Log::put_aux_batch`]) so that one
//! holder's receipt reads that holder's entries and O(log n) proofs, not the whole log.
//!
//! The index is derived data: the log stays the only truth. It is written right after each
//! append, with a marker of the log size it covers in the same atomic batch; on open, an index
//! that is missing, behind the log (a crash between the append and the index write) or ahead
//! of it (cannot happen short of damage) is rebuilt or completed from the log during the
//! replay the open does anyway. Every entry read through the index is decoded and checked to
//! be what the index says it is; a receipt is built from the index only when the index covers
//! the whole log and the log ends with its declaration, and otherwise by the full scan
//! ([`crate::receipt::build_receipt`]), which gives the same bytes.
//!
//! Keys (under the log's auxiliary prefix): `r` `s` → version (1 byte) + indexed size (u64
//! BE); `r` `h` + id length (u16 BE) + holder id + entry index (u64 BE) → `b` (the holder's
//! ballot) or `p` (a proxy appointment by the holder); `r` `v` + length + proxy id + index →
//! `b` (the proxy's ballot); `r` `g` + author key (32 bytes) + index → the scrutineer grant
//! of that key; `r` `q` + index → a `ResolutionProposed`, `PollOpened` or `PollClosed`; `r`
//! `d` + index → a `ResultDeclared`. The length prefix keeps the keys of two ids apart even
//! when one id is a prefix of the other.

use scrutin_log::{InclusionProver, Log};
use scrutin_model::{decode_event, AuthorKey, Event, HolderId, ProxyId, Role, UtcMillis, Voter};
use scrutin_tally::{Meeting, Tally};
use sha2::{Digest, Sha256};

use crate::receipt::{
    ballot_status, is_ours, receipt_entry, tlog_proof_text, PollHistory, ReceiptEntry, VoteReceipt,
    RECEIPT_FORMAT,
};
use crate::scan::for_each_event;
use crate::LedgerError;

const NS: u8 = b'r';
const MARKER: &[u8] = b"rs";
const INDEX_VERSION: u8 = 1;
const HOLDER: u8 = b'h';
const PROXY: u8 = b'v';
const GRANT: u8 = b'g';
const POLL: u8 = b'q';
const DECL: u8 = b'd';
const BALLOT: &[u8] = b"b";
const APPOINTMENT: &[u8] = b"p";
const REGISTER: &[u8] = b"r";

/// Index items written per auxiliary batch while rebuilding.
const CHUNK_ITEMS: usize = 8_192;

type Item = (Vec<u8>, Vec<u8>);

fn id_prefix(kind: u8, id: &str) -> Vec<u8> {
    let len = u16::try_from(id.len()).unwrap_or(u16::MAX);
    let mut k = Vec::with_capacity(4 + id.len() + 8);
    k.extend_from_slice(&[NS, kind]);
    k.extend_from_slice(&len.to_be_bytes());
    k.extend_from_slice(id.as_bytes());
    k
}

fn with_index(mut key: Vec<u8>, index: u64) -> Vec<u8> {
    key.extend_from_slice(&index.to_be_bytes());
    key
}

/// The entry index that ends an index key.
fn index_of(key: &[u8]) -> Result<u64, LedgerError> {
    key.len()
        .checked_sub(8)
        .and_then(|at| <[u8; 8]>::try_from(&key[at..]).ok())
        .map(u64::from_be_bytes)
        .ok_or_else(|| LedgerError::Malformed("receipt index: a key without an entry index".into()))
}

/// The items that index entry `index` (its `event`).
pub(crate) fn index_items(index: u64, event: &Event, out: &mut Vec<Item>) {
    match event {
        Event::VoteCast(b) => {
            let key = match &b.voter {
                Voter::Holder(h) => id_prefix(HOLDER, h.as_str()),
                Voter::Proxy(p) => id_prefix(PROXY, p.as_str()),
            };
            out.push((with_index(key, index), BALLOT.to_vec()));
        }
        Event::ProxyLodged(p) | Event::SittingProxyLodged { form: p, .. } => out.push((
            with_index(id_prefix(HOLDER, p.holder.as_str()), index),
            APPOINTMENT.to_vec(),
        )),
        // A receipt names the holder and its holding from its register lines.
        Event::ShareRegistered { holder, .. } => out.push((
            with_index(id_prefix(HOLDER, holder.as_str()), index),
            REGISTER.to_vec(),
        )),
        Event::AuthorityGranted {
            key,
            role: Role::Scrutineer,
        } => {
            let mut k = vec![NS, GRANT];
            k.extend_from_slice(&key.0);
            out.push((with_index(k, index), Vec::new()));
        }
        Event::ResolutionProposed(_) | Event::PollOpened { .. } | Event::PollClosed { .. } => {
            out.push((with_index(vec![NS, POLL], index), Vec::new()));
        }
        Event::ResultDeclared { .. } | Event::ResultDeclaredV2 { .. } => {
            out.push((with_index(vec![NS, DECL], index), Vec::new()));
        }
        _ => {}
    }
}

fn marker(size: u64) -> Item {
    let mut v = vec![INDEX_VERSION];
    v.extend_from_slice(&size.to_be_bytes());
    (MARKER.to_vec(), v)
}

/// The log size the index covers, if it is there and of this version.
pub(crate) fn indexed_size(log: &Log) -> Result<Option<u64>, LedgerError> {
    let Some(v) = log.get_aux(MARKER)? else {
        return Ok(None);
    };
    match v.split_first() {
        Some((&INDEX_VERSION, rest)) => Ok(<[u8; 8]>::try_from(rest).ok().map(u64::from_be_bytes)),
        _ => Ok(None),
    }
}

/// Builds the index forward from where it stands, entry by entry in log order.
pub(crate) struct IndexBuilder {
    from: u64,
    items: Vec<Item>,
}

impl IndexBuilder {
    /// Starts from the index's marker; an index missing, of another version or ahead of the
    /// log is cleared and rebuilt from entry 0.
    pub(crate) fn resume(log: &Log) -> Result<IndexBuilder, LedgerError> {
        let from = match indexed_size(log)? {
            Some(size) if size <= log.len() => size,
            _ => {
                log.remove_aux_prefix(&[NS])?;
                0
            }
        };
        Ok(IndexBuilder {
            from,
            items: Vec::new(),
        })
    }

    /// The first entry not yet indexed.
    pub(crate) fn from(&self) -> u64 {
        self.from
    }

    /// Indexes entry `index` if the index does not cover it yet. Entries come in log order.
    pub(crate) fn see(&mut self, log: &Log, index: u64, event: &Event) -> Result<(), LedgerError> {
        if index < self.from {
            return Ok(());
        }
        index_items(index, event, &mut self.items);
        if self.items.len() >= CHUNK_ITEMS {
            self.flush(log, index + 1)?;
        }
        Ok(())
    }

    /// Writes what is pending with the marker at `size` (every entry below it seen).
    pub(crate) fn finish(mut self, log: &Log, size: u64) -> Result<(), LedgerError> {
        if size > self.from || !self.items.is_empty() {
            self.flush(log, size)?;
        }
        Ok(())
    }

    fn flush(&mut self, log: &Log, size: u64) -> Result<(), LedgerError> {
        let mut items = std::mem::take(&mut self.items);
        items.push(marker(size));
        log.put_aux_batch(items, Vec::new())?;
        // Written out chunk by chunk: sled holds unflushed writes in memory, and an index of
        // a million holders written in one go took gigabytes.
        log.flush_aux()?;
        self.from = size;
        Ok(())
    }
}

/// Completes the index up to the log's size by reading the entries it does not cover.
pub(crate) fn catch_up(log: &Log) -> Result<(), LedgerError> {
    let mut builder = IndexBuilder::resume(log)?;
    let len = log.len();
    if builder.from() >= len {
        return Ok(());
    }
    for_each_event(log, builder.from()..len, |index, _, _, event| {
        builder.see(log, index, &event)
    })?;
    builder.finish(log, len)
}

/// Indexes `events`, just appended at `start..`, when the index covers exactly the log
/// before them; otherwise leaves it to be completed by the next receipt ([`catch_up`]).
///
/// The entries are durable before this runs and the index is rebuildable from them, so a
/// failure here is not the append's: the index is left behind and completed on next use.
pub(crate) fn record_appended<'e>(
    log: &Log,
    start: u64,
    events: impl IntoIterator<Item = &'e Event>,
) {
    let done = (|| -> Result<(), LedgerError> {
        if indexed_size(log)? != Some(start) {
            // Behind (a chunked import does not index: see `Ledger::import`): the next
            // receipt completes it, so appends stay lean.
            return Ok(());
        }
        let mut builder = IndexBuilder {
            from: start,
            items: Vec::new(),
        };
        let mut end = start;
        for (index, event) in (start..).zip(events) {
            builder.see(log, index, event)?;
            end = index + 1;
        }
        builder.finish(log, end)
    })();
    // Deliberately not propagated: see above (the next receipt completes the index).
    let _ = done;
}

/// The entry indices under `prefix` (one id's keys), ascending.
fn indices_under(log: &Log, prefix: &[u8]) -> Result<Vec<(u64, Vec<u8>)>, LedgerError> {
    let mut out = Vec::new();
    for r in log.get_aux_range(prefix) {
        let (k, v) = r?;
        out.push((index_of(&k)?, v));
    }
    Ok(out)
}

/// What every receipt of the ledger shares: the checkpoint, the genesis, the grant, the poll
/// entries, the declaration and the tally it certifies.
pub(crate) struct Shared {
    size: u64,
    decl_index: u64,
    origin: String,
    checkpoint: String,
    genesis: ReceiptEntry,
    grant: Option<ReceiptEntry>,
    polls: Vec<ReceiptEntry>,
    declaration: ReceiptEntry,
    tally: Tally,
    tally_json: String,
    is_final: bool,
    /// The entry proposing each resolution (a receipt's context for those it voted on).
    proposals: std::collections::BTreeMap<String, u64>,
    /// Those proposals as receipt entries (role `resolution`), built once for every receipt.
    proposal_entries: std::collections::BTreeMap<u64, ReceiptEntry>,
}

impl Shared {
    /// The tree size every receipt's proofs are against.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }
}

/// The shared parts of every receipt, from the index and the live `meeting` (the state
/// folded from the whole log). `None` when the index cannot serve: it does not cover the
/// whole log, the log does not end with its declaration, or the live tally is not the one
/// declared; the caller then builds by the full scan.
///
/// # Errors
/// As the scan: [`LedgerError::NotFound`] when no result is declared,
/// [`LedgerError::DeclarationNotCheckpointed`], a genesis that is not one; log errors.
pub(crate) fn shared_parts(
    log: &Log,
    meeting: &Meeting,
    latest_size: u64,
) -> Result<Option<Shared>, LedgerError> {
    let len = log.len();
    if indexed_size(log)? != Some(len) {
        return Ok(None);
    }
    let Some(last) = log.get_aux_range(&[NS, DECL]).last() else {
        if meeting.declared_at().is_some() {
            return Ok(None);
        }
        return Err(LedgerError::NotFound(format!(
            "no result declared in the ledger ({len} entries): close the polls, declare the \
             result and sign a checkpoint first"
        )));
    };
    let decl_index = index_of(&last?.0)?;
    if decl_index.checked_add(1) != Some(len) {
        return Ok(None);
    }
    let size = len;
    let mut prover = log.inclusion_prover(size)?;
    // After the declaration that ends the log, the live state is the declared state.
    let tally = meeting.tally();
    let (declaration, decl_event) = receipt_entry(log, decl_index, "declaration", &mut prover)?;
    let Some(d) = decl_event.declaration() else {
        return Ok(None);
    };
    let Some(tally_json) = tally.json_of_format(d.tally_format) else {
        return Ok(None);
    };
    let digest: [u8; 32] = Sha256::digest(tally_json.as_bytes()).into();
    if digest != d.tally_sha256 {
        return Ok(None);
    }
    let genesis_entry = log.entry(0)?;
    let (genesis, convened) = receipt_entry(log, 0, "genesis", &mut prover)?;
    if !matches!(convened, Event::MeetingConvened(_)) {
        return Err(LedgerError::Malformed(
            "entry 0 is not the meeting's genesis".into(),
        ));
    }
    let cp = log
        .checkpoint_at(size)?
        .ok_or(LedgerError::DeclarationNotCheckpointed {
            declaration: decl_index,
            needed: size,
            latest: latest_size,
        })?;
    let declarer = log.entry(decl_index)?.author;
    let mut grant_prefix = vec![NS, GRANT];
    grant_prefix.extend_from_slice(declarer.as_bytes());
    let grant = match indices_under(log, &grant_prefix)?
        .into_iter()
        .map(|(i, _)| i)
        .rfind(|i| *i < decl_index)
    {
        Some(i) => Some(receipt_entry(log, i, "authority", &mut prover)?.0),
        None => None,
    };
    // The poll entries' own fold, from the genesis: poll states depend on nothing else.
    let mut polls_meeting = Meeting::new();
    let mut history = PollHistory::default();
    history.apply(
        &mut polls_meeting,
        0,
        &convened,
        &AuthorKey(*genesis_entry.author.as_bytes()),
        UtcMillis(genesis_entry.recorded_at_ms),
    );
    let mut proposals = std::collections::BTreeMap::new();
    for (index, _) in indices_under(log, &[NS, POLL])? {
        if index >= decl_index {
            break;
        }
        let entry = log.entry(index)?;
        let event = decode_event(&entry.payload)
            .map_err(|e| LedgerError::Malformed(format!("entry {index}: {e}")))?;
        if let Event::ResolutionProposed(r) = &event {
            proposals.entry(r.id.to_string()).or_insert(index);
        }
        if !matches!(
            event,
            Event::ResolutionProposed(_) | Event::PollOpened { .. } | Event::PollClosed { .. }
        ) {
            return Ok(None);
        }
        history.apply(
            &mut polls_meeting,
            index,
            &event,
            &AuthorKey(*entry.author.as_bytes()),
            UtcMillis(entry.recorded_at_ms),
        );
    }
    let mut polls = Vec::new();
    for index in history.evidence(&polls_meeting) {
        let (e, event) = receipt_entry(log, index, "poll", &mut prover)?;
        polls.push(match event {
            Event::ResolutionProposed(_) => ReceiptEntry {
                role: "resolution".to_string(),
                ..e
            },
            _ => e,
        });
    }
    let mut proposal_entries = std::collections::BTreeMap::new();
    for &index in proposals.values() {
        if index < decl_index {
            let e = receipt_entry(log, index, "resolution", &mut prover)?.0;
            proposal_entries.insert(index, e);
        }
    }
    Ok(Some(Shared {
        proposal_entries,
        size,
        decl_index,
        origin: log.origin().to_string(),
        checkpoint: cp.to_note_text(),
        genesis,
        grant,
        polls,
        declaration,
        tally,
        tally_json,
        is_final: meeting.all_polls_closed(),
        proposals,
    }))
}

/// The entries of `holder`'s receipt by the index: its appointments and ballots, and its
/// proxies' ballots, before the declaration, in log order.
fn picks(
    log: &Log,
    holder: &HolderId,
    proxies: &[ProxyId],
    decl_index: u64,
) -> Result<Vec<u64>, LedgerError> {
    let mut out: Vec<u64> = indices_under(log, &id_prefix(HOLDER, holder.as_str()))?
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    for p in proxies {
        out.extend(
            indices_under(log, &id_prefix(PROXY, p.as_str()))?
                .into_iter()
                .map(|(i, _)| i),
        );
    }
    out.retain(|i| *i < decl_index);
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Assembles `holder`'s receipt from the shared parts and the entries at `picked`. `None`
/// if an indexed entry is not what the index says (the caller then scans).
///
/// # Errors
/// [`LedgerError::NotFound`] if the holder has no ballot before the declaration; log errors.
fn assemble(
    log: &Log,
    prover: &mut InclusionProver<'_>,
    shared: &Shared,
    holder: &HolderId,
    proxies: &[ProxyId],
    picked: &[u64],
) -> Result<Option<VoteReceipt>, LedgerError> {
    let mut entries = Vec::with_capacity(picked.len());
    let mut context_ix: Vec<(u64, &str)> = Vec::new();
    let mut ballots = 0usize;
    for &index in picked {
        let (mut e, event) = receipt_entry(log, index, "ballot", prover)?;
        match &event {
            Event::ShareRegistered { holder: h, .. } if h == holder => {
                context_ix.push((index, "register"));
                continue;
            }
            Event::VoteCast(b) if is_ours(&b.voter, holder, proxies) => {
                if let Some(&i) = shared.proposals.get(b.resolution.as_str()) {
                    context_ix.push((i, "resolution"));
                }
                e.status = Some(ballot_status(
                    &shared.tally,
                    &b.voter,
                    b.resolution.as_str(),
                    shared.is_final,
                ));
                e.tlog_proof = Some(tlog_proof_text(&shared.checkpoint, &e)?);
                ballots += 1;
            }
            Event::ProxyLodged(p) | Event::SittingProxyLodged { form: p, .. }
                if p.holder == *holder =>
            {
                e.role = "proxy".to_string()
            }
            _ => return Ok(None),
        }
        entries.push(e);
    }
    if ballots == 0 {
        return Err(LedgerError::NotFound(format!(
            "holder {holder} has no ballot (in person or by proxy) before the result declared \
             at entry {}",
            shared.decl_index
        )));
    }
    context_ix.retain(|(i, _)| *i < shared.decl_index);
    context_ix.sort_unstable();
    context_ix.dedup();
    let mut context = Vec::with_capacity(context_ix.len());
    for (index, role) in context_ix {
        // A resolution's proposal is shared by every receipt: built once.
        match shared.proposal_entries.get(&index) {
            Some(e) if role == "resolution" => context.push(e.clone()),
            _ => context.push(receipt_entry(log, index, role, prover)?.0),
        }
    }
    Ok(Some(VoteReceipt {
        format: RECEIPT_FORMAT.to_string(),
        origin: shared.origin.clone(),
        holder: holder.clone(),
        checkpoint: shared.checkpoint.clone(),
        entries,
        genesis: shared.genesis.clone(),
        scrutineer_grant: shared.grant.clone(),
        polls: shared.polls.clone(),
        declaration: shared.declaration.clone(),
        tally: shared.tally_json.clone(),
        context,
    }))
}

/// `holder`'s receipt by the index, or `None` when the index cannot serve (see
/// [`shared_parts`]).
///
/// # Errors
/// As [`crate::Ledger::receipt`].
pub(crate) fn receipt_by_index(
    log: &Log,
    meeting: &Meeting,
    latest_size: u64,
    holder: &HolderId,
) -> Result<Option<VoteReceipt>, LedgerError> {
    let Some(shared) = shared_parts(log, meeting, latest_size)? else {
        return Ok(None);
    };
    let proxies = meeting.proxies_of(holder);
    let picked = picks(log, holder, &proxies, shared.decl_index)?;
    let mut prover = log.inclusion_prover(shared.size)?;
    assemble(log, &mut prover, &shared, holder, &proxies, &picked)
}

/// Every holder with an indexed entry (a ballot or an appointment), in key order, each once.
pub(crate) fn indexed_holders(
    log: &Log,
) -> impl Iterator<Item = Result<HolderId, LedgerError>> + '_ {
    let mut last: Option<Vec<u8>> = None;
    log.get_aux_range(&[NS, HOLDER]).filter_map(move |r| {
        let (k, _) = match r {
            Ok(kv) => kv,
            Err(e) => return Some(Err(e.into())),
        };
        let Some(id) = k.get(4..k.len().saturating_sub(8)) else {
            return Some(Err(LedgerError::Malformed(
                "receipt index: a short holder key".into(),
            )));
        };
        if last.as_deref() == Some(id) {
            return None;
        }
        last = Some(id.to_vec());
        Some(
            std::str::from_utf8(id)
                .map_err(|_| LedgerError::Malformed("receipt index: a holder id not UTF-8".into()))
                .and_then(|s| {
                    HolderId::new(s).map_err(|e| {
                        LedgerError::Malformed(format!("receipt index: holder id: {e}"))
                    })
                }),
        )
    })
}

/// `holder`'s receipt from shared parts already built (the bulk path).
///
/// # Errors
/// As [`assemble`]; [`LedgerError::Malformed`] if the index disagrees with the log.
pub(crate) fn receipt_with(
    log: &Log,
    prover: &mut InclusionProver<'_>,
    meeting: &Meeting,
    shared: &Shared,
    holder: &HolderId,
) -> Result<VoteReceipt, LedgerError> {
    let proxies = meeting.proxies_of(holder);
    let picked = picks(log, holder, &proxies, shared.decl_index)?;
    assemble(log, prover, shared, holder, &proxies, &picked)?.ok_or_else(|| {
        LedgerError::Malformed(format!(
            "the receipt index disagrees with the log for holder {holder}: reopen the ledger \
             to rebuild it"
        ))
    })
}
