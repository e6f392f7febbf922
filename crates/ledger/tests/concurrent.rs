//! Concurrent submitters are serialised: every event is checked against the state the events
//! before it produced, and what is acknowledged survives a reopen.

mod common;

use std::sync::Arc;

use common::*;
use proptest::prelude::*;
use scrutin::{verify_bundle, Ledger, LedgerError};

#[test]
fn concurrent_submitters_are_serialised() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registrar();
    let ledger = Arc::new(Ledger::create(dir.path(), convened(), &reg).unwrap());
    ledger.submit_batch(&reg, setup_events()).unwrap();
    // Every thread tries to cast H3's ballot on resolution 1: exactly one may succeed.
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let ledger = Arc::clone(&ledger);
            std::thread::spawn(move || {
                let reg = registrar();
                let mine = ledger.submit(&reg, vote(holder("H3"), "1", 500 - i, i, 0));
                let others =
                    ledger.submit(&reg, vote(holder("H1"), &format!("{}", 1 + i % 2), 0, 0, 1));
                (mine.is_ok(), others)
            })
        })
        .collect();
    let mut ok = 0;
    for t in threads {
        let (mine, others) = t.join().unwrap();
        ok += usize::from(mine);
        if let Err(e) = others {
            assert!(matches!(e, LedgerError::Rejected { .. }), "{e:?}");
        }
    }
    assert_eq!(ok, 1, "exactly one of the duplicate ballots is recorded");
    let len = ledger.len();
    let json = ledger.tally().to_json();
    drop(ledger);
    let ledger = Ledger::open(dir.path()).unwrap();
    assert_eq!(ledger.len(), len);
    assert_eq!(ledger.tally().to_json(), json);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Whatever ballots are tried (many refused), the ledger's state is the fold of what it
    /// recorded: reopening and verifying the bundle give the same tally byte for byte.
    #[test]
    fn any_ballots_replay_and_verify_to_the_same_tally(
        tries in proptest::collection::vec((0usize..5, 0usize..2, 0u64..2_500, 0u64..2_500), 1..12)
    ) {
        let voters = [holder("H1"), holder("H2"), holder("H3"), holder("H4"), proxy("P1")];
        let dir = tempfile::tempdir().unwrap();
        let reg = registrar();
        let ledger = Ledger::create(dir.path(), convened(), &reg).unwrap();
        ledger.submit_batch(&reg, setup_events()).unwrap();
        for (v, r, f, a) in tries {
            let before = ledger.len();
            let res = ledger.submit(&reg, vote(voters[v].clone(), &format!("{}", r + 1), f, a, 0));
            prop_assert_eq!(ledger.len(), before + u64::from(res.is_ok()));
        }
        ledger.submit(&reg, close()).unwrap();
        ledger.declare_result(&scrutineer()).unwrap();
        let json = ledger.tally().to_json();
        let bundle = bundle_of(&ledger);
        drop(ledger);
        let reopened = Ledger::open(dir.path()).unwrap();
        prop_assert_eq!(reopened.tally().to_json(), json.clone());
        let report = verify_bundle(&bundle[..], &[reg.verifier()], &mut |_, _| {}).unwrap();
        prop_assert!(report.is_valid(), "{:?}", report.verdict);
        prop_assert_eq!(report.tally.unwrap().to_json(), json);
    }
}
