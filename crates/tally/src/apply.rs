//! `Meeting::apply`: folding a checked event into the state.

use std::sync::Arc;

use scrutin_model::{AuthorKey, Event, ResolutionId, ResolutionKind, Role, UtcMillis, Voter};

use crate::check::{BallotPlan, Plan, ProxyPlan};
use crate::fxhash::SortedMap;
use crate::meeting::{
    restriction_group, BallotRec, Cast, HolderRec, Line, Mask, Meeting, Poll, ProxyRec,
    ProxyStatus, ResRec, RestrictionRec, NONE,
};

impl Meeting {
    /// Folds `event` in. `plan` is what `check` computed for it, if anything; without one the
    /// plan is recomputed, and an event whose plan fails is ignored (unspecified, not a panic).
    pub(crate) fn apply_event(
        &mut self,
        event: &Event,
        _author: &AuthorKey,
        at: UtcMillis,
        plan: Option<Plan>,
    ) {
        let index = self.events;
        self.events = self.events.saturating_add(1);
        match event {
            Event::MeetingConvened(m) => {
                if self.convened.is_some() {
                    return;
                }
                Arc::make_mut(&mut self.authority)
                    .entry(m.registrar)
                    .or_default()
                    .insert(Role::Registrar);
                let mut class_ix = SortedMap::default();
                for (i, c) in m.classes.iter().enumerate() {
                    class_ix
                        .entry(c.id.clone())
                        .or_insert(u32::try_from(i).unwrap_or(NONE));
                }
                self.class_ix = Arc::new(class_ix);
                self.convened = Some(Arc::new(m.clone()));
            }
            Event::AuthorityGranted { key, role } => {
                Arc::make_mut(&mut self.authority)
                    .entry(*key)
                    .or_default()
                    .insert(role.clone());
            }
            Event::AuthorityRevoked { key, role } => {
                let authority = Arc::make_mut(&mut self.authority);
                if let Some(roles) = authority.get_mut(key) {
                    roles.remove(role);
                    if roles.is_empty() {
                        authority.remove(key);
                    }
                }
            }
            Event::ResolutionProposed(r) => {
                if self.res_index.contains(&r.id) {
                    return;
                }
                if self.convened.is_none() {
                    return;
                }
                // Weights only for the classes the resolution names, or whose weight it
                // overrides: never one per meeting class. First mention wins, as the linear
                // lookups this replaces did (a checked resolution has no repeats).
                let mut overrides: Vec<(u32, u32)> = r
                    .votes_per_share
                    .iter()
                    .filter_map(|w| Some((self.class_index(&w.class)?, w.votes_per_share)))
                    .collect();
                overrides.sort_by_key(|w| w.0);
                overrides.dedup_by_key(|w| w.0);
                let all_classes = r.classes.is_empty();
                let weights = if all_classes {
                    overrides
                } else {
                    let mut named: Vec<(u32, u32)> = r
                        .classes
                        .iter()
                        .filter_map(|c| {
                            let i = self.class_index(c)?;
                            let w = match overrides.binary_search_by_key(&i, |w| w.0) {
                                Ok(k) => overrides.get(k).map_or(0, |w| w.1),
                                Err(_) => self.class_vps(i),
                            };
                            Some((i, w))
                        })
                        .collect();
                    named.sort_by_key(|w| w.0);
                    named.dedup_by_key(|w| w.0);
                    named
                };
                let (seats, candidates) = match &r.kind {
                    ResolutionKind::Cumulative { seats, candidates } => {
                        (*seats, candidates.iter().map(|c| c.id.clone()).collect())
                    }
                    _ => (0, Vec::new()),
                };
                let mut candidate_ix = SortedMap::default();
                for (k, c) in candidates.iter().enumerate() {
                    candidate_ix
                        .entry(c.clone())
                        .or_insert(u32::try_from(k).unwrap_or(NONE));
                }
                self.res_index.push(&r.id);
                Arc::make_mut(&mut self.res).push(ResRec {
                    def: r.clone(),
                    poll: Poll::Pending,
                    all_classes,
                    weights,
                    seats,
                    candidates,
                    candidate_ix,
                    sitting: None,
                    scheme: None,
                    has_terms: false,
                });
            }
            Event::ShareRegistered {
                holder,
                name,
                class,
                shares,
            } => {
                let Some(c) = self.class_index(class) else {
                    return;
                };
                let h = match self.holder_ix.get(holder) {
                    Some(h) => h,
                    None => {
                        let h = self.holders.push(HolderRec {
                            first_line: NONE,
                            first_proxy: NONE,
                            last_proxy: NONE,
                            last_ballot: NONE,
                            voted_mask: Mask::default(),
                            attended: false,
                            voted: false,
                            restricted: false,
                            treasury: holder.is_treasury(),
                        });
                        self.holder_ix.push(holder);
                        self.holder_names.push(name);
                        h
                    }
                };
                if self.line_of(h, c).is_some() {
                    return;
                }
                let line = self.lines.push(Line {
                    class: c,
                    shares: shares.0,
                    appointed: 0,
                    next: NONE,
                });
                let tail = self.lines_of(h).last().map(|(i, _)| i);
                match tail {
                    Some(t) if t != line => {
                        if let Some(l) = self.lines.get_mut(t) {
                            l.next = line;
                        }
                    }
                    _ => {
                        if let Some(rec) = self.holders.get_mut(h) {
                            rec.first_line = line;
                        }
                    }
                }
            }
            Event::RegisterClosed => self.register_closed = true,
            Event::AbstentionRequired {
                holder,
                resolutions,
                restriction,
                reason,
            } => {
                let Some(h) = self.holder_ix.get(holder) else {
                    return;
                };
                let rs: Vec<u32> = resolutions
                    .iter()
                    .filter_map(|r| self.res_index.get(r))
                    .collect();
                let map = Arc::make_mut(&mut self.restrictions);
                for r in rs {
                    let g = restriction_group(*restriction);
                    map.entry((h, r, g)).or_insert_with(|| RestrictionRec {
                        restriction: *restriction,
                        reason: reason.clone(),
                    });
                }
                if let Some(rec) = self.holders.get_mut(h) {
                    rec.restricted = true;
                }
            }
            Event::SittingConvened(_)
            | Event::ResolutionTerms { .. }
            | Event::MeetingSettings(_) => self.apply_setup(event),
            Event::SittingProxyLodged { form: p, .. } | Event::ProxyLodged(p) => {
                let plan = match plan {
                    Some(Plan::Proxy(plan)) => Some(plan),
                    _ => {
                        let sitting = match event {
                            Event::SittingProxyLodged { sitting, .. } => {
                                match self.sitting_idx(sitting) {
                                    Ok(s) => s,
                                    Err(_) => return,
                                }
                            }
                            _ => None,
                        };
                        self.plan_proxy(p, sitting, at).ok()
                    }
                };
                if let Some(plan) = plan {
                    self.commit_proxy(p, plan);
                }
            }
            Event::ProxyRevoked { proxy, .. } => {
                if let Some(p) = self.proxy_ix.get(proxy) {
                    self.end_proxy(p, ProxyStatus::Revoked);
                }
            }
            Event::AttendanceRecorded { attendee } => self.attend(attendee, None, None),
            Event::Attended {
                attendee,
                sitting,
                attended_at,
            } => {
                let s = match sitting {
                    Some(id) => match self.sitting_idx(id) {
                        Ok(s) => s,
                        Err(_) => return,
                    },
                    None => None,
                };
                self.attend(attendee, s, *attended_at);
            }
            Event::PollOpened { resolution } => self.set_poll(resolution.as_ref(), Poll::Open),
            Event::PollClosed { resolution } => self.set_poll(resolution.as_ref(), Poll::Closed),
            Event::VoteCast(b) => {
                let plan = match plan {
                    Some(Plan::Ballot(plan)) => Some(plan),
                    _ => self.plan_ballot(b).ok(),
                };
                if let Some(plan) = plan {
                    self.commit_ballot(plan);
                }
            }
            Event::ResultDeclared { .. } | Event::ResultDeclaredV2 { .. } => {
                if self.declared_at.is_none() {
                    self.declared_at = Some(index);
                    self.declared_format = event.declaration().map(|d| d.tally_format);
                }
            }
        }
    }

    fn set_poll(&mut self, resolution: Option<&ResolutionId>, to: Poll) {
        let from = match to {
            Poll::Open => Poll::Pending,
            _ => Poll::Open,
        };
        let only = match resolution {
            Some(id) => match self.res_index.get(id) {
                Some(r) => Some(r as usize),
                None => return,
            },
            None => None,
        };
        let mut first: Option<ResolutionId> = None;
        for (i, r) in Arc::make_mut(&mut self.res).iter_mut().enumerate() {
            if only.is_none_or(|o| o == i) && r.poll == from {
                r.poll = to;
                if first.is_none() {
                    first = Some(r.def.id.clone());
                }
            }
        }
        let slot = match to {
            Poll::Open => &mut self.first_opened,
            _ => &mut self.first_closed,
        };
        if slot.is_none() {
            *slot = first;
        }
    }

    /// Records `attendee` present in person at sitting `s` (`None`: general), arriving at
    /// `attended_at` if stated. A holder attending in person revokes its proxies for that
    /// sitting (the proxy form's "deemed revoked": the holder now votes those shares itself),
    /// unless the meeting's settings keep them.
    fn attend(&mut self, attendee: &Voter, s: Option<u32>, attended_at: Option<UtcMillis>) {
        let (proxy, v) = match attendee {
            Voter::Holder(id) => {
                let Some(h) = self.holder_ix.get(id) else {
                    return;
                };
                match s {
                    None => {
                        if let Some(rec) = self.holders.get_mut(h) {
                            rec.attended = true;
                        }
                    }
                    Some(s) => {
                        Arc::make_mut(&mut self.by_sitting)
                            .presence
                            .entry((h, s))
                            .or_default()
                            .attended = true;
                    }
                }
                let keep = self
                    .settings
                    .as_ref()
                    .is_some_and(|m| m.attendance_keeps_proxies);
                if !keep {
                    let mut p = self.holders.get(h).map_or(NONE, |r| r.first_proxy);
                    while let Some(rec) = self.proxies.get(p).copied() {
                        if rec.status == ProxyStatus::Active && self.sitting_of_proxy(p) == s {
                            self.end_proxy(p, ProxyStatus::HolderAttended);
                        }
                        p = rec.next_of_holder;
                    }
                }
                (false, h)
            }
            Voter::Proxy(id) => {
                let Some(p) = self.proxy_ix.get(id) else {
                    return;
                };
                if let Some(rec) = self.proxies.get_mut(p) {
                    rec.attended = true;
                }
                (true, p)
            }
        };
        if let Some(t) = attended_at {
            let key = if proxy { self.sitting_of_proxy(v) } else { s };
            Arc::make_mut(&mut self.by_sitting)
                .attended_at
                .insert((proxy, v, key.unwrap_or(NONE)), t);
        }
    }

    /// Marks proxy `p` inactive and gives its shares back to its holder's lines.
    fn end_proxy(&mut self, p: u32, status: ProxyStatus) {
        let Some(rec) = self.proxies.get(p).copied() else {
            return;
        };
        if rec.status != ProxyStatus::Active {
            return;
        }
        let sitting = self.sitting_of_proxy(p);
        let appts: Vec<(u32, u64)> = self.appointments_of(&rec).collect();
        for (c, shares) in appts {
            if let Some((l, _)) = self.line_of(rec.holder, c) {
                if sitting.is_some() {
                    let by = Arc::make_mut(&mut self.by_sitting);
                    if let Some(a) = by.appointed.get_mut(&l) {
                        *a = a.saturating_sub(shares);
                    }
                } else if let Some(line) = self.lines.get_mut(l) {
                    line.appointed = line.appointed.saturating_sub(shares);
                }
            }
        }
        if let Some(r) = self.proxies.get_mut(p) {
            r.status = status;
        }
    }

    fn commit_proxy(&mut self, form: &scrutin_model::ProxyLodged, plan: ProxyPlan) {
        let index = u32::try_from(self.proxies.len()).unwrap_or(NONE);
        for q in &plan.supersede {
            self.end_proxy(*q, ProxyStatus::Superseded(index));
        }
        let appt_start = u32::try_from(self.appointments.len()).unwrap_or(NONE);
        for &(c, shares) in &plan.appointments {
            self.appointments.push((c, shares));
            if let Some((l, _)) = self.line_of(plan.holder, c) {
                if plan.sitting.is_some() {
                    let a = Arc::make_mut(&mut self.by_sitting)
                        .appointed
                        .entry(l)
                        .or_default();
                    *a = a.saturating_add(shares);
                } else if let Some(line) = self.lines.get_mut(l) {
                    line.appointed = line.appointed.saturating_add(shares);
                }
            }
        }
        let ins_start = u32::try_from(self.instructions.len()).unwrap_or(NONE);
        for &(res, ins) in &plan.instructions {
            self.push_instruction(res, ins);
        }
        let p = self.proxies.push(ProxyRec {
            holder: plan.holder,
            status: ProxyStatus::Active,
            attended: false,
            voted: false,
            next_of_holder: NONE,
            last_ballot: NONE,
            voted_mask: Mask::default(),
            appt_start,
            appt_len: u32::try_from(plan.appointments.len()).unwrap_or(0),
            ins_start,
            ins_len: u32::try_from(plan.instructions.len()).unwrap_or(0),
        });
        if let Some(s) = plan.sitting {
            Arc::make_mut(&mut self.by_sitting)
                .proxy_sitting
                .insert(p, s);
        }
        self.proxy_ix.push(&form.proxy);
        self.proxy_names.push(&form.proxy_name);
        let last = self.holders.get(plan.holder).map_or(NONE, |r| r.last_proxy);
        if let Some(prev) = self.proxies.get_mut(last) {
            prev.next_of_holder = p;
        }
        if let Some(rec) = self.holders.get_mut(plan.holder) {
            if rec.first_proxy == NONE {
                rec.first_proxy = p;
            }
            rec.last_proxy = p;
        }
    }

    fn commit_ballot(&mut self, plan: BallotPlan) {
        let prev = if plan.proxy {
            self.proxies.get(plan.voter).map_or(NONE, |r| r.last_ballot)
        } else {
            self.holders.get(plan.voter).map_or(NONE, |r| r.last_ballot)
        };
        let cast = match plan.cumulative {
            Some((allocs, over)) => {
                let start = u32::try_from(self.allocations.len()).unwrap_or(NONE);
                let len = u32::try_from(allocs.len()).unwrap_or(0);
                for a in allocs {
                    self.allocations.push(a);
                }
                Cast::Cumulative { start, len, over }
            }
            None => Cast::Split {
                for_: plan.split.0,
                against: plan.split.1,
                abstain: plan.split.2,
            },
        };
        let (kind, extra) = self.store_cast(plan.entitled, cast);
        let b = self.ballots.push(BallotRec {
            voter: plan.voter,
            proxy: plan.proxy,
            res: plan.res,
            class: plan.class,
            entitled: plan.entitled,
            kind,
            extra,
            prev,
        });
        let slot = self.vote_slot(plan.res, plan.class);
        let bit = if slot < 64 { 1u64 << slot } else { 0 };
        if plan.proxy {
            if let Some(r) = self.proxies.get_mut(plan.voter) {
                r.last_ballot = b;
                r.voted = true;
                r.voted_mask |= bit;
            }
        } else {
            // Voting in person makes the holder present at the resolution's sitting only.
            let sitting = self.res.get(plan.res as usize).and_then(|r| r.sitting);
            if let Some(r) = self.holders.get_mut(plan.voter) {
                r.last_ballot = b;
                r.voted |= sitting.is_none();
                r.voted_mask |= bit;
            }
            if let Some(s) = sitting {
                Arc::make_mut(&mut self.by_sitting)
                    .presence
                    .entry((plan.voter, s))
                    .or_default()
                    .voted = true;
            }
        }
    }
}
