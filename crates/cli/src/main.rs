//! The `scrutin` binary: records a shareholder meeting's poll in a verifiable ledger, verifies
//! bundles and receipts offline, and certifies the count. Thin over the `scrutin` library:
//! parse arguments, call the library, present; `main` maps errors to exit codes
//! (0 success / valid, 1 refused or invalid, 2 usage or I/O).

mod args;
mod commands;
mod crosscheck_cmd;
mod demo;
mod error;
mod escape;
mod keys;
mod net_cmd;
mod progress;
mod verify_cmd;
mod witness;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, WitnessCommand};
use crate::error::CliError;

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            // Errors often quote a file (a CSV cell, a key name, a TOML line).
            eprint!("{}", escape::error(&e.to_string()));
            e.exit_code()
        }
    }
}

/// `scrutin verify ... | head` closes our stdout early; Rust ignores SIGPIPE, so `println!`
/// then panics with a backtrace and exit 101. A reader that stopped reading is not a crash:
/// stop quietly with exit 2 (output could not be written), like other I/O failures. Every
/// ledger write is durable before anything is printed, so stopping here loses nothing.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if msg.starts_with("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(2);
        }
        default(info);
    }));
}

fn run(cmd: Command) -> Result<ExitCode, CliError> {
    match cmd {
        Command::Keygen { out, name } => {
            let name = name.unwrap_or_else(|| scrutin::keys::default_key_name(&out));
            let signer = keys::new_key(&name, &out)?;
            println!("{}", signer.verifier().to_vkey_string());
            eprintln!(
                "wrote {} (secret), {} (this key as signer) and {} (this key as a witness: \
                 give verifiers this one for a witness, it can only cosign)",
                out.display(),
                scrutin::keys::pub_path(&out).display(),
                scrutin::keys::cosigner_pub_path(&out).display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { db, meeting, key } => commands::init(&db, &meeting, &key),
        Command::Import {
            kind,
            file,
            db,
            key,
            open,
        } => commands::import(kind, &file, &db, &key, open),
        Command::Close {
            db,
            key,
            resolution,
        } => commands::close(&db, &key, resolution.as_deref()),
        Command::Tally { db, json } => commands::tally(&db, json),
        Command::Announce { db } => commands::announce(&db),
        Command::Status { db } => commands::status(&db),
        Command::Checkpoint {
            db,
            key,
            out,
            witness,
            witness_key,
            quorum,
        } if !witness.is_empty() => net_cmd::checkpoint(&net_cmd::CheckpointArgs {
            db: &db,
            key: &key,
            out: out.as_deref(),
            witnesses: &witness,
            witness_keys: &witness_key,
            quorum,
        }),
        Command::Checkpoint { db, key, out, .. } => commands::checkpoint(&db, &key, out.as_deref()),
        Command::Witness {
            command:
                WitnessCommand::Serve {
                    key,
                    state,
                    listen,
                    log_key,
                    threads,
                },
        } => net_cmd::witness_serve(&key, &state, &listen, &log_key, threads),
        Command::Serve {
            db,
            listen,
            threads,
        } => net_cmd::serve(&db, &listen, threads),
        Command::Cosign {
            checkpoint,
            key,
            state,
            log_key,
            db,
            proof,
        } => witness::cosign(&witness::CosignArgs {
            checkpoint: &checkpoint,
            key: &key,
            state: &state,
            log_key: log_key.as_deref(),
            db: db.as_deref(),
            proof: proof.as_deref(),
            quiet: false,
        }),
        Command::Export {
            db,
            tiles: Some(tiles),
            out,
        } => net_cmd::export_tiles(&db, &tiles, out.as_deref()),
        Command::Export { db, out, .. } => match out {
            Some(out) => commands::export(&db, &out),
            None => Err(error::CliError::Usage(
                "export needs --out FILE or --tiles DIR".into(),
            )),
        },
        Command::Verify {
            file,
            trust,
            json,
            report,
            expect,
            tally_out,
            origin,
            meeting,
            quorum,
            announcement: None,
            attest,
            tz,
            since: None,
            state_out: None,
        } if net_cmd::is_tiles(&file) => net_cmd::verify_tiles(&verify_cmd::VerifyArgs {
            file: &file,
            trust: &trust,
            json,
            report: report.as_deref(),
            expect: expect.as_deref(),
            tally_out: tally_out.as_deref(),
            quiet: json,
            pin: verify_cmd::pin_of(origin.as_deref(), meeting.as_deref(), quorum),
            shown: verify_cmd::Shown::now(attest.as_deref(), tz, None),
            since: None,
            state_out: None,
        }),
        Command::Verify {
            file,
            since,
            state_out,
            ..
        } if net_cmd::is_tiles(&file) && (since.is_some() || state_out.is_some()) => {
            Err(error::CliError::Usage(
                "--since and --state-out take a bundle file, not a tiles log".into(),
            ))
        }
        Command::Verify {
            file,
            trust,
            json,
            report,
            expect,
            announcement,
            tally_out,
            origin,
            meeting,
            quorum,
            attest,
            tz,
            since,
            state_out,
        } => {
            let args = verify_cmd::VerifyArgs {
                file: &file,
                trust: &trust,
                json,
                report: report.as_deref(),
                expect: expect.as_deref(),
                tally_out: tally_out.as_deref(),
                quiet: json,
                pin: verify_cmd::pin_of(origin.as_deref(), meeting.as_deref(), quorum),
                shown: verify_cmd::Shown::now(attest.as_deref(), tz, announcement.as_deref()),
                since: since.as_deref(),
                state_out: state_out.as_deref(),
            };
            match announcement.as_deref() {
                Some(text) => crosscheck_cmd::verify(&args, text),
                None => verify_cmd::verify(&args),
            }
        }
        Command::Receipt {
            db,
            holder,
            out,
            all,
        } => match (all, holder, out) {
            (Some(dir), _, _) => commands::receipts_all(&db, &dir),
            (None, Some(holder), Some(out)) => commands::receipt(&db, &holder, &out),
            _ => Err(error::CliError::Usage(
                "receipt needs --holder and --out, or --all OUTDIR".into(),
            )),
        },
        Command::VerifyReceipt {
            files,
            trust,
            json,
            origin,
            meeting,
            quorum,
            log,
            verbose,
            tz,
        } => {
            let pin = verify_cmd::pin_of(origin.as_deref(), meeting.as_deref(), quorum);
            let view = verify_cmd::ReceiptView {
                verbose,
                tz: tz.unwrap_or_default(),
            };
            match log {
                Some(log) => match files.as_slice() {
                    [file] => net_cmd::verify_receipt_log(file, &trust, json, &pin, &log, view),
                    _ => Err(error::CliError::Usage(
                        "--log checks one receipt at a time".into(),
                    )),
                },
                None => verify_cmd::verify_receipts_cmd(&files, &trust, json, &pin, view),
            }
        }
        Command::Demo {
            holders,
            report,
            dir,
        } => demo::run(holders, report.as_deref(), dir.as_deref()),
    }
}
