//! The `scrutin` binary: records a shareholder meeting's poll in a verifiable ledger, verifies
//! bundles and receipts offline, and certifies the count. Thin over the `scrutin` library:
//! parse arguments, call the library, present; `main` maps errors to exit codes
//! (0 success / valid, 1 refused or invalid, 2 usage or I/O).

mod args;
mod csv_in;
mod error;
mod keys;
mod meeting_file;
mod report;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::error::CliError;

fn main() -> ExitCode {
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
            eprintln!("scrutin: {e}");
            e.exit_code()
        }
    }
}

fn run(cmd: Command) -> Result<ExitCode, CliError> {
    match cmd {
        Command::Keygen { out, name } => {
            let name = name.unwrap_or_else(|| keys::default_name(&out));
            let signer = keys::generate(&name)?;
            keys::write_new_key(&out, &signer)?;
            println!("{}", signer.verifier().to_vkey_string());
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(CliError::Usage("this command is not wired yet".into())),
    }
}
