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
/// Chunks of 8,192 entries in the streamed-import comparison.
const IMPORT_CHUNKS: usize = 4;

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

/// Signs `msgs` in jobs of `job` messages on `threads` threads and hands each job's range to
/// `write` in order on this thread as soon as it and every job before it are signed, then
/// calls `commit`: the shape of the log's append pipeline, with any storage behind it.
fn pipelined(
    key: &SigningKey,
    msgs: &[Vec<u8>],
    threads: usize,
    job: usize,
    write: &mut dyn FnMut(std::ops::Range<usize>),
    commit: &mut dyn FnMut(),
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let jobs = msgs.len().div_ceil(job);
    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Vec<[u8; 64]>)>();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let tx = tx.clone();
            let next = &next;
            s.spawn(move || loop {
                let j = next.fetch_add(1, Ordering::Relaxed);
                if j >= jobs {
                    return;
                }
                let r = j * job..((j + 1) * job).min(msgs.len());
                let sigs = msgs[r].iter().map(|m| key.sign(m).to_bytes()).collect();
                tx.send((j, sigs)).unwrap();
            });
        }
        drop(tx);
        let mut waiting = std::collections::BTreeMap::new();
        let mut at = 0;
        for (j, sigs) in rx {
            waiting.insert(j, sigs);
            while let Some(sigs) = waiting.remove(&at) {
                black_box(sigs);
                write(at * job..((at + 1) * job).min(msgs.len()));
                at += 1;
            }
        }
    });
    commit();
}

/// Prototype of an append-only segment file for entry bodies, sled keeping only the index
/// (one 16-byte value per page of 16 entries: offset and length in the segment), the Merkle
/// tiles and the head: the durable write of a batch is one `write` of the records to the
/// segment, one small sled batch, an `fdatasync` of the segment and sled's flush + fsync.
struct Segment {
    file: File,
    offset: u64,
    sled: RawSled,
}

impl Segment {
    fn new() -> Self {
        let sled = RawSled::new();
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(sled._dir.path().join("segment"))
            .unwrap();
        Segment {
            file,
            offset: 0,
            sled,
        }
    }

    /// Writes `entries` (their leaves beside) without making them durable.
    fn write(&mut self, entries: &[Vec<u8>], leaves: &[[u8; 32]]) {
        use std::io::Write as _;
        let mut buf = Vec::with_capacity(entries.iter().map(|e| e.len() + 4).sum());
        let mut b = sled::Batch::default();
        for (i, page) in entries.chunks(16).enumerate() {
            let at = self.offset + buf.len() as u64;
            for e in page {
                buf.extend_from_slice(&(e.len() as u32).to_be_bytes());
                buf.extend_from_slice(e);
            }
            let mut k = vec![b'e'];
            k.extend_from_slice(&(self.sled.next + 16 * i as u64).to_be_bytes());
            let mut v = at.to_be_bytes().to_vec();
            v.extend_from_slice(&(self.offset + buf.len() as u64 - at).to_be_bytes());
            b.insert(k, v);
        }
        let t = self.sled.next / 256;
        let mut k = vec![b't', 0];
        k.extend_from_slice(&t.to_be_bytes());
        b.insert(k, leaves.iter().flatten().copied().collect::<Vec<u8>>());
        self.sled.next += entries.len() as u64;
        self.file.write_all(&buf).unwrap();
        self.offset += buf.len() as u64;
        self.sled.db.apply_batch(b).unwrap();
    }

    /// The commit point, then everything durable.
    fn commit(&mut self, head: &[u8; 32]) {
        let mut b = sled::Batch::default();
        b.insert(&b"msize"[..], &self.sled.next.to_be_bytes());
        b.insert(&b"mhead"[..], head);
        self.sled.db.apply_batch(b).unwrap();
        self.file.sync_data().unwrap();
        self.sled.db.flush().unwrap();
        self.sled.file.sync_all().unwrap();
    }
}

impl RawSled {
    /// The log's layout for one job of a pipelined batch, written but not yet durable.
    fn write_layout_job(&mut self, entries: &[Vec<u8>], leaves: &[[u8; 32]]) {
        let mut b = sled::Batch::default();
        for (i, page) in entries.chunks(10).enumerate() {
            let mut v = Vec::new();
            for e in page {
                v.extend_from_slice(&(e.len() as u32).to_be_bytes());
                v.extend_from_slice(e);
            }
            let mut k = vec![b'e'];
            k.extend_from_slice(&(self.next + 10 * i as u64).to_be_bytes());
            b.insert(k, v);
        }
        let mut k = vec![b't', 0];
        k.extend_from_slice(&(self.next / 256).to_be_bytes());
        b.insert(k, leaves.iter().flatten().copied().collect::<Vec<u8>>());
        self.next += entries.len() as u64;
        self.db.apply_batch(b).unwrap();
        self.db.flush().unwrap();
    }

    fn commit(&mut self, head: &[u8; 32]) {
        let mut b = sled::Batch::default();
        b.insert(&b"msize"[..], &self.next.to_be_bytes());
        b.insert(&b"mhead"[..], head);
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

/// Raw signing on `threads` threads: each takes the next 64 messages until none are left
/// (a fixed split in halves would wait for whichever thread the machine's other load slowed
/// down, understating the limit on a shared machine).
fn sign_parallel(key: &SigningKey, msgs: &[Vec<u8>], threads: usize) -> Vec<[u8; 64]> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    const STEP: usize = 64;
    let next = AtomicUsize::new(0);
    let mut out = vec![[0u8; 64]; msgs.len()];
    let parts: Vec<(usize, Vec<[u8; 64]>)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|_| {
                let next = &next;
                s.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let at = next.fetch_add(STEP, Ordering::Relaxed);
                        if at >= msgs.len() {
                            return mine;
                        }
                        let sigs = msgs[at..(at + STEP).min(msgs.len())]
                            .iter()
                            .map(|m| key.sign(m).to_bytes())
                            .collect();
                        mine.push((at, sigs));
                    }
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    for (at, sigs) in parts {
        out[at..at + sigs.len()].copy_from_slice(&sigs);
    }
    out
}

/// CPU time this process has used (user + system, every thread, dead ones included), from
/// `/proc/self/stat`, in seconds; `None` where that file is missing. Its resolution is a
/// clock tick (10 ms), so it is summed over whole runs, not single rounds.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
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

/// CPU seconds each operation of the last [`interleaved`] call used over all its rounds.
static LAST_CPU: std::sync::Mutex<Vec<f64>> = std::sync::Mutex::new(Vec::new());

/// CPU time of operation `b` over that of `a` in the last [`interleaved`] call (both over
/// the same entries): what share of its CPU the operation under test spends on the raw one.
fn cpu_ratio(a: usize, b: usize) -> Option<f64> {
    let cpu = LAST_CPU.lock().unwrap();
    let (x, y) = (*cpu.get(a)?, *cpu.get(b)?);
    (x > 0.0 && y > 0.0).then(|| x / y)
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
    let mut cpu = vec![0.0f64; ops.len()];
    for _ in 0..runs {
        for (i, op) in ops.iter_mut().enumerate() {
            // Let the kernel finish writing back what the previous operation made durable:
            // otherwise that work lands in the next operation's time (signing after a
            // durable append looked slower than the append itself).
            std::thread::sleep(Duration::from_millis(30));
            let c0 = cpu_seconds();
            times[i].push(time(*op));
            if let (Some(a), Some(b)) = (c0, cpu_seconds()) {
                cpu[i] += b - a;
            }
        }
    }
    *LAST_CPU.lock().unwrap() = cpu;
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
    let mut proto_sled = RawSled::new();
    let mut proto_seg = Segment::new();
    let job = BATCH.div_ceil(8);
    let head = f.leaves[BATCH - 1];
    // Three times the rounds: the CPU-time ratios sum clock ticks (10 ms) over all rounds.
    let (m, t) = interleaved(
        runs * 3,
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
            &mut || {
                let sled = &mut proto_sled;
                pipelined(
                    &key,
                    &f.messages,
                    threads,
                    job,
                    &mut |r| sled.write_layout_job(&f.entry_bytes[r.clone()], &f.leaves[r]),
                    &mut || {},
                );
                sled.commit(&head);
            },
            &mut || {
                let seg = &mut proto_seg;
                pipelined(
                    &key,
                    &f.messages,
                    threads,
                    job,
                    &mut |r| seg.write(&f.entry_bytes[r.clone()], &f.leaves[r]),
                    &mut || {},
                );
                seg.commit(&head);
            },
        ],
    );
    println!(
        "\n== scrutin-log ratios ({threads} threads available; medians of {runs} interleaved \
         rounds, {} for append_batch) ==",
        runs * 3
    );
    print_rates(
        b,
        &[
            "append_batch(1000) durable".into(),
            format!("sign only, {threads} threads"),
            "sign only, 1 thread".into(),
            "raw sled insert+flush+fsync".into(),
            "raw sled insert+flush".into(),
            "raw sled, log layout, +flush+fsync".into(),
            format!("prototype: sign({threads}) || sled layout, jobs of {job}"),
            format!("prototype: sign({threads}) || segment file, jobs of {job}"),
        ],
        &m,
    );
    print_ratio(
        &format!("append_batch / sign-only({threads})"),
        ratio(&t[1], &t[0]),
        Some(0.90),
    );
    if let Some(r) = cpu_ratio(1, 0) {
        print_ratio(
            &format!("CPU time sign-only({threads}) / append_batch"),
            r,
            None,
        );
    }
    print_ratio("append_batch / raw sled+fsync", ratio(&t[3], &t[0]), None);
    print_ratio(
        "append_batch / raw sled, log layout",
        ratio(&t[5], &t[0]),
        None,
    );
    // The same pipeline as the log's (sign job k+1 while job k is written, commit point
    // last, one fsync) at the raw limits, with sled's layout or with entry bodies in an
    // append-only segment file: what each storage leaves of the signing rate.
    print_ratio(
        &format!("proto sign||sled layout / sign-only({threads})"),
        ratio(&t[1], &t[6]),
        None,
    );
    print_ratio(
        &format!("proto sign||segment / sign-only({threads})"),
        ratio(&t[1], &t[7]),
        None,
    );
    for (i, what) in [(6, "proto sign||sled layout"), (7, "proto sign||segment")] {
        if let Some(r) = cpu_ratio(1, i) {
            print_ratio(&format!("CPU time sign-only({threads}) / {what}"), r, None);
        }
    }
    // Sequential signing then writing, at the raw limits: the best an append that does not
    // overlap signing with the durable write could reach.
    print_ratio(
        &format!("sign({threads}) / (sign({threads}) + layout write)"),
        median_of(t[1].iter().zip(&t[5]).map(|(s, w)| s / (s + w)).collect()),
        None,
    );

    // A streamed import: one all-or-nothing batch of IMPORT_CHUNKS chunks of 8,192 entries
    // (the ledger's chunk), against signing as many messages of the same length.
    let import_msgs: Vec<Vec<u8>> = f
        .messages
        .iter()
        .cycle()
        .take(IMPORT_CHUNKS * 8192)
        .cloned()
        .collect();
    let mut salt = 1u64 << 52;
    let (m, t) = interleaved(
        runs.min(5),
        &mut [
            &mut || {
                salt += 1;
                let base = salt << 20;
                let chunks = (0..IMPORT_CHUNKS as u64)
                    .map(|c| Ok::<_, scrutin_log::LogError>(payloads(8192, base + (c << 14))));
                f.log
                    .append_chunks_at(&s, chunks, f.log.next_time())
                    .unwrap();
            },
            &mut || drop(sign_parallel(&key, &import_msgs, threads)),
        ],
    );
    print_rates(
        (IMPORT_CHUNKS * 8192) as u64,
        &[
            format!("append_chunks_at({IMPORT_CHUNKS} x 8192) durable"),
            format!("sign only, {threads} threads"),
        ],
        &m,
    );
    print_ratio(
        &format!("append_chunks_at / sign-only({threads})"),
        ratio(&t[1], &t[0]),
        Some(0.90),
    );
    if let Some(r) = cpu_ratio(1, 0) {
        print_ratio(
            &format!("CPU time sign-only({threads}) / append_chunks_at"),
            r,
            None,
        );
    }

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
