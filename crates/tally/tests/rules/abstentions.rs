//! Must-abstain and against-only holders.

use super::*;

#[test]
fn abstention_requirements_are_checked() {
    let mut fx = Fx::hk();
    assert_eq!(
        fx.err(abstain("A", &["9"], Restriction::Abstain, "x")),
        RuleViolation::UnknownResolution { resolution: r("9") }
    );
    assert_eq!(
        fx.err(abstain("A", &[], Restriction::Abstain, "x")),
        RuleViolation::EmptyAbstention { holder: h("A") }
    );
    assert_eq!(
        fx.err(abstain("A", &["1", "1"], Restriction::Abstain, "x")),
        RuleViolation::DuplicateAbstention {
            holder: h("A"),
            resolution: r("1")
        }
    );
    fx.ok(abstain("A", &["1"], Restriction::Abstain, "x"));
    assert_eq!(
        fx.err(abstain("A", &["1"], Restriction::AgainstOnly, "y")),
        RuleViolation::DuplicateAbstention {
            holder: h("A"),
            resolution: r("1")
        }
    );
    fx.ok_as(open(Some("2")), CHAIR);
    assert_eq!(
        fx.err(abstain("B", &["2"], Restriction::Abstain, "x")),
        RuleViolation::PollAlreadyOpened { resolution: r("2") }
    );
}

#[test]
fn must_abstain_votes_are_accepted_but_disregarded_with_the_reason() {
    let mut fx = Fx::hk();
    fx.ok(Event::ProxyLodged(proxy("PA", "A", None, Some(400))));
    fx.ok(abstain(
        "A",
        &["1"],
        Restriction::Abstain,
        "connected person (Rule 14A.36)",
    ));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("A"), "1", split(600, 0, 0)));
    fx.ok(vote(vp("PA"), "1", split(0, 400, 0)));
    fx.ok(vote(vh("B"), "1", split(1_000, 2_000, 0)));
    fx.ok(vote(vh("A"), "2", split(600, 0, 0)));
    let t = fx.tally();
    let r1 = res(&t, "1");
    assert_eq!(r1.entitled, 3_000);
    assert_eq!(r1.must_abstain, 1_000);
    assert_eq!((r1.for_, r1.against, r1.abstain), (1_000, 2_000, 0));
    assert_eq!(r1.disregarded, 1_000);
    let reason = "required to abstain: connected person (Rule 14A.36)".to_owned();
    assert_eq!(
        r1.disregarded_ballots,
        vec![
            Disregarded {
                voter: "A".into(),
                votes: 600,
                reason: reason.clone()
            },
            Disregarded {
                voter: "proxy:PA".into(),
                votes: 400,
                reason: reason.clone()
            },
        ]
    );
    assert!(!r1.passed);
    let r2 = res(&t, "2");
    assert_eq!((r2.entitled, r2.must_abstain, r2.for_), (4_000, 0, 600));
    assert!(r2.disregarded_ballots.is_empty());
    assert_eq!(
        fx.m.ballot_status(&vh("A"), &r("1")),
        vec![(
            c("H"),
            scrutin_tally::BallotStatus::Disregarded { votes: 600, reason }
        )]
    );
    assert_eq!(fx.m.must_abstain_holders(&r("1")), vec![h("A")]);
    assert_eq!(fx.m.abstentions().len(), 1);
}

#[test]
fn against_only_holders_may_vote_against_but_not_for() {
    let mut fx = Fx::hk();
    fx.ok(abstain(
        "A",
        &["1", "2"],
        Restriction::AgainstOnly,
        "Rule 13.40 undertaking",
    ));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("A"), "1", split(600, 300, 100)));
    fx.ok(vote(vh("A"), "2", split(0, 1_000, 0)));
    fx.ok(vote(vh("B"), "1", split(3_000, 0, 0)));
    let t = fx.tally();
    let r1 = res(&t, "1");
    assert_eq!(r1.entitled, 4_000, "still entitled");
    assert_eq!(r1.against_only, 1_000);
    assert_eq!(r1.must_abstain, 0);
    assert_eq!((r1.for_, r1.against, r1.abstain), (3_000, 300, 100));
    assert_eq!(
        r1.disregarded_ballots,
        vec![Disregarded {
            voter: "A".into(),
            votes: 600,
            reason: "may not vote for (Rule 13.40): Rule 13.40 undertaking".into()
        }]
    );
    let r2 = res(&t, "2");
    assert_eq!((r2.against, r2.disregarded), (1_000, 0));
}
