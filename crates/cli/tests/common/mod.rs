//! Running the real `scrutin` binary from the end-to-end tests.

#![allow(dead_code)] // each test file uses its own subset

use std::path::Path;
use std::process::Command;

/// What a run of the binary gave back.
pub(crate) struct Out {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs `scrutin ARGS...` and collects its exit code and output.
pub(crate) fn scrutin(args: &[&str]) -> Out {
    let o = Command::new(env!("CARGO_BIN_EXE_scrutin"))
        .args(args)
        .output()
        .expect("run scrutin");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Runs `scrutin ARGS...`, which must exit 0; returns its stdout.
pub(crate) fn ok(args: &[&str]) -> String {
    let o = scrutin(args);
    assert_eq!(
        o.code, 0,
        "scrutin {args:?}\nstdout:\n{}\nstderr:\n{}",
        o.stdout, o.stderr
    );
    o.stdout
}

/// A path as the `&str` argument the binary takes.
pub(crate) fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Asserts the run exited with `code` and that its stderr names `place` (a refusal's
/// `FILE:LINE:COLUMN: rule`, or a warning), showing both streams when it did not.
pub(crate) fn assert_exit_naming(o: &Out, code: i32, place: &str) {
    assert_eq!(o.code, code, "stdout:\n{}\nstderr:\n{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains(place),
        "stderr does not name {place:?}:\n{}",
        o.stderr
    );
}

/// Writes `text` to `dir/name`; returns the path as an argument.
pub(crate) fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    s(&p).to_owned()
}

/// A new ledger in `dir/db` for the meeting file `meeting` (written to `dir/meeting.toml`),
/// with a registrar key made by `keygen` at `dir/registrar.key`: what every end-to-end test
/// of a meeting starts with. Returns (key, db).
pub(crate) fn init_meeting(dir: &Path, meeting: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let key = dir.join("registrar.key");
    ok(&["keygen", "--out", s(&key)]);
    let db = dir.join("db");
    let m = write(dir, "meeting.toml", meeting);
    ok(&["init", "--db", s(&db), "--meeting", &m, "--key", s(&key)]);
    (key, db)
}
