//! The commands over the network (scrutin-net): `witness serve` (C2SP tlog-witness),
//! `checkpoint --witness`, `export --tiles`, `serve` and `verify URL|DIR` (C2SP tlog-tiles),
//! and `verify-receipt --log`.

use std::path::Path;
use std::process::ExitCode;

use scrutin::log::{Pin, SignedCheckpoint};
use scrutin::{Ledger, VoteReceipt, WitnessState};
use scrutin_net::{Client, LogCheck, LogKey, NetError, Outcome};

use crate::commands::{ledger_err, open};
use crate::error::{io_err, CliError};
use crate::escape::{self, field};
use crate::keys;
use crate::verify_cmd::{self, VerifyArgs};

fn net_err(e: NetError) -> CliError {
    match e {
        NetError::Ledger(l) => ledger_err(*l),
        NetError::Malformed { .. } | NetError::EntryTooLarge { .. } => {
            CliError::Invalid(e.to_string())
        }
        NetError::NoCheckpoint => CliError::Refused(e.to_string()),
        other => CliError::Io(other.to_string()),
    }
}

/// The options of `scrutin checkpoint --witness`.
#[derive(Debug)]
pub(crate) struct CheckpointArgs<'a> {
    pub(crate) db: &'a Path,
    pub(crate) key: &'a Path,
    pub(crate) out: Option<&'a Path>,
    pub(crate) witnesses: &'a [String],
    pub(crate) witness_keys: &'a [String],
    pub(crate) quorum: usize,
}

/// `scrutin checkpoint --witness URL...`: signs (or reuses) the checkpoint of the ledger's
/// current size, asks each witness to cosign it (tlog-witness add-checkpoint), stores the
/// cosignatures in the ledger and reports each answer. Exit 1 if fewer than `quorum` cosigned.
pub(crate) fn checkpoint(a: &CheckpointArgs<'_>) -> Result<ExitCode, CliError> {
    let signer = keys::read_signer(a.key)?;
    let wkeys = keys::parse_trusts(a.witness_keys)?;
    if wkeys.is_empty() {
        return Err(CliError::Usage(
            "--witness needs the witnesses' keys (--witness-key VKEY): a cosignature is kept \
             only if it verifies"
                .into(),
        ));
    }
    let ledger = open(a.db, true)?;
    let mut cp = ledger
        .checkpoint_of_current_size(&signer)
        .map_err(ledger_err)?;
    let size = cp.checkpoint.size;
    let client = Client::default();
    let mut cosigned = Vec::new();
    for (i, url) in a.witnesses.iter().enumerate() {
        // With as many keys as witnesses, in the same order, each starts from the size the
        // ledger knows it cosigned; otherwise from 0 (the witness's 409 tells the size).
        let old = if wkeys.len() == a.witnesses.len() {
            ledger
                .last_cosigned_by(&wkeys[i], size)
                .map_err(ledger_err)?
        } else {
            0
        };
        let mut prove = |o: u64, n: u64| ledger.prove_consistency(o, n).map_err(NetError::from);
        let outcome = scrutin_net::submit(&client, url, &cp, old, &wkeys, &mut prove);
        let u = field(url);
        match outcome {
            Ok(Outcome::Cosigned(cs)) => {
                for c in cs {
                    println!("witness {u}: cosigned as {}", field(&c.name));
                    if !cosigned.contains(&c.name) {
                        cosigned.push(c.name.clone());
                    }
                    cp.add_cosignature(c);
                }
            }
            Ok(Outcome::Conflict(n)) => {
                println!(
                    "witness {u}: REFUSED (409): it last cosigned size {n}{}",
                    if n == size {
                        " with another root: a split view of this log"
                    } else if n > size {
                        ", more than this checkpoint: this ledger is behind or rolled back"
                    } else {
                        ""
                    }
                );
            }
            Ok(Outcome::Inconsistent(why)) => {
                println!(
                    "witness {u}: REFUSED (422): not consistent with what it cosigned: {}",
                    field(&why)
                );
            }
            Ok(Outcome::Forbidden(why)) => {
                println!("witness {u}: REFUSED (403): {}", field(&why));
            }
            Ok(Outcome::UnknownLog(why)) => {
                println!("witness {u}: REFUSED (404): {}", field(&why));
            }
            Ok(Outcome::Refused(why)) => {
                println!("witness {u}: REFUSED: {}", field(&why));
            }
            Err(e) => {
                println!("witness {u}: FAILED: {}", field(&e.to_string()));
            }
        }
    }
    ledger.store_checkpoint(&cp).map_err(ledger_err)?;
    let note = scrutin::write_checkpoint_note(&cp, a.db, a.out).map_err(ledger_err)?;
    print!("{}", escape::lines(&note));
    println!(
        "{} of {} witnesses cosigned{}",
        cosigned.len(),
        a.witnesses.len(),
        if a.quorum > 0 {
            format!(" (quorum {})", a.quorum)
        } else {
            String::new()
        }
    );
    Ok(if cosigned.len() >= a.quorum {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `scrutin witness serve`.
pub(crate) fn witness_serve(
    key: &Path,
    state: &Path,
    listen: &str,
    log_keys: &[String],
    threads: usize,
) -> Result<ExitCode, CliError> {
    let signer = keys::read_signer(key)?;
    let state = WitnessState::open(state).map_err(ledger_err)?;
    let logs = log_keys
        .iter()
        .map(|s| match LogKey::parse(s) {
            Ok(k) => Ok(k),
            // A key file, as everywhere a key is taken.
            Err(e) => keys::parse_trust(s)
                .map(|key| LogKey { origin: None, key })
                .map_err(|_| net_err(e)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let w = scrutin_net::Witness::new(signer, state, logs);
    let vkey = w.cosigner_vkey();
    let running = scrutin_net::serve_witness(w, listen, threads).map_err(net_err)?;
    println!(
        "witness {} listening on {}/add-checkpoint",
        field(&vkey),
        running.url()
    );
    running.wait();
    Ok(ExitCode::SUCCESS)
}

/// `scrutin serve`.
pub(crate) fn serve(
    dbs: &[std::path::PathBuf],
    listen: &str,
    threads: usize,
) -> Result<ExitCode, CliError> {
    let ledgers = dbs
        .iter()
        .map(|d| open(d, true))
        .collect::<Result<Vec<_>, _>>()?;
    let origins: Vec<String> = ledgers.iter().map(Ledger::origin).collect();
    let running = scrutin_net::serve_tiles(ledgers, listen, threads).map_err(net_err)?;
    for o in &origins {
        println!("serving {}/{}", running.url(), field(o));
    }
    running.wait();
    Ok(ExitCode::SUCCESS)
}

/// `scrutin export --tiles OUTDIR` (and the bundle too with `--out`).
pub(crate) fn export_tiles(
    db: &Path,
    tiles: &Path,
    out: Option<&Path>,
) -> Result<ExitCode, CliError> {
    {
        let ledger = open(db, true)?;
        let s = scrutin_net::export(&ledger, tiles).map_err(net_err)?;
        println!(
            "wrote the tlog-tiles of {} entries to {} ({} files written, {} unchanged)",
            s.size,
            field(&tiles.display().to_string()),
            s.written,
            s.unchanged
        );
    }
    match out {
        Some(o) => crate::commands::export(db, o),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// Whether `verify`'s argument names tiles: an http(s) URL or a directory.
pub(crate) fn is_tiles(arg: &Path) -> bool {
    let s = arg.to_string_lossy();
    s.starts_with("http://") || s.starts_with("https://") || arg.is_dir()
}

/// `scrutin verify URL|TILEDIR`: the bundle's checks and report, from tiles.
pub(crate) fn verify_tiles(a: &VerifyArgs<'_>) -> Result<ExitCode, CliError> {
    let client = Client::default();
    let arg = a.file.to_string_lossy().into_owned();
    let src = scrutin_net::source_for(&arg, &client);
    let out = verify_cmd::run_with(a, &mut |trust, progress| {
        scrutin_net::verify_tiles(src.as_ref(), trust, &a.pin, progress).map_err(|e| match e {
            NetError::Malformed { .. } => {
                CliError::Invalid(format!("{}: NOT VALID: {e}", field(&arg)))
            }
            other => CliError::Io(format!("{}: could not verify: {other}", field(&arg))),
        })
    })?;
    verify_cmd::present(a, &out)
}

/// `scrutin verify-receipt FILE --log URL|DIR`: the receipt's checks, then its checkpoint
/// against the log's current one through a consistency proof from the log's tiles.
pub(crate) fn verify_receipt_log(
    file: &Path,
    trust: &[String],
    json: bool,
    pin: &Pin,
    log: &str,
    view: verify_cmd::ReceiptView,
) -> Result<ExitCode, CliError> {
    let code = verify_cmd::verify_receipt_cmd(file, trust, json, pin, view)?;
    if code != ExitCode::SUCCESS {
        return Ok(code);
    }
    let trusted = keys::parse_trusts(trust)?;
    let text = std::fs::read_to_string(file).map_err(|e| io_err(file, e))?;
    let receipt = VoteReceipt::from_json(&text)
        .map_err(|e| CliError::Usage(format!("{}: not a vote receipt: {e}", file.display())))?;
    let cp = SignedCheckpoint::parse_note(&receipt.checkpoint)
        .map_err(|e| CliError::Invalid(format!("{}: checkpoint: {e}", file.display())))?;
    let client = Client::default();
    let src = scrutin_net::source_for(log, &client);
    match scrutin_net::check_against_log(src.as_ref(), &cp.checkpoint, &trusted).map_err(net_err)? {
        LogCheck::Consistent { latest, verdict } => {
            let cos: Vec<&str> = verdict
                .cosigned_by
                .iter()
                .map(|(n, _)| n.as_str())
                .collect();
            eprintln!(
                "log {}: checkpoint size {} is consistent with the receipt's size {}{}",
                field(log),
                latest.size,
                cp.checkpoint.size,
                if cos.is_empty() {
                    String::new()
                } else {
                    format!(" (cosigned by {})", field(&cos.join(", ")))
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        LogCheck::Inconsistent(why) => {
            eprintln!("NOT VALID: log {}: {}", field(log), field(&why));
            Ok(ExitCode::from(1))
        }
        #[allow(unreachable_patterns)]
        _ => Ok(ExitCode::from(1)),
    }
}
