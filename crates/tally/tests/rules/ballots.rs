//! Ballots: entitlement, classes, weights.

use super::*;

#[test]
fn ballots_are_checked_against_the_voters_entitlement() {
    let mut fx = Fx::hk();
    fx.ok_as(open(None), CHAIR);
    assert_eq!(
        fx.err(vote(vp("P9"), "1", split(1, 0, 0))),
        RuleViolation::UnknownProxy { proxy: p("P9") }
    );
    assert_eq!(
        fx.err(vote(vh("A"), "1", split(0, 0, 0))),
        RuleViolation::EmptyBallot {
            voter: vh("A"),
            resolution: r("1")
        }
    );
    assert_eq!(
        fx.err(vote(vh("A"), "1", split(500, 400, 101))),
        RuleViolation::OverVoting {
            voter: vh("A"),
            resolution: r("1"),
            class: c("H"),
            tendered: 1_001,
            entitled: 1_000
        }
    );
    assert_eq!(
        fx.err(vote_class(vh("A"), "1", "X", split(1, 0, 0))),
        RuleViolation::UnknownClass { class: c("X") }
    );
    fx.ok(vote(vh("A"), "1", split(500, 400, 100)));
    assert_eq!(
        fx.err(vote(vh("A"), "1", split(0, 0, 1))),
        RuleViolation::DuplicateBallot {
            voter: vh("A"),
            resolution: r("1"),
            class: c("H")
        }
    );
    assert_eq!(
        fx.err(vote(
            vh("A"),
            "1",
            Choice::Cumulative(vec![Allocation {
                candidate: cand("X"),
                votes: Votes(1)
            }])
        )),
        RuleViolation::ChoiceKindMismatch {
            voter: vh("A"),
            resolution: r("1"),
            expected: "split",
            given: "cumulative"
        }
    );
    let over = fx.err(vote(vh("B"), "2", split(3_001, 0, 0)));
    assert_eq!(
        over.to_string(),
        "over-voting: holder B tendered 3,001 shares on resolution 2 (class H) but is entitled to 3,000"
    );
}

#[test]
fn a_class_votes_only_where_the_resolution_lets_it() {
    let mut fx = Fx::new(convened(
        MeetingKind::Agm,
        RulesProfile::preset(Preset::Hk, 2),
        &[("A", 1), ("H", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    let mut h_only = resolution("2", ResolutionKind::Ordinary);
    h_only.classes = vec![c("H")];
    fx.ok(Event::ResolutionProposed(h_only));
    fx.ok(register("Z", "A", 100));
    fx.ok(register("Z", "H", 900));
    fx.ok(register("Y", "A", 50));
    fx.ok(Event::RegisterClosed);
    fx.ok_as(open(None), CHAIR);
    assert_eq!(
        fx.err(vote(vh("Z"), "1", split(1, 0, 0))),
        RuleViolation::AmbiguousClass {
            voter: vh("Z"),
            resolution: r("1"),
            classes: vec![c("A"), c("H")]
        }
    );
    assert_eq!(
        fx.err(vote_class(vh("Z"), "2", "A", split(1, 0, 0))),
        RuleViolation::ClassNotVoting {
            voter: vh("Z"),
            resolution: r("2"),
            class: c("A")
        }
    );
    assert_eq!(
        fx.err(vote_class(vh("Y"), "1", "H", split(1, 0, 0))),
        RuleViolation::ClassNotVoting {
            voter: vh("Y"),
            resolution: r("1"),
            class: c("H")
        }
    );
    fx.ok(vote(vh("Z"), "2", split(900, 0, 0))); // only H votes on 2
    fx.ok(vote_class(vh("Z"), "1", "A", split(100, 0, 0)));
    fx.ok(vote_class(vh("Z"), "1", "H", split(0, 900, 0)));
    fx.ok(vote(vh("Y"), "1", split(0, 50, 0)));
    let t = fx.tally();
    let r1 = res(&t, "1");
    assert_eq!((r1.entitled, r1.for_, r1.against), (1_050, 100, 950));
    assert_eq!(r1.for_pct, "9.52");
    let r2 = res(&t, "2");
    assert_eq!((r2.entitled, r2.for_), (900, 900));
    assert_eq!(t.classes.len(), 2);
    assert_eq!(
        (t.classes[0].entitled, t.classes[0].represented),
        (150, 150)
    );
}

#[test]
fn weighted_votes_per_class_per_resolution() {
    let mut fx = weighted_meeting(ResolutionKind::Special, &[("Q", "Y", 100), ("R", "Z", 500)]);
    fx.ok_as(open(None), CHAIR);
    for res_id in ["1", "2"] {
        fx.ok(vote(vh("Q"), res_id, split(100, 0, 0)));
        fx.ok(vote(vh("R"), res_id, split(0, 500, 0)));
    }
    let t = fx.tally();
    assert_eq!(t.entitled, 600, "attendance is in shares");
    let r1 = res(&t, "1");
    assert_eq!((r1.entitled, r1.for_, r1.against), (1_500, 1_000, 500));
    assert!(r1.passed);
    let r2 = res(&t, "2");
    assert_eq!((r2.entitled, r2.for_, r2.against), (600, 100, 500));
    assert!(!r2.passed);
    assert_eq!(r1.by_class["Y"].for_, 1_000);
}
