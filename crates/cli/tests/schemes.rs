//! Issue 9 items 2, 7 and 8 through the binary, from meeting.toml and CSV files: a Cap 622
//! s.674(2) takeover scheme without a headcount test, and a Bermuda scheme with concert
//! parties (AsiaSat 2019: three populations in one vote), with hand-checked figures.

mod common;

use common::{init_meeting, ok, s, scrutin, write};

/// Records `meeting`, imports each (kind, csv) in order, closes and declares; returns the
/// tally JSON and the announcement.
fn run(meeting: &str, files: &[(&str, &str)]) -> (serde_json::Value, String) {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let (key, db) = init_meeting(dir, meeting);
    for (i, (kind, text)) in files.iter().enumerate() {
        let f = write(dir, &format!("{i}-{kind}.csv"), text);
        let o = scrutin(&["import", kind, &f, "--db", s(&db), "--key", s(&key)]);
        assert_eq!(o.code, 0, "{kind}: {}", o.stderr);
    }
    ok(&["close", "--db", s(&db), "--key", s(&key)]);
    let json = ok(&["tally", "--db", s(&db), "--json"]);
    // The terminal copy escapes tabs; the rows are compared as tab-separated.
    let text = ok(&["announce", "--db", s(&db)]).replace("\\u{9}", "\t");
    (serde_json::from_str(&json).expect("json"), text)
}

#[track_caller]
fn assert_contains(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "missing {n:?} in\n{text}");
    }
}

const TAKEOVER: &str = r#"[meeting]
id = "takeover-2099-court"
issuer = "TARGET HOLDINGS LIMITED"
stock_code = "00997"
kind = "COURT"
date = "2099-06-10"
rules = "hk"
record_date = "2099-06-04"
proxy_deadline = "2099-06-08T10:00:00+08:00"
show_abstain = false

[[classes]]
id = "ORD"
name = "Ordinary shares"
issued = 10000

[[resolutions]]
id = "S"
kind = "scheme"
title = "To approve the Scheme"
headcount = false
value_majority = "3/4"
"#;

/// Cap 622 s.674(2): no headcount test. One holder for with 9,000 Shares, four against with
/// 10 each: a majority in number voted against, yet the scheme passes.
#[test]
fn a_takeover_scheme_without_a_headcount_test_passes_through_the_cli() {
    let (t, text) = run(
        TAKEOVER,
        &[
            (
                "register",
                "holder,name,class,shares\nBIG,BIG HOLDER,ORD,9000\nA1,SMALL ONE,ORD,10\n\
                 A2,SMALL TWO,ORD,10\nA3,SMALL THREE,ORD,10\nA4,SMALL FOUR,ORD,10\n",
            ),
            (
                "abstentions",
                "holder,resolution,restriction,reason\nA1,S,intends_against,circular\n",
            ),
            (
                "ballots",
                "voter,resolution,for,against,abstain\nBIG,S,9000,0,0\nA1,S,0,10,0\n\
                 A2,S,0,10,0\nA3,S,0,10,0\nA4,S,0,10,0\n",
            ),
        ],
    );
    let r = &t["resolutions"][0];
    assert_eq!(r["passed"], true, "{t}");
    let sc = &r["scheme"];
    assert_eq!(sc["headcount"]["required"], false);
    assert_eq!(
        (sc["holders_for"].clone(), sc["holders_against"].clone()),
        (1.into(), 4.into())
    );
    // 9,000 / (9,000 + 40) = 99.5575%; 40 / 9,040 = 0.4425% of all disinterested shares
    // (nobody is a concert party: the base is every entitled share).
    assert_eq!(sc["value"]["for_pct"], "99.5575");
    assert_eq!(sc["disinterested_against"]["base"], 9_040);
    assert_eq!(sc["disinterested_against"]["pct"], "0.4425");
    assert_contains(
        &text,
        &[
            "POLL RESULTS OF THE COURT MEETING HELD ON",
            // The issued total differs from the register's 9,040.
            "The total number of issued Shares as at the date of the Court Meeting was 10,000 \
             Shares, of which 9,040 Shares entitled the holders to attend the Court Meeting.",
            // HK prints For and Against only (show_abstain = false).
            "RESOLUTION ON THE SCHEME\tFOR\tAGAINST\n",
            "S\tTo approve the Scheme\t9,000 (99.5575%)\t40 (0.4425%)\n",
            "No majority in number is required on resolution S (holders voting for: 1; \
             against: 4).",
            "Value test: 9,000 Shares for (99.5575%) and 40 against (0.4425%) of the 9,040 \
             Shares voted, 3/4 required (test met).",
            "SMALL ONE had indicated in the circular its intention to vote against resolution \
             S, and voted against it as stated.",
        ],
    );
}

const ASIASAT: &str = r#"[meeting]
id = "asiasat-like-2099-court"
issuer = "SATELLITE HOLDINGS LIMITED"
stock_code = "01135"
kind = "COURT"
date = "2099-06-10"
rules = "bermuda"
record_date = "2099-06-04"
proxy_deadline = "2099-06-08T10:00:00+08:00"

[[classes]]
id = "ORD"
name = "Ordinary shares"

[[resolutions]]
id = "S"
kind = "scheme"
title = "To approve the Scheme"
headcount = true
value_majority = "3/4"
disinterested_majority = "3/4"
disinterested_max_against = "1/10"
"#;

/// AsiaSat 2019's three populations: CP (the offeror's concert party, 6,000 Shares) votes
/// and counts in the headcount and value tests, and is left out of the disinterested tests
/// and their base. The 10% test fails only because CP is out of its base.
#[test]
fn a_bermuda_scheme_with_concert_parties_through_the_cli() {
    let files = |abstentions: &'static str| {
        [
            (
                "register",
                "holder,name,class,shares\nCP,CONCERT PARTY,ORD,6000\nD1,DIS ONE,ORD,1000\n\
                 D2,DIS TWO,ORD,1000\nD3,DIS THREE,ORD,300\nD4,DIS FOUR,ORD,200\n\
                 D5,DIS FIVE,ORD,100\n",
            ),
            ("abstentions", abstentions),
            (
                "ballots",
                "voter,resolution,for,against,abstain\nCP,S,6000,0,0\nD1,S,1000,0,0\n\
                 D3,S,300,0,0\nD2,S,0,300,0\n",
            ),
        ]
    };
    let (t, text) = run(
        ASIASAT,
        &files("holder,resolution,restriction,reason\nCP,S,not_disinterested,concert party\n"),
    );
    let r = &t["resolutions"][0];
    let sc = &r["scheme"];
    // Headcount: CP, D1, D3 for; D2 against. Value: 7,300 / 7,600 = 96.0526%.
    assert_eq!(sc["headcount"]["passed"], true);
    assert_eq!(sc["value"]["for_pct"], "96.0526");
    // Disinterested votes cast: 1,300 / 1,600 = 81.2500% (CP left out): met.
    assert_eq!(sc["disinterested"]["for_pct"], "81.2500");
    assert_eq!(sc["disinterested"]["passed"], true);
    // Against over ALL disinterested shares: 300 / (8,600 - 6,000) = 11.5385% > 10%.
    assert_eq!(sc["disinterested_against"]["base"], 2_600);
    assert_eq!(sc["disinterested_against"]["pct"], "11.5385");
    assert_eq!(sc["disinterested_against"]["passed"], false);
    assert_eq!(r["passed"], false, "{t}");
    assert_contains(
        &text,
        &[
            "Holders voting for: 3; against: 1 (headcount test met).",
            "Value test: 7,300 Shares for (96.0526%) and 300 against (3.9474%) of the 7,600 \
             Shares voted, 3/4 required (test met).",
            "Disinterested Shareholders (2 for, 1 against): 1,300 Shares for (81.2500%) and \
             300 against (18.7500%) of the 1,600 disinterested Shares voted, 3/4 required \
             (test met).",
            "Votes against by disinterested Shareholders: 300 Shares, 11.5385% of all 2,600 \
             disinterested Shares, at most 1/10 allowed (test not met).",
            "the resolution was not passed as a resolution approving the scheme",
            // Nobody stated an intention: the denial Rule 13.40 practice asks for.
            "No Shareholder indicated in the circular an intention to vote against or to \
             abstain from voting on any resolution proposed at the Court Meeting.",
        ],
    );

    // Without the concert-party mark, CP stays in the base: 300 / 8,600 = 3.4884%: passes.
    // D4 stated it would abstain and cast no ballot.
    let (t, text) = run(
        ASIASAT,
        &files("holder,resolution,restriction,reason\nD4,S,intends_abstain,circular\n"),
    );
    assert_contains(
        &text,
        &[
            "DIS FOUR had indicated in the circular its intention to abstain from voting on \
           resolution S, and abstained as stated.",
        ],
    );
    let r = &t["resolutions"][0];
    assert_eq!(r["scheme"]["disinterested_against"]["pct"], "3.4884");
    assert_eq!(r["passed"], true, "{t}");
}
