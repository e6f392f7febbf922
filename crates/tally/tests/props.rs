//! Property tests: the tally equals a naive recount; random event sequences never panic; the
//! tally does not depend on how events were batched.
//!
//! Scenarios are drawn from a seed with a small local PRNG so that one `u64` describes a whole
//! meeting (proptest still explores seeds and reports the failing one).

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use scrutin_model::{
    Allocation, AuthorKey, Ballot, Candidate, CandidateId, Choice, ClassId, ClassWeight, Date,
    Event, HolderId, Instruction, MeetingConvened, MeetingKind, Preset, ProxyId, ProxyInstruction,
    ProxyLodged, Resolution, ResolutionId, ResolutionKind, Restriction, Role, RulesProfile,
    ShareClass, Shares, UtcMillis, Voter, Votes,
};
use scrutin_tally::{Meeting, Tally};

const REG: AuthorKey = AuthorKey([1; 32]);
const DEADLINE: u64 = 1_000;

/// xorshift64*: deterministic, tiny, good enough to pick scenario parts.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn hid(i: u64) -> HolderId {
    HolderId::new(format!("H{i}")).unwrap()
}
fn pid(i: u64) -> ProxyId {
    ProxyId::new(format!("P{i}")).unwrap()
}
fn rid(i: u64) -> ResolutionId {
    ResolutionId::new(format!("{}", i + 1)).unwrap()
}
fn cand_id(i: u64) -> CandidateId {
    CandidateId::new(format!("C{i}")).unwrap()
}
fn cid(i: u64) -> ClassId {
    ClassId::new(["A", "B"][i as usize % 2]).unwrap()
}

fn convened(rng: &mut Rng, classes: u64) -> MeetingConvened {
    let mut rules = RulesProfile::preset(
        if rng.chance(50) {
            Preset::Hk
        } else {
            Preset::Prc
        },
        rng.below(7) as u8,
    );
    rules.unvoted_as_abstain = rng.chance(40);
    rules.later_proxy_wins = rng.chance(70);
    MeetingConvened {
        id: "prop".into(),
        issuer: "Prop Co".into(),
        stock_code: "00002".into(),
        kind: MeetingKind::Agm,
        date: Date::new("2026-11-24").unwrap(),
        rules,
        classes: (0..classes)
            .map(|i| ShareClass {
                id: cid(i),
                name: String::new(),
                votes_per_share: if i == 0 { 1 } else { 1 + rng.below(3) as u32 },
            })
            .collect(),
        record_date: Date::new("2026-11-20").unwrap(),
        proxy_deadline: UtcMillis(DEADLINE),
        registrar: REG,
        scrutineer: String::new(),
    }
}

fn split(f: u64, a: u64, x: u64) -> Choice {
    Choice::Split {
        for_: Shares(f),
        against: Shares(a),
        abstain: Shares(x),
    }
}

/// A meeting of split-vote resolutions, with restrictions, proxies (some superseded or
/// revoked), attendance and ballots, valid and invalid mixed. Returns every event drawn.
fn scenario(seed: u64) -> Vec<Event> {
    let mut rng = Rng::new(seed);
    let classes = 1 + rng.below(2);
    let mut events = vec![Event::MeetingConvened(convened(&mut rng, classes))];
    let resolutions = 1 + rng.below(3);
    let mut cumulative = Vec::new();
    for r in 0..resolutions {
        let mut res = Resolution {
            id: rid(r),
            kind: match rng.below(20) {
                0..=7 => ResolutionKind::Ordinary,
                8..=13 => ResolutionKind::Special,
                14..=16 => ResolutionKind::Scheme,
                _ => ResolutionKind::Cumulative {
                    seats: 1 + rng.below(2) as u32,
                    candidates: (0..2 + rng.below(2))
                        .map(|k| Candidate {
                            id: cand_id(k),
                            name: String::new(),
                        })
                        .collect(),
                },
            },
            title: String::new(),
            classes: Vec::new(),
            votes_per_share: Vec::new(),
        };
        cumulative.push(matches!(res.kind, ResolutionKind::Cumulative { .. }));
        if classes == 2 && rng.chance(30) {
            res.classes = vec![cid(rng.below(2))];
        }
        if classes == 2 && rng.chance(30) {
            res.votes_per_share = vec![ClassWeight {
                class: cid(1),
                votes_per_share: 1,
            }];
        }
        events.push(Event::ResolutionProposed(res));
    }
    let holders = 2 + rng.below(5);
    for h in 0..holders {
        for c in 0..classes {
            if c == 0 || rng.chance(40) {
                events.push(Event::ShareRegistered {
                    holder: hid(h),
                    name: String::new(),
                    class: cid(c),
                    shares: Shares(1 + rng.below(1_000)),
                });
            }
        }
    }
    if rng.chance(30) {
        events.push(Event::ShareRegistered {
            holder: HolderId::new("treasury").unwrap(),
            name: String::new(),
            class: cid(0),
            shares: Shares(500),
        });
    }
    events.push(Event::RegisterClosed);
    let proxies = 6;
    // Before the polls: restrictions, proxy forms, attendance. Then the polls open and
    // ballots mix with late forms, revocations, attendance and the odd early close.
    let before = 5 + rng.below(20);
    let during = 10 + rng.below(60);
    for step in 0..before + during + 1 {
        let e = if step == before {
            Event::PollOpened { resolution: None }
        } else {
            let roll = if step < before {
                rng.below(36)
            } else {
                rng.below(100)
            };
            draw(&mut rng, roll, holders, classes, &cumulative, proxies)
        };
        events.push(e);
    }
    events
}

/// One event of a scenario: a `roll` below 36 draws a pre-poll event; above, mostly ballots.
fn draw(
    rng: &mut Rng,
    roll: u64,
    holders: u64,
    classes: u64,
    cumulative: &[bool],
    proxies: u64,
) -> Event {
    let resolutions = cumulative.len() as u64;
    match roll {
        0..=7 => Event::AbstentionRequired {
            holder: hid(rng.below(holders)),
            resolutions: vec![rid(rng.below(resolutions))],
            restriction: if rng.chance(50) {
                Restriction::Abstain
            } else {
                Restriction::AgainstOnly
            },
            reason: "interest".into(),
        },
        8..=22 => {
            let mut instructions = Vec::new();
            if rng.chance(40) {
                let i = match rng.below(5) {
                    0 => Instruction::For,
                    1 => Instruction::Against,
                    2 => Instruction::Abstain,
                    3 => Instruction::Discretion,
                    _ => Instruction::Split {
                        for_: Shares(rng.below(300)),
                        against: Shares(rng.below(300)),
                        abstain: Shares(rng.below(100)),
                    },
                };
                instructions.push(ProxyInstruction {
                    resolution: rid(rng.below(resolutions)),
                    instruction: i,
                });
            }
            Event::ProxyLodged(ProxyLodged {
                proxy: pid(rng.below(proxies)),
                holder: hid(rng.below(holders)),
                proxy_name: String::new(),
                class: if rng.chance(50) {
                    None
                } else {
                    Some(cid(rng.below(classes)))
                },
                shares: if rng.chance(25) {
                    None
                } else {
                    Some(Shares(rng.below(700)))
                },
                instructions,
                lodged_at: UtcMillis(DEADLINE - 10 + rng.below(12)),
            })
        }
        23..=27 => Event::ProxyRevoked {
            proxy: pid(rng.below(proxies)),
            reason: "withdrawn".into(),
        },
        28..=35 => Event::AttendanceRecorded {
            attendee: if rng.chance(50) {
                Voter::Holder(hid(rng.below(holders)))
            } else {
                Voter::Proxy(pid(rng.below(proxies)))
            },
        },
        36..=38 => Event::PollClosed {
            resolution: Some(rid(rng.below(resolutions))),
        },
        _ => {
            let r = rng.below(resolutions);
            let choice = if cumulative[r as usize] {
                Choice::Cumulative(
                    (0..1 + rng.below(2))
                        .map(|_| Allocation {
                            candidate: cand_id(rng.below(3)),
                            votes: Votes(rng.below(900)),
                        })
                        .collect(),
                )
            } else {
                split(
                    rng.below(4) * rng.below(200),
                    rng.below(3) * rng.below(150),
                    rng.below(2) * rng.below(100),
                )
            };
            Event::VoteCast(Ballot {
                voter: if rng.chance(60) {
                    Voter::Holder(hid(rng.below(holders)))
                } else {
                    Voter::Proxy(pid(rng.below(proxies)))
                },
                resolution: rid(r),
                class: if rng.chance(60) {
                    None
                } else {
                    Some(cid(rng.below(classes)))
                },
                choice,
            })
        }
    }
}

/// Submits every event, keeping those accepted.
fn accepted(events: &[Event]) -> (Meeting, Vec<Event>) {
    let mut m = Meeting::new();
    let mut kept = Vec::new();
    for e in events {
        if m.submit(e, &REG).is_ok() {
            kept.push(e.clone());
        }
    }
    (m, kept)
}

// ------------------------------------------------------------------ the naive recount

#[derive(Debug, Clone)]
struct NProxy {
    id: ProxyId,
    holder: HolderId,
    appts: Vec<(ClassId, u64)>,
    active: bool,
    why: String,
    attended: bool,
    voted: bool,
}

/// What the recount produces per resolution, in the tally's units (votes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct NRes {
    entitled: u128,
    must_abstain: u128,
    against_only: u128,
    for_: u128,
    against: u128,
    abstain: u128,
    disregarded: Vec<(String, u128, String)>,
    by_class: BTreeMap<String, (u128, u128, u128)>,
    passed: bool,
    candidates: Vec<(String, u128, bool)>,
    scheme: Option<(u64, u64, bool, bool)>,
}

/// A recorded ballot in the recount.
#[derive(Debug, Clone)]
enum NCast {
    Split(u64, u64, u64),
    /// Allocations and the shares the voter was entitled to when casting.
    Cumulative(Vec<(CandidateId, u64)>, u64),
}

/// Recounts accepted events from scratch with plain loops and maps; shares no code with the
/// crate beyond the model types.
fn naive(events: &[Event]) -> (u128, u128, Vec<NRes>) {
    let mut conv = None;
    let mut resolutions: Vec<Resolution> = Vec::new();
    let mut lines: BTreeMap<(HolderId, ClassId), u64> = BTreeMap::new();
    let mut order: Vec<HolderId> = Vec::new();
    let mut restrictions: BTreeMap<(HolderId, ResolutionId), (Restriction, String)> =
        BTreeMap::new();
    let mut proxies: Vec<NProxy> = Vec::new();
    let mut attended: BTreeSet<HolderId> = BTreeSet::new();
    let mut voted: BTreeSet<HolderId> = BTreeSet::new();
    // (voter, resolution, class, for, against, abstain)
    let mut ballots: Vec<(Voter, ResolutionId, ClassId, NCast)> = Vec::new();

    fn vps(conv: &MeetingConvened, r: &Resolution, c: &ClassId) -> u128 {
        if !r.classes.is_empty() && !r.classes.contains(c) {
            return 0;
        }
        for w in &r.votes_per_share {
            if &w.class == c {
                return u128::from(w.votes_per_share);
            }
        }
        for k in &conv.classes {
            if &k.id == c {
                return u128::from(k.votes_per_share);
            }
        }
        0
    }
    fn active_appointed(proxies: &[NProxy], h: &HolderId, c: &ClassId) -> u64 {
        let mut total = 0;
        for p in proxies {
            if p.active && &p.holder == h {
                for (pc, s) in &p.appts {
                    if pc == c {
                        total += s;
                    }
                }
            }
        }
        total
    }

    for e in events {
        match e {
            Event::MeetingConvened(m) => conv = Some(m.clone()),
            Event::ResolutionProposed(r) => resolutions.push(r.clone()),
            Event::ShareRegistered {
                holder,
                class,
                shares,
                ..
            } => {
                if !order.contains(holder) {
                    order.push(holder.clone());
                }
                lines.insert((holder.clone(), class.clone()), shares.0);
            }
            Event::AbstentionRequired {
                holder,
                resolutions: rs,
                restriction,
                reason,
            } => {
                for r in rs {
                    restrictions
                        .insert((holder.clone(), r.clone()), (*restriction, reason.clone()));
                }
            }
            Event::ProxyLodged(p) => {
                let conv = conv.as_ref().unwrap();
                let holder_classes: Vec<(ClassId, u64)> = lines
                    .iter()
                    .filter(|((h, _), _)| h == &p.holder)
                    .map(|((_, c), s)| (c.clone(), *s))
                    .collect();
                let appts: Vec<(ClassId, u64)> = match (&p.class, p.shares) {
                    (Some(c), s) => {
                        let all = lines[&(p.holder.clone(), c.clone())];
                        vec![(c.clone(), s.map_or(all, |s| s.0))]
                    }
                    (None, Some(s)) => vec![(holder_classes[0].0.clone(), s.0)],
                    (None, None) => holder_classes.clone(),
                };
                // A later proxy wins: revoke the holder's oldest active proxies until it fits.
                let new_id = p.proxy.clone();
                for (c, want) in &appts {
                    let line = lines[&(p.holder.clone(), c.clone())];
                    loop {
                        let free = line - active_appointed(&proxies, &p.holder, c);
                        if free >= *want {
                            break;
                        }
                        assert!(conv.rules.later_proxy_wins, "accepted only if it fits");
                        let oldest = proxies
                            .iter_mut()
                            .find(|q| {
                                q.active
                                    && q.holder == p.holder
                                    && q.appts.iter().any(|(qc, s)| qc == c && *s > 0)
                            })
                            .unwrap();
                        oldest.active = false;
                        oldest.why = format!("superseded by later proxy {new_id}");
                    }
                }
                proxies.push(NProxy {
                    id: p.proxy.clone(),
                    holder: p.holder.clone(),
                    appts,
                    active: true,
                    why: String::new(),
                    attended: false,
                    voted: false,
                });
            }
            Event::ProxyRevoked { proxy, .. } => {
                for q in proxies.iter_mut() {
                    if &q.id == proxy {
                        q.active = false;
                        q.why = "proxy revoked".into();
                    }
                }
            }
            Event::AttendanceRecorded { attendee } => match attendee {
                Voter::Holder(h) => {
                    attended.insert(h.clone());
                    for q in proxies.iter_mut() {
                        if &q.holder == h && q.active {
                            q.active = false;
                            q.why = "revoked: holder attended in person".into();
                        }
                    }
                }
                Voter::Proxy(p) => {
                    for q in proxies.iter_mut() {
                        if &q.id == p {
                            q.attended = true;
                        }
                    }
                }
            },
            Event::VoteCast(b) => {
                let conv = conv.as_ref().unwrap();
                let r = resolutions.iter().find(|r| r.id == b.resolution).unwrap();
                let class = match &b.class {
                    Some(c) => c.clone(),
                    None => {
                        let mine: Vec<ClassId> = match &b.voter {
                            Voter::Holder(h) => lines
                                .keys()
                                .filter(|(lh, _)| lh == h)
                                .map(|(_, c)| c.clone())
                                .collect(),
                            Voter::Proxy(p) => proxies
                                .iter()
                                .find(|q| &q.id == p)
                                .unwrap()
                                .appts
                                .iter()
                                .map(|(c, _)| c.clone())
                                .collect(),
                        };
                        let voting: Vec<ClassId> =
                            mine.into_iter().filter(|c| vps(conv, r, c) > 0).collect();
                        assert_eq!(voting.len(), 1);
                        voting[0].clone()
                    }
                };
                match &b.voter {
                    Voter::Holder(h) => {
                        voted.insert(h.clone());
                    }
                    Voter::Proxy(p) => {
                        for q in proxies.iter_mut() {
                            if &q.id == p {
                                q.voted = true;
                            }
                        }
                    }
                }
                let cast = match &b.choice {
                    Choice::Split {
                        for_,
                        against,
                        abstain,
                    } => NCast::Split(for_.0, against.0, abstain.0),
                    Choice::Cumulative(allocs) => {
                        // Entitlement when cast: own shares less active proxies', or the
                        // proxy's appointment.
                        let entitled = match &b.voter {
                            Voter::Holder(h) => {
                                lines[&(h.clone(), class.clone())]
                                    - active_appointed(&proxies, h, &class)
                            }
                            Voter::Proxy(p) => proxies
                                .iter()
                                .find(|q| &q.id == p)
                                .unwrap()
                                .appts
                                .iter()
                                .filter(|(c, _)| c == &class)
                                .map(|(_, s)| *s)
                                .sum(),
                        };
                        NCast::Cumulative(
                            allocs
                                .iter()
                                .map(|a| (a.candidate.clone(), a.votes.0))
                                .collect(),
                            entitled,
                        )
                    }
                };
                ballots.push((b.voter.clone(), b.resolution.clone(), class, cast));
            }
            _ => {}
        }
    }

    let conv = conv.unwrap();
    let present = |h: &HolderId| attended.contains(h) || voted.contains(h);
    // Attendance, in shares.
    let mut entitled = 0u128;
    let mut represented = 0u128;
    for ((h, c), s) in &lines {
        if h.is_treasury() {
            continue;
        }
        entitled += u128::from(*s);
        if present(h) {
            represented += u128::from(s - active_appointed(&proxies, h, c));
        }
    }
    for p in &proxies {
        if p.active && (p.attended || p.voted) {
            for (_, s) in &p.appts {
                represented += u128::from(*s);
            }
        }
    }

    let mut out = Vec::new();
    for r in &resolutions {
        let mut n = NRes::default();
        for k in &conv.classes {
            if vps(&conv, r, &k.id) > 0 {
                n.by_class.insert(k.id.to_string(), (0, 0, 0));
            }
        }
        for ((h, c), s) in &lines {
            let w = vps(&conv, r, c);
            if h.is_treasury() || w == 0 {
                continue;
            }
            let shares = u128::from(*s);
            match restrictions.get(&(h.clone(), r.id.clone())) {
                Some((Restriction::Abstain, _)) => n.must_abstain += shares * w,
                Some((Restriction::AgainstOnly, _)) => {
                    n.against_only += shares * w;
                    n.entitled += shares * w;
                }
                None => n.entitled += shares * w,
            }
        }
        let (seats, names) = match &r.kind {
            ResolutionKind::Cumulative { seats, candidates } => (
                u128::from(*seats),
                candidates.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
            ),
            _ => (0, Vec::new()),
        };
        let mut cand_votes: Vec<u128> = vec![0; names.len()];
        let mut min_base = 0u128;
        let mut heads: BTreeSet<(HolderId, bool)> = BTreeSet::new();
        for (voter, res, class, cast) in &ballots {
            if res != &r.id {
                continue;
            }
            let w = vps(&conv, r, class);
            let label = match voter {
                Voter::Holder(h) => h.to_string(),
                Voter::Proxy(p) => format!("proxy:{p}"),
            };
            let (holder, proxy_why) = match voter {
                Voter::Holder(h) => (h.clone(), None),
                Voter::Proxy(p) => {
                    let q = proxies.iter().find(|q| &q.id == p).unwrap();
                    (
                        q.holder.clone(),
                        if q.active { None } else { Some(q.why.clone()) },
                    )
                }
            };
            let restriction = restrictions.get(&(holder.clone(), r.id.clone()));
            let slot = n.by_class.get_mut(class.as_str()).unwrap();
            match cast {
                NCast::Split(f, a, x) => {
                    let (f, a, x) = (u128::from(*f) * w, u128::from(*a) * w, u128::from(*x) * w);
                    if let Some(why) = proxy_why {
                        n.disregarded.push((label, f + a + x, why));
                        continue;
                    }
                    let counted_for = match restriction {
                        Some((Restriction::Abstain, reason)) => {
                            n.disregarded.push((
                                label,
                                f + a + x,
                                format!("required to abstain: {reason}"),
                            ));
                            continue;
                        }
                        Some((Restriction::AgainstOnly, reason)) => {
                            if f > 0 {
                                n.disregarded.push((
                                    label,
                                    f,
                                    format!("may not vote for (Rule 13.40): {reason}"),
                                ));
                            }
                            0
                        }
                        None => f,
                    };
                    slot.0 += counted_for;
                    slot.1 += a;
                    slot.2 += x;
                    if counted_for > 0 {
                        heads.insert((holder.clone(), true));
                    }
                    if a > 0 {
                        heads.insert((holder.clone(), false));
                    }
                }
                NCast::Cumulative(allocs, entitled) => {
                    let total: u128 = allocs.iter().map(|(_, v)| u128::from(*v)).sum();
                    let allowed = u128::from(*entitled) * seats * w;
                    let why = match (proxy_why, restriction) {
                        (Some(why), _) => Some(why),
                        (None, Some((Restriction::Abstain, reason))) => {
                            Some(format!("required to abstain: {reason}"))
                        }
                        (None, Some((Restriction::AgainstOnly, reason))) => {
                            Some(format!("may not vote for (Rule 13.40): {reason}"))
                        }
                        (None, None) if total > allowed => Some(format!(
                            "over-allocation: {} votes cast, {} allowed",
                            scrutin_model::group_thousands(total),
                            scrutin_model::group_thousands(allowed)
                        )),
                        (None, None) => None,
                    };
                    if let Some(why) = why {
                        n.disregarded.push((label, total, why));
                        continue;
                    }
                    for (cand, v) in allocs {
                        let k = names.iter().position(|x| x == cand).unwrap();
                        cand_votes[k] += u128::from(*v);
                    }
                    slot.0 += total;
                    min_base += u128::from(*entitled) * w;
                }
            }
        }
        if conv.rules.unvoted_as_abstain && names.is_empty() {
            // Every unit present (a holder in person, an active proxy) entitled on r that
            // cast no ballot on (r, class) adds its shares as abstentions.
            for ((h, c), s) in &lines {
                let w = vps(&conv, r, c);
                if h.is_treasury() || w == 0 {
                    continue;
                }
                if matches!(
                    restrictions.get(&(h.clone(), r.id.clone())),
                    Some((Restriction::Abstain, _))
                ) {
                    continue;
                }
                let cast = |v: &Voter| {
                    ballots
                        .iter()
                        .any(|(bv, br, bc, _)| bv == v && br == &r.id && bc == c)
                };
                if present(h) && !cast(&Voter::Holder(h.clone())) {
                    let own = s - active_appointed(&proxies, h, c);
                    n.by_class.get_mut(c.as_str()).unwrap().2 += u128::from(own) * w;
                }
                for p in &proxies {
                    let silent = p.active
                        && (p.attended || p.voted)
                        && &p.holder == h
                        && !cast(&Voter::Proxy(p.id.clone()));
                    if silent {
                        for (pc, ps) in &p.appts {
                            if pc == c {
                                n.by_class.get_mut(c.as_str()).unwrap().2 += u128::from(*ps) * w;
                            }
                        }
                    }
                }
            }
        }
        for (f, a, x) in n.by_class.values() {
            n.for_ += f;
            n.against += a;
            n.abstain += x;
        }
        let base = match conv.rules.denominator {
            scrutin_model::Denominator::ForAgainst => n.for_ + n.against,
            scrutin_model::Denominator::ForAgainstAbstain => n.for_ + n.against + n.abstain,
        };
        let meets = |t: scrutin_model::Threshold, votes: u128, base: u128| {
            // votes/base against num/den, cross-multiplied.
            let lhs = votes * u128::from(t.den);
            let rhs = base * u128::from(t.num);
            base > 0 && if t.strict { lhs > rhs } else { lhs >= rhs }
        };
        let rules = &conv.rules;
        n.passed = match &r.kind {
            ResolutionKind::Ordinary => meets(rules.ordinary, n.for_, base),
            ResolutionKind::Special => meets(rules.special, n.for_, base),
            ResolutionKind::Scheme => {
                let hf = heads.iter().filter(|x| x.1).count() as u64;
                let ha = heads.iter().filter(|x| !x.1).count() as u64;
                let m = rules.scheme_max_against;
                let (lhs, rhs) = (
                    n.against * u128::from(m.den),
                    n.entitled * u128::from(m.num),
                );
                let limit = if m.strict { lhs < rhs } else { lhs <= rhs };
                n.scheme = Some((hf, ha, hf > ha, limit));
                meets(rules.special, n.for_, n.for_ + n.against) && hf > ha && limit
            }
            ResolutionKind::Cumulative { seats, .. } => {
                let seats = *seats as usize;
                // Rank: most votes first, then the order proposed.
                let mut order: Vec<usize> = (0..names.len()).collect();
                for i in 0..order.len() {
                    for j in i + 1..order.len() {
                        let (a, b) = (order[i], order[j]);
                        if cand_votes[b] > cand_votes[a]
                            || (cand_votes[b] == cand_votes[a] && b < a)
                        {
                            order.swap(i, j);
                        }
                    }
                }
                let mut elected = vec![false; names.len()];
                for (rank, &k) in order.iter().enumerate() {
                    if rank >= seats {
                        break;
                    }
                    let tied_at_last_seat = order.len() > seats
                        && cand_votes[k] == cand_votes[order[seats - 1]]
                        && cand_votes[k] == cand_votes[order[seats]];
                    if !tied_at_last_seat
                        && meets(rules.cumulative_minimum, cand_votes[k], min_base)
                    {
                        elected[k] = true;
                    }
                }
                n.candidates = names
                    .iter()
                    .zip(&cand_votes)
                    .zip(&elected)
                    .map(|((id, v), e)| (id.to_string(), *v, *e))
                    .collect();
                elected.iter().filter(|e| **e).count() == seats
            }
        };
        out.push(n);
    }
    (entitled, represented, out)
}

fn observed(t: &Tally) -> (u128, u128, Vec<NRes>) {
    let res = t
        .resolutions
        .iter()
        .map(|r| NRes {
            entitled: r.entitled,
            must_abstain: r.must_abstain,
            against_only: r.against_only,
            for_: r.for_,
            against: r.against,
            abstain: r.abstain,
            disregarded: r
                .disregarded_ballots
                .iter()
                .map(|d| (d.voter.clone(), d.votes, d.reason.clone()))
                .collect(),
            by_class: r
                .by_class
                .iter()
                .map(|(k, v)| (k.clone(), (v.for_, v.against, v.abstain)))
                .collect(),
            passed: r.passed,
            candidates: r
                .candidates
                .iter()
                .map(|c| (c.id.clone(), c.votes, c.elected))
                .collect(),
            scheme: r.scheme.as_ref().map(|s| {
                (
                    s.holders_for,
                    s.holders_against,
                    s.headcount_passed,
                    s.against_limit_passed,
                )
            }),
        })
        .collect();
    (t.entitled, t.represented, res)
}

// ------------------------------------------------------------------ wild event sequences

fn wild_event(rng: &mut Rng) -> Event {
    let small = |rng: &mut Rng| rng.below(4);
    let holder = |rng: &mut Rng| {
        if rng.chance(10) {
            HolderId::new("treasury").unwrap()
        } else {
            hid(rng.below(4))
        }
    };
    let cand = |rng: &mut Rng| CandidateId::new(format!("C{}", rng.below(3))).unwrap();
    let shares = |rng: &mut Rng| {
        Shares(match rng.below(4) {
            0 => 0,
            1 => u64::MAX - rng.below(3),
            _ => rng.below(2_000),
        })
    };
    let voter = |rng: &mut Rng| {
        if rng.chance(50) {
            Voter::Holder(hid(rng.below(4)))
        } else {
            Voter::Proxy(pid(rng.below(4)))
        }
    };
    match rng.below(15) {
        0 => {
            let classes = 1 + rng.below(2);
            let mut c = convened(rng, classes);
            if rng.chance(10) {
                c.registrar = AuthorKey([2; 32]);
            }
            if rng.chance(10) {
                c.classes.push(c.classes[0].clone());
            }
            Event::MeetingConvened(c)
        }
        1 => Event::AuthorityGranted {
            key: AuthorKey([rng.below(3) as u8 + 1; 32]),
            role: match rng.below(4) {
                0 => Role::Chair,
                1 => Role::Scrutineer,
                2 => Role::Registrar,
                _ => Role::Holder(hid(rng.below(4))),
            },
        },
        2 => Event::AuthorityRevoked {
            key: AuthorKey([rng.below(3) as u8 + 1; 32]),
            role: Role::Chair,
        },
        3 => {
            let kind = match rng.below(4) {
                0 => ResolutionKind::Ordinary,
                1 => ResolutionKind::Special,
                2 => ResolutionKind::Scheme,
                _ => ResolutionKind::Cumulative {
                    seats: rng.below(3) as u32,
                    candidates: (0..rng.below(4))
                        .map(|_| Candidate {
                            id: cand(rng),
                            name: String::new(),
                        })
                        .collect(),
                },
            };
            Event::ResolutionProposed(Resolution {
                id: rid(small(rng)),
                kind,
                title: String::new(),
                classes: (0..rng.below(3)).map(|_| cid(rng.below(3))).collect(),
                votes_per_share: (0..rng.below(2))
                    .map(|_| ClassWeight {
                        class: cid(rng.below(2)),
                        votes_per_share: rng.below(3) as u32,
                    })
                    .collect(),
            })
        }
        4 => Event::ShareRegistered {
            holder: holder(rng),
            name: String::new(),
            class: if rng.chance(90) {
                cid(rng.below(2))
            } else {
                ClassId::new("Q").unwrap()
            },
            shares: shares(rng),
        },
        5 => Event::RegisterClosed,
        6 => Event::AbstentionRequired {
            holder: holder(rng),
            resolutions: (0..rng.below(3)).map(|_| rid(small(rng))).collect(),
            restriction: if rng.chance(50) {
                Restriction::Abstain
            } else {
                Restriction::AgainstOnly
            },
            reason: String::new(),
        },
        7 => Event::ProxyLodged(ProxyLodged {
            proxy: pid(small(rng)),
            holder: holder(rng),
            proxy_name: String::new(),
            class: if rng.chance(50) {
                None
            } else {
                Some(cid(rng.below(3)))
            },
            shares: if rng.chance(30) {
                None
            } else {
                Some(shares(rng))
            },
            instructions: (0..rng.below(3))
                .map(|_| ProxyInstruction {
                    resolution: rid(small(rng)),
                    instruction: match rng.below(3) {
                        0 => Instruction::For,
                        1 => Instruction::Discretion,
                        _ => Instruction::Split {
                            for_: shares(rng),
                            against: shares(rng),
                            abstain: shares(rng),
                        },
                    },
                })
                .collect(),
            lodged_at: UtcMillis(rng.below(2 * DEADLINE)),
        }),
        8 => Event::ProxyRevoked {
            proxy: pid(small(rng)),
            reason: String::new(),
        },
        9 => Event::AttendanceRecorded {
            attendee: voter(rng),
        },
        10 => Event::PollOpened {
            resolution: if rng.chance(50) {
                None
            } else {
                Some(rid(small(rng)))
            },
        },
        11 => Event::PollClosed {
            resolution: if rng.chance(50) {
                None
            } else {
                Some(rid(small(rng)))
            },
        },
        12 => Event::ResultDeclared {
            tally_sha256: [0; 32],
        },
        _ => Event::VoteCast(Ballot {
            voter: voter(rng),
            resolution: rid(small(rng)),
            class: if rng.chance(50) {
                None
            } else {
                Some(cid(rng.below(3)))
            },
            choice: if rng.chance(70) {
                Choice::Split {
                    for_: shares(rng),
                    against: shares(rng),
                    abstain: shares(rng),
                }
            } else {
                Choice::Cumulative(
                    (0..rng.below(3))
                        .map(|_| Allocation {
                            candidate: cand(rng),
                            votes: Votes(shares(rng).0),
                        })
                        .collect(),
                )
            },
        }),
    }
}

/// 96 cases per property; `SCRUTIN_SOAK=1` runs 5,000.
fn config() -> ProptestConfig {
    let soak = std::env::var_os("SCRUTIN_SOAK").is_some_and(|v| v == "1");
    ProptestConfig {
        cases: if soak { 5_000 } else { 96 },
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// (1) The tally equals a naive recount of the accepted events.
    #[test]
    fn tally_equals_a_naive_recount(seed in any::<u64>()) {
        let (m, kept) = accepted(&scenario(seed));
        prop_assert_eq!(observed(&m.tally()), naive(&kept));
    }

    /// (2) Random event sequences, valid and invalid mixed, never panic in check, apply,
    /// submit or tally, even when `apply` is fed events `check` refused.
    #[test]
    fn random_sequences_never_panic(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let mut strict = Meeting::new();
        let mut careless = Meeting::new();
        let authors = [REG, AuthorKey([2; 32]), AuthorKey([3; 32])];
        // Convene first most of the time so the later rules are reached.
        if rng.chance(90) {
            let classes = 1 + rng.below(2);
            let e = Event::MeetingConvened(convened(&mut rng, classes));
            let _ = strict.submit(&e, &REG);
            careless.apply(&e, &REG);
        }
        for _ in 0..rng.below(120) {
            let e = wild_event(&mut rng);
            let author = &authors[rng.below(3) as usize];
            let _ = strict.check(&e, author);
            let _ = strict.submit(&e, author);
            careless.apply(&e, author);
            if rng.chance(5) {
                let t = careless.tally();
                let _ = t.to_json();
            }
        }
        let _ = strict.tally().to_json();
        let _ = careless.tally().to_json();
        let _ = strict.abstentions();
        for h in 0..4 {
            let _ = strict.ballot_status(&Voter::Holder(hid(h)), &rid(0));
            let _ = strict.proxies_of(&hid(h));
        }
    }

    /// (3) The tally does not depend on batching: applying every accepted event to one
    /// meeting, or submitting them one by one in batches on clones (with abandoned clones in
    /// between), gives byte-identical tally JSON.
    #[test]
    fn tally_does_not_depend_on_batching(seed in any::<u64>()) {
        let events = scenario(seed);
        let (_, kept) = accepted(&events);
        let mut whole = Meeting::new();
        for e in &kept {
            whole.apply(e, &REG);
        }
        let mut rng = Rng::new(seed ^ 0x5555);
        let mut batched = Meeting::new();
        let mut i = 0;
        while i < kept.len() {
            let n = 1 + rng.below(8) as usize;
            let end = (i + n).min(kept.len());
            // An abandoned batch: everything drawn, submitted to a clone that is dropped.
            let mut abandoned = batched.clone();
            for e in &events {
                let _ = abandoned.submit(e, &REG);
            }
            drop(abandoned);
            let mut next = batched.clone();
            for e in &kept[i..end] {
                prop_assert!(next.submit(e, &REG).is_ok());
            }
            batched = next;
            i = end;
        }
        prop_assert_eq!(whole.tally().to_json(), batched.tally().to_json());
    }
}

/// The scenarios reach the rules the recount checks (a guard against a generator that only
/// produces refused events).
#[test]
fn scenarios_exercise_the_rules() {
    let mut ballots = 0usize;
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut abstain_votes = 0u128;
    let mut elected = 0usize;
    let mut schemes_passed = 0usize;
    for seed in 0..300u64 {
        let (m, kept) = accepted(&scenario(seed));
        ballots += kept
            .iter()
            .filter(|e| matches!(e, Event::VoteCast(_)))
            .count();
        for r in m.tally().resolutions {
            abstain_votes += r.abstain;
            elected += r.candidates.iter().filter(|c| c.elected).count();
            schemes_passed += usize::from(r.scheme.is_some() && r.passed);
            for d in r.disregarded_ballots {
                let key = d.reason.split(':').next().unwrap_or("").to_owned();
                *reasons.entry(key).or_default() += 1;
            }
        }
    }
    eprintln!("{ballots} ballots; disregarded by reason: {reasons:?}");
    assert!(ballots > 500, "{ballots}");
    assert!(abstain_votes > 0);
    assert!(
        elected > 0 && schemes_passed > 0,
        "{elected} {schemes_passed}"
    );
    for key in [
        "proxy revoked",
        "revoked",
        "required to abstain",
        "may not vote for (Rule 13.40)",
        "over-allocation",
    ] {
        assert!(
            reasons.get(key).copied().unwrap_or(0) > 0,
            "{key}: {reasons:?}"
        );
    }
    assert!(
        reasons
            .keys()
            .any(|k| k.starts_with("superseded by later proxy")),
        "{reasons:?}"
    );
}
