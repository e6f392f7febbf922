//! One test per rule of docs/RULES.md, positive and negative, asserting the exact violation.

use scrutin_model::{
    Allocation, AuthorKey, Ballot, Candidate, CandidateId, Choice, ClassId, ClassWeight, Date,
    Event, EventKind, HolderId, Instruction, MeetingConvened, MeetingKind, Preset, ProxyId,
    ProxyInstruction, ProxyLodged, Resolution, ResolutionId, ResolutionKind, Restriction, Role,
    RulesProfile, ShareClass, Shares, UtcMillis, Voter, Votes,
};
use scrutin_tally::{Disregarded, Meeting, RuleViolation, Tally};

const REG: AuthorKey = AuthorKey([1; 32]);
const CHAIR: AuthorKey = AuthorKey([2; 32]);
const SCRUT: AuthorKey = AuthorKey([3; 32]);
const OTHER: AuthorKey = AuthorKey([9; 32]);
const DEADLINE: u64 = 1_000_000;
/// When the events are recorded in the log: after every lodging time the tests state.
const AT: UtcMillis = UtcMillis(u64::MAX);

fn h(s: &str) -> HolderId {
    HolderId::new(s).unwrap()
}
fn c(s: &str) -> ClassId {
    ClassId::new(s).unwrap()
}
fn r(s: &str) -> ResolutionId {
    ResolutionId::new(s).unwrap()
}
fn p(s: &str) -> ProxyId {
    ProxyId::new(s).unwrap()
}
fn cand(s: &str) -> CandidateId {
    CandidateId::new(s).unwrap()
}
fn vh(s: &str) -> Voter {
    Voter::Holder(h(s))
}
fn vp(s: &str) -> Voter {
    Voter::Proxy(p(s))
}

fn convened(kind: MeetingKind, rules: RulesProfile, classes: &[(&str, u32)]) -> MeetingConvened {
    MeetingConvened {
        id: "test-egm".into(),
        issuer: "Test Co".into(),
        stock_code: "00001".into(),
        kind,
        date: Date::new("2026-11-24").unwrap(),
        rules,
        classes: classes
            .iter()
            .map(|&(id, vps)| ShareClass {
                id: c(id),
                name: format!("{id} shares"),
                votes_per_share: vps,
            })
            .collect(),
        record_date: Date::new("2026-11-20").unwrap(),
        proxy_deadline: UtcMillis(DEADLINE),
        registrar: REG,
        scrutineer: "Scrutineer Ltd".into(),
    }
}

fn resolution(id: &str, kind: ResolutionKind) -> Resolution {
    Resolution {
        id: r(id),
        kind,
        title: format!("Resolution {id}"),
        classes: Vec::new(),
        votes_per_share: Vec::new(),
    }
}

fn split(f: u64, a: u64, x: u64) -> Choice {
    Choice::Split {
        for_: Shares(f),
        against: Shares(a),
        abstain: Shares(x),
    }
}

fn vote(voter: Voter, res: &str, choice: Choice) -> Event {
    Event::VoteCast(Ballot {
        voter,
        resolution: r(res),
        class: None,
        choice,
    })
}

fn vote_class(voter: Voter, res: &str, class: &str, choice: Choice) -> Event {
    Event::VoteCast(Ballot {
        voter,
        resolution: r(res),
        class: Some(c(class)),
        choice,
    })
}

fn register(holder: &str, class: &str, shares: u64) -> Event {
    Event::ShareRegistered {
        holder: h(holder),
        name: format!("{holder} Ltd"),
        class: c(class),
        shares: Shares(shares),
    }
}

fn proxy(id: &str, holder: &str, class: Option<&str>, shares: Option<u64>) -> ProxyLodged {
    ProxyLodged {
        proxy: p(id),
        holder: h(holder),
        proxy_name: "The Chairman".into(),
        class: class.map(c),
        shares: shares.map(Shares),
        instructions: Vec::new(),
        lodged_at: UtcMillis(DEADLINE - 1),
    }
}

fn abstain(holder: &str, res: &[&str], restriction: Restriction, reason: &str) -> Event {
    Event::AbstentionRequired {
        holder: h(holder),
        resolutions: res.iter().map(|x| r(x)).collect(),
        restriction,
        reason: reason.into(),
    }
}

fn open(res: Option<&str>) -> Event {
    Event::PollOpened {
        resolution: res.map(r),
    }
}

fn close(res: Option<&str>) -> Event {
    Event::PollClosed {
        resolution: res.map(r),
    }
}

fn attend(v: Voter) -> Event {
    Event::AttendanceRecorded { attendee: v }
}

/// A meeting under construction, submitting as the registrar unless told otherwise.
struct Fx {
    m: Meeting,
}

impl Fx {
    fn new(conv: MeetingConvened) -> Fx {
        let mut m = Meeting::new();
        m.submit(&Event::MeetingConvened(conv), &REG, AT).unwrap();
        let mut fx = Fx { m };
        fx.ok(Event::AuthorityGranted {
            key: CHAIR,
            role: Role::Chair,
        });
        fx.ok(Event::AuthorityGranted {
            key: SCRUT,
            role: Role::Scrutineer,
        });
        fx
    }

    /// An HK EGM with class H, holders A (1,000) and B (3,000), treasury (500), resolutions
    /// 1 (ordinary) and 2 (special), register closed.
    fn hk() -> Fx {
        let mut fx = Fx::new(convened(
            MeetingKind::Egm,
            RulesProfile::preset(Preset::Hk, 4),
            &[("H", 1)],
        ));
        fx.ok(Event::ResolutionProposed(resolution(
            "1",
            ResolutionKind::Ordinary,
        )));
        fx.ok(Event::ResolutionProposed(resolution(
            "2",
            ResolutionKind::Special,
        )));
        fx.ok(register("A", "H", 1_000));
        fx.ok(register("B", "H", 3_000));
        fx.ok(register("treasury", "H", 500));
        fx.ok(Event::RegisterClosed);
        fx
    }

    fn ok(&mut self, e: Event) {
        self.ok_as(e, REG);
    }

    fn ok_as(&mut self, e: Event, author: AuthorKey) {
        if let Err(v) = self.m.submit(&e, &author, AT) {
            panic!("{e:?} refused: {v}");
        }
    }

    fn err(&mut self, e: Event) -> RuleViolation {
        self.err_as(e, REG)
    }

    fn err_as(&mut self, e: Event, author: AuthorKey) -> RuleViolation {
        let before = self.m.tally();
        let v = self.m.submit(&e, &author, AT).expect_err("must be refused");
        assert_eq!(self.m.tally(), before, "a refused event changes nothing");
        assert!(v.to_string().starts_with(v.rule()), "{v} names its rule");
        v
    }

    fn tally(&self) -> Tally {
        self.m.tally()
    }
}

fn res<'a>(t: &'a Tally, id: &str) -> &'a scrutin_tally::ResolutionTally {
    t.resolutions.iter().find(|x| x.id == id).unwrap()
}

#[test]
fn smoke_hk_meeting_counts() {
    let mut fx = Fx::hk();
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("A"), "1", split(600, 400, 0)));
    fx.ok(vote(vh("B"), "1", split(3_000, 0, 0)));
    fx.ok(vote(vh("A"), "2", split(0, 1_000, 0)));
    fx.ok(vote(vh("B"), "2", split(2_999, 0, 1)));
    fx.ok_as(close(None), CHAIR);
    fx.ok_as(
        Event::ResultDeclared {
            tally_sha256: [0; 32],
        },
        SCRUT,
    );
    let t = fx.tally();
    assert_eq!(t.entitled, 4_000);
    assert_eq!(t.represented, 4_000);
    assert_eq!(t.represented_pct, "100.0000");
    let r1 = res(&t, "1");
    assert_eq!((r1.for_, r1.against, r1.abstain), (3_600, 400, 0));
    assert_eq!(r1.for_pct, "90.0000");
    assert!(r1.passed);
    let r2 = res(&t, "2");
    assert_eq!((r2.for_, r2.against, r2.abstain), (2_999, 1_000, 1));
    assert_eq!(r2.for_pct, "74.9937");
    assert!(!r2.passed, "below three quarters");
    assert!(fx.m.all_polls_closed());
}

fn key_of(n: u8) -> AuthorKey {
    AuthorKey([n; 32])
}

/// An HK AGM where class Y carries 10 votes per share but 1 on resolution 2 (Rule 8A.24) and
/// class Z 1: resolution 1 ordinary, resolution 2 of kind `second`, the register of `holders`
/// (id, class, shares), closed.
fn weighted_meeting(second: ResolutionKind, holders: &[(&str, &str, u64)]) -> Fx {
    let mut fx = Fx::new(convened(
        MeetingKind::Agm,
        RulesProfile::preset(Preset::Hk, 4),
        &[("Y", 10), ("Z", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    let mut one_vote = resolution("2", second);
    one_vote.votes_per_share = vec![ClassWeight {
        class: c("Y"),
        votes_per_share: 1,
    }];
    fx.ok(Event::ResolutionProposed(one_vote));
    for &(holder, class, shares) in holders {
        fx.ok(register(holder, class, shares));
    }
    fx.ok(Event::RegisterClosed);
    fx
}

#[path = "rules/abstentions.rs"]
mod abstentions;
#[path = "rules/authority.rs"]
mod authority;
#[path = "rules/ballots.rs"]
mod ballots;
#[path = "rules/count.rs"]
mod count;
#[path = "rules/cumulative.rs"]
mod cumulative;
#[path = "rules/polls.rs"]
mod polls;
#[path = "rules/proxies.rs"]
mod proxies;
#[path = "rules/register.rs"]
mod register;
#[path = "rules/resolutions.rs"]
mod resolutions;
#[path = "rules/review.rs"]
mod review;
#[path = "rules/schemes.rs"]
mod schemes;
#[path = "rules/setup.rs"]
mod setup;
#[path = "rules/sittings.rs"]
mod sittings;
