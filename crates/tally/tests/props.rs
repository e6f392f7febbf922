//! Property tests: the tally equals a naive recount; random event sequences never panic; the
//! tally does not depend on how events were batched.
//!
//! Scenarios are drawn from a seed with a small local PRNG so that one `u64` describes a whole
//! meeting (proptest still explores seeds and reports the failing one).

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use scrutin_model::{
    Allocation, AuthorKey, Ballot, Candidate, CandidateId, Choice, ClassId, ClassWeight, Date,
    Event, HolderId, Instruction, MeetingConvened, MeetingKind, Preset, ProxyId, ProxyInstruction,
    ProxyLodged, Resolution, ResolutionId, ResolutionKind, Restriction, Role, RulesProfile,
    ShareClass, Shares, UtcMillis, Voter, Votes,
};
use scrutin_tally::{Meeting, Tally};

const REG: AuthorKey = AuthorKey([1; 32]);
const DEADLINE: u64 = 1_000;
/// When the events are recorded in the log: after every lodging time the scenarios state.
const AT: UtcMillis = UtcMillis(u64::MAX);

#[path = "props/naive.rs"]
mod naive;
#[path = "props/scenario.rs"]
mod scenario;
#[path = "props/wild.rs"]
mod wild;

use naive::{naive, observed};
use scenario::*;
use wild::wild_event;

/// 96 cases per property; `SCRUTIN_SOAK=1` runs 5,000.
fn config() -> ProptestConfig {
    let soak = std::env::var_os("SCRUTIN_SOAK").is_some_and(|v| v == "1");
    ProptestConfig {
        cases: if soak { 5_000 } else { 96 },
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// (1) The tally equals a naive recount of the accepted events.
    #[test]
    fn tally_equals_a_naive_recount(seed in any::<u64>()) {
        let (m, kept) = accepted(&scenario(seed));
        prop_assert_eq!(observed(&m.tally()), naive(&kept));
    }

    /// (2) Random event sequences, valid and invalid mixed, never panic in check, apply,
    /// submit or tally, even when `apply` is fed events `check` refused.
    #[test]
    fn random_sequences_never_panic(seed in any::<u64>()) {
        let mut rng = SeedRng::new(seed);
        let mut strict = Meeting::new();
        let mut careless = Meeting::new();
        let authors = [REG, AuthorKey([2; 32]), AuthorKey([3; 32])];
        // Convene first most of the time so the later rules are reached.
        if rng.chance(90) {
            let classes = 1 + rng.below(2);
            let e = Event::MeetingConvened(convened(&mut rng, classes));
            let _ = strict.submit(&e, &REG, AT);
            careless.apply(&e, &REG, AT);
        }
        for _ in 0..rng.below(120) {
            let e = wild_event(&mut rng);
            let author = &authors[rng.below(3) as usize];
            let _ = strict.check(&e, author, AT);
            let _ = strict.submit(&e, author, AT);
            careless.apply(&e, author, AT);
            if rng.chance(5) {
                let t = careless.tally();
                let _ = t.to_json();
            }
        }
        let _ = strict.tally().to_json();
        let _ = careless.tally().to_json();
        let _ = strict.abstentions();
        for h in 0..4 {
            let _ = strict.ballot_status(&Voter::Holder(hid(h)), &rid(0));
            let _ = strict.proxies_of(&hid(h));
        }
    }

    /// (3) The tally does not depend on batching: applying every accepted event to one
    /// meeting, or submitting them one by one in batches on clones (with abandoned clones in
    /// between), gives byte-identical tally JSON.
    #[test]
    fn tally_does_not_depend_on_batching(seed in any::<u64>()) {
        let events = scenario(seed);
        let (_, kept) = accepted(&events);
        let mut whole = Meeting::new();
        for e in &kept {
            whole.apply(e, &REG, AT);
        }
        let mut rng = SeedRng::new(seed ^ 0x5555);
        let mut batched = Meeting::new();
        let mut i = 0;
        while i < kept.len() {
            let n = 1 + rng.below(8) as usize;
            let end = (i + n).min(kept.len());
            // An abandoned batch: everything drawn, submitted to a clone that is dropped.
            let mut abandoned = batched.clone();
            for e in &events {
                let _ = abandoned.submit(e, &REG, AT);
            }
            drop(abandoned);
            let mut next = batched.clone();
            for e in &kept[i..end] {
                prop_assert!(next.submit(e, &REG, AT).is_ok());
            }
            batched = next;
            i = end;
        }
        prop_assert_eq!(whole.tally().to_json(), batched.tally().to_json());
    }
}

/// The scenarios reach the rules the recount checks (a guard against a generator that only
/// produces refused events).
#[test]
fn scenarios_exercise_the_rules() {
    let mut ballots = 0usize;
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut abstain_votes = 0u128;
    let mut elected = 0usize;
    let mut schemes_passed = 0usize;
    for seed in 0..300u64 {
        let (m, kept) = accepted(&scenario(seed));
        ballots += kept
            .iter()
            .filter(|e| matches!(e, Event::VoteCast(_)))
            .count();
        for r in m.tally().resolutions {
            abstain_votes += r.abstain;
            elected += r.candidates.iter().filter(|c| c.elected).count();
            schemes_passed += usize::from(r.scheme.is_some() && r.passed);
            for d in r.disregarded_ballots {
                let key = d.reason.split(':').next().unwrap_or("").to_owned();
                *reasons.entry(key).or_default() += 1;
            }
        }
    }
    eprintln!("{ballots} ballots; disregarded by reason: {reasons:?}");
    assert!(ballots > 500, "{ballots}");
    assert!(abstain_votes > 0);
    assert!(
        elected > 0 && schemes_passed > 0,
        "{elected} {schemes_passed}"
    );
    for key in [
        "proxy revoked",
        "revoked",
        "required to abstain",
        "may not vote for (Rule 13.40)",
        "over-allocation",
    ] {
        assert!(
            reasons.get(key).copied().unwrap_or(0) > 0,
            "{key}: {reasons:?}"
        );
    }
    // A form recorded once the polls opened is late (docs/RULES.md, "late-proxy"), so a later
    // form can no longer void a ballot already cast: that reason must never appear.
    assert!(
        !reasons
            .keys()
            .any(|k| k.starts_with("superseded by later proxy")),
        "{reasons:?}"
    );
}
