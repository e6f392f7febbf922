//! The announcement on hand-built tallies (independent of the rules engine).

use std::collections::BTreeMap;

use scrutin_model::{
    AuthorKey, ClassId, ClassWeight, Date, Denominator, MeetingConvened, MeetingKind, Preset,
    Resolution, ResolutionId, ResolutionKind, Restriction, RulesProfile, ShareClass, UtcMillis,
};

use super::{render, Context, Restricted};
use crate::{
    percent, CandidateResult, ClassAttendance, ClassVotes, Disregarded, ResolutionTally,
    SchemeTests, Tally,
};

fn class(id: &str, name: &str, vps: u32) -> ShareClass {
    ShareClass {
        id: ClassId::new(id).unwrap(),
        name: name.into(),
        votes_per_share: vps,
    }
}

fn convened(
    issuer: &str,
    code: &str,
    kind: MeetingKind,
    rules: RulesProfile,
    classes: Vec<ShareClass>,
    scrutineer: &str,
) -> MeetingConvened {
    MeetingConvened {
        id: "m".into(),
        issuer: issuer.into(),
        stock_code: code.into(),
        kind,
        date: Date::new("2022-08-24").unwrap(),
        rules,
        classes,
        record_date: Date::new("2022-08-18").unwrap(),
        proxy_deadline: UtcMillis(0),
        registrar: AuthorKey([7; 32]),
        scrutineer: scrutineer.into(),
    }
}

fn resolution(id: &str, kind: ResolutionKind, title: &str) -> Resolution {
    Resolution {
        id: ResolutionId::new(id).unwrap(),
        kind,
        title: title.into(),
        classes: vec![],
        votes_per_share: vec![],
    }
}

fn counts(
    id: &str,
    kind: &str,
    f: u128,
    a: u128,
    b: u128,
    d: u8,
    den: Denominator,
) -> ResolutionTally {
    let base = match den {
        Denominator::ForAgainst => f + a,
        Denominator::ForAgainstAbstain => f + a + b,
    };
    ResolutionTally {
        id: id.into(),
        kind: kind.into(),
        entitled: 0,
        must_abstain: 0,
        against_only: 0,
        for_: f,
        against: a,
        abstain: b,
        for_pct: percent(f, base, d),
        against_pct: percent(a, base, d),
        abstain_pct: percent(b, f + a + b, d),
        passed: f * 2 > base,
        disregarded: 0,
        disregarded_ballots: vec![],
        by_class: BTreeMap::new(),
        candidates: vec![],
        scheme: None,
        holders_for: None,
        holders_against: None,
        holders_present: None,
    }
}

/// A tally with no class attendance, around `resolutions`.
fn tally_around(
    entitled: u128,
    represented: u128,
    represented_pct: &str,
    resolutions: Vec<ResolutionTally>,
) -> Tally {
    Tally {
        format: None,
        meeting: "m".into(),
        classes: vec![],
        entitled,
        represented,
        represented_pct: represented_pct.into(),
        resolutions,
        sittings: vec![],
    }
}

/// Renders a meeting that has no restricted (must-abstain or Rule 13.40) holders.
fn render_unrestricted(c: &MeetingConvened, r: &[Resolution], tally: &Tally) -> String {
    let ctx = Context::new(None, Some(c), r.iter().collect(), vec![], true);
    render(&ctx, tally)
}

fn jlmag() -> (MeetingConvened, Vec<Resolution>, Tally) {
    let c = convened(
        "JL MAG RARE-EARTH CO., LTD.",
        "06680",
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Prc, 4),
        vec![class("A", "A shares", 1), class("H", "H shares", 1)],
        "Computershare Hong Kong Investor Services Limited",
    );
    let r = vec![resolution(
        "1",
        ResolutionKind::Ordinary,
        "To consider and approve the change in the use of proceeds from the global offering",
    )];
    let mut rt = counts(
        "1",
        "ordinary",
        516_237_845,
        23_300,
        0,
        4,
        Denominator::ForAgainstAbstain,
    );
    rt.entitled = 836_430_630;
    let tally = Tally {
        format: None,
        meeting: "m".into(),
        classes: vec![
            ClassAttendance {
                id: "A".into(),
                entitled: 710_964_630,
                represented: 400_000_000,
                represented_pct: percent(400_000_000, 710_964_630, 4),
            },
            ClassAttendance {
                id: "H".into(),
                entitled: 125_466_000,
                represented: 116_261_145,
                represented_pct: percent(116_261_145, 125_466_000, 4),
            },
        ],
        entitled: 836_430_630,
        represented: 516_261_145,
        represented_pct: percent(516_261_145, 836_430_630, 4),
        resolutions: vec![rt],
        sittings: vec![],
    };
    (c, r, tally)
}

#[test]
fn jlmag_seed_lines_appear_verbatim() {
    let (c, r, tally) = jlmag();
    let text = render_unrestricted(&c, &r, &tally);
    for line in [
        "JL MAG RARE-EARTH CO., LTD.\n(Stock Code: 06680)\n",
        "POLL RESULTS OF THE EXTRAORDINARY GENERAL MEETING HELD ON 24 AUGUST 2022",
        "As at the date of the EGM, the total number of Shares entitling the holders to attend \
         and vote on the resolution proposed at the EGM is 836,430,630 Shares (including \
         710,964,630 A shares and 125,466,000 H shares). The total number of Shares with voting \
         rights represented by the Shareholders attending the EGM in person or by proxy was \
         516,261,145 Shares, representing approximately 61.7219% of the total number of Shares.",
        "No Shareholder was required to abstain from voting on any resolution proposed at the \
         EGM under the Listing Rules.",
        "No Shareholder who was entitled to attend had to abstain from voting in favour of any \
         resolution at the EGM pursuant to Rule 13.40 of the Listing Rules.",
        "ORDINARY RESOLUTION\tFOR\tAGAINST\tABSTAIN\n",
        "1.\tTo consider and approve the change in the use of proceeds from the global \
         offering\t516,237,845 (99.9955%)\t23,300 (0.0045%)\t0 (0.0000%)\n",
        "Resolution 1 is an ordinary resolution; votes in favour represented more than one half",
        "it has been passed.",
        "Computershare Hong Kong Investor Services Limited acted as the scrutineer",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    assert!(!text.contains("VOTES NOT COUNTED"));
    assert!(
        text.lines().all(|l| l.trim_end() == l),
        "trailing whitespace"
    );
    assert!(text.ends_with(".\n"));
    assert_eq!(text, render_unrestricted(&c, &r, &tally), "deterministic");
}

#[test]
fn weighted_classes_get_class_rows_with_shares_and_votes() {
    let mut rules = RulesProfile::preset(Preset::Cayman, 6);
    rules.denominator = Denominator::ForAgainstAbstain;
    let c = convened(
        "Bilibili Inc.",
        "9626",
        MeetingKind::Agm,
        rules,
        vec![
            class("Z", "Class Z Ordinary Shares", 1),
            class("Y", "Class Y Ordinary Shares", 10),
        ],
        "Computershare",
    );
    let r = [resolution(
        "8",
        ResolutionKind::Ordinary,
        "Repurchase mandate",
    )];
    let mut rt = counts(
        "8",
        "ordinary",
        1_074_721_847,
        288_272,
        337_745,
        6,
        Denominator::ForAgainstAbstain,
    );
    rt.by_class.insert(
        "Z".into(),
        ClassVotes {
            for_: 237_570_707,
            against: 288_272,
            abstain: 337_745,
        },
    );
    rt.by_class.insert(
        "Y".into(),
        ClassVotes {
            for_: 837_151_140,
            against: 0,
            abstain: 0,
        },
    );
    let tally = tally_around(0, 0, "0.000000", vec![rt]);
    let text = render_unrestricted(&c, &r, &tally);
    for line in [
        "ORDINARY RESOLUTION\tFOR\tAGAINST\tABSTAIN\tSHARES VOTED\tVOTES CAST\n",
        "8.\tRepurchase mandate\n",
        "\tClass Z Ordinary Shares\t237,570,707 (99.737185%)\t288,272 (0.121023%)\t337,745 \
         (0.141792%)\t238,196,724\t238,196,724\n",
        "\tClass Y Ordinary Shares\t837,151,140 (100.000000%)\t0 (0.000000%)\t0 \
         (0.000000%)\t83,715,114\t837,151,140\n",
        "\tTotal\t1,074,721,847 (99.941785%)\t288,272 (0.026807%)\t337,745 \
         (0.031408%)\t321,911,838\t1,075,347,864\n",
        "POLL RESULTS OF THE ANNUAL GENERAL MEETING",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

#[test]
fn abstentions_disregarded_votes_and_failures_are_stated() {
    let c = convened(
        "China Dongxiang (Group) Co., Ltd.",
        "3818",
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Cayman, 6),
        vec![class("O", "ordinary shares", 1)],
        "",
    );
    let mut weighted = resolution("2", ResolutionKind::Special, "Amend the articles");
    weighted.votes_per_share = vec![ClassWeight {
        class: ClassId::new("O").unwrap(),
        votes_per_share: 1,
    }];
    let r = [
        resolution("1", ResolutionKind::Ordinary, "Framework agreement"),
        weighted,
    ];
    let mut r1 = counts(
        "1",
        "ordinary",
        1_393_292_169,
        40_660_808,
        0,
        6,
        Denominator::ForAgainst,
    );
    r1.entitled = 3_591_946_283;
    r1.must_abstain = 2_294_174_742;
    r1.disregarded = 1_000;
    r1.disregarded_ballots = vec![Disregarded {
        voter: "CHEN".into(),
        votes: 1_000,
        reason: "must abstain: connected".into(),
    }];
    let mut r2 = counts("2", "special", 60, 40, 5, 6, Denominator::ForAgainst);
    r2.passed = false;
    r2.against_only = 10;
    let tally = tally_around(5_886_121_025, 0, "0.000000", vec![r1, r2]);
    let ctx = Context::new(
        None,
        Some(&c),
        r.iter().collect(),
        vec![
            Restricted {
                resolution: "1".into(),
                restriction: Restriction::Abstain,
                name: "CHEN FAMILY VEHICLE".into(),
                shares: 2_000_000_000,
                reason: "connected".into(),
            },
            Restricted {
                resolution: "1".into(),
                restriction: Restriction::Abstain,
                name: "CHEN YIHONG".into(),
                shares: 294_174_742,
                reason: "connected".into(),
            },
        ],
        true,
    );
    let mut ctx = ctx;
    // CHEN's ballot was tendered (and not counted): they did not all abstain.
    ctx.tendered_by_abstainers.insert("1".into());
    let text = render(&ctx, &tally);
    assert!(!text.contains("had abstained"), "{text}");
    for line in [
        "As at the date of the EGM, the total number of Shares entitling the holders to attend \
         the EGM is 5,886,121,025 Shares.",
        "Shareholders holding 2,294,174,742 Shares were required under the Listing Rules to \
         abstain from voting on resolution 1: CHEN FAMILY VEHICLE holding 2,000,000,000 Shares \
         and CHEN YIHONG holding 294,174,742 Shares (connected); the votes tendered on their \
         Shares were not counted (see VOTES NOT COUNTED below). The total number of Shares \
         entitling the Independent Shareholders to attend and vote on resolution 1 was \
         3,591,946,283 Shares.",
        "Shareholders holding 10 Shares were entitled to attend but had to abstain from voting \
         in favour of resolution 2 pursuant to Rule 13.40",
        "1.\tFramework agreement\t1,393,292,169 (97.164425%)\t40,660,808 (2.835575%)\t0 \
         (0.000000%)\n",
        "As more than one half of the votes were cast in favour of resolution 1, the resolution \
         was duly passed as an ordinary resolution.",
        "As less than two-thirds of the votes were cast in favour of resolution 2, the \
         resolution was not passed as a special resolution.",
        "Resolution 1: 1,000 votes tendered by CHEN were not counted (must abstain: connected).",
        "The scrutineer for the vote-taking at the EGM was not named.",
        "ORDINARY RESOLUTION\tFOR",
        "SPECIAL RESOLUTION\tFOR",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

#[test]
fn cumulative_candidates_are_listed() {
    let c = convened(
        "X",
        "1",
        MeetingKind::Agm,
        RulesProfile::preset(Preset::Prc, 4),
        vec![class("A", "A shares", 1)],
        "S",
    );
    let kind = ResolutionKind::Cumulative {
        seats: 2,
        candidates: vec![
            scrutin_model::Candidate {
                id: scrutin_model::CandidateId::new("c1").unwrap(),
                name: "Mr. One".into(),
            },
            scrutin_model::Candidate {
                id: scrutin_model::CandidateId::new("c2").unwrap(),
                name: "Ms. Two".into(),
            },
        ],
    };
    let r = [resolution("3", kind, "Election of directors")];
    let mut rt = counts(
        "3",
        "cumulative",
        0,
        0,
        0,
        4,
        Denominator::ForAgainstAbstain,
    );
    rt.passed = false;
    rt.candidates = vec![
        CandidateResult {
            id: "c1".into(),
            votes: 1_500,
            elected: true,
            pct: None,
        },
        CandidateResult {
            id: "c2".into(),
            votes: 20,
            elected: false,
            pct: None,
        },
    ];
    let tally = tally_around(0, 0, "0.0000", vec![rt]);
    let text = render_unrestricted(&c, &r, &tally);
    for line in [
        "3.\tElection of directors\n\tMr. One\t1,500 votes\telected\n\tMs. Two\t20 votes\tnot elected\n",
        "elected: Mr. One. The resolution was not passed.",
        "CUMULATIVE VOTING RESOLUTION\tCANDIDATE\tVOTES\tRESULT\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

#[test]
fn no_meeting_yet_renders_without_panicking() {
    let tally = tally_around(0, 0, "0", vec![]);
    let ctx = Context::new(None, None, vec![], vec![], true);
    let text = render(&ctx, &tally);
    assert!(text.starts_with("POLL RESULTS OF THE MEETING m\n"));
}

#[test]
fn dates_print_long() {
    assert_eq!(super::text::long_date("2022-08-24"), "24 August 2022");
    assert_eq!(super::text::long_date("2009-10-09"), "9 October 2009");
    assert_eq!(super::text::long_date("bad"), "bad");
    assert_eq!(super::text::long_date("2009-13-09"), "2009-13-09");
}

#[test]
fn scheme_states_headcount_and_against_limit() {
    let c = convened(
        "HK Co Limited",
        "00001",
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Hk, 2),
        vec![class("O", "ordinary shares", 1)],
        "Registrar",
    );
    let r = [resolution(
        "1",
        ResolutionKind::Scheme,
        "To approve the Scheme",
    )];
    let mut rt = counts("1", "scheme", 900, 100, 0, 2, Denominator::ForAgainst);
    rt.passed = false;
    rt.scheme = Some(SchemeTests {
        holders_for: 3,
        holders_against: 4,
        headcount_passed: false,
        against_limit_passed: true,
        ..SchemeTests::default()
    });
    let tally = tally_around(2_000, 1_000, "50.00", vec![rt]);
    let text = render_unrestricted(&c, &r, &tally);
    for line in [
        "RESOLUTION ON THE SCHEME\tFOR\tAGAINST\tABSTAIN\n",
        "1.\tTo approve the Scheme\t900 (90.00%)\t100 (10.00%)\t0 (0.00%)\n",
        "As at least three quarters of the votes were cast in favour of resolution 1, the \
         resolution was not passed as a resolution approving the scheme. Holders voting for: 3; \
         against: 4 (headcount test not met). Votes against were within one tenth",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

/// A PRC resolution that fails says so in plain English: "it has not been passed", never the
/// word order "has been not passed".
#[test]
fn a_failed_prc_resolution_has_not_been_passed() {
    let (c, r, mut tally) = jlmag();
    tally.resolutions[0].passed = false;
    let text = render_unrestricted(&c, &r, &tally);
    assert!(
        text.contains("and voting on it, and it has not been passed."),
        "{text}"
    );
    assert!(!text.contains("has been not passed"), "{text}");
}
