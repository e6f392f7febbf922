//! `Meeting::check`: whether an event is valid now, and which rule forbids it if not.
//!
//! Ballots and proxy forms are checked into a plan (interned indices, computed entitlements,
//! proxies to supersede) that `apply` then commits, so `submit` does the lookups once.

use std::collections::BTreeSet;

use scrutin_model::{
    AuthorKey, Ballot, Choice, ClassId, Event, EventKind, HolderId, Instruction, MeetingConvened,
    MeetingKind, ProxyLodged, Resolution, ResolutionId, ResolutionKind, Role, Voter,
};

use crate::meeting::{Instr, Meeting, Poll, ProxyStatus, NONE};
use crate::RuleViolation;

/// What a checked ballot will record.
#[derive(Debug, Clone)]
pub(crate) struct BallotPlan {
    pub(crate) voter: u32,
    pub(crate) proxy: bool,
    pub(crate) res: u32,
    pub(crate) class: u32,
    pub(crate) entitled: u64,
    /// For a cumulative ballot: (candidate index, votes) and whether it over-allocates.
    pub(crate) cumulative: Option<(Vec<(u32, u64)>, bool)>,
    /// For a split ballot: shares for, against, abstain.
    pub(crate) split: (u64, u64, u64),
}

/// What a checked proxy form will record.
#[derive(Debug, Clone)]
pub(crate) struct ProxyPlan {
    pub(crate) holder: u32,
    pub(crate) appointments: Vec<(u32, u64)>,
    pub(crate) instructions: Vec<(u32, Instr)>,
    /// Earlier proxies of the holder that the later one supersedes, oldest first.
    pub(crate) supersede: Vec<u32>,
}

/// A plan computed by `check` for `apply`.
#[derive(Debug, Clone)]
pub(crate) enum Plan {
    Ballot(BallotPlan),
    Proxy(ProxyPlan),
}

pub(crate) fn proxy_reason(meeting: &Meeting, status: ProxyStatus) -> String {
    match status {
        ProxyStatus::Active => "active".to_owned(),
        ProxyStatus::Revoked => "proxy revoked".to_owned(),
        ProxyStatus::HolderAttended => "revoked: holder attended in person".to_owned(),
        ProxyStatus::Superseded(by) => format!(
            "superseded by later proxy {}",
            meeting.proxy_ix.id(by).map_or("?", |p| p.as_str())
        ),
    }
}

impl Meeting {
    fn has_role(&self, key: &AuthorKey, pred: impl Fn(&Role) -> bool) -> bool {
        self.authority
            .get(key)
            .is_some_and(|roles| roles.iter().any(pred))
    }

    fn require(
        &self,
        event: &Event,
        author: &AuthorKey,
        required: &'static str,
        pred: impl Fn(&Role) -> bool,
    ) -> Result<(), RuleViolation> {
        if self.has_role(author, pred) {
            Ok(())
        } else {
            Err(RuleViolation::Unauthorized {
                kind: event.kind(),
                author: *author,
                required,
            })
        }
    }

    fn require_closed_register(&self, kind: EventKind) -> Result<(), RuleViolation> {
        if self.register_closed {
            Ok(())
        } else {
            Err(RuleViolation::RegisterOpen { kind })
        }
    }

    pub(crate) fn res_idx(&self, id: &ResolutionId) -> Result<u32, RuleViolation> {
        self.res_index
            .get(id)
            .ok_or_else(|| RuleViolation::UnknownResolution {
                resolution: id.clone(),
            })
    }

    fn class_idx(&self, id: &ClassId) -> Result<u32, RuleViolation> {
        self.class_index(id)
            .ok_or_else(|| RuleViolation::UnknownClass { class: id.clone() })
    }

    pub(crate) fn holder_idx(&self, id: &HolderId) -> Result<u32, RuleViolation> {
        self.holder_ix
            .get(id)
            .ok_or_else(|| RuleViolation::UnknownHolder { holder: id.clone() })
    }

    fn voting_holder(&self, id: &HolderId, kind: EventKind) -> Result<u32, RuleViolation> {
        let h = self.holder_idx(id)?;
        if self.holders.get(h).is_some_and(|r| r.treasury) {
            return Err(RuleViolation::TreasuryShares {
                kind,
                holder: id.clone(),
            });
        }
        Ok(h)
    }

    fn active_proxy(&self, id: &scrutin_model::ProxyId) -> Result<u32, RuleViolation> {
        let p = self
            .proxy_ix
            .get(id)
            .ok_or_else(|| RuleViolation::UnknownProxy { proxy: id.clone() })?;
        match self.proxies.get(p).map(|r| r.status) {
            Some(ProxyStatus::Active) => Ok(p),
            Some(status) => Err(RuleViolation::ProxyNotActive {
                proxy: id.clone(),
                reason: proxy_reason(self, status),
            }),
            None => Err(RuleViolation::UnknownProxy { proxy: id.clone() }),
        }
    }

    /// Calls `f(class, shares the voter may vote)` for each class the voter holds: a holder's
    /// own shares less those appointed to active proxies, or a proxy's appointed shares.
    pub(crate) fn for_each_share(&self, proxy: bool, voter: u32, mut f: impl FnMut(u32, u64)) {
        if proxy {
            if let Some(rec) = self.proxies.get(voter) {
                for (c, s) in self.appointments_of(rec) {
                    f(c, s);
                }
            }
        } else {
            for (_, l) in self.lines_of(voter) {
                f(l.class, l.shares - l.appointed.min(l.shares));
            }
        }
    }

    /// The bit of a (resolution, class) pair in a voter's voted mask (64 or more: none).
    pub(crate) fn vote_slot(&self, res: u32, class: u32) -> usize {
        (res as usize)
            .saturating_mul(self.class_count())
            .saturating_add(class as usize)
    }

    /// Checks an event; returns the plan `apply` needs for ballots and proxy forms.
    pub(crate) fn check_event(
        &self,
        event: &Event,
        author: &AuthorKey,
    ) -> Result<Option<Plan>, RuleViolation> {
        let Some(convened) = &self.convened else {
            return match event {
                Event::MeetingConvened(m) => check_convened(m, author).map(|()| None),
                other => Err(RuleViolation::NotConvened { kind: other.kind() }),
            };
        };
        let registrar = |r: &Role| *r == Role::Registrar;
        match event {
            Event::MeetingConvened(_) => Err(RuleViolation::AlreadyConvened),
            Event::AuthorityGranted { key, role } => {
                self.require(event, author, "registrar", registrar)?;
                if self.has_role(key, |r| r == role) {
                    return Err(RuleViolation::AuthorityAlreadyHeld {
                        key: *key,
                        role: role.clone(),
                    });
                }
                Ok(None)
            }
            Event::AuthorityRevoked { key, role } => {
                self.require(event, author, "registrar", registrar)?;
                if !self.has_role(key, |r| r == role) {
                    return Err(RuleViolation::AuthorityNotHeld {
                        key: *key,
                        role: role.clone(),
                    });
                }
                Ok(None)
            }
            Event::ResolutionProposed(r) => {
                self.require(event, author, "registrar", registrar)?;
                self.check_resolution(r, convened).map(|()| None)
            }
            Event::ShareRegistered {
                holder,
                class,
                shares,
                ..
            } => {
                self.require(event, author, "registrar", registrar)?;
                if self.register_closed {
                    return Err(RuleViolation::RegisterClosed { kind: event.kind() });
                }
                let c = self.class_idx(class)?;
                if shares.0 == 0 {
                    return Err(RuleViolation::EmptyRegisterLine {
                        holder: holder.clone(),
                        class: class.clone(),
                    });
                }
                if let Some(h) = self.holder_ix.get(holder) {
                    if self.line_of(h, c).is_some() {
                        return Err(RuleViolation::DuplicateRegisterLine {
                            holder: holder.clone(),
                            class: class.clone(),
                        });
                    }
                }
                Ok(None)
            }
            Event::RegisterClosed => {
                self.require(event, author, "registrar", registrar)?;
                if self.register_closed {
                    return Err(RuleViolation::RegisterClosed { kind: event.kind() });
                }
                Ok(None)
            }
            Event::AbstentionRequired {
                holder,
                resolutions,
                ..
            } => {
                self.require(event, author, "registrar", registrar)?;
                self.require_closed_register(event.kind())?;
                let h = self.voting_holder(holder, event.kind())?;
                if resolutions.is_empty() {
                    return Err(RuleViolation::EmptyAbstention {
                        holder: holder.clone(),
                    });
                }
                let mut seen = BTreeSet::new();
                for id in resolutions {
                    let r = self.res_idx(id)?;
                    if self
                        .res
                        .get(r as usize)
                        .is_some_and(|r| r.poll != Poll::Pending)
                    {
                        return Err(RuleViolation::PollAlreadyOpened {
                            resolution: id.clone(),
                        });
                    }
                    if !seen.insert(r) || self.restrictions.contains_key(&(h, r)) {
                        return Err(RuleViolation::DuplicateAbstention {
                            holder: holder.clone(),
                            resolution: id.clone(),
                        });
                    }
                }
                Ok(None)
            }
            Event::ProxyLodged(p) => {
                self.require(event, author, "registrar", registrar)?;
                self.plan_proxy(p).map(|plan| Some(Plan::Proxy(plan)))
            }
            Event::ProxyRevoked { proxy, .. } => {
                self.require(event, author, "registrar", registrar)?;
                self.require_closed_register(event.kind())?;
                self.active_proxy(proxy).map(|_| None)
            }
            Event::AttendanceRecorded { attendee } => {
                self.require(event, author, "registrar", registrar)?;
                self.require_closed_register(event.kind())?;
                let already = match attendee {
                    Voter::Holder(id) => {
                        let h = self.voting_holder(id, event.kind())?;
                        self.holders.get(h).is_some_and(|r| r.attended)
                    }
                    Voter::Proxy(id) => {
                        let p = self.active_proxy(id)?;
                        self.proxies.get(p).is_some_and(|r| r.attended)
                    }
                };
                if already {
                    return Err(RuleViolation::DuplicateAttendance {
                        attendee: attendee.clone(),
                    });
                }
                Ok(None)
            }
            Event::PollOpened { resolution } => {
                self.require(event, author, "chair or registrar", |r| {
                    matches!(r, Role::Chair | Role::Registrar)
                })?;
                self.require_closed_register(event.kind())?;
                match resolution {
                    None => {
                        if !self.res.iter().any(|r| r.poll == Poll::Pending) {
                            return Err(RuleViolation::NothingToOpen);
                        }
                    }
                    Some(id) => {
                        let r = self.res_idx(id)?;
                        match self.res.get(r as usize).map(|r| r.poll) {
                            Some(Poll::Open) => {
                                return Err(RuleViolation::PollAlreadyOpened {
                                    resolution: id.clone(),
                                })
                            }
                            Some(Poll::Closed) => {
                                return Err(RuleViolation::PollAlreadyClosed {
                                    resolution: id.clone(),
                                })
                            }
                            _ => {}
                        }
                    }
                }
                Ok(None)
            }
            Event::PollClosed { resolution } => {
                self.require(event, author, "chair or registrar", |r| {
                    matches!(r, Role::Chair | Role::Registrar)
                })?;
                match resolution {
                    None => {
                        if !self.res.iter().any(|r| r.poll == Poll::Open) {
                            return Err(RuleViolation::NoOpenPoll);
                        }
                    }
                    Some(id) => {
                        let r = self.res_idx(id)?;
                        match self.res.get(r as usize).map(|r| r.poll) {
                            Some(Poll::Pending) => {
                                return Err(RuleViolation::PollNotOpen {
                                    resolution: id.clone(),
                                })
                            }
                            Some(Poll::Closed) => {
                                return Err(RuleViolation::PollAlreadyClosed {
                                    resolution: id.clone(),
                                })
                            }
                            _ => {}
                        }
                    }
                }
                Ok(None)
            }
            Event::VoteCast(b) => {
                let own = self.has_role(author, |r| match (r, &b.voter) {
                    (Role::Registrar, _) => true,
                    (Role::Holder(x), Voter::Holder(h)) => x == h,
                    _ => false,
                });
                if !own {
                    self.require(
                        event,
                        author,
                        "registrar, or the voting holder's own key",
                        registrar,
                    )?;
                }
                self.plan_ballot(b).map(|plan| Some(Plan::Ballot(plan)))
            }
            Event::ResultDeclared { .. } => {
                self.require(event, author, "scrutineer", |r| *r == Role::Scrutineer)?;
                if let Some(open) = self.res.iter().find(|r| r.poll == Poll::Open) {
                    return Err(RuleViolation::PollStillOpen {
                        resolution: open.def.id.clone(),
                    });
                }
                if !self.res.iter().any(|r| r.poll == Poll::Closed) {
                    return Err(RuleViolation::NoClosedPoll);
                }
                Ok(None)
            }
        }
    }

    fn check_resolution(
        &self,
        r: &Resolution,
        convened: &MeetingConvened,
    ) -> Result<(), RuleViolation> {
        let invalid = |reason: String| RuleViolation::InvalidResolution {
            resolution: r.id.clone(),
            reason,
        };
        if self.res_index.contains(&r.id) {
            return Err(RuleViolation::DuplicateResolution {
                resolution: r.id.clone(),
            });
        }
        let mut seen = BTreeSet::new();
        for c in &r.classes {
            self.class_idx(c)?;
            if !seen.insert(c) {
                return Err(invalid(format!("class {c} is listed twice")));
            }
        }
        let mut weighted = BTreeSet::new();
        for w in &r.votes_per_share {
            self.class_idx(&w.class)?;
            if !weighted.insert(&w.class) {
                return Err(invalid(format!("class {} is weighted twice", w.class)));
            }
            if w.votes_per_share == 0 {
                return Err(invalid(format!("class {} has 0 votes per share", w.class)));
            }
        }
        if convened.kind == MeetingKind::Class && r.classes.len() != 1 {
            return Err(RuleViolation::ClassMeetingResolution {
                resolution: r.id.clone(),
                classes: r.classes.len(),
            });
        }
        if let ResolutionKind::Cumulative { seats, candidates } = &r.kind {
            if *seats == 0 {
                return Err(invalid("a cumulative pool needs at least 1 seat".into()));
            }
            if candidates.is_empty() {
                return Err(invalid(
                    "a cumulative pool needs at least 1 candidate".into(),
                ));
            }
            let mut ids = BTreeSet::new();
            for c in candidates {
                if !ids.insert(&c.id) {
                    return Err(invalid(format!("candidate {} stands twice", c.id)));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn plan_proxy(&self, p: &ProxyLodged) -> Result<ProxyPlan, RuleViolation> {
        self.require_closed_register(EventKind::ProxyLodged)?;
        if self.proxy_ix.contains(&p.proxy) {
            return Err(RuleViolation::DuplicateProxy {
                proxy: p.proxy.clone(),
            });
        }
        let h = self.voting_holder(&p.holder, EventKind::ProxyLodged)?;
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
        if self.holders.get(h).is_some_and(|r| r.attended || r.voted) {
            return Err(RuleViolation::HolderInPerson {
                proxy: p.proxy.clone(),
                holder: p.holder.clone(),
            });
        }
        if p.shares.is_some_and(|s| s.0 == 0) {
            return Err(RuleViolation::ZeroProxyShares {
                proxy: p.proxy.clone(),
            });
        }
        let mut wanted: Vec<(u32, u64)> = Vec::new();
        match (&p.class, p.shares) {
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
            let Some((_, line)) = self.line_of(h, c) else {
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
            let mut available = line.shares - line.appointed.min(line.shares) + freed(&supersede);
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
                if rec.status == ProxyStatus::Active && !supersede.contains(&q) {
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
        for pi in &p.instructions {
            let r = self.res_idx(&pi.resolution)?;
            if instructions.iter().any(|&(x, _)| x == r) {
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
        Ok(ProxyPlan {
            holder: h,
            appointments: wanted,
            instructions,
            supersede,
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
        let votes_on = |c: u32| res.vps.get(c as usize).is_some_and(|&v| v > 0);
        // The voter, its ballot chain and its voted mask.
        let (voter, proxy, last_ballot, mask) = match &b.voter {
            Voter::Holder(id) => {
                let h = self.voting_holder(id, EventKind::VoteCast)?;
                let rec = self.holders.get(h);
                (
                    h,
                    false,
                    rec.map_or(NONE, |r| r.last_ballot),
                    rec.map_or(0, |r| r.voted_mask),
                )
            }
            Voter::Proxy(id) => {
                let p = self.active_proxy(id)?;
                let rec = self.proxies.get(p);
                (
                    p,
                    true,
                    rec.map_or(NONE, |r| r.last_ballot),
                    rec.map_or(0, |r| r.voted_mask),
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
        self.for_each_share(proxy, voter, |c, shares| {
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
                self.for_each_share(proxy, voter, |c, _| {
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
                let mut total: u128 = 0;
                for a in allocs {
                    let Some(k) = res.candidates.iter().position(|c| c == &a.candidate) else {
                        return Err(RuleViolation::UnknownCandidate {
                            voter: b.voter.clone(),
                            resolution: b.resolution.clone(),
                            candidate: a.candidate.clone(),
                        });
                    };
                    let k = u32::try_from(k).unwrap_or(NONE);
                    if out.iter().any(|&(x, _)| x == k) {
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
                let vps = res.vps.get(class as usize).copied().unwrap_or(0);
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

fn instr_to_model(i: Instr) -> Instruction {
    use scrutin_model::Shares;
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

fn check_convened(m: &MeetingConvened, author: &AuthorKey) -> Result<(), RuleViolation> {
    if *author != m.registrar {
        return Err(RuleViolation::Unauthorized {
            kind: EventKind::MeetingConvened,
            author: *author,
            required: "the registrar named in MeetingConvened",
        });
    }
    let invalid = |reason: String| RuleViolation::InvalidMeeting { reason };
    if m.classes.is_empty() {
        return Err(invalid("a meeting needs at least one share class".into()));
    }
    let mut seen = BTreeSet::new();
    for c in &m.classes {
        if !seen.insert(&c.id) {
            return Err(invalid(format!("class {} is listed twice", c.id)));
        }
        if c.votes_per_share == 0 {
            return Err(invalid(format!("class {} has 0 votes per share", c.id)));
        }
    }
    m.rules
        .validate()
        .map_err(|e| invalid(format!("rules profile: {e}")))
}

/// A class id for error paths where an interned index failed to resolve (never expected).
fn unknown_class() -> ClassId {
    ClassId::new("?").expect("\"?\" satisfies the class id invariant")
}
