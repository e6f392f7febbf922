//! Key files: a private key file holds one C2SP private key string (`PRIVATE+KEY+...`); a
//! trusted key is a verifier key string (vkey) or the path of a file holding one or several.
//!
//! [`write_new_key`] writes `KEYFILE` (mode 0600, never over an existing file),
//! `KEYFILE.pub` (the signer verifier key) and `KEYFILE.cosigner.pub` (the cosign-only
//! verifier key), each durably.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use scrutin_log::{NoteVerifier, Signer};
use scrutin_model::AuthorKey;

use crate::atomic::{parent_of, sync_dir, temporary_beside};
use crate::{write_atomic, LedgerError};

fn io(path: &Path, e: impl std::fmt::Display) -> LedgerError {
    LedgerError::KeyFileIo {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Reads a private key file written by [`write_new_key`] (surrounding whitespace ignored).
///
/// # Errors
/// [`LedgerError::KeyFileIo`] if it cannot be read, [`LedgerError::NotAKeyFile`] if it does
/// not hold a private key string.
pub fn read_signer(path: &Path) -> Result<Signer, LedgerError> {
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    Signer::from_private_key_string(text.trim()).map_err(|e| LedgerError::NotAKeyFile {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// A new key named `name` whose private and verifier key strings both parse back.
///
/// Why the check: early scrutin-log builds split key strings on every `+`, which standard
/// base64 may contain, so about half of all random keys did not read back. That is fixed in
/// the log crate; the check stays so that no key file is handed out that
/// [`read_signer`] would then refuse.
///
/// # Errors
/// [`LedgerError::BadKeyName`] for a name C2SP does not allow; [`LedgerError::KeyGeneration`]
/// if no key round-trips.
pub fn generate_key(name: &str) -> Result<Signer, LedgerError> {
    for _ in 0..256 {
        let s = Signer::generate(name).map_err(|e| LedgerError::BadKeyName {
            name: name.to_owned(),
            reason: e.to_string(),
        })?;
        let private_ok = Signer::from_private_key_string(&s.to_private_key_string()).is_ok();
        let public_ok = NoteVerifier::parse(&s.verifier().to_vkey_string()).is_ok();
        if private_ok && public_ok {
            return Ok(s);
        }
    }
    Err(LedgerError::KeyGeneration)
}

/// Parses one trusted key: a vkey string, or a file whose first line that is neither empty
/// nor a `#` comment is one.
///
/// # Errors
/// [`LedgerError::KeyFileIo`], [`LedgerError::NotAVerifierKeyFile`] for a file,
/// [`LedgerError::NotAVerifierKey`] for a value that is neither a file nor a vkey string.
pub fn parse_trust(value: &str) -> Result<NoteVerifier, LedgerError> {
    let path = Path::new(value);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap_or("");
        return NoteVerifier::parse(line).map_err(|e| LedgerError::NotAVerifierKeyFile {
            path: value.to_owned(),
            reason: e.to_string(),
        });
    }
    NoteVerifier::parse(value).map_err(|e| LedgerError::NotAVerifierKey {
        value: value.to_owned(),
        reason: e.to_string(),
    })
}

/// Parses every trusted key value: each a vkey string or a trust file. A trust file gives
/// every key it lists (one per line; blank lines, `#` comments and a byte-order mark
/// skipped): an auditor's file often lists the registrar and every witness.
///
/// # Errors
/// [`LedgerError::NoTrustedKey`] for no value; [`LedgerError::SecretKeyAsVerifier`] for a
/// file holding a private key; [`LedgerError::BadTrustLine`] naming a line that does not
/// parse; [`LedgerError::NoVerifierKey`] for a file without a key; those of [`parse_trust`].
pub fn parse_trusts(values: &[String]) -> Result<Vec<NoteVerifier>, LedgerError> {
    if values.is_empty() {
        return Err(LedgerError::NoTrustedKey);
    }
    let mut out = Vec::new();
    for v in values {
        let path = Path::new(v);
        if !path.is_file() {
            out.push(parse_trust(v)?);
            continue;
        }
        let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
        let before = out.len();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim().trim_start_matches('\u{feff}');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with("PRIVATE+KEY+") {
                return Err(LedgerError::SecretKeyAsVerifier { path: v.clone() });
            }
            out.push(
                NoteVerifier::parse(line).map_err(|e| LedgerError::BadTrustLine {
                    path: v.clone(),
                    line: n + 1,
                    reason: e.to_string(),
                })?,
            );
        }
        if out.len() == before {
            return Err(LedgerError::NoVerifierKey { path: v.clone() });
        }
    }
    Ok(out)
}

/// A key name for a key file when none is given: the file's stem, made a valid C2SP key name
/// (whitespace and `+` become `-`); `scrutin` if that leaves nothing.
#[must_use]
pub fn default_key_name(out: &Path) -> String {
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

/// The author key of the events `signer` signs.
#[must_use]
pub fn author_of(signer: &Signer) -> AuthorKey {
    AuthorKey(*signer.public_key().as_bytes())
}

/// The author key a verifier key string names, or why it names none: the key reader that
/// [`crate::interchange::parse_meeting`] takes for a meeting file's `[[authorities]]`.
///
/// # Errors
/// The verifier key parser's message.
pub fn author_from_vkey(vkey: &str) -> Result<AuthorKey, String> {
    NoteVerifier::parse(vkey)
        .map(|v| AuthorKey(*v.public_key().as_bytes()))
        .map_err(|e| e.to_string())
}

fn with_suffix(out: &Path, suffix: &str) -> PathBuf {
    let mut s = out.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// `KEYFILE.pub`: where [`write_new_key`] writes the signer verifier key beside the secret.
#[must_use]
pub fn pub_path(out: &Path) -> PathBuf {
    with_suffix(out, ".pub")
}

/// `KEYFILE.cosigner.pub`: the key's C2SP cosigner verifier key (type 0x04). Verifiers give
/// a witness this one, which can only cosign, never sign a meeting of its own.
#[must_use]
pub fn cosigner_pub_path(out: &Path) -> PathBuf {
    with_suffix(out, ".cosigner.pub")
}

/// Writes a new secret key file at `out` (mode 0600 on Unix, refusing to replace any existing
/// file), then `KEYFILE.pub` and `KEYFILE.cosigner.pub`.
///
/// The secret is written whole to a temporary file (mode 0600) beside `out`, fsynced, and
/// linked to `out` only if nothing is there, then the directory fsynced: `out` never holds
/// part of a key, and an existing key is never replaced, even by a concurrent writer. The two
/// verifier key files are written with [`write_atomic`].
///
/// # Errors
/// [`LedgerError::KeyFileIo`] naming the file (`File exists` if `out` exists).
pub fn write_new_key(out: &Path, signer: &Signer) -> Result<(), LedgerError> {
    let tmp = temporary_beside(out, "key");
    let written = (|| {
        let mut opts = File::options();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(|e| io(&tmp, e))?;
        writeln!(f, "{}", signer.to_private_key_string()).map_err(|e| io(&tmp, e))?;
        f.sync_all().map_err(|e| io(&tmp, e))?;
        drop(f);
        // A hard link fails if `out` exists: no check-then-write race.
        std::fs::hard_link(&tmp, out).map_err(|e| io(out, e))
    })();
    let _ = std::fs::remove_file(&tmp);
    written?;
    sync_dir(&parent_of(out))?;
    let vkey = format!("{}\n", signer.verifier().to_vkey_string());
    write_atomic(&pub_path(out), vkey.as_bytes())?;
    let cosigner = format!("{}\n", signer.verifier().to_cosigner_vkey_string());
    write_atomic(&cosigner_pub_path(out), cosigner.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_round_trip_and_trust_forms() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("registrar.key");
        let s = generate_key(&default_key_name(&out)).unwrap();
        write_new_key(&out, &s).unwrap();
        let other = generate_key("other").unwrap();
        assert!(
            matches!(
                write_new_key(&out, &other),
                Err(LedgerError::KeyFileIo { .. })
            ),
            "never overwrites a key"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let back = read_signer(&out).unwrap();
        assert_eq!(back.public_key(), s.public_key(), "the first key stays");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
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
        assert!(matches!(
            parse_trust("nonsense"),
            Err(LedgerError::NotAVerifierKey { .. })
        ));
        assert_eq!(s.name(), "registrar");
        assert_eq!(author_from_vkey(&vkey), Ok(author_of(&s)));
        assert!(author_from_vkey("nonsense").is_err());
        assert!(matches!(
            read_signer(&p),
            Err(LedgerError::NotAKeyFile { .. })
        ));
    }

    #[test]
    fn trust_files_give_every_key_and_refuse_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let a = generate_key("a.example").unwrap();
        let b = generate_key("b.example").unwrap();
        let list = dir.path().join("trust.txt");
        std::fs::write(
            &list,
            format!(
                "\u{feff}# registrar and witness\n\n{}\n{}\n",
                a.verifier().to_vkey_string(),
                b.verifier().to_cosigner_vkey_string()
            ),
        )
        .unwrap();
        let keys = parse_trusts(&[list.display().to_string()]).unwrap();
        assert_eq!(keys.len(), 2, "every key of a trust file is read");
        assert!(matches!(parse_trusts(&[]), Err(LedgerError::NoTrustedKey)));
        let secret = dir.path().join("secret.key");
        write_new_key(&secret, &a).unwrap();
        assert!(matches!(
            parse_trusts(&[secret.display().to_string()]),
            Err(LedgerError::SecretKeyAsVerifier { .. })
        ));
        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, "# nothing\n").unwrap();
        assert!(matches!(
            parse_trusts(&[empty.display().to_string()]),
            Err(LedgerError::NoVerifierKey { .. })
        ));
        std::fs::write(&list, "# x\nnot a key\n").unwrap();
        assert!(matches!(
            parse_trusts(&[list.display().to_string()]),
            Err(LedgerError::BadTrustLine { line: 2, .. })
        ));
    }

    #[test]
    fn default_names_are_valid_key_names() {
        assert_eq!(default_key_name(Path::new("/x/my key+1.key")), "my-key-1");
        assert_eq!(default_key_name(Path::new("")), "scrutin");
        assert!(generate_key(&default_key_name(Path::new("a b.key"))).is_ok());
    }
}
