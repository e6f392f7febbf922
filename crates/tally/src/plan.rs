//! The plans of a ballot and of a proxy form: every rule a `VoteCast` or a `ProxyLodged` must
//! pass, computed into interned indices and entitlements that `apply` commits.

use scrutin_model::{
    Ballot, Choice, ClassId, EventKind, Instruction, ProxyLodged, ResolutionKind, Shares,
    UtcMillis, Voter,
};

use crate::check::{BallotPlan, ProxyPlan};
use crate::meeting::{Instr, Meeting, Poll, ProxyStatus, NONE};
use crate::RuleViolation;

impl Meeting {
    /// Plans a proxy form recorded at `at` (the entry's time). The deadline is checked against
    /// the receipt time the registrar attests (`lodged_at`), which can never be later than the
    /// recorded time; and a form recorded once a poll has opened is late whatever it states,
    /// since the proxy deadline precedes the meeting.
    ///
    /// `sitting` is the class sitting the form appoints for (`None`: the general sitting): a
    /// holder's forms for different sittings are different appointments of the same shares,
    /// so neither supersedes nor over-appoints the other.
    pub(crate) fn plan_proxy(
        &self,
        p: &ProxyLodged,
        sitting: Option<u32>,
        at: UtcMillis,
    ) -> Result<ProxyPlan, RuleViolation> {
        self.require_closed_register(EventKind::ProxyLodged)?;
        if self.proxy_ix.contains(&p.proxy) {
            return Err(RuleViolation::DuplicateProxy {
                proxy: p.proxy.clone(),
            });
        }
        let h = self.voting_holder(&p.holder, EventKind::ProxyLodged)?;
        if p.lodged_at > at {
            return Err(RuleViolation::ProxyLodgedInFuture {
                proxy: p.proxy.clone(),
                holder: p.holder.clone(),
                lodged_at: p.lodged_at,
                recorded_at: at,
            });
        }
        let deadline = self
            .convened
            .as_ref()
            .map_or_else(Default::default, |c| c.proxy_deadline);
        if p.lodged_at > deadline {
            return Err(RuleViolation::LateProxy {
                proxy: p.proxy.clone(),
                holder: p.holder.clone(),
                lodged_at: p.lodged_at,
                deadline,
            });
        }
        if self.holder_present_at(h, sitting) {
            return Err(RuleViolation::HolderInPerson {
                proxy: p.proxy.clone(),
                holder: p.holder.clone(),
            });
        }
        if let Some(resolution) = &self.first_opened {
            return Err(RuleViolation::ProxyAfterPollOpened {
                proxy: p.proxy.clone(),
                holder: p.holder.clone(),
                resolution: resolution.clone(),
            });
        }
        if p.shares.is_some_and(|s| s.0 == 0) {
            return Err(RuleViolation::ZeroProxyShares {
                proxy: p.proxy.clone(),
            });
        }
        let mut wanted: Vec<(u32, u64)> = Vec::new();
        // A class sitting's form appoints shares of that class only.
        let sitting_class = sitting.and_then(|s| self.sitting_class(s));
        if let Some(sc) = sitting_class {
            let class_id = || self.class_id(sc).cloned().unwrap_or_else(unknown_class);
            if let Some(named) = &p.class {
                if self.class_idx(named)? != sc {
                    return Err(RuleViolation::InvalidSitting {
                        sitting: self.sitting_id(sitting),
                        reason: format!(
                            "proxy {} names class {named}, but the sitting is the class \
                             meeting of class {}",
                            p.proxy,
                            class_id()
                        ),
                    });
                }
            }
            let (_, line) = self
                .line_of(h, sc)
                .ok_or_else(|| RuleViolation::NoSharesInClass {
                    holder: p.holder.clone(),
                    class: class_id(),
                })?;
            wanted.push((sc, p.shares.map_or(line.shares, |s| s.0)));
        }
        match (&p.class, p.shares) {
            _ if sitting_class.is_some() => {}
            (Some(class), shares) => {
                let c = self.class_idx(class)?;
                let (_, line) =
                    self.line_of(h, c)
                        .ok_or_else(|| RuleViolation::NoSharesInClass {
                            holder: p.holder.clone(),
                            class: class.clone(),
                        })?;
                wanted.push((c, shares.map_or(line.shares, |s| s.0)));
            }
            (None, Some(shares)) => {
                let lines: Vec<u32> = self.lines_of(h).map(|(_, l)| l.class).collect();
                match lines.as_slice() {
                    [c] => wanted.push((*c, shares.0)),
                    _ => {
                        return Err(RuleViolation::AmbiguousProxyClass {
                            proxy: p.proxy.clone(),
                            holder: p.holder.clone(),
                            classes: lines
                                .iter()
                                .filter_map(|&c| self.class_id(c))
                                .cloned()
                                .collect(),
                        })
                    }
                }
            }
            (None, None) => {
                wanted.extend(self.lines_of(h).map(|(_, l)| (l.class, l.shares)));
            }
        }
        let later_wins = self
            .convened
            .as_ref()
            .is_some_and(|c| c.rules.later_proxy_wins);
        let mut supersede: Vec<u32> = Vec::new();
        for &(c, want) in &wanted {
            let Some((l, line)) = self.line_of(h, c) else {
                continue;
            };
            let freed = |supersede: &[u32]| -> u64 {
                supersede
                    .iter()
                    .filter_map(|&q| self.proxies.get(q))
                    .flat_map(|q| self.appointments_of(q))
                    .filter(|&(qc, _)| qc == c)
                    .map(|(_, s)| s)
                    .sum()
            };
            let mut available = line.shares - self.appointed_at(l, &line, sitting).min(line.shares)
                + freed(&supersede);
            if want <= available {
                continue;
            }
            let refused = available;
            let over = || RuleViolation::OverAppointment {
                proxy: p.proxy.clone(),
                holder: p.holder.clone(),
                class: self
                    .class_id(c)
                    .cloned()
                    .unwrap_or_else(|| p.class.clone().unwrap_or_else(unknown_class)),
                requested: want,
                available: if later_wins { line.shares } else { refused },
            };
            if !later_wins || want > line.shares {
                return Err(over());
            }
            let mut q = self.holders.get(h).map_or(NONE, |r| r.first_proxy);
            while available < want {
                let Some(rec) = self.proxies.get(q) else {
                    return Err(over());
                };
                if rec.status == ProxyStatus::Active
                    && !supersede.contains(&q)
                    && self.sitting_of_proxy(q) == sitting
                {
                    let in_class: u64 = self
                        .appointments_of(rec)
                        .filter(|&(qc, _)| qc == c)
                        .map(|(_, s)| s)
                        .sum();
                    if in_class > 0 {
                        supersede.push(q);
                        available += in_class;
                    }
                }
                q = rec.next_of_holder;
            }
        }
        let appointed: u128 = wanted.iter().map(|&(_, s)| u128::from(s)).sum();
        let mut instructions = Vec::with_capacity(p.instructions.len());
        let mut seen = std::collections::HashSet::with_capacity(p.instructions.len());
        for pi in &p.instructions {
            let r = self.res_idx(&pi.resolution)?;
            let res_sitting = self.res.get(r as usize).and_then(|x| x.sitting);
            if res_sitting != sitting {
                return Err(RuleViolation::ProxySitting {
                    proxy: p.proxy.clone(),
                    resolution: pi.resolution.clone(),
                    sitting: self.sitting_id(res_sitting),
                    proxy_sitting: self.sitting_id(sitting),
                });
            }
            if !seen.insert(r) {
                return Err(RuleViolation::DuplicateInstruction {
                    proxy: p.proxy.clone(),
                    resolution: pi.resolution.clone(),
                });
            }
            let ins = match &pi.instruction {
                Instruction::For => Instr::For,
                Instruction::Against => Instr::Against,
                Instruction::Abstain => Instr::Abstain,
                Instruction::Discretion => Instr::Discretion,
                Instruction::Split {
                    for_,
                    against,
                    abstain,
                } => {
                    let sum = u128::from(for_.0) + u128::from(against.0) + u128::from(abstain.0);
                    if sum > appointed {
                        return Err(RuleViolation::InstructionExceedsAppointment {
                            proxy: p.proxy.clone(),
                            resolution: pi.resolution.clone(),
                            instructed: sum,
                            appointed: u64::try_from(appointed).unwrap_or(u64::MAX),
                        });
                    }
                    Instr::Split(for_.0, against.0, abstain.0)
                }
            };
            instructions.push((r, ins));
        }
        // Sorted by resolution, so a ballot finds its instruction by binary search.
        instructions.sort_by_key(|&(r, _)| r);
        Ok(ProxyPlan {
            holder: h,
            appointments: wanted,
            instructions,
            supersede,
            sitting,
        })
    }

    pub(crate) fn plan_ballot(&self, b: &Ballot) -> Result<BallotPlan, RuleViolation> {
        let r = self.res_idx(&b.resolution)?;
        let Some(res) = self.res.get(r as usize) else {
            return Err(RuleViolation::UnknownResolution {
                resolution: b.resolution.clone(),
            });
        };
        match res.poll {
            Poll::Pending => {
                return Err(RuleViolation::BallotBeforePoll {
                    voter: b.voter.clone(),
                    resolution: b.resolution.clone(),
                })
            }
            Poll::Closed => {
                return Err(RuleViolation::BallotAfterPoll {
                    voter: b.voter.clone(),
                    resolution: b.resolution.clone(),
                })
            }
            Poll::Open => {}
        }
        let votes_on = |c: u32| res.vps(c, |c| self.class_vps(c)) > 0;
        // The voter, its ballot chain and its voted mask.
        let (voter, proxy, last_ballot, mask) = match &b.voter {
            Voter::Holder(id) => {
                let h = self.voting_holder(id, EventKind::VoteCast)?;
                let rec = self.holders.get(h);
                (
                    h,
                    false,
                    rec.map_or(NONE, |r| r.last_ballot),
                    rec.map_or(0, |r| r.voted_mask.get()),
                )
            }
            Voter::Proxy(id) => {
                let p = self.active_proxy(id)?;
                let own = self.sitting_of_proxy(p);
                if own != res.sitting {
                    return Err(RuleViolation::ProxySitting {
                        proxy: id.clone(),
                        resolution: b.resolution.clone(),
                        sitting: self.sitting_id(res.sitting),
                        proxy_sitting: self.sitting_id(own),
                    });
                }
                let rec = self.proxies.get(p);
                (
                    p,
                    true,
                    rec.map_or(NONE, |r| r.last_ballot),
                    rec.map_or(0, |r| r.voted_mask.get()),
                )
            }
        };
        // The class voted and the shares the voter may vote in it, without allocating.
        let wanted = match &b.class {
            Some(id) => Some(self.class_idx(id)?),
            None => None,
        };
        let mut found: Option<(u32, u64)> = None;
        let mut candidates = 0usize;
        self.for_each_share(proxy, voter, res.sitting, |c, shares| {
            if votes_on(c) && wanted.is_none_or(|w| w == c) {
                candidates += 1;
                found = Some((c, shares));
            }
        });
        let (class, entitled) = match (found, &b.class) {
            (Some(one), _) if candidates == 1 => one,
            (_, Some(id)) => {
                return Err(RuleViolation::ClassNotVoting {
                    voter: b.voter.clone(),
                    resolution: b.resolution.clone(),
                    class: id.clone(),
                })
            }
            (_, None) => {
                let mut classes = Vec::new();
                self.for_each_share(proxy, voter, res.sitting, |c, _| {
                    if votes_on(c) {
                        classes.extend(self.class_id(c).cloned());
                    }
                });
                return Err(RuleViolation::AmbiguousClass {
                    voter: b.voter.clone(),
                    resolution: b.resolution.clone(),
                    classes,
                });
            }
        };
        let class_name = || {
            self.class_id(class)
                .cloned()
                .unwrap_or_else(|| b.class.clone().unwrap_or_else(unknown_class))
        };
        let instruction = if proxy {
            self.proxies
                .get(voter)
                .and_then(|rec| self.instruction_of(rec, r))
        } else {
            None
        };
        let cumulative = match (&res.def.kind, &b.choice) {
            (ResolutionKind::Cumulative { .. }, Choice::Cumulative(allocs)) => {
                let mut out = Vec::with_capacity(allocs.len());
                let mut seen = std::collections::HashSet::with_capacity(allocs.len());
                let mut total: u128 = 0;
                for a in allocs {
                    let Some(&k) = res.candidate_ix.get(&a.candidate) else {
                        return Err(RuleViolation::UnknownCandidate {
                            voter: b.voter.clone(),
                            resolution: b.resolution.clone(),
                            candidate: a.candidate.clone(),
                        });
                    };
                    if !seen.insert(k) {
                        return Err(RuleViolation::DuplicateCandidate {
                            voter: b.voter.clone(),
                            resolution: b.resolution.clone(),
                            candidate: a.candidate.clone(),
                        });
                    }
                    out.push((k, a.votes.0));
                    total += u128::from(a.votes.0);
                }
                if total == 0 {
                    return Err(RuleViolation::EmptyBallot {
                        voter: b.voter.clone(),
                        resolution: b.resolution.clone(),
                    });
                }
                if let (Some(ins), Voter::Proxy(pid)) = (&instruction, &b.voter) {
                    if *ins != Instr::Discretion {
                        return Err(RuleViolation::ProxyInstruction {
                            proxy: pid.clone(),
                            resolution: b.resolution.clone(),
                            instruction: instr_to_model(*ins),
                            for_: u64::try_from(total).unwrap_or(u64::MAX),
                            against: 0,
                            abstain: 0,
                        });
                    }
                }
                let vps = res.vps(class, |c| self.class_vps(c));
                let allowed = u128::from(entitled) * u128::from(res.seats) * u128::from(vps);
                Some((out, total > allowed))
            }
            (ResolutionKind::Cumulative { .. }, Choice::Split { .. }) => {
                return Err(RuleViolation::ChoiceKindMismatch {
                    voter: b.voter.clone(),
                    resolution: b.resolution.clone(),
                    expected: "cumulative",
                    given: "split",
                })
            }
            (_, Choice::Cumulative(_)) => {
                return Err(RuleViolation::ChoiceKindMismatch {
                    voter: b.voter.clone(),
                    resolution: b.resolution.clone(),
                    expected: "split",
                    given: "cumulative",
                })
            }
            (
                _,
                Choice::Split {
                    for_,
                    against,
                    abstain,
                },
            ) => {
                let tendered = u128::from(for_.0) + u128::from(against.0) + u128::from(abstain.0);
                if tendered == 0 {
                    return Err(RuleViolation::EmptyBallot {
                        voter: b.voter.clone(),
                        resolution: b.resolution.clone(),
                    });
                }
                if tendered > u128::from(entitled) {
                    if let Some(v) = self.shares_with_proxies(b, voter, proxy, class, tendered) {
                        return Err(v);
                    }
                    return Err(RuleViolation::OverVoting {
                        voter: b.voter.clone(),
                        resolution: b.resolution.clone(),
                        class: class_name(),
                        tendered,
                        entitled,
                    });
                }
                if let (Some(ins), Voter::Proxy(pid)) = (&instruction, &b.voter) {
                    let (f, a, x) = (for_.0, against.0, abstain.0);
                    let ok = match *ins {
                        Instr::For => a == 0 && x == 0,
                        Instr::Against => f == 0 && x == 0,
                        Instr::Abstain => f == 0 && a == 0,
                        Instr::Split(sf, sa, sx) => f <= sf && a <= sa && x <= sx,
                        Instr::Discretion => true,
                    };
                    if !ok {
                        return Err(RuleViolation::ProxyInstruction {
                            proxy: pid.clone(),
                            resolution: b.resolution.clone(),
                            instruction: instr_to_model(*ins),
                            for_: f,
                            against: a,
                            abstain: x,
                        });
                    }
                    // A split instruction is an instruction on each part: voting fewer shares
                    // of a part than instructed disobeys it as much as voting more, unless the
                    // meeting's settings allow partial voting (the rest is then unvoted).
                    if let Instr::Split(sf, sa, sx) = *ins {
                        if (f, a, x) != (sf, sa, sx) && !self.partial_voting() {
                            return Err(RuleViolation::ProxyShortfall {
                                proxy: pid.clone(),
                                resolution: b.resolution.clone(),
                                instruction: instr_to_model(*ins),
                                for_: f,
                                against: a,
                                abstain: x,
                            });
                        }
                    }
                }
                None
            }
        };
        // Duplicate check last among the refusals that name the ballot's content, so a
        // malformed second ballot reports its own defect first.
        // The voted mask answers for the first 64 (resolution, class) slots; beyond them the
        // voter's ballot chain is walked.
        let slot = self.vote_slot(r, class);
        let mut q = if slot < 64 { NONE } else { last_ballot };
        if slot < 64 && mask & (1u64 << slot) != 0 {
            return Err(RuleViolation::DuplicateBallot {
                voter: b.voter.clone(),
                resolution: b.resolution.clone(),
                class: class_name(),
            });
        }
        while let Some(prev) = self.ballots.get(q) {
            if prev.res == r && prev.class == class {
                return Err(RuleViolation::DuplicateBallot {
                    voter: b.voter.clone(),
                    resolution: b.resolution.clone(),
                    class: class_name(),
                });
            }
            q = prev.prev;
        }
        Ok(BallotPlan {
            voter,
            proxy,
            res: r,
            class,
            entitled,
            cumulative,
            split: match &b.choice {
                Choice::Split {
                    for_,
                    against,
                    abstain,
                } => (for_.0, against.0, abstain.0),
                Choice::Cumulative(_) => (0, 0, 0),
            },
        })
    }
}

impl Meeting {
    /// A holder voting in person none of whose shares of the class are free because its
    /// active proxies hold them: the refusal says so and how to vote them in person (`None`
    /// for a proxy, or a holder with free shares of the class or no active proxy in it).
    fn shares_with_proxies(
        &self,
        b: &Ballot,
        voter: u32,
        proxy: bool,
        class: u32,
        tendered: u128,
    ) -> Option<RuleViolation> {
        let Voter::Holder(holder) = &b.voter else {
            return None;
        };
        if proxy {
            return None;
        }
        let sitting = self
            .res
            .get(self.res_index.get(&b.resolution)? as usize)?
            .sitting;
        let mut proxies = Vec::new();
        let mut q = self.holders.get(voter)?.first_proxy;
        while let Some(rec) = self.proxies.get(q) {
            if rec.status == ProxyStatus::Active
                && self.sitting_of_proxy(q) == sitting
                && self.appointments_of(rec).any(|(c, s)| c == class && s > 0)
            {
                proxies.extend(self.proxy_ix.id(q));
            }
            q = rec.next_of_holder;
        }
        let entitled = self.own_shares_at(voter, class, sitting);
        // "Entitled to 0" misleads a holder whose proxies hold every share of the class; with
        // some shares free, the over-voting message's figure is already the one to act on.
        if proxies.is_empty() || entitled > 0 {
            return None;
        }
        Some(RuleViolation::SharesWithProxy {
            holder: holder.clone(),
            resolution: b.resolution.clone(),
            class: self.class_id(class)?.clone(),
            tendered,
            proxies: proxies.into_boxed_slice(),
        })
    }
}

fn instr_to_model(i: Instr) -> Instruction {
    match i {
        Instr::For => Instruction::For,
        Instr::Against => Instruction::Against,
        Instr::Abstain => Instruction::Abstain,
        Instr::Split(f, a, x) => Instruction::Split {
            for_: Shares(f),
            against: Shares(a),
            abstain: Shares(x),
        },
        Instr::Discretion => Instruction::Discretion,
    }
}

/// A class id for error paths where an interned index failed to resolve (never expected).
fn unknown_class() -> ClassId {
    ClassId::new("?").expect("\"?\" satisfies the class id invariant")
}
