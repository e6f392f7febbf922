//! Verification cost stays linear in the bundle on bundles built to be expensive: many share
//! classes times many resolutions, many ballots, many declarations. The cost is measured as
//! the bytes and blocks the verifier allocates (a counting global allocator: deterministic, no
//! clock), for a bundle of size N and one of size 2N of each shape; doubling the bundle may at
//! most about double the cost.
//!
//! This binary holds one test on purpose: the allocator counts every thread of the process.

mod common;

use std::alloc::System;

use common::*;
use scrutin::{tally_digest, verify_bundle};
use scrutin_log::{Log, Signer};
use scrutin_model::{
    ClassId, ClassWeight, Event, HolderId, Resolution, ResolutionId, ResolutionKind, Role,
    ShareClass, Shares, UtcMillis,
};
use scrutin_tally::Meeting;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

type By = fn() -> Signer;

/// The bundle of `events` signed straight into a log (they all pass the rules: the ledger
/// would record them too), checkpointed by the registrar.
fn bundle(events: &[(By, Event)]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let log = Log::create(dir.path(), "scrutin/TEST-EGM-2026").unwrap();
    let mut run: Vec<Vec<u8>> = Vec::new();
    let mut run_by: Option<By> = None;
    for (by, event) in events {
        if run_by.is_some_and(|b| b as usize != *by as usize) {
            log.append_batch(&run_by.unwrap()(), std::mem::take(&mut run))
                .unwrap();
        }
        run_by = Some(*by);
        run.push(scrutin_model::encode_event(event).unwrap());
    }
    if let Some(by) = run_by {
        log.append_batch(&by(), run).unwrap();
    }
    let cp = log.checkpoint(&registrar()).unwrap();
    let mut out = Vec::new();
    log.export(&cp, &mut out).unwrap();
    out
}

/// `events`, then the scrutineer's declaration of their tally (checked through the rules).
fn declared(mut events: Vec<(By, Event)>) -> Vec<(By, Event)> {
    let mut m = Meeting::new();
    for (by, e) in &events {
        m.submit(e, &key(&by()), UtcMillis(1_800_000_000_000))
            .unwrap();
    }
    let declaration = Event::ResultDeclaredV2 {
        tally_format: scrutin::tally::TALLY_FORMAT,
        tally_sha256: tally_digest(&m.tally()),
    };
    m.submit(
        &declaration,
        &key(&scrutineer()),
        UtcMillis(1_800_000_000_000),
    )
    .unwrap();
    events.push((scrutineer, declaration));
    events
}

fn class(i: usize) -> ClassId {
    ClassId::new(format!("C{i}")).unwrap()
}

/// The most share classes a meeting may have, and `n` resolutions that name no class, so that
/// every class votes on every one (the widest tally a genesis allows); holder i holds class
/// i % classes and votes on resolution i. A dense (resolution, class) state costs classes x n,
/// which the class limit keeps a constant multiple of the bundle; a genesis with more classes
/// is refused (scrutin-tally `a_meeting_has_at_most_max_classes_share_classes`).
fn classes_times_resolutions(n: usize) -> Vec<u8> {
    let reg: By = registrar;
    let classes = scrutin_tally::MAX_CLASSES;
    let mut genesis = convened();
    genesis.classes = (0..classes)
        .map(|i| ShareClass {
            id: class(i),
            name: format!("Class {i}"),
            votes_per_share: 1,
        })
        .collect();
    let mut ev = vec![
        (reg, Event::MeetingConvened(genesis)),
        (
            reg,
            Event::AuthorityGranted {
                key: key(&scrutineer()),
                role: Role::Scrutineer,
            },
        ),
    ];
    for i in 0..n {
        ev.push((
            reg,
            Event::ResolutionProposed(Resolution {
                id: ResolutionId::new(format!("R{i}")).unwrap(),
                kind: ResolutionKind::Ordinary,
                title: format!("Resolution {i}"),
                classes: vec![],
                votes_per_share: vec![ClassWeight {
                    class: class(i % classes),
                    votes_per_share: 2,
                }],
            }),
        ));
    }
    for i in 0..n {
        ev.push((
            reg,
            Event::ShareRegistered {
                holder: HolderId::new(format!("H{i}")).unwrap(),
                name: format!("Holder {i}"),
                class: class(i % classes),
                shares: Shares(100),
            },
        ));
    }
    ev.push((reg, Event::RegisterClosed));
    ev.push((reg, Event::PollOpened { resolution: None }));
    for i in 0..n {
        ev.push((
            reg,
            vote(holder(&format!("H{i}")), &format!("R{i}"), 60, 40, 0),
        ));
    }
    ev.push((reg, close()));
    bundle(&declared(ev))
}

/// One class, two resolutions, `n` holders voting on both.
fn many_ballots(n: usize) -> Vec<u8> {
    let reg: By = registrar;
    let mut ev = vec![(reg, Event::MeetingConvened(convened()))];
    let setup = setup_events();
    // The common setup without its poll opening, then `n` more holders.
    ev.extend(setup[..setup.len() - 1].iter().cloned().map(|e| (reg, e)));
    let closed_at = ev
        .iter()
        .position(|(_, e)| matches!(e, Event::RegisterClosed))
        .unwrap();
    let extra: Vec<(By, Event)> = (0..n)
        .map(|i| {
            (
                reg,
                Event::ShareRegistered {
                    holder: HolderId::new(format!("X{i}")).unwrap(),
                    name: format!("Holder X{i}"),
                    class: ClassId::new("H").unwrap(),
                    shares: Shares(1_000 + i as u64),
                },
            )
        })
        .collect();
    ev.splice(closed_at..closed_at, extra);
    ev.push((reg, Event::PollOpened { resolution: None }));
    for i in 0..n {
        for res in ["1", "2"] {
            ev.push((reg, vote(holder(&format!("X{i}")), res, 1_000, 0, i as u64)));
        }
    }
    ev.push((reg, close()));
    bundle(&declared(ev))
}

/// A declared meeting followed by `n` rounds of revoke / grant / declare, all signed: the
/// first declaration seals the log, so the verifier stops at the first event after it.
fn many_declarations(n: usize) -> Vec<u8> {
    let reg: By = registrar;
    let mut ev = vec![(reg, Event::MeetingConvened(convened()))];
    ev.extend(setup_events().into_iter().map(|e| (reg, e)));
    ev.extend(ballots().into_iter().map(|e| (reg, e)));
    ev.push((reg, close()));
    let mut ev = declared(ev);
    let Some(last) = ev.last().and_then(|(_, e)| e.declaration()) else {
        unreachable!("declared() ends in a declaration")
    };
    let digest = last.tally_sha256;
    for _ in 0..n {
        ev.push((
            reg,
            Event::AuthorityRevoked {
                key: key(&scrutineer()),
                role: Role::Scrutineer,
            },
        ));
        ev.push((
            reg,
            Event::AuthorityGranted {
                key: key(&scrutineer()),
                role: Role::Scrutineer,
            },
        ));
        ev.push((
            scrutineer,
            Event::ResultDeclared {
                tally_sha256: digest,
            },
        ));
    }
    bundle(&ev)
}

/// (bytes allocated, blocks allocated) while verifying `b`, and whether it verified.
fn cost(b: &[u8]) -> (u64, u64, bool) {
    let trust = [registrar().verifier()];
    let region = Region::new(GLOBAL);
    let report = verify_bundle(b, &trust, &mut |_, _| {}).unwrap();
    let valid = report.is_valid();
    // The report is part of what verification produces.
    let text = report.to_json();
    drop(report);
    drop(text);
    let s = region.change();
    (
        (s.bytes_allocated + s.bytes_reallocated.max(0) as usize) as u64,
        s.allocations as u64,
        valid,
    )
}

/// Verifying the 2N bundle costs at most 2.2 times the N bundle, in bytes and in blocks.
fn linear(shape: &str, build: fn(usize) -> Vec<u8>, n: usize, valid: bool) {
    let (small, large) = (build(n), build(2 * n));
    let (b1, a1, v1) = cost(&small);
    let (b2, a2, v2) = cost(&large);
    assert_eq!((v1, v2), (valid, valid), "{shape}: verdicts");
    let size = large.len() as f64 / small.len() as f64;
    assert!(
        size < 2.2,
        "{shape}: the 2N bundle is {size:.2} x the N bundle"
    );
    let (rb, ra) = (b2 as f64 / b1 as f64, a2 as f64 / a1 as f64);
    eprintln!(
        "{shape}: bundle {} -> {} bytes; verify allocates {b1} -> {b2} bytes ({rb:.2}x), {a1} -> \
         {a2} blocks ({ra:.2}x)",
        small.len(),
        large.len()
    );
    assert!(
        rb <= 2.2,
        "{shape}: bytes allocated grew {rb:.2}x ({b1} -> {b2})"
    );
    assert!(
        ra <= 2.2,
        "{shape}: blocks allocated grew {ra:.2}x ({a1} -> {a2})"
    );
}

#[test]
fn verification_cost_stays_linear_on_expensive_bundles() {
    linear(
        "classes x resolutions",
        classes_times_resolutions,
        400,
        true,
    );
    linear("ballots", many_ballots, 400, true);
    linear("declarations", many_declarations, 200, false);
}
