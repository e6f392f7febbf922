//! Key files: `--key` files hold a C2SP private key string, `--trust` takes a verifier key
//! string (vkey) or the path of a file holding one.

use std::io::Write;
use std::path::{Path, PathBuf};

use scrutin::log::{NoteVerifier, Signer};

use crate::error::{io_err, CliError};

/// Reads a private key file written by `scrutin keygen`.
pub(crate) fn read_signer(path: &Path) -> Result<Signer, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
    Signer::from_private_key_string(text.trim())
        .map_err(|e| CliError::Usage(format!("{}: not a scrutin key file: {e}", path.display())))
}

/// A new key whose private and verifier key strings both parse back.
///
/// Why the check: early scrutin-log builds split key strings on every `+`, which standard
/// base64 may contain, so about half of all random keys did not read back. That is fixed in
/// the log crate; the check stays so that `keygen` can never hand out a key file that
/// `--key` would then refuse.
pub(crate) fn generate(name: &str) -> Result<Signer, CliError> {
    for _ in 0..256 {
        let s = Signer::generate(name)
            .map_err(|e| CliError::Usage(format!("key name {name:?}: {e}")))?;
        let private_ok = Signer::from_private_key_string(&s.to_private_key_string()).is_ok();
        let public_ok = NoteVerifier::parse(&s.verifier().to_vkey_string()).is_ok();
        if private_ok && public_ok {
            return Ok(s);
        }
    }
    Err(CliError::Io(
        "could not generate a key that round-trips".into(),
    ))
}

/// Parses one `--trust` value: a vkey string, or a file containing one (first non-empty line).
pub(crate) fn parse_trust(value: &str) -> Result<NoteVerifier, CliError> {
    let path = Path::new(value);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap_or("");
        return NoteVerifier::parse(line)
            .map_err(|e| CliError::Usage(format!("{value}: not a verifier key file: {e}")));
    }
    NoteVerifier::parse(value).map_err(|e| {
        CliError::Usage(format!(
            "--trust {value:?}: neither a file nor a verifier key string: {e}"
        ))
    })
}

/// Parses every `--trust` value.
pub(crate) fn parse_trusts(values: &[String]) -> Result<Vec<NoteVerifier>, CliError> {
    if values.is_empty() {
        return Err(CliError::Usage("at least one --trust key is needed".into()));
    }
    let mut out = Vec::new();
    for v in values {
        let path = Path::new(v);
        if !path.is_file() {
            out.push(parse_trust(v)?);
            continue;
        }
        // An auditor's trust file often lists the registrar and every witness: read every
        // key, not only the first (the others were silently ignored, and the witnesses'
        // cosignatures then failed as untrusted).
        let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
        let before = out.len();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim().trim_start_matches('\u{feff}');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with("PRIVATE+KEY+") {
                return Err(CliError::Usage(format!(
                    "{v}: is a secret signing key; --trust takes the verifier key \
                     (the .pub file keygen wrote beside it)"
                )));
            }
            out.push(
                NoteVerifier::parse(line).map_err(|e| {
                    CliError::Usage(format!("{v}:{}: not a verifier key: {e}", n + 1))
                })?,
            );
        }
        if out.len() == before {
            return Err(CliError::Usage(format!("{v}: holds no verifier key")));
        }
    }
    Ok(out)
}

/// A key name for `keygen` when `--name` is not given: the key file's stem, made a valid
/// C2SP key name (no whitespace, no `+`).
pub(crate) fn default_name(out: &Path) -> String {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_whitespace() || c == '+' {
                '-'
            } else {
                c
            }
        })
        .collect();
    if clean.is_empty() {
        "scrutin".into()
    } else {
        clean
    }
}

/// `KEYFILE.pub`: where keygen writes the verifier key beside the secret.
pub(crate) fn pub_path(out: &Path) -> PathBuf {
    let mut s = out.as_os_str().to_owned();
    s.push(".pub");
    PathBuf::from(s)
}

/// `KEYFILE.cosigner.pub`: the key's C2SP cosigner verifier key (type 0x04). Verifiers give
/// a witness this one, which can only cosign, never sign a meeting of its own.
pub(crate) fn cosigner_pub_path(out: &Path) -> PathBuf {
    let mut s = out.as_os_str().to_owned();
    s.push(".cosigner.pub");
    PathBuf::from(s)
}

/// Writes a new secret key file (mode 0600, refusing to overwrite), `KEYFILE.pub` (the signer
/// verifier key) and `KEYFILE.cosigner.pub` (the cosign-only verifier key).
pub(crate) fn write_new_key(out: &Path, signer: &Signer) -> Result<(), CliError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(out).map_err(|e| io_err(out, e))?;
    writeln!(f, "{}", signer.to_private_key_string()).map_err(|e| io_err(out, e))?;
    f.sync_all().map_err(|e| io_err(out, e))?;
    let pubp = pub_path(out);
    std::fs::write(&pubp, format!("{}\n", signer.verifier().to_vkey_string()))
        .map_err(|e| io_err(&pubp, e))?;
    let cosp = cosigner_pub_path(out);
    std::fs::write(
        &cosp,
        format!("{}\n", signer.verifier().to_cosigner_vkey_string()),
    )
    .map_err(|e| io_err(&cosp, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_round_trip_and_trust_forms() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("registrar.key");
        let s = generate(&default_name(&out)).unwrap();
        write_new_key(&out, &s).unwrap();
        assert!(write_new_key(&out, &s).is_err(), "never overwrites a key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let back = read_signer(&out).unwrap();
        assert_eq!(back.public_key(), s.public_key());
        let vkey = s.verifier().to_vkey_string();
        assert_eq!(parse_trust(&vkey).unwrap(), s.verifier());
        let p = pub_path(&out);
        assert_eq!(parse_trust(p.to_str().unwrap()).unwrap(), s.verifier());
        let cos = parse_trust(cosigner_pub_path(&out).to_str().unwrap()).unwrap();
        assert!(
            cos.is_cosign_only(),
            "the cosigner file trusts the key only to cosign"
        );
        assert_eq!(cos.public_key(), s.public_key());
        assert!(parse_trust("nonsense").is_err());
        assert_eq!(s.name(), "registrar");
    }
}
