//! Reviewer's probes of docs/POLLS.md sentences not pinned elsewhere: each test names its rule.

use super::*;
use scrutin_tally::percent;

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

#[test]
fn percentages_round_half_up_at_every_decimal_count() {
    // 2/3 at 0..6 decimals.
    let want = [
        "67",
        "66.7",
        "66.67",
        "66.667",
        "66.6667",
        "66.66667",
        "66.666667",
    ];
    for (d, w) in want.iter().enumerate() {
        assert_eq!(percent(2, 3, d as u8), *w, "{d} decimals");
    }
    // Exactly half a unit in the last place rounds up; just below it rounds down.
    assert_eq!(
        percent(9_999_995, 100_000_000, 4),
        "10.0000",
        "9.999995 -> half up"
    );
    assert_eq!(
        percent(999_994_999, 10_000_000_000, 4),
        "9.9999",
        "9.99994999 -> down"
    );
    assert_eq!(percent(9_999_995, 10_000_000, 4), "100.0000");
    assert_eq!(percent(9_999_994, 10_000_000, 4), "99.9999");
    assert_eq!(
        percent(5, 1_000_000_000, 6),
        "0.000001",
        "0.0000005% rounds up"
    );
    assert_eq!(percent(4, 1_000_000_000, 6), "0.000000");
    // A tiny share of a large register.
    assert_eq!(percent(1_000, 23_000_000_000, 6), "0.000004");
    // 100% at every decimal count.
    assert_eq!(percent(7, 7, 0), "100");
    assert_eq!(percent(7, 7, 6), "100.000000");
    // Ratios of sums far beyond u64 stay exact (no saturation).
    let big = u128::from(u64::MAX) * 1_000_000_000_000;
    assert_eq!(percent(big, big * 4 / 3, 6), "75.000000");
    assert_eq!(percent(big / 3, big, 6), "33.333333");
}

#[test]
fn an_ordinary_resolution_never_gets_the_special_threshold() {
    // An HK ordinary resolution passed with 74.7% for.
    let mut fx = Fx::hk();
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("B"), "1", split(2_241, 0, 0)));
    fx.ok(vote(vh("A"), "1", split(0, 759, 0)));
    let r1 = res(&fx.tally(), "1").clone();
    assert_eq!(r1.for_pct, "74.7000");
    assert!(r1.passed, "ordinary: more than half");
}

#[test]
fn restricted_votes_are_weighted_per_class_per_resolution() {
    // Rule 8A.24: class Y carries 10 votes, but 1 on resolution 2.
    let mut fx = weighted_meeting(
        ResolutionKind::Ordinary,
        &[
            ("Q", "Y", 100),
            ("S", "Y", 30),
            ("R", "Z", 500),
            ("T", "Z", 70),
        ],
    );
    fx.ok(abstain(
        "S",
        &["1", "2"],
        Restriction::Abstain,
        "interested",
    ));
    fx.ok(abstain("T", &["1", "2"], Restriction::AgainstOnly, "13.40"));
    fx.ok_as(open(None), CHAIR);
    for id in ["1", "2"] {
        fx.ok(vote(vh("Q"), id, split(60, 40, 0)));
        fx.ok(vote(vh("S"), id, split(30, 0, 0)));
        fx.ok(vote(vh("T"), id, split(20, 50, 0)));
    }
    let t = fx.tally();
    let r1 = res(&t, "1");
    assert_eq!(
        (r1.entitled, r1.must_abstain, r1.against_only),
        (1_000 + 570, 300, 70)
    );
    assert_eq!((r1.for_, r1.against), (600, 400 + 50));
    assert_eq!(r1.by_class["Y"].for_, 600);
    assert_eq!(r1.by_class["Z"].against, 50);
    assert_eq!(r1.disregarded, 300 + 20);
    let r2 = res(&t, "2");
    assert_eq!(
        (r2.entitled, r2.must_abstain, r2.against_only),
        (100 + 570, 30, 70)
    );
    assert_eq!((r2.for_, r2.against), (60, 40 + 50));
    assert_eq!(r2.by_class["Y"].against, 40);
    assert_eq!(r2.disregarded, 30 + 20);
}

#[test]
fn cumulative_votes_are_shares_times_seats_per_pool() {
    let mut fx = Fx::new(convened(
        MeetingKind::Agm,
        RulesProfile::preset(Preset::Prc, 4),
        &[("A", 1)],
    ));
    // Non-independent pool of 3 seats, independent pool of 2: separate entitlements.
    fx.ok(Event::ResolutionProposed(resolution(
        "7",
        pool(3, &["N1", "N2", "N3", "N4"]),
    )));
    fx.ok(Event::ResolutionProposed(resolution(
        "8",
        pool(2, &["I1", "I2", "I3"]),
    )));
    fx.ok(register("X", "A", 100));
    fx.ok(register("Y", "A", 100));
    fx.ok(register("W", "A", 100));
    fx.ok(Event::RegisterClosed);
    fx.ok_as(open(None), CHAIR);
    // X: all 300 on one candidate (valid); Y: 301 (over-allocated); W: 150 (under: valid).
    fx.ok(vote(vh("X"), "7", allot(&[("N1", 300)])));
    fx.ok(vote(vh("Y"), "7", allot(&[("N2", 200), ("N3", 101)])));
    fx.ok(vote(vh("W"), "7", allot(&[("N1", 50), ("N2", 100)])));
    // Pool 8 has its own 200 votes per 100 shares, whatever was spent in pool 7.
    fx.ok(vote(vh("X"), "8", allot(&[("I1", 200)])));
    fx.ok(vote(vh("Y"), "8", allot(&[("I1", 100), ("I2", 100)])));
    fx.ok(vote(vh("W"), "8", allot(&[("I3", 201)])));
    let t = fx.tally();
    let r7 = res(&t, "7");
    let got: Vec<(u128, bool)> = r7.candidates.iter().map(|c| (c.votes, c.elected)).collect();
    // Minimum: more than half of 200 voting shares (X, W) = 101 votes.
    assert_eq!(got, vec![(350, true), (100, false), (0, false), (0, false)]);
    assert_eq!(r7.disregarded_ballots.len(), 1);
    assert_eq!(r7.disregarded_ballots[0].votes, 301);
    assert_eq!(
        r7.disregarded_ballots[0].reason,
        "over-allocation: 301 votes cast, 300 allowed"
    );
    let r8 = res(&t, "8");
    let got: Vec<(u128, bool)> = r8.candidates.iter().map(|c| (c.votes, c.elected)).collect();
    // Minimum: more than half of 200 voting shares (X, Y).
    assert_eq!(got, vec![(300, true), (100, false), (0, false)]);
    assert_eq!(r8.disregarded, 201);
}

#[test]
fn a_tie_at_the_last_seat_elects_neither_even_above_the_minimum() {
    let mut fx = Fx::new(convened(
        MeetingKind::Agm,
        RulesProfile::preset(Preset::Prc, 4),
        &[("A", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "5",
        pool(2, &["C1", "C2", "C3"]),
    )));
    fx.ok(register("X", "A", 1_000));
    fx.ok(register("Y", "A", 600));
    fx.ok(register("Z", "A", 400));
    fx.ok(Event::RegisterClosed);
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("X"), "5", allot(&[("C1", 1_800), ("C3", 200)])));
    fx.ok(vote(vh("Y"), "5", allot(&[("C2", 1_100), ("C3", 100)])));
    fx.ok(vote(vh("Z"), "5", allot(&[("C3", 800)])));
    let r5 = res(&fx.tally(), "5").clone();
    // Minimum: more than 1,000 (half of 2,000 voting shares); C2 and C3 both pass it but tie.
    let got: Vec<(u128, bool)> = r5.candidates.iter().map(|c| (c.votes, c.elected)).collect();
    assert_eq!(got, vec![(1_800, true), (1_100, false), (1_100, false)]);
    assert!(!r5.passed);
}

#[test]
fn the_scheme_against_limit_is_at_most_ten_percent() {
    let mut fx = Fx::new(convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Hk, 2),
        &[("O", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "S",
        ResolutionKind::Scheme,
    )));
    fx.ok(register("S1", "O", 900));
    fx.ok(register("S2", "O", 100));
    fx.ok(register("S3", "O", 1));
    fx.ok(register("I", "O", 5_000));
    fx.ok(Event::RegisterClosed);
    fx.ok(abstain(
        "I",
        &["S"],
        Restriction::Abstain,
        "offeror concert party",
    ));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("S1"), "S", split(800, 0, 0)));
    // Exactly 10% of the 1,001 disinterested shares would be 100.1: 100 against is within.
    fx.ok(vote(vh("S2"), "S", split(0, 100, 0)));
    fx.ok(vote(vh("S3"), "S", split(1, 0, 0)));
    fx.ok(vote(vh("I"), "S", split(5_000, 0, 0)));
    let t = fx.tally();
    let s = res(&t, "S");
    assert_eq!(s.entitled, 1_001);
    assert!(s.scheme.clone().unwrap().against_limit_passed);
    assert!(s.passed);
    assert_eq!(s.disregarded, 5_000);
}

#[test]
fn a_nominee_is_represented_only_for_the_shares_its_proxies_cover() {
    let mut fx = Fx::hk();
    // B is the nominee: 3,000 shares, proxies cover 1,200 (two proxies, several per holder).
    fx.ok(Event::ProxyLodged(proxy("P1", "B", None, Some(1_000))));
    fx.ok(Event::ProxyLodged(proxy("P2", "B", None, Some(200))));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vp("P1"), "1", split(700, 200, 100)));
    fx.ok(vote(vp("P2"), "1", split(0, 200, 0)));
    let t = fx.tally();
    assert_eq!(t.represented, 1_200);
    let r1 = res(&t, "1");
    assert_eq!((r1.for_, r1.against, r1.abstain), (700, 400, 100));
    // A proxy votes no more than it was appointed for.
    assert_eq!(
        fx.err(vote(vp("P2"), "2", split(201, 0, 0))),
        RuleViolation::OverVoting {
            voter: vp("P2"),
            resolution: r("2"),
            class: c("H"),
            tendered: 201,
            entitled: 200
        }
    );
    // The holder itself votes only what it did not appoint.
    assert_eq!(
        fx.err(vote(vh("B"), "2", split(1_801, 0, 0))),
        RuleViolation::OverVoting {
            voter: vh("B"),
            resolution: r("2"),
            class: c("H"),
            tendered: 1_801,
            entitled: 1_800
        }
    );
}

#[test]
fn unvoted_abstentions_use_the_resolutions_weight_and_skip_non_voting_classes() {
    let mut rules = RulesProfile::preset(Preset::Prc, 4);
    rules.unvoted_as_abstain = true;
    let mut fx = Fx::new(convened(MeetingKind::Agm, rules, &[("A", 1), ("H", 1)]));
    let mut h_only = resolution("1", ResolutionKind::Ordinary);
    h_only.classes = vec![c("H")];
    fx.ok(Event::ResolutionProposed(h_only));
    fx.ok(Event::ResolutionProposed(resolution(
        "2",
        ResolutionKind::Ordinary,
    )));
    fx.ok(register("X", "A", 1_000));
    fx.ok(register("Y", "H", 400));
    fx.ok(register("Z", "H", 100));
    fx.ok(Event::RegisterClosed);
    fx.ok(attend(vh("X")));
    fx.ok(attend(vh("Y")));
    fx.ok(attend(vh("Z")));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("Y"), "1", split(300, 0, 0)));
    fx.ok(vote(vh("Y"), "2", split(400, 0, 0)));
    let t = fx.tally();
    let r1 = res(&t, "1");
    // Y voted 300 of 400 (its unit voted: nothing more); Z silent: 100; X's A shares do not vote.
    assert_eq!((r1.for_, r1.abstain), (300, 100));
    assert_eq!(r1.for_pct, "75.0000");
    let r2 = res(&t, "2");
    assert_eq!((r2.for_, r2.abstain), (400, 1_100));
    assert!(!r2.passed);
}

#[test]
fn a_vote_after_the_poll_closes_is_refused_and_changes_nothing() {
    let mut fx = Fx::hk();
    fx.ok(attend(vh("B")));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("A"), "1", split(1_000, 0, 0)));
    fx.ok_as(close(Some("1")), CHAIR);
    assert_eq!(
        fx.err(vote(vh("B"), "1", split(3_000, 0, 0))),
        RuleViolation::BallotAfterPoll {
            voter: vh("B"),
            resolution: r("1")
        }
    );
    // Resolution 2 is still open, and B was present before the close.
    fx.ok(vote(vh("B"), "2", split(3_000, 0, 0)));
}

/// The attack of a registrar holding the log key: after a poll closes, change who is present
/// or which proxies stand, so that the closed resolution counts differently (ballots voided by
/// a revocation or an attendance, shares represented and so unvoted abstentions or the
/// cumulative minimum moved by a newcomer). Every such event is refused, and the closed
/// resolution's count stays as it was.
#[test]
fn nothing_recorded_after_a_poll_closes_changes_how_it_counts() {
    let mut rules = RulesProfile::preset(Preset::Prc, 4);
    rules.unvoted_as_abstain = true;
    let mut fx = Fx::new(convened(MeetingKind::Egm, rules, &[("H", 1)]));
    for id in ["1", "2"] {
        fx.ok(Event::ResolutionProposed(resolution(
            id,
            ResolutionKind::Ordinary,
        )));
    }
    fx.ok(register("A", "H", 1_000));
    fx.ok(register("B", "H", 3_000));
    fx.ok(register("C", "H", 2_000));
    fx.ok(Event::RegisterClosed);
    fx.ok(Event::ProxyLodged(proxy("P1", "A", None, None)));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vp("P1"), "1", split(1_000, 0, 0)));
    fx.ok(vote(vh("B"), "1", split(0, 900, 0)));
    fx.ok_as(close(Some("1")), CHAIR);
    let before = res(&fx.tally(), "1").clone();
    let closed = |kind, subject| RuleViolation::AttendanceClosed {
        kind,
        subject,
        resolution: r("1"),
    };
    assert_eq!(
        fx.err(Event::ProxyRevoked {
            proxy: p("P1"),
            reason: "withdrawn".into()
        }),
        closed(EventKind::ProxyRevoked, vp("P1"))
    );
    assert_eq!(
        fx.err(attend(vh("A"))),
        closed(EventKind::AttendanceRecorded, vh("A"))
    );
    assert_eq!(
        fx.err(vote(vh("C"), "2", split(2_000, 0, 0))),
        closed(EventKind::VoteCast, vh("C"))
    );
    // A voter already present still votes on the open resolution.
    fx.ok(vote(vh("B"), "2", split(3_000, 0, 0)));
    assert_eq!(res(&fx.tally(), "1"), &before);
}

/// A meeting of two classes where resolution 1 is for the H class only.
fn two_class_agm() -> Fx {
    let mut fx = Fx::new(convened(
        MeetingKind::Agm,
        RulesProfile::preset(Preset::Prc, 4),
        &[("A", 1), ("H", 1)],
    ));
    let mut h_only = resolution("1", ResolutionKind::Special);
    h_only.classes = vec![c("H")];
    fx.ok(Event::ResolutionProposed(h_only));
    fx.ok(Event::ResolutionProposed(resolution(
        "2",
        ResolutionKind::Ordinary,
    )));
    fx.ok(register("X", "A", 7_000));
    fx.ok(register("Y", "H", 3_000));
    fx.ok(register("Z", "H", 500));
    fx.ok(register("W", "H", 100));
    fx.ok(Event::RegisterClosed);
    fx.ok(abstain("Z", &["2"], Restriction::Abstain, "connected"));
    fx.ok(abstain("W", &["1"], Restriction::AgainstOnly, "13.40"));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("Y"), "1", split(3_000, 0, 0)));
    fx.ok(vote(vh("X"), "2", split(7_000, 0, 0)));
    fx
}

#[test]
fn the_announcement_states_the_13_39_5_items_of_every_resolution() {
    let fx = two_class_agm();
    let t = fx.tally();
    assert_eq!(res(&t, "1").entitled, 3_600);
    assert_eq!(res(&t, "2").entitled, 10_100);
    let text = scrutin_tally::render_announcement(&fx.m, &t);
    for want in [
        // Rule 13.39(5)(a): shares entitling the holders to attend and vote, per resolution.
        "attend and vote on resolution 1 was 3,600 Shares",
        "attend and vote on resolution 2 was 10,100 Shares",
        // (b) 13.40 and (c) must-abstain shares, stated or denied for each resolution.
        "holding 100 Shares were entitled to attend but had to abstain from voting in favour of resolution 1",
        "holding 500 Shares were required under the Listing Rules to abstain and had abstained from voting on resolution 2",
        "no Shareholder was required to abstain from voting on any other resolution",
        "no Shareholder who was entitled to attend had to abstain from voting in favour of any other resolution",
        "Scrutineer Ltd acted as the scrutineer",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
}

#[test]
fn a_class_meetings_attendance_is_over_its_class_only() {
    // An H-share class meeting whose register also lists A-share holders: only the H class
    // attends and votes, so the meeting's totals and percentage are the H class's.
    let mut fx = Fx::new(convened(
        MeetingKind::Class,
        RulesProfile::preset(Preset::Prc, 4),
        &[("A", 1), ("H", 1)],
    ));
    let mut one = resolution("1", ResolutionKind::Special);
    one.classes = vec![c("H")];
    fx.ok(Event::ResolutionProposed(one));
    fx.ok(register("X", "A", 7_000));
    fx.ok(register("Y", "H", 3_000));
    fx.ok(register("Z", "A", 100));
    fx.ok(register("Z", "H", 1_000));
    fx.ok(Event::RegisterClosed);
    fx.ok(attend(vh("X")));
    fx.ok(attend(vh("Z")));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("Y"), "1", split(3_000, 0, 0)));
    let t = fx.tally();
    assert_eq!((t.entitled, t.represented), (4_000, 4_000));
    assert_eq!(t.represented_pct, "100.0000");
    assert_eq!(
        t.classes
            .iter()
            .map(|c| (c.id.as_str(), c.entitled, c.represented))
            .collect::<Vec<_>>(),
        vec![("H", 4_000, 4_000)]
    );
    let text = scrutin_tally::render_announcement(&fx.m, &t);
    assert!(
        text.contains(
            "attend and vote on the resolution proposed at the Class Meeting is 4,000 Shares."
        ),
        "{text}"
    );
    // A general meeting keeps every class in its totals.
    let mut fx = two_class_agm();
    fx.ok(attend(vh("W")));
    assert_eq!(fx.tally().entitled, 10_600);
}

#[test]
fn a_proxy_form_naming_nobody_appoints_the_chairman() {
    let mut fx = Fx::hk();
    let mut blank = proxy("P0", "A", None, Some(100));
    blank.proxy_name = " ".into();
    fx.ok(Event::ProxyLodged(blank));
    fx.ok(Event::ProxyLodged(proxy("P1", "A", None, Some(100))));
    assert_eq!(
        fx.m.proxy_name(&p("P0")),
        Some("the chairman of the meeting")
    );
    assert_eq!(fx.m.proxy_name(&p("P1")), Some("The Chairman"));
    assert_eq!(fx.m.proxy_name(&p("P9")), None);
}

#[test]
fn a_schemes_value_test_is_stated_on_votes_for_and_against_under_every_profile() {
    let mut fx = Fx::new(convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Prc, 2),
        &[("O", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "S",
        ResolutionKind::Scheme,
    )));
    for (id, shares) in [
        ("S1", 350),
        ("S2", 350),
        ("S3", 300),
        ("S4", 500),
        ("N", 2_000),
    ] {
        fx.ok(register(id, "O", shares));
    }
    fx.ok(Event::RegisterClosed);
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("S1"), "S", split(350, 0, 0)));
    fx.ok(vote(vh("S2"), "S", split(350, 0, 0)));
    fx.ok(vote(vh("S3"), "S", split(0, 300, 0)));
    fx.ok(vote(vh("S4"), "S", split(0, 0, 500)));
    let t = fx.tally();
    // 700 / (700 + 300) = 70%: at least two-thirds of the votes cast (abstentions aside).
    assert!(res(&t, "S").passed);
    // Before the declaration the text is a provisional count and states no outcome.
    let provisional = scrutin_tally::render_announcement(&fx.m, &t);
    assert!(provisional.contains("PROVISIONAL COUNT: NO RESULT HAS BEEN DECLARED"));
    assert!(!provisional.contains("As at least"), "{provisional}");
    fx.ok_as(close(None), CHAIR);
    fx.ok_as(
        Event::ResultDeclared {
            tally_sha256: [0; 32],
        },
        SCRUT,
    );
    let text = scrutin_tally::render_announcement(&fx.m, &t);
    assert!(!text.contains("PROVISIONAL"), "{text}");
    assert!(
        text.contains("As at least two-thirds of the votes were cast in favour of resolution S"),
        "{text}"
    );
}

#[test]
fn extreme_numbers_count_without_overflow() {
    // The largest register lines, weights, seats and threshold fractions a bundle can carry.
    let mut rules = RulesProfile::preset(Preset::Prc, 6);
    rules.unvoted_as_abstain = true;
    let mut fx = Fx::new(convened(
        MeetingKind::Agm,
        rules,
        &[("Y", u32::MAX), ("Z", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Special,
    )));
    fx.ok(Event::ResolutionProposed(resolution(
        "2",
        pool(u32::MAX, &["C1", "C2"]),
    )));
    fx.ok(Event::ResolutionProposed(resolution(
        "3",
        ResolutionKind::Scheme,
    )));
    for id in ["A", "B", "D"] {
        fx.ok(register(id, "Y", u64::MAX));
        fx.ok(register(id, "Z", u64::MAX));
    }
    fx.ok(Event::RegisterClosed);
    fx.ok(attend(vh("D")));
    fx.ok_as(open(None), CHAIR);
    for id in ["1", "3"] {
        fx.ok(vote_class(vh("A"), id, "Y", split(u64::MAX, 0, 0)));
        fx.ok(vote_class(vh("B"), id, "Y", split(0, u64::MAX - 1, 1)));
        fx.ok(vote_class(vh("A"), id, "Z", split(u64::MAX, 0, 0)));
    }
    fx.ok(vote_class(
        vh("A"),
        "2",
        "Y",
        allot(&[("C1", u64::MAX), ("C2", u64::MAX)]),
    ));
    let t = fx.tally();
    let r1 = res(&t, "1");
    let y = u128::from(u64::MAX) * u128::from(u32::MAX);
    assert_eq!(r1.for_, y + u128::from(u64::MAX));
    assert_eq!(r1.against, y - u128::from(u32::MAX));
    assert_eq!(r1.for_pct, "33.333333");
    assert!(!r1.passed);
    let _ = scrutin_tally::render_announcement(&fx.m, &t);
    let _ = t.to_json();
}

#[test]
fn thresholds_with_the_largest_fractions_decide_huge_counts_exactly() {
    let mut rules = RulesProfile::preset(Preset::Hk, 4);
    // An article's threshold of (2^32 - 2) / (2^32 - 1): the largest fraction a profile holds.
    rules.ordinary = scrutin_model::Threshold::new(u32::MAX - 1, u32::MAX, false).unwrap();
    rules.scheme_max_against =
        scrutin_model::Threshold::new(u32::MAX - 1, u32::MAX, false).unwrap();
    let mut fx = Fx::new(convened(MeetingKind::Agm, rules, &[("Y", u32::MAX)]));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    fx.ok(Event::ResolutionProposed(resolution(
        "2",
        ResolutionKind::Scheme,
    )));
    for id in ["A", "B", "D"] {
        fx.ok(register(id, "Y", u64::MAX));
    }
    fx.ok(Event::RegisterClosed);
    fx.ok_as(open(None), CHAIR);
    for id in ["1", "2"] {
        fx.ok(vote(vh("A"), id, split(u64::MAX, 0, 0)));
        fx.ok(vote(vh("B"), id, split(u64::MAX, 0, 0)));
        fx.ok(vote(vh("D"), id, split(u64::MAX - 1, 1, 0)));
    }
    let t = fx.tally();
    // for / (for + against) = 1 - 1/(3 x 2^64 - 3): above (2^32 - 2)/(2^32 - 1).
    assert!(res(&t, "1").passed);
    let s = res(&t, "2").scheme.clone().unwrap();
    // Against: 2^32 - 1 votes, far within (2^32 - 2)/(2^32 - 1) of all disinterested votes.
    assert!(s.against_limit_passed);
}

/// Issue 9 item 8: an SGM and a court meeting are announced under their own headings.
#[test]
fn sgm_and_court_meetings_have_their_announcement_headings() {
    for (kind, heading, short) in [
        (
            MeetingKind::Sgm,
            "POLL RESULTS OF THE SPECIAL GENERAL MEETING HELD ON",
            "ATTENDANCE OF THE SGM",
        ),
        (
            MeetingKind::Court,
            "POLL RESULTS OF THE COURT MEETING HELD ON",
            "ATTENDANCE OF THE COURT MEETING",
        ),
    ] {
        let mut fx = Fx::new(convened(
            kind,
            RulesProfile::preset(Preset::Hk, 4),
            &[("H", 1)],
        ));
        fx.ok(Event::ResolutionProposed(resolution(
            "1",
            ResolutionKind::Scheme,
        )));
        fx.ok(register("A", "H", 1_000));
        fx.ok(Event::RegisterClosed);
        let text = scrutin_tally::render_announcement(&fx.m, &fx.tally());
        assert!(
            text.contains(heading) && text.contains(short),
            "{kind:?}:\n{text}"
        );
    }
}
