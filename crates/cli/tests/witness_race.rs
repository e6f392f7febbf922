//! `scrutin cosign` run as several processes at once on forks of one log: exactly one fork is
//! cosigned (issue 7). And origins the first state layout merged get their own state.

mod common;

use common::*;
use scrutin::log::{
    consistency_proof, leaf_hash, root_of, Checkpoint, Hash, SignedCheckpoint, Signer,
};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const ORIGIN: &str = "scrutin/RACE-EGM";
/// Entries every fork shares.
const COMMON: u64 = 8;
/// Processes racing, one fork each.
const FORKS: u64 = 4;

fn log_signer() -> Signer {
    Signer::from_seed("registrar", [1; 32]).unwrap()
}

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

/// Writes the note of the first `n` entries of `fork` (and the consistency proof from `old`)
/// under `dir`; returns the note's path and the proof's.
fn write_note(dir: &Path, origin: &str, fork: u64, old: u64, n: u64) -> (PathBuf, PathBuf) {
    let l = leaves(fork, n);
    let cp = Checkpoint {
        origin: origin.into(),
        size: n,
        root: root_of(&l),
    };
    let note = dir.join(format!("fork{fork}-{n}.txt"));
    std::fs::write(
        &note,
        SignedCheckpoint::sign(cp, &log_signer()).to_note_text(),
    )
    .unwrap();
    let proof = dir.join(format!("fork{fork}-{n}.proof"));
    let hashes: String = if old > 0 && old < n {
        consistency_proof(&l, old, n)
            .unwrap()
            .iter()
            .map(|h| format!("{h}\n"))
            .collect()
    } else {
        String::new()
    };
    std::fs::write(&proof, hashes).unwrap();
    (note, proof)
}

fn cosigners(note: &Path) -> usize {
    let text = std::fs::read_to_string(note).unwrap();
    SignedCheckpoint::parse_note(&text)
        .unwrap()
        .cosigners()
        .len()
}

#[test]
fn processes_racing_on_forks_of_one_size_cosign_exactly_one() {
    let soak = std::env::var("SCRUTIN_SOAK").is_ok_and(|v| v == "1");
    for round in 0..if soak { 300 } else { 25 } {
        let tmp = tempfile::tempdir().unwrap();
        let key = tmp.path().join("witness.key");
        std::fs::write(
            &key,
            Signer::from_seed("witness", [2; 32])
                .unwrap()
                .to_private_key_string(),
        )
        .unwrap();
        let state = tmp.path().join("state");
        let log_key = log_signer().verifier().to_vkey_string();
        let (first, _) = write_note(tmp.path(), ORIGIN, 0, 0, COMMON);
        ok(&[
            "cosign",
            s(&first),
            "--key",
            s(&key),
            "--state",
            s(&state),
            "--log-key",
            &log_key,
        ]);
        let notes: Vec<_> = (1..=FORKS)
            .map(|f| write_note(tmp.path(), ORIGIN, f, COMMON, 13))
            .collect();
        let children: Vec<_> = notes
            .iter()
            .map(|(note, proof)| {
                Command::new(env!("CARGO_BIN_EXE_scrutin"))
                    .args(["cosign", s(note), "--key", s(&key), "--state", s(&state)])
                    .args(["--proof", s(proof)])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outs: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let codes: Vec<i32> = outs.iter().map(|o| o.status.code().unwrap_or(-1)).collect();
        let winners: Vec<usize> = (0..outs.len()).filter(|&i| codes[i] == 0).collect();
        assert_eq!(
            winners.len(),
            1,
            "round {round}: exit codes {codes:?}: two forks of size 13 cosigned"
        );
        for (i, o) in outs.iter().enumerate() {
            let stdout = String::from_utf8_lossy(&o.stdout);
            if i == winners[0] {
                assert_eq!(cosigners(&notes[i].0), 1);
            } else {
                assert_eq!(codes[i], 1, "round {round}: {stdout}");
                assert!(stdout.contains("REFUSED"), "round {round}: {stdout}");
                assert_eq!(cosigners(&notes[i].0), 0, "a refused note is left alone");
            }
        }
        let st = scrutin::WitnessState::open(&state).unwrap();
        let o = st.lock(ORIGIN).unwrap();
        let winner =
            SignedCheckpoint::parse_note(&std::fs::read_to_string(&notes[winners[0]].0).unwrap())
                .unwrap();
        assert_eq!(o.last(), Some(&winner.checkpoint));
    }
}

#[test]
fn origins_differing_only_in_unsafe_characters_have_their_own_state() {
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("witness.key");
    ok(&["keygen", "--out", s(&key), "--name", "witness"]);
    let state = tmp.path().join("state");
    let log_key = log_signer().verifier().to_vkey_string();
    for (fork, origin) in [(1, "scrutin/a b"), (2, "scrutin/a_b")] {
        let dir = tmp.path().join(format!("o{fork}"));
        std::fs::create_dir(&dir).unwrap();
        let (note, _) = write_note(&dir, origin, fork, 0, 13);
        let out = ok(&[
            "cosign",
            s(&note),
            "--key",
            s(&key),
            "--state",
            s(&state),
            "--log-key",
            &log_key,
        ]);
        assert!(out.contains(&format!("cosigned {origin} size 13")), "{out}");
    }
    let st = scrutin::WitnessState::open(&state).unwrap();
    assert_eq!(st.size("scrutin/a b").unwrap(), 13);
    assert_eq!(st.size("scrutin/a_b").unwrap(), 13);
    assert_ne!(st.origin_dir("scrutin/a b"), st.origin_dir("scrutin/a_b"));
}
