//! The ledger through its API: a whole meeting, refusals that change nothing, reopening.

mod common;

use common::*;
use scrutin::{Ledger, LedgerError};

#[test]
fn a_whole_small_meeting() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    assert_eq!(ledger.origin(), "scrutin/TEST-EGM-2026");
    let setup = setup_events().len() as u64;
    let n_ballots = ballots().len() as u64;
    assert_eq!(ledger.len(), 1 + setup + n_ballots + 2);

    let tally = ledger.tally();
    let r1 = &tally.resolutions[0];
    assert_eq!(r1.id, "1");
    assert_eq!((r1.for_, r1.against, r1.abstain), (3_300, 500, 0));
    assert!(r1.passed);
    let r2 = &tally.resolutions[1];
    // H4 must abstain on 2: its 300 are disregarded and leave the entitled total.
    assert_eq!((r2.for_, r2.against), (2_500, 500));
    assert_eq!(r2.disregarded, 300);
    assert!(r2.passed, "2,500 of 3,000 is 83%, above 75%");
    assert!(ledger.with_meeting(|m| m.all_polls_closed()));
    assert!(!ledger.announcement().is_empty());
}

#[test]
fn a_refused_event_changes_nothing_even_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registrar();
    let (len, json) = {
        let ledger = Ledger::create(dir.path(), convened(), &reg).unwrap();
        ledger.submit_batch(&reg, setup_events()).unwrap();
        ledger
            .submit(&reg, vote(holder("H3"), "1", 400, 0, 0))
            .unwrap();
        let len = ledger.len();
        let json = ledger.tally().to_json();
        // H3 holds 500 shares: 600 is over-voting.
        let err = ledger
            .submit(&reg, vote(holder("H1"), "1", 600, 600, 0))
            .unwrap_err();
        match &err {
            LedgerError::Rejected {
                position,
                violation,
            } => {
                assert_eq!(*position, 0);
                assert_eq!(violation.rule(), "over-voting", "{violation}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(err.to_string().contains("over-voting"), "{err}");
        // An unauthorised author is refused too.
        let err = ledger
            .submit(&stranger(), vote(holder("H1"), "1", 1, 0, 0))
            .unwrap_err();
        assert!(matches!(err, LedgerError::Rejected { .. }), "{err:?}");
        assert_eq!(ledger.len(), len);
        assert_eq!(ledger.tally().to_json(), json);
        (len, json)
    };
    let ledger = Ledger::open(dir.path()).unwrap();
    assert_eq!(ledger.len(), len);
    assert_eq!(ledger.tally().to_json(), json);
}

#[test]
fn a_batch_with_a_bad_event_in_the_middle_appends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registrar();
    let ledger = Ledger::create(dir.path(), convened(), &reg).unwrap();
    ledger.submit_batch(&reg, setup_events()).unwrap();
    let len = ledger.len();
    let json = ledger.tally().to_json();
    let batch = vec![
        vote(holder("H1"), "1", 1_000, 0, 0),
        vote(holder("H3"), "1", 501, 0, 0),
        vote(holder("H3"), "2", 500, 0, 0),
    ];
    match ledger.submit_batch(&reg, batch).unwrap_err() {
        LedgerError::Rejected {
            position,
            violation,
        } => {
            assert_eq!(position, 1);
            assert_eq!(violation.rule(), "over-voting");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(ledger.len(), len);
    assert_eq!(ledger.tally().to_json(), json);
    // The first event of the failed batch was not applied either: H1 may still vote.
    let range = ledger
        .submit_batch(&reg, vec![vote(holder("H1"), "1", 1_000, 0, 0)])
        .unwrap();
    assert_eq!(range, len..len + 1);
}

#[test]
fn reopen_gives_the_same_tally_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (len, json, announcement) = {
        let ledger = whole_meeting(dir.path());
        (
            ledger.len(),
            ledger.tally().to_json(),
            ledger.announcement(),
        )
    };
    let mut calls = Vec::new();
    let ledger = Ledger::open_with_progress(dir.path(), &mut |d, t| calls.push((d, t))).unwrap();
    assert_eq!(ledger.len(), len);
    assert_eq!(ledger.tally().to_json(), json);
    assert_eq!(ledger.announcement(), announcement);
    assert_eq!(calls.first(), Some(&(0, len)));
    assert_eq!(calls.last(), Some(&(len, len)));
}

#[test]
fn genesis_must_be_signed_by_the_named_registrar() {
    let dir = tempfile::tempdir().unwrap();
    let err = Ledger::create(dir.path(), convened(), &stranger()).unwrap_err();
    assert!(
        matches!(err, LedgerError::RegistrarMismatch { .. }),
        "{err:?}"
    );
}

#[test]
fn only_the_scrutineer_declares_and_the_digest_must_match() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registrar();
    let ledger = Ledger::create(dir.path(), convened(), &reg).unwrap();
    ledger.submit_batch(&reg, setup_events()).unwrap();
    ledger.submit_batch(&reg, ballots()).unwrap();
    ledger.submit(&reg, close()).unwrap();
    let len = ledger.len();
    assert!(matches!(
        ledger.declare_result(&reg).unwrap_err(),
        LedgerError::Rejected { .. }
    ));
    let wrong = scrutin_model::Event::ResultDeclared {
        tally_sha256: [0; 32],
    };
    assert!(matches!(
        ledger.submit(&scrutineer(), wrong).unwrap_err(),
        LedgerError::WrongDeclaration { position: 0, .. }
    ));
    assert_eq!(ledger.len(), len);
    assert_eq!(ledger.declare_result(&scrutineer()).unwrap(), len);
}

#[test]
fn export_needs_a_current_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registrar();
    let ledger = Ledger::create(dir.path(), convened(), &reg).unwrap();
    let mut out = Vec::new();
    assert_eq!(
        ledger.export(&mut out, &mut |_, _| {}).unwrap_err(),
        LedgerError::NoCheckpoint
    );
    ledger.checkpoint(&reg).unwrap();
    ledger.submit_batch(&reg, setup_events()).unwrap();
    let log_size = ledger.len();
    assert_eq!(
        ledger.export(&mut out, &mut |_, _| {}).unwrap_err(),
        LedgerError::StaleCheckpoint {
            checkpoint_size: 1,
            log_size
        }
    );
    let cp = ledger.checkpoint(&reg).unwrap();
    assert_eq!(cp.checkpoint.size, log_size);
    let summary = ledger.export(&mut out, &mut |_, _| {}).unwrap();
    assert_eq!(summary.entries, log_size);
    assert_eq!(
        ledger.latest_checkpoint().unwrap().unwrap().checkpoint.size,
        log_size
    );
    assert!(ledger.prove_consistency(1, log_size).is_ok());
}

#[test]
fn the_ledger_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Ledger>();
}

/// The embedding example, compiled into this test so that CI runs it.
#[path = "../examples/embed.rs"]
mod embed;

#[test]
fn the_embedding_example_runs() {
    embed::main().unwrap();
}
