//! The network commands end to end, over real HTTP on 127.0.0.1 (ephemeral ports): several
//! parties (registrar, two witnesses, a reader) as separate processes, and a witness killed
//! with SIGKILL mid-request that must never cosign a fork.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{ok, s, scrutin};
use scrutin::log::{SignedCheckpoint, Signer};
use scrutin_net::{AddCheckpoint, Client};

/// A `scrutin` server process, killed on drop; `url` is from its first line of output.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scrutin"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn scrutin");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .trim_end_matches("/add-checkpoint")
        .to_owned();
    Server { child, url }
}

fn witness(dir: &Path, name: &str, log_vkey: &str) -> (Server, String) {
    let key = dir.join(format!("{name}.key"));
    ok(&["keygen", "--out", s(&key), "--name", name]);
    let cosigner = dir.join(format!("{name}.key.cosigner.pub"));
    let state = dir.join(format!("{name}-state"));
    let server = spawn(&[
        "witness",
        "serve",
        "--key",
        s(&key),
        "--state",
        s(&state),
        "--listen",
        "127.0.0.1:0",
        "--log-key",
        log_vkey,
    ]);
    (server, s(&cosigner).to_owned())
}

#[test]
fn several_parties_over_the_network() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(&["demo", "--dir", s(d), "--report", s(&d.join("r.html"))]);
    let db = d.join("ledger");
    let reg_pub = d.join("registrar.key.pub");
    let log_vkey = std::fs::read_to_string(&reg_pub).unwrap().trim().to_owned();
    let (w1, k1) = witness(d, "witness1.example", &log_vkey);
    let (w2, k2) = witness(d, "witness2.example", &log_vkey);
    let reg_key = d.join("registrar.key");
    let args = |quorum: &str| {
        vec![
            "checkpoint".to_string(),
            "--db".into(),
            s(&db).into(),
            "--key".into(),
            s(&reg_key).into(),
            "--witness".into(),
            w1.url.clone(),
            "--witness".into(),
            w2.url.clone(),
            "--witness-key".into(),
            k1.clone(),
            "--witness-key".into(),
            k2.clone(),
            "--quorum".into(),
            quorum.into(),
        ]
    };
    let a = args("2");
    let out = ok(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.contains("2 of 2 witnesses cosigned"), "{out}");
    // Asked again: both witnesses already hold this size; the ledger knows it (old = size).
    let a = args("3");
    let o = scrutin(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        o.code, 1,
        "quorum 3 of 2 witnesses: {}{}",
        o.stdout, o.stderr
    );
    // Tiles: exported, then served by scrutin serve, verified from the URL and the directory.
    let tiles = d.join("tiles");
    ok(&["export", "--db", s(&db), "--tiles", s(&tiles)]);
    let serve = spawn(&[
        "serve",
        "--db",
        s(&db),
        "--listen",
        "127.0.0.1:0",
        "--threads",
        "2",
    ]);
    let url = serve.url.clone();
    // The demo's scrutineer cosigned too: a cosignature by an untrusted key fails check 6.
    let scrutineer = d.join("scrutineer.key.cosigner.pub");
    let trust = [s(&reg_pub), s(&scrutineer), k1.as_str(), k2.as_str()];
    let mut v = vec!["verify", url.as_str(), "--trust"];
    v.extend(trust);
    v.extend(["--quorum", "2"]);
    let out = ok(&v);
    assert!(out.contains("VALID: every check passed"), "{out}");
    let mut v = vec!["verify", s(&tiles), "--trust"];
    v.extend(trust);
    v.extend(["--quorum", "2"]);
    assert!(ok(&v).contains("VALID"));
    let v = [
        "verify",
        url.as_str(),
        "--trust",
        s(&reg_pub),
        "--quorum",
        "1",
    ];
    let o = scrutin(&v);
    assert_eq!(o.code, 1, "no trusted witness: {}", o.stdout);
    // The receipt against the served log.
    let receipt = d.join("H0001.receipt.json");
    let o = scrutin(&[
        "verify-receipt",
        s(&receipt),
        "--trust",
        s(&reg_pub),
        "--log",
        &url,
    ]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains("is consistent with the receipt's size"),
        "{}",
        o.stderr
    );
    // A refused connection is an error (exit 2), not a hang.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let o = scrutin(&["verify", &dead, "--trust", s(&reg_pub)]);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    drop(serve);
    drop((w1, w2));
}

fn post(url: &str, cp: &SignedCheckpoint, old: u64) -> Option<u16> {
    let body = AddCheckpoint {
        old,
        proof: vec![],
        note: cp.to_note_text(),
    }
    .to_body();
    Client::default()
        .post(
            &format!("{url}/add-checkpoint"),
            "text/plain",
            body.as_bytes(),
            4096,
        )
        .ok()
        .map(|r| r.status)
}

#[test]
fn a_witness_killed_mid_request_never_cosigns_a_fork() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = Signer::from_seed("registrar.example", [1; 32]).unwrap();
    let vkey = reg.verifier().to_vkey_string();
    let key = tmp.path().join("w.key");
    ok(&["keygen", "--out", s(&key), "--name", "w.example"]);
    for round in 0..6u64 {
        // Two checkpoints of one origin and size with different roots: a split view.
        let cp = |root: u8| {
            SignedCheckpoint::sign(
                scrutin::log::Checkpoint {
                    origin: "scrutin/KILL".into(),
                    size: 10 + round,
                    root: scrutin::log::Hash::digest(&[root, round as u8]),
                },
                &reg,
            )
        };
        let (a, b) = (cp(1), cp(2));
        let state = tmp.path().join(format!("state-{round}"));
        let args = |st: &Path| {
            vec![
                "witness".to_string(),
                "serve".into(),
                "--key".into(),
                s(&key).into(),
                "--state".into(),
                s(st).into(),
                "--listen".into(),
                "127.0.0.1:0".into(),
                "--log-key".into(),
                vkey.clone(),
            ]
        };
        let a_args = args(&state);
        let mut w = spawn(&a_args.iter().map(String::as_str).collect::<Vec<_>>());
        let url = w.url.clone();
        let sender = {
            let a = a.clone();
            std::thread::spawn(move || post(&url, &a, 0))
        };
        // Vary the moment of the kill across rounds (not a timing assertion).
        std::thread::sleep(std::time::Duration::from_millis(round * 3));
        let _ = w.child.kill(); // SIGKILL
        let _ = w.child.wait();
        let a_answer = sender.join().unwrap();
        let w = spawn(&a_args.iter().map(String::as_str).collect::<Vec<_>>());
        // The fork, from the witness's recorded size (0 if A was never recorded).
        let b_answer = match post(&w.url, &b, 0) {
            Some(409) => post(&w.url, &b, a.checkpoint.size),
            other => other,
        };
        assert!(
            !(a_answer == Some(200) && b_answer == Some(200)),
            "round {round}: the witness cosigned both sides of a fork"
        );
        if a_answer == Some(200) {
            assert_eq!(b_answer, Some(409), "round {round}");
        }
        // Whatever it recorded, the state parses and the witness still answers.
        assert!(matches!(post(&w.url, &a, 0), Some(200 | 409)));
        drop(w);
    }
}
