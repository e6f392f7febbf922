//! Verifying a bundle: the log's checks (1 to 6) and the meeting's (7 to 9) in one streaming
//! pass, with constant memory apart from the meeting state.

use std::io::Read;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use scrutin_log::{
    verify_bundle_observing, BundleReport, Check, CheckList, NoteVerifier, SignedCheckpoint,
    Verdict,
};
use scrutin_model::{HolderId, MeetingConvened, ProxyId, Resolution, Restriction, Sitting};
use scrutin_tally::{render_announcement, Disregarded, Meeting, Tally};

use crate::ledger::origin_for;
use crate::replay::{Replay, ReplayFailure, CHECK_AUTHORITY, CHECK_RULES, CHECK_TALLY};
use crate::LedgerError;

/// The full result of [`verify_bundle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Valid, or the first failure (in the order checks are decided) with its check, entry
    /// and reason.
    pub verdict: Verdict,
    /// The nine checks (ten with a pin), in number order: the log's 1 to 6, then 7 genesis
    /// and authority, 8 voting rules, 9 tally. Every check decided after the failing one is
    /// [`CheckStatus::NotRun`](crate::CheckStatus::NotRun).
    pub checks: Vec<Check>,
    /// The meeting, from the genesis entry (when it decoded).
    pub meeting: Option<MeetingConvened>,
    /// The resolutions proposed in the bundle, in proposal order (titles for reports).
    pub resolutions: Vec<Resolution>,
    /// The sittings convened in the bundle (empty: one general sitting); the announcement
    /// cross-check reads one section per sitting with them.
    pub sittings: Vec<Sitting>,
    /// The tally recomputed from every event (only when the verdict is valid).
    pub tally: Option<Tally>,
    /// The announcement text recomputed (only when the verdict is valid).
    pub announcement: Option<String>,
    /// The checkpoint from the bundle, with its signatures and cosignatures.
    pub checkpoint: Option<SignedCheckpoint>,
    /// Trusted witnesses whose cosignature verified.
    pub cosigners: Vec<String>,
    /// Trusted witnesses (trusted keys that did not sign the checkpoint) with no valid
    /// cosignature: a witness the verifier expected that did not cosign.
    pub witnesses_silent: Vec<String>,
    /// Entries verified (every check up to the rules passed).
    pub entries: u64,
    /// SHA-256 of the whole bundle, hex.
    pub digest: String,
    /// Every ballot not counted: (resolution id, who, votes, why). Only when valid.
    pub disregarded: Vec<(String, Disregarded)>,
    /// The entry of the result declaration, when the bundle has one. It is final (it seals the
    /// log); without it the tally is a provisional count, never presented as a result.
    pub declared_at: Option<u64>,
    /// The tally JSON format the declaration certifies (1 for `ResultDeclared`).
    pub declared_format: Option<u16>,
    /// The names, from the replayed register and proxy forms, of the voters and holders the
    /// report shows beside a figure: every voter in [`VerifyReport::disregarded`] (a holder id,
    /// or `proxy:ID` named as `PROXY NAME (proxy of HOLDER)`) and every holder in
    /// [`VerifyReport::restricted`]. Only when valid.
    pub holder_names: BTreeMap<String, String>,
    /// Every must-abstain and against-only restriction recorded, by holder then resolution.
    /// Only when valid.
    pub restricted: Vec<Restricted>,
    /// When the verification continued a previous one (`verify --since STATE`): what it
    /// took as verified and what it checked. `None` for a full verification.
    pub incremental: Option<Incremental>,
}

/// What an incremental verification ([`crate::verify_bundle_since`]) took from its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incremental {
    /// Entries `0..since_size` were verified before (the state's checkpoint size).
    pub since_size: u64,
    /// Entries decoded and checked in this run (those from `since_size` on, up to the first
    /// failure).
    pub entries_checked: u64,
}

/// A holder required to abstain, or allowed only to vote against, on a resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restricted {
    /// The holder id.
    pub holder: String,
    /// The resolution id.
    pub resolution: String,
    /// Abstain (Rule 2.15 / 14A.36) or against only (Rule 13.40).
    pub restriction: Restriction,
    /// The reason recorded.
    pub reason: String,
}

/// What a valid bundle without a result declaration is, in one line: its log and events check
/// out, but its count is provisional and states no outcome.
pub const PROVISIONAL_LINE: &str = "provisional, no result declared: the log and every recorded \
event check out, but the polls are not closed and declared, so the count below is provisional \
and states no outcome";

/// Number and name of the meeting's checks, decided after the log's 1 to 6.
pub const MEETING_CHECKS: [(u32, &str); 3] = [
    (CHECK_AUTHORITY, "genesis and authority"),
    (CHECK_RULES, "voting rules"),
    (CHECK_TALLY, "tally"),
];

impl VerifyReport {
    /// The recomputed tally's JSON as the declaration certifies it (the format it names,
    /// byte for byte what its digest covers); without a declaration, the current format.
    /// `None` when the verdict is not valid.
    pub fn certified_tally_json(&self) -> Option<String> {
        let t = self.tally.as_ref()?;
        match self.declared_format {
            Some(f) => t.json_of_format(f),
            None => Some(t.to_json()),
        }
    }

    /// Whether every check passed.
    pub fn is_valid(&self) -> bool {
        self.verdict.is_valid()
    }

    /// Whether the bundle is valid and its result declared: only then is its tally a result.
    pub fn is_declared(&self) -> bool {
        self.is_valid() && self.declared_at.is_some()
    }

    /// The verdict in one line: `every check passed`, the provisional line for a valid bundle
    /// with no declaration ([`PROVISIONAL_LINE`]), or `entry N: <check>: <reason>`.
    pub fn verdict_line(&self) -> String {
        match &self.verdict {
            Verdict::Valid if self.declared_at.is_none() => PROVISIONAL_LINE.into(),
            Verdict::Valid => "every check passed".into(),
            Verdict::Broken {
                at_entry,
                check,
                reason,
            } => {
                let at = at_entry.map_or(String::new(), |i| format!("entry {i}: "));
                format!("{at}{check}: {reason}")
            }
        }
    }

    /// The report as pretty JSON text, ending in a newline: `valid`, `verdict`, `entries`,
    /// `digest`, `meeting` (its registrar key in hex), `resolutions`, `checkpoint` (signed-note text),
    /// `cosigners`, `witnesses_silent`, `checks`, `tally` (the contract tally JSON), `disregarded`,
    /// `announcement`, `result` (declared at an entry, or provisional), in this order.
    pub fn to_json(&self) -> String {
        let meeting = self.meeting.as_ref().map(|m| {
            let mut v = serde_json::to_value(m).unwrap_or(serde_json::Value::Null);
            if let Some(obj) = v.as_object_mut() {
                obj.insert("registrar".into(), json!(m.registrar.to_string()));
                obj.insert(
                    "proxy_deadline".into(),
                    json!(m.proxy_deadline.to_rfc3339()),
                );
            }
            v
        });
        let view = JsonReport {
            valid: self.is_valid(),
            verdict: match &self.verdict {
                Verdict::Valid => JsonVerdict::Valid,
                Verdict::Broken {
                    at_entry,
                    check,
                    reason,
                } => JsonVerdict::Broken {
                    at_entry: *at_entry,
                    check,
                    reason,
                },
            },
            entries: self.entries,
            digest: &self.digest,
            meeting,
            resolutions: &self.resolutions,
            checkpoint: self.checkpoint.as_ref().map(SignedCheckpoint::to_note_text),
            cosigners: &self.cosigners,
            witnesses_silent: &self.witnesses_silent,
            checks: self
                .checks
                .iter()
                .map(|c| JsonCheck {
                    number: c.number,
                    name: &c.name,
                    status: c.status.as_str(),
                    detail: &c.detail,
                })
                .collect(),
            tally: self.tally.as_ref(),
            disregarded: self
                .disregarded
                .iter()
                .map(|(resolution, d)| JsonDisregarded {
                    resolution,
                    voter: &d.voter,
                    votes: d.votes,
                    reason: &d.reason,
                })
                .collect(),
            announcement: self.announcement.as_deref(),
            result: match (self.is_valid(), self.declared_at) {
                (false, _) => JsonResult::None,
                (true, Some(at)) => JsonResult::Declared { declared_at: at },
                (true, None) => JsonResult::Provisional,
            },
            incremental: self.incremental.map(|i| JsonIncremental {
                since_size: i.since_size,
                entries_checked: i.entries_checked,
            }),
        };
        let mut s = serde_json::to_string_pretty(&view)
            .unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()));
        s.push('\n');
        s
    }
}

/// The JSON shape of a report (field order is the output order).
#[derive(Serialize)]
struct JsonReport<'a> {
    valid: bool,
    verdict: JsonVerdict<'a>,
    entries: u64,
    digest: &'a str,
    meeting: Option<serde_json::Value>,
    resolutions: &'a [Resolution],
    checkpoint: Option<String>,
    cosigners: &'a [String],
    witnesses_silent: &'a [String],
    checks: Vec<JsonCheck<'a>>,
    tally: Option<&'a Tally>,
    disregarded: Vec<JsonDisregarded<'a>>,
    announcement: Option<&'a str>,
    result: JsonResult,
    /// Only in an incremental verification's report: a full one has no such field.
    #[serde(skip_serializing_if = "Option::is_none")]
    incremental: Option<JsonIncremental>,
}

/// The JSON shape of [`Incremental`].
#[derive(Serialize)]
struct JsonIncremental {
    since_size: u64,
    entries_checked: u64,
}

/// The JSON shape of the result's standing: `{"status": "declared", "declared_at": N}`, or
/// `{"status": "provisional"}` (no declaration: the tally is no result), or
/// `{"status": "none"}` for a bundle that is not valid.
#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
enum JsonResult {
    Declared { declared_at: u64 },
    Provisional,
    None,
}

/// The JSON shape of a verdict: `{"status": "valid"}` or `{"status": "broken", "at_entry",
/// "check", "reason"}`.
#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
enum JsonVerdict<'a> {
    Valid,
    Broken {
        at_entry: Option<u64>,
        check: &'a str,
        reason: &'a str,
    },
}

/// The JSON shape of a check (`status`: `passed`, `failed` or `not_run`).
#[derive(Serialize)]
struct JsonCheck<'a> {
    number: u32,
    name: &'a str,
    status: &'static str,
    detail: &'a str,
}

#[derive(Serialize)]
struct JsonDisregarded<'a> {
    resolution: &'a str,
    voter: &'a str,
    votes: u128,
    reason: &'a str,
}

/// Verifies a bundle against trusted keys (the registrar's, and the witnesses' whose
/// cosignatures are expected), streaming: the log's format, chain, signature, Merkle root,
/// checkpoint and cosignature checks (1 to 6), and in the same pass the genesis and each
/// author's authority (7), every voting rule (8), and every declared tally (9).
/// `progress(done, total)` is called as entries are verified.
///
/// The checks are decided in number order (docs/FORMAT.md, "Verdict order"): 1 to 6 as the
/// log decides them, then 7 to 9 entry by entry (for each entry: 7, 8, 9), then the end of the
/// log (check 7: a genesis exists, and the log's origin is the meeting's). The first failure is
/// the verdict ([`Verdict::Broken`], naming the failing entry when there is one) and every
/// check decided after it is reported not run, so a bundle broken at check 5 shows checks 7 to
/// 9 not run, whatever the replay found.
///
/// # Errors
/// [`LedgerError::Log`] when the check cannot run: not a bundle at all (no magic, an
/// unsupported version), no trusted keys, I/O. A damaged or truncated bundle is a verdict.
pub fn verify_bundle(
    reader: impl Read,
    trust: &[NoteVerifier],
    progress: &mut dyn FnMut(u64, u64),
) -> Result<VerifyReport, LedgerError> {
    let mut replay = Replay::new(trust);
    let log_report = {
        // The replay records its own first failure; the log's checks go on regardless.
        let mut observe = |e: &scrutin_log::Entry| {
            let _ = replay.on_entry(e);
        };
        verify_bundle_observing(reader, trust, &mut observe, progress)?
    };
    end_of_log(&mut replay, &log_report.origin);
    Ok(assemble(log_report, &replay, trust))
}

/// The checks the replay can only make once every entry is in (check 7).
pub(crate) fn end_of_log(replay: &mut Replay<'_>, origin: &str) {
    match &replay.convened {
        // No genesis was read, and nothing failed: the log has no entry at all (an entry 0
        // that is not a valid genesis failed already), so the failure names no entry.
        None if replay.failure.is_none() => {
            replay.failure = Some(ReplayFailure {
                check: CHECK_AUTHORITY,
                entry: None,
                undecoded: false,
                reason: "the bundle has no entries, so no genesis (MeetingConvened)".into(),
            });
        }
        None => {}
        // A genesis that passed its own checks at entry 0: its meeting must be the log's.
        // That belongs to entry 0's check 7, before anything else the replay found later.
        Some(m) if origin_for(&m.id) != origin => {
            replay.failure = Some(ReplayFailure {
                check: CHECK_AUTHORITY,
                entry: Some(0),
                undecoded: false,
                reason: format!(
                    "entry 0: the log origin {origin:?} is not {:?}, the origin of meeting {}",
                    origin_for(&m.id),
                    m.id
                ),
            });
            replay.entries = 0;
        }
        Some(_) => {}
    }
}

/// Continues the log's checks with checks 7 to 9 from the replay.
fn meeting_checks(log: &BundleReport, replay: &Replay<'_>) -> (Vec<Check>, Verdict) {
    let mut list = CheckList::resume(log.checks.clone(), log.verdict.clone());
    match &replay.failure {
        None => {
            for (n, name) in MEETING_CHECKS {
                list.pass(n, name, passed_detail(n, replay));
            }
        }
        Some(f) => {
            for (n, name) in MEETING_CHECKS {
                if n < f.check {
                    // The checks before the failing one ran on every entry up to the failing
                    // one, and on that entry too unless it could not be decoded.
                    let last = match f.entry {
                        Some(i) if f.undecoded => i.checked_sub(1),
                        other => other,
                    };
                    match (last, f.entry) {
                        (Some(last), _) => list.pass(n, name, format!("entries 0 to {last}")),
                        (None, Some(i)) => list.not_run(
                            n,
                            name,
                            format!("entry {i} is not a valid event, so it has no author's authority to check"),
                        ),
                        (None, None) => list.not_run(n, name, "no entry"),
                    }
                } else if n == f.check {
                    list.fail(n, name, f.entry, f.reason.clone());
                } else {
                    list.not_run(n, name, "not run");
                }
            }
        }
    }
    list.finish()
}

pub(crate) fn assemble(
    log: BundleReport,
    replay: &Replay<'_>,
    trust: &[NoteVerifier],
) -> VerifyReport {
    let (checks, verdict) = meeting_checks(&log, replay);
    let valid = verdict.is_valid();
    let cosigners = log
        .checkpoint
        .as_ref()
        .and_then(|cp| cp.verify(trust).ok())
        .map(|v| v.cosigned_by.into_iter().map(|(name, _)| name).collect())
        .unwrap_or_default();
    let witnesses_silent = log
        .checkpoint
        .as_ref()
        .map(|cp| cp.witnessing(trust).silent)
        .unwrap_or_default();
    let (tally, announcement, disregarded) = if valid {
        let tally = replay.meeting.tally();
        let announcement = render_announcement(&replay.meeting, &tally);
        let disregarded = tally
            .resolutions
            .iter()
            .flat_map(|r| {
                r.disregarded_ballots
                    .iter()
                    .map(|d| (r.id.clone(), d.clone()))
            })
            .collect();
        (Some(tally), Some(announcement), disregarded)
    } else {
        (None, None, Vec::new())
    };
    let restricted: Vec<Restricted> = if valid {
        replay
            .meeting
            .abstentions()
            .into_iter()
            .map(|a| Restricted {
                holder: a.holder.to_string(),
                resolution: a.resolution.to_string(),
                restriction: a.restriction,
                reason: a.reason,
            })
            .collect()
    } else {
        Vec::new()
    };
    let holder_names = names_shown(&replay.meeting, &disregarded, &restricted);
    VerifyReport {
        verdict,
        checks,
        meeting: replay.convened.clone(),
        resolutions: replay.meeting.resolutions().into_iter().cloned().collect(),
        sittings: replay.meeting.sittings().to_vec(),
        tally,
        announcement,
        checkpoint: log.checkpoint,
        cosigners,
        witnesses_silent,
        entries: replay.entries.min(log.entries),
        digest: log.digest.to_hex(),
        disregarded,
        declared_at: replay.meeting.declared_at(),
        declared_format: replay.meeting.declared_format(),
        holder_names,
        restricted,
        incremental: None,
    }
}

/// The register name of each voter and holder the report shows (see
/// [`VerifyReport::holder_names`]).
fn names_shown(
    meeting: &Meeting,
    disregarded: &[(String, Disregarded)],
    restricted: &[Restricted],
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let holder_name = |id: &str| -> Option<String> {
        let h = HolderId::new(id).ok()?;
        meeting.holder_name(&h).map(str::to_owned)
    };
    for (_, d) in disregarded {
        let name = match d.voter.strip_prefix("proxy:") {
            Some(p) => ProxyId::new(p).ok().and_then(|p| {
                let name = meeting.proxy_name(&p)?.to_owned();
                Some(match meeting.proxy_holder(&p) {
                    Some(h) => match meeting.holder_name(&h) {
                        Some(hn) => format!("{name} (proxy of {h} {hn})"),
                        None => format!("{name} (proxy of {h})"),
                    },
                    None => name,
                })
            }),
            None => holder_name(&d.voter),
        };
        if let Some(n) = name {
            out.insert(d.voter.clone(), n);
        }
    }
    for r in restricted {
        if let Some(n) = holder_name(&r.holder) {
            out.insert(r.holder.clone(), n);
        }
    }
    out
}

fn passed_detail(check: u32, replay: &Replay<'_>) -> String {
    let n = replay.entries;
    match check {
        CHECK_AUTHORITY => format!(
            "genesis signed by the trusted key {}, the registrar it names; {} later entries by \
             authorised keys",
            replay.registrar_name.as_deref().unwrap_or("(none)"),
            replay.authors
        ),
        CHECK_RULES => format!("all {n} events valid under the meeting's rules"),
        _ => format!(
            "{} result declaration(s) equal the tally recomputed at that point; final tally \
             recomputed",
            replay.declarations
        ),
    }
}
