//! One test per rule of docs/RULES.md, positive and negative, asserting the exact violation.

use scrutin_model::{
    Allocation, AuthorKey, Ballot, Candidate, CandidateId, Choice, ClassId, ClassWeight, Date,
    Event, HolderId, Instruction, MeetingConvened, MeetingKind, Preset, ProxyId, ProxyInstruction,
    ProxyLodged, Resolution, ResolutionId, ResolutionKind, Restriction, Role, RulesProfile,
    ShareClass, Shares, UtcMillis, Voter, Votes,
};
use scrutin_tally::{Disregarded, Meeting, RuleViolation, Tally};

const REG: AuthorKey = AuthorKey([1; 32]);
const CHAIR: AuthorKey = AuthorKey([2; 32]);
const SCRUT: AuthorKey = AuthorKey([3; 32]);
const OTHER: AuthorKey = AuthorKey([9; 32]);
const DEADLINE: u64 = 1_000_000;

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
        m.submit(&Event::MeetingConvened(conv), &REG).unwrap();
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
        if let Err(v) = self.m.submit(&e, &author) {
            panic!("{e:?} refused: {v}");
        }
    }

    fn err(&mut self, e: Event) -> RuleViolation {
        self.err_as(e, REG)
    }

    fn err_as(&mut self, e: Event, author: AuthorKey) -> RuleViolation {
        let before = self.m.tally();
        let v = self.m.submit(&e, &author).expect_err("must be refused");
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

// ---------------------------------------------------------------- authority and genesis

#[test]
fn meeting_convened_comes_first_once_and_by_its_registrar() {
    let mut m = Meeting::new();
    let conv = convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Hk, 4),
        &[("H", 1)],
    );
    assert_eq!(
        m.check(&register("A", "H", 1), &REG),
        Err(RuleViolation::NotConvened {
            kind: scrutin_model::EventKind::ShareRegistered
        })
    );
    assert_eq!(
        m.check(&Event::MeetingConvened(conv.clone()), &OTHER),
        Err(RuleViolation::Unauthorized {
            kind: scrutin_model::EventKind::MeetingConvened,
            author: OTHER,
            required: "the registrar named in MeetingConvened",
        })
    );
    let mut bad = conv.clone();
    bad.classes.push(bad.classes[0].clone());
    assert_eq!(
        m.check(&Event::MeetingConvened(bad), &REG),
        Err(RuleViolation::InvalidMeeting {
            reason: "class H is listed twice".into()
        })
    );
    let mut none = conv.clone();
    none.classes.clear();
    assert_eq!(
        m.check(&Event::MeetingConvened(none), &REG)
            .unwrap_err()
            .rule(),
        "invalid-meeting"
    );
    m.submit(&Event::MeetingConvened(conv.clone()), &REG)
        .unwrap();
    assert_eq!(m.roles(&REG), vec![Role::Registrar]);
    assert_eq!(m.convened().map(|c| c.id.as_str()), Some("test-egm"));
    assert_eq!(
        m.check(&Event::MeetingConvened(conv), &REG),
        Err(RuleViolation::AlreadyConvened)
    );
}

#[test]
fn registrar_events_need_the_registrar() {
    let mut fx = Fx::new(convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Hk, 4),
        &[("H", 1)],
    ));
    for e in [
        register("A", "H", 10),
        Event::ResolutionProposed(resolution("1", ResolutionKind::Ordinary)),
        Event::AuthorityGranted {
            key: OTHER,
            role: Role::Chair,
        },
        Event::RegisterClosed,
    ] {
        assert_eq!(
            fx.err_as(e.clone(), CHAIR),
            RuleViolation::Unauthorized {
                kind: e.kind(),
                author: CHAIR,
                required: "registrar",
            }
        );
    }
    // A witness key authorises nothing in the log.
    let witness = key_of(7);
    fx.ok(Event::AuthorityGranted {
        key: witness,
        role: Role::Witness,
    });
    assert_eq!(
        fx.err_as(register("A", "H", 10), witness).rule(),
        "unauthorized"
    );
    // A second registrar key may act once granted.
    fx.ok(Event::AuthorityGranted {
        key: OTHER,
        role: Role::Registrar,
    });
    fx.ok_as(register("A", "H", 10), OTHER);
}

#[test]
fn authority_is_granted_and_revoked_once() {
    let mut fx = Fx::hk();
    assert_eq!(
        fx.err(Event::AuthorityGranted {
            key: CHAIR,
            role: Role::Chair
        }),
        RuleViolation::AuthorityAlreadyHeld {
            key: CHAIR,
            role: Role::Chair
        }
    );
    assert_eq!(
        fx.err(Event::AuthorityRevoked {
            key: OTHER,
            role: Role::Chair
        }),
        RuleViolation::AuthorityNotHeld {
            key: OTHER,
            role: Role::Chair
        }
    );
    fx.ok(Event::AuthorityRevoked {
        key: CHAIR,
        role: Role::Chair,
    });
    assert!(fx.m.roles(&CHAIR).is_empty());
    assert_eq!(
        fx.err_as(open(None), CHAIR),
        RuleViolation::Unauthorized {
            kind: scrutin_model::EventKind::PollOpened,
            author: CHAIR,
            required: "chair or registrar",
        }
    );
    fx.ok(open(None)); // the registrar may open polls too
}

#[test]
fn holders_key_casts_only_its_own_ballots() {
    let mut fx = Fx::hk();
    let a_key = key_of(20);
    fx.ok(Event::AuthorityGranted {
        key: a_key,
        role: Role::Holder(h("A")),
    });
    fx.ok(Event::ProxyLodged(proxy("P1", "B", None, Some(100))));
    fx.ok_as(open(None), CHAIR);
    fx.ok_as(vote(vh("A"), "1", split(1_000, 0, 0)), a_key);
    for voter in [vh("B"), vp("P1")] {
        let e = vote(voter, "1", split(1, 0, 0));
        assert_eq!(
            fx.err_as(e, a_key),
            RuleViolation::Unauthorized {
                kind: scrutin_model::EventKind::VoteCast,
                author: a_key,
                required: "registrar, or the voting holder's own key",
            }
        );
    }
    assert_eq!(
        fx.err_as(vote(vh("B"), "1", split(1, 0, 0)), CHAIR).rule(),
        "unauthorized"
    );
}

#[test]
fn result_declared_by_the_scrutineer_after_the_polls_close() {
    let mut fx = Fx::hk();
    let declare = Event::ResultDeclared {
        tally_sha256: [7; 32],
    };
    assert_eq!(
        fx.err_as(declare.clone(), SCRUT),
        RuleViolation::NoClosedPoll
    );
    fx.ok_as(open(None), CHAIR);
    assert_eq!(
        fx.err_as(declare.clone(), SCRUT),
        RuleViolation::PollStillOpen { resolution: r("1") }
    );
    fx.ok_as(close(Some("1")), CHAIR);
    assert_eq!(
        fx.err_as(declare.clone(), SCRUT),
        RuleViolation::PollStillOpen { resolution: r("2") }
    );
    fx.ok_as(close(None), CHAIR);
    assert_eq!(
        fx.err_as(declare.clone(), REG),
        RuleViolation::Unauthorized {
            kind: scrutin_model::EventKind::ResultDeclared,
            author: REG,
            required: "scrutineer",
        }
    );
    fx.ok_as(declare, SCRUT);
}

// ---------------------------------------------------------------- the register

#[test]
fn register_lines_before_the_register_closes() {
    let mut fx = Fx::new(convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Hk, 4),
        &[("H", 1)],
    ));
    fx.ok(register("A", "H", 10));
    assert_eq!(
        fx.err(register("A", "H", 5)),
        RuleViolation::DuplicateRegisterLine {
            holder: h("A"),
            class: c("H")
        }
    );
    assert_eq!(
        fx.err(register("B", "X", 5)),
        RuleViolation::UnknownClass { class: c("X") }
    );
    assert_eq!(
        fx.err(register("B", "H", 0)),
        RuleViolation::EmptyRegisterLine {
            holder: h("B"),
            class: c("H")
        }
    );
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    for e in [
        abstain("A", &["1"], Restriction::Abstain, "x"),
        Event::ProxyLodged(proxy("P1", "A", None, None)),
        attend(vh("A")),
        open(None),
    ] {
        let kind = e.kind();
        let v = if kind == scrutin_model::EventKind::PollOpened {
            fx.err_as(e, CHAIR)
        } else {
            fx.err(e)
        };
        assert_eq!(v, RuleViolation::RegisterOpen { kind });
    }
    fx.ok(Event::RegisterClosed);
    assert_eq!(
        fx.err(register("B", "H", 5)),
        RuleViolation::RegisterClosed {
            kind: scrutin_model::EventKind::ShareRegistered
        }
    );
    assert_eq!(
        fx.err(Event::RegisterClosed),
        RuleViolation::RegisterClosed {
            kind: scrutin_model::EventKind::RegisterClosed
        }
    );
    assert!(fx.m.register_closed());
}

#[test]
fn treasury_shares_carry_no_votes_and_leave_every_total() {
    let mut fx = Fx::hk();
    let t = fx.tally();
    assert_eq!(t.entitled, 4_000, "treasury's 500 excluded");
    assert_eq!(t.classes[0].entitled, 4_000);
    assert_eq!(res(&t, "1").entitled, 4_000);
    assert_eq!(
        fx.m.holder_shares(&h("treasury")),
        vec![(c("H"), Shares(500))]
    );
    fx.ok_as(open(None), CHAIR);
    let treasury = |kind| RuleViolation::TreasuryShares {
        kind,
        holder: h("treasury"),
    };
    use scrutin_model::EventKind as K;
    assert_eq!(
        fx.err(vote(vh("treasury"), "1", split(1, 0, 0))),
        treasury(K::VoteCast)
    );
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P", "treasury", None, None))),
        treasury(K::ProxyLodged)
    );
    assert_eq!(
        fx.err(attend(vh("treasury"))),
        treasury(K::AttendanceRecorded)
    );
}

#[test]
fn unknown_holders_are_refused_everywhere() {
    let mut fx = Fx::hk();
    let unknown = RuleViolation::UnknownHolder { holder: h("Z") };
    assert_eq!(
        fx.err(abstain("Z", &["1"], Restriction::Abstain, "x")),
        unknown
    );
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P", "Z", None, None))),
        unknown
    );
    assert_eq!(fx.err(attend(vh("Z"))), unknown);
    fx.ok_as(open(None), CHAIR);
    assert_eq!(fx.err(vote(vh("Z"), "1", split(1, 0, 0))), unknown);
}

// ---------------------------------------------------------------- resolutions

#[test]
fn resolutions_are_well_formed() {
    let mut fx = Fx::new(convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Hk, 4),
        &[("A", 1), ("H", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    assert_eq!(
        fx.err(Event::ResolutionProposed(resolution(
            "1",
            ResolutionKind::Special
        ))),
        RuleViolation::DuplicateResolution { resolution: r("1") }
    );
    let mut bad = resolution("2", ResolutionKind::Ordinary);
    bad.classes = vec![c("X")];
    assert_eq!(
        fx.err(Event::ResolutionProposed(bad)),
        RuleViolation::UnknownClass { class: c("X") }
    );
    let mut bad = resolution("2", ResolutionKind::Ordinary);
    bad.classes = vec![c("H"), c("H")];
    assert_eq!(
        fx.err(Event::ResolutionProposed(bad)),
        RuleViolation::InvalidResolution {
            resolution: r("2"),
            reason: "class H is listed twice".into()
        }
    );
    let mut bad = resolution("2", ResolutionKind::Ordinary);
    bad.votes_per_share = vec![ClassWeight {
        class: c("Y"),
        votes_per_share: 1,
    }];
    assert_eq!(
        fx.err(Event::ResolutionProposed(bad)),
        RuleViolation::UnknownClass { class: c("Y") }
    );
    let mut bad = resolution("2", ResolutionKind::Ordinary);
    bad.votes_per_share = vec![ClassWeight {
        class: c("A"),
        votes_per_share: 0,
    }];
    assert_eq!(
        fx.err(Event::ResolutionProposed(bad)),
        RuleViolation::InvalidResolution {
            resolution: r("2"),
            reason: "class A has 0 votes per share".into()
        }
    );
    let pool = |seats, names: &[&str]| ResolutionKind::Cumulative {
        seats,
        candidates: names
            .iter()
            .map(|n| Candidate {
                id: cand(n),
                name: n.to_string(),
            })
            .collect(),
    };
    for (kind, reason) in [
        (pool(0, &["X"]), "a cumulative pool needs at least 1 seat"),
        (pool(1, &[]), "a cumulative pool needs at least 1 candidate"),
        (pool(1, &["X", "X"]), "candidate X stands twice"),
    ] {
        assert_eq!(
            fx.err(Event::ResolutionProposed(resolution("3", kind))),
            RuleViolation::InvalidResolution {
                resolution: r("3"),
                reason: reason.into()
            }
        );
    }
    fx.ok(Event::ResolutionProposed(resolution(
        "3",
        pool(2, &["X", "Y"]),
    )));
    assert_eq!(fx.m.resolutions().len(), 2);
    assert_eq!(fx.m.resolutions()[1].id, r("3"));
}

#[test]
fn a_class_meeting_counts_its_one_class() {
    let mut fx = Fx::new(convened(
        MeetingKind::Class,
        RulesProfile::preset(Preset::Prc, 4),
        &[("A", 1), ("H", 1)],
    ));
    assert_eq!(
        fx.err(Event::ResolutionProposed(resolution(
            "1",
            ResolutionKind::Special
        ))),
        RuleViolation::ClassMeetingResolution {
            resolution: r("1"),
            classes: 0
        }
    );
    let mut one = resolution("1", ResolutionKind::Special);
    one.classes = vec![c("H")];
    fx.ok(Event::ResolutionProposed(one));
    fx.ok(register("X", "A", 7_000));
    fx.ok(register("Y", "H", 3_000));
    fx.ok(register("Z", "A", 100));
    fx.ok(register("Z", "H", 900));
    fx.ok(Event::RegisterClosed);
    fx.ok_as(open(None), CHAIR);
    // Z holds two classes but only H votes, so its ballot needs no class.
    fx.ok(vote(vh("Z"), "1", split(900, 0, 0)));
    fx.ok(vote(vh("Y"), "1", split(2_000, 1_000, 0)));
    assert_eq!(
        fx.err(vote(vh("X"), "1", split(1, 0, 0))),
        RuleViolation::AmbiguousClass {
            voter: vh("X"),
            resolution: r("1"),
            classes: vec![]
        }
    );
    let t = fx.tally();
    let r1 = res(&t, "1");
    assert_eq!(r1.entitled, 3_900, "only the H class");
    assert_eq!((r1.for_, r1.against), (2_900, 1_000));
    assert_eq!(r1.by_class.keys().collect::<Vec<_>>(), vec!["H"]);
    assert_eq!(r1.for_pct, "74.3590");
    assert!(r1.passed, "PRC special: at least two thirds");
}

// ---------------------------------------------------------------- abstentions

#[test]
fn abstention_requirements_are_checked() {
    let mut fx = Fx::hk();
    assert_eq!(
        fx.err(abstain("A", &["9"], Restriction::Abstain, "x")),
        RuleViolation::UnknownResolution { resolution: r("9") }
    );
    assert_eq!(
        fx.err(abstain("A", &[], Restriction::Abstain, "x")),
        RuleViolation::EmptyAbstention { holder: h("A") }
    );
    assert_eq!(
        fx.err(abstain("A", &["1", "1"], Restriction::Abstain, "x")),
        RuleViolation::DuplicateAbstention {
            holder: h("A"),
            resolution: r("1")
        }
    );
    fx.ok(abstain("A", &["1"], Restriction::Abstain, "x"));
    assert_eq!(
        fx.err(abstain("A", &["1"], Restriction::AgainstOnly, "y")),
        RuleViolation::DuplicateAbstention {
            holder: h("A"),
            resolution: r("1")
        }
    );
    fx.ok_as(open(Some("2")), CHAIR);
    assert_eq!(
        fx.err(abstain("B", &["2"], Restriction::Abstain, "x")),
        RuleViolation::PollAlreadyOpened { resolution: r("2") }
    );
}

#[test]
fn must_abstain_votes_are_accepted_but_disregarded_with_the_reason() {
    let mut fx = Fx::hk();
    fx.ok(Event::ProxyLodged(proxy("PA", "A", None, Some(400))));
    fx.ok(abstain(
        "A",
        &["1"],
        Restriction::Abstain,
        "connected person (Rule 14A.36)",
    ));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("A"), "1", split(600, 0, 0)));
    fx.ok(vote(vp("PA"), "1", split(0, 400, 0)));
    fx.ok(vote(vh("B"), "1", split(1_000, 2_000, 0)));
    fx.ok(vote(vh("A"), "2", split(600, 0, 0)));
    let t = fx.tally();
    let r1 = res(&t, "1");
    assert_eq!(r1.entitled, 3_000);
    assert_eq!(r1.must_abstain, 1_000);
    assert_eq!((r1.for_, r1.against, r1.abstain), (1_000, 2_000, 0));
    assert_eq!(r1.disregarded, 1_000);
    let reason = "required to abstain: connected person (Rule 14A.36)".to_owned();
    assert_eq!(
        r1.disregarded_ballots,
        vec![
            Disregarded {
                voter: "A".into(),
                votes: 600,
                reason: reason.clone()
            },
            Disregarded {
                voter: "proxy:PA".into(),
                votes: 400,
                reason: reason.clone()
            },
        ]
    );
    assert!(!r1.passed);
    let r2 = res(&t, "2");
    assert_eq!((r2.entitled, r2.must_abstain, r2.for_), (4_000, 0, 600));
    assert!(r2.disregarded_ballots.is_empty());
    assert_eq!(
        fx.m.ballot_status(&vh("A"), &r("1")),
        vec![(
            c("H"),
            scrutin_tally::BallotStatus::Disregarded { votes: 600, reason }
        )]
    );
    assert_eq!(fx.m.must_abstain_holders(&r("1")), vec![h("A")]);
    assert_eq!(fx.m.abstentions().len(), 1);
}

#[test]
fn against_only_holders_may_vote_against_but_not_for() {
    let mut fx = Fx::hk();
    fx.ok(abstain(
        "A",
        &["1", "2"],
        Restriction::AgainstOnly,
        "Rule 13.40 undertaking",
    ));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("A"), "1", split(600, 300, 100)));
    fx.ok(vote(vh("A"), "2", split(0, 1_000, 0)));
    fx.ok(vote(vh("B"), "1", split(3_000, 0, 0)));
    let t = fx.tally();
    let r1 = res(&t, "1");
    assert_eq!(r1.entitled, 4_000, "still entitled");
    assert_eq!(r1.against_only, 1_000);
    assert_eq!(r1.must_abstain, 0);
    assert_eq!((r1.for_, r1.against, r1.abstain), (3_000, 300, 100));
    assert_eq!(
        r1.disregarded_ballots,
        vec![Disregarded {
            voter: "A".into(),
            votes: 600,
            reason: "may not vote for (Rule 13.40): Rule 13.40 undertaking".into()
        }]
    );
    let r2 = res(&t, "2");
    assert_eq!((r2.against, r2.disregarded), (1_000, 0));
}

// ---------------------------------------------------------------- proxies

fn with_instructions(mut form: ProxyLodged, ins: &[(&str, Instruction)]) -> Event {
    form.instructions = ins
        .iter()
        .map(|(res, i)| ProxyInstruction {
            resolution: r(res),
            instruction: i.clone(),
        })
        .collect();
    Event::ProxyLodged(form)
}

#[test]
fn proxy_forms_are_checked_when_lodged() {
    let mut fx = Fx::hk();
    let mut late = proxy("P1", "A", None, None);
    late.lodged_at = UtcMillis(DEADLINE + 1);
    assert_eq!(
        fx.err(Event::ProxyLodged(late)),
        RuleViolation::LateProxy {
            proxy: p("P1"),
            holder: h("A"),
            lodged_at: UtcMillis(DEADLINE + 1),
            deadline: UtcMillis(DEADLINE),
        }
    );
    let mut on_time = proxy("P1", "A", None, Some(100));
    on_time.lodged_at = UtcMillis(DEADLINE);
    fx.ok(Event::ProxyLodged(on_time));
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P1", "B", None, None))),
        RuleViolation::DuplicateProxy { proxy: p("P1") }
    );
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P2", "A", None, Some(0)))),
        RuleViolation::ZeroProxyShares { proxy: p("P2") }
    );
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P2", "A", Some("X"), None))),
        RuleViolation::UnknownClass { class: c("X") }
    );
    assert_eq!(
        fx.err(with_instructions(
            proxy("P2", "A", None, Some(100)),
            &[("9", Instruction::For)]
        )),
        RuleViolation::UnknownResolution { resolution: r("9") }
    );
    assert_eq!(
        fx.err(with_instructions(
            proxy("P2", "A", None, Some(100)),
            &[("1", Instruction::For), ("1", Instruction::Against)]
        )),
        RuleViolation::DuplicateInstruction {
            proxy: p("P2"),
            resolution: r("1")
        }
    );
    let split_ins = |f, a, x| Instruction::Split {
        for_: Shares(f),
        against: Shares(a),
        abstain: Shares(x),
    };
    assert_eq!(
        fx.err(with_instructions(
            proxy("P2", "A", None, Some(100)),
            &[("1", split_ins(50, 50, 1))]
        )),
        RuleViolation::InstructionExceedsAppointment {
            proxy: p("P2"),
            resolution: r("1"),
            instructed: 101,
            appointed: 100
        }
    );
    fx.ok(with_instructions(
        proxy("P2", "A", None, Some(100)),
        &[("1", split_ins(50, 50, 0))],
    ));
    assert_eq!(fx.m.proxies_of(&h("A")), vec![p("P1"), p("P2")]);
    assert_eq!(fx.m.proxy_holder(&p("P2")), Some(&h("A")));
}

#[test]
fn a_proxy_of_a_multi_class_holder_names_its_class() {
    let mut fx = Fx::new(convened(
        MeetingKind::Agm,
        RulesProfile::preset(Preset::Hk, 4),
        &[("A", 1), ("H", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    fx.ok(register("Z", "A", 100));
    fx.ok(register("Z", "H", 900));
    fx.ok(register("Y", "H", 50));
    fx.ok(Event::RegisterClosed);
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P1", "Z", None, Some(10)))),
        RuleViolation::AmbiguousProxyClass {
            proxy: p("P1"),
            holder: h("Z"),
            classes: vec![c("A"), c("H")]
        }
    );
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P1", "Y", Some("A"), None))),
        RuleViolation::NoSharesInClass {
            holder: h("Y"),
            class: c("A")
        }
    );
    // No class and no number: all the holder's shares of every class.
    fx.ok(Event::ProxyLodged(proxy("P1", "Z", None, None)));
    fx.ok_as(open(None), CHAIR);
    assert_eq!(
        fx.err(vote(vp("P1"), "1", split(10, 0, 0))),
        RuleViolation::AmbiguousClass {
            voter: vp("P1"),
            resolution: r("1"),
            classes: vec![c("A"), c("H")]
        }
    );
    assert_eq!(
        fx.err(vote_class(vh("Z"), "1", "H", split(1, 0, 0))),
        RuleViolation::OverVoting {
            voter: vh("Z"),
            resolution: r("1"),
            class: c("H"),
            tendered: 1,
            entitled: 0
        }
    );
    fx.ok(vote_class(vp("P1"), "1", "A", split(100, 0, 0)));
    fx.ok(vote_class(vp("P1"), "1", "H", split(0, 900, 0)));
    assert_eq!(
        fx.err(vote_class(vp("P1"), "1", "H", split(0, 1, 0))),
        RuleViolation::DuplicateBallot {
            voter: vp("P1"),
            resolution: r("1"),
            class: c("H")
        }
    );
    let t = fx.tally();
    let r1 = res(&t, "1");
    assert_eq!(r1.by_class["A"].for_, 100);
    assert_eq!(r1.by_class["H"].against, 900);
    assert_eq!(t.represented, 1_000);
}

#[test]
fn over_appointment_is_refused_without_later_proxy_wins() {
    let mut rules = RulesProfile::preset(Preset::Hk, 4);
    rules.later_proxy_wins = false;
    let mut fx = Fx::new(convened(MeetingKind::Egm, rules, &[("H", 1)]));
    fx.ok(register("A", "H", 1_000));
    fx.ok(Event::RegisterClosed);
    fx.ok(Event::ProxyLodged(proxy("P1", "A", None, Some(600))));
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P2", "A", None, Some(401)))),
        RuleViolation::OverAppointment {
            proxy: p("P2"),
            holder: h("A"),
            class: c("H"),
            requested: 401,
            available: 400
        }
    );
    fx.ok(Event::ProxyLodged(proxy("P2", "A", None, Some(400))));
    assert!(fx.m.proxy_active(&p("P1")) && fx.m.proxy_active(&p("P2")));
}

#[test]
fn a_later_proxy_supersedes_earlier_ones_oldest_first() {
    let mut fx = Fx::hk();
    fx.ok(Event::ProxyLodged(proxy("P1", "A", None, Some(300))));
    fx.ok(Event::ProxyLodged(proxy("P2", "A", None, Some(300))));
    fx.ok_as(open(Some("1")), CHAIR);
    fx.ok(vote(vp("P1"), "1", split(300, 0, 0)));
    fx.ok(vote(vp("P2"), "1", split(300, 0, 0)));
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P3", "A", None, Some(1_001)))),
        RuleViolation::OverAppointment {
            proxy: p("P3"),
            holder: h("A"),
            class: c("H"),
            requested: 1_001,
            available: 1_000
        }
    );
    // 400 free; 700 needs P1's 300 back, not P2's.
    fx.ok(Event::ProxyLodged(proxy("P3", "A", None, Some(700))));
    assert!(!fx.m.proxy_active(&p("P1")));
    assert!(fx.m.proxy_active(&p("P2")));
    assert_eq!(
        fx.err(vote(vp("P1"), "1", split(0, 1, 0))),
        RuleViolation::ProxyNotActive {
            proxy: p("P1"),
            reason: "superseded by later proxy P3".into()
        }
    );
    fx.ok(vote(vp("P3"), "1", split(0, 700, 0)));
    let t = fx.tally();
    let r1 = res(&t, "1");
    assert_eq!((r1.for_, r1.against), (300, 700));
    assert_eq!(
        r1.disregarded_ballots,
        vec![Disregarded {
            voter: "proxy:P1".into(),
            votes: 300,
            reason: "superseded by later proxy P3".into()
        }]
    );
}

#[test]
fn a_revoked_proxys_ballots_are_disregarded() {
    let mut fx = Fx::hk();
    fx.ok(Event::ProxyLodged(proxy("P1", "A", None, Some(400))));
    assert_eq!(
        fx.err(Event::ProxyRevoked {
            proxy: p("P9"),
            reason: "x".into()
        }),
        RuleViolation::UnknownProxy { proxy: p("P9") }
    );
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vp("P1"), "1", split(400, 0, 0)));
    assert_eq!(
        fx.err(vote(vh("A"), "1", split(601, 0, 0))),
        RuleViolation::OverVoting {
            voter: vh("A"),
            resolution: r("1"),
            class: c("H"),
            tendered: 601,
            entitled: 600
        }
    );
    assert_eq!(
        fx.err(vote(vp("P1"), "2", split(401, 0, 0))),
        RuleViolation::OverVoting {
            voter: vp("P1"),
            resolution: r("2"),
            class: c("H"),
            tendered: 401,
            entitled: 400
        }
    );
    fx.ok(Event::ProxyRevoked {
        proxy: p("P1"),
        reason: "withdrawn by the holder".into(),
    });
    assert_eq!(
        fx.err(Event::ProxyRevoked {
            proxy: p("P1"),
            reason: "again".into()
        }),
        RuleViolation::ProxyNotActive {
            proxy: p("P1"),
            reason: "proxy revoked".into()
        }
    );
    fx.ok(vote(vh("A"), "1", split(1_000, 0, 0)));
    let r1 = res(&fx.tally(), "1").clone();
    assert_eq!(r1.for_, 1_000);
    assert_eq!(
        r1.disregarded_ballots,
        vec![Disregarded {
            voter: "proxy:P1".into(),
            votes: 400,
            reason: "proxy revoked".into()
        }]
    );
}

#[test]
fn a_holder_attending_in_person_revokes_its_proxies() {
    let mut fx = Fx::hk();
    fx.ok(Event::ProxyLodged(proxy("P1", "A", None, Some(400))));
    fx.ok(Event::ProxyLodged(proxy("P2", "B", None, None)));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vp("P1"), "1", split(400, 0, 0)));
    fx.ok(attend(vh("A")));
    assert_eq!(
        fx.err(attend(vh("A"))),
        RuleViolation::DuplicateAttendance { attendee: vh("A") }
    );
    assert_eq!(
        fx.err(attend(vp("P1"))),
        RuleViolation::ProxyNotActive {
            proxy: p("P1"),
            reason: "revoked: holder attended in person".into()
        }
    );
    assert_eq!(
        fx.err(Event::ProxyLodged(proxy("P3", "A", None, Some(1)))),
        RuleViolation::HolderInPerson {
            proxy: p("P3"),
            holder: h("A")
        }
    );
    fx.ok(vote(vh("A"), "1", split(0, 1_000, 0)));
    fx.ok(attend(vp("P2")));
    assert_eq!(
        fx.err(attend(vp("P2"))),
        RuleViolation::DuplicateAttendance { attendee: vp("P2") }
    );
    let t = fx.tally();
    assert_eq!(t.represented, 4_000);
    let r1 = res(&t, "1");
    assert_eq!((r1.for_, r1.against), (0, 1_000));
    assert_eq!(
        r1.disregarded_ballots,
        vec![Disregarded {
            voter: "proxy:P1".into(),
            votes: 400,
            reason: "revoked: holder attended in person".into()
        }]
    );
}

#[test]
fn a_proxy_votes_as_instructed() {
    let mut fx = Fx::hk();
    let split_ins = |f, a, x| Instruction::Split {
        for_: Shares(f),
        against: Shares(a),
        abstain: Shares(x),
    };
    fx.ok(with_instructions(
        proxy("P1", "B", None, Some(1_000)),
        &[("1", Instruction::For), ("2", split_ins(500, 200, 0))],
    ));
    fx.ok(with_instructions(
        proxy("P2", "B", None, Some(1_000)),
        &[("1", Instruction::Against), ("2", Instruction::Abstain)],
    ));
    fx.ok(with_instructions(
        proxy("P3", "B", None, Some(1_000)),
        &[("1", Instruction::Discretion)],
    ));
    fx.ok_as(open(None), CHAIR);
    let refused =
        |proxy_id: &str, res_id: &str, instruction, f, a, x| RuleViolation::ProxyInstruction {
            proxy: p(proxy_id),
            resolution: r(res_id),
            instruction,
            for_: f,
            against: a,
            abstain: x,
        };
    assert_eq!(
        fx.err(vote(vp("P1"), "1", split(900, 100, 0))),
        refused("P1", "1", Instruction::For, 900, 100, 0)
    );
    assert_eq!(
        fx.err(vote(vp("P1"), "2", split(500, 300, 0))),
        refused("P1", "2", split_ins(500, 200, 0), 500, 300, 0)
    );
    assert_eq!(
        fx.err(vote(vp("P2"), "1", split(1, 999, 0))),
        refused("P2", "1", Instruction::Against, 1, 999, 0)
    );
    assert_eq!(
        fx.err(vote(vp("P2"), "2", split(0, 1, 999))),
        refused("P2", "2", Instruction::Abstain, 0, 1, 999)
    );
    fx.ok(vote(vp("P1"), "1", split(1_000, 0, 0)));
    fx.ok(vote(vp("P1"), "2", split(500, 200, 0)));
    fx.ok(vote(vp("P2"), "1", split(0, 600, 0)));
    fx.ok(vote(vp("P2"), "2", split(0, 0, 1_000)));
    fx.ok(vote(vp("P3"), "1", split(1, 2, 3)));
    fx.ok(vote(vp("P3"), "2", split(3, 2, 1)));
    let t = fx.tally();
    assert_eq!(res(&t, "1").for_, 1_001);
    assert_eq!(res(&t, "2").abstain, 1_001);
}

// ---------------------------------------------------------------- polls

#[test]
fn polls_open_and_close_once_each() {
    let mut fx = Fx::hk();
    assert_eq!(fx.err_as(close(None), CHAIR), RuleViolation::NoOpenPoll);
    assert_eq!(
        fx.err_as(close(Some("1")), CHAIR),
        RuleViolation::PollNotOpen { resolution: r("1") }
    );
    assert_eq!(
        fx.err_as(open(Some("9")), CHAIR),
        RuleViolation::UnknownResolution { resolution: r("9") }
    );
    fx.ok_as(open(Some("1")), CHAIR);
    assert!(fx.m.poll_opened(&r("1")) && !fx.m.poll_opened(&r("2")));
    assert_eq!(
        fx.err_as(open(Some("1")), CHAIR),
        RuleViolation::PollAlreadyOpened { resolution: r("1") }
    );
    fx.ok_as(open(None), CHAIR); // opens 2, the one not yet opened
    assert_eq!(fx.err_as(open(None), CHAIR), RuleViolation::NothingToOpen);
    fx.ok_as(close(Some("1")), CHAIR);
    assert_eq!(
        fx.err_as(close(Some("1")), CHAIR),
        RuleViolation::PollAlreadyClosed { resolution: r("1") }
    );
    assert_eq!(
        fx.err_as(open(Some("1")), CHAIR),
        RuleViolation::PollAlreadyClosed { resolution: r("1") },
        "a closed poll never reopens"
    );
    assert!(!fx.m.all_polls_closed());
    fx.ok_as(close(None), CHAIR);
    assert!(fx.m.all_polls_closed() && fx.m.poll_closed(&r("2")));
    // A resolution proposed later has its own poll.
    fx.ok(Event::ResolutionProposed(resolution(
        "3",
        ResolutionKind::Ordinary,
    )));
    assert!(!fx.m.all_polls_closed());
    fx.ok_as(open(None), CHAIR);
}

#[test]
fn ballots_only_while_the_poll_is_open() {
    let mut fx = Fx::hk();
    assert_eq!(
        fx.err(vote(vh("A"), "1", split(1, 0, 0))),
        RuleViolation::BallotBeforePoll {
            voter: vh("A"),
            resolution: r("1")
        }
    );
    assert_eq!(
        fx.err(vote(vh("A"), "9", split(1, 0, 0))),
        RuleViolation::UnknownResolution { resolution: r("9") }
    );
    fx.ok_as(open(Some("1")), CHAIR);
    fx.ok(vote(vh("A"), "1", split(1, 0, 0)));
    fx.ok_as(close(Some("1")), CHAIR);
    assert_eq!(
        fx.err(vote(vh("B"), "1", split(1, 0, 0))),
        RuleViolation::BallotAfterPoll {
            voter: vh("B"),
            resolution: r("1")
        }
    );
}

// ---------------------------------------------------------------- ballots

#[test]
fn ballots_are_checked_against_the_voters_entitlement() {
    let mut fx = Fx::hk();
    fx.ok_as(open(None), CHAIR);
    assert_eq!(
        fx.err(vote(vp("P9"), "1", split(1, 0, 0))),
        RuleViolation::UnknownProxy { proxy: p("P9") }
    );
    assert_eq!(
        fx.err(vote(vh("A"), "1", split(0, 0, 0))),
        RuleViolation::EmptyBallot {
            voter: vh("A"),
            resolution: r("1")
        }
    );
    assert_eq!(
        fx.err(vote(vh("A"), "1", split(500, 400, 101))),
        RuleViolation::OverVoting {
            voter: vh("A"),
            resolution: r("1"),
            class: c("H"),
            tendered: 1_001,
            entitled: 1_000
        }
    );
    assert_eq!(
        fx.err(vote_class(vh("A"), "1", "X", split(1, 0, 0))),
        RuleViolation::UnknownClass { class: c("X") }
    );
    fx.ok(vote(vh("A"), "1", split(500, 400, 100)));
    assert_eq!(
        fx.err(vote(vh("A"), "1", split(0, 0, 1))),
        RuleViolation::DuplicateBallot {
            voter: vh("A"),
            resolution: r("1"),
            class: c("H")
        }
    );
    assert_eq!(
        fx.err(vote(
            vh("A"),
            "1",
            Choice::Cumulative(vec![Allocation {
                candidate: cand("X"),
                votes: Votes(1)
            }])
        )),
        RuleViolation::ChoiceKindMismatch {
            voter: vh("A"),
            resolution: r("1"),
            expected: "split",
            given: "cumulative"
        }
    );
    let over = fx.err(vote(vh("B"), "2", split(3_001, 0, 0)));
    assert_eq!(
        over.to_string(),
        "over-voting: holder B tendered 3,001 shares on resolution 2 (class H) but is entitled to 3,000"
    );
}

#[test]
fn a_class_votes_only_where_the_resolution_lets_it() {
    let mut fx = Fx::new(convened(
        MeetingKind::Agm,
        RulesProfile::preset(Preset::Hk, 2),
        &[("A", 1), ("H", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    let mut h_only = resolution("2", ResolutionKind::Ordinary);
    h_only.classes = vec![c("H")];
    fx.ok(Event::ResolutionProposed(h_only));
    fx.ok(register("Z", "A", 100));
    fx.ok(register("Z", "H", 900));
    fx.ok(register("Y", "A", 50));
    fx.ok(Event::RegisterClosed);
    fx.ok_as(open(None), CHAIR);
    assert_eq!(
        fx.err(vote(vh("Z"), "1", split(1, 0, 0))),
        RuleViolation::AmbiguousClass {
            voter: vh("Z"),
            resolution: r("1"),
            classes: vec![c("A"), c("H")]
        }
    );
    assert_eq!(
        fx.err(vote_class(vh("Z"), "2", "A", split(1, 0, 0))),
        RuleViolation::ClassNotVoting {
            voter: vh("Z"),
            resolution: r("2"),
            class: c("A")
        }
    );
    assert_eq!(
        fx.err(vote_class(vh("Y"), "1", "H", split(1, 0, 0))),
        RuleViolation::ClassNotVoting {
            voter: vh("Y"),
            resolution: r("1"),
            class: c("H")
        }
    );
    fx.ok(vote(vh("Z"), "2", split(900, 0, 0))); // only H votes on 2
    fx.ok(vote_class(vh("Z"), "1", "A", split(100, 0, 0)));
    fx.ok(vote_class(vh("Z"), "1", "H", split(0, 900, 0)));
    fx.ok(vote(vh("Y"), "1", split(0, 50, 0)));
    let t = fx.tally();
    let r1 = res(&t, "1");
    assert_eq!((r1.entitled, r1.for_, r1.against), (1_050, 100, 950));
    assert_eq!(r1.for_pct, "9.52");
    let r2 = res(&t, "2");
    assert_eq!((r2.entitled, r2.for_), (900, 900));
    assert_eq!(t.classes.len(), 2);
    assert_eq!(
        (t.classes[0].entitled, t.classes[0].represented),
        (150, 150)
    );
}

#[test]
fn weighted_votes_per_class_per_resolution() {
    let mut fx = Fx::new(convened(
        MeetingKind::Agm,
        RulesProfile::preset(Preset::Hk, 4),
        &[("Y", 10), ("Z", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    let mut one_vote = resolution("2", ResolutionKind::Special);
    one_vote.votes_per_share = vec![ClassWeight {
        class: c("Y"),
        votes_per_share: 1,
    }];
    fx.ok(Event::ResolutionProposed(one_vote));
    fx.ok(register("Q", "Y", 100));
    fx.ok(register("R", "Z", 500));
    fx.ok(Event::RegisterClosed);
    fx.ok_as(open(None), CHAIR);
    for res_id in ["1", "2"] {
        fx.ok(vote(vh("Q"), res_id, split(100, 0, 0)));
        fx.ok(vote(vh("R"), res_id, split(0, 500, 0)));
    }
    let t = fx.tally();
    assert_eq!(t.entitled, 600, "attendance is in shares");
    let r1 = res(&t, "1");
    assert_eq!((r1.entitled, r1.for_, r1.against), (1_500, 1_000, 500));
    assert!(r1.passed);
    let r2 = res(&t, "2");
    assert_eq!((r2.entitled, r2.for_, r2.against), (600, 100, 500));
    assert!(!r2.passed);
    assert_eq!(r1.by_class["Y"].for_, 1_000);
}

// ---------------------------------------------------------------- cumulative voting

fn pool(seats: u32, names: &[&str]) -> ResolutionKind {
    ResolutionKind::Cumulative {
        seats,
        candidates: names
            .iter()
            .map(|n| Candidate {
                id: cand(n),
                name: format!("Candidate {n}"),
            })
            .collect(),
    }
}

fn allot(votes: &[(&str, u64)]) -> Choice {
    Choice::Cumulative(
        votes
            .iter()
            .map(|&(c, v)| Allocation {
                candidate: cand(c),
                votes: Votes(v),
            })
            .collect(),
    )
}

fn prc_pool_meeting() -> Fx {
    let mut fx = Fx::new(convened(
        MeetingKind::Agm,
        RulesProfile::preset(Preset::Prc, 4),
        &[("A", 1)],
    ));
    fx.ok(Event::ResolutionProposed(resolution(
        "5",
        pool(2, &["C1", "C2", "C3"]),
    )));
    fx.ok(Event::ResolutionProposed(resolution(
        "6",
        pool(1, &["D1", "D2"]),
    )));
    fx.ok(register("X", "A", 1_000));
    fx.ok(register("Y", "A", 600));
    fx.ok(register("Z", "A", 400));
    fx.ok(Event::RegisterClosed);
    fx.ok_as(open(None), CHAIR);
    fx
}

#[test]
fn cumulative_ballots_name_candidates_of_the_pool_once() {
    let mut fx = prc_pool_meeting();
    assert_eq!(
        fx.err(vote(vh("X"), "5", allot(&[("D1", 10)]))),
        RuleViolation::UnknownCandidate {
            voter: vh("X"),
            resolution: r("5"),
            candidate: cand("D1")
        }
    );
    assert_eq!(
        fx.err(vote(vh("X"), "5", allot(&[("C1", 10), ("C1", 5)]))),
        RuleViolation::DuplicateCandidate {
            voter: vh("X"),
            resolution: r("5"),
            candidate: cand("C1")
        }
    );
    assert_eq!(
        fx.err(vote(vh("X"), "5", allot(&[("C1", 0)]))),
        RuleViolation::EmptyBallot {
            voter: vh("X"),
            resolution: r("5")
        }
    );
    assert_eq!(
        fx.err(vote(vh("X"), "5", split(1, 0, 0))),
        RuleViolation::ChoiceKindMismatch {
            voter: vh("X"),
            resolution: r("5"),
            expected: "cumulative",
            given: "split"
        }
    );
}

#[test]
fn cumulative_election_ranks_over_the_minimum_and_voids_over_allocation() {
    let mut fx = prc_pool_meeting();
    fx.ok(vote(vh("X"), "5", allot(&[("C1", 1_200), ("C2", 800)])));
    fx.ok(vote(vh("Y"), "5", allot(&[("C1", 600), ("C3", 600)])));
    // 900 votes on 400 shares x 2 seats = 800: accepted, but invalid.
    fx.ok(vote(vh("Z"), "5", allot(&[("C3", 900)])));
    let t = fx.tally();
    let r5 = res(&t, "5");
    let got: Vec<(&str, u128, bool)> = r5
        .candidates
        .iter()
        .map(|c| (c.id.as_str(), c.votes, c.elected))
        .collect();
    // Minimum: more than half of the 1,600 voting shares represented (X and Y).
    assert_eq!(
        got,
        vec![("C1", 1_800, true), ("C2", 800, false), ("C3", 600, false)]
    );
    assert!(!r5.passed, "one seat unfilled");
    assert_eq!(
        r5.disregarded_ballots,
        vec![Disregarded {
            voter: "Z".into(),
            votes: 900,
            reason: "over-allocation: 900 votes cast, 800 allowed".into()
        }]
    );
    assert_eq!(r5.disregarded, 900);
}

#[test]
fn a_tie_straddling_the_last_seat_elects_neither() {
    let mut fx = prc_pool_meeting();
    fx.ok(vote(vh("X"), "6", allot(&[("D1", 1_000)])));
    fx.ok(vote(vh("Y"), "6", allot(&[("D2", 600)])));
    fx.ok(vote(vh("Z"), "6", allot(&[("D2", 400)])));
    let r6 = res(&fx.tally(), "6").clone();
    assert_eq!(
        r6.candidates
            .iter()
            .map(|c| (c.votes, c.elected))
            .collect::<Vec<_>>(),
        vec![(1_000, false), (1_000, false)]
    );
    assert!(!r6.passed);
    let mut fx = prc_pool_meeting();
    fx.ok(vote(vh("X"), "6", allot(&[("D1", 1_000)])));
    fx.ok(vote(vh("Y"), "6", allot(&[("D2", 600)])));
    let r6 = res(&fx.tally(), "6").clone();
    assert!(r6.candidates[0].elected && !r6.candidates[1].elected);
    assert!(r6.passed);
}

// ---------------------------------------------------------------- the count

fn three_holders(rules: RulesProfile) -> Fx {
    let mut fx = Fx::new(convened(MeetingKind::Agm, rules, &[("H", 1)]));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    fx.ok(Event::ResolutionProposed(resolution(
        "2",
        ResolutionKind::Special,
    )));
    fx.ok(register("A", "H", 600));
    fx.ok(register("B", "H", 300));
    fx.ok(register("C", "H", 100));
    fx.ok(Event::RegisterClosed);
    fx.ok_as(open(None), CHAIR);
    fx
}

#[test]
fn the_denominator_follows_the_jurisdiction() {
    for (preset, for_pct, passed_special) in [
        (Preset::Hk, "66.6667", false),
        (Preset::Cayman, "66.6667", true),
        (Preset::Prc, "60.0000", false),
    ] {
        let mut fx = three_holders(RulesProfile::preset(preset, 4));
        for res_id in ["1", "2"] {
            fx.ok(vote(vh("A"), res_id, split(600, 0, 0)));
            fx.ok(vote(vh("B"), res_id, split(0, 300, 0)));
            fx.ok(vote(vh("C"), res_id, split(0, 0, 100)));
        }
        let t = fx.tally();
        let r1 = res(&t, "1");
        assert_eq!(r1.for_pct, for_pct, "{preset:?}");
        assert_eq!(r1.abstain_pct, "10.0000", "{preset:?}");
        assert!(r1.passed);
        assert_eq!(res(&t, "2").passed, passed_special, "{preset:?}");
    }
}

#[test]
fn thresholds_are_decided_on_integers() {
    // An ordinary tie fails; exactly three quarters passes a special resolution (HK).
    let mut fx = three_holders(RulesProfile::preset(Preset::Hk, 4));
    fx.ok(vote(vh("A"), "1", split(300, 300, 0)));
    fx.ok(vote(vh("A"), "2", split(300, 100, 0)));
    let t = fx.tally();
    assert_eq!(res(&t, "1").for_pct, "50.0000");
    assert!(!res(&t, "1").passed);
    assert_eq!(res(&t, "2").for_pct, "75.0000");
    assert!(res(&t, "2").passed);
    // 74.9999...% prints as 75.0000 but fails.
    let mut fx = three_holders(RulesProfile::preset(Preset::Hk, 2));
    fx.ok(vote(vh("A"), "2", split(599, 0, 0)));
    fx.ok(vote(vh("B"), "2", split(0, 200, 0)));
    fx.ok(vote(vh("C"), "2", split(0, 0, 1)));
    let r2 = res(&fx.tally(), "2").clone();
    assert_eq!(r2.for_pct, "74.97");
    assert!(!r2.passed);
    // No votes: nothing passes.
    let fx = three_holders(RulesProfile::preset(Preset::Hk, 4));
    assert!(!res(&fx.tally(), "1").passed);
}

#[test]
fn attendance_counts_holders_in_person_and_active_proxies() {
    let mut fx = Fx::hk();
    fx.ok(Event::ProxyLodged(proxy("PB", "B", None, Some(1_000))));
    fx.ok(Event::ProxyLodged(proxy("PB2", "B", None, Some(500))));
    fx.ok_as(open(None), CHAIR);
    // B votes in person for its 1,500 unappointed shares; PB attends; PB2 never shows.
    fx.ok(vote(vh("B"), "1", split(1_500, 0, 0)));
    fx.ok(attend(vp("PB")));
    let t = fx.tally();
    assert_eq!(t.represented, 2_500);
    assert_eq!(t.represented_pct, "62.5000");
    assert_eq!(t.classes[0].represented, 2_500);
    assert_eq!(t.classes[0].represented_pct, "62.5000");
    fx.ok(attend(vh("A")));
    assert_eq!(fx.tally().represented, 3_500);
}

#[test]
fn unvoted_shares_present_count_as_abstentions_when_the_profile_says_so() {
    let mut rules = RulesProfile::preset(Preset::Prc, 4);
    rules.unvoted_as_abstain = true;
    let mut fx = Fx::new(convened(MeetingKind::Agm, rules, &[("H", 1)]));
    fx.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    fx.ok(register("A", "H", 1_000));
    fx.ok(register("B", "H", 3_000));
    fx.ok(register("C", "H", 500));
    fx.ok(register("D", "H", 500));
    fx.ok(Event::RegisterClosed);
    fx.ok(abstain("C", &["1"], Restriction::Abstain, "interested"));
    fx.ok(Event::ProxyLodged(proxy("P", "B", None, Some(1_000))));
    fx.ok(attend(vh("A")));
    fx.ok(attend(vp("P")));
    fx.ok(attend(vh("C")));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vh("B"), "1", split(2_000, 0, 0)));
    let t = fx.tally();
    assert_eq!((t.entitled, t.represented), (5_000, 4_500));
    let r1 = res(&t, "1");
    // A (1,000) and P (1,000) present but silent: abstentions. C must abstain: not counted.
    assert_eq!((r1.for_, r1.against, r1.abstain), (2_000, 0, 2_000));
    assert_eq!(r1.entitled, 4_500);
    assert_eq!(r1.for_pct, "50.0000");
    assert!(!r1.passed);
    // Without the option the same meeting passes.
    let mut rules = RulesProfile::preset(Preset::Prc, 4);
    rules.unvoted_as_abstain = false;
    let mut fx2 = Fx::new(convened(MeetingKind::Agm, rules, &[("H", 1)]));
    fx2.ok(Event::ResolutionProposed(resolution(
        "1",
        ResolutionKind::Ordinary,
    )));
    fx2.ok(register("B", "H", 3_000));
    fx2.ok(register("A", "H", 1_000));
    fx2.ok(Event::RegisterClosed);
    fx2.ok(attend(vh("A")));
    fx2.ok_as(open(None), CHAIR);
    fx2.ok(vote(vh("B"), "1", split(2_000, 0, 0)));
    let r1 = res(&fx2.tally(), "1").clone();
    assert_eq!((r1.for_, r1.abstain), (2_000, 0));
    assert!(r1.passed);
}

#[test]
fn a_scheme_needs_value_headcount_and_few_disinterested_votes_against() {
    let mut fx = Fx::new(convened(
        MeetingKind::Egm,
        RulesProfile::preset(Preset::Hk, 2),
        &[("O", 1)],
    ));
    for id in ["A", "B", "C"] {
        fx.ok(Event::ResolutionProposed(resolution(
            id,
            ResolutionKind::Scheme,
        )));
    }
    fx.ok(register("S1", "O", 100));
    fx.ok(register("S2", "O", 100));
    fx.ok(register("S3", "O", 100));
    fx.ok(register("S4", "O", 1_000));
    fx.ok(Event::RegisterClosed);
    fx.ok(Event::ProxyLodged(proxy("P4", "S4", None, Some(600))));
    fx.ok(Event::ProxyLodged(proxy("P5", "S4", None, Some(400))));
    fx.ok_as(open(None), CHAIR);
    // A: S2 splits (counted once each way); against 150 > 10% of 1,300.
    fx.ok(vote(vh("S1"), "A", split(100, 0, 0)));
    fx.ok(vote(vh("S2"), "A", split(50, 50, 0)));
    fx.ok(vote(vh("S3"), "A", split(0, 100, 0)));
    fx.ok(vote(vp("P4"), "A", split(600, 0, 0)));
    fx.ok(vote(vp("P5"), "A", split(400, 0, 0)));
    // B: 2 holders for (S1, S4 through its proxy) against 2: no majority in number.
    fx.ok(vote(vh("S1"), "B", split(100, 0, 0)));
    fx.ok(vote(vh("S2"), "B", split(0, 10, 0)));
    fx.ok(vote(vh("S3"), "B", split(0, 10, 0)));
    fx.ok(vote(vp("P4"), "B", split(600, 0, 0)));
    // C: passes all three tests.
    fx.ok(vote(vh("S1"), "C", split(100, 0, 0)));
    fx.ok(vote(vh("S3"), "C", split(0, 100, 0)));
    fx.ok(vote(vp("P4"), "C", split(600, 0, 0)));
    fx.ok(vote(vp("P5"), "C", split(400, 0, 0)));
    let t = fx.tally();
    let tests = |id: &str| {
        let x = res(&t, id);
        let s = x.scheme.clone().unwrap();
        (
            s.holders_for,
            s.holders_against,
            s.headcount_passed,
            s.against_limit_passed,
            x.passed,
        )
    };
    assert_eq!(tests("A"), (3, 2, true, false, false));
    assert_eq!(tests("B"), (2, 2, false, true, false));
    assert_eq!(tests("C"), (2, 1, true, true, true));
    assert_eq!(res(&t, "A").kind, "scheme");
}

#[test]
fn disregarded_ballots_are_listed_in_log_order() {
    let mut fx = Fx::hk();
    fx.ok(Event::ProxyLodged(proxy("PB", "B", None, Some(100))));
    fx.ok(abstain("A", &["1"], Restriction::AgainstOnly, "13.40"));
    fx.ok_as(open(None), CHAIR);
    fx.ok(vote(vp("PB"), "1", split(100, 0, 0)));
    fx.ok(vote(vh("A"), "1", split(10, 0, 0)));
    fx.ok(Event::ProxyRevoked {
        proxy: p("PB"),
        reason: "withdrawn".into(),
    });
    let voters: Vec<String> = res(&fx.tally(), "1")
        .disregarded_ballots
        .iter()
        .map(|d| d.voter.clone())
        .collect();
    assert_eq!(voters, vec!["proxy:PB", "A"]);
}
