//! Issue 9 items 1 and 6 through the binary: a PRC EGM with its A and H class meetings in one
//! ledger. The H holder's proxy form for the EGM and its form for the H class meeting are
//! different appointments of the same shares: each sitting counts them once (H shares
//! represented 34.30%, where counting both forms at one sitting would say 68.60%).

mod common;

use common::{assert_exit_naming, init_meeting, ok, s, scrutin, write};

const MEETING: &str = r#"[meeting]
id = "prc-2099-egm"
issuer = "PRC SAMPLE CO., LTD."
stock_code = "09999"
kind = "EGM"
date = "2099-06-10"
rules = "prc"
record_date = "2099-06-04"
proxy_deadline = "2099-06-09T10:00:00+08:00"

[[classes]]
id = "A"
name = "A shares"

[[classes]]
id = "H"
name = "H shares"

[[sittings]]
id = "egm"
kind = "general"
title = "2099 First Extraordinary General Meeting"

[[sittings]]
id = "a"
kind = "class"
class = "A"
title = "2099 First A Shareholders' Class Meeting"

[[sittings]]
id = "h"
kind = "class"
class = "H"
title = "2099 First H Shareholders' Class Meeting"

[[resolutions]]
id = "1"
kind = "special"
title = "To approve the share repurchase mandate"
sitting = "egm"

[[resolutions]]
id = "2"
kind = "special"
title = "To approve the share repurchase mandate (A class)"
sitting = "a"

[[resolutions]]
id = "3"
kind = "special"
title = "To approve the share repurchase mandate (H class)"
sitting = "h"
"#;

#[test]
fn a_gm_and_its_class_meetings_count_per_sitting_through_the_cli() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let (key, db) = init_meeting(dir, MEETING);
    let import =
        |kind: &str, file: &str| scrutin(&["import", kind, file, "--db", s(&db), "--key", s(&key)]);
    let register = write(
        dir,
        "register.csv",
        "holder,name,class,shares\nA1,Alpha,A,6000\nA2,Beta,A,4000\nH1,HKSCC NOMINEES LIMITED,H,3000\nH2,Gamma,H,1000\n",
    );
    assert_eq!(import("register", &register).code, 0);
    // H1 appoints the chairman for 1,372 H shares at the EGM and, on the class meeting's
    // form, for the same 1,372 at the H class meeting.
    let proxies = write(
        dir,
        "proxies.csv",
        "proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain,class,lodged_at,sitting\n\
         G1,H1,Chairman,1372,1,for,,,,H,,egm\n\
         C1,H1,Chairman,1372,3,for,,,,H,,h\n",
    );
    let o = import("proxies", &proxies);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // A sitting the meeting does not have is refused, naming the cell.
    let wrong = write(dir, "a0.csv", "voter,sitting,attended_at\nA1,b,\n");
    assert_exit_naming(
        &import("attendance", &wrong),
        1,
        "a0.csv:2:2: unknown-sitting",
    );
    // A holder attends the class meeting of a class it does not hold: refused.
    let wrong = write(dir, "a1.csv", "voter,sitting\nA2,h\n");
    assert_exit_naming(
        &import("attendance", &wrong),
        1,
        "a1.csv:2:1: no-shares-in-class",
    );
    let attendance = write(
        dir,
        "attendance.csv",
        "voter,sitting,attended_at\nA1,egm,2026-11-29T09:30:00+08:00\nA1,a,2026-11-29T10:30:00+08:00\nproxy:G1,egm,\nproxy:C1,h,\nA2,egm,\n",
    );
    let o = import("attendance", &attendance);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // The EGM's proxy cannot vote at the H class meeting.
    let ballots = write(
        dir,
        "b0.csv",
        "voter,resolution,for,against,abstain\nproxy:G1,3,1372,0,0\n",
    );
    assert_exit_naming(&import("ballots", &ballots), 1, "b0.csv:2:2: proxy-sitting");
    let ballots = write(
        dir,
        "ballots.csv",
        "voter,resolution,for,against,abstain\nA1,1,6000,0,0\nproxy:G1,1,1372,0,0\nA1,2,6000,0,0\nproxy:C1,3,1372,0,0\n",
    );
    let o = import("ballots", &ballots);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = scrutin(&["close", "--db", s(&db), "--key", s(&key)]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let json = ok(&["tally", "--db", s(&db), "--json"]);
    let t: serde_json::Value = serde_json::from_str(&json).expect("tally json");
    let sitting = |id: &str| {
        t["sittings"]
            .as_array()
            .expect("sittings")
            .iter()
            .find(|x| x["id"] == id)
            .unwrap_or_else(|| panic!("sitting {id} in {json}"))
            .clone()
    };
    // Hand-checked. EGM: A 10,000 + H 4,000 entitled; A1 6,000 + A2 4,000 in person, G1
    // 1,372 by proxy = 11,372 (81.2286%); 3 holders (2 in person, 1 by proxy).
    let egm = sitting("egm");
    assert_eq!(egm["kind"], "general");
    assert_eq!(egm["entitled"], 14_000);
    assert_eq!(egm["represented"], 11_372);
    assert_eq!(egm["represented_pct"], "81.2286");
    assert_eq!(
        (
            &egm["holders_present"],
            &egm["holders_in_person"],
            &egm["holders_by_proxy"]
        ),
        (&3.into(), &2.into(), &1.into())
    );
    // H shares at the EGM: G1's 1,372 of 4,000 = 34.30%, not 2,744 (68.60%) with C1's form.
    let h_at_egm = &t["classes"][1];
    assert_eq!(
        (&h_at_egm["id"], &h_at_egm["represented"]),
        (&"H".into(), &1_372.into())
    );
    assert_eq!(h_at_egm["represented_pct"], "34.3000");
    // The H class meeting: C1's 1,372 of the 4,000 H shares.
    let h = sitting("h");
    assert_eq!((&h["kind"], &h["class"]), (&"class".into(), &"H".into()));
    assert_eq!(
        (&h["entitled"], &h["represented"]),
        (&4_000.into(), &1_372.into())
    );
    assert_eq!(h["represented_pct"], "34.3000");
    assert_eq!(
        (&h["holders_present"], &h["holders_by_proxy"]),
        (&1.into(), &1.into())
    );
    // The A class meeting: A1 alone attended (A2 only the EGM).
    let a = sitting("a");
    assert_eq!(
        (&a["entitled"], &a["represented"]),
        (&10_000.into(), &6_000.into())
    );
    assert_eq!(a["holders_in_person"], 1);
    let res = |id: &str| {
        t["resolutions"]
            .as_array()
            .expect("resolutions")
            .iter()
            .find(|x| x["id"] == id)
            .expect("resolution")
            .clone()
    };
    let r1 = res("1");
    assert_eq!((&r1["for"], &r1["holders_for"]), (&7_372.into(), &2.into()));
    assert_eq!(r1["holders_present"], 3);
    let r3 = res("3");
    assert_eq!(
        (&r3["for"], &r3["holders_for"], &r3["holders_against"]),
        (&1_372.into(), &1.into(), &0.into())
    );
    assert_eq!(
        r3["by_class"].as_object().map(|m| m.len()),
        Some(1),
        "H only"
    );
    // One section per sitting, each headed by its title with its own attendance and holders.
    let text = ok(&["announce", "--db", s(&db)]);
    for needle in [
        "2099 FIRST EXTRAORDINARY GENERAL MEETING\n\nATTENDANCE OF THE EGM\n",
        "2099 FIRST H SHAREHOLDERS' CLASS MEETING\n\nATTENDANCE OF THE 2099 FIRST H \
         SHAREHOLDERS' CLASS MEETING\n",
        "was 1,372 Shares, representing approximately 34.3000% of the total number of Shares. A \
         total of 1 Shareholder (0 in person and 1 by proxy), holding 1,372 Shares",
        "A total of 3 Shareholders (2 in person and 1 by proxy), holding 11,372 Shares",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
    // `verify --announcement` reads the sections back, each against its own sitting: the
    // text `announce` printed (its table's tabs kept) is the verifier's own, byte for byte.
    ok(&["checkpoint", "--db", s(&db), "--key", s(&key)]);
    let bundle = dir.join("meeting.bundle");
    ok(&["export", "--db", s(&db), "--out", s(&bundle)]);
    let registrar = format!("{}.pub", s(&key));
    let report = ok(&["verify", s(&bundle), "--trust", &registrar, "--json"]);
    let report: serde_json::Value = serde_json::from_str(&report).expect("verify json");
    let recomputed = report["announcement"].as_str().expect("announcement");
    assert_eq!(recomputed, text, "the same text");
    assert!(text.contains('\t'), "the poll table keeps its tabs");
    let announcement = write(dir, "announcement.txt", &text);
    let o = scrutin(&[
        "verify",
        s(&bundle),
        "--trust",
        &registrar,
        "--announcement",
        &announcement,
    ]);
    assert!(
        o.stdout.contains("ANNOUNCEMENT MATCHES"),
        "{}{}",
        o.stdout,
        o.stderr
    );
    assert!(
        o.stdout.contains("sittings[id=h].represented"),
        "{}",
        o.stdout
    );
}
