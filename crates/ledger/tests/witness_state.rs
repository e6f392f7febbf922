//! The witness state (`scrutin::WitnessState`): one cosignature per size and never a rollback,
//! under concurrent threads and processes and across `kill -9`; distinct origins never share
//! state and no origin writes outside the state directory; the first layout is carried over.
//!
//! The crash test's child is this test binary re-invoked with an environment variable that
//! turns `child_cosign_forever` from a no-op into the child's work.

use scrutin::log::{
    consistency_proof, leaf_hash, root_of, Checkpoint, Hash, NoteVerifier, SignedCheckpoint, Signer,
};
use scrutin::{origin_dir_name, LedgerError, WitnessState};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const ORIGIN: &str = "scrutin/WITNESS-TEST";
const CRASH_CHILD: &str = "SCRUTIN_WITNESS_TEST_CHILD";
const SEED: &str = "SCRUTIN_WITNESS_TEST_SEED";
/// Entries every fork shares.
const COMMON: u64 = 8;

fn log_signer() -> Signer {
    Signer::from_seed("log.example", [1; 32]).unwrap()
}

fn witness() -> Signer {
    Signer::from_seed("witness.example", [2; 32]).unwrap()
}

fn log_key() -> NoteVerifier {
    log_signer().verifier()
}

fn soak() -> bool {
    std::env::var("SCRUTIN_SOAK").is_ok_and(|v| v == "1")
}

/// The first `n` leaves of fork `fork`: every fork shares the first [`COMMON`] entries.
fn leaves(fork: u64, n: u64) -> Vec<Hash> {
    (0..n)
        .map(|i| {
            if i < COMMON {
                leaf_hash(format!("common {i}").as_bytes())
            } else {
                leaf_hash(format!("fork {fork} entry {i}").as_bytes())
            }
        })
        .collect()
}

/// A checkpoint of the first `n` entries of fork `fork` of `origin`, signed by the log.
fn note(origin: &str, fork: u64, n: u64) -> SignedCheckpoint {
    let cp = Checkpoint {
        origin: origin.to_owned(),
        size: n,
        root: root_of(&leaves(fork, n)),
    };
    SignedCheckpoint::sign(cp, &log_signer())
}

fn proof(fork: u64, old: u64, new: u64) -> Vec<Hash> {
    consistency_proof(&leaves(fork, new), old, new).unwrap()
}

fn refused(r: Result<scrutin::log::Cosignature, LedgerError>) -> bool {
    matches!(r, Err(LedgerError::WitnessRefused(_)))
}

#[test]
fn concurrent_threads_cosign_exactly_one_of_two_forks_of_one_size() {
    for round in 0..if soak() { 500 } else { 40 } {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state");
        WitnessState::open(&dir)
            .unwrap()
            .cosign(
                &note(ORIGIN, 0, COMMON),
                Some(&log_key()),
                &[],
                &witness(),
                1,
            )
            .unwrap();
        let start = Arc::new(Barrier::new(2));
        let runs: Vec<_> = [1u64, 2]
            .into_iter()
            .map(|fork| {
                let (start, dir) = (Arc::clone(&start), dir.clone());
                std::thread::spawn(move || {
                    // Each thread opens the state on its own, as two requests would.
                    let state = WitnessState::open(&dir).unwrap();
                    let (n, p) = (note(ORIGIN, fork, 13), proof(fork, COMMON, 13));
                    start.wait();
                    // The fork if cosigned, None if refused; any other failure fails the test.
                    match state.cosign(&n, None, &p, &witness(), 2) {
                        Ok(_) => Some(fork),
                        Err(LedgerError::WitnessRefused(_)) => None,
                        Err(e) => panic!("fork {fork}: {e}"),
                    }
                })
            })
            .collect();
        let results: Vec<Option<u64>> = runs.into_iter().map(|t| t.join().unwrap()).collect();
        let won: Vec<u64> = results.iter().flatten().copied().collect();
        assert_eq!(won.len(), 1, "round {round}: {results:?}");
        let state = WitnessState::open(&dir).unwrap().lock(ORIGIN).unwrap();
        assert_eq!(state.last().unwrap(), &note(ORIGIN, won[0], 13).checkpoint);
    }
}

#[test]
fn a_witness_refuses_forks_and_rollbacks_and_reports_its_size() {
    let tmp = tempfile::tempdir().unwrap();
    let state = WitnessState::open(tmp.path()).unwrap();
    assert_eq!(state.size(ORIGIN).unwrap(), 0);
    let first = state.cosign(&note(ORIGIN, 1, 13), None, &[], &witness(), 1);
    assert!(
        matches!(first, Err(LedgerError::NoLogKey { .. })),
        "{first:?}"
    );
    state
        .cosign(&note(ORIGIN, 1, 13), Some(&log_key()), &[], &witness(), 1)
        .unwrap();
    assert_eq!(state.size(ORIGIN).unwrap(), 13);
    // Same size, other root: a fork.
    assert!(refused(state.cosign(
        &note(ORIGIN, 2, 13),
        None,
        &[],
        &witness(),
        2
    )));
    // Smaller: a rollback.
    assert!(refused(state.cosign(
        &note(ORIGIN, 1, 12),
        None,
        &[],
        &witness(),
        2
    )));
    // Larger but on another fork: the proof from 13 fails.
    let p = proof(2, 13, 20);
    assert!(refused(state.cosign(
        &note(ORIGIN, 2, 20),
        None,
        &p,
        &witness(),
        2
    )));
    // Another log key than the pinned one.
    let other = Signer::from_seed("log.example", [9; 32])
        .unwrap()
        .verifier();
    let r = state.cosign(&note(ORIGIN, 1, 13), Some(&other), &[], &witness(), 2);
    assert!(
        matches!(r, Err(LedgerError::LogKeyMismatch { .. })),
        "{r:?}"
    );
    // The genuine successor, and the same checkpoint again.
    let p = proof(1, 13, 20);
    let c = state
        .cosign(&note(ORIGIN, 1, 20), None, &p, &witness(), 3)
        .unwrap();
    assert_eq!(c.name, "witness.example");
    state
        .cosign(&note(ORIGIN, 1, 20), None, &[], &witness(), 4)
        .unwrap();
    assert_eq!(state.size(ORIGIN).unwrap(), 20);
    // A refusal carries the evidence.
    match state.cosign(&note(ORIGIN, 2, 20), None, &[], &witness(), 5) {
        Err(LedgerError::WitnessRefused(inc)) => {
            assert_eq!(inc.old.as_ref().unwrap().size, 20);
            assert_eq!(inc.new.checkpoint, note(ORIGIN, 2, 20).checkpoint);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn origins_the_first_layout_merged_keep_separate_state() {
    let tmp = tempfile::tempdir().unwrap();
    let state = WitnessState::open(tmp.path()).unwrap();
    for (i, origin) in ["scrutin/a b", "scrutin/a_b", "scrutin/A B"]
        .iter()
        .enumerate()
    {
        // Each is a first use: cosigned, not refused as "another origin".
        let fork = i as u64;
        state
            .cosign(
                &note(origin, fork, 13),
                Some(&log_key()),
                &[],
                &witness(),
                1,
            )
            .unwrap();
    }
    for (i, origin) in ["scrutin/a b", "scrutin/a_b", "scrutin/A B"]
        .iter()
        .enumerate()
    {
        let o = state.lock(origin).unwrap();
        assert_eq!(o.last().unwrap(), &note(origin, i as u64, 13).checkpoint);
        assert_eq!(
            std::fs::read(o.dir().join("origin")).unwrap(),
            origin.as_bytes()
        );
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 3);
}

#[test]
fn no_origin_writes_outside_the_state_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    let state = WitnessState::open(&dir).unwrap();
    let hostile = [
        "..",
        ".",
        "../escaped",
        "a/../../b",
        "/tmp/abs",
        "x\\..\\y",
        "a\u{2044}b",
    ];
    assert!(
        state
            .cosign(
                &note("\u{0}nul", 1, 13),
                Some(&log_key()),
                &[],
                &witness(),
                1
            )
            .is_err(),
        "an origin with a control character is refused"
    );
    for origin in hostile {
        state
            .cosign(&note(origin, 1, 13), Some(&log_key()), &[], &witness(), 1)
            .unwrap();
        let o = state.lock(origin).unwrap();
        assert_eq!(o.dir().parent().unwrap(), state.dir(), "{origin:?}");
        assert_eq!(o.size(), 13);
    }
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        ["state"],
        "nothing written beside the state directory"
    );
    let mut inside: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    inside.sort();
    let mut expected: Vec<String> = hostile.iter().map(|o| origin_dir_name(o)).collect();
    expected.sort();
    assert_eq!(inside, expected);
}

#[test]
fn the_first_layout_is_carried_over_and_never_forgotten() {
    let tmp = tempfile::tempdir().unwrap();
    let origin = "scrutin/jlmag 2022";
    // What the first `scrutin cosign` left: `/` and ` ` replaced by `_`.
    let old = tmp.path().join("scrutin_jlmag_2022");
    std::fs::create_dir(&old).unwrap();
    std::fs::write(
        old.join("log.vkey"),
        format!("{}\n", log_key().to_vkey_string()),
    )
    .unwrap();
    std::fs::write(
        old.join("last-checkpoint"),
        note(origin, 1, 13).checkpoint.body_text(),
    )
    .unwrap();
    let state = WitnessState::open(tmp.path()).unwrap();
    assert_eq!(state.size(origin).unwrap(), 13);
    assert!(refused(state.cosign(
        &note(origin, 2, 13),
        None,
        &[],
        &witness(),
        1
    )));
    assert!(refused(state.cosign(
        &note(origin, 1, 9),
        None,
        &[],
        &witness(),
        1
    )));
    // The pinned key came along: no --log-key needed.
    let p = proof(1, 13, 15);
    state
        .cosign(&note(origin, 1, 15), None, &p, &witness(), 1)
        .unwrap();
    // The old directory named "scrutin/jlmag 2022" in its last checkpoint, so it is not
    // the state of "scrutin/jlmag_2022", which starts afresh.
    assert_eq!(state.size("scrutin/jlmag_2022").unwrap(), 0);
    // An old directory `..` (origin "..") is never read: it is the state's parent.
    std::fs::write(
        tmp.path().join("last-checkpoint"),
        note("..", 1, 13).checkpoint.body_text(),
    )
    .unwrap();
    let nested = WitnessState::open(&tmp.path().join("nested")).unwrap();
    assert_eq!(nested.size("..").unwrap(), 0);
}

#[test]
fn damaged_state_is_refused_not_guessed() {
    let tmp = tempfile::tempdir().unwrap();
    let state = WitnessState::open(tmp.path()).unwrap();
    state
        .cosign(&note(ORIGIN, 1, 13), Some(&log_key()), &[], &witness(), 1)
        .unwrap();
    let dir = state.origin_dir(ORIGIN);
    std::fs::write(dir.join("last-checkpoint"), "garbage").unwrap();
    let r = state.size(ORIGIN);
    assert!(
        matches!(r, Err(LedgerError::DamagedWitnessState { .. })),
        "{r:?}"
    );
    std::fs::write(
        dir.join("last-checkpoint"),
        note("scrutin/other", 1, 13).checkpoint.body_text(),
    )
    .unwrap();
    let r = state.size(ORIGIN);
    assert!(
        matches!(r, Err(LedgerError::DamagedWitnessState { .. })),
        "{r:?}"
    );
    std::fs::write(dir.join("origin"), "scrutin/other").unwrap();
    let r = state.size(ORIGIN);
    assert!(
        matches!(r, Err(LedgerError::DamagedWitnessState { .. })),
        "{r:?}"
    );
}

/// xorshift64*: reproducible randomness for the crash test.
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

/// Forks the crash test's child presents.
const FORKS: u64 = 3;
/// The child stops growing the log here (to keep recomputing roots cheap).
const MAX_SIZE: u64 = 3_000;

/// Child side: forever, read the witness's state as a restarted witness would, present a
/// checkpoint (mostly a genuine successor, sometimes a fork or a rollback) and print
/// `cosigned <size> <root>` for every cosignature it gets back.
#[test]
fn child_cosign_forever() {
    let Ok(dir) = std::env::var(CRASH_CHILD) else {
        return;
    };
    let mut rng = Rng(std::env::var(SEED).unwrap().parse::<u64>().unwrap() | 1);
    let (w, key) = (witness(), log_key());
    let all: Vec<Vec<Hash>> = (0..FORKS).map(|f| leaves(f, MAX_SIZE + 8)).collect();
    let state = WitnessState::open(Path::new(&dir)).unwrap();
    loop {
        let mut o = state.lock(ORIGIN).unwrap();
        let size = o.size();
        // Which fork the witness follows (any, before its first cosignature).
        let fork = match o.last() {
            None => rng.below(FORKS),
            Some(l) => (0..FORKS)
                .find(|&f| root_of(&all[f as usize][..size as usize]) == l.root)
                .expect("the witness follows one of the forks"),
        };
        let (f, n) = match rng.below(10) {
            0 | 1 => ((fork + 1 + rng.below(FORKS - 1)) % FORKS, size),
            2 => ((fork + 1) % FORKS, size + 1 + rng.below(5)),
            3 => (fork, size.saturating_sub(1 + rng.below(3))),
            _ if size >= MAX_SIZE => (fork, size),
            _ => (fork, (size + 1 + rng.below(4)).max(COMMON)),
        };
        let n = n.max(1);
        let leaves_f = &all[f as usize];
        let p = if size > 0 && size < n {
            consistency_proof(leaves_f, size, n).unwrap()
        } else {
            Vec::new()
        };
        let cp = Checkpoint {
            origin: ORIGIN.into(),
            size: n,
            root: root_of(&leaves_f[..n as usize]),
        };
        let signed = SignedCheckpoint::sign(cp, &log_signer());
        match o.cosign(&signed, Some(&key), &p, &w, 1) {
            Ok(_) => println!("cosigned {n} {}", signed.checkpoint.root),
            Err(LedgerError::WitnessRefused(_)) => {}
            Err(e) => panic!("{e}"),
        }
        drop(o);
    }
}

#[test]
fn kill_9_while_cosigning_never_cosigns_two_forks_or_a_rollback() {
    let rounds = if soak() { 300 } else { 20 };
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("witness crash test seed {seed}");
    let mut rng = Rng(seed | 1);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    // Every cosignature the child published: size -> root; and the largest size so far.
    let mut cosigned: BTreeMap<u64, Hash> = BTreeMap::new();
    let mut largest = 0u64;
    let mut total = 0usize;
    for round in 0..rounds {
        let mut c = Command::new(std::env::current_exe().unwrap())
            .args([
                "child_cosign_forever",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CRASH_CHILD, dir.display().to_string())
            .env(SEED, rng.next().to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = c.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(out)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<_>>()
        });
        let ms = if rng.below(5) == 0 {
            rng.below(30)
        } else {
            30 + rng.below(170)
        };
        std::thread::sleep(Duration::from_millis(ms));
        c.kill().unwrap(); // SIGKILL
        c.wait().unwrap();
        for l in reader.join().unwrap() {
            // The first line also carries the harness's "test child_cosign_forever ... ".
            let Some((_, l)) = l.split_once("cosigned ") else {
                continue;
            };
            let Some((n, root)) = l.split_once(' ') else {
                continue; // cut by the kill: never published
            };
            let (Ok(n), Ok(root)) = (n.parse::<u64>(), Hash::from_hex(root)) else {
                continue;
            };
            assert!(
                n >= largest,
                "round {round} (seed {seed}): size {n} cosigned after size {largest}"
            );
            if let Some(prev) = cosigned.insert(n, root) {
                assert_eq!(
                    prev, root,
                    "round {round} (seed {seed}): two roots cosigned at size {n}"
                );
            }
            largest = n;
            total += 1;
        }
        // After the crash the witness remembers at least what it published.
        let state = WitnessState::open(&dir).unwrap();
        let o = state
            .lock(ORIGIN)
            .unwrap_or_else(|e| panic!("round {round} (seed {seed}): state unreadable: {e}"));
        assert!(
            o.size() >= largest,
            "round {round} (seed {seed}): the witness forgot size {largest} (has {})",
            o.size()
        );
        if let Some(root) = cosigned.get(&o.size()) {
            assert_eq!(&o.last().unwrap().root, root, "round {round} (seed {seed})");
        }
    }
    assert!(total > 0, "the child never cosigned anything");
    eprintln!("{total} cosignatures, largest size {largest}");
}
