//! Hostile but signed bundles: a generated meeting (see `event_sequence`), every entry signed
//! by its author's key and the checkpoint by the registrar's, as a registrar holding its key
//! could write. `verify_bundle` must never panic, must call the bundle VALID exactly when
//! every event is one the rules accept and every declaration certifies the tally at its point,
//! and must then report the tally the rules give.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use scrutin::{origin_for, tally_digest_of_format, verify_bundle};
use scrutin_fuzz::{genesis, keys, step, START_MS};
use scrutin_log::{root_of, write_bundle, Checkpoint, Entry, Hash, SignedCheckpoint};
use scrutin_model::{encode_event, Event, UtcMillis};
use scrutin_tally::Meeting;

const MAX_STEPS: usize = 48;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(convened) = genesis(&mut u) else {
        return;
    };
    let keys = keys();
    let origin = origin_for(&convened.id);
    let mut meeting = Meeting::new();
    let mut all_accepted = true;
    let mut entries = Vec::new();
    let mut prev = Hash::ZERO;
    let mut now = START_MS;
    let mut next = Some((Event::MeetingConvened(convened), 0, UtcMillis(START_MS)));
    while let Some((event, author, at)) = next.take() {
        if let Some(d) = event.declaration() {
            all_accepted &=
                tally_digest_of_format(&meeting.tally(), d.tally_format) == Some(d.tally_sha256);
        }
        all_accepted &= meeting.submit(&event, &keys.authors[author], at).is_ok();
        let Ok(payload) = encode_event(&event) else {
            return;
        };
        let entry = Entry::sign(
            &keys.signers[author],
            entries.len() as u64,
            prev,
            at.0,
            payload,
        );
        prev = entry.hash();
        entries.push(entry);
        // After the first refused event the verifier stops: nothing more to generate.
        if all_accepted && entries.len() <= MAX_STEPS {
            if let Ok(s) = step(&mut u, &meeting, now) {
                now = s.at.0;
                next = Some((s.event, s.author, s.at));
            }
        }
    }
    let root = root_of(&entries.iter().map(Entry::hash).collect::<Vec<_>>());
    let checkpoint = Checkpoint {
        origin,
        size: entries.len() as u64,
        root,
    };
    let signed = SignedCheckpoint::sign(checkpoint, &keys.signers[0]);
    let mut bundle = Vec::new();
    write_bundle(&signed, entries, &mut bundle).expect("a bundle writes to memory");
    let trust = [keys.signers[0].verifier()];
    let report =
        verify_bundle(&bundle[..], &trust, &mut |_, _| {}).expect("the bundle is readable");
    let _ = report.to_json();
    assert_eq!(
        report.is_valid(),
        all_accepted,
        "the verifier and the rules disagree: {:?}",
        report.verdict
    );
    if all_accepted {
        assert_eq!(report.tally.as_ref(), Some(&meeting.tally()));
    }
});
