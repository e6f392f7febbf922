//! Audit replay: a bundle frozen in `tests/fixtures/audit-v1/` (made once by `generate.sh`,
//! never regenerated) must keep verifying with the keys of that day, and replaying it must
//! give the committed tally JSON byte for byte.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/audit-v1")
        .join(name)
}

#[test]
fn frozen_bundle_keeps_verifying_with_the_same_tally() {
    let dir = tempfile::tempdir().unwrap();
    let recomputed = dir.path().join("tally.json");
    let o = Command::new(env!("CARGO_BIN_EXE_scrutin"))
        .arg("verify")
        .arg(fixture("meeting.bundle"))
        .arg("--trust")
        .arg(fixture("registrar.vkey"))
        .arg(fixture("scrutineer.vkey"))
        .arg("--expect")
        .arg(fixture("tally.json"))
        .arg("--tally-out")
        .arg(&recomputed)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains("VALID: every check passed"), "{stdout}");
    assert!(stdout.contains(" 0 differ"), "{stdout}");
    let frozen = std::fs::read(fixture("tally.json")).unwrap();
    let again = std::fs::read(&recomputed).unwrap();
    assert!(
        frozen == again,
        "replayed tally JSON differs from the frozen one:\n{}",
        String::from_utf8_lossy(&again)
    );
}

#[test]
fn frozen_bundle_is_refused_without_its_key() {
    let o = Command::new(env!("CARGO_BIN_EXE_scrutin"))
        .arg("verify")
        .arg(fixture("meeting.bundle"))
        .arg("--trust")
        .arg(fixture("scrutineer.vkey"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
}
