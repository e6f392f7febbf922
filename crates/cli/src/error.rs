//! The binary's one error type and its exit codes.

use std::process::ExitCode;

/// Why a command failed. The variant decides the exit code (docs/CLI.md):
/// 1 when the input was understood and refused or found invalid, 2 when it could not be used.
#[derive(Debug)]
pub(crate) enum CliError {
    /// Bad arguments or an input file that does not parse (exit 2).
    Usage(String),
    /// A file could not be read or written (exit 2).
    Io(String),
    /// The ledger or the rules refused the input (exit 1); nothing was applied.
    Refused(String),
    /// Something checked is not valid: tampered bundle, bad receipt, untrusted key (exit 1).
    Invalid(String),
}

impl CliError {
    /// The process exit code for this failure.
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) | CliError::Io(_) => ExitCode::from(2),
            CliError::Refused(_) | CliError::Invalid(_) => ExitCode::from(1),
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Usage(m) | CliError::Io(m) | CliError::Refused(m) | CliError::Invalid(m) => {
                f.write_str(m)
            }
        }
    }
}

impl std::error::Error for CliError {}

/// `path: error` as an I/O failure.
pub(crate) fn io_err(path: &std::path::Path, e: impl std::fmt::Display) -> CliError {
    CliError::Io(format!("{}: {e}", path.display()))
}
