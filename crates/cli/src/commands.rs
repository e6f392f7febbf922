//! The registrar's commands over a ledger directory: init, import, close, tally, announce,
//! checkpoint, export, receipt. Each parses its inputs, calls the `scrutin` library once,
//! and presents the outcome.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use scrutin::{Ledger, LedgerError};
use scrutin_log::Signer;
use scrutin_model::{AuthorKey, Event, HolderId, ResolutionId, Role, UtcMillis};
use scrutin_tally::Meeting;

use crate::csv_in::{self, CsvKind};
use crate::error::{io_err, CliError};
use crate::escape::{self, field};
use crate::{keys, meeting_file, progress, table};
use scrutin_interchange::Origin;

/// Maps a library error to the binary's exit-code classes.
pub(crate) fn ledger_err(e: LedgerError) -> CliError {
    match e {
        LedgerError::Rejected { .. }
        | LedgerError::WrongDeclaration { .. }
        | LedgerError::RegistrarMismatch { .. }
        | LedgerError::StaleCheckpoint { .. }
        | LedgerError::DeclarationNotCheckpointed { .. }
        | LedgerError::NoCheckpoint => CliError::Refused(e.to_string()),
        LedgerError::NotFound(_) | LedgerError::Usage(_) => CliError::Usage(e.to_string()),
        other => CliError::Io(other.to_string()),
    }
}

pub(crate) fn author_of(s: &Signer) -> AuthorKey {
    AuthorKey(*s.public_key().as_bytes())
}

/// Now, as the proxies' default lodging time.
fn now() -> UtcMillis {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    UtcMillis(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// Opens a ledger, with a progress bar for the replay of a large one.
pub(crate) fn open(db: &Path, quiet: bool) -> Result<Ledger, CliError> {
    if !db.exists() {
        return Err(CliError::Usage(format!(
            "{}: no ledger here (run `scrutin init` first)",
            db.display()
        )));
    }
    let pb = progress::bar(0, "opening ledger", quiet);
    let r = Ledger::open_with_progress(db, &mut |done, total| {
        pb.set_length(total);
        pb.set_position(done);
    });
    pb.finish_and_clear();
    r.map_err(ledger_err)
}

/// `scrutin init`: genesis, grants and resolutions, all checked before the directory is made.
pub(crate) fn init(db: &Path, meeting: &Path, key: &Path) -> Result<ExitCode, CliError> {
    let signer = keys::read_signer(key)?;
    let plan = meeting_file::load(meeting, author_of(&signer))?;
    let author = author_of(&signer);
    // Dry-run every event on a scratch state so a bad meeting file leaves no directory behind.
    let mut scratch = Meeting::new();
    let genesis = Event::MeetingConvened(plan.convened.clone());
    let now = now();
    scratch
        .submit(&genesis, &author, now)
        .map_err(|v| CliError::Refused(format!("{}: meeting: {v}", meeting.display())))?;
    let rest = plan.events_after_genesis();
    for ev in &rest {
        scratch.submit(ev, &author, now).map_err(|v| {
            let what = match ev {
                Event::ResolutionProposed(r) => format!("resolution {}", r.id),
                _ => "authorities".to_owned(),
            };
            CliError::Refused(format!("{}: {what}: {v}", meeting.display()))
        })?;
    }
    check_new_db_dir(db)?;
    let ledger = Ledger::create(db, plan.convened.clone(), &signer).map_err(ledger_err)?;
    let n = rest.len();
    ledger.submit_batch(&signer, rest).map_err(ledger_err)?;
    println!(
        "created ledger {} in {}: genesis + {n} events ({} resolutions)",
        field(&ledger.origin()),
        db.display(),
        plan.resolutions.len()
    );
    println!("registrar key: {}", signer.verifier().to_vkey_string());
    if !plan.names_scrutineer() {
        println!("the registrar key also holds the scrutineer role (no scrutineer key in the meeting file)");
    }
    Ok(ExitCode::SUCCESS)
}

/// `init --db .` or a mistyped existing directory would scatter the ledger's files among the
/// user's own; a path naming a file failed with a bare "File exists". Refuse both up front. A
/// directory that already holds a ledger (sled's `conf`) goes on to `Ledger::create`, which
/// says so.
fn check_new_db_dir(db: &Path) -> Result<(), CliError> {
    if db.is_file() {
        return Err(CliError::Usage(format!(
            "{}: is a file; --db names the directory to create the ledger in",
            db.display()
        )));
    }
    if db.is_dir() && !db.join("conf").exists() {
        let mut entries = std::fs::read_dir(db).map_err(|e| io_err(db, e))?;
        if entries.next().is_some() {
            return Err(CliError::Usage(format!(
                "{}: the directory is not empty and holds no ledger; give a new or empty \
                 directory to --db",
                db.display()
            )));
        }
    }
    Ok(())
}

/// `FILE:LINE:COLUMN: <rule>: <message>` for a refused event of an imported file.
fn refusal(file: &str, origin: &Origin, violation: &scrutin_tally::RuleViolation) -> String {
    let rule = violation.rule();
    let msg = violation.to_string();
    let msg = if msg.starts_with(rule) {
        msg
    } else {
        format!("{rule}: {msg}")
    };
    format!(
        "{file}:{}:{}: {msg} (nothing from {file} was recorded)",
        origin.line,
        csv_in::column_for(origin, rule)
    )
}

/// `scrutin import`: the whole file as ONE all-or-nothing batch.
pub(crate) fn import(
    kind: CsvKind,
    file: &Path,
    db: &Path,
    key: &Path,
    keep_open: bool,
    quiet: bool,
) -> Result<ImportOutcome, CliError> {
    let signer = keys::read_signer(key)?;
    let ledger = open(db, quiet)?;
    import_into(&ledger, &signer, kind, file, keep_open, quiet)
}

/// What an import recorded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ImportOutcome {
    /// Events appended.
    pub(crate) events: u64,
}

/// `import` on an open ledger (the demo reuses it).
pub(crate) fn import_into(
    ledger: &Ledger,
    signer: &Signer,
    kind: CsvKind,
    file: &Path,
    keep_open: bool,
    quiet: bool,
) -> Result<ImportOutcome, CliError> {
    let label = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|e| io_err(file, e))?;
    let pb = progress::bytes_bar(bytes.len() as u64, "reading CSV", quiet);
    // A form without `lodged_at` is taken as lodged when it is recorded, or at the proxy
    // deadline if that has passed: recording it before the polls open is the registrar's
    // attestation that it was received in time (docs/RULES.md, "late-proxy").
    let deadline = ledger.with_meeting(|m| m.convened().map(|c| c.proxy_deadline));
    let lodged_default = deadline.map_or_else(now, |d| now().min(d));
    let parsed = scrutin_interchange::parse_csv_with_progress(
        kind.into(),
        &label,
        &bytes,
        lodged_default,
        &mut |b| {
            pb.set_position(b);
        },
    );
    pb.finish_and_clear();
    let parsed = parsed.map_err(|e| csv_in::import_err(&e))?;
    if !parsed.ignored_columns.is_empty() && !quiet {
        eprintln!(
            "scrutin: warning: {}: columns not read (ignored): {}",
            field(&label),
            field(&parsed.ignored_columns.join(", "))
        );
    }
    let rows = parsed.events.len();
    let mut events = parsed.events;
    let origins = parsed.origins;
    let author = author_of(signer);
    let mut opened = false;
    // A ballots file with no rows (a header alone, an export of nothing) records nothing:
    // opening every poll is the chair's act, not a side effect of an empty file.
    if kind == CsvKind::Ballots && rows > 0 {
        let open_all = Event::PollOpened { resolution: None };
        // Open every poll not yet opened, in the same batch, so a refused file opens nothing.
        if ledger.with_meeting(|m| m.check(&open_all, &author, now()).is_ok()) {
            events.insert(0, open_all);
            opened = true;
        }
    }
    let prefix = usize::from(opened);
    if kind == CsvKind::Register && !keep_open {
        events.push(Event::RegisterClosed);
    }
    let total = events.len();
    let spinner = progress::spinner(
        &format!("checking, signing and recording {total} events"),
        quiet,
    );
    let result = ledger.submit_batch(signer, events);
    spinner.finish_and_clear();
    match result {
        Ok(range) => {
            if !quiet {
                if opened {
                    println!(
                        "poll opened on every resolution not yet open (entry {})",
                        range.start
                    );
                }
                println!(
                    "imported {rows} {} from {label}: entries {}..{} ({} events)",
                    if rows == 1 { "record" } else { "records" },
                    range.start,
                    range.end,
                    range.end - range.start
                );
                if kind == CsvKind::Register && !keep_open {
                    println!("register closed (entry {})", range.end - 1);
                }
            }
            Ok(ImportOutcome {
                events: range.end - range.start,
            })
        }
        Err(LedgerError::Rejected {
            position,
            violation,
        }) => {
            if position < prefix {
                return Err(CliError::Refused(format!(
                    "{label}: could not open the poll: {violation} (nothing recorded)"
                )));
            }
            let i = position - prefix;
            let origin = origins
                .get(i)
                .or_else(|| origins.last())
                .copied()
                .unwrap_or_default();
            if i >= origins.len() {
                return Err(CliError::Refused(format!(
                    "{label}:{}:1: could not close the register: {violation} (nothing from {label} was recorded)",
                    origin.line
                )));
            }
            Err(CliError::Refused(refusal(&label, &origin, &violation)))
        }
        Err(e) => Err(ledger_err(e)),
    }
}

/// `scrutin close`.
pub(crate) fn close(db: &Path, key: &Path, resolution: Option<&str>) -> Result<ExitCode, CliError> {
    let signer = keys::read_signer(key)?;
    let ledger = open(db, false)?;
    close_on(&ledger, &signer, resolution, false)?;
    Ok(ExitCode::SUCCESS)
}

/// Closes polls; declares the result when none stays open. Returns the declaration's index.
pub(crate) fn close_on(
    ledger: &Ledger,
    signer: &Signer,
    resolution: Option<&str>,
    quiet: bool,
) -> Result<Option<u64>, CliError> {
    let resolution = resolution
        .map(|r| ResolutionId::new(r).map_err(|e| CliError::Usage(format!("--resolution: {e}"))))
        .transpose()?;
    let what = resolution
        .as_ref()
        .map_or("every open resolution".to_owned(), |r| {
            format!("resolution {r}")
        });
    let whole = resolution.is_none();
    // The declaration is final and seals the log: closing again records nothing.
    if let Some(at) = ledger.with_meeting(Meeting::declared_at) {
        if !quiet {
            println!("the result was already declared (entry {at}): nothing recorded");
        }
        return Ok(Some(at));
    }
    match ledger.submit(signer, Event::PollClosed { resolution }) {
        Ok(at) => {
            if !quiet {
                println!("poll closed on {what} (entry {at})");
            }
        }
        // Every poll already closed (e.g. an earlier `close` with a key that could not declare
        // the result): go on to the declaration.
        Err(LedgerError::Rejected { .. })
            if whole && ledger.with_meeting(Meeting::all_polls_closed) =>
        {
            if !quiet {
                println!("every poll is already closed");
            }
        }
        Err(LedgerError::Rejected { violation, .. }) => {
            return Err(CliError::Refused(format!(
                "cannot close the poll on {what}: {violation}"
            )))
        }
        Err(other) => return Err(ledger_err(other)),
    }
    if !ledger.with_meeting(Meeting::all_polls_closed) {
        if !quiet {
            println!("other polls are still open: the result is declared when the last one closes");
        }
        return Ok(None);
    }
    let author = AuthorKey(*signer.public_key().as_bytes());
    let scrutineer = ledger.with_meeting(|m| m.roles(&author).contains(&Role::Scrutineer));
    if !scrutineer {
        // A chair closes the poll; the count is the scrutineer's to declare. Closing worked,
        // so this is not a failure (exit 0), but say what is still to do.
        println!(
            "every poll is closed; the result is not declared yet: this key does not hold the \
             scrutineer role (run `scrutin close` again with the scrutineer's key to declare it)"
        );
        return Ok(None);
    }
    let idx = ledger.declare_result(signer).map_err(|e| match e {
        LedgerError::Rejected { violation, .. } => CliError::Refused(format!(
            "polls closed, but the result could not be declared with this key: {violation} \
             (run `scrutin close` again with the scrutineer's key)"
        )),
        other => ledger_err(other),
    })?;
    if !quiet {
        let t = ledger.tally();
        println!(
            "result declared (entry {idx}, tally SHA-256 {})",
            hex::encode(scrutin::tally_digest(&t))
        );
        print!("{}", table::render(&t));
    }
    Ok(Some(idx))
}

/// `scrutin tally`.
pub(crate) fn tally(db: &Path, json: bool) -> Result<ExitCode, CliError> {
    let ledger = open(db, json)?;
    let t = ledger.tally();
    if json {
        print!("{}", escape::json(&t.to_json()));
    } else {
        print!("{}", table::render(&t));
    }
    Ok(ExitCode::SUCCESS)
}

/// `scrutin status`.
pub(crate) fn status(db: &Path) -> Result<ExitCode, CliError> {
    let ledger = open(db, false)?;
    println!("origin {}", field(&ledger.origin()));
    println!("entries {}", ledger.len());
    match ledger.latest_checkpoint().map_err(ledger_err)? {
        Some(cp) => println!(
            "checkpoint size {} ({} cosignature(s)){}",
            cp.checkpoint.size,
            cp.cosigners().len(),
            if cp.checkpoint.size == ledger.len() {
                ""
            } else {
                ": stale, run `scrutin checkpoint` before exporting"
            }
        ),
        None => println!("checkpoint none"),
    }
    println!(
        "polls {}",
        if ledger.with_meeting(Meeting::all_polls_closed) {
            "all closed"
        } else {
            "not all closed"
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `scrutin announce`.
pub(crate) fn announce(db: &Path) -> Result<ExitCode, CliError> {
    let ledger = open(db, false)?;
    let text = ledger.announcement();
    let text = escape::lines(&text);
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(ExitCode::SUCCESS)
}

/// `scrutin checkpoint`: sign, store, print, and write `DIR/checkpoint.txt` (and `--out`).
pub(crate) fn checkpoint(db: &Path, key: &Path, out: Option<&Path>) -> Result<ExitCode, CliError> {
    let signer = keys::read_signer(key)?;
    let ledger = open(db, false)?;
    let note = checkpoint_on(&ledger, &signer, db, out)?;
    print!("{}", escape::lines(&note));
    Ok(ExitCode::SUCCESS)
}

/// Signs and stores a checkpoint; writes its note beside the ledger (and to `out`).
pub(crate) fn checkpoint_on(
    ledger: &Ledger,
    signer: &Signer,
    db: &Path,
    out: Option<&Path>,
) -> Result<String, CliError> {
    let cp = ledger.checkpoint(signer).map_err(ledger_err)?;
    let note = cp.to_note_text();
    let path = db.join("checkpoint.txt");
    std::fs::write(&path, &note).map_err(|e| io_err(&path, e))?;
    if let Some(o) = out {
        std::fs::write(o, &note).map_err(|e| io_err(o, e))?;
    }
    Ok(note)
}

/// `scrutin export`.
pub(crate) fn export(db: &Path, out: &Path) -> Result<ExitCode, CliError> {
    let ledger = open(db, false)?;
    export_on(&ledger, out, false)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the bundle; returns the number of entries.
pub(crate) fn export_on(ledger: &Ledger, out: &Path, quiet: bool) -> Result<u64, CliError> {
    // Write to a temporary name first so a failed export never leaves a truncated bundle.
    let tmp = out.with_extension("partial");
    let f = File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
    let mut w = BufWriter::new(f);
    let pb = progress::bar(0, "exporting", quiet);
    let r = ledger.export(&mut w, &mut |done, total| {
        pb.set_length(total);
        pb.set_position(done);
    });
    pb.finish_and_clear();
    let summary = match r {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(match e {
                LedgerError::StaleCheckpoint {
                    checkpoint_size,
                    log_size,
                } => CliError::Refused(format!(
                    "the latest checkpoint covers {checkpoint_size} entries but the ledger has \
                     {log_size}: run `scrutin checkpoint --db DIR --key KEYFILE` (and have the \
                     witnesses cosign it) before exporting"
                )),
                LedgerError::NoCheckpoint => CliError::Refused(
                    "the ledger has no signed checkpoint yet: run `scrutin checkpoint --db DIR \
                     --key KEYFILE` first"
                        .into(),
                ),
                other => ledger_err(other),
            });
        }
    };
    let f = w.into_inner().map_err(|e| io_err(&tmp, e.error()))?;
    f.sync_all().map_err(|e| io_err(&tmp, e))?;
    std::fs::rename(&tmp, out).map_err(|e| io_err(out, e))?;
    if !quiet {
        println!(
            "wrote {}: {} entries, {} bytes, checkpoint {} size {}, SHA-256 {}",
            out.display(),
            summary.entries,
            summary.bytes,
            field(&summary.checkpoint.origin),
            summary.checkpoint.size,
            summary.digest
        );
    }
    Ok(summary.entries)
}

/// `scrutin receipt`.
pub(crate) fn receipt(db: &Path, holder: &str, out: &Path) -> Result<ExitCode, CliError> {
    let ledger = open(db, false)?;
    receipt_on(&ledger, holder, out)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes a holder's receipt from an open ledger.
pub(crate) fn receipt_on(ledger: &Ledger, holder: &str, out: &Path) -> Result<(), CliError> {
    let holder = HolderId::new(holder).map_err(|e| CliError::Usage(format!("--holder: {e}")))?;
    let r = ledger.receipt(&holder).map_err(|e| match e {
        LedgerError::NoCheckpoint => CliError::Refused(
            "the ledger has no signed checkpoint yet: run `scrutin checkpoint` first".into(),
        ),
        other => ledger_err(other),
    })?;
    let mut f = File::create(out).map_err(|e| io_err(out, e))?;
    f.write_all(r.to_json().as_bytes())
        .map_err(|e| io_err(out, e))?;
    println!(
        "wrote {}: receipt of holder {holder} with {} entries, against checkpoint of {}",
        out.display(),
        r.entries.len(),
        field(&r.origin)
    );
    Ok(())
}
