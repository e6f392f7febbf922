//! The count: one pass over the accepted ballots, deciding for each whether it counts now.

use std::collections::BTreeMap;

use scrutin_model::{
    group_thousands, Denominator, MeetingKind, ResolutionKind, Restriction, SchemeTerms, Threshold,
};

use crate::check::proxy_reason;
use crate::fxhash::FxMap;
use crate::meeting::{BallotRec, BallotStatus, Cast, Meeting, ProxyStatus, RestrictionRec};
use crate::sitting_count::SittingCounts;
use crate::{
    percent, AgainstLimitTest, CandidateResult, ClassAttendance, ClassVotes, Disregarded,
    HeadcountTest, MajorityTest, ResolutionTally, SchemeTests, Tally, TALLY_FORMAT,
};

/// Why a ballot (or part of it) does not count.
pub(crate) enum Why<'a> {
    Proxy(ProxyStatus),
    Abstain(&'a RestrictionRec),
    NotFor(&'a RestrictionRec),
    OverAllocation { cast: u128, allowed: u128 },
}

impl Why<'_> {
    fn reason(&self, meeting: &Meeting) -> String {
        match self {
            Why::Proxy(status) => proxy_reason(meeting, *status),
            Why::Abstain(r) => format!("required to abstain: {}", r.reason),
            Why::NotFor(r) => format!("may not vote for (Rule 13.40): {}", r.reason),
            Why::OverAllocation { cast, allowed } => format!(
                "over-allocation: {} votes cast, {} allowed",
                group_thousands(*cast),
                group_thousands(*allowed)
            ),
        }
    }
}

/// How a ballot stands: counted in full, its "for" part void, or void entirely.
pub(crate) enum Verdict<'a> {
    Counted,
    ForVoid(Why<'a>),
    Void(Why<'a>),
}

impl Meeting {
    /// The holder a ballot's shares belong to (the appointing holder for a proxy).
    pub(crate) fn ballot_holder(&self, b: &BallotRec) -> u32 {
        if b.proxy {
            self.proxies.get(b.voter).map_or(b.voter, |p| p.holder)
        } else {
            b.voter
        }
    }

    fn restriction(&self, holder: u32, res: u32) -> Option<&RestrictionRec> {
        if !self.holders.get(holder).is_some_and(|h| h.restricted) {
            return None;
        }
        self.restrictions.get(&(holder, res, 0))
    }

    /// The shares holder `holder` (in person and through its proxies) voted for, against and
    /// abstaining on `resolution` in ballots that count, and whether any ballot of theirs was
    /// recorded there; `None` for an unknown holder or resolution.
    pub fn holder_cast(
        &self,
        holder: &scrutin_model::HolderId,
        resolution: &scrutin_model::ResolutionId,
    ) -> Option<((u128, u128, u128), bool)> {
        let h = self.holder_ix.get(holder)?;
        let r = self.res_index.get(resolution)?;
        let rec = self.holders.get(h)?;
        let mut heads = vec![rec.last_ballot];
        let mut q = rec.first_proxy;
        while let Some(p) = self.proxies.get(q) {
            heads.push(p.last_ballot);
            q = p.next_of_holder;
        }
        let (mut sum, mut any) = ((0u128, 0u128, 0u128), false);
        for mut b in heads {
            while let Some(ballot) = self.ballots.get(b) {
                if ballot.res == r {
                    any = true;
                    if let Cast::Split {
                        for_,
                        against,
                        abstain,
                    } = self.cast_of(ballot)
                    {
                        match self.verdict(ballot) {
                            Verdict::Counted => {
                                sum.0 += u128::from(for_);
                                sum.1 += u128::from(against);
                                sum.2 += u128::from(abstain);
                            }
                            Verdict::ForVoid(_) => {
                                sum.1 += u128::from(against);
                                sum.2 += u128::from(abstain);
                            }
                            Verdict::Void(_) => {}
                        }
                    }
                }
                b = ballot.prev;
            }
        }
        Some((sum, any))
    }

    /// Whether holder `h` is marked not disinterested on resolution `r` (a scheme's concert
    /// party: left out of the disinterested tests).
    pub(crate) fn not_disinterested(&self, h: u32, r: u32) -> bool {
        self.restrictions.contains_key(&(h, r, 1))
    }

    fn cumulative_total(&self, start: u32, len: u32) -> u128 {
        (start..start.saturating_add(len))
            .filter_map(|i| self.allocations.get(i))
            .map(|&(_, v)| u128::from(v))
            .sum()
    }

    pub(crate) fn verdict(&self, b: &BallotRec) -> Verdict<'_> {
        if b.proxy {
            if let Some(p) = self.proxies.get(b.voter) {
                if p.status != ProxyStatus::Active {
                    return Verdict::Void(Why::Proxy(p.status));
                }
            }
        }
        let holder = self.ballot_holder(b);
        match (self.restriction(holder, b.res), self.cast_of(b)) {
            (Some(r), _) if r.restriction == Restriction::Abstain => {
                return Verdict::Void(Why::Abstain(r))
            }
            (Some(r), Cast::Cumulative { .. }) => return Verdict::Void(Why::NotFor(r)),
            (Some(r), Cast::Split { for_, .. }) if for_ > 0 => {
                return Verdict::ForVoid(Why::NotFor(r))
            }
            _ => {}
        }
        if let Cast::Cumulative {
            start,
            len,
            over: true,
        } = self.cast_of(b)
        {
            let seats = self.res.get(b.res as usize).map_or(0, |r| r.seats);
            let vps = self.res_vps(b.res, b.class);
            return Verdict::Void(Why::OverAllocation {
                cast: self.cumulative_total(start, len),
                allowed: u128::from(b.entitled) * u128::from(seats) * u128::from(vps),
            });
        }
        Verdict::Counted
    }

    fn vps(&self, b: &BallotRec) -> u128 {
        u128::from(self.res_vps(b.res, b.class))
    }

    /// Votes the ballot tendered in total, and its "for" part.
    fn tendered(&self, b: &BallotRec) -> (u128, u128) {
        match self.cast_of(b) {
            Cast::Split {
                for_,
                against,
                abstain,
            } => {
                let vps = self.vps(b);
                let total = u128::from(for_) + u128::from(against) + u128::from(abstain);
                (total * vps, u128::from(for_) * vps)
            }
            Cast::Cumulative { start, len, .. } => {
                let t = self.cumulative_total(start, len);
                (t, t)
            }
        }
    }

    pub(crate) fn status_of(&self, b: &BallotRec) -> BallotStatus {
        let (total, for_part) = self.tendered(b);
        match self.verdict(b) {
            Verdict::Counted => BallotStatus::Counted,
            Verdict::ForVoid(why) => BallotStatus::PartlyDisregarded {
                votes: for_part,
                reason: why.reason(self),
            },
            Verdict::Void(why) => BallotStatus::Disregarded {
                votes: total,
                reason: why.reason(self),
            },
        }
    }

    /// Shares of class `c` that the voter of `b` represents now.
    fn unit_shares(&self, b: &BallotRec) -> u128 {
        if b.proxy {
            self.proxies.get(b.voter).map_or(0, |p| {
                self.appointments_of(p)
                    .filter(|&(c, _)| c == b.class)
                    .map(|(_, s)| u128::from(s))
                    .sum()
            })
        } else {
            let s = self.res.get(b.res as usize).and_then(|r| r.sitting);
            u128::from(self.own_shares_at(b.voter, b.class, s))
        }
    }

    /// Shares of class `c` represented at sitting `s` by holder `h` in person and by its
    /// active proxies for that sitting.
    fn represented_by(&self, h: u32, c: u32, s: Option<u32>) -> u128 {
        let mut total = 0u128;
        if let Some(rec) = self.holders.get(h) {
            if self.holder_present_at(h, s) {
                total += u128::from(self.own_shares_at(h, c, s));
            }
            let mut p = rec.first_proxy;
            while let Some(q) = self.proxies.get(p) {
                if q.status == ProxyStatus::Active
                    && (q.attended || q.voted)
                    && self.sitting_of_proxy(p) == s
                {
                    total += self
                        .appointments_of(q)
                        .filter(|&(qc, _)| qc == c)
                        .map(|(_, s)| u128::from(s))
                        .sum::<u128>();
                }
                p = q.next_of_holder;
            }
        }
        total
    }
}

/// Restricted shares of one (resolution, class) pair.
#[derive(Default, Clone, Copy)]
struct Restricted {
    must_abstain: u128,
    against_only: u128,
    rep_abstain: u128,
    /// Shares of holders not disinterested (and not required to abstain).
    not_disinterested: u128,
}

#[derive(Default, Clone, Copy)]
struct Acc {
    for_: u128,
    against: u128,
    abstain: u128,
    voted_units: u128,
}

/// Computes the tally of `m` (see `docs/RULES.md`, "Count").
pub(crate) fn count(m: &Meeting) -> Tally {
    let Some(conv) = m.convened.as_deref() else {
        return Tally {
            format: Some(TALLY_FORMAT),
            represented_pct: percent(0, 0, 4),
            ..Tally::default()
        };
    };
    let rules = &conv.rules;
    let dec = rules.decimals;
    let nc = m.class_count();
    let nr = m.res.len();

    // Attendance per class.
    let mut ent_c = vec![0u128; nc];
    let mut rep_c = vec![0u128; nc];
    for (h, rec) in m.holders.iter().enumerate() {
        if rec.treasury {
            continue;
        }
        let present = rec.attended || rec.voted;
        for (_, l) in m.lines_of(u32::try_from(h).unwrap_or(u32::MAX)) {
            let c = l.class as usize;
            ent_c[c] += u128::from(l.shares);
            if present {
                rep_c[c] += u128::from(l.shares - l.appointed.min(l.shares));
            }
        }
    }
    for (i, p) in m.proxies.iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        if p.status == ProxyStatus::Active
            && (p.attended || p.voted)
            && m.sitting_of_proxy(i).is_none()
        {
            for (c, s) in m.appointments_of(p) {
                rep_c[c as usize] += u128::from(s);
            }
        }
    }
    // Shares represented at each class sitting (of its class), indexed as `m.sittings`.
    let sit = SittingCounts::of(m);

    // Restricted shares per (resolution, class): only the pairs restricted holders hold.
    let mut restricted: FxMap<(u32, u32), Restricted> = FxMap::default();
    for (&(h, r, _), rec) in m.restrictions.iter() {
        for (_, l) in m.lines_of(h) {
            // Only pairs that reach the output: the class votes on the resolution.
            if m.res_vps(r, l.class) == 0 {
                continue;
            }
            let x = restricted.entry((r, l.class)).or_default();
            match rec.restriction {
                Restriction::Abstain => {
                    x.must_abstain += u128::from(l.shares);
                    let sitting = m.res.get(r as usize).and_then(|x| x.sitting);
                    x.rep_abstain += m.represented_by(h, l.class, sitting);
                }
                Restriction::AgainstOnly => x.against_only += u128::from(l.shares),
                // A concert party's shares leave the disinterested base, unless they are
                // out of every base already (required to abstain).
                Restriction::NotDisinterested => {
                    if m.restriction(h, r).map(|v| v.restriction) != Some(Restriction::Abstain) {
                        x.not_disinterested += u128::from(l.shares);
                    }
                }
                // Marks for the announcement: they change no total.
                Restriction::IntendsAgainst | Restriction::IntendsAbstain => {}
            }
        }
    }

    // The ballots, in log order, into accumulators for the (resolution, class) pairs voted.
    let mut acc: FxMap<(u32, u32), Acc> = FxMap::default();
    let mut disregarded: Vec<Vec<Disregarded>> = vec![Vec::new(); nr];
    let mut cand_votes: Vec<Vec<u128>> =
        m.res.iter().map(|r| vec![0; r.candidates.len()]).collect();
    let mut heads: Vec<Vec<(u32, bool)>> = vec![Vec::new(); nr];
    // Votes (for, against) counted on each scheme from holders not disinterested.
    let mut interested: Vec<(u128, u128)> = vec![(0, 0); nr];
    for b in m.ballots.iter() {
        let r = b.res as usize;
        let i = acc.entry((b.res, b.class)).or_default();
        let vps = m.vps(b);
        let scheme = m
            .res
            .get(r)
            .is_some_and(|x| x.def.kind == ResolutionKind::Scheme);
        let verdict = m.verdict(b);
        let mut void = |votes: u128, why: &Why<'_>| {
            disregarded[r].push(Disregarded {
                voter: m.voter_label(b),
                votes,
                reason: why.reason(m),
            });
        };
        let represented = !matches!(&verdict, Verdict::Void(Why::Proxy(_) | Why::Abstain(_)));
        match m.cast_of(b) {
            Cast::Split {
                for_,
                against,
                abstain,
            } => {
                let (f, a, x) = (
                    u128::from(for_) * vps,
                    u128::from(against) * vps,
                    u128::from(abstain) * vps,
                );
                let counted_for = match &verdict {
                    Verdict::Counted => Some(f),
                    Verdict::ForVoid(why) => {
                        void(f, why);
                        Some(0)
                    }
                    Verdict::Void(why) => {
                        void(f + a + x, why);
                        None
                    }
                };
                if let Some(cf) = counted_for {
                    i.for_ += cf;
                    i.against += a;
                    i.abstain += x;
                    // Holders for and against, for the holder counts and the headcount
                    // test: a holder voting through several proxies counts once.
                    let h = m.ballot_holder(b);
                    if scheme && m.not_disinterested(h, b.res) {
                        interested[r].0 += cf;
                        interested[r].1 += a;
                    }
                    if cf > 0 {
                        heads[r].push((h, true));
                    }
                    if a > 0 {
                        heads[r].push((h, false));
                    }
                }
            }
            Cast::Cumulative { start, len, .. } => match &verdict {
                Verdict::Counted => {
                    heads[r].push((m.ballot_holder(b), true));
                    for k in start..start.saturating_add(len) {
                        if let Some(&(cand, votes)) = m.allocations.get(k) {
                            if let Some(slot) = cand_votes[r].get_mut(cand as usize) {
                                *slot += u128::from(votes);
                            }
                            i.for_ += u128::from(votes);
                        }
                    }
                }
                Verdict::ForVoid(why) | Verdict::Void(why) => {
                    void(m.cumulative_total(start, len), why);
                }
            },
        }
        if rules.unvoted_as_abstain && represented {
            i.voted_units += m.unit_shares(b);
        }
    }

    let mut resolutions = Vec::with_capacity(nr);
    for (r, res) in m.res.iter().enumerate() {
        let cumulative = matches!(res.def.kind, ResolutionKind::Cumulative { .. });
        let mut t = ResolutionTally {
            id: res.def.id.to_string(),
            kind: match res.def.kind {
                ResolutionKind::Ordinary => "ordinary",
                ResolutionKind::Special => "special",
                ResolutionKind::Cumulative { .. } => "cumulative",
                ResolutionKind::Scheme => "scheme",
            }
            .to_owned(),
            entitled: 0,
            must_abstain: 0,
            against_only: 0,
            for_: 0,
            against: 0,
            abstain: 0,
            for_pct: String::new(),
            against_pct: String::new(),
            abstain_pct: String::new(),
            passed: false,
            disregarded: 0,
            disregarded_ballots: std::mem::take(&mut disregarded[r]),
            by_class: BTreeMap::new(),
            candidates: Vec::new(),
            scheme: None,
            holders_for: None,
            holders_against: None,
            holders_present: None,
        };
        // The cumulative minimum's base: the voting shares present (docs/POLLS.md), i.e. shares
        // represented and entitled on this resolution, whether or not they cast a ballot on it.
        let mut min_base = 0u128;
        // Votes of the disinterested scheme shares entitled on this resolution.
        let mut disinterested_base = 0u128;
        // Every voting class has its `by_class` entry: this loop costs what the output holds.
        let r32 = u32::try_from(r).unwrap_or(u32::MAX);
        for (c32, vps) in m.voting_classes(res) {
            let vps = u128::from(vps);
            if vps == 0 {
                continue;
            }
            let c = c32 as usize;
            let x = restricted.get(&(r32, c32)).copied().unwrap_or_default();
            let (ent, rep) = (
                ent_c.get(c).copied().unwrap_or(0),
                match res.sitting {
                    Some(s) => sit.represented_in(s),
                    None => rep_c.get(c).copied().unwrap_or(0),
                },
            );
            min_base += rep.saturating_sub(x.rep_abstain) * vps;
            t.entitled += ent.saturating_sub(x.must_abstain) * vps;
            t.must_abstain += x.must_abstain * vps;
            t.against_only += x.against_only * vps;
            disinterested_base += ent
                .saturating_sub(x.must_abstain)
                .saturating_sub(x.not_disinterested)
                * vps;
            let a = acc.get(&(r32, c32)).copied().unwrap_or_default();
            let mut votes = ClassVotes {
                for_: a.for_,
                against: a.against,
                abstain: a.abstain,
            };
            if rules.unvoted_as_abstain && !cumulative {
                let unvoted = rep
                    .saturating_sub(x.rep_abstain)
                    .saturating_sub(a.voted_units);
                votes.abstain += unvoted * vps;
            }
            t.for_ += votes.for_;
            t.against += votes.against;
            t.abstain += votes.abstain;
            if let Some(id) = m.class_id(c32) {
                t.by_class.insert(id.to_string(), votes);
            }
        }
        t.disregarded = t.disregarded_ballots.iter().map(|d| d.votes).sum();
        let mut h = std::mem::take(&mut heads[r]);
        h.sort_unstable();
        h.dedup();
        let holders_for = h.iter().filter(|x| x.1).count() as u64;
        let holders_against = h.iter().filter(|x| !x.1).count() as u64;
        t.holders_for = Some(holders_for);
        t.holders_against = Some(holders_against);
        t.holders_present = Some(sit.present_on(m, r32, res));
        let fa = t.for_ + t.against;
        let fax = fa + t.abstain;
        let base = match rules.denominator {
            Denominator::ForAgainst => fa,
            Denominator::ForAgainstAbstain => fax,
        };
        t.for_pct = percent(t.for_, base, dec);
        t.against_pct = percent(t.against, base, dec);
        t.abstain_pct = percent(t.abstain, fax, dec);
        t.passed = match &res.def.kind {
            ResolutionKind::Ordinary => rules.ordinary.is_met(t.for_, base),
            ResolutionKind::Special => rules.special.is_met(t.for_, base),
            ResolutionKind::Scheme => {
                let tests = scheme_tests(
                    m,
                    r32,
                    &h,
                    SchemeVotes {
                        for_: t.for_,
                        against: t.against,
                        interested: interested[r],
                        disinterested_base,
                    },
                    res.scheme.as_ref(),
                );
                let passed = tests.value.as_ref().is_some_and(|v| v.passed)
                    && tests.headcount_passed
                    && tests.against_limit_passed
                    && tests.disinterested.as_ref().is_none_or(|d| d.passed);
                t.scheme = Some(tests);
                passed
            }
            ResolutionKind::Cumulative { .. } => {
                let (results, filled) = elect(&cand_votes[r], res.seats, |v| {
                    rules.cumulative_minimum.is_met(v, min_base)
                });
                t.candidates = results
                    .into_iter()
                    .zip(&res.candidates)
                    .map(|((votes, elected), id)| CandidateResult {
                        id: id.to_string(),
                        votes,
                        elected,
                        pct: Some(percent(votes, min_base, dec)),
                    })
                    .collect();
                filled
            }
        };
        resolutions.push(t);
    }

    // A class meeting is a meeting of the classes its resolutions put to the vote: another
    // class on the register neither attends nor counts in its totals (docs/POLLS.md: "a class
    // meeting counts only that class, with the class's totals as denominators").
    let class_meeting = conv.kind == MeetingKind::Class && !m.res.is_empty();
    let mut in_meeting = vec![!class_meeting; nc];
    if class_meeting {
        for res in m.res.iter() {
            for (c, vps) in m.voting_classes(res) {
                if vps > 0 {
                    if let Some(x) = in_meeting.get_mut(c as usize) {
                        *x = true;
                    }
                }
            }
        }
    }
    let classes: Vec<ClassAttendance> = conv
        .classes
        .iter()
        .enumerate()
        .filter(|&(c, _)| in_meeting[c])
        .map(|(c, class)| ClassAttendance {
            id: class.id.to_string(),
            entitled: ent_c[c],
            represented: rep_c[c],
            represented_pct: percent(rep_c[c], ent_c[c], dec),
        })
        .collect();
    let entitled: u128 = classes.iter().map(|c| c.entitled).sum();
    let represented: u128 = classes.iter().map(|c| c.represented).sum();
    let sittings = sit.attendance(m, entitled, represented, &ent_c, dec);
    Tally {
        format: Some(TALLY_FORMAT),
        sittings,
        meeting: conv.id.clone(),
        classes,
        entitled,
        represented,
        represented_pct: percent(represented, entitled, dec),
        resolutions,
    }
}

/// The counted votes of one scheme resolution.
struct SchemeVotes {
    for_: u128,
    against: u128,
    /// (for, against) of holders not disinterested.
    interested: (u128, u128),
    /// Votes of every disinterested scheme share entitled on the resolution.
    disinterested_base: u128,
}

/// The tests of a scheme resolution `r` (docs/RULES.md, "Schemes"): the terms its
/// `ResolutionTerms` stated, else the preset's (headcount, the special majority in value, and
/// votes against at most `scheme_max_against` of all disinterested shares). `heads` is each
/// (holder, voted for?) pair, sorted and deduplicated.
fn scheme_tests(
    m: &Meeting,
    r: u32,
    heads: &[(u32, bool)],
    v: SchemeVotes,
    terms: Option<&SchemeTerms>,
) -> SchemeTests {
    let Some(conv) = m.convened.as_deref() else {
        return SchemeTests::default();
    };
    let rules = &conv.rules;
    let dec = rules.decimals;
    let (headcount, value_t, dis_t, max_against) = match terms {
        Some(x) => (
            x.headcount,
            x.value_majority,
            x.disinterested_majority,
            x.disinterested_max_against,
        ),
        None => (true, rules.special, None, Some(rules.scheme_max_against)),
    };
    let count =
        |pred: &dyn Fn(&(u32, bool)) -> bool| heads.iter().filter(|x| pred(x)).count() as u64;
    let holders_for = count(&|x| x.1);
    let holders_against = count(&|x| !x.1);
    let headcount_passed = !headcount || holders_for > holders_against;
    let majority = |for_: u128, against: u128, hf: u64, ha: u64, t: Threshold| {
        let base = for_ + against;
        MajorityTest {
            for_,
            against,
            holders_for: hf,
            holders_against: ha,
            base,
            for_pct: percent(for_, base, dec),
            against_pct: percent(against, base, dec),
            threshold: format!("{}/{}", t.num, t.den),
            strict: t.strict,
            passed: t.is_met(for_, base),
        }
    };
    let value = majority(v.for_, v.against, holders_for, holders_against, value_t);
    let (ifor, iagainst) = v.interested;
    let (dfor, dagainst) = (
        v.for_.saturating_sub(ifor),
        v.against.saturating_sub(iagainst),
    );
    let disinterested = dis_t.map(|t| {
        let dis = |x: &(u32, bool)| !m.not_disinterested(x.0, r);
        majority(
            dfor,
            dagainst,
            count(&|x| x.1 && dis(x)),
            count(&|x| !x.1 && dis(x)),
            t,
        )
    });
    let disinterested_against = max_against.map(|limit| {
        // "At most" the limit is "not more than" it: the complement of a threshold of
        // opposite strictness, decided by `is_met` in exact 256-bit products (a u128
        // product overflowed, a panic, for weighted totals beyond 2^96).
        let exceeded = Threshold {
            strict: !limit.strict,
            ..limit
        };
        let base = v.disinterested_base;
        let passed = if base == 0 {
            dagainst == 0
        } else {
            !exceeded.is_met(dagainst, base)
        };
        AgainstLimitTest {
            against: dagainst,
            base,
            pct: percent(dagainst, base, dec),
            limit: format!("{}/{}", limit.num, limit.den),
            passed,
        }
    });
    SchemeTests {
        holders_for,
        holders_against,
        headcount_passed,
        against_limit_passed: disinterested_against.as_ref().is_none_or(|x| x.passed),
        headcount: Some(HeadcountTest {
            required: headcount,
            holders_for,
            holders_against,
            passed: headcount_passed,
        }),
        value: Some(value),
        disinterested,
        disinterested_against,
    }
}

/// Ranks candidates by votes and elects those within the seats that meet the minimum; a tie
/// straddling the last seat elects none of the tied. Returns (votes, elected) in candidate
/// order and whether every seat was filled.
fn elect(
    votes: &[u128],
    seats: u32,
    meets_minimum: impl Fn(u128) -> bool,
) -> (Vec<(u128, bool)>, bool) {
    let seats = seats as usize;
    let mut order: Vec<usize> = (0..votes.len()).collect();
    order.sort_by(|&a, &b| votes[b].cmp(&votes[a]).then(a.cmp(&b)));
    let tie_votes = match (
        seats.checked_sub(1).and_then(|s| order.get(s)),
        order.get(seats),
    ) {
        (Some(&last), Some(&next)) if votes[last] == votes[next] => Some(votes[last]),
        _ => None,
    };
    let mut elected = vec![false; votes.len()];
    for &k in order.iter().take(seats) {
        if Some(votes[k]) != tie_votes && meets_minimum(votes[k]) {
            elected[k] = true;
        }
    }
    let filled = elected.iter().filter(|&&e| e).count() == seats;
    (votes.iter().copied().zip(elected).collect(), filled)
}
