//! `Meeting::check`: whether an event is valid now, and which rule forbids it if not.
//!
//! Ballots and proxy forms are checked into a plan (interned indices, computed entitlements,
//! proxies to supersede; see `plan.rs`) that `apply` then commits, so `submit` does the
//! lookups once.

use std::collections::BTreeSet;

use scrutin_model::{
    AuthorKey, ClassId, Event, EventKind, HolderId, MeetingConvened, MeetingKind, Resolution,
    ResolutionId, ResolutionKind, Restriction, Role, UtcMillis, Voter,
};

use crate::meeting::{restriction_group, Instr, Meeting, Poll, ProxyStatus};
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
    /// The class sitting it appoints for (`None`: the general sitting).
    pub(crate) sitting: Option<u32>,
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
            meeting.proxy_ix.text(by).unwrap_or("?")
        ),
    }
}

impl Meeting {
    /// The holder required to abstain on `resolution` whose shares a ballot of `voter` votes
    /// (the holder itself, or the holder who appointed the proxy), with the restriction's
    /// reason; `None` when the voter's shares are not required to abstain there (or the
    /// voter or resolution is unknown). Such a ballot is accepted and disregarded
    /// (docs/RULES.md, "must abstain"); the ledger's import warns of it.
    pub fn must_abstain_holder(
        &self,
        voter: &Voter,
        resolution: &ResolutionId,
    ) -> Option<(HolderId, &str)> {
        let r = self.res_index.get(resolution)?;
        let h = match voter {
            Voter::Holder(id) => self.holder_ix.get(id)?,
            Voter::Proxy(id) => self.proxies.get(self.proxy_ix.get(id)?)?.holder,
        };
        let rec = self.restrictions.get(&(h, r, 0))?;
        if rec.restriction != Restriction::Abstain {
            return None;
        }
        Some((self.holder_ix.id(h)?, rec.reason.as_str()))
    }

    /// Whether any holder required to abstain on `resolution`, or a proxy of one, tendered a
    /// ballot on it (accepted and disregarded): then the announcement may not say they "had
    /// abstained".
    pub fn must_abstain_tendered(&self, resolution: &ResolutionId) -> bool {
        let Some(r) = self.res_index.get(resolution) else {
            return false;
        };
        let on_r = |mut b: u32| {
            while let Some(rec) = self.ballots.get(b) {
                if rec.res == r {
                    return true;
                }
                b = rec.prev;
            }
            false
        };
        self.restrictions
            .iter()
            .filter(|(&(_, rr, _), rec)| rr == r && rec.restriction == Restriction::Abstain)
            .any(|(&(h, _, _), _)| {
                let Some(holder) = self.holders.get(h) else {
                    return false;
                };
                if on_r(holder.last_ballot) {
                    return true;
                }
                let mut q = holder.first_proxy;
                while let Some(p) = self.proxies.get(q) {
                    if on_r(p.last_ballot) {
                        return true;
                    }
                    q = p.next_of_holder;
                }
                false
            })
    }

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

    pub(crate) fn require_closed_register(&self, kind: EventKind) -> Result<(), RuleViolation> {
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

    pub(crate) fn class_idx(&self, id: &ClassId) -> Result<u32, RuleViolation> {
        self.class_index(id)
            .ok_or_else(|| RuleViolation::UnknownClass { class: id.clone() })
    }

    pub(crate) fn holder_idx(&self, id: &HolderId) -> Result<u32, RuleViolation> {
        self.holder_ix
            .get(id)
            .ok_or_else(|| RuleViolation::UnknownHolder { holder: id.clone() })
    }

    pub(crate) fn voting_holder(
        &self,
        id: &HolderId,
        kind: EventKind,
    ) -> Result<u32, RuleViolation> {
        let h = self.holder_idx(id)?;
        if self.holders.get(h).is_some_and(|r| r.treasury) {
            return Err(RuleViolation::TreasuryShares {
                kind,
                holder: id.clone(),
            });
        }
        Ok(h)
    }

    pub(crate) fn active_proxy(&self, id: &scrutin_model::ProxyId) -> Result<u32, RuleViolation> {
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
    /// own shares less those appointed to active proxies for sitting `s`, or a proxy's
    /// appointed shares.
    pub(crate) fn for_each_share(
        &self,
        proxy: bool,
        voter: u32,
        s: Option<u32>,
        mut f: impl FnMut(u32, u64),
    ) {
        if proxy {
            if let Some(rec) = self.proxies.get(voter) {
                for (c, n) in self.appointments_of(rec) {
                    f(c, n);
                }
            }
        } else {
            for (l, line) in self.lines_of(voter) {
                f(
                    line.class,
                    line.shares - self.appointed_at(l, line, s).min(line.shares),
                );
            }
        }
    }

    /// The bit of a (resolution, class) pair in a voter's voted mask (64 or more: none).
    pub(crate) fn vote_slot(&self, res: u32, class: u32) -> usize {
        (res as usize)
            .saturating_mul(self.class_count())
            .saturating_add(class as usize)
    }

    /// Refuses what would change who is present, or which proxies stand, once a poll has
    /// closed: the count of a closed resolution depends on both (shares represented, which
    /// ballots count), and nothing recorded after a poll closes may change how it counts.
    fn require_attendance_open(
        &self,
        kind: EventKind,
        subject: &Voter,
    ) -> Result<(), RuleViolation> {
        match &self.first_closed {
            Some(r) => Err(RuleViolation::AttendanceClosed {
                kind,
                subject: subject.clone(),
                resolution: r.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Whether the voter of a ballot on resolution `res` is already present at its sitting
    /// (attended, or voted there before).
    fn voter_present(&self, voter: &Voter, res: &ResolutionId) -> bool {
        let s = self.res_rec(res).and_then(|r| r.sitting);
        match voter {
            Voter::Holder(id) => self
                .holder_ix
                .get(id)
                .is_some_and(|h| self.holder_present_at(h, s)),
            Voter::Proxy(id) => self
                .proxy_ix
                .get(id)
                .and_then(|p| self.proxies.get(p))
                .is_some_and(|r| r.attended || r.voted),
        }
    }

    /// Checks attendance of `attendee` at sitting `s` (`None`: general): after the register
    /// closes, before any poll closes, once per sitting; a proxy attends only the sitting it
    /// is appointed for, a holder only a sitting whose class it holds.
    fn check_attendance(
        &self,
        kind: EventKind,
        attendee: &Voter,
        s: Option<u32>,
    ) -> Result<(), RuleViolation> {
        self.require_closed_register(kind)?;
        self.require_attendance_open(kind, attendee)?;
        let already = match attendee {
            Voter::Holder(id) => {
                let h = self.voting_holder(id, kind)?;
                if let Some(c) = s.and_then(|s| self.sitting_class(s)) {
                    if self.line_of(h, c).is_none() {
                        return Err(RuleViolation::NoSharesInClass {
                            holder: id.clone(),
                            class: self.class_id(c).cloned().unwrap_or_else(unknown_class),
                        });
                    }
                }
                self.holder_attended_at(h, s)
            }
            Voter::Proxy(id) => {
                let p = self.active_proxy(id)?;
                let own = self.sitting_of_proxy(p);
                // A proxy's attendance recorded without a sitting is at its own sitting.
                if s.is_some() && s != own {
                    return Err(RuleViolation::InvalidSitting {
                        sitting: self.sitting_id(s),
                        reason: format!(
                            "proxy {id} is appointed for sitting {}, not this one",
                            self.sitting_id(own)
                        ),
                    });
                }
                self.proxies.get(p).is_some_and(|r| r.attended)
            }
        };
        if already {
            return Err(RuleViolation::DuplicateAttendance {
                attendee: attendee.clone(),
            });
        }
        Ok(())
    }

    /// Checks an event recorded at `at`; returns the plan `apply` needs for ballots and proxy
    /// forms.
    pub(crate) fn check_event(
        &self,
        event: &Event,
        author: &AuthorKey,
        at: UtcMillis,
    ) -> Result<Option<Plan>, RuleViolation> {
        let Some(convened) = &self.convened else {
            return match event {
                Event::MeetingConvened(m) => check_convened(m, author).map(|()| None),
                other => Err(RuleViolation::NotConvened { kind: other.kind() }),
            };
        };
        if let Some(declared_at) = self.declared_at {
            return Err(RuleViolation::LogSealed {
                kind: event.kind(),
                declared_at,
            });
        }
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
                restriction,
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
                    // Only a scheme has disinterested tests: the mark on any other
                    // resolution would be silently meaningless, so it is refused.
                    if *restriction == Restriction::NotDisinterested
                        && self
                            .res
                            .get(r as usize)
                            .is_some_and(|x| x.def.kind != ResolutionKind::Scheme)
                    {
                        return Err(RuleViolation::InvalidResolution {
                            resolution: id.clone(),
                            reason: "not_disinterested marks a concert party on a scheme of \
                                     arrangement; this resolution is not a scheme"
                                .into(),
                        });
                    }
                    if !seen.insert(r)
                        || self
                            .restrictions
                            .contains_key(&(h, r, restriction_group(*restriction)))
                    {
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
                self.plan_proxy(p, None, at)
                    .map(|plan| Some(Plan::Proxy(plan)))
            }
            Event::SittingProxyLodged { sitting, form } => {
                self.require(event, author, "registrar", registrar)?;
                let s = self.sitting_idx(sitting)?;
                self.plan_proxy(form, s, at)
                    .map(|plan| Some(Plan::Proxy(plan)))
            }
            Event::SittingConvened(_)
            | Event::ResolutionTerms { .. }
            | Event::MeetingSettings(_) => {
                self.require(event, author, "registrar", registrar)?;
                self.check_setup(event).map(|()| None)
            }
            Event::ProxyRevoked { proxy, .. } => {
                self.require(event, author, "registrar", registrar)?;
                self.require_closed_register(event.kind())?;
                self.require_attendance_open(event.kind(), &Voter::Proxy(proxy.clone()))?;
                self.active_proxy(proxy).map(|_| None)
            }
            Event::AttendanceRecorded { attendee } => {
                self.require(event, author, "registrar", registrar)?;
                self.check_attendance(event.kind(), attendee, None)
                    .map(|()| None)
            }
            Event::Attended {
                attendee,
                sitting,
                attended_at,
            } => {
                self.require(event, author, "registrar", registrar)?;
                let s = match sitting {
                    Some(id) => self.sitting_idx(id)?,
                    None => None,
                };
                if let Some(t) = attended_at {
                    if *t > at {
                        return Err(RuleViolation::AttendedInFuture {
                            attendee: attendee.clone(),
                            attended_at: *t,
                            recorded_at: at,
                        });
                    }
                }
                self.check_attendance(event.kind(), attendee, s)
                    .map(|()| None)
            }
            Event::PollOpened { resolution } => {
                self.require(event, author, "chair or registrar", |r| {
                    matches!(r, Role::Chair | Role::Registrar)
                })?;
                self.require_closed_register(event.kind())?;
                self.check_poll_transition(resolution.as_ref(), Poll::Pending)?;
                Ok(None)
            }
            Event::PollClosed { resolution } => {
                self.require(event, author, "chair or registrar", |r| {
                    matches!(r, Role::Chair | Role::Registrar)
                })?;
                self.check_poll_transition(resolution.as_ref(), Poll::Open)?;
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
                let plan = self.plan_ballot(b)?;
                if !self.voter_present(&b.voter, &b.resolution) {
                    self.require_attendance_open(event.kind(), &b.voter)?;
                }
                Ok(Some(Plan::Ballot(plan)))
            }
            Event::ResultDeclared { .. } | Event::ResultDeclaredV2 { .. } => {
                self.require(event, author, "scrutineer", |r| *r == Role::Scrutineer)?;
                if let Some(open) = self.res.iter().find(|r| r.poll == Poll::Open) {
                    return Err(RuleViolation::PollStillOpen {
                        resolution: open.def.id.clone(),
                    });
                }
                if !self.res.iter().any(|r| r.poll == Poll::Closed) {
                    return Err(RuleViolation::NoClosedPoll);
                }
                // The declaration is final (it seals the log), so every resolution must have
                // been put to the vote and its poll closed.
                if let Some(pending) = self.res.iter().find(|r| r.poll == Poll::Pending) {
                    return Err(RuleViolation::PollNotHeld {
                        resolution: pending.def.id.clone(),
                    });
                }
                Ok(None)
            }
        }
    }

    /// Whether a poll may move out of `from` (Pending -> Open on PollOpened, Open -> Closed on
    /// PollClosed), for one resolution or, with `None`, for every resolution in `from`.
    fn check_poll_transition(
        &self,
        resolution: Option<&ResolutionId>,
        from: Poll,
    ) -> Result<(), RuleViolation> {
        let Some(id) = resolution else {
            if self.res.iter().any(|r| r.poll == from) {
                return Ok(());
            }
            return Err(match from {
                Poll::Pending => RuleViolation::NothingToOpen,
                _ => RuleViolation::NoOpenPoll,
            });
        };
        let r = self.res_idx(id)?;
        let resolution = id.clone();
        match (from, self.res.get(r as usize).map(|r| r.poll)) {
            (_, Some(Poll::Closed)) => Err(RuleViolation::PollAlreadyClosed { resolution }),
            (Poll::Pending, Some(Poll::Open)) => {
                Err(RuleViolation::PollAlreadyOpened { resolution })
            }
            (Poll::Open, Some(Poll::Pending)) => Err(RuleViolation::PollNotOpen { resolution }),
            _ => Ok(()),
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
}

/// The most share classes a meeting may have (docs/RULES.md, "invalid-meeting").
pub const MAX_CLASSES: usize = 64;

pub(crate) fn check_convened(m: &MeetingConvened, author: &AuthorKey) -> Result<(), RuleViolation> {
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
    // Every resolution's tally has a row per voting class, so the class count multiplies
    // what each later entry costs to count and print: bound it (real meetings have a few).
    if m.classes.len() > MAX_CLASSES {
        return Err(invalid(format!(
            "{} share classes; a meeting has at most {MAX_CLASSES}",
            m.classes.len()
        )));
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
