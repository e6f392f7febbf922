//! Sittings: a general meeting and the class meetings held beside it, in one ledger. Proxy
//! forms, attendance and shares represented are per sitting (docs/RULES.md, "Sittings").

use super::*;
use scrutin_model::{MeetingSettings, Sitting, SittingId, SittingKind};

fn s(id: &str) -> SittingId {
    SittingId::new(id).unwrap()
}

fn sitting(id: &str, class: Option<&str>) -> Event {
    Event::SittingConvened(Sitting {
        id: s(id),
        kind: if class.is_some() {
            SittingKind::Class
        } else {
            SittingKind::General
        },
        class: class.map(c),
        title: format!("{id} meeting"),
    })
}

fn lodged_for(at: &str, form: ProxyLodged) -> Event {
    Event::SittingProxyLodged {
        sitting: s(at),
        form,
    }
}

fn attended(v: Voter, at: Option<&str>, when: Option<u64>) -> Event {
    Event::Attended {
        attendee: v,
        sitting: at.map(s),
        attended_at: when.map(UtcMillis),
    }
}

/// A PRC EGM (sitting `egm`) with the H class meeting (`h`) beside it: classes A and H;
/// resolution 1 at the EGM (every class), resolution 2 at the H class meeting; holders A1
/// (A 1,000), H1 (H 600) and H2 (H 400); the register closed. `settings` if given.
fn gm_and_h(settings: Option<MeetingSettings>) -> Fx {
    let mut fx = Fx::new(convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Prc, 4),
        &[("A", 1), ("H", 1)],
    ));
    fx.ok(sitting("egm", None));
    fx.ok(sitting("h", Some("H")));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    let mut h_only = resolution("2", ResolutionKind::Special);
    h_only.classes = vec![c("H")];
    fx.ok(Event::ResolutionProposed(h_only));
    fx.ok(Event::ResolutionTerms {
        resolution: r("2"),
        sitting: Some(s("h")),
        scheme: None,
    });
    if let Some(m) = settings {
        fx.ok(Event::MeetingSettings(m));
    }
    fx.ok(register("A1", "A", 1_000));
    fx.ok(register("H1", "H", 600));
    fx.ok(register("H2", "H", 400));
    fx.ok(Event::RegisterClosed);
    fx
}

fn sitting_of<'a>(t: &'a Tally, id: &str) -> &'a scrutin_tally::SittingAttendance {
    t.sittings.iter().find(|x| x.id == id).unwrap()
}

#[test]
fn gm_and_class_meeting_forms_are_separate_appointments_of_the_same_shares() {
    let mut fx = gm_and_h(None);
    // H1 appoints the chairman for all 600 shares at the EGM and again at the H class
    // meeting: neither over-appoints nor supersedes the other.
    fx.ok(Event::ProxyLodged(proxy("G1", "H1", None, None)));
    fx.ok(lodged_for("h", proxy("C1", "H1", None, None)));
    assert!(fx.m.proxy_active(&p("G1")) && fx.m.proxy_active(&p("C1")));
    // A class form for more than the holding over-appoints at that sitting.
    assert!(matches!(
        fx.err(lodged_for("h", proxy("C2", "H1", None, Some(601)))),
        RuleViolation::OverAppointment { .. }
    ));
    fx.ok(attend(vp("G1")));
    fx.ok(attended(vp("C1"), Some("h"), None));
    let t = fx.tally();
    // EGM: 600 of 2,000 (H1's shares, once); the H class meeting: 600 of 1,000 H shares.
    // Counting both forms at one sitting would say 1,200.
    let egm = sitting_of(&t, "egm");
    assert_eq!((egm.entitled, egm.represented), (2_000, 600));
    assert_eq!(egm.represented_pct, "30.0000");
    let h = sitting_of(&t, "h");
    assert_eq!((h.kind.as_str(), h.class.as_deref()), ("class", Some("H")));
    assert_eq!((h.entitled, h.represented), (1_000, 600));
    assert_eq!(h.represented_pct, "60.0000");
    assert_eq!(t.classes[1].represented, 600, "H at the EGM counted once");
    assert_eq!(t.represented, 600);
}

#[test]
fn a_proxy_acts_only_at_the_sitting_it_is_appointed_for() {
    let mut fx = gm_and_h(None);
    // An instruction on a resolution of another sitting is refused with the form.
    let mut f = proxy("G1", "H1", None, None);
    f.instructions = vec![ProxyInstruction {
        resolution: r("2"),
        instruction: Instruction::For,
    }];
    assert_eq!(
        fx.err(Event::ProxyLodged(f)),
        RuleViolation::ProxySitting {
            proxy: p("G1"),
            resolution: r("2"),
            sitting: s("h"),
            proxy_sitting: s("egm"),
        }
    );
    assert_eq!(
        fx.err(lodged_for("a", proxy("C1", "H1", None, None))),
        RuleViolation::UnknownSitting { sitting: s("a") }
    );
    // A class meeting's form appoints shares of its class only.
    assert!(matches!(
        fx.err(lodged_for("h", proxy("C1", "A1", None, None))),
        RuleViolation::NoSharesInClass { .. }
    ));
    fx.ok(Event::ProxyLodged(proxy("G1", "H1", None, None)));
    fx.ok(lodged_for("h", proxy("C1", "H1", None, None)));
    // A proxy's attendance names its own sitting, or none.
    assert!(matches!(
        fx.err(attended(vp("G1"), Some("h"), None)),
        RuleViolation::InvalidSitting { .. }
    ));
    fx.ok_as(open(None), CHAIR);
    assert_eq!(
        fx.err(vote(vp("G1"), "2", split(600, 0, 0))),
        RuleViolation::ProxySitting {
            proxy: p("G1"),
            resolution: r("2"),
            sitting: s("h"),
            proxy_sitting: s("egm"),
        }
    );
    assert_eq!(
        fx.err(vote(vp("C1"), "1", split(600, 0, 0))),
        RuleViolation::ProxySitting {
            proxy: p("C1"),
            resolution: r("1"),
            sitting: s("egm"),
            proxy_sitting: s("h"),
        }
    );
    fx.ok(vote(vp("G1"), "1", split(600, 0, 0)));
    fx.ok(vote(vp("C1"), "2", split(0, 600, 0)));
    let t = fx.tally();
    assert_eq!((res(&t, "1").for_, res(&t, "1").against), (600, 0));
    assert_eq!((res(&t, "2").for_, res(&t, "2").against), (0, 600));
}

#[test]
fn attending_a_sitting_in_person_revokes_the_proxies_for_that_sitting_only() {
    let mut fx = gm_and_h(None);
    fx.ok(Event::ProxyLodged(proxy("G1", "H1", None, None)));
    fx.ok(lodged_for("h", proxy("C1", "H1", None, None)));
    fx.ok(attended(vh("H1"), Some("h"), None));
    assert!(!fx.m.proxy_active(&p("C1")), "the class form is revoked");
    assert!(fx.m.proxy_active(&p("G1")), "the EGM form stands");
    assert!(matches!(
        fx.err(attended(vh("H1"), Some("h"), None)),
        RuleViolation::DuplicateAttendance { .. }
    ));
    // A holder attends only a class meeting of a class it holds.
    assert!(matches!(
        fx.err(attended(vh("A1"), Some("h"), None)),
        RuleViolation::NoSharesInClass { .. }
    ));
    fx.ok_as(open(None), CHAIR);
    // H1 votes its 600 H shares itself at the class meeting; at the EGM its proxy holds them.
    fx.ok(vote(vh("H1"), "2", split(600, 0, 0)));
    assert!(matches!(
        fx.err(vote(vh("H1"), "1", split(600, 0, 0))),
        RuleViolation::SharesWithProxy { .. }
    ));
    fx.ok(vote(vp("G1"), "1", split(0, 600, 0)));
    let t = fx.tally();
    let h = sitting_of(&t, "h");
    assert_eq!(
        (h.represented, h.holders_in_person, h.holders_by_proxy),
        (600, 1, 0)
    );
    let egm = sitting_of(&t, "egm");
    assert_eq!(
        (egm.represented, egm.holders_in_person, egm.holders_by_proxy),
        (600, 0, 1)
    );
}

#[test]
fn the_settings_may_keep_proxies_when_the_holder_attends() {
    let mut fx = gm_and_h(Some(MeetingSettings {
        attendance_keeps_proxies: true,
        ..MeetingSettings::default()
    }));
    fx.ok(lodged_for("h", proxy("C1", "H1", None, Some(400))));
    fx.ok(attended(vh("H1"), Some("h"), None));
    assert!(fx.m.proxy_active(&p("C1")));
    fx.ok_as(open(None), CHAIR);
    // The holder votes what its proxy does not hold.
    assert!(matches!(
        fx.err(vote(vh("H1"), "2", split(600, 0, 0))),
        RuleViolation::OverVoting { entitled: 200, .. }
    ));
    fx.ok(vote(vh("H1"), "2", split(200, 0, 0)));
}

#[test]
fn attendance_cannot_state_a_time_after_it_was_recorded() {
    let mut fx = gm_and_h(None);
    let e = attended(vh("H1"), Some("h"), Some(5_001));
    let v = fx.m.submit(&e, &REG, UtcMillis(5_000)).unwrap_err();
    assert_eq!(
        v,
        RuleViolation::AttendedInFuture {
            attendee: vh("H1"),
            attended_at: UtcMillis(5_001),
            recorded_at: UtcMillis(5_000),
        }
    );
    fx.m.submit(
        &attended(vh("H1"), Some("h"), Some(5_000)),
        &REG,
        UtcMillis(5_000),
    )
    .unwrap();
    assert_eq!(
        fx.m.attended_at(&vh("H1"), Some(&s("h"))),
        Some(UtcMillis(5_000))
    );
    assert_eq!(fx.m.attended_at(&vh("H1"), None), None);
}

#[test]
fn holders_are_counted_once_per_sitting_and_per_resolution() {
    let mut fx = Fx::hk();
    // A appoints two proxies for parts of its shares; both vote for: A counts once.
    fx.ok(Event::ProxyLodged(proxy("P1", "A", None, Some(600))));
    fx.ok(Event::ProxyLodged(proxy("P2", "A", None, Some(400))));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vp("P1"), "1", split(600, 0, 0)));
    fx.ok(vote(vp("P2"), "1", split(400, 0, 0)));
    // B splits: once for and once against.
    fx.ok(vote(vh("B"), "1", split(2_000, 1_000, 0)));
    let t = fx.tally();
    let r1 = res(&t, "1");
    assert_eq!(
        (r1.holders_for, r1.holders_against, r1.holders_present),
        (Some(2), Some(1), Some(2))
    );
    let g = sitting_of(&t, "general");
    assert_eq!(
        (g.holders_present, g.holders_in_person, g.holders_by_proxy),
        (2, 1, 1)
    );
    assert_eq!((g.entitled, g.represented), (4_000, 4_000));
    // Format 1 has none of these fields.
    let v1 = t.json_of_format(1).unwrap();
    assert!(!v1.contains("holders_") && !v1.contains("sittings"), "{v1}");
}

/// The forms and attendance of a sitting obey every finality rule the first format's do: a
/// registrar cannot use the new events to change a count once a poll opened, closed or was
/// declared (a class-sitting form after the polls open is late; attendance after a poll
/// closes is refused; anything after the declaration is sealed out), and a form claiming a
/// receipt time after its recording is refused.
#[test]
fn sitting_forms_and_attendance_obey_the_finality_rules() {
    let mut fx = gm_and_h(None);
    let mut form = proxy("P1", "H1", None, None);
    form.lodged_at = UtcMillis(DEADLINE - 1);
    // Recorded before its stated receipt: refused.
    let v =
        fx.m.submit(
            &lodged_for("h", form.clone()),
            &REG,
            UtcMillis(DEADLINE - 2),
        )
        .unwrap_err();
    assert!(
        matches!(v, RuleViolation::ProxyLodgedInFuture { .. }),
        "{v}"
    );
    fx.ok_as(open(None), CHAIR);
    // Once a poll opened, a class-sitting form is late, whatever it states.
    assert!(matches!(
        fx.err(lodged_for("h", form.clone())),
        RuleViolation::ProxyAfterPollOpened { .. }
    ));
    fx.ok(vote(vh("H1"), "2", split(600, 0, 0)));
    fx.ok_as(close(Some("2")), CHAIR);
    // Once a poll closed, nobody new attends either sitting.
    assert!(matches!(
        fx.err(attended(vh("H2"), Some("h"), None)),
        RuleViolation::AttendanceClosed { .. }
    ));
    assert!(matches!(
        fx.err(attended(vh("A1"), None, None)),
        RuleViolation::AttendanceClosed { .. }
    ));
    fx.ok_as(close(None), CHAIR);
    fx.ok_as(
        Event::ResultDeclaredV2 {
            tally_format: scrutin_tally::TALLY_FORMAT,
            tally_sha256: [0; 32],
        },
        SCRUT,
    );
    // After the declaration every new event is sealed out.
    for e in [
        lodged_for("egm", form.clone()),
        attended(vh("H2"), Some("h"), None),
        sitting("late", Some("A")),
    ] {
        assert!(
            matches!(fx.err(e), RuleViolation::LogSealed { .. }),
            "sealed"
        );
    }
}
