//! Hostile bundles through the whole verifier (log checks and the meeting's replay): mutated
//! real exports, and validly signed events with extreme numbers written past the ledger's
//! rule checks. Never a panic; never valid unless the bytes are the genuine ones.

mod common;

use common::*;
use proptest::prelude::*;
use scrutin::verify_bundle;
use scrutin_log::{Log, NoteVerifier};
use scrutin_model::{
    Allocation, Ballot, CandidateId, Choice, ClassId, Event, ProxyId, ProxyLodged, Shares,
    UtcMillis, Votes,
};

fn trust() -> Vec<NoteVerifier> {
    vec![registrar().verifier()]
}

fn genuine() -> &'static [u8] {
    static B: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    B.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let ledger = whole_meeting(dir.path());
        let b = bundle_of(&ledger);
        assert!(verify_bundle(&b[..], &trust(), &mut |_, _| {})
            .unwrap()
            .is_valid());
        b
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        if std::env::var("SCRUTIN_SOAK").is_ok_and(|v| v == "1") { 10_000 } else { 96 }
    ))]

    #[test]
    fn mutated_exports_never_panic_nor_verify(
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..4),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let good = genuine();
        let mut b = good.to_vec();
        for (i, v, op) in &edits {
            if b.is_empty() {
                break;
            }
            let i = i.index(b.len());
            match op {
                0 => b[i] = *v,
                1 => b[i] ^= 1 << (v % 8),
                2 => b.insert(i, *v),
                _ => {
                    b.remove(i);
                }
            }
        }
        if let Some(c) = cut {
            b.truncate(c.index(b.len()));
        }
        if let Ok(r) = verify_bundle(&b[..], &trust(), &mut |_, _| {}) {
            if b != good {
                prop_assert!(!r.is_valid(), "accepted: {:?}", r.verdict);
            }
            let _ = r.to_json();
        }
    }
}

/// The honest setup and ballots, then `extra`, all signed by the registrar straight into the
/// log (no rule checks), checkpointed and exported.
fn signed_past_the_rules(extra: Vec<Event>) -> Vec<u8> {
    let reg = registrar();
    let dir = tempfile::tempdir().unwrap();
    let log = Log::create(dir.path(), "scrutin/TEST-EGM-2026").unwrap();
    let mut events = vec![Event::MeetingConvened(convened())];
    events.extend(setup_events());
    events.extend(extra);
    let payloads = events
        .iter()
        .map(|e| scrutin_model::encode_event(e).unwrap())
        .collect();
    log.append_batch(&reg, payloads).unwrap();
    let cp = log.checkpoint(&reg).unwrap();
    let mut out = Vec::new();
    log.export(&cp, &mut out).unwrap();
    out
}

fn split(voter: scrutin_model::Voter, res: &str, f: u64, a: u64, ab: u64) -> Event {
    vote(voter, res, f, a, ab)
}

#[test]
fn extreme_numbers_signed_by_the_registrar_never_panic() {
    let max = u64::MAX;
    let cases: Vec<Vec<Event>> = vec![
        vec![split(holder("H1"), "1", max, max, max)],
        vec![split(holder("H1"), "1", max, 0, 0), close()],
        vec![split(proxy("P1"), "1", max, 1, 0)],
        vec![Event::VoteCast(Ballot {
            voter: holder("H1"),
            resolution: r("1"),
            class: Some(ClassId::new("H").unwrap()),
            choice: Choice::Cumulative(vec![Allocation {
                candidate: CandidateId::new("C1").unwrap(),
                votes: Votes(max),
            }]),
        })],
        vec![Event::ProxyLodged(ProxyLodged {
            proxy: ProxyId::new("P9").unwrap(),
            holder: h("H3"),
            proxy_name: "x".into(),
            class: None,
            shares: Some(Shares(max)),
            instructions: vec![],
            lodged_at: UtcMillis(max),
        })],
        vec![Event::ShareRegistered {
            holder: h("H9"),
            name: "late".into(),
            class: ClassId::new("H").unwrap(),
            shares: Shares(max),
        }],
        vec![
            close(),
            Event::ResultDeclared {
                tally_sha256: [0; 32],
            },
        ],
        vec![close(), close(), Event::PollOpened { resolution: None }],
    ];
    for (n, extra) in cases.into_iter().enumerate() {
        let b = signed_past_the_rules(extra);
        let r = verify_bundle(&b[..], &trust(), &mut |_, _| {}).unwrap();
        let _ = r.to_json();
        if n != 1 {
            assert!(!r.is_valid(), "case {n} accepted");
        }
    }
}
