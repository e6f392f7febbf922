//! Key files (`scrutin::keys`) with the binary's messages: `--key` files hold a C2SP private
//! key string, `--trust` takes a verifier key string (vkey) or the path of a file of them.

use std::path::Path;

use scrutin::log::{NoteVerifier, Signer};
use scrutin::LedgerError;

use crate::error::CliError;

/// A key-file error as the binary says it (naming `--trust` where the flag is the cause).
fn key_err(e: LedgerError) -> CliError {
    match e {
        LedgerError::KeyFileIo { .. } | LedgerError::KeyGeneration => CliError::Io(e.to_string()),
        LedgerError::NotAVerifierKey { .. } => CliError::Usage(format!("--trust {e}")),
        LedgerError::SecretKeyAsVerifier { path } => CliError::Usage(format!(
            "{path}: is a secret signing key; --trust takes the verifier key \
             (the .pub file keygen wrote beside it)"
        )),
        LedgerError::NoTrustedKey => CliError::Usage("at least one --trust key is needed".into()),
        other => CliError::Usage(other.to_string()),
    }
}

/// Reads a private key file written by `scrutin keygen`.
pub(crate) fn read_signer(path: &Path) -> Result<Signer, CliError> {
    scrutin::keys::read_signer(path).map_err(key_err)
}

/// Parses one `--trust` (or `--log-key`) value.
pub(crate) fn parse_trust(value: &str) -> Result<NoteVerifier, CliError> {
    scrutin::keys::parse_trust(value).map_err(key_err)
}

/// Parses every `--trust` value.
pub(crate) fn parse_trusts(values: &[String]) -> Result<Vec<NoteVerifier>, CliError> {
    scrutin::keys::parse_trusts(values).map_err(key_err)
}

/// A new key named `name`, written to `out`, `out.pub` and `out.cosigner.pub`.
pub(crate) fn new_key(name: &str, out: &Path) -> Result<Signer, CliError> {
    let signer = scrutin::keys::generate_key(name).map_err(key_err)?;
    scrutin::keys::write_new_key(out, &signer).map_err(key_err)?;
    Ok(signer)
}
