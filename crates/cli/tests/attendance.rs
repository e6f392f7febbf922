//! Issue 9 items 5 and 9 through the binary: `import attendance` and `import revocations`,
//! the refusal of a holder whose proxy holds its shares, and the warning `import ballots`
//! prints for a must-abstain holder's ballot (escaped).

mod common;

use common::{assert_exit_naming, init_meeting, ok, s, scrutin, write};

const MEETING: &str = r#"[meeting]
id = "attend-2026-sgm"
issuer = "ATTEND HOLDINGS LIMITED"
stock_code = "00998"
kind = "SGM"
date = "2099-06-10"
rules = "bermuda"
record_date = "2099-06-04"
proxy_deadline = "2099-06-08T10:00:00+08:00"

[[classes]]
id = "ORD"
name = "Ordinary shares"

[[resolutions]]
id = "1"
kind = "ordinary"
title = "Connected transaction"
"#;

#[test]
fn attendance_and_must_abstain_warnings_through_the_cli() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let (key, db) = init_meeting(dir, MEETING);
    let import =
        |kind: &str, file: &str| scrutin(&["import", kind, file, "--db", s(&db), "--key", s(&key)]);
    let register = write(
        dir,
        "register.csv",
        "holder,name,class,shares\nH1,One,ORD,100\nH2,Two,ORD,200\nH3,Three,ORD,300\n",
    );
    assert_eq!(import("register", &register).code, 0);
    // The reason carries a terminal escape: printed escaped.
    let abstentions = write(
        dir,
        "abstentions.csv",
        "holder,resolution,restriction,reason\nH1,1,abstain,\"connected \u{1b}[31m\"\n",
    );
    assert_eq!(import("abstentions", &abstentions).code, 0);
    let proxies = write(
        dir,
        "proxies.csv",
        "proxy,holder,proxy_name,shares,resolution,instruction\nP2,H2,Chairman,,,\nP3,H3,Chairman,,,\n",
    );
    assert_eq!(import("proxies", &proxies).code, 0);
    let revocations = write(
        dir,
        "revocations.csv",
        "proxy,revoked_at,reason\nP3,2099-06-08T09:00:00+08:00,notice\n",
    );
    let o = import("revocations", &revocations);
    assert_eq!(o.code, 0, "{}", o.stderr);

    // Open the polls with a first ballot; then H2, whose proxy holds all its shares, is
    // told so rather than "entitled to 0".
    let first = write(
        dir,
        "b1.csv",
        "voter,resolution,for,against,abstain\nH3,1,300,0,0\n",
    );
    assert_eq!(import("ballots", &first).code, 0);
    let early = write(
        dir,
        "b2.csv",
        "voter,resolution,for,against,abstain\nH2,1,200,0,0\n",
    );
    let o = import("ballots", &early);
    assert_exit_naming(&o, 1, "b2.csv:2:3: over-voting");
    assert!(o.stderr.contains("held by its proxies P2"), "{}", o.stderr);

    let sitting = write(dir, "a0.csv", "voter,sitting\nH2,H-class\n");
    assert_exit_naming(
        &import("attendance", &sitting),
        1,
        "a0.csv:2:2: unknown-sitting",
    );
    let attendance = write(
        dir,
        "attendance.csv",
        "voter,sitting,attended_at\nH2,general,\n",
    );
    let o = import("attendance", &attendance);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("imported 1 record"), "{}", o.stdout);
    assert_eq!(import("ballots", &early).code, 0, "H2 votes in person now");

    let abstainer = write(
        dir,
        "b3.csv",
        "voter,resolution,for,against,abstain\nH1,1,100,0,0\n",
    );
    let o = import("ballots", &abstainer);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains(
            "warning: ") && o.stderr.contains("b3.csv: line 2: must-abstain: the ballot of holder H1 on resolution 1 is recorded but not counted: the holder is required to abstain on it (connected \\u{1b}[31m)"
        ),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains('\u{1b}'), "escaped");
    let json = ok(&["tally", "--db", s(&db), "--json"]);
    assert!(json.contains("\"disregarded\": 100"), "{json}");
    assert!(json.contains("\"for\": 500"), "{json}");
}
