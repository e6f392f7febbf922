//! The meeting's state: the fold of its events under its rules.
//!
//! Identifiers are interned to `u32` indices on registration, so a ballot is a small `Copy`
//! record and casting one allocates nothing. Records live in [`CowVec`]s so that cloning the
//! meeting (the ledger does it once per batch) shares storage instead of copying it. A ballot
//! record never changes once appended: whether it counts is decided at tally time from the
//! state of its voter (revoked proxy, must-abstain holder), so revocations need no rewrite.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use scrutin_model::{
    AuthorKey, CandidateId, ClassId, Event, HolderId, MeetingConvened, MeetingSettings, ProxyId,
    Resolution, ResolutionId, Restriction, Role, SchemeTerms, ShareClass, Shares, Sitting,
    UtcMillis, Voter,
};

use crate::arena::StrArena;
use crate::cowvec::CowVec;
use crate::fxhash::{Interner, SortedMap};
use crate::{RuleViolation, Tally};

/// "No index": the end of a chain.
pub(crate) const NONE: u32 = u32::MAX;

/// A 64-bit mask kept as two `u32` halves, so that the records holding one are 4-byte aligned
/// (a `u64` would pad a [`HolderRec`] from 28 bytes to 32).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, bincode::Encode, bincode::Decode)]
pub(crate) struct Mask([u32; 2]);

impl Mask {
    /// The mask as a `u64`.
    pub(crate) fn get(self) -> u64 {
        u64::from(self.0[0]) | (u64::from(self.0[1]) << 32)
    }
}

impl std::ops::BitOrAssign<u64> for Mask {
    fn bitor_assign(&mut self, bits: u64) {
        let m = self.get() | bits;
        // Truncations by design: the low and the high half.
        self.0 = [m as u32, (m >> 32) as u32];
    }
}

/// A registered holder (28 bytes; its id and name live in separate, never-written vectors).
#[derive(Debug, Clone, Copy, bincode::Encode, bincode::Decode)]
pub(crate) struct HolderRec {
    pub(crate) first_line: u32,
    pub(crate) first_proxy: u32,
    pub(crate) last_proxy: u32,
    pub(crate) last_ballot: u32,
    /// Bit `res * classes + class` set once the holder voted there (see `vote_slot`).
    pub(crate) voted_mask: Mask,
    pub(crate) attended: bool,
    pub(crate) voted: bool,
    pub(crate) restricted: bool,
    pub(crate) treasury: bool,
}

/// One register line: a holder's shares of one class.
#[derive(Debug, Clone, Copy, bincode::Encode, bincode::Decode)]
pub(crate) struct Line {
    pub(crate) class: u32,
    pub(crate) shares: u64,
    /// Shares of this line appointed to proxies that are still active.
    pub(crate) appointed: u64,
    pub(crate) next: u32,
}

/// Whether a proxy may still vote, and if not why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, bincode::Encode, bincode::Decode)]
pub(crate) enum ProxyStatus {
    Active,
    Revoked,
    HolderAttended,
    Superseded(u32),
}

/// A lodged proxy appointment.
#[derive(Debug, Clone, Copy, bincode::Encode, bincode::Decode)]
pub(crate) struct ProxyRec {
    pub(crate) holder: u32,
    pub(crate) status: ProxyStatus,
    pub(crate) attended: bool,
    pub(crate) voted: bool,
    pub(crate) next_of_holder: u32,
    pub(crate) last_ballot: u32,
    /// As `HolderRec::voted_mask`.
    pub(crate) voted_mask: Mask,
    /// Range into `Meeting::appointments`.
    pub(crate) appt_start: u32,
    pub(crate) appt_len: u32,
    /// Range into `Meeting::instructions`.
    pub(crate) ins_start: u32,
    pub(crate) ins_len: u32,
}

/// A proxy instruction without its resolution id (the resolution is interned), as
/// [`Meeting::instruction_of`] reads it back from its [`InstrRec`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Instr {
    For,
    Against,
    Abstain,
    Split(u64, u64, u64),
    Discretion,
}

/// How an [`InstrRec`] stores its [`Instr`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, bincode::Encode, bincode::Decode)]
pub(crate) enum InstrKind {
    For,
    Against,
    Abstain,
    /// `Meeting::instr_splits[extra]` is (for, against, abstain).
    Split,
    Discretion,
}

/// A stored proxy instruction (12 bytes): its resolution, and what it says.
#[derive(Debug, Clone, Copy, bincode::Encode, bincode::Decode)]
pub(crate) struct InstrRec {
    pub(crate) res: u32,
    pub(crate) kind: InstrKind,
    /// Index into `Meeting::instr_splits` for [`InstrKind::Split`] (0 otherwise).
    pub(crate) extra: u32,
}

/// What an accepted ballot said (as [`Meeting::cast_of`] reads it back from its record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cast {
    Split {
        for_: u64,
        against: u64,
        abstain: u64,
    },
    /// Range into `Meeting::allocations`; `over` marks an over-allocated (invalid) ballot.
    Cumulative { start: u32, len: u32, over: bool },
}

/// How a [`BallotRec`] stores its [`Cast`]: the common ballot (every share it may vote one
/// way) in the record itself, anything else in [`Meeting::casts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, bincode::Encode, bincode::Decode)]
pub(crate) enum CastKind {
    /// All `entitled` shares for.
    AllFor,
    /// All `entitled` shares against.
    AllAgainst,
    /// All `entitled` shares abstain.
    AllAbstain,
    /// `Meeting::casts[extra]` is (for, against, abstain).
    Split,
    /// `Meeting::casts[extra]` is (allocation start, length, over-allocated 0/1).
    Cumulative,
}

/// An accepted ballot (32 bytes). Never written after it is appended.
#[derive(Debug, Clone, Copy, bincode::Encode, bincode::Decode)]
pub(crate) struct BallotRec {
    pub(crate) voter: u32,
    pub(crate) proxy: bool,
    pub(crate) res: u32,
    pub(crate) class: u32,
    /// Shares the voter could vote on it when it was cast.
    pub(crate) entitled: u64,
    /// What it said: see [`CastKind`] and [`Meeting::cast_of`].
    pub(crate) kind: CastKind,
    /// Index into `Meeting::casts` for [`CastKind::Split`] and [`CastKind::Cumulative`].
    pub(crate) extra: u32,
    /// The voter's previous ballot (a chain for the duplicate check).
    pub(crate) prev: u32,
}

/// Poll state of a resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, bincode::Encode, bincode::Decode)]
pub(crate) enum Poll {
    Pending,
    Open,
    Closed,
}

/// A proposed resolution and what the count needs of it.
#[derive(Debug, Clone, bincode::Encode, bincode::Decode)]
pub(crate) struct ResRec {
    pub(crate) def: Resolution,
    pub(crate) poll: Poll,
    /// Whether every meeting class votes on it (it names no classes); otherwise only the
    /// classes in `weights` vote.
    pub(crate) all_classes: bool,
    /// (class index, votes per share), sorted by class: the classes it names, or, when it
    /// names none, the classes whose weight it overrides. Sized by the resolution, never by
    /// the meeting's classes.
    pub(crate) weights: Vec<(u32, u32)>,
    /// Seats of a cumulative pool (0 otherwise).
    pub(crate) seats: u32,
    /// Candidates of a cumulative pool, in the order proposed.
    pub(crate) candidates: Vec<CandidateId>,
    /// Candidate id -> index in `candidates` (first wins).
    pub(crate) candidate_ix: SortedMap<CandidateId, u32>,
    /// The class sitting it is put to, as an index into `Meeting::sittings`; `None`: the
    /// general sitting.
    pub(crate) sitting: Option<u32>,
    /// The scheme tests its `ResolutionTerms` stated (`None`: the preset's).
    pub(crate) scheme: Option<SchemeTerms>,
    /// Whether its `ResolutionTerms` is recorded (at most once).
    pub(crate) has_terms: bool,
}

impl ResRec {
    /// Votes per share of class `c` on this resolution (0: the class does not vote on it);
    /// `default` is the class's own weight.
    pub(crate) fn vps(&self, c: u32, default: impl FnOnce(u32) -> u32) -> u32 {
        match self.weights.binary_search_by_key(&c, |w| w.0) {
            Ok(i) => self.weights.get(i).map_or(0, |w| w.1),
            Err(_) if self.all_classes => default(c),
            Err(_) => 0,
        }
    }
}

/// The group of a restriction: a holder has at most one restriction of each group on a
/// resolution. 0: a restriction on the vote (must abstain, against only); 1: not
/// disinterested (a scheme's concert party); 2: a stated intention (against, abstain).
pub(crate) fn restriction_group(r: Restriction) -> u8 {
    match r {
        Restriction::Abstain | Restriction::AgainstOnly => 0,
        Restriction::NotDisinterested => 1,
        Restriction::IntendsAgainst | Restriction::IntendsAbstain => 2,
    }
}

/// A restriction or mark of one holder on one resolution.
#[derive(Debug, Clone, bincode::Encode, bincode::Decode)]
pub(crate) struct RestrictionRec {
    pub(crate) restriction: Restriction,
    pub(crate) reason: String,
}

/// The state of a meeting: the fold of its events. `check` says whether an event is valid now
/// and why not; `apply` folds a checked event in. Replaying the same events always gives the
/// same state, and the same [`Tally`]. Cloning is cheap: storage is shared until written.
#[derive(Debug, Clone, Default, bincode::Encode, bincode::Decode)]
pub struct Meeting {
    pub(crate) convened: Option<Arc<MeetingConvened>>,
    pub(crate) authority: Arc<BTreeMap<AuthorKey, BTreeSet<Role>>>,
    pub(crate) register_closed: bool,
    pub(crate) res: Arc<Vec<ResRec>>,
    pub(crate) res_index: Interner<ResolutionId>,
    /// Class id -> index in the genesis' class list (first wins).
    pub(crate) class_ix: Arc<SortedMap<ClassId, u32>>,
    pub(crate) holder_ix: Interner<HolderId>,
    pub(crate) holder_names: StrArena,
    pub(crate) holders: CowVec<HolderRec>,
    pub(crate) lines: CowVec<Line>,
    /// Restrictions and marks by (holder, resolution, [`restriction_group`]): a holder has
    /// at most one of each group on a resolution (a concert party may also be against-only).
    pub(crate) restrictions: Arc<BTreeMap<(u32, u32, u8), RestrictionRec>>,
    pub(crate) proxy_ix: Interner<ProxyId>,
    pub(crate) proxy_names: StrArena,
    pub(crate) proxies: CowVec<ProxyRec>,
    pub(crate) appointments: CowVec<(u32, u64)>,
    pub(crate) instructions: CowVec<InstrRec>,
    /// The shares of split instructions (see [`InstrKind::Split`]).
    pub(crate) instr_splits: CowVec<[u64; 3]>,
    pub(crate) ballots: CowVec<BallotRec>,
    /// What ballots said that their record does not hold itself (see [`CastKind`]).
    pub(crate) casts: CowVec<[u64; 3]>,
    pub(crate) allocations: CowVec<(u32, u64)>,
    /// Events folded so far: the log index of the next entry.
    pub(crate) events: u64,
    /// The first resolution whose poll opened: from then on no proxy form may be recorded.
    pub(crate) first_opened: Option<ResolutionId>,
    /// The first resolution whose poll closed: from then on nothing may change who is present
    /// or which proxies stand, since that would change the count of a closed resolution.
    pub(crate) first_closed: Option<ResolutionId>,
    /// The log index of the result declaration: it is final and seals the log.
    pub(crate) declared_at: Option<u64>,
    /// The tally JSON format the declaration certifies.
    pub(crate) declared_format: Option<u16>,
    /// The sittings convened, in log order (the general sitting is implicit unless convened).
    pub(crate) sittings: Arc<Vec<Sitting>>,
    /// The meeting's settings beyond the genesis, once recorded.
    pub(crate) settings: Option<Arc<MeetingSettings>>,
    /// Per-sitting state of the class sittings only (sparse: empty in a meeting without
    /// class sittings, so the general sitting's state stays in the records above).
    pub(crate) by_sitting: Arc<SittingState>,
}

/// Who is present at each class sitting, and the appointments made for them. Keys are sparse
/// so a meeting without class sittings (or a holder who lodges nothing for one) costs nothing.
#[derive(Debug, Clone, Default, bincode::Encode, bincode::Decode)]
pub(crate) struct SittingState {
    /// Proxy index -> the class sitting it is appointed for (absent: the general sitting).
    pub(crate) proxy_sitting: SortedMap<u32, u32>,
    /// Register line index -> shares of it appointed to active proxies of its class's
    /// sitting (the general sitting's appointments are `Line::appointed`).
    pub(crate) appointed: SortedMap<u32, u64>,
    /// (holder, class sitting) -> presence in person there.
    pub(crate) presence: BTreeMap<(u32, u32), Presence>,
    /// (voter is a proxy, voter index, sitting or `NONE` for general) -> the stated time of
    /// arrival, for attendance records that give one.
    pub(crate) attended_at: BTreeMap<(bool, u32, u32), UtcMillis>,
}

/// A holder's presence in person at a class sitting.
#[derive(Debug, Clone, Copy, Default, bincode::Encode, bincode::Decode)]
pub(crate) struct Presence {
    pub(crate) attended: bool,
    pub(crate) voted: bool,
}

/// An event that [`Meeting::plan`] accepted, with the plan [`Meeting::commit`] folds in.
#[derive(Debug, Clone)]
pub struct Planned<'e> {
    event: &'e Event,
    author: AuthorKey,
    recorded_at: UtcMillis,
    plan: Option<crate::check::Plan>,
    /// The meeting's event count when planned: a plan is only valid on that state.
    state: u64,
}

impl<'e> Planned<'e> {
    /// The event planned.
    pub fn event(&self) -> &'e Event {
        self.event
    }
}

/// How a ballot stands in the count (for receipts).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BallotStatus {
    /// Counted in full.
    Counted,
    /// Part of it counted; `votes` of it disregarded (e.g. the "for" part of a Rule 13.40
    /// holder's ballot).
    PartlyDisregarded {
        /// Votes not counted.
        votes: u128,
        /// Why.
        reason: String,
    },
    /// Not counted at all.
    Disregarded {
        /// Votes not counted.
        votes: u128,
        /// Why.
        reason: String,
    },
}

/// A must-abstain or against-only restriction, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abstention {
    /// The holder.
    pub holder: HolderId,
    /// The resolution.
    pub resolution: ResolutionId,
    /// Abstain (Rule 2.15 / 14A.36) or against only (Rule 13.40).
    pub restriction: Restriction,
    /// The reason given.
    pub reason: String,
}

impl Meeting {
    /// An empty meeting: the first event must be `MeetingConvened`.
    pub fn new() -> Meeting {
        Meeting::default()
    }

    /// Checks `event`, authored by `author` and recorded in the log at `recorded_at` (the
    /// entry's time), against the meeting as it stands, and returns what [`Meeting::commit`]
    /// folds in: for a ballot or a proxy form, the plan the rules computed (interned indices,
    /// entitlements, proxies superseded), so the event is planned once, not again on commit.
    ///
    /// # Errors
    /// The [`RuleViolation`] that forbids it.
    pub fn plan<'e>(
        &self,
        event: &'e Event,
        author: &AuthorKey,
        recorded_at: UtcMillis,
    ) -> Result<Planned<'e>, RuleViolation> {
        let plan = self.check_event(event, author, recorded_at)?;
        Ok(Planned {
            event,
            author: *author,
            recorded_at,
            plan,
            state: self.events,
        })
    }

    /// Folds in an event planned by [`Meeting::plan`] on this meeting in its current state.
    /// A plan made on an earlier state (another event folded in since) is not trusted: the
    /// event is then planned again, as [`Meeting::apply`] does.
    pub fn commit(&mut self, planned: Planned<'_>) {
        let plan = if planned.state == self.events {
            planned.plan
        } else {
            None
        };
        self.apply_event(planned.event, &planned.author, planned.recorded_at, plan);
    }

    /// Whether `event`, authored by `author` and recorded in the log at `recorded_at` (the
    /// entry's time), may be recorded now (`plan`, without keeping the plan).
    ///
    /// # Errors
    /// The [`RuleViolation`] that forbids it.
    pub fn check(
        &self,
        event: &Event,
        author: &AuthorKey,
        recorded_at: UtcMillis,
    ) -> Result<(), RuleViolation> {
        self.check_event(event, author, recorded_at).map(|_| ())
    }

    /// Folds in an event that `check` accepted, recorded at `recorded_at`. Calling it with an
    /// unchecked event is a bug in the caller; the state stays consistent but the result is
    /// unspecified.
    pub fn apply(&mut self, event: &Event, author: &AuthorKey, recorded_at: UtcMillis) {
        self.apply_event(event, author, recorded_at, None);
    }

    /// `plan` then `commit`.
    ///
    /// # Errors
    /// The [`RuleViolation`] that forbids the event; the state is then unchanged.
    pub fn submit(
        &mut self,
        event: &Event,
        author: &AuthorKey,
        recorded_at: UtcMillis,
    ) -> Result<(), RuleViolation> {
        let planned = self.plan(event, author, recorded_at)?;
        self.commit(planned);
        Ok(())
    }

    /// Whether the result has been declared. The declaration is final: it seals the log, and
    /// until it is recorded every tally is provisional.
    pub fn result_declared(&self) -> bool {
        self.declared_at.is_some()
    }

    /// The number of events folded in (the log index of the next entry).
    pub fn events(&self) -> u64 {
        self.events
    }

    /// The log index of the result declaration, once recorded.
    pub fn declared_at(&self) -> Option<u64> {
        self.declared_at
    }

    /// The tally JSON format the result declaration certifies, once recorded.
    pub fn declared_format(&self) -> Option<u16> {
        self.declared_format
    }

    /// The meeting's settings (`MeetingSettings`), once recorded.
    pub fn settings(&self) -> Option<&MeetingSettings> {
        self.settings.as_deref()
    }

    /// Whether a proxy may vote fewer shares than its split instruction (`partial_voting`).
    pub(crate) fn partial_voting(&self) -> bool {
        self.settings.as_ref().is_some_and(|s| s.partial_voting)
    }

    /// The genesis event, once recorded.
    pub fn convened(&self) -> Option<&MeetingConvened> {
        self.convened.as_deref()
    }

    /// The authorities `key` currently holds, in a fixed order.
    pub fn roles(&self, key: &AuthorKey) -> Vec<Role> {
        self.authority
            .get(key)
            .map(|roles| roles.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The resolutions, in the order proposed.
    pub fn resolutions(&self) -> Vec<&Resolution> {
        self.res.iter().map(|r| &r.def).collect()
    }

    /// The resolution with this id.
    pub fn resolution(&self, id: &ResolutionId) -> Option<&Resolution> {
        let i = self.res_index.get(id)?;
        self.res.get(i as usize).map(|r| &r.def)
    }

    /// The share class with this id.
    pub fn class(&self, id: &ClassId) -> Option<&ShareClass> {
        self.convened()?.classes.iter().find(|c| &c.id == id)
    }

    /// Whether the register is closed.
    pub fn register_closed(&self) -> bool {
        self.register_closed
    }

    /// The proxies `holder` has appointed (revoked ones included), in lodging order.
    pub fn proxies_of(&self, holder: &HolderId) -> Vec<ProxyId> {
        let mut out = Vec::new();
        let Some(h) = self.holder_ix.get(holder).and_then(|h| self.holders.get(h)) else {
            return out;
        };
        let mut p = h.first_proxy;
        while let Some(rec) = self.proxies.get(p) {
            if let Some(id) = self.proxy_ix.id(p) {
                out.push(id);
            }
            p = rec.next_of_holder;
        }
        out
    }

    /// The holder who appointed `proxy`.
    pub fn proxy_holder(&self, proxy: &ProxyId) -> Option<HolderId> {
        let p = self.proxies.get(self.proxy_ix.get(proxy)?)?;
        self.holder_ix.id(p.holder)
    }

    /// The proxy's name as on the form; a form naming nobody appoints the chairman of the
    /// meeting (the default proxy), and says so.
    pub fn proxy_name(&self, proxy: &ProxyId) -> Option<&str> {
        self.proxy_names.get(self.proxy_ix.get(proxy)?).map(|name| {
            if name.trim().is_empty() {
                "the chairman of the meeting"
            } else {
                name
            }
        })
    }

    /// Whether the proxy is still active (not revoked, superseded, or revoked by attendance).
    pub fn proxy_active(&self, proxy: &ProxyId) -> bool {
        self.proxy_ix
            .get(proxy)
            .and_then(|p| self.proxies.get(p))
            .is_some_and(|p| p.status == ProxyStatus::Active)
    }

    /// The holder's register lines (class and shares), in register order; empty if unknown.
    pub fn holder_shares(&self, holder: &HolderId) -> Vec<(ClassId, Shares)> {
        let mut out = Vec::new();
        let Some(h) = self.holder_ix.get(holder) else {
            return out;
        };
        for (_, line) in self.lines_of(h) {
            if let Some(class) = self.class_id(line.class) {
                out.push((class.clone(), Shares(line.shares)));
            }
        }
        out
    }

    /// The holder's shares of the classes voting on `resolution` (all its shares if the
    /// resolution is unknown).
    pub(crate) fn voting_shares(&self, holder: &HolderId, resolution: &ResolutionId) -> u128 {
        let Some(h) = self.holder_ix.get(holder) else {
            return 0;
        };
        let r = self.res_index.get(resolution);
        self.lines_of(h)
            .filter(|(_, l)| r.is_none_or(|r| self.res_vps(r, l.class) > 0))
            .map(|(_, l)| u128::from(l.shares))
            .sum()
    }

    /// The holder's name as on the register.
    pub fn holder_name(&self, holder: &HolderId) -> Option<&str> {
        self.holder_names.get(self.holder_ix.get(holder)?)
    }

    /// Number of registered holders (treasury included).
    pub fn holder_count(&self) -> usize {
        self.holders.len()
    }

    /// Number of ballots accepted (counted or disregarded).
    pub fn ballot_count(&self) -> usize {
        self.ballots.len()
    }

    /// Every restriction and mark (must abstain, against only, not disinterested, stated
    /// intentions), by holder (register order), resolution (proposal order), then group.
    pub fn abstentions(&self) -> Vec<Abstention> {
        self.restrictions
            .iter()
            .filter_map(|(&(h, r, _), rec)| {
                Some(Abstention {
                    holder: self.holder_ix.id(h)?,
                    resolution: self.res.get(r as usize)?.def.id.clone(),
                    restriction: rec.restriction,
                    reason: rec.reason.clone(),
                })
            })
            .collect()
    }

    /// The holders required to abstain (`Restriction::Abstain`) on `resolution`.
    pub fn must_abstain_holders(&self, resolution: &ResolutionId) -> Vec<HolderId> {
        self.abstentions()
            .into_iter()
            .filter(|a| &a.resolution == resolution && a.restriction == Restriction::Abstain)
            .map(|a| a.holder)
            .collect()
    }

    /// Whether the poll on `resolution` has opened (and possibly closed).
    pub fn poll_opened(&self, resolution: &ResolutionId) -> bool {
        self.res_rec(resolution)
            .is_some_and(|r| r.poll != Poll::Pending)
    }

    /// Whether the poll on `resolution` has closed.
    pub fn poll_closed(&self, resolution: &ResolutionId) -> bool {
        self.res_rec(resolution)
            .is_some_and(|r| r.poll == Poll::Closed)
    }

    /// Whether every proposed resolution's poll is closed (false when none is proposed).
    pub fn all_polls_closed(&self) -> bool {
        !self.res.is_empty() && self.res.iter().all(|r| r.poll == Poll::Closed)
    }

    /// How each of `voter`'s ballots on `resolution` stands now, by class; empty if none.
    pub fn ballot_status(
        &self,
        voter: &Voter,
        resolution: &ResolutionId,
    ) -> Vec<(ClassId, BallotStatus)> {
        let mut out = Vec::new();
        let Some(r) = self.res_index.get(resolution) else {
            return out;
        };
        let head = match voter {
            Voter::Holder(h) => self
                .holder_ix
                .get(h)
                .and_then(|h| self.holders.get(h))
                .map(|h| h.last_ballot),
            Voter::Proxy(p) => self
                .proxy_ix
                .get(p)
                .and_then(|p| self.proxies.get(p))
                .map(|p| p.last_ballot),
        };
        let mut b = head.unwrap_or(NONE);
        while let Some(ballot) = self.ballots.get(b) {
            if ballot.res == r {
                if let Some(class) = self.class_id(ballot.class) {
                    out.push((class.clone(), self.status_of(ballot)));
                }
            }
            b = ballot.prev;
        }
        out.reverse();
        out
    }

    /// The count as it stands.
    pub fn tally(&self) -> Tally {
        crate::count::count(self)
    }

    // ---- internal lookups shared by check, apply and count ----

    pub(crate) fn res_rec(&self, id: &ResolutionId) -> Option<&ResRec> {
        self.res.get(self.res_index.get(id)? as usize)
    }

    pub(crate) fn class_index(&self, id: &ClassId) -> Option<u32> {
        self.class_ix.get(id).copied()
    }

    /// The genesis' votes per share of class `c` (0 if unknown).
    pub(crate) fn class_vps(&self, c: u32) -> u32 {
        self.convened
            .as_ref()
            .and_then(|m| m.classes.get(c as usize))
            .map_or(0, |c| c.votes_per_share)
    }

    /// Votes per share of class `c` on resolution `r` (0: it does not vote on it).
    pub(crate) fn res_vps(&self, r: u32, c: u32) -> u32 {
        self.res
            .get(r as usize)
            .map_or(0, |res| res.vps(c, |c| self.class_vps(c)))
    }

    /// The classes voting on `res` with their votes per share, in the meeting's class order:
    /// every class for a resolution naming none (O(classes), as its tally's `by_class`),
    /// else only those it names.
    pub(crate) fn voting_classes<'a>(
        &'a self,
        res: &'a ResRec,
    ) -> Box<dyn Iterator<Item = (u32, u32)> + 'a> {
        if res.all_classes {
            let nc = u32::try_from(self.class_count()).unwrap_or(u32::MAX);
            Box::new((0..nc).map(move |c| (c, res.vps(c, |c| self.class_vps(c)))))
        } else {
            Box::new(res.weights.iter().copied())
        }
    }

    pub(crate) fn class_id(&self, index: u32) -> Option<&ClassId> {
        self.convened
            .as_ref()?
            .classes
            .get(index as usize)
            .map(|c| &c.id)
    }

    pub(crate) fn class_count(&self) -> usize {
        self.convened.as_ref().map_or(0, |c| c.classes.len())
    }

    /// The register lines of holder `h`, in register order, with their indices.
    pub(crate) fn lines_of(&self, h: u32) -> LineIter<'_> {
        LineIter {
            meeting: self,
            next: self.holders.get(h).map_or(NONE, |h| h.first_line),
        }
    }

    pub(crate) fn line_of(&self, h: u32, class: u32) -> Option<(u32, Line)> {
        self.lines_of(h)
            .find(|(_, l)| l.class == class)
            .map(|(i, l)| (i, *l))
    }

    /// The appointments (class, shares) of proxy record `p`.
    pub(crate) fn appointments_of(&self, p: &ProxyRec) -> impl Iterator<Item = (u32, u64)> + '_ {
        (p.appt_start..p.appt_start.saturating_add(p.appt_len))
            .filter_map(|i| self.appointments.get(i).copied())
    }

    /// The proxy's instruction on `res` (its instructions are stored sorted by resolution).
    pub(crate) fn instruction_of(&self, p: &ProxyRec, res: u32) -> Option<Instr> {
        let (mut lo, mut hi) = (p.ins_start, p.ins_start.saturating_add(p.ins_len));
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let rec = self.instructions.get(mid)?;
            match rec.res.cmp(&res) {
                std::cmp::Ordering::Equal => {
                    return Some(match rec.kind {
                        InstrKind::For => Instr::For,
                        InstrKind::Against => Instr::Against,
                        InstrKind::Abstain => Instr::Abstain,
                        InstrKind::Discretion => Instr::Discretion,
                        InstrKind::Split => {
                            let [f, a, b] = self.instr_splits.get(rec.extra)?;
                            Instr::Split(*f, *a, *b)
                        }
                    })
                }
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
            }
        }
        None
    }

    /// Stores proxy instruction `ins` on resolution `res`.
    pub(crate) fn push_instruction(&mut self, res: u32, ins: Instr) {
        let (kind, extra) = match ins {
            Instr::For => (InstrKind::For, 0),
            Instr::Against => (InstrKind::Against, 0),
            Instr::Abstain => (InstrKind::Abstain, 0),
            Instr::Discretion => (InstrKind::Discretion, 0),
            Instr::Split(f, a, b) => (InstrKind::Split, self.instr_splits.push([f, a, b])),
        };
        self.instructions.push(InstrRec { res, kind, extra });
    }

    /// What `ballot` said.
    pub(crate) fn cast_of(&self, ballot: &BallotRec) -> Cast {
        let all = ballot.entitled;
        let extra = || self.casts.get(ballot.extra).copied().unwrap_or_default();
        let split = |for_, against, abstain| Cast::Split {
            for_,
            against,
            abstain,
        };
        match ballot.kind {
            CastKind::AllFor => split(all, 0, 0),
            CastKind::AllAgainst => split(0, all, 0),
            CastKind::AllAbstain => split(0, 0, all),
            CastKind::Split => {
                let [f, a, b] = extra();
                split(f, a, b)
            }
            CastKind::Cumulative => {
                let [start, len, over] = extra();
                Cast::Cumulative {
                    start: u32::try_from(start).unwrap_or(NONE),
                    len: u32::try_from(len).unwrap_or(0),
                    over: over != 0,
                }
            }
        }
    }

    /// Stores `cast` for a ballot of `entitled` shares: its kind and, if the record cannot
    /// hold it, its index in `casts`.
    pub(crate) fn store_cast(&mut self, entitled: u64, cast: Cast) -> (CastKind, u32) {
        let (kind, extra) = match cast {
            Cast::Split {
                for_,
                against,
                abstain,
            } => match (for_, against, abstain) {
                (f, 0, 0) if f == entitled => return (CastKind::AllFor, 0),
                (0, a, 0) if a == entitled => return (CastKind::AllAgainst, 0),
                (0, 0, b) if b == entitled => return (CastKind::AllAbstain, 0),
                (f, a, b) => (CastKind::Split, [f, a, b]),
            },
            Cast::Cumulative { start, len, over } => (
                CastKind::Cumulative,
                [u64::from(start), u64::from(len), u64::from(over)],
            ),
        };
        (kind, self.casts.push(extra))
    }

    pub(crate) fn voter_label(&self, ballot: &BallotRec) -> String {
        if ballot.proxy {
            let id = self.proxy_ix.text(ballot.voter).unwrap_or("?");
            format!("{}{id}", HolderId::PROXY_PREFIX)
        } else {
            self.holder_ix.text(ballot.voter).unwrap_or("?").to_owned()
        }
    }
}

/// Iterates a holder's register lines.
pub(crate) struct LineIter<'a> {
    meeting: &'a Meeting,
    next: u32,
}

impl<'a> Iterator for LineIter<'a> {
    type Item = (u32, &'a Line);

    fn next(&mut self) -> Option<Self::Item> {
        let index = self.next;
        let line = self.meeting.lines.get(index)?;
        self.next = line.next;
        Some((index, line))
    }
}

#[cfg(test)]
mod tests {
    use super::{BallotRec, Cast, CastKind, HolderRec, Instr, InstrRec, Line, Meeting, ProxyRec};

    /// The per-holder and per-ballot records are what a million-holder meeting is made of.
    #[test]
    fn records_stay_small() {
        assert_eq!(std::mem::size_of::<BallotRec>(), 32);
        assert_eq!(std::mem::size_of::<Line>(), 24);
        assert_eq!(std::mem::size_of::<InstrRec>(), 12);
        assert_eq!(std::mem::size_of::<HolderRec>(), 28);
        let mut mask = super::Mask::default();
        for bit in [0, 31, 32, 63] {
            mask |= 1u64 << bit;
        }
        assert_eq!(mask.get(), (1 << 63) | (1 << 32) | (1 << 31) | 1);
    }

    #[test]
    fn casts_are_stored_exactly() {
        let mut m = Meeting::new();
        let split = |for_, against, abstain| Cast::Split {
            for_,
            against,
            abstain,
        };
        let cases = [
            (100, split(100, 0, 0), CastKind::AllFor),
            (100, split(0, 100, 0), CastKind::AllAgainst),
            (100, split(0, 0, 100), CastKind::AllAbstain),
            (0, split(0, 0, 0), CastKind::AllFor),
            (100, split(60, 0, 0), CastKind::Split),
            (100, split(0, 0, 0), CastKind::Split),
            (100, split(50, 25, 25), CastKind::Split),
            (5, split(u64::MAX, 0, 0), CastKind::Split),
            (
                7,
                Cast::Cumulative {
                    start: 3,
                    len: 2,
                    over: true,
                },
                CastKind::Cumulative,
            ),
            (
                7,
                Cast::Cumulative {
                    start: 0,
                    len: 0,
                    over: false,
                },
                CastKind::Cumulative,
            ),
        ];
        for (entitled, cast, want) in cases {
            let (kind, extra) = m.store_cast(entitled, cast);
            assert_eq!(kind, want, "{cast:?}");
            let rec = BallotRec {
                voter: 0,
                proxy: false,
                res: 0,
                class: 0,
                entitled,
                kind,
                extra,
                prev: 0,
            };
            assert_eq!(m.cast_of(&rec), cast);
        }
        assert_eq!(m.casts.len(), 6);
    }

    #[test]
    fn instructions_are_stored_exactly() {
        let mut m = Meeting::new();
        let all = [
            Instr::For,
            Instr::Against,
            Instr::Abstain,
            Instr::Split(1, 2, u64::MAX),
            Instr::Discretion,
            Instr::Split(0, 0, 0),
        ];
        for (r, ins) in all.iter().enumerate() {
            m.push_instruction(r as u32 * 2, *ins);
        }
        let p = ProxyRec {
            holder: 0,
            status: super::ProxyStatus::Active,
            attended: false,
            voted: false,
            next_of_holder: super::NONE,
            last_ballot: super::NONE,
            voted_mask: super::Mask::default(),
            appt_start: 0,
            appt_len: 0,
            ins_start: 0,
            ins_len: all.len() as u32,
        };
        for (r, ins) in all.iter().enumerate() {
            assert_eq!(m.instruction_of(&p, r as u32 * 2), Some(*ins));
            assert_eq!(m.instruction_of(&p, r as u32 * 2 + 1), None);
        }
        assert_eq!(m.instr_splits.len(), 2);
    }
}
