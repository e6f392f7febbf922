//! Proxies: lodging, supersession, revocation, attendance, instructions.

use super::*;

pub(crate) fn with_instructions(mut form: ProxyLodged, ins: &[(&str, Instruction)]) -> Event {
    form.instructions = ins
        .iter()
        .map(|(res, i)| ProxyInstruction {
            resolution: r(res),
            instruction: i.clone(),
        })
        .collect();
    Event::ProxyLodged(form)
}

#[test]
fn proxy_forms_are_checked_when_lodged() {
    let mut fx = Fx::hk();
    let mut late = proxy("P1", "A", None, None);
    late.lodged_at = UtcMillis(DEADLINE + 1);
    assert_eq!(
        fx.err(Event::ProxyLodged(late)),
        RuleViolation::LateProxy {
            proxy: p("P1"),
            holder: h("A"),
            lodged_at: UtcMillis(DEADLINE + 1),
            deadline: UtcMillis(DEADLINE),
        }
    );
    let mut on_time = proxy("P1", "A", None, Some(100));
    on_time.lodged_at = UtcMillis(DEADLINE);
    fx.ok(Event::ProxyLodged(on_time));
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P1", "B", None, None))),
        RuleViolation::DuplicateProxy { proxy: p("P1") }
    );
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P2", "A", None, Some(0)))),
        RuleViolation::ZeroProxyShares { proxy: p("P2") }
    );
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P2", "A", Some("X"), None))),
        RuleViolation::UnknownClass { class: c("X") }
    );
    assert_eq!(
        fx.err(with_instructions(
            proxy("P2", "A", None, Some(100)),
            &[("9", Instruction::For)]
        )),
        RuleViolation::UnknownResolution { resolution: r("9") }
    );
    assert_eq!(
        fx.err(with_instructions(
            proxy("P2", "A", None, Some(100)),
            &[("1", Instruction::For), ("1", Instruction::Against)]
        )),
        RuleViolation::DuplicateInstruction {
            proxy: p("P2"),
            resolution: r("1")
        }
    );
    let split_ins = |f, a, x| Instruction::Split {
        for_: Shares(f),
        against: Shares(a),
        abstain: Shares(x),
    };
    assert_eq!(
        fx.err(with_instructions(
            proxy("P2", "A", None, Some(100)),
            &[("1", split_ins(50, 50, 1))]
        )),
        RuleViolation::InstructionExceedsAppointment {
            proxy: p("P2"),
            resolution: r("1"),
            instructed: 101,
            appointed: 100
        }
    );
    fx.ok(with_instructions(
        proxy("P2", "A", None, Some(100)),
        &[("1", split_ins(50, 50, 0))],
    ));
    assert_eq!(fx.m.proxies_of(&h("A")), vec![p("P1"), p("P2")]);
    assert_eq!(fx.m.proxy_holder(&p("P2")), Some(h("A")));
}

#[test]
fn a_proxy_of_a_multi_class_holder_names_its_class() {
    let mut fx = Fx::new(convened(
        MeetingKind::Agm,
        RulesProfile::preset(Preset::Hk, 4),
        &[("A", 1), ("H", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    fx.ok(register("Z", "A", 100));
    fx.ok(register("Z", "H", 900));
    fx.ok(register("Y", "H", 50));
    fx.ok(Event::RegisterClosed);
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P1", "Z", None, Some(10)))),
        RuleViolation::AmbiguousProxyClass {
            proxy: p("P1"),
            holder: h("Z"),
            classes: vec![c("A"), c("H")]
        }
    );
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P1", "Y", Some("A"), None))),
        RuleViolation::NoSharesInClass {
            holder: h("Y"),
            class: c("A")
        }
    );
    // No class and no number: all the holder's shares of every class.
    fx.ok(Event::ProxyLodged(proxy("P1", "Z", None, None)));
    fx.ok_as(open(None), CHAIR);
    assert_eq!(
        fx.err(vote(vp("P1"), "1", split(10, 0, 0))),
        RuleViolation::AmbiguousClass {
            voter: vp("P1"),
            resolution: r("1"),
            classes: vec![c("A"), c("H")]
        }
    );
    // Z's proxy holds all its H shares: the refusal says so rather than "entitled to 0".
    let held = fx.err(vote_class(vh("Z"), "1", "H", split(1, 0, 0)));
    assert_eq!(
        held,
        RuleViolation::SharesWithProxy {
            holder: h("Z"),
            resolution: r("1"),
            class: c("H"),
            tendered: 1,
            proxies: vec![p("P1")].into_boxed_slice(),
        }
    );
    assert_eq!(held.rule(), "over-voting");
    let message = held.to_string();
    assert!(
        message.contains("all its shares of class H are held by its proxies P1")
            && message.contains("record the holder's attendance, which revokes its proxies"),
        "{message}"
    );
    fx.ok(vote_class(vp("P1"), "1", "A", split(100, 0, 0)));
    fx.ok(vote_class(vp("P1"), "1", "H", split(0, 900, 0)));
    assert_eq!(
        fx.err(vote_class(vp("P1"), "1", "H", split(0, 1, 0))),
        RuleViolation::DuplicateBallot {
            voter: vp("P1"),
            resolution: r("1"),
            class: c("H")
        }
    );
    let t = fx.tally();
    let r1 = res(&t, "1");
    assert_eq!(r1.by_class["A"].for_, 100);
    assert_eq!(r1.by_class["H"].against, 900);
    assert_eq!(t.represented, 1_000);
}

#[test]
fn over_appointment_is_refused_without_later_proxy_wins() {
    let mut rules = RulesProfile::preset(Preset::Hk, 4);
    rules.later_proxy_wins = false;
    let mut fx = Fx::new(convened(MeetingKind::Egm, rules, &[("H", 1)]));
    fx.ok(register("A", "H", 1_000));
    fx.ok(Event::RegisterClosed);
    fx.ok(Event::ProxyLodged(proxy("P1", "A", None, Some(600))));
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P2", "A", None, Some(401)))),
        RuleViolation::OverAppointment {
            proxy: p("P2"),
            holder: h("A"),
            class: c("H"),
            requested: 401,
            available: 400
        }
    );
    fx.ok(Event::ProxyLodged(proxy("P2", "A", None, Some(400))));
    assert!(fx.m.proxy_active(&p("P1")) && fx.m.proxy_active(&p("P2")));
}

#[test]
fn a_later_proxy_supersedes_earlier_ones_oldest_first() {
    let mut fx = Fx::hk();
    fx.ok(Event::ProxyLodged(proxy("P1", "A", None, Some(300))));
    fx.ok(Event::ProxyLodged(proxy("P2", "A", None, Some(300))));
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P3", "A", None, Some(1_001)))),
        RuleViolation::OverAppointment {
            proxy: p("P3"),
            holder: h("A"),
            class: c("H"),
            requested: 1_001,
            available: 1_000
        }
    );
    // 400 free; 700 needs P1's 300 back, not P2's.
    fx.ok(Event::ProxyLodged(proxy("P3", "A", None, Some(700))));
    assert!(!fx.m.proxy_active(&p("P1")));
    assert!(fx.m.proxy_active(&p("P2")));
    fx.ok_as(open(Some("1")), CHAIR);
    assert_eq!(
        fx.err(vote(vp("P1"), "1", split(0, 1, 0))),
        RuleViolation::ProxyNotActive {
            proxy: p("P1"),
            reason: "superseded by later proxy P3".into()
        }
    );
    fx.ok(vote(vp("P2"), "1", split(300, 0, 0)));
    fx.ok(vote(vp("P3"), "1", split(0, 700, 0)));
    let t = fx.tally();
    let r1 = res(&t, "1");
    assert_eq!((r1.for_, r1.against), (300, 700));
    assert!(r1.disregarded_ballots.is_empty());
}

/// The attack of a registrar holding the log key: once the polls are open, a proxy form that
/// claims to have been lodged on time would supersede a proxy whose ballot already counts. A
/// form recorded after a poll opened is late whatever it states.
#[test]
fn a_form_recorded_after_the_polls_open_is_late_and_voids_nothing() {
    let mut fx = Fx::hk();
    fx.ok(Event::ProxyLodged(proxy("P1", "A", None, Some(1_000))));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vp("P1"), "1", split(1_000, 0, 0)));
    let mut late = proxy("P2", "A", None, Some(1_000));
    late.lodged_at = UtcMillis(DEADLINE - 1_000);
    assert_eq!(
        fx.err(Event::ProxyLodged(late)),
        RuleViolation::ProxyAfterPollOpened {
            proxy: p("P2"),
            holder: h("A"),
            resolution: r("1")
        }
    );
    assert!(fx.m.proxy_active(&p("P1")));
    assert_eq!(res(&fx.tally(), "1").for_, 1_000);
}

/// A form cannot have been received after the moment it is entered in the log.
#[test]
fn a_form_lodged_after_its_recorded_time_is_refused() {
    let mut fx = Fx::hk();
    let form = proxy("P1", "A", None, Some(1_000));
    let lodged = form.lodged_at;
    let recorded = UtcMillis(lodged.0 - 1);
    let v =
        fx.m.submit(&Event::ProxyLodged(form.clone()), &REG, recorded)
            .unwrap_err();
    assert_eq!(
        v,
        RuleViolation::ProxyLodgedInFuture {
            proxy: p("P1"),
            holder: h("A"),
            lodged_at: lodged,
            recorded_at: recorded
        }
    );
    assert_eq!(v.rule(), "proxy-lodged-in-future");
    // Recorded at its lodging time or later, the same form is on time.
    fx.m.submit(&Event::ProxyLodged(form), &REG, lodged)
        .unwrap();
}

#[test]
fn a_revoked_proxys_ballots_are_disregarded() {
    let mut fx = Fx::hk();
    fx.ok(Event::ProxyLodged(proxy("P1", "A", None, Some(400))));
    assert_eq!(
        fx.err(Event::ProxyRevoked {
            proxy: p("P9"),
            reason: "x".into()
        }),
        RuleViolation::UnknownProxy { proxy: p("P9") }
    );
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vp("P1"), "1", split(400, 0, 0)));
    assert_eq!(
        fx.err(vote(vh("A"), "1", split(601, 0, 0))),
        RuleViolation::OverVoting {
            voter: vh("A"),
            resolution: r("1"),
            class: c("H"),
            tendered: 601,
            entitled: 600
        }
    );
    assert_eq!(
        fx.err(vote(vp("P1"), "2", split(401, 0, 0))),
        RuleViolation::OverVoting {
            voter: vp("P1"),
            resolution: r("2"),
            class: c("H"),
            tendered: 401,
            entitled: 400
        }
    );
    fx.ok(Event::ProxyRevoked {
        proxy: p("P1"),
        reason: "withdrawn by the holder".into(),
    });
    assert_eq!(
        fx.err(Event::ProxyRevoked {
            proxy: p("P1"),
            reason: "again".into()
        }),
        RuleViolation::ProxyNotActive {
            proxy: p("P1"),
            reason: "proxy revoked".into()
        }
    );
    fx.ok(vote(vh("A"), "1", split(1_000, 0, 0)));
    let r1 = res(&fx.tally(), "1").clone();
    assert_eq!(r1.for_, 1_000);
    assert_eq!(
        r1.disregarded_ballots,
        vec![Disregarded {
            voter: "proxy:P1".into(),
            votes: 400,
            reason: "proxy revoked".into()
        }]
    );
}

#[test]
fn a_holder_attending_in_person_revokes_its_proxies() {
    let mut fx = Fx::hk();
    fx.ok(Event::ProxyLodged(proxy("P1", "A", None, Some(400))));
    fx.ok(Event::ProxyLodged(proxy("P2", "B", None, None)));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vp("P1"), "1", split(400, 0, 0)));
    fx.ok(attend(vh("A")));
    assert_eq!(
        fx.err(attend(vh("A"))),
        RuleViolation::DuplicateAttendance { attendee: vh("A") }
    );
    assert_eq!(
        fx.err(attend(vp("P1"))),
        RuleViolation::ProxyNotActive {
            proxy: p("P1"),
            reason: "revoked: holder attended in person".into()
        }
    );
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P3", "A", None, Some(1)))),
        RuleViolation::HolderInPerson {
            proxy: p("P3"),
            holder: h("A")
        }
    );
    fx.ok(vote(vh("A"), "1", split(0, 1_000, 0)));
    fx.ok(attend(vp("P2")));
    assert_eq!(
        fx.err(attend(vp("P2"))),
        RuleViolation::DuplicateAttendance { attendee: vp("P2") }
    );
    // Voting in person also bars a new proxy for the holder's shares.
    fx.ok(Event::AuthorityGranted {
        key: key_of(40),
        role: Role::Holder(h("B")),
    });
    fx.ok(Event::ProxyRevoked {
        proxy: p("P2"),
        reason: "withdrawn".into(),
    });
    fx.ok_as(vote(vh("B"), "2", split(1, 0, 0)), key_of(40));
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P4", "B", None, Some(1)))),
        RuleViolation::HolderInPerson {
            proxy: p("P4"),
            holder: h("B")
        }
    );
    let t = fx.tally();
    assert_eq!(t.represented, 4_000);
    let r1 = res(&t, "1");
    assert_eq!((r1.for_, r1.against), (0, 1_000));
    assert_eq!(
        r1.disregarded_ballots,
        vec![Disregarded {
            voter: "proxy:P1".into(),
            votes: 400,
            reason: "revoked: holder attended in person".into()
        }]
    );
}

#[test]
fn a_proxy_votes_as_instructed() {
    let mut fx = Fx::hk();
    let split_ins = |f, a, x| Instruction::Split {
        for_: Shares(f),
        against: Shares(a),
        abstain: Shares(x),
    };
    fx.ok(with_instructions(
        proxy("P1", "B", None, Some(1_000)),
        &[("1", Instruction::For), ("2", split_ins(500, 200, 0))],
    ));
    fx.ok(with_instructions(
        proxy("P2", "B", None, Some(1_000)),
        &[("1", Instruction::Against), ("2", Instruction::Abstain)],
    ));
    fx.ok(with_instructions(
        proxy("P3", "B", None, Some(1_000)),
        &[("1", Instruction::Discretion)],
    ));
    fx.ok_as(open(None), CHAIR);
    let refused =
        |proxy_id: &str, res_id: &str, instruction, f, a, x| RuleViolation::ProxyInstruction {
            proxy: p(proxy_id),
            resolution: r(res_id),
            instruction,
            for_: f,
            against: a,
            abstain: x,
        };
    assert_eq!(
        fx.err(vote(vp("P1"), "1", split(900, 100, 0))),
        refused("P1", "1", Instruction::For, 900, 100, 0)
    );
    assert_eq!(
        fx.err(vote(vp("P1"), "2", split(500, 300, 0))),
        refused("P1", "2", split_ins(500, 200, 0), 500, 300, 0)
    );
    assert_eq!(
        fx.err(vote(vp("P2"), "1", split(1, 999, 0))),
        refused("P2", "1", Instruction::Against, 1, 999, 0)
    );
    assert_eq!(
        fx.err(vote(vp("P2"), "2", split(0, 1, 999))),
        refused("P2", "2", Instruction::Abstain, 0, 1, 999)
    );
    fx.ok(vote(vp("P1"), "1", split(1_000, 0, 0)));
    fx.ok(vote(vp("P1"), "2", split(500, 200, 0)));
    fx.ok(vote(vp("P2"), "1", split(0, 600, 0)));
    fx.ok(vote(vp("P2"), "2", split(0, 0, 1_000)));
    fx.ok(vote(vp("P3"), "1", split(1, 2, 3)));
    fx.ok(vote(vp("P3"), "2", split(3, 2, 1)));
    let t = fx.tally();
    assert_eq!(res(&t, "1").for_, 1_001);
    assert_eq!(res(&t, "2").abstain, 1_001);
}

/// Issue 9 item 4: a proxy instructed 250M for, 40M against, 10M abstain that votes 250M, 40M
/// and 9M disobeys its instruction by 1M shares: refused, naming the shortfall. The ballot as
/// instructed is accepted.
#[test]
fn a_proxy_voting_fewer_shares_than_its_split_instruction_is_refused() {
    let mut fx = Fx::new(convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Hk, 4),
        &[("H", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    fx.ok(register("N", "H", 400_000_000));
    fx.ok(Event::RegisterClosed);
    let instructed = Instruction::Split {
        for_: Shares(250_000_000),
        against: Shares(40_000_000),
        abstain: Shares(10_000_000),
    };
    fx.ok(with_instructions(
        proxy("PN", "N", None, Some(300_000_000)),
        &[("1", instructed.clone())],
    ));
    fx.ok_as(open(None), CHAIR);
    let err = fx.err(vote(
        vp("PN"),
        "1",
        split(250_000_000, 40_000_000, 9_000_000),
    ));
    assert_eq!(
        err,
        RuleViolation::ProxyShortfall {
            proxy: p("PN"),
            resolution: r("1"),
            instruction: instructed,
            for_: 250_000_000,
            against: 40_000_000,
            abstain: 9_000_000,
        }
    );
    assert_eq!(err.rule(), "proxy-instruction");
    assert!(err.to_string().contains("1,000,000 shares short"), "{err}");
    fx.ok(vote(
        vp("PN"),
        "1",
        split(250_000_000, 40_000_000, 10_000_000),
    ));
    assert_eq!(res(&fx.tally(), "1").abstain, 10_000_000);
}
