//! Scenario generation: a whole meeting from one seed.

use super::*;

/// xorshift64*: deterministic, tiny, good enough to pick scenario parts.
pub(crate) struct SeedRng(u64);

impl SeedRng {
    pub(crate) fn new(seed: u64) -> SeedRng {
        SeedRng(seed | 1)
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

pub(crate) fn hid(i: u64) -> HolderId {
    HolderId::new(format!("H{i}")).unwrap()
}
pub(crate) fn pid(i: u64) -> ProxyId {
    ProxyId::new(format!("P{i}")).unwrap()
}
pub(crate) fn rid(i: u64) -> ResolutionId {
    ResolutionId::new(format!("{}", i + 1)).unwrap()
}
pub(crate) fn cand_id(i: u64) -> CandidateId {
    CandidateId::new(format!("C{i}")).unwrap()
}
pub(crate) fn cid(i: u64) -> ClassId {
    ClassId::new(["A", "B"][i as usize % 2]).unwrap()
}

pub(crate) fn convened(rng: &mut SeedRng, classes: u64) -> MeetingConvened {
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

pub(crate) fn split(f: u64, a: u64, x: u64) -> Choice {
    Choice::Split {
        for_: Shares(f),
        against: Shares(a),
        abstain: Shares(x),
    }
}

/// A meeting of split-vote resolutions, with restrictions, proxies (some superseded or
/// revoked), attendance and ballots, valid and invalid mixed. Returns every event drawn.
pub(crate) fn scenario(seed: u64) -> Vec<Event> {
    let mut rng = SeedRng::new(seed);
    let classes = 1 + rng.below(2);
    let mut events = vec![Event::MeetingConvened(convened(&mut rng, classes))];
    let resolutions = 1 + rng.below(3);
    // Sometimes a class meeting: each resolution then names one class.
    let class_meeting = classes == 2 && rng.chance(25);
    if let Some(Event::MeetingConvened(m)) = events.first_mut() {
        if class_meeting {
            m.kind = MeetingKind::Class;
        }
    }
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
        if class_meeting || (classes == 2 && rng.chance(30)) {
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
pub(crate) fn draw(
    rng: &mut SeedRng,
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
pub(crate) fn accepted(events: &[Event]) -> (Meeting, Vec<Event>) {
    let mut m = Meeting::new();
    let mut kept = Vec::new();
    for e in events {
        if m.submit(e, &REG, AT).is_ok() {
            kept.push(e.clone());
        }
    }
    (m, kept)
}
