//! Generated meetings through `Meeting::check/apply/submit`, `tally` and
//! `render_announcement`: never panic; `check` then `apply` and `submit` agree; a refused
//! `submit` leaves the tally unchanged; after a resolution's poll closes nothing changes how it
//! counts, and after the declaration nothing changes the tally at all.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use scrutin_fuzz::{genesis, keys, step, START_MS};
use scrutin_model::{Event, ResolutionId, UtcMillis};
use scrutin_tally::{render_announcement, Meeting, Tally};

const MAX_STEPS: usize = 64;

fn closed(meeting: &Meeting, tally: &Tally) -> Vec<(String, String)> {
    tally
        .resolutions
        .iter()
        .filter(|r| ResolutionId::new(r.id.as_str()).is_ok_and(|id| meeting.poll_closed(&id)))
        .map(|r| (r.id.clone(), format!("{r:?}")))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(convened) = genesis(&mut u) else {
        return;
    };
    let authors = &keys().authors;
    let mut submitted = Meeting::new();
    let mut applied = Meeting::new();
    let genesis_event = Event::MeetingConvened(convened);
    let t0 = UtcMillis(START_MS);
    if submitted.submit(&genesis_event, &authors[0], t0).is_err() {
        return;
    }
    applied.apply(&genesis_event, &authors[0], t0);
    let mut now = START_MS;
    for _ in 0..MAX_STEPS {
        let Ok(s) = step(&mut u, &submitted, now) else {
            break;
        };
        now = s.at.0;
        let author = &authors[s.author];
        let before = submitted.tally();
        let closed_before = closed(&submitted, &before);
        let declared_before = submitted.result_declared();
        let checked = applied.check(&s.event, author, s.at);
        let result = submitted.submit(&s.event, author, s.at);
        assert_eq!(
            checked.is_ok(),
            result.is_ok(),
            "check and submit disagree on {:?}: {checked:?} vs {result:?}",
            s.event
        );
        if checked.is_ok() {
            applied.apply(&s.event, author, s.at);
        }
        let after = submitted.tally();
        assert_eq!(
            after,
            applied.tally(),
            "check+apply and submit diverge after {:?}",
            s.event
        );
        match result {
            Err(_) => assert_eq!(after, before, "a refused {:?} changed the tally", s.event),
            Ok(()) => {
                if declared_before {
                    assert_eq!(
                        after, before,
                        "{:?} accepted after the declaration changed the tally",
                        s.event
                    );
                }
                let closed_after = closed(&submitted, &after);
                for (id, was) in &closed_before {
                    let now_is = closed_after.iter().find(|(i, _)| i == id);
                    assert_eq!(
                        now_is.map(|(_, t)| t),
                        Some(was),
                        "{:?} changed how closed resolution {id} counts",
                        s.event
                    );
                }
            }
        }
        let _ = after.to_json();
        let _ = render_announcement(&submitted, &after);
    }
});
