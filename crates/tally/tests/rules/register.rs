//! The register as at the record date.

use super::*;

#[test]
fn register_lines_before_the_register_closes() {
    let mut fx = Fx::new(convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Hk, 4),
        &[("H", 1)],
    ));
    fx.ok(register("A", "H", 10));
    assert_eq!(
        fx.err(register("A", "H", 5)),
        RuleViolation::DuplicateRegisterLine {
            holder: h("A"),
            class: c("H")
        }
    );
    assert_eq!(
        fx.err(register("B", "X", 5)),
        RuleViolation::UnknownClass { class: c("X") }
    );
    assert_eq!(
        fx.err(register("B", "H", 0)),
        RuleViolation::EmptyRegisterLine {
            holder: h("B"),
            class: c("H")
        }
    );
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    for e in [
        abstain("A", &["1"], Restriction::Abstain, "x"),
        Event::ProxyLodged(proxy("P1", "A", None, None)),
        attend(vh("A")),
        open(None),
    ] {
        let kind = e.kind();
        let v = if kind == scrutin_model::EventKind::PollOpened {
            fx.err_as(e, CHAIR)
        } else {
            fx.err(e)
        };
        assert_eq!(v, RuleViolation::RegisterOpen { kind });
    }
    fx.ok(Event::RegisterClosed);
    assert_eq!(
        fx.err(register("B", "H", 5)),
        RuleViolation::RegisterClosed {
            kind: scrutin_model::EventKind::ShareRegistered
        }
    );
    assert_eq!(
        fx.err(Event::RegisterClosed),
        RuleViolation::RegisterClosed {
            kind: scrutin_model::EventKind::RegisterClosed
        }
    );
    assert!(fx.m.register_closed());
}

#[test]
fn treasury_shares_carry_no_votes_and_leave_every_total() {
    let mut fx = Fx::hk();
    let t = fx.tally();
    assert_eq!(t.entitled, 4_000, "treasury's 500 excluded");
    assert_eq!(t.classes[0].entitled, 4_000);
    assert_eq!(res(&t, "1").entitled, 4_000);
    assert_eq!(
        fx.m.holder_shares(&h("treasury")),
        vec![(c("H"), Shares(500))]
    );
    fx.ok_as(open(None), CHAIR);
    let treasury = |kind| RuleViolation::TreasuryShares {
        kind,
        holder: h("treasury"),
    };
    use scrutin_model::EventKind as K;
    assert_eq!(
        fx.err(vote(vh("treasury"), "1", split(1, 0, 0))),
        treasury(K::VoteCast)
    );
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P", "treasury", None, None))),
        treasury(K::ProxyLodged)
    );
    assert_eq!(
        fx.err(attend(vh("treasury"))),
        treasury(K::AttendanceRecorded)
    );
    assert_eq!(
        fx.err(abstain("treasury", &["1"], Restriction::Abstain, "x")),
        treasury(K::AbstentionRequired)
    );
}

#[test]
fn unknown_holders_are_refused_everywhere() {
    let mut fx = Fx::hk();
    let unknown = RuleViolation::UnknownHolder { holder: h("Z") };
    assert_eq!(
        fx.err(abstain("Z", &["1"], Restriction::Abstain, "x")),
        unknown
    );
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P", "Z", None, None))),
        unknown
    );
    assert_eq!(fx.err(attend(vh("Z"))), unknown);
    fx.ok_as(open(None), CHAIR);
    assert_eq!(fx.err(vote(vh("Z"), "1", split(1, 0, 0))), unknown);
}
