//! Authority and genesis.

use super::*;

#[test]
fn meeting_convened_comes_first_once_and_by_its_registrar() {
    let mut m = Meeting::new();
    let conv = convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Hk, 4),
        &[("H", 1)],
    );
    assert_eq!(
        m.check(&register("A", "H", 1), &REG, AT),
        Err(RuleViolation::NotConvened {
            kind: scrutin_model::EventKind::ShareRegistered
        })
    );
    assert_eq!(
        m.check(&Event::MeetingConvened(conv.clone()), &OTHER, AT),
        Err(RuleViolation::Unauthorized {
            kind: scrutin_model::EventKind::MeetingConvened,
            author: OTHER,
            required: "the registrar named in MeetingConvened",
        })
    );
    let mut bad = conv.clone();
    bad.classes.push(bad.classes[0].clone());
    assert_eq!(
        m.check(&Event::MeetingConvened(bad), &REG, AT),
        Err(RuleViolation::InvalidMeeting {
            reason: "class H is listed twice".into()
        })
    );
    let mut none = conv.clone();
    none.classes.clear();
    assert_eq!(
        m.check(&Event::MeetingConvened(none), &REG, AT)
            .unwrap_err()
            .rule(),
        "invalid-meeting"
    );
    m.submit(&Event::MeetingConvened(conv.clone()), &REG, AT)
        .unwrap();
    assert_eq!(m.roles(&REG), vec![Role::Registrar]);
    assert_eq!(m.convened().map(|c| c.id.as_str()), Some("test-egm"));
    assert_eq!(
        m.check(&Event::MeetingConvened(conv), &REG, AT),
        Err(RuleViolation::AlreadyConvened)
    );
}

#[test]
fn registrar_events_need_the_registrar() {
    let mut fx = Fx::new(convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Hk, 4),
        &[("H", 1)],
    ));
    for e in [
        register("A", "H", 10),
        Event::ResolutionProposed(resolution("1", ResolutionKind::Ordinary)),
        Event::AuthorityGranted {
            key: OTHER,
            role: Role::Chair,
        },
        Event::RegisterClosed,
    ] {
        assert_eq!(
            fx.err_as(e.clone(), CHAIR),
            RuleViolation::Unauthorized {
                kind: e.kind(),
                author: CHAIR,
                required: "registrar",
            }
        );
    }
    // A witness key authorises nothing in the log.
    let witness = key_of(7);
    fx.ok(Event::AuthorityGranted {
        key: witness,
        role: Role::Witness,
    });
    assert_eq!(
        fx.err_as(register("A", "H", 10), witness).rule(),
        "unauthorized"
    );
    // A second registrar key may act once granted.
    fx.ok(Event::AuthorityGranted {
        key: OTHER,
        role: Role::Registrar,
    });
    fx.ok_as(register("A", "H", 10), OTHER);
}

#[test]
fn authority_is_granted_and_revoked_once() {
    let mut fx = Fx::hk();
    assert_eq!(
        fx.err(Event::AuthorityGranted {
            key: CHAIR,
            role: Role::Chair
        }),
        RuleViolation::AuthorityAlreadyHeld {
            key: CHAIR,
            role: Role::Chair
        }
    );
    assert_eq!(
        fx.err(Event::AuthorityRevoked {
            key: OTHER,
            role: Role::Chair
        }),
        RuleViolation::AuthorityNotHeld {
            key: OTHER,
            role: Role::Chair
        }
    );
    fx.ok(Event::AuthorityRevoked {
        key: CHAIR,
        role: Role::Chair,
    });
    assert!(fx.m.roles(&CHAIR).is_empty());
    assert_eq!(
        fx.err_as(open(None), CHAIR),
        RuleViolation::Unauthorized {
            kind: scrutin_model::EventKind::PollOpened,
            author: CHAIR,
            required: "chair or registrar",
        }
    );
    fx.ok(open(None)); // the registrar may open polls too
}

#[test]
fn holders_key_casts_only_its_own_ballots() {
    let mut fx = Fx::hk();
    let a_key = key_of(20);
    fx.ok(Event::AuthorityGranted {
        key: a_key,
        role: Role::Holder(h("A")),
    });
    fx.ok(Event::ProxyLodged(proxy("P1", "B", None, Some(100))));
    fx.ok_as(open(None), CHAIR);
    fx.ok_as(vote(vh("A"), "1", split(1_000, 0, 0)), a_key);
    for voter in [vh("B"), vp("P1")] {
        let e = vote(voter, "1", split(1, 0, 0));
        assert_eq!(
            fx.err_as(e, a_key),
            RuleViolation::Unauthorized {
                kind: scrutin_model::EventKind::VoteCast,
                author: a_key,
                required: "registrar, or the voting holder's own key",
            }
        );
    }
    assert_eq!(
        fx.err_as(vote(vh("B"), "1", split(1, 0, 0)), CHAIR).rule(),
        "unauthorized"
    );
}

#[test]
fn result_declared_by_the_scrutineer_after_the_polls_close() {
    let mut fx = Fx::hk();
    let declare = Event::ResultDeclared {
        tally_sha256: [7; 32],
    };
    assert_eq!(
        fx.err_as(declare.clone(), SCRUT),
        RuleViolation::NoClosedPoll
    );
    fx.ok_as(open(None), CHAIR);
    assert_eq!(
        fx.err_as(declare.clone(), SCRUT),
        RuleViolation::PollStillOpen { resolution: r("1") }
    );
    fx.ok_as(close(Some("1")), CHAIR);
    assert_eq!(
        fx.err_as(declare.clone(), SCRUT),
        RuleViolation::PollStillOpen { resolution: r("2") }
    );
    fx.ok_as(close(None), CHAIR);
    assert_eq!(
        fx.err_as(declare.clone(), REG),
        RuleViolation::Unauthorized {
            kind: scrutin_model::EventKind::ResultDeclared,
            author: REG,
            required: "scrutineer",
        }
    );
    fx.ok_as(declare, SCRUT);
}

/// The declared result is final: after the declaration nothing may be recorded, not a second
/// declaration, not a grant, not anything that could count, so that the declaration a receipt
/// or a reader relies on is the last word on the meeting.
#[test]
fn the_declaration_is_final_and_seals_the_log() {
    let mut fx = Fx::hk();
    fx.ok(Event::ProxyLodged(proxy("P1", "A", None, None)));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vp("P1"), "1", split(1_000, 0, 0)));
    fx.ok_as(close(None), CHAIR);
    assert!(!fx.m.result_declared());
    let declare = Event::ResultDeclared {
        tally_sha256: [7; 32],
    };
    fx.ok_as(declare.clone(), SCRUT);
    assert!(fx.m.result_declared());
    let declared_at = fx.m.declared_at().expect("declared");
    let sealed = |kind| RuleViolation::LogSealed { kind, declared_at };
    assert_eq!(
        fx.err_as(declare, SCRUT),
        sealed(scrutin_model::EventKind::ResultDeclared)
    );
    assert_eq!(
        fx.err(Event::ProxyRevoked {
            proxy: p("P1"),
            reason: "withdrawn".into()
        }),
        sealed(scrutin_model::EventKind::ProxyRevoked)
    );
    assert_eq!(
        fx.err(Event::AuthorityGranted {
            key: OTHER,
            role: Role::Scrutineer
        }),
        sealed(scrutin_model::EventKind::AuthorityGranted)
    );
    let v = fx.err(Event::ResolutionProposed(resolution(
        "3",
        ResolutionKind::Ordinary,
    )));
    assert_eq!(v.rule(), "log-sealed");
}

/// A genesis with more classes than any meeting has would make every later resolution and
/// ballot cost that many rows to count and print: it is refused.
#[test]
fn a_meeting_has_at_most_max_classes_share_classes() {
    let names: Vec<String> = (0..=scrutin_tally::MAX_CLASSES)
        .map(|i| format!("C{i}"))
        .collect();
    let many: Vec<(&str, u32)> = names.iter().map(|n| (n.as_str(), 1)).collect();
    let conv = convened(MeetingKind::Egm, RulesProfile::preset(Preset::Hk, 4), &many);
    let v = Meeting::new()
        .check(&Event::MeetingConvened(conv), &REG, AT)
        .unwrap_err();
    assert_eq!(v.rule(), "invalid-meeting");
    let most = &many[..scrutin_tally::MAX_CLASSES];
    let conv = convened(MeetingKind::Egm, RulesProfile::preset(Preset::Hk, 4), most);
    Meeting::new()
        .check(&Event::MeetingConvened(conv), &REG, AT)
        .unwrap();
}
