//! Checks 7 to 9 of bundle verification: replaying every event through the rules, in the
//! same streaming pass as the log's own checks.

use scrutin_log::{Entry, NoteVerifier};
use scrutin_model::{decode_event, AuthorKey, Event, MeetingConvened, UtcMillis};
use scrutin_tally::Meeting;

use crate::ledger::tally_digest_of_format;

/// Check numbers of the verification report.
pub(crate) const CHECK_AUTHORITY: u32 = 7;
pub(crate) const CHECK_RULES: u32 = 8;
pub(crate) const CHECK_TALLY: u32 = 9;

/// The first failure found by the replay.
#[derive(Debug, Clone)]
pub(crate) struct ReplayFailure {
    /// 7, 8 or 9.
    pub(crate) check: u32,
    /// The failing entry; `None` for a failure at the end of the log (no genesis).
    pub(crate) entry: Option<u64>,
    /// The entry's payload is not a valid event (check 8), so check 7 could not examine it.
    pub(crate) undecoded: bool,
    pub(crate) reason: String,
}

/// The replay's counters beside its meeting: what a verification state records of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReplayCounters {
    pub(crate) entries: u64,
    pub(crate) declarations: u64,
    pub(crate) authors: u64,
    pub(crate) registrar_name: Option<String>,
    /// The tally format and digest of the last declaration, while only declarations follow.
    pub(crate) last_digest: Option<(u16, [u8; 32])>,
}

/// The meeting folded so far, and the first failure.
pub(crate) struct Replay<'a> {
    trust: &'a [NoteVerifier],
    pub(crate) meeting: Meeting,
    pub(crate) convened: Option<MeetingConvened>,
    pub(crate) failure: Option<ReplayFailure>,
    pub(crate) entries: u64,
    pub(crate) declarations: u64,
    pub(crate) authors: u64,
    /// The name under which the genesis author is trusted: the reader must see which of the
    /// trusted keys runs the meeting, since any trusted key may sign a genesis.
    pub(crate) registrar_name: Option<String>,
    /// The tally digest as of the last declaration, kept while only declarations follow, so
    /// that a run of declarations costs one tally, not one each.
    last_digest: Option<(u16, [u8; 32])>,
}

impl<'a> Replay<'a> {
    pub(crate) fn new(trust: &'a [NoteVerifier]) -> Replay<'a> {
        Replay {
            trust,
            meeting: Meeting::new(),
            convened: None,
            failure: None,
            entries: 0,
            declarations: 0,
            authors: 0,
            registrar_name: None,
            last_digest: None,
        }
    }

    /// The replay as it stood after a valid verification of the first entries of a log,
    /// continued from `meeting` (restored from its snapshot) and the counters of that
    /// verification (`verify --since`).
    pub(crate) fn resume(
        trust: &'a [NoteVerifier],
        meeting: Meeting,
        counters: ReplayCounters,
    ) -> Replay<'a> {
        Replay {
            trust,
            convened: meeting.convened().cloned(),
            meeting,
            failure: None,
            entries: counters.entries,
            declarations: counters.declarations,
            authors: counters.authors,
            registrar_name: counters.registrar_name,
            last_digest: counters.last_digest,
        }
    }

    /// What [`Replay::resume`] needs besides the meeting.
    pub(crate) fn counters(&self) -> ReplayCounters {
        ReplayCounters {
            entries: self.entries,
            declarations: self.declarations,
            authors: self.authors,
            registrar_name: self.registrar_name.clone(),
            last_digest: self.last_digest,
        }
    }

    fn fail(&mut self, check: u32, entry: u64, reason: String) -> Result<(), String> {
        let message = reason.clone();
        self.failure = Some(ReplayFailure {
            check,
            entry: Some(entry),
            undecoded: false,
            reason,
        });
        Err(message)
    }

    /// Checks and folds one entry (already checked for format, chain and signature).
    pub(crate) fn on_entry(&mut self, entry: &Entry) -> Result<(), String> {
        if self.failure.is_some() {
            return Err("verification already failed".into());
        }
        let index = entry.index;
        let author = AuthorKey(*entry.author.as_bytes());
        let event = match decode_event(&entry.payload) {
            Ok(e) => e,
            Err(e) => {
                let failed = self.fail(
                    CHECK_RULES,
                    index,
                    format!("entry {index}: the payload is not a valid event: {e}"),
                );
                if let Some(f) = self.failure.as_mut() {
                    f.undecoded = true;
                }
                return failed;
            }
        };
        if index == 0 {
            let Event::MeetingConvened(m) = &event else {
                return self.fail(
                    CHECK_AUTHORITY,
                    index,
                    format!(
                        "entry 0: the genesis is a {}, not MeetingConvened",
                        event.kind()
                    ),
                );
            };
            let Some(trusted) = self
                .trust
                .iter()
                .find(|v| v.may_sign() && v.public_key().as_bytes() == &author.0)
            else {
                return self.fail(
                    CHECK_AUTHORITY,
                    index,
                    format!(
                        "entry 0: the genesis is signed by {author}, which is not a key trusted to sign (a witness trusted by its cosigner key may only cosign)"
                    ),
                );
            };
            self.registrar_name = Some(trusted.name().to_owned());
            if m.registrar != author {
                return self.fail(
                    CHECK_AUTHORITY,
                    index,
                    format!(
                        "entry 0: the genesis is signed by {author}, not by the registrar {} it names",
                        m.registrar
                    ),
                );
            }
            self.convened = Some(m.clone());
        }
        let at = UtcMillis(entry.recorded_at_ms);
        let planned = match self.meeting.plan(&event, &author, at) {
            Ok(planned) => planned,
            Err(v) => {
                let check = if v.is_authority() {
                    CHECK_AUTHORITY
                } else {
                    CHECK_RULES
                };
                return self.fail(
                    check,
                    index,
                    format!("entry {index} ({}, by {author}): {v}", event.kind()),
                );
            }
        };
        if let Some(d) = event.declaration() {
            let expected = match self.last_digest {
                Some((format, digest)) if format == d.tally_format => Some(digest),
                _ => tally_digest_of_format(&self.meeting.tally(), d.tally_format),
            };
            let Some(expected) = expected else {
                return self.fail(
                    CHECK_TALLY,
                    index,
                    format!(
                        "entry {index}: the declaration certifies a tally of format {}, which \
                         this verifier does not know",
                        d.tally_format
                    ),
                );
            };
            self.last_digest = Some((d.tally_format, expected));
            if d.tally_sha256 != expected {
                return self.fail(
                    CHECK_TALLY,
                    index,
                    format!(
                        "entry {index}: the declared tally digest {} is not the digest {} of the \
                         tally recomputed at that point",
                        hex::encode(d.tally_sha256),
                        hex::encode(expected)
                    ),
                );
            }
            self.declarations += 1;
        }
        if index > 0 {
            self.authors += 1;
        }
        if event.declaration().is_none() {
            self.last_digest = None;
        }
        self.meeting.commit(planned);
        self.entries += 1;
        Ok(())
    }
}
