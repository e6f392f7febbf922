//! Extreme but well-formed numbers (u64::MAX holdings, u32::MAX votes per share, a threshold
//! of (2^32-2)/(2^32-1)) must count and render without a panic: overflow checks are on in
//! release, and a verifier runs the count on whatever a trusted registrar signed.

mod common;
use common::*;
use scrutin_model::*;
use scrutin_tally::{render_announcement, Meeting};

#[test]
fn extreme_numbers_count_without_panic() {
    let mut c = convened();
    c.classes[0].votes_per_share = u32::MAX;
    c.rules.ordinary = Threshold::new(u32::MAX - 1, u32::MAX, false).unwrap();
    c.rules.special = Threshold::new(u32::MAX - 1, u32::MAX, false).unwrap();
    let reg = key(&registrar());
    let mut m = Meeting::new();
    let mut evs = vec![Event::MeetingConvened(c)];
    let mut s = setup_events();
    s.retain(|e| {
        !matches!(
            e,
            Event::ShareRegistered { .. }
                | Event::AbstentionRequired { .. }
                | Event::ProxyLodged(_)
                | Event::AttendanceRecorded { .. }
        )
    });
    let pos = s
        .iter()
        .position(|e| matches!(e, Event::RegisterClosed))
        .unwrap();
    for (i, hname) in ["H1", "H2", "H3"].iter().enumerate() {
        s.insert(
            pos + i,
            Event::ShareRegistered {
                holder: h(hname),
                name: "x".into(),
                class: ClassId::new("H").unwrap(),
                shares: Shares(u64::MAX),
            },
        );
    }
    evs.extend(s);
    for hname in ["H1", "H2", "H3"] {
        evs.push(vote(holder(hname), "1", u64::MAX, 0, 0));
        evs.push(vote(holder(hname), "2", 0, u64::MAX, 0));
    }
    evs.push(close());
    for (i, e) in evs.iter().enumerate() {
        let author = if matches!(e, Event::ResultDeclared { .. }) {
            key(&scrutineer())
        } else {
            reg
        };
        match m.check(e, &author, UtcMillis(u64::MAX)) {
            Ok(()) => m.apply(e, &author, UtcMillis(u64::MAX)),
            Err(v) => panic!("event {i} {} refused: {v}", e.kind()),
        }
    }
    let t = m.tally();
    let r1 = &t.resolutions[0];
    // Three holders of u64::MAX shares at u32::MAX votes each, all for: exact, and passed.
    assert_eq!(r1.for_, 3 * u128::from(u64::MAX) * u128::from(u32::MAX));
    assert!(r1.passed);
    assert!(!t.resolutions[1].passed);
    assert!(t.to_json().contains("\"for_pct\": \"100.0000\""));
    assert!(!render_announcement(&m, &t).is_empty());
}
