//! Wild event sequences: any event, any order, any author, hostile numbers.

use super::*;

pub(crate) fn wild_event(rng: &mut SeedRng) -> Event {
    let small = |rng: &mut SeedRng| rng.below(4);
    let holder = |rng: &mut SeedRng| {
        if rng.chance(10) {
            HolderId::new("treasury").unwrap()
        } else {
            hid(rng.below(4))
        }
    };
    let cand = |rng: &mut SeedRng| CandidateId::new(format!("C{}", rng.below(3))).unwrap();
    let shares = |rng: &mut SeedRng| {
        Shares(match rng.below(4) {
            0 => 0,
            1 => u64::MAX - rng.below(3),
            _ => rng.below(2_000),
        })
    };
    let voter = |rng: &mut SeedRng| {
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
