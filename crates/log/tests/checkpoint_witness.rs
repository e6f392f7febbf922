//! Checkpoint notes (C2SP tlog-checkpoint + signed-note), cosignatures, and the witness.

mod common;

use common::*;
use scrutin_log::{
    consistency_proof, root_of, Checkpoint, Entry, Hash, InconsistencyReason, LogError,
    NoteVerifier, SignedCheckpoint, Witness,
};

fn cp_of(entries: &[Entry], n: usize) -> SignedCheckpoint {
    checkpoint(&entries[..n], &registrar(), None)
}

#[test]
fn note_text_round_trips_and_verifies() {
    let entries = chain(&[&registrar()], 10, 4);
    let mut cp = cp_of(&entries, 10);
    let text = cp.to_note_text();
    assert!(text.starts_with(&format!("{ORIGIN}\n10\n")));
    assert!(text.contains("\n\n\u{2014} example.com/registrar "));
    assert_eq!(SignedCheckpoint::parse_note(&text).unwrap(), cp);
    let v = cp.verify(&[registrar().verifier()]).unwrap();
    assert_eq!(v.signed_by, vec!["example.com/registrar"]);
    assert!(v.cosigned_by.is_empty());
    // Cosigned: both lines survive a round trip; unknown keys are listed, not fatal.
    let mut w = Witness::new(witness_key(), None);
    cp.add_cosignature(
        w.cosign(&cp, &registrar().verifier(), &[], 1_800_000_000)
            .unwrap(),
    );
    let again = SignedCheckpoint::parse_note(&cp.to_note_text()).unwrap();
    assert_eq!(again, cp);
    assert_eq!(again.cosigners()[0].timestamp, 1_800_000_000);
    assert_eq!(again.signers().len(), 1);
    let v = again.verify(&trusted()).unwrap();
    assert_eq!(
        v.cosigned_by,
        vec![("example.com/witness".to_string(), 1_800_000_000)]
    );
    let v = again.verify(&[registrar().verifier()]).unwrap();
    assert_eq!(v.unknown.len(), 1);
    // No trusted signer at all: error.
    assert!(matches!(
        again.verify(&[witness_key().verifier()]),
        Err(LogError::Checkpoint(_))
    ));
    // A trusted key whose line does not verify: error.
    let mut bad = again.clone();
    bad.checkpoint.size = 9;
    assert!(bad.verify(&trusted()).is_err());
}

#[test]
fn malformed_notes_are_rejected() {
    let entries = chain(&[&registrar()], 3, 4);
    let good = cp_of(&entries, 3).to_note_text();
    let cases = [
        String::new(),
        good.replace("\n\n", "\n"),
        good.trim_end().to_string(),
        good.replace("\u{2014} ", "- "),
        good.replacen("\n3\n", "\n03\n", 1),
        good.replacen("\n3\n", "\n+3\n", 1),
        good.replacen("\n3\n", "\n3\nextension line\n", 1),
        good.replacen(ORIGIN, "", 1),
        good.replacen("=\n\n", "\n\n", 1),
        format!("{good}\u{2014} x AAAA\n"),
    ];
    for c in cases {
        assert!(SignedCheckpoint::parse_note(&c).is_err(), "{c:?}");
    }
    assert!(Checkpoint::parse("o\n1\nnot-base64\n").is_err());
}

#[test]
fn witness_cosigns_only_consistent_growth() {
    let reg = registrar();
    let entries = chain(&[&reg], 20, 4);
    let leaves: Vec<Hash> = entries.iter().map(Entry::hash).collect();
    let log_key = reg.verifier();
    let mut w = Witness::new(witness_key(), None);
    // First sight: trusted without proof.
    let c5 = cp_of(&entries, 5);
    let cos = w.cosign(&c5, &log_key, &[], 100).unwrap();
    assert_eq!(cos.name, "example.com/witness");
    assert_eq!(cos.key_id, witness_key().verifier().cosigner_key_id());
    assert_eq!(w.last(), Some(&c5.checkpoint));
    // Consistent growth with a proof.
    let c12 = cp_of(&entries, 12);
    let p = consistency_proof(&leaves, 5, 12).unwrap();
    w.cosign(&c12, &log_key, &p, 101).unwrap();
    assert_eq!(w.last().unwrap().size, 12);
    // Same size and root again is fine.
    w.cosign(&c12, &log_key, &[], 102).unwrap();

    // A fork: a different history of 15 entries.
    let other = chain(&[&reg], 15, 5);
    let forked = cp_of(&other, 15);
    let other_leaves: Vec<Hash> = other.iter().map(Entry::hash).collect();
    let p = consistency_proof(&other_leaves, 12, 15).unwrap();
    let err = w.cosign(&forked, &log_key, &p, 103).unwrap_err();
    assert!(matches!(err.reason, InconsistencyReason::ProofFailed(_)));
    assert_eq!(err.old.as_ref().unwrap().size, 12);
    assert_eq!(err.new, forked);
    assert_eq!(err.proof, p);
    assert!(err.to_string().contains("consistency proof fails"));
    assert_eq!(
        w.last().unwrap().size,
        12,
        "a refused checkpoint is not adopted"
    );

    // A good checkpoint with a wrong proof.
    let c20 = cp_of(&entries, 20);
    let wrong = consistency_proof(&leaves, 11, 20).unwrap();
    assert!(w.cosign(&c20, &log_key, &wrong, 104).is_err());
    // Rollback.
    let err = w.cosign(&c5, &log_key, &[], 105).unwrap_err();
    assert_eq!(err.reason, InconsistencyReason::Rollback);
    // Same size, other root.
    let same_size_fork = cp_of(&other, 12);
    let err = w.cosign(&same_size_fork, &log_key, &[], 106).unwrap_err();
    assert!(matches!(err.reason, InconsistencyReason::ProofFailed(_)));
    // Not signed by the log's key.
    let mallory = signer("example.com/registrar", 77);
    let forged = checkpoint(&entries, &mallory, None);
    let err = w
        .cosign(
            &forged,
            &log_key,
            &consistency_proof(&leaves, 12, 20).unwrap(),
            107,
        )
        .unwrap_err();
    assert_eq!(err.reason, InconsistencyReason::NotSignedByLog);
    // Other origin.
    let mut renamed = c20.checkpoint.clone();
    renamed.origin = "example.com/other".into();
    let renamed = SignedCheckpoint::sign(renamed, &reg);
    let err = w
        .cosign(
            &renamed,
            &log_key,
            &consistency_proof(&leaves, 12, 20).unwrap(),
            108,
        )
        .unwrap_err();
    assert_eq!(err.reason, InconsistencyReason::OriginMismatch);
    // And the right proof for 12 -> 20 works.
    let c = w
        .cosign(
            &c20,
            &log_key,
            &consistency_proof(&leaves, 12, 20).unwrap(),
            109,
        )
        .unwrap();
    let mut cosigned = c20.clone();
    cosigned.add_cosignature(c);
    cosigned
        .verify(&[log_key.clone(), witness_key().verifier()])
        .unwrap();
    let _ = root_of(&leaves);
    let _: Option<NoteVerifier> = None;
}

#[test]
fn a_cosigner_key_verifies_cosignatures_and_never_a_note_signature() {
    let entries = chain(&[&registrar()], 4, 4);
    let mut cp = cp_of(&entries, 4);
    let mut w = Witness::new(witness_key(), None);
    cp.add_cosignature(
        w.cosign(&cp, &registrar().verifier(), &[], 1_800_000_000)
            .unwrap(),
    );
    let cosigner = NoteVerifier::parse(&witness_key().verifier().to_cosigner_vkey_string())
        .expect("a C2SP cosigner vkey parses");
    assert!(cosigner.is_cosign_only() && !cosigner.may_sign());
    assert_eq!(
        NoteVerifier::parse(&cosigner.to_vkey_string()).unwrap(),
        cosigner,
        "the vkey string keeps the key's trust"
    );
    let v = cp
        .verify(&[registrar().verifier(), cosigner.clone()])
        .unwrap();
    assert_eq!(v.cosigned_by.len(), 1, "its cosignature counts");
    // The registrar trusted only as a cosigner: its note signature no longer counts.
    let registrar_as_cosigner =
        NoteVerifier::parse(&registrar().verifier().to_cosigner_vkey_string()).unwrap();
    assert!(matches!(
        cp.verify(&[registrar_as_cosigner, cosigner]),
        Err(LogError::Checkpoint(_))
    ));
    // A witness never accepts a log key trusted only to cosign.
    let mut w2 = Witness::new(witness_key(), None);
    let log_as_cosigner =
        NoteVerifier::parse(&registrar().verifier().to_cosigner_vkey_string()).unwrap();
    assert!(w2
        .cosign(&cp, &log_as_cosigner, &[], 1_800_000_000)
        .is_err());
}
