//! Verifying a bundle: the log's checks (1 to 6) and the meeting's (7 to 9) in one streaming
//! pass, with constant memory apart from the meeting state.

use std::io::Read;

use serde::Serialize;
use serde_json::json;

use scrutin_log::{verify_bundle_with_progress, BundleReport, NoteVerifier, SignedCheckpoint};
use scrutin_model::{MeetingConvened, Resolution};
use scrutin_tally::{render_announcement, Disregarded, Tally};

use crate::ledger::origin_for;
use crate::replay::{Replay, ReplayFailure, CHECK_AUTHORITY, CHECK_RULES, CHECK_TALLY};
use crate::LedgerError;

/// The outcome of verifying a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Verdict {
    /// Every check passed.
    Valid,
    /// A check failed: the first failure, naming the entry when it is in one.
    Broken {
        /// The first failing entry, when the failure is in one entry.
        at_entry: Option<u64>,
        /// The name of the failing check (as in [`Check::name`]).
        check: String,
        /// Why, naming the entry, the rule, the holder and the numbers.
        reason: String,
    },
}

/// Status of one numbered check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// The check ran and passed.
    Passed,
    /// The check ran and failed.
    Failed,
    /// The check did not run (an earlier failure stopped it).
    NotRun,
}

/// One numbered check of a verification report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// 1 format, 2 chain, 3 signatures, 4 merkle root, 5 checkpoint signature,
    /// 6 cosignatures, 7 genesis and authority, 8 voting rules, 9 tally.
    pub number: u32,
    /// Its short name (`"voting rules"`).
    pub name: String,
    /// Passed, failed or not run.
    pub status: CheckStatus,
    /// What was checked, or why it failed.
    pub detail: String,
}

/// The full result of [`verify_bundle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Valid, or broken at an entry with a reason.
    pub verdict: Verdict,
    /// The nine checks, in number order.
    pub checks: Vec<Check>,
    /// The meeting, from the genesis entry (when it decoded).
    pub meeting: Option<MeetingConvened>,
    /// The resolutions proposed in the bundle, in proposal order (titles for reports).
    pub resolutions: Vec<Resolution>,
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
}

/// Names of checks 7 to 9.
const AUTHORITY_NAME: &str = "genesis and authority";
const RULES_NAME: &str = "voting rules";
const TALLY_NAME: &str = "tally";

fn name_of(check: u32) -> &'static str {
    match check {
        CHECK_AUTHORITY => AUTHORITY_NAME,
        CHECK_RULES => RULES_NAME,
        _ => TALLY_NAME,
    }
}

impl VerifyReport {
    /// Whether every check passed.
    pub fn is_valid(&self) -> bool {
        self.verdict == Verdict::Valid
    }

    /// The report as pretty JSON text, ending in a newline: `valid`, `verdict`, `entries`,
    /// `digest`, `meeting` (its registrar key in hex), `resolutions`, `checkpoint` (signed-note text),
    /// `cosigners`, `witnesses_silent`, `checks`, `tally` (the contract tally JSON), `disregarded`,
    /// `announcement`, in this order.
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
            verdict: &self.verdict,
            entries: self.entries,
            digest: &self.digest,
            meeting,
            resolutions: &self.resolutions,
            checkpoint: self.checkpoint.as_ref().map(SignedCheckpoint::to_note_text),
            cosigners: &self.cosigners,
            witnesses_silent: &self.witnesses_silent,
            checks: &self.checks,
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
    verdict: &'a Verdict,
    entries: u64,
    digest: &'a str,
    meeting: Option<serde_json::Value>,
    resolutions: &'a [Resolution],
    checkpoint: Option<String>,
    cosigners: &'a [String],
    witnesses_silent: &'a [String],
    checks: &'a [Check],
    tally: Option<&'a Tally>,
    disregarded: Vec<JsonDisregarded<'a>>,
    announcement: Option<&'a str>,
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
/// A tampered bundle or a rule-breaking event gives `Ok` with a [`Verdict::Broken`] naming the
/// first failing entry and why.
///
/// # Errors
/// [`LedgerError::Log`] when the check cannot run: not a bundle, unsupported version, no
/// trusted keys, I/O.
pub fn verify_bundle(
    reader: impl Read,
    trust: &[NoteVerifier],
    progress: &mut dyn FnMut(u64, u64),
) -> Result<VerifyReport, LedgerError> {
    let mut replay = Replay::new(trust);
    let log_report = {
        let mut on_entry = |e: &scrutin_log::Entry| replay.on_entry(e);
        verify_bundle_with_progress(reader, trust, Some(&mut on_entry), progress)?
    };
    // Checks the replay can only make once every entry is in.
    if log_report.verdict_is_valid_so_far() && replay.failure.is_none() {
        match &replay.convened {
            None => {
                replay.failure = Some(ReplayFailure {
                    check: CHECK_AUTHORITY,
                    entry: 0,
                    reason: "the bundle has no genesis (MeetingConvened) entry".into(),
                })
            }
            Some(m) if origin_for(&m.id) != log_report.origin => {
                replay.failure = Some(ReplayFailure {
                    check: CHECK_AUTHORITY,
                    entry: 0,
                    reason: format!(
                        "entry 0: the log origin {:?} is not {:?}, the origin of meeting {}",
                        log_report.origin,
                        origin_for(&m.id),
                        m.id
                    ),
                })
            }
            Some(_) => {}
        }
    }
    Ok(assemble(log_report, replay, trust))
}

trait ReportExt {
    fn verdict_is_valid_so_far(&self) -> bool;
}

impl ReportExt for BundleReport {
    fn verdict_is_valid_so_far(&self) -> bool {
        matches!(self.verdict, scrutin_log::Verdict::Valid { .. })
    }
}

fn convert_status(s: scrutin_log::CheckStatus) -> CheckStatus {
    match s {
        scrutin_log::CheckStatus::Passed => CheckStatus::Passed,
        scrutin_log::CheckStatus::Failed => CheckStatus::Failed,
        _ => CheckStatus::NotRun,
    }
}

fn assemble(log: BundleReport, replay: Replay<'_>, trust: &[NoteVerifier]) -> VerifyReport {
    let mut checks: Vec<Check> = log
        .checks
        .iter()
        .filter(|c| c.number <= 6)
        .map(|c| Check {
            number: u32::from(c.number),
            name: c.name.clone(),
            status: convert_status(c.status),
            detail: c.detail.clone(),
        })
        .collect();
    let log_rules = log.checks.iter().find(|c| c.number == 7);
    for n in [CHECK_AUTHORITY, CHECK_RULES, CHECK_TALLY] {
        let (status, detail) = match (&replay.failure, log_rules) {
            (Some(f), _) if f.check == n => (CheckStatus::Failed, f.reason.clone()),
            (Some(f), _) if n < f.check => {
                (CheckStatus::Passed, format!("entries 0 to {}", f.entry))
            }
            (Some(f), _) => (CheckStatus::NotRun, format!("stopped at entry {}", f.entry)),
            (None, Some(c)) if c.status != scrutin_log::CheckStatus::Passed => {
                (CheckStatus::NotRun, c.detail.clone())
            }
            (None, None) => (CheckStatus::NotRun, "the header is unreadable".into()),
            (None, Some(_)) => (CheckStatus::Passed, passed_detail(n, &replay)),
        };
        checks.push(Check {
            number: n,
            name: name_of(n).to_string(),
            status,
            detail,
        });
    }

    let verdict = match (&replay.failure, &log.verdict) {
        (Some(f), _) => Verdict::Broken {
            at_entry: Some(f.entry),
            check: name_of(f.check).to_string(),
            reason: f.reason.clone(),
        },
        (None, scrutin_log::Verdict::Valid { .. }) => Verdict::Valid,
        (
            None,
            scrutin_log::Verdict::Broken {
                at_entry,
                check,
                reason,
            },
        ) => Verdict::Broken {
            at_entry: *at_entry,
            check: check.clone(),
            reason: reason.clone(),
        },
    };
    let valid = verdict == Verdict::Valid;
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
    VerifyReport {
        verdict,
        checks,
        meeting: replay.convened.clone(),
        resolutions: replay.meeting.resolutions().into_iter().cloned().collect(),
        tally,
        announcement,
        checkpoint: log.checkpoint,
        cosigners,
        witnesses_silent,
        entries: replay.entries,
        digest: log.digest.to_hex(),
        disregarded,
    }
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
