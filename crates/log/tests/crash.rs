//! Crash safety: a child process appends and reports each acknowledged entry; the parent
//! kills it with SIGKILL at random moments, reopens the log, and checks that every
//! acknowledged entry is there and the log verifies. Also: a second process cannot open a
//! log that is in use.
//!
//! The child is this test binary re-invoked with an environment variable that turns the
//! `child_*` tests from no-ops into the child's work.

mod common;

use common::*;
use scrutin_log::{verify_bundle, Hash, Log, LogError, Verdict};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const APPEND_CHILD: &str = "SCRUTIN_LOG_TEST_APPEND_CHILD";
const LOCK_CHILD: &str = "SCRUTIN_LOG_TEST_LOCK_CHILD";
const SEED: &str = "SCRUTIN_LOG_TEST_SEED";
const BATCH_CHILD: &str = "SCRUTIN_LOG_TEST_BATCH_CHILD";
const EXIT_CHILD: &str = "SCRUTIN_LOG_TEST_EXIT_CHILD";

/// xorshift64*: enough randomness for timing and batch sizes, and reproducible from a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn child(test: &str, env: &[(&str, String)]) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([test, "--exact", "--nocapture", "--test-threads=1"]);
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// Runs `c` until it has printed a line containing `ready` (start-up of a debug binary on a
/// loaded machine can take long), then `ms` milliseconds more, then SIGKILLs it; returns
/// every line it printed.
fn kill_after_ready(mut c: Command, ready: &str, ms: u64) -> Vec<String> {
    let mut c = c
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = c.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    while let Ok(l) = rx.recv_timeout(Duration::from_secs(120)) {
        let seen = l.contains(ready);
        lines.push(l);
        if seen {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(ms));
    c.kill().unwrap(); // SIGKILL
    c.wait().unwrap();
    reader.join().unwrap();
    lines.extend(rx.try_iter());
    lines
}

/// Child side: append forever, printing `ack <index> <payload hash>` once each is durable.
#[test]
fn child_append_forever() {
    let Ok(dir) = std::env::var(APPEND_CHILD) else {
        return;
    };
    let seed = std::env::var(SEED).unwrap().parse::<u64>().unwrap();
    let mut rng = Rng(seed | 1);
    let log = Log::open(Path::new(&dir)).unwrap();
    let authors = [registrar(), signer("example.com/scrutineer", 3)];
    let mut k = 0u64;
    loop {
        let author = &authors[rng.below(2) as usize];
        let n = if rng.below(3) == 0 {
            1
        } else {
            1 + rng.below(60)
        };
        let payloads: Vec<Vec<u8>> = (0..n)
            .map(|_| {
                k += 1;
                format!("seed {seed} payload {k}").into_bytes()
            })
            .collect();
        let entries = if n == 1 {
            vec![log.append(author, payloads[0].clone()).unwrap()]
        } else {
            log.append_batch(author, payloads).unwrap()
        };
        for e in entries {
            println!("ack {} {}", e.index, Hash::digest(&e.payload));
        }
    }
}

/// The chunks of one multi-chunk batch: 2 to 6 chunks of 1 to 80 payloads of varied length
/// (so that pages fill by count and by bytes, and tiles complete inside a batch).
fn chunks_for(rng: &mut Rng, k: &mut u64, seed: u64) -> Vec<Vec<Vec<u8>>> {
    (0..2 + rng.below(5))
        .map(|_| {
            (0..1 + rng.below(80))
                .map(|_| {
                    *k += 1;
                    let mut p = format!("seed {seed} batch payload {k} ").into_bytes();
                    p.resize(p.len() + rng.below(600) as usize, b'x');
                    p
                })
                .collect()
        })
        .collect()
}

/// Child side: append multi-chunk batches forever, printing `begin <start> <end>` before each
/// and `commit <end>` once it is durable; a third through the pipelined call, a third chunk
/// by chunk, a third as one `append_batch` (pipelined, job by job, once it is large enough).
#[test]
fn child_batch_forever() {
    let Ok(dir) = std::env::var(BATCH_CHILD) else {
        return;
    };
    let seed = std::env::var(SEED).unwrap().parse::<u64>().unwrap();
    let mut rng = Rng(seed | 1);
    let log = Log::open(Path::new(&dir)).unwrap();
    let author = registrar();
    let mut k = 0u64;
    loop {
        let chunks = chunks_for(&mut rng, &mut k, seed);
        let n: u64 = chunks.iter().map(|c| c.len() as u64).sum();
        let start = log.len();
        println!("begin {start} {}", start + n);
        let how = rng.below(3);
        let range = if how == 2 {
            let all: Vec<Vec<u8>> = chunks.into_iter().flatten().collect();
            let entries = log.append_batch(&author, all).unwrap();
            let first = entries.first().map_or(start, |e| e.index);
            first..first + entries.len() as u64
        } else if how == 0 {
            log.append_chunks_at(
                &author,
                chunks.into_iter().map(Ok::<_, LogError>),
                log.next_time(),
            )
            .unwrap()
        } else {
            let mut b = log.begin_batch_at(&author, log.next_time()).unwrap();
            for c in chunks {
                b.push(c).unwrap();
            }
            b.commit().unwrap()
        };
        assert_eq!(range, start..start + n);
        println!("commit {}", range.end);
    }
}

/// Child side: write three chunks of a batch, then exit without committing (no destructor
/// runs: storage holds the chunks beyond the committed size, as after a crash).
#[test]
fn child_push_then_exit() {
    let Ok(dir) = std::env::var(EXIT_CHILD) else {
        return;
    };
    let log = Log::open(Path::new(&dir)).unwrap();
    let author = registrar();
    let mut b = log.begin_batch_at(&author, log.next_time()).unwrap();
    for c in 0..3u32 {
        b.push(
            (0..300u32)
                .map(|i| format!("uncommitted {c} {i}").into_bytes())
                .collect(),
        )
        .unwrap();
    }
    println!("pushed {:?}", b.range());
    std::process::exit(0);
}

/// Exports and verifies the whole log at its current size.
fn verifies(log: &Log) {
    let cp = log.checkpoint(&registrar()).unwrap();
    let mut b = Vec::new();
    log.export(&cp, &mut b).unwrap();
    let r = verify_bundle(&b[..], &[registrar().verifier()]).unwrap();
    assert!(r.verdict == Verdict::Valid, "{:?}", r.verdict);
}

#[test]
fn kill_9_in_a_multi_chunk_batch_leaves_the_old_size_or_the_new() {
    let rounds = if soak() { 100 } else { 12 };
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("batch crash test seed {seed}");
    let mut rng = Rng(seed | 1);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("log");
    drop(Log::create(&dir, ORIGIN).unwrap());
    let mut committed_max = 0u64;
    let mut interrupted = 0;
    for round in 0..rounds {
        let ms = rng.below(200);
        let c = child(
            "child_batch_forever",
            &[
                (BATCH_CHILD, dir.display().to_string()),
                (SEED, rng.next().to_string()),
            ],
        );
        let lines = kill_after_ready(c, "begin ", ms);
        // The last batch begun (start, end) and whether its commit was acknowledged.
        let mut last: Option<(u64, u64, bool)> = None;
        for l in lines {
            let words: Vec<&str> = l.split_whitespace().collect();
            if let Some(at) = words.iter().position(|w| *w == "begin") {
                if let (Some(Ok(s)), Some(Ok(e))) = (
                    words.get(at + 1).map(|w| w.parse::<u64>()),
                    words.get(at + 2).map(|w| w.parse::<u64>()),
                ) {
                    last = Some((s, e, false));
                }
            } else if let Some(at) = words.iter().position(|w| *w == "commit") {
                if let (Some(Ok(e)), Some((_, end, acked))) =
                    (words.get(at + 1).map(|w| w.parse::<u64>()), last.as_mut())
                {
                    assert_eq!(e, *end);
                    *acked = true;
                    committed_max = committed_max.max(e);
                }
            }
        }
        let log = Log::open(&dir)
            .unwrap_or_else(|e| panic!("round {round} (seed {seed}): reopen failed: {e}"));
        let len = log.len();
        assert!(
            len >= committed_max,
            "round {round} (seed {seed}): lost a commit"
        );
        if let Some((start, end, acked)) = last {
            if acked {
                assert_eq!(len, end, "round {round} (seed {seed})");
            } else {
                assert!(
                    len == start || len == end,
                    "round {round} (seed {seed}): killed in batch {start}..{end}, log has {len}"
                );
                interrupted += usize::from(len == start);
            }
        }
        verifies(&log);
        eprintln!("round {round}: log has {len}");
    }
    eprintln!("{interrupted} rounds ended inside a batch");
    assert!(committed_max > 0, "the child never committed anything");
}

#[test]
fn an_uncommitted_batch_is_discarded_on_open() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("log");
    {
        let log = Log::create(&dir, ORIGIN).unwrap();
        // 300 entries: the committed open page and level-0 tile are partly filled.
        log.append_batch(
            &registrar(),
            (0..300u32)
                .map(|i| format!("kept {i}").into_bytes())
                .collect(),
        )
        .unwrap();
    }
    let out = child(
        "child_push_then_exit",
        &[(EXIT_CHILD, dir.display().to_string())],
    )
    .output()
    .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("pushed 300..1200"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let log = Log::open(&dir).unwrap();
    assert_eq!(log.len(), 300);
    assert_eq!(log.entry(299).unwrap().payload, b"kept 299");
    assert!(log.entry(300).is_err());
    // Nothing of the discarded batch is served, and the log goes on from its old size.
    assert!(log.tile(0, 1, 45).is_err());
    assert!(log.tile(0, 1, 44).is_ok());
    log.append(&registrar(), b"after".to_vec()).unwrap();
    assert_eq!(log.len(), 301);
    verifies(&log);
}

#[test]
fn a_failing_chunk_source_records_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let log = Log::create(tmp.path(), ORIGIN).unwrap();
    log.append(&registrar(), b"first".to_vec()).unwrap();
    let chunks = (0..5u32).map(|c| {
        if c == 3 {
            Err(LogError::Usage("the source failed".into()))
        } else {
            Ok((0..100u32)
                .map(|i| format!("chunk {c} {i}").into_bytes())
                .collect::<Vec<_>>())
        }
    });
    let r = log.append_chunks_at(&registrar(), chunks, log.next_time());
    assert!(matches!(r, Err(LogError::Usage(_))), "{r:?}");
    assert_eq!(log.len(), 1);
    // What the failed batch wrote is gone from storage, not merely hidden.
    assert!(log.tile(0, 0, 2).is_err());
    log.append(&registrar(), b"second".to_vec()).unwrap();
    drop(log);
    let log = Log::open(tmp.path()).unwrap();
    assert_eq!(log.len(), 2);
    assert!(log.entry(2).is_err());
    let range = log
        .append_chunks_at(
            &registrar(),
            (0..3u32).map(|c| Ok::<_, LogError>(vec![format!("ok {c}").into_bytes(); 200])),
            log.next_time(),
        )
        .unwrap();
    assert_eq!(range, 2..602);
    verifies(&log);
    drop(log);
    let log = Log::open(tmp.path()).unwrap();
    assert_eq!(log.len(), 602);
    assert_eq!(log.entry(601).unwrap().payload, b"ok 2");
    verifies(&log);
}

/// Child side: try to open a log the parent holds, and say what happened.
#[test]
fn child_try_open() {
    let Ok(dir) = std::env::var(LOCK_CHILD) else {
        return;
    };
    match Log::open(Path::new(&dir)) {
        Err(LogError::Locked(_)) => println!("result locked"),
        Err(e) => println!("result error {e}"),
        Ok(_) => println!("result opened"),
    }
}

#[test]
fn kill_9_while_appending_loses_nothing_acknowledged() {
    let rounds = if soak() { 200 } else { 20 };
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("crash test seed {seed}");
    let mut rng = Rng(seed | 1);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("log");
    drop(Log::create(&dir, ORIGIN).unwrap());
    let mut acked: BTreeMap<u64, Hash> = BTreeMap::new();
    for round in 0..rounds {
        let ms = if rng.below(5) == 0 {
            rng.below(40)
        } else {
            40 + rng.below(160)
        };
        let c = child(
            "child_append_forever",
            &[
                (APPEND_CHILD, dir.display().to_string()),
                (SEED, rng.next().to_string()),
            ],
        );
        // Kill at a random moment after the child is running, mostly mid-append.
        let lines = kill_after_ready(c, "ack ", ms);
        let mut this_round = 0;
        for l in lines {
            // The first line also carries the harness's "test child_append_forever ... ".
            let Some((_, l)) = l.split_once("ack ") else {
                continue;
            };
            let mut parts = std::iter::once("ack").chain(l.split(' '));
            if let (Some("ack"), Some(i), Some(h)) = (parts.next(), parts.next(), parts.next()) {
                // A line cut by the kill does not parse; that entry was not acknowledged.
                if let (Ok(i), Ok(h)) = (i.parse::<u64>(), Hash::from_hex(h)) {
                    assert!(acked.insert(i, h).is_none(), "index {i} acknowledged twice");
                    this_round += 1;
                }
            }
        }
        let log = Log::open(&dir)
            .unwrap_or_else(|e| panic!("round {round} (seed {seed}): reopen failed: {e}"));
        for (&i, h) in &acked {
            assert!(
                i < log.len(),
                "round {round} (seed {seed}): acknowledged entry {i} lost (log has {})",
                log.len()
            );
            assert_eq!(Hash::digest(&log.entry(i).unwrap().payload), *h);
        }
        eprintln!(
            "round {round}: {this_round} acknowledged, log has {}",
            log.len()
        );
    }
    assert!(!acked.is_empty(), "the child never acknowledged anything");
    let log = Log::open(&dir).unwrap();
    let cp = log.checkpoint(&registrar()).unwrap();
    let mut b = Vec::new();
    log.export(&cp, &mut b).unwrap();
    let r = verify_bundle(&b[..], &[registrar().verifier()]).unwrap();
    assert!(r.verdict == Verdict::Valid, "{:?}", r.verdict);
}

#[test]
fn a_second_process_cannot_open_a_log_in_use() {
    let tmp = tempfile::tempdir().unwrap();
    let log = Log::create(tmp.path(), ORIGIN).unwrap();
    log.append(&registrar(), b"x".to_vec()).unwrap();
    let run = || {
        let out = child(
            "child_try_open",
            &[(LOCK_CHILD, tmp.path().display().to_string())],
        )
        .output()
        .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            // The harness prints "test child_try_open ... " on the same line first.
            .find_map(|l| l.split_once("result ").map(|(_, r)| r.to_owned()))
            .unwrap_or_default()
    };
    assert_eq!(run(), "locked");
    drop(log);
    assert_eq!(run(), "opened");
}
