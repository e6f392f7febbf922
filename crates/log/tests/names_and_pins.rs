//! Text that reaches a terminal (origins, key names), one encoding per key ID and per
//! checkpoint, and pinning a checkpoint's origin and witness quorum.

mod common;

use base64::Engine as _;
use common::*;
use scrutin_log::{
    escape_for_display, is_display_hazard, verify_bundle, Checkpoint, Hash, Log, LogError,
    NoteVerifier, Pin, SignedCheckpoint, Signer, Verdict, Witnessing,
};

/// Characters a crafted file might use to rewrite what a terminal shows: ESC (ANSI sequences),
/// TAB, DEL, CR, NEL (U+0085) and CSI (U+009B).
const CONTROLS: [char; 6] = ['\u{1b}', '\t', '\u{7f}', '\r', '\u{85}', '\u{9b}'];

#[test]
fn origins_with_a_control_character_are_refused_everywhere_they_are_read() {
    for c in CONTROLS {
        let origin = format!("scrutin/EGM{c}[2J");
        let body = format!("{origin}\n1\n{}\n", Hash::ZERO.to_base64());
        let e = Checkpoint::parse(&body).unwrap_err();
        assert!(e.to_string().contains("control character"), "{c:?}: {e}");
        assert!(!e.to_string().contains(c), "the error quotes it escaped");
        let cp = Checkpoint {
            origin: origin.clone(),
            size: 1,
            root: Hash::ZERO,
        };
        let note = SignedCheckpoint::sign(cp, &registrar()).to_note_text();
        assert!(SignedCheckpoint::parse_note(&note).is_err(), "{c:?}");
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Log::create(&dir.path().join("log"), &origin),
            Err(LogError::Usage(_))
        ));
    }
    // Not control characters: accepted (C2SP allows any text in an origin line).
    assert!(Checkpoint::parse(&format!(
        "scrutin/é\u{200f}\n1\n{}\n",
        Hash::ZERO.to_base64()
    ))
    .is_ok());
}

#[test]
fn key_names_with_a_control_character_are_refused_in_keys_vkeys_and_notes() {
    let w = witness_key();
    let vkey = w.verifier().to_vkey_string();
    for c in ['\u{1b}', '\u{7f}', '\u{9b}', '\u{0}'] {
        let name = format!("example.com/w{c}tness");
        assert!(Signer::from_seed(&name, [2; 32]).is_err(), "{c:?}");
        let bad_vkey = vkey.replacen("example.com/witness", &name, 1);
        let e = NoteVerifier::parse(&bad_vkey).unwrap_err();
        assert!(e.to_string().contains("control character"), "{c:?}: {e}");
        assert!(!e.to_string().contains(c));
        let private = w
            .to_private_key_string()
            .replacen("example.com/witness", &name, 1);
        assert!(Signer::from_private_key_string(&private).is_err());
        // A signature line naming the key so.
        let entries = chain(&[&registrar()], 3, 4);
        let note = checkpoint(&entries, &registrar(), Some(&w))
            .to_note_text()
            .replacen(
                "\u{2014} example.com/witness ",
                &format!("\u{2014} {name} "),
                1,
            );
        let e = SignedCheckpoint::parse_note(&note).unwrap_err();
        assert!(e.to_string().contains("control character"), "{c:?}: {e}");
    }
}

/// A crafted bundle whose witness name carries an ANSI sequence is broken at the format
/// check, and nothing the report says contains the raw control character.
#[test]
fn a_bundle_with_an_escape_in_a_key_name_is_broken_and_its_report_is_clean() {
    let reg = registrar();
    let entries = chain(&[&reg], 4, 8);
    let cp = checkpoint(&entries, &reg, Some(&witness_key()));
    let good = bundle(&entries, &cp);
    // Same length, so the header's lengths stay right.
    let from = b"\xe2\x80\x94 example.com/witness";
    let to = b"\xe2\x80\x94 example.com/wi\x1bness";
    let at = good.windows(from.len()).position(|w| w == from).unwrap();
    let mut bad = good.clone();
    bad[at..at + from.len()].copy_from_slice(to);
    let r = verify_bundle(&bad[..], &trusted()).unwrap();
    match &r.verdict {
        Verdict::Broken { check, reason, .. } => {
            assert_eq!(check, "format");
            assert!(reason.contains("control character"), "{reason}");
            assert!(!reason.contains('\u{1b}'));
        }
        v => panic!("accepted: {v:?}"),
    }
    for c in &r.checks {
        assert!(!c.detail.chars().any(is_display_hazard), "{:?}", c.detail);
    }
}

#[test]
fn key_ids_are_lowercase_hex_only() {
    let v = witness_key().verifier();
    let vkey = v.to_vkey_string();
    let id = vkey.split('+').nth(1).unwrap();
    assert!(
        id.bytes().any(|b| b.is_ascii_alphabetic()),
        "pick a key whose id has a letter: {id}"
    );
    let upper = vkey.replacen(id, &id.to_uppercase(), 1);
    let e = NoteVerifier::parse(&upper).unwrap_err();
    assert!(e.to_string().contains("lowercase"), "{e}");
    assert_eq!(NoteVerifier::parse(&vkey).unwrap(), v);
    let sk = witness_key().to_private_key_string();
    let skid = sk.split('+').nth(3).unwrap();
    assert!(skid.bytes().any(|b| b.is_ascii_alphabetic()));
    assert!(Signer::from_private_key_string(&sk.replacen(skid, &skid.to_uppercase(), 1)).is_err());
}

/// A root or signature in base64 whose padding bits are not zero decodes to the same bytes as
/// the canonical text: accepting it would give one checkpoint several encodings.
#[test]
fn base64_with_non_canonical_padding_bits_is_refused() {
    let root = Hash::digest(b"root");
    let canonical = root.to_base64();
    assert_eq!(canonical.len(), 44);
    assert!(canonical.ends_with('='));
    // The 43rd character carries 4 data bits and 2 padding bits: set a padding bit.
    let mut chars: Vec<char> = canonical.chars().collect();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let pos = alphabet.find(chars[42]).unwrap();
    chars[42] = alphabet.chars().nth(pos ^ 1).unwrap();
    let sloppy: String = chars.into_iter().collect();
    assert!(Hash::from_base64(&sloppy).is_err());
    assert!(
        Hash::from_base64(canonical.trim_end_matches('=')).is_err(),
        "padding required"
    );
    assert_eq!(Hash::from_base64(&canonical).unwrap(), root);
    let body = |r: &str| format!("o\n1\n{r}\n");
    assert!(Checkpoint::parse(&body(&canonical)).is_ok());
    assert!(Checkpoint::parse(&body(&sloppy)).is_err());

    // A signature line (68 bytes: the last character holds 2 padding bits).
    let entries = chain(&[&registrar()], 2, 4);
    let note = checkpoint(&entries, &registrar(), None).to_note_text();
    let line = note.lines().last().unwrap();
    let b64 = line.rsplit(' ').next().unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert_eq!(bytes.len(), 68);
    let mut c: Vec<char> = b64.chars().collect();
    let i = c.len() - 2; // before the "="
    let pos = alphabet.find(c[i]).unwrap();
    c[i] = alphabet.chars().nth(pos ^ 1).unwrap();
    let sloppy_line = line.replacen(b64, &c.into_iter().collect::<String>(), 1);
    assert!(SignedCheckpoint::parse_note(&note.replacen(line, &sloppy_line, 1)).is_err());
}

#[test]
fn signature_lines_may_come_in_any_order_and_are_written_signatures_first() {
    let entries = chain(&[&registrar()], 3, 4);
    let cp = checkpoint(&entries, &registrar(), Some(&witness_key()));
    let text = cp.to_note_text();
    let lines: Vec<&str> = text.lines().collect();
    let (sig, cosig) = (lines[4], lines[5]);
    assert!(sig.starts_with("\u{2014} example.com/registrar "));
    let swapped = text.replacen(
        &format!("{sig}\n{cosig}\n"),
        &format!("{cosig}\n{sig}\n"),
        1,
    );
    assert_ne!(swapped, text);
    let parsed = SignedCheckpoint::parse_note(&swapped).unwrap();
    assert_eq!(parsed, cp);
    assert_eq!(parsed.to_note_text(), text);
    // Adding the same signer twice keeps one line.
    let mut twice = cp.clone();
    twice.add_signature(&registrar());
    assert_eq!(twice.signers().len(), 1);
    assert!(SignedCheckpoint::parse_note(&twice.to_note_text()).is_ok());
}

fn witness2() -> Signer {
    signer("example.com/witness2", 3)
}

#[test]
fn witnessing_sorts_trusted_witnesses_into_cosigned_and_silent() {
    let reg = registrar();
    let entries = chain(&[&reg], 3, 4);
    let cp = checkpoint(&entries, &reg, Some(&witness_key()));
    let cosigner_form =
        NoteVerifier::parse(&witness_key().verifier().to_cosigner_vkey_string()).unwrap();
    let trusted = [
        reg.verifier(),
        witness_key().verifier(),
        cosigner_form,
        witness2().verifier(),
    ];
    assert_eq!(
        cp.witnessing(&trusted),
        Witnessing {
            cosigned: vec![("example.com/witness".into(), 1_700_000_000)],
            silent: vec!["example.com/witness2".into()],
        },
        "the signer is no witness and a key given twice counts once"
    );
}

#[test]
fn a_pin_checks_origin_and_quorum_and_names_who_did_what() {
    let reg = registrar();
    let entries = chain(&[&reg], 3, 4);
    let cp = checkpoint(&entries, &reg, Some(&witness_key()));
    let trusted = [
        reg.verifier(),
        witness_key().verifier(),
        witness2().verifier(),
    ];
    assert!(Pin::default().is_empty());
    assert_eq!(Pin::default().check(&cp, &trusted), Ok(String::new()));

    let pin = Pin {
        origin: Some(ORIGIN.into()),
        quorum: 1,
    };
    let ok = pin.check(&cp, &trusted).unwrap();
    assert!(
        ok.contains("as expected") && ok.contains("example.com/witness"),
        "{ok}"
    );

    let other = Pin {
        origin: Some("scrutin/OTHER".into()),
        quorum: 0,
    };
    let e = other.check(&cp, &trusted).unwrap_err();
    assert!(
        e.contains(&format!("{ORIGIN:?}")) && e.contains("\"scrutin/OTHER\""),
        "{e}"
    );

    let two = Pin {
        origin: None,
        quorum: 2,
    };
    let e = two.check(&cp, &trusted).unwrap_err();
    assert!(e.starts_with("1 of the 2"), "{e}");
    assert!(e.contains("cosigned by example.com/witness;"), "{e}");
    assert!(e.contains("did not cosign: example.com/witness2"), "{e}");

    // The registrar's own key never counts towards the quorum, even as a cosigner.
    let mut self_cosigned = cp.clone();
    let mut w = scrutin_log::Witness::new(registrar(), None);
    self_cosigned.add_cosignature(w.cosign(&cp, &reg.verifier(), &[], 5).unwrap());
    let one = Pin {
        origin: None,
        quorum: 1,
    };
    let only_reg = [reg.verifier()];
    let e = one.check(&self_cosigned, &only_reg).unwrap_err();
    assert!(e.starts_with("0 of the 1"), "{e}");
}

#[test]
fn escaping_for_display_is_exported_for_printers() {
    assert_eq!(escape_for_display("a\u{1b}b"), "a\\u{1b}b");
}
