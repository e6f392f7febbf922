//! Hostile input: lies about sizes, garbage, empty files. Always a clear error or a broken
//! verdict; never a panic, never a large allocation.

mod common;

use common::*;
use proptest::prelude::*;
use scrutin_log::{
    verify_bundle, Checkpoint, Entry, Hash, LogError, NoteVerifier, SignedCheckpoint, Signer,
    Verdict, BUNDLE_MAGIC,
};

/// Peak virtual memory of this process (`VmPeak`, kB), to catch huge reservations even if
/// they are never touched.
fn vm_peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmPeak:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn be_string(s: &str) -> Vec<u8> {
    let mut v = (s.len() as u64).to_be_bytes().to_vec();
    v.extend_from_slice(s.as_bytes());
    v
}

/// A bundle prefix: magic, version, and a header announcing `entries` with `note`.
fn prefix(entries: u64, note: &str) -> Vec<u8> {
    let mut header = be_string(ORIGIN);
    header.extend_from_slice(&entries.to_be_bytes());
    header.extend_from_slice(&be_string(note));
    let mut b = BUNDLE_MAGIC.to_vec();
    b.extend_from_slice(&1u16.to_be_bytes());
    b.extend_from_slice(&(header.len() as u32).to_be_bytes());
    b.extend_from_slice(&header);
    b
}

fn broken(bytes: &[u8]) -> (Option<u64>, String, String) {
    match verify_bundle(bytes, &trusted()).unwrap().verdict {
        Verdict::Broken {
            at_entry,
            check,
            reason,
        } => (at_entry, check, reason),
        v => panic!("accepted: {v:?}"),
    }
}

#[test]
fn lies_about_sizes_and_empty_inputs() {
    let before = vm_peak_kb();
    // Empty file and other non-bundles: a usage-level error, not a verdict.
    assert!(matches!(
        verify_bundle(&b""[..], &trusted()),
        Err(LogError::NotABundle(_))
    ));
    assert!(matches!(
        verify_bundle(&b"SCRUTLO"[..], &trusted()),
        Err(LogError::NotABundle(_))
    ));
    assert!(matches!(
        verify_bundle(&b"holder,name,class,shares\n"[..], &trusted()),
        Err(LogError::NotABundle(_))
    ));
    let mut v2 = BUNDLE_MAGIC.to_vec();
    v2.extend_from_slice(&2u16.to_be_bytes());
    assert_eq!(
        verify_bundle(&v2[..], &trusted()),
        Err(LogError::UnsupportedVersion(2))
    );
    // A bundle cut short after its magic is a bundle, damaged: a verdict at check 1.
    let mut only_magic = BUNDLE_MAGIC.to_vec();
    let (at, check, reason) = broken(&only_magic);
    assert_eq!((at, check.as_str()), (None, "format"));
    assert!(reason.contains("ends before its version"), "{reason}");
    only_magic.push(0);
    let (at, check, _) = broken(&only_magic);
    assert_eq!((at, check.as_str()), (None, "format"));

    // A header length of 4 GiB.
    let mut b = BUNDLE_MAGIC.to_vec();
    b.extend_from_slice(&1u16.to_be_bytes());
    b.extend_from_slice(&u32::MAX.to_be_bytes());
    let (at, check, reason) = broken(&b);
    assert_eq!((at, check.as_str()), (None, "format"));
    assert!(reason.contains("header length"), "{reason}");

    // A valid header, then an entry claiming 4 GiB.
    let entries = chain(&[&registrar()], 1, 4);
    let cp = checkpoint(&entries, &registrar(), None);
    let mut b = prefix(1, &cp.to_note_text());
    b.extend_from_slice(&u32::MAX.to_be_bytes());
    b.extend_from_slice(&[0u8; 100]);
    let (at, check, reason) = broken(&b);
    assert_eq!((at, check.as_str()), (Some(0), "format"));
    assert!(reason.contains("exceeds the limit"), "{reason}");

    // An entry claiming 1 MiB (allowed) on a file that ends right after.
    let mut b = prefix(1, &cp.to_note_text());
    b.extend_from_slice(&(1u32 << 20).to_be_bytes());
    let (at, _, reason) = broken(&b);
    assert_eq!(at, Some(0));
    assert!(reason.contains("ends inside entry"), "{reason}");

    // A header announcing 2^64-1 entries (and a checkpoint to match) on a short file.
    let huge = SignedCheckpoint::sign(
        Checkpoint {
            origin: ORIGIN.into(),
            size: u64::MAX,
            root: Hash::ZERO,
        },
        &registrar(),
    );
    let mut b = prefix(u64::MAX, &huge.to_note_text());
    b.extend_from_slice(&(entries[0].encode().len() as u32).to_be_bytes());
    b.extend_from_slice(&entries[0].encode());
    let (at, check, _) = broken(&b);
    assert_eq!((at, check.as_str()), (Some(1), "format"));

    // Entry bytes whose payload length field claims 2^62 bytes.
    let mut e = entries[0].encode();
    e[80..88].copy_from_slice(&(1u64 << 62).to_be_bytes());
    assert!(matches!(Entry::decode(&e), Err(LogError::Decode(_))));
    // Trailing bytes and non-canonical encodings.
    let mut e = entries[0].encode();
    e.push(0);
    assert!(Entry::decode(&e).is_err());
    assert!(Entry::decode(&[]).is_err());

    let grown_kb = vm_peak_kb().saturating_sub(before);
    assert!(
        grown_kb < 512 * 1024,
        "peak virtual memory grew by {grown_kb} kB"
    );
}

fn is_valid(r: &Result<scrutin_log::BundleReport, LogError>) -> bool {
    matches!(r, Ok(rep) if rep.verdict == Verdict::Valid)
}

fn cases() -> u32 {
    if soak() {
        20_000
    } else {
        256
    }
}

fn valid_bundle() -> &'static [u8] {
    static B: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    B.get_or_init(|| {
        let entries = chain(&[&registrar()], 8, 6);
        bundle(
            &entries,
            &checkpoint(&entries, &registrar(), Some(&witness_key())),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = verify_bundle(&bytes[..], &trusted());
        let mut with_magic = BUNDLE_MAGIC.to_vec();
        with_magic.extend_from_slice(&1u16.to_be_bytes());
        with_magic.extend_from_slice(&bytes);
        let r = verify_bundle(&with_magic[..], &trusted());
        prop_assert!(!is_valid(&r), "accepted");
        let _ = Entry::decode(&bytes);
        let text = String::from_utf8_lossy(&bytes);
        let _ = SignedCheckpoint::parse_note(&text);
        let _ = Checkpoint::parse(&text);
        let _ = NoteVerifier::parse(&text);
        let _ = Signer::from_private_key_string(&text);
    }

    #[test]
    fn mutated_bundles_are_never_valid(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let good = valid_bundle();
        let mut b = good.to_vec();
        for (i, v) in &edits {
            let i = i.index(b.len());
            b[i] = *v;
        }
        if let Some(c) = cut {
            b.truncate(c.index(b.len()));
        }
        let r = verify_bundle(&b[..], &trusted());
        if b != good {
            prop_assert!(!is_valid(&r), "accepted");
        }
    }
}
