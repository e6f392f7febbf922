//! The binary as an outside user meets it: files written from docs/CLI.md alone, the way a
//! registrar's spreadsheet exports them (UTF-8 BOM, CRLF, quoted grouped numbers, extra
//! columns, empty optional cells), commands on a missing ledger, and output piped to a reader
//! that stops early.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;

use common::{assert_exit_naming, ok, s, scrutin, Out};

const MEETING: &str = r#"[meeting]
id = "acme-2026-agm"
issuer = "ACME HOLDINGS LIMITED"
stock_code = "00999"
kind = "AGM"
date = "2026-06-10"
rules = "hk"
record_date = "2026-06-04"
proxy_deadline = "2026-06-08T10:00:00+08:00"

[[classes]]
id = "ORD"
name = "Ordinary shares"

[[resolutions]]
id = "1"
kind = "ordinary"
title = "To receive the audited financial statements"

[[resolutions]]
id = "2"
kind = "ordinary"
title = "To approve the connected transaction"
"#;

/// A ledger with the meeting initialised, in a fresh directory.
struct Setup {
    dir: tempfile::TempDir,
    db: PathBuf,
    key: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        Setup::with(MEETING)
    }

    fn with(meeting_toml: &str) -> Setup {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = dir.path().join("reg.key");
        let meeting = dir.path().join("meeting.toml");
        std::fs::write(&meeting, meeting_toml).expect("write meeting");
        ok(&["keygen", "--out", s(&key)]);
        let db = dir.path().join("db");
        ok(&[
            "init",
            "--db",
            s(&db),
            "--meeting",
            s(&meeting),
            "--key",
            s(&key),
        ]);
        Setup { dir, db, key }
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).expect("write file");
        p
    }

    fn import(&self, kind: &str, file: &Path, extra: &[&str]) -> Out {
        let mut args = vec![
            "import",
            kind,
            s(file),
            "--db",
            s(&self.db),
            "--key",
            s(&self.key),
        ];
        args.extend_from_slice(extra);
        scrutin(&args)
    }

    fn tally_json(&self) -> String {
        ok(&["tally", "--db", s(&self.db), "--json"])
    }
}

#[test]
fn spreadsheet_exported_files_import_and_tally_has_the_design_fields() {
    let m = Setup::new();
    // Excel: BOM, CRLF, a quoted grouped count, a quoted name with a comma, an extra column
    // with empty cells.
    let reg = m.write(
        "register.csv",
        b"\xef\xbb\xbfholder,name,class,shares,notes\r\n\
          H1,HKSCC NOMINEES LIMITED,ORD,\"1,000,000\",custodian\r\n\
          H2,\"Smith, John\",ORD,200000,\r\n\
          H3,Connected Co,ORD,300 000,\r\n\
          treasury,Treasury shares,ORD,100000,\r\n",
    );
    let r = m.import("register", &reg, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let abst = m.write(
        "abstentions.csv",
        b"holder,resolution,restriction,reason\r\nH3,2,abstain,\"material interest, Rule 14A.36\"\r\n",
    );
    assert_eq!(m.import("abstentions", &abst, &[]).code, 0);
    let px = m.write(
        "proxies.csv",
        b"proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain,lodged_at\r\n\
          P1,H2,Chairman,,1,split,150000,50000,0,2026-06-07T09:00:00+08:00\r\n\
          P1,H2,Chairman,,2,discretion,,,,2026-06-07T09:00:00+08:00\r\n",
    );
    let r = m.import("proxies", &px, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ballots = m.write(
        "ballots.csv",
        b"\xef\xbb\xbfvoter,resolution,for,against,abstain\r\n\
          H1,1,\"700,000\",\"200,000\",\"100,000\"\r\n\
          proxy:P1,1,150000,50000,0\r\nproxy:P1,2,0,200000,\r\n",
    );
    let r = m.import("ballots", &ballots, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t: serde_json::Value = serde_json::from_str(&m.tally_json()).expect("tally json");
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    for f in [
        "meeting",
        "classes",
        "entitled",
        "represented",
        "represented_pct",
        "resolutions",
    ] {
        assert!(keys(&t).contains(&f.to_owned()), "top level lacks {f}");
    }
    for f in ["id", "entitled", "represented"] {
        assert!(
            keys(&t["classes"][0]).contains(&f.to_owned()),
            "class lacks {f}"
        );
    }
    let r1 = &t["resolutions"][0];
    for f in [
        "id",
        "kind",
        "entitled",
        "must_abstain",
        "against_only",
        "for",
        "against",
        "abstain",
        "for_pct",
        "against_pct",
        "abstain_pct",
        "passed",
        "disregarded",
        "by_class",
        "candidates",
    ] {
        assert!(keys(r1).contains(&f.to_owned()), "resolution lacks {f}");
    }
    // Treasury carries no votes; 300 000 (space-grouped) is 300,000.
    assert_eq!(t["entitled"], 1_500_000);
    assert_eq!(r1["for"], 850_000);
    assert_eq!(r1["by_class"]["ORD"]["against"], 250_000);
    assert_eq!(t["resolutions"][1]["must_abstain"], 300_000);
    assert_eq!(r1["for_pct"], "77.2727");
}

#[test]
fn a_decimal_comma_is_refused_not_read_as_thousands() {
    let m = Setup::new();
    let before = m.tally_json();
    // "1,5" (a decimal comma) must not become 15 shares, nor "1234,56" 123456.
    for (cell, col) in [
        ("\"1,5\"", 4),
        ("\"1234,56\"", 4),
        ("1.000", 4),
        ("\"1,0000\"", 4),
        ("1,000", 5),
    ] {
        let reg = m.write(
            "register.csv",
            format!("holder,name,class,shares\nH1,One,ORD,100\nH2,Two,ORD,{cell}\n").as_bytes(),
        );
        let r = m.import("register", &reg, &[]);
        assert_exit_naming(&r, 2, &format!("register.csv:3:{col}: bad-"));
        assert_eq!(m.tally_json(), before, "{cell}: nothing may be applied");
    }
    // Well-formed groups in any one separator are fine.
    let reg = m.write(
        "register.csv",
        "holder,name,class,shares\nH1,One,ORD,\"1,234,567\"\nH2,Two,ORD,1_000\nH3,Three,ORD,2\u{a0}000\nH4,Four,ORD,3'000\n"
            .as_bytes(),
    );
    let r = m.import("register", &reg, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t: serde_json::Value = serde_json::from_str(&m.tally_json()).expect("json");
    assert_eq!(t["entitled"], 1_234_567 + 1_000 + 2_000 + 3_000);
}

#[test]
fn a_treasury_ballot_names_the_voter_column() {
    let m = Setup::new();
    let reg = m.write(
        "register.csv",
        b"holder,name,class,shares\nH1,One,ORD,100\ntreasury,Treasury,ORD,50\n",
    );
    assert_eq!(m.import("register", &reg, &[]).code, 0);
    let before = m.tally_json();
    let b = m.write(
        "ballots.csv",
        b"voter,resolution,for,against,abstain\nH1,1,100,0,0\ntreasury,1,50,0,0\n",
    );
    let r = m.import("ballots", &b, &[]);
    assert_exit_naming(&r, 1, "ballots.csv:3:1: treasury-shares:");
    assert_eq!(m.tally_json(), before);
}

#[test]
fn commands_on_a_missing_ledger_exit_2_and_create_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("k.key");
    ok(&["keygen", "--out", s(&key)]);
    let db = dir.path().join("nodb");
    let csv = dir.path().join("b.csv");
    std::fs::write(&csv, "voter,resolution,for,against,abstain\nH1,1,1,0,0\n").expect("csv");
    let out = dir.path().join("out");
    let (d, k, c, o) = (s(&db), s(&key), s(&csv), s(&out));
    for args in [
        vec!["tally", "--db", d],
        vec!["announce", "--db", d],
        vec!["import", "ballots", c, "--db", d, "--key", k],
        vec!["close", "--db", d, "--key", k],
        vec!["checkpoint", "--db", d, "--key", k],
        vec!["export", "--db", d, "--out", o],
        vec!["receipt", "--db", d, "--holder", "H1", "--out", o],
    ] {
        let r = scrutin(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("scrutin: ") && r.stderr.contains("no ledger"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(!db.exists(), "{args:?} created the ledger directory");
        assert!(!out.exists(), "{args:?} wrote an output file");
    }
}

#[test]
fn a_reader_that_stops_early_is_not_a_crash() {
    let m = Setup::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_scrutin"))
        .args(["announce", "--db", s(&m.db)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Close the read end before the binary has opened the ledger and printed.
    drop(child.stdout.take());
    let o = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    let _ = std::io::stderr().flush();
}

#[test]
fn proxy_numbers_are_read_only_with_split() {
    let m = Setup::new();
    let reg = m.write(
        "register.csv",
        b"holder,name,class,shares\nH1,One,ORD,1000\nH2,Two,ORD,2000\n",
    );
    assert_eq!(m.import("register", &reg, &[]).code, 0);
    let before = m.tally_json();
    let head =
        "proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain,lodged_at\n";
    let at = "2026-06-07T09:00:00+08:00";
    for (rows, want) in [
        // `for` with a number: "5 shares for" must not become "every share for".
        (
            format!("P1,H1,Chair,,1,for,5,0,0,{at}\n"),
            "proxies.csv:2:7: bad-instruction",
        ),
        (
            format!("P1,H1,Chair,,1,split,600,0,0,{at}\nP1,H1,Chair,,2,against,0,7,0,{at}\n"),
            "proxies.csv:3:8: bad-instruction",
        ),
        // `split` whose numbers are all missing.
        (
            format!("P1,H1,Chair,,1,split,,,,{at}\n"),
            "proxies.csv:2:7: missing-value",
        ),
    ] {
        let f = m.write("proxies.csv", format!("{head}{rows}").as_bytes());
        let r = m.import("proxies", &f, &[]);
        assert_exit_naming(&r, 2, want);
        assert_eq!(m.tally_json(), before);
    }
    // Zeros beside a plain instruction (a form system filling every column) are fine.
    let f = m.write(
        "proxies.csv",
        format!("{head}P1,H1,Chair,,1,for,0,0,0,{at}\nP1,H1,Chair,,2,split,600,400,,{at}\n")
            .as_bytes(),
    );
    let r = m.import("proxies", &f, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A PRC AGM: A and H shares, an H class-meeting resolution and a cumulative election.
const PRC: &str = r#"[meeting]
id = "dragon-2026-agm"
issuer = "DRAGON MACHINERY CO., LTD."
stock_code = "01234"
kind = "AGM"
date = 2026-05-20
rules = "prc"
record_date = "2026-05-14"
proxy_deadline = "2026-05-19T09:30:00+08:00"

[[classes]]
id = "A"
name = "A shares"

[[classes]]
id = "H"
name = "H shares"

[[resolutions]]
id = "1"
kind = "ordinary"
title = "To approve the annual report"

[[resolutions]]
id = "2"
kind = "special"
title = "H class meeting: general mandate"
classes = ["H"]

[[resolutions]]
id = "3"
kind = "cumulative"
title = "To elect two directors"
seats = 2
candidates = ["C1", { id = "C2", name = "Ms Wang" }, "C3"]
"#;

#[test]
fn a_ballot_row_is_split_or_cumulative_and_a_repeated_candidate_names_its_row() {
    let m = Setup::with(PRC);
    let reg = m.write(
        "register.csv",
        b"holder,name,class,shares\nA1,China Holdings,A,6000\nH1,HKSCC NOMINEES LIMITED,H,3000\n",
    );
    assert_eq!(m.import("register", &reg, &[]).code, 0);
    let before = m.tally_json();
    let head = "voter,resolution,for,against,abstain,candidate,votes\n";
    for (rows, code, want) in [
        // A cumulative row with a `for` number: the 5 would be dropped.
        ("A1,3,5,0,0,C1,100\n", 2, "ballots.csv:2:3: mixed-row"),
        // A split row with a `votes` number: the 7 would be dropped.
        ("H1,1,5,0,0,,7\n", 2, "ballots.csv:2:7: mixed-row"),
        // The repeated candidate is named on its own row and column.
        (
            "A1,1,6000,0,0,,\nA1,3,,,,C1,100\nH1,1,3000,0,0,,\nA1,3,,,,C1,200\n",
            1,
            "ballots.csv:5:6: duplicate-candidate",
        ),
    ] {
        let f = m.write("ballots.csv", format!("{head}{rows}").as_bytes());
        let r = m.import("ballots", &f, &[]);
        assert_eq!(r.code, code, "{rows}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(want), "{rows}: {}", r.stderr);
        assert_eq!(m.tally_json(), before, "{rows}: nothing may be applied");
    }
    // Both forms in one file, zeros in the other form's cells, a class-meeting resolution.
    let f = m.write(
        "ballots.csv",
        format!(
            "{head}A1,1,6000,0,0,,\nH1,2,2000,1000,0,,0\nA1,3,0,0,0,C1,7000\nA1,3,,,,C2,5000\n\
             H1,3,,,,C3,6000\n"
        )
        .as_bytes(),
    );
    let r = m.import("ballots", &f, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t: serde_json::Value = serde_json::from_str(&m.tally_json()).expect("json");
    let r3 = &t["resolutions"][2];
    assert_eq!(r3["candidates"][0]["votes"], 7000);
    assert_eq!(r3["candidates"][2]["votes"], 6000);
    assert_eq!(t["resolutions"][1]["by_class"]["H"]["against"], 1000);
}

#[test]
fn a_file_not_in_utf8_or_commas_is_named_with_its_cell_and_the_fix() {
    let m = Setup::new();
    // Excel's plain "CSV" on Windows: Windows-1252 "Société" in the name column.
    let f = m.write(
        "register.csv",
        b"holder,name,class,shares\nH1,One,ORD,5\nH2,Soci\xe9t\xe9,ORD,5\n",
    );
    let r = m.import("register", &f, &[]);
    assert_exit_naming(
        &r,
        2,
        "register.csv:3:2: bad-csv: the cell is not UTF-8 text",
    );
    let f = m.write("register.csv", b"holder;name;class;shares\nH1;One;ORD;5\n");
    let r = m.import("register", &f, &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("register.csv:1:1: missing-column") && r.stderr.contains("`;`"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_expect_file_that_names_no_figure_is_not_a_pass() {
    let m = Setup::new();
    let reg = m.write(
        "register.csv",
        b"holder,name,class,shares\nH1,One,ORD,1000\n",
    );
    assert_eq!(m.import("register", &reg, &[]).code, 0);
    let b = m.write(
        "ballots.csv",
        b"voter,resolution,for,against,abstain\nH1,1,1000,0,0\nH1,2,0,1000,0\n",
    );
    assert_eq!(m.import("ballots", &b, &[]).code, 0);
    let bundle = close_and_export(&m, None);
    let trust = format!("{}.pub", s(&m.key));
    for claim in ["{}", "{\"resolutions\": []}"] {
        let e = m.write("claimed.json", claim.as_bytes());
        let r = scrutin(&["verify", s(&bundle), "--trust", &trust, "--expect", s(&e)]);
        assert_exit_naming(&r, 2, "names no figure");
    }
    // As typed in Notepad: a byte-order mark and CRLF.
    let e = m.write(
        "claimed.json",
        b"\xef\xbb\xbf{\"resolutions\": [{\"id\": \"1\", \"for\": \"1,000\"}]}\r\n",
    );
    let r = scrutin(&["verify", s(&bundle), "--trust", &trust, "--expect", s(&e)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn a_column_given_twice_is_refused_but_extra_columns_may_repeat() {
    let m = Setup::new();
    let f = m.write(
        "register.csv",
        b"holder,name,class,shares,Shares\nH1,One,ORD,1000,10\n",
    );
    let r = m.import("register", &f, &[]);
    assert_exit_naming(
        &r,
        2,
        "register.csv:1:5: bad-csv: the header names `shares` twice",
    );
    let f = m.write(
        "register.csv",
        b"holder,name,class,shares,note,note\nH1,One,ORD,1000,a,b\n",
    );
    let r = m.import("register", &f, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn init_never_writes_into_a_directory_of_other_files() {
    let m = Setup::new();
    let meeting = m.dir.path().join("meeting.toml");
    let busy = m.dir.path().join("busy");
    std::fs::create_dir(&busy).expect("mkdir");
    std::fs::write(busy.join("notes.txt"), "mine").expect("write");
    let key = s(&m.key);
    let r = scrutin(&[
        "init",
        "--db",
        s(&busy),
        "--meeting",
        s(&meeting),
        "--key",
        key,
    ]);
    assert_exit_naming(&r, 2, "not empty");
    assert_eq!(std::fs::read_dir(&busy).expect("dir").count(), 1);
    // A file, and an existing ledger, are named.
    let r = scrutin(&[
        "init",
        "--db",
        s(&meeting),
        "--meeting",
        s(&meeting),
        "--key",
        key,
    ]);
    assert_exit_naming(&r, 2, "meeting.toml: is a file");
    let r = scrutin(&[
        "init",
        "--db",
        s(&m.db),
        "--meeting",
        s(&meeting),
        "--key",
        key,
    ]);
    assert_exit_naming(&r, 2, "already exists");
    // An empty directory is fine.
    let empty = m.dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    ok(&[
        "init",
        "--db",
        s(&empty),
        "--meeting",
        s(&meeting),
        "--key",
        key,
    ]);
}

#[test]
fn line_numbers_are_the_files_own_after_blank_lines_and_multi_line_cells() {
    let m = Setup::new();
    let before = m.tally_json();
    for (text, want) in [
        // A quoted name over two lines (CRLF): the bad row is on line 4.
        (
            &b"\xef\xbb\xbfholder,name,class,shares\r\nH1,\"Line one\r\nline two\",ORD,5\r\nH2,B,ORD,x\r\n"[..],
            "register.csv:4:4: bad-number",
        ),
        // Blank lines (LF, then CRLF) before the bad row.
        (
            &b"holder,name,class,shares\n\n\nH1,B,ORD,x\n"[..],
            "register.csv:4:4: bad-number",
        ),
        (
            &b"holder,name,class,shares\r\nH1,A,ORD,1\r\n\r\n\r\nH2,B,ORD,x\r\n"[..],
            "register.csv:5:4: bad-number",
        ),
    ] {
        let f = m.write("register.csv", text);
        let r = m.import("register", &f, &[]);
        assert_exit_naming(&r, 2, want);
    }
    // A rule refusal after a blank line names the row's own line too.
    let f = m.write(
        "register.csv",
        b"holder,name,class,shares\nH1,A,ORD,1\n\nH2,B,NOPE,2\n",
    );
    let r = m.import("register", &f, &[]);
    assert_exit_naming(&r, 1, "register.csv:4:3: unknown-class");
    assert_eq!(m.tally_json(), before);
}

/// Closes the meeting, checkpoints, has `witness` (a key file) cosign if given, and exports.
fn close_and_export(m: &Setup, witness: Option<&Path>) -> PathBuf {
    let (db, key) = (s(&m.db), s(&m.key));
    ok(&["close", "--db", db, "--key", key]);
    ok(&["checkpoint", "--db", db, "--key", key]);
    if let Some(w) = witness {
        let cp = m.db.join("checkpoint.txt");
        let state = m.dir.path().join("witness-state");
        let log_key = format!("{key}.pub");
        ok(&[
            "cosign",
            s(&cp),
            "--key",
            s(w),
            "--state",
            s(&state),
            "--log-key",
            &log_key,
            "--db",
            db,
        ]);
    }
    let bundle = m.dir.path().join("m.bundle");
    ok(&["export", "--db", db, "--out", s(&bundle)]);
    bundle
}

#[test]
fn one_trust_file_may_list_the_registrar_and_every_witness() {
    let m = Setup::new();
    let reg = m.write(
        "register.csv",
        b"holder,name,class,shares\nH1,One,ORD,1000\n",
    );
    assert_eq!(m.import("register", &reg, &[]).code, 0);
    let b = m.write(
        "ballots.csv",
        b"voter,resolution,for,against,abstain\nH1,1,1000,0,0\n",
    );
    assert_eq!(m.import("ballots", &b, &[]).code, 0);
    let witness = m.dir.path().join("lawyer.key");
    ok(&["keygen", "--out", s(&witness)]);
    let bundle = close_and_export(&m, Some(&witness));
    let read = |p: &Path| {
        std::fs::read_to_string(p)
            .expect("read key")
            .trim()
            .to_owned()
    };
    let reg_pub = read(&m.dir.path().join("reg.key.pub"));
    let wit_pub = read(&m.dir.path().join("lawyer.key.pub"));
    let trust = m.write(
        "trusted.txt",
        format!("# registrar\r\n{reg_pub}\r\n\r\n# lawyer (witness)\r\n{wit_pub}\r\n").as_bytes(),
    );
    let r = scrutin(&["verify", s(&bundle), "--trust", s(&trust)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("VALID"), "{}", r.stdout);
    // A secret key given by mistake is named as such, not parsed as garbage.
    let r = scrutin(&["verify", s(&bundle), "--trust", s(&m.key)]);
    assert_exit_naming(&r, 2, "secret signing key");
}

#[test]
fn a_ballots_file_without_rows_opens_no_poll() {
    let m = Setup::new();
    let reg = m.write(
        "register.csv",
        b"holder,name,class,shares\nH1,One,ORD,1000\n",
    );
    assert_eq!(m.import("register", &reg, &[]).code, 0);
    let status = || ok(&["status", "--db", s(&m.db)]);
    let before = status();
    let b = m.write("ballots.csv", b"voter,resolution,for,against,abstain\r\n");
    let r = m.import("ballots", &b, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("poll opened"), "{}", r.stdout);
    assert_eq!(status(), before);
    // The ledger goes on as before: a proxy form is lodged.
    let px = m.write(
        "proxies.csv",
        b"proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain,lodged_at\n\
          P1,H1,Chair,,1,for,,,,2026-06-07T09:00:00+08:00\n",
    );
    let r = m.import("proxies", &px, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_misspelt_meeting_field_is_refused_and_an_extra_one_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("reg.key");
    ok(&["keygen", "--out", s(&key)]);
    let meeting = dir.path().join("meeting.toml");
    let init = |file: &Path, db: &str| {
        scrutin(&[
            "init",
            "--db",
            s(&dir.path().join(db)),
            "--meeting",
            s(file),
            "--key",
            s(&key),
        ])
    };
    // `vote_per_share` for `votes_per_share`: class Y would count one vote a share.
    let text = MEETING.replace(
        "name = \"Ordinary shares\"",
        "name = \"Ordinary shares\"\nvote_per_share = 10\nnotes = \"an extra field\"",
    );
    std::fs::write(&meeting, text).expect("write");
    let r = init(&meeting, "db");
    assert_exit_naming(
        &r,
        2,
        "misspelt-field: `classes[0].vote_per_share` is not a field scrutin reads; did you mean \
         `votes_per_share`?",
    );
    assert!(!dir.path().join("db").exists());
    // A field far from any scrutin reads is accepted and named.
    let text = MEETING.replace(
        "name = \"Ordinary shares\"",
        "name = \"Ordinary shares\"\nnotes = \"an extra field\"",
    );
    std::fs::write(&meeting, text).expect("write");
    let r = init(&meeting, "db1");
    assert_exit_naming(&r, 0, "classes[0].notes: not a field scrutin reads");
    // The file's known fields raise no warning.
    let plain = dir.path().join("plain.toml");
    std::fs::write(&plain, MEETING).expect("write");
    let r = init(&plain, "db2");
    assert_eq!(r.code, 0);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
}

#[test]
fn a_misspelt_csv_column_is_refused_and_an_extra_one_named() {
    let m = Setup::new();
    let reg = m.write(
        "register.csv",
        b"holder,name,class,shares,Notes\nH1,One,ORD,1000,x\n",
    );
    let r = m.import("register", &reg, &[]);
    assert_exit_naming(&r, 0, "register.csv: columns not read (ignored): Notes");
    // `abstian`: every abstention would read as 0.
    let b = m.write(
        "ballots.csv",
        b"voter,resolution,for,against,abstian\nH1,1,600,0,400\n",
    );
    let r = m.import("ballots", &b, &[]);
    assert_exit_naming(
        &r,
        2,
        "ballots.csv:1:5: misspelt-column: `abstian` is not a column scrutin reads; did you \
         mean `abstain`?",
    );
}

#[test]
fn a_witness_cosigns_a_checkpoint_note_with_crlf_line_ends() {
    let m = Setup::new();
    let reg = m.write(
        "register.csv",
        b"holder,name,class,shares\nH1,One,ORD,1000\n",
    );
    assert_eq!(m.import("register", &reg, &[]).code, 0);
    let (db, key) = (s(&m.db), s(&m.key));
    ok(&["checkpoint", "--db", db, "--key", key]);
    let note = std::fs::read_to_string(m.db.join("checkpoint.txt")).expect("note");
    let mailed = m.write("checkpoint.txt", note.replace('\n', "\r\n").as_bytes());
    let witness = m.dir.path().join("lawyer.key");
    ok(&["keygen", "--out", s(&witness)]);
    let state = m.dir.path().join("state");
    let log_key = format!("{key}.pub");
    ok(&[
        "cosign",
        s(&mailed),
        "--key",
        s(&witness),
        "--state",
        s(&state),
        "--log-key",
        &log_key,
        "--db",
        db,
    ]);
    let cosigned = std::fs::read_to_string(&mailed).expect("cosigned");
    assert!(cosigned.contains("\n— lawyer "), "{cosigned}");
}
