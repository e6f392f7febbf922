//! The announcement as each market prints it (issue 9 item 8), each style pinned: the Abstain
//! column by preset and by setting, class percentages over the class or over the company's
//! total (Minsheng), the PRC witness lawyer paragraph, runs of five or more identical pass
//! lines grouped (four stay apart, as China Eastern's), issued against entitled shares, and
//! the circular-intention statement or its denial.

mod fixtures;

use fixtures::Stream;
use scrutin_model::{
    ClassId, ClassIssued, ClassPctBase, MeetingKind, MeetingSettings, Preset, ResolutionKind,
    Restriction, RulesProfile, Shares,
};
use scrutin_tally::render_announcement;

/// An EGM of `n` ordinary resolutions: A1 (6,000 A shares) votes 6,000 for each; HKSCC
/// (4,000 H shares) 3,000 for and 1,000 against; A2 (2,000 A) and H2 (1,000 H) present.
fn egm(preset: Preset, settings: Option<MeetingSettings>, n: usize) -> Stream {
    let mut s = Stream::convene(
        "m",
        "SAMPLE CO., LTD.",
        "00001",
        MeetingKind::Egm,
        "2024-06-28",
        RulesProfile::preset(preset, 4),
        &[("A", "A shares", 1), ("H", "H shares", 1)],
        "Computershare Hong Kong Investor Services Limited",
    );
    if let Some(settings) = settings {
        s.settings(settings);
    }
    for i in 1..=n {
        s.resolution(&i.to_string(), ResolutionKind::Ordinary, "To approve");
    }
    s.share("A1", "ALPHA", "A", 6_000)
        .share("A2", "BETA", "A", 2_000)
        .share("H1", "HKSCC NOMINEES LIMITED", "H", 4_000)
        .share("H2", "GAMMA", "H", 1_000);
    s
}

/// Closes the register, records A2 and H2 present and the votes of A1 and H1 on each
/// resolution, and renders the declared announcement.
fn text(s: Stream, n: usize) -> String {
    text_marked(s, n, &[])
}

/// As [`text`], with the stated intentions `marks` (holder, resolution, restriction)
/// recorded once the register is closed.
fn text_marked(mut s: Stream, n: usize, marks: &[(&str, &str, Restriction)]) -> String {
    s.close_register();
    for &(holder, resolution, restriction) in marks {
        s.restrict(holder, &[resolution], restriction, "");
    }
    s.attend("A2").attend("H2").open_polls();
    for i in 1..=n {
        let r = i.to_string();
        s.vote("A1", &r, "A", 6_000, 0, 0)
            .vote("H1", &r, "H", 3_000, 1_000, 0);
    }
    let m = s.run_declared();
    render_announcement(&m, &m.tally())
}

fn settings() -> MeetingSettings {
    MeetingSettings::default()
}

#[test]
fn five_identical_pass_lines_are_grouped_and_four_are_not() {
    let five = text(egm(Preset::Prc, None, 5), 5);
    assert!(
        five.contains(
            "Resolutions 1 to 5 are ordinary resolutions; for each of them, votes in favour \
         represented more than one half of the total Shares with valid voting rights held by \
         the Shareholders (including their proxies) attending the EGM and voting on it, and each \
         has been passed.\n"
        ),
        "{five}"
    );
    assert!(!five.contains("Resolution 1 is"), "{five}");
    let four = text(egm(Preset::Prc, None, 4), 4);
    for i in 1..=4 {
        assert!(
            four.contains(&format!(
            "Resolution {i} is an ordinary resolution; votes in favour represented more than one \
             half"
        )),
            "{four}"
        );
    }
    assert!(!four.contains("Resolutions 1 to 4"), "{four}");
    let hk = text(egm(Preset::Hk, None, 5), 5);
    assert!(hk.contains(
        "As more than one half of the votes were cast in favour of each of resolutions 1 to 5, \
         resolutions 1 to 5 were duly passed as ordinary resolutions.\n"
    ), "{hk}");
}

const WITH_ABSTAIN: &str = "ORDINARY RESOLUTION\tFOR\tAGAINST\tABSTAIN\n1.\tTo approve\t9,000 ";
const WITHOUT_ABSTAIN: &str = "ORDINARY RESOLUTION\tFOR\tAGAINST\n1.\tTo approve\t9,000 ";

#[test]
fn show_abstain_follows_the_preset_unless_the_setting_overrides_it() {
    // Settings recorded, show_abstain not given: PRC prints the column, HK does not.
    let lawyer = MeetingSettings {
        witness_lawyer: "Law Firm".into(),
        ..settings()
    };
    let prc = text(egm(Preset::Prc, Some(lawyer.clone()), 1), 1);
    assert!(prc.contains(WITH_ABSTAIN), "{prc}");
    let hk = text(egm(Preset::Hk, Some(lawyer), 1), 1);
    assert!(hk.contains(WITHOUT_ABSTAIN), "{hk}");
    assert!(
        hk.contains("\t9,000 (90.0000%)\t1,000 (10.0000%)\n"),
        "{hk}"
    );
    // `false` overrides PRC, `true` overrides HK.
    let off = MeetingSettings {
        show_abstain: Some(false),
        ..settings()
    };
    let prc = text(egm(Preset::Prc, Some(off), 1), 1);
    assert!(prc.contains(WITHOUT_ABSTAIN), "{prc}");
    let on = MeetingSettings {
        show_abstain: Some(true),
        ..settings()
    };
    let hk = text(egm(Preset::Hk, Some(on), 1), 1);
    assert!(hk.contains(WITH_ABSTAIN), "{hk}");
}

/// A weighted meeting (class rows printed): Y1 votes its 1,000 Class Y shares (10 votes each)
/// for; Z1 3,000 of its Class Z shares for and 1,000 against. Over the class: Z 75.0000% /
/// 25.0000%; over the company's total of 14,000 votes: Z 3,000 = 21.4286%, 1,000 = 7.1429%,
/// Y 10,000 = 71.4286%.
fn weighted(base: Option<ClassPctBase>) -> String {
    let mut s = Stream::convene(
        "m",
        "WEIGHTED INC.",
        "09999",
        MeetingKind::Agm,
        "2024-06-28",
        RulesProfile::preset(Preset::Cayman, 4),
        &[("Y", "Class Y shares", 10), ("Z", "Class Z shares", 1)],
        "Tricor Investor Services Limited",
    );
    s.settings(MeetingSettings {
        class_pct_base: base,
        ..settings()
    })
    .resolution("1", ResolutionKind::Ordinary, "To approve")
    .share("Y1", "FOUNDER", "Y", 1_000)
    .share("Z1", "PUBLIC", "Z", 4_000)
    .close_register()
    .open_polls()
    .vote("Y1", "1", "Y", 1_000, 0, 0)
    .vote("Z1", "1", "Z", 3_000, 1_000, 0);
    let m = s.run_declared();
    render_announcement(&m, &m.tally())
}

#[test]
fn class_percentages_over_the_class_or_over_the_total() {
    let class = weighted(None);
    assert!(
        class.contains("\tClass Y shares\t10,000 (100.0000%)\t0 (0.0000%)\t1,000\t10,000\n"),
        "{class}"
    );
    assert!(
        class.contains("\tClass Z shares\t3,000 (75.0000%)\t1,000 (25.0000%)\t4,000\t4,000\n"),
        "{class}"
    );
    assert_eq!(class, weighted(Some(ClassPctBase::Class)));
    let total = weighted(Some(ClassPctBase::Total));
    assert!(
        total.contains("\tClass Y shares\t10,000 (71.4286%)\t0 (0.0000%)\t1,000\t10,000\n"),
        "{total}"
    );
    assert!(
        total.contains("\tClass Z shares\t3,000 (21.4286%)\t1,000 (7.1429%)\t4,000\t4,000\n"),
        "{total}"
    );
    assert!(
        total.contains("\tTotal\t13,000 (92.8571%)\t1,000 (7.1429%)\t5,000\t14,000\n"),
        "{total}"
    );
}

#[test]
fn the_prc_witness_lawyer_paragraph_is_printed_when_named() {
    let named = MeetingSettings {
        witness_lawyer: "Guangdong Huashang Law Firm".into(),
        ..settings()
    };
    let text_named = text(egm(Preset::Prc, Some(named), 1), 1);
    assert!(
        text_named.ends_with(
            "WITNESS LAWYERS\n\nGuangdong Huashang Law Firm witnessed the EGM, and issued a legal \
         opinion, certifying that the convening and holding procedures, the qualifications of the \
         convener and the attendees, and the voting procedures of the EGM are in compliance with \
         the laws and regulations and the provisions of the Articles of Association; and the poll \
         results of the EGM are lawful and valid.\n"
        ),
        "{text_named}"
    );
    let none = text(egm(Preset::Prc, Some(settings()), 1), 1);
    assert!(!none.contains("WITNESS LAWYERS"), "{none}");
}

#[test]
fn issued_shares_are_stated_beside_the_entitled_when_they_differ() {
    let issued = |a: u64| MeetingSettings {
        issued: vec![ClassIssued {
            class: ClassId::new("A").unwrap(),
            issued: Shares(a),
        }],
        ..settings()
    };
    let differs = text(egm(Preset::Prc, Some(issued(9_500)), 1), 1);
    assert!(
        differs.contains(
            "The total number of issued Shares as at the date of the EGM was 14,500 Shares \
         (including 9,500 A shares and 5,000 H shares), of which 13,000 Shares entitled the \
         holders to attend the EGM.\n"
        ),
        "{differs}"
    );
    let same = text(egm(Preset::Prc, Some(issued(8_000)), 1), 1);
    assert!(!same.contains("issued Shares"), "{same}");
}

#[test]
fn circular_intentions_are_stated_as_voted_or_denied() {
    let none = text(egm(Preset::Prc, None, 2), 2);
    assert!(
        none.contains(
            "No Shareholder indicated in the circular an intention to vote against or to abstain \
         from voting on any resolution proposed at the EGM.\n"
        ),
        "{none}"
    );
    let marked = text_marked(
        egm(Preset::Prc, None, 2),
        2,
        &[
            ("H1", "1", Restriction::IntendsAgainst),
            ("A2", "1", Restriction::IntendsAbstain),
            ("A1", "2", Restriction::IntendsAbstain),
            ("H2", "2", Restriction::IntendsAgainst),
        ],
    );
    for line in [
        // H1 split its vote: not as stated.
        "HKSCC NOMINEES LIMITED had indicated in the circular its intention to vote against \
         resolution 1, but did not vote as stated: it voted 3,000 Shares for, 1,000 against and \
         0 abstaining.\n",
        "BETA had indicated in the circular its intention to abstain from voting on resolution \
         1, and abstained as stated.\n",
        "ALPHA had indicated in the circular its intention to abstain from voting on resolution \
         2, but did not vote as stated: it voted 6,000 Shares for, 0 against and 0 abstaining.\n",
        "GAMMA had indicated in the circular its intention to vote against resolution 2, but did \
         not vote on it.\n",
        "Save as disclosed above, no Shareholder indicated in the circular an intention to vote \
         against or to abstain from voting on any resolution proposed at the EGM.\n",
    ] {
        assert!(marked.contains(line), "{line:?} not in\n{marked}");
    }
    assert!(!marked.contains("No Shareholder indicated"), "{marked}");
}
