//! Cumulative voting.

use super::*;

fn pool(seats: u32, names: &[&str]) -> ResolutionKind {
    ResolutionKind::Cumulative {
        seats,
        candidates: names
            .iter()
            .map(|n| Candidate {
                id: cand(n),
                name: format!("Candidate {n}"),
            })
            .collect(),
    }
}

fn allot(votes: &[(&str, u64)]) -> Choice {
    Choice::Cumulative(
        votes
            .iter()
            .map(|&(c, v)| Allocation {
                candidate: cand(c),
                votes: Votes(v),
            })
            .collect(),
    )
}

fn prc_pool_meeting() -> Fx {
    let mut fx = Fx::new(convened(
        MeetingKind::Agm,
        RulesProfile::preset(Preset::Prc, 4),
        &[("A", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "5",
        pool(2, &["C1", "C2", "C3"]),
    )));
    fx.ok(Event::ResolutionProposed(resolution(
        "6",
        pool(1, &["D1", "D2"]),
    )));
    fx.ok(register("X", "A", 1_000));
    fx.ok(register("Y", "A", 600));
    fx.ok(register("Z", "A", 400));
    fx.ok(Event::RegisterClosed);
    fx.ok_as(open(None), CHAIR);
    fx
}

#[test]
fn cumulative_ballots_name_candidates_of_the_pool_once() {
    let mut fx = prc_pool_meeting();
    assert_eq!(
        fx.err(vote(vh("X"), "5", allot(&[("D1", 10)]))),
        RuleViolation::UnknownCandidate {
            voter: vh("X"),
            resolution: r("5"),
            candidate: cand("D1")
        }
    );
    assert_eq!(
        fx.err(vote(vh("X"), "5", allot(&[("C1", 10), ("C1", 5)]))),
        RuleViolation::DuplicateCandidate {
            voter: vh("X"),
            resolution: r("5"),
            candidate: cand("C1")
        }
    );
    assert_eq!(
        fx.err(vote(vh("X"), "5", allot(&[("C1", 0)]))),
        RuleViolation::EmptyBallot {
            voter: vh("X"),
            resolution: r("5")
        }
    );
    assert_eq!(
        fx.err(vote(vh("X"), "5", split(1, 0, 0))),
        RuleViolation::ChoiceKindMismatch {
            voter: vh("X"),
            resolution: r("5"),
            expected: "cumulative",
            given: "split"
        }
    );
}

#[test]
fn cumulative_election_ranks_over_the_minimum_and_voids_over_allocation() {
    let mut fx = prc_pool_meeting();
    fx.ok(vote(vh("X"), "5", allot(&[("C1", 1_200), ("C2", 800)])));
    fx.ok(vote(vh("Y"), "5", allot(&[("C1", 600), ("C3", 600)])));
    // 900 votes on 400 shares x 2 seats = 800: accepted, but invalid.
    fx.ok(vote(vh("Z"), "5", allot(&[("C3", 900)])));
    let t = fx.tally();
    let r5 = res(&t, "5");
    let got: Vec<(&str, u128, bool)> = r5
        .candidates
        .iter()
        .map(|c| (c.id.as_str(), c.votes, c.elected))
        .collect();
    // Minimum: more than half of the 2,000 voting shares present (X, Y, and Z, whose ballot
    // is invalid but who is present with its shares).
    assert_eq!(
        got,
        vec![("C1", 1_800, true), ("C2", 800, false), ("C3", 600, false)]
    );
    assert!(!r5.passed, "one seat unfilled");
    assert_eq!(
        r5.disregarded_ballots,
        vec![Disregarded {
            voter: "Z".into(),
            votes: 900,
            reason: "over-allocation: 900 votes cast, 800 allowed".into()
        }]
    );
    assert_eq!(r5.disregarded, 900);
}

#[test]
fn a_tie_straddling_the_last_seat_elects_neither() {
    let mut fx = prc_pool_meeting();
    fx.ok(vote(vh("X"), "6", allot(&[("D1", 1_000)])));
    fx.ok(vote(vh("Y"), "6", allot(&[("D2", 600)])));
    fx.ok(vote(vh("Z"), "6", allot(&[("D2", 400)])));
    let r6 = res(&fx.tally(), "6").clone();
    assert_eq!(
        r6.candidates
            .iter()
            .map(|c| (c.votes, c.elected))
            .collect::<Vec<_>>(),
        vec![(1_000, false), (1_000, false)]
    );
    assert!(!r6.passed);
    let mut fx = prc_pool_meeting();
    fx.ok(vote(vh("X"), "6", allot(&[("D1", 1_000)])));
    fx.ok(vote(vh("Y"), "6", allot(&[("D2", 600)])));
    let r6 = res(&fx.tally(), "6").clone();
    assert!(r6.candidates[0].elected && !r6.candidates[1].elected);
    assert!(r6.passed);
}

/// docs/POLLS.md: the minimum is over the voting shares *present*, so a holder present but casting
/// no ballot on the election still raises it (not only the shares that voted on it).
#[test]
fn the_minimum_to_elect_is_over_all_voting_shares_present() {
    let mut fx = prc_pool_meeting();
    fx.ok(vote(vh("X"), "5", allot(&[("C1", 1_200), ("C2", 800)])));
    fx.ok(attend(vh("Y")));
    fx.ok(attend(vh("Z")));
    let r5 = res(&fx.tally(), "5").clone();
    // Present: 2,000 shares; more than 1,000 needed. Had only X's 1,000 voting shares counted,
    // C2's 800 would have passed a minimum of 500.
    assert_eq!(
        r5.candidates
            .iter()
            .map(|c| (c.id.as_str(), c.votes, c.elected))
            .collect::<Vec<_>>(),
        vec![("C1", 1_200, true), ("C2", 800, false), ("C3", 0, false)]
    );
    assert!(!r5.passed);
}
