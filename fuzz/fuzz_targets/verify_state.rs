//! Verification state files and meeting snapshots, the inputs of `verify --since`. The first
//! byte picks the mode:
//!
//! - 0: arbitrary bytes -> `VerifyState::from_bytes`; a state that parses writes back to bytes
//!   that parse to the same state.
//! - 1: `[u32 LE length][snapshot][generator bytes]`: arbitrary bytes -> `Meeting::from_snapshot`;
//!   a meeting that decodes then has generated events checked, applied and submitted, and its
//!   tally (both formats) and announcement computed: never a panic, whatever the snapshot says.
//! - 2: a generated meeting (as `event_sequence`) is snapshotted; the snapshot decodes to a
//!   meeting with the same tally and the same snapshot bytes. Then the rest of the input
//!   edits the snapshot (byte writes at offsets) and the result goes through mode 1's checks.
//! - 3: as 2, from a prefix of one of the tally vectors' meetings (tests/vectors/tally-v2: an
//!   HK AGM, a PRC EGM, a PRC meeting with an H class sitting) instead of a generated one.
//!
//! With `SCRUTIN_FUZZ_SNAPSHOT_OUT=FILE`, modes 2 and 3 write the edited snapshot there (to
//! make a reproducer's snapshot a regression test of `Meeting::from_snapshot`).
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use scrutin::VerifyState;
use scrutin_fuzz::{genesis, keys, step, START_MS};
use scrutin_model::{Event, UtcMillis};
use scrutin_tally::{render_announcement, Meeting};

const MAX_STEPS: usize = 24;

/// What a verifier resuming from `meeting` does with it: check and fold more events, count,
/// print. Nothing may panic.
fn exercise(mut meeting: Meeting, u: &mut Unstructured<'_>) {
    let authors = &keys().authors;
    let mut now = START_MS;
    for _ in 0..MAX_STEPS {
        let tally = meeting.tally();
        let _ = tally.to_json();
        let _ = tally.json_of_format(2);
        let _ = render_announcement(&meeting, &tally);
        let Ok(s) = step(u, &meeting, now) else {
            break;
        };
        now = s.at.0;
        let author = &authors[s.author];
        let checked = meeting.check(&s.event, author, s.at);
        let mut submitted = meeting.clone();
        let result = submitted.submit(&s.event, author, s.at);
        assert_eq!(
            checked.is_ok(),
            result.is_ok(),
            "check and submit disagree on {:?}: {checked:?} vs {result:?}",
            s.event
        );
        if checked.is_ok() {
            meeting.apply(&s.event, author, s.at);
            assert_eq!(meeting.tally(), submitted.tally());
        }
    }
    let _ = meeting.abstentions();
    let _ = meeting.to_snapshot();
}

fn snapshot_then_events(data: &[u8]) {
    let Some((len, rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let len = (u32::from_le_bytes(*len) as usize).min(rest.len());
    let (snapshot, tail) = rest.split_at(len);
    if let Ok(meeting) = Meeting::from_snapshot(snapshot) {
        exercise(meeting, &mut Unstructured::new(tail));
    }
}

fn generated(u: &mut Unstructured<'_>) -> Option<Meeting> {
    let convened = genesis(u).ok()?;
    let authors = &keys().authors;
    let mut meeting = Meeting::new();
    meeting
        .submit(
            &Event::MeetingConvened(convened),
            &authors[0],
            UtcMillis(START_MS),
        )
        .ok()?;
    let mut now = START_MS;
    let steps = u.arbitrary::<u8>().unwrap_or(0) % 48;
    for _ in 0..steps {
        let Ok(s) = step(u, &meeting, now) else {
            break;
        };
        now = s.at.0;
        // Only events a log can hold (decoding validates them), as a verifier folds them.
        if s.event.validate().is_ok() {
            let _ = meeting.submit(&s.event, &authors[s.author], s.at);
        }
    }
    Some(meeting)
}

const VECTORS: [&str; 3] = [
    include_str!("../../tests/vectors/tally-v2/hk-agm/events.txt"),
    include_str!("../../tests/vectors/tally-v2/prc-egm/events.txt"),
    include_str!("../../tests/vectors/tally-v2/prc-sittings/events.txt"),
];

fn unhex(text: &str) -> Option<Vec<u8>> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A prefix of a vector meeting (lines "AUTHOR_HEX RECORDED_MS EVENT_HEX").
fn vector(u: &mut Unstructured<'_>) -> Option<Meeting> {
    let text = VECTORS[usize::from(u.arbitrary::<u8>().ok()?) % VECTORS.len()];
    let take = usize::from(u.arbitrary::<u8>().ok()?);
    let mut meeting = Meeting::new();
    for line in text.lines().take(take) {
        let mut parts = line.split_whitespace();
        let author: [u8; 32] = unhex(parts.next()?)?.try_into().ok()?;
        let at = UtcMillis(parts.next()?.parse().ok()?);
        let event = scrutin_model::decode_event(&unhex(parts.next()?)?).ok()?;
        meeting
            .submit(&event, &scrutin_model::AuthorKey(author), at)
            .ok()?;
    }
    Some(meeting)
}

fn snapshotted_then_edited(u: &mut Unstructured<'_>, meeting: Meeting) {
    let Ok(snapshot) = meeting.to_snapshot() else {
        return;
    };
    let restored = Meeting::from_snapshot(&snapshot).expect("a snapshot written decodes");
    assert_eq!(
        restored.tally(),
        meeting.tally(),
        "the snapshot changed the tally"
    );
    assert_eq!(
        restored.to_snapshot().ok().as_ref(),
        Some(&snapshot),
        "a restored meeting snapshots differently"
    );
    // Edits: a count, then (offset, byte) pairs past the magic and version.
    let edits = u.arbitrary::<u8>().unwrap_or(0) % 8;
    let mut snapshot = snapshot;
    let body = snapshot.len().saturating_sub(20);
    for _ in 0..edits {
        let (Ok(at), Ok(byte)) = (u.arbitrary::<u16>(), u.arbitrary::<u8>()) else {
            break;
        };
        if body > 0 {
            snapshot[20 + usize::from(at) % body] = byte;
        }
    }
    // To turn a reproducer into a snapshot for a regression test: the edited bytes.
    if let Some(path) = std::env::var_os("SCRUTIN_FUZZ_SNAPSHOT_OUT") {
        let _ = std::fs::write(path, &snapshot);
    }
    if let Ok(meeting) = Meeting::from_snapshot(&snapshot) {
        exercise(meeting, u);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut u = Unstructured::new(rest);
    match mode % 4 {
        0 => {
            if let Ok(state) = VerifyState::from_bytes(rest) {
                let again =
                    VerifyState::from_bytes(&state.to_bytes()).expect("a state written parses");
                assert_eq!(again, state, "a state does not read back as written");
            }
        }
        1 => snapshot_then_events(rest),
        2 => {
            if let Some(m) = generated(&mut u) {
                snapshotted_then_edited(&mut u, m);
            }
        }
        _ => {
            if let Some(m) = vector(&mut u) {
                snapshotted_then_edited(&mut u, m);
            }
        }
    }
});
