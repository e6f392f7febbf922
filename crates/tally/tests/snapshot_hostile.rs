//! Crafted meeting snapshots (the state file of `verify --since` is an input): each one here
//! decoded, before `Meeting::from_snapshot` checked the records it restored, into a meeting
//! whose count or checks panicked. Each is now refused as inconsistent. The files come from
//! the fuzzer (fuzz/fuzz_targets/verify_state.rs; the reproducers are in
//! fuzz/regressions/verify_state/, their snapshots written with `SCRUTIN_FUZZ_SNAPSHOT_OUT`).

use scrutin_model::{AuthorKey, Event, UtcMillis};
use scrutin_tally::{render_announcement, Meeting, SnapshotError};

/// Refused as inconsistent; were it restored, counting, printing and checking an event on it
/// must not panic (what the fix guarantees either way).
fn refused(name: &str, bytes: &[u8]) {
    match Meeting::from_snapshot(bytes) {
        Err(SnapshotError::Inconsistent(why)) => assert!(!why.is_empty(), "{name}"),
        Err(other) => panic!("{name}: refused, but not as inconsistent: {other}"),
        Ok(meeting) => {
            let tally = meeting.tally();
            let _ = render_announcement(&meeting, &tally);
            let _ = meeting.check(&Event::RegisterClosed, &AuthorKey([0; 32]), UtcMillis(0));
            panic!("{name}: a crafted snapshot was restored");
        }
    }
}

/// A register line naming class 211 of a meeting of 2 classes: the count indexed its
/// per-class totals with it (count.rs, "index out of bounds"). The fuzzer's snapshot is of
/// layout 1, which this build refuses outright; the same lie in the current layout is
/// `snapshot::tests::a_line_of_a_class_out_of_range_is_refused` (crate-internal: the records
/// are private).
#[test]
fn a_line_of_a_class_out_of_range_in_the_first_layout_is_refused() {
    let bytes = include_bytes!("hostile-snapshots/line-class-out-of-range.bin");
    match Meeting::from_snapshot(bytes) {
        Err(SnapshotError::UnsupportedVersion { found: 1, .. }) => {}
        _ => refused("line-class-out-of-range", bytes),
    }
}
