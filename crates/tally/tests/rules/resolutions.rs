//! Resolutions: well-formed, class meetings.

use super::*;

#[test]
fn resolutions_are_well_formed() {
    let mut fx = Fx::new(convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Hk, 4),
        &[("A", 1), ("H", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    assert_eq!(
        fx.err(Event::ResolutionProposed(resolution(
            "1",
            ResolutionKind::Special
        ))),
        RuleViolation::DuplicateResolution { resolution: r("1") }
    );
    let mut bad = resolution("2", ResolutionKind::Ordinary);
    bad.classes = vec![c("X")];
    assert_eq!(
        fx.err(Event::ResolutionProposed(bad)),
        RuleViolation::UnknownClass { class: c("X") }
    );
    let mut bad = resolution("2", ResolutionKind::Ordinary);
    bad.classes = vec![c("H"), c("H")];
    assert_eq!(
        fx.err(Event::ResolutionProposed(bad)),
        RuleViolation::InvalidResolution {
            resolution: r("2"),
            reason: "class H is listed twice".into()
        }
    );
    let mut bad = resolution("2", ResolutionKind::Ordinary);
    bad.votes_per_share = vec![ClassWeight {
        class: c("Y"),
        votes_per_share: 1,
    }];
    assert_eq!(
        fx.err(Event::ResolutionProposed(bad)),
        RuleViolation::UnknownClass { class: c("Y") }
    );
    let mut bad = resolution("2", ResolutionKind::Ordinary);
    bad.votes_per_share = vec![ClassWeight {
        class: c("A"),
        votes_per_share: 0,
    }];
    assert_eq!(
        fx.err(Event::ResolutionProposed(bad)),
        RuleViolation::InvalidResolution {
            resolution: r("2"),
            reason: "class A has 0 votes per share".into()
        }
    );
    let pool = |seats, names: &[&str]| ResolutionKind::Cumulative {
        seats,
        candidates: names
            .iter()
            .map(|n| Candidate {
                id: cand(n),
                name: n.to_string(),
            })
            .collect(),
    };
    for (kind, reason) in [
        (pool(0, &["X"]), "a cumulative pool needs at least 1 seat"),
        (pool(1, &[]), "a cumulative pool needs at least 1 candidate"),
        (pool(1, &["X", "X"]), "candidate X stands twice"),
    ] {
        assert_eq!(
            fx.err(Event::ResolutionProposed(resolution("3", kind))),
            RuleViolation::InvalidResolution {
                resolution: r("3"),
                reason: reason.into()
            }
        );
    }
    fx.ok(Event::ResolutionProposed(resolution(
        "3",
        pool(2, &["X", "Y"]),
    )));
    assert_eq!(fx.m.resolutions().len(), 2);
    assert_eq!(fx.m.resolutions()[1].id, r("3"));
}

#[test]
fn a_class_meeting_counts_its_one_class() {
    let mut fx = Fx::new(convened(
        MeetingKind::Class,
        RulesProfile::preset(Preset::Prc, 4),
        &[("A", 1), ("H", 1)],
    ));
    assert_eq!(
        fx.err(Event::ResolutionProposed(resolution(
            "1",
            ResolutionKind::Special
        ))),
        RuleViolation::ClassMeetingResolution {
            resolution: r("1"),
            classes: 0
        }
    );
    let mut one = resolution("1", ResolutionKind::Special);
    one.classes = vec![c("H")];
    fx.ok(Event::ResolutionProposed(one));
    fx.ok(register("X", "A", 7_000));
    fx.ok(register("Y", "H", 3_000));
    fx.ok(register("Z", "A", 100));
    fx.ok(register("Z", "H", 900));
    fx.ok(Event::RegisterClosed);
    fx.ok_as(open(None), CHAIR);
    // Z holds two classes but only H votes, so its ballot needs no class.
    fx.ok(vote(vh("Z"), "1", split(900, 0, 0)));
    fx.ok(vote(vh("Y"), "1", split(2_000, 1_000, 0)));
    assert_eq!(
        fx.err(vote(vh("X"), "1", split(1, 0, 0))),
        RuleViolation::AmbiguousClass {
            voter: vh("X"),
            resolution: r("1"),
            classes: vec![]
        }
    );
    let t = fx.tally();
    let r1 = res(&t, "1");
    assert_eq!(r1.entitled, 3_900, "only the H class");
    assert_eq!((r1.for_, r1.against), (2_900, 1_000));
    assert_eq!(r1.by_class.keys().collect::<Vec<_>>(), vec!["H"]);
    assert_eq!(r1.for_pct, "74.3590");
    assert!(r1.passed, "PRC special: at least two thirds");
}
