//! A small meeting shared by the ledger's tests.
#![allow(dead_code, unreachable_pub)]

use scrutin_log::Signer;
use scrutin_model::{
    AuthorKey, Ballot, Choice, ClassId, Date, Event, HolderId, MeetingConvened, MeetingKind,
    Preset, ProxyId, ProxyLodged, Resolution, ResolutionId, ResolutionKind, Restriction, Role,
    RulesProfile, ShareClass, Shares, UtcMillis, Voter,
};

pub fn registrar() -> Signer {
    Signer::from_seed("registrar.example", [1; 32]).unwrap()
}

pub fn scrutineer() -> Signer {
    Signer::from_seed("scrutineer.example", [2; 32]).unwrap()
}

pub fn witness() -> Signer {
    Signer::from_seed("witness.example", [3; 32]).unwrap()
}

pub fn stranger() -> Signer {
    Signer::from_seed("stranger.example", [9; 32]).unwrap()
}

pub fn key(s: &Signer) -> AuthorKey {
    AuthorKey(*s.public_key().as_bytes())
}

pub fn h(id: &str) -> HolderId {
    HolderId::new(id).unwrap()
}

pub fn r(id: &str) -> ResolutionId {
    ResolutionId::new(id).unwrap()
}

pub fn convened() -> MeetingConvened {
    MeetingConvened {
        id: "TEST-EGM-2026".into(),
        issuer: "Test Holdings Limited".into(),
        stock_code: "09999".into(),
        kind: MeetingKind::Egm,
        date: Date::new("2026-12-01").unwrap(),
        rules: RulesProfile::preset(Preset::Hk, 4),
        classes: vec![ShareClass {
            id: ClassId::new("H").unwrap(),
            name: "H shares".into(),
            votes_per_share: 1,
        }],
        record_date: Date::new("2026-11-20").unwrap(),
        proxy_deadline: UtcMillis(1_900_000_000_000),
        registrar: key(&registrar()),
        scrutineer: "Test Registrar Limited".into(),
    }
}

fn resolution(id: &str, kind: ResolutionKind) -> Event {
    Event::ResolutionProposed(Resolution {
        id: r(id),
        kind,
        title: format!("Resolution {id}"),
        classes: vec![],
        votes_per_share: vec![],
    })
}

fn register(holder: &str, shares: u64) -> Event {
    Event::ShareRegistered {
        holder: h(holder),
        name: format!("Holder {holder}"),
        class: ClassId::new("H").unwrap(),
        shares: Shares(shares),
    }
}

/// Everything up to and including the poll opening, all by the registrar.
pub fn setup_events() -> Vec<Event> {
    vec![
        Event::AuthorityGranted {
            key: key(&scrutineer()),
            role: Role::Scrutineer,
        },
        resolution("1", ResolutionKind::Ordinary),
        resolution("2", ResolutionKind::Special),
        register("H1", 1_000),
        register("H2", 2_000),
        register("H3", 500),
        register("H4", 300),
        Event::RegisterClosed,
        Event::AbstentionRequired {
            holder: h("H4"),
            resolutions: vec![r("2")],
            restriction: Restriction::Abstain,
            reason: "material interest in the transaction (Rule 2.15)".into(),
        },
        Event::ProxyLodged(ProxyLodged {
            proxy: ProxyId::new("P1").unwrap(),
            holder: h("H2"),
            proxy_name: "Chairman of the meeting".into(),
            class: None,
            shares: None,
            instructions: vec![],
            lodged_at: UtcMillis(1_700_000_000_000),
        }),
        Event::AttendanceRecorded {
            attendee: Voter::Holder(h("H1")),
        },
        Event::AttendanceRecorded {
            attendee: Voter::Proxy(ProxyId::new("P1").unwrap()),
        },
        Event::AttendanceRecorded {
            attendee: Voter::Holder(h("H3")),
        },
        Event::AttendanceRecorded {
            attendee: Voter::Holder(h("H4")),
        },
        Event::PollOpened { resolution: None },
    ]
}

pub fn vote(voter: Voter, resolution: &str, f: u64, a: u64, ab: u64) -> Event {
    Event::VoteCast(Ballot {
        voter,
        resolution: r(resolution),
        class: None,
        choice: Choice::Split {
            for_: Shares(f),
            against: Shares(a),
            abstain: Shares(ab),
        },
    })
}

pub fn holder(id: &str) -> Voter {
    Voter::Holder(h(id))
}

pub fn proxy(id: &str) -> Voter {
    Voter::Proxy(ProxyId::new(id).unwrap())
}

/// The ballots: H4's ballot on resolution 2 is accepted but disregarded (must abstain).
pub fn ballots() -> Vec<Event> {
    vec![
        vote(holder("H1"), "1", 1_000, 0, 0),
        vote(holder("H1"), "2", 1_000, 0, 0),
        vote(proxy("P1"), "1", 2_000, 0, 0),
        vote(proxy("P1"), "2", 1_500, 500, 0),
        vote(holder("H3"), "1", 0, 500, 0),
        vote(holder("H4"), "1", 300, 0, 0),
        vote(holder("H4"), "2", 300, 0, 0),
    ]
}

pub fn close() -> Event {
    Event::PollClosed { resolution: None }
}

/// A whole meeting in `dir`: setup, ballots, close, declaration; returns the ledger.
pub fn whole_meeting(dir: &std::path::Path) -> scrutin::Ledger {
    let reg = registrar();
    let ledger = scrutin::Ledger::create(dir, convened(), &reg).unwrap();
    ledger.submit_batch(&reg, setup_events()).unwrap();
    for b in ballots() {
        ledger.submit(&reg, b).unwrap();
    }
    ledger.submit(&reg, close()).unwrap();
    ledger.declare_result(&scrutineer()).unwrap();
    ledger
}

/// The ledger's bundle after a fresh checkpoint by the registrar.
pub fn bundle_of(ledger: &scrutin::Ledger) -> Vec<u8> {
    ledger.checkpoint(&registrar()).unwrap();
    let mut out = Vec::new();
    ledger.export(&mut out, &mut |_, _| {}).unwrap();
    out
}
