//! The registrar's workflow on a [`Ledger`]: create a meeting's ledger whole from its meeting
//! file, import a CSV file as one all-or-nothing batch (a refusal names its row and cell),
//! close the polls and declare the result (idempotently).

use std::ops::Range;
use std::path::Path;

use std::sync::mpsc::{Receiver, SyncSender};

use scrutin_interchange::{
    CsvChunk, CsvImport, CsvKind, ImportError, MeetingPlan, Origin, PartKey,
};
use scrutin_log::{Log, LogError, Signer};
use scrutin_model::{
    encode_event, AuthorKey, Event, HolderId, ResolutionId, Role, UtcMillis, Voter,
};
use scrutin_tally::{Meeting, Subject, VoteColumn};

use crate::atomic::{parent_of, sync_dir, temporary_beside};
use crate::ledger::{author_of, check_one, encode};
use crate::{origin_for, Ledger, LedgerError};

/// Events per chunk of a streamed import: what is read, checked, encoded, signed and written
/// at once (give it to [`scrutin_interchange::CsvStream::new`]).
pub const IMPORT_CHUNK: usize = 8192;

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

    /// Records a parsed CSV file as ONE all-or-nothing batch, signed by `signer`: as
    /// [`Ledger::import_stream`] of its events (a file too large to hold should be streamed
    /// from a [`scrutin_interchange::CsvStream`] instead).
    ///
    /// # Errors
    /// As [`Ledger::import_stream`]; [`LedgerError::Usage`] if `parsed` has not one origin per
    /// event.
    pub fn import(
        &self,
        signer: &Signer,
        kind: CsvKind,
        file: &str,
        parsed: CsvImport,
        options: ImportOptions,
    ) -> Result<Imported, LedgerError> {
        let mut events = parsed.events.into_iter();
        let mut origins = parsed.origins.into_iter();
        let chunks = std::iter::from_fn(move || {
            let chunk = CsvChunk {
                events: events.by_ref().take(IMPORT_CHUNK).collect(),
                origins: origins.by_ref().take(IMPORT_CHUNK).collect(),
            };
            (!chunk.events.is_empty() || !chunk.origins.is_empty()).then_some(Ok(chunk))
        });
        self.import_stream(signer, kind, file, chunks, options)
    }

    /// Records a CSV file read as a stream of chunks (a [`scrutin_interchange::CsvStream`])
    /// as ONE all-or-nothing batch, signed by `signer`, with memory bounded by a few chunks
    /// rather than the file. A ballots file with rows first opens every poll not yet open (in
    /// the same batch, so a refused file opens nothing); a register file then closes the
    /// register unless `options.keep_register_open`.
    ///
    /// Each chunk is read and its events checked against the rules on a thread of its own,
    /// beside the signing of the chunk before and the writing of the one before that; no
    /// event is handed to the log before it has passed, and the log's commit point is written
    /// last, so a refusal in any chunk (or a row that cannot be read) records nothing. The
    /// origins of the chunk being checked are the only ones kept: they name a refused row.
    ///
    /// # Errors
    /// [`LedgerError::RowRefused`] naming the file's row and the cell of the part the rules
    /// refuse ([`scrutin_tally::RuleViolation::subject`]); [`LedgerError::Csv`] for a row that
    /// cannot be read; [`LedgerError::PollNotOpened`]; [`LedgerError::RegisterNotClosed`];
    /// [`LedgerError::Usage`] for a chunk without one origin per event; log errors. Nothing
    /// is recorded then.
    pub fn import_stream<S>(
        &self,
        signer: &Signer,
        kind: CsvKind,
        file: &str,
        chunks: S,
        options: ImportOptions,
    ) -> Result<Imported, LedgerError>
    where
        S: Iterator<Item = Result<CsvChunk, ImportError>> + Send,
    {
        self.import_via(signer, kind, file, chunks, options, |feed, at| {
            self.log.append_chunks_at(signer, feed, at)
        })
    }

    /// [`Ledger::import_stream`], the checked chunks handed to `append` (the log's pipeline;
    /// a test observes it).
    fn import_via<S, A>(
        &self,
        signer: &Signer,
        kind: CsvKind,
        file: &str,
        chunks: S,
        options: ImportOptions,
        append: A,
    ) -> Result<Imported, LedgerError>
    where
        S: Iterator<Item = Result<CsvChunk, ImportError>> + Send,
        A: FnOnce(Feed, u64) -> Result<Range<u64>, LedgerError>,
    {
        let _writer = self.lock_writer();
        let author = author_of(signer);
        // The time the entries carry: the rules check proxy forms against it, and the log
        // records it (never earlier) while this writer alone appends.
        let at = self.log.next_time();
        let run = Run {
            kind,
            file,
            author: &author,
            recorded: UtcMillis(at),
            close_register: kind == CsvKind::Register && !options.keep_register_open,
        };
        let start = self.read_state().clone();
        let (range, checked) = std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            let run = &run;
            let checker = s.spawn(move || run.check(start, chunks, &tx));
            // When `append` stops early (a write failed), the feed is dropped with it and
            // the checker's next send fails: it stops too.
            let range = append(Feed { rx }, at);
            (range, checker.join().unwrap_or(None))
        });
        let range = range?;
        let done = checked.ok_or_else(|| {
            LedgerError::Io("the rules check stopped before the end of the file".into())
        })?;
        // The receipt index is not written here: a million holders' keys held sled at
        // gigabytes during the import; the first receipt builds it in bounded chunks.
        *self.state.write().unwrap_or_else(|p| p.into_inner()) = done.state;
        Ok(Imported {
            records: done.records,
            poll_opened: done.opened.then_some(range.start),
            register_closed: run.close_register.then(|| range.end - 1),
            entries: range,
            warnings: done.warnings,
        })
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

/// One import's settings, shared by the checking thread.
struct Run<'a> {
    kind: CsvKind,
    file: &'a str,
    author: &'a AuthorKey,
    recorded: UtcMillis,
    close_register: bool,
}

/// What the checking thread ends with when every event passed.
struct CheckedImport {
    /// The meeting's state after the file.
    state: Meeting,
    /// The file's events.
    records: usize,
    /// Whether the batch opens every poll first.
    opened: bool,
    warnings: Vec<ImportWarning>,
}

/// The checked events of an import, chunk by chunk, encoded for the log as it pulls them.
pub(crate) struct Feed {
    rx: Receiver<Result<Vec<Event>, LedgerError>>,
}

impl Iterator for Feed {
    type Item = Result<Vec<Vec<u8>>, LedgerError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(match self.rx.recv().ok()? {
            Ok(events) => events.iter().map(encode).collect(),
            Err(e) => Err(e),
        })
    }
}

impl Run<'_> {
    /// Reads `chunks`, checks each event against the rules on `state` and sends the chunks
    /// that passed to `tx`, the poll opening first and the register's closing last. A row
    /// that cannot be read, or is refused, is sent as the error (the log then stops and
    /// records nothing) and ends the check with `None`; so does a log that stopped pulling.
    fn check<S>(
        &self,
        mut state: Meeting,
        chunks: S,
        tx: &SyncSender<Result<Vec<Event>, LedgerError>>,
    ) -> Option<CheckedImport>
    where
        S: Iterator<Item = Result<CsvChunk, ImportError>>,
    {
        let refuse = |e: LedgerError| {
            let _ = tx.send(Err(e));
            None
        };
        let mut done = CheckedImport {
            state: Meeting::new(),
            records: 0,
            opened: false,
            warnings: Vec::new(),
        };
        let mut position = 0usize;
        let mut last_line = 1;
        let mut first = true;
        for chunk in chunks {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => return refuse(LedgerError::Csv(Box::new(e))),
            };
            if chunk.events.len() != chunk.origins.len() {
                return refuse(LedgerError::Usage(format!(
                    "{}: a chunk of {} events has {} origins",
                    self.file,
                    chunk.events.len(),
                    chunk.origins.len()
                )));
            }
            let mut events = Vec::with_capacity(chunk.events.len() + 1);
            // A ballots file with no rows (a header alone, an export of nothing) records
            // nothing: opening every poll is the chair's act, not a side effect of an empty
            // file.
            if std::mem::take(&mut first)
                && self.kind == CsvKind::Ballots
                && !chunk.events.is_empty()
            {
                let open_all = Event::PollOpened { resolution: None };
                if state.check(&open_all, self.author, now()).is_ok() {
                    match check_one(&state, &open_all, self.author, self.recorded, position) {
                        Ok(planned) => state.commit(planned),
                        Err(LedgerError::Rejected { violation, .. }) => {
                            return refuse(LedgerError::PollNotOpened {
                                file: self.file.to_owned(),
                                violation: Box::new(violation),
                            })
                        }
                        Err(e) => return refuse(e),
                    }
                    events.push(open_all);
                    done.opened = true;
                    position += 1;
                }
            }
            for (event, origin) in chunk.events.into_iter().zip(&chunk.origins) {
                match check_one(&state, &event, self.author, self.recorded, position) {
                    Ok(planned) => state.commit(planned),
                    Err(LedgerError::Rejected { violation, .. }) => {
                        let (line, column) = locate(origin, &violation.subject());
                        return refuse(LedgerError::RowRefused {
                            file: self.file.to_owned(),
                            line,
                            column: u64::from(column),
                            violation: Box::new(violation),
                        });
                    }
                    Err(e) => return refuse(e),
                }
                if let Some(w) = must_abstain_warning(&state, &event, origin) {
                    done.warnings.push(w);
                }
                last_line = origin.line;
                position += 1;
                done.records += 1;
                events.push(event);
            }
            if tx.send(Ok(events)).is_err() {
                return None;
            }
        }
        if self.close_register {
            let close = Event::RegisterClosed;
            match check_one(&state, &close, self.author, self.recorded, position) {
                Ok(planned) => state.commit(planned),
                Err(LedgerError::Rejected { violation, .. }) => {
                    return refuse(LedgerError::RegisterNotClosed {
                        file: self.file.to_owned(),
                        line: last_line,
                        violation: Box::new(violation),
                    })
                }
                Err(e) => return refuse(e),
            }
            tx.send(Ok(vec![close])).ok()?;
        }
        done.state = state;
        Some(done)
    }
}

/// The warning for a recorded ballot (`event`, from the file line of `origin`) whose shares
/// are required to abstain, on the state it was recorded in.
fn must_abstain_warning(m: &Meeting, event: &Event, origin: &Origin) -> Option<ImportWarning> {
    let Event::VoteCast(b) = event else {
        return None;
    };
    let (holder, reason) = m.must_abstain_holder(&b.voter, &b.resolution)?;
    Some(ImportWarning::MustAbstainBallot {
        line: origin.line,
        voter: b.voter.clone(),
        holder: holder.clone(),
        resolution: b.resolution.clone(),
        reason: reason.to_owned(),
    })
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use scrutin_interchange::{parse_meeting, CsvChunk, Origin};
    use scrutin_log::Signer;
    use scrutin_model::{ClassId, Event, HolderId, Shares};

    use super::{ImportOptions, Ledger};
    use crate::demo::SYNTHETIC_MEETING;
    use crate::keys::{author_from_vkey, author_of};
    use crate::LedgerError;

    /// A chunk of `n` register rows, holders `S{first}..`.
    fn register_chunk(first: usize, n: usize) -> CsvChunk {
        let mut chunk = CsvChunk::default();
        for i in first..first + n {
            chunk.events.push(Event::ShareRegistered {
                holder: HolderId::new(format!("S{i:08}")).expect("id"),
                name: String::new(),
                class: ClassId::new("A").expect("class"),
                shares: Shares(100),
            });
            chunk.origins.push(Origin {
                line: i as u64 + 2,
                who: 1,
                ..Origin::default()
            });
        }
        chunk
    }

    /// A ledger of the synthetic meeting in a temporary directory, and its registrar.
    fn synthetic_ledger() -> (tempfile::TempDir, Signer, Ledger) {
        let tmp = tempfile::tempdir().expect("tmp");
        let signer = Signer::from_seed("registrar.example", [3; 32]).expect("signer");
        let plan = parse_meeting(
            "meeting.toml",
            SYNTHETIC_MEETING,
            author_of(&signer),
            &author_from_vkey,
        )
        .expect("parses");
        let ledger = Ledger::create_meeting(&tmp.path().join("db"), &plan, &signer).expect("db");
        (tmp, signer, ledger)
    }

    #[test]
    fn an_import_reads_the_file_no_more_than_three_chunks_ahead_of_the_log() {
        // Memory is bounded by a chunk, not the file: when the source is asked for a chunk,
        // every chunk but the last two it gave has already been taken by the log's pipeline
        // (which in turn holds only a few jobs: `pipeline` tests that bound). Ahead of the
        // pipeline: the chunk being read, the one in the channel, and the one the feed has
        // just received (counted as taken only once it is handed on).
        const CHUNK: usize = 64;
        const CHUNKS: usize = 40;
        let (_tmp, signer, ledger) = synthetic_ledger();
        let before = ledger.len();
        let produced = AtomicUsize::new(0);
        let taken = AtomicUsize::new(0);
        let worst = AtomicUsize::new(0);
        let source = (0..CHUNKS).map(|c| {
            let ahead = (c + 1) * CHUNK - taken.load(Ordering::SeqCst);
            worst.fetch_max(ahead, Ordering::SeqCst);
            produced.fetch_add(CHUNK, Ordering::SeqCst);
            Ok(register_chunk(c * CHUNK, CHUNK))
        });
        let done = ledger
            .import_via(
                &signer,
                scrutin_interchange::CsvKind::Register,
                "register.csv",
                source,
                ImportOptions::default(),
                |feed, at| {
                    let counted = feed.inspect(|c| {
                        if let Ok(c) = c {
                            taken.fetch_add(c.len(), Ordering::SeqCst);
                        }
                    });
                    ledger.log.append_chunks_at(&signer, counted, at)
                },
            )
            .expect("imports");
        assert_eq!(done.records, CHUNK * CHUNKS);
        assert_eq!(ledger.len(), before + (CHUNK * CHUNKS) as u64 + 1);
        let worst = worst.load(Ordering::SeqCst);
        assert!(
            worst <= 3 * CHUNK,
            "{worst} events read ahead of the log (chunks of {CHUNK})"
        );
    }

    #[test]
    fn a_chunk_without_an_origin_per_event_is_refused_not_truncated() {
        let (_tmp, signer, ledger) = synthetic_ledger();
        let before = ledger.len();
        let mut chunk = register_chunk(0, 3);
        chunk.origins.pop();
        let r = ledger.import_stream(
            &signer,
            scrutin_interchange::CsvKind::Register,
            "register.csv",
            std::iter::once(Ok(chunk)),
            ImportOptions::default(),
        );
        assert!(matches!(r, Err(LedgerError::Usage(_))), "{r:?}");
        assert_eq!(ledger.len(), before);
    }
}
