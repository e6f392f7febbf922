//! The declared result is final: attacks by a registrar holding the log key that try to change
//! a closed, declared count, each in a bundle signed by that key (bypassing the ledger's own
//! refusal), must give a broken verdict naming the entry and the rule.

mod common;

use common::*;
use scrutin::{tally_digest, verify_bundle, Verdict};
use scrutin_log::{Log, Signer};

/// Who signs an entry (the keys are derived from fixed seeds).
type By = fn() -> Signer;
use scrutin_model::{encode_event, Event, ProxyId, ProxyLodged, UtcMillis};
use scrutin_tally::Meeting;

/// The bundle of `events`, appended straight through the log (no rule checks), and the
/// checkpoint signed by the registrar.
fn raw_bundle(events: &[(By, Event)]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let log = Log::create(dir.path(), "scrutin/TEST-EGM-2026").unwrap();
    for (signer, event) in events {
        log.append(&signer(), encode_event(event).unwrap()).unwrap();
    }
    let cp = log.checkpoint(&registrar()).unwrap();
    let mut out = Vec::new();
    log.export(&cp, &mut out).unwrap();
    out
}

/// A declaration whose digest is the tally of every event before it, folded without checks,
/// as a registrar forging a later declaration would compute it.
fn declaration_after(events: &[(By, Event)]) -> (By, Event) {
    let mut m = Meeting::new();
    for (s, e) in events {
        m.apply(e, &key(&s()), UtcMillis(u64::MAX));
    }
    (
        scrutineer,
        Event::ResultDeclaredV2 {
            tally_format: scrutin::tally::TALLY_FORMAT,
            tally_sha256: tally_digest(&m.tally()),
        },
    )
}

fn closed_meeting() -> Vec<(By, Event)> {
    let reg: By = registrar;
    let mut v = vec![(reg, Event::MeetingConvened(convened()))];
    v.extend(setup_events().into_iter().map(|e| (reg, e)));
    v.extend(ballots().into_iter().map(|e| (reg, e)));
    v.push((reg, close()));
    v
}

/// A form for H2 that supersedes P1 (whose 2,000 votes were counted), claiming to have been
/// lodged long before the deadline.
fn superseding_form() -> Event {
    Event::ProxyLodged(ProxyLodged {
        proxy: ProxyId::new("P9").unwrap(),
        holder: h("H2"),
        proxy_name: "A friend".into(),
        class: None,
        shares: None,
        instructions: vec![],
        lodged_at: UtcMillis(1_600_000_000_000),
    })
}

fn broken(bundle: &[u8]) -> (Option<u64>, String, String) {
    let report = verify_bundle(bundle, &[registrar().verifier()], &mut |_, _| {}).unwrap();
    match report.verdict {
        Verdict::Broken {
            at_entry,
            check,
            reason,
        } => {
            assert!(
                report.tally.is_none(),
                "no tally is presented for a broken bundle"
            );
            (at_entry, check, reason)
        }
        Verdict::Valid => panic!("the forged bundle verified: {}", report.to_json()),
    }
}

#[test]
fn a_form_after_the_declaration_cannot_recount_it() {
    let mut events = closed_meeting();
    events.push(declaration_after(&events));
    let forged_at = events.len() as u64;
    events.push((registrar, superseding_form()));
    events.push(declaration_after(&events));
    let (at, check, reason) = broken(&raw_bundle(&events));
    assert_eq!(at, Some(forged_at));
    assert_eq!(check, "voting rules");
    assert!(reason.contains("log-sealed"), "{reason}");
}

#[test]
fn a_revocation_or_attendance_between_close_and_declaration_is_refused() {
    for late in [
        Event::ProxyRevoked {
            proxy: ProxyId::new("P1").unwrap(),
            reason: "withdrawn".into(),
        },
        Event::AttendanceRecorded {
            attendee: holder("H2"),
        },
        superseding_form(),
    ] {
        let mut events = closed_meeting();
        let forged_at = events.len() as u64;
        events.push((registrar, late.clone()));
        events.push(declaration_after(&events));
        let (at, check, reason) = broken(&raw_bundle(&events));
        assert_eq!(at, Some(forged_at), "{late:?}");
        assert_eq!(check, "voting rules");
        assert!(
            reason.contains("attendance-closed") || reason.contains("late-proxy"),
            "{late:?}: {reason}"
        );
    }
}

#[test]
fn a_form_claiming_a_receipt_time_after_its_recording_is_refused() {
    let reg: By = registrar;
    let mut events = vec![(reg, Event::MeetingConvened(convened()))];
    let setup = setup_events();
    let (before_poll, _) = setup.split_at(setup.len() - 1);
    events.extend(before_poll.iter().cloned().map(|e| (reg, e)));
    let forged_at = events.len() as u64;
    let mut form = superseding_form();
    if let Event::ProxyLodged(p) = &mut form {
        // Before the deadline (1.9e12), after any time this test can be recorded at.
        p.lodged_at = UtcMillis(1_899_999_999_999);
    }
    events.push((reg, form));
    let (at, _, reason) = broken(&raw_bundle(&events));
    assert_eq!(at, Some(forged_at));
    assert!(reason.contains("proxy-lodged-in-future"), "{reason}");
}

#[test]
fn the_ledger_refuses_every_event_after_the_declaration() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = whole_meeting(dir.path());
    let before = ledger.tally();
    let len = ledger.len();
    let refused = ledger.submit(&registrar(), superseding_form()).unwrap_err();
    assert!(
        matches!(
            refused,
            scrutin::LedgerError::Rejected {
                violation: scrutin_tally::RuleViolation::LogSealed { .. },
                ..
            }
        ),
        "{refused:?}"
    );
    assert!(ledger.declare_result(&scrutineer()).is_err());
    assert_eq!(ledger.len(), len);
    assert_eq!(ledger.tally(), before);
}

/// A bundle with no declaration verifies, but is never presented as a result: the verdict
/// says provisional, the JSON's `result` is provisional, and neither the report nor the
/// announcement states an outcome.
#[test]
fn a_bundle_without_a_declaration_is_provisional_not_a_result() {
    let events = closed_meeting();
    let bundle = raw_bundle(&events);
    let trust = [registrar().verifier()];
    let report = verify_bundle(&bundle[..], &trust, &mut |_, _| {}).unwrap();
    assert_eq!(report.verdict, Verdict::Valid, "{}", report.to_json());
    assert_eq!(report.declared_at, None);
    assert!(!report.is_declared());
    assert!(report
        .verdict_line()
        .starts_with("provisional, no result declared"));
    assert!(!report.verdict_line().contains("passed"));
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["result"]["status"], "provisional");
    let html = scrutin::report::render_html(
        &report,
        &scrutin::report::ReportInput {
            comparison: None,
            ..scrutin::report::ReportInput::new("b", &trust)
        },
    );
    assert!(html.contains("VALID, PROVISIONAL"));
    assert!(!html.contains("PASSED"), "no outcome is stated");
    let text = report.announcement.as_deref().unwrap();
    assert!(text.contains("PROVISIONAL COUNT: NO RESULT HAS BEEN DECLARED"));
    assert!(!text.contains("duly passed"), "{text}");

    // Declared, the same meeting is a result.
    let mut events = closed_meeting();
    events.push(declaration_after(&events));
    let bundle = raw_bundle(&events);
    let report = verify_bundle(&bundle[..], &trust, &mut |_, _| {}).unwrap();
    assert!(report.is_declared());
    assert_eq!(report.declared_at, Some(events.len() as u64 - 1));
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["result"]["status"], "declared");
    assert_eq!(report.verdict_line(), "every check passed");
}

/// A declaration certifies the tally JSON of the format it names: the first format's
/// `ResultDeclared` the format-1 JSON, `ResultDeclaredV2` the JSON of its `tally_format`. A
/// digest of the other format, or a format the verifier does not know, is a broken tally.
#[test]
fn a_declaration_certifies_the_tally_json_of_the_format_it_names() {
    use scrutin::tally::TALLY_FORMAT;
    use scrutin::tally_digest_of_format;
    let events = closed_meeting();
    let mut m = Meeting::new();
    for (s, e) in &events {
        m.apply(e, &key(&s()), UtcMillis(u64::MAX));
    }
    let t = m.tally();
    let v1 = tally_digest_of_format(&t, 1).unwrap();
    let v2 = tally_digest_of_format(&t, TALLY_FORMAT).unwrap();
    assert_ne!(v1, v2, "format 2 adds fields, so the two JSON texts differ");
    assert_eq!(v2, tally_digest(&t));
    let with = |e: Event| {
        let mut all = events.clone();
        all.push((scrutineer as By, e));
        verify_bundle(
            &raw_bundle(&all)[..],
            &[registrar().verifier()],
            &mut |_, _| {},
        )
        .unwrap()
    };
    for good in [
        Event::ResultDeclared { tally_sha256: v1 },
        Event::ResultDeclaredV2 {
            tally_format: TALLY_FORMAT,
            tally_sha256: v2,
        },
    ] {
        let report = with(good);
        assert!(report.is_declared(), "{}", report.to_json());
        let format = report.declared_format.unwrap();
        let certified = report.certified_tally_json().unwrap();
        assert_eq!(
            tally_digest_of_format(report.tally.as_ref().unwrap(), format),
            Some(<sha2::Sha256 as sha2::Digest>::digest(certified.as_bytes()).into()),
            "the certified JSON is the declared bytes"
        );
    }
    for (bad, why) in [
        (Event::ResultDeclared { tally_sha256: v2 }, "not the digest"),
        (
            Event::ResultDeclaredV2 {
                tally_format: TALLY_FORMAT,
                tally_sha256: v1,
            },
            "not the digest",
        ),
        (
            Event::ResultDeclaredV2 {
                tally_format: TALLY_FORMAT + 1,
                tally_sha256: v2,
            },
            "does not know",
        ),
    ] {
        let report = with(bad);
        match report.verdict {
            Verdict::Broken { check, reason, .. } => {
                assert_eq!(check, "tally");
                assert!(reason.contains(why), "{reason}");
            }
            Verdict::Valid => panic!("a wrong declaration verified"),
        }
    }
}
