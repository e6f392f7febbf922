//! Replay + tally of 1M `VoteCast` events over 100k holders (issue 3's goal: >= 2M events/s).
//!
//! The events are built in setup and not measured. Besides criterion's figures, the bench
//! prints one timed replay in events/s and the peak resident memory of that replay (VmHWM from
//! /proc/self/status, after resetting the peak via /proc/self/clear_refs so the events built
//! in setup do not count; where that reset is not allowed the figure includes them).
//!
//! `SCRUTIN_BENCH_HOLDERS` and `SCRUTIN_BENCH_RESOLUTIONS` scale it down for a quick look
//! (defaults 100000 and 10: every holder or its proxy votes on every resolution).
//! Under `cargo test --benches` (no `--bench` argument) it runs once over 2,000 holders.
//! `SCRUTIN_BENCH_REPEAT=n` repeats the hand-timed replay n times (for `perf record`, so the
//! profile is dominated by the replay rather than by the setup).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_main, Criterion, Throughput};
use scrutin_model::{
    AuthorKey, Ballot, Choice, ClassId, Date, Event, HolderId, MeetingConvened, MeetingKind,
    Preset, ProxyId, ProxyLodged, Resolution, ResolutionId, ResolutionKind, RulesProfile,
    ShareClass, Shares, UtcMillis, Voter,
};
use scrutin_tally::{Meeting, Tally};

const REGISTRAR: AuthorKey = AuthorKey([0x52; 32]);
/// When the events are recorded in the log.
const AT: UtcMillis = UtcMillis(u64::MAX);

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The meeting: 2 classes, `resolutions` ordinary resolutions, `holders` holders of which one
/// in ten votes through a proxy; every voter casts a split ballot on every resolution.
/// Returns the events and how many of them are `VoteCast`.
fn build(holders: usize, resolutions: usize) -> (Vec<Event>, usize) {
    let class_a = ClassId::new("A").expect("class id");
    let class_h = ClassId::new("H").expect("class id");
    let mut events = Vec::with_capacity(holders * (resolutions + 2) + resolutions + 8);
    events.push(Event::MeetingConvened(MeetingConvened {
        id: "bench".into(),
        issuer: "BENCH CO., LTD.".into(),
        stock_code: "00000".into(),
        kind: MeetingKind::Agm,
        date: Date::new("2026-11-24").expect("date"),
        rules: RulesProfile::preset(Preset::Prc, 4),
        classes: vec![
            ShareClass {
                id: class_a.clone(),
                name: "A shares".into(),
                votes_per_share: 1,
            },
            ShareClass {
                id: class_h.clone(),
                name: "H shares".into(),
                votes_per_share: 1,
            },
        ],
        record_date: Date::new("2026-11-17").expect("date"),
        proxy_deadline: UtcMillis(1_000_000),
        registrar: REGISTRAR,
        scrutineer: "Bench Registrar Limited".into(),
    }));
    let ids: Vec<ResolutionId> = (1..=resolutions)
        .map(|r| ResolutionId::new(r.to_string()).expect("resolution id"))
        .collect();
    for id in &ids {
        events.push(Event::ResolutionProposed(Resolution {
            id: id.clone(),
            kind: ResolutionKind::Ordinary,
            title: format!("Ordinary resolution {id}"),
            classes: vec![],
            votes_per_share: vec![],
        }));
    }
    let holder_ids: Vec<HolderId> = (0..holders)
        .map(|h| HolderId::new(format!("H{h:06}")).expect("holder id"))
        .collect();
    let class_of = |h: usize| {
        if h.is_multiple_of(4) {
            &class_h
        } else {
            &class_a
        }
    };
    let shares_of = |h: usize| 1_000 + (h as u64 * 7_919) % 1_000_000;
    for (h, id) in holder_ids.iter().enumerate() {
        events.push(Event::ShareRegistered {
            holder: id.clone(),
            name: format!("HOLDER {h}"),
            class: class_of(h).clone(),
            shares: Shares(shares_of(h)),
        });
    }
    events.push(Event::RegisterClosed);
    let mut voters = Vec::with_capacity(holders);
    for (h, id) in holder_ids.iter().enumerate() {
        if h % 10 == 3 {
            let proxy = ProxyId::new(format!("P{h:06}")).expect("proxy id");
            events.push(Event::ProxyLodged(ProxyLodged {
                proxy: proxy.clone(),
                holder: id.clone(),
                proxy_name: "the chairman of the meeting".into(),
                class: Some(class_of(h).clone()),
                shares: Some(Shares(shares_of(h))),
                instructions: vec![],
                lodged_at: UtcMillis(1_000),
            }));
            voters.push((Voter::Proxy(proxy), h));
        } else {
            voters.push((Voter::Holder(id.clone()), h));
        }
    }
    events.push(Event::PollOpened { resolution: None });
    let mut votes = 0;
    for id in &ids {
        for (voter, h) in &voters {
            let shares = shares_of(*h);
            // A split: most for, some against, the rest abstaining (HKSCC-like).
            let against = (*h as u64 % 5) * (shares / 50);
            let abstain = (*h as u64 % 3) * (shares / 100);
            events.push(Event::VoteCast(Ballot {
                voter: voter.clone(),
                resolution: id.clone(),
                class: Some(class_of(*h).clone()),
                choice: Choice::Split {
                    for_: Shares(shares - against - abstain),
                    against: Shares(against),
                    abstain: Shares(abstain),
                },
            }));
            votes += 1;
        }
    }
    events.push(Event::PollClosed { resolution: None });
    (events, votes)
}

/// Replays the events and counts; the meeting is returned so that dropping it is not timed.
fn replay(events: &[Event]) -> (Meeting, Tally) {
    let mut meeting = Meeting::new();
    for event in events {
        if let Err(v) = meeting.submit(event, &REGISTRAR, AT) {
            panic!("bench event refused: {v}");
        }
    }
    let tally = meeting.tally();
    (meeting, tally)
}

/// CPU seconds (user + system) this thread has used, from /proc/thread-self/stat: on a
/// shared machine it says what the replay costs regardless of how long it waited for a core.
fn thread_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // USER_HZ is 100 on every Linux target we run on.
    Some((utime + stime) / 100.0)
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn bench_replay(c: &mut Criterion) {
    // `cargo test --benches` runs this binary without `--bench`: a smoke test, kept small.
    let full = std::env::args().any(|a| a == "--bench");
    let holders = env_or("SCRUTIN_BENCH_HOLDERS", if full { 100_000 } else { 2_000 });
    let resolutions = env_or("SCRUTIN_BENCH_RESOLUTIONS", 10);
    let (events, votes) = build(holders, resolutions);
    let total = events.len();

    // One replay timed by hand, with its peak memory, for the report.
    let rss_events = status_kib("VmRSS:").unwrap_or(0);
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let repeat = env_or("SCRUTIN_BENCH_REPEAT", 1).max(1);
    let cpu_start = thread_cpu_secs();
    let start = Instant::now();
    let (mut meeting, mut tally) = black_box(replay(&events));
    for _ in 1..repeat {
        drop(meeting);
        (meeting, tally) = black_box(replay(&events));
    }
    let elapsed = start.elapsed() / u32::try_from(repeat).unwrap_or(u32::MAX);
    let cpu = cpu_start
        .zip(thread_cpu_secs())
        .map(|(a, b)| (b - a) / repeat as f64);
    let hwm = status_kib("VmHWM:").unwrap_or(0);
    println!(
        "replay+tally: {total} events ({votes} VoteCast, {holders} holders, {resolutions} \
         resolutions) in {:.3} s = {:.0} events/s ({:.0} VoteCast/s); resolution 1: for {} \
         against {} abstain {}",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        votes as f64 / elapsed.as_secs_f64(),
        tally.resolutions.first().map_or(0, |r| r.for_),
        tally.resolutions.first().map_or(0, |r| r.against),
        tally.resolutions.first().map_or(0, |r| r.abstain),
    );
    println!(
        "memory: VmRSS with the events built {} MiB; VmHWM during replay {} MiB ({}); replay \
         peak above the events ~{} MiB",
        rss_events / 1024,
        hwm / 1024,
        if reset {
            "peak reset before the replay"
        } else {
            "peak NOT reset: includes setup"
        },
        hwm.saturating_sub(rss_events) / 1024,
    );
    if let Some(cpu) = cpu {
        println!(
            "cpu: {cpu:.3} s of thread CPU per replay = {:.0} events per CPU-second (wall-clock \
             figures above depend on the machine's load)",
            total as f64 / cpu
        );
    }
    drop((meeting, tally));

    let mut group = c.benchmark_group("replay");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(total as u64));
    group.bench_function(format!("{votes}_votes_{holders}_holders"), |b| {
        b.iter_with_large_drop(|| replay(black_box(&events)));
    });
    group.finish();
}

// criterion's macro generates an undocumented `pub fn`.
#[allow(missing_docs, unreachable_pub)]
mod group {
    criterion::criterion_group!(benches, super::bench_replay);
}
criterion_main!(group::benches);
