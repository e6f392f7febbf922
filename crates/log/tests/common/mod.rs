//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use scrutin_log::{
    root_of, write_bundle, Checkpoint, Entry, Hash, NoteVerifier, SignedCheckpoint, Signer, Witness,
};

pub const ORIGIN: &str = "example.com/scrutin/test";

pub fn signer(name: &str, seed: u8) -> Signer {
    Signer::from_seed(name, [seed; 32]).unwrap()
}

pub fn registrar() -> Signer {
    signer("example.com/registrar", 1)
}

pub fn witness_key() -> Signer {
    signer("example.com/witness", 2)
}

/// `n` chained entries, authored alternately by `authors`, with fixed times.
pub fn chain(authors: &[&Signer], n: u64, payload_len: usize) -> Vec<Entry> {
    let mut prev = Hash::ZERO;
    (0..n)
        .map(|i| {
            let payload: Vec<u8> = (0..payload_len)
                .map(|j| (i as usize * 31 + j) as u8)
                .collect();
            let e = Entry::sign(
                authors[i as usize % authors.len()],
                i,
                prev,
                1_700_000_000_000 + i * 10,
                payload,
            );
            prev = e.hash();
            e
        })
        .collect()
}

/// A checkpoint over `entries` signed by `log_key`, cosigned by `witness` when given.
pub fn checkpoint(
    entries: &[Entry],
    log_key: &Signer,
    witness: Option<&Signer>,
) -> SignedCheckpoint {
    let leaves: Vec<Hash> = entries.iter().map(Entry::hash).collect();
    let cp = Checkpoint {
        origin: ORIGIN.to_owned(),
        size: entries.len() as u64,
        root: root_of(&leaves),
    };
    let mut signed = SignedCheckpoint::sign(cp, log_key);
    if let Some(w) = witness {
        let mut wit = Witness::new(
            Signer::from_private_key_string(&w.to_private_key_string()).unwrap(),
            None,
        );
        let c = wit
            .cosign(&signed, &log_key.verifier(), &[], 1_700_000_000)
            .unwrap();
        signed.add_cosignature(c);
    }
    signed
}

pub fn bundle(entries: &[Entry], cp: &SignedCheckpoint) -> Vec<u8> {
    let mut out = Vec::new();
    write_bundle(cp, entries.iter().cloned(), &mut out).unwrap();
    out
}

pub fn trusted() -> Vec<NoteVerifier> {
    vec![registrar().verifier(), witness_key().verifier()]
}

pub fn soak() -> bool {
    std::env::var("SCRUTIN_SOAK").is_ok_and(|v| v == "1")
}
