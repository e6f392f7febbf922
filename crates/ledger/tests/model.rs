//! Model-based: the verifier and the ledger agree. Random events (many invalid, some by the
//! wrong key) go both into a ledger, which refuses what breaks a rule, and straight into a raw
//! log; the raw bundle verifies exactly when the ledger accepted everything, and otherwise
//! breaks at the first event the ledger refused.

mod common;

use common::*;
use proptest::prelude::*;
use scrutin::{tally_digest, verify_bundle, Ledger, Verdict};
use scrutin_log::{Log, Signer};
use scrutin_model::{encode_event, Event, ProxyId};

#[derive(Debug, Clone)]
enum Step {
    Vote(usize, usize, u64, u64, u64),
    Close,
    Attend(usize),
    Revoke,
    Declare(bool),
}

fn step() -> impl Strategy<Value = (Step, usize)> {
    let s = prop_oneof![
        6 => (0usize..5, 0usize..3, 0u64..2_200, 0u64..2_200, 0u64..300)
            .prop_map(|(v, r, f, a, ab)| Step::Vote(v, r, f, a, ab)),
        1 => Just(Step::Close),
        1 => (0usize..5).prop_map(Step::Attend),
        1 => Just(Step::Revoke),
        1 => any::<bool>().prop_map(Step::Declare),
    ];
    // Mostly the registrar; sometimes the scrutineer or a stranger.
    (
        s,
        prop_oneof![8 => Just(0usize), 1 => Just(1usize), 1 => Just(2usize)],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn the_verifier_breaks_exactly_where_the_ledger_refuses(
        steps in proptest::collection::vec(step(), 1..14)
    ) {
        let signers = [registrar(), scrutineer(), stranger()];
        let reg = &signers[0];
        let voters = [holder("H1"), holder("H2"), holder("H3"), holder("H4"), proxy("P1")];
        let ledger_dir = tempfile::tempdir().unwrap();
        let raw_dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::create(ledger_dir.path(), convened(), reg).unwrap();
        let raw = Log::create(raw_dir.path(), &ledger.origin()).unwrap();
        let append = |s: &Signer, e: &Event| {
            raw.append(s, encode_event(e).unwrap()).unwrap();
        };
        append(reg, &Event::MeetingConvened(convened()));
        let setup = setup_events();
        ledger.submit_batch(reg, setup.clone()).unwrap();
        for e in &setup {
            append(reg, e);
        }
        let mut first_refused = None;
        for (step, who) in steps {
            let event = match step {
                Step::Vote(v, r, f, a, ab) => vote(voters[v].clone(), &format!("{}", r + 1), f, a, ab),
                Step::Close => close(),
                Step::Attend(v) => Event::AttendanceRecorded { attendee: voters[v].clone() },
                Step::Revoke => Event::ProxyRevoked {
                    proxy: ProxyId::new("P1").unwrap(),
                    reason: "withdrawn".into(),
                },
                Step::Declare(right) => Event::ResultDeclaredV2 {
                    tally_format: scrutin::tally::TALLY_FORMAT,
                    tally_sha256: if right { tally_digest(&ledger.tally()) } else { [9; 32] },
                },
            };
            let signer = &signers[who];
            let index = raw.len();
            append(signer, &event);
            if ledger.submit(signer, event).is_err() {
                first_refused = Some(index);
                break;
            }
        }
        let cp = raw.checkpoint(reg).unwrap();
        let mut bundle = Vec::new();
        raw.export(&cp, &mut bundle).unwrap();
        let report = verify_bundle(&bundle[..], &[reg.verifier()], &mut |_, _| {}).unwrap();
        match first_refused {
            None => {
                prop_assert_eq!(&report.verdict, &Verdict::Valid);
                prop_assert_eq!(report.tally.unwrap().to_json(), ledger.tally().to_json());
            }
            Some(i) => match &report.verdict {
                Verdict::Broken { at_entry, .. } => prop_assert_eq!(*at_entry, Some(i)),
                Verdict::Valid => prop_assert!(false, "entry {} was refused but verified", i),
            },
        }
    }
}
