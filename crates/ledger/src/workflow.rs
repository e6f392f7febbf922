//! The registrar's workflow on a [`Ledger`]: create a meeting's ledger whole from its meeting
//! file, import a CSV file as one all-or-nothing batch (a refusal names its row and cell),
//! close the polls and declare the result (idempotently).

use std::ops::Range;
use std::path::Path;

use scrutin_interchange::{CsvImport, CsvKind, MeetingPlan, Origin, PartKey};
use scrutin_log::{Log, LogError, Signer};
use scrutin_model::{encode_event, Event, HolderId, ResolutionId, Role, UtcMillis, Voter};
use scrutin_tally::{Meeting, Subject, VoteColumn};

use crate::atomic::{parent_of, sync_dir, temporary_beside};
use crate::ledger::{author_of, check_one, encode};
use crate::{origin_for, Ledger, LedgerError};

/// Events per chunk of a streamed import: what is encoded, signed and written at once.
pub(crate) const IMPORT_CHUNK: usize = 8192;

/// What an import recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Records read from the file (events built from its rows).
    pub records: usize,
    /// The entries appended, the poll opening and register closing included.
    pub entries: Range<u64>,
    /// The entry that opened every poll not yet open (a ballots file with rows does).
    pub poll_opened: Option<u64>,
    /// The entry that closed the register (a register file does, unless kept open).
    pub register_closed: Option<u64>,
    /// What was recorded but deserves the registrar's attention at once, in file order.
    pub warnings: Vec<ImportWarning>,
}

/// Something an import recorded, as the rules require, that the registrar should see at once
/// rather than only in the tally.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportWarning {
    /// A ballot whose shares belong to a holder required to abstain on its resolution: it is
    /// recorded (it was tendered) and disregarded by the count (docs/RULES.md, "must
    /// abstain").
    MustAbstainBallot {
        /// The ballot's line in the file.
        line: u64,
        /// Who cast it (the holder, or a proxy of the holder).
        voter: Voter,
        /// The holder required to abstain.
        holder: HolderId,
        /// The resolution.
        resolution: ResolutionId,
        /// The restriction's reason, as recorded (unescaped: escape it to print it).
        reason: String,
    },
}

impl ImportWarning {
    /// The rule behind the warning, as docs/RULES.md names it (`must-abstain`).
    pub fn rule(&self) -> &'static str {
        match self {
            ImportWarning::MustAbstainBallot { .. } => "must-abstain",
        }
    }
}

impl std::fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportWarning::MustAbstainBallot {
                line,
                voter,
                holder,
                resolution,
                reason,
            } => {
                let by = match voter {
                    Voter::Holder(_) => String::new(),
                    Voter::Proxy(p) => format!(" (cast by proxy {p})"),
                };
                write!(
                    f,
                    "line {line}: {}: the ballot of holder {holder}{by} on resolution \
                     {resolution} is recorded but not counted: the holder is required to abstain \
                     on it",
                    self.rule()
                )?;
                if reason.is_empty() {
                    Ok(())
                } else {
                    write!(f, " ({reason})")
                }
            }
        }
    }
}

/// How an import treats the steps around the file's own events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Leave the register open after a register file (more register files follow).
    pub keep_register_open: bool,
}

/// What `close` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseOutcome {
    /// The result was already declared at this entry: the log is sealed, nothing recorded.
    AlreadyDeclared {
        /// The declaration's entry.
        at: u64,
    },
    /// Polls were closed (or already were) and this is where the meeting stands.
    Closed {
        /// The `PollClosed` entry, or `None` if every poll was already closed.
        poll_closed: Option<u64>,
        /// What followed.
        then: AfterClose,
    },
}

/// What follows the closing of polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterClose {
    /// Other polls are still open: the result is declared when the last one closes.
    OthersOpen,
    /// Every poll is closed, but the signer does not hold the scrutineer authority: the
    /// result is still to be declared (by the scrutineer's `close`).
    NotScrutineer,
    /// The result was declared at this entry.
    Declared {
        /// The declaration's entry.
        at: u64,
    },
}

fn now() -> UtcMillis {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    UtcMillis(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// Refuses a `dir` that cannot become a new ledger: a file, a ledger already, or a directory
/// holding other things (the ledger's files would be scattered among them).
fn check_new_dir(dir: &Path) -> Result<(), LedgerError> {
    if dir.is_file() {
        return Err(LedgerError::Usage(format!(
            "{}: is a file; give the directory to create the ledger in",
            dir.display()
        )));
    }
    if !dir.is_dir() {
        return Ok(());
    }
    let mut entries =
        std::fs::read_dir(dir).map_err(|e| LedgerError::Io(format!("{}: {e}", dir.display())))?;
    if entries.next().is_none() {
        return Ok(());
    }
    match Log::open(dir) {
        Err(LogError::NotFound(_)) => Err(LedgerError::Usage(format!(
            "{}: the directory is not empty and holds no ledger; give a new or empty directory",
            dir.display()
        ))),
        _ => Err(LogError::AlreadyExists(dir.display().to_string()).into()),
    }
}

fn part_of(event: &Event) -> String {
    match event {
        Event::MeetingConvened(_) => "meeting".to_owned(),
        Event::ResolutionProposed(r) => format!("resolution {}", r.id),
        Event::ResolutionTerms { resolution, .. } => format!("resolution {resolution}"),
        Event::SittingConvened(s) => format!("sitting {}", s.id),
        _ => "authorities".to_owned(),
    }
}

impl Ledger {
    /// Creates the ledger of the meeting `plan` describes in `dir`, signed by `registrar`:
    /// the genesis, the authorities and the resolutions in one durable batch.
    ///
    /// All or nothing: the ledger is built in a temporary directory beside `dir` and renamed
    /// into place only once complete and durable, so a refused meeting (or a crash) leaves no
    /// `dir` and no half ledger behind. `dir` must not exist or be an empty directory.
    ///
    /// # Errors
    /// [`LedgerError::Usage`] if `dir` is a file or a directory holding other things;
    /// [`scrutin_log::LogError::AlreadyExists`] if it holds a ledger;
    /// [`LedgerError::RegistrarMismatch`] if `registrar` is not the plan's registrar;
    /// [`LedgerError::MeetingRefused`] naming the part the rules refuse; log and I/O errors.
    pub fn create_meeting(
        dir: &Path,
        plan: &MeetingPlan,
        registrar: &Signer,
    ) -> Result<Ledger, LedgerError> {
        let author = author_of(registrar);
        if author != plan.convened.registrar {
            return Err(LedgerError::RegistrarMismatch {
                registrar: plan.convened.registrar.to_string(),
                signer: author.to_string(),
            });
        }
        check_new_dir(dir)?;
        let mut events = vec![Event::MeetingConvened(plan.convened.clone())];
        events.extend(plan.events_after_genesis());
        let tmp = temporary_beside(dir, "creating");
        let built = (|| {
            let log = Log::create(&tmp, &origin_for(&plan.convened.id))?;
            let at = log.next_time();
            let mut meeting = Meeting::new();
            let mut payloads = Vec::with_capacity(events.len());
            for event in &events {
                meeting
                    .submit(event, &author, UtcMillis(at))
                    .map_err(|violation| LedgerError::MeetingRefused {
                        part: part_of(event),
                        violation: Box::new(violation),
                    })?;
                payloads
                    .push(encode_event(event).map_err(|e| LedgerError::Malformed(e.to_string()))?);
            }
            log.append_batch_at(registrar, payloads, at)?;
            Ok::<_, LedgerError>(())
        })();
        if let Err(e) = built {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        // `rename` replaces an empty directory; the parent's fsync makes the name durable.
        if let Err(e) = std::fs::rename(&tmp, dir) {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(LedgerError::Io(format!("{}: {e}", dir.display())));
        }
        sync_dir(&parent_of(dir))?;
        Ledger::open(dir)
    }

    /// The lodging time a proxy form that states none is taken to state when it is imported
    /// at `now`: now, or the proxy deadline if that has passed. Recording a form before the
    /// polls open is the registrar's attestation that it was received in time; a form
    /// recorded once a poll has opened is late whatever it states (docs/RULES.md,
    /// "late-proxy").
    pub fn default_lodged_at(&self, now: UtcMillis) -> UtcMillis {
        self.with_meeting(|m| m.convened().map_or(now, |c| now.min(c.proxy_deadline)))
    }

    /// Records a parsed CSV file as ONE all-or-nothing batch, signed by `signer`. A ballots
    /// file with rows first opens every poll not yet open (in the same batch, so a refused
    /// file opens nothing); a register file then closes the register unless
    /// `options.keep_register_open`.
    ///
    /// # Errors
    /// [`LedgerError::RowRefused`] naming the file's row and the cell of the part the rules
    /// refuse ([`scrutin_tally::RuleViolation::subject`]); [`LedgerError::PollNotOpened`];
    /// [`LedgerError::RegisterNotClosed`]; log errors. Nothing is recorded then.
    pub fn import(
        &self,
        signer: &Signer,
        kind: CsvKind,
        file: &str,
        parsed: CsvImport,
        options: ImportOptions,
    ) -> Result<Imported, LedgerError> {
        let records = parsed.events.len();
        let events = parsed.events;
        let origins = parsed.origins;
        let author = author_of(signer);
        // The events around the file's own go before and after them without moving the file's
        // (the largest allocation of an import) in memory.
        let mut before = None;
        // A ballots file with no rows (a header alone, an export of nothing) records nothing:
        // opening every poll is the chair's act, not a side effect of an empty file.
        if kind == CsvKind::Ballots && records > 0 {
            let open_all = Event::PollOpened { resolution: None };
            if self.with_meeting(|m| m.check(&open_all, &author, now()).is_ok()) {
                before = Some(open_all);
            }
        }
        let opened = before.is_some();
        let close_register = kind == CsvKind::Register && !options.keep_register_open;
        let after = close_register.then_some(Event::RegisterClosed);
        let prefix = usize::from(opened);
        let all = before.iter().chain(&events).chain(after.iter());
        let result = self.submit_chunked(signer, all);
        let violation = match result {
            Ok(entries) => {
                // From the events themselves once recorded: a list of every ballot's voter
                // and resolution made beforehand would be one more copy of the file.
                let warnings = self.with_meeting(|m| must_abstain_warnings(m, &events, &origins));
                return Ok(Imported {
                    records,
                    poll_opened: opened.then_some(entries.start),
                    register_closed: close_register.then(|| entries.end - 1),
                    entries,
                    warnings,
                });
            }
            Err(LedgerError::Rejected {
                position,
                violation,
            }) => (position, violation),
            Err(other) => return Err(other),
        };
        drop(events);
        let (position, violation) = violation;
        let file = file.to_owned();
        let violation = Box::new(violation);
        if position < prefix {
            return Err(LedgerError::PollNotOpened { file, violation });
        }
        let i = position - prefix;
        let Some(origin) = origins.get(i) else {
            return Err(LedgerError::RegisterNotClosed {
                file,
                line: origins.last().map_or(1, |o| o.line),
                violation,
            });
        };
        let (line, column) = locate(origin, &violation.subject());
        Err(LedgerError::RowRefused {
            file,
            line,
            column: u64::from(column),
            violation,
        })
    }

    /// As [`Ledger::submit_batch`] for a file's worth of events, with memory bounded by a
    /// chunk rather than the file: the payloads are encoded, signed and written
    /// [`IMPORT_CHUNK`] events at a time (signing the next chunk while the last is written),
    /// with the log's commit point written last, so the batch stays all-or-nothing.
    ///
    /// The rules check every event against a copy of the state (copy-on-write, cheap) on a
    /// thread of their own, beside the signing rather than before it: they run tens of times
    /// faster than signing, so a refused file is still refused within about the time the check
    /// takes, and no chunk is handed to the log before each of its events has passed (a
    /// refused event is never signed; what was written before the refusal is discarded).
    fn submit_chunked<'e, I>(&self, signer: &Signer, events: I) -> Result<Range<u64>, LedgerError>
    where
        I: Iterator<Item = &'e Event> + Clone + Send,
    {
        let _writer = self.lock_writer();
        let author = author_of(signer);
        // The time the entries carry: the rules check proxy forms against it, and the log
        // records it (never earlier) while this writer alone appends.
        let at = self.log.next_time();
        let recorded = UtcMillis(at);
        let start = self.read_state().clone();
        let progress = CheckProgress::default();
        let (range, checked) = std::thread::scope(|s| {
            let (to_check, progress, author) = (events.clone(), &progress, &author);
            let checker = s.spawn(move || {
                // However the check ends (even by a panic), the chunk source stops waiting.
                let _stops = StopOnDrop(progress);
                let mut next = start;
                for (position, event) in to_check.enumerate() {
                    if position % CHECK_NOTIFY == 0 && progress.stopped() {
                        return None;
                    }
                    match check_one(&next, event, author, recorded, position) {
                        Ok(planned) => next.commit(planned),
                        Err(e) => {
                            progress.refuse(e);
                            return None;
                        }
                    }
                    if (position + 1) % CHECK_NOTIFY == 0 {
                        progress.passed(position + 1);
                    }
                }
                progress.finish();
                Some(next)
            });
            let mut events = events.peekable();
            let mut taken = 0usize;
            let chunks = std::iter::from_fn(|| {
                events.peek()?;
                let chunk: Vec<&Event> = events.by_ref().take(IMPORT_CHUNK).collect();
                taken += chunk.len();
                if let Err(e) = progress.wait_for(taken) {
                    return Some(Err(e));
                }
                Some(chunk.into_iter().map(encode).collect::<Result<Vec<_>, _>>())
            });
            let range = self.log.append_chunks_at(signer, chunks, at);
            // A failed append stops the check; a refused check has already failed it.
            progress.stop();
            let checked = checker.join().unwrap_or(None);
            (range, checked)
        });
        let range = range?;
        let next = checked.ok_or_else(|| {
            LedgerError::Io("the rules check stopped before the end of the file".into())
        })?;
        // The receipt index is not written here: a million holders' keys held sled at
        // gigabytes during the import; the first receipt builds it in bounded chunks.
        *self.state.write().unwrap_or_else(|p| p.into_inner()) = next;
        Ok(range)
    }

    /// Closes the poll on `resolution` (every open poll if `None`); when no poll stays open
    /// and `signer` holds the scrutineer authority, declares the result.
    ///
    /// Idempotent: once the result is declared the log is sealed and `close` records nothing
    /// ([`CloseOutcome::AlreadyDeclared`]); when every poll is already closed (an earlier
    /// `close` by a key that could not declare) it goes on to the declaration.
    ///
    /// # Errors
    /// [`LedgerError::Rejected`] if the poll cannot be closed (the rule is inside);
    /// [`LedgerError::NotDeclared`] if the polls closed but the declaration was refused; log
    /// errors.
    pub fn close(
        &self,
        signer: &Signer,
        resolution: Option<ResolutionId>,
    ) -> Result<CloseOutcome, LedgerError> {
        if let Some(at) = self.with_meeting(Meeting::declared_at) {
            return Ok(CloseOutcome::AlreadyDeclared { at });
        }
        let whole = resolution.is_none();
        let poll_closed = match self.submit(signer, Event::PollClosed { resolution }) {
            Ok(at) => Some(at),
            Err(LedgerError::Rejected { .. })
                if whole && self.with_meeting(Meeting::all_polls_closed) =>
            {
                None
            }
            Err(e) => return Err(e),
        };
        let then = if !self.with_meeting(Meeting::all_polls_closed) {
            AfterClose::OthersOpen
        } else if !self.with_meeting(|m| m.roles(&author_of(signer)).contains(&Role::Scrutineer)) {
            AfterClose::NotScrutineer
        } else {
            match self.declare_result(signer) {
                Ok(at) => AfterClose::Declared { at },
                Err(LedgerError::Rejected { violation, .. }) => {
                    return Err(LedgerError::NotDeclared {
                        violation: Box::new(violation),
                    })
                }
                Err(e) => return Err(e),
            }
        };
        Ok(CloseOutcome::Closed { poll_closed, then })
    }
}

/// The checker tells the chunk source how far it got every this many events.
const CHECK_NOTIFY: usize = 1024;

/// Stops the check's progress when dropped: a chunk source waiting on it then gives up.
struct StopOnDrop<'a>(&'a CheckProgress);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// How far the rules check of an import got, shared between the checking thread and the chunk
/// source that waits for it.
#[derive(Default)]
struct CheckProgress {
    state: std::sync::Mutex<Checked>,
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct Checked {
    /// Events known to pass, from the first.
    passed: usize,
    /// Every event passed.
    finished: bool,
    /// The refusal, until the chunk source takes it.
    refused: Option<LedgerError>,
    /// Set once the check was refused or told to stop.
    stopped: bool,
}

impl CheckProgress {
    fn lock(&self) -> std::sync::MutexGuard<'_, Checked> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn passed(&self, n: usize) {
        self.lock().passed = n;
        self.changed.notify_all();
    }

    fn finish(&self) {
        self.lock().finished = true;
        self.changed.notify_all();
    }

    fn refuse(&self, e: LedgerError) {
        let mut st = self.lock();
        st.refused = Some(e);
        st.stopped = true;
        drop(st);
        self.changed.notify_all();
    }

    fn stop(&self) {
        self.lock().stopped = true;
        self.changed.notify_all();
    }

    fn stopped(&self) -> bool {
        self.lock().stopped
    }

    /// Waits until the first `n` events passed; the refusal if the check refused one.
    fn wait_for(&self, n: usize) -> Result<(), LedgerError> {
        let mut st = self.lock();
        loop {
            if let Some(e) = st.refused.take() {
                return Err(e);
            }
            if st.finished || st.passed >= n {
                return Ok(());
            }
            if st.stopped {
                return Err(LedgerError::Io(
                    "the rules check stopped before the end of the file".into(),
                ));
            }
            st = self.changed.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// A warning for each recorded ballot (of `events`, from the file lines `origins`) whose
/// shares are required to abstain.
fn must_abstain_warnings(m: &Meeting, events: &[Event], origins: &[Origin]) -> Vec<ImportWarning> {
    events
        .iter()
        .zip(origins)
        .filter_map(|(e, o)| match e {
            Event::VoteCast(b) => {
                let (holder, reason) = m.must_abstain_holder(&b.voter, &b.resolution)?;
                Some(ImportWarning::MustAbstainBallot {
                    line: o.line,
                    voter: b.voter.clone(),
                    holder: holder.clone(),
                    resolution: b.resolution.clone(),
                    reason: reason.to_owned(),
                })
            }
            _ => None,
        })
        .collect()
}

/// The line and cell of a refused event's `subject`, from the event's origin: the row of the
/// part concerned (a proxy's instruction, a cumulative ballot's allocation) and its column,
/// or the row's first line and its `who` column when the file has no column for it.
fn locate(origin: &Origin, subject: &Subject) -> (u64, u32) {
    let c = &origin.columns;
    let cumulative = origin
        .parts
        .iter()
        .any(|p| matches!(p.key, PartKey::Allocation(_)));
    let line_of = |key: &PartKey| {
        origin
            .parts
            .iter()
            .find(|p| &p.key == key)
            .map_or(origin.line, |p| p.line)
    };
    let split_cell = |v: VoteColumn| match v {
        VoteColumn::For => c.for_,
        VoteColumn::Against => c.against,
        VoteColumn::Abstain => c.abstain,
        VoteColumn::Votes => c.votes,
    };
    let (line, column) = match subject {
        Subject::Holder(_) => (origin.line, c.holder),
        Subject::Resolution(r) => (line_of(&PartKey::Instruction(r.clone())), c.resolution),
        Subject::Class(_) => (origin.line, c.class),
        Subject::Shares => (origin.line, c.shares),
        Subject::LodgedAt => (origin.line, c.lodged_at),
        Subject::Sitting(_) => (origin.line, c.sitting),
        Subject::AttendedAt => (origin.line, c.attended_at),
        Subject::Instruction(r) => (
            line_of(&PartKey::Instruction(r.clone())),
            if c.instruction == 0 {
                c.resolution
            } else {
                c.instruction
            },
        ),
        Subject::Candidate(id) => (line_of(&PartKey::Allocation(id.clone())), c.candidate),
        Subject::Tendered if cumulative => (origin.line, c.votes),
        Subject::Tendered => (
            origin.line,
            // The first cell of the split, as the file lays it out.
            [c.for_, c.against, c.abstain]
                .into_iter()
                .filter(|&x| x != 0)
                .min()
                .unwrap_or(0),
        ),
        Subject::VoteColumn(_) if cumulative => (origin.line, c.votes),
        Subject::VoteColumn(v) => (origin.line, split_cell(*v)),
        // The event as a whole, its author, who attends or votes, the proxy.
        _ => (origin.line, c.who),
    };
    (line, if column == 0 { c.who.max(1) } else { column })
}
