//! Receipt verification in bulk against its raw limit, in one run.
//!
//! `cargo bench -p scrutin --bench receipts` builds a sealed meeting of `HOLDERS` holders, each
//! voting on two resolutions, takes every holder's receipt, then times in interleaved rounds
//! (load from other processes hits both sides alike): `ReceiptVerifier::verify_all` of all
//! the receipts (a fresh verifier each round, so the checkpoint and shared entries are
//! checked once per round), one receipt at a time with `verify_receipt` and with
//! `ReceiptVerifier::verify` (the bulk path before batching, one thread), and the raw limit:
//! ed25519-dalek `verify_batch` (batches of 256 on all cores) of exactly the distinct entry
//! signatures the receipts carry (the shared ones once). It prints receipts/s, receipts/s per
//! core and the ratio of the raw limit's time to `verify_all`'s. `SCRUTIN_BENCH_QUICK=1` runs
//! fewer rounds and holders; `SCRUTIN_BENCH_RATIOS_ONLY=1` skips the criterion part;
//! `SCRUTIN_BENCH_PROFILE=1` only runs `verify_all` in a loop, for a profiler.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use common::*;
use criterion::{Criterion, Throughput};
use ed25519_dalek::VerifyingKey;
use scrutin::log::{Entry, Pin};
use scrutin::model::{ClassId, Event, ProxyId, Shares};
use scrutin::{verify_receipt, Ledger, ReceiptVerifier, VoteReceipt};

fn quick() -> bool {
    std::env::var("SCRUTIN_BENCH_QUICK").is_ok()
}

fn holders() -> usize {
    if quick() {
        1_000
    } else {
        4_000
    }
}

fn id(i: usize) -> String {
    format!("S{i:07}")
}

/// A sealed, checkpointed meeting of `n` holders, each voting on both resolutions (one in
/// ten through a proxy); the receipts of all of them.
fn receipts(dir: &std::path::Path, n: usize) -> Vec<VoteReceipt> {
    let reg = registrar();
    let ledger = Ledger::create(dir, convened(), &reg).unwrap();
    let mut events = vec![Event::AuthorityGranted {
        key: key(&scrutineer()),
        role: scrutin::model::Role::Scrutineer,
    }];
    events.extend(
        setup_events()
            .into_iter()
            .filter(|e| matches!(e, Event::ResolutionProposed(_))),
    );
    for i in 0..n {
        events.push(Event::ShareRegistered {
            holder: h(&id(i)),
            name: format!("Holder {i}"),
            class: ClassId::new("H").unwrap(),
            shares: Shares(1_000 + i as u64),
        });
    }
    events.push(Event::RegisterClosed);
    for i in (0..n).step_by(10) {
        events.push(Event::ProxyLodged(scrutin::model::ProxyLodged {
            proxy: ProxyId::new(format!("P{i:07}")).unwrap(),
            holder: h(&id(i)),
            proxy_name: "Chairman of the meeting".into(),
            class: None,
            shares: None,
            instructions: vec![],
            lodged_at: scrutin::model::UtcMillis(1_700_000_000_000),
        }));
    }
    let voter = |i: usize| {
        if i.is_multiple_of(10) {
            proxy(&format!("P{i:07}"))
        } else {
            holder(&id(i))
        }
    };
    for i in 0..n {
        events.push(Event::AttendanceRecorded { attendee: voter(i) });
    }
    events.push(Event::PollOpened { resolution: None });
    for res in ["1", "2"] {
        for i in 0..n {
            events.push(vote(voter(i), res, 1_000 + i as u64, 0, 0));
        }
    }
    events.push(close());
    for chunk in events.chunks(5_000) {
        ledger.submit_batch(&reg, chunk.to_vec()).unwrap();
    }
    ledger.declare_result(&scrutineer()).unwrap();
    ledger.checkpoint(&reg).unwrap();
    (0..n)
        .map(|i| ledger.receipt(&h(&id(i))).unwrap())
        .collect()
}

/// The distinct entries the receipts carry, as (key, signed message, signature).
fn signatures(receipts: &[VoteReceipt]) -> Vec<(VerifyingKey, Vec<u8>, [u8; 64])> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in receipts {
        let all = [&r.genesis, &r.declaration]
            .into_iter()
            .chain(&r.scrutineer_grant)
            .chain(&r.polls)
            .chain(&r.context)
            .chain(&r.entries);
        for e in all {
            if !seen.insert(e.entry.clone()) {
                continue;
            }
            let entry = Entry::decode(&B64.decode(&e.entry).unwrap()).unwrap();
            let key = VerifyingKey::from_bytes(entry.author.as_bytes()).unwrap();
            out.push((key, entry.signed_message(), entry.signature));
        }
    }
    out
}

fn verify_batch_parallel(items: &[(VerifyingKey, Vec<u8>, [u8; 64])], threads: usize) -> bool {
    let per = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let hs: Vec<_> = items
            .chunks(per)
            .map(|c| {
                s.spawn(move || {
                    c.chunks(256).all(|b| {
                        let msgs: Vec<&[u8]> = b.iter().map(|(_, m, _)| m.as_slice()).collect();
                        let sigs: Vec<ed25519_dalek::Signature> = b
                            .iter()
                            .map(|(_, _, s)| ed25519_dalek::Signature::from_bytes(s))
                            .collect();
                        let keys: Vec<VerifyingKey> = b.iter().map(|(k, _, _)| *k).collect();
                        ed25519_dalek::verify_batch(&msgs, &sigs, &keys).is_ok()
                    })
                })
            })
            .collect();
        hs.into_iter().all(|h| h.join().unwrap())
    })
}

fn verifier() -> ReceiptVerifier {
    ReceiptVerifier::new(vec![registrar().verifier()], Pin::default()).unwrap()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs the operations in turn, `runs` rounds; the median seconds of each and the per-round
/// times.
fn interleaved(runs: usize, ops: &mut [&mut dyn FnMut()]) -> (Vec<f64>, Vec<Vec<f64>>) {
    for op in ops.iter_mut() {
        op();
    }
    let mut times = vec![Vec::new(); ops.len()];
    for _ in 0..runs {
        for (i, op) in ops.iter_mut().enumerate() {
            let t = Instant::now();
            op();
            times[i].push(t.elapsed().as_secs_f64());
        }
    }
    (times.iter().map(|t| median(t.clone())).collect(), times)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let n = holders();
    let receipts = receipts(dir.path(), n);
    let sigs = signatures(&receipts);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let some = &receipts[..receipts.len().min(200)];
    assert!(verifier()
        .verify_all(&receipts)
        .unwrap()
        .iter()
        .all(|r| r.is_valid()));
    if std::env::var("SCRUTIN_BENCH_PROFILE").is_ok() {
        // Only verify_all, for a profiler.
        for _ in 0..20 {
            black_box(verifier().verify_all(&receipts).unwrap());
        }
        return;
    }
    if std::env::var("SCRUTIN_BENCH_RATIOS_ONLY").is_err() {
        let mut c = Criterion::default()
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(if quick() { 2 } else { 5 }));
        let mut g = c.benchmark_group("receipts");
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function("verify_all", |b| {
            b.iter(|| black_box(verifier().verify_all(&receipts).unwrap()))
        });
        g.throughput(Throughput::Elements(some.len() as u64));
        g.bench_function("verify_receipt one at a time", |b| {
            b.iter(|| {
                for r in some {
                    black_box(verify_receipt(r, &[registrar().verifier()]).unwrap());
                }
            })
        });
        g.finish();
        c.final_summary();
    }
    let runs = if quick() { 5 } else { 11 };
    let trust = [registrar().verifier()];
    let (m, t) = interleaved(
        runs,
        &mut [
            &mut || drop(black_box(verifier().verify_all(&receipts).unwrap())),
            &mut || assert!(verify_batch_parallel(&sigs, threads)),
            &mut || {
                for r in some {
                    black_box(verify_receipt(r, &trust).unwrap());
                }
            },
            &mut || {
                let mut v = verifier();
                for r in &receipts {
                    black_box(v.verify(r).unwrap());
                }
            },
        ],
    );
    let per_receipt = sigs.len() as f64 / n as f64;
    println!(
        "{n} receipts, {} distinct entry signatures ({per_receipt:.2} per receipt), {threads} cores",
        sigs.len()
    );
    let rate = n as f64 / m[0];
    println!(
        "{:<52}{rate:>10.0} receipts/s = {:>8.0} /s/core   (goal >= 50000 /s/core)",
        "ReceiptVerifier::verify_all:",
        rate / threads as f64
    );
    println!(
        "{:<52}{:>10.0} receipts/s = {:>8.0} /s/core",
        "  verify_receipt one at a time, 1 thread:",
        some.len() as f64 / m[2],
        some.len() as f64 / m[2]
    );
    println!(
        "{:<52}{:>10.0} receipts/s = {:>8.0} /s/core",
        "  ReceiptVerifier::verify one at a time, 1 thread:",
        n as f64 / m[3],
        n as f64 / m[3]
    );
    println!(
        "{:<52}{:>10.0} sigs/s     = {:>8.0} receipts/s/core at {per_receipt:.2} sigs each",
        format!("  raw verify_batch of those signatures, {threads} threads:"),
        sigs.len() as f64 / m[1],
        n as f64 / m[1] / threads as f64
    );
    let ratio = median(
        t[1].iter()
            .zip(&t[0])
            .map(|(raw, ours)| raw / ours)
            .collect(),
    );
    println!(
        "{:<52}{ratio:>10.4}",
        format!("  ratio verify_all / raw verify_batch({threads}):")
    );
}
