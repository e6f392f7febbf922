//! `scrutin demo`: the seed meeting (JL MAG RARE-EARTH, first EGM of 2022) replayed end to end
//! through the same code paths as the commands, or a synthetic meeting of N holders with the
//! time, throughput and peak memory of each phase.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use scrutin::log::{Pin, SignedCheckpoint, Signer};
use scrutin::Ledger;

use crate::args::CsvKind;
use crate::commands::{self, close_on, import_into, write_note};
use crate::error::{io_err, CliError};
use crate::verify_cmd::{self, VerifyArgs};
use crate::{keys, witness};

const MEETING: &str = include_str!("../fixtures/jlmag/meeting.toml");
const REGISTER: &str = include_str!("../fixtures/jlmag/register.csv");
const PROXIES: &str = include_str!("../fixtures/jlmag/proxies.csv");
const BALLOTS: &str = include_str!("../fixtures/jlmag/ballots.csv");
const PUBLISHED: &str = include_str!("../fixtures/jlmag/published.json");

fn write(dir: &Path, name: &str, text: &str) -> Result<PathBuf, CliError> {
    let p = dir.join(name);
    std::fs::write(&p, text).map_err(|e| io_err(&p, e))?;
    Ok(p)
}

/// The key pair files of one demo actor.
fn actor(dir: &Path, name: &str) -> Result<(Signer, PathBuf), CliError> {
    let p = dir.join(format!("{name}.key"));
    Ok((keys::new_key(name, &p)?, p))
}

/// Memory figures of the current process from /proc (Linux); zero elsewhere.
fn mem_kib(field: &str) -> u64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    s.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Resets the peak-RSS mark so each phase reports its own peak (Linux `clear_refs` 5).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One timed phase of the scaled demo.
struct Phase {
    name: &'static str,
    events: u64,
    secs: f64,
    peak_mib: u64,
}

fn phase<T>(
    phases: &mut Vec<Phase>,
    name: &'static str,
    f: impl FnOnce() -> Result<(T, u64), CliError>,
) -> Result<T, CliError> {
    reset_peak();
    let t0 = Instant::now();
    let (v, events) = f()?;
    let secs = t0.elapsed().as_secs_f64();
    let peak_mib = mem_kib("VmHWM:") / 1024;
    eprintln!(
        "  {name:<10} {events:>10} events in {secs:>7.2} s = {:>9.0} events/s, peak RSS {peak_mib} MiB",
        rate(events, secs)
    );
    phases.push(Phase {
        name,
        events,
        secs,
        peak_mib,
    });
    Ok(v)
}

/// Events per second, for display only (never used to decide anything).
#[allow(clippy::cast_precision_loss)]
fn rate(events: u64, secs: f64) -> f64 {
    if secs > 0.0 {
        events as f64 / secs
    } else {
        0.0
    }
}

/// `scrutin demo`.
pub(crate) fn run(
    holders: Option<u64>,
    report: Option<&Path>,
    keep: Option<&Path>,
) -> Result<ExitCode, CliError> {
    let tmp;
    let dir: &Path = match keep {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| io_err(d, e))?;
            d
        }
        None => {
            tmp = tempfile::TempDir::new().map_err(|e| CliError::Io(format!("temp dir: {e}")))?;
            tmp.path()
        }
    };
    let report_path = report.map_or_else(
        || PathBuf::from("scrutin-demo-report.html"),
        Path::to_path_buf,
    );
    match holders {
        None => seed(dir, &report_path),
        Some(n) => scaled(dir, n, &report_path),
    }
}

/// Exports the open ledger to `bundle` with a progress bar; returns the entries.
fn export(ledger: &Ledger, bundle: &Path) -> Result<u64, CliError> {
    let pb = crate::progress::bar(0, "exporting", false);
    let r = ledger.export_to(bundle, &mut crate::progress::track(&pb));
    pb.finish_and_clear();
    commands::exported(bundle, r)
}

fn step(title: &str) {
    println!("\n== {title}");
}

/// Stores the cosigned checkpoint file's note in the open ledger (so `export` carries it).
fn store_cosigned(ledger: &Ledger, note_file: &Path) -> Result<(), CliError> {
    let text = std::fs::read_to_string(note_file).map_err(|e| io_err(note_file, e))?;
    let cp = SignedCheckpoint::parse_note(&text)
        .map_err(|e| CliError::Io(format!("{}: {e}", note_file.display())))?;
    ledger.store_checkpoint(&cp).map_err(commands::ledger_err)
}

fn seed(dir: &Path, report_path: &Path) -> Result<ExitCode, CliError> {
    println!(
        "scrutin demo: JL MAG RARE-EARTH CO., LTD. (06680), first EGM of 2022, in {}",
        dir.display()
    );
    let meeting = write(dir, "meeting.toml", MEETING)?;
    let register = write(dir, "register.csv", REGISTER)?;
    let proxies = write(dir, "proxies.csv", PROXIES)?;
    let ballots = write(dir, "ballots.csv", BALLOTS)?;
    let published = write(dir, "published-tally.json", PUBLISHED)?;
    step("keygen: registrar (signs entries and checkpoints) and scrutineer (witness)");
    let (registrar, registrar_key) = actor(dir, "registrar")?;
    let (scrutineer, scrutineer_key) = actor(dir, "scrutineer")?;
    println!("registrar  {}", registrar.verifier().to_vkey_string());
    println!(
        "scrutineer {} (as witness, cosign only)",
        scrutineer.verifier().to_cosigner_vkey_string()
    );
    let db = dir.join("ledger");
    step("init");
    commands::init(&db, &meeting, &registrar_key)?;
    let ledger = commands::open(&db, false)?;
    step("import register, proxies, ballots");
    import_into(&ledger, &registrar, CsvKind::Register, &register, false)?;
    import_into(&ledger, &registrar, CsvKind::Proxies, &proxies, false)?;
    import_into(&ledger, &registrar, CsvKind::Ballots, &ballots, false)?;
    step("close the poll and declare the result");
    close_on(&ledger, &registrar, None)?;
    commands::save_state(&ledger);
    step("checkpoint (signed by the registrar's log key)");
    let note_file = dir.join("checkpoint.txt");
    let cp = ledger
        .checkpoint(&registrar)
        .map_err(commands::ledger_err)?;
    let note = write_note(&cp, &db, Some(&note_file))?;
    print!("{}", crate::escape::lines(&note));
    step("cosign as scrutineer (witness)");
    let state = dir.join("witness-state");
    let log_vkey = registrar.verifier().to_vkey_string();
    let code = witness::cosign(&witness::CosignArgs {
        checkpoint: &note_file,
        key: &scrutineer_key,
        state: &state,
        log_key: Some(&log_vkey),
        db: None,
        proof: None,
        quiet: false,
    })?;
    if code != ExitCode::SUCCESS {
        return Err(CliError::Invalid("the witness refused to cosign".into()));
    }
    store_cosigned(&ledger, &note_file)?;
    step("export");
    let bundle = dir.join("meeting.bundle");
    export(&ledger, &bundle)?;
    step("announcement");
    print!("{}", crate::escape::lines(&ledger.announcement()));
    step("receipt for HKSCC NOMINEES (H0001), which voted through its proxy P0002");
    let receipt = dir.join("H0001.receipt.json");
    commands::receipt_on(&ledger, "H0001", &receipt)?;
    drop(ledger);
    let trust_both = [
        log_vkey.clone(),
        scrutineer.verifier().to_cosigner_vkey_string(),
    ];
    if verify_cmd::verify_receipt_cmd(
        &receipt,
        &trust_both,
        false,
        &Pin::default(),
        verify_cmd::ReceiptView::default(),
    )? != ExitCode::SUCCESS
    {
        return Err(CliError::Invalid("the receipt does not verify".into()));
    }
    step("verify (offline: the bundle and the two public keys only; compared with the published figures)");
    let trust = vec![log_vkey, scrutineer.verifier().to_cosigner_vkey_string()];
    let out = verify_cmd::run(&VerifyArgs {
        file: &bundle,
        trust: &trust,
        json: false,
        report: Some(report_path),
        expect: Some(&published),
        tally_out: None,
        quiet: false,
        pin: Pin::default(),
        shown: verify_cmd::Shown::default(),
        since: None,
        state_out: None,
    })?;
    print!("{}", crate::escape::lines(&out.text));
    println!("\nHTML report: {}", report_path.display());
    Ok(if out.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn scaled(dir: &Path, n: u64, report_path: &Path) -> Result<ExitCode, CliError> {
    if n == 0 {
        return Err(CliError::Usage("--holders must be at least 1".into()));
    }
    println!(
        "scrutin demo: synthetic meeting of {n} holders in {}",
        dir.display()
    );
    let t0 = Instant::now();
    let meeting = write(dir, "meeting.toml", scrutin::demo::SYNTHETIC_MEETING)?;
    let files = scrutin::demo::synthetic(n);
    let register = write(dir, "register.csv", &files.register)?;
    let proxies = write(dir, "proxies.csv", &files.proxies)?;
    let ballots = write(dir, "ballots.csv", &files.ballots)?;
    // The import streams the files from disk: their text in memory is no longer needed.
    drop(files);
    println!(
        "generated the CSV files in {:.2} s",
        t0.elapsed().as_secs_f64()
    );
    let (registrar, registrar_key) = actor(dir, "registrar")?;
    let (scrutineer, scrutineer_key) = actor(dir, "scrutineer")?;
    let db = dir.join("ledger");
    commands::init(&db, &meeting, &registrar_key)?;
    let ledger = commands::open(&db, false)?;
    let mut phases = Vec::new();
    eprintln!("phases:");
    phase(&mut phases, "import", || {
        let mut events = 0;
        for (kind, file) in [
            (CsvKind::Register, &register),
            (CsvKind::Proxies, &proxies),
            (CsvKind::Ballots, &ballots),
        ] {
            let done = import_into(&ledger, &registrar, kind, file, false)?;
            events += done.entries.end - done.entries.start;
        }
        Ok(((), events))
    })?;
    phase(&mut phases, "close", || {
        close_on(&ledger, &registrar, None)?;
        Ok(((), ledger.len()))
    })?;
    phase(&mut phases, "state cache", || {
        commands::save_state(&ledger);
        Ok(((), ledger.len()))
    })?;
    let note_file = dir.join("checkpoint.txt");
    let log_vkey = registrar.verifier().to_vkey_string();
    phase(&mut phases, "checkpoint", || {
        let cp = ledger
            .checkpoint(&registrar)
            .map_err(commands::ledger_err)?;
        write_note(&cp, &db, Some(&note_file))?;
        witness::cosign(&witness::CosignArgs {
            checkpoint: &note_file,
            key: &scrutineer_key,
            state: &dir.join("witness-state"),
            log_key: Some(&log_vkey),
            db: None,
            proof: None,
            quiet: true,
        })?;
        store_cosigned(&ledger, &note_file)?;
        Ok(((), 1))
    })?;
    let bundle = dir.join("meeting.bundle");
    phase(&mut phases, "export", || {
        Ok(((), export(&ledger, &bundle)?))
    })?;
    drop(ledger);
    let trust = vec![log_vkey, scrutineer.verifier().to_cosigner_vkey_string()];
    let out = phase(&mut phases, "verify", || {
        let out = verify_cmd::run(&VerifyArgs {
            file: &bundle,
            trust: &trust,
            json: false,
            report: Some(report_path),
            expect: None,
            tally_out: None,
            quiet: false,
            pin: Pin::default(),
            shown: verify_cmd::Shown::default(),
            since: None,
            state_out: None,
        })?;
        let entries = out.report.entries;
        Ok((out, entries))
    })?;
    print!("{}", crate::escape::lines(&out.text));
    println!("\nphase       events     seconds   events/s  peak RSS MiB");
    for p in &phases {
        println!(
            "{:<10} {:>8} {:>10.2} {:>10.0} {:>13}",
            p.name,
            p.events,
            p.secs,
            rate(p.events, p.secs),
            p.peak_mib
        );
    }
    println!(
        "total {:.2} s; HTML report: {}",
        t0.elapsed().as_secs_f64(),
        report_path.display()
    );
    Ok(if out.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
