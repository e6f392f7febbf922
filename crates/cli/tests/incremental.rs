//! `scrutin verify --state-out STATE` and `scrutin verify --since STATE` end to end: the
//! incremental verification of a grown bundle prints the report of a full one (plus its
//! `incremental` field) and the same tally; a bundle of another history fails; an altered
//! or mismatched state is a usage error.

use std::path::{Path, PathBuf};

mod common;

use common::{ok, s, scrutin};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/jlmag")
        .join(name)
}

/// A ledger of the sample meeting in `dir/db` with its register imported; returns the db.
fn started(dir: &Path, key: &Path) -> PathBuf {
    let db = dir.join("db");
    ok(&[
        "init",
        "--db",
        s(&db),
        "--meeting",
        s(&fixture("meeting.toml")),
        "--key",
        s(key),
    ]);
    import(&db, key, "register", &fixture("register.csv"));
    db
}

fn import(db: &Path, key: &Path, kind: &str, file: &Path) {
    ok(&["import", kind, s(file), "--db", s(db), "--key", s(key)]);
}

fn export(db: &Path, key: &Path, out: &Path) {
    ok(&["checkpoint", "--db", s(db), "--key", s(key)]);
    ok(&["export", "--db", s(db), "--out", s(out)]);
}

/// The JSON report without its `incremental` field.
fn without_incremental(json: &str) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    v.as_object_mut().unwrap().remove("incremental");
    v
}

#[test]
fn verify_since_a_state_gives_the_full_verification() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = d.join("registrar.key");
    ok(&["keygen", "--out", s(&key)]);
    let pubkey = format!("{}.pub", s(&key));
    let db = started(d, &key);
    let early = d.join("early.bundle");
    export(&db, &key, &early);
    let state = d.join("early.state");
    let out = ok(&[
        "verify",
        s(&early),
        "--trust",
        &pubkey,
        "--state-out",
        s(&state),
    ]);
    assert!(out.contains("provisional"), "{out}");
    assert!(state.exists());

    import(&db, &key, "proxies", &fixture("proxies.csv"));
    import(&db, &key, "ballots", &fixture("ballots.csv"));
    ok(&["close", "--db", s(&db), "--key", s(&key)]);
    let last = d.join("last.bundle");
    export(&db, &key, &last);

    let (full_tally, inc_tally) = (d.join("full.json"), d.join("inc.json"));
    let full = ok(&[
        "verify",
        s(&last),
        "--trust",
        &pubkey,
        "--json",
        "--tally-out",
        s(&full_tally),
    ]);
    let inc = ok(&[
        "verify",
        s(&last),
        "--trust",
        &pubkey,
        "--json",
        "--since",
        s(&state),
        "--tally-out",
        s(&inc_tally),
        "--state-out",
        s(&d.join("last.state")),
    ]);
    assert_eq!(
        std::fs::read(&full_tally).unwrap(),
        std::fs::read(&inc_tally).unwrap()
    );
    assert_eq!(without_incremental(&inc), without_incremental(&full));
    let v: serde_json::Value = serde_json::from_str(&inc).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["result"]["status"], "declared");
    let since = v["incremental"]["since_size"].as_u64().unwrap();
    assert!(since > 1);
    assert_eq!(
        v["incremental"]["entries_checked"].as_u64().unwrap(),
        v["entries"].as_u64().unwrap() - since
    );
    assert!(serde_json::from_str::<serde_json::Value>(&full).unwrap()["incremental"].is_null());
    let text = ok(&["verify", s(&last), "--trust", &pubkey, "--since", s(&state)]);
    assert!(text.contains("VALID: every check passed"), "{text}");
    assert!(text.contains(&format!("the first {since} entries were verified before")));

    // Another ledger of the same meeting (same origin, same key): another history.
    let other_dir = d.join("other");
    std::fs::create_dir(&other_dir).unwrap();
    let other_db = started(&other_dir, &key);
    import(&other_db, &key, "proxies", &fixture("proxies.csv"));
    let other = d.join("other.bundle");
    export(&other_db, &key, &other);
    ok(&["verify", s(&other), "--trust", &pubkey]);
    let o = scrutin(&[
        "verify",
        s(&other),
        "--trust",
        &pubkey,
        "--since",
        s(&state),
    ]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("NOT VALID: chain: "), "{}", o.stdout);
    assert!(
        o.stdout.contains("a fork, or a rewritten entry"),
        "{}",
        o.stdout
    );

    // The early bundle is smaller than the last state.
    let o = scrutin(&[
        "verify",
        s(&early),
        "--trust",
        &pubkey,
        "--since",
        s(&d.join("last.state")),
    ]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("a log never shrinks"), "{}", o.stdout);

    // An altered state, and a state used under other keys, cannot be used: exit 2.
    let mut bytes = std::fs::read(&state).unwrap();
    let n = bytes.len();
    bytes[n - 1] ^= 1;
    let altered = d.join("altered.state");
    std::fs::write(&altered, &bytes).unwrap();
    let o = scrutin(&[
        "verify",
        s(&last),
        "--trust",
        &pubkey,
        "--since",
        s(&altered),
    ]);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("meeting-state digest"), "{}", o.stderr);
    let other_key = d.join("other.key");
    ok(&["keygen", "--out", s(&other_key), "--name", "witness"]);
    let o = scrutin(&[
        "verify",
        s(&last),
        "--trust",
        &pubkey,
        &format!("{}.pub", s(&other_key)),
        "--since",
        s(&state),
    ]);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("other trusted keys"), "{}", o.stderr);
}
