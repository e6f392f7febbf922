//! Signed notes (checkpoints with signatures and cosignatures) and key strings: never panic;
//! whatever parses re-serialises to text that parses to the same thing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scrutin_log::{Checkpoint, NoteVerifier, SignedCheckpoint, Signer};
use std::sync::OnceLock;

/// The test vectors' public keys (tests/vectors/v1/keys.txt): signer and cosigner forms.
fn trusted() -> &'static [NoteVerifier] {
    static KEYS: OnceLock<Vec<NoteVerifier>> = OnceLock::new();
    KEYS.get_or_init(|| {
        include_str!("../../tests/vectors/v1/keys.txt")
            .lines()
            .filter_map(|l| l.split_once(' '))
            .filter(|(k, _)| k.ends_with("vkey"))
            .map(|(_, v)| NoteVerifier::parse(v).expect("vector key parses"))
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(note) = SignedCheckpoint::parse_note(text) {
        let again = note.to_note_text();
        let reparsed = SignedCheckpoint::parse_note(&again).expect("a parsed note re-parses");
        assert_eq!(reparsed, note);
        assert_eq!(reparsed.to_note_text(), again);
        assert_eq!(
            Checkpoint::parse(&note.checkpoint.body_text()).as_ref(),
            Ok(&note.checkpoint)
        );
        let _ = note.verify(trusted());
        let _ = note.verify(&[]);
    }
    if let Ok(body) = Checkpoint::parse(text) {
        assert_eq!(body.body_text(), text, "a checkpoint body has one encoding");
    }
    if let Ok(v) = NoteVerifier::parse(text) {
        let s = v.to_vkey_string();
        assert_eq!(NoteVerifier::parse(&s).as_ref(), Ok(&v));
        assert_eq!(s, text.trim(), "a verifier key has one string");
    }
    if let Ok(signer) = Signer::from_private_key_string(text) {
        let s = signer.to_private_key_string();
        let again = Signer::from_private_key_string(&s).expect("a parsed key re-parses");
        assert_eq!(again.public_key(), signer.public_key());
        assert_eq!(again.verifier(), signer.verifier());
        assert_eq!(s, text.trim(), "a private key has one string");
    }
});
