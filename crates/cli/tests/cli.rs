//! End-to-end tests of the real `scrutin` binary: a whole meeting, and each failure a user
//! can meet (tampered bundle, untrusted key, bad and rule-breaking CSV rows, altered receipt,
//! a published tally that differs).

use std::path::{Path, PathBuf};

use base64::Engine as _;

mod common;

use common::{assert_exit_naming, ok, s, scrutin};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/jlmag")
        .join(name)
}

/// A meeting set up to just before the ballots: keys, ledger, register, abstentions, proxies.
struct Meeting {
    dir: tempfile::TempDir,
    db: PathBuf,
    registrar: PathBuf,
    scrutineer: PathBuf,
}

impl Meeting {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn db(&self) -> &str {
        s(&self.db)
    }

    fn key(&self) -> &str {
        s(&self.registrar)
    }

    fn tally_json(&self) -> String {
        ok(&["tally", "--db", self.db(), "--json"])
    }

    fn entries(&self) -> String {
        let st = ok(&["status", "--db", self.db()]);
        st.lines()
            .find(|l| l.starts_with("entries "))
            .unwrap_or_default()
            .to_owned()
    }
}

fn before_ballots() -> Meeting {
    let dir = tempfile::tempdir().unwrap();
    let registrar = dir.path().join("registrar.key");
    let scrutineer = dir.path().join("scrutineer.key");
    let vkey = ok(&["keygen", "--out", s(&registrar)]);
    assert!(vkey.starts_with("registrar+"), "{vkey}");
    ok(&["keygen", "--out", s(&scrutineer), "--name", "scrutineer"]);
    let db = dir.path().join("db");
    ok(&[
        "init",
        "--db",
        s(&db),
        "--meeting",
        s(&fixture("meeting.toml")),
        "--key",
        s(&registrar),
    ]);
    let m = Meeting {
        dir,
        db,
        registrar,
        scrutineer,
    };
    ok(&[
        "import",
        "register",
        s(&fixture("register.csv")),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
    let abst = m.path("abstentions.csv");
    std::fs::write(
        &abst,
        "holder,resolution,restriction,reason\nH0002,1,abstain,material interest (Rule 2.15)\n",
    )
    .unwrap();
    ok(&[
        "import",
        "abstentions",
        s(&abst),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
    ok(&[
        "import",
        "proxies",
        s(&fixture("proxies.csv")),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
    m
}

/// The whole meeting through to an exported, cosigned bundle.
fn full_meeting() -> (Meeting, PathBuf) {
    let m = before_ballots();
    let out = ok(&[
        "import",
        "ballots",
        s(&fixture("ballots.csv")),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
    assert!(out.contains("poll opened"), "{out}");
    let out = ok(&["close", "--db", m.db(), "--key", m.key()]);
    assert!(out.contains("result declared"), "{out}");
    ok(&["checkpoint", "--db", m.db(), "--key", m.key()]);
    let cp = m.db.join("checkpoint.txt");
    let registrar_pub = format!("{}.pub", m.key());
    let state = m.path("witness");
    let out = ok(&[
        "cosign",
        s(&cp),
        "--key",
        s(&m.scrutineer),
        "--state",
        s(&state),
        "--log-key",
        &registrar_pub,
        "--db",
        m.db(),
    ]);
    assert!(out.contains("cosigned"), "{out}");
    let bundle = m.path("meeting.bundle");
    ok(&["export", "--db", m.db(), "--out", s(&bundle)]);
    (m, bundle)
}

#[test]
fn a_whole_meeting_end_to_end() {
    let (m, bundle) = full_meeting();
    let t1 = m.tally_json();
    assert_eq!(
        t1,
        m.tally_json(),
        "tally JSON is byte-identical across runs"
    );
    let v: serde_json::Value = serde_json::from_str(&t1).unwrap();
    assert_eq!(v["represented"], 516_261_145u64);
    assert_eq!(v["resolutions"][0]["for"], 516_237_845u64);
    assert_eq!(v["resolutions"][0]["for_pct"], "99.9955");
    let ann = ok(&["announce", "--db", m.db()]);
    assert!(ann.contains("516,237,845"), "{ann}");
    let reg_pub = format!("{}.pub", m.key());
    let sc_pub = format!("{}.pub", s(&m.scrutineer));
    let out = ok(&["verify", s(&bundle), "--trust", &reg_pub, &sc_pub]);
    assert!(out.contains("VALID"), "{out}");
    assert!(out.contains("9. tally"), "{out}");
    assert!(out.contains("cosigned by scrutineer"), "{out}");
    // --json is the library's report, and quiet
    let j = ok(&["verify", s(&bundle), "--trust", &reg_pub, &sc_pub, "--json"]);
    let jv: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert!(jv.is_object());
    // receipts: HKSCC voted through its proxy P0002
    let receipt = m.path("hkscc.receipt.json");
    ok(&[
        "receipt",
        "--db",
        m.db(),
        "--holder",
        "H0001",
        "--out",
        s(&receipt),
    ]);
    let out = ok(&["verify-receipt", s(&receipt), "--trust", &reg_pub]);
    assert!(out.contains("VALID"), "{out}");
    // `close` declared with every poll closed, `checkpoint` ended with it: final.
    assert!(
        out.contains("before the final result declared at entry"),
        "{out}"
    );
    assert!(out.contains("is FINAL"), "{out}");
    // a second cosign of the same size by the same witness is consistent (no proof needed)
    let state = m.path("witness");
    ok(&[
        "cosign",
        s(&m.db.join("checkpoint.txt")),
        "--key",
        s(&m.scrutineer),
        "--state",
        s(&state),
    ]);
}

#[test]
fn tampered_bundle_names_the_entry() {
    let (m, bundle) = full_meeting();
    let mut bytes = std::fs::read(&bundle).unwrap();
    // The last occurrence of A0004 is its ballot (after its register line).
    let at = bytes
        .windows(5)
        .rposition(|w| w == b"A0004")
        .expect("ballot in bundle");
    bytes[at + 4] = b'5';
    let tampered = m.path("tampered.bundle");
    std::fs::write(&tampered, &bytes).unwrap();
    let reg_pub = format!("{}.pub", m.key());
    let o = scrutin(&["verify", s(&tampered), "--trust", &reg_pub]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    // genesis 0, grant 1, resolution 2, register 3-9, closed 10, abstention 11, proxies 12-13,
    // poll opened 14, ballots 15 (A0001) and 16 (A0004)
    assert!(o.stdout.contains("entry 16"), "{}", o.stdout);
    assert!(o.stdout.contains("NOT VALID"), "{}", o.stdout);
}

#[test]
fn untrusted_key_is_refused() {
    let (m, bundle) = full_meeting();
    let other = m.path("other.key");
    let vkey = ok(&["keygen", "--out", s(&other)]);
    let o = scrutin(&["verify", s(&bundle), "--trust", vkey.trim()]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("NOT VALID"), "{}", o.stdout);
    let o = scrutin(&["verify", s(&bundle), "--trust", "not-a-key"]);
    assert_eq!(o.code, 2, "usage error: {}", o.stderr);
}

#[test]
fn bad_csv_row_is_refused_with_line_and_column_and_changes_nothing() {
    let m = before_ballots();
    let before = (m.tally_json(), m.entries());
    let bad = m.path("ballots.csv");
    std::fs::write(
        &bad,
        "voter,resolution,for,against,abstain\nA0001,1,299990000,0,0\nA0004,1,10x000,0,0\n",
    )
    .unwrap();
    let o = scrutin(&[
        "import",
        "ballots",
        s(&bad),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
    assert_exit_naming(&o, 2, "ballots.csv:3:3: bad-number");
    assert_eq!((m.tally_json(), m.entries()), before);
}

#[test]
fn over_voting_row_is_refused_and_changes_nothing() {
    let m = before_ballots();
    let before = (m.tally_json(), m.entries());
    let bad = m.path("ballots.csv");
    std::fs::write(
        &bad,
        "voter,resolution,for,against,abstain\nA0001,1,299990000,0,0\nA0004,1,10001,0,0\n",
    )
    .unwrap();
    let o = scrutin(&[
        "import",
        "ballots",
        s(&bad),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
    assert_exit_naming(&o, 1, "ballots.csv:3:");
    assert!(o.stderr.contains("A0004"), "{}", o.stderr);
    assert!(o.stderr.contains("nothing from"), "{}", o.stderr);
    assert_eq!(
        (m.tally_json(), m.entries()),
        before,
        "no poll opened, no ballot"
    );
}

#[test]
fn altered_receipt_does_not_verify() {
    let (m, _) = full_meeting();
    let receipt = m.path("a0004.receipt.json");
    ok(&[
        "receipt",
        "--db",
        m.db(),
        "--holder",
        "A0004",
        "--out",
        s(&receipt),
    ]);
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&receipt).unwrap()).unwrap();
    let entries = v["entries"].as_array_mut().unwrap();
    let ballot = entries
        .iter_mut()
        .find(|e| e["role"] == "ballot")
        .expect("a ballot");
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut bytes = b64.decode(ballot["entry"].as_str().unwrap()).unwrap();
    let at = bytes.windows(5).position(|w| w == b"A0004").unwrap();
    bytes[at + 4] = b'5';
    ballot["entry"] = serde_json::Value::String(b64.encode(&bytes));
    let altered = m.path("altered.receipt.json");
    std::fs::write(&altered, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let reg_pub = format!("{}.pub", m.key());
    let o = scrutin(&["verify-receipt", s(&altered), "--trust", &reg_pub]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("NOT VALID"), "{}", o.stdout);

    // The event copy beside the signed bytes is bound to them too: an edited "for" fails,
    // naming the entry.
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&receipt).unwrap()).unwrap();
    let ballot = v["entries"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["role"] == "ballot")
        .expect("a ballot");
    let index = ballot["index"].as_u64().unwrap();
    let text = serde_json::to_string(&ballot["event"]).unwrap();
    let edited = text.replacen("\"for\":", "\"for\":1", 1);
    assert_ne!(edited, text, "no \"for\" in {text}");
    ballot["event"] = serde_json::from_str(&edited).unwrap();
    std::fs::write(&altered, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let o = scrutin(&["verify-receipt", s(&altered), "--trust", &reg_pub]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .contains(&format!("NOT VALID: entry {index}: the event")),
        "{}",
        o.stdout
    );
}

#[test]
fn a_receipt_needs_a_checkpoint_signed_right_after_close() {
    let m = before_ballots();
    ok(&[
        "import",
        "ballots",
        s(&fixture("ballots.csv")),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
    // A checkpoint before `close` does not end with the declaration.
    ok(&["checkpoint", "--db", m.db(), "--key", m.key()]);
    ok(&["close", "--db", m.db(), "--key", m.key()]);
    let receipt = m.path("h0001.receipt.json");
    let args = [
        "receipt",
        "--db",
        m.db(),
        "--holder",
        "H0001",
        "--out",
        s(&receipt),
    ];
    let o = scrutin(&args);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr
            .contains("run `scrutin checkpoint` right after `scrutin close`"),
        "{}",
        o.stderr
    );
    assert!(!receipt.exists());
    ok(&["checkpoint", "--db", m.db(), "--key", m.key()]);
    ok(&args);
    let reg_pub = format!("{}.pub", m.key());
    let out = ok(&["verify-receipt", s(&receipt), "--trust", &reg_pub]);
    assert!(out.contains("is FINAL"), "{out}");
}

#[test]
fn expect_lists_differences_and_report_is_written() {
    let (m, bundle) = full_meeting();
    let reg_pub = format!("{}.pub", m.key());
    let sc_pub = format!("{}.pub", s(&m.scrutineer));
    let claimed = m
        .tally_json()
        .replace("\"for\": 516237845", "\"for\": 516237846");
    let claimed_path = m.path("claimed.json");
    std::fs::write(&claimed_path, claimed).unwrap();
    let report = m.path("report.html");
    let o = scrutin(&[
        "verify",
        s(&bundle),
        "--trust",
        &reg_pub,
        &sc_pub,
        "--expect",
        s(&claimed_path),
        "--report",
        s(&report),
    ]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .contains("DIFFERS resolutions[id=1].for: claimed 516237846"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("1 differ"), "{}", o.stdout);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        html.contains("To consider and approve the change in the use of proceeds"),
        "the report names each resolution by its title"
    );
    let again = m.path("again.html");
    scrutin(&[
        "verify",
        s(&bundle),
        "--trust",
        &reg_pub,
        &sc_pub,
        "--expect",
        s(&claimed_path),
        "--report",
        s(&again),
    ]);
    // The same bytes but for the verification time the CLI stamps (its scope statement and the
    // attestation's date).
    let untimed = |page: &str| -> String {
        page.lines()
            .map(
                |l| match (l.find(", made "), l.find(" with scrutin version")) {
                    (Some(a), Some(b)) if a < b => format!("{}{}", &l[..a], &l[b..]),
                    _ if l.starts_with("<tr><th>Date</th>") => String::new(),
                    _ => l.to_owned(),
                },
            )
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        untimed(&html) == untimed(&std::fs::read_to_string(&again).unwrap()),
        "the report is deterministic"
    );
    assert!(
        html.contains("voting rules") && html.contains("<svg"),
        "{html}"
    );
    assert!(
        html.contains("516237846"),
        "the difference is in the report"
    );
    // and with the true tally, everything matches
    let truth = m.path("truth.json");
    std::fs::write(&truth, m.tally_json()).unwrap();
    let out = ok(&[
        "verify",
        s(&bundle),
        "--trust",
        &reg_pub,
        &sc_pub,
        "--expect",
        s(&truth),
    ]);
    assert!(out.contains(" 0 differ"), "{out}");
}

#[test]
fn export_needs_a_fresh_checkpoint() {
    let m = before_ballots();
    let bundle = m.path("b.bundle");
    let o = scrutin(&["export", "--db", m.db(), "--out", s(&bundle)]);
    assert_exit_naming(&o, 1, "scrutin checkpoint");
    ok(&["checkpoint", "--db", m.db(), "--key", m.key()]);
    ok(&[
        "import",
        "ballots",
        s(&fixture("ballots.csv")),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
    let o = scrutin(&["export", "--db", m.db(), "--out", s(&bundle)]);
    assert_exit_naming(&o, 1, "run `scrutin checkpoint");
    assert!(!bundle.exists());
}

#[test]
fn demo_runs() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("demo.html");
    let out = ok(&["demo", "--report", s(&report)]);
    assert!(out.contains("VALID: every check passed"), "{out}");
    assert!(
        out.contains("0 differ"),
        "published figures reproduced: {out}"
    );
    assert!(std::fs::metadata(&report).unwrap().len() > 1000);
}

#[test]
fn demo_scales() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("demo.html");
    let out = ok(&["demo", "--holders", "500", "--report", s(&report)]);
    assert!(out.contains("VALID: every check passed"), "{out}");
    assert!(out.contains("events/s"), "{out}");
}

#[test]
fn witness_refuses_a_forked_log() {
    // Ledger A: the witness cosigns its checkpoint.
    let a = before_ballots();
    ok(&["checkpoint", "--db", a.db(), "--key", a.key()]);
    let cp_a = a.db.join("checkpoint.txt");
    let state = a.path("witness");
    let reg_pub = format!("{}.pub", a.key());
    ok(&[
        "cosign",
        s(&cp_a),
        "--key",
        s(&a.scrutineer),
        "--state",
        s(&state),
        "--log-key",
        &reg_pub,
    ]);
    // Ledger B: same meeting, same log key, other history (a fork of the same origin).
    let db_b = a.path("db-b");
    ok(&[
        "init",
        "--db",
        s(&db_b),
        "--meeting",
        s(&fixture("meeting.toml")),
        "--key",
        a.key(),
    ]);
    ok(&[
        "import",
        "register",
        s(&fixture("register.csv")),
        "--db",
        s(&db_b),
        "--key",
        a.key(),
    ]);
    ok(&[
        "import",
        "proxies",
        s(&fixture("proxies.csv")),
        "--db",
        s(&db_b),
        "--key",
        a.key(),
    ]);
    ok(&[
        "import",
        "ballots",
        s(&fixture("ballots.csv")),
        "--db",
        s(&db_b),
        "--key",
        a.key(),
    ]);
    ok(&["checkpoint", "--db", s(&db_b), "--key", a.key()]);
    let cp_b = db_b.join("checkpoint.txt");
    let before = std::fs::read_to_string(&cp_b).unwrap();
    let o = scrutin(&[
        "cosign",
        s(&cp_b),
        "--key",
        s(&a.scrutineer),
        "--state",
        s(&state),
        "--db",
        s(&db_b),
    ]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("REFUSED"), "{}", o.stdout);
    assert!(o.stdout.contains("consistency proof"), "{}", o.stdout);
    assert_eq!(
        std::fs::read_to_string(&cp_b).unwrap(),
        before,
        "not cosigned"
    );
}

#[test]
fn close_refuses_an_unauthorised_key_and_declares_with_the_scrutineer() {
    let m = before_ballots();
    ok(&[
        "import",
        "ballots",
        s(&fixture("ballots.csv")),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
    let stranger = m.path("stranger.key");
    ok(&["keygen", "--out", s(&stranger)]);
    let o = scrutin(&["close", "--db", m.db(), "--key", s(&stranger)]);
    assert_eq!(
        o.code, 1,
        "an unknown key may not close: {}{}",
        o.stdout, o.stderr
    );
    assert!(
        m.entries().ends_with(" 19"),
        "nothing recorded: {}",
        m.entries()
    );
    let out = ok(&["close", "--db", m.db(), "--key", m.key()]);
    assert!(out.contains("result declared"), "{out}");
    // The declaration is final: closing again records nothing, says so and succeeds.
    let entries = m.entries();
    let again = ok(&["close", "--db", m.db(), "--key", m.key()]);
    assert!(again.contains("already declared"), "{again}");
    assert_eq!(m.entries(), entries, "nothing recorded");
}

#[test]
fn witness_cosigns_a_consistent_successor() {
    let m = before_ballots();
    ok(&["checkpoint", "--db", m.db(), "--key", m.key()]);
    let cp = m.db.join("checkpoint.txt");
    let state = m.path("witness");
    let reg_pub = format!("{}.pub", m.key());
    let sc = s(&m.scrutineer).to_owned();
    ok(&[
        "cosign",
        s(&cp),
        "--key",
        &sc,
        "--state",
        s(&state),
        "--log-key",
        &reg_pub,
    ]);
    let old = m.path("old.txt");
    std::fs::copy(&cp, &old).unwrap();
    ok(&[
        "import",
        "ballots",
        s(&fixture("ballots.csv")),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
    ok(&["close", "--db", m.db(), "--key", m.key()]);
    ok(&["checkpoint", "--db", m.db(), "--key", m.key()]);
    // The witness now needs a consistency proof from its last size.
    let o = scrutin(&["cosign", s(&cp), "--key", &sc, "--state", s(&state)]);
    assert_exit_naming(&o, 2, "consistency proof");
    let out = ok(&[
        "cosign",
        s(&cp),
        "--key",
        &sc,
        "--state",
        s(&state),
        "--db",
        m.db(),
    ]);
    assert!(out.contains("size 21"), "{out}");
    assert!(ok(&["status", "--db", m.db()]).contains("checkpoint size 21 (1 cosignature(s))"));
    // A rollback to the earlier, smaller checkpoint is refused, with the evidence.
    let o = scrutin(&["cosign", s(&old), "--key", &sc, "--state", s(&state)]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("smaller than the last cosigned size"),
        "{}",
        o.stdout
    );
    let bundle = m.path("b.bundle");
    ok(&["export", "--db", m.db(), "--out", s(&bundle)]);
    let sc_pub = format!("{sc}.pub");
    let v = ok(&["verify", s(&bundle), "--trust", &reg_pub, &sc_pub]);
    assert!(v.contains("cosigned by scrutineer"), "{v}");
}

#[test]
fn a_bad_meeting_file_leaves_no_ledger_behind() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("r.key");
    ok(&["keygen", "--out", s(&key)]);
    let meeting = dir.path().join("meeting.toml");
    let text = std::fs::read_to_string(fixture("meeting.toml")).unwrap();
    // A class meeting must name one class per resolution: the rules refuse it.
    std::fs::write(&meeting, text.replace("kind = \"EGM\"", "kind = \"CLASS\"")).unwrap();
    let db = dir.path().join("db");
    let o = scrutin(&[
        "init",
        "--db",
        s(&db),
        "--meeting",
        s(&meeting),
        "--key",
        s(&key),
    ]);
    assert_exit_naming(&o, 1, "resolution 1");
    assert!(!db.exists(), "nothing created");
    // A file that does not parse names the file and the line.
    std::fs::write(&meeting, "[meeting]\nid = \n").unwrap();
    let o = scrutin(&[
        "init",
        "--db",
        s(&db),
        "--meeting",
        s(&meeting),
        "--key",
        s(&key),
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("meeting.toml") && o.stderr.contains("line 2"),
        "{}",
        o.stderr
    );
    assert!(!db.exists());
}

/// A witness is trusted by its cosigner key (`KEYFILE.cosigner.pub`): the genuine meeting
/// verifies with it, and a meeting the witness ran itself, naming itself registrar, does not.
#[test]
fn a_witness_trusted_by_its_cosigner_key_cannot_run_a_meeting() {
    let (m, bundle) = full_meeting();
    let reg_pub = format!("{}.pub", m.key());
    let witness_pub = format!("{}.cosigner.pub", s(&m.scrutineer));
    let out = ok(&["verify", s(&bundle), "--trust", &reg_pub, &witness_pub]);
    assert!(out.contains("cosigned by scrutineer"), "{out}");
    // The witness opens a ledger of its own with the same meeting file and exports it.
    let forged_db = m.path("forged");
    let witness_key = s(&m.scrutineer);
    ok(&[
        "init",
        "--db",
        s(&forged_db),
        "--meeting",
        s(&fixture("meeting.toml")),
        "--key",
        witness_key,
    ]);
    ok(&["checkpoint", "--db", s(&forged_db), "--key", witness_key]);
    let forged = m.path("forged.bundle");
    ok(&["export", "--db", s(&forged_db), "--out", s(&forged)]);
    let o = scrutin(&["verify", s(&forged), "--trust", &reg_pub, &witness_pub]);
    assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
}

/// A chair may close the poll but not declare the result: `close` with the chair's key closes
/// every poll and exits 0, saying the declaration is still to do; the scrutineer's `close`
/// then declares it.
#[test]
fn a_chair_closes_and_the_scrutineer_declares() {
    let dir = tempfile::tempdir().unwrap();
    let registrar = dir.path().join("registrar.key");
    let chair = dir.path().join("chair.key");
    ok(&["keygen", "--out", s(&registrar)]);
    let chair_vkey = ok(&["keygen", "--out", s(&chair)]);
    let meeting = dir.path().join("meeting.toml");
    let text = std::fs::read_to_string(fixture("meeting.toml")).unwrap();
    std::fs::write(
        &meeting,
        format!(
            "{text}\n[[authorities]]\nkey = \"{}\"\nrole = \"chair\"\n",
            chair_vkey.trim()
        ),
    )
    .unwrap();
    let db = dir.path().join("db");
    let (db, reg) = (s(&db).to_owned(), s(&registrar).to_owned());
    ok(&["init", "--db", &db, "--meeting", s(&meeting), "--key", &reg]);
    for (kind, file) in [
        ("register", "register.csv"),
        ("proxies", "proxies.csv"),
        ("ballots", "ballots.csv"),
    ] {
        ok(&[
            "import",
            kind,
            s(&fixture(file)),
            "--db",
            &db,
            "--key",
            &reg,
        ]);
    }
    let out = ok(&["close", "--db", &db, "--key", s(&chair)]);
    assert!(out.contains("poll closed"), "{out}");
    assert!(out.contains("not declared yet"), "{out}");
    let out = ok(&["close", "--db", &db, "--key", &reg]);
    assert!(out.contains("result declared"), "{out}");
}

/// Runs the binary and returns (exit code, raw stdout, raw stderr): the bytes, not a lossy
/// decoding, so that a test sees exactly what reaches the terminal.
fn raw(args: &[&str]) -> (i32, Vec<u8>, Vec<u8>) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_scrutin"))
        .args(args)
        .output()
        .expect("run scrutin");
    (o.status.code().unwrap_or(-1), o.stdout, o.stderr)
}

/// The bytes hold no control character but line feeds (no ESC, CR, DEL, C1), no
/// bidirectional control, and no line that claims validity.
fn assert_terminal_safe(bytes: &[u8]) {
    let text = std::str::from_utf8(bytes).expect("UTF-8 output");
    for c in text.chars() {
        assert!(
            c == '\n'
                || !(c.is_control()
                    || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
            "raw U+{:04X} in output:\n{text}",
            u32::from(c)
        );
    }
    assert!(
        !text.lines().any(|l| l.starts_with("VALID")),
        "a line claims validity:\n{text}"
    );
}

const ORIGIN: &str = "scrutin/jlmag-2022-egm1";

#[test]
fn verify_origin_and_meeting_pin_the_meeting() {
    let (m, bundle) = full_meeting();
    let reg_pub = format!("{}.pub", m.key());
    let sc_pub = format!("{}.pub", s(&m.scrutineer));
    let out = ok(&[
        "verify",
        s(&bundle),
        "--trust",
        &reg_pub,
        &sc_pub,
        "--meeting",
        "jlmag-2022-egm1",
    ]);
    assert!(out.contains("10. pinning"), "{out}");
    assert!(out.contains("VALID: every check passed"), "{out}");
    ok(&[
        "verify",
        s(&bundle),
        "--origin",
        ORIGIN,
        "--trust",
        &reg_pub,
        &sc_pub,
    ]);
    for flag in ["--origin", "--meeting"] {
        let o = scrutin(&[
            "verify",
            s(&bundle),
            flag,
            "other",
            "--trust",
            &reg_pub,
            &sc_pub,
        ]);
        assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
        let verdict = o
            .stdout
            .lines()
            .find(|l| l.starts_with("NOT VALID"))
            .unwrap();
        assert!(verdict.starts_with("NOT VALID: pinning: "), "{verdict}");
        assert!(verdict.contains(&format!("{ORIGIN:?}")), "{verdict}");
        assert!(
            verdict.contains("\"other\"") || verdict.contains("\"scrutin/other\""),
            "{verdict}"
        );
        assert!(
            !o.stdout.contains("resolution "),
            "no tally for the wrong meeting"
        );
    }
    let o = scrutin(&[
        "verify",
        s(&bundle),
        "--origin",
        ORIGIN,
        "--meeting",
        "x",
        "--trust",
        &reg_pub,
    ]);
    assert_eq!(
        o.code, 2,
        "--origin and --meeting together is a usage error"
    );
}

#[test]
fn verify_quorum_counts_trusted_witnesses_and_names_the_silent_ones() {
    let (m, bundle) = full_meeting();
    let reg_pub = format!("{}.pub", m.key());
    let sc_pub = format!("{}.pub", s(&m.scrutineer));
    let other = m.path("lawyer.key");
    ok(&["keygen", "--out", s(&other)]);
    let lawyer = format!("{}.cosigner.pub", s(&other));
    let out = ok(&[
        "verify",
        s(&bundle),
        "--quorum",
        "1",
        "--trust",
        &reg_pub,
        &sc_pub,
        &lawyer,
    ]);
    assert!(out.contains("cosigned by scrutineer"), "{out}");
    assert!(
        out.contains("trusted witnesses that did not cosign: lawyer"),
        "{out}"
    );
    let j = ok(&[
        "verify",
        s(&bundle),
        "--json",
        "--trust",
        &reg_pub,
        &sc_pub,
        &lawyer,
    ]);
    let jv: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(jv["witnesses_silent"], serde_json::json!(["lawyer"]));
    let o = scrutin(&[
        "verify",
        s(&bundle),
        "--quorum",
        "2",
        "--trust",
        &reg_pub,
        &sc_pub,
        &lawyer,
    ]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    let verdict = o
        .stdout
        .lines()
        .find(|l| l.starts_with("NOT VALID"))
        .unwrap();
    assert!(verdict.contains("1 of the 2"), "{verdict}");
    assert!(verdict.contains("cosigned by scrutineer"), "{verdict}");
    assert!(verdict.contains("did not cosign: lawyer"), "{verdict}");
}

#[test]
fn verify_receipt_takes_the_same_pins() {
    let (m, _) = full_meeting();
    let receipt = m.path("h0001.receipt.json");
    ok(&[
        "receipt",
        "--db",
        m.db(),
        "--holder",
        "H0001",
        "--out",
        s(&receipt),
    ]);
    let reg_pub = format!("{}.pub", m.key());
    let sc_pub = format!("{}.pub", s(&m.scrutineer));
    let out = ok(&[
        "verify-receipt",
        s(&receipt),
        "--meeting",
        "jlmag-2022-egm1",
        "--quorum",
        "1",
        "--trust",
        &reg_pub,
        &sc_pub,
    ]);
    assert!(out.contains("pinning: "), "{out}");
    let o = scrutin(&[
        "verify-receipt",
        s(&receipt),
        "--origin",
        "scrutin/other",
        "--trust",
        &reg_pub,
    ]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("NOT VALID: pinning: "), "{}", o.stdout);
    assert!(o.stdout.contains(&format!("{ORIGIN:?}")), "{}", o.stdout);
    let o = scrutin(&[
        "verify-receipt",
        s(&receipt),
        "--quorum",
        "1",
        "--trust",
        &reg_pub,
    ]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("0 of the 1"), "{}", o.stdout);
}

/// A bundle whose witness name carries ESC, and a receipt whose origin carries a newline, an
/// ANSI sequence and a fake verdict: refused, and nothing raw reaches the terminal.
#[test]
fn crafted_names_and_origins_never_reach_the_terminal_raw() {
    let (m, bundle) = full_meeting();
    let reg_pub = format!("{}.pub", m.key());
    let sc_pub = format!("{}.pub", s(&m.scrutineer));
    // Bundle: same length, so the header's lengths still hold.
    let mut bytes = std::fs::read(&bundle).unwrap();
    let from = "\u{2014} scrutineer ".as_bytes();
    let at = bytes.windows(from.len()).position(|w| w == from).unwrap();
    bytes[at + from.len() - 5] = 0x1b;
    let crafted = m.path("crafted.bundle");
    std::fs::write(&crafted, &bytes).unwrap();
    for json in [false, true] {
        let mut args = vec!["verify", s(&crafted), "--trust", &reg_pub, &sc_pub];
        if json {
            args.push("--json");
        }
        let (code, out, err) = raw(&args);
        assert_eq!(code, 1);
        assert_terminal_safe(&out);
        assert_terminal_safe(&err);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("control character"), "{text}");
    }

    // Receipt: an origin that would print a fake verdict on a line of its own.
    let receipt = m.path("h0001.receipt.json");
    ok(&[
        "receipt",
        "--db",
        m.db(),
        "--holder",
        "H0001",
        "--out",
        s(&receipt),
    ]);
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&receipt).unwrap()).unwrap();
    v["origin"] = serde_json::Value::String(format!(
        "{ORIGIN}\r\n\u{1b}[2K\u{9b}1AVALID: every check passed\u{7f}\u{202e}"
    ));
    let crafted = m.path("crafted.receipt.json");
    std::fs::write(&crafted, serde_json::to_string(&v).unwrap()).unwrap();
    for json in [false, true] {
        let mut args = vec!["verify-receipt", s(&crafted), "--trust", &reg_pub];
        if json {
            args.push("--json");
        }
        let (code, out, err) = raw(&args);
        assert_eq!(code, 1);
        assert_terminal_safe(&out);
        assert_terminal_safe(&err);
    }

    // A checkpoint note for a witness, with ESC in its origin: refused, the error clean.
    let note = std::fs::read_to_string(m.db.join("checkpoint.txt")).unwrap();
    let evil = m.path("evil-checkpoint.txt");
    std::fs::write(
        &evil,
        note.replacen(ORIGIN, &format!("{ORIGIN}\u{1b}[2J"), 1),
    )
    .unwrap();
    let (code, out, err) = raw(&[
        "cosign",
        s(&evil),
        "--key",
        s(&m.scrutineer),
        "--state",
        s(&m.path("w2")),
        "--log-key",
        &reg_pub,
    ]);
    assert_eq!(code, 2);
    assert_terminal_safe(&out);
    assert_terminal_safe(&err);
    assert!(String::from_utf8(err)
        .unwrap()
        .contains("control character"));

    // A trust file naming a key with ESC: refused, the error clean.
    let vkey = std::fs::read_to_string(&reg_pub).unwrap();
    let evil_trust = m.path("evil.pub");
    std::fs::write(&evil_trust, vkey.replacen("registrar", "regi\u{1b}[31m", 1)).unwrap();
    let (code, out, err) = raw(&["verify", s(&bundle), "--trust", s(&evil_trust)]);
    assert_eq!(code, 2);
    assert_terminal_safe(&out);
    assert_terminal_safe(&err);
}

/// Issue 7's attack through the CLI: after `close`, a proxy form for HKSCC Nominees claiming
/// to have been lodged "at 12:00 the day before" would supersede the proxy whose 66,261,145
/// votes were counted. It is refused, nothing is recorded, and the tally stays as declared.
#[test]
fn a_proxy_form_imported_after_close_cannot_recount_the_poll() {
    let m = before_ballots();
    ok(&[
        "import",
        "ballots",
        s(&fixture("ballots.csv")),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
    ok(&["close", "--db", m.db(), "--key", m.key()]);
    let declared = m.tally_json();
    let entries = m.entries();
    let late = m.path("late-proxies.csv");
    std::fs::write(
        &late,
        "proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain,class,lodged_at\n\
         P9999,H0001,A friend,66261145,1,against,,,,H,2022-08-22T12:00:00+08:00\n",
    )
    .unwrap();
    let o = scrutin(&[
        "import",
        "proxies",
        s(&late),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("log-sealed"), "{}", o.stderr);
    assert_eq!(m.entries(), entries, "nothing recorded");
    assert_eq!(m.tally_json(), declared);
}

/// A form imported once the polls are open is late whatever lodging time it states.
#[test]
fn a_proxy_form_imported_after_the_polls_open_is_late() {
    let m = before_ballots();
    ok(&[
        "import",
        "ballots",
        s(&fixture("ballots.csv")),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
    let entries = m.entries();
    let late = m.path("late-proxies.csv");
    std::fs::write(
        &late,
        "proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain,class,lodged_at\n\
         P9999,H0001,A friend,66261145,1,against,,,,H,2022-08-22T12:00:00+08:00\n",
    )
    .unwrap();
    let o = scrutin(&[
        "import",
        "proxies",
        s(&late),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("late-proxy"), "{}", o.stderr);
    assert_eq!(m.entries(), entries, "nothing recorded");
}

/// The documented proxies.csv columns have no `lodged_at`: a past meeting's forms, imported
/// today before its polls open, are taken as lodged by the deadline.
#[test]
fn forms_without_a_lodging_time_of_a_past_meeting_import() {
    let m = before_ballots();
    let forms = m.path("more-proxies.csv");
    std::fs::write(
        &forms,
        "proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain\n\
         P9000,A0002,Chairman of the EGM,1000,1,for,,,\n",
    )
    .unwrap();
    ok(&[
        "import",
        "proxies",
        s(&forms),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
}

/// Before the declaration nothing is presented as a result: `tally`, `announce` and `verify`
/// say provisional, and no resolution is said to have passed.
#[test]
fn a_meeting_not_yet_declared_is_provisional_everywhere() {
    let m = before_ballots();
    ok(&[
        "import",
        "ballots",
        s(&fixture("ballots.csv")),
        "--db",
        m.db(),
        "--key",
        m.key(),
    ]);
    let table = ok(&["tally", "--db", m.db()]);
    assert!(table.contains("PROVISIONAL"), "{table}");
    assert!(!table.contains("passed"), "{table}");
    let text = ok(&["announce", "--db", m.db()]);
    assert!(text.contains("PROVISIONAL COUNT"), "{text}");
    assert!(!text.contains("passed"), "{text}");
    ok(&["checkpoint", "--db", m.db(), "--key", m.key()]);
    let bundle = m.path("provisional.bundle");
    ok(&["export", "--db", m.db(), "--out", s(&bundle)]);
    let registrar_pub = format!("{}.pub", m.key());
    let out = ok(&["verify", s(&bundle), "--trust", &registrar_pub]);
    assert!(
        out.contains("VALID, provisional, no result declared"),
        "{out}"
    );
    let results = &out[out.find("resolution").unwrap_or(0)..];
    assert!(!results.contains("passed"), "{out}");
    let json = ok(&["verify", s(&bundle), "--trust", &registrar_pub, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["result"]["status"], "provisional");
}

#[test]
fn receipt_all_writes_every_holder_and_verify_receipt_takes_them_together() {
    let (m, _) = full_meeting();
    let outdir = m.path("receipts");
    let out = ok(&["receipt", "--db", m.db(), "--all", s(&outdir)]);
    assert!(out.starts_with("wrote "), "{out}");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&outdir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() > 1, "{out}");
    assert!(
        out.contains(&format!("wrote {} receipts", files.len())),
        "{out}"
    );
    // The same bytes as one holder's receipt.
    let one = m.path("a0004.receipt.json");
    ok(&[
        "receipt",
        "--db",
        m.db(),
        "--holder",
        "A0004",
        "--out",
        s(&one),
    ]);
    assert_eq!(
        std::fs::read(outdir.join("A0004.json")).unwrap(),
        std::fs::read(&one).unwrap()
    );
    let reg_pub = format!("{}.pub", m.key());
    let mut args: Vec<&str> = vec!["verify-receipt"];
    args.extend(files.iter().map(|f| s(f)));
    args.extend(["--trust", &reg_pub]);
    let o = scrutin(&args);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert_eq!(
        o.stdout.matches("\nreceipt ").count() + 1,
        files.len(),
        "{}",
        o.stdout
    );
    // One altered receipt among them: exit 1.
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let ballot = v["entries"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["role"] == "ballot")
        .unwrap();
    let mut bytes = b64.decode(ballot["entry"].as_str().unwrap()).unwrap();
    let at = bytes.len() - 65;
    bytes[at] ^= 1;
    ballot["entry"] = serde_json::Value::String(b64.encode(&bytes));
    std::fs::write(&files[0], serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let o = scrutin(&args);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("NOT VALID"), "{}", o.stdout);
    // Enough files to be read and checked on several threads: each reported in the order
    // given, only the altered one's copies not valid; a file that is not a receipt at the
    // end stops the run (exit 2) after the others are reported.
    let many: Vec<&PathBuf> = files.iter().cycle().take(files.len().max(1) * 40).collect();
    assert!(many.len() >= 80);
    let junk = m.path("not-a-receipt.json");
    std::fs::write(&junk, "{}").unwrap();
    let mut args: Vec<&str> = vec!["verify-receipt"];
    args.extend(many.iter().map(|f| s(f)));
    args.push(s(&junk));
    args.extend(["--trust", &reg_pub]);
    let o = scrutin(&args);
    assert_eq!(o.code, 2, "{}", o.stderr);
    let reported: Vec<&str> = o
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("receipt "))
        .collect();
    assert_eq!(reported.len(), many.len(), "{}", o.stdout);
    for (line, file) in reported.iter().zip(&many) {
        assert!(
            line.contains(&*file.file_name().unwrap().to_string_lossy()),
            "{line}"
        );
    }
    let not_valid = many.iter().filter(|f| **f == &files[0]).count();
    assert_eq!(
        o.stdout.matches("NOT VALID").count(),
        not_valid,
        "{}",
        o.stdout
    );
    assert!(o.stderr.contains("not a vote receipt"), "{}", o.stderr);
}
