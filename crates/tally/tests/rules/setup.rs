//! The setup events appended after the first format: sittings, a resolution's terms, the
//! meeting's settings. Each is the registrar's and comes before the register closes.

use super::*;
use scrutin_model::{
    ClassIssued, MeetingSettings, SchemeTerms, Sitting, SittingId, SittingKind, Threshold,
};

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

fn terms(res: &str, sitting: Option<&str>, scheme: Option<SchemeTerms>) -> Event {
    Event::ResolutionTerms {
        resolution: r(res),
        sitting: sitting.map(s),
        scheme,
    }
}

/// A PRC meeting with classes A and H, not yet closed: resolution 1 for everyone, 2 for H.
fn prc_open() -> Fx {
    let mut fx = Fx::new(convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Prc, 4),
        &[("A", 1), ("H", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    let mut h_only = resolution("2", ResolutionKind::Special);
    h_only.classes = vec![c("H")];
    fx.ok(Event::ResolutionProposed(h_only));
    fx.ok(register("A1", "A", 1_000));
    fx.ok(register("H1", "H", 500));
    fx
}

#[test]
fn sittings_are_convened_once_each_before_the_register_closes() {
    let mut fx = prc_open();
    fx.ok(sitting("egm", None));
    fx.ok(sitting("h-class", Some("H")));
    let invalid = |id: &str, reason: &str| RuleViolation::InvalidSitting {
        sitting: s(id),
        reason: reason.into(),
    };
    assert_eq!(
        fx.err(sitting("egm", None)),
        invalid("egm", "already convened")
    );
    assert_eq!(
        fx.err(sitting("gm2", None)),
        invalid("gm2", "the meeting has one general sitting")
    );
    assert_eq!(
        fx.err(sitting("h2", Some("H"))),
        invalid("h2", "class H already has a class sitting")
    );
    assert_eq!(
        fx.err(sitting("x", Some("X"))),
        RuleViolation::UnknownClass { class: c("X") }
    );
    // The registrar's alone.
    assert!(matches!(
        fx.err_as(sitting("a-class", Some("A")), CHAIR),
        RuleViolation::Unauthorized { .. }
    ));
    fx.ok(Event::RegisterClosed);
    assert_eq!(
        fx.err(sitting("a-class", Some("A"))),
        RuleViolation::RegisterClosed {
            kind: EventKind::SittingConvened
        }
    );
}

#[test]
fn resolution_terms_name_a_convened_sitting_and_fit_it() {
    let mut fx = prc_open();
    fx.ok(sitting("egm", None));
    fx.ok(sitting("h-class", Some("H")));
    assert_eq!(
        fx.err(terms("1", Some("a-class"), None)),
        RuleViolation::UnknownSitting {
            sitting: s("a-class")
        }
    );
    assert_eq!(
        fx.err(terms("9", None, None)),
        RuleViolation::UnknownResolution { resolution: r("9") }
    );
    // Resolution 1 is voted by every class: it cannot be put to the H class meeting.
    assert!(matches!(
        fx.err(terms("1", Some("h-class"), None)),
        RuleViolation::InvalidSitting { .. }
    ));
    let scheme = SchemeTerms {
        headcount: false,
        value_majority: Threshold::THREE_QUARTERS,
        disinterested_majority: None,
        disinterested_max_against: None,
    };
    assert!(matches!(
        fx.err(terms("1", None, Some(scheme))),
        RuleViolation::InvalidResolution { .. }
    ));
    fx.ok(terms("1", Some("egm"), None));
    fx.ok(terms("2", Some("h-class"), None));
    assert_eq!(
        fx.err(terms("2", Some("h-class"), None)),
        RuleViolation::DuplicateTerms { resolution: r("2") }
    );
}

#[test]
fn meeting_settings_are_recorded_once() {
    let mut fx = prc_open();
    let issued = |class: &str, n: u64| ClassIssued {
        class: c(class),
        issued: Shares(n),
    };
    assert_eq!(
        fx.err(Event::MeetingSettings(MeetingSettings {
            issued: vec![issued("X", 1)],
            ..MeetingSettings::default()
        })),
        RuleViolation::UnknownClass { class: c("X") }
    );
    assert!(matches!(
        fx.err(Event::MeetingSettings(MeetingSettings {
            issued: vec![issued("H", 600), issued("H", 700)],
            ..MeetingSettings::default()
        })),
        RuleViolation::InvalidSettings { .. }
    ));
    fx.ok(Event::MeetingSettings(MeetingSettings {
        issued: vec![issued("H", 600)],
        ..MeetingSettings::default()
    }));
    assert!(matches!(
        fx.err(Event::MeetingSettings(MeetingSettings::default())),
        RuleViolation::InvalidSettings { .. }
    ));
}
