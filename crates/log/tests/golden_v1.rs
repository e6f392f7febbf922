//! The frozen v1 format: `tests/vectors/v1/` at the repository root holds bytes generated once
//! from fixed seeds. This test rebuilds them in memory and compares byte for byte; it never
//! writes them. (To create a *new* version's set, copy this builder, change the directory to
//! `v2`, and run `SCRUTIN_WRITE_VECTORS=v2 cargo test --test golden_v1`.)

use scrutin_log::{
    consistency_proof, inclusion_proof, root_of, verify_bundle, write_bundle, Checkpoint, Entry,
    Hash, NoteVerifier, SignedCheckpoint, Signer, Verdict, Witness,
};
use std::path::{Path, PathBuf};

const ORIGIN: &str = "example.com/scrutin/v1-vectors";
const T0_MS: u64 = 1_764_000_000_000;
const COSIGN_TIME_S: u64 = 1_764_000_100;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/v1")
}

fn keys() -> (Signer, Signer, Signer) {
    (
        Signer::from_seed("example.com/registrar", [0x01; 32]).unwrap(),
        Signer::from_seed("example.com/scrutineer", [0x02; 32]).unwrap(),
        Signer::from_seed("example.com/witness", [0x03; 32]).unwrap(),
    )
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Every file of the v1 set, built from the fixed seeds.
fn build() -> Vec<(String, Vec<u8>)> {
    let (reg, scr, wit) = keys();
    let payloads: [(&Signer, Vec<u8>, u64); 3] = [
        (&reg, b"hello, scrutin".to_vec(), T0_MS),
        (&scr, Vec::new(), T0_MS),
        (&reg, (0u8..=255).collect(), T0_MS + 1),
    ];
    let mut files = Vec::new();
    let mut entries = Vec::new();
    let mut prev = Hash::ZERO;
    for (i, (signer, payload, t)) in payloads.into_iter().enumerate() {
        let e = Entry::sign(signer, i as u64, prev, t, payload);
        prev = e.hash();
        files.push((format!("entry-{i}.bin"), e.encode()));
        files.push((format!("entry-{i}.leaf.bin"), e.leaf_bytes()));
        files.push((
            format!("entry-{i}.hash"),
            format!("{}\n", e.hash()).into_bytes(),
        ));
        files.push((format!("entry-{i}.signed-message.bin"), e.signed_message()));
        entries.push(e);
    }
    let leaves: Vec<Hash> = entries.iter().map(Entry::hash).collect();
    let cp = Checkpoint {
        origin: ORIGIN.into(),
        size: 3,
        root: root_of(&leaves),
    };
    let mut signed = SignedCheckpoint::sign(cp, &reg);
    let mut w = Witness::new(wit, None);
    let c = w
        .cosign(&signed, &reg.verifier(), &[], COSIGN_TIME_S)
        .unwrap();
    signed.add_cosignature(c);
    files.push(("checkpoint.note".into(), signed.to_note_text().into_bytes()));
    files.push((
        "cosignature.signed-message.txt".into(),
        signed
            .checkpoint
            .cosignature_message(COSIGN_TIME_S)
            .into_bytes(),
    ));
    let mut proofs = String::new();
    for i in 0..3 {
        let p = inclusion_proof(&leaves, i, 3).unwrap();
        proofs.push_str(&format!(
            "inclusion {i} 3 {}\n",
            p.iter().map(Hash::to_hex).collect::<Vec<_>>().join(" ")
        ));
    }
    for m in 1..3 {
        let p = consistency_proof(&leaves, m, 3).unwrap();
        proofs.push_str(&format!(
            "consistency {m} 3 {}\n",
            p.iter().map(Hash::to_hex).collect::<Vec<_>>().join(" ")
        ));
    }
    files.push(("proofs.txt".into(), proofs.into_bytes()));
    let mut bundle = Vec::new();
    let summary = write_bundle(&signed, entries, &mut bundle).unwrap();
    files.push(("bundle.bin".into(), bundle));
    files.push((
        "bundle.sha256".into(),
        format!("{}\n", summary.digest).into_bytes(),
    ));
    let (reg, scr, wit) = keys();
    let keys_txt = format!(
        "# Test keys only: the seeds are public. Never use them for anything real.\n\
         registrar.private {}\nregistrar.vkey {}\nregistrar.ed25519 {}\n\
         scrutineer.private {}\nscrutineer.vkey {}\nscrutineer.ed25519 {}\n\
         witness.private {}\nwitness.vkey {}\nwitness.cosigner-vkey {}\nwitness.ed25519 {}\n",
        reg.to_private_key_string(),
        reg.verifier().to_vkey_string(),
        reg.public_key(),
        scr.to_private_key_string(),
        scr.verifier().to_vkey_string(),
        scr.public_key(),
        wit.to_private_key_string(),
        wit.verifier().to_vkey_string(),
        wit.verifier().to_cosigner_vkey_string(),
        wit.public_key(),
    );
    files.push(("keys.txt".into(), keys_txt.into_bytes()));
    let _ = hex(&[]);
    files
}

#[test]
fn v1_vectors_are_byte_for_byte_stable() {
    let d = dir();
    let built = build();
    let mut missing = Vec::new();
    for (name, bytes) in &built {
        match std::fs::read(d.join(name)) {
            Ok(stored) => assert!(
                stored == *bytes,
                "tests/vectors/v1/{name} differs from what this code produces: the v1 format \
                 changed (stored {} bytes, built {} bytes)",
                stored.len(),
                bytes.len()
            ),
            Err(_) => missing.push(name.clone()),
        }
    }
    assert!(missing.is_empty(), "missing v1 vectors: {missing:?}");
}

#[test]
fn stored_v1_bundle_verifies_and_decodes() {
    let d = dir();
    let bundle = std::fs::read(d.join("bundle.bin")).unwrap();
    let digest = String::from_utf8(std::fs::read(d.join("bundle.sha256")).unwrap()).unwrap();
    assert_eq!(Hash::digest(&bundle).to_hex(), digest.trim());
    let keys = String::from_utf8(std::fs::read(d.join("keys.txt")).unwrap()).unwrap();
    let vkey = |label: &str| {
        let line = keys
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{label} ")))
            .unwrap();
        NoteVerifier::parse(line).unwrap()
    };
    let trusted = [vkey("registrar.vkey"), vkey("witness.cosigner-vkey")];
    let report = verify_bundle(&bundle[..], &trusted).unwrap();
    assert!(
        report.verdict == Verdict::Valid && report.entries == 3,
        "{report:?}"
    );
    assert_eq!(report.digest.to_hex(), digest.trim());
    for i in 0..3 {
        let bytes = std::fs::read(d.join(format!("entry-{i}.bin"))).unwrap();
        let e = Entry::decode(&bytes).unwrap();
        e.verify_signature().unwrap();
        assert_eq!(e.encode(), bytes);
        let h =
            String::from_utf8(std::fs::read(d.join(format!("entry-{i}.hash"))).unwrap()).unwrap();
        assert_eq!(e.hash().to_hex(), h.trim());
    }
    let note = String::from_utf8(std::fs::read(d.join("checkpoint.note")).unwrap()).unwrap();
    let cp = SignedCheckpoint::parse_note(&note).unwrap();
    assert_eq!(cp.to_note_text(), note);
    let v = cp.verify(&trusted).unwrap();
    assert_eq!(v.signed_by, vec!["example.com/registrar".to_string()]);
    assert_eq!(v.cosigned_by.len(), 1);
}

/// Writes a vector set, only when `SCRUTIN_WRITE_VECTORS=v2` (say) names a new version: it
/// refuses to touch an existing directory, since v1 is frozen. Without the variable it does
/// nothing, so it runs in CI only to keep compiling.
#[test]
fn write_vectors() {
    let Ok(version) = std::env::var("SCRUTIN_WRITE_VECTORS") else {
        return;
    };
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(&version);
    assert!(
        !d.exists(),
        "{} exists; vectors are never regenerated",
        d.display()
    );
    std::fs::create_dir_all(&d).unwrap();
    for (name, bytes) in build() {
        std::fs::write(d.join(name), bytes).unwrap();
    }
}
