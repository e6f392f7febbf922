//! The registrar's commands over a ledger directory: init, import, close, tally, announce,
//! status, checkpoint, export, receipt. Each parses its inputs, calls the `scrutin` library
//! once, and presents the outcome.

use std::path::Path;
use std::process::ExitCode;

use scrutin::interchange::{self, ImportError, MeetingPlan};
use scrutin::log::{BundleSummary, SignedCheckpoint, Signer};
use scrutin::model::{AuthorKey, HolderId, ResolutionId, UtcMillis};
use scrutin::{
    write_atomic, AfterClose, CloseOutcome, ImportOptions, Imported, Ledger, LedgerError, LedgerLog,
};

use crate::args::CsvKind;
use crate::error::{io_err, CliError};
use crate::escape::{self, field};
use crate::{keys, progress};

/// Maps a library error to the binary's exit-code classes.
pub(crate) fn ledger_err(e: LedgerError) -> CliError {
    match e {
        LedgerError::Csv(e) => import_err(&e),
        LedgerError::Rejected { .. }
        | LedgerError::WrongDeclaration { .. }
        | LedgerError::RegistrarMismatch { .. }
        | LedgerError::StaleCheckpoint { .. }
        | LedgerError::DeclarationNotCheckpointed { .. }
        | LedgerError::MeetingRefused { .. }
        | LedgerError::RowRefused { .. }
        | LedgerError::PollNotOpened { .. }
        | LedgerError::RegisterNotClosed { .. }
        | LedgerError::NotDeclared { .. }
        | LedgerError::NoCheckpoint => CliError::Refused(e.to_string()),
        LedgerError::NotFound(_) | LedgerError::Usage(_) => CliError::Usage(e.to_string()),
        other => CliError::Io(other.to_string()),
    }
}

/// A file that does not parse is exit 2; a meeting rule found while grouping rows
/// (`duplicate-candidate`) is a refusal like the ledger's, exit 1.
fn import_err(e: &ImportError) -> CliError {
    if e.rule.is_meeting_rule() {
        CliError::Refused(format!("{e} (nothing from {} was recorded)", e.file))
    } else {
        CliError::Usage(e.to_string())
    }
}

/// Now, as the proxies' default lodging time.
fn now() -> UtcMillis {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    UtcMillis(u64::try_from(ms).unwrap_or(u64::MAX))
}

fn no_ledger(db: &Path) -> Result<(), CliError> {
    if db.exists() {
        return Ok(());
    }
    Err(CliError::Usage(format!(
        "{}: no ledger here (run `scrutin init` first)",
        db.display()
    )))
}

/// Opens a ledger, with a progress bar for the replay of a large one.
pub(crate) fn open(db: &Path, quiet: bool) -> Result<Ledger, CliError> {
    no_ledger(db)?;
    let pb = progress::bar(0, "opening ledger", quiet);
    let r = Ledger::open_with_progress(db, &mut progress::track(&pb));
    pb.finish_and_clear();
    r.map_err(ledger_err)
}

/// Opens a ledger's log alone, for commands that need no meeting state.
pub(crate) fn open_log(db: &Path) -> Result<LedgerLog, CliError> {
    no_ledger(db)?;
    Ledger::open_log_only(db).map_err(ledger_err)
}

/// Reads a meeting file; `registrar` becomes the genesis registrar. Prints its warnings.
fn load_meeting(path: &Path, registrar: AuthorKey) -> Result<MeetingPlan, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
    let file = path.display().to_string();
    let plan =
        interchange::parse_meeting(&file, &text, registrar, &scrutin::keys::author_from_vkey)
            .map_err(|e| CliError::Usage(e.to_string()))?;
    for w in &plan.ignored_fields {
        eprintln!(
            "scrutin: warning: {}: {}: not a field scrutin reads (ignored)",
            field(&file),
            field(w)
        );
    }
    Ok(plan)
}

/// `scrutin init`: the whole meeting in one durable batch; a refusal leaves no directory.
pub(crate) fn init(db: &Path, meeting: &Path, key: &Path) -> Result<ExitCode, CliError> {
    let signer = keys::read_signer(key)?;
    let plan = load_meeting(meeting, scrutin::keys::author_of(&signer))?;
    let ledger = Ledger::create_meeting(db, &plan, &signer).map_err(|e| match e {
        LedgerError::MeetingRefused { .. } => {
            CliError::Refused(format!("{}: {e}", meeting.display()))
        }
        LedgerError::Usage(m) => CliError::Usage(m),
        other => ledger_err(other),
    })?;
    println!(
        "created ledger {} in {}: genesis + {} events ({} resolutions)",
        field(&ledger.origin()),
        db.display(),
        ledger.len() - 1,
        plan.resolutions.len()
    );
    println!("registrar key: {}", signer.verifier().to_vkey_string());
    if !plan.names_scrutineer() {
        println!("the registrar key also holds the scrutineer role (no scrutineer key in the meeting file)");
    }
    Ok(ExitCode::SUCCESS)
}

/// `scrutin import`: the whole file as ONE all-or-nothing batch.
pub(crate) fn import(
    kind: CsvKind,
    file: &Path,
    db: &Path,
    key: &Path,
    keep_open: bool,
) -> Result<ExitCode, CliError> {
    let signer = keys::read_signer(key)?;
    let ledger = open(db, false)?;
    import_into(&ledger, &signer, kind, file, keep_open)?;
    save_state(&ledger);
    Ok(ExitCode::SUCCESS)
}

/// Refreshes the ledger's state cache when it is due (a faster next open). The events are
/// already recorded: a cache that cannot be written is a warning, never a failure.
pub(crate) fn save_state(ledger: &Ledger) {
    if let Err(e) = ledger.save_state_if_due() {
        eprintln!(
            "scrutin: warning: the state cache (for a faster reopen) was not written: {}",
            field(&e.to_string())
        );
    }
}

/// `import` on an open ledger (the demo reuses it).
pub(crate) fn import_into(
    ledger: &Ledger,
    signer: &Signer,
    kind: CsvKind,
    file: &Path,
    keep_open: bool,
) -> Result<Imported, CliError> {
    let label = file.display().to_string();
    let reader = std::fs::File::open(file).map_err(|e| io_err(file, e))?;
    let len = reader.metadata().map_or(0, |m| m.len());
    // The file is read as it is recorded, a chunk at a time: the bar follows the bytes read.
    let pb = progress::bytes_bar(len, "checking, signing and recording", false);
    let lodged_default = ledger.default_lodged_at(now());
    let stream = interchange::CsvStream::new(
        kind.into(),
        &label,
        std::io::BufReader::new(pb.wrap_read(reader)),
        lodged_default,
        scrutin::IMPORT_CHUNK,
    )
    .map_err(|e| {
        pb.finish_and_clear();
        import_err(&e)
    })?;
    if !stream.ignored_columns().is_empty() {
        pb.suspend(|| {
            eprintln!(
                "scrutin: warning: {}: columns not read (ignored): {}",
                field(&label),
                field(&stream.ignored_columns().join(", "))
            );
        });
    }
    let options = ImportOptions {
        keep_register_open: keep_open,
    };
    let r = ledger.import_stream(signer, kind.into(), &label, stream, options);
    pb.finish_and_clear();
    let done = r.map_err(ledger_err)?;
    if let Some(at) = done.poll_opened {
        println!("poll opened on every resolution not yet open (entry {at})");
    }
    let (start, end) = (done.entries.start, done.entries.end);
    let records = done.records;
    let noun = if records == 1 { "record" } else { "records" };
    println!(
        "imported {records} {noun} from {label}: entries {start}..{end} ({} events)",
        end - start
    );
    if let Some(at) = done.register_closed {
        println!("register closed (entry {at})");
    }
    for w in &done.warnings {
        eprintln!(
            "scrutin: warning: {}: {}",
            field(&label),
            field(&w.to_string())
        );
    }
    Ok(done)
}

/// `scrutin close`.
pub(crate) fn close(db: &Path, key: &Path, resolution: Option<&str>) -> Result<ExitCode, CliError> {
    let signer = keys::read_signer(key)?;
    let ledger = open(db, false)?;
    close_on(&ledger, &signer, resolution)?;
    save_state(&ledger);
    Ok(ExitCode::SUCCESS)
}

/// Closes polls and declares the result when none stays open; says what it did.
pub(crate) fn close_on(
    ledger: &Ledger,
    signer: &Signer,
    resolution: Option<&str>,
) -> Result<(), CliError> {
    let resolution = resolution
        .map(|r| ResolutionId::new(r).map_err(|e| CliError::Usage(format!("--resolution: {e}"))))
        .transpose()?;
    let what = resolution
        .as_ref()
        .map_or("every open resolution".to_owned(), |r| {
            format!("resolution {r}")
        });
    let (poll_closed, then) = match ledger.close(signer, resolution) {
        Ok(CloseOutcome::AlreadyDeclared { at }) => {
            println!("the result was already declared (entry {at}): nothing recorded");
            return Ok(());
        }
        Ok(CloseOutcome::Closed { poll_closed, then }) => (poll_closed, then),
        Err(LedgerError::Rejected { violation, .. }) => {
            return Err(CliError::Refused(format!(
                "cannot close the poll on {what}: {violation}"
            )))
        }
        Err(e) => return Err(ledger_err(e)),
    };
    match poll_closed {
        Some(at) => println!("poll closed on {what} (entry {at})"),
        None => println!("every poll is already closed"),
    }
    match then {
        AfterClose::OthersOpen => {
            println!("other polls are still open: the result is declared when the last one closes")
        }
        // A chair closes the poll; the count is the scrutineer's to declare. Closing worked,
        // so this is not a failure (exit 0), but say what is still to do.
        AfterClose::NotScrutineer => println!(
            "every poll is closed; the result is not declared yet: this key does not hold the \
             scrutineer role (run `scrutin close` again with the scrutineer's key to declare it)"
        ),
        AfterClose::Declared { at } => {
            let t = ledger.tally();
            println!(
                "result declared (entry {at}, tally SHA-256 {})",
                hex(&scrutin::tally_digest(&t))
            );
            print!("{}", scrutin::text::tally_table(&t, true));
        }
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `scrutin tally`.
pub(crate) fn tally(db: &Path, json: bool) -> Result<ExitCode, CliError> {
    let ledger = open(db, json)?;
    let t = ledger.tally();
    let declared = ledger.with_meeting(|m| m.result_declared());
    if json {
        // The JSON is the contract the declaration hashes: it stays as it is, and the
        // provisional standing goes to stderr.
        if !declared {
            eprintln!("scrutin: provisional, no result declared: the count may still change");
        }
        print!("{}", escape::json(&t.to_json()));
    } else {
        print!("{}", scrutin::text::tally_table(&t, declared));
    }
    Ok(ExitCode::SUCCESS)
}

/// `scrutin status`: from the log alone.
pub(crate) fn status(db: &Path) -> Result<ExitCode, CliError> {
    let log = open_log(db)?;
    println!("origin {}", field(log.origin()));
    println!("entries {}", log.len());
    match log.latest_checkpoint().map_err(ledger_err)? {
        Some(cp) => println!(
            "checkpoint size {} ({} cosignature(s)){}",
            cp.checkpoint.size,
            cp.cosigners().len(),
            if cp.checkpoint.size == log.len() {
                ""
            } else {
                ": stale, run `scrutin checkpoint` before exporting"
            }
        ),
        None => println!("checkpoint none"),
    }
    let closed = log.polls().map_err(ledger_err)?.all_closed();
    println!(
        "polls {}",
        if closed {
            "all closed"
        } else {
            "not all closed"
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `scrutin announce`.
pub(crate) fn announce(db: &Path) -> Result<ExitCode, CliError> {
    let text = open(db, false)?.announcement();
    let text = escape::table_lines(&text);
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(ExitCode::SUCCESS)
}

/// `scrutin checkpoint`: sign, store, print, and write `DIR/checkpoint.txt` (and `--out`).
pub(crate) fn checkpoint(db: &Path, key: &Path, out: Option<&Path>) -> Result<ExitCode, CliError> {
    let signer = keys::read_signer(key)?;
    let cp = open_log(db)?.checkpoint(&signer).map_err(ledger_err)?;
    let note = write_note(&cp, db, out)?;
    print!("{}", escape::lines(&note));
    Ok(ExitCode::SUCCESS)
}

/// Writes a checkpoint's note beside the ledger (and to `out`), atomically.
pub(crate) fn write_note(
    cp: &SignedCheckpoint,
    db: &Path,
    out: Option<&Path>,
) -> Result<String, CliError> {
    scrutin::write_checkpoint_note(cp, db, out).map_err(ledger_err)
}

/// `scrutin export`: from the log alone.
pub(crate) fn export(db: &Path, out: &Path) -> Result<ExitCode, CliError> {
    let log = open_log(db)?;
    let pb = progress::bar(0, "exporting", false);
    let r = log.export_to(out, &mut progress::track(&pb));
    pb.finish_and_clear();
    exported(out, r)?;
    Ok(ExitCode::SUCCESS)
}

/// Says what an export to `out` wrote; returns the entries.
pub(crate) fn exported(out: &Path, r: Result<BundleSummary, LedgerError>) -> Result<u64, CliError> {
    let summary = r.map_err(|e| match e {
        LedgerError::StaleCheckpoint {
            checkpoint_size,
            log_size,
        } => CliError::Refused(format!(
            "the latest checkpoint covers {checkpoint_size} entries but the ledger has \
             {log_size}: run `scrutin checkpoint --db DIR --key KEYFILE` (and have the \
             witnesses cosign it) before exporting"
        )),
        LedgerError::NoCheckpoint => CliError::Refused(
            "the ledger has no signed checkpoint yet: run `scrutin checkpoint --db DIR --key \
             KEYFILE` first"
                .into(),
        ),
        other => ledger_err(other),
    })?;
    println!(
        "wrote {}: {} entries, {} bytes, checkpoint {} size {}, SHA-256 {}",
        out.display(),
        summary.entries,
        summary.bytes,
        field(&summary.checkpoint.origin),
        summary.checkpoint.size,
        summary.digest
    );
    Ok(summary.entries)
}

/// `scrutin receipt`.
pub(crate) fn receipt(db: &Path, holder: &str, out: &Path) -> Result<ExitCode, CliError> {
    receipt_on(&open(db, false)?, holder, out)?;
    Ok(ExitCode::SUCCESS)
}

/// `scrutin receipt --all OUTDIR`: every holder's receipt in one pass.
pub(crate) fn receipts_all(db: &Path, outdir: &Path) -> Result<ExitCode, CliError> {
    let ledger = open(db, false)?;
    let pb = progress::bar(0, "writing receipts", false);
    let written = ledger
        .receipts_all(outdir, &mut progress::track(&pb))
        .map_err(|e| match e {
            LedgerError::NoCheckpoint => CliError::Refused(
                "the ledger has no signed checkpoint yet: run `scrutin checkpoint` first".into(),
            ),
            other => ledger_err(other),
        })?;
    pb.finish_and_clear();
    println!(
        "wrote {} receipts into {} ({} holders with no ballot have none)",
        written.written,
        field(&outdir.display().to_string()),
        written.without_ballot
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes a holder's receipt from an open ledger, atomically.
pub(crate) fn receipt_on(ledger: &Ledger, holder: &str, out: &Path) -> Result<(), CliError> {
    let holder = HolderId::new(holder).map_err(|e| CliError::Usage(format!("--holder: {e}")))?;
    let r = ledger.receipt(&holder).map_err(|e| match e {
        LedgerError::NoCheckpoint => CliError::Refused(
            "the ledger has no signed checkpoint yet: run `scrutin checkpoint` first".into(),
        ),
        other => ledger_err(other),
    })?;
    write_atomic(out, r.to_json().as_bytes()).map_err(ledger_err)?;
    println!(
        "wrote {}: receipt of holder {holder} with {} entries, against checkpoint of {}",
        out.display(),
        r.entries.len(),
        field(&r.origin)
    );
    Ok(())
}
