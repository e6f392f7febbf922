//! The cross-check on the four real announcements (tests/samples/, copied verbatim): a ledger
//! that reproduces each one gives zero differences; each kind of error introduced by hand is
//! named at the right path and line; the noise of copying changes nothing.
//!
//! The ledgers are the event streams of crates/tally/tests/fixtures (included): synthetic
//! registers whose totals and ballots are the published figures.

// The event streams of the four samples, shared with scrutin-tally's own sample tests.
#[path = "../../tally/tests/fixtures/mod.rs"]
mod fixtures;

use fixtures::published::{bilibili, china_eastern, dongxiang_egm, dongxiang_register, jlmag};
use fixtures::Stream;
use scrutin_crosscheck::{crosscheck, CrossCheck, DifferenceKind, Recomputed};
use scrutin_model::{Event, MeetingKind, Preset, Resolution, ResolutionKind, RulesProfile};
use scrutin_tally::{render_announcement, Meeting};

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
    s.resolution(
        "1",
        ResolutionKind::Ordinary,
        "To receive the audited financial statements",
    )
    .resolution(
        "2(a)",
        ResolutionKind::Ordinary,
        "To declare a final dividend",
    );
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

/// The 1-based line of `text` containing `needle` (exactly one).
#[track_caller]
fn line_of(text: &str, needle: &str) -> usize {
    let found: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(found.len(), 1, "{needle:?} on lines {found:?}");
    found[0]
}

/// `text` with `from` replaced by `to` on the line containing `needle`; and that line.
#[track_caller]
fn edit(text: &str, needle: &str, from: &str, to: &str) -> (String, usize) {
    let n = line_of(text, needle);
    let out: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == n {
                assert!(l.contains(from), "{from:?} not on line {n}: {l}");
                l.replacen(from, to, 1)
            } else {
                l.to_owned()
            }
        })
        .collect();
    (out.join("\n"), n)
}

/// `text` without the line containing `needle`.
fn delete(text: &str, needle: &str) -> String {
    let n = line_of(text, needle);
    text.lines()
        .enumerate()
        .filter(|(i, _)| i + 1 != n)
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` with `new` inserted as a line after the line containing `needle`; and its line.
fn insert_after(text: &str, needle: &str, new: &str) -> (String, usize) {
    let n = line_of(text, needle);
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(n, new);
    (lines.join("\n"), n + 1)
}

#[track_caller]
fn assert_clean(c: &CrossCheck) {
    assert!(c.differences.is_empty(), "{}", dump(c));
}

/// Exactly the differences `expected` (path, line, kind), in any order.
#[track_caller]
fn assert_diffs(c: &CrossCheck, expected: &[(&str, Option<usize>, DifferenceKind)]) {
    let mut got: Vec<(String, Option<usize>, DifferenceKind)> = c
        .differences
        .iter()
        .map(|d| (d.path.clone(), d.line, d.kind))
        .collect();
    let mut want: Vec<(String, Option<usize>, DifferenceKind)> = expected
        .iter()
        .map(|(p, l, k)| ((*p).to_owned(), *l, *k))
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "\n{}", dump(c));
}

use DifferenceKind::*;

// ---------------------------------------------------------------------------------------------
// Zero differences where the ledger reproduces the announcement.

#[test]
fn the_four_samples_reproduced_give_zero_differences() {
    let (egm, agm) = dongxiang_parts();
    let cases = [
        ("jlmag", JLMAG, jlmag().run_declared(), 17),
        ("bilibili", BILIBILI, bilibili().run_declared(), 50),
        ("dongxiang egm", egm, dongxiang_egm().run_declared(), 13),
        ("dongxiang agm", agm, dongxiang_agm().run_declared(), 8),
        ("ceair", CEAIR, china_eastern_with_5().run_declared(), 30),
    ];
    for (name, text, meeting, claims) in cases {
        let c = check(text, &meeting);
        assert_clean(&c);
        assert_eq!(c.claims.len(), claims, "{name}\n{}", dump(&c));
        assert!(!c.matched.is_empty(), "{name}");
    }
}

#[test]
fn the_samples_claims_are_read_at_their_paths_and_lines() {
    let c = check(JLMAG, &jlmag().run_declared());
    let row = line_of(JLMAG, "516,237,845 (99.9955%)");
    let att = line_of(JLMAG, "516,261,145 Shares");
    for (path, line, claimed) in [
        ("entitled", att, "836,430,630"),
        ("classes[id=H].entitled", att, "125,466,000"),
        ("represented", att, "516,261,145"),
        ("represented_pct", att, "61.7219"),
        ("resolutions[id=1].for_pct", row, "99.9955"),
        ("resolutions[id=1].abstain", row, "0"),
        (
            "resolutions[id=1].must_abstain",
            line_of(JLMAG, "No Shareholders was"),
            "0",
        ),
        (
            "resolutions[id=1].against_only",
            line_of(JLMAG, "No Shareholders was"),
            "0",
        ),
        (
            "resolutions[id=1].passed",
            line_of(JLMAG, "The above resolution"),
            "true",
        ),
    ] {
        assert!(
            c.claims
                .iter()
                .any(|cl| cl.path == path && cl.line == line && cl.claimed == claimed),
            "{path} @{line} = {claimed}\n{}",
            dump(&c)
        );
    }
    assert!(c.claims.iter().any(|cl| cl.path == "scrutineer"));
    // The excerpt's cut row 5 is listed as unread, never skipped.
    let c = check(CEAIR, &china_eastern_with_5().run_declared());
    assert_eq!(c.unparsed.len(), 1, "{}", dump(&c));
    assert_eq!(c.unparsed[0].line, line_of(CEAIR, "5. \"THAT"));
    // A ledger without resolution 5 is told it is extra.
    let c = check(CEAIR, &china_eastern().run_declared());
    assert_diffs(
        &c,
        &[(
            "resolutions[id=5]",
            Some(line_of(CEAIR, "5. \"THAT")),
            Extra,
        )],
    );
}

// ---------------------------------------------------------------------------------------------
// Each kind of error introduced by hand in each sample.

#[test]
fn jlmag_each_kind_of_error_is_named() {
    let m = jlmag().run_declared();
    let row = "516,237,845 (99.9955%)";
    let p = "resolutions[id=1]";
    let one = |text: String, path: &str, line: Option<usize>, kind| {
        assert_diffs(&check(&text, &m), &[(path, line, kind)]);
    };
    let (t, n) = edit(JLMAG, row, "(99.9955%)", "(94.9955%)");
    one(t, "resolutions[id=1].for_pct", Some(n), Typo);
    let (t, n) = edit(JLMAG, row, "516,237,845", "516,237,854");
    one(t, "resolutions[id=1].for", Some(n), Typo);
    let (t, n) = edit(JLMAG, row, "(99.9955%)", "(99.9954%)");
    one(t, "resolutions[id=1].for_pct", Some(n), Truncated);
    let (t, n) = edit(JLMAG, row, "(0.0045%)", "(0.0046%)");
    one(t, "resolutions[id=1].against_pct", Some(n), Rounding);
    let (t, n) = edit(JLMAG, row, "(99.9955%)", "(99.995%)");
    one(t, "resolutions[id=1].for_pct", Some(n), Decimals);
    // For, against and abstain total the shares represented here: the only other base is the
    // shares entitled to vote (516,237,845 / 836,430,630).
    let (t, n) = edit(JLMAG, row, "(99.9955%)", "(61.7191%)");
    one(t, "resolutions[id=1].for_pct", Some(n), Denominator);
    let (t, n) = edit(
        JLMAG,
        row,
        "516,237,845 (99.9955%)\t23,300 (0.0045%)",
        "23,300 (0.0045%)\t516,237,845 (99.9955%)",
    );
    let n = Some(n);
    assert_diffs(
        &check(&t, &m),
        &[
            ("resolutions[id=1].for", n, Swapped),
            ("resolutions[id=1].for_pct", n, Swapped),
            ("resolutions[id=1].against", n, Swapped),
            ("resolutions[id=1].against_pct", n, Swapped),
        ],
    );
    one(delete(JLMAG, row), p, None, Missing);
    let (t, n) = insert_after(
        JLMAG,
        row,
        "2.\tTo approve a mandate that was never proposed\t1,000 (100.0000%)\t0 (0.0000%)\t0 (0.0000%)",
    );
    one(t, "resolutions[id=2]", Some(n), Extra);
    let (t, n) = edit(JLMAG, "516,261,145 Shares", "61.7219%", "61.72%");
    one(t, "represented_pct", Some(n), Decimals);
    let (t, n) = edit(JLMAG, "516,261,145 Shares", "516,261,145", "516,216,145");
    one(t, "represented", Some(n), Typo);
    let (t, n) = edit(
        JLMAG,
        "The above resolution",
        "has been passed",
        "has not been passed",
    );
    one(t, "resolutions[id=1].passed", Some(n), Typo);
}

#[test]
fn bilibili_each_kind_of_error_is_named() {
    let m = bilibili().run_declared();
    let z8 = "237,570,707 (99.737185%)";
    let t8 = "1,074,721,847 (99.941785%)";
    let z9 = "186,757,481 (78.404723%)";
    let one = |text: String, path: &str, line: Option<usize>, kind| {
        assert_diffs(&check(&text, &m), &[(path, line, kind)]);
    };
    let (t, n) = edit(BILIBILI, z8, "237,570,707", "237,570,770");
    one(t, "resolutions[id=8].by_class.Z.for", Some(n), Typo);
    let (t, n) = edit(BILIBILI, t8, "(99.941785%)", "(99.941784%)");
    one(t, "resolutions[id=8].for_pct", Some(n), Truncated);
    let (t, n) = edit(BILIBILI, t8, "(0.026807%)", "(0.026808%)");
    one(t, "resolutions[id=8].against_pct", Some(n), Rounding);
    let (t, n) = edit(BILIBILI, t8, "(99.941785%)", "(99.94%)");
    one(t, "resolutions[id=8].for_pct", Some(n), Decimals);
    // for / (for + against): the convention of HK and Cayman, not this meeting's.
    let (t, n) = edit(BILIBILI, t8, "(99.941785%)", "(99.973184%)");
    one(t, "resolutions[id=8].for_pct", Some(n), Denominator);
    let (t, n) = edit(
        BILIBILI,
        z9,
        "186,757,481 (78.404723%) | 51,170,033 (21.482257%)",
        "51,170,033 (21.482257%) | 186,757,481 (78.404723%)",
    );
    let n = Some(n);
    let z = "resolutions[id=9].by_class.Z";
    assert_diffs(
        &check(&t, &m),
        &[
            (&format!("{z}.for"), n, Swapped),
            (&format!("{z}.for_pct"), n, Swapped),
            (&format!("{z}.against"), n, Swapped),
            (&format!("{z}.against_pct"), n, Swapped),
        ],
    );
    // The class Y row of resolution 9 left out.
    let lines: Vec<&str> = BILIBILI.lines().collect();
    let y9 = line_of(BILIBILI, "9. As an ordinary") + 1;
    let without: String = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| i + 1 != y9 + 1)
        .map(|(_, l)| *l)
        .collect::<Vec<_>>()
        .join("\n");
    one(without, "resolutions[id=9].by_class.Y", None, Missing);
    // Resolution 9 left out altogether.
    let nine = line_of(BILIBILI, "9. As an ordinary");
    let without: String = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| !(nine..nine + 4).contains(&(i + 1)))
        .map(|(_, l)| *l)
        .collect::<Vec<_>>()
        .join("\n");
    one(without, "resolutions[id=9]", None, Missing);
    let (t, n) = insert_after(
        BILIBILI,
        "Total Number (Class Z & Class Y) | 1,023,908,621",
        "10. As an ordinary resolution: THAT a mandate never proposed | 1,000 (100.000000%) | 0 (0.000000%) | 0 (0.000000%) | 1,000 | 1,000",
    );
    one(t, "resolutions[id=10]", Some(n), Extra);
    let (t, n) = edit(BILIBILI, t8, "321,911,838", "321,911,883");
    one(t, "resolutions[id=8].shares_cast", Some(n), Typo);
}

#[test]
fn dongxiang_each_kind_of_error_is_named() {
    let (egm, _) = dongxiang_parts();
    let m = dongxiang_egm().run_declared();
    let row = "1,393,292,169 (97.164425%)";
    let one = |text: String, path: &str, line: Option<usize>, kind| {
        assert_diffs(&check(&text, &m), &[(path, line, kind)]);
    };
    let (t, n) = edit(egm, row, "(97.164425%)", "(97.164452%)");
    one(t, "resolutions[id=1].for_pct", Some(n), Typo);
    let (t, n) = edit(egm, row, "(2.835575%)", "(2.835574%)");
    one(t, "resolutions[id=1].against_pct", Some(n), Truncated);
    let (t, n) = edit(egm, row, "(97.164425%)", "(97.164426%)");
    one(t, "resolutions[id=1].for_pct", Some(n), Rounding);
    let (t, n) = edit(egm, row, "(97.164425%)", "(97.16%)");
    one(t, "resolutions[id=1].for_pct", Some(n), Decimals);
    // Over the shares entitled to vote on it (3,591,946,283) instead of the votes cast.
    let (t, n) = edit(egm, row, "(97.164425%)", "(38.789338%)");
    one(t, "resolutions[id=1].for_pct", Some(n), Denominator);
    let (t, n) = edit(
        egm,
        row,
        "1,393,292,169 (97.164425%) | 40,660,808 (2.835575%)",
        "40,660,808 (2.835575%) | 1,393,292,169 (97.164425%)",
    );
    let n = Some(n);
    assert_diffs(
        &check(&t, &m),
        &[
            ("resolutions[id=1].for", n, Swapped),
            ("resolutions[id=1].for_pct", n, Swapped),
            ("resolutions[id=1].against", n, Swapped),
            ("resolutions[id=1].against_pct", n, Swapped),
        ],
    );
    one(delete(egm, row), "resolutions[id=1]", None, Missing);
    let (t, n) = insert_after(
        egm,
        row,
        "2 To approve a mandate never proposed | 1,000 (100.000000%) | 0 (0.000000%)",
    );
    one(t, "resolutions[id=2]", Some(n), Extra);
    let (t, n) = edit(
        egm,
        "2,294,174,742 Shares",
        "2,294,174,742",
        "2,294,174,724",
    );
    one(t, "resolutions[id=1].must_abstain", Some(n), Typo);
    let (t, n) = edit(
        egm,
        "3,591,946,283 Shares",
        "3,591,946,283",
        "3,591,964,283",
    );
    one(t, "resolutions[id=1].entitled", Some(n), Typo);
}

#[test]
fn china_eastern_each_kind_of_error_is_named() {
    let m = china_eastern_with_5().run_declared();
    let r1 = "6,326,708,392 (99.6149%)";
    let r3 = "6,327,879,792 (99.6332%)";
    let one = |text: String, path: &str, line: Option<usize>, kind| {
        assert_diffs(&check(&text, &m), &[(path, line, kind)]);
    };
    let (t, n) = edit(CEAIR, r1, "6,326,708,392", "6,326,708,329");
    one(t, "resolutions[id=1].for", Some(n), Typo);
    let (t, n) = edit(CEAIR, r1, "(99.6149%)", "(99.6148%)");
    one(t, "resolutions[id=1].for_pct", Some(n), Truncated);
    let (t, n) = edit(CEAIR, r1, "(0.0213%)", "(0.0214%)");
    one(t, "resolutions[id=1].abstain_pct", Some(n), Rounding);
    let (t, n) = edit(CEAIR, r1, "(99.6149%)", "(99.61%)");
    one(t, "resolutions[id=1].for_pct", Some(n), Decimals);
    // for / (for + against): the HK convention, not the PRC one this meeting counts by.
    let (t, n) = edit(CEAIR, r1, "(99.6149%)", "(99.6361%)");
    one(t, "resolutions[id=1].for_pct", Some(n), Denominator);
    // Resolution 3 rounds to 99.6332 + 0.3641 + 0.0026 = 99.9999: printed 99.6333 to make 100.
    let (t, n) = edit(CEAIR, r3, "(99.6332%)", "(99.6333%)");
    one(t, "resolutions[id=3].for_pct", Some(n), ForcedTotal);
    let (t, n) = edit(
        CEAIR,
        r1,
        "23,107,582 (0.3638%) | 1,352,907 (0.0213%)",
        "1,352,907 (0.0213%) | 23,107,582 (0.3638%)",
    );
    let n = Some(n);
    assert_diffs(
        &check(&t, &m),
        &[
            ("resolutions[id=1].against", n, Swapped),
            ("resolutions[id=1].against_pct", n, Swapped),
            ("resolutions[id=1].abstain", n, Swapped),
            ("resolutions[id=1].abstain_pct", n, Swapped),
        ],
    );
    one(delete(CEAIR, r3), "resolutions[id=3]", None, Missing);
    let (t, n) = insert_after(
        CEAIR,
        "4. \"THAT, conditional",
        "6. \"THAT, a resolution never proposed.\" | 1,000 (100.0000%) | 0 (0.0000%) | 0 (0.0000%)",
    );
    one(t, "resolutions[id=6]", Some(n), Extra);
}

#[test]
fn forced_total_needs_a_row_that_does_not_total_100() {
    // Where the rounded row already totals 100, printing it otherwise is not "forcing".
    let m = jlmag().run_declared();
    let (t, n) = edit(
        JLMAG,
        "516,237,845 (99.9955%)",
        "(99.9955%)\t23,300 (0.0045%)",
        "(99.9954%)\t23,300 (0.0046%)",
    );
    assert_diffs(
        &check(&t, &m),
        &[
            ("resolutions[id=1].for_pct", Some(n), Truncated),
            ("resolutions[id=1].against_pct", Some(n), Rounding),
        ],
    );
    // China Eastern's resolution 3 forced through its against column.
    let m = china_eastern_with_5().run_declared();
    let (t, n) = edit(CEAIR, "6,327,879,792 (99.6332%)", "(0.3641%)", "(0.3642%)");
    assert_diffs(
        &check(&t, &m),
        &[("resolutions[id=3].against_pct", Some(n), ForcedTotal)],
    );
}

// ---------------------------------------------------------------------------------------------
// The noise of copying.

/// The same claims, all matched, as the clean text.
#[track_caller]
fn assert_same_as_clean(noisy: &str, clean: &str, m: &Meeting) {
    let a = check(clean, m);
    let b = check(noisy, m);
    assert_clean(&b);
    let paths = |c: &CrossCheck| {
        let mut v: Vec<(String, String)> = c
            .claims
            .iter()
            .filter(|c| c.path != "scrutineer")
            .map(|c| (c.path.clone(), c.claimed.replace(',', "")))
            .collect();
        v.sort();
        v
    };
    assert_eq!(paths(&a), paths(&b), "\n{}", dump(&b));
    let texts = |c: &CrossCheck| {
        c.unparsed
            .iter()
            .map(|u| u.text.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(texts(&b), texts(&a));
}

#[test]
fn noisy_copies_read_the_same() {
    let m = jlmag().run_declared();
    let row = line_of(JLMAG, "516,237,845 (99.9955%)");
    let map_row = |f: &dyn Fn(&str) -> String| -> String {
        JLMAG
            .lines()
            .enumerate()
            .map(|(i, l)| if i + 1 == row { f(l) } else { l.to_owned() })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let variants: Vec<(&str, String)> = vec![
        (
            "full-width brackets and percent",
            map_row(&|l| l.replace('(', "（").replace(')', "）").replace('%', "％")),
        ),
        ("runs of spaces for tabs", JLMAG.replace('\t', "    ")),
        ("pipes for tabs", map_row(&|l| l.replace('\t', " | "))),
        ("single spaces for tabs", map_row(&|l| l.replace('\t', " "))),
        (
            "title broken",
            JLMAG.replace("proceeds from the\tglobal", "x").replace(
                "use of proceeds from the global offering\t",
                "use of proceeds\nfrom the global offering\t",
            ),
        ),
        (
            "cells broken",
            JLMAG.replace("(99.9955%)\t23,300", "(99.9955%)\n23,300"),
        ),
        (
            "approximately",
            map_row(&|l| {
                l.replace("(9", "(approximately 9")
                    .replace("(0.", "(approx. 0.")
            }),
        ),
        ("no percent sign", map_row(&|l| l.replace('%', ""))),
        ("no thousands separators", map_row(&|l| l.replace(',', ""))),
        (
            "CRLF and non-breaking spaces",
            JLMAG
                .replace('\n', "\r\n")
                .replace("516,261,145 Shares", "516,261,145\u{a0}Shares"),
        ),
        ("percent spaced", map_row(&|l| l.replace('%', " %"))),
    ];
    for (name, text) in variants {
        assert_ne!(text, JLMAG, "{name}");
        println!("{name}");
        assert_same_as_clean(&text, JLMAG, &m);
    }
    let m = bilibili().run_declared();
    assert_same_as_clean(&BILIBILI.replace(" | ", "\t"), BILIBILI, &m);
    assert_same_as_clean(&BILIBILI.replace(" | ", "   "), BILIBILI, &m);
    let m = china_eastern_with_5().run_declared();
    let broken = CEAIR.replace(
        "Shanghai Airlines by the Company",
        "Shanghai Airlines\nby the Company",
    );
    assert_same_as_clean(&broken, CEAIR, &m);
}

#[test]
fn a_noisy_copy_still_names_the_error() {
    let m = jlmag().run_declared();
    let (t, n) = edit(
        JLMAG,
        "516,237,845 (99.9955%)",
        "(99.9955%)",
        "（approximately 94.9955％）",
    );
    let t = t.replace('\t', "   ");
    assert_diffs(
        &check(&t, &m),
        &[("resolutions[id=1].for_pct", Some(n), Typo)],
    );
}

#[test]
fn serialises_as_the_contract_says() {
    let (t, _) = edit(JLMAG, "516,237,845 (99.9955%)", "(99.9955%)", "(99.9954%)");
    let c = check(&t, &jlmag().run_declared());
    let v = serde_json::to_value(&c).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["claims", "differences", "matched", "unparsed"]);
    let d = &v["differences"][0];
    assert_eq!(d["path"], "resolutions[id=1].for_pct");
    assert_eq!(d["claimed"], "99.9954");
    assert_eq!(d["recomputed"], "99.9955");
    assert_eq!(d["kind"], "truncated");
    assert!(d["line"].is_u64());
    let (t, _) = edit(
        CEAIR,
        "6,327,879,792 (99.6332%)",
        "(99.6332%)",
        "(99.6333%)",
    );
    let c = check(&t, &china_eastern_with_5().run_declared());
    assert_eq!(
        serde_json::to_value(&c).unwrap()["differences"][0]["kind"],
        "forced-total"
    );
}

/// scrutin's own announcement (`render_announcement`) reads back with every figure matched.
#[test]
fn our_own_announcements_read_back_clean() {
    for (name, stream) in [
        ("jlmag", jlmag()),
        ("bilibili", bilibili()),
        ("dongxiang", dongxiang_egm()),
        ("dongxiang agm", dongxiang_agm()),
        ("ceair", china_eastern_with_5()),
    ] {
        let m = stream.run_declared();
        let text = render_announcement(&m, &m.tally());
        let c = check(&text, &m);
        assert!(c.is_clean(), "{name}\n{text}\n{}", dump(&c));
        let n = m.tally().resolutions.len();
        let passed = c
            .claims
            .iter()
            .filter(|c| c.path.ends_with(".passed"))
            .count();
        assert_eq!(
            passed,
            n,
            "{name}: a pass statement per resolution\n{}",
            dump(&c)
        );
        assert!(
            c.claims.iter().any(|c| c.path == "represented_pct"),
            "{name}"
        );
    }
}
