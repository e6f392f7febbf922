//! Issue 9 items 5 and 9 through the library: attendance and revocation files, and the typed
//! warning an import returns for a ballot a must-abstain holder tendered.

// `LedgerError` carries a `RuleViolation` inline, as the library API does.
#![allow(clippy::result_large_err)]

use std::path::Path;

use scrutin::interchange::{parse_csv, parse_meeting, CsvKind, MeetingPlan};
use scrutin::log::Signer;
use scrutin::model::{AuthorKey, HolderId, ProxyId, ResolutionId, UtcMillis, Voter};
use scrutin::{ImportOptions, ImportWarning, Ledger, LedgerError};

const MEETING: &str = r#"[meeting]
id = "attend-egm"
issuer = "Attend Ltd"
stock_code = "09998"
kind = "EGM"
date = "2099-01-10"
rules = "hk"
decimals = 4
record_date = "2099-01-02"
proxy_deadline = "2099-01-09T10:00:00+08:00"

[[classes]]
id = "H"
name = "H shares"

[[resolutions]]
id = "1"
kind = "ordinary"
title = "Connected transaction"

[[resolutions]]
id = "2"
kind = "ordinary"
title = "Dividend"
"#;

fn registrar() -> Signer {
    Signer::from_seed("registrar.example", [7; 32]).expect("signer")
}

fn plan(signer: &Signer) -> MeetingPlan {
    let author = AuthorKey(*signer.public_key().as_bytes());
    parse_meeting("meeting.toml", MEETING, author, &|_| Err("no keys".into())).expect("parses")
}

fn import(
    ledger: &Ledger,
    signer: &Signer,
    kind: CsvKind,
    text: &str,
) -> Result<scrutin::Imported, LedgerError> {
    let file = format!("{}.csv", kind.name());
    let parsed = parse_csv(kind, &file, text.as_bytes(), UtcMillis(1)).expect("parses");
    ledger.import(signer, kind, &file, parsed, ImportOptions::default())
}

/// H1 (100 shares) must abstain on resolution 1; H2 (200) appointed proxy P2 for all its
/// shares; H3 (300) appointed P3.
fn ledger(dir: &Path, signer: &Signer) -> Ledger {
    let ledger = Ledger::create_meeting(dir, &plan(signer), signer).expect("created");
    let ok = |kind, text: &str| {
        import(&ledger, signer, kind, text).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    };
    ok(
        CsvKind::Register,
        "holder,name,class,shares\nH1,One,H,100\nH2,Two,H,200\nH3,Three,H,300\n",
    );
    ok(
        CsvKind::Abstentions,
        "holder,resolution,restriction,reason\nH1,1,abstain,connected party\n",
    );
    ok(
        CsvKind::Proxies,
        "proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain\n\
         P2,H2,Chairman,,,,,,\nP3,H3,Chairman,,,,,,\n",
    );
    ledger
}

#[test]
fn a_must_abstain_ballot_is_recorded_and_warned_of() {
    let tmp = tempfile::tempdir().expect("tmp");
    let signer = registrar();
    let ledger = ledger(&tmp.path().join("db"), &signer);
    let done = import(
        &ledger,
        &signer,
        CsvKind::Ballots,
        "voter,resolution,for,against,abstain\nH1,2,100,0,0\nH1,1,100,0,0\nproxy:P2,1,0,200,0\n",
    )
    .expect("recorded: the rule is to disregard, not refuse");
    assert_eq!(
        done.warnings,
        vec![ImportWarning::MustAbstainBallot {
            line: 3,
            voter: Voter::Holder(HolderId::new("H1").expect("id")),
            holder: HolderId::new("H1").expect("id"),
            resolution: ResolutionId::new("1").expect("id"),
            reason: "connected party".into(),
        }],
        "only the ballot on resolution 1 is restricted"
    );
    let w = done.warnings[0].to_string();
    assert_eq!(done.warnings[0].rule(), "must-abstain");
    assert!(
        w.contains("line 3") && w.contains("holder H1") && w.contains("resolution 1"),
        "{w}"
    );
    let t = ledger.with_meeting(|m| m.tally());
    let r1 = t.resolutions.iter().find(|r| r.id == "1").expect("r1");
    assert_eq!((r1.for_, r1.against, r1.disregarded), (0, 200, 100));
}

#[test]
fn attendance_in_person_revokes_the_holders_proxies_and_lets_it_vote() {
    let tmp = tempfile::tempdir().expect("tmp");
    let signer = registrar();
    let ledger = ledger(&tmp.path().join("db"), &signer);
    // Before attending, H2's proxy holds all its shares: the refusal says so.
    let refused = import(
        &ledger,
        &signer,
        CsvKind::Ballots,
        "voter,resolution,for,against,abstain\nH2,2,200,0,0\n",
    );
    match refused {
        Err(LedgerError::RowRefused { violation, .. }) => {
            assert_eq!(violation.rule(), "over-voting");
            assert!(
                violation.to_string().contains("held by its proxies P2"),
                "{violation}"
            );
        }
        other => panic!("expected a refused row, got {other:?}"),
    }
    let done = import(
        &ledger,
        &signer,
        CsvKind::Attendance,
        "voter,sitting,attended_at\nH2,general,2026-01-10T09:30:00+08:00\nproxy:P3,,\n",
    )
    .expect("attendance recorded");
    assert_eq!(done.records, 2);
    assert!(ledger.with_meeting(|m| m.proxy_active(&ProxyId::new("P3").expect("id"))));
    assert!(!ledger.with_meeting(|m| m.proxy_active(&ProxyId::new("P2").expect("id"))));
    import(
        &ledger,
        &signer,
        CsvKind::Ballots,
        "voter,resolution,for,against,abstain\nH2,2,200,0,0\nproxy:P3,2,300,0,0\n",
    )
    .expect("H2 votes its freed shares in person");
    let t = ledger.with_meeting(|m| m.tally());
    assert_eq!(
        t.resolutions.iter().find(|r| r.id == "2").expect("r2").for_,
        500
    );
}

#[test]
fn a_revocation_file_revokes_and_keeps_its_stated_time_in_the_reason() {
    let tmp = tempfile::tempdir().expect("tmp");
    let signer = registrar();
    let ledger = ledger(&tmp.path().join("db"), &signer);
    import(
        &ledger,
        &signer,
        CsvKind::Revocations,
        "proxy,revoked_at,reason\nP3,2099-01-09T08:00:00Z,written notice\n",
    )
    .expect("revoked");
    assert!(!ledger.with_meeting(|m| m.proxy_active(&ProxyId::new("P3").expect("id"))));
    // A proxy already revoked cannot be revoked again: the row is named.
    let again = import(&ledger, &signer, CsvKind::Revocations, "proxy\nP3\n");
    match again {
        Err(LedgerError::RowRefused {
            line,
            column,
            violation,
            ..
        }) => {
            assert_eq!((line, column, violation.rule()), (2, 1, "proxy-not-active"));
        }
        other => panic!("expected a refused row, got {other:?}"),
    }
}

#[test]
fn a_revocations_stated_time_is_kept_in_its_reason() {
    let parsed = parse_csv(
        CsvKind::Revocations,
        "revocations.csv",
        b"proxy,revoked_at,reason\nP3,2099-01-09T08:00:00Z,written notice\nP4,,\n",
        UtcMillis(1),
    )
    .expect("parses");
    let reasons: Vec<&str> = parsed
        .events
        .iter()
        .map(|e| match e {
            scrutin::model::Event::ProxyRevoked { reason, .. } => reason.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        reasons,
        ["written notice (revoked at 2099-01-09T08:00:00.000Z)", ""]
    );
}

#[test]
fn attendance_at_a_sitting_other_than_the_general_meeting_is_refused() {
    // A meeting without [[sittings]] is the one general sitting `general`: any other sitting
    // is looked up against the meeting's and refused, naming the cell, rather than merged.
    let tmp = tempfile::tempdir().expect("tmp");
    let signer = registrar();
    let ledger = ledger(&tmp.path().join("db"), &signer);
    let refused = import(
        &ledger,
        &signer,
        CsvKind::Attendance,
        "voter,sitting\nH1,general\nH2,H-class\n",
    );
    match refused {
        Err(LedgerError::RowRefused {
            line,
            column,
            violation,
            ..
        }) => {
            assert_eq!((line, column, violation.rule()), (3, 2, "unknown-sitting"));
        }
        other => panic!("expected a refused row, got {other:?}"),
    }
}
