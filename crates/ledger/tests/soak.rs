//! Scale run, only with `SCRUTIN_SOAK=1` (e.g. `SCRUTIN_SOAK=1 cargo test --release -p scrutin
//! --test soak -- --nocapture`): a meeting of `SCRUTIN_SOAK_HOLDERS` holders (default
//! 500,000, about a million events), then reopen, export, verify and a receipt. Prints the
//! timings; asserts only correctness (timings never go into tests).

mod common;

use std::time::Instant;

use common::*;
use scrutin::{verify_bundle, verify_receipt, Ledger};
use scrutin_model::{ClassId, Event, Shares};

/// CPU seconds used by this process so far (user + system), from /proc (0 elsewhere): the
/// machine is shared, so wall time alone says little.
fn cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

#[test]
fn a_million_events() {
    if std::env::var("SCRUTIN_SOAK").as_deref() != Ok("1") {
        return;
    }
    let holders: u64 = std::env::var("SCRUTIN_SOAK_HOLDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500_000);
    let dir = tempfile::tempdir().unwrap();
    let reg = registrar();
    let t = Instant::now();
    let ledger = Ledger::create(dir.path(), convened(), &reg).unwrap();
    let mut setup = setup_events();
    setup.pop(); // the poll opens after the synthetic register
    let close_at = setup
        .iter()
        .position(|e| matches!(e, Event::RegisterClosed))
        .unwrap();
    let after_close = setup.split_off(close_at);
    ledger.submit_batch(&reg, setup).unwrap();
    let id = |i: u64| format!("S{i:07}");
    for chunk in (0..holders).collect::<Vec<_>>().chunks(50_000) {
        let events = chunk
            .iter()
            .map(|&i| Event::ShareRegistered {
                holder: h(&id(i)),
                name: format!("Synthetic holder {i}"),
                class: ClassId::new("H").unwrap(),
                shares: Shares(100 + i % 1_000),
            })
            .collect();
        ledger.submit_batch(&reg, events).unwrap();
    }
    ledger.submit_batch(&reg, after_close).unwrap();
    ledger
        .submit(&reg, Event::PollOpened { resolution: None })
        .unwrap();
    for chunk in (0..holders).collect::<Vec<_>>().chunks(50_000) {
        let events = chunk
            .iter()
            .map(|&i| {
                let s = 100 + i % 1_000;
                vote(holder(&id(i)), "1", s - s / 3, s / 3, 0)
            })
            .collect();
        ledger.submit_batch(&reg, events).unwrap();
    }
    ledger.submit_batch(&reg, ballots()).unwrap();
    ledger.submit(&reg, close()).unwrap();
    ledger.declare_result(&scrutineer()).unwrap();
    let n = ledger.len();
    let json = ledger.tally().to_json();
    eprintln!("record {n} events: {:?}", t.elapsed());
    drop(ledger);

    let t = Instant::now();
    {
        let log = scrutin_log::Log::open(dir.path()).unwrap();
        eprintln!("  log open: {:?}", t.elapsed());
        let mut bytes = 0usize;
        for e in log.entries(0..log.len()) {
            bytes += e.unwrap().payload.len();
        }
        eprintln!("  log scan ({bytes} payload bytes): {:?}", t.elapsed());
        for e in log.entries(0..log.len()) {
            scrutin_model::decode_event(&e.unwrap().payload).unwrap();
        }
        eprintln!("  log scan twice + decode: {:?}", t.elapsed());
    }
    let t = Instant::now();
    let c = cpu_s();
    let ledger = Ledger::open(dir.path()).unwrap();
    eprintln!(
        "reopen (replay {n} events): {:?} wall, {:.1} s CPU",
        t.elapsed(),
        cpu_s() - c
    );
    assert_eq!(ledger.tally().to_json(), json);

    let t = Instant::now();
    ledger.checkpoint(&reg).unwrap();
    let path = dir.path().join("bundle.scrutin");
    let file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let summary = ledger.export(file, &mut |_, _| {}).unwrap();
    eprintln!(
        "export {} entries, {} bytes: {:?}",
        summary.entries,
        summary.bytes,
        t.elapsed()
    );

    let t = Instant::now();
    let file = std::fs::File::open(&path).unwrap();
    let log_only = scrutin_log::verify_bundle(file, &[reg.verifier()]).unwrap();
    eprintln!("  log checks 1-6 only: {:?}", t.elapsed());
    assert!(log_only.is_valid());

    let t = Instant::now();
    let c = cpu_s();
    let file = std::fs::File::open(&path).unwrap();
    let report = verify_bundle(file, &[reg.verifier()], &mut |_, _| {}).unwrap();
    eprintln!(
        "verify (checks 1-9): {:?} wall, {:.1} s CPU",
        t.elapsed(),
        cpu_s() - c
    );
    assert!(report.is_valid(), "{:?}", report.verdict);
    assert_eq!(report.tally.unwrap().to_json(), json);

    let t = Instant::now();
    let receipt = ledger.receipt(&h("H2")).unwrap();
    let checked = verify_receipt(&receipt, &[reg.verifier()]).unwrap();
    eprintln!(
        "receipt ({} bytes) + verify: {:?}",
        receipt.to_json().len(),
        t.elapsed()
    );
    assert!(checked.is_valid());
}
