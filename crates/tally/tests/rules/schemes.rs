//! Schemes of arrangement (issue 9 item 2): each resolution's own tests, concert parties
//! (`not_disinterested`) in the statutory tests and out of the disinterested ones, and partial
//! voting (item 4's profile option).

use super::proxies::with_instructions;
use super::*;
use scrutin_model::{MeetingSettings, SchemeTerms, Threshold};

fn frac(num: u32, den: u32) -> Threshold {
    Threshold::new(num, den, false).unwrap()
}

fn terms(res: &str, scheme: SchemeTerms) -> Event {
    Event::ResolutionTerms {
        resolution: r(res),
        sitting: None,
        scheme: Some(scheme),
    }
}

/// A Bermuda court meeting with one class O: resolutions S and T (schemes), the register of
/// `holders`, each resolution's terms (`None`: the preset's), register still open.
fn scheme_meeting(holders: &[(&str, u64)], s: Option<SchemeTerms>, t: Option<SchemeTerms>) -> Fx {
    let mut fx = Fx::new(convened(
        MeetingKind::Court,
        RulesProfile::preset(Preset::Bermuda, 2),
        &[("O", 1)],
    ));
    for id in ["S", "T"] {
        fx.ok(Event::ResolutionProposed(resolution(
            id,
            ResolutionKind::Scheme,
        )));
    }
    if let Some(x) = s {
        fx.ok(terms("S", x));
    }
    if let Some(x) = t {
        fx.ok(terms("T", x));
    }
    for &(id, shares) in holders {
        fx.ok(register(id, "O", shares));
    }
    fx
}

/// Cap 622 s.674(2): a takeover scheme has no headcount test. Four of five holders vote
/// against, with few shares; the scheme passes on value alone and the 10% test.
#[test]
fn a_takeover_scheme_without_a_headcount_test_passes_though_most_holders_vote_against() {
    let holders = [
        ("BIG", 9_000),
        ("A1", 10),
        ("A2", 10),
        ("A3", 10),
        ("A4", 10),
    ];
    let no_headcount = SchemeTerms {
        headcount: false,
        value_majority: frac(3, 4),
        disinterested_majority: None,
        disinterested_max_against: Some(frac(1, 10)),
    };
    // S has no headcount test; T keeps the preset's (headcount on).
    let mut fx = scheme_meeting(&holders, Some(no_headcount), None);
    fx.ok(Event::RegisterClosed);
    fx.ok_as(open(None), CHAIR);
    for id in ["S", "T"] {
        fx.ok(vote(vh("BIG"), id, split(9_000, 0, 0)));
        for a in ["A1", "A2", "A3", "A4"] {
            fx.ok(vote(vh(a), id, split(0, 10, 0)));
        }
    }
    let t = fx.tally();
    let s = res(&t, "S");
    let st = s.scheme.clone().unwrap();
    // 1 holder for, 4 against: no majority in number, but no headcount test applies.
    let hc = st.headcount.clone().unwrap();
    assert_eq!(
        (hc.required, hc.holders_for, hc.holders_against),
        (false, 1, 4)
    );
    assert!(hc.passed && st.headcount_passed);
    // Value: 9,000 / 9,040 = 99.56% >= 3/4. Against: 40 / 9,040 = 0.44% <= 1/10.
    let v = st.value.clone().unwrap();
    assert_eq!((v.for_, v.against, v.base), (9_000, 40, 9_040));
    assert_eq!((v.for_pct.as_str(), v.threshold.as_str()), ("99.56", "3/4"));
    let lim = st.disinterested_against.clone().unwrap();
    assert_eq!(
        (lim.against, lim.base, lim.pct.as_str()),
        (40, 9_040, "0.44")
    );
    assert!(lim.passed && v.passed);
    assert!(s.passed, "no headcount test: the scheme passes");
    // The same votes under the preset's tests fail the headcount.
    let tt = res(&t, "T");
    let tt_s = tt.scheme.clone().unwrap();
    assert!(tt_s.headcount.unwrap().required);
    assert!(!tt_s.headcount_passed);
    assert!(!tt.passed, "the preset applies the headcount test");
}

/// AsiaSat 2019: majority in number, 75% in value of the scheme shares voted, 75% of the
/// disinterested votes cast, and against at most 10% of ALL disinterested scheme shares.
/// CP is the offeror's concert party: it votes and counts in the first two tests only.
#[test]
fn concert_parties_count_in_the_statutory_tests_and_are_left_out_of_the_disinterested_ones() {
    let holders = [
        ("CP", 6_000),
        ("D1", 1_000),
        ("D2", 1_000),
        ("D3", 300),
        ("D4", 200),
        ("D5", 100),
    ];
    let asiasat = SchemeTerms {
        headcount: true,
        value_majority: frac(3, 4),
        disinterested_majority: Some(frac(3, 4)),
        disinterested_max_against: Some(frac(1, 10)),
    };
    let no_limit = SchemeTerms {
        disinterested_max_against: None,
        ..asiasat.clone()
    };
    let mut fx = scheme_meeting(&holders, Some(asiasat), Some(no_limit));
    fx.ok(Event::RegisterClosed);
    fx.ok(abstain(
        "CP",
        &["S", "T"],
        Restriction::NotDisinterested,
        "concert party of the offeror",
    ));
    fx.ok_as(open(None), CHAIR);
    // S: CP 6,000 for; D1 1,000 for; D3 300 for; D2 300 against.
    fx.ok(vote(vh("CP"), "S", split(6_000, 0, 0)));
    fx.ok(vote(vh("D1"), "S", split(1_000, 0, 0)));
    fx.ok(vote(vh("D3"), "S", split(300, 0, 0)));
    fx.ok(vote(vh("D2"), "S", split(0, 300, 0)));
    // T: CP 6,000 for; D2 1,000 for; D3 300 for; D1 1,000 against.
    fx.ok(vote(vh("CP"), "T", split(6_000, 0, 0)));
    fx.ok(vote(vh("D2"), "T", split(1_000, 0, 0)));
    fx.ok(vote(vh("D3"), "T", split(300, 0, 0)));
    fx.ok(vote(vh("D1"), "T", split(0, 1_000, 0)));
    let t = fx.tally();

    let s = res(&t, "S");
    let st = s.scheme.clone().unwrap();
    // Headcount over every holder voting: CP, D1, D3 for; D2 against.
    assert_eq!((st.holders_for, st.holders_against), (3, 1));
    assert!(st.headcount_passed);
    // Value over every vote: 7,300 for, 300 against: 96.05% >= 75%.
    let v = st.value.clone().unwrap();
    assert_eq!(
        (v.for_, v.against, v.for_pct.as_str()),
        (7_300, 300, "96.05")
    );
    assert!(v.passed);
    // Disinterested votes cast: 1,300 for, 300 against: 81.25% >= 75%; CP left out.
    let d = st.disinterested.clone().unwrap();
    assert_eq!(
        (d.for_, d.against, d.for_pct.as_str()),
        (1_300, 300, "81.25")
    );
    assert_eq!((d.holders_for, d.holders_against), (2, 1));
    assert!(d.passed);
    // Against over ALL disinterested scheme shares: 8,600 - 6,000 = 2,600; 300 / 2,600 =
    // 11.54% > 10%: fails. Had CP stayed in the base, 300 / 8,600 = 3.49% would pass.
    let lim = st.disinterested_against.clone().unwrap();
    assert_eq!(
        (lim.against, lim.base, lim.pct.as_str()),
        (300, 2_600, "11.54")
    );
    assert_eq!(lim.limit, "1/10");
    assert!(!lim.passed && !st.against_limit_passed);
    assert!(
        !s.passed,
        "the 10% test over the disinterested shares fails"
    );

    // T: statutory tests pass (7,300 for, 1,000 against: 87.95%; 3 holders to 1), but the
    // disinterested votes are 1,300 for, 1,000 against: 56.52% < 75%. No 10% test on T.
    let tr = res(&t, "T");
    let ts = tr.scheme.clone().unwrap();
    assert!(ts.headcount_passed && ts.value.clone().unwrap().passed);
    let d = ts.disinterested.clone().unwrap();
    assert_eq!(
        (d.for_, d.against, d.for_pct.as_str()),
        (1_300, 1_000, "56.52")
    );
    assert!(!d.passed);
    assert!(ts.disinterested_against.is_none() && ts.against_limit_passed);
    assert!(!tr.passed, "the disinterested majority fails");

    // Format 1 (what earlier declarations certify) has none of the new members.
    let v1 = t.json_of_format(1).unwrap();
    assert!(!v1.contains("\"disinterested\"") && !v1.contains("\"headcount\""));
    assert!(t.to_json().contains("\"disinterested_against\""));
}

/// Without a `not_disinterested` mark the same votes pass S: the mark is what moves CP out.
#[test]
fn without_the_concert_party_mark_the_disinterested_tests_count_everyone() {
    let asiasat = SchemeTerms {
        headcount: true,
        value_majority: frac(3, 4),
        disinterested_majority: Some(frac(3, 4)),
        disinterested_max_against: Some(frac(1, 10)),
    };
    let mut fx = scheme_meeting(
        &[("CP", 6_000), ("D1", 1_000), ("D2", 1_000), ("D3", 300)],
        Some(asiasat),
        None,
    );
    fx.ok(Event::RegisterClosed);
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("CP"), "S", split(6_000, 0, 0)));
    fx.ok(vote(vh("D1"), "S", split(1_000, 0, 0)));
    fx.ok(vote(vh("D3"), "S", split(300, 0, 0)));
    fx.ok(vote(vh("D2"), "S", split(0, 300, 0)));
    let s = res(&fx.tally(), "S").clone();
    // 300 / 8,300 = 3.61% <= 10%.
    let lim = s.scheme.clone().unwrap().disinterested_against.unwrap();
    assert_eq!((lim.base, lim.pct.as_str()), (8_300, "3.61"));
    assert!(s.passed);
}

/// A holder may be a concert party and against-only on one resolution: the marks are kept
/// apart from the restrictions on the vote; the same mark twice is still refused.
#[test]
fn a_concert_party_may_also_be_against_only_on_one_resolution() {
    let mut fx = scheme_meeting(&[("CP", 100), ("D", 100)], None, None);
    fx.ok(Event::RegisterClosed);
    fx.ok(abstain(
        "CP",
        &["S"],
        Restriction::NotDisinterested,
        "concert",
    ));
    fx.ok(abstain("CP", &["S"], Restriction::AgainstOnly, "13.40"));
    fx.ok(abstain(
        "CP",
        &["S"],
        Restriction::IntendsAgainst,
        "circular",
    ));
    assert_eq!(
        fx.err(abstain(
            "CP",
            &["S"],
            Restriction::NotDisinterested,
            "again"
        )),
        RuleViolation::DuplicateAbstention {
            holder: h("CP"),
            resolution: r("S"),
        }
    );
    assert_eq!(
        fx.err(abstain(
            "CP",
            &["S"],
            Restriction::Abstain,
            "vote restriction twice"
        )),
        RuleViolation::DuplicateAbstention {
            holder: h("CP"),
            resolution: r("S"),
        }
    );
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("CP"), "S", split(60, 40, 0)));
    fx.ok(vote(vh("D"), "S", split(100, 0, 0)));
    let s = res(&fx.tally(), "S").clone();
    // CP's 60 for are void (against-only); its 40 against count, and stay out of the
    // disinterested figures: base 100 (D's shares), against 0.
    assert_eq!((s.for_, s.against, s.against_only), (100, 40, 100));
    let lim = s.scheme.clone().unwrap().disinterested_against.unwrap();
    assert_eq!((lim.against, lim.base), (0, 100));
}

fn partial_meeting(partial: Option<bool>) -> Fx {
    let mut fx = Fx::new(convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Hk, 4),
        &[("H", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    if let Some(p) = partial {
        fx.ok(Event::MeetingSettings(MeetingSettings {
            partial_voting: p,
            ..MeetingSettings::default()
        }));
    }
    fx.ok(register("N", "H", 400_000_000));
    fx.ok(Event::RegisterClosed);
    fx.ok(with_instructions(
        proxy("PN", "N", None, Some(300_000_000)),
        &[(
            "1",
            Instruction::Split {
                for_: Shares(250_000_000),
                against: Shares(40_000_000),
                abstain: Shares(10_000_000),
            },
        )],
    ));
    fx.ok_as(open(None), CHAIR);
    fx
}

/// Issue 9 item 4: with `partial_voting` a proxy may vote fewer shares than its split
/// instruction (the rest unvoted); without it (or with it off) the shortfall is refused.
#[test]
fn partial_voting_lets_a_proxy_vote_fewer_shares_than_instructed() {
    let short = vote(vp("PN"), "1", split(250_000_000, 40_000_000, 9_000_000));
    for off in [None, Some(false)] {
        let mut fx = partial_meeting(off);
        let err = fx.err(short.clone());
        assert_eq!(err.rule(), "proxy-instruction");
        assert!(matches!(err, RuleViolation::ProxyShortfall { .. }), "{err}");
    }
    let mut fx = partial_meeting(Some(true));
    fx.ok(short);
    let r1 = res(&fx.tally(), "1").clone();
    assert_eq!(
        (r1.for_, r1.against, r1.abstain),
        (250_000_000, 40_000_000, 9_000_000)
    );
    // Still within each part: more than instructed is refused whatever the setting.
    let mut fx = partial_meeting(Some(true));
    assert_eq!(
        fx.err(vote(vp("PN"), "1", split(250_000_001, 0, 0))).rule(),
        "proxy-instruction"
    );
}

/// `not_disinterested` marks a concert party for a scheme's disinterested tests; on any other
/// kind of resolution it would mean nothing, so it is refused, naming the resolution.
#[test]
fn not_disinterested_is_refused_on_a_resolution_that_is_not_a_scheme() {
    let mut fx = Fx::hk();
    let v = fx.err(abstain(
        "A",
        &["1"],
        Restriction::NotDisinterested,
        "concert party",
    ));
    assert!(
        matches!(&v, RuleViolation::InvalidResolution { resolution, .. } if *resolution == r("1")),
        "{v}"
    );
    // The intention marks are fine on any resolution.
    fx.ok(abstain(
        "A",
        &["1"],
        Restriction::IntendsAgainst,
        "circular",
    ));
}
