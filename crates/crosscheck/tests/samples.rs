//! The cross-check on the four real announcements (tests/samples/, copied verbatim): a ledger
//! that reproduces each one gives zero differences; each kind of error introduced by hand is
//! named at the right path and line; the noise of copying changes nothing.
//!
//! The ledgers are the event streams of crates/tally/tests (fixtures/, copied): synthetic
//! registers whose totals and ballots are the published figures.

mod fixtures;

use fixtures::published::{bilibili, china_eastern, dongxiang_egm, dongxiang_register, jlmag};
use fixtures::Stream;
use scrutin_crosscheck::{crosscheck, CrossCheck, DifferenceKind, Recomputed};
use scrutin_model::{Event, MeetingKind, Preset, Resolution, ResolutionKind, RulesProfile};
use scrutin_tally::Meeting;

const JLMAG: &str = include_str!("samples/jlmag-2022-egm1-poll-results.txt");
const BILIBILI: &str = include_str!("samples/cayman-09626-bilibili-agm-2023.txt");
const DONGXIANG: &str = include_str!("samples/hk-03818-china-dongxiang-egm-2020-08-19.txt");
const CEAIR: &str = include_str!("samples/prc-00670-china-eastern-egm-and-h-class-2009-10-09.txt");

fn check(text: &str, meeting: &Meeting) -> CrossCheck {
    let tally = meeting.tally();
    let convened = meeting.convened().expect("convened");
    let resolutions: Vec<Resolution> = meeting.resolutions().into_iter().cloned().collect();
    crosscheck(text, &Recomputed::new(&tally, convened, &resolutions))
}

fn dump(c: &CrossCheck) -> String {
    let mut s = String::new();
    for cl in &c.claims {
        s.push_str(&format!("claim {} @{}: {}\n", cl.path, cl.line, cl.claimed));
    }
    for d in &c.differences {
        s.push_str(&format!(
            "DIFF {} @{:?}: claimed {} recomputed {} [{}]\n",
            d.path, d.line, d.claimed, d.recomputed, d.kind
        ));
    }
    for u in &c.unparsed {
        s.push_str(&format!("UNPARSED @{}: {}\n", u.line, u.text));
    }
    s
}

/// The Dongxiang sample quotes two announcements: the EGM's, then (after a bracketed note)
/// the same day's AGM's rows.
fn dongxiang_parts() -> (&'static str, &'static str) {
    let at = DONGXIANG.find("[same-day AGM").expect("the AGM part");
    (&DONGXIANG[..at], &DONGXIANG[at..])
}

fn dongxiang_agm() -> Stream {
    let mut s = Stream::convene(
        "dongxiang-2020-agm",
        "China Dongxiang (Group) Co., Ltd.",
        "3818",
        MeetingKind::Agm,
        "2020-08-19",
        RulesProfile::preset(Preset::Cayman, 6),
        &[("O", "ordinary shares", 1)],
        "Tricor Investor Services Limited",
    );
    s.resolution("1", ResolutionKind::Ordinary, "To receive the audited financial statements")
        .resolution("2(a)", ResolutionKind::Ordinary, "To declare a final dividend");
    dongxiang_register(&mut s)
        .proxy("P1", "HKSCC", "O", 1_411_706_535, &[])
        .attend("CHEN1")
        .attend("CHEN2")
        .open_polls()
        .vote("CHEN1", "1", "O", 2_000_000_000, 0, 0)
        .vote("CHEN2", "1", "O", 294_174_742, 0, 0)
        .proxy_vote("P1", "1", "O", 1_411_177_535, 0, 0)
        .vote("CHEN1", "2(a)", "O", 2_000_000_000, 0, 0)
        .vote("CHEN2", "2(a)", "O", 294_174_742, 0, 0)
        .proxy_vote("P1", "2(a)", "O", 1_411_706_535, 0, 0)
        .close_polls();
    s
}

/// China Eastern with resolution 5, whose row the excerpt cuts after its "for" count.
fn china_eastern_with_5() -> Stream {
    let mut s = china_eastern();
    let at = s
        .events
        .iter()
        .position(|e| matches!(e, Event::ShareRegistered { .. }))
        .expect("register");
    let mut extra = Stream { events: Vec::new() };
    extra.resolution(
        "5",
        ResolutionKind::Ordinary,
        "THAT the Company satisfies the conditions for material assets reorganization",
    );
    s.events.splice(at..at, extra.events);
    let close = s.events.pop().expect("PollClosed");
    s.vote("A001", "5", "A", 4_400_000_000, 0, 0)
        .proxy_vote("PA2", "5", "A", 100_000_000, 0, 0)
        .proxy_vote("PH1", "5", "H", 1_826_708_392, 23_107_582, 1_352_907);
    s.events.push(close);
    s
}

#[test]
fn debug_dump() {
    let (egm, agm) = dongxiang_parts();
    for (name, text, m) in [
        ("jlmag", JLMAG, jlmag().run_declared()),
        ("bilibili", BILIBILI, bilibili().run_declared()),
        ("dongxiang egm", egm, dongxiang_egm().run_declared()),
        ("dongxiang agm", agm, dongxiang_agm().run_declared()),
        ("ceair", CEAIR, china_eastern_with_5().run_declared()),
    ] {
        println!("==== {name}\n{}", dump(&check(text, &m)));
    }
}
