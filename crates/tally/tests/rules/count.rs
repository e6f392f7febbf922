//! The count: denominators, thresholds, attendance, schemes.

use super::*;

fn three_holders(rules: RulesProfile) -> Fx {
    let mut fx = Fx::new(convened(MeetingKind::Agm, rules, &[("H", 1)]));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    fx.ok(Event::ResolutionProposed(resolution(
        "2",
        ResolutionKind::Special,
    )));
    fx.ok(register("A", "H", 600));
    fx.ok(register("B", "H", 300));
    fx.ok(register("C", "H", 100));
    fx.ok(Event::RegisterClosed);
    fx.ok_as(open(None), CHAIR);
    fx
}

#[test]
fn the_denominator_follows_the_jurisdiction() {
    for (preset, for_pct, passed_special) in [
        (Preset::Hk, "66.6667", false),
        (Preset::Cayman, "66.6667", true),
        (Preset::Prc, "60.0000", false),
    ] {
        let mut fx = three_holders(RulesProfile::preset(preset, 4));
        for res_id in ["1", "2"] {
            fx.ok(vote(vh("A"), res_id, split(600, 0, 0)));
            fx.ok(vote(vh("B"), res_id, split(0, 300, 0)));
            fx.ok(vote(vh("C"), res_id, split(0, 0, 100)));
        }
        let t = fx.tally();
        let r1 = res(&t, "1");
        assert_eq!(r1.for_pct, for_pct, "{preset:?}");
        assert_eq!(r1.abstain_pct, "10.0000", "{preset:?}");
        assert!(r1.passed);
        assert_eq!(res(&t, "2").passed, passed_special, "{preset:?}");
    }
}

#[test]
fn thresholds_are_decided_on_integers() {
    // An ordinary tie fails; exactly three quarters passes a special resolution (HK).
    let mut fx = three_holders(RulesProfile::preset(Preset::Hk, 4));
    fx.ok(vote(vh("A"), "1", split(300, 300, 0)));
    fx.ok(vote(vh("A"), "2", split(300, 100, 0)));
    let t = fx.tally();
    assert_eq!(res(&t, "1").for_pct, "50.0000");
    assert!(!res(&t, "1").passed);
    assert_eq!(res(&t, "2").for_pct, "75.0000");
    assert!(res(&t, "2").passed);
    // 74.9999...% prints as 75.0000 but fails.
    let mut fx = three_holders(RulesProfile::preset(Preset::Hk, 2));
    fx.ok(vote(vh("A"), "2", split(599, 0, 0)));
    fx.ok(vote(vh("B"), "2", split(0, 200, 0)));
    fx.ok(vote(vh("C"), "2", split(0, 0, 1)));
    let r2 = res(&fx.tally(), "2").clone();
    assert_eq!(r2.for_pct, "74.97");
    assert!(!r2.passed);
    // No votes: nothing passes.
    let fx = three_holders(RulesProfile::preset(Preset::Hk, 4));
    assert!(!res(&fx.tally(), "1").passed);
}

#[test]
fn attendance_counts_holders_in_person_and_active_proxies() {
    let mut fx = Fx::hk();
    fx.ok(Event::ProxyLodged(proxy("PB", "B", None, Some(1_000))));
    fx.ok(Event::ProxyLodged(proxy("PB2", "B", None, Some(500))));
    fx.ok_as(open(None), CHAIR);
    // B votes in person for its 1,500 unappointed shares; PB attends; PB2 never shows.
    fx.ok(vote(vh("B"), "1", split(1_500, 0, 0)));
    fx.ok(attend(vp("PB")));
    let t = fx.tally();
    assert_eq!(t.represented, 2_500);
    assert_eq!(t.represented_pct, "62.5000");
    assert_eq!(t.classes[0].represented, 2_500);
    assert_eq!(t.classes[0].represented_pct, "62.5000");
    fx.ok(attend(vh("A")));
    assert_eq!(fx.tally().represented, 3_500);
}

#[test]
fn unvoted_shares_present_count_as_abstentions_when_the_profile_says_so() {
    let mut rules = RulesProfile::preset(Preset::Prc, 4);
    rules.unvoted_as_abstain = true;
    let mut fx = Fx::new(convened(MeetingKind::Agm, rules, &[("H", 1)]));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    fx.ok(register("A", "H", 1_000));
    fx.ok(register("B", "H", 3_000));
    fx.ok(register("C", "H", 500));
    fx.ok(register("D", "H", 500));
    fx.ok(Event::RegisterClosed);
    fx.ok(abstain("C", &["1"], Restriction::Abstain, "interested"));
    fx.ok(Event::ProxyLodged(proxy("P", "B", None, Some(1_000))));
    fx.ok(attend(vh("A")));
    fx.ok(attend(vp("P")));
    fx.ok(attend(vh("C")));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("B"), "1", split(2_000, 0, 0)));
    let t = fx.tally();
    assert_eq!((t.entitled, t.represented), (5_000, 4_500));
    let r1 = res(&t, "1");
    // A (1,000) and P (1,000) present but silent: abstentions. C must abstain: not counted.
    assert_eq!((r1.for_, r1.against, r1.abstain), (2_000, 0, 2_000));
    assert_eq!(r1.entitled, 4_500);
    assert_eq!(r1.for_pct, "50.0000");
    assert!(!r1.passed);
    // Without the option the same meeting passes.
    let mut rules = RulesProfile::preset(Preset::Prc, 4);
    rules.unvoted_as_abstain = false;
    let mut fx2 = Fx::new(convened(MeetingKind::Agm, rules, &[("H", 1)]));
    fx2.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    fx2.ok(register("B", "H", 3_000));
    fx2.ok(register("A", "H", 1_000));
    fx2.ok(Event::RegisterClosed);
    fx2.ok(attend(vh("A")));
    fx2.ok_as(open(None), CHAIR);
    fx2.ok(vote(vh("B"), "1", split(2_000, 0, 0)));
    let r1 = res(&fx2.tally(), "1").clone();
    assert_eq!((r1.for_, r1.abstain), (2_000, 0));
    assert!(r1.passed);
}

#[test]
fn a_scheme_needs_value_headcount_and_few_disinterested_votes_against() {
    let mut fx = Fx::new(convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Hk, 2),
        &[("O", 1)],
    ));
    for id in ["A", "B", "C"] {
        fx.ok(Event::ResolutionProposed(resolution(
            id,
            ResolutionKind::Scheme,
        )));
    }
    fx.ok(register("S1", "O", 100));
    fx.ok(register("S2", "O", 100));
    fx.ok(register("S3", "O", 100));
    fx.ok(register("S4", "O", 1_000));
    fx.ok(Event::RegisterClosed);
    fx.ok(Event::ProxyLodged(proxy("P4", "S4", None, Some(600))));
    fx.ok(Event::ProxyLodged(proxy("P5", "S4", None, Some(400))));
    fx.ok_as(open(None), CHAIR);
    // A: S2 splits (counted once each way); against 150 > 10% of 1,300.
    fx.ok(vote(vh("S1"), "A", split(100, 0, 0)));
    fx.ok(vote(vh("S2"), "A", split(50, 50, 0)));
    fx.ok(vote(vh("S3"), "A", split(0, 100, 0)));
    fx.ok(vote(vp("P4"), "A", split(600, 0, 0)));
    fx.ok(vote(vp("P5"), "A", split(400, 0, 0)));
    // B: 2 holders for (S1, S4 through its proxy) against 2: no majority in number.
    fx.ok(vote(vh("S1"), "B", split(100, 0, 0)));
    fx.ok(vote(vh("S2"), "B", split(0, 10, 0)));
    fx.ok(vote(vh("S3"), "B", split(0, 10, 0)));
    fx.ok(vote(vp("P4"), "B", split(600, 0, 0)));
    // C: passes all three tests.
    fx.ok(vote(vh("S1"), "C", split(100, 0, 0)));
    fx.ok(vote(vh("S3"), "C", split(0, 100, 0)));
    fx.ok(vote(vp("P4"), "C", split(600, 0, 0)));
    fx.ok(vote(vp("P5"), "C", split(400, 0, 0)));
    let t = fx.tally();
    let tests = |id: &str| {
        let x = res(&t, id);
        let s = x.scheme.clone().unwrap();
        (
            s.holders_for,
            s.holders_against,
            s.headcount_passed,
            s.against_limit_passed,
            x.passed,
        )
    };
    assert_eq!(tests("A"), (3, 2, true, false, false));
    assert_eq!(tests("B"), (2, 2, false, true, false));
    assert_eq!(tests("C"), (2, 1, true, true, true));
    assert_eq!(res(&t, "A").kind, "scheme");
}

#[test]
fn disregarded_ballots_are_listed_in_log_order() {
    let mut fx = Fx::hk();
    fx.ok(Event::ProxyLodged(proxy("PB", "B", None, Some(100))));
    fx.ok(abstain("A", &["1"], Restriction::AgainstOnly, "13.40"));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vp("PB"), "1", split(100, 0, 0)));
    fx.ok(vote(vh("A"), "1", split(10, 0, 0)));
    fx.ok(Event::ProxyRevoked {
        proxy: p("PB"),
        reason: "withdrawn".into(),
    });
    let voters: Vec<String> = res(&fx.tally(), "1")
        .disregarded_ballots
        .iter()
        .map(|d| d.voter.clone())
        .collect();
    assert_eq!(voters, vec!["proxy:PB", "A"]);
}
