//! The registrar's workflow on a `Ledger`: atomic creation from a meeting file, imports whose
//! refusals name the row and cell through the violation's typed subject, idempotent close,
//! atomic export, and the log-only reads.

// `LedgerError` carries a `RuleViolation` inline, as the library API does.
#![allow(clippy::result_large_err)]

use std::path::Path;

use scrutin::interchange::{parse_csv, parse_meeting, CsvKind, CsvStream, MeetingPlan};
use scrutin::log::{Log, Signer};
use scrutin::model::{AuthorKey, UtcMillis};
use scrutin::{
    verify_bundle, write_atomic_with, AfterClose, CloseOutcome, ImportOptions, Ledger, LedgerError,
};

fn meeting(third: &str) -> String {
    format!(
        r#"[meeting]
id = "workflow-egm"
issuer = "Workflow Ltd"
stock_code = "09999"
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
title = "Accounts"

[[resolutions]]
id = "2"
kind = "ordinary"
title = "Dividend"

[[resolutions]]
id = "3"
{third}
"#
    )
}

const ELECTION: &str = r#"kind = "cumulative"
title = "Two directors"
seats = 2
candidates = ["C1", "C2"]"#;

fn registrar() -> Signer {
    Signer::from_seed("registrar.example", [7; 32]).expect("signer")
}

fn plan(text: &str, signer: &Signer) -> MeetingPlan {
    let author = AuthorKey(*signer.public_key().as_bytes());
    parse_meeting("meeting.toml", text, author, &|_| Err("no keys".into())).expect("parses")
}

/// A ledger of the meeting with its register (H1 100 shares, H2 200) closed.
fn ledger(dir: &Path, signer: &Signer) -> Ledger {
    let ledger =
        Ledger::create_meeting(dir, &plan(&meeting(ELECTION), signer), signer).expect("created");
    import(
        &ledger,
        signer,
        CsvKind::Register,
        "holder,name,class,shares\nH1,One,H,100\nH2,Two,H,200\n",
    )
    .expect("register");
    ledger
}

fn import(
    ledger: &Ledger,
    signer: &Signer,
    kind: CsvKind,
    text: &str,
) -> Result<scrutin::Imported, LedgerError> {
    let file = format!("{}.csv", kind.name());
    // Lodged long before anything is recorded, and before the 2099 deadline.
    let parsed = parse_csv(kind, &file, text.as_bytes(), UtcMillis(1)).expect("parses");
    ledger.import(signer, kind, &file, parsed, ImportOptions::default())
}

/// The `FILE:LINE:COLUMN` and rule of a refused row.
fn refused_at(r: Result<scrutin::Imported, LedgerError>) -> (String, u64, u64, &'static str) {
    match r {
        Err(LedgerError::RowRefused {
            file,
            line,
            column,
            violation,
        }) => (file, line, column, violation.rule()),
        other => panic!("expected a refused row, got {other:?}"),
    }
}

#[test]
fn a_meeting_whose_third_resolution_is_refused_leaves_no_directory() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("ledger");
    let signer = registrar();
    let bad = plan(
        &meeting("kind = \"ordinary\"\ntitle = \"Twice\"\nclasses = [\"H\", \"H\"]"),
        &signer,
    );
    let err = Ledger::create_meeting(&db, &bad, &signer).expect_err("refused");
    match &err {
        LedgerError::MeetingRefused { part, violation } => {
            assert_eq!(part, "resolution 3");
            assert_eq!(violation.rule(), "invalid-resolution");
        }
        other => panic!("expected MeetingRefused, got {other:?}"),
    }
    assert!(!db.exists(), "no ledger directory");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).expect("dir").collect();
    assert!(left.is_empty(), "no temporary directory left: {left:?}");

    // The same meeting, fixed, is created whole: genesis, the registrar's scrutineer grant
    // and three resolutions.
    let good =
        Ledger::create_meeting(&db, &plan(&meeting(ELECTION), &signer), &signer).expect("created");
    assert_eq!(good.len(), 5);
    assert_eq!(good.with_meeting(|m| m.resolutions().len()), 3);
    drop(good);
    assert_eq!(Ledger::open(&db).expect("reopens").len(), 5);
    // A second creation over it is refused and changes nothing.
    let again = Ledger::create_meeting(&db, &plan(&meeting(ELECTION), &signer), &signer);
    assert!(again.is_err());
    assert_eq!(Ledger::open(&db).expect("reopens").len(), 5);
}

#[test]
fn an_over_voting_ballot_is_refused_at_its_row_and_vote_column() {
    let tmp = tempfile::tempdir().expect("tmp");
    let signer = registrar();
    let l = ledger(&tmp.path().join("db"), &signer);
    let before = l.len();
    let r = import(
        &l,
        &signer,
        CsvKind::Ballots,
        "voter,resolution,abstain,for,against\nH1,1,0,50,0\nH2,1,10,0,250\n",
    );
    // Column 3 (`abstain` comes first in this file): the ballot's numbers.
    assert_eq!(refused_at(r), ("ballots.csv".into(), 3, 3, "over-voting"));
    assert_eq!(l.len(), before, "nothing recorded, no poll opened");
}

#[test]
fn a_proxy_instruction_beyond_its_appointment_names_the_row_of_that_resolution() {
    let tmp = tempfile::tempdir().expect("tmp");
    let signer = registrar();
    let l = ledger(&tmp.path().join("db"), &signer);
    let before = l.len();
    let r = import(
        &l,
        &signer,
        CsvKind::Proxies,
        "proxy,holder,proxy_name,shares,resolution,instruction,for,against,abstain\n\
         P1,H2,Chair,100,1,for,,,\n\
         P1,H2,Chair,100,2,split,60,50,0\n",
    );
    // The form's second row (resolution 2), in its `instruction` cell.
    assert_eq!(
        refused_at(r),
        (
            "proxies.csv".into(),
            3,
            6,
            "instruction-exceeds-appointment"
        )
    );
    assert_eq!(l.len(), before);
}

#[test]
fn an_unknown_candidate_names_its_own_row_and_the_candidate_column() {
    let tmp = tempfile::tempdir().expect("tmp");
    let signer = registrar();
    let l = ledger(&tmp.path().join("db"), &signer);
    let before = l.len();
    let r = import(
        &l,
        &signer,
        CsvKind::Ballots,
        "voter,resolution,votes,candidate\nH1,3,100,C1\nH2,3,100,C2\nH1,3,50,C9\n",
    );
    assert_eq!(
        refused_at(r),
        ("ballots.csv".into(), 4, 4, "unknown-candidate")
    );
    assert_eq!(l.len(), before);
}

/// Closes every poll of a ledger with all three resolutions voted.
fn voted(dir: &Path, signer: &Signer) -> Ledger {
    let l = ledger(dir, signer);
    let done = import(
        &l,
        signer,
        CsvKind::Ballots,
        "voter,resolution,for,against,abstain\nH1,1,100,0,0\nH2,2,0,200,0\n",
    )
    .expect("ballots");
    assert!(done.poll_opened.is_some(), "the ballots opened the polls");
    l
}

#[test]
fn close_declares_once_and_a_second_close_records_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let signer = registrar();
    let l = voted(&tmp.path().join("db"), &signer);
    let first = l.close(&signer, None).expect("closes");
    let CloseOutcome::Closed {
        poll_closed: Some(_),
        then: AfterClose::Declared { at },
    } = first
    else {
        panic!("expected a declaration, got {first:?}");
    };
    let len = l.len();
    assert_eq!(at, len - 1);
    for _ in 0..2 {
        assert_eq!(
            l.close(&signer, None).expect("idempotent"),
            CloseOutcome::AlreadyDeclared { at }
        );
        assert_eq!(l.len(), len, "nothing recorded");
    }
}

#[test]
fn an_export_that_fails_never_leaves_part_of_a_bundle_at_the_target() {
    let tmp = tempfile::tempdir().expect("tmp");
    let signer = registrar();
    let l = voted(&tmp.path().join("db"), &signer);
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let target = out.join("meeting.bundle");
    std::fs::write(&target, b"the previous bundle").expect("write");
    // A writer that fails half way.
    let r = write_atomic_with(&target, |w| {
        w.write_all(b"SCRUTIN half a bundle")?;
        Err::<(), _>(LedgerError::Io("disk full (injected)".into()))
    });
    assert!(r.is_err());
    assert_eq!(
        std::fs::read(&target).expect("read"),
        b"the previous bundle"
    );
    // No checkpoint yet: refused, target untouched.
    assert_eq!(
        l.export_to(&target, &mut |_, _| {})
            .expect_err("no checkpoint"),
        LedgerError::NoCheckpoint
    );
    assert_eq!(
        std::fs::read(&target).expect("read"),
        b"the previous bundle"
    );
    let names = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(names(&out), ["meeting.bundle"], "no temporary file left");
    // With a checkpoint, the target is replaced by the whole bundle, which verifies.
    l.checkpoint(&signer).expect("checkpoint");
    let summary = l.export_to(&target, &mut |_, _| {}).expect("export");
    assert_eq!(summary.entries, l.len());
    assert_eq!(names(&out), ["meeting.bundle"]);
    let bytes = std::fs::read(&target).expect("read");
    let report = verify_bundle(&bytes[..], &[signer.verifier()], &mut |_, _| {}).expect("runs");
    assert!(report.is_valid(), "{report:?}");
}

#[test]
fn log_only_reads_do_not_replay_the_meeting() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("db");
    let signer = registrar();
    let polls = {
        let l = voted(&db, &signer);
        l.close(&signer, None).expect("closed");
        let log = Ledger::open_log_only(&db);
        assert!(log.is_err(), "the open ledger holds the directory's lock");
        l.len()
    };
    {
        let log = Ledger::open_log_only(&db).expect("opens");
        assert_eq!(log.len(), polls);
        assert!(log.polls().expect("polls").all_closed());
    }
    // An entry the meeting cannot replay (not an event): the ledger no longer opens, the
    // log-only reads still work, so they did not replay it.
    Log::open(&db)
        .expect("log")
        .append(&signer, b"not an event".to_vec())
        .expect("appended");
    assert!(matches!(Ledger::open(&db), Err(LedgerError::Malformed(_))));
    let log = Ledger::open_log_only(&db).expect("opens without replay");
    assert_eq!(log.origin(), "scrutin/workflow-egm");
    assert_eq!(log.len(), polls + 1);
    let cp = log.checkpoint(&signer).expect("checkpoint");
    assert_eq!(cp.checkpoint.size, polls + 1);
    assert_eq!(log.latest_checkpoint().expect("latest"), Some(cp));
    assert!(!log
        .prove_consistency(3, polls + 1)
        .expect("proof")
        .is_empty());
    let target = tmp.path().join("b.bundle");
    let summary = log.export_to(&target, &mut |_, _| {}).expect("export");
    assert_eq!(summary.entries, polls + 1);
}

/// A register of `n` holders of 1 to `n` shares, `H1..Hn`.
fn big_register(n: u32) -> String {
    let mut text = String::from("holder,name,class,shares\n");
    for i in 1..=n {
        text.push_str(&format!("H{i},Holder {i},H,{i}\n"));
    }
    text
}

#[test]
fn an_import_larger_than_a_chunk_is_recorded_whole_and_replays_the_same() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("db");
    let signer = registrar();
    let l =
        Ledger::create_meeting(&dir, &plan(&meeting(ELECTION), &signer), &signer).expect("created");
    let before = l.len();
    // More than two chunks of events, the register's closing included.
    let done = import(&l, &signer, CsvKind::Register, &big_register(20_000)).expect("imports");
    assert_eq!(done.records, 20_000);
    assert_eq!(done.entries, before..before + 20_001);
    assert_eq!(done.register_closed, Some(before + 20_000));
    assert_eq!(l.len(), before + 20_001);
    let tally = l.tally().to_json();
    l.checkpoint(&signer).expect("checkpoint");
    let mut bundle = Vec::new();
    l.export(&mut bundle, &mut |_, _| {}).expect("export");
    drop(l);
    let l = Ledger::open(&dir).expect("reopens");
    assert_eq!(l.len(), before + 20_001);
    assert_eq!(
        l.tally().to_json(),
        tally,
        "the replay folds the same state"
    );
    let report = verify_bundle(&bundle[..], &[signer.verifier()], &mut |_, _| {}).expect("runs");
    assert!(report.is_valid(), "{report:?}");
}

#[test]
fn a_row_refused_beyond_the_first_chunk_records_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("db");
    let signer = registrar();
    let l =
        Ledger::create_meeting(&dir, &plan(&meeting(ELECTION), &signer), &signer).expect("created");
    let before = l.len();
    let mut text = big_register(10_000);
    text.push_str("H9000,Again,H,5\n");
    let (file, line, _, rule) = refused_at(import(&l, &signer, CsvKind::Register, &text));
    assert_eq!((file.as_str(), line), ("register.csv", 10_002));
    assert_eq!(rule, "duplicate-register-line");
    assert_eq!(l.len(), before);
    // The rules check runs beside the signing: chunks before the refused row may have been
    // written beyond the committed size, and must be gone, in storage and in the state.
    let done = import(&l, &signer, CsvKind::Register, &big_register(9_000)).expect("imports");
    assert_eq!(done.entries, before..before + 9_001);
    l.checkpoint(&signer).expect("checkpoint");
    let mut bundle = Vec::new();
    l.export(&mut bundle, &mut |_, _| {}).expect("export");
    let tally = l.tally().to_json();
    drop(l);
    let l = Ledger::open(&dir).expect("reopens");
    assert_eq!(l.len(), before + 9_001);
    assert_eq!(l.tally().to_json(), tally);
    let report = verify_bundle(&bundle[..], &[signer.verifier()], &mut |_, _| {}).expect("runs");
    assert!(report.is_valid(), "{report:?}");
}

/// Streams `text` into the ledger as the CLI does: read and recorded a chunk at a time.
fn import_streamed(
    ledger: &Ledger,
    signer: &Signer,
    kind: CsvKind,
    text: &str,
) -> Result<scrutin::Imported, LedgerError> {
    let file = format!("{}.csv", kind.name());
    let stream = CsvStream::new(
        kind,
        &file,
        text.as_bytes(),
        UtcMillis(1),
        scrutin::IMPORT_CHUNK,
    )
    .expect("header");
    ledger.import_stream(signer, kind, &file, stream, ImportOptions::default())
}

#[test]
fn a_streamed_file_refused_chunks_after_the_first_names_its_exact_cell_and_records_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("db");
    let signer = registrar();
    let l =
        Ledger::create_meeting(&dir, &plan(&meeting(ELECTION), &signer), &signer).expect("created");
    let before = l.len();
    // Refused by the rules in the fourth chunk: a holder registered twice, named at its own
    // line and holder cell.
    let mut text = big_register(30_000);
    text.push_str("H29999,Again,H,5\n");
    let (file, line, column, rule) =
        refused_at(import_streamed(&l, &signer, CsvKind::Register, &text));
    assert_eq!((file.as_str(), line, column), ("register.csv", 30_002, 1));
    assert_eq!(rule, "duplicate-register-line");
    assert_eq!(l.len(), before);
    // A cell that cannot be read in the fourth chunk, after blank lines and a quoted cell
    // over two lines (the line count is the editor's): its line and cell, nothing recorded.
    let mut text = big_register(10);
    text.push_str("\n\nH11,\"Eleven\non two lines\",H,11\n");
    for i in 12..=30_000 {
        text.push_str(&format!("H{i},Holder {i},H,{i}\n"));
    }
    text.push_str("H30001,Late,H,12x\n");
    match import_streamed(&l, &signer, CsvKind::Register, &text) {
        Err(LedgerError::Csv(e)) => {
            assert_eq!(
                (e.file.as_str(), e.line, e.column),
                ("register.csv", 30_005, 4)
            );
            assert_eq!(e.rule.code(), "bad-number");
        }
        other => panic!("expected an unreadable row, got {other:?}"),
    }
    assert_eq!(l.len(), before);
    // Nothing of either refused file is in the state: the whole register imports after.
    let done =
        import_streamed(&l, &signer, CsvKind::Register, &big_register(30_000)).expect("imports");
    assert_eq!(done.records, 30_000);
    assert_eq!(done.entries, before..before + 30_001);
    drop(l);
    let l = Ledger::open(&dir).expect("reopens");
    assert_eq!(l.len(), before + 30_001);
}
