//! scrutin-net over real HTTP on 127.0.0.1 (ephemeral ports): tlog-witness conformance, two
//! witnesses cosigning, tiles exported, served and verified with the bundle's verdicts, tampered
//! tiles, split views, concurrent requests, and clients that do not hang.

#[path = "../../ledger/tests/common/mod.rs"]
mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use scrutin::log::{write_bundle, Hash, NoteVerifier, Pin, SignedCheckpoint, Signer};
use scrutin::{verify_bundle_pinned, Ledger, Verdict, VerifyReport, WitnessState};
use scrutin_model::{ClassId, Event, Shares};
use scrutin_net::*;

fn witness_signer(n: u8) -> Signer {
    Signer::from_seed(&format!("witness{n}.example"), [40 + n; 32]).unwrap()
}

fn start_witness(n: u8, state: &Path, logs: Vec<LogKey>) -> Running {
    let w = Witness::new(witness_signer(n), WitnessState::open(state).unwrap(), logs);
    serve_witness(w, "127.0.0.1:0", 4).unwrap()
}

fn any_origin(s: &Signer) -> Vec<LogKey> {
    vec![LogKey {
        origin: None,
        key: s.verifier(),
    }]
}

/// A meeting of `extra` more holders than the common one (so that its tree spans tiles).
fn meeting(dir: &Path, id: &str, extra: usize) -> Ledger {
    let reg = registrar();
    let mut c = convened();
    c.id = id.into();
    let ledger = Ledger::create(dir, c, &reg).unwrap();
    let mut setup = setup_events();
    let at = setup
        .iter()
        .position(|e| matches!(e, Event::RegisterClosed))
        .unwrap();
    for i in 0..extra {
        setup.insert(
            at,
            Event::ShareRegistered {
                holder: h(&format!("X{i}")),
                name: format!("Extra {i}"),
                class: ClassId::new("H").unwrap(),
                shares: Shares(10),
            },
        );
    }
    ledger.submit_batch(&reg, setup).unwrap();
    ledger
}

fn finish(ledger: &Ledger) {
    let reg = registrar();
    for b in ballots() {
        ledger.submit(&reg, b).unwrap();
    }
    ledger.submit(&reg, close()).unwrap();
    ledger.declare_result(&scrutineer()).unwrap();
}

fn trust() -> Vec<NoteVerifier> {
    vec![
        registrar().verifier(),
        witness_signer(1).verifier(),
        witness_signer(2).verifier(),
    ]
}

fn bundle_report(cp: &SignedCheckpoint, ledger: &Ledger, pin: &Pin) -> (VerifyReport, Vec<u8>) {
    let entries: Vec<_> = ledger
        .entries(0..cp.checkpoint.size)
        .map(|e| e.unwrap())
        .collect();
    let mut out = Vec::new();
    write_bundle(cp, entries, &mut out).unwrap();
    let r = verify_bundle_pinned(&out[..], &trust(), pin, &mut |_, _| {}).unwrap();
    (r, out)
}

fn tiles_report(dir: &Path, pin: &Pin) -> VerifyReport {
    verify_tiles(&DirSource(dir.to_owned()), &trust(), pin, &mut |_, _| {}).unwrap()
}

fn verdict_key(r: &VerifyReport) -> (bool, Option<u64>, String) {
    match &r.verdict {
        Verdict::Valid => (true, None, String::new()),
        Verdict::Broken {
            at_entry, check, ..
        } => (false, *at_entry, check.clone()),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

#[test]
fn request_and_response_bodies_are_the_specifications_examples() {
    // c2sp.org/tlog-witness, add-checkpoint: the example request body, byte for byte.
    let example = "old 20852014\n\
PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\
jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n\
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n\
/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n\
\n\
example.com/behind-the-sofa\n\
20852163\n\
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\
\n\
\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\
\u{2014} example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n";
    let (req, cp) = AddCheckpoint::parse(example.as_bytes()).unwrap();
    assert_eq!(req.old, 20852014);
    assert_eq!(req.proof.len(), 4);
    assert_eq!(cp.checkpoint.size, 20852163);
    assert_eq!(cp.checkpoint.origin, "example.com/behind-the-sofa");
    assert_eq!(req.to_body(), example);
    // The example response's lines are cosignature lines (76 bytes: key ID, time, signature)
    // and ours are written the same way, byte for byte.
    let response = "\u{2014} witness.example/w1 CMp+6LWBU0anHGH5aNDTJkH/gj79sG+T6+iP2ThYN5krrDJbR1HDnucjL39QsZTSvVjyQLrdk3DXDqI5G2HgLatVs0pWh6Up69HVOw==\n";
    use base64::Engine as _;
    let b = base64::engine::general_purpose::STANDARD
        .decode(response.trim_end().rsplit(' ').next().unwrap())
        .unwrap();
    assert_eq!(b.len(), 76);
    let c = scrutin::log::Cosignature {
        name: "witness.example/w1".into(),
        key_id: b[..4].try_into().unwrap(),
        timestamp: u64::from_be_bytes(b[4..12].try_into().unwrap()),
        signature: b[12..].try_into().unwrap(),
    };
    assert_eq!(cosignature_line(&c), response);
    // Malformed bodies: leading zero, missing empty line, 64 proof lines, trailing garbage.
    for bad in [
        example.replacen("old 20852014", "old 020852014", 1),
        example.replacen("\n\nexample.com", "\nexample.com", 1),
        format!(
            "old 1\n{}\n{}",
            vec![Hash::digest(b"x").to_base64(); 64].join("\n"),
            &example[example.find("\nexample.com").unwrap()..]
        ),
        example.replacen("old ", "old  ", 1),
    ] {
        assert!(AddCheckpoint::parse(bad.as_bytes()).is_err(), "{bad:?}");
    }
}

/// Posts a raw body; returns status, content type and body.
fn post(url: &str, body: &str) -> Reply {
    Client::new(Duration::from_secs(20))
        .post(
            &format!("{url}/add-checkpoint"),
            "text/plain",
            body.as_bytes(),
            1 << 16,
        )
        .unwrap()
}

#[test]
fn the_witness_answers_each_status_as_the_specification_says() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = meeting(&dir.path().join("db"), "STATUS", 0);
    let cp = ledger.checkpoint(&registrar()).unwrap();
    let w = start_witness(1, &dir.path().join("w"), any_origin(&registrar()));
    let url = w.url();
    let body = |old: u64, proof: &[Hash], cp: &SignedCheckpoint| {
        AddCheckpoint {
            old,
            proof: proof.to_vec(),
            note: cp.to_note_text(),
        }
        .to_body()
    };
    // 400: malformed; old above the size.
    assert_eq!(post(&url, "old 1\n").status, 400);
    assert_eq!(
        post(&url, &body(cp.checkpoint.size + 1, &[], &cp)).status,
        400
    );
    // 403: signed by a key the witness does not trust for this log.
    let forged = SignedCheckpoint::sign(cp.checkpoint.clone(), &stranger());
    assert_eq!(post(&url, &body(0, &[], &forged)).status, 403);
    // 200 with one cosignature line that verifies.
    let r = post(&url, &body(0, &[], &cp));
    assert_eq!(r.status, 200);
    let text = String::from_utf8(r.body).unwrap();
    assert!(text.starts_with("\u{2014} witness1.example ") && text.ends_with('\n'));
    let mut with = cp.clone();
    let parsed =
        SignedCheckpoint::parse_note(&format!("{}\n{text}", cp.checkpoint.body_text())).unwrap();
    with.add_cosignature(parsed.cosigners()[0].clone());
    let v = with.verify(&trust()).unwrap();
    assert_eq!(v.cosigned_by.len(), 1);
    // 409: stale old size, body "<size>\n" as text/x.tlog.size.
    let r = post(&url, &body(0, &[], &cp));
    assert_eq!(r.status, 409);
    assert_eq!(r.content_type, "text/x.tlog.size");
    assert_eq!(r.body, format!("{}\n", cp.checkpoint.size).into_bytes());
    // 404: a witness that knows only another origin.
    let only = start_witness(
        2,
        &dir.path().join("w2"),
        vec![LogKey {
            origin: Some("scrutin/ANOTHER".into()),
            key: registrar().verifier(),
        }],
    );
    assert_eq!(post(&only.url(), &body(0, &[], &cp)).status, 404);
    // 413 above the body limit; 404/405 elsewhere.
    assert_eq!(post(&url, &"x".repeat(MAX_REQUEST_BYTES + 1)).status, 413);
    let c = Client::default();
    assert_eq!(
        c.get(&format!("{url}/add-checkpoint"), 100).unwrap().status,
        405
    );
    assert_eq!(c.get(&format!("{url}/other"), 100).unwrap().status, 404);
    w.shutdown();
    only.shutdown();
}

#[test]
fn two_witnesses_cosign_over_http_and_the_tiles_verify_like_the_bundle() {
    let dir = tempfile::tempdir().unwrap();
    // 300 more holders: the tree spans two level-0 tiles and a level-1 tile.
    let ledger = meeting(&dir.path().join("db"), "TILES", 300);
    let early = ledger.checkpoint(&registrar()).unwrap();
    finish(&ledger);
    let cp = ledger.checkpoint(&registrar()).unwrap();
    assert!(cp.checkpoint.size > 256 && early.checkpoint.size < cp.checkpoint.size);
    let w1 = start_witness(1, &dir.path().join("w1"), any_origin(&registrar()));
    let w2 = start_witness(2, &dir.path().join("w2"), any_origin(&registrar()));
    let keys = [witness_signer(1).verifier(), witness_signer(2).verifier()];
    let client = Client::default();
    let mut cosigned = cp.clone();
    for w in [&w1, &w2] {
        let mut prove = |o, n| ledger.prove_consistency(o, n).map_err(NetError::from);
        // The log starts from 0; the witness has no state: cosigned at once.
        match submit(&client, &w.url(), &cp, 0, &keys, &mut prove).unwrap() {
            Outcome::Cosigned(cs) => cs.into_iter().for_each(|c| cosigned.add_cosignature(c)),
            other => panic!("{other:?}"),
        }
    }
    ledger.store_checkpoint(&cosigned).unwrap();
    let tiles = dir.path().join("tiles");
    let s = export(&ledger, &tiles).unwrap();
    assert_eq!(s.size, cp.checkpoint.size);
    // The layout: full tile 0, partial tile 1, level 1, partials of the earlier checkpoint.
    let size = cp.checkpoint.size;
    for p in [
        "checkpoint".to_string(),
        "tile/0/000".into(),
        format!("tile/0/001.p/{}", size - 256),
        "tile/1/000.p/1".into(),
        "tile/entries/000".into(),
        format!("tile/entries/001.p/{}", size - 256),
        format!("signatures/001.p/{}", size - 256),
        format!("tile/0/001.p/{}", early.checkpoint.size - 256),
    ] {
        assert!(tiles.join(&p).is_file(), "{p}");
    }
    assert_eq!(std::fs::read(tiles.join("tile/0/000")).unwrap().len(), 8192);
    let pin = Pin {
        origin: None,
        quorum: 2,
    };
    let (bundle, bundle_bytes) = bundle_report(&cosigned, &ledger, &pin);
    assert!(bundle.is_valid(), "{:?}", bundle.verdict);
    let from_dir = tiles_report(&tiles, &pin);
    assert!(from_dir.is_valid(), "{:?}", from_dir.verdict);
    assert_eq!(from_dir.digest, bundle.digest);
    assert_eq!(from_dir.tally, bundle.tally);
    assert_eq!(from_dir.cosigners.len(), 2);
    // Served over HTTP by scrutin serve's server, under the origin's path.
    let origin = ledger.origin();
    let server = serve_tiles(vec![ledger], "127.0.0.1:0", 4).unwrap();
    let prefix = format!("{}/{origin}", server.url());
    let src = HttpSource {
        prefix: prefix.clone(),
        client: client.clone(),
    };
    let from_url = verify_tiles(&src, &trust(), &pin, &mut |_, _| {}).unwrap();
    assert!(from_url.is_valid(), "{:?}", from_url.verdict);
    assert_eq!(from_url.digest, bundle.digest);
    // Cache headers and bytes equal to the export's.
    let full = client
        .get(&format!("{prefix}/tile/0/000"), 1 << 20)
        .unwrap();
    assert_eq!(full.body, std::fs::read(tiles.join("tile/0/000")).unwrap());
    let e = client
        .get(
            &format!("{prefix}/tile/entries/001.p/{}", size - 256),
            1 << 20,
        )
        .unwrap();
    assert_eq!(e.status, 200);
    assert_eq!(
        e.body,
        std::fs::read(tiles.join(format!("tile/entries/001.p/{}", size - 256))).unwrap()
    );
    assert_eq!(
        client
            .get(&format!("{prefix}/tile/0/001"), 1 << 20)
            .unwrap()
            .status,
        404,
        "a tile beyond the checkpoint is not served"
    );
    drop(bundle_bytes);
    server.shutdown();
    w1.shutdown();
    w2.shutdown();
}

/// Flips one byte of a file.
fn flip(path: &Path, at: usize) {
    let mut b = std::fs::read(path).unwrap();
    b[at] ^= 0x01;
    std::fs::write(path, b).unwrap();
}

#[test]
fn tampered_tiles_get_the_bundles_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = meeting(&dir.path().join("db"), "TAMPER", 280);
    let early = ledger.checkpoint(&registrar()).unwrap();
    finish(&ledger);
    let cp = ledger.checkpoint(&registrar()).unwrap();
    let tiles = dir.path().join("tiles");
    export(&ledger, &tiles).unwrap();
    let pin = Pin::default();
    assert!(tiles_report(&tiles, &pin).is_valid());
    let case = |name: &str| {
        let d = dir.path().join(name);
        copy_dir(&tiles, &d);
        d
    };
    // A flipped byte in a hash tile: the tiles disagree with the entries.
    let d = case("hash");
    flip(&d.join("tile/0/000"), 5 * 32 + 3);
    let r = tiles_report(&d, &pin);
    assert_eq!(verdict_key(&r), (false, None, "merkle root".into()));
    let d = case("hash1");
    flip(&d.join("tile/1/000.p/1"), 0);
    assert_eq!(verdict_key(&tiles_report(&d, &pin)).2, "merkle root");
    // A flipped byte in an entry bundle (entry 7's payload) is the bundle with that byte flipped.
    let d = case("entry");
    let bundle_path = d.join("tile/entries/000");
    let b = std::fs::read(&bundle_path).unwrap();
    let mut off = 0;
    for _ in 0..7 {
        off += 2 + usize::from(u16::from_be_bytes([b[off], b[off + 1]]));
    }
    let len7 = usize::from(u16::from_be_bytes([b[off], b[off + 1]]));
    let within = len7 - 3; // a payload byte
    flip(&bundle_path, off + 2 + within);
    let tiles_r = tiles_report(&d, &pin);
    let (_, mut bundle) = bundle_report(&cp, &ledger, &pin);
    let header = scrutin::log::bundle_header(&cp).unwrap().len();
    let mut boff = header;
    for e in ledger.entries(0..7) {
        boff += 4 + e.unwrap().encode().len();
    }
    bundle[boff + 4 + within] ^= 0x01;
    let bundle_r = verify_bundle_pinned(&bundle[..], &trust(), &pin, &mut |_, _| {}).unwrap();
    assert!(!bundle_r.is_valid());
    assert_eq!(verdict_key(&tiles_r), verdict_key(&bundle_r));
    assert_eq!(tiles_r.verdict, bundle_r.verdict);
    // A flipped signature byte: as the bundle's.
    let d = case("sig");
    flip(&d.join("signatures/000"), 64 * 9 + 10);
    let (_, mut bundle) = bundle_report(&cp, &ledger, &pin);
    let mut boff = header;
    for e in ledger.entries(0..10) {
        boff += 4 + e.unwrap().encode().len();
    }
    bundle[boff - 64 + 10] ^= 0x01;
    let bundle_r = verify_bundle_pinned(&bundle[..], &trust(), &pin, &mut |_, _| {}).unwrap();
    assert_eq!(tiles_report(&d, &pin).verdict, bundle_r.verdict);
    // A missing tile, a missing entry bundle.
    let d = case("missing");
    std::fs::remove_file(d.join("tile/0/000")).unwrap();
    let r = tiles_report(&d, &pin);
    assert!(!r.is_valid());
    let d = case("missing-entries");
    std::fs::remove_file(d.join("tile/entries/000")).unwrap();
    let r = tiles_report(&d, &pin);
    assert_eq!(verdict_key(&r).2, "format");
    // The checkpoint rolled back to the earlier one: exactly the verdict of the bundle of
    // that checkpoint (the partial tiles of every checkpoint size are exported).
    let d = case("rollback");
    std::fs::write(d.join("checkpoint"), early.to_note_text()).unwrap();
    let (bundle_r, _) = bundle_report(&early, &ledger, &pin);
    let r = tiles_report(&d, &pin);
    assert_eq!(r.verdict, bundle_r.verdict);
    assert_eq!(r.digest, bundle_r.digest);
    // And pinned to two witnesses, neither rollback nor the latest pass without cosignatures.
    let pin2 = Pin {
        origin: None,
        quorum: 2,
    };
    assert!(!tiles_report(&d, &pin2).is_valid());
}

#[test]
fn a_split_view_gets_409_or_422_and_the_witness_keeps_the_evidence() {
    let dir = tempfile::tempdir().unwrap();
    // Two ledgers of one origin and one registrar key, forked from entry 0 on.
    let a = meeting(&dir.path().join("a"), "SPLIT", 3);
    let b = meeting(&dir.path().join("b"), "SPLIT", 3);
    let reg = registrar();
    a.submit(&reg, vote(holder("H1"), "1", 1_000, 0, 0))
        .unwrap();
    b.submit(&reg, vote(holder("H3"), "1", 0, 500, 0)).unwrap();
    let a_cp = a.checkpoint(&registrar()).unwrap();
    let b_same = b.checkpoint(&registrar()).unwrap();
    assert_eq!(a_cp.checkpoint.size, b_same.checkpoint.size);
    assert_ne!(a_cp.checkpoint.root, b_same.checkpoint.root);
    let state = dir.path().join("w");
    let w = start_witness(1, &state, any_origin(&registrar()));
    let keys = [witness_signer(1).verifier()];
    let client = Client::default();
    let mut prove_a = |o, n| a.prove_consistency(o, n).map_err(NetError::from);
    assert!(matches!(
        submit(&client, &w.url(), &a_cp, 0, &keys, &mut prove_a).unwrap(),
        Outcome::Cosigned(_)
    ));
    // The same size with another root: 409 (even with the right old size).
    let size = a_cp.checkpoint.size;
    let mut prove_b = |o, n| b.prove_consistency(o, n).map_err(NetError::from);
    assert_eq!(
        submit(&client, &w.url(), &b_same, size, &keys, &mut prove_b).unwrap(),
        Outcome::Conflict(size)
    );
    // A larger fork with b's own proof: 422.
    b.submit(&reg, vote(holder("H4"), "1", 300, 0, 0)).unwrap();
    let b_big = b.checkpoint(&registrar()).unwrap();
    let mut prove_b = |o, n| b.prove_consistency(o, n).map_err(NetError::from);
    assert!(matches!(
        submit(&client, &w.url(), &b_big, size, &keys, &mut prove_b).unwrap(),
        Outcome::Inconsistent(_)
    ));
    // The evidence: both refused requests, kept in the origin's state directory.
    let st = WitnessState::open(&state).unwrap();
    let odir = st.origin_dir(&a.origin());
    let mut ev: Vec<String> = std::fs::read_dir(&odir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("evidence-"))
        .collect();
    ev.sort();
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert!(
        ev.iter().any(|n| n.ends_with("-409.txt")) && ev.iter().any(|n| n.ends_with("-422.txt"))
    );
    let kept =
        std::fs::read_to_string(odir.join(ev.iter().find(|n| n.ends_with("-422.txt")).unwrap()))
            .unwrap();
    assert!(kept.contains(&b_big.to_note_text()));
    // The state did not move.
    assert_eq!(st.size(&a.origin()).unwrap(), size);
    w.shutdown();
}

#[test]
fn concurrent_requests_for_several_origins_stay_a_chain() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registrar();
    // Three origins, each with four checkpoints of growing size.
    let mut logs = Vec::new();
    for o in 0..3 {
        let l = meeting(&dir.path().join(format!("l{o}")), &format!("CONC-{o}"), 2);
        let mut cps = Vec::new();
        for b in ballots().into_iter().take(4) {
            l.submit(&reg, b).unwrap();
            cps.push(l.checkpoint(&reg).unwrap());
        }
        assert!(cps
            .windows(2)
            .all(|w| w[0].checkpoint.size < w[1].checkpoint.size));
        logs.push((l, cps));
    }
    let w = start_witness(1, &dir.path().join("w"), any_origin(&registrar()));
    let url = w.url();
    let logs = Arc::new(logs);
    let results = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (logs, results, url) = (Arc::clone(&logs), Arc::clone(&results), url.clone());
            std::thread::spawn(move || {
                let client = Client::default();
                let mut known = [0u64; 3];
                for i in 0..24usize {
                    let o = (t + i) % 3;
                    let (l, cps) = &logs[o];
                    let cp = &cps[(t * 7 + i * 5) % 4];
                    let old = known[o].min(cp.checkpoint.size);
                    let proof = l.prove_consistency(old, cp.checkpoint.size).unwrap();
                    let body = AddCheckpoint {
                        old,
                        proof: if old == 0 { vec![] } else { proof },
                        note: cp.to_note_text(),
                    }
                    .to_body();
                    let r = client
                        .post(
                            &format!("{url}/add-checkpoint"),
                            "text/plain",
                            body.as_bytes(),
                            4096,
                        )
                        .unwrap();
                    match r.status {
                        200 => known[o] = cp.checkpoint.size,
                        409 => {
                            let s = String::from_utf8(r.body.clone()).unwrap();
                            known[o] = parse_decimal(s.trim_end()).unwrap();
                        }
                        s => panic!("unexpected {s}: {:?}", String::from_utf8_lossy(&r.body)),
                    }
                    results
                        .lock()
                        .unwrap()
                        .push((o, old, cp.checkpoint.size, r.status));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let results = results.lock().unwrap();
    let st = WitnessState::open(&dir.path().join("w")).unwrap();
    for (o, (l, _)) in logs.iter().enumerate() {
        // Every cosignature extends the previous one: sorted by size, each old size is the
        // previous cosigned size (a repeat of the same checkpoint has old == size).
        let mut ok: Vec<(u64, u64)> = results
            .iter()
            .filter(|r| r.0 == o && r.3 == 200)
            .map(|r| (r.2, r.1))
            .collect();
        ok.sort();
        let mut last = 0;
        for (size, old) in &ok {
            assert!(*old == last || (*old == *size && *size == last), "{ok:?}");
            last = *size;
        }
        assert!(!ok.is_empty());
        // The state is the largest size cosigned: it never went back.
        assert_eq!(st.size(&l.origin()).unwrap(), last);
    }
    w.shutdown();
}

/// A one-shot TCP server answering every connection with `reply` (or nothing, if `None`).
fn fake_server(reply: Option<Vec<u8>>) -> (String, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        if let Ok((mut s, _)) = l.accept() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            match reply {
                Some(r) => {
                    let _ = s.write_all(&r);
                }
                // Hold the connection open, silent, until the client gives up.
                None => {
                    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                    let _ = s.read(&mut buf);
                }
            }
        }
    });
    (format!("http://{addr}"), h)
}

#[test]
fn clients_do_not_hang_or_follow_and_say_why() {
    let client = Client::new(Duration::from_secs(2));
    // Refused: a port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let e = client
        .get(&format!("http://{port}/checkpoint"), 100)
        .unwrap_err();
    assert!(matches!(e, NetError::Unreachable { .. }), "{e}");
    // Silent: the deadline ends it.
    let (url, h) = fake_server(None);
    let e = client.get(&format!("{url}/checkpoint"), 100).unwrap_err();
    assert!(matches!(e, NetError::Unreachable { .. }), "{e}");
    h.join().unwrap();
    // Garbage.
    let (url, h) = fake_server(Some(b"garbage garbage\r\n\r\n".to_vec()));
    let e = client.get(&format!("{url}/checkpoint"), 100).unwrap_err();
    assert!(matches!(e, NetError::Unreachable { .. }), "{e}");
    h.join().unwrap();
    // A redirect is not followed.
    let (url, h) = fake_server(Some(
        b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/x\r\nContent-Length: 0\r\n\r\n"
            .to_vec(),
    ));
    let e = client.get(&format!("{url}/checkpoint"), 100).unwrap_err();
    assert!(matches!(e, NetError::Redirect { status: 302, .. }), "{e}");
    h.join().unwrap();
    // Too large.
    let mut big = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n".to_vec();
    big.extend(vec![b'a'; 5000]);
    let (url, h) = fake_server(Some(big));
    let e = client.get(&format!("{url}/checkpoint"), 100).unwrap_err();
    assert!(matches!(e, NetError::TooLarge { limit: 100, .. }), "{e}");
    h.join().unwrap();
    // Not http.
    assert!(matches!(
        client.get("file:///etc/passwd", 100),
        Err(NetError::Usage(_))
    ));
}

#[test]
fn a_witness_answering_for_another_origin_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ours = meeting(&dir.path().join("a"), "OURS", 0);
    let theirs = meeting(&dir.path().join("b"), "THEIRS", 0);
    let cp = ours.checkpoint(&registrar()).unwrap();
    let other = theirs.checkpoint(&registrar()).unwrap();
    // A genuine cosignature by the witness key, but over the other log's checkpoint.
    let state = WitnessState::open(&dir.path().join("w")).unwrap();
    let c = state
        .cosign(
            &other,
            Some(&registrar().verifier()),
            &[],
            &witness_signer(1),
            1_800_000_000,
        )
        .unwrap();
    let line = cosignature_line(&c);
    let reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{line}",
        line.len()
    );
    let (url, h) = fake_server(Some(reply.into_bytes()));
    let mut prove = |o, n| ours.prove_consistency(o, n).map_err(NetError::from);
    let out = submit(
        &Client::default(),
        &url,
        &cp,
        0,
        &[witness_signer(1).verifier()],
        &mut prove,
    )
    .unwrap();
    assert!(
        matches!(out, Outcome::Refused(ref why) if why.contains("does not verify")),
        "{out:?}"
    );
    h.join().unwrap();
}
