//! Throughput of the log against the raw operations it is built from, printed as ratios.
//!
//! `cargo bench -p scrutin-log` runs criterion on each operation, then a ratio table from its
//! own interleaved rounds (so the ratios come from one run on one machine, and load from other
//! processes affects both sides of a ratio alike). `SCRUTIN_BENCH_QUICK=1` takes fewer
//! samples; `SCRUTIN_BENCH_RATIOS_ONLY=1` skips the criterion part. The limits: durable
//! `append_batch(1000)` against raw signing on all cores (and against raw sled writing the
//! log's own layout), `verify_bundle` against ed25519-dalek `verify_batch` of the same
//! signatures on all cores (`verify_strict` is printed for reference only).

use criterion::{BenchmarkId, Criterion, Throughput};
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use scrutin_log::{verify_bundle, Entry, Log, Signer};
use std::fs::File;
use std::hint::black_box;
use std::time::{Duration, Instant};

const PAYLOAD: usize = 200;
const BATCH: usize = 1000;
const BUNDLE_ENTRIES: u64 = 10_000;

fn payloads(n: usize, salt: u64) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let mut p = vec![0u8; PAYLOAD];
            p[..8].copy_from_slice(&(i as u64 ^ salt).to_be_bytes());
            p
        })
        .collect()
}

fn signer() -> Signer {
    Signer::from_seed("bench.example/registrar", [42; 32]).unwrap()
}

/// A raw sled database plus a handle for fsync, as the log uses them.
struct RawSled {
    db: sled::Db,
    file: File,
    next: u64,
    _dir: tempfile::TempDir,
}

impl RawSled {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new()
            .path(dir.path())
            .cache_capacity(64 << 20)
            .open()
            .unwrap();
        let file = File::open(dir.path().join("db")).unwrap();
        RawSled {
            db,
            file,
            next: 0,
            _dir: dir,
        }
    }

    fn write(&mut self, values: &[Vec<u8>], fsync: bool) {
        let mut b = sled::Batch::default();
        for v in values {
            b.insert(&self.next.to_be_bytes(), v.as_slice());
            self.next += 1;
        }
        self.db.apply_batch(b).unwrap();
        self.db.flush().unwrap();
        if fsync {
            self.file.sync_all().unwrap();
        }
    }
}

impl RawSled {
    /// The log's own layout for a batch (`crates/log/src/store.rs`): pages of up to 16
    /// entries or 4 KiB (`e` + first index, u32 length + bytes per record), the level-0
    /// Merkle tiles the leaves touch (`t` + level + tile index, 32 bytes per leaf), size and
    /// head: one sled batch, flushed and fsynced, as one durable `append_batch`.
    fn write_layout(&mut self, entries: &[Vec<u8>], leaves: &[[u8; 32]]) {
        let mut b = sled::Batch::default();
        let mut page: Vec<u8> = Vec::new();
        let mut page_start = self.next;
        let mut in_page = 0;
        for (i, e) in entries.iter().enumerate() {
            page.extend_from_slice(&(e.len() as u32).to_be_bytes());
            page.extend_from_slice(e);
            in_page += 1;
            if in_page == 16 || page.len() >= 4096 || i + 1 == entries.len() {
                let mut k = vec![b'e'];
                k.extend_from_slice(&page_start.to_be_bytes());
                b.insert(k, std::mem::take(&mut page));
                page_start = self.next + i as u64 + 1;
                in_page = 0;
            }
        }
        let first = self.next;
        let end = first + entries.len() as u64;
        let mut t = first / 256;
        while t * 256 < end {
            let lo = (t * 256).max(first);
            let hi = ((t + 1) * 256).min(end);
            let tile: Vec<u8> = leaves[(lo - first) as usize..(hi - first) as usize]
                .iter()
                .flatten()
                .copied()
                .collect();
            let mut k = vec![b't', 0];
            k.extend_from_slice(&t.to_be_bytes());
            b.insert(k, tile);
            t += 1;
        }
        b.insert(&b"msize"[..], &end.to_be_bytes());
        b.insert(&b"mhead"[..], &leaves[leaves.len() - 1]);
        self.next = end;
        self.db.apply_batch(b).unwrap();
        self.db.flush().unwrap();
        self.file.sync_all().unwrap();
    }
}

/// ed25519-dalek `verify_batch` (cofactorless, no small-order checks: a lower bound on the
/// cost of checking these signatures) in chunks of 256 on `threads` threads.
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

fn sign_parallel(key: &SigningKey, msgs: &[Vec<u8>], threads: usize) -> Vec<[u8; 64]> {
    let per = msgs.len().div_ceil(threads);
    std::thread::scope(|s| {
        let hs: Vec<_> = msgs
            .chunks(per)
            .map(|c| s.spawn(move || c.iter().map(|m| key.sign(m).to_bytes()).collect::<Vec<_>>()))
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    })
}

fn verify_parallel(items: &[(VerifyingKey, Vec<u8>, [u8; 64])], threads: usize) -> bool {
    let per = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let hs: Vec<_> = items
            .chunks(per)
            .map(|c| {
                s.spawn(move || {
                    c.iter().all(|(k, m, sig)| {
                        k.verify_strict(m, &ed25519_dalek::Signature::from_bytes(sig))
                            .is_ok()
                    })
                })
            })
            .collect();
        hs.into_iter().all(|h| h.join().unwrap())
    })
}

struct Fixture {
    log: Log,
    _dir: tempfile::TempDir,
    entry_bytes: Vec<Vec<u8>>,
    leaves: Vec<[u8; 32]>,
    messages: Vec<Vec<u8>>,
    bundle: Vec<u8>,
    verify_items: Vec<(VerifyingKey, Vec<u8>, [u8; 64])>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let log = Log::create(dir.path(), "bench.example/log").unwrap();
    let s = signer();
    let mut all: Vec<Entry> = Vec::new();
    for b in 0..(BUNDLE_ENTRIES as usize / BATCH) {
        all.extend(log.append_batch(&s, payloads(BATCH, b as u64)).unwrap());
    }
    let cp = log.checkpoint(&s).unwrap();
    let mut bundle = Vec::new();
    log.export(&cp, &mut bundle).unwrap();
    let vk = VerifyingKey::from_bytes(s.public_key().as_bytes()).unwrap();
    let verify_items = all
        .iter()
        .map(|e| (vk, e.signed_message(), e.signature))
        .collect();
    Fixture {
        entry_bytes: all[..BATCH].iter().map(Entry::encode).collect(),
        leaves: all[..BATCH].iter().map(|e| e.hash().0).collect(),
        messages: all[..BATCH].iter().map(Entry::signed_message).collect(),
        log,
        _dir: dir,
        bundle,
        verify_items,
    }
}

fn quick() -> bool {
    std::env::var("SCRUTIN_BENCH_QUICK").is_ok_and(|v| v == "1")
}

fn criterion_benches(c: &mut Criterion, f: &Fixture) {
    let s = signer();
    let key = SigningKey::from_bytes(&[42; 32]);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());

    let mut g = c.benchmark_group("append_batch_1000");
    g.throughput(Throughput::Elements(BATCH as u64));
    g.sample_size(10);
    let mut salt = 1u64 << 40;
    g.bench_function("log.append_batch (durable)", |b| {
        b.iter_batched(
            || {
                salt += 1;
                payloads(BATCH, salt)
            },
            |p| f.log.append_batch(&s, p).unwrap(),
            criterion::BatchSize::LargeInput,
        )
    });
    let mut raw = RawSled::new();
    g.bench_function("raw sled insert+flush+fsync", |b| {
        b.iter(|| raw.write(&f.entry_bytes, true))
    });
    let mut raw3 = RawSled::new();
    g.bench_function("raw sled, the log's layout, +flush+fsync", |b| {
        b.iter(|| raw3.write_layout(&f.entry_bytes, &f.leaves))
    });
    let mut raw2 = RawSled::new();
    g.bench_function("raw sled insert+flush", |b| {
        b.iter(|| raw2.write(&f.entry_bytes, false))
    });
    g.bench_with_input(BenchmarkId::new("sign only", threads), &threads, |b, &t| {
        b.iter(|| sign_parallel(&key, &f.messages, t))
    });
    g.finish();

    let mut g = c.benchmark_group("append_1");
    g.throughput(Throughput::Elements(1));
    g.sample_size(20);
    g.bench_function("log.append (durable)", |b| {
        b.iter(|| f.log.append(&s, vec![7u8; PAYLOAD]).unwrap())
    });
    let mut raw = RawSled::new();
    let one = vec![f.entry_bytes[0].clone()];
    g.bench_function("raw sled insert+flush+fsync", |b| {
        b.iter(|| raw.write(&one, true))
    });
    g.finish();

    let mut g = c.benchmark_group("verify_10000");
    g.throughput(Throughput::Elements(BUNDLE_ENTRIES));
    g.sample_size(10);
    let trusted = [s.verifier()];
    g.bench_function("verify_bundle", |b| {
        b.iter(|| verify_bundle(black_box(&f.bundle[..]), &trusted).unwrap())
    });
    g.bench_with_input(
        BenchmarkId::new("raw verify_strict", threads),
        &threads,
        |b, &t| b.iter(|| assert!(verify_parallel(&f.verify_items, t))),
    );
    g.bench_with_input(
        BenchmarkId::new("raw verify_batch", threads),
        &threads,
        |b, &t| b.iter(|| assert!(verify_batch_parallel(&f.verify_items, t))),
    );
    g.bench_function("raw verify_strict 1 thread", |b| {
        b.iter(|| assert!(verify_parallel(&f.verify_items, 1)))
    });
    g.bench_function("raw sha256 of the bundle", |b| {
        b.iter(|| scrutin_log::Hash::digest(black_box(&f.bundle)))
    });
    g.finish();
}

fn time(f: &mut dyn FnMut()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

fn median_of(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs the operations of one comparison in turn, `runs` rounds, so that load from other
/// processes (a shared machine) hits all of them alike; reports the median time of each and
/// the median of the per-round ratios.
fn interleaved(runs: usize, ops: &mut [&mut dyn FnMut()]) -> (Vec<Duration>, Vec<Vec<f64>>) {
    for op in ops.iter_mut() {
        op(); // warm-up
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); ops.len()];
    for _ in 0..runs {
        for (i, op) in ops.iter_mut().enumerate() {
            times[i].push(time(*op));
        }
    }
    let medians = times
        .iter()
        .map(|t| {
            let mut t = t.clone();
            t.sort();
            t[t.len() / 2]
        })
        .collect();
    let secs = times
        .iter()
        .map(|t| t.iter().map(Duration::as_secs_f64).collect())
        .collect();
    (medians, secs)
}

/// Median over rounds of `a[r] / b[r]`.
fn ratio(a: &[f64], b: &[f64]) -> f64 {
    median_of(a.iter().zip(b).map(|(x, y)| x / y).collect())
}

fn ratios(f: &Fixture) {
    let s = signer();
    let key = SigningKey::from_bytes(&[42; 32]);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runs = if quick() { 9 } else { 25 };
    let b = BATCH as u64;
    let n = BUNDLE_ENTRIES;

    let mut salt = 1u64 << 50;
    let mut raw_a = RawSled::new();
    let mut raw_b = RawSled::new();
    let mut raw_c = RawSled::new();
    let (m, t) = interleaved(
        runs,
        &mut [
            &mut || {
                salt += 1;
                f.log.append_batch(&s, payloads(BATCH, salt)).unwrap();
            },
            &mut || drop(sign_parallel(&key, &f.messages, threads)),
            &mut || drop(sign_parallel(&key, &f.messages, 1)),
            &mut || raw_a.write(&f.entry_bytes, true),
            &mut || raw_b.write(&f.entry_bytes, false),
            &mut || raw_c.write_layout(&f.entry_bytes, &f.leaves),
        ],
    );
    println!("\n== scrutin-log ratios ({threads} threads available; medians of {runs} interleaved rounds) ==");
    print_rates(
        b,
        &[
            "append_batch(1000) durable".into(),
            format!("sign only, {threads} threads"),
            "sign only, 1 thread".into(),
            "raw sled insert+flush+fsync".into(),
            "raw sled insert+flush".into(),
            "raw sled, log layout, +flush+fsync".into(),
        ],
        &m,
    );
    print_ratio(
        &format!("append_batch / sign-only({threads})"),
        ratio(&t[1], &t[0]),
        Some(0.90),
    );
    print_ratio("append_batch / raw sled+fsync", ratio(&t[3], &t[0]), None);
    print_ratio(
        "append_batch / raw sled, log layout",
        ratio(&t[5], &t[0]),
        None,
    );
    // Sequential signing then writing, at the raw limits: the best an append that does not
    // overlap signing with the durable write could reach.
    print_ratio(
        &format!("sign({threads}) / (sign({threads}) + layout write)"),
        median_of(t[1].iter().zip(&t[5]).map(|(s, w)| s / (s + w)).collect()),
        None,
    );

    let mut raw = RawSled::new();
    let one = vec![f.entry_bytes[0].clone()];
    let (m, t) = interleaved(
        runs * 4,
        &mut [
            &mut || drop(f.log.append(&s, vec![7u8; PAYLOAD]).unwrap()),
            &mut || raw.write(&one, true),
        ],
    );
    print_rates(
        1,
        &[
            "append(1) durable".into(),
            "raw sled insert+flush+fsync".into(),
        ],
        &m,
    );
    print_ratio("append / raw sled+fsync", ratio(&t[1], &t[0]), None);

    let trusted = [s.verifier()];
    let (m, t) = interleaved(
        runs.min(11),
        &mut [
            &mut || drop(verify_bundle(&f.bundle[..], &trusted).unwrap()),
            &mut || assert!(verify_batch_parallel(&f.verify_items, threads)),
            &mut || assert!(verify_parallel(&f.verify_items, threads)),
            &mut || assert!(verify_parallel(&f.verify_items, 1)),
            &mut || {
                black_box(scrutin_log::Hash::digest(&f.bundle));
            },
        ],
    );
    print_rates(
        n,
        &[
            format!("verify_bundle ({n} entries)"),
            format!("raw verify_batch, {threads} threads"),
            format!("raw verify_strict, {threads} threads"),
            "raw verify_strict, 1 thread".into(),
            "raw SHA-256 of the bundle bytes".into(),
        ],
        &m,
    );
    print_ratio(
        &format!("verify_bundle / raw verify_batch({threads})"),
        ratio(&t[1], &t[0]),
        Some(0.85),
    );
    print_ratio(
        &format!("verify_bundle / raw verify_strict({threads})"),
        ratio(&t[2], &t[0]),
        None,
    );
    print_ratio("verify_bundle / raw SHA-256", ratio(&t[4], &t[0]), None);
}

/// Prints `label: N entries/s` for each measured side; the first is the one under test, the
/// others (indented) the raw limits it is compared with.
fn print_rates(entries: u64, labels: &[String], medians: &[Duration]) {
    for (i, (label, d)) in labels.iter().zip(medians).enumerate() {
        let indent = if i == 0 { "" } else { "  " };
        println!(
            "{:<46}{:>10.0} entries/s",
            format!("{indent}{label}:"),
            entries as f64 / d.as_secs_f64()
        );
    }
}

/// Prints a ratio line, with its goal when the issue sets one.
fn print_ratio(label: &str, value: f64, goal: Option<f64>) {
    let goal = goal.map_or(String::new(), |g| format!("   (goal >= {g:.2})"));
    println!("{:<46}{value:>10.4}{goal}", format!("  ratio {label}:"));
}

fn main() {
    let f = fixture();
    let mut c = Criterion::default().configure_from_args();
    if quick() {
        c = c
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
    }
    if std::env::var("SCRUTIN_BENCH_RATIOS_ONLY").is_err() {
        criterion_benches(&mut c, &f);
        c.final_summary();
    }
    ratios(&f);
}
