//! The frozen tally vectors: `tests/vectors/tally-v1/` (two small meetings declared with
//! `ResultDeclared` over the format-1 JSON) and `tests/vectors/tally-v2/` (the same two, and a
//! PRC meeting with an H class sitting beside the general one, declared with
//! `ResultDeclaredV2` over the format-2 JSON). Each is an event list (author, recorded time,
//! canonical payload), the exact tally JSON its declaration certifies and that JSON's SHA-256. docs/FORMAT.md section 10 specifies the JSON; these bytes
//! pin it, including percentages that fall exactly half-way at the last printed decimal
//! (rounded half up: 6.25 -> "6.3", 3.125 -> "3.13").
//!
//! The test rebuilds every file in memory and compares byte for byte, and separately replays
//! the events from the files alone, as a second implementation would. It never writes an
//! existing file (`SCRUTIN_WRITE_VECTORS=1 cargo test -p scrutin --test tally_vectors`
//! writes only files that do not exist yet, for a new meeting).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use scrutin::model::*;
use scrutin::tally::Meeting;
use scrutin::tally_digest_of_format;

const REGISTRAR: AuthorKey = AuthorKey([1; 32]);
const SCRUTINEER: AuthorKey = AuthorKey([2; 32]);
const CHAIR: AuthorKey = AuthorKey([3; 32]);
const DEADLINE: u64 = 1_782_000_000_000;

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

fn dir() -> PathBuf {
    vectors().join("tally-v1")
}

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().expect("valid id")
}

fn class(name: &str, votes_per_share: u32) -> ShareClass {
    ShareClass {
        id: id(name),
        name: format!("{name} shares"),
        votes_per_share,
    }
}

fn line(holder: &str, name: &str, class: &str, shares: u64) -> Event {
    Event::ShareRegistered {
        holder: id(holder),
        name: name.into(),
        class: id(class),
        shares: Shares(shares),
    }
}

fn split(voter: Voter, res: &str, class: Option<&str>, f: u64, a: u64, x: u64) -> Event {
    Event::VoteCast(Ballot {
        voter,
        resolution: id(res),
        class: class.map(id),
        choice: Choice::Split {
            for_: Shares(f),
            against: Shares(a),
            abstain: Shares(x),
        },
    })
}

fn holder(h: &str) -> Voter {
    Voter::Holder(id(h))
}

fn proxy(p: &str) -> Voter {
    Voter::Proxy(id(p))
}

fn resolution(
    n: &str,
    kind: ResolutionKind,
    title: &str,
    classes: &[&str],
    weights: &[(&str, u32)],
) -> Event {
    Event::ResolutionProposed(Resolution {
        id: id(n),
        kind,
        title: title.into(),
        classes: classes.iter().map(|c| id(c)).collect(),
        votes_per_share: weights
            .iter()
            .map(|(c, w)| ClassWeight {
                class: id(c),
                votes_per_share: *w,
            })
            .collect(),
    })
}

/// A Hong Kong AGM printed with 1 decimal: weighted classes, a proxy with instructions, a
/// must-abstain and a Rule 13.40 holder, a revoked proxy, a cumulative election with a tie at
/// the last seat and an over-allocation, a scheme of arrangement; percentages 6.25, 18.75,
/// 81.25 and 93.75 fall exactly half-way at the printed decimal.
fn hk() -> Vec<(AuthorKey, Event)> {
    let r = REGISTRAR;
    let c = CHAIR;
    let candidate = |n: &str, name: &str| Candidate {
        id: id(n),
        name: name.into(),
    };
    let cumulative = |allocs: &[(&str, u64)]| {
        Choice::Cumulative(
            allocs
                .iter()
                .map(|(k, v)| Allocation {
                    candidate: id(k),
                    votes: Votes(*v),
                })
                .collect(),
        )
    };
    let ballot = |voter: Voter, choice: Choice| {
        Event::VoteCast(Ballot {
            voter,
            resolution: id("3"),
            class: None,
            choice,
        })
    };
    vec![
        (
            r,
            Event::MeetingConvened(MeetingConvened {
                id: "vectors-hk-agm".into(),
                issuer: "Vector Holdings Limited".into(),
                stock_code: "09999".into(),
                kind: MeetingKind::Agm,
                date: Date::new("2026-06-30").expect("date"),
                rules: RulesProfile::preset(Preset::Hk, 1),
                classes: vec![class("A", 1), class("B", 2)],
                record_date: Date::new("2026-06-24").expect("date"),
                proxy_deadline: UtcMillis(DEADLINE),
                registrar: REGISTRAR,
                scrutineer: "Vector Scrutineers Limited".into(),
            }),
        ),
        (
            r,
            Event::AuthorityGranted {
                key: SCRUTINEER,
                role: Role::Scrutineer,
            },
        ),
        (
            r,
            Event::AuthorityGranted {
                key: CHAIR,
                role: Role::Chair,
            },
        ),
        (
            r,
            resolution("1", ResolutionKind::Ordinary, "Accounts", &[], &[]),
        ),
        (
            r,
            resolution("2", ResolutionKind::Special, "Articles", &[], &[("B", 1)]),
        ),
        (
            r,
            resolution(
                "3",
                ResolutionKind::Cumulative {
                    seats: 2,
                    candidates: vec![
                        candidate("C1", "Ms. One"),
                        candidate("C2", "Mr. Two"),
                        candidate("C3", "Ms. Three"),
                    ],
                },
                "Directors",
                &["A"],
                &[],
            ),
        ),
        (
            r,
            resolution("4", ResolutionKind::Scheme, "Scheme", &["A"], &[]),
        ),
        (r, line("H1", "Alpha Limited", "A", 13)),
        (r, line("H2", "Beta Limited", "B", 4)),
        (r, line("H3", "Gamma Limited", "A", 8)),
        (r, line("H4", "Delta Limited", "A", 3)),
        (r, line("H4", "Delta Limited", "B", 1)),
        (r, line("H5", "Epsilon Limited", "A", 7)),
        (r, line("treasury", "The Company", "A", 50)),
        (r, Event::RegisterClosed),
        (
            r,
            Event::AbstentionRequired {
                holder: id("H3"),
                resolutions: vec![id("1"), id("4")],
                restriction: Restriction::Abstain,
                reason: "Rule 2.15 — \"connected\" interest \\ A/B".into(),
            },
        ),
        (
            r,
            Event::AbstentionRequired {
                holder: id("H2"),
                resolutions: vec![id("2")],
                restriction: Restriction::AgainstOnly,
                reason: "Rule 13.40".into(),
            },
        ),
        (
            r,
            Event::ProxyLodged(ProxyLodged {
                proxy: id("P1"),
                holder: id("H4"),
                proxy_name: String::new(),
                class: Some(id("A")),
                shares: Some(Shares(3)),
                instructions: vec![ProxyInstruction {
                    resolution: id("1"),
                    instruction: Instruction::For,
                }],
                lodged_at: UtcMillis(DEADLINE - 300_000),
            }),
        ),
        (
            r,
            Event::ProxyLodged(ProxyLodged {
                proxy: id("P2"),
                holder: id("H5"),
                proxy_name: "Mr. Proxy".into(),
                class: None,
                shares: None,
                instructions: vec![ProxyInstruction {
                    resolution: id("2"),
                    instruction: Instruction::Against,
                }],
                lodged_at: UtcMillis(DEADLINE - 250_000),
            }),
        ),
        (
            r,
            Event::AttendanceRecorded {
                attendee: proxy("P1"),
            },
        ),
        (c, Event::PollOpened { resolution: None }),
        (r, split(proxy("P1"), "1", None, 3, 0, 0)),
        (r, split(holder("H1"), "1", None, 0, 13, 0)),
        (r, split(holder("H3"), "1", None, 8, 0, 0)),
        (r, split(holder("H2"), "1", None, 0, 0, 4)),
        (r, split(holder("H1"), "2", None, 13, 0, 0)),
        (r, split(holder("H2"), "2", None, 4, 0, 0)),
        (r, split(holder("H4"), "2", Some("B"), 0, 1, 0)),
        (r, split(proxy("P2"), "2", None, 0, 7, 0)),
        (
            r,
            Event::ProxyRevoked {
                proxy: id("P2"),
                reason: "form withdrawn".into(),
            },
        ),
        (
            r,
            ballot(holder("H1"), cumulative(&[("C1", 20), ("C2", 6)])),
        ),
        (r, ballot(proxy("P1"), cumulative(&[("C3", 6)]))),
        (r, ballot(holder("H3"), cumulative(&[("C2", 17)]))),
        (r, split(holder("H1"), "4", None, 12, 1, 0)),
        (r, split(proxy("P1"), "4", None, 3, 0, 0)),
        (c, Event::PollClosed { resolution: None }),
    ]
}

/// A PRC EGM printed with 2 decimals, abstentions in the denominator and shares present but
/// not voted counted as abstaining: 3.125 and 15.625 fall exactly half-way ("3.13", "15.63"),
/// 12.5-style exact values print with their zeros.
fn prc() -> Vec<(AuthorKey, Event)> {
    let r = REGISTRAR;
    let mut rules = RulesProfile::preset(Preset::Prc, 2);
    rules.unvoted_as_abstain = true;
    vec![
        (
            r,
            Event::MeetingConvened(MeetingConvened {
                id: "vectors-prc-egm".into(),
                issuer: "Vector Rare Earth Co., Ltd.".into(),
                stock_code: "06666".into(),
                kind: MeetingKind::Egm,
                date: Date::new("2026-07-15").expect("date"),
                rules,
                classes: vec![class("A", 1), class("H", 1)],
                record_date: Date::new("2026-07-09").expect("date"),
                proxy_deadline: UtcMillis(DEADLINE),
                registrar: REGISTRAR,
                scrutineer: String::new(),
            }),
        ),
        (
            r,
            Event::AuthorityGranted {
                key: SCRUTINEER,
                role: Role::Scrutineer,
            },
        ),
        (
            r,
            resolution("1", ResolutionKind::Ordinary, "Guarantee \"A\"", &[], &[]),
        ),
        (
            r,
            resolution("2", ResolutionKind::Special, "Buy-back", &[], &[]),
        ),
        (r, line("X1", "Xu Yi", "A", 1)),
        (r, line("X2", "HKSCC NOMINEES LIMITED", "H", 26)),
        (r, line("X3", "Zhang San", "H", 5)),
        (r, line("X4", "Li Si", "A", 8)),
        (r, Event::RegisterClosed),
        (
            r,
            Event::AttendanceRecorded {
                attendee: holder("X3"),
            },
        ),
        (r, Event::PollOpened { resolution: None }),
        (r, split(holder("X1"), "1", None, 1, 0, 0)),
        (r, split(holder("X2"), "1", None, 0, 26, 0)),
        (r, split(holder("X1"), "2", None, 1, 0, 0)),
        (r, split(holder("X2"), "2", None, 26, 0, 0)),
        (r, Event::PollClosed { resolution: None }),
    ]
}

/// A PRC EGM with an H shareholders' class meeting beside it: HKSCC lodges one form for each
/// sitting (two appointments of the same 26 H shares, neither superseding the other), Zhang
/// San attends the class meeting in person; resolution 2 is the class meeting's.
fn prc_sittings() -> Vec<(AuthorKey, Event)> {
    let r = REGISTRAR;
    let form = |p: &str| ProxyLodged {
        proxy: id(p),
        holder: id("X2"),
        proxy_name: String::new(),
        class: None,
        shares: None,
        instructions: vec![],
        lodged_at: UtcMillis(DEADLINE - 200_000),
    };
    let mut events = prc();
    events[0].1 = match &events[0].1 {
        Event::MeetingConvened(m) => Event::MeetingConvened(MeetingConvened {
            id: "vectors-prc-sittings".into(),
            ..m.clone()
        }),
        other => other.clone(),
    };
    // Resolution 2 is put to the H class meeting only.
    events[3].1 = resolution("2", ResolutionKind::Special, "Buy-back", &["H"], &[]);
    let mut out: Vec<(AuthorKey, Event)> = events[..2].to_vec();
    out.push((
        r,
        Event::SittingConvened(Sitting {
            id: id("egm"),
            kind: SittingKind::General,
            class: None,
            title: "Extraordinary General Meeting".into(),
        }),
    ));
    out.push((
        r,
        Event::SittingConvened(Sitting {
            id: id("h-class"),
            kind: SittingKind::Class,
            class: Some(id("H")),
            title: "H Shareholders' Class Meeting".into(),
        }),
    ));
    out.extend(events[2..4].iter().cloned());
    out.push((
        r,
        Event::ResolutionTerms {
            resolution: id("2"),
            sitting: Some(id("h-class")),
            scheme: None,
        },
    ));
    out.push((
        r,
        Event::MeetingSettings(MeetingSettings {
            issued: vec![ClassIssued {
                class: id("H"),
                issued: Shares(40),
            }],
            ..MeetingSettings::default()
        }),
    ));
    out.extend(events[4..9].iter().cloned()); // the register, closed
    out.push((r, Event::ProxyLodged(form("P1"))));
    out.push((
        r,
        Event::SittingProxyLodged {
            sitting: id("h-class"),
            form: form("P2"),
        },
    ));
    out.push((
        r,
        Event::Attended {
            attendee: holder("X3"),
            sitting: Some(id("h-class")),
            attended_at: Some(UtcMillis(DEADLINE - 180_000)),
        },
    ));
    out.push((
        r,
        Event::AttendanceRecorded {
            attendee: holder("X1"),
        },
    ));
    out.push((r, Event::PollOpened { resolution: None }));
    out.push((r, split(holder("X1"), "1", None, 1, 0, 0)));
    out.push((r, split(proxy("P1"), "1", None, 20, 6, 0)));
    out.push((r, split(proxy("P2"), "2", None, 26, 0, 0)));
    out.push((r, split(holder("X3"), "2", None, 0, 5, 0)));
    out.push((r, Event::PollClosed { resolution: None }));
    out
}

/// The recorded time of event `i`: one second apart, before the proxy deadline.
fn at(i: usize) -> u64 {
    DEADLINE - 150_000 + 1_000 * i as u64
}

/// Every file of one meeting, built in memory: the events (with the declaration appended),
/// the tally JSON it certifies, and its SHA-256.
fn build(name: &str, events: Vec<(AuthorKey, Event)>, format: u16) -> Vec<(String, Vec<u8>)> {
    let mut meeting = Meeting::new();
    let mut lines = String::new();
    let mut n = 0;
    for (author, event) in &events {
        meeting
            .submit(event, author, UtcMillis(at(n)))
            .unwrap_or_else(|v| panic!("{name}: event {n} refused: {v}"));
        lines.push_str(&format!(
            "{} {} {}\n",
            hex::encode(author.0),
            at(n),
            hex::encode(encode_event(event).expect("encodes"))
        ));
        n += 1;
    }
    // Format 1: `ResultDeclared`, as the first build wrote it; later formats name theirs.
    let json = meeting
        .tally()
        .json_of_format(format)
        .expect("known format");
    let digest = tally_digest_of_format(&meeting.tally(), format).expect("known format");
    let declared = if format == 1 {
        Event::ResultDeclared {
            tally_sha256: digest,
        }
    } else {
        Event::ResultDeclaredV2 {
            tally_format: format,
            tally_sha256: digest,
        }
    };
    meeting
        .submit(&declared, &SCRUTINEER, UtcMillis(at(n)))
        .unwrap_or_else(|v| panic!("{name}: declaration refused: {v}"));
    lines.push_str(&format!(
        "{} {} {}\n",
        hex::encode(SCRUTINEER.0),
        at(n),
        hex::encode(encode_event(&declared).expect("encodes"))
    ));
    let name = format!("tally-v{format}/{name}");
    vec![
        (format!("{name}/events.txt"), lines.into_bytes()),
        (format!("{name}/tally.json"), json.into_bytes()),
        (
            format!("{name}/tally.sha256"),
            format!("{}\n", hex::encode(digest)).into_bytes(),
        ),
    ]
}

fn all() -> Vec<(String, Vec<u8>)> {
    let mut files = build("hk-agm", hk(), 1);
    files.extend(build("prc-egm", prc(), 1));
    files.extend(build("hk-agm", hk(), 2));
    files.extend(build("prc-egm", prc(), 2));
    files.extend(build("prc-sittings", prc_sittings(), 2));
    files
}

/// Every meeting of the vectors, with its tally format.
const MEETINGS: [(&str, u16); 5] = [
    ("hk-agm", 1),
    ("prc-egm", 1),
    ("hk-agm", 2),
    ("prc-egm", 2),
    ("prc-sittings", 2),
];

#[test]
fn tally_vectors_are_frozen() {
    for (name, bytes) in all() {
        let path = vectors().join(&name);
        let want = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("missing vector {}: {e}", path.display()));
        assert!(
            want == bytes,
            "{name} changed: that is a format change (got:\n{})",
            String::from_utf8_lossy(&bytes)
        );
    }
}

/// What a second implementation does with the files alone: decode each payload, fold it,
/// and before the declaration print the tally JSON and hash it.
#[test]
fn tally_vectors_replay_from_the_files_alone() {
    for (name, format) in MEETINGS {
        let read = |f: &str| {
            std::fs::read(vectors().join(format!("tally-v{format}/{name}/{f}")))
                .expect("vector file")
        };
        let events = String::from_utf8(read("events.txt")).expect("utf-8");
        let json = read("tally.json");
        let sha = String::from_utf8(read("tally.sha256")).expect("utf-8");
        assert_eq!(sha.trim(), hex::encode(Sha256::digest(&json)), "{name}");
        let mut meeting = Meeting::new();
        let rows: Vec<&str> = events.lines().collect();
        for (i, row) in rows.iter().enumerate() {
            let mut cols = row.split(' ');
            let (Some(author), Some(time), Some(payload), None) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                panic!("{name}: row {i} is not `author time payload`");
            };
            let author = AuthorKey(
                hex::decode(author)
                    .expect("hex")
                    .try_into()
                    .expect("32 bytes"),
            );
            let time = UtcMillis(time.parse().expect("u64"));
            let event = decode_event(&hex::decode(payload).expect("hex")).expect("decodes");
            if i + 1 == rows.len() {
                let Some(d) = event.declaration() else {
                    panic!("{name}: the last event is not the declaration");
                };
                assert_eq!(d.tally_format, format, "{name}");
                let tally_sha256 = d.tally_sha256;
                let tally = meeting.tally().json_of_format(format).expect("format");
                assert!(
                    tally.as_bytes() == json.as_slice(),
                    "{name}: replayed tally differs:\n{tally}"
                );
                assert_eq!(hex::encode(tally_sha256), sha.trim(), "{name}");
            }
            meeting
                .check(&event, &author, time)
                .unwrap_or_else(|v| panic!("{name}: row {i} refused: {v}"));
            meeting.apply(&event, &author, time);
        }
        assert!(meeting.result_declared(), "{name}");
    }
}

/// The ties the vectors were chosen for, named: an exact half at the last printed decimal
/// rounds up (half-even would print 6.2 and 3.12), away from zero being the same here.
#[test]
fn tally_vectors_hold_exact_half_ties_rounded_up() {
    let hk = std::fs::read_to_string(dir().join("hk-agm/tally.json")).expect("vector");
    let prc = std::fs::read_to_string(dir().join("prc-egm/tally.json")).expect("vector");
    for (text, want) in [
        (&hk, "\"for_pct\": \"18.8\""),       // 3 / 16 = 18.75 %
        (&hk, "\"against_pct\": \"81.3\""),   // 13 / 16 = 81.25 %
        (&hk, "\"for_pct\": \"93.8\""),       // 15 / 16 = 93.75 %
        (&hk, "\"against_pct\": \"6.3\""),    // 1 / 16 = 6.25 %
        (&prc, "\"for_pct\": \"3.13\""),      // 1 / 32 = 3.125 %
        (&prc, "\"abstain_pct\": \"15.63\""), // 5 / 32 = 15.625 %
    ] {
        assert!(text.contains(want), "{want} missing");
    }
    use scrutin::tally::percent;
    for (num, den, decimals, want) in [
        (3, 16, 1, "18.8"),
        (13, 16, 1, "81.3"),
        (15, 16, 1, "93.8"),
        (1, 16, 1, "6.3"),
        (1, 32, 2, "3.13"),
        (5, 32, 2, "15.63"),
        (1, 8, 1, "12.5"),
        (1, 8, 0, "13"),
        (0, 0, 2, "0.00"),
    ] {
        assert_eq!(percent(num, den, decimals), want, "{num}/{den}");
    }
}

/// Every vector the generator knows is frozen: an event kind or value added without its
/// vector fails here. `SCRUTIN_WRITE_VECTORS=1` writes the missing ones (never rewriting one
/// that exists), to be reviewed and committed.
#[test]
fn every_generated_vector_is_frozen() {
    let write = std::env::var_os("SCRUTIN_WRITE_VECTORS").is_some();
    for (name, bytes) in all() {
        let path = vectors().join(&name);
        if path.exists() {
            continue; // frozen: never rewritten
        }
        assert!(write, "no frozen vector {}", path.display());
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(&path, bytes).expect("write");
    }
}

/// The worked example of docs/FORMAT.md section 10.4 states this vector's size and digest.
#[test]
fn the_spec_quotes_the_prc_vector_exactly() {
    let spec = std::fs::read_to_string(dir().join("../../../docs/FORMAT.md")).expect("spec");
    let json = std::fs::read(dir().join("prc-egm/tally.json")).expect("vector");
    let sha = std::fs::read_to_string(dir().join("prc-egm/tally.sha256")).expect("vector");
    assert!(
        spec.contains(sha.trim()),
        "FORMAT.md lacks the prc-egm digest"
    );
    let len = json.len().to_string();
    let grouped = format!("{} {}", &len[..len.len() - 3], &len[len.len() - 3..]);
    assert!(
        spec.contains(&format!("is {grouped} bytes")),
        "FORMAT.md lacks {grouped}"
    );
}
