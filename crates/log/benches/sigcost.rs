//! A fixed workload for `valgrind --tool=callgrind` (instruction counts are deterministic
//! under load, unlike timings): `SIGCOST_MODE` = `strict` (`verify_strict` of each entry
//! signature), `dalek-batch` (ed25519-dalek `verify_batch`, chunks of 256), `bundle`
//! (`verify_bundle` of the same entries, which batch-verifies them) or `none` (setup only,
//! to subtract). Divide the difference with `none` by `SIGCOST_N` (default 4096).
//!
//! ```text
//! cargo bench -p scrutin-log --bench sigcost --no-run
//! SIGCOST_MODE=bundle valgrind --tool=callgrind target/release/deps/sigcost-<hash>
//! ```

use ed25519_dalek::{Signature, VerifyingKey};
use scrutin_log::{verify_bundle, Entry, Hash, Signer};
use std::hint::black_box;

fn main() {
    let mode = std::env::var("SIGCOST_MODE").unwrap_or_else(|_| "none".into());
    let n: u64 = std::env::var("SIGCOST_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4096);
    let s = Signer::from_seed("bench.example/registrar", [42; 32]).unwrap();
    let mut prev = Hash::ZERO;
    let entries: Vec<Entry> = (0..n)
        .map(|i| {
            let mut p = vec![0u8; 200];
            p[..8].copy_from_slice(&i.to_be_bytes());
            let e = Entry::sign(&s, i, prev, 1_700_000_000_000, p);
            prev = e.hash();
            e
        })
        .collect();
    let cp = {
        let leaves: Vec<Hash> = entries.iter().map(Entry::hash).collect();
        scrutin_log::SignedCheckpoint::sign(
            scrutin_log::Checkpoint {
                origin: "bench.example/log".into(),
                size: n,
                root: scrutin_log::root_of(&leaves),
            },
            &s,
        )
    };
    let mut bundle = Vec::new();
    scrutin_log::write_bundle(&cp, entries.iter().cloned(), &mut bundle).unwrap();
    let vk = VerifyingKey::from_bytes(s.public_key().as_bytes()).unwrap();
    let msgs: Vec<Vec<u8>> = entries.iter().map(Entry::signed_message).collect();
    let sigs: Vec<Signature> = entries
        .iter()
        .map(|e| Signature::from_bytes(&e.signature))
        .collect();
    match mode.as_str() {
        "strict" => {
            for (m, sig) in msgs.iter().zip(&sigs) {
                assert!(vk.verify_strict(black_box(m), sig).is_ok());
            }
        }
        "dalek-batch" => {
            let keys = vec![vk; 256];
            for (m, sig) in msgs.chunks(256).zip(sigs.chunks(256)) {
                let refs: Vec<&[u8]> = m.iter().map(Vec::as_slice).collect();
                assert!(ed25519_dalek::verify_batch(&refs, sig, &keys[..m.len()]).is_ok());
            }
        }
        "bundle" => {
            let r = verify_bundle(black_box(&bundle[..]), &[s.verifier()]).unwrap();
            assert!(matches!(r.verdict, scrutin_log::Verdict::Valid));
        }
        _ => {}
    }
}
